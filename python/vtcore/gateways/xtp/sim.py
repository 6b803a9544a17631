"""The XTP gateway's local peer: the simulator's XTP front-end (`vtcore/sim_lib/xtp/`, XTP's library names and
ABI on the shared simulator core), for `vtcore run --sim --gateway XTP` and `vtcore trader --sim`.
Configuration, control socket and library paths: `vtcore.gateways._sdk.sim` (`FRONT_ENDS["xtp"]`); a
configuration file rides on the address (XTP's Login takes no front address:
`"127.0.0.1?config=/abs/sim.json"`)."""

from __future__ import annotations

import os
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import FRONT_ENDS, config_query, open_around_the_clock

FRONT_END = FRONT_ENDS["xtp"]


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = "vtcore", password: str = "simulator"
) -> dict[str, Any]:
    """An XtpGateway setting for the simulator: its built-in configuration, or the configuration file
    `config`. Raises SdkUnavailableError when the XTP front-end was not built."""
    address = "127.0.0.1" + config_query(config)
    return {
        "username": username,
        "password": password,
        "client_id": 1,
        "md_address": address,
        "md_port": 6001,
        "td_address": address,
        "td_port": 6002,
        "md_protocol": "TCP",
        "auth_code": "",
        "log_level": "FATAL",
        "library_dir": str(FRONT_END.library_dir()),
    }


def start_peer() -> SimPeer:
    """The simulator libraries, which the gateway loads in-process (nothing to start or stop), open at any
    hour (the demo should not wait for the exchanges' sessions)."""
    open_around_the_clock()
    return SimPeer("XTP", simulator_setting(), description="XTP on the built-in simulator (SSE, SZSE)")
