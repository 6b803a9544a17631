"""bench_ashare.py and profile_order_path.py on small inputs, as a correctness check: each runs its workers
(vtcore's XTP, TORA and TORA_OPTION gateways, vnpy_xtp and vnpy_tora built from their sdists, their raw APIs)
on the simulator and writes every row report.py renders. No timing is asserted: the figures live in
benchmarks/README.md, measured by full runs.

vnpy_xtp and vnpy_tora come from the baseline cache (bench_ashare.py makes them when missing, as the A-share
vn.py tests do). HOME is a temporary folder; the caches keep their places.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

pytest.importorskip("vtcore._xtp", reason="vtcore was built without the XTP SDK")
pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")

import _vnpy_env  # noqa: E402
import bench_ashare  # noqa: E402


def run_benchmark(script: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    """Run `script` with `args` and `--json`, in a temporary HOME; its results file."""
    out = tmp_path / "result.json"
    env = dict(os.environ, HOME=str(tmp_path / "home"))
    env.setdefault("VTCORE_BENCH_CACHE", str(_vnpy_env.cache_root().parent))
    env.pop("VTCORE_HOME", None)
    command = [sys.executable, str(BENCHMARKS / script), *args, "--json", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (tmp_path / "home" / ".vntrader").exists()  # the workers keep their own VTCORE_HOME
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def test_bench_ashare_measures_every_sdk_and_system(tmp_path: Path) -> None:
    result = run_benchmark(
        "bench_ashare.py", tmp_path, "--ticks", "3000", "--orders", "20", "--rounds", "1", "--warmup", "2"
    )
    names = {sdk.upper() for sdk in bench_ashare.SDKS}
    assert {row["sdk"] for row in result["ticks"]} == names
    for row in result["ticks"]:
        assert row["vtcore"] > 0 and row["vnpy_gateway"] > 0, row
    labels = {bench_ashare.order_label(*run) for run in bench_ashare.ORDER_RUNS}
    measured = {(row["sdk"], row["system"]): row for row in result["orders"]}
    assert set(measured) == {(sdk, label) for sdk in names for label in labels}
    for row in measured.values():
        assert row["samples"] == 20 and 0 < row["p50_us"] <= row["p99_us"], row


def test_profile_order_path_stamps_every_stage(tmp_path: Path) -> None:
    sdks = ("--sdk", "xtp", "--sdk", "tora")
    result = run_benchmark("profile_order_path.py", tmp_path, *sdks, "--orders", "20", "--rounds", "1")
    assert [sdk["sdk"] for sdk in result["sdks"]] == ["XTP", "TORA"]
    for sdk in result["sdks"]:
        assert sdk["orders"] == 20
        for stage in sdk["stages"]:
            assert stage["p50_us"] >= 0, (sdk["sdk"], stage)
        # the calls per order: a send and its reports are dozens of calls on each thread, never none
        assert all(sdk["calls"][key] >= 10 for key in ("sender_python", "engine_python")), sdk["calls"]
