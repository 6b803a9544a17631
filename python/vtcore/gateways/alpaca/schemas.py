"""Alpaca wire messages as typed msgspec structs with Alpaca's own field names (venues.md §8).

The Trading API writes numbers as JSON strings (`"qty": "10"`): its decoders are built with `strict=False`,
so those strings arrive as floats. Times are RFC 3339 (nanoseconds are cut to microseconds). Market-data
messages are tagged by `T` and come as arrays, in JSON or MessagePack (where times are timestamp
extensions); both decode into the same structs.
"""

# ruff: noqa: N815 - the venue's own names

from __future__ import annotations

import datetime as dt

import msgspec

# ---- Trading API (REST)


class ErrorBody(msgspec.Struct):
    message: str = ""
    code: int | None = None


class Clock(msgspec.Struct):
    timestamp: dt.datetime
    is_open: bool
    next_open: dt.datetime
    next_close: dt.datetime


class CalendarDay(msgspec.Struct):
    """One trading day; times are New York wall-clock ("09:30", "16:00"; the extended session "0400")."""

    date: dt.date
    open: str
    close: str
    session_open: str = ""
    session_close: str = ""


class Account(msgspec.Struct):
    account_number: str
    status: str = ""
    currency: str = "USD"
    cash: float = 0.0
    equity: float = 0.0
    buying_power: float = 0.0
    non_marginable_buying_power: float | None = None
    trading_blocked: bool = False


class Asset(msgspec.Struct, rename={"asset_class": "class"}):
    symbol: str
    exchange: str = ""
    name: str | None = None
    status: str = "active"
    asset_class: str = "us_equity"
    tradable: bool = False
    fractionable: bool = False
    shortable: bool = False
    min_order_size: float | None = None
    min_trade_increment: float | None = None
    price_increment: float | None = None


class Order(msgspec.Struct):
    id: str
    client_order_id: str
    status: str
    symbol: str | None = None
    side: str | None = None
    type: str | None = None
    order_type: str | None = None
    time_in_force: str = ""
    qty: float | None = None
    filled_qty: float = 0.0
    filled_avg_price: float | None = None
    limit_price: float | None = None
    stop_price: float | None = None
    trail_price: float | None = None
    trail_percent: float | None = None
    extended_hours: bool = False
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    replaced_by: str | None = None
    replaces: str | None = None


class Position(msgspec.Struct):
    symbol: str
    qty: float
    avg_entry_price: float = 0.0
    side: str = "long"
    unrealized_pl: float | None = None
    qty_available: float | None = None


class FillActivity(msgspec.Struct):
    """`/v2/account/activities/FILL`: `id` is "<time>::<execution id>"."""

    id: str
    order_id: str
    price: float
    qty: float
    side: str
    symbol: str
    transaction_time: dt.datetime
    cum_qty: float = 0.0


# ---- the trading stream


class StreamFrame(msgspec.Struct):
    """Every trading-stream message: `{"stream": ..., "data": {...}}`."""

    stream: str
    data: msgspec.Raw = msgspec.Raw(b"null")


class StreamStatus(msgspec.Struct):
    """The `data` of an `authorization` or `listening` message."""

    status: str = ""
    action: str = ""
    streams: list[str] = []


class TradeUpdate(msgspec.Struct):
    event: str
    order: Order
    timestamp: dt.datetime | None = None
    execution_id: str | None = None
    price: float | None = None
    qty: float | None = None
    position_qty: float | None = None


# ---- market data


class Quote(msgspec.Struct, tag_field="T", tag="q", gc=False):
    S: str
    t: dt.datetime
    bp: float = 0.0
    bs: float = 0.0
    ap: float = 0.0
    as_: float = msgspec.field(default=0.0, name="as")
    bx: str = ""
    ax: str = ""


class Trade(msgspec.Struct, tag_field="T", tag="t", gc=False):
    S: str
    t: dt.datetime
    p: float
    s: float = 0.0
    x: str = ""
    i: int = 0


class Bar(msgspec.Struct, tag_field="T", tag="b", gc=False):
    """A minute bar (also the shape of `d` daily and `u` updated bars, and of REST bars)."""

    S: str
    t: dt.datetime
    o: float
    h: float
    l: float  # noqa: E741 - Alpaca's name
    c: float
    v: float = 0.0
    n: int = 0
    vw: float = 0.0


class DailyBar(Bar, tag="d", gc=False):
    pass


class UpdatedBar(Bar, tag="u", gc=False):
    pass


class Status(msgspec.Struct, tag_field="T", tag="s"):
    S: str
    sc: str = ""
    sm: str = ""


class Success(msgspec.Struct, tag_field="T", tag="success"):
    msg: str = ""


class Error(msgspec.Struct, tag_field="T", tag="error"):
    code: int = 0
    msg: str = ""


class Subscription(msgspec.Struct, tag_field="T", tag="subscription"):
    trades: list[str] = []
    quotes: list[str] = []
    dailyBars: list[str] = []


MarketMessage = Quote | Trade | Bar | DailyBar | UpdatedBar | Status | Success | Error | Subscription


class RestBar(msgspec.Struct):
    t: dt.datetime
    o: float
    h: float
    l: float  # noqa: E741 - Alpaca's name
    c: float
    v: float = 0.0
    n: int = 0
    vw: float = 0.0


class BarsPage(msgspec.Struct):
    """`GET /v2/stocks/bars`: bars by symbol and the token of the next page (None on the last)."""

    bars: dict[str, list[RestBar]] | None = None
    next_page_token: str | None = None
