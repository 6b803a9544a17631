"""Offset conversion for China futures: vn.py's `OffsetConverter` / `PositionHolding` API, written anew.

A futures position has a long and a short side, each split into yesterday's (yd) and today's (td) volume.
Exchanges close them differently, and that decides which offset an order must carry:

- SHFE and INE: a plain CLOSE closes yesterday's volume only; today's needs CLOSETODAY (CTP refuses a CLOSE
  beyond yesterday's volume with ErrorID 51 "CTP:平昨仓位不足").
- CFFEX: a plain CLOSE closes today's volume first, then yesterday's (it has no close-yesterday order).
- DCE, CZCE, GFEX (and any other exchange): a plain CLOSE closes yesterday's volume first (first in, first
  out).

`PositionHolding` follows one contract's two sides from the OMS events (positions, orders, trades) and from
the requests just sent (`update_order_request`), with the volume that active close orders freeze;
`convert_order_request` turns one `OrderRequest` into the requests to send:

- default: on SHFE/INE a CLOSE becomes CLOSETODAY for what today's free volume covers plus CLOSEYESTERDAY for
  the rest; elsewhere a close is sent unchanged. A close of more than the free volume raises
  `OverCloseError` and nothing is sent.
- `lock=True`: never close today's volume; close what free yesterday's volume allows and open the opposite
  side for the rest (the offset of the request is ignored, as in vn.py).
- `net=True`: the request is a net trade: close what is free on the opposite side (today's first on
  SHFE/INE), then open the rest.

Differences from vn.py, each fixing one of its faults:
- over-closing raises `OverCloseError` naming what is free, instead of returning an empty list;
- on SHFE/INE an explicit CLOSETODAY or CLOSEYESTERDAY is kept (and checked), not re-split;
- a fill moves volume out of "frozen" only when its trade arrives (CTP reports the order's new traded volume
  before the trade), so the free volume is never overstated in between;
- an order report for an order that already ended (a late SUBMITTING echo from `update_order_request`, a
  replayed report) cannot bring it back to life and freeze volume forever;
- lock mode closes yesterday's volume on exchanges that close it first (DCE, CZCE, GFEX), where vn.py opened
  the opposite side whenever today's volume existed;
- net mode closes exactly the free volume (vn.py subtracted the free volume, not the closed one);
- every method is thread-safe: OMS events come on the engine thread, requests from any thread.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from vtcore.constant import Direction, Exchange, Offset
from vtcore.errors import VtcoreError
from vtcore.object import ContractData, OrderData, OrderRequest, PositionData, TradeData, split_vt_id

__all__ = [
    "CLOSE_TODAY_FIRST_EXCHANGES",
    "CLOSE_YESTERDAY_EXCHANGES",
    "OffsetConverter",
    "OverCloseError",
    "PositionHolding",
]

# A plain CLOSE closes yesterday's volume only; today's volume needs CLOSETODAY.
CLOSE_YESTERDAY_EXCHANGES = frozenset({Exchange.SHFE, Exchange.INE})
# A plain CLOSE closes today's volume first. Elsewhere it closes yesterday's first.
CLOSE_TODAY_FIRST_EXCHANGES = frozenset({Exchange.CFFEX})

_CLOSING_OFFSETS = frozenset({Offset.CLOSE, Offset.CLOSETODAY, Offset.CLOSEYESTERDAY})


class OverCloseError(VtcoreError, ValueError):
    """A close asks for more than the position's free volume; nothing was sent.

    `side` is the position side the request would close (a LONG request closes the SHORT side).
    """

    def __init__(self, req: OrderRequest, side: Direction, today_free: float, yesterday_free: float) -> None:
        self.req = req
        self.side = side
        self.today_free = today_free
        self.yesterday_free = yesterday_free
        if req.offset == Offset.CLOSETODAY and req.exchange in CLOSE_YESTERDAY_EXCHANGES:
            free, what = today_free, "today's"
        elif req.offset == Offset.CLOSEYESTERDAY:
            free, what = yesterday_free, "yesterday's"
        else:
            free, what = today_free + yesterday_free, "the"
        self.free = free
        super().__init__(
            f"cannot {req.offset.value} {req.volume:g} of {req.vt_symbol} {side.value}: {what} free volume "
            f"is {free:g} (today {today_free:g}, yesterday {yesterday_free:g}, after what active close "
            f"orders freeze); nothing was sent"
        )


@dataclass
class _Side:
    """One side of a position: volumes, and what active close orders freeze of them."""

    yd: float = 0
    td: float = 0
    yd_frozen: float = 0
    td_frozen: float = 0

    @property
    def yd_free(self) -> float:
        return max(self.yd - self.yd_frozen, 0)

    @property
    def td_free(self) -> float:
        return max(self.td - self.td_frozen, 0)


def _closed_side(direction: Direction | None) -> Direction | None:
    """The position side an order or trade in `direction` closes."""
    if direction == Direction.LONG:
        return Direction.SHORT
    if direction == Direction.SHORT:
        return Direction.LONG
    return None


def _side_volume(direction: Direction, *fields: str) -> property:
    """A read-only property summing `fields` of one side (vn.py's `long_td`, `short_pos_frozen`, ...)."""

    def get(holding: PositionHolding) -> float:
        side = holding.sides[direction]
        return float(sum(getattr(side, name) for name in fields))

    return property(get)


def _opened_side(direction: Direction | None) -> Direction | None:
    return direction if direction in (Direction.LONG, Direction.SHORT) else None


class PositionHolding:
    """One contract's long and short sides (yd/td volumes and frozen volume) and the conversion rules.

    Not locked itself: `OffsetConverter` serializes access. vn.py's attribute names are read-only properties
    (`long_pos`, `long_yd`, `long_td`, `long_pos_frozen`, ..., `short_td_frozen`, `active_orders`).
    """

    def __init__(self, vt_symbol: str, exchange: Exchange) -> None:
        self.vt_symbol = vt_symbol
        self.exchange = exchange
        self.sides = {Direction.LONG: _Side(), Direction.SHORT: _Side()}
        self._orders: dict[str, OrderData] = {}  # close orders still freezing volume, in send order
        self._ended: set[str] = set()  # vt_orderids known to have ended
        self._trade_ids: set[str] = set()
        self._traded: dict[str, float] = {}  # vt_orderid -> volume of its trades received so far

    @classmethod
    def from_contract(cls, contract: ContractData) -> PositionHolding:
        return cls(contract.vt_symbol, contract.exchange)

    # -- vn.py's attribute names (read-only) ---------------------------------------------------------------

    long_yd = _side_volume(Direction.LONG, "yd")
    long_td = _side_volume(Direction.LONG, "td")
    long_pos = _side_volume(Direction.LONG, "yd", "td")
    long_yd_frozen = _side_volume(Direction.LONG, "yd_frozen")
    long_td_frozen = _side_volume(Direction.LONG, "td_frozen")
    long_pos_frozen = _side_volume(Direction.LONG, "yd_frozen", "td_frozen")
    short_yd = _side_volume(Direction.SHORT, "yd")
    short_td = _side_volume(Direction.SHORT, "td")
    short_pos = _side_volume(Direction.SHORT, "yd", "td")
    short_yd_frozen = _side_volume(Direction.SHORT, "yd_frozen")
    short_td_frozen = _side_volume(Direction.SHORT, "td_frozen")
    short_pos_frozen = _side_volume(Direction.SHORT, "yd_frozen", "td_frozen")

    @property
    def active_orders(self) -> dict[str, OrderData]:
        return {vt_orderid: order for vt_orderid, order in self._orders.items() if order.is_active()}

    # -- updates -------------------------------------------------------------------------------------------

    def update_position(self, position: PositionData) -> None:
        """A position snapshot from the gateway replaces that side's volumes."""
        side = self.sides.get(position.direction)
        if side is None:
            return  # a net position: nothing to convert
        side.yd = max(position.yd_volume, 0)
        side.td = max(position.volume - position.yd_volume, 0)
        self._freeze()

    def update_order(self, order: OrderData) -> None:
        vt_orderid = order.vt_orderid
        if vt_orderid in self._ended:
            known = self._orders.get(vt_orderid)
            if known is None or order.is_active() or order.traded <= known.traded:
                return  # an ended order never comes back to life
        elif not order.is_active():
            self._ended.add(vt_orderid)
        if order.offset not in _CLOSING_OFFSETS or _closed_side(order.direction) is None:
            return  # opening orders freeze no position
        self._orders[vt_orderid] = order
        self._forget_settled(vt_orderid)
        self._freeze()

    def update_order_request(self, req: OrderRequest, vt_orderid: str) -> None:
        """Freeze for a request just sent, before the gateway's first report of it is processed."""
        if not vt_orderid:
            return  # not sent
        gateway_name, orderid = split_vt_id(vt_orderid)
        if vt_orderid in self._orders or vt_orderid in self._ended:
            return  # its reports were already processed: they are newer than this request
        self.update_order(req.create_order_data(orderid, gateway_name))

    def update_trade(self, trade: TradeData) -> None:
        vt_tradeid = trade.vt_tradeid
        if vt_tradeid in self._trade_ids:
            return
        self._trade_ids.add(vt_tradeid)
        volume = trade.volume
        if trade.offset == Offset.OPEN:
            opened = _opened_side(trade.direction)
            if opened is not None:
                self.sides[opened].td += volume
        elif trade.offset in _CLOSING_OFFSETS:
            closed = _closed_side(trade.direction)
            if closed is not None:
                self._reduce(self.sides[closed], trade.offset, volume)
        self._traded[trade.vt_orderid] = self._traded.get(trade.vt_orderid, 0) + volume
        self._forget_settled(trade.vt_orderid)
        self._freeze()

    def _reduce(self, side: _Side, offset: Offset, volume: float) -> None:
        today_first = self._takes_today_first(offset)
        if today_first:
            from_td = min(volume, side.td)
            side.td -= from_td
            side.yd = max(side.yd - (volume - from_td), 0)
        else:
            from_yd = min(volume, side.yd)
            side.yd -= from_yd
            side.td = max(side.td - (volume - from_yd), 0)

    def _takes_today_first(self, offset: Offset) -> bool:
        """Whether a close with `offset` takes today's volume before yesterday's on this exchange."""
        if self.exchange in CLOSE_YESTERDAY_EXCHANGES:
            return offset == Offset.CLOSETODAY
        if offset == Offset.CLOSEYESTERDAY:
            return False
        return self.exchange in CLOSE_TODAY_FIRST_EXCHANGES

    def _unsettled(self, order: OrderData) -> float:
        """Volume an order still freezes: its unfilled rest while active, plus fills whose trade has not
        arrived yet (CTP reports an order's new traded volume before the trade)."""
        expected = order.volume if order.is_active() else order.traded
        return max(expected - self._traded.get(order.vt_orderid, 0), 0)

    def _forget_settled(self, vt_orderid: str) -> None:
        order = self._orders.get(vt_orderid)
        if order is not None and not order.is_active() and self._unsettled(order) <= 0:
            del self._orders[vt_orderid]

    def _freeze(self) -> None:
        """Recompute the frozen volume of both sides from the close orders, in the order they were sent."""
        for side in self.sides.values():
            side.yd_frozen = side.td_frozen = 0
        for order in self._orders.values():
            closed = _closed_side(order.direction)
            if closed is None:
                continue
            side = self.sides[closed]
            volume = self._unsettled(order)
            # SHFE/INE freeze one bucket only; elsewhere the close spills into the other one.
            spills = self.exchange not in CLOSE_YESTERDAY_EXCHANGES
            if self._takes_today_first(order.offset):
                first = min(volume, side.td_free)
                side.td_frozen += first
                side.yd_frozen += volume - first if spills else 0
            else:
                first = min(volume, side.yd_free)
                side.yd_frozen += first
                side.td_frozen += volume - first if spills else 0
        for side in self.sides.values():  # what is frozen never exceeds what is held
            side.yd_frozen = min(side.yd_frozen, side.yd)
            side.td_frozen = min(side.td_frozen, side.td)

    # -- conversion ----------------------------------------------------------------------------------------

    def convert_order_request(
        self, req: OrderRequest, lock: bool = False, net: bool = False
    ) -> list[OrderRequest]:
        """The requests to send for `req` (see the module docstring); raises OverCloseError."""
        closed = _closed_side(req.direction)
        volume = req.volume
        if closed is None or not isinstance(volume, (int, float)) or not math.isfinite(volume) or volume <= 0:
            return [req]  # not convertible: the gateway refuses it with its own reason
        side = self.sides[closed]
        if lock:
            return self._convert_lock(req, side)
        if net:
            return self._convert_net(req, side)
        if req.offset not in _CLOSING_OFFSETS:
            return [req]
        td_free, yd_free = side.td_free, side.yd_free
        shfe_like = self.exchange in CLOSE_YESTERDAY_EXCHANGES
        if req.offset == Offset.CLOSETODAY and shfe_like:
            free = td_free
        elif req.offset == Offset.CLOSEYESTERDAY:
            free = yd_free
        else:
            free = td_free + yd_free
        if volume > free:
            raise OverCloseError(req, closed, td_free, yd_free)
        if not shfe_like or req.offset != Offset.CLOSE:
            return [req]
        return self._legs(req, (Offset.CLOSETODAY, min(volume, td_free)), (Offset.CLOSEYESTERDAY, None))

    def _convert_lock(self, req: OrderRequest, side: _Side) -> list[OrderRequest]:
        if self.exchange in CLOSE_YESTERDAY_EXCHANGES:
            close = Offset.CLOSEYESTERDAY
        elif self.exchange in CLOSE_TODAY_FIRST_EXCHANGES and side.td > 0:
            return [replace(req, offset=Offset.OPEN)]  # any close would take today's volume first
        else:
            close = Offset.CLOSE
        return self._legs(req, (close, min(req.volume, side.yd_free)), (Offset.OPEN, None))

    def _convert_net(self, req: OrderRequest, side: _Side) -> list[OrderRequest]:
        if self.exchange in CLOSE_YESTERDAY_EXCHANGES:
            td_volume = min(req.volume, side.td_free)
            yd_volume = min(req.volume - td_volume, side.yd_free)
            return self._legs(
                req, (Offset.CLOSETODAY, td_volume), (Offset.CLOSEYESTERDAY, yd_volume), (Offset.OPEN, None)
            )
        free = side.td_free + side.yd_free
        return self._legs(req, (Offset.CLOSE, min(req.volume, free)), (Offset.OPEN, None))

    @staticmethod
    def _legs(req: OrderRequest, *legs: tuple[Offset, float | None]) -> list[OrderRequest]:
        """Split `req` into legs of (offset, volume); a volume of None takes the rest; empty legs are left
        out."""
        result: list[OrderRequest] = []
        left = req.volume
        for offset, volume in legs:
            take = left if volume is None else min(volume, left)
            if take > 0:
                result.append(replace(req, offset=offset, volume=take))
                left -= take
        return result


class OffsetConverter:
    """One gateway's `PositionHolding`s, fed by the OMS and asked by the code that sends orders.

    `get_contract(vt_symbol)` tells which contracts are converted: known ones whose `net_position` is False
    (others are passed through unchanged). Positions, orders and trades are followed for every contract
    from the first event on, so a contract whose definition arrives late still has its history.
    """

    def __init__(self, get_contract: Callable[[str], ContractData | None]) -> None:
        self.get_contract = get_contract
        self.holdings: dict[str, PositionHolding] = {}
        self._mutex = threading.RLock()

    def _holding(self, vt_symbol: str, exchange: Exchange) -> PositionHolding:
        holding = self.holdings.get(vt_symbol)
        if holding is None:
            holding = self.holdings[vt_symbol] = PositionHolding(vt_symbol, exchange)
        return holding

    def update_position(self, position: PositionData) -> None:
        with self._mutex:
            self._holding(position.vt_symbol, position.exchange).update_position(position)

    def update_trade(self, trade: TradeData) -> None:
        with self._mutex:
            self._holding(trade.vt_symbol, trade.exchange).update_trade(trade)

    def update_order(self, order: OrderData) -> None:
        with self._mutex:
            self._holding(order.vt_symbol, order.exchange).update_order(order)

    def update_order_request(self, req: OrderRequest, vt_orderid: str) -> None:
        with self._mutex:
            self._holding(req.vt_symbol, req.exchange).update_order_request(req, vt_orderid)

    def get_position_holding(self, vt_symbol: str) -> PositionHolding | None:
        with self._mutex:
            holding = self.holdings.get(vt_symbol)
            if holding is None:
                contract = self.get_contract(vt_symbol)
                if contract is not None:
                    holding = self._holding(vt_symbol, contract.exchange)
            return holding

    def is_convert_required(self, vt_symbol: str) -> bool:
        """Only known contracts with separate long and short positions are converted."""
        contract = self.get_contract(vt_symbol)
        return contract is not None and not contract.net_position

    def convert_order_request(
        self, req: OrderRequest, lock: bool = False, net: bool = False
    ) -> list[OrderRequest]:
        """The requests to send instead of `req`; `[req]` unchanged when the contract is not converted.

        Raises OverCloseError (nothing to send) when a close exceeds the free volume.
        """
        if not self.is_convert_required(req.vt_symbol):
            return [req]
        with self._mutex:
            return self._holding(req.vt_symbol, req.exchange).convert_order_request(req, lock, net)

    def send(
        self,
        req: OrderRequest,
        send_order: Callable[[OrderRequest], str],
        lock: bool = False,
        net: bool = False,
    ) -> list[str]:
        """Convert `req`, send each request through `send_order` and record it; the vt_orderids sent.

        Atomic with respect to other conversions of this converter. Raises OverCloseError before sending.
        """
        with self._mutex:
            vt_orderids = []
            for leg in self.convert_order_request(req, lock, net):
                vt_orderid = send_order(leg)
                if vt_orderid:
                    self.update_order_request(leg, vt_orderid)
                    vt_orderids.append(vt_orderid)
            return vt_orderids
