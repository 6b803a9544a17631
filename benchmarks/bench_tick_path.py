"""Tick path end to end: vtcore's CTP simulator drives vtcore's CtpGateway and vn.py's unmodified vnpy_ctp
(vtcore's MiniGateway on the CTP-Mini front-end with spec "sdk": "mini", for MINI beside CTP).

Every measurement runs in its own subprocess (the simulator picks its configuration at the first Init() of a
process, LD_LIBRARY_PATH must be set before vnpy_ctp loads, and peak RSS must belong to one run):

    python benchmarks/bench_tick_path.py --worker '{"system": "vtcore", "handler": "object", ...}'

prints one JSON line. Systems and handlers:

* ``vnpy`` / ``raw``: vnpy_ctp's MdApi subclassed, its ``onRtnDepthMarketData(data: dict)`` is the handler.
* ``vnpy`` / ``gateway``: vnpy_ctp's own ``CtpMdApi`` + ``CtpGateway`` (unmodified code) build TickData and
  put it through vn.py's EventEngine; the handler is registered on ``eTick.``.
* ``vtcore`` / ``object``: vtcore's CtpGateway; the handler on ``eTick.`` receives one TickData per tick.
* ``vtcore`` / ``batch``: the same gateway; ``register_tick_batch`` handler receives numpy arrays.

Modes: ``throughput`` (a burst of ``count`` ticks as fast as the simulator sends them; stop when all arrived,
when ``max_seconds`` passed, or when nothing arrives for a while; peak RSS is recorded), ``latency`` (each
tick carries the simulator's send time, see native/stamp_md.cpp; ``loads`` lists the feeds, each paced at a
rate or sent in bursts, each run quiet and beside a CPU-bound competitor process; then the CPU an idle system
uses) and ``busy`` (paced, while the main thread runs a pure-Python loop whose speed is compared with its
idle speed in the same process). vtcore workers take ``profile`` (EventEngine's) and ``pin`` (the engine
thread on the last CPU; the competitor always runs on the first).
"""

# Imports inside functions on purpose: vn.py modules exist only once a worker has set up its paths,
# and each worker imports only the system it measures.
# vnpy_ctp's callbacks keep their C++ names (onRtnDepthMarketData, ...).
# ruff: noqa: PLC0415, N802

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _vnpy_env  # noqa: E402
from _measure import competitor, thread_cpu_ns  # noqa: E402

SYMBOL = "rb2601"
EXCHANGE = "SHFE"
STALL_SECONDS = 3.0  # nothing arrived for this long after the first tick: the run is over (losses counted)


# -- shared by both systems ----------------------------------------------------------------------------------


class Counter:
    """What a handler records: how many ticks, when the first and the last arrived, and a checksum that makes
    the handler read a field of every tick (so neither system can skip building it)."""

    __slots__ = ("count", "first", "last", "latencies", "thread_id", "total", "trace")

    def __init__(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.total = 0.0
        self.latencies: list[int] = []
        self.thread_id = 0  # native id of the thread that runs the handler (set by the first tick)
        # With tracing: per tick, (sent, engine woke, engine resumed with the GIL, handler entry) in ns.
        self.trace: list[tuple[int, int, int, int]] = []

    def reset(self) -> None:
        """Forget the warm-up (called while no tick is in flight)."""
        self.count = 0
        self.first = self.last = self.total = 0.0
        self.latencies = []
        self.trace = []


def read_status(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def wait_for_ticks(counter: Counter, expected: int, max_seconds: float, dropped: Any = lambda: 0) -> str:
    """Wait until `expected` ticks were handled or dropped, `max_seconds` passed since the first, or the flow
    stalled. Returns why it stopped."""
    wait_until(lambda: counter.count > 0, 60.0, "the first tick")
    started = time.monotonic()
    seen, seen_at = counter.count, started
    while True:
        time.sleep(0.02)
        now = time.monotonic()
        if counter.count + dropped() >= expected:
            return "all"
        if now - started > max_seconds:
            return "time"
        if counter.count != seen:
            seen, seen_at = counter.count, now
        elif now - seen_at > STALL_SECONDS:
            return "stalled"


def _schedstat() -> tuple[int, int]:
    """(ns on a CPU, ns runnable but waiting for a CPU) of the calling thread; (0, 0) where unavailable."""
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as stat:
            on_cpu, waiting, _ = stat.read().split()
        return int(on_cpu), int(waiting)
    except (OSError, ValueError):
        return 0, 0


def python_loop_rate(seconds: float) -> dict[str, float]:
    """Speed of a pure-Python loop (it holds the GIL except at the interpreter's forced switches).

    `rate`: iterations per wall-clock second. Wall time splits into running, waiting for a CPU (other
    processes) and sleeping, which for this loop means waiting for the GIL. `gil_share` = running /
    (running + sleeping): the share of the time it could have run that it did, so the GIL's cost apart from
    the machine's load (1.0 when no other thread takes the GIL). `cpu_share` = running / wall."""
    iterations = 0
    on_cpu0, waiting0 = _schedstat()
    started = time.perf_counter()
    end = started + seconds
    while True:
        x = 0
        for i in range(20_000):
            x += i
        iterations += 20_000
        now = time.perf_counter()
        if now >= end:
            break
    on_cpu1, waiting1 = _schedstat()
    wall = now - started
    running, waiting = (on_cpu1 - on_cpu0) / 1e9, (waiting1 - waiting0) / 1e9
    return {
        "rate": iterations / wall,
        "cpu_share": running / wall,
        "gil_share": running / max(wall - waiting, 1e-9) if running else 0.0,
    }


class CpuShare:
    """The CPU share of the handler's thread and of the whole process over a stretch of wall time."""

    def __init__(self, native_id: int) -> None:
        self.native_id = native_id
        self.thread0, self.process0 = thread_cpu_ns(native_id), time.process_time_ns()
        self.wall0 = time.perf_counter_ns()
        self.load0 = os.getloadavg()[0]

    def result(self) -> dict[str, float]:
        wall = max(time.perf_counter_ns() - self.wall0, 1)
        return {
            "handler_thread_cpu": (thread_cpu_ns(self.native_id) - self.thread0) / wall,
            "process_cpu": (time.process_time_ns() - self.process0) / wall,
            "wall_s": wall / 1e9,
            "load_average": [self.load0, os.getloadavg()[0]],
        }


def engine_cpu() -> int:
    return max(os.sched_getaffinity(0))


def percentiles(values_ns: list[int]) -> dict[str, float]:
    if not values_ns:
        return {}
    ordered = sorted(values_ns)
    n = len(ordered)

    def at(q: float) -> float:
        return ordered[min(n - 1, int(q * n))] / 1000.0

    return {
        "p50_us": at(0.50),
        "p99_us": at(0.99),
        "p999_us": at(0.999),
        "max_us": ordered[-1] / 1000.0,
        "samples": n,
    }


WARMUP_TICKS = 2000  # sent first and not measured: first-use costs (imports, caches) of either system
SMALL_BATCH = 16  # the latency batch handler reads a run of up to this many ticks as Python numbers


def sim_config(folder: Path) -> Path:
    """The simulator sends WARMUP_TICKS at once after the subscription; the measured ticks are requested
    through its control socket when both sides are warm (see Measured)."""
    from vtcore.gateways.ctp import sim as ctpsim

    config = {
        "accounts": [{"user_id": "bench", "password": "bench"}],
        "market_data": {"rate": 0, "count": WARMUP_TICKS, "always_open": True},  # any hour, not trading hours
        "control": {"port": 0, "port_file": str(folder / "control.port")},
    }
    return ctpsim.write_config(folder / "sim.json", config)


def warm_up(counter: Counter, subscribe: Any, dropped: Any) -> None:
    subscribe()
    wait_until(lambda: counter.count + dropped() >= WARMUP_TICKS, 60.0, "the warm-up ticks")


def measure(
    spec: dict[str, Any],
    folder: Path,
    counter: Counter,
    subscribe: Any,
    dropped: Any = lambda: 0,
    *,
    engine_stats: Callable[[], dict[str, int]] = dict,
) -> dict[str, Any]:
    """The common part of a run once the market-data front is logged in: warm up, then the measured ticks."""
    from vtcore.gateways.ctp import sim as ctpsim

    warm_up(counter, subscribe, dropped)
    if spec["mode"] == "latency":
        return measure_latency(spec, folder, counter, dropped, engine_stats)
    dropped_before = dropped()
    counter.reset()
    extra: dict[str, Any] = {"warmup": WARMUP_TICKS}
    idle = python_loop_rate(spec["busy_seconds"]) if spec["mode"] == "busy" else {}
    rss_before = read_status("VmRSS")
    with ctpsim.SimControl.from_port_file(folder / "control.port") as control:
        control.command("ticks", count=spec["count"], rate=spec["rate"])
    if spec["mode"] == "busy":
        wait_until(lambda: counter.count > 0, 60.0, "the first tick")
        start_count = counter.count
        busy = python_loop_rate(spec["busy_seconds"])
        extra["ticks_during_busy"] = counter.count - start_count
    stop = wait_for_ticks(counter, spec["count"], spec["max_seconds"], lambda: dropped() - dropped_before)
    if spec["mode"] == "busy":
        # Idle speed: the mean of a run before the ticks and one after them (the machine's load drifts), the
        # latter only when every tick was handled (a system that fell behind is still busy afterwards).
        if stop == "all":
            after = python_loop_rate(spec["busy_seconds"])
            idle = {key: (idle[key] + after[key]) / 2 for key in idle}
        extra.update(
            idle=idle,
            busy=busy,
            kept=busy["rate"] / idle["rate"],
            kept_gil=busy["gil_share"] / idle["gil_share"] if idle["gil_share"] else 0.0,
        )
    extra.update(
        stop=stop,
        dropped=dropped() - dropped_before,
        rss_before=rss_before,
        peak_rss=read_status("VmHWM"),
        libraries=[p for p in _vnpy_env.mapped_libraries() if "thost" in p],
    )
    return finish(counter, spec, extra)


def load_expected(load: dict[str, Any]) -> int:
    return int(load["burst"] * load["bursts"]) if "burst" in load else int(load["count"])


def run_load(
    load: dict[str, Any],
    control: Any,
    counter: Counter,
    dropped: Any,
    engine_stats: Callable[[], dict[str, int]],
) -> dict[str, Any]:
    """One feed: ticks paced at `rate`, or `bursts` bursts of `burst` ticks `interval` s apart (each burst as
    fast as the simulator sends); the latency of every tick, the CPU its handling took, the load average."""
    counter.reset()
    dropped_before = dropped()
    stats_before = engine_stats()
    expected = load_expected(load)
    cpu = CpuShare(counter.thread_id)
    if "burst" in load:
        start = time.monotonic()
        for i in range(load["bursts"]):
            delay = start + i * load["interval"] - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            control.command("ticks", count=load["burst"], rate=0)
        seconds = load["bursts"] * load["interval"]
    else:
        control.command("ticks", count=load["count"], rate=load["rate"])
        seconds = load["count"] / load["rate"]
    stop = wait_for_ticks(counter, expected, 3 * seconds + 60.0, lambda: dropped() - dropped_before)
    result: dict[str, Any] = {
        "load": load["name"],
        "expected": expected,
        "received": counter.count,
        "dropped": dropped() - dropped_before,
        "stop": stop,
        "checksum_ok": counter.total > 0,
        "achieved_rate": (counter.count - 1) / (counter.last - counter.first) if counter.count > 1 else 0.0,
        **cpu.result(),
    }
    skip = len(counter.latencies) // 20  # the first 5 %: the feed settling
    result["latency"] = percentiles(counter.latencies[skip:])
    if load.get("keep_samples"):  # for runs pooled across rounds (run.py's MINI beside CTP)
        result["samples_ns"] = counter.latencies[skip:]
    after = engine_stats()
    if after:
        result["wait_stats"] = {key: after[key] - stats_before.get(key, 0) for key in after}
    if counter.trace:
        result["breakdown"] = breakdown(counter.trace[skip:])
    return result


def breakdown(trace: list[tuple[int, int, int, int]]) -> dict[str, dict[str, float]]:
    """Where the time goes, per wake-up of the engine (the ticks one wait() returned for): `detect` = the
    last of those ticks sent -> wait() found work (a spinning or polling engine looks within a microsecond; a
    parked one needs its producer's futex wake-up and the scheduler), `resume` = -> the engine thread holds
    the GIL again, `first_dispatch` = -> the first of those ticks enters its handler (drain, TickData, Event,
    call); per tick, `queued` = sent -> handler entry for ticks that arrived while the engine was busy."""
    wakes: dict[int, list[tuple[int, int, int]]] = {}
    queued: list[int] = []
    for sent, woken, resumed, entered in trace:
        if woken >= sent:
            wakes.setdefault(woken, []).append((sent, resumed, entered))
        else:
            queued.append(entered - sent)
    detect, resume, dispatch, sizes = [], [], [], []
    for woken, ticks in wakes.items():
        last_sent = max(sent for sent, _, _ in ticks)
        resumed = ticks[0][1]
        detect.append(woken - last_sent)
        resume.append(resumed - woken)
        dispatch.append(min(entered for _, _, entered in ticks) - resumed)
        sizes.append(len(ticks) * 1000)  # percentiles() divides by 1000
    parts = (
        ("detect", detect),
        ("resume", resume),
        ("first_dispatch", dispatch),
        ("ticks_per_wake", sizes),
        ("queued", queued),
    )
    return {name: percentiles(values) for name, values in parts if values}


def measure_latency(
    spec: dict[str, Any],
    folder: Path,
    counter: Counter,
    dropped: Any,
    engine_stats: Callable[[], dict[str, int]],
) -> dict[str, Any]:
    """Every load of `spec["loads"]` quiet and contended (interleaved, so the machine's drift hits both), then
    the CPU the idle system uses (no ticks for `idle_seconds`)."""
    from vtcore.gateways.ctp import sim as ctpsim

    runs: list[dict[str, Any]] = []
    idle: list[dict[str, Any]] = []
    with ctpsim.SimControl.from_port_file(folder / "control.port") as control:
        for load in spec["loads"]:
            for condition in spec["conditions"]:
                with competitor(condition == "contended"):
                    run = run_load(load, control, counter, dropped, engine_stats)
                run["condition"] = condition
                runs.append(run)
                time.sleep(0.2)
    if spec.get("idle_seconds"):
        for condition in spec["conditions"]:
            with competitor(condition == "contended"):
                cpu = CpuShare(counter.thread_id)
                stats_before = engine_stats()
                time.sleep(spec["idle_seconds"])
                entry: dict[str, Any] = {"condition": condition, **cpu.result()}
                after = engine_stats()
                if after:
                    entry["wait_stats"] = {key: after[key] - stats_before.get(key, 0) for key in after}
                idle.append(entry)
    return {
        "spec": spec,
        "runs": runs,
        "idle": idle,
        "received": sum(run["received"] for run in runs),
        "dropped": sum(run["dropped"] for run in runs),
        "checksum_ok": all(run["checksum_ok"] for run in runs),
        "stop": "stalled" if any(run["stop"] == "stalled" for run in runs) else "all",
        "libraries": [p for p in _vnpy_env.mapped_libraries() if "thost" in p],
    }


def tick_handler(counter: Counter, latency: bool, hub: Any = None) -> Callable[[Any], None]:
    """The handler both systems' event engines call per tick: the same work on each side. With `latency` it
    also records the send time that the stamping library wrote into the tick's limit prices, and with vtcore's
    `hub` (traced runs) the engine's own timestamps too (EventHub.last_woken_ns and last_resumed_ns): where
    the time between the vendor callback and the handler goes."""
    perf_counter, time_ns = time.perf_counter, time.time_ns

    def on_tick(event: Any) -> None:
        tick = event.data
        if counter.count == 0:
            counter.first = perf_counter()
            counter.thread_id = threading.get_native_id()
        counter.count += 1
        counter.total += tick.last_price
        counter.last = perf_counter()

    def on_tick_latency(event: Any) -> None:
        now = time_ns()
        tick = event.data
        if counter.count == 0:
            counter.first = perf_counter()
            counter.thread_id = threading.get_native_id()
        counter.count += 1
        counter.total += tick.last_price
        sent = int(tick.limit_up) * 1_000_000_000 + int(tick.limit_down)
        counter.latencies.append(now - sent)
        if hub is not None:
            counter.trace.append((sent, hub.last_woken_ns, hub.last_resumed_ns, now))
        counter.last = perf_counter()

    return on_tick_latency if latency else on_tick


def finish(counter: Counter, spec: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    elapsed = counter.last - counter.first
    result = {
        "spec": spec,
        "received": counter.count,
        "elapsed_s": elapsed,
        "ticks_per_s": (counter.count - 1) / elapsed if elapsed > 0 and counter.count > 1 else 0.0,
        "checksum_ok": counter.total > 0,
        **extra,
    }
    if spec["mode"] in ("latency", "busy"):
        # Ticks before the flow settles (connection, first subscription) are left out: the first 5 %.
        skip = len(counter.latencies) // 20
        result["latency"] = percentiles(counter.latencies[skip:])
        result["achieved_rate"] = result["ticks_per_s"]
    return result


# -- vtcore --------------------------------------------------------------------------------------------------


#: vtcore's gateway of each SDK the tick path can run on (spec "sdk"; the simulator front-end of that SDK)
GATEWAYS = {
    "ctp": ("vtcore.gateways.ctp", "CtpGateway", "CTP"),
    "mini": ("vtcore.gateways.mini", "MiniGateway", "MINI"),
    "femas": ("vtcore.gateways.femas", "FemasGateway", "FEMAS"),  # bench_tap_femas.py, beside CTP
}


def run_vtcore(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    import importlib

    from vtcore.constant import Exchange
    from vtcore.event import EVENT_TICK, EventEngine
    from vtcore.gateways._sdk.sim import FRONT_ENDS
    from vtcore.object import SubscribeRequest

    sdk = spec.get("sdk", "ctp")
    module, class_name, gateway_name = GATEWAYS[sdk]

    pinned_cpu = engine_cpu() if spec.get("pin") else -1
    if spec.get("pin"):
        # An isolated core, as one would give the `latency` profile: the engine thread alone on the last CPU,
        # every other thread of the process (the vendor's, the main one) kept off it. Threads inherit the
        # affinity of the thread that creates them, so this comes first.
        os.sched_setaffinity(0, os.sched_getaffinity(0) - {pinned_cpu})
    counter = Counter()
    latency = spec["mode"] in ("latency", "busy")
    perf_counter, time_ns = time.perf_counter, time.time_ns

    def on_batch(ticks: Any, gateway_name: str) -> None:
        if counter.count == 0:
            counter.first = perf_counter()
            counter.thread_id = threading.get_native_id()
        counter.count += len(ticks)
        counter.total += float(ticks["last_price"].sum())
        counter.last = perf_counter()

    def on_batch_latency(ticks: Any, gateway_name: str) -> None:
        now = time_ns()
        if counter.count == 0:
            counter.first = perf_counter()
            counter.thread_id = threading.get_native_id()
        count = len(ticks)
        counter.count += count
        if count <= SMALL_BATCH:
            # Paced feeds bring one tick per call, and a numpy operation on a one-row array costs about a
            # microsecond: the measurement's own bookkeeping would be 4x the object handler's (4.1 against
            # 1.3 us a call measured), and the engine thread's CPU share would mostly count it.
            counter.total += sum(ticks["last_price"].tolist())
            ups, downs = ticks["limit_up"].tolist(), ticks["limit_down"].tolist()
            counter.latencies.extend(
                [now - (int(up) * 1_000_000_000 + int(down)) for up, down in zip(ups, downs, strict=True)]
            )
        else:
            counter.total += float(ticks["last_price"].sum())
            sent = ticks["limit_up"].astype("int64") * 1_000_000_000 + ticks["limit_down"].astype("int64")
            counter.latencies.extend((now - sent).tolist())
        counter.last = perf_counter()

    engine = EventEngine(interval=1.0, profile=spec.get("profile", "balanced"), cpu=pinned_cpu)
    if spec["handler"] == "object":
        traced = spec.get("trace") and spec["mode"] == "latency"
        engine.register(EVENT_TICK, tick_handler(counter, latency, engine.hub if traced else None))
    else:
        engine.register_tick_batch(on_batch_latency if latency else on_batch)
    gateway = getattr(importlib.import_module(module), class_name)(engine, gateway_name)
    config = sim_config(folder)
    setting = FRONT_ENDS[sdk].setting(config, "bench", "bench")
    if latency:
        setting["library_dir"] = str(_vnpy_env.BaselineEnv(_vnpy_env.cache_root()).stamp_dir_for(sdk))
    engine.start()
    gateway.connect(setting)
    wait_until(lambda: gateway.md.state == "ready", 60.0, "the market-data front")
    return measure(
        spec,
        folder,
        counter,
        lambda: gateway.subscribe(SubscribeRequest(symbol=SYMBOL, exchange=Exchange(EXCHANGE))),
        lambda: engine.dropped_ticks,
        engine_stats=engine.wait_stats,
    )


class Hold:
    """A handler that holds the engine thread until released, so that a backlog builds up behind it."""

    def __init__(self) -> None:
        self.gate, self.inside = threading.Event(), threading.Event()

    def __call__(self, event: Any) -> None:
        self.inside.set()
        self.gate.wait(60.0)


def drain_rounds(
    put_hold: Callable[[], None], hold: Hold, counter: Counter, rounds: int, fill: Callable[[], int]
) -> list[float]:
    """Per round: hold the engine thread, `fill()` a backlog behind it (returns its size), release it, and
    time the handler from the first event to the last. The rates, sorted."""
    rates = []
    for _ in range(rounds):
        counter.reset()
        hold.gate.clear()
        hold.inside.clear()
        put_hold()
        wait_until(hold.inside.is_set, 60.0, "the engine thread to be held")
        size = fill()
        hold.gate.set()
        wait_until(lambda size=size: counter.count >= size, 120.0, "the backlog to drain")
        rates.append(counter.count / (counter.last - counter.first))
    return sorted(rates)


def capacity_result(
    spec: dict[str, Any], rates: list[float], counter: Counter, dropped: int
) -> dict[str, Any]:
    return {
        "spec": spec,
        "received": spec["count"] * len(rates) - dropped,
        "dropped": dropped,
        "rounds": rates,
        "ticks_per_s": rates[len(rates) // 2],
        "checksum_ok": counter.total > 0,
        "stop": "all",
    }


def run_capacity(spec: dict[str, Any]) -> dict[str, Any]:
    """How fast vtcore's engine thread turns a backlog of C++ ticks into handler calls, without the simulator
    (which cannot send fast enough to saturate the batch path): per round, the engine thread is held in a
    handler while the core's C++ TestProducer fills a ring with `count` ticks, then released; the handler
    times the drain. The median round is reported."""
    from vtcore import _core
    from vtcore.event import EVENT_TICK, Event, EventEngine

    counter = Counter()
    perf_counter = time.perf_counter

    def on_batch(ticks: Any, gateway_name: str) -> None:
        if counter.count == 0:
            counter.first = perf_counter()
        counter.count += len(ticks)
        counter.total += float(ticks["last_price"].sum())
        counter.last = perf_counter()

    hold = Hold()
    engine = EventEngine(interval=60.0)
    if spec["handler"] == "object":
        engine.register(EVENT_TICK, tick_handler(counter, latency=False))
    else:
        engine.register_tick_batch(on_batch)
    engine.register("bench.hold", hold)
    engine.start()
    capacity = 1 << max(16, (spec["count"] - 1).bit_length())
    producer = engine.create_producer("bench", "BENCH", capacity=capacity)
    dropped = [0]

    def fill() -> int:
        test_producer = _core.TestProducer(producer, [SYMBOL], EXCHANGE)
        test_producer.start(spec["count"], 0.0)
        test_producer.join(60.0)
        dropped[0] += test_producer.dropped
        return int(test_producer.pushed)

    rates = drain_rounds(lambda: engine.put(Event("bench.hold")), hold, counter, spec.get("rounds", 5), fill)
    engine.stop()
    return capacity_result(spec, rates, counter, dropped[0])


def run_vnpy_capacity(spec: dict[str, Any]) -> dict[str, Any]:
    """vn.py's side of the capacity rows, like for like: its EventEngine's thread is held in a handler while
    `count` prebuilt events ("eTick." carrying a vn.py TickData, as its gateway puts them) are put into its
    queue, then released; a handler on "eTick." reads last_price of each and times the drain. The TickData
    are built before timing starts (vtcore's side builds its TickData during the drain)."""
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    _vnpy_env.add_vnpy_paths(env)
    from datetime import datetime

    from vnpy.event import Event, EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import TickData  # type: ignore[import-not-found, unused-ignore]

    counter = Counter()
    hold = Hold()
    engine = EventEngine(interval=60)
    engine.register("eTick.", tick_handler(counter, latency=False))
    engine.register("bench.hold", hold)
    engine.start()
    now = datetime.now()
    events = [
        Event(
            "eTick.",
            TickData(
                gateway_name="CTP",
                symbol=SYMBOL,
                exchange=Exchange.SHFE,
                datetime=now,
                last_price=3000.0 + i % 100,
            ),
        )
        for i in range(spec["count"])
    ]

    def fill() -> int:
        for event in events:
            engine.put(event)
        return len(events)

    rates = drain_rounds(lambda: engine.put(Event("bench.hold")), hold, counter, spec.get("rounds", 5), fill)
    engine.stop()
    return capacity_result(spec, rates, counter, 0)


# -- vn.py ---------------------------------------------------------------------------------------------------


_KEEP_ALIVE: list[Any] = []


def run_vnpy(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    counter = Counter()
    latency = spec["mode"] in ("latency", "busy")
    perf_counter, time_ns = time.perf_counter, time.time_ns
    config = sim_config(folder)
    from vtcore.gateways.ctp import sim as ctpsim

    address = ctpsim.front_address(config)
    state = {"login": threading.Event()}

    if spec["handler"] == "raw":
        vnctpmd = _vnpy_env.load_extension(env, "vnctpmd")

        class RawMdApi(vnctpmd.MdApi):  # type: ignore[misc, name-defined]
            def onFrontConnected(self) -> None:
                self.reqUserLogin({"UserID": "bench", "Password": "bench", "BrokerID": "9999"}, 1)

            def onRspUserLogin(
                self,
                data: dict[str, Any],
                error: dict[str, Any],
                reqid: int,
                last: bool,
            ) -> None:
                state["login"].set()

            def onRtnDepthMarketData(self, data: dict[str, Any]) -> None:
                if counter.count == 0:
                    counter.first = perf_counter()
                    counter.thread_id = threading.get_native_id()
                counter.count += 1
                counter.total += data["LastPrice"]
                counter.last = perf_counter()

        class RawLatencyMdApi(RawMdApi):
            def onRtnDepthMarketData(self, data: dict[str, Any]) -> None:
                now = time_ns()
                if counter.count == 0:
                    counter.first = perf_counter()
                    counter.thread_id = threading.get_native_id()
                counter.count += 1
                counter.total += data["LastPrice"]
                counter.latencies.append(
                    now - (int(data["UpperLimitPrice"]) * 1_000_000_000 + int(data["LowerLimitPrice"]))
                )
                counter.last = perf_counter()

        api = (RawLatencyMdApi if latency else RawMdApi)()
        # Never deallocated before os._exit: vnpy_ctp's MdApi destructor joins its callback thread with the
        # GIL held while that thread waits for the GIL to deliver queued ticks (deadlock after a 10 s burst).
        _KEEP_ALIVE.append(api)
        api.createFtdcMdApi(str(folder / "md"), True)
        api.registerFront(address)
        api.init()
        wait_until(state["login"].is_set, 60.0, "vnpy_ctp's market-data login")
        subscribe = lambda: api.subscribeMarketData(SYMBOL)  # noqa: E731
    else:
        gateway_module = _vnpy_env.import_vnpy_ctp_gateway(env, folder)
        from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
        from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]
        from vnpy.trader.event import EVENT_TICK  # type: ignore[import-not-found, unused-ignore]
        from vnpy.trader.object import SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

        on_tick = tick_handler(counter, latency)

        event_engine = EventEngine()
        event_engine.register(EVENT_TICK, on_tick)
        event_engine.start()
        gateway = gateway_module.CtpGateway(event_engine, "CTP")
        _KEEP_ALIVE.append((gateway, event_engine))  # as above: vnpy_ctp objects live until os._exit
        _vnpy_env.add_shfe_contract(gateway_module, SYMBOL)
        md = gateway.md_api
        md.connect(address, "bench", "bench", "9999", False)
        wait_until(lambda: md.login_status, 60.0, "vnpy_ctp's market-data login")
        subscribe = lambda: gateway.subscribe(  # noqa: E731
            SubscribeRequest(symbol=SYMBOL, exchange=Exchange.SHFE)
        )

    return measure(spec, folder, counter, subscribe)


# -- driver --------------------------------------------------------------------------------------------------


def worker_process(prefix: str, run: Callable[[Path], dict[str, Any]]) -> None:
    """Run one measurement in a fresh temporary folder (the run's VTCORE_HOME too: settings and flow files
    never go to the user's .vntrader), print its JSON, and end the process with os._exit: vnpy_ctp's
    MdApi.exit() deadlocks while ticks are queued (vnpy.md §7.2), vn.py's engine thread is not a daemon, and
    vendor SDK threads can keep a process alive."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        os.environ["VTCORE_HOME"] = str(Path(folder) / ".vntrader")
        code = _vnpy_env.print_report(lambda: run(Path(folder)))
    os._exit(code)


#: one measurement of a benchmark script: run(spec, folder) -> its result, printed as JSON by the worker
Measurement = Callable[[dict[str, Any], Path], dict[str, Any]]


def table_worker(prefix: str, runs: Mapping[tuple[str, str], Measurement], spec: dict[str, Any]) -> None:
    """The worker of a benchmark script whose measurements are a table by (system, what): the one `spec`
    names, in `worker_process`."""
    worker_process(prefix, lambda folder: runs[(spec["system"], spec["what"])](spec, folder))


def run_script_worker(
    script: str, spec: dict[str, Any], env: dict[str, str], timeout: float, what: str
) -> dict[str, Any]:
    """Run benchmark `script`'s worker (`script --worker '<spec as JSON>'`) for one measurement in a fresh
    subprocess with `env`; its result (`run_json_subprocess`: RuntimeError with its stderr if it failed)."""
    command = [sys.executable, str(Path(script).resolve()), "--worker", json.dumps(spec)]
    return run_json_subprocess(command, env, timeout, what=f"{what} worker {spec}")


def worker(spec: dict[str, Any]) -> None:
    def run(folder: Path) -> dict[str, Any]:
        if spec["mode"] == "capacity":
            return run_capacity(spec) if spec["system"] == "vtcore" else run_vnpy_capacity(spec)
        return (run_vtcore if spec["system"] == "vtcore" else run_vnpy)(spec, folder)

    worker_process("vtcore-bench-", run)


def run_worker(spec: dict[str, Any], timeout: float = 300.0) -> dict[str, Any]:
    """Run one measurement in a fresh subprocess; raises RuntimeError with its stderr if it failed."""
    from vtcore.gateways.ctp import sim as ctpsim

    spec = {"rate": 0, "max_seconds": 10.0, "busy_seconds": 1.0, **spec}
    if spec["system"] == "vnpy":
        env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
        latency = spec["mode"] in ("latency", "busy")
        process_env = env.subprocess_env(env.stamp_dir if latency else ctpsim.library_dir())
    else:
        process_env = dict(os.environ)
    return run_script_worker(__file__, spec, process_env, timeout, what="benchmark")


def run_json_subprocess(command: list[str], env: dict[str, str], timeout: float, what: str) -> dict[str, Any]:
    """Run a worker, return the JSON object of its last `{...}` line. A worker that printed its result but
    then hangs on exit (vnpy_ctp's threads) is killed and its result kept."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{what} failed ({process.returncode}): {err[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]))
    else:
        sys.exit("usage: bench_tick_path.py --worker '<json spec>' (run benchmarks/run.py for the suite)")
