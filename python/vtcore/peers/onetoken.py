"""A local 1Token venue: the aggregator vn.py 2.0 traded through, whose public service no longer exists
(venues.md §7). Written from 1Token's documents (the 2018 `docs/` of the onetoken repository: rest-api.md,
ws-api.md, data-structure.md, error-code.md) and the protocol its SDK speaks, not from vtcore's gateway.

As 1Token did:
- REST `/api/v1`: `basic/time`, `basic/contracts?exchange=`, `quote/single-tick/{exchange}/{contract}`; the
  trade API under `/api/v1/trade/{exchange}/{account}` (`info`, `orders`, `orders/all`, `trans`) signed with
  `Api-Nonce` (microseconds, increasing, below 2^53), `Api-Key`, `Api-Signature` = hex(HMAC-SHA256(ot_secret,
  VERB + "/{exchange}/{account}{endpoint}" + nonce + body)), the query string not signed; errors as
  `{"code": "...", "message": "..."}` with the documented string codes (invalid-api-key, invalid-param,
  contract-not-exist, client_oid-already-existed, client_oid-not-found, exchange_oid-not-found,
  place-order-no-money, rate-limit-exceeded, no-router-found for an exchange 1Token did not route).
- Limit orders only: `{"contract", "price", "bs": "b"|"s", "amount", "client_oid"?, "options"?}`, price on the
  contract's `min_change`, amount at least and a multiple of `min_amount`, a client_oid of 12-64 characters
  `[A-Za-z0-9/-.]` unique per account; statuses waiting/pending/part-deal-pending/withdrawing/
  part-deal-withdrawing (active) and dealt/withdrawn/part-deal-withdrawn/error-order (final).
- Trade WebSocket `/api/v1/ws/trade/{exchange}/{account}`, authenticated by the same three headers on the
  upgrade (signing "GET" + "/ws/{account}" + nonce), `{"uri":"connection","code":"ok"}` first, `sub-info` /
  `sub-order` pushing `info` and `order` messages; tick WebSocket `/api/v1/ws/tick` (gzip binary frames with
  `?gzip=true`), `{"uri":"auth"}` first, `subscribe-single-tick-verbose` and `subscribe-single-zhubi-verbose`.
  Both answer `{"uri":"ping"}` with `{"uri":"pong","uuid":...,"timestamp":...}` and drop a connection that
  sends nothing for 30 s.
- The `last_dealt_amount` field of an order was spelt `last_dealed_amount` in the documents; `last_dealt_key`
  chooses which one this venue writes, so a client can be tested against both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiohttp import web

from vtcore.peers.base import Session, VenueServer
from vtcore.peers.matching import Execution, SimOrder

OT_KEY = "OT-KEY-4f6c0d1e2b3a"
OT_SECRET = "OT-SECRET-9a8b7c6d5e4f3a2b1c0d"
ACCOUNT = "mock-vtcore"
EXCHANGES = ("binance", "bitmex", "okex", "okef", "huobip", "huobif")
CLIENT_OID = re.compile(r"^[A-Za-z0-9/\-.]{12,64}$")
ACTIVE = {"NEW": "pending", "PARTIALLY_FILLED": "part-deal-pending"}
RATE_LIMIT_PER_SECOND = 20
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Contract:
    exchange: str
    name: str  # btc.usdt, btc.usd.q
    min_change: Decimal
    min_amount: Decimal
    unit_amount: Decimal
    category: str = "spot"

    @property
    def symbol(self) -> str:
        return f"{self.exchange}/{self.name}"

    @property
    def coin(self) -> str:
        return self.name.split(".")[0]

    @property
    def base(self) -> str:
        return self.name.split(".")[1]


CONTRACTS = {
    c.symbol: c
    for c in (
        Contract("binance", "btc.usdt", Decimal("0.01"), Decimal("0.000001"), Decimal("0.000001")),
        Contract("binance", "eth.usdt", Decimal("0.01"), Decimal("0.00001"), Decimal("0.00001")),
        Contract("huobip", "btc.usdt", Decimal("0.01"), Decimal("0.0001"), Decimal("0.0001")),
        Contract("okex", "btc.usdt", Decimal("0.1"), Decimal("0.001"), Decimal("0.001")),
        Contract("okef", "btc.usd.q", Decimal("0.01"), Decimal(1), Decimal(1), "future"),
        Contract("huobif", "btc.usd.q", Decimal("0.01"), Decimal(1), Decimal(1), "future"),
        Contract("bitmex", "btc.usd.td", Decimal("0.5"), Decimal(1), Decimal(1), "future"),
    )
}


class OneTokenError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def signature(secret: str, verb: str, path: str, nonce: str, body: str) -> str:
    return hmac.new(secret.encode(), f"{verb}{path}{nonce}{body}".encode(), hashlib.sha256).hexdigest()


def iso(ms: int) -> str:
    """1Token's timestamps: ISO 8601 in China time with microseconds."""
    return dt.datetime.fromtimestamp(ms / 1000, CHINA).isoformat(timespec="microseconds")


def num(value: Decimal) -> float:
    return float(value)


class OneTokenVenue(VenueServer):
    client_idle_timeout = 30.0
    last_dealt_key = "last_dealt_amount"

    def __init__(self) -> None:
        super().__init__()
        self.ot_key, self.ot_secret, self.account = OT_KEY, OT_SECRET, ACCOUNT
        #: holdings per exchange: currency -> amount; futures contracts -> signed position
        self.holdings: dict[str, dict[str, Decimal]] = {
            exchange: {"btc": Decimal(2), "eth": Decimal(20), "usdt": Decimal(100_000), "usd": Decimal(0)}
            for exchange in EXCHANGES
        }
        self.last_nonce: dict[str, int] = {}
        self.fills_log: list[dict[str, Any]] = []
        self.last_trade: dict[str, tuple[Decimal, Decimal, str]] = {}
        self.request_times: list[float] = []

    def build_app(self) -> web.Application:
        app = web.Application()
        get = app.router.add_get
        get("/api/v1/basic/time", self.public(self.basic_time))
        get("/api/v1/basic/contracts", self.public(self.basic_contracts))
        get("/api/v1/quote/single-tick/{exchange}/{name}", self.public(self.single_tick))
        trade = "/api/v1/trade/{exchange}/{account}"
        app.router.add_route("GET", trade + "/info", self.private(self.info))
        app.router.add_route("GET", trade + "/orders", self.private(self.get_orders))
        app.router.add_route("POST", trade + "/orders", self.private(self.post_order))
        app.router.add_route("DELETE", trade + "/orders", self.private(self.delete_orders))
        app.router.add_route("DELETE", trade + "/orders/all", self.private(self.delete_all))
        app.router.add_route("GET", trade + "/trans", self.private(self.trans))
        get("/api/v1/ws/trade/{exchange}/{account}", self.trade_ws)
        get("/api/v1/ws/tick", self.tick_ws)
        return app

    # ---- REST plumbing

    def answer(self, payload: Any, status: int = 200) -> web.Response:
        return web.Response(status=status, text=json.dumps(payload), content_type="application/json")

    def error(self, error: OneTokenError) -> web.Response:
        return self.answer({"code": error.code, "message": error.message}, error.status)

    def rate_limited_response(self) -> web.Response:
        return self.answer({"code": "rate-limit-exceeded", "message": "rate limit exceeded, slow down"}, 429)

    def over_limit(self) -> bool:
        now = time.monotonic()
        self.request_times = [t for t in self.request_times if now - t < 1.0] + [now]
        return len(self.request_times) > RATE_LIMIT_PER_SECOND

    def public(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            if self.over_limit():
                return self.rate_limited_response()
            try:
                return self.answer(await handler(request, dict(request.query)))
            except OneTokenError as error:
                return self.error(error)

        return wrapped

    def private(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            body = await request.text()
            exchange, account = request.match_info["exchange"], request.match_info["account"]
            endpoint = request.rel_url.raw_path.split(f"/{account}", 1)[1]
            try:
                if self.over_limit():
                    return self.rate_limited_response()
                self.check_auth(request.method, f"/{exchange}/{account}{endpoint}", request.headers, body)
                self.check_account(exchange, account)
                params: dict[str, Any] = dict(request.query)
                if body and request.method in ("POST", "PATCH"):
                    try:
                        decoded = json.loads(body)
                    except ValueError:
                        raise OneTokenError("invalid-param", "body is not json") from None
                    if not isinstance(decoded, dict):
                        raise OneTokenError("invalid-param", "body is not a json object")
                    params.update(decoded)
                return self.answer(await handler(exchange, params))
            except OneTokenError as error:
                return self.error(error)

        return wrapped

    def check_auth(self, verb: str, path: str, headers: Any, body: str) -> None:
        key, nonce, sig = headers.get("Api-Key"), headers.get("Api-Nonce", ""), headers.get("Api-Signature")
        if not key or key != self.ot_key:
            raise OneTokenError("invalid-api-key", "api key not found", 401)
        if not nonce.isdigit() or int(nonce) >= 2**53:
            raise OneTokenError("invalid-param", "Api-Nonce must be an integer below 2^53", 401)
        expected = signature(self.ot_secret, verb, path, nonce, body)
        if not sig or not hmac.compare_digest(expected, sig):
            raise OneTokenError("invalid-api-key", "signature not valid", 401)
        if int(nonce) <= self.last_nonce.get(key, 0):
            raise OneTokenError("invalid-param", "Api-Nonce must be larger than the last one", 401)
        self.last_nonce[key] = int(nonce)

    def check_account(self, exchange: str, account: str) -> None:
        if exchange not in EXCHANGES:
            raise OneTokenError("no-router-found", f"exchange {exchange} is not supported", 404)
        if account != self.account:
            raise OneTokenError("invalid-param", f"account {exchange}/{account} not found", 404)

    def contract(self, symbol: Any, exchange: str | None = None) -> Contract:
        item = CONTRACTS.get(str(symbol or ""))
        if item is None or (exchange is not None and item.exchange != exchange):
            raise OneTokenError("contract-not-exist", f"contract {symbol} does not exist")
        return item

    # ---- public REST

    async def basic_time(self, request: web.Request, params: dict[str, Any]) -> Any:
        now = self.now_ms()
        return {"server_time": now / 1000, "time": iso(now)}

    async def basic_contracts(self, request: web.Request, params: dict[str, Any]) -> Any:
        exchange = params.get("exchange")
        if exchange not in EXCHANGES:
            raise OneTokenError("no-router-found", f"exchange {exchange} is not supported", 404)
        name = params.get("name")
        return [
            {
                "id": index + 1,
                "name": c.name,
                "symbol": c.symbol,
                "exchange": c.exchange,
                "alias": "",
                "category": c.category,
                "first_day": "2018-01-01",
                "last_day": None,
                "exec_price": None,
                "currency": c.base,
                "min_change": num(c.min_change),
                "min_amount": num(c.min_amount),
                "unit_amount": num(c.unit_amount),
            }
            for index, c in enumerate(CONTRACTS.values())
            if c.exchange == exchange and name in (None, c.name)
        ]

    def tick_data(self, item: Contract) -> dict[str, Any]:
        bids, asks = self.matching.book(item.symbol)
        last = self.last_trade.get(item.symbol)
        now = self.now_ms()
        return {
            "asks": [{"price": num(p), "volume": num(q)} for p, q in asks[:10]],
            "bids": [{"price": num(p), "volume": num(q)} for p, q in bids[:10]],
            "contract": item.symbol,
            "last": num(last[0]) if last else None,
            "time": iso(now),
            "exchange_time": iso(now - 5),
            "amount": 16592.4,
            "volume": 1234.5,
        }

    async def single_tick(self, request: web.Request, params: dict[str, Any]) -> Any:
        item = self.contract(f"{request.match_info['exchange']}/{request.match_info['name']}")
        return self.tick_data(item)

    # ---- private REST

    def locked(self, exchange: str) -> dict[str, Decimal]:
        locked: dict[str, Decimal] = {}
        for order in self.matching.orders.values():
            item = CONTRACTS[order.symbol]
            if not order.active or item.exchange != exchange:
                continue
            if item.category == "future":
                locked[item.coin] = (
                    locked.get(item.coin, Decimal(0)) + order.remaining * item.unit_amount / 100
                )
            elif order.side == "BUY":
                locked[item.base] = locked.get(item.base, Decimal(0)) + order.remaining * order.price
            else:
                locked[item.coin] = locked.get(item.coin, Decimal(0)) + order.remaining
        return locked

    def info_data(self, exchange: str) -> dict[str, Any]:
        locked = self.locked(exchange)
        positions = []
        for name, amount in self.holdings[exchange].items():
            frozen = locked.get(name, Decimal(0))
            is_contract = "/" in name
            positions.append(
                {
                    "contract": name.split("/", 1)[1] if is_contract else name,
                    "type": "future" if is_contract else "spot",
                    "total_amount": num(amount),
                    "available": num(amount - frozen),
                    "frozen": num(frozen),
                    "market_value": num(amount),
                    "value_cny": num(amount * 7),
                }
            )
        cash = self.holdings[exchange].get("usdt", Decimal(0))
        return {
            "balance": num(cash * 7),
            "cash": num(cash * 7),
            "market_value": 0.0,
            "market_value_detail": {},
            "position": positions,
        }

    async def info(self, exchange: str, params: dict[str, Any]) -> Any:
        return self.info_data(exchange)

    def order_data(self, order: SimOrder) -> dict[str, Any]:
        extra = order.extra
        options = extra.get("options")
        status = ACTIVE.get(order.status)
        if status is None:
            status = {"FILLED": "dealt"}.get(order.status)
        if status is None:
            status = "part-deal-withdrawn" if order.filled else "withdrawn"
        fills = self.matching.fills.get(order.order_id, [])
        return {
            "account": f"{CONTRACTS[order.symbol].exchange}/{self.account}",
            "contract": order.symbol,
            "bs": "b" if order.side == "BUY" else "s",
            "client_oid": order.client_id,
            "exchange_oid": extra["exchange_oid"],
            "status": status,
            "entrust_price": num(order.price),
            "entrust_amount": num(order.quantity),
            "entrust_time": iso(order.created_ms),
            "average_dealt_price": num(order.average_price),
            "dealt_amount": num(order.filled),
            self.last_dealt_key: num(fills[-1].quantity) if fills else 0.0,
            "commission": num(order.filled_quote * Decimal("0.001")),
            "last_update": iso(order.updated_ms),
            "canceled_time": iso(order.updated_ms)
            if status in ("withdrawn", "part-deal-withdrawn")
            else None,
            "options": {"client_oid": order.client_id, **(options if isinstance(options, dict) else {})},
            "tags": {},
        }

    def find(self, exchange: str, params: dict[str, Any]) -> list[SimOrder]:
        orders = [o for o in self.matching.orders.values() if CONTRACTS[o.symbol].exchange == exchange]
        if params.get("client_oid"):
            wanted = str(params["client_oid"]).split(",")
            found = [o for o in orders if o.client_id in wanted]
            if not found:
                raise OneTokenError(
                    "client_oid-not-found", f"client_oid {params['client_oid']} not found", 404
                )
            return found
        if params.get("exchange_oid"):
            wanted = str(params["exchange_oid"]).split(",")
            found = [o for o in orders if o.extra["exchange_oid"] in wanted]
            if not found:
                raise OneTokenError(
                    "exchange_oid-not-found", f"exchange_oid {params['exchange_oid']} not found", 404
                )
            return found
        return orders

    async def get_orders(self, exchange: str, params: dict[str, Any]) -> Any:
        orders = self.find(exchange, params)
        if params.get("contract"):
            orders = [o for o in orders if o.symbol == params["contract"]]
        state = params.get("state")
        if state == "active" or (
            not state and not params.get("client_oid") and not params.get("exchange_oid")
        ):
            orders = [o for o in orders if o.active]
        elif state == "end":
            orders = [o for o in orders if not o.active]
        return [self.order_data(o) for o in orders]

    async def post_order(self, exchange: str, params: dict[str, Any]) -> Any:
        item = self.contract(params.get("contract"), exchange)
        if params.get("bs") not in ("b", "s"):
            raise OneTokenError("invalid-param", "bs must be b or s")
        try:
            price = Decimal(str(params.get("price")))
            amount = Decimal(str(params.get("amount")))
        except ArithmeticError:
            raise OneTokenError("invalid-param", "price and amount must be numbers") from None
        if not price.is_finite() or price <= 0:
            raise OneTokenError("invalid-param", "price must be positive")
        if not amount.is_finite() or amount <= 0:
            raise OneTokenError("invalid-param", "amount must be positive")
        if price % item.min_change:
            raise OneTokenError("invalid-param", f"price must be a multiple of {num(item.min_change)}")
        if amount < item.min_amount or amount % item.min_amount:
            raise OneTokenError(
                "place-order-min-notional" if amount < item.min_amount else "invalid-param",
                f"amount must be a multiple of min_amount {num(item.min_amount)}",
            )
        client_oid = str(params.get("client_oid") or "")
        if client_oid:
            if not CLIENT_OID.match(client_oid):
                raise OneTokenError("invalid-param", "client_oid must be 12-64 characters of [A-Za-z0-9/-.]")
            if any(o.client_id == client_oid for o in self.matching.orders.values()):
                raise OneTokenError("client_oid-already-existed", f"client_oid {client_oid} already existed")
        else:
            client_oid = f"{item.symbol}-{self.now_ms()}{self.next_id():04d}"
        side = "BUY" if params["bs"] == "b" else "SELL"
        holdings = self.holdings[exchange]
        locked = self.locked(exchange)
        if item.category == "future":
            currency, needed = item.coin, amount * item.unit_amount / 100
        elif side == "BUY":
            currency, needed = item.base, amount * price
        else:
            currency, needed = item.coin, amount
        if holdings.get(currency, Decimal(0)) - locked.get(currency, Decimal(0)) < needed:
            raise OneTokenError("place-order-no-money", f"not enough {currency} to place the order")
        order = SimOrder(
            order_id=self.matching.next_order_id(),
            client_id=client_oid,
            account=self.account,
            symbol=item.symbol,
            side=side,
            kind="LIMIT",
            tif="GTC",
            price=price,
            quantity=amount,
            extra={
                "exchange_oid": f"{item.symbol}-{self.matching.next_order_id() + 7_000_000}",
                "options": params.get("options") or {},
            },
        )
        self.place_and_publish(order)
        return {"exchange_oid": order.extra["exchange_oid"], "client_oid": client_oid}

    async def delete_orders(self, exchange: str, params: dict[str, Any]) -> Any:
        if not params.get("client_oid") and not params.get("exchange_oid"):
            raise OneTokenError("invalid-param", "client_oid or exchange_oid is required")
        results = []
        for order in self.find(exchange, params):
            if not order.active:
                raise OneTokenError(
                    "cancel-order-not-exist", f"order {order.client_id} is already {order.status}"
                )
            self.matching.cancel(order.order_id)
            results.append({"exchange_oid": order.extra["exchange_oid"], "client_oid": order.client_id})
        return results

    async def delete_all(self, exchange: str, params: dict[str, Any]) -> Any:
        for order in list(self.matching.orders.values()):
            item = CONTRACTS[order.symbol]
            if order.active and item.exchange == exchange and params.get("contract") in (None, order.symbol):
                self.matching.cancel(order.order_id)
        return {"status": "success"}

    async def trans(self, exchange: str, params: dict[str, Any]) -> Any:
        rows = [r for r in self.fills_log if r["contract"].split("/")[0] == exchange]
        if params.get("contract"):
            rows = [r for r in rows if r["contract"] == params["contract"]]
        return list(reversed(rows))

    def on_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        item = CONTRACTS[order.symbol]
        holdings = self.holdings[item.exchange]
        if fill is not None:
            signed = fill.quantity if order.side == "BUY" else -fill.quantity
            if item.category == "future":
                holdings[item.symbol] = holdings.get(item.symbol, Decimal(0)) + signed
            else:
                holdings[item.coin] = holdings.get(item.coin, Decimal(0)) + signed
                holdings[item.base] = holdings.get(item.base, Decimal(0)) - signed * fill.price
            self.fills_log.append(
                {
                    "account": f"{item.exchange}/{self.account}",
                    "contract": order.symbol,
                    "bs": "b" if order.side == "BUY" else "s",
                    "client_oid": order.client_id,
                    "exchange_oid": order.extra["exchange_oid"],
                    "exchange_tid": f"{order.symbol}-{fill.trade_id}",
                    "dealt_amount": num(fill.quantity),
                    "dealt_price": num(fill.price),
                    "dealt_type": "maker" if fill.maker else "taker",
                    "commission": num(fill.quantity * fill.price * Decimal("0.001")),
                    "commission_currency": item.base,
                    "dealt_time": iso(fill.time_ms),
                    "tags": {},
                }
            )
        for session in self.trade_sessions(item.exchange):
            if session.state.get("sub-order"):
                self.push(session, {"uri": "order", "status": "ok", "data": [self.order_data(order)]})
            if session.state.get("sub-info") and (fill is not None or execution.kind != "TRADE"):
                self.push(session, {"uri": "info", "status": "ok", "data": self.info_data(item.exchange)})

    def trade_sessions(self, exchange: str) -> list[Session]:
        return [
            s
            for s in list(self.sessions)
            if s.kind == "trade" and s.state.get("exchange") == exchange and not s.ws.closed
        ]

    # ---- WebSocket

    async def trade_ws(self, request: web.Request) -> web.WebSocketResponse:
        exchange, account = request.match_info["exchange"], request.match_info["account"]
        session = Session(ws=None, kind="trade")  # type: ignore[arg-type]
        session.state["exchange"] = exchange
        problem: dict[str, Any] | None = None
        try:
            self.check_auth("GET", f"/ws/{account}", request.headers, "")
            self.check_account(exchange, account)
        except OneTokenError as error:
            problem = {"uri": "connection", "code": error.code, "message": error.message}
            if error.code == "no-router-found":
                problem = {"code": "no-router-found", "message": error.message}

        async def greet() -> None:
            for _ in range(1000):
                if session.ws is not None and session.ws.prepared:
                    break
                await self.sleep_a_little()
            if problem is not None:
                await self.send_json(session, problem)
                await session.ws.close()
                return
            await self.send_json(session, {"uri": "connection", "code": "ok"})

        self.call(greet())
        return await self.serve_ws(request, "trade", self.on_trade_frame, session)

    @staticmethod
    async def sleep_a_little() -> None:
        await asyncio.sleep(0.001)

    async def pong(self, session: Session, message: dict[str, Any]) -> bool:
        if message.get("uri") != "ping":
            return False
        if not self.faults.stop_pings:
            await self.send(
                session, {"uri": "pong", "uuid": message.get("uuid"), "timestamp": self.now_ms() / 1000}
            )
        return True

    async def send(self, session: Session, payload: Any) -> None:
        if session.state.get("gzip"):
            if self.faults.mute or session.ws.closed:
                return
            await session.ws.send_bytes(gzip.compress(json.dumps(payload).encode()))
        else:
            await self.send_json(session, payload)

    def decode(self, raw: str) -> dict[str, Any] | None:
        try:
            message = json.loads(raw)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    async def on_trade_frame(self, session: Session, raw: str) -> None:
        message = self.decode(raw)
        if message is None:
            await self.send_json(session, {"uri": "error", "code": "invalid-param", "message": "not json"})
            return
        self.ws_log.append((session.kind, message))
        if await self.pong(session, message):
            return
        uri = message.get("uri")
        exchange = session.state["exchange"]
        if uri in ("sub-info", "sub-order"):
            session.state[uri] = True
            await self.send_json(session, {"uri": uri, "code": "success"})
            if uri == "sub-info":
                await self.send_json(
                    session, {"uri": "info", "status": "ok", "data": self.info_data(exchange)}
                )
        elif uri in ("unsub-info", "unsub-order"):
            session.state[uri[2:]] = False
            await self.send_json(session, {"uri": uri, "code": "success"})
        else:
            await self.send_json(
                session, {"uri": "error", "code": "invalid-param", "message": f"unknown uri {uri}"}
            )

    async def tick_ws(self, request: web.Request) -> web.WebSocketResponse:
        session = Session(ws=None, kind="tick")  # type: ignore[arg-type]
        session.state["gzip"] = request.query.get("gzip") == "true"
        return await self.serve_ws(request, "tick", self.on_tick_frame, session)

    async def on_tick_frame(self, session: Session, raw: str) -> None:
        message = self.decode(raw)
        if message is None:
            await self.send(session, {"uri": "error", "code": "invalid-param", "message": "not json"})
            return
        self.ws_log.append((session.kind, message))
        if await self.pong(session, message):
            return
        uri = message.get("uri")
        if uri == "auth":
            session.state["authed"] = True
            await self.send(session, {"uri": "auth", "message": "Auth succeed."})
            return
        if uri in ("subscribe-single-tick-verbose", "subscribe-single-zhubi-verbose"):
            if not session.state.get("authed"):
                await self.send(session, {"uri": uri, "code": "invalid-param", "message": "auth first"})
                return
            symbol = str(message.get("contract", ""))
            if symbol not in CONTRACTS:
                await self.send(
                    session, {"uri": uri, "code": "contract-not-exist", "message": f"{symbol} not exist"}
                )
                return
            session.topics.add(f"{uri}:{symbol}")
            await self.send(session, {"uri": uri, "message": f"subscribe {symbol} succeed"})
            if uri == "subscribe-single-tick-verbose":
                data = self.tick_data(CONTRACTS[symbol])
                await self.send(session, {"uri": "single-tick-verbose", "data": data})
            return
        await self.send(session, {"uri": "error", "code": "invalid-param", "message": f"unknown uri {uri}"})

    def tick_sessions(self, topic: str) -> list[Session]:
        return [s for s in list(self.sessions) if s.kind == "tick" and topic in s.topics and not s.ws.closed]

    def publish_book(self, symbol: str) -> None:
        data = self.tick_data(CONTRACTS[symbol])
        for session in self.tick_sessions(f"subscribe-single-tick-verbose:{symbol}"):
            self.call(self.send(session, {"uri": "single-tick-verbose", "data": data}))

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        bs = "s" if buyer_maker else "b"
        self.last_trade[symbol] = (Decimal(price), Decimal(quantity), bs)
        now = self.now_ms()
        zhubi = {
            "amount": float(quantity),
            "bs": bs,
            "contract": symbol,
            "exchange_time": iso(now - 5),
            "price": float(price),
            "time": iso(now),
        }
        for session in self.tick_sessions(f"subscribe-single-zhubi-verbose:{symbol}"):
            self.call(self.send(session, {"uri": "single-zhubi-verbose", "data": [zhubi]}))
        self.publish_book(symbol)
