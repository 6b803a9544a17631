"""`vtcore run --sim --gateway FUTU`: the fake OpenD starts with a moving HK market, the gateway connects with
the peer's setting (REAL, unlocked by the peer's password), ticks arrive and an order at the ask fills; and
`vtcore info` says whether futu-api is importable."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from venues.harness import Recorder, run_sim
from vtcore.constant import Direction, Exchange, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.gateways import load_gateway_class, start_sim_peer
from vtcore.object import OrderRequest, SubscribeRequest

pytest.importorskip("futu", reason="the FUTU peer needs futu-api (pip install '.[futu]')")


def test_sim_peer_serves_the_futu_gateway() -> None:
    peer = start_sim_peer("FUTU")
    main_engine = MainEngine()
    try:
        recorder = Recorder(main_engine)
        main_engine.add_gateway(load_gateway_class("FUTU"))
        main_engine.connect(peer.setting, "FUTU")
        recorder.wait(lambda: main_engine.get_contract("00700.SEHK"), what="the contract")
        main_engine.subscribe(SubscribeRequest("00700", Exchange.SEHK), "FUTU")
        tick = recorder.wait(
            lambda: (t := recorder.ticks("00700.SEHK")) and t[-1].ask_price_1 and t[-1],
            what="a tick with an ask",
        )
        request = OrderRequest(
            "00700", Exchange.SEHK, Direction.LONG, OrderType.LIMIT, 100, tick.ask_price_1 + 2
        )
        vt_orderid = main_engine.send_order(request, "FUTU")
        recorder.reaches(vt_orderid, Status.ALLTRADED)
        recorder.wait(lambda: recorder.trades(vt_orderid), what="the deal")
    finally:
        main_engine.close()
        peer.stop()


def test_vtcore_run_sim_gateway_futu(tmp_path: Path) -> None:
    assert "FUTU on a fake OpenD" in run_sim("FUTU", tmp_path)


def test_vtcore_info_reports_futu_api(capsys: pytest.CaptureFixture[str]) -> None:
    from vtcore.cli.info import run_info  # noqa: PLC0415

    assert run_info(argparse.Namespace()) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("futu-api:"))
    assert "10.11.7108 installed" in line
