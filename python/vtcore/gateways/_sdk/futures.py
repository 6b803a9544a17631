"""What the CTP-shaped China futures gateways share: the Thost family's (CTP, CTP-Mini) and FEMAS's.

Their SDKs name some fields and every code their own way, and each keeps that in its own mapping
(`_sdk/thost/mapping.py`, `femas/mapping.py`, handed to the gateway as a `FuturesCodes`). The logic is the
same: a market-data front and a trade front that log in with the setting's broker, user and password; a trade
front whose answers (authentication, instruments, account, positions, order and trade reports, refused
cancels) reach the gateway alike; orders checked against the SDK's order types, offsets and directions; order
and trade reports read from the fields both SDKs name alike (InstrumentID, ExchangeID, Direction, LimitPrice,
VolumeTraded, OffsetFlag, TradeID, ...), with what each names its own way passed in by its gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from logging import ERROR
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status
from vtcore.gateways._sdk.front import FtdcFront, FtdcMdFront, QueryPump, request_result
from vtcore.gateways._sdk.gateway import SdkGateway
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.log import secret_free_repr
from vtcore.object import ContractData, OrderData, OrderRequest, SubscribeRequest, TradeData
from vtcore.time import china_datetime


@dataclass(frozen=True)
class FuturesSetting:
    """The settings both SDK families' pages have (a gateway's setting class adds its own)."""

    username: str
    password: str
    brokerid: str
    td_address: str
    md_address: str
    product_info: str
    auth_code: str
    library_dir: str

    __repr__ = secret_free_repr  # no password, key or auth code in a log


@dataclass(frozen=True)
class FuturesCodes:
    """One SDK's codes as its gateway uses them (the tables live in the SDK's mapping module)."""

    #: what can be sent: vtcore value -> the SDK's code (an order type -> price type, time, volume condition)
    order_types: Mapping[OrderType, tuple[str, str, str]]
    offsets: Mapping[Offset, str]
    directions: Mapping[Direction, str]
    #: why an order type the SDK cannot express is refused, where "cannot be sent" would not say enough
    order_type_refusals: Mapping[OrderType, str]
    #: what is reported: the SDK's code -> vtcore value; the readers say whether the value is exact
    direction_from: Mapping[str, Direction]
    read_offset: Callable[[str], tuple[Offset, bool]]
    read_order_type: Callable[[str, str, str], tuple[OrderType, bool]]


class FuturesFront(FtdcFront):
    """A front of a CTP-shaped futures SDK: logs in with the setting's broker, user and password."""

    def __init__(self, gateway: FuturesGateway, requests: dict[str, Any]) -> None:
        super().__init__(gateway, gateway.decoder, requests)
        self.sdk = gateway.sdk  # its flow folder: <settings>/<sdk>_flow/<gateway>/<front>
        self.gateway: FuturesGateway = gateway
        self.setting: FuturesSetting | None = None

    def login(self) -> None:
        setting = self.setting
        assert setting is not None
        fields = {"BrokerID": setting.brokerid, "UserID": setting.username, "Password": setting.password}
        result = self.request("ReqUserLogin", fields)
        if result != 0:
            self.gateway.write_log(
                f"{self.name} front: login request failed: {request_result(result)}", ERROR
            )


class FuturesMdFront(FuturesFront, FtdcMdFront):
    """The market-data front: it logs in on every connection (FtdcMdFront restores the subscriptions)."""

    def on_connected(self) -> None:
        self.login()


class FuturesTdFront(FuturesFront):
    """The trade front: the answers whose handling does not depend on the SDK's field names. A subclass binds
    its SDK's authentication and account answers to `authentication_answered` / `account_answered` (the
    callbacks are named differently) and names the field of a refused cancel's record (`refused_cancel`)."""

    name = "td"
    #: the field of a refused cancel's record that names the order, and what the log calls it
    refused_cancel: ClassVar[tuple[str, str]]

    def __init__(self, gateway: FuturesGateway, requests: dict[str, Any]) -> None:
        super().__init__(gateway, requests)
        self.trading_day: date | None = None
        self.contracts_loaded = False
        self.queries = QueryPump(self, gateway.lock)  # one query at a time, at most one per second

    def authentication_answered(self, message: Message) -> None:
        if message.error is not None:
            self.reject("auth", message.error_text)
            return
        self.set_state("authenticated")
        self.login()

    def load_contracts(self) -> None:
        """Once logged in (and, per SDK, confirmed): the instruments, queried once per connect()."""
        if self.contracts_loaded:
            self.set_ready()
        else:
            self.queries.enqueue("ReqQryInstrument", {})

    def set_ready(self) -> None:
        self.set_state("ready")

    def on_rsp_qry_instrument(self, message: Message) -> None:
        self.gateway.log_error(message, "td front: instrument query")
        if message.data is not None:
            self.gateway.add_contract(message.data)
        if message.is_last:
            self.contracts_loaded = True
            self.set_state("contracts_loaded", f"{len(self.gateway.contracts)} contracts")
            self.set_ready()

    def account_answered(self, message: Message) -> None:
        self.gateway.log_error(message, "td front: account query")
        data: Any = message.data
        if data is not None and data.AccountID:
            self.gateway.update_account(data)

    def on_rsp_qry_investor_position(self, message: Message) -> None:
        self.gateway.position_message(message, "td front: position query", self.gateway.add_position)

    def on_rtn_order(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.update_order(message.data)

    def on_rtn_trade(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.update_trade(message.data)

    def on_rsp_order_action(self, message: Message) -> None:
        if message.error is not None:
            field, words = self.refused_cancel
            named = getattr(message.data, field) if message.data is not None else "?"
            self.gateway.write_log(f"cancel of {words} {named} refused: {message.error_text}", ERROR)

    on_err_rtn_order_action = on_rsp_order_action


class FuturesGateway(SdkGateway):
    """The shared half of the CTP-shaped futures gateways (see the module docstring): a subclass makes
    `decoder`, `md` and `td` in its __init__, gives its `codes` and reads its SDK's records."""

    sdk: ClassVar[str]  # "ctp", "mini", "femas": names the fronts' flow folders
    codes: ClassVar[FuturesCodes]
    decoder: Decoder  # of the SDK's generated `_<sdk>_types`: the fronts' messages
    md: FuturesMdFront
    td: FuturesTdFront

    def fronts(self) -> tuple[FuturesFront, ...]:
        return self.md, self.td

    def on_timer(self, now: float) -> None:
        self.td.queries.pump(now)
        self.poll(now, self.td.queries.idle)

    # -- what a subclass reads from its SDK's records -------------------------------------------------------

    def add_contract(self, data: Any) -> None:
        raise NotImplementedError

    def update_account(self, data: Any) -> None:
        raise NotImplementedError

    def add_position(self, data: Any) -> None:
        raise NotImplementedError

    def update_order(self, data: Any) -> None:
        raise NotImplementedError

    def update_trade(self, data: Any) -> None:
        raise NotImplementedError

    def order_insert_refused(self, data: Any, reason: str) -> None:
        """A refused insert (OnRspOrderInsert, OnErrRtnOrderInsert): `reject_refused_insert` its order."""
        raise NotImplementedError

    # -- market data ----------------------------------------------------------------------------------------

    def subscribe(self, req: SubscribeRequest) -> None:
        self.subscribe_on(self.md, req, self.td.contracts_loaded)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self.unsubscribe_on(self.md, req)

    # -- orders ---------------------------------------------------------------------------------------------

    def mapping_problem(self, req: OrderRequest) -> str:
        """Why the order's type, offset or direction has no code in the SDK (`codes`), or ""."""
        codes = self.codes
        if req.type not in codes.order_types:
            refusal = codes.order_type_refusals.get(req.type)
            return refusal or f"order type {req.type.value} cannot be sent to {self.title}"
        if req.offset not in codes.offsets:
            return (
                f"offset {req.offset.value or 'NONE'} cannot be sent to {self.title} "
                f"(use OPEN, CLOSE, CLOSETODAY or CLOSEYESTERDAY)"
            )
        if req.direction not in codes.directions:
            return f"direction {req.direction} cannot be sent to {self.title}"
        return ""

    def offset_of(self, code: str) -> Offset:
        """The offset an SDK offset flag names (the nearest, said once, for a flag vtcore has none for)."""
        offset, exact = self.codes.read_offset(code)
        if not exact:
            self.nearest(f"offset flag {code!r}")
        return offset

    def order_from_report(
        self,
        data: Any,
        orderid: str,
        status: Status,
        *,
        offset_code: str,
        volume: float,
        moment: datetime | None,
        reference: str = "",
    ) -> OrderData:
        """The order an order report (`data`) states, from the fields both SDKs name alike; the offset flag,
        the volume and the insert time are named differently and passed in."""
        codes = self.codes
        order_type, exact = codes.read_order_type(
            data.OrderPriceType, data.TimeCondition, data.VolumeCondition
        )
        if not exact:
            self.nearest(
                f"order type {data.OrderPriceType!r}/{data.TimeCondition!r}/{data.VolumeCondition!r}"
            )
        offset = self.offset_of(offset_code)
        return OrderData(
            gateway_name=self.gateway_name,
            symbol=data.InstrumentID,
            exchange=self.exchange_of(data.ExchangeID),
            orderid=orderid,
            type=order_type,
            direction=codes.direction_from.get(data.Direction),
            offset=offset,
            price=data.LimitPrice,
            volume=volume,
            traded=data.VolumeTraded,
            status=status,
            datetime=moment,
            reference=reference,
        )

    def reject_refused_insert(
        self, data: Any, orderid: str, reason: str, *, volume: float, offset: Offset = Offset.NONE
    ) -> None:
        """The SDK or the broker refused an order insert (`data`: the insert request as it was sent; call with
        the lock held): the order becomes REJECTED with `reason`, once; one this gateway does not know (sent
        by another session) is built from the request."""
        order = self.orders.get(orderid)
        if order is None:
            order = OrderData(
                gateway_name=self.gateway_name,
                symbol=data.InstrumentID,
                exchange=self.exchange_of(data.ExchangeID),
                orderid=orderid,
                direction=self.codes.direction_from.get(data.Direction),
                offset=offset,
                price=data.LimitPrice,
                volume=volume,
            )
        if order.status != Status.REJECTED:
            self.reject(order, reason)

    def push_trade(
        self, data: Any, orderid: str, *, price: float, volume: float, moment: datetime | None
    ) -> None:
        """Push the trade a trade report (`data`) states, from the fields both SDKs name alike; the price, the
        volume and the time are named differently and passed in. A replay after a re-login is dropped by the
        OrderTracker."""
        offset = self.offset_of(data.OffsetFlag)
        self.orders.trade(
            TradeData(
                gateway_name=self.gateway_name,
                symbol=data.InstrumentID,
                exchange=self.exchange_of(data.ExchangeID),
                orderid=orderid,
                tradeid=data.TradeID.strip(),
                direction=self.codes.direction_from.get(data.Direction),
                offset=offset,
                price=price,
                volume=volume,
                datetime=moment,
            )
        )

    # -- contracts ------------------------------------------------------------------------------------------

    def contract_from_instrument(
        self, data: Any, exchange: Exchange, product: Product, option_type: OptionType | None
    ) -> ContractData:
        """The contract an instrument record (`data`) describes, from the fields both SDKs name alike; the
        exchange, the product and an option's type are the SDK's codes, mapped by its gateway."""
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
            strike = data.StrikePrice
            contract.option_strike = strike
            contract.option_underlying = data.UnderlyingInstrID
            contract.option_type = option_type
            portfolio = data.ProductID
            # as vn.py reads it: CZCE's option ProductID is the portfolio with one more character
            contract.option_portfolio = portfolio[:-1] if exchange == Exchange.CZCE else portfolio
            contract.option_index = str(strike)
            contract.option_expiry = china_datetime(data.ExpireDate, "00:00:00", None)
        return contract

    def push_contract(self, contract: ContractData) -> None:
        self.contracts[contract.symbol] = contract
        self.on_contract(contract)


__all__ = [
    "FuturesCodes",
    "FuturesFront",
    "FuturesGateway",
    "FuturesMdFront",
    "FuturesSetting",
    "FuturesTdFront",
]
