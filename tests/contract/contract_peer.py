"""What the contract suite and the peers that join it share: `Peer` (what a peer gives the tests) and
`Session` (one gateway connected to its peer). tests/contract/conftest.py says how a gateway joins."""

from __future__ import annotations

import threading
import time
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


def stream_outage(venue: Any, kinds: tuple[str, ...]) -> Callable[[Callable[[], None]], None]:
    """A `Peer.outage` for a local venue (`vtcore.peers.base.VenueServer`) whose private streams are sessions
    of `kinds` that set `state["authed"]` once authenticated: refuse new streams, cut those of `kinds`, run
    `during`, let them back, and return once each is authenticated again."""

    def outage(during: Callable[[], None]) -> None:
        venue.faults.refuse_ws = True
        for kind in kinds:
            venue.drop_connections(kind)
        during()
        venue.faults.refuse_ws = False
        deadline = time.monotonic() + WAIT
        while venue.run(
            lambda: sum(1 for s in venue.sessions if s.kind in kinds and s.state.get("authed"))
        ) < len(kinds):
            assert time.monotonic() < deadline, "the private streams did not come back"
            time.sleep(0.02)

    return outage
