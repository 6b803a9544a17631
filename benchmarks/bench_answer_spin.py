"""What `balanced`'s spin for an SDK request's answer buys on the order round trip, beside vn.py's raw `TdApi`
in the same run.

    python benchmarks/bench_answer_spin.py [--sdk ctp|mini] [--orders N] [--rounds N]

The same vtcore build with the profile's answer spin (`balanced`: 200 µs after each request) and without
it (`EventEngine(answer_spin_us=0)`: the engine parks after its usual 2-50 µs spin), each order sent from the
main thread and from the handler that saw the previous one's update; vn.py's raw `TdApi` sent the same two
ways (bench_order_roundtrip.py's workers: a fresh process per round and system, the systems alternating so
that the machine's drift falls on all alike). Prints p50 and p99 per system and the ratios.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_order_roundtrip  # noqa: E402
from bench_tick_path import percentiles  # noqa: E402

#: label -> the worker spec's additions (system, sender, answer spin)
SYSTEMS: dict[str, dict[str, Any]] = {
    "vtcore, main thread": {"system": "vtcore"},
    "vtcore without answer spin, main thread": {"system": "vtcore", "answer_spin_us": 0.0},
    "vn.py raw TdApi, main thread": {"system": "vnpy"},
    "vtcore, from the handler": {"system": "vtcore", "sender": "handler"},
    "vtcore without answer spin, from the handler": {
        "system": "vtcore",
        "sender": "handler",
        "answer_spin_us": 0.0,
    },
    "vn.py raw TdApi, from its callback": {"system": "vnpy", "sender": "handler"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdk", choices=("ctp", "mini"), default="ctp")
    parser.add_argument("--orders", type=int, default=1000, help="orders per system, over all rounds")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds the orders are split into")
    parser.add_argument("--warmup", type=int, default=10, help="orders per round and system not counted")
    args = parser.parse_args()
    print("load average before: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    samples: dict[str, list[int]] = {label: [] for label in SYSTEMS}
    for _ in range(args.rounds):
        for label, extra in SYSTEMS.items():
            spec = {"count": args.orders // args.rounds, "sdk": args.sdk, "warmup": args.warmup, **extra}
            samples[label] += bench_order_roundtrip.run_worker(spec)["samples_ns"]
    latency = {label: percentiles(values) for label, values in samples.items()}
    for label, figures in latency.items():
        print(f"{args.sdk} {label:<46} {figures['samples']:>5} orders, p50 {figures['p50_us']:>7.1f} us, "
              f"p99 {figures['p99_us']:>7.1f} us")  # fmt: skip
    for sender, raw in (("main thread", "vn.py raw TdApi, main thread"),
                        ("from the handler", "vn.py raw TdApi, from its callback")):  # fmt: skip
        with_spin, without = latency[f"vtcore, {sender}"], latency[f"vtcore without answer spin, {sender}"]
        for key in ("p50_us", "p99_us"):
            print(
                f"{args.sdk} {sender}, {key[:3]}: without / with the answer spin "
                f"{without[key] / with_spin[key]:.2f}x; vn.py raw / vtcore with it "
                f"{latency[raw][key] / with_spin[key]:.2f}x, "
                f"without it {latency[raw][key] / without[key]:.2f}x"
            )
    print("load average after: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
