"""One front of a C++ SDK gateway: an API object of the binding, its producer ring and its state machine.

Every callback of the API object reaches `on_message` on the engine thread (the SDK's thread only copies
structs into the producer's ring), so front state needs no lock except what request methods (callable from any
thread) share with it: the gateway's `lock`. A callback goes to the front's method named after it in snake
case (`OnRspUserLogin` -> `on_rsp_user_login(message)`), with a `vtcore.gateways._sdk.messages.Message`
whose data and error are typed views: a handler decodes only the fields it reads.

States, pushed as GatewayStateData and logged on every change (a gateway adds its own between connected and
ready, e.g. authenticated, logged_in, settlement_confirmed, contracts_loaded):
    disconnected -> connecting -> connected -> ... -> ready
    plus "timeout" (no answer at all: CTP is silent on a refused port), "<what>_rejected" (the broker refused
    a login or authentication; not retried until connect() is called again, so a wrong password cannot lock
    the account; reconnects do not hide it), "unavailable" (the library was refused) and "closed".

A gateway makes every front's API object (`create`: the library is loaded and checked, the flow files are
written, nothing starts) before it starts any (`begin`), so a refused library leaves no front running. Flow
folders are owner-only (0700 at every level, the SDK's files 0600). A request on a released API object (the
gateway closed, also while the request was on its way) returns CLOSED instead of raising.

`QueryPump` sends queries one at a time, at most one per `interval` (CTP's flow limit is one per second),
retrying only on the SDK's flow-control results, driven by the gateway's timer and never by blocking a
callback.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from logging import ERROR, INFO, WARNING
from pathlib import Path
from typing import Any, Protocol

from vtcore.constant import Exchange
from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways._sdk.structs import SdkStruct
from vtcore.object import GatewayStateData
from vtcore.setting import get_folder_path

#: The Thost family's request results (the same in CTP and CTP-Mini).
REQUEST_RESULTS = {
    -1: "network connection failed",
    -2: "too many requests waiting to be processed",
    -3: "more requests per second than allowed",
}
FLOW_CONTROL_RESULTS = (-2, -3)
#: `Front.request`'s result when the API object is gone (the gateway closed, or closing).
CLOSED = -1000
CLOSED_REASON = "the gateway is closed"
DISCONNECT_REASONS = {
    0x1001: "network read failed",
    0x1002: "network write failed",
    0x2001: "heartbeat receive timeout",
    0x2002: "heartbeat send failed",
    0x2003: "bad message received",
}


def request_result(code: int) -> str:
    if code == CLOSED:
        return CLOSED_REASON
    return f"{code} ({REQUEST_RESULTS.get(code, 'unknown error')})"


def handler_name(callback: str) -> str:
    """The front method that handles SDK callback `callback`: "OnRspUserLogin" -> "on_rsp_user_login"; an
    upper-case run is one word ("OnAPIReady" -> "on_api_ready", "OnRspDSUserCertification" ->
    "on_rsp_ds_user_certification")."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", callback).lower()


class FrontGateway(Protocol):
    """What a front needs of its gateway (a BaseGateway subclass)."""

    gateway_name: str
    event_engine: Any

    def on_gateway_state(self, state: GatewayStateData) -> None: ...
    def write_log(self, msg: str, level: int = ...) -> None: ...
    def create_producer(self, name: str, on_message: Any = ..., capacity: int = ...) -> Any: ...


class Front:
    """What every front shares: the API object, its producer, the state machine, the connect timeout and the
    login lockout guard. Subclasses set `name`, handle callbacks (methods named by `handler_name`) and
    implement `on_connected`."""

    name = ""
    sdk = ""  # "ctp": the flow folder is <settings>/<sdk>_flow/<gateway>/<front>

    def __init__(
        self,
        gateway: FrontGateway,
        decoder: Decoder,
        requests: dict[str, tuple[int, type[SdkStruct] | None]],
    ) -> None:
        self.gateway = gateway
        self.decoder = decoder
        self.requests = requests
        self.api: Any = None
        self.producer: Any = None
        self.state = "disconnected"
        self.state_message = ""
        self.state_since = time.monotonic()
        self.timeout_reported = False
        self.rejected = ""  # the broker's refusal, while not retrying
        self._request_ids = itertools.count(1)  # next() is atomic: requests come from several threads
        self.logged_in = False
        self.connected = False  # between the SDK's connected and disconnected callbacks
        self.logged_in_before = False  # with the setting of the last connect()
        self._handlers: dict[int, Callable[[Message], None]] | None = None

    def next_request_id(self) -> int:
        return next(self._request_ids)

    def set_state(self, state: str, message: str = "", level: int = INFO) -> None:
        self.state_since = time.monotonic()
        self.timeout_reported = False
        if (state, message) == (self.state, self.state_message):
            return  # e.g. the real library's disconnect every second against a front that drops us
        self.state, self.state_message = state, message
        gateway = self.gateway
        gateway.on_gateway_state(
            GatewayStateData(gateway_name=gateway.gateway_name, front=self.name, state=state, message=message)
        )
        gateway.write_log(f"{self.name} front: {state}" + (f" ({message})" if message else ""), level)

    def flow_folder(self) -> Path:
        """<settings>/<sdk>_flow/<gateway>/<front>, created 0700 at every level (or tightened to it)."""
        return get_folder_path(f"{self.sdk}_flow/{self.gateway.gateway_name}/{self.name}")

    def start(
        self, create_api: Callable[[str, object], Any], address: str, register: str = "register_front"
    ) -> None:
        """`create` and `begin` in one (a gateway with more than one front makes them all first)."""
        self.begin(address, self.create(create_api), register)

    def create(self, create_api: Callable[[str, object], Any]) -> bool:
        """Create the API object (`create_api(flow folder, producer capsule)`): the vendor library is loaded
        and checked and the flow files are written, but nothing starts. False when it exists already."""
        if self.api is not None:
            return False
        gateway = self.gateway
        flow = self.flow_folder()
        self.producer = gateway.create_producer(f"{gateway.gateway_name}.{self.name}", self.on_message)
        try:
            self.api = create_api(str(flow), self.producer.capsule())
        except OSError as exc:  # vtcore.errors.SdkLibraryError: refused before any SDK call
            gateway.event_engine.remove_producer(self.producer)
            self.producer = None
            self.set_state("unavailable", str(exc), ERROR)
            raise SdkUnavailableError(f"{self.name} front: {exc}") from exc
        for path in flow.iterdir():  # the SDK writes its flow files with the umask's mode
            if path.is_file() and not path.is_symlink():
                path.chmod(0o600)
        return True

    def begin(self, address: str, created: bool, register: str = "register_front") -> None:
        """Start a front `create` made: register `address` (with the API's method `register`: TORA's FENS
        addresses go to register_name_server), Init(). For one that existed already (connect() called again)
        the SDK is connected or reconnecting: log in now with the new setting."""
        self.rejected = ""
        self.logged_in_before = False
        if not created:
            if self.connected and not self.logged_in:
                self.set_state("connected")
                self.on_connected()
            return
        self.prepare()
        self.begin_connect(address, register)

    def prepare(self) -> None:
        """Front-specific calls between creating the API object and Init()."""

    def begin_connect(self, address: str, register: str = "register_front") -> None:
        """Start connecting: RegisterFront (or `register`) + Init() (an SDK that connects otherwise, TAP's
        SetHostAddress + Login, overrides this)."""
        getattr(self.api, register)(address)
        self.set_state("connecting", address)
        self.api.init()

    def close(self, state: str = "closed", message: str = "") -> None:
        api, producer = self.api, self.producer
        self.api = self.producer = None
        self.connected = False
        if api is not None:
            api.release()
        if producer is not None:
            self.gateway.event_engine.remove_producer(producer)
        self.logged_in = False
        self.set_state(state, message)

    def check_timeout(self, now: float, timeout: float) -> None:
        if self.api is None or self.timeout_reported or self.state not in ("connecting", "disconnected"):
            return
        if now - self.state_since >= timeout:
            self.timeout_reported = True
            self.set_state(
                "timeout",
                f"no answer from {self.name} front within {timeout:g} s; the SDK reports nothing when the "
                f"address refuses connections, so check the address and network (the SDK keeps retrying)",
                WARNING,
            )

    def request(self, name: str, fields: SdkStruct | dict[str, Any] | None = None) -> int:
        """Send request `name` with its struct (or a dict of its fields); the SDK's result code, CLOSED when
        the API object is gone (also when close() released it while this request was on its way: the binding
        raises RuntimeError then). A field that does not fit its struct raises ValueError naming it; nothing
        is sent."""
        api = self.api
        if api is None:
            return CLOSED
        index, struct_class = self.requests[name]
        if struct_class is None:
            payload: Any = b""
        elif isinstance(fields, struct_class):
            payload = fields.buffer
        elif isinstance(fields, dict) or fields is None:
            payload = struct_class(**(fields or {})).buffer
        else:
            raise TypeError(f"{name} sends {struct_class.__name__}, not {type(fields).__name__}")
        try:
            return self.send(api, index, payload)
        except RuntimeError:  # "the API object was released"
            return CLOSED

    def send(self, api: Any, index: int, payload: Any) -> int:
        """Hand a packed request to the binding `api` with the next request id (an SDK that assigns its own
        ids, TAP, overrides this)."""
        return int(api.request(index, payload, self.next_request_id()))

    def struct(self, request: str, **fields: Any) -> SdkStruct:
        """The struct that request `request` sends, with `fields` set (each checked: ValueError names a field
        whose value does not fit)."""
        struct_class = self.requests[request][1]
        if struct_class is None:
            raise TypeError(f"{request} sends no struct")
        return struct_class(**fields)

    def reject(self, what: str, error_text: str) -> None:
        self.rejected = f"{what} refused by the broker ({error_text})"
        self.set_state(
            f"{what}_rejected",
            f"{self.rejected}; not retrying, so that a wrong setting cannot lock the "
            f"account: fix the setting and call connect() again",
            ERROR,
        )

    # -- messages (engine thread)
    # -----------------------------------------------------------------------------

    def callback_handlers(self) -> dict[int, Callable[[Message], None]]:
        """Message kind -> the bound method named after its callback (`handler_name`), for the callbacks this
        front handles."""
        handlers = {}
        for kind, (callback, _data, _error) in self.decoder.callbacks.items():
            method = getattr(self, handler_name(callback), None)
            if callable(method):
                handlers[kind] = method
        return handlers

    def on_message(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        try:
            message = self.decoder.decode(kind, request_id, is_last, payload)
        except (KeyError, ValueError) as exc:
            self.gateway.write_log(f"{self.name} front: undecodable message {kind}: {exc}", ERROR)
            return
        if self._handlers is None:
            self._handlers = self.callback_handlers()
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(message)
        elif message.error is not None:
            self.gateway.write_log(f"{self.name} front: {message.name} failed: {message.error_text}", ERROR)

    def on_connected(self) -> None:
        raise NotImplementedError


class FtdcFront(Front):
    """A front of the SDKs shaped like CTP (the Thost family, FEMAS's USTP): connection, heartbeat and
    request-error callbacks (OnFrontConnected, OnFrontDisconnected(reason), OnHeartBeatWarning,
    OnRspError)."""

    def on_front_connected(self, message: Message) -> None:
        self.connected = True
        if self.rejected:  # the refusal stays this front's state until connect() is called again
            self.gateway.write_log(f"{self.name} front: not logging in again: {self.rejected}", WARNING)
            return
        self.set_state("connected")
        self.on_connected()

    def on_front_disconnected(self, message: Message) -> None:
        self.logged_in = False
        self.connected = False
        reason = DISCONNECT_REASONS.get(message.request_id, "unknown reason")
        text = f"reason {message.request_id:#x}: {reason}; the SDK reconnects"
        if self.rejected:
            self.gateway.write_log(f"{self.name} front: disconnected ({text}); still {self.state}", WARNING)
            return
        self.set_state("disconnected", text, WARNING)

    def on_heart_beat_warning(self, message: Message) -> None:
        self.gateway.write_log(f"{self.name} front: no message for {message.request_id} s", WARNING)

    def on_rsp_error(self, message: Message) -> None:
        self.gateway.write_log(
            f"{self.name} front: request {message.request_id} failed: {message.error_text}", ERROR
        )


class FtdcMdFront(FtdcFront):
    """The market-data front of a CTP-shaped SDK: its subscriptions (`subscribed`, restored after every
    login), sent as (symbol, exchange) pairs through the binding's `subscribe`."""

    name = "md"

    def __init__(
        self,
        gateway: FrontGateway,
        decoder: Decoder,
        requests: dict[str, tuple[int, type[SdkStruct] | None]],
    ) -> None:
        super().__init__(gateway, decoder, requests)
        self.subscribed: dict[str, Exchange] = {}
        self.relogin_at = 0.0  # when a refused automatic re-login is tried again (0: none waiting)
        self.relogin_delay = 0.0
        self.first_relogin_delay = 2.0  # seconds before the first retry of a refused re-login (then doubled)

    def on_front_connected(self, message: Message) -> None:
        self.relogin_at = 0.0  # a new connection logs in at once
        super().on_front_connected(message)

    def on_rsp_user_login(self, message: Message) -> None:
        if message.error is not None:
            if self.logged_in_before:
                self.relogin_refused(message.error_text)
            else:  # the first login with this setting: the setting may be wrong, so no retry
                self.reject("login", message.error_text)
            return
        self.logged_in = self.logged_in_before = True
        self.relogin_delay = 0.0
        day = message.data.TradingDay if message.data is not None else ""  # type: ignore[attr-defined]
        self.set_state("logged_in", f"trading day {day}")
        if self.subscribed:
            self.send_subscribe(list(self.subscribed.items()))
        self.set_state("ready", f"{len(self.subscribed)} subscription(s)")

    def relogin_refused(self, error_text: str) -> None:
        """An automatic re-login, with a setting that logged in before, was refused: a market-data front
        checks no password (a retry cannot lock the account), so it is tried again, later and later."""
        self.relogin_delay = min(max(self.relogin_delay * 2, self.first_relogin_delay), 60.0)
        self.relogin_at = time.monotonic() + self.relogin_delay
        self.set_state(
            "login_rejected",
            f"re-login refused by the broker ({error_text}); the market-data front checks no password, so "
            f"it is tried again in {self.relogin_delay:g} s",
            WARNING,
        )

    def retry_login(self, now: float) -> None:
        if self.relogin_at and now >= self.relogin_at and self.connected and not self.logged_in:
            self.relogin_at = 0.0
            self.on_connected()

    def send_subscribe(self, items: list[tuple[str, Exchange]]) -> None:
        api = self.api
        try:
            result = CLOSED if api is None else api.subscribe([(s, exchange.value) for s, exchange in items])
        except RuntimeError:  # released by close() meanwhile
            result = CLOSED
        if result != 0:
            self.gateway.write_log(f"md front: subscribe failed: {request_result(result)}", ERROR)

    def on_rsp_sub_market_data(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(
                f"md front: subscribing {_instrument(message)} failed: {message.error_text}", ERROR
            )

    def on_rsp_un_sub_market_data(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(
                f"md front: unsubscribing {_instrument(message)} failed: {message.error_text}", ERROR
            )


def _instrument(message: Message) -> str:
    return message.data.InstrumentID if message.data is not None else "?"  # type: ignore[attr-defined]


PUMP_SLACK = 0.05  # seconds: see QueryPump.pump


class QueryPump:
    """Queries of one front, one at a time and at most one per `interval` seconds; a request the SDK refuses
    for flow control stays queued, anything else is logged and dropped."""

    def __init__(self, front: Front, lock: threading.RLock, interval: float = 1.0) -> None:
        self.front = front
        self.lock = lock
        self.interval = interval
        self.queries: deque[tuple[str, SdkStruct | None]] = deque()
        self.last_query = 0.0

    def enqueue(self, name: str, fields: SdkStruct | dict[str, Any] | None) -> None:
        """Queue query `name` with its struct or its fields (a repeat of one still queued is dropped: structs
        compare by their bytes). A field that does not fit raises ValueError; nothing is queued."""
        if isinstance(fields, dict):  # a request without a struct (TAP's QryCommodity) queues None
            fields = self.front.struct(name, **fields) if self.front.requests[name][1] is not None else None
        with self.lock:
            if (name, fields) not in self.queries:
                self.queries.append((name, fields))
        self.pump(time.monotonic())

    def pump(self, now: float) -> None:
        with self.lock:  # queries may be enqueued from any thread
            # the 1-second timer that pumps arrives a little early or late: without the slack, a tick 0.999 s
            # after the last query would wait a whole extra second (a query a little early is at worst refused
            # for flow control by the SDK, and stays queued)
            too_soon = now - self.last_query < self.interval - PUMP_SLACK
            if not self.queries or not self.front.logged_in or too_soon:
                return
            name, fields = self.queries[0]
            result = self.front.request(name, fields)
            self.last_query = now
            if result == 0 or result not in FLOW_CONTROL_RESULTS:
                self.queries.popleft()
        if result != 0 and result not in FLOW_CONTROL_RESULTS:
            front = self.front
            front.gateway.write_log(f"{front.name} front: {name} failed: {request_result(result)}", ERROR)

    def __len__(self) -> int:
        return len(self.queries)

    @property
    def idle(self) -> bool:
        """The front is ready and no query waits: time for a poll (`SdkGateway.poll`)."""
        return self.front.state == "ready" and not self.queries
