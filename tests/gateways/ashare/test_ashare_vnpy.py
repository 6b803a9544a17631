"""vn.py's own gateways, unmodified and built from their sdists, run against the simulator's front-ends:
vnpy_xtp 2.2.32.2.3's XtpGateway on the XTP front-end, vnpy_tora 2026.10.5's ToraStockGateway on the TORA
front-end (its stock trader and XMd market data) and its ToraOptionGateway on the TORA stock-option trader
(SP) and the XMd options' quotes: contracts (GB18030 or UTF-8 names, ticks and lots), a tick with its limits,
a limit buy filled, one resting and cancelled, the position (T+1 for stocks); and on an XTP credit account a
short sale that vnpy_xtp reports as a SHORT position from the front-end's debt answer. Clients we did not
write check each front-end's ABI, threading and flow.

The packages come from the benchmarks' baseline cache (benchmarks/_vnpy_env.py `ensure_vnpy_sdist`), built
once on a fresh machine (pip builds each sdist, about a minute).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from _ashare_sim import ashare_config, option_sim_config
from _vnpy_client import _vnpy_env, run_vnpy_client

pytestmark = pytest.mark.slow

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


def run_driver(gateway: str, config: Path, tmp_path: Path, *extra: str) -> tuple[Path, dict[str, Any]]:
    """(the simulator's folder for the gateway's SDK, what the driver reports)."""
    sdk = gateway.partition("_")[0]
    report, _, library_dir = run_vnpy_client(
        sdk,
        "ashare/vnpy_stock_driver.py",
        lambda _: _vnpy_env.ensure_vnpy_sdist(sdk, log=print),
        gateway,
        str(tmp_path),
        str(config),
        *extra,
        timeout=300,
        environment=lambda env, library_dir: _vnpy_env.stock_worker_env(env, sdk, library_dir),
    )
    return library_dir, report


@pytest.mark.parametrize("gateway", list(EXPECTED))
def test_vnpy_gateway_runs_unmodified_against_the_simulator(gateway: str, tmp_path: Path) -> None:
    config, _ = option_sim_config(tmp_path) if gateway == "tora_option" else ashare_config(tmp_path)
    library_dir, report = run_driver(gateway, config, tmp_path)
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


def test_vnpy_xtp_reads_a_short_sale_from_the_debt_answer(tmp_path: Path) -> None:
    """vnpy_xtp turns a credit account's securities debts (QueryCreditDebtInfo, debt_type 1, remain_qty) into
    SHORT positions: the front-end's debt answer after a short sale of 100 shares reads as that."""
    config, _ = ashare_config(tmp_path, credit=True)
    _, report = run_driver("xtp", config, tmp_path, "credit")
    assert report["short"] == [100, "SZSE"]
