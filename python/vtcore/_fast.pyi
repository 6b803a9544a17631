# Stub for the Cython module vtcore._fast (python/vtcore/_fast.pyx).
import datetime as _dt
from collections.abc import Callable
from typing import Any, final

from typing_extensions import disjoint_base

from vtcore._core import ProducerMessage, TickRun
from vtcore.constant import CHINA_EXCHANGES as CHINA_EXCHANGES
from vtcore.constant import EXCHANGE_BY_CODE as EXCHANGE_BY_CODE
from vtcore.constant import Exchange
from vtcore.time import CHINA_TZ as CHINA_TZ
from vtcore.time import UTC as UTC
from vtcore.time import timezone_for as timezone_for

TICK_RECORD_SIZE: int
BUILD_INFO: dict[str, str | int]
TICK_FIELDS: tuple[str, ...]

@disjoint_base
class TickData:
    gateway_name: str
    symbol: str
    exchange: Exchange
    datetime: _dt.datetime | None
    localtime: _dt.datetime | None
    name: str
    volume: float
    turnover: float
    open_interest: float
    last_price: float
    last_volume: float
    limit_up: float
    limit_down: float
    open_price: float
    high_price: float
    low_price: float
    pre_close: float
    bid_price_1: float
    bid_price_2: float
    bid_price_3: float
    bid_price_4: float
    bid_price_5: float
    ask_price_1: float
    ask_price_2: float
    ask_price_3: float
    ask_price_4: float
    ask_price_5: float
    bid_volume_1: float
    bid_volume_2: float
    bid_volume_3: float
    bid_volume_4: float
    bid_volume_5: float
    ask_volume_1: float
    ask_volume_2: float
    ask_volume_3: float
    ask_volume_4: float
    ask_volume_5: float
    extra: dict[str, Any] | None
    trading_day: int
    def __init__(
        self,
        gateway_name: str,
        symbol: str,
        exchange: Exchange,
        datetime: _dt.datetime | None,
        name: str = "",
        volume: float = 0,
        turnover: float = 0,
        open_interest: float = 0,
        last_price: float = 0,
        last_volume: float = 0,
        limit_up: float = 0,
        limit_down: float = 0,
        open_price: float = 0,
        high_price: float = 0,
        low_price: float = 0,
        pre_close: float = 0,
        bid_price_1: float = 0,
        bid_price_2: float = 0,
        bid_price_3: float = 0,
        bid_price_4: float = 0,
        bid_price_5: float = 0,
        ask_price_1: float = 0,
        ask_price_2: float = 0,
        ask_price_3: float = 0,
        ask_price_4: float = 0,
        ask_price_5: float = 0,
        bid_volume_1: float = 0,
        bid_volume_2: float = 0,
        bid_volume_3: float = 0,
        bid_volume_4: float = 0,
        bid_volume_5: float = 0,
        ask_volume_1: float = 0,
        ask_volume_2: float = 0,
        ask_volume_3: float = 0,
        ask_volume_4: float = 0,
        ask_volume_5: float = 0,
        localtime: _dt.datetime | None = None,
    ) -> None: ...
    @property
    def vt_symbol(self) -> str: ...
    @property
    def datetime_ns(self) -> int: ...
    @property
    def localtime_ns(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __copy__(self) -> TickData: ...
    def __deepcopy__(self, memo: dict[int, Any]) -> TickData: ...

@disjoint_base
class SymbolInfo:
    def __init__(self, symbol: str, code: int, tick_prefix: str) -> None: ...
    @property
    def symbol(self) -> str: ...
    @property
    def exchange(self) -> Exchange | None: ...
    @property
    def vt_symbol(self) -> str: ...
    @property
    def tick_type(self) -> str: ...
    @property
    def code(self) -> int: ...
    name: str

@disjoint_base
class TickDecoder:
    def __init__(self, tick_prefix: str = "eTick.") -> None: ...
    def set_name(self, vt_symbol: str, name: str) -> None: ...
    def decode(self, record: bytes | bytearray | memoryview, gateway_name: str) -> TickData: ...

@disjoint_base
class Event:
    type: str
    data: Any
    def __init__(self, type: str, data: Any = None) -> None: ...

@disjoint_base
class Dispatcher:
    handlers: dict[str, tuple[Callable[[Event], None], ...]]
    general: tuple[Callable[[Event], None], ...]
    batch_handlers: tuple[Callable[..., None], ...]
    producers: dict[int, tuple[str, Callable[[int, int, bool, bytes], None] | None]]
    on_error: Callable[[Any, Event], None]
    on_unhandled_message: Callable[[int, int, int], None] | None
    view: Callable[[int, int], Any] | None
    buffer_address: int
    buffer_mask: int
    tick_type: str
    tick_symbol_handlers: bool
    ticks_dispatched: int
    @property
    def decoder(self) -> TickDecoder: ...
    def __init__(self, on_error: Callable[[Any, Event], None], tick_type: str = "eTick.") -> None: ...
    def set_tick_buffer(self, address: int, capacity: int, view: Callable[[int, int], Any]) -> None: ...
    def dispatch(self, event: Event) -> None: ...
    def dispatch_ticks(self, start: int, count: int, gateway_name: str) -> None: ...
    def dispatch_segments(self, segments: list[TickRun | ProducerMessage]) -> None: ...

def _datetime_from_ns(ns: int, tz: _dt.tzinfo = ...) -> _dt.datetime | None: ...

@final
class TickBuilder:
    """The latest market data of one symbol, kept in C; each update returns a new TickData."""

    def __init__(self, symbol: str, exchange: Exchange, gateway_name: str, name: str) -> None: ...
    @property
    def latest(self) -> TickData: ...
    def set(self, field: str, value: float) -> None: ...
    def top(
        self, bid: float, bid_volume: float, ask: float, ask_volume: float, exchange_ms: int = 0
    ) -> TickData: ...
    def last(self, price: float, volume: float, exchange_ms: int = 0) -> TickData: ...
    def levels(self, bids: Any, asks: Any, exchange_ms: int = 0) -> TickData: ...
    def json_levels(self, bids: Any, asks: Any, exchange_ms: int = 0) -> TickData: ...
    def ticker(
        self,
        last: float,
        bid: float,
        bid_volume: float,
        ask: float,
        ask_volume: float,
        open_price: float,
        high: float,
        low: float,
        volume: float,
        exchange_ms: int = 0,
    ) -> TickData: ...
    def stats(
        self,
        open_price: float,
        high: float,
        low: float,
        volume: float,
        turnover: float,
        exchange_ms: int = 0,
    ) -> TickData: ...
    def summary(
        self,
        last: float,
        last_volume: float,
        bid: float,
        bid_volume: float,
        ask: float,
        ask_volume: float,
        open_price: float,
        high: float,
        low: float,
        volume: float,
        turnover: float,
        exchange_ms: int = 0,
    ) -> TickData: ...
