"""CTP on the CTP simulator libraries, loaded in this process (cpp/ctp_sim), steered by its control port."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, Offset, OrderType
from vtcore.object import OrderRequest

SYMBOL, PRICE = "rb2601", 3100.0


def sim_config(folder: Path) -> tuple[Path, Path]:
    """(configuration, control port file) of a quiet simulator: one account holding nothing, prices still."""
    from vtcore.gateways.ctp import sim  # noqa: PLC0415 - only where the simulator is built

    port_file = folder / "control.port"
    config = {
        "accounts": [{"user_id": "tester", "password": "sim-pass-7"}],
        "clock": {"trading_day": "20261130"},
        "market_data": {"rate": 20, "walk": False},
        "control": {"enabled": True, "port_file": str(port_file)},
    }
    return sim.write_config(folder / "sim.json", config), port_file


def td_status(control: Any) -> dict[str, Any]:
    return next(api for api in control.status()["apis"] if api["front"] == "td")


def ctp_outage(control: Callable[[], Any]) -> Callable[[Callable[[], None]], None]:
    """Drop the trade front, run `during`, and return once the front has logged in again (the private flow,
    replayed from the start of the day on every login, then follows)."""

    def run(during: Callable[[], None]) -> None:
        drops = td_status(control())["disconnects"]
        control().disconnect("td", reconnect_ms=300)
        deadline = time.monotonic() + WAIT
        while td_status(control())["disconnects"] == drops:
            assert time.monotonic() < deadline, "the trade front was not dropped"
            time.sleep(0.01)
        during()
        while not ((status := td_status(control()))["logged_in"] and status["connected"]):
            assert time.monotonic() < deadline, "the trade front did not log in again"
            time.sleep(0.02)

    return run


def ctp_fill(control: Callable[[], Any], symbol: str = SYMBOL, price: float = PRICE) -> Callable[[], None]:
    """The market drops through the resting buy (which fills), then goes back."""

    def run() -> None:
        control().set_price(symbol, price - 60)
        control().set_price(symbol, price)

    return run


def refused() -> OrderRequest:
    """Closing a position nobody holds: the exchange refuses it (CTP error 51 or 50)."""
    return OrderRequest("IF2512", Exchange.CFFEX, Direction.SHORT, OrderType.LIMIT, 1, 4500, Offset.CLOSE)


def simulator_peer(
    gateway_class: type,
    setting: dict[str, Any],
    port_file: Path,
    *,
    symbol: str = SYMBOL,
    exchange: Exchange = Exchange.SHFE,
    price: float = PRICE,
    rejected: Callable[[], OrderRequest] = refused,
) -> Iterator[Peer]:
    """The peer of a gateway on one of the simulator's front-ends (CTP's, CTP-Mini's, FEMAS's, TAP's): this
    scenario, on `symbol` (quoted at `price`, on a tick that divides 10) unless told otherwise."""
    from vtcore.gateways._sdk.sim import SimControl  # noqa: PLC0415

    holder: dict[str, Any] = {}

    def control() -> Any:  # the control port exists once the gateway has loaded the simulator
        if "control" not in holder:
            holder["control"] = SimControl.from_port_file(port_file, timeout=WAIT)
        return holder["control"]

    yield Peer(
        gateway_class=gateway_class,
        setting=setting,
        symbol=symbol,
        exchange=exchange,
        volume=1,
        resting_price=price - 50,
        fill=ctp_fill(control, symbol, price),
        rejected_order=rejected,
        outage=ctp_outage(control),
        secrets=["sim-pass-7"],
        offset=Offset.OPEN,
    )
    if "control" in holder:
        holder["control"].close()


@pytest.fixture(scope="module")
def peer_ctp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
    from vtcore.gateways.ctp import CtpGateway  # noqa: PLC0415
    from vtcore.gateways.ctp.sim import simulator_setting  # noqa: PLC0415

    config, port_file = sim_config(tmp_path_factory.mktemp("ctp-peer"))
    yield from simulator_peer(CtpGateway, simulator_setting(config, "tester", "sim-pass-7"), port_file)
