"""The TORA gateway's local peer: the simulator's TORA front-end (`vtcore/sim_lib/tora/`, TORA's library names
and ABI on the shared simulator core), for `vtcore run --sim --gateway TORA` and `vtcore trader --sim`.
Configuration, control socket and library paths: `vtcore.gateways._sdk.sim` (`FRONT_ENDS["tora"]`)."""

from __future__ import annotations

import os
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import FRONT_ENDS, front_address, open_around_the_clock

FRONT_END = FRONT_ENDS["tora"]


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = "vtcore", password: str = "simulator"
) -> dict[str, Any]:
    """A ToraGateway setting for the simulator: its built-in configuration, or the configuration file
    `config`. Raises SdkUnavailableError when the TORA front-end was not built."""
    address = front_address(config)
    return {
        "username": username,
        "password": password,
        "td_address": address,
        "md_address": address,
        "account_type": "user_id",
        "address_type": "front",
        "product_info": "",
        "dynamic_key": "",
        "library_dir": str(FRONT_END.library_dir()),
    }


def start_peer() -> SimPeer:
    """The simulator libraries, which the gateway loads in-process (nothing to start or stop), open at any
    hour (the demo should not wait for the exchanges' sessions)."""
    open_around_the_clock()
    return SimPeer("TORA", simulator_setting(), description="TORA on the built-in simulator (SSE, SZSE, BSE)")
