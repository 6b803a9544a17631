"""What a wake-up costs on this machine: the same small work right after sleeps of 0 to 1,000 ms, and an idle
engine's CPU per wake-up, vtcore's EventEngine beside vn.py's (vnpy 4.5.0) in the same run.

    pip install --no-deps vnpy==4.5.0        # vnpy.event needs only the standard library
    python benchmarks/bench_cold_wake.py [--repeat N] [--idle S]

1. The machine: one thread sleeps `gap` (0, 1, 10, 100, 1,000 ms) and then runs a fixed piece of work: a
   200-step Python loop, and a `stats()` call of a vtcore event hub (a few dict and str objects built in
   C++). Each is timed in the thread's CPU time; the median of `--repeat` tries per gap is printed.
2. The engines, idle (no events, a 1 s timer, the handlers empty) for `--idle` seconds: the engine thread's
   CPU share (and the process's: vn.py's timer runs on a thread of its own), its wake-ups (vn.py's: one per
   timer event, which its timer thread puts every second; vtcore's: its waits that parked) and the CPU each
   wake-up cost.

Idle CPU is a wake-up count times a wake-up's cost, and on a VM whose idle vCPU halts (this one) that cost is
set by how long the thread slept: part 1 says by how much, part 2 that both engines pay it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vnpy.event import EventEngine as VnEngine

from vtcore.event import EventEngine

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _measure import idle_cpu  # noqa: E402

GAPS_MS = (0, 1, 10, 100, 1000)


def python_loop() -> None:
    total = 0
    for step in range(200):
        total += step * step


def after_sleep(work: Callable[[], None], gap_ms: int, repeat: int) -> float:
    """Median thread CPU time (µs) of `work` run right after sleeping `gap_ms`."""
    costs = []
    for _ in range(repeat):
        time.sleep(gap_ms / 1000)
        started = time.thread_time_ns()
        work()
        costs.append((time.thread_time_ns() - started) / 1000)
    return statistics.median(costs)


def idle_engine(make: Callable[[], Any], native_id: Callable[[Any], int], wakes: Callable[[Any], int],
                seconds: float) -> dict[str, float]:  # fmt: skip
    engine = make()
    engine.start()
    time.sleep(1.5)  # past its first timer event: the thread runs, the handlers were looked up
    try:
        return idle_cpu(native_id(engine), seconds, lambda: wakes(engine))
    finally:
        engine.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="tries per gap in part 1")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds each engine idles in part 2")
    args = parser.parse_args()
    print("load average before: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))

    hub_owner = EventEngine(interval=1.0)  # not started: its hub only
    hub_owner.create_producer("bench", "BENCH")
    hub = hub_owner.hub
    print("\n1. the same work right after a sleep, thread CPU µs (median of", args.repeat, "tries)")
    print(f"   {'sleep':>8} {'200-step Python loop':>22} {'hub.stats()':>12}")
    for gap in GAPS_MS:
        loop = after_sleep(python_loop, gap, args.repeat)
        stats = after_sleep(hub.stats, gap, args.repeat)
        print(f"   {gap:>6} ms {loop:>22.1f} {stats:>12.1f}")

    print(f"\n2. idle engines, {args.idle:g} s, no events, 1 s timer: engine thread / process CPU, wake-ups")
    timer_events: dict[int, int] = {}

    def make_vnpy() -> Any:
        engine = VnEngine(interval=1)
        key = id(engine)
        timer_events[key] = 0

        def count(_event: Any) -> None:
            timer_events[key] += 1

        engine.register("eTimer", count)
        return engine

    rows: list[tuple[str, dict[str, float]]] = [
        (
            "vn.py EventEngine",
            idle_engine(make_vnpy, lambda e: e._thread.native_id, lambda e: timer_events[id(e)], args.idle),
        )
    ]
    for profile in ("balanced", "efficient"):
        rows.append(
            (
                f"vtcore EventEngine ({profile})",
                idle_engine(
                    lambda profile=profile: EventEngine(interval=1.0, profile=profile),
                    lambda e: e.thread_id,
                    lambda e: e.wait_stats()["parks"],
                    args.idle,
                ),
            )
        )
    for name, row in rows:
        print(
            f"   {name:<32} {row['share']:6.2%} / {row['process']:6.2%}  {row['wakes']:4.0f} wake-ups, "
            f"{row['per_wake_us']:6.0f} µs of the engine thread's CPU each"
        )
    print("\nload average after: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
