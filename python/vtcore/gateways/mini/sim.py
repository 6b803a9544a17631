"""The CTP-Mini gateway's local peer: the simulator's CTP-Mini front-end (`vtcore/sim_lib/mini/`, CTP-Mini's
library names and ABI on the shared simulator core), for `vtcore run --sim --gateway MINI` and `vtcore trader
--sim`. Configuration, control socket and library paths: `vtcore.gateways._sdk.sim` (`FRONT_ENDS["mini"]`)."""

from __future__ import annotations

import os
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import FRONT_ENDS, hours_note

FRONT_END = FRONT_ENDS["mini"]


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = "vtcore", password: str = "simulator"
) -> dict[str, Any]:
    """A MiniGateway setting for the simulator: its built-in configuration, or the configuration file
    `config`. Raises SdkUnavailableError when the CTP-Mini front-end was not built."""
    return FRONT_END.setting(config, username, password)


def start_peer() -> SimPeer:
    """The simulator libraries, which the gateway loads in-process (nothing to start or stop)."""
    description = f"CTP-Mini on the built-in simulator{hours_note()}"
    return SimPeer("MINI", simulator_setting(), description=description)
