"""The A-share gateways beside vn.py's on the same simulator front-ends, in one run: XTP (vtcore's XtpGateway
and vnpy_xtp 2.2.32.2.3 built from its sdist, unmodified) on the simulator's XTP libraries, TORA (ToraGateway
and vnpy_tora 2026.10.5's ToraStockGateway) on its TORA libraries, and TORA_OPTION (ToraOptionGateway and
vnpy_tora's ToraOptionGateway) on its TORA stock-option trader, with the peer's ETF options.

    python benchmarks/bench_ashare.py [--sdk xtp|tora|tora_option] [--ticks N] [--orders N] [--rounds N]
                                      [--json FILE]

Two measurements, each system in its own subprocess (``--worker '<json>'``: the simulator picks its
configuration at the first login of a process, and vn.py's extension must load the simulator's libraries
through LD_LIBRARY_PATH):

* ticks into a Python handler: a burst of ``--ticks`` depth updates (600000.SSE; TORA_OPTION: the call
  10009001.SSE) as fast as the simulator sends them; the handler on the engine's tick event reads a field of
  every tick. vtcore: XtpGateway on vtcore's EventEngine (one TickData per tick); vn.py: vnpy_xtp's XtpGateway
  (its onDepthMarketData builds TickData) on vn.py's EventEngine. Result: ticks per second from the first to
  the last handled tick.
* order round trip: limit buys that rest, one at a time, from send to the first NOTTRADED status in Python.
  vtcore: XtpGateway.send_order -> the order event; vn.py gateway: vnpy_xtp's XtpGateway.send_order -> vn.py's
  order event; vn.py raw: vnpy_xtp's TdApi.insertOrder -> its onOrderEvent callback (no gateway, no engine);
  TORA the same with ToraGateway, vnpy_tora's ToraStockGateway and its StockApi (reqOrderInsert ->
  onRtnOrder), TORA_OPTION with ToraOptionGateway, vnpy_tora's ToraOptionGateway and its OptionApi (an
  opening buy of one call). vtcore raw, the like-for-like of vn.py's raw API: vtcore's binding driven
  directly (a prepared struct per order) -> the producer ring -> a message callback on the engine thread
  reading the status from the typed view (no gateway, no OrderData). ``--orders`` per system in
  ``--rounds`` rounds that alternate the systems (each round a fresh process per system, ``--warmup`` orders
  first not counted); percentiles of all rounds' samples together. ``--ticks 0`` or ``--orders 0`` leaves
  that part out.

The numbers depend on the machine's load: quote them with the load average this prints.
"""

# Imports inside functions on purpose: vn.py modules exist only once a worker has set up its paths.
# vnpy_xtp's callbacks keep their C++ names (onOrderEvent, ...).
# ruff: noqa: PLC0415, N802

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _vnpy_env  # noqa: E402
from _measure import ResultsFile  # noqa: E402
from bench_order_roundtrip import OrderTimer, RawTimer  # noqa: E402
from bench_tick_path import (  # noqa: E402
    WARMUP_TICKS,
    Counter,
    measure,
    percentiles,
    run_script_worker,
    table_worker,
    tick_handler,
    wait_until,
)

#: per SDK: vtcore's gateway package (its simulator front-end too) and class, vn.py's gateway module and
#: class, and the security of the runs: a resting limit buy (an opening one for options) below the market
SDKS: dict[str, dict[str, Any]] = {
    "xtp": {
        "package": "xtp",
        "gateway": "XtpGateway",
        "vnpy_module": "vnpy_xtp.gateway.xtp_gateway",
        "vnpy_gateway": "XtpGateway",
        "symbol": "600000",  # SSE, last 10.50 in the simulator
        "price": 10.00,
        "volume": 100,
        "offset": "NONE",
    },
    "tora": {
        "package": "tora",
        "gateway": "ToraGateway",
        "vnpy_module": "vnpy_tora.gateway.tora_stock_gateway",
        "vnpy_gateway": "ToraStockGateway",
        "symbol": "600000",
        "price": 10.00,
        "volume": 100,
        "offset": "NONE",
    },
    "tora_option": {
        "package": "tora",
        "gateway": "ToraOptionGateway",
        "vnpy_module": "vnpy_tora.gateway.tora_option_gateway",
        "vnpy_gateway": "ToraOptionGateway",
        "symbol": "10009001",  # an SSE 300ETF call, last 0.1200 (tora.sim.OPTION_INSTRUMENTS)
        "price": 0.1000,
        "volume": 1,
        "offset": "OPEN",
    },
}
WAIT = 30.0
USER, PASSWORD = "bench", "bench"


def sim_config(folder: Path, sdk: str) -> Path:
    """The warm-up ticks at once after the subscription (the measured burst is asked for through the control
    port), a rich account, and the securities open at any hour; for TORA_OPTION the peer's ETF options."""
    from vtcore.gateways._sdk.sim import write_config
    from vtcore.gateways.tora.sim import OPTION_INSTRUMENTS

    config: dict[str, Any] = {
        "accounts": [{"user_id": USER, "password": PASSWORD, "balance": 1e9}],
        "market_data": {"rate": 0, "count": WARMUP_TICKS, "always_open": True},
        "control": {"port": 0, "port_file": str(folder / "control.port")},
    }
    if sdk == "tora_option":
        config["instruments"] = OPTION_INSTRUMENTS
    return write_config(folder / "sim.json", config)


def vtcore_gateway(spec: dict[str, Any], folder: Path, engine: Any) -> Any:
    import importlib

    sdk = spec["sdk"]
    package = SDKS[sdk]["package"]
    module = importlib.import_module(f"vtcore.gateways.{package}")
    sim = importlib.import_module(f"vtcore.gateways.{package}.sim")
    gateway = getattr(module, SDKS[sdk]["gateway"])(engine, sdk.upper())
    engine.start()
    gateway.connect(sim.simulator_setting(sim_config(folder, sdk), USER, PASSWORD))
    wait_until(lambda: gateway.md.state == "ready" and gateway.td.state == "ready", 60.0, f"{sdk}'s fronts")
    return gateway


def vnpy_gateway(spec: dict[str, Any], folder: Path, event_engine: Any) -> Any:
    from vtcore.gateways._sdk.sim import config_query, front_address

    sdk = spec["sdk"]
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, folder, SDKS[sdk]["vnpy_module"])
    event_engine.start()
    gateway = getattr(module, SDKS[sdk]["vnpy_gateway"])(event_engine, sdk.upper())
    if sdk == "xtp":
        address = "127.0.0.1" + config_query(sim_config(folder, sdk))
        setting = {"账号": USER, "密码": PASSWORD, "客户号": 1, "行情地址": address, "行情端口": 6001}
        setting |= {
            "交易地址": address,
            "交易端口": 6002,
            "行情协议": "TCP",
            "日志级别": "FATAL",
            "授权码": "",
        }
        gateway.connect(setting)  # logs in synchronously, then queries the tickers
        wait_until(
            lambda: gateway.md_api.sse_inited and gateway.td_api.login_status, 60.0, "vnpy_xtp's login"
        )
    else:
        address = front_address(sim_config(folder, sdk))
        setting = {
            "账号": USER,
            "密码": PASSWORD,
            "行情服务器": address,
            "交易服务器": address,
            "产品标识": "",
        }
        setting |= {"动态密钥": "", "账号类型": module.ACCOUNT_USERID, "地址类型": module.ADDRESS_FRONT}
        gateway.connect(setting)
        wait_until(lambda: gateway.md_api.login_status and gateway.td_api.shareholder_ids, 60.0, "vnpy_tora")
    return gateway


# -- ticks ---------------------------------------------------------------------------------------------------


def ticks_vtcore(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    from vtcore.constant import Exchange
    from vtcore.event import EVENT_TICK, EventEngine
    from vtcore.object import SubscribeRequest

    counter = Counter()
    engine = EventEngine(interval=1.0)
    engine.register(EVENT_TICK, tick_handler(counter, latency=False))
    gateway = vtcore_gateway(spec, folder, engine)
    request = SubscribeRequest(SDKS[spec["sdk"]]["symbol"], Exchange.SSE)
    return measure(spec, folder, counter, lambda: gateway.subscribe(request), lambda: engine.dropped_ticks)


def ticks_vnpy(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    counter = Counter()
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    _vnpy_env.add_vnpy_paths(env)
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.event import EVENT_TICK  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    event_engine = EventEngine()
    event_engine.register(EVENT_TICK, tick_handler(counter, latency=False))
    gateway = vnpy_gateway(spec, folder, event_engine)
    request = SubscribeRequest(SDKS[spec["sdk"]]["symbol"], Exchange.SSE)
    return measure(spec, folder, counter, lambda: gateway.subscribe(request))


# -- orders --------------------------------------------------------------------------------------------------


def orders_vtcore(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
    from vtcore.event import EVENT_ORDER, EventEngine
    from vtcore.object import OrderRequest

    timer = OrderTimer(Status.NOTTRADED)
    cpu = None  # the engine thread unpinned, the SDK's thread where the scheduler puts it
    if spec.get("cpus"):  # 1: every thread on CPU 0; 2: the engine thread on CPU 1, the rest on CPU 0
        os.sched_setaffinity(0, {0})  # before the gateway starts the SDK's threads, which inherit it
        cpu = 0 if spec["cpus"] == 1 else 1
    engine = EventEngine(interval=1.0, profile=spec.get("profile"), cpu=cpu)  # profile None: balanced
    engine.register(EVENT_ORDER, timer.on_order)
    gateway = vtcore_gateway(spec, folder, engine)
    security = SDKS[spec["sdk"]]
    request = OrderRequest(security["symbol"], Exchange.SSE, Direction.LONG, OrderType.LIMIT,
                           security["volume"], security["price"], Offset[security["offset"]])  # fmt: skip
    return timer.run(spec, lambda: gateway.send_order(request))


def orders_vnpy_gateway(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    _vnpy_env.add_vnpy_paths(env)
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.constant import (  # type: ignore[import-not-found, unused-ignore]
        Direction,
        Exchange,
        Offset,
        OrderType,
        Status,
    )
    from vnpy.trader.event import EVENT_ORDER  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import OrderRequest  # type: ignore[import-not-found, unused-ignore]

    timer = OrderTimer(Status.NOTTRADED)
    event_engine = EventEngine()
    event_engine.register(EVENT_ORDER, timer.on_order)
    gateway = vnpy_gateway(spec, folder, event_engine)
    security = SDKS[spec["sdk"]]
    request = OrderRequest(security["symbol"], Exchange.SSE, Direction.LONG, OrderType.LIMIT,
                           security["volume"], security["price"], Offset[security["offset"]])  # fmt: skip
    return timer.run(spec, lambda: gateway.send_order(request))


def orders_vnpy_raw(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    if spec.get("cpus") == 1:  # every thread on CPU 0: the API's threads start later and inherit it
        os.sched_setaffinity(0, {0})
    return (orders_vnpy_xtp_raw if spec["sdk"] == "xtp" else orders_vnpy_tora_raw)(spec, folder)


def tora_codes(sdk: str) -> tuple[Any, Any]:
    """(the generated types module, `code(name)`: its constant TORA_TSTP_<name>, TORA_TSTP_SP_<name> for the
    stock-option trader) of "tora" or "tora_option"."""
    if sdk == "tora_option":
        from vtcore.gateways.tora import _torasp_types as types
    else:
        from vtcore.gateways.tora import _tora_types as types
    prefix = "TORA_TSTP_SP_" if sdk == "tora_option" else "TORA_TSTP_"
    return types, lambda name: getattr(types, prefix + name)


def tora_order_fields(sdk: str) -> dict[str, Any]:
    """The order request's fields but the shareholder and the reference, as vnpy_tora's ToraTdApi.send_order
    fills them (vn.py's raw row sends them as its dict, vtcore's raw row as the struct)."""
    _, code = tora_codes(sdk)
    security = SDKS[sdk]
    fields = {
        "SecurityID": security["symbol"],
        "ExchangeID": code("EXD_SSE"),
        "OrderPriceType": code("OPT_LimitPrice"),
        "Direction": code("D_Buy"),
        "LimitPrice": security["price"],
        "VolumeTotalOriginal": security["volume"],
        "TimeCondition": code("TC_GFD"),
        "VolumeCondition": code("VC_AV"),
    }
    if sdk == "tora_option":  # the option request's own fields (vnpy_tora's option ToraTdApi.send_order)
        fields |= {"CombOffsetFlag": code("OF_Open"), "CombHedgeFlag": code("HF_Speculation")}
    return fields


def orders_vnpy_tora_raw(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """vnpy_tora's StockApi (TORA_OPTION: its OptionApi, on the stock-option trader) driven directly:
    reqOrderInsert(dict) -> onRtnOrder(dict) with OrderStatus Accepted, the request as vnpy_tora's
    ToraTdApi.send_order builds it."""
    from vtcore.gateways._sdk.sim import front_address

    option = spec["sdk"] == "tora_option"
    types, code = tora_codes(spec["sdk"])
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    # the package's gateway module first, with vn.py's utility stood in: the real one makes ~/.vntrader
    _vnpy_env.import_vnpy_ctp_gateway(env, folder, SDKS[spec["sdk"]]["vnpy_module"])
    from vnpy_tora.api import OptionApi, StockApi  # type: ignore[import-not-found, unused-ignore]

    ready = threading.Event()
    timer = RawTimer(queued=code("OST_Accepted"))
    session: dict[str, Any] = {"shareholder": ""}

    class BenchApi(OptionApi if option else StockApi):  # type: ignore[misc]
        def onFrontConnected(self) -> None:
            login = {"LogInAccount": USER, "Password": PASSWORD, "LogInAccountType": code("LACT_UserID")}
            self.reqUserLogin(login, 1)

        def onRspUserLogin(self, data: dict[str, Any], error: dict[str, Any], reqid: int) -> None:
            self.reqQryShareholderAccount({}, 2)

        def onRspQryShareholderAccount(
            self, data: dict[str, Any], error: dict[str, Any], reqid: int, last: bool
        ) -> None:
            if data and data["ExchangeID"] == code("EXD_SSE"):
                session["shareholder"] = data["ShareholderID"]
            if last:
                ready.set()

        def onRtnOrder(self, data: dict[str, Any]) -> None:
            timer.report(str(data["OrderRef"]), data["OrderStatus"], time.perf_counter_ns())

    api = BenchApi()
    (api.createTstpSPTraderApi if option else api.createTstpTraderApi)(str(folder / "td"), False)
    api.registerFront(front_address(sim_config(folder, spec["sdk"])))
    api.subscribePrivateTopic(types.TORA_TERT_QUICK)
    api.subscribePublicTopic(types.TORA_TERT_QUICK)
    api.init()
    wait_until(ready.is_set, 60.0, "vnpy_tora's login and shareholder accounts")
    fields = tora_order_fields(spec["sdk"])

    def prepare(ref: int) -> dict[str, Any]:
        return {"ShareholderID": session["shareholder"], "OrderRef": ref, **fields}

    samples = timer.run(spec, prepare, api.reqOrderInsert)
    return {"spec": spec, "orders": len(samples), "latency": percentiles(samples), "samples_ns": samples}


def orders_vtcore_raw(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """vtcore's raw path, the like-for-like of vn.py's raw API (bench_order_roundtrip's "vtcore raw" for
    CTP): the binding's trader API object driven directly (a prepared struct per order; no gateway, no
    OrderData), the SDK's thread copying each report into a producer ring, and a message callback on the
    engine thread reading the order's status from the typed view. With ``spec["sender"] == "handler"``
    that callback sends the next order, as a strategy's handler would."""
    from vtcore.event import EventEngine

    cpu = None
    if spec.get("cpus") == 1:  # every thread on CPU 0, as vn.py's raw row pinned so
        os.sched_setaffinity(0, {0})
        cpu = 0
    engine = EventEngine(interval=1.0, profile=spec.get("profile"), cpu=cpu)
    engine.start()
    return (_xtp_raw if spec["sdk"] == "xtp" else _tora_raw)(spec, folder, engine)


def _xtp_raw(spec: dict[str, Any], folder: Path, engine: Any) -> dict[str, Any]:
    from vtcore.gateways._sdk.messages import Decoder
    from vtcore.gateways._sdk.sim import FRONT_ENDS, config_query
    from vtcore.gateways.xtp import _xtp_types as xt
    from vtcore.gateways.xtp.library import load_binding

    decoder = Decoder(xt)
    read_order = xt.OrderInfo.reader("order_xtp_id", "order_status")
    timer = ReturnedIdTimer(spec)

    def on_message(kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        now = time.perf_counter_ns()
        message = decoder.decode(kind, request_id, is_last, payload)
        if message.name == "OnOrderEvent" and message.data is not None:
            xtp_id, status = read_order(message.data)
            if status == xt.XTP_ORDER_STATUS_NOTRADEQUEUEING:
                timer.queued(xtp_id, now)

    producer = engine.create_producer("bench.td", "bench", on_message)
    library = FRONT_ENDS["xtp"].td_library()
    api = load_binding().TraderApi(str(library), str(folder), producer.capsule(), 1, xt.XTP_LOG_LEVEL_FATAL)
    api.subscribe_public_topic(xt.XTP_TERT_QUICK)
    address = "127.0.0.1" + config_query(sim_config(folder, "xtp"))
    session = api.login(address, 6002, USER, PASSWORD, xt.XTP_PROTOCOL_TCP)
    if not session:
        raise RuntimeError(f"the XTP binding's login failed: {api.last_error()}")
    security = SDKS["xtp"]
    order = xt.OrderInsertInfo(ticker=security["symbol"], market=xt.XTP_MKT_SH_A,
                               price_type=xt.XTP_PRICE_LIMIT, side=xt.XTP_SIDE_BUY,
                               position_effect=xt.XTP_POSITION_EFFECT_INIT,
                               business_type=xt.XTP_BUSINESS_TYPE_CASH)  # fmt: skip
    order.price = security["price"]
    order.quantity = security["volume"]
    payload = order.buffer
    return timer.run(lambda: int(api.insert_order(payload, session)))


def _tora_raw(spec: dict[str, Any], folder: Path, engine: Any) -> dict[str, Any]:
    from vtcore.gateways._sdk.messages import Decoder
    from vtcore.gateways._sdk.sim import FRONT_ENDS, front_address
    from vtcore.gateways.tora.library import find_libraries, find_option_libraries, load_binding

    option = spec["sdk"] == "tora_option"
    types, code = tora_codes(spec["sdk"])
    requests = types.SPTRADER_REQUESTS if option else types.TRADER_REQUESTS
    decoder = Decoder(types)
    read_order = types.Order.reader("OrderRef", "OrderStatus")
    timer = RawTimer(queued=code("OST_Accepted"))
    shareholder: list[str] = []

    def request(name: str, **fields: Any) -> None:
        index, struct_class = requests[name]
        api.request(index, struct_class(**fields).buffer, 1)

    def on_message(kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        now = time.perf_counter_ns()
        message = decoder.decode(kind, request_id, is_last, payload)
        data: Any = message.data
        if message.name == "OnRtnOrder":
            ref, status = read_order(data)
            timer.report(str(ref), status, now)
        elif message.name == "OnFrontConnected":
            login_type = code("LACT_UserID")
            request("ReqUserLogin", LogInAccount=USER, Password=PASSWORD, LogInAccountType=login_type)
        elif message.name == "OnRspUserLogin":
            request("ReqQryShareholderAccount")
        elif message.name == "OnRspQryShareholderAccount":
            if data is not None and data.ExchangeID == code("EXD_SSE"):
                shareholder.append(data.ShareholderID)
            if is_last:
                timer.ready.set()

    producer = engine.create_producer("bench.td", "bench", on_message)
    library_dir = str(FRONT_ENDS["tora"].library_dir())
    library = (find_option_libraries if option else find_libraries)(library_dir)[1]
    trader = load_binding().SPTraderApi if option else load_binding().TraderApi
    api = trader(str(library), str(folder / "td"), producer.capsule())
    api.subscribe_private_topic(types.TORA_TERT_QUICK)
    api.subscribe_public_topic(types.TORA_TERT_QUICK)
    api.register_front(front_address(sim_config(folder, spec["sdk"])))
    api.init()
    wait_until(timer.ready.is_set, 60.0, "the TORA binding's login and shareholder accounts")
    index, input_order = requests["ReqOrderInsert"]
    template = input_order(ShareholderID=shareholder[0], **tora_order_fields(spec["sdk"]))

    def prepare(ref: int) -> Any:
        order = template.copy()
        order.OrderRef = ref  # type: ignore[attr-defined]
        return order.buffer

    samples = timer.run(spec, prepare, lambda payload, request_id: api.request(index, payload, request_id))
    return {"spec": spec, "orders": len(samples), "latency": percentiles(samples), "samples_ns": samples}


class ReturnedIdTimer:
    """Times send -> the queued report per order for an API whose insert call returns the order's id (XTP),
    vn.py's raw TdApi and vtcore's binding alike: `queued(id, now)` from the report's callback, `run(insert)`
    sends the orders one after another from the main thread or (``spec["sender"] == "handler"``) each from
    the callback that saw the previous one queued."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.done = threading.Event()
        self.arrived: dict[int, int] = {}
        self.sent: dict[int, int] = {}
        self.chain = spec.get("sender") == "handler"
        self.left = spec.get("warmup", 0) + spec["count"]
        self.waiting = 0
        self.insert: Any = None

    def queued(self, order_id: int, now: int) -> None:
        if order_id in self.arrived:
            return
        self.arrived[order_id] = now
        if order_id == self.waiting:
            if self.chain and self.left > 0:
                self.send()
            else:
                self.done.set()

    def send(self) -> int:
        self.left -= 1
        sent_at = time.perf_counter_ns()
        order_id = self.insert()
        if not order_id:
            raise RuntimeError("the insert call refused an order")
        self.sent[order_id] = sent_at
        self.waiting = order_id
        return order_id

    def run(self, insert: Any) -> dict[str, Any]:
        self.insert = insert
        if self.chain:
            self.send()  # a warm-up order: the callback sends the rest
            if not self.done.wait(WAIT + self.left * 0.1):
                raise TimeoutError(f"{len(self.arrived)} of {len(self.sent)} orders got their queued report")
        else:
            while self.left > 0:
                self.done.clear()
                order_id = self.send()
                if order_id not in self.arrived and not self.done.wait(WAIT):
                    raise TimeoutError(f"no queued report for order {order_id}")
        samples = [self.arrived[order_id] - sent_at for order_id, sent_at in self.sent.items()]
        samples = samples[self.spec.get("warmup", 0) :]
        latency = percentiles(samples)
        return {"spec": self.spec, "orders": len(samples), "latency": latency, "samples_ns": samples}


def orders_vnpy_xtp_raw(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """vnpy_xtp's TdApi driven directly: insertOrder(dict, session) -> onOrderEvent(dict, error, session).
    With ``spec["sender"] == "handler"`` each order is sent from the callback that saw the previous one
    queued (on the SDK's thread, where vnpy_xtp calls it)."""
    from vtcore.gateways._sdk.sim import config_query
    from vtcore.gateways.xtp import _xtp_types as xt

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    # the package's gateway module first, with vn.py's utility stood in: the real one makes ~/.vntrader
    _vnpy_env.import_vnpy_ctp_gateway(env, folder, SDKS[spec["sdk"]]["vnpy_module"])
    from vnpy_xtp.api import TdApi  # type: ignore[import-not-found, unused-ignore]

    timer = ReturnedIdTimer(spec)

    class BenchTdApi(TdApi):  # type: ignore[misc]
        def onOrderEvent(self, data: dict[str, Any], error: dict[str, Any], session_id: int) -> None:
            now = time.perf_counter_ns()
            if data["order_status"] == xt.XTP_ORDER_STATUS_NOTRADEQUEUEING:
                timer.queued(data["order_xtp_id"], now)

    api = BenchTdApi()
    api.createTraderApi(1, str(folder / "td"), xt.XTP_LOG_LEVEL_FATAL)
    api.subscribePublicTopic(xt.XTP_TERT_QUICK)
    address = "127.0.0.1" + config_query(sim_config(folder, "xtp"))
    session_id = api.login(address, 6002, USER, PASSWORD, xt.XTP_PROTOCOL_TCP)
    if not session_id:
        raise RuntimeError(f"vnpy_xtp's login failed: {api.getApiLastError()}")
    api.init()
    # vnpy_xtp's XtpTdApi.send_order request for a cash buy at a limit price
    security = SDKS["xtp"]
    request = {"ticker": security["symbol"], "market": xt.XTP_MKT_SH_A, "price": security["price"],
               "quantity": security["volume"],
               "price_type": xt.XTP_PRICE_LIMIT, "side": xt.XTP_SIDE_BUY, "business_type": 0}  # fmt: skip
    return timer.run(lambda: int(api.insertOrder(request, session_id)))


# -- workers and the run -------------------------------------------------------------------------------------

RUNS = {
    ("vtcore", "ticks"): ticks_vtcore,
    ("vnpy-gateway", "ticks"): ticks_vnpy,
    ("vtcore", "orders"): orders_vtcore,
    ("vnpy-gateway", "orders"): orders_vnpy_gateway,
    ("vnpy-raw", "orders"): orders_vnpy_raw,
    ("vtcore-raw", "orders"): orders_vtcore_raw,
}


def worker(spec: dict[str, Any]) -> None:
    table_worker("vtcore-bench-ashare-", RUNS, spec)


def run_worker(spec: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
    from vtcore.gateways._sdk.sim import FRONT_ENDS

    env = dict(os.environ)
    if spec["system"].startswith("vnpy"):  # the simulator's libraries ahead of vn.py's bundled real ones
        baseline = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
        package = SDKS[spec["sdk"]]["package"]
        env = _vnpy_env.stock_worker_env(baseline, package, FRONT_ENDS[package].library_dir())
    return run_script_worker(__file__, spec, env, timeout, what="A-share")


#: the order round trip's systems: (system, engine profile, sender, CPUs); sender "handler": each order sent
#: from the handler (raw: the callback) that saw the previous one's update, as a strategy's on_order sends;
#: CPUs 1: every thread of the process pinned to CPU 0 (vtcore and vn.py's raw API alike: no wake-up crosses
#: CPUs); 2 (vtcore): the engine thread on CPU 1, the rest on CPU 0; None: not pinned. "vtcore-raw" is the
#: binding without the gateway (orders_vtcore_raw), set beside vn.py's raw API only
ORDER_RUNS = (
    ("vtcore", None, "main", None),
    ("vtcore", "latency", "main", None),
    ("vtcore", None, "main", 1),
    ("vnpy-gateway", None, "main", None),
    ("vnpy-raw", None, "main", None),
    ("vnpy-raw", None, "main", 1),
    ("vtcore", None, "handler", None),
    ("vtcore", "latency", "handler", None),
    ("vtcore", None, "handler", 1),
    ("vtcore", None, "handler", 2),
    ("vnpy-gateway", None, "handler", None),
    ("vnpy-raw", None, "handler", None),
    ("vnpy-raw", None, "handler", 1),
    ("vtcore-raw", None, "main", None),
    ("vtcore-raw", None, "main", 1),
    ("vtcore-raw", None, "handler", None),
    ("vtcore-raw", None, "handler", 1),
)


def baseline_of(mine: str, baseline: str, systems: Iterable[str]) -> str:
    """The row `mine` (a vtcore row) is set beside: `baseline` sent the same way, pinned to one CPU as well
    when both have such a row."""
    sent = " from handler" if mine.endswith(" from handler") else ""
    pinned = baseline + " (one CPU)" + sent
    return pinned if " (one CPU)" in mine and pinned in systems else baseline + sent


def order_label(system: str, profile: str | None, sender: str, cpus: int | None) -> str:
    """The row name of an ORDER_RUNS entry, e.g. "vtcore (latency) from handler"."""
    return (
        system
        + (f" ({profile})" if profile else "")
        + (f" ({'one CPU' if cpus == 1 else 'two CPUs'})" if cpus else "")
        + (" from handler" if sender == "handler" else "")
    )


def order_rows(name: str, sdk: str, orders: int, rounds: int, warmup: int) -> list[dict[str, Any]]:
    """`orders` per system in `rounds` rounds that alternate the systems (a fresh worker process per round and
    system, `warmup` orders first not counted), so that the load drifting during the run falls on every
    system alike; percentiles over all rounds' samples."""
    samples: dict[str, list[int]] = {}
    for _ in range(rounds):
        for system, profile, sender, cpus in ORDER_RUNS:
            spec = {"sdk": sdk, "what": "orders", "count": orders // rounds, "system": system,
                    "profile": profile, "warmup": warmup, "sender": sender, "cpus": cpus}  # fmt: skip
            result = run_worker(spec)
            label = order_label(system, profile, sender, cpus)
            samples.setdefault(label, []).extend(result["samples_ns"])
    latencies = {label: percentiles(values) for label, values in samples.items()}
    for label, latency in latencies.items():
        print(f"orders {name:<4} {label:<27} {latency['samples']:>5} orders, "
              f"p50 {latency['p50_us']:>8.1f} us, p99 {latency['p99_us']:>8.1f} us")  # fmt: skip
    pairs = [
        (baseline_of(mine, baseline, latencies), mine)
        for baseline in ("vnpy-gateway", "vnpy-raw")
        for mine in latencies
        if mine.startswith("vtcore") and (baseline == "vnpy-raw" or not mine.startswith("vtcore-raw"))
    ]
    for baseline, mine in pairs:
        p50 = latencies[baseline]["p50_us"] / latencies[mine]["p50_us"]
        p99 = latencies[baseline]["p99_us"] / latencies[mine]["p99_us"]
        print(f"orders {name:<4} {baseline} / {mine}: p50 {p50:.2f}x, p99 {p99:.2f}x")
    return [{"sdk": name, "system": label, **latency} for label, latency in latencies.items()]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sdk", action="append", choices=list(SDKS), help="xtp, tora, tora_option (default: all)"
    )
    parser.add_argument("--ticks", type=int, default=100_000, help="ticks in the measured burst (0: none)")
    parser.add_argument("--orders", type=int, default=1500, help="orders per system, round trip (0: none)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds the orders are split into")
    parser.add_argument("--warmup", type=int, default=10, help="orders per round and system not counted")
    parser.add_argument(
        "--json", type=Path, default=None, help="write the figures here (benchmarks/report.py)"
    )
    args = parser.parse_args()
    results_file = ResultsFile("bench_ashare.py")
    figures: dict[str, list[dict[str, Any]]] = {"ticks": [], "orders": []}
    sdks = args.sdk or list(SDKS)
    for package in sorted({SDKS[sdk]["package"] for sdk in sdks}):  # TORA and TORA_OPTION: one package
        _vnpy_env.ensure_vnpy_sdist(package)
    print(f"load average before: {load_average()}")
    for sdk in sdks:
        name = sdk.upper()
        tick_spec = {"sdk": sdk, "what": "ticks", "mode": "throughput", "count": args.ticks, "rate": 0,
                     "max_seconds": 120, "busy_seconds": 0}  # fmt: skip
        rates = {}
        for system in ("vtcore", "vnpy-gateway") if args.ticks else ():
            result = run_worker({**tick_spec, "system": system})
            rates[system] = rate = result["ticks_per_s"]
            print(f"ticks  {name:<4} {system:<13} {result['received']:>7} ticks, {rate:>10,.0f} ticks/s "
                  f"(stop: {result['stop']}, dropped {result['dropped']})")  # fmt: skip
        if args.ticks:
            print(f"ticks  {name:<4} vtcore / vn.py gateway: {rates['vtcore'] / rates['vnpy-gateway']:.1f}x")
            figures["ticks"].append({"sdk": name, "count": args.ticks, "vtcore": rates["vtcore"],
                                     "vnpy_gateway": rates["vnpy-gateway"]})  # fmt: skip
        if args.orders:
            figures["orders"] += order_rows(name, sdk, args.orders, args.rounds, args.warmup)
        print(f"load average: {load_average()}")
    if args.json is not None:
        results_file.write(args.json, {**figures, "rounds": args.rounds, "warmup": args.warmup})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]))
    else:
        main()
