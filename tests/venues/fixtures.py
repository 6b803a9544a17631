"""Fixtures for the venue tests: a MainEngine with a private settings folder, and each local venue started
on 127.0.0.1 with fast heartbeats (the gateways under test use `Timing.fast()` to match)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vtcore.engine import MainEngine
from vtcore.peers.base import VenueServer
from vtcore.peers.binance import BinanceSpotVenue
from vtcore.peers.binance_futures import BinanceCoinFuturesVenue, BinanceFuturesVenue
from vtcore.peers.bitfinex import BitfinexVenue
from vtcore.peers.bitmex import BitmexVenue
from vtcore.peers.htx import HtxSpotVenue
from vtcore.peers.htx_futures import HbdmVenue
from vtcore.peers.okx import OkxVenue
from vtcore.peers.onetoken import OneTokenVenue


@pytest.fixture
def engines() -> Iterator[list[MainEngine]]:
    """Every MainEngine of the test; venues close them before they stop, so gateways close against a live
    peer (as a user's would) instead of retrying into a dead one."""
    started: list[MainEngine] = []
    yield started
    for engine in started:
        engine.close()


@pytest.fixture
def main_engine(engines, tmp_path, monkeypatch) -> Iterator[MainEngine]:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    engine = MainEngine()
    engines.append(engine)
    yield engine
    engine.close()


def stop_venue(server: VenueServer, engines: list[MainEngine]) -> None:
    for engine in engines:
        engine.close()
    server.stop()


@pytest.fixture
def binance_spot_venue(engines) -> Iterator[BinanceSpotVenue]:
    server = BinanceSpotVenue()
    server.ping_interval = 0.2
    server.pong_timeout = 3.0
    server.start()
    server.set_book("BTCUSDT", [("100.00", "1.0"), ("99.50", "2.0")], [("101.00", "1.5"), ("101.50", "3.0")])
    yield server
    stop_venue(server, engines)


@pytest.fixture
def okx_venue(engines) -> Iterator[OkxVenue]:
    server = OkxVenue()
    server.client_idle_timeout = 3.0
    server.start()
    server.set_book("BTC-USDT", [("100.0", "1.0"), ("99.5", "2.0")], [("101.0", "1.5"), ("101.5", "3.0")])
    server.set_book("BTC-USDT-SWAP", [("100.0", "10")], [("101.0", "10")])
    yield server
    stop_venue(server, engines)


@pytest.fixture(params=["linear", "inverse"])
def binance_futures_venue(request: pytest.FixtureRequest, engines) -> Iterator[BinanceFuturesVenue]:
    server = BinanceFuturesVenue() if request.param == "linear" else BinanceCoinFuturesVenue()
    server.ping_interval = 0.2
    server.pong_timeout = 3.0
    server.start()
    for spec in server.symbols:
        server.set_book(spec.symbol, [("100.0", "5"), ("99.9", "7")], [("100.1", "4"), ("100.2", "9")])
    yield server
    stop_venue(server, engines)


@pytest.fixture
def bitmex_venue(engines) -> Iterator[BitmexVenue]:
    server = BitmexVenue().start()
    server.set_book("XBTUSD", [("100.0", "1000"), ("99.5", "2000")], [("100.5", "1500"), ("101.0", "3000")])
    server.set_book("XBTUSDT", [("100.0", "5000"), ("99.5", "9000")], [("100.5", "4000"), ("101.0", "8000")])
    yield server
    stop_venue(server, engines)


@pytest.fixture
def bitfinex_venue(engines) -> Iterator[BitfinexVenue]:
    server = BitfinexVenue()
    server.heartbeat_interval = 0.5
    server.start()
    server.set_book("tBTCUSD", [("100.0", "1.0"), ("99.5", "2.0")], [("100.5", "1.5"), ("101.0", "3.0")])
    yield server
    stop_venue(server, engines)


@pytest.fixture
def onetoken_venue(engines) -> Iterator[OneTokenVenue]:
    server = OneTokenVenue().start()  # 1Token's own rule: a connection quiet for 30 s is dropped
    for symbol in ("binance/btc.usdt", "okef/btc.usd.q"):
        server.set_book(symbol, [("100.00", "1.0"), ("99.50", "2.0")], [("100.50", "1.5"), ("101.00", "3.0")])
    yield server
    stop_venue(server, engines)


@pytest.fixture
def htx_spot_venue(engines) -> Iterator[HtxSpotVenue]:
    server = HtxSpotVenue()
    server.ping_interval = 0.2  # the gateways' fast timing replaces a stream silent for 2 s
    server.start()
    server.set_book("btcusdt", [("100.00", "1.0"), ("99.50", "2.0")], [("101.00", "1.5"), ("101.50", "3.0")])
    yield server
    stop_venue(server, engines)


@pytest.fixture
def hbdm_venue(engines) -> Iterator[HbdmVenue]:
    server = HbdmVenue()
    server.ping_interval = 0.2
    server.start()
    for contract in server.contracts:
        server.set_book(contract, [("100.0", "50"), ("99.9", "70")], [("100.1", "40"), ("100.2", "90")])
    yield server
    stop_venue(server, engines)
