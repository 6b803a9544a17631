"""RpcService + RpcGateway across real processes on loopback: fan-out, orders, snapshot, restart, timeouts.

The server process runs a MainEngine with the in-test SimGateway (test_rpc_harness.py) and the RpcService;
each client process runs its own MainEngine with an RpcGateway. Every wait is on a condition with a generous
bound.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import test_rpc_harness
from test_rpc_harness import (
    REFUSED_PRICE,
    SLOW_PRICE,
    WAIT,
    Proc,
    addresses,
    client_setting,
    server_main,
    start_client,
)

pytestmark = pytest.mark.timeout(300)
procs = test_rpc_harness.procs  # the fixture that stops every started process


def start_server(
    procs: list[Proc],
    home: Path,
    rep: str,
    pub: str,
    *,
    curve: bool = True,
    broker_file: str = "",
    gateways: dict[str, dict[str, Any]] | None = None,
) -> Proc:
    server = Proc(server_main, home, rep, pub, curve, broker_file, gateways or {"SIM": {}})
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
    assert first["accounts"] == ["RPC.SIM.A1"]
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

    # Orders route to the server gateway that trades the symbol; ids are the server's under the local
    # gateway name, and event suffixes match them.
    trader.call("subscribe", "cu2605")
    assert "cu2605.SHFE" in server.call("subscribed")
    resting = trader.call("send", "rb2605", 4000.0)
    assert resting == "RPC.SIM.1"
    assert trader.call("order_status", resting, "NOTTRADED")
    trader.call("cancel", resting, "rb2605")
    assert trader.call("order_status", resting, "CANCELLED")
    filled = trader.call("send", "cu2605", 5000.0)
    assert trader.call("order_status", filled, "ALLTRADED")
    assert trader.call("wait_trades", 1)
    summary = trader.call("summary")
    assert summary["trades"] == ["RPC.SIM.T2"]
    assert ("eOrder.RPC.SIM.1", "RPC.SIM.1") in summary["order_types"]
    assert all(event_type == f"eOrder.{vt_orderid}" for event_type, vt_orderid in summary["order_types"])
    # Each state of each order arrived exactly once.
    assert Counter(summary["orders"]) == Counter(
        {
            ("RPC.SIM.1", "NOTTRADED", "RPC"): 1,
            ("RPC.SIM.1", "CANCELLED", "RPC"): 1,
            ("RPC.SIM.2", "ALLTRADED", "RPC"): 1,
        }
    )
    # The watchers saw the same order flow.
    for watcher in watchers:
        assert watcher.call("order_status", filled, "ALLTRADED")
        assert watcher.call("wait_trades", 1)
        assert watcher.call("summary")["trades"] == ["RPC.SIM.T2"]


@pytest.mark.parametrize("wait_for_loss", [True, False], ids=["after-loss", "quick"])
def test_server_restart_resyncs_without_duplicates(
    tmp_path: Path, procs: list[Proc], wait_for_loss: bool
) -> None:
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
    assert after["trades"] == before["trades"] == ["RPC.SIM.T2"]
    assert Counter(after["orders"]) == Counter(before["orders"])
    # And the connection works for new orders.
    third = client.call("send", "rb2605", 4000.0)
    assert third == "RPC.SIM.3"
    assert client.call("order_status", third, "NOTTRADED")


def test_timeout_raises_next_call_works_and_slow_call_blocks_nobody(
    tmp_path: Path, procs: list[Proc]
) -> None:
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


def test_two_server_gateways_with_overlapping_order_ids_stay_apart(tmp_path: Path, procs: list[Proc]) -> None:
    """Two server gateways number their orders from 1 and both have account "A1": the client sees distinct
    ids, and a cancel reaches the gateway that holds the order."""
    home = tmp_path / ".vntrader"
    server = start_server(
        procs, home, *addresses(), gateways={"SIM": {}, "SIM2": {"symbols": "ag2606,al2606", "position": 0}}
    )
    client = start_client(procs, home, client_setting(server))
    assert client.call("summary")["accounts"] == ["RPC.SIM.A1", "RPC.SIM2.A1"]

    first = client.call("send", "rb2605", 4000.0)  # SIM's order 1
    second = client.call("send", "ag2606", 4000.0)  # SIM2's order 1
    assert (first, second) == ("RPC.SIM.1", "RPC.SIM2.1")
    assert client.call("order_status", first, "NOTTRADED")
    assert client.call("order_status", second, "NOTTRADED")

    client.call("cancel", second, "ag2606")
    assert client.call("order_status", second, "CANCELLED")
    assert server.call("orders") == [("SIM.1", "NOTTRADED", 4000.0), ("SIM2.1", "CANCELLED", 4000.0)]
    oms = client.call("oms")
    assert oms["active_orders"] == [first]
    assert oms["orders"] == {first: "NOTTRADED", second: "CANCELLED"}

    # A client that shows one server gateway sees only its contracts, account and orders.
    only_sim2 = start_client(procs, home, client_setting(server, server_gateways="SIM2"))
    summary = only_sim2.call("summary")
    assert summary["symbol_map"] == {"ag2606.SHFE": "SIM2", "al2606.SHFE": "SIM2"}
    assert summary["accounts"] == ["RPC.SIM2.A1"]
    assert only_sim2.call("oms")["orders"] == {second: "CANCELLED"}


def test_resync_after_restart_closes_what_the_server_no_longer_has(tmp_path: Path, procs: list[Proc]) -> None:
    """The restarted server has another account, no position and no orders: the client's OMS follows."""
    home = tmp_path / ".vntrader"
    rep, pub = addresses()
    server = start_server(procs, home, rep, pub)
    client = start_client(procs, home, client_setting(server))
    resting = client.call("send", "rb2605", 4000.0)
    assert client.call("order_status", resting, "NOTTRADED")
    before = client.call("oms")
    assert before["positions"] == {"RPC.rb2605.SHFE.LONG": 3}
    assert before["active_orders"] == [resting]
    assert list(before["accounts"].values()) == [1e6]

    server.stop()
    procs.remove(server)
    server = start_server(procs, home, rep, pub, gateways={"SIM": {"account": "B2", "position": 0}})
    assert client.call("wait_state", "synced", 2), "no fresh snapshot after the restart"
    after = client.call("oms")
    assert after["positions"] == {"RPC.rb2605.SHFE.LONG": 0}  # vn.py's way: a position event with volume 0
    assert after["active_orders"] == []
    assert after["orders"] == {resting: "CANCELLED"}
    assert after["accounts"] == {"RPC.SIM.A1": 0, "RPC.SIM.B2": 1e6}
    warnings = [line for line in client.call("logs") if "no longer reports" in line]
    assert len(warnings) == 1 and resting.removeprefix("RPC.") in warnings[0]


def test_keyed_send_order_runs_once(tmp_path: Path, procs: list[Proc]) -> None:
    home = tmp_path / ".vntrader"
    server = start_server(procs, home, *addresses())
    client = start_client(procs, home, client_setting(server))
    first = client.call("send_keyed", "k-1", "rb2605", 4000.0)
    assert client.call("send_keyed", "k-1", "rb2605", 4000.0) == first == "SIM.1"
    assert client.call("send_keyed", "k-2", "rb2605", 4000.0) == "SIM.2"
    # The same key for another order is refused rather than answered with the first order's id.
    assert "was used for another order" in client.call("error_of", "send_keyed", "k-1", "rb2605", 4001.0)
    assert [orderid for orderid, _, _ in server.call("orders")] == ["SIM.1", "SIM.2"]


def test_send_order_that_times_out_is_sent_once_and_keeps_its_id(tmp_path: Path, procs: list[Proc]) -> None:
    """The server's gateway holds the order past the client's timeout: send_order returns an id at once, the
    client's retries never send a second order, and the order's updates arrive under the returned id."""
    home = tmp_path / ".vntrader"
    server = start_server(procs, home, *addresses())
    client = start_client(procs, home, client_setting(server))
    client.call("set_timeout", 0.5)
    pending = client.call("send", "rb2605", SLOW_PRICE)
    assert pending.startswith("RPC.SIM.")
    assert client.call("order_status", pending, "SUBMITTING")
    assert server.call("send_started")
    # A cancel asked for before the server answered is sent once the order is known.
    client.call("cancel", pending, "rb2605")
    client.call("set_timeout", WAIT)
    server.call("release_send")

    assert client.call("order_status", pending, "NOTTRADED")
    assert client.call("order_status", pending, "CANCELLED")
    assert server.call("orders") == [("SIM.1", "CANCELLED", SLOW_PRICE)]  # sent once, then cancelled
    # The server's order never showed up under a second id here.
    summary = client.call("summary")
    assert {vt_orderid for vt_orderid, _, _ in summary["orders"]} == {pending}
    assert client.call("oms")["orders"] == {pending: "CANCELLED"}
    # The next order is an ordinary one.
    assert client.call("send", "rb2605", 4000.0) == "RPC.SIM.2"


def test_send_order_unanswered_before_a_server_restart_is_never_sent_again(
    tmp_path: Path, procs: list[Proc]
) -> None:
    """The server dies while its gateway holds the order: the retry reaches the restarted server, which
    refuses it (the earlier one may have sent it), and the order the client was given becomes REJECTED."""
    home = tmp_path / ".vntrader"
    rep, pub = addresses()
    server = start_server(procs, home, rep, pub)
    client = start_client(procs, home, client_setting(server))
    client.call("set_timeout", 0.5)
    pending = client.call("send", "rb2605", SLOW_PRICE)
    assert server.call("send_started")
    server.process.kill()  # abruptly: the held send never finishes
    server.process.join(WAIT)
    procs.remove(server)

    server = start_server(procs, home, rep, pub)
    assert client.call("order_status", pending, "REJECTED")
    assert server.call("orders") == []  # the retry did not send it again
    # The client logs the rejection after it pushed the order (a separate event): wait for the line itself.
    test_rpc_harness.wait_until(
        lambda: any("REJECTED" in line and "outcome unknown" in line for line in client.call("logs")),
        what="the client's log line of the rejection",
    )


def test_a_rejection_reaches_the_client_with_its_reason_masked(tmp_path: Path, procs: list[Proc]) -> None:
    """The server gateway's reason for a rejection crosses to the client (not a bare "rejected by RPC"),
    with the secret in it masked."""
    home = tmp_path / ".vntrader"
    server = start_server(procs, home, *addresses())
    client = start_client(procs, home, client_setting(server))
    vt_orderid = client.call("send", "rb2605", REFUSED_PRICE)
    assert client.call("order_status", vt_orderid, "REJECTED")
    reason = client.call("reason", vt_orderid)
    assert "price outside the band" in reason
    assert "hunter2" not in reason


def test_an_order_the_server_cannot_read_is_rejected_not_raised(tmp_path: Path, procs: list[Proc]) -> None:
    """An OrderRequest without a direction does not fit the wire schema: send_order rejects it with the
    reason in the client (never raises in the caller's thread), nothing reaches the server, the next order
    works."""
    home = tmp_path / ".vntrader"
    server = start_server(procs, home, *addresses())
    client = start_client(procs, home, client_setting(server))
    vt_orderid = client.call("send_without_direction", "rb2605", 4000.0)
    assert vt_orderid.startswith("RPC.SIM.~")
    assert client.call("order_status", vt_orderid, "REJECTED")
    assert "direction" in client.call("reason", vt_orderid)
    assert client.call("send", "rb2605", 4000.0) == "RPC.SIM.1"
    assert server.call("orders") == [("SIM.1", "NOTTRADED", 4000.0)]
