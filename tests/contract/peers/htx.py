"""HUOBI (spot) and HBDM (here its USDT-margined swap, on v5) on the local HTX venues
(python/vtcore/peers/htx.py, htx_futures.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from contract_peer import Peer, stream_outage

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.htx import HbdmGateway, HuobiGateway
from vtcore.object import OrderRequest
from vtcore.peers.htx import API_KEY, API_SECRET, HtxSpotVenue
from vtcore.peers.htx_futures import HbdmVenue


def fast(gateway: Any) -> None:
    gateway.timing = Timing.fast()


def setting(venue: Any, gateway_class: type) -> dict[str, Any]:
    return {**gateway_class.default_setting, "key": API_KEY, "secret": API_SECRET, "base_url": venue.http_url}


@pytest.fixture(scope="module")
def peer_huobi() -> Iterator[Peer]:
    venue = HtxSpotVenue()
    venue.ping_interval = 0.2
    venue.start()
    venue.set_book("btcusdt", [("100.00", "1.0"), ("99.50", "2.0")], [("101.00", "1.5"), ("101.50", "3.0")])
    yield Peer(
        gateway_class=HuobiGateway,
        setting=setting(venue, HuobiGateway),
        symbol="btcusdt",
        exchange=Exchange.HTX,
        volume=0.1,
        resting_price=99.0,
        fill=lambda: venue.print_trade("btcusdt", "99.0", "0.1"),
        tick=lambda: venue.set_book("btcusdt", [("100.10", "1.0")], [("101.00", "1.5")]),
        # account-frozen-balance-insufficient-error: 5000 BTC at 100 is more USDT than the account holds
        rejected_order=lambda: OrderRequest(
            "btcusdt", Exchange.HTX, Direction.LONG, OrderType.LIMIT, 5000, 100
        ),
        outage=stream_outage(venue, ("private",)),
        secrets=[API_KEY, API_SECRET],
        positions=False,
        prepare=fast,
    )
    venue.stop()


@pytest.fixture(scope="module")
def peer_hbdm() -> Iterator[Peer]:
    venue = HbdmVenue()
    venue.ping_interval = 0.2
    venue.start()
    for contract in venue.contracts:
        venue.set_book(contract, [("100.0", "50"), ("99.9", "70")], [("100.1", "40"), ("100.2", "90")])
    yield Peer(
        gateway_class=HbdmGateway,
        setting=setting(venue, HbdmGateway),
        symbol="BTC-USDT",
        exchange=Exchange.HTX,
        volume=1,
        resting_price=99.0,
        fill=lambda: venue.print_trade("BTC-USDT", "99.0", "1"),
        tick=lambda: venue.set_book("BTC-USDT", [("100.05", "5")], [("100.1", "40")]),
        # 1047 Insufficient margin available
        rejected_order=lambda: OrderRequest(
            "BTC-USDT", Exchange.HTX, Direction.LONG, OrderType.LIMIT, 10**9, 100
        ),
        outage=stream_outage(venue, ("notify-future", "notify-swap", "notify-linear")),
        secrets=[API_KEY, API_SECRET],
        prepare=fast,
    )
    venue.stop()
