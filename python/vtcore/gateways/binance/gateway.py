"""`BinanceGateway` base: what the three Binance markets share on the venue base: HMAC signing of the
percent-encoded payload, the clock, contracts from `exchangeInfo`, the combined market stream, orders over
REST and their updates from the user stream, and klines (venues.md §1-2).

A market (spot, USDⓈ-M, COIN-M, in `markets.py`) is a subclass that names its paths, URLs, streams and
user-data flavour.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import itertools
import logging
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from vtcore.constant import Exchange, Interval, OrderType, Product
from vtcore.gateways._transport import (
    Heartbeat,
    RateLimit,
    RequestRejectedError,
    RestRequest,
    TransportError,
    WebSocketClient,
)
from vtcore.gateways._venue import VenueGateway, format_step, http_to_ws, parse_common_settings
from vtcore.gateways._venue.settings import BASE_URL_SETTING, SERVER_SETTING
from vtcore.gateways.binance import parse, schemas
from vtcore.gateways.binance.parse import BOOK_TICKER, COMBINED_PREFIX, DECODE_ERRORS, TRADE
from vtcore.object import BarData, CancelRequest, ContractData, HistoryRequest, OrderData, OrderRequest
from vtcore.time import INTERVAL_STEP, ms_to_datetime

#: Binance's answer for a client order id it has no order under
ORDER_DOES_NOT_EXIST = -2013


def sign_payload(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class BinanceUrls:
    rest: str
    ws: str  # market streams root (spot) / routed root (USDⓈ-M) / root (COIN-M)
    ws_api: str = ""  # spot WS API (user data)


class BinanceGatewayBase(VenueGateway):
    """Binance, whatever the market; subclasses set the class attributes and the user-data stream."""

    builds_ticks_in_c = True

    exchange: ClassVar[Exchange] = Exchange.BINANCE
    exchanges: ClassVar[list[Exchange]] = [Exchange.BINANCE]
    default_setting: ClassVar[dict[str, Any]] = {
        "key": "",
        "secret": "",
        "session_number": 3,
        "proxy_host": "",
        "proxy_port": 0,
        "server": ["REAL", "TESTNET"],
        "base_url": "",
    }
    optional_setting: ClassVar[Mapping[str, str]] = {**SERVER_SETTING, **BASE_URL_SETTING}
    servers: ClassVar[dict[str, BinanceUrls]]
    rest_prefix: ClassVar[str]  # "/api/v3", "/fapi/v1", "/dapi/v1"
    trades_path: ClassVar[str]  # the account's trades of one order
    weight_limits: ClassVar[dict[str, RateLimit]]
    kline_limit: ClassVar[int] = 1000
    #: server ping period of the market streams: the client drops a line silent for 3 periods
    venue_ping_interval: ClassVar[float] = 20.0
    #: the client pings every stream this often and drops one whose pong is missing half a period later, so
    #: a frozen line is replaced within 30 s even where the venue pings only every 3 minutes (USDⓈ-M, COIN-M)
    client_ping_interval: ClassVar[float] = 20.0
    #: the venue's limit on messages a client sends on a market stream (None: none)
    messages_per_second: ClassVar[float | None] = None
    #: the venue's order type for vn.py's STOP (a market order once the price reaches the trigger: for a buy
    #: when it rises to it, for a sell when it falls to it); None: sent another way or not at all
    stop_order_type: ClassVar[str | None] = None

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.market_sockets: list[WebSocketClient] = []
        self.user_socket: WebSocketClient | None = None
        self._request_ids = itertools.count(1)
        self.urls: BinanceUrls | None = None

    # ---- settings and connection

    def apply_setting(self, setting: dict[str, Any]) -> None:
        common = parse_common_settings(setting)
        if common.server not in self.servers:
            raise ValueError(f"setting 'server' must be one of {', '.join(self.servers)}")
        self.apply_common_settings(common)
        if common.base_url:
            self.urls = BinanceUrls(common.base_url, http_to_ws(common.base_url), http_to_ws(common.base_url))
        else:
            self.urls = self.servers[common.server]

    def rest_url(self) -> str:
        assert self.urls is not None
        return self.urls.rest

    def rate_limits(self) -> dict[str, RateLimit]:
        return dict(self.weight_limits)

    def parse_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> Any:
        return parse.parse_error(status, raw, headers)

    def on_rest_headers(self, headers: Mapping[str, str]) -> None:
        used = headers.get("X-MBX-USED-WEIGHT-1M") or headers.get("x-mbx-used-weight-1m")
        if used and self.rest is not None and self.rest.limiter is not None:
            self.rest.limiter.observe("REQUEST_WEIGHT", float(used))

    def sockets(self) -> list[WebSocketClient]:
        return [*self.market_sockets, *([self.user_socket] if self.user_socket is not None else [])]

    # ---- signing and REST

    def sign_request(self, request: RestRequest) -> None:
        """HMAC-SHA256 over the percent-encoded query string + body, exactly as sent (venues.md §1)."""
        stamp = f"timestamp={self.clock.now_ms()}&recvWindow=5000"
        request.query_string = f"{request.query_string}&{stamp}" if request.query_string else stamp
        signature = sign_payload(self._secret, request.query_string + request.body)
        request.query_string += f"&signature={signature}"
        request.headers["X-MBX-APIKEY"] = self._key

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        signed: bool = False,
        keyed: bool = False,
        weight: int = 1,
        orders: int = 0,
        type_: Any = Any,
    ) -> Any:
        """One REST call; `signed` adds timestamp + signature, `keyed` only the API key header
        (listenKeys)."""
        assert self.rest is not None
        costs = {"REQUEST_WEIGHT": weight}
        if orders:
            costs["ORDERS"] = orders
        request = RestRequest(method, path, params=params, signed=signed, costs=costs)
        if keyed:
            request.headers["X-MBX-APIKEY"] = self._key
        return await self.rest.request(request, type_)

    async def fetch_server_time(self) -> int:
        reply: schemas.ServerTime = await self.call(
            "GET", f"{self.rest_prefix}/time", type_=schemas.ServerTime
        )
        return reply.serverTime

    # ---- contracts

    async def load_contracts(self) -> None:
        info: schemas.ExchangeInfo = await self.call(
            "GET", f"{self.rest_prefix}/exchangeInfo", weight=20, type_=schemas.ExchangeInfo
        )
        for item in info.symbols:
            contract = self.make_contract(item)
            if contract is not None:
                self.steps[contract.symbol] = parse.steps(item)
                self.add_contract(contract)
        self.write_log(f"{len(self.contracts)} contracts loaded")

    @abstractmethod
    def make_contract(self, item: schemas.SymbolInfo) -> ContractData | None:
        """The market's contract for an exchangeInfo symbol, None for one it does not trade."""

    def base_contract(self, item: schemas.SymbolInfo, product: Product, size: float) -> ContractData:
        return parse.contract(
            item,
            gateway_name=self.gateway_name,
            exchange=self.exchange,
            symbol=self.vt_symbol_of(item.symbol),
            product=product,
            size=size,
        )

    def vt_symbol_of(self, venue_symbol: str) -> str:
        return venue_symbol

    # ---- market data

    def stream_heartbeat(self) -> Heartbeat:
        return Heartbeat(
            ping_interval=self.timing.ws_ping_interval or self.client_ping_interval,
            idle_timeout=self.timing.ws_idle_timeout or 3 * self.venue_ping_interval,
        )

    def market_socket(self, name: str, url: str) -> WebSocketClient:
        return self.open_socket(
            name,
            url,
            self.stream_heartbeat(),
            on_message=self.on_market_message,
            build_subscribe=self.build_subscribe,
            messages_per_second=self.messages_per_second,
        )

    def build_subscribe(self, topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        method = "SUBSCRIBE" if subscribe else "UNSUBSCRIBE"
        return [
            {"method": method, "params": topics[i : i + 200], "id": next(self._request_ids)}
            for i in range(0, len(topics), 200)
        ]

    @abstractmethod
    def socket_topics(self, symbol: str) -> list[tuple[WebSocketClient, list[str]]]:
        """The market sockets a symbol's streams go to, with the stream names on each."""

    async def subscribe_market(self, symbol: str) -> None:
        for socket, topics in self.socket_topics(symbol):
            await socket.subscribe(topics)

    async def unsubscribe_market(self, symbol: str) -> None:
        for socket, topics in self.socket_topics(symbol):
            await socket.unsubscribe(topics)

    def on_market_message(self, raw: bytes) -> None:
        # the stream name (first key of a combined frame) picks the typed decoder: one decoding pass
        if not raw.startswith(COMBINED_PREFIX):
            self.on_stream_reply(raw)  # a reply to SUBSCRIBE, an error, or not Binance's at all
            return
        end = raw.find(b'"', 11)
        try:
            if raw.endswith(b"@bookTicker", 11, end):  # the hottest stream: compared in place, updated inline
                ticker = BOOK_TICKER.decode(raw).data
                state = self.builders.get(ticker.s)
                if state is not None:
                    self.on_tick(state.top(ticker.b, ticker.B, ticker.a, ticker.A, ticker.E))
                return
            kind = raw.find(b"@", 11, end) + 1  # where the stream's kind starts: compared in place
            if raw.startswith(b"depth", kind):
                self.on_depth(raw[11:end].decode(), raw)
            elif raw[kind:end] in (b"trade", b"aggTrade"):
                trade = TRADE.decode(raw).data
                state = self.builders.get(trade.s)
                if state is not None:
                    self.on_tick(state.last(trade.p, trade.q, trade.T))
        except DECODE_ERRORS as error:
            self.drop_malformed(f"{raw[11:end].decode(errors='replace')} message", error)

    @abstractmethod
    def on_depth(self, stream: str, raw: bytes) -> None:
        """A `<symbol>@depth5` frame (its shape differs between spot and futures)."""

    def on_stream_reply(self, raw: bytes) -> None:
        try:
            reply = parse.STREAM_REPLY.decode(raw)
        except DECODE_ERRORS:
            self.drop_malformed("market message", repr(raw[:120]))
            return
        if reply.code is not None:
            self.write_log(f"market stream error {reply.code}: {reply.msg}", logging.WARNING)

    # ---- orders

    def order_params(self, order: OrderData, req: OrderRequest) -> dict[str, Any]:
        stop = req.type == OrderType.STOP
        if req.type == OrderType.POST_ONLY:
            order_type, tif = self.post_only_order()
        elif stop and self.stop_order_type is not None:
            order_type, tif = self.stop_order_type, None
        else:
            order_type, tif = parse.ORDER_TYPE_VT2BINANCE[req.type]
        params: dict[str, Any] = {
            "symbol": self.venue_symbol(req.symbol),
            "side": parse.SIDE_VT2BINANCE[req.direction],
            "type": order_type,
        }
        if tif is not None:
            params["timeInForce"] = tif
        price_step, volume_step = self.steps.get(req.symbol, ("", ""))
        params["quantity"] = format_step(req.volume, volume_step)
        if stop:
            params["stopPrice"] = format_step(req.price, price_step)  # a vn.py stop's price is its trigger
        elif order_type != "MARKET":
            params["price"] = format_step(req.price, price_step)
        params["newClientOrderId"] = order.orderid
        return params

    @abstractmethod
    def post_only_order(self) -> tuple[str, str | None]:
        """(type, timeInForce) of a post-only order on this market."""

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        params = self.order_params(order, req)
        try:
            reply: schemas.Order = await self.call(
                "POST",
                f"{self.rest_prefix}/order",
                params,
                signed=True,
                weight=1,
                orders=1,
                type_=schemas.Order,
            )
        except TransportError as error:
            if not self.answer_lost(error):
                raise
            # a 5xx, a timeout or a line lost mid-request: Binance may hold the order; its client order id
            # tells (`ask_venue`)
            await self.order_answer_lost(order, error)
            return
        self.apply_rest_order(reply)

    def apply_rest_order(self, reply: schemas.Order) -> None:
        symbol = self.vt_symbol_of(reply.symbol)
        order = parse.order_from_rest(
            reply, gateway_name=self.gateway_name, exchange=self.exchange, symbol=symbol
        )
        moment = parse.rest_moment(reply)
        self.orders.update(order.orderid, order.status, traded=order.traded, moment=moment, template=order)
        for fill in reply.fills:
            self.orders.trade(
                parse.trade(
                    self.gateway_name,
                    self.exchange,
                    symbol,
                    reply.clientOrderId,
                    fill.tradeId,
                    reply.side,
                    fill.price,
                    fill.qty,
                    moment,
                )
            )

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        params = {"symbol": self.venue_symbol(req.symbol), "origClientOrderId": req.orderid}
        reply: schemas.Order = await self.call(
            "DELETE", f"{self.rest_prefix}/order", params, signed=True, weight=1, type_=schemas.Order
        )
        self.apply_rest_order(reply)

    async def load_open_orders(self) -> None:
        replies: list[schemas.Order] = await self.call(
            "GET", f"{self.rest_prefix}/openOrders", signed=True, weight=40, type_=list[schemas.Order]
        )
        self.load_open_order_rows(replies, self.apply_rest_order, lambda reply: reply.clientOrderId)

    async def ask_venue(self, order: OrderData) -> str:
        params = {"symbol": self.venue_symbol(order.symbol), "origClientOrderId": order.orderid}
        try:
            reply: schemas.Order = await self.call(
                "GET", f"{self.rest_prefix}/order", params, signed=True, weight=4, type_=schemas.Order
            )
        except RequestRejectedError as error:
            if error.code == ORDER_DOES_NOT_EXIST:
                return f"{error.code}: {error.venue_message}"
            raise
        if float(reply.executedQty) > order.traded:
            await self.fetch_order_trades(reply)
        self.apply_rest_order(reply)
        return ""

    async def fetch_order_trades(self, reply: schemas.Order) -> None:
        rows: list[schemas.AccountTrade] = await self.call(
            "GET",
            self.trades_path,
            {"symbol": reply.symbol, "orderId": reply.orderId},
            signed=True,
            weight=20,
            type_=list[schemas.AccountTrade],
        )
        for row in rows:
            self.orders.trade(
                parse.trade(
                    self.gateway_name,
                    self.exchange,
                    self.vt_symbol_of(row.symbol),
                    reply.clientOrderId,
                    row.id,
                    row.side or ("BUY" if row.isBuyer else "SELL"),
                    row.price,
                    row.qty,
                    ms_to_datetime(row.time),
                )
            )

    def on_unread_user_event(self, raw: bytes, error: BaseException, tags: frozenset[str]) -> None:
        """A user-data event the decoder refused. One of a kind this gateway does not read is skipped; one of
        a kind it reads (`tags`) lost its content: it is counted as malformed and, for an order report (which
        may carry a fill), the order is asked of the venue."""
        try:
            unread = parse.UNREAD_EVENT.decode(raw)
        except DECODE_ERRORS:
            unread = schemas.UnreadEvent()
        tag = unread.e if isinstance(unread.e, str) else ""
        if tag not in tags:
            self.logger.debug("%s: user-data event not used: %r", self.gateway_name, raw[:80])
        elif tag in parse.ORDER_EVENT_TAGS:
            self.reconcile_unreadable(f"{tag} event", error, unread.orderids())
        else:
            self.drop_malformed(f"{tag} event", error)

    def apply_order_event(self, event: schemas.OrderEvent, orderid: str) -> None:
        """An order update pushed on the user stream (spot executionReport / futures ORDER_TRADE_UPDATE)."""
        symbol = self.vt_symbol_of(event.s)
        order, reason = parse.order_from_event(
            event, orderid, gateway_name=self.gateway_name, exchange=self.exchange, symbol=symbol
        )
        self.orders.update(
            orderid, order.status, traded=order.traded, moment=order.datetime, reason=reason, template=order
        )
        if event.x == "TRADE":
            self.orders.trade(
                parse.trade(
                    self.gateway_name,
                    self.exchange,
                    symbol,
                    orderid,
                    event.t,
                    event.S,
                    event.L,
                    event.l,
                    order.datetime,
                )
            )

    # ---- history

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        code = parse.INTERVAL_VT2BINANCE.get(interval)
        if code is None:
            raise ValueError(f"interval {interval.value} is not available from Binance")
        step_ms = int(INTERVAL_STEP[interval].total_seconds() * 1000)
        start_ms = int(req.start.timestamp() * 1000)
        end_ms = int((req.end or dt.datetime.now(dt.timezone.utc)).timestamp() * 1000)
        bars: list[BarData] = []
        while start_ms <= end_ms:
            params = {
                "symbol": self.venue_symbol(req.symbol),
                "interval": code,
                "startTime": start_ms,
                "endTime": end_ms,
                "limit": self.kline_limit,
            }
            rows: list[schemas.Kline] = await self.call(
                "GET", f"{self.rest_prefix}/klines", params, weight=2, type_=list[schemas.Kline]
            )
            bars.extend(
                parse.bar(
                    row,
                    gateway_name=self.gateway_name,
                    exchange=self.exchange,
                    symbol=req.symbol,
                    interval=interval,
                )
                for row in rows
            )
            if len(rows) < self.kline_limit:
                break
            start_ms = rows[-1][0] + step_ms
            await asyncio.sleep(0)
        return bars
