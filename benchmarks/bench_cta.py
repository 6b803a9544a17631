"""A vn.py CTA strategy's on_tick path: vn.py's own stack beside the same app on vtcore (vnpy_compat).

Both sides run vnpy_ctastrategy 1.4.1's CtaEngine, unmodified, with the same CtaTemplate strategy, fed by
vtcore's CTP simulator (a burst of ticks as fast as it sends them, after a warm-up; the harness and the
measurement are bench_tick_path's):

* ``vnpy``: vn.py's MainEngine and EventEngine, vnpy_ctp 6.7.11.4's CtpGateway (built from its sdist, the
  simulator loaded through LD_LIBRARY_PATH), CtaEngine registered on vn.py's engine;
* ``vtcore``: vtcore's MainEngine and EventEngine, vtcore's CtpGateway, the same CtaEngine added with
  ``main_engine.add_app(CtaStrategyApp)``: each tick reaches it as vn.py's TickData through the adapter.

Handlers: ``count`` (on_tick reads the last price: the path's own cost) and ``bars`` (on_tick feeds vn.py's
BarGenerator, a strategy's usual first line). Prints ticks/s into on_tick per side and the ratio:

    python benchmarks/bench_cta.py [--count 200000] [--runs 3]
"""

# Imports inside functions on purpose: each worker imports only the system it measures, after its paths.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _vnpy_env  # noqa: E402
import bench_tick_path as tick_path  # noqa: E402

SYMBOL, EXCHANGE = tick_path.SYMBOL, tick_path.EXCHANGE
VT_SYMBOL = f"{SYMBOL}.{EXCHANGE}"


def strategy_class(counter: tick_path.Counter, bars: bool) -> type:
    from vnpy_ctastrategy import BarGenerator, CtaTemplate  # type: ignore[import-not-found, unused-ignore]

    perf_counter = time.perf_counter

    class BenchStrategy(CtaTemplate):  # type: ignore[misc]
        author = "vtcore benchmarks"

        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.bg = BarGenerator(self.on_bar)

        def on_init(self) -> None:
            return None

        def on_tick(self, tick: Any) -> None:
            if counter.count == 0:
                counter.first = perf_counter()
            counter.count += 1
            counter.total += tick.last_price
            if bars:
                self.bg.update_tick(tick)
            counter.last = perf_counter()

        def on_bar(self, bar: Any) -> None:
            return None

    return BenchStrategy


def start_strategy(cta_engine: Any, counter: tick_path.Counter, bars: bool, folder: Path) -> None:
    """Add, init and start the strategy. CtaEngine subscribes before it marks the strategy inited, so the
    simulator's first burst may pass unseen: a second warm-up burst is asked for once it is running."""
    from vtcore.gateways.ctp import sim as ctpsim

    cta_engine.init_engine()
    cta_engine.classes["BenchStrategy"] = strategy_class(counter, bars)
    cta_engine.add_strategy("BenchStrategy", "bench", VT_SYMBOL, {})
    cta_engine.init_strategy("bench").result(timeout=60)
    cta_engine.start_strategy("bench")
    with ctpsim.SimControl.from_port_file(folder / "control.port") as control:
        control.command("ticks", count=tick_path.WARMUP_TICKS, rate=0)


def run_vnpy(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    _vnpy_env.add_vnpy_paths(env)
    _vnpy_env.add_vnpy_app_paths(env)
    os.chdir(folder)  # vn.py's MainEngine chdirs into its .vntrader: keep it in the run's folder
    (folder / ".vntrader").mkdir(exist_ok=True)
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.engine import MainEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy_ctastrategy import CtaStrategyApp  # type: ignore[import-not-found, unused-ignore]

    from vtcore.gateways.ctp import sim as ctpsim

    gateway_module = __import__("vnpy_ctp.gateway.ctp_gateway", fromlist=["CtpGateway"])
    counter = tick_path.Counter()
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    gateway = main_engine.add_gateway(gateway_module.CtpGateway)
    tick_path._KEEP_ALIVE.append((main_engine, gateway))
    gateway.on_contract(_vnpy_env.add_shfe_contract(gateway_module, SYMBOL))  # CtaEngine looks it up
    md = gateway.md_api
    md.connect(ctpsim.front_address(tick_path.sim_config(folder)), "bench", "bench", "9999", False)
    tick_path.wait_until(lambda: md.login_status, 60.0, "vnpy_ctp's market-data login")
    tick_path.wait_until(lambda: main_engine.get_contract(VT_SYMBOL), 10.0, "the contract in vn.py's OMS")
    cta_engine = main_engine.add_app(CtaStrategyApp)
    return tick_path.measure(
        spec, folder, counter, lambda: start_strategy(cta_engine, counter, spec["bars"], folder)
    )


def run_vtcore(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    _vnpy_env.add_vnpy_app_paths(env)
    os.environ["HOME"] = str(folder)  # vn.py's apps keep their files in ~/.vntrader: the run's own
    os.environ["VTCORE_HOME"] = str(folder / ".vntrader")
    os.chdir(folder)
    from vnpy_ctastrategy import CtaStrategyApp

    from vtcore.engine import MainEngine
    from vtcore.event import EventEngine
    from vtcore.gateways.ctp import CtpGateway
    from vtcore.gateways.ctp.sim import simulator_setting

    counter = tick_path.Counter()
    main_engine = MainEngine(EventEngine())
    main_engine.add_gateway(CtpGateway)
    main_engine.connect(simulator_setting(tick_path.sim_config(folder), "bench", "bench"), "CTP")
    gateway: Any = main_engine.gateways["CTP"]
    tick_path.wait_until(
        lambda: gateway.td.state == "ready" and gateway.md.state == "ready", 60.0, "both fronts"
    )
    cta_engine = main_engine.add_app(CtaStrategyApp)
    return tick_path.measure(
        spec,
        folder,
        counter,
        lambda: start_strategy(cta_engine, counter, spec["bars"], folder),
        lambda: main_engine.event_engine.dropped_ticks,
    )


def worker(spec: dict[str, Any]) -> None:
    import tempfile
    import traceback

    code = 0
    with tempfile.TemporaryDirectory(prefix="vtcore-bench-cta-") as folder:
        try:
            run = run_vtcore if spec["system"] == "vtcore" else run_vnpy
            sys.stdout.write(json.dumps(run(spec, Path(folder))) + "\n")
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)  # vnpy_ctp's MdApi and vn.py's non-daemon threads never let a clean exit happen


def run_worker(spec: dict[str, Any], timeout: float = 300.0) -> dict[str, Any]:
    from vtcore.gateways.ctp import sim as ctpsim

    spec = {"mode": "throughput", "rate": 0, "max_seconds": 20.0, "busy_seconds": 1.0, **spec}
    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    process_env = env.subprocess_env(ctpsim.library_dir()) if spec["system"] == "vnpy" else dict(os.environ)
    return tick_path.run_script_worker(__file__, spec, process_env, timeout, what="CTA")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="ticks per measured burst")
    parser.add_argument("--runs", type=int, default=3, help="runs per side (the median is reported)")
    args = parser.parse_args()
    _vnpy_env.ensure_env()
    _vnpy_env.ensure_vnpy_apps()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for bars in (False, True):
        rates: dict[str, list[float]] = {"vnpy": [], "vtcore": []}
        for _ in range(args.runs):
            for system in ("vnpy", "vtcore"):
                result = run_worker({"system": system, "count": args.count, "bars": bars})
                rates[system].append(float(result["ticks_per_s"]))
                if result["dropped"]:
                    print(
                        f"  {system}: {result['dropped']} of {args.count} ticks dropped (vtcore's ring is "
                        "bounded; vn.py's queue is not): the rate is that of the ticks handled"
                    )
        vnpy_rate, vtcore_rate = (statistics.median(rates[name]) for name in ("vnpy", "vtcore"))
        handler = "BarGenerator.update_tick" if bars else "count"
        print(
            f"on_tick ({handler}): vn.py (vnpy_ctp + EventEngine + CtaEngine) {vnpy_rate:,.0f} ticks/s "
            f"{[round(r) for r in rates['vnpy']]}; vtcore + vnpy_compat {vtcore_rate:,.0f} ticks/s "
            f"{[round(r) for r in rates['vtcore']]}; ratio {vtcore_rate / vnpy_rate:.1f}x (target >= 5x)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(json.loads(sys.argv[2]))
    else:
        main()
