"""Fixtures for the venue tests: a MainEngine with a private settings folder, and each local venue started
on 127.0.0.1 with fast heartbeats (the gateways under test use `Timing.fast()` to match)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from venues.binance import BinanceSpotVenue
from venues.binance_futures import BinanceCoinFuturesVenue, BinanceFuturesVenue
from venues.okx import OkxVenue
from vtcore.engine import MainEngine


@pytest.fixture
def main_engine(tmp_path, monkeypatch) -> Iterator[MainEngine]:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    engine = MainEngine()
    yield engine
    engine.close()


@pytest.fixture
def binance_spot_venue() -> Iterator[BinanceSpotVenue]:
    server = BinanceSpotVenue()
    server.ping_interval = 0.2
    server.pong_timeout = 3.0
    server.start()
    server.set_book("BTCUSDT", [("100.00", "1.0"), ("99.50", "2.0")], [("101.00", "1.5"), ("101.50", "3.0")])
    yield server
    server.stop()


@pytest.fixture
def okx_venue() -> Iterator[OkxVenue]:
    server = OkxVenue()
    server.client_idle_timeout = 3.0
    server.start()
    server.set_book("BTC-USDT", [("100.0", "1.0"), ("99.5", "2.0")], [("101.0", "1.5"), ("101.5", "3.0")])
    server.set_book("BTC-USDT-SWAP", [("100.0", "10")], [("101.0", "10")])
    yield server
    server.stop()


@pytest.fixture(params=["linear", "inverse"])
def binance_futures_venue(request: pytest.FixtureRequest) -> Iterator[BinanceFuturesVenue]:
    server = BinanceFuturesVenue() if request.param == "linear" else BinanceCoinFuturesVenue()
    server.ping_interval = 0.2
    server.pong_timeout = 3.0
    server.start()
    for spec in server.symbols:
        server.set_book(spec.symbol, [("100.0", "5"), ("99.9", "7")], [("100.1", "4"), ("100.2", "9")])
    yield server
    server.stop()
