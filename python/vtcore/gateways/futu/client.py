"""One connection to FutuOpenD on the shared transport loop: connect, InitConnect, keep-alive, requests by
serial number, pushes, and reconnecting when OpenD goes away.

`OpenDConnection.run()` keeps a session up until `stop()`: it connects, sends InitConnect, then reads packets
and hands each push to the gateway; `request()` sends a request and waits for the reply with its proto id and
serial number. A keep-alive goes every 4/5 of the interval OpenD asked for; when OpenD has sent nothing for
`keep_alive_misses` intervals the session is treated as dead (a hung OpenD keeps its socket open) and the
connection starts again, with backoff. A body whose SHA1 does not match its header, or that does not parse,
is counted and logged and the connection kept (the header's length keeps the stream in step); a header that
is not Futu's ends the session, since nothing after it can be trusted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from typing import Any

from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways.futu.proto import (
    HEADER_SIZE,
    PUSHES,
    FrameError,
    Header,
    ProtoId,
    body_intact,
    decode_header,
    encode,
    messages,
)

#: OpenD's `retType` for success
RET_OK = 0


class OpenDError(Exception):
    """OpenD answered a request with a failure: `text` is OpenD's own message."""

    def __init__(self, proto_id: int, ret_type: int, text: str, err_code: int = 0) -> None:
        super().__init__(text or f"proto {proto_id} failed (retType {ret_type}, errCode {err_code})")
        self.proto_id, self.ret_type, self.text, self.err_code = proto_id, ret_type, text, err_code


class MalformedBodyError(ValueError):
    """A packet's body failed its SHA1 check or did not parse as the proto's message."""


class OpenDConnection:
    """Connects to OpenD and keeps reconnecting until `stop()`; the gateway sees pushes and session edges."""

    def __init__(  # noqa: PLR0917 - one connection's parameters and the gateway's callbacks
        self,
        host: str,
        port: int,
        client_id: str,
        client_version: int,
        on_push: Callable[[int, bytes], None],
        on_session: Callable[[Any], None],
        on_lost: Callable[[str], None],
        on_malformed: Callable[[str], None],
        backoff: Backoff,
        connect_timeout: float = 10.0,
        request_timeout: float = 15.0,
        keep_alive_misses: float = 3.0,
    ) -> None:
        self.host, self.port = host, port
        self.client_id, self.client_version = client_id, client_version
        self._on_push, self._on_session, self._on_lost = on_push, on_session, on_lost
        self._on_malformed = on_malformed
        self.backoff = backoff
        self.connect_timeout, self.request_timeout = connect_timeout, request_timeout
        self.keep_alive_misses = keep_alive_misses
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[tuple[int, int], asyncio.Future[Any]] = {}
        self._serials = itertools.count(1)
        self._stopping = False
        self._last_received = 0.0
        self.conn_id = 0
        self.user_id = 0
        self.keep_alive_interval = 10.0
        self.sessions = 0  # sessions opened so far (1 after the first InitConnect)

    @property
    def connected(self) -> bool:
        return self._writer is not None and self.conn_id != 0

    def next_serial(self) -> int:
        return next(self._serials)

    async def request(self, proto_id: int, message: Any, serial: int | None = None) -> Any:
        """Send `message` (a `<proto>_pb2.Request`) and return OpenD's Response once `retType` is success.

        Raises OpenDError with OpenD's text on a failure, ConnectionError when no session is up or it ends
        before the reply, TimeoutError after `request_timeout`, MalformedBodyError when the reply is."""
        writer = self._writer
        if writer is None or (not self.conn_id and proto_id != ProtoId.InitConnect):
            raise ConnectionError("not connected to FutuOpenD")
        serial = self.next_serial() if serial is None else serial
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        key = (proto_id, serial)
        self._pending[key] = future
        try:
            writer.write(encode(proto_id, serial, message.SerializeToString()))
            response = await asyncio.wait_for(future, self.request_timeout)
        finally:
            self._pending.pop(key, None)
        if response.retType != RET_OK:
            raise OpenDError(proto_id, response.retType, response.retMsg, response.errCode)
        return response

    def stop(self) -> None:
        self._stopping = True
        writer = self._writer
        if writer is not None:
            writer.close()

    def drop(self) -> None:
        """End the current session (the next one starts after the backoff)."""
        writer = self._writer
        if writer is not None:
            writer.close()

    async def run(self) -> None:
        attempt = 0
        while not self._stopping:
            reason = "closed"
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.connect_timeout
                )
            except (OSError, asyncio.TimeoutError) as exc:
                reason = f"cannot reach FutuOpenD at {self.host}:{self.port}: {exc or type(exc).__name__}"
                self._on_lost(reason)
            else:
                reason = await self._session(reader, writer)
                if self.conn_id:
                    attempt = 0
                self.conn_id = 0
                self._on_lost(reason)
            if self._stopping:
                break
            await asyncio.sleep(self.backoff.delay(attempt))
            attempt += 1

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> str:
        self._writer = writer
        self._last_received = time.monotonic()
        reading = asyncio.ensure_future(self._read(reader))
        keeping: asyncio.Future[str] | None = None
        reason = "OpenD closed the connection"
        try:
            request = messages.request(ProtoId.InitConnect)
            request.c2s.clientVer = self.client_version
            request.c2s.clientID = self.client_id
            request.c2s.recvNotify = True
            request.c2s.packetEncAlgo = -1  # PacketEncAlgo_None: no RSA key is configured
            request.c2s.pushProtoFmt = 0
            request.c2s.programmingLanguage = "Python"
            init = asyncio.ensure_future(self.request(ProtoId.InitConnect, request))
            done, _ = await asyncio.wait({init, reading}, return_when=asyncio.FIRST_COMPLETED)
            if init not in done:
                init.cancel()
                return f"OpenD closed the connection during InitConnect ({_result_text(reading)})"
            try:
                s2c = init.result().s2c
            except (
                OpenDError,
                MalformedBodyError,
                ConnectionError,
                TimeoutError,
                asyncio.TimeoutError,
            ) as exc:
                return f"InitConnect failed: {exc}"
            self.conn_id, self.user_id = s2c.connID, s2c.loginUserID
            self.keep_alive_interval = float(max(1, s2c.keepAliveInterval))
            self.sessions += 1
            keeping = asyncio.ensure_future(self._keep_alive())
            self._on_session(s2c)
            done, _ = await asyncio.wait({reading, keeping}, return_when=asyncio.FIRST_COMPLETED)
            reason = _result_text(reading if reading in done else keeping)
        finally:
            for task in (reading, keeping):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            self._writer = None
            writer.close()
            lost = ConnectionError(f"connection to FutuOpenD lost: {reason}")
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(lost)
            self._pending.clear()
        return reason

    async def _read(self, reader: asyncio.StreamReader) -> str:
        while True:
            try:
                raw = await reader.readexactly(HEADER_SIZE)
                header = decode_header(raw)
                body = await reader.readexactly(header.body_len)
            except asyncio.IncompleteReadError:
                return "OpenD closed the connection"
            except FrameError as exc:
                self._on_malformed(str(exc))
                return f"stream lost step: {exc}"
            except OSError as exc:
                return f"socket error: {exc}"
            self._last_received = time.monotonic()
            self._dispatch(header, body)

    def _dispatch(self, header: Header, body: bytes) -> None:
        proto_id = header.proto_id
        if proto_id in PUSHES:
            if not body_intact(header, body):
                self._on_malformed(f"push {proto_id}: body fails its SHA1 check")
                return
            self._on_push(proto_id, body)
            return
        future = self._pending.get((proto_id, header.serial))
        if future is None or future.done():
            if proto_id != ProtoId.KeepAlive:
                self._on_malformed(f"reply {proto_id} #{header.serial} answers no request")
            return
        if not body_intact(header, body):
            problem = f"reply {proto_id} #{header.serial}: body fails its SHA1 check"
            self._on_malformed(problem)
            future.set_exception(MalformedBodyError(problem))
            return
        response = messages.response(proto_id)
        try:
            response.ParseFromString(body)
            if not response.IsInitialized():  # proto2: the required fields must all be there
                raise ValueError(
                    f"required fields missing ({', '.join(response.FindInitializationErrors()[:3])})"
                )
        except Exception as exc:  # protobuf's DecodeError, or the check above
            problem = f"reply {proto_id} #{header.serial}: {exc}"
            self._on_malformed(problem)
            future.set_exception(MalformedBodyError(problem))
            return
        future.set_result(response)

    async def _keep_alive(self) -> str:
        interval = self.keep_alive_interval
        while True:
            await asyncio.sleep(interval * 0.8)
            silent = time.monotonic() - self._last_received
            if silent > interval * self.keep_alive_misses:
                return f"OpenD sent nothing for {silent:.1f} s (missed keep-alives)"
            request = messages.request(ProtoId.KeepAlive)
            request.c2s.time = int(time.time())
            writer = self._writer
            if writer is None:
                return "closed"
            # the reply only refreshes `_last_received`: it is not awaited
            writer.write(encode(ProtoId.KeepAlive, self.next_serial(), request.SerializeToString()))


def _result_text(task: asyncio.Future[Any]) -> str:
    if task.cancelled():
        return "cancelled"
    error = task.exception()
    return str(error) if error is not None else str(task.result())
