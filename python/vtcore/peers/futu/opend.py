"""A fake FutuOpenD: Futu's TCP protocol (44-byte header, SHA1 of the body, protobuf bodies), the quote and
trade proto ids a client uses, pushes, a matching core, and scripted faults.

Built from Futu's protocol description (venues.md §10) and the message definitions futu-api ships; the
unmodified futu-api SDK is its third-party client (tests/venues/fidelity/test_futu_sdk.py). It keeps, like
OpenD, one login (a user id) with its trading accounts: a REAL securities account that trades HK and US
(unlocked with the trade password's MD5, until OpenD restarts) and two paper (SIMULATE) accounts, one per
market. Paper trading follows Futu's documented rules: no unlock, limit and market orders only, and no deals
(no deal list, no deal push). The market is what the test sets: order books (`set_book`), market trades
(`print_trade`), quotes (`set_quote`) and klines (generated, paged).

Faults: `drop_connections()` (sockets closed), `stall_connections()` (the current connections get no answer
and no push, keep-alives included, while their sockets stay open: a hung OpenD), `restart(downtime)` (the
listener goes away with every connection, the unlock state and subscriptions; it comes back on the same
port after `downtime` or at `come_back()`), `push_raw()` (a push whose body fails its SHA1 check or does not
parse), `write_raw()` (bytes that are no packet at all), `cut_on[proto_id] = carried_out` (the next such
request loses its connection before the reply, done or not). A client that stops sending keep-alives is
closed after `keep_alive_interval * 3` seconds of silence.

The server runs on its own event-loop thread; a test drives it from its own thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import itertools
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from vtcore.peers.futu.wire import HEADER_SIZE, PacketError, load, pack, unpack_header
from vtcore.peers.matching import Execution, MatchingCore, SimOrder

Result = TypeVar("Result")

# Futu's enums as numbers (Trd_Common / Qot_Common)
ENV_SIMULATE, ENV_REAL = 0, 1
TRD_HK, TRD_US = 1, 2
SEC_HK, SEC_US = 1, 2
QOT_HK, QOT_US = 1, 11
SIDE_BUY, SIDE_SELL, SIDE_SELL_SHORT, SIDE_BUY_BACK = 1, 2, 3, 4
TYPE_NORMAL, TYPE_MARKET, TYPE_SPECIAL_LIMIT, TYPE_SPECIAL_LIMIT_ALL, TYPE_STOP = 1, 2, 8, 9, 10
ST_SUBMITTING, ST_SUBMITTED, ST_FILLED_PART, ST_FILLED_ALL = 2, 5, 10, 11
ST_CANCELLED_PART, ST_CANCELLED_ALL = 14, 15
MODIFY_NORMAL, MODIFY_CANCEL = 1, 2
SUB_BASIC, SUB_ORDER_BOOK = 1, 2
RET_OK, RET_FAILED = 0, -1

QOT_OF_SEC = {SEC_HK: QOT_HK, SEC_US: QOT_US}
SEC_OF_TRD = {TRD_HK: SEC_HK, TRD_US: SEC_US}
PREFIX = {QOT_HK: "HK", QOT_US: "US"}
#: order types each market takes (HK: enhanced limit, market, special limit (FAK) and its all-or-none (FOK);
#: US: limit, market, stop)
MARKET_TYPES = {
    TRD_HK: {TYPE_NORMAL, TYPE_MARKET, TYPE_SPECIAL_LIMIT, TYPE_SPECIAL_LIMIT_ALL},
    TRD_US: {TYPE_NORMAL, TYPE_MARKET, TYPE_STOP},
}
PAPER_TYPES = {TYPE_NORMAL, TYPE_MARKET}
MARKET_TZ = {QOT_HK: dt.timezone(dt.timedelta(hours=8)), QOT_US: dt.timezone(dt.timedelta(hours=-5))}

SERVER_VERSION = 1011
SERVER_BUILD = 7108
USER_ID = 10086001
REAL_ACCOUNT = 281756480572583411
PAPER_HK_ACCOUNT = 9053218
PAPER_US_ACCOUNT = 9048221
TRADE_PASSWORD = "314159"

# OpenD's answers to requests it refuses (the client shows them as they are)
TEXT = {
    "locked": "Please unlock trade first",
    "password": "Unlock failed: the trade password is incorrect",
    "account": "Nonexistent trading account",
    "market": "The account has no permission for this market",
    "code": "Unknown stock code",
    "lot": "The quantity must be a multiple of the lot size ({lot})",
    "price": "The price must be positive",
    "paper_type": "Paper trading only supports limit orders and market orders",
    "type": "This order type is not supported in this market",
    "power": "Insufficient buying power",
    "sellable": "Insufficient sellable quantity",
    "packet": "Duplicate packet ID: the request was already processed",
    "no_order": "The order does not exist",
    "done": "The order has been completed and cannot be modified",
    "paper_deals": "Paper trading does not support deals",
    "modify": "Only cancelling is supported by this OpenD",
    "sha1": "Packet body does not match its SHA1",
    "proto": "Unknown protocol ID",
}


@dataclass
class Security:
    market: int  # QotMarket
    code: str
    name: str
    lot: int
    sec_type: int = 3  # Eqty
    sec_id: int = 0
    last: Decimal = Decimal(0)
    open: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    low: Decimal = Decimal(0)
    pre_close: Decimal = Decimal(0)
    volume: int = 0
    turnover: Decimal = Decimal(0)
    updated: float = 0.0

    @property
    def key(self) -> str:
        return f"{PREFIX[self.market]}.{self.code}"


@dataclass
class Holding:
    qty: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)


@dataclass
class Account:
    acc_id: int
    env: int
    markets: list[int]
    cash: Decimal = Decimal(1_000_000)
    holdings: dict[str, Holding] = field(default_factory=dict)  # security key -> holding
    orders: dict[int, SimOrder] = field(default_factory=dict)
    fills: list[tuple[int, int, Any]] = field(default_factory=list)  # (fill id, order id, SimFill)


@dataclass
class Session:
    conn_id: int
    writer: asyncio.StreamWriter
    sub_accounts: set[int] = field(default_factory=set)
    quotes: dict[tuple[int, str], set[int]] = field(default_factory=dict)  # (market, code) -> sub types
    pushes: dict[tuple[int, str], set[int]] = field(default_factory=dict)  # registered for push
    last_received: float = 0.0
    stalled: bool = False
    packets: int = 0


class FakeOpenD:
    """A FutuOpenD on 127.0.0.1 (`port`), in its own thread. See the module docstring."""

    def __init__(self, port: int = 0, keep_alive_interval: int = 10, password: str = TRADE_PASSWORD) -> None:
        self.requested_port = port
        self.port = 0
        self.keep_alive_interval = keep_alive_interval
        self.password_md5 = hashlib.md5(password.encode()).hexdigest()
        self.matching = MatchingCore(self._on_execution)
        self.securities: dict[str, Security] = {}
        self.accounts = {
            REAL_ACCOUNT: Account(REAL_ACCOUNT, ENV_REAL, [TRD_HK, TRD_US]),
            PAPER_HK_ACCOUNT: Account(PAPER_HK_ACCOUNT, ENV_SIMULATE, [TRD_HK]),
            PAPER_US_ACCOUNT: Account(PAPER_US_ACCOUNT, ENV_SIMULATE, [TRD_US]),
        }
        self.unlocked = False
        self.sessions: dict[int, Session] = {}
        self.packet_ids: set[tuple[int, int]] = set()
        self.bad_packets = 0  # bodies that failed their SHA1 check or did not parse
        self.odd_timestamps = 0  # the next N basic-quote pushes carry a timestamp no clock can hold
        self.odd_fill_markets = 0  # the next N deal pushes name a security market no client knows
        self.keep_alive_closed = 0  # connections OpenD closed for silence
        self.requests: list[int] = []  # proto ids asked, in order (what a client used)
        self.refuse = False  # while True, new connections are closed at once
        #: proto id -> whether to carry the request out: the next such request loses its connection before
        #: the reply (a fault: "disconnect mid-order")
        self.cut_on: dict[int, bool] = {}
        self._conn_ids = itertools.count(7_000_001)
        self._fill_ids = itertools.count(8_800_001)
        self._sec_ids = itertools.count(54_047_868_453_564)
        self._owner: dict[int, int] = {}  # order id -> account id
        self._order_meta: dict[int, dict[str, Any]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._messages: dict[int, Any] = {}
        self.add_security(QOT_HK, "00700", "TENCENT", 100)
        self.add_security(QOT_HK, "09988", "BABA-W", 100)
        self.add_security(QOT_HK, "02800", "TRACKER FUND", 500, sec_type=4)
        self.add_security(QOT_US, "AAPL", "Apple", 1)
        self.add_security(QOT_US, "SPY", "SPDR S&P 500 ETF", 1, sec_type=4)

    # -- life ----------------------------------------------------------------------------------------------

    def start(self) -> FakeOpenD:
        loop = asyncio.new_event_loop()
        self._loop = loop
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-opend", daemon=True)
        self._thread.start()
        started.wait()
        self.call(self._listen()).result(10)
        self._watchdog = self.call(self._start_watchdog()).result(10)
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(Exception):
            self.call(self._shutdown()).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    def call(self, coro: Any) -> concurrent.futures.Future[Any]:
        assert self._loop is not None, "the fake OpenD is not running"
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, fn: Callable[[], Result]) -> Result:
        """Run `fn` on the server's loop (where all state lives) and return its result."""

        async def wrapper() -> Result:
            return fn()

        result: Result = self.call(wrapper()).result(10)
        return result

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port or self.requested_port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _start_watchdog(self) -> asyncio.Task[None]:
        return asyncio.ensure_future(self._keep_alive_watchdog())

    async def _shutdown(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        await self._close_all()

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for session in list(self.sessions.values()):
            session.writer.close()
        self.sessions.clear()

    # -- faults --------------------------------------------------------------------------------------------

    def drop_connections(self) -> int:
        """Close every client connection (OpenD keeps running); returns how many."""

        def drop() -> int:
            sessions = list(self.sessions.values())
            for session in sessions:
                session.writer.close()
            self.sessions.clear()
            return len(sessions)

        return self.run(drop)

    def stall_connections(self) -> int:
        """The current connections get no reply and no push from now on (their sockets stay open)."""

        def stall() -> int:
            for session in self.sessions.values():
                session.stalled = True
            return len(self.sessions)

        return self.run(stall)

    def restart(self, downtime: float | None = 0.3) -> None:
        """OpenD goes away (listener, connections, unlock state, subscriptions) and comes back on the same
        port after `downtime` seconds, or at `come_back()` when `downtime` is None."""

        async def go() -> None:
            await self._close_all()
            self.unlocked = False
            if downtime is not None:
                await asyncio.sleep(downtime)
                await self._listen()

        self.call(go()).result(10 + (downtime or 0))

    def come_back(self) -> None:
        self.call(self._listen()).result(10)

    def connection_count(self) -> int:
        return self.run(lambda: len(self.sessions))

    def write_raw(self, data: bytes) -> None:
        """Write `data` as it is to every connection (a fault: bytes that are not a Futu packet)."""

        def write() -> None:
            for session in self.sessions.values():
                session.writer.write(data)

        self.run(write)

    def push_raw(self, proto_id: int, body: bytes, *, bad_sha1: bool = False) -> None:
        """Send every connection a push of `proto_id` with `body` as given (a fault)."""

        def send() -> None:
            for session in self.sessions.values():
                sha1 = bytes(20) if bad_sha1 else None
                session.writer.write(pack(proto_id, 0, body, sha1=sha1))

        self.run(send)

    # -- market (any thread) -------------------------------------------------------------------------------

    def add_security(self, market: int, code: str, name: str, lot: int, sec_type: int = 3) -> Security:
        security = Security(market, code, name, lot, sec_type, next(self._sec_ids))
        self.securities[security.key] = security
        return security

    def set_quote(self, key: str, last: str, volume: int = 0) -> None:
        def apply() -> None:
            security = self.securities[key]
            self._touch(security, Decimal(last), volume)
            self._push_quote(security)

        self.run(apply)

    def set_book(self, key: str, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> None:
        def apply() -> None:
            self.matching.set_book(key, bids, asks)
            security = self.securities[key]
            if not security.last and bids and asks:
                self._touch(security, (Decimal(bids[0][0]) + Decimal(asks[0][0])) / 2, 0)
            self._push_book(security)

        self.run(apply)

    def print_trade(self, key: str, price: str, quantity: str) -> None:
        """A market trade: resting orders it crosses fill; the quote moves (basic quote push)."""

        def act() -> None:
            security = self.securities[key]
            self.matching.print_trade(key, price, quantity)
            self.matching.trigger(key, Decimal(price))
            self._touch(security, Decimal(price), int(Decimal(quantity)))
            self._push_quote(security)

        self.run(act)

    def seed_position(self, acc_id: int, key: str, qty: str, cost: str) -> None:
        self.run(
            lambda: self.accounts[acc_id].holdings.__setitem__(key, Holding(Decimal(qty), Decimal(cost)))
        )

    def orders_of(self, acc_id: int) -> list[SimOrder]:
        return self.run(lambda: list(self.accounts[acc_id].orders.values()))

    def subscription_count(self) -> int:
        return self.run(lambda: sum(len(session.pushes) for session in self.sessions.values()))

    def _touch(self, security: Security, price: Decimal, volume: int) -> None:
        if not security.open:
            security.open = security.high = security.low = security.pre_close = price
        security.last = price
        security.high, security.low = max(security.high, price), min(security.low, price)
        security.volume += volume
        security.turnover += price * volume
        security.updated = time.time()

    # -- connections ---------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refuse:
            writer.close()
            return
        session = Session(next(self._conn_ids), writer, last_received=time.monotonic())
        try:
            while True:
                raw = await reader.readexactly(HEADER_SIZE)
                proto_id, _fmt, serial, length, sha1 = unpack_header(raw)
                body = await reader.readexactly(length)
                session.last_received = time.monotonic()
                session.packets += 1
                if session.stalled:
                    continue
                self.requests.append(proto_id)
                if hashlib.sha1(body).digest() != sha1:
                    self.bad_packets += 1
                    self._fail(session, proto_id, serial, TEXT["sha1"])
                    continue
                self._handle(session, proto_id, serial, body)
        except (asyncio.IncompleteReadError, ConnectionError, PacketError):
            pass
        finally:
            if self.sessions.get(session.conn_id) is session:
                del self.sessions[session.conn_id]
            writer.close()

    async def _keep_alive_watchdog(self) -> None:
        while True:
            await asyncio.sleep(max(0.05, self.keep_alive_interval / 4))
            limit = self.keep_alive_interval * 3
            now = time.monotonic()
            for session in list(self.sessions.values()):
                if now - session.last_received > limit:
                    self.keep_alive_closed += 1
                    session.writer.close()
                    self.sessions.pop(session.conn_id, None)

    def _module(self, proto_id: int) -> Any:
        module = self._messages.get(proto_id)
        if module is None:
            module = load(PROTO_NAMES[proto_id])
            self._messages[proto_id] = module
        return module

    def _handle(self, session: Session, proto_id: int, serial: int, body: bytes) -> None:
        handler = HANDLERS.get(proto_id)
        if handler is None:
            self._fail(session, proto_id, serial, TEXT["proto"])
            return
        request = self._module(proto_id).Request()
        try:
            request.ParseFromString(body)
            if not request.IsInitialized():  # proto2: every required field must be there
                raise ValueError("missing " + ", ".join(request.FindInitializationErrors()[:3]))
        except Exception as exc:  # DecodeError, or the check above
            self.bad_packets += 1
            self._fail(session, proto_id, serial, f"Protobuf parse error: {exc}")
            return
        if proto_id != 1001 and session.conn_id not in self.sessions:
            self._fail(session, proto_id, serial, "InitConnect first")
            return
        cut = self.cut_on.pop(proto_id, None)
        if cut is not None:
            session.stalled = True  # nothing more reaches this connection, the reply included
            self.sessions.pop(session.conn_id, None)
            session.writer.close()
            if not cut:
                return
        response = self._module(proto_id).Response()
        response.retType = RET_OK
        try:
            error = handler(self, session, request.c2s, response.s2c, serial)
        except RefusedError as refused:
            error = refused.text
        if error:
            self._fail(session, proto_id, serial, error)
        else:
            self._send(session, proto_id, serial, response)

    def _fail(self, session: Session, proto_id: int, serial: int, text: str) -> None:
        """Answer a request with OpenD's failure (`retType` -1) and its text."""
        if proto_id not in PROTO_NAMES:
            return  # no message to answer in: OpenD drops it
        response = self._module(proto_id).Response()
        response.retType, response.retMsg, response.errCode = RET_FAILED, text, 1
        self._send(session, proto_id, serial, response)

    def _send(self, session: Session, proto_id: int, serial: int, message: Any) -> None:
        if not session.stalled:
            session.writer.write(pack(proto_id, serial, message.SerializeToString()))

    def _push(self, proto_id: int, fill: Callable[[Any], None], to: Callable[[Session], bool]) -> None:
        response = None
        for session in list(self.sessions.values()):
            if session.stalled or not to(session):
                continue
            if response is None:
                response = self._module(proto_id).Response()
                response.retType = RET_OK
                fill(response.s2c)
            self._send(session, proto_id, 0, response)

    # -- quote protos --------------------------------------------------------------------------------------

    def _push_quote(self, security: Security) -> None:
        self._push(
            3005,
            lambda s2c: self._odd_quote(s2c.basicQotList.add(), security),
            lambda session: SUB_BASIC in session.pushes.get((security.market, security.code), ()),
        )

    def _push_book(self, security: Security) -> None:
        self._push(
            3013,
            lambda s2c: self._order_book(s2c, security),
            lambda session: SUB_ORDER_BOOK in session.pushes.get((security.market, security.code), ()),
        )

    def _odd_quote(self, quote: Any, security: Security) -> None:
        self._basic_quote(quote, security)
        if self.odd_timestamps > 0:
            self.odd_timestamps -= 1
            quote.updateTimestamp = 1e20

    def _basic_quote(self, quote: Any, security: Security) -> None:
        tz = MARKET_TZ[security.market]
        stamp = security.updated or time.time()
        quote.security.market, quote.security.code = security.market, security.code
        quote.name = security.name
        quote.isSuspended = False
        quote.listTime = "2004-06-16"
        quote.priceSpread = 0.2 if security.market == QOT_HK else 0.01
        quote.updateTime = dt.datetime.fromtimestamp(stamp, tz).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        quote.updateTimestamp = stamp
        quote.highPrice, quote.openPrice = float(security.high), float(security.open)
        quote.lowPrice, quote.curPrice = float(security.low), float(security.last)
        quote.lastClosePrice = float(security.pre_close)
        quote.volume, quote.turnover = security.volume, float(security.turnover)
        quote.turnoverRate = quote.amplitude = 0.0

    def _order_book(self, s2c: Any, security: Security) -> None:
        bids, asks = self.matching.book(security.key)
        s2c.security.market, s2c.security.code = security.market, security.code
        s2c.name = security.name
        for side, levels in ((s2c.orderBookBidList, bids), (s2c.orderBookAskList, asks)):
            for price, quantity in levels[:10]:
                level = side.add()
                level.price, level.volume, level.orederCount = float(price), int(quantity), 1
        now = time.time()
        tz = MARKET_TZ[security.market]
        text = dt.datetime.fromtimestamp(now, tz).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        s2c.svrRecvTimeBid = s2c.svrRecvTimeAsk = text
        s2c.svrRecvTimeBidTimestamp = s2c.svrRecvTimeAskTimestamp = now

    def _security(self, market: int, code: str) -> Security:
        security = self.securities.get(f"{PREFIX.get(market, '?')}.{code}")
        if security is None:
            raise RefusedError(f"{TEXT['code']}: {code}")
        return security

    def qot_sub(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        securities = [self._security(item.market, item.code) for item in c2s.securityList]
        types = set(c2s.subTypeList)
        for security in securities:
            key = (security.market, security.code)
            if c2s.isSubOrUnSub:
                session.quotes.setdefault(key, set()).update(types)
                if c2s.isRegOrUnRegPush:
                    session.pushes.setdefault(key, set()).update(types)
            else:
                for table in (session.quotes, session.pushes):
                    left = table.get(key, set()) - types
                    if left:
                        table[key] = left
                    else:
                        table.pop(key, None)
        if c2s.isSubOrUnSub and c2s.isFirstPush:
            loop = asyncio.get_running_loop()
            for security in securities:  # after the reply, as OpenD does
                if SUB_BASIC in types and security.last:
                    loop.call_soon(self._push_quote, security)
                if SUB_ORDER_BOOK in types and self.matching.book(security.key) != ([], []):
                    loop.call_soon(self._push_book, security)
        return ""

    def qot_static(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        if c2s.securityList:
            chosen = [self._security(item.market, item.code) for item in c2s.securityList]
        else:
            chosen = [
                security
                for security in self.securities.values()
                if security.market == c2s.market and (not c2s.secType or security.sec_type == c2s.secType)
            ]
        for security in chosen:
            basic = s2c.staticInfoList.add().basic
            basic.security.market, basic.security.code = security.market, security.code
            basic.id, basic.lotSize, basic.secType = security.sec_id, security.lot, security.sec_type
            basic.name, basic.listTime = security.name, "2004-06-16"
            basic.delisting = False
        return ""

    def qot_history(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        security = self._security(c2s.security.market, c2s.security.code)
        tz = MARKET_TZ[security.market]
        step = KL_STEPS.get(c2s.klType)
        if step is None:
            return "Unsupported KL type"
        try:
            begin = dt.datetime.strptime(c2s.beginTime[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
            end = dt.datetime.strptime(c2s.endTime[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
        except ValueError:
            begin = dt.datetime.strptime(c2s.beginTime[:10], "%Y-%m-%d").replace(tzinfo=tz)
            end = dt.datetime.strptime(c2s.endTime[:10], "%Y-%m-%d").replace(tzinfo=tz) + dt.timedelta(days=1)
        total = max(0, int((end - begin) / step) + 1)
        start = struct.unpack("<I", c2s.nextReqKey)[0] if len(c2s.nextReqKey) == 4 else 0
        count = min(c2s.maxAckKLNum or 1000, 1000, total - start)
        s2c.security.market, s2c.security.code = security.market, security.code
        s2c.name = security.name
        base = float(security.last or 100)
        for index in range(start, start + max(0, count)):
            moment = begin + step * index
            kline = s2c.klList.add()
            kline.time, kline.isBlank = moment.strftime("%Y-%m-%d %H:%M:%S"), False
            kline.timestamp = moment.timestamp()
            price = base + (index % 10) * 0.1
            kline.openPrice, kline.closePrice = price, price + 0.05
            kline.highPrice, kline.lowPrice = price + 0.1, price - 0.1
            kline.lastClosePrice = price - 0.05
            kline.volume, kline.turnover = 1000 + index, price * (1000 + index)
        if start + count < total:
            s2c.nextReqKey = struct.pack("<I", start + count)
        return ""

    # -- system protos -------------------------------------------------------------------------------------

    def init_connect(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        if c2s.packetEncAlgo not in (-1,):
            return "This OpenD has no RSA key: encryption is not available"
        self.sessions[session.conn_id] = session
        s2c.serverVer, s2c.loginUserID, s2c.connID = SERVER_VERSION, USER_ID, session.conn_id
        s2c.connAESKey = "0123456789ABCDEF"
        s2c.keepAliveInterval = self.keep_alive_interval
        s2c.userAttribution = 1
        return ""

    def global_state(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        s2c.marketHK = s2c.marketUS = s2c.marketSH = s2c.marketSZ = s2c.marketHKFuture = 3  # trading
        s2c.qotLogined = s2c.trdLogined = True
        s2c.serverVer, s2c.serverBuildNo = SERVER_VERSION, SERVER_BUILD
        s2c.time, s2c.localTime = int(time.time()), time.time()
        s2c.programStatus.type = 10  # ready
        s2c.connID = session.conn_id
        return ""

    def keep_alive(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        s2c.time = int(time.time())
        return ""

    # -- trade protos --------------------------------------------------------------------------------------

    def acc_list(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        if c2s.userID != USER_ID:
            return "Invalid user ID"
        for account in self.accounts.values():
            item = s2c.accList.add()
            item.trdEnv, item.accID = account.env, account.acc_id
            item.trdMarketAuthList.extend(account.markets)
            item.accType = 2  # margin
            item.securityFirm = 1  # Futu Securities (HK)
            item.simAccType = 1 if account.env == ENV_SIMULATE else 0
            item.accStatus = 0  # active
            if account.env == ENV_REAL:
                item.cardNum = item.uniCardNum = "1001318721909873"
        return ""

    def unlock(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        if not c2s.unlock:
            self.unlocked = False
            return ""
        if c2s.pwdMD5.lower() != self.password_md5:
            return TEXT["password"]
        self.unlocked = True
        return ""

    def sub_acc_push(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        unknown = [acc_id for acc_id in c2s.accIDList if acc_id not in self.accounts]
        if unknown:
            return f"{TEXT['account']}: {unknown[0]}"
        session.sub_accounts = set(c2s.accIDList)
        return ""

    def _account(self, header: Any, s2c_header: Any | None = None) -> Account:
        account = self.accounts.get(header.accID)
        if account is None or account.env != header.trdEnv:
            raise RefusedError(TEXT["account"])
        if header.trdMarket not in account.markets:
            raise RefusedError(TEXT["market"])
        if s2c_header is not None:
            s2c_header.CopyFrom(header)
        return account

    def funds(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        account = self._account(c2s.header, s2c.header)
        frozen = self._frozen_cash(account)
        market_value = sum((h.qty * self._price(key) for key, h in account.holdings.items()), Decimal(0))
        funds = s2c.funds
        funds.power = float(account.cash - frozen)
        funds.totalAssets = float(account.cash + market_value)
        funds.cash, funds.marketVal, funds.frozenCash = (
            float(account.cash),
            float(market_value),
            float(frozen),
        )
        funds.debtCash, funds.avlWithdrawalCash = 0.0, float(account.cash - frozen)
        funds.currency = 1 if c2s.header.trdMarket == TRD_HK else 2
        return ""

    def positions(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        account = self._account(c2s.header, s2c.header)
        sec_market = SEC_OF_TRD[c2s.header.trdMarket]
        for key, holding in account.holdings.items():
            security = self.securities[key]
            if holding.qty == 0 or QOT_OF_SEC[sec_market] != security.market:
                continue
            price = self._price(key)
            item = s2c.positionList.add()
            item.positionID, item.positionSide = security.sec_id, 0 if holding.qty > 0 else 1
            item.code, item.name = security.code, security.name
            item.qty = float(abs(holding.qty))
            item.canSellQty = float(max(Decimal(0), holding.qty - self._selling(account, key)))
            item.price, item.costPrice = float(price), float(holding.cost)
            item.val = float(holding.qty * price)
            item.plVal = float((price - holding.cost) * holding.qty)
            item.secMarket = sec_market
            item.trdMarket = c2s.header.trdMarket
        return ""

    def order_list(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        account = self._account(c2s.header, s2c.header)
        ids = set(c2s.filterConditions.idList)
        ex_ids = set(c2s.filterConditions.orderIDExList)
        statuses = set(c2s.filterStatusList)
        for order in account.orders.values():
            item = self._order_pb(order)
            if (ids and order.order_id not in ids) or (ex_ids and item.orderIDEx not in ex_ids):
                continue
            if statuses and item.orderStatus not in statuses:
                continue
            s2c.orderList.add().CopyFrom(item)
        return ""

    def fill_list(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        account = self._account(c2s.header, s2c.header)
        if account.env == ENV_SIMULATE:
            return TEXT["paper_deals"]
        for fill_id, order_id, fill in account.fills:
            s2c.orderFillList.add().CopyFrom(self._fill_pb(account.orders[order_id], fill_id, fill))
        return ""

    def _check_packet(self, session: Session, packet: Any) -> None:
        key = (packet.connID, packet.serialNo)
        if key in self.packet_ids:
            raise RefusedError(TEXT["packet"])
        self.packet_ids.add(key)

    def place_order(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        self._check_packet(session, c2s.packetID)
        account = self._account(c2s.header, s2c.header)
        if account.env == ENV_REAL and not self.unlocked:
            return TEXT["locked"]
        sec_market = c2s.secMarket or SEC_OF_TRD[c2s.header.trdMarket]
        security = self._security(QOT_OF_SEC.get(sec_market, 0), c2s.code)
        allowed = PAPER_TYPES if account.env == ENV_SIMULATE else MARKET_TYPES[c2s.header.trdMarket]
        if c2s.orderType not in allowed:
            return TEXT["paper_type"] if account.env == ENV_SIMULATE else TEXT["type"]
        quantity = Decimal(str(c2s.qty))
        if quantity <= 0 or quantity % security.lot:
            return TEXT["lot"].format(lot=security.lot)
        price = Decimal(str(c2s.price))
        if c2s.orderType not in (TYPE_MARKET, TYPE_STOP) and price <= 0:
            return TEXT["price"]
        buy = c2s.trdSide in (SIDE_BUY, SIDE_BUY_BACK)
        reference = price if price > 0 else self._price(security.key) or Decimal(str(c2s.auxPrice))
        if buy and quantity * reference > account.cash - self._frozen_cash(account):
            return TEXT["power"]
        if not buy and c2s.trdSide == SIDE_SELL:
            holding = account.holdings.get(security.key, Holding())
            if quantity > holding.qty - self._selling(account, security.key):
                return TEXT["sellable"]
        kind = "MARKET" if c2s.orderType in (TYPE_MARKET, TYPE_STOP) else "LIMIT"
        tif = {TYPE_SPECIAL_LIMIT: "IOC", TYPE_SPECIAL_LIMIT_ALL: "FOK"}.get(c2s.orderType, "GTC")
        order = SimOrder(
            order_id=self.matching.next_order_id(),
            client_id=c2s.remark,
            account=str(account.acc_id),
            symbol=security.key,
            side="BUY" if buy else "SELL",
            kind=kind,
            tif=tif,
            price=price,
            quantity=quantity,
        )
        if c2s.orderType == TYPE_STOP:
            order.working, order.stop_price = False, Decimal(str(c2s.auxPrice))
            order.trigger_above = buy
        self._owner[order.order_id] = account.acc_id
        self._order_meta[order.order_id] = {
            "type": c2s.orderType,
            "side": c2s.trdSide,
            "sec_market": sec_market,
            "aux": c2s.auxPrice,
            "trd_market": c2s.header.trdMarket,
            "created": time.time(),
            "status": ST_SUBMITTING,
        }
        account.orders[order.order_id] = order
        self._push_order(account, order)  # Submitting, then the matching core's NEW (Submitted) ...
        self.matching.place(order)
        s2c.orderID, s2c.orderIDEx = order.order_id, f"FT{order.order_id}"
        return ""

    def modify_order(self, session: Session, c2s: Any, s2c: Any, serial: int) -> str:
        self._check_packet(session, c2s.packetID)
        account = self._account(c2s.header, s2c.header)
        if account.env == ENV_REAL and not self.unlocked:
            return TEXT["locked"]
        if c2s.modifyOrderOp != MODIFY_CANCEL:
            return TEXT["modify"]
        # futu-api names an order by its orderIDEx (sending orderID 0, "no longer used"); both are honoured
        if c2s.orderIDEx:
            order = next((o for o in account.orders.values() if f"FT{o.order_id}" == c2s.orderIDEx), None)
        else:
            order = account.orders.get(c2s.orderID)
        if order is None:
            return TEXT["no_order"]
        if self.matching.cancel(order.order_id) is None:
            return TEXT["done"]
        s2c.orderID, s2c.orderIDEx = order.order_id, f"FT{order.order_id}"
        return ""

    # -- executions ----------------------------------------------------------------------------------------

    def _on_execution(self, execution: Execution) -> None:
        order = execution.order
        acc_id = self._owner.get(order.order_id)
        if acc_id is None:
            return
        account = self.accounts[acc_id]
        live = account.orders[order.order_id]
        meta = self._order_meta[order.order_id]
        meta["status"] = _status_of(order)
        if execution.kind == "TRADE" and execution.fill is not None:
            fill = execution.fill
            holding = account.holdings.setdefault(order.symbol, Holding())
            signed = fill.quantity if order.side == "BUY" else -fill.quantity
            if order.side == "BUY":
                holding.cost = (holding.cost * holding.qty + fill.price * fill.quantity) / (
                    holding.qty + fill.quantity
                )
            holding.qty += signed
            account.cash -= signed * fill.price
            fill_id = next(self._fill_ids)
            account.fills.append((fill_id, order.order_id, fill))
            self._push_order(account, live)
            if account.env == ENV_REAL:  # paper trading pushes no deals
                self._push(
                    2218,
                    lambda s2c: self._fill_header(s2c, account, live, fill_id, fill),
                    lambda session: acc_id in session.sub_accounts,
                )
        elif execution.kind in ("NEW", "CANCELED", "EXPIRED"):
            self._push_order(account, live)

    def _fill_header(self, s2c: Any, account: Account, order: SimOrder, fill_id: int, fill: Any) -> None:
        self._header_of(s2c.header, account, order)
        s2c.orderFill.CopyFrom(self._fill_pb(order, fill_id, fill))
        if self.odd_fill_markets > 0:
            self.odd_fill_markets -= 1
            s2c.orderFill.secMarket = 99

    def _header_of(self, header: Any, account: Account, order: SimOrder) -> None:
        header.trdEnv, header.accID = account.env, account.acc_id
        header.trdMarket = self._order_meta[order.order_id]["trd_market"]

    def _push_order(self, account: Account, order: SimOrder) -> None:
        def fill(s2c: Any) -> None:
            self._header_of(s2c.header, account, order)
            s2c.order.CopyFrom(self._order_pb(order))

        self._push(2208, fill, lambda session: account.acc_id in session.sub_accounts)

    def _order_pb(self, order: SimOrder) -> Any:
        meta = self._order_meta[order.order_id]
        security = self.securities[order.symbol]
        tz = MARKET_TZ[security.market]
        item = load("Trd_Common").Order()
        item.trdSide, item.orderType, item.orderStatus = meta["side"], meta["type"], meta["status"]
        item.orderID, item.orderIDEx = order.order_id, f"FT{order.order_id}"
        item.code, item.name = security.code, security.name
        item.qty, item.price = float(order.quantity), float(order.price)
        created = meta["created"]
        updated = order.updated_ms / 1000 if order.updated_ms else created
        item.createTime = dt.datetime.fromtimestamp(created, tz).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        item.updateTime = dt.datetime.fromtimestamp(updated, tz).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        item.createTimestamp, item.updateTimestamp = created, updated
        item.fillQty, item.fillAvgPrice = float(order.filled), float(order.average_price)
        item.lastErrMsg = ""
        item.secMarket = meta["sec_market"]
        item.remark = order.client_id
        item.timeInForce = 0
        item.auxPrice = meta["aux"]
        item.trdMarket = meta["trd_market"]
        item.currency = 1 if meta["trd_market"] == TRD_HK else 2
        return item

    def _fill_pb(self, order: SimOrder, fill_id: int, fill: Any) -> Any:
        meta = self._order_meta[order.order_id]
        security = self.securities[order.symbol]
        moment = fill.time_ms / 1000
        item = load("Trd_Common").OrderFill()
        item.trdSide, item.fillID, item.fillIDEx = meta["side"], fill_id, f"FD{fill_id}"
        item.orderID, item.orderIDEx = order.order_id, f"FT{order.order_id}"
        item.code, item.name = security.code, security.name
        item.qty, item.price = float(fill.quantity), float(fill.price)
        item.createTime = dt.datetime.fromtimestamp(moment, MARKET_TZ[security.market]).strftime(
            "%Y-%m-%d %H:%M:%S.%f"
        )[:-3]
        item.createTimestamp = item.updateTimestamp = moment
        item.secMarket, item.trdMarket, item.status = meta["sec_market"], meta["trd_market"], 0
        return item

    def _price(self, key: str) -> Decimal:
        return self.securities[key].last

    def _frozen_cash(self, account: Account) -> Decimal:
        return sum(
            (
                order.remaining * (order.price or self._price(order.symbol))
                for order in account.orders.values()
                if order.active and order.side == "BUY"
            ),
            Decimal(0),
        )

    def _selling(self, account: Account, key: str) -> Decimal:
        return sum(
            (
                order.remaining
                for order in account.orders.values()
                if order.active and order.side == "SELL" and order.symbol == key
            ),
            Decimal(0),
        )


class RefusedError(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _status_of(order: SimOrder) -> int:
    if order.status == "NEW":
        return ST_SUBMITTED
    if order.status == "PARTIALLY_FILLED":
        return ST_FILLED_PART
    if order.status == "FILLED":
        return ST_FILLED_ALL
    return ST_CANCELLED_PART if order.filled else ST_CANCELLED_ALL  # CANCELED, EXPIRED


KL_STEPS = {
    1: dt.timedelta(minutes=1),
    9: dt.timedelta(hours=1),
    2: dt.timedelta(days=1),
    3: dt.timedelta(weeks=1),
    6: dt.timedelta(minutes=5),
    7: dt.timedelta(minutes=15),
    8: dt.timedelta(minutes=30),
}

Handler = Callable[[FakeOpenD, Session, Any, Any, int], str]
HANDLERS: dict[int, Handler] = {
    1001: FakeOpenD.init_connect,
    1002: FakeOpenD.global_state,
    1004: FakeOpenD.keep_alive,
    2001: FakeOpenD.acc_list,
    2005: FakeOpenD.unlock,
    2008: FakeOpenD.sub_acc_push,
    2101: FakeOpenD.funds,
    2102: FakeOpenD.positions,
    2201: FakeOpenD.order_list,
    2202: FakeOpenD.place_order,
    2205: FakeOpenD.modify_order,
    2211: FakeOpenD.fill_list,
    3001: FakeOpenD.qot_sub,
    3103: FakeOpenD.qot_history,
    3202: FakeOpenD.qot_static,
}
PROTO_NAMES = {
    1001: "InitConnect",
    1002: "GetGlobalState",
    1004: "KeepAlive",
    2001: "Trd_GetAccList",
    2005: "Trd_UnlockTrade",
    2008: "Trd_SubAccPush",
    2101: "Trd_GetFunds",
    2102: "Trd_GetPositionList",
    2201: "Trd_GetOrderList",
    2202: "Trd_PlaceOrder",
    2205: "Trd_ModifyOrder",
    2208: "Trd_UpdateOrder",
    2211: "Trd_GetOrderFillList",
    2218: "Trd_UpdateOrderFill",
    3001: "Qot_Sub",
    3005: "Qot_UpdateBasicQot",
    3013: "Qot_UpdateOrderBook",
    3103: "Qot_RequestHistoryKL",
    3202: "Qot_GetStaticInfo",
}
