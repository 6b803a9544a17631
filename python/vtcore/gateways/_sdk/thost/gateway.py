"""ThostGateway: vn.py's CTP gateway logic, faults fixed, for every Thost-family SDK (CTP, CTP-Mini).

A Thost SDK's gateway (gateways/ctp, gateways/mini) subclasses ThostGateway with its binding, typed structs
(`types`), libraries, settings page and the parts where its headers differ (hooks below).

Threads: the SDK's threads only copy structs into this gateway's two producer rings (C++); every callback
below runs on the engine thread (`on_message` of the producers), so gateway state needs no lock except what
request methods (callable from any thread) share with it: `lock`.

Each front has an explicit state, pushed as GatewayStateData and logged on every change:
    md: disconnected -> connected -> logged_in -> ready (subscriptions restored)
    td: disconnected -> connected -> authenticated -> logged_in -> settlement_confirmed -> contracts_loaded
        -> ready
    plus "timeout" (no answer at all: a Thost SDK is silent on a refused port), "login_rejected" /
    "auth_rejected" (the broker refused; not retried until connect() is called again, so a wrong password
    cannot lock the account) and "closed".
The SDK reconnects by itself; every OnFrontConnected re-authenticates, logs in and resubscribes. A refusal
stays the front's state (reconnects do not hide it) until connect() is called again; the one exception is a
refused automatic re-login of the market-data front, which checks no password: it is retried with a backoff,
so that market data is never switched off for good by a transient refusal.
connect() makes both API objects (both libraries loaded and checked) before it starts either front. close()
returns in bounded time whatever other threads do: requests that begin after it are refused at once (an
order becomes REJECTED with the reason), one that races it is refused the same way, never raised; after the
next login, orders of an earlier session still SUBMITTING are looked up in the exchange's order list and
REJECTED when it lacks them.
Queries go through one queue, at most one request per second (the brokers' flow limit), driven by
EVENT_TIMER and never by blocking a callback; account and positions are polled every `query_interval` seconds.

The order path is typed and lazy: a request is a copy of a prefilled request struct (`_templates`) with the
order's own fields set, each checked as it is set (a value too long for its char[N] is refused naming the
field); a callback's data is a typed view over the SDK's bytes (`vtcore.gateways._sdk.messages`), and a
handler reads only the fields it needs (an order report of a known order reads eight; a repeat of the last
state builds nothing). Orders and trades go through one `OrderTracker` (never dropped, status never back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from logging import ERROR
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, Product, Status
from vtcore.errors import SettingsError
from vtcore.event import EventEngine
from vtcore.gateways._sdk.address import front_address
from vtcore.gateways._sdk.front import CLOSED, CLOSED_REASON
from vtcore.gateways._sdk.front import request_result as _request_result
from vtcore.gateways._sdk.futures import (
    FuturesCodes,
    FuturesFront,
    FuturesGateway,
    FuturesMdFront,
    FuturesSetting,
    FuturesTdFront,
)
from vtcore.gateways._sdk.gateway import PositionKey, fit_setting
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways._sdk.structs import SdkStruct
from vtcore.gateways._sdk.thost import codes as ct
from vtcore.gateways._sdk.thost import mapping
from vtcore.object import CancelRequest, OrderData, OrderRequest, check_request


@dataclass(frozen=True, repr=False)  # FuturesSetting's repr: no secret in a log
class ThostSetting(FuturesSetting):
    production: bool  # the factories' production/test flag (CTP's "environment"; always True without one)

    @classmethod
    def parse(cls, setting: dict[str, Any], keys: dict[str, Any], title: str) -> ThostSetting:
        """The gateway's setting; `keys` are the gateway's default_setting (an SDK without a production flag
        has no "environment": it counts as production)."""
        values: dict[str, str] = {"environment": "production"}
        for key in keys:
            value = setting.get(key, "" if key != "environment" else "production")
            if not isinstance(value, str):
                raise SettingsError(f"{title} setting {key!r} must be a string")
            values[key] = value.strip() if key != "password" else value
        for key in ("username", "brokerid", "td_address", "md_address"):
            if not values[key]:
                raise SettingsError(f"{title} setting {key!r} is empty")
        if values["environment"] not in ("production", "test"):
            raise SettingsError(f"{title} setting 'environment' must be 'production' or 'test'")

        def address(key: str) -> str:  # CTP takes tcp://, ssl:// and socks proxies (vn.py's prefixes)
            return front_address(title, key, values[key], ("tcp", "ssl"), proxies=True)

        return cls(
            username=values["username"],
            password=values["password"],
            brokerid=values["brokerid"],
            td_address=address("td_address"),
            md_address=address("md_address"),
            product_info=values["product_info"],
            auth_code=values["auth_code"],
            library_dir=values["library_dir"],
            production=values["environment"] == "production",
        )


class ThostFront(FuturesFront):
    """A Thost front: the shared futures front (vtcore.gateways._sdk.futures) on the Thost factories."""

    def __init__(self, gateway: ThostGateway, requests: dict[str, tuple[int, Any]]) -> None:
        super().__init__(gateway, requests)
        self.gateway: ThostGateway = gateway
        self.setting: ThostSetting | None = None

    def create_with(self, setting: ThostSetting, api_class: Any, library: Any) -> bool:
        self.setting = setting
        return self.create(lambda flow, capsule: api_class(str(library), flow, capsule, setting.production))

    def investor(self, request: str) -> SdkStruct:
        """A query of this investor's records (account, positions, orders)."""
        setting = self.setting
        assert setting is not None
        return self.struct(request, BrokerID=setting.brokerid, InvestorID=setting.username)


class MdFront(ThostFront, FuturesMdFront):
    name = "md"

    def __init__(self, gateway: ThostGateway) -> None:
        super().__init__(gateway, gateway.types.MD_REQUESTS)


class TdFront(ThostFront, FuturesTdFront):
    name = "td"
    refused_cancel = ("OrderRef", "order ref")

    def __init__(self, gateway: ThostGateway) -> None:
        super().__init__(gateway, gateway.types.TRADER_REQUESTS)
        self.front_id = 0
        self.session_id = 0
        self.order_ref = 0
        self.queried_orders: set[str] = set()  # order ids listed by the current ReqQryOrder answer

    def prepare(self) -> None:
        # Replay the day's private flow so that orders and trades from before this session are known;
        # the gateway de-duplicates what it has already pushed.
        self.api.subscribe_private_topic(ct.THOST_TERT_RESTART)
        self.api.subscribe_public_topic(ct.THOST_TERT_RESTART)

    def on_connected(self) -> None:
        setting = self.setting
        assert setting is not None
        if setting.auth_code:
            request = self.struct(
                "ReqAuthenticate",
                BrokerID=setting.brokerid,
                UserID=setting.username,
                AppID=setting.product_info,
                AuthCode=setting.auth_code,
            )
            result = self.request("ReqAuthenticate", request)
            if result != 0:
                self.gateway.write_log(
                    f"td front: authenticate request failed: {_request_result(result)}", ERROR
                )
        else:
            self.login()

    on_rsp_authenticate = FuturesTdFront.authentication_answered

    def on_rsp_user_login(self, message: Message) -> None:
        data: Any = message.data
        if message.error is not None or data is None:
            self.reject("login", message.error_text)
            return
        with self.gateway.lock:
            self.front_id = data.FrontID
            self.session_id = data.SessionID
            max_ref = data.MaxOrderRef.strip()
            self.order_ref = max(self.order_ref, int(max_ref) if max_ref.isdigit() else 0)
            self.logged_in = self.logged_in_before = True
        day = data.TradingDay
        self.trading_day = mapping.parse_day(day)
        self.set_state("logged_in", f"front {self.front_id}, session {self.session_id}, trading day {day}")
        self.after_login()

    def after_login(self) -> None:
        """Confirm the settlement before trading (CTP; an SDK without confirmation loads the contracts)."""
        result = self.request("ReqSettlementInfoConfirm", self.investor("ReqSettlementInfoConfirm"))
        if result != 0:
            self.gateway.write_log(
                f"td front: settlement confirm request failed: {_request_result(result)}", ERROR
            )

    def set_ready(self) -> None:
        super().set_ready()
        if self.gateway.unanswered_orders():  # orders of an earlier session that never got an answer
            self.queried_orders = set()
            self.enqueue("ReqQryOrder", self.investor("ReqQryOrder"))

    def on_rsp_settlement_info_confirm(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(
                f"td front: settlement confirmation failed ({message.error_text}); "
                f"orders may be refused until it succeeds",
                ERROR,
            )
        else:
            self.set_state("settlement_confirmed")
        self.load_contracts()

    # -- queries: one queue, at most one request per second ----------------------------------------------

    def enqueue(self, name: str, request: SdkStruct) -> None:
        self.queries.enqueue(name, request)

    # -- responses and pushes: each reads only the fields it uses from the typed view -------------------

    def on_rsp_qry_order(self, message: Message) -> None:
        """The day's orders, queried after a re-login while orders of an earlier session had no answer: what
        the exchange does not list never reached it (queued when the connection or the gateway closed)."""
        if message.error is not None:
            self.gateway.write_log(f"td front: order query failed: {message.error_text}", ERROR)
            return
        data: Any = message.data
        if data is not None:
            self.queried_orders.add(f"{data.FrontID}_{data.SessionID}_{data.OrderRef.strip()}")
            self.gateway.update_order(data)
        if message.is_last:
            self.gateway.reject_unanswered(self.queried_orders)

    on_rsp_qry_trading_account = FuturesTdFront.account_answered

    def on_rsp_order_insert(self, message: Message) -> None:
        """Called only for a refused insert (an accepted one is answered by OnRtnOrder)."""
        if message.data is not None:
            self.gateway.order_insert_refused(message.data, message.error_text or "refused")

    on_err_rtn_order_insert = on_rsp_order_insert


class ThostGateway(FuturesGateway):
    """China futures through a Thost-family SDK (SHFE, DCE, CZCE, CFFEX, INE, GFEX)."""

    exchanges: ClassVar[list[Exchange]] = list(mapping.EXCHANGES.values())
    exchange_codes: ClassVar[dict[str, Exchange]] = mapping.EXCHANGES
    codes: ClassVar[FuturesCodes] = FuturesCodes(
        order_types=mapping.ORDER_TYPE_TO_THOST,
        offsets=mapping.OFFSET_TO_THOST,
        directions=mapping.DIRECTION_TO_THOST,
        order_type_refusals=mapping.ORDER_TYPE_REFUSAL,
        direction_from=mapping.DIRECTION_FROM_THOST,
        read_offset=mapping.offset,
        read_order_type=mapping.order_type,
    )
    #: The SDK this gateway drives ("ctp", "mini"), its name in messages, its generated typed structs
    sdk: ClassVar[str]
    title: ClassVar[str]
    types: ClassVar[Any]
    md_front_class: ClassVar[type[MdFront]]
    td_front_class: ClassVar[type[TdFront]]
    md: MdFront
    td: TdFront

    connect_timeout: float = 10.0  # seconds without any answer from a front before "timeout" is reported
    query_interval: float = 2.0  # seconds between account / position polls (they alternate)

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name or self.default_name)
        self.decoder = Decoder(self.types)
        # What every order report is read for (one unpack; the rest only for an order first heard of here)
        self._read_order = self.types.Order.reader(
            "FrontID",
            "SessionID",
            "OrderRef",
            "OrderStatus",
            "OrderSubmitStatus",
            "VolumeTraded",
            "OrderSysID",
            "ExchangeID",
        )
        self._read_insert = self.types.Order.reader("InsertDate", "InsertTime")  # the first report's time
        self.md = self.md_front_class(self)
        self.td = self.td_front_class(self)
        self._sysid_orderid: dict[tuple[str, str], str] = {}
        self._position_costs: dict[PositionKey, float] = {}  # OpenCost summed over a position's records
        self.setting: ThostSetting | None = None
        # The request structs with this setting's constant fields filled once (see _templates)
        self._order_template: SdkStruct | None = None
        self._cancel_template: SdkStruct | None = None
        self._insert_time: tuple[tuple[str, str, date | None], datetime | None] = (("", "", None), None)

    # -- connection -----------------------------------------------------------------------------------------

    # The SDK's parts: each Thost SDK's gateway gives its binding module and its (md, trader) libraries.
    def load_binding(self) -> Any:
        raise NotImplementedError

    def find_libraries(self, library_dir: str) -> tuple[Any, Any]:
        raise NotImplementedError

    def connect(self, setting: dict[str, Any]) -> None:
        with self.connect_errors():
            binding = self.load_binding()
            parsed = ThostSetting.parse(setting, self.default_setting, self.title)
            md_library, td_library = self.find_libraries(parsed.library_dir)
            self._templates(parsed)
        self.setting = parsed
        self.opened()
        self.write_log(f"connecting {parsed!r} with {td_library.name} and {md_library.name}")
        td, md = self.td, self.md  # both libraries loaded and checked before either front starts
        self.start_fronts(
            (
                td,
                lambda: td.create_with(parsed, binding.TraderApi, td_library),
                lambda created: td.begin(parsed.td_address, created),
            ),
            (
                md,
                lambda: md.create_with(parsed, binding.MdApi, md_library),
                lambda created: md.begin(parsed.md_address, created),
            ),
        )

    #: the request structs' fields filled from the setting, by the setting key that fills them
    _SETTING_FIELDS: ClassVar[dict[str, str]] = {
        "BrokerID": "brokerid", "UserID": "username", "InvestorID": "username", "Password": "password",
        "AppID": "product_info", "AuthCode": "auth_code",
    }  # fmt: skip

    def _templates(self, setting: ThostSetting) -> None:
        """Refuse a setting that does not fit the SDK's structs before anything is sent (a password longer
        than its char[N] would otherwise fail on the engine thread at every reconnect), and build the order
        and cancel templates: each send copies one and sets only what the order changes."""
        requests = self.types.TRADER_REQUESTS
        who = {"BrokerID": setting.brokerid, "InvestorID": setting.username, "UserID": setting.username}
        checks: list[tuple[str, dict[str, Any]]] = [
            ("ReqUserLogin", {"BrokerID": setting.brokerid, "UserID": setting.username,
                              "Password": setting.password}),
            ("ReqAuthenticate", {"BrokerID": setting.brokerid, "UserID": setting.username,
                                 "AppID": setting.product_info, "AuthCode": setting.auth_code}),
            ("ReqOrderInsert", {**who, "CombHedgeFlag": ct.THOST_FTDC_HF_Speculation,
                                "ContingentCondition": ct.THOST_FTDC_CC_Immediately,
                                "ForceCloseReason": ct.THOST_FTDC_FCC_NotForceClose,
                                "IsAutoSuspend": 0, "MinVolume": 1}),
            ("ReqOrderAction", {**who, "ActionFlag": ct.THOST_FTDC_AF_Delete}),
        ]  # fmt: skip
        built: dict[str, SdkStruct] = {}
        for request, fields in checks:
            struct = requests[request][1]()
            for name, value in fields.items():
                fit_setting(self.title, self._SETTING_FIELDS.get(name, name), struct, name, value)
            built[request] = struct
        self._order_template, self._cancel_template = built["ReqOrderInsert"], built["ReqOrderAction"]
        self._order_shapes.clear()

    @property
    def md_relogin_delay(self) -> float:
        """Seconds before a refused automatic market-data re-login is first tried again (then doubled)."""
        return self.md.first_relogin_delay

    @md_relogin_delay.setter
    def md_relogin_delay(self, seconds: float) -> None:
        self.md.first_relogin_delay = seconds

    def on_timer(self, now: float) -> None:
        super().on_timer(now)  # queries and polls
        self.md.retry_login(now)

    # -- orders ---------------------------------------------------------------------------------------------

    def _order_problem(self, req: OrderRequest) -> str:
        if not self.td.logged_in:
            return "not logged in to the trade front"
        return (
            self.symbol_problem(req.symbol, req.exchange, self.td.contracts_loaded)
            or self.amount_problem(req, price_needed=False)
            or self.mapping_problem(req)
        )

    def send_order(self, req: OrderRequest) -> str:
        check_request(req)  # TypeError / ValueError for a bad field, in the caller's thread
        # The lock is held until the request is handed to the SDK, so that the order's reports (handled on the
        # engine thread under the same lock) are always queued after SUBMITTING. SUBMITTING is queued before
        # the request goes out: the engine thread dispatches it while the exchange works, and once the request
        # is sent this thread has nothing left to do with the GIL, which the engine thread needs for the first
        # report (queueing after the send held the GIL from it: order round trip p50 about 10 % slower,
        # benchmarks/bench_order_roundtrip.py). A request the SDK refuses then makes the order REJECTED, as
        # does one that close() beat to the API object. The engine is woken for SUBMITTING only once the
        # request is out (`quiet_puts`): it dispatches while the exchange works, and is awake for the report.
        with self.lock, self.quiet_puts:
            td = self.td
            td.order_ref += 1
            ref = td.order_ref
            order = req.create_order_data(f"{td.front_id}_{td.session_id}_{ref}", self.gateway_name)
            problem = CLOSED_REASON if self.closed else self._order_problem(req)
            if not problem:
                try:
                    request = self._order_shape(req)
                except ValueError as exc:  # a symbol too long for its char[N], naming the field
                    problem = str(exc)
            if problem:
                self.orders.reject(order, problem)
                return order.vt_orderid
            request.OrderRef = str(ref)
            request.LimitPrice = float(req.price)
            request.VolumeTotalOriginal = int(req.volume)
            self.orders.order(order)
            result = td.request("ReqOrderInsert", request)
            if result == CLOSED:  # close() released the API object while this order was on its way
                self.orders.reject(order, f"{CLOSED_REASON}: the order was not sent")
            elif result != 0:
                self.orders.reject(order, f"ReqOrderInsert returned {_request_result(result)}")
        return order.vt_orderid

    def _order_shape(self, req: OrderRequest) -> Any:
        """A copy of the order template with what `req` shares with other orders of its kind set (instrument,
        side, offset, type): each send sets the reference, price and volume. ValueError for a value that does
        not fit, naming the field."""

        def make() -> SdkStruct:
            assert self._order_template is not None
            shape: Any = self._order_template.copy()
            price_type, time_condition, volume_condition = mapping.ORDER_TYPE_TO_THOST[req.type]
            shape.InstrumentID = req.symbol
            shape.ExchangeID = req.exchange.value
            shape.OrderPriceType = price_type
            shape.TimeCondition = time_condition
            shape.VolumeCondition = volume_condition
            shape.Direction = mapping.DIRECTION_TO_THOST[req.direction]
            shape.CombOffsetFlag = mapping.OFFSET_TO_THOST[req.offset]
            return shape  # type: ignore[no-any-return]

        return self._order_shapes.copy((req.symbol, req.exchange, req.direction, req.offset, req.type), make)

    def unanswered_orders(self) -> list[OrderData]:
        """SUBMITTING orders of earlier sessions (their front/session is not the current one): sent before a
        disconnect or a close, with no report since."""
        current = f"{self.td.front_id}_{self.td.session_id}_"
        return [
            order
            for order in self.orders.active_orders()
            if order.status == Status.SUBMITTING and not order.orderid.startswith(current)
        ]

    def reject_unanswered(self, listed: set[str]) -> None:
        """After the day's orders were queried: an unanswered order the exchange does not list was never
        received, so it is REJECTED (it can no longer reach the exchange: its session is gone)."""
        for order in self.unanswered_orders():
            if order.orderid not in listed:
                reason = (
                    "never reached the exchange (the connection or the gateway closed before it was "
                    "sent): the exchange's order list after the re-login lacks it"
                )
                self.orders.reject(order, reason)

    def cancel_order(self, req: CancelRequest) -> None:
        check_request(req)
        if self.closed:
            self.write_log(f"cannot cancel {req.orderid}: {CLOSED_REASON}", ERROR)
            return
        parts = req.orderid.split("_")
        if len(parts) != 3 or not all(part.lstrip("-").isdigit() for part in parts):
            problem = f"not a {self.title} order id (front_session_ref)"
            self.write_log(f"cannot cancel {req.orderid}: {problem}", ERROR)
            return
        if not self.td.logged_in or self._cancel_template is None:
            self.write_log(f"cannot cancel {req.orderid}: not logged in to the trade front", ERROR)
            return
        front_id, session_id, ref = parts
        request: Any = self._cancel_template.copy()
        try:
            request.OrderRef = ref
            request.FrontID = int(front_id)
            request.SessionID = int(session_id)
            request.InstrumentID = req.symbol
            request.ExchangeID = req.exchange.value
        except ValueError as exc:
            self.write_log(f"cannot cancel {req.orderid}: {exc}", ERROR)
            return
        self.cancel_sent(req.orderid, "ReqOrderAction", self.td.request("ReqOrderAction", request))

    # -- order and trade reports (engine thread; `data` is the SDK struct's typed view) ---------------------

    def update_order(self, data: Any) -> None:
        with self.lock:
            self._update_order(data)

    def _update_order(self, data: Any) -> None:
        front_id, session_id, ref, code, submit_code, traded, sysid, exchange_code = self._read_order(data)
        orderid = f"{front_id}_{session_id}_{ref.strip()}"
        status, exact = mapping.order_status(code, submit_code)
        if not exact:
            self.nearest(f"order status {code!r} / submit status {submit_code!r}")
        sysid = sysid.strip()
        key = (exchange_code, sysid) if sysid else None
        if key is not None:
            self._sysid_orderid[key] = orderid
        previous = self.orders.get(orderid)
        if previous is None:  # an order of another session (the private flow replayed), or its first report
            self.orders.order(self._order_from_report(data, orderid, status))
        elif status in (Status.REJECTED, Status.CANCELLED):  # the tracker logs the exchange's reason
            moment = previous.datetime or self._order_time(data)
            self.orders.update(orderid, status, traded=traded, moment=moment, reason=data.StatusMsg)
        elif status != previous.status or traded != previous.traded:  # else a repeat: nothing more to read
            self.orders.order(
                OrderData(  # positional (OrderData's field order): a third of the keyword call's cost
                    previous.gateway_name,
                    previous.symbol,
                    previous.exchange,
                    orderid,
                    previous.type,
                    previous.direction,
                    previous.offset,
                    previous.price,
                    previous.volume,
                    traded,
                    status,
                    previous.datetime or self._order_time(data),
                    previous.reference,
                )
            )
        if key is not None and self.early_trades:
            with self.lock:
                early = self.early_trades.release(key)
            for trade in early:
                self.update_trade(trade)

    def _order_time(self, data: Any) -> datetime | None:
        """The order's insert time (its reports repeat it; consecutive orders often share it: kept once)."""
        key = (*self._read_insert(data), self.td.trading_day)
        if key != self._insert_time[0]:
            self._insert_time = (key, mapping.china_datetime(*key))
        return self._insert_time[1]

    def _order_from_report(self, data: Any, orderid: str, status: Status) -> OrderData:
        order = self.order_from_report(
            data,
            orderid,
            status,
            offset_code=data.CombOffsetFlag[:1],
            volume=data.VolumeTotalOriginal,
            moment=self._order_time(data),
        )
        message = data.StatusMsg if status in (Status.REJECTED, Status.CANCELLED) else ""
        if message:
            order.extra = {"reason": message}
        return order

    def order_insert_refused(self, data: Any, reason: str) -> None:
        """The SDK (or the broker) refused an order insert: REJECTED with its error id and message."""
        with self.lock:
            orderid = f"{self.td.front_id}_{self.td.session_id}_{data.OrderRef.strip()}"
            self.reject_refused_insert(data, orderid, reason, volume=data.VolumeTotalOriginal)

    def update_trade(self, data: Any) -> None:
        key = (data.ExchangeID, data.OrderSysID.strip())
        with self.lock:
            orderid = self._sysid_orderid.get(key)
            if orderid is None:  # the trade came before its order: keep it until the order arrives
                self.early_trades.keep(key, data)
                return
        moment = mapping.china_datetime(data.TradeDate, data.TradeTime, self.td.trading_day)
        self.push_trade(data, orderid, price=data.Price, volume=data.Volume, moment=moment)

    # -- account, positions, contracts ---------------------------------------------------------------------

    def update_account(self, data: Any) -> None:
        frozen = data.FrozenMargin + data.FrozenCash + data.FrozenCommission
        self.push_account(data.AccountID, data.Balance, frozen, available=data.Available)

    def discard_positions(self) -> None:
        self.positions.discard()
        self._position_costs = {}

    def _position_exchange(self, data: Any) -> Exchange:
        """The exchange of a position record (CTP reports it; CTP-Mini's record has no ExchangeID)."""
        return self.exchange_of(data.ExchangeID)

    def add_position(self, data: Any) -> None:
        symbol = data.InstrumentID
        if symbol:
            direction = mapping.POSITION_DIRECTION_FROM_THOST.get(data.PosiDirection, Direction.NET)
            exchange = self._position_exchange(data)
            key = (symbol, exchange, direction)
            position = self.positions.position(symbol, exchange, direction)
            volume = data.Position
            if exchange in (Exchange.SHFE, Exchange.INE):  # separate today and history records
                if data.PositionDate == ct.THOST_FTDC_PSD_History:
                    position.yd_volume += volume
            else:
                position.yd_volume += volume - data.TodayPosition
            position.volume += volume
            position.pnl += data.PositionProfit
            position.frozen += data.ShortFrozen if direction == Direction.LONG else data.LongFrozen
            cost = self._position_costs[key] = self._position_costs.get(key, 0.0) + data.OpenCost
            contract = self.contracts.get(symbol)
            size = contract.size if contract else 1
            position.price = cost / (position.volume * size) if position.volume else 0.0

    def positions_done(self) -> None:
        self._position_costs = {}
        self.positions.finish()

    def add_contract(self, data: Any) -> None:
        product = mapping.PRODUCT_FROM_THOST.get(data.ProductClass)
        exchange = mapping.EXCHANGES.get(data.ExchangeID)
        if product is None or exchange is None:
            return  # products vtcore has no member for (EFP, TAS, metal indexes) and foreign exchanges
        option_type = mapping.OPTION_TYPE_FROM_THOST.get(data.OptionsType)
        contract = self.contract_from_instrument(data, exchange, product, option_type)
        if product == Product.OPTION:
            contract.option_listed = mapping.china_datetime(data.OpenDate, "00:00:00", None)
        self.push_contract(contract)

    def query_account(self) -> None:
        if self.setting is not None:
            self.td.enqueue("ReqQryTradingAccount", self.td.investor("ReqQryTradingAccount"))

    def query_position(self) -> None:
        if self.setting is not None:
            self.td.enqueue("ReqQryInvestorPosition", self.td.investor("ReqQryInvestorPosition"))


ThostGateway.md_front_class = MdFront
ThostGateway.td_front_class = TdFront

__all__ = ["MdFront", "TdFront", "ThostFront", "ThostGateway", "ThostSetting"]
