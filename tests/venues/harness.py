"""Helpers for the end-to-end venue tests: an event recorder that waits on conditions (never on time),
captured log text for the secrecy checks, and connecting a gateway to a local venue with fast timing."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vtcore.engine import MainEngine
from vtcore.event import (
    EVENT_ACCOUNT,
    EVENT_CONTRACT,
    EVENT_GATEWAY_STATE,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_TICK,
    EVENT_TRADE,
    Event,
)

WAIT = 20.0  # generous: a condition normally holds within milliseconds


class Recorder:
    """Every event the engine dispatches, by type, for assertions from the test thread."""

    def __init__(self, main_engine: MainEngine) -> None:
        self._lock = threading.Condition()
        self.events: dict[str, list[Any]] = {}
        main_engine.event_engine.register_general(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.type.endswith(".") or event.type in (EVENT_LOG,):
            with self._lock:
                self.events.setdefault(event.type, []).append(event.data)
                self._lock.notify_all()

    def of(self, kind: str) -> list[Any]:
        with self._lock:
            return list(self.events.get(kind, []))

    def wait(self, predicate: Callable[[], Any], timeout: float = WAIT, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting for {what}")
                self._lock.wait(min(remaining, 0.05))

    # shortcuts
    def ticks(self, vt_symbol: str | None = None) -> list[Any]:
        return [t for t in self.of(EVENT_TICK) if vt_symbol is None or t.vt_symbol == vt_symbol]

    def orders(self, vt_orderid: str | None = None) -> list[Any]:
        return [o for o in self.of(EVENT_ORDER) if vt_orderid is None or o.vt_orderid == vt_orderid]

    def trades(self, vt_orderid: str | None = None) -> list[Any]:
        return [t for t in self.of(EVENT_TRADE) if vt_orderid is None or t.vt_orderid == vt_orderid]

    def contracts(self) -> list[Any]:
        return self.of(EVENT_CONTRACT)

    def accounts(self) -> list[Any]:
        return self.of(EVENT_ACCOUNT)

    def positions(self) -> list[Any]:
        return self.of(EVENT_POSITION)

    def logs(self) -> list[str]:
        return [log.msg for log in self.of(EVENT_LOG)]

    def states(self) -> list[Any]:
        return self.of(EVENT_GATEWAY_STATE)

    def last_order(self, vt_orderid: str) -> Any:
        orders = self.orders(vt_orderid)
        return orders[-1] if orders else None

    def reaches(self, vt_orderid: str, status: Any) -> Any:
        """Wait until the order's last pushed state has `status`; returns that OrderData."""
        return self.wait(
            lambda: (order := self.last_order(vt_orderid)) and order.status == status and order,
            what=f"{vt_orderid} {status.value}",
        )


def wait_until(predicate: Callable[[], Any], timeout: float = WAIT, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class LogCapture(logging.Handler):
    """Every formatted line that reaches the root logger (vtcore's filters run before it)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured_logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)


def run_sim(gateway: str, home: Path, duration: float = 3.0) -> str:
    """`vtcore run --sim --always-open --gateway GATEWAY --duration D` in a fresh process with its own HOME
    and VTCORE_HOME; asserts it ended well and returns what it printed."""
    env = {"HOME": str(home), "VTCORE_HOME": str(home / ".vntrader"), "PATH": "/usr/bin:/bin"}
    # --always-open: an SDK simulator ticks at any hour of the test run (venue peers ignore it)
    command = [sys.executable, "-m", "vtcore.cli", "run", "--sim", "--always-open", "--gateway", gateway]
    command += ["--duration", str(duration)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def connect_gateway(
    main_engine: MainEngine, gateway_class: type, setting: dict[str, Any]
) -> tuple[Recorder, Any]:
    """Add a venue gateway with fast timing (`Timing.fast()`, to match the local venues' heartbeats), connect
    it and wait for its "connected" log."""
    from vtcore.gateways._venue import Timing  # noqa: PLC0415 - the venues themselves import no gateway

    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(gateway_class)
    gateway.timing = Timing.fast()
    main_engine.connect(setting, gateway.gateway_name)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    return recorder, gateway


def binance_setting(venue: Any) -> dict[str, Any]:
    """A Binance gateway's setting for a local Binance venue (spot or futures), with the venue's test keys."""
    from vtcore.peers.binance import API_KEY, API_SECRET  # noqa: PLC0415

    return {
        "key": API_KEY,
        "secret": API_SECRET,
        "session_number": 3,
        "proxy_host": "",
        "proxy_port": 0,
        "server": "REAL",
        "base_url": venue.http_url,
    }


def okx_setting(venue: Any, gateway_class: type) -> dict[str, Any]:
    """An OKX gateway's setting for the local OKX venue, with the venue's test keys."""
    from vtcore.peers.okx import API_KEY, API_SECRET, PASSPHRASE  # noqa: PLC0415

    setting = dict(gateway_class.default_setting)
    setting.update(
        {
            "key": API_KEY,
            "secret": API_SECRET,
            "passphrase": PASSPHRASE,
            "server": "REAL",
            "base_url": venue.http_url,
        }
    )
    return setting


def connect_binance_spot(main_engine: MainEngine, venue: Any, **overrides: object) -> tuple[Recorder, Any]:
    from vtcore.gateways.binance import BinanceSpotGateway  # noqa: PLC0415

    setting = binance_setting(venue)
    setting.update(overrides)
    return connect_gateway(main_engine, BinanceSpotGateway, setting)


def connect_okx(
    main_engine: MainEngine, venue: Any, gateway_class: type | None = None, **overrides: object
) -> tuple[Recorder, Any]:
    from vtcore.gateways.okx import OkexGateway  # noqa: PLC0415

    setting = okx_setting(venue, gateway_class or OkexGateway)
    setting.update(overrides)
    return connect_gateway(main_engine, gateway_class or OkexGateway, setting)


def connect_htx(
    main_engine: MainEngine, venue: Any, gateway_class: type, **overrides: object
) -> tuple[Recorder, Any]:
    """Connect HUOBI or HBDM to its local venue (HTX's example key pair)."""
    from vtcore.peers.htx import API_KEY, API_SECRET  # noqa: PLC0415

    setting: dict[str, Any] = {**gateway_class.default_setting, "key": API_KEY, "secret": API_SECRET}
    setting["base_url"] = venue.http_url
    setting.update(overrides)
    return connect_gateway(main_engine, gateway_class, setting)
