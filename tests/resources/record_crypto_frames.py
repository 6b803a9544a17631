"""Record the WebSocket frames the parse tests read, from the local BitMEX, Bitfinex and 1Token venues.

Run from the repository root: python tests/resources/record_crypto_frames.py
Each venue's frames go to tests/resources/<venue>/frames.jsonl, one `{"label": ..., "frame": "..."}` a line
(the frame exactly as the socket delivered it). The documented captures of the real venues (venues.md) are
kept beside them in documented.jsonl, written by hand from the documents.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from vtcore.peers.bitfinex import API_KEY as BFX_KEY  # noqa: E402
from vtcore.peers.bitfinex import API_SECRET as BFX_SECRET  # noqa: E402
from vtcore.peers.bitfinex import BitfinexVenue, sign  # noqa: E402
from vtcore.peers.bitmex import API_KEY as BMX_KEY  # noqa: E402
from vtcore.peers.bitmex import API_SECRET as BMX_SECRET  # noqa: E402
from vtcore.peers.bitmex import BitmexVenue, signature  # noqa: E402
from vtcore.peers.onetoken import ACCOUNT, OT_KEY, OT_SECRET, OneTokenVenue  # noqa: E402
from vtcore.peers.onetoken import signature as ot_signature  # noqa: E402


async def drain(ws: aiohttp.ClientWebSocketResponse, frames: list[str], quiet: float = 0.3) -> None:
    while True:
        try:
            message = await ws.receive(timeout=quiet)
        except asyncio.TimeoutError:
            return
        if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            frames.append(message.data if isinstance(message.data, str) else message.data.decode())
        else:
            return


def write(venue: str, labelled: list[tuple[str, str]]) -> None:
    folder = HERE / venue
    folder.mkdir(exist_ok=True)
    with (folder / "frames.jsonl").open("w") as out:
        for label, frame in labelled:
            out.write(json.dumps({"label": label, "frame": frame}) + "\n")
    print(f"{venue}: {len(labelled)} frames")


def label_bitmex(frame: str) -> str:
    message: dict[str, Any] = json.loads(frame)
    if "table" in message:
        return f"{message['table']}:{message['action']}"
    if "success" in message:
        return "reply"
    return "info" if "info" in message else "error"


async def record_bitmex() -> None:
    venue = BitmexVenue().start()
    venue.set_book("XBTUSD", [("100.0", "1000"), ("99.5", "2000")], [("100.5", "1500"), ("101.0", "3000")])
    venue.print_trade("XBTUSD", "100.5", "100")
    frames: list[str] = []
    expires = int(time.time()) + 3600
    headers = {
        "api-key": BMX_KEY,
        "api-expires": str(expires),
        "api-signature": signature(BMX_SECRET, "GET", "/realtime", expires, ""),
    }
    topics = [
        "quote:XBTUSD",
        "orderBook10:XBTUSD",
        "orderBookL2_25:XBTUSD",
        "trade:XBTUSD",
        "instrument:XBTUSD",
    ]
    topics += ["order", "execution", "position", "margin"]
    url = venue.http_url.replace("http", "ws") + "/realtime?subscribe=" + ",".join(topics)
    async with aiohttp.ClientSession() as session, session.ws_connect(url, headers=headers) as ws:
        await drain(ws, frames)
        body = json.dumps(
            {"symbol": "XBTUSD", "side": "Buy", "orderQty": 200, "price": 99.0, "clOrdID": "rec-1"}
        )
        answer = await post_bitmex(session, venue, body)
        order_id = answer["orderID"]
        await drain(ws, frames)
        venue.print_trade("XBTUSD", "99.0", "100", buyer_maker=True)  # half of the resting order fills
        await drain(ws, frames)
        await delete_bitmex(session, venue, order_id)
        await drain(ws, frames)
        await post_bitmex(session, venue, json.dumps({"symbol": "XBTUSD", "side": "Sell", "orderQty": 300}))
        await drain(ws, frames)
        await ws.send_str("ping")
        await drain(ws, frames)
    venue.stop()
    write("bitmex", [(label_bitmex(f) if f != "pong" else "pong", f) for f in frames])


async def post_bitmex(session: aiohttp.ClientSession, venue: BitmexVenue, body: str) -> Any:
    expires = int(time.time()) + 60
    headers = {
        "api-key": BMX_KEY,
        "api-expires": str(expires),
        "api-signature": signature(BMX_SECRET, "POST", "/api/v1/order", expires, body),
        "Content-Type": "application/json",
    }
    async with session.post(venue.http_url + "/api/v1/order", data=body, headers=headers) as response:
        return await response.json()


async def delete_bitmex(session: aiohttp.ClientSession, venue: BitmexVenue, order_id: str) -> Any:
    body = json.dumps({"orderID": order_id})
    expires = int(time.time()) + 60
    headers = {
        "api-key": BMX_KEY,
        "api-expires": str(expires),
        "api-signature": signature(BMX_SECRET, "DELETE", "/api/v1/order", expires, body),
        "Content-Type": "application/json",
    }
    async with session.delete(venue.http_url + "/api/v1/order", data=body, headers=headers) as response:
        return await response.json()


def label_bitfinex(frame: str) -> str:
    message = json.loads(frame)
    if isinstance(message, dict):
        return f"event:{message['event']}"
    if message[0] == 0:
        return f"account:{message[1]}"
    return "channel"


async def record_bitfinex() -> None:
    venue = BitfinexVenue()
    venue.heartbeat_interval = 30.0  # `hb` frames would keep `drain` from ever seeing a quiet socket
    venue.start()
    venue.set_book("tBTCUSD", [("100.0", "1.0"), ("99.5", "2.0")], [("100.5", "1.5"), ("101.0", "3.0")])
    venue.print_trade("tBTCUSD", "100.5", "0.1")
    frames: list[str] = []
    url = venue.http_url.replace("http", "ws") + "/ws/2"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await drain(ws, frames)
        await ws.send_str(json.dumps({"event": "conf", "flags": 131072}))
        for request in (
            {"event": "subscribe", "channel": "ticker", "symbol": "tBTCUSD"},
            {"event": "subscribe", "channel": "book", "symbol": "tBTCUSD", "prec": "P0", "len": "25"},
            {"event": "subscribe", "channel": "trades", "symbol": "tBTCUSD"},
        ):
            await ws.send_str(json.dumps(request))
        await drain(ws, frames)
        venue.set_book("tBTCUSD", [("100.0", "1.0")], [("100.5", "1.0"), ("101.0", "3.0")])
        await drain(ws, frames)
        nonce = int(time.time() * 1_000_000)
        payload = f"AUTH{nonce}"
        auth = {"event": "auth", "apiKey": BFX_KEY, "authNonce": nonce, "authPayload": payload}
        await ws.send_str(json.dumps({**auth, "authSig": sign(BFX_SECRET, payload)}))
        await drain(ws, frames)
        order = {"cid": 1001, "type": "EXCHANGE LIMIT", "symbol": "tBTCUSD", "amount": "0.5", "price": "99.0"}
        await ws.send_str(json.dumps([0, "on", None, order]))
        await drain(ws, frames)
        venue.print_trade("tBTCUSD", "99.0", "0.2", buyer_maker=True)
        await drain(ws, frames)
        await ws.send_str(
            json.dumps([0, "oc", None, {"cid": 1001, "cid_date": time.strftime("%Y-%m-%d", time.gmtime())}])
        )
        await drain(ws, frames)
        await ws.send_str(json.dumps([0, "on", None, {**order, "cid": 1002, "amount": "0.00001"}]))
        await drain(ws, frames)
    venue.stop()
    write("bitfinex", [(label_bitfinex(f), f) for f in frames])


async def record_onetoken() -> None:
    venue = OneTokenVenue().start()
    venue.set_book(
        "binance/btc.usdt", [("100.00", "1.0"), ("99.50", "2.0")], [("100.50", "1.5"), ("101.00", "3.0")]
    )
    frames: list[str] = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(venue.http_url.replace("http", "ws") + "/api/v1/ws/tick") as ws:
            await ws.send_str(json.dumps({"uri": "auth"}))
            for uri in ("subscribe-single-tick-verbose", "subscribe-single-zhubi-verbose"):
                await ws.send_str(json.dumps({"uri": uri, "contract": "binance/btc.usdt"}))
            await drain(ws, frames)
            venue.print_trade("binance/btc.usdt", "100.5", "0.3")
            await drain(ws, frames)
        nonce = str(time.time_ns() // 1000)
        headers = {
            "Api-Nonce": nonce,
            "Api-Key": OT_KEY,
            "Api-Signature": ot_signature(OT_SECRET, "GET", f"/ws/{ACCOUNT}", nonce, ""),
        }
        url = venue.http_url.replace("http", "ws") + f"/api/v1/ws/trade/binance/{ACCOUNT}"
        async with session.ws_connect(url, headers=headers) as ws:
            await ws.send_str(json.dumps({"uri": "sub-order"}))
            await ws.send_str(json.dumps({"uri": "sub-info"}))
            await drain(ws, frames)
            nonce = str(time.time_ns() // 1000)
            body = json.dumps({"contract": "binance/btc.usdt", "price": 101.0, "bs": "b", "amount": 0.2})
            order_headers = {
                "Api-Nonce": nonce,
                "Api-Key": OT_KEY,
                "Api-Signature": ot_signature(OT_SECRET, "POST", f"/binance/{ACCOUNT}/orders", nonce, body),
                "Content-Type": "application/json",
            }
            await session.post(
                venue.http_url + f"/api/v1/trade/binance/{ACCOUNT}/orders", data=body, headers=order_headers
            )
            await drain(ws, frames)
    venue.stop()
    write("onetoken", [(json.loads(f).get("uri", "error"), f) for f in frames])


async def main() -> None:
    await record_bitmex()
    await record_bitfinex()
    await record_onetoken()


if __name__ == "__main__":
    asyncio.run(main())
