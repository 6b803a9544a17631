"""Alpaca's wire -> vtcore conversions (vtcore.gateways.alpaca.parse) from the frames in
tests/resources/alpaca/frames.json, without sockets. The MessagePack frames are the same messages encoded as
Alpaca's stream encodes them (times as timestamp extensions), by the `msgpack` package alpaca-py uses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import msgpack
import pytest
from alpaca.trading.enums import OrderStatus, TradeEvent

from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.gateways._transport import (
    RateLimitError,
    RequestRejectedError,
    SignatureError,
    VenueUnavailableError,
)
from vtcore.gateways.alpaca import parse, schemas

FRAMES: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "resources" / "alpaca" / "frames.json").read_text()
)
UTC = dt.timezone.utc
ARGS = {"gateway_name": "ALPACA", "exchange": Exchange.SMART}


def as_msgpack(messages: list[dict[str, Any]]) -> bytes:
    """The messages as the data stream sends them in MessagePack: times as timestamp extensions."""

    def stamp(text: str) -> msgpack.Timestamp:
        seconds, _, fraction = text.rstrip("Z").partition(".")
        whole = dt.datetime.fromisoformat(seconds).replace(tzinfo=UTC)
        return msgpack.Timestamp(int(whole.timestamp()), int(fraction.ljust(9, "0")) if fraction else 0)

    return msgpack.packb([{**m, "t": stamp(m["t"])} if "t" in m else m for m in messages])


def test_market_frames_decode_alike_in_json_and_msgpack() -> None:
    as_json = parse.decode_market(json.dumps(FRAMES["market"]).encode())
    as_binary = parse.decode_market(as_msgpack(FRAMES["market"]))
    assert as_json == as_binary  # the LULD message ("l") is skipped, the rest kept
    quote, trade, daily = as_json
    assert isinstance(quote, schemas.Quote) and isinstance(trade, schemas.Trade)
    assert (quote.S, quote.bp, quote.bs, quote.ap, quote.as_) == ("AAPL", 187.66, 1, 187.68, 4)
    assert quote.t == dt.datetime(2026, 2, 23, 15, 51, 45, 335689, tzinfo=UTC)  # nanoseconds cut to micro
    assert (trade.p, trade.s, trade.i) == (187.67, 100, 52983525029461)
    assert isinstance(daily, schemas.DailyBar) and (daily.o, daily.h, daily.l, daily.v) == (
        185.1,
        188.2,
        184.9,
        1234567,
    )


def test_control_messages_and_malformed_frames() -> None:
    success, subscription, error = parse.decode_market(json.dumps(FRAMES["control"]).encode())
    assert isinstance(success, schemas.Success) and success.msg == "authenticated"
    assert isinstance(subscription, schemas.Subscription) and subscription.dailyBars == ["AAPL"]
    assert isinstance(error, schemas.Error) and (error.code, error.msg) == (406, "connection limit exceeded")
    for bad in (
        b"not json",
        b'{"T":"q"}',
        b'[{"T":"q","S":"AAPL","bp":"x","t":"2026-01-01T00:00:00Z"}]',
        b"\xc1",
    ):
        with pytest.raises(parse.DECODE_ERRORS):
            parse.decode_market(bad)


def test_every_order_status_and_trade_event_of_the_sdk_is_mapped() -> None:
    assert {status.value for status in OrderStatus} <= set(parse.STATUS_ALPACA2VT)
    fill_events = {event.value for event in TradeEvent if "fill" in event.value}
    assert fill_events == parse.FILL_EVENTS


def test_trade_update_gives_a_trade_and_the_order() -> None:
    frame = parse.STREAM_FRAME.decode(json.dumps(FRAMES["trade_update_fill"]).encode())
    update = parse.TRADE_UPDATE.decode(frame.data)
    trade = parse.trade(update, orderid="260102153000000001", **ARGS)
    assert trade is not None
    assert (trade.tradeid, trade.price, trade.volume, trade.direction) == (
        "7922ab44-5c4f-4ac9-9d2b-2b4b4e0c1a8e",
        179.08,
        100.0,
        Direction.LONG,
    )
    assert trade.datetime == dt.datetime(2026, 1, 2, 15, 30, 0, 123000, tzinfo=UTC)
    order = parse.order(update.order, orderid="260102153000000001", **ARGS)
    assert (order.type, order.price, order.volume, order.traded, order.status) == (
        OrderType.LIMIT,
        179.1,
        100,
        100,
        Status.ALLTRADED,
    )
    assert order.extra == {"venue_id": "61e69015-8549-4bfd-b9c3-01e75843f47d", "time_in_force": "day"}
    authorized = parse.STREAM_FRAME.decode(json.dumps(FRAMES["authorized"]).encode())
    assert parse.STREAM_STATUS.decode(authorized.data).status == "authorized"


def test_stop_order_price_is_its_stop_and_ioc_limit_is_fak() -> None:
    stop = parse.ORDER.decode(json.dumps(FRAMES["stop_order"]).encode())
    order = parse.order(stop, orderid="abc-stop", **ARGS)
    assert (order.type, order.price, order.direction, order.status) == (
        OrderType.STOP,
        480.5,
        Direction.SHORT,
        Status.NOTTRADED,
    )
    ioc = parse.ORDER.decode(
        json.dumps(
            {**FRAMES["stop_order"], "type": "limit", "time_in_force": "ioc", "limit_price": "1"}
        ).encode()
    )
    assert parse.order_type(ioc) == OrderType.FAK


def test_errors_are_typed() -> None:
    forbidden = parse.parse_error(403, json.dumps(FRAMES["error_403"]).encode(), {})
    assert isinstance(forbidden, RequestRejectedError) and not isinstance(forbidden, SignatureError)
    assert (forbidden.code, forbidden.venue_message) == (40310000, "insufficient buying power")
    unauthorized = parse.parse_error(401, b'{"code":40110000,"message":"request is not authorized"}', {})
    assert isinstance(unauthorized, SignatureError)
    limited = parse.parse_error(
        429, b'{"code":42910000,"message":"rate limit exceeded"}', {"Retry-After": "3"}
    )
    assert isinstance(limited, RateLimitError) and limited.retry_after == 3
    assert parse.retry_after({"X-RateLimit-Reset": "1000"}, now=995.5) == 4.5
    assert isinstance(parse.parse_error(503, b"<html>", {}), VenueUnavailableError)
    plain = parse.parse_error(422, b"qty must be > 0", {})
    assert isinstance(plain, RequestRejectedError) and plain.venue_message == "qty must be > 0"
    assert parse.parse_error(200, b"{}", {}) is None


def test_session_from_clock_and_calendar() -> None:
    days = parse.CALENDAR.decode(json.dumps(FRAMES["calendar"]).encode())
    new_york = parse.NEW_YORK

    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, 3, day, hour, minute, tzinfo=new_york)

    expected = [
        (at(2, 3, 59), "closed"),
        (at(2, 4, 0), "extended"),
        (at(2, 9, 29), "extended"),
        (at(2, 9, 30), "regular"),
        (at(2, 15, 59), "regular"),
        (at(2, 16, 0), "extended"),
        (at(2, 20, 0), "closed"),
        (at(3, 13, 30), "extended"),  # an early close: 13:00, the extended session until 17:00
        (at(3, 17, 0), "closed"),
        (at(7, 10, 0), "closed"),  # a Saturday: no calendar day
    ]
    assert [(moment, parse.session_at(moment, days, None)) for moment, _ in expected] == expected
    clock = parse.CLOCK.decode(json.dumps(FRAMES["clock"]).encode())
    assert clock.is_open and clock.timestamp.utcoffset() == dt.timedelta(hours=-5)
    assert parse.session_at(at(2, 10), days, clock) == "regular"
    assert parse.session_at(at(2, 16, 30), days, clock) == "extended"  # past next_close: the calendar decides
    shut = schemas.Clock(clock.timestamp, False, clock.next_open, clock.next_close)
    assert parse.session_at(at(2, 10), days, shut) == "closed"  # a halted market: the clock says closed


def test_account_asset_position_activity_and_bars() -> None:
    account = parse.account(
        parse.ACCOUNT.decode(json.dumps(FRAMES["account"]).encode()), gateway_name="ALPACA"
    )
    assert (account.accountid, account.balance, account.frozen) == ("PALPACA_123", 123346.11, 100.0)
    asset = parse.ASSETS.decode(json.dumps([FRAMES["asset"]]).encode())[0]
    contract = parse.contract(asset, **ARGS)
    assert (contract.vt_symbol, contract.pricetick, contract.history_data) == ("AAPL.SMART", 0.01, True)
    position = parse.position(
        parse.POSITIONS.decode(json.dumps([FRAMES["short_position"]]).encode())[0], **ARGS
    )
    assert (position.direction, position.volume, position.price, position.pnl) == (
        Direction.NET,
        -10,
        180.5,
        -71.7,
    )
    fill = parse.FILLS.decode(json.dumps([FRAMES["activity"]]).encode())[0]
    trade = parse.activity_trade(fill, orderid="x", **ARGS)
    assert (trade.tradeid, trade.price, trade.volume) == ("8efc7b9a-8b2b-4000-9955-d36e7db0df74", 1.63, 1)
    page = parse.BARS.decode(json.dumps(FRAMES["bars_page"]).encode())
    assert page.next_page_token and page.bars is not None
    bar = parse.bar(page.bars["AAPL"][0], symbol="AAPL", interval=Interval.MINUTE, **ARGS)
    assert (bar.datetime, bar.open_price, bar.close_price, bar.volume) == (
        dt.datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
        100.0,
        100.25,
        1200,
    )
    assert bar.turnover == pytest.approx(1200 * 100.1)
    assert (parse.price_step(0.5), parse.price_step(1.0)) == ("0.0001", "0.01")
    assert (parse.wall_clock("0400"), parse.wall_clock("16:00"), parse.wall_clock("2500")) == (
        dt.time(4),
        dt.time(16),
        None,
    )
