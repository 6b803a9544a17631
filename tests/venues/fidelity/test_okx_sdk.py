"""python-okx (OKX's own SDK) against the local OKX venue: public and private REST (market data, balance,
fees, place/amend/batch/cancel, fills and history), the public channels (books, bbo-tbt, tickers, trades,
mark-price, funding-rate), candles on /business, and the private WebSocket (login, orders channel, order
operations by instIdCode).

The SDK's WebSocket client always opens TLS, so the venue also listens with a throw-away certificate that the
client trusts through SSL_CERT_FILE (`tls.local_tls`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from okx import Account, MarketData, PublicData, Trade
from okx.websocket.WsPrivateAsync import WsPrivateAsync
from okx.websocket.WsPublicAsync import WsPublicAsync

from venues.fidelity.clients import run_client, until
from venues.fidelity.tls import local_tls
from venues.fixtures import stop_venue
from vtcore.peers.okx import API_KEY, API_SECRET, PASSPHRASE, OkxVenue

pytestmark = pytest.mark.fidelity

REST_HOST, WS_HOST = "www.okx.com.localhost", "ws.okx.com.localhost"
LIVE = "0"  # the SDK's `flag`: live trading (sent as x-simulated-trading)


@pytest.fixture
def venue(engines: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OkxVenue]:
    tls = local_tls(tmp_path, [WS_HOST, REST_HOST])
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_file))
    server = OkxVenue()
    server.tls_context = tls.server_context
    server.start()
    for inst_id in ("BTC-USDT", "BTC-USDT-SWAP"):
        server.set_book(inst_id, [("100.0", "1"), ("99.5", "2")], [("101.0", "1.5"), ("101.5", "3")])
    yield server
    stop_venue(server, engines)


def rest(api: type, venue: OkxVenue) -> Any:
    return api(API_KEY, API_SECRET, PASSPHRASE, flag=LIVE, domain=f"http://{REST_HOST}:{venue.port}")


def ok(answer: dict[str, Any]) -> list[dict[str, Any]]:
    assert answer["code"] == "0", answer
    data: list[dict[str, Any]] = answer["data"]
    return data


def test_public_rest(venue: OkxVenue) -> None:
    public, market = rest(PublicData.PublicAPI, venue), rest(MarketData.MarketAPI, venue)
    venue.print_trade("BTC-USDT", "100.5", "0.2")
    instruments = ok(public.get_instruments(instType="SPOT"))
    assert {"BTC-USDT", "ETH-USDT"} <= {row["instId"] for row in instruments}
    assert abs(int(ok(public.get_system_time())[0]["ts"]) - venue.now_ms()) < 5_000
    ticker = ok(market.get_ticker(instId="BTC-USDT"))[0]
    assert (ticker["bidPx"], ticker["askPx"], ticker["last"]) == ("100", "101", "100.5")
    book = ok(market.get_orderbook(instId="BTC-USDT", sz="5"))[0]
    assert book["bids"][0][:2] == ["100", "1"] and len(book["asks"]) == 2
    assert ok(market.get_trades(instId="BTC-USDT"))[0]["px"] == "100.5"
    assert len(ok(market.get_candlesticks(instId="BTC-USDT", bar="1m", limit="5"))) == 5
    assert ok(public.get_mark_price(instType="SWAP", instId="BTC-USDT-SWAP"))[0]["markPx"] == "100.5"
    assert ok(public.get_funding_rate(instId="BTC-USDT-SWAP"))[0]["fundingRate"]
    refused = market.get_ticker(instId="NOPE-USDT")
    assert refused["code"] == "51001" and refused["data"] == []


def test_private_rest_trading(venue: OkxVenue) -> None:
    trade, account = rest(Trade.TradeAPI, venue), rest(Account.AccountAPI, venue)
    assert ok(account.get_account_config())[0]["posMode"] == "net_mode"
    assert ok(account.get_fee_rates(instType="SPOT"))[0]["taker"] == "-0.001"
    usdt = next(d for d in ok(account.get_account_balance())[0]["details"] if d["ccy"] == "USDT")
    assert Decimal(usdt["availBal"]) == 100_000

    placed = ok(
        trade.place_order(
            instId="BTC-USDT", tdMode="cash", side="buy", ordType="limit", sz="0.5", px="95", clOrdId="sdk1"
        )
    )[0]
    assert placed["sCode"] == "0"
    amended = ok(trade.amend_order(instId="BTC-USDT", ordId=placed["ordId"], newPx="96", reqId="r1"))[0]
    assert amended["sCode"] == "0" and amended["reqId"] == "r1"
    order = ok(trade.get_order(instId="BTC-USDT", ordId=placed["ordId"]))[0]
    assert (order["px"], order["state"], order["clOrdId"]) == ("96", "live", "sdk1")
    assert [o["ordId"] for o in ok(trade.get_order_list(instType="SPOT"))] == [placed["ordId"]]
    assert ok(trade.cancel_order(instId="BTC-USDT", ordId=placed["ordId"]))[0]["sCode"] == "0"
    assert ok(trade.get_orders_history(instType="SPOT"))[0]["state"] == "canceled"

    batch = trade.place_multiple_orders(
        [
            {
                "instId": "BTC-USDT",
                "tdMode": "cash",
                "side": "buy",
                "ordType": "limit",
                "sz": "0.5",
                "px": "101",
            },
            {
                "instId": "BTC-USDT",
                "tdMode": "cash",
                "side": "buy",
                "ordType": "limit",
                "sz": "0.5",
                "px": "95.05",
            },  # not on the 0.1 tick
        ]
    )
    assert batch["code"] == "2" and [r["sCode"] for r in batch["data"]] == ["0", "51000"]
    fills = ok(trade.get_fills_history(instType="SPOT"))
    assert len(fills) == 1 and (fills[0]["fillPx"], fills[0]["fillSz"]) == ("101", "0.5")
    # the fee is taken from the BTC bought, exactly as reported (negative: a charge)
    assert (fills[0]["fee"], fills[0]["feeCcy"]) == ("-0.0005", "BTC")
    btc = next(d for d in ok(account.get_account_balance())[0]["details"] if d["ccy"] == "BTC")
    assert Decimal(btc["cashBal"]) == 1 + Decimal("0.5") - Decimal("0.0005")
    refused = trade.place_order(
        instId="BTC-USDT", tdMode="cash", side="hold", ordType="limit", sz="1", px="9"
    )
    assert refused["code"] == "1" and refused["data"][0]["sCode"] == "51000"


def test_public_channels(venue: OkxVenue) -> None:
    channels = [
        {"channel": "books", "instId": "BTC-USDT"},
        {"channel": "bbo-tbt", "instId": "BTC-USDT"},
        {"channel": "tickers", "instId": "BTC-USDT"},
        {"channel": "trades", "instId": "BTC-USDT"},
        {"channel": "mark-price", "instId": "BTC-USDT-SWAP"},
        {"channel": "funding-rate", "instId": "BTC-USDT-SWAP"},
    ]

    async def scenario(_: Any) -> dict[str, list[dict[str, Any]]]:
        public = WsPublicAsync(url=f"wss://{WS_HOST}:{venue.tls_port}/ws/v5/public")
        business = WsPublicAsync(url=f"wss://{WS_HOST}:{venue.tls_port}/ws/v5/business")
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        def collect(message: str) -> None:
            inbox.put_nowait(json.loads(message))

        await public.start()
        await business.start()
        try:
            await public.subscribe(channels, collect)
            await business.subscribe([{"channel": "candle1m", "instId": "BTC-USDT"}], collect)
            seen: dict[str, list[dict[str, Any]]] = {}

            def arrived(message: dict[str, Any]) -> bool:
                if "data" in message:
                    seen.setdefault(message["arg"]["channel"], []).append(message)
                return {"books", "bbo-tbt", "tickers", "mark-price", "funding-rate", "candle1m"} <= set(seen)

            await until(inbox.get, arrived, "the first push of every channel")
            await asyncio.to_thread(
                venue.set_book, "BTC-USDT", [("100.1", "2"), ("100.0", "1")], [("101.0", "1.5")]
            )
            await asyncio.to_thread(venue.print_trade, "BTC-USDT", "101.0", "0.1")
            await until(
                inbox.get,
                lambda m: arrived(m) and "trades" in seen and len(seen["books"]) > 1,
                "a book update and a trade",
            )
            return seen
        finally:
            await public.stop()
            await business.stop()

    seen = run_client(lambda: None, scenario)
    snapshot, update = seen["books"][0], seen["books"][1]
    assert snapshot["action"] == "snapshot" and update["action"] == "update"
    assert update["data"][0]["prevSeqId"] == snapshot["data"][0]["seqId"]
    assert ["100.1", "2", "0", "1"] in update["data"][0]["bids"] and isinstance(
        update["data"][0]["checksum"], int
    )
    assert seen["bbo-tbt"][0]["data"][0]["bids"] == [["100", "1", "0", "1"]]
    assert seen["trades"][0]["data"][0]["px"] == "101"
    assert seen["mark-price"][0]["data"][0]["markPx"] == "100.5"
    assert seen["funding-rate"][0]["data"][0]["instId"] == "BTC-USDT-SWAP"
    assert len(seen["candle1m"][0]["data"][0]) == 9


def test_private_websocket(venue: OkxVenue) -> None:
    async def scenario(_: Any) -> dict[str, Any]:
        private = WsPrivateAsync(
            apiKey=API_KEY,
            passphrase=PASSPHRASE,
            secretKey=API_SECRET,
            url=f"wss://{WS_HOST}:{venue.tls_port}/ws/v5/private",
        )
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        def collect(message: str) -> None:
            inbox.put_nowait(json.loads(message))

        await private.start()
        try:
            private.callback = collect
            await private.login()
            found: dict[str, Any] = {
                "login": await until(inbox.get, lambda m: m.get("event") in ("login", "error"), "the login")
            }
            await private.send("subscribe", [{"channel": "orders", "instType": "ANY"}])
            await until(inbox.get, lambda m: m.get("event") == "subscribe", "the subscription")
            await private.place_order(
                [
                    {
                        "instIdCode": 10001,
                        "side": "buy",
                        "ordType": "limit",
                        "px": "95",
                        "sz": "0.5",
                        "tdMode": "cash",
                        "clOrdId": "ws1",
                    }
                ],
                id="7",
            )
            found["placed"] = await until(inbox.get, lambda m: m.get("op") == "order", "the order's answer")
            found["live"] = await until(
                inbox.get, lambda m: "data" in m and m["arg"]["channel"] == "orders", "the order's push"
            )
            await private.amend_order([{"instIdCode": 10001, "clOrdId": "ws1", "newSz": "0.6"}], id="8")
            found["amended"] = await until(inbox.get, lambda m: m.get("op") == "amend-order", "the amend")
            await private.cancel_order([{"instIdCode": 10001, "clOrdId": "ws1"}], id="9")
            found["canceled"] = await until(
                inbox.get,
                lambda m: (
                    "data" in m
                    and m.get("arg", {}).get("channel") == "orders"
                    and m["data"][0]["state"] == "canceled"
                ),
                "the cancel push",
            )
            return found
        finally:
            await private.stop()

    found = run_client(lambda: None, scenario)
    assert found["login"]["event"] == "login" and found["login"]["code"] == "0"
    assert found["placed"]["id"] == "7" and found["placed"]["data"][0]["sCode"] == "0"
    assert found["live"]["data"][0]["clOrdId"] == "ws1" and found["live"]["data"][0]["state"] == "live"
    assert found["amended"]["code"] == "0"
    assert found["canceled"]["data"][0]["sz"] == "0.6"
