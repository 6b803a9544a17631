"""Clients vtcore did not write drive the local Bitfinex venue: ccxt's `bitfinex` (v2; REST and ccxt.pro
streams, book checksums on) and Bitfinex's own `bitfinex-api-py` (REST, public channel buckets and the
authenticated channel 0 with order inputs). A client that fails here has found a venue defect.

The venue answers public data on two host names as Bitfinex does: `api` (127.0.0.1 here) and the public-only
`api-pub` (localhost here), where authentication fails.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import ccxt
import ccxt.pro
import pytest

from vtcore.peers.bitfinex import API_KEY, API_SECRET, BitfinexVenue

pytestmark = pytest.mark.fidelity

SYMBOL = "BTC/USD"


def ccxt_urls(venue: BitfinexVenue) -> dict[str, Any]:
    ws = venue.http_url.replace("http", "ws") + "/ws/2"
    return {
        "v1": venue.http_url,
        "public": venue.http_url.replace("127.0.0.1", venue.public_host),
        "private": venue.http_url,
        "ws": {"public": ws.replace("127.0.0.1", venue.public_host), "private": ws},
    }


def test_ccxt_bitfinex_rest(bitfinex_venue: BitfinexVenue) -> None:
    bitfinex_venue.print_trade("tBTCUSD", "100.5", "0.1")
    exchange = ccxt.bitfinex({"apiKey": API_KEY, "secret": API_SECRET, "enableRateLimit": False})
    exchange.urls["api"] = ccxt_urls(bitfinex_venue)
    assert exchange.fetch_status()["status"] == "ok"
    markets = exchange.load_markets()
    assert {"BTC/USD", "ETH/USD", "TESTBTC/TESTUSD"} <= set(markets)
    assert markets[SYMBOL]["limits"]["amount"]["min"] == 0.00006
    ticker = exchange.fetch_ticker(SYMBOL)
    assert (ticker["bid"], ticker["ask"], ticker["last"]) == (100.0, 100.5, 100.5)
    book = exchange.fetch_order_book(SYMBOL)  # ccxt asks for raw books (R0)
    assert book["bids"][0][:2] == [100.0, 1.0] and book["asks"][0][:2] == [100.5, 1.5]
    assert exchange.fetch_balance()["BTC"]["total"] == 10.0
    order = exchange.create_order(SYMBOL, "limit", "buy", 0.1, 99.0)
    assert order["status"] == "open"
    assert exchange.fetch_order(order["id"], SYMBOL)["status"] == "open"
    assert [o["id"] for o in exchange.fetch_open_orders(SYMBOL)] == [order["id"]]
    assert exchange.cancel_order(order["id"], SYMBOL)["status"] == "canceled"
    assert exchange.fetch_closed_order(order["id"], SYMBOL)["status"] == "canceled"
    with pytest.raises(ccxt.OrderNotFound):
        exchange.cancel_order(order["id"], SYMBOL)
    filled = exchange.create_order(SYMBOL, "market", "buy", 0.2)
    assert filled["status"] == "closed"
    trades = exchange.fetch_my_trades(SYMBOL)
    assert [(t["amount"], t["price"], t["order"]) for t in trades] == [(0.2, 100.5, filled["id"])]
    post_only = exchange.create_order(SYMBOL, "limit", "buy", 0.1, 101.0, {"postOnly": True})
    # Bitfinex's documented status; ccxt splits it at the first space before looking it up, so its own map's
    # "POSTONLY CANCELED" entry never matches and the raw text comes back as the status
    assert exchange.fetch_closed_order(post_only["id"], SYMBOL)["info"][13] == "POSTONLY CANCELED"
    candles = exchange.fetch_ohlcv(SYMBOL, "1m", limit=3)
    assert len(candles) == 3 and candles[0][0] < candles[-1][0]
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.create_order(SYMBOL, "limit", "buy", 1500, 100.0)
    # Bitfinex answers ["error", 10001, "Invalid order: minimum size for ..."] (ccxt files 10001 under
    # PermissionDenied, which is an ExchangeError)
    with pytest.raises(ccxt.ExchangeError, match=r"minimum size for BTC/USD is 0\.00006"):
        exchange.create_order(SYMBOL, "limit", "buy", 0.00001, 100.0)
    wrong = ccxt.bitfinex({"apiKey": API_KEY, "secret": API_SECRET + "x"})
    wrong.urls["api"] = exchange.urls["api"]
    wrong.markets, wrong.markets_by_id, wrong.currencies = exchange.markets, exchange.markets_by_id, {}
    with pytest.raises(ccxt.AuthenticationError):
        wrong.fetch_balance()
    public_only = ccxt.bitfinex({"apiKey": API_KEY, "secret": API_SECRET, "enableRateLimit": False})
    public_only.urls["api"] = {**exchange.urls["api"], "private": exchange.urls["api"]["public"]}
    public_only.markets, public_only.markets_by_id = exchange.markets, exchange.markets_by_id
    with pytest.raises(ccxt.AuthenticationError):  # api-pub serves public data only
        public_only.fetch_balance()


def test_ccxt_pro_bitfinex_streams(bitfinex_venue: BitfinexVenue) -> None:
    bitfinex_venue.print_trade("tBTCUSD", "100.5", "0.1")

    async def run() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        exchange = ccxt.pro.bitfinex({"apiKey": API_KEY, "secret": API_SECRET, "enableRateLimit": False})
        exchange.urls["api"] = ccxt_urls(bitfinex_venue)
        try:
            await exchange.load_markets()
            ticker = await asyncio.wait_for(exchange.watch_ticker(SYMBOL), 10)
            seen["ticker"] = (ticker["bid"], ticker["ask"])
            book = await asyncio.wait_for(exchange.watch_order_book(SYMBOL), 10)
            seen["book"] = (book["bids"][0][:2], book["asks"][0][:2])
            bitfinex_venue.set_book("tBTCUSD", [("100.0", "1.0")], [("100.5", "0.5"), ("101.0", "3.0")])
            while True:  # the update (and its checksum, which ccxt verifies) arrives
                book = await asyncio.wait_for(exchange.watch_order_book(SYMBOL), 10)
                if book["asks"][0][1] == 0.5:
                    break
            seen["book_update"] = ([level[:2] for level in book["bids"]], book["asks"][0][:2])
            # the wallet snapshot follows the auth event at once, possibly before ccxt waits for it: then the
            # wallet update after the order below answers
            balance = asyncio.ensure_future(exchange.watch_balance())
            orders = asyncio.ensure_future(exchange.watch_orders(SYMBOL))
            fills = asyncio.ensure_future(exchange.watch_my_trades(SYMBOL))
            trades = asyncio.ensure_future(exchange.watch_trades(SYMBOL))
            await asyncio.sleep(0.5)
            if trades.done():  # the snapshot answered it: wait for the next trade
                trades = asyncio.ensure_future(exchange.watch_trades(SYMBOL))
            placed = await exchange.create_order(SYMBOL, "market", "sell", 0.3)
            seen["orders"] = [o["id"] == placed["id"] for o in await asyncio.wait_for(orders, 10)]
            seen["my_trades"] = [
                (t["order"] == placed["id"], t["side"]) for t in await asyncio.wait_for(fills, 10)
            ]
            seen["trades"] = [t["side"] for t in await asyncio.wait_for(trades, 10)]
            seen["balance"] = (await asyncio.wait_for(balance, 10))["BTC"]["total"]
        finally:
            await exchange.close()
        return seen

    seen = asyncio.run(run())
    assert seen["ticker"] == (100.0, 100.5)
    assert seen["book"] == ([100.0, 1.0], [100.5, 1.5])
    assert seen["book_update"] == ([[100.0, 1.0]], [100.5, 0.5])
    assert seen["balance"] in (10.0, 9.7)
    assert seen["orders"] == [True]
    assert seen["my_trades"] == [(True, "sell")]
    assert seen["trades"] == ["sell"]


def test_official_bitfinex_client(bitfinex_venue: BitfinexVenue, monkeypatch: pytest.MonkeyPatch) -> None:
    import requests.models  # noqa: PLC0415
    from bfxapi import Client  # noqa: PLC0415 - pins websockets 12; imported only here
    from bfxapi.exceptions import InvalidCredentialError  # noqa: PLC0415

    # bfxapi decodes with a stdlib JSONDecoder subclass through requests, and requests switches to simplejson
    # when it is installed (tigeropen brings it), which passes an `encoding` argument that class refuses: a
    # clash between two clients' dependencies, not the venue's. Give requests the stdlib json for this client.
    monkeypatch.setattr(requests.models, "complexjson", json)

    bitfinex_venue.print_trade("tBTCUSD", "100.5", "0.1")
    client = Client(
        api_key=API_KEY,
        api_secret=API_SECRET,
        rest_host=bitfinex_venue.http_url + "/v2",
        wss_host=bitfinex_venue.http_url.replace("http", "ws") + "/ws/2",
    )
    rest = client.rest
    assert rest.public.get_platform_status().status == 1
    ticker = rest.public.get_t_ticker("tBTCUSD")
    assert (ticker.bid, ticker.ask, ticker.last_price) == (100, 100.5, 100.5)
    assert [(level.price, level.amount) for level in rest.public.get_t_book("tBTCUSD", "P0", len=25)] == [
        (100, 1),
        (99.5, 2),
        (100.5, -1.5),
        (101, -3),
    ]
    assert ("exchange", "BTC", 10) in [
        (w.wallet_type, w.currency, w.balance) for w in rest.auth.get_wallets()
    ]
    placed = rest.auth.submit_order(type="EXCHANGE LIMIT", symbol="tBTCUSD", amount=0.1, price=99.0)
    assert (placed.status, placed.data.order_status) == ("SUCCESS", "ACTIVE")
    assert [o.id for o in rest.auth.get_orders()] == [placed.data.id]
    cancelled = rest.auth.cancel_order(id=placed.data.id)
    assert (cancelled.status, cancelled.data.order_status) == ("SUCCESS", "CANCELED")
    market = rest.auth.submit_order(type="EXCHANGE MARKET", symbol="tBTCUSD", amount=0.2, price=None)
    assert market.data.order_status == "EXECUTED @ 100.5(0.2)"
    assert [(t.exec_amount, t.exec_price) for t in rest.auth.get_trades_history(symbol="tBTCUSD")] == [
        (0.2, 100.5)
    ]
    candles = rest.public.get_candles_hist(symbol="tBTCUSD", tf="1m", limit=2)
    assert len(candles) == 2 and candles[0].mts > candles[1].mts  # newest first by default

    events: list[tuple[str, Any]] = []

    async def run() -> None:
        wss = client.wss
        authenticated = asyncio.Event()
        closed = asyncio.Event()
        channels: list[str] = []

        @wss.on("open")
        async def on_open() -> None:
            await wss.subscribe("ticker", symbol="tBTCUSD")
            await wss.subscribe("book", symbol="tBTCUSD", prec="P0", len="25")
            await wss.subscribe("trades", symbol="tBTCUSD")

        @wss.on("subscribed")
        def on_subscribed(subscription: Any) -> None:
            channels.append(subscription["channel"])

        @wss.on("t_ticker_update")
        def on_ticker(subscription: Any, data: Any) -> None:
            events.append(("ticker", data.bid))

        @wss.on("t_book_snapshot")
        def on_book(subscription: Any, data: Any) -> None:
            events.append(("book", len(data)))

        @wss.on("checksum")
        def on_checksum(subscription: Any, value: int) -> None:
            events.append(("checksum", value))

        @wss.on("t_trade_execution")
        def on_trade(subscription: Any, data: Any) -> None:
            events.append(("trade", data.amount))

        @wss.on("authenticated")
        def on_auth(data: Any) -> None:
            authenticated.set()

        @wss.on("order_new")
        def on_new(order: Any) -> None:
            events.append(("order_new", order.order_status))

        @wss.on("order_cancel")
        def on_close(order: Any) -> None:
            events.append(("order_close", order.order_status))
            closed.set()

        @wss.on("trade_execution_update")
        def on_fill(trade: Any) -> None:
            events.append(("fill", trade.exec_amount))

        @wss.on("wallet_snapshot")
        def on_wallets(wallets: Any) -> None:
            events.append(("wallets", len(wallets)))

        task = asyncio.ensure_future(wss.start())
        await asyncio.wait_for(authenticated.wait(), 10)
        for _ in range(200):  # the public channels live on their own bucket connection
            if len(channels) == 3:
                break
            await asyncio.sleep(0.05)
        assert sorted(channels) == ["book", "ticker", "trades"]
        await wss.inputs.submit_order(type="EXCHANGE MARKET", symbol="tBTCUSD", amount=-0.1, price=None)
        await asyncio.wait_for(closed.wait(), 10)
        for _ in range(200):  # the trade and ticker pushes on the bucket connections
            if {"trade", "ticker", "book", "checksum"} <= {kind for kind, _ in events}:
                break
            await asyncio.sleep(0.05)
        await wss.close()
        await asyncio.wait_for(task, 10)

    asyncio.run(run())
    kinds = {kind for kind, _ in events}
    assert {"ticker", "book", "checksum", "trade", "order_new", "order_close", "fill", "wallets"} <= kinds
    assert ("order_close", "EXECUTED @ 100.0(0.1)") in events
    assert ("fill", -0.1) in events

    wrong = Client(api_key=API_KEY, api_secret=API_SECRET + "x", rest_host=bitfinex_venue.http_url + "/v2")
    with pytest.raises(InvalidCredentialError):
        wrong.rest.auth.get_wallets()
