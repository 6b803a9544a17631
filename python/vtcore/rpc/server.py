"""The RPC transport's server side: a ROUTER socket for requests, a PUB socket for events, CURVE + ZAP.

Threads:
- the I/O thread owns the ROUTER socket, the ZAP handler and the socket monitor. It validates every request
  (msgspec against the tagged union of calls), answers pings itself and hands calls to the worker pool;
- a small worker pool runs the calls. Each client has its own ordered lane (at most one of its calls runs at a
  time, in arrival order, so a cancel never overtakes the order it cancels), while different clients run in
  parallel: one client's slow call never blocks another's. Calls marked `unordered` (history queries, the slow
  ones) run in a separate pool so they cannot fill the ordered lanes;
- any thread may `publish`: the PUB socket is guarded by a lock (a PUB send never blocks; a subscriber that
  falls behind its high-water mark loses messages, which it detects from the sequence numbers).

A request that cannot be decoded (msgpack nested too deeply included), names an unknown function or has bad
arguments gets an error reply (when its id can be read) and a throttled log line; the server keeps serving
everyone else. Frames over `max_request_bytes` never reach Python: ZeroMQ (ZMQ_MAXMSGSIZE) drops the
connection that sent them, and the monitor logs it.

Access: the allow-list is read at every handshake and again every heartbeat while clients are connected; when
a connected client's key has left it, both sockets are closed and bound again at the same endpoints, which
ends every session (ZeroMQ cannot drop one peer of a PUB socket): the allowed clients reconnect by themselves
(and resync from the sequence numbers), the removed one is refused at its new handshake. Refused handshakes
are logged at most LOG_BURST times per `log_window` (LOG_WINDOW s), then counted in one line per window.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import re
import threading
import time
import typing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import msgspec
import zmq
from zmq.utils import z85
from zmq.utils.monitor import recv_monitor_message

from vtcore.log import get_logger, mask_secrets
from vtcore.rpc.keys import CurveKeyPair, fingerprint
from vtcore.rpc.protocol import (
    HEARTBEAT_INTERVAL,
    HEARTBEAT_MISSES,
    HEARTBEAT_TOPIC,
    MAX_REQUEST_BYTES,
    MAX_SUBSCRIPTION_BYTES,
    ZAP_DOMAIN,
    Bye,
    Call,
    Ping,
    Reply,
    RequestHeader,
    RpcError,
    ServerInfo,
    check_address,
)

LogFunction = Callable[[int, str], None]
_SNDMORE = int(zmq.SNDMORE)
_NOBLOCK = int(zmq.NOBLOCK)
_SNDMORE_NOBLOCK = _SNDMORE | _NOBLOCK
_RCVMORE = int(zmq.RCVMORE)
_EVENTS = int(zmq.EVENTS)
_POLLIN = int(zmq.POLLIN)
_logger = get_logger("vtcore.rpc.server")

#: Calls one client may have waiting in its lane before the server answers "busy".
MAX_PENDING_PER_CLIENT = 1000
PUB_HIGH_WATER_MARK = 200_000
LOG_BURST = 5  # lines per key ...
LOG_WINDOW = 10.0  # ... per this many seconds
_MONITOR_EVENTS: dict[int, str] = {
    zmq.EVENT_ACCEPTED: "accepted a connection",
    zmq.EVENT_DISCONNECTED: "a connection closed (the peer left, or broke the protocol, e.g. a frame over "
    "the size limit)",
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "refused a connection: the handshake failed",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "refused a connection: protocol error in the handshake",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "refused a connection: authentication failed",
}


@dataclass(eq=False)
class _Client:
    identity: bytes
    label: str
    last_seen: float
    lane: collections.deque[Call] = field(default_factory=collections.deque)
    running: bool = False
    pings: bool = False  # the client's heartbeat connection (its call sockets do not ping)


class RpcServer:
    """Serves `dispatch(call) -> result` for the given call types and publishes `[topic, payload]` frames.

    `keypair` None means no CURVE (then only loopback addresses may be bound). `authorized` returns the
    current allow-list (public key -> name); it is read again at every handshake, so keys added later take
    effect without a restart. `info` returns the last sequence number of the published ordered stream.
    """

    def __init__(
        self,
        dispatch: Callable[[Call], Any],
        call_types: Sequence[type[Call]],
        *,
        keypair: CurveKeyPair | None,
        authorized: Callable[[], Mapping[bytes, str]] | None = None,
        workers: int = 4,
        slow_workers: int = 2,
        info: Callable[[], int] | None = None,
        log: LogFunction | None = None,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        heartbeat_interval: float = HEARTBEAT_INTERVAL,
        log_window: float = LOG_WINDOW,
    ) -> None:
        if keypair is not None and authorized is None:
            raise ValueError("CURVE needs an allow-list of client keys (authorized)")
        self._dispatch = dispatch
        self._decoder = msgspec.msgpack.Decoder(_union((Ping, Bye, *call_types)))
        self._header_decoder = msgspec.msgpack.Decoder(RequestHeader)
        self._encoder = msgspec.msgpack.Encoder()
        self._keypair = keypair
        self._authorized = authorized
        self._workers = workers
        self._slow_workers = slow_workers
        self._info = info or (lambda: 0)
        self._log_function = log
        self._max_request_bytes = max_request_bytes
        self._heartbeat_interval = heartbeat_interval
        self.epoch = int.from_bytes(os.urandom(7), "big")

        self._context: zmq.Context[zmq.Socket[bytes]] | None = None
        self._router: zmq.Socket[bytes] | None = None
        self._pub: zmq.Socket[bytes] | None = None
        self._pub_lock = threading.Lock()
        self._reply_push: zmq.Socket[bytes] | None = None
        self._reply_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._io_thread_id = 0
        self._running = False
        self._pool: ThreadPoolExecutor | None = None
        self._slow_pool: ThreadPoolExecutor | None = None
        self._lane_lock = threading.Lock()
        self._clients: dict[bytes, _Client] = {}
        self._slow_pending = 0
        self.rep_endpoint = ""
        self.pub_endpoint = ""
        self._log_lock = threading.Lock()
        self._log_window = log_window
        self._log_windows: dict[str, _LogWindow] = {}
        self._admitted: dict[bytes, str] = {}  # keys that passed the handshake since the sockets were bound
        self.rejected = 0  # requests refused (bad bytes, unknown call, bad arguments, busy)
        self.revocations = 0  # times the sockets were bound again to end a removed client's session

    # -- life cycle -------------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._running

    @property
    def secure(self) -> bool:
        return self._keypair is not None

    def start(self, rep_address: str, pub_address: str) -> None:
        """Bind both sockets and start serving. Raises InsecureAddressError or ZMQError; nothing is left
        open."""
        if self._running:
            raise RpcError("the RPC server is already running")
        check_address(rep_address, self.secure)
        check_address(pub_address, self.secure)
        context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        try:
            self._open_sockets(context, rep_address, pub_address)
        except BaseException:
            context.destroy(linger=0)
            raise
        self._context = context
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="rpc-worker")
        self._slow_pool = ThreadPoolExecutor(self._slow_workers, thread_name_prefix="rpc-slow")
        self._running = True
        self._thread = threading.Thread(target=self._run, name="rpc-server-io", daemon=True)
        self._thread.start()

    def _open_sockets(
        self, context: zmq.Context[zmq.Socket[bytes]], rep_address: str, pub_address: str
    ) -> None:
        if self._keypair is not None:
            # The ZAP handler must be bound before any CURVE socket binds, or handshakes would skip it.
            self._zap = context.socket(zmq.REP)
            self._zap.linger = 0
            self._zap.bind("inproc://zeromq.zap.01")
        self._reply_pull = context.socket(zmq.PULL)
        self._reply_pull.rcvhwm = 0
        self._reply_pull.bind("inproc://vtcore.rpc.replies")
        self._reply_push = context.socket(zmq.PUSH)
        self._reply_push.sndhwm = 0
        self._reply_push.connect("inproc://vtcore.rpc.replies")

        self._open_public_sockets(context, rep_address, pub_address)

    def _open_public_sockets(
        self, context: zmq.Context[zmq.Socket[bytes]], rep_address: str, pub_address: str
    ) -> None:
        """The ROUTER (with its monitor) and the PUB socket: the ones peers connect to. Nothing is left open
        when a bind fails."""
        router = context.socket(zmq.ROUTER)
        pub = context.socket(zmq.PUB)
        monitor: zmq.Socket[bytes] | None = None
        try:
            self._secure_server(router)
            router.setsockopt(zmq.MAXMSGSIZE, self._max_request_bytes)
            router.setsockopt(zmq.HEARTBEAT_IVL, int(self._heartbeat_interval * 1000))
            router.setsockopt(zmq.HEARTBEAT_TIMEOUT, int(self._heartbeat_interval * 1000 * HEARTBEAT_MISSES))
            router.linger = 0
            monitor = router.get_monitor_socket(sum(_MONITOR_EVENTS))
            router.bind(rep_address)
            self._secure_server(pub)
            pub.setsockopt(zmq.MAXMSGSIZE, MAX_SUBSCRIPTION_BYTES)
            pub.sndhwm = PUB_HIGH_WATER_MARK
            pub.linger = 0
            pub.bind(pub_address)
        except BaseException:
            _close_public_sockets(router, monitor, pub)
            raise
        self._router, self._monitor, self._pub = router, monitor, pub
        self.rep_endpoint = router.getsockopt_string(zmq.LAST_ENDPOINT)
        self.pub_endpoint = pub.getsockopt_string(zmq.LAST_ENDPOINT)

    def _secure_server(self, socket: zmq.Socket[bytes]) -> None:
        if self._keypair is None:
            return
        socket.setsockopt(zmq.ZAP_DOMAIN, ZAP_DOMAIN.encode())
        socket.curve_server = True
        socket.curve_secretkey = self._keypair.secret
        socket.curve_publickey = self._keypair.public

    def stop(self) -> None:
        """Stop serving and close the sockets; calls still running finish but their replies are dropped."""
        if not self._running:
            return
        self._running = False
        with self._reply_lock, contextlib.suppress(zmq.ZMQError):
            assert self._reply_push is not None
            self._reply_push.send_multipart([b"", b""])  # wakes the I/O thread
        if self._thread is not None:
            self._thread.join(timeout=10)
        for pool in (self._pool, self._slow_pool):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        with self._pub_lock, self._reply_lock:
            if self._context is not None:
                self._context.destroy(linger=0)
            self._context = None
            self._pub = None
            self._reply_push = None
        self._clients.clear()

    # -- publishing -------------------------------------------------------------------------------------

    def publish(self, topic: bytes, payload: bytes) -> bool:
        """Send one `[topic, payload]` message to every subscriber of `topic`; False once stopped."""
        with self._pub_lock:
            pub = self._pub
            if pub is None:
                return False
            # Two plain sends with int flags: a third of send_multipart's cost, which matters per tick.
            pub.send(topic, _SNDMORE)
            pub.send(payload, 0, copy=len(payload) < 65536)
            return True

    def server_info(self) -> ServerInfo:
        return ServerInfo(epoch=self.epoch, seq=self._info(), time_ns=time.time_ns())

    # -- the I/O thread ---------------------------------------------------------------------------------

    def _new_poller(self) -> zmq.Poller:
        poller = zmq.Poller()
        poller.register(self._router, zmq.POLLIN)
        poller.register(self._reply_pull, zmq.POLLIN)
        poller.register(self._monitor, zmq.POLLIN)
        if self._keypair is not None:
            poller.register(self._zap, zmq.POLLIN)
        return poller

    def _run(self) -> None:
        assert self._router is not None
        self._io_thread_id = threading.get_ident()
        poller = self._new_poller()
        next_heartbeat = time.monotonic()
        while self._running:
            try:
                timeout_ms = max(0.0, (next_heartbeat - time.monotonic()) * 1000)
                ready = dict(poller.poll(int(timeout_ms)))
                if self._keypair is not None and self._zap in ready:
                    self._answer_zap()
                if self._reply_pull in ready:
                    self._forward_replies()
                if self._router in ready:
                    self._receive_requests()
                if self._monitor in ready:
                    self._read_monitor()
                now = time.monotonic()
                if now >= next_heartbeat:
                    self.publish(HEARTBEAT_TOPIC, self._encoder.encode(self.server_info()))
                    self._forget_silent_clients(now)
                    self._report_suppressed(now)
                    if self._revoked_clients():
                        poller = self._new_poller()
                    next_heartbeat = now + self._heartbeat_interval
            except zmq.ContextTerminated:
                break
            except Exception:
                # Never let one bad event end the serving thread (vn.py's did on a malformed request).
                _logger.exception("RPC server I/O loop error")

    def _receive_requests(self) -> None:
        # Plain receives of bytes (a new client's request alone is received as a Frame, whose properties name
        # the peer): a quarter of recv_multipart(copy=False)'s cost for small requests. Every ROUTER message
        # has a frame after the identity; more than one is refused.
        router = self._router
        assert router is not None
        recv = router.recv
        for index in range(256):  # bounded, so replies and heartbeats are never starved
            # The poller said the first one is there; asking beats raising zmq.Again for the last one.
            if index and not int(router.get(_EVENTS)) & _POLLIN:
                return
            try:
                identity = recv(_NOBLOCK)
            except zmq.Again:
                return
            client = self._clients.get(identity)
            request: bytes | zmq.Frame = recv(_NOBLOCK) if client is not None else recv(_NOBLOCK, copy=False)
            if router.get(_RCVMORE):
                extra = 0
                while router.get(_RCVMORE):
                    recv(_NOBLOCK)
                    extra += 1
                self._refuse(identity, 0, f"expected one request frame, got {extra + 1}", None)
                continue
            if client is None:
                assert isinstance(request, zmq.Frame)
                client = _Client(identity, self._describe_peer(request), time.monotonic())
                self._clients[identity] = client
                request = request.bytes
            assert isinstance(request, bytes)
            self._handle_request(client, request)

    def _handle_request(self, client: _Client, data: bytes) -> None:
        identity = client.identity
        client.last_seen = time.monotonic()
        try:
            call = self._decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
            self._refuse_malformed(client, data, exc)
            return
        if isinstance(call, Ping):
            if not client.pings:
                client.pings = True
                self._log(logging.INFO, f"RPC client {client.label} connected")
            self._send_reply(
                identity, Reply(call.id, True, result=msgspec.Raw(self._encoder.encode(self.server_info())))
            )
            return
        if isinstance(call, Bye):
            if client.pings:
                self._log(logging.INFO, f"RPC client {client.label} disconnected")
            with self._lane_lock:
                if not client.running:
                    self._clients.pop(identity, None)
            return
        self._submit(client, call)

    def _refuse_malformed(self, client: _Client, data: bytes, exc: Exception) -> None:
        # msgspec recurses once per nesting level (also to skip an unknown field), so deep nesting ends in
        # RecursionError, which is refused like any malformed request.
        try:
            if isinstance(exc, RecursionError):
                raise exc
            header = self._header_decoder.decode(data)
        except RecursionError:
            reason = f"malformed request ({len(data)} bytes, nested too deeply)"
            self._refuse(client.identity, 0, reason, client)
            return
        except (msgspec.DecodeError, msgspec.ValidationError):
            reason = f"malformed request ({len(data)} bytes, not a msgpack request map)"
            self._refuse(client.identity, 0, reason, client)
            return
        if not header.m:
            reason = "request names no function"
        elif isinstance(exc, msgspec.ValidationError) and "`$.m`" in str(exc):
            reason = f"unknown function {header.m[:64]!r}"
        else:
            reason = f"bad arguments for {header.m[:64]!r}: {exc}"
        self._refuse(client.identity, header.id, reason, client)

    def _refuse(self, identity: bytes, request_id: int, reason: str, client: _Client | None) -> None:
        self.rejected += 1
        label = client.label if client is not None else identity.hex()
        self._log(
            logging.WARNING,
            f"RPC request from {label} rejected: {reason}",
            key=f"{label} {re.sub(r'[0-9]+', '#', reason)[:80]}",
        )
        self._send_reply(identity, Reply(request_id, False, error=reason))

    def _describe_peer(self, frame: zmq.Frame) -> str:
        address = _frame_property(frame, "Peer-Address") or "?"
        user = _frame_property(frame, "User-Id")
        if not user:
            return f"{address}"
        name = "?"
        if self._authorized is not None:
            name = self._authorized().get(user.encode("ascii"), "?")
        return f"{name} ({fingerprint(user.encode('ascii'))}…) at {address}"

    def _answer_zap(self) -> None:
        frames = self._zap.recv_multipart()
        if len(frames) < 6:
            return
        version, request_id, _domain, address, _identity, mechanism = frames[:6]
        credentials = frames[6:]
        status, text, user = b"400", b"CURVE required", b""
        where = address.decode("ascii", "replace")
        if mechanism == b"CURVE" and len(credentials) == 1 and len(credentials[0]) == 32:
            key = z85.encode(credentials[0])
            assert self._authorized is not None
            name = self._authorized().get(key)
            if name is not None:
                status, text, user = b"200", b"OK", key
                self._admitted[key] = name
            else:
                text = b"client key not authorized"
                self.rejected += 1
                # One throttle for every refused key: a peer that makes up a new key per attempt must not
                # get a log line per attempt.
                self._log(
                    logging.WARNING,
                    f"RPC refused client key {fingerprint(key)}… from {where}: not in the allow-list",
                    key="zap: key not in the allow-list",
                )
        else:
            self.rejected += 1
            kind = mechanism.decode("ascii", "replace")
            self._log(
                logging.WARNING,
                f"RPC refused a {kind[:16]!r} connection from {where}: CURVE required",
                key="zap: no CURVE",
            )
        self._zap.send_multipart([version, request_id, status, text, user, b""])

    def _read_monitor(self) -> None:
        for _ in range(64):
            try:
                event = recv_monitor_message(self._monitor, zmq.NOBLOCK)
            except zmq.Again:
                return
            text = _MONITOR_EVENTS.get(int(event["event"]))
            if text is None:
                continue
            level = logging.DEBUG if event["event"] == zmq.EVENT_ACCEPTED else logging.INFO
            if event["event"] in (
                zmq.EVENT_HANDSHAKE_FAILED_AUTH,
                zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
                zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
            ):
                level = logging.WARNING
            self._log(level, f"RPC server {text}", key=text)

    def _forward_replies(self) -> None:
        assert self._router is not None
        for _ in range(1024):
            try:
                identity, payload = self._reply_pull.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if identity:
                self._route_reply(identity, payload)

    def _forget_silent_clients(self, now: float) -> None:
        limit = self._heartbeat_interval * HEARTBEAT_MISSES
        with self._lane_lock:
            silent = [c for c in self._clients.values() if now - c.last_seen > limit and not c.running]
            for client in silent:
                del self._clients[client.identity]
        for client in silent:
            if not client.pings:
                continue  # an idle call socket of a client: its heartbeat connection speaks for it
            self._log(logging.WARNING, f"RPC client {client.label} lost (no heartbeat for {limit:.0f} s)")

    def _revoked_clients(self) -> bool:
        """On the I/O thread, every heartbeat: end the sessions of admitted keys that left the allow-list by
        binding both sockets again. True when it did (the caller needs a new poller)."""
        if not self._admitted or self._authorized is None:
            return False
        allowed = self._authorized()
        removed = {key: name for key, name in self._admitted.items() if key not in allowed}
        if not removed:
            return False
        assert self._context is not None
        with self._pub_lock:
            _close_public_sockets(self._router, self._monitor, self._pub)
            self._router = self._pub = None
            self._open_public_sockets_again(self._context)
        with self._lane_lock:
            self._clients.clear()  # their connections are gone; replies to them could not be routed
        self._admitted = {}
        self.revocations += 1
        for key, name in removed.items():
            self._log(
                logging.WARNING,
                f"RPC client {name} ({fingerprint(key)}…) was removed from the "
                "allow-list: its session has ended (every client reconnected)",
            )
        return True

    def _open_public_sockets_again(self, context: zmq.Context[zmq.Socket[bytes]]) -> None:
        """Bind the same endpoints again; ZeroMQ releases a closed socket's port asynchronously, so a bind can
        fail for a moment (bounded retries)."""
        deadline = time.monotonic() + 5.0
        while True:
            try:
                self._open_public_sockets(context, self.rep_endpoint, self.pub_endpoint)
                return
            except zmq.ZMQError as exc:
                if exc.errno != zmq.EADDRINUSE or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    # -- dispatch to the workers -----------------------------------------------------------------------

    def _submit(self, client: _Client, call: Call) -> None:
        if call.unordered:
            with self._lane_lock:
                busy = self._slow_pending >= MAX_PENDING_PER_CLIENT
                if not busy:
                    self._slow_pending += 1
            if busy:
                self._refuse(client.identity, call.id, "server busy: too many slow calls waiting", client)
                return
            assert self._slow_pool is not None
            self._slow_pool.submit(self._run_slow, client.identity, call)
            return
        if call.inline:
            with self._lane_lock:
                idle = not client.running
            if idle:  # nothing of this client's is running or queued, so answering now keeps its order
                self._execute(client.identity, call)
                return
        with self._lane_lock:
            if len(client.lane) >= MAX_PENDING_PER_CLIENT:
                busy = True
            else:
                busy = False
                client.lane.append(call)
                start = not client.running
                client.running = True
        if busy:
            self._refuse(
                client.identity, call.id, "server busy: too many calls waiting from this client", client
            )
            return
        if start:
            assert self._pool is not None
            self._pool.submit(self._run_lane, client)

    def _run_lane(self, client: _Client) -> None:
        while self._running:
            with self._lane_lock:
                if not client.lane:
                    client.running = False
                    return
                call = client.lane.popleft()
            self._execute(client.identity, call)
        client.running = False

    def _run_slow(self, identity: bytes, call: Call) -> None:
        try:
            self._execute(identity, call)
        finally:
            with self._lane_lock:
                self._slow_pending -= 1

    def _execute(self, identity: bytes, call: Call) -> None:
        try:
            result = self._dispatch(call)
            reply = Reply(call.id, True, result=msgspec.Raw(self._encoder.encode(result)))
        except Exception as exc:
            _logger.warning("RPC call %s failed", type(call).__name__, exc_info=True)
            reply = Reply(call.id, False, error=mask_secrets(f"{type(exc).__name__}: {exc}"))
        self._send_reply(identity, reply)

    def _send_reply(self, identity: bytes, reply: Reply) -> None:
        payload = self._encoder.encode(reply)
        if threading.get_ident() == self._io_thread_id:
            self._route_reply(identity, payload)
            return
        with self._reply_lock:
            if self._reply_push is not None:
                self._reply_push.send_multipart((identity, payload))

    def _route_reply(self, identity: bytes, payload: bytes) -> None:
        """On the I/O thread: two plain sends (a ROUTER drops what it cannot route: a client gone, or a full
        peer queue, whose client then times out)."""
        router = self._router
        assert router is not None
        with contextlib.suppress(zmq.Again):
            router.send(identity, _SNDMORE_NOBLOCK)
            router.send(payload, _NOBLOCK)

    def _log(self, level: int, message: str, key: str | None = None) -> None:
        """Log; lines with a `key` are limited to LOG_BURST per LOG_WINDOW seconds each, so a hostile peer
        that repeats itself cannot flood the log. The lines held back are counted and reported in one line
        when their window ends (`_report_suppressed`, every heartbeat)."""
        if key is not None:
            now = time.monotonic()
            with self._log_lock:
                window = self._log_windows.get(key)
                if window is None or now - window.start > self._log_window:
                    if window is not None and window.suppressed:
                        self._emit(window.level, window.summary())
                    if len(self._log_windows) > 10_000:
                        self._log_windows.clear()
                    window = self._log_windows[key] = _LogWindow(now, level, key, self._log_window)
                if window.count >= LOG_BURST:
                    window.suppressed += 1
                    return
                window.count += 1
        self._emit(level, message)

    def _report_suppressed(self, now: float) -> None:
        """One line per throttled key whose window has ended with lines held back."""
        with self._log_lock:
            ended = [
                key for key, window in self._log_windows.items() if now - window.start > self._log_window
            ]
            windows = [self._log_windows.pop(key) for key in ended]
        for window in windows:
            if window.suppressed:
                self._emit(window.level, window.summary())

    def _emit(self, level: int, message: str) -> None:
        if self._log_function is not None:
            self._log_function(level, message)
        else:
            _logger.log(level, message)


@dataclass(eq=False)
class _LogWindow:
    """Throttling state of one kind of log line."""

    start: float
    level: int
    key: str
    length: float
    count: int = 0
    suppressed: int = 0

    def summary(self) -> str:
        return (
            f"RPC server: {self.suppressed} more line(s) like '{self.key}' in {self.length:g} s, not logged"
        )


def _close_public_sockets(
    router: zmq.Socket[bytes] | None, monitor: zmq.Socket[bytes] | None, pub: zmq.Socket[bytes] | None
) -> None:
    if router is not None:
        if monitor is not None:
            with contextlib.suppress(zmq.ZMQError):
                router.disable_monitor()
        router.close(linger=0)
    for socket in (monitor, pub):
        if socket is not None:
            socket.close(linger=0)


def _union(types: Sequence[type[Call]]) -> Any:
    """`Union[types...]` built at run time for msgspec."""
    return typing.Union[tuple(types)]  # noqa: UP007 (a run-time union of classes)


def _frame_property(frame: zmq.Frame, name: str) -> str:
    try:
        value = frame.get(name)
    except (zmq.ZMQError, UnicodeDecodeError):
        return ""
    return value if isinstance(value, str) else ""
