"""CtpGateway: vn.py's CTP gateway on vtcore._ctp, with its faults fixed.

Threads: the SDK's threads only copy structs into this gateway's two producer rings (C++); every callback
below runs on the engine thread (`on_message` of the producers), so gateway state needs no lock except what
request methods (callable from any thread) share with it: `_lock`.

Each front has an explicit state, pushed as GatewayStateData and logged on every change:
    md: disconnected -> connected -> logged_in -> ready (subscriptions restored)
    td: disconnected -> connected -> authenticated -> logged_in -> settlement_confirmed -> contracts_loaded
        -> ready
    plus "timeout" (no answer at all: CTP is silent on a refused port), "login_rejected" / "auth_rejected"
    (the broker refused; not retried until connect() is called again, so a wrong password cannot lock
    the account) and "closed".
The SDK reconnects by itself; every OnFrontConnected re-authenticates, logs in and resubscribes.
Queries go through one queue, at most one request per second (CTP's flow limit), driven by EVENT_TIMER and
never by blocking a callback; account and positions are polled every `query_interval` seconds.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from logging import ERROR, INFO, WARNING
from pathlib import Path
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, Status
from vtcore.errors import SdkUnavailableError, SettingsError
from vtcore.event import EVENT_TIMER, Event, EventEngine
from vtcore.gateway import BaseGateway
from vtcore.gateways.ctp import _ctp_types as ct
from vtcore.gateways.ctp import mapping
from vtcore.gateways.ctp.library import DEFAULT_SETTING, OPTIONAL_SETTING, find_libraries, load_binding
from vtcore.gateways.ctp.messages import Callback, decode
from vtcore.object import (
    AccountData,
    CancelRequest,
    ContractData,
    GatewayStateData,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    TradeData,
)
from vtcore.orders import OrderTracker
from vtcore.records import TICK_SYMBOL_SIZE
from vtcore.setting import get_settings_dir

REQUEST_RESULTS = {
    -1: "network connection failed",
    -2: "too many requests waiting to be processed",
    -3: "more requests per second than allowed",
}
FLOW_CONTROL_RESULTS = (-2, -3)
DISCONNECT_REASONS = {
    0x1001: "network read failed",
    0x1002: "network write failed",
    0x2001: "heartbeat receive timeout",
    0x2002: "heartbeat send failed",
    0x2003: "bad message received",
}


def _request_result(code: int) -> str:
    return f"{code} ({REQUEST_RESULTS.get(code, 'unknown error')})"


@dataclass(frozen=True)
class CtpSetting:
    username: str
    password: str
    brokerid: str
    td_address: str
    md_address: str
    product_info: str
    auth_code: str
    production: bool
    library_dir: str

    def __repr__(self) -> str:  # the password never reaches a log
        return f"CtpSetting(username={self.username!r}, brokerid={self.brokerid!r}, td={self.td_address!r})"

    @classmethod
    def parse(cls, setting: dict[str, Any]) -> CtpSetting:
        values: dict[str, str] = {}
        for key in DEFAULT_SETTING:
            value = setting.get(key, "" if key != "environment" else "production")
            if not isinstance(value, str):
                raise SettingsError(f"CTP setting {key!r} must be a string")
            values[key] = value.strip() if key != "password" else value
        for key in ("username", "brokerid", "td_address", "md_address"):
            if not values[key]:
                raise SettingsError(f"CTP setting {key!r} is empty")
        if values["environment"] not in ("production", "test"):
            raise SettingsError("CTP setting 'environment' must be 'production' or 'test'")

        def address(text: str) -> str:
            return text if text.startswith(("tcp://", "ssl://", "socks")) else f"tcp://{text}"

        return cls(
            values["username"],
            values["password"],
            values["brokerid"],
            address(values["td_address"]),
            address(values["md_address"]),
            values["product_info"],
            values["auth_code"],
            values["environment"] == "production",
            values["library_dir"],
        )


class _Front:
    """What the market-data and trade fronts share: the API object, its producer, the state machine, the
    connect timeout and the login lockout guard."""

    name = ""

    def __init__(self, gateway: CtpGateway) -> None:
        self.gateway = gateway
        self.api: Any = None
        self.producer: Any = None
        self.setting: CtpSetting | None = None
        self.state = "disconnected"
        self.state_message = ""
        self.state_since = time.monotonic()
        self.timeout_reported = False
        self.rejected = ""  # the broker's refusal, while not retrying
        self._request_ids = itertools.count(1)  # next() is atomic: requests come from several threads
        self.logged_in = False

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

    def start(self, setting: CtpSetting, api_class: Any, library: Path, address: str) -> None:
        self.setting = setting
        self.rejected = ""
        if self.api is not None:  # connect() again: the SDK is already reconnecting; retry the login
            if self.state in ("connected", "login_rejected", "auth_rejected"):
                self.on_connected()
            return
        gateway = self.gateway
        flow = get_settings_dir() / "ctp_flow" / gateway.gateway_name / self.name
        self.producer = gateway.create_producer(f"{gateway.gateway_name}.{self.name}", self.on_message)
        try:
            self.api = api_class(str(library), str(flow), self.producer.capsule(), setting.production)
        except OSError as exc:  # _ctp.LibraryError / VersionMismatchError: refused before any SDK call
            gateway.event_engine.remove_producer(self.producer)
            self.producer = None
            self.set_state("unavailable", str(exc), ERROR)
            raise SdkUnavailableError(f"{self.name} front: {exc}") from exc
        self.prepare()
        self.api.register_front(address)
        self.set_state("connecting", address)
        self.api.init()

    def prepare(self) -> None:
        """Front-specific calls between creating the API object and Init()."""

    def close(self) -> None:
        api, producer = self.api, self.producer
        self.api = self.producer = None
        if api is not None:
            api.release()
        if producer is not None:
            self.gateway.event_engine.remove_producer(producer)
        self.logged_in = False
        self.set_state("closed")

    def check_timeout(self, now: float, timeout: float) -> None:
        if self.api is None or self.timeout_reported or self.state not in ("connecting", "disconnected"):
            return
        if now - self.state_since >= timeout:
            self.timeout_reported = True
            self.set_state(
                "timeout",
                f"no answer from {self.name} front within {timeout:g} s; CTP reports "
                f"nothing when the address refuses connections, so check the address "
                f"and network (the SDK keeps retrying)",
                WARNING,
            )

    def request(self, name: str, fields: dict[str, Any]) -> int:
        if self.api is None:
            return -1
        return int(self.api.request(name, fields, self.next_request_id()))

    def reject(self, what: str, callback: Callback) -> None:
        self.rejected = f"{what} refused by the broker ({callback.error_text})"
        self.set_state(
            f"{what}_rejected",
            f"{self.rejected}; not retrying, so that a wrong setting cannot lock the "
            f"account: fix the setting and call connect() again",
            ERROR,
        )

    # -- messages (engine thread) -------------------------------------------------------------------------

    def on_message(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        try:
            callback = decode(kind, request_id, is_last, payload)
        except (KeyError, ValueError) as exc:
            self.gateway.write_log(f"{self.name} front: undecodable message {kind}: {exc}", ERROR)
            return
        handler: Callable[[Callback], None] | None = getattr(self, callback.name, None)
        if handler is not None:
            handler(callback)
        elif callback.error:
            self.gateway.write_log(f"{self.name} front: {callback.name} failed: {callback.error_text}", ERROR)

    def OnFrontConnected(self, callback: Callback) -> None:  # noqa: N802 - the SDK's callback names
        self.set_state("connected")
        self.on_connected()

    def OnFrontDisconnected(self, callback: Callback) -> None:  # noqa: N802
        self.logged_in = False
        reason = DISCONNECT_REASONS.get(callback.request_id, "unknown reason")
        self.set_state(
            "disconnected", f"reason {callback.request_id:#x}: {reason}; the SDK reconnects", WARNING
        )

    def OnHeartBeatWarning(self, callback: Callback) -> None:  # noqa: N802
        self.gateway.write_log(f"{self.name} front: no message for {callback.request_id} s", WARNING)

    def OnRspError(self, callback: Callback) -> None:  # noqa: N802
        self.gateway.write_log(
            f"{self.name} front: request {callback.request_id} failed: {callback.error_text}", ERROR
        )

    def on_connected(self) -> None:
        raise NotImplementedError

    def login_fields(self) -> dict[str, Any]:
        assert self.setting is not None
        return {
            "BrokerID": self.setting.brokerid,
            "UserID": self.setting.username,
            "Password": self.setting.password,
        }


class _MdFront(_Front):
    name = "md"

    def __init__(self, gateway: CtpGateway) -> None:
        super().__init__(gateway)
        self.subscribed: dict[str, Exchange] = {}

    def on_connected(self) -> None:
        if self.rejected:
            self.gateway.write_log(f"md front: not logging in again: {self.rejected}", WARNING)
            return
        result = self.request("ReqUserLogin", self.login_fields())
        if result != 0:
            self.gateway.write_log(f"md front: login request failed: {_request_result(result)}", ERROR)

    def OnRspUserLogin(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            self.reject("login", callback)
            return
        self.logged_in = True
        day = (callback.data or {}).get("TradingDay", "")
        self.set_state("logged_in", f"trading day {day}")
        if self.subscribed:
            self.send_subscribe(list(self.subscribed.items()))
        self.set_state("ready", f"{len(self.subscribed)} subscription(s)")

    def send_subscribe(self, items: list[tuple[str, Exchange]]) -> None:
        result = self.api.subscribe([(symbol, exchange.value) for symbol, exchange in items])
        if result != 0:
            self.gateway.write_log(f"md front: subscribe failed: {_request_result(result)}", ERROR)

    def OnRspSubMarketData(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            symbol = (callback.data or {}).get("InstrumentID", "?")
            self.gateway.write_log(f"md front: subscribing {symbol} failed: {callback.error_text}", ERROR)

    def OnRspUnSubMarketData(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            symbol = (callback.data or {}).get("InstrumentID", "?")
            self.gateway.write_log(f"md front: unsubscribing {symbol} failed: {callback.error_text}", ERROR)


class _TdFront(_Front):
    name = "td"

    def __init__(self, gateway: CtpGateway) -> None:
        super().__init__(gateway)
        self.front_id = 0
        self.session_id = 0
        self.order_ref = 0
        self.trading_day: date | None = None
        self.contracts_loaded = False
        self.queries: deque[tuple[str, dict[str, Any]]] = deque()
        self.last_query = 0.0
        self.last_poll = 0.0
        self.poll_account_next = True

    def prepare(self) -> None:
        # Replay the day's private flow so that orders and trades from before this session are known;
        # the gateway de-duplicates what it has already pushed.
        self.api.subscribe_private_topic(ct.THOST_TERT_RESTART)
        self.api.subscribe_public_topic(ct.THOST_TERT_RESTART)

    def on_connected(self) -> None:
        assert self.setting is not None
        if self.rejected:
            self.gateway.write_log(f"td front: not logging in again: {self.rejected}", WARNING)
            return
        if self.setting.auth_code:
            result = self.request(
                "ReqAuthenticate",
                {
                    "BrokerID": self.setting.brokerid,
                    "UserID": self.setting.username,
                    "AppID": self.setting.product_info,
                    "AuthCode": self.setting.auth_code,
                },
            )
            if result != 0:
                self.gateway.write_log(
                    f"td front: authenticate request failed: {_request_result(result)}", ERROR
                )
        else:
            self.login()

    def OnRspAuthenticate(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            self.reject("auth", callback)
            return
        self.set_state("authenticated")
        self.login()

    def login(self) -> None:
        result = self.request("ReqUserLogin", self.login_fields())
        if result != 0:
            self.gateway.write_log(f"td front: login request failed: {_request_result(result)}", ERROR)

    def OnRspUserLogin(self, callback: Callback) -> None:  # noqa: N802
        if callback.error or callback.data is None:
            self.reject("login", callback)
            return
        data = callback.data
        with self.gateway._lock:
            self.front_id = int(data["FrontID"])
            self.session_id = int(data["SessionID"])
            max_ref = data["MaxOrderRef"].strip()
            self.order_ref = max(self.order_ref, int(max_ref) if max_ref.isdigit() else 0)
            self.logged_in = True
        self.trading_day = mapping.parse_day(data["TradingDay"])
        self.set_state(
            "logged_in", f"front {self.front_id}, session {self.session_id}, trading day {data['TradingDay']}"
        )
        assert self.setting is not None
        result = self.request(
            "ReqSettlementInfoConfirm",
            {"BrokerID": self.setting.brokerid, "InvestorID": self.setting.username},
        )
        if result != 0:
            self.gateway.write_log(
                f"td front: settlement confirm request failed: {_request_result(result)}", ERROR
            )

    def OnRspSettlementInfoConfirm(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            self.gateway.write_log(
                f"td front: settlement confirmation failed ({callback.error_text}); "
                f"orders may be refused until it succeeds",
                ERROR,
            )
        else:
            self.set_state("settlement_confirmed")
        if self.contracts_loaded:
            self.set_state("ready")
        else:
            self.enqueue("ReqQryInstrument", {})

    # -- queries: one queue, at most one request per second ----------------------------------------------

    def enqueue(self, name: str, fields: dict[str, Any]) -> None:
        with self.gateway._lock:
            if (name, fields) not in self.queries:
                self.queries.append((name, fields))
        self.pump(time.monotonic())

    def pump(self, now: float) -> None:
        with self.gateway._lock:  # query_account/query_position may come from any thread
            if not self.queries or not self.logged_in or now - self.last_query < 1.0:
                return
            name, fields = self.queries[0]
            result = self.request(name, fields)
            self.last_query = now
            if result == 0 or result not in FLOW_CONTROL_RESULTS:
                self.queries.popleft()
        if result != 0 and result not in FLOW_CONTROL_RESULTS:
            self.gateway.write_log(f"td front: {name} failed: {_request_result(result)}", ERROR)

    def poll(self, now: float, interval: float) -> None:
        if self.state != "ready" or self.queries or now - self.last_poll < interval:
            return
        self.last_poll = now
        assert self.setting is not None
        who = {"BrokerID": self.setting.brokerid, "InvestorID": self.setting.username}
        self.enqueue("ReqQryTradingAccount" if self.poll_account_next else "ReqQryInvestorPosition", who)
        self.poll_account_next = not self.poll_account_next

    # -- responses and pushes -----------------------------------------------------------------------------

    def OnRspQryInstrument(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            self.gateway.write_log(f"td front: instrument query failed: {callback.error_text}", ERROR)
        if callback.data is not None:
            self.gateway.add_contract(callback.data)
        if callback.is_last:
            self.contracts_loaded = True
            self.set_state("contracts_loaded", f"{len(self.gateway.contracts)} contracts")
            self.set_state("ready")

    def OnRspQryTradingAccount(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            self.gateway.write_log(f"td front: account query failed: {callback.error_text}", ERROR)
        if callback.data and callback.data["AccountID"]:
            self.gateway.update_account(callback.data)

    def OnRspQryInvestorPosition(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:  # a failed answer must not zero the positions it did not report
            self.gateway.write_log(f"td front: position query failed: {callback.error_text}", ERROR)
            self.gateway.discard_positions()
            return
        self.gateway.update_position(callback.data, callback.is_last)

    def OnRtnOrder(self, callback: Callback) -> None:  # noqa: N802
        if callback.data is not None:
            self.gateway.update_order(callback.data)

    def OnRtnTrade(self, callback: Callback) -> None:  # noqa: N802
        if callback.data is not None:
            self.gateway.update_trade(callback.data)

    def OnRspOrderInsert(self, callback: Callback) -> None:  # noqa: N802
        if callback.data is not None:
            self.gateway.order_insert_refused(callback.data, callback.error_text or "refused")

    OnErrRtnOrderInsert = OnRspOrderInsert

    def OnRspOrderAction(self, callback: Callback) -> None:  # noqa: N802
        if callback.error:
            ref = (callback.data or {}).get("OrderRef", "?")
            self.gateway.write_log(f"cancel of order ref {ref} refused: {callback.error_text}", ERROR)

    OnErrRtnOrderAction = OnRspOrderAction


class CtpGateway(BaseGateway):
    """China futures through CTP (SHFE, DCE, CZCE, CFFEX, INE, GFEX)."""

    default_name: ClassVar[str] = "CTP"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = OPTIONAL_SETTING
    exchanges: ClassVar[list[Exchange]] = list(mapping.EXCHANGES.values())

    connect_timeout: float = 10.0  # seconds without any answer from a front before "timeout" is reported
    query_interval: float = 2.0  # seconds between account / position polls (they alternate)

    def __init__(self, event_engine: EventEngine, gateway_name: str = "CTP") -> None:
        super().__init__(event_engine, gateway_name)
        self._lock = threading.RLock()  # order ids and order/trade state shared with request threads
        self.md = _MdFront(self)
        self.td = _TdFront(self)
        self.contracts: dict[str, ContractData] = {}
        # CTP's trade ids are numbered per exchange: "SHFE.1" and "DCE.1" are two trades
        self.orders = OrderTracker(self, trade_ids="exchange")
        self._sysid_orderid: dict[tuple[str, str], str] = {}
        self._pending_trades: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._pending_since: dict[tuple[str, str], float] = {}  # when a trade began waiting for its order
        self._positions: dict[tuple[str, Exchange, Direction], PositionData] = {}
        self._pushed_positions: set[tuple[str, Exchange, Direction]] = set()
        self._nearest_logged: set[str] = set()
        self._timer_registered = False
        self.setting: CtpSetting | None = None

    # -- connection -----------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        try:
            binding = load_binding()
            parsed = CtpSetting.parse(setting)
            md_library, td_library = find_libraries(parsed.library_dir)
        except (SdkUnavailableError, SettingsError) as exc:
            self.write_log(f"cannot connect: {exc}", ERROR)
            raise
        self.setting = parsed
        if not self._timer_registered:
            self.event_engine.register(EVENT_TIMER, self._on_timer)
            self._timer_registered = True
        self.write_log(f"connecting {parsed!r} with {td_library.name} and {md_library.name}")
        self.td.start(parsed, binding.TraderApi, td_library, parsed.td_address)
        self.md.start(parsed, binding.MdApi, md_library, parsed.md_address)

    def close(self) -> None:
        if self._timer_registered:
            self.event_engine.unregister(EVENT_TIMER, self._on_timer)
            self._timer_registered = False
        self.md.close()
        self.td.close()

    def _on_timer(self, event: Event) -> None:
        now = time.monotonic()
        for front in (self.md, self.td):
            front.check_timeout(now, self.connect_timeout)
        self.td.pump(now)
        self.td.poll(now, self.query_interval)
        for key, since in list(self._pending_since.items()):
            if key not in self._pending_trades:
                del self._pending_since[key]
            elif now - since > self.connect_timeout:  # say so once; the trade is still kept
                del self._pending_since[key]
                self.write_log(f"trade(s) of order {key[0]} {key[1]} have waited {now - since:.0f} s for the "
                               f"order report; they are kept and pushed when it arrives", WARNING)

    # -- market data ----------------------------------------------------------------------------------------

    def _check_symbol(self, symbol: str, exchange: Exchange) -> str:
        """Why `symbol` on `exchange` cannot be used, or ""."""
        if exchange not in self.exchanges:
            return f"exchange {exchange.value} is not traded through CTP"
        if not symbol:
            return "empty symbol"
        contract = self.contracts.get(symbol)
        if self.td.contracts_loaded and contract is None:
            return f"unknown symbol {symbol}"
        if contract is not None and contract.exchange != exchange:
            return f"{symbol} is listed on {contract.exchange.value}, not {exchange.value}"
        return ""

    def subscribe(self, req: SubscribeRequest) -> None:
        problem = self._check_symbol(req.symbol, req.exchange)
        if len(req.symbol.encode()) > TICK_SYMBOL_SIZE:  # the C++ side would refuse each of its ticks
            problem = f"symbols of more than {TICK_SYMBOL_SIZE} bytes do not fit a tick record"
        if problem:
            self.write_log(f"cannot subscribe {req.vt_symbol}: {problem}", ERROR)
            return
        self.md.subscribed[req.symbol] = req.exchange
        if self.md.logged_in:
            try:
                self.md.send_subscribe([(req.symbol, req.exchange)])
            except ValueError as exc:
                self.md.subscribed.pop(req.symbol, None)
                self.write_log(f"cannot subscribe {req.vt_symbol}: {exc}", ERROR)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        if self.md.subscribed.pop(req.symbol, None) is None:
            self.write_log(f"{req.vt_symbol} was not subscribed", WARNING)
            return
        if self.md.logged_in:
            result = self.md.api.unsubscribe([req.symbol])
            if result != 0:
                self.write_log(f"unsubscribe {req.vt_symbol} failed: {_request_result(result)}", ERROR)

    # -- orders ---------------------------------------------------------------------------------------------

    def _order_problem(self, req: OrderRequest) -> str:
        if not self.td.logged_in:
            return "not logged in to the trade front"
        problem = self._check_symbol(req.symbol, req.exchange)
        if problem:
            return problem
        volume = req.volume
        if not isinstance(volume, (int, float)) or not math.isfinite(volume) or volume <= 0:
            return f"volume must be a positive number, not {volume!r}"
        if volume != int(volume) or volume > 2**31 - 1:
            return f"volume must be a whole number of lots, not {volume!r}"
        if not isinstance(req.price, (int, float)) or not math.isfinite(req.price) or req.price < 0:
            return f"price must be a finite number >= 0, not {req.price!r}"
        if req.type not in mapping.ORDER_TYPE_TO_CTP:
            refusal = mapping.ORDER_TYPE_REFUSAL.get(req.type)
            return refusal or f"order type {req.type.value} cannot be sent to CTP"
        if req.offset not in mapping.OFFSET_TO_CTP:
            return (
                f"offset {req.offset.value or 'NONE'} cannot be sent to CTP (use OPEN, CLOSE, CLOSETODAY or "
                f"CLOSEYESTERDAY)"
            )
        if req.direction not in mapping.DIRECTION_TO_CTP:
            return f"direction {req.direction} cannot be sent to CTP"
        return ""

    def send_order(self, req: OrderRequest) -> str:
        # The lock is held until the request is sent and SUBMITTING is queued, so that the order's reports
        # (handled on the engine thread under the same lock) are always queued after it.
        with self._lock:
            self.td.order_ref += 1
            ref = self.td.order_ref
            orderid = f"{self.td.front_id}_{self.td.session_id}_{ref}"
            order = req.create_order_data(orderid, self.gateway_name)
            problem = self._order_problem(req)
            if problem:
                self._reject(order, problem)
            else:
                self._send_order(req, order, ref)
        return order.vt_orderid

    def _send_order(self, req: OrderRequest, order: OrderData, ref: int) -> None:
        assert self.setting is not None
        price_type, time_condition, volume_condition = mapping.ORDER_TYPE_TO_CTP[req.type]
        fields = {
            "BrokerID": self.setting.brokerid,
            "InvestorID": self.setting.username,
            "UserID": self.setting.username,
            "InstrumentID": req.symbol,
            "ExchangeID": req.exchange.value,
            "OrderRef": str(ref),
            "LimitPrice": float(req.price),
            "VolumeTotalOriginal": int(req.volume),
            "OrderPriceType": price_type,
            "TimeCondition": time_condition,
            "VolumeCondition": volume_condition,
            "Direction": mapping.DIRECTION_TO_CTP[req.direction],
            "CombOffsetFlag": mapping.OFFSET_TO_CTP[req.offset],
            "CombHedgeFlag": ct.THOST_FTDC_HF_Speculation,
            "ContingentCondition": ct.THOST_FTDC_CC_Immediately,
            "ForceCloseReason": ct.THOST_FTDC_FCC_NotForceClose,
            "IsAutoSuspend": 0,
            "MinVolume": 1,
        }
        self.orders.order(order)
        try:
            result = self.td.request("ReqOrderInsert", fields)
        except ValueError as exc:
            self._reject(order, str(exc))
            return
        if result != 0:
            self._reject(order, f"ReqOrderInsert returned {_request_result(result)}")

    def _reject(self, order: OrderData, reason: str) -> None:
        """Push the order REJECTED with the broker's or vtcore's reason (`extra["reason"]`, and the log)."""
        self.orders.reject(order, reason)

    def cancel_order(self, req: CancelRequest) -> None:
        parts = req.orderid.split("_")
        if len(parts) != 3 or not all(part.lstrip("-").isdigit() for part in parts):
            self.write_log(f"cannot cancel {req.orderid}: not a CTP order id (front_session_ref)", ERROR)
            return
        if not self.td.logged_in or self.setting is None:
            self.write_log(f"cannot cancel {req.orderid}: not logged in to the trade front", ERROR)
            return
        front_id, session_id, ref = parts
        fields = {
            "BrokerID": self.setting.brokerid,
            "InvestorID": self.setting.username,
            "UserID": self.setting.username,
            "OrderRef": ref,
            "FrontID": int(front_id),
            "SessionID": int(session_id),
            "ActionFlag": ct.THOST_FTDC_AF_Delete,
            "InstrumentID": req.symbol,
            "ExchangeID": req.exchange.value,
        }
        try:
            result = self.td.request("ReqOrderAction", fields)
        except ValueError as exc:
            self.write_log(f"cannot cancel {req.orderid}: {exc}", ERROR)
            return
        if result != 0:
            self.write_log(
                f"cancel of {req.orderid} failed: ReqOrderAction returned {_request_result(result)}", ERROR
            )

    def _nearest(self, what: str) -> None:
        if what not in self._nearest_logged:
            self._nearest_logged.add(what)
            self.write_log(
                f"CTP reported {what}; mapped to the nearest vtcore value (see ctp/mapping.py)", WARNING
            )

    def _exchange(self, code: str) -> Exchange:
        exchange = mapping.EXCHANGES.get(code)
        if exchange is None:
            self._nearest(f"exchange {code!r}")
            return Exchange.LOCAL
        return exchange

    def update_order(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._update_order(data)

    def _update_order(self, data: dict[str, Any]) -> None:
        orderid = f"{data['FrontID']}_{data['SessionID']}_{data['OrderRef'].strip()}"
        status, exact = mapping.order_status(data["OrderStatus"], data["OrderSubmitStatus"])
        if not exact:
            self._nearest(
                f"order status {data['OrderStatus']!r} / submit status {data['OrderSubmitStatus']!r}"
            )
        order_type, exact = mapping.order_type(
            data["OrderPriceType"], data["TimeCondition"], data["VolumeCondition"]
        )
        if not exact:
            self._nearest(
                f"order type {data['OrderPriceType']!r}/{data['TimeCondition']!r}/{data['VolumeCondition']!r}"
            )
        offset, exact = mapping.offset(data["CombOffsetFlag"][:1])
        if not exact:
            self._nearest(f"offset flag {data['CombOffsetFlag'][:1]!r}")
        exchange = self._exchange(data["ExchangeID"])
        previous = self.orders.get(orderid)
        order = OrderData(
            gateway_name=self.gateway_name,
            symbol=data["InstrumentID"],
            exchange=exchange,
            orderid=orderid,
            type=order_type,
            direction=mapping.DIRECTION_FROM_CTP.get(data["Direction"]),
            offset=offset,
            price=data["LimitPrice"],
            volume=data["VolumeTotalOriginal"],
            traded=data["VolumeTraded"],
            status=status,
            reference=previous.reference if previous else "",
            datetime=mapping.china_datetime(data["InsertDate"], data["InsertTime"], self.td.trading_day),
        )
        if status in (Status.REJECTED, Status.CANCELLED) and data["StatusMsg"]:
            order.extra = {"reason": data["StatusMsg"]}
        sysid = data["OrderSysID"].strip()
        if sysid:
            with self._lock:
                self._sysid_orderid[(data["ExchangeID"], sysid)] = orderid
        if self.orders.order(order) and status in (Status.REJECTED, Status.CANCELLED) and data["StatusMsg"]:
            self.write_log(
                f"order {order.vt_orderid} {status.value.lower()}: {data['StatusMsg']}",
                ERROR if status == Status.REJECTED else INFO,
            )
        if sysid:
            for trade in self._pending_trades.pop((data["ExchangeID"], sysid), []):
                self.update_trade(trade)

    def order_insert_refused(self, data: dict[str, Any], reason: str) -> None:
        with self._lock:
            self._order_insert_refused(data, reason)

    def _order_insert_refused(self, data: dict[str, Any], reason: str) -> None:
        orderid = f"{self.td.front_id}_{self.td.session_id}_{data['OrderRef'].strip()}"
        order = self.orders.get(orderid)
        if order is None:
            order = OrderData(
                gateway_name=self.gateway_name,
                symbol=data["InstrumentID"],
                exchange=self._exchange(data["ExchangeID"]),
                orderid=orderid,
                direction=mapping.DIRECTION_FROM_CTP.get(data["Direction"]),
                price=data["LimitPrice"],
                volume=data["VolumeTotalOriginal"],
            )
        if order.status != Status.REJECTED:
            self._reject(order, reason)

    def update_trade(self, data: dict[str, Any]) -> None:
        key = (data["ExchangeID"], data["OrderSysID"].strip())
        with self._lock:
            orderid = self._sysid_orderid.get(key)
        if orderid is None:  # the trade came before its order: keep it until the order arrives
            if key not in self._pending_trades:
                self._pending_since[key] = time.monotonic()
            self._pending_trades.setdefault(key, []).append(data)
            return
        offset, exact = mapping.offset(data["OffsetFlag"])
        if not exact:
            self._nearest(f"offset flag {data['OffsetFlag']!r}")
        self.orders.trade(  # a replay after a re-login is dropped there
            TradeData(
                gateway_name=self.gateway_name,
                symbol=data["InstrumentID"],
                exchange=self._exchange(data["ExchangeID"]),
                orderid=orderid,
                tradeid=data["TradeID"].strip(),
                direction=mapping.DIRECTION_FROM_CTP.get(data["Direction"]),
                offset=offset,
                price=data["Price"],
                volume=data["Volume"],
                datetime=mapping.china_datetime(data["TradeDate"], data["TradeTime"], self.td.trading_day),
            )
        )

    # -- account, positions, contracts ---------------------------------------------------------------------

    def update_account(self, data: dict[str, Any]) -> None:
        account = AccountData(
            gateway_name=self.gateway_name,
            accountid=data["AccountID"],
            balance=data["Balance"],
            frozen=data["FrozenMargin"] + data["FrozenCash"] + data["FrozenCommission"],
        )
        account.available = data["Available"]
        self.on_account(account)

    def discard_positions(self) -> None:
        self._positions = {}

    def update_position(self, data: dict[str, Any] | None, is_last: bool) -> None:
        if data and data["InstrumentID"]:
            direction = mapping.POSITION_DIRECTION_FROM_CTP.get(data["PosiDirection"], Direction.NET)
            exchange = self._exchange(data["ExchangeID"])
            key = (data["InstrumentID"], exchange, direction)
            position = self._positions.get(key)
            if position is None:
                position = PositionData(
                    gateway_name=self.gateway_name, symbol=key[0], exchange=exchange, direction=direction
                )
                position.extra = {"cost": 0.0}
                self._positions[key] = position
            volume = data["Position"]
            if exchange in (Exchange.SHFE, Exchange.INE):  # separate today and history records
                if data["PositionDate"] == ct.THOST_FTDC_PSD_History:
                    position.yd_volume += volume
            else:
                position.yd_volume += volume - data["TodayPosition"]
            position.volume += volume
            position.pnl += data["PositionProfit"]
            position.frozen += data["ShortFrozen"] if direction == Direction.LONG else data["LongFrozen"]
            assert position.extra is not None
            position.extra["cost"] += data["OpenCost"]
            contract = self.contracts.get(key[0])
            size = contract.size if contract else 1
            position.price = position.extra["cost"] / (position.volume * size) if position.volume else 0.0
        if not is_last:
            return
        batch, self._positions = self._positions, {}
        for key in self._pushed_positions - batch.keys():  # closed since the last answer: zero it
            batch[key] = PositionData(
                gateway_name=self.gateway_name, symbol=key[0], exchange=key[1], direction=key[2]
            )
        self._pushed_positions = {key for key, position in batch.items() if position.volume}
        for position in batch.values():
            position.extra = None
            self.on_position(position)

    def add_contract(self, data: dict[str, Any]) -> None:
        product = mapping.PRODUCT_FROM_CTP.get(data["ProductClass"])
        exchange = mapping.EXCHANGES.get(data["ExchangeID"])
        if product is None or exchange is None:
            return  # products vtcore has no member for (EFP, TAS, metal indexes) and foreign exchanges
        contract = ContractData(
            gateway_name=self.gateway_name,
            symbol=data["InstrumentID"],
            exchange=exchange,
            name=data["InstrumentName"],
            product=product,
            size=data["VolumeMultiple"],
            pricetick=data["PriceTick"],
            min_volume=data["MinLimitOrderVolume"] or 1,
            max_volume=data["MaxLimitOrderVolume"] or None,
        )
        if product == mapping.PRODUCT_FROM_CTP[ct.THOST_FTDC_PC_Options]:
            contract.option_strike = data["StrikePrice"]
            contract.option_underlying = data["UnderlyingInstrID"]
            contract.option_type = mapping.OPTION_TYPE_FROM_CTP.get(data["OptionsType"])
            portfolio = data["ProductID"]
            contract.option_portfolio = portfolio[:-1] if exchange == Exchange.CZCE else portfolio
            contract.option_index = str(data["StrikePrice"])
            listed = mapping.china_datetime(data["OpenDate"], "00:00:00", None)
            expiry = mapping.china_datetime(data["ExpireDate"], "00:00:00", None)
            contract.option_listed, contract.option_expiry = listed, expiry
        self.contracts[contract.symbol] = contract
        self.on_contract(contract)

    def query_account(self) -> None:
        if self.setting is not None:
            self.td.enqueue(
                "ReqQryTradingAccount",
                {"BrokerID": self.setting.brokerid, "InvestorID": self.setting.username},
            )

    def query_position(self) -> None:
        if self.setting is not None:
            self.td.enqueue(
                "ReqQryInvestorPosition",
                {"BrokerID": self.setting.brokerid, "InvestorID": self.setting.username},
            )


__all__ = ["CtpGateway", "CtpSetting"]
