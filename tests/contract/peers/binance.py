"""BINANCE_SPOT, BINANCE_LINEAR and BINANCE_INVERSE on the local Binance venues (tests/venues/binance*.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from venues.harness import binance_setting
from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.binance import BinanceInverseGateway, BinanceLinearGateway, BinanceSpotGateway
from vtcore.object import OrderRequest
from vtcore.peers.base import VenueServer
from vtcore.peers.binance import API_KEY, API_SECRET, BinanceSpotVenue
from vtcore.peers.binance_futures import BinanceCoinFuturesVenue, BinanceFuturesVenue


def fast(gateway: Any) -> None:
    gateway.timing = Timing.fast()


def outage(venue: VenueServer, kind: str, back: Callable[[], bool]) -> Callable[[Callable[[], None]], None]:
    """Refuse streams, drop the private one, run `during`, let it back in and wait until `back()`."""

    def run(during: Callable[[], None]) -> None:
        venue.faults.refuse_ws = True
        venue.drop_connections(kind)
        during()
        venue.faults.refuse_ws = False
        deadline = time.monotonic() + WAIT
        while not back():
            assert time.monotonic() < deadline, f"the {kind} stream did not come back"
            time.sleep(0.02)

    return run


def refused(symbol: str, volume: float, price: float) -> Callable[[], OrderRequest]:
    return lambda: OrderRequest(symbol, Exchange.BINANCE, Direction.LONG, OrderType.LIMIT, volume, price)


@pytest.fixture(scope="module")
def peer_binance_spot() -> Iterator[Peer]:
    venue = BinanceSpotVenue()
    venue.ping_interval, venue.pong_timeout = 0.2, 3.0
    venue.start()
    book = [("100.00", "1.0"), ("99.50", "2.0")], [("101.00", "1.5"), ("101.50", "3.0")]
    venue.set_book("BTCUSDT", *book)
    yield Peer(
        gateway_class=BinanceSpotGateway,
        setting=binance_setting(venue),
        symbol="BTCUSDT",
        exchange=Exchange.BINANCE,
        volume=0.5,
        resting_price=99.0,
        fill=lambda: venue.print_trade("BTCUSDT", "99.00", "0.5"),
        tick=lambda: venue.set_book("BTCUSDT", [("100.10", "1.0")], [("101.00", "1.5")]),
        rejected_order=refused("BTCUSDT", 5000.0, 100.0),  # -2010: insufficient balance
        outage=outage(venue, "api", lambda: venue.run(lambda: len(venue.user_subscriptions)) == 1),
        secrets=[API_KEY, API_SECRET],
        positions=False,
        prepare=fast,
    )
    venue.stop()


def futures_peer(
    venue: BinanceFuturesVenue, gateway_class: type, symbol: str, vt_symbol: str
) -> Iterator[Peer]:
    venue.ping_interval, venue.pong_timeout = 0.2, 3.0
    venue.start()
    for spec in venue.symbols:
        venue.set_book(spec.symbol, [("100.0", "5"), ("99.9", "7")], [("100.1", "4"), ("100.2", "9")])
    yield Peer(
        gateway_class=gateway_class,
        setting=binance_setting(venue),
        symbol=vt_symbol,
        exchange=Exchange.BINANCE,
        volume=2,
        resting_price=99.5,
        fill=lambda: venue.print_trade(symbol, "99.5", "2"),
        tick=lambda: venue.set_book(symbol, [("100.0", "6")], [("100.1", "4")]),
        rejected_order=refused(vt_symbol, 1e9, 100.0),  # -2019: margin is insufficient
        outage=outage(venue, "user", lambda: venue.session_count("user") == 1),
        secrets=[API_KEY, API_SECRET],
        prepare=fast,
    )
    venue.stop()


@pytest.fixture(scope="module")
def peer_binance_linear() -> Iterator[Peer]:
    yield from futures_peer(BinanceFuturesVenue(), BinanceLinearGateway, "BTCUSDT", "BTCUSDT_SWAP")


@pytest.fixture(scope="module")
def peer_binance_inverse() -> Iterator[Peer]:
    yield from futures_peer(BinanceCoinFuturesVenue(), BinanceInverseGateway, "BTCUSD_PERP", "BTCUSD_PERP")
