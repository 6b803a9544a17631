"""`vtcore run --sim --gateway OES`: the OES gateway on the simulator library, from the installed package."""

from __future__ import annotations

from pathlib import Path

import pytest

from venues.harness import run_sim

pytest.importorskip("vtcore._oes", reason="vtcore was built without the OES declarations")


def test_vtcore_run_sim_gateway_oes(tmp_path: Path) -> None:
    assert "OES (A-shares) on the built-in simulator" in run_sim("OES", tmp_path)
