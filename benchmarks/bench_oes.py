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

**No baseline.** vn.py's OES gateway is Windows-only from 2.1 on (its hand-written vnoestd/vnoesmd wrapper is
built for Windows only), and 2.0.9's Linux build links the static 0.15.9 archive, whose struct layouts differ
from 0.17.5.8's: there is no vn.py OES to run beside this here. vtcore's XTP and TORA figures on the same
simulator core come from `bench_ashare.py`. The numbers are vtcore's own, on a shared
machine: quote them with the load average printed.

    python benchmarks/bench_oes.py [--reports N] [--ticks N] [--orders N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--ticks", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()

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
    ordered = sorted(orders)
    print(f"load average: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    print(
        "OES on the simulator library (vtcore only: no vn.py OES runs on Linux at 0.17.5.8; "
        "see the docstring)"
    )
    print(f"  report -> OrderData:   {reports:12,.0f} /s  ({args.reports} reports)")
    print(f"  snapshot -> TickData:  {ticks:12,.0f} /s  ({args.ticks} snapshots)")
    print(
        f"  order round trip:      p50 {statistics.median(orders):8.1f} us   p99 "
        f"{ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]:8.1f} us  ({args.orders} orders)"
    )


if __name__ == "__main__":
    main()
