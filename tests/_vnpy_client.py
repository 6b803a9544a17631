"""vn.py's own SDK gateways (vnpy_xtp, vnpy_tap, vnpy_femas: built into the benchmarks' baseline cache,
benchmarks/_vnpy_env.py) driven in a child process against a simulator front-end by a driver script in
tests/resources/<sdk>/ that prints one JSON report (`_vnpy_env.run_driver`). The test is skipped, saying why,
when the front-end was not built or the baseline cannot be made here (no registry, no compiler); on CI both
exist, so it runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk.sim import FRONT_ENDS

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
RESOURCES = Path(__file__).resolve().parent / "resources"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
import _vnpy_env  # noqa: E402 - the benchmarks' baseline cache


def run_vnpy_client(
    sdk: str,
    driver: str,
    make: Callable[[Path], _vnpy_env.BaselineEnv],
    *args: str,
    timeout: float = 180.0,
    environment: Callable[[_vnpy_env.BaselineEnv, Path], dict[str, str]] | None = None,
) -> tuple[dict[str, Any], str, Path]:
    """(report, the child's output, the front-end's folder): `make(front-end folder)` builds or finds the
    baseline, then `python tests/resources/<driver> <benchmarks> *args` runs with the front-end ahead of the
    package's own libraries (`environment(baseline, front-end folder)` when the package needs more than
    LD_LIBRARY_PATH for that, as vnpy_tora does)."""
    try:
        library_dir = FRONT_ENDS[sdk].library_dir()
    except SdkUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        env = make(library_dir)
    except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
        pytest.skip(f"cannot build the vn.py {sdk} baseline here: {exc}")
    command = [sys.executable, str(RESOURCES / driver), str(BENCHMARKS), *args]
    run = subprocess.run(
        command,
        check=False,
        capture_output=True,
        text=True,
        env=environment(env, library_dir) if environment else env.subprocess_env(library_dir),
        timeout=timeout,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return report, run.stdout + run.stderr, library_dir
