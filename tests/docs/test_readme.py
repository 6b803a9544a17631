"""Every Python block in README.md runs as written, against the CTP simulator (the blocks themselves choose it
with `vtcore.gateways.ctp.sim_setting()`), each in its own process with its own HOME and `.vntrader`.

The block that hosts a vn.py app finds vnpy and vnpy_ctastrategy in the test cache (benchmarks/_vnpy_env.py's
pinned VNPY_APPS, as tests/vnpy/ uses them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import _vnpy_env  # noqa: E402

BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks() -> list[str]:
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks() -> None:
    assert len(python_blocks()) >= 2


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_block_runs(index: int, tmp_path: Path) -> None:
    code = python_blocks()[index]
    env = dict(os.environ, HOME=str(tmp_path), VTCORE_HOME=str(tmp_path / ".vntrader"))
    if "vnpy" in code:
        apps = _vnpy_env.ensure_vnpy_apps(log=lambda line: None)
        extra = os.pathsep.join(str(folder) for folder in (apps.site_vnpy, apps.site_vnpy_apps))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), extra]))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"README block {index} failed:\n{code}\n--- stderr:\n{done.stderr[-3000:]}"
