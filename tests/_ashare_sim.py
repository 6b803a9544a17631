"""Test helper: a configuration of the simulator's A-share securities (the XTP and TORA front-ends; OES's too)
and waits on it through the control port."""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _ctp_engine import Recorder, ctp_engine, wait_for
from vtcore.gateways import load_gateway_class
from vtcore.gateways._sdk.sim import SimControl, write_config

USER, PASSWORD = "stock01", "sim-pass-8"
#: yesterday's holdings of the configured account: sellable today (T+1)
HOLDINGS = {"600000": 500, "000001": 300}


def ashare_config(folder: Path, *, credit: bool = False) -> tuple[Path, Path]:
    """(configuration, control port file): one account holding HOLDINGS since yesterday, prices still, the
    default securities (600000/600519/688981/510300 on SSE, 000001/300750/159915 on SZSE, 830799 on BSE)."""
    port_file = folder / "control.port"
    config = {
        "accounts": [
            {
                "user_id": USER,
                "password": PASSWORD,
                "balance": 1_000_000.0,
                "credit": credit,
                "positions": [
                    {"instrument": code, "yesterday": volume, "price": 10.0}
                    for code, volume in HOLDINGS.items()
                ],
            }
        ],
        "clock": {"trading_day": "20261130"},
        "market_data": {"rate": 20, "walk": False, "always_open": True},
        "control": {"enabled": True, "port_file": str(port_file)},
    }
    return write_config(folder / "sim.json", config), port_file


#: the option account's positions held since yesterday: (option, direction) -> volume
OPTION_HOLDINGS = {("10009001", "long"): 5, ("90005001", "short"): 2}


def sim_setting(name: str, config: Path | None = None) -> dict[str, Any]:
    """Gateway `name`'s (XTP, TORA) settings for its simulator: with `config`, as the configured account."""
    module = importlib.import_module(f"vtcore.gateways.{name.lower()}.sim")
    if config is None:
        return dict(module.simulator_setting())
    return dict(module.simulator_setting(config, USER, PASSWORD))


@contextlib.contextmanager
def ready_gateway(name: str, config: Path) -> Iterator[tuple[Any, Any, Recorder]]:
    """(main engine, gateway, recorder): `name` on its simulator with `config`, both fronts ready."""
    with ctp_engine(sim_setting(name, config), load_gateway_class(name)) as (main_engine, gateway, recorder):
        for front in ("md", "td"):
            wait_for(lambda front=front: "ready" in recorder.states(front), what=f"{front} ready")
        yield main_engine, gateway, recorder


def option_sim_config(folder: Path) -> tuple[Path, Path]:
    """(configuration, control port file) of TORA_OPTION's instruments (`vtcore.gateways.tora.sim`
    OPTION_INSTRUMENTS: ETF options of SSE and SZSE and their underlyings), one account holding
    OPTION_HOLDINGS, prices still."""
    from vtcore.gateways.tora.sim import option_config  # noqa: PLC0415 - the TORA package only when used

    port_file = folder / "control.port"
    positions = [
        {"instrument": code, "direction": direction, "yesterday": volume}
        for (code, direction), volume in OPTION_HOLDINGS.items()
    ]
    extra = {
        "accounts": [{"user_id": USER, "password": PASSWORD, "balance": 1_000_000.0, "positions": positions}],
        "clock": {"trading_day": "20261130"},
        "market_data": {"rate": 20, "walk": False, "always_open": True},
        "control": {"enabled": True, "port_file": str(port_file)},
    }
    return option_config(folder / "sim.json", extra), port_file


class Control:
    """The control port, opened once the gateway has loaded the simulator (the core starts with it)."""

    def __init__(self, port_file: Path, timeout: float = 30.0) -> None:
        self.port_file = port_file
        self.timeout = timeout
        self._control: SimControl | None = None

    def __call__(self) -> SimControl:
        if self._control is None:
            self._control = SimControl.from_port_file(self.port_file, timeout=self.timeout)
        return self._control

    def orders(self) -> int:
        """How many orders the exchange has received."""
        return int(self().status()["orders"])

    def front(self, kind: str) -> dict[str, Any]:
        return next(api for api in self().status()["apis"] if api["front"] == kind)

    def outage(self, during: Callable[[], None], front: str = "td") -> None:
        """Drop `front`, run `during`, and return once it has logged in again."""
        drops = self.front(front)["disconnects"]
        self().disconnect(front, reconnect_ms=300)
        deadline = time.monotonic() + self.timeout
        while self.front(front)["disconnects"] == drops:
            assert time.monotonic() < deadline, f"the {front} front was not dropped"
            time.sleep(0.01)
        during()
        while not ((status := self.front(front))["logged_in"] and status["connected"]):
            assert time.monotonic() < deadline, f"the {front} front did not log in again"
            time.sleep(0.02)

    def close(self) -> None:
        if self._control is not None:
            self._control.close()


class TradeReportFirst:
    """Reverses a TORA gateway's reports of the next fill: from `hold()` on, its order reports are held back
    until its trade report has been handled (the SDK may deliver them so), then handed over in order.
    `kept_at_trade` says whether the gateway kept the trade for its order's report instead of pushing it.
    With `until_released`, the held order reports wait for `release()` (call it on the engine thread)."""

    def __init__(self, gateway: Any, *, until_released: bool = False) -> None:
        self.gateway = gateway
        self.order_event, self.trade_event = gateway.order_event, gateway.trade_event
        self.until_released = until_released
        self.holding = False
        self.held: list[Any] = []
        self.kept_at_trade: bool | None = None
        gateway.order_event, gateway.trade_event = self._order, self._trade

    def hold(self) -> None:
        self.holding = True

    def _order(self, data: Any) -> None:
        if self.holding:
            self.held.append(data)  # a typed view over the report's own bytes: still valid later
        else:
            self.order_event(data)

    def _trade(self, data: Any) -> None:
        self.trade_event(data)
        if self.holding:
            self.holding = False
            self.kept_at_trade = bool(self.gateway.early_trades)
            if not self.until_released:
                self.release()

    def release(self) -> None:
        held, self.held = self.held, []
        for data_held in held:
            self.order_event(data_held)
