"""The unmodified vnpy_xtp 2.2.32.2.3 gateway, built from its sdist, runs against the simulator's XTP
front-end: contracts of both exchanges (UTF-8 names, ticks and lots), a tick with its limits, a limit buy
filled, one resting and cancelled, the position with T+1 (today's buy frozen); on a credit account a short
sale that vnpy_xtp reports as a SHORT position from the front-end's debt answer. A client we did not write
checks the front-end's ABI, threading and flow.

vnpy_xtp comes from the benchmarks' baseline cache (benchmarks/_vnpy_env.py `ensure_vnpy_sdist`), built once
on a fresh machine (pip builds the sdist with meson-python, about a minute).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from _ashare_sim import ashare_config
from _vnpy_client import _vnpy_env, run_vnpy_client

pytestmark = pytest.mark.slow


def run_driver(tmp_path: Path, *, credit: bool = False) -> tuple[Path, dict[str, Any]]:
    """(the simulator's XTP folder, what the driver reports) for a cash or a credit account."""
    config, _ = ashare_config(tmp_path, credit=credit)
    report, _, library_dir = run_vnpy_client(
        "xtp",
        "ashare/vnpy_xtp_driver.py",
        lambda _: _vnpy_env.ensure_vnpy_sdist("xtp", log=print),
        str(tmp_path),
        str(config),
        *(["credit"] if credit else []),
    )
    return library_dir, report


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
