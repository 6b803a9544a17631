"""The latest market data of one symbol, kept as TickData's constructor arguments so that each update costs
a few list stores and one positional construction (about 3x cheaper than keywords)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vtcore.constant import Exchange
from vtcore.object import TICK_DATA_FIELDS

#: position of each TickData field in its constructor
TICK_INDEX = {name: index for index, name in enumerate(TICK_DATA_FIELDS)}
DATETIME, LOCALTIME = TICK_INDEX["datetime"], TICK_INDEX["localtime"]
BID_PRICE, ASK_PRICE = TICK_INDEX["bid_price_1"], TICK_INDEX["ask_price_1"]
BID_VOLUME, ASK_VOLUME = TICK_INDEX["bid_volume_1"], TICK_INDEX["ask_volume_1"]
LAST_PRICE, LAST_VOLUME = TICK_INDEX["last_price"], TICK_INDEX["last_volume"]


class TickState:
    """The latest market data of one symbol: TickData's constructor arguments in order."""

    __slots__ = ("values",)

    def __init__(self, symbol: str, exchange: Exchange, gateway_name: str, name: str) -> None:
        values: list[Any] = [0.0] * len(TICK_DATA_FIELDS)
        values[TICK_INDEX["gateway_name"]] = gateway_name
        values[TICK_INDEX["symbol"]] = symbol
        values[TICK_INDEX["exchange"]] = exchange
        values[TICK_INDEX["name"]] = name
        values[DATETIME] = values[LOCALTIME] = None
        self.values = values

    def set_levels(self, bids: Sequence[Sequence[Any]], asks: Sequence[Sequence[Any]]) -> None:
        """Five levels from venue levels `(price, size, ...)` decoded as floats; missing levels are 0."""
        values = self.values
        for side, price_at, volume_at in ((bids, BID_PRICE, BID_VOLUME), (asks, ASK_PRICE, ASK_VOLUME)):
            count = min(5, len(side))
            for index in range(count):
                level = side[index]
                values[price_at + index] = level[0]
                values[volume_at + index] = level[1]
            for index in range(count, 5):
                values[price_at + index] = values[volume_at + index] = 0.0
