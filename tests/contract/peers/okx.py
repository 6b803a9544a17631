"""OKEX (spot) and OKEXF (swaps) on the local OKX v5 venue (python/vtcore/peers/okx.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from venues.harness import okx_setting
from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.okx import OkexfGateway, OkexGateway
from vtcore.object import OrderRequest
from vtcore.peers.okx import API_KEY, API_SECRET, PASSPHRASE, OkxVenue


def okx_peer(gateway_class: type, symbol: str, volume: float, refused_volume: float) -> Iterator[Peer]:
    venue = OkxVenue()
    venue.client_idle_timeout = 3.0
    venue.start()
    venue.set_book("BTC-USDT", [("100.0", "1.0"), ("99.5", "2.0")], [("101.0", "1.5"), ("101.5", "3.0")])
    venue.set_book("BTC-USDT-SWAP", [("100.0", "10")], [("101.0", "10")])

    def fast(gateway: Any) -> None:
        gateway.timing = Timing.fast()

    def outage(during: Callable[[], None]) -> None:
        venue.faults.refuse_ws = True
        venue.drop_connections("private")
        during()
        venue.faults.refuse_ws = False
        deadline = time.monotonic() + WAIT
        while venue.session_count("private") != 1:
            assert time.monotonic() < deadline, "the private stream did not come back"
            time.sleep(0.02)

    yield Peer(
        gateway_class=gateway_class,
        setting=okx_setting(venue, gateway_class),
        symbol=symbol,
        exchange=Exchange.OKX,
        volume=volume,
        resting_price=99.0,
        fill=lambda: venue.print_trade(symbol, "99.0", str(volume)),
        tick=lambda: venue.set_book(symbol, [("100.1", "1.0")], [("101.0", "1.5")]),
        # 51008: insufficient balance (spot) or margin (swap)
        rejected_order=lambda: OrderRequest(
            symbol, Exchange.OKX, Direction.LONG, OrderType.LIMIT, refused_volume, 100
        ),
        outage=outage,
        secrets=[API_KEY, API_SECRET, PASSPHRASE],
        positions=gateway_class is OkexfGateway,
        prepare=fast,
    )
    venue.stop()


@pytest.fixture(scope="module")
def peer_okex() -> Iterator[Peer]:
    yield from okx_peer(OkexGateway, "BTC-USDT", 0.5, 5000.0)


@pytest.fixture(scope="module")
def peer_okexf() -> Iterator[Peer]:
    yield from okx_peer(OkexfGateway, "BTC-USDT-SWAP", 1.0, 1e9)
