"""RpcGateway: a MainEngine in another process (an `RpcEngine` server) seen as one local gateway.

On connect, and again whenever the server restarts or a gap shows in its event stream, the gateway takes a
snapshot (contracts, accounts, positions, orders, trades, quotes) while it buffers the live events; it then
applies the buffered events numbered after the snapshot and follows the stream. Objects are re-emitted under
the local gateway name, so `vt_orderid` is "RPC.<orderid>" and the event type suffix matches it
("eOrder.RPC.<orderid>", unlike vn.py's gateway). Orders, trades and the rest are emitted only when they
differ from what was last emitted, so a resync or a server restart never produces a duplicate order or trade
event.

Ticks that left the server as raw C++ records are pushed into a local C++ ring (this gateway's producer), so
they reach local strategies exactly like a local CTP gateway's ticks; a full ring drops and counts them, and
gaps in the server's tick numbering are counted in `ticks_lost`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import zmq

from vtcore._core import TICK_RECORD_SIZE
from vtcore.constant import Exchange
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
    LogData,
    OrderRequest,
    QuoteRequest,
    SubscribeRequest,
    split_vt_id,
)
from vtcore.rpc import keys, schema
from vtcore.rpc.client import CONNECTED, DISCONNECTED, RESTARTED, RpcClient
from vtcore.rpc.keys import CurveKeyPair
from vtcore.rpc.protocol import Call, RpcError, ServerInfo
from vtcore.setting import DefaultSetting

#: Events buffered while a snapshot is taken; more than this means the snapshot is hopelessly slow: resync.
MAX_BUFFERED = 1_000_000
CALL_TIMEOUT = 30.0
FRONT = "rpc"
_UNROUTED = object()  # a request for a symbol no server gateway trades


class RpcGateway(BaseGateway):
    """The client side of vtcore's RPC service. Settings:

    - `req_address` / `sub_address`: the server's request and event endpoints;
    - `server_public_key`: the server's CURVE public key (Z85; `RpcEngine.server_public_key` shows it). Empty
      means the server runs as this user on this host: its key is read from `.vntrader/rpc/server.key` and
      this client's key is added to that server's allow-list;
    - `client_key_file`: this client's `*.key_secret` file; empty means `.vntrader/rpc/client.key_secret`,
      created on first use (give `client.key`, the public half, to the server's allow-list);
    - `curve`: False only for a server on loopback that runs without CURVE.
    """

    default_name: ClassVar[str] = "RPC"
    default_setting: ClassVar[DefaultSetting] = {
        "req_address": "tcp://127.0.0.1:2014",
        "sub_address": "tcp://127.0.0.1:4102",
        "server_public_key": "",
        "client_key_file": "",
        "curve": True,
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
        self._sync_wanted = threading.Event()
        self._closing = threading.Event()
        self._sync_thread: threading.Thread | None = None
        self._synced = threading.Event()

    # -- connection ---------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        if self.client is not None:
            self.write_log("already connected", logging.WARNING)
            return
        try:
            server_key, keypair = self._security(setting)
            client = RpcClient(server_public_key=server_key, keypair=keypair,
                               on_publication=self._on_publication, on_state=self._on_state,
                               on_heartbeat=self._on_heartbeat)
            self._producer = self.create_producer(f"{self.gateway_name}-ticks")
            client.start(str(setting["req_address"]), str(setting["sub_address"]))
        except (RpcError, ValueError, OSError, zmq.ZMQError) as exc:
            self.write_log(f"cannot connect: {exc}", logging.ERROR)
            self._state("error", str(exc))
            self._remove_producer()
            return
        self.client = client
        self._closing.clear()
        self._sync_thread = threading.Thread(target=self._sync_loop, name=f"{self.gateway_name}-sync",
                                             daemon=True)
        self._sync_thread.start()
        self._state("connecting", f"{setting['req_address']} / {setting['sub_address']}")

    def _security(self, setting: dict[str, Any]) -> tuple[bytes | None, CurveKeyPair | None]:
        if not setting.get("curve", True):
            return None, None
        key_file = str(setting.get("client_key_file", "")).strip()
        if key_file:
            keypair = keys.load_keypair(Path(key_file).expanduser())
        else:
            keypair = keys.load_or_create_keypair(keys.CLIENT_KEY_NAME)
        server_key = str(setting.get("server_public_key", "")).strip()
        if server_key:
            return keys.normalize_public_key(server_key), keypair
        local = keys.key_folder() / f"{keys.SERVER_KEY_NAME}.key"
        if not local.exists():
            raise RpcError("server_public_key is empty and this user has no local RPC server key "
                           f"({local}): paste the server's public key")
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
        client = self.client
        if client is None:
            raise RpcError(f"{self.gateway_name} is not connected")
        name = self.symbol_gateway_map.get(req.vt_symbol)
        if name is None:
            self.write_log(f"no server gateway trades {req.vt_symbol} (unknown contract)", logging.WARNING)
            return _UNROUTED
        return client.call(call_type, result_type, self.call_timeout, req=codec.to_msg(req),
                           gateway_name=name)

    def _local_id(self, remote_vt_id: Any) -> str:
        """"CTP.1_2_3" on the server is "RPC.1_2_3" here (split at the first dot: ids may contain dots)."""
        if remote_vt_id is _UNROUTED or not remote_vt_id:
            return ""
        return f"{self.gateway_name}.{split_vt_id(remote_vt_id)[1]}"

    def subscribe(self, req: SubscribeRequest) -> None:
        self._route(schema.Subscribe, None, req, schema.SUBSCRIBE_REQ)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self._route(schema.Unsubscribe, None, req, schema.SUBSCRIBE_REQ)

    def send_order(self, req: OrderRequest) -> str:
        """The local vt_orderid ("RPC.<orderid>"), or "" when no server gateway trades the symbol."""
        return self._local_id(self._route(schema.SendOrder, str, req, schema.ORDER_REQ))

    def cancel_order(self, req: CancelRequest) -> None:
        self._route(schema.CancelOrder, None, req, schema.CANCEL_REQ)

    def send_quote(self, req: QuoteRequest) -> str:
        return self._local_id(self._route(schema.SendQuote, str, req, schema.QUOTE_REQ))

    def cancel_quote(self, req: CancelRequest) -> None:
        self._route(schema.CancelQuote, None, req, schema.CANCEL_REQ)

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
        self.on_gateway_state(GatewayStateData(gateway_name=self.gateway_name, front=FRONT, state=state,
                                               message=message))

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
                snapshot: schema.Snapshot = client.call(schema.GetSnapshot, schema.Snapshot,
                                                        self.call_timeout)
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
            for contract in snapshot.contracts:
                self._emit(contract)
            for group in (snapshot.accounts, snapshot.positions, snapshot.orders, snapshot.trades,
                          snapshot.quotes):
                for item in group:
                    self._emit(item)
            self._epoch = snapshot.epoch
            self._seq = snapshot.seq
            buffered = sorted((p for p in self._buffer if p.epoch == snapshot.epoch and p.seq > snapshot.seq),
                              key=lambda p: p.seq)
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
        if isinstance(message, schema.TickBatch):
            self._count_ticks(message.epoch, message.seq, len(message.ticks))
            to_object, name, on_tick = schema.TICK.to_object, self.gateway_name, self.on_tick
            for tick in message.ticks:
                on_tick(to_object(tick, name))
            return True
        if isinstance(message.data, schema.TickMsg):
            self._count_ticks(message.epoch, message.seq, 1)
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
            self.write_log(f"dropped {len(data)} bytes of tick records of size {size} (this build's records "
                           f"are {TICK_RECORD_SIZE} bytes)", logging.WARNING)
            return
        count = len(data) // size
        self._count_ticks(message.epoch, message.seq, count)
        producer = self._producer
        if producer is None:
            return
        view = memoryview(data)
        push = producer.push_tick
        for offset in range(0, len(data), size):
            push(view[offset:offset + size])  # a full ring drops and counts the tick (producer.ticks_dropped)

    def _count_ticks(self, epoch: int, seq: int, count: int) -> None:
        expected = self._next_tick_seq.get(epoch)
        if expected is not None and seq > expected:
            self.ticks_lost += seq - expected
        if len(self._next_tick_seq) > 4:
            self._next_tick_seq.clear()
        self._next_tick_seq[epoch] = seq + count

    def _emit(self, data: Any, event_type: str | None = None) -> None:
        """Push one server object as a local one, unless it equals what was last pushed for the same id."""
        if isinstance(data, schema.ContractMsg):
            self.symbol_gateway_map[f"{data.symbol}.{data.exchange.value}"] = data.gateway_name
        key = _identity(data)
        if key is not None:
            if self._emitted.get(key) == data:
                return
            self._emitted[key] = data
        obj = schema.to_object(data, self.gateway_name)
        if isinstance(data, schema.LogMsg):
            obj = LogData(gateway_name=self.gateway_name, msg=f"[{data.gateway_name}] {data.msg}",
                          level=data.level)
        elif isinstance(data, schema.GatewayStateMsg):
            obj.front = f"{data.gateway_name}/{data.front}"
        helper = _HELPERS.get(event_type or _DEFAULT_TYPES.get(type(data), ""))
        if helper is not None:
            getattr(self, helper)(obj)
        elif event_type:
            self.on_event(event_type, obj)


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
    EVENT_TICK: "on_tick", EVENT_ORDER: "on_order", EVENT_TRADE: "on_trade", EVENT_POSITION: "on_position",
    EVENT_ACCOUNT: "on_account", EVENT_CONTRACT: "on_contract", EVENT_QUOTE: "on_quote", EVENT_LOG: "on_log",
    EVENT_GATEWAY_STATE: "on_gateway_state",
}
_DEFAULT_TYPES: dict[type, str] = {
    schema.OrderMsg: EVENT_ORDER, schema.TradeMsg: EVENT_TRADE, schema.PositionMsg: EVENT_POSITION,
    schema.AccountMsg: EVENT_ACCOUNT, schema.ContractMsg: EVENT_CONTRACT, schema.QuoteMsg: EVENT_QUOTE,
    schema.LogMsg: EVENT_LOG, schema.GatewayStateMsg: EVENT_GATEWAY_STATE, schema.TickMsg: EVENT_TICK,
}
