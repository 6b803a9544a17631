"""Builds the C++ core's standalone tests (tests/cpp) with CMake and runs each executable.

The default variant is an optimized build; the ``tsan`` variant builds everything with
ThreadSanitizer and is run on demand with ``pytest -m tsan``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_china_time import CASES, expected

from vtcore.time import CHINA_TZ

CPP_TESTS = Path(__file__).resolve().parents[1] / "cpp"
EXECUTABLES = [
    "test_fixed_string",
    "test_spsc_ring",
    "test_tick_buffer",
    "test_event_hub",
    "test_wakeup",
    "test_handoff",
    "test_spin_policy",
]


def _cmake() -> str:
    # The venv's bin folder first: `pip install cmake` puts it there even when the venv is not active.
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    cmake = shutil.which("cmake", path=search)
    if cmake is None:
        pytest.fail("cmake is needed to build the C++ tests (pip install cmake)")
    return cmake


def _run(command: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited with {result.returncode}:\n{output}")
    return output


def _build(build_dir: Path, *options: str) -> Path:
    cmake = _cmake()
    _run([cmake, "-S", str(CPP_TESTS), "-B", str(build_dir), *options], timeout=300)
    _run([cmake, "--build", str(build_dir), "--parallel", "2"], timeout=900)
    return build_dir


@pytest.fixture(scope="module")
def release_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("cpp-release"), "-DCMAKE_BUILD_TYPE=Release")


@pytest.fixture(scope="module")
def tsan_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("cpp-tsan")
    return _build(build_dir, "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DVTCORE_TSAN=ON")


@pytest.mark.parametrize("name", EXECUTABLES)
def test_cpp(release_build: Path, name: str) -> None:
    output = _run([str(release_build / name)], timeout=120)
    assert f"{name}: all checks passed" in output


def test_cpp_and_python_place_china_night_events_on_the_same_day(release_build: Path) -> None:
    """The C++ tick conversion's date rule and Python's (orders, trades) agree on every case of the table."""
    lines = [f"{day or '-'} {time} {session or 0}" for day, time, session, _ in CASES]
    result = subprocess.run(
        [str(release_build / "china_time_cases")],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for (day, time, session, calendar), printed in zip(CASES, result.stdout.split(), strict=True):
        ns = int(printed)
        from_cpp = dt.datetime.fromtimestamp(ns / 1e9, CHINA_TZ) if ns else None
        assert from_cpp == expected(calendar), (day, time, session)


@pytest.mark.tsan
@pytest.mark.parametrize("name", EXECUTABLES)
def test_cpp_under_thread_sanitizer(tsan_build: Path, name: str) -> None:
    # halt_on_error: the first race report fails the run with a non-zero exit code.
    env = {**os.environ, "TSAN_OPTIONS": "halt_on_error=1 second_deadlock_stack=1"}
    output = _run([str(tsan_build / name)], timeout=600, env=env)
    assert f"{name}: all checks passed" in output
    assert "ThreadSanitizer" not in output
