"""`vtcore run --sim --gateway BITMEX|BITFINEX|ONETOKEN|ALPACA`: each gateway's local peer starts, the gateway
connects to it with the peer's setting, ticks arrive and a demo order fills; the peer stops cleanly."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from venues.harness import Recorder, run_sim
from vtcore.constant import Direction, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.gateways import load_gateway_class, start_sim_peer
from vtcore.gateways._venue import Timing
from vtcore.object import OrderRequest, SubscribeRequest


@pytest.mark.parametrize("name", ["BITMEX", "BITFINEX", "ONETOKEN", "ALPACA"])
def test_sim_peer_serves_its_gateway(main_engine: MainEngine, name: str) -> None:
    peer = start_sim_peer(name)
    try:
        recorder = Recorder(main_engine)
        gateway = main_engine.add_gateway(load_gateway_class(name))
        gateway.timing = Timing.fast()  # type: ignore[attr-defined]
        main_engine.connect(peer.setting, name)
        recorder.wait(lambda: "connected" in recorder.logs(), what=f"{name} connected")
        contract = recorder.wait(recorder.contracts)[0]
        main_engine.subscribe(SubscribeRequest(contract.symbol, contract.exchange), name)
        tick = recorder.wait(
            lambda: (t := recorder.ticks(contract.vt_symbol)) and t[-1].ask_price_1 and t[-1]
        )
        vt_orderid = main_engine.send_order(
            OrderRequest(
                contract.symbol,
                contract.exchange,
                Direction.LONG,
                OrderType.LIMIT,
                1.0 if name == "ALPACA" else contract.min_volume * (1 if name == "BITMEX" else 1000),
                tick.ask_price_1,
            ),
            name,
        )
        recorder.reaches(vt_orderid, Status.ALLTRADED)
    finally:
        main_engine.close()
        peer.stop()


@pytest.mark.parametrize("name", ["BITMEX", "ALPACA"])
def test_vtcore_run_sim_gateway(tmp_path: Path, name: str) -> None:
    assert f"{name} on its local venue" in run_sim(name, tmp_path, duration=4)


def test_vtcore_info_lists_the_gateways_and_says_1token_is_gone(capsys: pytest.CaptureFixture[str]) -> None:
    from vtcore.cli.info import run_info  # noqa: PLC0415

    assert run_info(argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "ONETOKEN: the public 1Token service no longer exists" in out
    listed = next(line for line in out.splitlines() if line.startswith("gateways: "))[len("gateways: ") :]
    assert {"HUOBI", "HBDM", "BITMEX", "BITFINEX", "ONETOKEN"} <= set(listed.split(", "))
    assert "BITMEX" in out and "BITFINEX" in out
