"""python-binance (the most used Binance SDK) against the local Binance venues: spot REST, the spot WebSocket
API (trading and the user-data subscription), spot market streams, USDⓈ-M and COIN-M REST, their listenKey
user streams, their WebSocket API and market streams (mark price included).

The SDK keeps its URLs as class attributes; a subclass rewrites them to the local venues (`point_urls`).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from binance.enums import FuturesType
from binance.exceptions import BinanceAPIException

from venues.fidelity.binance_sdk import run
from venues.fidelity.ccxt_flows import wait_subscribed
from venues.fidelity.clients import until

pytestmark = pytest.mark.fidelity


def test_spot_rest(binance_venues: Any) -> None:
    async def scenario(client: Any, _: Any) -> dict[str, Any]:
        found: dict[str, Any] = {"time": await client.get_server_time()}
        found["info"] = await client.get_symbol_info("BTCUSDT")
        found["book"] = await client.get_order_book(symbol="BTCUSDT", limit=5)
        found["ticker"] = await client.get_ticker(symbol="BTCUSDT")
        found["avg"] = await client.get_avg_price(symbol="BTCUSDT")
        found["usdt"] = await client.get_asset_balance(asset="USDT")
        await client.create_test_order(
            symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.5", price="90.00"
        )
        resting = await client.order_limit_buy(symbol="BTCUSDT", quantity="0.5", price="90.00")
        found["queried"] = await client.get_order(symbol="BTCUSDT", orderId=resting["orderId"])
        found["open"] = await client.get_open_orders(symbol="BTCUSDT")
        found["canceled"] = await client.cancel_order(symbol="BTCUSDT", orderId=resting["orderId"])
        found["filled"] = await client.order_market_buy(symbol="BTCUSDT", quantity="0.5")
        found["trades"] = await client.get_my_trades(symbol="BTCUSDT")
        found["btc"] = await client.get_asset_balance(asset="BTC")
        with pytest.raises(BinanceAPIException) as refused:
            await client.order_limit_buy(symbol="BTCUSDT", quantity="0.5", price="90.001")
        found["refused"] = refused.value
        return found

    found = run(binance_venues, scenario)
    assert found["info"]["symbol"] == "BTCUSDT"
    tick = next(f for f in found["info"]["filters"] if f["filterType"] == "PRICE_FILTER")["tickSize"]
    assert Decimal(tick) == Decimal("0.01")
    assert Decimal(found["book"]["bids"][0][0]) == 100 and Decimal(found["ticker"]["askPrice"]) == 101
    assert Decimal(found["usdt"]["free"]) == 100_000
    assert found["queried"]["status"] == "NEW" and found["open"][0]["orderId"] == found["queried"]["orderId"]
    assert found["canceled"]["status"] == "CANCELED"
    fill = found["filled"]["fills"][0]
    assert found["filled"]["status"] == "FILLED" and Decimal(fill["price"]) == 101
    # the commission is taken from the BTC bought, exactly as reported
    assert Decimal(found["btc"]["free"]) == 1 + Decimal("0.5") - Decimal(fill["commission"])
    assert found["trades"][-1]["commission"] == fill["commission"]
    assert (found["refused"].code, found["refused"].message) == (-1013, "Filter failure: PRICE_FILTER")


def test_spot_websocket_api_and_user_stream(binance_venues: Any) -> None:
    spot = binance_venues[0]

    async def scenario(client: Any, manager: Any) -> tuple[Any, Any, Any]:
        async with manager.user_socket() as user:
            await wait_subscribed(spot, 1)
            placed = await client.ws_create_order(
                symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.5", price="95.00"
            )
            report = await until(
                user.recv, lambda e: e.get("e") == "executionReport", "the order's executionReport"
            )
            canceled = await client.ws_cancel_order(symbol="BTCUSDT", orderId=placed["orderId"])
            return placed, report, canceled

    placed, report, canceled = run(binance_venues, scenario)
    assert placed["status"] == "NEW" and report["i"] == placed["orderId"] and report["x"] == "NEW"
    assert canceled["status"] == "CANCELED"


def test_spot_market_streams(binance_venues: Any) -> None:
    spot = binance_venues[0]

    async def scenario(client: Any, manager: Any) -> tuple[Any, Any, Any, Any]:
        async with manager.multiplex_socket(
            ["btcusdt@depth@100ms", "btcusdt@trade", "btcusdt@kline_1m", "btcusdt@bookTicker"]
        ) as stream:
            await wait_subscribed(spot, 4)
            await asyncio.to_thread(spot.set_book, "BTCUSDT", [("100.01", "3")], [("101.00", "1.5")])
            await asyncio.to_thread(spot.print_trade, "BTCUSDT", "101.00", "0.2")
            seen: dict[str, Any] = {}
            await until(
                stream.recv,
                lambda m: bool(seen.setdefault(m["stream"], m["data"])) and len(seen) == 4,
                "all four streams",
            )
            return (
                seen["btcusdt@depth@100ms"],
                seen["btcusdt@trade"],
                seen["btcusdt@kline_1m"],
                seen["btcusdt@bookTicker"],
            )

    depth, trade, kline, book = run(binance_venues, scenario)
    assert ["100.01000000", "3.00000000"] in depth["b"] and depth["U"] <= depth["u"]
    assert Decimal(trade["p"]) == 101 and Decimal(kline["k"]["c"]) == 101 and kline["k"]["i"] == "1m"
    assert Decimal(book["b"]) == Decimal("100.01")


@pytest.mark.parametrize("market", ["usdm", "coinm"])
def test_futures_rest_and_streams(binance_venues: Any, market: str) -> None:
    venue = binance_venues[1] if market == "usdm" else binance_venues[2]
    symbol = "BTCUSDT" if market == "usdm" else "BTCUSD_PERP"
    quantity = "0.1" if market == "usdm" else "1"
    call = "futures_" if market == "usdm" else "futures_coin_"

    async def scenario(client: Any, manager: Any) -> dict[str, Any]:
        def api(name: str) -> Any:
            return getattr(client, call + name)

        found: dict[str, Any] = {"time": await api("time")()}
        found["info"] = await api("exchange_info")()
        found["book"] = await api("order_book")(symbol=symbol)
        found["mark"] = await api("mark_price")(symbol=symbol)
        found["ticker"] = await api("ticker")(symbol=symbol)
        found["account"] = await api("account")()
        user_socket = (
            manager.futures_user_socket() if market == "usdm" else manager.coin_futures_user_socket()
        )
        async with user_socket as user:
            await wait_subscribed(venue, 1)
            resting = await api("create_order")(
                symbol=symbol, side="BUY", type="LIMIT", timeInForce="GTC", quantity=quantity, price="95.0"
            )
            found["queried"] = await api("get_order")(symbol=symbol, orderId=resting["orderId"])
            found["canceled"] = await api("cancel_order")(symbol=symbol, orderId=resting["orderId"])
            filled = await api("create_order")(symbol=symbol, side="BUY", type="MARKET", quantity=quantity)
            found["event"] = await until(
                user.recv,
                lambda e: (
                    e.get("e") == "ORDER_TRADE_UPDATE"
                    and e["o"]["i"] == filled["orderId"]
                    and e["o"]["x"] == "TRADE"
                ),
                "the fill's ORDER_TRADE_UPDATE",
            )
        found["trades"] = await api("account_trades")(symbol=symbol)
        found["after"] = await api("account")()
        async with manager.symbol_mark_price_socket(
            symbol, fast=True, futures_type=_futures_type(market)
        ) as marks:
            found["mark_event"] = await marks.recv()
        return found

    found = run(binance_venues, scenario)
    assert any(row["symbol"] == symbol for row in found["info"]["symbols"])
    assert Decimal(found["book"]["bids"][0][0]) == 100
    mark = found["mark"][0] if isinstance(found["mark"], list) else found["mark"]
    assert Decimal(mark["markPrice"]) == Decimal("100.05")  # the middle of the book
    assert found["queried"]["status"] == "NEW" and found["canceled"]["status"] == "CANCELED"
    fill = found["trades"][-1]
    asset = "USDT" if market == "usdm" else "BTC"
    assert fill["commissionAsset"] == asset and found["event"]["o"]["N"] == asset
    assert Decimal(found["event"]["o"]["n"]) == Decimal(fill["commission"]) > 0
    before = next(a for a in found["account"]["assets"] if a["asset"] == asset)
    after = next(a for a in found["after"]["assets"] if a["asset"] == asset)
    assert Decimal(before["walletBalance"]) - Decimal(after["walletBalance"]) == Decimal(fill["commission"])
    if market == "coinm":  # COIN-M shapes as the venue sends them
        assert "cumBase" in found["queried"] and found["queried"]["pair"] == "BTCUSD"
        assert "baseQty" in fill and "initialMargin" in after
    event = found["mark_event"]["data"] if "data" in found["mark_event"] else found["mark_event"]
    assert event["e"] == "markPriceUpdate" and event["s"] == symbol and {"p", "P", "r", "T"} <= set(event)


def _futures_type(market: str) -> Any:
    return FuturesType.USD_M if market == "usdm" else FuturesType.COIN_M


def test_futures_websocket_api(binance_venues: Any) -> None:
    async def scenario(client: Any, _: Any) -> tuple[Any, Any]:
        placed = await client.ws_futures_create_order(
            symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.1", price="95.0"
        )
        canceled = await client.ws_futures_cancel_order(symbol="BTCUSDT", orderId=placed["orderId"])
        return placed, canceled

    placed, canceled = run(binance_venues, scenario)
    assert placed["status"] == "NEW" and canceled["status"] == "CANCELED"


@pytest.mark.parametrize("market", ["usdm", "coinm"])
def test_futures_market_streams(binance_venues: Any, market: str) -> None:
    """aggTrade, kline, ticker (USDⓈ-M: on /market) and diff depth (USDⓈ-M: on /public) are published."""
    venue = binance_venues[1] if market == "usdm" else binance_venues[2]
    symbol = "btcusdt" if market == "usdm" else "btcusd_perp"
    market_streams = [f"{symbol}@aggTrade", f"{symbol}@kline_1m", f"{symbol}@ticker"]

    async def scenario(_: Any, manager: Any) -> dict[str, Any]:
        kind = _futures_type(market)
        async with (
            manager.futures_multiplex_socket(market_streams, futures_type=kind, category="market") as trades,
            manager.futures_depth_socket(symbol.upper(), futures_type=kind) as depth,
        ):
            await wait_subscribed(venue, 4)
            await asyncio.to_thread(venue.set_book, symbol.upper(), [("100.0", "6")], [("100.1", "4")])
            await asyncio.to_thread(venue.print_trade, symbol.upper(), "100.1", "2")
            seen: dict[str, Any] = {}
            ticker = f"{symbol}@ticker"

            def keep(message: dict[str, Any]) -> bool:
                seen[message["stream"]] = message["data"]  # the latest of each
                return len(seen) == 3 and seen[ticker]["c"].startswith("100.1")

            await until(trades.recv, keep, "aggTrade, kline and the ticker after the trade")
            seen["depth"] = await depth.recv()
            return seen

    seen = run(binance_venues, scenario)
    agg, kline, ticker = (seen[name] for name in market_streams)
    assert agg["e"] == "aggTrade" and agg["p"].startswith("100.1") and "M" not in agg
    assert kline["k"]["i"] == "1m" and kline["k"]["n"] == 1
    assert ticker["e"] == "24hrTicker" and ticker["c"].startswith("100.1") and "b" not in ticker
    depth = seen["depth"]["data"] if "data" in seen["depth"] else seen["depth"]
    assert depth["e"] == "depthUpdate" and depth["pu"] == depth["U"] - 1
