"""A local Bitfinex v2 venue (REST `/v2`, WebSocket `/ws/2`), written from Bitfinex's documents (venues.md §6,
docs.bitfinex.com: arrays not objects, channel ids, the auth event), not from vtcore's gateway.

As Bitfinex does:
- Two hosts: `api` (authenticated and public) and `api-pub` (public data only). Locally both are this server;
  requests that arrive with the Host name `public_host` ("localhost") are api-pub's, and there the `auth`
  event and every `auth/*` call fail, as on the real public host.
- REST: public calls are GETs; every `auth/*` call is a POST with a JSON body and `bfx-nonce` (strictly
  increasing per key), `bfx-apikey`, `bfx-signature` = hex(HMAC-SHA384(secret, "/api/v2/" + endpoint + nonce +
  body)), no HTTP method in the signed text. Errors are `["error", CODE, "text"]` with HTTP 500 (10020 params,
  10100 auth, 10114 nonce small, 10001 generic), a rate limit is HTTP 429 `["error", 11010, "ratelimit:
  error"]`; writes answer with a notification `[MTS, "on-req", null, null, ORDERS, null, "SUCCESS", text]`.
- WebSocket: `{"event":"info","version":2,...}` on connect, `ping`/`pong` events, `conf` flags (book checksums
  `[CHAN_ID,"cs",CRC32]` when 131072 is set), `subscribe`/`unsubscribe` with channel ids (10301 duplicate,
  10302 unknown channel, 10300 bad parameters, 10400 unknown chanId), snapshots then updates as arrays,
  `[CHAN_ID,"hb"]` heartbeats on quiet channels, info events 20051 (restart: reconnect) and 20060/20061
  (maintenance), the `auth` event on channel 0 (10100 bad key, 10101 already authenticated, 10102 bad payload,
  10103 bad signature, 10114 nonce too small) followed by the `ps`/`ws`/`os` snapshots, orders through
  `[0,"on",null,{...}]` and `[0,"oc",null,{...}]` answered by `n` notifications and
  `on`/`ou`/`oc`/`te`/`tu`/`wu`.
- Orders: EXCHANGE LIMIT/MARKET/IOC/FOK (spot), signed amounts (negative = sell), flags (post-only 4096), the
  minimum order size per pair, the wallet balance; status texts such as "PARTIALLY FILLED @ 100.0(0.1)",
  "EXECUTED @ ...: was PARTIALLY FILLED @ ...", "CANCELED", "IOC CANCELED", "FILLORKILL CANCELED", "POSTONLY
  CANCELED".
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
import time
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import web

from vtcore.peers.base import Session, VenueServer, int_param
from vtcore.peers.matching import Execution, SimFill, SimOrder

API_KEY = "bfx-key-0123456789abcdefghijklmnopqrstuvwxyzABCDE"
API_SECRET = "bfx-secret-9876543210ZYXWVUTSRQPONMLKJIHGFEDCBAzyx"
USER_ID = 1234567
PUBLIC_HOST = "localhost"
FLAG_POST_ONLY = 4096
FLAG_CHECKSUM = 131072
BOOK_LENGTHS = ("1", "25", "100", "250")
TIMEFRAME_MS = {"1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1D": 86_400_000, "1W": 604_800_000}
SPOT_TYPES = {"EXCHANGE LIMIT", "EXCHANGE MARKET", "EXCHANGE IOC", "EXCHANGE FOK"}
MARGIN_TYPES = {"LIMIT", "MARKET", "IOC", "FOK"}
RATE_LIMIT_PER_MINUTE = 90


@dataclass(frozen=True)
class Pair:
    symbol: str  # tBTCUSD
    base: str
    quote: str
    min_size: Decimal
    max_size: Decimal

    @property
    def pair(self) -> str:
        return self.symbol[1:]


PAIRS = {
    p.symbol: p
    for p in (
        Pair("tBTCUSD", "BTC", "USD", Decimal("0.00006"), Decimal(2000)),
        Pair("tETHUSD", "ETH", "USD", Decimal("0.002"), Decimal(50000)),
        Pair("tTESTBTC:TESTUSD", "TESTBTC", "TESTUSD", Decimal("0.00006"), Decimal(2000)),
    )
}


class BitfinexError(Exception):
    def __init__(self, code: int, text: str, status: int = 500) -> None:
        super().__init__(text)
        self.code, self.text, self.status = code, text, status


def bad_param(name: str) -> BitfinexError:
    return BitfinexError(10020, f"{name}: invalid")


def sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha384).hexdigest()


def num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def fmt(value: Decimal) -> str:
    """A price or amount as Bitfinex's status texts write it ("100.0", "0.1")."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


@dataclass
class Channel:
    chan_id: int
    channel: str
    key: str  # symbol, or the candle key
    request: dict[str, Any]
    last_sent: float = field(default_factory=time.monotonic)


class BitfinexVenue(VenueServer):
    #: a quiet channel gets `[CHAN_ID,"hb"]` this often (Bitfinex: 15 s); tests shorten it
    heartbeat_interval: float = 15.0

    def __init__(self) -> None:
        super().__init__()
        self.api_key, self.api_secret = API_KEY, API_SECRET
        self.public_host = PUBLIC_HOST
        self.wallets: dict[str, Decimal] = {"USD": Decimal(100_000), "BTC": Decimal(10), "ETH": Decimal(50)}
        self.wallets.update({"TESTUSD": Decimal(100_000), "TESTBTC": Decimal(10)})
        self.last_nonce: dict[str, int] = {}
        self.trades_log: list[list[Any]] = []  # every fill as the trade array, oldest first
        self.last_trades: dict[str, list[Any]] = {}
        self._chan_ids = iter(range(17_000, 10_000_000))
        self.requests_per_key: dict[str, list[float]] = {}
        self._hb_task: asyncio.Task[None] | None = None

    def build_app(self) -> web.Application:
        app = web.Application()
        get, post = app.router.add_get, app.router.add_post
        get("/v2/platform/status", self.public(self.platform_status))
        get("/v2/conf/{config}", self.public(self.conf))
        get("/v2/ticker/{symbol}", self.public(self.ticker))
        get("/v2/tickers", self.public(self.tickers))
        get("/v2/book/{symbol}/{precision}", self.public(self.book))
        get("/v2/trades/{symbol}/hist", self.public(self.trades_hist))
        get("/v2/candles/{key}/{section}", self.public(self.candles))
        post("/v2/auth/r/wallets", self.private(self.auth_wallets))
        post("/v2/auth/r/positions", self.private(self.auth_positions))
        post("/v2/auth/r/orders", self.private(self.auth_orders))
        post("/v2/auth/r/orders/{symbol}", self.private(self.auth_orders))
        post("/v2/auth/r/orders/hist", self.private(self.auth_orders_hist))
        post("/v2/auth/r/orders/{symbol}/hist", self.private(self.auth_orders_hist))
        post("/v2/auth/r/order/{symbol}:{id}/trades", self.private(self.auth_order_trades))
        post("/v2/auth/r/trades/hist", self.private(self.auth_trades_hist))
        post("/v2/auth/r/trades/{symbol}/hist", self.private(self.auth_trades_hist))
        post("/v2/auth/w/order/submit", self.private(self.auth_submit))
        post("/v2/auth/w/order/cancel", self.private(self.auth_cancel))
        get("/ws/2", self.websocket)
        return app

    # ---- REST plumbing

    def answer(self, payload: Any, status: int = 200) -> web.Response:
        return web.Response(status=status, text=json.dumps(payload), content_type="application/json")

    def error(self, error: BitfinexError) -> web.Response:
        return self.answer(["error", error.code, error.text], error.status)

    def rate_limited_response(self) -> web.Response:
        return self.answer(["error", 11010, "ratelimit: error"], 429)

    def over_limit(self, who: str) -> bool:
        now = time.monotonic()
        stamps = [t for t in self.requests_per_key.get(who, []) if now - t < 60]
        stamps.append(now)
        self.requests_per_key[who] = stamps
        return len(stamps) > RATE_LIMIT_PER_MINUTE

    def is_public_host(self, request: web.Request) -> bool:
        return (request.host or "").rsplit(":", 1)[0] == self.public_host

    def public(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            if self.over_limit(request.remote or "anonymous"):
                return self.rate_limited_response()
            try:
                return self.answer(await handler(request, dict(request.query)))
            except BitfinexError as error:
                return self.error(error)

        return wrapped

    def private(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            body = await request.text()
            try:
                if self.is_public_host(request):
                    raise BitfinexError(10100, "apikey: invalid")  # api-pub serves public data only
                self.check_auth(request, body)
                if self.over_limit(self.api_key):
                    return self.rate_limited_response()
                try:
                    params = json.loads(body) if body else {}
                except ValueError:
                    raise BitfinexError(10020, "body: invalid") from None
                if not isinstance(params, dict):
                    raise BitfinexError(10020, "body: invalid")
                return self.answer(await handler(request, params))
            except BitfinexError as error:
                return self.error(error)

        return wrapped

    def check_auth(self, request: web.Request, body: str) -> None:
        headers = request.headers
        key, nonce, sig = (
            headers.get("bfx-apikey"),
            headers.get("bfx-nonce", ""),
            headers.get("bfx-signature"),
        )
        if not key or key != self.api_key:
            raise BitfinexError(10100, "apikey: invalid")
        if not nonce.isdigit():
            raise BitfinexError(10100, "nonce: invalid")
        expected = sign(self.api_secret, "/api" + request.rel_url.raw_path + nonce + body)
        if not sig or not hmac.compare_digest(expected, sig):
            raise BitfinexError(10100, "apikey: digest invalid")
        if int(nonce) <= self.last_nonce.get(key, 0):
            raise BitfinexError(10114, "nonce: small")
        self.last_nonce[key] = int(nonce)

    def pair_of(self, symbol: Any) -> Pair:
        pair = PAIRS.get(str(symbol))
        if pair is None:
            raise BitfinexError(10020, "symbol: invalid")
        return pair

    # ---- public REST

    async def platform_status(self, request: web.Request, params: dict[str, Any]) -> Any:
        return [1]

    async def conf(self, request: web.Request, params: dict[str, Any]) -> Any:
        answers: list[Any] = []
        for label in request.match_info["config"].split(","):
            if label == "pub:info:pair":
                answers.append(
                    [
                        [
                            p.pair,
                            [None, None, None, fmt(p.min_size), fmt(p.max_size), None, None, None, 0.2, 0.1],
                        ]
                        for p in PAIRS.values()
                    ]
                )
            elif label in ("pub:list:pair:exchange", "pub:list:pair:margin"):
                answers.append([p.pair for p in PAIRS.values()])
            elif label == "pub:list:currency":
                answers.append(sorted({c for p in PAIRS.values() for c in (p.base, p.quote)}))
            elif label == "pub:map:currency:label":
                answers.append([["BTC", "Bitcoin"], ["ETH", "Ethereum"], ["USD", "US Dollar"]])
            elif label.startswith(("pub:info:", "pub:list:", "pub:map:")):
                answers.append([])
            else:
                raise BitfinexError(10020, f"config: invalid {label}")
        return answers

    def ticker_fields(self, symbol: str) -> list[Any]:
        bids, asks = self.matching.book(symbol)
        last = self.last_trades.get(symbol)
        return [
            num(bids[0][0]) if bids else None,
            num(bids[0][1]) if bids else None,
            num(asks[0][0]) if asks else None,
            num(asks[0][1]) if asks else None,
            1.5,
            0.015,
            last[3] if last else None,
            1234.5,
            110.0,
            90.0,
        ]

    async def ticker(self, request: web.Request, params: dict[str, Any]) -> Any:
        return self.ticker_fields(self.pair_of(request.match_info["symbol"]).symbol)

    async def tickers(self, request: web.Request, params: dict[str, Any]) -> Any:
        wanted = params.get("symbols", "ALL")
        symbols = list(PAIRS) if wanted == "ALL" else [s for s in wanted.split(",") if s in PAIRS]
        return [[s, *self.ticker_fields(s)] for s in symbols]

    def book_rows(self, symbol: str, length: int, raw: bool = False) -> list[list[Any]]:
        """Aggregated levels `[PRICE, COUNT, AMOUNT]`, or raw orders `[ORDER_ID, PRICE, AMOUNT]` (precision
        R0: each level of the local book is one resting order)."""
        bids, asks = self.matching.book(symbol)
        levels = [(p, q) for p, q in bids[:length]] + [(p, -q) for p, q in asks[:length]]
        if raw:
            return [[self.level_order_id(p), num(p), num(q)] for p, q in levels]
        return [[num(p), 1, num(q)] for p, q in levels]

    @staticmethod
    def level_order_id(price: Decimal) -> int:
        return 90_000_000_000 + int(price * 1000)

    async def book(self, request: web.Request, params: dict[str, Any]) -> Any:
        pair = self.pair_of(request.match_info["symbol"])
        if request.match_info["precision"] not in ("P0", "P1", "P2", "P3", "P4", "R0"):
            raise BitfinexError(10020, "precision: invalid")
        length = params.get("len", "25")
        if length not in BOOK_LENGTHS:
            raise BitfinexError(10020, "len: invalid")
        return self.book_rows(pair.symbol, int(length), raw=request.match_info["precision"] == "R0")

    async def trades_hist(self, request: web.Request, params: dict[str, Any]) -> Any:
        pair = self.pair_of(request.match_info["symbol"])
        last = self.last_trades.get(pair.symbol)
        return [last] if last else []

    async def candles(self, request: web.Request, params: dict[str, Any]) -> Any:
        parts = request.match_info["key"].split(":", 2)
        if len(parts) != 3 or parts[0] != "trade" or parts[1] not in TIMEFRAME_MS:
            raise BitfinexError(10020, "key: invalid")
        self.pair_of(parts[2])
        section = request.match_info["section"]
        if section not in ("hist", "last"):
            raise BitfinexError(10020, "section: invalid")
        step = TIMEFRAME_MS[parts[1]]
        now = self.now_ms()
        newest = now - now % step
        end = min(newest, int_param(params, "end", newest, bad_param))
        start = int_param(params, "start", end - 9999 * step, bad_param)
        limit = min(int_param(params, "limit", 100, bad_param) or 100, 10000)
        stamps = [end - end % step - i * step for i in range(limit)]
        stamps = [s for s in stamps if s >= start]
        rows = [self.candle(s, step) for s in stamps]
        if str(params.get("sort", "-1")) == "1":
            rows.reverse()
        if section == "last":
            return self.candle(newest, step)
        return rows

    @staticmethod
    def candle(stamp: int, step: int) -> list[Any]:
        base = 100 + (stamp // step) % 40
        return [stamp, base, base + 1, base + 3, base - 2, 12.5]  # MTS, OPEN, CLOSE, HIGH, LOW, VOLUME

    # ---- private REST

    def locked(self) -> dict[str, Decimal]:
        locked: dict[str, Decimal] = {}
        for order in self.matching.orders.values():
            if not order.active:
                continue
            pair = PAIRS[order.symbol]
            if order.side == "BUY":
                locked[pair.quote] = locked.get(pair.quote, Decimal(0)) + order.remaining * order.price
            else:
                locked[pair.base] = locked.get(pair.base, Decimal(0)) + order.remaining
        return locked

    def wallet_row(self, currency: str) -> list[Any]:
        balance = self.wallets.get(currency, Decimal(0))
        available = balance - self.locked().get(currency, Decimal(0))
        return ["exchange", currency, num(balance), 0, num(available), None, None]

    async def auth_wallets(self, request: web.Request, params: dict[str, Any]) -> Any:
        return [self.wallet_row(c) for c in self.wallets]

    async def auth_positions(self, request: web.Request, params: dict[str, Any]) -> Any:
        return []

    def order_fields(self, order: SimOrder) -> list[Any]:
        extra = order.extra
        # AMOUNT is what is left: a cancelled order keeps the amount it was cancelled with
        remaining = order.remaining
        sign_ = 1 if order.side == "BUY" else -1
        return [
            extra["id"],
            None,
            extra["cid"],
            order.symbol,
            order.created_ms,
            order.updated_ms,
            num(remaining * sign_),
            num(order.quantity * sign_),
            extra["type"],
            None,
            None,
            None,
            extra["flags"],
            self.status_text(order),
            None,
            None,
            num(order.price),
            num(order.average_price) if order.filled else 0,
            0,
            0,
            None,
            None,
            None,
            0,
            0,
            None,
            None,
            None,
            "API>BFX",
            None,
            None,
            extra.get("meta") or {},
        ]

    @staticmethod
    def status_text(order: SimOrder) -> str:
        average = fmt(order.average_price) if order.filled else ""
        partial = f"PARTIALLY FILLED @ {average}({fmt(order.filled)})" if order.filled else ""
        if order.status == "NEW":
            return "ACTIVE"
        if order.status == "PARTIALLY_FILLED":
            return partial
        if order.status == "FILLED":
            return f"EXECUTED @ {average}({fmt(order.filled)})"
        cancel = str(order.extra.get("cancel_status") or "CANCELED")
        return f"{cancel} was: {partial}" if partial else cancel

    def find(self, ids: list[Any], cids: list[Any], cid_date: Any = None) -> list[SimOrder]:
        found = []
        for order in self.matching.orders.values():
            same_cid = order.extra["cid"] in cids and cid_date in (None, order.extra["cid_date"])
            if order.extra["id"] in ids or same_cid:
                found.append(order)
        return found

    async def auth_orders(self, request: web.Request, params: dict[str, Any]) -> Any:
        symbol = request.match_info.get("symbol")
        ids = params.get("id") or []
        rows = []
        for order in self.matching.orders.values():
            if not order.active or (symbol and order.symbol != symbol):
                continue
            if ids and order.extra["id"] not in ids:
                continue
            rows.append(self.order_fields(order))
        return rows

    async def auth_orders_hist(self, request: web.Request, params: dict[str, Any]) -> Any:
        symbol = request.match_info.get("symbol")
        ids = params.get("id") or []
        rows = []
        for order in reversed(list(self.matching.orders.values())):
            if order.active or (symbol and order.symbol != symbol):
                continue
            if ids and order.extra["id"] not in ids:
                continue
            rows.append(self.order_fields(order))
        return rows[: int_param(params, "limit", 25, bad_param) or 25]

    async def auth_order_trades(self, request: web.Request, params: dict[str, Any]) -> Any:
        order_id = int_param(request.match_info, "id", 0, bad_param)
        return [row for row in reversed(self.trades_log) if row[3] == order_id]

    async def auth_trades_hist(self, request: web.Request, params: dict[str, Any]) -> Any:
        symbol = request.match_info.get("symbol")
        rows = [row for row in reversed(self.trades_log) if symbol in (None, row[1])]
        if params.get("start"):
            rows = [row for row in rows if row[2] >= int_param(params, "start", 0, bad_param)]
        return rows[: int_param(params, "limit", 25, bad_param) or 25]

    async def auth_submit(self, request: web.Request, params: dict[str, Any]) -> Any:
        order = self.new_order(params)  # raises BitfinexError with the venue's text
        return [
            self.now_ms(),
            "on-req",
            None,
            None,
            [self.order_fields(order)],
            None,
            "SUCCESS",
            "Submitting 1 orders.",
        ]

    async def auth_cancel(self, request: web.Request, params: dict[str, Any]) -> Any:
        order = self.cancel(params)
        return [
            self.now_ms(),
            "oc-req",
            None,
            None,
            self.order_fields(order),
            None,
            "SUCCESS",
            f"Submitted for cancellation; waiting for confirmation (ID: {order.extra['id']}).",
        ]

    # ---- orders (REST and WebSocket share these)

    def new_order(self, params: dict[str, Any]) -> SimOrder:
        kind = params.get("type")
        if kind not in SPOT_TYPES | MARGIN_TYPES:
            raise BitfinexError(10020, "type: invalid")
        if kind in MARGIN_TYPES:
            raise BitfinexError(10001, "Invalid order: margin trading is not enabled for this account")
        pair = self.pair_of(params.get("symbol"))
        try:
            amount = Decimal(str(params.get("amount")))
        except ArithmeticError:
            raise BitfinexError(10020, "amount: invalid") from None
        if not amount.is_finite() or amount == 0 or amount.as_tuple().exponent < -8:  # type: ignore[operator]
            raise BitfinexError(10020, "amount: invalid")
        quantity = abs(amount)
        if quantity < pair.min_size:
            raise BitfinexError(
                10001, f"Invalid order: minimum size for {pair.base}/{pair.quote} is {fmt(pair.min_size)}"
            )
        if quantity > pair.max_size:
            raise BitfinexError(
                10001, f"Invalid order: maximum size for {pair.base}/{pair.quote} is {fmt(pair.max_size)}"
            )
        market = kind == "EXCHANGE MARKET"
        price = Decimal(0)
        if not market:
            try:
                price = Decimal(str(params.get("price")))
            except ArithmeticError:
                raise BitfinexError(10020, "price: invalid") from None
            if not price.is_finite() or price <= 0:
                raise BitfinexError(10020, "price: invalid")
        try:
            flags = int(params.get("flags") or 0)
        except (TypeError, ValueError):
            raise BitfinexError(10020, "flags: invalid") from None
        cid = params.get("cid")
        if cid is not None and not isinstance(cid, int):
            raise BitfinexError(10020, "cid: invalid")
        side = "BUY" if amount > 0 else "SELL"
        bids, asks = self.matching.book(pair.symbol)
        reference = price or (asks[0][0] if side == "BUY" and asks else bids[0][0] if bids else Decimal(0))
        currency, needed = (pair.quote, quantity * reference) if side == "BUY" else (pair.base, quantity)
        free = self.wallets.get(currency, Decimal(0)) - self.locked().get(currency, Decimal(0))
        if free < needed:
            raise BitfinexError(
                10001,
                "Invalid order: not enough exchange balance for "
                f"{fmt(amount)} {pair.pair} at {fmt(reference)}",
            )
        tif = {
            "EXCHANGE LIMIT": "GTC",
            "EXCHANGE MARKET": "IOC",
            "EXCHANGE IOC": "IOC",
            "EXCHANGE FOK": "FOK",
        }
        order = SimOrder(
            order_id=self.matching.next_order_id(),
            client_id=str(cid or ""),
            account=str(USER_ID),
            symbol=pair.symbol,
            side=side,
            kind="MARKET" if market else "LIMIT",
            tif="POST_ONLY" if flags & FLAG_POST_ONLY else tif[str(kind)],
            price=price,
            quantity=quantity,
            extra={
                "id": 120_000_000_000 + self.matching.next_order_id(),
                "cid": cid,
                "cid_date": time.strftime("%Y-%m-%d", time.gmtime()),
                "type": kind,
                "flags": flags,
                "meta": params.get("meta") or {},
            },
        )
        if flags & FLAG_POST_ONLY and self.matching.would_take(order):
            order.extra["cancel_status"] = "POSTONLY CANCELED"
            self.matching.place_cancelled(order)
        else:
            if order.tif == "IOC":
                order.extra["cancel_status"] = "IOC CANCELED"
            elif order.tif == "FOK":
                order.extra["cancel_status"] = "FILLORKILL CANCELED"
            self.place_and_publish(order)
        return order

    def cancel(self, params: dict[str, Any]) -> SimOrder:
        if params.get("id") is not None:
            found = self.find([params["id"]], [])
        elif params.get("cid") is not None:
            if not params.get("cid_date"):
                raise BitfinexError(10020, "cid_date: invalid")
            found = self.find([], [params["cid"]], params["cid_date"])
        else:
            raise BitfinexError(10020, "id: invalid")
        if not found or not found[0].active:
            raise BitfinexError(10001, "Order not found.")
        order = found[0]
        order.extra["cancel_status"] = "CANCELED"
        self.matching.cancel(order.order_id)
        return order

    # ---- executions

    def trade_fields(self, order: SimOrder, fill: SimFill, with_fee: bool) -> list[Any]:
        pair = PAIRS[order.symbol]
        signed = fill.quantity if order.side == "BUY" else -fill.quantity
        fee_rate = Decimal("0.001") if fill.maker else Decimal("0.002")
        fee_currency = pair.base if order.side == "BUY" else pair.quote
        fee = fill.quantity * fee_rate if order.side == "BUY" else fill.quantity * fill.price * fee_rate
        return [
            fill.trade_id,
            order.symbol,
            fill.time_ms,
            order.extra["id"],
            num(signed),
            num(fill.price),
            order.extra["type"],
            num(order.price),
            1 if fill.maker else -1,
            num(-fee) if with_fee else None,
            fee_currency if with_fee else None,
            order.extra["cid"],
        ]

    def on_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        pair = PAIRS[order.symbol]
        if fill is not None:
            signed = fill.quantity if order.side == "BUY" else -fill.quantity
            row = self.trade_fields(order, fill, with_fee=True)
            self.wallets[pair.base] = self.wallets.get(pair.base, Decimal(0)) + signed
            self.wallets[pair.quote] = self.wallets.get(pair.quote, Decimal(0)) - signed * fill.price
            fee_currency = str(row[10])
            self.wallets[fee_currency] += Decimal(str(row[9]))
            self.trades_log.append(row)
            self.push_account("te", self.trade_fields(order, fill, with_fee=False))
            self.push_account("tu", row)
        fields = self.order_fields(order)
        if execution.kind == "NEW":
            self.push_account("on", fields)
        elif order.active:
            self.push_account("ou", fields)
        else:
            self.push_account("oc", fields)
        if fill is not None or execution.kind != "TRADE":
            for currency in (pair.base, pair.quote):
                self.push_account("wu", self.wallet_row(currency))

    # ---- WebSocket

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        session = Session(ws=None, kind="public" if self.is_public_host(request) else "api")  # type: ignore[arg-type]
        session.state["channels"] = {}
        if self._hb_task is None:
            self._hb_task = asyncio.get_running_loop().create_task(self.heartbeats())

        async def greet() -> None:
            for _ in range(1000):
                if session.ws is not None and session.ws.prepared:
                    break
                await asyncio.sleep(0.001)
            await self.send_json(
                session, {"event": "info", "version": 2, "serverId": "local-bfx", "platform": {"status": 1}}
            )

        asyncio.get_running_loop().create_task(greet())
        return await self.serve_ws(request, session.kind, self.on_frame, session)

    async def _shutdown(self) -> None:
        if self._hb_task is not None:
            self._hb_task.cancel()
        await super()._shutdown()

    async def heartbeats(self) -> None:
        while True:
            await asyncio.sleep(min(self.heartbeat_interval / 4, 1.0))
            if self.faults.stop_pings or self.faults.mute:
                continue
            now = time.monotonic()
            for session in list(self.sessions):
                if session.ws.closed:
                    continue
                channels: dict[int, Channel] = session.state.get("channels", {})
                for channel in list(channels.values()):
                    if now - channel.last_sent >= self.heartbeat_interval:
                        channel.last_sent = now
                        await self.send_json(session, [channel.chan_id, "hb"])
                auth = session.state.get("auth_sent")
                if session.state.get("authed") and auth is not None and now - auth >= self.heartbeat_interval:
                    session.state["auth_sent"] = now
                    await self.send_json(session, [0, "hb"])

    def subscription_count(self) -> int:
        """Channels subscribed over every open session (Bitfinex's live in `state["channels"]`, by chanId)."""
        return self.run(
            lambda: sum(len(s.state.get("channels", {})) for s in self.sessions if not s.ws.closed)
        )

    def send_info(self, code: int, msg: str = "") -> None:
        """Script an info event to every connected session (20051: restart, 20060/20061: maintenance)."""
        texts = {
            20051: "Stop/Restart Websocket Server (please reconnect)",
            20060: "Maintenance start",
            20061: "Maintenance end",
        }
        event = {"event": "info", "code": code, "msg": msg or texts.get(code, "")}
        for session in list(self.sessions):
            if not session.ws.closed:
                self.run(functools.partial(self.push, session, event))

    async def on_frame(self, session: Session, raw: str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            await self.send_json(session, {"event": "error", "msg": "invalid message", "code": 10000})
            return
        self.ws_log.append((session.kind, message))
        if isinstance(message, list):
            await self.on_input(session, message)
            return
        if not isinstance(message, dict):
            await self.send_json(session, {"event": "error", "msg": "invalid message", "code": 10000})
            return
        event = message.get("event")
        if event == "ping":
            if not self.faults.stop_pings:
                await self.send_json(
                    session, {"event": "pong", "ts": self.now_ms(), "cid": message.get("cid")}
                )
        elif event == "conf":
            session.state["flags"] = int(message.get("flags") or 0)
            await self.send_json(session, {"event": "conf", "status": "OK", "flags": session.state["flags"]})
        elif event == "subscribe":
            await self.subscribe(session, message)
        elif event == "unsubscribe":
            channels: dict[int, Channel] = session.state["channels"]
            chan_id = message.get("chanId")
            if chan_id not in channels:
                await self.send_json(
                    session,
                    {"event": "error", "msg": "unsubscribe: invalid", "code": 10400, "chanId": chan_id},
                )
                return
            del channels[chan_id]
            await self.send_json(session, {"event": "unsubscribed", "status": "OK", "chanId": chan_id})
        elif event == "auth":
            await self.auth(session, message)
        else:
            await self.send_json(session, {"event": "error", "msg": "invalid event", "code": 10000})

    async def auth(self, session: Session, message: dict[str, Any]) -> None:
        def failed(code: int, msg: str) -> dict[str, Any]:
            return {"event": "auth", "status": "FAILED", "chanId": 0, "code": code, "msg": msg}

        if session.kind == "public" or message.get("apiKey") != self.api_key:
            await self.send_json(session, failed(10100, "apikey: invalid"))
            return
        if session.state.get("authed"):
            await self.send_json(session, failed(10101, "auth: dup"))
            return
        nonce = message.get("authNonce")
        payload = str(message.get("authPayload", ""))
        if not isinstance(nonce, int) or payload != f"AUTH{nonce}":
            await self.send_json(session, failed(10102, "auth: invalid payload"))
            return
        if not hmac.compare_digest(sign(self.api_secret, payload), str(message.get("authSig", ""))):
            await self.send_json(session, failed(10103, "auth: invalid signature"))
            return
        if nonce <= self.last_nonce.get(self.api_key, 0):
            await self.send_json(session, failed(10114, "nonce: small"))
            return
        self.last_nonce[self.api_key] = nonce
        session.state["authed"] = True
        session.state["auth_sent"] = time.monotonic()
        session.state["dms"] = message.get("dms")
        await self.send_json(
            session,
            {
                "event": "auth",
                "status": "OK",
                "chanId": 0,
                "userId": USER_ID,
                "auth_id": "7a7f8d0e-local",
                "caps": {"orders": {"read": 1, "write": 1}, "wallets": {"read": 1, "write": 0}},
            },
        )
        await self.send_json(session, [0, "ps", []])
        await self.send_json(session, [0, "ws", [self.wallet_row(c) for c in self.wallets]])
        await self.send_json(
            session, [0, "os", [self.order_fields(o) for o in self.matching.orders.values() if o.active]]
        )

    async def on_input(self, session: Session, message: list[Any]) -> None:
        if len(message) != 4 or message[0] != 0 or not isinstance(message[3], dict):
            await self.send_json(session, {"event": "error", "msg": "invalid input", "code": 10000})
            return
        if not session.state.get("authed"):
            await self.send_json(session, {"event": "error", "msg": "auth: required", "code": 10100})
            return
        kind, params = message[1], message[3]
        request_kind = f"{kind}-req"
        if kind == "on":
            if self.faults.drop_order_reply > 0:
                self.faults.drop_order_reply -= 1
                if self.faults.act_before_drop:
                    with contextlib.suppress(BitfinexError):
                        self.new_order(params)
                self.abort(session)
                return
            try:
                order = self.new_order(params)
            except BitfinexError as error:
                amount = self.number_or_none(params.get("amount"))  # numbers, as Bitfinex writes them
                rejected = [None, None, params.get("cid"), params.get("symbol"), None, None, amount, amount]
                rejected += [params.get("type")] + [None] * 23
                await self.notify(session, request_kind, rejected, "ERROR", error.text)
                return
            await self.notify(
                session, request_kind, self.order_fields(order), "SUCCESS", "Submitting 1 orders."
            )
        elif kind == "oc":
            try:
                order = self.cancel(params)
            except BitfinexError as error:
                await self.notify(session, request_kind, None, "ERROR", error.text)
                return
            await self.notify(
                session,
                request_kind,
                self.order_fields(order),
                "SUCCESS",
                f"Submitted for cancellation; waiting for confirmation (ID: {order.extra['id']}).",
            )
        else:
            await self.notify(session, request_kind, None, "ERROR", f"{kind}: unsupported")

    @staticmethod
    def number_or_none(value: Any) -> int | float | None:
        try:
            return num(Decimal(str(value)))
        except (ArithmeticError, ValueError):
            return None

    async def notify(self, session: Session, kind: str, data: Any, status: str, text: str) -> None:
        await self.send_json(session, [0, "n", [self.now_ms(), kind, None, None, data, None, status, text]])

    def push_account(self, kind: str, data: list[Any]) -> None:
        for session in list(self.sessions):
            if session.state.get("authed") and not session.ws.closed:
                session.state["auth_sent"] = time.monotonic()
                self.push(session, [0, kind, data])

    async def subscribe(self, session: Session, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        echo = {k: v for k, v in message.items() if k not in ("event",)}

        async def fail(code: int, msg: str) -> None:
            await self.send_json(session, {"event": "error", "msg": msg, "code": code, **echo})

        if channel not in ("ticker", "trades", "book", "candles"):
            await fail(10302, f"subscribe: unknown channel {channel}")
            return
        if channel == "candles":
            key = str(message.get("key", ""))
            parts = key.split(":", 2)
            if (
                len(parts) != 3
                or parts[0] != "trade"
                or parts[1] not in TIMEFRAME_MS
                or parts[2] not in PAIRS
            ):
                await fail(10300, "subscribe: invalid key")
                return
            symbol = parts[2]
        else:
            symbol = str(message.get("symbol", ""))
            if symbol not in PAIRS:
                await fail(10300, "symbol: invalid")
                return
            key = symbol
        if channel == "book":
            if message.get("prec", "P0") not in ("P0", "P1", "P2", "P3", "P4", "R0"):
                await fail(10300, "prec: invalid")
                return
            if str(message.get("len", "25")) not in BOOK_LENGTHS:
                await fail(10300, "len: invalid")
                return
        channels: dict[int, Channel] = session.state["channels"]
        if any(c.channel == channel and c.key == key for c in channels.values()):
            await fail(10301, "subscribe: dup")
            return
        chan = Channel(next(self._chan_ids), str(channel), key, message)
        channels[chan.chan_id] = chan
        reply: dict[str, Any] = {"event": "subscribed", "channel": channel, "chanId": chan.chan_id}
        if channel == "candles":
            reply["key"] = key
        else:
            reply.update({"symbol": symbol, "pair": PAIRS[symbol].pair})
        if channel == "book":
            reply.update(
                {
                    "prec": message.get("prec", "P0"),
                    "freq": message.get("freq", "F0"),
                    "len": str(message.get("len", "25")),
                }
            )
        if "subId" in message:
            reply["subId"] = message["subId"]
        await self.send_json(session, reply)
        await self.send_channel(session, chan, self.snapshot(chan, symbol))
        if channel == "book":
            await self.send_checksum(session, chan, symbol)

    def snapshot(self, chan: Channel, symbol: str) -> list[Any]:
        if chan.channel == "ticker":
            return self.ticker_fields(symbol)
        if chan.channel == "trades":
            last = self.last_trades.get(symbol)
            return [last] if last else []
        if chan.channel == "book":
            raw = chan.request.get("prec") == "R0"
            state = self.book_rows(symbol, int(chan.request.get("len", "25")), raw)
            chan.request["_state"] = {(row[0], row[2] > 0): row for row in state}
            return state
        step = TIMEFRAME_MS[chan.key.split(":")[1]]
        now = self.now_ms()
        return [self.candle(now - now % step - i * step, step) for i in range(10)]

    async def send_channel(self, session: Session, chan: Channel, payload: Any) -> None:
        chan.last_sent = time.monotonic()
        await self.send_json(session, [chan.chan_id, payload])

    async def send_checksum(self, session: Session, chan: Channel, symbol: str) -> None:
        if not session.state.get("flags", 0) & FLAG_CHECKSUM:
            return
        bids, asks = self.matching.book(symbol)
        raw = chan.request.get("prec") == "R0"  # raw books are checked over order ids, not prices

        def key(price: Decimal) -> str:
            return str(self.level_order_id(price)) if raw else json.dumps(num(price))

        parts: list[str] = []
        for index in range(25):
            if index < len(bids):
                parts += [key(bids[index][0]), json.dumps(num(bids[index][1]))]
            if index < len(asks):
                parts += [key(asks[index][0]), json.dumps(num(-asks[index][1]))]
        crc = zlib.crc32(":".join(parts).encode())
        signed = crc - (1 << 32) if crc >= 1 << 31 else crc
        await self.send_json(session, [chan.chan_id, "cs", signed])

    def channels_for(self, channel: str, key: str) -> list[tuple[Session, Channel]]:
        found = []
        for session in list(self.sessions):
            if session.ws.closed:
                continue
            for chan in session.state.get("channels", {}).values():
                if chan.channel == channel and chan.key == key:
                    found.append((session, chan))
        return found

    def publish_book(self, symbol: str) -> None:
        for session, chan in self.channels_for("book", symbol):
            length = int(chan.request.get("len", "25"))
            raw = chan.request.get("prec") == "R0"
            before: dict[tuple[Any, bool], list[Any]] = chan.request.get("_state", {})
            rows = self.book_rows(symbol, length, raw)
            after = {(row[0], row[2] > 0): row for row in rows}
            # a level that went away: COUNT 0 (aggregated) or PRICE 0 (raw), AMOUNT 1 for bids and -1 for asks
            updates = [[key, 0, 1 if bid else -1] for (key, bid) in before if (key, bid) not in after]
            updates += [row for k, row in after.items() if before.get(k) != row]
            chan.request["_state"] = after

            async def send(
                session: Session = session, chan: Channel = chan, updates: list[Any] = updates
            ) -> None:
                for update in updates:
                    await self.send_channel(session, chan, update)
                await self.send_checksum(session, chan, symbol)

            asyncio.get_running_loop().create_task(send())
        for session, chan in self.channels_for("ticker", symbol):
            asyncio.get_running_loop().create_task(
                self.send_channel(session, chan, self.ticker_fields(symbol))
            )

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        amount = -Decimal(quantity) if buyer_maker else Decimal(quantity)
        trade = [self.next_id() + 400_000_000, self.now_ms(), num(amount), num(Decimal(price))]
        self.last_trades[symbol] = trade
        for session, chan in self.channels_for("trades", symbol):
            chan.last_sent = time.monotonic()
            self.push(session, [chan.chan_id, "te", trade])
        for session, chan in self.channels_for("ticker", symbol):
            asyncio.get_running_loop().create_task(
                self.send_channel(session, chan, self.ticker_fields(symbol))
            )
