"""`vtcore run --sim --gateway MINI`: CTP-Mini on its simulator front-end, through the CLI's sim-peer hook."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

UNTIL = "120"  # seconds at most: the run stops once the demo buy has filled (--until-filled)


def test_run_sim_mini_trades_on_its_peer(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._mini", reason="vtcore was built without the CTP-Mini SDK")
    environment = {**os.environ, "VTCORE_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vtcore.cli",
            "run",
            "--sim",
            "--gateway",
            "MINI",
            "--until-filled",
            "--duration",
            UNTIL,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        cwd=tmp_path,
        check=False,
    )
    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    assert "CTP-Mini on the built-in simulator" in output
    assert "MINI.md=ready" in output and "MINI.td=ready" in output
    assert "account MINI.vtcore" in output
    assert "dropped 0" in output
    assert "LONG OPEN 1 @" in output and "ALLTRADED" in output  # the demo order went through and filled
    assert re.search(r"trade MINI\.[A-Z]+\.\d+ ", output)  # trade ids carry the exchange
