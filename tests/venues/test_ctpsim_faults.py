"""Scripted and controlled faults: a front dropped after N callbacks or at a time (OnFrontDisconnected
4097, then OnFrontConnected again), rejected logins, delayed responses, the control socket, and bad
configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from _ctpsim_probe import Probe, probe_factory  # noqa: F401  (fixture)
from vtcore.gateways.ctp import sim as ctpsim
from vtcore.gateways.ctp.sim import SimControl, SimulatorError


def test_disconnect_after_n_events_then_reconnect(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory(
        {
            "market_data": {"rate": 0, "count": -1},
            "faults": [{"front": "md", "action": "disconnect", "after_events": 5, "reconnect_delay_ms": 50}],
        }
    )
    probe.md_login()  # events 1 and 2: connected, login
    probe.send("md_sub rb2601")  # event 3, then ticks
    assert probe.wait("md.OnFrontDisconnected")[0]["reason"] == 4097
    events = [e["ev"] for e in probe.events if e["ev"].startswith(("md.", "OnRtn"))]
    assert events[:6] == [
        "md.OnFrontConnected",
        "md.OnRspUserLogin",
        "md.OnRspSubMarketData",
        "OnRtnDepthMarketData",
        "OnRtnDepthMarketData",
        "md.OnFrontDisconnected",
    ]
    probe.wait("md.OnFrontConnected", 2)
    probe.send("md_login 9999 u1 p1")  # the client logs in and subscribes again; the fault fired once only
    assert probe.wait("md.OnRspUserLogin", 2)[1]["ErrorID"] == 0
    probe.send("md_print 20", "md_sub rb2601")
    probe.wait("OnRtnDepthMarketData", 20)
    assert len(probe.matching("md.OnFrontDisconnected")) == 1


def test_a_disconnect_cuts_a_response_sequence_short(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory(
        {
            "market_data": {"rate": 0, "count": 0},
            "faults": [{"front": "md", "action": "disconnect", "after_events": 3, "reconnect_delay_ms": 20}],
        }
    )
    probe.md_login()
    probe.send("md_sub rb2601 m2601 SR601")  # the first answer is event 3: the other two die with the session
    probe.wait("md.OnFrontConnected", 2)
    probe.send("md_logout")
    probe.wait("md.OnRspUserLogout")  # answered after anything still queued on the API thread
    assert [s["InstrumentID"] for s in probe.matching("md.OnRspSubMarketData")] == ["rb2601"]


def test_disconnect_at_a_time_and_requests_while_down(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory(
        {
            "faults": [{"front": "td", "action": "disconnect", "at_ms": 200, "reconnect_delay_ms": 60000}],
        }
    )
    probe.send("td_create td_", "td_front tcp://127.0.0.1:0", "td_init")
    probe.wait("td.OnFrontConnected")
    dropped = probe.wait("td.OnFrontDisconnected")[0]
    init = probe.wait("cmd", cmd="td_init")[0]  # stamped before Init() started the 200 ms timer
    assert dropped["reason"] == 4097 and dropped["t"] - init["t"] >= 0.2
    probe.send("td_login 9999 u1 p1")  # the front is down: the request fails at once, as in the real library
    assert probe.wait("ret", cmd="td_login")[0]["value"] == -1


def test_rejected_logins(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory(
        {
            "accounts": [
                {"user_id": "u1", "password": "p1"},
                {"user_id": "locked", "password": "p", "reject_login": True},
            ],
            "faults": [{"front": "td", "action": "reject_login", "count": 1}],
        }
    )
    assert probe.td_login()["ErrorID"] == 3  # the scripted reject
    probe.send("td_login 9999 u1 p1")
    assert probe.wait("td.OnRspUserLogin", 2)[1]["ErrorID"] == 0
    probe.send("td_login 9999 locked p")
    assert probe.wait("td.OnRspUserLogin", 3)[2]["ErrorID"] == 3


def test_control_socket(probe_factory, tmp_path: Path) -> None:  # noqa: F811
    port_file = tmp_path / "control.port"
    probe: Probe = probe_factory(
        {"market_data": {"rate": 0, "count": 0}, "control": {"port_file": str(port_file)}}
    )
    probe.md_login()
    probe.td_login()
    with SimControl.from_port_file(port_file) as control:
        assert "vtcore-ctpsim" in control.ping()
        status = control.status()
        assert sorted(api["front"] for api in status["apis"]) == ["md", "td"]
        assert all(api["logged_in"] for api in status["apis"])
        # A burst on demand: the configured count was 0, so nothing ticked until now.
        probe.send("md_print 0", "md_sub m2601")
        probe.wait("md.OnRspSubMarketData")
        assert control.ticks(1000, rate=0) == 1
        probe.send("md_wait_ticks 1000 60")
        assert probe.wait("md_waited")[0]["ticks"] == 1000
        # A resting buy fills when the price is moved through it, at the order's own price.
        probe.send("td_order 1 rb2601 SHFE 0 0 3000 1 limit")
        probe.wait("td.OnRtnOrder", OrderRef="1", OrderStatus="3")
        control.set_price("rb2601", 2990)
        assert probe.wait("td.OnRtnTrade", OrderRef="1")[0]["Price"] == 3000
        # Delayed responses: a lower bound only.
        control.delay(300, front="td")
        probe.send("td_qry account")
        answered = probe.wait("td.OnRspQryTradingAccount")[0]
        assert answered["t"] - probe.wait("cmd", cmd="td_qry")[0]["t"] >= 0.3
        control.delay(0, front="td")
        # A login rejected on demand, and a front dropped on demand.
        control.reject_login("md", 1)
        assert control.disconnect("md", reconnect_ms=20) == 1
        probe.wait("md.OnFrontConnected", 2)
        probe.send("md_login 9999 u1 p1")
        assert probe.wait("md.OnRspUserLogin", 2)[1]["ErrorID"] == 3
        with pytest.raises(SimulatorError, match="unknown command"):
            control.command("explode")
        with pytest.raises(SimulatorError, match="unknown instrument"):
            control.set_price("nosuch", 1.0)


def test_config_by_front_address_and_bad_config(probe_factory, tmp_path: Path) -> None:  # noqa: F811
    single = ctpsim.write_config(
        tmp_path / "one.json",
        {
            "instruments": [
                {
                    "id": "ag2602",
                    "exchange": "SHFE",
                    "name": "白银2602",
                    "multiplier": 15,
                    "price_tick": 1,
                    "price": 7800,
                }
            ]
        },
    )
    probe: Probe = probe_factory()
    probe.td_login(front=ctpsim.front_address(single))
    probe.send("td_qry instrument")
    only = probe.wait("td.OnRspQryInstrument")[0]
    assert (only["InstrumentID"], only["InstrumentName"], only["last"]) == ("ag2602", "白银2602", True)
    assert (single.stat().st_mode & 0o777) == 0o600

    bad = ctpsim.write_config(tmp_path / "bad.json", {"market_data": {"rat": 5}})
    broken: Probe = probe_factory(env={ctpsim.CONFIG_ENV: str(bad)})
    broken.send("md_create bad_", "md_front tcp://127.0.0.1:0", "md_init")
    assert "unknown key market_data.rat" in broken.wait_stderr("bad.json")
    broken.send("md_login 9999 u p")  # like an unreachable front: no connection, requests fail
    assert broken.wait("ret", cmd="md_login")[0]["value"] == -1


def test_a_value_too_long_for_its_field_is_sent_empty_and_reported(probe_factory, tmp_path: Path) -> None:  # noqa: F811
    """vtcore's fixed-string policy in the simulator too: a name that does not fit InstrumentName (char[21],
    GB18030) is sent empty, with a line on stderr, instead of a cut name that would show something else."""
    long_name = "螺纹钢主力连续合约二零二六年一月"  # 16 characters: 32 bytes in GB18030
    config = ctpsim.write_config(
        tmp_path / "long.json",
        {
            "instruments": [
                {
                    "id": "rb2601",
                    "exchange": "SHFE",
                    "name": long_name,
                    "multiplier": 10,
                    "price_tick": 1,
                    "price": 3100,
                }
            ]
        },
    )
    probe: Probe = probe_factory()
    probe.td_login(front=ctpsim.front_address(config))
    probe.send("td_qry instrument")
    only = probe.wait("td.OnRspQryInstrument")[0]
    assert (only["InstrumentID"], only["InstrumentName"]) == ("rb2601", "")
    assert "32-byte value does not fit a char[21] field" in probe.wait_stderr("does not fit")
