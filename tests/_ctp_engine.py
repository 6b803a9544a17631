"""Test helper: MainEngine + a Thost-family gateway (CtpGateway, MiniGateway), an event recorder and condition
waits (never sleep and hope)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from vtcore.engine import MainEngine
from vtcore.event import EVENT_GATEWAY_STATE, EVENT_LOG, Event, EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways.ctp import CtpGateway

TIMEOUT = 60.0  # generous: a condition is waited for, never assumed to hold after a fixed delay


class Recorder:
    """Every event the engine dispatches, by type prefix."""

    def __init__(self, event_engine: EventEngine) -> None:
        self._lock = threading.Lock()
        self.events: list[Event] = []
        event_engine.register_general(self._record)

    def _record(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, type_: str) -> list[Any]:
        with self._lock:
            return [event.data for event in self.events if event.type == type_]

    def states(self, front: str) -> list[str]:
        return [state.state for state in self.of(EVENT_GATEWAY_STATE) if state.front == front]

    def logs(self) -> list[str]:
        return [log.msg for log in self.of(EVENT_LOG)]


def wait_for(condition: Callable[[], Any], timeout: float = TIMEOUT, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


@contextmanager
def ctp_engine(
    setting: dict[str, Any] | None = None,
    gateway_class: type[BaseGateway] = CtpGateway,
    **gateway_attributes: Any,
) -> Iterator[tuple[MainEngine, Any, Recorder]]:
    """A started engine with a `gateway_class` gateway under its default name ("CTP", "MINI"); connected when
    `setting` is given; closed after."""
    event_engine = EventEngine(interval=0.2)
    main_engine = MainEngine(event_engine)
    name = gateway_class.default_name
    gateway = main_engine.add_gateway(gateway_class, name)
    for attribute, value in gateway_attributes.items():
        setattr(gateway, attribute, value)
    recorder = Recorder(event_engine)
    try:
        if setting is not None:
            main_engine.connect(setting, name)
        yield main_engine, gateway, recorder
    finally:
        main_engine.close()
