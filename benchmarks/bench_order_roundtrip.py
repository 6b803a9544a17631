"""Order round trip through the same simulator front-end: send an order, time until its first status change
from the exchange arrives in Python. For CTP (``"sdk": "ctp"``) and CTP-Mini (``"sdk": "mini"``), each
against its own vn.py package (vnpy_ctp, vnpy_mini) on the same front-end library.

* vtcore: ``CtpGateway.send_order`` / ``MiniGateway.send_order`` (from the main thread) until the
  ``eOrder.`` handler sees the order NOTTRADED (the simulator's ``OnRtnOrder`` "queued"; its earlier
  "unknown" report repeats SUBMITTING, which the gateway already pushed locally, so it is not a change).
* vn.py gateway: vnpy_ctp's ``CtpGateway.send_order`` / vnpy_mini's ``MiniGateway.send_order``, unmodified,
  until a handler on vn.py's EventEngine sees the order NOTTRADED.
* vtcore raw: the kit's own raw path, the like-for-like of vn.py's raw ``TdApi``: the binding's ``TraderApi``
  driven directly (an ``InputOrder`` struct per order) until a message callback on the EventEngine thread (the
  SDK thread pushes into a producer ring; no gateway, no OrderData) reads OrderStatus '3' from the typed view.
* vn.py raw: the package's ``TdApi`` driven directly (vnpy.md §6.4's request dict) from ``reqOrderInsert``
  until its ``onRtnOrder`` callback sees OrderStatus '3' (queued) for that OrderRef.

Orders are sent one at a time (the next after the previous one's update), limit buys below the market that
rest; the first ``spec["warmup"]`` orders of each system are sent the same way and not counted (first calls:
code and data not yet in the caches, lazily built tables). Each system runs in its own subprocess:
``python benchmarks/bench_order_roundtrip.py --worker '<json>'``.
"""

# Imports inside functions on purpose: vn.py modules exist only once a worker has set up its paths,
# and each worker imports only the system it measures.
# vnpy_ctp's callbacks keep their C++ names (onRtnDepthMarketData, ...).
# ruff: noqa: PLC0415, N802

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _vnpy_env  # noqa: E402
from bench_tick_path import percentiles, run_script_worker, wait_until  # noqa: E402

SYMBOL = "rb2601"
PRICE = 3000.0  # below the simulator's rb2601 market (3100) and inside its limits: the order rests
WAIT = 30.0


#: per SDK: vtcore's gateway (module, class), vn.py's extension, its gateway (module, class) and name
SDKS: dict[str, dict[str, str]] = {
    "ctp": {"module": "vtcore.gateways.ctp", "gateway": "CtpGateway", "extension": "vnctptd",
            "vnpy_module": "vnpy_ctp.gateway.ctp_gateway", "vnpy_gateway": "CtpGateway", "name": "CTP"},
    "mini": {"module": "vtcore.gateways.mini", "gateway": "MiniGateway", "extension": "vnminitd",
             "vnpy_module": "vnpy_mini.gateway.mini_gateway", "vnpy_gateway": "MiniGateway", "name": "MINI"},
    # vtcore only (bench_tap_femas.py, beside CTP): vnpy_femas has no Linux build
    "femas": {"module": "vtcore.gateways.femas", "gateway": "FemasGateway", "name": "FEMAS"},
}  # fmt: skip


def sim_config(folder: Path) -> Path:
    from vtcore.gateways._sdk.sim import write_config

    config = {
        "accounts": [{"user_id": "bench", "password": "bench"}],
        "market_data": {"always_open": True},  # any hour, not only trading hours
    }
    return write_config(folder / "sim.json", config)


class OrderTimer:
    """Times send -> the first NOTTRADED OrderData of each order, for either engine's gateway: `on_order` is
    the "eOrder." handler (called on the engine thread), `run` sends the orders one after another: each from
    the main thread after the previous one's update, or (``spec["sender"] == "handler"``) each from the
    handler that saw the previous one's update, on the engine thread, as a strategy's ``on_order`` or
    ``on_tick`` sends (only the first, a warm-up order, comes from the main thread)."""

    def __init__(self, not_traded: Any) -> None:
        self.not_traded = not_traded
        self.arrived: dict[str, int] = {}
        self.sent: dict[str, int] = {}
        self.statuses: dict[str, list[str]] = {}
        self.done = threading.Event()
        self.waiting = ""
        self.chain: Any = None  # the send function while the handler sends the orders
        self.remaining = 0

    def on_order(self, event: Any) -> None:
        now = time.perf_counter_ns()
        order = event.data
        self.statuses.setdefault(order.vt_orderid, []).append(order.status.name)
        if order.status == self.not_traded and order.vt_orderid not in self.arrived:
            self.arrived[order.vt_orderid] = now
            if order.vt_orderid == self.waiting:
                if self.chain is not None and self.remaining > 0:
                    self.send_next(self.chain)
                else:
                    self.done.set()

    def send_next(self, send: Any) -> None:
        self.remaining -= 1
        sent = time.perf_counter_ns()
        vt_orderid = send()
        self.sent[vt_orderid] = sent
        self.waiting = vt_orderid

    def run(self, spec: dict[str, Any], send: Any) -> dict[str, Any]:
        total = spec.get("warmup", 0) + spec["count"]
        if spec.get("sender") == "handler":
            self.chain, self.remaining = send, total
            self.send_next(send)  # a warm-up order (spec["warmup"] >= 1): the handler sends the rest
            if not self.done.wait(WAIT + total * 0.1):
                raise TimeoutError(f"{len(self.arrived)} of {total} orders got their NOTTRADED update")
            orders = list(self.sent)
        else:
            orders = []
            for _ in range(total):
                self.done.clear()
                self.send_next(send)
                orders.append(self.waiting)
                if self.waiting not in self.arrived and not self.done.wait(WAIT):
                    raise TimeoutError(
                        f"no NOTTRADED update for {self.waiting}: {self.statuses.get(self.waiting)}"
                    )
        samples = [self.arrived[vt_orderid] - self.sent[vt_orderid] for vt_orderid in orders]
        samples = samples[spec.get("warmup", 0) :]
        return {"spec": spec, "orders": len(samples), "latency": percentiles(samples), "samples_ns": samples,
                "first_statuses": next(iter(self.statuses.values()))}  # fmt: skip


class RawTimer:
    """Times send -> OrderStatus `queued` ('3') per OrderRef for the raw paths (vn.py's TdApi, vtcore's
    TraderApi; vnpy_tora's StockApi): the callback calls `report`, `run` sends the orders one after another,
    from the main thread or (``spec["sender"] == "handler"``) each from the callback that saw the previous one
    queued. `prepare(n)` builds request n (not timed: vn.py's dict, vtcore's struct), `send(request, n)` sends
    it (timed)."""

    def __init__(self, queued: str = "3") -> None:
        self.queued = queued  # the report's status code for "queued" (Thost's '3')
        self.ready = threading.Event()  # logged in (and the settlement confirmed)
        self.done = threading.Event()
        self.arrived: dict[str, int] = {}
        self.sent: dict[str, int] = {}
        self.statuses: dict[str, list[str]] = {}
        self.waiting = ""
        self.chain: tuple[Any, Any] | None = None  # (prepare, send) while the callback sends the orders
        self.next_number = 1
        self.last_number = 0

    def report(self, ref: str, status: str, now: int) -> None:
        self.statuses.setdefault(ref, []).append(status)
        if status == self.queued and ref not in self.arrived:
            self.arrived[ref] = now
            if ref == self.waiting:
                if self.chain is not None and self.next_number <= self.last_number:
                    self.send_next(*self.chain)
                else:
                    self.done.set()

    def send_next(self, prepare: Any, send: Any) -> None:
        ref_number = self.next_number
        self.next_number += 1
        request = prepare(ref_number)
        self.waiting = str(ref_number)
        sent = time.perf_counter_ns()
        result = send(request, ref_number + 10)
        self.sent[str(ref_number)] = sent
        if result != 0:
            raise RuntimeError(f"the order insert request returned {result}")

    def run(self, spec: dict[str, Any], prepare: Any, send: Any) -> list[int]:
        self.last_number = spec.get("warmup", 0) + spec["count"]
        if spec.get("sender") == "handler":
            self.chain = (prepare, send)
            self.send_next(
                prepare, send
            )  # a warm-up order (spec["warmup"] >= 1): the callback sends the rest
            if not self.done.wait(WAIT + self.last_number * 0.1):
                raise TimeoutError(
                    f"{len(self.arrived)} of {self.last_number} orders got their queued update"
                )
        else:
            while self.next_number <= self.last_number:
                self.done.clear()
                self.send_next(prepare, send)
                ref = self.waiting
                if ref not in self.arrived and not self.done.wait(WAIT):
                    raise TimeoutError(f"no queued update for OrderRef {ref}: {self.statuses.get(ref)}")
        refs = [str(n) for n in range(1, self.last_number + 1)]
        return [self.arrived[ref] - self.sent[ref] for ref in refs][spec.get("warmup", 0) :]


def run_vtcore(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    import importlib

    from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
    from vtcore.event import EVENT_ORDER, EventEngine
    from vtcore.gateways._sdk.sim import FRONT_ENDS
    from vtcore.object import OrderRequest

    sdk = SDKS[spec.get("sdk", "ctp")]
    gateway_class = getattr(importlib.import_module(sdk["module"]), sdk["gateway"])
    timer = OrderTimer(Status.NOTTRADED)
    # profile None: the default (balanced); answer_spin_us None: the profile's
    engine = EventEngine(interval=1.0, profile=spec.get("profile"), answer_spin_us=spec.get("answer_spin_us"))
    engine.register(EVENT_ORDER, timer.on_order)
    gateway = gateway_class(engine, sdk["name"])
    engine.start()
    gateway.connect(FRONT_ENDS[spec.get("sdk", "ctp")].setting(sim_config(folder), "bench", "bench"))
    wait_until(lambda: gateway.td.state == "ready", 60.0, "the trader front")
    request = OrderRequest(
        symbol=SYMBOL,
        exchange=Exchange.SHFE,
        direction=Direction.LONG,
        type=OrderType.LIMIT,
        volume=1,
        price=PRICE,
        offset=Offset.OPEN,
    )
    return timer.run(spec, lambda: gateway.send_order(request))


def run_vtcore_raw(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """vtcore's raw callback path (see the module docstring), with the same login and order as `run_vnpy`."""
    import importlib

    from vtcore.event import EventEngine
    from vtcore.gateways._sdk.build import load_binding
    from vtcore.gateways._sdk.messages import Decoder
    from vtcore.gateways._sdk.sim import FRONT_ENDS, front_address

    sdk = spec.get("sdk", "ctp")
    types = getattr(importlib.import_module(SDKS[sdk]["module"]), SDKS[sdk]["gateway"]).types
    decoder = Decoder(types)
    requests = types.TRADER_REQUESTS
    read_order = types.Order.reader("OrderRef", "OrderStatus")
    timer = RawTimer()

    def request(name: str, **fields: Any) -> int:
        index, struct_class = requests[name]
        return int(api.request(index, struct_class(**fields).buffer, 1))

    def on_message(kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        now = time.perf_counter_ns()
        message = decoder.decode(kind, request_id, is_last, payload)
        if message.name == "OnRtnOrder":
            ref, status = read_order(message.data)
            timer.report(ref.strip(), status, now)
        elif message.name == "OnFrontConnected":
            request("ReqUserLogin", UserID="bench", Password="bench", BrokerID="9999")
        elif message.name == "OnRspUserLogin":
            if sdk == "mini":  # CTP-Mini has no settlement confirmation
                timer.ready.set()
            else:
                request("ReqSettlementInfoConfirm", BrokerID="9999", InvestorID="bench")
        elif message.name == "OnRspSettlementInfoConfirm":
            timer.ready.set()

    engine = EventEngine(interval=1.0, profile=spec.get("profile"))
    engine.start()
    producer = engine.create_producer("bench.td", "bench", on_message)
    binding = load_binding(sdk)
    api = binding.TraderApi(str(FRONT_ENDS[sdk].td_library()), str(folder / "td"), producer.capsule(), False)
    api.subscribe_private_topic(0)
    api.subscribe_public_topic(0)
    api.register_front(front_address(sim_config(folder)))
    api.init()
    wait_until(timer.ready.is_set, 60.0, "vtcore's raw trader login")
    index, input_order = requests["ReqOrderInsert"]
    # vn.py raw's request (run_vnpy), as a struct
    template = input_order(InstrumentID=SYMBOL, ExchangeID="SHFE", LimitPrice=PRICE, VolumeTotalOriginal=1,
                           OrderPriceType="2", Direction="0", CombOffsetFlag="0", InvestorID="bench",
                           UserID="bench", BrokerID="9999", CombHedgeFlag="1", ContingentCondition="1",
                           ForceCloseReason="0", IsAutoSuspend=0, TimeCondition="3", VolumeCondition="1",
                           MinVolume=1)  # fmt: skip

    def prepare(ref_number: int) -> Any:
        order = template.copy()
        order.OrderRef = str(ref_number)  # type: ignore[attr-defined]
        return order.buffer

    samples = timer.run(spec, prepare, lambda payload, request_id: api.request(index, payload, request_id))
    return {"spec": spec, "orders": len(samples), "latency": percentiles(samples), "samples_ns": samples,
            "first_statuses": timer.statuses["1"]}  # fmt: skip


def run_vnpy(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    mini = spec.get("sdk", "ctp") == "mini"
    extension = _vnpy_env.load_extension(env, SDKS[spec.get("sdk", "ctp")]["extension"])
    from vtcore.gateways._sdk.sim import front_address

    timer = RawTimer()

    class BenchTdApi(extension.TdApi):  # type: ignore[misc, name-defined]
        def onFrontConnected(self) -> None:
            self.reqUserLogin({"UserID": "bench", "Password": "bench", "BrokerID": "9999"}, 1)

        def onRspUserLogin(
            self,
            data: dict[str, Any],
            error: dict[str, Any],
            reqid: int,
            last: bool,
        ) -> None:
            if mini:  # CTP-Mini has no settlement confirmation
                timer.ready.set()
            else:
                self.reqSettlementInfoConfirm({"BrokerID": "9999", "InvestorID": "bench"}, 2)

        def onRspSettlementInfoConfirm(
            self,
            data: dict[str, Any],
            error: dict[str, Any],
            reqid: int,
            last: bool,
        ) -> None:
            timer.ready.set()

        def onRtnOrder(self, data: dict[str, Any]) -> None:
            timer.report(data["OrderRef"].strip(), data["OrderStatus"], time.perf_counter_ns())

    api = BenchTdApi()
    if mini:  # vnpy_mini's factory has no production flag
        api.createFtdcTraderApi(str(folder / "td"))
    else:
        api.createFtdcTraderApi(str(folder / "td"), False)
    api.subscribePrivateTopic(0)
    api.subscribePublicTopic(0)
    api.registerFront(front_address(sim_config(folder)))
    api.init()
    wait_until(timer.ready.is_set, 60.0, "vn.py's trader login")

    def prepare(ref_number: int) -> dict[str, Any]:
        # vnpy_ctp's CtpTdApi.send_order request (vnpy.md §6.4; vnpy_mini's is the same):
        # LIMIT = ('2', '3' GFD, '1' AV), buy, open.
        return {
            "InstrumentID": SYMBOL,
            "ExchangeID": "SHFE",
            "LimitPrice": PRICE,
            "VolumeTotalOriginal": 1,
            "OrderPriceType": "2",
            "Direction": "0",
            "CombOffsetFlag": "0",
            "OrderRef": str(ref_number),
            "InvestorID": "bench",
            "UserID": "bench",
            "BrokerID": "9999",
            "CombHedgeFlag": "1",
            "ContingentCondition": "1",
            "ForceCloseReason": "0",
            "IsAutoSuspend": 0,
            "TimeCondition": "3",
            "VolumeCondition": "1",
            "MinVolume": 1,
        }

    samples = timer.run(spec, prepare, api.reqOrderInsert)
    return {
        "spec": spec,
        "orders": len(samples),
        "latency": percentiles(samples),
        "samples_ns": samples,
        "first_statuses": timer.statuses["1"],
        "libraries": [path for path in _vnpy_env.mapped_libraries() if "thost" in path],
    }


def run_vnpy_gateway(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """vn.py's own gateway path, the like-for-like baseline of vtcore's: vnpy_ctp's `CtpGateway.send_order`
    (vnpy_mini's `MiniGateway.send_order`), unmodified, until a handler on vn.py's EventEngine sees the order
    NOTTRADED."""
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    sdk = SDKS[spec.get("sdk", "ctp")]
    gateway_module = _vnpy_env.import_vnpy_ctp_gateway(env, folder, sdk["vnpy_module"])
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

    from vtcore.gateways._sdk.sim import front_address

    timer = OrderTimer(Status.NOTTRADED)
    event_engine = EventEngine()
    event_engine.register(EVENT_ORDER, timer.on_order)
    event_engine.start()
    gateway = getattr(gateway_module, sdk["vnpy_gateway"])(event_engine, sdk["name"])
    address = front_address(sim_config(folder))
    setting = {"用户名": "bench", "密码": "bench", "经纪商代码": "9999", "交易服务器": address,
               "行情服务器": address, "产品名称": "", "授权编码": ""}  # fmt: skip
    if spec.get("sdk", "ctp") == "ctp":
        setting["柜台环境"] = "测试"
    gateway.connect(setting)
    wait_until(lambda: gateway.td_api.contract_inited, 60.0, "vn.py's gateway to load the contracts")
    request = OrderRequest(symbol=SYMBOL, exchange=Exchange.SHFE, direction=Direction.LONG,
                           type=OrderType.LIMIT, volume=1, price=PRICE, offset=Offset.OPEN)  # fmt: skip
    return timer.run(spec, lambda: gateway.send_order(request))


def worker(spec: dict[str, Any]) -> None:
    code = 0
    with tempfile.TemporaryDirectory(prefix="vtcore-bench-order-") as folder:
        os.environ["VTCORE_HOME"] = str(Path(folder) / ".vntrader")  # never the user's .vntrader
        try:
            run = {"vtcore": run_vtcore, "vtcore-raw": run_vtcore_raw, "vnpy": run_vnpy,
                   "vnpy-gateway": run_vnpy_gateway}[spec["system"]]  # fmt: skip
            sys.stdout.write(json.dumps(run(spec, Path(folder))) + "\n")
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)  # vnpy_ctp's exit() can deadlock; nothing else needs cleaning up


def run_worker(spec: dict[str, Any], timeout: float = 300.0) -> dict[str, Any]:
    from vtcore.gateways._sdk.sim import FRONT_ENDS

    if spec["system"].startswith("vnpy"):
        env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
        process_env = env.subprocess_env(FRONT_ENDS[spec.get("sdk", "ctp")].library_dir())
    else:
        process_env = dict(os.environ)
    return run_script_worker(__file__, spec, process_env, timeout, what="order round-trip")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]))
    else:
        sys.exit("usage: bench_order_roundtrip.py --worker '<json spec>' (benchmarks/run.py runs the suite)")
