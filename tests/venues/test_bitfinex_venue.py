"""The local Bitfinex venue keeps Bitfinex's rules: the signing strings (no HTTP method; "AUTH" + nonce on the
socket), increasing nonces, the public-only api-pub host, the 429 reply, `hb` on quiet channels, ping/pong,
info events, and the subscription and auth error codes."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import requests

from vtcore.peers.bitfinex import API_KEY, API_SECRET, RATE_LIMIT_PER_MINUTE, BitfinexVenue, sign


def test_signing_strings() -> None:
    # venues.md §6: computed from the documented algorithm with the secret "secret"
    assert sign("secret", "/api/v2/auth/r/wallets1700000000000000") == (
        "3ceeb5a0d6c39ea024e7597c49fc3e49ab4145991c5acd8427fe19ef637c3fecf09a768b577048842a539361a7186b05"
    )
    assert sign("secret", "AUTH1700000000000000") == (
        "972fdb5f9dd2676d1d363fff221e4db3f14cf7a1bd7cf5c2baae317251d6aca9f1412106221dbac44d35ce125fbf4840"
    )


def post(venue: BitfinexVenue, endpoint: str, nonce: int, host: str = "127.0.0.1", body: str = "{}") -> Any:
    signature = sign(API_SECRET, f"/api/v2/{endpoint}{nonce}{body}")
    headers = {
        "bfx-nonce": str(nonce),
        "bfx-apikey": API_KEY,
        "bfx-signature": signature,
        "Content-Type": "application/json",
    }
    url = venue.http_url.replace("127.0.0.1", host) + f"/v2/{endpoint}"
    return requests.post(url, data=body, headers=headers, timeout=10)


def test_rest_auth_rules(bitfinex_venue: BitfinexVenue) -> None:
    nonce = int(time.time() * 1_000_000)
    assert post(bitfinex_venue, "auth/r/wallets", nonce).status_code == 200
    stale = post(bitfinex_venue, "auth/r/wallets", nonce)
    assert (stale.status_code, stale.json()) == (500, ["error", 10114, "nonce: small"])
    public_only = post(bitfinex_venue, "auth/r/wallets", nonce + 1, host=bitfinex_venue.public_host)
    assert public_only.json() == ["error", 10100, "apikey: invalid"]
    bitfinex_venue.requests_per_key[API_KEY] = [time.monotonic()] * RATE_LIMIT_PER_MINUTE
    limited = post(bitfinex_venue, "auth/r/wallets", nonce + 2)
    assert (limited.status_code, limited.json()) == (429, ["error", 11010, "ratelimit: error"])


def test_malformed_numbers_get_bitfinex_errors_not_a_crash(bitfinex_venue: BitfinexVenue) -> None:
    # Bitfinex answers every error with HTTP 500 and its ["error", code, text] array; a crash would give
    # aiohttp's plain-text 500 instead
    url = bitfinex_venue.http_url + "/v2/candles/trade:1m:tBTCUSD/hist"
    for query, text in (
        ("limit=abc", "limit: invalid"),
        ("start=x", "start: invalid"),
        ("end=1.5", "end: invalid"),
    ):
        answer = requests.get(f"{url}?{query}", timeout=10)
        assert (answer.status_code, answer.json()) == (500, ["error", 10020, text]), query
    nonce = int(time.time() * 1_000_000)
    orders = post(bitfinex_venue, "auth/r/orders/hist", nonce, body='{"limit": "many"}')
    assert orders.json() == ["error", 10020, "limit: invalid"]


def test_websocket_rules(bitfinex_venue: BitfinexVenue) -> None:
    async def run() -> list[Any]:
        seen: list[Any] = []
        url = bitfinex_venue.http_url.replace("http", "ws") + "/ws/2"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:

            async def receive() -> Any:
                return json.loads((await ws.receive(timeout=5)).data)

            seen.append((await receive())["version"])
            await ws.send_str(json.dumps({"event": "ping", "cid": 7}))
            pong = await receive()
            seen.append((pong["event"], pong["cid"]))
            for request in (
                {"event": "subscribe", "channel": "nope", "symbol": "tBTCUSD"},
                {"event": "subscribe", "channel": "book", "symbol": "tBTCUSD", "len": "10"},
            ):
                await ws.send_str(json.dumps(request))
                seen.append((await receive())["code"])
            await ws.send_str(json.dumps({"event": "subscribe", "channel": "ticker", "symbol": "tBTCUSD"}))
            chan_id = (await receive())["chanId"]
            seen.append(len((await receive())[1]))  # the snapshot: ten fields
            await ws.send_str(json.dumps({"event": "subscribe", "channel": "ticker", "symbol": "tBTCUSD"}))
            seen.append((await receive())["code"])
            seen.append(await receive() == [chan_id, "hb"])  # nothing else happens on the channel
            nonce = int(time.time() * 1_000_000)
            payload = f"AUTH{nonce}"
            await ws.send_str(
                json.dumps(
                    {
                        "event": "auth",
                        "apiKey": API_KEY,
                        "authNonce": nonce,
                        "authPayload": payload,
                        "authSig": "0",
                    }
                )
            )
            seen.append((await receive())["code"])
            bitfinex_venue.send_info(20051)
            seen.append((await receive())["code"])
        return seen

    assert asyncio.run(run()) == [2, ("pong", 7), 10302, 10300, 10, 10301, True, 10103, 20051]


def test_api_pub_refuses_authentication(bitfinex_venue: BitfinexVenue) -> None:
    async def run() -> Any:
        url = bitfinex_venue.http_url.replace("http", "ws").replace("127.0.0.1", "localhost") + "/ws/2"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            await ws.receive(timeout=5)
            nonce = int(time.time() * 1_000_000)
            payload = f"AUTH{nonce}"
            message = {
                "event": "auth",
                "apiKey": API_KEY,
                "authNonce": nonce,
                "authPayload": payload,
                "authSig": sign(API_SECRET, payload),
            }
            await ws.send_str(json.dumps(message))
            return json.loads((await ws.receive(timeout=5)).data)

    answer = asyncio.run(run())
    assert (answer["event"], answer["status"], answer["code"]) == ("auth", "FAILED", 10100)
