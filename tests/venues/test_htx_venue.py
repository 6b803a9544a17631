"""The local HTX venues' own rules, checked on the wire with a plain aiohttp client: Signature v2 against
HTX's
example and with HTX's error codes, gzip frames, the JSON heartbeats and the disconnect after two missed
pongs,
rate-limit replies, scripted faults (reject, stall, drop) and malformed frames."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import json
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from vtcore.peers.htx import API_KEY, API_SECRET, HtxSpotVenue, signature_v2
from vtcore.peers.htx_futures import HbdmVenue

PING = 0.2  # the venues ping every 0.2 s here and drop a stream after two unanswered pings


@pytest.fixture
def spot() -> Iterator[HtxSpotVenue]:
    venue = HtxSpotVenue()
    venue.ping_interval = PING
    venue.start()
    venue.set_book("btcusdt", [("100.00", "1.0")], [("101.00", "1.5")])
    yield venue
    venue.stop()


@pytest.fixture
def hbdm() -> Iterator[HbdmVenue]:
    venue = HbdmVenue()
    venue.ping_interval = PING
    venue.start()
    venue.set_book("BTC-USD", [("100.0", "10")], [("100.1", "10")])
    yield venue
    venue.stop()


def test_signature_matches_htx_example() -> None:
    """The computed example of HTX's Signature v2 (venues.md §4)."""
    params = {
        "AccessKeyId": "e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx",
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": "2017-05-11T15:19:30",
        "order-id": "1234567890",
    }
    signed = signature_v2(
        "b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx", "GET", "api.huobi.pro", "/v1/order/orders", params
    )
    assert signed == "Nmd8AU8uAe0mkFpxNbiava0aeZzBEtYjCdie1ZYZjoM="


def signed_url(
    base: str,
    method: str,
    path: str,
    params: dict[str, str] | None = None,
    *,
    key: str = API_KEY,
    secret: str = API_SECRET,
    stamp: dt.datetime | None = None,
) -> str:
    moment = stamp or dt.datetime.now(dt.timezone.utc)
    query = {
        "AccessKeyId": key,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S"),
        **(params or {}),
    }
    host = urllib.parse.urlsplit(base).netloc
    query["Signature"] = signature_v2(secret, method, host, path, query)
    return f"{base}{path}?{urllib.parse.urlencode(query)}"


async def fetch(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.request(method, url, json=body) as response:
        return response.status, await response.json(content_type=None)


def test_spot_signature_errors(spot: HtxSpotVenue) -> None:
    base = spot.http_url

    async def scenario() -> None:
        status, ok = await fetch("GET", signed_url(base, "GET", "/v1/account/accounts"))
        assert (status, ok["status"], ok["data"][0]["type"]) == (200, "ok", "spot")
        _, unsigned = await fetch("GET", f"{base}/v1/account/accounts")
        assert unsigned["err-code"] == "api-signature-not-valid" and "AccessKeyId" in unsigned["err-msg"]
        _, key = await fetch("GET", signed_url(base, "GET", "/v1/account/accounts", key="other-key"))
        assert key["err-msg"] == "Signature not valid: Incorrect Access key [Access key错误]"
        _, secret = await fetch("GET", signed_url(base, "GET", "/v1/account/accounts", secret="wrong"))
        assert secret["err-msg"] == "Signature not valid: Verification failure [校验失败]"
        old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=6)
        _, expired = await fetch("GET", signed_url(base, "GET", "/v1/account/accounts", stamp=old))
        assert expired["status"] == "error" and "Timestamp expired" in expired["err-msg"]
        # a GET signs its business parameters too: changing one after signing breaks the signature
        url = signed_url(base, "GET", "/v1/order/openOrders", {"symbol": "btcusdt"}).replace(
            "btcusdt", "ethusdt"
        )
        _, tampered = await fetch("GET", url)
        assert tampered["err-code"] == "api-signature-not-valid"

    asyncio.run(scenario())


def test_futures_signature_errors_use_futures_codes(hbdm: HbdmVenue) -> None:
    base = hbdm.http_url

    async def scenario() -> None:
        _, v1 = await fetch(
            "POST", signed_url(base, "POST", "/swap-api/v1/swap_account_info", secret="x"), {}
        )
        assert (v1["status"], v1["err_code"]) == ("error", 403)
        _, v5 = await fetch("GET", signed_url(base, "GET", "/v5/account/balance", key="x"))
        assert (v5["code"], v5["message"]) == (403, "Incorrect Access key [Access key错误]")
        _, good = await fetch("POST", signed_url(base, "POST", "/swap-api/v1/swap_account_info"), {})
        assert good["status"] == "ok" and good["data"][0]["margin_balance"] == 10

    asyncio.run(scenario())


def test_malformed_numbers_get_htx_codes_not_a_server_error(spot: HtxSpotVenue, hbdm: HbdmVenue) -> None:
    async def scenario() -> None:
        _, depth = await fetch("GET", f"{spot.http_url}/market/depth?symbol=btcusdt&type=step0&depth=x")
        assert (depth["err-code"], depth["err-msg"]) == ("invalid-parameter", "invalid depth")
        kline = f"{hbdm.http_url}/linear-swap-ex/market/history/kline?contract_code=BTC-USDT&period=1min"
        for query, name in (("&from=abc&to=1", "from"), ("&size=many", "size")):
            status, answer = await fetch("GET", kline + query)
            assert (status, answer["err_code"]) == (200, 1014)
            assert answer["err_msg"] == f"Invalid parameter: {name}"

    asyncio.run(scenario())


def test_rate_limit_reject_and_stall_faults(spot: HtxSpotVenue, hbdm: HbdmVenue) -> None:
    async def scenario() -> None:
        spot.faults.http_429 = 1
        status, limited = await fetch("GET", f"{spot.http_url}/v1/common/timestamp")
        assert (status, limited["err-code"]) == (429, "rate-too-many-requests")
        hbdm.faults.http_429 = 1
        status, limited = await fetch("GET", f"{hbdm.http_url}/api/v1/timestamp")
        assert (status, limited["err_code"]) == (429, 1032)

        spot.faults.reject_orders = 1
        body = {
            "account-id": "10000001",
            "symbol": "btcusdt",
            "type": "buy-limit",
            "amount": "0.1",
            "price": "99",
        }
        url = signed_url(spot.http_url, "POST", "/v1/order/orders/place")
        _, rejected = await fetch("POST", url, body)
        assert rejected["err-code"] == "order-holding-limit-failed"
        _, placed = await fetch("POST", signed_url(spot.http_url, "POST", "/v1/order/orders/place"), body)
        assert placed["status"] == "ok" and placed["data"].isdigit()

        spot.faults.stall_rest, spot.faults.stall_seconds = 1, 2.0
        started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5)) as session:
            with pytest.raises(asyncio.TimeoutError):
                await session.get(f"{spot.http_url}/v1/common/timestamp")
        assert time.monotonic() - started < 1.5

    asyncio.run(scenario())


def test_order_validation_answers_with_htx_codes(spot: HtxSpotVenue) -> None:
    async def place(**fields: str) -> Any:
        body = {
            "account-id": "10000001",
            "symbol": "btcusdt",
            "type": "buy-limit",
            "amount": "0.1",
            "price": "99",
        }
        body.update(fields)
        return (await fetch("POST", signed_url(spot.http_url, "POST", "/v1/order/orders/place"), body))[1]

    async def scenario() -> None:
        assert (await place(type="buy-stop"))["err-code"] == "invalid-parameter"
        assert (await place(symbol="xxxusdt"))["err-msg"] == "invalid symbol"
        assert (await place(price="99.001"))["err-code"] == "order-orderprice-precision-error"
        assert (await place(amount="0.0000001"))["err-code"] == "order-orderamount-precision-error"
        assert (await place(amount="0"))["err-code"] == "invalid-amount"
        assert (await place(amount="0.01"))["err-code"] == "order-value-min-error"
        # the symbol listing's limit-order-max-order-amt (10000) and sell-market-max-order-amt (1000) hold
        assert (await place(amount="10000.1"))["err-code"] == "order-limitorder-amount-max-error"
        too_big = await place(type="sell-market", amount="1000.5", price="")
        assert too_big["err-code"] == "order-marketorder-amount-max-error"
        assert (await place(amount="5000", price="100"))[
            "err-code"
        ] == "account-frozen-balance-insufficient-error"
        assert (await place(**{"account-id": "1"}))["err-code"] == "account-get-accounts-inexistent-error"
        # numbers past any amount or price (and the decimal context) are invalid, not a server error
        assert (await place(amount="1e400"))["err-code"] == "invalid-amount"
        assert (await place(price="1e30"))["err-code"] == "order-invalid-price"
        maker = await place(type="buy-limit-maker", price="101")  # would take: accepted, then cancelled
        state = (await fetch("GET", signed_url(spot.http_url, "GET", f"/v1/order/orders/{maker['data']}")))[1]
        assert state["data"]["state"] == "canceled"

    asyncio.run(scenario())


async def read(ws: aiohttp.ClientWebSocketResponse, timeout: float = 5.0) -> dict[str, Any]:
    message = await ws.receive(timeout)
    if message.type is aiohttp.WSMsgType.BINARY:
        return dict(json.loads(gzip.decompress(message.data)))
    if message.type is aiohttp.WSMsgType.TEXT:
        return dict(json.loads(message.data))
    raise ConnectionResetError(f"stream ended: {message.type.name}")


async def read_until(
    ws: aiohttp.ClientWebSocketResponse, key: str, *, answer_pings: bool = True
) -> dict[str, Any]:
    while True:
        message = await read(ws)
        if "ping" in message and answer_pings:
            await ws.send_str(json.dumps({"pong": message["ping"]}))
        if key in message:
            return message


def test_market_stream_is_gzip_with_json_pings(spot: HtxSpotVenue) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{spot.ws_url}/ws") as ws:
            first = await ws.receive(5)
            assert first.type is aiohttp.WSMsgType.BINARY  # gzip, not text
            assert "ping" in json.loads(gzip.decompress(first.data))
            await ws.send_str(json.dumps({"sub": "market.btcusdt.bbo", "id": "id1"}))
            subbed = await read_until(ws, "subbed")
            assert (subbed["id"], subbed["status"]) == ("id1", "ok")
            tick = await read_until(ws, "tick")
            assert tick["ch"] == "market.btcusdt.bbo" and (tick["tick"]["bid"], tick["tick"]["ask"]) == (
                100,
                101,
            )
            await ws.send_str(json.dumps({"sub": "market.nosuch.bbo", "id": "id2"}))
            error = await read_until(ws, "err-code")
            assert (error["status"], error["err-code"], error["id"]) == ("error", "bad-request", "id2")
            await ws.send_str("{not json")
            assert (await read_until(ws, "err-code"))["err-msg"] == "invalid request"
            assert spot.bad_frames == [("market", "{not json")]
            # answered pings keep the stream open well past two ping intervals
            deadline = time.monotonic() + 4 * PING
            while time.monotonic() < deadline:
                await read_until(ws, "ping")
            assert not ws.closed

    asyncio.run(scenario())


def test_missed_pongs_end_the_stream(spot: HtxSpotVenue) -> None:
    async def scenario() -> float:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{spot.ws_url}/ws") as ws:
            opened = time.monotonic()
            with pytest.raises(ConnectionResetError):
                while True:
                    await read_until(ws, "never", answer_pings=False)
            return time.monotonic() - opened

    lived = asyncio.run(scenario())
    assert 2 * PING <= lived < 10 * PING + 2


def test_v2_stream_counts_only_the_documented_pong(spot: HtxSpotVenue) -> None:
    """`{"action": "pong", "data": {"ts": ...}}` keeps /ws/v2 open; vn.py 2.x's `{"action": "pong", "ts":
    ...}` does
    not (the stream ends after two pings)."""

    async def serve(shape: str) -> float:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{spot.ws_url}/ws/v2") as ws:
            opened = time.monotonic()
            try:
                while time.monotonic() - opened < 8 * PING:
                    message = await read(ws)
                    assert message["action"] == "ping"
                    stamp = message["data"]["ts"]
                    pong = (
                        {"action": "pong", "data": {"ts": stamp}}
                        if shape == "documented"
                        else {
                            "action": "pong",
                            "ts": stamp,
                        }
                    )
                    await ws.send_str(json.dumps(pong))
            except ConnectionResetError:
                pass
            return time.monotonic() - opened

    assert asyncio.run(serve("documented")) >= 8 * PING
    assert asyncio.run(serve("vnpy")) < 8 * PING


def test_v2_auth_then_subscribe(spot: HtxSpotVenue) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{spot.ws_url}/ws/v2") as ws:
            await ws.send_str(json.dumps({"action": "sub", "ch": "orders#btcusdt"}))
            refused = await read_until(ws, "code")
            assert (refused["code"], refused["message"]) == (2002, "invalid.auth.state")
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            params = {
                "accessKey": API_KEY,
                "signatureMethod": "HmacSHA256",
                "signatureVersion": "2.1",
                "timestamp": stamp,
            }
            host = urllib.parse.urlsplit(spot.ws_url).netloc
            bad = {
                **params,
                "authType": "api",
                "signature": signature_v2("wrong", "GET", host, "/ws/v2", params),
            }
            await ws.send_str(json.dumps({"action": "req", "ch": "auth", "params": bad}))
            assert (await read_until(ws, "code"))["code"] == 2002
            good = {
                **params,
                "authType": "api",
                "signature": signature_v2(API_SECRET, "GET", host, "/ws/v2", params),
            }
            await ws.send_str(json.dumps({"action": "req", "ch": "auth", "params": good}))
            assert await read_until(ws, "code") == {"action": "req", "code": 200, "ch": "auth", "data": {}}
            await ws.send_str(json.dumps({"action": "sub", "ch": "orders#btcusdt"}))
            assert (await read_until(ws, "code"))["code"] == 200

    asyncio.run(scenario())


def test_notification_stream_auth_codes_and_op_ping(hbdm: HbdmVenue) -> None:
    async def scenario() -> None:
        url = f"{hbdm.ws_url}/swap-notification"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            ping = await read(ws)
            assert ping["op"] == "ping" and isinstance(ping["ts"], str)
            await ws.send_str(json.dumps({"op": "pong", "ts": ping["ts"]}))
            await ws.send_str(json.dumps({"op": "sub", "cid": "1", "topic": "orders.btc-usd"}))
            assert (await read_until(ws, "err-code"))["err-code"] == 2002
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            params = {
                "AccessKeyId": API_KEY,
                "SignatureMethod": "HmacSHA256",
                "SignatureVersion": "2",
                "Timestamp": stamp,
            }
            host = urllib.parse.urlsplit(hbdm.ws_url).netloc
            wrong = signature_v2(API_SECRET, "GET", host, "/notification", params)  # another stream's path
            await ws.send_str(json.dumps({"op": "auth", "type": "api", **params, "Signature": wrong}))
            assert (await read_until(ws, "err-code"))["err-code"] == 2003
            right = signature_v2(API_SECRET, "GET", host, "/swap-notification", params)
            await ws.send_str(json.dumps({"op": "auth", "type": "api", **params, "Signature": right}))
            assert (await read_until(ws, "err-code"))["err-code"] == 0
            await ws.send_str(json.dumps({"op": "sub", "cid": "2", "topic": "orders.eth-usd"}))
            assert (await read_until(ws, "err-code"))["err-code"] == 2011
            await ws.send_str(json.dumps({"op": "sub", "cid": "3", "topic": "orders.btc-usd"}))
            reply = await read_until(ws, "err-code")
            assert (reply["err-code"], reply["cid"], reply["topic"]) == (0, "3", "orders.btc-usd")

    asyncio.run(scenario())


def test_drop_connections_cuts_streams(spot: HtxSpotVenue) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{spot.ws_url}/ws") as ws:
            await ws.send_str(json.dumps({"sub": "market.btcusdt.bbo", "id": "1"}))
            await read_until(ws, "subbed")
            assert await asyncio.to_thread(spot.drop_connections, "market") == 1
            with pytest.raises(ConnectionResetError):
                while True:
                    await read(ws)

    asyncio.run(scenario())


def test_a_key_past_its_request_budget_is_refused(spot: HtxSpotVenue, hbdm: HbdmVenue) -> None:
    spot.request_limit = (3, 5.0)
    hbdm.request_limit = (2, 5.0)

    async def scenario() -> None:
        spot_answers = [
            await fetch("GET", signed_url(spot.http_url, "GET", "/v1/account/accounts")) for _ in range(4)
        ]
        assert [status for status, _ in spot_answers] == [200, 200, 200, 429]
        assert spot_answers[3][1]["err-code"] == "rate-too-many-requests"
        url = signed_url(hbdm.http_url, "GET", "/v5/account/balance")
        futures_answers = [await fetch("GET", url) for _ in range(3)]
        assert [status for status, _ in futures_answers] == [200, 200, 429]
        assert futures_answers[2][1]["code"] == 1032
        _, public = await fetch("GET", f"{spot.http_url}/v1/common/timestamp")  # public calls are not counted
        assert public["status"] == "ok"

    asyncio.run(scenario())


def test_unknown_and_retired_paths_answer_in_htx_shape(spot: HtxSpotVenue, hbdm: HbdmVenue) -> None:
    async def scenario() -> None:
        status, body = await fetch("GET", f"{spot.http_url}/v1/no/such/thing")
        assert (status, body["status"], body["err-code"]) == (404, "error", "invalid-parameter")
        retired = signed_url(hbdm.http_url, "POST", "/linear-swap-api/v1/swap_cross_order")
        status, body = await fetch("POST", retired, {"contract_code": "BTC-USDT"})
        assert (status, body["status"], body["err_code"]) == (404, "error", 404)

    asyncio.run(scenario())
