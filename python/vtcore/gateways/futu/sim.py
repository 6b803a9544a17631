"""The FUTU gateway's local peer for `vtcore run --sim --gateway FUTU`: the fake OpenD (`vtcore.peers.futu`,
Futu's protocol on 127.0.0.1, checked by the unmodified futu-api SDK) with HK stocks whose market moves, and
the REAL account unlocked by the peer's trade password (paper trading: set environment SIMULATE)."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

from vtcore.gateways import SimPeer
from vtcore.peers.futu import REAL_ACCOUNT, TRADE_PASSWORD, FakeOpenD

#: security -> (reference price, tick)
MARKET = {"HK.00700": (Decimal("380.0"), Decimal("0.2")), "HK.09988": (Decimal("85.0"), Decimal("0.05"))}


class _Market:
    """Moves the fake OpenD's books and prints trades a few times a second until stopped."""

    def __init__(self, opend: FakeOpenD) -> None:
        self.opend = opend
        self.mids = {key: price for key, (price, _tick) in MARKET.items()}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="futu-sim-market", daemon=True)

    def _run(self) -> None:
        rng = random.Random(11)
        while not self.stopped.wait(0.25):
            for key, (_price, tick) in MARKET.items():
                mid = max(tick * 10, self.mids[key] + tick * rng.randint(-2, 2))
                self.mids[key] = mid
                bids = [(str(mid - tick * (1 + level)), str(100 * (level + 1))) for level in range(5)]
                asks = [(str(mid + tick * (1 + level)), str(100 * (level + 1))) for level in range(5)]
                self.opend.set_book(key, bids, asks)
                if rng.random() < 0.5:
                    self.opend.print_trade(
                        key, str(mid + tick * rng.randint(-3, 3)), str(100 * rng.randint(1, 5))
                    )

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)


def start_peer() -> SimPeer:
    """A fake OpenD on a free loopback port with a moving HK market; its setting connects FutuGateway."""
    opend = FakeOpenD().start()
    opend.seed_position(REAL_ACCOUNT, "HK.00700", "200", "350.0")
    for key, (price, _tick) in MARKET.items():
        opend.set_quote(key, str(price))
    market = _Market(opend)
    market.thread.start()

    def stop() -> None:
        market.stop()
        opend.stop()

    setting = {
        "host": "127.0.0.1",
        "port": opend.port,
        "password": TRADE_PASSWORD,
        "market": "HK",
        "environment": "REAL",
    }
    return SimPeer("FUTU", setting, description=f"FUTU on a fake OpenD at 127.0.0.1:{opend.port}", stop=stop)
