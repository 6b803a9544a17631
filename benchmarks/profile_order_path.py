"""Where an order's round trip goes: timestamps along vtcore's order path, per stage, on the simulator.

    python benchmarks/profile_order_path.py [--sdk ctp|mini|xtp|tora]... [--orders N] [--rounds N] [--json F]

Each SDK runs in its own process: its gateway (CtpGateway, MiniGateway, XtpGateway, ToraGateway) on its
simulator front-end, limit buys that rest sent one at a time from the main thread, as `run.py --only orders`
and `bench_ashare.py` send them. Thin wrappers put on the gateway's instance (never its class) take
`time.time_ns()` (CLOCK_REALTIME, the clock of the engine's C++ timestamps) at

  sent       send_order called
  request    the binding's request call made (validation, order id, request struct and SUBMITTING are done)
  returned   the binding's request call returned (the SDK took the request)
  back       send_order returned
  woken      the engine's wait saw the report in its ring (EventHub.last_woken_ns; spinning, or after a park)
  resumed    the engine thread held the GIL again after that wait (EventHub.last_resumed_ns)
  decode     the report's message reached the front (decoder.decode: the engine thread holds the GIL)
  pushed     the OrderTracker pushed the NOTTRADED OrderData (gateway.on_order)
  handled    the "eOrder." handler saw it

and prints the median and p90 of each stage (the gap between two stamps), per SDK, over `--rounds` rounds
that alternate the SDKs (a fresh process each). The wrappers cost about 0.3 us each. Stages overlap threads:
"returned -> decode" is the exchange's answer plus the hop to the engine thread (SDK thread -> producer ring
-> engine wake-up -> GIL), while the sender still runs the rest of send_order; "woken -> decode" is the part
of it after the engine's wait saw the report (taking the GIL, the drain, the dispatch to the front). Parks
(the engine's waits that ended in a thread wake-up) come from its wait_stats().

Once per SDK, in a process of its own, it also counts the calls an order costs on each thread (a
`sys.setprofile` hook, Python functions and C functions apart; `count_calls`): on one CPU an order's round
trip is the sum of its threads' work, and the gateway's share of it grows with its number of calls.
"""

# Imports inside functions on purpose: each worker imports only the gateway it measures.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
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

from _measure import ResultsFile  # noqa: E402
from bench_tick_path import run_json_subprocess, wait_until  # noqa: E402

STAGES = ("sent", "request", "returned", "back", "woken", "resumed", "decode", "pushed", "handled")
GAPS = (
    ("sent", "request", "send_order before the binding call"),
    ("request", "returned", "binding call (the SDK takes the request)"),
    ("returned", "back", "send_order after the binding call"),
    ("returned", "decode", "exchange answer + hop to the engine thread"),
    ("woken", "decode", "  of which: engine woken -> message in Python"),
    ("woken", "resumed", "    of that: engine woken -> GIL taken"),
    ("decode", "pushed", "report: decode, OrderData, OrderTracker"),
    ("pushed", "handled", "engine: event queue -> handler"),
    ("sent", "handled", "round trip"),
)


def run_sdk(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    import importlib

    from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
    from vtcore.event import EVENT_ORDER, EventEngine
    from vtcore.object import OrderRequest

    sdk = spec["sdk"]
    engine = EventEngine(interval=1.0, profile=spec.get("profile"))
    if sdk in ("ctp", "mini"):
        import bench_order_roundtrip as bench
        from vtcore.gateways._sdk.sim import FRONT_ENDS

        info = bench.SDKS[sdk]
        gateway = getattr(importlib.import_module(info["module"]), info["gateway"])(engine, info["name"])
        engine.start()
        gateway.connect(FRONT_ENDS[sdk].setting(bench.sim_config(folder), "bench", "bench"))
        wait_until(lambda: gateway.td.state == "ready", 60.0, "the trader front")
        request = OrderRequest(bench.SYMBOL, Exchange.SHFE, Direction.LONG, OrderType.LIMIT, 1, bench.PRICE,
                               Offset.OPEN)  # fmt: skip
    else:
        import bench_ashare as bench

        gateway = bench.vtcore_gateway(spec, folder, engine)
        security = bench.SDKS[sdk]
        request = OrderRequest(security["symbol"], Exchange.SSE, Direction.LONG, OrderType.LIMIT,
                               security["volume"], security["price"], Offset[security["offset"]])  # fmt: skip

    if spec.get("pieces"):  # a process of its own: a fresh heap, the engine stopped, no wrappers
        engine.stop()
        pieces = thost_pieces(gateway, request)
        gateway.close()
        return {"spec": spec, "pieces": pieces}
    if spec.get("calls"):  # a process of its own: the profiler hook slows every call it counts
        calls = count_calls(engine, gateway, request, spec["calls"])
        gateway.close()
        engine.stop()
        return {"spec": spec, "calls": calls}
    stamps: dict[str, int] = {}
    now = time.time_ns  # CLOCK_REALTIME: the clock of EventHub.last_woken_ns
    done = threading.Event()
    waiting: list[str] = [""]

    # the binding call: a proxy for the API object (a C++ object takes no attributes)
    td = gateway.td
    api = td.api
    call = {"ctp": "request", "mini": "request", "xtp": "insert_order", "tora": "request"}[sdk]
    real_call = getattr(api, call)

    class Api:
        def __getattr__(self, name: str) -> Any:
            return getattr(api, name)

    def timed_call(*args: Any) -> Any:
        stamps["request"] = now()
        result = real_call(*args)
        stamps["returned"] = now()
        return result

    proxy = Api()
    setattr(proxy, call, timed_call)
    td.api = proxy

    decoder = td.decoder if hasattr(td, "decoder") else gateway.decoder
    real_decode = decoder.decode

    def timed_decode(*args: Any) -> Any:
        if "pushed" not in stamps:  # the last message before the push is the report that made it
            stamps["decode"] = now()
        return real_decode(*args)

    decoder.decode = timed_decode
    real_on_order = gateway.on_order

    def timed_on_order(order: Any) -> None:
        if order.status == Status.NOTTRADED and "pushed" not in stamps:
            stamps["pushed"] = now()
            stamps["woken"] = engine.hub.last_woken_ns
            stamps["resumed"] = engine.hub.last_resumed_ns
        real_on_order(order)

    gateway.on_order = timed_on_order

    def on_order(event: Any) -> None:
        order = event.data
        if order.status == Status.NOTTRADED and order.vt_orderid == waiting[0] and "handled" not in stamps:
            stamps["handled"] = now()
            done.set()

    engine.register(EVENT_ORDER, on_order)
    rows: list[dict[str, int]] = []
    waits_before = engine.wait_stats()
    for n in range(spec.get("warmup", 20) + spec["count"]):
        stamps.clear()
        done.clear()
        stamps["sent"] = now()
        vt_orderid = gateway.send_order(request)
        stamps["back"] = now()
        waiting[0] = vt_orderid
        if "handled" not in stamps:
            done.wait(30.0)  # a handled stamp for another order id cannot come: the ids are unique
            if not done.is_set():
                raise TimeoutError(f"no NOTTRADED for {vt_orderid}")
        if n >= spec.get("warmup", 20):
            rows.append(dict(stamps))
    waits = engine.wait_stats()
    td.api = api
    gateway.close()
    engine.stop()
    return {"spec": spec, "rows": rows,
            "waits": {key: waits[key] - waits_before.get(key, 0) for key in waits}}  # fmt: skip


def thost_pieces(gateway: Any, request: Any, count: int = 2000) -> dict[str, float]:
    """The Python pieces of a Thost gateway's order path, each timed alone on this (main) thread, the engine
    stopped, the garbage collector off: the best of 3 runs of `count` calls, in us of this thread's CPU time
    per call (time.thread_time_ns: on a loaded machine a run of milliseconds is preempted, which wall time
    would count). The report pieces are fed the simulator's own report shape (an OnRtnOrder "queued" of an
    order pushed SUBMITTING just before, not timed)."""
    import gc
    import struct

    from vtcore.object import check_request

    types, td = gateway.types, gateway.td
    kind = next(k for k, (name, _data, _error) in types.CALLBACKS.items() if name == "OnRtnOrder")
    flags = struct.pack("<I", 1)  # the data struct is present

    def report(ref: int) -> bytes:
        order = types.Order.unchecked(
            FrontID=td.front_id, SessionID=td.session_id, OrderRef=str(ref), OrderStatus="3",
            OrderSubmitStatus="3", InstrumentID=request.symbol, ExchangeID=request.exchange.value,
            LimitPrice=request.price, VolumeTotalOriginal=1, InsertDate="20261207", InsertTime="09:00:00",
            OrderSysID=f"{ref:>12}", Direction="0", CombOffsetFlag="0", OrderPriceType="2", TimeCondition="3",
            VolumeCondition="1",
        )  # fmt: skip
        return flags + bytes(order)

    refs = iter(range(10**6, 10**7))

    def submitted() -> bytes:
        ref = next(refs)
        gateway.orders.order(request.create_order_data(f"{td.front_id}_{td.session_id}_{ref}", "x"))
        return report(ref)

    def shape_and_fields(n: int) -> None:
        order = gateway._order_shape(request)
        order.OrderRef, order.LimitPrice, order.VolumeTotalOriginal = str(n), float(request.price), 1

    def tracker(n: int) -> None:
        with gateway.quiet_puts:
            gateway.orders.order(request.create_order_data(f"t{n}", gateway.gateway_name))

    payload = report(1)

    def checks(n: int) -> None:
        gateway._order_problem(request)

    def decode(n: int) -> None:
        td.decoder.decode(kind, 0, False, payload)

    out: dict[str, float] = {}
    for name, make, call in (
        ("send: check_request (the request's fields)", None, lambda n: check_request(request)),
        ("send: checks of the order (symbol, volume, price, type)", None, checks),
        ("send: request struct (prepared shape copied, 3 fields set)", None, shape_and_fields),
        ("send: OrderData SUBMITTING + OrderTracker + its event queued", None, tracker),
        ("report: decode (typed view of the message)", None, decode),
        ("report: whole OnRtnOrder -> NOTTRADED pushed (its event queued)", submitted, None),
    ):  # fmt: skip
        best = float("inf")
        gc.collect()
        gc.disable()  # as the micro-benchmarks run: the pieces' own cost, not a collection of the whole heap
        for _ in range(3):
            if make is not None:  # a report per call, of an order pushed SUBMITTING first (not timed)
                payloads = [make() for _ in range(count)]
                started = time.thread_time_ns()
                with gateway.quiet_puts:
                    for one in payloads:
                        td.on_message(kind, 0, False, one)
            else:
                started = time.thread_time_ns()
                for n in range(count):
                    call(n)
            best = min(best, (time.thread_time_ns() - started) / count / 1e3)
        gc.enable()
        out[name] = best
    return out


def count_calls(engine: Any, gateway: Any, request: Any, count: int) -> dict[str, float]:
    """Calls per order on the sending thread and on the engine thread, Python functions and C functions
    (builtins, the bindings' methods) apart, counted by a `sys.setprofile` hook on each while `count` orders
    go out one at a time. The loop's own calls are in: the sender's threading.Event clear/wait, the
    handler and its Event.set on the engine thread (about 10 in all)."""
    from vtcore.constant import Status
    from vtcore.event import EVENT_ORDER, Event

    tallies = {"sender": [0, 0], "engine": [0, 0]}

    def counter(tally: list[int]) -> Any:
        def profile(frame: Any, event: str, arg: Any) -> None:
            if event == "call":
                tally[0] += 1
            elif event == "c_call":
                tally[1] += 1

        return profile

    switched = threading.Event()
    done = threading.Event()
    waiting = [""]

    def on_order(event: Any) -> None:
        if event.data.status == Status.NOTTRADED and event.data.vt_orderid == waiting[0]:
            done.set()

    engine_hook: list[Any] = [None]

    def set_engine_hook(_event: Any) -> None:  # sys.setprofile hooks the calling thread: run by the engine
        sys.setprofile(engine_hook[0])
        switched.set()

    def switch(hook: Any) -> None:
        engine_hook[0] = hook
        switched.clear()
        engine.put(Event("profile_order_path.switch"))
        switched.wait(10.0)

    engine.register("profile_order_path.switch", set_engine_hook)
    engine.register(EVENT_ORDER, on_order)
    for _ in range(20):  # warm-up, not counted
        done.clear()
        waiting[0] = gateway.send_order(request)
        done.wait(30.0)
    switch(counter(tallies["engine"]))
    sys.setprofile(counter(tallies["sender"]))
    for _ in range(count):
        done.clear()
        waiting[0] = gateway.send_order(request)
        done.wait(30.0)
    sys.setprofile(None)
    switch(None)
    return {f"{thread}_{kind}": tally[index] / count
            for thread, tally in tallies.items() for index, kind in enumerate(("python", "c"))}  # fmt: skip


def summarize(rows: list[dict[str, int]]) -> list[tuple[str, float, float, int]]:
    """Per gap: (label, p50 us, p90 us, samples)."""
    out = []
    for start, end, label in GAPS:
        values = sorted(
            row[end] - row[start]
            for row in rows
            if row.get(start)
            and row.get(end)
            and (start != "woken" or row[start] <= row[end])
            and (end != "resumed" or row["resumed"] <= row["decode"])
        )
        if not values:
            out.append((label, float("nan"), float("nan"), 0))
            continue
        out.append((label, values[len(values) // 2] / 1e3, values[int(len(values) * 0.9)] / 1e3, len(values)))
    return out


def worker(spec: dict[str, Any]) -> None:
    code = 0
    with tempfile.TemporaryDirectory(prefix="vtcore-profile-order-") as folder:
        os.environ["VTCORE_HOME"] = str(Path(folder) / ".vntrader")  # never the user's .vntrader
        try:
            sys.stdout.write(json.dumps(run_sdk(spec, Path(folder))) + "\n")
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdk", action="append", choices=["ctp", "mini", "xtp", "tora"])
    parser.add_argument("--orders", type=int, default=600, help="orders per SDK, over all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="a fresh process per SDK and round")
    parser.add_argument("--profile", default=None, help="engine profile (default: balanced)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here (report.py)")
    args = parser.parse_args()
    results_file = ResultsFile("profile_order_path.py")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    sdks = args.sdk or ["ctp", "mini", "xtp", "tora"]
    rows: dict[str, list[dict[str, int]]] = {sdk: [] for sdk in sdks}
    parks: dict[str, int] = dict.fromkeys(sdks, 0)
    pieces: dict[str, dict[str, float]] = {sdk: {} for sdk in sdks}
    calls: dict[str, dict[str, float]] = {}
    for _ in range(args.rounds):  # rounds alternate the SDKs: the load drifting meanwhile falls on all
        for sdk in sdks:
            spec = {"sdk": sdk, "count": args.orders // args.rounds, "profile": args.profile}
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
            result = run_json_subprocess(command, dict(os.environ), 600.0, what=f"profile worker {spec}")
            rows[sdk] += result["rows"]
            parks[sdk] += result["waits"]["parks"]
            if sdk not in calls:  # the calls per order, once per SDK, in a process of its own
                calls_spec = {**spec, "calls": 300}
                result = run_json_subprocess([*command[:-1], json.dumps(calls_spec)], dict(os.environ), 600.0,
                                             what=f"profile worker {calls_spec}")  # fmt: skip
                calls[sdk] = result["calls"]
            if sdk in ("ctp", "mini"):  # the Python pieces alone, in a process of their own
                spec["pieces"] = True
                result = run_json_subprocess([*command[:-1], json.dumps(spec)], dict(os.environ), 600.0,
                                             what=f"profile worker {spec}")  # fmt: skip
                for piece, cost in result["pieces"].items():  # the best of all rounds
                    pieces[sdk][piece] = min(cost, pieces[sdk].get(piece, cost))
    figures = []
    for sdk in sdks:
        stages = summarize(rows[sdk])
        print(f"\n{sdk.upper()}: {len(rows[sdk])} orders; the engine parked {parks[sdk]} times")
        print(f"  {'stage':<48} {'p50 us':>8} {'p90 us':>8}")
        for label, p50, p90, _count in stages:
            print(f"  {label:<48} {p50:>8.1f} {p90:>8.1f}")
        for piece, cost in pieces[sdk].items():
            print(f"  {piece:<64} {cost:>6.2f} us (alone, best of 3)")
        print("  calls per order: " + ", ".join(f"{key} {value:.1f}" for key, value in calls[sdk].items()))
        figures.append({"sdk": sdk.upper(), "orders": len(rows[sdk]), "parks": parks[sdk],
                        "pieces": pieces[sdk], "calls": calls[sdk],
                        "stages": [{"stage": label, "p50_us": p50, "p90_us": p90}
                                   for label, p50, p90, _count in stages]})  # fmt: skip
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.json is not None:
        results_file.write(args.json, {"sdks": figures, "profile": args.profile or "balanced"})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]))
    else:
        main()
