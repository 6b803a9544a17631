"""HTX (ex-Huobi) wire messages as msgspec Structs with HTX's own field names (venues.md §4).

Market streams send JSON numbers; REST answers and the private streams mostly send number strings (spot) or
numbers (futures v1); `parse.py` converts when it builds vtcore objects.
"""

from __future__ import annotations

import builtins
from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")

# ------------------------------------------------------------------------------------------- envelopes


class SpotEnvelope(msgspec.Struct):
    """Spot v1 answer: `status` "ok" carries `data`; "error" carries `err-code` / `err-msg`."""

    status: str = ""
    data: msgspec.Raw = msgspec.Raw(b"null")
    err_code: str | None = msgspec.field(default=None, name="err-code")
    err_msg: str | None = msgspec.field(default=None, name="err-msg")


class FuturesEnvelope(msgspec.Struct):
    """Futures v1 answer (`err_code` a number) and v5 answer (`code` 200 is success, `message`)."""

    status: str = ""
    data: msgspec.Raw = msgspec.Raw(b"null")
    ts: int = 0
    err_code: int | str | None = None
    err_msg: str | None = None
    code: int | None = None
    message: str | None = None


# ------------------------------------------------------------------------------------------- market streams


class Tick(msgspec.Struct, Generic[T]):
    """A market push `{"ch": ..., "ts": ..., "tick": ...}`."""

    ch: str
    ts: int
    tick: T


class Book(msgspec.Struct):
    """`mbp.refresh.N` (spot) and `depth.stepN` (both) ticks: full books, best first. Kept raw: a tick needs
    five levels of the up to 150 a side, which `TickBuilder.json_levels` reads in C without building the
    rest."""

    bids: msgspec.Raw = msgspec.Raw(b"[]")
    asks: msgspec.Raw = msgspec.Raw(b"[]")


class MarketTrade(msgspec.Struct):
    price: float
    amount: float
    ts: int = 0
    direction: str = ""


class Trades(msgspec.Struct):
    data: list[MarketTrade] = []


class Detail(msgspec.Struct):
    """`market.$symbol.detail`: the rolling 24 h statistics."""

    open: float = 0.0
    close: float = 0.0
    high: float = 0.0
    low: float = 0.0
    amount: float = 0.0  # base volume
    vol: float = 0.0  # quote turnover (spot) / contracts (futures)


class Frame(msgspec.Struct):
    """Any stream frame, for dispatch: pings, subscription answers, errors, pushes (`ch`, `topic`,
    `action`)."""

    ping: int | None = None
    op: str | None = None
    action: str | None = None
    ch: str | None = None
    topic: str | None = None
    ts: int | str | None = None
    status: int | str | None = None  # "ok"/"error" on market streams, a number in order notifications
    code: int | None = None
    message: str | None = None
    err_code: int | str | None = msgspec.field(default=None, name="err-code")
    err_msg: str | None = msgspec.field(default=None, name="err-msg")
    data: msgspec.Raw = msgspec.Raw(b"null")
    cid: str | None = None


# ------------------------------------------------------------------------------------------- spot REST


class SpotSymbol(msgspec.Struct):
    symbol: str
    base_currency: str = msgspec.field(name="base-currency")
    quote_currency: str = msgspec.field(name="quote-currency")
    price_precision: int = msgspec.field(name="price-precision")
    amount_precision: int = msgspec.field(name="amount-precision")
    state: str = "online"
    min_order_amt: float = msgspec.field(default=0.0, name="min-order-amt")


class SpotAccount(msgspec.Struct):
    id: int
    type: str
    state: str = "working"


class SpotBalanceRow(msgspec.Struct):
    currency: str
    type: str  # "trade" (available) or "frozen"
    balance: str


class SpotBalance(msgspec.Struct):
    rows: builtins.list[SpotBalanceRow] = msgspec.field(default_factory=builtins.list, name="list")


class SpotOrder(msgspec.Struct):
    """An order as `/v1/order/openOrders`, `/v1/order/orders/{id}` and `getClientOrder` return it."""

    id: int
    symbol: str
    amount: str
    price: str
    type: str
    state: str
    client_order_id: str = msgspec.field(default="", name="client-order-id")
    created_at: int = msgspec.field(default=0, name="created-at")
    filled_amount: str = msgspec.field(default="0", name="filled-amount")


class SpotFill(msgspec.Struct):
    """A fill as `/v1/order/orders/{id}/matchresults` returns it."""

    order_id: int = msgspec.field(name="order-id")
    trade_id: int = msgspec.field(name="trade-id")
    symbol: str = ""
    type: str = ""
    price: str = "0"
    filled_amount: str = msgspec.field(default="0", name="filled-amount")
    filled_fees: str = msgspec.field(default="0", name="filled-fees")
    created_at: int = msgspec.field(default=0, name="created-at")


class Kline(msgspec.Struct):
    id: int  # the bar's start, seconds
    open: float
    close: float
    low: float
    high: float
    amount: float = 0.0
    vol: float = 0.0


# ------------------------------------------------------------------------------------------- spot /ws/v2


class OrderUpdate(msgspec.Struct):
    """`orders#symbol` data (eventType creation, trade, cancellation)."""

    eventType: str  # noqa: N815
    symbol: str
    orderStatus: str  # noqa: N815
    orderId: int | str = 0  # noqa: N815
    clientOrderId: str = ""  # noqa: N815
    type: str = ""
    orderPrice: str = ""  # noqa: N815
    orderSize: str = ""  # noqa: N815
    orderValue: str = ""  # noqa: N815
    execAmt: str = ""  # noqa: N815
    remainAmt: str = ""  # noqa: N815
    orderCreateTime: int = 0  # noqa: N815
    tradeTime: int = 0  # noqa: N815
    lastActTime: int = 0  # noqa: N815


class Clearing(msgspec.Struct):
    """`trade.clearing#symbol#mode` data: one fill with its fee."""

    eventType: str  # noqa: N815
    symbol: str
    orderId: int | str  # noqa: N815
    tradePrice: str  # noqa: N815
    tradeVolume: str  # noqa: N815
    orderSide: str  # noqa: N815
    tradeId: int | str  # noqa: N815
    tradeTime: int  # noqa: N815
    clientOrderId: str = ""  # noqa: N815
    orderType: str = ""  # noqa: N815
    transactFee: str = "0"  # noqa: N815
    feeCurrency: str = ""  # noqa: N815


class AccountUpdate(msgspec.Struct):
    """`accounts.update#1` data."""

    currency: str
    balance: str | None = None
    available: str | None = None


class Push(msgspec.Struct, Generic[T]):
    action: str
    ch: str
    data: T


# ------------------------------------------------------------------------------------------- futures


class ContractInfo(msgspec.Struct):
    symbol: str
    contract_code: str
    contract_size: float
    price_tick: float
    contract_status: int = 1
    contract_type: str = "swap"
    delivery_date: str = ""
    pair: str = ""


class ContractOrder(msgspec.Struct):
    """A coin-margined order (REST rows and `orders.*` notifications, whose fills come in `trade`)."""

    contract_code: str
    order_id: int
    volume: float
    price: float | None
    direction: str
    offset: str
    status: int
    order_price_type: str = "limit"
    client_order_id: int | None = None
    trade_volume: float = 0.0
    created_at: int = 0
    ts: int = 0
    trade: list[ContractTrade] = []
    fee_asset: str = ""


class ContractTrade(msgspec.Struct):
    trade_id: int | str
    trade_volume: float
    trade_price: float
    created_at: int = 0
    trade_fee: float = 0.0


class OpenOrders(msgspec.Struct):
    orders: list[ContractOrder] = []


class CancelResult(msgspec.Struct):
    errors: list[CancelError] = []
    successes: str = ""


class CancelError(msgspec.Struct):
    order_id: str | int = ""
    err_code: int = 0
    err_msg: str = ""


class ContractFill(msgspec.Struct):
    """A coin-margined fill as `*_matchresults_exact` returns it."""

    match_id: int
    order_id: int
    contract_code: str
    direction: str
    offset: str
    trade_volume: float
    trade_price: float
    create_date: int = 0


class ContractFills(msgspec.Struct):
    trades: list[ContractFill] = []


class ContractAccount(msgspec.Struct):
    symbol: str
    margin_balance: float = 0.0
    margin_frozen: float = 0.0
    margin_position: float = 0.0


class ContractPosition(msgspec.Struct):
    contract_code: str
    volume: float
    available: float
    direction: str
    cost_hold: float = 0.0
    profit_unreal: float = 0.0


class LinearOrder(msgspec.Struct):
    """A v5 order (REST rows and `orders` notifications)."""

    order_id: str
    contract_code: str
    side: str
    type: str
    volume: str
    state: str
    price: str = ""
    client_order_id: str = ""
    trade_volume: str = "0"
    time_in_force: str = "gtc"
    reduce_only: bool = False
    created_time: str = ""
    updated_time: str = ""


class LinearTrade(msgspec.Struct):
    """A v5 `trade` notification row."""

    order_id: str
    trade_id: str
    contract_code: str
    direction: str
    trade_volume: str
    trade_price: str
    client_order_id: str = ""
    created_time: str = ""
    trade_fee: str = "0"


class LinearFill(msgspec.Struct):
    """A v5 fill as `/v5/trade/order/details` returns it."""

    order_id: str
    trade_id: str
    contract_code: str
    side: str
    trade_volume: str
    trade_price: str
    created_time: str = ""


class LinearDetail(msgspec.Struct):
    currency: str
    equity: str = "0"
    available: str = "0"


class LinearAccount(msgspec.Struct):
    details: list[LinearDetail] = []


class LinearPosition(msgspec.Struct):
    contract_code: str
    direction: str
    volume: str
    available: str = "0"
    open_avg_price: str = "0"
    profit_unreal: str = "0"


class Notify(msgspec.Struct, Generic[T]):
    """A futures notification with its payload in `data` (accounts, positions, v5 topics)."""

    op: str
    topic: str
    data: T
