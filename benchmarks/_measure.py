"""What more than one benchmark measures the same way: a thread's CPU time, an idle engine's CPU, the
CPU-bound competitor of contended runs, the commit a run measured, and the header of a results file
(benchmarks/report.py renders them)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# Pins itself to the CPU given as its first argument and spins there until killed, or until the process
# named by its second argument is gone (a benchmark killed mid-run must not leave a core busy behind it).
COMPETITOR = (
    "import os, sys\n"
    "os.sched_setaffinity(0, {int(sys.argv[1])})\n"
    "parent = int(sys.argv[2])\n"
    "while os.getppid() == parent:\n"
    "    for _ in range(200_000):\n"
    "        pass\n"
)


def thread_cpu_ns(native_id: int | None) -> int:
    """CPU time of one thread of this process so far (its schedstat: ns on a CPU); 0 where unavailable."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat", encoding="ascii") as stat:
            return int(stat.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def idle_cpu(
    native_id: int | None, seconds: float, wakes: Callable[[], int] | None = None
) -> dict[str, float]:
    """A started engine left alone for `seconds` (this thread sleeps): the wall time (`seconds`), its
    thread's CPU share of one core (`share`), the whole process's (`process`: other threads too, e.g. vn.py's
    timer thread) and, given a `wakes` counter, its wake-ups and the engine thread's CPU per wake-up in µs."""
    cpu, process, wall = thread_cpu_ns(native_id), time.process_time_ns(), time.perf_counter_ns()
    woke = wakes() if wakes is not None else 0
    time.sleep(seconds)
    wall = time.perf_counter_ns() - wall
    cpu, process = thread_cpu_ns(native_id) - cpu, time.process_time_ns() - process
    figures = {"seconds": wall / 1e9, "share": cpu / wall, "process": process / wall}
    if wakes is not None:
        woke = wakes() - woke
        figures.update(wakes=woke, per_wake_us=cpu / max(woke, 1) / 1000)
    return figures


@contextlib.contextmanager
def competitor(active: bool) -> Iterator[subprocess.Popen[bytes] | None]:
    """A CPU-bound process pinned to the first CPU (one busy core out of two), for contended runs; the
    process, None when not `active`."""
    if not active:
        yield None
        return
    cpu = str(min(os.sched_getaffinity(0)))
    process = subprocess.Popen([sys.executable, "-c", COMPETITOR, cpu, str(os.getpid())])
    try:
        time.sleep(0.3)  # running and spinning before the measured events start
        yield process
    finally:
        process.kill()
        process.wait()


def git_commit() -> str:
    """HEAD's short hash, plus "+uncommitted changes" when the measured code differs from it."""
    commit = subprocess.run(
        ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    measured = ("cpp", "python", "benchmarks")
    dirty = subprocess.run(
        ["git", "-C", str(HERE.parent), "status", "--porcelain", "--untracked-files=no", "--", *measured],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return commit + ("+uncommitted changes" if commit and dirty else "")


class ResultsFile:
    """The header every results file shares (the command, when, how long, the machine, its load, the commit);
    created when the run starts, written with the run's own figures at its end."""

    def __init__(self, benchmark: str) -> None:
        self.benchmark = benchmark
        self.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.clock = time.monotonic()
        self.load_start = list(os.getloadavg())

    def write(self, path: Path, figures: dict[str, Any]) -> None:
        data = {
            "benchmark": self.benchmark,
            "command": " ".join(["python", f"benchmarks/{self.benchmark}", *sys.argv[1:]]),
            "started": self.started,
            "duration_s": time.monotonic() - self.clock,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "os": platform.platform(),
                "load_average_start": self.load_start,
                "load_average_end": list(os.getloadavg()),
                "vtcore_commit": git_commit(),
            },
            **figures,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"written: {path}")
