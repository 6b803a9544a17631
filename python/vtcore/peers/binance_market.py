"""Binance public market data shared by the spot and futures venues (venues.md §1-2, the venue's REST and
stream documents): REST `ping`, `depth`, `trades`, `aggTrades`, `ticker/24hr|price|bookTicker`, `avgPrice`
(spot); streams `@trade`, `@aggTrade`, `@kline_<interval>`, `@ticker`, `@miniTicker`, `@bookTicker`, partial
depth `@depth<5|10|20>[@100ms]` and diff depth `@depth[@100ms]`.

One update id per symbol orders the book: REST `depth` answers with `lastUpdateId`, and every diff-depth event
carries `U` (first id in the event) and `u` (last), futures also `pu` (the previous event's `u`), so a client
that syncs a local book from a snapshot plus the diff stream (as ccxt and the SDKs' depth caches do) sees a
gapless sequence. The market's trades are kept on a tape: prints from the test and the user's own taking
fills, each with an aggregate trade id; the 24-hour statistics and klines are computed from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vtcore.peers.base import decimal_text

INTERVAL_MS = {
    "1s": 1_000,
    "1m": 60_000,
    "3m": 180_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "2h": 7_200_000,
    "4h": 14_400_000,
    "6h": 21_600_000,
    "8h": 28_800_000,
    "12h": 43_200_000,
    "1d": 86_400_000,
    "3d": 259_200_000,
    "1w": 604_800_000,
}
FIRST_UPDATE_ID = 400900217


class BinanceMarketError(Exception):
    """Raised with (code, msg) by the market-data handlers; the venue turns it into its error reply."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code, self.msg = code, msg


@dataclass(frozen=True)
class TapeTrade:
    trade_id: int
    price: Decimal
    quantity: Decimal
    time_ms: int
    buyer_maker: bool


Levels = list[tuple[Decimal, Decimal]]


class BinanceMarketData:
    """Mixin of the Binance venues. Needs `matching`, `now_ms`, `spec`, `publish`, `futures`."""

    futures = False

    def init_market_data(self) -> None:
        self.update_ids: dict[str, int] = {}
        self.published: dict[str, tuple[Levels, Levels]] = {}  # the book as the diff stream last told it
        self.tape: dict[str, list[TapeTrade]] = {}
        self._agg_ids = 26_129_000

    # ---- helpers

    def levels(self, symbol: str) -> tuple[Levels, Levels]:
        bids, asks = self.matching.book(symbol)  # type: ignore[attr-defined]
        return [(p, q) for p, q in bids if q > 0], [(p, q) for p, q in asks if q > 0]

    def update_id(self, symbol: str) -> int:
        return self.update_ids.get(symbol, FIRST_UPDATE_ID)

    def qty(self, value: Decimal) -> str:
        return decimal_text(value, 3) if self.futures else decimal_text(value)

    def depth_limit(self, params: dict[str, str]) -> int:
        raw = params.get("limit", "100" if not self.futures else "500")
        allowed = (5, 10, 20, 50, 100, 500, 1000) if self.futures else None
        try:
            limit = int(raw)
        except ValueError:
            raise BinanceMarketError(
                -1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'."
            ) from None
        if limit <= 0 or (allowed is not None and limit not in allowed) or limit > 5000:
            raise BinanceMarketError(-1130, "Invalid data sent for a parameter.")
        return limit

    # ---- REST

    async def ping_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        return {}

    async def depth_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        self.require(params, "symbol")  # type: ignore[attr-defined]
        symbol = self.spec(params["symbol"]).symbol  # type: ignore[attr-defined]
        limit = self.depth_limit(params)
        bids, asks = self.levels(symbol)
        answer: dict[str, Any] = {"lastUpdateId": self.update_id(symbol)}
        if self.futures:
            answer.update(E=self.now_ms(), T=self.now_ms())  # type: ignore[attr-defined]
        answer["bids"] = [[decimal_text(p), self.qty(q)] for p, q in bids[:limit]]
        answer["asks"] = [[decimal_text(p), self.qty(q)] for p, q in asks[:limit]]
        return answer

    def recent(self, symbol: str, params: dict[str, str]) -> list[TapeTrade]:
        limit = min(int(params.get("limit", "500")), 1000)
        trades = self.tape.get(symbol, [])
        if params.get("fromId"):
            trades = [t for t in trades if t.trade_id >= int(params["fromId"])]
        if params.get("startTime"):
            trades = [t for t in trades if t.time_ms >= int(params["startTime"])]
        if params.get("endTime"):
            trades = [t for t in trades if t.time_ms <= int(params["endTime"])]
        return trades[-limit:] if not params.get("fromId") else trades[:limit]

    async def trades_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        self.require(params, "symbol")  # type: ignore[attr-defined]
        symbol = self.spec(params["symbol"]).symbol  # type: ignore[attr-defined]
        rows = []
        for trade in self.recent(symbol, params):
            row = {
                "id": trade.trade_id,
                "price": decimal_text(trade.price),
                "qty": self.qty(trade.quantity),
                "quoteQty": decimal_text(trade.price * trade.quantity),
                "time": trade.time_ms,
                "isBuyerMaker": trade.buyer_maker,
            }
            if not self.futures:
                row["isBestMatch"] = True
            rows.append(row)
        return rows

    async def agg_trades_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        self.require(params, "symbol")  # type: ignore[attr-defined]
        symbol = self.spec(params["symbol"]).symbol  # type: ignore[attr-defined]
        rows = []
        for trade in self.recent(symbol, params):
            row = {
                "a": trade.trade_id,
                "p": decimal_text(trade.price),
                "q": self.qty(trade.quantity),
                "f": trade.trade_id,
                "l": trade.trade_id,
                "T": trade.time_ms,
                "m": trade.buyer_maker,
            }
            if not self.futures:
                row["M"] = True
            rows.append(row)
        return rows

    def symbols_asked(self, params: dict[str, str]) -> list[str] | None:
        """The symbols a `symbol=` or `symbols=["A","B"]` parameter names (None: all)."""
        if params.get("symbol"):
            return [self.spec(params["symbol"]).symbol]  # type: ignore[attr-defined]
        if params.get("symbols"):
            try:
                names = json.loads(params["symbols"])
            except ValueError:
                raise BinanceMarketError(
                    -1100,
                    "Illegal characters found in parameter 'symbols'; legal range is "
                    '\'^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$\'.',
                ) from None
            return [self.spec(name).symbol for name in names]  # type: ignore[attr-defined]
        return None

    def one_or_all(self, params: dict[str, str], render: Any) -> Any:
        asked = self.symbols_asked(params)
        names = asked if asked is not None else [s.symbol for s in self.symbols]  # type: ignore[attr-defined]
        rows = [render(name) for name in names]
        return rows[0] if params.get("symbol") else rows

    def stats(self, symbol: str) -> dict[str, Any]:
        """24-hour rolling statistics from the tape (the venue's life is shorter than a day)."""
        trades = self.tape.get(symbol, [])
        bids, asks = self.levels(symbol)
        now = self.now_ms()  # type: ignore[attr-defined]
        mid = (bids[0][0] + asks[0][0]) / 2 if bids and asks else Decimal(0)
        last = trades[-1].price if trades else mid
        first = trades[0].price if trades else last
        volume = sum((t.quantity for t in trades), Decimal(0))
        quote = sum((t.quantity * t.price for t in trades), Decimal(0))
        change = last - first
        return {
            "symbol": symbol,
            "priceChange": decimal_text(change),
            "priceChangePercent": decimal_text(change / first * 100 if first else Decimal(0), 3),
            "weightedAvgPrice": decimal_text(quote / volume if volume else last),
            "prevClosePrice": decimal_text(first),
            "lastPrice": decimal_text(last),
            "lastQty": self.qty(trades[-1].quantity if trades else Decimal(0)),
            "bidPrice": decimal_text(bids[0][0] if bids else Decimal(0)),
            "bidQty": self.qty(bids[0][1] if bids else Decimal(0)),
            "askPrice": decimal_text(asks[0][0] if asks else Decimal(0)),
            "askQty": self.qty(asks[0][1] if asks else Decimal(0)),
            "openPrice": decimal_text(first),
            "highPrice": decimal_text(max((t.price for t in trades), default=last)),
            "lowPrice": decimal_text(min((t.price for t in trades), default=last)),
            "volume": self.qty(volume),
            "quoteVolume": decimal_text(quote),
            "openTime": now - 86_400_000,
            "closeTime": now,
            "firstId": trades[0].trade_id if trades else -1,
            "lastId": trades[-1].trade_id if trades else -1,
            "count": len(trades),
        }

    async def ticker_24hr_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        def render(symbol: str) -> dict[str, Any]:
            row = self.stats(symbol)
            if self.futures:  # the futures 24-hour ticker has no book fields
                for name in ("prevClosePrice", "bidPrice", "bidQty", "askPrice", "askQty"):
                    row.pop(name)
            return row

        return self.one_or_all(params, render)

    async def ticker_price_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        def render(symbol: str) -> dict[str, Any]:
            row: dict[str, Any] = {"symbol": symbol, "price": self.stats(symbol)["lastPrice"]}
            if self.futures:
                row["time"] = self.now_ms()  # type: ignore[attr-defined]
            return row

        return self.one_or_all(params, render)

    async def book_ticker_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        def render(symbol: str) -> dict[str, Any]:
            bids, asks = self.levels(symbol)
            row: dict[str, Any] = {
                "symbol": symbol,
                "bidPrice": decimal_text(bids[0][0] if bids else Decimal(0)),
                "bidQty": self.qty(bids[0][1] if bids else Decimal(0)),
                "askPrice": decimal_text(asks[0][0] if asks else Decimal(0)),
                "askQty": self.qty(asks[0][1] if asks else Decimal(0)),
            }
            if self.futures:
                row.update(lastUpdateId=self.update_id(symbol), time=self.now_ms())  # type: ignore[attr-defined]
            return row

        return self.one_or_all(params, render)

    async def avg_price_endpoint(self, request: Any, params: dict[str, str]) -> Any:
        self.require(params, "symbol")  # type: ignore[attr-defined]
        symbol = self.spec(params["symbol"]).symbol  # type: ignore[attr-defined]
        return {
            "mins": 5,
            "price": self.stats(symbol)["weightedAvgPrice"],
            "closeTime": self.now_ms(),  # type: ignore[attr-defined]
        }

    # ---- streams

    def publish_book(self, symbol: str) -> None:
        """The book of `symbol` changed: bookTicker, partial depth and the diff-depth events."""
        bids, asks = self.levels(symbol)
        previous_bids, previous_asks = self.published.get(symbol, ([], []))
        first = self.update_id(symbol) + 1
        last = first  # one matching-engine update per book change
        self.update_ids[symbol] = last
        self.published[symbol] = (bids, asks)
        lower, now = symbol.lower(), self.now_ms()  # type: ignore[attr-defined]
        if bids and asks:
            ticker: dict[str, Any] = {
                "u": last,
                "s": symbol,
                "b": decimal_text(bids[0][0]),
                "B": self.qty(bids[0][1]),
                "a": decimal_text(asks[0][0]),
                "A": self.qty(asks[0][1]),
            }
            if self.futures:
                ticker = {"e": "bookTicker", "u": last, "E": now, "T": now, **ticker}
            self.publish(f"{lower}@bookTicker", ticker)  # type: ignore[attr-defined]
        for count in (5, 10, 20):
            if self.futures:
                depth: dict[str, Any] = {
                    "e": "depthUpdate",
                    "E": now,
                    "T": now,
                    "s": symbol,
                    "U": first,
                    "u": last,
                    "pu": first - 1,
                    "b": [[decimal_text(p), self.qty(q)] for p, q in bids[:count]],
                    "a": [[decimal_text(p), self.qty(q)] for p, q in asks[:count]],
                }
            else:
                depth = {
                    "lastUpdateId": last,
                    "bids": [[decimal_text(p), self.qty(q)] for p, q in bids[:count]],
                    "asks": [[decimal_text(p), self.qty(q)] for p, q in asks[:count]],
                }
            for speed in ("", "@100ms", "@250ms", "@500ms"):
                self.publish(f"{lower}@depth{count}{speed}", depth)  # type: ignore[attr-defined]
        diff: dict[str, Any] = {
            "e": "depthUpdate",
            "E": now,
            **({"T": now} if self.futures else {}),
            "s": symbol,
            "U": first,
            "u": last,
            **({"pu": first - 1} if self.futures else {}),
            "b": changed_levels(previous_bids, bids, self.qty),
            "a": changed_levels(previous_asks, asks, self.qty),
        }
        for speed in ("", "@100ms", "@250ms", "@500ms", "@0ms"):
            self.publish(f"{lower}@depth{speed}", diff)  # type: ignore[attr-defined]
        self.publish_ticker(symbol)

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        """A trade printed on the market: the tape, `@trade`, `@aggTrade`, klines and the ticker."""
        now = self.now_ms()  # type: ignore[attr-defined]
        self._agg_ids += 1
        trade = TapeTrade(self._agg_ids, Decimal(price), Decimal(quantity), now, buyer_maker)
        self.tape.setdefault(symbol, []).append(trade)
        lower = symbol.lower()
        raw: dict[str, Any] = {
            "e": "trade",
            "E": now,
            **({"T": now} if self.futures else {}),
            "s": symbol,
            "t": trade.trade_id,
            "p": decimal_text(trade.price),
            "q": self.qty(trade.quantity),
            **({"X": "MARKET"} if self.futures else {"T": now}),
            "m": buyer_maker,
        }
        if not self.futures:
            raw["M"] = True
        self.publish(f"{lower}@trade", raw)  # type: ignore[attr-defined]
        agg: dict[str, Any] = {
            "e": "aggTrade",
            "E": now,
            "s": symbol,
            "a": trade.trade_id,
            "p": decimal_text(trade.price),
            "q": self.qty(trade.quantity),
            "f": trade.trade_id,
            "l": trade.trade_id,
            "T": now,
            "m": buyer_maker,
        }
        if not self.futures:
            agg["M"] = True
        self.publish(f"{lower}@aggTrade", agg)  # type: ignore[attr-defined]
        for interval, step in INTERVAL_MS.items():
            self.publish(f"{lower}@kline_{interval}", self.kline_event(symbol, interval, step, now))  # type: ignore[attr-defined]
        self.publish_ticker(symbol)

    def kline_event(self, symbol: str, interval: str, step: int, now: int) -> dict[str, Any]:
        start = now - now % step
        trades = [t for t in self.tape.get(symbol, []) if t.time_ms >= start]
        volume = sum((t.quantity for t in trades), Decimal(0))
        quote = sum((t.quantity * t.price for t in trades), Decimal(0))
        taker = [t for t in trades if not t.buyer_maker]
        return {
            "e": "kline",
            "E": now,
            "s": symbol,
            "k": {
                "t": start,
                "T": start + step - 1,
                "s": symbol,
                "i": interval,
                "f": trades[0].trade_id,
                "L": trades[-1].trade_id,
                "o": decimal_text(trades[0].price),
                "c": decimal_text(trades[-1].price),
                "h": decimal_text(max(t.price for t in trades)),
                "l": decimal_text(min(t.price for t in trades)),
                "v": self.qty(volume),
                "n": len(trades),
                "x": False,
                "q": decimal_text(quote),
                "V": self.qty(sum((t.quantity for t in taker), Decimal(0))),
                "Q": decimal_text(sum((t.quantity * t.price for t in taker), Decimal(0))),
                "B": "0",
            },
        }

    def publish_ticker(self, symbol: str) -> None:
        stats = self.stats(symbol)
        event: dict[str, Any] = {
            "e": "24hrTicker",
            "E": self.now_ms(),  # type: ignore[attr-defined]
            "s": symbol,
            "p": stats["priceChange"],
            "P": stats["priceChangePercent"],
            "w": stats["weightedAvgPrice"],
            "x": stats["prevClosePrice"],
            "c": stats["lastPrice"],
            "Q": stats["lastQty"],
            "b": stats["bidPrice"],
            "B": stats["bidQty"],
            "a": stats["askPrice"],
            "A": stats["askQty"],
            "o": stats["openPrice"],
            "h": stats["highPrice"],
            "l": stats["lowPrice"],
            "v": stats["volume"],
            "q": stats["quoteVolume"],
            "O": stats["openTime"],
            "C": stats["closeTime"],
            "F": stats["firstId"],
            "L": stats["lastId"],
            "n": stats["count"],
        }
        if self.futures:  # the futures ticker stream has no book fields
            for name in ("x", "b", "B", "a", "A"):
                event.pop(name)
        self.publish(f"{symbol.lower()}@ticker", event)  # type: ignore[attr-defined]
        mini = {key: event[key] for key in ("E", "s", "c", "o", "h", "l", "v", "q")}
        self.publish(f"{symbol.lower()}@miniTicker", {"e": "24hrMiniTicker", **mini})  # type: ignore[attr-defined]


def changed_levels(before: Levels, after: Levels, qty: Any) -> list[list[str]]:
    """The levels a diff-depth event carries: every price whose quantity changed, 0 for a removed one."""
    old, new = dict(before), dict(after)
    rows = []
    for price in sorted(set(old) | set(new)):
        if old.get(price) != new.get(price):
            rows.append([decimal_text(price), qty(new.get(price, Decimal(0)))])
    return rows
