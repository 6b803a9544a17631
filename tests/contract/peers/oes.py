"""OES on the OES simulator library (cpp/oes_sim: liboes_api.so on the core's A-share mode), loaded in this
process and steered by its control port."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, Offset, OrderType
from vtcore.object import OrderRequest

SYMBOL, PRICE = "600000", 10.0
PASSWORD = "oes-contract-pass"


def td_front(control: Any) -> dict[str, Any] | None:
    return next((api for api in control.status()["apis"] if api["front"] == "td"), None)


def oes_outage(control: Callable[[], Any]) -> Callable[[Callable[[], None]], None]:
    """Drop every trading channel, run `during`, and return once the channels are open again (the report
    channel then resumes after the last report the gateway received)."""

    def run(during: Callable[[], None]) -> None:
        front = td_front(control())
        assert front is not None and front["connected"], "the trading channels are not open"
        drops = front["disconnects"]
        control().disconnect("td", reconnect_ms=300)
        deadline = time.monotonic() + WAIT
        while (front := td_front(control())) is not None and front["disconnects"] == drops:
            assert time.monotonic() < deadline, "the trading channels were not dropped"
            time.sleep(0.01)
        during()
        while (front := td_front(control())) is None or front["channels"] < 3:
            assert time.monotonic() < deadline, "the trading channels did not come back"
            time.sleep(0.02)

    return run


def oes_fill(control: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        control().set_price(SYMBOL, PRICE - 0.6)
        control().set_price(SYMBOL, PRICE)

    return run


def refused() -> OrderRequest:
    """A buy the cash cannot pay for (vtcore checks lots, ticks and limits, not the cash): OES refuses it."""
    return OrderRequest("300750", Exchange.SZSE, Direction.LONG, OrderType.LIMIT, 300, 200.0, Offset.NONE)


@pytest.fixture(scope="module")
def peer_oes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._oes", reason="vtcore was built without the OES declarations")
    from vtcore.gateways._sdk.sim import SimControl, write_config  # noqa: PLC0415
    from vtcore.gateways.oes import OesGateway  # noqa: PLC0415
    from vtcore.gateways.oes.sim import simulator_setting, stock_config  # noqa: PLC0415

    folder: Path = tmp_path_factory.mktemp("oes-peer")
    port_file = folder / "control.port"
    config = stock_config(password=PASSWORD, control_port_file=str(port_file))
    config["accounts"][0]["balance"] = 50_000.0
    config["market_data"] = {"rate": 20, "walk": False, "always_open": True}
    setting = simulator_setting(write_config(folder / "sim.json", config), password=PASSWORD)
    holder: dict[str, Any] = {}

    def control() -> Any:  # the control port exists once the gateway has loaded the simulator
        if "control" not in holder:
            holder["control"] = SimControl.from_port_file(port_file, timeout=WAIT)
        return holder["control"]

    yield Peer(
        gateway_class=OesGateway,
        setting=setting,
        symbol=SYMBOL,
        exchange=Exchange.SSE,
        volume=100,
        resting_price=PRICE - 0.5,
        fill=oes_fill(control),
        rejected_order=refused,
        outage=oes_outage(control),
        secrets=[PASSWORD],
    )
    if "control" in holder:
        holder["control"].close()
