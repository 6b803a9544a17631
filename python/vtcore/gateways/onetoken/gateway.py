"""ONETOKEN: trading through 1Token, the aggregator vn.py 2.0 used (venues.md §7).

**1Token's public service no longer exists** (its retail API closed around 2021; the company now serves
institutions with a different API). This gateway speaks the documented protocol and is tested against a
local venue and 1Token's own SDK; it cannot reach a live service.

One connection trades one account on one exchange (the settings' `exchange` and `account`, as on vn.py's
page). Ticks come from the tick socket (`single-tick-verbose` and trades, "zhubi"); orders are REST
(`/trade/{exchange}/{account}/orders`, limit orders only: 1Token's order has no type); order and account
pushes come from the trade socket, whose upgrade request is signed. Fills are read from `/trans` (which
names each one) whenever an order's dealt amount grows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Exchange, OrderType, Status
from vtcore.gateways._transport import (
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
from vtcore.gateways.onetoken import parse, schemas
from vtcore.gateways.onetoken.market import TICK_URI, ZHUBI_URI, OneTokenMarket
from vtcore.object import BarData, CancelRequest, HistoryRequest, OrderData, OrderRequest

BASE_URL = "https://1token.trade"
_TIME = msgspec.json.Decoder(schemas.ServerTime)
_CONTRACTS = msgspec.json.Decoder(list[schemas.Contract])
_FILLS = msgspec.json.Decoder(list[schemas.Fill])
_PLACED = msgspec.json.Decoder(schemas.Placed)
SERVICE_CLOSED = "the public 1Token service no longer exists; ONETOKEN speaks its documented protocol only"


class OnetokenGateway(VenueGateway):
    default_name: ClassVar[str] = "ONETOKEN"
    default_setting: ClassVar[dict[str, Any]] = {
        "key": "",
        "secret": "",
        "session_number": 3,
        "exchange": list(parse.EXCHANGES),
        "account": "",
        "proxy_host": "",
        "proxy_port": 0,
        "base_url": "",
    }
    optional_setting: ClassVar[Mapping[str, str]] = BASE_URL_SETTING
    setting_aliases: ClassVar[Mapping[str, str]] = {"账号": "account"}  # the page's label; 2.0's key is 账户
    exchanges: ClassVar[list[Exchange]] = [Exchange.BINANCE, Exchange.BITMEX, Exchange.OKX, Exchange.HTX]
    supported_order_types = frozenset({OrderType.LIMIT})
    #: 1Token drops a socket that sends nothing for 30 s
    venue_ping_interval: ClassVar[float] = 10.0
    venue_idle_limit: ClassVar[float] = 30.0

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.exchange = Exchange.BINANCE  # type: ignore[misc]  # per connection: the setting chooses it
        self.router = "binance"  # 1Token's name of the exchange
        self.account = ""
        self.base_url = ""
        self.tick_socket: WebSocketClient | None = None
        self.trade_socket: WebSocketClient | None = None
        self.market = OneTokenMarket(self.ticks, self.emit_tick)
        self._nonce = 0

    # ---- settings and REST

    def apply_setting(self, setting: dict[str, Any]) -> None:
        common = parse_common_settings(setting)
        name = str(setting.get("exchange") or "BINANCE").upper()
        if name not in parse.EXCHANGES:
            raise ValueError(f"setting 'exchange' must be one of {', '.join(parse.EXCHANGES)}")
        account = setting.get("account", "")
        if not isinstance(account, str) or not account.strip() or "/" in account:
            raise ValueError("setting 'account' must name the 1Token account (its name after the exchange)")
        self.apply_common_settings(common)
        self.router, self.exchange = parse.EXCHANGES[name]  # type: ignore[misc]
        self.account = account.strip()
        self.base_url = common.base_url or BASE_URL
        self.write_log(SERVICE_CLOSED, logging.WARNING)

    def rest_url(self) -> str:
        return self.base_url + "/api/v1"

    def rate_limits(self) -> dict[str, RateLimit]:
        return {"rest": RateLimit(10, 1.0)}

    def next_nonce(self) -> str:
        """Microseconds, increasing, below 2^53 (1Token's rule)."""
        self._nonce = max(self._nonce + 1, time.time_ns() // 1000)
        return str(self._nonce)

    def signed_headers(self, verb: str, path: str, body: str) -> dict[str, str]:
        nonce = self.next_nonce()
        return {
            "Api-Nonce": nonce,
            "Api-Key": self._key,
            "Api-Signature": parse.sign(self._secret, verb, path, nonce, body),
        }

    def sign_request(self, request: RestRequest) -> None:
        path = request.path.removeprefix("/trade")  # signed relative to /api/v1/trade, without the query
        request.headers.update(self.signed_headers(request.method, path, request.body))
        request.headers["Content-Type"] = "application/json"

    parse_error = staticmethod(parse.parse_error)

    async def trade_call(self, method: str, endpoint: str, params: dict[str, Any] | None = None) -> bytes:
        assert self.rest is not None
        body = method in ("POST", "PATCH")
        request = RestRequest(
            method,
            f"/trade/{self.router}/{self.account}{endpoint}",
            params=None if body else params,
            data=params if body else None,
            json_body=True,
            signed=True,
            costs={"rest": 1},
        )
        return await self.rest.request_raw(request)

    async def public_call(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        assert self.rest is not None
        return await self.rest.request_raw(RestRequest("GET", path, params=params, costs={"rest": 1}))

    async def fetch_server_time(self) -> int:
        return int(_TIME.decode(await self.public_call("/basic/time")).server_time * 1000)

    async def load_contracts(self) -> None:
        for row in _CONTRACTS.decode(await self.public_call("/basic/contracts", {"exchange": self.router})):
            self.steps[row.name] = (format_number(row.min_change), format_number(row.min_amount))
            self.add_contract(parse.contract(row, gateway_name=self.gateway_name, exchange=self.exchange))
        self.write_log(f"{len(self.contracts)} contracts loaded")

    # ---- streams

    def build_tick_subscribe(self, topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        if not subscribe:
            return []  # 1Token documents no unsubscribe: the gateway stops merging the contract's pushes
        return [
            {"uri": f"subscribe-{kind}", "contract": contract}
            for kind, _, contract in (t.partition("@") for t in topics)
        ]

    def open_public_streams(self) -> None:
        self.tick_socket = self.open_socket(
            "tick",
            http_to_ws(self.base_url) + "/api/v1/ws/tick",
            self.text_heartbeat('{"uri":"ping","uuid":"vtcore"}'),
            on_message=self.on_tick_message,
            on_open=self.tick_auth,
            build_subscribe=self.build_tick_subscribe,
        )

    def open_private_streams(self) -> None:
        socket = self.open_socket(
            "trade",
            http_to_ws(self.base_url) + f"/api/v1/ws/trade/{self.router}/{self.account}",
            self.text_heartbeat('{"uri":"ping","uuid":"vtcore"}'),
            on_message=self.on_trade_message,
            on_open=self.trade_opened,
        )
        # the upgrade request itself is signed: "GET" + "/ws/{account}" + nonce, fresh for each connect
        socket.headers_provider = lambda: self.signed_headers("GET", f"/ws/{self.account}", "")
        self.trade_socket = socket

    def sockets(self) -> list[WebSocketClient]:
        return [socket for socket in (self.tick_socket, self.trade_socket) if socket is not None]

    async def tick_auth(self, socket: WebSocketClient) -> None:
        await socket.request("auth", {"uri": "auth"})

    async def subscribe_market(self, symbol: str) -> None:
        assert self.tick_socket is not None
        contract = f"{self.router}/{symbol}"
        await self.tick_socket.subscribe(
            [f"single-tick-verbose@{contract}", f"single-zhubi-verbose@{contract}"]
        )

    async def unsubscribe_market(self, symbol: str) -> None:
        assert self.tick_socket is not None
        contract = f"{self.router}/{symbol}"
        await self.tick_socket.unsubscribe(
            [f"single-tick-verbose@{contract}", f"single-zhubi-verbose@{contract}"]
        )
        self.ticks.pop(symbol, None)

    def decode_message(self, raw: bytes) -> schemas.Message | None:
        try:
            return parse.MESSAGE.decode(raw)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("message", error)
            return None

    def on_tick_message(self, raw: bytes) -> None:
        uri = leading_string(raw, parse.URI_PREFIX)
        if uri in (TICK_URI, ZHUBI_URI):
            try:
                self.market.handle(raw, uri)
            except parse.DECODE_ERRORS as error:
                self.drop_malformed(f"{uri} push", error)
            return
        message = self.decode_message(raw)
        if message is None:
            return
        if message.uri == "auth" and self.tick_socket is not None:
            self.tick_socket.resolve("auth", message)
        elif message.code not in (None, "success", "ok"):
            self.write_log(f"tick socket: {message.code}: {message.message}", logging.WARNING)

    # ---- the trade socket

    async def trade_opened(self, socket: WebSocketClient) -> None:
        # the venue checks the signed upgrade and answers `connection` on its own; the subscriptions can go
        # at once (it serves them once the connection is accepted)
        await socket.send({"uri": "sub-order"})
        await socket.send({"uri": "sub-info"})

    def on_trade_message(self, raw: bytes) -> None:
        message = self.decode_message(raw)
        if message is None:
            return
        if message.uri == "connection" or (message.uri is None and message.code is not None):
            self.on_connection(message)
            return
        try:
            if message.uri == "order" and message.status in (None, "ok"):
                for row in parse.ORDERS.decode(message.data):
                    self.apply_order(row)
            elif message.uri == "info" and message.status in (None, "ok"):
                self.apply_info(parse.INFO.decode(message.data))
            elif message.code not in (None, "success", "ok"):
                self.write_log(f"trade socket: {message.code}: {message.message}", logging.WARNING)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed(f"{message.uri} push", error)

    def on_connection(self, message: schemas.Message) -> None:
        """The trade socket's greeting: accepted, or refused with 1Token's code (the venue then closes it)."""
        code = message.code or message.status
        if code in ("ok", "connected"):
            self.write_log("trade socket authenticated")
            self.private_stream_opened()
        elif code == "no-router-found":
            self.write_log(f"1Token does not route {self.router}: no trade pushes", logging.ERROR)
        else:
            self.write_log(f"trade socket refused: {code}: {message.message}", logging.ERROR)

    def apply_order(self, row: schemas.Order) -> None:
        orderid = row.client_oid
        known = self.orders.get(orderid)
        template = None
        if known is None:
            template = parse.order(
                row, orderid=orderid, gateway_name=self.gateway_name, exchange=self.exchange
            )
        status = parse.STATUS_ONETOKEN2VT.get(row.status, Status.NOTTRADED)
        reason = "1Token marked the order error-order" if row.status == "error-order" else ""
        self.orders.update(
            orderid, status, traded=row.dealt_amount, moment=row.last_update, reason=reason, template=template
        )
        if row.dealt_amount > (known.traded if known is not None else 0.0):
            self.submit(self.fetch_fills(row.contract), f"fills of {orderid}")

    def apply_info(self, info: schemas.Info) -> None:
        accounts, positions = parse.accounts_and_positions(
            info, gateway_name=self.gateway_name, exchange=self.exchange
        )
        for account in accounts:
            self.on_account(account)
        for position in positions:
            self.on_position(position)

    async def fetch_fills(self, contract: str) -> None:
        for fill in _FILLS.decode(await self.trade_call("GET", "/trans", {"contract": contract})):
            if self.orders.get(fill.client_oid) is not None:
                self.orders.trade(
                    parse.trade(
                        fill, orderid=fill.client_oid, gateway_name=self.gateway_name, exchange=self.exchange
                    )
                )

    # ---- orders

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        if req.symbol not in self.contracts:
            raise RequestRejectedError(f"unknown contract {req.symbol} on {self.router}")
        tick, lot = self.steps.get(req.symbol, ("", ""))
        body = {
            "contract": f"{self.router}/{req.symbol}",
            "price": float(format_step(req.price, tick)),
            "bs": parse.SIDE_VT2ONETOKEN[req.direction],
            "amount": float(format_lots(req.volume, lot)),
            "client_oid": order.orderid,  # 18 digits: within 1Token's 12-64 characters
        }
        try:
            raw = await self.trade_call("POST", "/orders", body)
        except TransportError as error:
            if not self.answer_lost(error):
                raise
            # a timeout or a 5xx: 1Token may have placed it; its client_oid tells (`ask_venue`)
            await self.order_answer_lost(order, error)
            return
        placed = _PLACED.decode(raw)
        if placed.client_oid == order.orderid:
            self.orders.update(order.orderid, Status.NOTTRADED)
        else:
            # an answer naming another client_oid (or none) says nothing about this order: ask about it
            named = f"the answer named client_oid {placed.client_oid!r}, exchange_oid {placed.exchange_oid!r}"
            await self.order_answer_lost(order, named)

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        await self.trade_call("DELETE", "/orders", {"client_oid": req.orderid})

    async def load_open_orders(self) -> None:
        rows = parse.ORDERS.decode(await self.trade_call("GET", "/orders", {"state": "active"}))
        self.load_open_order_rows(rows, self.apply_order, lambda row: row.client_oid)

    async def ask_venue(self, order: OrderData) -> str:
        try:
            raw = await self.trade_call("GET", "/orders", {"client_oid": order.orderid})
        except RequestRejectedError as error:
            if error.code == "client_oid-not-found":
                return error.venue_message
            raise
        rows = [row for row in parse.ORDERS.decode(raw) if row.client_oid == order.orderid]
        for row in rows:
            self.apply_order(row)
        return "" if rows else f"1Token listed no order with client_oid {order.orderid}"

    # ---- account and history

    async def fetch_account(self) -> None:
        self.apply_info(parse.INFO.decode(await self.trade_call("GET", "/info")))

    async def fetch_positions(self) -> None:
        return None  # the account info carries the positions (fetch_account)

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        raise ValueError("1Token's documented protocol has no kline query (its candles were a stream only)")
