"""ALPACA on the local Alpaca venue (vtcore.peers.alpaca), paper: trade updates in binary frames. The private
connection is the trade_updates stream; an outage refuses and drops it, and the gateway is back once it has
authenticated again (it then reconciles its open orders from REST and the FILL activities)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from contract_peer import Peer, stream_outage

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._venue import Timing
from vtcore.gateways._venue.local import local_setting
from vtcore.gateways.alpaca import AlpacaGateway
from vtcore.object import OrderRequest
from vtcore.peers.alpaca import API_KEY, API_SECRET, AlpacaVenue


def fast(gateway: Any) -> None:
    gateway.timing = Timing.fast()


@pytest.fixture(scope="module")
def peer_alpaca() -> Iterator[Peer]:
    venue = AlpacaVenue(paper=True).start()
    venue.set_book("AAPL", [("187.60", "300"), ("187.50", "500")], [("187.70", "400"), ("187.80", "600")])
    yield Peer(
        gateway_class=AlpacaGateway,
        setting=local_setting(
            AlpacaGateway.default_setting, venue, key=API_KEY, secret=API_SECRET, server="PAPER"
        ),
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
        outage=stream_outage(venue, ("trading",)),
        secrets=[API_KEY, API_SECRET],
        prepare=fast,
    )
    venue.stop()
