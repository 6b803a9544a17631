"""A small matching core shared by the local venues: the venue-neutral part of "an order rests, fills,
cancels".

The market outside the user's own orders is a depth book the test sets (`set_book`) plus market trades the
test prints (`print_trade`). A taking order matches the book level by level (consuming it); what is left of a
GTC limit order rests until a printed trade crosses it (the user's order is then the maker). A stop order
(`working=False`) waits without matching until the venue's trigger price (`trigger`: the last price, or the
mark price where the venue offers that) reaches its `stop_price`; it then matches as a new order would. Each
state change is reported as an `Execution` to the venue, which renders it in the venue's own message shape.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass
class SimOrder:
    order_id: int
    client_id: str
    account: str
    symbol: str
    side: str  # "BUY" / "SELL"
    kind: str  # "LIMIT" / "MARKET"
    tif: str  # "GTC" / "IOC" / "FOK" / "POST_ONLY"
    price: Decimal
    quantity: Decimal
    filled: Decimal = ZERO
    filled_quote: Decimal = ZERO
    status: str = "NEW"  # NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED
    created_ms: int = 0
    updated_ms: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    #: a stop order waits (not working) until the trigger price reaches stop_price from below
    #: (trigger_above) or from above, then works as a LIMIT/MARKET order of its kind
    working: bool = True
    stop_price: Decimal = ZERO
    trigger_above: bool = True
    trigger_on: str = "last"  # which price triggers it: "last" or "mark"

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled

    @property
    def active(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")

    @property
    def average_price(self) -> Decimal:
        return self.filled_quote / self.filled if self.filled else ZERO

    def triggered_by(self, price: Decimal) -> bool:
        return price >= self.stop_price if self.trigger_above else price <= self.stop_price


@dataclass(frozen=True)
class SimFill:
    trade_id: int
    price: Decimal
    quantity: Decimal
    maker: bool
    time_ms: int


@dataclass(frozen=True)
class Execution:
    """`kind`: NEW, TRIGGERED (a stop order starts working), AMENDED (new price/quantity), TRADE, CANCELED,
    EXPIRED (a snapshot of the order travels with it)."""

    kind: str
    order: SimOrder
    fill: SimFill | None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class MatchingCore:
    def __init__(self, on_execution: Callable[[Execution], None]) -> None:
        self._on_execution = on_execution
        self._lock = threading.RLock()
        self.books: dict[str, tuple[list[list[Decimal]], list[list[Decimal]]]] = {}
        self.orders: dict[int, SimOrder] = {}
        self.fills: dict[int, list[SimFill]] = {}
        self._order_ids = itertools.count(1_000_001)
        self._trade_ids = itertools.count(5_000_001)

    def next_order_id(self) -> int:
        return next(self._order_ids)

    def set_book(self, symbol: str, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> None:
        with self._lock:
            self.books[symbol] = (
                sorted(([Decimal(p), Decimal(q)] for p, q in bids), key=lambda level: -level[0]),
                sorted(([Decimal(p), Decimal(q)] for p, q in asks), key=lambda level: level[0]),
            )

    def book(self, symbol: str) -> tuple[list[list[Decimal]], list[list[Decimal]]]:
        return self.books.get(symbol, ([], []))

    def would_take(self, order: SimOrder) -> bool:
        bids, asks = self.book(order.symbol)
        opposite = asks if order.side == "BUY" else bids
        return bool(opposite) and _crosses(order, opposite[0][0])

    def place(self, order: SimOrder) -> None:
        """Accept `order` (already validated by the venue) and match it (a stop order waits instead)."""
        with self._lock:
            order.created_ms = order.updated_ms = now_ms()
            self.orders[order.order_id] = order
            self.fills[order.order_id] = []
            self._emit("NEW", order, None)
            if order.working:
                self._match(order)

    def place_cancelled(self, order: SimOrder) -> None:
        """Accept `order` and cancel it at once without matching: a post-only order that would have taken
        liquidity, on venues that accept such an order and then cancel it (NEW, then CANCELED)."""
        with self._lock:
            order.created_ms = order.updated_ms = now_ms()
            self.orders[order.order_id] = order
            self.fills[order.order_id] = []
            self._emit("NEW", order, None)
            self._finish(order, "CANCELED")

    def trigger(self, symbol: str, price: Decimal, source: str = "last") -> list[SimOrder]:
        """The `source` price of `symbol` is now `price`: every waiting stop order it reaches starts working
        (TRIGGERED) and matches like a new order. Returns them."""
        with self._lock:
            reached = [
                order
                for order in self.orders.values()
                if order.symbol == symbol
                and order.active
                and not order.working
                and order.trigger_on == source
                and order.triggered_by(price)
            ]
            for order in reached:
                order.working = True
                order.updated_ms = now_ms()
                self._emit("TRIGGERED", order, None)
                self._match(order)
            return reached

    def _match(self, order: SimOrder) -> None:
        with self._lock:
            bids, asks = self.book(order.symbol)
            opposite = asks if order.side == "BUY" else bids
            if order.tif == "FOK":
                available = sum((level[1] for level in opposite if _crosses(order, level[0])), ZERO)
                if available < order.quantity:
                    self._finish(order, "EXPIRED")
                    return
            while order.remaining > 0 and opposite and _crosses(order, opposite[0][0]):
                level = opposite[0]
                quantity = min(level[1], order.remaining)
                level[1] -= quantity
                if level[1] <= 0:
                    opposite.pop(0)
                self._fill(order, level[0], quantity, maker=False)
            if order.remaining > 0 and (order.kind == "MARKET" or order.tif in ("IOC", "FOK")):
                self._finish(order, "EXPIRED")

    def amend(self, order_id: int, price: Decimal, quantity: Decimal) -> SimOrder | None:
        """Give an active order a new price and total quantity (AMENDED); it matches again if it now
        crosses. None when it is unknown or no longer active."""
        with self._lock:
            order = self.orders.get(order_id)
            if order is None or not order.active or quantity <= order.filled:
                return None
            order.price, order.quantity = price, quantity
            order.updated_ms = now_ms()
            self._emit("AMENDED", order, None)
            if order.working:
                self._match(order)
            return order

    def cancel(self, order_id: int) -> SimOrder | None:
        """Cancel an active order; None when it is unknown or no longer active."""
        with self._lock:
            order = self.orders.get(order_id)
            if order is None or not order.active:
                return None
            self._finish(order, "CANCELED")
            return order

    def print_trade(self, symbol: str, price: str, quantity: str) -> None:
        """A trade on the market at `price`: resting user orders it crosses fill (as makers) at their
        price."""
        with self._lock:
            left = Decimal(quantity)
            trade_price = Decimal(price)
            for order in list(self.orders.values()):
                if left <= 0:
                    break
                if order.symbol != symbol or not order.active or not order.working:
                    continue
                crossed = order.price >= trade_price if order.side == "BUY" else order.price <= trade_price
                if not crossed:
                    continue
                quantity_filled = min(left, order.remaining)
                left -= quantity_filled
                self._fill(order, order.price, quantity_filled, maker=True)

    def _fill(self, order: SimOrder, price: Decimal, quantity: Decimal, *, maker: bool) -> None:
        fill = SimFill(next(self._trade_ids), price, quantity, maker, now_ms())
        order.filled += quantity
        order.filled_quote += price * quantity
        order.status = "FILLED" if order.remaining <= 0 else "PARTIALLY_FILLED"
        order.updated_ms = fill.time_ms
        self.fills[order.order_id].append(fill)
        self._emit("TRADE", order, fill)

    def _finish(self, order: SimOrder, status: str) -> None:
        order.status = status
        order.updated_ms = now_ms()
        self._emit(status, order, None)

    def _emit(self, kind: str, order: SimOrder, fill: SimFill | None) -> None:
        snapshot = SimOrder(**{name: getattr(order, name) for name in order.__dataclass_fields__})
        self._on_execution(Execution(kind, snapshot, fill))


def _crosses(order: SimOrder, level_price: Decimal) -> bool:
    if order.kind == "MARKET":
        return True
    return level_price <= order.price if order.side == "BUY" else level_price >= order.price
