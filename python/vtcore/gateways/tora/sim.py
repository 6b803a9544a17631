"""The TORA gateways' local peer: the simulator's TORA front-end (`vtcore/sim_lib/tora/`, TORA's library names
and ABI on the shared simulator core), for `vtcore run --sim --gateway TORA|TORA_OPTION` and `vtcore trader
--sim`. The option peer's configuration lists ETF options (OPTION_INSTRUMENTS) beside their underlyings.
Configuration, control socket and library paths: `vtcore.gateways._sdk.sim` (`FRONT_ENDS["tora"]`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import FRONT_ENDS, front_address, open_around_the_clock, write_config

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


#: the option peer's instruments: two ETFs and their December calls and puts (SSE 300ETF, SZSE 创业板ETF)
OPTION_INSTRUMENTS: list[dict[str, Any]] = [
    {"id": "510300", "exchange": "SSE", "name": "沪深300ETF", "kind": "fund", "price": 3.900},
    {"id": "159915", "exchange": "SZSE", "name": "创业板ETF", "kind": "fund", "price": 2.100},
    *(
        {
            "id": code,
            "exchange": exchange,
            "name": name,
            "kind": "option",
            "underlying": underlying,
            "strike": strike,
            "option_type": kind,
            "price": price,
            "open_date": "20260421",
            "expire_date": "20261223",
        }
        for code, exchange, name, underlying, strike, kind, price in (
            ("10009001", "SSE", "300ETF购12月3900", "510300", 3.9, "C", 0.1200),
            ("10009002", "SSE", "300ETF沽12月3900", "510300", 3.9, "P", 0.1000),
            ("10009003", "SSE", "300ETF购12月4100", "510300", 4.1, "C", 0.0450),
            ("90005001", "SZSE", "创业板ETF购12月2100", "159915", 2.1, "C", 0.0800),
            ("90005002", "SZSE", "创业板ETF沽12月2100", "159915", 2.1, "P", 0.0700),
        )
    ),
]


def option_config(path: str | os.PathLike[str], extra: Mapping[str, Any] | None = None) -> Path:
    """Write a simulator configuration with OPTION_INSTRUMENTS (plus the keys of `extra`) to `path`."""
    return write_config(path, {"instruments": OPTION_INSTRUMENTS, **(extra or {})})


def start_option_peer() -> SimPeer:
    """TORA_OPTION's peer: the simulator libraries with a configuration of ETF options (written to a private
    temporary folder, removed by stop()), open at any hour."""
    open_around_the_clock()
    folder = Path(tempfile.mkdtemp(prefix="vtcore-tora-option-"))
    setting = simulator_setting(option_config(folder / "sim.json"))
    return SimPeer(
        "TORA_OPTION",
        setting,
        description="TORA_OPTION on the built-in simulator (SSE and SZSE ETF options)",
        stop=lambda: shutil.rmtree(folder, ignore_errors=True),
    )
