"""The BitMEX / Bitfinex / 1Token parse-rate cases of benchmarks/bench_venue_parse.py are correct work: every
frame of every case becomes exactly one tick (vtcore) or one parsed result (the baseline). No timing here."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import _cases_bitmex_bitfinex_onetoken as cases  # noqa: E402


def test_every_vtcore_case_makes_one_tick_per_frame() -> None:
    for label, (handler, frames, counter) in cases.vtcore_cases(40).items():
        for frame in frames:
            handler(frame)
        assert counter.count == len(frames), label
        assert counter.last.bid_price_1 > 0 or counter.last.last_price > 0, label


def test_every_baseline_case_parses_every_frame() -> None:
    if importlib.util.find_spec("vnpy_bitfinex") is None:  # imported by the case, after its enum label
        pytest.skip("the vn.py baseline is installed for the benchmark only")
    # in a process of its own: ccxt's BitMEX client (`bitmex-api`) rebinds sys.modules["ccxt"]
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import _cases_bitmex_bitfinex_onetoken as cases\n"
        "for label, (_, handler, frames, counter) in cases.baseline_cases(40).items():\n"
        "    [handler(frame) for frame in frames]\n"
        "    assert counter.count == len(frames), label\n"
        "print('ok', len(cases.baseline_cases(1)))\n"
    )
    command = [sys.executable, "-c", script, str(BENCHMARKS)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[:2] == ["ok", "7"]
