"""The fidelity suite: clients vtcore did not write drive the local venues over real sockets.

Every test here runs with the network closed except loopback (`netguard.loopback_only`): a client call that
slips past the URLs the test pointed at the local venue fails the test. Clients get a private HOME.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from venues.fidelity.netguard import loopback_only


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_only() as refused:
        yield
    assert not refused, f"a client tried to leave loopback: {refused}"


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("VTCORE_HOME", str(home / ".vntrader"))
