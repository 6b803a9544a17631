"""Bitfinex's public channels merged into each subscribed symbol's tick: `ticker` (best bid/ask, last, 24 h),
`book` (P0, 25 levels kept locally, five pushed; checked against the venue's checksums) and `trades` (last).

A channel frame is `[CHAN_ID, ...]`; the channel id says which channel it is (from the `subscribed` event), so
each frame is decoded once by the decoder for that channel and frame shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from vtcore.gateways._venue.depth import ASKS, BIDS, LevelBook
from vtcore.gateways.bitfinex import parse, schemas
from vtcore.object import TickBuilder, TickData

OnTick = Callable[[TickData], None]


class Book(LevelBook):
    """One symbol's P0 book (asks kept as positive sizes)."""

    def apply(self, level: schemas.Level) -> int:
        """Apply one level (COUNT 0 removes its price from the side the amount's sign names); returns which
        side's best five it may have changed: BIDS, ASKS or 0."""
        amount = level.AMOUNT
        if level.COUNT == 0:
            return self.remove(amount > 0, level.PRICE)
        return self.set(amount > 0, level.PRICE, amount if amount > 0 else -amount)


@dataclass
class Channel:
    kind: str  # ticker, book, trades
    symbol: str  # vtcore's symbol (no "t")
    handler: Callable[[bytes, int, Channel], str | None]
    book: Book | None = None


_VALIDATION_ERROR = msgspec.ValidationError
_FULL_TICKER, _TICKER, _BOOK_UPDATE, _TRADE_UPDATE = (
    parse.FULL_TICKER.decode,
    parse.TICKER.decode,
    parse.BOOK_UPDATE.decode,
    parse.TRADE_UPDATE.decode,
)


class BitfinexMarket:
    def __init__(self, builders: dict[str, TickBuilder], on_tick: OnTick) -> None:
        self.builders = builders  # the gateway's tick builder per subscribed symbol
        self.on_tick = on_tick
        self.channels: dict[int, Channel] = {}
        self.by_prefix: dict[bytes, Channel] = {}
        self.books: dict[str, Book] = {}
        self.checksum_failures = 0
        self.handlers = {"ticker": self.on_ticker, "book": self.on_book, "trades": self.on_trades}

    def subscribed(self, chan_id: int, kind: str, symbol: str) -> None:
        handler = self.handlers.get(kind)
        if handler is None:
            return
        channel = Channel(kind, symbol, handler)
        if kind == "book":
            channel.book = self.books.setdefault(symbol, Book())
            channel.book.clear()
        self.channels[chan_id] = self.by_prefix[b"[%d" % chan_id] = channel

    def forget(self, chan_id: int) -> None:
        self.channels.pop(chan_id, None)
        self.by_prefix.pop(b"[%d" % chan_id, None)

    def reset(self) -> None:
        """The socket closed: its channel ids mean nothing on the next connection."""
        self.channels.clear()
        self.by_prefix.clear()
        for book in self.books.values():
            book.clear()

    def handle(self, raw: bytes) -> str | None:
        """Merge one channel frame into the ticks. Returns the symbol whose book failed its checksum (the
        gateway subscribes it again), else None. Raises one of `parse.DECODE_ERRORS` when malformed."""
        comma = raw.find(b",")
        channel = self.by_prefix.get(raw[:comma])  # "[CHAN_ID": no int() per frame
        if channel is None:
            return None
        return channel.handler(raw, comma, channel)

    def on_ticker(self, raw: bytes, comma: int, channel: Channel) -> str | None:
        if raw[comma + 1] == 0x22:  # '"hb"'
            return None
        try:
            t = _FULL_TICKER(raw)[1]
        except _VALIDATION_ERROR:  # a field is null: the same frame, each missing value read as 0
            self.on_partial_ticker(raw, channel)
            return None
        state = self.builders.get(channel.symbol)
        if state is not None:
            last = t.LAST_PRICE
            bid, bid_size, ask, ask_size = t.BID, t.BID_SIZE, t.ASK, t.ASK_SIZE
            opened = last - t.DAILY_CHANGE
            self.on_tick(state.ticker(last, bid, bid_size, ask, ask_size, opened, t.HIGH, t.LOW, t.VOLUME))
        return None

    def on_partial_ticker(self, raw: bytes, channel: Channel) -> None:
        ticker = _TICKER(raw)[1]
        state = self.builders.get(channel.symbol)
        if state is not None:
            last = ticker.LAST_PRICE or 0.0
            self.on_tick(
                state.ticker(
                    last,
                    ticker.BID or 0.0,
                    ticker.BID_SIZE or 0.0,
                    ticker.ASK or 0.0,
                    ticker.ASK_SIZE or 0.0,
                    last - (ticker.DAILY_CHANGE or 0.0),
                    ticker.HIGH or 0.0,
                    ticker.LOW or 0.0,
                    ticker.VOLUME or 0.0,
                )
            )

    def on_book(self, raw: bytes, comma: int, channel: Channel) -> str | None:
        book = channel.book
        assert book is not None
        second = raw[comma + 1]
        if second == 0x22:  # '"hb"' or '"cs"': a heartbeat, or the checksum of the book so far
            if raw[comma + 2] == 0x63 and parse.book_checksum(*book.top(25)) != parse.CHECKSUM.decode(raw)[2]:
                self.checksum_failures += 1
                return channel.symbol
            return None
        if raw[comma + 2] == 0x5B:  # '[[' (or '[]'): a snapshot
            book.clear()
            for level in parse.BOOK_SNAPSHOT.decode(raw)[1]:
                book.apply(level)
            side = BIDS | ASKS
        else:
            side = book.apply(_BOOK_UPDATE(raw)[1])
        state = self.builders.get(channel.symbol)
        if state is not None:
            # a change below the fifth level leaves the tick's five levels as they are (a side of None)
            self.on_tick(
                state.levels(
                    book.best(True) if side & BIDS else None, book.best(False) if side & ASKS else None
                )
            )
        return None

    def on_trades(self, raw: bytes, comma: int, channel: Channel) -> str | None:
        if raw[comma + 1] != 0x22:
            snapshot = parse.TRADE_SNAPSHOT.decode(raw)[1]
            if not snapshot:
                return None
            trade = max(snapshot, key=lambda row: row.MTS)
        elif raw[comma + 2 : comma + 4] == b"te":
            trade = _TRADE_UPDATE(raw)[2]
        else:
            return None  # "hb", or "tu" which repeats a "te"
        state = self.builders.get(channel.symbol)
        if state is not None:
            self.on_tick(state.last(trade.PRICE, abs(trade.AMOUNT), trade.MTS))
        return None
