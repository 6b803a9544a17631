"""The TAP gateway's local peer: the simulator's TAP front-end (`vtcore/sim_lib/tap/`: TAP's C entry points
and class layouts on the shared simulator core, with stand-ins for Esunny's SSL libraries), for `vtcore run
--sim --gateway TAP`, the tests and the benchmarks.

The simulator takes its configuration from the host the gateway dials:
`quote_host = "127.0.0.1?config=<path>"` (TAP's SetHostAddress receives it unchanged). `SIM_CONFIG` is a
foreign-futures exchange (NYMEX, COMEX, CME, CBOT, ICE Europe, LME, HKEX, SGX); `write_sim_config` writes it
(owner-only) where the gateway can name it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import FRONT_ENDS, write_config
from vtcore.setting import get_folder_path

FRONT_END = FRONT_ENDS["tap"]
SIM_AUTH_CODE = "vtcore-simulator"  # the simulator accepts any non-empty authorization code
SIM_PORT = 7171

SIM_INSTRUMENTS: list[dict[str, Any]] = [
    {
        "id": "CL2601",
        "exchange": "NYMEX",
        "name": "原油2601",
        "product_id": "CL",
        "multiplier": 1000,
        "price_tick": 0.01,
        "price": 68.5,
    },
    {
        "id": "GC2602",
        "exchange": "COMEX",
        "name": "黄金2602",
        "product_id": "GC",
        "multiplier": 100,
        "price_tick": 0.1,
        "price": 2350.0,
    },
    {
        "id": "ES2603",
        "exchange": "CME",
        "name": "标普2603",
        "product_id": "ES",
        "multiplier": 50,
        "price_tick": 0.25,
        "price": 5400.0,
    },
    {
        "id": "ZC2603",
        "exchange": "CBOT",
        "name": "玉米2603",
        "product_id": "ZC",
        "multiplier": 50,
        "price_tick": 0.25,
        "price": 450.0,
    },
    {
        "id": "B2602",
        "exchange": "ICEU",
        "name": "布油2602",
        "product_id": "B",
        "multiplier": 1000,
        "price_tick": 0.01,
        "price": 72.0,
    },
    {
        "id": "CA3M",
        "exchange": "LME",
        "name": "LME铜3M",
        "product_id": "CA",
        "multiplier": 25,
        "price_tick": 0.5,
        "price": 9500.0,
    },
    {
        "id": "HSI2512",
        "exchange": "HKEX",
        "name": "恒指2512",
        "product_id": "HSI",
        "multiplier": 50,
        "price_tick": 1.0,
        "price": 18000.0,
    },
    {
        "id": "FEF2601",
        "exchange": "SGX",
        "name": "铁矿2601",
        "product_id": "FEF",
        "multiplier": 100,
        "price_tick": 0.01,
        "price": 105.0,
    },
]
SIM_CONFIG: dict[str, Any] = {"instruments": SIM_INSTRUMENTS, "market_data": {"rate": 20}}


def write_sim_config(path: str | os.PathLike[str] | None = None, **sections: Any) -> Path:
    """The TAP simulator's configuration file (`SIM_CONFIG` updated with `sections`), default in the settings
    folder."""
    if path is None:
        # In the settings folder, which holds passwords: created (or tightened) owner-only like every other
        # folder vtcore makes there, not with the umask's 0755.
        target = get_folder_path("tap_sim") / "sim.json"
    else:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
    config = {**SIM_CONFIG, **sections}
    # TAP logs in without a broker: its accounts are the core's with an empty broker id
    config["accounts"] = [{"broker_id": "", **account} for account in config.get("accounts", [])]
    return write_config(target, config)


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = "vtcore", password: str = "simulator"
) -> dict[str, Any]:
    """A TapGateway setting for the simulator with configuration file `config` (default:
    `write_sim_config()`). Raises SdkUnavailableError when the TAP front-end was not built."""
    folder = FRONT_END.library_dir()
    path = Path(config) if config is not None else write_sim_config()
    host = f"127.0.0.1?config={path.resolve()}"
    return {
        "auth_code": SIM_AUTH_CODE,
        "quote_username": username,
        "quote_password": password,
        "quote_host": host,
        "quote_port": SIM_PORT,
        "trade_username": username,
        "trade_password": password,
        "trade_host": host,
        "trade_port": SIM_PORT,
        "library_dir": str(folder),
    }


def start_peer() -> SimPeer:
    """The simulator libraries, which the gateway loads in-process (nothing to start or stop)."""
    return SimPeer("TAP", simulator_setting(), description="TAP on the built-in simulator (foreign futures)")
