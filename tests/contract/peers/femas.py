"""FEMAS on the simulator's FEMAS front-end (cpp/femas_sim: FEMAS's library names, classes and ABI on the
simulator core), loaded in this process and steered by its control port: the CTP peer's scenario
(peers/ctp.py's `simulator_peer`) through FEMAS's SDK."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from contract_peer import Peer


@pytest.fixture(scope="module")
def peer_femas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._femas", reason="vtcore was built without the FEMAS SDK headers")
    from vtcore.gateways.femas import FemasGateway  # noqa: PLC0415
    from vtcore.gateways.femas.sim import simulator_setting  # noqa: PLC0415

    ctp = sys.modules["contract_peers_ctp"]  # the CTP peer's helpers, loaded by the contract conftest
    config, port_file = ctp.sim_config(tmp_path_factory.mktemp("femas-peer"))
    yield from ctp.simulator_peer(FemasGateway, simulator_setting(config, "tester", "sim-pass-7"), port_file)
