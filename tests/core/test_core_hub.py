"""EventHub and Producer seen from Python: order, spill, drops, drain limits, wait, capsules."""

from __future__ import annotations

import ctypes
import gc
import struct
import threading
import time
from typing import Any

import numpy as np
import pytest

from vtcore import _core

MESSAGE = 1


def tick_bytes(seq: int) -> bytes:
    record = np.zeros(1, dtype=_core.TickBuffer(1).array().dtype)
    record["symbol"] = b"rb2501"
    record["volume"] = seq
    return record.tobytes()


def flatten(hub: _core.EventHub, segments: list[tuple[Any, ...]]) -> list[tuple[int, str, int]]:
    """(producer id, "tick" | "message", sequence number) for every record, in delivery order."""
    events: list[tuple[int, str, int]] = []
    for segment in segments:
        if isinstance(segment, _core.TickRun):
            volumes = hub.tick_buffer.view(segment.start, segment.size)["volume"]
            events += [(segment.producer_id, "tick", int(volume)) for volume in volumes]
        else:
            assert isinstance(segment, _core.ProducerMessage)
            assert (segment.kind, segment.is_last) == (7, True)
            (seq,) = struct.unpack_from("=Q", segment.payload)
            assert segment.request_id == seq
            events.append((segment.producer_id, "message", seq))
    return events


def drain_all(hub: _core.EventHub, max_records: int = 4096) -> list[tuple[int, str, int]]:
    events: list[tuple[int, str, int]] = []
    while segments := hub.drain(max_records):
        events += flatten(hub, segments)
    return events


def push_message(producer: _core.Producer, seq: int, size: int = 8) -> None:
    payload = struct.pack("=Q", seq) + bytes(max(0, size - 8))
    producer.push_message(7, seq, True, payload)


def test_interleaved_order_is_kept() -> None:
    hub = _core.EventHub(1024)
    producer = hub.add_producer("md", 1024)
    expected = []
    for seq in range(1, 101):
        if seq % 4 == 0:
            push_message(producer, seq, size=2000 if seq % 8 == 0 else 8)  # heap and inline payloads
            expected.append((producer.id, "message", seq))
        else:
            assert producer.push_tick(tick_bytes(seq))
            expected.append((producer.id, "tick", seq))
    assert drain_all(hub, max_records=7) == expected
    assert hub.drain() == []


def test_full_ring_drops_ticks_and_spills_messages_in_order() -> None:
    hub = _core.EventHub(1024)
    producer = hub.add_producer("stalled", 4)
    pushed_ticks: list[int] = []
    messages: list[int] = []
    for seq in range(1, 61):
        if seq % 5 == 0:
            push_message(producer, seq)
            messages.append(seq)
        elif producer.push_tick(tick_bytes(seq)):
            pushed_ticks.append(seq)
    # The ring took the first 4 ticks; then messages spilled, and no tick may overtake them.
    assert pushed_ticks == [1, 2, 3, 4]
    assert producer.ticks_pushed == 4
    assert producer.ticks_dropped == 48 - 4
    assert producer.messages_pushed == len(messages) == 12
    assert producer.messages_spilled == 12

    events = drain_all(hub, max_records=3)
    assert [seq for _, _, seq in events] == [1, 2, 3, 4, *messages]
    # The overflow was delivered: the ring is used again.
    assert producer.push_tick(tick_bytes(61))
    assert drain_all(hub) == [(producer.id, "tick", 61)]


def test_drop_counting_and_stats() -> None:
    hub = _core.EventHub(64)
    a = hub.add_producer("a", 4)
    b = hub.add_producer("b", 8)
    results = [a.push_tick(tick_bytes(seq)) for seq in range(10)]
    assert results == [True] * 4 + [False] * 6
    stats = {entry["name"]: entry for entry in hub.stats()}
    assert stats["a"] == {
        "id": a.id,
        "name": "a",
        "ticks_pushed": 4,
        "ticks_dropped": 6,
        "messages_pushed": 0,
        "messages_spilled": 0,
    }
    assert stats["b"]["ticks_pushed"] == 0
    assert (a.ticks_pushed, a.ticks_dropped) == (4, 6)
    assert b.id != a.id
    assert hub.ticks_dropped_total == 6
    assert [b.push_tick(tick_bytes(seq)) for seq in range(10)] == [True] * 8 + [False] * 2
    assert hub.ticks_dropped_total == 8
    hub.remove_producer(a)  # its drops stay counted: the total never goes back
    assert hub.ticks_dropped_total == 8
    assert not b.push_tick(tick_bytes(99))
    assert hub.ticks_dropped_total == 9


def test_drain_never_takes_more_ticks_than_the_buffer_holds() -> None:
    hub = _core.EventHub(16)
    producer = hub.add_producer("burst", 64)
    for seq in range(1, 41):
        assert producer.push_tick(tick_bytes(seq))
    first = hub.drain(1000)
    assert sum(run.size for run in first) == 16
    for _, start, count in first:
        # Every run of one drain is a valid, non-wrapping view until the next drain.
        assert (start % 16) + count <= 16
        assert hub.tick_buffer.is_valid(start, count)
    seen = flatten(hub, first)
    while segments := hub.drain(1000):
        seen += flatten(hub, segments)
    assert [seq for _, _, seq in seen] == list(range(1, 41))
    # The first drain's records were overwritten by the later ones: a stale view is refused.
    _, start, count = first[0]
    with pytest.raises(_core.StaleViewError):
        hub.tick_buffer.view(start, count)


def test_round_robin_across_producers() -> None:
    hub = _core.EventHub(1024)
    producers = [hub.add_producer(name, 256) for name in "abc"]
    for producer in producers:
        for seq in range(1, 101):
            producer.push_tick(tick_bytes(seq))
    events = flatten(hub, hub.drain(30))
    counts = {p.id: sum(1 for pid, _, _ in events if pid == p.id) for p in producers}
    assert counts == {p.id: 10 for p in producers}
    for producer in producers:  # and each producer's own order is kept
        seqs = [seq for pid, _, seq in events if pid == producer.id]
        assert seqs == list(range(1, 11))


def test_remove_producer() -> None:
    hub = _core.EventHub(64)
    keep = hub.add_producer("keep", 8)
    gone = hub.add_producer("gone", 8)
    gone.push_tick(tick_bytes(1))
    hub.remove_producer(gone)
    assert [entry["name"] for entry in hub.stats()] == ["keep"]
    assert not gone.push_tick(tick_bytes(2))  # detached: refused and counted
    with pytest.raises(ValueError, match="not attached"):
        hub.remove_producer(gone)
    with pytest.raises(ValueError, match="not attached"):
        _core.EventHub(8).remove_producer(keep)  # ids are per hub
    keep.push_tick(tick_bytes(3))
    assert drain_all(hub) == [(keep.id, "tick", 3)]


def test_producer_outliving_its_hub_discards() -> None:
    hub = _core.EventHub(16)
    producer = hub.add_producer("orphan", 2)
    del hub
    gc.collect()
    assert not producer.push_tick(tick_bytes(1))
    for seq in range(10):
        push_message(producer, seq)
    assert (producer.messages_pushed, producer.messages_spilled) == (0, 0)


def test_producers_are_made_by_the_hub_only() -> None:
    with pytest.raises(TypeError):
        _core.Producer()


def test_bad_records_are_refused() -> None:
    hub = _core.EventHub(8)
    producer = hub.add_producer("p", 8)
    with pytest.raises(ValueError, match="248 bytes"):
        producer.push_tick(b"\0" * 303)
    with pytest.raises(BufferError):
        producer.push_tick(memoryview(bytes(608))[::2])  # not contiguous
    assert producer.ticks_pushed == producer.ticks_dropped == 0
    with pytest.raises(ValueError):
        hub.add_producer("zero", 0)
    with pytest.raises(ValueError):
        _core.EventHub(0)


def test_wait_returns_on_push_and_releases_the_gil() -> None:
    hub = _core.EventHub(64, spin_us=0.0)
    producer = hub.add_producer("p", 8)
    assert not hub.wait(0.0)
    # The pushing thread needs the GIL, so this returns early only if wait() released it.
    pusher = threading.Timer(0.05, lambda: producer.push_tick(tick_bytes(1)))
    pusher.start()
    started = time.monotonic()
    assert hub.wait(10.0)
    assert time.monotonic() - started < 5.0
    pusher.join()
    assert hub.wait(10.0)  # work still pending: returns at once
    hub.drain()


def test_notify_wakes_a_waiting_consumer() -> None:
    hub = _core.EventHub(64, spin_us=0.0)
    hub.add_producer("idle", 8)
    notifier = threading.Timer(0.05, hub.notify)
    notifier.start()
    started = time.monotonic()
    assert not hub.wait(10.0)  # woken, with no work
    assert time.monotonic() - started < 5.0
    notifier.join()
    hub.notify()  # remembered for the next wait
    started = time.monotonic()
    assert not hub.wait(10.0)
    assert time.monotonic() - started < 5.0


def test_capsule_carries_the_producer() -> None:
    hub = _core.EventHub(8)
    producer = hub.add_producer("ctp-md", 8)
    capsule = producer.capsule()
    is_valid = ctypes.pythonapi.PyCapsule_IsValid
    is_valid.argtypes = [ctypes.py_object, ctypes.c_char_p]
    is_valid.restype = ctypes.c_int
    assert is_valid(capsule, b"vtcore.Producer") == 1
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    get_pointer.restype = ctypes.c_void_p
    assert get_pointer(capsule, b"vtcore.Producer")  # a heap std::shared_ptr<Producer>
    del capsule  # its destructor releases that shared_ptr; the producer is still usable
    assert producer.push_tick(tick_bytes(1))


def test_a_busy_producer_beside_an_idle_one_comes_in_whole_runs() -> None:
    """The drain budget left by a producer that ran out goes to the others in one run, not in halving ones
    (2048, 1019, 509, ... meant a Python call per piece)."""
    hub = _core.EventHub(65536)
    busy, idle = hub.add_producer("busy", 16384), hub.add_producer("idle", 64)
    for seq in range(10_000):
        assert busy.push_tick(tick_bytes(seq))
    for seq in range(10):
        assert idle.push_tick(tick_bytes(seq))
    segments = hub.drain(4096)
    runs = {p.id: [run.size for run in segments if run.producer_id == p.id] for p in (busy, idle)}
    assert runs[idle.id] == [10]
    assert runs[busy.id] == [2048, 4096 - 10 - 2048]  # its share, then everything the idle one left
    assert [event[2] for event in flatten(hub, segments) if event[0] == busy.id] == list(range(4086))


def test_last_woken_ns_marks_the_waits_that_work_or_a_notify_ended() -> None:
    """The timestamp latency breakdowns read (CLOCK_REALTIME, as time.time_ns): a Python put() ends the
    engine's wait with notify(), a vendor push with work; a wait that timed out leaves it alone."""
    hub = _core.EventHub(64)
    producer = hub.add_producer("p", 8)
    assert not hub.wait(0.001)
    assert hub.last_woken_ns == 0
    before = time.time_ns()
    hub.notify()
    assert not hub.wait(1.0)  # ended by the notification: no producer work
    notified = hub.last_woken_ns
    assert before <= notified <= time.time_ns()
    assert producer.push_tick(tick_bytes(1))
    assert hub.wait(1.0)
    assert hub.last_woken_ns >= notified
