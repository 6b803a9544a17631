"""The wire schemas: every data object and request survives encode -> decode unchanged (under a new gateway
name),
and what does not match the schema is refused by msgspec before any object is built."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from vtcore._fast import CHINA_TZ, TickData
from vtcore.constant import Direction, Exchange, Interval, Offset, OptionType, OrderType, Product, Status
from vtcore.object import (
    AccountData,
    BarData,
    CancelRequest,
    ContractData,
    GatewayStateData,
    HistoryRequest,
    LogData,
    OrderData,
    OrderRequest,
    PositionData,
    QuoteData,
    QuoteRequest,
    SubscribeRequest,
    TradeData,
)
from vtcore.rpc import schema
from vtcore.rpc.protocol import Call

NOW = dt.datetime(2026, 11, 26, 9, 30, 1, 500_000, tzinfo=CHINA_TZ)
SAMPLES: list[Any] = [
    TickData(
        "CTP",
        "rb2605",
        Exchange.SHFE,
        NOW,
        name="螺纹钢2605",
        volume=12,
        last_price=3512.0,
        bid_price_1=3511,
        ask_price_5=3520,
        bid_volume_3=7,
        localtime=NOW,
    ),
    BarData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        datetime=NOW,
        interval=Interval.MINUTE,
        close_price=3512,
    ),
    OrderData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        orderid="1_-2_3.4",
        type=OrderType.FAK,
        direction=Direction.SHORT,
        offset=Offset.CLOSETODAY,
        price=3512,
        volume=2,
        traded=1,
        status=Status.PARTTRADED,
        datetime=NOW,
        reference="strategy-1",
    ),
    TradeData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        orderid="1",
        tradeid="  77",
        direction=Direction.LONG,
        offset=Offset.OPEN,
        price=3512,
        volume=1,
        datetime=NOW,
    ),
    PositionData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        direction=Direction.NET,
        volume=3,
        yd_volume=1,
        pnl=-12.5,
    ),
    AccountData(gateway_name="CTP", accountid="0001", balance=100.0, frozen=10.0),
    ContractData(
        gateway_name="CTP",
        symbol="rb2605C3500",
        exchange=Exchange.SHFE,
        name="option",
        product=Product.OPTION,
        size=10,
        pricetick=0.5,
        max_volume=100,
        option_strike=3500,
        option_underlying="rb2605.SHFE",
        option_type=OptionType.CALL,
        option_expiry=NOW,
    ),
    QuoteData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        quoteid="q1",
        bid_price=1,
        bid_volume=2,
        ask_price=3,
        ask_volume=4,
        status=Status.NOTTRADED,
        datetime=NOW,
    ),
    GatewayStateData(gateway_name="CTP", front="md", state="connected", message="ok"),
]


@pytest.mark.parametrize("original", SAMPLES, ids=lambda obj: type(obj).__name__)
def test_every_data_object_round_trips(original: Any) -> None:
    encoded = msgspec.msgpack.encode(schema.Publication(1, 2, "eX", schema.to_msg(original)))
    decoded = msgspec.msgpack.decode(encoded, type=schema.PublicationMsg)
    assert isinstance(decoded, schema.Publication)
    copy = schema.to_object(decoded.data, "RPC")
    assert type(copy) is type(original)
    assert copy.gateway_name == "RPC"
    copy.gateway_name = original.gateway_name
    assert copy == original


def test_account_override_and_log_time_survive() -> None:
    account = AccountData(gateway_name="CTP", accountid="1", balance=100, frozen=10)
    account.available = 42.0  # a gateway's own figure (CTP sets it)
    copy = schema.to_object(
        msgspec.msgpack.decode(msgspec.msgpack.encode(schema.to_msg(account)), type=schema.AccountMsg)
    )
    assert copy.available == 42.0
    log = LogData(gateway_name="CTP", msg="hello", level=30)
    copy = schema.to_object(
        msgspec.msgpack.decode(msgspec.msgpack.encode(schema.to_msg(log)), type=schema.LogMsg)
    )
    assert (copy.msg, copy.level, copy.time) == ("hello", 30, log.time)


@pytest.mark.parametrize("original", [SAMPLES[0], SAMPLES[2], SAMPLES[3]], ids=["tick", "order", "trade"])
def test_datetimes_come_back_in_the_exchange_timezone(original: Any) -> None:
    codec = schema.DATA_CODECS[type(original)]
    copy = codec.to_object(
        msgspec.msgpack.decode(msgspec.msgpack.encode(codec.to_msg(original)), type=codec.msg_class)
    )
    assert copy.datetime == NOW
    assert copy.datetime.utcoffset() == dt.timedelta(hours=8)  # not UTC, as msgpack carried it


@pytest.mark.parametrize(
    ("codec", "request_obj"),
    [
        (schema.SUBSCRIBE_REQ, SubscribeRequest("rb2605", Exchange.SHFE)),
        (
            schema.ORDER_REQ,
            OrderRequest(
                "rb2605", Exchange.SHFE, Direction.LONG, OrderType.LIMIT, 1, 3500, Offset.OPEN, "ref"
            ),
        ),
        (
            schema.ORDER_REQ,
            OrderRequest(
                "BTCUSDT",
                Exchange.BINANCE,
                Direction.SHORT,
                OrderType.POST_ONLY,
                0.5,
                101.5,
                Offset.NONE,
                "maker",
            ),
        ),
        (schema.CANCEL_REQ, CancelRequest("1_2_3", "rb2605", Exchange.SHFE)),
        (schema.HISTORY_REQ, HistoryRequest("rb2605", Exchange.SHFE, NOW, None, Interval.DAILY)),
        (schema.QUOTE_REQ, QuoteRequest("rb2605", Exchange.SHFE, 1, 2, 3, 4)),
    ],
)
def test_requests_round_trip(codec: schema.Codec[Any, Any], request_obj: Any) -> None:
    wire = msgspec.msgpack.encode(codec.to_msg(request_obj))
    assert codec.to_object(msgspec.msgpack.decode(wire, type=codec.msg_class)) == request_obj


def test_calls_are_validated_field_by_field() -> None:
    decoder = msgspec.msgpack.Decoder(schema.PublicationMsg)
    # An unknown enum value, a wrong type and an unknown tag are refused.
    order = msgspec.msgpack.encode(schema.Publication(1, 1, "eOrder.", schema.to_msg(SAMPLES[2])))
    with pytest.raises(msgspec.ValidationError):
        decoder.decode(order.replace(b"PARTTRADED", b"EXPLODED!!"))
    with pytest.raises(msgspec.ValidationError):
        msgspec.msgpack.decode(
            msgspec.msgpack.encode({"m": "send_order", "id": 1, "req": [1, 2, 3], "gateway_name": "CTP"}),
            type=schema.SendOrder,
        )
    with pytest.raises(msgspec.ValidationError):
        decoder.decode(msgspec.msgpack.encode(["z", 1, 1, "eOrder.", ["order"]]))
    names = {call.__struct_config__.tag for call in schema.CALLS}
    assert {
        "subscribe",
        "send_order",
        "cancel_order",
        "query_history",
        "get_tick",
        "get_all_contracts",
        "get_all_active_orders",
        "snapshot",
    } <= names
    assert all(issubclass(call, Call) for call in schema.CALLS)


def test_an_orders_rejection_reason_travels_masked() -> None:
    order = OrderData(
        gateway_name="CTP", symbol="rb2605", exchange=Exchange.SHFE, orderid="1", status=Status.REJECTED
    )
    order.extra = {"reason": "no margin; secret=abc123"}
    wire = msgspec.msgpack.encode(schema.Publication(1, 2, "eOrder.", schema.to_msg(order)))
    assert b"abc123" not in wire
    copy = schema.to_object(msgspec.msgpack.decode(wire, type=schema.PublicationMsg).data, "RPC")
    assert copy.extra is not None
    assert copy.extra["reason"].startswith("no margin; secret=")
    assert "abc123" not in copy.extra["reason"]
