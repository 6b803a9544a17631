"""vtcore's EventEngine beside vn.py's own EventEngine (vnpy 4.5.0), in the same process run.

    pip install --no-deps vnpy==4.5.0        # vnpy.event needs only the standard library
    python benchmarks/bench_event_engine.py --json benchmarks/results/event_engine.json   # full run, ~10 min
    python benchmarks/bench_event_engine.py --quick   # small counts: a correctness pass for CI
    python benchmarks/bench_event_engine.py --sections c   # one section

Sections (each prints both engines and the ratio; medians over --runs):
  a. ticks into a Python handler. vtcore: a C++ TestProducer pushes N ticks, the engine builds one TickData
     per tick and calls a counting handler on "eTick.". vn.py: N bare Event("eTick.") put from the main
     thread into one counting handler (vnpy.md 11.3). Also both engines on vn.py's own put() method, and
     vn.py's on_tick pattern (two events per tick carrying a TickData, a handler on each) on both.
  b. C++ producer -> numpy batch handler (register_tick_batch), ticks/s.
  c. latency per engine profile, each feed (100/s, 1,000/s in two bursts a second, 10,000/s, 100,000/s) quiet
     and beside a CPU-bound process pinned to the first CPU: vn.py's put() from a sleep-paced Python thread;
     vtcore's put() the same way, and a C++ TestProducer (the vendor-thread path) into a TickData handler;
     p50/p99/p99.9/max and the engine thread's CPU share; then each engine idle for --idle seconds.
  d. memory per buffered tick: RSS growth while N ticks wait in a producer ring, against vn.py's queue holding
     N events that each carry a vn.py TickData.
Timing runs from the first push/put until the handler has seen the last event. Nothing here is tuned to a
target; the numbers are what this machine gives (2 shared cores: compare ratios, not absolute values).
`--json` writes every figure (and the machine, its load and the commit) for benchmarks/report.py, which
renders benchmarks/README.md's tables from it.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sized
from datetime import datetime
from pathlib import Path
from typing import Any

from vnpy.event import Event as VnEvent
from vnpy.event import EventEngine as VnEngine

from vtcore import _core
from vtcore.event import Event, EventEngine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import ResultsFile, competitor, idle_cpu, thread_cpu_ns

#: Every figure printed, for --json: section, name, unit, vn.py's value, vtcore's, ratio (how many times
#: better vtcore is), the target ratio or value and whether it was met, and a note.
RESULTS: list[dict[str, Any]] = []
#: Section c's runs and the idle runs, one dict each (see section_c).
LATENCY: list[dict[str, Any]] = []
IDLE: list[dict[str, Any]] = []
PUT_TRACES: list[dict[str, Any]] = []


def report(
    section: str,
    name: str,
    unit: str,
    vnpy_value: float | None,
    vtcore_value: float | None,
    *,
    better: str = "higher",
    target: float | None = None,
    target_value: float | None = None,
    note: str = "",
) -> None:
    ratio = None
    if vnpy_value and vtcore_value:
        ratio = vtcore_value / vnpy_value if better == "higher" else vnpy_value / vtcore_value
    met = None
    if target is not None and ratio is not None:
        met = ratio >= target
    if target_value is not None and vtcore_value is not None:
        met = vtcore_value >= target_value if better == "higher" else vtcore_value <= target_value
    RESULTS.append(
        {
            "section": section,
            "name": name,
            "unit": unit,
            "vnpy": vnpy_value,
            "vtcore": vtcore_value,
            "better": better,
            "ratio": ratio,
            "target_ratio": target,
            "target_value": target_value,
            "met": met,
            "note": note,
        }
    )

    def shown(value: float | None) -> str:
        return (
            "n/a" if value is None else f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.2f} {unit}"
        )

    tail = "" if ratio is None else f"{ratio:.2f}x"
    if met is not None:
        tail += f" (target {'met' if met else 'MISSED'})"
    print(
        f"{name:66s} vn.py {shown(vnpy_value):>18s}   vtcore {shown(vtcore_value):>18s}   {tail} {note}",
        flush=True,
    )


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
    ticks = [
        VnTickData(gateway_name="BENCH", symbol=symbol, exchange=VnExchange.SHFE, datetime=now)
        for symbol in SYMBOLS
    ]
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
    report(
        "a",
        "ticks into a Python handler, one TickData per tick (vn.py: bare events)",
        "/s",
        vn,
        ours,
        target=3.0,
    )
    ours_put = statistics.median(put_bare_events(EventEngine(interval=1), Event, count) for _ in range(runs))
    report("a", "events through put() from Python, the same loop for both", "/s", vn, ours_put)
    vn_pattern = statistics.median(vnpy_on_tick_pattern(count) for _ in range(runs))
    ours_pattern = statistics.median(
        vtcore_tick_objects(count, None, per_symbol=True)[0] for _ in range(runs)
    )
    report(
        "a",
        "vn.py's on_tick pattern: 2 events per tick carrying a TickData, a handler on each",
        "/s",
        vn_pattern,
        ours_pattern,
    )


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
        report(
            "b",
            f"ticks into a numpy batch handler, producer running, ring {ring:,}",
            "/s",
            None,
            rate,
            target_value=10e6,
            note=f"dropped up to {dropped:,} of {count:,} (counted); the producer alone "
            f"pushes {alone:,.0f}/s",
        )
    drained = statistics.median(vtcore_batches_backlog(backlog, 65536) for _ in range(runs))
    report(
        "b",
        f"the same, draining a {backlog:,}-tick backlog (consumer side alone)",
        "/s",
        None,
        drained,
        target_value=10e6,
    )


# -- c. latency ------------------------------------------------------------------------------------

PROFILES = ("latency", "balanced", "efficient")
#: put() -> handler p99 must be at most this share of vn.py's, in these profiles (issue 20).
PUT_P99_TARGET = (1 / 3, ("latency", "balanced"))


class EngineCpu:
    """The CPU share of an engine's dispatch thread over a `with` block (`share` afterwards)."""

    def __init__(self, native_id: int | None) -> None:
        self.native_id = native_id
        self.share = 0.0

    def __enter__(self) -> EngineCpu:
        self.cpu, self.wall = thread_cpu_ns(self.native_id), time.perf_counter_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = max(time.perf_counter_ns() - self.wall, 1)
        self.share = (thread_cpu_ns(self.native_id) - self.cpu) / wall


def feed(load: dict[str, Any], send: Callable[[], None], send_burst: Callable[[int], None]) -> float:
    """Sends the load's events: paced at `rate` (sleeping between sends, as a vendor thread idles between
    ticks) or in bursts of `burst` every `interval` s. Returns the achieved rate (events/s)."""
    start = time.perf_counter()
    if "burst" in load:
        for i in range(load["bursts"]):
            due = start + i * load["interval"]
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            send_burst(load["burst"])
        count = load["burst"] * load["bursts"]
    else:
        count, period = load["count"], 1.0 / load["rate"]
        for i in range(count):
            due = start + i * period
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            send()
    return count / (time.perf_counter() - start)


def expected(load: dict[str, Any]) -> int:
    return int(load["burst"] * load["bursts"]) if "burst" in load else int(load["count"])


def wait_for(latencies: Sized, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(latencies) < count and time.monotonic() < deadline:
        time.sleep(0.001)


def put_run(
    engine: Any,
    make_event: Callable[[int], Any],
    native_id: int | None,
    latencies: list[int],
    load: dict[str, Any],
) -> tuple[float, float]:
    """vn.py's or vtcore's put() from this thread; latency = perf_counter_ns at handler entry minus just
    before put. Returns (achieved rate, engine thread CPU share)."""
    put, clock = engine.put, time.perf_counter_ns

    def burst(n: int) -> None:
        for _ in range(n):
            put(make_event(clock()))

    with EngineCpu(native_id) as cpu:
        rate = feed(load, lambda: put(make_event(clock())), burst)
        wait_for(latencies, expected(load))
    return rate, cpu.share


def vnpy_put_latency(load: dict[str, Any]) -> dict[str, Any]:
    engine = VnEngine(interval=1)
    latencies: list[int] = []
    engine.register("eLat", lambda event: latencies.append(time.perf_counter_ns() - event.data))
    engine.start()
    time.sleep(0.05)
    rate, cpu = put_run(engine, lambda t: VnEvent("eLat", t), engine._thread.native_id, latencies, load)
    stop_quietly(engine.stop)
    return {"latencies": latencies, "rate": rate, "cpu": cpu}


def vtcore_put_latency(load: dict[str, Any], profile: str) -> dict[str, Any]:
    engine = EventEngine(interval=1, profile=profile, cpu=-1)
    latencies: list[int] = []
    engine.register("eLat", lambda event: latencies.append(time.perf_counter_ns() - event.data))
    engine.start()
    time.sleep(0.05)
    rate, cpu = put_run(engine, lambda t: Event("eLat", t), engine.thread_id, latencies, load)
    stats = engine.wait_stats()
    stop_quietly(engine.stop)
    return {"latencies": latencies, "rate": rate, "cpu": cpu, "wait_stats": stats}


def vtcore_producer_latency(load: dict[str, Any], profile: str, pin: bool) -> dict[str, Any]:
    """The C++ path: a TestProducer thread (standing in for the vendor SDK's callback thread) pushes ticks,
    stamping `localtime` with CLOCK_REALTIME just before each push; the handler receives a TickData and
    records time.time_ns() (the same clock) minus that stamp. With `pin`, the engine thread has the last CPU
    to itself (the other threads of the process are kept off it: an isolated core)."""
    cpus = os.sched_getaffinity(0)
    engine_cpu = max(cpus)
    if pin:
        os.sched_setaffinity(0, cpus - {engine_cpu})  # threads created from here on inherit it
    try:
        engine = EventEngine(interval=1, profile=profile, cpu=engine_cpu if pin else -1)
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
        producer = engine.create_producer("bench", "BENCH", capacity=1 << 17)
        test_producer = _core.TestProducer(producer, SYMBOLS, "SHFE")
        engine.start()
        # Warm-up, as in a process that has been running: one pass over the ring and the 65,536-slot tick
        # buffer touches their pages (a first touch costs a page fault, tens of µs on a VM, on the measured
        # path).
        test_producer.start(1 << 17, rate=1e6)
        assert test_producer.join(120)
        deadline = time.monotonic() + 30
        while warm_up_seen[0] < test_producer.pushed and time.monotonic() < deadline:
            time.sleep(0.01)
        warmed.set()
        stats_before = engine.wait_stats()

        def paced() -> None:  # the whole paced run from the producer's own thread (C++ pacing)
            test_producer.start(load["count"], rate=load["rate"])
            assert test_producer.join(300)

        def burst(n: int) -> None:
            test_producer.start(n, rate=0.0)
            assert test_producer.join(60)

        with EngineCpu(engine.thread_id) as cpu:
            if "burst" in load:
                rate = feed(load, paced, burst)
            else:
                started = time.perf_counter()
                paced()
                rate = load["count"] / (time.perf_counter() - started)
            wait_for(latencies, expected(load))
        dropped = engine.dropped_ticks
        stats_after = engine.wait_stats()
        stop_quietly(engine.stop)
    finally:
        if pin:
            os.sched_setaffinity(0, cpus)
    return {
        "latencies": latencies,
        "rate": rate,
        "cpu": cpu.share,
        "dropped": dropped,
        "wait_stats": {key: stats_after[key] - stats_before.get(key, 0) for key in stats_after},
    }


def percentile(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000.0  # microseconds


QUANTILES = (("p50", 0.50), ("p99", 0.99), ("p99.9", 0.999), ("max", 1.0))


def summary(latencies: list[int]) -> dict[str, float]:
    skip = len(latencies) // 20  # the first 5 %: the feed settling
    kept = latencies[skip:] or latencies
    out = {name: percentile(kept, q) for name, q in QUANTILES}
    out["samples"] = len(kept)
    return out


#: Where a put()'s time goes (`put_trace`): these feeds, quiet, in the profiles the put() target names
TRACED_PUT_LOADS = ("100/s", "10,000/s")
#: the stages of a traced put(): (name, from stamp, to stamp); stamps: call, woken, resumed, handled
PUT_STAGES = (
    ("call -> the engine's wait saw it", 0, 1),
    ("-> the engine thread held the GIL", 1, 2),
    ("-> handler entry", 2, 3),
    ("call -> handler entry", 0, 3),
)


def put_trace(load: dict[str, Any], profile: str) -> dict[str, Any]:
    """vtcore's put() from a sleep-paced thread, as in `vtcore_put_latency`, with the engine's own timestamps
    read at handler entry (all CLOCK_REALTIME): the call; the engine's wait() saw the put
    (EventHub.last_woken_ns: a look for a spinning or polling engine, a futex wake-up and a scheduling for a
    parked one); the engine thread held the GIL again (last_resumed_ns: the putting thread lets go of it
    when put() hands it over or when it goes back to sleep); the handler. An event that the engine found
    without a wait of its own (queued while it was dispatching) counts in the last stage only."""
    engine = EventEngine(interval=1, profile=profile, cpu=-1)
    hub, now = engine.hub, time.time_ns
    stamps: list[tuple[int, int, int, int]] = []
    engine.register(
        "eLat", lambda event: stamps.append((event.data, hub.last_woken_ns, hub.last_resumed_ns, now()))
    )
    engine.start()
    time.sleep(0.05)
    put = engine.put

    def burst(n: int) -> None:
        for _ in range(n):
            put(Event("eLat", now()))

    feed(load, lambda: put(Event("eLat", now())), burst)
    wait_for(stamps, expected(load))
    stop_quietly(engine.stop)
    kept = stamps[len(stamps) // 20 :]  # the first 5 %: the feed settling
    waited = [row for row in kept if row[0] <= row[1] <= row[2] <= row[3]]
    stages: dict[str, dict[str, float | None]] = {}
    for name, start, end in PUT_STAGES:
        values = [row[end] - row[start] for row in (kept if (start, end) == (0, 3) else waited)]
        stages[name] = dict(summary(values)) if values else dict.fromkeys(("p50", "p99", "p99.9", "max"))
    return {"events": len(kept), "with_a_wait": len(waited), "stages": stages}


def section_c_traces() -> None:
    """Where a Python put()'s time goes, per profile the target names, on the traced feeds (quiet)."""
    print("\n[c'] where a put()'s time goes (traced, quiet; µs p50 / p99)")
    _share, profiles = PUT_P99_TARGET
    for load in (load for load in FULL_LOADS if load["name"] in TRACED_PUT_LOADS):
        for profile in profiles:
            trace = put_trace(load, profile)
            PUT_TRACES.append({"profile": profile, "load": load["name"], **trace})
            cells = "  ".join(
                f"{name} {stage['p50'] or 0:.1f} / {stage['p99'] or 0:.1f}"
                for name, stage in trace["stages"].items()
            )
            waited = f"{trace['with_a_wait']}/{trace['events']} with a wait"
            print(f"  {load['name']:9s} {profile:9s} {waited}: {cells}")


def section_c(loads: list[dict[str, Any]], conditions: list[str], idle_seconds: float) -> None:
    """Every path on every feed, quiet and contended; paths interleaved within a feed and condition, so the
    machine's drift hits all alike. Then each engine idle."""
    print(
        "\n[c] latency per engine profile: put() -> handler and C++ producer -> TickData handler (µs), the "
        "engine thread's CPU share"
    )
    paths: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [("vn.py put()", vnpy_put_latency)]
    paths += [
        (f"vtcore {profile} put()", lambda load, profile=profile: vtcore_put_latency(load, profile))
        for profile in PROFILES
    ]
    paths += [
        (
            f"vtcore {profile} C++ producer",
            lambda load, profile=profile: vtcore_producer_latency(load, profile, False),
        )
        for profile in PROFILES
    ]
    paths.append(
        ("vtcore latency pinned C++ producer", lambda load: vtcore_producer_latency(load, "latency", True))
    )
    for load in loads:
        for condition in conditions:
            with competitor(condition == "contended"):
                for name, run in paths:
                    load_average = os.getloadavg()[0]
                    result = run(load)
                    assert len(result["latencies"]) == expected(load), (
                        f"{name}: {len(result['latencies'])} of {expected(load)}"
                    )
                    row = {
                        "path": name,
                        "load": load["name"],
                        "condition": condition,
                        **summary(result["latencies"]),
                        "engine_cpu": result["cpu"],
                        "achieved_rate": result["rate"],
                        "load_average": load_average,
                        "wait_stats": result.get("wait_stats", {}),
                    }
                    LATENCY.append(row)
                    print(
                        f"  {load['name']:18s} {condition:9s} {name:36s} p50 {row['p50']:9.1f}"
                        f"  p99 {row['p99']:9.1f}"
                        f"  p99.9 {row['p99.9']:9.1f}  max {row['max']:9.1f}  CPU {row['engine_cpu']:4.0%}"
                        f"  {row['achieved_rate']:9,.0f}/s  load {load_average:.1f}",
                        flush=True,
                    )
    for profile in (None, *PROFILES):
        for condition in conditions:
            with competitor(condition == "contended"):
                engine: Any = (
                    VnEngine(interval=1)
                    if profile is None
                    else EventEngine(interval=1, profile=profile, cpu=-1)
                )
                engine.start()
                time.sleep(0.1)
                native_id = engine._thread.native_id if profile is None else engine.thread_id
                idle = idle_cpu(native_id, idle_seconds)
                row = {
                    "path": "vn.py" if profile is None else f"vtcore {profile}",
                    "condition": condition,
                    "seconds": idle["seconds"],
                    "engine_cpu": idle["share"],
                    "process_cpu": idle["process"],
                }
                IDLE.append(row)
                stop_quietly(engine.stop)
                print(
                    f"  idle {idle_seconds:g} s {condition:9s} {row['path']:18s} engine thread CPU "
                    f"{row['engine_cpu']:.2%}",
                    flush=True,
                )
    vn = {(r["load"], r["condition"]): r for r in LATENCY if r["path"] == "vn.py put()"}
    share, profiles = PUT_P99_TARGET
    for row in LATENCY:
        base = vn[(row["load"], row["condition"])]
        if row["path"].endswith("put()") and row["path"] != "vn.py put()":
            target = 1 / share if any(row["path"] == f"vtcore {p} put()" for p in profiles) else None
            report(
                "c",
                f"put() -> handler p99, {row['path'].split()[1]}, {row['load']}, {row['condition']}",
                "µs",
                base["p99"],
                row["p99"],
                better="lower",
                target=target,
            )


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
        tick = VnTickData(
            gateway_name="BENCH",
            symbol="rb2605",
            exchange=VnExchange.SHFE,
            datetime=now,
            volume=float(i),
            last_price=3500.0 + i,
            bid_price_1=3499.0,
            ask_price_1=3501.0,
        )
        engine.put(VnEvent("eTick.", tick))
    after = rss_bytes()
    del engine
    gc.collect()
    return (after - before) / count


def section_d(count: int) -> None:
    print(f"\n[d] memory per buffered tick, {count:,} ticks waiting")
    # To the byte: RSS grows in pages, and the odd page the interpreter touches meanwhile is not the ring's.
    ours = round(vtcore_memory(count))
    vn = round(vnpy_memory(count))
    report(
        "d",
        "bytes per buffered tick (RSS growth / ticks, to the byte)",
        "B",
        vn,
        ours,
        better="lower",
        target_value=256,
        note=f"TickRecord is {_core.TICK_RECORD_SIZE} B",
    )


FULL_LOADS = [
    {"name": "100/s", "rate": 100, "count": 500},
    {"name": "1,000/s in bursts", "burst": 500, "bursts": 10, "interval": 0.5},
    {"name": "10,000/s", "rate": 10_000, "count": 20_000},
    {"name": "100,000/s", "rate": 100_000, "count": 100_000},
]
QUICK_LOADS = [
    {"name": "1,000/s in bursts", "burst": 100, "bursts": 2, "interval": 0.1},
    {"name": "10,000/s", "rate": 10_000, "count": 1_000},
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small counts, one run: correctness only")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sections", default="abcd", help="which sections to run, e.g. 'bc' (default: abcd)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds each engine idles in section c")
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this file")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    if args.quick:
        ticks, batch_ticks, memory_ticks = 20_000, 200_000, 65_536
    else:
        ticks, batch_ticks, memory_ticks = 500_000, 5_000_000, 1 << 18
    results_file = ResultsFile("bench_event_engine.py")
    load_start = os.getloadavg()
    print(
        f"vtcore vs vn.py EventEngine; {os.cpu_count()} CPUs; load average {load_start[0]:.2f} "
        f"{load_start[1]:.2f}; {'quick' if args.quick else 'full'} run"
    )
    if "a" in args.sections:
        section_a(ticks, runs)
    if "b" in args.sections:
        section_b(batch_ticks, memory_ticks, runs)
    if "c" in args.sections:
        section_c(
            QUICK_LOADS if args.quick else FULL_LOADS,
            ["quiet", "contended"],
            0.2 if args.quick else args.idle,
        )
        if not args.quick:
            section_c_traces()
    if "d" in args.sections:
        section_d(memory_ticks)
    load_end = os.getloadavg()
    print(f"\nload average after: {load_end[0]:.2f} {load_end[1]:.2f}")
    if args.json is not None:
        figures = {
            "quick": args.quick,
            "runs": runs,
            "results": RESULTS,
            "latency": LATENCY,
            "idle": IDLE,
            "put_traces": PUT_TRACES,
        }
        results_file.write(args.json, figures)


if __name__ == "__main__":
    main()
