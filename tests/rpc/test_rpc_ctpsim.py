"""RpcService over a real CTP path, in real processes on loopback: the server process runs MainEngine +
CtpGateway logged in to the CTP simulator (its libraries loaded in that process) + RpcService; three client
processes run MainEngine + RpcGateway. They receive the same ticks, one trades and cancels, and the server
process is restarted. Every wait is on a condition with a generous bound.

The simulator keeps its exchange inside the server process, so a restarted server starts a fresh exchange:
it reports none of the earlier orders again. What the restart proves here is that every client notices it,
takes a fresh snapshot, keeps each earlier order and trade exactly once, and trades through the new server.
A fresh simulator process hands out the same SessionID again (a real front never does within a trading day),
and CTP order ids are FrontID_SessionID_OrderRef: the restarted server therefore logs in to a front with
another FrontID, or its first order would reuse the id of an earlier, finished one.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import test_rpc_harness
from test_rpc_harness import Proc, addresses, client_setting, ctp_server_main, start_client

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
ctpsim = pytest.importorskip("vtcore.gateways.ctp.sim")
try:
    ctpsim.library_dir()
except Exception as exc:  # SdkUnavailableError: the simulator libraries were not built
    pytest.skip(f"the CTP simulator is not built: {exc}", allow_module_level=True)

pytestmark = pytest.mark.timeout(300)
procs = test_rpc_harness.procs  # the fixture that stops every started process

SYMBOLS = ("rb2601", "au2602")  # both SHFE: the harness client trades on SHFE
TICKS = 120  # the simulator's whole tick budget for the server's market-data API


def sim_config(folder: Path, front_id: int) -> Path:
    return ctpsim.write_config(
        folder / f"sim-front{front_id}.json",
        {
            "accounts": [{"user_id": "tester", "password": "sim-pass-7"}],
            "clock": {"trading_day": "20261130"},
            "market_data": {"rate": 200, "count": TICKS},
            "td_front": {"front_id": front_id},
        },
    )


def start_server(procs: list[Proc], home: Path, rep: str, pub: str, config: Path) -> Proc:
    server = Proc(ctp_server_main, home, rep, pub, True, str(config))
    procs.append(server)
    return server


def own_orders(summary: dict[str, Any], vt_orderid: str) -> list[str]:
    return [status for orderid, status, _ in summary["orders"] if orderid == vt_orderid]


def test_three_clients_share_ctp_ticks_trade_cancel_and_survive_a_server_restart(
    tmp_path: Path, procs: list[Proc]
) -> None:
    home = tmp_path / ".vntrader"
    rep, pub = addresses()
    server = start_server(procs, home, rep, pub, sim_config(tmp_path, front_id=1))
    clients = [start_client(procs, home, client_setting(server)) for _ in range(3)]
    trader = clients[0]
    assert trader.call("summary")["symbol_map"]["rb2601.SHFE"] == "CTP"

    # One client subscribes; the server's CtpGateway subscribes at the simulator; every client gets the ticks.
    for symbol in SYMBOLS:
        trader.call("subscribe", symbol)
    assert trader.call("wait_ticks", TICKS), "the trader did not receive the simulator's ticks"
    assert server.call("ticks") == TICKS
    server_series = server.call("tick_series")
    assert set(server_series) == {f"{symbol}.SHFE" for symbol in SYMBOLS}
    for client in clients:
        assert client.call("wait_ticks", TICKS), "a client did not receive every tick"
        summary = client.call("summary")
        assert summary["ticks"] == TICKS
        assert summary["ticks_lost"] == 0
        assert summary["tick_gateways"] == ["RPC"]
        # The same ticks, symbol by symbol, in the order the server's engine saw them.
        assert client.call("tick_series") == server_series

    # A marketable buy (at the upper limit) fills; a buy at the lower limit rests and is then cancelled.
    limit_up, limit_down = trader.call("limits", "rb2601.SHFE")
    assert limit_up > limit_down > 0
    filled = trader.call("send", "rb2601", limit_up, "OPEN")
    assert filled.startswith("RPC.")
    assert trader.call("order_status", filled, "ALLTRADED")
    assert trader.call("wait_trades", 1)
    resting = trader.call("send", "rb2601", limit_down, "OPEN")
    assert trader.call("order_status", resting, "NOTTRADED")
    trader.call("cancel", resting, "rb2601")
    assert trader.call("order_status", resting, "CANCELLED")
    for client in clients:
        assert client.call("order_status", resting, "CANCELLED")
        assert client.call("wait_trades", 1)
    before = [client.call("summary") for client in clients]
    for summary in before:
        assert len(summary["trades"]) == 1  # one level of the book took the whole lot: one trade, once
        assert own_orders(summary, filled).count("ALLTRADED") == 1
        assert own_orders(summary, resting).count("CANCELLED") == 1
        assert own_orders(summary, resting)[-1] == "CANCELLED"
        assert summary["trades"] == before[0]["trades"]
        assert all(event_type == f"eOrder.{vt_orderid}" for event_type, vt_orderid in summary["order_types"])
    # The server's engine holds the same two orders under its CTP gateway's name.
    assert filled.startswith("RPC.CTP.")
    assert dict(server.call("orders")) == {
        filled.removeprefix("RPC."): "ALLTRADED",
        resting.removeprefix("RPC."): "CANCELLED",
    }

    # The server process goes away; a new one (a fresh simulator exchange) starts on the same addresses.
    server.stop()
    procs.remove(server)
    for client in clients:
        assert client.call("wait_state", "disconnected"), "a client never noticed the server was gone"
    server = start_server(procs, home, rep, pub, sim_config(tmp_path, front_id=2))
    for client, earlier in zip(clients, before, strict=True):
        assert client.call("wait_state", "synced", 2), "no fresh snapshot after the restart"
        after = client.call("summary")
        assert "restarted" in after["states"]
        # Nothing earlier arrived twice, nothing was lost.
        assert after["trades"] == earlier["trades"]
        assert Counter(after["orders"]) == Counter(earlier["orders"])

    # The new server takes orders; the new order's id is new to the clients and it arrives once.
    third = trader.call("send", "rb2601", limit_down, "OPEN")
    assert third.startswith("RPC.CTP.2_")
    assert third not in {filled, resting}
    assert trader.call("order_status", third, "NOTTRADED")
    for client in clients:
        assert client.call("order_status", third, "NOTTRADED")
        summary = client.call("summary")
        assert own_orders(summary, third).count("NOTTRADED") == 1
        assert len(summary["trades"]) == 1
