"""TAP beside vn.py's vnpy_tap on the same TAP simulator front-end, and FEMAS beside CTP, in one run.

    python benchmarks/bench_tap_femas.py [--ticks 50000] [--orders 300] [--json results/tap_femas.json]

TAP: vtcore's TapGateway and vnpy_tap 9.4.12's own TapGateway (its pybind11 wrapper built from the sdist,
unmodified; benchmarks/_vnpy_env.py `ensure_vnpy_sdist("tap")`) on the simulator's libTapQuoteAPI.so and
libiTapTradeAPI.so, which vnpy_tap's extensions find through LD_LIBRARY_PATH (ahead of the package's own).

* ticks into a Python handler: a burst of ``--ticks`` quotes of CL2601.NYMEX as fast as the simulator sends
  them; the handler on the engine's tick event reads a field of every tick. vn.py's gateway needs its trade
  side's contracts before it passes a quote on, so both systems connect both sides. Result: ticks per second
  from the first to the last handled tick.
* order round trip: limit buys that rest, one at a time, from send to the first NOTTRADED status in Python.
  vtcore: TapGateway.send_order -> the order event (default and `latency` engine profiles); vn.py gateway:
  vnpy_tap's TapGateway.send_order -> vn.py's order event; vn.py raw: vnpy_tap's TdApi.insertOrder(dict) ->
  its onRtnOrder callback with OrderState '4' (queued) for that ClientOrderNo (no gateway, no engine).

FEMAS: vnpy_femas 1.0.3 builds only on Windows (its meson.build links the sdist's .lib/.dll with MSVC
options), so there is no vn.py FEMAS row; FemasGateway runs beside vtcore's own CtpGateway instead, the same
measurements in the same run on each SDK's simulator front-end (bench_tick_path.py and
bench_order_roundtrip.py workers, rb2601.SHFE).

Each system runs in its own subprocess (``--worker '<json>'``). The numbers depend on the machine's load:
quote them with the load average this prints.
"""

# Imports inside functions on purpose: vn.py modules exist only once a worker has set up its paths.
# vnpy_tap's callbacks keep their C++ names (onRtnOrder, ...).
# ruff: noqa: PLC0415, N802

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _vnpy_env  # noqa: E402
import bench_order_roundtrip  # noqa: E402
import bench_tick_path  # noqa: E402
from _measure import ResultsFile  # noqa: E402
from bench_order_roundtrip import OrderTimer  # noqa: E402
from bench_tick_path import (  # noqa: E402
    WARMUP_TICKS,
    Counter,
    measure,
    percentiles,
    run_script_worker,
    table_worker,
    tick_handler,
)

SYMBOL = "CL2601"  # NYMEX in the TAP simulator, last 68.50, limits +-7%
PRICE = 66.0  # a buy below the market and inside the limits: it rests
WAIT = 30.0
USER, PASSWORD = "bench", "bench"


def sim_config(folder: Path) -> Path:
    """The warm-up ticks at once after the subscription (the measured burst is asked for through the control
    port), a rich account, open at any hour."""
    from vtcore.gateways.tap.sim import write_sim_config

    return write_sim_config(
        folder / "sim.json",
        accounts=[{"user_id": USER, "password": PASSWORD, "balance": 1e9}],
        market_data={"rate": 0, "count": WARMUP_TICKS, "always_open": True},
        control={"port": 0, "port_file": str(folder / "control.port")},
    )


def vtcore_gateway(folder: Path, engine: Any) -> Any:
    from vtcore.gateways.tap import TapGateway
    from vtcore.gateways.tap.sim import simulator_setting

    gateway = TapGateway(engine, "TAP")
    engine.start()
    gateway.connect(simulator_setting(sim_config(folder), USER, PASSWORD))
    ready = lambda: gateway.quote.state == "ready" and gateway.trade.state == "ready"  # noqa: E731
    bench_tick_path.wait_until(ready, 60.0, "TapGateway's fronts")
    return gateway


def vnpy_gateway(folder: Path, event_engine: Any) -> Any:
    from vtcore.gateways.tap.sim import SIM_AUTH_CODE, SIM_PORT

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, folder, "vnpy_tap.gateway.tap_gateway")
    from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]

    event_engine.start()
    gateway = module.TapGateway(event_engine, "TAP")
    address = f"127.0.0.1?config={sim_config(folder)}"
    side = {"账号": USER, "密码": PASSWORD, "服务器": address, "端口": SIM_PORT, "授权码": SIM_AUTH_CODE}
    setting = {f"{role}{key}": value for role in ("行情", "交易") for key, value in side.items()}
    gateway.connect({**setting, "子账号": "", "区域代码": "CN"})
    # vnpy_tap sends orders for the account its funds query named, on contracts its contract query stored
    started = lambda: gateway.td_api.account_no and (SYMBOL, Exchange.NYMEX) in module.contract_infos  # noqa: E731
    bench_tick_path.wait_until(
        lambda: gateway.md_api.connect_status and started(), 60.0, "vnpy_tap's start-up"
    )
    return gateway


# -- TAP ticks -----------------------------------------------------------------------------------------------


def ticks_vtcore(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    from vtcore.constant import Exchange
    from vtcore.event import EVENT_TICK, EventEngine
    from vtcore.object import SubscribeRequest

    counter = Counter()
    engine = EventEngine(interval=1.0)
    engine.register(EVENT_TICK, tick_handler(counter, latency=False))
    gateway = vtcore_gateway(folder, engine)
    request = SubscribeRequest(SYMBOL, Exchange.NYMEX)
    return measure(spec, folder, counter, lambda: gateway.subscribe(request), lambda: engine.dropped_ticks)


def ticks_vnpy(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    counter = Counter()
    _vnpy_env.add_vnpy_paths(_vnpy_env.BaselineEnv(_vnpy_env.cache_root()))
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.event import EVENT_TICK  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    event_engine = EventEngine()
    event_engine.register(EVENT_TICK, tick_handler(counter, latency=False))
    gateway = vnpy_gateway(folder, event_engine)
    request = SubscribeRequest(SYMBOL, Exchange.NYMEX)
    return measure(spec, folder, counter, lambda: gateway.subscribe(request))


# -- TAP orders ----------------------------------------------------------------------------------------------


def orders_vtcore(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    from vtcore.constant import Direction, Exchange, OrderType, Status
    from vtcore.event import EVENT_ORDER, EventEngine
    from vtcore.object import OrderRequest

    timer = OrderTimer(Status.NOTTRADED)
    engine = EventEngine(interval=1.0, profile=spec.get("profile"))  # None: the default (balanced)
    engine.register(EVENT_ORDER, timer.on_order)
    gateway = vtcore_gateway(folder, engine)
    request = OrderRequest(SYMBOL, Exchange.NYMEX, Direction.LONG, OrderType.LIMIT, 1, PRICE)
    return timer.run(spec, lambda: gateway.send_order(request))


def orders_vnpy_gateway(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    _vnpy_env.add_vnpy_paths(_vnpy_env.BaselineEnv(_vnpy_env.cache_root()))
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Status  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.event import EVENT_ORDER  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import OrderRequest  # type: ignore[import-not-found, unused-ignore]

    timer = OrderTimer(Status.NOTTRADED)
    event_engine = EventEngine()
    event_engine.register(EVENT_ORDER, timer.on_order)
    gateway = vnpy_gateway(folder, event_engine)
    request = OrderRequest(SYMBOL, Exchange.NYMEX, Direction.LONG, OrderType.LIMIT, 1, PRICE, Offset.NONE)
    return timer.run(spec, lambda: gateway.send_order(request))


def orders_vnpy_raw(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """vnpy_tap's TdApi driven directly: insertOrder(dict) -> onRtnOrder(dict) with OrderState '4' (queued),
    the request as vnpy_tap's TradeApi.send_order builds it."""
    from vtcore.gateways.tap.sim import SIM_AUTH_CODE, SIM_PORT

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    _vnpy_env.import_vnpy_ctp_gateway(env, folder, "vnpy_tap.gateway.tap_gateway")
    from vnpy_tap.api import TdApi  # type: ignore[import-not-found, unused-ignore]

    ready, done = threading.Event(), threading.Event()
    arrived: dict[str, int] = {}
    session: dict[str, Any] = {"waiting": "", "account": ""}

    class BenchTdApi(TdApi):  # type: ignore[misc]
        def onAPIReady(self, code: int) -> None:
            self.qryAccount({})

        def onRspQryAccount(self, session_id: int, error: int, last: str, data: dict[str, Any]) -> None:
            if data:
                session["account"] = data["AccountNo"]
            if last == "Y":
                ready.set()

        def onRtnOrder(self, data: dict[str, Any]) -> None:
            now = time.perf_counter_ns()
            number = data["ClientOrderNo"]
            if data["OrderState"] == "4" and number not in arrived:
                arrived[number] = now
                if number == session["waiting"]:
                    done.set()

    api = BenchTdApi()
    api.init()
    api.createITapTradeAPI({"AuthCode": SIM_AUTH_CODE, "KeyOperationLogPath": str(folder).encode()}, 0)
    api.setHostAddress(f"127.0.0.1?config={sim_config(folder)}", SIM_PORT)
    api.login({"UserNo": USER, "Password": PASSWORD, "ISModifyPassword": "N"})
    bench_tick_path.wait_until(ready.is_set, 60.0, "vnpy_tap's login and account")
    request = {"AccountNo": session["account"], "ExchangeNo": "NYMEX", "CommodityType": "F",
               "CommodityNo": "CL", "ContractNo": "2601", "OrderType": "2", "OrderSide": "B",
               "OrderPrice": PRICE, "OrderQty": 1}  # fmt: skip
    samples: list[int] = []
    for _ in range(spec.get("warmup", 0) + spec["count"]):
        done.clear()
        sent = time.perf_counter_ns()
        error, _session, number = api.insertOrder(request)
        if error:
            raise RuntimeError(f"insertOrder returned {error}")
        session["waiting"] = number = number.decode()
        if number not in arrived and not done.wait(WAIT):
            raise TimeoutError(f"no queued update for {number}")
        samples.append(arrived[number] - sent)
    samples = samples[spec.get("warmup", 0) :]
    return {"spec": spec, "orders": len(samples), "latency": percentiles(samples)}


# -- vnpy_femas ----------------------------------------------------------------------------------------------
# Its gateway's onRtnOrder/onRtnTrade fail on every report (they read fields its FEMAS 3.02 headers lack, see
# tests/gateways/femas/test_femas_vnpy.py), so its order row is the raw TdApi's only.


def femas_ticks_vnpy(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    from vtcore.gateways._sdk.sim import front_address

    counter = Counter()
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, folder, "vnpy_femas.gateway.femas_gateway")
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.event import EVENT_TICK  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    event_engine = EventEngine()
    event_engine.register(EVENT_TICK, tick_handler(counter, latency=False))
    event_engine.start()
    gateway = module.FemasGateway(event_engine, "FEMAS")
    address = front_address(bench_tick_path.sim_config(folder))
    gateway.connect({"用户名": "bench", "密码": "bench", "经纪商代码": "9999", "交易服务器": address,
                     "行情服务器": address, "产品名称": "", "授权编码": ""})  # fmt: skip
    # vnpy_femas passes a tick on only for a contract its trade side stored
    stored = lambda: gateway.md_api.login_status and "rb2601" in module.symbol_contract_map  # noqa: E731
    bench_tick_path.wait_until(stored, 60.0, "vnpy_femas's login and contracts")
    request = SubscribeRequest("rb2601", Exchange.SHFE)
    return measure(spec, folder, counter, lambda: gateway.subscribe(request))


def femas_orders_vnpy_raw(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """vnpy_femas's TdApi driven directly: reqOrderInsert(dict) -> onRtnOrder(dict) with OrderStatus '3'
    (NoTradeQueueing) for that UserOrderLocalID, the request as vnpy_femas's send_order builds it."""
    from vtcore.gateways._sdk.sim import front_address

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    _vnpy_env.import_vnpy_ctp_gateway(env, folder, "vnpy_femas.gateway.femas_gateway")
    from vnpy_femas.api import TdApi  # type: ignore[import-not-found, unused-ignore]

    ready, done = threading.Event(), threading.Event()
    arrived: dict[str, int] = {}
    session: dict[str, Any] = {"waiting": "", "investor": ""}
    login = {"UserID": "bench", "Password": "bench", "BrokerID": "9999"}

    class BenchTdApi(TdApi):  # type: ignore[misc]
        def onFrontConnected(self) -> None:
            self.reqUserLogin(login, 1)

        def onRspUserLogin(self, data: dict[str, Any], error: dict[str, Any], reqid: int, last: bool) -> None:
            self.reqQryUserInvestor({"BrokerID": "9999", "UserID": "bench"}, 2)

        def onRspQryUserInvestor(self, data: dict[str, Any], error: Any, reqid: int, last: bool) -> None:
            session["investor"] = data["InvestorID"]
            ready.set()

        def onRtnOrder(self, data: dict[str, Any]) -> None:
            now = time.perf_counter_ns()
            local_id = data["UserOrderLocalID"]
            if data["OrderStatus"] == "3" and local_id not in arrived:
                arrived[local_id] = now
                if local_id == session["waiting"]:
                    done.set()

    api = BenchTdApi()
    api.createFtdcTraderApi(str(folder / "td"))
    api.subscribePrivateTopic(0)
    api.subscribePublicTopic(0)
    api.registerFront(front_address(bench_order_roundtrip.sim_config(folder)))
    api.init()
    bench_tick_path.wait_until(ready.is_set, 60.0, "vnpy_femas's login and investor")
    samples: list[int] = []
    for number in range(1, spec.get("warmup", 0) + spec["count"] + 1):
        local_id = str(number).rjust(12, "0")
        request = {"InstrumentID": "rb2601", "ExchangeID": "SHFE", "BrokerID": "9999",
                   "InvestorID": session["investor"], "UserID": "bench", "LimitPrice": 3000.0, "Volume": 1,
                   "OrderPriceType": "2", "Direction": "0", "OffsetFlag": "0", "UserOrderLocalID": local_id,
                   "HedgeFlag": "1", "ForceCloseReason": "0", "IsAutoSuspend": 0, "TimeCondition": "3",
                   "VolumeCondition": "1", "MinVolume": 1}  # fmt: skip
        done.clear()
        session["waiting"] = local_id
        sent = time.perf_counter_ns()
        if api.reqOrderInsert(request, number + 10) != 0:
            raise RuntimeError("reqOrderInsert refused")
        if local_id not in arrived and not done.wait(WAIT):
            raise TimeoutError(f"no queued update for {local_id}")
        samples.append(arrived[local_id] - sent)
    samples = samples[spec.get("warmup", 0) :]
    return {"spec": spec, "orders": len(samples), "latency": percentiles(samples)}


# -- workers and the run -------------------------------------------------------------------------------------

RUNS = {
    ("vnpy-femas-gateway", "ticks"): femas_ticks_vnpy,
    ("vnpy-femas-raw", "orders"): femas_orders_vnpy_raw,
    ("vtcore", "ticks"): ticks_vtcore,
    ("vnpy-gateway", "ticks"): ticks_vnpy,
    ("vtcore", "orders"): orders_vtcore,
    ("vnpy-gateway", "orders"): orders_vnpy_gateway,
    ("vnpy-raw", "orders"): orders_vnpy_raw,
}


def worker(spec: dict[str, Any]) -> None:
    table_worker("vtcore-bench-tap-", RUNS, spec)


def run_worker(spec: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
    from vtcore.gateways._sdk.sim import FRONT_ENDS

    env = dict(os.environ)
    if spec["system"].startswith("vnpy"):
        # the simulator's libraries ahead of the package's own (vnpy_tap bundles Esunny's)
        sdk = "femas" if spec["system"].startswith("vnpy-femas") else "tap"
        env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root()).subprocess_env(FRONT_ENDS[sdk].library_dir())
    return run_script_worker(__file__, spec, env, timeout, what="TAP")


ORDER_SYSTEMS = (("vtcore", None), ("vtcore", "latency"), ("vnpy-gateway", None), ("vnpy-raw", None))


def label(system: str, profile: str | None) -> str:
    return system + (f" ({profile})" if profile else "")


def tick_row(sdk: str, system: str, result: dict[str, Any]) -> dict[str, Any]:
    print(
        f"ticks  {sdk:<5} {system:<18} {result['ticks_per_s']:>10,.0f} ticks/s ({result['received']} ticks)"
    )
    keys = ("ticks_per_s", "received", "dropped", "stop")
    return {"sdk": sdk, "what": "ticks", "system": system, **{key: result[key] for key in keys}}


def order_row(sdk: str, system: str, latency: dict[str, Any]) -> dict[str, Any]:
    print(f"orders {sdk:<5} {system:<18} p50 {latency['p50_us']:>8.1f} us, p99 {latency['p99_us']:>8.1f} us")
    return {"sdk": sdk, "what": "orders", "system": system, **latency}


def tap_rows(ticks: int, orders: int) -> list[dict[str, Any]]:
    rows = []
    tick_spec = {"what": "ticks", "mode": "throughput", "count": ticks, "rate": 0, "max_seconds": 120}
    for system in ("vtcore", "vnpy-gateway"):
        rows.append(tick_row("TAP", system, run_worker({**tick_spec, "busy_seconds": 0, "system": system})))
    for system, profile in ORDER_SYSTEMS:
        spec = {"what": "orders", "count": orders, "warmup": 20, "system": system, "profile": profile}
        rows.append(order_row("TAP", label(system, profile), run_worker(spec)["latency"]))
    return rows


def femas_rows(ticks: int, orders: int) -> list[dict[str, Any]]:
    """FemasGateway and CtpGateway through the CTP benchmarks' own workers, beside vnpy_femas's gateway
    (ticks) and its raw TdApi (orders)."""
    rows = []
    for sdk in ("femas", "ctp"):
        spec = {"system": "vtcore", "sdk": sdk, "handler": "object", "mode": "throughput", "count": ticks}
        rows.append(tick_row(sdk.upper(), "vtcore", bench_tick_path.run_worker(spec, timeout=600.0)))
    tick_spec = {"what": "ticks", "mode": "throughput", "count": ticks, "rate": 0, "max_seconds": 120}
    result = run_worker({**tick_spec, "busy_seconds": 0, "system": "vnpy-femas-gateway"})
    rows.append(tick_row("FEMAS", "vnpy-gateway", result))
    for sdk in ("femas", "ctp"):
        result = bench_order_roundtrip.run_worker(
            {"system": "vtcore", "sdk": sdk, "count": orders, "warmup": 20}
        )
        rows.append(order_row(sdk.upper(), "vtcore", result["latency"]))
    spec = {"what": "orders", "count": orders, "warmup": 20, "system": "vnpy-femas-raw"}
    rows.append(order_row("FEMAS", "vnpy-raw", run_worker(spec)["latency"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticks", type=int, default=50_000, help="ticks in the measured burst")
    parser.add_argument("--orders", type=int, default=300, help="orders in each round-trip run")
    parser.add_argument(
        "--json", type=Path, help="write the results here (benchmarks/results/tap_femas.json)"
    )
    args = parser.parse_args()
    from vtcore.gateways._sdk.sim import FRONT_ENDS

    _vnpy_env.ensure_vnpy_sdist("tap")
    _vnpy_env.ensure_vnpy_femas(FRONT_ENDS["femas"].library_dir())
    results = ResultsFile("bench_tap_femas.py")
    print(f"load average before: {os.getloadavg()}")
    rows = tap_rows(args.ticks, args.orders) + femas_rows(args.ticks, args.orders)
    print(f"load average after: {os.getloadavg()}")
    if args.json:
        tap, femas = _vnpy_env.VNPY_SDIST["tap"], _vnpy_env.VNPY_FEMAS
        baselines = {"tap": f"{_vnpy_env.VNPY} + {tap}", "femas": f"{_vnpy_env.VNPY} + {femas}"}
        figures = {"baselines": baselines, "ticks": args.ticks, "orders": args.orders, "results": rows}
        results.write(args.json, figures)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]))
    else:
        main()
