"""vn.py's own vnpy_femas 1.0.3 gateway, unmodified, runs against the simulator's FEMAS front-end. Its package
builds only on Windows (meson.build: MSVC's /MT, the sdist's .lib and .dll), but its two pybind11 wrappers
compile on Linux unchanged from the sdist's sources against its FEMAS headers (benchmarks/_vnpy_env.py
`ensure_vnpy_femas`), linked to the simulator's FEMAS libraries: login on both fronts, the investor and the
contracts, a tick after subscribing, a limit order that rests and is cancelled, one that fills.

vnpy_femas's own `onRtnOrder` and `onRtnTrade` read fields its FEMAS 3.02 headers do not have (`InsertDate`,
`TradeDate`), so every report raises KeyError in vnpy_femas and no order status or trade reaches vn.py's
engine from them; the driver records the reports the wrapper decoded on their way into those methods (see
tests/resources/femas/vnpy_femas_driver.py), and this test asserts both: the front-end's reports, and that
vn.py's engine saw only the gateway's own SUBMITTING.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _vnpy_client import _vnpy_env, run_vnpy_client
from vtcore.gateways._sdk.sim import front_address, write_config

pytestmark = pytest.mark.slow


def test_vnpy_femas_runs_unmodified_against_the_simulator(tmp_path: Path) -> None:
    # one contract of each exchange vnpy_femas maps (its EXCHANGE_FEMAS2VT has no GFEX: a GFEX contract
    # raises KeyError in its onRspQryInstrument)
    instruments = [
        {"id": "rb2601", "exchange": "SHFE", "name": "螺纹钢2601", "product_id": "rb", "multiplier": 10,
         "price_tick": 1.0, "price": 3100.0},
        {"id": "sc2601", "exchange": "INE", "name": "原油2601", "product_id": "sc", "multiplier": 1000,
         "price_tick": 0.1, "price": 480.0},
        {"id": "m2601", "exchange": "DCE", "name": "豆粕2601", "product_id": "m", "multiplier": 10,
         "price_tick": 1.0, "price": 2900.0},
        {"id": "SR601", "exchange": "CZCE", "name": "白糖601", "product_id": "SR", "multiplier": 10,
         "price_tick": 1.0, "price": 5600.0},
        {"id": "IF2512", "exchange": "CFFEX", "name": "沪深300股指2512", "product_id": "IF",
         "multiplier": 300, "price_tick": 0.2, "price": 4500.0},
    ]  # fmt: skip
    accounts = [{"user_id": "femas7", "password": "sim-pass-4"}]
    config = write_config(tmp_path / "sim.json", {"instruments": instruments, "accounts": accounts})
    report, output, library_dir = run_vnpy_client(
        "femas", "femas/vnpy_femas_driver.py", lambda folder: _vnpy_env.ensure_vnpy_femas(folder, log=print),
        str(tmp_path), front_address(config), "femas7", "sim-pass-4",
    )  # fmt: skip
    mapped = [Path(p) for p in report["mapped"]]  # the simulator's FEMAS libraries
    assert library_dir / "libUSTPmduserapiAF.so" in mapped and library_dir / "libUSTPtraderapiAF.so" in mapped
    assert report["contract"][0] == "SHFE" and report["contract"][2:] == [10, 1.0]
    last, bid, ask, limit_up, limit_down = report["tick"]
    assert limit_down < bid < ask < limit_up and bid <= last <= ask
    assert report["resting"][-2:] == ["3", "5"]  # NoTradeQueueing, then Canceled
    assert report["filled"][-1] == "0"  # AllTraded
    assert sum(volume for volume, *_ in report["trades"]) == 2
    assert all(price <= 3200.0 and (d, o) == ("0", "0") for _, price, d, o in report["trades"])  # buy, open
    # vnpy_femas's own handlers fail in its code, and the wrapper printed why
    assert report["engine_orders"] == ["SUBMITTING"] and report["engine_trades"] == 0
    assert "KeyError: 'InsertDate'" in output and "KeyError: 'TradeDate'" in output
    assert not [line for line in report["logs"] if "失败" in line], report["logs"]
