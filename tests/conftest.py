"""Shared pytest setup (root conftest); the local venue fixtures live in tests/venues/fixtures.py.

No test touches the user's real home: every test gets its own `VTCORE_HOME` (the `.vntrader` folder) and
`HOME` (where Qt, pip or a vendor SDK might write) in a tmp folder, and the whole run fails if the real
`~/.vntrader` changed during it. The shared download caches (vendor SDKs, the vn.py baseline, test builds,
pip) and pip's configuration stay where they are, so that a redirected HOME does not turn cache hits into
downloads or lose the package index.

The CTP simulator ticks only inside each exchange's trading hours unless told otherwise; a test must pass at
any hour, so the run has it always open (`VTCORE_SIM_ALWAYS_OPEN=1`). The tests of the trading hours
themselves set `market_data.always_open: false` in their configuration, with a simulated clock.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["venues.fixtures"]
pytest.register_assert_rewrite("_sdk_sim")  # its shared checks report their values as a test's asserts do

REAL_HOME = Path.home()
REAL_SETTINGS = REAL_HOME / ".vntrader"
#: cache folders the tests may share with the user (content-addressed, or rebuilt when stale)
SHARED_CACHES = {
    "VTCORE_SDK_CACHE": REAL_HOME / ".cache" / "vtcore" / "sdk",
    "VTCORE_BENCH_CACHE": REAL_HOME / ".cache" / "vtcore" / "bench",
    "VTCORE_TEST_CACHE": REAL_HOME / ".cache" / "vtcore" / "tests",
    "PIP_CACHE_DIR": REAL_HOME / ".cache" / "pip",
}


def snapshot(folder: Path) -> dict[str, tuple[int, int]] | None:
    """(size, mtime) of every file under `folder`, None when it does not exist."""
    if not folder.exists():
        return None
    found: dict[str, tuple[int, int]] = {}
    for path in sorted(folder.rglob("*")):
        stat = path.lstat()
        found[str(path.relative_to(folder))] = (stat.st_size if path.is_file() else -1, stat.st_mtime_ns)
    return found


_BEFORE = pytest.StashKey[dict[str, tuple[int, int]] | None]()


_SESSION_ROOT = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    for name, folder in SHARED_CACHES.items():
        os.environ.setdefault(name, str(folder))
    if "PIP_CONFIG_FILE" not in os.environ:  # pip finds the user's configuration through HOME
        for candidate in (REAL_HOME / ".config" / "pip" / "pip.conf", REAL_HOME / ".pip" / "pip.conf"):
            if candidate.is_file():
                os.environ["PIP_CONFIG_FILE"] = str(candidate)
                break
    os.environ.setdefault("VTCORE_SIM_ALWAYS_OPEN", "1")
    config.stash[_BEFORE] = snapshot(REAL_SETTINGS)
    # for what runs outside a test's own fixtures (module- and session-scoped fixtures, collection)
    root = Path(tempfile.mkdtemp(prefix="vtcore-tests-"))
    (root / "user-home").mkdir()
    os.environ["HOME"] = str(root / "user-home")
    os.environ["VTCORE_HOME"] = str(root / ".vntrader")
    config.stash[_SESSION_ROOT] = root


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's own settings folder and home directory (beside its tmp_path, which stays empty)."""
    base = tmp_path_factory.mktemp("home")
    home = base / "user-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("VTCORE_HOME", str(base / ".vntrader"))
    yield home


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    root = session.config.stash.get(_SESSION_ROOT, None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
    before, after = session.config.stash.get(_BEFORE, None), snapshot(REAL_SETTINGS)
    if before == after:
        return
    changed = sorted(set((before or {}).items()) ^ set((after or {}).items()))
    names = sorted({name for name, _ in changed})
    shown = ", ".join(names[:10]) or "(the folder itself)"
    message = f"the test run changed the real {REAL_SETTINGS}: {shown}"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"ERROR: {message}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
