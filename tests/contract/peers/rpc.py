"""RPC: an RpcGateway in this process, against an RpcService in a server process whose MainEngine runs CTP on
the CTP simulator (tests/rpc/test_rpc_harness.py's `ctp_server_main`); the simulator is steered through its
control port from here, so fills and outages happen where they would for a user: behind the server."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Exchange, Offset

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "rpc"))  # the process harness of the RPC tests


def load_ctp_peer() -> Any:
    """The CTP peer's helpers (peers/ctp.py, loaded by the contract conftest under this name)."""
    return sys.modules["contract_peers_ctp"]


@pytest.fixture(scope="module")
def peer_rpc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
    import test_rpc_harness as harness  # noqa: PLC0415

    from vtcore.gateways.ctp.sim import SimControl  # noqa: PLC0415
    from vtcore.gateways.rpc import RpcGateway  # noqa: PLC0415
    from vtcore.rpc import keys  # noqa: PLC0415

    ctp = load_ctp_peer()
    config, port_file = ctp.sim_config(tmp_path_factory.mktemp("rpc-peer"))
    rep, pub = harness.addresses()
    home = Path(os.environ["VTCORE_HOME"])  # the client finds the server's key there (same user, same host)
    server = harness.Proc(harness.ctp_server_main, home, rep, pub, True, str(config))
    control = SimControl.from_port_file(port_file, timeout=WAIT)
    # the CURVE secret keys (in files, not the setting); the client's is made here, where the gateway finds it
    curve_secrets = [
        keys.load_keypair(keys.key_folder() / "server.key_secret").secret.decode(),
        keys.load_or_create_keypair("client").secret.decode(),
    ]
    try:
        yield Peer(
            gateway_class=RpcGateway,
            setting=harness.client_setting(server),
            symbol=ctp.SYMBOL,
            exchange=Exchange.SHFE,
            volume=1,
            resting_price=ctp.PRICE - 50,
            fill=ctp.ctp_fill(lambda: control),
            rejected_order=ctp.refused,
            outage=ctp.ctp_outage(lambda: control),
            secrets=curve_secrets,
            offset=Offset.OPEN,
        )
    finally:
        control.close()
        server.stop()
