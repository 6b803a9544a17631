"""XTP on the simulator's XTP front-end (cpp/xtp_sim: XTP's library names and ABI on the simulator core in
A-share mode), loaded in this process and steered by its control port. `stock_peer` is the A-share scenario
TORA's peer (peers/tora.py) runs through the other SDK."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contract_peer import Peer

from _ashare_sim import PASSWORD, USER, Control, ashare_config
from vtcore.constant import Direction, Exchange, OrderType
from vtcore.object import OrderRequest

SYMBOL, PRICE = "600000", 10.50


def refused() -> OrderRequest:
    """A buy beyond the cash of the account: the exchange (the simulator's counter) refuses it."""
    return OrderRequest("600519", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100_000, 1500.0)


def stock_peer(gateway_class: type, sim: Any, folder: Path) -> Iterator[Peer]:
    """The peer of a gateway on one of the simulator's A-share front-ends (`sim`: its gateway's sim
    module)."""
    config, port_file = ashare_config(folder)
    control = Control(port_file)

    def fill() -> None:  # the market drops through the resting buy (which fills), then goes back
        control().set_price(SYMBOL, PRICE - 0.60)
        control().set_price(SYMBOL, PRICE)

    yield Peer(
        gateway_class=gateway_class,
        setting=sim.simulator_setting(config, USER, PASSWORD),
        symbol=SYMBOL,
        exchange=Exchange.SSE,
        volume=100,
        resting_price=PRICE - 0.50,
        fill=fill,
        rejected_order=refused,
        outage=control.outage,
        secrets=[PASSWORD],
    )
    control.close()


@pytest.fixture(scope="module")
def peer_xtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._xtp", reason="vtcore was built without the XTP SDK")
    from vtcore.gateways.xtp import XtpGateway, sim  # noqa: PLC0415

    yield from stock_peer(XtpGateway, sim, tmp_path_factory.mktemp("xtp-peer"))
