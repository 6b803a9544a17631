"""1Token wire -> vtcore: code tables, signing and pure functions from `schemas` Structs to vtcore objects.

Nothing here touches a socket or a gateway's state; tested from recorded frames in
`tests/gateways/onetoken/test_onetoken_parse.py`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

import msgspec

from vtcore.constant import Direction, Exchange, OrderType, Product, Status
from vtcore.gateways._transport import (
    ClockSkewError,
    RateLimitError,
    RequestRejectedError,
    SignatureError,
    VenueError,
    VenueUnavailableError,
    retry_after_seconds,
)
from vtcore.gateways.onetoken import schemas
from vtcore.object import AccountData, ContractData, OrderData, PositionData, TradeData

#: 1Token's order states (SDK model.py): active ones, then final ones
STATUS_ONETOKEN2VT = {
    "waiting": Status.SUBMITTING,
    "pending": Status.NOTTRADED,
    "withdrawing": Status.NOTTRADED,
    "part-deal-pending": Status.PARTTRADED,
    "part-deal-withdrawing": Status.PARTTRADED,
    "dealt": Status.ALLTRADED,
    "withdrawn": Status.CANCELLED,
    "part-deal-withdrawn": Status.CANCELLED,
    "error-order": Status.REJECTED,
}
SIDE_ONETOKEN2VT = {"b": Direction.LONG, "s": Direction.SHORT}
SIDE_VT2ONETOKEN = {Direction.LONG: "b", Direction.SHORT: "s"}
#: the exchanges on the user's page (交易所) -> 1Token's router name and vtcore's Exchange
EXCHANGES = {
    "BINANCE": ("binance", Exchange.BINANCE),
    "BITMEX": ("bitmex", Exchange.BITMEX),
    "OKEX": ("okex", Exchange.OKX),
    "OKEF": ("okef", Exchange.OKX),
    "HUOBIP": ("huobip", Exchange.HTX),
    "HUOBIF": ("huobif", Exchange.HTX),
}
AUTH_CODES = frozenset({"invalid-api-key"})

ERROR = msgspec.json.Decoder(schemas.Error)
MESSAGE = msgspec.json.Decoder(schemas.Message)
TICK = msgspec.json.Decoder(schemas.TickPush)
ZHUBI = msgspec.json.Decoder(schemas.ZhubiPush)
ORDERS = msgspec.json.Decoder(list[schemas.Order])
INFO = msgspec.json.Decoder(schemas.Info)
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, ValueError)
URI_PREFIX = b'{"uri":"'


def sign(secret: bytes, verb: str, path: str, nonce: str, body: str) -> str:
    """`Api-Signature`: hex HMAC-SHA256 over verb + path (relative to `/api/v1/trade`, no query) + nonce +
    body."""
    return hmac.new(secret, f"{verb}{path}{nonce}{body}".encode(), hashlib.sha256).hexdigest()


def classify(code: str, message: str, status: int, headers: Mapping[str, str] | None = None) -> VenueError:
    if status == 429 or code == "rate-limit-exceeded":
        return RateLimitError(
            message, retry_after=retry_after_seconds(headers or {}), status=status, code=code
        )
    if status >= 500 or code in ("timeout", "bad-gateway", "unknown-exg-error"):
        return VenueUnavailableError(message, status=status, code=code)
    if "Nonce" in message or "nonce" in message:
        return ClockSkewError(message, status=status, code=code)
    if code in AUTH_CODES:
        return SignatureError(message, status=status, code=code)
    return RequestRejectedError(message, status=status, code=code)


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """A 1Token REST answer's typed error (`{"code","message"}` with a 4xx/5xx), or None for a success."""
    if status < 400:
        return None
    try:
        error = ERROR.decode(raw)
    except DECODE_ERRORS:
        return classify("", f"HTTP {status}", status, headers)
    return classify(
        error.code, f"{error.code}: {error.message}" if error.message else error.code, status, headers
    )


def contract(row: schemas.Contract, *, gateway_name: str, exchange: Exchange) -> ContractData:
    """A ContractData named by 1Token's contract name on one exchange ("btc.usdt", "btc.usd.q")."""
    return ContractData(
        gateway_name=gateway_name,
        symbol=row.name,
        exchange=exchange,
        name=row.symbol or row.name,
        product=Product.FUTURES if row.category == "future" else Product.SPOT,
        size=row.unit_amount or 1.0,
        pricetick=row.min_change,
        min_volume=row.min_amount,
        net_position=True,
    )


def order(row: schemas.Order, *, orderid: str, gateway_name: str, exchange: Exchange) -> OrderData:
    return OrderData(
        gateway_name=gateway_name,
        symbol=row.contract.split("/", 1)[-1],
        exchange=exchange,
        orderid=orderid,
        type=OrderType.LIMIT,
        direction=SIDE_ONETOKEN2VT.get(row.bs),
        price=row.entrust_price,
        volume=row.entrust_amount,
        traded=row.dealt_amount,
        status=STATUS_ONETOKEN2VT.get(row.status, Status.NOTTRADED),
        datetime=row.last_update or row.entrust_time,
    )


def last_fill(row: schemas.Order) -> float:
    """The amount of the order's latest fill, whichever spelling the venue used."""
    value = row.last_dealt_amount if row.last_dealt_amount is not None else row.last_dealed_amount
    return value or 0.0


def trade(row: schemas.Fill, *, orderid: str, gateway_name: str, exchange: Exchange) -> TradeData:
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.contract.split("/", 1)[-1],
        exchange=exchange,
        orderid=orderid,
        tradeid=row.exchange_tid,
        direction=SIDE_ONETOKEN2VT.get(row.bs),
        price=row.dealt_price,
        volume=row.dealt_amount,
        datetime=row.dealt_time,
    )


def accounts_and_positions(
    info: schemas.Info, *, gateway_name: str, exchange: Exchange
) -> tuple[list[AccountData], list[PositionData]]:
    """Currency holdings become accounts (balance, frozen); contract holdings become net positions."""
    accounts, positions = [], []
    for holding in info.position:
        if holding.type == "spot":
            accounts.append(
                AccountData(
                    gateway_name=gateway_name,
                    accountid=holding.contract.upper(),
                    balance=holding.total_amount,
                    frozen=holding.frozen,
                )
            )
        else:
            positions.append(
                PositionData(
                    gateway_name=gateway_name,
                    symbol=holding.contract,
                    exchange=exchange,
                    direction=Direction.NET,
                    volume=holding.total_amount,
                    frozen=holding.frozen,
                )
            )
    return accounts, positions
