"""Local peers for `vtcore run --sim --gateway HUOBI|HBDM`: the local HTX venues (`vtcore.peers.htx`,
`vtcore.peers.htx_futures`) on loopback, with a market that moves."""

from __future__ import annotations

import random
import threading
from decimal import Decimal
from typing import Any

from vtcore.gateways import SimPeer
from vtcore.peers import htx, htx_futures


class _Market(threading.Thread):
    """Moves each symbol's book a tick or two every half second and prints a trade between the touches."""

    def __init__(self, venue: Any, symbols: dict[str, tuple[Decimal, Decimal, Decimal]]) -> None:
        super().__init__(name="htx-sim-market", daemon=True)
        self.venue, self.symbols = venue, symbols  # symbol -> (mid, tick, size)
        self.stopped = threading.Event()
        self.random = random.Random(7)

    def quote(self, symbol: str) -> None:
        mid, tick, size = self.symbols[symbol]
        bids = [(str(mid - tick * (1 + n)), str(size * (n + 1))) for n in range(5)]
        asks = [(str(mid + tick * (1 + n)), str(size * (n + 1))) for n in range(5)]
        self.venue.set_book(symbol, bids, asks)

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            for symbol, (mid, tick, size) in list(self.symbols.items()):
                moved = mid + tick * self.random.choice((-2, -1, 0, 1, 2))
                self.symbols[symbol] = (moved, tick, size)
                self.quote(symbol)
                self.venue.print_trade(symbol, str(moved), str(size), self.random.random() < 0.5)

    def stop(self) -> None:
        self.stopped.set()
        self.join(5)


def _peer(
    gateway: str, venue: Any, symbols: dict[str, tuple[Decimal, Decimal, Decimal]], what: str
) -> SimPeer:
    from vtcore.gateways.htx import HbdmGateway, HuobiGateway  # noqa: PLC0415 - the classes' own settings

    venue.start()
    market = _Market(venue, symbols)
    for symbol in symbols:
        market.quote(symbol)
    market.start()
    keys = htx  # both venues accept HTX's example key pair
    gateway_class = HuobiGateway if gateway == "HUOBI" else HbdmGateway
    setting = {
        **gateway_class.default_setting,
        "key": keys.API_KEY,
        "secret": keys.API_SECRET,
        "base_url": venue.http_url,
    }

    def stop() -> None:
        market.stop()
        venue.stop()

    return SimPeer(
        gateway, setting, description=f"{what} on the local HTX venue at {venue.http_url}", stop=stop
    )


def start_huobi_peer() -> SimPeer:
    venue = htx.HtxSpotVenue()
    symbols = {"btcusdt": (Decimal("30000.00"), Decimal("0.01"), Decimal("0.1"))}
    return _peer("HUOBI", venue, symbols, "HTX spot")


def start_hbdm_peer() -> SimPeer:
    venue = htx_futures.HbdmVenue()
    symbols = {
        "BTC-USDT": (Decimal("30000.0"), Decimal("0.1"), Decimal("10")),
        "BTC-USD": (Decimal("30000.0"), Decimal("0.1"), Decimal("10")),
    }
    return _peer("HBDM", venue, symbols, "HTX futures")
