"""OKX v5 wire -> vtcore, from the venue's documented frames (tests/resources/okx), no sockets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec

from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.gateways._transport import RateLimitError, RequestRejectedError, SignatureError
from vtcore.gateways.okx import parse, schemas

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "okx"
UTC = dt.timezone.utc


def frame(name: str) -> bytes:
    return (RESOURCES / name).read_bytes().strip()


def test_market_pushes_decode_numbers_as_numbers() -> None:
    ticker = parse.TICKERS.decode(frame("ws_tickers.json")).data[0]
    assert (ticker.instId, ticker.last, ticker.bidPx, ticker.askSz, ticker.vol24h) == (
        "BTC-USDT",
        9999.99,
        8888.88,
        11.0,
        2222.0,
    )
    book = parse.BOOKS.decode(frame("ws_books5.json")).data[0]
    assert (book.bids[0][:2], book.asks[0][:2]) == ((8476.97, 256.0), (8476.98, 415.0))
    trade = parse.TRADES.decode(frame("ws_trades.json")).data[0]
    assert (trade.px, trade.sz, trade.ts) == (42219.9, 0.12060306, 1630048897897)  # ms as a number


def test_filled_order_push_is_an_order_and_its_fill() -> None:
    # Arrange
    push = parse.FRAME.decode(frame("ws_orders_filled.json"))
    assert push.arg is not None and push.arg.channel == "orders"
    (row,) = parse.ORDERS.decode(push.data)
    # Act
    order, reason = parse.order(row, gateway_name="O", exchange=Exchange.OKX)
    fill = parse.order_fill(row, order.orderid, gateway_name="O", exchange=Exchange.OKX)
    # Assert
    assert (order.orderid, order.symbol, order.type, order.direction) == (
        "001BTCUSDT20250106001",
        "BTC-USDT-SWAP",
        OrderType.MARKET,
        Direction.LONG,
    )
    assert (order.status, order.traded, order.volume, order.price, reason) == (
        Status.ALLTRADED,
        0.03,
        0.03,
        0.0,
        "",
    )
    assert order.datetime == dt.datetime.fromtimestamp(1746947317.401, UTC)
    assert parse.order_moment(row) == dt.datetime.fromtimestamp(1746947317.402, UTC)
    assert fill is not None
    assert (fill.tradeid, fill.price, fill.volume, fill.orderid) == (
        "1518905529",
        103698.9,
        0.03,
        "001BTCUSDT20250106001",
    )


def test_an_order_push_without_a_fill_has_no_trade_and_a_venue_cancel_says_why() -> None:
    raw = msgspec.json.decode(frame("ws_orders_filled.json"))["data"][0]
    raw.update({"state": "canceled", "fillSz": "0", "tradeId": "", "cancelSource": "31", "accFillSz": "0"})
    row = msgspec.json.decode(msgspec.json.encode(raw), type=schemas.Order)
    order, reason = parse.order(row, gateway_name="O", exchange=Exchange.OKX)
    assert order.status == Status.CANCELLED
    assert reason == "cancelled by the venue: cancelSource 31 (post-only order would have taken liquidity)"
    assert parse.order_fill(row, order.orderid, gateway_name="O", exchange=Exchange.OKX) is None


def test_errors_are_typed_by_code() -> None:
    limited = parse.parse_error(429, frame("http_error_rate_limit.json"), {"Retry-After": "2"})
    assert isinstance(limited, RateLimitError) and limited.code == "50011"
    rejected = msgspec.json.decode(frame("http_place_order_rejected.json"))["data"][0]
    error = parse.classify(rejected["sCode"], rejected["sMsg"], 0)
    assert isinstance(error, RequestRejectedError) and error.code == "54109"
    assert isinstance(parse.classify("50111", "Invalid OK-ACCESS-KEY", 401), SignatureError)
    assert parse.parse_error(200, b'{"code":"0","msg":"","data":[]}', {}) is None


def test_instrument_position_and_candle() -> None:
    swap = schemas.Instrument(
        instType="SWAP", instId="BTC-USDT-SWAP", tickSz="0.1", lotSz="0.01", minSz="0.01", ctVal="0.01"
    )
    contract = parse.contract(swap, gateway_name="O", exchange=Exchange.OKX)
    assert (contract.product, contract.size, contract.pricetick, contract.min_volume) == (
        Product.SWAP,
        0.01,
        0.1,
        0.01,
    )
    position = parse.position(
        schemas.Position(instId="BTC-USDT-SWAP", posSide="long", pos="3", availPos="1", avgPx="100", upl="2"),
        gateway_name="O",
        exchange=Exchange.OKX,
    )
    assert (position.direction, position.volume, position.frozen, position.price, position.pnl) == (
        Direction.LONG,
        3.0,
        2.0,
        100.0,
        2.0,
    )
    candle = (
        "1597026383085",
        "8533.02",
        "8553.74",
        "8527.17",
        "8548.26",
        "45247",
        "529.5858",
        "529.5858",
        "0",
    )
    bar = parse.bar(
        candle, gateway_name="O", exchange=Exchange.OKX, symbol="BTC-USDT", interval=Interval.MINUTE
    )
    assert (bar.open_price, bar.close_price, bar.volume) == (8533.02, 8548.26, 45247.0)
