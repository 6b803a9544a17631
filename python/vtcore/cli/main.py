"""The `vtcore` console command: the parser and the subcommand registry.

Subcommands are registered in `SUBCOMMANDS`: name -> "module:function", where `function(subparsers)` adds its
parser to the argparse subparsers and sets `func=handler` (handler(args) -> exit code). A subcommand lives in
its own module of this package and adds one line here. Modules are imported when the parser is built, so a
subcommand module imports nothing heavy (no engine, no Qt) until its handler runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

import vtcore

SUBCOMMANDS: dict[str, str] = {
    "info": "vtcore.cli.info:add_info_parser",
    "run": "vtcore.cli.run:add_run_parser",
    "trader": "vtcore.cli.trader:add_trader_parser",
    "settings": "vtcore.cli.settings:add_settings_parser",
}


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
