"""OKX v5 wire -> vtcore: code tables and pure functions from `schemas` Structs to vtcore objects.

Nothing here touches a socket or the gateway's state. Tested from recorded frames (`tests/resources/okx/`) in
`tests/gateways/okx/test_okx_parse.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import msgspec

from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.gateways._transport import (
    ClockSkewError,
    RateLimitError,
    RequestRejectedError,
    SignatureError,
    VenueError,
    VenueUnavailableError,
    retry_after_seconds,
)
from vtcore.gateways.okx import schemas
from vtcore.object import BarData, ContractData, OrderData, PositionData, TradeData
from vtcore.time import ms_to_datetime

STATUS_OKX2VT = {
    "live": Status.NOTTRADED,
    "partially_filled": Status.PARTTRADED,
    "filled": Status.ALLTRADED,
    "canceled": Status.CANCELLED,
    "mmp_canceled": Status.CANCELLED,
}
ORDER_TYPE_VT2OKX = {
    OrderType.LIMIT: "limit",
    OrderType.MARKET: "market",
    OrderType.FAK: "ioc",
    OrderType.FOK: "fok",
    OrderType.POST_ONLY: "post_only",
}
ORDER_TYPE_OKX2VT = {value: key for key, value in ORDER_TYPE_VT2OKX.items()}
#: OKX's `cancelSource` codes that vtcore explains in its log (others are logged by number)
CANCEL_SOURCE_TEXT = {"31": "post-only order would have taken liquidity"}
SIDE_OKX2VT = {"buy": Direction.LONG, "sell": Direction.SHORT}
SIDE_VT2OKX = {Direction.LONG: "buy", Direction.SHORT: "sell"}
POSITION_SIDE_OKX2VT = {"long": Direction.LONG, "short": Direction.SHORT}
PRODUCT_OKX2VT = {"SPOT": Product.SPOT, "SWAP": Product.SWAP, "FUTURES": Product.FUTURES}
INTERVAL_VT2OKX = {
    Interval.MINUTE: "1m",
    Interval.HOUR: "1H",
    Interval.DAILY: "1Dutc",
    Interval.WEEKLY: "1Wutc",
}
AUTH_CODES = frozenset({"50101", "50103", "50104", "50105", "50111", "50113"})
#: a wrong passphrase: REST's OK-ACCESS-PASSPHRASE (50105), WebSocket login (60024)
PASSPHRASE_CODES = frozenset({"50105", "60024"})
MARKET_CHANNELS = ("tickers", "books5", "trades")

# One decoder per message type; the market decoders run with strict=False, which reads OKX's number strings
# as floats.
ENVELOPE = msgspec.json.Decoder(schemas.Envelope)
FRAME = msgspec.json.Decoder(schemas.WsFrame)
TICKERS = msgspec.json.Decoder(schemas.Push[schemas.Ticker], strict=False)
QUOTED_TICKERS = msgspec.json.Decoder(schemas.Push[schemas.QuotedTicker], strict=False)
BOOKS = msgspec.json.Decoder(schemas.Push[schemas.Book], strict=False)
TRADES = msgspec.json.Decoder(schemas.Push[schemas.Trade], strict=False)
ORDERS = msgspec.json.Decoder(list[schemas.Order])
BALANCES = msgspec.json.Decoder(list[schemas.Balance])
POSITIONS = msgspec.json.Decoder(list[schemas.Position])
OP_RESULTS = msgspec.json.Decoder(list[schemas.OpResult])

#: the prefix of a channel push, whose channel name follows it
PUSH_PREFIX = b'{"arg":{"channel":"'
#: the first bytes of the market pushes as OKX sends them (`arg` first, `channel` first in it)
TICKERS_PREFIX, BOOKS5_PREFIX, TRADES_PREFIX = (
    PUSH_PREFIX + name + b'"' for name in (b"tickers", b"books5", b"trades")
)
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, ValueError)


def tickers(raw: bytes) -> list[schemas.QuotedTicker]:
    """The rows of a `tickers` push, numbers as floats ("" -> 0.0): one typed pass in the usual case, a
    second, tolerant one when a field is empty."""
    try:
        return QUOTED_TICKERS.decode(raw).data
    except msgspec.ValidationError:
        return [
            schemas.QuotedTicker(
                t.instId,
                t.last or 0.0,
                t.lastSz or 0.0,
                t.askPx or 0.0,
                t.askSz or 0.0,
                t.bidPx or 0.0,
                t.bidSz or 0.0,
                int(t.ts),
                t.open24h or 0.0,
                t.high24h or 0.0,
                t.low24h or 0.0,
                t.vol24h or 0.0,
                t.volCcy24h or 0.0,
            )
            for t in TICKERS.decode(raw).data
        ]


def number(text: str) -> float:
    """An OKX number string as a float ("" -> 0.0)."""
    return float(text) if text else 0.0


def iso_timestamp(ms: int) -> str:
    """OKX's signing timestamp: ISO 8601 UTC with milliseconds ("2026-01-02T03:04:05.678Z")."""
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def classify(code: str, message: str, status: int, headers: Mapping[str, str] | None = None) -> VenueError:
    """The typed error for an OKX code (REST envelope, operation result or login answer)."""
    if status == 429 or code == "50011":
        return RateLimitError(
            message, retry_after=retry_after_seconds(headers or {}), status=status, code=code
        )
    if status >= 500 or code in ("50001", "50004", "50013"):
        return VenueUnavailableError(message, status=status, code=code)
    if code in ("50102", "60006"):
        return ClockSkewError(message, status=status, code=code)
    if code in AUTH_CODES or code in ("60005", "60007", "60024"):
        return SignatureError(message, status=status, code=code)
    return RequestRejectedError(message, status=status, code=code)


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """An OKX REST answer's typed error, or None for a success (`code` "0")."""
    try:
        envelope = ENVELOPE.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        if status < 400:
            return VenueError(f"HTTP {status}: not an OKX answer", status=status)
        return classify("", f"HTTP {status}", status, headers)
    if status < 400 and envelope.code == "0":
        return None
    return classify(envelope.code, envelope.msg or f"code {envelope.code}", status, headers)


def contract(row: schemas.Instrument, *, gateway_name: str, exchange: Exchange) -> ContractData:
    """A ContractData from an instrument row (spot, swap or futures)."""
    return ContractData(
        gateway_name=gateway_name,
        symbol=row.instId,
        exchange=exchange,
        name=row.instId,
        product=PRODUCT_OKX2VT[row.instType],
        size=float(row.ctVal) if row.ctVal else 1.0,
        pricetick=float(row.tickSz),
        min_volume=float(row.minSz),
        net_position=True,
        history_data=True,
    )


class UnknownOrderStateError(ValueError):
    """An order row whose `state` this gateway does not know: its status cannot be told."""


def order(row: schemas.Order, *, gateway_name: str, exchange: Exchange) -> tuple[OrderData, str]:
    """(the order, why the venue cancelled it or "") from an `orders` push or a `/trade/order*` row;
    UnknownOrderStateError when its state is none this gateway knows (never a guessed status)."""
    orderid = row.clOrdId or row.ordId
    status = STATUS_OKX2VT.get(row.state)
    if status is None:
        raise UnknownOrderStateError(f"order {orderid}: unknown state {row.state!r}")
    updated = ms_to_datetime(int(row.uTime)) if row.uTime else None
    result = OrderData(
        gateway_name=gateway_name,
        symbol=row.instId,
        exchange=exchange,
        orderid=orderid,
        type=ORDER_TYPE_OKX2VT.get(row.ordType, OrderType.LIMIT),
        direction=SIDE_OKX2VT.get(row.side),
        price=number(row.px),
        volume=float(row.sz),
        traded=float(row.accFillSz),
        status=status,
        datetime=ms_to_datetime(int(row.cTime)) if row.cTime else updated,
    )
    reason = ""
    if status == Status.CANCELLED and row.cancelSource:
        explained = CANCEL_SOURCE_TEXT.get(row.cancelSource, "")
        reason = f"cancelled by the venue: cancelSource {row.cancelSource}" + (
            f" ({explained})" if explained else ""
        )
    return result, reason


def order_moment(row: schemas.Order) -> dt.datetime | None:
    """When an order row was last updated."""
    return ms_to_datetime(int(row.uTime)) if row.uTime else None


def order_fill(
    row: schemas.Order, orderid: str, *, gateway_name: str, exchange: Exchange
) -> TradeData | None:
    """The fill an `orders` push reports (its `tradeId`), None when it reports none."""
    if not row.tradeId or number(row.fillSz) <= 0:
        return None
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.instId,
        exchange=exchange,
        orderid=orderid,
        tradeid=row.tradeId,
        direction=SIDE_OKX2VT.get(row.side),
        price=float(row.fillPx),
        volume=float(row.fillSz),
        datetime=ms_to_datetime(int(row.fillTime)) if row.fillTime else order_moment(row),
    )


def fill(row: schemas.Fill, orderid: str, *, gateway_name: str, exchange: Exchange) -> TradeData:
    """A TradeData from a `/trade/fills` row."""
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.instId,
        exchange=exchange,
        orderid=orderid,
        tradeid=row.tradeId,
        direction=SIDE_OKX2VT.get(row.side),
        price=float(row.fillPx),
        volume=float(row.fillSz),
        datetime=ms_to_datetime(int(row.ts)),
    )


def position(row: schemas.Position, *, gateway_name: str, exchange: Exchange) -> PositionData:
    """A PositionData from a `positions` push or `/account/positions` row (net or long/short mode)."""
    volume = number(row.pos)
    return PositionData(
        gateway_name=gateway_name,
        symbol=row.instId,
        exchange=exchange,
        direction=POSITION_SIDE_OKX2VT.get(row.posSide, Direction.NET),
        volume=volume,
        frozen=max(0.0, abs(volume) - number(row.availPos or row.pos)),
        price=number(row.avgPx),
        pnl=number(row.upl),
    )


def bar(
    row: schemas.Candle, *, gateway_name: str, exchange: Exchange, symbol: str, interval: Interval
) -> BarData:
    """A BarData from a candle row [ts, open, high, low, close, volume, volCcy, volCcyQuote, confirm]."""
    return BarData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        datetime=ms_to_datetime(int(row[0])),
        interval=interval,
        volume=float(row[5]),
        turnover=float(row[7]),
        open_price=float(row[1]),
        high_price=float(row[2]),
        low_price=float(row[3]),
        close_price=float(row[4]),
    )
