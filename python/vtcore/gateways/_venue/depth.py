"""Five price levels a side written into a tick state's argument list, unrolled: the depth write is the
largest cost of a book update after decoding (a loop over the levels costs about twice as much)."""

from __future__ import annotations

from collections.abc import Sequence
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
