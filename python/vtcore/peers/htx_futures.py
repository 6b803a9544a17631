"""A local HTX futures venue (`api.hbdm.com`, the old HBDM), written from HTX's documents as the reference
notes and
ccxt's recorded answers give them (venues.md §4, §12-13), not from vtcore's gateway.

One server holds the three contract families HTX runs on that host:

- coin-margined delivery futures ("future"): REST `/api/v1/contract_*`, market data `/market/*` (symbol
`BTC_CQ`
  or the contract code `BTC260925`), market WebSocket `/ws`, private `/notification`;
- coin-margined swaps ("swap"): REST `/swap-api/v1/swap_*`, `/swap-ex/market/*`, `/swap-ws`,
`/swap-notification`;
- USDT-margined swaps ("linear"): contract list `/linear-swap-api/v1/swap_contract_info`, trading and account
on
  the 2026 v5 API (`/v5/trade/*`, `/v5/account/balance`, `/v5/trade/position/opens`; v1 linear trading was
  switched off on 2026-07-13), market data `/linear-swap-ex/market/*`, `/linear-swap-ws`, private
  `/ws/v5/notification` (topics `orders`, `trade`, `account`, `positions` with a `contract_code`).

The v1 answers are `{"status": "ok", "data": ..., "ts": ...}` or `{"status": "error", "err_code": N,
"err_msg":
..., "ts": ...}`; v5 answers `{"code": 200, "message": "Success", "data": ..., "ts": ...}` or `{"code": N,
"message": ...}`. Coin-margined orders carry `direction` + `offset` (open/close, two-way positions),
`lever_rate`
and `order_price_type`; v5 orders carry `side`, `type`, `time_in_force`, `margin_mode` and one-way positions
(`position_side` "both"). Status: v1 integers (3 submitted, 4 partial, 5 partially cancelled, 6 filled, 7
cancelled), v5 strings (new, partially_filled, filled, partially_canceled, canceled). Every stream is gzip;
the
market streams ping `{"ping": ts}`, the notification streams `{"op": "ping", "ts": "ts"}`; Signature v2 as on
spot
(over the stream's path for the `op: auth` message), answered with the futures error codes (403 for a bad key
or
signature; on streams 2002 "Authentication required.", 2003 "Authentication failed.", 2011 for an unknown
contract).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiohttp import web

from vtcore.peers.base import Session, int_param
from vtcore.peers.htx import (
    PERIOD_SECONDS,
    ZERO,
    HtxVenueBase,
    RateLimitedError,
    SignatureError,
    check_signature_v2,
    decimal_param,
    hosts_of,
    kline_rows,
    market_request,
    number,
    plain,
)
from vtcore.peers.matching import Execution, SimOrder

USER_ID = "359305390"
TAKER_FEE, MAKER_FEE = Decimal("0.0005"), Decimal("0.0002")


@dataclass(frozen=True)
class Family:
    name: str  # "future", "swap", "linear"
    market_prefix: str  # REST market-data prefix
    market_path: str  # market WebSocket path
    private_path: str  # notification WebSocket path
    margin: str  # "coin" or "usdt"


FAMILIES = {
    "future": Family("future", "", "/ws", "/notification", "coin"),
    "swap": Family("swap", "/swap-ex", "/swap-ws", "/swap-notification", "coin"),
    "linear": Family("linear", "/linear-swap-ex", "/linear-swap-ws", "/ws/v5/notification", "usdt"),
}


@dataclass(frozen=True)
class Contract:
    family: str
    contract_code: str
    symbol: str  # the base coin
    contract_size: Decimal  # USD per contract (coin-margined) or coin per contract (linear)
    price_tick: Decimal
    contract_type: str  # "quarter", "swap"
    delivery_date: str = ""
    delivery_time: str = ""

    @property
    def alias(self) -> str:
        """Delivery futures' other market-data name (`BTC_CQ` for the quarter)."""
        return f"{self.symbol}_CQ" if self.contract_type == "quarter" else self.contract_code

    @property
    def quote(self) -> str:
        return "USDT" if self.family == "linear" else "USD"


CONTRACTS = (
    Contract(
        "future", "BTC260925", "BTC", Decimal(100), Decimal("0.01"), "quarter", "20260925", "1790323200000"
    ),
    Contract("swap", "BTC-USD", "BTC", Decimal(100), Decimal("0.1"), "swap"),
    Contract("linear", "BTC-USDT", "BTC", Decimal("0.001"), Decimal("0.1"), "swap"),
)
#: v1 order_price_type -> (matching kind, time in force)
PRICE_TYPES = {
    "limit": ("LIMIT", "GTC"),
    "post_only": ("LIMIT", "POST_ONLY"),
    "ioc": ("LIMIT", "IOC"),
    "fok": ("LIMIT", "FOK"),
    "opponent": ("MARKET", "IOC"),
    "optimal_5": ("MARKET", "IOC"),
    "optimal_10": ("MARKET", "IOC"),
    "optimal_20": ("MARKET", "IOC"),
    "opponent_ioc": ("MARKET", "IOC"),
    "opponent_fok": ("MARKET", "FOK"),
}


class HbdmError(Exception):
    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def invalid_parameter(name: str) -> HbdmError:
    return HbdmError(1014, f"Invalid parameter: {name}")


def v1_status(order: SimOrder) -> int:
    return {"NEW": 3, "PARTIALLY_FILLED": 4, "FILLED": 6}.get(order.status, 5 if order.filled else 7)


def v5_state(order: SimOrder) -> str:
    return {"NEW": "new", "PARTIALLY_FILLED": "partially_filled", "FILLED": "filled"}.get(
        order.status, "partially_canceled" if order.filled else "canceled"
    )


class HbdmVenue(HtxVenueBase):
    request_limit = (72, 3.0)  # HTX futures: 72 signed requests per 3 s per key

    gzip_kinds = frozenset(
        {"market-future", "market-swap", "market-linear", "notify-future", "notify-swap", "notify-linear"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.contracts = {c.contract_code: c for c in CONTRACTS}
        #: margin balance per account: ("future"|"swap", coin) or ("linear", "USDT")
        self.margin: dict[tuple[str, str], Decimal] = {
            ("future", "BTC"): Decimal(10),
            ("swap", "BTC"): Decimal(10),
            ("linear", "USDT"): Decimal(100000),
        }
        #: open positions: (contract code, "buy"|"sell") -> (volume, average price)
        self.positions: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        self.lever: dict[str, int] = {}
        self.fees: dict[int, Decimal] = {}
        self._version: dict[str, int] = {}
        self._book_sent: dict[str, tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]] = {}
        self._last: dict[str, tuple[Decimal, Decimal]] = {}
        #: the next N order notifications (v1 and v5), and the next N order queries (`order_info`, v5
        #: `/v5/trade/order`), report a state no client knows (v1 status 99, v5 "paused")
        self.odd_states = 0
        self.odd_queries = 0

    # ---- routes

    def build_app(self) -> web.Application:
        app = web.Application()
        add = app.router.add_route
        add("GET", "/api/v1/timestamp", self.v1(False, self.timestamp, raw=True))
        add("GET", "/api/v1/contract_contract_info", self.v1(False, self.contract_info_of("future")))
        add("GET", "/swap-api/v1/swap_contract_info", self.v1(False, self.contract_info_of("swap")))
        add("GET", "/linear-swap-api/v1/swap_contract_info", self.v1(False, self.contract_info_of("linear")))
        for family in FAMILIES.values():
            prefix = family.market_prefix
            add("GET", f"{prefix}/market/depth", self.v1(False, self.depth_of(family.name), raw=True))
            add(
                "GET", f"{prefix}/market/detail/merged", self.v1(False, self.merged_of(family.name), raw=True)
            )
            add("GET", f"{prefix}/market/history/kline", self.v1(False, self.kline_of(family.name), raw=True))
        for name, prefix in (("future", "/api/v1/contract_"), ("swap", "/swap-api/v1/swap_")):
            add("POST", f"{prefix}account_info", self.v1(True, self.account_info_of(name)))
            add("POST", f"{prefix}position_info", self.v1(True, self.position_info_of(name)))
            add("POST", f"{prefix}order", self.v1(True, self.v1_order_of(name)))
            add("POST", f"{prefix}cancel", self.v1(True, self.v1_cancel_of(name)))
            add("POST", f"{prefix}order_info", self.v1(True, self.v1_order_info_of(name)))
            add("POST", f"{prefix}openorders", self.v1(True, self.v1_open_orders_of(name)))
        add("POST", "/api/v3/contract_matchresults_exact", self.v1(True, self.matchresults_of("future")))
        add("POST", "/swap-api/v3/swap_matchresults_exact", self.v1(True, self.matchresults_of("swap")))
        add("GET", "/v5/account/balance", self.v5(self.v5_balance))
        add("GET", "/v5/trade/position/opens", self.v5(self.v5_positions))
        add("POST", "/v5/trade/order", self.v5(self.v5_place))
        add("POST", "/v5/trade/cancel_order", self.v5(self.v5_cancel))
        add("GET", "/v5/trade/order", self.v5(self.v5_order))
        add("GET", "/v5/trade/order/opens", self.v5(self.v5_open_orders))
        add("GET", "/v5/trade/order/details", self.v5(self.v5_order_details))
        for family in FAMILIES.values():
            app.router.add_get(family.market_path, self.market_ws_of(family.name))
            app.router.add_get(family.private_path, self.private_ws_of(family.name))
        # USDT-margined v1 trading (`/linear-swap-api/v1/swap_*order*`) was switched off on 2026-07-13
        app.router.add_route("*", "/{path:.*}", self.unknown_path)
        return app

    # ---- REST plumbing

    async def read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            k: v
            for k, v in request.query.items()
            if k not in ("AccessKeyId", "SignatureMethod", "SignatureVersion", "Timestamp", "Signature")
        }
        if request.method == "POST":
            body = await request.text()
            if body:
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise HbdmError(1014, "Invalid parameter.") from None
                if not isinstance(decoded, dict):
                    raise HbdmError(1014, "Invalid parameter.")
                params.update(decoded)
        return params

    def check_auth(self, request: web.Request) -> None:
        try:
            self.verify_rest_signature(request)
        except RateLimitedError:
            raise HbdmError(1032, "The number of access exceeds the limit.", 429) from None
        except SignatureError as error:
            message = "Incorrect Access key [Access key错误]" if error.kind == "key" else error.detail
            raise HbdmError(403, message.removeprefix("Signature not valid: ")) from None

    def v1(self, signed: bool, handler: Any, raw: bool = False) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                if signed:
                    self.check_auth(request)
                result = await handler(await self.read_params(request))
                payload = {"status": "ok", **result} if raw else {"status": "ok", "data": result}
                payload.setdefault("ts", self.now_ms())
                return self.answer(payload)
            except HbdmError as error:
                return self.answer(
                    {
                        "status": "error",
                        "err_code": error.code,
                        "err_msg": error.message,
                        "ts": self.now_ms(),
                    },
                    error.status,
                )

        return wrapped

    def v5(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                self.check_auth(request)
                data = await handler(await self.read_params(request))
                return self.answer({"code": 200, "message": "Success", "data": data, "ts": self.now_ms()})
            except HbdmError as error:
                return self.answer(
                    {"code": error.code, "message": error.message, "ts": self.now_ms()}, error.status
                )

        return wrapped

    async def unknown_path(self, request: web.Request) -> web.Response:
        """A path HTX does not serve (or no longer serves) answers in its futures error shape."""
        body = {"status": "error", "err_code": 404, "err_msg": f"Not Found: {request.path}"}
        return self.answer({**body, "ts": self.now_ms()}, 404)

    def unavailable_response(self) -> web.Response:
        body = {"status": "error", "err_code": 1004, "err_msg": "System busy. Please try again later."}
        return self.answer({**body, "ts": self.now_ms()}, 503)

    def rate_limited_response(self) -> web.Response:
        body = {"status": "error", "err_code": 1032, "err_msg": "The number of access exceeds the limit."}
        return self.answer({**body, "ts": self.now_ms()}, 429)

    def contract(self, family: str, params: Mapping[str, Any], *names: str) -> Contract:
        """The contract a request names (by contract code, or for delivery futures also `BTC_CQ`)."""
        for name in names or ("contract_code",):
            value = params.get(name)
            if not value:
                continue
            wanted = str(value).upper()
            for item in self.contracts.values():
                # a delivery future's trading calls may name only the coin ("BTC": its one live contract here)
                known = (item.contract_code, item.alias, item.symbol if name == "symbol" else None)
                if item.family == family and wanted in known:
                    return item
            raise HbdmError(1013, "This contract symbol doesnt exist.")
        raise HbdmError(
            1014 if family != "future" else 1066, "The symbol field cannot be empty. Please re-enter."
        )

    # ---- public REST

    async def timestamp(self, params: dict[str, Any]) -> dict[str, Any]:
        return {}  # the answer is the envelope's own "ts"

    def contract_info_of(self, family: str) -> Any:
        async def contract_info(params: dict[str, Any]) -> Any:
            rows = []
            for item in self.contracts.values():
                if item.family != family:
                    continue
                if params.get("contract_code") and params["contract_code"] != item.contract_code:
                    continue
                row: dict[str, Any] = {
                    "symbol": item.symbol,
                    "contract_code": item.contract_code,
                    "contract_size": number(item.contract_size),
                    "price_tick": number(item.price_tick),
                    "create_date": "20200325",
                    "contract_status": 1,
                    "settlement_date": "1790352000000",
                }
                if family == "future":
                    row.update(
                        contract_type=item.contract_type,
                        delivery_date=item.delivery_date,
                        delivery_time=item.delivery_time,
                    )
                elif family == "linear":
                    row.update(
                        delivery_date="",
                        delivery_time="",
                        support_margin_mode="all",
                        business_type="swap",
                        pair=f"{item.symbol}-USDT",
                        contract_type="swap",
                        trade_partition="USDT",
                    )
                rows.append(row)
            return rows

        return contract_info

    def depth_of(self, family: str) -> Any:
        async def depth(params: dict[str, Any]) -> dict[str, Any]:
            item = self.contract(family, params, "symbol" if family == "future" else "contract_code")
            step = params.get("type")
            if step not in ("step0", "step1", "step6", "step7"):
                raise HbdmError(1014, "Invalid parameter: type")
            channel = f"market.{params.get('symbol') or params.get('contract_code')}.depth.{step}"
            return {"ch": channel, "tick": self.depth_tick(item, channel, 150)}

        return depth

    def merged_of(self, family: str) -> Any:
        async def merged(params: dict[str, Any]) -> dict[str, Any]:
            item = self.contract(family, params, "symbol" if family == "future" else "contract_code")
            name = params.get("symbol") or params.get("contract_code")
            return {"ch": f"market.{name}.detail.merged", "tick": self.detail_tick(item)}

        return merged

    def kline_of(self, family: str) -> Any:
        async def kline(params: dict[str, Any]) -> dict[str, Any]:
            self.contract(
                family, params, "symbol" if family == "future" else "contract_code"
            )  # it must exist
            period = str(params.get("period"))
            seconds = PERIOD_SECONDS.get(period)
            if seconds is None:
                raise HbdmError(1014, "Invalid parameter: period")
            now_s = self.now_ms() // 1000
            if params.get("from") and params.get("to"):
                start = int_param(params, "from", 0, invalid_parameter)
                end = int_param(params, "to", 0, invalid_parameter)
                if end < start:
                    raise HbdmError(1014, "Invalid parameter: from/to")
                end = min(end, now_s)
                first = start - start % seconds + (seconds if start % seconds else 0)
                count = max(0, (end - first) // seconds + 1)
                if count > 2000:
                    raise HbdmError(1014, "The number of klines between from and to cannot exceed 2000.")
                rows = kline_rows(first + (count - 1) * seconds, seconds, count) if count else []
            else:
                size = int_param(params, "size", 150, invalid_parameter)
                if not 1 <= size <= 2000:
                    raise HbdmError(1014, "Invalid parameter: size")
                rows = kline_rows(now_s, seconds, size)
            rows.reverse()  # contract klines come oldest first
            for row in rows:
                row["trade_turnover"] = row["vol"]
            name = params.get("symbol") or params.get("contract_code")
            return {"ch": f"market.{name}.kline.{period}", "data": rows}

        return kline

    def depth_tick(self, item: Contract, channel: str, size: int) -> dict[str, Any]:
        bids, asks = self.matching.book(item.contract_code)
        now = self.now_ms()
        version = self._version.get(item.contract_code, 1)
        return {
            "asks": [[number(p), number(q)] for p, q in asks[:size]],
            "bids": [[number(p), number(q)] for p, q in bids[:size]],
            "ch": channel,
            "id": now // 1000,
            "mrid": version,
            "ts": now,
            "version": version,
        }

    def detail_tick(self, item: Contract) -> dict[str, Any]:
        bids, asks = self.matching.book(item.contract_code)
        last, _ = self._last.get(item.contract_code, (ZERO, ZERO))
        now = self.now_ms()
        return {
            "id": now // 1000,
            "mrid": self._version.get(item.contract_code, 1),
            "open": 9000,
            "close": number(last),
            "high": 11000,
            "low": 8000,
            "amount": 12.3,
            "vol": 1234,
            "count": 321,
            "trade_turnover": 123456.7,
            "ask": [number(asks[0][0]), number(asks[0][1])] if asks else [],
            "bid": [number(bids[0][0]), number(bids[0][1])] if bids else [],
            "ts": now,
        }

    # ---- positions, margin

    def closing(self, code: str, held_side: str) -> Decimal:
        """What active close orders of a contract already claim of the position held on `held_side`."""
        return sum(
            (
                o.remaining
                for o in self.matching.orders.values()
                if o.active
                and o.symbol == code
                and o.extra.get("offset") == "close"
                and o.extra.get("position_side") == held_side
            ),
            ZERO,
        )

    def position(self, code: str, direction: str) -> tuple[Decimal, Decimal]:
        return self.positions.get((code, direction), (ZERO, ZERO))

    def frozen(self, account: tuple[str, str]) -> Decimal:
        total = ZERO
        for order in self.matching.orders.values():
            item = self.contracts[order.symbol]
            if order.active and self.account_of(item) == account and order.extra.get("offset") != "close":
                total += self.margin_for(
                    item, order.remaining, order.price or self.reference(item, order.side), order
                )
        return total

    def position_margin(self, account: tuple[str, str]) -> Decimal:
        total = ZERO
        for (code, _), (volume, price) in self.positions.items():
            item = self.contracts[code]
            if self.account_of(item) == account and volume:
                total += self.margin_for(item, volume, price, None)
        return total

    def account_of(self, item: Contract) -> tuple[str, str]:
        return (item.family, item.symbol) if item.family != "linear" else ("linear", "USDT")

    def margin_for(self, item: Contract, volume: Decimal, price: Decimal, order: SimOrder | None) -> Decimal:
        lever = Decimal(
            int(str(order.extra.get("lever_rate", 10))) if order else self.lever.get(item.contract_code, 10)
        )
        if not price:
            return ZERO
        if item.family == "linear":
            return volume * item.contract_size * price / lever
        return volume * item.contract_size / price / lever

    def reference(self, item: Contract, side: str) -> Decimal:
        bids, asks = self.matching.book(item.contract_code)
        book = asks if side == "BUY" else bids
        return book[0][0] if book else ZERO

    def available(self, account: tuple[str, str]) -> Decimal:
        return self.margin.get(account, ZERO) - self.frozen(account) - self.position_margin(account)

    # ---- orders (shared by v1 and v5)

    def new_order(
        self,
        item: Contract,
        *,
        side: str,
        volume_text: Any,
        price_text: Any,
        kind: str,
        tif: str,
        client_id: str,
        extra: dict[str, Any],
        closing: bool,
        position_side: str,
    ) -> SimOrder:
        volume = decimal_param({"v": volume_text}, "v")
        if volume is None or volume <= 0 or volume != volume.to_integral_value():
            raise HbdmError(1014, "Invalid parameter: volume")
        price = ZERO
        if kind == "LIMIT":
            given = decimal_param({"p": price_text}, "p")
            if given is None or given <= 0:
                raise HbdmError(1034, "Incorrect field of order price type.")
            if given % item.price_tick:
                raise HbdmError(1039, f"The price precision is {plain(item.price_tick)}.")
            price = given
        if client_id and any(o.client_id == client_id and o.active for o in self.matching.orders.values()):
            raise HbdmError(1067, "The client_order_id field is invalid. Please re-enter.")
        if closing:
            held, _ = self.position(item.contract_code, position_side)
            pending = self.closing(item.contract_code, position_side)
            if held - pending < volume:
                raise HbdmError(1048, "Insufficient close amount available.")
        else:
            account = self.account_of(item)
            reference = price or self.reference(item, side)
            lever = Decimal(int(extra.get("lever_rate", 10)))
            if item.family == "linear":
                needed = volume * item.contract_size * reference / lever
            else:
                needed = volume * item.contract_size / reference / lever if reference else ZERO
            if self.available(account) < needed:
                raise HbdmError(1047, "Insufficient margin available.")
        if self.faults.reject_orders > 0:
            self.faults.reject_orders -= 1
            raise HbdmError(1461, "Current positions have triggered position limits. Please modify.")
        return SimOrder(
            order_id=self.matching.next_order_id() + 924660854912000000,
            client_id=client_id,
            account=USER_ID,
            symbol=item.contract_code,
            side=side,
            kind=kind,
            tif=tif,
            price=price,
            quantity=volume,
            extra={**extra, "position_side": position_side, "offset": "close" if closing else "open"},
        )

    def submit(self, order: SimOrder) -> None:
        if order.tif == "POST_ONLY" and self.matching.would_take(order):
            # HTX accepts a post-only order that would take and cancels it at once
            order.tif = "GTC"
            saved = self.matching.books.get(order.symbol)
            self.matching.books[order.symbol] = ([], [])
            self.matching.place(order)
            if saved is not None:
                self.matching.books[order.symbol] = saved
            self.matching.cancel(order.order_id)
            return
        if order.tif == "POST_ONLY":
            order.tif = "GTC"
        self.matching.place(order)

    def find(self, code: str, order_id: Any = None, client_id: Any = None) -> SimOrder | None:
        for order in self.matching.orders.values():
            if order.symbol != code:
                continue
            if order_id not in (None, "") and str(order.order_id) == str(order_id):
                return order
            if client_id not in (None, "") and order.client_id == str(client_id):
                return order
        return None

    # ---- coin-margined v1 trading

    def account_info_of(self, family: str) -> Any:
        async def account_info(params: dict[str, Any]) -> Any:
            rows = []
            for item in self.contracts.values():
                if item.family != family:
                    continue
                if params.get("symbol") and params["symbol"].upper() != item.symbol:
                    continue
                if params.get("contract_code") and params["contract_code"].upper() != item.contract_code:
                    continue
                rows.append(self.v1_account_row(item))
            return rows

        return account_info

    def v1_account_row(self, item: Contract) -> dict[str, Any]:
        account = self.account_of(item)
        balance = self.margin.get(account, ZERO)
        frozen, position = self.frozen(account), self.position_margin(account)
        row: dict[str, Any] = {
            "symbol": item.symbol,
            "margin_balance": number(balance),
            "margin_position": number(position),
            "margin_frozen": number(frozen),
            "margin_available": number(balance - frozen - position),
            "profit_real": 0,
            "profit_unreal": 0,
            "risk_rate": None,
            "withdraw_available": number(balance - frozen - position),
            "liquidation_price": None,
            "lever_rate": self.lever.get(item.contract_code, 10),
            "adjust_factor": 0.025,
            "margin_static": number(balance),
        }
        if item.family == "swap":
            row["contract_code"] = item.contract_code
        else:
            row["is_debit"] = 0
        return row

    def position_info_of(self, family: str) -> Any:
        async def position_info(params: dict[str, Any]) -> Any:
            return [
                row
                for item in self.contracts.values()
                if item.family == family
                and (not params.get("symbol") or params["symbol"].upper() == item.symbol)
                and (not params.get("contract_code") or params["contract_code"].upper() == item.contract_code)
                for row in self.v1_position_rows(item)
            ]

        return position_info

    def v1_position_rows(self, item: Contract, closed_too: bool = False) -> list[dict[str, Any]]:
        """Open positions; with `closed_too` also the ones a fill just closed (a notification reports them at
        volume 0, so a client sees the position go)."""
        rows = []
        for direction in ("buy", "sell"):
            volume, price = self.position(item.contract_code, direction)
            if not volume and not (closed_too and (item.contract_code, direction) in self.positions):
                continue
            pending = self.closing(item.contract_code, direction)
            row: dict[str, Any] = {
                "symbol": item.symbol,
                "contract_code": item.contract_code,
                "volume": number(volume),
                "available": number(volume - pending),
                "frozen": number(pending),
                "cost_open": number(price),
                "cost_hold": number(price),
                "profit_unreal": 0,
                "profit_rate": 0,
                "lever_rate": self.lever.get(item.contract_code, 10),
                "position_margin": number(self.margin_for(item, volume, price, None)),
                "direction": direction,
                "profit": 0,
                "last_price": number(self._last.get(item.contract_code, (price, ZERO))[0]),
            }
            if item.family == "future":
                row["contract_type"] = item.contract_type
            rows.append(row)
        return rows

    def v1_order_of(self, family: str) -> Any:
        async def place(params: dict[str, Any]) -> Any:
            item = self.contract(family, params, "contract_code", "symbol")
            direction, offset = params.get("direction"), params.get("offset")
            if direction not in ("buy", "sell"):
                raise HbdmError(1014, "Invalid parameter: direction")
            if offset not in ("open", "close"):
                raise HbdmError(1036, "Incorrect field of open long form.")
            price_type = params.get("order_price_type")
            if price_type not in PRICE_TYPES:
                raise HbdmError(1034, "Incorrect field of order price type.")
            try:
                lever = int(params.get("lever_rate", 0))
            except (TypeError, ValueError):
                lever = 0
            if lever <= 0:
                raise HbdmError(
                    1094,
                    "The leverage cannot be empty, please switch the leverage or contact customer service",
                )
            client = params.get("client_order_id")
            if client is not None and (
                not str(client).isdigit() or not 1 <= int(client) <= 9223372036854775807
            ):
                raise HbdmError(1067, "The client_order_id field is invalid. Please re-enter.")
            kind, tif = PRICE_TYPES[str(price_type)]
            closing = offset == "close"
            # closing a long sells it: the position a close order reduces is the opposite direction's
            position_side = ("sell" if direction == "buy" else "buy") if closing else str(direction)
            order = self.new_order(
                item,
                side=str(direction).upper(),
                volume_text=params.get("volume"),
                price_text=params.get("price"),
                kind=kind,
                tif=tif,
                client_id=str(client or ""),
                extra={"order_price_type": price_type, "lever_rate": lever, "api": "v1"},
                closing=closing,
                position_side=position_side,
            )
            self.lever[item.contract_code] = lever
            self.submit(order)
            result: dict[str, Any] = {"order_id": order.order_id, "order_id_str": str(order.order_id)}
            if client is not None:
                result["client_order_id"] = int(client)
            return result

        return place

    def v1_cancel_of(self, family: str) -> Any:
        async def cancel(params: dict[str, Any]) -> Any:
            item = self.contract(family, params, "contract_code", "symbol")
            ids = [x for x in str(params.get("order_id") or "").split(",") if x]
            clients = [x for x in str(params.get("client_order_id") or "").split(",") if x]
            if not ids and not clients:
                raise HbdmError(1014, "Invalid parameter: order_id and client_order_id are both empty")
            errors, successes = [], []
            for key, by_client in [(x, False) for x in ids] + [(x, True) for x in clients]:
                order = self.find(item.contract_code, None if by_client else key, key if by_client else None)
                if order is None or self.matching.cancel(order.order_id) is None:
                    errors.append(
                        {"order_id": key, "err_code": 1061, "err_msg": "This order doesnt exist."}
                        if order is None
                        else {"order_id": key, "err_code": 1071, "err_msg": "Repeated withdraw."}
                    )
                else:
                    successes.append(str(order.order_id))
            return {"errors": errors, "successes": ",".join(successes)}

        return cancel

    def v1_order_info_of(self, family: str) -> Any:
        async def order_info(params: dict[str, Any]) -> Any:
            item = self.contract(family, params, "contract_code", "symbol")
            ids = [x for x in str(params.get("order_id") or "").split(",") if x]
            clients = [x for x in str(params.get("client_order_id") or "").split(",") if x]
            found = [self.find(item.contract_code, x) for x in ids] + [
                self.find(item.contract_code, None, x) for x in clients
            ]
            orders = [self.v1_order_row(o) for o in found if o is not None]
            if not orders:
                raise HbdmError(1017, "Order doesnt exist.")
            if self.odd_queries > 0:
                self.odd_queries -= 1
                orders = [{**row, "status": 99} for row in orders]
            return orders

        return order_info

    def fills_of(self, code: str, order_id: Any = None) -> list[tuple[SimOrder, Any]]:
        """(order, fill) of a contract, newest first, optionally of one order."""
        found = [
            (order, fill)
            for order in self.matching.orders.values()
            if order.symbol == code and (order_id in (None, "") or str(order.order_id) == str(order_id))
            for fill in self.matching.fills.get(order.order_id, [])
        ]
        return sorted(found, key=lambda pair: -pair[1].trade_id)

    def matchresults_of(self, family: str) -> Any:
        async def matchresults(params: dict[str, Any]) -> Any:
            item = self.contract(family, params, "contract", "contract_code", "symbol")
            if str(params.get("trade_type", "")) not in ("0", "1", "2", "3", "4", "5", "6"):
                raise HbdmError(1014, "Invalid parameter: trade_type")
            trades = [
                {
                    "query_id": fill.trade_id * 3,
                    "match_id": fill.trade_id,
                    "order_id": order.order_id,
                    "order_id_str": str(order.order_id),
                    "symbol": item.symbol,
                    "contract_type": item.contract_type,
                    "business_type": "futures" if family == "future" else "swap",
                    "contract_code": item.contract_code,
                    "direction": order.side.lower(),
                    "offset": order.extra["offset"],
                    "trade_volume": number(fill.quantity),
                    "trade_price": number(fill.price),
                    "trade_turnover": number(fill.quantity * item.contract_size),
                    "trade_fee": number(-self.fees.get(fill.trade_id, ZERO)),
                    "offset_profitloss": 0,
                    "create_date": fill.time_ms,
                    "role": "Maker" if fill.maker else "Taker",
                    "order_source": "api",
                    "fee_asset": item.symbol,
                    "real_profit": 0,
                    "id": f"{fill.trade_id}-{order.order_id}-1",
                }
                for order, fill in self.fills_of(item.contract_code)
            ]
            return {"trades": trades, "remain_size": 0, "next_id": None}

        return matchresults

    def v1_open_orders_of(self, family: str) -> Any:
        async def open_orders(params: dict[str, Any]) -> Any:
            item = self.contract(family, params, "contract_code", "symbol")
            rows = [
                self.v1_order_row(o)
                for o in self.matching.orders.values()
                if o.active and o.symbol == item.contract_code
            ]
            return {"orders": rows, "total_page": 1, "current_page": 1, "total_size": len(rows)}

        return open_orders

    def v1_order_row(self, order: SimOrder) -> dict[str, Any]:
        item = self.contracts[order.symbol]
        fills = self.matching.fills.get(order.order_id, [])
        fee = sum((self.fees.get(f.trade_id, ZERO) for f in fills), ZERO)
        row: dict[str, Any] = {
            "symbol": item.symbol,
            "contract_code": item.contract_code,
            "volume": number(order.quantity),
            "price": number(order.price),
            "order_price_type": order.extra["order_price_type"],
            "order_type": 1,
            "direction": order.side.lower(),
            "offset": order.extra["offset"],
            "lever_rate": order.extra["lever_rate"],
            "order_id": order.order_id,
            "order_id_str": str(order.order_id),
            "client_order_id": int(order.client_id) if order.client_id else None,
            "created_at": order.created_ms,
            "trade_volume": number(order.filled),
            "trade_turnover": number(order.filled * item.contract_size),
            "fee": number(-fee),
            "trade_avg_price": number(order.average_price) if order.filled else None,
            "margin_frozen": number(
                self.margin_for(item, order.remaining, order.price, order) if order.active else ZERO
            ),
            "profit": 0,
            "status": v1_status(order),
            "order_source": "api",
            "fee_asset": item.symbol,
            "canceled_at": order.updated_ms if order.status in ("CANCELED", "EXPIRED") else 0,
            "liquidation_type": "0",
            "is_tpsl": 0,
            "real_profit": 0,
        }
        if item.family == "future":
            row["contract_type"] = item.contract_type
        return row

    # ---- USDT-margined v5 trading

    def linear(self, params: Mapping[str, Any]) -> Contract:
        return self.contract("linear", params, "contract_code")

    async def v5_balance(self, params: dict[str, Any]) -> Any:
        return self.v5_account()

    def v5_account(self) -> dict[str, Any]:
        account = ("linear", "USDT")
        equity = self.margin[account]
        initial = self.position_margin(account) + self.frozen(account)
        available = equity - initial
        now = str(self.now_ms())
        detail = {
            "currency": "USDT",
            "equity": plain(equity),
            "available": plain(available),
            "profit_unreal": "0",
            "initial_margin": plain(initial),
            "maintenance_margin": "0",
            "maintenance_margin_rate": "0",
            "initial_margin_rate": "0",
            "available_margin": plain(available),
            "voucher": "0",
            "voucher_value": "0",
            "withdraw_available": plain(available),
            "created_time": "1770293270932",
            "updated_time": now,
            "isolated_equity": "0",
            "isolated_profit_unreal": "0",
        }
        return {
            "state": "normal",
            "equity": plain(equity),
            "details": [detail],
            "initial_margin": plain(initial),
            "maintenance_margin": "0",
            "maintenance_margin_rate": "0",
            "profit_unreal": "0",
            "available_margin": plain(available),
            "voucher_value": "0",
            "created_time": "1770293268881",
            "updated_time": now,
        }

    def v5_position_rows(self, code: str | None = None, closed_too: bool = False) -> list[dict[str, Any]]:
        rows = []
        for (contract_code, direction), (volume, price) in self.positions.items():
            item = self.contracts[contract_code]
            if item.family != "linear" or (not volume and not closed_too) or (code and code != contract_code):
                continue
            rows.append(
                {
                    "contract_code": contract_code,
                    "symbol": item.symbol,
                    "position_mode": "single_side",
                    "position_side": "both",
                    "direction": direction,
                    "margin_mode": "cross",
                    "open_avg_price": plain(price),
                    "volume": plain(volume),
                    "available": plain(volume),
                    "fee": "0",
                    "lever_rate": self.lever.get(contract_code, 10),
                    "adl_risk_percent": 1,
                    "liquidation_price": "",
                    "initial_margin": plain(self.margin_for(item, volume, price, None)),
                    "maintenance_margin": "0",
                    "profit_unreal": "0",
                    "profit": "0",
                    "profit_rate": "0",
                    "margin_rate": "0",
                    "state": "normal",
                    "funding_fee": "0",
                    "mark_price": plain(price),
                    "last_price": plain(self._last.get(contract_code, (price, ZERO))[0]),
                    "contract_type": "swap",
                    "margin_currency": "USDT",
                    "created_time": str(self.now_ms()),
                    "updated_time": str(self.now_ms()),
                }
            )
        return rows

    async def v5_positions(self, params: dict[str, Any]) -> Any:
        code = params.get("contract_code")
        if code:
            self.linear(params)
        return self.v5_position_rows(code)

    async def v5_place(self, params: dict[str, Any]) -> Any:
        item = self.linear(params)
        side = params.get("side")
        if side not in ("buy", "sell"):
            raise HbdmError(1014, "Invalid parameter: side")
        order_type = params.get("type")
        if order_type not in ("limit", "market", "post_only"):
            raise HbdmError(1034, "Incorrect field of order price type.")
        tif = str(params.get("time_in_force") or "gtc").lower()
        if tif not in ("gtc", "ioc", "fok"):
            raise HbdmError(1014, "Invalid parameter: time_in_force")
        if params.get("margin_mode") not in ("cross", "isolated"):
            raise HbdmError(1014, "Invalid parameter: margin_mode")
        position_side = params.get("position_side") or "both"
        if position_side not in ("both", "long", "short"):
            raise HbdmError(1014, "Invalid parameter: position_side")
        client = params.get("client_order_id")
        if client is not None and (not str(client).isdigit() or not 1 <= int(client) <= 9223372036854775807):
            raise HbdmError(1067, "The client_order_id field is invalid. Please re-enter.")
        reduce_only = str(params.get("reduce_only", "0")).lower() in ("1", "true")
        # a one-way account reduces the opposite side's position when the order is reduce-only
        held_side = "sell" if side == "buy" else "buy"
        held, _ = self.position(item.contract_code, held_side)
        closing = reduce_only
        if reduce_only and not held:
            raise HbdmError(1048, "Insufficient close amount available.")
        kind = "MARKET" if order_type == "market" else "LIMIT"
        matching_tif = (
            "POST_ONLY" if order_type == "post_only" else {"gtc": "GTC", "ioc": "IOC", "fok": "FOK"}[tif]
        )
        if kind == "MARKET" and matching_tif == "GTC":
            matching_tif = "IOC"
        order = self.new_order(
            item,
            side=str(side).upper(),
            volume_text=params.get("volume"),
            price_text=params.get("price"),
            kind=kind,
            tif=matching_tif,
            client_id=str(client or ""),
            extra={
                "type": order_type,
                "time_in_force": tif,
                "margin_mode": params["margin_mode"],
                "lever_rate": self.lever.get(item.contract_code, 10),
                "reduce_only": reduce_only,
                "api": "v5",
            },
            closing=closing,
            position_side=held_side if closing else str(side),
        )
        self.submit(order)
        return {"order_id": str(order.order_id), "client_order_id": order.client_id or str(order.order_id)}

    async def v5_cancel(self, params: dict[str, Any]) -> Any:
        item = self.linear(params)
        if not params.get("order_id") and not params.get("client_order_id"):
            raise HbdmError(1014, "Invalid parameter: order_id and client_order_id are both empty")
        order = self.find(item.contract_code, params.get("order_id"), params.get("client_order_id"))
        if order is None:
            raise HbdmError(1061, "This order doesnt exist.")
        if self.matching.cancel(order.order_id) is None:
            raise HbdmError(1071, "Repeated withdraw.")
        return {"order_id": str(order.order_id), "client_order_id": order.client_id or str(order.order_id)}

    def v5_order_row(self, order: SimOrder) -> dict[str, Any]:
        item = self.contracts[order.symbol]
        fills = self.matching.fills.get(order.order_id, [])
        fee = sum((self.fees.get(f.trade_id, ZERO) for f in fills), ZERO)
        return {
            "id": str(order.order_id),
            "side": order.side.lower(),
            "type": order.extra["type"],
            "price": plain(order.price),
            "volume": plain(order.quantity),
            "state": v5_state(order),
            "profit": "0",
            "contract_code": item.contract_code,
            "position_side": "both",
            "price_match": None,
            "order_id": str(order.order_id),
            "client_order_id": order.client_id or str(order.order_id),
            "margin_mode": order.extra["margin_mode"],
            "lever_rate": order.extra["lever_rate"],
            "order_source": "api",
            "reduce_only": bool(order.extra["reduce_only"]),
            "time_in_force": order.extra["time_in_force"],
            "trade_avg_price": plain(order.average_price),
            "trade_volume": plain(order.filled),
            "trade_turnover": plain(order.filled_quote * item.contract_size),
            "fee_currency": "USDT" if fills else None,
            "fee": plain(-fee),
            "tp_trigger_price": "",
            "tp_order_price": "",
            "tp_type": "",
            "tp_trigger_price_type": "",
            "sl_trigger_price": "",
            "sl_order_price": "",
            "sl_type": "",
            "sl_trigger_price_type": "",
            "contract_type": "swap",
            "cancel_reason": "",
            "created_time": str(order.created_ms),
            "updated_time": str(order.updated_ms),
            "self_match_prevent": "cancel_taker",
        }

    async def v5_order(self, params: dict[str, Any]) -> Any:
        item = self.linear(params)
        order = self.find(item.contract_code, params.get("order_id"), params.get("client_order_id"))
        if order is None:
            raise HbdmError(1061, "This order doesnt exist.")
        row = self.v5_order_row(order)
        if self.odd_queries > 0:
            self.odd_queries -= 1
            row["state"] = "paused"
        return row

    async def v5_order_details(self, params: dict[str, Any]) -> Any:
        """The v5 fills of a contract (`trade_id`, `order_id`, `trade_price`, ...), newest first."""
        item = self.linear(params)
        return [
            {
                "id": f"{fill.trade_id}{order.order_id}",
                "contract_code": item.contract_code,
                "order_id": str(order.order_id),
                "trade_id": str(fill.trade_id),
                "side": order.side.lower(),
                "position_side": "both",
                "order_type": "1",
                "margin_mode": order.extra["margin_mode"],
                "type": order.extra["type"],
                "role": "MAKER" if fill.maker else "TAKER",
                "trade_price": plain(fill.price),
                "trade_volume": plain(fill.quantity),
                "trade_turnover": plain(fill.quantity * fill.price * item.contract_size),
                "created_time": str(fill.time_ms),
                "updated_time": str(fill.time_ms),
                "order_source": "api",
                "fee_currency": "USDT",
                "trade_fee": plain(self.fees.get(fill.trade_id, ZERO)),
                "deduction_price": "",
                "profit": "0",
                "contract_type": "swap",
            }
            for order, fill in self.fills_of(item.contract_code, params.get("order_id"))
        ]

    async def v5_open_orders(self, params: dict[str, Any]) -> Any:
        code = params.get("contract_code")
        if code:
            self.linear(params)
        return [
            self.v5_order_row(o)
            for o in self.matching.orders.values()
            if o.active and self.contracts[o.symbol].family == "linear" and (not code or o.symbol == code)
        ]

    # ---- executions

    def on_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        item = self.contracts[order.symbol]
        account = self.account_of(item)
        if fill is not None:
            rate = MAKER_FEE if fill.maker else TAKER_FEE
            if item.family == "linear":
                fee = fill.quantity * item.contract_size * fill.price * rate
            else:
                fee = fill.quantity * item.contract_size / fill.price * rate
            self.fees[fill.trade_id] = fee
            self.margin[account] = self.margin.get(account, ZERO) - fee
            self.apply_fill(item, order, fill.quantity, fill.price)
        if order.extra.get("api") == "v5":
            self.push_v5(item, order, fill)
        else:
            self.push_v1(item, order, fill, execution.kind)
        if fill is not None and not fill.maker:  # the order took liquidity: the book changed for everybody
            self.publish_book(order.symbol)

    def apply_fill(self, item: Contract, order: SimOrder, quantity: Decimal, price: Decimal) -> None:
        side = order.side.lower()
        closing = order.extra.get("offset") == "close"
        account = self.account_of(item)
        if closing:
            held_side = str(order.extra["position_side"])
            volume, average = self.position(item.contract_code, held_side)
            remaining = volume - quantity
            # realised profit: linear in USDT, coin-margined in the coin (inverse contracts)
            sign = Decimal(1) if held_side == "buy" else Decimal(-1)
            if item.family == "linear":
                profit = sign * (price - average) * quantity * item.contract_size
            else:
                profit = sign * quantity * item.contract_size * (1 / average - 1 / price)
            self.margin[account] = self.margin.get(account, ZERO) + profit
            self.positions[(item.contract_code, held_side)] = (remaining, average if remaining else ZERO)
        else:
            volume, average = self.position(item.contract_code, side)
            total = volume + quantity
            self.positions[(item.contract_code, side)] = (
                total,
                (average * volume + price * quantity) / total,
            )

    def notify_sessions(self, family: str, wanted: Any) -> list[tuple[Session, str]]:
        found = []
        for session in list(self.sessions):
            if session.kind != f"notify-{family}" or not session.state.get("authed"):
                continue
            for topic in session.topics:
                if wanted(topic):
                    found.append((session, topic))
        return found

    def push_v1(self, item: Contract, order: SimOrder, fill: Any, kind: str) -> None:
        key = (item.symbol if item.family == "future" else item.contract_code).lower()
        row = self.v1_order_row(order)
        if self.odd_states > 0:
            self.odd_states -= 1
            row["status"] = 99
        trades = []
        if fill is not None:
            trades.append(
                {
                    "id": f"{fill.trade_id}-{order.order_id}-1",
                    "trade_id": fill.trade_id,
                    "trade_volume": number(fill.quantity),
                    "trade_price": number(fill.price),
                    "trade_fee": number(-self.fees[fill.trade_id]),
                    "trade_turnover": number(fill.quantity * item.contract_size),
                    "created_at": fill.time_ms,
                    "role": "maker" if fill.maker else "taker",
                    "fee_asset": item.symbol,
                    "profit": 0,
                    "real_profit": 0,
                }
            )
        self.notify_v1(item.family, "orders", key, {**row, "trade": trades})
        event = "order.match" if fill is not None else "order.place" if kind == "NEW" else "order.cancel"
        self.notify_v1(item.family, "accounts", key, {"event": event, "data": [self.v1_account_row(item)]})
        if fill is not None:
            positions = self.v1_position_rows(item, closed_too=True)
            self.notify_v1(item.family, "positions", key, {"event": event, "data": positions})

    def notify_v1(self, family: str, name: str, key: str, body: dict[str, Any]) -> None:
        """Push a v1 notification to the sessions subscribed to `name.key` or `name.*`."""
        now = self.now_ms()
        for session, topic in self.notify_sessions(family, lambda t: t in (f"{name}.{key}", f"{name}.*")):
            self.push(session, {"op": "notify", "topic": topic, "ts": now, "uid": USER_ID, **body})

    def v5_wants(self, topic: str, code: str) -> Any:
        def wanted(subscription: str) -> bool:
            name, _, subscribed = subscription.partition(":")
            return name == topic and subscribed in ("*", code)

        return wanted

    def push_v5(self, item: Contract, order: SimOrder, fill: Any) -> None:
        now = self.now_ms()
        code = item.contract_code
        envelope = {"op": "notify", "contract_code": code, "ts": now, "uid": USER_ID}
        row = self.v5_order_row(order)
        if self.odd_states > 0:
            self.odd_states -= 1
            row["state"] = "paused"
        for session, _ in self.notify_sessions("linear", self.v5_wants("orders", code)):
            self.push(session, {**envelope, "topic": "orders", "data": row})
        if fill is None:
            for session, _ in self.notify_sessions("linear", self.v5_wants("account", "*")):
                self.push(
                    session,
                    {
                        **envelope,
                        "contract_code": "",
                        "topic": "account",
                        "event": "order",
                        "data": self.v5_account(),
                    },
                )
            return
        trade = {
            "direction": order.side.lower(),
            "id": f"{fill.trade_id}-{order.order_id}-1",
            "contract_code": code,
            "contract_type": "swap",
            "order_id": str(order.order_id),
            "trade_id": str(fill.trade_id),
            "position_side": "both",
            "trade_volume": plain(fill.quantity),
            "trade_price": plain(fill.price),
            "trade_turnover": plain(fill.quantity * fill.price * item.contract_size),
            "trade_fee": plain(-self.fees[fill.trade_id]),
            "fee_currency": "USDT",
            "role": "maker" if fill.maker else "taker",
            "client_order_id": order.client_id or str(order.order_id),
            "created_time": str(fill.time_ms),
            "updated_time": str(fill.time_ms),
        }
        for session, _ in self.notify_sessions("linear", self.v5_wants("trade", code)):
            self.push(session, {**envelope, "topic": "trade", "data": [trade]})
        for session, _ in self.notify_sessions("linear", self.v5_wants("account", "*")):
            self.push(
                session,
                {
                    **envelope,
                    "contract_code": "",
                    "topic": "account",
                    "event": "order",
                    "data": self.v5_account(),
                },
            )
        for session, _ in self.notify_sessions("linear", self.v5_wants("positions", code)):
            self.push(
                session,
                {
                    **envelope,
                    "topic": "positions",
                    "event": "order",
                    "data": self.v5_position_rows(code, closed_too=True),
                },
            )

    # ---- market streams

    def market_ws_of(self, family: str) -> Any:
        async def handler(request: web.Request) -> web.WebSocketResponse:
            return await self.serve_htx_ws(request, f"market-{family}", self.on_market_message)

        return handler

    def topic_contract(self, family: str, topic: str) -> tuple[Contract, str] | None:
        parts = topic.split(".")
        if len(parts) < 3 or parts[0] != "market":
            return None
        for item in self.contracts.values():
            if item.family == family and parts[1].upper() in (item.contract_code, item.alias):
                rest = ".".join(parts[2:])
                valid = (
                    rest in ("bbo", "trade.detail", "detail", "depth.step0", "depth.step6")
                    or (rest.startswith("kline.") and rest[6:] in PERIOD_SECONDS)
                    or rest in ("depth.size_20.high_freq", "depth.size_150.high_freq")
                )
                return (item, rest) if valid else None
        return None

    async def on_market_message(self, session: Session, message: dict[str, Any]) -> None:
        family = session.kind.removeprefix("market-")
        request_id = message.get("id")
        now = self.now_ms()
        op, topic = market_request(message)
        found = self.topic_contract(family, topic) if op else None
        if found is None:
            await self.send_market_error(
                session, request_id, f"invalid topic {topic}" if op else "invalid request"
            )
            return
        item, rest = found
        if (
            rest.endswith("high_freq")
            and op == "sub"
            and message.get("data_type") not in ("incremental", "snapshot")
        ):
            await self.send_market_error(session, request_id, "invalid data_type")
            return
        if op == "sub":
            session.topics.add(topic)
            session.state.setdefault("data_type", {})[topic] = message.get("data_type", "snapshot")
            await self.send_json(session, {"id": request_id, "status": "ok", "subbed": topic, "ts": now})
            if self.matching.book(item.contract_code) != ([], []) and rest.startswith(("depth", "bbo")):
                self.push_book_topic(session, topic, item, rest, None)
        elif op == "unsub":
            session.topics.discard(topic)
            await self.send_json(session, {"id": request_id, "status": "ok", "unsubbed": topic, "ts": now})
        else:
            data: Any = self.depth_tick(item, topic, 150)
            if rest.startswith("kline."):
                data = kline_rows(now // 1000, PERIOD_SECONDS[rest[6:]], 300)[::-1]
            await self.send_json(
                session, {"id": request_id, "rep": topic, "status": "ok", "ts": now, "data": data}
            )

    def topics_of(self, item: Contract) -> list[tuple[Session, str, str]]:
        found = []
        for session in list(self.sessions):
            if session.kind != f"market-{item.family}":
                continue
            for topic in session.topics:
                parts = topic.split(".")
                if parts[1].upper() in (item.contract_code, item.alias):
                    found.append((session, topic, ".".join(parts[2:])))
        return found

    def publish_book(self, symbol: str) -> None:
        item = self.contracts[symbol]
        bids, asks = self.matching.book(symbol)
        previous = self._book_sent.get(symbol, ({}, {}))
        current = ({p: q for p, q in bids}, {p: q for p, q in asks})
        diff = tuple(
            [[number(p), number(q)] for p, q in sorted(new.items()) if old.get(p) != q]
            + [[number(p), 0] for p in sorted(old) if p not in new]
            for old, new in zip(previous, current, strict=True)
        )
        self._book_sent[symbol] = current
        self._version[symbol] = self._version.get(symbol, 0) + 1
        for session, topic, rest in self.topics_of(item):
            self.push_book_topic(session, topic, item, rest, diff)

    def push_book_topic(self, session: Session, topic: str, item: Contract, rest: str, diff: Any) -> None:
        now = self.now_ms()
        version = self._version.get(item.contract_code, 0)
        if rest.startswith("depth.step"):
            tick = self.depth_tick(item, topic, 150)
        elif rest.endswith("high_freq"):
            size = int(rest.split(".")[1].removeprefix("size_"))
            incremental = session.state.get("data_type", {}).get(topic) == "incremental"
            if diff is None or not incremental:
                tick = {**self.depth_tick(item, topic, size), "event": "snapshot"}
            else:
                bids, asks = diff
                tick = {
                    "asks": asks,
                    "bids": bids,
                    "ch": topic,
                    "event": "update",
                    "id": now // 1000,
                    "mrid": version,
                    "ts": now,
                    "version": version,
                }
        elif rest == "bbo":
            bids, asks = self.matching.book(item.contract_code)
            tick = {
                "mrid": version,
                "id": now // 1000,
                "bid": [number(bids[0][0]), number(bids[0][1])] if bids else [],
                "ask": [number(asks[0][0]), number(asks[0][1])] if asks else [],
                "ts": now,
                "version": version,
                "ch": topic,
            }
        else:
            return
        self.push(session, {"ch": topic, "ts": now, "tick": tick})

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        item = self.contracts[symbol]
        now = self.now_ms()
        self._last[symbol] = (Decimal(price), Decimal(quantity))
        trade_id = self.next_id() + 86678766000
        volume = Decimal(quantity)
        coins = (
            volume * item.contract_size / Decimal(price)
            if item.family != "linear"
            else volume * item.contract_size
        )
        tick = {
            "id": trade_id,
            "ts": now,
            "data": [
                {
                    "amount": number(volume),
                    "quantity": number(coins),
                    "trade_turnover": number(coins * Decimal(price)),
                    "ts": now,
                    "id": trade_id * 10000 + 1,
                    "price": number(Decimal(price)),
                    "direction": "sell" if buyer_maker else "buy",
                }
            ],
        }
        for session, topic, rest in self.topics_of(item):
            if rest == "trade.detail":
                self.push(session, {"ch": topic, "ts": now, "tick": tick})
            elif rest == "detail":
                self.push(session, {"ch": topic, "ts": now, "tick": self.detail_tick(item)})

    # ---- notification streams

    def private_ws_of(self, family: str) -> Any:
        async def handler(request: web.Request) -> web.WebSocketResponse:
            return await self.serve_htx_ws(request, f"notify-{family}", self.on_notify_message)

        return handler

    def ping_message(self, session: Session, stamp: int) -> dict[str, Any]:
        if session.kind.startswith("notify-"):
            return {"op": "ping", "ts": str(stamp)}
        return super().ping_message(session, stamp)

    def pong_stamp(self, session: Session, message: Mapping[str, Any]) -> Any:
        if session.kind.startswith("notify-"):
            return message.get("ts") if message.get("op") == "pong" else None
        return super().pong_stamp(session, message)

    async def on_notify_message(self, session: Session, message: dict[str, Any]) -> None:
        family = session.kind.removeprefix("notify-")
        op, now = message.get("op"), self.now_ms()
        if op == "auth":
            await self.notify_auth(session, family, message)
            return
        if op not in ("sub", "unsub"):
            await self.send_json(session, {"op": op, "err-code": 2010, "err-msg": "Topic error.", "ts": now})
            return
        cid, topic = message.get("cid"), str(message.get("topic", ""))
        reply = {"op": op, "cid": cid, "topic": topic, "ts": now}
        if not session.state.get("authed"):
            await self.send_json(session, {**reply, "err-code": 2002, "err-msg": "Authentication required."})
            return
        key, problem = self.notify_topic_key(family, topic, message)
        if problem is not None:
            await self.send_json(session, {**reply, **problem})
            return
        if op == "sub":
            session.topics.add(key)
        else:
            session.topics.discard(key)
        await self.send_json(session, {**reply, "err-code": 0})
        if op == "sub" and family == "linear" and topic == "account":
            self.push(
                session,
                {
                    "op": "notify",
                    "topic": "account",
                    "contract_code": "",
                    "ts": now,
                    "uid": USER_ID,
                    "event": "snapshot",
                    "data": self.v5_account(),
                },
            )

    def notify_topic_key(
        self, family: str, topic: str, message: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any] | None]:
        if family == "linear":
            if topic not in ("orders", "trade", "account", "positions"):
                return topic, {"err-code": 2010, "err-msg": "Topic error."}
            code = str(message.get("contract_code") or "*").upper()
            if topic == "account":
                code = "*"
            if code != "*" and code not in self.contracts:
                return topic, {"err-code": 2011, "err-msg": "Contract doesn't exist."}
            return f"{topic}:{code}", None
        name, _, target = topic.partition(".")
        if name not in ("orders", "accounts", "positions") or not target:
            return topic, {"err-code": 2010, "err-msg": "Topic error."}
        if target != "*":
            names = {
                (c.symbol if family == "future" else c.contract_code).lower()
                for c in self.contracts.values()
                if c.family == family
            }
            if target.lower() not in names:
                return topic, {"err-code": 2011, "err-msg": "Contract doesn't exist."}
        return f"{name}.{target.lower()}", None

    async def notify_auth(self, session: Session, family: str, message: Mapping[str, Any]) -> None:
        reply = {"op": "auth", "type": "api", "ts": self.now_ms()}
        if session.state.get("authed"):
            await self.send_json(
                session, {**reply, "err-code": 2005, "err-msg": "Connection has been authenticated."}
            )
            return
        if message.get("type") != "api":
            await self.send_json(
                session, {**reply, "err-code": 2013, "err-msg": "Authentication type doesn't exist."}
            )
            return
        request = session.state["request"]
        try:
            check_signature_v2(
                "GET",
                hosts_of(request),
                FAMILIES[family].private_path,
                {k: str(v) for k, v in message.items() if k not in ("op", "type", "cid")},
                key=self.api_key,
                secret=self.api_secret,
                now_ms=self.now_ms(),
            )
        except SignatureError:
            await self.send_json(session, {**reply, "err-code": 2003, "err-msg": "Authentication failed."})
            return
        session.state["authed"] = True
        await self.send_json(session, {**reply, "err-code": 0, "data": {"user-id": USER_ID}})
