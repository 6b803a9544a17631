"""The local Alpaca venue's own rules, spoken to with a bare aiohttp client: the data stream's errors and
codecs, the trading stream's authorization and frame kinds, REST authentication and rate limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import msgspec
import pytest

from vtcore.peers.alpaca import API_KEY, API_SECRET, AlpacaVenue

AUTH = {"action": "auth", "key": API_KEY, "secret": API_SECRET}


@pytest.fixture
def venue() -> Iterator[AlpacaVenue]:
    venue = AlpacaVenue(paper=True).start()
    yield venue
    venue.stop()


def run(scenario: Callable[[aiohttp.ClientSession], Awaitable[None]]) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            await asyncio.wait_for(scenario(session), 20)

    asyncio.run(main())


async def receive(ws: aiohttp.ClientWebSocketResponse) -> tuple[aiohttp.WSMsgType, Any]:
    message = await ws.receive()
    if message.type is aiohttp.WSMsgType.BINARY:
        try:
            return message.type, msgspec.msgpack.decode(message.data)
        except msgspec.DecodeError:
            return message.type, json.loads(message.data)
    if message.type is aiohttp.WSMsgType.TEXT:
        return message.type, json.loads(message.data)
    return message.type, None


def test_data_stream_errors(venue: AlpacaVenue) -> None:
    venue.feeds.discard("sip")

    async def scenario(session: aiohttp.ClientSession) -> None:
        url = venue.ws_url + "/v2/iex"
        async with session.ws_connect(url) as ws:
            assert (await receive(ws))[1] == [{"T": "success", "msg": "connected"}]
            await ws.send_json({"action": "subscribe", "trades": ["AAPL"]})
            assert (await receive(ws))[1] == [{"T": "error", "code": 401, "msg": "not authenticated"}]
            await ws.send_str("{nope")
            assert (await receive(ws))[1] == [{"T": "error", "code": 400, "msg": "invalid syntax"}]
            await ws.send_json(AUTH)
            kind, reply = await receive(ws)
            assert kind is aiohttp.WSMsgType.TEXT and reply == [{"T": "success", "msg": "authenticated"}]
            await ws.send_json(AUTH)
            assert (await receive(ws))[1] == [{"T": "error", "code": 403, "msg": "already authenticated"}]
            async with session.ws_connect(url) as second:  # most plans allow one connection
                await receive(second)
                await second.send_json(AUTH)
                assert (await receive(second))[1] == [
                    {"T": "error", "code": 406, "msg": "connection limit exceeded"}
                ]
                assert (await receive(second))[0] is aiohttp.WSMsgType.CLOSE
        async with session.ws_connect(url) as ws:
            await receive(ws)
            await ws.send_json({**AUTH, "secret": "wrong"})
            assert (await receive(ws))[1] == [{"T": "error", "code": 402, "msg": "auth failed"}]
        async with session.ws_connect(venue.ws_url + "/v2/sip") as ws:
            await receive(ws)
            await ws.send_json(AUTH)
            assert (await receive(ws))[1] == [{"T": "error", "code": 409, "msg": "insufficient subscription"}]
        venue.auth_timeout = 0.2
        async with session.ws_connect(url) as ws:
            await receive(ws)
            assert (await receive(ws))[1] == [{"T": "error", "code": 404, "msg": "auth timeout"}]

    run(scenario)


def test_data_stream_codecs_and_header_auth(venue: AlpacaVenue) -> None:
    venue.set_book("AAPL", [("187.60", "300")], [("187.70", "400")])

    async def scenario(session: aiohttp.ClientSession) -> None:
        headers = {
            "Content-Type": "application/msgpack",
            "APCA-API-KEY-ID": API_KEY,
            "APCA-API-SECRET-KEY": API_SECRET,
        }
        async with session.ws_connect(venue.ws_url + "/v2/test", headers=headers) as ws:
            assert await receive(ws) == (aiohttp.WSMsgType.BINARY, [{"T": "success", "msg": "connected"}])
            assert (await receive(ws))[1] == [{"T": "success", "msg": "authenticated"}]  # by the headers
            await ws.send_bytes(
                msgspec.msgpack.encode({"action": "subscribe", "quotes": ["AAPL"], "bars": ["*"]})
            )
            _, (subscribed,) = await receive(ws)
            assert (
                subscribed["T"] == "subscription"
                and subscribed["quotes"] == ["AAPL"]
                and subscribed["bars"] == ["*"]
            )
            await asyncio.get_running_loop().run_in_executor(
                None, venue.set_book, "AAPL", [("187.61", "300")], [("187.70", "400")]
            )
            message = await ws.receive()
            raw = msgspec.msgpack.decode(message.data, type=list[dict[str, Any]])
            assert raw[0]["T"] == "q" and raw[0]["bp"] == 187.61
            ext = msgspec.msgpack.decode(message.data, type=list[msgspec.Raw])[0]
            assert b"\xd7\xff" in bytes(ext) or b"\xc7\x0c\xff" in bytes(ext)  # a timestamp extension

    run(scenario)


@pytest.mark.parametrize("paper", [True, False])
def test_trading_stream_frames_and_authorization(paper: bool) -> None:
    venue = AlpacaVenue(paper=paper).start()
    try:

        async def scenario(session: aiohttp.ClientSession) -> None:
            async with session.ws_connect(venue.ws_url + "/stream") as ws:
                await ws.send_json({"action": "listen", "data": {"streams": ["trade_updates"]}})
                kind, reply = await receive(ws)
                assert reply["data"] == {"action": "listen", "status": "unauthorized"}
                await ws.send_json(
                    {"action": "authenticate", "data": {"key_id": API_KEY, "secret_key": API_SECRET}}
                )
                kind, reply = await receive(ws)
                expected = aiohttp.WSMsgType.BINARY if paper else aiohttp.WSMsgType.TEXT
                assert kind is expected and reply["data"]["status"] == "authorized"
                await ws.send_json({"action": "listen", "data": {"streams": ["trade_updates", "nope"]}})
                assert (await receive(ws))[1] == {
                    "stream": "listening",
                    "data": {"streams": ["trade_updates"]},
                }
            async with session.ws_connect(venue.ws_url + "/stream") as ws:
                await ws.send_json({"action": "auth", "key": API_KEY, "secret": "wrong"})
                assert (await receive(ws))[1]["data"]["status"] == "unauthorized"
                assert (await receive(ws))[0] is aiohttp.WSMsgType.CLOSE

        run(scenario)
    finally:
        venue.stop()


def test_rest_authentication_and_rate_limit(venue: AlpacaVenue) -> None:
    async def scenario(session: aiohttp.ClientSession) -> None:
        keys = {"APCA-API-KEY-ID": API_KEY, "APCA-API-SECRET-KEY": API_SECRET}
        async with session.get(venue.http_url + "/v2/account") as response:
            assert response.status == 401
            assert await response.json() == {"code": 40110000, "message": "request is not authorized"}
        async with session.get(venue.http_url + "/v2/account", headers=keys) as response:
            assert response.status == 200 and response.headers["X-RateLimit-Limit"] == "200"
        venue.faults.http_429 = 1
        async with session.get(venue.http_url + "/v2/account", headers=keys) as response:
            assert response.status == 429 and response.headers["Retry-After"] == "1"
            assert (await response.json())["code"] == 42910000
        async with session.post(venue.http_url + "/v2/orders", headers=keys, data="{") as response:
            assert response.status == 400
        async with session.delete(venue.http_url + "/v2/orders/not-an-id", headers=keys) as response:
            assert response.status == 422

    run(scenario)


def test_malformed_query_numbers_get_alpacas_error_not_500(venue: AlpacaVenue) -> None:
    async def scenario(session: aiohttp.ClientSession) -> None:
        keys = {"APCA-API-KEY-ID": API_KEY, "APCA-API-SECRET-KEY": API_SECRET}
        for path in ("/v2/orders?limit=abc", "/v2/account/activities/FILL?page_size=x"):
            async with session.get(venue.http_url + path, headers=keys) as response:
                assert response.status == 422, path
                assert (await response.json())["code"] == 40010001, path

    run(scenario)
