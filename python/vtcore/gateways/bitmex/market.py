"""BitMEX's public tables merged into each subscribed symbol's tick: `quote` (best bid and ask),
`orderBookL2_25` (25 levels a side kept locally from the level updates, five pushed; `orderBook10` is read
too), `trade` (last price and size) and `instrument` (24 h figures, taken into the next tick).

Each frame is decoded once, by a decoder chosen from its table name (the frame's first key), straight into
typed rows with floats and datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from vtcore.gateways._venue import TICK_INDEX, TickState
from vtcore.gateways._venue.depth import ASKS, BIDS, LevelBook, write_levels
from vtcore.gateways.bitmex import parse, schemas

MARKET_TABLES = frozenset({"quote", "orderBookL2_25", "orderBookL2", "orderBook10", "trade", "instrument"})
_BID, _BID_SIZE = TICK_INDEX["bid_price_1"], TICK_INDEX["bid_volume_1"]
_ASK, _ASK_SIZE = TICK_INDEX["ask_price_1"], TICK_INDEX["ask_volume_1"]
_LAST, _LAST_SIZE = TICK_INDEX["last_price"], TICK_INDEX["last_volume"]
_HIGH, _LOW, _PRE_CLOSE = TICK_INDEX["high_price"], TICK_INDEX["low_price"], TICK_INDEX["pre_close"]
_VOLUME, _TURNOVER, _OPEN_INTEREST = TICK_INDEX["volume"], TICK_INDEX["turnover"], TICK_INDEX["open_interest"]

Emit = Callable[[TickState, "dt.datetime | None"], None]


class L2Book(LevelBook):
    """One symbol's `orderBookL2_25`: levels by price, and each level's id -> (is a bid, price), since update
    and delete rows name a level by its id only."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: dict[int, tuple[bool, float]] = {}

    def apply(self, action: str, row: schemas.L2Row) -> int:
        """Apply one row of a `partial`/`insert`/`update`/`delete`; returns the sides whose best five it may
        have changed (0 for a row about an unknown level, which the next partial repairs)."""
        if action in ("insert", "partial"):
            if row.price is None:
                return 0
            bid = row.side == "Buy"
            self.levels[row.id] = (bid, row.price)
            return self.set(bid, row.price, row.size or 0.0)
        known = self.levels.get(row.id)
        if known is None:
            return 0
        if action == "delete":
            del self.levels[row.id]
            return self.remove(*known)
        return self.set(known[0], known[1], row.size or 0.0)

    def clear(self) -> None:
        super().clear()
        self.levels.clear()


class BitmexMarket:
    def __init__(self, ticks: dict[str, TickState], emit: Emit) -> None:
        self.ticks = ticks  # the gateway's tick state per subscribed symbol
        self.emit = emit
        self.books: dict[str, L2Book] = {}

    def reset(self) -> None:
        """The stream reconnected: the books are rebuilt from the partials that follow the subscriptions."""
        for book in self.books.values():
            book.clear()

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
        elif table in ("orderBookL2_25", "orderBookL2"):
            push = parse.L2.decode(raw)
            action = push.action
            changed: dict[str, tuple[int, dt.datetime | None]] = {}
            if action == "partial":
                named = str((push.filter or {}).get("symbol", ""))
                for symbol in {row.symbol for row in push.data} | ({named} if named else set()):
                    self.books.setdefault(symbol, L2Book()).clear()
                    changed[symbol] = (BIDS | ASKS, None)
            for level in push.data:
                level_book = self.books.get(level.symbol)
                if level_book is None:
                    level_book = self.books[level.symbol] = L2Book()
                side = level_book.apply(action, level)
                sides, moment = changed.get(level.symbol, (0, None))
                changed[level.symbol] = (sides | side, level.timestamp or moment)
            for symbol, (sides, moment) in changed.items():
                state = ticks.get(symbol)
                if state is not None:
                    if sides:  # a change below the fifth level leaves the tick's five levels as they are
                        self.books[symbol].write(state.values, sides)
                    self.emit(state, moment)
        elif table == "orderBook10":
            for top in parse.BOOKS.decode(raw).data:
                state = ticks.get(top.symbol)
                if state is not None:
                    write_levels(state.values, top.bids, top.asks)
                    self.emit(state, top.timestamp)
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
