"""ALPACA's local peer for `vtcore run --sim --gateway ALPACA`: the local Alpaca venue (paper: trade updates
in binary frames) with a moving AAPL market, open for trading."""

from __future__ import annotations

from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._venue.local import start_venue_peer
from vtcore.gateways.alpaca.gateway import AlpacaGateway
from vtcore.peers import alpaca as local_venue


def start_peer() -> SimPeer:
    def prepare(venue: Any) -> None:
        venue.set_book("AAPL", [("187.60", "300"), ("187.50", "500")], [("187.70", "400"), ("187.80", "600")])
        venue.print_trade("AAPL", "187.65", "100")
        venue.animate("AAPL")

    setting = {
        "key": local_venue.API_KEY,
        "secret": local_venue.API_SECRET,
        "server": "PAPER",
        "session_number": 3,
    }
    venue = local_venue.AlpacaVenue(paper=True)
    return start_venue_peer("ALPACA", AlpacaGateway.default_setting, venue, setting, prepare)
