"""vtcore's EventEngine beside vn.py's own EventEngine (vnpy 4.5.0), in the same process run.

    pip install --no-deps vnpy==4.5.0        # vnpy.event needs only the standard library
    python benchmarks/bench_event_engine.py  # full run (about a minute)
    python benchmarks/bench_event_engine.py --quick   # small counts: a correctness pass for CI

Sections (each prints both engines and the ratio; medians over --runs):
  a. ticks into a Python handler. vtcore: a C++ TestProducer pushes N ticks, the engine builds one TickData
     per tick and calls a counting handler on "eTick.". vn.py: N bare Event("eTick.") put from the main
     thread into one counting handler (vnpy.md 11.3). Also both engines on vn.py's own put() method, and
     vn.py's on_tick pattern (two events per tick carrying a TickData, a handler on each) on both.
  b. C++ producer -> numpy batch handler (register_tick_batch), ticks/s.
  c. put -> handler latency at 10,000 events/s, p50/p99/p99.9: vn.py's put() from a sleep-paced Python
     thread; vtcore's put() the same way, and a paced C++ TestProducer (the vendor-thread path) into a
     TickData handler, each with the default (adaptive) spin and fixed spins of 50 and 200 us; plus the CPU
     share of each engine thread.
  d. memory per buffered tick: RSS growth while N ticks wait in a producer ring, against vn.py's queue holding
     N events that each carry a vn.py TickData.
Timing runs from the first push/put until the handler has seen the last event. Nothing here is tuned to a
target; the numbers are what this machine gives (2 shared cores: compare ratios, not absolute values).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from vnpy.event import Event as VnEvent
from vnpy.event import EventEngine as VnEngine

from vtcore import _core
from vtcore.event import Event, EventEngine

RESULTS: list[tuple[str, str, str, str]] = []


def report(name: str, vnpy_value: str, vtcore_value: str, ratio: str) -> None:
    RESULTS.append((name, vnpy_value, vtcore_value, ratio))
    print(f"{name:66s} vn.py {vnpy_value:>18s}   vtcore {vtcore_value:>18s}   {ratio}", flush=True)


class Counter:
    """A counting handler that signals when it has seen `target` events."""

    def __init__(self, target: int) -> None:
        self.count = 0
        self.target = target
        self.done = threading.Event()

    def __call__(self, event: Any) -> None:
        self.count += 1
        if self.count == self.target:
            self.done.set()


def stop_quietly(stop: Callable[[], None]) -> None:
    stop()
    gc.collect()


# -- a. ticks into one Python handler --------------------------------------------------------------

def put_bare_events(engine: Any, event_class: Callable[[str], Any], count: int) -> float:
    """Events/s: `count` bare "eTick." events put from this thread into one counting handler."""
    counter = Counter(count)
    engine.register("eTick.", counter)
    engine.start()
    events = [event_class("eTick.") for _ in range(1000)]  # reused objects: only the engine's cost is timed
    start = time.perf_counter()
    put = engine.put
    for i in range(count):
        put(events[i % 1000])
    assert counter.done.wait(120), f"{type(engine).__module__} handled {counter.count} of {count}"
    elapsed = time.perf_counter() - start
    stop_quietly(engine.stop)
    return count / elapsed


def ring_capacity(count: int) -> int:
    capacity = 1
    while capacity < count:
        capacity *= 2
    return capacity


SYMBOLS = ["rb2605", "hc2605", "i2605", "ag2606"]


def vtcore_tick_objects(count: int, spin_us: float | None, per_symbol: bool = False) -> tuple[float, int]:
    """(ticks/s into a per-tick handler that receives TickData, ticks dropped). With `per_symbol`, also a
    handler on every "eTick.<vt_symbol>" (vn.py's on_tick pattern: two events per tick)."""
    engine = EventEngine(interval=1, spin_us=spin_us)
    counter = Counter(count)
    engine.register("eTick.", counter)
    if per_symbol:
        for symbol in SYMBOLS:
            engine.register(f"eTick.{symbol}.SHFE", Counter(count))
    producer = engine.create_producer("bench", "BENCH", capacity=ring_capacity(count))
    test_producer = _core.TestProducer(producer, SYMBOLS, "SHFE")
    engine.start()
    start = time.perf_counter()
    test_producer.start(count)
    assert test_producer.join(120)
    assert test_producer.dropped == 0, "the ring holds the whole run; a drop would falsify the rate"
    assert counter.done.wait(120), f"vtcore handled {counter.count} of {count}"
    elapsed = time.perf_counter() - start
    stop_quietly(engine.stop)
    return count / elapsed, test_producer.dropped


def vnpy_on_tick_pattern(count: int) -> float:
    """vn.py's gateway on_tick: two events per tick ("eTick." and "eTick.<vt_symbol>") carrying a TickData,
    one handler on each; TickData objects are built before timing starts (their cost is not counted)."""
    from vnpy.trader.constant import Exchange as VnExchange  # noqa: PLC0415 (only here and in section d)
    from vnpy.trader.object import TickData as VnTickData  # noqa: PLC0415

    now = datetime.now()
    ticks = [VnTickData(gateway_name="BENCH", symbol=symbol, exchange=VnExchange.SHFE, datetime=now)
             for symbol in SYMBOLS]
    engine = VnEngine(interval=1)
    counter = Counter(count)
    engine.register("eTick.", counter)
    for tick in ticks:
        engine.register("eTick." + tick.vt_symbol, Counter(count))
    engine.start()
    put = engine.put
    start = time.perf_counter()
    for i in range(count):
        tick = ticks[i % len(ticks)]
        put(VnEvent("eTick.", tick))
        put(VnEvent("eTick." + tick.vt_symbol, tick))
    assert counter.done.wait(120), f"vn.py handled {counter.count} of {count}"
    elapsed = time.perf_counter() - start
    stop_quietly(engine.stop)
    return count / elapsed


def section_a(count: int, runs: int) -> None:
    print(f"\n[a] {count:,} ticks/events into one counting Python handler, median of {runs}")
    vn = statistics.median(put_bare_events(VnEngine(interval=1), VnEvent, count) for _ in range(runs))
    ours = statistics.median(vtcore_tick_objects(count, None)[0] for _ in range(runs))
    report("ticks/s: vtcore TickData per tick vs vn.py bare events", f"{vn:,.0f}/s", f"{ours:,.0f}/s",
           f"{ours / vn:.2f}x (target >= 3x)")
    ours_put = statistics.median(put_bare_events(EventEngine(interval=1), Event, count) for _ in range(runs))
    report("events/s: put() from Python, same method for both", f"{vn:,.0f}/s", f"{ours_put:,.0f}/s",
           f"{ours_put / vn:.2f}x")
    vn_pattern = statistics.median(vnpy_on_tick_pattern(count) for _ in range(runs))
    ours_pattern = statistics.median(
        vtcore_tick_objects(count, None, per_symbol=True)[0] for _ in range(runs)
    )
    report("ticks/s: on_tick pattern (2 events/tick, TickData)", f"{vn_pattern:,.0f}/s",
           f"{ours_pattern:,.0f}/s", f"{ours_pattern / vn_pattern:.2f}x")


# -- b. numpy batches ------------------------------------------------------------------------------

class BatchCounter:
    """A numpy batch handler that counts ticks and reads one column (so the view is really used)."""

    def __init__(self, target: int) -> None:
        self.ticks = 0
        self.last_price_sum = 0.0
        self.target = target
        self.done = threading.Event()

    def __call__(self, ticks: Any, gateway_name: str) -> None:
        self.ticks += len(ticks)
        self.last_price_sum += float(ticks["last_price"].sum())
        if self.ticks >= self.target:
            self.done.set()


def vtcore_batches_live(count: int, max_drain: int, ring: int = 65536) -> tuple[float, int]:
    """Producer and engine running together: (ticks/s delivered, ticks dropped)."""
    engine = EventEngine(interval=1, max_drain=max_drain, tick_buffer_capacity=max(65536, max_drain))
    producer = engine.create_producer("bench", "BENCH", capacity=ring)
    test_producer = _core.TestProducer(producer, ["rb2605", "hc2605", "i2605", "ag2606"], "SHFE")
    engine.start()
    counter = BatchCounter(count)
    engine.register_tick_batch(counter)
    start = time.perf_counter()
    test_producer.start(count)
    assert test_producer.join(120)
    pushed = test_producer.pushed
    counter.target = pushed
    if counter.ticks < pushed:
        assert counter.done.wait(60), f"delivered {counter.ticks} of {pushed}"
    elapsed = time.perf_counter() - start
    stop_quietly(engine.stop)
    return pushed / elapsed, test_producer.dropped


def vtcore_batches_backlog(count: int, max_drain: int) -> float:
    """The consumer side alone: `count` ticks wait in the ring, then the engine starts; ticks/s delivered."""
    engine = EventEngine(interval=1, max_drain=max_drain, tick_buffer_capacity=max(65536, max_drain))
    producer = engine.create_producer("bench", "BENCH", capacity=count)
    test_producer = _core.TestProducer(producer, ["rb2605", "hc2605", "i2605", "ag2606"], "SHFE")
    test_producer.start(count)
    assert test_producer.join(120) and test_producer.pushed == count
    counter = BatchCounter(count)
    engine.register_tick_batch(counter)
    start = time.perf_counter()
    engine.start()
    assert counter.done.wait(60), f"delivered {counter.ticks} of {count}"
    elapsed = time.perf_counter() - start
    stop_quietly(engine.stop)
    return count / elapsed


def producer_alone(count: int) -> float:
    """How fast the C++ TestProducer generates and pushes ticks with no consumer (ring large enough)."""
    hub = _core.EventHub(65536, 50.0)
    producer = hub.add_producer("bench", ring_capacity(count))
    test_producer = _core.TestProducer(producer, ["rb2605", "hc2605", "i2605", "ag2606"], "SHFE")
    start = time.perf_counter()
    test_producer.start(count)
    assert test_producer.join(120)
    return count / (time.perf_counter() - start)


def section_b(count: int, backlog: int, runs: int) -> None:
    print(f"\n[b] C++ TestProducer -> numpy batch handler, median of {runs}")
    alone = statistics.median(producer_alone(backlog) for _ in range(runs))
    for ring in (65536, 1 << 20):
        live = [vtcore_batches_live(count, 65536, ring) for _ in range(runs)]
        rate = statistics.median(r[0] for r in live)
        dropped = max(r[1] for r in live)
        report(f"ticks/s delivered, producer and engine together, ring {ring:,}", "n/a", f"{rate:,.0f}/s",
               f"target >= 10M/s; dropped up to {dropped:,} of {count:,}; producer alone {alone:,.0f}/s")
    drained = statistics.median(vtcore_batches_backlog(backlog, 65536) for _ in range(runs))
    report(f"ticks/s, engine draining a {backlog:,}-tick backlog", "n/a", f"{drained:,.0f}/s",
           "consumer side alone (target >= 10M/s)")


# -- c. latency ------------------------------------------------------------------------------------

CPU_SHARE: dict[str, list[float]] = {}  # contender -> engine thread's CPU time / wall time, per run


def thread_cpu_seconds(thread: threading.Thread | None) -> float:
    """User + system CPU time of `thread` so far (from /proc; 0 where that is not available)."""
    native_id = getattr(thread, "native_id", None)
    try:
        with open(f"/proc/self/task/{native_id}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class EngineCpu:
    """Measures the CPU share of an engine's dispatch thread over a `with` block."""

    def __init__(self, key: str, thread: threading.Thread | None) -> None:
        self.key, self.thread = key, thread

    def __enter__(self) -> None:
        self.cpu, self.wall = thread_cpu_seconds(self.thread), time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.wall
        CPU_SHARE.setdefault(self.key, []).append((thread_cpu_seconds(self.thread) - self.cpu) / wall)


def paced_latency(put: Callable[[Any], None], make_event: Callable[[int], Any], received: list[int],
                  count: int, rate: float) -> tuple[list[int], float]:
    period = 1.0 / rate
    start = time.perf_counter()
    for i in range(count):
        due = start + i * period
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        put(make_event(time.perf_counter_ns()))
    achieved = count / (time.perf_counter() - start)
    deadline = time.monotonic() + 30
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.001)
    return received, achieved


def vnpy_latency(count: int, rate: float) -> tuple[list[int], float]:
    engine = VnEngine(interval=1)
    latencies: list[int] = []
    engine.register("eLat", lambda event: latencies.append(time.perf_counter_ns() - event.data))
    engine.start()
    time.sleep(0.05)
    with EngineCpu("vnpy", engine._thread):
        result = paced_latency(engine.put, lambda t: VnEvent("eLat", t), latencies, count, rate)
    stop_quietly(engine.stop)
    return result


def spin_key(spin_us: float | None) -> str:
    return "adaptive" if spin_us is None else f"{spin_us:g}"


def spin_label(spin_us: float | None) -> str:
    return "default spin (adaptive)" if spin_us is None else f"spin_us={spin_us:g}"


def vtcore_latency(count: int, rate: float, spin_us: float | None) -> tuple[list[int], float]:
    engine = EventEngine(interval=1, spin_us=spin_us)
    latencies: list[int] = []
    engine.register("eLat", lambda event: latencies.append(time.perf_counter_ns() - event.data))
    engine.start()
    time.sleep(0.05)
    with EngineCpu(f"put-{spin_key(spin_us)}", engine._thread):
        result = paced_latency(engine.put, lambda t: Event("eLat", t), latencies, count, rate)
    stop_quietly(engine.stop)
    return result


def vtcore_producer_latency(count: int, rate: float, spin_us: float | None) -> tuple[list[int], float]:
    """The C++ path: a TestProducer thread (standing in for the vendor SDK's callback thread) pushes ticks
    paced at `rate`, stamping `localtime` with CLOCK_REALTIME just before the push; the handler receives a
    TickData and records time.time_ns() (the same clock) minus that stamp."""
    engine = EventEngine(interval=1, spin_us=spin_us)
    latencies: list[int] = []
    now_ns = time.time_ns
    warmed = threading.Event()
    warm_up_seen = [0]

    def on_tick(event: Any) -> None:
        if warmed.is_set():
            latencies.append(now_ns() - event.data.localtime_ns)
        else:
            warm_up_seen[0] += 1

    engine.register("eTick.", on_tick)
    producer = engine.create_producer("bench", "BENCH", capacity=4096)  # 10k/s paced never fills it
    test_producer = _core.TestProducer(producer, SYMBOLS, "SHFE")
    engine.start()
    # Warm-up, as in a process that has been running: one pass over the ring and the 65,536-slot tick buffer
    # touches their pages (a first touch costs a page fault, tens of µs on a VM, on the measured path).
    test_producer.start(1 << 17, rate=1e6)
    assert test_producer.join(120)
    deadline = time.monotonic() + 30
    while warm_up_seen[0] < test_producer.pushed and time.monotonic() < deadline:
        time.sleep(0.01)
    warmed.set()
    start = time.perf_counter()
    with EngineCpu(f"cpp-{spin_key(spin_us)}", engine._thread):
        test_producer.start(count, rate=rate)
        assert test_producer.join(120) and test_producer.dropped == 0
    achieved = count / (time.perf_counter() - start)
    deadline = time.monotonic() + 30
    while len(latencies) < count and time.monotonic() < deadline:
        time.sleep(0.001)
    stop_quietly(engine.stop)
    return latencies, achieved


def percentile(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000.0  # microseconds


QUANTILES = (("p50", 0.50), ("p99", 0.99), ("p99.9", 0.999))


def section_c(count: int, rate: float, spins: list[float | None], runs: int) -> None:
    """Runs are interleaved (vn.py, then vtcore at each spin) so machine load hits all alike."""
    print(f"\n[c] put -> handler latency, {count:,} events sleep-paced at {rate:,.0f}/s, "
          f"median over {runs} interleaved runs of each percentile")
    samples: dict[str, list[dict[str, float]]] = {}
    rates: dict[str, list[float]] = {}
    for _ in range(runs):
        contenders: list[tuple[str, Callable[[], tuple[list[int], float]]]] = [
            ("vnpy", lambda: vnpy_latency(count, rate))]
        contenders += [(f"put-{spin_key(spin)}", lambda spin=spin: vtcore_latency(count, rate, spin))
                       for spin in spins]
        contenders += [(f"cpp-{spin_key(spin)}", lambda spin=spin: vtcore_producer_latency(count, rate, spin))
                       for spin in spins]
        for key, run in contenders:
            latencies, achieved = run()
            assert len(latencies) == count, f"{key}: received {len(latencies)} of {count}"
            samples.setdefault(key, []).append({name: percentile(latencies, q) for name, q in QUANTILES})
            rates.setdefault(key, []).append(achieved)

    def median_of(key: str, name: str) -> float:
        return statistics.median(sample[name] for sample in samples[key])

    rows = [(f"cpp-{spin_key(spin)}", f"C++ producer -> TickData, {spin_label(spin)}") for spin in spins]
    rows += [(f"put-{spin_key(spin)}", f"Python put() -> handler, {spin_label(spin)}") for spin in spins]
    for key, label in rows:
        for name, _ in QUANTILES:
            a, b = median_of("vnpy", name), median_of(key, name)
            spread = ", ".join(f"{sample[name]:.1f}" for sample in samples[key])
            report(f"latency {name} (us), {label}", f"{a:.1f}", f"{b:.1f}",
                   f"{b / a:.2f} of vn.py (target <= 0.33); vtcore runs: {spread}")
    print("    vn.py runs: " + "; ".join(
        ", ".join(f"{name} {sample[name]:.1f}" for name, _ in QUANTILES) for sample in samples["vnpy"]))
    print("    achieved send rates (/s): " + "; ".join(
        f"{key} {min(values):,.0f}-{max(values):,.0f}" for key, values in rates.items()))
    print("    engine thread CPU while paced (share of one core, median): " + "; ".join(
        f"{key} {statistics.median(values):.0%}" for key, values in CPU_SHARE.items()))


# -- d. memory -------------------------------------------------------------------------------------

def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def vtcore_memory(count: int) -> float:
    gc.collect()
    engine = EventEngine(interval=1)  # not started: ticks stay buffered in the producer's ring
    before = rss_bytes()
    producer = engine.create_producer("bench", "BENCH", capacity=count)
    test_producer = _core.TestProducer(producer, ["rb2605", "hc2605"], "SHFE")
    test_producer.start(count)
    assert test_producer.join(120)
    assert test_producer.pushed == count
    after = rss_bytes()
    engine.remove_producer(producer)
    del producer, test_producer, engine
    gc.collect()
    return (after - before) / count


def vnpy_memory(count: int) -> float:
    from vnpy.trader.constant import Exchange as VnExchange  # noqa: PLC0415 (only this section needs it)
    from vnpy.trader.object import TickData as VnTickData  # noqa: PLC0415

    gc.collect()
    engine = VnEngine(interval=1)  # not started: events stay in its queue
    before = rss_bytes()
    now = datetime.now()
    for i in range(count):
        tick = VnTickData(gateway_name="BENCH", symbol="rb2605", exchange=VnExchange.SHFE, datetime=now,
                          volume=float(i), last_price=3500.0 + i, bid_price_1=3499.0, ask_price_1=3501.0)
        engine.put(VnEvent("eTick.", tick))
    after = rss_bytes()
    del engine
    gc.collect()
    return (after - before) / count


def section_d(count: int) -> None:
    print(f"\n[d] memory per buffered tick, {count:,} ticks waiting")
    ours = vtcore_memory(count)
    vn = vnpy_memory(count)
    report("bytes per buffered tick (RSS growth / ticks)", f"{vn:,.0f} B", f"{ours:,.0f} B",
           f"{ours / vn:.2f} of vn.py (target <= 256 B; TickRecord is {_core.TICK_RECORD_SIZE} B)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small counts, one run: correctness only")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sections", default="abcd", help="which sections to run, e.g. 'bc' (default: abcd)")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    if args.quick:
        ticks, batch_ticks, latency_events, memory_ticks = 20_000, 200_000, 1_000, 65_536
    else:
        ticks, batch_ticks, latency_events, memory_ticks = 500_000, 5_000_000, 20_000, 1 << 18
    load = os.getloadavg()
    print(f"vtcore vs vn.py EventEngine; {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f}; "
          f"{'quick' if args.quick else 'full'} run")
    if "a" in args.sections:
        section_a(ticks, runs)
    if "b" in args.sections:
        section_b(batch_ticks, memory_ticks, runs)
    if "c" in args.sections:
        section_c(latency_events, 10_000.0, [None, 50.0, 200.0], runs)
    if "d" in args.sections:
        section_d(memory_ticks)
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f}")


if __name__ == "__main__":
    main()
