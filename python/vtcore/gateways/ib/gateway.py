"""`IbGateway`: Interactive Brokers through TWS / IB Gateway's socket API, spoken by vtcore itself.

Why our own protocol code on the shared transport loop instead of a client library:
- the official `ibapi` is not current on the package registry (9.81, 2020); its current releases come as a zip
  from IB, or repackaged (`nautilus-ibapi`) with a pinned protobuf runtime, and they run their own reader
  thread plus a decoder that calls one Python method per field;
- `ib-async` brings its own event loop model (eventkit, nest_asyncio patching for sync use) and builds an
  object graph (Ticker, Trade, Fill) per message that vtcore would then translate again;
- the text protocol below server version 201 is small for what a gateway needs (about 15 messages each way,
  `wire.py`), it runs as one more client on the loop every REST/WebSocket gateway already shares (no thread
  of its own), and a tick goes from the socket to TickData in one split and one dispatch
  (`benchmarks/bench_ib.py` measures it beside vn.py's IB gateway and ib-async on the same frames).

What the gateway does (settings as the user's page: TWS host/port, client id, and the account to trade when
the login manages several):
- contracts are ConIds: vt_symbol `<conId>.<exchange>` (SMART routing for US stocks). A symbol may also be a
  description `SYMBOL-SECTYPE-CURRENCY-EXCHANGE[-LASTTRADEDATE]`: the gateway asks TWS for its contract
  details (reqContractDetails) and uses the ConId of the single match (none or several: a clear error). The
  contract is pushed under its ConId and under the description; ticks and orders keep the symbol they were
  asked with.
- market data (tick price/size, optional depth with `subscribe_depth`) into TickData; orders LIMIT,
  MARKET, STOP (`price` is the stop), STOP_LIMIT and time in force through `IbOrderRequest`; FAK/FOK as
  IOC/FOK limit orders; cancel; order status and open orders; executions into TradeData (once per execId)
  with their commission report in `extra` (the trade waits `commission_wait` for it, then goes without);
  account values, portfolio and positions; bars through `query_history`.
- TWS restarts daily: the connection comes back by itself (backoff), and then the gateway subscribes again,
  reloads open orders and today's executions (so nothing missed while away is lost, and nothing seen is pushed
  twice), and settles orders that were in flight when the socket dropped.
- requests are paced below TWS's 50 messages per second (a burst of 8, then 40 a second).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from vtcore.constant import FINAL_STATUSES, Direction, Exchange, Interval, Offset, OrderType, Status
from vtcore.errors import InvalidIdentifierError
from vtcore.event import EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways._transport.session import LoopSession
from vtcore.gateways._venue.orders import VenueOrderRequest
from vtcore.gateways._venue.ticks import DATETIME, LOCALTIME, TICK_INDEX, TickState
from vtcore.gateways.ib import parse, requests
from vtcore.gateways.ib.client import Pacer, TwsConnection
from vtcore.gateways.ib.parse import Description
from vtcore.gateways.ib.requests import IbContract, IbOrder
from vtcore.gateways.ib.wire import In, to_float
from vtcore.object import (
    AccountData,
    BarData,
    CancelRequest,
    GatewayStateData,
    HistoryRequest,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    TickData,
    TradeData,
)
from vtcore.orders import OrderTracker

UTC = dt.timezone.utc
#: error codes that refuse an order (the text is the reason)
ORDER_REJECT_CODES = frozenset({103, 105, 110, 200, 201, 203, 321, 387, 388, 434, 10147})
NOT_SENT = "not connected to TWS: the order was not sent"
#: request ids live far above order ids (IB puts both in the "id" of an error message)
FIRST_REQUEST_ID = 2_000_000_000

_INDEX = TICK_INDEX
_BID, _ASK = _INDEX["bid_price_1"], _INDEX["ask_price_1"]
_BID_VOLUME, _ASK_VOLUME = _INDEX["bid_volume_1"], _INDEX["ask_volume_1"]
# tick type -> TickData field (delayed types 66.. map onto the live ones)
_TICK_FIELD = {
    0: _BID_VOLUME,
    1: _BID,
    2: _ASK,
    3: _ASK_VOLUME,
    4: _INDEX["last_price"],
    5: _INDEX["last_volume"],
    6: _INDEX["high_price"],
    7: _INDEX["low_price"],
    8: _INDEX["volume"],
    9: _INDEX["pre_close"],
    14: _INDEX["open_price"],
}
_TICK_FIELD.update(
    {
        delayed: _TICK_FIELD[live]
        for delayed, live in (
            (66, 1),
            (67, 2),
            (68, 4),
            (69, 0),
            (70, 3),
            (71, 5),
            (72, 6),
            (73, 7),
            (74, 8),
            (75, 9),
            (76, 14),
        )
    }
)
_SIZE_OF_PRICE = {
    1: _BID_VOLUME,
    2: _ASK_VOLUME,
    4: _INDEX["last_volume"],
    66: _BID_VOLUME,
    67: _ASK_VOLUME,
    68: _INDEX["last_volume"],
}
TIMES_IN_FORCE = ("DAY", "GTC", "IOC", "FOK")
#: the IB action of each order direction (NET names a position, never an order's side)
SIDES = {Direction.LONG: "BUY", Direction.SHORT: "SELL"}
ORDER_TYPE_IB2VT = {
    "LMT": OrderType.LIMIT,
    "MKT": OrderType.MARKET,
    "STP": OrderType.STOP,
    "STP LMT": OrderType.STOP_LIMIT,
}


@dataclass(slots=True)
class IbOrderRequest(VenueOrderRequest):
    """A VenueOrderRequest (`stop_price`, `time_in_force`) for IB: times in force DAY, GTC, IOC, FOK."""


class _TickState(TickState):
    """A subscription's TickData arguments plus the depth book IB updates level by level."""

    __slots__ = ("asks", "bids")

    def __init__(self, symbol: str, exchange: Exchange, gateway_name: str, name: str) -> None:
        super().__init__(symbol, exchange, gateway_name, name)
        self.bids: list[list[float]] = []
        self.asks: list[list[float]] = []


@dataclass
class _Subscription:
    req: SubscribeRequest
    con_id: int = 0
    ib_exchange: str = ""
    data_id: int = 0  # the reqMktData id of the current session (0: not requested)
    depth_rows: int = 0
    depth_id: int = 0


@dataclass
class _Pending:
    """A request waiting for its answer (contract details, bars)."""

    future: asyncio.Future[Any]
    items: list[Any] = field(default_factory=list)
    extra: Any = None


class IbGateway(BaseGateway):
    default_name: ClassVar[str] = "IB"
    default_setting: ClassVar[dict[str, Any]] = {
        "tws_host": "127.0.0.1",
        "tws_port": 7497,
        "client_id": 1,
        "account": "",
    }
    optional_setting: ClassVar[dict[str, str]] = {
        "account": "the account to trade when the login manages several (vn.py 4.x's 交易账户; default: "
        "the first one TWS reports)",
    }
    exchanges: ClassVar[list[Exchange]] = list(parse.EXCHANGE_VT2IB)

    # time constants (tests shrink them)
    backoff: Backoff = Backoff(base=1.0, maximum=30.0)
    connect_timeout: float = 10.0
    request_timeout: float = 30.0
    pacing_rate: float = 40.0  # messages a second after a burst of 8 (TWS allows 50)
    commission_wait: float = 0.5  # how long a trade waits for its commission report

    def __init__(self, event_engine: EventEngine, gateway_name: str = "IB") -> None:
        super().__init__(event_engine, gateway_name)
        self._lock = threading.Lock()  # the next order id, shared with request threads
        self._session = LoopSession(self.write_log)
        self._connection: TwsConnection | None = None
        self._setting: dict[str, Any] = {}
        self.version = 0
        self.accounts: list[str] = []
        self.account = ""
        self._ready = False
        self._next_order_id = 0  # 0 until TWS says (nextValidId)
        self._request_ids = itertools.count(FIRST_REQUEST_ID)
        self._subscriptions: dict[str, _Subscription] = {}
        self._ticks: dict[int, _TickState] = {}  # reqMktData/reqMktDepth id -> state
        self._pending: dict[int, _Pending] = {}
        self._contracts: dict[int, parse.ContractInfo] = {}
        self._resolved: dict[str, int] = {}  # description -> ConId
        self._exchange_of: dict[int, Exchange] = {}  # ConId -> the Exchange vtcore shows it under
        self.orders = OrderTracker(self)
        self._reasons: dict[str, str] = {}  # orderid -> the last rejection text TWS gave
        self.commissions: dict[str, parse.Commission] = {}  # execId -> its commission report
        self._order_queue: asyncio.Queue[tuple[OrderData, OrderRequest]] | None = None
        self._sync: dict[str, Any] = {}  # the reconciliation after (re)connecting
        #: orders whose placeOrder went out on a connection: only these can have been lost with one (an order
        #: still queued when a session turns ready goes out after its open-orders request and is not listed)
        self._written: set[str] = set()
        self._account_values: dict[str, float] = {}
        self._got_id = self._got_accounts = False
        self.malformed_messages = 0
        self._learning: set[int] = set()  # ConIds whose contract details are being asked for
        self._unplaced: dict[int, parse.Holding] = {}  # positions waiting for their contract
        self._executions: set[str] = set()  # execIds seen (pushed, or held for their commission)
        self._held: dict[str, TradeData] = {}  # trades waiting a moment for their commission report

    # -- vn.py's interface (any thread) ----------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        host = str(setting.get("tws_host", "127.0.0.1")).strip() or "127.0.0.1"
        port, client_id = setting.get("tws_port", 7497), setting.get("client_id", 1)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"setting 'tws_port' must be a port number, got {port!r}")
        if isinstance(client_id, bool) or not isinstance(client_id, int):
            raise ValueError(f"setting 'client_id' must be an integer, got {client_id!r}")
        if self._session.running:
            self.write_log("already connected or connecting")
            return
        self._setting = {
            "tws_host": host,
            "tws_port": port,
            "client_id": client_id,
            "account": str(setting.get("account", "")).strip(),
        }
        self._session.start(self._run())

    def close(self) -> None:
        connection = self._connection
        self._session.stop(connection.stop if connection is not None else None)

    def subscribe(self, req: SubscribeRequest) -> None:
        self._call_soon(self._subscribe, req, 0)

    def subscribe_depth(self, req: SubscribeRequest, rows: int = 5) -> None:
        """Market depth (up to 5 levels into TickData); IB allows few depth subscriptions at once."""
        self._call_soon(self._subscribe, req, max(1, min(rows, 5)))

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self._call_soon(self._unsubscribe, req.vt_symbol)

    def send_order(self, req: OrderRequest) -> str:
        with self._lock:
            self._next_order_id = max(self._next_order_id, 1)
            orderid = str(self._next_order_id)
            self._next_order_id += 1
        order = req.create_order_data(orderid, self.gateway_name)
        self.orders.order(order)
        problem = self._check(req)
        if problem:
            self.orders.reject(order, problem)
        elif self._order_queue is None or not self._session.call_soon(
            self._order_queue.put_nowait, (order, req)
        ):
            self.orders.reject(order, NOT_SENT)
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        self._call_soon(self._cancel, req.orderid)

    def query_account(self) -> None:
        self._call_soon(self._query_account)

    def query_position(self) -> None:
        self._call_soon(lambda: self._send(requests.req_positions()))

    def query_history(self, req: HistoryRequest) -> list[BarData]:
        if not self._session.running:
            self.write_log("query_history needs a connection")
            return []
        try:
            return self._session.result(self._history(req), self.request_timeout + 5)
        except Exception as exc:
            self.write_log(f"history of {req.vt_symbol} failed: {exc}")
            return []

    @property
    def synced(self) -> bool:
        """A session is up and its reconciliation (open orders, today's executions) is done."""
        return self._ready and not self._sync

    # -- helpers ---------------------------------------------------------------------------------------------

    def _call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        if not self._session.call_soon(fn, *args):
            self.write_log("not connected")

    def _send(self, fields: list[object]) -> bool:
        connection = self._connection
        return connection is not None and self._ready and connection.send(fields)

    def _state(self, state: str, message: str = "") -> None:
        self.on_gateway_state(
            GatewayStateData(gateway_name=self.gateway_name, front="tws", state=state, message=message)
        )

    def _next_request_id(self) -> int:
        return next(self._request_ids)

    # -- session ---------------------------------------------------------------------------------------------

    async def _run(self) -> None:
        self._order_queue = asyncio.Queue()
        setting = self._setting
        connection = TwsConnection(
            setting["tws_host"],
            setting["tws_port"],
            setting["client_id"],
            self._on_message,
            self._on_session,
            self._on_lost,
            self.backoff,
            self.connect_timeout,
            Pacer(self.pacing_rate),
        )
        self._connection = connection
        sender = asyncio.ensure_future(self._order_sender())
        self._state("connecting", f"{setting['tws_host']}:{setting['tws_port']}")
        try:
            await connection.run()
        finally:
            sender.cancel()
            for exec_id in list(self._held):  # closing: a trade held for its commission goes now
                self._release(exec_id)
            self._ready = False
            self._connection = None
            self._order_queue = None
            for pending in self._pending.values():
                if not pending.future.done():
                    pending.future.set_exception(ConnectionError("the gateway closed"))
            self._pending.clear()
            self._state("closed")

    def _on_session(self, version: int) -> None:
        self.version = version
        self._ready = False
        self._got_id = self._got_accounts = False
        self._state("connected", f"server version {version}")

    def _on_lost(self, reason: str) -> None:
        was_ready, self._ready = self._ready, False
        for exec_id in list(self._held):  # never keep a trade back longer than the session
            self._release(exec_id)
        for req_id, pending in list(self._pending.items()):
            if not pending.future.done():
                pending.future.set_exception(ConnectionError(f"connection lost: {reason}"))
            del self._pending[req_id]
        self._ticks.clear()
        for subscription in self._subscriptions.values():
            subscription.data_id = subscription.depth_id = 0
        if was_ready:
            self.write_log(f"connection lost ({reason}); reconnecting")
        self._state("disconnected", reason)

    def _session_ready(self) -> None:
        """nextValidId and managedAccounts are in: subscribe again and reconcile."""
        self._ready = True
        wanted = self._setting.get("account", "")
        if wanted and wanted not in self.accounts:
            self.write_log(f"account {wanted!r} is not managed by this login ({','.join(self.accounts)})")
        self.account = wanted or (self.accounts[0] if self.accounts else "")
        if not wanted and len(self.accounts) > 1:
            self.write_log(
                f"the login manages {','.join(self.accounts)}; trading {self.account} "
                "(set 'account' to choose)"
            )
        self._state("ready", f"account {self.account}")
        self.write_log(f"connected to TWS (server version {self.version}), account {self.account}")
        self._send(requests.req_account_updates(True, self.account))
        self._send(requests.req_positions())
        sync_id = self._next_request_id()
        candidates = {o.orderid for o in self.orders.active_orders() if o.orderid in self._written}
        self._sync = {
            "id": sync_id,
            "open": set(),
            "open_done": False,
            "exec_done": False,
            "candidates": candidates,
        }
        self._send(requests.req_open_orders())
        self._send(requests.req_executions(sync_id, self._setting["client_id"]))
        for subscription in self._subscriptions.values():
            self._request_market_data(subscription)

    # -- incoming --------------------------------------------------------------------------------------------

    def _on_message(self, fields: list[str]) -> None:
        try:
            msg_id = int(fields[0])
            if msg_id == In.TICK_PRICE:
                self._on_tick_price(fields)
            elif msg_id == In.TICK_SIZE:
                self._on_tick_size(fields)
            else:
                handler = self._handlers.get(msg_id)
                if handler is not None:
                    handler(self, fields)
        except Exception as exc:  # one unreadable message must not end the session
            self.malformed_messages += 1  # dropped, counted and said; the session goes on
            self.write_log(
                f"could not read message {','.join(fields[:3])}...: {type(exc).__name__}: {exc}",
                logging.WARNING,
            )

    def _on_tick_price(self, fields: list[str]) -> None:
        state = self._ticks.get(int(fields[2]))
        if state is None:
            return
        tick_type = int(fields[3])
        at = _TICK_FIELD.get(tick_type)
        if at is None:
            return
        price = float(fields[4])
        values = state.values
        values[at] = price if price > 0 else 0.0
        size_at = _SIZE_OF_PRICE.get(tick_type)
        if size_at is not None and fields[5]:
            values[size_at] = float(fields[5])
        self._emit(values)

    def _on_tick_size(self, fields: list[str]) -> None:
        state = self._ticks.get(int(fields[2]))
        if state is None:
            return
        at = _TICK_FIELD.get(int(fields[3]))
        if at is None or not fields[4]:
            return
        state.values[at] = float(fields[4])
        self._emit(state.values)

    def _emit(self, values: list[Any]) -> None:
        # TWS stamps no quote (only trades, in tickString 45, to the second): a tick's time is when it came
        now = dt.datetime.now(UTC)
        values[DATETIME] = values[LOCALTIME] = now
        self.on_tick(TickData(*values))

    def _on_depth(self, fields: list[str]) -> None:
        state = self._ticks.get(int(fields[2]))
        if state is None:
            return
        smart = fields[0] == str(In.MARKET_DEPTH_L2)
        position, operation, side = (
            int(fields[3]),
            int(fields[5 if smart else 4]),
            int(fields[6 if smart else 5]),
        )
        price, size = to_float(fields[7 if smart else 6]), to_float(fields[8 if smart else 7])
        levels = state.bids if side == 1 else state.asks
        if operation == 0:  # insert
            levels.insert(position, [price, size])
        elif operation == 1 and position < len(levels):
            levels[position] = [price, size]
        elif operation == 2 and position < len(levels):
            del levels[position]
        state.set_levels(state.bids, state.asks)
        self._emit(state.values)

    def _on_next_valid_id(self, fields: list[str]) -> None:
        with self._lock:
            self._next_order_id = max(self._next_order_id, int(fields[2]))
        self._got_id = True
        if self._got_accounts and not self._ready:
            self._session_ready()

    def _on_managed_accounts(self, fields: list[str]) -> None:
        self.accounts = [account for account in fields[2].split(",") if account]
        self._got_accounts = True
        if self._got_id and not self._ready:
            self._session_ready()

    def _on_error(self, fields: list[str]) -> None:
        error = parse.error(fields, self.version)
        code, text, req_id = error.code, error.text, error.req_id
        orderid = str(req_id)
        if 0 <= req_id < FIRST_REQUEST_ID and self.orders.get(orderid) is not None:
            if code in ORDER_REJECT_CODES:
                self._reasons[orderid] = f"{code} {text}"
                self.orders.update(orderid, Status.REJECTED, reason=f"{code} {text}")
            elif code != 202:  # 202 confirms a cancel (the status comes as orderStatus)
                self.write_log(f"order {orderid}: {code} {text}")
            return
        pending = self._pending.pop(req_id, None)
        if pending is not None:
            if not pending.future.done():
                pending.future.set_exception(LookupError(f"{code} {text}"))
            return
        for subscription in list(self._subscriptions.values()):
            if req_id in (subscription.data_id, subscription.depth_id):
                self.write_log(f"market data for {subscription.req.vt_symbol}: {code} {text}")
                return
        if code == 1100:
            self._state("connectivity_lost", text)
        elif code in (1101, 1102):
            self._state("ready", text)
            if code == 1101:  # TWS dropped every market-data request: make them again
                for subscription in self._subscriptions.values():
                    self._ticks.pop(subscription.data_id, None)
                    self._ticks.pop(subscription.depth_id, None)
                    subscription.data_id = subscription.depth_id = 0
                    self._request_market_data(subscription)
        self.write_log(f"{code} {text}")

    # orders and trades

    def _on_open_order(self, fields: list[str]) -> None:
        info = parse.open_order(fields)
        if info.client_id != self._setting.get("client_id"):
            return
        orderid = str(info.order_id)
        self._written.add(orderid)  # TWS has it (an order placed before this process is adopted below)
        if self._sync and not self._sync.get("open_done"):
            self._sync["open"].add(orderid)
        if self.orders.get(orderid) is None:  # placed before this process (same client id): adopt it
            exchange = (
                self._exchange_of.get(info.con_id) or parse.vt_exchange(info.exchange) or Exchange.SMART
            )
            order_type = ORDER_TYPE_IB2VT.get(info.order_type, OrderType.LIMIT)
            with self._lock:
                self._next_order_id = max(self._next_order_id, info.order_id + 1)
            self.orders.order(
                OrderData(
                    gateway_name=self.gateway_name,
                    symbol=str(info.con_id),
                    exchange=exchange,
                    orderid=orderid,
                    type=order_type,
                    direction=Direction.LONG if info.action == "BUY" else Direction.SHORT,
                    price=info.limit_price or info.aux_price,
                    volume=info.quantity,
                    reference=info.order_ref,
                    status=Status.SUBMITTING,
                )
            )

    def _on_open_order_end(self, fields: list[str]) -> None:
        if self._sync:
            self._sync["open_done"] = True
            self._settle_after_sync()

    def _on_order_status(self, fields: list[str]) -> None:
        update = parse.order_status(fields)
        orderid = str(update.order_id)
        if self.orders.get(orderid) is None:
            return
        status = parse.vt_status(update.status, update.filled)
        if status is None:
            return
        reason = (
            self._reasons.get(orderid, f"TWS set the order {update.status}")
            if status == Status.REJECTED
            else ""
        )
        self.orders.update(orderid, status, traded=update.filled, reason=reason)

    def _on_execution(self, fields: list[str]) -> None:
        execution = parse.execution(fields)
        if execution.client_id != self._setting.get("client_id"):
            return
        orderid = str(execution.order_id)
        order = self.orders.get(orderid)
        symbol = order.symbol if order else str(execution.con_id)
        exchange = (
            order.exchange
            if order
            else (
                self._exchange_of.get(execution.con_id)
                or parse.vt_exchange(execution.exchange)
                or Exchange.SMART
            )
        )
        trade = TradeData(
            gateway_name=self.gateway_name,
            symbol=symbol,
            exchange=exchange,
            orderid=orderid,
            tradeid=execution.exec_id,
            direction=execution.direction,
            offset=order.offset if order else Offset.NONE,  # the offset the order was sent with
            price=execution.price,
            volume=execution.shares,
            datetime=execution.time,
        )
        if execution.exec_id in self._executions:
            return  # seen before (today's executions come again after every reconnect)
        self._executions.add(execution.exec_id)
        if order is not None and execution.cum_qty > order.traded:
            status = Status.ALLTRADED if execution.cum_qty >= order.volume else Status.PARTTRADED
            self.orders.update(orderid, status, traded=execution.cum_qty)
        report = self.commissions.get(execution.exec_id)
        if report is not None:
            self._push_trade(trade, report)
            return
        # TWS sends the commission report right after the execution, as a message of its own: the trade waits
        # for it (a moment) so that TradeData carries it, and goes without it if it does not come in time
        self._held[execution.exec_id] = trade
        asyncio.get_running_loop().call_later(self.commission_wait, self._release, execution.exec_id)

    def _release(self, exec_id: str) -> None:
        trade = self._held.pop(exec_id, None)
        if trade is not None:
            self._push_trade(trade, None)

    def _push_trade(self, trade: TradeData, report: parse.Commission | None) -> None:
        if report is not None:
            trade.extra = {
                "commission": report.commission,
                "commission_currency": report.currency,
                "realized_pnl": report.realized_pnl,
            }
        self.orders.trade(trade)

    def _on_execution_end(self, fields: list[str]) -> None:
        if self._sync and int(fields[2]) == self._sync["id"]:
            self._sync["exec_done"] = True
            self._settle_after_sync()

    def _on_commission(self, fields: list[str]) -> None:
        report = parse.commission_report(fields)
        if report.exec_id in self.commissions:
            return
        self.commissions[report.exec_id] = report
        trade = self._held.pop(report.exec_id, None)
        if trade is not None:
            self._push_trade(trade, report)

    def _settle_after_sync(self) -> None:
        """After reconnecting, open orders and today's executions are in: an order still active here that TWS
        no longer lists as open ended while we were away (filled orders already moved with their executions);
        an order we sent but TWS never saw was not placed."""
        sync = self._sync
        if not (sync.get("open_done") and sync.get("exec_done")):
            return
        self._sync = {}
        for orderid in sync["candidates"] - sync["open"]:
            order = self.orders.get(orderid)
            if order is None or order.status in FINAL_STATUSES:
                continue
            if order.status == Status.SUBMITTING and order.traded == 0:
                self.orders.update(
                    orderid,
                    Status.REJECTED,
                    reason="TWS has no such order after reconnecting: it was not placed",
                )
            elif order.traded >= order.volume:
                self.orders.update(orderid, Status.ALLTRADED)
            else:
                self.orders.update(
                    orderid, Status.CANCELLED, reason="no longer open at TWS after reconnecting"
                )

    def _check(self, req: OrderRequest) -> str:
        if req.exchange not in parse.EXCHANGE_VT2IB:
            return f"IB does not trade on {req.exchange.value}"
        if not req.volume > 0:
            return f"volume must be positive, got {req.volume}"
        try:
            parse.parse_symbol(req.symbol)
        except InvalidIdentifierError as exc:
            return str(exc)
        try:
            self._ib_order(req)
        except ValueError as exc:
            return str(exc)
        return ""

    def _ib_order(self, req: OrderRequest) -> IbOrder:
        tif = getattr(req, "time_in_force", "DAY").upper()
        stop = float(getattr(req, "stop_price", 0.0) or 0.0)
        if tif not in TIMES_IN_FORCE:
            raise ValueError(f"time in force {tif!r} is not one of {TIMES_IN_FORCE}")
        if req.direction not in SIDES:
            named = req.direction.value if isinstance(req.direction, Direction) else repr(req.direction)
            raise ValueError(f"direction {named} cannot be traded on IB: an order is LONG or SHORT")
        kind = req.type
        if kind == OrderType.LIMIT:
            order_type, limit, aux = "LMT", req.price, None
        elif kind == OrderType.MARKET:
            order_type, limit, aux = "MKT", None, None
        elif kind == OrderType.STOP:
            order_type, limit, aux = "STP", None, req.price
        elif kind == OrderType.STOP_LIMIT:
            if stop <= 0:
                raise ValueError("a STOP_LIMIT order needs IbOrderRequest.stop_price")
            order_type, limit, aux = "STP LMT", req.price, stop
        elif kind == OrderType.FAK:
            order_type, limit, aux, tif = "LMT", req.price, None, "IOC"
        elif kind == OrderType.FOK:
            order_type, limit, aux, tif = "LMT", req.price, None, "FOK"
        else:
            raise ValueError(f"IB gateway does not send {kind.value} orders")
        if (limit is not None and limit <= 0) or (aux is not None and aux <= 0):
            raise ValueError(f"{kind.value} order needs a positive price")
        return IbOrder(
            action=SIDES[req.direction],
            quantity=req.volume,
            order_type=order_type,
            limit_price=limit,
            aux_price=aux,
            tif=tif,
            account=self.account,
            order_ref=req.reference,
        )

    async def _order_sender(self) -> None:
        """Orders go out one at a time in the order of their ids (TWS refuses an id below one it has seen)."""
        queue = self._order_queue
        assert queue is not None
        while True:
            order, req = await queue.get()
            orderid = order.orderid
            if not self._ready:
                self.orders.update(orderid, Status.REJECTED, reason=NOT_SENT)
                continue
            try:
                contract = await self._contract_for(req.symbol, req.exchange)
            except (LookupError, ConnectionError, asyncio.TimeoutError) as exc:
                self.orders.update(orderid, Status.REJECTED, reason=f"contract {req.vt_symbol}: {exc}")
                continue
            ib_order = self._ib_order(req)
            if not self._send(requests.place_order(self.version, int(orderid), contract, ib_order)):
                self.orders.update(orderid, Status.REJECTED, reason=NOT_SENT)
            else:
                self._written.add(orderid)

    def _cancel(self, orderid: str) -> None:
        order = self.orders.get(orderid)
        if order is None:
            self.write_log(f"cancel: no order {orderid}")
            return
        if order.status in FINAL_STATUSES:
            self.write_log(f"cancel: order {orderid} is already {order.status.value}")
            return
        if not self._send(requests.cancel_order(self.version, int(orderid))):
            self.write_log(f"cancel of order {orderid} not sent: not connected to TWS")

    # account and positions

    def _on_account_value(self, fields: list[str]) -> None:
        key, value, currency, account = fields[2], fields[3], fields[4], fields[5]
        if key not in ("NetLiquidation", "AvailableFunds") or currency == "" or account != self.account:
            return
        try:
            self._account_values[key] = float(value)
        except ValueError:
            return
        balance = self._account_values.get("NetLiquidation", 0.0)
        available = self._account_values.get("AvailableFunds", balance)
        self.on_account(
            AccountData(
                gateway_name=self.gateway_name,
                accountid=account,
                balance=balance,
                frozen=max(0.0, balance - available),
            )
        )

    def _on_portfolio(self, fields: list[str]) -> None:
        self._push_position(parse.portfolio(fields))

    def _on_position(self, fields: list[str]) -> None:
        self._push_position(parse.position(fields))

    def _push_position(self, holding: parse.Holding) -> None:
        if holding.account != self.account:
            return
        exchange = self._exchange_of.get(holding.con_id)
        if exchange is None:  # the contract first: a position goes under the exchange its contract has
            self._unplaced[holding.con_id] = holding
            self._learn(holding.con_id)
            return
        self.on_position(
            PositionData(
                gateway_name=self.gateway_name,
                symbol=str(holding.con_id),
                exchange=exchange,
                direction=Direction.NET,
                volume=holding.position,
                price=holding.average_cost,
                pnl=holding.unrealized_pnl,
            )
        )

    def _learn(self, con_id: int) -> None:
        """Ask once for the contract of a ConId the account holds, so that it is pushed (name, size, tick)."""
        if con_id in self._learning or not self._ready:
            return
        self._learning.add(con_id)
        self._session.spawn(self._learn_contract(con_id))

    async def _learn_contract(self, con_id: int) -> None:
        try:
            found = await self._request(
                lambda req_id: requests.req_contract_details(self.version, req_id, IbContract(con_id=con_id))
            )
        except (LookupError, ConnectionError, asyncio.TimeoutError) as exc:
            found = []
            self.write_log(f"no contract details for ConId {con_id}: {exc}")
        finally:
            self._learning.discard(con_id)
        if found:
            self._remember(found[0])
        holding = self._unplaced.pop(con_id, None)
        if holding is not None:
            if con_id not in self._exchange_of:  # no contract: the exchange the position message names
                self._exchange_of[con_id] = parse.vt_exchange(holding.exchange) or Exchange.SMART
            self._push_position(holding)

    def _query_account(self) -> None:
        self._send(requests.req_account_updates(True, self.account))

    # contracts and market data

    def _on_contract_details(self, fields: list[str]) -> None:
        req_id, info = parse.contract_details(fields, self.version)
        pending = self._pending.get(req_id)
        if pending is not None:
            pending.items.append(info)

    def _on_contract_details_end(self, fields: list[str]) -> None:
        pending = self._pending.pop(int(fields[2]), None)
        if pending is not None and not pending.future.done():
            pending.future.set_result(pending.items)

    async def _request(self, build: Callable[[int], list[object]], extra: Any = None) -> Any:
        req_id = self._next_request_id()
        pending = _Pending(asyncio.get_running_loop().create_future(), extra=extra)
        self._pending[req_id] = pending
        if not self._send(build(req_id)):
            self._pending.pop(req_id, None)
            raise ConnectionError("not connected to TWS")
        try:
            return await asyncio.wait_for(pending.future, self.request_timeout)
        finally:
            self._pending.pop(req_id, None)

    async def _contract_for(self, symbol: str, exchange: Exchange) -> IbContract:
        """The contract to send for a vt_symbol's parts: a ConId as is, a description resolved once."""
        parsed = parse.parse_symbol(symbol)
        ib_exchange = parse.EXCHANGE_VT2IB[exchange]
        if isinstance(parsed, int):
            return IbContract(con_id=parsed, exchange=ib_exchange)
        con_id = self._resolved.get(symbol)
        if con_id is None:
            info = await self._resolve(parsed, symbol, exchange)
            con_id = info.con_id
        return IbContract(con_id=con_id, exchange=parsed.exchange)

    async def _resolve(self, description: Description, symbol: str, exchange: Exchange) -> parse.ContractInfo:
        found: list[parse.ContractInfo] = await self._request(
            lambda req_id: requests.req_contract_details(self.version, req_id, description.contract())
        )
        if len(found) != 1:
            raise LookupError(f"{symbol!r} matches {len(found)} contracts at IB; give the ConId instead")
        info = found[0]
        self._resolved[symbol] = info.con_id
        self._remember(info, exchange)
        alias = parse.contract_data(info, self.gateway_name, symbol=symbol)
        if alias is not None:
            alias.exchange = exchange
            self.on_contract(alias)
        self.write_log(f"{symbol}.{exchange.value} is ConId {info.con_id} ({info.long_name})")
        return info

    def _remember(self, info: parse.ContractInfo, exchange: Exchange | None = None) -> None:
        first = info.con_id not in self._contracts
        self._contracts[info.con_id] = info
        shown = (
            exchange
            if exchange is not None and exchange.value == info.exchange
            else parse.vt_exchange(info.exchange)
        )
        if shown is not None:
            self._exchange_of.setdefault(info.con_id, shown)
        if first:
            contract = parse.contract_data(info, self.gateway_name)
            if contract is not None:
                self.on_contract(contract)

    def _subscribe(self, req: SubscribeRequest, depth_rows: int) -> None:
        if req.exchange not in parse.EXCHANGE_VT2IB:
            self.write_log(f"cannot subscribe {req.vt_symbol}: IB has no exchange {req.exchange.value}")
            return
        try:
            parse.parse_symbol(req.symbol)
        except InvalidIdentifierError as exc:
            self.write_log(f"cannot subscribe {req.vt_symbol}: {exc}")
            return
        subscription = self._subscriptions.get(req.vt_symbol)
        if subscription is None:
            subscription = _Subscription(req)
            self._subscriptions[req.vt_symbol] = subscription
        elif depth_rows <= subscription.depth_rows:
            return
        subscription.depth_rows = max(subscription.depth_rows, depth_rows)
        if self._ready:
            self._request_market_data(subscription)

    def _request_market_data(self, subscription: _Subscription) -> None:
        self._session.spawn(self._start_market_data(subscription))

    async def _start_market_data(self, subscription: _Subscription) -> None:
        req = subscription.req
        try:
            if not subscription.con_id:
                contract = await self._contract_for(req.symbol, req.exchange)
                if contract.con_id not in self._contracts:  # check the ConId (and learn the contract) first
                    found = await self._request(
                        lambda req_id: requests.req_contract_details(self.version, req_id, contract)
                    )
                    if not found:
                        raise LookupError("no such contract")
                    self._remember(found[0], req.exchange)
                subscription.con_id, subscription.ib_exchange = contract.con_id, contract.exchange
        except (LookupError, ConnectionError, asyncio.TimeoutError) as exc:
            self.write_log(f"cannot subscribe {req.vt_symbol}: {exc}")
            if not isinstance(exc, (ConnectionError, asyncio.TimeoutError)):
                self._subscriptions.pop(req.vt_symbol, None)
            return
        if self._subscriptions.get(req.vt_symbol) is not subscription or not self._ready:
            return
        info = self._contracts.get(subscription.con_id)
        name = info.long_name if info else req.symbol
        contract = IbContract(con_id=subscription.con_id, exchange=subscription.ib_exchange)
        if not subscription.data_id:
            subscription.data_id = self._next_request_id()
            self._ticks[subscription.data_id] = _TickState(req.symbol, req.exchange, self.gateway_name, name)
            self._send(requests.req_mkt_data(subscription.data_id, contract))
        if subscription.depth_rows and not subscription.depth_id:
            subscription.depth_id = self._next_request_id()
            self._ticks[subscription.depth_id] = self._ticks[subscription.data_id]
            self._send(requests.req_mkt_depth(subscription.depth_id, contract, subscription.depth_rows))

    def _unsubscribe(self, vt_symbol: str) -> None:
        subscription = self._subscriptions.pop(vt_symbol, None)
        if subscription is None:
            return
        if subscription.data_id:
            self._ticks.pop(subscription.data_id, None)
            self._send(requests.cancel_mkt_data(subscription.data_id))
        if subscription.depth_id:
            self._ticks.pop(subscription.depth_id, None)
            self._send(requests.cancel_mkt_depth(subscription.depth_id))

    # history

    async def _history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        if interval not in parse.BAR_SIZES:
            raise ValueError(f"IB has no {interval.value} bars here")
        bar_size, step = parse.BAR_SIZES[interval]
        end = (req.end or dt.datetime.now(UTC)).astimezone(UTC)
        start = req.start.astimezone(UTC) if req.start.tzinfo else req.start.replace(tzinfo=UTC)
        span = max(int((end - start).total_seconds()), step)
        duration = f"{span} S" if span <= 86400 else f"{-(-span // 86400)} D"
        contract = await self._contract_for(req.symbol, req.exchange)
        bars: list[BarData] = await self._request(
            lambda req_id: requests.req_historical_data(
                req_id,
                contract,
                end=end.strftime("%Y%m%d-%H:%M:%S"),
                duration=duration,
                bar_size=bar_size,
                what="TRADES",
            ),
            extra=(req.symbol, req.exchange, interval),
        )
        return [bar for bar in bars if start <= bar.datetime <= end]

    def _on_historical_data(self, fields: list[str]) -> None:
        pending = self._pending.get(int(fields[1]))
        if pending is None or pending.future.done():
            return
        symbol, exchange, interval = pending.extra
        _, bars = parse.historical_bars(fields, symbol, exchange, interval, self.gateway_name)
        pending.future.set_result(bars)

    _handlers: ClassVar[dict[int, Callable[[IbGateway, list[str]], None]]] = {
        In.MARKET_DEPTH: _on_depth,
        In.MARKET_DEPTH_L2: _on_depth,
        In.NEXT_VALID_ID: _on_next_valid_id,
        In.MANAGED_ACCOUNTS: _on_managed_accounts,
        In.ERROR: _on_error,
        In.OPEN_ORDER: _on_open_order,
        In.OPEN_ORDER_END: _on_open_order_end,
        In.ORDER_STATUS: _on_order_status,
        In.EXECUTION_DATA: _on_execution,
        In.EXECUTION_DATA_END: _on_execution_end,
        In.COMMISSION_REPORT: _on_commission,
        In.ACCOUNT_VALUE: _on_account_value,
        In.PORTFOLIO_VALUE: _on_portfolio,
        In.POSITION_DATA: _on_position,
        In.CONTRACT_DATA: _on_contract_details,
        In.CONTRACT_DATA_END: _on_contract_details_end,
        In.HISTORICAL_DATA: _on_historical_data,
    }
