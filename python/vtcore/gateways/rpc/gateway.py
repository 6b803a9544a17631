"""RpcGateway: a MainEngine in another process (an `RpcEngine` server) seen as one local gateway.

On connect, and again whenever the server restarts or a gap shows in its event stream, the gateway takes a
snapshot (contracts, accounts, positions, orders, trades, quotes) while it buffers the live events; it then
applies the buffered events numbered after the snapshot and follows the stream. After a resync the local state
is the snapshot's: a position the server no longer reports gets a volume-0 event, an account a zeroed one,
and an active order (or quote) the server no longer knows a CANCELLED one, with a warning in the log.

Objects are re-emitted under the local gateway name, and the ids of orders, trades, accounts and quotes keep
the server gateway's name: the server's "CTP.1_2_3" is "RPC.CTP.1_2_3" here (local `orderid` = the server's
`vt_orderid`), so two server gateways with overlapping ids never collide and `cancel_order` goes to the
gateway named in the id. The event type suffix matches the local id ("eOrder.RPC.CTP.1_2_3", unlike vn.py's
gateway). Positions have no id of their own (vn.py's `vt_positionid` is gateway, symbol, direction): two
server gateways holding the same symbol share one local position id, and a warning says so; give each its
own RpcGateway with the `server_gateways` setting. Orders, trades and the rest are emitted only when they
differ from what was last emitted, so a resync or a server restart never produces a duplicate event.

`send_order` sends a key of its own choosing with each order, which the server de-duplicates. When the reply
does not come in time, `send_order` still returns an id ("RPC.<server gateway>.~<key>") and emits the order
as SUBMITTING; a background retry with the same key (never a second order) learns the server's id, and from
then on the server's order is emitted under the returned id (events of the server gateway are held back
until then, so it never shows up under two ids). A retry that reaches a restarted server is refused (the
earlier server may have sent it): the order becomes REJECTED with a warning to look for it.

Ticks that left the server as raw C++ records are pushed into a local C++ ring (this gateway's producer), so
they reach local strategies exactly like a local CTP gateway's ticks; a full ring drops and counts them, and
gaps in the server's tick numbering are counted in `ticks_lost`.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import zmq

from vtcore.constant import ACTIVE_STATUSES, Exchange, Status
from vtcore.event import (
    EVENT_ACCOUNT,
    EVENT_CONTRACT,
    EVENT_GATEWAY_STATE,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_QUOTE,
    EVENT_TICK,
    EVENT_TRADE,
    EventEngine,
)
from vtcore.gateway import BaseGateway
from vtcore.object import (
    BarData,
    CancelRequest,
    GatewayStateData,
    HistoryRequest,
    OrderRequest,
    QuoteRequest,
    SubscribeRequest,
    split_vt_id,
)
from vtcore.orders import OrderTracker
from vtcore.records import TICK_RECORD_SIZE
from vtcore.rpc import keys, schema
from vtcore.rpc.client import CONNECTED, DISCONNECTED, REFUSED, RESTARTED, RpcClient
from vtcore.rpc.keys import CurveKeyPair
from vtcore.rpc.protocol import (
    RETRY_LATER,
    Call,
    NotConnectedError,
    RemoteError,
    RpcError,
    RpcTimeoutError,
    ServerInfo,
)
from vtcore.setting import DefaultSetting

#: Events buffered while a snapshot is taken; more than this means the snapshot is hopelessly slow: resync.
MAX_BUFFERED = 1_000_000
CALL_TIMEOUT = 30.0
FRONT = "rpc"
RETRY_PAUSE = 0.2  # seconds between retries of a send_order that timed out
#: Seconds events are held back for an unresolved send_order; after that they flow again (the order, should it
#: then show up before the server's answer, gets both ids), so a server gateway that hangs in send_order
#: cannot stop this client's order updates.
MAX_HOLD = 60.0
_UNROUTED = object()  # a request for a symbol no server gateway trades
#: Objects that exist only while the server reports them (trades and contracts are kept once seen).
_STATE_KINDS = ("order", "position", "account", "quote")


@dataclass(eq=False)
class _PendingSend:
    """A send_order whose reply did not come in time; `local_orderid` is what send_order returned."""

    key: str
    server_gateway: str
    req: OrderRequest
    local_orderid: str
    epoch: int
    cancel_wanted: bool = False


class RpcGateway(BaseGateway):
    """The client side of vtcore's RPC service. Settings:

    - `req_address` / `sub_address`: the server's request and event endpoints;
    - `server_public_key`: the server's CURVE public key (Z85; `RpcEngine.server_public_key` shows it). Empty
      means the server runs as this user on this host: its key is read from `.vntrader/rpc/server.key` and
      this client's key is added to that server's allow-list;
    - `client_key_file`: this client's `*.key_secret` file; empty means `.vntrader/rpc/client.key_secret`,
      created on first use (give `client.key`, the public half, to the server's allow-list);
    - `curve`: False only for a server on loopback that runs without CURVE.

    - `server_gateways`: the server gateways this gateway shows, comma-separated (absent or empty: all). One
      RpcGateway per server gateway keeps, e.g., two accounts' positions in the same symbol apart.

    vn.py's two fields (主动请求地址, 推送订阅地址) are the required ones; the others are optional.
    """

    default_name: ClassVar[str] = "RPC"
    default_setting: ClassVar[DefaultSetting] = {
        "req_address": "tcp://127.0.0.1:2014",
        "sub_address": "tcp://127.0.0.1:4102",
        "server_public_key": "",
        "client_key_file": "",
        "curve": True,
        "server_gateways": "",
    }
    optional_setting: ClassVar[dict[str, str]] = {
        "server_public_key": "the server's CURVE public key (default: read from this user's .vntrader/rpc)",
        "client_key_file": "this client's CURVE secret key file (default .vntrader/rpc/client.key_secret)",
        "curve": "false only for a loopback server without CURVE (default true)",
        "server_gateways": "the server gateways shown here, comma-separated (default: all)",
    }
    exchanges: ClassVar[list[Exchange]] = list(Exchange)

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.client: RpcClient | None = None
        self.call_timeout = CALL_TIMEOUT  # seconds a request may take before it raises RpcTimeoutError
        self.symbol_gateway_map: dict[str, str] = {}  # vt_symbol -> the server gateway that trades it
        self.ticks_lost = 0  # ticks the server published that never arrived (gaps in its tick numbering)
        self.resyncs = 0
        self._producer: Any = None
        self._decoder = msgspec.msgpack.Decoder(schema.PublicationMsg)
        self._lock = threading.Lock()
        self._live = False
        self._epoch = -1
        self._seq = 0
        self._next_tick_seq: dict[int, int] = {}
        self._buffer: list[schema.Publication] = []
        self._emitted: dict[tuple[str, str], Any] = {}  # (kind, remote id) -> last Struct emitted
        self.orders = OrderTracker(self)  # ids are the server's, prefixed with its gateway: unique here
        self._sync_wanted = threading.Event()
        self._closing = threading.Event()
        self._sync_thread: threading.Thread | None = None
        self._synced = threading.Event()
        self._shown: frozenset[str] = frozenset()  # server gateways shown here (empty: all)
        self._position_owners: dict[tuple[str, Exchange, str], str] = {}  # local position -> server gateway
        # send_order keys: a random prefix per gateway object, so no two clients' keys meet on a server.
        self._key_prefix = os.urandom(8).hex()
        self._key_numbers = itertools.count(1)
        self._pending: dict[str, _PendingSend] = {}  # key -> a send_order that timed out, not yet resolved
        self._held: list[tuple[Any, str | None]] = []  # events held back while a send is pending
        self._holding = False
        self._aliases: dict[str, str] = {}  # server vt_orderid -> the local orderid send_order returned
        self._alias_targets: dict[str, str] = {}  # that local orderid -> the server vt_orderid
        self._mirrored: set[str] = set()  # server vt_orderids emitted under their own id before the alias
        self._retry_threads: list[threading.Thread] = []
        self._client_key_hint = ""  # this client's public key and its file, for the hint on a refusal

    # -- connection ---------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        if self.client is not None:
            self.write_log("already connected", logging.WARNING)
            return
        self._shown = frozenset(
            name.strip() for name in str(setting.get("server_gateways", "")).split(",") if name.strip()
        )
        try:
            server_key, keypair = self._security(setting)
            client = RpcClient(
                server_public_key=server_key,
                keypair=keypair,
                on_publication=self._on_publication,
                on_state=self._on_state,
                on_heartbeat=self._on_heartbeat,
            )
            self._producer = self.create_producer(f"{self.gateway_name}-ticks")
            client.start(str(setting["req_address"]), str(setting["sub_address"]))
        except (RpcError, ValueError, OSError, zmq.ZMQError) as exc:
            self.write_log(f"cannot connect: {exc}", logging.ERROR)
            self._state("error", str(exc))
            self._remove_producer()
            return
        self.client = client
        self._closing.clear()
        self._sync_thread = threading.Thread(
            target=self._sync_loop, name=f"{self.gateway_name}-sync", daemon=True
        )
        self._sync_thread.start()
        self._state("connecting", f"{setting['req_address']} / {setting['sub_address']}")

    def _security(self, setting: dict[str, Any]) -> tuple[bytes | None, CurveKeyPair | None]:
        if not setting.get("curve", True):
            return None, None
        key_file = str(setting.get("client_key_file", "")).strip()
        if key_file:
            keypair = keys.load_keypair(Path(key_file).expanduser())
            self._client_key_hint = f"{key_file}, public key {keypair.public.decode()}"
        else:
            keypair = keys.load_or_create_keypair(keys.CLIENT_KEY_NAME)
            public = keys.key_folder() / f"{keys.CLIENT_KEY_NAME}.key"
            self._client_key_hint = f"{public}, public key {keypair.public.decode()}"
        server_key = str(setting.get("server_public_key", "")).strip()
        if server_key:
            return keys.normalize_public_key(server_key), keypair
        local = keys.key_folder() / f"{keys.SERVER_KEY_NAME}.key"
        if not local.exists():
            raise RpcError(
                "server_public_key is empty and this user has no local RPC server key "
                f"({local}): paste the server's public key"
            )
        keys.authorize_client(keypair.public, f"{keys.CLIENT_KEY_NAME}-{self.gateway_name.lower()}")
        return keys.load_public_key(local), keypair

    def close(self) -> None:
        self._closing.set()
        self._sync_wanted.set()
        client, self.client = self.client, None
        if client is not None:
            client.close()
        if self._sync_thread is not None:
            self._sync_thread.join(timeout=self.call_timeout)
            self._sync_thread = None
        threads, self._retry_threads = self._retry_threads, []
        for thread in threads:
            thread.join(timeout=self.call_timeout)
        self._remove_producer()

    def _remove_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            self.event_engine.remove_producer(producer)

    def wait_synced(self, timeout: float) -> bool:
        """Block until the first snapshot has been applied (for scripts and tests)."""
        return self._synced.wait(timeout)

    # -- requests -----------------------------------------------------------------------------------------

    def _route(self, call_type: type[Call], result_type: Any, req: Any, codec: schema.Codec[Any, Any]) -> Any:
        """Send `req` to the server gateway that trades its symbol; _UNROUTED when none does.

        Raises RpcTimeoutError when the server does not answer in time (the request may still have run),
        RemoteError when it refused or failed the request, RpcError when this gateway is not connected.
        """
        name = self._server_gateway_for(req)
        if name is None:
            return _UNROUTED
        return self._connected_client().call(
            call_type, result_type, self.call_timeout, req=codec.to_msg(req), gateway_name=name
        )

    def _connected_client(self) -> RpcClient:
        client = self.client
        if client is None:
            raise RpcError(f"{self.gateway_name} is not connected")
        return client

    def _server_gateway_for(self, req: Any) -> str | None:
        name = self.symbol_gateway_map.get(req.vt_symbol)
        if name is None:
            self.write_log(f"no server gateway trades {req.vt_symbol} (unknown contract)", logging.WARNING)
        return name

    def _local_id(self, remote_vt_id: Any) -> str:
        """The server's "CTP.1_2_3" is "RPC.CTP.1_2_3" here."""
        if remote_vt_id is _UNROUTED or not remote_vt_id:
            return ""
        return f"{self.gateway_name}.{remote_vt_id}"

    def subscribe(self, req: SubscribeRequest) -> None:
        self._route(schema.Subscribe, None, req, schema.SUBSCRIBE_REQ)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self._route(schema.Unsubscribe, None, req, schema.SUBSCRIBE_REQ)

    def send_order(self, req: OrderRequest) -> str:
        """The local vt_orderid ("RPC.<server gateway>.<orderid>"), or "" when no server gateway trades the
        symbol. When the server does not answer in time, an id that stands for the order until the server's
        answer is known (see the module docstring)."""
        server_gateway = self._server_gateway_for(req)
        if server_gateway is None:
            return ""
        client = self._connected_client()
        key = f"{self._key_prefix}-{next(self._key_numbers)}"
        message, problem = _order_req(req)
        if message is None:
            # the server would refuse to read it (its rule): rejected here with the reason, never raised
            order = req.create_order_data(f"{server_gateway}.~{key}", self.gateway_name)
            self.orders.reject(order, problem)
            return order.vt_orderid
        info = client.server_info
        try:
            remote: str = client.call(
                schema.SendOrder,
                str,
                self.call_timeout,
                req=message,
                gateway_name=server_gateway,
                key=key,
            )
        except RpcTimeoutError as exc:
            if not exc.sent:
                raise  # it never left: nothing was sent
            return self._send_pending(key, server_gateway, req, info.epoch if info else 0)
        return self._local_id(remote)

    def _send_pending(self, key: str, server_gateway: str, req: OrderRequest, epoch: int) -> str:
        if not epoch and self.client is not None and self.client.server_info is not None:
            epoch = self.client.server_info.epoch
        pending = _PendingSend(key, server_gateway, req, f"{server_gateway}.~{key}", epoch)
        order = req.create_order_data(pending.local_orderid, self.gateway_name)
        with self._lock:
            self._pending[key] = pending
            self._holding = True
            self.orders.order(order)  # SUBMITTING, as a gateway reports an order it has just sent
        self.write_log(
            f"send_order {order.vt_orderid}: no reply within {self.call_timeout:g} s; retrying "
            "with the same key (the server sends it at most once)",
            logging.WARNING,
        )
        thread = threading.Thread(
            target=self._retry_send, args=(pending,), daemon=True, name=f"{self.gateway_name}-send-retry"
        )
        self._retry_threads = [t for t in self._retry_threads if t.is_alive()] + [thread]
        thread.start()
        return order.vt_orderid

    def _retry_send(self, pending: _PendingSend) -> None:
        """Send the same keyed order again until the server answers with its outcome."""
        hold_until = time.monotonic() + MAX_HOLD
        while not self._closing.is_set():
            if self._holding and time.monotonic() > hold_until:
                with self._lock:
                    self._release_held()
                self.write_log(
                    f"no answer to send_order {self.gateway_name}.{pending.local_orderid} for "
                    f"{MAX_HOLD:g} s: server events flow again meanwhile",
                    logging.WARNING,
                )
            client = self.client
            if client is None:
                return
            try:
                remote: str = client.call(
                    schema.SendOrder,
                    str,
                    self.call_timeout,
                    req=schema.ORDER_REQ.to_msg(pending.req),
                    gateway_name=pending.server_gateway,
                    key=pending.key,
                    epoch=pending.epoch,
                )
            except RemoteError as exc:
                if RETRY_LATER in str(exc):
                    self._closing.wait(RETRY_PAUSE)
                    continue
                self._resolve_send(pending, "", str(exc))
                return
            except (RpcTimeoutError, NotConnectedError):
                self._closing.wait(RETRY_PAUSE)  # the server is slow or away: ask again
                continue
            except RpcError as exc:
                self.write_log(f"send_order retry failed ({exc}); retrying", logging.WARNING)
                self._closing.wait(RETRY_PAUSE)
                continue
            self._resolve_send(pending, remote, "" if remote else "the server gateway refused the order")
            return

    def _resolve_send(self, pending: _PendingSend, remote: str, error: str) -> None:
        """Tie the id send_order returned to the server's order (or reject it), then release held events."""
        local_vt_orderid = f"{self.gateway_name}.{pending.local_orderid}"
        with self._lock:
            del self._pending[pending.key]
            if remote:
                self._aliases[remote] = pending.local_orderid
                self._alias_targets[pending.local_orderid] = remote
                last = self._emitted.get(("order", remote))
                if last is not None:
                    # The server's order reached us under its own id before the timeout: both ids now get
                    # its updates, starting with its current state under the returned one.
                    self._mirrored.add(remote)
                    order = schema.ORDER.to_object(last, self.gateway_name)
                    order.orderid = pending.local_orderid
                    self.orders.order(order)
            else:
                rejected = pending.req.create_order_data(pending.local_orderid, self.gateway_name)
                self.orders.reject(rejected, error)
            if not self._pending:
                self._release_held()
        if remote:
            self.write_log(f"send_order {local_vt_orderid} is the server's {remote}")
            if pending.cancel_wanted:
                try:
                    self.cancel_order(
                        CancelRequest(pending.local_orderid, pending.req.symbol, pending.req.exchange)
                    )
                except RpcError as exc:
                    self.write_log(f"cancel of {local_vt_orderid} failed: {exc}", logging.WARNING)
        else:
            self.write_log(f"send_order {local_vt_orderid} REJECTED: {error}", logging.WARNING)

    def _release_held(self) -> None:
        """Emit the events held back for pending sends (called with `_lock` held)."""
        self._holding = False
        held, self._held = self._held, []
        for data, event_type in held:
            self._emit(data, event_type)

    def _cancel(self, call_type: type[Call], req: CancelRequest) -> None:
        """Cancel at the server gateway named in the local id ("CTP.1_2_3" -> gateway CTP, id 1_2_3)."""
        with self._lock:
            pending = next((p for p in self._pending.values() if p.local_orderid == req.orderid), None)
            if pending is not None:
                pending.cancel_wanted = True
            remote = self._alias_targets.get(req.orderid, req.orderid)
        if pending is not None:
            self.write_log(
                f"cancel of {self.gateway_name}.{req.orderid} waits for the server's answer to its send_order"
            )
            return
        server_gateway, orderid = split_vt_id(remote)
        cancel = CancelRequest(orderid, req.symbol, req.exchange)
        self._connected_client().call(
            call_type,
            None,
            self.call_timeout,
            req=schema.CANCEL_REQ.to_msg(cancel),
            gateway_name=server_gateway,
        )

    def cancel_order(self, req: CancelRequest) -> None:
        """Raises InvalidIdentifierError when `req.orderid` names no server gateway (not "<gateway>.<id>")."""
        self._cancel(schema.CancelOrder, req)

    def send_quote(self, req: QuoteRequest) -> str:
        return self._local_id(self._route(schema.SendQuote, str, req, schema.QUOTE_REQ))

    def cancel_quote(self, req: CancelRequest) -> None:
        self._cancel(schema.CancelQuote, req)

    def query_history(self, req: HistoryRequest) -> list[BarData]:
        bars = self._route(schema.QueryHistory, list[schema.BarMsg], req, schema.HISTORY_REQ)
        if bars is _UNROUTED:
            return []
        return [schema.BAR.to_object(bar, self.gateway_name) for bar in bars]

    def query_account(self) -> None:
        """Nothing to do: the server pushes account changes."""

    def query_position(self) -> None:
        """Nothing to do: the server pushes position changes."""

    # -- server state (client I/O thread) -----------------------------------------------------------------

    def _on_state(self, state: str, info: ServerInfo | None) -> None:
        if state == REFUSED:
            hint = (
                f"the RPC server refused this client's key ({self._client_key_hint}): add its public half to "
                "the server's allow-list (on the server: vtcore.rpc.keys.authorize_client, or the RPC "
                "service window), then it connects by itself"
            )
            self.write_log(hint, logging.ERROR)
            self._state(REFUSED, hint)
            return
        if state == DISCONNECTED:
            with self._lock:
                self._live = False
            self.write_log("RPC server lost: no heartbeat; waiting for it to come back", logging.WARNING)
            self._state(DISCONNECTED, "no heartbeat from the server")
            return
        if state == RESTARTED:
            self.write_log("RPC server restarted: taking a fresh snapshot")
        self._state(state, "")
        if state in (CONNECTED, RESTARTED):
            self._request_sync()

    def _on_heartbeat(self, info: ServerInfo) -> None:
        # Heartbeats travel the same PUB socket after the events they count: a higher seq means a lost event.
        with self._lock:
            missed = self._live and (info.epoch != self._epoch or info.seq > self._seq)
        if missed:
            self._request_sync()

    def _request_sync(self) -> None:
        with self._lock:
            self._live = False
            self._buffer.clear()
        self._sync_wanted.set()

    def _state(self, state: str, message: str) -> None:
        self.on_gateway_state(
            GatewayStateData(gateway_name=self.gateway_name, front=FRONT, state=state, message=message)
        )

    # -- snapshot -------------------------------------------------------------------------------------------

    def _sync_loop(self) -> None:
        while not self._closing.is_set():
            self._sync_wanted.wait()
            if self._closing.is_set():
                return
            self._sync_wanted.clear()
            client = self.client
            if client is None:
                return
            try:
                snapshot: schema.Snapshot = client.call(
                    schema.GetSnapshot, schema.Snapshot, self.call_timeout
                )
            except RpcError as exc:
                if self._closing.is_set():
                    return
                self.write_log(f"snapshot failed ({exc}); retrying", logging.WARNING)
                self._closing.wait(1.0)
                self._sync_wanted.set()
                continue
            if self._apply_snapshot(snapshot):
                self.resyncs += 1
                self._synced.set()
                self._state("synced", f"snapshot at event {snapshot.seq}")

    def _apply_snapshot(self, snapshot: schema.Snapshot) -> bool:
        with self._lock:
            self.symbol_gateway_map = {}  # contracts the server no longer has are no longer routed
            for contract in snapshot.contracts:
                self._emit(contract)
            for group in (
                snapshot.accounts,
                snapshot.positions,
                snapshot.orders,
                snapshot.trades,
                snapshot.quotes,
            ):
                for item in group:
                    self._emit(item)
            self._close_vanished(snapshot)
            self._epoch = snapshot.epoch
            self._seq = snapshot.seq
            buffered = sorted(
                (p for p in self._buffer if p.epoch == snapshot.epoch and p.seq > snapshot.seq),
                key=lambda p: p.seq,
            )
            self._buffer.clear()
            for publication in buffered:
                if publication.seq == self._seq:
                    continue  # a duplicate
                if publication.seq != self._seq + 1:
                    self._sync_wanted.set()  # a gap inside the buffer: take another snapshot
                    return False
                self._seq = publication.seq
                self._emit(publication.data, publication.type)
            self._live = True
            return True

    def _close_vanished(self, snapshot: schema.Snapshot) -> None:
        """Make the local state the snapshot's: what was emitted before but is not in the snapshot gets its
        closing state (position volume 0, account zeroed, active order or quote CANCELLED)."""
        present = {
            _identity(item)
            for group in (snapshot.accounts, snapshot.positions, snapshot.orders, snapshot.quotes)
            for item in group
        }
        closed: dict[str, list[str]] = {}
        for key, last in list(self._emitted.items()):
            if key[0] not in _STATE_KINDS or key in present or not self._shows(last.gateway_name):
                continue
            closing = _closing_state(last)
            if closing is None:
                continue  # already final (a finished order, a zero position)
            closed.setdefault(key[0], []).append(key[1])
            self._emit(closing)
        if closed:
            what = "; ".join(
                f"{kind}s {', '.join(sorted(ids)[:10])}" + (" …" if len(ids) > 10 else "")
                for kind, ids in sorted(closed.items())
            )
            self.write_log(
                "after the resync the server no longer reports these, closed here (positions and "
                f"accounts zeroed, active orders and quotes CANCELLED): {what}",
                logging.WARNING,
            )

    # -- the event stream (client I/O thread) -------------------------------------------------------------

    def _on_publication(self, topic: bytes, payload: bytes) -> bool:
        """Apply one publication; False when it could not be decoded (the client then realigns its frames)."""
        try:
            message = self._decoder.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self.write_log(f"dropped a malformed publication on {topic[:32]!r}: {exc}", logging.WARNING)
            return False
        if isinstance(message, schema.TickRecords):
            self._on_records(message)
            return True
        shown = self._shown
        if isinstance(message, schema.TickBatch):
            self._count_ticks(message.epoch, message.seq, len(message.ticks))
            to_object, name, on_tick = schema.TICK.to_object, self.gateway_name, self.on_tick
            for tick in message.ticks:
                if not shown or tick.gateway_name in shown:
                    on_tick(to_object(tick, name))
            return True
        if isinstance(message.data, schema.TickMsg):
            self._count_ticks(message.epoch, message.seq, 1)
            if not shown or message.data.gateway_name in shown:
                self.on_tick(schema.TICK.to_object(message.data, self.gateway_name))
            return True
        with self._lock:
            if not self._live or message.epoch != self._epoch:
                if len(self._buffer) < MAX_BUFFERED:
                    self._buffer.append(message)
                return True
            if message.seq <= self._seq:
                return True  # already applied
            if message.seq != self._seq + 1:
                self._live = False
                self._buffer = [message]
                gap = message.seq - self._seq - 1
                self._sync_wanted.set()
            else:
                gap = 0
                self._seq = message.seq
                self._emit(message.data, message.type)
        if gap:
            self.write_log(f"{gap} server events missed: resynchronizing", logging.WARNING)
        return True

    def _on_records(self, message: schema.TickRecords) -> None:
        size = message.record_size
        data = message.records
        if size != TICK_RECORD_SIZE or len(data) % size:
            self.write_log(
                f"dropped {len(data)} bytes of tick records of size {size} (this build's records "
                f"are {TICK_RECORD_SIZE} bytes)",
                logging.WARNING,
            )
            return
        count = len(data) // size
        self._count_ticks(message.epoch, message.seq, count)
        producer = self._producer
        if producer is None or not self._shows(message.gateway_name):
            return
        view = memoryview(data)
        push = producer.push_tick
        for offset in range(0, len(data), size):
            push(
                view[offset : offset + size]
            )  # a full ring drops and counts the tick (producer.ticks_dropped)

    def _count_ticks(self, epoch: int, seq: int, count: int) -> None:
        expected = self._next_tick_seq.get(epoch)
        if expected is not None and seq > expected:
            self.ticks_lost += seq - expected
        if len(self._next_tick_seq) > 4:
            self._next_tick_seq.clear()
        self._next_tick_seq[epoch] = seq + count

    def _shows(self, server_gateway: str) -> bool:
        return not self._shown or server_gateway in self._shown

    def _emit(self, data: Any, event_type: str | None = None) -> None:
        """Push one server object as a local one, unless it equals what was last pushed for the same id.
        Called with `_lock` held."""
        if not self._shows(data.gateway_name):
            return
        if isinstance(data, schema.ContractMsg):
            self.symbol_gateway_map[f"{data.symbol}.{data.exchange.value}"] = data.gateway_name
        if self._holding and not isinstance(data, schema.ContractMsg):
            self._held.append((data, event_type))  # released once the pending send_order is resolved
            return
        key = _identity(data)
        if key is not None:
            if self._emitted.get(key) == data:
                return
            self._emitted[key] = data
        obj = schema.to_object(data, self.gateway_name)
        server_gateway = data.gateway_name
        if isinstance(data, schema.OrderMsg):
            remote = f"{server_gateway}.{data.orderid}"
            alias = self._aliases.get(remote)
            if alias is not None and remote in self._mirrored:
                twin = schema.ORDER.to_object(data, self.gateway_name)
                twin.orderid = remote
                self.orders.order(twin)
            obj.orderid = alias or remote
            self.orders.order(obj)  # a resync or a server restart never moves an order back
            return
        elif isinstance(data, schema.TradeMsg):
            remote = f"{server_gateway}.{data.orderid}"
            obj.orderid = self._aliases.get(remote, remote)
            obj.tradeid = f"{server_gateway}.{data.tradeid}"
            self.orders.trade(obj)
            return
        elif isinstance(data, schema.AccountMsg):
            obj.accountid = f"{server_gateway}.{data.accountid}"
        elif isinstance(data, schema.QuoteMsg):
            obj.quoteid = f"{server_gateway}.{data.quoteid}"
        elif isinstance(data, schema.PositionMsg):
            self._check_position_owner(data)
        elif isinstance(data, schema.LogMsg):
            obj.msg = f"[{server_gateway}] {obj.msg}"  # masked by the codec, like the server's side
        elif isinstance(data, schema.GatewayStateMsg):
            obj.front = f"{server_gateway}/{data.front}"
        helper = _HELPERS.get(event_type or _DEFAULT_TYPES.get(type(data), ""))
        if helper is not None:
            getattr(self, helper)(obj)
        elif event_type:
            self.on_event(event_type, obj)

    def _check_position_owner(self, data: schema.PositionMsg) -> None:
        position = (data.symbol, data.exchange, data.direction.value)
        owner = self._position_owners.setdefault(position, data.gateway_name)
        if owner not in (data.gateway_name, ""):  # "": warned already
            self._position_owners[position] = ""  # warned once
            self.write_log(
                f"server gateways {owner} and {data.gateway_name} both hold {data.symbol}."
                f"{data.exchange.value} {data.direction.value}: here they share one position id; "
                "use one RpcGateway per server gateway (setting server_gateways)",
                logging.WARNING,
            )


def _order_req(req: OrderRequest) -> tuple[schema.OrderReq | None, str]:
    """The wire form of `req`, checked against its schema as the server will check it; (None, why) when a
    field does not fit (no direction, a type that is not an OrderType ...)."""
    message = schema.ORDER_REQ.to_msg(req)
    try:
        msgspec.msgpack.decode(msgspec.msgpack.encode(message), type=schema.OrderReq)
    except (msgspec.ValidationError, msgspec.EncodeError, TypeError) as exc:
        # "... - at `$[2]`" names the field by its place in the array: name it by its name
        fields = schema.OrderReq.__struct_fields__
        why = re.sub(
            r"`\$\[(\d+)\]`",
            lambda m: f"field {fields[int(m.group(1))]}" if int(m.group(1)) < len(fields) else m.group(0),
            str(exc),
        )
        return None, f"the order cannot be sent: {why}"
    return message, ""


def _closing_state(last: Any) -> Any:
    """What an object the server stopped reporting becomes here; None when `last` is final already."""
    if isinstance(last, schema.PositionMsg):
        if not (last.volume or last.frozen or last.yd_volume or last.pnl):
            return None
        return msgspec.structs.replace(last, volume=0, frozen=0, yd_volume=0, pnl=0, price=0)
    if isinstance(last, schema.AccountMsg):
        if not (last.balance or last.frozen or last.available_override):
            return None
        return msgspec.structs.replace(last, balance=0, frozen=0, available_override=None)
    if isinstance(last, (schema.OrderMsg, schema.QuoteMsg)):
        if last.status not in ACTIVE_STATUSES:
            return None
        return msgspec.structs.replace(last, status=Status.CANCELLED)
    return None


def _identity(data: Any) -> tuple[str, str] | None:
    """The key under which an object replaces its previous state (None: every message is new, e.g. logs)."""
    if isinstance(data, schema.OrderMsg):
        return ("order", f"{data.gateway_name}.{data.orderid}")
    if isinstance(data, schema.TradeMsg):
        return ("trade", f"{data.gateway_name}.{data.tradeid}")
    if isinstance(data, schema.PositionMsg):
        return ("position", f"{data.gateway_name}.{data.symbol}.{data.exchange.value}.{data.direction.value}")
    if isinstance(data, schema.AccountMsg):
        return ("account", f"{data.gateway_name}.{data.accountid}")
    if isinstance(data, schema.ContractMsg):
        return ("contract", f"{data.symbol}.{data.exchange.value}")
    if isinstance(data, schema.QuoteMsg):
        return ("quote", f"{data.gateway_name}.{data.quoteid}")
    return None


_HELPERS = {
    EVENT_TICK: "on_tick",
    EVENT_ORDER: "on_order",
    EVENT_TRADE: "on_trade",
    EVENT_POSITION: "on_position",
    EVENT_ACCOUNT: "on_account",
    EVENT_CONTRACT: "on_contract",
    EVENT_QUOTE: "on_quote",
    EVENT_LOG: "on_log",
    EVENT_GATEWAY_STATE: "on_gateway_state",
}
_DEFAULT_TYPES: dict[type, str] = {
    schema.OrderMsg: EVENT_ORDER,
    schema.TradeMsg: EVENT_TRADE,
    schema.PositionMsg: EVENT_POSITION,
    schema.AccountMsg: EVENT_ACCOUNT,
    schema.ContractMsg: EVENT_CONTRACT,
    schema.QuoteMsg: EVENT_QUOTE,
    schema.LogMsg: EVENT_LOG,
    schema.GatewayStateMsg: EVENT_GATEWAY_STATE,
    schema.TickMsg: EVENT_TICK,
}
