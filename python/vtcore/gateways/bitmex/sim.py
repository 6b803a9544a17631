"""BITMEX's local peer for `vtcore run --sim --gateway BITMEX`: the local BitMEX venue with a book."""

from __future__ import annotations

from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._venue.local import start_venue_peer, venue_module
from vtcore.gateways.bitmex.gateway import BitmexGateway


def start_peer() -> SimPeer:
    module = venue_module("bitmex")

    def prepare(venue: Any) -> None:
        venue.set_book(
            "XBTUSD", [("100.0", "1000"), ("99.5", "2000")], [("100.5", "1500"), ("101.0", "3000")]
        )
        venue.print_trade("XBTUSD", "100.5", "100")

    setting = {"key": module.API_KEY, "secret": module.API_SECRET, "server": "TESTNET", "session_number": 3}
    return start_venue_peer("BITMEX", BitmexGateway.default_setting, module.BitmexVenue(), setting, prepare)
