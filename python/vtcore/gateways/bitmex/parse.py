"""BitMEX wire -> vtcore: code tables, signing and pure functions from `schemas` Structs to vtcore objects.

Nothing here touches a socket or a gateway's state; tested from recorded frames in
`tests/gateways/bitmex/test_bitmex_parse.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
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
from vtcore.gateways.bitmex import schemas
from vtcore.object import AccountData, BarData, ContractData, OrderData, PositionData, TradeData

#: `ordStatus` -> vtcore. "PartiallyFilled" is one word (vn.py 2.x mapped "Partially filled" and so never
#: showed a partial fill); Expired and Stopped orders are over without a fill of their rest.
STATUS_BITMEX2VT = {
    "New": Status.NOTTRADED,
    "PendingNew": Status.SUBMITTING,
    "Triggered": Status.NOTTRADED,
    "PartiallyFilled": Status.PARTTRADED,
    "Filled": Status.ALLTRADED,
    "Canceled": Status.CANCELLED,
    "Expired": Status.CANCELLED,
    "Stopped": Status.CANCELLED,
    "Rejected": Status.REJECTED,
}
#: vtcore order type -> (ordType, timeInForce, execInst)
ORDER_TYPE_VT2BITMEX = {
    OrderType.LIMIT: ("Limit", "GoodTillCancel", ""),
    OrderType.MARKET: ("Market", "ImmediateOrCancel", ""),
    OrderType.FAK: ("Limit", "ImmediateOrCancel", ""),
    OrderType.FOK: ("Limit", "FillOrKill", ""),
    OrderType.POST_ONLY: ("Limit", "GoodTillCancel", "ParticipateDoNotInitiate"),
}
SIDE_BITMEX2VT = {"Buy": Direction.LONG, "Sell": Direction.SHORT}
SIDE_VT2BITMEX = {Direction.LONG: "Buy", Direction.SHORT: "Sell"}
INTERVAL_VT2BITMEX = {Interval.MINUTE: "1m", Interval.HOUR: "1h", Interval.DAILY: "1d"}
BIN_LENGTH = {"1m": dt.timedelta(minutes=1), "1h": dt.timedelta(hours=1), "1d": dt.timedelta(days=1)}
#: BitMEX keeps amounts in integer sub-units: XBt (satoshi) and USDt (1e-6 USDT)
CURRENCY_SCALE = {"XBt": ("XBT", 1e8), "USDt": ("USDT", 1e6), "Gwei": ("ETH", 1e9)}

ERROR = msgspec.json.Decoder(schemas.ErrorBody)
FRAME = msgspec.json.Decoder(schemas.Frame)
QUOTES = msgspec.json.Decoder(schemas.TablePush[schemas.Quote])
BOOKS = msgspec.json.Decoder(schemas.TablePush[schemas.Book10])
L2 = msgspec.json.Decoder(schemas.TablePush[schemas.L2Row])
TRADES = msgspec.json.Decoder(schemas.TablePush[schemas.Trade])
INSTRUMENT_ROWS = msgspec.json.Decoder(list[schemas.InstrumentUpdate])
ORDERS = msgspec.json.Decoder(list[schemas.Order])
EXECUTIONS = msgspec.json.Decoder(list[schemas.Execution])
MARGINS = msgspec.json.Decoder(list[schemas.Margin])
POSITIONS = msgspec.json.Decoder(list[schemas.Position])
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, ValueError)
#: the prefix of a table push, whose table name follows it
TABLE_PREFIX = b'{"table":"'


def sign(secret: bytes, verb: str, path: str, expires: int, body: str) -> str:
    """`api-signature`: hex HMAC-SHA256 over verb + path (with `/api/v1` and the query) + expires + body."""
    return hmac.new(secret, f"{verb}{path}{expires}{body}".encode(), hashlib.sha256).hexdigest()


def classify(message: str, status: int, headers: Mapping[str, str] | None = None) -> VenueError:
    """The typed error for a BitMEX error text and HTTP status."""
    if status == 429:
        return RateLimitError(message, retry_after=retry_after_seconds(headers or {}), status=status)
    if status >= 500:
        return VenueUnavailableError(message, status=status)
    if "expired" in message.lower() or "expires" in message.lower():
        return ClockSkewError(message, status=status)
    if status == 401 or "Signature not valid" in message or "API Key" in message:
        return SignatureError(message, status=status)
    return RequestRejectedError(message, status=status)


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """A BitMEX REST answer's typed error (`{"error":{"message","name"}}`), or None for a success."""
    if status < 400:
        return None
    try:
        message = ERROR.decode(raw).error.message
    except DECODE_ERRORS:
        message = f"HTTP {status}"
    return classify(message or f"HTTP {status}", status, headers)


def contract(row: schemas.Instrument, *, gateway_name: str, exchange: Exchange) -> ContractData:
    """A ContractData from an `instrument/active` row; one contract is `lotSize` at least."""
    return ContractData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=exchange,
        name=row.symbol,
        product=Product.SWAP if row.expiry is None else Product.FUTURES,
        size=1.0,
        pricetick=row.tickSize,
        min_volume=row.lotSize,
        net_position=True,
        history_data=True,
    )


def order_type(row: schemas.Order) -> OrderType:
    if row.ordType == "Market":
        return OrderType.MARKET
    if row.execInst and "ParticipateDoNotInitiate" in row.execInst:
        return OrderType.POST_ONLY
    return {"ImmediateOrCancel": OrderType.FAK, "FillOrKill": OrderType.FOK}.get(
        row.timeInForce or "", OrderType.LIMIT
    )


def order(row: schemas.Order, *, orderid: str, gateway_name: str, exchange: Exchange) -> OrderData:
    """An OrderData from a complete order row (REST answer or `partial`/`insert` row)."""
    return OrderData(
        gateway_name=gateway_name,
        symbol=row.symbol or "",
        exchange=exchange,
        orderid=orderid,
        type=order_type(row),
        direction=SIDE_BITMEX2VT.get(row.side or ""),
        price=row.price or 0.0,
        volume=row.orderQty or 0.0,
        traded=row.cumQty or 0.0,
        status=STATUS_BITMEX2VT.get(row.ordStatus or "", Status.NOTTRADED),
        datetime=row.transactTime or row.timestamp,
    )


def cancel_reason(text: str | None) -> str:
    """The reason the venue gives for a cancellation ("Canceled: Order had execInst of ...")."""
    if not text:
        return ""
    first = text.split("\n", 1)[0]
    return first.removeprefix("Canceled: ")


def trade(row: schemas.Execution, *, orderid: str, gateway_name: str, exchange: Exchange) -> TradeData | None:
    """A TradeData from an `execution` row of execType Trade (None for other execution types)."""
    if row.execType != "Trade" or not row.lastQty:
        return None
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.symbol or "",
        exchange=exchange,
        orderid=orderid,
        tradeid=row.trdMatchID or row.execID,
        direction=SIDE_BITMEX2VT.get(row.side or ""),
        price=row.lastPx or 0.0,
        volume=row.lastQty,
        datetime=row.transactTime or row.timestamp,
    )


def account(row: schemas.Margin, *, gateway_name: str) -> AccountData | None:
    """An AccountData in whole units (XBT, USDT) from a `margin` row; None when the row has no balance."""
    if row.marginBalance is None and row.walletBalance is None:
        return None
    name, scale = CURRENCY_SCALE.get(row.currency, (row.currency.upper(), 1.0))
    balance = row.marginBalance if row.marginBalance is not None else row.walletBalance or 0.0
    data = AccountData(gateway_name=gateway_name, accountid=name, balance=balance / scale)
    if row.availableMargin is not None:
        data.frozen = max(0.0, (balance - row.availableMargin) / scale)
    return data


def position(
    row: schemas.Position, *, gateway_name: str, exchange: Exchange, settle_scale: float
) -> PositionData:
    """A net PositionData (contracts; pnl in whole settlement units)."""
    return PositionData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=exchange,
        direction=Direction.NET,
        volume=row.currentQty or 0.0,
        price=row.avgEntryPrice or 0.0,
        pnl=(row.unrealisedPnl or 0.0) / settle_scale,
    )


def bar(
    row: schemas.Bucket, *, bin_size: str, interval: Interval, gateway_name: str, exchange: Exchange
) -> BarData:
    """A BarData from a bucket; BitMEX stamps a bucket with the END of its bin, vtcore with its start."""
    return BarData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=exchange,
        datetime=row.timestamp - BIN_LENGTH[bin_size],
        interval=interval,
        volume=row.volume,
        turnover=row.turnover,
        open_price=row.open or 0.0,
        high_price=row.high or 0.0,
        low_price=row.low or 0.0,
        close_price=row.close or 0.0,
    )
