"""ONETOKEN on the local 1Token venue (python/vtcore/peers/onetoken.py; the public 1Token service no longer
exists), routing BINANCE for one account."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.onetoken import OnetokenGateway
from vtcore.object import OrderRequest
from vtcore.peers.onetoken import ACCOUNT, OT_KEY, OT_SECRET, OneTokenVenue


def fast(gateway: Any) -> None:
    gateway.timing = Timing.fast()


def subscriptions(venue: OneTokenVenue) -> int:
    return sum(1 for kind, m in venue.ws_log if kind == "trade" and m.get("uri") == "sub-order")


def outage(venue: OneTokenVenue) -> Callable[[Callable[[], None]], None]:
    """Refuse sockets, drop the trade socket, run `during`, let it back and wait until it subscribed again."""

    def run(during: Callable[[], None]) -> None:
        before = subscriptions(venue)
        venue.faults.refuse_ws = True
        venue.drop_connections("trade")
        during()
        venue.faults.refuse_ws = False
        deadline = time.monotonic() + WAIT
        while subscriptions(venue) <= before:
            assert time.monotonic() < deadline, "the trade socket did not come back"
            time.sleep(0.02)

    return run


@pytest.fixture(scope="module")
def peer_onetoken() -> Iterator[Peer]:
    venue = OneTokenVenue().start()
    venue.set_book(
        "binance/btc.usdt", [("100.00", "1.0"), ("99.50", "2.0")], [("100.50", "1.5"), ("101.00", "3.0")]
    )
    setting = {**OnetokenGateway.default_setting, "key": OT_KEY, "secret": OT_SECRET, "exchange": "BINANCE"}
    yield Peer(
        gateway_class=OnetokenGateway,
        setting={**setting, "account": ACCOUNT, "base_url": venue.http_url},
        symbol="btc.usdt",
        exchange=Exchange.BINANCE,
        volume=0.5,
        resting_price=99.0,
        fill=lambda: venue.print_trade("binance/btc.usdt", "99.0", "0.5", buyer_maker=True),
        tick=lambda: venue.set_book("binance/btc.usdt", [("100.00", "0.9")], [("100.50", "1.5")]),
        rejected_order=lambda: OrderRequest(  # place-order-no-money
            "btc.usdt", Exchange.BINANCE, Direction.LONG, OrderType.LIMIT, 10_000, 99.0
        ),
        outage=outage(venue),
        secrets=[OT_KEY, OT_SECRET],
        positions=False,  # spot holdings are balances
        prepare=fast,
    )
    venue.stop()
