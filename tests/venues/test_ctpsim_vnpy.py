"""The unmodified vnpy_ctp 6.7.11.4, built from its sdist, runs against the simulator: MdApi logs in and
streams ticks, TdApi authenticates, logs in, confirms, lists instruments, gets an order filled and one
cancelled, and receives onRspError for a request the simulator does not implement.

vnpy_ctp and the locale come from the benchmarks' baseline cache when it has them (test_benchmarks_quick,
which runs first, makes it), so a fresh machine builds vnpy_ctp once; otherwise the first run builds vnpy_ctp
with pip (meson-python, about two minutes) into `$VTCORE_TEST_CACHE` (default ~/.cache/vtcore/tests).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vtcore.gateways.ctp import sim as ctpsim

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import _vnpy_env  # the benchmarks' baseline cache

pytestmark = pytest.mark.slow

VNPY_CTP = "vnpy_ctp==6.7.11.4"
RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "ctpsim"


def cache_dir() -> Path:
    root = Path(os.environ.get("VTCORE_TEST_CACHE", Path.home() / ".cache" / "vtcore" / "tests"))
    folder = root / f"{VNPY_CTP.replace('==', '-')}-py{sys.version_info.major}{sys.version_info.minor}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def vnpy_api_dir() -> Path:
    """vnpy_ctp/api of the built wheel: vnctpmd and vnctptd (NEEDED libthost*_se.so, RUNPATH $ORIGIN)."""
    baseline = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    if _vnpy_env.VNPY_CTP == VNPY_CTP and baseline.has_vnpy_ctp():
        return baseline.api_dir
    folder = cache_dir()
    api = folder / "unpacked" / "vnpy_ctp" / "api"
    if not list(api.glob("vnctptd.*.so")):
        wheels = folder / "wheels"
        command = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-binary",
            "vnpy_ctp",
            VNPY_CTP,
            "-w",
            str(wheels),
        ]
        built = subprocess.run(command, check=False, capture_output=True, text=True, timeout=900)
        if built.returncode != 0:
            pytest.skip(f"cannot build {VNPY_CTP} from its sdist here: {built.stderr.strip()[-600:]}")
        wheel = next(wheels.glob("vnpy_ctp-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(folder / "unpacked")
    return api


@pytest.fixture(scope="module")
def gb18030_locale() -> Path:
    """A zh_CN.GB18030 locale compiled without root (vnpy_ctp aborts without it)."""
    baseline = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    if baseline.has_locale():
        return baseline.locale_dir
    folder = cache_dir() / "locale"
    if not (folder / "zh_CN.GB18030" / "LC_CTYPE").is_file():
        localedef = shutil.which("localedef")
        if localedef is None:
            pytest.skip("localedef is not installed: cannot make the zh_CN.GB18030 locale vnpy_ctp needs")
        folder.mkdir(parents=True, exist_ok=True)
        made = subprocess.run(
            [localedef, "-i", "zh_CN", "-f", "GB18030", str(folder / "zh_CN.GB18030")],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if not (folder / "zh_CN.GB18030" / "LC_CTYPE").is_file():
            pytest.skip(f"localedef failed: {made.stderr.strip()[-300:]}")
    return folder


def test_vnpy_ctp_runs_unmodified_against_the_simulator(
    vnpy_api_dir: Path, gb18030_locale: Path, tmp_path: Path
) -> None:
    library_dir = ctpsim.library_dir()
    config = ctpsim.write_config(
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
        LOCPATH=str(gb18030_locale),
        **{ctpsim.CONFIG_ENV: str(config)},
    )
    command = [sys.executable, str(RESOURCES / "vnpy_driver.py"), str(vnpy_api_dir), str(tmp_path)]
    run = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    # The simulator, not vnpy_ctp's bundled real libraries, was mapped.
    mapped = [Path(p) for p in report["mapped"]]
    assert library_dir / ctpsim.MD_LIBRARY_NAME in mapped and library_dir / ctpsim.TD_LIBRARY_NAME in mapped
    assert not [p for p in mapped if p.parent == vnpy_api_dir and p.name.startswith("libthost")]
    assert report["ticks_done"] and report["ticks"] == 200
    assert report["first_tick"]["InstrumentID"] == "rb2601" and report["first_tick"]["ExchangeID"] == "SHFE"
    assert (report["md_login"], report["auth"], report["td_login"]) == (0, 0, 0)
    assert report["rb_name"] == "螺纹钢2601"  # GB18030 decoded by vnpy's own conversion
    assert len(report["instruments"]) == 9
    assert report["orders_done"]
    assert report["order_status"] == {"1": ["a", "3", "0"], "2": ["a", "3", "5"]}
    assert report["trades"] == [["1", 1]]
    assert report["cancel_msg"] == "已撤单"
    assert report["error_seen"]
    assert report["errors"][0][0] == 27 and "ReqQryExchange" in report["errors"][0][1]
