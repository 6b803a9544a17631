"""RPC fan-out and request latency: vtcore's RpcService/RpcGateway beside vn.py's RpcServer/RpcClient, same
run.

    python benchmarks/bench_rpc.py [--ticks 100000] [--clients 1 4] [--calls 2000]

Needs vn.py's own code in the same environment: `pip install --no-deps vnpy==4.5.0 vnpy_rpcservice` (plus
pyzmq, a vtcore dependency). vn.py's app and gateway modules import its whole trader stack (loguru, tzlocal,
talib, ...), so its side uses `vnpy.rpc.RpcServer` / `RpcClient` directly and does what its RpcEngine and
RpcGateway do per tick: the server publishes the pickled `Event`s with topic "" (RpcEngine.process_event
publishes every event but the timer, so both events that `on_tick` puts go out), and the client rewrites
`gateway_name` and puts each Event into a vn.py EventEngine (RpcGateway.client_callback). vn.py's server-side
EventEngine hop is left out, which favours vn.py.

Fan-out: a server process publishes N ticks as fast as it can; each of K client processes counts the ticks
that reach a handler registered on "eTick." in its own event engine. Rate per client = ticks received / (time
of the last - time of the first); ticks never received are reported as lost. vtcore runs with CURVE on (its
default) and feeds ticks two ways: from a C++ producer ring (the CTP path; the service sends each drained run
as one message of fixed-layout records) and from Python `on_tick` (the ticks one engine pass dispatched go
out as one TickBatch message).

Latency: one client calls get_contract(vt_symbol) on the server M times (vtcore: the RpcService handler
reading the OMS; vn.py: a registered function reading a dict). Bounded: every wait has a timeout; loopback
only.
"""

# Each process imports only its own side (vtcore or vn.py) inside its entry function: importing vn.py's RPC
# module changes process-wide state (SIGINT handling), so neither side may load the other's code.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing
import os
import platform
import queue
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

SPAWN = multiprocessing.get_context("spawn")
WAIT = 120.0
STALL = 3.0  # a client stops counting after this long without a tick once ticks flowed
SYMBOL = "rb2605"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- vtcore --------------------------------------------------------------------------------------------------


def vtcore_server(home: str, commands: Any, replies: Any, *addresses: str) -> None:
    os.environ["VTCORE_HOME"] = home
    from vtcore import _core
    from vtcore.constant import Exchange, Product
    from vtcore.engine import MainEngine
    from vtcore.gateway import BaseGateway
    from vtcore.object import ContractData, TickData
    from vtcore.rpc import RpcServiceApp

    class BenchGateway(BaseGateway):
        default_name = "BENCH"
        exchanges: ClassVar[list[Exchange]] = [Exchange.SHFE]

        def connect(self, setting: dict[str, Any]) -> None:
            self.on_contract(
                ContractData(
                    gateway_name=self.gateway_name,
                    symbol=SYMBOL,
                    exchange=Exchange.SHFE,
                    name=SYMBOL,
                    product=Product.FUTURES,
                    size=10,
                    pricetick=1,
                )
            )

        def close(self) -> None: ...
        def subscribe(self, req: Any) -> None: ...
        def send_order(self, req: Any) -> str:
            return ""

        def cancel_order(self, req: Any) -> None: ...
        def query_account(self) -> None: ...
        def query_position(self) -> None: ...

    main_engine = MainEngine()
    gateway = main_engine.add_gateway(BenchGateway)
    main_engine.connect({}, "BENCH")
    rpc: Any = main_engine.add_app(RpcServiceApp)
    rpc.start(*addresses)
    producer = gateway.create_producer("bench-md")
    replies.put(rpc.status.server_public_key)
    now = dt.datetime.now(dt.timezone.utc)
    while True:
        command, count = commands.get()
        if command == "stop":
            break
        start = time.perf_counter()
        if command == "ring":
            feed = _core.TestProducer(producer, [SYMBOL], "SHFE")
            feed.start(count, 0.0)
            feed.join(WAIT)
            sent = int(feed.pushed)
        elif command == "python":
            for index in range(1, count + 1):
                gateway.on_tick(
                    TickData("BENCH", SYMBOL, Exchange.SHFE, now, volume=float(index), last_price=4000.0)
                )
            sent = count
        else:  # one warm-up tick (volume -1), which clients do not count
            gateway.on_tick(TickData("BENCH", SYMBOL, Exchange.SHFE, now, volume=-1.0))
            sent = 0
        replies.put((sent, time.perf_counter() - start))
    main_engine.close()
    replies.put("stopped")


def vtcore_client(home: str, commands: Any, replies: Any, *config: str) -> None:
    rep, pub, key = config
    os.environ["VTCORE_HOME"] = home
    from vtcore.engine import MainEngine
    from vtcore.event import EVENT_TICK
    from vtcore.gateways.rpc import RpcGateway
    from vtcore.rpc import schema

    main_engine = MainEngine()
    gateway = main_engine.add_gateway(RpcGateway)
    counter = _Counter()
    main_engine.event_engine.register(EVENT_TICK, lambda event: counter.count(event.data.volume))
    # Same user, same host: an empty server_public_key reads the server's key and allow-lists this client.
    main_engine.connect(
        {
            "req_address": rep,
            "sub_address": pub,
            "server_public_key": "",
            "client_key_file": "",
            "curve": bool(key),
        },
        "RPC",
    )
    if not gateway.wait_synced(WAIT):
        raise SystemExit("vtcore client never synced")

    def call() -> None:
        assert gateway.client is not None
        gateway.client.call(schema.GetContract, schema.ContractMsg, 30.0, vt_id=f"{SYMBOL}.SHFE")

    _client_loop(commands, replies, counter, call)
    main_engine.close()


# -- vn.py ---------------------------------------------------------------------------------------------------


def vnpy_server(home: str, commands: Any, replies: Any, *addresses: str) -> None:
    from vnpy.event import Event
    from vnpy.rpc import RpcServer
    from vnpy.trader.constant import Exchange, Product
    from vnpy.trader.object import ContractData, TickData

    contracts = {
        f"{SYMBOL}.SHFE": ContractData(
            gateway_name="BENCH",
            symbol=SYMBOL,
            exchange=Exchange.SHFE,
            name=SYMBOL,
            product=Product.FUTURES,
            size=10,
            pricetick=1,
        )
    }
    server = RpcServer()

    def get_contract(vt_symbol: str) -> Any:
        return contracts.get(vt_symbol)

    server.register(get_contract)
    server.start(*addresses)
    replies.put("")
    now = dt.datetime.now(dt.timezone.utc)
    while True:
        command, count = commands.get()
        if command == "stop":
            break
        start = time.perf_counter()
        if command == "python":
            for index in range(1, count + 1):
                tick = TickData(
                    gateway_name="BENCH",
                    symbol=SYMBOL,
                    exchange=Exchange.SHFE,
                    datetime=now,
                    volume=float(index),
                    last_price=4000.0,
                )
                # BaseGateway.on_tick puts two events and RpcEngine.process_event publishes every event
                # but the timer: both go out, as they do in vn.py.
                server.publish("", Event("eTick.", tick))
                server.publish("", Event("eTick." + tick.vt_symbol, tick))
            sent = count
        else:
            server.publish(
                "",
                Event(
                    "eTick.",
                    TickData(
                        gateway_name="BENCH", symbol=SYMBOL, exchange=Exchange.SHFE, datetime=now, volume=-1.0
                    ),
                ),
            )
            sent = 0
        replies.put((sent, time.perf_counter() - start))
    server.stop()
    server.join()
    replies.put("stopped")


def vnpy_client(home: str, commands: Any, replies: Any, *config: str) -> None:
    rep, pub, _ = config
    from vnpy.event import EventEngine
    from vnpy.rpc import RpcClient

    event_engine = EventEngine()
    counter = _Counter()
    event_engine.register("eTick.", lambda event: counter.count(event.data.volume))
    event_engine.start()

    class Client(RpcClient):
        def callback(self, topic: str, event: Any) -> None:  # RpcGateway.client_callback, for a tick
            data = event.data
            if hasattr(data, "gateway_name"):
                data.gateway_name = "RPC"
            event_engine.put(event)

    client = Client()
    client.subscribe_topic("")
    client.start(rep, pub)

    def call() -> None:
        client.get_contract(f"{SYMBOL}.SHFE")

    _client_loop(commands, replies, counter, call)
    client.stop()
    client.join()
    event_engine.stop()


# -- shared client side --------------------------------------------------------------------------------------


class _Counter:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.received = 0
        self.warm = False
        self.first = 0.0
        self.last = 0.0
        self.max_volume = 0.0

    def count(self, volume: float) -> None:
        now = time.perf_counter()
        if volume < 0:
            self.warm = True
            return
        if not self.received:
            self.first = now
        self.received += 1
        self.last = now
        self.max_volume = max(self.max_volume, volume)


def _client_loop(commands: Any, replies: Any, counter: _Counter, call: Any) -> None:
    replies.put("ready")
    while True:
        command, argument = commands.get()
        if command == "stop":
            replies.put("stopped")
            return
        if command == "reset":
            counter.reset()
            replies.put("ok")
        elif command == "warm":
            replies.put(counter.warm)
        elif command == "collect":  # wait for `argument` ticks, or a stall once ticks flowed
            deadline = time.monotonic() + WAIT
            while counter.received < argument and time.monotonic() < deadline:
                if counter.received and time.perf_counter() - counter.last > STALL:
                    break
                time.sleep(0.01)
            replies.put((counter.received, counter.last - counter.first))
        elif command == "latency":
            for _ in range(50):
                call()
            samples = []
            for _ in range(argument):
                start = time.perf_counter_ns()
                call()
                samples.append(time.perf_counter_ns() - start)
            replies.put(samples)


# -- driver --------------------------------------------------------------------------------------------------


class Child:
    def __init__(self, target: Any, *args: Any) -> None:
        self.commands: Any = SPAWN.Queue()
        self.replies: Any = SPAWN.Queue()
        self.process = SPAWN.Process(
            target=target, args=(*args[:1], self.commands, self.replies, *args[1:]), daemon=True
        )
        self.process.start()

    def ask(self, command: str, argument: Any = None, timeout: float = WAIT) -> Any:
        self.commands.put((command, argument))
        return self.get(timeout)

    def get(self, timeout: float = WAIT) -> Any:
        try:
            return self.replies.get(timeout=timeout)
        except queue.Empty:
            raise SystemExit(f"process {self.process.pid} did not answer in {timeout:g} s") from None

    def stop(self) -> None:
        if self.process.is_alive():
            self.commands.put(("stop", None))
            with contextlib.suppress(SystemExit):
                self.get(20)
        self.process.join(20)
        if self.process.is_alive():
            self.process.kill()


SIDES = {"vtcore": (vtcore_server, vtcore_client), "vnpy": (vnpy_server, vnpy_client)}


def run_fanout(side: str, feed: str, clients: int, ticks: int, home: str) -> dict[str, Any]:
    server_main, client_main = SIDES[side]
    rep, pub = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    server = Child(server_main, home, rep, pub)
    key = server.get()
    children = [Child(client_main, home, rep, pub, key) for _ in range(clients)]
    try:
        for child in children:
            if child.get() != "ready":
                raise SystemExit("client failed to start")
        # Warm up: every client must have received a tick before the measured run (no slow joiners).
        deadline = time.monotonic() + WAIT
        while not all(child.ask("warm") for child in children):
            server.ask("warm", 0)
            if time.monotonic() > deadline:
                raise SystemExit("clients never received the warm-up tick")
        for child in children:
            child.ask("reset")
        for child in children:
            child.commands.put(("collect", ticks))
        sent, publish_seconds = server.ask(feed, ticks)
        results = [child.get() for child in children]
    finally:
        for child in children:
            child.stop()
        server.stop()
    rates = [received / seconds if seconds > 0 else 0.0 for received, seconds in results]
    return {
        "sent": sent,
        "publish_rate": sent / publish_seconds if publish_seconds else 0.0,
        "received": [received for received, _ in results],
        "rates": rates,
        "per_client": statistics.median(rates),
        "total": sum(rates),
    }


def median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median per-client rate."""
    return sorted(results, key=lambda result: result["per_client"])[len(results) // 2]


def run_latency(side: str, calls: int, home: str) -> list[int]:
    server_main, client_main = SIDES[side]
    rep, pub = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    server = Child(server_main, home, rep, pub)
    key = server.get()
    client = Child(client_main, home, rep, pub, key)
    try:
        client.get()
        samples: list[int] = client.ask("latency", calls)
    finally:
        client.stop()
        server.stop()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ticks", type=int, default=100_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the median is shown")
    args = parser.parse_args()
    try:
        import vnpy.rpc
    except ImportError:
        raise SystemExit("vn.py is missing: pip install --no-deps vnpy==4.5.0 vnpy_rpcservice") from None
    del vnpy
    print(
        f"# bench_rpc: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, {args.ticks} ticks per run, median of "
        f"{args.repeat} runs"
    )
    with tempfile.TemporaryDirectory() as temp:
        home = str(Path(temp) / ".vntrader")
        print("\n## fan-out: ticks/s reaching a handler in each client's event engine")
        print(
            f"{'clients':>7} {'implementation':<34} {'per client':>12} {'all clients':>12} {'lost':>8} "
            f"{'publish/s':>11}"
        )
        configs = (
            ("vn.py 4.5 (pickle, no security)", "vnpy", "python"),
            ("vtcore, C++ feed (CURVE)", "vtcore", "ring"),
            ("vtcore, Python on_tick (CURVE)", "vtcore", "python"),
        )
        for clients in args.clients:
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in configs}
            for _ in range(args.repeat):  # interleaved, so a change in machine load hits every side alike
                for name, side, feed in configs:
                    runs[name].append(run_fanout(side, feed, clients, args.ticks, home))
            rows = [(name, median_run(results)) for name, results in runs.items()]
            vnpy = rows[0][1]
            for name, result in rows:
                lost = sum(result["sent"] - received for received in result["received"])
                print(
                    f"{clients:>7} {name:<34} {result['per_client']:>12,.0f} {result['total']:>12,.0f} "
                    f"{lost:>8} {result['publish_rate']:>11,.0f}"
                )
            for name, result in rows[1:]:
                print(f"{'':>7} ratio {name} / vn.py: {result['per_client'] / vnpy['per_client']:.1f}x")
        print("\n## request round trip: get_contract(vt_symbol), one client")
        for side, name in (
            ("vnpy", "vn.py 4.5 (REQ/REP, pickle)"),
            ("vtcore", "vtcore (DEALER/ROUTER, CURVE)"),
        ):
            samples = sorted(run_latency(side, args.calls, home))
            p50 = samples[len(samples) // 2] / 1000
            p99 = samples[int(len(samples) * 0.99)] / 1000
            mean = statistics.mean(samples) / 1000
            print(f"{name:<32} p50 {p50:8.1f} us  p99 {p99:8.1f} us  mean {mean:8.1f} us")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
