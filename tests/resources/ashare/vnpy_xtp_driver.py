"""Drives the unmodified vnpy_xtp gateway against the simulator's XTP front-end and prints what it saw as
JSON.

    python vnpy_xtp_driver.py <benchmarks dir> <work dir> <sim config> [credit]

With "credit" (a credit account's configuration) it makes a short sale instead and reports the SHORT position
vnpy_xtp builds from the front-end's QueryCreditDebtInfo answer.

Run with LD_LIBRARY_PATH=<the simulator's XTP folder> (ahead of vnpy_xtp's bundled real libraries)."""

# ruff: noqa: PLC0415
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def main() -> dict[str, Any]:
    benchmarks, work, config = (Path(arg) for arg in sys.argv[1:4])
    credit = sys.argv[4:] == ["credit"]
    sys.path.insert(0, str(benchmarks))
    import _vnpy_env
    from bench_tick_path import wait_until

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, work, "vnpy_xtp.gateway.xtp_gateway")
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Status  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.event import EVENT_CONTRACT, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    engine, seen = _vnpy_env.recording_engine(
        {
            "contract": EVENT_CONTRACT,
            "tick": EVENT_TICK,
            "order": EVENT_ORDER,
            "trade": EVENT_TRADE,
            "position": EVENT_POSITION,
        }
    )
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
    wait_until(lambda: gateway.md_api.sse_inited and gateway.md_api.szse_inited, 60.0, "contracts")
    gateway.subscribe(SubscribeRequest("600000", Exchange.SSE))
    wait_until(lambda: seen["tick"], 60.0, "a tick")

    def status_of(vt_orderid: str, status: Any) -> bool:
        return any(o.vt_orderid == vt_orderid and o.status == status for o in list(seen["order"]))

    if credit:
        gateway.query_account()
        wait_until(lambda: gateway.td_api.margin_trading, 60.0, "the credit account")
        sold = gateway.send_order(
            OrderRequest("000001", Exchange.SZSE, Direction.SHORT, OrderType.MARKET, 100, 0, Offset.OPEN)
        )
        wait_until(lambda: status_of(sold, Status.ALLTRADED), 60.0, "the short sale")

        def short() -> list[Any]:
            positions = list(seen["position"])
            return [p for p in positions if p.symbol == "000001" and p.direction == Direction.SHORT]

        gateway.query_position()  # QueryPosition, then QueryCreditDebtInfo (margin accounts)
        wait_until(short, 60.0, "the short position")
        return {"short": [short()[-1].volume, short()[-1].exchange.value]}

    filled = gateway.send_order(
        OrderRequest("600000", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100, 10.60, Offset.NONE)
    )
    wait_until(lambda: status_of(filled, Status.ALLTRADED), 60.0, "the fill")
    resting = gateway.send_order(
        OrderRequest("600000", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100, 10.00, Offset.NONE)
    )
    wait_until(lambda: status_of(resting, Status.NOTTRADED), 60.0, "the resting order")
    gateway.cancel_order(CancelRequest(resting.split(".", 1)[1], "600000", Exchange.SSE))
    wait_until(lambda: status_of(resting, Status.CANCELLED), 60.0, "the cancel")
    gateway.query_position()
    wait_until(lambda: any(p.symbol == "600000" for p in list(seen["position"])), 60.0, "a position")
    bank = next(c for c in seen["contract"] if c.symbol == "600000")
    tick = seen["tick"][0]
    position = [p for p in seen["position"] if p.symbol == "600000"][-1]
    trade = next(t for t in seen["trade"] if t.vt_orderid == filled)
    mapped = _vnpy_env.mapped_libraries()
    report = {
        "contract": [bank.name, bank.pricetick, bank.min_volume],
        "tick": [tick.last_price, tick.limit_up, tick.limit_down],
        "trade": [trade.volume, trade.price],
        "position": [position.volume, position.yd_volume, position.frozen],
        "mapped": mapped,
    }
    return report


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])  # the benchmarks folder
    import _vnpy_env

    _vnpy_env.run_driver(main)
