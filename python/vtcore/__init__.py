"""vtcore: vn.py's object model and API on a C++ lock-free event path."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vtcore")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

from vtcore.constant import (
    Currency,
    Direction,
    Exchange,
    Interval,
    Offset,
    OptionType,
    OrderType,
    Product,
    Status,
)
from vtcore.engine import BaseEngine, MainEngine
from vtcore.event import Event, EventEngine
from vtcore.gateway import BaseGateway
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

__all__ = [
    "AccountData",
    "BarData",
    "BaseEngine",
    "BaseGateway",
    "CancelRequest",
    "ContractData",
    "Currency",
    "Direction",
    "Event",
    "EventEngine",
    "Exchange",
    "GatewayStateData",
    "HistoryRequest",
    "Interval",
    "LogData",
    "MainEngine",
    "Offset",
    "OptionType",
    "OrderData",
    "OrderRequest",
    "OrderType",
    "PositionData",
    "Product",
    "QuoteData",
    "QuoteRequest",
    "Status",
    "SubscribeRequest",
    "TickData",
    "TradeData",
    "__version__",
]
