"""What the contract suite and the peers that join it share: `Peer` (what a peer gives the tests) and
`Session` (one gateway connected to its peer). tests/contract/conftest.py says how a gateway joins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from venues.harness import LogCapture, Recorder
from vtcore.constant import Direction, Exchange, Offset, OrderType
from vtcore.engine import MainEngine
from vtcore.gateway import BaseGateway
from vtcore.object import OrderRequest

WAIT = 30.0


@dataclass
class Peer:
    """A running local peer and what the contract tests need to drive it (see the module docstring)."""

    gateway_class: type[BaseGateway]
    setting: dict[str, Any]
    symbol: str
    exchange: Exchange
    volume: float
    resting_price: float
    fill: Callable[[], None]
    rejected_order: Callable[[], OrderRequest]
    outage: Callable[[Callable[[], None]], None]
    secrets: list[str]
    positions: bool = True
    offset: Offset = Offset.NONE  # what a buy that opens a position carries (CTP: OPEN)
    tick: Callable[[], None] = lambda: None
    prepare: Callable[[Any], None] = lambda gateway: None
    gateway_name: str = ""

    def __post_init__(self) -> None:
        self.gateway_name = self.gateway_name or self.gateway_class.default_name

    @property
    def vt_symbol(self) -> str:
        return f"{self.symbol}.{self.exchange.value}"

    def buy(self, price: float, volume: float | None = None) -> OrderRequest:
        return OrderRequest(
            symbol=self.symbol,
            exchange=self.exchange,
            direction=Direction.LONG,
            type=OrderType.LIMIT,
            volume=self.volume if volume is None else volume,
            price=price,
            offset=self.offset,
        )


@dataclass
class Session:
    """One gateway connected to its peer through a MainEngine, with every event and log line recorded."""

    peer: Peer
    main_engine: MainEngine
    gateway: Any
    recorder: Recorder
    logs: LogCapture
    threads_before: set[threading.Thread] = field(default_factory=set)
    closed: bool = False

    def send(self, request: OrderRequest) -> str:
        return self.main_engine.send_order(request, self.peer.gateway_name)
