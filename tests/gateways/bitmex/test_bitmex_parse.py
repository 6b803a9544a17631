"""BitMEX wire -> vtcore, from frames recorded off the local venue (tests/resources/bitmex/frames.jsonl) and
rows from BitMEX captures quoted in venues.md §5: no sockets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.gateways._transport import (
    ClockSkewError,
    RateLimitError,
    RequestRejectedError,
    SignatureError,
    VenueUnavailableError,
)
from vtcore.gateways._venue import TickState
from vtcore.gateways.bitmex import parse, schemas
from vtcore.gateways.bitmex.market import MARKET_TABLES, BitmexMarket

FRAMES = Path(__file__).parents[2] / "resources" / "bitmex" / "frames.jsonl"
UTC = dt.timezone.utc


def recorded(label: str) -> list[bytes]:
    rows = [json.loads(line) for line in FRAMES.read_text().splitlines()]
    return [row["frame"].encode() for row in rows if row["label"] == label]


class Ticks:
    def __init__(self, *symbols: str) -> None:
        self.states = {s: TickState(s, Exchange.BITMEX, "BITMEX", s) for s in symbols}
        self.pushed: list[tuple[list[Any], dt.datetime | None]] = []

    def emit(self, state: TickState, moment: dt.datetime | None) -> None:
        self.pushed.append((list(state.values), moment))

    def field(self, name: str, index: int = -1) -> Any:
        from vtcore.gateways._venue import TICK_INDEX  # noqa: PLC0415

        return self.pushed[index][0][TICK_INDEX[name]]


def market_frame(raw: bytes) -> str:
    table = parse.FRAME.decode(raw).table
    assert table is not None
    return table


def test_quote_book_and_trade_merge_into_one_tick() -> None:
    ticks = Ticks("XBTUSD")
    market = BitmexMarket(ticks.states, ticks.emit)
    for label in ("quote:partial", "orderBook10:partial", "trade:partial"):
        (raw,) = recorded(label)
        market.handle(raw, market_frame(raw))
    assert len(ticks.pushed) == 3
    assert (ticks.field("bid_price_1"), ticks.field("ask_price_1")) == (100.0, 100.5)
    assert (ticks.field("bid_price_2"), ticks.field("ask_volume_2")) == (99.5, 3000.0)
    assert (ticks.field("last_price"), ticks.field("last_volume")) == (100.5, 100.0)
    assert ticks.pushed[-1][1] is not None and ticks.pushed[-1][1].tzinfo is not None


def test_documented_quote_row() -> None:
    # a captured BitMEX quote row (venues.md §5, from nautilus' test data)
    row = (
        b'{"timestamp":"2024-11-22T22:44:25.085Z","symbol":"BCHUSDT","bidSize":103000,"bidPrice":487.55,'
        b'"askPrice":488.25,"askSize":50000}'
    )
    ticks = Ticks("BCHUSDT")
    BitmexMarket(ticks.states, ticks.emit).handle(
        b'{"table":"quote","action":"insert","data":[' + row + b"]}", "quote"
    )
    assert (ticks.field("bid_price_1"), ticks.field("bid_volume_1")) == (487.55, 103000.0)
    assert ticks.pushed[0][1] == dt.datetime(2024, 11, 22, 22, 44, 25, 85000, tzinfo=UTC)


def test_market_frames_for_other_symbols_and_tables() -> None:
    ticks = Ticks("XBTUSDT")  # not the symbol of the recorded frames
    market = BitmexMarket(ticks.states, ticks.emit)
    for raw in recorded("quote:insert") + recorded("trade:insert") + recorded("instrument:update"):
        market.handle(raw, market_frame(raw))
    assert ticks.pushed == []
    assert "order" not in MARKET_TABLES


def test_malformed_frames_raise_decode_errors() -> None:
    market = BitmexMarket(Ticks("XBTUSD").states, lambda state, moment: None)
    for raw in (b'{"table":"quote","action":"insert","data":[{"symbol":1}]}', b'{"table":"quote"'):
        with pytest.raises(parse.DECODE_ERRORS):
            market.handle(raw, "quote")


def test_orders_and_executions() -> None:
    (insert,) = recorded("order:insert")[:1]
    row = parse.ORDERS.decode(parse.FRAME.decode(insert).data)[0]
    order = parse.order(row, orderid="rec-1", gateway_name="BITMEX", exchange=Exchange.BITMEX)
    assert (order.symbol, order.direction, order.type, order.volume, order.price) == (
        "XBTUSD",
        Direction.LONG,
        OrderType.LIMIT,
        200.0,
        99.0,
    )
    assert order.status == Status.NOTTRADED
    updates = [parse.ORDERS.decode(parse.FRAME.decode(r).data)[0] for r in recorded("order:update")]
    assert [parse.STATUS_BITMEX2VT[u.ordStatus or ""] for u in updates[:2]] == [
        Status.PARTTRADED,  # "PartiallyFilled": vn.py 2.x looked for "Partially filled" and missed it
        Status.CANCELLED,
    ]
    assert parse.cancel_reason(updates[1].text) == "Canceled via API."
    executions = [
        parse.EXECUTIONS.decode(parse.FRAME.decode(r).data)[0] for r in recorded("execution:insert")
    ]
    assert [e.execType for e in executions] == ["New", "Trade", "Canceled", "New", "Trade"]
    fill = parse.trade(executions[1], orderid="rec-1", gateway_name="BITMEX", exchange=Exchange.BITMEX)
    assert fill is not None and (fill.price, fill.volume, fill.direction) == (99.0, 100.0, Direction.LONG)
    assert (
        parse.trade(executions[0], orderid="rec-1", gateway_name="BITMEX", exchange=Exchange.BITMEX) is None
    )


def test_documented_post_only_and_fill_rows() -> None:
    row = msgspec.json.decode(
        b'{"orderID":"550e8400","clOrdID":"x","symbol":"XBTUSD","side":"Buy","orderQty":100,"price":98000,'
        b'"ordType":"Limit","timeInForce":"GoodTillCancel","execInst":"ParticipateDoNotInitiate",'
        b'"ordStatus":"Canceled","text":"Canceled: Order had execInst of ParticipateDoNotInitiate",'
        b'"transactTime":"2024-11-22T22:44:25.085Z"}',
        type=schemas.Order,
    )
    order = parse.order(row, orderid="x", gateway_name="BITMEX", exchange=Exchange.BITMEX)
    assert (order.type, order.status) == (OrderType.POST_ONLY, Status.CANCELLED)
    assert parse.cancel_reason(row.text) == "Order had execInst of ParticipateDoNotInitiate"


def test_margin_position_and_bucket() -> None:
    margin = msgspec.json.decode(
        b'{"account":1,"currency":"XBt","walletBalance":100005180,"marginBalance":100010360,'
        b'"availableMargin":99994411,"unrealisedPnl":5180}',
        type=schemas.Margin,
    )
    account = parse.account(margin, gateway_name="BITMEX")
    assert account is not None
    assert account.accountid == "XBT" and account.balance == pytest.approx(1.0001036)
    assert account.frozen == pytest.approx(0.00015949)
    assert parse.account(schemas.Margin(currency="XBt"), gateway_name="BITMEX") is None
    position = msgspec.json.decode(
        b'{"account":1,"symbol":"XBTUSD","currentQty":-1000,"avgEntryPrice":98039.5,"unrealisedPnl":5180}',
        type=schemas.Position,
    )
    data = parse.position(position, gateway_name="BITMEX", exchange=Exchange.BITMEX, settle_scale=1e8)
    assert (data.direction, data.volume, data.price, data.pnl) == (Direction.NET, -1000.0, 98039.5, 5.18e-05)
    bucket = msgspec.json.decode(
        b'{"timestamp":"2026-01-02T03:05:00.000Z","symbol":"XBTUSD","open":1,"high":3,"low":0.5,"close":2,'
        b'"volume":10,"turnover":99}',
        type=schemas.Bucket,
    )
    bar = parse.bar(
        bucket, bin_size="1m", interval=Interval.MINUTE, gateway_name="BITMEX", exchange=Exchange.BITMEX
    )
    assert bar.datetime == dt.datetime(2026, 1, 2, 3, 4, tzinfo=UTC)  # the bin's start
    assert (bar.open_price, bar.high_price, bar.low_price, bar.close_price) == (1.0, 3.0, 0.5, 2.0)


def test_signature_and_errors() -> None:
    secret = b"chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"
    assert parse.sign(secret, "GET", "/api/v1/instrument", 1518064236, "") == (
        "c7682d435d0cfe87c16098df34ef2eb5a549d4c5a3c2b1f0f77b8af73423bf00"
    )

    def error(status: int, message: str, headers: dict[str, str] | None = None) -> Any:
        body = json.dumps({"error": {"message": message, "name": "HTTPError"}}).encode()
        return parse.parse_error(status, body, headers or {})

    assert isinstance(error(401, "Signature not valid."), SignatureError)
    assert isinstance(error(401, "Invalid API Key."), SignatureError)
    expired = error(401, "This request has expired - `expires` is in the past. Current time: 1")
    assert isinstance(expired, ClockSkewError)
    limited = error(429, "Rate limit exceeded, retry in 2 seconds.", {"Retry-After": "2"})
    assert isinstance(limited, RateLimitError) and limited.retry_after == 2
    assert isinstance(error(503, "The system is currently overloaded."), VenueUnavailableError)
    rejected = error(400, "Account has insufficient Available Balance, 1 XBt required")
    assert type(rejected) is RequestRejectedError and "insufficient" in rejected.venue_message
    assert parse.parse_error(200, b"[]", {}) is None
    assert isinstance(parse.parse_error(502, b"<html>bad gateway</html>", {}), VenueUnavailableError)


def test_level_book_from_l2_partial_and_updates() -> None:
    ticks = Ticks("XBTUSD")
    market = BitmexMarket(ticks.states, ticks.emit)
    frames = [raw for raw in recorded_all() if raw.startswith(b'{"table":"orderBookL2_25"')]
    for raw in frames:
        market.handle(raw, "orderBookL2_25")
    assert len(ticks.pushed) == len(frames)
    # the recorded session's market sell of 300 took that much of the 100.0 bid
    assert (ticks.field("bid_price_1"), ticks.field("bid_volume_1")) == (100.0, 700.0)
    assert (ticks.field("bid_price_2"), ticks.field("ask_price_1"), ticks.field("ask_volume_2")) == (
        99.5,
        100.5,
        3000.0,
    )
    # a delete takes the level away; an update of an unknown id changes nothing
    delete = frames[0].replace(b'"action":"partial"', b'"action":"delete"')
    market.handle(delete, "orderBookL2_25")
    assert ticks.field("bid_price_1") == 0.0 and ticks.field("ask_price_1") == 0.0
    market.handle(
        b'{"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":1,"side":"Buy",'
        b'"size":5}]}',
        "orderBookL2_25",
    )
    assert ticks.field("bid_price_1") == 0.0


def recorded_all() -> list[bytes]:
    return [json.loads(line)["frame"].encode() for line in FRAMES.read_text().splitlines()]
