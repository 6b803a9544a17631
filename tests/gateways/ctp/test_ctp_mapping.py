"""CTP codes -> vtcore values (nothing dropped), CTP dates at night, and the message decoder."""

from __future__ import annotations

import struct
from datetime import date, datetime
from typing import Any

import pytest

pytest.importorskip("vtcore.gateways.ctp._ctp_types", reason="vtcore was built without the CTP SDK")

from vtcore.constant import Direction, Offset, OrderType, Status
from vtcore.gateways._sdk.messages import Decoder
from vtcore.gateways._sdk.thost import mapping
from vtcore.gateways.ctp import _ctp_types as ct
from vtcore.time import CHINA_TZ

decode = Decoder(ct).decode


def encode_struct(name: str, fields: dict[str, object]) -> bytes:
    """A struct's SDK bytes as an SDK would send them (numbers stored as given)."""
    return bytes(getattr(ct, name).unchecked(**fields))


STATUS_CODES = [value for name, value in vars(ct).items() if name.startswith("THOST_FTDC_OST_")]
PRICE_TYPES = [value for name, value in vars(ct).items() if name.startswith("THOST_FTDC_OPT_")]
TIME_CONDITIONS = [value for name, value in vars(ct).items() if name.startswith("THOST_FTDC_TC_")]
VOLUME_CONDITIONS = [value for name, value in vars(ct).items() if name.startswith("THOST_FTDC_VC_")]


def test_every_status_maps() -> None:
    assert len(STATUS_CODES) == 9
    exact = {code: mapping.order_status(code, ct.THOST_FTDC_OSS_Accepted) for code in STATUS_CODES}
    assert exact[ct.THOST_FTDC_OST_AllTraded] == (Status.ALLTRADED, True)
    assert exact[ct.THOST_FTDC_OST_PartTradedQueueing] == (Status.PARTTRADED, True)
    assert exact[ct.THOST_FTDC_OST_NoTradeQueueing] == (Status.NOTTRADED, True)
    assert exact[ct.THOST_FTDC_OST_Canceled] == (Status.CANCELLED, True)
    assert exact[ct.THOST_FTDC_OST_PartTradedNotQueueing] == (Status.CANCELLED, False)  # nearest, logged
    assert exact[ct.THOST_FTDC_OST_NotTouched] == (Status.NOTTRADED, False)
    assert mapping.order_status(ct.THOST_FTDC_OST_Canceled, ct.THOST_FTDC_OSS_InsertRejected) == (
        Status.REJECTED,
        True,
    )
    assert mapping.order_status("z", ct.THOST_FTDC_OSS_Accepted) == (Status.SUBMITTING, False)


def test_every_order_type_combination_maps() -> None:
    results = {
        (p, t, v): mapping.order_type(p, t, v)
        for p in PRICE_TYPES
        for t in TIME_CONDITIONS
        for v in VOLUME_CONDITIONS
    }
    assert all(isinstance(kind, OrderType) for kind, _ in results.values())
    limit, gfd, ioc, any_volume, all_volume = (
        ct.THOST_FTDC_OPT_LimitPrice,
        ct.THOST_FTDC_TC_GFD,
        ct.THOST_FTDC_TC_IOC,
        ct.THOST_FTDC_VC_AV,
        ct.THOST_FTDC_VC_CV,
    )
    assert results[(limit, gfd, any_volume)] == (OrderType.LIMIT, True)
    assert results[(limit, ioc, any_volume)] == (OrderType.FAK, True)
    assert results[(limit, ioc, all_volume)] == (OrderType.FOK, True)
    assert results[(ct.THOST_FTDC_OPT_AnyPrice, gfd, any_volume)] == (OrderType.MARKET, True)
    assert results[(ct.THOST_FTDC_OPT_BestPrice, ioc, any_volume)] == (OrderType.MARKET, False)
    assert results[(limit, ct.THOST_FTDC_TC_GTC, any_volume)] == (OrderType.LIMIT, False)
    for order_type, codes in mapping.ORDER_TYPE_TO_THOST.items():  # what is sent is read back the same
        assert mapping.order_type(*codes)[0] == order_type


def test_post_only_is_refused_with_its_reason() -> None:
    # CTP has no maker-only flag: no code combination reads back as POST_ONLY, none is sent for it, and the
    # refusal names the cause instead of a generic "cannot be sent"
    assert OrderType.POST_ONLY not in mapping.ORDER_TYPE_TO_THOST
    assert all(
        mapping.order_type(p, t, v)[0] != OrderType.POST_ONLY
        for p in PRICE_TYPES
        for t in TIME_CONDITIONS
        for v in VOLUME_CONDITIONS
    )
    assert "no post-only" in mapping.ORDER_TYPE_REFUSAL[OrderType.POST_ONLY]


def test_offsets_and_directions() -> None:
    for offset, code in mapping.OFFSET_TO_THOST.items():
        assert mapping.offset(code) == (offset, True)
    assert mapping.offset(ct.THOST_FTDC_OF_ForceClose) == (Offset.CLOSE, False)
    assert mapping.POSITION_DIRECTION_FROM_THOST[ct.THOST_FTDC_PD_Net] == Direction.NET  # not SHORT
    assert mapping.DIRECTION_FROM_THOST[ct.THOST_FTDC_D_Sell] == Direction.SHORT


def test_china_datetime_at_night() -> None:
    monday = date(2026, 11, 30)
    # DCE-style: the trading day as the date of a night report -> Friday evening / Saturday small hours.
    assert mapping.china_datetime("20261130", "21:30:00", monday) == datetime(
        2026, 11, 27, 21, 30, tzinfo=CHINA_TZ
    )
    assert mapping.china_datetime("20261130", "01:00:00", monday) == datetime(
        2026, 11, 28, 1, 0, tzinfo=CHINA_TZ
    )
    # A calendar date at night is kept; day-session times keep their date.
    assert mapping.china_datetime("20261127", "21:30:00", monday).day == 27  # type: ignore[union-attr]
    assert mapping.china_datetime("20261130", "09:30:00", monday).day == 30  # type: ignore[union-attr]
    assert mapping.china_datetime("20261130", "09:30:00", monday, 5).microsecond == 5000  # type: ignore[union-attr]
    assert mapping.china_datetime("2026113", "09:30:00", None) is None
    assert mapping.china_datetime("20261130", "9:30", None) is None


def test_decoder_round_trip_and_bad_payloads() -> None:
    order = encode_struct(
        "Order",
        {
            "InstrumentID": "rb2601",
            "OrderRef": "12",
            "FrontID": 3,
            "SessionID": -7,
            "LimitPrice": 3500.5,
            "OrderStatus": "3",
            "StatusMsg": "未成交",
        },
    )
    info = encode_struct("RspInfo", {"ErrorID": 0})
    callback = decode(ct.TRADER_OnRtnOrder, 0, True, struct.pack("<I", 1) + order)
    assert callback.name == "OnRtnOrder" and callback.error is None and callback.data is not None
    data: Any = callback.data
    assert (data.InstrumentID, data.FrontID, data.SessionID, data.LimitPrice) == (
        "rb2601",
        3,
        -7,
        3500.5,
    )
    assert (data.OrderStatus, data.StatusMsg, data.OrderSubmitStatus) == ("3", "未成交", "")
    login = encode_struct("RspUserLogin", {"TradingDay": "20261130"})
    failed = encode_struct("RspInfo", {"ErrorID": 3, "ErrorMsg": "不合法的登录"})
    answer = decode(ct.TRADER_OnRspUserLogin, 5, True, struct.pack("<I", 3) + login + failed)
    assert answer.error_text == "code 3: 不合法的登录" and answer.request_id == 5
    ok = decode(ct.TRADER_OnRspUserLogin, 5, True, struct.pack("<I", 3) + login + info)
    assert ok.error is None and ok.data is not None and ok.data.TradingDay == "20261130"  # type: ignore[attr-defined]
    empty = bytes(ct.RspUserLogin.SIZE + ct.RspInfo.SIZE)
    null = decode(ct.TRADER_OnRspUserLogin, 5, True, struct.pack("<I", 0) + empty)
    assert null.data is None and null.error is None
    assert decode(ct.MD_OnFrontDisconnected, 0x1001, True, b"").request_id == 0x1001
    with pytest.raises(ValueError, match="expected"):
        decode(ct.TRADER_OnRtnOrder, 0, True, struct.pack("<I", 1) + order[:-1])
    with pytest.raises(KeyError):
        decode(0xDEAD, 0, True, b"")
    with pytest.raises(ValueError, match=r"Order.InstrumentID is too long \(81 bytes; at most 80 fit\)"):
        encode_struct("Order", {"InstrumentID": "x" * 81})


def _reports() -> tuple[Any, Any]:
    order = encode_struct(
        "Order",
        {
            "InstrumentID": "rb2601",
            "ExchangeID": "SHFE",
            "OrderRef": "7",
            "FrontID": 1,
            "SessionID": 2,
            "OrderSysID": "  100",
            "Direction": "0",
            "CombOffsetFlag": "0",
            "OrderPriceType": "2",
            "TimeCondition": "3",
            "VolumeCondition": "1",
            "LimitPrice": 3500.0,
            "VolumeTotalOriginal": 2,
            "VolumeTraded": 2,
            "OrderStatus": "0",
            "OrderSubmitStatus": "3",
            "InsertDate": "20261130",
            "InsertTime": "21:00:00",
        },
    )
    trade = encode_struct(
        "Trade",
        {
            "InstrumentID": "rb2601",
            "ExchangeID": "SHFE",
            "OrderSysID": "  100",
            "TradeID": " 55",
            "Direction": "0",
            "OffsetFlag": "0",
            "Price": 3500.0,
            "Volume": 2,
            "TradeDate": "20261130",
            "TradeTime": "21:00:01",
        },
    )
    flags = struct.pack("<I", 1)
    order_fields = decode(ct.TRADER_OnRtnOrder, 0, True, flags + order).data
    trade_fields = decode(ct.TRADER_OnRtnTrade, 0, True, flags + trade).data
    assert order_fields is not None and trade_fields is not None
    return order_fields, trade_fields


def test_trade_before_order_and_replays() -> None:
    """A trade whose order report has not arrived is kept, not lost (vn.py raised KeyError); replays are not
    pushed twice; an older report never revives a finished order."""
    from vtcore.event import EVENT_ORDER, EVENT_TRADE, EventEngine  # noqa: PLC0415
    from vtcore.gateways.ctp import CtpGateway  # noqa: PLC0415

    event_engine = EventEngine()
    gateway = CtpGateway(event_engine, "CTP")
    gateway.td.trading_day = date(2026, 11, 30)
    pushed: list[tuple[str, object]] = []
    gateway.on_event = lambda type_, data=None: pushed.append((type_, data))  # type: ignore[method-assign]
    order, trade = _reports()
    gateway.update_trade(trade)
    assert pushed == []
    gateway.update_order(order)
    kinds = [type_ for type_, _ in pushed if type_ in (EVENT_ORDER, EVENT_TRADE)]
    assert kinds == [EVENT_ORDER, EVENT_TRADE]
    pushed_trade = next(data for type_, data in pushed if type_ == EVENT_TRADE)
    assert pushed_trade.orderid == "1_2_7" and pushed_trade.tradeid == "SHFE.55"  # type: ignore[attr-defined]
    assert pushed_trade.datetime == datetime(2026, 11, 27, 21, 0, 1, tzinfo=CHINA_TZ)  # type: ignore[attr-defined]
    count = len(pushed)
    gateway.update_order(order)  # the private flow replayed after a re-login
    gateway.update_trade(trade)
    older = order.copy()
    older.OrderStatus, older.VolumeTraded = "3", 0
    gateway.update_order(older)  # an older state of a finished order
    assert len(pushed) == count
