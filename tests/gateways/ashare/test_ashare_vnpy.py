"""The unmodified vnpy_xtp 2.2.32.2.3 gateway, built from its sdist, runs against the simulator's XTP
front-end: contracts of both exchanges (UTF-8 names, ticks and lots), a tick with its limits, a limit buy
filled, one resting and cancelled, the position with T+1 (today's buy frozen); on a credit account a short
sale that vnpy_xtp reports as a SHORT position from the front-end's debt answer. A client we did not write
checks the front-end's ABI, threading and flow.

vnpy_xtp comes from the benchmarks' baseline cache (benchmarks/_vnpy_env.py `ensure_vnpy_stock`), built once
on a fresh machine (pip builds the sdist with meson-python, about a minute).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from _ashare_sim import ashare_config
from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk.sim import FRONT_ENDS

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import _vnpy_env  # noqa: E402 - the benchmarks' baseline cache

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).resolve().parents[2] / "resources" / "ashare" / "vnpy_xtp_driver.py"


def run_driver(tmp_path: Path, *, credit: bool = False) -> tuple[Path, dict[str, Any]]:
    """(the simulator's XTP folder, what the driver reports) for a cash or a credit account."""
    try:
        library_dir = FRONT_ENDS["xtp"].library_dir()
    except SdkUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        env = _vnpy_env.ensure_vnpy_stock("xtp", log=print)
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        pytest.skip(f"cannot build the vnpy_xtp baseline here: {exc}")
    config, _ = ashare_config(tmp_path, credit=credit)
    process_env = env.subprocess_env(library_dir)
    command = [sys.executable, str(DRIVER), str(BENCHMARKS), str(tmp_path), str(config)]
    run = subprocess.run(
        command + (["credit"] if credit else []),
        check=False,
        capture_output=True,
        text=True,
        env=process_env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return library_dir, json.loads(run.stdout.strip().splitlines()[-1])


def test_vnpy_xtp_runs_unmodified_against_the_simulator(tmp_path: Path) -> None:
    library_dir, report = run_driver(tmp_path)
    mapped = [Path(p) for p in report["mapped"]]  # the simulator, not vnpy_xtp's bundled real libraries
    assert library_dir / "libxtpquoteapi.so" in mapped and library_dir / "libxtptraderapi.so" in mapped
    assert not [p for p in mapped if p.name.startswith("libxtp") and p.parent != library_dir]
    assert report["contract"] == ["浦发银行", 0.01, 100]
    assert report["tick"] == [10.5, 11.55, 9.45]
    assert report["trade"][0] == 100 and report["trade"][1] <= 10.60
    volume, yd_volume, frozen = report["position"]
    # 500 held since yesterday (sellable) and today's 100 (T+1: frozen)
    assert (volume, yd_volume, frozen) == (600, 500, 100)


def test_vnpy_xtp_reads_a_short_sale_from_the_debt_answer(tmp_path: Path) -> None:
    """vnpy_xtp turns a credit account's securities debts (QueryCreditDebtInfo, debt_type 1, remain_qty) into
    SHORT positions: the front-end's debt answer after a short sale of 100 shares reads as that."""
    _, report = run_driver(tmp_path, credit=True)
    assert report["short"] == [100, "SZSE"]
