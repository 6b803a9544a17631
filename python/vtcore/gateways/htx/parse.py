"""HTX wire -> vtcore: code tables, decoders, signing input and pure functions from `schemas` Structs to
vtcore
objects. Nothing here touches a socket or a gateway's state; tested from recorded frames
(`tests/resources/htx/`) in `tests/gateways/htx/test_htx_parse.py`."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse
import zlib
from collections.abc import Mapping
from typing import Any, cast

import msgspec

from vtcore.constant import Direction, Exchange, Interval, Offset, OrderType, Product, Status
from vtcore.gateways._transport import (
    ClockSkewError,
    RateLimitError,
    RequestRejectedError,
    SignatureError,
    VenueError,
    VenueUnavailableError,
    retry_after_seconds,
)
from vtcore.gateways.htx import schemas
from vtcore.object import BarData, ContractData, OrderData, PositionData, TradeData
from vtcore.time import ms_to_datetime

_inflate_error: type[Exception]
try:  # zlib-ng inflates HTX's gzip frames about a quarter faster than zlib; the same answer either way
    from zlib_ng.zlib_ng import decompress as _decompress
    from zlib_ng.zlib_ng import error as _zlib_ng_error

    _inflate_error = cast("type[Exception]", _zlib_ng_error)  # its stub calls the class an instance
except ImportError:  # pragma: no cover - zlib-ng is a dependency, zlib the fallback
    _decompress = zlib.decompress
    _inflate_error = zlib.error

# ------------------------------------------------------------------------------------------- code tables

STATUS_SPOT2VT = {
    "created": Status.NOTTRADED,
    "submitted": Status.NOTTRADED,
    "partial-filled": Status.PARTTRADED,
    "filled": Status.ALLTRADED,
    "partial-canceled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "rejected": Status.REJECTED,
}
#: futures v1 status numbers: 1-3 accepted, 4 partly filled, 5 partly filled then cancelled, 6 filled,
#: 7 cancelled (11 "cancelling" is not a state change a user acts on)
STATUS_V1_2VT = {
    1: Status.NOTTRADED,
    2: Status.NOTTRADED,
    3: Status.NOTTRADED,
    4: Status.PARTTRADED,
    5: Status.CANCELLED,
    6: Status.ALLTRADED,
    7: Status.CANCELLED,
}
STATUS_V5_2VT = {
    "new": Status.NOTTRADED,
    "partially_filled": Status.PARTTRADED,
    "filled": Status.ALLTRADED,
    "partially_canceled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "rejected": Status.REJECTED,
}
#: the suffix of a spot order type ("buy-<suffix>") per vt OrderType
SPOT_TYPE_VT2HTX = {
    OrderType.LIMIT: "limit",
    OrderType.MARKET: "market",
    OrderType.FAK: "ioc",
    OrderType.FOK: "limit-fok",
    OrderType.POST_ONLY: "limit-maker",
}
SPOT_TYPE_HTX2VT = {value: key for key, value in SPOT_TYPE_VT2HTX.items()}
#: coin-margined `order_price_type` per vt OrderType (a market order takes up to the best 20 levels)
CONTRACT_TYPE_VT2HTX = {
    OrderType.LIMIT: "limit",
    OrderType.MARKET: "optimal_20",
    OrderType.FAK: "ioc",
    OrderType.FOK: "fok",
    OrderType.POST_ONLY: "post_only",
}
CONTRACT_TYPE_HTX2VT = {value: key for key, value in CONTRACT_TYPE_VT2HTX.items()}
#: v5 (type, time_in_force) per vt OrderType
LINEAR_TYPE_VT2HTX = {
    OrderType.LIMIT: ("limit", "gtc"),
    OrderType.MARKET: ("market", "ioc"),
    OrderType.FAK: ("limit", "ioc"),
    OrderType.FOK: ("limit", "fok"),
    OrderType.POST_ONLY: ("post_only", "gtc"),
}
SIDE_VT2HTX = {Direction.LONG: "buy", Direction.SHORT: "sell"}
SIDE_HTX2VT = {"buy": Direction.LONG, "sell": Direction.SHORT}
OFFSET_VT2HTX = {Offset.OPEN: "open", Offset.CLOSE: "close", Offset.CLOSETODAY: "close"}
OFFSET_HTX2VT = {"open": Offset.OPEN, "close": Offset.CLOSE}
INTERVAL_VT2HTX = {
    Interval.MINUTE: "1min",
    Interval.HOUR: "60min",
    Interval.DAILY: "1day",
    Interval.WEEKLY: "1week",
}
INTERVAL_SECONDS = {"1min": 60, "60min": 3600, "1day": 86400, "1week": 604800}

# ------------------------------------------------------------------------------------------- decoders

SPOT_ENVELOPE = msgspec.json.Decoder(schemas.SpotEnvelope)
FUTURES_ENVELOPE = msgspec.json.Decoder(schemas.FuturesEnvelope)
FRAME = msgspec.json.Decoder(schemas.Frame)
BOOK = msgspec.json.Decoder(schemas.Tick[schemas.Book])
TRADES = msgspec.json.Decoder(schemas.Tick[schemas.Trades])
DETAIL = msgspec.json.Decoder(schemas.Tick[schemas.Detail])
ORDER_PUSH = msgspec.json.Decoder(schemas.Push[schemas.OrderUpdate])
CLEARING_PUSH = msgspec.json.Decoder(schemas.Push[schemas.Clearing])
ACCOUNT_PUSH = msgspec.json.Decoder(schemas.Push[schemas.AccountUpdate])
CONTRACT_ORDER = msgspec.json.Decoder(schemas.ContractOrder)
ACCOUNTS_NOTIFY = msgspec.json.Decoder(schemas.Notify[list[schemas.ContractAccount]])
POSITIONS_NOTIFY = msgspec.json.Decoder(schemas.Notify[list[schemas.ContractPosition]])
LINEAR_ORDER_NOTIFY = msgspec.json.Decoder(schemas.Notify[schemas.LinearOrder])
LINEAR_TRADE_NOTIFY = msgspec.json.Decoder(schemas.Notify[list[schemas.LinearTrade]])
LINEAR_ACCOUNT_NOTIFY = msgspec.json.Decoder(schemas.Notify[schemas.LinearAccount])
LINEAR_POSITIONS_NOTIFY = msgspec.json.Decoder(schemas.Notify[list[schemas.LinearPosition]])
DECODE_ERRORS = (
    msgspec.DecodeError,
    msgspec.ValidationError,
    ValueError,
    zlib.error,
    _inflate_error,
    EOFError,
)

#: the start of every market push, after which the topic follows
MARKET_PREFIX = b'{"ch":"market.'


def inflate(raw: bytes) -> bytes:
    """A stream frame's JSON: HTX gzips binary frames; text frames (spot /ws/v2) pass as they are."""
    if raw[:2] == b"\x1f\x8b":
        return _decompress(raw, 31)  # 31: a gzip wrapper (cheaper than the gzip module's reader)
    return raw


def number(text: str | None) -> float:
    """An HTX number string as a float ("" or None -> 0.0)."""
    return float(text) if text else 0.0


# ------------------------------------------------------------------------------------------- signing


def utc_timestamp(ms: int) -> str:
    """Signature v2's `Timestamp`: UTC, to the second."""
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def canonical_query(params: Mapping[str, str]) -> str:
    """HTX's signing input query: keys in ASCII order, values percent-encoded with nothing left bare."""
    return "&".join(f"{key}={urllib.parse.quote(str(params[key]), safe='')}" for key in sorted(params))


def signature(secret: bytes, method: str, host: str, path: str, params: Mapping[str, str]) -> str:
    payload = f"{method}\n{host.lower()}\n{path}\n{canonical_query(params)}"
    return base64.b64encode(hmac.new(secret, payload.encode(), hashlib.sha256).digest()).decode()


def signed_query(  # noqa: PLR0917 - the signing inputs, in the order HTX's document lists them
    key: str, secret: bytes, method: str, host: str, path: str, params: Mapping[str, Any], now_ms: int
) -> str:
    """The query string of a signed REST request: the signature fields, (for GET) the business parameters, and
    `Signature` last."""
    fields = {
        "AccessKeyId": key,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": utc_timestamp(now_ms),
        **{name: str(value) for name, value in params.items()},
    }
    fields["Signature"] = signature(secret, method, host, path, fields)
    return "&".join(f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in fields.items())


def stream_auth(key: str, secret: bytes, host: str, path: str, now_ms: int, *, v2: bool) -> dict[str, Any]:
    """The authentication message of a private stream: spot `/ws/v2` (signature version 2.1) or a futures
    notification stream (`op: auth`, version 2)."""
    stamp = utc_timestamp(now_ms)
    if v2:
        params = {
            "accessKey": key,
            "signatureMethod": "HmacSHA256",
            "signatureVersion": "2.1",
            "timestamp": stamp,
        }
        signed = {**params, "authType": "api", "signature": signature(secret, "GET", host, path, params)}
        return {"action": "req", "ch": "auth", "params": signed}
    params = {
        "AccessKeyId": key,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": stamp,
    }
    return {"op": "auth", "type": "api", **params, "Signature": signature(secret, "GET", host, path, params)}


# ------------------------------------------------------------------------------------------- errors

#: spot error codes that mean "slow down" / "the venue is busy"
SPOT_RATE_CODES = frozenset({"rate-too-many-requests", "base-request-exceed-frequency-limit"})
SPOT_BUSY_CODES = frozenset({"timeout", "gateway-internal-error", "system-maintenance"})
#: futures codes: 1032 too many requests; 1000/1001/1004 system busy
FUTURES_RATE_CODES = frozenset({1032})
FUTURES_BUSY_CODES = frozenset({1000, 1001, 1004})


def classify(
    code: str | int, message: str, status: int, headers: Mapping[str, str] | None = None
) -> VenueError:
    """The typed error for an HTX answer (spot `err-code`, futures `err_code` or v5 `code`)."""
    if status == 429 or code in SPOT_RATE_CODES or code in FUTURES_RATE_CODES:
        return RateLimitError(
            message, retry_after=retry_after_seconds(headers or {}), status=status, code=code
        )
    if status >= 500 or code in SPOT_BUSY_CODES or code in FUTURES_BUSY_CODES:
        return VenueUnavailableError(message, status=status, code=code)
    if code in ("api-signature-not-valid", 403, "403") or code == 2003:
        if "imestamp" in message:  # "Timestamp expired": the clock is off
            return ClockSkewError(message, status=status, code=code)
        return SignatureError(message, status=status, code=code)
    return RequestRejectedError(message, status=status, code=code)


def parse_spot_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    try:
        envelope = SPOT_ENVELOPE.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return classify("", f"HTTP {status}", status, headers) if status >= 400 else None
    if envelope.status == "error":
        return classify(
            envelope.err_code or "", envelope.err_msg or envelope.err_code or "error", status, headers
        )
    if status >= 400:
        return classify("", f"HTTP {status}", status, headers)
    return None


def parse_futures_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    try:
        envelope = FUTURES_ENVELOPE.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return classify("", f"HTTP {status}", status, headers) if status >= 400 else None
    if envelope.status == "error":
        code = envelope.err_code if envelope.err_code is not None else ""
        return classify(code, envelope.err_msg or f"code {code}", status, headers)
    if envelope.code is not None and envelope.code != 200:
        return classify(envelope.code, envelope.message or f"code {envelope.code}", status, headers)
    if status >= 400:
        return classify("", f"HTTP {status}", status, headers)
    return None


# ------------------------------------------------------------------------------------------- contracts


def spot_contract(row: schemas.SpotSymbol, *, gateway_name: str) -> ContractData:
    return ContractData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=Exchange.HTX,
        name=f"{row.base_currency.upper()}/{row.quote_currency.upper()}",
        product=Product.SPOT,
        size=1,
        pricetick=10.0**-row.price_precision,
        min_volume=10.0**-row.amount_precision,
        history_data=True,
    )


def futures_contract(row: schemas.ContractInfo, *, gateway_name: str) -> ContractData:
    return ContractData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        name=row.contract_code,
        product=Product.SWAP if row.contract_type == "swap" else Product.FUTURES,
        size=row.contract_size,
        pricetick=row.price_tick,
        min_volume=1,
        history_data=True,
    )


# ------------------------------------------------------------------------------------------- spot orders


class UnknownOrderStateError(ValueError):
    """An order row whose state (spot `state`, futures v1 `status`, v5 `state`) this gateway does not know:
    its status cannot be told, and is never guessed."""


def spot_kind(htx_type: str) -> tuple[Direction | None, OrderType]:
    side, _, suffix = htx_type.partition("-")
    return SIDE_HTX2VT.get(side), SPOT_TYPE_HTX2VT.get(suffix, OrderType.LIMIT)


def spot_order(row: schemas.SpotOrder, *, gateway_name: str) -> OrderData:
    """The order of a REST row; UnknownOrderStateError for a `state` this gateway does not know."""
    direction, order_type = spot_kind(row.type)
    orderid = row.client_order_id or str(row.id)
    status = STATUS_SPOT2VT.get(row.state)
    if status is None:
        raise UnknownOrderStateError(f"order {orderid}: unknown state {row.state!r}")
    return OrderData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=Exchange.HTX,
        orderid=orderid,
        type=order_type,
        direction=direction,
        price=number(row.price),
        volume=number(row.amount),
        traded=number(row.filled_amount),
        status=status,
        datetime=ms_to_datetime(row.created_at) if row.created_at else None,
    )


def spot_update(update: schemas.OrderUpdate) -> tuple[Status | None, float | None]:
    """(status, traded so far) from an `orders#` push; status None for a state this gateway does not know."""
    traded = number(update.execAmt) if update.execAmt else None
    return STATUS_SPOT2VT.get(update.orderStatus), traded


def spot_trade(fill: schemas.Clearing, orderid: str, *, gateway_name: str) -> TradeData:
    return TradeData(
        gateway_name=gateway_name,
        symbol=fill.symbol,
        exchange=Exchange.HTX,
        orderid=orderid,
        tradeid=str(fill.tradeId),
        direction=SIDE_HTX2VT.get(fill.orderSide),
        price=float(fill.tradePrice),
        volume=float(fill.tradeVolume),
        datetime=ms_to_datetime(fill.tradeTime),
    )


def spot_fill(fill: schemas.SpotFill, orderid: str, *, gateway_name: str) -> TradeData:
    direction, _ = spot_kind(fill.type)
    return TradeData(
        gateway_name=gateway_name,
        symbol=fill.symbol,
        exchange=Exchange.HTX,
        orderid=orderid,
        tradeid=str(fill.trade_id),
        direction=direction,
        price=float(fill.price),
        volume=float(fill.filled_amount),
        datetime=ms_to_datetime(fill.created_at) if fill.created_at else None,
    )


# ------------------------------------------------------------------------------------------- futures orders


def contract_orderid(row: schemas.ContractOrder) -> str:
    return str(row.client_order_id) if row.client_order_id else str(row.order_id)


def contract_order(row: schemas.ContractOrder, *, gateway_name: str) -> OrderData:
    """The order of a v1 row (REST or notification); UnknownOrderStateError for a `status` this gateway does
    not know."""
    orderid = contract_orderid(row)
    status = STATUS_V1_2VT.get(row.status)
    if status is None:
        raise UnknownOrderStateError(f"order {orderid}: unknown status {row.status!r}")
    return OrderData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        orderid=orderid,
        type=CONTRACT_TYPE_HTX2VT.get(row.order_price_type, OrderType.MARKET),
        direction=SIDE_HTX2VT.get(row.direction),
        offset=OFFSET_HTX2VT.get(row.offset, Offset.NONE),
        price=row.price or 0.0,
        volume=row.volume,
        traded=row.trade_volume,
        status=status,
        datetime=ms_to_datetime(row.created_at) if row.created_at else None,
    )


def contract_trades(row: schemas.ContractOrder, orderid: str, *, gateway_name: str) -> list[TradeData]:
    return [
        TradeData(
            gateway_name=gateway_name,
            symbol=row.contract_code,
            exchange=Exchange.HTX,
            orderid=orderid,
            tradeid=str(trade.trade_id),
            direction=SIDE_HTX2VT.get(row.direction),
            offset=OFFSET_HTX2VT.get(row.offset, Offset.NONE),
            price=trade.trade_price,
            volume=trade.trade_volume,
            datetime=ms_to_datetime(trade.created_at) if trade.created_at else None,
        )
        for trade in row.trade
    ]


def contract_fill(row: schemas.ContractFill, orderid: str, *, gateway_name: str) -> TradeData:
    """A TradeData from a `*_matchresults_exact` row (the fills a reconnect missed); its id is HTX's match id,
    the `trade_id` its notifications carry."""
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        orderid=orderid,
        tradeid=str(row.match_id),
        direction=SIDE_HTX2VT.get(row.direction),
        offset=OFFSET_HTX2VT.get(row.offset, Offset.NONE),
        price=row.trade_price,
        volume=row.trade_volume,
        datetime=ms_to_datetime(row.create_date) if row.create_date else None,
    )


def linear_fill(row: schemas.LinearFill, orderid: str, *, gateway_name: str) -> TradeData:
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        orderid=orderid,
        tradeid=row.trade_id,
        direction=SIDE_HTX2VT.get(row.side),
        price=float(row.trade_price),
        volume=float(row.trade_volume),
        datetime=ms_to_datetime(int(row.created_time)) if row.created_time else None,
    )


def linear_order(row: schemas.LinearOrder, *, gateway_name: str) -> OrderData:
    """The order of a v5 row (REST or notification); UnknownOrderStateError for a `state` this gateway does
    not know."""
    orderid = row.client_order_id or row.order_id
    status = STATUS_V5_2VT.get(row.state)
    if status is None:
        raise UnknownOrderStateError(f"order {orderid}: unknown state {row.state!r}")
    kind = {"market": OrderType.MARKET, "post_only": OrderType.POST_ONLY}.get(row.type)
    if kind is None:
        kind = {"ioc": OrderType.FAK, "fok": OrderType.FOK}.get(row.time_in_force, OrderType.LIMIT)
    return OrderData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        orderid=orderid,
        type=kind,
        direction=SIDE_HTX2VT.get(row.side),
        offset=Offset.CLOSE if row.reduce_only else Offset.OPEN,
        price=number(row.price),
        volume=number(row.volume),
        traded=number(row.trade_volume),
        status=status,
        datetime=ms_to_datetime(int(row.created_time)) if row.created_time else None,
    )


def linear_trade(row: schemas.LinearTrade, orderid: str, *, gateway_name: str) -> TradeData:
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        orderid=orderid,
        tradeid=row.trade_id,
        direction=SIDE_HTX2VT.get(row.direction),
        price=float(row.trade_price),
        volume=float(row.trade_volume),
        datetime=ms_to_datetime(int(row.created_time)) if row.created_time else None,
    )


def contract_position(row: schemas.ContractPosition, *, gateway_name: str) -> PositionData:
    return PositionData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        direction=Direction.LONG if row.direction == "buy" else Direction.SHORT,
        volume=row.volume,
        frozen=max(0.0, row.volume - row.available),
        price=row.cost_hold,
        pnl=row.profit_unreal,
    )


def linear_position(row: schemas.LinearPosition, *, gateway_name: str) -> PositionData:
    volume = number(row.volume)
    return PositionData(
        gateway_name=gateway_name,
        symbol=row.contract_code,
        exchange=Exchange.HTX,
        direction=Direction.NET,
        volume=volume if row.direction == "buy" else -volume,
        frozen=max(0.0, volume - number(row.available)),
        price=number(row.open_avg_price),
        pnl=number(row.profit_unreal),
    )


# ------------------------------------------------------------------------------------------- bars


def bar(row: schemas.Kline, *, gateway_name: str, symbol: str, interval: Interval) -> BarData:
    return BarData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=Exchange.HTX,
        datetime=dt.datetime.fromtimestamp(row.id, dt.timezone.utc),
        interval=interval,
        volume=row.amount,
        turnover=row.vol,
        open_price=row.open,
        high_price=row.high,
        low_price=row.low,
        close_price=row.close,
    )
