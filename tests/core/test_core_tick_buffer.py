"""TickBuffer views: zero copy, kept alive by their base object, stale ranges refused."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from vtcore import _core


def record(seq: int) -> bytes:
    row = np.zeros(1, dtype=_core.TickBuffer(1).array().dtype)
    row["volume"] = seq
    row["last_price"] = seq * 0.5
    return row.tobytes()


def filled(capacity: int, count: int) -> _core.TickBuffer:
    buffer = _core.TickBuffer(capacity)
    for seq in range(count):
        assert buffer.append(record(seq)) == seq
    return buffer


def test_capacity_rounds_up_and_written_counts() -> None:
    buffer = _core.TickBuffer(5)
    assert buffer.capacity == 8
    assert buffer.written == 0
    buffer.append(record(0))
    assert buffer.written == 1
    with pytest.raises(ValueError):
        _core.TickBuffer(0)


def test_view_is_zero_copy_and_read_only() -> None:
    buffer = filled(8, 4)
    view = buffer.view(1, 3)
    assert list(view["volume"]) == [1.0, 2.0, 3.0]
    assert view.ctypes.data == buffer.address() + 1 * _core.TICK_RECORD_SIZE
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view["volume"][0] = 5.0
    buffer.append(record(4))
    assert buffer.array()["volume"][4] == 4.0  # the whole-ring array sees new records


def test_view_outlives_the_buffer_object() -> None:
    gc.collect()  # engines of earlier tests waiting in reference cycles must not be freed in the middle
    alive = _core._tick_buffers_alive()
    buffer = filled(8, 8)
    assert _core._tick_buffers_alive() == alive + 1
    view = buffer.view(2, 4)
    whole = buffer.array()
    del buffer
    gc.collect()
    assert _core._tick_buffers_alive() == alive + 1  # kept alive by the views
    junk = [bytes(4096) for _ in range(1000)]  # give freed memory a chance to be reused
    assert list(view["volume"]) == [2.0, 3.0, 4.0, 5.0]
    assert list(whole["volume"]) == [float(seq) for seq in range(8)]
    del view, whole, junk
    gc.collect()
    assert _core._tick_buffers_alive() == alive  # and freed with the last one


def test_hub_views_outlive_the_hub() -> None:
    gc.collect()
    alive = _core._tick_buffers_alive()
    hub = _core.EventHub(16)
    producer = hub.add_producer("p", 8)
    producer.push_tick(record(7))
    ((_, start, count),) = hub.drain()
    view = hub.tick_buffer.view(start, count)
    del hub, producer
    gc.collect()
    assert list(view["volume"]) == [7.0]
    del view
    gc.collect()
    assert _core._tick_buffers_alive() == alive


def test_overwritten_ranges_are_refused() -> None:
    buffer = filled(8, 8)
    assert buffer.is_valid(0, 8)
    buffer.append(record(8))  # overwrites record 0
    assert not buffer.is_valid(0, 1)
    assert not buffer.is_valid(0, 8)
    assert buffer.is_valid(1, 8)
    with pytest.raises(_core.StaleViewError, match="overwritten"):
        buffer.view(0, 1)
    with pytest.raises(_core.StaleViewError):
        buffer.read(0, 4)
    copy = buffer.read(1, 8)  # wraps around the end of the ring: read() copies both parts
    assert list(copy["volume"]) == [float(seq) for seq in range(1, 9)]
    assert copy.flags.writeable and copy.flags.owndata
    # A copy stays right after the ring moves on; a view would not.
    for seq in range(9, 30):
        buffer.append(record(seq))
    assert list(copy["volume"]) == [float(seq) for seq in range(1, 9)]


def test_bad_ranges() -> None:
    buffer = filled(8, 10)
    assert not buffer.is_valid(9, 2)
    assert not buffer.is_valid(-1, 1)
    with pytest.raises(IndexError):
        buffer.view(9, 2)  # record 10 is not written yet
    with pytest.raises(IndexError):
        buffer.read(10, 1)
    with pytest.raises(ValueError, match="wraps"):
        buffer.view(6, 4)  # slots 6, 7, 0, 1
    with pytest.raises(ValueError):
        buffer.view(2, 9)  # longer than the ring
    with pytest.raises(ValueError):
        buffer.view(-1, 1)
    assert buffer.view(5, 0).shape == (0,)
    with pytest.raises(ValueError, match="248 bytes"):
        buffer.append(b"short")
