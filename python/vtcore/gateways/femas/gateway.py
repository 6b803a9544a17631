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
from datetime import date
from logging import ERROR
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, OrderType, Product, Status
from vtcore.errors import SettingsError
from vtcore.event import EventEngine
from vtcore.gateways._sdk.front import FtdcFront, FtdcMdFront, QueryPump
from vtcore.gateways._sdk.front import request_result as _result
from vtcore.gateways._sdk.gateway import SdkGateway
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways.femas import _femas_types as ft
from vtcore.gateways.femas import mapping
from vtcore.gateways.femas.library import DEFAULT_SETTING, OPTIONAL_SETTING, find_libraries, load_binding
from vtcore.object import (
    AccountData,
    CancelRequest,
    ContractData,
    OrderData,
    OrderRequest,
    SubscribeRequest,
    TradeData,
)
from vtcore.time import china_datetime, parse_day

#: the market-data topic and resume type vn.py's FEMAS gateway subscribes before Init (100, QUICK)
MARKET_DATA_TOPIC = 100


@dataclass(frozen=True)
class FemasSetting:
    username: str
    password: str
    brokerid: str
    td_address: str
    md_address: str
    product_info: str
    auth_code: str
    library_dir: str

    def __repr__(self) -> str:  # the password and auth code never reach a log
        return f"FemasSetting(username={self.username!r}, brokerid={self.brokerid!r}, td={self.td_address!r})"

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
            if "://" not in values[key]:
                values[key] = f"tcp://{values[key]}"
        return cls(**values)

    def check_fields(self) -> None:
        """Refuse a value that does not fit FEMAS's login or certification struct before anything is sent
        (FEMAS's AuthCode holds 16 bytes, its UserID 15): a SettingsError names the setting and the field."""
        fields = (
            (ft.ReqUserLogin, "BrokerID", "brokerid"),
            (ft.ReqUserLogin, "UserID", "username"),
            (ft.ReqUserLogin, "Password", "password"),
            (ft.DSUserInfo, "AppID", "product_info"),
            (ft.DSUserInfo, "AuthCode", "auth_code"),
        )
        for struct_class, field, key in fields:
            try:
                setattr(struct_class(), field, getattr(self, key))
            except ValueError as exc:
                raise SettingsError(f"FEMAS setting {key!r} does not fit: {exc}") from None


class _Front(FtdcFront):
    """A FEMAS front: the shared connection handling and login."""

    sdk = "femas"

    def __init__(self, gateway: FemasGateway, requests: dict[str, Any]) -> None:
        super().__init__(gateway, gateway.decoder, requests)
        self.gateway: FemasGateway = gateway
        self.setting: FemasSetting | None = None

    def login(self) -> None:
        assert self.setting is not None
        fields = {
            "BrokerID": self.setting.brokerid,
            "UserID": self.setting.username,
            "Password": self.setting.password,
        }
        result = self.request("ReqUserLogin", fields)
        if result != 0:
            self.gateway.write_log(f"{self.name} front: login request failed: {_result(result)}", ERROR)


class MdFront(_Front, FtdcMdFront):
    name = "md"

    def __init__(self, gateway: FemasGateway) -> None:
        super().__init__(gateway, ft.MD_REQUESTS)

    def prepare(self) -> None:
        self.api.subscribe_market_data_topic(MARKET_DATA_TOPIC, mapping.TERT_QUICK)

    def on_connected(self) -> None:
        self.login()


class TdFront(_Front):
    name = "td"

    def __init__(self, gateway: FemasGateway) -> None:
        super().__init__(gateway, ft.TRADER_REQUESTS)
        self.investor = ""
        self.local_id = 0  # the last UserOrderLocalID used (the login's MaxOrderLocalID at least)
        self.trading_day: date | None = None
        self.contracts_loaded = False
        self.queries = QueryPump(self, gateway.lock)

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

    def on_rsp_ds_user_certification(self, message: Message) -> None:
        if message.error is not None:
            self.reject("auth", message.error_text)
            return
        self.set_state("authenticated")
        self.login()

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
        if self.contracts_loaded:
            self.set_state("ready")
        else:
            self.queries.enqueue("ReqQryInstrument", {})

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

    def on_rsp_qry_instrument(self, message: Message) -> None:
        self.gateway.log_error(message, "td front: instrument query")
        if message.data is not None:
            self.gateway.add_contract(message.data)
        if message.is_last:
            self.contracts_loaded = True
            self.set_state("contracts_loaded", f"{len(self.gateway.contracts)} contracts")
            self.set_state("ready")

    def on_rsp_qry_investor_account(self, message: Message) -> None:
        self.gateway.log_error(message, "td front: account query")
        if message.data is not None and message.data.AccountID:  # type: ignore[attr-defined]
            self.gateway.update_account(message.data)

    def on_rsp_qry_investor_position(self, message: Message) -> None:
        self.gateway.position_message(message, "td front: position query", self.gateway.add_position)

    def on_rtn_order(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.update_order(message.data)

    def on_rtn_trade(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.update_trade(message.data)

    def on_rsp_order_insert(self, message: Message) -> None:
        if message.error is not None and message.data is not None:
            self.gateway.order_refused(message.data, message.error_text)

    on_err_rtn_order_insert = on_rsp_order_insert

    def on_rsp_order_action(self, message: Message) -> None:
        if message.error is not None:
            local = message.data.UserOrderLocalID if message.data is not None else "?"  # type: ignore[attr-defined]
            self.gateway.write_log(f"cancel of order {local} refused: {message.error_text}", ERROR)

    on_err_rtn_order_action = on_rsp_order_action


class FemasGateway(SdkGateway):
    """China futures through FEMAS (CFFEX, SHFE, CZCE, DCE, INE, GFEX), on the vendor library you bring."""

    default_name: ClassVar[str] = "FEMAS"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = dict(OPTIONAL_SETTING)
    exchanges: ClassVar[list[Exchange]] = list(mapping.EXCHANGES.values())
    exchange_codes: ClassVar[dict[str, Exchange]] = mapping.EXCHANGES
    title: ClassVar[str] = "FEMAS"

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name)
        self.decoder = Decoder(ft)
        self.md = MdFront(self)
        self.td = TdFront(self)
        self.setting: FemasSetting | None = None
        self._sysids: dict[str, str] = {}  # order id (local id) -> the exchange's OrderSysID, for cancels

    def fronts(self) -> tuple[_Front, ...]:
        return self.md, self.td

    def connect(self, setting: dict[str, Any]) -> None:
        with self.connect_errors():
            binding = load_binding()
            parsed = FemasSetting.parse(setting)
            parsed.check_fields()
            md_library, td_library = find_libraries(parsed.library_dir)
        self.setting = self.md.setting = self.td.setting = parsed
        self.opened()
        self.write_log(f"connecting {parsed!r} with {td_library.name} and {md_library.name}")
        self.td.start(
            lambda flow, capsule: binding.TraderApi(str(td_library), flow, capsule), parsed.td_address
        )
        self.md.start(lambda flow, capsule: binding.MdApi(str(md_library), flow, capsule), parsed.md_address)

    def on_timer(self, now: float) -> None:
        self.td.queries.pump(now)
        self.poll(now, self.td.queries.idle)

    # -- market data ----------------------------------------------------------------------------------------

    def subscribe(self, req: SubscribeRequest) -> None:
        self.subscribe_on(self.md, req, self.td.contracts_loaded)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self.unsubscribe_on(self.md, req)

    # -- orders ---------------------------------------------------------------------------------------------

    def _order_problem(self, req: OrderRequest) -> str:
        if not self.td.logged_in or not self.td.investor:
            return "not logged in to the trade front"
        problem = self.symbol_problem(req.symbol, req.exchange, self.td.contracts_loaded)
        if problem:
            return problem
        if req.type not in mapping.ORDER_TYPE_TO_FEMAS:
            return mapping.ORDER_TYPE_REFUSAL.get(
                req.type, f"order type {req.type.value} cannot be sent to FEMAS"
            )
        if req.offset not in mapping.OFFSET_TO_FEMAS:
            return (
                f"offset {req.offset.value or 'NONE'} cannot be sent to FEMAS "
                f"(use OPEN, CLOSE, CLOSETODAY or CLOSEYESTERDAY)"
            )
        if req.direction not in mapping.DIRECTION_TO_FEMAS:
            return f"direction {req.direction} cannot be sent to FEMAS"
        return self.amount_problem(req, price_needed=req.type != OrderType.MARKET)

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
            order_type, exact = mapping.order_type(
                data.OrderPriceType, data.TimeCondition, data.VolumeCondition
            )
            if not exact:
                self.nearest(
                    f"order type {data.OrderPriceType!r}/{data.TimeCondition!r}/{data.VolumeCondition!r}"
                )
            offset, exact = mapping.offset(data.OffsetFlag)
            if not exact:
                self.nearest(f"offset flag {data.OffsetFlag!r}")
            previous = self.orders.get(orderid)
            order = OrderData(
                gateway_name=self.gateway_name,
                symbol=data.InstrumentID,
                exchange=self.exchange_of(data.ExchangeID),
                orderid=orderid,
                type=order_type,
                direction=mapping.DIRECTION_FROM_FEMAS.get(data.Direction),
                offset=offset,
                price=data.LimitPrice,
                volume=data.Volume,
                traded=data.VolumeTraded,
                status=status,
                reference=previous.reference if previous else "",
                datetime=china_datetime(data.ActionDay, data.InsertTime, self.td.trading_day),
            )
            if data.OrderSysID.strip():  # sent back as reported (exchanges pad it) with a cancel
                self._sysids[orderid] = data.OrderSysID
            self.orders.order(order)

    def order_refused(self, data: Any, reason: str) -> None:
        """OnRspOrderInsert / OnErrRtnOrderInsert: the order is REJECTED with FEMAS's reason."""
        with self.lock:
            orderid = data.UserOrderLocalID.strip()
            order = self.orders.get(orderid) or OrderData(
                gateway_name=self.gateway_name,
                symbol=data.InstrumentID,
                exchange=self.exchange_of(data.ExchangeID),
                orderid=orderid,
                direction=mapping.DIRECTION_FROM_FEMAS.get(data.Direction),
                offset=mapping.offset(data.OffsetFlag)[0],
                price=data.LimitPrice,
                volume=data.Volume,
            )
            if order.status != Status.REJECTED:
                self.reject(order, reason)

    def update_trade(self, data: Any) -> None:
        offset, exact = mapping.offset(data.OffsetFlag)
        if not exact:
            self.nearest(f"offset flag {data.OffsetFlag!r}")
        self.orders.trade(  # a replay after a re-login is dropped there
            TradeData(
                gateway_name=self.gateway_name,
                symbol=data.InstrumentID,
                exchange=self.exchange_of(data.ExchangeID),
                orderid=data.UserOrderLocalID.strip(),
                tradeid=data.TradeID.strip(),
                direction=mapping.DIRECTION_FROM_FEMAS.get(data.Direction),
                offset=offset,
                price=data.TradePrice,
                volume=data.TradeVolume,
                datetime=china_datetime(data.ActionDay, data.TradeTime, self.td.trading_day),
            )
        )

    # -- account, positions, contracts ---------------------------------------------------------------------

    def update_account(self, data: Any) -> None:
        account = AccountData(
            gateway_name=self.gateway_name,
            accountid=data.AccountID,
            balance=data.DynamicRights,
            frozen=data.FrozenMargin + data.FrozenFee + data.FrozenPremium,
        )
        account.available = data.Available
        self.on_account(account)

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
        contract = ContractData(
            gateway_name=self.gateway_name,
            symbol=data.InstrumentID,
            exchange=exchange,
            name=data.InstrumentName,
            product=product,
            size=data.VolumeMultiple,
            pricetick=data.PriceTick,
            min_volume=data.MinLimitOrderVolume or 1,
            max_volume=data.MaxLimitOrderVolume or None,
        )
        if product == Product.OPTION:
            contract.option_strike = data.StrikePrice
            contract.option_underlying = data.UnderlyingInstrID
            contract.option_type = mapping.OPTION_TYPE_FROM_FEMAS.get(data.OptionsType)
            portfolio = data.ProductID
            contract.option_portfolio = portfolio[:-1] if exchange == Exchange.CZCE else portfolio
            contract.option_index = str(data.StrikePrice)
            contract.option_expiry = china_datetime(data.ExpireDate, "00:00:00", None)
        self.contracts[contract.symbol] = contract
        self.on_contract(contract)

    def query_account(self) -> None:
        if self.td.investor:
            self.td.queries.enqueue("ReqQryInvestorAccount", self.td.who())

    def query_position(self) -> None:
        if self.td.investor:
            self.td.queries.enqueue("ReqQryInvestorPosition", self.td.who())


__all__ = ["FemasGateway", "FemasSetting"]
