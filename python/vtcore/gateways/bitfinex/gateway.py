"""BITFINEX: Bitfinex spot trading on the exchange wallet (REST and WebSocket API v2, venues.md §6).

Market data comes from the public-only host (`api-pub`): `ticker`, `book` (P0, 25 levels, with checksums:
a mismatch resubscribes the book) and `trades`. The account stream authenticates on `api` (vn.py 2.x sent its
`auth` to api-pub, which refuses it) and carries orders, fills and wallets on channel 0; orders are placed
and cancelled on it (`on`/`oc` inputs, answered by `n` notifications) with the local order id as `cid`.
REST (`api`) loads pairs, wallets, open orders, fills and candles; its signature has no HTTP method in it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Exchange, Interval, Status
from vtcore.gateways._transport import (
    RateLimit,
    RequestRejectedError,
    RestRequest,
    TransportError,
    VenueConnectionError,
    VenueUnavailableError,
    WebSocketClient,
)
from vtcore.gateways._venue import (
    VenueGateway,
    format_number,
    http_to_ws,
    order_reason,
    parse_common_settings,
)
from vtcore.gateways._venue.settings import BASE_URL_SETTING
from vtcore.gateways.bitfinex import parse, schemas
from vtcore.gateways.bitfinex.market import BitfinexMarket
from vtcore.object import BarData, CancelRequest, HistoryRequest, OrderData, OrderRequest
from vtcore.time import INTERVAL_STEP, ms_to_datetime

REST_URL, PUBLIC_URL = "https://api.bitfinex.com", "https://api-pub.bitfinex.com"
CHANNELS = ("ticker", "book", "trades")
FLAG_CHECKSUM = 131072
_PAIRS = msgspec.json.Decoder(list[list[tuple[str, list[Any]]]])


class BitfinexGateway(VenueGateway):
    default_name: ClassVar[str] = "BITFINEX"
    default_setting: ClassVar[dict[str, Any]] = {
        "key": "",
        "secret": "",
        "session_number": 3,
        "proxy_host": "",
        "proxy_port": 0,
        "base_url": "",
        "public_url": "",
    }
    optional_setting: ClassVar[Mapping[str, str]] = {
        **BASE_URL_SETTING,
        "public_url": "another public-data REST host (default: api-pub's own)",
    }
    exchange: ClassVar[Exchange] = Exchange.BITFINEX
    exchanges: ClassVar[list[Exchange]] = [Exchange.BITFINEX]
    supported_order_types = frozenset(parse.ORDER_TYPE_VT2BITFINEX)
    #: Bitfinex sends `hb` on every quiet channel each 15 s; ping when the line is quiet anyway
    venue_ping_interval: ClassVar[float] = 10.0
    venue_idle_limit: ClassVar[float] = 30.0
    #: each subscribed symbol's market state is a C `TickBuilder` (`self.builders`), fed by `BitfinexMarket`
    builds_ticks_in_c: ClassVar[bool] = True

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.base_url = self.public_url = ""
        self.public_socket: WebSocketClient | None = None
        self.private_socket: WebSocketClient | None = None
        self.market = BitfinexMarket(self.builders, self.on_tick)
        self._nonce = 0
        self._pings = itertools.count(1)
        #: Bitfinex wants a cid of at most 45 bits, unique per day: the second of the day at connect, a count
        self._cid_base = (int(time.time()) % 86_400) * 1_000_000
        self.cid_dates: dict[str, str] = {}  # local order id -> the UTC day its cid belongs to

    # ---- settings and REST

    def apply_setting(self, setting: dict[str, Any]) -> None:
        common = parse_common_settings(setting)
        public = str(setting.get("public_url") or "").strip().rstrip("/")
        if public and not public.startswith(("http://", "https://")):
            raise ValueError("setting 'public_url' must start with http:// or https://")
        self.apply_common_settings(common)
        self.base_url = common.base_url or REST_URL
        self.public_url = public or common.base_url or PUBLIC_URL

    def new_orderid(self) -> str:
        return str(self._cid_base + next(self._order_numbers))

    def rest_url(self) -> str:
        return self.base_url

    def rate_limits(self) -> dict[str, RateLimit]:
        return {"rest": RateLimit(60, 60.0)}  # Bitfinex: 10-90 a minute per endpoint; stay under the lowest

    def next_nonce(self) -> int:
        """Microseconds, strictly increasing per key (Bitfinex refuses a nonce not above the last one)."""
        self._nonce = max(self._nonce + 1, time.time_ns() // 1000)
        return self._nonce

    def sign_request(self, request: RestRequest) -> None:
        nonce = str(self.next_nonce())
        request.headers.update(
            {
                "bfx-nonce": nonce,
                "bfx-apikey": self._key,
                "bfx-signature": parse.sign(self._secret, f"/api{request.path}{nonce}{request.body}"),
            }
        )

    parse_error = staticmethod(parse.parse_error)

    async def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, signed: bool = False
    ) -> bytes:
        assert self.rest is not None
        request = RestRequest(
            method,
            "/v2/" + path,
            params=params if method == "GET" else None,
            data=(params or {}) if method == "POST" else None,
            json_body=True,
            signed=signed,
            costs={"rest": 1},
        )
        return await self.rest.request_raw(request)

    async def fetch_server_time(self) -> int:
        # Bitfinex has no clock endpoint and signs with nonces, not times: the platform status is checked
        status = msgspec.json.decode(await self.call("GET", "platform/status"))
        if status != [1]:
            self.write_log(f"Bitfinex platform status {status}: maintenance", logging.WARNING)
        return time.time_ns() // 1_000_000

    async def load_contracts(self) -> None:
        (pairs,) = _PAIRS.decode(await self.call("GET", "conf/pub:info:pair"))
        for pair, info in pairs:
            self.add_contract(
                parse.contract(pair, info, gateway_name=self.gateway_name, exchange=self.exchange)
            )
            self.steps[pair] = ("", "0.00000001")
        self.write_log(f"{len(self.contracts)} contracts loaded")

    # ---- streams

    def build_subscribe(self, topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        for topic in topics:
            channel, _, symbol = topic.partition(":")
            if subscribe:
                message = {"event": "subscribe", "channel": channel, "symbol": f"t{symbol}"}
                if channel == "book":
                    message.update({"prec": "P0", "freq": "F0", "len": "25"})
                messages.append(message)
            else:
                for chan_id, known in list(self.market.channels.items()):
                    if known.kind == channel and known.symbol == symbol:
                        messages.append({"event": "unsubscribe", "chanId": chan_id})
        return messages

    def open_public_streams(self) -> None:
        self.public_socket = self.open_socket(
            "public",
            http_to_ws(self.public_url) + "/ws/2",
            self.text_heartbeat('{"event":"ping","cid":0}'),
            on_message=self.on_public_message,
            on_open=self.public_opened,
            build_subscribe=self.build_subscribe,
        )

    def open_private_streams(self) -> None:
        self.private_socket = self.open_socket(
            "private",
            http_to_ws(self.base_url) + "/ws/2",
            self.text_heartbeat('{"event":"ping","cid":0}'),
            on_message=self.on_private_message,
            on_open=self.authenticate,
        )

    def sockets(self) -> list[WebSocketClient]:
        return [socket for socket in (self.public_socket, self.private_socket) if socket is not None]

    async def public_opened(self, socket: WebSocketClient) -> None:
        self.market.reset()  # channel ids are per connection
        await socket.send({"event": "conf", "flags": FLAG_CHECKSUM})

    async def subscribe_market(self, symbol: str) -> None:
        assert self.public_socket is not None
        await self.public_socket.subscribe([f"{channel}:{symbol}" for channel in CHANNELS])

    async def unsubscribe_market(self, symbol: str) -> None:
        assert self.public_socket is not None
        await self.public_socket.unsubscribe([f"{channel}:{symbol}" for channel in CHANNELS])
        self.builders.pop(symbol, None)

    def on_public_message(self, raw: bytes) -> None:
        if raw.startswith(b"["):
            try:
                failed = self.market.handle(raw)
            except parse.DECODE_ERRORS as error:
                self.drop_malformed("channel frame", error)
                return
            if failed is not None:
                self.write_log(f"{failed} book failed its checksum: subscribing it again", logging.WARNING)
                self.submit(self.resubscribe_book(failed), f"resubscribe {failed} book")
            return
        event = self.decode_event(raw)
        if event is None:
            return
        if event.event == "subscribed" and event.chanId is not None and event.channel and event.symbol:
            self.market.subscribed(event.chanId, event.channel, parse.symbol_of(event.symbol))
        elif event.event == "unsubscribed" and event.chanId is not None:
            self.market.forget(event.chanId)

    async def resubscribe_book(self, symbol: str) -> None:
        socket = self.public_socket
        if socket is not None:
            await socket.unsubscribe([f"book:{symbol}"])
            await socket.subscribe([f"book:{symbol}"])

    def decode_event(self, raw: bytes) -> schemas.Event | None:
        try:
            event = parse.EVENT.decode(raw)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("event", error)
            return None
        if event.event == "error":
            self.write_log(f"venue error {event.code}: {event.msg}", logging.WARNING)
        elif event.event == "info" and event.code is not None:
            self.on_info(event)
        return event

    def on_info(self, event: schemas.Event) -> None:
        """20051: the server restarts, reconnect; 20060/20061: maintenance starts / ends."""
        if event.code == 20051:
            self.write_log("Bitfinex asks clients to reconnect (20051)", logging.WARNING)
            for socket in self.sockets():
                self.submit(socket.reconnect(), "reconnect on 20051")
        elif event.code == 20060:
            self.write_log("Bitfinex maintenance started (20060)", logging.WARNING)
        elif event.code == 20061:
            self.write_log("Bitfinex maintenance ended (20061): subscribing again")
            for socket in self.sockets():
                self.submit(socket.reconnect(), "reconnect after maintenance")

    # ---- the account stream (channel 0)

    async def authenticate(self, socket: WebSocketClient) -> None:
        nonce = self.next_nonce()
        payload = f"AUTH{nonce}"
        reply: schemas.Event = await socket.request(
            "auth",
            {
                "event": "auth",
                "apiKey": self._key,
                "authNonce": nonce,
                "authPayload": payload,
                "authSig": parse.sign(self._secret, payload),
            },
        )
        if reply.status != "OK":
            raise parse.classify(reply.code, reply.msg or "authentication failed", 0)
        self.write_log("account stream authenticated")
        self.private_stream_opened(socket)

    def on_private_message(self, raw: bytes) -> None:
        if not raw.startswith(b"["):
            event = self.decode_event(raw)
            if event is not None and event.event == "auth" and self.private_socket is not None:
                self.private_socket.resolve("auth", event)
            return
        if raw.startswith(b'[0,"hb"'):
            return
        try:
            _, kind, body = parse.ACCOUNT_FRAME.decode(raw)
            if kind in ("on", "ou", "oc"):
                self.apply_order(parse.ORDER.decode(body))
            elif kind == "os":
                for row in parse.ORDERS.decode(body):
                    self.apply_order(row)
            elif kind in ("te", "tu"):
                self.apply_trade(parse.TRADE.decode(body))
            elif kind in ("ws", "wu"):
                wallets = parse.WALLETS.decode(body) if kind == "ws" else [parse.WALLET.decode(body)]
                for wallet in wallets:
                    if wallet.WALLET_TYPE == "exchange":
                        self.on_account(parse.account(wallet, gateway_name=self.gateway_name))
            elif kind == "n":
                self.on_notification(parse.NOTIFICATION.decode(body))
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("account frame", error)

    def apply_order(self, row: schemas.Order) -> None:
        if row.CID is None:
            return
        orderid = str(row.CID)
        if self.private_socket is not None:  # the venue has the order: that answers its `on` too
            self.private_socket.resolve(ack_id(orderid), row)
        template = None
        if self.orders.get(orderid) is None:
            template = parse.order(
                row, orderid=orderid, gateway_name=self.gateway_name, exchange=self.exchange
            )
        status = parse.status_of(row.ORDER_STATUS)
        reason = ""
        if status == Status.CANCELLED and row.ORDER_STATUS and row.ORDER_STATUS != "CANCELED":
            reason = row.ORDER_STATUS.split(" was:", 1)[0]  # POSTONLY CANCELED, IOC CANCELED, ...
        original = abs(row.AMOUNT_ORIG or 0.0)
        self.orders.update(
            orderid,
            status,
            traded=original - abs(row.AMOUNT or 0.0),
            moment=ms_to_datetime(row.MTS_UPDATE or row.MTS_CREATE or 0),
            reason=reason,
            template=template,
        )

    def apply_trade(self, row: schemas.Trade) -> None:
        orderid = str(row.CID) if row.CID is not None else str(row.ORDER_ID)
        self.orders.trade(
            parse.trade(row, orderid=orderid, gateway_name=self.gateway_name, exchange=self.exchange)
        )

    def on_notification(self, note: schemas.Notification) -> None:
        cid = None
        if note.TYPE == "on-req":
            try:  # the order array of the request: only its CID matters here
                info = msgspec.json.decode(note.NOTIFY_INFO)
                cid = info[2] if isinstance(info, list) and len(info) > 2 else None
            except parse.DECODE_ERRORS:
                cid = None
            if cid is not None and self.private_socket is not None:
                self.private_socket.resolve(ack_id(str(cid)), note)
        if note.STATUS == "SUCCESS":
            return
        if note.TYPE == "on-req" and cid is not None and self.orders.get(str(cid)) is not None:
            reason = order_reason(RequestRejectedError(note.TEXT))
            self.orders.update(str(cid), Status.REJECTED, reason=reason)
            return
        self.write_log(f"{note.TYPE} {note.STATUS}: {note.TEXT}", logging.WARNING)

    # ---- orders

    async def send_input(self, kind: str, body: dict[str, Any]) -> None:
        socket = await self.order_socket(lambda: self.private_socket)
        await socket.send([0, kind, None, body])

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        if req.symbol not in self.contracts:
            raise RequestRejectedError(f"unknown symbol {req.symbol}")
        kind, flags = parse.ORDER_TYPE_VT2BITFINEX[req.type]
        amount = req.volume if req.direction.value == "LONG" else -req.volume
        self.cid_dates[order.orderid] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
        body: dict[str, Any] = {
            "cid": int(order.orderid),
            "type": kind,
            "symbol": f"t{req.symbol}",
            "amount": format_number(round(amount, 8)),
        }
        if kind != "EXCHANGE MARKET":
            body["price"] = format_number(parse.significant(req.price))
        if flags:
            body["flags"] = flags
        socket = await self.order_socket(lambda: self.private_socket)
        try:
            # wait for the venue's answer (its `on-req` notification, or the order itself on channel 0)
            await socket.request(ack_id(order.orderid), [0, "on", None, body])
        except (VenueConnectionError, VenueUnavailableError) as error:
            # sent, then no answer: the venue may have the order. After a dropped line it is looked up once
            # the account stream is back (`reconcile_orders`); after an answer that did not come in time, now
            await self.order_answer_lost(order, error, ask_now=isinstance(error, VenueUnavailableError))

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        date = self.cid_dates.get(req.orderid) or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
        await self.send_input("oc", {"cid": int(req.orderid), "cid_date": date})

    async def load_open_orders(self) -> None:
        rows = parse.ORDERS.decode(await self.call("POST", "auth/r/orders", signed=True))
        self.load_open_order_rows(rows, self.apply_order)

    async def reconcile(self) -> None:
        """After the account stream was down: the `os` snapshot brought the open orders; orders that closed
        meanwhile are read from the order history, and their fills from the trade history (one query each
        for all the orders)."""
        await self.reconcile_orders(self.orders.active_orders())

    async def reconcile_order(self, order: OrderData) -> None:
        await self.reconcile_orders([order])

    async def reconcile_orders(self, active: list[OrderData]) -> None:
        if not active:
            return
        try:
            listed = await self.find_orders({order.orderid for order in active})
        except TransportError as error:
            self.write_log(f"reconcile: {error}", logging.WARNING)
            return
        for order in active:
            if order.orderid in listed:
                self.unanswered.pop(order.orderid, None)
            elif order.orderid in self.unanswered:  # its `on` got no answer and the venue has no such order
                self.reject_unanswered(order.orderid, not_listed(order.orderid))
        self.write_log(f"reconciled {len(active)} active orders as the account stream opened")

    async def ask_venue(self, order: OrderData) -> str:
        listed = await self.find_orders({order.orderid})
        return "" if order.orderid in listed else not_listed(order.orderid)

    async def find_orders(self, orderids: set[str]) -> set[str]:
        """Apply what the venue lists of these orders, active or in its order history, and their fills from
        the trade history (one query each for all the orders); returns the ids it lists."""
        listed: set[str] = set()
        for path, params in (("auth/r/orders", None), ("auth/r/orders/hist", {"limit": 500})):
            for row in parse.ORDERS.decode(await self.call("POST", path, params, signed=True)):
                if row.CID is not None and str(row.CID) in orderids:
                    listed.add(str(row.CID))
                    self.apply_order(row)
        for trade in parse.TRADES.decode(
            await self.call("POST", "auth/r/trades/hist", {"limit": 500}, signed=True)
        ):
            if trade.CID is not None and str(trade.CID) in orderids:
                self.apply_trade(trade)
        return listed

    # ---- account and history

    async def fetch_account(self) -> None:
        for wallet in parse.WALLETS.decode(await self.call("POST", "auth/r/wallets", signed=True)):
            if wallet.WALLET_TYPE == "exchange":
                self.on_account(parse.account(wallet, gateway_name=self.gateway_name))

    async def fetch_positions(self) -> None:
        return None  # exchange-wallet trading holds currencies (accounts), not positions

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        frame = parse.INTERVAL_VT2BITFINEX.get(interval)
        if frame is None:
            raise ValueError(f"interval {interval.value} is not available from Bitfinex")
        step = int(INTERVAL_STEP[interval].total_seconds() * 1000)
        start = int(req.start.timestamp() * 1000)
        end = int((req.end or dt.datetime.now(dt.timezone.utc)).timestamp() * 1000)
        found: dict[int, BarData] = {}
        while start <= end:
            params = {"start": start, "end": end, "limit": 10_000, "sort": 1}
            rows = parse.CANDLES.decode(
                await self.call("GET", f"candles/trade:{frame}:t{req.symbol}/hist", params)
            )
            for row in rows:
                if start <= row.MTS <= end:
                    found[row.MTS] = parse.bar(
                        row,
                        symbol=req.symbol,
                        interval=interval,
                        gateway_name=self.gateway_name,
                        exchange=self.exchange,
                    )
            if len(rows) < 10_000:
                break
            start = rows[-1].MTS + step
        return [found[stamp] for stamp in sorted(found)]


def ack_id(orderid: str) -> str:
    """The id under which an order's `on` request waits for the venue's answer."""
    return f"on-req:{orderid}"


def not_listed(orderid: str) -> str:
    return f"Bitfinex lists no order with cid {orderid}, active or in its history"
