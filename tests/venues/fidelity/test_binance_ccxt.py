"""ccxt (binance, binanceusdm, binancecoinm) against the local Binance venues: spot, USDⓈ-M, COIN-M."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from venues.fidelity.ccxt_flows import CcxtFlows
from venues.fixtures import stop_venue
from vtcore.peers.base import VenueServer
from vtcore.peers.binance import API_KEY, API_SECRET, BinanceSpotVenue
from vtcore.peers.binance_futures import BinanceCoinFuturesVenue, BinanceFuturesVenue

pytestmark = pytest.mark.fidelity

SPOT_HOSTS = ("api.binance.com", "stream.binance.com", "ws-api.binance.com")
USDM_HOSTS = ("fapi.binance.com", "fstream.binance.com", "ws-fapi.binance.com")
COINM_HOSTS = ("dapi.binance.com", "dstream.binance.com", "ws-dapi.binance.com")


class BinanceCcxt(CcxtFlows):
    venue_hosts: tuple[str, ...] = ()

    def hosts(self, venue: VenueServer) -> dict[str, int]:
        return dict.fromkeys(self.venue_hosts, venue.port)

    def credentials(self, venue: VenueServer) -> dict[str, str]:
        return {"apiKey": API_KEY, "secret": API_SECRET}


class TestSpot(BinanceCcxt):
    exchange_id = "binance"
    symbol, venue_symbol = "BTC/USDT", "BTCUSDT"
    bid, bid_size, ask, ask_size = Decimal("100"), Decimal("1"), Decimal("101"), Decimal("1.5")
    tick, amount = Decimal("0.01"), Decimal("0.5")
    balance = ("USDT", Decimal("100000"))
    venue_hosts = SPOT_HOSTS
    # the spot exchange alone: no futures markets, no margin pairs, no wallet currency list (the local venue
    # models the spot exchange only)
    config: ClassVar[dict[str, Any]] = {
        "options": {"fetchMarkets": {"types": ["spot"]}, "fetchMargins": False, "fetchCurrencies": False}
    }

    @pytest.fixture
    def venue(self, engines: list[Any]) -> Iterator[BinanceSpotVenue]:
        server = BinanceSpotVenue().start()
        server.set_book(
            "BTCUSDT", [("100.00", "1.0"), ("99.50", "2.0")], [("101.00", "1.5"), ("101.50", "3.0")]
        )
        yield server
        stop_venue(server, engines)

    def fee_of(self, venue: VenueServer, trade: dict[str, Any]) -> None:
        # spot charges the commission in the asset received, at the account's taker rate
        assert trade["fee"]["currency"] == "BTC"
        assert Decimal(str(trade["fee"]["cost"])) == self.amount * Decimal("0.001")


class FuturesCcxt(BinanceCcxt):
    bid, bid_size, ask, ask_size = Decimal("100"), Decimal("5"), Decimal("100.1"), Decimal("4")
    tick = Decimal("0.1")
    ticker_has_book = False  # the futures 24-hour ticker has no book fields
    venue_class: type[BinanceFuturesVenue] = BinanceFuturesVenue
    config: ClassVar[dict[str, Any]] = {
        "options": {"fetchCurrencies": False}
    }  # the wallet's currency list is a spot-side call

    @pytest.fixture
    def venue(self, engines: list[Any]) -> Iterator[BinanceFuturesVenue]:
        server = self.venue_class().start()
        for spec in server.symbols:
            server.set_book(spec.symbol, [("100.0", "5"), ("99.9", "7")], [("100.1", "4"), ("100.2", "9")])
        yield server
        stop_venue(server, engines)


class TestUsdm(FuturesCcxt):
    exchange_id = "binanceusdm"
    symbol, venue_symbol = "BTC/USDT:USDT", "BTCUSDT"
    amount = Decimal("0.1")  # 10 USDT of notional: above the 5 USDT minimum
    balance = ("USDT", Decimal("10000"))
    venue_hosts = USDM_HOSTS

    def fee_of(self, venue: VenueServer, trade: dict[str, Any]) -> None:
        assert trade["fee"]["currency"] == "USDT"
        assert Decimal(str(trade["fee"]["cost"])) == self.amount * self.ask * Decimal("0.0005")


class TestCoinm(FuturesCcxt):
    exchange_id = "binancecoinm"
    symbol, venue_symbol = "BTC/USD:BTC", "BTCUSD_PERP"
    amount = Decimal("1")
    balance = ("BTC", Decimal("2"))
    venue_hosts = COINM_HOSTS
    venue_class = BinanceCoinFuturesVenue

    def fee_of(self, venue: VenueServer, trade: dict[str, Any]) -> None:
        # COIN-M charges in the base asset: 1 contract of 100 USD at 100.1 is 0.999 BTC of notional
        assert trade["fee"]["currency"] == "BTC"
        notional = self.amount * 100 / self.ask
        assert abs(Decimal(str(trade["fee"]["cost"])) - notional * Decimal("0.0005")) < Decimal("1e-8")
