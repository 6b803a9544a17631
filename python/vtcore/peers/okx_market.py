"""OKX v5 public market data for the local venue (venues.md §3 and OKX's v5 documents): REST `market/ticker`,
`market/tickers`, `market/books`, `market/trades`, `market/history-trades`, `public/mark-price`,
`public/funding-rate`; WebSocket channels `tickers`, `books` (a snapshot, then incremental updates with
`seqId`/`prevSeqId` and a CRC32 `checksum`), `books5`, `bbo-tbt`, `trades`, `mark-price`, `funding-rate` on
`/public`, and `candle<bar>` on `/business`.

Every book channel sends the book at once on subscription, as OKX does; `books` then carries only the levels
that changed (size "0" removes one). The checksum is OKX's: CRC32 (signed 32-bit) of the first 25 bid and ask
levels interleaved as `bidPx:bidSz:askPx:askSz:...`, prices and sizes exactly as sent.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FUNDING_RATE = "0.0001"
FUNDING_PERIOD_MS = 28_800_000
CANDLE_BARS = {
    "1s": 1_000,
    "1m": 60_000,
    "3m": 180_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1H": 3_600_000,
    "2H": 7_200_000,
    "4H": 14_400_000,
    "1D": 86_400_000,
    "1Dutc": 86_400_000,
    "1W": 604_800_000,
    "1Wutc": 604_800_000,
}
BOOK_CHANNELS = ("books", "books5", "bbo-tbt", "books-l2-tbt", "books50-l2-tbt")
PUBLIC_CHANNELS = (*BOOK_CHANNELS, "tickers", "trades", "mark-price", "funding-rate")


@dataclass(frozen=True)
class Print:
    trade_id: int
    price: Decimal
    size: Decimal
    side: str  # the taker's side
    time_ms: int


def text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def level(price: Decimal, size: Decimal) -> list[str]:
    return [text(price), text(size), "0", "1" if size else "0"]


def checksum(bids: list[list[str]], asks: list[list[str]]) -> int:
    parts: list[str] = []
    for index in range(25):
        if index < len(bids):
            parts += bids[index][:2]
        if index < len(asks):
            parts += asks[index][:2]
    value = zlib.crc32(":".join(parts).encode())
    return value - (1 << 32) if value >= 1 << 31 else value


class OkxMarketData:
    """Mixin of `OkxVenue`. Needs `matching`, `now_ms`, `instrument`, `push`, `sessions`."""

    def init_market_data(self) -> None:
        self.tape: dict[str, list[Print]] = {}
        self.book_seq: dict[str, int] = {}
        self.sent_books: dict[str, tuple[list[list[str]], list[list[str]]]] = {}  # as `books` last told it
        self._trade_ids = 130639474

    # ---- state

    def book_levels(self, inst_id: str, depth: int = 400) -> tuple[list[list[str]], list[list[str]]]:
        bids, asks = self.matching.book(inst_id)  # type: ignore[attr-defined]
        return (
            [level(p, q) for p, q in bids if q > 0][:depth],
            [level(p, q) for p, q in asks if q > 0][:depth],
        )

    def last_trade(self, inst_id: str) -> Print | None:
        prints = self.tape.get(inst_id)
        return prints[-1] if prints else None

    def mark_price(self, inst_id: str) -> Decimal:
        bids, asks = self.matching.book(inst_id)  # type: ignore[attr-defined]
        item = self.instrument(inst_id)  # type: ignore[attr-defined]
        if bids and asks:
            middle: Decimal = (bids[0][0] + asks[0][0]) / 2
            return middle.quantize(Decimal(item.tick_size))
        last = self.last_trade(inst_id)
        return last.price if last else Decimal(0)

    def ticker_row(self, inst_id: str) -> dict[str, Any]:
        item = self.instrument(inst_id)  # type: ignore[attr-defined]
        bids, asks = self.book_levels(inst_id, 1)
        prints = self.tape.get(inst_id, [])
        last = prints[-1] if prints else None
        mark = self.mark_price(inst_id)
        last_px = last.price if last else mark
        volume = sum((p.size for p in prints), Decimal(0))
        return {
            "instType": item.inst_type,
            "instId": inst_id,
            "last": text(last_px),
            "lastSz": text(last.size) if last else "0",
            "askPx": asks[0][0] if asks else "",
            "askSz": asks[0][1] if asks else "",
            "bidPx": bids[0][0] if bids else "",
            "bidSz": bids[0][1] if bids else "",
            "open24h": text(prints[0].price if prints else last_px),
            "high24h": text(max((p.price for p in prints), default=last_px)),
            "low24h": text(min((p.price for p in prints), default=last_px)),
            "volCcy24h": text(sum((p.size * p.price for p in prints), Decimal(0))),
            "vol24h": text(volume),
            "sodUtc0": text(prints[0].price if prints else last_px),
            "sodUtc8": text(prints[0].price if prints else last_px),
            "ts": str(self.now_ms()),  # type: ignore[attr-defined]
        }

    def trade_row(self, inst_id: str, trade: Print) -> dict[str, Any]:
        return {
            "instId": inst_id,
            "tradeId": str(trade.trade_id),
            "px": text(trade.price),
            "sz": text(trade.size),
            "side": trade.side,
            "ts": str(trade.time_ms),
            "count": "1",
        }

    def mark_row(self, inst_id: str) -> dict[str, Any]:
        item = self.instrument(inst_id)  # type: ignore[attr-defined]
        return {
            "instType": item.inst_type,
            "instId": inst_id,
            "markPx": text(self.mark_price(inst_id)),
            "ts": str(self.now_ms()),  # type: ignore[attr-defined]
        }

    def funding_row(self, inst_id: str) -> dict[str, Any]:
        now = self.now_ms()  # type: ignore[attr-defined]
        next_time = (now // FUNDING_PERIOD_MS + 1) * FUNDING_PERIOD_MS
        return {
            "instType": "SWAP",
            "instId": inst_id,
            "method": "current_period",
            "fundingRate": FUNDING_RATE,
            "nextFundingRate": "",
            "fundingTime": str(next_time),
            "nextFundingTime": str(next_time + FUNDING_PERIOD_MS),
            "minFundingRate": "-0.0075",
            "maxFundingRate": "0.0075",
            "interestRate": "0.0001",
            "impactValue": "20000",
            "premium": "0",
            "settFundingRate": FUNDING_RATE,
            "settState": "settled",
            "sodUtc0": "",
            "ts": str(now),
        }

    def candle_row(self, inst_id: str, step: int) -> list[str]:
        now = self.now_ms()  # type: ignore[attr-defined]
        start = now - now % step
        prints = [p for p in self.tape.get(inst_id, []) if p.time_ms >= start]
        if not prints:
            mark = self.mark_price(inst_id)
            return [str(start), text(mark), text(mark), text(mark), text(mark), "0", "0", "0", "0"]
        volume = sum((p.size for p in prints), Decimal(0))
        quote = sum((p.size * p.price for p in prints), Decimal(0))
        return [
            str(start),
            text(prints[0].price),
            text(max(p.price for p in prints)),
            text(min(p.price for p in prints)),
            text(prints[-1].price),
            text(volume),
            text(quote),
            text(quote),
            "0",
        ]

    # ---- REST

    def required_instrument(self, params: dict[str, Any]) -> Any:
        if not params.get("instId"):
            raise self.error("50014", "Parameter instId can not be empty.")
        item = self.instrument(params["instId"])  # type: ignore[attr-defined]
        if item is None:
            raise self.error("51001", "Instrument ID or Spread ID doesn't exist.")
        return item

    def error(self, code: str, msg: str) -> Exception:
        raise NotImplementedError

    async def market_ticker(self, params: dict[str, Any]) -> Any:
        return [self.ticker_row(self.required_instrument(params).inst_id)]

    async def market_tickers(self, params: dict[str, Any]) -> Any:
        inst_type = params.get("instType")
        if not inst_type:
            raise self.error("50014", "Parameter instType can not be empty.")
        return [
            self.ticker_row(item.inst_id)
            for item in self.instruments_list()  # type: ignore[attr-defined]
            if item.inst_type == inst_type
        ]

    async def market_books(self, params: dict[str, Any]) -> Any:
        item = self.required_instrument(params)
        try:
            depth = int(params.get("sz", "1"))
        except ValueError:
            raise self.error("51000", "Parameter sz error") from None
        if not 1 <= depth <= 400:
            raise self.error("51000", "Parameter sz error")
        bids, asks = self.book_levels(item.inst_id, depth)
        return [{"asks": asks, "bids": bids, "ts": str(self.now_ms())}]  # type: ignore[attr-defined]

    async def market_trades(self, params: dict[str, Any]) -> Any:
        item = self.required_instrument(params)
        limit = min(int(params.get("limit", "100")), 500)
        prints = self.tape.get(item.inst_id, [])[-limit:]
        return [self.trade_row(item.inst_id, p) for p in reversed(prints)]

    async def mark_price_endpoint(self, params: dict[str, Any]) -> Any:
        inst_type = params.get("instType")
        if not inst_type:
            raise self.error("50014", "Parameter instType can not be empty.")
        return [
            self.mark_row(item.inst_id)
            for item in self.instruments_list()  # type: ignore[attr-defined]
            if item.inst_type == inst_type
            and item.inst_type != "SPOT"
            and params.get("instId") in (None, "", item.inst_id)
        ]

    async def funding_rate_endpoint(self, params: dict[str, Any]) -> Any:
        item = self.required_instrument(params)
        if item.inst_type != "SWAP":
            raise self.error("51001", "Instrument ID or Spread ID doesn't exist.")
        return [self.funding_row(item.inst_id)]

    # ---- channels

    def channel_sessions(self, channel: str, inst_id: str) -> list[tuple[Any, dict[str, Any]]]:
        found = []
        for session in list(self.sessions):  # type: ignore[attr-defined]
            for arg in session.state.get("args", []):
                if arg.get("channel") == channel and arg.get("instId") == inst_id:
                    found.append((session, arg))
        return found

    def first_push(self, session: Any, arg: dict[str, Any]) -> None:
        """What a channel sends at once on subscription (venue loop)."""
        channel, inst_id = arg.get("channel", ""), arg.get("instId", "")
        if channel in BOOK_CHANNELS:
            self.push_book(session, arg, snapshot=True)
        elif channel == "tickers":
            self.push(session, {"arg": arg, "data": [self.ticker_row(inst_id)]})  # type: ignore[attr-defined]
        elif channel == "mark-price":
            self.push(session, {"arg": arg, "data": [self.mark_row(inst_id)]})  # type: ignore[attr-defined]
        elif channel == "funding-rate":
            self.push(session, {"arg": arg, "data": [self.funding_row(inst_id)]})  # type: ignore[attr-defined]
        elif channel.startswith("candle"):
            step = CANDLE_BARS[channel[len("candle") :]]
            self.push(session, {"arg": arg, "data": [self.candle_row(inst_id, step)]})  # type: ignore[attr-defined]

    def push_book(self, session: Any, arg: dict[str, Any], snapshot: bool) -> None:
        channel, inst_id = arg["channel"], arg["instId"]
        depth = {"books5": 5, "bbo-tbt": 1, "books50-l2-tbt": 50}.get(channel, 400)
        bids, asks = self.book_levels(inst_id, depth)
        seq = self.book_seq.get(inst_id, 123)
        row: dict[str, Any] = {"asks": asks, "bids": bids, "ts": str(self.now_ms()), "seqId": seq}  # type: ignore[attr-defined]
        message: dict[str, Any] = {"arg": arg, "data": [row]}
        if channel in ("books", "books-l2-tbt", "books50-l2-tbt"):
            row.update(checksum=checksum(bids, asks), prevSeqId=-1)
            message["action"] = "snapshot"
            if not snapshot:
                before_bids, before_asks = session.state.setdefault("books_sent", {}).get(
                    (channel, inst_id), ([], [])
                )
                row.update(
                    asks=changed(before_asks, asks),
                    bids=changed(before_bids, bids),
                    prevSeqId=session.state["books_seq"][(channel, inst_id)],
                )
                message["action"] = "update"
            session.state.setdefault("books_sent", {})[(channel, inst_id)] = (bids, asks)
            session.state.setdefault("books_seq", {})[(channel, inst_id)] = seq
        self.push(session, message)  # type: ignore[attr-defined]

    def publish_book(self, symbol: str) -> None:
        self.book_seq[symbol] = self.book_seq.get(symbol, 123) + 1
        for channel in BOOK_CHANNELS:
            for session, arg in self.channel_sessions(channel, symbol):
                self.push_book(session, arg, snapshot=False)
        for session, arg in self.channel_sessions("tickers", symbol):
            self.push(session, {"arg": arg, "data": [self.ticker_row(symbol)]})  # type: ignore[attr-defined]
        for session, arg in self.channel_sessions("mark-price", symbol):
            self.push(session, {"arg": arg, "data": [self.mark_row(symbol)]})  # type: ignore[attr-defined]

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        self._trade_ids += 1
        now: int = self.now_ms()  # type: ignore[attr-defined]
        side = "sell" if buyer_maker else "buy"
        trade = Print(self._trade_ids, Decimal(price), Decimal(quantity), side, now)
        self.tape.setdefault(symbol, []).append(trade)
        for session, arg in self.channel_sessions("trades", symbol):
            self.push(session, {"arg": arg, "data": [self.trade_row(symbol, trade)]})  # type: ignore[attr-defined]
        for session, arg in self.channel_sessions("tickers", symbol):
            self.push(session, {"arg": arg, "data": [self.ticker_row(symbol)]})  # type: ignore[attr-defined]
        for bar, step in CANDLE_BARS.items():
            for session, arg in self.channel_sessions(f"candle{bar}", symbol):
                self.push(session, {"arg": arg, "data": [self.candle_row(symbol, step)]})  # type: ignore[attr-defined]


def changed(before: list[list[str]], after: list[list[str]]) -> list[list[str]]:
    """The levels of an incremental `books` push: every price whose size changed, size "0" for a removed
    one."""
    old = {row[0]: row for row in before}
    new = {row[0]: row for row in after}
    rows = [row for price, row in new.items() if old.get(price) != row]
    rows += [[price, "0", "0", "0"] for price in old if price not in new]
    return rows
