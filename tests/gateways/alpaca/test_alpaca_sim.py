"""`vtcore run --sim --gateway ALPACA`: the local Alpaca venue starts with a book, the gateway connects to it
with the peer's setting, ticks arrive and a demo order fills; the peer stops cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from venues.harness import Recorder
from vtcore.constant import Direction, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.gateways import load_gateway_class, start_sim_peer
from vtcore.gateways._venue import Timing
from vtcore.object import OrderRequest, SubscribeRequest


def test_sim_peer_serves_the_gateway(main_engine: MainEngine) -> None:
    peer = start_sim_peer("alpaca")
    try:
        assert peer.gateway == "ALPACA" and "ALPACA on its local venue" in peer.description
        recorder = Recorder(main_engine)
        gateway = main_engine.add_gateway(load_gateway_class("ALPACA"))
        gateway.timing = Timing.fast()  # type: ignore[attr-defined]
        main_engine.connect(peer.setting, "ALPACA")
        recorder.wait(lambda: "connected" in recorder.logs(), what="connected")
        contract = next(c for c in recorder.wait(recorder.contracts) if c.symbol == "AAPL")
        main_engine.subscribe(SubscribeRequest(contract.symbol, contract.exchange), "ALPACA")
        tick = recorder.wait(
            lambda: (t := recorder.ticks(contract.vt_symbol)) and t[-1].ask_price_1 and t[-1]
        )
        vt_orderid = main_engine.send_order(
            OrderRequest(
                contract.symbol, contract.exchange, Direction.LONG, OrderType.LIMIT, 1, tick.ask_price_1
            ),
            "ALPACA",
        )
        recorder.reaches(vt_orderid, Status.ALLTRADED)
    finally:
        main_engine.close()
        peer.stop()


def test_vtcore_run_sim_gateway_alpaca(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "VTCORE_HOME": str(tmp_path / ".vntrader"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "vtcore"),
            "run",
            "--sim",
            "--gateway",
            "ALPACA",
            "--duration",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "ALPACA on its local venue" in done.stdout
