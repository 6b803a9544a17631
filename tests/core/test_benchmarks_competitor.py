"""The contended benchmarks' CPU-bound competitor (benchmarks/_measure.py) does not outlive its benchmark: a
run killed mid-way (no `finally` runs) must not leave a core spinning under everything measured after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

# A benchmark that starts the competitor, says its pid, and dies at once without cleaning up.
KILLED_BENCHMARK = f"""
import os, sys
sys.path.insert(0, {str(BENCHMARKS)!r})
from _measure import competitor
with competitor(True) as process:
    print(process.pid, flush=True)
    os._exit(0)
"""


def _running(pid: int) -> bool:
    """Whether `pid` runs (an exited process whose parent has not reaped it yet is a zombie: not running)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "")
    return state not in ("Z", "X")


def test_the_competitor_ends_when_its_benchmark_is_killed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_BENCHMARK], capture_output=True, text=True, timeout=60, check=True
    )
    pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    try:
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _running(pid), "the competitor kept spinning after its benchmark died"
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
