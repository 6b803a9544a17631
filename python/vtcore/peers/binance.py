"""Local Binance venues (spot `/api/v3` + streams + WS API; USDⓈ-M `/fapi`; COIN-M `/dapi`), written from
the wire format in the reference notes (venues.md §1-2), not from vtcore's gateway.

What they check as Binance does: `X-MBX-APIKEY`, HMAC-SHA256 over the percent-encoded payload exactly as
received (-1022), the timestamp window (-1021), mandatory parameters (-1102), symbols (-1121), request weights
with `X-MBX-USED-WEIGHT-1M` and 429 + `Retry-After` (-1003). Streams: `/ws`, `/stream?streams=` (combined),
SUBSCRIBE / UNSUBSCRIBE with ids, at most 5 client messages a second (spot), server ping frames with a pong
deadline. Spot user data only through the WS API (`userDataStream.subscribe.signature`, events wrapped in
`{"subscriptionId","event"}`); futures user data through a listenKey on `/private/ws` (USDⓈ-M) or
`/ws/<key>` (COIN-M). USDⓈ-M market streams are routed: bookTicker/depth/trade only on `/public`,
aggTrade/kline/markPrice only on `/market`; a stream on the wrong path is accepted and silently never
delivered, as on the real venue.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiohttp import web

from vtcore.peers.base import Session, VenueServer, decimal_text
from vtcore.peers.binance_market import INTERVAL_MS, BinanceMarketData, BinanceMarketError
from vtcore.peers.matching import Execution, SimOrder

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
API_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


@dataclass(frozen=True)
class SymbolSpec:
    symbol: str
    base: str
    quote: str
    tick_size: str
    step_size: str
    min_qty: str
    contract_type: str = ""  # futures: PERPETUAL / CURRENT_QUARTER
    contract_size: int = 0  # COIN-M: USD per contract


class BinanceError(Exception):
    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(msg)
        self.code, self.msg, self.status = code, msg, status


ILLEGAL_CHARACTERS_CODE, ILLEGAL_CHARACTERS = -1100, "Illegal characters found in a parameter."
NUMBER_RANGE = "^([0-9]{1,20})(\\.[0-9]{1,20})?$"
NUMBER = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?")


def ws_text(value: Any) -> str:
    """A WS API parameter as the venue reads it (JSON true/false as text, numbers as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def _split_signature(payload: str) -> tuple[str, str | None]:
    """(payload without its trailing `signature=` parameter, the signature or None)."""
    if payload.startswith("signature="):
        return "", payload[len("signature=") :]
    head, found, signature = payload.rpartition("&signature=")
    return (head, signature) if found else (payload, None)


class BinanceVenueBase(BinanceMarketData, VenueServer):
    """Signing, weights, errors, validation, market data, the WebSocket API and klines shared by the three
    Binance markets."""

    max_client_messages_per_second = 10

    rest_prefix = "/api/v3"
    weight_limit = 6000
    weight_window = 60.0  # seconds; tests that count weight set it huge so no window ends mid-test
    symbols: tuple[SymbolSpec, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.api_key = API_KEY
        self.api_secret = API_SECRET
        self.used_weight = 0
        self._weight_window = int(time.time() // self.weight_window)
        self.klines: dict[str, list[list[Any]]] = {}
        self.commission_rate = Decimal("0.001")
        self.init_market_data()

    # ---- request security (venues.md §1 "Auth / signing")

    def check_signed(self, request: web.Request, body: str) -> dict[str, str]:
        if request.headers.get("X-MBX-APIKEY") != self.api_key:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        raw_query = request.rel_url.raw_query_string
        payload_query, signature = _split_signature(raw_query)
        if signature is None:
            body, signature = _split_signature(body)
        if not signature:
            raise BinanceError(
                -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."
            )
        payload = payload_query + body
        if not hmac.compare_digest(sign(self.api_secret, payload), signature.lower()):
            raise BinanceError(-1022, "Signature for this request is not valid.")
        params = dict(urllib.parse.parse_qsl(payload_query, keep_blank_values=True))
        params.update(urllib.parse.parse_qsl(body, keep_blank_values=True))
        self.check_timestamp(params)
        return params

    def check_timestamp(self, params: dict[str, str]) -> None:
        if "timestamp" not in params:
            raise BinanceError(
                -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
            )
        timestamp = int(params["timestamp"])
        if timestamp > 10**14:  # microseconds
            timestamp //= 1000
        recv_window = float(params.get("recvWindow", "5000"))
        server = self.now_ms()
        if timestamp >= server + 1000:
            raise BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
        if server - timestamp > recv_window:
            raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")

    def charge(self, weight: int) -> None:
        window = int(time.time() // self.weight_window)
        if window != self._weight_window:
            self._weight_window, self.used_weight = window, 0
        self.used_weight += weight
        if self.used_weight > self.weight_limit:
            raise BinanceError(
                -1003,
                "Too many requests; current limit of IP(127.0.0.1) request weight per 1 "
                f"minute is {self.weight_limit}. Please use WebSocket Streams for live "
                "updates to avoid polling the API.",
                429,
            )

    def rate_limited_response(self) -> web.Response:
        return web.Response(
            status=429,
            text=json.dumps(
                {
                    "code": -1003,
                    "msg": "Too many requests; current limit of IP(127.0.0.1) request "
                    f"weight per 1 minute is {self.weight_limit}.",
                }
            ),
            content_type="application/json",
            headers={"Retry-After": str(self.faults.retry_after)},
        )

    def answer(self, payload: Any, status: int = 200) -> web.Response:
        return web.Response(
            status=status,
            text=json.dumps(payload),
            content_type="application/json",
            headers={"X-MBX-USED-WEIGHT-1M": str(self.used_weight)},
        )

    def endpoint(self, weight: int, signed: bool, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            body = await request.text()
            try:
                self.charge(weight)
                params = self.check_signed(request, body) if signed else dict(request.query)
                return self.answer(await handler(request, params))
            except BinanceMarketError as error:
                return self.answer({"code": error.code, "msg": error.msg}, 400)
            except (ValueError, ArithmeticError):  # a parameter that does not parse as the number it must be
                return self.answer({"code": ILLEGAL_CHARACTERS_CODE, "msg": ILLEGAL_CHARACTERS}, 400)
            except BinanceError as error:
                headers = {"Retry-After": str(self.faults.retry_after)} if error.status == 429 else {}
                response = self.answer({"code": error.code, "msg": error.msg}, error.status)
                response.headers.update(headers)
                return response

        return wrapped

    def require(self, params: dict[str, str], *names: str) -> None:
        for name in names:
            if not params.get(name):
                raise BinanceError(
                    -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
                )

    def number(self, params: dict[str, str], name: str) -> Decimal:
        """A decimal parameter as the venue parses it (absent: 0); anything else than digits with one
        optional point is -1100, as on the real venue (never an HTTP 500)."""
        raw = params.get(name)
        if raw is None or raw == "":
            return Decimal(0)
        if not NUMBER.fullmatch(str(raw)):
            raise BinanceError(
                -1100, f"Illegal characters found in parameter '{name}'; legal range is '{NUMBER_RANGE}'."
            )
        return Decimal(str(raw))

    def check_enums(self, params: dict[str, str], types: tuple[str, ...], tifs: tuple[str, ...]) -> None:
        if params["side"] not in ("BUY", "SELL"):
            raise BinanceError(-1117, "Invalid side.")
        if params["type"] not in types:
            raise BinanceError(-1116, "Invalid orderType.")
        if params.get("timeInForce") and params["timeInForce"] not in tifs:
            raise BinanceError(-1115, "Invalid timeInForce.")

    def spec(self, symbol: str | None) -> SymbolSpec:
        for spec in self.symbols:
            if spec.symbol == symbol:
                return spec
        raise BinanceError(-1121, "Invalid symbol.")

    # ---- public endpoints

    async def time_endpoint(self, request: web.Request, params: dict[str, str]) -> Any:
        return {"serverTime": self.now_ms()}

    async def klines_endpoint(self, request: web.Request, params: dict[str, str]) -> Any:
        self.require(params, "symbol", "interval")
        self.spec(params["symbol"])
        step = INTERVAL_MS.get(params["interval"])
        if step is None:
            raise BinanceError(-1120, "Invalid interval.")
        limit = min(int(params.get("limit", "500")), 1000 if self.rest_prefix == "/api/v3" else 1500)
        end = int(params.get("endTime", self.now_ms()))
        start = int(params.get("startTime", end - step * limit))
        first = start - start % step + (step if start % step else 0)
        rows: list[list[Any]] = []
        open_time = first
        while open_time <= end and len(rows) < limit:
            index = open_time // step
            base = Decimal(100 + index % 50)
            rows.append(
                [
                    open_time,
                    decimal_text(base),
                    decimal_text(base + 2),
                    decimal_text(base - 1),
                    decimal_text(base + 1),
                    "10.00000000",
                    open_time + step - 1,
                    "1000.00000000",
                    7,
                    "5.00000000",
                    "500.00000000",
                    "0",
                ]
            )
            open_time += step
        return rows

    # ---- shared by spot and futures

    def find_order(self, params: dict[str, str]) -> SimOrder | None:
        symbol = params.get("symbol")
        if params.get("orderId"):
            order = self.matching.orders.get(int(params["orderId"]))
            return order if order is not None and order.symbol == symbol else None
        client_id = params.get("origClientOrderId")
        if client_id:
            for order in self.matching.orders.values():
                if order.client_id == client_id and order.symbol == symbol:
                    return order
            return None
        raise BinanceError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )

    async def market_ws(self, request: web.Request) -> web.WebSocketResponse:
        """`[/<route>]/ws[/<stream>/<stream>...]` (raw streams) or `[/<route>]/stream?streams=a/b`
        (combined); USDⓈ-M routes are `public` and `market`."""
        session = Session(ws=None, kind="market")  # type: ignore[arg-type]
        parts = request.path.strip("/").split("/")
        route = parts[0] if parts[0] in ("public", "market") else ""
        rest = parts[1:] if route else parts
        session.state["route"] = route  # USDⓈ-M: "public" / "market"; "" when the path names no route
        if rest[0] == "stream":
            session.combined = True
            names = request.query.get("streams", "")
            session.topics.update(name for name in names.split("/") if name)
        else:
            session.topics.update(name for name in rest[1:] if name)
        session.state["recent"] = []
        return await self.serve_ws(request, "market", self.on_market_frame, session)

    async def on_market_frame(self, session: Session, text: str) -> None:
        now = time.monotonic()
        recent = [stamp for stamp in session.state["recent"] if now - stamp < 1.0] + [now]
        session.state["recent"] = recent
        if len(recent) > self.max_client_messages_per_second:
            await session.ws.close(code=1008, message=b"Too many requests")
            return
        try:
            message = json.loads(text)
        except ValueError as error:
            await self.send_json(session, {"code": 3, "msg": f"Invalid JSON: {error}"})
            return
        self.ws_log.append(("market", message))
        method, request_id = message.get("method"), message.get("id")
        params = message.get("params", [])
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
                await self.send_json(
                    session,
                    {
                        "code": 2,
                        "msg": "Invalid request: request parameters must be an array of strings",
                        "id": request_id,
                    },
                )
                return
            if method == "SUBSCRIBE":
                session.topics.update(params)
            else:
                session.topics.difference_update(params)
            await self.send_json(session, {"result": None, "id": request_id})
        elif method == "LIST_SUBSCRIPTIONS":
            await self.send_json(session, {"result": sorted(session.topics), "id": request_id})
        else:
            await self.send_json(
                session, {"code": 2, "msg": f"Invalid request: unknown variant `{method}`", "id": request_id}
            )

    def stream_allowed(self, session: Session, stream: str) -> bool:
        return True

    def subscription_count(self) -> int:
        # a raw-stream path names streams; clients that subscribe by message connect to `/ws/<anything>`
        # (ccxt: `/ws/0`), which names none, so only names of real streams (`<symbol>@<kind>`) count
        return sum(
            sum(1 for topic in s.topics if "@" in topic) + len(s.state.get("args", ())) + (s.kind == "user")
            for s in self.sessions
            if not s.ws.closed
        )

    def publish(self, stream: str, payload: dict[str, Any]) -> None:
        for session in list(self.sessions):
            if (
                session.kind.startswith("market")
                and stream in session.topics
                and self.stream_allowed(session, stream)
            ):
                self.push(session, {"stream": stream, "data": payload} if session.combined else payload)

    async def query_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        self.require(params, "symbol")
        self.spec(params["symbol"])
        order = self.find_order(params)
        if order is None:
            raise BinanceError(-2013, "Order does not exist.")
        return self.render_order(order)

    def render_order(self, order: SimOrder) -> dict[str, Any]:
        raise NotImplementedError

    # the trading endpoints each market implements (REST handlers, shared with the WebSocket API)
    async def new_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        raise NotImplementedError

    async def cancel_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        raise NotImplementedError

    async def open_orders(self, request: web.Request | None, params: dict[str, str]) -> Any:
        raise NotImplementedError

    async def account(self, request: web.Request | None, params: dict[str, str]) -> Any:
        raise NotImplementedError

    def check_new_order(self, params: dict[str, str]) -> tuple[Any, ...]:
        """Everything the market checks before an order reaches its matching engine (REST `order` and
        `order/test`, WS API `order.place`); raises BinanceError."""
        raise NotImplementedError

    def best_price(self, symbol: str, side: str) -> Decimal:
        bids, asks = self.matching.book(symbol)
        best = (asks if side == "BUY" else bids)[:1]
        return best[0][0] if best else Decimal(0)

    async def test_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        self.check_new_order(params)  # validated exactly as a real order, never placed
        return {}

    # ---- WebSocket API (`/ws-api/v3`, `/ws-fapi/v1`, `/ws-dapi/v1`): the REST trading endpoints as methods

    def trading_methods(self) -> dict[str, Any]:
        """WS API method -> the REST handler it shares its parameters and answer with (signed)."""
        return {
            "order.place": self.new_order,
            "order.test": self.test_order,
            "order.cancel": self.cancel_order,
            "order.status": self.query_order,
            "openOrders.status": self.open_orders,
            "account.status": self.account,
        }

    async def api_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.serve_ws(request, "api", self.on_api_frame)

    async def on_api_frame(self, session: Session, text: str) -> None:
        try:
            message = json.loads(text)
            request_id = message.get("id")
            method = message["method"]
            params = message.get("params", {})
            if not isinstance(params, dict):
                raise TypeError
        except (ValueError, KeyError, AttributeError, TypeError):
            await self.send_json(
                session, {"id": None, "status": 400, "error": {"code": -1000, "msg": "Malformed request."}}
            )
            return
        self.ws_log.append(("api", message))
        try:
            try:
                result = await self.api_method(session, method, params)
            except BinanceMarketError as error:
                raise BinanceError(error.code, error.msg) from None
            except (ValueError, ArithmeticError):
                raise BinanceError(ILLEGAL_CHARACTERS_CODE, ILLEGAL_CHARACTERS) from None
        except BinanceError as error:
            await self.send_json(
                session,
                {"id": request_id, "status": error.status, "error": {"code": error.code, "msg": error.msg}},
            )
            return
        await self.send_json(
            session,
            {
                "id": request_id,
                "status": 200,
                "result": result,
                "rateLimits": [
                    {
                        "rateLimitType": "REQUEST_WEIGHT",
                        "interval": "MINUTE",
                        "intervalNum": 1,
                        "limit": self.weight_limit,
                        "count": self.used_weight,
                    }
                ],
            },
        )

    async def api_method(self, session: Session, method: str, params: dict[str, Any]) -> Any:
        if method == "time":
            return {"serverTime": self.now_ms()}
        if method == "ping":
            return {}
        handler = self.trading_methods().get(method)
        if handler is None:
            raise BinanceError(
                -1100, f"Illegal characters found in parameter 'method'; legal range is '{method}'."
            )
        self.check_ws_signature(params)
        return await handler(None, {key: ws_text(value) for key, value in params.items()})

    def check_ws_signature(self, params: dict[str, Any]) -> None:
        if params.get("apiKey") != self.api_key:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        signature = params.get("signature")
        if not signature:
            raise BinanceError(
                -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."
            )
        payload = "&".join(f"{key}={ws_text(params[key])}" for key in sorted(params) if key != "signature")
        if not hmac.compare_digest(sign(self.api_secret, payload), str(signature).lower()):
            raise BinanceError(-1022, "Signature for this request is not valid.")
        self.check_timestamp({key: str(value) for key, value in params.items()})

    # ---- order rendering shared by spot and futures REST answers

    def order_type(self, order: SimOrder) -> str:
        return str(order.extra.get("type", order.kind))

    def time_in_force(self, order: SimOrder) -> str:
        return str(order.extra.get("timeInForce", "GTC"))


# ======================================================================================= spot

#: contingent order types: STOP_LOSS / TAKE_PROFIT send a MARKET order once triggered, the _LIMIT versions a
#: LIMIT order at `price`; the trigger is the last trade price reaching `stopPrice`
SPOT_STOP_TYPES = ("STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
MAX_QTY = Decimal("9000")  # LOT_SIZE maxQty
MIN_NOTIONAL = Decimal("5")  # NOTIONAL minNotional (applied to market orders too, at the best price)
LIMIT_PRICED = ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")  # need price and timeInForce


class BinanceSpotVenue(BinanceVenueBase):
    ping_interval = 20.0
    pong_timeout = 60.0
    max_client_messages_per_second = 5
    symbols = (
        SymbolSpec("BTCUSDT", "BTC", "USDT", "0.01", "0.00001", "0.00001"),
        SymbolSpec("ETHUSDT", "ETH", "USDT", "0.01", "0.0001", "0.0001"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.balances: dict[str, Decimal] = {
            "USDT": Decimal("100000"),
            "BTC": Decimal("1"),
            "ETH": Decimal("10"),
        }
        self.user_subscriptions: dict[int, Session] = {}  # subscriptionId -> WS API session
        self._subscription_ids = 0

    def build_app(self) -> web.Application:
        app = web.Application()
        p = self.rest_prefix
        app.router.add_get(f"{p}/ping", self.endpoint(1, False, self.ping_endpoint))
        app.router.add_get(f"{p}/time", self.endpoint(1, False, self.time_endpoint))
        app.router.add_get(f"{p}/exchangeInfo", self.endpoint(20, False, self.exchange_info))
        app.router.add_get(f"{p}/klines", self.endpoint(2, False, self.klines_endpoint))
        app.router.add_get(f"{p}/uiKlines", self.endpoint(2, False, self.klines_endpoint))
        app.router.add_get(f"{p}/depth", self.endpoint(5, False, self.depth_endpoint))
        app.router.add_get(f"{p}/trades", self.endpoint(25, False, self.trades_endpoint))
        app.router.add_get(f"{p}/aggTrades", self.endpoint(4, False, self.agg_trades_endpoint))
        app.router.add_get(f"{p}/ticker/24hr", self.endpoint(2, False, self.ticker_24hr_endpoint))
        app.router.add_get(f"{p}/ticker/price", self.endpoint(2, False, self.ticker_price_endpoint))
        app.router.add_get(f"{p}/ticker/bookTicker", self.endpoint(2, False, self.book_ticker_endpoint))
        app.router.add_get(f"{p}/avgPrice", self.endpoint(2, False, self.avg_price_endpoint))
        app.router.add_post(f"{p}/order/test", self.endpoint(1, True, self.test_order))
        app.router.add_get(f"{p}/allOrders", self.endpoint(20, True, self.all_orders))
        app.router.add_get(f"{p}/account", self.endpoint(20, True, self.account))
        app.router.add_get(f"{p}/openOrders", self.endpoint(6, True, self.open_orders))
        app.router.add_post(f"{p}/order", self.endpoint(1, True, self.new_order))
        app.router.add_delete(f"{p}/order", self.endpoint(1, True, self.cancel_order))
        app.router.add_get(f"{p}/order", self.endpoint(4, True, self.query_order))
        app.router.add_get(f"{p}/myTrades", self.endpoint(20, True, self.my_trades))
        for gone in ("userDataStream",):  # listenKey endpoints were removed on 2026-02-20
            app.router.add_route("*", f"{p}/{gone}", self.gone)
        app.router.add_get("/ws", self.market_ws)
        app.router.add_get("/ws/{streams:.*}", self.market_ws)
        app.router.add_get("/stream", self.market_ws)
        app.router.add_get("/ws-api/v3", self.api_ws)
        return app

    async def gone(self, request: web.Request) -> web.Response:
        return web.Response(
            status=410,
            text=json.dumps({"code": -1099, "msg": "Not found, unauthenticated, or unauthorized."}),
            content_type="application/json",
        )

    async def exchange_info(self, request: web.Request, params: dict[str, str]) -> Any:
        asked = self.symbols_asked(params)  # `symbol=` / `symbols=[...]`: those only (-1121 if unknown)
        return {
            "timezone": "UTC",
            "serverTime": self.now_ms(),
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
                {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
            ],
            "exchangeFilters": [],
            "symbols": [
                {
                    "symbol": spec.symbol,
                    "status": "TRADING",
                    "baseAsset": spec.base,
                    "baseAssetPrecision": 8,
                    "quoteAsset": spec.quote,
                    "quotePrecision": 8,
                    "quoteAssetPrecision": 8,
                    "baseCommissionPrecision": 8,
                    "quoteCommissionPrecision": 8,
                    "orderTypes": [
                        "LIMIT",
                        "LIMIT_MAKER",
                        "MARKET",
                        "STOP_LOSS",
                        "STOP_LOSS_LIMIT",
                        "TAKE_PROFIT",
                        "TAKE_PROFIT_LIMIT",
                    ],
                    "icebergAllowed": True,
                    "ocoAllowed": True,
                    "otoAllowed": True,
                    "quoteOrderQtyMarketAllowed": True,
                    "allowTrailingStop": True,
                    "cancelReplaceAllowed": True,
                    "isSpotTradingAllowed": True,
                    "isMarginTradingAllowed": True,
                    "filters": [
                        {
                            "filterType": "PRICE_FILTER",
                            "minPrice": spec.tick_size,
                            "maxPrice": "1000000.00000000",
                            "tickSize": spec.tick_size,
                        },
                        {
                            "filterType": "LOT_SIZE",
                            "minQty": spec.min_qty,
                            "maxQty": "9000.00000000",
                            "stepSize": spec.step_size,
                        },
                        {
                            "filterType": "NOTIONAL",
                            "minNotional": "5.00000000",
                            "applyMinToMarket": True,
                            "maxNotional": "9000000.00000000",
                            "applyMaxToMarket": False,
                            "avgPriceMins": 5,
                        },
                    ],
                    "permissions": [],
                    "permissionSets": [["SPOT", "MARGIN"]],
                    "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
                    "allowedSelfTradePreventionModes": [
                        "NONE",
                        "EXPIRE_TAKER",
                        "EXPIRE_MAKER",
                        "EXPIRE_BOTH",
                    ],
                }
                for spec in self.symbols
                if asked is None or spec.symbol in asked
            ],
        }

    # ---- balances

    def locked(self) -> dict[str, Decimal]:
        locked: dict[str, Decimal] = {}
        for order in self.matching.orders.values():
            if not order.active:
                continue
            spec = self.spec(order.symbol)
            if order.side == "BUY":
                locked[spec.quote] = locked.get(spec.quote, Decimal(0)) + order.remaining * order.price
            else:
                locked[spec.base] = locked.get(spec.base, Decimal(0)) + order.remaining
        return locked

    def balance_rows(self, assets: list[str] | None = None) -> list[dict[str, str]]:
        locked = self.locked()
        rows = []
        for asset, total in self.balances.items():
            if assets is not None and asset not in assets:
                continue
            held = locked.get(asset, Decimal(0))
            rows.append({"asset": asset, "free": decimal_text(total - held), "locked": decimal_text(held)})
        return rows

    async def account(self, request: web.Request | None, params: dict[str, str]) -> Any:
        return {
            "makerCommission": 10,
            "takerCommission": 10,
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": "0.00100000",
                "taker": "0.00100000",
                "buyer": "0.00000000",
                "seller": "0.00000000",
            },
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": self.now_ms(),
            "accountType": "SPOT",
            "balances": self.balance_rows(),
            "permissions": ["SPOT"],
            "uid": 354937868,
        }

    # ---- orders

    def render_order(self, order: SimOrder) -> dict[str, Any]:
        return {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "orderListId": -1,
            "clientOrderId": order.client_id,
            "price": decimal_text(order.price),
            "origQty": decimal_text(order.quantity),
            "executedQty": decimal_text(order.filled),
            "cummulativeQuoteQty": decimal_text(order.filled_quote),
            "status": order.status,
            "timeInForce": self.time_in_force(order),
            "type": self.order_type(order),
            "side": order.side,
            "stopPrice": decimal_text(order.stop_price),
            "icebergQty": "0.00000000",
            "time": order.created_ms,
            "updateTime": order.updated_ms,
            "isWorking": order.active and order.working,
            "workingTime": order.created_ms,
            "origQuoteOrderQty": "0.00000000",
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }

    def check_new_order(
        self, params: dict[str, str]
    ) -> tuple[SymbolSpec, str, str, str, Decimal, Decimal, Decimal]:
        """Everything the venue checks before an order reaches the matching engine (REST `order` and
        `order/test`, WS API `order.place`): parameters, enums, number syntax, the symbol's filters."""
        self.require(params, "symbol", "side", "type")
        spec = self.spec(params["symbol"])
        self.check_enums(params, ("LIMIT", "MARKET", "LIMIT_MAKER", *SPOT_STOP_TYPES), ("GTC", "IOC", "FOK"))
        order_type = params["type"]
        if order_type in LIMIT_PRICED:
            self.require(params, "timeInForce", "quantity", "price")
        elif order_type == "LIMIT_MAKER":
            self.require(params, "quantity", "price")
        elif not (order_type == "MARKET" and params.get("quoteOrderQty")):
            self.require(params, "quantity")
        if order_type in SPOT_STOP_TYPES:
            self.require(params, "stopPrice")
        tif = params.get("timeInForce", "GTC")
        client_id = params.get("newClientOrderId") or f"x-{secrets.token_hex(8)}"
        for existing in self.matching.orders.values():
            if existing.client_id == client_id and existing.active:
                raise BinanceError(-2010, "Duplicate order sent.")
        quantity, price = self.number(params, "quantity"), self.number(params, "price")
        stop_price, quote_quantity = self.number(params, "stopPrice"), self.number(params, "quoteOrderQty")
        if quote_quantity:  # a MARKET order for an amount of the quote asset: what it buys at the best price
            bids, asks = self.matching.book(spec.symbol)
            best = (asks if params["side"] == "BUY" else bids)[:1]
            if not best:
                raise BinanceError(-2010, "Market is closed.")
            quantity = (quote_quantity / best[0][0]).quantize(Decimal(spec.step_size), rounding="ROUND_DOWN")
        tick, step = Decimal(spec.tick_size), Decimal(spec.step_size)
        if (order_type in LIMIT_PRICED or order_type == "LIMIT_MAKER") and (price < tick or price % tick):
            raise BinanceError(-1013, "Filter failure: PRICE_FILTER")
        if stop_price % tick or (order_type in SPOT_STOP_TYPES and stop_price < tick):
            raise BinanceError(-1013, "Filter failure: PRICE_FILTER")
        if quantity < Decimal(spec.min_qty) or quantity > MAX_QTY or quantity % step:
            raise BinanceError(-1013, "Filter failure: LOT_SIZE")
        reference = price or stop_price or self.best_price(spec.symbol, params["side"])
        if reference and quantity * reference < MIN_NOTIONAL:
            raise BinanceError(-1013, "Filter failure: NOTIONAL")
        return spec, order_type, tif, client_id, quantity, price, stop_price

    async def new_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        spec, order_type, tif, client_id, quantity, price, stop_price = self.check_new_order(params)
        order = SimOrder(
            order_id=self.matching.next_order_id(),
            client_id=client_id,
            account="spot",
            symbol=spec.symbol,
            side=params["side"],
            kind="MARKET" if order_type in ("MARKET", "STOP_LOSS", "TAKE_PROFIT") else "LIMIT",
            tif="POST_ONLY" if order_type == "LIMIT_MAKER" else tif,
            price=price,
            quantity=quantity,
            extra={"type": order_type, "timeInForce": tif if order_type in LIMIT_PRICED else "GTC"},
        )
        if order_type == "LIMIT_MAKER" and self.matching.would_take(order):
            raise BinanceError(-2010, "Order would immediately match and take.")
        if order_type in SPOT_STOP_TYPES:
            # STOP_LOSS buys and TAKE_PROFIT sells trigger when the last price rises to stopPrice, the other
            # two when it falls to it; a stop the last price has already reached is refused
            order.working, order.stop_price = False, stop_price
            order.trigger_above = order_type.startswith("STOP_LOSS") == (order.side == "BUY")
            last = self.last_prices.get(spec.symbol)
            if last is not None and order.triggered_by(last):
                raise BinanceError(-2010, "Stop price would trigger immediately.")
        bids, asks = self.matching.book(spec.symbol)
        reference = (
            price
            if order.kind == "LIMIT"
            else stop_price
            if order_type in SPOT_STOP_TYPES
            else (asks[0][0] if asks and order.side == "BUY" else bids[0][0] if bids else Decimal(0))
        )
        free = {row["asset"]: Decimal(row["free"]) for row in self.balance_rows()}
        needed_asset, needed = (
            (spec.quote, quantity * reference) if order.side == "BUY" else (spec.base, quantity)
        )
        if free.get(needed_asset, Decimal(0)) < needed:
            raise BinanceError(-2010, "Account has insufficient balance for requested action.")
        self.matching.place(order)
        answer = self.render_order(self.matching.orders[order.order_id])
        answer["transactTime"] = order.created_ms
        answer["fills"] = [
            {
                "price": decimal_text(fill.price),
                "qty": decimal_text(fill.quantity),
                "commission": decimal_text(self.commission(order, fill)[0]),
                "commissionAsset": self.commission(order, fill)[1],
                "tradeId": fill.trade_id,
            }
            for fill in self.matching.fills[order.order_id]
        ]
        return answer

    def commission(self, order: SimOrder, fill: Any) -> tuple[Decimal, str]:
        """(amount, asset) of a fill's commission: the account's rate on what the fill gives (base asset
        for a buy, quote asset for a sell)."""
        spec = self.spec(order.symbol)
        if order.side == "BUY":
            return fill.quantity * self.commission_rate, spec.base
        return fill.quantity * fill.price * self.commission_rate, spec.quote

    async def cancel_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        self.require(params, "symbol")
        self.spec(params["symbol"])
        order = self.find_order(params)
        if order is None or self.matching.cancel(order.order_id) is None:
            raise BinanceError(-2011, "Unknown order sent.")
        answer = self.render_order(order)
        answer["origClientOrderId"] = order.client_id
        answer["clientOrderId"] = params.get("newClientOrderId") or f"cancel{secrets.token_hex(6)}"
        return answer

    async def open_orders(self, request: web.Request | None, params: dict[str, str]) -> Any:
        symbol = params.get("symbol")
        if symbol:
            self.spec(symbol)
        return [
            self.render_order(o)
            for o in self.matching.orders.values()
            if o.active and (not symbol or o.symbol == symbol)
        ]

    async def all_orders(self, request: web.Request | None, params: dict[str, str]) -> Any:
        self.require(params, "symbol")
        symbol = self.spec(params["symbol"]).symbol
        rows = [self.render_order(o) for o in self.matching.orders.values() if o.symbol == symbol]
        if params.get("orderId"):
            rows = [row for row in rows if row["orderId"] >= int(params["orderId"])]
        return rows[-min(int(params.get("limit", "500")), 1000) :]

    async def my_trades(self, request: web.Request, params: dict[str, str]) -> Any:
        self.require(params, "symbol")
        spec = self.spec(params["symbol"])
        order_id = int(params["orderId"]) if params.get("orderId") else None
        rows: list[dict[str, Any]] = []
        for order in self.matching.orders.values():
            if order.symbol != spec.symbol or (order_id is not None and order.order_id != order_id):
                continue
            for fill in self.matching.fills[order.order_id]:
                rows.append(
                    {
                        "symbol": order.symbol,
                        "id": fill.trade_id,
                        "orderId": order.order_id,
                        "orderListId": -1,
                        "price": decimal_text(fill.price),
                        "qty": decimal_text(fill.quantity),
                        "quoteQty": decimal_text(fill.price * fill.quantity),
                        "commission": decimal_text(self.commission(order, fill)[0]),
                        "commissionAsset": self.commission(order, fill)[1],
                        "time": fill.time_ms,
                        "isBuyer": order.side == "BUY",
                        "isMaker": fill.maker,
                        "isBestMatch": True,
                    }
                )
        rows.sort(key=lambda row: row["id"])
        return rows

    # ---- user data (WS API) and executions

    def on_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        spec = self.spec(order.symbol)
        if fill is not None:
            # the commission is charged in the asset received, and exactly as reported (n / N)
            fee = self.commission(order, fill)[0]
            if order.side == "BUY":
                self.balances[spec.base] = self.balances.get(spec.base, Decimal(0)) + fill.quantity - fee
                self.balances[spec.quote] -= fill.quantity * fill.price
            else:
                self.balances[spec.base] -= fill.quantity
                self.balances[spec.quote] = (
                    self.balances.get(spec.quote, Decimal(0)) + fill.quantity * fill.price - fee
                )
            if not fill.maker:  # the user's taking fill prints on the market's tape and trade streams
                self.publish_trade(order.symbol, str(fill.price), str(fill.quantity), order.side == "SELL")
                self.publish_book(order.symbol)
        now = self.now_ms()
        report = {
            "e": "executionReport",
            "E": now,
            "s": order.symbol,
            "c": order.client_id if execution.kind != "CANCELED" else f"cancel{secrets.token_hex(6)}",
            "S": order.side,
            "o": self.order_type(order),
            "f": self.time_in_force(order),
            "q": decimal_text(order.quantity),
            "p": decimal_text(order.price),
            "P": decimal_text(order.stop_price),
            "F": "0.00000000",
            "g": -1,
            "C": order.client_id if execution.kind == "CANCELED" else "",
            # a triggered stop order is reported as NEW again, now working ("w"), before its fills
            "x": "NEW" if execution.kind == "TRIGGERED" else execution.kind,
            "X": order.status,
            "r": "NONE",
            "i": order.order_id,
            "l": decimal_text(fill.quantity if fill else 0),
            "z": decimal_text(order.filled),
            "L": decimal_text(fill.price if fill else 0),
            "n": decimal_text(self.commission(order, fill)[0] if fill else 0),
            "N": self.commission(order, fill)[1] if fill else None,
            "T": order.updated_ms,
            "t": fill.trade_id if fill else -1,
            "I": self.next_id(),
            "w": order.active and order.working,
            "m": fill.maker if fill else False,
            "M": False,
            "O": order.created_ms,
            "Z": decimal_text(order.filled_quote),
            "Y": decimal_text(fill.quantity * fill.price if fill else 0),
            "Q": "0.00000000",
            "W": order.created_ms,
            "V": "EXPIRE_MAKER",
        }
        if fill is not None and self.faults.garble_fills > 0:
            self.faults.garble_fills -= 1
            report["t"] = None
        self.push_user_event(report)
        if fill is not None or execution.kind == "NEW":
            self.push_user_event(
                {
                    "e": "outboundAccountPosition",
                    "E": now,
                    "u": now,
                    "B": [
                        {"a": row["asset"], "f": row["free"], "l": row["locked"]}
                        for row in self.balance_rows([spec.base, spec.quote])
                    ],
                }
            )

    def subscription_count(self) -> int:
        return super().subscription_count() + len(self.user_subscriptions)

    def push_user_event(self, event: dict[str, Any]) -> None:
        for subscription_id, session in list(self.user_subscriptions.items()):
            self.push(session, {"subscriptionId": subscription_id, "event": event})

    def expire_user_stream(self) -> int:
        """Terminate every user-data subscription (`eventStreamTerminated`); returns how many."""

        def act() -> int:
            ended = list(self.user_subscriptions.items())
            self.user_subscriptions.clear()
            for subscription_id, session in ended:
                self.push(
                    session,
                    {
                        "subscriptionId": subscription_id,
                        "event": {"e": "eventStreamTerminated", "E": self.now_ms()},
                    },
                )
            return len(ended)

        result: int = self.run(act)
        return result

    # ---- WebSocket API (user data)

    async def api_ws(self, request: web.Request) -> web.WebSocketResponse:
        session = Session(ws=None, kind="api")  # type: ignore[arg-type]
        try:
            return await self.serve_ws(request, "api", self.on_api_frame, session)
        finally:  # a subscription lives as long as its connection
            for subscription_id in session.state.get("subscriptions", []):
                self.user_subscriptions.pop(subscription_id, None)

    async def api_method(self, session: Session, method: str, params: dict[str, Any]) -> Any:
        if method == "userDataStream.subscribe.signature":
            self.check_ws_signature(params)
            self._subscription_ids += 1
            subscription_id = self._subscription_ids
            self.user_subscriptions[subscription_id] = session
            session.state.setdefault("subscriptions", []).append(subscription_id)
            return {"subscriptionId": subscription_id}
        if method == "userDataStream.unsubscribe":
            for subscription_id in session.state.get("subscriptions", []):
                self.user_subscriptions.pop(subscription_id, None)
            return {}
        if method == "session.logon":
            raise BinanceError(-4056, "HMAC_SHA256 API key is not supported.")
        if method in ("userDataStream.start", "userDataStream.ping", "userDataStream.stop"):
            raise BinanceError(-1099, "Not found, unauthenticated, or unauthorized.")
        return await super().api_method(session, method, params)
