"""The BitMEX / Bitfinex / 1Token parse-rate cases of benchmarks/bench_venue_parse.py are correct work: every
frame of every case becomes exactly one tick (vtcore) or one parsed result (the baseline). No timing here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import _cases_bitmex_bitfinex_onetoken as cases


def test_every_vtcore_case_makes_one_tick_per_frame() -> None:
    for label, (handler, frames, counter) in cases.vtcore_cases(40).items():
        for frame in frames:
            handler(frame)
        assert counter.count == len(frames), label
        assert counter.last.bid_price_1 > 0 or counter.last.last_price > 0, label


def test_every_baseline_case_parses_every_frame() -> None:
    if importlib.util.find_spec("vnpy_bitfinex") is None:  # imported by the case, after its enum label
        pytest.skip("the vn.py baseline is installed for the benchmark only")
    for label, (_, handler, frames, counter) in cases.baseline_cases(40).items():
        for frame in frames:
            handler(frame)
        assert counter.count == len(frames), label
