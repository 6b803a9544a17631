"""BITMEX's local peer for `vtcore run --sim --gateway BITMEX`: the local BitMEX venue with a book."""

from __future__ import annotations

from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._venue.local import start_venue_peer
from vtcore.gateways.bitmex.gateway import BitmexGateway
from vtcore.peers import bitmex as local_venue


def start_peer() -> SimPeer:

    def prepare(venue: Any) -> None:
        venue.set_book(
            "XBTUSD", [("100.0", "1000"), ("99.5", "2000")], [("100.5", "1500"), ("101.0", "3000")]
        )
        venue.print_trade("XBTUSD", "100.5", "100")

    setting = {
        "key": local_venue.API_KEY,
        "secret": local_venue.API_SECRET,
        "server": "TESTNET",
        "session_number": 3,
    }
    venue = local_venue.BitmexVenue()
    return start_venue_peer("BITMEX", BitmexGateway.default_setting, venue, setting, prepare)
