"""Drives the unmodified vnpy_xtp gateway against the simulator's XTP front-end and prints what it saw as
JSON.

    python vnpy_xtp_driver.py <benchmarks dir> <work dir> <sim config> [credit]

With "credit" (a credit account's configuration) it makes a short sale instead and reports the SHORT position
vnpy_xtp builds from the front-end's QueryCreditDebtInfo answer.

Run with LD_LIBRARY_PATH=<the simulator's XTP folder> (ahead of vnpy_xtp's bundled real libraries)."""

# ruff: noqa: PLC0415
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def wait(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.01)


def main() -> None:
    benchmarks, work, config = (Path(arg) for arg in sys.argv[1:4])
    credit = sys.argv[4:] == ["credit"]
    sys.path.insert(0, str(benchmarks))
    import _vnpy_env

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, work, "vnpy_xtp.gateway.xtp_gateway")
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Status  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.event import EVENT_CONTRACT, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    seen: dict[str, list[Any]] = {"contract": [], "tick": [], "order": [], "trade": [], "position": []}
    engine = EventEngine()
    for kind, event_type in (
        ("contract", EVENT_CONTRACT),
        ("tick", EVENT_TICK),
        ("order", EVENT_ORDER),
        ("trade", EVENT_TRADE),
        ("position", EVENT_POSITION),
    ):
        engine.register(event_type, lambda event, kind=kind: seen[kind].append(event.data))
    engine.start()
    gateway = module.XtpGateway(engine, "XTP")
    address = f"127.0.0.1?config={config}"
    gateway.connect(
        {
            "账号": "stock01",
            "密码": "sim-pass-8",
            "客户号": 1,
            "行情地址": address,
            "行情端口": 6001,
            "交易地址": address,
            "交易端口": 6002,
            "行情协议": "TCP",
            "日志级别": "FATAL",
            "授权码": "",
        }
    )
    wait(lambda: gateway.md_api.sse_inited and gateway.md_api.szse_inited, "contracts")
    gateway.subscribe(SubscribeRequest("600000", Exchange.SSE))
    wait(lambda: seen["tick"], "a tick")

    def status_of(vt_orderid: str, status: Any) -> bool:
        return any(o.vt_orderid == vt_orderid and o.status == status for o in list(seen["order"]))

    if credit:
        gateway.query_account()
        wait(lambda: gateway.td_api.margin_trading, "the credit account")
        sold = gateway.send_order(
            OrderRequest("000001", Exchange.SZSE, Direction.SHORT, OrderType.MARKET, 100, 0, Offset.OPEN)
        )
        wait(lambda: status_of(sold, Status.ALLTRADED), "the short sale")

        def short() -> list[Any]:
            positions = list(seen["position"])
            return [p for p in positions if p.symbol == "000001" and p.direction == Direction.SHORT]

        gateway.query_position()  # QueryPosition, then QueryCreditDebtInfo (margin accounts)
        wait(short, "the short position")
        sys.stdout.write(json.dumps({"short": [short()[-1].volume, short()[-1].exchange.value]}) + "\n")
        sys.stdout.flush()
        os._exit(0)

    filled = gateway.send_order(
        OrderRequest("600000", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100, 10.60, Offset.NONE)
    )
    wait(lambda: status_of(filled, Status.ALLTRADED), "the fill")
    resting = gateway.send_order(
        OrderRequest("600000", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100, 10.00, Offset.NONE)
    )
    wait(lambda: status_of(resting, Status.NOTTRADED), "the resting order")
    gateway.cancel_order(CancelRequest(resting.split(".", 1)[1], "600000", Exchange.SSE))
    wait(lambda: status_of(resting, Status.CANCELLED), "the cancel")
    gateway.query_position()
    wait(lambda: any(p.symbol == "600000" for p in list(seen["position"])), "a position")
    bank = next(c for c in seen["contract"] if c.symbol == "600000")
    tick = seen["tick"][0]
    position = [p for p in seen["position"] if p.symbol == "600000"][-1]
    trade = next(t for t in seen["trade"] if t.vt_orderid == filled)
    with open("/proc/self/maps", encoding="utf-8") as maps:
        mapped = sorted({line.split()[-1] for line in maps if line.rstrip().endswith(".so")})
    report = {
        "contract": [bank.name, bank.pricetick, bank.min_volume],
        "tick": [tick.last_price, tick.limit_up, tick.limit_down],
        "trade": [trade.volume, trade.price],
        "position": [position.volume, position.yd_volume, position.frozen],
        "mapped": mapped,
    }
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    os._exit(0)  # vnpy_xtp's SDK threads would keep the process alive


if __name__ == "__main__":
    main()
