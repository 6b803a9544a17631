"""The fidelity suite: clients vtcore did not write drive the local venues over real sockets.

Every test here runs with the network closed except loopback (`netguard.loopback_only`): a client call that
slips past the URLs the test pointed at the local venue fails the test. Clients get a private HOME.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from binance.ws.reconnecting_websocket import ReconnectingWebsocket

from venues.fidelity.netguard import loopback_only
from venues.fixtures import stop_venue
from vtcore.peers.binance import BinanceSpotVenue
from vtcore.peers.binance_futures import BinanceCoinFuturesVenue, BinanceFuturesVenue


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


@pytest.fixture(autouse=True)
def _short_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's socket read loop waits up to `TIMEOUT` (10 s) for a frame before it notices that it was
    asked to stop; a real venue's streams never go quiet that long, a test's do. Half a second keeps closing
    fast and changes nothing else."""
    monkeypatch.setattr(ReconnectingWebsocket, "TIMEOUT", 0.5)


@pytest.fixture
def binance_venues(
    engines: list[Any],
) -> Iterator[tuple[BinanceSpotVenue, BinanceFuturesVenue, BinanceCoinFuturesVenue]]:
    spot, usdm, coinm = (
        BinanceSpotVenue().start(),
        BinanceFuturesVenue().start(),
        BinanceCoinFuturesVenue().start(),
    )
    spot.set_book("BTCUSDT", [("100.00", "1.0"), ("99.50", "2.0")], [("101.00", "1.5"), ("101.50", "3.0")])
    for venue in (usdm, coinm):
        for spec in venue.symbols:
            venue.set_book(spec.symbol, [("100.0", "5"), ("99.9", "7")], [("100.1", "4"), ("100.2", "9")])
    yield spot, usdm, coinm
    for venue in (spot, usdm, coinm):
        stop_venue(venue, engines)
