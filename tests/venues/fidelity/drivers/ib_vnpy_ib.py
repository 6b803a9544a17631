"""Run vn.py's own IB gateway (`vnpy_ib`, unmodified, on the official `ibapi`) against a TWS at
127.0.0.1:<port>: connect, subscribe by ConId, buy through the ask, rest and cancel a bid; print what it saw
as one JSON line. Run by tests/venues/fidelity/test_ib_vnpy_ib.py in a subprocess whose path holds vnpy
and vnpy_ib.

vnpy.trader.utility imports TA-Lib for its bar ArrayManager only: an empty module stands in for it.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import threading
import time
import types
from collections.abc import Callable
from typing import Any

sys.modules.setdefault("talib", types.ModuleType("talib"))

from vnpy.event import Event, EventEngine  # noqa: E402
from vnpy.trader.constant import Direction, Exchange, Offset, OrderType  # noqa: E402
from vnpy.trader.event import (  # noqa: E402
    EVENT_ACCOUNT,
    EVENT_CONTRACT,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_TICK,
    EVENT_TRADE,
)
from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest  # noqa: E402
from vnpy_ib.ib_gateway import IbGateway  # noqa: E402

KINDS = {
    "tick": EVENT_TICK,
    "order": EVENT_ORDER,
    "trade": EVENT_TRADE,
    "contract": EVENT_CONTRACT,
    "account": EVENT_ACCOUNT,
    "log": EVENT_LOG,
}


def main(port: int) -> None:
    seen: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    changed = threading.Condition()

    def recorder(kind: str) -> Callable[[Event], None]:
        def record(event: Event) -> None:
            with changed:
                # a copy as the event carried it: vnpy_ib pushes the OrderData of send_order itself (later
                # updates mutate it), so a reference would show a status before its own event arrives
                seen[kind].append(copy.copy(event.data))
                changed.notify_all()

        return record

    def wait(predicate: Callable[[], Any], what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        with changed:
            while not predicate():
                if time.monotonic() > deadline:
                    logs = [log.msg for log in seen["log"]][-8:]
                    orders = [(o.vt_orderid, o.status.name) for o in seen["order"]]
                    print(f"vnpy_ib: timed out waiting for {what}; {logs}; {orders}", file=sys.stderr)
                    sys.stderr.flush()
                    os._exit(1)  # vnpy_ib's reader and the event engine are not daemon threads
                changed.wait(0.05)

    engine = EventEngine()
    for kind, name in KINDS.items():
        engine.register(name, recorder(kind))
    engine.start()
    gateway = IbGateway(engine, "IB")
    gateway.connect({"TWS地址": "127.0.0.1", "TWS端口": port, "客户号": 3, "交易账户": "DU1234567"})
    wait(lambda: seen["account"], "the account")
    gateway.subscribe(SubscribeRequest("265598", Exchange.SMART))
    wait(lambda: any(t.bid_price_1 > 0 and t.ask_price_1 > 0 for t in seen["tick"]), "quotes")
    taker = gateway.send_order(
        OrderRequest("265598", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 10, 190.1, Offset.NONE)
    )
    wait(lambda: any(t.vt_orderid == taker for t in seen["trade"]), "the trade")
    resting = gateway.send_order(
        OrderRequest("265598", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 10, 180.0, Offset.NONE)
    )
    wait(
        lambda: any(o.vt_orderid == resting and o.status.name == "NOTTRADED" for o in seen["order"]),
        "resting",
    )
    gateway.cancel_order(CancelRequest(resting.split(".", 1)[1], "265598", Exchange.SMART))
    wait(
        lambda: any(o.vt_orderid == resting and o.status.name == "CANCELLED" for o in seen["order"]), "cancel"
    )
    tick = seen["tick"][-1]
    print(
        json.dumps(
            {
                "contracts": [[c.vt_symbol, c.name, c.pricetick, c.size] for c in seen["contract"]],
                "quote": [tick.bid_price_1, tick.bid_volume_1, tick.ask_price_1, tick.ask_volume_1],
                "trades": [[t.vt_orderid, t.price, t.volume, t.direction.name] for t in seen["trade"]],
                "final": {o.vt_orderid: o.status.name for o in seen["order"]},
                "accounts": sorted({a.accountid for a in seen["account"]}),
                "taker": taker,
                "resting": resting,
            }
        )
    )
    sys.stdout.flush()
    os._exit(0)  # what was to be seen is printed; vnpy_ib's threads end with the process


if __name__ == "__main__":
    main(int(sys.argv[1]))
