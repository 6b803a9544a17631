"""BitMEX wire messages as typed msgspec structs with BitMEX's own field names (venues.md §5).

BitMEX writes numbers as JSON numbers and times as ISO 8601 UTC ("2026-01-02T03:04:05.678Z"), which msgspec
decodes into floats and aware datetimes. The WebSocket's table rows after a `partial` carry only the columns
that changed, so every column but the table's keys is optional.
"""

# ruff: noqa: N815 - the venue's own names

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")


class ErrorDetail(msgspec.Struct):
    message: str = ""
    name: str = ""


class ErrorBody(msgspec.Struct):
    error: ErrorDetail


class Root(msgspec.Struct):
    """`GET /api/v1`: the API's name and version and the venue's clock (ms)."""

    timestamp: int
    version: str = ""


class Instrument(msgspec.Struct):
    symbol: str
    state: str = ""
    typ: str = ""
    tickSize: float = 0.0
    lotSize: float = 1.0
    multiplier: float = 1.0
    underlying: str = ""
    quoteCurrency: str = ""
    settlCurrency: str = ""
    positionCurrency: str = ""
    isInverse: bool = False
    isQuanto: bool = False
    underlyingToPositionMultiplier: float | None = None
    expiry: dt.datetime | None = None


class Quote(msgspec.Struct):
    symbol: str
    timestamp: dt.datetime
    bidPrice: float | None = None
    bidSize: float | None = None
    askPrice: float | None = None
    askSize: float | None = None


class L2Row(msgspec.Struct):
    """An `orderBookL2`/`orderBookL2_25` row: one price level keyed by `id` (update and delete rows carry no
    price: the level's id names it)."""

    symbol: str
    id: int
    side: str
    size: float | None = None
    price: float | None = None
    timestamp: dt.datetime | None = None


class Book10(msgspec.Struct):
    symbol: str
    timestamp: dt.datetime
    bids: list[tuple[float, float]]
    asks: list[tuple[float, float]]


class Trade(msgspec.Struct):
    symbol: str
    timestamp: dt.datetime
    side: str
    size: float
    price: float
    trdMatchID: str = ""


class InstrumentUpdate(msgspec.Struct):
    """An `instrument` row: only the columns that changed (the last, mark and 24 h figures)."""

    symbol: str
    timestamp: dt.datetime | None = None
    lastPrice: float | None = None
    highPrice: float | None = None
    lowPrice: float | None = None
    prevClosePrice: float | None = None
    volume24h: float | None = None
    turnover24h: float | None = None
    openInterest: float | None = None


class Order(msgspec.Struct):
    orderID: str
    clOrdID: str | None = None
    symbol: str | None = None
    side: str | None = None
    orderQty: float | None = None
    price: float | None = None
    ordType: str | None = None
    timeInForce: str | None = None
    execInst: str | None = None
    ordStatus: str | None = None
    leavesQty: float | None = None
    cumQty: float | None = None
    avgPx: float | None = None
    text: str | None = None
    ordRejReason: str | None = None
    transactTime: dt.datetime | None = None
    timestamp: dt.datetime | None = None
    error: str | None = None  # on a DELETE /order row that could not be cancelled


class Execution(msgspec.Struct):
    execID: str
    orderID: str
    execType: str
    clOrdID: str | None = None
    symbol: str | None = None
    side: str | None = None
    lastQty: float | None = None
    lastPx: float | None = None
    ordStatus: str | None = None
    cumQty: float | None = None
    leavesQty: float | None = None
    text: str | None = None
    trdMatchID: str | None = None
    execComm: float | None = None
    transactTime: dt.datetime | None = None
    timestamp: dt.datetime | None = None


class Margin(msgspec.Struct):
    currency: str
    account: int = 0
    walletBalance: float | None = None
    marginBalance: float | None = None
    availableMargin: float | None = None
    unrealisedPnl: float | None = None
    initMargin: float | None = None
    maintMargin: float | None = None


class Position(msgspec.Struct):
    symbol: str
    account: int = 0
    currentQty: float | None = None
    avgEntryPrice: float | None = None
    unrealisedPnl: float | None = None
    realisedPnl: float | None = None
    markPrice: float | None = None


class Bucket(msgspec.Struct):
    """A `trade/bucketed` row; `timestamp` is the END of the bin."""

    timestamp: dt.datetime
    symbol: str
    open: float | None = None
    high: float | None = None
    low: float | None = None
    close: float | None = None
    volume: float = 0.0
    turnover: float = 0.0


class TablePush(msgspec.Struct, Generic[T]):
    """One table message: `partial` (the whole table, with `keys`), `insert`, `update` or `delete`."""

    table: str
    action: str
    data: list[T]
    filter: dict[str, Any] | None = None


class Frame(msgspec.Struct):
    """Any WebSocket message decoded loosely: a table push (data left raw), a reply or the welcome."""

    table: str | None = None
    action: str | None = None
    data: msgspec.Raw = msgspec.Raw(b"null")
    success: bool | None = None
    subscribe: str | None = None
    unsubscribe: str | None = None
    request: dict[str, Any] | str | None = None  # the request a reply answers, echoed
    status: int | None = None
    error: str | None = None
    info: str | None = None
    timestamp: str | None = None
