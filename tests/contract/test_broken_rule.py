"""The contract suite fails when the OrderTracker lets an order's status go back (issue 11's check on the
suite itself): it runs in a subprocess with `broken_tracker.py` loaded, against CTP, whose private flow is
replayed from the start of the day after every reconnect (old states arrive again)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_a_tracker_whose_status_goes_back_fails_the_contract() -> None:
    options = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "broken_tracker"]
    command = [sys.executable, *options, str(HERE / "test_contract.py"), "-k", "peer_ctp and reconnect"]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=HERE.parents[1],
        env=environment,
        check=False,
    )
    output = result.stdout + result.stderr
    if "1 skipped" in output:  # no CTP in this build: nothing ran either way
        return
    assert result.returncode == 1, output
    assert "1 failed" in output and ("went back" in output or "moved nothing" in output), output
