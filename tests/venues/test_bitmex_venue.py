"""The local BitMEX venue keeps BitMEX's rules: the documented signature vector, expiry against the venue's
clock, rate-limit headers and the 429 reply, the overload reply, text ping/pong, and the WebSocket's
authentication and subscription errors."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest
import requests

from vtcore.peers.bitmex import API_KEY, API_SECRET, RATE_LIMIT_PER_MINUTE, BitmexVenue, signature


def test_signature_matches_bitmex_documented_example() -> None:
    # BitMEX's API-key documentation: GET /api/v1/instrument, expires 1518064236
    assert (
        signature(API_SECRET, "GET", "/api/v1/instrument", 1518064236, "")
        == "c7682d435d0cfe87c16098df34ef2eb5a549d4c5a3c2b1f0f77b8af73423bf00"
    )
    body = '{"symbol":"XBTM15","price":219.0,"clOrdID":"mm_bitmex_1a/oemUeQ4CAJZgP3fjHsA","orderQty":98}'
    assert (
        signature(API_SECRET, "POST", "/api/v1/order", 1518064238, body)
        == "1749cd2ccae4aa49048ae09f0b95110cee706e0944e6a14ad0b3a8cb45bd336b"
    )


def signed(venue: BitmexVenue, method: str, path: str, body: str = "", expires: int | None = None) -> Any:
    expires = expires if expires is not None else int(time.time()) + 30
    headers = {
        "api-key": API_KEY,
        "api-expires": str(expires),
        "api-signature": signature(API_SECRET, method, path, expires, body),
        "Content-Type": "application/json",
    }
    return requests.request(method, venue.http_url + path, data=body or None, headers=headers, timeout=10)


def test_expiry_is_checked_against_the_venue_clock(bitmex_venue: BitmexVenue) -> None:
    assert signed(bitmex_venue, "GET", "/api/v1/user/margin").status_code == 200
    bitmex_venue.faults.clock_offset_ms = 120_000  # the venue's clock runs two minutes ahead
    answer = signed(bitmex_venue, "GET", "/api/v1/user/margin")
    assert answer.status_code == 401
    message = answer.json()["error"]["message"]
    assert message.startswith("This request has expired - `expires` is in the past. Current time: ")
    now = int(message.rsplit(" ", 1)[1])
    assert signed(bitmex_venue, "GET", "/api/v1/user/margin", expires=now + 10).status_code == 200


def test_rate_limit_headers_and_429(bitmex_venue: BitmexVenue) -> None:
    first = signed(bitmex_venue, "GET", "/api/v1/position")
    second = signed(bitmex_venue, "GET", "/api/v1/position")
    assert first.headers["x-ratelimit-limit"] == str(RATE_LIMIT_PER_MINUTE)
    assert int(second.headers["x-ratelimit-remaining"]) == int(first.headers["x-ratelimit-remaining"]) - 1
    bitmex_venue.requests_per_key[API_KEY] = [time.monotonic()] * RATE_LIMIT_PER_MINUTE
    limited = signed(bitmex_venue, "GET", "/api/v1/position")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert limited.json() == {
        "error": {"message": "Rate limit exceeded, retry in 1 seconds.", "name": "RateLimitError"}
    }
    bitmex_venue.faults.http_5xx = 1
    overloaded = requests.get(bitmex_venue.http_url + "/api/v1/instrument/active", timeout=10)
    assert overloaded.status_code == 503
    assert "overloaded" in overloaded.json()["error"]["message"]


def test_order_validation_uses_bitmex_texts(bitmex_venue: BitmexVenue) -> None:
    def place(**fields: Any) -> Any:
        return signed(bitmex_venue, "POST", "/api/v1/order", json.dumps({"symbol": "XBTUSD", **fields}))

    assert place(side="Up", orderQty=100, price=99).json()["error"]["message"] == "Invalid side"
    assert place(side="Buy", orderQty=0, price=99).json()["error"]["message"] == "orderQty is invalid"
    assert place(side="Buy", orderQty=100, price=99.3).json()["error"]["message"] == "Invalid price tickSize"
    assert (
        place(side="Buy", orderQty=100, price=99, timeInForce="GTX")
        .json()["error"]["message"]
        .startswith("Invalid timeInForce")
    )
    assert place(side="Buy", orderQty=100, price=99, clOrdID="a").status_code == 200
    assert (
        place(side="Buy", orderQty=100, price=99, clOrdID="a").json()["error"]["message"]
        == "Duplicate clOrdID"
    )
    fok = place(side="Buy", orderQty=5000, price=101, timeInForce="FillOrKill").json()
    assert (fok["ordStatus"], fok["cumQty"], fok["text"]) == (
        "Canceled",
        0,
        "Canceled: Order had timeInForce of FillOrKill",
    )


def test_stop_orders_rest_untriggered_until_a_trade_reaches_them(bitmex_venue: BitmexVenue) -> None:
    """BitMEX has Stop (market once triggered) and StopLimit orders, priced by `stopPx`."""

    def place(**fields: Any) -> Any:
        return signed(bitmex_venue, "POST", "/api/v1/order", json.dumps({"symbol": "XBTUSD", **fields}))

    def error(**fields: Any) -> str:
        answer = place(**fields)
        assert answer.status_code == 400, answer.text
        return str(answer.json()["error"]["message"])

    assert error(side="Buy", orderQty=100, ordType="Stop") == "Invalid stopPx for ordType"
    assert error(side="Buy", orderQty=100, price=99, stopPx=102) == "Invalid stopPx for ordType"  # a Limit
    assert error(side="Buy", orderQty=100, ordType="Stop", stopPx=102.3) == "Invalid stopPx tickSize"
    assert error(side="Buy", orderQty=100, ordType="StopLimit", stopPx=102) == "Invalid price"
    stop = place(side="Buy", orderQty=100, ordType="Stop", stopPx=102).json()
    assert (
        stop["ordType"],
        stop["stopPx"],
        stop["ordStatus"],
        stop["workingIndicator"],
        stop["triggered"],
    ) == (
        "Stop",
        102,
        "New",
        False,
        "",
    )
    stop_limit = place(side="Sell", orderQty=100, ordType="StopLimit", stopPx=99, price=98.5).json()
    assert (stop_limit["ordType"], stop_limit["price"], stop_limit["ordStatus"]) == ("StopLimit", 98.5, "New")
    bitmex_venue.print_trade("XBTUSD", "101.0", "10")  # not reached: both keep waiting
    bitmex_venue.print_trade("XBTUSD", "102.0", "10")  # reaches the Buy stop from below: a market buy

    def order(order_id: str) -> dict[str, Any]:
        rows = [
            row for row in signed(bitmex_venue, "GET", "/api/v1/order").json() if row["orderID"] == order_id
        ]
        assert len(rows) == 1, rows
        return dict(rows[0])

    filled = order(stop["orderID"])
    assert (filled["ordStatus"], filled["cumQty"], filled["triggered"], filled["avgPx"]) == (
        "Filled",
        100,
        "StopOrderTriggered",
        100.5,
    )
    waiting = order(stop_limit["orderID"])
    assert (waiting["ordStatus"], waiting["workingIndicator"]) == ("New", False)
    executions = signed(bitmex_venue, "GET", "/api/v1/execution/tradeHistory").json()
    assert [row["execType"] for row in executions if row["orderID"] == stop["orderID"]] == ["Trade"]


def test_numbers_out_of_range_and_bad_counts_get_bitmex_errors(bitmex_venue: BitmexVenue) -> None:
    """Never the plain-text 500 of an uncaught error: BitMEX's own error shape."""

    def place(**fields: Any) -> Any:
        return signed(bitmex_venue, "POST", "/api/v1/order", json.dumps({"symbol": "XBTUSD", **fields}))

    too_many = place(side="Buy", orderQty=10**30, price=99)  # past maxOrderQty (and any decimal context)
    assert (too_many.status_code, too_many.json()["error"]["message"]) == (400, "orderQty is invalid")
    too_dear = place(side="Buy", orderQty=100, price=10**30)
    assert (too_dear.status_code, too_dear.json()["error"]["message"]) == (400, "Invalid price")
    for path in (
        "/api/v1/trade/bucketed?binSize=1m&symbol=XBTUSD&count=abc",
        "/api/v1/orderBook/L2?symbol=XBTUSD&depth=x",
    ):
        answer = requests.get(bitmex_venue.http_url + path, timeout=10)
        assert answer.status_code == 400 and answer.json()["error"]["message"].startswith("Invalid "), path
    orders = signed(bitmex_venue, "GET", "/api/v1/order?count=many")
    assert (orders.status_code, orders.json()["error"]["message"]) == (400, "Invalid count: must be a number")


def test_websocket_rules(bitmex_venue: BitmexVenue) -> None:
    async def run() -> list[Any]:
        received: list[Any] = []
        url = bitmex_venue.http_url.replace("http", "ws") + "/realtime"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            received.append(json.loads((await ws.receive()).data)["info"])
            await ws.send_str("ping")
            received.append((await ws.receive()).data)
            for message in (
                {"op": "subscribe", "args": ["order"]},
                {"op": "subscribe", "args": ["nope:XBTUSD"]},
                {"op": "authKeyExpires", "args": [API_KEY, int(time.time()) + 10, "0" * 64]},
            ):
                await ws.send_str(json.dumps(message))
                answer = json.loads((await ws.receive()).data)
                received.append((answer["status"], answer["error"]))
            expires = int(time.time()) + 10
            good = signature(API_SECRET, "GET", "/realtime", expires, "")
            await ws.send_str(json.dumps({"op": "authKeyExpires", "args": [API_KEY, expires, good]}))
            received.append(json.loads((await ws.receive()).data)["success"])
            await ws.send_str(json.dumps({"op": "subscribe", "args": ["order"]}))
            received.append(json.loads((await ws.receive()).data)["subscribe"])
            received.append(json.loads((await ws.receive()).data)["action"])
        return received

    assert asyncio.run(run()) == [
        "Welcome to the BitMEX Realtime API.",
        "pong",
        (401, "User requested an account-locked subscription but no authorization was provided."),
        (400, "Unknown table: nope"),
        (401, "Signature not valid."),
        True,
        "order",
        "partial",
    ]


@pytest.mark.parametrize("reverse", [False, True])
def test_bucketed_trades_are_stamped_with_the_end_of_their_bin(
    bitmex_venue: BitmexVenue, reverse: bool
) -> None:
    rows = requests.get(
        bitmex_venue.http_url + "/api/v1/trade/bucketed",
        params={"binSize": "1m", "symbol": "XBTUSD", "count": 3, "reverse": str(reverse).lower()},
        timeout=10,
    ).json()
    stamps = [row["timestamp"] for row in rows]
    assert all(stamp.endswith(":00.000Z") for stamp in stamps)
    assert stamps == sorted(stamps, reverse=reverse)
