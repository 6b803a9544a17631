"""Binance wire -> vtcore: code tables and pure functions from `schemas` Structs to vtcore objects.

Nothing here touches a socket or the gateway's state; the symbol a vtcore object carries is given by the
caller (USDⓈ-M perpetuals are renamed `<symbol>_SWAP` by the gateway). Tested from recorded frames
(`tests/resources/binance/`) in `tests/gateways/binance/test_binance_parse.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, get_args

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
from vtcore.gateways.binance import schemas
from vtcore.object import BarData, ContractData, OrderData, TradeData
from vtcore.time import ms_to_datetime

STATUS_BINANCE2VT = {
    "NEW": Status.NOTTRADED,
    "PENDING_NEW": Status.NOTTRADED,
    "PARTIALLY_FILLED": Status.PARTTRADED,
    "FILLED": Status.ALLTRADED,
    "CANCELED": Status.CANCELLED,
    "EXPIRED": Status.CANCELLED,
    "EXPIRED_IN_MATCH": Status.CANCELLED,
    "REJECTED": Status.REJECTED,
    "PENDING_CANCEL": Status.NOTTRADED,
}
#: what an algo (conditional) order's own status says of the vt order; TRIGGERING, TRIGGERED and FINISHED say
#: nothing, since the order placed on trigger reports its fills and its end under the same client id
ALGO_STATUS_BINANCE2VT = {
    "NEW": Status.NOTTRADED,
    "CANCELED": Status.CANCELLED,
    "EXPIRED": Status.CANCELLED,
    "REJECTED": Status.REJECTED,
}
SIDE_BINANCE2VT = {"BUY": Direction.LONG, "SELL": Direction.SHORT}
SIDE_VT2BINANCE = {Direction.LONG: "BUY", Direction.SHORT: "SELL"}
INTERVAL_VT2BINANCE = {
    Interval.MINUTE: "1m",
    Interval.HOUR: "1h",
    Interval.DAILY: "1d",
    Interval.WEEKLY: "1w",
}
#: (type, timeInForce) per vt order type; post-only is the market's `post_only_order`
ORDER_TYPE_VT2BINANCE: dict[OrderType, tuple[str, str | None]] = {
    OrderType.LIMIT: ("LIMIT", "GTC"),
    OrderType.MARKET: ("MARKET", None),
    OrderType.FAK: ("LIMIT", "IOC"),
    OrderType.FOK: ("LIMIT", "FOK"),
}
ORDER_TYPE_BINANCE2VT = {
    ("LIMIT", "GTC"): OrderType.LIMIT,
    ("LIMIT", "IOC"): OrderType.FAK,
    ("LIMIT", "FOK"): OrderType.FOK,
    ("MARKET", "GTC"): OrderType.MARKET,
    ("LIMIT_MAKER", "GTC"): OrderType.POST_ONLY,  # spot
    ("LIMIT", "GTX"): OrderType.POST_ONLY,  # futures
    ("STOP_LOSS", "GTC"): OrderType.STOP,  # spot: a market order once the last price reaches stopPrice
    ("STOP_MARKET", "GTC"): OrderType.STOP,  # futures (algo orders)
}

# One decoder per message type, chosen from a frame's first bytes so that each frame is decoded in one pass;
# the market decoders run with strict=False, which reads the venue's price strings as floats.
STREAM_REPLY = msgspec.json.Decoder(schemas.StreamReply)
BOOK_TICKER = msgspec.json.Decoder(schemas.Combined[schemas.BookTicker], strict=False)
TRADE = msgspec.json.Decoder(schemas.Combined[schemas.Trade], strict=False)
SPOT_DEPTH = msgspec.json.Decoder(schemas.Combined[schemas.PartialDepth], strict=False)
FUTURES_DEPTH = msgspec.json.Decoder(schemas.Combined[schemas.FuturesDepth], strict=False)
API_FRAME = msgspec.json.Decoder(schemas.ApiFrame)
SPOT_USER_EVENT = msgspec.json.Decoder(schemas.SpotUserEvent)
FUTURES_USER_EVENT = msgspec.json.Decoder(schemas.FuturesUserEvent)
_ERROR = msgspec.json.Decoder(schemas.ErrorReply)
#: a user-data event the decoders above refused, read loosely for its tag and order ids
UNREAD_EVENT = msgspec.json.Decoder(schemas.UnreadEvent)


def _tags(union: Any) -> frozenset[str]:
    return frozenset(str(member.__struct_config__.tag) for member in get_args(union))


#: the user-data events each gateway reads, by tag (one of them that does not decode lost its content)
SPOT_USER_TAGS = _tags(schemas.SpotUserEvent)
FUTURES_USER_TAGS = _tags(schemas.FuturesUserEvent)
#: the events that report an order, and may carry a fill
ORDER_EVENT_TAGS = frozenset({"executionReport", "ORDER_TRADE_UPDATE"})

#: the prefix of a combined-stream frame, whose stream name follows it
COMBINED_PREFIX = b'{"stream":"'
DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, ValueError)


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """A Binance REST answer's typed error, or None for a success."""
    if status < 400:
        return None
    try:
        reply = _ERROR.decode(raw)
        code: int | None = reply.code
        message = reply.msg
    except msgspec.DecodeError:
        code, message = None, raw[:200].decode(errors="replace") or f"HTTP {status}"
    except msgspec.ValidationError:
        code, message = None, f"HTTP {status}"
    if status in (418, 429):
        return RateLimitError(
            message, retry_after=retry_after_seconds(headers), status=status, code=code, headers=headers
        )
    if status >= 500 or code == -1007:
        return VenueUnavailableError(message, status=status, code=code, headers=headers)
    return api_error(code, message, status, headers)


def api_error(
    code: int | None, message: str, status: int = 0, headers: Mapping[str, str] | None = None
) -> VenueError:
    """The typed error for a Binance error code (REST or WS API)."""
    if code == -1021:
        return ClockSkewError(message, status=status, code=code, headers=headers)
    if code in (-1022, -2014, -2015) or status == 401:
        return SignatureError(message, status=status, code=code, headers=headers)
    return RequestRejectedError(message, status=status, code=code, headers=headers)


def stream_name(raw: bytes) -> tuple[str, bytes] | None:
    """(stream name, event kind) of a combined-stream frame ("btcusdt@depth5@100ms" -> kind b"depth5@100ms");
    None when `raw` is no combined-stream frame (a reply to SUBSCRIBE, an error, or not Binance's at all)."""
    if not raw.startswith(COMBINED_PREFIX):
        return None
    end = raw.find(b'"', 11)
    return raw[11:end].decode(errors="replace"), raw[raw.find(b"@", 11, end) + 1 : end]


def filter_value(filters: list[dict[str, Any]], kind: str, key: str) -> str:
    """A field of one of exchangeInfo's symbol filters, as the venue wrote it ("" when absent)."""
    for item in filters:
        if item.get("filterType") == kind:
            return str(item.get(key, "") or "")
    return ""


def steps(item: schemas.SymbolInfo) -> tuple[str, str]:
    """(price step, volume step) as the venue wrote them, for formatting order prices and sizes."""
    return filter_value(item.filters, "PRICE_FILTER", "tickSize"), filter_value(
        item.filters, "LOT_SIZE", "stepSize"
    )


def contract(
    item: schemas.SymbolInfo,
    *,
    gateway_name: str,
    exchange: Exchange,
    symbol: str,
    product: Product,
    size: float,
) -> ContractData:
    """A ContractData from an exchangeInfo symbol: tick size, lot step and minimum size from its filters."""
    step = float(filter_value(item.filters, "LOT_SIZE", "stepSize") or 0)
    minimum = float(filter_value(item.filters, "LOT_SIZE", "minQty") or 0)
    return ContractData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        name=item.symbol,
        product=product,
        size=size,
        pricetick=float(filter_value(item.filters, "PRICE_FILTER", "tickSize") or 0),
        min_volume=max(step, minimum) or 1.0,
        stop_supported=False,
        net_position=True,
        history_data=True,
    )


def rest_moment(reply: schemas.Order) -> dt.datetime | None:
    """When a REST order answer was last updated."""
    stamp = reply.updateTime or reply.transactTime or reply.time
    return ms_to_datetime(stamp) if stamp else None


def order_from_rest(reply: schemas.Order, *, gateway_name: str, exchange: Exchange, symbol: str) -> OrderData:
    """An OrderData from a REST order answer (place, cancel, query, open orders)."""
    status = STATUS_BINANCE2VT.get(reply.status, Status.NOTTRADED)
    order_type = ORDER_TYPE_BINANCE2VT.get((reply.type, reply.timeInForce or "GTC"), OrderType.LIMIT)
    created = reply.time or reply.updateTime
    return OrderData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        orderid=reply.clientOrderId,
        type=order_type,
        direction=SIDE_BINANCE2VT.get(reply.side),
        price=float(reply.stopPrice or 0) if order_type == OrderType.STOP else float(reply.price),
        volume=float(reply.origQty),
        traded=float(reply.executedQty),
        status=status,
        datetime=ms_to_datetime(created) if created else None,
    )


def order_from_event(
    event: schemas.OrderEvent, orderid: str, *, gateway_name: str, exchange: Exchange, symbol: str
) -> tuple[OrderData, str]:
    """(the order, why the venue ended it) from a user-stream order update (spot executionReport / futures
    ORDER_TRADE_UPDATE); the reason is "" unless the order was rejected, cancelled or expired."""
    status = STATUS_BINANCE2VT.get(event.X, Status.NOTTRADED)
    order_type = ORDER_TYPE_BINANCE2VT.get((event.original_type(), event.f), OrderType.LIMIT)
    order = OrderData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        orderid=orderid,
        type=order_type,
        direction=SIDE_BINANCE2VT.get(event.S),
        price=float(event.stop_price() or 0) if order_type == OrderType.STOP else float(event.p),
        volume=float(event.q),
        traded=float(event.z),
        status=status,
        datetime=ms_to_datetime(event.T),
    )
    reason = event.reason() if status in (Status.REJECTED, Status.CANCELLED) else ""
    if status == Status.REJECTED and not reason:
        reason = "the venue rejected the order"
    return order, reason


def trade(  # noqa: PLR0917 - one argument per TradeData field the venue gives
    gateway_name: str,
    exchange: Exchange,
    symbol: str,
    orderid: str,
    tradeid: int | str,
    side: str,
    price: str,
    quantity: str,
    moment: dt.datetime | None,
) -> TradeData:
    """A TradeData from any of Binance's fill shapes (REST `fills`, `myTrades`, a stream TRADE update)."""
    return TradeData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        orderid=orderid,
        tradeid=str(tradeid),
        direction=SIDE_BINANCE2VT.get(side),
        price=float(price),
        volume=float(quantity),
        datetime=moment,
    )


def bar(
    row: schemas.Kline, *, gateway_name: str, exchange: Exchange, symbol: str, interval: Interval
) -> BarData:
    """A BarData from a kline row [open time, open, high, low, close, volume, close time, quote volume,
    ...]."""
    return BarData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        datetime=ms_to_datetime(row[0]),
        interval=interval,
        volume=float(row[5]),
        turnover=float(row[7]),
        open_price=float(row[1]),
        high_price=float(row[2]),
        low_price=float(row[3]),
        close_price=float(row[4]),
    )
