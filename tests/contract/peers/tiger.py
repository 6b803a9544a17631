"""TIGER on the fake Tiger open API (vtcore.peers.tiger): signed HTTP calls plus one push socket that carries
quotes and account pushes, so an outage is the push server going away (orders still travel over HTTP)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.tiger import TigerGateway
from vtcore.gateways.tiger.sim import TIGER_ID, gateway_setting
from vtcore.object import OrderRequest

tiger = pytest.importorskip("vtcore.peers.tiger", reason="the fake Tiger API speaks through tigeropen")

ACCOUNT = "U1234567"


def outage(venue: Any, gateways: list[Any]) -> Callable[[Callable[[], None]], None]:
    """Take the push server down, run `during`, bring it back; return once the gateway is logged in again and
    has asked for its active orders' state and fills (the pushes it missed are gone for good)."""

    def run(during: Callable[[], None]) -> None:
        gateway = gateways[0]
        before = gateway.push.connections
        asked = sum(1 for call in venue.requests if call["method"] == "order_transactions")
        venue.refuse_push = True
        venue.drop_push()
        during()
        venue.refuse_push = False
        deadline = time.monotonic() + WAIT
        while gateway.push.connections <= before or not any(
            call["method"] == "order_transactions" for call in venue.requests[asked:]
        ):
            assert time.monotonic() < deadline, "the push socket did not come back and catch up"
            time.sleep(0.02)

    return run


@pytest.fixture(scope="module")
def peer_tiger() -> Iterator[Peer]:
    private_key, public_key = tiger.new_key_pair()
    venue = tiger.FakeTiger(TIGER_ID, public_key, accounts=(ACCOUNT,))
    venue.push_heartbeat_ms = 2000
    venue.start()
    venue.seed_position(ACCOUNT, "AAPL", "100", "185.00")
    venue.set_book("AAPL", [("189.90", "300")], [("190.10", "200")])
    gateways: list[Any] = []

    def prepare(gateway: Any) -> None:
        gateway.timing = Timing.fast()
        gateways.append(gateway)

    yield Peer(
        gateway_class=TigerGateway,
        setting=gateway_setting(venue, private_key, account=ACCOUNT, markets="US"),
        symbol="AAPL",
        exchange=Exchange.SMART,
        volume=10,
        resting_price=185.0,
        fill=lambda: venue.print_trade("AAPL", "185.00", "10"),
        tick=lambda: venue.set_book("AAPL", [("189.95", "300")], [("190.10", "200")]),
        # Tiger: code 1200, "orders: contract NOPE not found"
        rejected_order=lambda: OrderRequest("NOPE", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 10.0),
        outage=outage(venue, gateways),
        secrets=[private_key],
        prepare=prepare,
    )
    venue.stop()
