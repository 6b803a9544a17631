"""`VenueGateway`: what every REST/WebSocket gateway does the same way, whatever the venue.

- vn.py's request methods, thread-safe and non-blocking: each one schedules a coroutine on the shared
  transport loop and returns (`query_history` alone waits for its answer, as in vn.py);
- the connection sequence (`start`): REST client, clock, contracts, public streams, then with a key the
  account, positions, open orders and private streams; and after a private stream comes back, `reconcile`;
- orders and trades through one `OrderTracker` (`self.orders`), so updates from REST answers, streams and
  reconciliation only ever move an order forward and each trade is pushed once;
- the merged market-data state per symbol (top of book, five levels, last trade) from which each tick is
  built;
- settings common to the venues (`CommonSettings`) and the timing knobs (`Timing`) that tests turn down.

A venue implements the abstract hooks at the end of the class, in its package's `gateway.py`; its wire
messages are `schemas.py` Structs and its wire -> vtcore conversions are `parse.py` functions.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import itertools
import logging
import time
from abc import abstractmethod
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from vtcore.constant import Direction, Exchange, OrderType, Status
from vtcore.event import EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways._transport import (
    RateLimit,
    RateLimiter,
    RestClient,
    RestConfig,
    RestRequest,
    TransportError,
    VenueClock,
    VenueConnectionError,
    VenueError,
    VenueUnavailableError,
    WebSocketClient,
    WebSocketConfig,
    shared_loop,
)
from vtcore.gateways._transport.ws import BuildSubscribe, Heartbeat, OnOpen
from vtcore.gateways._venue.settings import CommonSettings, Timing
from vtcore.gateways._venue.ticks import (
    ASK_PRICE,
    ASK_VOLUME,
    BID_PRICE,
    BID_VOLUME,
    DATETIME,
    LAST_PRICE,
    LAST_VOLUME,
    LOCALTIME,
    TickState,
)
from vtcore.log import get_logger, mask_secrets, register_secrets
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
    TickBuilder,
    TickData,
)
from vtcore.orders import OrderTracker

UTC = dt.timezone.utc


Row = TypeVar("Row")
#: what reading one venue row may raise: a missing, empty or mistyped field, a number out of range
ROW_ERRORS = (ValueError, TypeError, KeyError, IndexError, ArithmeticError)


class VenueGateway(BaseGateway):
    """Base of the REST/WebSocket gateways: the venue-independent half of each of them."""

    #: keep each symbol's market state in C (`TickBuilder`) rather than as a `TickState` argument list: the
    #: cheaper path per message (benchmarks/bench_venue_parse.py, Binance and OKX)
    builds_ticks_in_c: ClassVar[bool] = False

    exchange: ClassVar[Exchange]
    #: vt OrderType values this venue market can carry
    supported_order_types: ClassVar[frozenset[OrderType]] = frozenset(
        {OrderType.LIMIT, OrderType.MARKET, OrderType.FAK, OrderType.FOK}
    )

    #: the order directions the venue takes: a buy or a sell (NET names a position, never an order's side)
    order_directions: ClassVar[frozenset[Direction]] = frozenset({Direction.LONG, Direction.SHORT})

    #: a text-ping venue's keep-alive rule (`text_heartbeat`): ping after this long quiet; drop at the limit
    venue_ping_interval: ClassVar[float] = 20.0
    venue_idle_limit: ClassVar[float] = 30.0

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.timing = Timing()
        self.logger = get_logger(f"vtcore.gateways.{gateway_name.lower()}")
        self._acquired = False
        self._session_prefix = time.strftime("%y%m%d%H%M%S")
        self._order_numbers = itertools.count(1)
        self.orders = OrderTracker(self)
        # the state below is touched on the transport loop only
        self.contracts: dict[str, ContractData] = {}
        #: (price step, volume step) per symbol as the venue wrote them, for order prices and sizes
        self.steps: dict[str, tuple[str, str]] = {}
        self.ticks: dict[str, TickState] = {}
        #: with `builds_ticks_in_c`: each subscribed symbol's state in C, by the venue's symbol (what its
        #: messages name); `state.top/last/levels/summary(...)` returns the tick to push
        self.builders: dict[str, TickBuilder] = {}
        self.contracts_ready: asyncio.Event | None = None
        #: set once this connect has opened the private streams (it loads the account and orders first)
        self.private_streams_ready: asyncio.Event | None = None
        self._futures: set[concurrent.futures.Future[Any]] = set()
        self.proxy: str | None = None
        self.clock = VenueClock()
        self.rest: RestClient | None = None
        self._key = ""
        self._secret = b""
        self._session_number = 3
        self._private_opened = False
        #: frames dropped because they could not be decoded (each is logged)
        self.malformed_messages = 0
        #: why the last connect() did not finish ("" while it has not failed)
        self.connect_failure = ""
        self._fronts: list[str] = []  # the streams opened by this connect, by front name
        #: orders whose request went out but whose answer was lost (a timeout, a 5xx, a dropped line), with
        #: what happened: the venue may or may not have them, so they stay SUBMITTING until it is asked
        self.unanswered: dict[str, str] = {}

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
        self.submit(self._unsubscribe(req.symbol), f"unsubscribe {req.vt_symbol}")

    def send_order(self, req: OrderRequest) -> str:
        orderid = self.new_orderid()
        order = req.create_order_data(orderid, self.gateway_name)
        problem = self.check_order(req)
        if self.connect_failure:
            problem = f"not connected: {self.connect_failure}"
        if problem or not self._acquired:
            self.orders.reject(order, problem or "not connected")
            return order.vt_orderid
        self.orders.order(order)
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
        problem = self.check_direction(req)
        if problem:
            return problem
        if req.type not in self.supported_order_types:
            return f"order type {req.type.value} is not supported by {self.gateway_name}"
        # the venue sees only the symbol: an order naming another exchange would trade this venue's contract
        contract = self.contracts.get(req.symbol)
        if contract is not None and contract.exchange != req.exchange:
            return f"{req.vt_symbol}: {self.gateway_name} trades {req.symbol} on {contract.exchange.value}"
        if req.volume <= 0:
            return "volume must be positive"
        if req.type != OrderType.MARKET and req.price <= 0:
            return "price must be positive"
        return ""

    def check_direction(self, req: OrderRequest) -> str:
        """Why `req`'s direction cannot be sent ("" when it can): each venue's side map knows a buy and a
        sell only, and an order must not go out as a guess."""
        if req.direction in self.order_directions:
            return ""
        named = req.direction.value if isinstance(req.direction, Direction) else repr(req.direction)
        taken = " or ".join(sorted(direction.value for direction in self.order_directions))
        return f"direction {named} cannot be traded on {self.gateway_name}: an order is {taken}"

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

    def drop_malformed(self, what: str, error: BaseException | str) -> None:
        """Count and log a frame that could not be decoded (it is dropped; nothing else is)."""
        self.malformed_messages += 1
        self.logger.warning("%s: malformed %s dropped: %s", self.gateway_name, what, error)

    def load_open_order_rows(
        self,
        rows: Iterable[Row],
        apply: Callable[[Row], object],
        label: Callable[[Row], object] | None = None,
    ) -> None:
        """Push the open orders read at connect, one row at a time: a row that cannot be read (an empty size,
        an unknown value) is skipped, counted and logged as malformed with `label(row)` (its order id); the
        others load, and the connect goes on."""
        for row in rows:
            try:
                apply(row)
            except ROW_ERRORS as error:
                name = ""
                with contextlib.suppress(*ROW_ERRORS):
                    name = str(label(row)) if label is not None else ""
                self.drop_malformed(f"open order {name or 'row'}", error)

    def reconcile_unreadable(self, what: str, error: BaseException | str, orderids: Sequence[str]) -> None:
        """An order report that could not be read may have carried a fill: count and log it as malformed,
        then ask the venue for the order it names (the first of `orderids` known here), or for every active
        order when it names none known, so that whatever it said is not lost."""
        self.drop_malformed(what, error)
        known = next((order for i in orderids if i and (order := self.orders.get(i)) is not None), None)
        orders = [known] if known is not None else self.orders.active_orders()
        for order in orders:
            self.submit(self.reconcile_order(order), f"reconcile order {order.orderid}")

    def text_heartbeat(self, text_ping: str) -> Heartbeat:
        """The heartbeat of a venue that wants a text ping from quiet clients (`venue_ping_interval`) and
        drops a line silent for `venue_idle_limit`; `timing` shrinks both in tests."""
        return Heartbeat(
            ping_interval=self.timing.ws_ping_interval or self.venue_ping_interval,
            text_ping=text_ping,
            idle_timeout=self.timing.ws_idle_timeout or self.venue_idle_limit,
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
        self._fronts.append(front)
        socket = WebSocketClient(
            WebSocketConfig(
                url=url,
                name=f"{self.gateway_name}.{front}",
                heartbeat=heartbeat,
                backoff=self.timing.backoff,
                proxy=self.proxy,
                open_timeout=self.timing.open_timeout,
                request_timeout=self.timing.rest_timeout,
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
        self.add_tick_state(req.symbol, contract)
        await self.subscribe_market(req.symbol)

    async def _unsubscribe(self, symbol: str) -> None:
        await self.unsubscribe_market(symbol)
        self.remove_tick_state(symbol)

    def add_tick_state(self, symbol: str, contract: ContractData) -> None:
        """Keep market state for a newly subscribed symbol: a `TickState` in `self.ticks` (used through
        `update_top`/`update_last`/`update_depth`), or with `builds_ticks_in_c` a `TickBuilder` in
        `self.builders` keyed by the venue's symbol, whose methods a venue's hot path calls directly."""
        if self.builds_ticks_in_c:
            key = self.venue_symbol(symbol)
            if key not in self.builders:
                self.builders[key] = TickBuilder(symbol, self.exchange, self.gateway_name, contract.name)
        elif symbol not in self.ticks:
            self.ticks[symbol] = TickState(symbol, self.exchange, self.gateway_name, contract.name)

    def remove_tick_state(self, symbol: str) -> None:
        self.ticks.pop(symbol, None)
        self.builders.pop(self.venue_symbol(symbol), None)

    def venue_symbol(self, symbol: str) -> str:
        """The venue's symbol for a vtcore symbol (the same unless two of its markets would collide)."""
        return symbol

    def mark_contracts_ready(self) -> None:
        if self.contracts_ready is None:
            self.contracts_ready = asyncio.Event()
        self.contracts_ready.set()

    # ---- market data (loop thread): merge into the symbol's state and push a new tick

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
        values[BID_PRICE], values[BID_VOLUME] = bid, bid_volume
        values[ASK_PRICE], values[ASK_VOLUME] = ask, ask_volume
        self.emit_tick(state, moment)

    def update_last(self, symbol: str, moment: dt.datetime | None, price: float, volume: float) -> None:
        """Record a market trade as the last price and volume and push a new tick."""
        state = self.ticks.get(symbol)
        if state is None:
            return
        values = state.values
        values[LAST_PRICE], values[LAST_VOLUME] = price, volume
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
        values[DATETIME] = moment or now
        values[LOCALTIME] = now
        self.on_tick(TickData(*values))

    # ---- orders (loop thread)

    async def _place(self, order: OrderData, req: OrderRequest) -> None:
        try:
            await self.place_order(order, req)
        except (TransportError, ValueError) as error:
            self.orders.update(order.orderid, Status.REJECTED, reason=order_reason(error))
        except Exception as error:
            # a fault of the gateway itself, which may have struck after the request left: the order is
            # ended like any other whose outcome is unknown, never left SUBMITTING
            self.logger.exception("%s: sending order %s failed", self.gateway_name, order.orderid)
            unknown = f"outcome unknown (the gateway failed: {_describe(error)})"
            self.orders.update(order.orderid, Status.REJECTED, reason=order_reason(unknown))

    async def _cancel(self, req: CancelRequest) -> None:
        order = self.orders.get(req.orderid)
        if order is not None and not order.is_active():
            self.write_log(f"cancel {req.orderid}: the order is already {order.status.value}")
            return
        try:
            await self.cancel_venue_order(req)
        except VenueError as error:
            if not self.answer_lost(error):
                self.write_log(f"cancel {req.orderid} refused: {error.venue_message}", logging.WARNING)
                return
            # the request went out and the venue may have acted on it: not a refusal; ask the venue now
            self.write_log(
                f"cancel {req.orderid}: no answer ({error.venue_message}); asking the venue for the order",
                logging.WARNING,
            )
            if order is not None and order.orderid not in self.unanswered:
                await self.reconcile_order(order)

    def push_account(self, accountid: str, balance: float, frozen: float) -> None:
        self.on_account(
            AccountData(gateway_name=self.gateway_name, accountid=accountid, balance=balance, frozen=frozen)
        )

    def private_stream_opened(self, socket: WebSocketClient | None = None) -> None:
        """Call when a private stream is (re)authenticated. The updates the venue sent while it was not up
        are lost: after a reconnect every active order is reconciled, and so, the first time, are orders
        sent before it opened (a strategy may send once contracts and the account are in, over REST, while
        the stream still connects; a fill in that gap would never be heard of). Called from the `socket`'s
        on_open hook, pass it: its topics are subscribed after the hook, and the query waits for that, so
        that an update between the query and the subscription cannot fall between the two."""
        if self._private_opened or self.orders.active_orders():
            self.submit(self._reconcile_once_subscribed(socket), "reconcile orders")
        self._private_opened = True

    async def order_socket(self, current: Callable[[], WebSocketClient | None]) -> WebSocketClient:
        """The private stream an order goes out on, for a venue that takes orders over it (OKX, Bitfinex;
        `current` reads the gateway's attribute). While connect() has not opened it yet (it loads the account
        and the open orders first), wait for that, then for the stream to be connected, each up to the open
        timeout: an order sent in that gap goes out instead of being refused. Raises TransportError saying
        why there is none (connect() failed, or no API key) or VenueConnectionError."""
        started = self.private_streams_ready  # None before connect(); set once connect() opened the streams
        waiting = current() is None and self.has_credentials and not self.connect_failure
        if waiting and started is not None and not started.is_set():
            with contextlib.suppress(asyncio.TimeoutError):  # TimeoutError itself from Python 3.11
                await asyncio.wait_for(started.wait(), self.timing.open_timeout)
        socket = current()
        if socket is None:
            why = (
                f"not connected: {self.connect_failure}"
                if self.connect_failure
                else "market data only (no API key)"
            )
            raise TransportError(why)
        if not socket.connected and not await socket.wait_ready(self.timing.open_timeout):
            raise VenueConnectionError("the private stream is not connected")
        return socket

    async def _reconcile_once_subscribed(self, socket: WebSocketClient | None) -> None:
        if socket is not None:
            await socket.wait_ready(self.timing.open_timeout)  # reconciles anyway when it does not come
        await self.reconcile()

    async def reconcile(self) -> None:
        """Bring every active order up to date from the venue and fetch the fills missed."""
        active = self.orders.active_orders()
        for order in active:
            if order.orderid in self.unanswered:
                await self.settle_unanswered(order)
            else:
                await self.reconcile_order(order)
        if active:
            self.write_log(f"reconciled {len(active)} active orders as the private stream opened")

    # ---- orders whose answer was lost (loop thread)

    @staticmethod
    def answer_lost(error: BaseException) -> bool:
        """True when `error` leaves open whether the venue took the request: no answer in time, a 5xx, or a
        connection lost after the request went out (one that never left, `not_sent`, had no effect)."""
        if isinstance(error, VenueUnavailableError):
            return True
        return isinstance(error, VenueConnectionError) and not getattr(error, "not_sent", False)

    async def order_answer_lost(
        self, order: OrderData, error: BaseException | str, *, ask_now: bool = True
    ) -> None:
        """An order request went out and its answer was lost (`answer_lost`). Rejecting the order now could
        hide a live, fillable order; so it stays SUBMITTING in `unanswered` and the venue is asked about it
        by its client order id (`ask_venue`): at once, or with `ask_now=False` by `reconcile` once the private
        stream is back (a venue that takes orders on that stream). Its pushes meanwhile apply as usual.
        `error` says what happened: the error, or words."""
        self.unanswered[order.orderid] = str(error) or type(error).__name__
        when = "now" if ask_now else "once the private stream is back"
        self.write_log(
            f"order {order.orderid}: outcome unknown ({error}); asking the venue {when}", logging.WARNING
        )
        if ask_now:
            await self.settle_unanswered(order)

    async def settle_unanswered(self, order: OrderData) -> None:
        """Ask the venue about an unanswered order until it says: the order as the venue has it (pushed with
        its fills by `ask_venue`), or REJECTED when it still has no such order after `rest_retries` more asks
        (a request still travelling inside the venue may land a little after the first ask). A venue that
        cannot answer leaves the order SUBMITTING; `reconcile` asks again when a private stream reopens."""
        missing = ""
        for attempt in range(self.timing.rest_retries + 1):
            if order.orderid not in self.unanswered:
                return  # settled meanwhile (another ask, or a reconcile)
            if attempt:
                await asyncio.sleep(self.timing.backoff.delay(attempt - 1))
            try:
                missing = await self.ask_venue(order)
            except TransportError as error:
                self.write_log(f"order {order.orderid}: the venue did not say whether it has it: {error}")
                if not self.answer_lost(error):
                    break  # refused, not lost: asking again the same way will not help
                continue
            if not missing:
                self.unanswered.pop(order.orderid, None)
                return
        if missing:
            self.reject_unanswered(order.orderid, missing)
        else:
            self.write_log(
                f"order {order.orderid}: still unknown; it stays submitting and is asked about again when "
                "the private stream reconnects",
                logging.WARNING,
            )

    def on_order(self, order: OrderData) -> None:
        """Push an order (the tracker calls this with every state it accepts). A final one leaves
        `unanswered`, however it ended (a push, an answer): nothing is left to ask the venue about it."""
        if not order.is_active():
            self.unanswered.pop(order.orderid, None)
        super().on_order(order)

    def reject_unanswered(self, orderid: str, missing: str) -> None:
        """The venue says it has no such order (`missing`, in its words): an unanswered order that nothing
        has moved since it was sent (still SUBMITTING, nothing traded) was never placed, and is REJECTED."""
        why = self.unanswered.pop(orderid, None)
        order = self.orders.get(orderid)
        if why is None or order is None or order.status != Status.SUBMITTING or order.traded:
            return
        self.orders.update(
            orderid, Status.REJECTED, reason=f"{missing} (the order request got no answer: {why})"
        )

    async def ask_venue(self, order: OrderData) -> str:
        """Ask the venue about an order by its client order id, and push what it says (the order and the
        fills missed). Returns "" when the venue has the order, else the venue's words that it has none;
        raises TransportError when it cannot say. Venues that call `order_answer_lost` implement it."""
        raise TransportError(f"{self.gateway_name} cannot ask the venue about order {order.orderid}")

    # ---- lifecycle (loop thread)

    async def _start(self) -> None:
        if self.contracts_ready is None:
            self.contracts_ready = asyncio.Event()
        self.private_streams_ready = asyncio.Event()
        self.connect_failure = ""
        self._fronts.clear()
        try:
            await self.start()
        except Exception as error:
            await self._fail_connect(self.explain_connect_failure(error))

    async def _fail_connect(self, reason: str) -> None:
        """A connect that did not finish leaves nothing looking connected: the streams it opened are closed,
        and every front (or "rest" when none opened) says "connect failed" with the reason; orders are then
        refused with it until close() and a new connect()."""
        self.connect_failure = mask_secrets(reason)
        for socket in self.sockets():
            await socket.close()
        for front in self._fronts or ["rest"]:
            self.state(front, "connect failed", self.connect_failure)
        self.write_log(f"connect failed: {self.connect_failure}", logging.ERROR)

    def explain_connect_failure(self, error: BaseException) -> str:
        """What the user reads when connect fails: the venue's code and message, or the error; a venue says
        which setting is wrong where its code tells."""
        return order_reason(error) if isinstance(error, VenueError) else _describe(error)

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
            if self.private_streams_ready is not None:
                self.private_streams_ready.set()
        else:
            self.write_log("market data only (no API key)")
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

    def on_rest_headers(self, headers: Mapping[str, str]) -> None:
        """Every REST answer's headers (venues that report their usage override this)."""

    def rest_headers(self) -> dict[str, str]:
        """Headers sent with every REST request (e.g. a demo-trading flag)."""
        return {}

    async def after_streams_closed(self) -> None:
        """Release what the streams held at the venue (e.g. a listenKey) after they closed."""

    # ------------------------------------------------------------------ the venue's part

    @abstractmethod
    def apply_setting(self, setting: dict[str, Any]) -> None:
        """Validate and keep the setting (`parse_common_settings` + the venue's keys); ValueError if bad."""

    @abstractmethod
    def rest_url(self) -> str:
        """The REST root URL for the configured server."""

    @abstractmethod
    def rate_limits(self) -> dict[str, RateLimit]:
        """The venue's request buckets by name (`RestRequest.costs` names them)."""

    @abstractmethod
    def sign_request(self, request: RestRequest) -> None:
        """Add the venue's authentication to a signed request, in place."""

    @abstractmethod
    def parse_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
        """A REST answer's typed error, None for a success (usually the venue's `parse.parse_error`)."""

    @abstractmethod
    async def fetch_server_time(self) -> int:
        """The venue's clock in ms since the epoch."""

    @abstractmethod
    async def load_contracts(self) -> None:
        """Fetch the instruments and `add_contract` each (and record its `steps`)."""

    @abstractmethod
    def open_public_streams(self) -> None:
        """Open the market-data sockets (`open_socket`)."""

    @abstractmethod
    def open_private_streams(self) -> None:
        """Open the account sockets; their on-open callback authenticates, then calls
        `private_stream_opened`."""

    @abstractmethod
    def sockets(self) -> list[WebSocketClient]:
        """Every socket opened, for waiting on them and closing them."""

    @abstractmethod
    async def load_open_orders(self) -> None:
        """Fetch the open orders at connect and push them through `self.orders`."""

    @abstractmethod
    async def subscribe_market(self, symbol: str) -> None:
        """Subscribe a symbol's market streams (its TickState exists already)."""

    @abstractmethod
    async def unsubscribe_market(self, symbol: str) -> None:
        """Unsubscribe a symbol's market streams."""

    @abstractmethod
    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        """Send an order; a TransportError or ValueError raised here rejects it with that reason, any other
        exception with an unknown outcome."""

    @abstractmethod
    async def cancel_venue_order(self, req: CancelRequest) -> None:
        """Ask the venue to cancel; a VenueError raised here is logged as a refused cancel."""

    async def reconcile_order(self, order: OrderData) -> None:
        """Ask the venue for an active order's state and the fills missed, and push them: `ask_venue`, with
        what it cannot say logged. A venue that asks otherwise overrides this."""
        try:
            missing = await self.ask_venue(order)
        except TransportError as error:
            why = error.venue_message if isinstance(error, VenueError) else str(error)
            self.write_log(f"reconcile {order.orderid}: {why}", logging.WARNING)
            return
        if missing:
            self.write_log(f"reconcile {order.orderid}: {missing}", logging.WARNING)

    @abstractmethod
    async def fetch_account(self) -> None:
        """Fetch balances and `push_account` each."""

    @abstractmethod
    async def fetch_positions(self) -> None:
        """Fetch positions and push each (a venue without positions does nothing)."""

    @abstractmethod
    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        """Bars for `req`, oldest first."""


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
