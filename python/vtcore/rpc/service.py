"""The RPC service app: serves a MainEngine to RpcGateway clients in other processes or on other hosts.

    main_engine.add_app(RpcServiceApp)              # or main_engine.add_engine(RpcEngine)
    rpc = main_engine.get_engine("RpcService")
    rpc.start()                                     # addresses from rpc_service_setting.json, else loopback
    rpc.status                                      # RpcServiceStatus; also pushed as EVENT_RPC_SERVICE
    rpc.stop()

Published: every event except the timer, once (the "<type><id>" duplicates that `on_*` put are skipped:
clients filter by topic inside ZeroMQ instead), topic frame = the event type. Non-tick events carry one
gap-free sequence number per server run, so a client can take a snapshot and then apply exactly the events
after it. Ticks from C++ producers go out as runs of raw fixed-layout records (one message per drained run);
ticks pushed from Python go out as `TickBatch`es of `TickMsg` (what one engine pass dispatched, at most
TICK_BATCH). Events whose data has no wire schema are not published (logged once per type).
"""

from __future__ import annotations

import collections
import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from vtcore.engine import BaseEngine
from vtcore.event import (
    EVENT_ACCOUNT,
    EVENT_GATEWAY_STATE,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_QUOTE,
    EVENT_TICK,
    EVENT_TIMER,
    EVENT_TRADE,
    Event,
)
from vtcore.log import get_logger, mask_secrets
from vtcore.records import TICK_RECORD_SIZE
from vtcore.rpc import keys, schema
from vtcore.rpc.protocol import RETRY_LATER, Call, RpcError, check_address
from vtcore.rpc.server import RpcServer
from vtcore.setting import get_file_path, load_json, save_json

if TYPE_CHECKING:
    import numpy

    from vtcore.engine import MainEngine
    from vtcore.event import EventEngine

APP_NAME = "RpcService"
SETTING_FILENAME = "rpc_service_setting.json"
DEFAULT_REP_ADDRESS = "tcp://127.0.0.1:2014"
DEFAULT_PUB_ADDRESS = "tcp://127.0.0.1:4102"
#: The service's status, pushed on every start/stop (data: RpcServiceStatus). Not published to clients.
EVENT_RPC_SERVICE = "eRpcService"
EVENT_RPC_SNAPSHOT = "eRpcSnapshot"  # internal: takes the snapshot on the engine thread
EVENT_RPC_FLUSH = "eRpcFlush"  # internal: sends the ticks coalesced so far
TICK_BATCH = 256  # most ticks in one TickBatch message
SNAPSHOT_TIMEOUT = 30.0
#: Keyed send_order outcomes kept for retries (the oldest finished ones are forgotten first).
SEND_KEYS_KEPT = 100_000
#: How long a retry waits for the first copy of its send_order before it is told to retry later (bounded, so
#: retries of a send that hangs cannot occupy every worker).
DUPLICATE_WAIT = 5.0

_logger = get_logger("vtcore.rpc.service")
# Types whose `on_*` helper also puts "<type><id>": only the plain type is published.
_SUFFIXED = (
    EVENT_TICK,
    EVENT_TRADE,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_ACCOUNT,
    EVENT_QUOTE,
    EVENT_GATEWAY_STATE,
)
_SKIP, _ORDERED, _TICK = 0, 1, 2
_TICK_TOPIC = EVENT_TICK.encode()


@dataclass(eq=False)
class _KeyedSend:
    """The outcome of the first send_order with a client's key."""

    call: schema.SendOrder
    done: threading.Event = field(default_factory=threading.Event)
    vt_orderid: str = ""
    error: str = ""


@dataclass(frozen=True)
class RpcServiceStatus:
    running: bool
    rep_address: str
    pub_address: str
    secure: bool
    server_public_key: str  # Z85; give it to clients (it is public)
    message: str = ""


class RpcEngine(BaseEngine):
    """vn.py's RpcEngine, rebuilt: ROUTER/DEALER + PUB/SUB, msgspec schemas, CURVE, loopback by default."""

    setting_filename = SETTING_FILENAME

    def __init__(self, main_engine: MainEngine, event_engine: EventEngine) -> None:
        super().__init__(main_engine, event_engine, APP_NAME)
        self.rep_address = DEFAULT_REP_ADDRESS
        self.pub_address = DEFAULT_PUB_ADDRESS
        self.curve = True
        self.key_folder: Path | None = None  # None: .vntrader/rpc
        self.workers = 4
        self.load_setting()
        self._server: RpcServer | None = None
        self._encoder = msgspec.msgpack.Encoder()
        self._lock = threading.Lock()
        self._seq = 0  # ordered stream; only the engine thread changes it
        self._published_seq = 0  # _seq once its event is on the wire (heartbeats carry this one)
        self._tick_seq = 0
        self._ring_ticks = 0  # ticks of the current C++ run, already published as records
        self._pending_ticks: list[schema.TickMsg] = []
        self._actions: dict[str, int] = {}
        self._unpublishable: set[str] = set()
        # Keyed send_orders of this process (kept across service restarts: the gateways are the same).
        self._sends: collections.OrderedDict[str, _KeyedSend] = collections.OrderedDict()
        self._sends_lock = threading.Lock()
        self._server_epoch = 0
        self._status = RpcServiceStatus(False, self.rep_address, self.pub_address, self.curve, "")
        event_engine.register(EVENT_RPC_SNAPSHOT, self._take_snapshot)
        event_engine.register(EVENT_RPC_FLUSH, self._on_flush)

    # -- settings ---------------------------------------------------------------------------------------

    def load_setting(self) -> None:
        """Read rpc_service_setting.json (keys rep_address, pub_address, curve); a missing file keeps
        defaults."""
        data = load_json(SETTING_FILENAME) or {}
        self.rep_address = str(data.get("rep_address", self.rep_address))
        self.pub_address = str(data.get("pub_address", self.pub_address))
        curve = data.get("curve", self.curve)
        if not isinstance(curve, bool):
            raise RpcError(f"{get_file_path(SETTING_FILENAME)}: 'curve' must be true or false")
        self.curve = curve

    def save_setting(self) -> None:
        save_json(
            SETTING_FILENAME,
            {"rep_address": self.rep_address, "pub_address": self.pub_address, "curve": self.curve},
        )

    # -- control ----------------------------------------------------------------------------------------

    @property
    def status(self) -> RpcServiceStatus:
        return self._status

    @property
    def server_public_key(self) -> str:
        """The server's CURVE public key (created on first use), for clients' `server_public_key` setting."""
        return keys.load_or_create_keypair(keys.SERVER_KEY_NAME, self.key_folder).public.decode("ascii")

    def start(
        self, rep_address: str | None = None, pub_address: str | None = None, *, curve: bool | None = None
    ) -> None:
        """Bind and serve. The addresses (when given) are saved to rpc_service_setting.json once bound.

        Raises InsecureAddressError for a non-loopback address without CURVE, RpcError when already running
        or when an address cannot be bound.
        """
        with self._lock:
            if self._server is not None:
                raise RpcError("the RPC service is already running")
            rep = rep_address or self.rep_address
            pub = pub_address or self.pub_address
            secure = self.curve if curve is None else curve
            check_address(rep, secure)
            check_address(pub, secure)
            keypair = keys.load_or_create_keypair(keys.SERVER_KEY_NAME, self.key_folder) if secure else None
            folder = self.key_folder
            server = RpcServer(
                self._dispatch,
                schema.CALLS,
                keypair=keypair,
                authorized=(lambda: keys.load_authorized_keys(folder)) if secure else None,
                workers=self.workers,
                info=lambda: self._published_seq,
                log=self._log,
            )
            self._seq = self._published_seq = 0
            self._tick_seq = 0
            self._pending_ticks = []
            self._server_epoch = server.epoch
            try:
                server.start(rep, pub)
            except Exception as exc:
                message = f"RPC service cannot start on {rep} / {pub}: {exc}"
                self._set_status(False, rep, pub, secure, message)
                if isinstance(exc, RpcError):
                    raise
                raise RpcError(message) from exc
            self._server = server
            self.rep_address, self.pub_address, self.curve = rep, pub, secure
            self.save_setting()
            self.event_engine.register_general(self._on_event)
            self.event_engine.register_tick_batch(self._on_tick_batch)
        security = "CURVE" if secure else "no encryption, loopback only"
        self._log(
            logging.INFO,
            f"RPC service started: requests {server.rep_endpoint}, events {server.pub_endpoint} ({security})",
        )
        self._set_status(True, server.rep_endpoint, server.pub_endpoint, secure, "started")

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            if server is None:
                return
            self.event_engine.unregister_general(self._on_event)
            self.event_engine.unregister_tick_batch(self._on_tick_batch)
            server.stop()
        self._log(logging.INFO, "RPC service stopped")
        self._set_status(False, self.rep_address, self.pub_address, self.curve, "stopped")

    def close(self) -> None:
        self.stop()
        self.event_engine.unregister(EVENT_RPC_SNAPSHOT, self._take_snapshot)
        self.event_engine.unregister(EVENT_RPC_FLUSH, self._on_flush)

    @property
    def server(self) -> RpcServer | None:
        return self._server

    def _set_status(self, running: bool, rep: str, pub: str, secure: bool, message: str) -> None:
        key = ""
        if secure:
            try:
                key = self.server_public_key
            except RpcError:
                key = ""
        self._status = RpcServiceStatus(running, rep, pub, secure, key, message)
        self.event_engine.put(Event(EVENT_RPC_SERVICE, self._status))

    def _log(self, level: int, message: str) -> None:
        _logger.log(level, message)
        self.main_engine.write_log(message, source=APP_NAME, level=level)

    # -- publishing (engine thread) ---------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        type_ = event.type
        action = self._actions.get(type_)
        if action is None:
            action = self._actions[type_] = self._classify(type_)
        if action == _SKIP:
            return
        server = self._server
        if server is None:
            return
        codec = schema.DATA_CODECS.get(type(event.data))
        if codec is None:
            if type_ not in self._unpublishable:
                self._unpublishable.add(type_)
                _logger.info(
                    "RPC service does not publish %s events: %s has no wire schema",
                    type_,
                    type(event.data).__name__,
                )
            return
        if action == _TICK:
            if self._ring_ticks:
                self._ring_ticks -= 1  # this run went out as raw records already
                return
            # Ticks put from Python are coalesced: the flush event queued behind the first one runs once the
            # engine has dispatched everything queued with it, so a burst leaves as one message and a lone
            # tick waits for nothing but the engine's current pass.
            pending = self._pending_ticks
            pending.append(codec.to_msg(event.data))
            if len(pending) == 1:
                self.event_engine.put(Event(EVENT_RPC_FLUSH))
            elif len(pending) >= TICK_BATCH:
                self._flush_ticks(server)
            return
        if self._pending_ticks:
            self._flush_ticks(server)  # keep ticks and other events in the order the engine saw them
        seq = self._seq = self._seq + 1
        payload = self._encoder.encode(schema.Publication(server.epoch, seq, type_, codec.to_msg(event.data)))
        server.publish(type_.encode(), payload)
        self._published_seq = seq

    def _on_flush(self, event: Event) -> None:
        server = self._server
        if server is not None and self._pending_ticks:
            self._flush_ticks(server)

    def _flush_ticks(self, server: RpcServer) -> None:
        ticks, self._pending_ticks = self._pending_ticks, []
        batch = schema.TickBatch(server.epoch, self._tick_seq + 1, ticks)
        self._tick_seq += len(ticks)
        server.publish(_TICK_TOPIC, self._encoder.encode(batch))

    def _classify(self, type_: str) -> int:
        if type_ in (EVENT_TIMER, EVENT_RPC_SNAPSHOT, EVENT_RPC_SERVICE, EVENT_RPC_FLUSH):
            return _SKIP
        if type_ == EVENT_TICK:
            return _TICK
        if any(type_.startswith(prefix) and type_ != prefix for prefix in _SUFFIXED):
            return _SKIP
        return _ORDERED

    def _on_tick_batch(self, ticks: numpy.ndarray, gateway_name: str) -> None:
        server = self._server
        if server is None:
            return
        if self._pending_ticks:
            self._flush_ticks(server)
        count = len(ticks)
        # The engine dispatches this run's ticks one by one right after this call: skip those in _on_event.
        self._ring_ticks += count
        records = schema.TickRecords(
            server.epoch, self._tick_seq + 1, gateway_name, TICK_RECORD_SIZE, ticks.tobytes()
        )
        self._tick_seq += count
        server.publish(_TICK_TOPIC, self._encoder.encode(records))

    # -- calls (worker threads) -------------------------------------------------------------------------

    def _dispatch(self, call: Call) -> Any:
        handler = _HANDLERS.get(type(call))
        if handler is None:
            raise RpcError(f"no handler for {type(call).__name__}")
        return handler(self, call)

    def send_order_once(self, call: schema.SendOrder) -> str:
        """Run a keyed send_order at most once: a later call with the same key gets the first one's outcome
        (waiting up to DUPLICATE_WAIT for it when it is still running)."""
        with self._sends_lock:
            entry = self._sends.get(call.key)
            first = entry is None
            if entry is None:
                if call.epoch and call.epoch != self._server_epoch:
                    raise RpcError(
                        "outcome unknown: this order was first sent to an earlier run of the "
                        "server, which may have sent it; it was not sent again (look for it "
                        "among the orders)"
                    )
                entry = self._sends[call.key] = _KeyedSend(call)
                self._forget_old_sends()
        if not first:
            if entry.call.req != call.req or entry.call.gateway_name != call.gateway_name:
                raise RpcError(f"send_order key {call.key!r} was used for another order")
            if not entry.done.wait(DUPLICATE_WAIT):
                raise RpcError(f"the first send_order with this key is still running: {RETRY_LATER}")
            if entry.error:
                raise RpcError(entry.error)
            return entry.vt_orderid
        try:
            entry.vt_orderid = self.main_engine.send_order(
                schema.ORDER_REQ.to_object(call.req), call.gateway_name
            )
        except Exception as exc:
            entry.error = mask_secrets(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            entry.done.set()
        return entry.vt_orderid

    def _forget_old_sends(self) -> None:
        sends = self._sends
        while len(sends) > SEND_KEYS_KEPT:
            key, oldest = next(iter(sends.items()))
            if not oldest.done.is_set():
                return  # still running: keep it (and the newer ones) until it finishes
            del sends[key]

    def _take_snapshot(self, event: Event) -> None:
        """On the engine thread, between two events: the OMS state then matches sequence number `_seq`."""
        future: Future[tuple[Any, ...]] = event.data
        oms = self.main_engine.oms_engine
        future.set_result(
            (
                self._seq,
                list(self.main_engine.gateways),
                list(oms.contracts.values()),
                list(oms.accounts.values()),
                list(oms.positions.values()),
                list(oms.orders.values()),
                list(oms.trades.values()),
                list(oms.quotes.values()),
            )
        )

    def snapshot(self) -> schema.Snapshot:
        future: Future[tuple[Any, ...]] = Future()
        self.event_engine.put(Event(EVENT_RPC_SNAPSHOT, future))
        seq, names, contracts, accounts, positions, orders, trades, quotes = future.result(SNAPSHOT_TIMEOUT)
        # Converted here, off the engine thread: pushed objects are never mutated (BaseGateway's contract).
        return schema.Snapshot(
            epoch=self._server_epoch,
            seq=seq,
            gateway_names=names,
            contracts=[schema.CONTRACT.to_msg(item) for item in contracts],
            accounts=[schema.ACCOUNT.to_msg(item) for item in accounts],
            positions=[schema.POSITION.to_msg(item) for item in positions],
            orders=[schema.ORDER.to_msg(item) for item in orders],
            trades=[schema.TRADE.to_msg(item) for item in trades],
            quotes=[schema.QUOTE.to_msg(item) for item in quotes],
        )


def _gateway(engine: RpcEngine, name: str) -> None:
    if name not in engine.main_engine.gateways:
        raise RpcError(f"no gateway named {name!r} on the server")


def _subscribe(engine: RpcEngine, call: schema.Subscribe) -> None:
    _gateway(engine, call.gateway_name)
    engine.main_engine.subscribe(schema.SUBSCRIBE_REQ.to_object(call.req), call.gateway_name)


def _unsubscribe(engine: RpcEngine, call: schema.Unsubscribe) -> None:
    _gateway(engine, call.gateway_name)
    engine.main_engine.unsubscribe(schema.SUBSCRIBE_REQ.to_object(call.req), call.gateway_name)


def _send_order(engine: RpcEngine, call: schema.SendOrder) -> str:
    _gateway(engine, call.gateway_name)
    if call.key:
        return engine.send_order_once(call)
    return engine.main_engine.send_order(schema.ORDER_REQ.to_object(call.req), call.gateway_name)


def _cancel_order(engine: RpcEngine, call: schema.CancelOrder) -> None:
    _gateway(engine, call.gateway_name)
    engine.main_engine.cancel_order(schema.CANCEL_REQ.to_object(call.req), call.gateway_name)


def _send_quote(engine: RpcEngine, call: schema.SendQuote) -> str:
    _gateway(engine, call.gateway_name)
    return engine.main_engine.send_quote(schema.QUOTE_REQ.to_object(call.req), call.gateway_name)


def _cancel_quote(engine: RpcEngine, call: schema.CancelQuote) -> None:
    _gateway(engine, call.gateway_name)
    engine.main_engine.cancel_quote(schema.CANCEL_REQ.to_object(call.req), call.gateway_name)


def _query_history(engine: RpcEngine, call: schema.QueryHistory) -> list[schema.BarMsg]:
    _gateway(engine, call.gateway_name)
    bars = engine.main_engine.query_history(schema.HISTORY_REQ.to_object(call.req), call.gateway_name)
    return [schema.BAR.to_msg(bar) for bar in bars]


def _snapshot(engine: RpcEngine, call: schema.GetSnapshot) -> schema.Snapshot:
    return engine.snapshot()


def _by_id(method: str, codec: schema.Codec[Any, Any]) -> Any:
    def handler(engine: RpcEngine, call: schema.GetById) -> Any:
        obj = getattr(engine.main_engine, method)(call.vt_id)
        return None if obj is None else codec.to_msg(obj)

    return handler


def _all(method: str, codec: schema.Codec[Any, Any] | None) -> Any:
    def handler(engine: RpcEngine, call: schema.GetAll) -> Any:
        items = getattr(engine.main_engine, method)()
        return items if codec is None else [codec.to_msg(item) for item in items]

    return handler


_HANDLERS: dict[type[Call], Any] = {
    schema.Subscribe: _subscribe,
    schema.Unsubscribe: _unsubscribe,
    schema.SendOrder: _send_order,
    schema.CancelOrder: _cancel_order,
    schema.SendQuote: _send_quote,
    schema.CancelQuote: _cancel_quote,
    schema.QueryHistory: _query_history,
    schema.GetSnapshot: _snapshot,
    **{call: _by_id(method, codec) for call, method, codec in schema.GET_BY_ID},
    **{call: _all(method, codec) for call, method, codec in schema.GET_ALL},
}


class RpcServiceApp:
    """vn.py's BaseApp fields for `MainEngine.add_app`."""

    app_name = APP_NAME
    app_module = __module__
    app_path = Path(__file__).parent
    display_name = "RPC service"
    engine_class = RpcEngine
    widget_name = "RpcManager"
    icon_name = "rpc.ico"
