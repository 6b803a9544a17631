"""The local 1Token venue keeps 1Token's documented rules: the signing string (path relative to
`/api/v1/trade`, query not signed), increasing nonces below 2^53, string error codes, exchanges it did not
route, the client_oid rule, the field spelling switch, and the trade socket's handshake and idle drop."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import requests

from vtcore.peers.onetoken import ACCOUNT, OT_KEY, OT_SECRET, OneTokenVenue, signature


def test_signature_matches_the_documented_example() -> None:
    body = '{"contract": "huobip/btc.usdt", "price": 1, "bs": "b", "amount": 0.6}'
    assert (
        signature("secret", "POST", "/huobip/zannb/orders", "1526357597237000", body)
        == "ea7c4794f10e5cfeab5dbb41b88efd0550c7d0d3d763078b42e0d533ce53858a"
    )


def call(
    venue: OneTokenVenue, method: str, exchange: str, endpoint: str, body: Any = None, **query: str
) -> Any:
    nonce = str(time.time_ns() // 1000)
    text = json.dumps(body) if body is not None else ""
    headers = {
        "Api-Nonce": nonce,
        "Api-Key": OT_KEY,
        "Api-Signature": signature(OT_SECRET, method, f"/{exchange}/{ACCOUNT}{endpoint}", nonce, text),
        "Content-Type": "application/json",
    }
    url = f"{venue.http_url}/api/v1/trade/{exchange}/{ACCOUNT}{endpoint}"
    return requests.request(method, url, data=text or None, params=query, headers=headers, timeout=10)


def test_trade_api_rules(onetoken_venue: OneTokenVenue) -> None:
    assert call(onetoken_venue, "GET", "binance", "/info").status_code == 200
    unrouted = call(onetoken_venue, "GET", "kraken", "/info")
    assert (unrouted.status_code, unrouted.json()["code"]) == (404, "no-router-found")
    order = {"contract": "binance/btc.usdt", "price": 99.0, "bs": "b", "amount": 0.1, "client_oid": "short"}
    assert call(onetoken_venue, "POST", "binance", "/orders", order).json()["code"] == "invalid-param"
    order["price"] = 99.005
    order["client_oid"] = "binance/btc.usdt-vtcore0001"
    assert call(onetoken_venue, "POST", "binance", "/orders", order).json()["code"] == "invalid-param"
    order["contract"] = "okex/btc.usdt"
    assert call(onetoken_venue, "POST", "binance", "/orders", order).json()["code"] == "contract-not-exist"
    missing = call(onetoken_venue, "GET", "binance", "/orders", client_oid="binance/btc.usdt-nothing00")
    assert missing.json()["code"] == "client_oid-not-found"


def test_last_dealt_amount_spelling(onetoken_venue: OneTokenVenue) -> None:
    order = {"contract": "binance/btc.usdt", "price": 101.0, "bs": "b", "amount": 0.1}
    placed = call(onetoken_venue, "POST", "binance", "/orders", order).json()
    row = call(onetoken_venue, "GET", "binance", "/orders", exchange_oid=placed["exchange_oid"]).json()[0]
    assert row["last_dealt_amount"] == 0.1 and "last_dealed_amount" not in row
    onetoken_venue.last_dealt_key = "last_dealed_amount"  # the spelling of 1Token's documents
    row = call(onetoken_venue, "GET", "binance", "/orders", exchange_oid=placed["exchange_oid"]).json()[0]
    assert row["last_dealed_amount"] == 0.1 and "last_dealt_amount" not in row


def test_trade_socket_handshake_and_idle_drop(onetoken_venue: OneTokenVenue) -> None:
    onetoken_venue.client_idle_timeout = 0.5  # 1Token's rule is 30 s; the same check, sooner
    onetoken_venue.stop()
    onetoken_venue.start()

    async def run() -> list[Any]:
        seen: list[Any] = []
        url = onetoken_venue.http_url.replace("http", "ws") + f"/api/v1/ws/trade/binance/{ACCOUNT}"
        async with aiohttp.ClientSession() as session:
            nonce = str(time.time_ns() // 1000)
            headers = {
                "Api-Nonce": nonce,
                "Api-Key": OT_KEY,
                "Api-Signature": signature(OT_SECRET, "GET", f"/ws/{ACCOUNT}", nonce, ""),
            }
            async with session.ws_connect(url, headers=headers) as ws:
                seen.append(json.loads((await ws.receive(timeout=5)).data))
                await ws.send_str(json.dumps({"uri": "ping", "uuid": "u1"}))
                pong = json.loads((await ws.receive(timeout=5)).data)
                seen.append((pong["uri"], pong["uuid"]))
                started = time.monotonic()
                closing = await ws.receive(timeout=5)  # say nothing: the venue drops the connection
                seen.append((closing.type.name, time.monotonic() - started < 4))
            async with session.ws_connect(url, headers={**headers, "Api-Nonce": str(int(nonce) + 1)}) as ws:
                seen.append(
                    json.loads((await ws.receive(timeout=5)).data)["code"]
                )  # signed for another nonce
        return seen

    assert asyncio.run(run()) == [
        {"uri": "connection", "code": "ok"},
        ("pong", "u1"),
        ("CLOSE", True),
        "invalid-api-key",
    ]
