"""TAP on the simulator's TAP front-end (cpp/tap_sim: TAP's C entry points and class layouts, with stand-ins
for Esunny's SSL libraries, on the simulator core), loaded in this process and steered by its control port:
the CTP peer's scenario (peers/ctp.py's `simulator_peer`) on a foreign future, through TAP's SDK."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from contract_peer import Peer

from vtcore.constant import Direction, Exchange, Offset, OrderType
from vtcore.object import OrderRequest

SYMBOL, PRICE = "GC2602", 2350.0  # COMEX gold, tick 0.1


def refused() -> OrderRequest:
    """Closing a position nobody holds: the exchange refuses it."""
    return OrderRequest("CL2601", Exchange.NYMEX, Direction.SHORT, OrderType.LIMIT, 1, 68.5, Offset.CLOSE)


@pytest.fixture(scope="module")
def peer_tap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._tap", reason="vtcore was built without the TAP SDK")
    from vtcore.gateways.tap import TapGateway  # noqa: PLC0415
    from vtcore.gateways.tap.sim import simulator_setting, write_sim_config  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("tap-peer")
    port_file = folder / "control.port"
    config = write_sim_config(
        folder / "sim.json",
        accounts=[{"user_id": "tester", "password": "sim-pass-7"}],
        clock={"trading_day": "20261130"},
        market_data={"rate": 20, "walk": False},
        control={"enabled": True, "port_file": str(port_file)},
    )
    ctp = sys.modules["contract_peers_ctp"]  # the CTP peer's helpers, loaded by the contract conftest
    yield from ctp.simulator_peer(
        TapGateway,
        simulator_setting(config, "tester", "sim-pass-7"),
        port_file,
        symbol=SYMBOL,
        exchange=Exchange.COMEX,
        price=PRICE,
        rejected=refused,
    )
