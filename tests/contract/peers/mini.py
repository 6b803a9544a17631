"""CTP-Mini on the simulator's CTP-Mini front-end (cpp/mini_sim, CTP-Mini's library names and ABI on the
simulator core), loaded in this process and steered by its control port: the CTP peer's scenario
(peers/ctp.py's helpers) through the other SDK."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Exchange, Offset


@pytest.fixture(scope="module")
def peer_mini(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._mini", reason="vtcore was built without the CTP-Mini SDK")
    from vtcore.gateways._sdk.sim import SimControl  # noqa: PLC0415
    from vtcore.gateways.mini import MiniGateway  # noqa: PLC0415
    from vtcore.gateways.mini.sim import simulator_setting  # noqa: PLC0415

    ctp = sys.modules["contract_peers_ctp"]  # the CTP peer's helpers, loaded by the contract conftest
    config, port_file = ctp.sim_config(tmp_path_factory.mktemp("mini-peer"))
    setting = simulator_setting(config, "tester", "sim-pass-7")
    holder: dict[str, Any] = {}

    def control() -> Any:  # the control port exists once the gateway has loaded the simulator
        if "control" not in holder:
            holder["control"] = SimControl.from_port_file(port_file, timeout=WAIT)
        return holder["control"]

    yield Peer(
        gateway_class=MiniGateway,
        setting=setting,
        symbol=ctp.SYMBOL,
        exchange=Exchange.SHFE,
        volume=1,
        resting_price=ctp.PRICE - 50,
        fill=ctp.ctp_fill(control),
        rejected_order=ctp.refused,
        outage=ctp.ctp_outage(control),
        secrets=["sim-pass-7"],
        offset=Offset.OPEN,
    )
    if "control" in holder:
        holder["control"].close()
