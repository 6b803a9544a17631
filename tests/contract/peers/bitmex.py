"""BITMEX on the local BitMEX venue (python/vtcore/peers/bitmex.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.bitmex import BitmexGateway
from vtcore.object import OrderRequest
from vtcore.peers.bitmex import API_KEY, API_SECRET, BitmexVenue


def fast(gateway: Any) -> None:
    gateway.timing = Timing.fast()


def auths(venue: BitmexVenue) -> int:
    return sum(1 for _, message in venue.ws_log if message.get("op") == "authKeyExpires")


def outage(venue: BitmexVenue) -> Callable[[Callable[[], None]], None]:
    """Refuse streams, drop both, run `during`, let them back and wait for the private one's new auth."""

    def run(during: Callable[[], None]) -> None:
        before = auths(venue)
        venue.faults.refuse_ws = True
        venue.drop_connections()
        during()
        venue.faults.refuse_ws = False
        deadline = time.monotonic() + WAIT
        while auths(venue) <= before or venue.session_count() < 2:
            assert time.monotonic() < deadline, "the private stream did not come back"
            time.sleep(0.02)

    return run


@pytest.fixture(scope="module")
def peer_bitmex() -> Iterator[Peer]:
    venue = BitmexVenue().start()
    venue.set_book("XBTUSD", [("100.0", "1000"), ("99.5", "2000")], [("100.5", "1500"), ("101.0", "3000")])
    setting = {**BitmexGateway.default_setting, "key": API_KEY, "secret": API_SECRET, "server": "TESTNET"}
    yield Peer(
        gateway_class=BitmexGateway,
        setting={**setting, "base_url": venue.http_url},
        symbol="XBTUSD",
        exchange=Exchange.BITMEX,
        volume=100,
        resting_price=99.0,
        fill=lambda: venue.print_trade("XBTUSD", "99.0", "100", buyer_maker=True),
        tick=lambda: venue.set_book("XBTUSD", [("100.0", "900")], [("100.5", "1500")]),
        # "Account has insufficient Available Balance, ... XBt required"
        rejected_order=lambda: OrderRequest(
            "XBTUSD", Exchange.BITMEX, Direction.LONG, OrderType.LIMIT, 9_000_000, 100.0
        ),
        outage=outage(venue),
        secrets=[API_KEY, API_SECRET],
        prepare=fast,
    )
    venue.stop()
