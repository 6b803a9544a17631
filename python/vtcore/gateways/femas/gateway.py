"""FemasGateway: China futures through FEMAS (飞马, USTP), on the SDK kit's typed messages.

FEMAS is CTP-shaped but not CTP (its own mapping: femas/mapping.py). What differs from the Thost gateways:
- the user's library: no Linux FEMAS library exists in any registry artifact (femas/library.py);
- authentication is ReqDSUserCertification (AppID = product_info, AuthCode = auth_code) before login;
- after login the trade front asks which investor the user trades for (ReqQryUserInvestor) and then loads the
  contracts; there is no settlement confirmation;
- an order is named by the user's own UserOrderLocalID (FEMAS has no FrontID/SessionID/OrderRef): the order id
  is that local id, unique for the user across sessions and increasing from the login's MaxOrderLocalID; a
  cancel names it too (with a fresh UserOrderActionLocalID);
- orders carry no status message and no submit status: a refusal arrives as OnRspOrderInsert /
  OnErrRtnOrderInsert with the reason, and becomes REJECTED with it;
- a position is one record per instrument and direction (Direction '0'/'1', Position, YdPosition,
  FrozenClosing, PositionCost), and the account is RspInvestorAccount (DynamicRights is the balance);
- ticks (the Thost family's C++ tick path) carry no exchange: it is the one the symbol was subscribed on.

States, pushed as GatewayStateData and logged on every change:
    md: disconnected -> connected -> logged_in -> ready (subscriptions restored)
    td: disconnected -> connected -> authenticated -> logged_in -> investor -> contracts_loaded -> ready
    plus "timeout", "login_rejected" / "auth_rejected" (not retried until connect() is called again, so a
    wrong password cannot lock the account), "unavailable" and "closed".
The SDK reconnects by itself; every OnFrontConnected authenticates, logs in and resubscribes again. Queries go
through one queue, at most one per second (FEMAS's flow limit; vn.py sleeps a second for it), driven by the
timer; account and positions are polled every `query_interval` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from logging import ERROR
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.errors import SettingsError
from vtcore.event import EventEngine
from vtcore.gateways._sdk.address import front_address
from vtcore.gateways._sdk.front import request_result as _result
from vtcore.gateways._sdk.futures import (
    FuturesCodes,
    FuturesGateway,
    FuturesMdFront,
    FuturesSetting,
    FuturesTdFront,
)
from vtcore.gateways._sdk.gateway import check_setting_fits
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways.femas import _femas_types as ft
from vtcore.gateways.femas import mapping
from vtcore.gateways.femas.library import DEFAULT_SETTING, OPTIONAL_SETTING, find_libraries, load_binding
from vtcore.object import CancelRequest, OrderRequest
from vtcore.time import china_datetime, parse_day

#: the market-data topic and resume type vn.py's FEMAS gateway subscribes before Init (100, QUICK)
MARKET_DATA_TOPIC = 100
#: the settings sent in FEMAS's login and certification structs: (struct, field, setting key)
SETTING_FIELDS = (
    (ft.ReqUserLogin, "BrokerID", "brokerid"),
    (ft.ReqUserLogin, "UserID", "username"),
    (ft.ReqUserLogin, "Password", "password"),
    (ft.DSUserInfo, "AppID", "product_info"),
    (ft.DSUserInfo, "AuthCode", "auth_code"),
)


@dataclass(frozen=True, repr=False)  # FuturesSetting's repr: no secret in a log
class FemasSetting(FuturesSetting):
    @classmethod
    def parse(cls, setting: dict[str, Any]) -> FemasSetting:
        values: dict[str, str] = {}
        for key in DEFAULT_SETTING:
            value = setting.get(key, "")
            if not isinstance(value, str):
                raise SettingsError(f"FEMAS setting {key!r} must be a string")
            values[key] = value if key in ("password", "auth_code") else value.strip()
        for key in ("username", "brokerid", "td_address", "md_address"):
            if not values[key]:
                raise SettingsError(f"FEMAS setting {key!r} is empty")
        for key in ("td_address", "md_address"):
            values[key] = front_address("FEMAS", key, values[key])
        return cls(**values)

    def check_fields(self) -> None:
        """Refuse a value that does not fit FEMAS's login or certification struct before anything is sent
        (FEMAS's AuthCode holds 16 bytes, its UserID 15): a SettingsError names the setting and the field."""
        check_setting_fits("FEMAS", self, SETTING_FIELDS)


class MdFront(FuturesMdFront):
    name = "md"

    def __init__(self, gateway: FemasGateway) -> None:
        super().__init__(gateway, ft.MD_REQUESTS)

    def prepare(self) -> None:
        self.api.subscribe_market_data_topic(MARKET_DATA_TOPIC, mapping.TERT_QUICK)


class TdFront(FuturesTdFront):
    name = "td"
    refused_cancel = ("UserOrderLocalID", "order")

    def __init__(self, gateway: FemasGateway) -> None:
        super().__init__(gateway, ft.TRADER_REQUESTS)
        self.investor = ""
        self.local_id = 0  # the last UserOrderLocalID used (the login's MaxOrderLocalID at least)

    def prepare(self) -> None:
        # Replay the day's private flow so that orders and trades from before this session are known; the
        # OrderTracker drops what was pushed already.
        for subscribe in (
            self.api.subscribe_private_topic,
            self.api.subscribe_public_topic,
            self.api.subscribe_user_topic,
        ):
            subscribe(mapping.TERT_RESTART)

    def on_connected(self) -> None:
        assert self.setting is not None
        if not self.setting.auth_code:
            self.login()
            return
        fields = {"AppID": self.setting.product_info, "AuthCode": self.setting.auth_code, "EncryptType": "1"}
        result = self.request("ReqDSUserCertification", fields)
        if result != 0:
            self.gateway.write_log(f"td front: certification request failed: {_result(result)}", ERROR)

    on_rsp_ds_user_certification = FuturesTdFront.authentication_answered

    def on_rsp_user_login(self, message: Message) -> None:
        data: Any = message.data
        if message.error is not None or data is None:
            self.reject("login", message.error_text or "no login answer")
            return
        latest = data.MaxOrderLocalID.strip()
        with self.gateway.lock:
            self.local_id = max(self.local_id, int(latest) if latest.isdigit() else 0)
            self.logged_in = True
        self.trading_day = parse_day(data.TradingDay)
        self.set_state("logged_in", f"trading day {data.TradingDay}, last local id {self.local_id}")
        assert self.setting is not None
        self.queries.enqueue(
            "ReqQryUserInvestor", {"BrokerID": self.setting.brokerid, "UserID": self.setting.username}
        )

    def on_rsp_qry_user_investor(self, message: Message) -> None:
        data: Any = message.data
        if message.error is not None or data is None or not data.InvestorID:
            self.gateway.write_log(
                f"td front: no investor for this user ({message.error_text or 'empty'}); "
                f"orders cannot be sent",
                ERROR,
            )
            return
        self.investor = data.InvestorID
        self.set_state("investor", self.investor)
        self.load_contracts()

    def next_local_id(self) -> str:
        """A new UserOrderLocalID (call with the gateway lock held): 12 digits, increasing, as vn.py's."""
        self.local_id += 1
        return str(self.local_id).rjust(12, "0")

    def who(self) -> dict[str, str]:
        assert self.setting is not None
        return {
            "BrokerID": self.setting.brokerid,
            "UserID": self.setting.username,
            "InvestorID": self.investor,
        }

    # -- responses and pushes -----------------------------------------------------------------------------

    on_rsp_qry_investor_account = FuturesTdFront.account_answered

    def on_rsp_order_insert(self, message: Message) -> None:
        """FEMAS answers every insert here, an accepted one without an error: only a refusal is handled."""
        if message.error is not None and message.data is not None:
            self.gateway.order_insert_refused(message.data, message.error_text)

    on_err_rtn_order_insert = on_rsp_order_insert


class FemasGateway(FuturesGateway):
    """China futures through FEMAS (CFFEX, SHFE, CZCE, DCE, INE, GFEX), on the vendor library you bring."""

    default_name: ClassVar[str] = "FEMAS"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = dict(OPTIONAL_SETTING)
    exchanges: ClassVar[list[Exchange]] = list(mapping.EXCHANGES.values())
    exchange_codes: ClassVar[dict[str, Exchange]] = mapping.EXCHANGES
    title: ClassVar[str] = "FEMAS"
    sdk: ClassVar[str] = "femas"
    codes: ClassVar[FuturesCodes] = FuturesCodes(
        order_types=mapping.ORDER_TYPE_TO_FEMAS,
        offsets=mapping.OFFSET_TO_FEMAS,
        directions=mapping.DIRECTION_TO_FEMAS,
        order_type_refusals=mapping.ORDER_TYPE_REFUSAL,
        direction_from=mapping.DIRECTION_FROM_FEMAS,
        read_offset=mapping.offset,
        read_order_type=mapping.order_type,
    )
    md: MdFront
    td: TdFront

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name)
        self.decoder = Decoder(ft)
        self.md = MdFront(self)
        self.td = TdFront(self)
        self.setting: FemasSetting | None = None
        self._sysids: dict[str, str] = {}  # order id (local id) -> the exchange's OrderSysID, for cancels

    def connect(self, setting: dict[str, Any]) -> None:
        with self.connect_errors():
            binding = load_binding()
            parsed = FemasSetting.parse(setting)
            parsed.check_fields()
            md_library, td_library = find_libraries(parsed.library_dir)
        self.setting = self.md.setting = self.td.setting = parsed
        self.opened()
        self.write_log(f"connecting {parsed!r} with {td_library.name} and {md_library.name}")
        td, md = self.td, self.md
        self.start_fronts(
            (
                td,
                lambda: td.create(lambda flow, capsule: binding.TraderApi(str(td_library), flow, capsule)),
                lambda created: td.begin(parsed.td_address, created),
            ),
            (
                md,
                lambda: md.create(lambda flow, capsule: binding.MdApi(str(md_library), flow, capsule)),
                lambda created: md.begin(parsed.md_address, created),
            ),
        )

    # -- orders ---------------------------------------------------------------------------------------------

    def _order_problem(self, req: OrderRequest) -> str:
        if not self.td.logged_in or not self.td.investor:
            return "not logged in to the trade front"
        return (
            self.symbol_problem(req.symbol, req.exchange, self.td.contracts_loaded)
            or self.mapping_problem(req)
            or self.amount_problem(req, price_needed=req.type != OrderType.MARKET)
        )

    def send_order(self, req: OrderRequest) -> str:
        # The lock is held until the request is sent and SUBMITTING is queued, so that the order's reports
        # (handled on the engine thread under the same lock) always come after it.
        with self.lock:
            orderid = self.td.next_local_id()
            order = req.create_order_data(orderid, self.gateway_name)
            problem = self._order_problem(req)
            if problem:
                self.reject(order, problem)
                return order.vt_orderid
            assert self.setting is not None
            price_type, time_condition, volume_condition = mapping.ORDER_TYPE_TO_FEMAS[req.type]
            self.orders.order(order)
            try:
                result = self.td.request(
                    "ReqOrderInsert",
                    {
                        **self.td.who(),
                        "ExchangeID": req.exchange.value,
                        "InstrumentID": req.symbol,
                        "UserOrderLocalID": orderid,
                        "OrderPriceType": price_type,
                        "Direction": mapping.DIRECTION_TO_FEMAS[req.direction],
                        "OffsetFlag": mapping.OFFSET_TO_FEMAS[req.offset],
                        "HedgeFlag": mapping.CHF_SPECULATION,
                        "LimitPrice": float(req.price),
                        "Volume": int(req.volume),
                        "TimeCondition": time_condition,
                        "VolumeCondition": volume_condition,
                        "MinVolume": 1,
                        "ForceCloseReason": mapping.FCR_NOT_FORCE_CLOSE,
                        "IsAutoSuspend": 0,
                    },
                )
            except ValueError as exc:  # a field that does not fit FEMAS's struct: refused, named
                self.reject(order, str(exc))
                return order.vt_orderid
            if result != 0:
                self.reject(order, f"ReqOrderInsert returned {_result(result)}")
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        if not self.td.logged_in or self.setting is None:
            self.write_log(f"cannot cancel {req.orderid}: not logged in to the trade front", ERROR)
            return
        with self.lock:
            fields = {
                **self.td.who(),
                "ExchangeID": req.exchange.value,
                "OrderSysID": self._sysids.get(req.orderid, ""),
                "UserOrderLocalID": req.orderid,
                "UserOrderActionLocalID": self.td.next_local_id(),
                "ActionFlag": mapping.AF_DELETE,
            }
            try:
                result = self.td.request("ReqOrderAction", fields)
            except ValueError as exc:
                self.write_log(f"cannot cancel {req.orderid}: {exc}", ERROR)
                return
        self.cancel_sent(req.orderid, "ReqOrderAction", result)

    def update_order(self, data: Any) -> None:
        with self.lock:
            orderid = data.UserOrderLocalID.strip()
            status, exact = mapping.order_status(data.OrderStatus)
            if not exact:
                self.nearest(f"order status {data.OrderStatus!r}")
            previous = self.orders.get(orderid)
            order = self.order_from_report(
                data,
                orderid,
                status,
                offset_code=data.OffsetFlag,
                volume=data.Volume,
                moment=china_datetime(data.ActionDay, data.InsertTime, self.td.trading_day),
                reference=previous.reference if previous else "",
            )
            if data.OrderSysID.strip():  # sent back as reported (exchanges pad it) with a cancel
                self._sysids[orderid] = data.OrderSysID
            self.orders.order(order)

    def order_insert_refused(self, data: Any, reason: str) -> None:
        """OnRspOrderInsert / OnErrRtnOrderInsert: the order is REJECTED with FEMAS's reason."""
        with self.lock:
            offset = mapping.offset(data.OffsetFlag)[0]
            orderid = data.UserOrderLocalID.strip()
            self.reject_refused_insert(data, orderid, reason, volume=data.Volume, offset=offset)

    def update_trade(self, data: Any) -> None:
        moment = china_datetime(data.ActionDay, data.TradeTime, self.td.trading_day)
        orderid = data.UserOrderLocalID.strip()
        self.push_trade(data, orderid, price=data.TradePrice, volume=data.TradeVolume, moment=moment)

    # -- account, positions, contracts ---------------------------------------------------------------------

    def update_account(self, data: Any) -> None:
        frozen = data.FrozenMargin + data.FrozenFee + data.FrozenPremium
        self.push_account(data.AccountID, data.DynamicRights, frozen, available=data.Available)

    def add_position(self, data: Any) -> None:
        if data.InstrumentID:
            direction = mapping.DIRECTION_FROM_FEMAS.get(data.Direction, Direction.NET)
            position = self.positions.position(
                data.InstrumentID, self.exchange_of(data.ExchangeID), direction
            )
            position.volume += data.Position
            position.yd_volume += data.YdPosition
            position.frozen += data.FrozenClosing
            contract = self.contracts.get(data.InstrumentID)
            size = contract.size if contract else 1
            cost = position.price * (position.volume - data.Position) * size + data.PositionCost
            position.price = cost / (position.volume * size) if position.volume else 0.0

    def add_contract(self, data: Any) -> None:
        exchange = mapping.EXCHANGES.get(data.ExchangeID)
        if exchange is None:
            self.nearest(f"an instrument on exchange {data.ExchangeID!r} (not listed)")
            return
        product = mapping.product(data.OptionsType, data.ArbiType, data.InstrumentID_2)
        option_type = mapping.OPTION_TYPE_FROM_FEMAS.get(data.OptionsType)
        self.push_contract(self.contract_from_instrument(data, exchange, product, option_type))

    def query_account(self) -> None:
        if self.td.investor:
            self.td.queries.enqueue("ReqQryInvestorAccount", self.td.who())

    def query_position(self) -> None:
        if self.td.investor:
            self.td.queries.enqueue("ReqQryInvestorPosition", self.td.who())


__all__ = ["FemasGateway", "FemasSetting"]
