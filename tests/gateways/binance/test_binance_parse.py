"""Binance wire -> vtcore, from the venue's documented frames (tests/resources/binance), no sockets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec

from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.gateways._transport import ClockSkewError, RateLimitError, RequestRejectedError, SignatureError
from vtcore.gateways.binance import parse, schemas

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "binance"
UTC = dt.timezone.utc


def frame(name: str) -> bytes:
    return (RESOURCES / name).read_bytes().strip()


def test_execution_report_new_is_a_resting_order_without_reason() -> None:
    # Arrange
    event = parse.SPOT_USER_EVENT.decode(
        parse.API_FRAME.decode(frame("ws_api_execution_report_new.json")).event
    )
    assert isinstance(event, schemas.ExecutionReport)
    # Act
    order, reason = parse.order_from_event(
        event, event.c, gateway_name="B", exchange=Exchange.BINANCE, symbol="ETHBTC"
    )
    # Assert
    assert (order.orderid, order.symbol, order.status, order.type) == (
        "mUvoqJxFIILMdfAW5iGSOW",
        "ETHBTC",
        Status.NOTTRADED,
        OrderType.LIMIT,
    )
    assert (order.direction, order.price, order.volume, order.traded) == (Direction.LONG, 0.1026441, 1.0, 0.0)
    assert order.datetime == dt.datetime(2017, 7, 7, 5, 34, 18, 657000, tzinfo=UTC)  # T: 1499405658657 ms
    assert reason == ""


def test_a_rejection_without_the_venues_words_still_says_why() -> None:
    raw = msgspec.json.decode(frame("ws_api_execution_report_new.json"))["event"]
    raw.update({"x": "REJECTED", "X": "REJECTED"})
    event = parse.SPOT_USER_EVENT.decode(msgspec.json.encode(raw))
    order, reason = parse.order_from_event(
        event, "o", gateway_name="B", exchange=Exchange.BINANCE, symbol="ETHBTC"
    )
    assert (order.status, reason) == (Status.REJECTED, "the venue rejected the order")


def test_futures_order_trade_update() -> None:
    event = parse.FUTURES_USER_EVENT.decode(frame("futures_order_trade_update_new.json"))
    assert isinstance(event, schemas.OrderTradeUpdate)
    order, reason = parse.order_from_event(
        event.o, event.o.c, gateway_name="F", exchange=Exchange.BINANCE, symbol="BTCUSDT_SWAP"
    )
    assert (order.orderid, order.symbol, order.direction, order.price, order.volume) == (
        "TEST",
        "BTCUSDT_SWAP",
        Direction.SHORT,
        9910.0,
        0.001,
    )
    assert (order.status, reason) == (Status.NOTTRADED, "")


def test_futures_account_update_decodes_balances_and_positions() -> None:
    event = parse.FUTURES_USER_EVENT.decode(frame("futures_account_update.json"))
    assert isinstance(event, schemas.AccountUpdate)
    assert [(b.a, b.wb) for b in event.a.B] == [("USDT", "122624.12345678")]
    assert [(p.s, p.pa, p.ps) for p in event.a.P] == [("BTCUSDT", "0", "BOTH")]


def test_combined_frames_name_their_stream_and_decode_prices_as_floats() -> None:
    raw = frame("combined_book_ticker.json")
    assert parse.stream_name(raw) == ("bnbusdt@bookTicker", b"bookTicker")
    ticker = parse.BOOK_TICKER.decode(raw).data
    assert (ticker.s, ticker.b, ticker.B, ticker.a, ticker.A) == ("BNBUSDT", 25.3519, 31.21, 25.3652, 40.66)
    depth_raw = frame("combined_depth5.json")
    assert parse.stream_name(depth_raw) == ("bnbbtc@depth5@100ms", b"depth5@100ms")
    depth = parse.SPOT_DEPTH.decode(depth_raw).data
    assert (depth.bids, depth.asks) == ([(0.0024, 10.0)], [(0.0026, 100.0)])
    assert parse.stream_name(b'{"result":null,"id":1}') is None


def test_errors_are_typed_by_status_and_code() -> None:
    body = frame("error_insufficient_balance.json")
    refused = parse.parse_error(400, body, {})
    assert isinstance(refused, RequestRejectedError) and refused.code == -2010
    assert refused.venue_message == "Account has insufficient balance for requested action."
    limited = parse.parse_error(429, body, {"Retry-After": "7"})
    assert isinstance(limited, RateLimitError) and limited.retry_after == 7.0
    assert isinstance(parse.parse_error(400, b'{"code":-1021,"msg":"Timestamp"}', {}), ClockSkewError)
    assert isinstance(parse.parse_error(401, b'{"code":-2015,"msg":"Invalid API-key"}', {}), SignatureError)
    assert parse.parse_error(200, b"{}", {}) is None


def test_contract_from_exchange_info_has_price_and_size_steps() -> None:
    info = msgspec.json.decode(frame("exchange_info.json"), type=schemas.ExchangeInfo)
    item = info.symbols[0]
    contract = parse.contract(
        item, gateway_name="B", exchange=Exchange.BINANCE, symbol=item.symbol, product=Product.SPOT, size=1.0
    )
    assert (contract.symbol, contract.pricetick, contract.min_volume, contract.product) == (
        "ETHBTC",
        0.000001,
        0.001,
        Product.SPOT,
    )
    assert parse.steps(item) == ("0.00000100", "0.00100000")


def test_kline_row_is_a_bar() -> None:
    row = msgspec.json.decode(frame("kline_row.json"), type=schemas.Kline)
    bar = parse.bar(
        row, gateway_name="B", exchange=Exchange.BINANCE, symbol="ETHBTC", interval=Interval.MINUTE
    )
    assert bar.datetime == dt.datetime(2017, 7, 3, tzinfo=UTC)
    assert (bar.open_price, bar.high_price, bar.low_price, bar.close_price) == (
        0.0163479,
        0.8,
        0.015758,
        0.015771,
    )
    assert (bar.volume, bar.turnover) == (148976.11427815, 2434.19055334)


def test_a_fill_is_a_trade_with_the_venues_id() -> None:
    trade = parse.trade("B", Exchange.BINANCE, "ETHBTC", "o1", 12345, "SELL", "0.001", "100", None)
    assert (trade.tradeid, trade.direction, trade.price, trade.volume) == (
        "12345",
        Direction.SHORT,
        0.001,
        100.0,
    )
