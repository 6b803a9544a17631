"""TestProducer: a C++ thread delivering synthetic ticks (and markers) through the hub."""

from __future__ import annotations

import struct
import threading
import time

import numpy as np
import pytest

from vtcore import _core


def consume(hub: _core.EventHub, producer: _core.TestProducer) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Drains until the producer has finished and nothing is left; returns the ticks (copied) and
    (position in the tick stream, payload sequence) for every message."""
    chunks: list[np.ndarray] = []
    messages: list[tuple[int, int]] = []
    received = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        finished = not producer.running
        hub.wait(0.1)
        segments = hub.drain(4096)
        for segment in segments:
            if isinstance(segment, _core.TickRun):
                chunks.append(hub.tick_buffer.view(segment.start, segment.size).copy())
                received += segment.size
            else:
                assert segment.kind == 1
                messages.append((received, struct.unpack("=Q", segment.payload)[0]))
        if finished and not segments:
            break
    assert producer.join(10.0)
    dtype = _core.TickBuffer(1).array().dtype
    return (np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)), messages


def test_delivers_every_tick_in_sequence() -> None:
    count = 20_000
    hub = _core.EventHub(65536)
    producer = hub.add_producer("test", 65536)  # room for the whole run: nothing can be dropped
    symbols = ["rb2501", "ag2506", "cu2503"]
    generator = _core.TestProducer(producer, symbols, "SHFE", message_every=100)
    before = time.time_ns()
    generator.start(count)
    ticks, messages = consume(hub, generator)
    after = time.time_ns()

    assert (generator.pushed, generator.dropped) == (count, 0)
    assert producer.ticks_dropped == 0
    assert list(ticks["volume"]) == list(range(1, count + 1))  # 1..N, no gap, in order
    assert [s.decode() for s in ticks["symbol"][:6]] == symbols * 2  # round robin
    assert set(ticks["exchange"]) == {_core.exchange_values().index("SHFE")}
    assert ((ticks["localtime"] >= before) & (ticks["localtime"] <= after)).all()
    assert (np.diff(ticks["localtime"]) >= 0).all()
    assert (ticks["bid_price_1"] < ticks["last_price"]).all()
    assert (ticks["ask_price_1"] > ticks["last_price"]).all()
    assert (ticks["bid_price_5"] < ticks["bid_price_1"]).all()
    # A marker after every 100th tick, right after that tick in the producer's order.
    assert messages == [(seq, seq) for seq in range(100, count + 1, 100)]


def test_rate_is_paced() -> None:
    hub = _core.EventHub(1024)
    producer = hub.add_producer("paced", 1024)
    generator = _core.TestProducer(producer, ["rb2501"])
    generator.start(201, rate=2000.0)
    ticks, _ = consume(hub, generator)
    assert len(ticks) == 201
    # Tick k is not pushed before start + k / rate: 200 gaps take at least 0.1 s.
    assert ticks["localtime"][-1] - ticks["localtime"][0] >= 0.099e9


def test_join_times_out_and_stop_ends_the_run() -> None:
    hub = _core.EventHub(64)
    producer = hub.add_producer("endless", 64)
    generator = _core.TestProducer(producer, ["rb2501"])
    generator.start(10**9, rate=1000.0)
    assert generator.running
    assert not generator.join(0.01)
    with pytest.raises(RuntimeError):
        generator.start(1)  # one run at a time
    # stop() from another thread while this one is blocked in join(): join must release the GIL.
    stopper = threading.Timer(0.05, generator.stop)
    stopper.start()
    assert generator.join(10.0)
    stopper.join()
    assert not generator.running
    assert generator.pushed + generator.dropped < 10**9


def test_stop_is_prompt_at_a_low_rate() -> None:
    hub = _core.EventHub(64)
    producer = hub.add_producer("slow", 64)
    generator = _core.TestProducer(producer, ["rb2501"])
    generator.start(10, rate=0.01)  # the second tick is due in 100 s
    started = time.monotonic()
    generator.stop()
    assert time.monotonic() - started < 5.0
    assert not generator.running
    assert generator.pushed <= 1


def test_bad_arguments() -> None:
    hub = _core.EventHub(8)
    producer = hub.add_producer("p", 8)
    with pytest.raises(ValueError, match="symbol"):
        _core.TestProducer(producer, ["x" * 17])  # 16 bytes fit TickRecord.symbol, 17 do not
    with pytest.raises(ValueError, match="exchange"):
        _core.TestProducer(producer, ["rb2501"], "NOWHERE")
    with pytest.raises(ValueError):
        _core.TestProducer(producer, [])
    generator = _core.TestProducer(producer, ["x" * 16])
    for rate in (-1.0, float("nan"), float("inf"), 1e-6):
        with pytest.raises(ValueError, match="rate"):
            generator.start(10, rate=rate)
    assert not generator.running
