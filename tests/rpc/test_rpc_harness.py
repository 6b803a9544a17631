"""Processes for the RPC tests: a server process (MainEngine + an in-test gateway + RpcService, or
`ctp_server_main`: MainEngine + CtpGateway on the CTP simulator + RpcService) and client processes
(MainEngine + RpcGateway), each driven by commands over multiprocessing queues.

`SimGateway` is a real BaseGateway: its contracts, account, positions, orders and trades travel through the
EventEngine and the OMS exactly as a broker gateway's do; it keeps its orders and trades in a "broker file" so
a restarted server reports the same ones again (as CTP does after a reconnect). Ticks come either from Python
(`on_tick`) or from a C++ TestProducer ring (the CTP path).

The tests at the bottom check the harness itself (the in-test gateway in one process).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import queue
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from vtcore import _core
from vtcore.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.event import EVENT_CONTRACT, EVENT_GATEWAY_STATE, EVENT_LOG, EVENT_ORDER, EVENT_TICK, EVENT_TRADE
from vtcore.gateway import BaseGateway
from vtcore.gateways.rpc import RpcGateway
from vtcore.object import (
    AccountData,
    BarData,
    CancelRequest,
    ContractData,
    HistoryRequest,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    TickData,
    TradeData,
)
from vtcore.rpc import RpcServiceApp, schema

SPAWN = multiprocessing.get_context("spawn")
WAIT = 60.0  # generous bound for any condition a test waits on
SYMBOLS = ("rb2605", "cu2605")


def _ephemeral_ports() -> range:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32768, 61000)


def free_port() -> int:
    """A free loopback port outside the kernel's ephemeral range. A server restarted on its old port (the
    restart tests) must find it free; a port from the ephemeral range can meanwhile become the source port of
    a client reconnecting to it (TCP connects to itself when nothing listens), and the bind then fails."""
    ephemeral = _ephemeral_ports()
    for port in random.sample(range(20_000, 32_000), 200):
        if port in ephemeral:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def wait_until(condition: Callable[[], Any], timeout: float = WAIT, what: str = "condition") -> Any:
    """Poll `condition` until it is truthy; fail the test after `timeout` (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.01)


# -- the in-test gateway ----------------------------------------------------------------------------------


SLOW_PRICE = 4444.0  # an order at this price waits in send_order until the test releases it
REFUSED_PRICE = 3333.0  # an order at this price is rejected with REFUSED_REASON
REFUSED_REASON = "price outside the band; password=hunter2"


class SimGateway(BaseGateway):
    """Fills a limit order at once when its price is >= 5000 (buy) and rests it otherwise.

    Settings: `broker_file`; optional `symbols` (comma-separated, default SYMBOLS), `account` (the account
    id reported, "" for none, default "A1") and `position` (the rb2605 long volume reported, default 3; 0 for
    none).
    """

    default_name = "SIM"
    default_setting: ClassVar[dict[str, Any]] = {"broker_file": ""}
    exchanges: ClassVar[list[Exchange]] = [Exchange.SHFE]

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.broker_file: Path | None = None
        self.orders: dict[str, OrderData] = {}
        self.trades: list[TradeData] = []
        self.subscribed: list[str] = []
        self.history_release = threading.Event()
        self.history_started = threading.Event()
        self.send_release = threading.Event()
        self.send_started = threading.Event()
        self.symbols: tuple[str, ...] = SYMBOLS
        self._lock = threading.Lock()
        self._next_id = 0

    def connect(self, setting: dict[str, Any]) -> None:
        self.broker_file = Path(setting["broker_file"]) if setting["broker_file"] else None
        if setting.get("symbols"):
            self.symbols = tuple(setting["symbols"].split(","))
        for symbol in self.symbols:
            self.on_contract(
                ContractData(
                    gateway_name=self.gateway_name,
                    symbol=symbol,
                    exchange=Exchange.SHFE,
                    name=symbol,
                    product=Product.FUTURES,
                    size=10,
                    pricetick=1,
                )
            )
        account = setting.get("account", "A1")
        if account:
            self.on_account(AccountData(gateway_name=self.gateway_name, accountid=account, balance=1e6))
        position = setting.get("position", 3)
        if position:
            self.on_position(
                PositionData(
                    gateway_name=self.gateway_name,
                    symbol=self.symbols[0],
                    exchange=Exchange.SHFE,
                    direction=Direction.LONG,
                    volume=position,
                )
            )
        self._restore()

    def _restore(self) -> None:
        """Report the broker's orders and trades again, as a broker does after a reconnect."""
        if self.broker_file is None or not self.broker_file.exists():
            return
        data = json.loads(self.broker_file.read_text())
        self._next_id = data["next_id"]
        for item in data["orders"]:
            order = OrderData(
                gateway_name=self.gateway_name,
                symbol=item["symbol"],
                exchange=Exchange.SHFE,
                orderid=item["orderid"],
                direction=Direction(item["direction"]),
                price=item["price"],
                volume=item["volume"],
                traded=item["traded"],
                status=Status(item["status"]),
                datetime=dt.datetime.fromisoformat(item["time"]),
            )
            self.orders[order.orderid] = order
            self.on_order(order)
        for item in data["trades"]:
            trade = TradeData(
                gateway_name=self.gateway_name,
                symbol=item["symbol"],
                exchange=Exchange.SHFE,
                orderid=item["orderid"],
                tradeid=item["tradeid"],
                direction=Direction(item["direction"]),
                price=item["price"],
                volume=item["volume"],
                datetime=dt.datetime.fromisoformat(item["time"]),
            )
            self.trades.append(trade)
            self.on_trade(trade)

    def _save(self) -> None:
        if self.broker_file is None:
            return
        self.broker_file.write_text(
            json.dumps(
                {
                    "next_id": self._next_id,
                    "orders": [
                        {
                            "symbol": o.symbol,
                            "orderid": o.orderid,
                            "direction": o.direction.value,
                            "price": o.price,
                            "volume": o.volume,
                            "traded": o.traded,
                            "status": o.status.value,
                            "time": o.datetime.isoformat(),
                        }
                        for o in self.orders.values()
                    ],
                    "trades": [
                        {
                            "symbol": t.symbol,
                            "orderid": t.orderid,
                            "tradeid": t.tradeid,
                            "direction": t.direction.value,
                            "price": t.price,
                            "volume": t.volume,
                            "time": t.datetime.isoformat(),
                        }
                        for t in self.trades
                    ],
                }
            )
        )

    def close(self) -> None:
        self.history_release.set()
        self.send_release.set()

    def subscribe(self, req: SubscribeRequest) -> None:
        self.subscribed.append(req.vt_symbol)

    def send_order(self, req: OrderRequest) -> str:
        if req.price == SLOW_PRICE:  # a deterministic slow send: the reply comes after the client's timeout
            self.send_started.set()
            self.send_release.wait(WAIT)
        with self._lock:
            self._next_id += 1
            orderid = f"{self._next_id}"
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            order = req.create_order_data(orderid, self.gateway_name)
            order.status = Status.NOTTRADED
            order.datetime = now
            if req.price == REFUSED_PRICE:
                order.status = Status.REJECTED
                order.extra = {"reason": REFUSED_REASON}
            if req.direction == Direction.LONG and req.price >= 5000:
                order.status = Status.ALLTRADED
                order.traded = req.volume
                trade = TradeData(
                    gateway_name=self.gateway_name,
                    symbol=req.symbol,
                    exchange=req.exchange,
                    orderid=orderid,
                    tradeid=f"T{orderid}",
                    direction=req.direction,
                    price=req.price,
                    volume=req.volume,
                    datetime=now,
                )
                self.trades.append(trade)
            else:
                trade = None
            self.orders[orderid] = order
            self._save()
        self.on_order(order)
        if trade is not None:
            self.on_trade(trade)
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        with self._lock:
            order = self.orders.get(req.orderid)
            if order is None or not order.is_active():
                return
            cancelled = OrderData(
                **{
                    name: getattr(order, name)
                    for name in (
                        "gateway_name",
                        "symbol",
                        "exchange",
                        "orderid",
                        "type",
                        "direction",
                        "offset",
                        "price",
                        "volume",
                        "traded",
                        "datetime",
                        "reference",
                    )
                },
                status=Status.CANCELLED,
            )
            self.orders[req.orderid] = cancelled
            self._save()
        self.on_order(cancelled)

    def query_account(self) -> None:
        return None

    def query_position(self) -> None:
        return None

    def query_history(self, req: HistoryRequest) -> list[BarData]:
        """Blocks until the test releases it: a deterministic slow call."""
        if req.symbol == "SLOW":
            self.history_started.set()
            self.history_release.wait(WAIT)
        return [
            BarData(
                gateway_name=self.gateway_name,
                symbol=req.symbol,
                exchange=req.exchange,
                datetime=req.start,
                close_price=42.0,
            )
        ]

    def emit_ticks(self, count: int) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        for index in range(1, count + 1):
            self.on_tick(
                TickData(
                    self.gateway_name,
                    SYMBOLS[index % 2],
                    Exchange.SHFE,
                    now,
                    volume=float(index),
                    last_price=4000.0 + index % 7,
                )
            )


def buy(symbol: str, price: float, offset: Offset = Offset.NONE) -> OrderRequest:
    return OrderRequest(
        symbol=symbol,
        exchange=Exchange.SHFE,
        direction=Direction.LONG,
        type=OrderType.LIMIT,
        volume=1,
        price=price,
        offset=offset,
    )


# -- processes --------------------------------------------------------------------------------------------


class Proc:
    """A child process that runs `target(home, commands, replies, *args)` and answers commands."""

    def __init__(self, target: Callable[..., None], home: Path, *args: Any) -> None:
        self.commands: Any = SPAWN.Queue()
        self.replies: Any = SPAWN.Queue()
        self.process = SPAWN.Process(
            target=target, args=(str(home), self.commands, self.replies, *args), daemon=True
        )
        self.process.start()
        self.ready = self.reply(WAIT)

    def reply(self, timeout: float) -> Any:
        try:
            kind, value = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"process {self.process.pid} did not answer within {timeout:g} s") from None
        if kind == "error":
            raise AssertionError(f"child process failed:\n{value}")
        return value

    def call(self, command: str, *args: Any, timeout: float = WAIT) -> Any:
        self.commands.put((command, args))
        return self.reply(timeout + 5)

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(AssertionError):
                self.call("stop", timeout=15)
        self.process.join(15)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def _serve(commands: Any, replies: Any, handlers: dict[str, Callable[..., Any]]) -> None:
    while True:
        command, args = commands.get()
        try:
            result = handlers[command](*args)
        except Exception:
            replies.put(("error", traceback.format_exc()))
            if command == "stop":
                return
            continue
        replies.put(("ok", result))
        if command == "stop":
            return


def server_main(home: str, commands: Any, replies: Any, *config: Any) -> None:
    """A MainEngine with SimGateway "SIM" and the RpcService; config = (rep, pub, curve, broker_file[,
    gateways]) where `gateways` ({name: extra SimGateway settings}, default {"SIM": {}}) names the SimGateways
    to add; the first is the one the commands drive."""
    rep, pub, curve, broker_file = config[:4]
    gateways: dict[str, dict[str, Any]] = config[4] if len(config) > 4 else {"SIM": {}}
    try:
        os.environ["VTCORE_HOME"] = home
        main_engine = MainEngine()
        logs: list[str] = []
        main_engine.event_engine.register(EVENT_LOG, lambda event: logs.append(event.data.msg))
        sims = [main_engine.add_gateway(SimGateway, name) for name in gateways]
        for name, extra in gateways.items():
            main_engine.connect({"broker_file": broker_file, **extra}, name)
        gateway = sims[0]
        rpc = main_engine.add_app(RpcServiceApp)
        rpc.start(rep, pub, curve=curve)  # type: ignore[attr-defined]
        status = rpc.status  # type: ignore[attr-defined]
        producer = gateway.create_producer("sim-md")
    except Exception:
        replies.put(("error", traceback.format_exc()))
        return
    replies.put(
        ("ok", {"rep": status.rep_address, "pub": status.pub_address, "key": status.server_public_key})
    )

    def ring_ticks(count: int) -> int:
        test_producer = _core.TestProducer(producer, list(SYMBOLS), "SHFE")
        test_producer.start(count, 0.0)
        test_producer.join(WAIT)
        return int(test_producer.pushed)

    def stop() -> None:
        main_engine.close()

    _serve(
        commands,
        replies,
        {
            "ticks": gateway.emit_ticks,
            "ring_ticks": ring_ticks,
            "logs": lambda: list(logs),
            "rejected": lambda: rpc.server.rejected,  # type: ignore[attr-defined]
            "release_history": gateway.history_release.set,
            "history_started": lambda: gateway.history_started.wait(WAIT),
            "subscribed": lambda: list(gateway.subscribed),
            "release_send": gateway.send_release.set,
            "send_started": lambda: gateway.send_started.wait(WAIT),
            "orders": lambda: sorted(
                (o.vt_orderid, o.status.value, o.price) for o in main_engine.get_all_orders()
            ),
            "stop": stop,
        },
    )


def ctp_server_main(home: str, commands: Any, replies: Any, *config: Any) -> None:
    """A MainEngine with CtpGateway "CTP" logged in to the CTP simulator (loaded in this process, configured
    by the file `sim_config`) and the RpcService; config = (rep, pub, curve, sim_config)."""
    rep, pub, curve, sim_config = config
    try:
        os.environ["VTCORE_HOME"] = home
        # These need vtcore._ctp, which a build without the CTP SDK lacks: only the CTP tests get here.
        from vtcore.gateways.ctp import CtpGateway  # noqa: PLC0415
        from vtcore.gateways.ctp.sim import simulator_setting  # noqa: PLC0415

        main_engine = MainEngine()
        lock = threading.Lock()
        ticks: list[tuple[str, float, str]] = []

        def on_tick(event: Any) -> None:
            with lock:
                ticks.append((event.data.vt_symbol, event.data.last_price, event.data.datetime.isoformat()))

        main_engine.event_engine.register(EVENT_TICK, on_tick)
        gateway = main_engine.add_gateway(CtpGateway, "CTP")
        main_engine.connect(simulator_setting(Path(sim_config), "tester", "sim-pass-7"), "CTP")
        wait_until(
            lambda: gateway.td.state == "ready" and gateway.md.state == "ready", what="both CTP fronts ready"
        )
        rpc = main_engine.add_app(RpcServiceApp)
        rpc.start(rep, pub, curve=curve)  # type: ignore[attr-defined]
        status = rpc.status  # type: ignore[attr-defined]
    except Exception:
        replies.put(("error", traceback.format_exc()))
        return
    replies.put(
        ("ok", {"rep": status.rep_address, "pub": status.pub_address, "key": status.server_public_key})
    )

    def tick_count() -> int:
        with lock:
            return len(ticks)

    _serve(
        commands,
        replies,
        {
            "ticks": tick_count,
            "tick_series": lambda: _series(ticks, lock),
            "orders": lambda: sorted((o.vt_orderid, o.status.value) for o in main_engine.get_all_orders()),
            "stop": main_engine.close,
        },
    )


def _series(ticks: list[Any], lock: threading.Lock) -> dict[str, list[tuple[float, str]]]:
    """Ticks as {vt_symbol: [(last_price, datetime), ...]} in arrival order."""
    series: dict[str, list[tuple[float, str]]] = {}
    with lock:
        for vt_symbol, last_price, when in ticks:
            series.setdefault(vt_symbol, []).append((last_price, when))
    return series


def client_main(home: str, commands: Any, replies: Any, setting: dict[str, Any]) -> None:
    """A MainEngine with RpcGateway "RPC" that records what reaches its local handlers."""
    try:
        os.environ["VTCORE_HOME"] = home
        main_engine = MainEngine()
        gateway = main_engine.add_gateway(RpcGateway)
        logs: list[Any] = []
        main_engine.event_engine.register(EVENT_LOG, lambda event: logs.append(event.data))
        lock = threading.Lock()
        seen: dict[str, Any] = {
            "ticks": [],
            "tick_series": [],
            "orders": [],
            "order_types": [],
            "trades": [],
            "states": [],
            "contracts": 0,
        }

        def on_tick(event: Any) -> None:
            tick = event.data
            with lock:
                seen["ticks"].append((tick.gateway_name, tick.vt_symbol, int(tick.volume)))
                seen["tick_series"].append((tick.vt_symbol, tick.last_price, tick.datetime.isoformat()))

        def on_order(event: Any) -> None:
            order = event.data
            with lock:
                seen["orders"].append((order.vt_orderid, order.status.value, order.gateway_name))

        def on_any(event: Any) -> None:
            if event.type.startswith(EVENT_ORDER) and event.type != EVENT_ORDER:
                with lock:
                    seen["order_types"].append((event.type, event.data.vt_orderid))

        def on_trade(event: Any) -> None:
            with lock:
                seen["trades"].append(event.data.vt_tradeid)

        def on_state(event: Any) -> None:
            if event.data.gateway_name == "RPC" and event.data.front == "rpc":
                with lock:
                    seen["states"].append(event.data.state)

        def on_contract(event: Any) -> None:
            with lock:
                seen["contracts"] += 1

        engine = main_engine.event_engine
        engine.register(EVENT_TICK, on_tick)
        engine.register(EVENT_ORDER, on_order)
        engine.register(EVENT_TRADE, on_trade)
        engine.register(EVENT_GATEWAY_STATE, on_state)
        engine.register(EVENT_CONTRACT, on_contract)
        engine.register_general(on_any)
        main_engine.connect(setting, "RPC")
        synced = gateway.wait_synced(WAIT)
    except Exception:
        replies.put(("error", traceback.format_exc()))
        return
    replies.put(("ok", synced))

    def wait_for(condition: Callable[[], bool], timeout: float = WAIT) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with lock:
                if condition():
                    return True
            time.sleep(0.005)
        return False

    def send(symbol: str, price: float, offset: str = "") -> str:
        req = buy(symbol, price, Offset[offset] if offset else Offset.NONE)
        return str(main_engine.send_order(req, "RPC"))

    def limits(vt_symbol: str) -> tuple[float, float]:
        """(limit_up, limit_down) of the last tick of `vt_symbol`."""
        tick = main_engine.get_tick(vt_symbol)
        assert tick is not None, f"no {vt_symbol} tick yet"
        return tick.limit_up, tick.limit_down

    def cancel(vt_orderid: str, symbol: str) -> None:
        orderid = vt_orderid.partition(".")[2]
        main_engine.cancel_order(CancelRequest(orderid=orderid, symbol=symbol, exchange=Exchange.SHFE), "RPC")

    def order_status(vt_orderid: str, status: str) -> bool:
        return wait_for(lambda: (vt_orderid, status, "RPC") in seen["orders"])

    def history(symbol: str, timeout: float) -> Any:
        req = HistoryRequest(
            symbol=symbol, exchange=Exchange.SHFE, start=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        )
        assert gateway.client is not None
        bars = gateway.client.call(
            schema.QueryHistory,
            list[schema.BarMsg],
            timeout,
            req=schema.HISTORY_REQ.to_msg(req),
            gateway_name="SIM",
        )
        return [bar.close_price for bar in bars]

    def call_error(kind: str, *args: Any) -> str:
        try:
            handlers[kind](*args)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return ""

    def summary() -> dict[str, Any]:
        with lock:
            return {
                "ticks": len(seen["ticks"]),
                "tick_volumes": [volume for _, _, volume in seen["ticks"]],
                "tick_gateways": sorted({name for name, _, _ in seen["ticks"]}),
                "orders": list(seen["orders"]),
                "order_types": list(seen["order_types"]),
                "trades": list(seen["trades"]),
                "states": list(seen["states"]),
                "contracts": seen["contracts"],
                "resyncs": gateway.resyncs,
                "ticks_lost": gateway.ticks_lost,
                "positions": sorted(p.vt_positionid for p in main_engine.get_all_positions()),
                "accounts": sorted(a.vt_accountid for a in main_engine.get_all_accounts()),
                "symbol_map": dict(gateway.symbol_gateway_map),
            }

    def oms() -> dict[str, Any]:
        """The local OMS: position volumes, account balances and the active orders' ids."""
        return {
            "positions": {p.vt_positionid: p.volume for p in main_engine.get_all_positions()},
            "accounts": {a.vt_accountid: a.balance for a in main_engine.get_all_accounts()},
            "orders": {o.vt_orderid: o.status.value for o in main_engine.get_all_orders()},
            "active_orders": sorted(o.vt_orderid for o in main_engine.get_all_active_orders()),
        }

    def send_keyed(key: str, symbol: str, price: float) -> str:
        """A send_order call with a client-chosen key, straight through the RPC client."""
        assert gateway.client is not None
        return str(
            gateway.client.call(
                schema.SendOrder,
                str,
                WAIT,
                gateway_name="SIM",
                key=key,
                req=schema.ORDER_REQ.to_msg(buy(symbol, price)),
            )
        )

    def set_timeout(seconds: float) -> None:
        gateway.call_timeout = seconds

    def send_without_direction(symbol: str, price: float) -> str:
        req = buy(symbol, price)
        req.direction = None  # type: ignore[assignment]
        return str(main_engine.send_order(req, "RPC"))

    def reason(vt_orderid: str) -> str:
        order = main_engine.get_order(vt_orderid)
        return "" if order is None else str((order.extra or {}).get("reason", ""))

    def stop() -> None:
        main_engine.close()

    handlers: dict[str, Callable[..., Any]] = {
        "wait_ticks": lambda n: wait_for(lambda: len(seen["ticks"]) >= n),
        "wait_state": lambda state, count=1: wait_for(lambda: seen["states"].count(state) >= count),
        "wait_trades": lambda n: wait_for(lambda: len(seen["trades"]) >= n),
        "send": send,
        "cancel": cancel,
        "order_status": order_status,
        "subscribe": lambda symbol: main_engine.subscribe(SubscribeRequest(symbol, Exchange.SHFE), "RPC"),
        "history": history,
        "summary": summary,
        "oms": oms,
        "send_keyed": send_keyed,
        "set_timeout": set_timeout,
        "send_without_direction": send_without_direction,
        "reason": reason,
        "logs": lambda: [log.msg for log in logs],
        "tick_series": lambda: _series(seen["tick_series"], lock),
        "limits": limits,
        "stop": stop,
        "status_values": lambda: [status.value for status in Status],
    }
    handlers["error_of"] = call_error
    _serve(commands, replies, handlers)


# -- helpers for the tests that start processes --------------------------------------------------------


def addresses() -> tuple[str, str]:
    return f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"


def client_setting(server: Proc, curve: bool = True, **extra: Any) -> dict[str, Any]:
    setting = {
        "req_address": server.ready["rep"],
        "sub_address": server.ready["pub"],
        "server_public_key": "",
        "client_key_file": "",
        "curve": curve,
    }
    setting.update(extra)
    return setting


@pytest.fixture()
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in reversed(started):
        proc.stop()


def start_client(procs: list[Proc], home: Path, setting: dict[str, Any]) -> Proc:
    client = Proc(client_main, home, setting)
    procs.append(client)
    assert client.ready is True, "the client never applied its first snapshot"
    return client


# -- tests of the harness itself ------------------------------------------------------------------------


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    return tmp_path / ".vntrader"


def test_sim_gateway_fills_and_cancels_through_the_engine(home: Path) -> None:
    main_engine = MainEngine()
    try:
        main_engine.add_gateway(SimGateway, "SIM")
        main_engine.connect({"broker_file": ""}, "SIM")
        wait_until(lambda: len(main_engine.get_all_contracts()) == 2, what="contracts")
        filled = main_engine.send_order(buy("rb2605", 5000), "SIM")
        resting = main_engine.send_order(buy("rb2605", 4000), "SIM")
        wait_until(lambda: main_engine.get_trade("SIM.T1") is not None, what="the fill")
        main_engine.cancel_order(CancelRequest("2", "rb2605", Exchange.SHFE), "SIM")
        wait_until(
            lambda: (
                (order := main_engine.get_order(resting)) is not None and order.status == Status.CANCELLED
            ),
            what="the cancel",
        )
        assert main_engine.get_order(filled).status == Status.ALLTRADED  # type: ignore[union-attr]
    finally:
        main_engine.close()


def test_wait_until_fails_loudly() -> None:
    with pytest.raises(AssertionError, match="timed out"):
        wait_until(lambda: False, timeout=0.05, what="nothing")
