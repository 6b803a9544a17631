"""TORA on the simulator's TORA front-end (cpp/tora_sim: TORA's library names and ABI on the simulator core in
A-share mode), loaded in this process and steered by its control port: the XTP peer's A-share scenario
(peers/xtp.py's `stock_peer`) through the other SDK."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from contract_peer import Peer


@pytest.fixture(scope="module")
def peer_tora(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    from vtcore.gateways.tora import ToraGateway, sim  # noqa: PLC0415

    xtp = sys.modules["contract_peers_xtp"]  # the XTP peer's helpers, loaded by the contract conftest
    yield from xtp.stock_peer(ToraGateway, sim, tmp_path_factory.mktemp("tora-peer"))
