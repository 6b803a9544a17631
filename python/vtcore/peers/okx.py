"""A local OKX v5 venue (REST `/api/v5`, WebSocket `/ws/v5/public|private|business`), written from the wire
format in the reference notes (venues.md §3), not from vtcore's gateway.

As OKX does: `OK-ACCESS-*` headers with base64 HMAC-SHA256 over `timestamp + METHOD + path?query + body`
(50113 on a bad sign, 50111 on an unknown key, 50105 on a wrong passphrase, 50102 when the timestamp is more
than 30 s off), the `{"code","msg","data"}` envelope, 429 + 50011, demo trading only with
`x-simulated-trading: 1` on a demo venue. WebSocket: `login` signed over `ts + "GET/users/self/verify"`,
`subscribe` with per-arg replies and 60018 for unknown instruments, private channels only after login, candle
channels only on `/business`, text `ping`/`pong`, idle connections dropped after 30 s, and order operations
(`order`, `cancel-order`) that since 2026-02-03 take the integer `instIdCode` (50014 "Parameter instIdCode can
not be empty" otherwise). A spot market buy's `sz` is in the quote currency unless `tgtCcy` is `base_ccy`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiohttp import web

from vtcore.peers.base import Session, VenueServer
from vtcore.peers.matching import Execution, SimOrder
from vtcore.peers.okx_market import CANDLE_BARS, PUBLIC_CHANNELS, OkxMarketData, text

#: `cancelSource` of an order OKX cancelled because, being post-only, it would have taken liquidity
POST_ONLY_CANCEL_SOURCE = "31"

API_KEY = "985d5b66-57ce-40fb-b714-afc0b9787083"
API_SECRET = "22582BD0CFF14C41EDBF1AB98506286D"
PASSPHRASE = "Okx-Passphrase-1"


@dataclass(frozen=True)
class Instrument:
    inst_type: str
    inst_id: str
    inst_id_code: int
    tick_size: str
    lot_size: str
    min_size: str
    base: str = ""
    quote: str = ""
    settle: str = ""
    ct_val: str = ""
    ct_type: str = ""
    exp_time: str = ""


INSTRUMENTS = (
    Instrument("SPOT", "BTC-USDT", 10001, "0.1", "0.00000001", "0.00001", base="BTC", quote="USDT"),
    Instrument("SPOT", "ETH-USDT", 10002, "0.01", "0.000001", "0.0001", base="ETH", quote="USDT"),
    Instrument(
        "SWAP", "BTC-USDT-SWAP", 20001, "0.1", "0.01", "0.01", settle="USDT", ct_val="0.01", ct_type="linear"
    ),
    Instrument(
        "FUTURES",
        "BTC-USDT-260925",
        30001,
        "0.1",
        "1",
        "1",
        settle="USDT",
        ct_val="0.01",
        ct_type="linear",
        exp_time="1790323200000",
    ),
)


class OkxError(Exception):
    def __init__(self, code: str, msg: str, status: int = 200) -> None:
        super().__init__(msg)
        self.code, self.msg, self.status = code, msg, status


def sign(secret: str, message: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()


#: (maker, taker) fee rates of the account (level Lv1)
FEE_RATES = {
    "SPOT": (Decimal("0.0008"), Decimal("0.001")),
    "DERIVATIVES": (Decimal("0.0002"), Decimal("0.0005")),
}
#: WebSocket order operations (by instIdCode) -> what they do
WS_OPERATIONS = {
    "order": "place",
    "batch-orders": "place",
    "cancel-order": "cancel",
    "batch-cancel-orders": "cancel",
    "amend-order": "amend",
    "batch-amend-orders": "amend",
}
PRIVATE_CHANNELS = ("orders", "account", "positions", "balance_and_position", "fills")


class OkxVenue(OkxMarketData, VenueServer):
    client_idle_timeout = 30.0
    demo = False  # a demo venue answers only requests with x-simulated-trading: 1

    def __init__(self) -> None:
        super().__init__()
        self.api_key, self.api_secret, self.passphrase = API_KEY, API_SECRET, PASSPHRASE
        self.balances: dict[str, Decimal] = {
            "USDT": Decimal("100000"),
            "BTC": Decimal("1"),
            "ETH": Decimal("10"),
        }
        self.positions: dict[str, tuple[Decimal, Decimal]] = {}  # instId -> (pos, avgPx), net mode
        self.leverage: dict[str, str] = {}
        self.order_ops: list[dict[str, Any]] = []
        #: the next N order pushes (and order queries) report a state no client knows ("paused")
        self.odd_states = 0
        self.odd_queries = 0
        #: the next N open-order listings give their first row an empty size (a row no client can read)
        self.blank_sizes = 0
        self.init_market_data()

    def instruments_list(self) -> tuple[Instrument, ...]:
        return INSTRUMENTS

    def error(self, code: str, msg: str) -> Exception:
        return OkxError(code, msg)

    def instrument(self, inst_id: str | None = None, code: Any = None) -> Instrument | None:
        for item in INSTRUMENTS:
            if (inst_id is not None and item.inst_id == inst_id) or (
                code is not None and item.inst_id_code == code
            ):
                return item
        return None

    def build_app(self) -> web.Application:
        app = web.Application()
        add = app.router.add_route
        add("GET", "/api/v5/public/time", self.endpoint(False, self.time_endpoint))
        add("GET", "/api/v5/public/instruments", self.endpoint(False, self.instruments))
        add("GET", "/api/v5/market/candles", self.endpoint(False, self.candles))
        add("GET", "/api/v5/account/balance", self.endpoint(True, self.balance))
        add("GET", "/api/v5/account/positions", self.endpoint(True, self.positions_endpoint))
        add("POST", "/api/v5/account/set-leverage", self.endpoint(True, self.set_leverage))
        add("GET", "/api/v5/trade/orders-pending", self.endpoint(True, self.orders_pending))
        add("GET", "/api/v5/trade/order", self.endpoint(True, self.get_order))
        add("GET", "/api/v5/trade/fills", self.endpoint(True, self.fills))
        add("GET", "/api/v5/trade/fills-history", self.endpoint(True, self.fills_history))
        add("GET", "/api/v5/trade/orders-history", self.endpoint(True, self.orders_history))
        add("GET", "/api/v5/trade/orders-history-archive", self.endpoint(True, self.orders_history))
        for path, handler in (
            ("order", self.rest_order),
            ("batch-orders", self.rest_order),
            ("cancel-order", self.rest_cancel),
            ("cancel-batch-orders", self.rest_cancel),
            ("amend-order", self.rest_amend),
            ("amend-batch-orders", self.rest_amend),
        ):
            add("POST", f"/api/v5/trade/{path}", self.endpoint(True, handler, operation=True))
        add("GET", "/api/v5/account/trade-fee", self.endpoint(True, self.trade_fee))
        add("GET", "/api/v5/account/config", self.endpoint(True, self.account_config))
        add("GET", "/api/v5/asset/currencies", self.endpoint(True, self.asset_currencies))
        add("GET", "/api/v5/market/ticker", self.endpoint(False, self.market_ticker))
        add("GET", "/api/v5/market/tickers", self.endpoint(False, self.market_tickers))
        add("GET", "/api/v5/market/books", self.endpoint(False, self.market_books))
        add("GET", "/api/v5/market/trades", self.endpoint(False, self.market_trades))
        add("GET", "/api/v5/market/history-trades", self.endpoint(False, self.market_trades))
        add("GET", "/api/v5/market/history-candles", self.endpoint(False, self.candles))
        add("GET", "/api/v5/public/mark-price", self.endpoint(False, self.mark_price_endpoint))
        add("GET", "/api/v5/public/funding-rate", self.endpoint(False, self.funding_rate_endpoint))
        app.router.add_get("/ws/v5/public", self.public_ws)
        app.router.add_get("/ws/v5/private", self.private_ws)
        app.router.add_get("/ws/v5/business", self.business_ws)
        return app

    # ---- REST plumbing

    def endpoint(self, private: bool, handler: Any, operation: bool = False) -> Any:
        """`operation`: an order operation, whose answer is OKX's per-item envelope (`sCode`/`sMsg` in each
        item, code 0 / 1 "All operations failed" / 2 "Operation partially succeeded")."""

        async def wrapped(request: web.Request) -> web.Response:
            body = await request.text()
            try:
                if self.demo != (request.headers.get("x-simulated-trading") == "1"):
                    raise (
                        OkxError("50101", "APIKey does not match current environment.", 401)
                        if private
                        else OkxError("50038", "This feature is unavailable in demo trading")
                    )
                if private:
                    self.check_rest_auth(request, body)
                params: dict[str, Any] = dict(request.query)
                if body:
                    try:
                        decoded = json.loads(body)
                    except ValueError:
                        raise OkxError("50002", "JSON syntax error") from None
                    if isinstance(decoded, list):  # batch operations post a list
                        params["_batch"] = decoded
                    elif isinstance(decoded, dict):
                        params.update(decoded)
                    else:
                        raise OkxError("50002", "JSON syntax error")
                try:
                    data = await handler(params)
                except (ValueError, ArithmeticError):  # a parameter that does not parse as a number
                    raise OkxError("51000", "Parameter error") from None
                if operation:
                    return self.answer(self.operation_envelope(data))
                return self.answer({"code": "0", "msg": "", "data": data})
            except OkxError as error:
                return self.answer({"code": error.code, "msg": error.msg, "data": []}, error.status)

        return wrapped

    def operation_envelope(self, results: list[dict[str, Any]]) -> dict[str, Any]:
        failed = sum(1 for r in results if r["sCode"] != "0")
        code = "0" if failed == 0 else ("1" if failed == len(results) else "2")
        now = self.now_ms() * 1000
        msg = {"0": "", "1": "All operations failed", "2": "Operation partially succeeded"}[code]
        return {"code": code, "msg": msg, "data": results, "inTime": str(now), "outTime": str(now + 150)}

    def answer(self, payload: Any, status: int = 200) -> web.Response:
        return web.Response(status=status, text=json.dumps(payload), content_type="application/json")

    def rate_limited_response(self) -> web.Response:
        return web.Response(
            status=429,
            text=json.dumps({"msg": "Too Many Requests", "code": "50011"}),
            content_type="application/json",
            headers={"Retry-After": str(self.faults.retry_after)},
        )

    def check_rest_auth(self, request: web.Request, body: str) -> None:
        headers = request.headers
        for name in ("OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP", "OK-ACCESS-PASSPHRASE"):
            if not headers.get(name):
                raise OkxError(
                    "50103" if name == "OK-ACCESS-KEY" else "50104",
                    f"Request header {name} can't be empty.",
                    401,
                )
        if headers["OK-ACCESS-KEY"] != self.api_key:
            raise OkxError("50111", "Invalid OK-ACCESS-KEY", 401)
        stamp = headers["OK-ACCESS-TIMESTAMP"]
        try:
            moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
        except ValueError:
            raise OkxError("50112", "Invalid OK-ACCESS-TIMESTAMP", 401) from None
        if abs(moment.timestamp() * 1000 - self.now_ms()) > 30_000:
            raise OkxError("50102", "Timestamp request expired", 401)
        path = request.rel_url.raw_path + (
            f"?{request.rel_url.raw_query_string}" if request.rel_url.raw_query_string else ""
        )
        expected = sign(self.api_secret, stamp + request.method + path + body)
        if not hmac.compare_digest(expected, headers["OK-ACCESS-SIGN"]):
            raise OkxError("50113", "Invalid Sign", 401)
        if headers["OK-ACCESS-PASSPHRASE"] != self.passphrase:
            raise OkxError("50105", "Invalid OK-ACCESS-PASSPHRASE", 401)

    # ---- public REST

    async def time_endpoint(self, params: dict[str, Any]) -> Any:
        return [{"ts": str(self.now_ms())}]

    async def instruments(self, params: dict[str, Any]) -> Any:
        inst_type = params.get("instType")
        if not inst_type:
            raise OkxError("50014", "Parameter instType can not be empty.")
        if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"):
            raise OkxError("51000", "Parameter instType error")
        rows = []
        for item in INSTRUMENTS:
            if item.inst_type != inst_type:
                continue
            rows.append(
                {
                    "instType": item.inst_type,
                    "instId": item.inst_id,
                    "instIdCode": item.inst_id_code,
                    "uly": "BTC-USDT" if item.inst_type != "SPOT" else "",
                    "instFamily": "BTC-USDT" if item.inst_type != "SPOT" else "",
                    "baseCcy": item.base,
                    "quoteCcy": item.quote,
                    "settleCcy": item.settle,
                    "ctVal": item.ct_val,
                    "ctMult": "1" if item.ct_val else "",
                    "ctValCcy": "BTC" if item.ct_val else "",
                    "ctType": item.ct_type,
                    "optType": "",
                    "stk": "",
                    "listTime": "1606468572000",
                    "expTime": item.exp_time,
                    "lever": "100" if item.ct_val else "10",
                    "tickSz": item.tick_size,
                    "lotSz": item.lot_size,
                    "minSz": item.min_size,
                    "alias": "quarter" if item.exp_time else "",
                    "state": "live",
                    "maxLmtSz": "10000",
                    "maxMktSz": "1000",
                    "tradeQuoteCcyList": [item.quote] if item.quote else [],
                }
            )
        return rows

    async def candles(self, params: dict[str, Any]) -> Any:
        item = self.instrument(params.get("instId"))
        if item is None:
            raise OkxError("51001", "Instrument ID does not exist")
        step = CANDLE_BARS.get(params.get("bar", "1m"))
        if step is None:
            raise OkxError("51000", "Parameter bar error")
        limit = min(int(params.get("limit", "100")), 300)
        newest = int(params["after"]) - step if params.get("after") else self.now_ms() - self.now_ms() % step
        newest -= newest % step
        oldest = int(params["before"]) + 1 if params.get("before") else 0
        rows: list[list[str]] = []
        stamp = newest
        while stamp >= oldest and len(rows) < limit:
            base = Decimal(200 + (stamp // step) % 50)
            rows.append(
                [
                    str(stamp),
                    text(base),
                    text(base + 3),
                    text(base - 2),
                    text(base + 1),
                    "12",
                    "1200",
                    "1200",
                    "1",
                ]
            )
            stamp -= step
        return rows

    # ---- private REST

    async def balance(self, params: dict[str, Any]) -> Any:
        details = []
        locked = self.locked()
        for ccy, amount in self.balances.items():
            frozen = locked.get(ccy, Decimal(0))
            details.append(
                {
                    "ccy": ccy,
                    "eq": text(amount),
                    "cashBal": text(amount),
                    "availBal": text(amount - frozen),
                    "availEq": text(amount - frozen),
                    "frozenBal": text(frozen),
                    "ordFrozen": text(frozen),
                    "upl": "0",
                    "uTime": str(self.now_ms()),
                }
            )
        return [{"totalEq": "100000", "uTime": str(self.now_ms()), "details": details}]

    def position_rows(self) -> list[dict[str, Any]]:
        rows = []
        for inst_id, (pos, avg) in self.positions.items():
            item = self.instrument(inst_id)
            assert item is not None
            rows.append(
                {
                    "instType": item.inst_type,
                    "instId": inst_id,
                    "mgnMode": "cross",
                    "posSide": "net",
                    "pos": text(pos),
                    "availPos": text(abs(pos)),
                    "avgPx": text(avg),
                    "upl": "0",
                    "lever": self.leverage.get(inst_id, "10"),
                    "liqPx": "",
                    "markPx": text(avg),
                    "posId": str(abs(hash(inst_id)) % 10**12),
                    "uTime": str(self.now_ms()),
                }
            )
        return rows

    async def positions_endpoint(self, params: dict[str, Any]) -> Any:
        return self.position_rows()

    async def set_leverage(self, params: dict[str, Any]) -> Any:
        item = self.instrument(params.get("instId"))
        if item is None or item.inst_type == "SPOT":
            raise OkxError("51001", "Instrument ID does not exist")
        if params.get("mgnMode") not in ("cross", "isolated") or not params.get("lever"):
            raise OkxError("51000", "Parameter mgnMode error")
        self.leverage[item.inst_id] = str(params["lever"])
        return [
            {
                "lever": str(params["lever"]),
                "mgnMode": params["mgnMode"],
                "instId": item.inst_id,
                "posSide": "",
            }
        ]

    async def orders_pending(self, params: dict[str, Any]) -> Any:
        rows = [self.render_order(o) for o in self.matching.orders.values() if o.active]
        if rows and self.blank_sizes > 0:
            self.blank_sizes -= 1
            rows[0]["sz"] = ""
        return rows

    async def get_order(self, params: dict[str, Any]) -> Any:
        if not params.get("instId"):
            raise OkxError("50014", "Parameter instId can not be empty.")
        order = self.find_order(params.get("ordId"), params.get("clOrdId"))
        if order is None:
            raise OkxError("51603", "Order does not exist")
        row = self.render_order(order)
        if self.odd_queries > 0:
            self.odd_queries -= 1
            row["state"] = "paused"
        return [row]

    def fill_rows(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = []
        for order in self.matching.orders.values():
            item = self.instrument(order.symbol)
            assert item is not None
            if params.get("ordId") and str(order.order_id) != params["ordId"]:
                continue
            if params.get("instId") and order.symbol != params["instId"]:
                continue
            if params.get("instType") and item.inst_type != params["instType"]:
                continue
            for fill in self.matching.fills[order.order_id]:
                fee, fee_ccy = self.commission(order, fill)
                rows.append(
                    {
                        "instType": item.inst_type,
                        "instId": order.symbol,
                        "tradeId": str(fill.trade_id),
                        "ordId": str(order.order_id),
                        "clOrdId": order.client_id,
                        "billId": str(fill.trade_id * 7),
                        "subType": "1" if order.side == "BUY" else "2",
                        "tag": str(order.extra.get("tag", "")),
                        "fillPx": text(fill.price),
                        "fillSz": text(fill.quantity),
                        "fillIdxPx": "",
                        "fillPnl": "0",
                        "fillPxVol": "",
                        "fillPxUsd": "",
                        "fillMarkVol": "",
                        "fillFwdPx": "",
                        "fillMarkPx": "",
                        "side": order.side.lower(),
                        "posSide": "net",
                        "execType": "M" if fill.maker else "T",
                        "feeCcy": fee_ccy,
                        "fee": text(-fee),
                        "ts": str(fill.time_ms),
                        "fillTime": str(fill.time_ms),
                        "feeRate": text(
                            -FEE_RATES["SPOT" if item.inst_type == "SPOT" else "DERIVATIVES"][
                                0 if fill.maker else 1
                            ]
                        ),
                    }
                )
        rows.sort(key=lambda row: -int(row["tradeId"]))
        return rows[: min(int(params.get("limit", "100")), 100)]

    async def fills(self, params: dict[str, Any]) -> Any:
        return self.fill_rows(params)

    async def fills_history(self, params: dict[str, Any]) -> Any:
        if not params.get("instType"):  # the history endpoints need the instrument type
            raise OkxError("50014", "Parameter instType can not be empty.")
        return self.fill_rows(params)

    async def orders_history(self, params: dict[str, Any]) -> Any:
        if not params.get("instType"):
            raise OkxError("50014", "Parameter instType can not be empty.")
        rows = [
            self.render_order(o)
            for o in self.matching.orders.values()
            if not o.active
            and self.instrument(o.symbol).inst_type == params["instType"]  # type: ignore[union-attr]
            and params.get("instId") in (None, "", o.symbol)
        ]
        rows.sort(key=lambda row: -int(row["ordId"]))
        return rows[: min(int(params.get("limit", "100")), 100)]

    async def trade_fee(self, params: dict[str, Any]) -> Any:
        inst_type = params.get("instType")
        if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"):
            raise OkxError("50014", "Parameter instType can not be empty.")
        maker, taker = FEE_RATES["SPOT" if inst_type in ("SPOT", "MARGIN") else "DERIVATIVES"]
        spot = inst_type in ("SPOT", "MARGIN")
        return [
            {
                "instType": inst_type,
                "level": "Lv1",
                "maker": text(-maker) if spot else "",
                "taker": text(-taker) if spot else "",
                "makerU": "" if spot else text(-maker),
                "takerU": "" if spot else text(-taker),
                "makerUSDC": "",
                "takerUSDC": "",
                "ruleType": "normal",
                "category": "1",
                "delivery": "",
                "exercise": "",
                "fiatList": [],
                "ts": str(self.now_ms()),
            }
        ]

    async def asset_currencies(self, params: dict[str, Any]) -> Any:
        """The funding account's currencies, one row per chain (one chain each here)."""
        asked = {c for c in str(params.get("ccy", "")).split(",") if c}
        return [
            {
                "ccy": ccy,
                "name": ccy,
                "chain": f"{ccy}-{ccy}" if ccy != "USDT" else "USDT-TRC20",
                "mainNet": True,
                "canDep": True,
                "canWd": True,
                "canInternal": True,
                "minDep": "0.00005",
                "minWd": "0.0005",
                "maxWd": "500",
                "wdTickSz": "8",
                "wdQuota": "10000000",
                "usedWdQuota": "0",
                "fee": "0.0002",
                "minFee": "0.0002",
                "maxFee": "0.0004",
                "needTag": False,
                "minDepArrivalConfirm": "1",
                "minWdUnlockConfirm": "2",
                "depQuotaFixed": "",
                "usedDepQuotaFixed": "",
                "depQuoteDailyLayer2": "",
                "ctAddr": "",
                "depEstOpenTime": "",
                "wdEstOpenTime": "",
                "logoLink": "",
            }
            for ccy in self.balances
            if not asked or ccy in asked
        ]

    async def account_config(self, params: dict[str, Any]) -> Any:
        return [
            {
                "uid": "44705892343619584",
                "mainUid": "44705892343619584",
                "acctLv": "2",
                "posMode": "net_mode",
                "autoLoan": False,
                "greeksType": "PA",
                "level": "Lv1",
                "levelTmp": "",
                "ctIsoMode": "automatic",
                "mgnIsoMode": "automatic",
                "label": "vtcore",
                "roleType": "0",
                "spotRoleType": "0",
                "opAuth": "0",
                "kycLv": "2",
                "ip": "",
                "perm": "read_only,trade",
                "liquidationGear": "-1",
                "enableSpotBorrow": False,
                "spotBorrowAutoRepay": False,
                "type": "0",
            }
        ]

    # ---- trading over REST (by instId)

    def batch(self, params: dict[str, Any], operation: Any) -> Any:
        items = params.get("_batch")
        if items is None:
            items = [params]
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise OkxError("50002", "JSON syntax error")
        if len(items) > 20:
            raise OkxError("51010", "The batch size cannot exceed 20")
        return [operation(item, by_code=False) for item in items]

    async def rest_order(self, params: dict[str, Any]) -> Any:
        return self.batch(params, self.place_order)

    async def rest_cancel(self, params: dict[str, Any]) -> Any:
        return self.batch(params, self.cancel_order)

    async def rest_amend(self, params: dict[str, Any]) -> Any:
        return self.batch(params, self.amend_order)

    # ---- orders

    def find_order(self, ord_id: Any, cl_ord_id: Any) -> SimOrder | None:
        for order in self.matching.orders.values():
            if (ord_id and str(order.order_id) == str(ord_id)) or (
                cl_ord_id and order.client_id == cl_ord_id
            ):
                return order
        return None

    def locked(self) -> dict[str, Decimal]:
        locked: dict[str, Decimal] = {}
        for order in self.matching.orders.values():
            item = self.instrument(order.symbol)
            if not order.active or item is None or item.inst_type != "SPOT":
                continue
            if order.side == "BUY":
                locked[item.quote] = locked.get(item.quote, Decimal(0)) + order.remaining * order.price
            else:
                locked[item.base] = locked.get(item.base, Decimal(0)) + order.remaining
        return locked

    def commission(self, order: SimOrder, fill: Any) -> tuple[Decimal, str]:
        """(amount charged, currency) of a fill: spot pays in the currency it receives, derivatives in the
        settlement currency on the notional; maker and taker rates as `account/trade-fee` states them."""
        item = self.instrument(order.symbol)
        assert item is not None
        rates = FEE_RATES["SPOT" if item.inst_type == "SPOT" else "DERIVATIVES"]
        rate = rates[0] if fill.maker else rates[1]
        if item.inst_type != "SPOT":
            return fill.quantity * Decimal(item.ct_val) * fill.price * rate, item.settle
        if order.side == "BUY":
            return fill.quantity * rate, item.base
        return fill.quantity * fill.price * rate, item.quote

    def order_fee(self, order: SimOrder) -> tuple[Decimal, str]:
        fees = [self.commission(order, f) for f in self.matching.fills.get(order.order_id, [])]
        return sum((fee for fee, _ in fees), Decimal(0)), (fees[-1][1] if fees else "")

    def render_order(self, order: SimOrder, fill: Any = None, kind: str = "") -> dict[str, Any]:
        item = self.instrument(order.symbol)
        assert item is not None
        fee, fee_ccy = self.order_fee(order)
        fill_fee, fill_fee_ccy = self.commission(order, fill) if fill else (Decimal(0), "")
        state = {
            "NEW": "live",
            "PARTIALLY_FILLED": "partially_filled",
            "FILLED": "filled",
            "CANCELED": "canceled",
            "EXPIRED": "canceled",
        }[order.status]
        return {
            "instType": item.inst_type,
            "instId": order.symbol,
            "ordId": str(order.order_id),
            "clOrdId": order.client_id,
            "tag": str(order.extra.get("tag", "")),
            "px": text(order.price) if order.kind == "LIMIT" else "",
            "sz": text(order.quantity),
            "ordType": str(order.extra["ordType"]),
            "side": order.side.lower(),
            "posSide": "net",
            "tdMode": str(order.extra["tdMode"]),
            "tgtCcy": str(order.extra.get("tgtCcy", "")),
            "accFillSz": text(order.filled),
            "fillPx": text(fill.price) if fill else "",
            "fillSz": text(fill.quantity) if fill else "0",
            "fillTime": str(fill.time_ms) if fill else "",
            "tradeId": str(fill.trade_id) if fill else "",
            "avgPx": text(order.average_price) if order.filled else "",
            "state": state,
            "fee": text(-fee),  # OKX reports a charge as a negative fee
            "feeCcy": fee_ccy,
            "fillFee": text(-fill_fee),
            "fillFeeCcy": fill_fee_ccy,
            "execType": ("M" if fill.maker else "T") if fill else "",
            "amendResult": "0" if kind == "AMENDED" else "",
            "reqId": str(order.extra.get("reqId", "")) if kind == "AMENDED" else "",
            "lever": self.leverage.get(order.symbol, "") if item.inst_type != "SPOT" else "",
            "reduceOnly": "false",
            "cancelSource": str(order.extra.get("cancelSource", "")),
            "category": "normal",
            "cTime": str(order.created_ms),
            "uTime": str(order.updated_ms),
        }

    def order_instrument(
        self, args: dict[str, Any], by_code: bool
    ) -> tuple[Instrument | None, dict[str, str] | None]:
        """The instrument an order operation names: WebSocket operations by the integer `instIdCode` (since
        2026-02-03), REST ones by `instId`. (instrument, None) or (None, the item's error)."""
        name = "instIdCode" if by_code else "instId"
        if name not in args or args[name] in ("", None):
            return None, {"sCode": "50014", "sMsg": f"Parameter {name} can not be empty"}
        if by_code and not isinstance(args["instIdCode"], int):
            return None, {"sCode": "51000", "sMsg": "Parameter instIdCode error"}
        item = self.instrument(code=args[name]) if by_code else self.instrument(str(args[name]))
        if item is None:
            return None, {"sCode": "51001", "sMsg": "Instrument ID or Spread ID doesn't exist."}
        return item, None

    def place_ws_order(self, args: dict[str, Any]) -> dict[str, Any]:
        return self.place_order(args, by_code=True)

    def place_order(self, args: dict[str, Any], by_code: bool) -> dict[str, Any]:
        cl_ord_id = str(args.get("clOrdId", ""))
        base = {"clOrdId": cl_ord_id, "ordId": "", "tag": str(args.get("tag", "")), "ts": str(self.now_ms())}
        item, refusal = self.order_instrument(args, by_code)
        if item is None:
            return {**base, **(refusal or {})}
        for name in ("side", "ordType", "sz", "tdMode"):
            if not args.get(name):
                return {**base, "sCode": "50014", "sMsg": f"Parameter {name} can not be empty"}
        ord_type, side = args["ordType"], str(args["side"]).upper()
        if args["side"] not in ("buy", "sell"):
            return {**base, "sCode": "51000", "sMsg": "Parameter side error"}
        if ord_type not in ("market", "limit", "post_only", "fok", "ioc"):
            return {**base, "sCode": "51000", "sMsg": "Parameter ordType error"}
        if args["tdMode"] not in ("cash", "cross", "isolated", "spot_isolated"):
            return {**base, "sCode": "51000", "sMsg": "Parameter tdMode error"}
        if (item.inst_type == "SPOT") != (args["tdMode"] == "cash"):
            return {**base, "sCode": "51000", "sMsg": "Parameter tdMode error"}
        if ord_type != "market" and not args.get("px"):
            return {**base, "sCode": "50014", "sMsg": "Parameter px can not be empty"}
        try:
            quantity, price = Decimal(str(args["sz"])), Decimal(str(args.get("px") or "0"))
        except ArithmeticError:
            return {**base, "sCode": "51000", "sMsg": "Parameter sz error"}
        if not quantity.is_finite() or quantity <= 0:
            return {**base, "sCode": "51000", "sMsg": "Parameter sz error"}
        if not price.is_finite() or price < 0 or (ord_type != "market" and price == 0):
            return {**base, "sCode": "51000", "sMsg": "Parameter px error"}
        quote_sized = (
            item.inst_type == "SPOT"
            and ord_type == "market"
            and side == "BUY"
            and args.get("tgtCcy") != "base_ccy"
        )
        if not quote_sized and quantity % Decimal(item.lot_size) != 0:
            return {
                **base,
                "sCode": "51121",
                "sMsg": f"Order quantity must be a multiple of the lot size {item.lot_size}.",
            }
        if not quote_sized and quantity < Decimal(item.min_size):
            return {
                **base,
                "sCode": "51020",
                "sMsg": "Your order should meet or exceed the minimum order amount.",
            }
        if price and price % Decimal(item.tick_size) != 0:
            return {**base, "sCode": "51000", "sMsg": "Parameter px error"}
        if cl_ord_id and any(o.client_id == cl_ord_id for o in self.matching.orders.values()):
            return {**base, "sCode": "51016", "sMsg": "Duplicated client order ID"}
        bids, asks = self.matching.book(item.inst_id)
        if quote_sized:
            # sz is an amount of the quote currency: buy what it pays for at the best ask
            best = asks[0][0] if asks else Decimal(1)
            quantity = (quantity / best).quantize(Decimal(item.lot_size), rounding="ROUND_DOWN")
        if item.inst_type == "SPOT":
            reference = price or (
                asks[0][0] if side == "BUY" and asks else bids[0][0] if bids else Decimal(0)
            )
            asset, needed = (item.quote, quantity * reference) if side == "BUY" else (item.base, quantity)
            free = self.balances.get(asset, Decimal(0)) - self.locked().get(asset, Decimal(0))
            if free < needed:
                return {
                    **base,
                    "sCode": "51008",
                    "sMsg": f"Order failed. Insufficient {asset} balance in account.",
                }
        else:
            # the initial margin (notional over the leverage) must fit the settlement currency's balance
            best = asks[0][0] if side == "BUY" and asks else bids[0][0] if bids else Decimal(0)
            reference = price or best
            lever = Decimal(self.leverage.get(item.inst_id, "10"))
            margin = quantity * Decimal(item.ct_val or "1") * reference / lever
            if margin > self.balances.get(item.settle, Decimal(0)):
                return {
                    **base,
                    "sCode": "51008",
                    "sMsg": f"Order failed. Insufficient {item.settle} margin in account.",
                }
        order = SimOrder(
            order_id=self.matching.next_order_id() * 1000 + 312269865356,
            client_id=cl_ord_id,
            account="okx",
            symbol=item.inst_id,
            side=side,
            kind="MARKET" if ord_type == "market" else "LIMIT",
            tif={"limit": "GTC", "market": "IOC", "post_only": "POST_ONLY", "fok": "FOK", "ioc": "IOC"}[
                ord_type
            ],
            price=price,
            quantity=quantity,
            extra={
                "ordType": ord_type,
                "tdMode": args["tdMode"],
                "tgtCcy": args.get("tgtCcy", ""),
                "tag": str(args.get("tag", "")),
            },
        )
        post_only_cross = ord_type == "post_only" and self.matching.would_take(order)
        self.matching.place(order) if not post_only_cross else self._post_only_cancel(order)
        return {**base, "ordId": str(order.order_id), "sCode": "0", "sMsg": "Order placed"}

    def _post_only_cancel(self, order: SimOrder) -> None:
        # OKX accepts the order and cancels it at once (it would have taken liquidity); the order push says
        # why in cancelSource, code 31 in OKX's list (a post-only order that would take)
        order.tif = "GTC"
        order.extra["cancelSource"] = POST_ONLY_CANCEL_SOURCE
        original = self.matching.books.get(order.symbol)
        self.matching.books[order.symbol] = ([], [])
        self.matching.place(order)
        if original is not None:
            self.matching.books[order.symbol] = original
        self.matching.cancel(order.order_id)

    def cancel_ws_order(self, args: dict[str, Any]) -> dict[str, Any]:
        return self.cancel_order(args, by_code=True)

    def cancel_order(self, args: dict[str, Any], by_code: bool) -> dict[str, Any]:
        base = {
            "clOrdId": str(args.get("clOrdId", "")),
            "ordId": str(args.get("ordId", "")),
            "ts": str(self.now_ms()),
        }
        item, refusal = self.order_instrument(args, by_code)
        if item is None:
            return {**base, **(refusal or {})}
        if not args.get("ordId") and not args.get("clOrdId"):
            return {**base, "sCode": "51000", "sMsg": "Parameter ordId or clOrdId error"}
        order = self.find_order(args.get("ordId"), args.get("clOrdId"))
        if order is None or order.symbol != item.inst_id or self.matching.cancel(order.order_id) is None:
            return {
                **base,
                "sCode": "51400",
                "sMsg": "Order cancellation failed as the order has been filled, canceled or does not exist",
            }
        return {**base, "ordId": str(order.order_id), "clOrdId": order.client_id, "sCode": "0", "sMsg": ""}

    def amend_order(self, args: dict[str, Any], by_code: bool) -> dict[str, Any]:
        """`amend-order`: a new size (`newSz`, the whole order's, filled part included) and/or price
        (`newPx`) for a live order; it keeps its id and place, and matches again if it now crosses."""
        base = {
            "clOrdId": str(args.get("clOrdId", "")),
            "ordId": str(args.get("ordId", "")),
            "reqId": str(args.get("reqId", "")),
            "ts": str(self.now_ms()),
        }
        item, refusal = self.order_instrument(args, by_code)
        if item is None:
            return {**base, **(refusal or {})}
        if not args.get("newSz") and not args.get("newPx"):
            return {**base, "sCode": "50014", "sMsg": "Parameter newSz or newPx can not be empty"}
        order = self.find_order(args.get("ordId"), args.get("clOrdId"))
        if order is None or order.symbol != item.inst_id or not order.active:
            return {
                **base,
                "sCode": "51503",
                "sMsg": "Order modification failed as the order has been filled, canceled or does not exist",
            }
        try:
            size = Decimal(str(args["newSz"])) if args.get("newSz") else order.quantity
            price = Decimal(str(args["newPx"])) if args.get("newPx") else order.price
        except ArithmeticError:
            return {**base, "sCode": "51000", "sMsg": "Parameter newSz error"}
        if size % Decimal(item.lot_size) or size <= order.filled:
            return {**base, "sCode": "51000", "sMsg": "Parameter newSz error"}
        if price <= 0 or price % Decimal(item.tick_size):
            return {**base, "sCode": "51000", "sMsg": "Parameter newPx error"}
        order.extra["reqId"] = base["reqId"]
        self.matching.amend(order.order_id, price, size)
        return {**base, "ordId": str(order.order_id), "clOrdId": order.client_id, "sCode": "0", "sMsg": ""}

    def on_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        item = self.instrument(order.symbol)
        assert item is not None
        if fill is not None:
            signed = fill.quantity if order.side == "BUY" else -fill.quantity
            fee, fee_ccy = self.commission(order, fill)  # charged exactly as the pushes and fills report it
            self.balances[fee_ccy] = self.balances.get(fee_ccy, Decimal(0)) - fee
            if not fill.maker:  # the user's taking fill prints on the market's tape and channels
                self.publish_trade(order.symbol, str(fill.price), str(fill.quantity), order.side == "SELL")
                self.publish_book(order.symbol)
            if item.inst_type == "SPOT":
                self.balances[item.base] = self.balances.get(item.base, Decimal(0)) + signed
                self.balances[item.quote] = self.balances.get(item.quote, Decimal(0)) - signed * fill.price
            else:
                pos, avg = self.positions.get(item.inst_id, (Decimal(0), Decimal(0)))
                new_pos = pos + signed
                if new_pos != 0 and (pos == 0 or (pos > 0) == (signed > 0)):
                    avg = (avg * abs(pos) + fill.price * fill.quantity) / abs(new_pos)
                self.positions[item.inst_id] = (new_pos, avg if new_pos else Decimal(0))
        if execution.kind == "NEW" and order.status != "NEW":
            return
        row = self.render_order(order, fill, execution.kind)
        if self.odd_states > 0:
            self.odd_states -= 1
            row["state"] = "paused"
        self.push_private("orders", item.inst_type, [row])
        if fill is not None:
            self.push_private("account", "", self._account_rows(item))
            if item.inst_type != "SPOT":
                self.push_private(
                    "positions",
                    item.inst_type,
                    [r for r in self.position_rows() if r["instId"] == item.inst_id],
                )

    def _account_rows(self, item: Instrument) -> list[dict[str, Any]]:
        rows = self.balance_snapshot()
        return rows

    def balance_snapshot(self) -> list[dict[str, Any]]:
        locked = self.locked()
        details = [
            {
                "ccy": ccy,
                "eq": text(v),
                "cashBal": text(v),
                "availBal": text(v - locked.get(ccy, Decimal(0))),
                "availEq": text(v - locked.get(ccy, Decimal(0))),
                "frozenBal": text(locked.get(ccy, Decimal(0))),
                "ordFrozen": text(locked.get(ccy, Decimal(0))),
                "upl": "0",
                "uTime": str(self.now_ms()),
            }
            for ccy, v in self.balances.items()
        ]
        return [{"totalEq": "100000", "uTime": str(self.now_ms()), "details": details}]

    def push_private(self, channel: str, inst_type: str, data: list[dict[str, Any]]) -> None:
        for session in list(self.sessions):
            if session.kind != "private" or not session.state.get("logged_in"):
                continue
            for arg in session.state.get("args", []):
                if arg["channel"] != channel:
                    continue
                if channel != "account" and arg.get("instType") not in ("ANY", inst_type):
                    continue
                self.push(session, {"arg": arg, "data": data})

    # ---- WebSocket

    async def public_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.serve_ws(request, "public", self.on_frame)

    async def private_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.serve_ws(request, "private", self.on_frame)

    async def business_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.serve_ws(request, "business", self.on_frame)

    async def on_frame(self, session: Session, raw: str) -> None:
        if raw == "ping":
            if not self.faults.stop_pings:
                await session.ws.send_str("pong")
            return
        conn_id = session.state.setdefault("connId", secrets.token_hex(4))
        try:
            message = json.loads(raw)
            op = message["op"]
        except (ValueError, KeyError, TypeError):
            await self.send_json(
                session,
                {
                    "event": "error",
                    "code": "60012",
                    "msg": f"Invalid request: {raw[:100]}",
                    "connId": conn_id,
                },
            )
            return
        self.ws_log.append((session.kind, message))
        if op == "login":
            await self.ws_login(session, message.get("args") or [{}], conn_id)
        elif op in ("subscribe", "unsubscribe"):
            for arg in message.get("args", []):
                await self.ws_subscribe(session, op, arg, conn_id)
        elif op in WS_OPERATIONS:
            await self.ws_order(session, message, conn_id)
        else:
            await self.send_json(
                session,
                {
                    "event": "error",
                    "code": "60012",
                    "msg": f"Invalid request: {raw[:100]}",
                    "connId": conn_id,
                },
            )

    async def ws_login(self, session: Session, args: list[dict[str, Any]], conn_id: str) -> None:
        arg = args[0]
        if arg.get("apiKey") != self.api_key:
            await self.send_json(
                session, {"event": "error", "code": "60005", "msg": "Invalid apiKey", "connId": conn_id}
            )
            return
        # Unix seconds: as a string or a JSON number, with or without a fraction (clients send all four)
        stamp = str(arg.get("timestamp", ""))
        try:
            seconds = Decimal(stamp)
        except ArithmeticError:
            seconds = Decimal("NaN")
        if not seconds.is_finite() or abs(seconds * 1000 - self.now_ms()) > 30_000:
            await self.send_json(
                session,
                {"event": "error", "code": "60006", "msg": "Timestamp request expired", "connId": conn_id},
            )
            return
        if arg.get("sign") != sign(self.api_secret, stamp + "GET" + "/users/self/verify"):
            await self.send_json(
                session, {"event": "error", "code": "60007", "msg": "Invalid sign", "connId": conn_id}
            )
            return
        if arg.get("passphrase") != self.passphrase:
            await self.send_json(
                session, {"event": "error", "code": "60024", "msg": "Wrong passphrase", "connId": conn_id}
            )
            return
        session.state["logged_in"] = True
        await self.send_json(session, {"event": "login", "code": "0", "msg": "", "connId": conn_id})

    def subscribe_refusal(self, session: Session, arg: dict[str, Any]) -> tuple[str, str] | None:
        """(code, msg) of why `arg` cannot be subscribed on this connection, None when it can."""
        channel = arg.get("channel")
        if not isinstance(channel, str) or not channel:
            return "60012", f"Invalid request: {json.dumps({'op': 'subscribe', 'args': [arg]})}"
        if channel in PRIVATE_CHANNELS:
            if session.kind != "private":
                return "60018", f"Wrong URL or channel:{channel}"
            if not session.state.get("logged_in"):
                return "60011", "Please log in"
            if channel != "account" and arg.get("instType") not in (
                "ANY",
                "SPOT",
                "MARGIN",
                "SWAP",
                "FUTURES",
            ):
                return "60018", f"Wrong URL or channel:{channel},instType:{arg.get('instType')} doesn't exist"
            return None
        if channel.startswith("candle"):
            if channel[len("candle") :] not in CANDLE_BARS:
                return "60018", f"Wrong URL or channel:{channel}"
            if session.kind != "business":
                return "60018", f"This channel has been migrated to the business URL: {channel}"
        elif channel in PUBLIC_CHANNELS:
            if session.kind != "public":
                return "60018", f"Wrong URL or channel:{channel}"
        else:
            return "60018", f"Wrong URL or channel:{channel}"
        item = self.instrument(arg.get("instId"))
        if item is None or (channel in ("mark-price", "funding-rate") and item.inst_type == "SPOT"):
            return "60018", f"Wrong URL or channel:{channel},instId:{arg.get('instId')} doesn't exist"
        if channel == "funding-rate" and item.inst_type != "SWAP":
            return "60018", f"Wrong URL or channel:{channel},instId:{arg.get('instId')} doesn't exist"
        return None

    async def ws_subscribe(self, session: Session, op: str, arg: dict[str, Any], conn_id: str) -> None:
        refusal = self.subscribe_refusal(session, arg)
        if refusal is not None:  # OKX names the argument it refuses
            code, msg = refusal
            await self.send_json(
                session, {"event": "error", "arg": arg, "code": code, "msg": msg, "connId": conn_id}
            )
            return
        args = session.state.setdefault("args", [])
        if op == "subscribe":
            if arg not in args:
                args.append(arg)
        elif arg in args:
            args.remove(arg)
        await self.send_json(session, {"event": op, "arg": arg, "connId": conn_id})
        if op != "subscribe":
            return
        if arg["channel"] == "account":
            self.push(session, {"arg": arg, "data": self.balance_snapshot()})
        else:
            self.first_push(session, arg)

    async def ws_order(self, session: Session, message: dict[str, Any], conn_id: str) -> None:
        request_id = str(message.get("id", ""))
        op = message["op"]
        if session.kind != "private" or not session.state.get("logged_in"):
            await self.send_json(
                session, {"id": request_id, "op": op, "code": "60011", "msg": "Please log in", "data": []}
            )
            return
        self.order_ops.append(message)
        if op == "order" and self.faults.drop_order_reply > 0:
            self.faults.drop_order_reply -= 1
            if self.faults.act_before_drop:
                for arg in message.get("args", []):
                    self.place_ws_order(arg)
            self.abort(session)
            return
        args = message.get("args", [])
        if not isinstance(args, list) or not args or not all(isinstance(arg, dict) for arg in args):
            await self.send_json(
                session, {"id": request_id, "op": op, "code": "60012", "msg": "Invalid request", "data": []}
            )
            return
        operation = {"place": self.place_order, "cancel": self.cancel_order, "amend": self.amend_order}[
            WS_OPERATIONS[op]
        ]
        results = [operation(arg, by_code=True) for arg in args]
        await self.send_json(session, {"id": request_id, "op": op, **self.operation_envelope(results)})

    # ---- market data
