"""The RPC transport's client side: DEALER sockets for requests, a SUB socket for events.

Each calling thread gets its own DEALER socket and does its own send and receive, so a call costs no thread
hand-off and calls from different threads run concurrently. A call that times out leaves nothing behind: a
late reply carries an old id and is dropped by the next call on that socket, so the next call works (vn.py's
REQ socket stayed wedged after a timeout). Requests are never queued inside ZeroMQ for a server that is not
connected (ZMQ_IMMEDIATE), so a request the server never received cannot reach a restarted server late.

One I/O thread owns the SUB socket and its own DEALER for pings: it passes publications to
`on_publication(topic, payload)`, sends a ping every heartbeat interval, watches the server's heartbeats and
reports the server's state through `on_state(state, info)`: "connected", "disconnected" (nothing heard for
HEARTBEAT_MISSES intervals), "restarted" (a new server epoch) and "refused" (the server's CURVE handshake
refused this client's key: it is not in the server's allow-list; seen on a socket monitor, once per refusal
streak, since ZeroMQ itself only retries silently). Callbacks run on the I/O thread and must not
call `call()` themselves (hand the work to another thread).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import msgspec
import zmq
import zmq.utils.monitor

from vtcore.log import get_logger
from vtcore.rpc.keys import CurveKeyPair
from vtcore.rpc.protocol import (
    HEARTBEAT_INTERVAL,
    HEARTBEAT_MISSES,
    HEARTBEAT_TOPIC,
    MAX_CLIENT_FRAME_BYTES,
    Bye,
    Call,
    NotConnectedError,
    Ping,
    RemoteError,
    Reply,
    RpcError,
    RpcTimeoutError,
    ServerInfo,
    check_address,
)

T = TypeVar("T")
_logger = get_logger("vtcore.rpc.client")
PublicationHandler = Callable[[bytes, bytes], bool]
_NOBLOCK = int(zmq.NOBLOCK)
_RECEIVE_SLICE = 0.1  # seconds a calling thread blocks in one receive before it checks for close()
_RCVMORE = int(zmq.RCVMORE)
StateHandler = Callable[[str, ServerInfo | None], None]
HeartbeatHandler = Callable[[ServerInfo], None]

CONNECTED = "connected"
DISCONNECTED = "disconnected"
REFUSED = "refused"
RESTARTED = "restarted"
SUB_HIGH_WATER_MARK = 200_000


class RpcClient:
    """Talks to one `RpcServer`. `server_public_key` None means no CURVE (loopback servers only)."""

    def __init__(
        self,
        *,
        server_public_key: bytes | None,
        keypair: CurveKeyPair | None,
        on_publication: PublicationHandler | None = None,
        on_state: StateHandler | None = None,
        on_heartbeat: HeartbeatHandler | None = None,
        heartbeat_interval: float = HEARTBEAT_INTERVAL,
    ) -> None:
        if server_public_key is not None and keypair is None:
            raise ValueError("CURVE needs the client's own key pair as well as the server's public key")
        self._server_key = server_public_key
        self._keypair = keypair
        self._on_publication = on_publication or (lambda topic, payload: True)
        self._on_state = on_state or (lambda state, info: None)
        self._on_heartbeat = on_heartbeat or (lambda info: None)
        self._heartbeat_interval = heartbeat_interval
        self._encoder = msgspec.msgpack.Encoder()
        self._reply_decoder = msgspec.msgpack.Decoder(Reply)
        self._info_decoder = msgspec.msgpack.Decoder(ServerInfo)
        self._result_decoders: dict[Any, msgspec.msgpack.Decoder[Any]] = {}
        self._ids = itertools.count(1)
        self._ping = self._encoder.encode(Ping(id=0))
        self._context: zmq.Context[zmq.Socket[bytes]] | None = None
        self._local = threading.local()
        self._sockets: dict[threading.Thread, zmq.Socket[bytes]] = {}  # the calling threads' sockets
        self._sockets_lock = threading.Lock()
        self._req_address = ""
        self._thread: threading.Thread | None = None
        self._running = False
        self._connected = False
        self._lost = False  # was connected, then stopped hearing from the server
        self._last_heard = 0.0
        self.server_info: ServerInfo | None = None
        self.publications = 0
        self.refused = False  # the server's last handshake refused this client's key

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def active(self) -> bool:
        return self._running

    def start(self, req_address: str, sub_address: str, topics: Iterable[bytes] = (b"",)) -> None:
        """Connect (ZeroMQ connects in the background and reconnects by itself) and start the I/O thread."""
        if self._running:
            raise RpcError("the RPC client is already running")
        secure = self._server_key is not None
        check_address(req_address, secure)
        check_address(sub_address, secure)
        context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self._req_address = req_address
        self._handshake_monitor: zmq.Socket[bytes] | None = None
        try:
            self._context = context
            dealer = self._new_dealer(for_caller=False)
            sub = context.socket(zmq.SUB)
            sub.rcvhwm = SUB_HIGH_WATER_MARK
            self._configure(sub)
            sub.setsockopt(zmq.SUBSCRIBE, HEARTBEAT_TOPIC)
            for topic in topics:
                sub.setsockopt(zmq.SUBSCRIBE, topic)
            sub.connect(sub_address)
        except BaseException:
            self._context = None
            context.destroy(linger=0)
            raise
        self._running = True
        self._last_heard = time.monotonic()
        self._thread = threading.Thread(
            target=self._run, args=(dealer, sub), name="rpc-client-io", daemon=True
        )
        self._thread.start()

    def _configure(self, socket: zmq.Socket[bytes]) -> None:
        if self._server_key is not None and self._keypair is not None:
            socket.curve_serverkey = self._server_key
            socket.curve_publickey = self._keypair.public
            socket.curve_secretkey = self._keypair.secret
        socket.linger = 0
        socket.setsockopt(zmq.MAXMSGSIZE, MAX_CLIENT_FRAME_BYTES)
        socket.setsockopt(zmq.RECONNECT_IVL, 100)
        socket.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
        socket.setsockopt(zmq.HEARTBEAT_IVL, int(self._heartbeat_interval * 1000))
        socket.setsockopt(zmq.HEARTBEAT_TIMEOUT, int(self._heartbeat_interval * 1000 * HEARTBEAT_MISSES))

    def _new_dealer(self, for_caller: bool = True) -> zmq.Socket[bytes]:
        """A request socket for the calling thread (each has its own, so calls need no hand-off), or for the
        I/O thread's pings (`for_caller=False`: closed with the context)."""
        assert self._context is not None
        dealer = self._context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.IMMEDIATE, 1)  # never queue a request for a server that is not connected
        self._configure(dealer)
        if not for_caller and self._server_key is not None:
            # A refused CURVE handshake is visible only on a monitor, and only to one attached before the
            # connection: a refusal that came first would never be seen.
            events = zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED
            self._handshake_monitor = dealer.get_monitor_socket(events)
        dealer.connect(self._req_address)
        if not for_caller:
            return dealer
        dealer.rcvtimeo = int(_RECEIVE_SLICE * 1000)
        with self._sockets_lock:
            # A thread that has ended cannot use its socket again: close it here, so short-lived calling
            # threads do not pile up connections.
            for thread in [thread for thread in self._sockets if not thread.is_alive()]:
                self._sockets.pop(thread).close(linger=0)
            self._sockets[threading.current_thread()] = dealer
        return dealer

    def close(self) -> None:
        """Say goodbye to the server (best effort), stop the I/O thread and close every socket."""
        if not self._running:
            return
        self._running = False
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._sockets_lock:
            if self._context is not None:
                self._context.destroy(linger=0)
            self._context = None
            self._sockets.clear()
        self._connected = False

    # -- calls ------------------------------------------------------------------------------------------

    def call(
        self, call_type: type[Call], result_type: type[T] | Any, timeout: float = 30.0, **arguments: Any
    ) -> T:
        """Run `call_type(**arguments)` on the server; its result decoded as `result_type`.

        Raises RpcTimeoutError when no reply comes within `timeout` seconds (its `sent` says whether the
        request left; if it did, it may still run on the server), RemoteError when the server refused or
        failed the call, NotConnectedError when the client is closed. Any thread may call; calls from
        different threads run concurrently.
        """
        if not self._running:
            raise NotConnectedError("the RPC client is not running")
        if self._lost:
            raise NotConnectedError(
                f"RPC call {call_type.__name__}: the server is lost (no heartbeat); "
                "waiting for it to come back"
            )
        dealer = getattr(self._local, "dealer", None)
        if dealer is None or dealer.closed:
            dealer = self._local.dealer = self._new_dealer()
        request_id = next(self._ids)
        payload = self._encoder.encode(call_type(id=request_id, **arguments))
        deadline = time.monotonic() + timeout
        try:
            # With ZMQ_IMMEDIATE a send fails (zmq.Again) unless a connected, authenticated server is there to
            # take it; only then is it worth waiting for one.
            try:
                dealer.send(payload, _NOBLOCK)
            except zmq.Again:
                if not self._wait(dealer, zmq.POLLOUT, deadline):
                    raise RpcTimeoutError(
                        f"RPC call {call_type.__name__}: server not connected within "
                        f"{timeout:g} s (not sent)",
                        sent=False,
                    ) from None
                dealer.send(payload, _NOBLOCK)
            while True:
                reply_bytes = self._receive(dealer, deadline)
                if reply_bytes is None:
                    raise RpcTimeoutError(f"RPC call {call_type.__name__} got no reply within {timeout:g} s")
                try:
                    reply = self._reply_decoder.decode(reply_bytes)
                except msgspec.MsgspecError:
                    _logger.warning("RPC client dropped a malformed reply")
                    continue
                if reply.id == request_id:
                    break  # other ids are late replies to calls that timed out: dropped
        except zmq.ZMQError as exc:
            if not self._running:
                raise NotConnectedError("the RPC client was closed during the call") from None
            raise RpcError(f"RPC call {call_type.__name__} failed: {exc}") from None
        if not reply.ok:
            raise RemoteError(f"RPC call {call_type.__name__} failed on the server: {reply.error}")
        decoder = self._result_decoders.get(result_type)
        if decoder is None:
            decoder = self._result_decoders[result_type] = msgspec.msgpack.Decoder(result_type)
        return decoder.decode(reply.result)  # type: ignore[no-any-return]

    def _receive(self, dealer: zmq.Socket[bytes], deadline: float) -> bytes | None:
        """The next frame, or None at the deadline. A blocking receive in slices of the socket's RCVTIMEO
        (one call per reply instead of a poll and a receive), so a close() is noticed promptly."""
        while True:
            try:
                return dealer.recv()
            except zmq.Again:
                pass
            if not self._running:
                raise NotConnectedError("the RPC client was closed during the call")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if remaining < _RECEIVE_SLICE:
                dealer.rcvtimeo = max(1, int(remaining * 1000))
                try:
                    return dealer.recv()
                except zmq.Again:
                    return None
                finally:
                    dealer.rcvtimeo = int(_RECEIVE_SLICE * 1000)

    def _wait(self, dealer: zmq.Socket[bytes], event: int, deadline: float) -> bool:
        # Short poll slices, so a close() from another thread is noticed promptly.
        while self._running:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if dealer.poll(int(min(remaining, 0.1) * 1000), event):
                return True
        raise NotConnectedError("the RPC client was closed during the call")

    # -- the I/O thread ---------------------------------------------------------------------------------

    def _run(self, dealer: zmq.Socket[bytes], sub: zmq.Socket[bytes]) -> None:
        poller = zmq.Poller()
        poller.register(dealer, zmq.POLLIN)
        poller.register(sub, zmq.POLLIN)
        monitor = self._handshake_monitor  # made with the dealer, before it connected
        if monitor is not None:
            poller.register(monitor, zmq.POLLIN)
        next_ping = time.monotonic()
        while self._running:
            try:
                timeout = min(max(0.0, next_ping - time.monotonic()), 0.1)
                ready = dict(poller.poll(int(timeout * 1000)))
                if sub in ready:
                    self._receive_publications(sub)
                if dealer in ready:
                    self._receive_pongs(dealer)
                if monitor is not None and monitor in ready:
                    self._handshake_events(monitor)
                now = time.monotonic()
                if now >= next_ping:
                    with contextlib.suppress(zmq.Again):  # not connected: the ping is simply not sent
                        dealer.send(self._ping, zmq.NOBLOCK)
                    next_ping = now + self._heartbeat_interval
                    silence = now - self._last_heard
                    if self._connected and silence > self._heartbeat_interval * HEARTBEAT_MISSES:
                        self._connected = False
                        self._lost = True
                        self._report(DISCONNECTED, self.server_info)
            except zmq.ContextTerminated:
                break
            except Exception:
                _logger.exception("RPC client I/O loop error")
        with contextlib.suppress(zmq.ZMQError):
            dealer.send(self._encoder.encode(Bye(id=0)), zmq.NOBLOCK)

    def _handshake_events(self, monitor: zmq.Socket[bytes]) -> None:
        for _ in range(64):
            try:
                event = zmq.utils.monitor.recv_monitor_message(monitor, zmq.NOBLOCK)
            except zmq.Again:
                return
            if event["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                if not self.refused:
                    self.refused = True
                    self._report(REFUSED, None)
            elif event["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                self.refused = False

    def _receive_pongs(self, dealer: zmq.Socket[bytes]) -> None:
        for _ in range(64):
            try:
                payload = dealer.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            # Pongs only confirm the request path; the server counts as alive while its event stream
            # (heartbeats included) flows, so a client never believes it is in sync without receiving events.
            try:
                self._reply_decoder.decode(payload)
            except msgspec.MsgspecError:
                _logger.warning("RPC client dropped a malformed pong (%d bytes)", len(payload))

    def _receive_publications(self, sub: zmq.Socket[bytes]) -> None:
        # Publications are [topic, payload]. Two plain receives cost a fifth of recv_multipart; the frame
        # count is checked only when a payload fails to decode (then the socket is realigned to a message
        # boundary).
        recv = sub.recv
        for _ in range(4096):
            try:
                topic = recv(_NOBLOCK)
            except zmq.Again:
                return
            try:
                payload = recv(_NOBLOCK)
            except zmq.Again:
                _logger.warning("RPC client dropped a one-frame publication")
                return
            if topic == HEARTBEAT_TOPIC:
                try:
                    info = self._info_decoder.decode(payload)
                except msgspec.MsgspecError:
                    _logger.warning("RPC client dropped a malformed heartbeat")
                    self._realign(sub)
                    continue
                self._heard(info)
                try:
                    self._on_heartbeat(info)
                except Exception:
                    _logger.exception("RPC heartbeat handler failed")
                continue
            self._last_heard = time.monotonic()
            self.publications += 1
            try:
                if not self._on_publication(topic, payload):
                    self._realign(sub)
            except Exception:
                _logger.exception("RPC publication handler failed")

    @staticmethod
    def _realign(sub: zmq.Socket[bytes]) -> None:
        """Skip the rest of a message whose frames did not match [topic, payload]."""
        for _ in range(64):
            if not sub.get(_RCVMORE):
                return
            with contextlib.suppress(zmq.Again):
                sub.recv(_NOBLOCK)

    def _heard(self, info: ServerInfo) -> None:
        self._last_heard = time.monotonic()
        previous = self.server_info
        self.server_info = info
        self._lost = False
        if previous is not None and previous.epoch != info.epoch:
            self._connected = True
            self._report(RESTARTED, info)
        elif not self._connected:
            self._connected = True
            self._report(CONNECTED, info)

    def _report(self, state: str, info: ServerInfo | None) -> None:
        try:
            self._on_state(state, info)
        except Exception:
            _logger.exception("RPC client state handler failed")
