"""vtcore's CTP simulator (the CTP front-end of `vtcore.gateways._sdk.sim`): find its libraries, write its
configuration, steer it from tests, and offer it as the CTP gateway's local peer (`start_peer`, for
`vtcore run --sim` and `vtcore trader --sim`).

``libthostmduserapi_se.so`` and ``libthosttraderapi_se.so`` (CTP's names and ABI, built from the fetched
headers) are installed in ``vtcore/sim_lib/ctp/`` beside the shared simulator core; vtcore's ``_ctp`` binding
loads them by path (:func:`md_library`, :func:`td_library`), a third-party wrapper such as vnpy_ctp through
``LD_LIBRARY_PATH=<library_dir()>``. Configuration keys: ``cpp/sim_core/README.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import (
    ALWAYS_OPEN_ENV,
    CONFIG_ENV,
    CORE_LIBRARY_NAME,
    DIR_ENV,
    FRONT_ENDS,
    SimControl,
    SimulatorError,
    front_address,
    hours_note,
    write_config,
)

__all__ = [
    "ALWAYS_OPEN_ENV",
    "CONFIG_ENV",
    "CORE_LIBRARY_NAME",
    "DIR_ENV",
    "MD_LIBRARY_NAME",
    "TD_LIBRARY_NAME",
    "SimControl",
    "SimulatorError",
    "build_info",
    "front_address",
    "library_dir",
    "md_library",
    "simulator_setting",
    "start_peer",
    "td_library",
    "write_config",
]

FRONT_END = FRONT_ENDS["ctp"]
MD_LIBRARY_NAME = FRONT_END.md_name
TD_LIBRARY_NAME = FRONT_END.td_name


def library_dir() -> Path:
    """The folder of the CTP front-end's two libraries; SdkUnavailableError if it was not built."""
    return FRONT_END.library_dir()


def md_library() -> Path:
    """Path of the simulator's market-data library (``libthostmduserapi_se.so``)."""
    return FRONT_END.md_library()


def td_library() -> Path:
    """Path of the simulator's trader library (``libthosttraderapi_se.so``)."""
    return FRONT_END.td_library()


def build_info() -> dict[str, str]:
    """What the build recorded: ``api_version`` (e.g. "6.7.11"), ``simulator_version`` and ``include_dir``."""
    return FRONT_END.build_info()


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = "vtcore", password: str = "simulator"
) -> dict[str, Any]:
    """A CtpGateway setting for the simulator libraries installed with vtcore: its built-in configuration, or
    the configuration file `config`. Raises SdkUnavailableError when the simulator was not built."""
    return {**FRONT_END.setting(config, username, password), "environment": "test"}


def start_peer() -> SimPeer:
    """The CTP gateway's local peer: the simulator libraries, which the gateway loads in-process (nothing
    to start or stop)."""
    return SimPeer("CTP", simulator_setting(), description=f"CTP on the built-in simulator{hours_note()}")
