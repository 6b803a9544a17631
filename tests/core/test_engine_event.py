"""EventEngine on the C++ hub: ordering, batches, exception isolation, timer, stop, thread safety."""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from vtcore import _core
from vtcore.constant import Exchange
from vtcore.errors import EngineError
from vtcore.event import EVENT_ORDER, EVENT_TICK, EVENT_TIMER, Event, EventEngine
from vtcore.gateway import BaseGateway
from vtcore.object import OrderData, TickData

TIMEOUT = 30.0  # generous: conditions are awaited, never assumed after a sleep


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


@pytest.fixture
def engine() -> Iterator[EventEngine]:
    engine = EventEngine(interval=0.05)
    yield engine
    engine.stop()


def run_producer(
    engine: EventEngine,
    count: int,
    symbols: list[str],
    *,
    message_every: int = 0,
    name: str = "sim",
    gateway_name: str = "SIM",
    on_message: Callable[[int, int, bool, bytes], None] | None = None,
) -> _core.TestProducer:
    producer = engine.create_producer(name, gateway_name, on_message, capacity=count + 1024)
    test_producer = _core.TestProducer(producer, symbols, "SHFE", message_every)
    test_producer.start(count)
    assert test_producer.join(TIMEOUT)
    assert test_producer.dropped == 0  # the ring holds the whole run, so order checks see everything
    return test_producer


def test_per_producer_order_with_messages_interleaved(engine):
    seen: list[tuple[str, int]] = []
    engine.register(EVENT_TICK, lambda event: seen.append(("tick", int(event.data.volume))))

    def on_message(kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        seen.append(("msg", struct.unpack("<Q", payload)[0]))

    engine.start()
    run_producer(engine, 5000, ["rb2605", "hc2605"], message_every=100, on_message=on_message)
    assert wait_until(lambda: len(seen) == 5050)
    expected = []
    for seq in range(1, 5001):
        expected.append(("tick", seq))
        if seq % 100 == 0:
            expected.append(("msg", seq))
    assert seen == expected


def test_two_producers_keep_their_own_order(engine):
    seen: dict[str, list[int]] = {"A": [], "B": []}
    engine.register(EVENT_TICK, lambda event: seen[event.data.gateway_name].append(int(event.data.volume)))
    engine.start()
    producers = []
    for name in ("A", "B"):
        producer = engine.create_producer(name, name, capacity=8192)
        test_producer = _core.TestProducer(producer, [f"{name}1"], "DCE")
        test_producer.start(3000)
        producers.append(test_producer)
    for test_producer in producers:
        assert test_producer.join(TIMEOUT) and test_producer.dropped == 0
    assert wait_until(lambda: len(seen["A"]) + len(seen["B"]) == 6000)
    assert seen["A"] == list(range(1, 3001)) and seen["B"] == list(range(1, 3001))


def test_ticks_become_tick_data_with_two_events(engine):
    generic: list[Event] = []
    specific: list[Event] = []
    general: list[str] = []
    engine.register(EVENT_TICK, generic.append)
    engine.register(EVENT_TICK + "rb2605.SHFE", specific.append)
    engine.register_general(lambda event: general.append(event.type))
    engine.start()
    before_ns = time.time_ns()
    run_producer(engine, 10, ["rb2605", "hc2605"])
    assert wait_until(lambda: len(generic) == 10 and len(specific) == 5)
    tick = specific[0].data
    assert isinstance(tick, TickData)
    assert specific[0].type == "eTick.rb2605.SHFE"
    assert generic[0].data is tick  # one object for both events, as in vn.py
    assert (tick.gateway_name, tick.symbol, tick.exchange, tick.vt_symbol) == (
        "SIM",
        "rb2605",
        Exchange.SHFE,
        "rb2605.SHFE",
    )
    assert tick.volume == 1 and tick.bid_price_1 == tick.last_price - 0.5 and tick.ask_volume_5 == 51
    assert tick.datetime.utcoffset().total_seconds() == 8 * 3600
    assert tick.datetime.timestamp() >= before_ns // 10**9
    assert all(event.data.symbol == "rb2605" for event in specific)
    assert wait_until(lambda: general.count(EVENT_TICK) == 10)
    assert general.count("eTick.hc2605.SHFE") == 5  # general handlers see both events of every tick


def test_batch_handler_gets_numpy_runs_and_no_objects_are_built(engine):
    runs: list[np.ndarray] = []
    engine.register_tick_batch(lambda ticks, gateway_name: runs.append((ticks.copy(), gateway_name)))
    engine.start()
    run_producer(engine, 20000, ["rb2605"])
    assert wait_until(lambda: sum(len(run) for run, _ in runs) == 20000)
    volumes = np.concatenate([run["volume"] for run, _ in runs])
    assert np.array_equal(volumes, np.arange(1, 20001, dtype=float))
    assert {gateway_name for _, gateway_name in runs} == {"SIM"}
    assert runs[0][0]["symbol"][0] == b"rb2605"
    assert engine._dispatcher.ticks_dispatched == 0  # nobody listened per tick: no TickData built


def test_handler_exceptions_are_logged_and_never_stop_the_engine(engine, caplog):
    delivered: list[str] = []

    def broken(event: Event) -> None:
        raise ValueError(f"bad handler on {event.type}")

    def broken_batch(ticks: np.ndarray, gateway_name: str) -> None:
        raise RuntimeError("bad batch handler")

    def broken_message(kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        raise KeyError("bad message handler")

    engine.register("eTest", broken)
    engine.register("eTest", lambda event: delivered.append(event.data))
    engine.register(EVENT_TICK, broken)
    engine.register_tick_batch(broken_batch)
    with caplog.at_level(logging.ERROR, logger="vtcore"):
        engine.start()
        engine.put(Event("eTest", "first"))
        run_producer(engine, 10, ["rb2605"], message_every=5, on_message=broken_message)
        engine.put(Event("eTest", "second"))
        assert wait_until(lambda: delivered == ["first", "second"])
        # 2 eTest + 10 ticks + 2 messages + at least one batch call (the run may be drained in parts)
        assert wait_until(lambda: engine.handler_errors >= 15)
    text = caplog.text
    assert "Traceback" in text and "ValueError: bad handler on eTest" in text
    assert "RuntimeError: bad batch handler" in text and "KeyError: 'bad message handler'" in text
    timers: list[Event] = []
    engine.register(EVENT_TIMER, timers.append)
    assert wait_until(lambda: len(timers) >= 2)  # still running


def test_timer_fires_on_schedule_and_reaches_general_handlers():
    engine = EventEngine(interval=0.02)
    stamps: list[float] = []
    general: list[str] = []
    engine.register(EVENT_TIMER, lambda event: stamps.append(time.monotonic()))
    engine.register_general(lambda event: general.append(event.type))
    start = time.monotonic()
    engine.start()
    try:
        assert wait_until(lambda: len(stamps) >= 10)
    finally:
        engine.stop()
    # Never early: the k-th timer is due at start + k * interval (a schedule, not sleep-then-put).
    for k, stamp in enumerate(stamps, start=1):
        assert stamp >= start + k * 0.02 - 1e-3
    assert general.count(EVENT_TIMER) >= 10


def test_stop_with_events_queued_returns_and_discards():
    engine = EventEngine(interval=10)
    release = threading.Event()
    entered = threading.Event()
    handled: list[int] = []

    def slow(event: Event) -> None:
        handled.append(event.data)
        entered.set()
        release.wait(TIMEOUT)

    engine.register("eWork", slow)
    engine.start()
    engine.put(Event("eWork", 0))
    assert entered.wait(TIMEOUT)
    for i in range(1, 10001):
        engine.put(Event("eWork", i))
    stopper = threading.Thread(target=engine.stop)
    stopper.start()
    assert wait_until(lambda: not engine.active)
    release.set()
    stopper.join(TIMEOUT)
    assert not stopper.is_alive()
    assert handled == [0]  # nothing is dispatched once stop() was called
    assert engine.discarded_on_stop == 10000
    assert len(engine._queue) == 0


def test_stop_from_a_handler_does_not_deadlock():
    engine = EventEngine(interval=10)
    engine.register("eStop", lambda event: engine.stop())
    engine.start()
    thread = engine._thread
    engine.put(Event("eStop"))
    assert wait_until(lambda: thread is not None and not thread.is_alive())
    engine.stop()


def test_register_semantics(engine):
    calls: list[str] = []

    def handler(event: Event) -> None:
        calls.append(event.type)

    engine.register("eA", handler)
    engine.register("eA", handler)  # duplicate ignored
    engine.register("eA.x", handler)
    engine.start()
    engine.put(Event("eA"))
    engine.put(Event("eA.x"))
    engine.put(Event("eA.y"))  # exact type only: no prefix matching
    engine.put(Event("eDone"))
    done = threading.Event()
    engine.register("eDone", lambda event: done.set())
    assert done.wait(TIMEOUT)
    assert calls == ["eA", "eA.x"]
    engine.unregister("eA", handler)
    engine.unregister("eA", handler)  # unknown: ignored
    done.clear()
    engine.put(Event("eA"))
    engine.put(Event("eDone"))
    assert done.wait(TIMEOUT)
    assert calls == ["eA", "eA.x"]


def test_register_and_put_from_other_threads_while_dispatching(engine):
    received: list[int] = []
    lock = threading.Lock()

    def counting(event: Event) -> None:
        with lock:
            received.append(event.data)

    engine.register("eKeep", counting)
    engine.start()
    stop = threading.Event()

    def churn() -> None:
        handlers = [lambda event, i=i: None for i in range(20)]
        while not stop.is_set():
            for handler in handlers:
                engine.register("eKeep", handler)
                engine.register_general(handler)
            for handler in handlers:
                engine.unregister("eKeep", handler)
                engine.unregister_general(handler)

    def put_many(offset: int) -> None:
        for i in range(5000):
            engine.put(Event("eKeep", offset + i))

    churner = threading.Thread(target=churn)
    churner.start()
    putters = [threading.Thread(target=put_many, args=(k * 5000,)) for k in range(2)]
    for thread in putters:
        thread.start()
    for thread in putters:
        thread.join(TIMEOUT)
    try:
        assert wait_until(lambda: len(received) == 10000)
    finally:
        stop.set()
        churner.join(TIMEOUT)
    assert sorted(received) == list(range(10000))
    assert engine.handler_errors == 0


def test_producers_added_and_removed_from_other_threads(engine):
    seen: list[str] = []
    engine.register(EVENT_TICK, lambda event: seen.append(event.data.gateway_name))
    engine.start()
    results: list[int] = []

    def cycle(name: str) -> None:
        producer = engine.create_producer(name, name, capacity=1024)
        test_producer = _core.TestProducer(producer, ["x1"], "CZCE")
        test_producer.start(200)
        test_producer.join(TIMEOUT)
        engine.remove_producer(producer)  # what it pushed is dispatched first
        results.append(test_producer.pushed)

    threads = [threading.Thread(target=cycle, args=(f"G{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert results == [200] * 4
    assert sorted(set(seen)) == ["G0", "G1", "G2", "G3"] and len(seen) == 800
    assert engine.stats() == []


def test_drops_are_counted_and_reported():
    engine = EventEngine()
    producer = engine.create_producer("small", "SIM", capacity=256)
    test_producer = _core.TestProducer(producer, ["rb2605"], "SHFE")
    test_producer.start(5000)  # the engine is not started: the ring fills and the rest is dropped
    assert test_producer.join(TIMEOUT)
    assert test_producer.dropped > 0
    assert engine.dropped_ticks == test_producer.dropped
    (entry,) = engine.stats()
    assert entry["ticks_pushed"] + entry["ticks_dropped"] == 5000 and entry["name"] == "small"
    engine.stop()


def test_drops_are_logged_once_per_timer_interval(caplog):
    """A handler slower than the feed: the ring fills, ticks are dropped, and the engine says so in the log
    with the exact count (once, at the next timer tick), not only in a counter nobody reads."""
    engine = EventEngine(interval=0.05)
    release = threading.Event()
    seen: list[int] = []

    def slow_handler(event: Event) -> None:
        seen.append(1)
        release.wait(TIMEOUT)

    engine.register(EVENT_TICK, slow_handler)
    producer = engine.create_producer("slow", "SIM", capacity=8)
    assert producer.capacity == 8
    test_producer = _core.TestProducer(producer, ["rb2605"], "SHFE")
    engine.start()
    try:
        with caplog.at_level(logging.WARNING, logger="vtcore.event"):
            test_producer.start(1)
            assert test_producer.join(TIMEOUT) and wait_until(lambda: seen)  # the handler now blocks
            test_producer.start(100)  # 8 fit in the ring, the rest is dropped
            assert test_producer.join(TIMEOUT)
            dropped = test_producer.dropped
            assert dropped >= 100 - 8
            release.set()
            assert wait_until(lambda: "dropped" in caplog.text)
            assert wait_until(lambda: len(seen) == 1 + 100 - dropped)
        reports = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
        assert reports == [
            f"producer slow dropped {dropped} ticks ({dropped} in all): its ring of 8 ticks "
            "was full; the handlers are slower than the feed"
        ]
    finally:
        release.set()
        engine.stop()


def test_messages_without_a_handler_are_reported(engine, caplog):
    engine.start()
    with caplog.at_level(logging.ERROR, logger="vtcore"):
        run_producer(engine, 4, ["rb2605"], message_every=2)
        assert wait_until(lambda: "has no on_message" in caplog.text)


def test_events_put_before_start_are_dispatched_after(engine):
    got: list[str] = []
    engine.register("eEarly", lambda event: got.append(event.data))
    engine.put(Event("eEarly", "before"))
    engine.start()
    assert wait_until(lambda: got == ["before"])


def test_restart_after_stop(engine):
    got: list[int] = []
    engine.register("eRun", lambda event: got.append(event.data))
    engine.start()
    engine.put(Event("eRun", 1))
    assert wait_until(lambda: got == [1])
    engine.stop()
    engine.start()
    with pytest.raises(EngineError, match="already running"):
        engine.start()
    engine.put(Event("eRun", 2))
    assert wait_until(lambda: got == [1, 2])


def test_put_refuses_foreign_event_objects(engine):
    class VnpyLikeEvent:
        type = "eTick."
        data = None

    with pytest.raises(TypeError, match=r"vtcore\.event\.Event"):
        engine.put(VnpyLikeEvent())  # type: ignore[arg-type]


def test_handler_unregistering_itself_during_dispatch(engine):
    calls: list[str] = []

    def once(event: Event) -> None:
        calls.append("once")
        engine.unregister("eSelf", once)

    engine.register("eSelf", once)
    engine.register("eSelf", lambda event: calls.append("other"))
    engine.start()
    for _ in range(3):
        engine.put(Event("eSelf"))
    assert wait_until(lambda: len(calls) == 4)
    assert calls == ["once", "other", "other", "other"]  # the running event finishes with the table it began


def test_isolated_puts_hand_the_gil_to_the_spinning_engine():
    """put() from a Python thread while the engine spins idle hands the GIL over (no second wake-up for the
    engine): events still arrive complete and in order, including puts made from a handler (the engine
    thread itself never hands over) and a dense burst (batched, not handed over one by one)."""
    engine = EventEngine(interval=1.0, spin_us=1_000_000)  # spins up to 1 s: always spinning between puts
    received: list[int] = []
    engine.register("eIsolated", lambda event: received.append(event.data))

    def echo(event: Event) -> None:  # a handler that puts: runs on the engine thread
        engine.put(Event("eIsolated", -event.data))

    engine.register("eEcho", echo)
    engine.start()
    try:
        time.sleep(0.01)
        # Isolated puts (1 ms apart, far more than the hand-over's minimum gap) until one was handed over: a
        # preempted engine thread (busy machine) makes a hand-over fall back, never all of 2,000.
        count = 0
        while engine.hub.handoffs == 0 and count < 2000:
            engine.put(Event("eIsolated", count))
            count += 1
            assert wait_until(lambda count=count: len(received) == count)
            time.sleep(0.001)
        assert engine.hub.handoffs >= 1
        assert received == list(range(count))
        engine.put(Event("eEcho", 7))
        assert wait_until(lambda: received[-1] == -7)
        before = len(received)
        for i in range(10_000):
            engine.put(Event("eIsolated", i))
        assert wait_until(lambda: len(received) == before + 10_000)
        assert received[before:] == list(range(10_000))
    finally:
        engine.stop()


def test_quiet_puts_queue_until_the_block_ends_then_wake_the_engine_once():
    """`with engine.quiet_puts:` (a gateway's send_order around SUBMITTING and its request): this thread's
    puts are only queued, neither handed the GIL nor notified, and the end of the block wakes the engine,
    which dispatches them in order; another thread's put meanwhile still wakes it."""
    engine = EventEngine(interval=60.0, spin_us=1_000_000)  # spinning between events; the timer never fires
    received: list[int] = []
    engine.register("eQuiet", lambda event: received.append(event.data))
    engine.start()
    try:
        assert wait_until(lambda: engine.hub.consumer_spinning)
        with engine.quiet_puts:
            engine.put(Event("eQuiet", 1))
            engine.put(Event("eQuiet", 2))
            assert engine.queue_size == 2 and received == []  # a plain put would have been handed over here
        assert wait_until(lambda: received == [1, 2])  # woken by the block's end (the timer is 60 s away)
        assert engine.hub.handoffs == 0
        with engine.quiet_puts:
            engine.put(Event("eQuiet", 3))
            other = threading.Thread(target=lambda: engine.put(Event("eQuiet", 4)))
            other.start()
            other.join()
            assert wait_until(lambda: received == [1, 2, 3, 4])
        engine.put(Event("eQuiet", 5))  # outside the block: as before
        assert wait_until(lambda: received == [1, 2, 3, 4, 5])
    finally:
        engine.stop()


def test_per_object_events_are_put_only_for_a_listener(engine):
    """A gateway's pushes: the type event always; "eOrder.<vt_orderid>" (and the other per-object types) only
    when a handler for that type or a general handler would get it, each then exactly once."""

    class Pushes(BaseGateway):  # only its pushes are used
        default_name = "P"
        connect = close = subscribe = cancel_order = query_account = query_position = print
        send_order = repr

    gateway = Pushes(engine, "P")

    def order(orderid: str) -> OrderData:
        return OrderData("P", "rb2605", Exchange.SHFE, orderid)

    typed: list[str] = []
    watched: list[str] = []
    engine.register(EVENT_ORDER, lambda event: typed.append(event.data.orderid))
    engine.register(EVENT_ORDER + "P.b", lambda event: watched.append(event.data.orderid))
    assert not engine.listened(EVENT_ORDER + "P.a") and engine.listened(EVENT_ORDER + "P.b")
    puts = engine.queue_size
    engine.stop()  # queued, not dispatched: what each push put is counted below
    gateway.on_order(order("a"))
    assert engine.queue_size == puts + 1  # nobody listens to "eOrder.P.a": not put
    gateway.on_order(order("b"))
    assert engine.queue_size == puts + 3
    general: list[str] = []
    engine.register_general(lambda event: general.append(event.type))
    gateway.on_order(order("a"))
    assert engine.queue_size == puts + 5  # a general handler gets every type
    engine.start()
    assert wait_until(lambda: len(typed) == 3 and EVENT_ORDER + "P.a" in general)
    assert typed == ["a", "b", "a"] and watched == ["b"]
    assert general.count(EVENT_ORDER + "P.a") == 1
