"""Binance wire messages as typed msgspec structs, with Binance's own field names (venues.md §1-2).

These are decoded straight from the venue's bytes and converted to vtcore's objects by `parse.py`; they
never leave the binance package. Fields the gateways do not read are not declared (msgspec skips them). The
market-stream structs are `gc=False`: they hold only text, numbers and lists (no cycles), so the garbage
collector never tracks the thousands made each second.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")


class ErrorReply(msgspec.Struct):
    code: int
    msg: str


class ServerTime(msgspec.Struct):
    serverTime: int  # noqa: N815


class SymbolInfo(msgspec.Struct):
    symbol: str
    status: str = ""
    baseAsset: str = ""  # noqa: N815
    quoteAsset: str = ""  # noqa: N815
    filters: list[dict[str, Any]] = []
    orderTypes: list[str] = []  # noqa: N815
    contractType: str = ""  # noqa: N815  (futures)
    contractStatus: str = ""  # noqa: N815  (COIN-M)
    contractSize: float = 0.0  # noqa: N815  (COIN-M: USD per contract)
    marginAsset: str = ""  # noqa: N815


class ExchangeInfo(msgspec.Struct):
    symbols: list[SymbolInfo]


class OrderFill(msgspec.Struct):
    price: str
    qty: str
    tradeId: int  # noqa: N815


class Order(msgspec.Struct):
    """REST order answer (spot and futures share these keys)."""

    symbol: str
    orderId: int  # noqa: N815
    clientOrderId: str  # noqa: N815
    price: str
    origQty: str  # noqa: N815
    executedQty: str  # noqa: N815
    status: str
    type: str
    side: str
    timeInForce: str = ""  # noqa: N815
    time: int = 0
    updateTime: int = 0  # noqa: N815
    transactTime: int = 0  # noqa: N815
    stopPrice: str = ""  # noqa: N815
    fills: list[OrderFill] = []


class AlgoOrder(msgspec.Struct):
    """`/fapi/v1/algoOrder` answer."""

    algoId: int  # noqa: N815
    clientAlgoId: str  # noqa: N815
    algoStatus: str = ""  # noqa: N815


class SpotBalance(msgspec.Struct):
    asset: str
    free: str
    locked: str


class SpotAccount(msgspec.Struct):
    balances: list[SpotBalance]


class FuturesAsset(msgspec.Struct):
    asset: str
    walletBalance: str  # noqa: N815
    availableBalance: str = "0"  # noqa: N815
    unrealizedProfit: str = "0"  # noqa: N815


class FuturesAccount(msgspec.Struct):
    assets: list[FuturesAsset]


class PositionRisk(msgspec.Struct):
    symbol: str
    positionAmt: str  # noqa: N815
    entryPrice: str  # noqa: N815
    unRealizedProfit: str  # noqa: N815
    positionSide: str = "BOTH"  # noqa: N815


class AccountTrade(msgspec.Struct):
    """`myTrades` (spot) / `userTrades` (futures) row."""

    symbol: str
    id: int
    orderId: int  # noqa: N815
    price: str
    qty: str
    time: int
    isBuyer: bool = False  # noqa: N815  (spot)
    side: str = ""  # futures


class ListenKey(msgspec.Struct):
    listenKey: str  # noqa: N815


Kline = tuple[int, str, str, str, str, str, int, str, int, str, str, str]

# ---- market streams


class Combined(msgspec.Struct, Generic[T], gc=False):
    """A combined-stream frame whose payload type is known from its stream name. The name (`stream`) is read
    in place from the frame's first bytes by the dispatch, so it is not decoded again (no str per frame)."""

    data: T


class StreamReply(msgspec.Struct):
    """A reply to SUBSCRIBE/UNSUBSCRIBE (`result` null) or a stream control error (`code`, `msg`)."""

    id: int | str | None = None
    result: Any = None
    code: int | None = None
    msg: str | None = None


class BookTicker(msgspec.Struct, gc=False):
    """Prices arrive as text; the market decoders run with strict=False, which reads them as floats."""

    s: str
    b: float
    B: float
    a: float
    A: float
    u: int = 0
    E: int = 0
    T: int = 0


class PartialDepth(msgspec.Struct, gc=False):
    """Spot `<s>@depth5`: no symbol, no event time."""

    lastUpdateId: int  # noqa: N815
    bids: list[tuple[float, float]]
    asks: list[tuple[float, float]]


class FuturesDepth(msgspec.Struct, gc=False):
    """Futures `<s>@depth5`: a depthUpdate-shaped message with `b`/`a`."""

    s: str
    E: int
    b: list[tuple[float, float]]
    a: list[tuple[float, float]]
    T: int = 0


class Trade(msgspec.Struct, gc=False):
    """Spot `@trade` and futures `@aggTrade` share what the gateways read."""

    s: str
    p: float
    q: float
    T: int


# ---- user data


class OrderEvent(msgspec.Struct):
    """The order fields spot `executionReport` and futures `ORDER_TRADE_UPDATE.o` share."""

    s: str
    c: str
    S: str
    o: str
    f: str
    q: str
    p: str
    x: str
    X: str
    i: int
    l: str  # noqa: E741
    z: str
    L: str
    T: int
    t: int

    def original_type(self) -> str:
        """The order type as placed (a triggered futures stop reports its new type in `o`)."""
        return self.o

    def stop_price(self) -> str:
        return ""

    def reason(self) -> str:
        """The venue's reason for a rejection or expiry, "" when it gave none."""
        return ""


def _given(*texts: str) -> str:
    return next((text for text in texts if text and text not in ("NONE", "0")), "")


class ExecutionReport(OrderEvent, tag="executionReport", tag_field="e"):
    E: int = 0
    C: str = ""
    P: str = ""  # stop price
    r: str = ""  # reject reason ("NONE" when none)
    eR: str = ""  # noqa: N815  expiry reason (2026-03-26)

    def stop_price(self) -> str:
        return self.P

    def reason(self) -> str:
        return _given(self.r, self.eR)


class AccountBalance(msgspec.Struct):
    a: str
    f: str
    l: str  # noqa: E741


class OutboundAccountPosition(msgspec.Struct, tag="outboundAccountPosition", tag_field="e"):
    E: int
    B: list[AccountBalance]


class BalanceUpdate(msgspec.Struct, tag="balanceUpdate", tag_field="e"):
    E: int
    a: str
    d: str


class EventStreamTerminated(msgspec.Struct, tag="eventStreamTerminated", tag_field="e"):
    E: int


SpotUserEvent = ExecutionReport | OutboundAccountPosition | BalanceUpdate | EventStreamTerminated


class ApiError(msgspec.Struct):
    code: int
    msg: str


class ApiFrame(msgspec.Struct):
    """Anything on the WS API socket: a reply (`id`, `status`) or a user-data event (`subscriptionId`)."""

    id: int | str | None = None
    status: int = 0
    result: msgspec.Raw = msgspec.Raw(b"")  # empty when absent (msgspec cannot make Raw optional)
    error: ApiError | None = None
    subscriptionId: int | None = None  # noqa: N815
    event: msgspec.Raw = msgspec.Raw(b"")


class FuturesOrderUpdate(OrderEvent):
    ot: str = ""  # original order type
    sp: str = ""  # stop price
    er: str = ""  # expiry reason (2025-12-10)

    def original_type(self) -> str:
        return self.ot or self.o

    def stop_price(self) -> str:
        return self.sp

    def reason(self) -> str:
        return _given(self.er)


class OrderTradeUpdate(msgspec.Struct, tag="ORDER_TRADE_UPDATE", tag_field="e"):
    E: int
    o: FuturesOrderUpdate


class FuturesBalance(msgspec.Struct):
    a: str
    wb: str
    cw: str = "0"


class FuturesPosition(msgspec.Struct):
    s: str
    pa: str
    ep: str
    up: str = "0"
    ps: str = "BOTH"


class FuturesAccountUpdateData(msgspec.Struct):
    B: list[FuturesBalance] = []
    P: list[FuturesPosition] = []


class AccountUpdate(msgspec.Struct, tag="ACCOUNT_UPDATE", tag_field="e"):
    E: int
    a: FuturesAccountUpdateData


class ListenKeyExpired(msgspec.Struct, tag="listenKeyExpired", tag_field="e"):
    E: int


class AlgoUpdateOrder(msgspec.Struct):
    """`ALGO_UPDATE.o`: NEW, CANCELED, TRIGGERING, TRIGGERED (placed in the matching engine as order `ai`,
    whose own ORDER_TRADE_UPDATEs carry the client algo id as `c`), FINISHED, REJECTED, EXPIRED."""

    caid: str
    aid: int
    s: str
    X: str
    ai: str | int = ""  # the order placed on trigger
    rm: str = ""  # why it failed


class AlgoUpdate(msgspec.Struct, tag="ALGO_UPDATE", tag_field="e"):
    E: int
    o: AlgoUpdateOrder


FuturesUserEvent = OrderTradeUpdate | AccountUpdate | ListenKeyExpired | AlgoUpdate


class UnreadEvent(msgspec.Struct):
    """What a user-data event that failed to decode still says, read loosely: its tag, and the client order
    ids of an order event (a spot report's `c` and `C`, a futures report's `o.c`)."""

    e: Any = ""
    c: Any = ""
    C: Any = ""
    o: Any = None

    def orderids(self) -> list[str]:
        """The client order ids it names, the order's own first (a cancel's `c` is the cancel's id)."""
        nested = self.o.get("c") if isinstance(self.o, dict) else None
        return [str(i) for i in (self.C, nested, self.c) if isinstance(i, str) and i]
