"""BITFINEX's local peer for `vtcore run --sim --gateway BITFINEX`: the local Bitfinex venue with a book,
answering as `api` on 127.0.0.1 and as the public-only `api-pub` on localhost."""

from __future__ import annotations

from typing import Any

from vtcore.gateways import SimPeer
from vtcore.gateways._venue.local import start_venue_peer
from vtcore.gateways.bitfinex.gateway import BitfinexGateway
from vtcore.peers import bitfinex as local_venue


def start_peer() -> SimPeer:

    def prepare(venue: Any) -> None:
        venue.set_book("tBTCUSD", [("100.0", "1.0"), ("99.5", "2.0")], [("100.5", "1.5"), ("101.0", "3.0")])
        venue.print_trade("tBTCUSD", "100.5", "0.1")

    venue = local_venue.BitfinexVenue()
    peer = start_venue_peer(
        "BITFINEX",
        BitfinexGateway.default_setting,
        venue,
        {"key": local_venue.API_KEY, "secret": local_venue.API_SECRET},
        prepare,
    )
    peer.setting["public_url"] = venue.http_url.replace("127.0.0.1", venue.public_host)
    return peer
