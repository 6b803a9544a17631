"""The benchmark suite in quick mode, as a correctness check: every benchmark runs on a small input and its
results are validated (tick counts, nothing lost, the simulator loaded, the JSON and markdown written).
No timing is asserted: speed claims live in benchmarks/README.md, measured by `python benchmarks/run.py`.

vn.py's side needs the baseline environment (vnpy 4.5.0, vnpy_ctp 6.7.11.4 built from its sdist, a GB18030
locale: a few minutes to make the first time, cached outside the tree afterwards). This test makes it when it
is missing, so every benchmark, vn.py's included, runs in CI; `VTCORE_BENCH_SETUP=0` skips making it, and then
vn.py's side runs only if the environment is already cached.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
pytest.importorskip("pytest_benchmark", reason="pytest-benchmark is part of the test extra")

import _vnpy_env  # noqa: E402
import run as bench_run  # noqa: E402

SYSTEMS_AND_HANDLERS = {("vtcore", "object"), ("vtcore", "batch"), ("vnpy", "raw"), ("vnpy", "gateway")}


@pytest.fixture(scope="module")
def quick_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    setup = os.environ.get("VTCORE_BENCH_SETUP", "1") != "0"
    result = bench_run.run_suite(quick=True, out=out, setup=setup, log=lambda _: None)
    result["_out"] = out
    return result


def test_results_are_written_with_their_shape(quick_result: dict[str, Any]) -> None:
    out: Path = quick_result["_out"]
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["schema"] == bench_run.SCHEMA and saved["quick"] is True
    for key in ("cpu", "cores", "python", "os", "load_average_start", "load_average_end", "vnpy", "vnpy_ctp"):
        assert key in saved["machine"], key
    assert set(saved) >= {"rows", "checks", "runs", "baseline", "micro", "duration_s", "errors"}
    for row in saved["rows"]:
        assert set(row) >= {
            "group",
            "name",
            "unit",
            "vtcore",
            "vnpy",
            "ratio",
            "better",
            "target_ratio",
            "met",
        }
        assert row["vtcore"] is not None, row["name"]  # vtcore's side always runs
        if row["vtcore"] and row["vnpy"]:
            expected = (
                row["vtcore"] / row["vnpy"] if row["better"] == "higher" else row["vnpy"] / row["vtcore"]
            )
            assert row["ratio"] == pytest.approx(expected)
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert "| measure | unit | vtcore | vn.py | ratio | target | note |" in markdown
    assert "QUICK" in markdown


def test_every_benchmark_ran_and_passed_its_checks(quick_result: dict[str, Any]) -> None:
    assert quick_result["errors"] == []
    failed = [check for check in quick_result["checks"] if not check["ok"]]
    assert failed == []
    runs = quick_result["runs"]["tick_path"]
    modes = {(r["spec"]["system"], r["spec"]["handler"], r["spec"]["mode"]) for r in runs}
    systems = (
        SYSTEMS_AND_HANDLERS
        if quick_result["baseline"]["available"]
        else {pair for pair in SYSTEMS_AND_HANDLERS if pair[0] == "vtcore"}
    )
    for system, handler in systems:
        for mode in ("throughput", "latency", "busy"):
            assert (system, handler, mode) in modes, (system, handler, mode)
    assert ("vtcore", "batch", "capacity") in modes and ("vtcore", "object", "capacity") in modes
    if "mini" in _vnpy_env.stamp_sdks():  # MINI's tick path beside CTP's in the same run
        mini = {(r["spec"]["handler"], r["spec"]["mode"]) for r in runs if r["spec"].get("sdk") == "mini"}
        assert {("object", "throughput"), ("batch", "throughput"), ("object", "latency")} <= mini
    order_systems = (
        {"vtcore", "vnpy", "vnpy-gateway"} if quick_result["baseline"]["available"] else {"vtcore"}
    )
    for sdk in _vnpy_env.stamp_sdks():  # the SDKs whose simulator front-end is built: CTP, CTP-Mini
        orders = quick_result["runs"]["order_roundtrip"]
        assert {r["spec"]["system"] for r in orders if r["spec"]["sdk"] == sdk} == order_systems, sdk
    micro_sides = {side for sides in quick_result["micro"]["pairs"].values() for side in sides}
    assert "vtcore" in micro_sides


def test_tick_counts_add_up(quick_result: dict[str, Any]) -> None:
    for run in quick_result["runs"]["tick_path"]:
        spec = run["spec"]
        expected = spec["count"] * spec.get("rounds", 1)
        assert run["received"] + run["dropped"] == expected, spec
        assert run["checksum_ok"], spec
        if spec["system"] == "vnpy":
            assert run["dropped"] == 0 and run["received"] == expected
        if spec["mode"] in ("latency", "busy"):
            assert run["latency"]["samples"] > 0 and run["latency"]["p50_us"] <= run["latency"]["max_us"]
        if spec["mode"] == "busy":
            assert run["idle"]["rate"] > 0 and run["busy"]["rate"] > 0 and run["kept_gil"] >= 0
    for run in quick_result["runs"]["order_roundtrip"]:
        assert run["orders"] == run["spec"]["count"]
        assert run["latency"]["samples"] == run["spec"]["count"]


def test_baseline_presence_is_reported(quick_result: dict[str, Any]) -> None:
    baseline = quick_result["baseline"]
    if baseline["available"]:
        assert _vnpy_env.cached_env() is not None
        assert any(row["vnpy"] is not None for row in quick_result["rows"])
    else:
        assert baseline["reason"]
        assert all(
            row["vnpy"] is None
            for row in quick_result["rows"]
            if "Micro" not in row["group"] and "MINI vs CTP" not in row["name"]
        )
