"""What every local venue shares: an aiohttp server on 127.0.0.1 in its own thread, its WebSocket sessions,
server-side heartbeat rules and scripted faults.

The server runs on its own event loop thread so that a test (on the main thread) can drive the market
(`set_book`, `print_trade`) and script faults while the gateway under test talks to the venue through the
transport thread, exactly as it would talk to the real venue.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from vtcore.peers.matching import Execution, MatchingCore, SimOrder

Result = TypeVar("Result")


@dataclass
class Faults:
    """Scripted misbehaviour. Counters are consumed as requests arrive."""

    http_429: int = 0  # answer the next N REST requests with 429 + Retry-After
    retry_after: int = 1
    http_5xx: int = 0  # answer the next N REST requests with 503
    stop_pings: bool = False  # neither send pings nor answer the client's pings/text pings
    mute: bool = False  # send nothing at all on any stream (with stop_pings: a dead peer)
    clock_offset_ms: int = 0  # the venue's clock minus real time
    refuse_ws: bool = False  # answer WebSocket upgrades with 503 (the venue is unreachable for streams)
    #: drop the connection that the next N WebSocket order requests arrive on instead of answering them (the
    #: client cannot tell whether they were placed); with `act_before_drop` the venue places them first
    drop_order_reply: int = 0
    act_before_drop: bool = False
    #: refuse the next N order placements with the venue's own answer for a refused order
    reject_orders: int = 0
    #: hold the next N REST requests for `stall_seconds` before handling them (a slow venue: clients time out)
    stall_rest: int = 0
    stall_seconds: float = 5.0
    #: with `stall_rest`: handle the request at once and hold only its answer (the venue acted on it; the
    #: client times out not knowing)
    act_before_stall: bool = False
    #: send the next N fill reports on the user stream with a trade id the client cannot read (null); the
    #: venue's own record of the fill is intact (Binance venues)
    garble_fills: int = 0


@dataclass
class Session:
    """One accepted WebSocket connection."""

    ws: web.WebSocketResponse
    kind: str  # the venue's name for the endpoint ("market", "api", "public", "private", ...)
    topics: set[str] = field(default_factory=set)
    combined: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    last_pong: float = field(default_factory=time.monotonic)
    pongs: int = 0  # answers to the venue's pings


class VenueServer:
    """Base of the local venues. Subclasses add routes in `build_app` and render executions."""

    #: server ping frames every this many seconds (None: the venue does not ping), and how long it waits for
    #: any answer (a pong or any client frame) before it drops the connection
    ping_interval: float | None = None
    pong_timeout: float = 60.0
    #: drop a connection from which nothing arrived for this long (OKX: 30 s), None: never
    client_idle_timeout: float | None = None
    #: set before start() to also serve the same routes over TLS on `tls_port` (for clients that speak only
    #: wss:// or https://)
    tls_context: ssl.SSLContext | None = None
    tls_port = 0
    #: whether any client frame proves the connection alive (False: only what `send_ping`'s venue accepts as
    #: an answer, which the venue records itself by setting `session.last_pong`)
    any_frame_is_alive: bool = True

    def __init__(self) -> None:
        self.faults = Faults()
        self.matching = MatchingCore(self._on_execution_threadsafe)
        self.sessions: list[Session] = []
        self.request_log: list[tuple[str, str]] = []  # (method, path) of every REST request
        self.ws_log: list[tuple[str, Any]] = []  # (kind, decoded message) of every client frame
        self.last_prices: dict[str, Decimal] = {}  # the last printed trade per symbol
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._ids = itertools.count(1)
        #: serve https/wss with this context (clients that derive signed paths from a `wss://` URL need it)
        self.ssl_context: ssl.SSLContext | None = None
        #: where to listen: any loopback address; a fixed port only for clients that cannot be given one
        self.host = "127.0.0.1"
        self.bind_port = 0

    # ---- lifecycle

    def start(self) -> VenueServer:
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(started,), name=type(self).__name__, daemon=True
        )
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("venue server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        with contextlib.suppress(Exception):
            self.call(self._shutdown()).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    @property
    def http_url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        scheme = "wss" if self.ssl_context is not None else "ws"
        return f"{scheme}://{self.host}:{self.port}"

    def _serve(self, started: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        app = self.build_app()
        app.middlewares.append(self._fault_middleware)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, self.host, self.bind_port, ssl_context=self.ssl_context)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if self.tls_context is not None:
            tls_site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.tls_context)
            loop.run_until_complete(tls_site.start())
            self.tls_port = tls_site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if self.ping_interval is not None or self.client_idle_timeout is not None:
            self._heartbeat_task = loop.create_task(self._heartbeat_loop())
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        task = getattr(self, "_heartbeat_task", None)
        if task is not None:
            task.cancel()
        for session in list(self.sessions):
            with contextlib.suppress(Exception):
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def build_app(self) -> web.Application:
        raise NotImplementedError

    # ---- helpers for tests (any thread)

    def call(self, coro: Coroutine[Any, Any, Result]) -> concurrent.futures.Future[Result]:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, function: Callable[[], Result]) -> Result:
        """Run `function` on the venue's loop thread and return its result."""

        async def wrapper() -> Result:
            return function()

        return self.call(wrapper()).result(10)

    def set_book(self, symbol: str, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> None:
        def apply() -> None:
            self.matching.set_book(symbol, bids, asks)
            self.publish_book(symbol)

        self.run(apply)

    def print_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool = False) -> None:
        def act() -> None:
            self.publish_trade(symbol, price, quantity, buyer_maker)
            self.matching.print_trade(symbol, price, quantity)
            self.on_last_price(symbol, Decimal(price))

        self.run(act)

    def place_and_publish(self, order: SimOrder) -> None:
        """Match `order` (venue loop); what it took from the book is printed on the public tape and the book
        is published again, as a venue's market data shows every trade, the user's own included."""
        self.matching.place(order)
        taken = [fill for fill in self.matching.fills.get(order.order_id, []) if not fill.maker]
        for fill in taken:
            self.publish_trade(order.symbol, str(fill.price), str(fill.quantity), order.side == "SELL")
            self.on_last_price(order.symbol, fill.price)
        if taken:
            self.publish_book(order.symbol)

    def publish_book(self, symbol: str) -> None:
        raise NotImplementedError

    def publish_trade(self, symbol: str, price: str, quantity: str, buyer_maker: bool) -> None:
        raise NotImplementedError

    def on_last_price(self, symbol: str, price: Decimal) -> None:
        """A trade printed at `price` (venue loop): stop orders that trigger on the last price may start."""
        self.last_prices[symbol] = price
        self.matching.trigger(symbol, price, "last")

    def publish_raw(self, kind: str, raw: str) -> None:
        """Send one raw text frame (e.g. a malformed one) to every open session of `kind`."""

        def act() -> None:
            for session in list(self.sessions):
                if session.kind == kind and not session.ws.closed:
                    asyncio.get_running_loop().create_task(session.ws.send_str(raw))

        self.run(act)

    def drop_connections(self, kind: str | None = None) -> int:
        """Close every WebSocket (of one kind) abruptly, as a network failure would."""

        async def drop() -> int:
            dropped = 0
            for session in list(self.sessions):
                if kind is None or session.kind == kind:
                    self.abort(session)
                    dropped += 1
            return dropped

        result: int = self.call(drop()).result(10)
        return result

    @staticmethod
    def abort(session: Session) -> None:
        """Cut one WebSocket's TCP connection without a close frame (venue loop)."""
        request = session.ws._req
        transport = request.transport if request is not None else None
        if transport is not None:
            transport.abort()

    def session_count(self, kind: str | None = None) -> int:
        return self.run(
            lambda: sum(1 for s in self.sessions if (kind is None or s.kind == kind) and not s.ws.closed)
        )

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self.faults.clock_offset_ms

    def subscription_count(self) -> int:
        """Live subscriptions of every kind (venue loop): market topics, channel arguments, user-data
        streams. Clients' tests wait on it before the venue publishes, as a push sent before a client has
        subscribed is lost on the real venue too."""
        return sum(
            len(s.topics) + len(s.state.get("args", ())) + (s.kind == "user")
            for s in self.sessions
            if not s.ws.closed
        )

    # ---- WebSocket plumbing for subclasses (venue loop only)

    async def serve_ws(
        self,
        request: web.Request,
        kind: str,
        on_frame: Callable[[Session, str], Coroutine[Any, Any, None]],
        session: Session | None = None,
        on_binary: Callable[[Session, bytes], Coroutine[Any, Any, None]] | None = None,
    ) -> web.WebSocketResponse:
        """Serve one WebSocket: text frames (and binary ones decoded as UTF-8) go to `on_frame`; a venue whose
        clients send binary payloads (MessagePack) passes `on_binary` to get those bytes as they came."""
        ws = web.WebSocketResponse(autoping=False, max_msg_size=1 << 22)
        await ws.prepare(request)
        session = session or Session(ws=ws, kind=kind)
        session.ws = ws
        self.sessions.append(session)
        try:
            async for message in ws:
                if self.any_frame_is_alive:
                    session.last_pong = time.monotonic()
                if message.type is WSMsgType.PING:
                    if not self.faults.stop_pings:
                        await ws.pong(message.data)
                    continue
                if message.type is WSMsgType.PONG:
                    session.pongs += 1
                    continue
                if message.type is WSMsgType.TEXT:
                    await on_frame(session, message.data)
                elif message.type is WSMsgType.BINARY:
                    if on_binary is not None:
                        await on_binary(session, message.data)
                    else:
                        await on_frame(session, message.data.decode(errors="replace"))
        finally:
            with contextlib.suppress(ValueError):
                self.sessions.remove(session)
        return ws

    async def send_json(self, session: Session, payload: Any) -> None:
        if self.faults.mute or session.ws.closed:
            return
        frame = self.encode_frame(session, json.dumps(payload, separators=(",", ":")))
        with contextlib.suppress(ConnectionError, RuntimeError):
            if isinstance(frame, bytes):
                await session.ws.send_bytes(frame)
            else:
                await session.ws.send_str(frame)

    def encode_frame(self, session: Session, text: str) -> str | bytes:
        """The frame that carries `text` on `session` (a venue that compresses returns bytes)."""
        return text

    async def send_ping(self, session: Session) -> None:
        """The venue's heartbeat on `session`: a WebSocket ping frame unless the venue pings in JSON."""
        await session.ws.ping(str(int(time.time() * 1000)).encode())

    def push(self, session: Session, payload: Any) -> None:
        asyncio.get_running_loop().create_task(self.send_json(session, payload))

    async def _heartbeat_loop(self) -> None:
        tick = min(x for x in (self.ping_interval, self.client_idle_timeout) if x is not None) / 4
        last_ping = time.monotonic()
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            send_ping = self.ping_interval is not None and now - last_ping >= self.ping_interval
            if send_ping:
                last_ping = now
            for session in list(self.sessions):
                if session.ws.closed:
                    continue
                timeout = self.pong_timeout if self.ping_interval is not None else self.client_idle_timeout
                if timeout is not None and now - session.last_pong > timeout:
                    await session.ws.close(code=1008, message=b"pong timeout")
                    continue
                if send_ping and not self.faults.stop_pings:
                    with contextlib.suppress(ConnectionError, RuntimeError):
                        await self.send_ping(session)

    # ---- REST faults

    @web.middleware
    async def _fault_middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            if self.faults.refuse_ws:
                return web.Response(status=503, text="Service Unavailable")
            return await handler(request)
        self.request_log.append((request.method, request.path))
        if self.faults.http_429 > 0:
            self.faults.http_429 -= 1
            return self.rate_limited_response()
        if self.faults.http_5xx > 0:
            self.faults.http_5xx -= 1
            return self.unavailable_response()
        if self.faults.stall_rest > 0:
            self.faults.stall_rest -= 1
            if self.faults.act_before_stall:
                response = await handler(request)
                await asyncio.sleep(self.faults.stall_seconds)
                return response
            await asyncio.sleep(self.faults.stall_seconds)
        return await handler(request)

    def rate_limited_response(self) -> web.Response:
        raise NotImplementedError

    def unavailable_response(self) -> web.Response:
        """The answer to a request while the venue is overloaded (`faults.http_5xx`); venues whose overload
        reply has a body of their own override it."""
        return web.Response(status=503, text="Service Unavailable")

    # ---- executions

    def _on_execution_threadsafe(self, execution: Execution) -> None:
        # matching runs on the venue loop (tests reach it through run()/set_book()/print_trade())
        self.on_execution(execution)

    def on_execution(self, execution: Execution) -> None:
        raise NotImplementedError

    def next_id(self) -> int:
        return next(self._ids)


def int_param(params: Any, name: str, default: int, refuse: Callable[[str], Exception]) -> int:
    """`params[name]` as an integer, `default` when it is absent or empty. A value that is no integer raises
    `refuse(name)`, the venue's own error for a bad parameter: a real venue answers it in its error shape,
    never with the 500 and plain-text body an uncaught ValueError would give."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise refuse(name) from None


def decimal_text(value: Any, places: int = 8) -> str:
    return f"{value:.{places}f}"
