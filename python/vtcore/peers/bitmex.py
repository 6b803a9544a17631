"""A local BitMEX venue (REST `/api/v1`, WebSocket `/realtime`), written from BitMEX's documents
(venues.md §5: the swagger paths and parameters, the official WebSocket adapter's protocol), not from vtcore's
gateway.

As BitMEX does:
- REST: `api-key`, `api-expires` (unix seconds, must be in the future) and `api-signature` =
  hex(HMAC-SHA256(secret, VERB + path?query + expires + body)), the body exactly as sent (JSON or form).
  Errors are `{"error":{"message":...,"name":"HTTPError"}}` with 400/401/404; "Invalid API Key.",
  "Signature not valid.", "This request has expired - `expires` is in the past. Current time: N".
  Every answer carries `x-ratelimit-limit/remaining/reset`; past 120 requests a minute per key (or the
  scripted fault) a 429 with `Retry-After` and
  `{"error":{"message":"Rate limit exceeded, retry in N seconds.","name":"RateLimitError"}}`;
  an overload is a 503 with "The system is currently overloaded. Please try again later.".
- Orders: `side` Buy/Sell, `orderQty` a positive multiple of the lot size, `price` on the tick, `ordType`
  Limit/Market/Stop/StopLimit (a stop needs `stopPx` on the tick, "Invalid stopPx for ordType" without it; it
  rests untriggered, `workingIndicator` false, until a trade reaches it: a Buy stop from below, a Sell stop
  from above; then it works as a Market (Stop) or Limit (StopLimit) order, `triggered`
  "StopOrderTriggered", an execution of execType "Trigger". This venue's mark price is its last trade, so
  MarkPrice and LastPrice triggers both follow the trades), `timeInForce`
  GoodTillCancel/ImmediateOrCancel/FillOrKill/Day, `execInst` ParticipateDoNotInitiate (post-only: a taking
  order is accepted and then cancelled with the venue's text), `clOrdID` at most 36 characters and unique
  among open orders, margin checked against the available margin.
  `DELETE /order` answers rows, a closed one with `error` "Unable to cancel order due to existing state: ...".
- WebSocket: a welcome message, authentication by headers on the upgrade or by `authKeyExpires`, subscriptions
  by `?subscribe=` or `{"op":"subscribe"}`, tables as `partial` then `insert`/`update`/`delete` rows keyed by
  `keys`, private tables only after authentication, text `ping` answered by `pong`, errors as
  `{"status":N,"error":...,"meta":{},"request":...}`.
- Amounts: XBt (satoshi) for the inverse XBTUSD (1 contract = 1 USD), USDt (1e-6 USDT) for the linear XBTUSDT
  (1 contract = 1e-6 XBT); bucketed trades are stamped with the end of their bin.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from vtcore.peers.base import Session, VenueServer, int_param
from vtcore.peers.matching import Execution, SimFill, SimOrder

API_KEY = "LAqUlngMIQkIUjXMUreyu3qn"
API_SECRET = "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"  # the secret of BitMEX's own signing example
ACCOUNT = 1234567
RATE_LIMIT_PER_MINUTE = 120
BIN_SECONDS = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}
PUBLIC_TABLES = ("instrument", "quote", "trade", "orderBookL2", "orderBookL2_25", "orderBook10")
PRIVATE_TABLES = ("order", "execution", "position", "margin", "wallet")
TABLE_KEYS = {
    "instrument": ["symbol"],
    "quote": [],
    "trade": [],
    "orderBookL2": ["symbol", "id", "side"],
    "orderBookL2_25": ["symbol", "id", "side"],
    "orderBook10": ["symbol"],
    "order": ["orderID"],
    "execution": ["execID"],
    "position": ["account", "symbol"],
    "margin": ["account", "currency"],
    "wallet": ["account", "currency"],
}
STATUS = {
    "NEW": "New",
    "PARTIALLY_FILLED": "PartiallyFilled",
    "FILLED": "Filled",
    "CANCELED": "Canceled",
    "EXPIRED": "Canceled",
}
TIF_BITMEX2SIM = {"GoodTillCancel": "GTC", "Day": "GTC", "ImmediateOrCancel": "IOC", "FillOrKill": "FOK"}
EXEC_INSTS = frozenset(
    {
        "ParticipateDoNotInitiate",
        "AllOrNone",
        "MarkPrice",
        "IndexPrice",
        "LastPrice",
        "Close",
        "ReduceOnly",
        "Fixed",
        "LastWithinMark",
    }
)


@dataclass(frozen=True)
class Instrument:
    symbol: str
    index: int
    inverse: bool
    settle: str  # XBt or USDt
    quote: str
    tick_size: Decimal
    lot_size: Decimal
    multiplier: int
    position_currency: str

    def cost(self, quantity: Decimal, price: Decimal) -> Decimal:
        """The value of `quantity` contracts at `price` in settlement units (XBt or USDt), unsigned."""
        if self.inverse:
            return (quantity * Decimal(100_000_000) / price).quantize(Decimal(1), ROUND_DOWN)
        return (quantity * price).quantize(Decimal(1), ROUND_DOWN)


INSTRUMENTS = {
    "XBTUSD": Instrument("XBTUSD", 88, True, "XBt", "USD", Decimal("0.5"), Decimal(100), -100_000_000, "USD"),
    "XBTUSDT": Instrument("XBTUSDT", 91, False, "USDt", "USDT", Decimal("0.5"), Decimal(1000), 1, "XBT"),
}
INIT_MARGIN = Decimal("0.01")
MAKER_FEE, TAKER_FEE = Decimal("-0.0001"), Decimal("0.00075")
MAX_PRICE = 1_000_000  # the instruments' maxPrice


def max_order_qty(item: Instrument) -> int:
    """The instrument's maxOrderQty (contracts): a larger order is refused as BitMEX refuses it."""
    return 10_000_000 if item.inverse else 1_000_000_000


class BitmexError(Exception):
    def __init__(self, message: str, status: int = 400, name: str = "HTTPError") -> None:
        super().__init__(message)
        self.message, self.status, self.name = message, status, name


def bad_number(name: str) -> BitmexError:
    return BitmexError(f"Invalid {name}: must be a number")


def signature(secret: str, verb: str, path: str, expires: int | str, body: str) -> str:
    return hmac.new(secret.encode(), f"{verb}{path}{expires}{body}".encode(), hashlib.sha256).hexdigest()


def iso(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_iso(text: str) -> int:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp() * 1000)


def number(value: Decimal) -> int | float:
    """A JSON number as BitMEX writes it: integers without a fraction."""
    return int(value) if value == value.to_integral_value() else float(value)


class BitmexVenue(VenueServer):
    def __init__(self) -> None:
        super().__init__()
        self.api_key, self.api_secret = API_KEY, API_SECRET
        #: walletBalance per settlement currency, in XBt / USDt
        self.wallet: dict[str, Decimal] = {"XBt": Decimal(100_000_000), "USDt": Decimal(100_000_000_000)}
        self.positions: dict[str, tuple[Decimal, Decimal]] = {}  # symbol -> (currentQty, avgEntryPrice)
        self.executions: list[dict[str, Any]] = []  # every execution row, oldest first
        self.published_l2: dict[str, dict[tuple[str, Decimal], Decimal]] = {}  # the book as last published
        self.requests_per_key: dict[str, list[float]] = {}
        self.cancel_all_at: float | None = None
        self.last_trades: dict[str, tuple[Decimal, Decimal, str]] = {}

    def build_app(self) -> web.Application:
        app = web.Application()
        add = app.router.add_route
        add("GET", "/api/v1", self.endpoint(False, self.root))
        add("GET", "/api/v1/instrument", self.endpoint(False, self.instrument_endpoint))
        add("GET", "/api/v1/instrument/active", self.endpoint(False, self.instruments_active))
        add("GET", "/api/v1/instrument/activeAndIndices", self.endpoint(False, self.instruments_active))
        add("GET", "/api/v1/wallet/assets", self.endpoint(False, self.wallet_assets))
        add("GET", "/api/v1/orderBook/L2", self.endpoint(False, self.order_book_l2))
        add("GET", "/api/v1/trade", self.endpoint(False, self.recent_trades))
        add("GET", "/api/v1/trade/bucketed", self.endpoint(False, self.trade_bucketed))
        add("GET", "/api/v1/user/margin", self.endpoint(True, self.user_margin))
        add("GET", "/api/v1/user/wallet", self.endpoint(True, self.user_wallet))
        add("GET", "/api/v1/position", self.endpoint(True, self.position_endpoint))
        add("GET", "/api/v1/order", self.endpoint(True, self.get_orders))
        add("POST", "/api/v1/order", self.endpoint(True, self.post_order))
        add("DELETE", "/api/v1/order", self.endpoint(True, self.delete_order))
        add("DELETE", "/api/v1/order/all", self.endpoint(True, self.delete_all))
        add("POST", "/api/v1/order/cancelAllAfter", self.endpoint(True, self.cancel_all_after))
        add("GET", "/api/v1/execution/tradeHistory", self.endpoint(True, self.trade_history))
        app.router.add_get("/realtime", self.realtime)
        return app

    # ---- REST plumbing

    def endpoint(self, private: bool, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            body = await request.text()
            key = request.headers.get("api-key", "")
            limit_headers = self.count_request(key or request.remote or "anonymous")
            try:
                if limit_headers is None:
                    return self.rate_limited_response()
                if private or key:
                    self.check_auth(request, body)
                params = self.read_params(request, body)
                payload = await handler(params)
                return self.answer(payload, headers=limit_headers)
            except BitmexError as error:
                return self.answer(
                    {"error": {"message": error.message, "name": error.name}}, error.status, limit_headers
                )

        return wrapped

    @staticmethod
    def read_params(request: web.Request, body: str) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if body:
            if request.content_type == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise BitmexError("Unable to parse JSON body") from None
                if not isinstance(decoded, dict):
                    raise BitmexError("Unable to parse JSON body")
                params.update(decoded)
            else:
                params.update(parse_qsl(body, keep_blank_values=True))
        return params

    def answer(self, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(
            status=status, text=json.dumps(payload), content_type="application/json", headers=headers
        )

    def count_request(self, who: str) -> dict[str, str] | None:
        """The rate-limit headers for one more request of `who`, or None when it is over the limit."""
        now = time.monotonic()
        stamps = [t for t in self.requests_per_key.get(who, []) if now - t < 60]
        reset = str(int(time.time()) + (int(60 - (now - stamps[0])) if stamps else 60))
        if len(stamps) >= RATE_LIMIT_PER_MINUTE:
            self.requests_per_key[who] = stamps
            return None
        stamps.append(now)
        self.requests_per_key[who] = stamps
        return {
            "x-ratelimit-limit": str(RATE_LIMIT_PER_MINUTE),
            "x-ratelimit-remaining": str(RATE_LIMIT_PER_MINUTE - len(stamps)),
            "x-ratelimit-reset": reset,
        }

    def rate_limited_response(self) -> web.Response:
        wait = max(1, self.faults.retry_after)
        return web.Response(
            status=429,
            text=json.dumps(
                {
                    "error": {
                        "message": f"Rate limit exceeded, retry in {wait} seconds.",
                        "name": "RateLimitError",
                    }
                }
            ),
            content_type="application/json",
            headers={
                "Retry-After": str(wait),
                "x-ratelimit-limit": str(RATE_LIMIT_PER_MINUTE),
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(time.time()) + wait),
            },
        )

    def unavailable_response(self) -> web.Response:
        return web.Response(
            status=503,
            text=json.dumps(
                {
                    "error": {
                        "message": "The system is currently overloaded. Please try again later.",
                        "name": "HTTPError",
                    }
                }
            ),
            content_type="application/json",
        )

    def check_auth(self, request: web.Request, body: str) -> None:
        headers = request.headers
        key = headers.get("api-key")
        if not key:
            raise BitmexError("Not logged in.", 401)
        if key != self.api_key:
            raise BitmexError("Invalid API Key.", 401)
        expires = headers.get("api-expires", "")
        if not expires.isdigit():
            raise BitmexError("Missing API expiration (api-expires header).", 401)
        now_s = self.now_ms() // 1000
        if int(expires) < now_s:
            raise BitmexError(
                f"This request has expired - `expires` is in the past. Current time: {now_s}", 401
            )
        path = request.rel_url.raw_path + (
            f"?{request.rel_url.raw_query_string}" if request.rel_url.raw_query_string else ""
        )
        expected = signature(self.api_secret, request.method, path, expires, body)
        if not hmac.compare_digest(expected, headers.get("api-signature", "")):
            raise BitmexError("Signature not valid.", 401)

    # ---- public REST

    async def root(self, params: dict[str, Any]) -> Any:
        return {
            "name": "BitMEX API",
            "version": "1.2.0",
            "timestamp": self.now_ms(),
        }

    def instrument_row(self, item: Instrument) -> dict[str, Any]:
        bids, asks = self.matching.book(item.symbol)
        last = self.last_trades.get(item.symbol)
        bid = bids[0][0] if bids else None
        ask = asks[0][0] if asks else None
        mark = self.mark_price(item.symbol)
        return {
            "symbol": item.symbol,
            "rootSymbol": "XBT",
            "state": "Open",
            "typ": "FFWCSX",
            "listing": "2016-05-13T12:00:00.000Z",
            "front": "2016-05-13T12:00:00.000Z",
            "expiry": None,
            "settle": None,
            "positionCurrency": item.position_currency,
            "underlying": "XBT",
            "quoteCurrency": item.quote,
            "underlyingSymbol": "XBT=",
            "reference": "BMEX",
            "referenceSymbol": ".BXBT",
            "maxOrderQty": max_order_qty(item),
            "maxPrice": MAX_PRICE,
            "lotSize": number(item.lot_size),
            "tickSize": number(item.tick_size),
            "multiplier": item.multiplier,
            "settlCurrency": item.settle,
            "underlyingToPositionMultiplier": None if item.inverse else 1_000_000,
            "underlyingToSettleMultiplier": -100_000_000 if item.inverse else None,
            "quoteToSettleMultiplier": None if item.inverse else 1_000_000,
            "isQuanto": False,
            "isInverse": item.inverse,
            "initMargin": number(INIT_MARGIN),
            "maintMargin": 0.0035,
            "makerFee": number(MAKER_FEE),
            "takerFee": number(TAKER_FEE),
            "fundingInterval": "2000-01-01T08:00:00.000Z",
            "fundingRate": 0.0001,
            "prevClosePrice": 100.0,
            "highPrice": 110.0,
            "lowPrice": 90.0,
            "lastPrice": number(last[0]) if last else None,
            "lastTickDirection": "PlusTick",
            "bidPrice": number(bid) if bid is not None else None,
            "midPrice": number((bid + ask) / 2) if bid is not None and ask is not None else None,
            "askPrice": number(ask) if ask is not None else None,
            "volume24h": 1000,
            "turnover24h": 100_000,
            "homeNotional24h": 10.0,
            "foreignNotional24h": 1000.0,
            "vwap": 100.0,
            "openInterest": 50_000,
            "markMethod": "FairPrice",
            "markPrice": number(mark) if mark else None,
            "indicativeSettlePrice": number(mark) if mark else None,
            "timestamp": iso(self.now_ms()),
        }

    async def instrument_endpoint(self, params: dict[str, Any]) -> Any:
        symbol = params.get("symbol")
        return [self.instrument_row(i) for i in INSTRUMENTS.values() if symbol in (None, "", i.symbol)]

    async def instruments_active(self, params: dict[str, Any]) -> Any:
        return [self.instrument_row(item) for item in INSTRUMENTS.values()]

    async def wallet_assets(self, params: dict[str, Any]) -> Any:
        return [
            {
                "asset": "XBT",
                "currency": "XBt",
                "majorCurrency": "XBT",
                "name": "Bitcoin",
                "currencyType": "Crypto",
                "scale": 8,
                "enabled": True,
                "isMarginCurrency": True,
                "networks": [],
            },
            {
                "asset": "USDT",
                "currency": "USDt",
                "majorCurrency": "USDT",
                "name": "Tether",
                "currencyType": "Crypto",
                "scale": 6,
                "enabled": True,
                "isMarginCurrency": True,
                "networks": [],
            },
        ]

    def item(self, symbol: Any) -> Instrument:
        item = INSTRUMENTS.get(str(symbol or ""))
        if item is None:
            raise BitmexError("Invalid symbol" if symbol else "symbol is required")
        return item

    def l2_id(self, item: Instrument, price: Decimal) -> int:
        return item.index * 100_000_000 + 50_000_000 - int(price / item.tick_size)

    def l2_row(self, item: Instrument, side: str, price: Decimal, size: Decimal) -> dict[str, Any]:
        return {
            "symbol": item.symbol,
            "id": self.l2_id(item, price),
            "side": side,
            "size": number(size),
            "price": number(price),
            "timestamp": iso(self.now_ms()),
            "transactTime": iso(self.now_ms()),
        }

    async def order_book_l2(self, params: dict[str, Any]) -> Any:
        item = self.item(params.get("symbol"))
        depth = int_param(params, "depth", 25, bad_number)
        bids, asks = self.matching.book(item.symbol)
        levels = asks[:depth] if depth else asks
        rows = [self.l2_row(item, "Sell", p, q) for p, q in reversed(levels)]
        rows += [self.l2_row(item, "Buy", p, q) for p, q in (bids[:depth] if depth else bids)]
        return rows

    async def recent_trades(self, params: dict[str, Any]) -> Any:
        item = self.item(params.get("symbol"))
        last = self.last_trades.get(item.symbol)
        return [self.trade_row(item, *last)] if last else []

    async def trade_bucketed(self, params: dict[str, Any]) -> Any:
        bin_size = params.get("binSize", "1m")
        seconds = BIN_SECONDS.get(bin_size)
        if seconds is None:
            raise BitmexError("Invalid binSize: must be one of 1m, 5m, 1h, 1d")
        item = self.item(params.get("symbol"))
        count = min(int_param(params, "count", 100, bad_number) or 100, 1000)
        start = int_param(params, "start", 0, bad_number)
        reverse = str(params.get("reverse", "false")).lower() == "true"
        step = seconds * 1000
        now = self.now_ms()
        newest_end = now - now % step  # the end of the last complete bin
        oldest_end = newest_end - 999 * step
        if params.get("startTime"):
            oldest_end = max(oldest_end, parse_iso(str(params["startTime"])))
        if params.get("endTime"):
            newest_end = min(newest_end, parse_iso(str(params["endTime"])))
        first = oldest_end + (-oldest_end) % step
        ends = list(range(first, newest_end + 1, step))
        if reverse:
            ends.reverse()
        rows = []
        for end in ends[start : start + count]:
            base = Decimal(100 + (end // step) % 40)
            rows.append(
                {
                    "timestamp": iso(end),
                    "symbol": item.symbol,
                    "open": number(base),
                    "high": number(base + 3),
                    "low": number(base - 2),
                    "close": number(base + 1),
                    "trades": 5,
                    "volume": 1200,
                    "vwap": number(base),
                    "lastSize": 100,
                    "turnover": 1200 * 1000,
                    "homeNotional": 12.0,
                    "foreignNotional": 1200.0,
                }
            )
        return rows

    # ---- account

    def mark_price(self, symbol: str) -> Decimal | None:
        last = self.last_trades.get(symbol)
        if last:
            return last[0]
        bids, asks = self.matching.book(symbol)
        if bids and asks:
            return (bids[0][0] + asks[0][0]) / 2
        return None

    def unrealised(self, symbol: str) -> Decimal:
        quantity, entry = self.positions.get(symbol, (Decimal(0), Decimal(0)))
        mark = self.mark_price(symbol)
        if not quantity or mark is None:
            return Decimal(0)
        item = INSTRUMENTS[symbol]
        if item.inverse:  # value in XBt: qty/entry - qty/mark
            return (quantity * Decimal(100_000_000) * (1 / entry - 1 / mark)).quantize(Decimal(1), ROUND_DOWN)
        return (quantity * (mark - entry)).quantize(Decimal(1), ROUND_DOWN)

    def margin_row(self, currency: str) -> dict[str, Any]:
        symbols = [s for s, i in INSTRUMENTS.items() if i.settle == currency]
        unrealised = sum((self.unrealised(s) for s in symbols), Decimal(0))
        order_margin = Decimal(0)
        for order in self.matching.orders.values():
            item = INSTRUMENTS[order.symbol]
            if order.active and item.settle == currency and order.price > 0:
                order_margin += item.cost(order.remaining, order.price) * INIT_MARGIN
        position_margin = Decimal(0)
        for symbol in symbols:
            quantity, entry = self.positions.get(symbol, (Decimal(0), Decimal(0)))
            if quantity:
                position_margin += INSTRUMENTS[symbol].cost(abs(quantity), entry) * INIT_MARGIN
        wallet = self.wallet[currency]
        available = wallet + min(unrealised, Decimal(0)) - order_margin - position_margin
        return {
            "account": ACCOUNT,
            "currency": currency,
            "riskLimit": 1_000_000_000_000,
            "amount": number(wallet),
            "grossComm": 0,
            "grossOpenCost": number(order_margin / INIT_MARGIN),
            "initMargin": number(order_margin.quantize(Decimal(1))),
            "maintMargin": number(position_margin.quantize(Decimal(1))),
            "realisedPnl": 0,
            "unrealisedPnl": number(unrealised),
            "walletBalance": number(wallet),
            "marginBalance": number(wallet + unrealised),
            "marginLeverage": 0,
            "marginUsedPcnt": 0,
            "excessMargin": number(available.quantize(Decimal(1))),
            "availableMargin": number(available.quantize(Decimal(1))),
            "withdrawableMargin": number(available.quantize(Decimal(1))),
            "timestamp": iso(self.now_ms()),
        }

    def wallet_row(self, currency: str) -> dict[str, Any]:
        return {
            "account": ACCOUNT,
            "currency": currency,
            "deposited": number(self.wallet[currency]),
            "withdrawn": 0,
            "transferIn": 0,
            "transferOut": 0,
            "amount": number(self.wallet[currency]),
            "pendingCredit": 0,
            "pendingDebit": 0,
            "confirmedDebit": 0,
            "timestamp": iso(self.now_ms()),
        }

    async def user_margin(self, params: dict[str, Any]) -> Any:
        currency = params.get("currency") or "XBt"
        if currency == "all":
            return [self.margin_row(c) for c in self.wallet]
        if currency not in self.wallet:
            raise BitmexError("Invalid currency")
        return self.margin_row(currency)

    async def user_wallet(self, params: dict[str, Any]) -> Any:
        currency = params.get("currency") or "XBt"
        if currency == "all":
            return [self.wallet_row(c) for c in self.wallet]
        if currency not in self.wallet:
            raise BitmexError("Invalid currency")
        return self.wallet_row(currency)

    def position_row(self, symbol: str) -> dict[str, Any]:
        item = INSTRUMENTS[symbol]
        quantity, entry = self.positions.get(symbol, (Decimal(0), Decimal(0)))
        mark = self.mark_price(symbol)
        cost = item.cost(abs(quantity), entry) if quantity else Decimal(0)
        return {
            "account": ACCOUNT,
            "symbol": symbol,
            "currency": item.settle,
            "underlying": "XBT",
            "quoteCurrency": item.quote,
            "commission": number(TAKER_FEE),
            "initMarginReq": number(INIT_MARGIN),
            "maintMarginReq": 0.0035,
            "leverage": 100,
            "crossMargin": True,
            "openingQty": 0,
            "openOrderBuyQty": 0,
            "openOrderSellQty": 0,
            "currentQty": number(quantity),
            "currentCost": number(-cost if quantity > 0 else cost),
            "isOpen": quantity != 0,
            "markPrice": number(mark) if mark is not None else None,
            "unrealisedPnl": number(self.unrealised(symbol)),
            "realisedPnl": 0,
            "posMargin": number((cost * INIT_MARGIN).quantize(Decimal(1))),
            "avgCostPrice": number(entry) if quantity else None,
            "avgEntryPrice": number(entry) if quantity else None,
            "liquidationPrice": None,
            "homeNotional": number(quantity / (entry or 1)) if item.inverse else number(quantity / 1_000_000),
            "foreignNotional": number(-quantity) if item.inverse else number(-quantity * entry / 1_000_000),
            "timestamp": iso(self.now_ms()),
        }

    async def position_endpoint(self, params: dict[str, Any]) -> Any:
        filters = self.filters(params)
        rows = [self.position_row(symbol) for symbol in self.positions]
        return [row for row in rows if all(row.get(k) == v for k, v in filters.items())]

    # ---- orders

    @staticmethod
    def filters(params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("filter")
        if raw in (None, ""):
            return {}
        if isinstance(raw, dict):
            return raw
        try:
            decoded = json.loads(str(raw))
        except ValueError:
            raise BitmexError("Unable to parse filter") from None
        if not isinstance(decoded, dict):
            raise BitmexError("Unable to parse filter")
        return decoded

    def order_row(self, order: SimOrder) -> dict[str, Any]:
        item = INSTRUMENTS[order.symbol]
        extra = order.extra
        return {
            "orderID": extra["orderID"],
            "clOrdID": order.client_id,
            "clOrdLinkID": "",
            "account": ACCOUNT,
            "symbol": order.symbol,
            "side": "Buy" if order.side == "BUY" else "Sell",
            "orderQty": number(order.quantity),
            "price": number(order.price) if order.kind == "LIMIT" else None,
            "displayQty": None,
            "stopPx": number(order.stop_price) if order.stop_price else None,
            "pegOffsetValue": None,
            "pegPriceType": "",
            "currency": item.quote,
            "settlCurrency": item.settle,
            "ordType": extra.get("ordType") or ("Limit" if order.kind == "LIMIT" else "Market"),
            "timeInForce": extra["timeInForce"],
            "execInst": extra["execInst"],
            "contingencyType": "",
            "ordStatus": STATUS[order.status],
            "triggered": "StopOrderTriggered" if order.stop_price and order.working else "",
            "workingIndicator": order.active and order.working,
            "ordRejReason": "",
            "leavesQty": number(order.remaining if order.active else Decimal(0)),
            "cumQty": number(order.filled),
            "avgPx": number(order.average_price) if order.filled else None,
            "multiLegReportingType": "SingleSecurity",
            "text": str(extra.get("text") or "Submitted via API."),
            "transactTime": iso(order.created_ms),
            "timestamp": iso(order.updated_ms),
        }

    def find_orders(self, order_ids: list[str], client_ids: list[str]) -> list[SimOrder]:
        found = []
        for order in self.matching.orders.values():
            if order.extra["orderID"] in order_ids or (order.client_id and order.client_id in client_ids):
                found.append(order)
        return found

    async def get_orders(self, params: dict[str, Any]) -> Any:
        filters = self.filters(params)
        symbol = params.get("symbol")
        rows = []
        for order in self.matching.orders.values():
            if symbol and order.symbol != symbol:
                continue
            if filters.get("open") is True and not order.active:
                continue
            row = self.order_row(order)
            if any(row.get(k) != v for k, v in filters.items() if k != "open"):
                continue
            rows.append(row)
        if str(params.get("reverse", "false")).lower() == "true":
            rows.reverse()
        count = int_param(params, "count", 100, bad_number) or 100
        return rows[:count]

    async def post_order(self, params: dict[str, Any]) -> Any:
        item = self.item(params.get("symbol"))
        side = params.get("side")
        if side not in ("Buy", "Sell"):
            raise BitmexError("Invalid side" if side else "side is required")
        try:
            quantity = Decimal(str(params.get("orderQty")))
        except ArithmeticError:
            raise BitmexError("orderQty is invalid") from None
        if not quantity.is_finite() or quantity <= 0 or quantity > max_order_qty(item):
            raise BitmexError("orderQty is invalid")
        if quantity % item.lot_size:
            raise BitmexError(f"Order quantity must be a multiple of lot size: {number(item.lot_size)}")
        price_text = params.get("price")
        ord_type = params.get("ordType") or ("Limit" if price_text not in (None, "") else "Market")
        if ord_type not in ("Limit", "Market", "Stop", "StopLimit"):
            raise BitmexError(f"Invalid ordType: {ord_type}")
        limit = ord_type in ("Limit", "StopLimit")
        stop_price = self.stop_price(item, params, ord_type)
        price = Decimal(0)
        if limit:
            price = self.tick_price(item, price_text, "price", "Invalid price")
        elif price_text not in (None, ""):
            raise BitmexError("Market orders cannot have a price")
        tif = params.get("timeInForce") or ("GoodTillCancel" if limit else "ImmediateOrCancel")
        if tif not in TIF_BITMEX2SIM:
            raise BitmexError(f"Invalid timeInForce: {tif}")
        exec_inst = str(params.get("execInst") or "")
        instructions = [part for part in exec_inst.split(",") if part]
        if any(part not in EXEC_INSTS for part in instructions):
            raise BitmexError(f"Invalid execInst: {exec_inst}")
        post_only = "ParticipateDoNotInitiate" in instructions
        if post_only and not limit:
            raise BitmexError("ParticipateDoNotInitiate execInst is only valid for Limit orders")
        client_id = str(params.get("clOrdID") or "")
        if len(client_id) > 36:
            raise BitmexError("clOrdID must be at most 36 characters")
        if client_id and any(o.client_id == client_id and o.active for o in self.matching.orders.values()):
            raise BitmexError("Duplicate clOrdID")
        reference = price or stop_price or self.mark_price(item.symbol) or Decimal(1)
        required = (item.cost(quantity, reference) * (INIT_MARGIN + TAKER_FEE)).quantize(Decimal(1))
        available = Decimal(str(self.margin_row(item.settle)["availableMargin"]))
        if required > available:
            raise BitmexError(
                f"Account has insufficient Available Balance, {number(required)} {item.settle} required"
            )
        order = SimOrder(
            order_id=self.matching.next_order_id(),
            client_id=client_id,
            account=str(ACCOUNT),
            symbol=item.symbol,
            side="BUY" if side == "Buy" else "SELL",
            kind="LIMIT" if limit else "MARKET",
            tif="POST_ONLY" if post_only else TIF_BITMEX2SIM[tif],
            price=price,
            quantity=quantity,
            extra={
                "orderID": str(uuid.uuid4()),
                "timeInForce": tif,
                "execInst": exec_inst,
                "text": params.get("text") or "Submitted via API.",
                "ordType": ord_type,
            },
            working=not stop_price,
            stop_price=stop_price,
            trigger_above=side == "Buy",
        )
        if post_only and self.matching.would_take(order):
            order.extra["cancel_text"] = "Canceled: Order had execInst of ParticipateDoNotInitiate"
            self.matching.place_cancelled(order)
        else:
            self.place_and_publish(order)
            last = self.last_prices.get(item.symbol)
            if stop_price and last is not None and order.triggered_by(last):
                self.matching.trigger(item.symbol, last, "last")  # already reached: it works at once
        return self.order_row(order)

    @staticmethod
    def stop_price(item: Instrument, params: dict[str, Any], ord_type: str) -> Decimal:
        """`stopPx` of a Stop/StopLimit order (0 for the others, which must not carry one)."""
        text = params.get("stopPx")
        if ord_type not in ("Stop", "StopLimit"):
            if text not in (None, ""):
                raise BitmexError("Invalid stopPx for ordType")
            return Decimal(0)
        return BitmexVenue.tick_price(item, text, "stopPx", "Invalid stopPx for ordType")

    @staticmethod
    def tick_price(item: Instrument, text: Any, name: str, invalid: str) -> Decimal:
        """A price field (`price`, `stopPx`): a positive number on the instrument's tick; `invalid` is
        BitMEX's text for one that is missing or not a usable number."""
        if text in (None, ""):
            raise BitmexError(invalid)
        try:
            value = Decimal(str(text))
        except ArithmeticError:
            raise BitmexError(invalid) from None
        if not value.is_finite() or value <= 0 or value > MAX_PRICE:
            raise BitmexError(invalid)
        if value % item.tick_size:
            raise BitmexError(f"Invalid {name} tickSize")
        return value

    @staticmethod
    def id_list(value: Any) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        text = str(value)
        if text.startswith("["):
            try:
                return [str(v) for v in json.loads(text)]
            except ValueError:
                raise BitmexError("Unable to parse orderID") from None
        return [part for part in text.split(",") if part]

    async def delete_order(self, params: dict[str, Any]) -> Any:
        order_ids, client_ids = self.id_list(params.get("orderID")), self.id_list(params.get("clOrdID"))
        if not order_ids and not client_ids:
            raise BitmexError("At least one of orderID, clOrdID must be provided")
        found = self.find_orders(order_ids, client_ids)
        if not found:
            raise BitmexError("Unable to cancel order: Not found or not owned by user")
        rows = []
        for order in found:
            if not order.active:
                row = self.order_row(order)
                row["error"] = f"Unable to cancel order due to existing state: {STATUS[order.status]}"
                rows.append(row)
                continue
            order.extra["cancel_text"] = "Canceled: Canceled via API.\nSubmitted via API."
            self.matching.cancel(order.order_id)
            rows.append(self.order_row(order))
        return rows

    async def delete_all(self, params: dict[str, Any]) -> Any:
        symbol = params.get("symbol")
        rows = []
        for order in list(self.matching.orders.values()):
            if order.active and symbol in (None, "", order.symbol):
                order.extra["cancel_text"] = "Canceled: Canceled via API.\nSubmitted via API."
                self.matching.cancel(order.order_id)
                rows.append(self.order_row(order))
        return rows

    async def cancel_all_after(self, params: dict[str, Any]) -> Any:
        try:
            timeout = int(params.get("timeout", ""))
        except ValueError:
            raise BitmexError("timeout is required") from None
        now = self.now_ms()
        if timeout <= 0:
            self.cancel_all_at = None
            return {"now": iso(now), "cancelTime": None}
        self.cancel_all_at = time.monotonic() + timeout / 1000
        deadline = self.cancel_all_at

        def fire() -> None:
            if self.cancel_all_at == deadline:
                self.cancel_all_at = None
                for order in list(self.matching.orders.values()):
                    if order.active:
                        order.extra["cancel_text"] = "Canceled: Cancel from cancelAllAfter"
                        self.matching.cancel(order.order_id)

        asyncio.get_running_loop().call_later(timeout / 1000, fire)
        return {"now": iso(now), "cancelTime": iso(now + timeout)}

    async def trade_history(self, params: dict[str, Any]) -> Any:
        filters = self.filters(params)
        symbol = params.get("symbol")
        rows = [
            row
            for row in self.executions
            if row["execType"] == "Trade"
            and symbol in (None, "", row["symbol"])
            and all(row.get(k) == v for k, v in filters.items())
        ]
        if str(params.get("reverse", "false")).lower() == "true":
            rows.reverse()
        return rows[: int_param(params, "count", 100, bad_number) or 100]

    # ---- executions: the account changes, then the private tables

    def execution_row(self, execution: Execution, exec_type: str) -> dict[str, Any]:
        order, fill = execution.order, execution.fill
        item = INSTRUMENTS[order.symbol]
        row = self.order_row(order)
        row.update(
            {
                "execID": str(uuid.uuid4()),
                "execType": exec_type,
                "lastQty": number(fill.quantity) if fill else None,
                "lastPx": number(fill.price) if fill else None,
                "lastMkt": "XBME" if fill else "",
                "lastLiquidityInd": ("AddedLiquidity" if fill.maker else "RemovedLiquidity") if fill else "",
                "underlyingLastPx": None,
                "commission": number(MAKER_FEE if fill and fill.maker else TAKER_FEE) if fill else None,
                "tradePublishIndicator": "PublishTrade" if fill else "",
                "trdMatchID": str(uuid.UUID(int=fill.trade_id))
                if fill
                else "00000000-0000-0000-0000-000000000000",
                "execCost": None,
                "execComm": None,
                "homeNotional": None,
                "foreignNotional": None,
                "transactTime": iso(fill.time_ms if fill else order.updated_ms),
                "timestamp": iso(fill.time_ms if fill else order.updated_ms),
            }
        )
        if fill is not None:
            cost = item.cost(fill.quantity, fill.price)
            signed_cost = -cost if order.side == "BUY" else cost
            fee = MAKER_FEE if fill.maker else TAKER_FEE
            row["execCost"] = number(signed_cost)
            row["execComm"] = number((cost * fee).quantize(Decimal(1)))
            contracts = fill.quantity if order.side == "BUY" else -fill.quantity
            if item.inverse:
                row["homeNotional"] = float(contracts / fill.price)
                row["foreignNotional"] = number(-contracts)
            else:
                row["homeNotional"] = float(contracts / 1_000_000)
                row["foreignNotional"] = float(-contracts * fill.price / 1_000_000)
        return row

    def apply_fill(self, order: SimOrder, fill: SimFill) -> None:
        item = INSTRUMENTS[order.symbol]
        signed = fill.quantity if order.side == "BUY" else -fill.quantity
        quantity, entry = self.positions.get(order.symbol, (Decimal(0), Decimal(0)))
        new_quantity = quantity + signed
        if quantity and (quantity > 0) != (signed > 0):  # (partly) closing: realise the closed part
            closed = min(abs(signed), abs(quantity)) * (1 if quantity > 0 else -1)
            if item.inverse:
                pnl = closed * Decimal(100_000_000) * (1 / entry - 1 / fill.price)
            else:
                pnl = closed * (fill.price - entry)
            self.wallet[item.settle] += pnl.quantize(Decimal(1), ROUND_DOWN)
        if new_quantity == 0:
            entry = Decimal(0)
        elif quantity == 0 or (quantity > 0) != (new_quantity > 0):
            entry = fill.price
        elif (quantity > 0) == (signed > 0):
            entry = (entry * abs(quantity) + fill.price * fill.quantity) / abs(new_quantity)
        self.positions[order.symbol] = (new_quantity, entry)
        fee = MAKER_FEE if fill.maker else TAKER_FEE
        self.wallet[item.settle] -= (item.cost(fill.quantity, fill.price) * fee).quantize(Decimal(1))

    def on_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        # a symbol's first fill creates its position row: subscribers get it as an insert, later as updates
        position_action = "update" if order.symbol in self.positions else "insert"
        if fill is not None:
            self.apply_fill(order, fill)
        if execution.kind in ("CANCELED", "EXPIRED"):
            if execution.kind == "EXPIRED":
                tif = order.extra["timeInForce"]
                order.extra["cancel_text"] = f"Canceled: Order had timeInForce of {tif}"
            order.extra["text"] = order.extra.pop("cancel_text", "Canceled: Canceled via API.")
            live = self.matching.orders.get(order.order_id)
            if live is not None:
                live.extra["text"] = order.extra["text"]
        exec_type = {
            "NEW": "New",
            "TRADE": "Trade",
            "CANCELED": "Canceled",
            "EXPIRED": "Canceled",
            "TRIGGERED": "Trigger",
        }.get(execution.kind, "Restated")
        execution_row = self.execution_row(execution, exec_type)
        self.executions.append(execution_row)
        order_row = self.order_row(order)
        if execution.kind == "NEW":
            self.publish_private("order", order.symbol, "insert", [order_row])
        else:
            self.publish_private("order", order.symbol, "update", [order_row])
        self.publish_private("execution", order.symbol, "insert", [execution_row])
        if fill is not None:
            self.publish_private("position", order.symbol, position_action, [self.position_row(order.symbol)])
        self.publish_private("margin", None, "update", [self.margin_row(INSTRUMENTS[order.symbol].settle)])

    # ---- WebSocket

    async def realtime(self, request: web.Request) -> web.WebSocketResponse:
        session = Session(ws=None, kind="realtime")  # type: ignore[arg-type]
        key = request.headers.get("api-key")
        auth_error = None
        if key:
            auth_error = self.ws_auth_error(
                key, request.headers.get("api-expires", ""), request.headers.get("api-signature", "")
            )
            session.state["authed"] = auth_error is None
        subscriptions = [t for t in request.query.get("subscribe", "").split(",") if t]

        async def on_frame(session: Session, raw: str) -> None:
            await self.on_frame(session, raw)

        async def start() -> None:
            await self.wait_open(session)
            await self.send_json(session, self.welcome())
            if auth_error:
                await self.send_json(session, {"status": 401, "error": auth_error, "meta": {}})
            for topic in subscriptions:
                await self.subscribe(session, topic, {"op": "subscribe", "args": subscriptions})

        asyncio.get_running_loop().create_task(start())
        return await self.serve_ws(request, "realtime", on_frame, session)

    @staticmethod
    async def wait_open(session: Session) -> None:
        for _ in range(1000):
            if session.ws is not None and session.ws.prepared:
                return
            await asyncio.sleep(0.001)

    def welcome(self) -> dict[str, Any]:
        return {
            "info": "Welcome to the BitMEX Realtime API.",
            "version": "2.0.0",
            "timestamp": iso(self.now_ms()),
            "docs": "https://www.bitmex.com/app/wsAPI",
            "heartbeatEnabled": False,
            "limit": {"remaining": 39},
        }

    def ws_auth_error(self, key: Any, expires: Any, sig: Any) -> str | None:
        if key != self.api_key:
            return "Invalid API Key."
        text = str(expires)
        if not text.isdigit():
            return "Invalid expires: must be an integer"
        now_s = self.now_ms() // 1000
        if int(text) < now_s:
            return f"Expired: expires ({text}) is in the past. Current time: {now_s}"
        if not hmac.compare_digest(signature(self.api_secret, "GET", "/realtime", text, ""), str(sig)):
            return "Signature not valid."
        return None

    async def on_frame(self, session: Session, raw: str) -> None:
        if raw == "ping":
            if not self.faults.stop_pings:
                await session.ws.send_str("pong")
            return
        try:
            message = json.loads(raw)
            op = message["op"]
        except (ValueError, KeyError, TypeError):
            await self.send_json(
                session,
                {
                    "status": 400,
                    "error": "Unrecognized request. See the docs or send 'help' for more details.",
                    "meta": {},
                    "request": raw[:200],
                },
            )
            return
        self.ws_log.append((session.kind, message))
        args = message.get("args")
        if op in ("authKeyExpires", "authKey"):
            if not isinstance(args, list) or len(args) != 3:
                await self.ws_error(session, 400, "authKeyExpires takes three arguments", message)
                return
            if session.state.get("authed"):
                await self.ws_error(session, 400, "Already authenticated", message)
                return
            problem = self.ws_auth_error(*args)
            if problem:
                await self.ws_error(session, 401, problem, message)
                return
            session.state["authed"] = True
            await self.send_json(session, {"success": True, "request": message})
        elif op in ("subscribe", "unsubscribe"):
            topics = args if isinstance(args, list) else [args]
            for topic in topics:
                if op == "subscribe":
                    await self.subscribe(session, str(topic), message)
                else:
                    session.topics.discard(str(topic))
                    await self.send_json(session, {"success": True, "unsubscribe": topic, "request": message})
        elif op == "cancelAllAfter":
            timeout = args[0] if isinstance(args, list) and args else args
            result = await self.cancel_all_after({"timeout": timeout})
            await self.send_json(session, {**result, "request": message})
        else:
            await self.ws_error(session, 400, f"Unknown or unsupported op: {op}", message)

    async def ws_error(self, session: Session, status: int, error: str, request: Any) -> None:
        await self.send_json(session, {"status": status, "error": error, "meta": {}, "request": request})

    async def subscribe(self, session: Session, topic: str, request: Any) -> None:
        table, _, symbol = topic.partition(":")
        if table not in PUBLIC_TABLES + PRIVATE_TABLES:
            await self.ws_error(session, 400, f"Unknown table: {table}", request)
            return
        if symbol and symbol not in INSTRUMENTS:
            await self.ws_error(session, 400, f"Unknown symbol: {symbol}", request)
            return
        if table in PRIVATE_TABLES and not session.state.get("authed"):
            await self.ws_error(
                session,
                401,
                "User requested an account-locked subscription but no authorization was provided.",
                request,
            )
            return
        if topic in session.topics:
            await self.ws_error(session, 400, f"You are already subscribed to this topic: {topic}", request)
            return
        session.topics.add(topic)
        await self.send_json(session, {"success": True, "subscribe": topic, "request": request})
        await self.send_json(session, self.partial(table, symbol or None))

    def partial(self, table: str, symbol: str | None) -> dict[str, Any]:
        symbols = [symbol] if symbol else list(INSTRUMENTS)
        data: list[dict[str, Any]] = []
        filter_: dict[str, Any] = {"symbol": symbol} if symbol else {}
        if table == "instrument":
            data = [self.instrument_row(INSTRUMENTS[s]) for s in symbols]
        elif table == "quote":
            data = [row for s in symbols if (row := self.quote_row(s)) is not None]
        elif table == "trade":
            data = [
                self.trade_row(INSTRUMENTS[s], *self.last_trades[s]) for s in symbols if s in self.last_trades
            ]
        elif table in ("orderBookL2", "orderBookL2_25"):
            for s in symbols:
                item = INSTRUMENTS[s]
                bids, asks = self.matching.book(s)
                self.published_l2[s] = self.l2_state(s)
                data += [self.l2_row(item, "Sell", p, q) for p, q in reversed(asks[:25])]
                data += [self.l2_row(item, "Buy", p, q) for p, q in bids[:25]]
        elif table == "orderBook10":
            data = [self.book10_row(s) for s in symbols]
        elif table == "order":
            data = [
                self.order_row(o) for o in self.matching.orders.values() if o.active and o.symbol in symbols
            ]
            filter_["account"] = ACCOUNT
        elif table == "execution":
            filter_["account"] = ACCOUNT
        elif table == "position":
            data = [self.position_row(s) for s in symbols if s in self.positions]
            filter_["account"] = ACCOUNT
        elif table in ("margin", "wallet"):
            data = [self.margin_row(c) if table == "margin" else self.wallet_row(c) for c in self.wallet]
            filter_ = {"account": ACCOUNT}
        return {
            "table": table,
            "action": "partial",
            "keys": TABLE_KEYS[table],
            "types": {},
            "foreignKeys": {},
            "attributes": {},
            "filter": filter_,
            "data": data,
        }

    def sessions_for(self, table: str, symbol: str | None) -> list[Session]:
        wanted = {table, f"{table}:{symbol}"} if symbol else {table}
        return [
            s for s in list(self.sessions) if s.kind == "realtime" and not s.ws.closed and s.topics & wanted
        ]

    def publish(self, table: str, symbol: str | None, action: str, data: list[dict[str, Any]]) -> None:
        for session in self.sessions_for(table, symbol):
            self.push(session, {"table": table, "action": action, "data": data})

    def publish_private(
        self, table: str, symbol: str | None, action: str, data: list[dict[str, Any]]
    ) -> None:
        for session in self.sessions_for(table, symbol):
            if session.state.get("authed"):
                self.push(session, {"table": table, "action": action, "data": data})

    # ---- market data

    def quote_row(self, symbol: str) -> dict[str, Any] | None:
        bids, asks = self.matching.book(symbol)
        if not bids and not asks:
            return None
        return {
            "timestamp": iso(self.now_ms()),
            "symbol": symbol,
            "bidSize": number(bids[0][1]) if bids else None,
            "bidPrice": number(bids[0][0]) if bids else None,
            "askPrice": number(asks[0][0]) if asks else None,
            "askSize": number(asks[0][1]) if asks else None,
        }

    def book10_row(self, symbol: str) -> dict[str, Any]:
        bids, asks = self.matching.book(symbol)
        return {
            "symbol": symbol,
            "bids": [[number(p), number(q)] for p, q in bids[:10]],
            "asks": [[number(p), number(q)] for p, q in asks[:10]],
            "timestamp": iso(self.now_ms()),
        }

    def trade_row(self, item: Instrument, price: Decimal, size: Decimal, side: str) -> dict[str, Any]:
        cost = item.cost(size, price)
        return {
            "timestamp": iso(self.now_ms()),
            "symbol": item.symbol,
            "side": side,
            "size": number(size),
            "price": number(price),
            "tickDirection": "PlusTick" if side == "Buy" else "MinusTick",
            "trdMatchID": str(uuid.uuid4()),
            "grossValue": number(cost),
            "homeNotional": float(size / price) if item.inverse else float(size / 1_000_000),
            "foreignNotional": number(size) if item.inverse else float(size * price / 1_000_000),
            "trdType": "Regular",
        }

    def l2_state(self, symbol: str) -> dict[tuple[str, Decimal], Decimal]:
        bids, asks = self.matching.book(symbol)
        state = {("Buy", p): q for p, q in bids[:25]}
        state.update({("Sell", p): q for p, q in asks[:25]})
        return state

    def publish_book(self, symbol: str) -> None:
        item = INSTRUMENTS[symbol]
        before = self.published_l2.get(symbol, {})
        after = self.l2_state(symbol)
        self.published_l2[symbol] = after
        deleted = [k for k in before if k not in after]
        inserted = [k for k in after if k not in before]
        updated = [k for k in after if k in before and before[k] != after[k]]
        for table in ("orderBookL2", "orderBookL2_25"):
            if deleted:
                rows = [
                    {"symbol": symbol, "id": self.l2_id(item, price), "side": side} for side, price in deleted
                ]
                self.publish(table, symbol, "delete", rows)
            if updated:
                rows = [
                    {"symbol": symbol, "id": self.l2_id(item, p), "side": s, "size": number(after[(s, p)])}
                    for s, p in updated
                ]
                self.publish(table, symbol, "update", rows)
            if inserted:
                self.publish(
                    table, symbol, "insert", [self.l2_row(item, s, p, after[(s, p)]) for s, p in inserted]
                )
        self.publish("orderBook10", symbol, "update", [self.book10_row(symbol)])
        quote = self.quote_row(symbol)
        if quote is not None:
            self.publish("quote", symbol, "insert", [quote])
        self.publish("instrument", symbol, "update", [self.instrument_update(symbol)])

    def instrument_update(self, symbol: str) -> dict[str, Any]:
        row = self.instrument_row(INSTRUMENTS[symbol])
        keep = ("symbol", "lastPrice", "bidPrice", "askPrice", "midPrice", "markPrice", "timestamp")
        return {k: row[k] for k in keep}

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        item = INSTRUMENTS[symbol]
        side = "Sell" if buyer_maker else "Buy"
        self.last_trades[symbol] = (Decimal(price), Decimal(quantity), side)
        self.publish(
            "trade", symbol, "insert", [self.trade_row(item, Decimal(price), Decimal(quantity), side)]
        )
        self.publish("instrument", symbol, "update", [self.instrument_update(symbol)])
