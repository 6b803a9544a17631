"""The TickRecord layout seen from Python equals the C++ struct, field by field."""

from __future__ import annotations

import time

import numpy as np

from vtcore import _core

DEPTH = 5
LEVELS = [
    f"{side}_{kind}_{level}"
    for side, kind in [("bid", "price"), ("ask", "price"), ("bid", "volume"), ("ask", "volume")]
    for level in range(1, DEPTH + 1)
]
SCALARS = [
    "volume",
    "turnover",
    "open_interest",
    "last_price",
    "last_volume",
    "limit_up",
    "limit_down",
    "open_price",
    "high_price",
    "low_price",
    "pre_close",
]
# Written out independently of the C++ table: the field order of records.hpp with vn.py's names.
# numpy's align=True applies the C layout rules, so offsets computed here are what a C compiler
# must produce for that struct.
EXPECTED_FIELDS: list[tuple[str, str]] = [
    ("symbol", "S16"),
    ("datetime", "i8"),
    ("localtime", "i8"),
    ("trading_day", "i4"),
    ("exchange", "u2"),
    ("flags", "u2"),
    *[(name, "f8") for name in SCALARS],
    *[(name, "f8" if "price" in name else "f4") for name in LEVELS],
]


def tick_dtype() -> np.dtype[np.void]:
    names, formats, offsets = zip(*_core.TICK_FIELDS, strict=True)
    return np.dtype(
        {
            "names": list(names),
            "formats": list(formats),
            "offsets": list(offsets),
            "itemsize": _core.TICK_RECORD_SIZE,
        }
    )


def test_record_size_and_fields_match_c_layout() -> None:
    expected = np.dtype(EXPECTED_FIELDS, align=True)
    assert _core.TICK_RECORD_SIZE == 248 == expected.itemsize
    assert [(name, fmt) for name, fmt, _ in _core.TICK_FIELDS] == EXPECTED_FIELDS
    assert expected.fields is not None
    for name, fmt, offset in _core.TICK_FIELDS:
        field_dtype, expected_offset = expected.fields[name][:2]
        assert offset == expected_offset, name
        assert np.dtype(fmt) == field_dtype, name


def test_fields_agree_with_cpp_offsetof() -> None:
    fields = {name: offset for name, _, offset in _core.TICK_FIELDS}
    members = _core._record_offsets()
    assert sum(size for _, size in members.values()) == _core.TICK_RECORD_SIZE  # no padding, no gap
    for member, (offset, size) in members.items():
        if member in fields:
            assert fields[member] == offset, member
            continue
        # An array member: flattened to member_1 .. member_5, one element apart (f8 prices, f4 volumes).
        element = 8 if "price" in member else 4
        assert size == element * DEPTH, member
        assert [fields[f"{member}_{level}"] for level in range(1, DEPTH + 1)] == [
            offset + element * i for i in range(DEPTH)
        ], member


def test_buffer_dtype_is_the_field_table() -> None:
    array = _core.TickBuffer(4).array()
    assert array.dtype == tick_dtype()
    assert array.dtype.itemsize == _core.TICK_RECORD_SIZE
    assert array.shape == (4,)


def test_every_field_survives_a_round_trip_through_a_producer() -> None:
    dtype = tick_dtype()
    record = np.zeros(1, dtype=dtype)
    for index, (name, fmt, _) in enumerate(_core.TICK_FIELDS):
        record[name] = b"rb2501.SHFE" if fmt == "S16" else index + 1  # a distinct value per field
    hub = _core.EventHub(16)
    producer = hub.add_producer("roundtrip", 4)
    assert producer.push_tick(record.tobytes())
    assert producer.push_tick(memoryview(record.tobytes()))
    (run,) = hub.drain()
    assert isinstance(run, _core.TickRun) and run.size == 2
    _, start, count = run
    received = hub.tick_buffer.view(start, count)
    assert received.tobytes() == record.tobytes() * 2


def test_exchange_values_and_clock() -> None:
    values = _core.exchange_values()
    assert values[0] == ""
    assert values.index("SHFE") > 0
    assert "EUX" in values
    assert len(values) == len(set(values))
    before = time.time_ns()
    now = _core.now_ns()
    after = time.time_ns()
    assert before <= now <= after  # the same clock as time.time_ns()
