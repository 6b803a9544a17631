"""RpcService + RpcGateway across real processes on loopback: fan-out, orders, snapshot, restart, timeouts.

The server process runs a MainEngine with the in-test SimGateway (test_rpc_harness.py) and the RpcService;
each client process runs its own MainEngine with an RpcGateway. Every wait is on a condition with a generous
bound.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import test_rpc_harness
from test_rpc_harness import WAIT, Proc, addresses, client_setting, server_main, start_client

pytestmark = pytest.mark.timeout(300)
procs = test_rpc_harness.procs  # the fixture that stops every started process


def start_server(procs: list[Proc], home: Path, rep: str, pub: str, *, curve: bool = True,
                 broker_file: str = "") -> Proc:
    server = Proc(server_main, home, rep, pub, curve, broker_file)
    procs.append(server)
    return server


def test_three_clients_get_every_tick_and_one_trades(tmp_path: Path, procs: list[Proc]) -> None:
    home = tmp_path / ".vntrader"
    server = start_server(procs, home, *addresses())
    watchers = [start_client(procs, home, client_setting(server)) for _ in range(3)]
    trader = start_client(procs, home, client_setting(server))

    # The snapshot brought the server's state, re-labelled with the local gateway name.
    first = trader.call("summary")
    assert first["contracts"] >= 2
    assert first["symbol_map"] == {"rb2605.SHFE": "SIM", "cu2605.SHFE": "SIM"}
    assert first["accounts"] == ["RPC.A1"]
    assert first["positions"] == ["RPC.rb2605.SHFE.LONG"]

    # Ticks from Python (on_tick) and from a C++ ring reach every client, all of them, in order. (The engine
    # orders each source, not the two sources against each other: feed one after the other.)
    server.call("ticks", 500)
    for client in [*watchers, trader]:
        assert client.call("wait_ticks", 500), "a client did not receive every Python tick"
    assert server.call("ring_ticks", 3000) == 3000
    for client in [*watchers, trader]:
        assert client.call("wait_ticks", 3500), "a client did not receive every tick"
        summary = client.call("summary")
        assert summary["ticks"] == 3500
        assert summary["tick_volumes"] == list(range(1, 501)) + list(range(1, 3001))
        assert summary["tick_gateways"] == ["RPC"]
        assert summary["ticks_lost"] == 0

    # Orders route to the server gateway that trades the symbol; ids and event suffixes are local.
    trader.call("subscribe", "cu2605")
    assert "cu2605.SHFE" in server.call("subscribed")
    resting = trader.call("send", "rb2605", 4000.0)
    assert resting == "RPC.1"
    assert trader.call("order_status", resting, "NOTTRADED")
    trader.call("cancel", resting, "rb2605")
    assert trader.call("order_status", resting, "CANCELLED")
    filled = trader.call("send", "cu2605", 5000.0)
    assert trader.call("order_status", filled, "ALLTRADED")
    assert trader.call("wait_trades", 1)
    summary = trader.call("summary")
    assert summary["trades"] == ["RPC.T2"]
    assert ("eOrder.RPC.1", "RPC.1") in summary["order_types"]
    assert all(event_type == f"eOrder.{vt_orderid}" for event_type, vt_orderid in summary["order_types"])
    # Each state of each order arrived exactly once.
    assert Counter(summary["orders"]) == Counter({
        ("RPC.1", "NOTTRADED", "RPC"): 1, ("RPC.1", "CANCELLED", "RPC"): 1, ("RPC.2", "ALLTRADED", "RPC"): 1})
    # The watchers saw the same order flow.
    for watcher in watchers:
        assert watcher.call("order_status", filled, "ALLTRADED")
        assert watcher.call("wait_trades", 1)
        assert watcher.call("summary")["trades"] == ["RPC.T2"]


@pytest.mark.parametrize("wait_for_loss", [True, False], ids=["after-loss", "quick"])
def test_server_restart_resyncs_without_duplicates(tmp_path: Path, procs: list[Proc],
                                                   wait_for_loss: bool) -> None:
    """The server process stops and a new one starts on the same addresses with the same keys and broker
    state;
    "quick" starts it without waiting for the client to notice the loss (the new epoch tells it)."""
    home = tmp_path / ".vntrader"
    broker = str(tmp_path / "broker.json")
    rep, pub = addresses()
    server = start_server(procs, home, rep, pub, broker_file=broker)
    client = start_client(procs, home, client_setting(server))
    resting = client.call("send", "rb2605", 4000.0)
    filled = client.call("send", "rb2605", 5000.0)
    assert client.call("order_status", resting, "NOTTRADED")
    assert client.call("order_status", filled, "ALLTRADED")
    assert client.call("wait_trades", 1)
    before = client.call("summary")

    server.stop()
    procs.remove(server)
    if wait_for_loss:
        assert client.call("wait_state", "disconnected"), "the client never noticed the server was gone"
        # A call while the server is known to be gone fails at once; nothing is queued for the next server.
        error = client.call("error_of", "send", "rb2605", 4000.0)
        assert error.startswith("NotConnectedError") and "server is lost" in error

    server = start_server(procs, home, rep, pub, broker_file=broker)  # same keys, same broker state
    assert client.call("wait_state", "synced", 2), "no fresh snapshot after the restart"
    after = client.call("summary")
    assert after["resyncs"] >= 2
    assert "restarted" in after["states"]
    # The new server re-reported the same orders and trades: no duplicate reached the local engine.
    assert after["trades"] == before["trades"] == ["RPC.T2"]
    assert Counter(after["orders"]) == Counter(before["orders"])
    # And the connection works for new orders.
    third = client.call("send", "rb2605", 4000.0)
    assert third == "RPC.3"
    assert client.call("order_status", third, "NOTTRADED")


def test_timeout_raises_next_call_works_and_slow_call_blocks_nobody(tmp_path: Path,
                                                                    procs: list[Proc]) -> None:
    home = tmp_path / ".vntrader"
    server = start_server(procs, home, *addresses())
    slow_client = start_client(procs, home, client_setting(server))
    other = start_client(procs, home, client_setting(server))

    # The history query blocks on the server until released: the call times out and raises.
    error = slow_client.call("error_of", "history", "SLOW", 0.5)
    assert "RpcTimeoutError" in error
    assert server.call("history_started")
    # While that call still occupies the server, other calls are answered: another client's order, and the
    # next call of the client whose call timed out (the late reply must not be mistaken for this one).
    order = other.call("send", "rb2605", 4000.0)
    assert other.call("order_status", order, "NOTTRADED")
    assert slow_client.call("history", "rb2605", WAIT) == [42.0]
    server.call("release_history")
    assert slow_client.call("history", "cu2605", WAIT) == [42.0]


def test_loopback_without_curve_works(tmp_path: Path, procs: list[Proc]) -> None:
    home = tmp_path / ".vntrader"
    server = start_server(procs, home, *addresses(), curve=False)
    assert server.ready["key"] == ""
    client = start_client(procs, home, client_setting(server, curve=False))
    server.call("ticks", 10)
    assert client.call("wait_ticks", 10)
