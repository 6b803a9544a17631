"""BITMEX: BitMEX's perpetual and dated contracts (REST `/api/v1`, WebSocket `/realtime`, venues.md §5).

Two streams: the public one carries `quote`, `orderBookL2_25`, `trade` and `instrument` for the subscribed
symbols; the private one authenticates with `authKeyExpires` (again after every reconnect) and carries
`order`, `execution`, `position` and `margin`. Orders go over REST with the local order id as `clOrdID`, so a
lost answer can be asked about. Text `ping` keeps quiet streams alive (BitMEX's advice: ping after 5 s of
silence).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Exchange, Interval, Status
from vtcore.gateways._transport import (
    ClockSkewError,
    RateLimit,
    RequestRejectedError,
    RestRequest,
    TransportError,
    WebSocketClient,
)
from vtcore.gateways._venue import (
    VenueGateway,
    format_lots,
    format_number,
    format_step,
    http_to_ws,
    leading_string,
    parse_common_settings,
)
from vtcore.gateways._venue.settings import BASE_URL_SETTING
from vtcore.gateways.bitmex import parse, schemas
from vtcore.gateways.bitmex.market import MARKET_TABLES, BitmexMarket
from vtcore.object import BarData, CancelRequest, HistoryRequest, OrderData, OrderRequest
from vtcore.time import INTERVAL_STEP

PUBLIC_TABLES = ("quote", "orderBookL2_25", "trade", "instrument")
PRIVATE_TABLES = ("order", "execution", "position", "margin")
_INSTRUMENTS = msgspec.json.Decoder(list[schemas.Instrument])
_BUCKETS = msgspec.json.Decoder(list[schemas.Bucket])
_ROOT = msgspec.json.Decoder(schemas.Root)


class BitmexGateway(VenueGateway):
    default_name: ClassVar[str] = "BITMEX"
    default_setting: ClassVar[dict[str, Any]] = {
        "key": "",
        "secret": "",
        "session_number": 3,
        "server": ["REAL", "TESTNET"],
        "proxy_host": "",
        "proxy_port": 0,
        "base_url": "",
    }
    optional_setting: ClassVar[Mapping[str, str]] = BASE_URL_SETTING
    exchange: ClassVar[Exchange] = Exchange.BITMEX
    exchanges: ClassVar[list[Exchange]] = [Exchange.BITMEX]
    supported_order_types = frozenset(parse.ORDER_TYPE_VT2BITMEX)
    servers: ClassVar[dict[str, str]] = {
        "REAL": "https://www.bitmex.com",
        "TESTNET": "https://testnet.bitmex.com",
    }
    venue_ping_interval: ClassVar[float] = 5.0
    venue_idle_limit: ClassVar[float] = 15.0
    #: seconds an `api-expires` lies ahead of the venue's clock
    expires_after: ClassVar[int] = 30

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.base_url = ""
        self.public_socket: WebSocketClient | None = None
        self.private_socket: WebSocketClient | None = None
        self.market = BitmexMarket(self.ticks, self.emit_tick)
        #: the venue's orderID -> the local order id (clOrdID), for rows that carry only orderID
        self.venue_ids: dict[str, str] = {}
        self.margins: dict[str, dict[str, Any]] = {}  # the margin row per currency, merged across updates
        self.settle_scale: dict[str, float] = {}  # per symbol: sub-units per settlement unit

    # ---- settings and REST

    def apply_setting(self, setting: dict[str, Any]) -> None:
        common = parse_common_settings(setting)
        if common.server not in self.servers:
            raise ValueError(f"setting 'server' must be one of {', '.join(self.servers)}")
        self.apply_common_settings(common)
        self.base_url = common.base_url or self.servers[common.server]

    def rest_url(self) -> str:
        return self.base_url

    def rate_limits(self) -> dict[str, RateLimit]:
        return {"rest": RateLimit(120, 60.0)}  # BitMEX: 120 requests a minute per key

    def on_rest_headers(self, headers: Mapping[str, str]) -> None:
        remaining = headers.get("x-ratelimit-remaining")
        if remaining is not None and remaining.isdigit() and int(remaining) < 5:
            self.logger.warning("%s: %s REST requests left this minute", self.gateway_name, remaining)

    def sign_request(self, request: RestRequest) -> None:
        expires = self.clock.now_ms() // 1000 + self.expires_after
        request.headers.update(
            {
                "api-key": self._key,
                "api-expires": str(expires),
                "api-signature": parse.sign(
                    self._secret, request.method, request.path_with_query, expires, request.body
                ),
            }
        )

    parse_error = staticmethod(parse.parse_error)

    async def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, signed: bool = False
    ) -> bytes:
        assert self.rest is not None
        is_get = method == "GET"
        request = RestRequest(
            method,
            "/api/v1" + path,
            params=params if is_get else None,
            data=None if is_get else params,
            json_body=True,
            signed=signed,
            costs={"rest": 1},
        )
        return await self.rest.request_raw(request)

    async def fetch_server_time(self) -> int:
        return _ROOT.decode(await self.call("GET", "")).timestamp

    async def load_contracts(self) -> None:
        for row in _INSTRUMENTS.decode(await self.call("GET", "/instrument/active")):
            if row.state != "Open":
                continue
            self.steps[row.symbol] = (format_number(row.tickSize), format_number(row.lotSize))
            scale = parse.CURRENCY_SCALE.get(row.settlCurrency, ("", 1.0))[1]
            self.settle_scale[row.symbol] = scale
            self.add_contract(parse.contract(row, gateway_name=self.gateway_name, exchange=self.exchange))
        self.write_log(f"{len(self.contracts)} contracts loaded")

    # ---- streams

    @staticmethod
    def build_subscribe(topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        return [{"op": "subscribe" if subscribe else "unsubscribe", "args": topics}]

    def open_public_streams(self) -> None:
        self.public_socket = self.open_socket(
            "public",
            http_to_ws(self.base_url) + "/realtime",
            self.text_heartbeat("ping"),
            on_message=self.on_public_message,
            on_open=self.public_opened,
            build_subscribe=self.build_subscribe,
        )

    async def public_opened(self, socket: WebSocketClient) -> None:
        self.market.reset()  # the books are rebuilt from the partials of the subscriptions that follow

    def open_private_streams(self) -> None:
        self.private_socket = self.open_socket(
            "private",
            http_to_ws(self.base_url) + "/realtime",
            self.text_heartbeat("ping"),
            on_message=self.on_private_message,
            on_open=self.authenticate,
            build_subscribe=self.build_subscribe,
            topics=PRIVATE_TABLES,
        )

    def sockets(self) -> list[WebSocketClient]:
        return [socket for socket in (self.public_socket, self.private_socket) if socket is not None]

    async def subscribe_market(self, symbol: str) -> None:
        assert self.public_socket is not None
        await self.public_socket.subscribe([f"{table}:{symbol}" for table in PUBLIC_TABLES])

    async def unsubscribe_market(self, symbol: str) -> None:
        assert self.public_socket is not None
        await self.public_socket.unsubscribe([f"{table}:{symbol}" for table in PUBLIC_TABLES])
        self.ticks.pop(symbol, None)

    def on_public_message(self, raw: bytes) -> None:
        table = leading_string(raw, parse.TABLE_PREFIX)
        if table in MARKET_TABLES:
            try:
                self.market.handle(raw, table)
            except parse.DECODE_ERRORS as error:
                self.drop_malformed(f"{table} push", error)
            return
        self.on_reply(raw)

    def on_reply(self, raw: bytes) -> schemas.Frame | None:
        """A non-table message: the welcome, `pong`, a subscription answer or an error (logged)."""
        if raw == b"pong":
            return None
        try:
            frame = parse.FRAME.decode(raw)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("message", error)
            return None
        if frame.error is not None:
            self.write_log(f"venue error {frame.status}: {frame.error}", logging.WARNING)
        return frame

    # ---- private stream

    async def authenticate(self, socket: WebSocketClient) -> None:
        """`authKeyExpires` on every (re)connect; the private tables are subscribed after it."""
        for attempt in range(2):
            expires = self.clock.now_ms() // 1000 + self.expires_after
            signature = parse.sign(self._secret, "GET", "/realtime", expires, "")
            reply: schemas.Frame = await socket.request(
                "auth", {"op": "authKeyExpires", "args": [self._key, expires, signature]}
            )
            if reply.success:
                break
            error = parse.classify(reply.error or "authentication failed", reply.status or 401)
            if attempt == 0 and isinstance(error, ClockSkewError):
                await self.sync_clock()
                continue
            raise error
        self.write_log("private stream authenticated")
        self.private_stream_opened(socket)

    def on_private_message(self, raw: bytes) -> None:
        table = leading_string(raw, parse.TABLE_PREFIX)
        if table is None:
            frame = self.on_reply(raw)
            socket = self.private_socket
            request = frame.request if frame is not None else None
            if socket is not None and isinstance(request, dict) and request.get("op") == "authKeyExpires":
                socket.resolve("auth", frame)
            return
        try:
            data = parse.FRAME.decode(raw).data
            if table == "order":
                for row in parse.ORDERS.decode(data):
                    self.apply_order(row)
            elif table == "execution":
                for execution in parse.EXECUTIONS.decode(data):
                    self.apply_execution(execution)
            elif table == "margin":
                for margin in parse.MARGINS.decode(data):
                    self.apply_margin(margin)
            elif table == "position":
                for position in parse.POSITIONS.decode(data):
                    self.on_position(
                        parse.position(
                            position,
                            gateway_name=self.gateway_name,
                            exchange=self.exchange,
                            settle_scale=self.settle_scale.get(position.symbol, 1.0),
                        )
                    )
        except parse.DECODE_ERRORS as error:
            self.drop_malformed(f"{table} push", error)

    def local_id(self, order_id: str, client_id: str | None) -> str:
        orderid = client_id or self.venue_ids.get(order_id) or order_id
        self.venue_ids[order_id] = orderid
        return orderid

    def apply_order(self, row: schemas.Order) -> None:
        orderid = self.local_id(row.orderID, row.clOrdID)
        known = self.orders.get(orderid)
        template = None
        if known is None:
            if row.symbol is None or row.orderQty is None:
                return  # an update of an order placed elsewhere whose first row was missed
            template = parse.order(
                row, orderid=orderid, gateway_name=self.gateway_name, exchange=self.exchange
            )
        status = parse.STATUS_BITMEX2VT.get(row.ordStatus or "") if row.ordStatus else None
        if status is None:
            status = (known or template).status  # type: ignore[union-attr]
        reason = ""
        if status in (Status.CANCELLED, Status.REJECTED):
            reason = parse.cancel_reason(row.text) or row.ordRejReason or ""
        self.orders.update(
            orderid,
            status,
            traded=row.cumQty,
            moment=row.timestamp or row.transactTime,
            reason=reason,
            template=template,
        )

    def apply_execution(self, row: schemas.Execution) -> None:
        orderid = self.local_id(row.orderID, row.clOrdID)
        trade = parse.trade(row, orderid=orderid, gateway_name=self.gateway_name, exchange=self.exchange)
        if trade is not None:
            self.orders.trade(trade)

    def apply_margin(self, row: schemas.Margin) -> None:
        merged = self.margins.setdefault(row.currency, {})
        merged.update({k: v for k, v in msgspec.structs.asdict(row).items() if v is not None})
        account = parse.account(schemas.Margin(**merged), gateway_name=self.gateway_name)
        if account is not None:
            self.on_account(account)

    # ---- orders

    def order_body(self, order: OrderData, req: OrderRequest) -> dict[str, Any]:
        ord_type, time_in_force, exec_inst = parse.ORDER_TYPE_VT2BITMEX[req.type]
        tick, lot = self.steps.get(req.symbol, ("", ""))
        body: dict[str, Any] = {
            "symbol": req.symbol,
            "side": parse.SIDE_VT2BITMEX[req.direction],
            "orderQty": float(format_lots(req.volume, lot)),
            "ordType": ord_type,
            "timeInForce": time_in_force,
            "clOrdID": order.orderid,
        }
        if ord_type == "Limit":
            body["price"] = float(format_step(req.price, tick))
        if exec_inst:
            body["execInst"] = exec_inst
        return body

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        if req.symbol not in self.contracts:
            raise RequestRejectedError(f"unknown symbol {req.symbol}")
        try:
            raw = await self.call("POST", "/order", self.order_body(order, req), signed=True)
        except TransportError as error:
            if not self.answer_lost(error):
                raise
            # sent, then no answer: BitMEX may hold the order; its clOrdID tells (`ask_venue`)
            await self.order_answer_lost(order, error)
            return
        self.apply_order(msgspec.json.decode(raw, type=schemas.Order))

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        raw = await self.call("DELETE", "/order", {"clOrdID": req.orderid}, signed=True)
        for row in parse.ORDERS.decode(raw):
            if row.error:
                self.write_log(f"cancel {req.orderid}: {row.error}", logging.WARNING)
            self.apply_order(row)

    async def load_open_orders(self) -> None:
        raw = await self.call(
            "GET", "/order", {"filter": json.dumps({"open": True}), "count": 500}, signed=True
        )
        self.load_open_order_rows(parse.ORDERS.decode(raw), self.apply_order, lambda row: row.clOrdID)

    async def ask_venue(self, order: OrderData) -> str:
        query = {"filter": json.dumps({"clOrdID": order.orderid}), "count": 1}
        rows = parse.ORDERS.decode(await self.call("GET", "/order", query, signed=True))
        if not rows:
            # BitMEX answers a filter that matches nothing with an empty list
            return f"BitMEX lists no order with clOrdID {order.orderid}"
        fills = {"filter": json.dumps({"clOrdID": order.orderid}), "count": 500}
        for execution in parse.EXECUTIONS.decode(
            await self.call("GET", "/execution/tradeHistory", fills, signed=True)
        ):
            self.apply_execution(execution)
        self.apply_order(rows[0])
        return ""

    # ---- account and history

    async def fetch_account(self) -> None:
        for row in parse.MARGINS.decode(
            await self.call("GET", "/user/margin", {"currency": "all"}, signed=True)
        ):
            self.apply_margin(row)

    async def fetch_positions(self) -> None:
        for row in parse.POSITIONS.decode(await self.call("GET", "/position", signed=True)):
            self.on_position(
                parse.position(
                    row,
                    gateway_name=self.gateway_name,
                    exchange=self.exchange,
                    settle_scale=self.settle_scale.get(row.symbol, 1.0),
                )
            )

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        bin_size = parse.INTERVAL_VT2BITMEX.get(interval)
        if bin_size is None:
            raise ValueError(f"interval {interval.value} is not available from BitMEX")
        step = INTERVAL_STEP[interval]
        end = req.end or dt.datetime.now(dt.timezone.utc)
        cursor = req.start + step  # a bucket is stamped with the end of its bin
        found: dict[dt.datetime, BarData] = {}
        while cursor <= end + step:
            params = {
                "binSize": bin_size,
                "symbol": req.symbol,
                "startTime": parse_time(cursor),
                "endTime": parse_time(end + step),
                "count": 1000,
            }
            rows = _BUCKETS.decode(await self.call("GET", "/trade/bucketed", params))
            for row in rows:
                bar = parse.bar(
                    row,
                    bin_size=bin_size,
                    interval=interval,
                    gateway_name=self.gateway_name,
                    exchange=self.exchange,
                )
                if req.start <= bar.datetime <= end:
                    found[bar.datetime] = bar
            if len(rows) < 1000:
                break
            cursor = rows[-1].timestamp + step
        return [found[moment] for moment in sorted(found)]


def parse_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
