"""Bitfinex v2 wire -> vtcore: code tables, signing and pure functions from `schemas` arrays to vtcore
objects.

Nothing here touches a socket or a gateway's state; tested from recorded frames in
`tests/gateways/bitfinex/test_bitfinex_parse.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import zlib
from collections.abc import Mapping, Sequence

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
from vtcore.gateways.bitfinex import schemas
from vtcore.object import AccountData, BarData, ContractData, OrderData, TradeData
from vtcore.time import ms_to_datetime

#: the first word(s) of ORDER_STATUS -> vtcore. Compound texts ("PARTIALLY FILLED @ 100.0(0.1)", "CANCELED
#: was: PARTIALLY FILLED @ ...", "EXECUTED @ ...: was PARTIALLY FILLED @ ...") are read by their head; vn.py's
#: `split("@")[0].replace(" ", "")` made "PARTIALLYFILLED", which its own map lacked.
STATUS_HEADS = (
    ("ACTIVE", Status.NOTTRADED),
    ("PARTIALLY FILLED", Status.PARTTRADED),
    ("EXECUTED", Status.ALLTRADED),
    ("CANCELED", Status.CANCELLED),
    ("POSTONLY CANCELED", Status.CANCELLED),
    ("IOC CANCELED", Status.CANCELLED),
    ("FILLORKILL CANCELED", Status.CANCELLED),
    ("INSUFFICIENT", Status.CANCELLED),
    ("RSN_", Status.CANCELLED),
)
#: vtcore order type -> (Bitfinex exchange-wallet type, flags)
ORDER_TYPE_VT2BITFINEX = {
    OrderType.LIMIT: ("EXCHANGE LIMIT", 0),
    OrderType.MARKET: ("EXCHANGE MARKET", 0),
    OrderType.FAK: ("EXCHANGE IOC", 0),
    OrderType.FOK: ("EXCHANGE FOK", 0),
    OrderType.POST_ONLY: ("EXCHANGE LIMIT", 4096),
}
FLAG_POST_ONLY = 4096
PRICE_RESOLUTION = 1e-8
SIGNIFICANT_DIGITS = 5
INTERVAL_VT2BITFINEX = {
    Interval.MINUTE: "1m",
    Interval.HOUR: "1h",
    Interval.DAILY: "1D",
    Interval.WEEKLY: "1W",
}
AUTH_CODES = frozenset({10100, 10101, 10102, 10103, 10104})

EVENT = msgspec.json.Decoder(schemas.Event)
FULL_TICKER = msgspec.json.Decoder(tuple[int, schemas.FullTicker])
TICKER = msgspec.json.Decoder(tuple[int, schemas.Ticker])
BOOK_SNAPSHOT = msgspec.json.Decoder(tuple[int, list[schemas.Level]])
BOOK_UPDATE = msgspec.json.Decoder(tuple[int, schemas.Level])
CHECKSUM = msgspec.json.Decoder(tuple[int, str, int])
TRADE_SNAPSHOT = msgspec.json.Decoder(tuple[int, list[schemas.PublicTrade]])
TRADE_UPDATE = msgspec.json.Decoder(tuple[int, str, schemas.PublicTrade])
ACCOUNT_FRAME = msgspec.json.Decoder(tuple[int, str, msgspec.Raw])
ORDERS = msgspec.json.Decoder(list[schemas.Order])
ORDER = msgspec.json.Decoder(schemas.Order)
TRADES = msgspec.json.Decoder(list[schemas.Trade])
TRADE = msgspec.json.Decoder(schemas.Trade)
WALLETS = msgspec.json.Decoder(list[schemas.Wallet])
WALLET = msgspec.json.Decoder(schemas.Wallet)
NOTIFICATION = msgspec.json.Decoder(schemas.Notification)
CANDLES = msgspec.json.Decoder(list[schemas.Candle])
ERROR = msgspec.json.Decoder(tuple[str, int | None, str])
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, ValueError)


def sign(secret: bytes, message: str) -> str:
    """Hex HMAC-SHA384: REST over "/api/v2/" + endpoint + nonce + body (no HTTP method), the socket's auth
    over "AUTH" + nonce."""
    return hmac.new(secret, message.encode(), hashlib.sha384).hexdigest()


def classify(
    code: int | None, text: str, status: int, headers: Mapping[str, str] | None = None
) -> VenueError:
    """The typed error for a Bitfinex code (REST `["error", CODE, TEXT]`, auth event or notification)."""
    if status == 429 or code == 11010:
        return RateLimitError(text, retry_after=retry_after_seconds(headers or {}), status=status, code=code)
    if code == 10114 or "nonce" in text:
        return ClockSkewError(text, status=status, code=code)
    if code in AUTH_CODES or "apikey" in text:
        return SignatureError(text, status=status, code=code)
    if (status >= 500 and code is None) or status in (502, 503, 504) or code in (20060, 20051):
        return VenueUnavailableError(text, status=status, code=code)
    return RequestRejectedError(text, status=status, code=code)


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """A Bitfinex REST answer's typed error, or None for a success."""
    if raw.startswith(b'["error"'):
        try:
            _, code, text = ERROR.decode(raw)
        except DECODE_ERRORS:
            code, text = None, raw[:200].decode(errors="replace")
        return classify(code, text, status, headers)
    if status >= 400:
        return classify(None, f"HTTP {status}", status, headers)
    return None


def status_of(text: str | None) -> Status:
    """vtcore's status for an ORDER_STATUS text (whose head is what it is now)."""
    if text:
        for head, status in STATUS_HEADS:
            if text.startswith(head):
                return status
    return Status.NOTTRADED


def order_type_of(row: schemas.Order) -> OrderType:
    if (row.FLAGS or 0) & FLAG_POST_ONLY:
        return OrderType.POST_ONLY
    kind = (row.ORDER_TYPE or "").removeprefix("EXCHANGE ")
    return {"MARKET": OrderType.MARKET, "IOC": OrderType.FAK, "FOK": OrderType.FOK}.get(kind, OrderType.LIMIT)


def symbol_of(venue_symbol: str) -> str:
    """vtcore's symbol: the pair without Bitfinex's "t" prefix ("tBTCUSD" -> "BTCUSD", "tTESTBTC:TESTUSD" ->
    "TESTBTC:TESTUSD")."""
    return venue_symbol[1:] if venue_symbol.startswith("t") else venue_symbol


def contract(pair: str, info: Sequence[object], *, gateway_name: str, exchange: Exchange) -> ContractData:
    """A ContractData from one `conf/pub:info:pair` entry `[PAIR, [_, _, _, MIN_SIZE, MAX_SIZE, ...]]`.

    Bitfinex prices carry five significant digits (the gateway rounds to them), so the step depends on the
    price; `pricetick` is the finest step Bitfinex writes, 1e-8."""
    min_size = info[3] if len(info) > 3 else None
    return ContractData(
        gateway_name=gateway_name,
        symbol=pair,
        exchange=exchange,
        name=pair,
        product=Product.SPOT,
        size=1.0,
        pricetick=PRICE_RESOLUTION,
        min_volume=float(str(min_size)) if min_size not in (None, "") else 0.0,
        net_position=True,
        history_data=True,
    )


def significant(price: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """`price` rounded to Bitfinex's five significant digits (30123.456 -> 30123.0, 0.0123456 -> 0.012346)."""
    return float(f"{price:.{digits}g}") if price else 0.0


def order(row: schemas.Order, *, orderid: str, gateway_name: str, exchange: Exchange) -> OrderData:
    original = row.AMOUNT_ORIG or 0.0
    left = row.AMOUNT or 0.0
    return OrderData(
        gateway_name=gateway_name,
        symbol=symbol_of(row.SYMBOL or ""),
        exchange=exchange,
        orderid=orderid,
        type=order_type_of(row),
        direction=Direction.LONG if original > 0 else Direction.SHORT,
        price=row.PRICE or 0.0,
        volume=abs(original),
        traded=abs(original) - abs(left),
        status=status_of(row.ORDER_STATUS),
        datetime=ms_to_datetime(row.MTS_UPDATE or row.MTS_CREATE or 0),
    )


def trade(row: schemas.Trade, *, orderid: str, gateway_name: str, exchange: Exchange) -> TradeData:
    return TradeData(
        gateway_name=gateway_name,
        symbol=symbol_of(row.SYMBOL),
        exchange=exchange,
        orderid=orderid,
        tradeid=str(row.ID),
        direction=Direction.LONG if row.EXEC_AMOUNT > 0 else Direction.SHORT,
        price=row.EXEC_PRICE,
        volume=abs(row.EXEC_AMOUNT),
        datetime=ms_to_datetime(row.MTS_CREATE),
    )


def account(row: schemas.Wallet, *, gateway_name: str) -> AccountData:
    """An AccountData per exchange-wallet currency; frozen is what open orders hold (BALANCE - AVAILABLE)."""
    data = AccountData(gateway_name=gateway_name, accountid=row.CURRENCY, balance=row.BALANCE)
    if row.BALANCE_AVAILABLE is not None:
        data.frozen = max(0.0, row.BALANCE - row.BALANCE_AVAILABLE)
    return data


def bar(
    row: schemas.Candle, *, symbol: str, interval: Interval, gateway_name: str, exchange: Exchange
) -> BarData:
    return BarData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        datetime=ms_to_datetime(row.MTS),
        interval=interval,
        volume=row.VOLUME,
        open_price=row.OPEN,
        high_price=row.HIGH,
        low_price=row.LOW,
        close_price=row.CLOSE,
    )


def number_text(value: int | float) -> str:
    """A number as Bitfinex writes it in the checksum string (no exponent, no trailing ".0" on integers)."""
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text


def book_checksum(
    bids: Sequence[tuple[int | float, int | float]], asks: Sequence[tuple[int | float, int | float]]
) -> int:
    """Bitfinex's signed CRC32 over the top 25 levels interleaved: bid price, bid amount, ask price, ask
    amount (negative), joined by ":"."""
    parts: list[str] = []
    for index in range(25):
        if index < len(bids):
            parts += (number_text(bids[index][0]), number_text(bids[index][1]))
        if index < len(asks):
            parts += (number_text(asks[index][0]), number_text(-asks[index][1]))
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc
