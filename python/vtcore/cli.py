"""The `vtcore` console command.

Subcommands are registered in `SUBCOMMANDS`: name -> "module:function", where `function(subparsers)` adds its
parser to the argparse subparsers and sets `func=handler` (handler(args) -> exit code). A part adds its
subcommand by writing the function in its own module and one line here.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from collections.abc import Sequence
from typing import Any

import vtcore
from vtcore.gateways import GATEWAYS
from vtcore.gateways._sdk import build as sdk_build
from vtcore.setting import get_settings_dir

SUBCOMMANDS: dict[str, str] = {
    "info": "vtcore.cli:add_info_parser",
    "run": "vtcore.gateways.ctp.cli:add_run_parser",
    "trader": "vtcore.ui.cli:add_trader_parser",
}


def add_info_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "info", help="show version, build, vendor SDK bindings and settings folder"
    )
    parser.set_defaults(func=run_info)


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
    lines.append(f"settings folder: {get_settings_dir()}")
    print("\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vtcore", description="vn.py's API on a C++ event path")
    parser.add_argument("--version", action="version", version=f"vtcore {vtcore.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, target in SUBCOMMANDS.items():
        module_name, _, function_name = target.partition(":")
        try:
            add_parser = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as exc:
            broken = subparsers.add_parser(name, help=f"(unavailable: {exc})")
            broken.set_defaults(func=_unavailable(name, exc))
            continue
        add_parser(subparsers)
    return parser


def _unavailable(name: str, error: Exception) -> Any:
    def report(args: argparse.Namespace) -> int:
        print(f"vtcore {name}: unavailable: {error}", file=sys.stderr)
        return 2

    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    return int(func(args))


if __name__ == "__main__":
    sys.exit(main())
