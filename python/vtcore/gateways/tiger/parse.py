"""Pure functions between Tiger's wire forms and vtcore's objects: the request signature, code tables, JSON
answers (orders, fills, positions, contracts, bars) and push messages.

Facts from tigeropen 3.8.0 (Tiger's own SDK, read for the protocol): `common/util/signature_utils.py` (the
signed string and RSA-SHA1), `common/util/order_utils.py` (status names), `trade/response/*.py` (answer
fields), `push/pb/*.proto` (push fields).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vtcore.constant import Direction, Exchange, OrderType, Product, Status
from vtcore.gateways._transport import RequestRejectedError, SignatureError, VenueError, VenueUnavailableError
from vtcore.time import UTC

# ---------------------------------------------------------------- signing


def sign_content(params: Mapping[str, Any]) -> str:
    """Tiger's string to sign: every parameter but `sign`, sorted by name, `k=v` joined by `&`, values that
    are not text written as JSON."""
    parts = []
    for key in sorted(params):
        value = params[key]
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={value}")
    return "&".join(parts)


_PEM_MARKERS = re.compile(r"-----(BEGIN|END)[A-Z ]*-----")


def load_private_key(text: str) -> Any:
    """The RSA private key of a setting: PKCS#1 or PKCS#8, as Tiger's developer page gives it (base64 with no
    PEM markers) or as a PEM file's text. Raises ValueError without quoting any of it."""

    body = "".join(_PEM_MARKERS.sub("", text).split())
    try:
        der = base64.b64decode(body, validate=True)
    except ValueError:
        raise ValueError("setting 'private_key' is not base64 (PKCS#1 or PKCS#8 RSA key)") from None
    key: Any = None
    try:  # PKCS#8 (and anything else DER that cryptography knows)
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError):
        wrapped = (
            b"-----BEGIN RSA PRIVATE KEY-----\n"
            + base64.encodebytes(der)
            + b"-----END RSA PRIVATE KEY-----\n"
        )
        try:  # PKCS#1
            key = serialization.load_pem_private_key(wrapped, password=None)
        except (ValueError, TypeError):
            raise ValueError("setting 'private_key' is not an RSA private key (PKCS#1 or PKCS#8)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("setting 'private_key' is not an RSA key")
    return key


def rsa_sign(key: Any, content: str) -> str:
    """base64(RSA PKCS#1 v1.5 over SHA-1 of `content`), Tiger's `sign`."""

    return base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA1())).decode()


# ---------------------------------------------------------------- code tables

#: Tiger's order status names (push `status`, answer `status`) -> vtcore; a "Submitted" order with fills is
#: partly traded (order_utils.get_order_status does the same)
STATUS_TIGER2VT: dict[str, Status] = {
    "PendingNew": Status.SUBMITTING,
    "Initial": Status.NOTTRADED,
    "NEW": Status.NOTTRADED,
    "New": Status.NOTTRADED,
    "PendingSubmit": Status.NOTTRADED,
    "Submitted": Status.NOTTRADED,
    "HELD": Status.NOTTRADED,
    "Held": Status.NOTTRADED,
    "PartiallyFilled": Status.PARTTRADED,
    "PendingCancel": Status.NOTTRADED,  # still working until the venue says Cancelled
    "Filled": Status.ALLTRADED,
    "FILLED": Status.ALLTRADED,
    "Cancelled": Status.CANCELLED,
    "CANCELLED": Status.CANCELLED,
    "Inactive": Status.REJECTED,
    "REJECTED": Status.REJECTED,
    "Invalid": Status.REJECTED,
    "EXPIRED": Status.REJECTED,
}

ORDER_TYPE_VT2TIGER = {
    OrderType.LIMIT: "LMT",
    OrderType.MARKET: "MKT",
    OrderType.STOP: "STP",
    OrderType.STOP_LIMIT: "STP_LMT",
}
ORDER_TYPE_TIGER2VT = {value: key for key, value in ORDER_TYPE_VT2TIGER.items()}

DIRECTION_VT2TIGER = {Direction.LONG: "BUY", Direction.SHORT: "SELL"}
DIRECTION_TIGER2VT = {value: key for key, value in DIRECTION_VT2TIGER.items()}

#: Tiger's market -> the vtcore exchange its stocks are traded on (China A shares split by code below)
MARKET_EXCHANGE = {"US": Exchange.SMART, "HK": Exchange.SEHK}
EXCHANGE_MARKET = {Exchange.SMART: "US", Exchange.SEHK: "HK", Exchange.SSE: "CN", Exchange.SZSE: "CN"}
CURRENCY_MARKET = {"USD": "US", "HKD": "HK", "CNH": "CN", "CNY": "CN"}

PRODUCT_TIGER2VT = {
    "STK": Product.EQUITY,
    "OPT": Product.OPTION,
    "FUT": Product.FUTURES,
    "WAR": Product.WARRANT,
    "IOPT": Product.WARRANT,
    "CASH": Product.FOREX,
}

#: vtcore interval -> Tiger's kline period
PERIODS = {"1m": "1min", "1h": "60min", "d": "day", "w": "week"}


def exchange_of(market: str, symbol: str) -> Exchange | None:
    if market == "CN":
        return Exchange.SSE if symbol.startswith(("5", "6", "9")) else Exchange.SZSE
    return MARKET_EXCHANGE.get(market)


def tiger_status(status: str, filled: float) -> Status | None:
    vt = STATUS_TIGER2VT.get(status)
    if vt is Status.NOTTRADED and filled > 0:
        return Status.PARTTRADED
    return vt


def scaled(value: int | float, scale: int) -> float:
    """A quantity sent as an integer with a decimal scale (fractional shares: 15 with scale 1 is 1.5)."""
    return float(value) / (10**scale) if scale else float(value)


def ms_time(ms: int | float | None) -> dt.datetime | None:
    if not ms:
        return None
    return dt.datetime.fromtimestamp(float(ms) / 1000, UTC)


# ---------------------------------------------------------------- HTTP answers


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """Tiger answers HTTP 200 with `{"code": 0, "data": ...}`; any other code is the error, its `message` the
    venue's own words."""
    if status >= 500:
        return VenueUnavailableError(f"HTTP {status}", status=status, headers=headers)
    try:
        answer = json.loads(raw)
    except ValueError:
        return None if status < 400 else VenueError(f"HTTP {status}", status=status, headers=headers)
    if not isinstance(answer, dict):
        return None
    code = answer.get("code", 0)
    if code in (0, "0", None) and status < 400:
        return None
    message = str(answer.get("message") or f"HTTP {status}")
    error_class = SignatureError if "sign" in message.lower() else RequestRejectedError
    return error_class(message, status=status, code=code, headers=headers)


def answer_data(raw: bytes) -> Any:
    """The `data` of a successful answer (Tiger may send it as a JSON string)."""
    data = json.loads(raw).get("data")
    if isinstance(data, str):
        with contextlib.suppress(ValueError):  # a plain string stays one
            data = json.loads(data)
    return data


def items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        found = data.get("items")
        if isinstance(found, list):
            return [item for item in found if isinstance(item, dict)]
        return [data] if data else []
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    return []


def quantity(item: Mapping[str, Any], name: str) -> float:
    """A quantity field of an answer with its `<name>Scale` companion applied."""
    return scaled(item.get(name) or 0, int(item.get(f"{name}Scale") or 0))


def min_tick(item: Mapping[str, Any]) -> float:
    """The contract's price step: `minTick`, else the finest band of `tickSizes` (bands by price range; the
    finest never rounds a valid price away)."""
    tick = item.get("minTick")
    if tick:
        return float(tick)
    sizes = [
        float(band["tickSize"])
        for band in item.get("tickSizes") or []
        if isinstance(band, dict) and band.get("tickSize")
    ]
    return min(sizes) if sizes else 0.01


# ---------------------------------------------------------------- orders and fills, from pushes and answers


@dataclass(frozen=True, slots=True)
class OrderReport:
    """One order's state as Tiger reported it (a push or an answer), in vtcore's terms where they exist."""

    venue_id: int
    mark: str  # the user_mark the order was placed with (vtcore puts its local id there)
    symbol: str
    market: str
    action: str
    order_type: str
    volume: float
    price: float
    traded: float
    status_text: str
    reason: str
    open_ms: int
    update_ms: int

    @property
    def status(self) -> Status | None:
        return tiger_status(self.status_text, self.traded)


@dataclass(frozen=True, slots=True)
class FillReport:
    tradeid: str
    venue_order_id: int
    symbol: str
    market: str
    action: str
    price: float
    volume: float
    time_ms: int


def order_from_push(data: Any) -> OrderReport:
    """An `OrderStatusData` push."""
    return OrderReport(
        venue_id=data.id,
        mark=data.userMark,
        symbol=data.symbol,
        market=data.market,
        action=data.action,
        order_type=data.orderType,
        volume=scaled(data.totalQuantity, data.totalQuantityScale),
        price=data.limitPrice or data.stopPrice,
        traded=scaled(data.filledQuantity, data.filledQuantityScale),
        status_text=data.status,
        reason=data.errorMsg,
        open_ms=data.openTime,
        update_ms=data.latestTime or data.timestamp,
    )


def order_from_item(item: Mapping[str, Any]) -> OrderReport:
    """An order of the `orders` / `active_orders` answers (camelCase fields, `remark` = the reason)."""
    return OrderReport(
        venue_id=int(item.get("id") or 0),
        mark=str(item.get("userMark") or ""),
        symbol=str(item.get("symbol") or ""),
        market=str(item.get("market") or ""),
        action=str(item.get("action") or ""),
        order_type=str(item.get("orderType") or ""),
        volume=quantity(item, "totalQuantity"),
        price=float(item.get("limitPrice") or item.get("auxPrice") or 0),
        traded=quantity(item, "filledQuantity"),
        status_text=str(item.get("status") or ""),
        reason=str(item.get("remark") or ""),
        open_ms=int(item.get("openTime") or 0),
        update_ms=int(item.get("latestTime") or item.get("updateTime") or 0),
    )


def fill_from_push(data: Any) -> FillReport:
    """An `OrderTransactionData` push."""
    return FillReport(
        tradeid=str(data.id),
        venue_order_id=data.orderId,
        symbol=data.symbol,
        market=data.market,
        action=data.action,
        price=data.filledPrice,
        volume=float(data.filledQuantity),
        time_ms=data.transactTime,
    )


def fill_from_item(item: Mapping[str, Any], venue_order_id: int) -> FillReport:
    """A fill of the `order_transactions` answer."""
    return FillReport(
        tradeid=str(item.get("id")),
        venue_order_id=int(item.get("orderId") or venue_order_id),
        symbol=str(item.get("symbol") or ""),
        market=str(item.get("market") or ""),
        action=str(item.get("action") or ""),
        price=float(item.get("filledPrice") or 0),
        volume=quantity(item, "filledQuantity"),
        time_ms=int(item.get("transactedAt") or 0),
    )
