"""What every A-share SDK gateway adds to `SdkGateway` (XTP, TORA, OES): the exchanges' order checks before
anything is sent, contracts that carry their trading rules, positions with the T+1 sellable volume.

The timer, the polls, the close rule, the lock, the `OrderTracker` and the position batch are `SdkGateway`'s;
this class adds only stock semantics. A gateway (`StockGateway` subclass) owns its fronts and the SDK calls;
it uses:

* `add_security(...)` for each security its SDK lists (a ContractData, and the rules and price limits the
  order checks use); contracts are keyed by vt_symbol (000001 is a security on SSE and on SZSE);
* `send_order` is shared: `checked(req)` (the exchanges' rules), `send_problem(req)` (why this session cannot
  send now, e.g. not logged in), then `place(req, side, kind, orderid)` sends it through the SDK and returns
  the order id; any refusal is REJECTED with the reason, nothing sent, under a local order id "L<n>" (a
  gateway that sends otherwise, as OES, uses `checked`, `reject_locally` and `order_sent` itself). A gateway
  that knows the id before the SDK takes the order returns it from `orderid_ahead()` (TORA): SUBMITTING is
  then queued before the request, and a request the SDK refuses makes that order REJECTED;
* for each order report `order_moved(...)` first (a known order that stays working: nothing built) and, when
  it declines, `order_reported(order, reason, refused_by)` (an order sent here keeps the type, offset and
  reference it was sent with) or `order_report(order, reason)`; for each fill `trade_report`;
  orders end through the tracker (status never goes back, fills never lost), and an ended sell gives back
  its unfilled shares;
* for a position answer `position_answer(...)` per record and `positions_done()` after the last one (or
  `position_message(message, what, add)` for a callback of one): what was pushed before and is gone now is
  pushed as zero; the sellable volumes reset the order checks.
"""

from __future__ import annotations

import datetime as dt
import itertools
from logging import ERROR, INFO, WARNING
from typing import Any, ClassVar

from vtcore.constant import FINAL_STATUSES, Direction, Exchange, Product, Status
from vtcore.event import EventEngine
from vtcore.gateways._sdk.ashare import (
    EXCHANGES,
    Board,
    MarketKind,
    Side,
    StockBook,
    default_rules,
    stock_position,
)
from vtcore.gateways._sdk.front import CLOSED_REASON
from vtcore.gateways._sdk.gateway import SdkGateway
from vtcore.object import ContractData, OrderData, OrderRequest, PositionData, SubscribeRequest, TradeData

__all__ = ["StockGateway"]


class StockGateway(SdkGateway):
    """A-share gateway plumbing (see the module docstring); subclasses add the SDK."""

    exchanges: ClassVar[list[Exchange]] = list(EXCHANGES)

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.book = StockBook()
        self._local_ids = itertools.count(1)
        self._sells: dict[str, float] = {}  # sells sent and not ended: orderid -> volume
        self.subscribed: dict[str, Exchange] = {}  # restored by the market-data front after each login

    # -- contracts ------------------------------------------------------------------------------------------

    def contract_key(self, symbol: str, exchange: Exchange) -> str:
        return f"{symbol}.{exchange.value}"  # one code may name a security on each exchange

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
        self.contracts[self.contract_key(symbol, exchange)] = contract
        self.on_contract(contract)
        return contract

    def _unknown(self, symbol: str, exchange: Exchange) -> str:
        """Why a security is not tradable here because it is not listed (contracts loaded), or ""."""
        if self.contracts and self.contract_key(symbol, exchange) not in self.contracts:
            return f"unknown security {symbol} on {exchange.value}"
        return ""

    # -- market data ----------------------------------------------------------------------------------------

    def subscribe(self, req: SubscribeRequest) -> None:
        problem = ""
        if self.closed:
            problem = CLOSED_REASON
        elif req.exchange not in self.exchanges:
            problem = f"exchange {req.exchange.value} is not traded through {self.title}"
        elif not (req.symbol.isascii() and req.symbol.isalnum() and 0 < len(req.symbol) <= 12):
            problem = f"bad symbol {req.symbol!r}"
        else:
            problem = self._unknown(req.symbol, req.exchange)
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
        """The exchanges' rules for `req` (StockBook.check), plus: the gateway is open, and a known security
        when contracts are loaded."""
        if self.closed:
            return None, None, CLOSED_REASON
        unknown = self._unknown(req.symbol, req.exchange)
        if unknown:
            return None, None, unknown
        return self.book.check(req)

    def send_order(self, req: OrderRequest) -> str:
        # The lock is held until the SDK took the order and SUBMITTING is queued, so that its reports
        # (handled on the engine thread, which takes the same lock) come after it; the engine is woken for
        # SUBMITTING once the order is out (EventEngine.quiet_puts), not ahead of the request.
        with self.lock, self.quiet_puts:
            side, kind, problem = self.checked(req)
            if not problem:
                problem = self.send_problem(req)
            if problem or side is None:
                return self.reject_locally(req, problem)
            ahead = self.orderid_ahead()
            if ahead:
                # The id is known before the request: SUBMITTING is queued first (as the Thost gateways do),
                # so the order's report, which may come while this thread finishes, waits for nothing here.
                vt_orderid = self.order_sent(req, ahead, side)
                _, problem = self.placed(req, side, kind, ahead)
                if problem:
                    refused = req.create_order_data(ahead, self.gateway_name)
                    refused.status = Status.REJECTED
                    self.order_report(refused, problem)
                return vt_orderid
            orderid, problem = self.placed(req, side, kind, "")
            if problem:
                return self.reject_locally(req, problem)
            return self.order_sent(req, orderid, side)

    def send_problem(self, req: OrderRequest) -> str:
        """Why this session cannot send `req` now (not logged in, ...), or ""; called under `lock`."""
        raise NotImplementedError

    def orderid_ahead(self) -> str:
        """The next order's id when the gateway gives it before the SDK takes the order (TORA: front, session
        and its own order reference), else "" (XTP: the request returns it). Called under `lock`, after the
        checks; the next `place` sends the order with this id."""
        return ""

    def placed(self, req: OrderRequest, side: Side, kind: MarketKind | None, orderid: str) -> tuple[str, str]:
        """`place`, with a value its request struct refuses (a field too small for it: ValueError naming the
        field) as the reason the order is refused: the order is never left SUBMITTING, send_order never
        raises for it."""
        try:
            return self.place(req, side, kind, orderid)
        except (ValueError, OverflowError) as exc:
            return "", f"not sent: {exc}"

    def place(self, req: OrderRequest, side: Side, kind: MarketKind | None, orderid: str) -> tuple[str, str]:
        """Send a checked order through the SDK (under `lock`), with `orderid` from `orderid_ahead` when it
        gave one: (its order id, "") or ("", why refused)."""
        raise NotImplementedError

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

    def order_moved(
        self, orderid: str, status: Status, traded: float, *, volume: float, price: float, when: Any
    ) -> bool:
        """The short way for a report of an order pushed here before that leaves it working (the SDK's
        first report of an order sent here, its queued report, a partial fill) with the volume and price it
        was pushed with: the known order moves to `status` and `traded` at `report_time(when)` under the
        tracker's rules, and nothing else is built. False (nothing done): the report takes the full way,
        `order_reported`: an order not known here yet, a final status (its reason, the sell it gives back) or
        other figures."""
        if status in FINAL_STATUSES:
            return False
        # not known also while send_order (under `lock`) has not queued it yet
        return self.orders.advance(
            orderid, status, traded, volume=volume, price=price, when=when, time_of=self.report_time
        )

    def report_time(self, when: Any) -> dt.datetime | None:
        """The time of an order report from the SDK's raw value (`order_moved`'s `when`)."""
        raise NotImplementedError

    def order_reported(self, order: OrderData, reason: str, refused_by: str) -> None:
        """An SDK's report of an order: one sent here keeps the type, offset and reference it was sent with
        (the report's codes name fewer kinds); a REJECTED one without the venue's words says `refused_by`
        whom."""
        with self.lock:
            sent = self.orders.get(order.orderid)
        if sent is not None:
            order.type, order.offset, order.reference = sent.type, sent.offset, sent.reference
        if order.status == Status.REJECTED and not reason:
            reason = f"refused by {refused_by}"
        self.order_report(order, reason)

    def order_report(self, order: OrderData, reason: str = "") -> None:
        """A report of an order's state; `reason` (the venue's words) goes with a REJECTED or CANCELLED
        one."""
        if reason and order.status in FINAL_STATUSES:
            order.extra = {**(order.extra or {}), "reason": reason}
        pushed = self.orders.order(order)
        if pushed is not None and reason and order.status in FINAL_STATUSES:
            level = ERROR if pushed.status.value == "REJECTED" else INFO
            self.write_log(f"order {pushed.vt_orderid} {pushed.status.value.lower()}: {reason}", level)
        if order.orderid not in self._sells:  # a buy, or a sell already ended: nothing to give back
            return
        current = self.orders.get(order.orderid)
        if current is not None and current.status in FINAL_STATUSES:
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
        self.positions.add(
            stock_position(
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
        )

    def positions_done(self) -> None:
        """The answer is complete: the order checks get the sellable volumes, then the batch is pushed."""
        batch = self.positions.complete()
        self.book.positions_answered(
            {
                (key[0], key[1]): (position.volume, position.volume - position.frozen)
                for key, position in batch.items()
                if key[2] != Direction.SHORT
            }
        )
        self.positions.push(batch)

    def position_changed(self, position: PositionData) -> None:
        """One position as the counter reports it when it changes (a holding variation, between answers;
        made by `stock_position`): pushed at once, and the order checks get its sellable volume."""
        if position.direction != Direction.SHORT:
            self.book.holding_changed(
                position.symbol, position.exchange, position.volume, position.volume - position.frozen
            )
        self.positions.changed(position)
