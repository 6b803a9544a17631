"""The engine never imports Qt: the window is an optional extra, and a headless engine must not load it."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import vtcore

QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")
PACKAGE_DIR = Path(vtcore.__file__).parent


def test_no_engine_module_imports_qt() -> None:
    """Import every vtcore module outside vtcore.ui (the CLI included: every command builds the `trader`
    subcommand's parser) and check."""
    engine_modules = [
        info.name
        for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="vtcore.")
        if not info.name.startswith("vtcore.ui") and not info.name.endswith(".__main__")
    ]
    assert "vtcore.engine" in engine_modules
    script = f"""
import importlib, sys
failed = []
for name in {engine_modules!r} + ["vtcore.ui"]:
    try:
        importlib.import_module(name)
    except Exception as exc:  # gateways whose vendor SDK is missing here; Qt is what this test is about
        failed.append(f"{{name}}: {{type(exc).__name__}}")
import vtcore.cli
vtcore.cli.build_parser()
qt = sorted(m for m in sys.modules if m.split(".")[0] in {QT_MODULES!r})
print("QT", qt)
print("FAILED", failed)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    assert "QT []" in result.stdout, result.stdout + result.stderr
    assert "vtcore.engine" not in result.stdout.split("FAILED", 1)[1]


def test_no_engine_source_mentions_qt() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(" + "|".join(QT_MODULES) + r")\b", re.MULTILINE)
    engine_sources = [
        path for path in PACKAGE_DIR.rglob("*.py") if path.relative_to(PACKAGE_DIR).parts[0] != "ui"
    ]
    assert engine_sources
    offenders = [
        str(path.relative_to(PACKAGE_DIR))
        for path in engine_sources
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
