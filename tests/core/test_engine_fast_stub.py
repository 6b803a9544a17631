"""python/vtcore/_fast.pyi matches the compiled Cython module (mypy's stubtest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# What stubtest cannot express for Cython classes: they are disjoint bases (no multiple inheritance with other
# extension types), and Cython adds pickling helpers and a __test__ dict that are not part of the API.
ALLOWLIST = r"""
vtcore\._fast\.(Dispatcher|Event|SymbolInfo|TickData|TickDecoder)
vtcore\._fast\.(\w+\.)?__reduce_cython__
vtcore\._fast\.(\w+\.)?__setstate_cython__
vtcore\._fast\.__test__
"""


def test_stub_matches_module(tmp_path: Path) -> None:
    allowlist = tmp_path / "allowlist.txt"
    allowlist.write_text(ALLOWLIST)
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "vtcore._fast", "--allowlist", str(allowlist)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
