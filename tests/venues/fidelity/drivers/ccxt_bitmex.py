"""ccxt's BitMEX client (the `bitmex-api` package: ccxt 4.5.90 itself no longer ships BitMEX) driving a local
BitMEX venue through the flows the gateways rely on; prints one JSON object of what it saw.

It runs in its own process: importing `bitmex` rebinds `sys.modules["ccxt"]` to the copy of ccxt it carries,
which would break every other ccxt user in the test process.

Usage: python ccxt_bitmex.py HTTP_URL API_KEY API_SECRET
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

SYMBOL = "BTC/USD:BTC"


def run_rest(url: str, key: str, secret: str) -> dict[str, Any]:
    from bitmex import BitmexSync  # noqa: PLC0415 - see the module docstring
    from bitmex.ccxt.base import errors  # noqa: PLC0415

    seen: dict[str, Any] = {}
    exchange = BitmexSync({"apiKey": key, "secret": secret, "enableRateLimit": False})
    exchange.urls["api"] = {"public": url, "private": url}
    markets = exchange.load_markets()
    seen["markets"] = sorted(markets)
    seen["contract_size"] = markets[SYMBOL]["contractSize"]
    seen["tick"] = markets[SYMBOL]["precision"]["price"]
    ticker = exchange.fetch_ticker(SYMBOL)
    seen["ticker"] = [ticker["bid"], ticker["ask"]]
    book = exchange.fetch_order_book(SYMBOL)
    seen["book"] = [book["bids"][0][:2], book["asks"][0][:2]]
    seen["balance_btc"] = exchange.fetch_balance()["BTC"]["total"]
    order = exchange.create_order(SYMBOL, "limit", "buy", 100, 99.0, {"clOrdID": "ccxt-fidelity-1"})
    seen["placed"] = [order["status"], order["clientOrderId"]]
    seen["queried"] = exchange.fetch_order(order["id"], SYMBOL)["status"]
    seen["open_orders"] = [o["id"] for o in exchange.fetch_open_orders(SYMBOL)] == [order["id"]]
    seen["cancelled"] = exchange.cancel_order(order["id"], SYMBOL)["status"]
    try:
        exchange.cancel_order(order["id"], SYMBOL)
        seen["cancel_again"] = "accepted"
    except errors.BaseError as error:
        seen["cancel_again"] = type(error).__name__
    filled = exchange.create_order(SYMBOL, "market", "buy", 200)
    seen["market"] = [filled["status"], filled["average"]]
    trades = exchange.fetch_my_trades(SYMBOL)
    seen["my_trades"] = [[t["price"], t["info"]["lastQty"]] for t in trades]
    post_only = exchange.create_order(SYMBOL, "limit", "buy", 100, 101.0, {"postOnly": True})
    seen["post_only"] = [post_only["status"], post_only["info"]["text"]]
    candles = exchange.fetch_ohlcv(SYMBOL, "1m", limit=3)
    seen["candles"] = [len(candles), candles[0][0] < candles[-1][0]]
    for label, action in (
        ("too_big", lambda: exchange.create_order(SYMBOL, "limit", "buy", 9_000_000, 100.0)),
        ("bad_symbol", lambda: exchange.publicGetOrderBookL2({"symbol": "NOPE"})),
    ):
        try:
            action()
            seen[label] = "accepted"
        except errors.BaseError as error:
            seen[label] = type(error).__name__
    wrong = BitmexSync({"apiKey": key, "secret": secret + "x"})
    wrong.urls["api"] = exchange.urls["api"]
    wrong.markets, wrong.markets_by_id = exchange.markets, exchange.markets_by_id
    wrong.currencies = exchange.currencies
    try:
        wrong.fetch_balance()
        seen["wrong_secret"] = "accepted"
    except errors.BaseError as error:
        seen["wrong_secret"] = type(error).__name__
    return seen


async def run_streams(url: str, key: str, secret: str) -> dict[str, Any]:
    from bitmex import BitmexWs  # noqa: PLC0415 - see the module docstring

    seen: dict[str, Any] = {}
    exchange = BitmexWs({"apiKey": key, "secret": secret, "enableRateLimit": False})
    exchange.urls["api"] = {"public": url, "private": url, "ws": "ws" + url[4:] + "/realtime"}
    try:
        await exchange.load_markets()
        book = await asyncio.wait_for(exchange.watch_order_book(SYMBOL), 10)
        seen["ws_book"] = [book["bids"][0][:2], book["asks"][0][:2]]
        ticker = await asyncio.wait_for(exchange.watch_ticker(SYMBOL), 10)
        seen["ws_ticker_symbol"] = ticker["symbol"]
        balance = await asyncio.wait_for(exchange.watch_balance(), 10)
        seen["ws_balance_btc"] = balance["BTC"]["total"]
        orders = asyncio.ensure_future(exchange.watch_orders(SYMBOL))
        fills = asyncio.ensure_future(exchange.watch_my_trades(SYMBOL))
        trades = asyncio.ensure_future(exchange.watch_trades(SYMBOL))
        await asyncio.sleep(0.5)  # the subscriptions' partials arrive before the order below
        if trades.done():  # the partial (the last trade so far) answered it: wait for the next one
            trades = asyncio.ensure_future(exchange.watch_trades(SYMBOL))
        placed = await exchange.create_order(SYMBOL, "market", "sell", 100)
        seen["ws_orders"] = [o["id"] == placed["id"] for o in await asyncio.wait_for(orders, 10)]
        seen["ws_my_trades"] = [t["order"] == placed["id"] for t in await asyncio.wait_for(fills, 10)]
        seen["ws_trades"] = [t["side"] for t in await asyncio.wait_for(trades, 10)]
    finally:
        await exchange.close()
    return seen


def main() -> None:
    url, key, secret = sys.argv[1:4]
    seen = run_rest(url, key, secret)
    seen.update(asyncio.run(run_streams(url, key, secret)))
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
