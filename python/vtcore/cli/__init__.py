"""The `vtcore` command's subcommands, one module each: `info`, `run`, `trader` (the parser: `main`)."""

from __future__ import annotations

from vtcore.cli.main import SUBCOMMANDS, build_parser, main

__all__ = ["SUBCOMMANDS", "build_parser", "main"]
