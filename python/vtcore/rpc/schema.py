"""Wire schemas: one msgspec Struct per data object, request and call, and the conversions to vtcore's
objects.

Every Struct mirrors the vn.py object of the same name field by field (same names, same order), with the enums
typed, so msgspec validates every field of every message it decodes: a wrong type, an unknown enum value or an
unknown call is refused before any vtcore object is built. Structs are encoded as msgpack arrays
(`array_like`) tagged with a short name, which keeps ticks small and fast to decode.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Annotated, Any, Generic, TypeVar, Union, get_args

import msgspec

from vtcore.constant import Direction, Exchange, Interval, Offset, OptionType, OrderType, Product, Status
from vtcore.log import mask_secrets
from vtcore.object import (
    AccountData,
    BarData,
    CancelRequest,
    ContractData,
    GatewayStateData,
    HistoryRequest,
    LogData,
    OrderData,
    OrderRequest,
    PositionData,
    QuoteData,
    QuoteRequest,
    SubscribeRequest,
    TickData,
    TradeData,
)
from vtcore.rpc.protocol import Call
from vtcore.time import UTC, timezone_for

# -- data objects --------------------------------------------------------------------------------------------


class Msg(msgspec.Struct, array_like=True, tag_field="t", forbid_unknown_fields=True, gc=False):
    """Base of the data Structs (no reference cycles are possible, so they skip the garbage collector)."""


class TickMsg(Msg, tag="tick"):
    gateway_name: str
    symbol: str
    exchange: Exchange
    datetime: dt.datetime | None
    name: str = ""
    volume: float = 0
    turnover: float = 0
    open_interest: float = 0
    last_price: float = 0
    last_volume: float = 0
    limit_up: float = 0
    limit_down: float = 0
    open_price: float = 0
    high_price: float = 0
    low_price: float = 0
    pre_close: float = 0
    bid_price_1: float = 0
    bid_price_2: float = 0
    bid_price_3: float = 0
    bid_price_4: float = 0
    bid_price_5: float = 0
    ask_price_1: float = 0
    ask_price_2: float = 0
    ask_price_3: float = 0
    ask_price_4: float = 0
    ask_price_5: float = 0
    bid_volume_1: float = 0
    bid_volume_2: float = 0
    bid_volume_3: float = 0
    bid_volume_4: float = 0
    bid_volume_5: float = 0
    ask_volume_1: float = 0
    ask_volume_2: float = 0
    ask_volume_3: float = 0
    ask_volume_4: float = 0
    ask_volume_5: float = 0
    localtime: dt.datetime | None = None


class BarMsg(Msg, tag="bar"):
    gateway_name: str
    symbol: str
    exchange: Exchange
    datetime: dt.datetime
    interval: Interval | None = None
    volume: float = 0
    turnover: float = 0
    open_interest: float = 0
    open_price: float = 0
    high_price: float = 0
    low_price: float = 0
    close_price: float = 0


class OrderMsg(Msg, tag="order"):
    gateway_name: str
    symbol: str
    exchange: Exchange
    orderid: str
    type: OrderType = OrderType.LIMIT
    direction: Direction | None = None
    offset: Offset = Offset.NONE
    price: float = 0
    volume: float = 0
    traded: float = 0
    status: Status = Status.SUBMITTING
    datetime: dt.datetime | None = None
    reference: str = ""
    #: why the order was rejected or ended (`OrderData.extra["reason"]`), masked (`mask_secrets`) on the way
    #: out and on the way in; the one field vn.py's OrderData does not have
    reason: str = ""


class TradeMsg(Msg, tag="trade"):
    gateway_name: str
    symbol: str
    exchange: Exchange
    orderid: str
    tradeid: str
    direction: Direction | None = None
    offset: Offset = Offset.NONE
    price: float = 0
    volume: float = 0
    datetime: dt.datetime | None = None


class PositionMsg(Msg, tag="position"):
    gateway_name: str
    symbol: str
    exchange: Exchange
    direction: Direction
    volume: float = 0
    frozen: float = 0
    price: float = 0
    pnl: float = 0
    yd_volume: float = 0


class AccountMsg(Msg, tag="account"):
    gateway_name: str
    accountid: str
    balance: float = 0
    frozen: float = 0
    available_override: float | None = None


class LogMsg(Msg, tag="log"):
    gateway_name: str
    msg: str
    level: int = 20
    time: dt.datetime | None = None


class ContractMsg(Msg, tag="contract"):
    gateway_name: str
    symbol: str
    exchange: Exchange
    name: str
    product: Product
    size: float
    pricetick: float
    min_volume: float = 1
    max_volume: float | None = None
    stop_supported: bool = False
    net_position: bool = False
    history_data: bool = False
    option_strike: float | None = None
    option_underlying: str | None = None
    option_type: OptionType | None = None
    option_listed: dt.datetime | None = None
    option_expiry: dt.datetime | None = None
    option_portfolio: str | None = None
    option_index: str | None = None


class QuoteMsg(Msg, tag="quote"):
    gateway_name: str
    symbol: str
    exchange: Exchange
    quoteid: str
    bid_price: float = 0.0
    bid_volume: int = 0
    ask_price: float = 0.0
    ask_volume: int = 0
    bid_offset: Offset = Offset.NONE
    ask_offset: Offset = Offset.NONE
    status: Status = Status.SUBMITTING
    datetime: dt.datetime | None = None
    reference: str = ""


class GatewayStateMsg(Msg, tag="gateway_state"):
    gateway_name: str
    front: str
    state: str
    message: str = ""


DataMsg = Union[  # noqa: UP007 (msgspec reads the union at run time)
    TickMsg,
    BarMsg,
    OrderMsg,
    TradeMsg,
    PositionMsg,
    AccountMsg,
    LogMsg,
    ContractMsg,
    QuoteMsg,
    GatewayStateMsg,
]

# -- requests ------------------------------------------------------------------------------------------------


class ReqMsg(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """Base of the request Structs (requests have no gateway_name: the call names the gateway)."""


class SubscribeReq(ReqMsg):
    symbol: str
    exchange: Exchange


class OrderReq(ReqMsg):
    symbol: str
    exchange: Exchange
    direction: Direction
    type: OrderType
    volume: float
    price: float = 0
    offset: Offset = Offset.NONE
    reference: str = ""


class CancelReq(ReqMsg):
    orderid: str
    symbol: str
    exchange: Exchange


class HistoryReq(ReqMsg):
    symbol: str
    exchange: Exchange
    start: dt.datetime
    end: dt.datetime | None = None
    interval: Interval | None = None


class QuoteReq(ReqMsg):
    symbol: str
    exchange: Exchange
    bid_price: float
    bid_volume: int
    ask_price: float
    ask_volume: int
    bid_offset: Offset = Offset.NONE
    ask_offset: Offset = Offset.NONE
    reference: str = ""


# -- conversions ---------------------------------------------------------------------------------------------

O = TypeVar("O")  # noqa: E741 (object type)
M = TypeVar("M", bound=msgspec.Struct)


class Codec(Generic[O, M]):
    """Converts between one vtcore class and its Struct, field by field (both share names and order)."""

    def __init__(self, object_class: type[O], msg_class: type[M], *, after_init: Sequence[str] = ()) -> None:
        self.object_class = object_class
        self.msg_class = msg_class
        self.fields: tuple[str, ...] = msg_class.__struct_fields__
        self._get = attrgetter(*self.fields)
        self._after_init = tuple(after_init)  # object fields that are not constructor arguments
        self._init_fields = tuple(name for name in self.fields if name not in self._after_init)
        self._datetimes = tuple(
            field.name
            for field in msgspec.structs.fields(msg_class)
            if field.type is dt.datetime or dt.datetime in get_args(field.type)
        )

    def to_msg(self, obj: O) -> M:
        return self.msg_class(*self._get(obj))

    def to_object(self, msg: M, gateway_name: str | None = None) -> O:
        """The vtcore object for `msg`; `gateway_name` replaces the remote one (the RPC gateway's local
        name)."""
        values = self._values(msg)
        if gateway_name is not None and "gateway_name" in values:
            values["gateway_name"] = gateway_name
        if self._datetimes:
            # msgpack carries aware datetimes as UTC instants: put them back in the exchange's zone (the
            # zone vtcore uses for that exchange), or in local time for objects without an exchange (logs).
            zone = timezone_for(values["exchange"]) if "exchange" in values else None
            for name in self._datetimes:
                when = values[name]
                if when is not None and when.tzinfo is not None:
                    values[name] = when.astimezone(zone)
        late = {name: values.pop(name) for name in self._after_init}
        obj = self.object_class(**values)
        for name, value in late.items():
            if value is not None:
                setattr(obj, name, value)
        return obj

    def _values(self, msg: M) -> dict[str, Any]:
        return dict(zip(self.fields, msgspec.structs.astuple(msg), strict=True))


class OrderCodec(Codec[OrderData, OrderMsg]):
    """Orders also carry the reason of a rejection (`extra["reason"]`), masked both ways like log text, so a
    client sees why the server's gateway refused an order, never a secret."""

    def __init__(self) -> None:
        super().__init__(OrderData, OrderMsg)
        self.fields = tuple(name for name in self.fields if name != "reason")  # not an OrderData attribute
        self._get = attrgetter(*self.fields)

    def to_msg(self, obj: OrderData) -> OrderMsg:
        reason = (obj.extra or {}).get("reason")
        msg = self.msg_class(*self._get(obj))
        if reason:
            msg.reason = mask_secrets(str(reason))
        return msg

    def to_object(self, msg: OrderMsg, gateway_name: str | None = None) -> OrderData:
        order = super().to_object(msg, gateway_name)
        if msg.reason:
            order.extra = {"reason": mask_secrets(msg.reason)}
        return order

    def _values(self, msg: OrderMsg) -> dict[str, Any]:
        return dict(zip(self.fields, msgspec.structs.astuple(msg)[:-1], strict=True))  # all but the reason


class TickCodec(Codec[TickData, TickMsg]):
    """Ticks are the hot path: positional construction, and datetimes put back in the exchange's timezone."""

    def __init__(self) -> None:
        super().__init__(TickData, TickMsg)
        # msgpack carries aware datetimes as UTC instants: convert back only where the zone is not UTC.
        self._zones: dict[Exchange, dt.tzinfo | None] = {
            exchange: None if timezone_for(exchange) is UTC else timezone_for(exchange)
            for exchange in Exchange
        }

    def to_object(self, msg: TickMsg, gateway_name: str | None = None) -> TickData:
        values = list(msgspec.structs.astuple(msg))
        if gateway_name is not None:
            values[0] = gateway_name
        tz = self._zones[msg.exchange]
        if tz is not None:
            when = msg.datetime
            if when is not None and when.tzinfo is not None:
                values[3] = when.astimezone(tz)
            when = msg.localtime
            if when is not None and when.tzinfo is not None:
                values[-1] = when.astimezone(tz)
        return TickData(*values)


class TextCodec(Codec[O, M]):
    """For objects that carry free text (log lines, state messages): the text is masked (`mask_secrets`)
    when it is put on the wire and again when it is taken off it, so neither the server's secrets nor a
    `password=...` a server let through reach a client's log files."""

    def __init__(
        self,
        object_class: type[O],
        msg_class: type[M],
        *,
        text: Sequence[str],
        after_init: Sequence[str] = (),
    ) -> None:
        super().__init__(object_class, msg_class, after_init=after_init)
        self._text = tuple(text)

    def to_msg(self, obj: O) -> M:
        return self._masked(super().to_msg(obj))

    def to_object(self, msg: M, gateway_name: str | None = None) -> O:
        return super().to_object(self._masked(msg), gateway_name)

    def _masked(self, msg: M) -> M:
        changes = {name: mask_secrets(getattr(msg, name)) for name in self._text}
        return msgspec.structs.replace(msg, **changes)


TICK = TickCodec()
BAR: Codec[BarData, BarMsg] = Codec(BarData, BarMsg)
ORDER: Codec[OrderData, OrderMsg] = OrderCodec()
TRADE: Codec[TradeData, TradeMsg] = Codec(TradeData, TradeMsg)
POSITION: Codec[PositionData, PositionMsg] = Codec(PositionData, PositionMsg)
ACCOUNT: Codec[AccountData, AccountMsg] = Codec(AccountData, AccountMsg)
LOG: Codec[LogData, LogMsg] = TextCodec(LogData, LogMsg, text=("msg",), after_init=("time",))
CONTRACT: Codec[ContractData, ContractMsg] = Codec(ContractData, ContractMsg)
QUOTE: Codec[QuoteData, QuoteMsg] = Codec(QuoteData, QuoteMsg)
GATEWAY_STATE: Codec[GatewayStateData, GatewayStateMsg] = TextCodec(
    GatewayStateData, GatewayStateMsg, text=("message",)
)
SUBSCRIBE_REQ: Codec[SubscribeRequest, SubscribeReq] = Codec(SubscribeRequest, SubscribeReq)
ORDER_REQ: Codec[OrderRequest, OrderReq] = Codec(OrderRequest, OrderReq)
CANCEL_REQ: Codec[CancelRequest, CancelReq] = Codec(CancelRequest, CancelReq)
HISTORY_REQ: Codec[HistoryRequest, HistoryReq] = Codec(HistoryRequest, HistoryReq)
QUOTE_REQ: Codec[QuoteRequest, QuoteReq] = Codec(QuoteRequest, QuoteReq)

#: vtcore data class -> its codec, for publishing any event whose data has a schema.
DATA_CODECS: dict[type, Codec[Any, Any]] = {
    codec.object_class: codec
    for codec in (TICK, BAR, ORDER, TRADE, POSITION, ACCOUNT, LOG, CONTRACT, QUOTE, GATEWAY_STATE)
}
#: Struct class -> codec, for turning decoded messages back into objects.
MSG_CODECS: dict[type, Codec[Any, Any]] = {codec.msg_class: codec for codec in DATA_CODECS.values()}


def to_msg(data: Any) -> Any:
    """The Struct for a vtcore data object; KeyError when the object's class has no schema."""
    codec: Codec[Any, Any] = DATA_CODECS[type(data)]
    return codec.to_msg(data)


def to_object(msg: Any, gateway_name: str | None = None) -> Any:
    codec: Codec[Any, Any] = MSG_CODECS[type(msg)]
    return codec.to_object(msg, gateway_name)


def optional(codec: Codec[Any, Any]) -> Callable[[Any], Any]:
    return lambda obj: None if obj is None else codec.to_msg(obj)


# -- publications --------------------------------------------------------------------------------------------


class Publication(msgspec.Struct, array_like=True, tag_field="k", tag="e", forbid_unknown_fields=True):
    """One event. `seq` numbers the ordered stream (every event but ticks) or, for ticks, the tick stream."""

    epoch: int
    seq: int
    type: str
    data: DataMsg


class TickRecords(msgspec.Struct, array_like=True, tag_field="k", tag="r", forbid_unknown_fields=True):
    """A run of ticks from a C++ producer as raw `vtcore::TickRecord`s (the fixed layout of records.hpp).

    `records` is `count * record_size` bytes; the receiver checks both against its own record size before
    reading, and reads the bytes as fixed-size numbers and char arrays only (nothing in them is executed).
    """

    epoch: int
    seq: int  # tick sequence number of the first record
    gateway_name: str
    record_size: int
    records: bytes


class TickBatch(msgspec.Struct, array_like=True, tag_field="k", tag="b", forbid_unknown_fields=True):
    """Ticks pushed from Python, coalesced per engine pass; `seq` is the tick sequence number of the first."""

    epoch: int
    seq: int
    ticks: list[TickMsg]


PublicationMsg = Union[Publication, TickRecords, TickBatch]  # noqa: UP007

# -- calls (tag = MainEngine method name) --------------------------------------------------------------------


class Subscribe(Call, tag="subscribe"):
    req: SubscribeReq
    gateway_name: str


class Unsubscribe(Call, tag="unsubscribe"):
    req: SubscribeReq
    gateway_name: str


#: Longest client-chosen send_order key the server accepts.
MAX_SEND_KEY = 64


class SendOrder(Call, tag="send_order"):
    """`key` (chosen by the client, unique per order) makes the call idempotent: the server runs the first
    call with a key and answers every later one with the same outcome, so a client can retry a send_order
    that timed out without ever sending the order twice. `epoch` (retries only; 0 = any) is the server epoch
    the first copy went to: a server of another epoch that never saw the key refuses it, since the earlier
    server may have sent the order."""

    req: OrderReq
    gateway_name: str
    key: Annotated[str, msgspec.Meta(max_length=MAX_SEND_KEY)] = ""
    epoch: int = 0


class CancelOrder(Call, tag="cancel_order"):
    req: CancelReq
    gateway_name: str


class SendQuote(Call, tag="send_quote"):
    req: QuoteReq
    gateway_name: str


class CancelQuote(Call, tag="cancel_quote"):
    req: CancelReq
    gateway_name: str


class QueryHistory(Call, tag="query_history"):
    unordered = True
    req: HistoryReq
    gateway_name: str


class GetById(Call):
    """The get_<object>(vt_id) family: read the server's OMS."""

    inline = True
    vt_id: str


class GetTick(GetById, tag="get_tick"):
    pass


class GetOrder(GetById, tag="get_order"):
    pass


class GetTrade(GetById, tag="get_trade"):
    pass


class GetPosition(GetById, tag="get_position"):
    pass


class GetAccount(GetById, tag="get_account"):
    pass


class GetContract(GetById, tag="get_contract"):
    pass


class GetQuote(GetById, tag="get_quote"):
    pass


class GetAll(Call):
    """The get_all_<objects>() family."""

    inline = True


class GetAllTicks(GetAll, tag="get_all_ticks"):
    pass


class GetAllOrders(GetAll, tag="get_all_orders"):
    pass


class GetAllTrades(GetAll, tag="get_all_trades"):
    pass


class GetAllPositions(GetAll, tag="get_all_positions"):
    pass


class GetAllAccounts(GetAll, tag="get_all_accounts"):
    pass


class GetAllContracts(GetAll, tag="get_all_contracts"):
    pass


class GetAllQuotes(GetAll, tag="get_all_quotes"):
    pass


class GetAllActiveOrders(GetAll, tag="get_all_active_orders"):
    pass


class GetAllActiveQuotes(GetAll, tag="get_all_active_quotes"):
    pass


class GetAllGatewayNames(GetAll, tag="get_all_gateway_names"):
    pass


class GetSnapshot(Call, tag="snapshot"):
    """The whole trading state and the ordered-stream sequence number it is consistent with."""


class Snapshot(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    epoch: int
    seq: int  # the state reflects exactly the ordered events numbered up to seq
    gateway_names: list[str]
    contracts: list[ContractMsg]
    accounts: list[AccountMsg]
    positions: list[PositionMsg]
    orders: list[OrderMsg]
    trades: list[TradeMsg]
    quotes: list[QuoteMsg]


#: (call, MainEngine method, codec of the result or None)
GET_BY_ID: tuple[tuple[type[GetById], str, Codec[Any, Any]], ...] = (
    (GetTick, "get_tick", TICK),
    (GetOrder, "get_order", ORDER),
    (GetTrade, "get_trade", TRADE),
    (GetPosition, "get_position", POSITION),
    (GetAccount, "get_account", ACCOUNT),
    (GetContract, "get_contract", CONTRACT),
    (GetQuote, "get_quote", QUOTE),
)
GET_ALL: tuple[tuple[type[GetAll], str, Codec[Any, Any] | None], ...] = (
    (GetAllTicks, "get_all_ticks", TICK),
    (GetAllOrders, "get_all_orders", ORDER),
    (GetAllTrades, "get_all_trades", TRADE),
    (GetAllPositions, "get_all_positions", POSITION),
    (GetAllAccounts, "get_all_accounts", ACCOUNT),
    (GetAllContracts, "get_all_contracts", CONTRACT),
    (GetAllQuotes, "get_all_quotes", QUOTE),
    (GetAllActiveOrders, "get_all_active_orders", ORDER),
    (GetAllActiveQuotes, "get_all_active_quotes", QUOTE),
    (GetAllGatewayNames, "get_all_gateway_names", None),
)
CALLS: tuple[type[Call], ...] = (
    Subscribe,
    Unsubscribe,
    SendOrder,
    CancelOrder,
    SendQuote,
    CancelQuote,
    QueryHistory,
    GetSnapshot,
    *(entry[0] for entry in GET_BY_ID),
    *(entry[0] for entry in GET_ALL),
)
