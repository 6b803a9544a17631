"""The suite itself never touches the real home (issue 19, item 16): tests/test_ctp_real.py, through
tests/_ctp_engine.py, wrote its CTP flow files into the user's own ~/.vntrader."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

from vtcore.setting import get_settings_dir


def _real_home() -> Path:
    return Path(pwd.getpwuid(os.getuid()).pw_dir).resolve()


def test_settings_and_home_are_private_to_the_test_run() -> None:
    real = _real_home()
    assert not get_settings_dir().resolve().is_relative_to(real)
    assert not Path.home().resolve().is_relative_to(real)
    # Processes a test starts (RPC servers, benchmark workers) inherit the same private folders.
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; from vtcore.setting import get_settings_dir; "
            "print(get_settings_dir()); print(Path.home())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path.home(),
    )
    for line in child.stdout.split():
        assert not Path(line).resolve().is_relative_to(real), line
