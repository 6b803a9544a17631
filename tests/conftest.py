"""Shared pytest set-up (root conftest): the local venue fixtures live in tests/venues/fixtures.py.

No test may touch the user's real home or `~/.vntrader`: for the whole session (and every process a test
starts, which inherits the environment) `HOME` is a temporary folder and `VTCORE_HOME` a `.vntrader` inside
it. Tests that need their own settings folder still set `VTCORE_HOME` themselves. The shared caches that live
under the real home (pip's, the SDK artifacts, the vn.py baseline and test builds) stay where they are, so a
run neither downloads again nor needs the network.

The CTP simulator ticks only inside each exchange's trading hours unless told otherwise; a test must pass at
any hour, so the session runs it always open (`VTCORE_CTPSIM_ALWAYS_OPEN=1`). The tests of the trading hours
themselves set `market_data.always_open: false` in their configuration, with a simulated clock.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["venues.fixtures"]

#: The home of the user running the tests, as it was before this conftest replaced HOME.
REAL_HOME = Path.home()
_CACHES = {  # variable -> where it points by default, under the real home
    "VTCORE_SDK_CACHE": REAL_HOME / ".cache" / "vtcore" / "sdk",
    "VTCORE_TEST_CACHE": REAL_HOME / ".cache" / "vtcore" / "tests",
    "VTCORE_BENCH_CACHE": REAL_HOME / ".cache" / "vtcore" / "bench",
    "PIP_CACHE_DIR": REAL_HOME / ".cache" / "pip",
}
_session: dict[str, Path] = {}


def pytest_configure(config: pytest.Config) -> None:
    if "home" in _session:
        return
    for name, default in _CACHES.items():
        os.environ.setdefault(name, str(default))
    if "PIP_CONFIG_FILE" not in os.environ:  # pip finds its configuration through HOME
        for candidate in (REAL_HOME / ".config" / "pip" / "pip.conf", REAL_HOME / ".pip" / "pip.conf"):
            if candidate.is_file():
                os.environ["PIP_CONFIG_FILE"] = str(candidate)
                break
    os.environ.setdefault("VTCORE_CTPSIM_ALWAYS_OPEN", "1")
    home = _session["home"] = Path(tempfile.mkdtemp(prefix="vtcore-test-home-"))
    os.environ["HOME"] = str(home)
    os.environ["VTCORE_HOME"] = str(home / ".vntrader")


def pytest_unconfigure(config: pytest.Config) -> None:
    if "home" in _session:
        shutil.rmtree(_session.pop("home"), ignore_errors=True)
