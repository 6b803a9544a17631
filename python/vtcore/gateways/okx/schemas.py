"""OKX v5 wire messages as typed msgspec structs with OKX's own field names (venues.md §3).

OKX sends every number as a string; `parse.py` converts when it builds vtcore objects. The market-data
structs are `gc=False`: they hold only text, numbers and lists of each other (no cycles), so the garbage
collector never tracks the thousands made each second.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

import msgspec

T = TypeVar("T")


class Envelope(msgspec.Struct):
    """REST answer: `code` "0" is success; `data` is decoded by the caller into its own row type."""

    code: str
    msg: str = ""
    data: msgspec.Raw = msgspec.Raw(b"[]")


class ServerTime(msgspec.Struct):
    ts: str


class Instrument(msgspec.Struct):
    instType: str  # noqa: N815
    instId: str  # noqa: N815
    tickSz: str  # noqa: N815
    lotSz: str  # noqa: N815
    minSz: str  # noqa: N815
    state: str = ""
    instIdCode: int | None = None  # noqa: N815  (2026: required by WebSocket order operations)
    ctVal: str = ""  # noqa: N815
    ctType: str = ""  # noqa: N815
    settleCcy: str = ""  # noqa: N815
    quoteCcy: str = ""  # noqa: N815


class BalanceDetail(msgspec.Struct):
    ccy: str
    eq: str = "0"
    availEq: str = ""  # noqa: N815
    availBal: str = ""  # noqa: N815
    frozenBal: str = "0"  # noqa: N815


class Balance(msgspec.Struct):
    details: list[BalanceDetail] = []


class Position(msgspec.Struct):
    instId: str  # noqa: N815
    instType: str = ""  # noqa: N815
    posSide: str = "net"  # noqa: N815
    pos: str = "0"
    availPos: str = ""  # noqa: N815
    avgPx: str = ""  # noqa: N815
    upl: str = "0"


class Order(msgspec.Struct):
    """An order as `orders` pushes it and as `/trade/order` and `/trade/orders-pending` return it."""

    instId: str  # noqa: N815
    ordId: str  # noqa: N815
    clOrdId: str  # noqa: N815
    px: str
    sz: str
    ordType: str  # noqa: N815
    side: str
    state: str
    accFillSz: str  # noqa: N815
    instType: str = ""  # noqa: N815
    fillPx: str = ""  # noqa: N815
    fillSz: str = "0"  # noqa: N815
    fillTime: str = ""  # noqa: N815
    tradeId: str = ""  # noqa: N815
    cTime: str = ""  # noqa: N815
    uTime: str = ""  # noqa: N815
    # why the venue cancelled it ("31": a post-only order that would have taken liquidity)
    cancelSource: str = ""  # noqa: N815


class Fill(msgspec.Struct):
    instId: str  # noqa: N815
    tradeId: str  # noqa: N815
    ordId: str  # noqa: N815
    fillPx: str  # noqa: N815
    fillSz: str  # noqa: N815
    side: str
    ts: str
    clOrdId: str = ""  # noqa: N815


Candle = tuple[str, str, str, str, str, str, str, str, str]


class OpResult(msgspec.Struct):
    sCode: str  # noqa: N815
    sMsg: str = ""  # noqa: N815
    ordId: str = ""  # noqa: N815
    clOrdId: str = ""  # noqa: N815


# ---- WebSocket


class Arg(msgspec.Struct, gc=False):
    channel: str = ""
    instId: str = ""  # noqa: N815
    instType: str = ""  # noqa: N815


class WsFrame(msgspec.Struct):
    """Any JSON frame: a push (`arg` + `data`), an event (`event`), or an operation's reply (`id`, `op`)."""

    arg: Arg | None = None
    data: msgspec.Raw = msgspec.Raw(b"")
    event: str | None = None
    code: str | None = None
    msg: str = ""
    id: str | None = None
    op: str | None = None


class Push(msgspec.Struct, Generic[T], gc=False):
    """A channel push whose row type is known from its channel name."""

    arg: Arg
    data: list[T]


#: a number OKX sends as text, possibly "" when it has none (decoded with strict=False)
Number = float | Literal[""]


class Ticker(msgspec.Struct, gc=False):
    instId: str  # noqa: N815
    last: Number
    lastSz: Number  # noqa: N815
    askPx: Number  # noqa: N815
    askSz: Number  # noqa: N815
    bidPx: Number  # noqa: N815
    bidSz: Number  # noqa: N815
    ts: int  # ms, sent as text: read as a number (strict=False)
    open24h: Number = ""
    high24h: Number = ""
    low24h: Number = ""
    vol24h: Number = ""
    volCcy24h: Number = ""  # noqa: N815


class QuotedTicker(msgspec.Struct, gc=False):
    """A ticker whose every number is present (the usual push): read straight as floats; a push with an empty
    field (a side without quotes) is read as `Ticker` instead."""

    instId: str  # noqa: N815
    last: float
    lastSz: float  # noqa: N815
    askPx: float  # noqa: N815
    askSz: float  # noqa: N815
    bidPx: float  # noqa: N815
    bidSz: float  # noqa: N815
    ts: int  # ms, sent as text: read as a number (strict=False)
    open24h: float = 0.0
    high24h: float = 0.0
    low24h: float = 0.0
    vol24h: float = 0.0
    volCcy24h: float = 0.0  # noqa: N815


class Book(msgspec.Struct, gc=False):
    """Levels `[price, size, "0", orders]` as text; decoded with strict=False so price and size are floats."""

    asks: list[tuple[float, float, str, str]]
    bids: list[tuple[float, float, str, str]]
    ts: int  # ms, sent as text: read as a number (strict=False)
    instId: str = ""  # noqa: N815


class Trade(msgspec.Struct, gc=False):
    instId: str  # noqa: N815
    px: float
    sz: float
    ts: int  # ms, sent as text: read as a number (strict=False)
    tradeId: str = ""  # noqa: N815
