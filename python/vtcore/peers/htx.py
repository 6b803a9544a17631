"""A local HTX (formerly Huobi) spot venue, written from HTX's documents as the reference notes give them
(venues.md §4, §12) and the error codes HTX answers with, not from vtcore's gateway.

What every HTX venue shares (the futures venue in `htx_futures.py` builds on `HtxVenueBase`):

- Signature v2: `AccessKeyId`, `SignatureMethod=HmacSHA256`, `SignatureVersion=2`, `Timestamp`
  (`YYYY-MM-DDThh:mm:ss` UTC, at most 5 minutes off) and `Signature = base64(HMAC_SHA256(secret,
  METHOD\\nhost\\npath\\nsorted-encoded-query))` in the query string; a POST's JSON body is not signed. The
  host is the
  one the client addressed (lower case). A client on the real venue signs `api.huobi.pro` and connects to
  port 443,
  so it never has to choose between the host with or without a port; on loopback some clients sign `host:port`
  (the URL's authority, ccxt) and others the bare host (`urlparse().hostname`, HTX's SDK), and both are
  accepted.
- WebSocket heartbeats are JSON, not protocol pings: the server sends `{"ping": ts}` (market streams),
  `{"action": "ping", "data": {"ts": ts}}` (spot `/ws/v2`) or `{"op": "ping", "ts": "ts"}` (futures
  notifications)
  and drops a connection that left two pings in a row unanswered. Only the documented answer counts: vn.py's
  `{"action": "pong", "ts": ...}` on `/ws/v2` (vnpy.md §10.7) is not one.
- Market streams (and every futures stream) send gzip-compressed binary frames; spot `/ws/v2` sends text.

The spot venue: REST v1 (`/v1/common/*`, `/market/*`, `/v1/account/*`, `/v1/order/*`) answering
`{"status": "ok", "data": ...}` or `{"status": "error", "err-code": ..., "err-msg": ..., "data": null}`;
market WebSocket `/ws` (`sub`/`unsub`/`req` of `market.$symbol.{bbo,depth.step0,mbp.refresh.N,mbp.N,
trade.detail,detail,ticker}`) and `/feed` (the incremental `mbp.N` book and its `req` snapshot); the
authenticated
v2 stream `/ws/v2` (`auth` signed with signature version 2.1 over `/ws/v2`, then `orders#symbol`,
`trade.clearing#symbol#mode`, `accounts.update#mode`).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from aiohttp import web

from vtcore.peers.base import Session, VenueServer, int_param
from vtcore.peers.matching import Execution, SimOrder

#: the key pair of HTX's signature example (venues.md §4)
API_KEY = "e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx"
API_SECRET = "b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx"
ACCOUNT_ID = 10000001
FEE_RATE = Decimal("0.002")
TIMESTAMP_TOLERANCE_S = 300
#: kline periods HTX serves and their length in seconds
PERIOD_SECONDS = {
    "1min": 60,
    "5min": 300,
    "15min": 900,
    "30min": 1800,
    "60min": 3600,
    "4hour": 14400,
    "1day": 86400,
    "1week": 604800,
    "1mon": 2592000,
}
ZERO = Decimal(0)


def hmac_base64(secret: str, payload: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()).decode()


def encoded_query(params: Mapping[str, str]) -> str:
    """HTX's canonical query: keys in ASCII order, values percent-encoded (`quote(v, safe='')`)."""
    return "&".join(f"{key}={urllib.parse.quote(str(params[key]), safe='')}" for key in sorted(params))


def signature_v2(secret: str, method: str, host: str, path: str, params: Mapping[str, str]) -> str:
    return hmac_base64(secret, f"{method}\n{host.lower()}\n{path}\n{encoded_query(params)}")


def hosts_of(request: web.Request) -> tuple[str, ...]:
    """The host a client may have signed: the Host header as sent, and without its port (see the module
    doc)."""
    host = (request.headers.get("Host") or request.host).lower()
    bare = host.rsplit(":", 1)[0] if ":" in host and not host.endswith("]") else host
    return (host, bare) if bare != host else (host,)


class SignatureError(Exception):
    """A refused Signature v2 check; `kind` is one of "missing", "key", "timestamp", "signature" (each venue
    family words it in its own error shape)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def check_signature_v2(
    request_method: str,
    hosts: tuple[str, ...],
    path: str,
    params: Mapping[str, str],
    *,
    key: str,
    secret: str,
    now_ms: int,
    names: tuple[str, str, str, str, str] = (
        "AccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Signature",
    ),
    version: str = "2",
) -> None:
    """Check HTX's signature over `params` (everything signed, `Signature` included); raise SignatureError."""
    key_name, method_name, version_name, stamp_name, signature_name = names
    for name in names:
        if not params.get(name):
            raise SignatureError("missing", f"Signature not valid: Field is missing: {name}")
    if params[key_name] != key:
        raise SignatureError("key", "Signature not valid: Incorrect Access key [Access key错误]")
    if params[method_name] != "HmacSHA256" or params[version_name] != version:
        raise SignatureError("signature", "Signature not valid: Verification failure [校验失败]")
    try:
        moment = dt.datetime.strptime(params[stamp_name], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise SignatureError("timestamp", "Signature not valid: Timestamp format error") from None
    if abs(moment.timestamp() - now_ms / 1000) > TIMESTAMP_TOLERANCE_S:
        raise SignatureError("timestamp", "Signature not valid: Timestamp expired [时间戳过期]")
    signed = {name: value for name, value in params.items() if name != signature_name}
    given = params[signature_name]
    for host in hosts:
        if hmac.compare_digest(signature_v2(secret, request_method, host, path, signed), given):
            return
    raise SignatureError("signature", "Signature not valid: Verification failure [校验失败]")


def number(value: Decimal) -> float | int:
    """A market-data number as HTX's streams write it (JSON numbers, not strings)."""
    return int(value) if value == value.to_integral_value() else float(value)


def plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


@dataclass
class PingState:
    """The venue's outstanding pings on one session (only an answer to one of them proves the client
    alive)."""

    sent: list[int]


class HtxVenueBase(VenueServer):
    """The parts every HTX venue shares: Signature v2, JSON heartbeats and gzip frames."""

    ping_interval: float | None = 5.0  # HTX pings every 5 s (20 s on /ws/v2; tests shrink both)
    any_frame_is_alive = False
    #: how many unanswered pings in a row end a connection
    missed_pongs_allowed = 2
    #: the session kinds whose frames are gzip-compressed binary
    gzip_kinds: frozenset[str] = frozenset()
    #: signed requests one key may make per window (spot: 100 per 10 s; None: unlimited)
    request_limit: tuple[int, float] | None = (100, 10.0)

    def __init__(self) -> None:
        super().__init__()
        self.api_key, self.api_secret = API_KEY, API_SECRET
        self.bad_frames: list[tuple[str, str]] = []  # (kind, raw) of client frames the venue could not read
        self._signed_times: list[float] = []  # when each recent signed request arrived (monotonic)

    @property
    def pong_timeout(self) -> float:  # type: ignore[override]
        assert self.ping_interval is not None
        return self.ping_interval * (self.missed_pongs_allowed + 0.5)

    # ---- frames

    def encode_frame(self, session: Session, text: str) -> str | bytes:
        if session.kind in self.gzip_kinds:
            return gzip.compress(text.encode(), compresslevel=1)
        return text

    async def serve_htx_ws(
        self, request: web.Request, kind: str, on_message: Callable[[Session, Any], Coroutine[Any, Any, None]]
    ) -> web.WebSocketResponse:
        async def on_frame(session: Session, raw: str) -> None:
            try:
                message = json.loads(raw)
                if not isinstance(message, dict):
                    raise ValueError("not an object")
            except ValueError:
                self.bad_frames.append((kind, raw))
                await self.on_bad_frame(session, raw)
                return
            self.ws_log.append((kind, message))
            if await self.take_pong(session, message):
                return
            await on_message(session, message)

        return await self.serve_ws(request, kind, on_frame)

    async def serve_ws(
        self,
        request: web.Request,
        kind: str,
        on_frame: Callable[[Session, str], Coroutine[Any, Any, None]],
        session: Session | None = None,
        on_binary: Callable[[Session, bytes], Coroutine[Any, Any, None]] | None = None,
    ) -> web.WebSocketResponse:
        # authenticated streams sign over the host the client addressed: keep the upgrade request at hand
        session = session or Session(ws=web.WebSocketResponse(), kind=kind)
        session.state["request"] = request
        return await super().serve_ws(request, kind, on_frame, session, on_binary)

    async def on_bad_frame(self, session: Session, raw: str) -> None:
        await self.send_market_error(session, None, "invalid request")

    async def send_market_error(self, session: Session, request_id: Any, message: str) -> None:
        """A market stream's refusal (`bad-request`), echoing the request's id."""
        reply = {"status": "error", "ts": self.now_ms(), "err-code": "bad-request", "err-msg": message}
        await self.send_json(session, reply if request_id is None else {"id": request_id, **reply})

    # ---- heartbeats

    def ping_message(self, session: Session, stamp: int) -> dict[str, Any]:
        """The venue's ping on `session` (market streams: `{"ping": ts}`)."""
        return {"ping": stamp}

    def pong_stamp(self, session: Session, message: Mapping[str, Any]) -> Any:
        """The stamp a documented pong on `session` carries, or None when `message` is not a pong."""
        return message.get("pong")

    def is_pong_like(self, message: Mapping[str, Any]) -> bool:
        """A frame that tries to be a pong (even a malformed one), so it is never taken for a request."""
        return "pong" in message or message.get("action") == "pong" or message.get("op") == "pong"

    async def send_ping(self, session: Session) -> None:
        stamp = self.now_ms()
        state = session.state.setdefault("pings", PingState([]))
        state.sent = [*state.sent[-4:], stamp]
        await self.send_json(session, self.ping_message(session, stamp))

    async def take_pong(self, session: Session, message: Mapping[str, Any]) -> bool:
        if not self.is_pong_like(message):
            return False
        stamp = self.pong_stamp(session, message)
        state = session.state.get("pings")
        try:
            answered = state is not None and int(stamp) in state.sent
        except (TypeError, ValueError):
            answered = False
        if answered:
            session.last_pong = time.monotonic()
            session.pongs += 1
        return True

    # ---- REST

    def answer(self, payload: Any, status: int = 200) -> web.Response:
        return web.Response(status=status, text=json.dumps(payload), content_type="application/json")

    def verify_rest_signature(self, request: web.Request) -> None:
        """Check the signature, then the key's request budget (RateLimitedError when it is spent)."""
        check_signature_v2(
            request.method,
            hosts_of(request),
            request.path,
            dict(request.query),
            key=self.api_key,
            secret=self.api_secret,
            now_ms=self.now_ms(),
        )
        if self.request_limit is not None:
            count, seconds = self.request_limit
            now = time.monotonic()
            self._signed_times = [t for t in self._signed_times if t > now - seconds]
            self._signed_times.append(now)
            if len(self._signed_times) > count:
                raise RateLimitedError


class RateLimitedError(Exception):
    """A key spent its request budget (each venue family answers with its own 429 body)."""


#: the most a limit order / a market sell may ask for, in the base currency (the symbol listing's
#: `limit-order-max-order-amt` / `sell-market-max-order-amt`, enforced on orders as HTX does)
LIMIT_ORDER_MAX_AMOUNT = Decimal(10000)
SELL_MARKET_MAX_AMOUNT = Decimal(1000)


@dataclass(frozen=True)
class SpotSymbol:
    symbol: str
    base: str
    quote: str
    price_precision: int
    amount_precision: int
    min_amount: str
    min_value: str

    @property
    def tick(self) -> Decimal:
        return Decimal(1).scaleb(-self.price_precision)

    @property
    def step(self) -> Decimal:
        return Decimal(1).scaleb(-self.amount_precision)


SPOT_SYMBOLS = (
    SpotSymbol("btcusdt", "btc", "usdt", 2, 6, "0.0001", "5"),
    SpotSymbol("ethusdt", "eth", "usdt", 2, 4, "0.001", "5"),
)
ORDER_TYPES = (
    "buy-market",
    "sell-market",
    "buy-limit",
    "sell-limit",
    "buy-ioc",
    "sell-ioc",
    "buy-limit-maker",
    "sell-limit-maker",
    "buy-limit-fok",
    "sell-limit-fok",
)
#: matching-core time in force of each HTX order type's suffix
TYPE_TIF = {"market": "IOC", "limit": "GTC", "ioc": "IOC", "limit-maker": "POST_ONLY", "limit-fok": "FOK"}


class HtxError(Exception):
    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class HtxSpotVenue(HtxVenueBase):
    gzip_kinds = frozenset({"market", "feed"})

    def __init__(self) -> None:
        super().__init__()
        self.symbols = {item.symbol: item for item in SPOT_SYMBOLS}
        self.balances: dict[str, Decimal] = {
            "usdt": Decimal("100000"),
            "btc": Decimal("1"),
            "eth": Decimal("10"),
        }
        self.account_id = ACCOUNT_ID
        self.fees: dict[int, Decimal] = {}  # trade id -> fee charged
        #: the next N `orders#` pushes report an orderStatus no client knows ("paused")
        self.odd_states = 0
        #: the next N answers to getClientOrder report a state no client knows ("paused")
        self.odd_queries = 0
        self._book_seq: dict[str, int] = {}
        self._book_sent: dict[str, tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]] = {}
        self._balance_seq = 1000
        self._last: dict[str, tuple[Decimal, Decimal]] = {}

    def build_app(self) -> web.Application:
        app = web.Application()
        add = app.router.add_route
        add("GET", "/v1/common/timestamp", self.endpoint(False, self.timestamp))
        add("GET", "/v1/common/symbols", self.endpoint(False, self.common_symbols))
        add("GET", "/v2/reference/currencies", self.endpoint(False, self.reference_currencies))
        add("GET", "/market/depth", self.endpoint(False, self.depth))
        add("GET", "/market/detail/merged", self.endpoint(False, self.detail_merged))
        add("GET", "/market/tickers", self.endpoint(False, self.tickers))
        add("GET", "/market/history/kline", self.endpoint(False, self.history_kline))
        add("GET", "/market/history/candles", self.endpoint(False, self.history_candles))
        add("GET", "/market/history/trade", self.endpoint(False, self.history_trade))
        add("GET", "/v1/account/accounts", self.endpoint(True, self.accounts))
        add("GET", "/v1/account/accounts/{account_id}/balance", self.endpoint(True, self.balance))
        add("POST", "/v1/order/orders/place", self.endpoint(True, self.place))
        add("POST", "/v1/order/orders/{order_id}/submitcancel", self.endpoint(True, self.submit_cancel))
        add("POST", "/v1/order/orders/submitCancelClientOrder", self.endpoint(True, self.cancel_client_order))
        add("GET", "/v1/order/openOrders", self.endpoint(True, self.open_orders))
        add("GET", "/v1/order/orders/getClientOrder", self.endpoint(True, self.get_client_order))
        add("GET", "/v1/order/orders/{order_id}", self.endpoint(True, self.get_order))
        add("GET", "/v1/order/orders/{order_id}/matchresults", self.endpoint(True, self.order_matchresults))
        add("GET", "/v1/order/matchresults", self.endpoint(True, self.matchresults))
        app.router.add_get("/ws", self.market_ws)
        # HTX's SDK sends the market stream of a host whose name does not start with "api" to /api/ws
        app.router.add_get("/api/ws", self.market_ws)
        app.router.add_get("/feed", self.feed_ws)
        app.router.add_get("/ws/v2", self.private_ws)
        app.router.add_route("*", "/{path:.*}", self.unknown_path)
        return app

    # ---- REST plumbing

    def endpoint(self, signed: bool, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                if signed:
                    try:
                        self.verify_rest_signature(request)
                    except SignatureError as error:
                        raise HtxError("api-signature-not-valid", error.detail) from None
                    except RateLimitedError:
                        return self.rate_limited_response()
                params: dict[str, Any] = dict(request.query)
                params.update(request.match_info)
                if request.method == "POST":
                    body = await request.text()
                    if body:
                        try:
                            decoded = json.loads(body)
                        except ValueError:
                            raise HtxError("bad-request", "invalid JSON body") from None
                        if not isinstance(decoded, dict):
                            raise HtxError("bad-request", "invalid JSON body")
                        params.update(decoded)
                payload = await handler(params)
                if "status" not in payload:
                    payload = {"status": "ok", **payload}
                elif payload["status"] is None:  # a v2 answer: `code`, no `status`
                    del payload["status"]
                return self.answer(payload)
            except HtxError as error:
                return self.answer(
                    {"status": "error", "err-code": error.code, "err-msg": error.message, "data": None},
                    error.status,
                )

        return wrapped

    async def unknown_path(self, request: web.Request) -> web.Response:
        """A path HTX does not serve (or no longer serves) answers in HTX's error shape, not aiohttp's
        text."""
        body = {"status": "error", "err-code": "invalid-parameter", "err-msg": f"invalid path {request.path}"}
        return self.answer({**body, "data": None}, 404)

    def unavailable_response(self) -> web.Response:
        body = {
            "status": "error",
            "err-code": "gateway-internal-error",
            "err-msg": "Failed to load data. Try again later.",
        }
        return self.answer({**body, "data": None}, 503)

    def rate_limited_response(self) -> web.Response:
        body = {"status": "error", "err-code": "rate-too-many-requests", "err-msg": "exceeded rate limit"}
        return self.answer({**body, "data": None}, 429)

    def spot_symbol(self, params: Mapping[str, Any], name: str = "symbol") -> SpotSymbol:
        value = params.get(name)
        if not value:
            raise HtxError("invalid-parameter", f"invalid {name}")
        item = self.symbols.get(str(value))
        if item is None:
            raise HtxError("invalid-parameter", "invalid symbol")
        return item

    # ---- public REST

    async def timestamp(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"data": self.now_ms()}

    async def common_symbols(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "data": [
                {
                    "base-currency": item.base,
                    "quote-currency": item.quote,
                    "price-precision": item.price_precision,
                    "amount-precision": item.amount_precision,
                    "symbol-partition": "main",
                    "symbol": item.symbol,
                    "state": "online",
                    "value-precision": 8,
                    "min-order-amt": float(item.min_amount),
                    "max-order-amt": float(LIMIT_ORDER_MAX_AMOUNT),
                    "min-order-value": float(item.min_value),
                    "limit-order-min-order-amt": float(item.min_amount),
                    "limit-order-max-order-amt": float(LIMIT_ORDER_MAX_AMOUNT),
                    "sell-market-min-order-amt": float(item.min_amount),
                    "sell-market-max-order-amt": float(SELL_MARKET_MAX_AMOUNT),
                    "buy-market-max-order-value": 1000000,
                    "leverage-ratio": 5,
                    "super-margin-leverage-ratio": 3,
                    "funding-leverage-ratio": 3,
                    "api-trading": "enabled",
                    "tags": "",
                }
                for item in self.symbols.values()
            ]
        }

    async def reference_currencies(self, params: dict[str, Any]) -> dict[str, Any]:
        """The v2 currency list (`{"code": 200, "data": [...]}`): one chain per currency is enough here."""
        currencies = sorted({item.base for item in self.symbols.values()} | {"usdt"})
        if params.get("currency"):
            currencies = [c for c in currencies if c == params["currency"]]
        return {
            "status": None,
            "code": 200,
            "data": [
                {
                    "currency": currency,
                    "assetType": 1,
                    "instStatus": "normal",
                    "chains": [
                        {
                            "chain": currency,
                            "displayName": currency.upper(),
                            "baseChain": currency.upper(),
                            "baseChainProtocol": "",
                            "isDynamic": False,
                            "numOfConfirmations": 12,
                            "numOfFastConfirmations": 6,
                            "depositStatus": "allowed",
                            "minDepositAmt": "0.0001",
                            "withdrawStatus": "allowed",
                            "minWithdrawAmt": "0.001",
                            "withdrawPrecision": 8,
                            "maxWithdrawAmt": "1000",
                            "withdrawQuotaPerDay": "1000",
                            "withdrawQuotaPerYear": None,
                            "withdrawQuotaTotal": None,
                            "withdrawFeeType": "fixed",
                            "transactFeeWithdraw": "0.0005",
                            "addrWithTag": False,
                            "addrDepositTag": False,
                        }
                    ],
                }
                for currency in currencies
            ],
        }

    def levels(self, symbol: str, depth: int) -> tuple[list[list[float | int]], list[list[float | int]]]:
        bids, asks = self.matching.book(symbol)
        return (
            [[number(p), number(q)] for p, q in bids[:depth]],
            [[number(p), number(q)] for p, q in asks[:depth]],
        )

    async def depth(self, params: dict[str, Any]) -> dict[str, Any]:
        item = self.spot_symbol(params)
        step = params.get("type")
        if step not in ("step0", "step1", "step2", "step3", "step4", "step5"):
            raise HtxError("invalid-parameter", "invalid type")
        size = int_param(params, "depth", 150, lambda name: HtxError("invalid-parameter", "invalid depth"))
        if size not in (5, 10, 20, 150):
            raise HtxError("invalid-parameter", "invalid depth")
        bids, asks = self.levels(item.symbol, size)
        now = self.now_ms()
        return {
            "ch": f"market.{item.symbol}.depth.{step}",
            "ts": now,
            "tick": {"ts": now, "version": self._book_seq.get(item.symbol, 1), "bids": bids, "asks": asks},
        }

    def ticker_fields(self, item: SpotSymbol) -> dict[str, Any]:
        bids, asks = self.matching.book(item.symbol)
        last, last_size = self._last.get(item.symbol, (ZERO, ZERO))
        return {
            "open": 9000,
            "high": 11000,
            "low": 8000,
            "close": number(last),
            "amount": 123.4,
            "vol": 1234567.8,
            "count": 4321,
            "bid": number(bids[0][0]) if bids else 0,
            "bidSize": number(bids[0][1]) if bids else 0,
            "ask": number(asks[0][0]) if asks else 0,
            "askSize": number(asks[0][1]) if asks else 0,
            "lastPrice": number(last),
            "lastSize": number(last_size),
        }

    async def detail_merged(self, params: dict[str, Any]) -> dict[str, Any]:
        item = self.spot_symbol(params)
        fields = self.ticker_fields(item)
        now = self.now_ms()
        tick = {
            "id": now // 1000,
            "version": self._book_seq.get(item.symbol, 1),
            **{name: fields[name] for name in ("open", "close", "low", "high", "amount", "vol", "count")},
            "bid": [fields["bid"], fields["bidSize"]],
            "ask": [fields["ask"], fields["askSize"]],
        }
        return {"ch": f"market.{item.symbol}.detail.merged", "ts": now, "tick": tick}

    async def tickers(self, params: dict[str, Any]) -> dict[str, Any]:
        rows = []
        for item in self.symbols.values():
            fields = self.ticker_fields(item)
            del fields["lastPrice"], fields["lastSize"]
            rows.append({"symbol": item.symbol, **fields})
        return {"ts": self.now_ms(), "data": rows}

    async def history_kline(self, params: dict[str, Any]) -> dict[str, Any]:
        item = self.spot_symbol(params)
        period = params.get("period")
        seconds = PERIOD_SECONDS.get(str(period))
        if seconds is None:
            raise HtxError("invalid-parameter", "invalid period")
        try:
            size = int(params.get("size", 150))
        except ValueError:
            raise HtxError("invalid-parameter", "invalid size") from None
        if not 1 <= size <= 2000:
            raise HtxError("invalid-parameter", "invalid size, valid range: [1,2000]")
        return {
            "ch": f"market.{item.symbol}.kline.{period}",
            "ts": self.now_ms(),
            "data": kline_rows(self.now_ms() // 1000, seconds, size),
        }

    async def history_candles(self, params: dict[str, Any]) -> dict[str, Any]:
        """The historical kline endpoint: up to `size` (<= 1000) bars, newest first, within `from`..`to`."""
        item = self.spot_symbol(params)
        period = params.get("period")
        seconds = PERIOD_SECONDS.get(str(period))
        if seconds is None:
            raise HtxError("invalid-parameter", "invalid period")
        try:
            size = int(params.get("size", 150))
            start = int(params["from"]) if params.get("from") else None
            end = int(params["to"]) if params.get("to") else self.now_ms() // 1000
        except ValueError:
            raise HtxError("invalid-parameter", "invalid size, from or to") from None
        if not 1 <= size <= 1000:
            raise HtxError("invalid-parameter", "invalid size, valid range: [1,1000]")
        end = min(end, self.now_ms() // 1000)
        rows = [row for row in kline_rows(end, seconds, size) if start is None or row["id"] >= start]
        return {"ch": f"market.{item.symbol}.kline.{period}", "ts": self.now_ms(), "data": rows}

    async def history_trade(self, params: dict[str, Any]) -> dict[str, Any]:
        item = self.spot_symbol(params)
        last, size = self._last.get(item.symbol, (ZERO, ZERO))
        now = self.now_ms()
        rows = []
        if last:
            rows.append(
                {
                    "id": now,
                    "ts": now,
                    "data": [
                        {
                            "id": now,
                            "ts": now,
                            "trade-id": 100001,
                            "amount": number(size),
                            "price": number(last),
                            "direction": "buy",
                        }
                    ],
                }
            )
        return {"ch": f"market.{item.symbol}.trade.detail", "ts": now, "data": rows}

    # ---- account

    def locked(self) -> dict[str, Decimal]:
        locked: dict[str, Decimal] = {}
        for order in self.matching.orders.values():
            if not order.active:
                continue
            item = self.symbols[order.symbol]
            if order.side == "BUY":
                locked[item.quote] = locked.get(item.quote, ZERO) + order.remaining * order.price
            else:
                locked[item.base] = locked.get(item.base, ZERO) + order.remaining
        return locked

    def available(self, currency: str) -> Decimal:
        return self.balances.get(currency, ZERO) - self.locked().get(currency, ZERO)

    def check_account(self, params: Mapping[str, Any], name: str = "account-id") -> None:
        if str(params.get(name, "")) != str(self.account_id):
            raise HtxError(
                "account-get-accounts-inexistent-error",
                f"account for id `{params.get(name)}` and user id does not exist",
            )

    async def accounts(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"data": [{"id": self.account_id, "type": "spot", "subtype": "", "state": "working"}]}

    async def balance(self, params: dict[str, Any]) -> dict[str, Any]:
        self.check_account(params, "account_id")
        locked = self.locked()
        rows = []
        for currency, amount in self.balances.items():
            frozen = locked.get(currency, ZERO)
            rows.append(
                {"currency": currency, "type": "trade", "balance": plain(amount - frozen), "seq-num": "1"}
            )
            rows.append({"currency": currency, "type": "frozen", "balance": plain(frozen), "seq-num": "1"})
        return {"data": {"id": self.account_id, "type": "spot", "state": "working", "list": rows}}

    # ---- orders

    async def place(self, params: dict[str, Any]) -> dict[str, Any]:
        self.check_account(params)
        item = self.spot_symbol(params)
        kind = params.get("type")
        if kind not in ORDER_TYPES:
            raise HtxError("invalid-parameter", "invalid type")
        side, _, suffix = str(kind).partition("-")
        client_id = str(params.get("client-order-id") or "")
        if len(client_id) > 64:
            raise HtxError("invalid-parameter", "invalid client-order-id")
        if client_id and any(o.client_id == client_id and o.active for o in self.matching.orders.values()):
            raise HtxError("order-client-order-id-duplicated", "client order id duplicated")
        amount = decimal_param(params, "amount")
        if amount is None or amount <= 0:
            raise HtxError("invalid-amount", "Paramemter `amount` is invalid.")
        market = suffix == "market"
        price = ZERO
        if not market:
            price_given = decimal_param(params, "price")
            if price_given is None or price_given <= 0:
                raise HtxError("order-invalid-price", "invalid price")
            price = price_given
            if price % item.tick:
                raise HtxError(
                    "order-orderprice-precision-error",
                    f"order price precision error, scale: `{item.price_precision}`",
                )
        value_order = (
            market and side == "buy"
        )  # a market buy's amount is what to spend, in the quote currency
        if not value_order and amount % item.step:
            raise HtxError(
                "order-orderamount-precision-error",
                f"order amount precision error, scale: `{item.amount_precision}`",
            )
        if not value_order and amount < Decimal(item.min_amount):
            name = "limitorder" if not market else "marketorder"
            raise HtxError(
                f"order-{name}-amount-min-error", f"limit order amount error, min: `{item.min_amount}`"
            )
        most = SELL_MARKET_MAX_AMOUNT if market else LIMIT_ORDER_MAX_AMOUNT  # what the symbol listing says
        if not value_order and amount > most:
            name = "limitorder" if not market else "marketorder"
            raise HtxError(f"order-{name}-amount-max-error", f"limit order amount error, max: `{most}`")
        bids, asks = self.matching.book(item.symbol)
        reference = price or (asks[0][0] if side == "buy" and asks else bids[0][0] if bids else ZERO)
        value = amount if value_order else amount * reference
        if value < Decimal(item.min_value):
            raise HtxError(
                "order-value-min-error", f"Order total cannot be lower than: {item.min_value} USDT"
            )
        quantity = amount
        if value_order:
            if not asks:
                raise HtxError("order-market-order-rejected", "no liquidity for a market order")
            quantity = (amount / asks[0][0]).quantize(item.step, rounding=ROUND_DOWN)
        currency, needed = (item.quote, value) if side == "buy" else (item.base, quantity)
        left = self.available(currency)
        if left < needed:
            raise HtxError(
                "account-frozen-balance-insufficient-error",
                f"trade account balance is not enough, left: `{plain(left)}`",
            )
        if self.faults.reject_orders > 0:
            self.faults.reject_orders -= 1
            raise HtxError(
                "order-holding-limit-failed", "Order failed, exceeded the holding limit of this currency"
            )
        order = SimOrder(
            order_id=self.matching.next_order_id() + 356501383558000,
            client_id=client_id,
            account=str(self.account_id),
            symbol=item.symbol,
            side=side.upper(),
            kind="MARKET" if market else "LIMIT",
            tif=TYPE_TIF[suffix],
            price=price,
            quantity=quantity,
            extra={"type": kind, "amount": amount, "source": str(params.get("source") or "spot-api")},
        )
        if suffix == "limit-maker" and self.matching.would_take(order):
            # HTX accepts a limit-maker order that would take and cancels it straight away
            order.tif = "GTC"
            saved = self.matching.books.get(item.symbol)
            self.matching.books[item.symbol] = ([], [])
            self.matching.place(order)
            if saved is not None:
                self.matching.books[item.symbol] = saved
            self.matching.cancel(order.order_id)
        else:
            self.matching.place(order)
        return {"data": str(order.order_id)}

    def find(self, order_id: Any = None, client_id: Any = None) -> SimOrder | None:
        for order in self.matching.orders.values():
            if order_id is not None and str(order.order_id) == str(order_id):
                return order
            if client_id and order.client_id == client_id:
                return order
        return None

    async def submit_cancel(self, params: dict[str, Any]) -> dict[str, Any]:
        order = self.find(order_id=params["order_id"])
        if order is None:
            raise HtxError("base-record-invalid", "record invalid")
        if self.matching.cancel(order.order_id) is None:
            raise HtxError("order-orderstate-error", "Incorrect order state")
        return {"data": str(order.order_id)}

    async def cancel_client_order(self, params: dict[str, Any]) -> dict[str, Any]:
        client_id = params.get("client-order-id")
        if not client_id:
            raise HtxError("validation-constraints-required", "Field is missing: client-order-id.")
        order = self.find(client_id=client_id)
        if order is None:
            return {"data": -1}  # HTX's "order not found" answer to a cancel by client order id
        if self.matching.cancel(order.order_id) is None:
            return {"data": 0}  # not cancellable any more
        return {"data": 10}  # cancelling

    def render_order(self, order: SimOrder) -> dict[str, Any]:
        fills = self.matching.fills.get(order.order_id, [])
        fees = sum((self.fees.get(fill.trade_id, ZERO) for fill in fills), ZERO)
        state = order_state(order)
        finished = order.updated_ms if state in ("filled", "canceled", "partial-canceled") else 0
        amount = order.extra.get("amount", order.quantity)
        assert isinstance(amount, Decimal)
        return {
            "id": order.order_id,
            "symbol": order.symbol,
            "account-id": self.account_id,
            "client-order-id": order.client_id,
            "amount": plain(amount),
            "price": plain(order.price),
            "created-at": order.created_ms,
            "type": order.extra["type"],
            "field-amount": plain(order.filled),
            "field-cash-amount": plain(order.filled_quote),
            "field-fees": plain(fees),
            "filled-amount": plain(order.filled),
            "filled-cash-amount": plain(order.filled_quote),
            "filled-fees": plain(fees),
            "finished-at": finished,
            "canceled-at": order.updated_ms if "canceled" in state else 0,
            "source": order.extra["source"],
            "state": state,
        }

    async def open_orders(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("account-id") is not None:
            self.check_account(params)
        symbol = params.get("symbol")
        return {
            "data": [
                self.render_order(order)
                for order in sorted(self.matching.orders.values(), key=lambda o: -o.order_id)
                if order.active and (not symbol or order.symbol == symbol)
            ]
        }

    async def get_order(self, params: dict[str, Any]) -> dict[str, Any]:
        order = self.find(order_id=params["order_id"])
        if order is None:
            raise HtxError("base-record-invalid", "record invalid")
        return {"data": self.render_order(order)}

    async def get_client_order(self, params: dict[str, Any]) -> dict[str, Any]:
        client_id = params.get("clientOrderId")
        if not client_id:
            raise HtxError("validation-constraints-required", "Field is missing: clientOrderId.")
        order = self.find(client_id=client_id)
        if order is None:
            raise HtxError("base-record-invalid", "record invalid")
        row = self.render_order(order)
        if self.odd_queries > 0:
            self.odd_queries -= 1
            row["state"] = "paused"
        return {"data": row}

    def fill_rows(self, orders: list[SimOrder]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for order in orders:
            item = self.symbols[order.symbol]
            for fill in self.matching.fills.get(order.order_id, []):
                rows.append(
                    {
                        "id": fill.trade_id * 10 + 7,
                        "order-id": order.order_id,
                        "match-id": fill.trade_id + 100000,
                        "trade-id": fill.trade_id,
                        "symbol": order.symbol,
                        "type": order.extra["type"],
                        "source": order.extra["source"],
                        "price": plain(fill.price),
                        "filled-amount": plain(fill.quantity),
                        "filled-fees": plain(self.fees.get(fill.trade_id, ZERO)),
                        "fee-currency": item.base if order.side == "BUY" else item.quote,
                        "role": "maker" if fill.maker else "taker",
                        "filled-points": "0.0",
                        "fee-deduct-currency": "",
                        "fee-deduct-state": "done",
                        "created-at": fill.time_ms,
                    }
                )
        rows.sort(key=lambda row: -int(row["trade-id"]))
        return rows

    async def order_matchresults(self, params: dict[str, Any]) -> dict[str, Any]:
        order = self.find(order_id=params["order_id"])
        if order is None:
            raise HtxError("base-record-invalid", "record invalid")
        return {"data": self.fill_rows([order])}

    async def matchresults(self, params: dict[str, Any]) -> dict[str, Any]:
        item = self.spot_symbol(params)
        orders = [o for o in self.matching.orders.values() if o.symbol == item.symbol]
        return {"data": self.fill_rows(orders)}

    # ---- executions -> balances and private pushes

    def on_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        item = self.symbols[order.symbol]
        changed: list[str] = [item.quote if order.side == "BUY" else item.base]
        if fill is not None:
            gross = fill.price * fill.quantity
            if order.side == "BUY":
                fee = (fill.quantity * FEE_RATE).quantize(Decimal("1e-12"))
                self.balances[item.base] = self.balances.get(item.base, ZERO) + fill.quantity - fee
                self.balances[item.quote] = self.balances.get(item.quote, ZERO) - gross
            else:
                fee = (gross * FEE_RATE).quantize(Decimal("1e-12"))
                self.balances[item.base] = self.balances.get(item.base, ZERO) - fill.quantity
                self.balances[item.quote] = self.balances.get(item.quote, ZERO) + gross - fee
            self.fees[fill.trade_id] = fee
            changed = [item.base, item.quote]
        self.push_order_event(execution)
        if fill is not None:
            self.push_clearing(execution)
            if not fill.maker:  # the order took liquidity: the book changed for everybody
                self.publish_book(order.symbol)
        self.push_accounts(
            changed,
            "order.match" if fill else "order.place" if execution.kind == "NEW" else "order.cancel",
            fill is not None,
        )

    def push_order_event(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        state = order_state(order)
        if self.odd_states > 0:
            self.odd_states -= 1
            state = "paused"
        amount = order.extra.get("amount", order.quantity)
        assert isinstance(amount, Decimal)
        common: dict[str, Any] = {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "clientOrderId": order.client_id,
            "type": order.extra["type"],
            "orderSource": order.extra["source"],
            "orderStatus": state,
        }
        if order.kind == "LIMIT":
            common.update(orderPrice=plain(order.price), orderSize=plain(order.quantity))
        elif order.side == "BUY":
            common["orderValue"] = plain(amount)
        else:
            common["orderSize"] = plain(order.quantity)
        if execution.kind == "NEW":
            data = {
                "eventType": "creation",
                "accountId": self.account_id,
                "orderCreateTime": order.created_ms,
                **common,
            }
        elif execution.kind == "TRADE" and fill is not None:
            data = {
                "eventType": "trade",
                "tradePrice": plain(fill.price),
                "tradeVolume": plain(fill.quantity),
                "tradeId": fill.trade_id,
                "tradeTime": fill.time_ms,
                "aggressor": not fill.maker,
                "remainAmt": plain(order.remaining),
                "execAmt": plain(order.filled),
                **common,
            }
        elif execution.kind in ("CANCELED", "EXPIRED"):
            data = {
                "eventType": "cancellation",
                "remainAmt": plain(order.remaining),
                "execAmt": plain(order.filled),
                "lastActTime": order.updated_ms,
                **common,
            }
        else:
            return
        for session, channel in self.private_subscribers(
            lambda ch: ch in (f"orders#{order.symbol}", "orders#*")
        ):
            self.push(session, {"action": "push", "ch": channel, "data": data})

    def push_clearing(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        assert fill is not None
        item = self.symbols[order.symbol]
        data = {
            "eventType": "trade",
            "symbol": order.symbol,
            "orderId": order.order_id,
            "tradePrice": plain(fill.price),
            "tradeVolume": plain(fill.quantity),
            "orderSide": order.side.lower(),
            "orderType": order.extra["type"],
            "aggressor": not fill.maker,
            "tradeId": fill.trade_id,
            "tradeTime": fill.time_ms,
            "transactFee": plain(self.fees.get(fill.trade_id, ZERO)),
            "feeCurrency": item.base if order.side == "BUY" else item.quote,
            "feeDeduct": "",
            "feeDeductType": "",
            "accountId": self.account_id,
            "source": order.extra["source"],
            "orderPrice": plain(order.price),
            "orderSize": plain(order.quantity),
            "clientOrderId": order.client_id,
            "orderCreateTime": order.created_ms,
            "orderStatus": order_state(order),
        }
        for session, channel in self.private_subscribers(
            lambda ch: ch.startswith(f"trade.clearing#{order.symbol}#") or ch.startswith("trade.clearing#*#")
        ):
            self.push(session, {"action": "push", "ch": channel, "data": data})

    def push_accounts(self, currencies: list[str], change_type: str, balance_changed: bool) -> None:
        locked = self.locked()
        for currency in currencies:
            self._balance_seq += 1
            total = self.balances.get(currency, ZERO)
            available = total - locked.get(currency, ZERO)
            for session, channel in self.private_subscribers(lambda ch: ch.startswith("accounts.update#")):
                mode = channel.rpartition("#")[2]
                if mode == "0" and not balance_changed:
                    continue
                data: dict[str, Any] = {
                    "currency": currency,
                    "accountId": self.account_id,
                    "changeType": change_type,
                    "accountType": "trade",
                    "changeTime": self.now_ms(),
                    "seqNum": self._balance_seq,
                }
                if mode == "0":
                    data["balance"] = plain(total)
                elif mode == "1":
                    data["available"] = plain(available)
                    if balance_changed:
                        data["balance"] = plain(total)
                else:
                    data.update(balance=plain(total), available=plain(available))
                self.push(session, {"action": "push", "ch": channel, "data": data})

    def private_subscribers(self, wanted: Callable[[str], bool]) -> list[tuple[Session, str]]:
        found = []
        for session in list(self.sessions):
            if session.kind != "private" or not session.state.get("authed"):
                continue
            for channel in session.topics:
                if wanted(channel):
                    found.append((session, channel))
        return found

    # ---- market streams (/ws, /feed)

    async def market_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.serve_htx_ws(request, "market", self.on_market_message)

    async def feed_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.serve_htx_ws(request, "feed", self.on_market_message)

    def topic_valid(self, topic: str, kind: str) -> bool:
        parts = topic.split(".")
        if len(parts) < 3 or parts[0] != "market" or parts[1] not in self.symbols:
            return False
        rest = ".".join(parts[2:])
        if rest in ("bbo", "trade.detail", "detail", "ticker", "depth.step0", "depth.step1"):
            return True
        if rest.startswith("kline.") and rest[6:] in PERIOD_SECONDS:
            return True
        if rest in ("mbp.refresh.5", "mbp.refresh.10", "mbp.refresh.20"):
            return True
        return rest in ("mbp.5", "mbp.20", "mbp.150", "mbp.400")

    async def on_market_message(self, session: Session, message: dict[str, Any]) -> None:
        request_id = message.get("id")
        now = self.now_ms()
        op, topic = market_request(message)
        if not op or not self.topic_valid(topic, session.kind):
            await self.send_market_error(
                session, request_id, f"invalid topic {topic}" if op else "invalid request"
            )
            return
        if op in ("sub", "unsub"):
            if op == "sub":
                session.topics.add(topic)
                await self.send_json(session, {"id": request_id, "status": "ok", "subbed": topic, "ts": now})
                self.on_market_subscribed(session, topic)
            else:
                session.topics.discard(topic)
                await self.send_json(
                    session, {"id": request_id, "status": "ok", "unsubbed": topic, "ts": now}
                )
            return
        else:
            await self.send_json(
                session,
                {"id": request_id, "rep": topic, "status": "ok", "ts": now, "data": self.rep_data(topic)},
            )

    def rep_data(self, topic: str) -> Any:
        symbol, rest = topic.split(".")[1], ".".join(topic.split(".")[2:])
        if rest.startswith("mbp."):
            size = int(rest.rsplit(".", 1)[1])
            bids, asks = self.levels(symbol, size)
            return {"seqNum": self._book_seq.get(symbol, 0), "bids": bids, "asks": asks}
        if rest.startswith("kline."):
            return kline_rows(self.now_ms() // 1000, PERIOD_SECONDS[rest[6:]], 300)
        bids, asks = self.levels(symbol, 150)
        return {"bids": bids, "asks": asks, "ts": self.now_ms()}

    def on_market_subscribed(self, session: Session, topic: str) -> None:
        """A new subscription gets the current state of full-state topics (as HTX's refresh feeds do)."""
        symbol = topic.split(".")[1]
        rest = ".".join(topic.split(".")[2:])
        if rest.startswith(("depth.", "mbp.refresh.", "bbo")) and self.matching.book(symbol) != ([], []):
            self.push_book_topic(session, topic, symbol, None)

    def market_sessions(self, topic: str) -> list[Session]:
        return [s for s in list(self.sessions) if s.kind in ("market", "feed") and topic in s.topics]

    def publish_book(self, symbol: str) -> None:
        bids, asks = self.matching.book(symbol)
        previous = self._book_sent.get(symbol, ({}, {}))
        current = ({p: q for p, q in bids}, {p: q for p, q in asks})
        diff = tuple(
            [[number(p), number(q)] for p, q in sorted(now.items(), key=lambda kv: kv[0]) if old.get(p) != q]
            + [[number(p), 0] for p in sorted(old) if p not in now]
            for old, now in zip(previous, current, strict=True)
        )
        self._book_sent[symbol] = current
        previous_seq = self._book_seq.get(symbol, 0)
        self._book_seq[symbol] = previous_seq + 1
        for session in list(self.sessions):
            for topic in list(session.topics):
                if session.kind in ("market", "feed") and topic.startswith(f"market.{symbol}."):
                    self.push_book_topic(session, topic, symbol, (previous_seq, diff))

    def push_book_topic(
        self, session: Session, topic: str, symbol: str, change: tuple[int, tuple[Any, ...]] | None
    ) -> None:
        rest = ".".join(topic.split(".")[2:])
        now = self.now_ms()
        seq = self._book_seq.get(symbol, 0)
        bids, asks = self.matching.book(symbol)
        tick: dict[str, Any]
        if rest.startswith("depth."):
            full_bids, full_asks = self.levels(symbol, 150)
            tick = {"bids": full_bids, "asks": full_asks, "version": seq, "ts": now}
        elif rest.startswith("mbp.refresh."):
            size = int(rest.rsplit(".", 1)[1])
            top_bids, top_asks = self.levels(symbol, size)
            tick = {"seqNum": seq, "bids": top_bids, "asks": top_asks}
        elif rest == "bbo":
            tick = {
                "seqId": seq,
                "ask": number(asks[0][0]) if asks else 0,
                "askSize": number(asks[0][1]) if asks else 0,
                "bid": number(bids[0][0]) if bids else 0,
                "bidSize": number(bids[0][1]) if bids else 0,
                "quoteTime": now,
                "symbol": symbol,
            }
        elif rest.startswith("mbp.") and change is not None:
            previous_seq, (bid_diff, ask_diff) = change
            tick = {"seqNum": seq, "prevSeqNum": previous_seq, "bids": bid_diff, "asks": ask_diff}
        elif rest == "ticker" and change is not None:
            item = self.symbols[symbol]
            tick = self.ticker_fields(item)
        else:
            return
        self.push(session, {"ch": topic, "ts": now, "tick": tick})

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        now = self.now_ms()
        self._last[symbol] = (Decimal(price), Decimal(quantity))
        trade_id = self.next_id() + 102000000
        tick = {
            "id": trade_id,
            "ts": now,
            "data": [
                {
                    "id": trade_id * 1000 + 1,
                    "ts": now,
                    "tradeId": trade_id,
                    "amount": number(Decimal(quantity)),
                    "price": number(Decimal(price)),
                    "direction": "sell" if buyer_maker else "buy",
                }
            ],
        }
        item = self.symbols[symbol]
        fields = self.ticker_fields(item)
        detail = {
            "id": now // 1000,
            "ts": now,
            **{name: fields[name] for name in ("open", "close", "low", "high", "amount", "vol", "count")},
        }
        for topic, payload in (
            (f"market.{symbol}.trade.detail", tick),
            (f"market.{symbol}.detail", detail),
            (f"market.{symbol}.ticker", fields),
        ):
            for session in self.market_sessions(topic):
                self.push(session, {"ch": topic, "ts": now, "tick": payload})

    # ---- the authenticated v2 stream (/ws/v2, text frames)

    async def private_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.serve_htx_ws(request, "private", self.on_private_message)

    def ping_message(self, session: Session, stamp: int) -> dict[str, Any]:
        if session.kind == "private":
            return {"action": "ping", "data": {"ts": stamp}}
        return super().ping_message(session, stamp)

    def pong_stamp(self, session: Session, message: Mapping[str, Any]) -> Any:
        if session.kind == "private":
            data = message.get("data")
            return data.get("ts") if message.get("action") == "pong" and isinstance(data, dict) else None
        return super().pong_stamp(session, message)

    async def on_bad_frame(self, session: Session, raw: str) -> None:
        if session.kind == "private":
            await self.send_json(session, {"action": "req", "code": 2000, "message": "invalid request"})
        else:
            await super().on_bad_frame(session, raw)

    async def on_private_message(self, session: Session, message: dict[str, Any]) -> None:
        action, channel = message.get("action"), str(message.get("ch", ""))
        if action == "req" and channel == "auth":
            await self.private_auth(session, message)
            return
        if action in ("sub", "unsub"):
            if not session.state.get("authed"):
                await self.send_json(
                    session, {"action": action, "code": 2002, "ch": channel, "message": "invalid.auth.state"}
                )
                return
            if not self.private_channel_valid(channel):
                await self.send_json(
                    session, {"action": action, "code": 2001, "ch": channel, "message": "invalid.ch"}
                )
                return
            if action == "sub":
                session.topics.add(channel)
            else:
                session.topics.discard(channel)
            await self.send_json(session, {"action": action, "code": 200, "ch": channel, "data": {}})
            return
        await self.send_json(
            session, {"action": action, "code": 2000, "ch": channel, "message": "invalid.action"}
        )

    def private_channel_valid(self, channel: str) -> bool:
        if channel.startswith("orders#"):
            symbol = channel[len("orders#") :]
            return symbol == "*" or symbol in self.symbols
        if channel.startswith("trade.clearing#"):
            parts = channel.split("#")
            return (
                len(parts) == 3 and (parts[1] == "*" or parts[1] in self.symbols) and parts[2] in ("0", "1")
            )
        if channel.startswith("accounts.update#"):
            return channel.rpartition("#")[2] in ("0", "1", "2")
        return False

    async def private_auth(self, session: Session, message: dict[str, Any]) -> None:
        params = message.get("params")
        if not isinstance(params, dict) or params.get("authType") != "api":
            await self.send_json(
                session, {"action": "req", "code": 2000, "ch": "auth", "message": "invalid.auth.params"}
            )
            return
        request = session.state["request"]
        try:
            check_signature_v2(
                "GET",
                hosts_of(request),
                "/ws/v2",
                {name: str(value) for name, value in params.items() if name != "authType"},
                key=self.api_key,
                secret=self.api_secret,
                now_ms=self.now_ms(),
                names=("accessKey", "signatureMethod", "signatureVersion", "timestamp", "signature"),
                version="2.1",
            )
        except SignatureError:
            await self.send_json(
                session, {"action": "req", "code": 2002, "ch": "auth", "message": "auth.fail"}
            )
            return
        session.state["authed"] = True
        await self.send_json(session, {"action": "req", "code": 200, "ch": "auth", "data": {}})


def decimal_param(params: Mapping[str, Any], name: str) -> Decimal | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        parsed = Decimal(str(value))
    except ArithmeticError:
        return None
    # beyond 10^15 no HTX amount or price exists, and the tick/step remainders would need more digits than
    # the decimal context has: such a number is invalid, as one that does not parse is
    return parsed if parsed.is_finite() and parsed.adjusted() < 15 else None


def market_request(message: Mapping[str, Any]) -> tuple[str, str]:
    """(op, topic) of a market-stream request: `{"sub"|"unsub"|"req": topic, "id": ...}`; ("", "") if
    neither."""
    for op in ("sub", "unsub", "req"):
        if op in message:
            return op, str(message[op])
    return "", ""


def order_state(order: SimOrder) -> str:
    if order.status == "NEW":
        return "submitted"
    if order.status == "PARTIALLY_FILLED":
        return "partial-filled"
    if order.status == "FILLED":
        return "filled"
    return "partial-canceled" if order.filled else "canceled"


def kline_rows(now_s: int, seconds: int, size: int) -> list[dict[str, Any]]:
    """`size` bars, newest first, ending with the bar that contains `now_s` (HTX serves only the latest
    bars)."""
    newest = now_s - now_s % seconds
    rows = []
    for index in range(size):
        start = newest - index * seconds
        base = 200 + (start // seconds) % 50
        rows.append(
            {
                "id": start,
                "open": base,
                "close": base + 1,
                "low": base - 2,
                "high": base + 3,
                "amount": 12.5,
                "vol": 2500.0,
                "count": 7,
            }
        )
    return rows
