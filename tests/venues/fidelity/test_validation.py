"""Bad orders sent by the venues' own SDKs get the venue's own error code and message, never an HTTP 500 or a
plain-text body: side, type, time in force, number syntax, quantity > 0, tick and lot steps, minimum
notional, unknown symbols."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ccxt
import pytest
from binance.exceptions import BinanceAPIException
from okx import MarketData, Trade

from venues.fidelity.binance_sdk import run
from venues.fidelity.clients import ccxt_exchange, run_client
from venues.fixtures import stop_venue
from vtcore.peers.okx import API_KEY as OKX_KEY
from vtcore.peers.okx import API_SECRET as OKX_SECRET
from vtcore.peers.okx import PASSPHRASE, OkxVenue

pytestmark = pytest.mark.fidelity

GOOD_SPOT = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.5",
    "price": "90.00",
}
GOOD_USDM = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.1",
    "price": "90.0",
}

SPOT_CASES = [
    ({"side": "HOLD"}, -1117, "Invalid side."),
    ({"type": "BEST"}, -1116, "Invalid orderType."),
    ({"timeInForce": "GTX"}, -1115, "Invalid timeInForce."),
    ({"quantity": "1e3"}, -1100, "Illegal characters found in parameter 'quantity'"),
    ({"quantity": "-1"}, -1100, "Illegal characters found in parameter 'quantity'"),
    ({"quantity": "0"}, -1013, "Filter failure: LOT_SIZE"),
    ({"quantity": "0.000001"}, -1013, "Filter failure: LOT_SIZE"),
    ({"price": "90.001"}, -1013, "Filter failure: PRICE_FILTER"),
    ({"quantity": "0.01"}, -1013, "Filter failure: NOTIONAL"),  # 0.9 USDT of a 5 USDT minimum
    ({"symbol": "NOPEUSDT"}, -1121, "Invalid symbol."),
]
USDM_CASES = [
    ({"side": "HOLD"}, -1117, "Invalid side."),
    ({"type": "BEST"}, -1116, "Invalid orderType."),
    ({"timeInForce": "DAY"}, -1115, "Invalid timeInForce."),
    ({"quantity": "abc"}, -1100, "Illegal characters found in parameter 'quantity'"),
    ({"quantity": "0"}, -4003, "Quantity less than or equal to zero."),
    ({"quantity": "0.0001"}, -1111, "Precision is over the maximum defined for this asset."),
    ({"price": "90.05"}, -4014, "Price not increased by tick size."),
    ({"quantity": "0.01"}, -4164, "Order's notional must be no smaller than 5"),
]


def refusals(
    binance_venues: Any, method: str, good: dict[str, str], cases: list[Any]
) -> list[tuple[int, str]]:
    async def scenario(client: Any, _: Any) -> list[tuple[int, str]]:
        found = []
        for change, _code, _msg in cases:
            try:
                await getattr(client, method)(**{**good, **change})
            except BinanceAPIException as error:  # raised only for a JSON error body with a code
                assert error.status_code < 500
                found.append((error.code, error.message))
            else:
                found.append((0, "accepted"))
        return found

    return list(run(binance_venues, scenario))


def test_binance_spot_refuses_bad_orders_with_its_codes(binance_venues: Any) -> None:
    found = refusals(binance_venues, "create_order", GOOD_SPOT, SPOT_CASES)
    for (code, msg), (change, want_code, want_msg) in zip(found, SPOT_CASES, strict=True):
        assert code == want_code and msg.startswith(want_msg), (change, code, msg)
    assert not binance_venues[0].matching.orders  # nothing reached the matching engine


def test_binance_usdm_refuses_bad_orders_with_its_codes(binance_venues: Any) -> None:
    found = refusals(binance_venues, "futures_create_order", GOOD_USDM, USDM_CASES)
    for (code, msg), (change, want_code, want_msg) in zip(found, USDM_CASES, strict=True):
        assert code == want_code and msg.startswith(want_msg), (change, code, msg)
    assert not binance_venues[1].matching.orders


def test_binance_bad_numbers_elsewhere_are_refused_not_crashes(binance_venues: Any) -> None:
    async def scenario(client: Any, _: Any) -> list[int]:
        codes = []
        for call in (
            client.get_order(symbol="BTCUSDT", orderId="twelve"),
            client.get_order_book(symbol="BTCUSDT", limit="lots"),
            client.futures_klines(symbol="BTCUSDT", interval="1m", limit="x"),
        ):
            try:
                await call
            except BinanceAPIException as error:
                assert error.status_code == 400
                codes.append(error.code)
        return codes

    assert run(binance_venues, scenario) == [-1100, -1100, -1100]


@pytest.fixture
def okx(engines: list[Any]) -> Iterator[OkxVenue]:
    server = OkxVenue().start()
    server.set_book("BTC-USDT", [("100.0", "1")], [("101.0", "1.5")])
    yield server
    stop_venue(server, engines)


GOOD_OKX = {
    "instId": "BTC-USDT",
    "tdMode": "cash",
    "side": "buy",
    "ordType": "limit",
    "sz": "0.5",
    "px": "90",
}
OKX_CASES = [
    ({"side": "hold"}, "51000", "Parameter side error"),
    ({"ordType": "gtc"}, "51000", "Parameter ordType error"),
    ({"tdMode": "cross"}, "51000", "Parameter tdMode error"),  # spot trades in cash mode
    ({"sz": "abc"}, "51000", "Parameter sz error"),
    ({"sz": "0"}, "51000", "Parameter sz error"),
    ({"sz": "0.000000001"}, "51121", "Order quantity must be a multiple of the lot size"),
    ({"sz": "0.000001"}, "51020", "Your order should meet or exceed the minimum order amount."),
    ({"px": "90.05"}, "51000", "Parameter px error"),
    ({"instId": "NOPE-USDT"}, "51001", "Instrument ID or Spread ID doesn't exist."),
    ({"instId": ""}, "50014", "Parameter instId can not be empty"),
]


def test_okx_refuses_bad_orders_with_its_codes(okx: OkxVenue) -> None:
    trade = Trade.TradeAPI(OKX_KEY, OKX_SECRET, PASSPHRASE, flag="0", domain=f"http://127.0.0.1:{okx.port}")
    for change, code, msg in OKX_CASES:
        answer = trade.place_order(**{**GOOD_OKX, **change})
        assert answer["code"] == "1" and answer["msg"] == "All operations failed", (change, answer)
        item = answer["data"][0]
        assert item["sCode"] == code and item["sMsg"].startswith(msg), (change, item)
    assert not okx.matching.orders
    market = MarketData.MarketAPI(flag="0", domain=f"http://127.0.0.1:{okx.port}")
    assert market.get_trades(instId="BTC-USDT", limit="many")["code"] == "51000"
    assert market.get_orderbook(instId="BTC-USDT", sz="401")["code"] == "51000"


def test_binance_exchange_info_answers_the_symbols_asked(binance_venues: Any) -> None:
    spot = binance_venues[0]
    hosts = {"api.binance.com": spot.port}

    async def scenario(exchange: Any) -> tuple[Any, Any, Any]:
        one = await exchange.publicGetExchangeInfo({"symbol": "ETHUSDT"})
        two = await exchange.publicGetExchangeInfo({"symbols": '["BTCUSDT","ETHUSDT"]'})
        try:
            await exchange.publicGetExchangeInfo({"symbol": "NOPEUSDT"})
        except ccxt.BadSymbol as error:
            return one, two, str(error)
        return one, two, "accepted"

    one, two, unknown = run_client(lambda: ccxt_exchange("binance", hosts, {}), scenario)
    assert [row["symbol"] for row in one["symbols"]] == ["ETHUSDT"]
    assert [row["symbol"] for row in two["symbols"]] == ["BTCUSDT", "ETHUSDT"]
    assert '"code":-1121' in unknown.replace(" ", "")
