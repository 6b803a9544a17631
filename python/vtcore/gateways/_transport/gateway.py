"""`TransportGateway`: what every REST/WebSocket gateway does the same way, whatever the venue.

- vn.py's request methods, thread-safe and non-blocking: each one schedules a coroutine on the shared
  transport loop and returns (`query_history` alone waits for its answer, as in vn.py);
- the order book-keeping that keeps order and trade updates exact across reconnects: an update is pushed only
  when it moves the order forward (no regressions, no repeats) and each trade id is pushed once;
- the merged market-data state per symbol (top of book, five levels, last trade) from which each tick is
built;
- settings common to the venues (session_number, proxy_host/proxy_port, server, base_url) and the timing knobs
  (`Timing`) that tests turn down so reconnect and backoff take milliseconds.
A venue's base class implements the `async` hooks at the end of this class.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime as dt
import itertools
import logging
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar

from vtcore._fast import TICK_FIELDS
from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.event import EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways._transport._log import get_logger
from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways._transport.clock import VenueClock
from vtcore.gateways._transport.errors import (
    TransportError,
    VenueConnectionError,
    VenueError,
    VenueUnavailableError,
)
from vtcore.gateways._transport.loop import shared_loop
from vtcore.gateways._transport.ratelimit import RateLimit, RateLimiter
from vtcore.gateways._transport.rest import RestClient, RestConfig, RestRequest
from vtcore.gateways._transport.ws import BuildSubscribe, Heartbeat, OnOpen, WebSocketClient, WebSocketConfig
from vtcore.log import mask_secrets
from vtcore.object import (
    AccountData,
    BarData,
    CancelRequest,
    ContractData,
    GatewayStateData,
    HistoryRequest,
    OrderData,
    OrderRequest,
    SubscribeRequest,
    TickData,
    TradeData,
)
from vtcore.setting import register_secrets

FINAL_STATUSES = frozenset({Status.ALLTRADED, Status.CANCELLED, Status.REJECTED})
_STATUS_RANK = {
    Status.SUBMITTING: 0,
    Status.NOTTRADED: 1,
    Status.PARTTRADED: 2,
    Status.ALLTRADED: 3,
    Status.CANCELLED: 3,
    Status.REJECTED: 3,
}
UTC = dt.timezone.utc


@dataclass
class Timing:
    """Time constants of one gateway; tests shrink them (`Timing.fast()`), users rarely need to."""

    rest_timeout: float = 10.0
    rest_retries: int = 3
    backoff: Backoff = field(default_factory=lambda: Backoff(base=0.5, maximum=30.0))
    ws_idle_timeout: float | None = None  # None: the venue's rule
    ws_ping_interval: float | None = None  # None: the venue's rule
    open_timeout: float = 10.0
    keepalive_interval: float = 30 * 60.0  # listenKey keepalive (Binance futures)
    history_timeout: float = 60.0

    @classmethod
    def fast(cls) -> Timing:
        return cls(
            rest_timeout=5.0,
            backoff=Backoff(base=0.02, maximum=0.2),
            ws_idle_timeout=2.0,
            ws_ping_interval=0.5,
            open_timeout=5.0,
        )


@dataclass
class CommonSettings:
    key: str
    secret: str
    session_number: int
    proxy: str | None
    server: str
    base_url: str

    def __repr__(self) -> str:  # never show secrets
        return (
            f"CommonSettings(session_number={self.session_number}, proxy={self.proxy!r}, "
            f"server={self.server!r}, base_url={self.base_url!r})"
        )


def parse_common_settings(setting: dict[str, Any]) -> CommonSettings:
    """Read the fields every venue gateway has; raise ValueError naming the bad key."""

    def text(name: str) -> str:
        value = setting.get(name, "")
        if not isinstance(value, str):
            raise ValueError(f"setting {name!r} must be text")
        return value.strip()

    try:
        session_number = int(setting.get("session_number", 3))
    except (TypeError, ValueError):
        raise ValueError("setting 'session_number' must be an integer") from None
    if session_number < 1:
        raise ValueError("setting 'session_number' must be at least 1")
    proxy_host = text("proxy_host")
    raw_port = setting.get("proxy_port", 0)
    try:
        proxy_port = int(raw_port or 0)
    except (TypeError, ValueError):
        raise ValueError("setting 'proxy_port' must be an integer") from None
    if proxy_host and not 0 < proxy_port < 65536:
        raise ValueError("setting 'proxy_port' must be 1-65535 when proxy_host is set")
    base_url = text("base_url").rstrip("/")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ValueError("setting 'base_url' must start with http:// or https://")
    return CommonSettings(
        key=text("key"),
        secret=text("secret"),
        session_number=session_number,
        proxy=f"http://{proxy_host}:{proxy_port}" if proxy_host else None,
        server=text("server") or "REAL",
        base_url=base_url,
    )


def ms_to_datetime(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, UTC)


def http_to_ws(url: str) -> str:
    return "ws" + url[4:] if url.startswith("http") else url


#: position of each TickData field in its constructor (positional construction is ~3x cheaper than keywords)
TICK_INDEX = {name: index for index, name in enumerate(TICK_FIELDS)}
_DATETIME, _LOCALTIME = TICK_INDEX["datetime"], TICK_INDEX["localtime"]
_BID_PRICE, _ASK_PRICE = TICK_INDEX["bid_price_1"], TICK_INDEX["ask_price_1"]
_BID_VOLUME, _ASK_VOLUME = TICK_INDEX["bid_volume_1"], TICK_INDEX["ask_volume_1"]
_LAST_PRICE, _LAST_VOLUME = TICK_INDEX["last_price"], TICK_INDEX["last_volume"]


class TickState:
    """The latest market data of one symbol: TickData's constructor arguments in order."""

    __slots__ = ("values",)

    def __init__(self, symbol: str, exchange: Exchange, gateway_name: str, name: str) -> None:
        values: list[Any] = [0.0] * len(TICK_FIELDS)
        values[TICK_INDEX["gateway_name"]] = gateway_name
        values[TICK_INDEX["symbol"]] = symbol
        values[TICK_INDEX["exchange"]] = exchange
        values[TICK_INDEX["name"]] = name
        values[_DATETIME] = values[_LOCALTIME] = None
        self.values = values

    def set_levels(self, bids: Sequence[Sequence[Any]], asks: Sequence[Sequence[Any]]) -> None:
        """Five levels from venue levels `(price, size, ...)` decoded as floats; missing levels are 0."""
        values = self.values
        for side, price_at, volume_at in ((bids, _BID_PRICE, _BID_VOLUME), (asks, _ASK_PRICE, _ASK_VOLUME)):
            count = min(5, len(side))
            for index in range(count):
                level = side[index]
                values[price_at + index] = level[0]
                values[volume_at + index] = level[1]
            for index in range(count, 5):
                values[price_at + index] = values[volume_at + index] = 0.0


class TransportGateway(BaseGateway):
    """Base of the REST/WebSocket gateways: the venue-independent half of each of them."""

    exchange: ClassVar[Exchange]
    #: vt OrderType values this venue market can carry
    supported_order_types: ClassVar[frozenset[OrderType]] = frozenset(
        {OrderType.LIMIT, OrderType.MARKET, OrderType.FAK, OrderType.FOK}
    )

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.timing = Timing()
        self.logger = get_logger(f"vtcore.gateways.{gateway_name.lower()}")
        self._acquired = False
        self._session_prefix = time.strftime("%y%m%d%H%M%S")
        self._order_numbers = itertools.count(1)
        # the state below is touched on the transport loop only
        self.contracts: dict[str, ContractData] = {}
        #: (price step, volume step) per symbol as the venue wrote them, for order prices and sizes
        self.steps: dict[str, tuple[str, str]] = {}
        self.orders: dict[str, OrderData] = {}
        self.trade_ids: set[str] = set()
        self.ticks: dict[str, TickState] = {}
        self.contracts_ready: asyncio.Event | None = None
        self._futures: set[concurrent.futures.Future[Any]] = set()
        self.proxy: str | None = None
        self.clock = VenueClock()
        self.rest: RestClient | None = None
        self._key = ""
        self._secret = b""
        self._session_number = 3

    # ------------------------------------------------------------------ vn.py's API (any thread)

    def connect(self, setting: dict[str, Any]) -> None:
        if self._acquired:
            self.write_log("already connected; close() first to reconnect with new settings")
            return
        register_secrets(setting)  # so that no log line or order reason can quote them
        try:
            self.apply_setting(setting)
        except ValueError as error:
            self.write_log(f"cannot connect: {error}", logging.ERROR)
            return
        shared_loop.acquire()
        self._acquired = True
        self.contracts_ready = None  # asyncio objects belong to one loop: a reconnect may run on a new one
        self.submit(self._start(), "connect")

    def close(self) -> None:
        if not self._acquired:
            return
        self._acquired = False
        try:
            shared_loop.submit(self.stop()).result(self.timing.rest_timeout)
        except Exception as error:
            self.logger.warning("%s: close did not finish cleanly: %s", self.gateway_name, _describe(error))
        finally:
            shared_loop.release()

    def subscribe(self, req: SubscribeRequest) -> None:
        self.submit(self._subscribe(req), f"subscribe {req.vt_symbol}")

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self.submit(self.unsubscribe_market(req.symbol), f"unsubscribe {req.vt_symbol}")

    def send_order(self, req: OrderRequest) -> str:
        orderid = self.new_orderid()
        order = req.create_order_data(orderid, self.gateway_name)
        problem = self.check_order(req)
        if problem or not self._acquired:
            self.on_order(self.with_reason(order, Status.REJECTED, problem or "not connected"))
            return order.vt_orderid
        self.on_order(order)
        self.submit(self._place(order, req), f"send order {orderid}")
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        self.submit(self._cancel(req), f"cancel order {req.orderid}")

    def query_account(self) -> None:
        self.submit(self.fetch_account(), "query account")

    def query_position(self) -> None:
        self.submit(self.fetch_positions(), "query positions")

    def query_history(self, req: HistoryRequest) -> list[BarData]:
        if not self._acquired:
            self.write_log("query_history: not connected", logging.WARNING)
            return []
        future = shared_loop.submit(self.fetch_history(req))
        try:
            return future.result(self.timing.history_timeout)
        except Exception as error:
            self.write_log(f"query_history {req.vt_symbol} failed: {_describe(error)}", logging.ERROR)
            return []

    # ------------------------------------------------------------------ helpers

    def new_orderid(self) -> str:
        """A local order id, unique across sessions (connect time + counter), usable as a venue client id."""
        return f"{self._session_prefix}{next(self._order_numbers):06d}"

    def check_order(self, req: OrderRequest) -> str:
        if req.type not in self.supported_order_types:
            return f"order type {req.type.value} is not supported by {self.gateway_name}"
        if req.volume <= 0:
            return "volume must be positive"
        if req.type != OrderType.MARKET and req.price <= 0:
            return "price must be positive"
        return ""

    def submit(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        """Run `coro` on the transport loop; a failure is logged with `what`, never raised at the caller."""
        try:
            future = shared_loop.submit(coro)
        except RuntimeError:
            self.write_log(f"{what}: not connected", logging.WARNING)
            return
        self._futures.add(future)

        def done(finished: concurrent.futures.Future[Any]) -> None:
            self._futures.discard(finished)
            if finished.cancelled():
                return
            error = finished.exception()
            if error is not None:
                self.write_log(f"{what} failed: {_describe(error)}", logging.ERROR)

        future.add_done_callback(done)

    def state(self, front: str, state: str, message: str = "") -> None:
        self.on_gateway_state(
            GatewayStateData(gateway_name=self.gateway_name, front=front, state=state, message=message)
        )

    def open_socket(
        self,
        front: str,
        url: str,
        heartbeat: Heartbeat,
        *,
        on_message: Callable[[bytes], None],
        on_open: OnOpen | None = None,
        build_subscribe: BuildSubscribe | None = None,
        messages_per_second: float | None = None,
        topics: Sequence[str] = (),
    ) -> WebSocketClient:
        """Start a WebSocket stream (on the loop); its state goes out as gateway-state events."""
        socket = WebSocketClient(
            WebSocketConfig(
                url=url,
                name=f"{self.gateway_name}.{front}",
                heartbeat=heartbeat,
                backoff=self.timing.backoff,
                proxy=self.proxy,
                open_timeout=self.timing.open_timeout,
                messages_per_second=messages_per_second,
            ),
            on_message=on_message,
            on_open=on_open,
            build_subscribe=build_subscribe,
            on_state=lambda connected, reason: self.state(
                front, "connected" if connected else "disconnected", reason
            ),
        )
        socket.add_topics(topics)
        socket.start()
        return socket

    # ---- contracts and subscriptions (loop thread)

    def add_contract(self, contract: ContractData) -> None:
        self.contracts[contract.symbol] = contract
        self.on_contract(contract)

    async def _subscribe(self, req: SubscribeRequest) -> None:
        if self.contracts_ready is None:
            self.contracts_ready = asyncio.Event()
        await self.contracts_ready.wait()
        contract = self.contracts.get(req.symbol)
        if contract is None or req.exchange != self.exchange:
            self.write_log(f"subscribe: unknown symbol {req.vt_symbol}", logging.WARNING)
            return
        if req.symbol not in self.ticks:
            self.ticks[req.symbol] = TickState(req.symbol, self.exchange, self.gateway_name, contract.name)
        await self.subscribe_market(req.symbol)

    def mark_contracts_ready(self) -> None:
        if self.contracts_ready is None:
            self.contracts_ready = asyncio.Event()
        self.contracts_ready.set()

    def update_tick(self, symbol: str, moment: dt.datetime | None, values: dict[str, float]) -> None:
        """Merge `values` (TickData field -> value) into the symbol's state and push a new tick."""
        state = self.ticks.get(symbol)
        if state is None:
            return
        fields = state.values
        for name, value in values.items():
            fields[TICK_INDEX[name]] = value
        self.emit_tick(state, moment)

    def update_top(  # noqa: PLR0917 - a hot path: positional arguments are the cheapest call
        self,
        symbol: str,
        moment: dt.datetime | None,
        bid: float,
        bid_volume: float,
        ask: float,
        ask_volume: float,
    ) -> None:
        """Replace the best bid and ask (the hottest update of most venues) and push a new tick."""
        state = self.ticks.get(symbol)
        if state is None:
            return
        values = state.values
        values[_BID_PRICE], values[_BID_VOLUME] = bid, bid_volume
        values[_ASK_PRICE], values[_ASK_VOLUME] = ask, ask_volume
        self.emit_tick(state, moment)

    def update_last(self, symbol: str, moment: dt.datetime | None, price: float, volume: float) -> None:
        """Record a market trade as the last price and volume and push a new tick."""
        state = self.ticks.get(symbol)
        if state is None:
            return
        values = state.values
        values[_LAST_PRICE], values[_LAST_VOLUME] = price, volume
        self.emit_tick(state, moment)

    def update_depth(
        self,
        symbol: str,
        moment: dt.datetime | None,
        bids: Sequence[Sequence[Any]],
        asks: Sequence[Sequence[Any]],
    ) -> None:
        """Replace the symbol's five levels (floats) and push a new tick."""
        state = self.ticks.get(symbol)
        if state is None:
            return
        state.set_levels(bids, asks)
        self.emit_tick(state, moment)

    def emit_tick(self, state: TickState, moment: dt.datetime | None) -> None:
        """Push a new TickData from the state (a pushed tick is never mutated afterwards)."""
        values = state.values
        now = dt.datetime.now(UTC)
        values[_DATETIME] = moment or now
        values[_LOCALTIME] = now
        self.on_tick(TickData(*values))

    # ---- orders and trades (loop thread)

    async def _place(self, order: OrderData, req: OrderRequest) -> None:
        self.orders[order.orderid] = order
        try:
            await self.place_order(order, req)
        except (TransportError, ValueError) as error:
            self.update_order(order.orderid, status=Status.REJECTED, reason=error)

    async def _cancel(self, req: CancelRequest) -> None:
        order = self.orders.get(req.orderid)
        if order is not None and order.status in FINAL_STATUSES:
            self.write_log(f"cancel {req.orderid}: the order is already {order.status.value}")
            return
        try:
            await self.cancel_venue_order(req)
        except VenueError as error:
            self.write_log(f"cancel {req.orderid} refused: {error.venue_message}", logging.WARNING)

    def update_order(
        self,
        orderid: str,
        *,
        status: Status,
        traded: float | None = None,
        template: OrderData | None = None,
        moment: dt.datetime | None = None,
        reason: str | BaseException | None = None,
    ) -> OrderData | None:
        """Move an order forward and push it; stale or repeated updates are dropped (returns None).

        `reason` (the venue's error, or its words for why it rejected, cancelled or expired the order) goes
        into the pushed order's `extra["reason"]` and the log: every venue's rejections pass here."""
        current = self.orders.get(orderid)
        if current is None:
            if template is None:
                return None
            current = template
        else:
            if current.status in FINAL_STATUSES:
                return None
            new_traded = current.traded if traded is None else traded
            if new_traded < current.traded:
                return None
            if new_traded == current.traded and _STATUS_RANK[status] <= _STATUS_RANK[current.status]:
                return None
        new_traded = current.traded if traded is None else traded
        updated = dataclasses.replace(
            current,
            status=status,
            traded=new_traded,
            datetime=moment or current.datetime or dt.datetime.now(UTC),
        )
        if reason:
            updated = self.with_reason(updated, status, reason)
        self.orders[orderid] = updated
        self.on_order(updated)
        return updated

    def with_reason(self, order: OrderData, status: Status, reason: str | BaseException) -> OrderData:
        """A copy of `order` in `status` whose `extra["reason"]` says why (as CtpGateway does), logged."""
        text = order_reason(reason)
        marked = dataclasses.replace(order, status=status)
        marked.extra = {**(order.extra or {}), "reason": text}  # for strategies and the trader window
        level = logging.WARNING if status == Status.REJECTED else logging.INFO
        self.write_log(f"order {order.orderid} {status.value.lower()}: {text}", level)
        return marked

    def add_trade(self, trade: TradeData) -> bool:
        """Push a trade once per trade id; False when it was already pushed."""
        if trade.tradeid in self.trade_ids:
            return False
        self.trade_ids.add(trade.tradeid)
        self.on_trade(trade)
        return True

    def push_account(self, accountid: str, balance: float, frozen: float) -> None:
        self.on_account(
            AccountData(gateway_name=self.gateway_name, accountid=accountid, balance=balance, frozen=frozen)
        )

    # ---- lifecycle (loop thread)

    async def _start(self) -> None:
        if self.contracts_ready is None:
            self.contracts_ready = asyncio.Event()
        await self.start()

    async def start(self) -> None:
        """Connect: REST client, clock, contracts, public streams; with a key also account, positions, open
        orders and the private streams. Returns once every stream is up (or has been given its open
        timeout)."""
        self.rest = self.create_rest()
        await self.sync_clock()
        await self.load_contracts()
        self.mark_contracts_ready()
        self.open_public_streams()
        if self.has_credentials:
            await self.fetch_account()
            await self.fetch_positions()
            await self.load_open_orders()
            self.open_private_streams()
        else:
            self.write_log("no API key: market data only")
        for socket in self.sockets():
            if not await socket.wait_ready(self.timing.open_timeout):
                self.write_log(f"{socket.config.name} is not up yet; it keeps retrying", logging.WARNING)
        self.write_log("connected")

    async def stop(self) -> None:
        for socket in self.sockets():
            await socket.close()
        await self.after_streams_closed()
        if self.rest is not None:
            await self.rest.close()
        self.write_log("closed")

    async def sync_clock(self) -> None:
        offset = await self.clock.sync(self.fetch_server_time)
        self.logger.info("%s: clock offset to the venue %d ms", self.gateway_name, offset)

    # ------------------------------------------------------------------ the venue's part

    def apply_setting(self, setting: dict[str, Any]) -> None:
        raise NotImplementedError

    @property
    def has_credentials(self) -> bool:
        return bool(self._key)

    def create_rest(self) -> RestClient:
        return RestClient(
            RestConfig(
                self.rest_url(),
                timeout=self.timing.rest_timeout,
                session_number=self._session_number,
                proxy=self.proxy,
                retries=self.timing.rest_retries,
                backoff=self.timing.backoff,
                default_headers=self.rest_headers(),
            ),
            signer=self.sign_request if self._key else None,
            error_parser=self.parse_error,
            limiter=RateLimiter(self.rate_limits()),
            on_clock_skew=self.sync_clock,
            on_headers=self.on_rest_headers,
        )

    def apply_common_settings(self, common: CommonSettings) -> None:
        self._key, self._secret = common.key, common.secret.encode()
        self.proxy, self._session_number = common.proxy, common.session_number

    def rest_url(self) -> str:
        raise NotImplementedError

    def on_rest_headers(self, headers: Mapping[str, str]) -> None:
        """Every REST answer's headers (venues that report their usage override this)."""

    def rest_headers(self) -> dict[str, str]:
        return {}

    def rate_limits(self) -> dict[str, RateLimit]:
        raise NotImplementedError

    def sign_request(self, request: RestRequest) -> None:
        raise NotImplementedError

    @staticmethod
    def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
        raise NotImplementedError

    async def fetch_server_time(self) -> int:
        """The venue's clock in ms since the epoch."""
        raise NotImplementedError

    async def load_contracts(self) -> None:
        raise NotImplementedError

    def open_public_streams(self) -> None:
        raise NotImplementedError

    def open_private_streams(self) -> None:
        raise NotImplementedError

    def sockets(self) -> list[WebSocketClient]:
        raise NotImplementedError

    async def after_streams_closed(self) -> None:
        return None

    async def load_open_orders(self) -> None:
        raise NotImplementedError

    async def subscribe_market(self, symbol: str) -> None:
        raise NotImplementedError

    async def unsubscribe_market(self, symbol: str) -> None:
        raise NotImplementedError

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        raise NotImplementedError

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        raise NotImplementedError

    async def fetch_account(self) -> None:
        raise NotImplementedError

    async def fetch_positions(self) -> None:
        raise NotImplementedError

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        raise NotImplementedError


def leading_string(raw: bytes, prefix: bytes) -> str | None:
    """The JSON string value right after `prefix` when `raw` starts with it (e.g. the stream name of
    `{"stream":"btcusdt@trade",...}`), so a frame can be decoded in one pass by a decoder chosen up front."""
    if not raw.startswith(prefix):
        return None
    end = raw.find(b'"', len(prefix))
    return raw[len(prefix) : end].decode() if end > 0 else None


def format_step(value: float, step: str) -> str:
    """`value` rounded to the nearest multiple of the venue's `step` (as the venue wrote it, e.g. "0.001"), as
    plain decimal text: 0.1 + 0.2 goes out as "0.3", not "0.30000000000000004", which venues refuse."""
    if not step or Decimal(step) <= 0:
        return format_number(value)
    quantum = Decimal(step)
    steps = (Decimal(repr(float(value))) / quantum).to_integral_value(ROUND_HALF_EVEN)
    return format(steps * quantum, "f")


def format_number(value: float) -> str:
    """A float as the shortest plain decimal text a venue accepts (no exponent, no trailing ".0")."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


INTERVAL_STEP = {
    Interval.MINUTE: dt.timedelta(minutes=1),
    Interval.HOUR: dt.timedelta(hours=1),
    Interval.DAILY: dt.timedelta(days=1),
    Interval.WEEKLY: dt.timedelta(weeks=1),
}
DIRECTION_SIDE = {Direction.LONG: "BUY", Direction.SHORT: "SELL"}


def order_reason(reason: str | BaseException) -> str:
    """Why an order was refused, as `extra["reason"]` shows it: the venue's code and message
    ("-2010: Account has insufficient balance ..."), vtcore's own words, or, when the request may or may not
    have reached the venue, a text that says the outcome is unknown. Secrets are masked."""
    if isinstance(reason, VenueError):
        text = reason.venue_message
        if reason.code not in (None, ""):
            text = f"{reason.code}: {text}"
        if isinstance(reason, VenueUnavailableError):
            text = f"outcome unknown ({text})"
    elif isinstance(reason, VenueConnectionError):
        # a request that never left (connection refused) certainly had no effect
        text = str(reason) if getattr(reason, "not_sent", False) else f"outcome unknown ({reason})"
    elif isinstance(reason, BaseException):
        text = str(reason) or type(reason).__name__
    else:
        text = reason
    return mask_secrets(text)


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
