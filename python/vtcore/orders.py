"""`OrderTracker`: the one rule set for the order and trade updates a gateway pushes.

Every gateway hears about its orders from more than one place: its own `send_order`, the venue's answers,
pushed reports, queries after a reconnect, a private flow replayed from the start of the day. They arrive
late, twice and out of order. The tracker decides which of them reach the engine:

- an order's status never goes back: an update is pushed only when it moves the order forward (more traded,
  or a later status with the same traded: SUBMITTING < NOTTRADED < PARTTRADED < a final status), so a late
  NOTTRADED after PARTTRADED is dropped, and so is anything after a final status that adds no fill;
- a report that adds fills is never lost: after a final status it keeps the final status (a fill reported
  after the cancel is kept, the order stays CANCELLED), a lower status with more traded keeps the higher one;
- a repeat of the last pushed state (a replay after a reconnect) is dropped;
- a REJECTED order always says why, in `order.extra["reason"]` (and the log);
- each trade is pushed once, keyed by (exchange, symbol, direction, trade id), so a replay is dropped and
  two exchanges' (or two symbols') equal trade ids are two trades; with `trade_ids="exchange"` the pushed
  `tradeid` is prefixed with the exchange ("SHFE.1") so that `vt_tradeid` is unique too, for gateways that
  reach several exchanges whose trade ids are numbered apart (CTP and the other China SDKs).

The tracker never mutates an object it was given or pushed; objects it changes are copies. It is thread-safe
(an SDK's callback thread and a user's request thread may both report) and pushes under its lock, so two
updates of one order reach the engine in the order the tracker accepted them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import operator
import threading
from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeVar

from vtcore.constant import FINAL_STATUSES, Direction, Exchange, Status
from vtcore.log import mask_secrets
from vtcore.object import OrderData, TradeData

__all__ = ["STATUS_RANK", "OrderTracker", "TradeIds"]

#: how far along an order is; every final status ranks the same (none follows another)
STATUS_RANK: dict[Status, int] = {
    Status.SUBMITTING: 0,
    Status.NOTTRADED: 1,
    Status.PARTTRADED: 2,
    Status.ALLTRADED: 3,
    Status.CANCELLED: 3,
    Status.REJECTED: 3,
}

#: "account": the venue's trade ids are unique in the account, pushed as they are; "exchange": unique per
#: exchange only, pushed as "<EXCHANGE>.<id>"
TradeIds = Literal["account", "exchange"]


class _Pushes(Protocol):
    """What the tracker needs of its gateway (BaseGateway has all three)."""

    gateway_name: str

    def on_order(self, order: OrderData) -> None: ...

    def on_trade(self, trade: TradeData) -> None: ...

    def write_log(self, msg: str, level: int = ...) -> None: ...


class OrderTracker:
    """The orders and trades of one gateway as pushed so far, and the rules for pushing more."""

    def __init__(self, gateway: _Pushes, *, trade_ids: TradeIds = "account") -> None:
        self.gateway = gateway
        self.trade_ids: TradeIds = trade_ids
        self._lock = threading.RLock()
        self._orders: dict[str, OrderData] = {}
        self._trades: set[tuple[Exchange, str, Direction | None, str]] = set()

    # -- orders -------------------------------------------------------------------------------------------

    def order(self, order: OrderData) -> OrderData | None:
        """Push `order` if it moves its order forward; returns what was pushed (None: dropped as stale or a
        repeat). A report with more fills than known is always pushed, with the higher of the two statuses."""
        with self._lock:
            accepted = self._accept(order)
            if accepted is not None:
                self.gateway.on_order(accepted)
            return accepted

    def update(
        self,
        orderid: str,
        status: Status,
        *,
        traded: float | None = None,
        moment: dt.datetime | None = None,
        reason: str = "",
        template: OrderData | None = None,
    ) -> OrderData | None:
        """Move a known order (or `template`, for one first heard of here) to `status` and push it under the
        rules of `order`; `reason` (why the venue rejected, cancelled or expired it) goes into
        `extra["reason"]` and the log, which has it before the order is pushed. Returns what was pushed, None
        when nothing was."""
        with self._lock:
            current = self._orders.get(orderid, template)
            if current is None:
                return None
            updated = _copy(
                current,
                status=status,
                traded=current.traded if traded is None else traded,
                datetime=moment or current.datetime or dt.datetime.now(dt.timezone.utc),
            )
            if reason:
                reason = mask_secrets(reason)
                updated.extra = {**(updated.extra or {}), "reason": reason}
            accepted = self._accept(updated)
            if accepted is None:
                return None
            if reason:
                level = logging.WARNING if status == Status.REJECTED else logging.INFO
                what = f"order {accepted.vt_orderid} ({accepted.vt_symbol}) {status.value.lower()}"
                self.gateway.write_log(f"{what}: {reason}", level)
            self.gateway.on_order(accepted)
            return accepted

    def advance(
        self,
        orderid: str,
        status: Status,
        traded: float,
        *,
        volume: float,
        price: float,
        when: Any,
        time_of: Callable[[Any], dt.datetime | None],
    ) -> bool:
        """The short way for a report that leaves a known order working (`StockGateway.order_moved`), in one
        hold of the lock: when the order was pushed with this `volume` and `price`, it moves to `status` and
        `traded` at `time_of(when)` (read only then) under the rules of `order`, and True is returned (also
        for a repeat, which pushes nothing). False, with nothing done, when it is not known here or its
        figures differ: the report then takes the full way."""
        with self._lock:
            known = self._orders.get(orderid)
            if known is None or known.volume != volume or known.price != price:
                return False
            if known.status is status and known.traded == traded:
                return True
            moment = time_of(when) or known.datetime or dt.datetime.now(dt.timezone.utc)
            accepted = self._accept(_copy(known, status=status, traded=traded, datetime=moment))
            if accepted is not None:
                self.gateway.on_order(accepted)
            return True

    def reject(self, order: OrderData, reason: str) -> OrderData | None:
        """Push `order` (or the known state of its id) as REJECTED with `reason`, logged as a warning."""
        return self.update(order.orderid, Status.REJECTED, reason=reason, template=order)

    def get(self, orderid: str) -> OrderData | None:
        """The last pushed state of an order, None when none was pushed."""
        with self._lock:
            return self._orders.get(orderid)

    def is_repeat(self, orderid: str, status: Status, traded: float, volume: float, price: float) -> bool:
        """True when a report of `orderid` with these figures would be dropped as a repeat (the rule of
        `order`), so a gateway need not build its OrderData: an SDK's first report of an order sent here
        (XTP's INIT, TORA's unknown status) only restates SUBMITTING."""
        with self._lock:
            previous = self._orders.get(orderid)
        return (
            previous is not None
            and previous.status is status
            and previous.traded == traded
            and previous.volume == volume
            and previous.price == price
        )

    def is_final(self, orderid: str) -> bool:
        with self._lock:
            order = self._orders.get(orderid)
            return order is not None and order.status in FINAL_STATUSES

    def active_orders(self) -> list[OrderData]:
        """The orders whose last pushed state is not final, in the order they were first pushed."""
        with self._lock:
            return [order for order in self._orders.values() if order.status not in FINAL_STATUSES]

    # -- trades -------------------------------------------------------------------------------------------

    def trade(self, trade: TradeData) -> TradeData | None:
        """Push `trade` unless the same trade was pushed before; returns what was pushed, None when it was a
        repeat. A trade is pushed whatever its order's status (a fill reported after the cancel is real)."""
        key = (trade.exchange, trade.symbol, trade.direction, trade.tradeid)
        with self._lock:
            if key in self._trades:
                return None
            self._trades.add(key)
            if self.trade_ids == "exchange":
                trade = _copy(trade, tradeid=f"{trade.exchange.value}.{trade.tradeid}")
            self.gateway.on_trade(trade)
            return trade

    def clear(self) -> None:
        """Forget every order and trade (a new trading day on a gateway object that lives on)."""
        with self._lock:
            self._orders.clear()
            self._trades.clear()

    def _accept(self, order: OrderData) -> OrderData | None:
        """Record and return what to push for `order` (None: nothing); called with the lock held."""
        previous = self._orders.get(order.orderid)
        if previous is not None:
            merged = _forward(previous, order)
            if merged is None:
                if previous.status == Status.REJECTED and order.status != Status.REJECTED:
                    # the venue reports alive (or done) an order shown as rejected: the user must hear of it
                    self.gateway.write_log(
                        f"order {order.vt_orderid}: {order.status.value} reported after it was rejected "
                        f"({(previous.extra or {}).get('reason', '')}); the report is dropped",
                        logging.WARNING,
                    )
                return None
            order = merged
        if order.status == Status.REJECTED and not (order.extra and order.extra.get("reason")):
            order = _copy(order)
            order.extra = {**(order.extra or {}), "reason": f"rejected by {self.gateway.gateway_name}"}
        self._orders[order.orderid] = order
        return order


def _forward(previous: OrderData, new: OrderData) -> OrderData | None:
    """What to push when `new` reports an order last pushed as `previous`; None: nothing."""
    more_traded = new.traded > previous.traded
    if previous.status in FINAL_STATUSES:
        if not more_traded:
            return None
        if new.status not in FINAL_STATUSES:  # fills the final report did not count yet: stay final
            return _copy(new, status=previous.status)
        return new
    if new.traded < previous.traded:
        if new.status in FINAL_STATUSES:  # an end reported with a stale fill count: the end, with the fills
            return _copy(new, traded=previous.traded)
        return None
    rank, previous_rank = STATUS_RANK[new.status], STATUS_RANK[previous.status]
    if rank < previous_rank:
        return _copy(new, status=previous.status) if more_traded else None
    if (
        rank == previous_rank
        and not more_traded
        and new.status == previous.status
        and (new.volume, new.price) == (previous.volume, previous.price)
    ):
        return None  # a repeat (a replayed report)
    return new


_Data = TypeVar("_Data", OrderData, TradeData)


#: per class, its constructor arguments read in one C-level call (the field order is the positional one)
_ARGUMENTS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _copy(data: _Data, **changes: Any) -> _Data:
    """A changed copy that keeps `extra` (not a constructor argument); the copy gets its own `extra` dict.

    Built positionally, then changed: a quarter of `dataclasses.replace`'s cost, and every report of a known
    order that moves it forward makes one."""
    cls = type(data)
    arguments = _ARGUMENTS.get(cls)
    if arguments is None:
        names = [field.name for field in dataclasses.fields(cls) if field.init]
        arguments = _ARGUMENTS[cls] = operator.attrgetter(*names)
    copied = cls(*arguments(data))
    for name, value in changes.items():
        setattr(copied, name, value)
    copied.extra = dict(data.extra) if data.extra else None
    return copied
