"""The WebSocket client every gateway uses: reconnect, heartbeat, subscription replay, request/reply.

One `WebSocketClient` is one logical stream (a venue's public market socket, a private socket, ...). It keeps
itself connected on the shared loop until `close()`:
- reconnects with exponential backoff and jitter after any loss (the delay resets once a connection is up);
- heartbeat per venue rules (`Heartbeat`): protocol ping frames (answered automatically) or a text ping such
  as OKX's `ping`/`pong`; a connection on which nothing at all arrives for `idle_timeout` is dropped and
  replaced, so a venue that stops answering pings is noticed;
- after each (re)connect it runs the venue's `on_open` hook (login / user-data subscription, i.e. the private
  stream's re-authentication) and then replays every registered topic through the venue's `build_subscribe`;
- `request(id, payload)` sends a message and waits for the venue's reply, which the venue's message handler
  routes back with `resolve(id, value)` / `reject(id, error)`.
Frames reach the venue's `on_message(bytes)` on the loop thread; text frames are passed as UTF-8 bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import msgspec

from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways._transport.errors import VenueConnectionError, VenueUnavailableError
from vtcore.gateways._transport.ratelimit import RateLimit, RateLimiter
from vtcore.log import get_logger

_logger = get_logger("vtcore.transport.ws")
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class Heartbeat:
    """Keep-alive rules of one venue stream.

    `ping_interval`: how often the client pings while the line is quiet (None: never, the venue pings us).
    `text_ping`: the text the venue expects as a ping (OKX: "ping"); None means protocol ping frames.
    `idle_timeout`: drop the connection when nothing (data, ping or pong) arrived for this long.
    """

    ping_interval: float | None = None
    text_ping: str | None = None
    idle_timeout: float = 60.0


@dataclass
class WebSocketConfig:
    url: str
    name: str
    heartbeat: Heartbeat = field(default_factory=Heartbeat)
    backoff: Backoff = field(default_factory=Backoff)
    proxy: str | None = None
    open_timeout: float = 10.0
    request_timeout: float = 10.0
    max_message_size: int = 16 * 1024 * 1024
    #: the venue's cap on client messages (Binance spot streams: 5/s); sends wait for room
    messages_per_second: float | None = None


OnOpen = Callable[["WebSocketClient"], Awaitable[None]]
BuildSubscribe = Callable[[list[str], bool], Iterable[Any]]


class WebSocketClient:
    """A self-healing WebSocket stream; create, start, use and close it on the transport loop."""

    def __init__(
        self,
        config: WebSocketConfig,
        *,
        on_message: Callable[[bytes], None],
        on_open: OnOpen | None = None,
        build_subscribe: BuildSubscribe | None = None,
        on_state: Callable[[bool, str], None] | None = None,
    ) -> None:
        self.config = config
        self._on_message = on_message
        self._on_open = on_open
        self._build_subscribe = build_subscribe
        self._on_state = on_state
        self._topics: dict[str, None] = {}  # ordered set
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse[bool] | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._closing = False
        self._last_receive = 0.0
        self.connections = 0  # successful opens, for tests and stats
        self._send_limiter = (
            RateLimiter({"messages": RateLimit(config.messages_per_second, 1.0)})
            if config.messages_per_second
            else None
        )
        #: computes the URL before each connect (a private stream's URL carries a fresh listen key)
        self.url_provider: Callable[[], Awaitable[str]] | None = None
        #: computes headers for the upgrade request before each connect (1Token signs the upgrade itself)
        self.headers_provider: Callable[[], dict[str, str]] | None = None

    # ---- lifecycle

    def start(self) -> None:
        if self._task is None:
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"ws:{self.config.name}")

    async def close(self) -> None:
        self._closing = True
        ws = self._ws
        if ws is not None and not ws.closed:
            with contextlib.suppress(Exception):
                await ws.close()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    async def wait_ready(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def reconnect(self) -> None:
        """Drop the current connection; the run loop opens a new one (used when a venue expires a stream)."""
        ws = self._ws
        if ws is not None and not ws.closed:
            await ws.close()

    # ---- topics and messages

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    def add_topics(self, topics: Iterable[str]) -> None:
        """Register topics without sending (before `start`: they go out with the first open)."""
        for topic in topics:
            self._topics[topic] = None

    async def subscribe(self, topics: Iterable[str]) -> None:
        new = [topic for topic in topics if topic not in self._topics]
        for topic in new:
            self._topics[topic] = None
        if new and self.connected and self._build_subscribe is not None:
            for message in self._build_subscribe(new, True):
                await self.send(message)

    async def unsubscribe(self, topics: Iterable[str]) -> None:
        gone = [topic for topic in topics if topic in self._topics]
        for topic in gone:
            del self._topics[topic]
        if gone and self.connected and self._build_subscribe is not None:
            for message in self._build_subscribe(gone, False):
                await self.send(message)

    async def send(self, message: Any) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise VenueConnectionError(f"{self.config.name}: not connected")
        if self._send_limiter is not None:
            await self._send_limiter.acquire({"messages": 1})
        if isinstance(message, str):
            await ws.send_str(message)
        elif isinstance(message, bytes):
            await ws.send_bytes(message)
        else:
            await ws.send_str(_encoder.encode(message).decode())

    async def request(self, request_id: str, message: Any, timeout: float | None = None) -> Any:
        """Send `message` and wait for the reply routed back under `request_id`. Raises VenueUnavailableError
        when none comes in time, VenueConnectionError when the connection is lost first."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self.send(message)
            return await asyncio.wait_for(future, timeout or self.config.request_timeout)
        except asyncio.TimeoutError as error:
            # the request went out and may have been acted on: an unknown outcome, as a REST timeout is
            raise VenueUnavailableError(f"{self.config.name}: no reply to request {request_id}") from error
        finally:
            self._pending.pop(request_id, None)

    def resolve(self, request_id: str, value: Any) -> bool:
        future = self._pending.get(request_id)
        if future is None or future.done():
            return False
        future.set_result(value)
        return True

    def reject(self, request_id: str, error: BaseException) -> bool:
        future = self._pending.get(request_id)
        if future is None or future.done():
            return False
        future.set_exception(error)
        return True

    # ---- the run loop

    async def _run(self) -> None:
        attempt = 0
        while not self._closing:
            opened = False
            try:
                ws = await self._connect()
                self._ws = ws
                self._last_receive = time.monotonic()
                reader = asyncio.get_running_loop().create_task(self._read(ws))
                try:
                    if self._on_open is not None:
                        await asyncio.wait_for(self._on_open(self), self.config.open_timeout)
                    if self._topics and self._build_subscribe is not None:
                        for message in self._build_subscribe(list(self._topics), True):
                            await self.send(message)
                    opened = True
                    attempt = 0
                    self.connections += 1
                    self._ready.set()
                    self._notify(True, "connected")
                    pinger = self._start_pinger(ws)
                    try:
                        await reader
                    finally:
                        if pinger is not None:
                            pinger.cancel()
                finally:
                    if not reader.done():
                        reader.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await reader
            except asyncio.CancelledError:
                raise
            except Exception as error:  # every failure of one connection ends in a reconnect
                reason = _describe(error)
                _logger.warning("%s: connection failed: %s", self.config.name, reason)
            finally:
                self._ready.clear()
                current, self._ws = self._ws, None
                if current is not None and not current.closed:
                    with contextlib.suppress(Exception):
                        await current.close()
                self._fail_pending()
            if opened:
                self._notify(False, "disconnected")
            if self._closing:
                break
            delay = self.config.backoff.delay(attempt)
            attempt += 1
            _logger.info("%s: reconnecting in %.3f s", self.config.name, delay)
            await asyncio.sleep(delay)

    async def _connect(self) -> aiohttp.ClientWebSocketResponse[bool]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        url = await self.url_provider() if self.url_provider is not None else self.config.url
        heartbeat = self.config.heartbeat
        protocol_ping = heartbeat.ping_interval if heartbeat.text_ping is None else None
        headers = self.headers_provider() if self.headers_provider is not None else None
        return await self._session.ws_connect(
            url,
            headers=headers,
            autoping=True,
            heartbeat=protocol_ping,
            proxy=self.config.proxy,
            timeout=aiohttp.ClientWSTimeout(ws_close=2.0),
            max_msg_size=self.config.max_message_size,
            decode_text=False,
        )

    async def _read(self, ws: aiohttp.ClientWebSocketResponse[bool]) -> None:
        idle = self.config.heartbeat.idle_timeout
        on_message = self._on_message
        while True:
            try:
                message = await ws.receive(timeout=idle)
            except asyncio.TimeoutError:
                _logger.warning(
                    "%s: nothing received for %.1f s, dropping the connection", self.config.name, idle
                )
                return
            self._last_receive = time.monotonic()
            kind = message.type
            if kind is aiohttp.WSMsgType.TEXT or kind is aiohttp.WSMsgType.BINARY:
                try:
                    on_message(message.data)
                except Exception:  # a venue handler bug must not kill the stream
                    _logger.exception("%s: message handler failed", self.config.name)
            elif kind in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                _logger.info("%s: closed by the venue (code %s)", self.config.name, ws.close_code)
                return
            elif kind is aiohttp.WSMsgType.ERROR:
                _logger.warning("%s: connection error: %s", self.config.name, _describe(ws.exception()))
                return

    def _start_pinger(self, ws: aiohttp.ClientWebSocketResponse[bool]) -> asyncio.Task[None] | None:
        heartbeat = self.config.heartbeat
        if heartbeat.text_ping is None or heartbeat.ping_interval is None:
            return None
        return asyncio.get_running_loop().create_task(
            self._ping_text(ws, heartbeat.text_ping, heartbeat.ping_interval)
        )

    async def _ping_text(self, ws: aiohttp.ClientWebSocketResponse[bool], text: str, interval: float) -> None:
        while not ws.closed:
            await asyncio.sleep(interval)
            if time.monotonic() - self._last_receive >= interval and not ws.closed:
                with contextlib.suppress(Exception):
                    await ws.send_str(text)

    def _fail_pending(self) -> None:
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(
                    VenueConnectionError(f"{self.config.name}: connection lost before the reply")
                )

    def _notify(self, connected: bool, reason: str) -> None:
        if self._on_state is not None:
            try:
                self._on_state(connected, reason)
            except Exception:
                _logger.exception("%s: state callback failed", self.config.name)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
