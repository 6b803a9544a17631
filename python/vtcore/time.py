"""Time zones and exchange dates: one definition each, for ticks, orders, trades and every gateway.

- `CHINA_TZ` (Asia/Shanghai) for China's exchanges, `UTC` for the rest (`timezone_for`): the one tzinfo object
  each datetime vtcore makes carries, whatever made it (C++ tick records, CTP orders, the RPC schema).
- China's night session (`china_datetime`): CTP-family SDKs report some night events with the *trading day*
  where the calendar date belongs. The C++ tick conversion applies the same rule
  (`cpp/include/vtcore/china_time.hpp`); `tests/core/test_china_time.py` holds both to one table of cases.
"""

from __future__ import annotations

import datetime as dt

from vtcore.constant import CHINA_EXCHANGES, Exchange, Interval

__all__ = [
    "CHINA_TZ",
    "INTERVAL_STEP",
    "UTC",
    "china_datetime",
    "ms_to_datetime",
    "parse_day",
    "previous_business_day",
    "timezone_for",
]

UTC = dt.timezone.utc
try:
    from zoneinfo import ZoneInfo

    CHINA_TZ: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # no tz database: China has kept UTC+8 without daylight saving since 1991
    CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

#: the length of one bar of each interval (history requests page by it)
INTERVAL_STEP = {
    Interval.MINUTE: dt.timedelta(minutes=1),
    Interval.HOUR: dt.timedelta(hours=1),
    Interval.DAILY: dt.timedelta(days=1),
    Interval.WEEKLY: dt.timedelta(weeks=1),
}


def timezone_for(exchange: Exchange | None) -> dt.tzinfo:
    """The time zone of `exchange`'s datetimes: Asia/Shanghai for China's exchanges, UTC otherwise."""
    return CHINA_TZ if exchange in CHINA_EXCHANGES else UTC


def ms_to_datetime(ms: int) -> dt.datetime:
    """Milliseconds since the epoch (a venue's timestamp) as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(ms / 1000, UTC)


def parse_day(text: str) -> dt.date | None:
    """A "YYYYMMDD" date; None when malformed."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def previous_business_day(day: dt.date) -> dt.date:
    """The weekday before `day` (Friday for a Monday). Exchange holidays are not known: China's futures
    exchanges hold no night session before a holiday break, so the previous weekday is the right one."""
    return day - dt.timedelta(days={0: 3, 6: 2}.get(day.weekday(), 1))


def china_datetime(
    day_text: str, time_text: str, session_trading_day: dt.date | None, millisecond: int = 0
) -> dt.datetime | None:
    """An aware China datetime from a CTP-style date ("YYYYMMDD") and time ("HH:MM:SS"); None when malformed.

    At night (18:00-05:59) a date equal to the session's trading day T is a trading day, not a calendar
    date (DCE reports so): the evening belongs to the business day before T, the small hours to the day
    after that one. A malformed or empty date is taken as the session's trading day."""
    day = parse_day(day_text) or session_trading_day
    if day is None or len(time_text) != 8:
        return None
    try:
        hour, minute, second = int(time_text[:2]), int(time_text[3:5]), int(time_text[6:])
    except ValueError:
        return None
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        return None
    if (hour >= 18 or hour < 6) and session_trading_day is not None and day == session_trading_day:
        day = previous_business_day(day) + dt.timedelta(days=1 if hour < 6 else 0)
    millisecond = millisecond if 0 <= millisecond <= 999 else 0
    return dt.datetime(
        day.year, day.month, day.day, hour, minute, second, millisecond * 1000, tzinfo=CHINA_TZ
    )
