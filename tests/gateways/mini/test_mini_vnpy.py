"""The unmodified vnpy_mini 1.7.7.0, built from its sdist, runs against the CTP-Mini simulator front-end:
MdApi logs in and streams ticks, TdApi authenticates, logs in (no settlement confirmation in Mini), lists
instruments, gets an order filled and one cancelled, and receives onRspError for a request the simulator does
not implement. A client we did not write checks the front-end's ABI, threading and flow.

vnpy_mini and the locale come from the benchmarks' baseline cache (benchmarks/_vnpy_env.py), built once on a
fresh machine (pip builds the sdist with meson-python, about a minute).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk.sim import CONFIG_ENV, FRONT_ENDS, write_config

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
import _vnpy_env  # the benchmarks' baseline cache

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).resolve().parents[2] / "resources" / "ctpsim" / "vnpy_driver.py"


@pytest.fixture(scope="module")
def baseline() -> _vnpy_env.BaselineEnv:
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    try:
        if not env.has_vnpy_mini():
            _vnpy_env._pip_target(
                _vnpy_env.VNPY_MINI, env.site_vnpy_mini, "--no-binary", "vnpy_mini", log=print
            )
        if not env.has_locale():
            _vnpy_env.ensure_env(log=print)
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        pytest.skip(f"cannot build the vnpy_mini baseline here: {exc}")
    return env


def test_vnpy_mini_runs_unmodified_against_the_simulator(
    baseline: _vnpy_env.BaselineEnv, tmp_path: Path
) -> None:
    try:
        library_dir = FRONT_ENDS["mini"].library_dir()
    except SdkUnavailableError as exc:
        pytest.skip(str(exc))
    config = write_config(
        tmp_path / "sim.json",
        {
            "accounts": [{"user_id": "u1", "password": "p1", "app_id": "app", "auth_code": "code"}],
            "require_authenticate": True,
            "market_data": {"rate": 0, "count": 200},
        },
    )
    env = dict(
        os.environ,
        LD_LIBRARY_PATH=str(library_dir),
        LOCPATH=str(baseline.locale_dir),
        **{CONFIG_ENV: str(config)},
    )
    command = [sys.executable, str(DRIVER), str(baseline.mini_api_dir), str(tmp_path), "mini"]
    run = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    mapped = [Path(p) for p in report["mapped"]]  # the simulator, not vnpy_mini's bundled real libraries
    assert library_dir / "libthostmduserapi.so" in mapped and library_dir / "libthosttraderapi.so" in mapped
    assert not [p for p in mapped if p.parent == baseline.mini_api_dir and p.name.startswith("libthost")]
    assert report["ticks_done"] and report["ticks"] == 200
    assert report["first_tick"]["InstrumentID"] == "rb2601" and report["first_tick"]["ExchangeID"] == "SHFE"
    assert (report["md_login"], report["auth"], report["td_login"]) == (0, 0, 0)
    assert report["rb_name"] == "螺纹钢2601" and len(report["instruments"]) == 9
    assert report["orders_done"]
    assert report["order_status"] == {"1": ["a", "3", "0"], "2": ["a", "3", "5"]}
    assert report["trades"] == [["1", 1]] and report["cancel_msg"] == "已撤单"
    assert report["error_seen"] and report["errors"][0][0] == 27
    assert "ReqQryExchange" in report["errors"][0][1]
