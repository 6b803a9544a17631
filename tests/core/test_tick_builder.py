"""TickBuilder (vtcore._fast): the REST/WebSocket gateways' per-symbol market state, in C."""

from __future__ import annotations

import datetime as dt
import pickle
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vtcore._fast import TickBuilder, TickData, _datetime_from_ns
from vtcore.constant import Exchange
from vtcore.time import CHINA_TZ

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def builder() -> TickBuilder:
    return TickBuilder("BTCUSDT", Exchange.BINANCE, "BINANCE_SPOT", "BTCUSDT")


def test_each_update_is_a_new_tick_and_earlier_ticks_never_change() -> None:
    state = builder()
    first = state.top(100.0, 1.5, 101.0, 2.5)
    second = state.last(100.5, 0.25, 1_790_000_000_123)
    third = state.levels([(99.0, 1.0, "0", "1"), [98.0, 2.0]], [(102.0, 3.0)], 1_790_000_000_456)
    assert first is not second and first.last_price == 0.0 and first.bid_price_1 == 100.0
    assert (second.bid_price_1, second.ask_volume_1, second.last_price, second.last_volume) == (
        100.0,
        2.5,
        100.5,
        0.25,
    )
    assert (third.bid_price_1, third.bid_price_2, third.bid_volume_2, third.bid_price_3) == (
        99.0,
        98.0,
        2.0,
        0.0,
    )
    assert (third.ask_price_1, third.ask_price_2, third.last_price) == (102.0, 0.0, 100.5)
    assert (third.symbol, third.exchange, third.vt_symbol, third.gateway_name, third.name) == (
        "BTCUSDT",
        Exchange.BINANCE,
        "BTCUSDT.BINANCE",
        "BINANCE_SPOT",
        "BTCUSDT",
    )


def test_venue_time_becomes_datetime_and_receive_time_localtime() -> None:
    before = dt.datetime.now(dt.timezone.utc)
    tick = builder().last(1.0, 1.0, 1_790_000_000_123)
    assert tick.datetime == dt.datetime(2026, 9, 21, 14, 13, 20, 123000, tzinfo=dt.timezone.utc)
    assert tick.datetime_ns == 1_790_000_000_123_000_000
    assert before <= tick.localtime <= dt.datetime.now(dt.timezone.utc)
    untimed = builder().top(1.0, 1.0, 2.0, 1.0)  # a message without a venue time: the receive time
    assert untimed.datetime == untimed.localtime and abs(untimed.localtime_ns - time.time_ns()) < 5e9


def test_summary_and_set_fill_the_day_fields() -> None:
    state = builder()
    state.set("limit_up", 120.0)
    tick = state.summary(100.5, 0.1, 100.0, 1.0, 101.0, 2.0, 90.0, 110.0, 85.0, 2222.0, 222_200.0, 1)
    assert (tick.open_price, tick.high_price, tick.low_price, tick.volume, tick.turnover) == (
        90.0,
        110.0,
        85.0,
        2222.0,
        222_200.0,
    )
    assert tick.limit_up == 120.0 and state.latest.last_price == 100.5


def test_stats_and_one_sided_levels_keep_the_rest() -> None:
    state = builder()
    state.top(100.0, 1.5, 101.0, 2.5)
    day = state.stats(95.0, 110.0, 90.0, 1234.5, 98765.4, 1_790_000_000_000)
    assert (day.open_price, day.high_price, day.low_price, day.volume, day.turnover) == (
        95.0,
        110.0,
        90.0,
        1234.5,
        98765.4,
    )
    assert (day.bid_price_1, day.ask_volume_1) == (100.0, 2.5)  # the book stays
    only_asks = state.levels(None, [(102.0, 1.0)])  # a change that reached one side only
    assert (only_asks.bid_price_1, only_asks.bid_volume_1, only_asks.ask_price_1) == (100.0, 1.5, 102.0)
    assert only_asks.volume == 1234.5


# the first five levels of a JSON book side, as venues send them (numbers bare or quoted, extra fields)
JSON_SIDES = [
    (b"[]", []),
    (b"[[25000.1,0.5]]", [(25000.1, 0.5)]),
    (
        b' [ ["25000.10000000", "31.21"] , ["24999.9","1e-3","0","12"] ] ',
        [(25000.1, 31.21), (24999.9, 0.001)],
    ),
    (
        b"[" + b",".join(b"[%d.5,%d]" % (100 - n, n + 1) for n in range(150)) + b"]",
        [(100.5 - n, float(n + 1)) for n in range(5)],
    ),
    (b"[[1.5,2,3],[-1E2,+4]]", [(1.5, 2.0), (-100.0, 4.0)]),
]


@pytest.mark.parametrize(("side", "levels"), JSON_SIDES)
def test_json_levels_reads_the_first_five_levels(side: bytes, levels: list[tuple[float, float]]) -> None:
    tick = builder().json_levels(side, memoryview(side), 1_790_000_000_000)
    expected = levels + [(0.0, 0.0)] * (5 - len(levels))
    for n, (price, size) in enumerate(expected, 1):
        assert (getattr(tick, f"bid_price_{n}"), getattr(tick, f"bid_volume_{n}")) == (price, size)
        assert (getattr(tick, f"ask_price_{n}"), getattr(tick, f"ask_volume_{n}")) == (price, size)
    assert tick.datetime == EPOCH + dt.timedelta(milliseconds=1_790_000_000_000)


@pytest.mark.parametrize(
    "side",
    [
        b"",
        b'"oops"',
        b"{}",
        b"[1,2]",
        b"[[1]]",
        b"[[1,]]",
        b'[["x",1]]',
        b'[["1,2]]',
        b"[[1,2",
        b"[[[1],2]]",
        b"[[1,2,{}]]",
        b"[[1.2.3,4]]",
        b"[[" + b"1" * 80 + b",1]]",
    ],
)
def test_json_levels_refuses_what_is_not_a_book_side(side: bytes) -> None:
    state = builder()
    before = state.top(100.0, 1.5, 101.0, 2.5)
    with pytest.raises(ValueError):
        state.json_levels(b"[[1,2]]", side)
    assert (state.latest.bid_price_1, state.latest.ask_price_1) == (before.bid_price_1, before.ask_price_1)


def test_built_ticks_behave_like_constructed_ones() -> None:
    tick = builder().top(100.0, 1.5, 101.0, 2.5, 1_790_000_000_000)
    same = TickData(**tick.to_dict())
    assert same == tick and pickle.loads(pickle.dumps(tick)) == tick


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1))
def test_nanoseconds_become_the_same_datetime_as_python_makes(ns: int) -> None:
    if ns == 0:  # 0 means "no time" in a record
        assert _datetime_from_ns(0) is None
        return
    expected = EPOCH + dt.timedelta(microseconds=ns // 1000)
    assert _datetime_from_ns(ns) == expected and _datetime_from_ns(ns).tzinfo is dt.timezone.utc
    china = _datetime_from_ns(ns, CHINA_TZ)
    assert china == expected and china.utcoffset() == expected.astimezone(CHINA_TZ).utcoffset()


@pytest.mark.parametrize(
    "moment",
    [
        "1969-12-31T23:59:59.999999",
        "1970-01-01T00:00:00.000001",
        "2000-02-29T12:00:00",
        "2100-03-01T00:00:00",
        "1900-02-28T23:59:59.5",
        "2026-12-31T23:59:59.999999",
        "2024-02-29T00:00:00",
    ],
)
def test_calendar_edges(moment: str) -> None:
    expected = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.timezone.utc)
    ns = (expected - EPOCH) // dt.timedelta(microseconds=1) * 1000 + 999  # sub-microsecond parts are dropped
    assert _datetime_from_ns(ns) == expected
