"""What every A-share SDK gateway shares (XTP, TORA; OES next): the exchanges' order checks before anything is
sent, contracts that carry their trading rules, positions with the T+1 sellable volume, account and position
polling, and order and trade bookkeeping through one `OrderTracker`.

A gateway (`StockGateway` subclass) owns its fronts and the SDK calls; it uses:

* `add_security(...)` for each security its SDK lists (a ContractData, and the rules and price limits the
  order checks use);
* in `send_order`, under `self.lock`: `checked(req)` (side, market kind, or the reason the order is
  refused) -> `reject_locally(req, reason)` (REJECTED with the reason, nothing sent, a local order id
  "L<n>"), else send and `order_sent(req, orderid, side)` (SUBMITTING; a sell holds its shares against the
  sellable volume);
* for each order report `order_report(order, reason)` and each fill `trade_report(trade)`; orders end through
  the tracker (status never goes back, fills never lost), and an ended sell gives back its unfilled shares;
* for a position answer `position_answer(...)` per record and `positions_done()` after the last one (what was
  pushed before and is gone now is pushed as zero; the sellable volumes reset the order checks);
* `start_timer()` / `stop_timer()`: `on_timer(now)` every second on the engine thread (fronts' timeouts, the
  query pump, and `poll(now, idle)`: account and positions in turn through `query_account`/`query_position`).
"""

from __future__ import annotations

import itertools
import threading
import time
from logging import ERROR, INFO, WARNING
from typing import ClassVar

from vtcore.constant import FINAL_STATUSES, Direction, Exchange, Product
from vtcore.event import EVENT_TIMER, Event, EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways._sdk.ashare import (
    EXCHANGES,
    Board,
    MarketKind,
    Side,
    StockBook,
    default_rules,
    stock_position,
)
from vtcore.object import ContractData, OrderData, OrderRequest, PositionData, SubscribeRequest, TradeData
from vtcore.orders import OrderTracker

__all__ = ["StockGateway"]

_PositionKey = tuple[str, Exchange, Direction]


class StockGateway(BaseGateway):
    """A-share gateway plumbing (see the module docstring); subclasses add the SDK."""

    exchanges: ClassVar[list[Exchange]] = list(EXCHANGES)
    query_interval: float = 2.0  # seconds between account / position polls (they alternate)
    connect_timeout: float = 10.0  # seconds without any answer from a front before "timeout" is reported

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.lock = threading.RLock()  # order ids and order state shared between request threads and reports
        # Each exchange numbers its own trades: "SSE.1" and "SZSE.1" are two trades
        self.orders = OrderTracker(self, trade_ids="exchange")
        self.book = StockBook()
        self.contracts: dict[tuple[str, Exchange], ContractData] = {}
        self._local_ids = itertools.count(1)
        self._sells: dict[str, float] = {}  # sells sent and not ended: orderid -> volume
        self._positions: dict[_PositionKey, PositionData] = {}
        self._pushed_positions: set[_PositionKey] = set()
        self._nearest_logged: set[str] = set()
        self._timer_registered = False
        self._last_poll = 0.0
        self._poll_account_next = True
        self.subscribed: dict[str, Exchange] = {}  # restored by the market-data front after each login

    # -- contracts ------------------------------------------------------------------------------------------

    def add_security(
        self,
        symbol: str,
        exchange: Exchange,
        name: str,
        *,
        board: Board | None = None,
        product: Product | None = None,
        pricetick: float = 0.0,
        lot: int = 0,
        limit_up: float = 0.0,
        limit_down: float = 0.0,
    ) -> ContractData:
        """Push the contract of a security and keep its rules (the SDK's figures win over the code's)."""
        rules = default_rules(symbol, exchange, board=board, product=product, pricetick=pricetick, lot=lot)
        self.book.set_rules(rules)
        if limit_up > 0 and limit_down > 0:
            self.book.set_limits(symbol, exchange, limit_up, limit_down)
        contract = ContractData(
            gateway_name=self.gateway_name,
            symbol=symbol,
            exchange=exchange,
            name=name,
            product=rules.product,
            size=1,
            pricetick=rules.pricetick,
            min_volume=rules.min_volume,
            net_position=True,
        )
        self.contracts[(symbol, exchange)] = contract
        self.on_contract(contract)
        return contract

    # -- market data ----------------------------------------------------------------------------------------

    def subscribe(self, req: SubscribeRequest) -> None:
        problem = ""
        if req.exchange not in self.exchanges:
            problem = f"exchange {req.exchange.value} is not traded through {self.default_name}"
        elif not (req.symbol.isascii() and req.symbol.isalnum() and 0 < len(req.symbol) <= 12):
            problem = f"bad symbol {req.symbol!r}"
        elif self.contracts and (req.symbol, req.exchange) not in self.contracts:
            problem = f"unknown security {req.symbol} on {req.exchange.value}"
        if problem:
            self.write_log(f"cannot subscribe {req.vt_symbol}: {problem}", ERROR)
            return
        self.subscribed[req.symbol] = req.exchange
        if self.market_ready():
            self.send_subscriptions([(req.symbol, req.exchange)], subscribe=True)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        if self.subscribed.pop(req.symbol, None) is None:
            self.write_log(f"{req.vt_symbol} was not subscribed", WARNING)
            return
        if self.market_ready():
            self.send_subscriptions([(req.symbol, req.exchange)], subscribe=False)

    def market_ready(self) -> bool:
        """Whether subscriptions go to the SDK now (else the front sends `subscribed` once it is ready)."""
        raise NotImplementedError

    def send_subscriptions(self, items: list[tuple[str, Exchange]], *, subscribe: bool) -> None:
        """(Un)subscribe (symbol, exchange) pairs through the SDK."""
        raise NotImplementedError

    # -- orders ---------------------------------------------------------------------------------------------

    def checked(self, req: OrderRequest) -> tuple[Side | None, MarketKind | None, str]:
        """The exchanges' rules for `req` (StockBook.check), plus: a known security when contracts are
        loaded."""
        if self.contracts and (req.symbol, req.exchange) not in self.contracts:
            return None, None, f"unknown security {req.symbol} on {req.exchange.value}"
        return self.book.check(req)

    def reject_locally(self, req: OrderRequest, reason: str) -> str:
        """An order refused before anything was sent: REJECTED with `reason`; its vt_orderid."""
        order = req.create_order_data(f"L{next(self._local_ids)}", self.gateway_name)
        self.orders.reject(order, reason)
        return order.vt_orderid

    def order_sent(self, req: OrderRequest, orderid: str, side: Side) -> str:
        """The SDK took the order: SUBMITTING (unless a report came first); its vt_orderid."""
        order = req.create_order_data(orderid, self.gateway_name)
        if side.sells:
            self._sells[orderid] = float(req.volume)
            self.book.sell_sent(orderid, req.symbol, req.exchange, float(req.volume))
        self.orders.order(order)
        return order.vt_orderid

    def order_report(self, order: OrderData, reason: str = "") -> None:
        """A report of an order's state; `reason` (the venue's words) goes with a REJECTED or CANCELLED
        one."""
        if reason and order.status in FINAL_STATUSES:
            order.extra = {**(order.extra or {}), "reason": reason}
        pushed = self.orders.order(order)
        if pushed is not None and reason and order.status in FINAL_STATUSES:
            level = ERROR if pushed.status.value == "REJECTED" else INFO
            self.write_log(f"order {pushed.vt_orderid} {pushed.status.value.lower()}: {reason}", level)
        current = self.orders.get(order.orderid)
        if current is not None and current.status in FINAL_STATUSES and order.orderid in self._sells:
            del self._sells[order.orderid]
            self.book.sell_ended(order.orderid, current.volume - current.traded)

    def trade_report(self, trade: TradeData) -> None:
        self.orders.trade(trade)

    # -- positions -----------------------------------------------------------------------------------------

    def position_answer(
        self,
        symbol: str,
        exchange: Exchange,
        *,
        volume: float,
        sellable: float,
        yd_volume: float,
        price: float = 0.0,
        pnl: float = 0.0,
        direction: Direction = Direction.NET,
    ) -> None:
        """One record of a position answer (pushed with the others by `positions_done`)."""
        self._positions[(symbol, exchange, direction)] = stock_position(
            self.gateway_name,
            symbol,
            exchange,
            volume=volume,
            sellable=sellable,
            yd_volume=yd_volume,
            price=price,
            pnl=pnl,
            direction=direction,
        )

    def positions_done(self) -> None:
        """The answer is complete: push it, zero what is gone, and give the order checks the sellable
        volumes."""
        batch, self._positions = self._positions, {}
        for key in self._pushed_positions - batch.keys():
            batch[key] = PositionData(
                gateway_name=self.gateway_name, symbol=key[0], exchange=key[1], direction=key[2]
            )
        self._pushed_positions = {key for key, position in batch.items() if position.volume}
        self.book.positions_answered(
            {
                (key[0], key[1]): (position.volume, position.volume - position.frozen)
                for key, position in batch.items()
                if key[2] != Direction.SHORT
            }
        )
        for position in batch.values():
            self.on_position(position)

    def position_changed(self, position: PositionData) -> None:
        """One position as the counter reports it when it changes (a holding variation, between answers;
        made by `stock_position`): pushed at once, and the order checks get its sellable volume."""
        key = (position.symbol, position.exchange, position.direction)
        if position.volume:
            self._pushed_positions.add(key)
        else:
            self._pushed_positions.discard(key)
        if position.direction != Direction.SHORT:
            self.book.holding_changed(
                position.symbol, position.exchange, position.volume, position.volume - position.frozen
            )
        self.on_position(position)

    def discard_positions(self) -> None:
        """A failed answer must not zero the positions it did not report."""
        self._positions = {}

    # -- helpers ---------------------------------------------------------------------------------------------

    def nearest(self, what: str) -> None:
        """Say once that the SDK reported something vtcore has no exact value for."""
        if what not in self._nearest_logged:
            self._nearest_logged.add(what)
            self.write_log(
                f"{self.default_name} reported {what}; mapped to the nearest vtcore value", WARNING
            )

    def poll(self, now: float, idle: bool) -> None:
        """Every `query_interval` while the trade front is ready and has no query waiting (`idle`): the
        account and the positions in turn."""
        if not idle or now - self._last_poll < self.query_interval:
            return
        self._last_poll = now
        (self.query_account if self._poll_account_next else self.query_position)()
        self._poll_account_next = not self._poll_account_next

    def start_timer(self) -> None:
        if not self._timer_registered:
            self.event_engine.register(EVENT_TIMER, self._timer)
            self._timer_registered = True

    def stop_timer(self) -> None:
        if self._timer_registered:
            self.event_engine.unregister(EVENT_TIMER, self._timer)
            self._timer_registered = False

    def _timer(self, event: Event) -> None:
        self.on_timer(time.monotonic())

    def on_timer(self, now: float) -> None:
        """Every second on the engine thread while connected (subclasses: timeouts, queries, polls)."""
