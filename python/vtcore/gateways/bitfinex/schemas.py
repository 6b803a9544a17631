"""Bitfinex v2 wire messages (venues.md §6). Data comes as positional arrays; the `array_like` structs below
name their positions in Bitfinex's documented order. Numbers are JSON numbers; times are ms since the epoch.
"""

from __future__ import annotations

from typing import Any

import msgspec

Number = int | float  # kept as written, so a book checksum can be recomputed from the same text


class Event(msgspec.Struct):
    """Any object frame: info, pong, conf, subscribed, unsubscribed, error, auth."""

    event: str
    code: int | None = None
    msg: str | None = None
    version: int | None = None
    status: str | None = None
    channel: str | None = None
    chanId: int | None = None  # noqa: N815
    symbol: str | None = None
    key: str | None = None
    cid: int | None = None
    ts: int | None = None
    userId: int | None = None  # noqa: N815


class FullTicker(msgspec.Struct, array_like=True, gc=False):
    """A ticker with every field a number (the usual case): decoded without a None check per field."""

    BID: float
    BID_SIZE: float
    ASK: float
    ASK_SIZE: float
    DAILY_CHANGE: float
    DAILY_CHANGE_RELATIVE: float
    LAST_PRICE: float
    VOLUME: float
    HIGH: float
    LOW: float


class Ticker(msgspec.Struct, array_like=True):
    """Any ticker, a field null where the venue has no value yet (decoded when `FullTicker` is refused)."""

    BID: float | None
    BID_SIZE: float | None
    ASK: float | None
    ASK_SIZE: float | None
    DAILY_CHANGE: float | None
    DAILY_CHANGE_RELATIVE: float | None
    LAST_PRICE: float | None
    VOLUME: float | None
    HIGH: float | None
    LOW: float | None


class Level(msgspec.Struct, array_like=True):
    """A P0-P4 book level; COUNT 0 removes the price, AMOUNT > 0 is a bid and < 0 an ask."""

    PRICE: Number
    COUNT: int
    AMOUNT: Number


class PublicTrade(msgspec.Struct, array_like=True):
    ID: int
    MTS: int
    AMOUNT: float  # negative: the taker sold
    PRICE: float


class Candle(msgspec.Struct, array_like=True):
    MTS: int
    OPEN: float
    CLOSE: float  # Bitfinex's order: open, close, high, low
    HIGH: float
    LOW: float
    VOLUME: float


class Order(msgspec.Struct, array_like=True):
    """The 32-field order array of `os`/`on`/`ou`/`oc`, `auth/r/orders` and notifications."""

    ID: int | None
    GID: int | None
    CID: int | None
    SYMBOL: str | None
    MTS_CREATE: int | None
    MTS_UPDATE: int | None
    AMOUNT: float | None  # what is left, signed
    AMOUNT_ORIG: float | None
    ORDER_TYPE: str | None
    TYPE_PREV: str | None = None
    MTS_TIF: int | None = None
    _P11: Any = None
    FLAGS: int | None = None
    ORDER_STATUS: str | None = None
    _P14: Any = None
    _P15: Any = None
    PRICE: float | None = None
    PRICE_AVG: float | None = None


class Trade(msgspec.Struct, array_like=True):
    """A fill: `te`/`tu` on channel 0 and `auth/r/trades/hist` (FEE fields null on `te`)."""

    ID: int
    SYMBOL: str
    MTS_CREATE: int
    ORDER_ID: int
    EXEC_AMOUNT: float
    EXEC_PRICE: float
    ORDER_TYPE: str | None = None
    ORDER_PRICE: float | None = None
    MAKER: int | None = None
    FEE: float | None = None
    FEE_CURRENCY: str | None = None
    CID: int | None = None


class Wallet(msgspec.Struct, array_like=True):
    WALLET_TYPE: str
    CURRENCY: str
    BALANCE: float
    UNSETTLED_INTEREST: float | None = None
    BALANCE_AVAILABLE: float | None = None


class Position(msgspec.Struct, array_like=True):
    SYMBOL: str
    STATUS: str
    AMOUNT: float
    BASE_PRICE: float
    FUNDING: float | None = None
    FUNDING_TYPE: int | None = None
    PL: float | None = None


class Notification(msgspec.Struct, array_like=True):
    """`[MTS, TYPE, MESSAGE_ID, _, NOTIFY_INFO, CODE, STATUS, TEXT]` (`on-req`, `oc-req`, ...)."""

    MTS: int | None
    TYPE: str
    MESSAGE_ID: Any
    _P3: Any
    NOTIFY_INFO: msgspec.Raw
    CODE: int | None
    STATUS: str
    TEXT: str
