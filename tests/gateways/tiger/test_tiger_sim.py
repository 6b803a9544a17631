"""`vtcore run --sim --gateway TIGER`: the fake Tiger open API with a fresh key pair and a moving market; the
gateway connects with the peer's setting, ticks arrive and a demo order fills; the peer stops cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from venues.harness import Recorder
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
    env = {"HOME": str(tmp_path), "VTCORE_HOME": str(tmp_path / ".vntrader"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "vtcore.cli", "run", "--sim", "--gateway", "TIGER", "--duration", "4"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "TIGER on a fake Tiger open API" in done.stdout
