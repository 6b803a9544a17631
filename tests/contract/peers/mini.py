"""CTP-Mini on the simulator's CTP-Mini front-end (cpp/mini_sim, CTP-Mini's library names and ABI on the
simulator core), loaded in this process and steered by its control port: the CTP peer's scenario
(peers/ctp.py's `simulator_peer`) through the other SDK."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from contract_peer import Peer


@pytest.fixture(scope="module")
def peer_mini(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._mini", reason="vtcore was built without the CTP-Mini SDK")
    from vtcore.gateways.mini import MiniGateway  # noqa: PLC0415
    from vtcore.gateways.mini.sim import simulator_setting  # noqa: PLC0415

    ctp = sys.modules["contract_peers_ctp"]  # the CTP peer's helpers, loaded by the contract conftest
    config, port_file = ctp.sim_config(tmp_path_factory.mktemp("mini-peer"))
    yield from ctp.simulator_peer(MiniGateway, simulator_setting(config, "tester", "sim-pass-7"), port_file)
