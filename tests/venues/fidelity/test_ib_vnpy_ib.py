"""vn.py's own IB gateway (`vnpy_ib` 10.45.1.0, unmodified, on the official `ibapi` from the test extra)
runs against the fake TWS: it connects, reads the account and the contract, streams quotes, trades, cancels.

vnpy 4.5.0, vnpy_ib and tzlocal are installed without their dependencies (vnpy's GUI stack is not needed)
into `$VTCORE_TEST_CACHE` the first time (pip, a few seconds), and the gateway runs in a subprocess that has
them on its path, with its own HOME (vnpy writes `~/.vntrader` on import).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from vtcore.peers.ib import AAPL, FakeTws

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
import _vnpy_env

# the first run installs vnpy and vnpy_ib (seconds); later runs take about 3 s
pytestmark = [pytest.mark.fidelity, pytest.mark.slow]

pytest.importorskip("ibapi.client", reason="the official API (nautilus-ibapi) is part of the test extra")

PACKAGES = ("vnpy_ib==10.45.1.0", "vnpy==4.5.0", "tzlocal==5.3.1")
DRIVER = Path(__file__).resolve().parent / "drivers" / "ib_vnpy_ib.py"


@pytest.fixture(scope="module")
def vnpy_ib_site() -> Path:
    root = Path(os.environ.get("VTCORE_TEST_CACHE", Path.home() / ".cache" / "vtcore" / "tests"))
    site = root / f"vnpy-ib-10.45.1.0-py{sys.version_info.major}{sys.version_info.minor}"
    if not (site / "vnpy_ib" / "ib_gateway.py").is_file():
        try:  # the benchmarks' installer: --no-deps into a staging folder renamed when complete
            _vnpy_env._pip_target(PACKAGES[0], site, *PACKAGES[1:], log=lambda _: None)
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"cannot install {', '.join(PACKAGES)} here: {exc}")
    return site


@pytest.fixture
def tws() -> Iterator[FakeTws]:
    # vnpy_ib sends placeOrder, then files the order's OrderData: answers that came sooner (a loaded machine
    # preempting it between the two) would find no order, and its late SUBMITTING would be its last word.
    # A real TWS routes the order first and answers milliseconds later, as this one then does.
    server = FakeTws(order_delay=0.02).start()
    server.set_book(AAPL.con_id, [("189.90", "300")], [("190.10", "200")])
    yield server
    server.stop()


def test_vnpy_ib_trades_against_the_fake_tws(vnpy_ib_site: Path, tws: FakeTws, private_home: Path) -> None:
    # vnpy_ib files a subscription's tick object after it sent reqMktData, so the quotes a local (instant) TWS
    # answers with at once can find none: here both sides of the quote keep moving, as a live market's do
    done_event = threading.Event()

    def quote() -> None:
        books = [([("189.89", "301")], [("190.09", "201")]), ([("189.90", "300")], [("190.10", "200")])]
        while not done_event.wait(0.2):
            books.reverse()
            tws.set_book(AAPL.con_id, *books[0])

    quoting = threading.Thread(target=quote, daemon=True)
    quoting.start()
    environment = {**os.environ, "PYTHONPATH": str(vnpy_ib_site), "HOME": str(private_home)}
    try:
        done = subprocess.run(
            [sys.executable, str(DRIVER), str(tws.port)],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
            check=False,
        )
    finally:
        done_event.set()
        quoting.join(5)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["contracts"][0] == [f"{AAPL.con_id}.SMART", "APPLE INC", 0.01, 1]
    assert seen["quote"] in ([189.9, 300.0, 190.1, 200.0], [189.89, 301.0, 190.09, 201.0])
    [[vt_orderid, price, volume, direction]] = seen["trades"]
    assert (vt_orderid, volume, direction) == (seen["taker"], 10.0, "LONG") and price in (190.09, 190.1)
    assert seen["final"] == {seen["taker"]: "ALLTRADED", seen["resting"]: "CANCELLED"}
    assert seen["accounts"] == ["DU1234567.USD"]
