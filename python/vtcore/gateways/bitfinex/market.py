"""Bitfinex's public channels merged into each subscribed symbol's tick: `ticker` (best bid/ask, last, 24 h),
`book` (P0, 25 levels kept locally, five pushed; checked against the venue's checksums) and `trades` (last).

A channel frame is `[CHAN_ID, ...]`; the channel id says which channel it is (from the `subscribed` event), so
each frame is decoded once by the decoder for that channel and frame shape.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from vtcore.gateways._transport.gateway import TICK_INDEX, TickState, ms_to_datetime
from vtcore.gateways.bitfinex import parse, schemas

_BID, _BID_SIZE = TICK_INDEX["bid_price_1"], TICK_INDEX["bid_volume_1"]
_ASK, _ASK_SIZE = TICK_INDEX["ask_price_1"], TICK_INDEX["ask_volume_1"]
_LAST, _LAST_SIZE = TICK_INDEX["last_price"], TICK_INDEX["last_volume"]
_HIGH, _LOW, _OPEN = TICK_INDEX["high_price"], TICK_INDEX["low_price"], TICK_INDEX["open_price"]
_VOLUME = TICK_INDEX["volume"]

Emit = Callable[[TickState, "dt.datetime | None"], None]


@dataclass
class Book:
    """One symbol's P0 book: prices sorted ascending per side, amounts by price (asks as positive sizes)."""

    bid_prices: list[int | float] = field(default_factory=list)
    ask_prices: list[int | float] = field(default_factory=list)
    bids: dict[int | float, int | float] = field(default_factory=dict)
    asks: dict[int | float, int | float] = field(default_factory=dict)

    def clear(self) -> None:
        self.bid_prices.clear()
        self.ask_prices.clear()
        self.bids.clear()
        self.asks.clear()

    def apply(self, level: schemas.Level) -> None:
        price, amount = level.PRICE, level.AMOUNT
        if level.COUNT == 0:  # the price is gone from the side the amount's sign names
            prices, sizes = (self.bid_prices, self.bids) if amount > 0 else (self.ask_prices, self.asks)
            if sizes.pop(price, None) is not None:
                del prices[bisect.bisect_left(prices, price)]
            return
        prices, sizes = (self.bid_prices, self.bids) if amount > 0 else (self.ask_prices, self.asks)
        if price not in sizes:
            bisect.insort(prices, price)
        sizes[price] = amount if amount > 0 else -amount

    def top(
        self, depth: int
    ) -> tuple[list[tuple[int | float, int | float]], list[tuple[int | float, int | float]]]:
        bids = [(p, self.bids[p]) for p in self.bid_prices[: -depth - 1 : -1]]
        asks = [(p, self.asks[p]) for p in self.ask_prices[:depth]]
        return bids, asks


@dataclass
class Channel:
    kind: str  # ticker, book, trades
    symbol: str  # vtcore's symbol (no "t")


class BitfinexMarket:
    def __init__(self, ticks: dict[str, TickState], emit: Emit) -> None:
        self.ticks = ticks  # the gateway's tick state per subscribed symbol
        self.emit = emit
        self.channels: dict[int, Channel] = {}
        self.books: dict[str, Book] = {}
        self.checksum_failures = 0

    def subscribed(self, chan_id: int, kind: str, symbol: str) -> None:
        self.channels[chan_id] = Channel(kind, symbol)
        if kind == "book":
            self.books.setdefault(symbol, Book()).clear()

    def forget(self, chan_id: int) -> None:
        self.channels.pop(chan_id, None)

    def reset(self) -> None:
        """The socket closed: its channel ids mean nothing on the next connection."""
        self.channels.clear()
        for book in self.books.values():
            book.clear()

    def handle(self, raw: bytes) -> str | None:
        """Merge one channel frame into the ticks. Returns the symbol whose book failed its checksum (the
        gateway subscribes it again), else None. Raises one of `parse.DECODE_ERRORS` when malformed."""
        comma = raw.find(b",")
        chan_id = int(raw[1:comma])
        channel = self.channels.get(chan_id)
        if channel is None:
            return None
        rest = raw[comma + 1 : comma + 5]
        if rest.startswith(b'"hb"'):
            return None
        state = self.ticks.get(channel.symbol)
        kind = channel.kind
        if kind == "ticker":
            ticker = parse.TICKER.decode(raw)[1]
            if state is not None:
                values = state.values
                values[_BID] = ticker.BID or 0.0
                values[_BID_SIZE] = ticker.BID_SIZE or 0.0
                values[_ASK] = ticker.ASK or 0.0
                values[_ASK_SIZE] = ticker.ASK_SIZE or 0.0
                values[_LAST] = last = ticker.LAST_PRICE or 0.0
                values[_VOLUME] = ticker.VOLUME or 0.0
                values[_HIGH] = ticker.HIGH or 0.0
                values[_LOW] = ticker.LOW or 0.0
                values[_OPEN] = last - (ticker.DAILY_CHANGE or 0.0)
                self.emit(state, None)
        elif kind == "book":
            book = self.books[channel.symbol]
            if rest.startswith(b'"cs"'):
                bids, asks = book.top(25)
                if parse.book_checksum(bids, asks) != parse.CHECKSUM.decode(raw)[2]:
                    self.checksum_failures += 1
                    return channel.symbol
                return None
            if rest.startswith(b"[["):
                book.clear()
                for level in parse.BOOK_SNAPSHOT.decode(raw)[1]:
                    book.apply(level)
            elif rest.startswith(b"[]"):
                book.clear()
            else:
                book.apply(parse.BOOK_UPDATE.decode(raw)[1])
            if state is not None:
                bids, asks = book.top(5)
                state.set_levels(bids, asks)
                self.emit(state, None)
        elif kind == "trades":
            if rest.startswith(b'"te"'):
                trade = parse.TRADE_UPDATE.decode(raw)[2]
            elif rest.startswith(b"[["):
                trade = max(parse.TRADE_SNAPSHOT.decode(raw)[1], key=lambda row: row.MTS)
            else:
                return None  # "tu" repeats a "te"; an empty snapshot says nothing
            if state is not None:
                state.values[_LAST] = trade.PRICE
                state.values[_LAST_SIZE] = abs(trade.AMOUNT)
                self.emit(state, ms_to_datetime(trade.MTS))
        return None
