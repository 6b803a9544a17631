"""What a C++ SDK gateway shares beyond its fronts: the timer, contracts, symbol and order checks, positions.

`SdkGateway` is the base of the gateways on the kit's typed messages (through `_sdk.futures.FuturesGateway`
for the CTP-shaped ones: `ThostGateway` for CTP and CTP-Mini, FEMAS; TAP; `StockGateway` for XTP, TORA, OES):
a subclass names its fronts (`fronts()`), drives its queries from `on_timer(now)` (the base checks the fronts'
connect timeouts first; `poll(now, idle)` asks for the account and the positions in turn), and keeps its SDK's
codes in its own mapping (`known(table, code, what, nearest)` maps one and says once when a code has no
vtcore value). It holds the gateway lock (`lock`: request
methods run on any thread, callbacks on the engine thread), the contracts (keyed by `contract_key`), the
`OrderTracker` (`trade_ids="exchange"`: these SDKs number trades per exchange) and `PositionBatch`.

One close rule: `opened()` when a connect starts, `close()` stops the timer and every front and sets `closed`,
after which requests are refused with `CLOSED_REASON` until the next connect.

Its fronts are `vtcore.gateways._sdk.front.Front`s (callbacks reach snake-case handlers with typed messages);
`subscribe_on`/`unsubscribe_on` serve a market-data front that keeps its subscriptions (Thost family, FEMAS).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from logging import ERROR, WARNING
from typing import Any, ClassVar, TypeVar

from vtcore.constant import Direction, Exchange
from vtcore.errors import SdkUnavailableError, SettingsError
from vtcore.event import EVENT_TIMER, Event, EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways._sdk.front import CLOSED, CLOSED_REASON, Front, request_result
from vtcore.gateways._sdk.messages import Message
from vtcore.gateways._sdk.structs import RequestShapes, SdkStruct
from vtcore.object import (
    AccountData,
    ContractData,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    check_request,
)
from vtcore.orders import OrderTracker
from vtcore.records import TICK_SYMBOL_SIZE

PositionKey = tuple[str, Exchange, Direction]
_Code = TypeVar("_Code")
_Value = TypeVar("_Value")


def fit_setting(title: str, key: str, struct: SdkStruct, field: str, value: Any) -> None:
    """Set `struct.field` to setting `key`'s value; a value that does not fit (too long for its char[N]) is a
    SettingsError naming the setting and the field."""
    try:
        setattr(struct, field, value)
    except ValueError as exc:
        raise SettingsError(f"{title} setting {key!r} does not fit: {exc}") from None


def check_setting_fits(
    title: str, setting: object, fields: Iterable[tuple[type[SdkStruct], str, str]]
) -> None:
    """Refuse a setting that does not fit the SDK's structs before anything is sent (a password longer than
    its char[N] would otherwise fail on the engine thread at every reconnect). `fields`: (struct class, its
    field, the setting's attribute sent in it)."""
    for struct_class, field, key in fields:
        fit_setting(title, key, struct_class(), field, getattr(setting, key))


def session_orderid(orderid: str) -> tuple[int, int, int] | None:
    """(front, session, order ref) of an order id "<front>_<session>_<ref>" (how the Thost-shaped SDKs name an
    order), or None when `orderid` is not one: each part a decimal number (isdecimal: "²" is a digit int()
    refuses) that fits the SDK's 32-bit fields."""
    parts = orderid.split("_")
    if len(parts) != 3:
        return None
    numbers = []
    for part in parts:
        digits = part[1:] if part.startswith("-") else part
        if not (digits.isascii() and digits.isdecimal()):
            return None
        number = int(part)
        if not -(2**31) <= number < 2**31:
            return None
        numbers.append(number)
    return numbers[0], numbers[1], numbers[2]


class EarlyTrades:
    """Trade reports that came before their order's report, kept by the key both reports carry (the exchange
    and its order id: (exchange, OrderSysID)) until the order's report names the order: a trade is never
    pushed under an order id made up from the key, nor dropped. Not locked: the gateway calls it under its
    `lock`."""

    def __init__(self) -> None:
        self._trades: dict[Any, list[Any]] = {}
        self._since: dict[Any, float] = {}  # when the first trade of a key began waiting (until said once)

    def keep(self, key: Any, trade: Any) -> None:
        if key not in self._trades:
            self._since[key] = time.monotonic()
        self._trades.setdefault(key, []).append(trade)

    def release(self, key: Any) -> list[Any]:
        """The trades waiting for the order `key` names (now known), in arrival order; none are kept after."""
        if not self._trades:  # the usual case: nothing waits
            return []
        self._since.pop(key, None)
        return self._trades.pop(key, [])

    def overdue(self, now: float, timeout: float) -> list[tuple[Any, float]]:
        """(key, seconds waited) of the keys whose trades have waited more than `timeout`, each said once (the
        trades are still kept)."""
        late = [(key, now - since) for key, since in self._since.items() if now - since > timeout]
        for key, _ in late:
            del self._since[key]
        return late

    def __bool__(self) -> bool:  # read on every order report: whether any trade waits at all
        return bool(self._trades)


class PositionBatch:
    """Positions arrive as one record per query answer and the last is flagged: this collects one answer
    and pushes it whole, with a zero position for every key pushed before that the answer no longer has
    (closed)."""

    def __init__(self, gateway: BaseGateway) -> None:
        self.gateway = gateway
        self._building: dict[PositionKey, PositionData] = {}
        self._pushed: set[PositionKey] = set()

    def position(self, symbol: str, exchange: Exchange, direction: Direction) -> PositionData:
        """The position being built for that key (created empty)."""
        key = (symbol, exchange, direction)
        position = self._building.get(key)
        if position is None:
            position = PositionData(
                gateway_name=self.gateway.gateway_name, symbol=symbol, exchange=exchange, direction=direction
            )
            self._building[key] = position
        return position

    def add(self, position: PositionData) -> None:
        """A record that is a whole position (it replaces what was built for its key)."""
        self._building[(position.symbol, position.exchange, position.direction)] = position

    def discard(self) -> None:
        """A failed answer: nothing of it is pushed (a failed query must not zero what it did not report)."""
        self._building = {}

    def complete(self) -> dict[PositionKey, PositionData]:
        """The answer is complete: what `finish` pushes, with a zero position for each key that is gone."""
        batch, self._building = self._building, {}
        for key in self._pushed - batch.keys():
            batch[key] = PositionData(
                gateway_name=self.gateway.gateway_name, symbol=key[0], exchange=key[1], direction=key[2]
            )
        self._pushed = {key for key, position in batch.items() if position.volume}
        return batch

    def changed(self, position: PositionData) -> None:
        """One position reported on its own when it changes (between answers): pushed at once, and the next
        answer zeroes it if it no longer lists it."""
        key = (position.symbol, position.exchange, position.direction)
        if position.volume:
            self._pushed.add(key)
        else:
            self._pushed.discard(key)
        self.gateway.on_position(position)

    def push(self, batch: dict[PositionKey, PositionData]) -> None:
        for position in batch.values():
            self.gateway.on_position(position)

    def finish(self) -> None:
        self.push(self.complete())


class SdkGateway(BaseGateway):
    """The shared half of the gateways on the kit's typed messages (see the module docstring)."""

    title: ClassVar[str] = ""
    exchanges: ClassVar[list[Exchange]] = []
    exchange_codes: ClassVar[Mapping[Any, Exchange]] = {}  # the SDK's exchange codes (see exchange_of)
    connect_timeout: float = 10.0  # seconds without any answer from a front before "timeout" is reported
    query_interval: float = 2.0  # seconds between account / position polls

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name or self.default_name)
        self.lock = threading.RLock()
        self.contracts: dict[str, ContractData] = {}
        self.orders = OrderTracker(self, trade_ids="exchange")
        self.positions = PositionBatch(self)
        #: prepared request structs per kind of order: a send copies one and sets price, volume, reference
        self._order_shapes = RequestShapes()
        self._nearest_logged: set[str] = set()
        self._timer_registered = False
        self._last_poll = 0.0
        self._poll_account_next = True
        self.closed = False  # set by close(): requests are refused until the next connect()
        #: trades reported before their order's report, by the key both carry (`EarlyTrades`; under `lock`)
        self.early_trades = EarlyTrades()

    # -- what a subclass gives ----------------------------------------------------------------------------

    def fronts(self) -> tuple[Front, ...]:
        raise NotImplementedError

    def on_timer(self, now: float) -> None:
        """Queries and polls, once per timer event (after the connect timeouts were checked)."""

    def close_fronts(self) -> None:
        """Stop every front (in turn; a subclass may stop them at once)."""
        for front in self.fronts():
            front.close()

    # -- timer, polling and closing -------------------------------------------------------------------------

    @contextmanager
    def connect_errors(self) -> Iterator[None]:
        """Around a connect's first steps (the binding, the settings, the libraries): a missing SDK or a bad
        setting is logged ("cannot connect: ...") and raised, before anything was started."""
        try:
            yield
        except (SdkUnavailableError, SettingsError) as exc:
            self.write_log(f"cannot connect: {exc}", ERROR)
            raise

    def start_fronts(self, *plans: tuple[Front, Callable[[], bool], Callable[[bool], None]]) -> None:
        """Start the fronts of a connect, each given as (front, create, begin): every front's API object is
        made first (`create()`: the library loaded and checked, nothing started; False when it existed
        already), then each is started (`begin(created)`). A library refused (SdkUnavailableError) leaves no
        front running: the ones made before it are released unstarted, as front.py's rule says (else a trade
        front would log in beside a market-data library that was refused)."""
        made: list[tuple[Front, bool, Callable[[bool], None]]] = []
        for front, create, begin in plans:
            try:
                created = create()
            except SdkUnavailableError as exc:
                for earlier, earlier_created, _ in made:
                    if earlier_created:  # made, never started
                        earlier.close("unavailable", f"not started: {exc}")
                raise
            made.append((front, created, begin))
        for _, created, begin in made:
            begin(created)

    def opened(self) -> None:
        """A connect starts: requests are accepted again and the timer runs."""
        self.closed = False
        self.start_timer()

    def start_timer(self) -> None:
        if not self._timer_registered:
            self.event_engine.register(EVENT_TIMER, self._on_timer)
            self._timer_registered = True

    def stop_timer(self) -> None:
        if self._timer_registered:
            self.event_engine.unregister(EVENT_TIMER, self._on_timer)
            self._timer_registered = False

    def _on_timer(self, event: Event) -> None:
        now = time.monotonic()
        for front in self.fronts():
            front.check_timeout(now, self.connect_timeout)
        self.on_timer(now)
        if self.early_trades:
            self._say_overdue_trades(now)

    def _say_overdue_trades(self, now: float) -> None:
        """Say once per order that its trades have waited `connect_timeout` for its report (still kept)."""
        with self.lock:
            late = self.early_trades.overdue(now, self.connect_timeout)
        for key, waited in late:
            parts = key if isinstance(key, tuple) else (key,)
            named = " ".join(str(getattr(part, "value", part)) for part in parts)  # Exchange -> its code
            self.write_log(
                f"trade(s) of order {named} have waited {waited:.0f} s for the order report; they are kept "
                "and pushed when it arrives",
                WARNING,
            )

    def poll(self, now: float, idle: bool) -> None:
        """Every `query_interval` while the trade front is `idle` (ready, no query waiting): the account and
        the positions in turn (`query_account` / `query_position`)."""
        if not idle or now - self._last_poll < self.query_interval:
            return
        self._last_poll = now
        (self.query_account if self._poll_account_next else self.query_position)()
        self._poll_account_next = not self._poll_account_next

    def close(self) -> None:
        """Stop every front. Returns in bounded time whatever other threads do: requests that start from now
        on are refused at once."""
        # No lock is taken (request threads hold it back to back): a send that checked `closed` just before
        # finds the API object gone and becomes REJECTED (Front.request returns CLOSED).
        self.closed = True
        self.stop_timer()
        self.close_fronts()

    # -- codes and checks ------------------------------------------------------------------------------------

    def nearest(self, what: str) -> None:
        """Say once that a reported code had no exact vtcore member (the gateway used the nearest)."""
        if what not in self._nearest_logged:
            self._nearest_logged.add(what)
            self.write_log(f"{self.title} reported {what}; mapped to the nearest vtcore value", WARNING)

    def known(self, table: Mapping[_Code, _Value], code: _Code, what: str, nearest: _Value) -> _Value:
        """`table[code]`, or `nearest` when the SDK reported a code vtcore has no value for (said once)."""
        value = table.get(code)
        if value is None:
            self.nearest(f"{what} {code!r}")
            return nearest
        return value

    def exchange_of(self, code: Any) -> Exchange:
        """The exchange an SDK code names (`exchange_codes`), LOCAL when it names none vtcore knows."""
        return self.known(self.exchange_codes, code, "exchange", Exchange.LOCAL)

    def contract_key(self, symbol: str, exchange: Exchange) -> str:
        """The key of `contracts`: the symbol (a China futures symbol names one exchange's contract)."""
        return symbol

    def symbol_problem(
        self, symbol: str, exchange: Exchange, contracts_loaded: bool, *, ticks: bool = False
    ) -> str:
        """Why `symbol` on `exchange` cannot be used (for market data when `ticks`), or ""."""
        if exchange not in self.exchanges:
            return f"exchange {exchange.value} is not traded through {self.title}"
        if not symbol:
            return "empty symbol"
        if ticks and len(symbol.encode()) > TICK_SYMBOL_SIZE:  # the C++ side would refuse each of its ticks
            return f"symbols of more than {TICK_SYMBOL_SIZE} bytes do not fit a tick record"
        contract = self.contracts.get(self.contract_key(symbol, exchange))
        if contracts_loaded and contract is None:
            return f"unknown symbol {symbol}"
        if contract is not None and contract.exchange != exchange:
            return f"{symbol} is listed on {contract.exchange.value}, not {exchange.value}"
        return ""

    @staticmethod
    def amount_problem(req: OrderRequest, *, price_needed: bool = True) -> str:
        """Why the order's volume or price cannot be sent, or ""."""
        volume = req.volume
        if not isinstance(volume, (int, float)) or not math.isfinite(volume) or volume <= 0:
            return f"volume must be a positive number, not {volume!r}"
        if volume != int(volume) or volume > 2**31 - 1:
            return f"volume must be a whole number of lots, not {volume!r}"
        price = req.price
        if not isinstance(price, (int, float)) or not math.isfinite(price) or price < 0:
            return f"price must be a finite number >= 0, not {price!r}"
        if price_needed and price <= 0:
            return f"a {req.type.value} order needs a price > 0"
        return ""

    # -- market data on a front that keeps its subscriptions (Thost family, FEMAS) ------------------------

    def subscribe_on(self, md: Any, req: SubscribeRequest, contracts_loaded: bool) -> None:
        """Subscribe `req` on market-data front `md` (its `subscribed` table is restored after every login;
        `send_subscribe(items)` sends now when logged in)."""
        check_request(req)  # TypeError / ValueError for a bad field, as for send_order
        problem = (
            CLOSED_REASON
            if self.closed
            else self.symbol_problem(req.symbol, req.exchange, contracts_loaded, ticks=True)
        )
        if problem:
            self.write_log(f"cannot subscribe {req.vt_symbol}: {problem}", ERROR)
            return
        md.subscribed[req.symbol] = req.exchange
        if md.logged_in:
            try:
                md.send_subscribe([(req.symbol, req.exchange)])
            except ValueError as exc:  # a symbol longer than the SDK's InstrumentID
                md.subscribed.pop(req.symbol, None)
                self.write_log(f"cannot subscribe {req.vt_symbol}: {exc}", ERROR)

    def unsubscribe_on(self, md: Any, req: SubscribeRequest) -> None:
        check_request(req)
        if md.subscribed.pop(req.symbol, None) is None:
            self.write_log(f"{req.vt_symbol} was not subscribed", WARNING)
            return
        api = md.api
        if md.logged_in and api is not None:
            try:
                result = api.unsubscribe([req.symbol])
            except RuntimeError:  # released by close() meanwhile
                result = CLOSED
            if result != 0:
                self.write_log(f"unsubscribe {req.vt_symbol} failed: {request_result(result)}", ERROR)

    def cancel_sent(self, orderid: str, request: str, result: int) -> None:
        """Log a cancel request the SDK did not take (`result` != 0: CLOSED after close(), else its code); a
        taken one is answered by the order's report."""
        if result == CLOSED:
            self.write_log(f"cannot cancel {orderid}: {CLOSED_REASON}", ERROR)
        elif result != 0:
            self.write_log(f"cancel of {orderid} failed: {request} returned {request_result(result)}", ERROR)

    def reject(self, order: OrderData, reason: str) -> None:
        """Push `order` REJECTED with the reason (`extra["reason"]` and the log)."""
        self.orders.reject(order, reason)

    # -- account and positions ------------------------------------------------------------------------------

    def push_account(
        self, accountid: str, balance: float, frozen: float, available: float | None = None
    ) -> None:
        """Push the account: `available` as the SDK reports it, else vn.py's balance - frozen."""
        account = AccountData(
            gateway_name=self.gateway_name, accountid=accountid, balance=balance, frozen=frozen
        )
        if available is not None:
            account.available = available
        self.on_account(account)

    def position_message(self, message: Message, what: str, add: Callable[[Any], None]) -> None:
        """One callback of a position answer: a failed answer is logged and dropped whole (it must not zero
        the positions it did not report), each record goes to `add`, the last one ends the answer."""
        if self.log_error(message, what):
            self.discard_positions()
            return
        if message.data is not None:
            add(message.data)
        if message.is_last:
            self.positions_done()

    def discard_positions(self) -> None:
        self.positions.discard()

    def positions_done(self) -> None:
        """The answer is complete: push it (`PositionBatch.finish`)."""
        self.positions.finish()

    def log_error(self, message: Message, what: str) -> bool:
        """Log a callback's error (True when there was one)."""
        if message.error is None:
            return False
        self.write_log(f"{what} failed: {message.error_text}", ERROR)
        return True


__all__ = [
    "EarlyTrades",
    "PositionBatch",
    "SdkGateway",
    "check_setting_fits",
    "fit_setting",
    "session_orderid",
]
