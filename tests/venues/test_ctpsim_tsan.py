"""The simulator under ThreadSanitizer (on demand: `pytest -m tsan`): its sources and the probe are built with
-fsanitize=thread, and a run that mixes every thread the simulator has (two API threads, the control thread,
the caller's) must produce no report: market data streaming while resting orders fill from the market-data
thread into the trader's, control commands, disconnects, reconnects and releases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import _ctpsim_probe
from _ctpsim_probe import Probe
from vtcore.gateways.ctp import sim as ctpsim
from vtcore.gateways.ctp.sim import SimControl

pytestmark = pytest.mark.tsan

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tsan_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(simulator folder: the core and its ctp/ front-end, probe executable), both built with
    ThreadSanitizer."""
    cmake, compiler = shutil.which("cmake"), shutil.which("g++")
    if cmake is None or compiler is None:
        pytest.skip("cmake and g++ are needed for the ThreadSanitizer build")
    include = _ctpsim_probe.include_dir()
    version = ctpsim.build_info()["api_version"]
    work = tmp_path_factory.mktemp("sim-tsan")
    # A small top level standing in for vtcore's: the warning set, the header target, the simulator folder.
    (work / "CMakeLists.txt").write_text(
        f"""
cmake_minimum_required(VERSION 3.21)
project(sim_tsan VERSION 0.0.0 LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
find_package(Python REQUIRED COMPONENTS Interpreter)
include("{ROOT}/cmake/VtcoreWarnings.cmake")
include("{ROOT}/cmake/VendorSdk.cmake")
add_library(vtcore_ctp_headers INTERFACE)
target_include_directories(vtcore_ctp_headers SYSTEM INTERFACE "{include}")
target_compile_definitions(vtcore_ctp_headers INTERFACE VTCORE_SDK_API_VERSION="{version}")
set(VTCORE_CTP_FOUND ON)
set(VTCORE_CTP_API_VERSION {version})
set(VTCORE_CTP_SDK_DIR "{include.parent}")
set(VTCORE_CTP_TITLE CTP)
add_subdirectory("{ROOT}/cpp/sim_core" sim_core)
add_subdirectory("{ROOT}/cpp/ctp_sim" ctp_sim)
""",
        encoding="utf-8",
    )
    flags = "-fsanitize=thread -g -O1"
    subprocess.run(
        [
            cmake,
            "-S",
            str(work),
            "-B",
            str(work / "build"),
            "-DCMAKE_BUILD_TYPE=Debug",
            f"-DCMAKE_CXX_FLAGS={flags}",
            "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread",
            f"-DPython_EXECUTABLE={sys.executable}",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(
        [cmake, "--build", str(work / "build"), "-j2"], check=True, capture_output=True, timeout=1200
    )
    probe = work / "probe"
    subprocess.run(
        [
            compiler,
            *flags.split(),
            "-std=c++17",
            f"-I{include}",
            str(_ctpsim_probe.RESOURCES / "probe.cpp"),
            "-o",
            str(probe),
            "-ldl",
            "-pthread",
        ],
        check=True,
        timeout=300,
    )
    return work / "build" / "sim_lib", probe


def test_no_data_race(tsan_build: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library_dir, probe_exe = tsan_build
    monkeypatch.setenv(ctpsim.DIR_ENV, str(library_dir))
    monkeypatch.setenv("TSAN_OPTIONS", "halt_on_error=0 exitcode=66")
    monkeypatch.setattr(_ctpsim_probe, "probe_executable", lambda: probe_exe)
    port_file = tmp_path / "port"
    config = {"market_data": {"rate": 0, "count": -1}, "control": {"port_file": str(port_file)}}
    probe = Probe(tmp_path, config)
    try:
        probe.md_login()
        probe.td_login()
        probe.send("md_print 0", "md_sub rb2601 m2601")
        # Resting orders on both sides: the walk fills them from the market-data thread.
        for ref in range(1, 21):
            side, price = ("0", 3100 - ref) if ref % 2 else ("1", 3100 + ref)
            probe.send(f"td_order {ref} rb2601 SHFE {side} 0 {price} 1 limit")
        probe.send("md_wait_ticks 200000 120")
        probe.wait("md_waited", timeout=150)
        with SimControl.from_port_file(port_file) as control:
            control.status()
            control.set_price("rb2601", 3050)
            control.disconnect("any", reconnect_ms=10)
            probe.wait("td.OnFrontConnected", 2)
            probe.wait("md.OnFrontConnected", 2)
            control.status()
        probe.send("td_login 9999 u1 p1", "md_login 9999 u1 p1", "md_sub rb2601")
        probe.wait("td.OnRspUserLogin", 2)
        probe.send("td_qry position", "td_qry account", "td_release", "md_release_unregistered")
        probe.wait("md_released")
    finally:
        code = probe.close()
    reports = [line for line in probe.stderr if "WARNING: ThreadSanitizer" in line]
    assert not reports and code == 0, "".join(probe.stderr[-60:])
    assert os.environ.get(ctpsim.DIR_ENV) == str(library_dir)
