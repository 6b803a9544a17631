"""ALPACA: US equities through Alpaca's Trading API v2 and Market Data v2 (venues.md §8).

- Settings as the user's page: key id (`key`), secret key (`secret`), session count (`session_number`, the
  REST connection pool) and server REAL/PAPER (live or paper trading; market data is the same service for
  both). `data_feed` picks the stream feed (iex: the free plan's; sip: every US exchange).
- Contracts: the active, tradable `us_equity` assets as `<SYMBOL>.SMART` (Alpaca routes the order itself),
  a cent tick, fractions of a share where the asset is fractionable.
- Market data: one WebSocket on `/v2/{feed}` speaking MessagePack (as Alpaca's SDK does; JSON works too, the
  decoder takes both): quotes (best bid and ask), trades (last price and size) and daily bars (the day's
  open, high, low, volume and turnover) merged into each symbol's TickData.
- Orders over REST with the local order id as `client_order_id` (a lost answer is asked about by it):
  LIMIT, MARKET, STOP (`price` is the stop, as in vn.py; with `trail_price`/`trail_percent` a trailing stop),
  STOP_LIMIT (`stop_price` on an `AlpacaOrderRequest`), FAK and FOK as IOC/FOK limit orders; time in force
  and extended hours on `AlpacaOrderRequest`; `replace_order` swaps an open order for a new one atomically
  (Alpaca's PATCH). Outside the regular session an order is refused here with the reason, unless it asks for
  extended hours during the extended session (Alpaca would queue it for the open instead: a strategy that
  sent it now meant now); opening/closing-auction orders (opg/cls) are the exception.
- The `trade_updates` stream (authenticated again after every reconnect) brings order events and fills;
  paper sends it in binary frames, live in text frames: the gateway reads both. After a reconnect the open
  orders are brought up to date from REST and the fills missed are fetched from the FILL activities (each
  pushed once). Alpaca pushes no balances: the account and positions are polled, and fetched after fills.
- 429s wait for `Retry-After` (or `X-RateLimit-Reset`) and retry; requests stay under 200 a minute.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from vtcore.constant import Exchange, Interval, OrderType, Status
from vtcore.gateways._transport import (
    RateLimit,
    RequestRejectedError,
    RestClient,
    RestConfig,
    RestRequest,
    SignatureError,
    TransportError,
    VenueError,
    WebSocketClient,
)
from vtcore.gateways._transport.ratelimit import RateLimiter
from vtcore.gateways._transport.ws import Heartbeat
from vtcore.gateways._venue import (
    VenueGateway,
    format_number,
    format_step,
    http_to_ws,
    order_reason,
    parse_common_settings,
)
from vtcore.gateways._venue.orders import VenueOrderRequest
from vtcore.gateways._venue.settings import BASE_URL_SETTING
from vtcore.gateways.alpaca import parse, schemas
from vtcore.object import BarData, CancelRequest, HistoryRequest, OrderData, OrderRequest

UTC = dt.timezone.utc
#: a quiet stream is normal (no order events for hours): protocol pings find a dead line instead
_QUIET_FOREVER = 1e9


@dataclass(slots=True)
class AlpacaOrderRequest(VenueOrderRequest):
    """A VenueOrderRequest (`stop_price`, `time_in_force`: day, gtc, opg, cls, ioc, fok) with Alpaca's own
    extras: `extended_hours` (DAY limit orders only) and `trail_price` / `trail_percent` (a STOP order with
    either is a trailing stop)."""

    extended_hours: bool = False
    trail_price: float = 0.0
    trail_percent: float = 0.0


class AlpacaGateway(VenueGateway):
    default_name: ClassVar[str] = "ALPACA"
    default_setting: ClassVar[dict[str, Any]] = {
        "key": "",
        "secret": "",
        "session_number": 10,
        "server": ["REAL", "PAPER"],
        "data_feed": ["iex", "sip"],
        "proxy_host": "",
        "proxy_port": 0,
        "base_url": "",
    }
    #: the page asks for key, secret, 会话数 and 服务器; the rest are vtcore's additions
    optional_setting: ClassVar[Mapping[str, str]] = {
        "data_feed": "the market-data feed: iex (free) or sip (all US exchanges, a paid plan) (default iex)",
        "proxy_host": "an HTTP proxy's host for REST and streams (default: none)",
        "proxy_port": "that proxy's port (default: none)",
        **BASE_URL_SETTING,
    }
    exchange: ClassVar[Exchange] = Exchange.SMART
    builds_ticks_in_c: ClassVar[bool] = True
    exchanges: ClassVar[list[Exchange]] = [Exchange.SMART]
    supported_order_types = frozenset(parse.ORDER_TYPE_VT2ALPACA)
    servers: ClassVar[dict[str, str]] = {
        "REAL": "https://api.alpaca.markets",
        "PAPER": "https://paper-api.alpaca.markets",
    }
    data_url: ClassVar[str] = "https://data.alpaca.markets"
    data_stream_url: ClassVar[str] = "wss://stream.data.alpaca.markets"
    #: the market stream's codec: "msgpack" (smaller, typed times) or "json"
    market_codec: ClassVar[str] = "msgpack"
    #: Alpaca pushes no balances: how often the account and positions are fetched (seconds)
    account_poll_interval: ClassVar[float] = 30.0
    #: protocol pings on both streams (Alpaca's SDK: every 10 s)
    stream_ping_interval: ClassVar[float] = 10.0

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.trading_url = ""
        self.market_url = ""
        self.market_ws_url = ""
        self.feed = "iex"
        self.data_rest: RestClient | None = None
        self.market_socket: WebSocketClient | None = None
        self.trade_socket: WebSocketClient | None = None
        self.venue_ids: dict[str, str] = {}  # local order id -> Alpaca's order id
        self.local_ids: dict[str, str] = {}  # Alpaca's order id -> local order id
        self.filled: dict[str, float] = {}  # local order id -> quantity of the fills pushed
        self.successors: dict[str, str] = {}  # local order id -> the local id of the order replacing it
        self.market_clock: schemas.Clock | None = None
        self.calendar: list[schemas.CalendarDay] = []
        self.held: set[str] = set()  # symbols whose position was pushed non-zero
        self._poller: asyncio.Task[None] | None = None
        self._refresh: asyncio.Task[None] | None = None

    def check_order(self, req: OrderRequest) -> str:
        trailing = float(getattr(req, "trail_price", 0.0) or 0.0) or float(
            getattr(req, "trail_percent", 0.0) or 0.0
        )
        if req.type == OrderType.STOP and trailing:
            problem = self.check_direction(req)  # this path skips the shared checks, so make this one here
            if problem:
                return problem
            if trailing < 0:
                return "trail_price and trail_percent must be positive"
            return "" if req.volume > 0 else "volume must be positive"  # a trailing stop has no price
        return super().check_order(req)

    # ---- settings and REST

    def apply_setting(self, setting: dict[str, Any]) -> None:
        common = parse_common_settings(setting)
        if common.server not in self.servers:
            raise ValueError(f"setting 'server' must be one of {', '.join(self.servers)}")
        feed = str(setting.get("data_feed") or "iex").strip().lower()
        if feed not in ("iex", "sip"):
            raise ValueError("setting 'data_feed' must be iex or sip")
        self.apply_common_settings(common)
        self.feed = feed
        if common.base_url:  # one local venue serves all four
            self.trading_url = self.market_url = common.base_url
            self.market_ws_url = http_to_ws(common.base_url)
        else:
            self.trading_url = self.servers[common.server]
            self.market_url, self.market_ws_url = self.data_url, self.data_stream_url

    def rest_url(self) -> str:
        return self.trading_url

    def rate_limits(self) -> dict[str, RateLimit]:
        return {"rest": RateLimit(200, 60.0)}  # 200 requests a minute per account

    def sign_request(self, request: RestRequest) -> None:
        request.headers["APCA-API-KEY-ID"] = self._key
        request.headers["APCA-API-SECRET-KEY"] = self._secret.decode()

    parse_error = staticmethod(parse.parse_error)

    def on_rest_headers(self, headers: Mapping[str, str]) -> None:
        remaining = headers.get("X-RateLimit-Remaining") or headers.get("x-ratelimit-remaining")
        limit = headers.get("X-RateLimit-Limit") or headers.get("x-ratelimit-limit")
        limiter = self.rest.limiter if self.rest is not None else None
        if remaining and limit and remaining.isdigit() and limit.isdigit() and limiter is not None:
            limiter.observe("rest", int(limit) - int(remaining))

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        body: dict[str, Any] | None = None,
        market: bool = False,
    ) -> bytes:
        client = self.market_rest() if market else self.rest
        assert client is not None
        request = RestRequest(
            method, path, params=params, data=body, json_body=True, signed=True, costs={"rest": 1}
        )
        return await client.request_raw(request)

    def market_rest(self) -> RestClient:
        """The market-data REST client (another host than trading's), sharing the account's rate limit."""
        if self.data_rest is None:
            assert self.rest is not None
            self.data_rest = RestClient(
                RestConfig(
                    self.market_url,
                    timeout=self.timing.rest_timeout,
                    session_number=2,
                    proxy=self.proxy,
                    retries=self.timing.rest_retries,
                    backoff=self.timing.backoff,
                ),
                signer=self.sign_request,
                error_parser=self.parse_error,
                limiter=self.rest.limiter or RateLimiter(self.rate_limits()),
            )
        return self.data_rest

    async def fetch_server_time(self) -> int:
        clock = parse.CLOCK.decode(await self.call("GET", "/v2/clock"))
        self.market_clock = clock
        return int(clock.timestamp.timestamp() * 1000)

    async def load_contracts(self) -> None:
        raw = await self.call("GET", "/v2/assets", {"status": "active", "asset_class": "us_equity"})
        for row in parse.ASSETS.decode(raw):
            if row.tradable and row.status == "active":
                self.steps[row.symbol] = (format_number(row.price_increment or 0.01), "")
                self.add_contract(parse.contract(row, gateway_name=self.gateway_name, exchange=self.exchange))
        self.write_log(f"{len(self.contracts)} contracts loaded")
        await self.load_calendar()

    async def load_calendar(self) -> None:
        today = dt.datetime.now(parse.NEW_YORK).date()
        query = {"start": today.isoformat(), "end": (today + dt.timedelta(days=7)).isoformat()}
        self.calendar = parse.CALENDAR.decode(await self.call("GET", "/v2/calendar", query))

    async def market_session(self) -> str:
        """The session now ("regular", "extended", "closed"), from a clock and calendar kept current."""
        now = dt.datetime.now(UTC)
        clock = self.market_clock
        if clock is None or now >= (clock.next_close if clock.is_open else clock.next_open):
            await self.sync_clock()
        today = now.astimezone(parse.NEW_YORK).date()
        if not self.calendar or self.calendar[-1].date < today:
            await self.load_calendar()
        return parse.session_at(now, self.calendar, self.market_clock)

    # ---- market data stream

    def open_public_streams(self) -> None:
        self.market_socket = socket = self.open_socket(
            "market",
            f"{self.market_ws_url}/v2/{self.feed}",
            self.heartbeat(),
            on_message=self.on_market_message,
            on_open=self.authenticate_market,
            build_subscribe=self.build_subscribe,
        )
        if self.market_codec == "msgpack":
            # asked on the upgrade; the socket connects once this callback has returned
            socket.headers_provider = lambda: {"Content-Type": "application/msgpack"}

    def heartbeat(self) -> Heartbeat:
        return Heartbeat(
            ping_interval=self.timing.ws_ping_interval or self.stream_ping_interval,
            idle_timeout=_QUIET_FOREVER,
        )

    def encode_market(self, message: dict[str, Any]) -> bytes | dict[str, Any]:
        return parse.MSGPACK_ENCODER.encode(message) if self.market_codec == "msgpack" else message

    def build_subscribe(self, symbols: list[str], subscribe: bool) -> list[Any]:
        action = "subscribe" if subscribe else "unsubscribe"
        return [
            self.encode_market({"action": action, "quotes": symbols, "trades": symbols, "dailyBars": symbols})
        ]

    async def authenticate_market(self, socket: WebSocketClient) -> None:
        await socket.request(
            "auth", self.encode_market({"action": "auth", "key": self._key, "secret": self._secret.decode()})
        )
        self.write_log("market data stream authenticated")

    async def subscribe_market(self, symbol: str) -> None:
        assert self.market_socket is not None
        await self.market_socket.subscribe([symbol])

    async def unsubscribe_market(self, symbol: str) -> None:
        assert self.market_socket is not None
        await self.market_socket.unsubscribe([symbol])

    def on_market_message(self, raw: bytes) -> None:
        try:
            messages = parse.decode_market(raw)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("market data frame", error)
            return
        builders, on_tick = self.builders, self.on_tick
        for message in messages:
            # exact types: the cheapest dispatch on the hot path; times go to the C state as venue ms
            if type(message) is schemas.Quote:
                state = builders.get(message.S)
                if state is not None:
                    ms = int(message.t.timestamp() * 1000)
                    on_tick(state.top(message.bp, message.bs, message.ap, message.as_, ms))
            elif type(message) is schemas.Trade:
                state = builders.get(message.S)
                if state is not None:
                    on_tick(state.last(message.p, message.s, int(message.t.timestamp() * 1000)))
            elif type(message) is schemas.DailyBar:
                state = builders.get(message.S)
                if state is not None:  # the day so far; stamped on arrival (a bar's time is its start)
                    now = state.latest
                    on_tick(
                        state.summary(
                            now.last_price,
                            now.last_volume,
                            now.bid_price_1,
                            now.bid_volume_1,
                            now.ask_price_1,
                            now.ask_volume_1,
                            message.o,
                            message.h,
                            message.l,
                            message.v,
                            message.v * message.vw,
                        )
                    )
            else:
                self.on_market_control(message)

    def on_market_control(self, message: schemas.MarketMessage) -> None:
        socket = self.market_socket
        if isinstance(message, schemas.Success):
            if message.msg == "authenticated" and socket is not None:
                socket.resolve("auth", message)
        elif isinstance(message, schemas.Error):
            error = VenueError(message.msg, code=message.code)
            if message.code in (402, 406, 409) and socket is not None and socket.reject("auth", error):
                return
            self.write_log(f"market data stream error {message.code}: {message.msg}", logging.WARNING)

    # ---- the trade_updates stream

    def open_private_streams(self) -> None:
        self.trade_socket = self.open_socket(
            "trading",
            http_to_ws(self.trading_url) + "/stream",
            self.heartbeat(),
            on_message=self.on_trading_message,
            on_open=self.authenticate_trading,
        )
        self._poller = asyncio.get_running_loop().create_task(self.poll_account())

    async def authenticate_trading(self, socket: WebSocketClient) -> None:
        """Authenticate and listen on every (re)connect, then reconcile what the gap may have hidden."""
        reply: schemas.StreamStatus = await socket.request(
            "auth",
            {"action": "authenticate", "data": {"key_id": self._key, "secret_key": self._secret.decode()}},
        )
        if reply.status != "authorized":
            raise SignatureError(f"trade_updates stream: {reply.status or 'not authorized'}")
        await socket.request("listen", {"action": "listen", "data": {"streams": ["trade_updates"]}})
        self.write_log("trade_updates stream authenticated")
        self.private_stream_opened(socket)

    def sockets(self) -> list[WebSocketClient]:
        return [socket for socket in (self.market_socket, self.trade_socket) if socket is not None]

    def on_trading_message(self, raw: bytes) -> None:
        """A trading-stream frame, text (live) or binary (paper): JSON either way."""
        try:
            frame = parse.STREAM_FRAME.decode(raw)
            if frame.stream == "trade_updates":
                self.apply_trade_update(parse.TRADE_UPDATE.decode(frame.data))
                return
            socket = self.trade_socket
            if frame.stream in ("authorization", "listening") and socket is not None:
                status = parse.STREAM_STATUS.decode(frame.data)
                socket.resolve("auth" if frame.stream == "authorization" else "listen", status)
            elif frame.stream == "error":
                self.write_log(f"trade_updates stream error: {bytes(frame.data).decode()}", logging.WARNING)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("trade_updates frame", error)

    def apply_trade_update(self, update: schemas.TradeUpdate) -> None:
        orderid = self.local_id(update.order)
        trade = parse.trade(update, orderid=orderid, gateway_name=self.gateway_name, exchange=self.exchange)
        if trade is not None:
            self.push_trade(trade)
        self.apply_order(update.order)
        if trade is not None:
            self.refresh_account_soon()

    def local_id(self, row: schemas.Order) -> str:
        orderid = self.local_ids.get(row.id) or row.client_order_id or row.id
        self.local_ids[row.id], self.venue_ids[orderid] = orderid, row.id
        return orderid

    def push_trade(self, trade: Any) -> None:
        if self.orders.trade(trade) is not None:
            self.filled[trade.orderid] = self.filled.get(trade.orderid, 0.0) + trade.volume

    def apply_order(self, row: schemas.Order) -> None:
        orderid = self.local_id(row)
        known = self.orders.get(orderid)
        template = None
        if known is None:
            if row.symbol is None:
                return  # an order object without its symbol cannot become an OrderData
            template = known = parse.order(
                row, orderid=orderid, gateway_name=self.gateway_name, exchange=self.exchange
            )
        status = parse.STATUS_ALPACA2VT.get(row.status) or known.status
        reason = ""
        if row.status == "replaced":
            # the stream may say "replaced" before the PATCH answer names the new order
            successor = self.successors.get(orderid) or self.local_ids.get(
                row.replaced_by or "", row.replaced_by or ""
            )
            reason = f"replaced by order {successor}"
        elif row.status in ("expired", "rejected"):
            reason = row.status
        self.orders.update(
            orderid, status, traded=row.filled_qty, moment=row.updated_at, reason=reason, template=template
        )

    # ---- orders

    def order_body(self, order: OrderData, req: OrderRequest) -> dict[str, Any]:
        kind, forced_tif = parse.ORDER_TYPE_VT2ALPACA[req.type]
        tif = forced_tif or str(getattr(req, "time_in_force", "day") or "day").lower()
        if tif not in parse.TIMES_IN_FORCE:
            raise ValueError(f"time in force {tif!r} is not one of {', '.join(parse.TIMES_IN_FORCE)}")
        trail_price = float(getattr(req, "trail_price", 0.0) or 0.0)
        trail_percent = float(getattr(req, "trail_percent", 0.0) or 0.0)
        stop_price = float(getattr(req, "stop_price", 0.0) or 0.0)
        body: dict[str, Any] = {
            "symbol": req.symbol,
            "qty": format_number(req.volume),
            "side": parse.SIDE_VT2ALPACA[req.direction],
            "type": kind,
            "time_in_force": tif,
            "client_order_id": order.orderid,
        }
        if kind in ("limit", "stop_limit"):
            body["limit_price"] = format_step(req.price, parse.price_step(req.price))
        if kind == "stop_limit":
            if stop_price <= 0:
                raise ValueError("a STOP_LIMIT order needs AlpacaOrderRequest.stop_price")
            body["stop_price"] = format_step(stop_price, parse.price_step(stop_price))
        if kind == "stop":
            if trail_price > 0 or trail_percent > 0:
                body["type"] = "trailing_stop"
                if trail_price > 0:
                    body["trail_price"] = format_step(trail_price, parse.price_step(trail_price))
                else:
                    body["trail_percent"] = format_number(trail_percent)
            else:
                body["stop_price"] = format_step(req.price, parse.price_step(req.price))
        if getattr(req, "extended_hours", False):
            if kind != "limit" or tif != "day":
                raise ValueError("extended-hours orders must be DAY limit orders")
            body["extended_hours"] = True
        return body

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        if req.symbol not in self.contracts:
            raise RequestRejectedError(f"unknown symbol {req.symbol}")
        body = self.order_body(order, req)
        await self.check_session(body)
        try:
            raw = await self.call("POST", "/v2/orders", body=body)
        except TransportError as error:
            if not self.answer_lost(error):
                raise
            # sent, then no answer: Alpaca may hold the order; its client_order_id tells (`ask_venue`)
            await self.order_answer_lost(order, error)
            return
        self.apply_order(parse.ORDER.decode(raw))

    async def check_session(self, body: dict[str, Any]) -> None:
        """Refuse an order the session cannot take now (ValueError: the order is rejected with the reason)."""
        if body["time_in_force"] in ("opg", "cls"):
            return  # auction orders are placed ahead of their auction
        session = await self.market_session()
        if session == "regular" or (session == "extended" and body.get("extended_hours")):
            return
        clock = self.market_clock
        when = f" (next open {clock.next_open.isoformat()})" if clock is not None else ""
        if session == "extended":
            raise ValueError(f"outside the regular session{when}: set extended_hours to trade now")
        raise ValueError(f"the market is closed{when}")

    async def fetch_order(self, orderid: str) -> str:
        """Bring one order up to date from REST by its client_order_id; returns "" when Alpaca has it, else
        its words that it has none."""
        try:
            raw = await self.call("GET", "/v2/orders:by_client_order_id", {"client_order_id": orderid})
        except RequestRejectedError as error:
            if error.status == 404:
                return order_reason(error)
            raise
        self.apply_order(parse.ORDER.decode(raw))
        return ""

    async def venue_id(self, orderid: str) -> str:
        known = self.venue_ids.get(orderid)
        if known is None:
            await self.fetch_order(orderid)
            known = self.venue_ids.get(orderid)
        if known is None:
            raise RequestRejectedError(f"order {orderid} is unknown at Alpaca")
        return known

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        await self.call("DELETE", f"/v2/orders/{await self.venue_id(req.orderid)}")

    def replace_order(
        self,
        orderid: str,
        *,
        price: float | None = None,
        volume: float | None = None,
        stop_price: float | None = None,
        time_in_force: str | None = None,
    ) -> str:
        """Replace an open order by a new one with the given changes (Alpaca's PATCH: atomic, the old order
        ends as CANCELLED "replaced by order <new id>"). Returns the new order's vt_orderid ("" when there is
        no such open order). A refused replacement rejects the new order with the reason; the old one
        stays."""
        old = self.orders.get(orderid)
        if old is None or not old.is_active():
            self.write_log(f"replace {orderid}: no such open order", logging.WARNING)
            return ""
        new_id = self.new_orderid()
        new = OrderData(
            gateway_name=self.gateway_name,
            symbol=old.symbol,
            exchange=old.exchange,
            orderid=new_id,
            type=old.type,
            direction=old.direction,
            offset=old.offset,
            price=old.price if price is None else price,
            volume=old.volume if volume is None else volume,
            reference=old.reference,
        )
        self.orders.order(new)
        body: dict[str, Any] = {"client_order_id": new_id}
        if volume is not None:
            body["qty"] = format_number(volume)
        if price is not None:
            field = "stop_price" if old.type == OrderType.STOP else "limit_price"
            body[field] = format_step(price, parse.price_step(price))
        if stop_price is not None:
            body["stop_price"] = format_step(stop_price, parse.price_step(stop_price))
        if time_in_force is not None:
            body["time_in_force"] = time_in_force
        self.submit(self._replace(orderid, new, body), f"replace order {orderid}")
        return new.vt_orderid

    async def _replace(self, orderid: str, new: OrderData, body: dict[str, Any]) -> None:
        self.successors[orderid] = new.orderid
        try:
            raw = await self.call("PATCH", f"/v2/orders/{await self.venue_id(orderid)}", body=body)
        except TransportError as error:
            self.successors.pop(orderid, None)
            self.orders.update(
                new.orderid, Status.REJECTED, reason=f"replacing {orderid}: {order_reason(error)}"
            )
            return
        self.apply_order(parse.ORDER.decode(raw))

    async def load_open_orders(self) -> None:
        rows = parse.ORDERS.decode(await self.call("GET", "/v2/orders", {"status": "open", "limit": 500}))
        self.load_open_order_rows(rows, self.apply_order, lambda row: row.client_order_id)

    async def ask_venue(self, order: OrderData) -> str:
        """The order's state from REST and the fills it had that were not pushed (from the FILL activities;
        a fill counts only beyond the quantity already pushed, so nothing is pushed twice whatever its id)."""
        missing = await self.fetch_order(order.orderid)
        if missing:
            return missing
        venue_id = self.venue_ids[order.orderid]
        since = (order.datetime or dt.datetime.now(UTC)) - dt.timedelta(minutes=1)
        params: dict[str, Any] = {
            "after": since.astimezone(UTC).isoformat(),
            "direction": "asc",
            "page_size": 100,
        }
        while True:
            rows = parse.FILLS.decode(await self.call("GET", "/v2/account/activities/FILL", params))
            for row in rows:
                if row.order_id == venue_id and row.cum_qty > self.filled.get(order.orderid, 0.0) + 1e-9:
                    self.push_trade(
                        parse.activity_trade(
                            row,
                            orderid=order.orderid,
                            gateway_name=self.gateway_name,
                            exchange=self.exchange,
                        )
                    )
            if len(rows) < 100:
                break
            params["page_token"] = rows[-1].id
        await self.fetch_order(order.orderid)  # the state after its fills
        return ""

    # ---- account, positions, history

    async def fetch_account(self) -> None:
        row = parse.ACCOUNT.decode(await self.call("GET", "/v2/account"))
        self.on_account(parse.account(row, gateway_name=self.gateway_name))

    async def fetch_positions(self) -> None:
        rows = parse.POSITIONS.decode(await self.call("GET", "/v2/positions"))
        seen = set()
        for row in rows:
            seen.add(row.symbol)
            self.on_position(parse.position(row, gateway_name=self.gateway_name, exchange=self.exchange))
        for symbol in self.held - seen:  # closed since the last fetch: say so once
            flat = schemas.Position(symbol=symbol, qty=0.0)
            self.on_position(parse.position(flat, gateway_name=self.gateway_name, exchange=self.exchange))
        self.held = seen

    def refresh_account_soon(self) -> None:
        """Fetch the account and positions after fills (one fetch for a burst of them)."""
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.get_running_loop().create_task(self._refresh_account())

    async def _refresh_account(self) -> None:
        await asyncio.sleep(0.05)
        try:
            await self.fetch_account()
            await self.fetch_positions()
        except TransportError as error:
            self.write_log(f"account refresh failed: {error}", logging.WARNING)

    async def poll_account(self) -> None:
        while True:
            await asyncio.sleep(self.account_poll_interval)
            try:
                await self.fetch_account()
                await self.fetch_positions()
                await self.sync_clock()
            except TransportError as error:
                self.write_log(f"account poll failed: {error}", logging.WARNING)

    async def after_streams_closed(self) -> None:
        for task in (self._poller, self._refresh):
            if task is not None:
                task.cancel()
        if self.data_rest is not None:
            await self.data_rest.close()
            self.data_rest = None

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        timeframe = parse.INTERVAL_VT2ALPACA.get(interval)
        if timeframe is None:
            raise ValueError(f"interval {interval.value} is not available from Alpaca")
        end = req.end or dt.datetime.now(UTC)
        params: dict[str, Any] = {
            "symbols": req.symbol,
            "timeframe": timeframe,
            "start": req.start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "end": end.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "limit": 10000,
            "feed": self.feed,
            "adjustment": "raw",
        }
        bars: list[BarData] = []
        while True:
            page = parse.BARS.decode(await self.call("GET", "/v2/stocks/bars", params, market=True))
            for row in (page.bars or {}).get(req.symbol, []):
                bars.append(
                    parse.bar(
                        row,
                        symbol=req.symbol,
                        interval=interval,
                        gateway_name=self.gateway_name,
                        exchange=self.exchange,
                    )
                )
            if not page.next_page_token:
                break
            params["page_token"] = page.next_page_token
        return bars
