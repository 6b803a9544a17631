"""China's exchange dates: `vtcore.time.china_datetime` on a table of cases, which tests/core/test_cpp_core.py
also feeds through the C++ rule (`cpp/include/vtcore/china_time.hpp`) to hold the two to one answer."""

from __future__ import annotations

import datetime as dt

import pytest

from vtcore.constant import Exchange
from vtcore.time import CHINA_TZ, UTC, china_datetime, timezone_for

MONDAY, TUESDAY, THURSDAY, NEW_YEAR_MONDAY = "20261130", "20261201", "20261203", "20270104"
#: (reported date, time, session trading day, calendar datetime in China time or None when malformed)
CASES = [
    (MONDAY, "21:30:00", MONDAY, "2026-11-27 21:30:00"),  # DCE: a Monday trading day at night is Friday
    (MONDAY, "01:00:00", MONDAY, "2026-11-28 01:00:00"),  # ... and after midnight Saturday
    ("20261127", "21:30:00", MONDAY, "2026-11-27 21:30:00"),  # SHFE reports the calendar date
    ("20261128", "01:00:00", MONDAY, "2026-11-28 01:00:00"),
    (MONDAY, "09:30:00", MONDAY, "2026-11-30 09:30:00"),  # day session: the date is the date
    (MONDAY, "14:59:59", MONDAY, "2026-11-30 14:59:59"),
    ("", "21:00:00", MONDAY, "2026-11-27 21:00:00"),  # no date: the session's trading day
    (MONDAY, "18:00:00", MONDAY, "2026-11-27 18:00:00"),  # the night's first second
    (MONDAY, "05:59:59", MONDAY, "2026-11-28 05:59:59"),  # ... and its last
    (MONDAY, "06:00:00", MONDAY, "2026-11-30 06:00:00"),
    (MONDAY, "17:59:59", MONDAY, "2026-11-30 17:59:59"),
    (TUESDAY, "21:00:00", TUESDAY, "2026-11-30 21:00:00"),
    (TUESDAY, "02:30:00", TUESDAY, "2026-12-01 02:30:00"),
    (THURSDAY, "23:59:59", THURSDAY, "2026-12-02 23:59:59"),
    (
        NEW_YEAR_MONDAY,
        "21:00:00",
        NEW_YEAR_MONDAY,
        "2027-01-01 21:00:00",
    ),  # across the year, no holiday table
    (NEW_YEAR_MONDAY, "00:30:00", NEW_YEAR_MONDAY, "2027-01-02 00:30:00"),
    (MONDAY, "21:30:00", "", "2026-11-30 21:30:00"),  # session unknown: the date is the calendar's
    ("2026113", "09:30:00", "", None),
    (MONDAY, "9:30", MONDAY, None),
    (MONDAY, "24:00:00", MONDAY, None),
]


def expected(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def session_day(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%Y%m%d").date() if text else None


@pytest.mark.parametrize(("day", "time", "session", "calendar"), CASES)
def test_china_datetime_places_night_events_on_their_calendar_day(
    day: str, time: str, session: str, calendar: str | None
) -> None:
    assert china_datetime(day, time, session_day(session)) == expected(calendar)


def test_one_time_zone_object_for_china_and_utc_elsewhere() -> None:
    assert timezone_for(Exchange.DCE) is CHINA_TZ is timezone_for(Exchange.SSE)
    assert timezone_for(Exchange.BINANCE) is UTC
    moment = china_datetime(MONDAY, "09:30:00", None)
    assert moment is not None and moment.tzinfo is CHINA_TZ and moment.utcoffset() == dt.timedelta(hours=8)
