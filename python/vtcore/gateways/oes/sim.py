"""The OES gateway's local peer: the simulator's OES front-end (`vtcore/sim_lib/oes/liboes_api.so`, the
OesApi_*/MdsApi_* functions of 0.17.5.8 on the shared simulator core's A-share mode), loaded in-process, for
`vtcore run --sim --gateway OES`, `vtcore trader --sim` and the tests.

Its configuration (`stock_config`) holds a few SSE and SZSE securities and one account with yesterday's
holdings, so T+1 sells work at once; the channel addresses carry it (`tcp://127.0.0.1:0?config=<file>`: port 0
is the simulator itself). Control socket and helpers: `vtcore.gateways._sdk.sim`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._sdk.sim import FRONT_ENDS, front_address, write_config

FRONT_END = FRONT_ENDS["oes"]
USERNAME, PASSWORD = "oes-user", "oes-sim-pass"

STOCKS = [  # (code, exchange, name, price)
    ("600000", "SSE", "浦发银行", 10.0),
    ("601318", "SSE", "中国平安", 50.0),
    ("688981", "SSE", "中芯国际", 90.0),
    ("000001", "SZSE", "平安银行", 12.0),
    ("300750", "SZSE", "宁德时代", 200.0),
    ("510300", "SSE", "沪深300ETF", 4.0),
]


def stock_config(
    *, username: str = USERNAME, password: str = PASSWORD, control_port_file: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A simulator configuration of A-share securities, one cash account holding 1000 of 600000 and 000001
    since yesterday, prices walking at 20 snapshots a second per session, open at any hour."""
    config: dict[str, Any] = {
        "accounts": [
            {
                "user_id": username,
                "password": password,
                "balance": 1_000_000.0,
                "positions": [
                    {"instrument": "600000", "yesterday": 1000, "price": 9.8},
                    {"instrument": "000001", "yesterday": 1000, "price": 11.5},
                ],
            }
        ],
        "instruments": [
            {
                "id": code,
                "exchange": exchange,
                "kind": "fund" if code.startswith("5") else "stock",
                "name": name,
                "price": price,
            }
            for code, exchange, name, price in STOCKS
        ],
        "market_data": {"rate": 20, "always_open": True},
        "require_settlement_confirm": False,
    }
    if control_port_file is not None:
        config["control"] = {"enabled": True, "port_file": control_port_file}
    config.update(extra)
    return config


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = USERNAME, password: str = PASSWORD
) -> dict[str, Any]:
    """An OesGateway setting (the user's page's keys) for the simulator with configuration file `config`
    (None: `stock_config()` written owner-only into a private temporary folder). SdkUnavailableError when the
    OES front-end was not built."""
    library_dir = FRONT_END.library_dir()
    if config is None:
        folder = Path(tempfile.mkdtemp(prefix="vtcore-oessim-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # read once, when the channels open
        config = write_config(folder / "oes-sim.json", stock_config(username=username, password=password))
    address = front_address(config)
    return {
        "username": username,
        "password": password,
        "hdd_serial": "",
        "td_ord_server": address,
        "td_rpt_server": address,
        "td_qry_server": address,
        "md_tcp_server": address,
        "md_qry_server": address,
        "customize_ip": "",
        "customize_mac": "",
        "library_dir": str(library_dir),
    }


def start_peer() -> SimPeer:
    """The simulator library, which the gateway loads in-process (nothing to start or stop)."""
    return SimPeer("OES", simulator_setting(), description="OES (A-shares) on the built-in simulator")
