"""Depth for the venue gateways: five price levels a side written into a tick state's argument list,
unrolled (the depth write is the largest cost of a book update after decoding; a loop costs about twice as
much), and `LevelBook`, a price-level book kept from a venue's incremental updates."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vtcore.gateways._venue.ticks import TICK_INDEX

#: the argument positions of the five bid / ask prices and sizes
BID_PRICES = [TICK_INDEX[f"bid_price_{n}"] for n in range(1, 6)]
BID_SIZES = [TICK_INDEX[f"bid_volume_{n}"] for n in range(1, 6)]
ASK_PRICES = [TICK_INDEX[f"ask_price_{n}"] for n in range(1, 6)]
ASK_SIZES = [TICK_INDEX[f"ask_volume_{n}"] for n in range(1, 6)]


def write_side(
    values: list[Any], levels: Sequence[Sequence[Any]], prices: list[int], sizes: list[int]
) -> None:
    """Up to five `(price, size)` levels, best first; missing levels become 0."""
    if len(levels) >= 5:
        (p1, v1), (p2, v2), (p3, v3), (p4, v4), (p5, v5) = levels[:5]
        values[prices[0]], values[sizes[0]] = p1, v1
        values[prices[1]], values[sizes[1]] = p2, v2
        values[prices[2]], values[sizes[2]] = p3, v3
        values[prices[3]], values[sizes[3]] = p4, v4
        values[prices[4]], values[sizes[4]] = p5, v5
        return
    count = len(levels)
    for index in range(count):
        values[prices[index]], values[sizes[index]] = levels[index]
    for index in range(count, 5):
        values[prices[index]] = values[sizes[index]] = 0.0


def write_levels(values: list[Any], bids: Sequence[Sequence[Any]], asks: Sequence[Sequence[Any]]) -> None:
    """Five `(price, size)` levels a side (each side best first) into TickData's arguments."""
    write_side(values, bids, BID_PRICES, BID_SIZES)
    write_side(values, asks, ASK_PRICES, ASK_SIZES)


#: which side(s) of a `LevelBook` an update may have changed in its best five
BIDS, ASKS = 1, 2
_BP1, _BP2, _BP3, _BP4, _BP5 = BID_PRICES
_BV1, _BV2, _BV3, _BV4, _BV5 = BID_SIZES
_AP1, _AP2, _AP3, _AP4, _AP5 = ASK_PRICES
_AV1, _AV2, _AV3, _AV4, _AV5 = ASK_SIZES


@dataclass
class LevelBook:
    """A book of price levels: prices sorted ascending per side, sizes by price."""

    bid_prices: list[Any] = field(default_factory=list)
    ask_prices: list[Any] = field(default_factory=list)
    bids: dict[Any, Any] = field(default_factory=dict)
    asks: dict[Any, Any] = field(default_factory=dict)

    def clear(self) -> None:
        self.bid_prices.clear()
        self.ask_prices.clear()
        self.bids.clear()
        self.asks.clear()

    def _reach(self, bid: bool, price: Any) -> int:
        """BIDS / ASKS when `price` is (or would be) among its side's best five, else 0."""
        prices = self.bid_prices if bid else self.ask_prices
        if len(prices) < 6 or (price >= prices[-6] if bid else price <= prices[5]):
            return BIDS if bid else ASKS
        return 0

    def set(self, bid: bool, price: Any, size: Any) -> int:
        """A level's size (a new price is inserted); returns the side whose best five it may change."""
        if bid:  # the hottest call of a book update: the reach test is written out for each side
            prices, sizes = self.bid_prices, self.bids
            side = BIDS if len(prices) < 6 or price >= prices[-6] else 0
        else:
            prices, sizes = self.ask_prices, self.asks
            side = ASKS if len(prices) < 6 or price <= prices[5] else 0
        if price not in sizes:
            bisect.insort(prices, price)
        sizes[price] = size
        return side

    def remove(self, bid: bool, price: Any) -> int:
        """Remove a price level; returns the side whose best five it may change."""
        side = self._reach(bid, price)
        prices, sizes = (self.bid_prices, self.bids) if bid else (self.ask_prices, self.asks)
        if sizes.pop(price, None) is not None:
            del prices[bisect.bisect_left(prices, price)]
        return side

    def write(self, values: list[Any], side: int) -> None:
        """The best five levels of `side` (BIDS, ASKS or both) into a tick state's arguments."""
        if side & BIDS:
            prices, sizes = self.bid_prices, self.bids
            if len(prices) >= 5:
                p1, p2, p3, p4, p5 = prices[:-6:-1]
                values[_BP1], values[_BV1], values[_BP2], values[_BV2] = p1, sizes[p1], p2, sizes[p2]
                values[_BP3], values[_BV3], values[_BP4], values[_BV4] = p3, sizes[p3], p4, sizes[p4]
                values[_BP5], values[_BV5] = p5, sizes[p5]
            else:
                write_side(values, [(p, sizes[p]) for p in prices[::-1]], BID_PRICES, BID_SIZES)
        if side & ASKS:
            prices, sizes = self.ask_prices, self.asks
            if len(prices) >= 5:
                p1, p2, p3, p4, p5 = prices[:5]
                values[_AP1], values[_AV1], values[_AP2], values[_AV2] = p1, sizes[p1], p2, sizes[p2]
                values[_AP3], values[_AV3], values[_AP4], values[_AV4] = p3, sizes[p3], p4, sizes[p4]
                values[_AP5], values[_AV5] = p5, sizes[p5]
            else:
                write_side(values, [(p, sizes[p]) for p in prices], ASK_PRICES, ASK_SIZES)

    def best(self, bid: bool) -> Sequence[tuple[Any, Any]]:
        """The best five levels of one side, best first (what `TickBuilder.levels` takes); written out for
        a full side, the hot case (a comprehension costs about three times as much)."""
        if bid:
            prices, sizes = self.bid_prices, self.bids
            if len(prices) >= 5:
                p1, p2, p3, p4, p5 = prices[:-6:-1]
                return (p1, sizes[p1]), (p2, sizes[p2]), (p3, sizes[p3]), (p4, sizes[p4]), (p5, sizes[p5])
            return [(p, sizes[p]) for p in prices[::-1]]
        prices, sizes = self.ask_prices, self.asks
        if len(prices) >= 5:
            p1, p2, p3, p4, p5 = prices[:5]
            return (p1, sizes[p1]), (p2, sizes[p2]), (p3, sizes[p3]), (p4, sizes[p4]), (p5, sizes[p5])
        return [(p, sizes[p]) for p in prices]

    def top(self, depth: int) -> tuple[list[tuple[Any, Any]], list[tuple[Any, Any]]]:
        """The best `depth` levels a side, best first."""
        bids, asks = self.bids, self.asks
        return (
            [(p, bids[p]) for p in self.bid_prices[: -depth - 1 : -1]],
            [(p, asks[p]) for p in self.ask_prices[:depth]],
        )
