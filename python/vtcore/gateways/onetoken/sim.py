"""ONETOKEN's local peer for `vtcore run --sim --gateway ONETOKEN`: the local 1Token venue (the public 1Token
service no longer exists) routing BINANCE for one account."""

from __future__ import annotations

from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._venue.local import start_venue_peer
from vtcore.gateways.onetoken.gateway import OnetokenGateway
from vtcore.peers import onetoken as local_venue


def start_peer() -> SimPeer:

    def prepare(venue: Any) -> None:
        book = ([("100.00", "1.0"), ("99.50", "2.0")], [("100.50", "1.5"), ("101.00", "3.0")])
        venue.set_book("binance/btc.usdt", *book)
        venue.print_trade("binance/btc.usdt", "100.5", "0.1")

    setting = {
        "key": local_venue.OT_KEY,
        "secret": local_venue.OT_SECRET,
        "exchange": "BINANCE",
        "account": local_venue.ACCOUNT,
    }
    return start_venue_peer(
        "ONETOKEN", OnetokenGateway.default_setting, local_venue.OneTokenVenue(), setting, prepare
    )
