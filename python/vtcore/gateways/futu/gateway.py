"""`FutuGateway`: Futu (HK and US stocks) through a local FutuOpenD, spoken by vtcore itself.

Why our own OpenD client on the shared transport loop instead of futu-api's contexts:
- futu-api's `OpenQuoteContext`/`OpenSecTradeContext` constructors block, retrying every 6 s for as long as
  OpenD is down (a gateway's `connect` must return and report); each context runs on a process-wide network
  thread plus a callback thread of its own, and creates a log folder under HOME when imported;
- every reply and push becomes a pandas DataFrame before a handler sees it (`benchmarks/bench_futu.py`
  measures that path beside ours on the same frames), and vtcore would then translate the DataFrame again;
- after a reconnect the SDK subscribes quotes again but knows nothing of vtcore's orders: the gateway has to
  reconcile orders and fills itself anyway, and needs to know when a session starts and ends to do it;
- the protocol is small for what a gateway needs (a 44-byte header, protobuf bodies, about 15 proto ids):
  one more client on the loop every REST/WebSocket gateway already shares, no thread of its own.
The message definitions stay Futu's: the gateway imports the `_pb2` modules futu-api ships (`proto.py`), so
`pip install "vtcore[futu]"` is still needed.

What the gateway does (settings as the user's page: OpenD host and port, trade password, market HK or US,
environment REAL or SIMULATE):
- one OpenD connection carries quotes and trading. On each session: the account list (the first account of
  the environment that trades the market), `unlock_trade` with the password's MD5 in REAL only (paper
  trading needs none), the account's pushes, today's orders and fills (reconciled through the OrderTracker:
  nothing missed while away is lost, nothing seen is pushed twice), funds and positions, contracts from the
  static info (first session), and the quote subscriptions again.
- quotes: the basic quote and order book pushes into TickData (5 levels).
- orders: LIMIT and MARKET; in HK also FAK and FOK (Futu's special limit orders), in US also STOP. The order
  carries vtcore's id in its remark, so its pushes are recognised even before OpenD's reply gives the order
  id. Cancel is `modify_order` with the cancel operation. A refused order carries OpenD's own text.
- fills: Futu's deal pushes and deal list in REAL; paper trading has no deals (Futu's documents), so there the
  trades come from the order pushes' growing fill quantity (id "<order id>-<filled so far>").
- klines through `query_history`, paged by OpenD's `nextReqKey`.
- OpenD restarts or a hung OpenD (no answer to keep-alives): the connection comes back by itself (backoff)
  and the session start above runs again. An order whose reply was lost with the connection is looked up in
  today's orders by its remark; if OpenD has none, it is rejected saying so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.event import EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways._transport.session import LoopSession
from vtcore.gateways._venue.ticks import DATETIME, LOCALTIME, TICK_INDEX, TickState
from vtcore.gateways.futu import parse
from vtcore.gateways.futu.client import MalformedBodyError, OpenDConnection, OpenDError
from vtcore.gateways.futu.proto import ProtoId, messages, require
from vtcore.log import get_logger, register_secrets
from vtcore.object import (
    BarData,
    CancelRequest,
    GatewayStateData,
    HistoryRequest,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    TickData,
    TradeData,
)
from vtcore.orders import OrderTracker

_log = get_logger(__name__)

NOT_SENT = "not connected to FutuOpenD: the order was not sent"
#: vtcore's orders carry "<REMARK_PREFIX><orderid>" in their remark (OpenD echoes it in every order push)
REMARK_PREFIX = "vtcore:"
CLIENT_ID = "vtcore"
TRD_CATEGORY_SECURITY = 1
MODIFY_CANCEL = 2

_I = TICK_INDEX
_LAST, _OPEN, _HIGH, _LOW = _I["last_price"], _I["open_price"], _I["high_price"], _I["low_price"]
_PRE_CLOSE, _VOLUME, _TURNOVER = _I["pre_close"], _I["volume"], _I["turnover"]


def _client_version() -> int:
    """futu-api's version as OpenD expects it in InitConnect (10.11.x -> 1011)."""
    from importlib import metadata  # noqa: PLC0415

    try:
        major, minor = metadata.version("futu-api").split(".")[:2]
        return int(major) * 100 + int(minor)
    except Exception:  # not installed the ordinary way: the oldest version these messages come from
        return 1000


class FutuGateway(BaseGateway):
    default_name: ClassVar[str] = "FUTU"
    default_setting: ClassVar[dict[str, Any]] = {
        "host": "127.0.0.1",
        "port": 11111,
        "password": "",
        "market": ["HK", "US"],
        "environment": ["REAL", "SIMULATE"],
    }
    #: the user's page's labels (vn.py 2.0's FUTU keys) for the keys that are not in the shared table
    setting_aliases: ClassVar[dict[str, str]] = {
        "地址": "host",
        "端口": "port",
        "市场": "market",
        "环境": "environment",
    }
    exchanges: ClassVar[list[Exchange]] = [market.exchange for market in parse.MARKETS]

    # timing (tests shrink it)
    backoff: Backoff = Backoff(base=1.0, maximum=30.0)
    connect_timeout: float = 10.0
    request_timeout: float = 15.0
    keep_alive_misses: float = 3.0
    history_page: int = 1000  # klines per Qot_RequestHistoryKL page (OpenD's maximum)
    refresh_delay: float = 0.2  # funds and positions are asked for this long after the last fill

    def __init__(self, event_engine: EventEngine, gateway_name: str = "FUTU") -> None:
        super().__init__(event_engine, gateway_name)
        self.orders = OrderTracker(self)
        self._order_counter = itertools.count(1)
        self._order_prefix = time.strftime("%H%M%S") + "_"  # ids stay apart from a previous run's today
        self._session = LoopSession(self.write_log)
        self._connection: OpenDConnection | None = None
        self._setting: dict[str, Any] = {}
        self.trd_market = 1
        self.market = parse.MARKET_BY_PREFIX["HK"]
        self.trd_env = 0
        self.account_id = 0
        self.trading_refused = ""  # why orders cannot go (no account, unlock failed); "" when they can
        self._ready = False
        self._contracts_loaded = False
        self._subscriptions: dict[str, SubscribeRequest] = {}
        self._ticks: dict[tuple[int, str], TickState] = {}  # (QotMarket, code) -> state
        self._futu_ids: dict[str, tuple[int, str]] = {}  # vtcore orderid -> OpenD's (orderID, orderIDEx)
        self._local_ids: dict[int, str] = {}  # OpenD order id -> vtcore orderid
        self._in_flight: dict[str, tuple[OrderData, OrderRequest]] = {}  # placed, reply not yet in
        self._unsure: dict[str, OrderData] = {}  # the reply was lost with the connection
        self._cancel_wanted: set[str] = set()
        self._held_fills: list[Any] = []  # deals whose order is not known yet
        self._fill_state: dict[int, tuple[float, float]] = {}  # order id -> (filled, average) (paper trades)
        self._refresh: asyncio.TimerHandle | None = None
        self._positions_seen: set[tuple[str, Exchange, Direction]] = set()
        self.malformed = 0  # bodies that failed their SHA1 check or did not parse

    # -- BaseGateway ---------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        require()  # futu-api's message definitions, or an error that says how to install them
        host = str(setting.get("host", "127.0.0.1")).strip() or "127.0.0.1"
        port = setting.get("port", 11111)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"setting 'port' must be OpenD's port number (11111), got {port!r}")
        market = str(setting.get("market", "HK")).strip().upper()
        if market not in parse.TRADE_MARKETS:
            raise ValueError(f"setting 'market' must be HK or US, got {market!r}")
        environment = str(setting.get("environment", "REAL")).strip().upper()
        if environment not in parse.TRADE_ENVS:
            raise ValueError(f"setting 'environment' must be REAL or SIMULATE, got {environment!r}")
        password = setting.get("password", "")
        if not isinstance(password, str):
            raise ValueError("setting 'password' (the trade password) must be text")
        register_secrets({"password": password})
        if environment == "REAL" and not password:
            self.write_log("no trade password: REAL trading stays locked (quotes and queries still work)")
        if self._session.running:
            self.write_log("already connected or connecting")
            return
        self._setting = {
            "host": host,
            "port": port,
            "password": password,
            "market": market,
            "environment": environment,
        }
        self.trd_market, self.market = parse.TRADE_MARKETS[market]
        self.trd_env = parse.TRADE_ENVS[environment]
        self._session.start(self._run())

    def close(self) -> None:
        connection = self._connection
        self._session.stop(connection.stop if connection is not None else None)

    def subscribe(self, req: SubscribeRequest) -> None:
        if req.exchange not in parse.MARKET_BY_EXCHANGE:
            self.write_log(f"cannot subscribe {req.vt_symbol}: Futu has no market for {req.exchange.value}")
            return
        self._call_soon(self._subscribe, req)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self._call_soon(self._unsubscribe, req)

    def send_order(self, req: OrderRequest) -> str:
        orderid = f"{self._order_prefix}{next(self._order_counter)}"
        order = req.create_order_data(orderid, self.gateway_name)
        self.orders.order(order)
        problem = self._check(req)
        if problem:
            self.orders.reject(order, problem)
        elif not self._session.call_soon(self._start_place, order, req):
            self.orders.reject(order, NOT_SENT)
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        self._call_soon(self._cancel, req.orderid)

    def query_account(self) -> None:
        self._call_soon(lambda: self._spawn(self._query_funds()))  # the coroutine is made on the loop

    def query_position(self) -> None:
        self._call_soon(lambda: self._spawn(self._query_positions()))

    def query_history(self, req: HistoryRequest) -> list[BarData]:
        if not self._session.running:
            self.write_log("query_history needs a connection")
            return []
        try:
            return self._session.result(self._history(req), self.request_timeout * 10)
        except Exception as exc:
            self.write_log(f"history of {req.vt_symbol} failed: {exc}")
            return []

    @property
    def ready(self) -> bool:
        """A session is up and its start (account, unlock, reconciliation, subscriptions) is done."""
        return self._ready

    # -- helpers -------------------------------------------------------------------------------------------

    def _call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        if not self._session.call_soon(fn, *args):
            self.write_log("not connected")

    def _spawn(self, coro: Any) -> None:
        self._session.spawn(coro)

    def _state(self, state: str, message: str = "") -> None:
        self.on_gateway_state(
            GatewayStateData(gateway_name=self.gateway_name, front="opend", state=state, message=message)
        )

    def _header(self, header: Any) -> None:
        header.trdEnv, header.accID, header.trdMarket = self.trd_env, self.account_id, self.trd_market

    async def _request(self, proto_id: int, fill: Callable[[Any], None], serial: int | None = None) -> Any:
        connection = self._connection
        if connection is None:
            raise ConnectionError("not connected to FutuOpenD")
        request = messages.request(proto_id)
        fill(request.c2s)
        return await connection.request(proto_id, request, serial)

    def _malformed(self, what: str) -> None:
        self.malformed += 1
        self.write_log(
            f"malformed packet from OpenD ({self.malformed} so far), skipped: {what}", logging.WARNING
        )

    # -- session -------------------------------------------------------------------------------------------

    async def _run(self) -> None:
        setting = self._setting
        connection = OpenDConnection(
            setting["host"],
            setting["port"],
            CLIENT_ID,
            _client_version(),
            self._on_push,
            self._on_session,
            self._on_lost,
            self._malformed,
            self.backoff,
            self.connect_timeout,
            self.request_timeout,
            self.keep_alive_misses,
        )
        self._connection = connection
        self._state("connecting", f"{setting['host']}:{setting['port']}")
        try:
            await connection.run()
        finally:
            self._ready = False
            self._connection = None
            if self._refresh is not None:
                self._refresh.cancel()
            self._state("closed")

    def _on_session(self, s2c: Any) -> None:
        self._state("connected", f"OpenD {s2c.serverVer}, connection {s2c.connID}")
        self._spawn(self._start_session())

    def _on_lost(self, reason: str) -> None:
        was_ready, self._ready = self._ready, False
        for orderid in list(self._in_flight):  # their replies will never come: look for them on return
            self._unsure[orderid] = self._in_flight.pop(orderid)[0]
        if was_ready:
            self.write_log(f"connection to FutuOpenD lost ({reason}); reconnecting")
        self._state("disconnected", reason)

    async def _start_session(self) -> None:
        connection = self._connection
        assert connection is not None
        accounts = await self._request(
            ProtoId.Trd_GetAccList,
            lambda c2s: _set(
                c2s, userID=connection.user_id, trdCategory=TRD_CATEGORY_SECURITY, needGeneralSecAccount=True
            ),
        )
        chosen = [
            acc.accID
            for acc in accounts.s2c.accList
            if acc.trdEnv == self.trd_env and self.trd_market in acc.trdMarketAuthList
        ]
        environment, market = self._setting["environment"], self._setting["market"]
        if not chosen:
            self.trading_refused = f"OpenD's login has no {environment} account for market {market}"
            self.write_log(self.trading_refused)
        else:
            self.account_id = chosen[0]
            self.trading_refused = ""
            if environment == "REAL":
                await self._unlock()
            await self._request(ProtoId.Trd_SubAccPush, lambda c2s: c2s.accIDList.append(self.account_id))
        if not self._contracts_loaded:
            await self._load_contracts()
        if self.account_id:
            await self._reconcile()
        for req in list(self._subscriptions.values()):
            await self._sub(req, True)
        self._ready = True
        self._state("ready", f"{environment} account {self.account_id}" if self.account_id else "quotes only")
        self.write_log(
            f"connected to FutuOpenD at {connection.host}:{connection.port}, "
            f"{environment} {market} account {self.account_id or 'none'}"
        )
        if self.account_id:
            # pushed once ready: a strategy that sends as its account arrives finds the gateway taking orders
            await self._query_funds()
            await self._query_positions()

    async def _unlock(self) -> None:
        password = self._setting["password"]
        if not password:
            self.trading_refused = "REAL trading is locked: the setting has no trade password"
            return
        digest = hashlib.md5(password.encode("utf-8")).hexdigest()
        try:
            await self._request(ProtoId.Trd_UnlockTrade, lambda c2s: _set(c2s, unlock=True, pwdMD5=digest))
        except OpenDError as exc:
            self.trading_refused = f"unlock_trade refused by OpenD: {exc.text}"
            self.write_log(self.trading_refused)

    async def _load_contracts(self) -> None:
        count = 0
        for sec_type in parse.CONTRACT_SEC_TYPES:
            reply = await self._request(
                ProtoId.Qot_GetStaticInfo,
                functools.partial(_set, market=self.market.qot_market, secType=sec_type),
            )
            for info in reply.s2c.staticInfoList:
                contract = parse.contract_from_static(info, self.gateway_name)
                if contract is not None:
                    self.on_contract(contract)
                    count += 1
        self._contracts_loaded = True
        self.write_log(f"{count} {self.market.prefix} contracts loaded from OpenD's static info")

    async def _reconcile(self) -> None:
        """Today's orders and fills after (re)connecting: what happened while away arrives once."""
        reply = await self._request(ProtoId.Trd_GetOrderList, lambda c2s: self._header(c2s.header))
        seen: set[str] = set()
        for order in reply.s2c.orderList:
            orderid = self._on_order_pb(order)
            if orderid:
                seen.add(orderid)
        for orderid, order_data in list(self._unsure.items()):
            del self._unsure[orderid]
            if orderid not in seen and not self.orders.is_final(orderid):
                self.orders.reject(
                    order_data,
                    "the connection to OpenD was lost before its reply, and OpenD "
                    "has no such order: it was not placed",
                )
        if self.trd_env == parse.TRADE_ENVS["SIMULATE"]:
            return  # paper trading has no deals: the order list's fill quantities gave the trades
        fills = await self._request(ProtoId.Trd_GetOrderFillList, lambda c2s: self._header(c2s.header))
        for fill in fills.s2c.orderFillList:
            self._on_fill_pb(fill)

    # -- pushes --------------------------------------------------------------------------------------------

    def _on_push(self, proto_id: int, body: bytes) -> None:
        """Apply one push; one that cannot be applied (a value out of range ...) is counted and logged as
        malformed, and the session goes on."""
        try:
            self._apply_push(proto_id, body)
        except Exception as exc:  # whatever a bad value makes a handler raise: never the session's end
            _log.debug("%s: push %s failed", self.gateway_name, proto_id, exc_info=True)
            self._malformed(f"push {proto_id}: {type(exc).__name__}: {exc}")

    def _apply_push(self, proto_id: int, body: bytes) -> None:
        response = messages.response(proto_id)
        try:
            response.ParseFromString(body)
        except Exception as exc:  # protobuf's DecodeError
            self._malformed(f"push {proto_id}: {exc}")
            return
        if not response.IsInitialized():  # Futu's messages are proto2: required fields must be there
            missing = ", ".join(response.FindInitializationErrors()[:3])
            self._malformed(f"push {proto_id}: required fields missing ({missing})")
            return
        if response.retType != 0:
            self.write_log(f"OpenD push {proto_id} reports a failure: {response.retMsg}")
            return
        s2c = response.s2c
        if proto_id == ProtoId.Qot_UpdateBasicQot:
            for quote in s2c.basicQotList:
                self._on_basic_quote(quote)
        elif proto_id == ProtoId.Qot_UpdateOrderBook:
            self._on_order_book(s2c)
        elif proto_id == ProtoId.Trd_UpdateOrder:
            if s2c.header.accID == self.account_id:
                self._on_order_pb(s2c.order)
        elif proto_id == ProtoId.Trd_UpdateOrderFill and s2c.header.accID == self.account_id:
            self._on_fill_pb(s2c.orderFill)

    def _on_basic_quote(self, quote: Any) -> None:
        security = quote.security
        state = self._ticks.get((security.market, security.code))
        if state is None:
            return
        values = state.values
        values[_LAST], values[_OPEN] = quote.curPrice, quote.openPrice
        values[_HIGH], values[_LOW] = quote.highPrice, quote.lowPrice
        values[_PRE_CLOSE], values[_VOLUME], values[_TURNOVER] = (
            quote.lastClosePrice,
            quote.volume,
            quote.turnover,
        )
        moment = parse.parse_time(
            quote.updateTime, parse.MARKET_BY_QOT[security.market].tz, quote.updateTimestamp
        )
        self._emit(values, moment)

    def _on_order_book(self, s2c: Any) -> None:
        security = s2c.security
        state = self._ticks.get((security.market, security.code))
        if state is None:
            return
        state.set_levels(
            [(level.price, level.volume) for level in s2c.orderBookBidList[:5]],
            [(level.price, level.volume) for level in s2c.orderBookAskList[:5]],
        )
        stamp = max(s2c.svrRecvTimeBidTimestamp, s2c.svrRecvTimeAskTimestamp)
        moment = parse.parse_time("", parse.MARKET_BY_QOT[security.market].tz, stamp) if stamp else None
        self._emit(state.values, moment)

    def _emit(self, values: list[Any], moment: dt.datetime | None) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        if moment is not None:
            values[DATETIME] = moment
        elif values[DATETIME] is None:
            values[DATETIME] = now
        values[LOCALTIME] = now
        self.on_tick(TickData(*values))

    def _orderid_of(self, order: Any) -> str:
        remark = order.remark
        if remark.startswith(REMARK_PREFIX):
            return str(remark[len(REMARK_PREFIX) :])
        return self._local_ids.get(order.orderID) or str(order.orderID)

    def _on_order_pb(self, order: Any) -> str:
        orderid = self._orderid_of(order)
        self._learn(orderid, order.orderID, order.orderIDEx)
        parsed = parse.order_from_pb(order, orderid, self.gateway_name)
        if parsed is None:
            return orderid
        data, reason = parsed
        known = self.orders.get(orderid)
        if known is not None:  # keep what vtcore knows of its own order (reference, offset)
            data.reference, data.offset = known.reference, known.offset
        if data.status == Status.REJECTED:
            self.orders.update(orderid, Status.REJECTED, traded=data.traded, reason=reason, template=data)
        else:
            self.orders.order(data)
        if self.trd_env == parse.TRADE_ENVS["SIMULATE"]:
            self._paper_trade(order, orderid)
        return orderid

    def _paper_trade(self, order: Any, orderid: str) -> None:
        """Paper trading has no deals: a trade is what the order's fill quantity grew by since last seen."""
        filled, average = self._fill_state.get(order.orderID, (0.0, 0.0))
        if order.fillQty <= filled + 1e-9:
            return
        volume = order.fillQty - filled
        price = (order.fillAvgPrice * order.fillQty - average * filled) / volume
        self._fill_state[order.orderID] = (order.fillQty, order.fillAvgPrice)
        market = parse.MARKET_BY_SEC.get(order.secMarket)
        if market is None:
            return
        trade = TradeData(
            gateway_name=self.gateway_name,
            symbol=order.code,
            exchange=market.exchange,
            orderid=orderid,
            tradeid=f"{order.orderID}-{order.fillQty:g}",
            direction=parse.DIRECTION_FUTU2VT.get(order.trdSide),
            price=round(price, 6),
            volume=volume,
            datetime=parse.parse_time(order.updateTime, market.tz, order.updateTimestamp),
        )
        if self.orders.trade(trade) is not None:
            self._schedule_refresh()

    def _on_fill_pb(self, fill: Any) -> None:
        orderid = self._local_ids.get(fill.orderID)
        if orderid is None:
            if self._in_flight:  # the order may be one of ours whose reply is on its way
                self._held_fills.append(fill)
                return
            orderid = str(fill.orderID)
        trade = parse.trade_from_pb(fill, orderid, self.gateway_name)
        if trade is None:
            # a security market this gateway does not know: the order it fills tells where it traded
            known = self.orders.get(orderid)
            market = parse.MARKET_BY_EXCHANGE.get(known.exchange) if known is not None else None
            what = (
                f"deal {fill.fillID} of order {orderid} ({fill.code}, {fill.qty:g} at {fill.price:g}) names "
                f"security market {fill.secMarket}, unknown here"
            )
            if market is None:
                self.write_log(f"{what}, and so does its order: the deal is not booked", logging.WARNING)
                return
            self.write_log(f"{what}: booked on its order's market {market.prefix}", logging.WARNING)
            trade = parse.trade_from_pb(fill, orderid, self.gateway_name, market)
        if trade is not None and self.orders.trade(trade) is not None:
            self._schedule_refresh()

    def _learn(self, orderid: str, futu_id: int, futu_id_ex: str) -> None:
        if not futu_id or self._futu_ids.get(orderid) == (futu_id, futu_id_ex):
            return
        self._local_ids[futu_id] = orderid
        self._futu_ids[orderid] = (futu_id, futu_id_ex)
        if self._held_fills:
            held, self._held_fills = self._held_fills, []
            for fill in held:
                self._on_fill_pb(fill)
        if orderid in self._cancel_wanted:
            self._cancel_wanted.discard(orderid)
            self._cancel(orderid)

    def _schedule_refresh(self) -> None:
        """Funds and positions once the fills of a burst are in."""
        if self._refresh is not None:
            self._refresh.cancel()
        self._refresh = asyncio.get_running_loop().call_later(self.refresh_delay, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh = None
        if self._ready and self.account_id:
            self._spawn(self._query_funds())
            self._spawn(self._query_positions())

    # -- orders --------------------------------------------------------------------------------------------

    def _check(self, req: OrderRequest) -> str:
        market = self._setting.get("market", "HK")
        if req.exchange != self.market.exchange:
            where = f"{market} ({self.market.exchange.value})"
            return f"this gateway trades the {where} market, not {req.exchange.value}"
        types = parse.ORDER_TYPES_VT2FUTU[market]
        if req.type not in types:
            allowed = ", ".join(order_type.value for order_type in types)
            return f"Futu's {market} market takes {allowed} orders, not {req.type.value}"
        if req.direction not in parse.SIDE_VT2FUTU:
            return f"unknown direction {req.direction}"
        if not req.volume > 0:
            return f"volume must be positive, got {req.volume}"
        if self.trading_refused:
            return self.trading_refused
        return ""

    def _start_place(self, order: OrderData, req: OrderRequest) -> None:
        if not self._ready or self._connection is None:
            self.orders.reject(order, NOT_SENT)
            return
        self._in_flight[order.orderid] = (order, req)
        self._spawn(self._place(order, req))

    async def _place(self, order: OrderData, req: OrderRequest) -> None:
        connection = self._connection
        assert connection is not None
        serial = connection.next_serial()
        order_type = parse.ORDER_TYPES_VT2FUTU[self._setting["market"]][req.type]

        def fill(c2s: Any) -> None:
            c2s.packetID.connID, c2s.packetID.serialNo = connection.conn_id, serial
            self._header(c2s.header)
            c2s.trdSide = parse.SIDE_VT2FUTU[req.direction] if req.direction else 1
            c2s.orderType = order_type
            c2s.code = req.symbol
            c2s.qty = req.volume
            if req.type == OrderType.STOP:
                c2s.auxPrice = req.price  # the trigger; a stop order trades at market
            elif req.type != OrderType.MARKET:
                c2s.price = req.price
            c2s.secMarket = self.market.sec_market
            c2s.remark = REMARK_PREFIX + order.orderid

        try:
            reply = await self._request(ProtoId.Trd_PlaceOrder, fill, serial)
        except OpenDError as exc:
            self._in_flight.pop(order.orderid, None)
            self.orders.reject(order, exc.text or str(exc))
            return
        except MalformedBodyError:
            return  # placed or not, the order's pushes (or the next reconciliation) will say
        except (ConnectionError, TimeoutError, asyncio.TimeoutError):
            if order.orderid in self._in_flight:  # sent, fate unknown: the next session start looks
                self._unsure[order.orderid] = self._in_flight.pop(order.orderid)[0]
            return
        self._in_flight.pop(order.orderid, None)
        self._learn(order.orderid, reply.s2c.orderID, reply.s2c.orderIDEx)

    def _cancel(self, orderid: str) -> None:
        futu_id = self._futu_ids.get(orderid)
        if futu_id is None:
            if orderid in self._in_flight:
                self._cancel_wanted.add(orderid)  # sent once OpenD's reply gives the order id
            else:
                self.write_log(f"cancel {orderid}: no such order at OpenD")
            return
        if self.orders.is_final(orderid):
            return
        self._spawn(self._modify_cancel(orderid, futu_id))

    async def _modify_cancel(self, orderid: str, futu_id: tuple[int, str]) -> None:
        connection = self._connection
        if connection is None:
            self.write_log(f"cancel {orderid}: {NOT_SENT}")
            return
        serial = connection.next_serial()

        def fill(c2s: Any) -> None:
            c2s.packetID.connID, c2s.packetID.serialNo = connection.conn_id, serial
            self._header(c2s.header)
            c2s.orderID = futu_id[0]
            if futu_id[1]:  # OpenD now names orders by orderIDEx (futu-api sends only that)
                c2s.orderIDEx = futu_id[1]
            c2s.modifyOrderOp = MODIFY_CANCEL

        try:
            await self._request(ProtoId.Trd_ModifyOrder, fill, serial)
        except OpenDError as exc:
            self.write_log(f"cancel {orderid} refused by OpenD: {exc.text}")

    # -- queries -------------------------------------------------------------------------------------------

    async def _query_funds(self) -> None:
        if not self.account_id:
            return
        reply = await self._request(ProtoId.Trd_GetFunds, lambda c2s: self._header(c2s.header))
        self.on_account(parse.account_from_funds(reply.s2c.funds, str(self.account_id), self.gateway_name))

    async def _query_positions(self) -> None:
        if not self.account_id:
            return
        reply = await self._request(ProtoId.Trd_GetPositionList, lambda c2s: self._header(c2s.header))
        held = set()
        for item in reply.s2c.positionList:
            position = parse.position_from_pb(item, self.gateway_name)
            if position is not None:
                held.add((position.symbol, position.exchange, position.direction))
                self.on_position(position)
        for symbol, exchange, direction in self._positions_seen - held:  # closed since: zero them
            self.on_position(
                PositionData(
                    gateway_name=self.gateway_name, symbol=symbol, exchange=exchange, direction=direction
                )
            )
        self._positions_seen = held

    # -- market data ---------------------------------------------------------------------------------------

    def _subscribe(self, req: SubscribeRequest) -> None:
        key = req.vt_symbol
        if key in self._subscriptions:
            return
        self._subscriptions[key] = req
        market = parse.MARKET_BY_EXCHANGE[req.exchange]
        self._ticks[(market.qot_market, req.symbol)] = TickState(
            req.symbol, req.exchange, self.gateway_name, ""
        )
        if self._ready:
            self._spawn(self._sub(req, True))

    def _unsubscribe(self, req: SubscribeRequest) -> None:
        if self._subscriptions.pop(req.vt_symbol, None) is None:
            return
        market = parse.MARKET_BY_EXCHANGE[req.exchange]
        self._ticks.pop((market.qot_market, req.symbol), None)
        if self._ready:
            self._spawn(self._sub(req, False))

    async def _sub(self, req: SubscribeRequest, on: bool) -> None:
        market = parse.MARKET_BY_EXCHANGE[req.exchange]

        def fill(c2s: Any) -> None:
            security = c2s.securityList.add()
            security.market, security.code = market.qot_market, req.symbol
            c2s.subTypeList.extend([parse.SUB_BASIC, parse.SUB_ORDER_BOOK])
            c2s.isSubOrUnSub = on
            c2s.isRegOrUnRegPush = on
            c2s.isFirstPush = on

        try:
            await self._request(ProtoId.Qot_Sub, fill)
        except OpenDError as exc:
            self.write_log(
                f"{'subscribe' if on else 'unsubscribe'} {req.vt_symbol} refused by OpenD: {exc.text}"
            )

    async def _history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        kl_type = parse.KLTYPE_VT2FUTU.get(interval)
        if kl_type is None:
            raise ValueError(f"Futu has no {interval.value} klines")
        market = parse.MARKET_BY_EXCHANGE[req.exchange]
        end = req.end or dt.datetime.now(market.tz)
        bars: list[BarData] = []
        next_key = b""
        while True:

            def fill(c2s: Any, key: bytes = next_key) -> None:
                c2s.rehabType = 1  # forward-adjusted, as futu-api's default
                c2s.klType = kl_type
                c2s.security.market, c2s.security.code = market.qot_market, req.symbol
                c2s.beginTime = parse.format_time(req.start, market.tz)
                c2s.endTime = parse.format_time(end, market.tz)
                c2s.maxAckKLNum = self.history_page
                if key:
                    c2s.nextReqKey = key

            reply = await self._request(ProtoId.Qot_RequestHistoryKL, fill)
            for kline in reply.s2c.klList:
                bar = parse.bar_from_kline(kline, req.symbol, req.exchange, interval, self.gateway_name)
                if bar is not None:
                    bars.append(bar)
            next_key = reply.s2c.nextReqKey
            if not next_key:
                return bars


def _set(message: Any, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(message, name, value)
