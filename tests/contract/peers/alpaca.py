"""ALPACA on the local Alpaca venue (vtcore.peers.alpaca), paper: trade updates in binary frames. The private
connection is the trade_updates stream; an outage refuses and drops it, and the gateway is back once it has
authenticated again (it then reconciles its open orders from REST and the FILL activities)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways.alpaca import AlpacaGateway
from vtcore.object import OrderRequest
from vtcore.peers.alpaca import API_KEY, API_SECRET, AlpacaVenue


def fast(gateway: Any) -> None:
    gateway.timing = Timing.fast()


def auths(venue: AlpacaVenue) -> int:
    return sum(1 for kind, m in venue.ws_log if kind == "trading" and m.get("action") == "authenticate")


def outage(venue: AlpacaVenue) -> Callable[[Callable[[], None]], None]:
    def run(during: Callable[[], None]) -> None:
        before = auths(venue)
        venue.faults.refuse_ws = True
        venue.drop_connections("trading")
        during()
        venue.faults.refuse_ws = False
        deadline = time.monotonic() + WAIT
        while auths(venue) <= before or venue.session_count("trading") < 1:
            assert time.monotonic() < deadline, "the trade_updates stream did not come back"
            time.sleep(0.02)

    return run


@pytest.fixture(scope="module")
def peer_alpaca() -> Iterator[Peer]:
    venue = AlpacaVenue(paper=True).start()
    venue.set_book("AAPL", [("187.60", "300"), ("187.50", "500")], [("187.70", "400"), ("187.80", "600")])
    setting = {
        "key": API_KEY,
        "secret": API_SECRET,
        "session_number": 3,
        "server": "PAPER",
        "data_feed": "iex",
        "proxy_host": "",
        "proxy_port": 0,
        "base_url": venue.http_url,
    }
    yield Peer(
        gateway_class=AlpacaGateway,
        setting=setting,
        symbol="AAPL",
        exchange=Exchange.SMART,
        volume=10,
        resting_price=185.0,
        fill=lambda: venue.print_trade("AAPL", "185.00", "10"),
        tick=lambda: venue.set_book("AAPL", [("187.61", "300")], [("187.70", "400")]),
        # 403 {"code": 40310000, "message": "insufficient buying power", ...}
        rejected_order=lambda: OrderRequest(
            "AAPL", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 10_000, 187.0
        ),
        outage=outage(venue),
        secrets=[API_KEY, API_SECRET],
        prepare=fast,
    )
    venue.stop()
