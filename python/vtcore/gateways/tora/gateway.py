"""ToraGateway: China A-shares (SSE, SZSE, BSE) through 华鑫奇点 TORA: the stock trader API and XMd market
data.

TORA is Thost-shaped (RegisterFront or RegisterNameServer for FENS, Init, ReqUserLogin -> OnRspUserLogin, the
SDK reconnects by itself and calls OnFrontConnected again), so the fronts are the kit's `Front` with TORA's
login. Fronts (states pushed as GatewayStateData):
    md: connecting -> connected -> ready (logged in, subscriptions restored);
    td: connecting -> connected -> logged_in -> contracts_loaded (shareholder accounts and securities)
        -> ready (after the first account answer). "login_rejected", "disconnected", "timeout", "unavailable",
        "closed".
A refused login is never retried (a wrong password must not lock the account). The private flow is replayed
from the start of the day on every login (TORA_TERT_RESTART); the OrderTracker drops what it has pushed.

Orders: the exchanges' rules are checked first (`gateways/_sdk/ashare.py`: trading units, ticks, limits, T+1
sellable volume, the order types each exchange defines, Offset.NONE for cash); a refused order is REJECTED
with the reason and nothing is sent. An order is named "<front>_<session>_<order ref>", as TORA's reports name
it; its exchange's shareholder account (queried after login) goes with it. A credit account (the account
answer's AccountType) also takes the four margin businesses, as TORA's Direction codes: LONG/SHORT with OPEN
for a margin buy (融资买入) / short sale (融券卖出), with CLOSE to repay (卖券还款, 买券还券).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
from dataclasses import dataclass
from logging import ERROR, WARNING
from pathlib import Path
from typing import Any, ClassVar, Protocol

from vtcore.constant import Exchange, OrderType, Status
from vtcore.errors import SettingsError
from vtcore.event import EventEngine
from vtcore.gateways._sdk.address import front_address
from vtcore.gateways._sdk.ashare import SIDE_ORDER, MarketKind, Side
from vtcore.gateways._sdk.front import Front, FrontGateway, QueryPump, request_result
from vtcore.gateways._sdk.gateway import SdkGateway, check_setting_fits, session_orderid
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways._sdk.stock import StockGateway
from vtcore.gateways._sdk.structs import SdkStruct
from vtcore.gateways.tora import _tora_types as tt
from vtcore.gateways.tora import _toraxmd_types as xt
from vtcore.gateways.tora import mapping
from vtcore.gateways.tora.library import (
    DEFAULT_SETTING,
    OPTIONAL_SETTING,
    VNPY_LABELS,
    VNPY_VALUES,
    find_libraries,
    load_binding,
)
from vtcore.log import register_secrets, secret_free_repr
from vtcore.object import AccountData, CancelRequest, OrderData, OrderRequest, TradeData

DISCONNECT_REASONS = {
    0x1001: "network read failed",
    0x1002: "network write failed",
    0x2001: "heartbeat receive timeout",
    0x2002: "heartbeat send failed",
    0x2003: "received an error message",
}


#: what XMd's login sends of the setting (both gateways log in to XMd): (struct, field, setting)
XMD_SETTING_FIELDS: tuple[tuple[type[SdkStruct], str, str], ...] = (
    (xt.ReqUserLogin, "LogInAccount", "username"),
    (xt.ReqUserLogin, "Password", "password"),
    (xt.ReqUserLogin, "UserProductInfo", "product_info"),
    (xt.ReqUserLogin, "DynamicPassword", "dynamic_key"),
)


@dataclass(frozen=True)
class ToraSetting:
    username: str
    password: str
    td_address: str
    md_address: str
    account_type: str  # TORA_TSTP_LACT_*
    fens: bool
    product_info: str
    dynamic_key: str
    library_dir: str

    __repr__ = secret_free_repr  # no password, key or auth code in a log

    @classmethod
    def parse(cls, setting: dict[str, Any]) -> ToraSetting:
        def text(key: str) -> str:
            default = DEFAULT_SETTING[key]
            value = setting.get(key, default[0] if isinstance(default, list) else default)
            if not isinstance(value, str):
                raise SettingsError(f"TORA setting {key!r} must be a string")
            return value if key in ("password", "dynamic_key") else value.strip()

        for key in ("username", "td_address", "md_address"):
            if not text(key):
                raise SettingsError(f"TORA setting {key!r} is empty")
        account_type = text("account_type")
        if account_type not in mapping.ACCOUNT_TYPES:
            raise SettingsError(
                f"TORA setting 'account_type' must be one of {', '.join(mapping.ACCOUNT_TYPES)}"
            )
        address_type = text("address_type")
        if address_type not in ("front", "fens"):
            raise SettingsError("TORA setting 'address_type' must be front or fens")
        return cls(
            text("username"),
            text("password"),
            front_address("TORA", "td_address", text("td_address")),  # a front's or a FENS server's
            front_address("TORA", "md_address", text("md_address")),
            mapping.ACCOUNT_TYPES[account_type],
            address_type == "fens",
            text("product_info"),
            text("dynamic_key"),
            text("library_dir"),
        )


class ToraFront(Front):
    """A TORA front: the kit's front with TORA's login and connection callbacks (the stock gateway's and the
    option gateway's, `vtcore.gateways.tora.option`)."""

    sdk = "tora"

    def __init__(self, gateway: FrontGateway, decoder: Decoder, requests: dict[str, tuple[int, Any]]) -> None:
        super().__init__(gateway, decoder, requests)
        self.setting: ToraSetting | None = None

    def create_with(self, setting: ToraSetting, create: Any) -> bool:
        """`create` with the setting its login sends."""
        self.setting = setting
        return self.create(create)

    def begin_with(self, address: str, created: bool) -> None:
        """`begin`: FENS addresses go to RegisterNameServer, a front's to RegisterFront."""
        assert self.setting is not None
        self.begin(address, created, "register_name_server" if self.setting.fens else "register_front")

    def on_front_connected(self, message: Message) -> None:
        self.connected = True
        self.set_state("connected")
        self.on_connected()

    def on_connected(self) -> None:
        if self.rejected:
            self.gateway.write_log(f"{self.name} front: not logging in again: {self.rejected}", WARNING)
            return
        result = self.request("ReqUserLogin", self.struct("ReqUserLogin", **self.login_fields()))
        if result != 0:
            self.gateway.write_log(
                f"{self.name} front: login request failed: {request_result(result)}", ERROR
            )

    def login_fields(self) -> dict[str, Any]:
        """ReqUserLogin's fields (the stock trader's and XMd's struct)."""
        setting = self.setting
        assert setting is not None
        return {
            "LogInAccount": setting.username,
            "LogInAccountType": setting.account_type,
            "AuthMode": tt.TORA_TSTP_AM_Password,
            "Password": setting.password,
            "UserProductInfo": setting.product_info,
            "DynamicPassword": setting.dynamic_key,
        }

    def on_front_disconnected(self, message: Message) -> None:
        self.logged_in = False
        self.connected = False
        reason = DISCONNECT_REASONS.get(message.request_id, "unknown reason")
        self.set_state(
            "disconnected", f"reason {message.request_id:#x}: {reason}; the SDK reconnects", WARNING
        )

    def on_rsp_error(self, message: Message) -> None:
        self.gateway.write_log(
            f"{self.name} front: request {message.request_id} failed: {message.error_text}", ERROR
        )


class MdFront(ToraFront):
    """XMd market data, keeping `subscribed` (restored after every login): stocks through the stock calls, or
    with `options` (TORA_OPTION) options through the SP calls."""

    name = "md"
    options = False

    def __init__(self, gateway: FrontGateway, subscribed: dict[str, Exchange]) -> None:
        super().__init__(gateway, Decoder(xt), xt.XMD_REQUESTS)
        self.subscribed = subscribed

    def on_rsp_user_login(self, message: Message) -> None:
        if message.error is not None:
            self.reject("login", message.error_text)
            return
        self.logged_in = True
        self.send_subscribe(list(self.subscribed.items()))
        self.set_state("ready", f"{len(self.subscribed)} subscription(s)")

    def send_subscribe(self, items: list[tuple[str, Exchange]], subscribe: bool = True) -> None:
        if not items:
            return
        securities = [(symbol, mapping.EXCHANGE_TO_TORA[exchange]) for symbol, exchange in items]
        result = (self.api.subscribe if subscribe else self.api.unsubscribe)(securities, options=self.options)
        if result != 0:
            what = "subscribe" if subscribe else "unsubscribe"
            self.gateway.write_log(f"md front: {what} failed: {request_result(result)}", ERROR)

    def on_rsp_sub_market_data(self, message: Message) -> None:
        if message.error is not None:
            data: Any = message.data
            symbol = data.SecurityID if data is not None else "?"
            self.gateway.write_log(f"md front: subscribing {symbol} failed: {message.error_text}", ERROR)

    on_rsp_un_sub_market_data = on_rsp_sub_market_data
    on_rsp_sub_spmarket_data = on_rsp_sub_market_data
    on_rsp_un_sub_spmarket_data = on_rsp_sub_market_data


class TraderGateway(FrontGateway, Protocol):
    """What a TORA trader front needs of its gateway (ToraGateway, ToraOptionGateway)."""

    lock: threading.RLock

    def order_event(self, data: Any) -> None: ...
    def trade_event(self, data: Any) -> None: ...
    def insert_refused(self, data: Any, reason: str) -> None: ...


class TraderFront(ToraFront):
    """What TORA's stock trader and stock-option trader fronts share: the session (orders are named
    front_session_ref), order refs, shareholder accounts, the queries after login and the order reports."""

    name = "td"

    def __init__(
        self, gateway: TraderGateway, decoder: Decoder, requests: dict[str, tuple[int, Any]]
    ) -> None:
        super().__init__(gateway, decoder, requests)
        self.trader = gateway
        self.queries = QueryPump(self, gateway.lock)
        self.front_id = 0
        self.session_id = 0
        self.order_refs = itertools.count(1)
        self.shareholders: dict[Exchange, str] = {}
        self.account_known = False

    def prepare(self) -> None:
        self.api.subscribe_private_topic(tt.TORA_TERT_RESTART)
        self.api.subscribe_public_topic(tt.TORA_TERT_QUICK)

    def needs_contracts(self) -> bool:
        raise NotImplementedError

    def on_rsp_user_login(self, message: Message) -> None:
        data: Any = message.data
        if message.error is not None or data is None:
            self.reject("login", message.error_text or "no login answer")
            return
        with self.trader.lock:
            self.front_id, self.session_id = data.FrontID, data.SessionID
            self.order_refs = itertools.count(int(data.MaxOrderRef) + 1)
            self.logged_in = True
        self.set_state("logged_in", f"session {self.session_id}, trading day {data.TradingDay}")
        self.account_known = False
        self.enqueue("ReqQryShareholderAccount")
        if self.needs_contracts():
            self.enqueue("ReqQrySecurity")
        self.enqueue("ReqQryTradingAccount")
        self.enqueue("ReqQryPosition")

    def enqueue(self, name: str) -> None:
        self.queries.enqueue(name, self.struct(name))

    def on_rsp_qry_shareholder_account(self, message: Message) -> None:
        data: Any = message.data
        if message.error is not None:
            self.gateway.write_log(f"td front: shareholder query failed: {message.error_text}", ERROR)
        elif data is not None:
            exchange = mapping.EXCHANGE_FROM_TORA.get(data.ExchangeID)  # the SP trader's codes are the same
            if exchange is not None:
                with self.trader.lock:
                    self.shareholders[exchange] = data.ShareholderID

    # -- orders (engine thread) ------------------------------------------------------------------------------

    def on_rtn_order(self, message: Message) -> None:
        if message.data is not None:
            self.trader.order_event(message.data)

    def on_rtn_trade(self, message: Message) -> None:
        if message.data is not None:
            self.trader.trade_event(message.data)

    def on_rsp_order_insert(self, message: Message) -> None:
        if message.error is not None and message.data is not None:
            self.trader.insert_refused(message.data, message.error.ErrorMsg)  # type: ignore[attr-defined]

    on_err_rtn_order_insert = on_rsp_order_insert

    def on_rsp_order_action(self, message: Message) -> None:
        if message.error is not None:
            data: Any = message.data
            ref = data.OrderRef if data is not None else "?"
            self.gateway.write_log(f"cancel of order ref {ref} refused: {message.error_text}", ERROR)

    on_err_rtn_order_action = on_rsp_order_action


class TdFront(TraderFront):
    """The stock trader."""

    def __init__(self, gateway: ToraGateway) -> None:
        super().__init__(gateway, Decoder(tt), tt.TRADER_REQUESTS)
        self.gateway: ToraGateway = gateway

    def needs_contracts(self) -> bool:
        return not self.gateway.contracts

    # -- answers (engine thread) -----------------------------------------------------------------------------

    def on_rsp_qry_security(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(f"td front: security query failed: {message.error_text}", ERROR)
        if message.data is not None:
            self.gateway.add_tora_security(message.data)
        if message.is_last:
            self.set_state("contracts_loaded", f"{len(self.gateway.contracts)} securities")

    def on_rsp_qry_trading_account(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(f"td front: account query failed: {message.error_text}", ERROR)
        if message.data is not None:
            self.gateway.update_account(message.data)
        if message.is_last and not self.account_known:
            self.account_known = True
            self.set_state("ready", "margin account" if self.gateway.book.margin else "cash account")

    def on_rsp_qry_position(self, message: Message) -> None:
        self.gateway.position_message(message, "td front: position query", self.gateway.add_position)


#: the fields of an order report (CTORATstpOrderField) that `order_event` reads, in its order
_read_order = tt.Order.reader(
    "ExchangeID",
    "SecurityID",
    "Direction",
    "OrderPriceType",
    "TimeCondition",
    "VolumeCondition",
    "LimitPrice",
    "VolumeTotalOriginal",
    "FrontID",
    "SessionID",
    "OrderRef",
    "OrderSysID",
    "OrderStatus",
    "VolumeTraded",
    "InsertDate",
    "InsertTime",
)


class ToraGatewayBase(SdkGateway):
    """What TORA's two gateways share (ToraGateway: stocks; ToraOptionGateway: the stock-option trader): the
    settings page's vn.py labels, the connect (the trader front, then XMd market data), the account and
    position polls, and the order ids of trade reports by the exchange's order id."""

    setting_aliases: ClassVar[dict[str, str]] = dict(VNPY_LABELS)
    setting_values: ClassVar[dict[str, dict[str, str]]] = {
        key: dict(value) for key, value in VNPY_VALUES.items()
    }
    #: the trader class of vtcore._tora this gateway drives (TraderApi, or SPTraderApi for options)
    trader_api: ClassVar[str] = "TraderApi"
    #: (login struct, its field, the setting sent in it): checked at connect, so that a value too long for its
    #: field is refused there, not at every login on the engine thread
    setting_fields: ClassVar[tuple[tuple[type[SdkStruct], str, str], ...]] = (
        (tt.ReqUserLogin, "LogInAccount", "username"),
        (tt.ReqUserLogin, "Password", "password"),
        (tt.ReqUserLogin, "UserProductInfo", "product_info"),
        (tt.ReqUserLogin, "DynamicPassword", "dynamic_key"),
        *XMD_SETTING_FIELDS,
    )
    md: MdFront
    td: TraderFront

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name)
        self.setting: ToraSetting | None = None
        self._sys_ids: dict[tuple[Exchange, str], str] = {}  # (exchange, OrderSysID) -> orderid, for trades

    def find_libraries(self, library_dir: str) -> tuple[Path, Path]:
        """(XMd library, trader library) paths, or SdkUnavailableError saying where it looked."""
        return find_libraries(library_dir)

    # -- connection -----------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        with self.connect_errors():
            binding = load_binding()
            parsed = ToraSetting.parse(setting)
            check_setting_fits(self.title, parsed, self.setting_fields)
            md_library, td_library = self.find_libraries(parsed.library_dir)
        register_secrets({"password": parsed.password, "dynamic_key": parsed.dynamic_key})
        self.setting = parsed
        self.opened()
        self.write_log(f"connecting {parsed!r} with {td_library.name} and {md_library.name}")
        trader_api = getattr(binding, self.trader_api)
        td, md = self.td, self.md
        self.start_fronts(
            (
                td,
                lambda: td.create_with(
                    parsed, lambda flow, capsule: trader_api(str(td_library), flow, capsule)
                ),
                lambda created: td.begin_with(parsed.td_address, created),
            ),
            (
                md,
                lambda: md.create_with(parsed, lambda flow, capsule: binding.MdApi(str(md_library), capsule)),
                lambda created: md.begin_with(parsed.md_address, created),
            ),
        )

    def fronts(self) -> tuple[ToraFront, ...]:
        return self.md, self.td

    def on_timer(self, now: float) -> None:
        self.td.queries.pump(now)
        self.poll(now, self.td.queries.idle)

    def trade_orderid(self, exchange: Exchange, sys_id: str, data: Any) -> str | None:
        """The order id of a trade report (`data`) by the exchange's order id, or None when the order's report
        has not named it yet: the trade is then kept and `order_named` hands it back (it is pushed under its
        real order, never under an id made up from the exchange's)."""
        with self.lock:
            orderid = self._sys_ids.get((exchange, sys_id))
            if orderid is None:
                self.early_trades.keep((exchange, sys_id), data)
        return orderid

    def order_named(self, exchange: Exchange, sys_id: str, orderid: str) -> None:
        """An order report named the exchange's order id of `orderid` (after the order was pushed): the trades
        that came before it are pushed now."""
        key = (exchange, sys_id)
        if not self.early_trades and self._sys_ids.get(key) == orderid:
            return  # the usual repeat: known, and no trade waits
        with self.lock:
            self._sys_ids[key] = orderid
            early = self.early_trades.release(key)
        for data in early:
            self.trade_event(data)

    def trade_event(self, data: Any) -> None:
        raise NotImplementedError

    def query_account(self) -> None:
        self.td.enqueue("ReqQryTradingAccount")

    def query_position(self) -> None:
        self.td.enqueue("ReqQryPosition")


class ToraGateway(ToraGatewayBase, StockGateway):
    """China A-shares through TORA (SSE, SZSE, BSE), cash accounts."""

    default_name: ClassVar[str] = "TORA"
    title: ClassVar[str] = "TORA"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = dict(OPTIONAL_SETTING)
    exchanges: ClassVar[list[Exchange]] = [Exchange.SSE, Exchange.SZSE, Exchange.BSE]
    exchange_codes: ClassVar[dict[str, Exchange]] = mapping.EXCHANGE_FROM_TORA
    md: MdFront
    td: TdFront

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name or self.default_name)
        self.md = MdFront(self, self.subscribed)
        self.td = TdFront(self)

    # -- market data ----------------------------------------------------------------------------------------

    def market_ready(self) -> bool:
        return self.md.logged_in

    def send_subscriptions(self, items: list[tuple[str, Exchange]], *, subscribe: bool) -> None:
        self.md.send_subscribe(items, subscribe)

    def add_tora_security(self, data: Any) -> None:
        """A security of the trader's answer (CTORATstpSecurityField); unknown product kinds are not
        traded."""
        exchange = mapping.EXCHANGE_FROM_TORA.get(data.ExchangeID)
        kind = mapping.PRODUCTS.get(data.ProductID)
        if exchange is None or kind is None:
            return
        board, product = kind
        self.add_security(
            data.SecurityID,
            exchange,
            data.SecurityName,
            board=board,
            product=product,
            pricetick=data.PriceTick,
            lot=data.LimitBuyTradingUnit,
            limit_up=data.UpperLimitPrice,
            limit_down=data.LowerLimitPrice,
        )

    # -- orders ---------------------------------------------------------------------------------------------

    def send_problem(self, req: OrderRequest) -> str:
        if not self.td.logged_in:
            return "not logged in to the trade front"
        if not self.td.shareholders.get(req.exchange):
            return f"no shareholder account on {req.exchange.value} for this user"
        return ""

    def orderid_ahead(self) -> str:
        return self._orderid(self.td.front_id, self.td.session_id, next(self.td.order_refs))

    def place(self, req: OrderRequest, side: Side, kind: MarketKind | None, orderid: str) -> tuple[str, str]:
        order_ref = int(orderid.rpartition("_")[2])  # orderid_ahead's
        shareholder = self.td.shareholders[req.exchange]
        price_type, time_condition, volume_condition = mapping.PRICE_TYPE_TO_TORA[kind]

        def shape() -> SdkStruct:
            return self.td.struct(
                "ReqOrderInsert",
                ExchangeID=mapping.EXCHANGE_TO_TORA[req.exchange],
                ShareholderID=shareholder,
                SecurityID=req.symbol,
                Direction=mapping.SIDE_TO_TORA[side],
                OrderPriceType=price_type,
                TimeCondition=time_condition,
                VolumeCondition=volume_condition,
            )

        # a prepared struct per kind of order: a send sets only price, volume and reference
        order = self._order_shapes.copy((req.symbol, req.exchange, shareholder, side, kind), shape)
        order.LimitPrice = float(req.price) if kind is None else 0.0
        order.VolumeTotalOriginal = int(req.volume)
        order.OrderRef = order_ref
        result = self.td.request("ReqOrderInsert", order)
        if result != 0:
            return "", f"ReqOrderInsert refused: {request_result(result)}"
        return orderid, ""

    @staticmethod
    def _orderid(front_id: int, session_id: int, order_ref: int) -> str:
        return f"{front_id}_{session_id}_{order_ref}"

    def cancel_order(self, req: CancelRequest) -> None:
        ids = session_orderid(req.orderid)
        if ids is None:
            self.write_log(f"cannot cancel {req.orderid}: not a TORA order id (it was never sent)", ERROR)
            return
        if req.exchange not in mapping.EXCHANGE_TO_TORA:
            self.write_log(f"cannot cancel {req.orderid}: exchange {req.exchange.value} is not TORA's", ERROR)
            return
        front_id, session_id, order_ref = ids
        action = self.td.struct(
            "ReqOrderAction",
            ExchangeID=mapping.EXCHANGE_TO_TORA[req.exchange],
            FrontID=front_id,
            SessionID=session_id,
            OrderRef=order_ref,
            ActionFlag=tt.TORA_TSTP_AF_Delete,
        )
        if not self.td.logged_in:
            self.write_log(f"cannot cancel {req.orderid}: not logged in to the trade front", ERROR)
            return
        self.cancel_sent(req.orderid, "ReqOrderAction", self.td.request("ReqOrderAction", action))

    def order_event(self, data: Any) -> None:
        """An OnRtnOrder report (CTORATstpOrderField): its fields from one unpack, OrderData built
        positionally (an order sent here keeps its type, offset and reference: `order_reported`)."""
        fields = _read_order(data)
        price, volume, front_id, session_id, order_ref, sys_id, code, traded, day, time_of_day = fields[6:]
        orderid = self._orderid(front_id, session_id, order_ref)
        exchange = self.exchange_of(fields[0])
        status = self.known(mapping.STATUS_FROM_TORA, code, "order status", Status.SUBMITTING)
        # e.g. the first and the queued report of an order sent here: nothing more to build
        if not self.order_moved(orderid, status, traded, volume=volume, price=price, when=(day, time_of_day)):
            self._order_built(data, fields, orderid, exchange, status)
        if sys_id:  # after the order's report: a trade that came first follows it
            self.order_named(exchange, sys_id, orderid)

    def _order_built(self, data: Any, fields: Any, orderid: str, exchange: Exchange, status: Status) -> None:
        """`order_event`'s full way: the OrderData of the report."""
        _, symbol, direction_code, price_type, time_condition, volume_condition = fields[:6]
        price, volume, _, _, _, _, _, traded, day, time_of_day = fields[6:]
        direction, offset = SIDE_ORDER[self._side(direction_code)]  # margin sides carry an offset
        codes = (price_type, time_condition, volume_condition)
        order = OrderData(  # positional (OrderData's field order): a third of the keyword call's cost
            self.gateway_name,
            symbol,
            exchange,
            orderid,
            mapping.ORDER_TYPE_FROM_TORA.get(codes, OrderType.LIMIT),
            direction,
            offset,
            price,
            volume,
            traded,
            status,
            mapping.tora_datetime(day, time_of_day),
            "",
        )
        reason = data.StatusMsg if status in (Status.REJECTED, Status.CANCELLED) else ""
        self.order_reported(order, reason, "the exchange")

    def report_time(self, when: Any) -> dt.datetime | None:
        day, time_of_day = when
        return mapping.tora_datetime(day, time_of_day)

    def _side(self, code: str) -> Side:
        side = mapping.SIDE_FROM_TORA.get(code)
        if side is None:  # ETF creations, repos, ...: not sent by vtcore
            self.nearest(f"direction {code!r}")
            return Side.BUY
        return side

    def insert_refused(self, data: Any, reason: str) -> None:
        """OnRspOrderInsert / OnErrRtnOrderInsert with an error: the order of this session is REJECTED."""
        orderid = self._orderid(self.td.front_id, self.td.session_id, data.OrderRef)
        with self.lock:
            sent = self.orders.get(orderid)
        if sent is None:
            self.write_log(f"order ref {data.OrderRef} refused: {reason}", ERROR)
            return
        self.order_report(dataclasses.replace(sent, status=Status.REJECTED), reason or "refused by TORA")

    def trade_event(self, data: Any) -> None:
        """An OnRtnTrade report (CTORATstpTradeField): its order is found by the exchange's order id."""
        exchange = mapping.EXCHANGE_FROM_TORA.get(data.ExchangeID, Exchange.LOCAL)
        orderid = self.trade_orderid(exchange, data.OrderSysID, data)
        if orderid is None:  # kept until its order's report
            return
        direction, offset = SIDE_ORDER[self._side(data.Direction)]
        self.trade_report(
            TradeData(
                gateway_name=self.gateway_name,
                symbol=data.SecurityID,
                exchange=exchange,
                orderid=orderid,
                tradeid=data.TradeID.strip(),  # TORA pads the exchange's ids
                direction=direction,
                offset=offset,
                price=data.Price,
                volume=data.Volume,
                datetime=mapping.tora_datetime(data.TradeDate, data.TradeTime),
            )
        )

    # -- account and positions -------------------------------------------------------------------------------

    def update_account(self, data: Any) -> None:
        self.book.margin = data.AccountType == tt.TORA_TSTP_FAT_Credit  # a credit account trades on margin
        frozen = data.FrozenCash + data.FrozenCommission
        account = AccountData(
            gateway_name=self.gateway_name,
            accountid=data.AccountID,
            balance=data.UsefulMoney + frozen,
            frozen=frozen,
        )
        self.on_account(account)

    def add_position(self, data: Any) -> None:
        exchange = mapping.EXCHANGE_FROM_TORA.get(data.ExchangeID)
        if exchange is None or not data.SecurityID:
            return
        volume = data.CurrentPosition
        self.position_answer(
            data.SecurityID,
            exchange,
            volume=volume,
            sellable=data.AvailablePosition,
            yd_volume=data.PrePosition,
            price=data.TotalPosCost / volume if volume else 0.0,
        )


__all__ = ["ToraGateway", "ToraGatewayBase", "ToraSetting"]
