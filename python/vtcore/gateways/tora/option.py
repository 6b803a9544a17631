"""ToraOptionGateway (`TORA_OPTION`): SSE and SZSE ETF options through 华鑫奇点 TORA's stock-option trader
(the SP trader API, libsptraderapi.so) and XMd market data (options' quotes through SubscribeSPMarketData).

It lives in the TORA package because it is the same SDK: the vnpy_tora sdist's libraries, vtcore._tora (its
SPTraderApi next to the stock TraderApi), the XMd market data, TORA's login and the same settings page; but it
is an options gateway (open/close offsets, long and short positions, margin), so it stands on the kit's
`SdkGateway` (as the futures gateways do; through `ToraGatewayBase`, the connect and polls it shares
with `ToraGateway`), not on the A-share `StockGateway`.

Fronts (states pushed as GatewayStateData):
    md: connecting -> connected -> ready (logged in, subscriptions restored);
    td: connecting -> connected -> logged_in -> contracts_loaded (the options and shareholder accounts)
        -> ready (after the first account answer). "login_rejected", "disconnected", "timeout", "unavailable",
        "closed".
A refused login is never retried. The private flow is replayed from the start of the day on every login
(TORA_TERT_RESTART); the OrderTracker drops what it has pushed.

Orders: limit orders (LIMIT; FAK and FOK as the exchanges' immediate limit orders), Offset OPEN or CLOSE (a
CLOSETODAY / CLOSEYESTERDAY is sent as CLOSE: the option exchanges close yesterday's first), named
"<front>_<session>_<order ref>" as TORA's reports name them. Contracts carry vn.py's option fields.
"""

from __future__ import annotations

from logging import ERROR
from pathlib import Path
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status
from vtcore.event import EventEngine
from vtcore.gateways._sdk.front import CLOSED, CLOSED_REASON, request_result
from vtcore.gateways._sdk.gateway import session_orderid
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways._sdk.structs import SdkStruct
from vtcore.gateways.tora import _torasp_types as st
from vtcore.gateways.tora.gateway import XMD_SETTING_FIELDS, MdFront, ToraGatewayBase, TraderFront
from vtcore.gateways.tora.library import (
    OPTION_DEFAULT_SETTING,
    OPTION_OPTIONAL_SETTING,
    find_option_libraries,
)
from vtcore.gateways.tora.mapping import ACCOUNT_TYPES, tora_datetime
from vtcore.object import (
    AccountData,
    CancelRequest,
    ContractData,
    OrderData,
    OrderRequest,
    SubscribeRequest,
    TradeData,
    check_request,
)

EXCHANGE_TO_SP: dict[Exchange, str] = {
    Exchange.SSE: st.TORA_TSTP_SP_EXD_SSE,
    Exchange.SZSE: st.TORA_TSTP_SP_EXD_SZSE,
}
EXCHANGE_FROM_SP: dict[str, Exchange] = {code: exchange for exchange, code in EXCHANGE_TO_SP.items()}
DIRECTION_TO_SP: dict[Direction, str] = {
    Direction.LONG: st.TORA_TSTP_SP_D_Buy,
    Direction.SHORT: st.TORA_TSTP_SP_D_Sell,
}
DIRECTION_FROM_SP: dict[str, Direction] = {code: direction for direction, code in DIRECTION_TO_SP.items()}
OFFSET_TO_SP: dict[Offset, str] = {
    Offset.OPEN: st.TORA_TSTP_SP_OF_Open,
    Offset.CLOSE: st.TORA_TSTP_SP_OF_Close,
    Offset.CLOSETODAY: st.TORA_TSTP_SP_OF_Close,
    Offset.CLOSEYESTERDAY: st.TORA_TSTP_SP_OF_Close,
}
OFFSET_FROM_SP: dict[str, Offset] = {
    st.TORA_TSTP_SP_OF_Open: Offset.OPEN,
    st.TORA_TSTP_SP_OF_Close: Offset.CLOSE,
}
#: (OrderPriceType, TimeCondition, VolumeCondition)
ORDER_TYPE_TO_SP: dict[OrderType, tuple[str, str, str]] = {
    OrderType.LIMIT: (st.TORA_TSTP_SP_OPT_LimitPrice, st.TORA_TSTP_SP_TC_GFD, st.TORA_TSTP_SP_VC_AV),
    OrderType.FAK: (st.TORA_TSTP_SP_OPT_LimitPrice, st.TORA_TSTP_SP_TC_IOC, st.TORA_TSTP_SP_VC_AV),
    OrderType.FOK: (st.TORA_TSTP_SP_OPT_LimitPrice, st.TORA_TSTP_SP_TC_IOC, st.TORA_TSTP_SP_VC_CV),
}
ORDER_TYPE_FROM_SP: dict[tuple[str, str, str], OrderType] = {
    codes: kind for kind, codes in ORDER_TYPE_TO_SP.items()
}
STATUS_FROM_SP: dict[str, Status] = {
    st.TORA_TSTP_SP_OST_Handled: Status.SUBMITTING,
    st.TORA_TSTP_SP_OST_Cached: Status.SUBMITTING,
    st.TORA_TSTP_SP_OST_SendStock: Status.SUBMITTING,
    st.TORA_TSTP_SP_OST_SendTradeKernel: Status.SUBMITTING,
    st.TORA_TSTP_SP_OST_Accepted: Status.NOTTRADED,
    st.TORA_TSTP_SP_OST_PartTraded: Status.PARTTRADED,
    st.TORA_TSTP_SP_OST_AllTraded: Status.ALLTRADED,
    st.TORA_TSTP_SP_OST_PartTradedCancelled: Status.CANCELLED,
    st.TORA_TSTP_SP_OST_Cancelled: Status.CANCELLED,
    st.TORA_TSTP_SP_OST_Failed: Status.REJECTED,
}
POSITION_DIRECTION_FROM_SP: dict[str, Direction] = {
    st.TORA_TSTP_SP_PD_Long: Direction.LONG,
    st.TORA_TSTP_SP_PD_Short: Direction.SHORT,
    st.TORA_TSTP_SP_PD_Net: Direction.NET,
}
OPTION_TYPE_FROM_SP: dict[str, OptionType] = {
    st.TORA_TSTP_SP_CP_CallOptions: OptionType.CALL,
    st.TORA_TSTP_SP_CP_PutOptions: OptionType.PUT,
}
OPTION_PRODUCTS = (st.TORA_TSTP_SP_PID_SHStockOption, st.TORA_TSTP_SP_PID_SZStockOption)


def option_index(strike: float, exchange_code: str) -> str:
    """vn.py's option index: the strike and the exchange code's adjustment part ("M04000"; "A04000" for a
    contract adjusted after a dividend), or the strike alone."""
    code = exchange_code.replace(" ", "")
    for mark in ("M", "A", "B"):
        if mark in code[len(code) - 6 :]:
            return f"{strike:.3f}-{code[code.rindex(mark) :]}"
    return str(strike)


class OptionMdFront(MdFront):
    """XMd market data for options (SubscribeSPMarketData)."""

    options = True


class OptionTdFront(TraderFront):
    """The SP trader: its login, the options, account and positions (the rest is TORA's trader front)."""

    def __init__(self, gateway: ToraOptionGateway) -> None:
        super().__init__(gateway, Decoder(st), st.SPTRADER_REQUESTS)
        self.option_gateway = gateway
        self.contracts_loaded = False

    def needs_contracts(self) -> bool:
        return not self.contracts_loaded

    def login_fields(self) -> dict[str, Any]:
        """The SP trader's ReqUserLogin: its own codes, and the dynamic key as its one-time password."""
        setting = self.setting
        assert setting is not None
        return {
            "LogInAccount": setting.username,
            "LogInAccountType": st.TORA_TSTP_SP_LACT_UserID
            if setting.account_type == ACCOUNT_TYPES["user_id"]
            else st.TORA_TSTP_SP_LACT_AccountID,
            "AuthMode": st.TORA_TSTP_SP_AM_Password,
            "Password": setting.password,
            "UserProductInfo": setting.product_info,
            "OneTimePassword": setting.dynamic_key,
        }

    # -- answers (engine thread) -----------------------------------------------------------------------------

    def on_rsp_qry_security(self, message: Message) -> None:
        self.option_gateway.log_error(message, "option query")
        if message.data is not None:
            self.option_gateway.add_option(message.data)
        if message.is_last:
            self.contracts_loaded = True
            self.set_state("contracts_loaded", f"{len(self.option_gateway.contracts)} options")

    def on_rsp_qry_trading_account(self, message: Message) -> None:
        self.option_gateway.log_error(message, "account query")
        if message.data is not None:
            self.option_gateway.update_account(message.data)
        if message.is_last and not self.account_known:
            self.account_known = True
            self.set_state("ready", "option account")

    def on_rsp_qry_position(self, message: Message) -> None:
        if self.option_gateway.log_error(message, "position query"):
            self.option_gateway.positions.discard()
            return
        self.option_gateway.update_position(message.data, message.is_last)


#: the fields of an order report (CTORATstpSPOrderField) that every report needs, in `order_event`'s order
_read_sp_order = st.Order.reader(
    "FrontID",
    "SessionID",
    "OrderRef",
    "ExchangeID",
    "OrderSysID",
    "OrderStatus",
    "VolumeTraded",
    "InsertDate",
    "InsertTime",
)


class ToraOptionGateway(ToraGatewayBase):
    """SSE and SZSE ETF options through TORA's stock-option (SP) trader."""

    default_name: ClassVar[str] = "TORA_OPTION"
    title: ClassVar[str] = "TORA_OPTION"
    default_setting: ClassVar[dict[str, Any]] = dict(OPTION_DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = dict(OPTION_OPTIONAL_SETTING)
    exchanges: ClassVar[list[Exchange]] = [Exchange.SSE, Exchange.SZSE]
    trader_api: ClassVar[str] = "SPTraderApi"
    setting_fields: ClassVar[tuple[tuple[type[SdkStruct], str, str], ...]] = (
        (st.ReqUserLogin, "LogInAccount", "username"),
        (st.ReqUserLogin, "Password", "password"),
        (st.ReqUserLogin, "UserProductInfo", "product_info"),
        (st.ReqUserLogin, "OneTimePassword", "dynamic_key"),  # the SP trader's name for it
        *XMD_SETTING_FIELDS,
    )
    md: OptionMdFront
    td: OptionTdFront

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name or self.default_name)
        self.md = OptionMdFront(self, {})
        self.td = OptionTdFront(self)

    def find_libraries(self, library_dir: str) -> tuple[Path, Path]:
        """(XMd library, stock-option trader library) paths."""
        return find_option_libraries(library_dir)

    # -- market data ----------------------------------------------------------------------------------------

    def subscribe(self, req: SubscribeRequest) -> None:
        self.subscribe_on(self.md, req, self.td.contracts_loaded)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        check_request(req)
        if self.md.subscribed.pop(req.symbol, None) is None:
            self.write_log(f"{req.vt_symbol} was not subscribed", ERROR)
        elif self.md.logged_in:
            self.md.send_subscribe([(req.symbol, req.exchange)], subscribe=False)

    def add_option(self, data: Any) -> None:
        """An option of the SP trader's answer (CTORATstpSPSecurityField), with vn.py's option fields."""
        exchange = EXCHANGE_FROM_SP.get(data.ExchangeID)
        if exchange is None or data.ProductID not in OPTION_PRODUCTS:
            return
        underlying, last_date, strike = data.UnderlyingSecurityID, data.LastDate, data.StrikePrice
        contract = ContractData(
            gateway_name=self.gateway_name,
            symbol=data.SecurityID,
            exchange=exchange,
            name=data.SecurityName,
            product=Product.OPTION,
            size=data.VolumeMultiple,
            pricetick=data.PriceTick,
            min_volume=data.MinLimitOrderBuyVolume or 1,
            max_volume=data.MaxLimitOrderBuyVolume or None,
            option_strike=strike,
            option_underlying=f"{underlying}-{last_date}",
            option_type=OPTION_TYPE_FROM_SP.get(data.OptionsType),
            option_portfolio=f"{underlying}_O",
            option_index=option_index(strike, data.ExchSecurityID),
        )
        contract.option_listed = tora_datetime(data.FirstDate, "00:00:00")
        contract.option_expiry = tora_datetime(last_date, "00:00:00")
        with self.lock:
            self.contracts[contract.symbol] = contract
        self.on_contract(contract)

    # -- orders ---------------------------------------------------------------------------------------------

    def _order_problem(self, req: OrderRequest) -> str:
        if self.closed:
            return CLOSED_REASON
        if not self.td.logged_in:
            return "not logged in to the trade front"
        if req.type not in ORDER_TYPE_TO_SP:
            return f"order type {req.type.value} cannot be sent to TORA's option trader (LIMIT, FAK, FOK)"
        problem = self.symbol_problem(req.symbol, req.exchange, self.td.contracts_loaded)
        problem = problem or self.amount_problem(req)
        if problem:
            return problem
        if req.offset not in OFFSET_TO_SP:
            return f"an option order needs Offset OPEN or CLOSE, not {req.offset.value or 'NONE'}"
        if req.direction not in DIRECTION_TO_SP:
            return f"direction {req.direction} cannot be sent to TORA's option trader"
        if not self.td.shareholders.get(req.exchange):
            return f"no shareholder account on {req.exchange.value} for this user"
        return ""

    def send_order(self, req: OrderRequest) -> str:
        check_request(req)
        # Under the lock until the request is with the SDK: the reports (engine thread, same lock) come after
        # SUBMITTING; a request the SDK refuses makes the order REJECTED.
        with self.lock:
            td = self.td
            ref = next(td.order_refs)
            order = req.create_order_data(f"{td.front_id}_{td.session_id}_{ref}", self.gateway_name)
            problem = self._order_problem(req)
            request: Any = None
            if not problem:
                shareholder = td.shareholders[req.exchange]

                def shape() -> Any:
                    price_type, time_condition, volume_condition = ORDER_TYPE_TO_SP[req.type]
                    return td.struct(
                        "ReqOrderInsert",
                        ExchangeID=EXCHANGE_TO_SP[req.exchange],
                        ShareholderID=shareholder,
                        SecurityID=req.symbol,
                        OrderPriceType=price_type,
                        Direction=DIRECTION_TO_SP[req.direction],
                        CombOffsetFlag=OFFSET_TO_SP[req.offset],
                        CombHedgeFlag=st.TORA_TSTP_SP_HF_Speculation,
                        TimeCondition=time_condition,
                        VolumeCondition=volume_condition,
                    )

                key = (req.symbol, req.exchange, shareholder, req.direction, req.offset, req.type)
                try:  # a prepared struct per kind of order: a send sets only reference, price and volume
                    request = self._order_shapes.copy(key, shape)
                    request.OrderRef, request.LimitPrice = ref, float(req.price)
                    request.VolumeTotalOriginal = int(req.volume)
                except ValueError as exc:  # a symbol too long for its char[N], naming the field
                    problem = str(exc)
            if problem:
                self.orders.reject(order, problem)
                return order.vt_orderid
            self.orders.order(order)
            result = td.request("ReqOrderInsert", request)
            if result == CLOSED:
                self.orders.reject(order, f"{CLOSED_REASON}: the order was not sent")
            elif result != 0:
                self.orders.reject(order, f"ReqOrderInsert returned {request_result(result)}")
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        check_request(req)
        ids = session_orderid(req.orderid)
        problem = ""
        if self.closed:
            problem = CLOSED_REASON
        elif ids is None:
            problem = "not a TORA order id (front_session_ref): it was never sent"
        elif req.exchange not in EXCHANGE_TO_SP:
            problem = f"exchange {req.exchange.value} is not TORA's option exchange"
        elif not self.td.logged_in:
            problem = "not logged in to the trade front"
        if problem:
            self.write_log(f"cannot cancel {req.orderid}: {problem}", ERROR)
            return
        assert ids is not None  # else a problem above
        front_id, session_id, ref = ids
        action = self.td.struct(
            "ReqOrderAction",
            ExchangeID=EXCHANGE_TO_SP[req.exchange],
            SecurityID=req.symbol,
            FrontID=front_id,
            SessionID=session_id,
            OrderRef=ref,
            OrderActionFlag=st.TORA_TSTP_SP_OAF_Delete,
        )
        result = self.td.request("ReqOrderAction", action)
        if result != 0:
            self.write_log(f"cancel of {req.orderid} failed: {request_result(result)}", ERROR)

    def order_event(self, data: Any) -> None:
        """An OnRtnOrder report (CTORATstpSPOrderField); then the trades that came before it, if any."""
        exchange, sys_id, orderid = self._order_report(data)
        if sys_id:  # after the order's report: a trade that came first follows it
            self.order_named(exchange, sys_id, orderid)

    def _order_report(self, data: Any) -> tuple[Exchange, str, str]:
        """The order of a report, pushed (what every report needs from one unpack; the rest of the fields
        only for an order not known here): (exchange, the exchange's order id, order id)."""
        fields = _read_sp_order(data)
        front_id, session_id, ref, exchange_code, sys_id, code, traded, day, time_of_day = fields
        orderid = f"{front_id}_{session_id}_{ref}"
        exchange = self.known(EXCHANGE_FROM_SP, exchange_code, "exchange", Exchange.LOCAL)
        status = self.known(STATUS_FROM_SP, code, "order status", Status.SUBMITTING)
        named = exchange, sys_id, orderid
        with self.lock:
            previous = self.orders.get(orderid)
            if previous is not None and status is previous.status and traded == previous.traded:
                return named  # a repeat (the first report of an order sent here restates SUBMITTING)
            moment = tora_datetime(day, time_of_day)
            reason = data.StatusMsg if status in (Status.REJECTED, Status.CANCELLED) else ""
            if status == Status.REJECTED and not reason:
                reason = "refused by the exchange"
            if previous is not None:
                self.orders.update(orderid, status, traded=traded, moment=moment, reason=reason)
                return named
            codes = (data.OrderPriceType, data.TimeCondition, data.VolumeCondition)
            order = OrderData(  # an order of another session, or replayed after a re-login
                gateway_name=self.gateway_name,
                symbol=data.SecurityID,
                exchange=exchange,
                orderid=orderid,
                type=ORDER_TYPE_FROM_SP.get(codes, OrderType.LIMIT),
                direction=DIRECTION_FROM_SP.get(data.Direction),
                offset=OFFSET_FROM_SP.get(data.CombOffsetFlag[:1], Offset.NONE),
                price=data.Price,
                volume=data.VolumeTotalOriginal,
                traded=traded,
                status=status,
                datetime=moment,
            )
            if reason:
                order.extra = {"reason": reason}
            self.orders.order(order)
        return named

    def insert_refused(self, data: Any, reason: str) -> None:
        """OnRspOrderInsert / OnErrRtnOrderInsert with an error: the order of this session is REJECTED."""
        orderid = f"{self.td.front_id}_{self.td.session_id}_{data.OrderRef}"
        with self.lock:
            sent = self.orders.get(orderid)
            if sent is None:
                self.write_log(f"order ref {data.OrderRef} refused: {reason}", ERROR)
            elif sent.status != Status.REJECTED:
                self.orders.reject(sent, reason or "refused by TORA")

    def trade_event(self, data: Any) -> None:
        """An OnRtnTrade report (CTORATstpSPTradeField): its order is found by the exchange's order id."""
        exchange = EXCHANGE_FROM_SP.get(data.ExchangeID, Exchange.LOCAL)
        orderid = self.trade_orderid(exchange, data.OrderSysID, data)
        if orderid is None:  # kept until its order's report
            return
        self.orders.trade(
            TradeData(
                gateway_name=self.gateway_name,
                symbol=data.SecurityID,
                exchange=exchange,
                orderid=orderid,
                tradeid=data.TradeID.strip(),
                direction=DIRECTION_FROM_SP.get(data.Direction),
                offset=OFFSET_FROM_SP.get(data.OffsetFlag, Offset.NONE),
                price=data.Price,
                volume=data.Volume,
                datetime=tora_datetime(data.TradeDate, data.TradeTime),
            )
        )

    # -- account and positions -------------------------------------------------------------------------------

    def update_account(self, data: Any) -> None:
        """Short positions' margin (CurrMargin) and what orders hold are frozen; UsefulMoney is available."""
        frozen = data.CurrMargin + data.FrozenMargin + data.FrozenCash + data.FrozenCommission
        account = AccountData(
            gateway_name=self.gateway_name,
            accountid=data.AccountID,
            balance=data.UsefulMoney + frozen,
            frozen=frozen,
        )
        self.on_account(account)

    def update_position(self, data: Any, is_last: bool) -> None:
        exchange = EXCHANGE_FROM_SP.get(data.ExchangeID) if data is not None else None
        if data is not None and data.SecurityID and exchange is not None:
            direction = POSITION_DIRECTION_FROM_SP.get(data.PosiDirection, Direction.NET)
            position = self.positions.position(data.SecurityID, exchange, direction)
            volume = data.HistoryPos + data.TodayPos
            size = data.UnderlyingMultiple or 1
            position.volume += volume
            position.yd_volume += data.HistoryPos
            position.frozen += data.HistoryPosFrozen + data.TodayPosFrozen
            value = data.LastPrice * volume * size
            position.pnl += (
                value - data.TotalPosCost if direction == Direction.LONG else data.TotalPosCost - value
            )
            position.price = data.TotalPosCost / (volume * size) if volume else 0.0
        if is_last:
            self.positions.finish()


__all__ = ["ToraOptionGateway"]
