"""The gateway contract suite's fixtures: one connected session per registered gateway, on its local peer.

How a gateway joins: add a file `tests/contract/peers/<name>.py` holding one module-scoped pytest fixture
named `peer_<name>` that starts the gateway's local peer and yields a `Peer` (`contract_peer.py`), stopping
the peer after the yield. This conftest loads every file of that folder and runs every test of
`test_contract.py` once per `peer_*` fixture it finds; no other file changes. What a `Peer` gives:

- `gateway_class`, `setting` (what `MainEngine.connect` gets), optional `prepare(gateway)` (e.g. fast timing);
- `symbol`, `exchange`, `volume`: a contract that ticks and trades, and an order size it accepts;
- `resting_price`: a buy limit price that rests (below the market), `fill()`: make the market trade through
  that price so the peer fills the resting buy in full, `tick()`: make the peer publish market data for the
  symbol (a no-op where the peer streams anyway);
- `rejected_order()`: a request the peer itself refuses (not vtcore), with its reason;
- `outage(during)`: cut the gateway's private (order and trade) connection, call `during()` while it is cut,
  let the gateway reconnect, and return once it is back and has caught up (its replay or reconciliation
  done);
- `secrets`: every secret of `setting` (each must be absent from every log line), `positions`: whether the
  market reports positions (spot markets report balances only).

The session per gateway connects once (scope "module", one parameter per peer); the tests that end it (close,
then the log check) are the last in `test_contract.py`, which pytest runs in file order within a parameter.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from contract_peer import WAIT, Peer, Session

from venues.harness import LogCapture, Recorder
from vtcore.engine import MainEngine


def _load_peers() -> list[str]:
    """Import every tests/contract/peers/*.py and take its `peer_*` fixtures into this conftest."""
    names = []
    for path in sorted((Path(__file__).parent / "peers").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"contract_peers_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # a peer may use another's helpers (RPC runs CTP behind its server)
        spec.loader.exec_module(module)
        for name, value in vars(module).items():
            if name.startswith("peer_"):
                globals()[name] = value
                names.append(name)
    return sorted(names)


PEERS = _load_peers()


@pytest.fixture(scope="module", params=PEERS)
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    threads_before = set(threading.enumerate())
    peer: Peer = request.getfixturevalue(request.param)
    threads_before |= set(threading.enumerate())  # the peer's own threads are not the gateway's
    capture = LogCapture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(peer.gateway_class, peer.gateway_name)
    peer.prepare(gateway)
    try:
        main_engine.connect(peer.setting, peer.gateway_name)
        recorder.wait(
            lambda: main_engine.get_contract(peer.vt_symbol) and main_engine.get_all_accounts(),
            timeout=WAIT,
            what=f"{peer.gateway_name}: contracts and an account",
        )
        yield Session(peer, main_engine, gateway, recorder, capture, threads_before)
    finally:
        main_engine.close()
        root.removeHandler(capture)
        root.setLevel(old_level)
