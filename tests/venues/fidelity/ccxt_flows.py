"""The flows vtcore's gateways rely on, driven through ccxt against one local venue.

A venue joins by subclassing `CcxtFlows` in a module of this folder (class name starting with `Test`), giving
the ccxt exchange id, the symbols, a `venue` fixture that yields the running local venue with a known book,
and the hooks below. Every test method here then runs against that venue; a failure is a venue defect (or a
gap in the venue), not a test to skip.

The book every venue starts with (set by its `venue` fixture): best bid `bid` x `bid_size`, best ask `ask`
x `ask_size`, at least two levels a side.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any, ClassVar

from venues.fidelity.clients import ccxt_exchange, run_client, until
from vtcore.peers.base import VenueServer


class CcxtFlows:
    exchange_id: ClassVar[str]  # ccxt's id: "binance", "binanceusdm", "okx", ...
    symbol: ClassVar[str]  # ccxt's unified symbol, e.g. "BTC/USDT"
    venue_symbol: ClassVar[str]  # the venue's own symbol
    bid: ClassVar[Decimal]
    bid_size: ClassVar[Decimal]
    ask: ClassVar[Decimal]
    ask_size: ClassVar[Decimal]
    tick: ClassVar[Decimal]  # the venue's price step, as its instrument list states it
    amount: ClassVar[Decimal]  # a valid order amount in ccxt's unit (contracts for derivatives)
    #: (currency, total) of one balance the venue starts with
    balance: ClassVar[tuple[str, Decimal]]
    config: ClassVar[dict[str, Any]] = {}  # extra ccxt constructor settings (options)
    ticker_has_book: ClassVar[bool] = True  # False where the venue's ticker carries no best bid/ask

    # ---- hooks

    def hosts(self, venue: VenueServer) -> dict[str, int]:
        """The public host names the client ships with -> the port of the local venue that stands in."""
        raise NotImplementedError

    def credentials(self, venue: VenueServer) -> dict[str, str]:
        """ccxt credentials (`apiKey`, `secret`, `password`) the venue accepts."""
        raise NotImplementedError

    def fee_of(self, venue: VenueServer, trade: dict[str, Any]) -> None:
        """Check the fee ccxt read for `trade` against what the venue charged (override per venue)."""
        assert trade["fee"] is not None and trade["fee"]["cost"] is not None

    # ---- plumbing

    def client(self, venue: VenueServer) -> Any:
        return ccxt_exchange(self.exchange_id, self.hosts(venue), {**self.credentials(venue), **self.config})

    def run(self, venue: VenueServer, scenario: Any) -> Any:
        return run_client(lambda: self.client(venue), scenario)

    # ---- flows

    def test_server_time(self, venue: VenueServer) -> None:
        async def scenario(exchange: Any) -> int:
            return int(await exchange.fetch_time())

        assert abs(self.run(venue, scenario) - time.time() * 1000) < 5_000

    def test_markets(self, venue: VenueServer) -> None:
        async def scenario(exchange: Any) -> Any:
            return await exchange.load_markets()

        markets = self.run(venue, scenario)
        market = markets[self.symbol]
        assert market["id"] == self.venue_symbol
        assert market["active"] is not False
        assert Decimal(str(market["precision"]["price"])) == self.tick

    def test_ticker_and_depth(self, venue: VenueServer) -> None:
        async def scenario(exchange: Any) -> tuple[Any, Any]:
            return await exchange.fetch_ticker(self.symbol), await exchange.fetch_order_book(self.symbol)

        ticker, book = self.run(venue, scenario)
        assert ticker["symbol"] == self.symbol and ticker["timestamp"]
        if self.ticker_has_book:
            assert Decimal(str(ticker["bid"])) == self.bid and Decimal(str(ticker["ask"])) == self.ask
        assert [Decimal(str(x)) for x in book["bids"][0][:2]] == [self.bid, self.bid_size]
        assert [Decimal(str(x)) for x in book["asks"][0][:2]] == [self.ask, self.ask_size]
        assert len(book["bids"]) >= 2 and book["bids"][0][0] > book["bids"][1][0]

    def test_balance(self, venue: VenueServer) -> None:
        async def scenario(exchange: Any) -> Any:
            return await exchange.fetch_balance()

        currency, total = self.balance
        assert Decimal(str(self.run(venue, scenario)[currency]["total"])) == total

    def test_place_query_cancel(self, venue: VenueServer) -> None:
        resting_price = float(self.bid - 10 * self.tick)

        async def scenario(exchange: Any) -> tuple[Any, ...]:
            await exchange.load_markets()
            placed = await exchange.create_order(
                self.symbol, "limit", "buy", float(self.amount), resting_price
            )
            queried = await exchange.fetch_order(placed["id"], self.symbol)
            open_orders = await exchange.fetch_open_orders(self.symbol)
            await exchange.cancel_order(placed["id"], self.symbol)
            after = await exchange.fetch_order(placed["id"], self.symbol)
            return placed, queried, open_orders, after

        placed, queried, open_orders, after = self.run(venue, scenario)
        assert queried["id"] == placed["id"] and queried["status"] == "open"
        assert Decimal(str(queried["price"])) == Decimal(str(resting_price))
        assert Decimal(str(queried["amount"])) == self.amount and queried["side"] == "buy"
        assert placed["id"] in [order["id"] for order in open_orders]
        assert after["status"] == "canceled"

    def test_a_fill(self, venue: VenueServer) -> None:
        async def scenario(exchange: Any) -> tuple[Any, Any]:
            await exchange.load_markets()
            placed = await exchange.create_order(
                self.symbol, "limit", "buy", float(self.amount), float(self.ask)
            )
            filled = await exchange.fetch_order(placed["id"], self.symbol)
            trades = await exchange.fetch_my_trades(self.symbol)
            return filled, [t for t in trades if t["order"] == placed["id"]]

        filled, trades = self.run(venue, scenario)
        assert filled["status"] == "closed" and Decimal(str(filled["filled"])) == self.amount
        assert len(trades) == 1 and Decimal(str(trades[0]["price"])) == self.ask
        assert Decimal(str(trades[0]["amount"])) == self.amount
        self.fee_of(venue, trades[0])

    def test_market_streams(self, venue: VenueServer) -> None:
        new_bid = self.bid + self.tick

        async def scenario(exchange: Any) -> tuple[Any, Any, Any]:
            await exchange.load_markets()
            first = await exchange.watch_order_book(self.symbol)
            assert Decimal(str(first["bids"][0][0])) == self.bid
            # a watch resolves on the next update only: register it before the venue moves the book
            pending = asyncio.ensure_future(exchange.watch_order_book(self.symbol))
            await settle()
            await asyncio.to_thread(
                venue.set_book,
                self.venue_symbol,
                [(str(new_bid), "3"), (str(self.bid), str(self.bid_size))],
                [(str(self.ask), str(self.ask_size)), (str(self.ask + self.tick), "2")],
            )
            book = await pending
            if Decimal(str(book["bids"][0][0])) != new_bid:  # a venue may split one change into events
                book = await until(
                    lambda: exchange.watch_order_book(self.symbol),
                    lambda b: bool(b["bids"]) and Decimal(str(b["bids"][0][0])) == new_bid,
                    "the new best bid on the book stream",
                )
            before = venue.run(venue.subscription_count)
            trades_task = asyncio.ensure_future(exchange.watch_trades(self.symbol))
            ticker_task = asyncio.ensure_future(exchange.watch_ticker(self.symbol))
            await wait_subscribed(venue, before + 2)
            await asyncio.to_thread(venue.print_trade, self.venue_symbol, str(self.ask), "1")
            trades = await trades_task
            ticker = await ticker_task
            return book, trades, ticker

        book, trades, ticker = self.run(venue, scenario)
        assert Decimal(str(book["asks"][0][0])) == self.ask
        assert Decimal(str(trades[-1]["price"])) == self.ask
        assert ticker["symbol"] == self.symbol

    def test_user_stream(self, venue: VenueServer) -> None:
        price = float(self.bid - 5 * self.tick)

        async def scenario(exchange: Any) -> tuple[Any, Any]:
            await exchange.load_markets()
            before = venue.run(venue.subscription_count)
            watching = asyncio.ensure_future(exchange.watch_orders(self.symbol))
            await wait_subscribed(venue, before + 1)
            placed = await exchange.create_order(self.symbol, "limit", "buy", float(self.amount), price)
            orders = await watching
            return placed, orders

        placed, orders = self.run(venue, scenario)
        pushed = [order for order in orders if order["id"] == placed["id"]]
        assert pushed and pushed[-1]["status"] == "open"
        assert Decimal(str(pushed[-1]["price"])) == Decimal(str(price))


async def wait_subscribed(venue: VenueServer, count: int, timeout: float = 10.0) -> None:
    """Wait until the venue holds at least `count` subscriptions (market topics and user streams): a push
    sent before the client subscribed would be lost on the real venue too."""
    deadline = time.monotonic() + timeout
    while venue.run(venue.subscription_count) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"the venue never saw {count} subscriptions")
        await asyncio.sleep(0.01)


async def settle() -> None:
    """Let tasks just started run up to their first real wait (a client's `watch_*` registers the future an
    update resolves before it waits on it). Counts loop turns, not time."""
    for _ in range(20):
        await asyncio.sleep(0)
