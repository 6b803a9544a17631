"""1Token wire messages (venues.md §7: the 2018 REST and WebSocket documents and the SDK's models).

Times are ISO 8601 with an offset (1Token wrote China time, "+08:00"); numbers are JSON numbers.
"""

from __future__ import annotations

import datetime as dt

import msgspec


class Error(msgspec.Struct):
    code: str
    message: str = ""


class ServerTime(msgspec.Struct):
    server_time: float  # seconds since the epoch


class Contract(msgspec.Struct):
    name: str  # btc.usdt, btc.usd.q
    symbol: str = ""  # okex/btc.usdt
    exchange: str = ""
    min_change: float = 0.0
    min_amount: float = 0.0
    unit_amount: float = 1.0
    category: str = ""


class PriceLevel(msgspec.Struct):
    price: float
    volume: float


class Tick(msgspec.Struct):
    contract: str
    time: dt.datetime
    bids: list[PriceLevel] = []
    asks: list[PriceLevel] = []
    last: float | None = None
    volume: float = 0.0
    amount: float = 0.0
    exchange_time: dt.datetime | None = None


class TickPush(msgspec.Struct):
    uri: str
    data: Tick


class Zhubi(msgspec.Struct):
    """One market trade ("zhubi", 逐笔)."""

    contract: str
    price: float
    amount: float
    bs: str
    time: dt.datetime | None = None
    exchange_time: dt.datetime | None = None


class ZhubiPush(msgspec.Struct):
    uri: str
    data: list[Zhubi]


class Order(msgspec.Struct):
    contract: str
    bs: str
    client_oid: str
    exchange_oid: str
    status: str
    entrust_price: float
    entrust_amount: float
    dealt_amount: float = 0.0
    average_dealt_price: float = 0.0
    last_dealt_amount: float | None = None
    last_dealed_amount: float | None = None  # the documents' spelling of the same field
    entrust_time: dt.datetime | None = None
    last_update: dt.datetime | None = None
    account: str = ""


class Fill(msgspec.Struct):
    contract: str
    bs: str
    exchange_oid: str
    exchange_tid: str
    dealt_amount: float
    dealt_price: float
    client_oid: str = ""
    dealt_time: dt.datetime | None = None


class Holding(msgspec.Struct):
    contract: str
    total_amount: float = 0.0
    available: float = 0.0
    frozen: float = 0.0
    type: str = "spot"


class Info(msgspec.Struct):
    balance: float = 0.0
    cash: float = 0.0
    position: list[Holding] = []


class Placed(msgspec.Struct):
    exchange_oid: str
    client_oid: str = ""


class Message(msgspec.Struct):
    """Any trade-socket message decoded loosely (its `data` left raw)."""

    uri: str | None = None
    code: str | None = None
    status: str | None = None
    message: str | None = None
    data: msgspec.Raw = msgspec.Raw(b"null")
    uuid: str | float | None = None
