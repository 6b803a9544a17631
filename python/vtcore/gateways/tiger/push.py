"""Tiger's push socket on the shared transport loop: one TCP (TLS at Tiger) connection carrying quotes and
account pushes as varint-framed protobuf (`proto.py`).

The session (tigeropen `push/protobuf_push_client.py`, `push/network/listener.py`): the client sends CONNECT
with its tiger id signed by its RSA key, the server answers CONNECTED (its `msg` is JSON with a
"heart-beat" of "send,receive" ms) or ERROR (a refused login: its `msg` says why); then both sides send
HEARTBEAT frames and the client SUBSCRIBEs per data type. A server that goes quiet for 1.5 receive intervals
is dropped. After any loss `PushStream` reconnects with backoff, runs `on_open` (the gateway's trade
subscriptions and reconciliation) and replays every quote subscription, since a new connection has none.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from vtcore.gateways._transport import Backoff
from vtcore.gateways.tiger import proto
from vtcore.log import get_logger, register_secret

_logger = get_logger("vtcore.gateways.tiger.push")


class PushRefused(Exception):  # noqa: N818 - the server's own word for it
    """The server answered CONNECT with ERROR (a wrong tiger id or key): retrying cannot help."""


@dataclass
class PushConfig:
    host: str
    port: int
    tiger_id: str
    # RSA-SHA1 of the tiger id, base64. PKCS#1 v1.5 signatures are deterministic: this one string logs in to
    # the push server for ever (until the key changes), a password in all but name. Out of the repr, and
    # masked in every log line that might quote it.
    sign: str = field(repr=False)
    name: str = "TIGER.push"
    use_tls: bool = True
    heartbeat_ms: int = 10_000
    backoff: Backoff = field(default_factory=Backoff)
    open_timeout: float = 10.0
    sdk_version: str = "vtcore"

    def __post_init__(self) -> None:
        register_secret(self.sign)


class PushStream:
    """A self-healing push connection; create, start, use and close it on the transport loop."""

    def __init__(
        self,
        config: PushConfig,
        *,
        on_message: Callable[[bytes], None],
        on_open: Callable[[], Awaitable[None]] | None = None,
        on_state: Callable[[bool, str], None] | None = None,
        on_malformed: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self._on_message = on_message
        self._on_open = on_open
        self._on_state = on_state
        self._on_malformed = on_malformed
        #: (data type, symbol) quote subscriptions, replayed after every reconnect
        self._quotes: dict[tuple[int, str], None] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._closing = False
        self._ids = 0
        self._frames = proto.FrameReader()
        self._early: list[bytes] = []  # frames that arrived in the same read as CONNECTED
        self.connections = 0
        self.refused = ""  # the server's reason when it refused the login

    # ---- lifecycle

    def start(self) -> None:
        if self._task is None:
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self.config.name)

    async def close(self) -> None:
        self._closing = True
        writer = self._writer
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.write(proto.frame(self._request(proto.DISCONNECT)))
                await asyncio.wait_for(writer.drain(), 1.0)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    async def wait_ready(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    # ---- requests

    def _request(self, command: int) -> Any:
        self._ids += 1
        request = proto.Request()
        request.command = command
        request.id = self._ids
        return request

    def send(self, request: Any) -> None:
        writer = self._writer
        if writer is None or writer.is_closing():
            return  # replayed after the reconnect
        writer.write(proto.frame(request))

    def subscribe_account(self, data_type: int, account: str) -> None:
        request = self._request(proto.SUBSCRIBE)
        request.subscribe.dataType = data_type
        request.subscribe.account = account
        self.send(request)

    def subscribe_quotes(self, data_type: int, symbols: list[str], subscribe: bool = True) -> None:
        for symbol in symbols:
            if subscribe:
                self._quotes[(data_type, symbol)] = None
            else:
                self._quotes.pop((data_type, symbol), None)
        if symbols and self.connected:
            self._send_quotes(data_type, symbols, subscribe)

    def _send_quotes(self, data_type: int, symbols: list[str], subscribe: bool) -> None:
        request = self._request(proto.SUBSCRIBE if subscribe else proto.UNSUBSCRIBE)
        request.subscribe.dataType = data_type
        request.subscribe.symbols = ",".join(symbols)
        self.send(request)

    # ---- the run loop

    async def _run(self) -> None:
        attempt = 0
        while not self._closing:
            opened = False
            try:
                reader, writer = await asyncio.wait_for(self._open(), self.config.open_timeout)
                self._writer = writer
                send_ms, receive_ms = await asyncio.wait_for(
                    self._login(reader, writer), self.config.open_timeout
                )
                if self._on_open is not None:
                    await asyncio.wait_for(self._on_open(), self.config.open_timeout)
                by_type: dict[int, list[str]] = {}
                for data_type, symbol in self._quotes:
                    by_type.setdefault(data_type, []).append(symbol)
                for data_type, symbols in by_type.items():
                    self._send_quotes(data_type, symbols, True)
                opened = True
                attempt = 0
                self.connections += 1
                self._ready.set()
                self._notify(True, "connected")
                pinger = asyncio.get_running_loop().create_task(self._ping(writer, send_ms))
                try:
                    await self._read(reader, receive_ms)
                finally:
                    pinger.cancel()
            except asyncio.CancelledError:
                raise
            except PushRefused as error:
                self.refused = str(error)
                _logger.error("%s: login refused: %s", self.config.name, error)
                self._notify(False, f"login refused: {error}")
                self._closing = True
            except Exception as error:  # any failure of one connection ends in a reconnect
                _logger.warning("%s: connection failed: %s", self.config.name, _describe(error))
            finally:
                self._ready.clear()
                writer_, self._writer = self._writer, None
                if writer_ is not None:
                    writer_.close()
            if opened:
                self._notify(False, "disconnected")
            if self._closing:
                break
            delay = self.config.backoff.delay(attempt)
            attempt += 1
            await asyncio.sleep(delay)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        config = self.config
        context = ssl.create_default_context() if config.use_tls else None
        return await asyncio.open_connection(
            config.host, config.port, ssl=context, server_hostname=config.host if context else None
        )

    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, int]:
        """CONNECT and wait for CONNECTED; returns the heartbeat intervals (send, receive) in ms that the
        server set (0: none)."""
        config = self.config
        request = self._request(proto.CONNECT)
        connect = request.connect
        connect.tigerId = config.tiger_id
        connect.sign = config.sign
        connect.sdkVersion = config.sdk_version
        connect.acceptVersion = "3"
        connect.sendInterval = connect.receiveInterval = config.heartbeat_ms
        writer.write(proto.frame(request))
        await writer.drain()
        frames = self._frames = proto.FrameReader()
        while True:
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("closed during login")
            bodies = frames.feed(data)
            for index, body in enumerate(bodies):
                response = proto.Response.FromString(body)
                if response.command == proto.CONNECTED:
                    self._early = bodies[index + 1 :]
                    return _heartbeats(response.msg, config.heartbeat_ms)
                if response.command == proto.ERROR:
                    raise PushRefused(response.msg or f"code {response.code}")

    async def _ping(self, writer: asyncio.StreamWriter, send_ms: int) -> None:
        if not send_ms:
            return
        interval = send_ms / 1000
        while not writer.is_closing():
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):
                writer.write(proto.frame(self._request(proto.HEARTBEAT)))

    async def _read(self, reader: asyncio.StreamReader, receive_ms: int) -> None:
        idle = receive_ms / 1000 * 1.5 if receive_ms else None
        frames = self._frames  # may hold what arrived right behind CONNECTED
        on_message = self._on_message
        last = time.monotonic()
        early, self._early = self._early, []
        for body in early:
            on_message(body)
        while True:
            try:
                data = await asyncio.wait_for(reader.read(262144), idle)
            except asyncio.TimeoutError:
                _logger.warning(
                    "%s: nothing received for %.1f s, dropping the connection",
                    self.config.name,
                    time.monotonic() - last,
                )
                return
            if not data:
                _logger.info("%s: closed by the server", self.config.name)
                return
            last = time.monotonic()
            try:
                bodies = frames.feed(data)
            except ValueError as error:  # the framing is out of step: nothing after this can be trusted
                if self._on_malformed is not None:
                    self._on_malformed(f"{error}; reconnecting")
                return
            for body in bodies:
                try:
                    on_message(body)
                except Exception:  # a handler bug must not kill the stream
                    _logger.exception("%s: message handler failed", self.config.name)

    def _notify(self, connected: bool, reason: str) -> None:
        if self._on_state is not None:
            try:
                self._on_state(connected, reason)
            except Exception:
                _logger.exception("%s: state callback failed", self.config.name)


def _heartbeats(msg: str, default: int) -> tuple[int, int]:
    """CONNECTED's JSON msg carries "heart-beat": "send,receive" in ms, the intervals the client is to send
    at and may expect to receive at (tigeropen's listener reads it so); without it, the client's own."""
    try:
        send, receive = (int(part) for part in json.loads(msg)["heart-beat"].split(","))
    except (ValueError, KeyError, TypeError, AttributeError):
        return default, default
    return send, receive


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
