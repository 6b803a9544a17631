"""China A-share rules every stock gateway shares (XTP, TORA, OES): one table, one set of order checks.

What the exchanges (SSE, SZSE, BSE) require of an order, and what vtcore checks before anything is sent, so
that an order the exchange would refuse is REJECTED at once with the reason (the broker's or the exchange's
own refusal still comes back real-shaped when a check cannot be made here, e.g. a sell before positions were
queried):

* **Boards** by code (`classify`): SSE main board 600/601/603/605, STAR 688/689, SZSE main board 000-003,
  ChiNext 300/301, BSE 43/83/87/88/920; ETFs and funds (SSE 5xxxxx, SZSE 15/16/18), convertible and other
  bonds (SSE 11xxxx, SZSE 12xxxx), indexes (SSE 000xxx reported as indexes by the SDK, SZSE 399xxx). An SDK
  that reports the security type (XTP's ticker_type, TORA's ProductID) passes it and wins over the code.
* **Lots** (`SecurityRules.lot`, `min_volume`, `step`): stocks and funds buy in multiples of 100; STAR buys at
  least 200, then any whole number; BSE at least 100, then any whole number; bonds in multiples of 10. A sell
  may carry an odd lot only when it sells the whole odd remainder of the position (one go, exchange rule).
* **Price ticks**: 0.01 for stocks, 0.001 for funds, ETFs and bonds; an SDK's reported tick wins.
* **Price limits**: an order priced above the limit-up or below the limit-down price is refused when the
  limits are known (from the SDK's static data or the latest tick).
* **T+1**: shares bought today cannot be sold today. Positions carry `yd_volume` (what was held at the start
  of the day) and `frozen` = volume - sellable now; a sell beyond the sellable volume is refused.
* **Offsets**: stock orders are Offset.NONE. An account with margin trading (XTP credit accounts) maps
  LONG/OPEN to a margin buy, SHORT/OPEN to a short sale, SHORT/CLOSE to sell-to-repay and LONG/CLOSE to
  buy-to-return (vn.py's spelling); without it OPEN/CLOSE are refused with the reason.
* **Order types** (`market_kind`): LIMIT everywhere; MARKET is best-five-then-cancel (SSE main board, SZSE,
  BSE) or the counterparty's best with the rest as a limit (STAR, as vn.py sends it); FAK is best-five-then-
  cancel on SSE and immediate-then-cancel on SZSE/BSE; FOK exists on SZSE/BSE only. Anything else is refused.

`StockBook` keeps what the checks need per symbol (rules from the contracts, limits, the sellable volume from
the last position answer minus the sells sent since) and answers `check(req)` with a reason or "".
"""

from __future__ import annotations

import enum
import math
import threading
from dataclasses import dataclass

from vtcore.constant import Direction, Exchange, Offset, OrderType, Product
from vtcore.object import OrderRequest, PositionData

__all__ = [
    "EXCHANGES",
    "MAX_ORDER_VOLUME",
    "Board",
    "MarketKind",
    "SecurityRules",
    "Side",
    "StockBook",
    "classify",
    "default_rules",
    "market_kind",
    "stock_position",
    "stock_side",
]

#: the largest order volume every A-share SDK's request struct holds (TORA's and OES's order quantities are
#: 32-bit): a larger one is refused by the checks instead of failing in the struct
MAX_ORDER_VOLUME = 2**31 - 1

#: the A-share exchanges (XTP and TORA's stock API reach SSE and SZSE; TORA and OES also BSE)
EXCHANGES: tuple[Exchange, ...] = (Exchange.SSE, Exchange.SZSE, Exchange.BSE)


class Board(enum.Enum):
    MAIN = "main board"
    STAR = "STAR market"  # 科创板
    CHINEXT = "ChiNext"  # 创业板
    BSE = "BSE"  # 北交所
    FUND = "fund"  # ETFs and listed funds
    BOND = "bond"
    INDEX = "index"
    OPTION = "option"


class MarketKind(enum.Enum):
    """The market-order kinds the exchanges define (each SDK has its own codes for them)."""

    BEST5_OR_CANCEL = "best five levels, rest cancelled"  # 最优五档即时成交剩余撤销
    BEST5_OR_LIMIT = "best five levels, rest as limit"  # 最优五档即时成交剩余转限价 (SSE)
    BEST_OR_CANCEL = "immediate, rest cancelled"  # 即时成交剩余撤销 (SZSE, BSE)
    ALL_OR_CANCEL = "all or cancel"  # 全额成交或撤销 (SZSE, BSE)
    FORWARD_BEST = "own side's best"  # 本方最优
    REVERSE_BEST_LIMIT = "counterparty's best, rest as limit"  # 对方最优剩余转限价


class Side(enum.Enum):
    """What an order does: cash buy/sell, or one of the four margin-trading businesses. `sells`: whether it
    sells shares held (a plain attribute, and an identity hash: both are read on every order's way)."""

    BUY = "buy"
    SELL = "sell"
    MARGIN_BUY = "margin buy"  # 融资买入: LONG + OPEN
    SHORT_SELL = "short sell"  # 融券卖出: SHORT + OPEN
    SELL_REPAY = "sell to repay"  # 卖券还款: SHORT + CLOSE
    BUY_RETURN = "buy to return"  # 买券还券: LONG + CLOSE

    sells: bool

    def __init__(self, label: str) -> None:
        self.sells = label in ("sell", "sell to repay")

    __hash__ = object.__hash__  # members are singletons that compare by identity: Enum's hashes the name


_SIDES: dict[tuple[Direction, Offset], Side] = {
    (Direction.LONG, Offset.NONE): Side.BUY,
    (Direction.SHORT, Offset.NONE): Side.SELL,
    (Direction.LONG, Offset.OPEN): Side.MARGIN_BUY,
    (Direction.SHORT, Offset.OPEN): Side.SHORT_SELL,
    (Direction.SHORT, Offset.CLOSE): Side.SELL_REPAY,
    (Direction.LONG, Offset.CLOSE): Side.BUY_RETURN,
}
#: (direction, offset) of each side, for reports
SIDE_ORDER: dict[Side, tuple[Direction, Offset]] = {side: key for key, side in _SIDES.items()}


def stock_side(direction: Direction, offset: Offset, *, margin: bool) -> tuple[Side | None, str]:
    """(side, "") or (None, why not): Offset.NONE for cash orders, OPEN/CLOSE only on a margin account."""
    if direction not in (Direction.LONG, Direction.SHORT):  # NET names a position; None names nothing
        named = direction.value if isinstance(direction, Direction) else repr(direction)
        return None, f"direction {named} cannot be traded: an A-share order is LONG (buy) or SHORT (sell)"
    side = _SIDES.get((direction, offset))
    if side is None:
        return None, (
            f"{direction.value}/{offset.value or 'NONE'} is not an A-share order: stock orders take "
            f"Offset.NONE (margin accounts: OPEN for a margin buy or short sale, CLOSE to repay)"
        )
    if offset != Offset.NONE and not margin:
        return None, (
            f"offset {offset.value} is for margin trading, and this account has none: A-share stock orders "
            f"take Offset.NONE"
        )
    return side, ""


def classify(symbol: str, exchange: Exchange) -> tuple[Board, Product]:
    """The board and vn.py product of a security by its code (when the SDK does not say)."""
    code = symbol.strip()
    if len(code) == 8 and code.isdigit():  # exchange-traded options have 8-digit codes
        return Board.OPTION, Product.OPTION
    if exchange == Exchange.SSE:
        if code.startswith(("688", "689")):
            return Board.STAR, Product.EQUITY
        if code.startswith(("600", "601", "603", "605", "900")):
            return Board.MAIN, Product.EQUITY
        if code.startswith(("51", "52", "56", "58", "50")):
            return Board.FUND, Product.ETF if code.startswith(("51", "56", "58")) else Product.FUND
        if code.startswith(("11", "10", "01", "02", "13", "20")):
            return Board.BOND, Product.BOND
        if code.startswith("000"):
            return Board.INDEX, Product.INDEX
    elif exchange == Exchange.SZSE:
        if code.startswith(("300", "301")):
            return Board.CHINEXT, Product.EQUITY
        if code.startswith(("000", "001", "002", "003", "200")):
            return Board.MAIN, Product.EQUITY
        if code.startswith(("15", "16", "18")):
            return Board.FUND, Product.ETF if code.startswith("15") else Product.FUND
        if code.startswith(("10", "11", "12", "13")):
            return Board.BOND, Product.BOND
        if code.startswith("399"):
            return Board.INDEX, Product.INDEX
    elif exchange == Exchange.BSE:
        return Board.BSE, Product.EQUITY
    return Board.MAIN, Product.EQUITY


#: (lot, min_volume, step, pricetick) per board: `lot` is the multiple a plain buy must be, except where
#: min_volume/step differ (STAR: at least 200 then any step of 1; BSE: at least 100 then 1)
_BOARD_UNITS: dict[Board, tuple[int, int, int, float]] = {
    Board.MAIN: (100, 100, 100, 0.01),
    Board.CHINEXT: (100, 100, 100, 0.01),
    Board.STAR: (200, 200, 1, 0.01),
    Board.BSE: (100, 100, 1, 0.01),
    Board.FUND: (100, 100, 100, 0.001),
    Board.BOND: (10, 10, 10, 0.001),
    Board.INDEX: (100, 100, 100, 0.01),
    Board.OPTION: (1, 1, 1, 0.0001),
}

#: the market-order kind each vn.py order type becomes, per exchange and board (None: not allowed there)
_MARKET_KINDS: dict[tuple[Exchange, Board | None], dict[OrderType, MarketKind]] = {
    (Exchange.SSE, None): {
        OrderType.MARKET: MarketKind.BEST5_OR_CANCEL,
        OrderType.FAK: MarketKind.BEST5_OR_CANCEL,
    },
    (Exchange.SSE, Board.STAR): {
        OrderType.MARKET: MarketKind.REVERSE_BEST_LIMIT,
        OrderType.FAK: MarketKind.BEST5_OR_CANCEL,
    },
    (Exchange.SZSE, None): {
        OrderType.MARKET: MarketKind.BEST5_OR_CANCEL,
        OrderType.FAK: MarketKind.BEST_OR_CANCEL,
        OrderType.FOK: MarketKind.ALL_OR_CANCEL,
    },
    (Exchange.BSE, None): {
        OrderType.MARKET: MarketKind.BEST5_OR_CANCEL,
        OrderType.FAK: MarketKind.BEST_OR_CANCEL,
        OrderType.FOK: MarketKind.ALL_OR_CANCEL,
    },
}


def market_kind(order_type: OrderType, exchange: Exchange, board: Board) -> tuple[MarketKind | None, str]:
    """(kind, "") for a market-like order type, (None, "") for LIMIT, (None, why not) when the exchange has no
    such order for that board."""
    if order_type == OrderType.LIMIT:
        return None, ""
    kinds = _MARKET_KINDS.get((exchange, board)) or _MARKET_KINDS.get((exchange, None), {})
    kind = kinds.get(order_type)
    if kind is None:
        allowed = ", ".join(["LIMIT", *(t.value for t in kinds)])
        where = f"{exchange.value} {board.value}"
        return None, f"order type {order_type.value} does not exist on {where} (allowed: {allowed})"
    return kind, ""


@dataclass(frozen=True)
class SecurityRules:
    """What an exchange requires of orders in one security."""

    symbol: str
    exchange: Exchange
    board: Board
    product: Product
    lot: int  # the trading unit ("one hand"): buys are multiples of it (see min_volume/step), so are sells
    min_volume: int  # the smallest buy
    step: int  # buys above min_volume grow in steps of this
    pricetick: float

    def volume_problem(self, volume: float, *, sells: bool, holding: float | None) -> str:
        """Why `volume` cannot be ordered, or "". `holding` is the position a sell comes from (None: unknown,
        the broker decides a sell)."""
        if not isinstance(volume, (int, float)) or not math.isfinite(volume) or volume <= 0:
            return f"volume must be a positive number, not {volume!r}"
        if volume != int(volume):
            return f"volume must be a whole number of shares, not {volume!r}"
        if volume > MAX_ORDER_VOLUME:
            return f"volume {volume:g} is more than an order can carry ({MAX_ORDER_VOLUME})"
        count = int(volume)
        if sells:
            if holding is None:
                return ""  # the position is not known here yet: the broker decides
            if self.step != self.lot:  # STAR / BSE: at least min_volume, unless it sells the whole remainder
                if count >= self.min_volume or count == int(holding):
                    return ""
                return (
                    f"a sell of {count} is below the minimum of {self.min_volume} on the "
                    f"{self.board.value}; only the whole remaining {int(holding)} may be sold below it"
                )
            odd = count % self.lot
            if odd == 0 or odd == int(holding) % self.lot:
                return ""  # whole lots, or the whole odd remainder in one go (exchange rule)
            return (
                f"volume {count} is not a multiple of the lot of {self.lot} shares: an odd lot can only be "
                f"sold as the whole remainder ({int(holding) % self.lot}) of the position"
            )
        if count < self.min_volume:
            return f"volume {count} is below the minimum buy of {self.min_volume} on the {self.board.value}"
        if (count - self.min_volume) % self.step:
            if self.step == self.lot:
                where = self.board.value
                return f"volume {count} is not a multiple of the lot of {self.lot} shares on the {where}"
            return f"volume {count} is not {self.min_volume} plus a multiple of {self.step}"
        return ""

    def price_problem(self, price: float, *, limit_up: float = 0.0, limit_down: float = 0.0) -> str:
        """Why a limit price cannot be ordered, or "" (limits of 0 are unknown and not checked)."""
        if not isinstance(price, (int, float)) or not math.isfinite(price) or price <= 0:
            return f"a limit price must be a positive number, not {price!r}"
        steps = price / self.pricetick
        if abs(steps - round(steps)) > 1e-6:
            return f"price {price:g} is not on the price tick of {self.pricetick:g}"
        if limit_up > 0 and price > limit_up + self.pricetick / 2:
            return f"price {price:g} is above the limit-up price {limit_up:g}"
        if limit_down > 0 and price < limit_down - self.pricetick / 2:
            return f"price {price:g} is below the limit-down price {limit_down:g}"
        return ""


def default_rules(
    symbol: str,
    exchange: Exchange,
    *,
    board: Board | None = None,
    product: Product | None = None,
    pricetick: float = 0.0,
    lot: int = 0,
) -> SecurityRules:
    """The rules of a security from its code; an SDK's own figures (board, product, tick, lot) win."""
    code_board, code_product = classify(symbol, exchange)
    board = board or code_board
    units = _BOARD_UNITS[board]
    default_lot, min_volume, step, tick = units
    if lot > 0 and lot != default_lot and step == default_lot:
        default_lot = min_volume = step = lot
    return SecurityRules(
        symbol, exchange, board, product or code_product, default_lot, min_volume, step, pricetick or tick
    )


def stock_position(
    gateway_name: str,
    symbol: str,
    exchange: Exchange,
    *,
    volume: float,
    sellable: float,
    yd_volume: float,
    price: float = 0.0,
    pnl: float = 0.0,
    direction: Direction = Direction.NET,
) -> PositionData:
    """An A-share position: `frozen` is what cannot be sold now (bought today under T+1, or held by pending
    sells)."""
    return PositionData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        direction=direction,
        volume=volume,
        frozen=max(0.0, volume - sellable),
        price=price,
        pnl=pnl,
        yd_volume=yd_volume,
    )


@dataclass
class _Holding:
    volume: float = 0.0
    sellable: float = 0.0
    pending: float = 0.0  # volume of sells sent since the last position answer (held against `sellable`)


class StockBook:
    """Per symbol: its rules, price limits and sellable volume, for `check` (thread-safe: orders come from any
    thread, answers on the engine thread)."""

    def __init__(self, *, margin: bool = False) -> None:
        self.margin = margin
        self._lock = threading.Lock()
        self._rules: dict[tuple[str, Exchange], SecurityRules] = {}
        self._limits: dict[tuple[str, Exchange], tuple[float, float]] = {}
        self._holdings: dict[tuple[str, Exchange], _Holding] = {}
        self._positions_known = False
        self._sells: dict[str, tuple[tuple[str, Exchange], float]] = {}  # orderid -> (key, volume still held)

    def set_rules(self, rules: SecurityRules) -> None:
        with self._lock:
            self._rules[(rules.symbol, rules.exchange)] = rules

    def rules(self, symbol: str, exchange: Exchange) -> SecurityRules:
        with self._lock:
            found = self._rules.get((symbol, exchange))
        return found or default_rules(symbol, exchange)

    def set_limits(self, symbol: str, exchange: Exchange, limit_up: float, limit_down: float) -> None:
        with self._lock:
            self._limits[(symbol, exchange)] = (limit_up, limit_down)

    def positions_answered(self, holdings: dict[tuple[str, Exchange], tuple[float, float]]) -> None:
        """A complete position answer: (symbol, exchange) -> (volume, sellable). Sells sent before it are in
        it."""
        with self._lock:
            self._holdings = {key: _Holding(volume, sellable) for key, (volume, sellable) in holdings.items()}
            self._positions_known = True
            self._sells = {}

    def holding_changed(self, symbol: str, exchange: Exchange, volume: float, sellable: float) -> None:
        """One holding as the counter now has it (a variation report): like a position answer for that
        symbol alone, so the sells sent before it are in it."""
        key = (symbol, exchange)
        with self._lock:
            self._holdings[key] = _Holding(volume, sellable)
            self._sells = {orderid: sell for orderid, sell in self._sells.items() if sell[0] != key}

    def sell_sent(self, orderid: str, symbol: str, exchange: Exchange, volume: float) -> None:
        with self._lock:
            key = (symbol, exchange)
            holding = self._holdings.setdefault(key, _Holding())
            holding.pending += volume
            self._sells[orderid] = (key, volume)

    def sell_ended(self, orderid: str, unfilled: float) -> None:
        """A sell sent since the last answer ended (cancelled, rejected) with `unfilled` shares back."""
        with self._lock:
            entry = self._sells.pop(orderid, None)
            if entry is None:
                return
            key, _ = entry
            holding = self._holdings.get(key)
            if holding is not None:
                holding.pending = max(0.0, holding.pending - unfilled)

    def sellable(self, symbol: str, exchange: Exchange) -> float | None:
        with self._lock:
            if not self._positions_known:
                return None
            holding = self._holdings.get((symbol, exchange), _Holding())
            return max(0.0, holding.sellable - holding.pending)

    def check(self, req: OrderRequest) -> tuple[Side | None, MarketKind | None, str]:
        """(side, market kind or None for a limit order, "") or (None, None, why the order is refused)."""
        if req.exchange not in EXCHANGES:
            return None, None, f"{req.exchange.value} is not an A-share exchange"
        side, problem = stock_side(req.direction, req.offset, margin=self.margin)
        if side is None:
            return None, None, problem
        rules = self.rules(req.symbol, req.exchange)
        kind, problem = market_kind(req.type, req.exchange, rules.board)
        if problem:
            return None, None, problem
        holding = self.sellable(req.symbol, req.exchange) if side.sells else None
        problem = rules.volume_problem(req.volume, sells=side.sells, holding=holding)
        if problem:
            return None, None, problem
        if side.sells and holding is not None and req.volume > holding:
            return (
                None,
                None,
                (
                    f"sell of {req.volume:g} exceeds the sellable {holding:g} of {req.symbol} (T+1: shares "
                    f"bought today cannot be sold today; pending sells hold shares too)"
                ),
            )
        if kind is None:
            with self._lock:
                limit_up, limit_down = self._limits.get((req.symbol, req.exchange), (0.0, 0.0))
            problem = rules.price_problem(req.price, limit_up=limit_up, limit_down=limit_down)
            if problem:
                return None, None, problem
        elif not isinstance(req.price, (int, float)) or not math.isfinite(req.price) or req.price < 0:
            # a market order's price is sent too (a protection price, or ignored): the struct takes only a
            # finite one
            return None, None, f"price must be a finite number >= 0, not {req.price!r}"
        return side, kind, ""
