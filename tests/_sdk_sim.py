"""Test helper: the gateway tests against a simulator front-end (tests/gateways/<sdk>/test_<sdk>_gateway.py):
the China futures account they trade (`futures_config`, `check_positions`), the connected session
(`sim_fixture`, `sim_session`, `wait_ready`) and the order helpers (`send`, `order_events`, `final`). The
engine, the recorder and the waits are `_ctp_engine`'s."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import Recorder, ctp_engine, wait_for
from vtcore.constant import Direction, Exchange, Offset, OrderType
from vtcore.engine import MainEngine
from vtcore.event import EVENT_ORDER
from vtcore.gateway import BaseGateway
from vtcore.gateways._sdk.sim import SimControl, write_config
from vtcore.object import OrderData, OrderRequest


def futures_config(
    folder: Path, account: Mapping[str, Any] | None = None, **sections: Any
) -> tuple[Path, Path]:
    """(config file, control port file) for a China futures simulator front-end (CTP, CTP-Mini, FEMAS): one
    account, "tester" / "sim-pass-7", holding yesterday's 3 rb2601 long and 2 m2601 short (see
    `check_positions`), on trading day 2026-11-30, 50 ticks a second; `account` adds fields to the
    account (its money, certification), `sections` replace whole sections."""
    port_file = folder / "control.port"
    config: dict[str, Any] = {
        "accounts": [
            {
                "user_id": "tester",
                "password": "sim-pass-7",
                **(account or {}),
                "positions": [
                    {"instrument": "rb2601", "direction": "long", "yesterday": 3},
                    {"instrument": "m2601", "direction": "short", "yesterday": 2},
                ],
            }
        ],
        "clock": {"trading_day": "20261130"},
        "market_data": {"rate": 50},
        "control": {"enabled": True, "port_file": str(port_file)},
    }
    config.update(sections)
    return write_config(folder / "sim.json", config), port_file


def check_positions(main_engine: MainEngine, gateway_name: str) -> None:
    """The positions of `futures_config`'s account and some money, as the gateway's polls report them."""
    rb = wait_for(lambda: main_engine.get_position(f"{gateway_name}.rb2601.SHFE.LONG"), what="rb position")
    assert (rb.volume, rb.yd_volume) == (3, 3)
    m = wait_for(lambda: main_engine.get_position(f"{gateway_name}.m2601.DCE.SHORT"), what="m position")
    assert (m.volume, m.yd_volume) == (2, 2)
    account = wait_for(lambda: main_engine.get_account(f"{gateway_name}.tester"), what="account")
    assert account.balance > 0 and account.available <= account.balance


def wait_ready(gateway: Any) -> None:
    """Until every front of the gateway (`fronts()`) is ready."""
    wait_for(lambda: all(front.state == "ready" for front in gateway.fronts()), what="every front ready")


@contextmanager
def sim_session(
    setting: dict[str, Any], gateway_class: type[BaseGateway], port_file: Path
) -> Iterator[tuple[MainEngine, Any, Recorder, SimControl]]:
    """The gateway connected to its simulator front-end with `setting`, every front ready, and the
    front-end's control socket (read from `port_file`); closed after."""
    with ctp_engine(setting, gateway_class) as (main_engine, gateway, recorder):
        wait_ready(gateway)
        # A front's state changes before the engine thread dispatches its event: the tests read the recorded
        # events, so wait for each front's "ready" there too.
        wait_for(
            lambda: all("ready" in recorder.states(front.name) for front in gateway.fronts()),
            what="every front's ready event recorded",
        )
        with SimControl.from_port_file(port_file) as control:
            yield main_engine, gateway, recorder, control


def sim_fixture(
    gateway_class: type[BaseGateway],
    make_config: Callable[[Path], tuple[Path, Path]],
    setting_for: Callable[[Path], dict[str, Any]],
) -> Any:
    """A test module's `sim` fixture: `sim_session` on a fresh simulator front-end (`make_config(tmp_path)` ->
    config and control port files, `setting_for(config)` -> the gateway's setting), with its own VTCORE_HOME
    (tmp_path/home: flow files and settings)."""

    @pytest.fixture()
    def sim(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[tuple[MainEngine, Any, Recorder, SimControl]]:
        monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
        config, port_file = make_config(tmp_path)
        with sim_session(setting_for(config), gateway_class, port_file) as session:
            yield session

    return sim


def send(  # noqa: PLR0917 - a terse order helper for the tests
    main_engine: MainEngine,
    symbol: str,
    exchange: Exchange,
    direction: Direction,
    volume: float,
    price: float,
    offset: Offset = Offset.OPEN,
    order_type: OrderType = OrderType.LIMIT,
) -> str:
    """An order to the engine's one gateway (`ctp_engine` adds one); its vt_orderid."""
    (gateway_name,) = main_engine.gateways
    request = OrderRequest(symbol, exchange, direction, order_type, volume, price, offset)
    return main_engine.send_order(request, gateway_name)


def order_events(recorder: Recorder, vt_orderid: str) -> list[OrderData]:
    """The order's events, in the order they were dispatched."""
    return [order for order in recorder.of(EVENT_ORDER) if order.vt_orderid == vt_orderid]


def final(recorder: Recorder, vt_orderid: str) -> OrderData | None:
    """The order's last event once it is no longer active (None before: what a test waits for)."""
    events = order_events(recorder, vt_orderid)
    return events[-1] if events and not events[-1].is_active() else None
