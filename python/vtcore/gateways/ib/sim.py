"""The IB gateway's local peer for `vtcore run --sim --gateway IB`: the fake TWS (`vtcore.peers.ib`, IB's
socket API on 127.0.0.1, checked by ib-async, the official API and vnpy_ib), with a paper account that holds
100 AAPL and a market that moves."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

from vtcore.gateways import SimPeer
from vtcore.peers.ib import AAPL, ContractSpec, FakeTws

ACCOUNT = "DU1234567"


class _Market:
    """Moves the fake TWS's books and prints trades a few times a second until stopped."""

    def __init__(self, tws: FakeTws, contracts: list[ContractSpec]) -> None:
        self.tws = tws
        self.mids: dict[int, Decimal] = {spec.con_id: spec.reference_price for spec in contracts}
        self.ticks: dict[int, Decimal] = {spec.con_id: spec.min_tick for spec in contracts}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ib-sim-market", daemon=True)

    def _run(self) -> None:
        rng = random.Random(7)
        while not self.stopped.wait(0.25):
            for con_id, last_mid in list(self.mids.items()):
                tick = self.ticks[con_id]
                mid = max(tick * 10, last_mid + tick * rng.randint(-2, 2))
                self.mids[con_id] = mid
                bids = [(str(mid - tick * (1 + level)), str(100 * (level + 1))) for level in range(3)]
                asks = [(str(mid + tick * (1 + level)), str(100 * (level + 1))) for level in range(3)]
                self.tws.set_book(con_id, bids, asks)
                if rng.random() < 0.5:  # prints around the mid: resting orders near it fill now and then
                    self.tws.print_trade(con_id, str(mid + tick * rng.randint(-3, 3)), str(rng.randint(1, 9)))

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)


def start_peer() -> SimPeer:
    """Start a fake TWS on a free loopback port with a moving market; the setting connects IbGateway to it."""
    tws = FakeTws(accounts=(ACCOUNT,)).start()
    tws.seed_position(ACCOUNT, AAPL.con_id, "100", "185.00")
    market = _Market(tws, [AAPL])
    market.thread.start()

    def stop() -> None:
        market.stop()
        tws.stop()

    setting = {"tws_host": "127.0.0.1", "tws_port": tws.port, "client_id": 1, "account": ACCOUNT}
    return SimPeer("IB", setting, description=f"IB on a fake TWS at 127.0.0.1:{tws.port}", stop=stop)
