"""vtcore._ctp on its own: version rule, library refusal, typed requests, and the C++ tick conversion."""

from __future__ import annotations

import math
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from _ctp_sdk import sdk_dir

_ctp = pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")

from vtcore import _core  # noqa: E402
from vtcore.gateways.ctp import _ctp_types as ct  # noqa: E402
from vtcore.gateways.ctp.library import find_libraries  # noqa: E402


def encode_struct(name: str, fields: dict[str, object]) -> bytes:
    """A struct's SDK bytes as an SDK would send them (numbers stored as given)."""
    return bytes(getattr(ct, name).unchecked(**fields))


CST = timezone(timedelta(hours=8))
DBL_MAX = sys.float_info.max


def test_version_rule() -> None:
    assert _ctp.API_VERSION == "6.7.11"
    assert _ctp.version_matches("v6.7.11_20250617 16:22:00.10369")
    assert _ctp.version_matches("v6.7.11_vtcore-ctpsim 0.1.0")
    assert not _ctp.version_matches("v6.7.13_20260225 14:16:30.12079")
    assert not _ctp.version_matches("v6.7.110")
    assert not _ctp.version_matches("V1.7.5")
    assert not _ctp.version_matches("")


@pytest.fixture()
def producer() -> object:
    hub = _core.EventHub()
    return hub.add_producer("test")


def test_wrong_version_library_is_refused_before_use(tmp_path: Path, producer: object) -> None:
    """The real 6.7.13 trader library: its vtable differs (OnRtnPrivateSeqNo at slot 4): no object is made."""
    library = sdk_dir("6.7.13") / "lib" / "libthosttraderapi_se.so"
    with pytest.raises(_ctp.VersionMismatchError, match=r"v6\.7\.13.*6\.7\.11") as raised:
        _ctp.TraderApi(str(library), str(tmp_path / "flow"), producer.capsule())
    assert isinstance(raised.value, OSError)
    assert not (tmp_path / "flow").exists()  # refused before Create (which writes flow files)


def test_wrong_kind_or_missing_library(tmp_path: Path, producer: object) -> None:
    __, td_library = find_libraries()
    with pytest.raises(_ctp.LibraryError, match="lacks"):
        _ctp.MdApi(str(td_library), str(tmp_path / "flow"), producer.capsule())
    with pytest.raises(_ctp.LibraryError, match="cannot load"):
        _ctp.MdApi(str(tmp_path / "nothing.so"), str(tmp_path / "flow"), producer.capsule())


def test_flow_folder_is_created_and_requests_are_typed(tmp_path: Path, producer: object) -> None:
    """The real library: a missing flow folder is created owner-only (else CTP crashes); a request is a typed
    struct whose bad fields are refused by name before anything is sent, and the binding checks the bytes
    again."""
    __, td_library = find_libraries()
    flow = tmp_path / "deep" / "er" / "td"
    api = _ctp.TraderApi(str(td_library), str(flow), producer.capsule(), False)
    index = ct.TRADER_REQUESTS["ReqOrderInsert"][0]
    try:
        assert api.library_version.startswith("v6.7.11")
        assert (flow / "DialogRsp.con").is_file()  # the folder, not a file-name prefix
        assert [(p.stat().st_mode & 0o777) for p in (flow, flow.parent, flow.parent.parent)] == [0o700] * 3
        bad = [
            ({"InstrumentID": "x" * 81}, r"InputOrder.InstrumentID is too long \(81 bytes; at most 80 fit\)"),
            ({"InstrumentID": "rb\x002601"}, "InputOrder.InstrumentID contains a NUL byte"),
            ({"NoSuchField": 1}, "has no field 'NoSuchField'"),
            ({"LimitPrice": math.nan}, "InputOrder.LimitPrice: must be finite"),
            ({"LimitPrice": "3500"}, "InputOrder.LimitPrice: expected float"),
            ({"VolumeTotalOriginal": 2**40}, "out of range"),
            ({"VolumeTotalOriginal": -(2**70)}, "out of range"),
            ({"VolumeTotalOriginal": 1.5}, "InputOrder.VolumeTotalOriginal: expected int"),
            ({"Direction": "01"}, "InputOrder.Direction: '01' is not one ASCII character"),
            ({"InstrumentID": "螺" * 41}, "82 bytes"),  # GB18030: 2 bytes per character
        ]
        for fields, message in bad:
            with pytest.raises((ValueError, TypeError), match=message):
                ct.InputOrder(**fields)
        # The binding refuses bytes that are not the struct: wrong size, a char[N] without its terminator,
        # an unknown request.
        expected = "ReqOrderInsert: the payload is 3 bytes, CThostFtdcInputOrderField"
        with pytest.raises(ValueError, match=expected):
            api.request(index, b"abc", 1)
        raw = bytearray(ct.InputOrder.SIZE)
        raw[0:11] = b"x" * 11  # BrokerID with no NUL: the SDK would read past it
        with pytest.raises(ValueError, match="ReqOrderInsert: field BrokerID has no terminator"):
            api.request(index, raw, 1)
        with pytest.raises(ValueError, match="unknown request index"):
            api.request(10_000, b"", 1)
        # A valid request reaches the library, which answers -1: not connected.
        order = ct.InputOrder(InstrumentID="rb2601", LimitPrice=3500.0)
        assert api.request(index, order.buffer, 2) == -1
    finally:
        api.release()
    assert api.released
    with pytest.raises(RuntimeError, match="released"):
        api.request(index, ct.InputOrder().buffer, 3)
    api.release()  # idempotent


def _depth(**fields: object) -> bytes:
    base: dict[str, object] = {
        "InstrumentID": "rb2601",
        "ExchangeID": "SHFE",
        "TradingDay": "20261130",
        "ActionDay": "20261130",
        "UpdateTime": "09:30:00",
        "UpdateMillisec": 0,
        "LastPrice": 3500.0,
        "Volume": 10,
        "Turnover": 350000.0,
        "OpenInterest": 1000.0,
        "UpperLimitPrice": 3700.0,
        "LowerLimitPrice": 3300.0,
        "OpenPrice": 3490.0,
        "HighestPrice": 3510.0,
        "LowestPrice": 3480.0,
        "PreClosePrice": 3495.0,
        "BidPrice1": 3499.0,
        "BidVolume1": 5,
        "AskPrice1": 3501.0,
        "AskVolume1": 7,
    }
    base.update(fields)
    return encode_struct("DepthMarketData", base)


def _convert(exchange: str = "SHFE", session_day: int = 20261130, **fields: object) -> dict[str, object]:
    record = _ctp.convert_tick(_depth(ExchangeID=exchange, **fields), exchange, session_day, 123)
    assert record is not None
    buffer = _core.TickBuffer(2)
    row = buffer.read(buffer.append(record), 1)[0]
    return {name: (row[name].decode() if name == "symbol" else row[name].item()) for name in row.dtype.names}


def _at(year: int, month: int, day: int, hour: int, minute: int, second: int, ms: int = 0) -> int:  # noqa: PLR0917
    moment = datetime(year, month, day, hour, minute, second, ms * 1000, tzinfo=CST)
    return int(moment.timestamp()) * 1_000_000_000 + ms * 1_000_000


def test_tick_milliseconds_and_prices() -> None:
    tick = _convert(UpdateMillisec=5)
    assert tick["datetime"] == _at(2026, 11, 30, 9, 30, 0, 5)  # 5 ms is .005 s, not .5 s
    assert _convert(UpdateMillisec=50)["datetime"] == _at(2026, 11, 30, 9, 30, 0, 50)
    assert tick["localtime"] == 123 and tick["trading_day"] == 20261130 and tick["symbol"] == "rb2601"
    assert (tick["last_price"], tick["bid_price_1"], tick["ask_volume_1"]) == (3500.0, 3499.0, 7.0)
    empty = _convert(
        LastPrice=DBL_MAX,
        UpperLimitPrice=DBL_MAX,
        LowerLimitPrice=DBL_MAX,
        OpenPrice=DBL_MAX,
        HighestPrice=DBL_MAX,
        LowestPrice=DBL_MAX,
        PreClosePrice=DBL_MAX,
        BidPrice1=DBL_MAX,
        AskPrice1=math.inf,
        Turnover=DBL_MAX,
        OpenInterest=math.nan,
    )
    for name in (
        "last_price",
        "limit_up",
        "limit_down",
        "open_price",
        "high_price",
        "low_price",
        "pre_close",
        "bid_price_1",
        "ask_price_1",
        "bid_price_2",
        "turnover",
        "open_interest",
    ):
        assert empty[name] == 0.0, name


def test_night_session_dates_from_the_data() -> None:
    """Friday night of trading day Monday 2026-11-30 (a Friday-to-Monday weekend in between)."""
    # SHFE: ActionDay is the calendar date.
    assert _convert("SHFE", ActionDay="20261127", UpdateTime="22:15:30", UpdateMillisec=500)[
        "datetime"
    ] == _at(2026, 11, 27, 22, 15, 30, 500)
    assert _convert("SHFE", ActionDay="20261128", UpdateTime="00:30:00")["datetime"] == _at(
        2026, 11, 28, 0, 30, 0
    )
    # DCE: ActionDay is the trading day at night; the calendar date is derived from it.
    dce = _convert("DCE", ActionDay="20261130", UpdateTime="21:00:00", UpdateMillisec=1)
    assert dce["datetime"] == _at(2026, 11, 27, 21, 0, 0, 1)
    assert dce["trading_day"] == 20261130
    assert _convert("DCE", ActionDay="20261130", UpdateTime="00:30:00")["datetime"] == _at(
        2026, 11, 28, 0, 30, 0
    )
    # Same without a known session trading day: DCE's rule still applies.
    assert _convert("DCE", 0, ActionDay="20261130", UpdateTime="21:00:00")["datetime"] == _at(
        2026, 11, 27, 21, 0, 0
    )
    # A mid-week DCE night: trading day Wednesday -> Tuesday evening.
    assert _convert("DCE", 20261202, TradingDay="20261202", ActionDay="20261202", UpdateTime="23:59:59")[
        "datetime"
    ] == _at(2026, 12, 1, 23, 59, 59)
    # CZCE reports the calendar date as TradingDay and ActionDay at night: both are taken as calendar dates,
    # and trading_day comes from the session.
    czce = _convert("CZCE", TradingDay="20261127", ActionDay="20261127", UpdateTime="21:05:00")
    assert czce["datetime"] == _at(2026, 11, 27, 21, 5, 0)
    assert czce["trading_day"] == 20261130
    # Day session: ActionDay, or TradingDay when ActionDay is empty.
    assert _convert("DCE", ActionDay="", UpdateTime="09:00:00")["datetime"] == _at(2026, 11, 30, 9, 0, 0)
    # Empty ActionDay at night: TradingDay's rule (the trading day; on CZCE the calendar date).
    assert _convert("SHFE", ActionDay="", UpdateTime="21:00:00")["datetime"] == _at(2026, 11, 27, 21, 0, 0)
    assert _convert("CZCE", TradingDay="20261127", ActionDay="", UpdateTime="21:00:00")["datetime"] == _at(
        2026, 11, 27, 21, 0, 0
    )
    # Malformed times are "unknown" (0), never a guess from the local clock.
    assert _convert(UpdateTime="9:30:00")["datetime"] == 0
    assert _convert(UpdateTime="25:00:00")["datetime"] == 0


def test_depth_volumes_are_float32_and_rounding_is_flagged() -> None:
    exact = _convert(BidVolume1=16_777_216, AskVolume5=2_000_000_000)  # 2e9 = 2^10 * 1953125: exact
    assert (exact["bid_volume_1"], exact["ask_volume_5"], exact["flags"]) == (16_777_216.0, 2e9, 0)
    rounded = _convert(BidVolume2=16_777_217)
    assert rounded["bid_volume_2"] == 16_777_216.0  # the nearest float32...
    assert rounded["flags"] & _core.TICK_VOLUME_ROUNDED  # ...and the record says so


def test_unrepresentable_symbol_is_refused() -> None:
    longest = _convert(InstrumentID="SP jm2605&jm2609")  # 16 bytes: DCE's longest spread ids fit
    assert longest["symbol"] == "SP jm2605&jm2609"
    assert _ctp.convert_tick(_depth(InstrumentID="x" * 17), "SHFE", 0, 0) is None
    assert _ctp.convert_tick(_depth(InstrumentID="x" * 40), "SHFE", 0, 0) is None
    with pytest.raises(ValueError, match="size"):
        _ctp.convert_tick(b"short", "SHFE", 0, 0)
