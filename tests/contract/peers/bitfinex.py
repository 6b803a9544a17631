"""BITFINEX on the local Bitfinex venue (python/vtcore/peers/bitfinex.py: `api` on 127.0.0.1, `api-pub` on
localhost)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.bitfinex import BitfinexGateway
from vtcore.object import OrderRequest
from vtcore.peers.bitfinex import API_KEY, API_SECRET, BitfinexVenue


def fast(gateway: Any) -> None:
    gateway.timing = Timing.fast()


def auths(venue: BitfinexVenue) -> int:
    return sum(1 for _, m in venue.ws_log if isinstance(m, dict) and m.get("event") == "auth")


def outage(venue: BitfinexVenue) -> Callable[[Callable[[], None]], None]:
    """Refuse streams, drop the account stream, run `during`, let it back and wait for its new auth."""

    def run(during: Callable[[], None]) -> None:
        before = auths(venue)
        venue.faults.refuse_ws = True
        venue.drop_connections("api")
        during()
        venue.faults.refuse_ws = False
        deadline = time.monotonic() + WAIT
        while auths(venue) <= before:
            assert time.monotonic() < deadline, "the account stream did not come back"
            time.sleep(0.02)

    return run


@pytest.fixture(scope="module")
def peer_bitfinex() -> Iterator[Peer]:
    venue = BitfinexVenue()
    venue.heartbeat_interval = 0.5
    venue.start()
    venue.set_book("tBTCUSD", [("100.0", "1.0"), ("99.5", "2.0")], [("100.5", "1.5"), ("101.0", "3.0")])
    setting = {**BitfinexGateway.default_setting, "key": API_KEY, "secret": API_SECRET}
    setting.update(
        {"base_url": venue.http_url, "public_url": venue.http_url.replace("127.0.0.1", venue.public_host)}
    )
    yield Peer(
        gateway_class=BitfinexGateway,
        setting=setting,
        symbol="BTCUSD",
        exchange=Exchange.BITFINEX,
        volume=0.5,
        resting_price=99.0,
        fill=lambda: venue.print_trade("tBTCUSD", "99.0", "0.5", buyer_maker=True),
        tick=lambda: venue.set_book("tBTCUSD", [("100.0", "0.9")], [("100.5", "1.5")]),
        # "Invalid order: minimum size for BTC/USD is 0.00006"
        rejected_order=lambda: OrderRequest(
            "BTCUSD", Exchange.BITFINEX, Direction.LONG, OrderType.LIMIT, 0.00001, 99.0
        ),
        outage=outage(venue),
        secrets=[API_KEY, API_SECRET],
        positions=False,  # exchange-wallet trading: balances, no positions
        prepare=fast,
    )
    venue.stop()
