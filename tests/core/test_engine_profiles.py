"""Engine profiles (latency / balanced / efficient) and the bounded put() queue.

What a user relies on: the profile is chosen by `EventEngine(profile=...)` or vt_setting.json; `latency` never
makes the vendor thread wake the engine; `balanced` and `efficient` sleep when idle; `efficient` drains ticks
in batches but never holds back an order; the engine thread can be pinned; a put() flood drops ticks (counted)
and never an order.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vtcore import _core, setting
from vtcore import event as event_module
from vtcore.errors import SettingsError
from vtcore.event import EVENT_TICK, PROFILES, Event, EventEngine

TIMEOUT = 30.0


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A settings folder of the test's own, re-read by every EventEngine."""
    folder = tmp_path / ".vntrader"
    monkeypatch.setenv("VTCORE_HOME", str(folder))
    monkeypatch.setitem(setting._settings_state, "loaded", False)
    yield folder
    setting._settings_state["loaded"] = False


def thread_cpu_seconds(native_id: int) -> float:
    with open(f"/proc/self/task/{native_id}/schedstat", encoding="ascii") as stat:
        return int(stat.read().split()[0]) / 1e9


def test_profiles_are_chosen_by_argument_and_by_setting(home: Path) -> None:
    assert set(PROFILES) == {"latency", "balanced", "efficient"}
    assert EventEngine().profile == "balanced"  # the default
    assert EventEngine(profile="latency").profile == "latency"
    with pytest.raises(ValueError, match="unknown engine profile 'fast'"):
        EventEngine(profile="fast")
    home.mkdir(parents=True)
    (home / "vt_setting.json").write_text(
        json.dumps({"engine.profile": "efficient", "engine.cpu": -1}), encoding="utf-8"
    )
    setting.load_settings()
    assert EventEngine().profile == "efficient"
    assert EventEngine(profile="latency").profile == "latency"  # the argument wins

    (home / "vt_setting.json").write_text(json.dumps({"engine.profile": "turbo"}), encoding="utf-8")
    setting.load_settings()
    with pytest.raises(SettingsError, match=r"engine\.profile"):
        EventEngine()


def run_ticks(engine: EventEngine, count: int, rate: float) -> _core.TestProducer:
    producer = engine.create_producer("sim", "SIM", capacity=max(1024, count))
    test_producer = _core.TestProducer(producer, ["rb2605"], "SHFE")
    test_producer.start(count, rate)
    assert test_producer.join(TIMEOUT)
    return test_producer


def test_latency_profile_never_makes_the_vendor_thread_wake_the_engine(home: Path) -> None:
    engine = EventEngine(interval=0.05, profile="latency")
    seen: list[int] = []
    engine.register(EVENT_TICK, lambda event: seen.append(int(event.data.volume)))
    engine.start()
    try:
        run_ticks(engine, 300, 3_000.0)  # paced: the engine is idle between ticks
        assert wait_until(lambda: len(seen) == 300)
        assert seen == list(range(1, 301))
        stats = engine.wait_stats()
        assert stats["caught_spinning"] > 0
        if stats["starved"] == 0:  # it kept its CPU (on a machine short of cores it parks instead: C++ tests)
            assert stats["wakes"] == 0 and stats["parks"] == 0  # no futex wake-up, ever
    finally:
        engine.stop()


def test_an_idle_latency_engine_rehearses_its_tick_path_without_calling_handlers(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(event_module, "_REHEARSE_SECONDS", 0.2)  # a live feed: ticks within the last 0.2 s
    engine = EventEngine(interval=1.0, profile="latency")
    seen: list[int] = []
    engine.register(EVENT_TICK, lambda event: seen.append(int(event.data.volume)))
    assert engine._dispatcher.rehearse() is False  # no tick dispatched yet: nothing to rehearse on
    engine.start()
    try:
        run_ticks(engine, 20, 1_000.0)
        assert wait_until(lambda: len(seen) == 20)
        # Idle after the feed: it rehearses (every 500 µs) for a while, then stops, the feed being silent.
        assert wait_until(lambda: engine.wait_stats()["rehearsals"] > 0)
        stopped = []

        def rehearsals_stopped() -> bool:
            stopped.append(engine.wait_stats()["rehearsals"])
            return len(stopped) > 100 and stopped[-1] == stopped[-101]  # none for 100 looks (>= 0.1 s)

        assert wait_until(rehearsals_stopped)
        assert seen == list(range(1, 21))  # a rehearsal never calls a handler
    finally:
        engine.stop()
    balanced = EventEngine(interval=1.0, profile="balanced")
    balanced.register(EVENT_TICK, lambda event: None)
    balanced.start()
    try:
        run_ticks(balanced, 20, 1_000.0)
        assert wait_until(lambda: balanced._dispatcher.ticks_dispatched == 20)
        assert balanced.wait_stats()["rehearsals"] == 0  # only `latency` rehearses
    finally:
        balanced.stop()


def test_a_latency_engine_fed_by_put_runs_its_loop_while_the_feed_is_live(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """put() events count as a live feed too: after one, the loop runs every 500 µs (its code stays in the
    caches for the next put) for _REHEARSE_SECONDS, then waits for its timer again."""
    monkeypatch.setattr(event_module, "_REHEARSE_SECONDS", 0.2)
    engine = EventEngine(interval=1.0, profile="latency")
    seen: list[int] = []
    engine.register("eFed", lambda event: seen.append(event.data))
    engine.start()
    try:
        assert wait_until(lambda: engine.thread_id is not None)
        waits = engine.wait_stats()["waits"]
        engine.put(Event("eFed", 1))
        assert wait_until(lambda: seen == [1])
        # 20 loop turns within 2 s: a slice of 500 µs each, where the timer alone would make two or three
        assert wait_until(lambda: engine.wait_stats()["waits"] >= waits + 20, timeout=2.0)
        looks: list[int] = []

        def turns_stopped() -> bool:
            looks.append(engine.wait_stats()["waits"])
            return len(looks) > 100 and looks[-1] - looks[-101] <= 1  # at most the timer's, over >= 0.1 s

        assert wait_until(turns_stopped)
    finally:
        engine.stop()


@pytest.mark.parametrize("profile", ["balanced", "efficient"])
def test_parking_profiles_sleep_when_idle(profile: str, home: Path) -> None:
    engine = EventEngine(interval=1.0, profile=profile)
    engine.start()
    try:
        assert wait_until(lambda: engine.thread_id is not None)
        native_id = engine.thread_id
        assert native_id is not None
        time.sleep(0.05)
        cpu, wall = thread_cpu_seconds(native_id), time.monotonic()
        time.sleep(0.5)
        share = (thread_cpu_seconds(native_id) - cpu) / (time.monotonic() - wall)
        assert share < 0.05, f"{profile}: the idle engine thread used {share:.1%} of a core"
    finally:
        engine.stop()


def test_efficient_profile_batches_ticks_but_not_messages(home: Path) -> None:
    engine = EventEngine(interval=1.0, profile="efficient")
    runs: list[int] = []
    messages: list[float] = []
    engine.register_tick_batch(lambda ticks, gateway_name: runs.append(len(ticks)))
    engine.start()
    try:
        producer = engine.create_producer(
            "sim", "SIM", lambda kind, request_id, is_last, payload: messages.append(time.monotonic())
        )
        test_producer = _core.TestProducer(producer, ["rb2605"], "SHFE")
        test_producer.start(2_000, 10_000.0)  # 0.2 s of ticks
        assert test_producer.join(TIMEOUT)
        assert wait_until(lambda: sum(runs) == 2_000)
        # Drained in batches of about 5 ms (50 ticks at 10k/s), not one run per tick or two.
        assert len(runs) < 400, runs
        # A message goes through at once even while ticks wait for their batch.
        test_producer.start(1_000_000, 10_000.0)
        time.sleep(0.05)
        sent = time.monotonic()
        producer.push_message(1, 2, True, struct.pack("<Q", 1))
        assert wait_until(lambda: len(messages) == 1)
        test_producer.stop()
        assert messages[0] - sent < 0.5
    finally:
        engine.stop()


def pinned_engine_affinity(cpu: int) -> set[int]:
    """Runs an engine pinned to `cpu` and returns its thread's CPU affinity."""
    engine = EventEngine(profile="latency", cpu=cpu)
    engine.start()
    try:
        assert wait_until(lambda: engine.thread_id is not None)
        native_id = engine.thread_id
        assert native_id is not None
        assert wait_until(lambda: os.sched_getaffinity(native_id) == {cpu})
        return os.sched_getaffinity(native_id)
    finally:
        engine.stop()


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this platform")
def test_the_engine_thread_can_be_pinned(home: Path) -> None:
    cpus = os.sched_getaffinity(0)
    assert pinned_engine_affinity(max(cpus)) == {max(cpus)}
    assert os.sched_getaffinity(0) == cpus  # only the engine thread
    with pytest.raises(ValueError, match="cannot pin"):
        EventEngine(cpu=10_000)


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs"
)
def test_the_pinned_engine_thread_may_use_a_cpu_the_other_threads_keep_off(home: Path) -> None:
    """Isolating the engine's core: the process keeps off the last CPU, the engine thread runs there."""
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus - {max(cpus)})
    try:
        assert pinned_engine_affinity(max(cpus)) == {max(cpus)}
    finally:
        os.sched_setaffinity(0, cpus)


def test_a_put_flood_drops_ticks_counted_and_never_an_order(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 19, item 4: the put() queue is bounded for ticks like the C++ rings, orders and trades are kept,
    and the growth is logged."""
    engine = EventEngine(interval=0.05, max_queue=1_000)
    gate, inside = threading.Event(), threading.Event()
    ticks: list[int] = []
    orders: list[int] = []

    def hold(event: Event) -> None:
        inside.set()
        gate.wait(TIMEOUT)

    engine.register("hold", hold)
    engine.register(EVENT_TICK, lambda event: ticks.append(event.data))
    engine.register("eOrder.", lambda event: orders.append(event.data))
    engine.start()
    try:
        engine.put(Event("hold"))
        assert inside.wait(TIMEOUT)
        with caplog.at_level(logging.WARNING, logger="vtcore.event"):
            for i in range(1_500):
                engine.put(Event(EVENT_TICK, i))
            for i in range(300):
                engine.put(Event("eOrder.", i))
            for i in range(1_500, 2_000):
                engine.put(Event(EVENT_TICK, i))
            assert engine.queue_size == 1_300
            gate.set()
            assert wait_until(lambda: len(orders) == 300 and engine.queue_size == 0)
            assert wait_until(lambda: "put() dropped 1000 ticks" in caplog.text)
        assert orders == list(range(300))  # every order, in order
        assert ticks == list(range(1_000))  # the first 1,000 ticks; the rest dropped
        assert engine.dropped_puts == 1_000 and engine.dropped_ticks == 1_000
        assert "events wait in the put() queue" in caplog.text  # the growth past the bound was reported
    finally:
        gate.set()
        engine.stop()
