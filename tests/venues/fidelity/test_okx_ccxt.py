"""ccxt (okx) against the local OKX venue: spot and a linear swap."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from venues.fidelity.ccxt_flows import CcxtFlows
from venues.fixtures import stop_venue
from vtcore.peers.base import VenueServer
from vtcore.peers.okx import API_KEY, API_SECRET, PASSPHRASE, OkxVenue

pytestmark = pytest.mark.fidelity

#: ccxt builds OKX URLs from its `hostname` option (`{hostname}`), the WebSocket ones from ws.okx.com
OKX_HOSTS = ("{hostname}", "ws.okx.com")


class OkxCcxt(CcxtFlows):
    exchange_id = "okx"
    bid, bid_size, ask, ask_size = Decimal("100"), Decimal("1"), Decimal("101"), Decimal("1.5")
    tick = Decimal("0.1")
    # the local venue lists spot, swaps and futures; options need an underlying ccxt does not know
    config: ClassVar[dict[str, Any]] = {"options": {"fetchMarkets": {"types": ["spot", "swap", "future"]}}}

    @pytest.fixture
    def venue(self, engines: list[Any]) -> Iterator[OkxVenue]:
        server = OkxVenue().start()
        for inst_id in ("BTC-USDT", "BTC-USDT-SWAP"):
            server.set_book(inst_id, [("100.0", "1"), ("99.5", "2.0")], [("101.0", "1.5"), ("101.5", "3.0")])
        yield server
        stop_venue(server, engines)

    def hosts(self, venue: VenueServer) -> dict[str, int]:
        return dict.fromkeys(OKX_HOSTS, venue.port)

    def credentials(self, venue: VenueServer) -> dict[str, str]:
        return {"apiKey": API_KEY, "secret": API_SECRET, "password": PASSPHRASE}


class TestSpot(OkxCcxt):
    symbol, venue_symbol = "BTC/USDT", "BTC-USDT"
    amount = Decimal("0.5")
    balance = ("USDT", Decimal("100000"))

    def fee_of(self, venue: VenueServer, trade: dict[str, Any]) -> None:
        # a spot buy pays its fee in the currency received, at the taker rate
        assert trade["fee"]["currency"] == "BTC"
        assert Decimal(str(trade["fee"]["cost"])) == self.amount * Decimal("0.001")


class TestSwap(OkxCcxt):
    symbol, venue_symbol = "BTC/USDT:USDT", "BTC-USDT-SWAP"
    amount = Decimal("1")  # contracts of 0.01 BTC
    balance = ("USDT", Decimal("100000"))

    def fee_of(self, venue: VenueServer, trade: dict[str, Any]) -> None:
        # a swap pays in the settlement currency on the notional (1 x 0.01 BTC at 101)
        assert trade["fee"]["currency"] == "USDT"
        assert Decimal(str(trade["fee"]["cost"])) == Decimal("0.01") * self.ask * Decimal("0.0005")
