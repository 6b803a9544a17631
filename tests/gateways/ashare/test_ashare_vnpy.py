"""vn.py's own gateways, unmodified and built from their sdists, run against the simulator's front-ends:
vnpy_xtp 2.2.32.2.3's XtpGateway on the XTP front-end, vnpy_tora 2026.10.5's ToraStockGateway on the TORA
front-end (its stock trader and XMd market data) and its ToraOptionGateway on the TORA stock-option trader
(SP) and the XMd options' quotes: contracts (GB18030 or UTF-8 names, ticks and lots), a tick with its limits,
a limit buy filled, one resting and cancelled, the position (T+1 for stocks). Clients we did not write check
each front-end's ABI, threading and flow.

The packages come from the benchmarks' baseline cache (benchmarks/_vnpy_env.py `ensure_vnpy_stock`), built
once on a fresh machine (pip builds each sdist, about a minute).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _ashare_sim import ashare_config, option_sim_config
from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk.sim import FRONT_ENDS

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import _vnpy_env  # noqa: E402 - the benchmarks' baseline cache

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).resolve().parents[2] / "resources" / "ashare" / "vnpy_stock_driver.py"
#: the libraries each gateway uses (vnpy_xtp links them by name, vnpy_tora by absolute build path)
LIBRARIES = {
    "xtp": ("libxtpquoteapi.so", "libxtptraderapi.so"),
    "tora": ("libxmdapi.so", "libtraderapi.so"),
    "tora_option": ("libxmdapi.so", "libsptraderapi.so"),
}
#: what each gateway reports: contract (name, tick, lot), tick (last, limits), position (volume, yd, frozen)
EXPECTED = {
    "xtp": (["浦发银行", 0.01, 100], [10.5, 11.55, 9.45], (600, 500, 100)),
    # vnpy_tora's frozen is what pending sells hold, its yd_volume the history position
    "tora": (["浦发银行", 0.01, 100], [10.5, 11.55, 9.45], (600, 500, 0)),
    # five calls held since yesterday and today's one; an at-the-money call's limits on 300ETF 3.9
    "tora_option": (["300ETF购12月3900", 0.0001, 1], [0.12, 0.51, 0.0001], (6, 5, 0)),
}


@pytest.mark.parametrize("gateway", list(EXPECTED))
def test_vnpy_gateway_runs_unmodified_against_the_simulator(gateway: str, tmp_path: Path) -> None:
    sdk = gateway.partition("_")[0]
    try:
        library_dir = FRONT_ENDS[sdk].library_dir()
    except SdkUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        env = _vnpy_env.ensure_vnpy_stock(sdk, log=print)
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        pytest.skip(f"cannot build the vnpy_{sdk} baseline here: {exc}")
    config, _ = option_sim_config(tmp_path) if gateway == "tora_option" else ashare_config(tmp_path)
    process_env = _vnpy_env.stock_worker_env(env, sdk, library_dir)
    command = [sys.executable, str(DRIVER), gateway, str(BENCHMARKS), str(tmp_path), str(config)]
    run = subprocess.run(command, check=False, capture_output=True, text=True, env=process_env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    # the simulator's libraries, not the package's bundled real ones
    mapped = {Path(p).resolve() for p in report["mapped"]}
    names = LIBRARIES[gateway]
    assert {library_dir / name for name in names} <= mapped
    assert not [p for p in mapped if p.name in names and p.parent != library_dir]
    contract, tick, held = EXPECTED[gateway]
    assert report["contract"] == contract
    assert report["tick"] == tick
    assert report["trade"][0] == contract[2] and tick[2] <= report["trade"][1] <= tick[1]  # one lot
    assert tuple(report["position"]) == held
