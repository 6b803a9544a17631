"""A fake TWS / IB Gateway speaking the socket API's text protocol on 127.0.0.1 (venues.md §11).

What a client sees is what TWS does: the `API\\0` greeting with a `vMIN..MAX` version range, the server
version and connection time, `startApi`, then managedAccounts, nextValidId and the farm-status notices
(2104/2106/2158).
It answers contract details, market data (tick price/size/string, depth), orders (limit, market, stop,
stop-limit; DAY/GTC/IOC/FOK) matched by the shared `MatchingCore` against a book the test sets, open orders,
order status, executions with commission reports, account values/portfolio/positions/account summary and
synthetic historical bars, in the layouts of the server version it negotiated (`layouts.py`).

Scripted faults: drop every connection, restart (refuse connections for a while, then a new session; orders
survive as they do at IB), error 1100/1101/1102 connectivity notices, a pacing violation (error 100 and a
disconnect past 50 messages a second unless the client asked for `+PACEAPI`), a rejection (error 201 with its
reason) and dropping the connection in place of an order's answer.

The server runs on its own event-loop thread; the test drives the market and the faults from its own thread.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import datetime as dt
import itertools
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from vtcore.peers.ib import layouts
from vtcore.peers.ib.contracts import DEFAULT_CONTRACTS, ContractSpec
from vtcore.peers.ib.layouts import OrderView
from vtcore.peers.ib.wire import API_GREETING, Fields, WireError, frame, header_length, split_fields
from vtcore.peers.matching import Execution, MatchingCore, SimOrder

T = TypeVar("T")
ZERO = Decimal(0)
PACING_LIMIT = 50  # messages per second a client may send (TWS API documentation)

# Incoming message ids (client -> TWS)
REQ_MKT_DATA, CANCEL_MKT_DATA, PLACE_ORDER, CANCEL_ORDER, REQ_OPEN_ORDERS = 1, 2, 3, 4, 5
REQ_ACCOUNT_UPDATES, REQ_EXECUTIONS, REQ_IDS, REQ_CONTRACT_DATA, REQ_MKT_DEPTH = 6, 7, 8, 9, 10
CANCEL_MKT_DEPTH, REQ_AUTO_OPEN_ORDERS, REQ_ALL_OPEN_ORDERS, REQ_MANAGED_ACCTS = 11, 15, 16, 17
REQ_HISTORICAL_DATA, CANCEL_HISTORICAL_DATA, REQ_CURRENT_TIME, REQ_MARKET_DATA_TYPE = 20, 25, 49, 59
REQ_POSITIONS, REQ_ACCOUNT_SUMMARY, CANCEL_ACCOUNT_SUMMARY, CANCEL_POSITIONS, START_API = 61, 62, 63, 64, 71
REQ_ACCOUNT_UPDATES_MULTI, CANCEL_ACCOUNT_UPDATES_MULTI, REQ_COMPLETED_ORDERS = 76, 77, 99
_ORDER_MESSAGES = frozenset({str(PLACE_ORDER), str(CANCEL_ORDER)})  # what `FakeTws.order_delay` delays

# Tick types
BID_SIZE, BID, ASK, ASK_SIZE, LAST, LAST_SIZE, HIGH, LOW, VOLUME, CLOSE, OPEN, LAST_TIMESTAMP = (
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    14,
    45,
)
FARM_OK = (
    (2104, "Market data farm connection is OK:usfarm"),
    (2106, "HMDS data farm connection is OK:ushmds"),
    (2158, "Sec-def data farm connection is OK:secdefnj"),
)
ORDER_TYPES = {"LMT": "LIMIT", "MKT": "MARKET", "STP": "MARKET", "STP LMT": "LIMIT"}
TIFS = {"DAY": "GTC", "GTC": "GTC", "IOC": "IOC", "FOK": "FOK"}  # the matching core's names; DAY rests


@dataclass
class TwsFaults:
    """Scripted misbehaviour; counters are consumed as requests arrive."""

    pacing_limit: int = PACING_LIMIT
    disconnect_on_pacing: bool = True
    reject_next_orders: list[str] = field(default_factory=list)  # error 201 with these reasons, in turn
    #: close the connection that the next N placeOrder messages arrive on instead of answering them; with
    #: `act_before_drop` the order is placed (and may fill) first, as when TWS got it but the socket died
    drop_order_reply: int = 0
    act_before_drop: bool = False
    refuse_connections: bool = False  # TWS is down (restarting)
    mute_market_data: bool = False
    withhold_commission_reports: bool = False  # executions come without their commission report


@dataclass
class Session:
    """One API client connection."""

    writer: asyncio.StreamWriter
    version: int = 0
    client_id: int | None = None
    pace_api: bool = False
    market_data: dict[int, int] = field(default_factory=dict)  # reqId -> conId
    depth: dict[int, tuple[int, int, bool]] = field(default_factory=dict)  # reqId -> (conId, rows, smart)
    account_updates: str | None = None
    positions: bool = False
    account_multi: dict[int, str] = field(default_factory=dict)
    arrivals: collections.deque[float] = field(default_factory=collections.deque)  # for pacing
    closed: bool = False

    def send(self, fields: list[Any]) -> None:
        if not self.closed:
            self.writer.write(frame(fields))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()


@dataclass
class TwsOrder(OrderView):
    sim_id: int = 0
    executions: list[str] = field(default_factory=list)


@dataclass
class Fill:
    exec_id: str
    order: TwsOrder
    time: dt.datetime
    shares: Decimal
    price: Decimal
    cum_qty: Decimal
    average_price: Decimal
    commission: Decimal
    realized: Decimal | None


@dataclass
class Holding:
    quantity: Decimal = ZERO
    average_cost: Decimal = ZERO  # per unit, multiplier included (as IB reports it)
    realized: Decimal = ZERO


@dataclass
class Account:
    code: str
    cash: Decimal = Decimal(1_000_000)
    holdings: dict[int, Holding] = field(default_factory=dict)


@dataclass
class Quote:
    """What market data says about one contract besides the book."""

    last: Decimal | None = None
    last_size: Decimal = ZERO
    volume: Decimal = ZERO
    high: Decimal | None = None
    low: Decimal | None = None
    open: Decimal | None = None
    close: Decimal | None = None
    last_time: int = 0


class FakeTws:
    server_version_max = layouts.MAX_VERSION
    server_version_min = layouts.MIN_VERSION

    def __init__(
        self,
        *,
        accounts: Iterable[str] = ("DU1234567", "DU7654321"),
        contracts: Iterable[ContractSpec] = DEFAULT_CONTRACTS,
        time_zone: str = "US/Eastern",
        server_version: int = layouts.MAX_VERSION,
        clock: Callable[[], float] = time.monotonic,
        order_delay: float = 0.0,
    ) -> None:
        #: seconds this TWS takes over a placeOrder or cancelOrder before it acts and answers; a real TWS
        #: routes the order first, so its answers come milliseconds later, never within the client's own
        #: placeOrder call (vnpy_ib files its OrderData only after placeOrder returned). 0: at once.
        self.order_delay = order_delay
        #: the pacing and history-request windows read this clock; a test that must not race the machine's
        #: load (is this burst within one second?) passes one it controls
        self.clock = clock
        self.accounts = {code: Account(code) for code in accounts}
        self.contracts = {spec.con_id: spec for spec in contracts}
        self.time_zone = time_zone
        self.server_version = server_version  # the highest version announced
        self.faults = TwsFaults()
        self.matching = MatchingCore(self._on_execution)
        self.sessions: list[Session] = []
        self.orders: dict[tuple[int, int], TwsOrder] = {}  # (clientId, orderId) -> order
        self.fills: list[Fill] = []
        self.quotes: dict[int, Quote] = {con_id: Quote() for con_id in self.contracts}
        self.request_log: list[tuple[int | None, list[str]]] = []  # (clientId, fields) of every message
        self.pacing_violations = 0
        self.connections = 0  # accepted handshakes, over the server's life
        self.restarts = 0
        self._orders_by_sim: dict[int, TwsOrder] = {}
        self._next_valid_id: dict[int, int] = collections.defaultdict(lambda: 1)
        self._perm_ids = itertools.count(1_900_000_001)
        self._exec_seq = itertools.count(1)
        self._token = random.getrandbits(32)
        self._history_requests: collections.deque[tuple[float, str]] = collections.deque()
        self._cancel_reasons: dict[int, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    # -- life cycle ------------------------------------------------------------------------------------------

    def start(self) -> FakeTws:
        started = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-tws", daemon=True)
        self._thread.start()
        started.wait()
        self._call_async(self._listen())
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        with contextlib.suppress(Exception):
            self._call_async(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def __enter__(self) -> FakeTws:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port or 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        for session in list(self.sessions):
            session.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn` on the server's loop (where all state lives) and return its result."""
        assert self._loop is not None, "the fake TWS is not running"

        async def run() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def _call_async(self, coro: Any) -> Any:
        assert self._loop is not None
        future: concurrent.futures.Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(10)

    # -- scripted faults -------------------------------------------------------------------------------------

    def drop_connections(self) -> None:
        """Every client connection is cut (as when the network between the client and TWS fails)."""
        self._call(self._drop_all)

    def restart(self, downtime: float | None = 0.3) -> None:
        """TWS restarts (it does so daily): connections drop, new ones are refused for `downtime` seconds
        (None: until `come_back()`), then a new session starts. Orders at IB survive; market-data and account
        subscriptions do not."""
        self._call_async(self._restart(downtime))

    def come_back(self) -> None:
        """End a restart begun with `restart(downtime=None)`."""
        self._call_async(self._reopen())

    async def _restart(self, downtime: float | None) -> None:
        self.faults.refuse_connections = True
        self._drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.restarts += 1
        self._token = random.getrandbits(32)
        if downtime is not None:
            loop = asyncio.get_running_loop()
            loop.call_later(downtime, lambda: loop.create_task(self._reopen()))

    async def _reopen(self) -> None:
        await self._listen()
        self.faults.refuse_connections = False

    def _drop_all(self) -> None:
        for session in list(self.sessions):
            session.close()
        self.sessions.clear()

    def connectivity_lost(self) -> None:
        self._call(
            self._broadcast_error, -1, 1100, "Connectivity between IB and Trader Workstation has been lost."
        )

    def connectivity_restored(self, data_lost: bool = False) -> None:
        """1102 (data maintained) or 1101 (data lost: TWS forgets every market-data subscription, and the
        client must make them again)."""
        if data_lost:
            self._call(self._forget_market_data)
            self._call(
                self._broadcast_error,
                -1,
                1101,
                "Connectivity between IB and Trader Workstation has been restored - data lost.",
            )
        else:
            self._call(
                self._broadcast_error,
                -1,
                1102,
                "Connectivity between IB and Trader Workstation has been restored - data maintained.",
            )

    def seed_position(self, account: str, con_id: int, quantity: str, average_cost: str) -> None:
        """The account already holds `quantity` of `con_id` (bought before the test began)."""

        def seed() -> None:
            holding = self.accounts[account].holdings.setdefault(con_id, Holding())
            holding.quantity, holding.average_cost = Decimal(quantity), Decimal(average_cost)

        self._call(seed)

    def inject(self, fields: list[Any]) -> None:
        """Send a message exactly as given to every logged-in client (a malformed one, say)."""

        def send() -> None:
            for session in self.sessions:
                if session.client_id is not None:
                    session.send(fields)

        self._call(send)

    def farm_status(self, code: int, text: str) -> None:
        self._call(self._broadcast_error, -1, code, text)

    def _forget_market_data(self) -> None:
        for session in self.sessions:
            session.market_data.clear()
            session.depth.clear()

    def _broadcast_error(self, req_id: int, code: int, text: str) -> None:
        for session in self.sessions:
            if session.client_id is not None:
                session.send(layouts.error(session.version, req_id, code, text))

    # -- the market ------------------------------------------------------------------------------------------

    def set_book(self, con_id: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> None:
        self._call(self._set_book, con_id, bids, asks)

    def print_trade(self, con_id: int, price: str, quantity: str) -> None:
        """A trade on the market: last/volume ticks; resting orders it crosses fill; stops trigger."""
        self._call(self._print_trade, con_id, Decimal(price), Decimal(quantity))

    def _set_book(self, con_id: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> None:
        old = self._levels(con_id)
        self.matching.set_book(str(con_id), bids, asks)
        self._publish_book(con_id, old)

    def _levels(self, con_id: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        bids, asks = self.matching.book(str(con_id))
        return [(p, q) for p, q in bids], [(p, q) for p, q in asks]

    def _publish_book(self, con_id: int, old: tuple[list[Any], list[Any]]) -> None:
        bids, asks = self._levels(con_id)
        if self.faults.mute_market_data:
            return
        for session in self.sessions:
            for req_id, subscribed in session.market_data.items():
                if subscribed == con_id:
                    self._send_top(session, req_id, con_id, old, (bids, asks))
            for req_id, (subscribed, rows, smart) in session.depth.items():
                if subscribed == con_id:
                    for side, before, after in ((1, old[0], bids), (0, old[1], asks)):
                        self._send_depth_diff(session, req_id, side, before[:rows], after[:rows], smart)

    def _send_top(
        self,
        session: Session,
        req_id: int,
        con_id: int,
        old: tuple[list[Any], list[Any]],
        new: tuple[list[Any], list[Any]],
    ) -> None:
        for price_tick, size_tick, before, after in (
            (BID, BID_SIZE, old[0], new[0]),
            (ASK, ASK_SIZE, old[1], new[1]),
        ):
            if not after:
                if before:
                    session.send([1, 6, req_id, price_tick, -1, 0, 0])  # no bid/ask: TWS sends price -1
                continue
            price, size = after[0]
            if not before or before[0][0] != price:
                session.send([1, 6, req_id, price_tick, price, size, 0])
            elif before[0][1] != size:
                session.send([2, 6, req_id, size_tick, size])

    def _send_depth_diff(  # noqa: PLR0917 - private helper
        self, session: Session, req_id: int, side: int, before: list[Any], after: list[Any], smart: bool
    ) -> None:
        def send(position: int, operation: int, price: Decimal, size: Decimal) -> None:
            if smart:
                session.send([13, 1, req_id, position, "", operation, side, price, size, True])
            else:
                session.send([12, 1, req_id, position, operation, side, price, size])

        for position, level in enumerate(after):
            if position >= len(before):
                send(position, 0, *level)
            elif before[position] != level:
                send(position, 1, *level)
        for position in range(len(before) - 1, len(after) - 1, -1):
            send(position, 2, *before[position])

    def _print_trade(self, con_id: int, price: Decimal, quantity: Decimal) -> None:
        quote = self.quotes.setdefault(con_id, Quote())
        old = self._levels(con_id)
        quote.last, quote.last_size, quote.volume = price, quantity, quote.volume + quantity
        quote.high = price if quote.high is None else max(quote.high, price)
        quote.low = price if quote.low is None else min(quote.low, price)
        quote.open = quote.open if quote.open is not None else price
        quote.last_time = int(time.time())
        if not self.faults.mute_market_data:
            for session in self.sessions:
                for req_id, subscribed in session.market_data.items():
                    if subscribed == con_id:
                        self._send_trade_ticks(session, req_id, quote)
        self.matching.print_trade(str(con_id), str(price), str(quantity))
        self.matching.trigger(str(con_id), price)
        self._publish_book(con_id, old)

    def _send_trade_ticks(self, session: Session, req_id: int, quote: Quote) -> None:
        session.send([1, 6, req_id, LAST, quote.last, quote.last_size, 0])
        session.send([2, 6, req_id, VOLUME, quote.volume])
        session.send([46, 6, req_id, LAST_TIMESTAMP, quote.last_time])
        if quote.high is not None and quote.high == quote.last:
            session.send([1, 6, req_id, HIGH, quote.high, 0, 0])
        if quote.low is not None and quote.low == quote.last:
            session.send([1, 6, req_id, LOW, quote.low, 0, 0])

    # -- inspection (test thread) ----------------------------------------------------------------------------

    def client_ids(self) -> list[int]:
        return self._call(lambda: [s.client_id for s in self.sessions if s.client_id is not None])

    def messages(self, msg_id: int) -> list[list[str]]:
        return self._call(lambda: [f for _, f in self.request_log if f and f[0] == str(msg_id)])

    def order_list(self) -> list[TwsOrder]:
        return self._call(lambda: list(self.orders.values()))

    def market_data_subscriptions(self) -> list[int]:
        return self._call(lambda: [c for s in self.sessions for c in s.market_data.values()])

    def holding(self, account: str, con_id: int) -> Holding:
        return self._call(lambda: self.accounts[account].holdings.get(con_id, Holding()))

    # -- connection ------------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(writer)
        if self.faults.refuse_connections:
            writer.close()
            return
        try:
            if not await self._handshake(reader, session):
                return
            self.sessions.append(session)
            self.connections += 1
            while not session.closed:
                header = await reader.readexactly(4)
                payload = await reader.readexactly(header_length(header))
                fields = split_fields(payload)
                self.request_log.append((session.client_id, fields))
                if not self._paced(session):
                    await self._hang_up(reader, session)
                    break
                if self.order_delay > 0 and fields and fields[0] in _ORDER_MESSAGES:
                    await asyncio.sleep(self.order_delay)  # this session's later messages wait behind it
                self._dispatch(session, fields)
        except (asyncio.IncompleteReadError, ConnectionError, WireError):
            pass
        finally:
            session.close()
            if session in self.sessions:
                self.sessions.remove(session)

    async def _handshake(self, reader: asyncio.StreamReader, session: Session) -> bool:
        greeting = await reader.readexactly(len(API_GREETING))
        if greeting != API_GREETING:
            session.close()
            return False
        header = await reader.readexactly(4)
        text = (await reader.readexactly(header_length(header))).decode(errors="replace")
        match = re.fullmatch(r"v(\d+)(?:\.\.(\d+))?(?: (.*))?", text)
        if match is None:
            session.close()
            return False
        low = int(match.group(1))
        high = int(match.group(2) or low)
        version = min(high, self.server_version, self.server_version_max)
        if version < max(low, self.server_version_min):
            # TWS answers an unsupported range with its own version and closes: the client reports it
            session.writer.write(frame([self.server_version, self._now_text()]))
            session.close()
            return False
        session.version = version
        session.pace_api = "+PACEAPI" in (match.group(3) or "")
        session.writer.write(frame([version, self._now_text()]))
        header = await reader.readexactly(4)
        fields = split_fields(await reader.readexactly(header_length(header)))
        if not fields or fields[0] != str(START_API):
            session.close()
            return False
        cursor = Fields(fields)
        cursor.skip()  # version 2
        client_id = cursor.integer()
        if any(s.client_id == client_id for s in self.sessions):
            session.send(
                layouts.error(
                    version,
                    -1,
                    326,
                    "Unable to connect as the client id is already in use. Retry with a unique client id.",
                )
            )
            session.close()
            return False
        session.client_id = client_id
        session.send([15, 1, ",".join(self.accounts)])
        session.send([9, 1, self._next_valid_id[client_id]])
        for code, message in FARM_OK:
            session.send(layouts.error(version, -1, code, message))
        return True

    def _paced(self, session: Session) -> bool:
        """TWS takes at most `pacing_limit` messages a second from one client (unless it asked for
        +PACEAPI, when TWS slows it down instead)."""
        if session.pace_api or self.faults.pacing_limit <= 0:
            return True
        now = self.clock()
        times = session.arrivals
        times.append(now)
        while times and now - times[0] >= 1.0:
            times.popleft()
        if len(times) <= self.faults.pacing_limit:
            return True
        self.pacing_violations += 1
        session.send(
            layouts.error(
                session.version,
                -1,
                100,
                "Max rate of messages per second has been exceeded:"
                f"max={self.faults.pacing_limit} rec={len(times)} (543)",
            )
        )
        return not self.faults.disconnect_on_pacing  # False: the caller hangs up (_hang_up)

    @staticmethod
    async def _hang_up(reader: asyncio.StreamReader, session: Session) -> None:
        """TWS hangs up after error 100. What was sent goes out first, then a FIN; what the client still
        sends is read and dropped until it closes too. Closing with its requests unread would send a reset,
        which can discard the error at the client before it is read (seen on a loaded machine)."""
        session.closed = True  # nothing more is sent
        with contextlib.suppress(ConnectionError, OSError, asyncio.TimeoutError):
            if session.writer.can_write_eof():
                session.writer.write_eof()
            await asyncio.wait_for(reader.read(-1), timeout=5.0)
        session.writer.close()

    def _now_text(self) -> str:
        now = dt.datetime.now(ZoneInfo(self.time_zone))
        return f"{now:%Y%m%d %H:%M:%S} {now.tzname()}"

    # -- requests --------------------------------------------------------------------------------------------

    def _dispatch(self, session: Session, fields: list[str]) -> None:
        handler = self._handlers.get(int(fields[0] or 0))
        if handler is None:
            return  # TWS ignores what it does not know at this version
        try:
            handler(self, session, Fields(fields))
        except WireError as exc:
            session.send(layouts.error(session.version, -1, 320, f"Error reading request. {exc}"))

    def _contract(self, cursor: Fields) -> dict[str, Any]:
        keys = (
            "conId",
            "symbol",
            "secType",
            "lastTradeDate",
            "strike",
            "right",
            "multiplier",
            "exchange",
            "primaryExchange",
            "currency",
            "localSymbol",
            "tradingClass",
        )
        values: dict[str, Any] = {key: cursor.text() for key in keys}
        values["conId"] = int(values["conId"] or 0)
        return values

    def _find(self, wanted: dict[str, Any]) -> list[ContractSpec]:
        """Contracts matching a request's contract fields (IB matches on whatever is given)."""
        if wanted["conId"]:
            spec = self.contracts.get(wanted["conId"])
            if spec is None or (wanted["exchange"] and wanted["exchange"] not in spec.exchanges):
                return []
            return [spec]
        found = []
        for spec in self.contracts.values():
            if wanted["symbol"].upper() not in (spec.symbol, spec.local_symbol) and not (
                wanted["localSymbol"] and wanted["localSymbol"] == spec.local_symbol
            ):
                continue
            checks = (
                (wanted["secType"], spec.sec_type),
                (wanted["currency"], spec.currency),
                (wanted["primaryExchange"], spec.primary_exchange or wanted["primaryExchange"]),
                (wanted["localSymbol"], spec.local_symbol),
                (wanted["tradingClass"], spec.trading_class),
                (wanted["multiplier"], spec.multiplier),
            )
            if any(asked and asked.upper() != have.upper() for asked, have in checks):
                continue
            if wanted["lastTradeDate"] and not spec.last_trade_date.startswith(wanted["lastTradeDate"]):
                continue
            if wanted["exchange"] and wanted["exchange"] not in spec.exchanges:
                continue
            found.append(spec)
        return found

    @staticmethod
    def _no_such_contract(session: Session, req_id: int) -> None:
        session.send(
            layouts.error(
                session.version, req_id, 200, "No security definition has been found for the request"
            )
        )

    def _req_contract_data(self, session: Session, cursor: Fields) -> None:
        cursor.skip()  # version 8
        req_id = cursor.integer()
        wanted = self._contract(cursor)
        cursor.skip(3)  # includeExpired, secIdType, secId
        if session.version >= layouts.BOND_ISSUERID:
            cursor.skip()
        found = self._find(wanted)
        if not found:
            self._no_such_contract(session, req_id)
            return
        for spec in found:
            session.send(
                layouts.contract_details(session.version, req_id, spec, wanted["exchange"] or spec.exchange)
            )
        session.send([52, 1, req_id])

    def _req_mkt_data(self, session: Session, cursor: Fields) -> None:
        cursor.skip()  # version 11
        req_id = cursor.integer()
        wanted = self._contract(cursor)
        if wanted["secType"] == "BAG":
            session.send(
                layouts.error(
                    session.version,
                    req_id,
                    321,
                    "Error validating request:-'bW' : cause - combo market data is not supported here",
                )
            )
            return
        if cursor.boolean():
            cursor.skip(3)  # delta-neutral contract
        cursor.skip()  # genericTickList
        snapshot = cursor.boolean()
        found = self._find(wanted)
        if len(found) != 1:
            self._no_such_contract(session, req_id)
            return
        if req_id in session.market_data:
            session.send(layouts.error(session.version, req_id, 322, f"Duplicate ticker id {req_id}"))
            return
        spec = found[0]
        session.send([81, req_id, spec.min_tick, "9c0001", 3])
        session.send([58, 1, req_id, 1])
        bids, asks = self._levels(spec.con_id)
        self._send_top(session, req_id, spec.con_id, ([], []), (bids, asks))
        quote = self.quotes.setdefault(spec.con_id, Quote())
        if quote.last is not None:
            self._send_trade_ticks(session, req_id, quote)
        if quote.close is not None:
            session.send([1, 6, req_id, CLOSE, quote.close, 0, 0])
        if snapshot:
            session.send([57, 1, req_id])
        else:
            session.market_data[req_id] = spec.con_id

    def _cancel_mkt_data(self, session: Session, cursor: Fields) -> None:
        cursor.skip()
        session.market_data.pop(cursor.integer(), None)

    def _req_mkt_depth(self, session: Session, cursor: Fields) -> None:
        cursor.skip()  # version 5
        req_id = cursor.integer()
        wanted = self._contract(cursor)
        rows = cursor.integer()
        smart = cursor.boolean()
        found = self._find(wanted)
        if len(found) != 1:
            self._no_such_contract(session, req_id)
            return
        con_id = found[0].con_id
        session.depth[req_id] = (con_id, rows, smart)
        bids, asks = self._levels(con_id)
        self._send_depth_diff(session, req_id, 1, [], bids[:rows], smart)
        self._send_depth_diff(session, req_id, 0, [], asks[:rows], smart)

    def _cancel_mkt_depth(self, session: Session, cursor: Fields) -> None:
        cursor.skip()
        session.depth.pop(cursor.integer(), None)

    def _req_ids(self, session: Session, cursor: Fields) -> None:
        assert session.client_id is not None
        session.send([9, 1, self._next_valid_id[session.client_id]])

    def _req_current_time(self, session: Session, cursor: Fields) -> None:
        session.send([49, 1, int(time.time())])

    def _req_managed_accts(self, session: Session, cursor: Fields) -> None:
        session.send([15, 1, ",".join(self.accounts)])

    # -- orders ----------------------------------------------------------------------------------------------

    def _place_order(self, session: Session, cursor: Fields) -> None:
        assert session.client_id is not None
        order_id = cursor.integer()
        wanted = self._contract(cursor)
        cursor.skip(2)  # secIdType, secId
        action = cursor.text()
        quantity = cursor.decimal() or ZERO
        order_type = cursor.text().upper()
        limit_price = cursor.decimal()
        aux_price = cursor.decimal()
        tif = cursor.text().upper() or "DAY"
        cursor.skip()  # ocaGroup
        account = cursor.text()
        cursor.skip(2)  # openClose, origin
        order_ref = cursor.text()
        cursor.skip(5)  # transmit, parentId, blockOrder, sweepToFill, displaySize
        cursor.skip()  # triggerMethod
        outside_rth = cursor.boolean()
        # the rest of placeOrder (about 80 more fields, version-gated) carries nothing this fake acts on

        if self.faults.drop_order_reply > 0:
            self.faults.drop_order_reply -= 1
            session.close()  # before acting: whatever the order does, this client hears none of it
            if not self.faults.act_before_drop:
                return
        self._accept_order(
            session,
            order_id,
            wanted,
            action,
            quantity,
            order_type,
            limit_price,
            aux_price,
            tif,
            account,
            order_ref,
            outside_rth,
        )

    def _accept_order(  # noqa: PLR0917 - the fields placeOrder carried, in their order
        self,
        session: Session,
        order_id: int,
        wanted: dict[str, Any],
        action: str,
        quantity: Decimal,
        order_type: str,
        limit_price: Decimal | None,
        aux_price: Decimal | None,
        tif: str,
        account: str,
        order_ref: str,
        outside_rth: bool,
    ) -> None:
        assert session.client_id is not None
        client_id = session.client_id

        def reject(code: int, text: str) -> None:
            session.send(layouts.error(session.version, order_id, code, text))

        existing = self.orders.get((client_id, order_id))
        if existing is not None:
            if existing.status in ("Filled", "Cancelled", "Inactive", "ApiCancelled"):
                reject(103, "Duplicate order id")
                return
            self._modify(session, existing, quantity, limit_price, aux_price)
            return
        if order_id < self._next_valid_id[client_id]:
            reject(103, "Duplicate order id")
            return
        self._next_valid_id[client_id] = order_id + 1
        found = self._find(wanted)
        if len(found) != 1:
            reject(200, "No security definition has been found for the request")
            return
        spec = found[0]
        account = account or next(iter(self.accounts))
        problem = ""
        if action not in ("BUY", "SELL"):
            problem = f"Invalid action {action!r}"
        elif quantity <= 0 or quantity % spec.size_increment:
            problem = f"Invalid order size {quantity}"
        elif order_type not in ORDER_TYPES:
            problem = f"Order type {order_type} is not supported"
        elif tif not in TIFS:
            problem = f"Time in force {tif} is not supported"
        elif account not in self.accounts:
            problem = f"Account {account} is not managed by this login"
        elif order_type in ("LMT", "STP LMT") and limit_price is None:
            problem = "Limit price is missing"
        elif order_type in ("STP", "STP LMT") and aux_price is None:
            problem = "Stop price is missing"
        if not problem and self.faults.reject_next_orders:
            problem = self.faults.reject_next_orders.pop(0)
        order = TwsOrder(
            order_id=order_id,
            client_id=client_id,
            perm_id=next(self._perm_ids),
            account=account,
            spec=spec,
            exchange=wanted["exchange"] or spec.exchange,
            action=action,
            quantity=quantity,
            order_type=order_type,
            limit_price=limit_price,
            aux_price=aux_price,
            tif=tif,
            order_ref=order_ref,
            outside_rth=outside_rth,
        )
        for price in (limit_price, aux_price):
            if not problem and price is not None and price % spec.min_tick:
                reject(110, "The price does not conform to the minimum price variation for this contract.")
                return
        if problem:
            order.status = "Inactive"
            self.orders[(client_id, order_id)] = order
            reject(201, f"Order rejected - reason:{problem}")
            session.send(layouts.order_status(order))
            return
        self.orders[(client_id, order_id)] = order
        stop = order_type in ("STP", "STP LMT")
        sim = SimOrder(
            order_id=order.perm_id,
            client_id=str(order_id),
            account=account,
            symbol=str(spec.con_id),
            side=action,
            kind=ORDER_TYPES[order_type],
            tif=TIFS[tif],
            price=limit_price or ZERO,
            quantity=quantity,
            working=not stop,
            stop_price=aux_price or ZERO,
            trigger_above=action == "BUY",
        )
        order.sim_id = sim.order_id
        self._orders_by_sim[sim.order_id] = order
        self.matching.place(sim)

    def _modify(
        self,
        session: Session,
        order: TwsOrder,
        quantity: Decimal,
        limit_price: Decimal | None,
        aux_price: Decimal | None,
    ) -> None:
        sim = self.matching.orders.get(order.sim_id)
        if sim is None or quantity < order.filled:
            session.send(
                layouts.error(
                    session.version,
                    order.order_id,
                    201,
                    "Order rejected - reason:the order cannot be modified",
                )
            )
            return
        sim.quantity = order.quantity = quantity
        if limit_price is not None:
            sim.price = order.limit_price = limit_price
        if aux_price is not None:
            sim.stop_price = order.aux_price = aux_price
        self._send_order_update(order)
        if sim.working:
            self.matching._match(sim)  # a modified limit may now cross

    def _cancel_order(self, session: Session, cursor: Fields) -> None:
        assert session.client_id is not None
        cursor.skip()  # version 1
        order_id = cursor.integer()
        order = self.orders.get((session.client_id, order_id))
        if order is None:
            session.send(
                layouts.error(session.version, order_id, 135, f"Can't find order with id ={order_id}")
            )
            return
        if order.status in ("Filled", "Cancelled", "ApiCancelled", "Inactive"):
            session.send(
                layouts.error(
                    session.version,
                    order_id,
                    10148,
                    f"OrderId {order_id} that needs to be cancelled cannot be cancelled, "
                    f"state: {order.status}.",
                )
            )
            return
        self._cancel_reasons[order.sim_id] = "user"
        order.status = "PendingCancel"  # TWS acknowledges the request before the exchange confirms it
        self._send_order_update(order, open_order=False)
        self.matching.cancel(order.sim_id)

    def _on_execution(self, execution: Execution) -> None:
        """The matching core's report, rendered as TWS does (on the loop thread: every caller is)."""
        order = self._orders_by_sim.get(execution.order.order_id)
        if order is None:
            return
        kind = execution.kind
        if kind == "NEW":
            order.status = "Submitted" if execution.order.working else "PreSubmitted"
            self._send_order_update(order)
        elif kind == "TRIGGERED":
            order.status = "Submitted"
            self._send_order_update(order, open_order=False)
        elif kind == "TRADE":
            assert execution.fill is not None
            self._record_fill(order, execution.fill.price, execution.fill.quantity)
        elif kind in ("CANCELED", "EXPIRED"):
            order.status = "Cancelled"
            user = self._cancel_reasons.pop(order.sim_id, "") == "user"
            self._send_order_update(order, open_order=False)
            if user:
                for session in self._sessions_of(order.client_id):
                    session.send(
                        layouts.error(session.version, order.order_id, 202, "Order Canceled - reason:")
                    )

    def _record_fill(self, order: TwsOrder, price: Decimal, quantity: Decimal) -> None:
        previous = order.filled
        order.filled += quantity
        order.average_price = (order.average_price * previous + price * quantity) / order.filled
        order.last_fill_price = price
        order.status = "Filled" if order.remaining <= 0 else "Submitted"
        spec = order.spec
        commission = max(spec.min_commission, (spec.commission_per_unit * quantity)).quantize(Decimal("0.01"))
        realized = self._book_fill(order, price, quantity, commission)
        when = dt.datetime.now(ZoneInfo(self.time_zone))
        exec_id = f"{self._token:08x}.{next(self._exec_seq):08x}.01.01"
        fill = Fill(
            exec_id, order, when, quantity, price, order.filled, order.average_price, commission, realized
        )
        self.fills.append(fill)
        order.executions.append(exec_id)
        for session in self._sessions_of(order.client_id):
            session.send(self._exec_fields(session, -1, fill))
        self._send_order_update(order)
        for session in self._sessions_of(order.client_id):
            if not self.faults.withhold_commission_reports:
                session.send(layouts.commission_report(exec_id, commission, spec.currency, realized))
        self._publish_account(order.account, spec.con_id)

    def _exec_fields(self, session: Session, req_id: int, fill: Fill) -> list[Any]:
        time_text = f"{fill.time:%Y%m%d %H:%M:%S} {self.time_zone}"
        return layouts.exec_details(
            session.version,
            req_id,
            fill.order,
            fill.exec_id,
            time_text,
            fill.shares,
            fill.price,
            fill.cum_qty,
            fill.average_price,
            fill.order.spec.primary_exchange or fill.order.spec.exchange,
        )

    def _book_fill(
        self, order: TwsOrder, price: Decimal, quantity: Decimal, commission: Decimal
    ) -> Decimal | None:
        """Position, average cost and cash after a fill; the realized P&L when it closed a position."""
        account = self.accounts[order.account]
        holding = account.holdings.setdefault(order.spec.con_id, Holding())
        multiplier = order.spec.size_multiplier
        signed = quantity if order.action == "BUY" else -quantity
        account.cash -= signed * price * multiplier + commission
        realized: Decimal | None = None
        if holding.quantity == 0 or (holding.quantity > 0) == (signed > 0):
            total = holding.quantity + signed
            holding.average_cost = (
                holding.average_cost * abs(holding.quantity) + price * multiplier * abs(signed) + commission
            ) / abs(total)
            holding.quantity = total
        else:
            closed = min(abs(signed), abs(holding.quantity))
            direction = 1 if holding.quantity > 0 else -1
            realized = (price * multiplier - holding.average_cost) * closed * direction - commission
            holding.realized += realized
            holding.quantity += signed
            if holding.quantity == 0:
                holding.average_cost = ZERO
            elif (holding.quantity > 0) != (direction > 0):  # flipped through zero
                holding.average_cost = price * multiplier
        return realized

    def _sessions_of(self, client_id: int) -> list[Session]:
        return [s for s in self.sessions if s.client_id == client_id]

    def _send_order_update(self, order: TwsOrder, open_order: bool = True) -> None:
        for session in self._sessions_of(order.client_id):
            if open_order:
                session.send(layouts.open_order(session.version, order))
            session.send(layouts.order_status(order))

    def _req_open_orders(self, session: Session, cursor: Fields) -> None:
        self._send_open_orders(session, only_client=session.client_id)

    def _req_all_open_orders(self, session: Session, cursor: Fields) -> None:
        self._send_open_orders(session, only_client=None)

    def _send_open_orders(self, session: Session, only_client: int | None) -> None:
        for order in self.orders.values():
            if only_client is not None and order.client_id != only_client:
                continue
            if order.status in ("PreSubmitted", "Submitted", "PendingSubmit", "PendingCancel"):
                session.send(layouts.open_order(session.version, order))
                session.send(layouts.order_status(order))
        session.send([53, 1])

    def _req_completed_orders(self, session: Session, cursor: Fields) -> None:
        session.send([102])  # this fake keeps no completed-order history for the API

    def _req_executions(self, session: Session, cursor: Fields) -> None:
        cursor.skip()  # version 3
        req_id = cursor.integer()
        client_id = cursor.integer()
        account, since, symbol, sec_type, exchange, side = (cursor.text() for _ in range(6))
        for fill in self.fills:
            order = fill.order
            if (
                (client_id and order.client_id != client_id)
                or (account and order.account != account)
                or (symbol and order.spec.symbol != symbol)
                or (sec_type and order.spec.sec_type != sec_type)
                or (
                    side
                    and {"BUY": "BOT", "SELL": "SLD"}.get(side, side)
                    != ("BOT" if order.action == "BUY" else "SLD")
                )
            ):
                continue
            if exchange and exchange != order.exchange:
                continue
            if since and f"{fill.time:%Y%m%d %H:%M:%S}" < since[:17].replace("-", " "):
                continue
            session.send(self._exec_fields(session, req_id, fill))
            session.send(
                layouts.commission_report(fill.exec_id, fill.commission, order.spec.currency, fill.realized)
            )
        session.send([55, 1, req_id])

    # -- account ---------------------------------------------------------------------------------------------

    def _mark(self, con_id: int) -> Decimal:
        quote = self.quotes.get(con_id)
        if quote is not None and quote.last is not None:
            return quote.last
        bids, asks = self._levels(con_id)
        if bids and asks:
            return (bids[0][0] + asks[0][0]) / 2
        return self.contracts[con_id].reference_price

    def _account_values(self, account: Account) -> list[tuple[str, str, str]]:
        gross = ZERO
        unrealized = ZERO
        realized = ZERO
        for con_id, holding in account.holdings.items():
            spec = self.contracts[con_id]
            value = holding.quantity * self._mark(con_id) * spec.size_multiplier
            gross += abs(value)
            unrealized += value - holding.quantity * holding.average_cost
            realized += holding.realized
        net = account.cash + sum(
            (
                h.quantity * self._mark(c) * self.contracts[c].size_multiplier
                for c, h in account.holdings.items()
            ),
            ZERO,
        )
        margin = gross * Decimal("0.25")
        values: list[tuple[str, str | Decimal, str]] = [
            ("AccountCode", account.code, ""),
            ("AccountType", "INDIVIDUAL", ""),
            ("Currency", "USD", "USD"),
            ("NetLiquidation", net, "USD"),
            ("TotalCashValue", account.cash, "USD"),
            ("CashBalance", account.cash, "USD"),
            ("CashBalance", account.cash, "BASE"),
            ("AvailableFunds", net - margin, "USD"),
            ("BuyingPower", (net - margin) * 4, "USD"),
            ("ExcessLiquidity", net - margin, "USD"),
            ("GrossPositionValue", gross, "USD"),
            ("InitMarginReq", margin, "USD"),
            ("MaintMarginReq", margin, "USD"),
            ("UnrealizedPnL", unrealized, "USD"),
            ("RealizedPnL", realized, "USD"),
        ]
        cent = Decimal("0.01")
        return [
            (key, str(value.quantize(cent)) if isinstance(value, Decimal) else value, currency)
            for key, value, currency in values
        ]

    def _portfolio_fields(self, account: Account, con_id: int) -> list[Any]:
        spec = self.contracts[con_id]
        holding = account.holdings.get(con_id, Holding())
        mark = self._mark(con_id)
        unrealized = holding.quantity * mark * spec.size_multiplier - holding.quantity * holding.average_cost
        return layouts.portfolio(
            spec, holding.quantity, mark, holding.average_cost, unrealized, holding.realized, account.code
        )

    def _req_account_updates(self, session: Session, cursor: Fields) -> None:
        cursor.skip()  # version 2
        subscribe = cursor.boolean()
        code = cursor.text() or next(iter(self.accounts))
        if not subscribe:
            session.account_updates = None
            return
        account = self.accounts.get(code)
        if account is None:
            session.send(
                layouts.error(
                    session.version,
                    -1,
                    321,
                    f"Error validating request.-'bd' : cause - account {code} is not managed",
                )
            )
            return
        session.account_updates = code
        for key, value, currency in self._account_values(account):
            session.send([6, 2, key, value, currency, code])
        for con_id in account.holdings:
            session.send(self._portfolio_fields(account, con_id))
        session.send([8, 1, dt.datetime.now(ZoneInfo(self.time_zone)).strftime("%H:%M")])
        session.send([54, 1, code])

    def _req_account_updates_multi(self, session: Session, cursor: Fields) -> None:
        cursor.skip()
        req_id = cursor.integer()
        code = cursor.text()
        model = cursor.text()
        for account in self.accounts.values():
            if code and code != account.code:
                continue
            for key, value, currency in self._account_values(account):
                session.send([73, 1, req_id, account.code, model, key, value, currency])
        session.account_multi[req_id] = code
        session.send([74, 1, req_id])

    def _cancel_account_updates_multi(self, session: Session, cursor: Fields) -> None:
        cursor.skip()
        session.account_multi.pop(cursor.integer(), None)

    def _req_positions(self, session: Session, cursor: Fields) -> None:
        session.positions = True
        for account in self.accounts.values():
            for con_id, holding in account.holdings.items():
                session.send(
                    layouts.position(
                        account.code, self.contracts[con_id], holding.quantity, holding.average_cost
                    )
                )
        session.send([62, 1])

    def _cancel_positions(self, session: Session, cursor: Fields) -> None:
        session.positions = False

    def _req_account_summary(self, session: Session, cursor: Fields) -> None:
        cursor.skip()
        req_id = cursor.integer()
        cursor.skip()  # group
        tags = {tag for tag in cursor.text().split(",") if tag}
        for account in self.accounts.values():
            for key, value, currency in self._account_values(account):
                if key in tags or "All" in tags:
                    session.send([63, 1, req_id, account.code, key, value, currency])
        session.send([64, 1, req_id])

    def _publish_account(self, code: str, con_id: int) -> None:
        account = self.accounts[code]
        holding = account.holdings.get(con_id, Holding())
        for session in self.sessions:
            if session.account_updates == code:
                session.send(self._portfolio_fields(account, con_id))
                for key, value, currency in self._account_values(account):
                    session.send([6, 2, key, value, currency, code])
            if session.positions:
                session.send(
                    layouts.position(code, self.contracts[con_id], holding.quantity, holding.average_cost)
                )

    # -- history ---------------------------------------------------------------------------------------------

    def _req_historical_data(self, session: Session, cursor: Fields) -> None:
        req_id = cursor.integer()
        wanted = self._contract(cursor)
        cursor.skip()  # includeExpired
        end_text, bar_size, duration, _use_rth, what, format_date = (cursor.text() for _ in range(6))
        found = self._find(wanted)
        if len(found) != 1:
            self._no_such_contract(session, req_id)
            return
        now = self.clock()
        key = f"{found[0].con_id}|{end_text}|{bar_size}|{duration}|{what}"
        while self._history_requests and now - self._history_requests[0][0] > 600:
            self._history_requests.popleft()
        identical = any(k == key and now - t < 15 for t, k in self._history_requests)
        self._history_requests.append((now, key))
        if identical or len(self._history_requests) > 60:
            session.send(
                layouts.error(
                    session.version,
                    req_id,
                    162,
                    "Historical Market Data Service error message:Historical data request pacing violation",
                )
            )
            return
        try:
            step = _bar_seconds(bar_size)
            span = _duration_seconds(duration)
            end = self._parse_end(end_text)
        except ValueError as exc:
            session.send(
                layouts.error(session.version, req_id, 321, f"Error validating request.-'bH' : cause - {exc}")
            )
            return
        if span // step > 10_000:
            session.send(
                layouts.error(
                    session.version,
                    req_id,
                    162,
                    "Historical Market Data Service error message:Requested too much data",
                )
            )
            return
        session.send(self._history_fields(req_id, found[0], end, span, step, format_date))

    def _parse_end(self, text: str) -> dt.datetime:
        zone = ZoneInfo(self.time_zone)
        if not text:
            return dt.datetime.now(dt.timezone.utc)
        if "-" in text[:9]:  # yyyymmdd-hh:mm:ss is UTC
            return dt.datetime.strptime(text, "%Y%m%d-%H:%M:%S").replace(tzinfo=dt.timezone.utc)
        parts = text.split(" ")
        if len(parts) == 3:
            zone = ZoneInfo(parts[2])
        return dt.datetime.strptime(" ".join(parts[:2]), "%Y%m%d %H:%M:%S").replace(tzinfo=zone)

    def _history_fields(  # noqa: PLR0917 - private helper
        self, req_id: int, spec: ContractSpec, end: dt.datetime, span: int, step: int, format_date: str
    ) -> list[Any]:
        zone = ZoneInfo(self.time_zone)
        end_ts = int(end.timestamp())
        first = end_ts - span
        bars: list[Any] = []
        count = 0
        for start in range(-(-first // step) * step, end_ts - step + 1, step):  # complete bars only
            when = dt.datetime.fromtimestamp(start, zone)
            if step >= 86400:
                date = f"{when:%Y%m%d}"
            elif format_date == "2":
                date = str(start)
            else:
                date = f"{when:%Y%m%d %H:%M:%S} {self.time_zone}"
            rng = random.Random(f"{spec.con_id}:{start}")
            tick = spec.min_tick
            base = spec.reference_price * (1 + Decimal(rng.randint(-200, 200)) / 10_000)
            o = (base / tick).quantize(Decimal(1)) * tick
            c = ((base * (1 + Decimal(rng.randint(-50, 50)) / 10_000)) / tick).quantize(Decimal(1)) * tick
            h = max(o, c) + tick * rng.randint(0, 5)
            low = min(o, c) - tick * rng.randint(0, 5)
            wap = ((h + low) / 2 / tick).quantize(Decimal(1)) * tick
            bars += layouts.historical_bar(
                date, o, h, low, c, Decimal(rng.randint(1, 5000)), wap, rng.randint(1, 99)
            )
            count += 1
        start_text = dt.datetime.fromtimestamp(first, zone).strftime("%Y%m%d %H:%M:%S")
        end_text = end.astimezone(zone).strftime("%Y%m%d %H:%M:%S")
        return [17, req_id, start_text, end_text, count, *bars]

    def _ignore(self, session: Session, cursor: Fields) -> None:
        return None

    _handlers: ClassVar[dict[int, Callable[[FakeTws, Session, Fields], None]]] = {
        REQ_MKT_DATA: _req_mkt_data,
        CANCEL_MKT_DATA: _cancel_mkt_data,
        PLACE_ORDER: _place_order,
        CANCEL_ORDER: _cancel_order,
        REQ_OPEN_ORDERS: _req_open_orders,
        REQ_ACCOUNT_UPDATES: _req_account_updates,
        REQ_EXECUTIONS: _req_executions,
        REQ_IDS: _req_ids,
        REQ_CONTRACT_DATA: _req_contract_data,
        REQ_MKT_DEPTH: _req_mkt_depth,
        CANCEL_MKT_DEPTH: _cancel_mkt_depth,
        REQ_AUTO_OPEN_ORDERS: _ignore,
        REQ_ALL_OPEN_ORDERS: _req_all_open_orders,
        REQ_MANAGED_ACCTS: _req_managed_accts,
        REQ_HISTORICAL_DATA: _req_historical_data,
        CANCEL_HISTORICAL_DATA: _ignore,
        REQ_CURRENT_TIME: _req_current_time,
        REQ_MARKET_DATA_TYPE: _ignore,
        REQ_POSITIONS: _req_positions,
        REQ_ACCOUNT_SUMMARY: _req_account_summary,
        CANCEL_ACCOUNT_SUMMARY: _ignore,
        CANCEL_POSITIONS: _cancel_positions,
        REQ_ACCOUNT_UPDATES_MULTI: _req_account_updates_multi,
        CANCEL_ACCOUNT_UPDATES_MULTI: _cancel_account_updates_multi,
        REQ_COMPLETED_ORDERS: _req_completed_orders,
    }


_UNITS = {"S": 1, "D": 86400, "W": 7 * 86400, "M": 30 * 86400, "Y": 365 * 86400}
_BARS = {
    "sec": 1,
    "secs": 1,
    "min": 60,
    "mins": 60,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,
    "days": 86400,
    "week": 7 * 86400,
    "weeks": 7 * 86400,
    "month": 30 * 86400,
    "months": 30 * 86400,
}


def _duration_seconds(text: str) -> int:
    number, _, unit = text.strip().partition(" ")
    if unit not in _UNITS or not number.isdigit():
        raise ValueError(f"invalid duration {text!r}")
    return int(number) * _UNITS[unit]


def _bar_seconds(text: str) -> int:
    number, _, unit = text.strip().partition(" ")
    if unit not in _BARS or not number.isdigit():
        raise ValueError(f"invalid bar size {text!r}")
    return int(number) * _BARS[unit]
