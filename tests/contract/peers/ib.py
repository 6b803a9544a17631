"""IB on the fake TWS (vtcore.peers.ib): one socket carries market data, orders and the account, so an outage
is a TWS restart. The account holds AAPL before the session starts: IB pushes contracts as it learns them,
and a held position is how a fresh connection learns one."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways.ib import IbGateway
from vtcore.object import OrderRequest
from vtcore.peers.ib import AAPL, FakeTws


@pytest.fixture(scope="module")
def peer_ib() -> Iterator[Peer]:
    tws = FakeTws().start()
    tws.seed_position("DU1234567", AAPL.con_id, "100", "185.00")
    tws.set_book(AAPL.con_id, [("189.90", "300")], [("190.10", "200")])
    gateways: list[IbGateway] = []

    def fast(gateway: Any) -> None:
        gateway.backoff = Backoff(base=0.05, maximum=0.2)
        gateway.connect_timeout = 3.0
        gateways.append(gateway)

    def outage(during: Callable[[], None]) -> None:
        tws.restart(downtime=None)
        during()
        tws.come_back()
        deadline = time.monotonic() + WAIT
        while not (tws.client_ids() == [1] and gateways[0].synced):
            assert time.monotonic() < deadline, "the gateway did not come back and catch up"
            time.sleep(0.02)

    yield Peer(
        gateway_class=IbGateway,
        setting={"tws_host": "127.0.0.1", "tws_port": tws.port, "client_id": 1, "account": "DU1234567"},
        symbol=str(AAPL.con_id),
        exchange=Exchange.SMART,
        volume=10,
        resting_price=185.0,
        fill=lambda: tws.print_trade(AAPL.con_id, "185.00", "10"),
        tick=lambda: tws.set_book(AAPL.con_id, [("189.95", "300")], [("190.10", "200")]),
        # TWS: error 200, no security definition for ConId 999999
        rejected_order=lambda: OrderRequest(
            "999999", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 10.0
        ),
        outage=outage,
        secrets=[],  # IB's setting holds none: TWS authenticates the login itself
        prepare=fast,
    )
    tws.stop()
