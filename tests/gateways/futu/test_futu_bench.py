"""`benchmarks/bench_futu.py` in quick mode, as a correctness check: both sides turn every push of the same
frames into their object (the counts are asserted inside the benchmark). No timing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("futu", reason="futu-api is part of the test extra")

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_futu.py"


def test_bench_futu_runs_both_sides() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--messages", "200", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "vtcore FutuGateway -> TickData" in done.stdout
    assert "futu-api handlers -> DataFrame/dict" in done.stdout
