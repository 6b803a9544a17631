"""Futu's own SDK (`futu-api` 10.11.7108, unmodified, from the test extra) drives the fake OpenD: its quote
context subscribes and receives basic quote and order book pushes, reads static info, the global state and
paged klines; its trade context lists accounts, is refused while locked, unlocks, places, receives order
and deal pushes, cancels with `modify_order`, is refused with OpenD's own text, queries funds, positions,
deals and orders; then OpenD restarts and both contexts come back (re-subscribing, re-unlocking) by
themselves. A failure here is a fake-OpenD defect.

The SDK runs in a subprocess (`drivers/futu_sdk.py`): importing it installs a SIGINT handler, starts its
network thread and writes logs under HOME.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.fidelity

pytest.importorskip("futu", reason="futu-api is part of the test extra")

from vtcore.peers.futu import REAL_ACCOUNT, TEXT, TRADE_PASSWORD, FakeOpenD  # noqa: E402

DRIVER = Path(__file__).resolve().parent / "drivers" / "futu_sdk.py"
TENCENT = "HK.00700"


@pytest.fixture
def opend() -> Iterator[FakeOpenD]:
    server = FakeOpenD(keep_alive_interval=2).start()
    server.set_book(TENCENT, [("380.0", "1000"), ("379.8", "500")], [("380.2", "800")])
    server.set_quote(TENCENT, "380.0")
    server.seed_position(REAL_ACCOUNT, TENCENT, "200", "350.0")
    yield server
    server.stop()


def run_driver(opend: FakeOpenD, home: Path) -> dict[str, Any]:
    """Run the SDK's scenario, doing on the fake what it asks for; returns what the SDK saw."""
    actions = {
        "fill": lambda: opend.print_trade(TENCENT, "379.0", "100"),
        "restart": lambda: opend.restart(downtime=0.3),
        "trade": lambda: opend.print_trade(TENCENT, "380.6", "100"),
    }
    log = (home / "sdk.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), str(opend.port), TRADE_PASSWORD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "HOME": str(home)},
    )
    assert process.stdin is not None and process.stdout is not None
    output: list[str] = []
    try:
        for line in process.stdout:
            output.append(line)
            if line.startswith("@@ ASK "):
                what = line.split()[2]
                if what == "trade":  # after a restart: wait until the SDK subscribed and unlocked again
                    deadline = time.monotonic() + 20
                    while opend.subscription_count() == 0:
                        assert time.monotonic() < deadline, "the SDK did not subscribe again"
                        time.sleep(0.02)
                    # the trade context reconnects on its own schedule; the order placed after the restart
                    # needs its unlock, which the SDK repeats by itself (that is what the test checks)
                    while not opend.unlocked:
                        assert time.monotonic() < deadline, "the SDK did not unlock trading again"
                        time.sleep(0.02)
                actions[what]()
                process.stdin.write("ok\n")
                process.stdin.flush()
            elif line.startswith("@@ RESULT "):
                break
        process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
    assert process.returncode == 0, "".join(output[-10:]) + (home / "sdk.log").read_text()[-3000:]
    return dict(json.loads(output[-1].removeprefix("@@ RESULT ")))


def test_futu_api_quote_and_trade_contexts(opend: FakeOpenD, tmp_path: Path) -> None:
    seen = run_driver(opend, tmp_path)
    assert seen["quote"] == [TENCENT, 380.0, 0]
    assert seen["book"] == [[380.0, 1000], [380.2, 800]]
    assert seen["static"] == [["HK.00700", 100], ["HK.09988", 100]]
    assert seen["global_state"] == [0, True]
    assert seen["kline_pages"] == [1000, 440]  # 09:30 .. 09:30 next day is 1440 minutes, in two pages
    assert [REAL_ACCOUNT, "REAL"] in seen["accounts"]
    assert seen["locked"] == TEXT["locked"]
    assert seen["deal"] == [TENCENT, 100.0, 379.0, "BUY"]
    assert seen["remark"] == "sdk-rest"
    assert seen["refused"] == TEXT["lot"].format(lot=100)
    assert seen["positions"] == [[TENCENT, 300.0]]
    assert len(seen["deal_list"]) == 1
    assert sorted(status for _id, status in seen["order_list"]) == ["CANCELLED_ALL", "FILLED_ALL"]
    assert seen["after_restart"] == 380.6
    assert seen["placed_after_restart"] is True
    assert opend.bad_packets == 0
