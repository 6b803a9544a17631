"""XTP's number-coded times: YYYYMMDDHHMMSSmmm in China time, as its order and trade reports carry them."""

from __future__ import annotations

import datetime as dt

import pytest

from vtcore.gateways.xtp.mapping import xtp_datetime
from vtcore.time import CHINA_TZ


def test_an_xtp_time_is_an_aware_china_datetime_to_the_millisecond() -> None:
    moment = xtp_datetime(20261207093000123)
    assert moment == dt.datetime(2026, 12, 7, 9, 30, 0, 123_000, tzinfo=CHINA_TZ)
    assert moment is not None and moment.utcoffset() == dt.timedelta(hours=8)
    assert xtp_datetime(20261231235959999) == dt.datetime(2026, 12, 31, 23, 59, 59, 999_000, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    "value",
    [
        0,  # not set
        -20261207093000123,
        2026120709300012,  # a digit short
        202612070930001234,  # a digit too many
        20261307093000123,  # month 13
        20260230093000123,  # 30 February
        20261207243000123,  # hour 24
        20261207096000123,  # minute 60
        20261207093060123,  # second 60
    ],
)
def test_a_malformed_xtp_time_is_none(value: int) -> None:
    assert xtp_datetime(value) is None
