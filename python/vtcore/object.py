"""vn.py's data objects and requests, with vn.py's field names and constructors.

Differences from vn.py, each fixing one of its faults:
- derived ids (`vt_symbol`, `vt_orderid`, ...) are properties, so changing `gateway_name` or `symbol` never
  leaves them stale;
- `vt_positionid` embeds the locale-free `Direction` value ("CTP.rb2605.SHFE.LONG");
- parsing helpers split where the format allows it (`vt_symbol` from the right) and raise
  `InvalidIdentifierError` on malformed input;
- `TickData` is a Cython class (`vtcore._fast`) so the engine builds one from a C++ record in well under a
  microsecond; it takes the same keyword arguments as vn.py's dataclass. `TickBuilder` (also Cython) is the
  market state a REST/WebSocket gateway keeps per symbol, and makes each of its ticks by field copies;
- requests check their fields' types when built (`check_request`, which gateways run again when sent): a
  string where an enum belongs (`exchange="SHFE"`), a bool or a string as a volume or price, a symbol that is
  not encodable text, or `orderid=None` raise TypeError / ValueError at once, in the caller's thread, for
  `subscribe`, `send_order` and `cancel_order` alike (vn.py accepted them and failed later, or sent
  `volume=True` as one lot).
"""

from __future__ import annotations

import datetime as dt
import numbers
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from vtcore._fast import TICK_FIELDS as TICK_DATA_FIELDS
from vtcore._fast import TickBuilder, TickData
from vtcore.constant import (
    ACTIVE_STATUSES,
    Direction,
    Exchange,
    Interval,
    Offset,
    OptionType,
    OrderType,
    Product,
    Status,
)
from vtcore.errors import InvalidIdentifierError

__all__ = [
    "ACTIVE_STATUSES",
    "INFO",
    "TICK_DATA_FIELDS",
    "AccountData",
    "BarData",
    "BaseData",
    "CancelRequest",
    "ContractData",
    "GatewayStateData",
    "HistoryRequest",
    "LogData",
    "OrderData",
    "OrderRequest",
    "PositionData",
    "QuoteData",
    "QuoteRequest",
    "SubscribeRequest",
    "TickBuilder",
    "TickData",
    "TradeData",
    "check_request",
    "extract_vt_symbol",
    "generate_vt_symbol",
    "split_vt_id",
    "split_vt_positionid",
]

INFO = 20  # logging.INFO, vn.py's default LogData level
# TICK_DATA_FIELDS: TickData's constructor arguments in order (positional construction is the cheapest)


def generate_vt_symbol(symbol: str, exchange: Exchange) -> str:
    """`{symbol}.{exchange.value}`, e.g. "rb2605.SHFE"."""
    return f"{symbol}.{exchange.value}"


def extract_vt_symbol(vt_symbol: str) -> tuple[str, Exchange]:
    """(symbol, exchange) of a vt_symbol; the split is from the right, so symbols may contain dots."""
    symbol, dot, value = vt_symbol.rpartition(".")
    if not dot or not symbol:
        raise InvalidIdentifierError(f"not a vt_symbol (expected 'symbol.EXCHANGE'): {vt_symbol!r}")
    try:
        return symbol, Exchange(value)
    except ValueError:
        raise InvalidIdentifierError(f"unknown exchange {value!r} in vt_symbol {vt_symbol!r}") from None


def split_vt_id(vt_id: str) -> tuple[str, str]:
    """(gateway_name, local id) of a vt_orderid / vt_tradeid / vt_accountid / vt_quoteid.

    Gateway names never contain "." (MainEngine refuses them), so the split is at the first dot and the
    local id may contain dots (vn.py's two-way split broke on those).
    """
    gateway_name, dot, local_id = vt_id.partition(".")
    if not dot or not gateway_name or not local_id:
        raise InvalidIdentifierError(f"not a vt id (expected 'GATEWAY.id'): {vt_id!r}")
    return gateway_name, local_id


def split_vt_positionid(vt_positionid: str) -> tuple[str, str, Exchange, Direction]:
    """(gateway_name, symbol, exchange, direction) of a vt_positionid."""
    gateway_name, rest = split_vt_id(vt_positionid)
    vt_symbol, dot, direction = rest.rpartition(".")
    if not dot:
        raise InvalidIdentifierError(f"not a vt_positionid: {vt_positionid!r}")
    try:
        parsed_direction = Direction(direction)
    except ValueError:
        raise InvalidIdentifierError(
            f"unknown direction {direction!r} in vt_positionid {vt_positionid!r}"
        ) from None
    symbol, exchange = extract_vt_symbol(vt_symbol)
    return gateway_name, symbol, exchange, parsed_direction


@dataclass(slots=True)
class BaseData:
    """Parent of every pushed object. `extra` is free for the gateway (not a constructor argument)."""

    gateway_name: str
    extra: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)


class _SymbolMixin:
    __slots__ = ()
    symbol: str
    exchange: Exchange

    @property
    def vt_symbol(self) -> str:
        return f"{self.symbol}.{self.exchange.value}"


@dataclass(slots=True)
class BarData(_SymbolMixin, BaseData):
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


@dataclass(slots=True)
class OrderData(_SymbolMixin, BaseData):
    # The field order is vn.py's and is relied on: the order paths build OrderData positionally (a third of
    # a keyword call's cost); tests/core/test_objects.py holds the order.
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

    @property
    def vt_orderid(self) -> str:
        return f"{self.gateway_name}.{self.orderid}"

    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def create_cancel_request(self) -> CancelRequest:
        return CancelRequest(orderid=self.orderid, symbol=self.symbol, exchange=self.exchange)


@dataclass(slots=True)
class TradeData(_SymbolMixin, BaseData):
    symbol: str
    exchange: Exchange
    orderid: str
    tradeid: str
    direction: Direction | None = None
    offset: Offset = Offset.NONE
    price: float = 0
    volume: float = 0
    datetime: dt.datetime | None = None

    @property
    def vt_orderid(self) -> str:
        return f"{self.gateway_name}.{self.orderid}"

    @property
    def vt_tradeid(self) -> str:
        return f"{self.gateway_name}.{self.tradeid}"


@dataclass(slots=True)
class PositionData(_SymbolMixin, BaseData):
    symbol: str
    exchange: Exchange
    direction: Direction
    volume: float = 0
    frozen: float = 0
    price: float = 0
    pnl: float = 0
    yd_volume: float = 0

    @property
    def vt_positionid(self) -> str:
        return f"{self.gateway_name}.{self.symbol}.{self.exchange.value}.{self.direction.value}"


@dataclass(slots=True)
class AccountData(BaseData):
    accountid: str
    balance: float = 0
    frozen: float = 0
    # vn.py derives available = balance - frozen and lets a gateway overwrite it (CTP does): None = derived.
    available_override: float | None = field(default=None, repr=False)

    @property
    def available(self) -> float:
        if self.available_override is not None:
            return self.available_override
        return self.balance - self.frozen

    @available.setter
    def available(self, value: float) -> None:
        self.available_override = value

    @property
    def vt_accountid(self) -> str:
        return f"{self.gateway_name}.{self.accountid}"


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@dataclass(slots=True)
class LogData(BaseData):
    msg: str
    level: int = INFO
    time: dt.datetime = field(default_factory=_now, init=False)


@dataclass(slots=True)
class ContractData(_SymbolMixin, BaseData):
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


@dataclass(slots=True)
class QuoteData(_SymbolMixin, BaseData):
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

    @property
    def vt_quoteid(self) -> str:
        return f"{self.gateway_name}.{self.quoteid}"

    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def create_cancel_request(self) -> CancelRequest:
        return CancelRequest(orderid=self.quoteid, symbol=self.symbol, exchange=self.exchange)


@dataclass(slots=True)
class GatewayStateData(BaseData):
    """A gateway's connection state, pushed as EVENT_GATEWAY_STATE.

    `front` names the connection ("md", "td", "ws-public", ...), `state` is a short word ("connected",
    "logged_in", "disconnected", ...), `message` is human-readable detail.
    """

    front: str
    state: str
    message: str = ""


# -- requests ------------------------------------------------------------------------------------------------

#: Request field -> the enum it must hold (a str enum: a plain string would compare equal and then fail deep
#: inside a gateway, or be sent as it is).
_ENUM_FIELDS: dict[str, type[Enum]] = {
    "exchange": Exchange,
    "direction": Direction,
    "type": OrderType,
    "offset": Offset,
    "bid_offset": Offset,
    "ask_offset": Offset,
    "interval": Interval,
}
_NUMBER_FIELDS = ("volume", "price", "bid_price", "bid_volume", "ask_price", "ask_volume")
_TEXT_FIELDS = ("symbol", "orderid", "reference")
_CHECKED_FIELDS: dict[type, tuple[tuple[tuple[str, type[Enum]], ...], tuple[str, ...]]] = {}


def check_request(request: Any) -> None:
    """Raise TypeError (wrong type) or ValueError (text that cannot be encoded) naming the request's first bad
    field. Requests run it when built; gateways run it again when one is sent (a field may have been changed
    since)."""
    enums, numbers_ = _checked_fields(type(request))
    for field_name in _TEXT_FIELDS:
        value = getattr(request, field_name, "")
        if type(value) is str and value.isascii():  # the common case, settled without an encode
            continue
        if not isinstance(value, str):
            raise TypeError(
                f"{type(request).__name__}.{field_name} must be a str, not {type(value).__name__}"
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"{type(request).__name__}.{field_name} is not valid text (it holds a lone surrogate)"
            ) from None
    for field_name, enum in enums:
        value = getattr(request, field_name, None)
        if value is None and field_name in ("direction", "interval"):
            continue  # optional in vn.py's requests (a HistoryRequest without interval)
        if not isinstance(value, enum):
            hint = f"; use {enum.__name__}({value!r})" if isinstance(value, str) else ""
            raise TypeError(
                f"{type(request).__name__}.{field_name} must be a {enum.__name__} member, not "
                f"{type(value).__name__}{hint}"
            )
    for field_name in numbers_:
        value = getattr(request, field_name)
        if type(value) is float or type(value) is int:  # the common case: no ABC check
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"{type(request).__name__}.{field_name} must be a number, not {type(value).__name__}"
            )


def _checked_fields(cls: type) -> tuple[tuple[tuple[str, type[Enum]], ...], tuple[str, ...]]:
    """The enum and number fields `check_request` checks on requests of class `cls`, kept per class."""
    checked = _CHECKED_FIELDS.get(cls)
    if checked is None:
        fields = _request_fields(cls)
        checked = _CHECKED_FIELDS[cls] = (
            tuple((name, enum) for name, enum in _ENUM_FIELDS.items() if name in fields),
            tuple(name for name in _NUMBER_FIELDS if name in fields),
        )
    return checked


@dataclass(slots=True)
class SubscribeRequest(_SymbolMixin):
    symbol: str
    exchange: Exchange

    def __post_init__(self) -> None:
        check_request(self)


@dataclass(slots=True)
class OrderRequest(_SymbolMixin):
    symbol: str
    exchange: Exchange
    direction: Direction
    type: OrderType
    volume: float
    price: float = 0
    offset: Offset = Offset.NONE
    reference: str = ""

    def __post_init__(self) -> None:
        check_request(self)

    def create_order_data(self, orderid: str, gateway_name: str) -> OrderData:
        # positional (OrderData's field order): a third of the keyword call's cost, on send_order's path
        return OrderData(
            gateway_name,
            self.symbol,
            self.exchange,
            orderid,
            self.type,
            self.direction,
            self.offset,
            self.price,
            self.volume,
            0,
            Status.SUBMITTING,
            None,
            self.reference,
        )


@dataclass(slots=True)
class CancelRequest(_SymbolMixin):
    orderid: str
    symbol: str
    exchange: Exchange

    def __post_init__(self) -> None:
        check_request(self)


@dataclass(slots=True)
class HistoryRequest(_SymbolMixin):
    symbol: str
    exchange: Exchange
    start: dt.datetime
    end: dt.datetime | None = None
    interval: Interval | None = None

    def __post_init__(self) -> None:
        check_request(self)


@dataclass(slots=True)
class QuoteRequest(_SymbolMixin):
    symbol: str
    exchange: Exchange
    bid_price: float
    bid_volume: int
    ask_price: float
    ask_volume: int
    bid_offset: Offset = Offset.NONE
    ask_offset: Offset = Offset.NONE
    reference: str = ""

    def __post_init__(self) -> None:
        check_request(self)

    def create_quote_data(self, quoteid: str, gateway_name: str) -> QuoteData:
        return QuoteData(
            gateway_name=gateway_name,
            symbol=self.symbol,
            exchange=self.exchange,
            quoteid=quoteid,
            bid_price=self.bid_price,
            bid_volume=self.bid_volume,
            ask_price=self.ask_price,
            ask_volume=self.ask_volume,
            bid_offset=self.bid_offset,
            ask_offset=self.ask_offset,
            reference=self.reference,
        )


#: The fields each request class declares (check_request looks only at those).
_REQUEST_FIELDS: dict[type, frozenset[str]] = {}


def _request_fields(cls: type) -> frozenset[str]:
    """The field names of request class `cls`, a vtcore request or a gateway's subclass of one (IB's, ALPACA's
    OrderRequest with a stop price), kept per class."""
    fields = _REQUEST_FIELDS.get(cls)
    if fields is None:
        fields = _REQUEST_FIELDS[cls] = frozenset(getattr(cls, "__dataclass_fields__", ()))
    return fields
