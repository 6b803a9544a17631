"""BitMEX's public tables merged into each subscribed symbol's tick: `quote` (best bid and ask),
`orderBook10` (five levels a side), `trade` (last price and size) and `instrument` (24 h figures).

Each frame is decoded once, by a decoder chosen from its table name (the frame's first key), straight into
typed rows with floats and datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from vtcore.gateways._venue import TICK_INDEX, TickState
from vtcore.gateways._venue.depth import write_levels
from vtcore.gateways.bitmex import parse, schemas

MARKET_TABLES = frozenset({"quote", "orderBook10", "trade", "instrument"})
_BID, _BID_SIZE = TICK_INDEX["bid_price_1"], TICK_INDEX["bid_volume_1"]
_ASK, _ASK_SIZE = TICK_INDEX["ask_price_1"], TICK_INDEX["ask_volume_1"]
_LAST, _LAST_SIZE = TICK_INDEX["last_price"], TICK_INDEX["last_volume"]
_HIGH, _LOW, _PRE_CLOSE = TICK_INDEX["high_price"], TICK_INDEX["low_price"], TICK_INDEX["pre_close"]
_VOLUME, _TURNOVER, _OPEN_INTEREST = TICK_INDEX["volume"], TICK_INDEX["turnover"], TICK_INDEX["open_interest"]

Emit = Callable[[TickState, "dt.datetime | None"], None]


class BitmexMarket:
    def __init__(self, ticks: dict[str, TickState], emit: Emit) -> None:
        self.ticks = ticks  # the gateway's tick state per subscribed symbol
        self.emit = emit

    def handle(self, raw: bytes, table: str) -> None:
        """Merge one market table frame into the ticks; raises one of `parse.DECODE_ERRORS` when malformed."""
        ticks = self.ticks
        if table == "quote":
            for quote in parse.QUOTES.decode(raw).data:
                state = ticks.get(quote.symbol)
                if state is None:
                    continue
                values = state.values
                values[_BID] = quote.bidPrice or 0.0
                values[_BID_SIZE] = quote.bidSize or 0.0
                values[_ASK] = quote.askPrice or 0.0
                values[_ASK_SIZE] = quote.askSize or 0.0
                self.emit(state, quote.timestamp)
        elif table == "orderBook10":
            for book in parse.BOOKS.decode(raw).data:
                state = ticks.get(book.symbol)
                if state is not None:
                    write_levels(state.values, book.bids, book.asks)
                    self.emit(state, book.timestamp)
        elif table == "trade":
            rows = parse.TRADES.decode(raw).data
            last: dict[str, schemas.Trade] = {}
            for row in rows:  # one tick per symbol per frame: the frame's last print
                last[row.symbol] = row
            for symbol, row in last.items():
                state = ticks.get(symbol)
                if state is not None:
                    state.values[_LAST] = row.price
                    state.values[_LAST_SIZE] = row.size
                    self.emit(state, row.timestamp)
        elif table == "instrument":
            for update in parse.INSTRUMENT_ROWS.decode(parse.FRAME.decode(raw).data):
                state = ticks.get(update.symbol)
                if state is None:
                    continue
                values = state.values
                for index, value in (
                    (_LAST, update.lastPrice),
                    (_HIGH, update.highPrice),
                    (_LOW, update.lowPrice),
                    (_PRE_CLOSE, update.prevClosePrice),
                    (_VOLUME, update.volume24h),
                    (_TURNOVER, update.turnover24h),
                    (_OPEN_INTEREST, update.openInterest),
                ):
                    if value is not None:
                        values[index] = value
