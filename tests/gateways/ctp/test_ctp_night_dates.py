"""Night-session dates of CTP ticks (issue 19, item 10): each tick is dated from its own TradingDay and
ActionDay, read the way its exchange fills them, so the result never depends on the trading day learned at
the market-data login. A session that logged in before the trading-day switch and stayed connected dated
SHFE night ticks a day early and DCE ones a day late.

Every row runs with three login days: the stale one (the day session before the switch), the right one, and
none. How the exchanges fill the fields at night: SHFE, INE (and CFFEX, GFEX, which have no night session
today) put the trading day in TradingDay and the calendar date in ActionDay; DCE puts the trading day in both;
CZCE puts the calendar date in both.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import pytest

_ctp = pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")

from vtcore import _core  # noqa: E402
from vtcore.gateways.ctp import _ctp_types  # noqa: E402

CST = timezone(timedelta(hours=8))


class Tick(NamedTuple):
    exchange: str
    trading_day: str  # TradingDay as sent
    action_day: str  # ActionDay as sent
    time: str  # UpdateTime
    expected: str  # the calendar time it must get
    expected_day: int  # the trading day it must get
    stale: int  # the login day of a session that logged in before the trading day switched


def convert(tick: Tick, session_day: int, local: datetime | None = None) -> tuple[datetime | None, int]:
    """(event time, trading_day) of a tick, through the C++ conversion the market-data callback runs."""
    depth = bytes(
        _ctp_types.DepthMarketData(
            InstrumentID="x2601",
            ExchangeID=tick.exchange,
            TradingDay=tick.trading_day,
            ActionDay=tick.action_day,
            UpdateTime=tick.time,
            UpdateMillisec=500,
            LastPrice=1.0,
        )
    )
    local_ns = int(local.timestamp() * 1e9) if local else 0
    record = _ctp.convert_tick(depth, tick.exchange, session_day, local_ns)
    assert record is not None
    buffer = _core.TickBuffer(2)
    row = buffer.read(buffer.append(record), 1)[0]
    ns = int(row["datetime"])
    when = datetime.fromtimestamp(ns / 1e9, CST) if ns else None
    return when, int(row["trading_day"])


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=CST)


ROWS = [
    Tick(*row)
    for row in [
        # Friday night 2026-11-27 of trading day Monday 2026-11-30; the small hours are Saturday's.
        ("SHFE", "20261130", "20261127", "21:00:00", "2026-11-27 21:00:00.5", 20261130, 20261127),
        ("SHFE", "20261130", "20261128", "01:30:00", "2026-11-28 01:30:00.5", 20261130, 20261127),
        ("INE", "20261130", "20261127", "23:59:59", "2026-11-27 23:59:59.5", 20261130, 20261127),
        ("INE", "20261130", "20261128", "02:29:59", "2026-11-28 02:29:59.5", 20261130, 20261127),
        ("DCE", "20261130", "20261130", "21:00:00", "2026-11-27 21:00:00.5", 20261130, 20261127),
        ("DCE", "20261130", "20261130", "22:59:59", "2026-11-27 22:59:59.5", 20261130, 20261127),
        ("CZCE", "20261127", "20261127", "21:00:00", "2026-11-27 21:00:00.5", 20261130, 20261127),
        ("CZCE", "20261127", "20261127", "23:00:00", "2026-11-27 23:00:00.5", 20261130, 20261127),
        ("GFEX", "20261130", "20261127", "21:00:00", "2026-11-27 21:00:00.5", 20261130, 20261127),
        # A mid-week night (Tuesday 2026-12-01 evening, trading day Wednesday); DCE and CZCE past midnight.
        ("SHFE", "20261202", "20261201", "22:00:00", "2026-12-01 22:00:00.5", 20261202, 20261201),
        ("DCE", "20261202", "20261202", "22:00:00", "2026-12-01 22:00:00.5", 20261202, 20261201),
        ("DCE", "20261202", "20261202", "00:30:00", "2026-12-02 00:30:00.5", 20261202, 20261201),
        ("CZCE", "20261202", "20261202", "00:30:00", "2026-12-02 00:30:00.5", 20261202, 20261201),
        # Holidays: logged in on 2025-09-30 (the last trading day before National Day, which has no night
        # session) and still connected at the first night session after it, Thursday 2025-10-09 (trading day
        # Friday).
        ("SHFE", "20251010", "20251009", "21:00:00", "2025-10-09 21:00:00.5", 20251010, 20250930),
        ("SHFE", "20251010", "20251010", "00:59:59", "2025-10-10 00:59:59.5", 20251010, 20250930),
        ("DCE", "20251010", "20251010", "21:00:00", "2025-10-09 21:00:00.5", 20251010, 20250930),
        ("DCE", "20251010", "20251010", "02:00:00", "2025-10-10 02:00:00.5", 20251010, 20250930),
        ("CZCE", "20251009", "20251009", "21:00:00", "2025-10-09 21:00:00.5", 20251010, 20250930),
        ("GFEX", "20251009", "20251009", "10:00:00", "2025-10-09 10:00:00.5", 20251009, 20250930),
        # Day sessions after a switch the session did not see (Monday morning, logged in on Friday).
        ("CFFEX", "20261130", "20261130", "09:30:00", "2026-11-30 09:30:00.5", 20261130, 20261127),
        ("DCE", "20261130", "20261130", "09:00:00", "2026-11-30 09:00:00.5", 20261130, 20261127),
        ("CZCE", "20261130", "20261130", "14:59:59", "2026-11-30 14:59:59.5", 20261130, 20261127),
        # ActionDay left empty: TradingDay is the trading day (on CZCE, the calendar date).
        ("SHFE", "20261130", "", "21:00:00", "2026-11-27 21:00:00.5", 20261130, 20261127),
        ("CZCE", "20261127", "", "21:00:00", "2026-11-27 21:00:00.5", 20261130, 20261127),
    ]
]


@pytest.mark.parametrize("login", ["stale", "current", "none"])
@pytest.mark.parametrize("tick", ROWS, ids=[f"{t.exchange}-{t.expected[:16]}-{t.trading_day}" for t in ROWS])
def test_night_dates_come_from_the_tick(tick: Tick, login: str) -> None:
    session_day = {"stale": tick.stale, "current": tick.expected_day, "none": 0}[login]
    assert convert(tick, session_day) == (at(tick.expected), tick.expected_day)


def test_an_unknown_exchange_is_dated_by_the_local_clock() -> None:
    """With no per-exchange rule, ActionDay could be either date: the reading nearer the local clock wins."""
    friday_night = at("2026-11-27 21:00:03.0")
    tick = Tick("", "20261130", "20261130", "21:00:00", "2026-11-27 21:00:00.5", 20261130, 20261127)
    assert convert(tick, tick.stale, friday_night)[0] == at(tick.expected)
    monday_night = at("2026-11-30 21:00:03.0")
    tick = Tick("", "20261201", "20261130", "21:00:00", "2026-11-30 21:00:00.5", 20261201, 20261127)
    assert convert(tick, tick.stale, monday_night)[0] == at(tick.expected)
