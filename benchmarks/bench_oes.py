"""OES on the OES simulator library (vtcore/sim_lib/oes/liboes_api.so): three figures, vtcore only.

* report -> OrderData: ORDER_REPORT messages (flags word + OesRptMsgHeadT + OesOrdCnfmT, the bytes the binding
  pushes from the report thread) handed to ``OesGateway.on_td_message`` until an ``eOrder.`` handler on the
  engine has seen every resulting OrderData; reports per second.
* snapshot -> TickData: the simulator streams L2 snapshots (the gateway subscribes L1 and L2; the simulator
  then sends L2, MDS msgId 20) of one stock as fast as it can (market_data.rate 0)
  through MdsApi_WaitOnMsg on the binding's market thread, which converts each into a TickRecord in the ring;
  TickData per second reaching an ``eTick.`` handler.
* order round trip: ``send_order`` of a resting limit buy until the handler sees it NOTTRADED (the counter's
  ORDER_INSERT report), one order at a time; percentiles.

**No vn.py baseline.** vn.py's OES gateway is Windows-only from 2.1 on (its hand-written vnoestd/vnoesmd
wrapper is built for Windows only), and 2.0.9's Linux build links the static 0.15.9 archive, whose struct
layouts differ from 0.17.5.8's: there is no vn.py OES to run beside this here. Beside OES, the same run
measures vtcore's XTP and TORA gateways on the same simulator core with bench_ashare.py's workers (a burst of
ticks into a handler, and the order round trip to the first NOTTRADED): the other A-share counters, as the
figures to compare with. The numbers are on a shared machine: quote them with the load average printed.

    python benchmarks/bench_oes.py [--reports N] [--ticks N] [--orders N] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.event import EVENT_ORDER, EVENT_TICK
from vtcore.gateways._sdk.sim import write_config
from vtcore.gateways.oes import OesGateway
from vtcore.gateways.oes import _oes_types as oes
from vtcore.gateways.oes.sim import simulator_setting, stock_config
from vtcore.object import OrderRequest, SubscribeRequest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_ashare  # noqa: E402
from _measure import ResultsFile  # noqa: E402
from bench_tick_path import percentiles  # noqa: E402


def wait_for(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark did not finish")
        time.sleep(0.001)


def connect(config: dict[str, Any], folder: Path, name: str) -> tuple[Any, Any]:

    main_engine = MainEngine()
    gateway = main_engine.add_gateway(OesGateway)
    main_engine.connect(simulator_setting(write_config(folder / name, config)), "OES")
    wait_for(lambda: main_engine.get_contract("600000.SSE") is not None)
    return main_engine, gateway


def bench_reports(gateway: Any, main_engine: Any, count: int) -> float:
    """Reports per second from the report message to the OrderData handler."""

    seen = [0]
    done = threading.Event()

    def on_order(event: Any) -> None:
        seen[0] += 1
        if seen[0] == count:
            done.set()

    main_engine.event_engine.register(EVENT_ORDER, on_order)
    kind = gateway.binding.KIND_REPORT + oes.OESMSG_RPT_ORDER_REPORT
    payloads = []
    for n in range(count):
        head = oes.OesRptMsgHead(rptSeqNum=n + 1, rptMsgType=oes.OESMSG_RPT_ORDER_REPORT)
        body = oes.OesOrdCnfm(
            clSeqNo=1_000_000 + n,
            mktId=oes.OES_MKT_SH_ASHARE,
            bsType=oes.OES_BS_TYPE_BUY,
            securityId="600000",
            ordQty=100,
            ordPrice=95000,
            ordDate=20261207,
            ordTime=93000000,
            ordCnfmTime=93000001,
            ordStatus=oes.OES_ORD_STATUS_DECLARED,
        )
        payloads.append(struct.pack("<I", 3) + bytes(head) + bytes(body))
    started = time.perf_counter()
    for payload in payloads:
        gateway.on_td_message(kind, 0, True, payload)
    done.wait(120)
    elapsed = time.perf_counter() - started
    main_engine.event_engine.unregister(EVENT_ORDER, on_order)
    return count / elapsed


def bench_ticks(folder: Path, count: int) -> float:
    """TickData per second from the simulator's snapshots (as fast as it makes them) to the handler."""

    config = stock_config()
    config["market_data"] = {"rate": 0, "count": count + 10, "always_open": True}
    main_engine, _ = connect(config, folder, "ticks.json")  # another file: another simulated exchange
    seen = [0, 0.0]

    def on_tick(event: Any) -> None:
        seen[0] += 1
        if seen[0] == 1:
            seen[1] = time.perf_counter()

    main_engine.event_engine.register(EVENT_TICK + "600000.SSE", on_tick)
    main_engine.subscribe(SubscribeRequest("600000", Exchange.SSE), "OES")
    wait_for(lambda: seen[0] >= count, timeout=120)
    rate = (seen[0] - 1) / (time.perf_counter() - seen[1])
    main_engine.close()
    return rate


def bench_orders(gateway: Any, main_engine: Any, count: int) -> list[float]:
    """Microseconds from send_order to the NOTTRADED handler, one order at a time."""

    resting: set[str] = set()  # the answer may come before send_order returns the id
    lock = threading.Condition()

    def on_order(event: Any) -> None:
        order = event.data
        if order.status == Status.NOTTRADED:
            with lock:
                resting.add(order.vt_orderid)
                lock.notify_all()

    main_engine.event_engine.register(EVENT_ORDER, on_order)
    request = OrderRequest("601318", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100, 49.0, Offset.NONE)
    times = []
    for _ in range(count):
        started = time.perf_counter_ns()
        vt_orderid = main_engine.send_order(request, "OES")
        with lock:
            if not lock.wait_for(lambda id_=vt_orderid: id_ in resting, timeout=10):
                raise TimeoutError("no NOTTRADED")
        times.append((time.perf_counter_ns() - started) / 1000)
    return times


def beside(sdk: str, ticks: int, orders: int) -> dict[str, Any]:
    """vtcore's figures for another A-share SDK on the same simulator core (bench_ashare.py's workers)."""
    tick = bench_ashare.run_worker(
        {
            "sdk": sdk,
            "what": "ticks",
            "mode": "throughput",
            "count": ticks,
            "rate": 0,
            "max_seconds": 120,
            "busy_seconds": 0,
            "system": "vtcore",
        }
    )
    order = bench_ashare.run_worker(
        {"sdk": sdk, "what": "orders", "count": orders, "system": "vtcore", "profile": None, "warmup": 10}
    )
    return {"sdk": sdk.upper(), "ticks_per_s": tick["ticks_per_s"], **percentiles(order["samples_ns"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--ticks", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument(
        "--json", type=Path, default=None, help="write the figures here (benchmarks/report.py)"
    )
    args = parser.parse_args()
    results_file = ResultsFile("bench_oes.py")

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ.setdefault("VTCORE_HOME", str(folder / "home"))
        config = stock_config()
        config["accounts"][0]["balance"] = 1e12  # room for every resting buy
        config["market_data"] = {"rate": 20, "walk": False, "always_open": True}
        main_engine, gateway = connect(config, folder, "orders.json")
        reports = bench_reports(gateway, main_engine, args.reports)
        orders = bench_orders(gateway, main_engine, args.orders)
        main_engine.close()
        ticks = bench_ticks(folder, args.ticks)
    latency = percentiles([int(value * 1000) for value in orders])
    print(f"load average: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    print("OES on the simulator library (no vn.py OES runs on Linux at 0.17.5.8; see the docstring)")
    print(f"  report -> OrderData:   {reports:12,.0f} /s  ({args.reports} reports)")
    print(f"  snapshot -> TickData:  {ticks:12,.0f} /s  ({args.ticks} snapshots)")
    print(f"  order round trip:      p50 {latency['p50_us']:8.1f} us   p99 {latency['p99_us']:8.1f} us")
    others = [beside(sdk, args.ticks, args.orders) for sdk in ("xtp", "tora")]
    for other in others:
        print(
            f"vtcore {other['sdk']:<4} on the same simulator core: ticks {other['ticks_per_s']:12,.0f} /s, "
            f"order round trip p50 {other['p50_us']:8.1f} us   p99 {other['p99_us']:8.1f} us"
        )
    print(f"load average: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    if args.json is not None:
        oes_row = {"sdk": "OES", "ticks_per_s": ticks, "reports_per_s": reports, **latency}
        results_file.write(
            args.json, {"orders": args.orders, "ticks": args.ticks, "rows": [oes_row, *others]}
        )


if __name__ == "__main__":
    main()
