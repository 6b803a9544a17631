"""A local Alpaca venue (Trading API v2, its `trade_updates` stream, Market Data v2 REST and WebSocket),
written from Alpaca's documents (venues.md §8: the trading and market-data references, the streaming pages,
the calendar, account-activities and error pages), not from vtcore's gateway.

As Alpaca does:
- REST authentication by the headers `APCA-API-KEY-ID` and `APCA-API-SECRET-KEY` (no signing); a missing or
  wrong pair is a 401. Errors are `{"code": 8 digits, "message": ...}`: 401 40110000, 403 40310000 (buying
  power, with `buying_power` and `cost_basis`; quantity; shorting), 404 40410000, 422 40010001/42210000 (an
  invalid order), 429 42910000. Numbers are JSON strings (`"qty": "10"`), ids are UUIDs, times RFC 3339. Every
  answer carries `X-RateLimit-Limit/Remaining/Reset`; past 200 requests a minute per key (or the scripted
  fault) a 429.
- Orders: market, limit, stop, stop_limit, trailing_stop (`trail_price` or `trail_percent`, the stop follows
  the high-water mark `hwm`); time in force day, gtc, opg, cls, ioc, fok; `extended_hours` only for DAY limit
  orders; whole shares unless the asset is fractionable (then market/limit DAY only); `client_order_id`
  unique.
  While the market is closed an order is `accepted` and waits for the open (an extended-hours order trades in
  the extended session). `PATCH /v2/orders/{id}` replaces an open order by a new one (the old one becomes
  `replaced`); `DELETE` answers 204 and the stream says `canceled`. `/v2/account/activities/FILL` lists the
  fills with ids `<yyyymmddhhmmssSSS>::<execution id>`.
- `/v2/clock` and `/v2/calendar` (`open`/`close` "HH:MM", `session_open`/`session_close` "HHMM", New York
  time); the venue's session is scripted (`set_session("open" | "extended" | "closed")`).
- `wss://.../stream`: `{"action":"authenticate","data":{"key_id","secret_key"}}` (or `{"action":"auth","key",
  "secret"}`), `{"action":"listen","data":{"streams":["trade_updates"]}}`; events new, fill, partial_fill,
  canceled, expired, replaced, accepted. JSON in **binary** frames on paper, text frames on live, MessagePack
  when the upgrade asks for it (`Content-Type: application/msgpack`).
- Market data: `GET /v2/stocks/bars` (and `/v2/stocks/{symbol}/bars`) paginated by `next_page_token`;
  WebSocket `/v2/{iex,sip,test}`: `[{"T":"success","msg":"connected"}]`, `auth` (or the key headers on the
  upgrade), `subscribe`/`unsubscribe` of trades, quotes, bars, updatedBars, dailyBars, statuses; every message
  an array; quotes `q`, trades `t`, bars `b`/`d`; errors 400 invalid syntax, 401 not authenticated, 402 auth
  failed, 403 already authenticated, 404 auth timeout, 406 connection limit exceeded, 409 insufficient
  subscription; JSON or MessagePack by the upgrade's Content-Type (MessagePack times are timestamp
  extensions).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import datetime as dt
import itertools
import json
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from aiohttp import web

from vtcore.peers.base import Session, VenueServer, int_param
from vtcore.peers.matching import Execution, SimOrder

API_KEY = "PKLOCAL7ALPACA0VENUE1"
API_SECRET = "LocalAlpacaVenueSecret0000000000000000000"
ACCOUNT_ID = "3f1c0b9e-2b1a-4c57-9a43-5f2d0e6a7c01"
ACCOUNT_NUMBER = "PA3LOCAL7ALP"
RATE_LIMIT_PER_MINUTE = 200
NEW_YORK = ZoneInfo("America/New_York")
ORDER_TYPES = ("market", "limit", "stop", "stop_limit", "trailing_stop")
TIMES_IN_FORCE = ("day", "gtc", "opg", "cls", "ioc", "fok")
DATA_FEEDS = ("iex", "sip", "test")
#: the market-data channels a client may subscribe, by their name in subscribe messages
DATA_CHANNELS = ("trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "lulds")
#: bar timeframes the data API serves: "<n><unit>"
TIMEFRAME_UNITS = {"Min": 60, "T": 60, "Hour": 3600, "H": 3600, "Day": 86400, "D": 86400, "Week": 604800}
_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")


@dataclass(frozen=True)
class Asset:
    symbol: str
    name: str
    exchange: str
    fractionable: bool = True
    shortable: bool = True
    tradable: bool = True
    status: str = "active"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, self.symbol))


ASSETS = {
    asset.symbol: asset
    for asset in (
        Asset("AAPL", "Apple Inc. Common Stock", "NASDAQ"),
        Asset("MSFT", "Microsoft Corporation Common Stock", "NASDAQ"),
        Asset("SPY", "SPDR S&P 500 ETF Trust", "ARCA"),
        Asset("BRK.B", "Berkshire Hathaway Inc. Class B", "NYSE", fractionable=False),
        Asset("GME", "GameStop Corp. Class A", "NYSE", shortable=False),
        Asset("FAKEPACA", "Alpaca's test symbol", "NASDAQ"),
        Asset("OLDCO", "A delisted company", "NYSE", tradable=False, status="inactive"),
        Asset("PINKX", "An asset Alpaca does not trade", "OTC", tradable=False),
    )
}


class AlpacaError(Exception):
    """An error answer: HTTP status, Alpaca's 8-digit code, its message and any extra fields."""

    def __init__(self, status: int, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def body(self) -> dict[str, Any]:
        return {**self.extra, "code": self.code, "message": self.message}


def invalid(message: str) -> AlpacaError:
    return AlpacaError(422, 40010001, message)


def invalid_param(name: str) -> AlpacaError:
    return invalid(f"invalid {name}")


def rfc3339(ns: int) -> str:
    """A UTC time with nanoseconds, as Alpaca writes times ("2026-01-02T15:30:00.123456789Z")."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    moment = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{fraction:09d}Z"


def parse_time(text: str) -> dt.datetime:
    """An RFC 3339 time or a date (UTC midnight) from a query."""
    text = text.strip()
    if len(text) == 10:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def text_number(value: Decimal | None) -> str | None:
    """A number as Alpaca writes it: a JSON string without trailing zeros."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def decimal_field(body: dict[str, Any], name: str) -> Decimal | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise invalid(f"invalid {name}") from None
    if not number.is_finite():
        raise invalid(f"invalid {name}")
    return number


@dataclass
class VenueOrder:
    """One order as the venue keeps it (the matching core holds its working part)."""

    id: str
    client_order_id: str
    asset: Asset
    side: str
    type: str
    time_in_force: str
    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    trail_price: Decimal | None
    trail_percent: Decimal | None
    extended_hours: bool
    status: str = "new"
    created_ns: int = field(default_factory=time.time_ns)
    updated_ns: int = 0
    filled_qty: Decimal = Decimal(0)
    filled_value: Decimal = Decimal(0)
    filled_ns: int | None = None
    canceled_ns: int | None = None
    expired_ns: int | None = None
    replaced_ns: int | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    hwm: Decimal | None = None
    sim_id: int = 0

    @property
    def open(self) -> bool:
        return self.status in ("new", "partially_filled", "accepted", "pending_new")

    def render(self) -> dict[str, Any]:
        stamp = self.updated_ns or self.created_ns
        return {
            "id": self.id,
            "client_order_id": self.client_order_id,
            "created_at": rfc3339(self.created_ns),
            "updated_at": rfc3339(stamp),
            "submitted_at": rfc3339(self.created_ns),
            "filled_at": rfc3339(self.filled_ns) if self.filled_ns else None,
            "expired_at": rfc3339(self.expired_ns) if self.expired_ns else None,
            "expires_at": None,
            "canceled_at": rfc3339(self.canceled_ns) if self.canceled_ns else None,
            "failed_at": None,
            "replaced_at": rfc3339(self.replaced_ns) if self.replaced_ns else None,
            "replaced_by": self.replaced_by,
            "replaces": self.replaces,
            "asset_id": self.asset.id,
            "symbol": self.asset.symbol,
            "asset_class": "us_equity",
            "notional": None,
            "qty": text_number(self.qty),
            "filled_qty": text_number(self.filled_qty),
            "filled_avg_price": text_number(self.filled_value / self.filled_qty) if self.filled_qty else None,
            "order_class": "",
            "order_type": self.type,
            "type": self.type,
            "side": self.side,
            "position_intent": ("buy_to_open" if self.side == "buy" else "sell_to_close"),
            "time_in_force": self.time_in_force,
            "limit_price": text_number(self.limit_price),
            "stop_price": text_number(self.stop_price),
            "status": self.status,
            "extended_hours": self.extended_hours,
            "legs": None,
            "trail_percent": text_number(self.trail_percent),
            "trail_price": text_number(self.trail_price),
            "hwm": text_number(self.hwm),
            "subtag": None,
            "source": None,
        }


@dataclass
class Position:
    qty: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)  # signed cost of the open quantity

    @property
    def average(self) -> Decimal:
        return self.cost / self.qty if self.qty else Decimal(0)


@dataclass
class Bar:
    start: int  # unix seconds of the bar's start
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    trades: int
    value: Decimal  # sum of price x size, for the VWAP

    def add(self, price: Decimal, size: Decimal) -> None:
        self.high, self.low, self.close = max(self.high, price), min(self.low, price), price
        self.volume += size
        self.trades += 1
        self.value += price * size

    @property
    def vwap(self) -> Decimal:
        return self.value / self.volume if self.volume else self.close


class AlpacaVenue(VenueServer):
    """The venue: one server for the trading API, its stream, market data REST and the data stream."""

    def __init__(self, *, paper: bool = True) -> None:
        super().__init__()
        #: paper sends trade updates in binary frames, live in text frames (Alpaca's streaming page)
        self.paper = paper
        self.api_key, self.api_secret = API_KEY, API_SECRET
        self.cash = Decimal(100_000)
        self.positions: dict[str, Position] = {}
        self.orders: dict[str, VenueOrder] = {}  # by id, in arrival order
        self.by_sim: dict[int, VenueOrder] = {}
        self.replacing: set[str] = set()  # ids whose cancellation in the core is a replacement
        self.activities: list[dict[str, Any]] = []
        self.session_mode = "open"
        self.minute_bars: dict[str, list[Bar]] = {}  # history and today's bars by symbol, oldest first
        self.daily: dict[str, Bar] = {}
        self.requests_per_key: dict[str, list[float]] = {}
        #: data connections allowed per key and endpoint (most plans: 1), seconds to authenticate
        self.connection_limit = 1
        self.auth_timeout = 10.0
        #: feeds the account may stream ("sip" needs a paid plan: 409 insufficient subscription otherwise)
        self.feeds = {"iex", "sip", "test"}
        #: refuse the next N trading-stream authentications (the key was revoked, say)
        self.refuse_stream_auth = 0
        self._trade_ids = itertools.count(52_983_525_029_461)
        self._animations: list[concurrent.futures.Future[None]] = []

    # ---- the app

    def build_app(self) -> web.Application:
        app = web.Application()
        add = app.router.add_route
        for method, path, handler in (
            ("GET", "/v2/account", self.get_account),
            ("GET", "/v2/assets", self.get_assets),
            ("GET", "/v2/assets/{symbol}", self.get_asset),
            ("GET", "/v2/clock", self.get_clock),
            ("GET", "/v2/calendar", self.get_calendar),
            ("POST", "/v2/orders", self.post_order),
            ("GET", "/v2/orders", self.get_orders),
            ("DELETE", "/v2/orders", self.delete_orders),
            ("GET", "/v2/orders:by_client_order_id", self.get_order_by_client_id),
            ("GET", "/v2/orders/{order_id}", self.get_order),
            ("PATCH", "/v2/orders/{order_id}", self.patch_order),
            ("DELETE", "/v2/orders/{order_id}", self.delete_order),
            ("GET", "/v2/positions", self.get_positions),
            ("GET", "/v2/positions/{symbol}", self.get_position),
            ("GET", "/v2/account/activities", self.get_activities),
            ("GET", "/v2/account/activities/{activity_type}", self.get_activities),
            ("GET", "/v2/stocks/bars", self.get_bars),
            ("GET", "/v2/stocks/{symbol}/bars", self.get_symbol_bars),
        ):
            add(method, path, self.endpoint(handler))
        app.router.add_get("/stream", self.trading_stream)
        for feed in DATA_FEEDS:
            app.router.add_get(f"/v2/{feed}", self.data_stream)
        return app

    # ---- REST plumbing

    def endpoint(self, handler: Callable[[web.Request, Any], Coroutine[Any, Any, Any]]) -> Any:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            limit_headers = self.count_request(request.headers.get("APCA-API-KEY-ID", "anonymous"))
            if limit_headers is None:
                return self.rate_limited_response()
            try:
                self.check_auth(request.headers)
                body: Any = None
                if request.method in ("POST", "PATCH") and request.can_read_body:
                    try:
                        body = json.loads(await request.text())
                    except ValueError:
                        raise AlpacaError(400, 40010000, "request body format is invalid") from None
                    if not isinstance(body, dict):
                        raise AlpacaError(400, 40010000, "request body format is invalid")
                payload = await handler(request, body if body is not None else {})
            except AlpacaError as error:
                return self.answer(error.body(), error.status, limit_headers)
            if payload is None:
                return web.Response(status=204, headers=limit_headers)
            if isinstance(payload, web.Response):
                payload.headers.update(limit_headers)
                return payload
            return self.answer(payload, 200, limit_headers)

        return wrapped

    @staticmethod
    def answer(payload: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(
            status=status, text=json.dumps(payload), content_type="application/json", headers=headers
        )

    def check_auth(self, headers: Any) -> None:
        key, secret = headers.get("APCA-API-KEY-ID"), headers.get("APCA-API-SECRET-KEY")
        if key != self.api_key or secret != self.api_secret:
            raise AlpacaError(401, 40110000, "request is not authorized")

    def count_request(self, who: str) -> dict[str, str] | None:
        """The rate-limit headers for one more request of `who`, or None when it is over the limit."""
        now = time.monotonic()
        stamps = [t for t in self.requests_per_key.get(who, []) if now - t < 60]
        reset = str(int(time.time()) + (int(60 - (now - stamps[0])) if stamps else 60))
        self.requests_per_key[who] = stamps
        if len(stamps) >= RATE_LIMIT_PER_MINUTE:
            return None
        stamps.append(now)
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT_PER_MINUTE),
            "X-RateLimit-Remaining": str(RATE_LIMIT_PER_MINUTE - len(stamps)),
            "X-RateLimit-Reset": reset,
        }

    def rate_limited_response(self) -> web.Response:
        wait = max(1, self.faults.retry_after)
        return self.answer(
            {"code": 42910000, "message": "rate limit exceeded"},
            429,
            {
                "Retry-After": str(wait),
                "X-RateLimit-Limit": str(RATE_LIMIT_PER_MINUTE),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(int(time.time()) + wait),
            },
        )

    def unavailable_response(self) -> web.Response:
        return self.answer({"code": 50010000, "message": "internal server error occurred"}, 503)

    # ---- account, assets, positions

    def mark(self, symbol: str) -> Decimal | None:
        if symbol in self.last_prices:
            return self.last_prices[symbol]
        bids, asks = self.matching.book(symbol)
        if bids and asks:
            return (bids[0][0] + asks[0][0]) / 2
        return None

    def held_for_buys(self) -> Decimal:
        """Cash set aside for open buy orders (their limit price, else the current price)."""
        held = Decimal(0)
        for order in self.orders.values():
            if order.open and order.side == "buy":
                price = order.limit_price or order.stop_price or self.mark(order.asset.symbol) or Decimal(0)
                held += (order.qty - order.filled_qty) * price
        return held

    def market_value(self) -> tuple[Decimal, Decimal]:
        long = short = Decimal(0)
        for symbol, position in self.positions.items():
            value = position.qty * (self.mark(symbol) or position.average)
            if value >= 0:
                long += value
            else:
                short += value
        return long, short

    async def get_account(self, request: web.Request, body: Any) -> Any:
        long, short = self.market_value()
        equity = self.cash + long + short
        buying_power = self.cash - self.held_for_buys()
        return {
            "id": ACCOUNT_ID,
            "account_number": ACCOUNT_NUMBER,
            "status": "ACTIVE",
            "crypto_status": "INACTIVE",
            "currency": "USD",
            "buying_power": text_number(buying_power),
            "regt_buying_power": text_number(buying_power),
            "daytrading_buying_power": "0",
            "effective_buying_power": text_number(buying_power),
            "non_marginable_buying_power": text_number(buying_power),
            "options_buying_power": "0",
            "bod_dtbp": "0",
            "cash": text_number(self.cash),
            "accrued_fees": "0",
            "pending_transfer_in": "0",
            "portfolio_value": text_number(equity),
            "pattern_day_trader": False,
            "trading_blocked": False,
            "transfers_blocked": False,
            "account_blocked": False,
            "created_at": "2026-01-02T15:00:00.000000Z",
            "trade_suspended_by_user": False,
            "multiplier": "1",
            "shorting_enabled": True,
            "equity": text_number(equity),
            "last_equity": text_number(equity),
            "long_market_value": text_number(long),
            "short_market_value": text_number(short),
            "position_market_value": text_number(long - short),
            "initial_margin": "0",
            "maintenance_margin": "0",
            "last_maintenance_margin": "0",
            "sma": "0",
            "daytrade_count": 0,
            "options_approved_level": 0,
            "options_trading_level": 0,
        }

    @staticmethod
    def render_asset(asset: Asset) -> dict[str, Any]:
        return {
            "id": asset.id,
            "class": "us_equity",
            "exchange": asset.exchange,
            "symbol": asset.symbol,
            "name": asset.name,
            "status": asset.status,
            "tradable": asset.tradable,
            "marginable": asset.tradable,
            "maintenance_margin_requirement": 30,
            "margin_requirement_long": "30",
            "margin_requirement_short": "100",
            "shortable": asset.shortable,
            "easy_to_borrow": asset.shortable,
            "fractionable": asset.fractionable,
            "attributes": ["fractional_eh_enabled", "has_options"] if asset.fractionable else [],
        }

    async def get_assets(self, request: web.Request, body: Any) -> Any:
        status = request.query.get("status")
        asset_class = request.query.get("asset_class", "us_equity")
        if asset_class not in ("us_equity", "crypto", "us_option"):
            raise invalid(f"invalid asset_class: {asset_class}")
        return [
            self.render_asset(asset)
            for asset in ASSETS.values()
            if asset_class == "us_equity" and status in (None, "", asset.status)
        ]

    def asset(self, symbol_or_id: str) -> Asset:
        for asset in ASSETS.values():
            if symbol_or_id in (asset.symbol, asset.id):
                return asset
        raise AlpacaError(404, 40410000, "asset not found")

    async def get_asset(self, request: web.Request, body: Any) -> Any:
        return self.render_asset(self.asset(request.match_info["symbol"]))

    def render_position(self, symbol: str, position: Position) -> dict[str, Any]:
        asset = ASSETS[symbol]
        price = self.mark(symbol) or position.average
        value = position.qty * price
        return {
            "asset_id": asset.id,
            "symbol": symbol,
            "exchange": asset.exchange,
            "asset_class": "us_equity",
            "asset_marginable": True,
            "avg_entry_price": text_number(position.average),
            "qty": text_number(position.qty),
            "qty_available": text_number(position.qty),
            "side": "long" if position.qty > 0 else "short",
            "market_value": text_number(value),
            "cost_basis": text_number(position.cost),
            "unrealized_pl": text_number(value - position.cost),
            "unrealized_plpc": text_number((value - position.cost) / abs(position.cost))
            if position.cost
            else "0",
            "unrealized_intraday_pl": text_number(value - position.cost),
            "unrealized_intraday_plpc": "0",
            "current_price": text_number(price),
            "lastday_price": text_number(price),
            "change_today": "0",
        }

    async def get_positions(self, request: web.Request, body: Any) -> Any:
        return [self.render_position(s, p) for s, p in self.positions.items() if p.qty]

    async def get_position(self, request: web.Request, body: Any) -> Any:
        asset = self.asset(request.match_info["symbol"])
        position = self.positions.get(asset.symbol)
        if position is None or not position.qty:
            raise AlpacaError(404, 40410000, "position does not exist")
        return self.render_position(asset.symbol, position)

    def set_position(self, symbol: str, qty: str, average: str) -> None:
        """Give the account a position (any thread)."""

        def act() -> None:
            self.positions[symbol] = Position(Decimal(qty), Decimal(qty) * Decimal(average))

        self.run(act)

    # ---- clock and calendar

    def set_session(self, mode: str) -> None:
        """Script the market's session: "open" (the regular session), "extended" (pre/after-market: orders
        with extended_hours trade) or "closed" (a holiday). Orders held while closed start at the open."""
        if mode not in ("open", "extended", "closed"):
            raise ValueError(mode)

        def act() -> None:
            self.session_mode = mode
            for order in list(self.orders.values()):
                if order.status == "accepted" and self.may_trade(order):
                    self.start_order(order)

        self.run(act)

    def may_trade(self, order: VenueOrder) -> bool:
        return self.session_mode == "open" or (self.session_mode == "extended" and order.extended_hours)

    async def get_clock(self, request: web.Request, body: Any) -> Any:
        now = dt.datetime.now(NEW_YORK)
        later = (now + dt.timedelta(days=1)).replace(microsecond=0)
        return {
            "timestamp": now.isoformat(),
            "is_open": self.session_mode == "open",
            "next_open": later.replace(hour=9, minute=30, second=0).isoformat(),
            # the local venue's regular session lasts as long as the test wants it to
            "next_close": later.replace(hour=16, minute=0, second=0).isoformat(),
        }

    def calendar_day(self, day: dt.date) -> dict[str, Any] | None:
        today = dt.datetime.now(NEW_YORK).date()
        if day == today:
            if self.session_mode == "closed":
                return None  # a holiday
            if self.session_mode == "open":
                hours = ("00:00", "23:59", "0000", "2359")
            else:  # the extended session is on all day and the regular one never starts
                hours = ("23:59", "23:59", "0000", "2359")
        elif day.weekday() >= 5:
            return None
        else:
            hours = ("09:30", "16:00", "0400", "2000")
        return {
            "date": day.isoformat(),
            "open": hours[0],
            "close": hours[1],
            "session_open": hours[2],
            "session_close": hours[3],
            "settlement_date": (day + dt.timedelta(days=1)).isoformat(),
        }

    async def get_calendar(self, request: web.Request, body: Any) -> Any:
        today = dt.datetime.now(NEW_YORK).date()
        try:
            start = dt.date.fromisoformat(request.query.get("start", "")[:10] or today.isoformat())
            end = dt.date.fromisoformat(
                request.query.get("end", "")[:10] or (today + dt.timedelta(30)).isoformat()
            )
        except ValueError:
            raise invalid("invalid date format") from None
        days: list[dict[str, Any]] = []
        day = start
        while day <= end and len(days) < 1000:
            entry = self.calendar_day(day)
            if entry is not None:
                days.append(entry)
            day += dt.timedelta(days=1)
        return days

    # ---- orders

    async def post_order(self, request: web.Request, body: dict[str, Any]) -> Any:
        order = self.validate_order(body)
        self.check_funds(order)
        self.orders[order.id] = order
        if self.faults.reject_orders > 0:
            self.faults.reject_orders -= 1
            del self.orders[order.id]
            raise AlpacaError(403, 40310000, "new orders are rejected by user request")
        if self.may_trade(order):
            self.start_order(order)
        else:
            order.status = "accepted"
            order.updated_ns = time.time_ns()
            self.trade_update("accepted", order)
        if self.faults.drop_order_reply > 0:
            # the order is placed; the answer is lost with the connection
            self.faults.drop_order_reply -= 1
            transport = request.transport
            if transport is not None:
                transport.abort()
        return order.render()

    def validate_order(self, body: dict[str, Any], replaces: VenueOrder | None = None) -> VenueOrder:
        symbol = str(body.get("symbol") or "")
        if not symbol:
            raise invalid("symbol is required")
        asset = ASSETS.get(symbol.upper())
        if asset is None:
            raise AlpacaError(422, 42210000, f'asset "{symbol}" not found')
        if not asset.tradable or asset.status != "active":
            raise AlpacaError(422, 42210000, f"asset {asset.symbol} is not tradable")
        if body.get("notional") is not None:
            raise invalid("notional orders are not supported by this venue")
        qty = decimal_field(body, "qty")
        if qty is None:
            raise invalid("qty is required")
        if qty <= 0:
            raise invalid("qty must be > 0")
        side = str(body.get("side") or "")
        if side not in ("buy", "sell"):
            raise invalid("invalid side")
        kind = str(body.get("type") or body.get("order_type") or "")
        if kind not in ORDER_TYPES:
            raise invalid("invalid order type")
        tif = str(body.get("time_in_force") or "")
        if tif not in TIMES_IN_FORCE:
            raise invalid("invalid time_in_force")
        limit_price = decimal_field(body, "limit_price")
        stop_price = decimal_field(body, "stop_price")
        trail_price = decimal_field(body, "trail_price")
        trail_percent = decimal_field(body, "trail_percent")
        if kind in ("limit", "stop_limit") and limit_price is None:
            raise invalid("limit_price is required")
        if kind in ("stop", "stop_limit") and stop_price is None:
            raise invalid("stop_price is required")
        if kind not in ("limit", "stop_limit") and limit_price is not None:
            raise invalid(f"limit_price must not be given for {kind} orders")
        if kind == "trailing_stop" and (trail_price is None) == (trail_percent is None):
            raise invalid("exactly one of trail_price or trail_percent is required")
        for name, value in (
            ("limit_price", limit_price),
            ("stop_price", stop_price),
            ("trail_price", trail_price),
            ("trail_percent", trail_percent),
        ):
            if value is not None and value <= 0:
                raise invalid(f"{name} must be > 0")
            if value is not None and name != "trail_percent":
                places = 2 if value >= 1 else 4
                if value != value.quantize(Decimal(1).scaleb(-places)):
                    raise AlpacaError(
                        422,
                        42210000,
                        f"invalid {name} {text_number(value)}. sub-penny increment does not fulfill "
                        "minimum pricing criteria",
                    )
        extended = bool(body.get("extended_hours", False))
        if extended and (kind != "limit" or tif != "day"):
            raise invalid("extended hours order must be DAY limit orders")
        if tif in ("opg", "cls") and kind not in ("market", "limit"):
            raise invalid(f"{tif} orders must be market or limit orders")
        if qty != qty.to_integral_value():
            if not asset.fractionable:
                raise invalid(f"requested asset is not fractionable: {asset.symbol}")
            if kind not in ("market", "limit") or tif != "day":
                raise invalid("fractional orders must be DAY market or limit orders")
        client_id = str(body.get("client_order_id") or "") or str(uuid.uuid4())
        if len(client_id) > 128:
            raise invalid("client_order_id must be no more than 128 characters")
        if any(o.client_order_id == client_id for o in self.orders.values()):
            raise invalid("client_order_id must be unique")
        return VenueOrder(
            id=str(uuid.uuid4()),
            client_order_id=client_id,
            asset=asset,
            side=side,
            type=kind,
            time_in_force=tif,
            qty=qty,
            limit_price=limit_price,
            stop_price=stop_price,
            trail_price=trail_price,
            trail_percent=trail_percent,
            extended_hours=extended,
            replaces=replaces.id if replaces is not None else None,
        )

    def check_funds(self, order: VenueOrder, freed: Decimal = Decimal(0)) -> None:
        symbol = order.asset.symbol
        if order.side == "buy":
            price = order.limit_price or order.stop_price or self.ask(symbol) or self.mark(symbol)
            cost = order.qty * (price or Decimal(0))
            buying_power = self.cash - self.held_for_buys() + freed
            if cost > buying_power:
                raise AlpacaError(
                    403,
                    40310000,
                    "insufficient buying power",
                    buying_power=text_number(buying_power),
                    cost_basis=text_number(cost),
                )
            return
        held = self.positions.get(symbol, Position()).qty
        selling = sum(
            (
                o.qty - o.filled_qty
                for o in self.orders.values()
                if o.open and o.side == "sell" and o.asset.symbol == symbol
            ),
            Decimal(0),
        )
        available = max(Decimal(0), held - selling)
        if order.qty > available and not order.asset.shortable:
            raise AlpacaError(
                403,
                40310000,
                f"insufficient qty available for order (requested: {text_number(order.qty)}, "
                f"available: {text_number(available)})",
            )

    def ask(self, symbol: str) -> Decimal | None:
        asks = self.matching.book(symbol)[1]
        return asks[0][0] if asks else None

    def start_order(self, order: VenueOrder) -> None:
        """Give an accepted order to the matching core (venue loop)."""
        symbol = order.asset.symbol
        trailing = order.type == "trailing_stop"
        if trailing:
            order.hwm = self.mark(symbol) or Decimal(0)
            order.stop_price = self.trailing_stop(order)
        stop = order.type in ("stop", "stop_limit") or trailing
        sim = SimOrder(
            order_id=self.matching.next_order_id(),
            client_id=order.id,
            account=ACCOUNT_ID,
            symbol=symbol,
            side=order.side.upper(),
            kind="LIMIT" if order.type in ("limit", "stop_limit") else "MARKET",
            tif={"ioc": "IOC", "fok": "FOK"}.get(order.time_in_force, "GTC"),
            price=order.limit_price or Decimal(0),
            quantity=order.qty,
            working=not stop,
            stop_price=order.stop_price or Decimal(0),
            trigger_above=order.side == "buy",
        )
        order.sim_id = sim.order_id
        self.by_sim[sim.order_id] = order
        self.place_and_publish(sim)

    def trailing_stop(self, order: VenueOrder) -> Decimal:
        hwm = order.hwm or Decimal(0)
        if order.trail_price is not None:
            offset = order.trail_price
        else:
            offset = (hwm * (order.trail_percent or Decimal(0)) / 100).quantize(Decimal("0.01"))
        return hwm - offset if order.side == "sell" else hwm + offset

    def on_last_price(self, symbol: str, price: Decimal) -> None:
        # trailing stops follow the best price seen (the high for a sell, the low for a buy) before the core
        # looks at their stop prices
        for order in self.orders.values():
            if order.type != "trailing_stop" or not order.open or order.asset.symbol != symbol:
                continue
            sim = self.matching.orders.get(order.sim_id)
            if sim is None or sim.working:
                continue
            better = price > (order.hwm or 0) if order.side == "sell" else price < (order.hwm or price + 1)
            if better:
                order.hwm = price
                order.stop_price = sim.stop_price = self.trailing_stop(order)
        super().on_last_price(symbol, price)

    async def get_orders(self, request: web.Request, body: Any) -> Any:
        status = request.query.get("status", "open")
        if status not in ("open", "closed", "all"):
            raise invalid("invalid status")
        limit = int_param(request.query, "limit", 50, invalid_param) or 50
        symbols = set(filter(None, request.query.get("symbols", "").split(",")))
        rows = [
            order
            for order in self.orders.values()
            if (status == "all" or order.open == (status == "open"))
            and (not symbols or order.asset.symbol in symbols)
        ]
        if request.query.get("direction", "desc") == "desc":
            rows.reverse()
        return [order.render() for order in rows[: min(limit, 500)]]

    def order(self, order_id: str) -> VenueOrder:
        order = self.orders.get(order_id)
        if order is None:
            try:
                uuid.UUID(order_id)
            except ValueError:
                raise AlpacaError(422, 40010001, "invalid order id") from None
            raise AlpacaError(404, 40410000, "order not found")
        return order

    async def get_order(self, request: web.Request, body: Any) -> Any:
        return self.order(request.match_info["order_id"]).render()

    async def get_order_by_client_id(self, request: web.Request, body: Any) -> Any:
        client_id = request.query.get("client_order_id", "")
        for order in self.orders.values():
            if order.client_order_id == client_id:
                return order.render()
        raise AlpacaError(404, 40410000, "order not found")

    async def delete_order(self, request: web.Request, body: Any) -> Any:
        order = self.order(request.match_info["order_id"])
        if not order.open:
            raise AlpacaError(422, 42210000, f'order is already in "{order.status}" state')
        self.cancel(order)
        return None

    def cancel(self, order: VenueOrder) -> None:
        if order.status == "accepted":  # never reached the core
            self.finish(order, "canceled")
        else:
            self.matching.cancel(order.sim_id)

    async def delete_orders(self, request: web.Request, body: Any) -> Any:
        answers = []
        for order in list(self.orders.values()):
            if order.open:
                self.cancel(order)
                answers.append({"id": order.id, "status": 200, "body": order.render()})
        return self.answer(answers, 207)

    async def patch_order(self, request: web.Request, body: dict[str, Any]) -> Any:
        old = self.order(request.match_info["order_id"])
        if not old.open:
            raise AlpacaError(422, 42210000, f'order is already in "{old.status}" state')
        merged: dict[str, Any] = {
            "symbol": old.asset.symbol,
            "side": old.side,
            "type": old.type,
            "qty": body.get("qty") or text_number(old.qty),
            "time_in_force": body.get("time_in_force") or old.time_in_force,
            "limit_price": body.get("limit_price") or text_number(old.limit_price),
            "stop_price": body.get("stop_price") or text_number(old.stop_price),
            "trail_price": body.get("trail")
            if old.trail_price is not None and body.get("trail")
            else text_number(old.trail_price),
            "trail_percent": body.get("trail")
            if old.trail_percent is not None and body.get("trail")
            else text_number(old.trail_percent),
            "extended_hours": old.extended_hours,
            "client_order_id": body.get("client_order_id"),
        }
        if old.type == "trailing_stop":
            merged["stop_price"] = None
        new = self.validate_order(merged, replaces=old)
        if new.qty < old.filled_qty:
            raise invalid("qty must be greater than the filled quantity")
        freed = (
            (old.qty - old.filled_qty) * (old.limit_price or Decimal(0)) if old.side == "buy" else Decimal(0)
        )
        self.check_funds(new, freed)
        # the replacement carries on what the old order has filled
        new.qty -= old.filled_qty
        self.replacing.add(old.id)
        old.replaced_by = new.id
        self.cancel(old)
        self.orders[new.id] = new
        if self.may_trade(new):
            self.start_order(new)
        else:
            new.status = "accepted"
            self.trade_update("accepted", new)
        return new.render()

    # ---- executions

    def on_execution(self, execution: Execution) -> None:
        order = self.by_sim.get(execution.order.order_id)
        if order is None:
            return
        kind = execution.kind
        if kind == "NEW":
            order.status = "new"
            order.updated_ns = time.time_ns()
            self.trade_update("new", order)
        elif kind == "TRADE" and execution.fill is not None:
            self.apply_fill(order, execution.fill.price, execution.fill.quantity)
        elif kind in ("CANCELED", "EXPIRED"):
            if order.id in self.replacing:
                self.replacing.discard(order.id)
                self.finish(order, "replaced")
            else:
                # IOC/FOK and market remainders are canceled at Alpaca, never "expired"
                self.finish(order, "canceled")

    def finish(self, order: VenueOrder, status: str) -> None:
        now = time.time_ns()
        order.status, order.updated_ns = status, now
        if status == "canceled":
            order.canceled_ns = now
        elif status == "expired":
            order.expired_ns = now
        elif status == "replaced":
            order.replaced_ns = now
        self.trade_update(status, order)

    def apply_fill(self, order: VenueOrder, price: Decimal, qty: Decimal) -> None:
        now = time.time_ns()
        order.filled_qty += qty
        order.filled_value += price * qty
        order.status = "filled" if order.filled_qty >= order.qty else "partially_filled"
        order.updated_ns = now
        if order.status == "filled":
            order.filled_ns = now
        symbol = order.asset.symbol
        signed = qty if order.side == "buy" else -qty
        position = self.positions.setdefault(symbol, Position())
        if position.qty == 0 or (position.qty > 0) == (signed > 0):
            position.cost += signed * price
        else:  # closing (part of) the position at its average cost; a flip opens the rest at this price
            closing = min(abs(signed), abs(position.qty))
            average = position.average
            position.cost -= (closing if position.qty > 0 else -closing) * average
            rest = abs(signed) - closing
            if rest:
                position.cost = (rest if signed > 0 else -rest) * price
        position.qty += signed
        if position.qty == 0:
            position.cost = Decimal(0)
        self.cash -= signed * price
        execution_id = str(uuid.uuid4())
        stamp = (
            time.strftime("%Y%m%d%H%M%S", time.gmtime(now // 1_000_000_000))
            + f"{now // 1_000_000 % 1000:03d}"
        )
        self.activities.append(
            {
                "id": f"{stamp}::{execution_id}",
                "account_id": ACCOUNT_ID,
                "activity_type": "FILL",
                "transaction_time": rfc3339(now),
                "type": "fill" if order.status == "filled" else "partial_fill",
                "price": text_number(price),
                "qty": text_number(qty),
                "side": order.side,
                "symbol": symbol,
                "leaves_qty": text_number(order.qty - order.filled_qty),
                "order_id": order.id,
                "cum_qty": text_number(order.filled_qty),
                "order_status": order.status,
            }
        )
        self.trade_update(
            "fill" if order.status == "filled" else "partial_fill",
            order,
            execution_id=execution_id,
            price=text_number(price),
            qty=text_number(qty),
            position_qty=text_number(position.qty),
            timestamp=rfc3339(now),
        )

    def end_of_day(self) -> None:
        """The regular session closes: open DAY orders expire (any thread)."""

        def act() -> None:
            for order in list(self.orders.values()):
                if order.open and order.time_in_force == "day":
                    if order.status != "accepted":
                        self.matching.orders[order.sim_id].status = "EXPIRED"
                    self.finish(order, "expired")

        self.run(act)

    async def get_activities(self, request: web.Request, body: Any) -> Any:
        kind = request.match_info.get("activity_type") or request.query.get("activity_types", "FILL")
        if "FILL" not in kind.split(","):
            return []
        rows = list(self.activities)
        after, until = request.query.get("after"), request.query.get("until")
        if after:
            rows = [r for r in rows if parse_time(r["transaction_time"]) > parse_time(after)]
        if until:
            rows = [r for r in rows if parse_time(r["transaction_time"]) < parse_time(until)]
        direction = request.query.get("direction", "desc")
        if direction == "desc":
            rows.reverse()
        token = request.query.get("page_token")
        if token:
            ids = [row["id"] for row in rows]
            rows = rows[ids.index(token) + 1 :] if token in ids else []
        size = min(int_param(request.query, "page_size", 100, invalid_param) or 100, 100)
        return rows[:size]

    def animate(self, symbol: str, every: float = 0.5) -> None:
        """Keep `symbol`'s market moving (for `vtcore run --sim`): every `every` seconds the best bid's size
        changes and the quote is published, and every fourth time a trade prints between bid and ask, since a
        data stream sends nothing to a new subscriber until the market changes (any thread)."""

        async def move() -> None:
            for step in itertools.count():
                await asyncio.sleep(every)
                bids, asks = self.matching.book(symbol)
                if not bids or not asks:
                    continue
                bids[0][1] = Decimal(100 * (1 + step % 5))
                self.publish_book(symbol)
                if step % 4 == 3:
                    self.publish_trade(symbol, str(bids[0][0]), "10", True)

        self._animations.append(self.call(move()))

    def stop(self) -> None:
        for animation in self._animations:
            animation.cancel()
        super().stop()

    # ---- market data REST

    def add_bars(self, symbol: str, start: dt.datetime, closes: list[str], volume: str = "100") -> None:
        """Give `symbol` one-minute history from `start`: one bar per close, opening at the previous close
        (any thread)."""

        def act() -> None:
            bars = self.minute_bars.setdefault(symbol, [])
            first = int(start.timestamp()) // 60 * 60
            previous = Decimal(closes[0])
            for index, close_text in enumerate(closes):
                close = Decimal(close_text)
                size = Decimal(volume)
                bars.append(
                    Bar(
                        first + 60 * index,
                        previous,
                        max(previous, close),
                        min(previous, close),
                        close,
                        size,
                        1,
                        close * size,
                    )
                )
                previous = close
            bars.sort(key=lambda bar: bar.start)

        self.run(act)

    @staticmethod
    def timeframe_seconds(text: str) -> int:
        for unit, seconds in TIMEFRAME_UNITS.items():
            if text.endswith(unit) and text[: -len(unit)].isdigit():
                return int(text[: -len(unit)]) * seconds
        raise AlpacaError(400, 40010001, f"invalid timeframe: {text}")

    def bars_for(self, symbol: str, step: int, start: int, end: int) -> list[Bar]:
        grouped: dict[int, Bar] = {}
        for bar in self.minute_bars.get(symbol, []):
            if not start <= bar.start < end:
                continue
            key = bar.start - (bar.start % step if step < 86400 else self.day_offset(bar.start))
            known = grouped.get(key)
            if known is None:
                grouped[key] = Bar(
                    key, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades, bar.value
                )
            else:
                known.high, known.low = max(known.high, bar.high), min(known.low, bar.low)
                known.close = bar.close
                known.volume += bar.volume
                known.trades += bar.trades
                known.value += bar.value
        return [grouped[key] for key in sorted(grouped)]

    @staticmethod
    def day_offset(start: int) -> int:
        """Seconds since New York midnight (daily bars start at midnight New York time)."""
        moment = dt.datetime.fromtimestamp(start, NEW_YORK)
        return moment.hour * 3600 + moment.minute * 60 + moment.second

    @staticmethod
    def render_bar(bar: Bar) -> dict[str, Any]:
        return {
            "t": dt.datetime.fromtimestamp(bar.start, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "o": float(bar.open),
            "h": float(bar.high),
            "l": float(bar.low),
            "c": float(bar.close),
            "v": int(bar.volume) if bar.volume == bar.volume.to_integral_value() else float(bar.volume),
            "n": bar.trades,
            "vw": float(round(bar.vwap, 6)),
        }

    def bar_page(self, request: web.Request, symbols: list[str]) -> tuple[dict[str, list[Any]], str | None]:
        query = request.query
        step = self.timeframe_seconds(query.get("timeframe", ""))
        feed = query.get("feed", "iex")
        if feed not in ("iex", "sip", "otc", "delayed_sip"):
            raise AlpacaError(400, 40010001, f"invalid feed: {feed}")
        if feed == "sip" and "sip" not in self.feeds:
            raise AlpacaError(403, 40310000, "subscription does not permit querying recent SIP data")
        try:
            start = int(parse_time(query["start"]).timestamp()) if query.get("start") else 0
            end = int(parse_time(query["end"]).timestamp()) if query.get("end") else int(time.time())
            limit = int(query.get("limit") or 1000)
        except ValueError:
            raise AlpacaError(400, 40010001, "invalid start, end or limit") from None
        if not 1 <= limit <= 10000:
            raise AlpacaError(400, 40010001, "invalid limit: must be between 1 and 10000")
        rows = [
            (symbol, bar) for symbol in sorted(symbols) for bar in self.bars_for(symbol, step, start, end)
        ]
        offset = 0
        if query.get("page_token"):
            try:
                offset = int(base64.urlsafe_b64decode(query["page_token"].encode()).decode())
            except ValueError:
                raise AlpacaError(400, 40010001, "invalid page token") from None
        page = rows[offset : offset + limit]
        result: dict[str, list[Any]] = {}
        for symbol, bar in page:
            result.setdefault(symbol, []).append(self.render_bar(bar))
        more = offset + limit < len(rows)
        token = base64.urlsafe_b64encode(str(offset + limit).encode()).decode() if more else None
        return result, token

    async def get_bars(self, request: web.Request, body: Any) -> Any:
        symbols = [s for s in request.query.get("symbols", "").split(",") if s]
        if not symbols:
            raise AlpacaError(400, 40010001, "missing symbols")
        bars, token = self.bar_page(request, symbols)
        return {"bars": bars, "next_page_token": token, "currency": "USD"}

    async def get_symbol_bars(self, request: web.Request, body: Any) -> Any:
        symbol = request.match_info["symbol"]
        bars, token = self.bar_page(request, [symbol])
        return {"bars": bars.get(symbol, []), "symbol": symbol, "next_page_token": token}

    # ---- WebSocket codecs

    @staticmethod
    def wants_msgpack(request: web.Request) -> bool:
        return request.headers.get("Content-Type", "").startswith("application/msgpack")

    async def send(self, session: Session, payload: Any, *, binary_json: bool = False) -> None:
        """Send `payload` in the session's codec (MessagePack: binary with timestamp extensions; JSON: times
        as text, in a binary frame when `binary_json`)."""
        if self.faults.mute or session.ws.closed:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            if session.state.get("msgpack"):
                await session.ws.send_bytes(_MSGPACK.encode(payload))
                return
            text = json.dumps(payload, default=_json_hook, separators=(",", ":"))
            if binary_json:
                await session.ws.send_bytes(text.encode())
            else:
                await session.ws.send_str(text)

    def decode_client(self, session: Session, raw: str | bytes) -> Any:
        if isinstance(raw, bytes) and session.state.get("msgpack"):
            return msgspec.msgpack.decode(raw)
        return json.loads(raw)

    # ---- the trading stream

    async def trading_stream(self, request: web.Request) -> web.StreamResponse:
        session = Session(ws=web.WebSocketResponse(), kind="trading")
        session.state["msgpack"] = self.wants_msgpack(request)

        async def on_text(session: Session, raw: str) -> None:
            await self.on_trading_frame(session, raw)

        async def on_binary(session: Session, raw: bytes) -> None:
            await self.on_trading_frame(session, raw)

        return await self.serve_ws(request, "trading", on_text, session, on_binary)

    async def trading_send(self, session: Session, payload: Any) -> None:
        await self.send(session, payload, binary_json=self.paper)

    async def on_trading_frame(self, session: Session, raw: str | bytes) -> None:
        try:
            message = self.decode_client(session, raw)
        except (ValueError, msgspec.DecodeError):
            await self.trading_send(session, {"stream": "error", "data": {"error_message": "invalid syntax"}})
            return
        self.ws_log.append(("trading", message))
        if not isinstance(message, dict):
            return
        action = message.get("action")
        data: dict[str, Any] = message["data"] if isinstance(message.get("data"), dict) else {}
        if action in ("authenticate", "auth"):
            key = data.get("key_id") if action == "authenticate" else message.get("key")
            secret = data.get("secret_key") if action == "authenticate" else message.get("secret")
            ok = key == self.api_key and secret == self.api_secret
            if ok and self.refuse_stream_auth > 0:
                self.refuse_stream_auth -= 1
                ok = False
            session.state["authed"] = ok
            await self.trading_send(
                session,
                {
                    "stream": "authorization",
                    "data": {"action": "authenticate", "status": "authorized" if ok else "unauthorized"},
                },
            )
            if not ok:
                await session.ws.close()
        elif action == "listen":
            if not session.state.get("authed"):
                await self.trading_send(
                    session,
                    {
                        "stream": "authorization",
                        "data": {"action": "listen", "status": "unauthorized"},
                    },
                )
                return
            wanted: list[Any] = data["streams"] if isinstance(data.get("streams"), list) else []
            streams = [name for name in wanted if name == "trade_updates"]
            session.topics = set(streams)
            await self.trading_send(session, {"stream": "listening", "data": {"streams": streams}})
        else:
            await self.trading_send(session, {"stream": "error", "data": {"error_message": "unknown action"}})

    def trade_update(self, event: str, order: VenueOrder, **fields: Any) -> None:
        """Push one trade_updates event to every listening session (venue loop)."""
        payload = {
            "stream": "trade_updates",
            "data": {
                "event": event,
                **fields,
                "timestamp": fields.get("timestamp") or rfc3339(time.time_ns()),
                "order": order.render(),
            },
        }
        for session in list(self.sessions):
            if session.kind == "trading" and "trade_updates" in session.topics and not session.ws.closed:
                asyncio.get_running_loop().create_task(self.trading_send(session, payload))

    # ---- the market-data stream

    async def data_stream(self, request: web.Request) -> web.StreamResponse:
        feed = request.path.rsplit("/", 1)[-1]
        session = Session(ws=web.WebSocketResponse(), kind="data")
        session.state.update(msgpack=self.wants_msgpack(request), feed=feed, authed=False)
        session.state["subs"] = {channel: set() for channel in DATA_CHANNELS}
        headers_key = request.headers.get("APCA-API-KEY-ID")

        async def on_text(session: Session, raw: str) -> None:
            await self.on_data_frame(session, raw)

        async def on_binary(session: Session, raw: bytes) -> None:
            await self.on_data_frame(session, raw)

        async def greet() -> None:
            # the welcome goes out once the upgrade is done (serve_ws registers the session first)
            while session not in self.sessions:
                await asyncio.sleep(0)
            await self.send(session, [{"T": "success", "msg": "connected"}])
            if headers_key is not None:
                await self.authenticate_data(session, headers_key, request.headers.get("APCA-API-SECRET-KEY"))
            await asyncio.sleep(self.auth_timeout)
            if not session.state["authed"] and not session.ws.closed:
                await self.send(session, [{"T": "error", "code": 404, "msg": "auth timeout"}])
                await session.ws.close()

        greeter = asyncio.get_running_loop().create_task(greet())
        try:
            return await self.serve_ws(request, "data", on_text, session, on_binary)
        finally:
            greeter.cancel()

    async def authenticate_data(self, session: Session, key: Any, secret: Any) -> None:
        if session.state["authed"]:
            await self.send(session, [{"T": "error", "code": 403, "msg": "already authenticated"}])
            return
        if key != self.api_key or secret != self.api_secret:
            await self.send(session, [{"T": "error", "code": 402, "msg": "auth failed"}])
            await session.ws.close()
            return
        if session.state["feed"] not in self.feeds:
            await self.send(session, [{"T": "error", "code": 409, "msg": "insufficient subscription"}])
            await session.ws.close()
            return
        same = [
            s
            for s in self.sessions
            if s is not session
            and s.kind == "data"
            and s.state.get("authed")
            and not s.ws.closed
            and s.state.get("feed") == session.state["feed"]
        ]
        if len(same) >= self.connection_limit:
            await self.send(session, [{"T": "error", "code": 406, "msg": "connection limit exceeded"}])
            await session.ws.close()
            return
        session.state["authed"] = True
        await self.send(session, [{"T": "success", "msg": "authenticated"}])

    async def on_data_frame(self, session: Session, raw: str | bytes) -> None:
        try:
            message = self.decode_client(session, raw)
        except (ValueError, msgspec.DecodeError):
            await self.send(session, [{"T": "error", "code": 400, "msg": "invalid syntax"}])
            return
        self.ws_log.append(("data", message))
        if not isinstance(message, dict):
            await self.send(session, [{"T": "error", "code": 400, "msg": "invalid syntax"}])
            return
        action = message.get("action")
        if action == "auth":
            await self.authenticate_data(session, message.get("key"), message.get("secret"))
        elif action in ("subscribe", "unsubscribe"):
            if not session.state["authed"]:
                await self.send(session, [{"T": "error", "code": 401, "msg": "not authenticated"}])
                return
            subs: dict[str, set[str]] = session.state["subs"]
            for channel in DATA_CHANNELS:
                symbols = message.get(channel) or []
                if not isinstance(symbols, list):
                    await self.send(session, [{"T": "error", "code": 400, "msg": "invalid syntax"}])
                    return
                if action == "subscribe":
                    subs[channel].update(str(s) for s in symbols)
                else:
                    subs[channel].difference_update(str(s) for s in symbols)
            await self.send(
                session,
                [
                    {
                        "T": "subscription",
                        **{c: sorted(s) for c, s in subs.items()},
                        "corrections": sorted(subs["trades"]),
                        "cancelErrors": sorted(subs["trades"]),
                    }
                ],
            )
        else:
            await self.send(session, [{"T": "error", "code": 400, "msg": "invalid syntax"}])

    def subscription_count(self) -> int:
        """Subscriptions the venue holds (venue loop, as the base's): symbols per data channel and trading
        streams listened to."""
        total = 0
        for session in self.sessions:
            if session.ws.closed:
                continue
            if session.kind == "data":
                total += sum(len(s) for s in session.state["subs"].values())
            elif session.kind == "trading":
                total += len(session.topics)
        return total

    def publish_data(self, channel: str, symbol: str, message: dict[str, Any]) -> None:
        """Send one market-data message to the sessions subscribed to `symbol` on `channel` (venue loop)."""
        for session in list(self.sessions):
            if session.kind != "data" or session.ws.closed or not session.state["authed"]:
                continue
            wanted = session.state["subs"][channel]
            if symbol in wanted or "*" in wanted:
                asyncio.get_running_loop().create_task(self.send(session, [message]))

    def publish_book(self, symbol: str) -> None:
        bids, asks = self.matching.book(symbol)
        bid, ask = (
            (bids[0] if bids else (Decimal(0), Decimal(0))),
            (asks[0] if asks else (Decimal(0), Decimal(0))),
        )
        self.publish_data(
            "quotes",
            symbol,
            {
                "T": "q",
                "S": symbol,
                "bx": "V",
                "bp": float(bid[0]),
                "bs": float(bid[1]),
                "ax": "V",
                "ap": float(ask[0]),
                "as": float(ask[1]),
                "c": ["R"],
                "z": "C",
                "t": Stamp.now(),
            },
        )

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        size, value = Decimal(quantity), Decimal(price)
        self.record_trade(symbol, value, size)
        self.publish_data(
            "trades",
            symbol,
            {
                "T": "t",
                "S": symbol,
                "i": next(self._trade_ids),
                "x": "V",
                "p": float(value),
                "s": float(size),
                "c": ["@"],
                "z": "C",
                "t": Stamp.now(),
            },
        )

    def record_trade(self, symbol: str, price: Decimal, size: Decimal) -> None:
        """A print goes into the current minute bar and the day's bar."""
        minute = int(time.time()) // 60 * 60
        bars = self.minute_bars.setdefault(symbol, [])
        if bars and bars[-1].start == minute:
            bars[-1].add(price, size)
        else:
            bars.append(Bar(minute, price, price, price, price, size, 1, price * size))
        day = self.daily.get(symbol)
        if day is None:
            self.daily[symbol] = Bar(
                minute - self.day_offset(minute), price, price, price, price, size, 1, price * size
            )
        else:
            day.add(price, size)

    def publish_bars(self, symbol: str) -> None:
        """Close the current minute: publish its bar and the day's bar so far (any thread)."""

        def act() -> None:
            bars = self.minute_bars.get(symbol)
            if bars:
                self.publish_data("bars", symbol, {"T": "b", "S": symbol, **self.stream_bar(bars[-1])})
            day = self.daily.get(symbol)
            if day is not None:
                self.publish_data("dailyBars", symbol, {"T": "d", "S": symbol, **self.stream_bar(day)})

        self.run(act)

    @staticmethod
    def stream_bar(bar: Bar) -> dict[str, Any]:
        row = AlpacaVenue.render_bar(bar)
        row["t"] = Stamp(bar.start * 1_000_000_000)
        return row


class Stamp:
    """A market message's time in nanoseconds: RFC 3339 text in JSON, a timestamp extension (type -1, the
    96-bit form that keeps nanoseconds) in MessagePack. (Not a dataclass: msgspec would encode that as a
    map instead of asking `_msgpack_hook`.)"""

    __slots__ = ("ns",)

    def __init__(self, ns: int) -> None:
        self.ns = ns

    @classmethod
    def now(cls) -> Stamp:
        return cls(time.time_ns())

    def ext(self) -> msgspec.msgpack.Ext:
        seconds, nanoseconds = divmod(self.ns, 1_000_000_000)
        return msgspec.msgpack.Ext(
            -1, nanoseconds.to_bytes(4, "big") + seconds.to_bytes(8, "big", signed=True)
        )


def _msgpack_hook(value: Any) -> Any:
    if isinstance(value, Stamp):
        return value.ext()
    raise NotImplementedError(type(value).__name__)


def _json_hook(value: Any) -> Any:
    if isinstance(value, Stamp):
        return rfc3339(value.ns)
    raise TypeError(type(value).__name__)


_MSGPACK = msgspec.msgpack.Encoder(enc_hook=_msgpack_hook)
