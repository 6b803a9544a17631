"""One TWS API connection on the shared transport loop: connect, handshake, paced sending, reconnect.

`TwsConnection.run()` keeps a session up for as long as the gateway wants one: it connects, sends the greeting
and startApi, hands every message to the gateway's handler, and when the socket ends (TWS restarts daily, or
the network fails) reconnects with backoff. Sending is paced by a sliding one-second window: TWS disconnects a
client that sends more than 50 messages in a second (error 100).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways.ib import requests
from vtcore.gateways.ib.wire import CLIENT_VERSIONS, FrameError, FrameReader, encode, greeting


@dataclass
class Pacer:
    """A token bucket: `burst` messages at once, `rate` a second after that. TWS disconnects a client that
    sends more than 50 in a second (error 100); 8 + 40 keeps under that in any second even when messages
    bunch up on the way (TWS counts them as it reads them, not as they were sent)."""

    rate: float = 40.0
    burst: float = 8.0

    def __post_init__(self) -> None:
        self._tokens = self.burst
        self._stamp = 0.0

    def delay(self, now: float) -> float:
        """Seconds to wait before the next message may go (0: now, and the message is counted)."""
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0 - 1e-9:  # (a wait of exactly the computed time may leave 0.999...)
            self._tokens = max(0.0, self._tokens - 1.0)
            return 0.0
        return (1.0 - self._tokens) / self.rate


class TwsConnection:
    """Connects to TWS and keeps reconnecting until `stop()`; the gateway sees messages and session edges."""

    def __init__(  # noqa: PLR0917 - one connection's parameters and the gateway's three callbacks
        self,
        host: str,
        port: int,
        client_id: int,
        on_message: Callable[[list[str]], None],
        on_session: Callable[[int], None],
        on_lost: Callable[[str], None],
        backoff: Backoff,
        connect_timeout: float = 10.0,
        pacer: Pacer | None = None,
    ) -> None:
        self.host, self.port, self.client_id = host, port, client_id
        self._on_message, self._on_session, self._on_lost = on_message, on_session, on_lost
        self._backoff = backoff
        self._connect_timeout = connect_timeout
        self._pacer = pacer or Pacer()
        self._writer: asyncio.StreamWriter | None = None
        self._outbox: collections.deque[bytes] = collections.deque()
        self._wake = asyncio.Event()
        self._stopping = False
        self.version = 0
        self.sent_messages = 0

    @property
    def connected(self) -> bool:
        return self._writer is not None and self.version > 0

    def send(self, fields: list[object]) -> bool:
        """Queue one message (loop thread); False when no session is up (the message is not kept: after a
        reconnect the gateway asks again for what it needs)."""
        if not self.connected:
            return False
        self._outbox.append(encode(fields))
        self._wake.set()
        return True

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    async def run(self) -> None:
        attempt = 0
        sender = asyncio.ensure_future(self._send_loop())
        try:
            while not self._stopping:
                reason = await self._session()
                if self._stopping:
                    break
                self._on_lost(reason)
                if self.version:
                    attempt = 0  # the session had come up: start backing off again from the shortest delay
                self.version = 0
                await asyncio.sleep(self._backoff.delay(attempt))
                attempt += 1
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _session(self) -> str:
        """One connection from connect to its end; returns why it ended."""
        opened: asyncio.StreamWriter | None = None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self._connect_timeout
            )
            opened = writer
            writer.write(greeting(*CLIENT_VERSIONS))
            frames = FrameReader()
            pending: list[list[str]] = []
            while not pending:
                data = await asyncio.wait_for(reader.read(65536), self._connect_timeout)
                if not data:
                    return "TWS closed the connection during the handshake"
                pending = frames.feed(data)
            first = pending.pop(0)
            version = int(first[0])
            if not CLIENT_VERSIONS[0] <= version <= CLIENT_VERSIONS[1]:
                return f"TWS answered server version {version}, outside {CLIENT_VERSIONS}"
            self.version = version
            self._outbox.clear()
            self._writer = writer
            writer.write(encode(requests.start_api(self.client_id)))
            self._on_session(version)
            for fields in pending:
                self._on_message(fields)
            while True:
                data = await reader.read(262144)
                if not data:
                    return "TWS closed the connection"
                for fields in frames.feed(data):
                    self._on_message(fields)
        except (OSError, asyncio.TimeoutError) as exc:
            return f"connection to {self.host}:{self.port} failed: {exc or type(exc).__name__}"
        except (FrameError, ValueError) as exc:
            return f"TWS sent a malformed message: {exc}"
        finally:
            self._writer = None
            if opened is not None:
                opened.close()

    async def _send_loop(self) -> None:
        pacer = self._pacer
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox and self._writer is not None:
                wait = pacer.delay(time.monotonic())
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                writer = self._writer
                if writer is None:
                    break
                writer.write(self._outbox.popleft())
                self.sent_messages += 1
