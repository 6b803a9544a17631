"""FUTU on the fake OpenD (vtcore.peers.futu): one connection carries quotes and trading, so an outage is an
OpenD restart (the unlock is lost with it and done again). The REAL account trades HK stocks in lots of 100;
the password unlocking it is the setting's secret."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from contract_peer import WAIT, Peer

from vtcore.constant import Direction, Exchange, OrderType
from vtcore.gateways._transport.backoff import Backoff
from vtcore.object import OrderRequest

pytest.importorskip(
    "futu", reason="the FUTU gateway and its fake OpenD need futu-api (pip install '.[futu]')"
)

from vtcore.gateways.futu import FutuGateway
from vtcore.peers.futu import REAL_ACCOUNT, TRADE_PASSWORD, FakeOpenD

TENCENT = "HK.00700"


@pytest.fixture(scope="module")
def peer_futu() -> Iterator[Peer]:
    opend = FakeOpenD(keep_alive_interval=1).start()
    opend.set_book(TENCENT, [("380.0", "1000")], [("380.2", "800")])
    opend.set_quote(TENCENT, "380.0")
    opend.seed_position(REAL_ACCOUNT, TENCENT, "200", "350.0")
    gateways: list[FutuGateway] = []

    def fast(gateway: Any) -> None:
        gateway.backoff = Backoff(base=0.05, maximum=0.2)
        gateway.connect_timeout = 3.0
        gateways.append(gateway)

    def outage(during: Callable[[], None]) -> None:
        opend.restart(downtime=None)
        during()
        opend.come_back()
        deadline = time.monotonic() + WAIT
        while not (opend.connection_count() == 1 and gateways[0].ready and opend.unlocked):
            assert time.monotonic() < deadline, "the gateway did not come back and catch up"
            time.sleep(0.02)

    yield Peer(
        gateway_class=FutuGateway,
        setting={
            "host": "127.0.0.1",
            "port": opend.port,
            "password": TRADE_PASSWORD,
            "market": "HK",
            "environment": "REAL",
        },
        symbol="00700",
        exchange=Exchange.SEHK,
        volume=100,
        resting_price=379.0,
        fill=lambda: opend.print_trade(TENCENT, "379.0", "100"),
        tick=lambda: opend.set_book(TENCENT, [("380.0", "1100")], [("380.2", "800")]),
        # OpenD: the quantity must be a multiple of the lot size (100)
        rejected_order=lambda: OrderRequest(
            "00700", Exchange.SEHK, Direction.LONG, OrderType.LIMIT, 50, 379.0
        ),
        outage=outage,
        secrets=[TRADE_PASSWORD],
        prepare=fast,
    )
    opend.stop()
