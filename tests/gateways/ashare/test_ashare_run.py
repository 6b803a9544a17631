"""`vtcore run --sim --gateway XTP|TORA|TORA_OPTION`: each A-share gateway on its simulator front-end
through the CLI's sim-peer hook; the demo buy (one lot: no offset on a cash account, an opening buy of an
option) fills."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

UNTIL = "120"  # seconds at most: the run stops once the demo buy has filled (--until-filled)


@pytest.mark.parametrize(
    ("name", "module", "lot"),
    [("XTP", "vtcore._xtp", 100), ("TORA", "vtcore._tora", 100), ("TORA_OPTION", "vtcore._tora", 1)],
)
def test_run_sim_trades_on_its_peer(name: str, module: str, lot: int, tmp_path: Path) -> None:
    pytest.importorskip(module, reason=f"vtcore was built without the {name} SDK")
    environment = {**os.environ, "VTCORE_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vtcore.cli",
            "run",
            "--sim",
            "--gateway",
            name,
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
    assert f"{name} on the built-in simulator" in output
    assert f"{name}.md=ready" in output and f"{name}.td=ready" in output
    assert "dropped 0" in output
    assert re.search(rf"LONG\s+(\S+\s+)?{lot} @ [\d.]+: ALLTRADED", output), output  # one lot
    assert re.search(rf"trade {name}\.(SSE|SZSE)\.\d+ ", output)  # trade ids carry the exchange
