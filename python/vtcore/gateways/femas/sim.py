"""The FEMAS gateway's local peer: the simulator's FEMAS front-end (`vtcore/sim_lib/femas/`: FEMAS's class
names and ABI on the shared simulator core), for `vtcore run --sim --gateway FEMAS`. Configuration, control
socket and library paths: `vtcore.gateways._sdk.sim` (`FRONT_ENDS["femas"]`)."""

from __future__ import annotations

import os
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import FRONT_ENDS, open_around_the_clock

FRONT_END = FRONT_ENDS["femas"]


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = "vtcore", password: str = "simulator"
) -> dict[str, Any]:
    """A FemasGateway setting for the simulator: its built-in configuration, or the configuration file
    `config`. Raises SdkUnavailableError when the FEMAS front-end was not built."""
    return FRONT_END.setting(config, username, password)


def start_peer() -> SimPeer:
    """The simulator libraries, which the gateway loads in-process (nothing to start or stop); they quote at
    any hour unless $VTCORE_SIM_ALWAYS_OPEN is "0"."""
    open_around_the_clock()
    return SimPeer("FEMAS", simulator_setting(), description="FEMAS on the built-in simulator")
