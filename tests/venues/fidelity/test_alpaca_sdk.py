"""Alpaca's own SDK, `alpaca-py`, drives the local Alpaca venue: the trading client (account, assets, clock,
calendar, orders of every type, replace, cancel, positions, activities), the data client (bars, paginated),
the trading stream (JSON in binary frames on paper, text frames on live) and the market-data stream
(MessagePack, as the SDK speaks it). A failure of the SDK here is a defect of the venue.

Every URL of the SDK is pointed at loopback (`url_override`), and the fidelity suite's guard
(`netguard.loopback_only`, autouse in conftest.py) refuses any name lookup or connection outside loopback
while a test runs, so nothing can reach Alpaca.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.live import StockDataStream
from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.requests import (
    GetAssetsRequest,
    GetCalendarRequest,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
    TrailingStopOrderRequest,
)
from alpaca.trading.stream import TradingStream

from vtcore.peers.alpaca import API_KEY, API_SECRET, AlpacaVenue

pytestmark = pytest.mark.fidelity

WAIT = 20.0


@pytest.fixture
def venue() -> Iterator[AlpacaVenue]:
    venue = AlpacaVenue(paper=True).start()
    venue.set_book("AAPL", [("187.60", "300"), ("187.50", "500")], [("187.70", "400"), ("187.80", "600")])
    yield venue
    venue.stop()


def trading(venue: AlpacaVenue, *, paper: bool = True, secret: str = API_SECRET) -> TradingClient:
    return TradingClient(API_KEY, secret, paper=paper, url_override=venue.http_url)


def test_account_assets_clock_calendar(venue: AlpacaVenue) -> None:
    client = trading(venue)
    account = client.get_account()
    assert account.account_number and float(account.cash) == 100_000.0
    assets = client.get_all_assets(GetAssetsRequest(status="active"))
    symbols = {asset.symbol for asset in assets}
    assert {"AAPL", "SPY", "BRK.B"} <= symbols and "OLDCO" not in symbols
    aapl = client.get_asset("AAPL")
    assert aapl.exchange.value == "NASDAQ" and aapl.fractionable and aapl.tradable
    clock = client.get_clock()
    assert clock.is_open and clock.next_close > clock.timestamp
    days = client.get_calendar(GetCalendarRequest(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8)))
    assert [day.date.isoformat() for day in days] == [f"2026-03-0{n}" for n in range(2, 7)]
    assert (days[0].open.hour, days[0].open.minute, days[0].close.hour) == (9, 30, 16)
    with pytest.raises(APIError) as refused:
        trading(venue, secret="wrong").get_account()
    assert refused.value.status_code == 401 and refused.value.code == 40110000


def test_orders_of_every_type(venue: AlpacaVenue) -> None:
    client = trading(venue)
    market = client.submit_order(
        MarketOrderRequest(symbol="AAPL", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    assert market.status == OrderStatus.FILLED and float(market.filled_avg_price or 0) == 187.7
    limit = client.submit_order(
        LimitOrderRequest(
            symbol="AAPL",
            qty=5,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            limit_price=180.0,
            client_order_id="my-limit-1",
        )
    )
    assert limit.status == OrderStatus.NEW
    assert client.get_order_by_client_id("my-limit-1").id == limit.id
    assert client.get_order_by_id(limit.id).limit_price == "180"
    replaced = client.replace_order_by_id(limit.id, ReplaceOrderRequest(limit_price=181.0, qty=6))
    assert replaced.replaces == limit.id and float(replaced.qty or 0) == 6
    assert client.get_order_by_id(limit.id).status == OrderStatus.REPLACED
    stop = client.submit_order(
        StopOrderRequest(
            symbol="AAPL", qty=2, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, stop_price=170
        )
    )
    stop_limit = client.submit_order(
        StopLimitOrderRequest(
            symbol="AAPL",
            qty=2,
            side=OrderSide.SELL,
            time_in_force=TimeInForce.DAY,
            stop_price=171,
            limit_price=170.5,
        )
    )
    trailing = client.submit_order(
        TrailingStopOrderRequest(
            symbol="AAPL", qty=2, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, trail_percent=1.0
        )
    )
    assert trailing.type.value == "trailing_stop" and trailing.hwm is not None
    open_ids = {order.id for order in client.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN))}
    assert open_ids == {replaced.id, stop.id, stop_limit.id, trailing.id}
    client.cancel_order_by_id(stop.id)
    assert client.get_order_by_id(stop.id).status == OrderStatus.CANCELED
    with pytest.raises(APIError) as again:
        client.cancel_order_by_id(stop.id)
    assert again.value.status_code == 422
    with pytest.raises(APIError) as missing:
        client.get_order_by_id(uuid.uuid4())
    assert missing.value.status_code == 404
    cancelled = client.cancel_orders()
    assert {answer.id for answer in cancelled} == {replaced.id, stop_limit.id, trailing.id}
    positions = client.get_all_positions()
    assert [(p.symbol, p.qty, p.avg_entry_price) for p in positions] == [("AAPL", "10", "187.7")]
    assert client.get_open_position("AAPL").side.value == "long"


def test_refusals_carry_alpacas_codes(venue: AlpacaVenue) -> None:
    client = trading(venue)
    cases: list[tuple[Any, int, int, str]] = [
        (
            MarketOrderRequest(symbol="NOPE", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY),
            422,
            42210000,
            'asset "NOPE" not found',
        ),
        (
            LimitOrderRequest(
                symbol="AAPL", qty=10_000, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=187
            ),
            403,
            40310000,
            "insufficient buying power",
        ),
        (
            MarketOrderRequest(symbol="GME", qty=5, side=OrderSide.SELL, time_in_force=TimeInForce.DAY),
            403,
            40310000,
            "insufficient qty available for order (requested: 5, available: 0)",
        ),
        (
            MarketOrderRequest(symbol="BRK.B", qty=0.5, side=OrderSide.BUY, time_in_force=TimeInForce.DAY),
            422,
            40010001,
            "requested asset is not fractionable: BRK.B",
        ),
        (
            MarketOrderRequest(
                symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, extended_hours=True
            ),
            422,
            40010001,
            "extended hours order must be DAY limit orders",
        ),
    ]
    for request, status, code, message in cases:
        with pytest.raises(APIError) as refused:
            client.submit_order(request)
        assert (refused.value.status_code, refused.value.code, refused.value.message) == (
            status,
            code,
            message,
        )


def test_bars_are_paginated(venue: AlpacaVenue) -> None:
    start = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.timezone.utc)
    closes = [f"{100 + n * 0.25:.2f}" for n in range(25)]
    venue.add_bars("AAPL", start, closes)
    client = StockHistoricalDataClient(API_KEY, API_SECRET, url_override=venue.http_url)
    request = StockBarsRequest(
        symbol_or_symbols="AAPL",
        timeframe=TimeFrame.Minute,
        start=start,
        end=start + dt.timedelta(hours=1),
        limit=25,
    )
    bars = client.get_stock_bars(request).data["AAPL"]
    assert [bar.close for bar in bars] == [float(close) for close in closes]
    assert bars[0].timestamp == start and bars[-1].timestamp == start + dt.timedelta(minutes=24)
    pages = [path for method, path in venue.request_log if path == "/v2/stocks/bars"]
    assert len(pages) == 1  # the SDK asked for 25 at once; now ask in pages of 10
    venue.request_log.clear()
    ten = StockBarsRequest(symbol_or_symbols="AAPL", timeframe=TimeFrame.Minute, start=start, limit=25)
    client._get_marketdata  # noqa: B018 - the paging helper exists (the SDK pages with page_token)
    raw = client._get_marketdata(
        "/stocks/bars", {**ten.to_request_fields(), "limit": 25}, page_size=10, page_limit=10
    )
    assert [row["c"] for row in raw["AAPL"]] == [float(close) for close in closes]
    assert len([path for _, path in venue.request_log if path == "/v2/stocks/bars"]) == 3


def run_stream(stream: Any) -> threading.Thread:
    thread = threading.Thread(target=stream.run, name="alpaca-py stream", daemon=True)
    thread.start()
    return thread


def stop(stream: Any, thread: threading.Thread, venue: AlpacaVenue) -> None:
    """Stop an SDK stream: it notices the request only when a read returns (it waits up to 5 s for one), so
    the venue closes the connection to wake it."""
    stream.stop()
    venue.drop_connections()
    thread.join(WAIT)
    assert not thread.is_alive()


def until(items: queue.Queue[Any], predicate: Callable[[Any], bool], what: str) -> Any:
    while True:
        try:
            item = items.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"timed out waiting for {what}") from None
        if predicate(item):
            return item


@pytest.mark.parametrize("paper", [True, False], ids=["paper-binary", "live-text"])
def test_trading_stream(paper: bool) -> None:
    venue = AlpacaVenue(paper=paper).start()
    venue.set_book("AAPL", [("187.60", "300")], [("187.70", "400")])
    updates: queue.Queue[Any] = queue.Queue()

    async def on_update(update: Any) -> None:
        updates.put(update)

    stream = TradingStream(API_KEY, API_SECRET, paper=paper, url_override=venue.ws_url + "/stream")
    stream.subscribe_trade_updates(on_update)
    thread = run_stream(stream)
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=WAIT)
        while venue.run(venue.subscription_count) < 1:
            assert dt.datetime.now() < deadline, "the SDK never listened to trade_updates"
            threading.Event().wait(0.01)
        client = trading(venue, paper=paper)
        resting = client.submit_order(
            LimitOrderRequest(
                symbol="AAPL", qty=3, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=187.0
            )
        )
        new = until(updates, lambda u: u.order.id == resting.id, "the new event")
        assert new.event == "new" and new.order.status == OrderStatus.NEW
        venue.print_trade("AAPL", "187.00", "3")
        fill = until(updates, lambda u: u.event == "fill", "the fill event")
        assert (fill.price, fill.qty, fill.position_qty, fill.order.id) == (187.0, 3.0, 3.0, resting.id)
        assert fill.execution_id is not None
        other = client.submit_order(
            LimitOrderRequest(
                symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=150.0
            )
        )
        client.cancel_order_by_id(other.id)
        cancelled = until(updates, lambda u: u.event == "canceled", "the canceled event")
        assert cancelled.order.id == other.id
        frames = [kind for kind, message in venue.ws_log if kind == "trading"]
        assert frames  # the SDK authenticated and listened on this venue
    finally:
        stop(stream, thread, venue)
        venue.stop()


def test_data_stream_msgpack(venue: AlpacaVenue) -> None:
    received: queue.Queue[Any] = queue.Queue()

    async def on_data(item: Any) -> None:
        received.put(item)

    stream = StockDataStream(API_KEY, API_SECRET, url_override=venue.ws_url + "/v2/iex")
    stream.subscribe_quotes(on_data, "AAPL")
    stream.subscribe_trades(on_data, "AAPL")
    stream.subscribe_bars(on_data, "AAPL")
    stream.subscribe_daily_bars(on_data, "AAPL")
    thread = run_stream(stream)
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=WAIT)
        while venue.run(venue.subscription_count) < 4:
            assert dt.datetime.now() < deadline, "the SDK never subscribed"
            threading.Event().wait(0.01)
        assert any(m.get("action") == "subscribe" for kind, m in venue.ws_log if kind == "data")
        venue.set_book("AAPL", [("187.61", "200")], [("187.69", "100")])
        quote = until(received, lambda item: type(item).__name__ == "Quote", "a quote")
        assert (quote.symbol, quote.bid_price, quote.bid_size, quote.ask_price) == (
            "AAPL",
            187.61,
            200,
            187.69,
        )
        assert abs((dt.datetime.now(dt.timezone.utc) - quote.timestamp).total_seconds()) < 60
        venue.print_trade("AAPL", "187.65", "50")
        trade = until(received, lambda item: type(item).__name__ == "Trade", "a trade")
        assert (trade.symbol, trade.price, trade.size) == ("AAPL", 187.65, 50)
        venue.publish_bars("AAPL")
        bar = until(received, lambda item: type(item).__name__ == "Bar", "a bar")
        assert (bar.symbol, bar.close, bar.volume) == ("AAPL", 187.65, 50)
    finally:
        stop(stream, thread, venue)
