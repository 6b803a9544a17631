"""`vtcore info`: version, build, vendor SDK bindings, gateways and the settings folder."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import platform
import sys
from typing import Any

import vtcore
from vtcore.gateways import GATEWAY_NOTES, GATEWAYS, SIM_PEERS
from vtcore.gateways._sdk import build as sdk_build
from vtcore.setting import get_settings_dir


def add_info_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "info", help="show version, build, vendor SDK bindings and settings folder"
    )
    parser.set_defaults(func=run_info)


#: Python distributions that a gateway or its local peer needs beyond vtcore's own, and what for; reported by
#: version without importing them (tigeropen's import has side effects)
OPTIONAL_PACKAGES = {
    "protobuf": "TIGER gateway (pip install vtcore[tiger])",
    "cryptography": "TIGER gateway's RSA signatures (pip install vtcore[tiger])",
    "tigeropen": "TIGER's local peer, `vtcore run --sim --gateway TIGER` (pip install vtcore[tiger])",
    "futu-api": "FUTU gateway and its fake OpenD: Futu's protobuf messages (pip install vtcore[futu])",
}


def _package_status(distribution: str) -> str:
    try:
        return f"{importlib.metadata.version(distribution)} installed"
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _module_status(name: str) -> str:
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # any import failure is what `info` reports
        return f"not available ({type(exc).__name__}: {exc})"
    return f"ok ({getattr(module, '__file__', '?')})"


def run_info(args: argparse.Namespace) -> int:
    lines = [
        f"vtcore {vtcore.__version__}",
        f"python {platform.python_version()} ({sys.executable})",
        f"platform {platform.platform()}",
    ]
    try:
        fast = importlib.import_module("vtcore._fast")
    except ImportError as exc:
        lines.append(f"build: vtcore._fast missing ({exc})")
    else:
        lines.append("build: " + ", ".join(f"{key}={value}" for key, value in fast.BUILD_INFO.items()))
    for module in ("vtcore._core", "vtcore._fast"):
        lines.append(f"{module}: {_module_status(module)}")
    for sdk in sdk_build.known_sdks():  # every vendor SDK the build knows: built, or why not
        lines.append(f"{sdk_build.build_info(sdk).get('title', sdk)} SDK: {sdk_build.status(sdk)}")
    lines.append(f"gateways: {', '.join(GATEWAYS)}")
    lines.extend(f"  {name}: {note}" for name, note in GATEWAY_NOTES.items())
    lines.append(f"local peers (vtcore run --sim --gateway NAME): {', '.join(SIM_PEERS)}")
    lines.extend(f"  {name}: {_package_status(name)} - {use}" for name, use in OPTIONAL_PACKAGES.items())
    lines.append(f"settings folder: {get_settings_dir()}")
    print("\n".join(lines))
    return 0
