"""What the three Binance markets share: HMAC signing of the percent-encoded payload, error classes, the
clock, contracts from `exchangeInfo`, the market-stream decoder and the order/trade mapping (venues.md §1-2).

A market (spot, USDⓈ-M, COIN-M) is a subclass that names its paths, URLs, streams and user-data flavour.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.gateways._transport import (
    ClockSkewError,
    Heartbeat,
    RateLimit,
    RateLimitError,
    RequestRejectedError,
    RestRequest,
    SignatureError,
    VenueConnectionError,
    VenueError,
    VenueUnavailableError,
    WebSocketClient,
    retry_after_seconds,
)
from vtcore.gateways._transport.gateway import (
    DIRECTION_SIDE,
    INTERVAL_STEP,
    TransportGateway,
    format_step,
    http_to_ws,
    ms_to_datetime,
    parse_common_settings,
)
from vtcore.gateways.binance import schemas
from vtcore.object import (
    BarData,
    CancelRequest,
    ContractData,
    HistoryRequest,
    OrderData,
    OrderRequest,
    TradeData,
)

STATUS_BINANCE2VT = {
    "NEW": Status.NOTTRADED,
    "PENDING_NEW": Status.NOTTRADED,
    "PARTIALLY_FILLED": Status.PARTTRADED,
    "FILLED": Status.ALLTRADED,
    "CANCELED": Status.CANCELLED,
    "EXPIRED": Status.CANCELLED,
    "EXPIRED_IN_MATCH": Status.CANCELLED,
    "REJECTED": Status.REJECTED,
    "PENDING_CANCEL": Status.NOTTRADED,
}
SIDE_BINANCE2VT = {"BUY": Direction.LONG, "SELL": Direction.SHORT}
INTERVAL_VT2BINANCE = {
    Interval.MINUTE: "1m",
    Interval.HOUR: "1h",
    Interval.DAILY: "1d",
    Interval.WEEKLY: "1w",
}
#: (type, timeInForce) per vt order type; post-only is the market's `post_only_order`
ORDER_TYPE_VT2BINANCE: dict[OrderType, tuple[str, str | None]] = {
    OrderType.LIMIT: ("LIMIT", "GTC"),
    OrderType.MARKET: ("MARKET", None),
    OrderType.FAK: ("LIMIT", "IOC"),
    OrderType.FOK: ("LIMIT", "FOK"),
}
ORDER_TYPE_BINANCE2VT = {
    ("LIMIT", "GTC"): OrderType.LIMIT,
    ("LIMIT", "IOC"): OrderType.FAK,
    ("LIMIT", "FOK"): OrderType.FOK,
    ("MARKET", "GTC"): OrderType.MARKET,
    ("LIMIT_MAKER", "GTC"): OrderType.POST_ONLY,  # spot
    ("LIMIT", "GTX"): OrderType.POST_ONLY,  # futures
    ("STOP_LOSS", "GTC"): OrderType.STOP,  # spot: a market order once the last price reaches stopPrice
    ("STOP_MARKET", "GTC"): OrderType.STOP,  # futures (algo orders)
}

_reply = msgspec.json.Decoder(schemas.StreamReply)
_book_ticker = msgspec.json.Decoder(schemas.Combined[schemas.BookTicker], strict=False)
_trade = msgspec.json.Decoder(schemas.Combined[schemas.Trade], strict=False)
_error = msgspec.json.Decoder(schemas.ErrorReply)


def sign_payload(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """A Binance error answer as a typed error, or None for success."""
    if status < 400:
        return None
    try:
        reply = _error.decode(raw)
        code: int | None = reply.code
        message = reply.msg
    except msgspec.DecodeError:
        code, message = None, raw[:200].decode(errors="replace") or f"HTTP {status}"
    except msgspec.ValidationError:
        code, message = None, f"HTTP {status}"
    if status in (418, 429):
        return RateLimitError(
            message, retry_after=retry_after_seconds(headers), status=status, code=code, headers=headers
        )
    if status >= 500 or code == -1007:
        return VenueUnavailableError(message, status=status, code=code, headers=headers)
    if code == -1021:
        return ClockSkewError(message, status=status, code=code, headers=headers)
    if code in (-1022, -2014, -2015) or status == 401:
        return SignatureError(message, status=status, code=code, headers=headers)
    return RequestRejectedError(message, status=status, code=code, headers=headers)


def decimal_step(filters: list[dict[str, Any]], kind: str, key: str) -> float:
    for item in filters:
        if item.get("filterType") == kind:
            return float(item.get(key, 0) or 0)
    return 0.0


def filter_text(filters: list[dict[str, Any]], kind: str, key: str) -> str:
    for item in filters:
        if item.get("filterType") == kind:
            return str(item.get(key, ""))
    return ""


@dataclass(frozen=True)
class BinanceUrls:
    rest: str
    ws: str  # market streams root (spot) / routed root (USDⓈ-M) / root (COIN-M)
    ws_api: str = ""  # spot WS API (user data)


class BinanceGatewayBase(TransportGateway):
    """Binance, whatever the market; subclasses set the class attributes and the user-data stream."""

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
    servers: ClassVar[dict[str, BinanceUrls]]
    rest_prefix: ClassVar[str]  # "/api/v3", "/fapi/v1", "/dapi/v1"
    trades_path: ClassVar[str]  # the account's trades of one order
    weight_limits: ClassVar[dict[str, RateLimit]]
    kline_limit: ClassVar[int] = 1000
    #: server ping period of the market streams: the client drops a line silent for 3 periods
    venue_ping_interval: ClassVar[float] = 20.0
    post_only_tif: ClassVar[str | None] = None  # futures: "GTX"
    #: the venue's order type for vn.py's STOP (a market order once the price reaches the trigger: for a buy
    #: when it rises to it, for a sell when it falls to it); None: sent another way or not at all
    stop_order_type: ClassVar[str | None] = None

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.market_sockets: list[WebSocketClient] = []
        self.user_socket: WebSocketClient | None = None
        self._request_ids = itertools.count(1)
        self.urls: BinanceUrls | None = None
        self._user_stream_opened = False
        self.malformed_messages = 0

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

    parse_error = staticmethod(parse_error)

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
                self.add_contract(contract)
        self.write_log(f"{len(self.contracts)} contracts loaded")

    def make_contract(self, item: schemas.SymbolInfo) -> ContractData | None:
        raise NotImplementedError

    def venue_symbol(self, symbol: str) -> str:
        """The venue's symbol for a vt symbol (they differ only where two markets would collide)."""
        return symbol

    def vt_symbol_of(self, venue_symbol: str) -> str:
        return venue_symbol

    def base_contract(self, item: schemas.SymbolInfo, product: Product, size: float) -> ContractData:
        step = decimal_step(item.filters, "LOT_SIZE", "stepSize")
        self.steps[self.vt_symbol_of(item.symbol)] = (
            filter_text(item.filters, "PRICE_FILTER", "tickSize"),
            filter_text(item.filters, "LOT_SIZE", "stepSize"),
        )
        return ContractData(
            gateway_name=self.gateway_name,
            symbol=self.vt_symbol_of(item.symbol),
            exchange=self.exchange,
            name=item.symbol,
            product=product,
            size=size,
            pricetick=decimal_step(item.filters, "PRICE_FILTER", "tickSize"),
            min_volume=max(step, decimal_step(item.filters, "LOT_SIZE", "minQty")) or 1.0,
            stop_supported=False,
            net_position=True,
            history_data=True,
        )

    # ---- market data

    def stream_heartbeat(self) -> Heartbeat:
        return Heartbeat(
            ping_interval=self.timing.ws_ping_interval,
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

    messages_per_second: ClassVar[float | None] = None

    def build_subscribe(self, topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        method = "SUBSCRIBE" if subscribe else "UNSUBSCRIBE"
        return [
            {"method": method, "params": topics[i : i + 200], "id": next(self._request_ids)}
            for i in range(0, len(topics), 200)
        ]

    def open_public_streams(self) -> None:
        raise NotImplementedError

    def socket_topics(self, symbol: str) -> list[tuple[WebSocketClient, list[str]]]:
        raise NotImplementedError

    async def subscribe_market(self, symbol: str) -> None:
        for socket, topics in self.socket_topics(symbol):
            await socket.subscribe(topics)

    async def unsubscribe_market(self, symbol: str) -> None:
        for socket, topics in self.socket_topics(symbol):
            await socket.unsubscribe(topics)
        self.ticks.pop(symbol, None)

    def on_market_message(self, raw: bytes) -> None:
        # the stream name (first key of a combined frame) picks the typed decoder: one decoding pass
        if not raw.startswith(b'{"stream":"'):
            self.on_stream_reply(raw)  # a reply to SUBSCRIBE, an error, or not Binance's at all
            return
        end = raw.find(b'"', 11)
        kind = raw[raw.find(b"@", 11, end) + 1 : end]
        try:
            if kind == b"bookTicker":
                ticker = _book_ticker.decode(raw).data
                self.update_top(
                    self.vt_symbol_of(ticker.s),
                    ms_to_datetime(ticker.E) if ticker.E else None,
                    ticker.b,
                    ticker.B,
                    ticker.a,
                    ticker.A,
                )
            elif kind.startswith(b"depth"):
                self.on_depth(raw[11:end].decode(), raw)
            elif kind in (b"trade", b"aggTrade"):
                trade = _trade.decode(raw).data
                self.update_last(self.vt_symbol_of(trade.s), ms_to_datetime(trade.T), trade.p, trade.q)
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as error:
            self.malformed_messages += 1
            stream = raw[11:end].decode(errors="replace")
            self.logger.warning("%s: malformed %s message dropped: %s", self.gateway_name, stream, error)

    def on_depth(self, stream: str, raw: bytes) -> None:
        raise NotImplementedError

    def on_stream_reply(self, raw: bytes) -> None:
        try:
            reply = _reply.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError):
            self.malformed_messages += 1
            self.logger.warning("%s: malformed market message dropped: %r", self.gateway_name, raw[:120])
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
            order_type, tif = ORDER_TYPE_VT2BINANCE[req.type]
        params: dict[str, Any] = {
            "symbol": self.venue_symbol(req.symbol),
            "side": DIRECTION_SIDE[req.direction],
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

    def post_only_order(self) -> tuple[str, str | None]:
        raise NotImplementedError

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
        except (VenueUnavailableError, VenueConnectionError) as error:
            if getattr(error, "not_sent", False):
                raise
            # 5xx, timeout or a connection lost mid-request: the order may or may not exist; ask the venue
            # instead of guessing
            self.write_log(f"order {order.orderid}: outcome unknown ({error}); querying it", logging.WARNING)
            try:
                reply = await self.find_order(order)
            except RequestRejectedError as missing:  # -2013: the venue never took it
                raise RequestRejectedError(
                    f"{missing.venue_message} (the order request got no answer: {error})",
                    status=missing.status,
                    code=missing.code,
                ) from missing
        self.apply_rest_order(reply)

    async def find_order(self, order: OrderData) -> schemas.Order:
        params = {"symbol": self.venue_symbol(order.symbol), "origClientOrderId": order.orderid}
        for attempt in range(self.timing.rest_retries + 1):
            try:
                result: schemas.Order = await self.call(
                    "GET", f"{self.rest_prefix}/order", params, signed=True, weight=4, type_=schemas.Order
                )
                return result
            except VenueUnavailableError:
                await asyncio.sleep(self.timing.backoff.delay(attempt))
        raise VenueUnavailableError(f"order {order.orderid}: the venue did not say whether it exists")

    def apply_rest_order(self, reply: schemas.Order) -> None:
        status = STATUS_BINANCE2VT.get(reply.status, Status.NOTTRADED)
        moment = (
            ms_to_datetime(reply.updateTime or reply.transactTime or reply.time)
            if (reply.updateTime or reply.transactTime or reply.time)
            else None
        )
        self.update_order(
            reply.clientOrderId,
            status=status,
            traded=float(reply.executedQty),
            moment=moment,
            template=self.order_from_rest(reply, status),
        )
        for fill in reply.fills:
            self.add_trade(
                self.make_trade(
                    orderid=reply.clientOrderId,
                    venue_symbol=reply.symbol,
                    side=reply.side,
                    tradeid=str(fill.tradeId),
                    price=fill.price,
                    quantity=fill.qty,
                    moment=moment,
                )
            )

    def order_from_rest(self, reply: schemas.Order, status: Status) -> OrderData:
        order_type = ORDER_TYPE_BINANCE2VT.get((reply.type, reply.timeInForce or "GTC"), OrderType.LIMIT)
        return OrderData(
            gateway_name=self.gateway_name,
            symbol=self.vt_symbol_of(reply.symbol),
            exchange=self.exchange,
            orderid=reply.clientOrderId,
            type=order_type,
            direction=SIDE_BINANCE2VT.get(reply.side),
            price=float(reply.stopPrice or 0) if order_type == OrderType.STOP else float(reply.price),
            volume=float(reply.origQty),
            traded=float(reply.executedQty),
            status=status,
            datetime=ms_to_datetime(reply.time or reply.updateTime)
            if (reply.time or reply.updateTime)
            else None,
        )

    def make_trade(
        self,
        *,
        orderid: str,
        venue_symbol: str,
        side: str,
        tradeid: str,
        price: str,
        quantity: str,
        moment: dt.datetime | None,
    ) -> TradeData:
        return TradeData(
            gateway_name=self.gateway_name,
            symbol=self.vt_symbol_of(venue_symbol),
            exchange=self.exchange,
            orderid=orderid,
            tradeid=tradeid,
            direction=SIDE_BINANCE2VT.get(side),
            price=float(price),
            volume=float(quantity),
            datetime=moment,
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
        for reply in replies:
            self.apply_rest_order(reply)

    async def reconcile(self) -> None:
        """After the user stream was down: bring every active order up to date and fetch the fills missed."""
        active = [order for order in self.orders.values() if order.is_active()]
        for order in active:
            await self.reconcile_order(order)
        if active:
            self.write_log(f"reconciled {len(active)} active orders after the user stream reconnected")

    async def reconcile_order(self, order: OrderData) -> None:
        params = {"symbol": self.venue_symbol(order.symbol), "origClientOrderId": order.orderid}
        try:
            reply: schemas.Order = await self.call(
                "GET", f"{self.rest_prefix}/order", params, signed=True, weight=4, type_=schemas.Order
            )
        except RequestRejectedError as error:
            self.write_log(f"reconcile {order.orderid}: {error.venue_message}", logging.WARNING)
            return
        if float(reply.executedQty) > order.traded:
            await self.fetch_order_trades(reply)
        self.apply_rest_order(reply)

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
            self.add_trade(
                self.make_trade(
                    orderid=reply.clientOrderId,
                    venue_symbol=row.symbol,
                    side=row.side or ("BUY" if row.isBuyer else "SELL"),
                    tradeid=str(row.id),
                    price=row.price,
                    quantity=row.qty,
                    moment=ms_to_datetime(row.time),
                )
            )

    def apply_order_event(self, event: schemas.OrderEvent, orderid: str) -> None:
        """An order update pushed on the user stream (spot executionReport / futures ORDER_TRADE_UPDATE)."""
        status = STATUS_BINANCE2VT.get(event.X, Status.NOTTRADED)
        moment = ms_to_datetime(event.T)
        order_type = ORDER_TYPE_BINANCE2VT.get((event.original_type(), event.f), OrderType.LIMIT)
        template = OrderData(
            gateway_name=self.gateway_name,
            symbol=self.vt_symbol_of(event.s),
            exchange=self.exchange,
            orderid=orderid,
            type=order_type,
            direction=SIDE_BINANCE2VT.get(event.S),
            price=float(event.stop_price() or 0) if order_type == OrderType.STOP else float(event.p),
            volume=float(event.q),
            traded=float(event.z),
            status=status,
            datetime=moment,
        )
        reason = event.reason() if status in (Status.REJECTED, Status.CANCELLED) else ""
        if status == Status.REJECTED and not reason:
            reason = "the venue rejected the order"
        self.update_order(
            orderid, status=status, traded=float(event.z), template=template, moment=moment, reason=reason
        )
        if event.x == "TRADE":
            self.add_trade(
                self.make_trade(
                    orderid=orderid,
                    venue_symbol=event.s,
                    side=event.S,
                    tradeid=str(event.t),
                    price=event.L,
                    quantity=event.l,
                    moment=moment,
                )
            )

    # ---- history

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        code = INTERVAL_VT2BINANCE.get(interval)
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
            for row in rows:
                bars.append(
                    BarData(
                        gateway_name=self.gateway_name,
                        symbol=req.symbol,
                        exchange=self.exchange,
                        datetime=ms_to_datetime(row[0]),
                        interval=interval,
                        volume=float(row[5]),
                        turnover=float(row[7]),
                        open_price=float(row[1]),
                        high_price=float(row[2]),
                        low_price=float(row[3]),
                        close_price=float(row[4]),
                    )
                )
            if len(rows) < self.kline_limit:
                break
            start_ms = rows[-1][0] + step_ms
            await asyncio.sleep(0)
        return bars
