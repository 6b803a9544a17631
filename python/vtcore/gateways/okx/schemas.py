"""OKX v5 wire messages as typed msgspec structs with OKX's own field names (venues.md §3).

OKX sends every number as a string; the gateways convert when they build vtcore objects.
"""

from __future__ import annotations

import msgspec


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


class Arg(msgspec.Struct):
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


class Ticker(msgspec.Struct):
    instId: str  # noqa: N815
    last: str
    lastSz: str  # noqa: N815
    askPx: str  # noqa: N815
    askSz: str  # noqa: N815
    bidPx: str  # noqa: N815
    bidSz: str  # noqa: N815
    ts: str
    open24h: str = "0"
    high24h: str = "0"
    low24h: str = "0"
    vol24h: str = "0"
    volCcy24h: str = "0"  # noqa: N815


class Book(msgspec.Struct):
    asks: list[tuple[str, str, str, str]]
    bids: list[tuple[str, str, str, str]]
    ts: str
    instId: str = ""  # noqa: N815


class Trade(msgspec.Struct):
    instId: str  # noqa: N815
    px: str
    sz: str
    ts: str
    tradeId: str = ""  # noqa: N815
