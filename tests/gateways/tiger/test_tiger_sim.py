"""`vtcore run --sim --gateway TIGER`: the fake Tiger open API with a fresh key pair and a moving market; the
gateway connects with the peer's setting, ticks arrive and a demo order fills; the peer stops cleanly.
`vtcore info` says which of the packages TIGER needs are there."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from venues.harness import Recorder, run_sim
from vtcore.constant import Direction, Exchange, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.gateways import load_gateway_class, start_sim_peer
from vtcore.gateways._venue import Timing
from vtcore.object import OrderRequest, SubscribeRequest

pytest.importorskip("tigeropen", reason="the Tiger peer speaks through tigeropen's protobuf modules")


def test_sim_peer_serves_the_gateway(main_engine: MainEngine) -> None:
    peer = start_sim_peer("TIGER")
    try:
        recorder = Recorder(main_engine)
        gateway = main_engine.add_gateway(load_gateway_class("TIGER"))
        gateway.timing = Timing.fast()  # type: ignore[attr-defined]
        main_engine.connect(peer.setting, "TIGER")
        recorder.wait(lambda: "connected" in recorder.logs(), what="connected")
        assert any(position.volume == 100 for position in recorder.wait(recorder.positions))
        main_engine.subscribe(SubscribeRequest("AAPL", Exchange.SMART), "TIGER")
        tick = recorder.wait(lambda: (t := recorder.ticks("AAPL.SMART")) and t[-1].ask_price_1 and t[-1])
        vt_orderid = main_engine.send_order(
            OrderRequest("AAPL", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 5, tick.ask_price_1 + 1),
            "TIGER",
        )
        recorder.reaches(vt_orderid, Status.ALLTRADED)
    finally:
        main_engine.close()
        peer.stop()


def test_vtcore_run_sim_gateway_tiger(tmp_path: Path) -> None:
    assert "TIGER on a fake Tiger open API" in run_sim("TIGER", tmp_path, duration=4)


def test_vtcore_info_reports_the_packages_tiger_needs(capsys: pytest.CaptureFixture[str]) -> None:
    from vtcore.cli.info import run_info  # noqa: PLC0415

    assert run_info(argparse.Namespace()) == 0
    lines = {line.split(":", 1)[0].strip(): line for line in capsys.readouterr().out.splitlines()}
    assert "3.8.0 installed" in lines["tigeropen"] and "TIGER" in lines["tigeropen"]
    for package in ("protobuf", "cryptography"):
        assert " installed - TIGER" in lines[package], lines[package]
