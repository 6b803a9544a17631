"""Alpaca wire -> vtcore: code tables, decoders and pure functions from `schemas` structs to vtcore objects.

Nothing here touches a socket or a gateway's state; tested from recorded frames in
`tests/gateways/alpaca/test_alpaca_parse.py`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence

import msgspec

from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.gateways._transport import (
    RateLimitError,
    RequestRejectedError,
    SignatureError,
    VenueError,
    VenueUnavailableError,
    retry_after_seconds,
)
from vtcore.gateways.alpaca import schemas
from vtcore.object import AccountData, BarData, ContractData, OrderData, PositionData, TradeData

try:
    from zoneinfo import ZoneInfo

    NEW_YORK: dt.tzinfo = ZoneInfo("America/New_York")
except (
    Exception
):  # no tz database: Eastern Standard Time (the session check is then off by an hour in summer)
    NEW_YORK = dt.timezone(dt.timedelta(hours=-5), "America/New_York")

#: order `status` -> vtcore; None: the status says nothing new (a cancel or replace in flight, a day that
#: ended for an order that goes on tomorrow), the order keeps what it had
STATUS_ALPACA2VT: dict[str, Status | None] = {
    "new": Status.NOTTRADED,
    "accepted": Status.NOTTRADED,
    "pending_new": Status.NOTTRADED,
    "accepted_for_bidding": Status.NOTTRADED,
    "held": Status.NOTTRADED,
    "calculated": Status.NOTTRADED,
    "stopped": Status.NOTTRADED,
    "suspended": Status.NOTTRADED,
    "pending_review": Status.NOTTRADED,
    "partially_filled": Status.PARTTRADED,
    "filled": Status.ALLTRADED,
    "canceled": Status.CANCELLED,
    "expired": Status.CANCELLED,
    "replaced": Status.CANCELLED,
    "rejected": Status.REJECTED,
    "pending_cancel": None,
    "pending_replace": None,
    "done_for_day": None,
}
SIDE_ALPACA2VT = {"buy": Direction.LONG, "sell": Direction.SHORT}
SIDE_VT2ALPACA = {Direction.LONG: "buy", Direction.SHORT: "sell"}
#: vtcore order type -> (Alpaca type, the time in force it forces or "" for the request's own)
ORDER_TYPE_VT2ALPACA = {
    OrderType.LIMIT: ("limit", ""),
    OrderType.MARKET: ("market", ""),
    OrderType.STOP: ("stop", ""),  # with a trail: "trailing_stop"
    OrderType.STOP_LIMIT: ("stop_limit", ""),
    OrderType.FAK: ("limit", "ioc"),
    OrderType.FOK: ("limit", "fok"),
}
TIMES_IN_FORCE = ("day", "gtc", "opg", "cls", "ioc", "fok")
INTERVAL_VT2ALPACA = {
    Interval.MINUTE: "1Min",
    Interval.HOUR: "1Hour",
    Interval.DAILY: "1Day",
    Interval.WEEKLY: "1Week",
}
#: trade-update events that carry an execution
FILL_EVENTS = frozenset({"fill", "partial_fill"})

ERROR = msgspec.json.Decoder(schemas.ErrorBody)
CLOCK = msgspec.json.Decoder(schemas.Clock)
CALENDAR = msgspec.json.Decoder(list[schemas.CalendarDay])
ACCOUNT = msgspec.json.Decoder(schemas.Account, strict=False)
ASSETS = msgspec.json.Decoder(list[schemas.Asset], strict=False)
ORDER = msgspec.json.Decoder(schemas.Order, strict=False)
ORDERS = msgspec.json.Decoder(list[schemas.Order], strict=False)
POSITIONS = msgspec.json.Decoder(list[schemas.Position], strict=False)
FILLS = msgspec.json.Decoder(list[schemas.FillActivity], strict=False)
BARS = msgspec.json.Decoder(schemas.BarsPage)
STREAM_FRAME = msgspec.json.Decoder(schemas.StreamFrame)
STREAM_STATUS = msgspec.json.Decoder(schemas.StreamStatus)
TRADE_UPDATE = msgspec.json.Decoder(schemas.TradeUpdate, strict=False)
MARKET_JSON = msgspec.json.Decoder(list[schemas.MarketMessage])
MARKET_MSGPACK = msgspec.msgpack.Decoder(list[schemas.MarketMessage])
_RAW_JSON = msgspec.json.Decoder(list[msgspec.Raw])
_ONE_JSON = msgspec.json.Decoder(schemas.MarketMessage)
_RAW_MSGPACK = msgspec.msgpack.Decoder(list[msgspec.Raw])
_ONE_MSGPACK = msgspec.msgpack.Decoder(schemas.MarketMessage)
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, ValueError)
MSGPACK_ENCODER = msgspec.msgpack.Encoder()


def decode_market(raw: bytes) -> list[schemas.MarketMessage]:
    """One market-data frame: a JSON array (text frames, first byte `[`) or a MessagePack array. A message of
    a kind vtcore does not read (LULD, corrections, news, ...) is skipped, the rest of its frame kept; a
    frame that is not an array of messages raises one of `DECODE_ERRORS`."""
    json = raw[:1] == b"["
    try:
        return MARKET_JSON.decode(raw) if json else MARKET_MSGPACK.decode(raw)
    except msgspec.ValidationError:
        # one message of another kind (or a malformed one) fails the whole array: read them one by one
        items = _RAW_JSON.decode(raw) if json else _RAW_MSGPACK.decode(raw)
        one = _ONE_JSON if json else _ONE_MSGPACK
        kept = []
        for item in items:
            try:
                kept.append(one.decode(item))
            except msgspec.ValidationError as error:
                if "Invalid value" in str(error) and "`$.T`" in str(error):
                    continue  # a kind vtcore does not read
                raise
        return kept


def parse_error(status: int, raw: bytes, headers: Mapping[str, str]) -> VenueError | None:
    """A REST answer's typed error (`{"code": 40310000, "message": ...}`), None for a success."""
    if status < 400:
        return None
    try:
        body = ERROR.decode(raw)
        message, code = body.message or f"HTTP {status}", body.code
    except DECODE_ERRORS:
        message, code = (raw.decode(errors="replace").strip() or f"HTTP {status}"), None
    if status == 429:
        return RateLimitError(
            message, retry_after=retry_after(headers), status=status, code=code, headers=headers
        )
    if status >= 500:
        return VenueUnavailableError(message, status=status, code=code, headers=headers)
    if status == 401:
        return SignatureError(message, status=status, code=code, headers=headers)
    return RequestRejectedError(message, status=status, code=code, headers=headers)


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float:
    """How long a 429 asks to wait: `Retry-After`, else until `X-RateLimit-Reset` (unix seconds), else 1 s."""
    if "Retry-After" in headers or "retry-after" in headers:
        return retry_after_seconds(headers)
    reset = headers.get("X-RateLimit-Reset") or headers.get("x-ratelimit-reset")
    if reset is not None:
        try:
            return min(60.0, max(0.0, float(reset) - (time.time() if now is None else now)))
        except ValueError:
            pass
    return 1.0


def price_step(price: float) -> str:
    """The price increment Alpaca accepts: a cent from $1.00 up, a hundredth of a cent below."""
    return "0.01" if price >= 1.0 else "0.0001"


def contract(row: schemas.Asset, *, gateway_name: str, exchange: Exchange) -> ContractData:
    """A ContractData from an asset: one share, a cent tick (sub-dollar prices take 0.0001), fractions of a
    share where the asset is fractionable."""
    return ContractData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=exchange,
        name=row.name or row.symbol,
        product=Product.EQUITY,
        size=1.0,
        pricetick=row.price_increment or 0.01,
        min_volume=row.min_order_size or (row.min_trade_increment or 1.0 if not row.fractionable else 1e-9),
        stop_supported=True,
        net_position=True,
        history_data=True,
    )


def order_type(row: schemas.Order) -> OrderType:
    kind = row.type or row.order_type or "limit"
    if kind == "limit":
        return {"ioc": OrderType.FAK, "fok": OrderType.FOK}.get(row.time_in_force, OrderType.LIMIT)
    if kind == "stop_limit":
        return OrderType.STOP_LIMIT
    if kind in ("stop", "trailing_stop"):
        return OrderType.STOP
    return OrderType.MARKET


def order(row: schemas.Order, *, orderid: str, gateway_name: str, exchange: Exchange) -> OrderData:
    """An OrderData from an order object; a STOP order's price is its stop price, as in vn.py."""
    kind = order_type(row)
    price = row.limit_price if kind != OrderType.STOP else row.stop_price
    data = OrderData(
        gateway_name=gateway_name,
        symbol=row.symbol or "",
        exchange=exchange,
        orderid=orderid,
        type=kind,
        direction=SIDE_ALPACA2VT.get(row.side or ""),
        price=price or 0.0,
        volume=row.qty or 0.0,
        traded=row.filled_qty,
        status=STATUS_ALPACA2VT.get(row.status) or Status.NOTTRADED,
        datetime=row.submitted_at or row.created_at,
    )
    data.extra = {"venue_id": row.id, "time_in_force": row.time_in_force}
    if row.stop_price is not None and kind == OrderType.STOP_LIMIT:
        data.extra["stop_price"] = row.stop_price
    return data


def trade(
    update: schemas.TradeUpdate, *, orderid: str, gateway_name: str, exchange: Exchange
) -> TradeData | None:
    """A TradeData from a `fill`/`partial_fill` trade update (None for other events)."""
    if update.event not in FILL_EVENTS or not update.qty or update.execution_id is None:
        return None
    return TradeData(
        gateway_name=gateway_name,
        symbol=update.order.symbol or "",
        exchange=exchange,
        orderid=orderid,
        tradeid=update.execution_id,
        direction=SIDE_ALPACA2VT.get(update.order.side or ""),
        price=update.price or 0.0,
        volume=update.qty,
        datetime=update.timestamp,
    )


def activity_trade(
    row: schemas.FillActivity, *, orderid: str, gateway_name: str, exchange: Exchange
) -> TradeData:
    """A TradeData from a FILL activity; its id's part after "::" is the execution id the stream reports."""
    return TradeData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=exchange,
        orderid=orderid,
        tradeid=row.id.rpartition("::")[2],
        direction=SIDE_ALPACA2VT.get(row.side),
        price=row.price,
        volume=row.qty,
        datetime=row.transaction_time,
    )


def account(row: schemas.Account, *, gateway_name: str) -> AccountData:
    """Equity as the balance; frozen = the cash that open orders hold back (cash minus what a non-marginable
    buy could still spend)."""
    spendable = row.non_marginable_buying_power
    frozen = max(0.0, row.cash - spendable) if spendable is not None else 0.0
    return AccountData(
        gateway_name=gateway_name, accountid=row.account_number, balance=row.equity, frozen=frozen
    )


def position(row: schemas.Position, *, gateway_name: str, exchange: Exchange) -> PositionData:
    """A net position (short quantities are negative, as Alpaca writes them)."""
    qty = row.qty if row.side != "short" or row.qty < 0 else -row.qty
    return PositionData(
        gateway_name=gateway_name,
        symbol=row.symbol,
        exchange=exchange,
        direction=Direction.NET,
        volume=qty,
        price=row.avg_entry_price,
        pnl=row.unrealized_pl or 0.0,
        frozen=max(0.0, abs(qty) - abs(row.qty_available)) if row.qty_available is not None else 0.0,
    )


def bar(
    row: schemas.RestBar, *, symbol: str, interval: Interval, gateway_name: str, exchange: Exchange
) -> BarData:
    return BarData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        datetime=row.t,
        interval=interval,
        volume=row.v,
        turnover=row.v * row.vw,
        open_price=row.o,
        high_price=row.h,
        low_price=row.l,
        close_price=row.c,
    )


def wall_clock(text: str) -> dt.time | None:
    """A calendar time: "09:30" or "0930" (the extended session's fields have no colon)."""
    digits = text.replace(":", "")
    if len(digits) != 4 or not digits.isdigit():
        return None
    hour, minute = int(digits[:2]), int(digits[2:])
    return dt.time(hour, minute) if hour < 24 and minute < 60 else None


def session_at(moment: dt.datetime, days: Sequence[schemas.CalendarDay], clock: schemas.Clock | None) -> str:
    """Which session `moment` falls in: "regular", "extended" (pre- or after-market) or "closed".

    The clock decides the regular session while it is current (it knows early closes and halts of the whole
    market); the calendar's day decides the rest (no day: a weekend or a holiday)."""
    if clock is not None and clock.is_open and moment < clock.next_close:
        return "regular"
    local = moment.astimezone(NEW_YORK)
    day = next((d for d in days if d.date == local.date()), None)
    if day is None:
        return "closed"
    now = local.time()
    opens, closes = wall_clock(day.open), wall_clock(day.close)
    if opens is not None and closes is not None and opens <= now < closes:
        # the regular hours: open by the calendar, unless a current clock says the market is shut
        return "regular" if clock is None else "closed"
    session_open, session_close = wall_clock(day.session_open), wall_clock(day.session_close)
    if session_open is not None and session_close is not None and session_open <= now < session_close:
        return "extended"
    return "closed"
