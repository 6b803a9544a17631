"""1Token's tick socket merged into each subscribed contract's tick: `single-tick-verbose` (last price, 24 h
volume, ten levels a side, five kept) and `single-zhubi-verbose` (market trades: the last one's size)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from vtcore.gateways._venue import TICK_INDEX, TickState
from vtcore.gateways.onetoken import parse

_BID, _ASK = TICK_INDEX["bid_price_1"], TICK_INDEX["ask_price_1"]
_BID_SIZE, _ASK_SIZE = TICK_INDEX["bid_volume_1"], TICK_INDEX["ask_volume_1"]
_LAST, _LAST_SIZE, _VOLUME, _TURNOVER = (
    TICK_INDEX["last_price"],
    TICK_INDEX["last_volume"],
    TICK_INDEX["volume"],
    TICK_INDEX["turnover"],
)

Emit = Callable[[TickState, "dt.datetime | None"], None]
TICK_URI = "single-tick-verbose"
ZHUBI_URI = "single-zhubi-verbose"


class OneTokenMarket:
    def __init__(self, ticks: dict[str, TickState], emit: Emit) -> None:
        self.ticks = ticks  # the gateway's tick state per subscribed contract name ("btc.usdt")
        self.emit = emit

    def handle(self, raw: bytes, uri: str) -> None:
        """Merge one market push into the ticks; raises one of `parse.DECODE_ERRORS` when malformed."""
        if uri == TICK_URI:
            tick = parse.TICK.decode(raw).data
            state = self.ticks.get(tick.contract.split("/", 1)[-1])
            if state is None:
                return
            values = state.values
            bids, asks = tick.bids, tick.asks
            for side, price_at, size_at in ((bids, _BID, _BID_SIZE), (asks, _ASK, _ASK_SIZE)):
                count = min(5, len(side))
                for index in range(count):
                    level = side[index]
                    values[price_at + index] = level.price
                    values[size_at + index] = level.volume
                for index in range(count, 5):
                    values[price_at + index] = values[size_at + index] = 0.0
            if tick.last is not None:
                values[_LAST] = tick.last
            values[_VOLUME] = tick.volume
            values[_TURNOVER] = tick.amount
            self.emit(state, tick.exchange_time or tick.time)
        elif uri == ZHUBI_URI:
            rows = parse.ZHUBI.decode(raw).data
            if not rows:
                return
            row = rows[-1]
            state = self.ticks.get(row.contract.split("/", 1)[-1])
            if state is not None:
                state.values[_LAST] = row.price
                state.values[_LAST_SIZE] = row.amount
                self.emit(state, row.exchange_time or row.time)
