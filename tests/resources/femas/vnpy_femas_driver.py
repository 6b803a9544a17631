"""Drives the unmodified vnpy_femas gateway (its wrappers compiled on Linux from the sdist, see
benchmarks/_vnpy_env.py `ensure_vnpy_femas`) against the simulator's FEMAS front-end and prints what it saw as
JSON.

    python vnpy_femas_driver.py <benchmarks dir> <work dir> <front address> <user> <password>

Run with LD_LIBRARY_PATH=<the simulator's FEMAS folder> and LOCPATH=<the baseline's locales> (the wrappers
convert GB18030 text with the zh_CN.GB18030 locale).

vnpy_femas 1.0.3's own `onRtnOrder` and `onRtnTrade` read `InsertDate` and `TradeDate`, fields its
bundled FEMAS 3.02 headers (and so its wrapper's dicts) do not have: every order and trade report raises
KeyError inside vnpy_femas, and no order status or trade reaches vn.py's engine. The driver therefore also
records, at the class, each report the wrapper hands to those methods (then calls them unchanged): the
front-end's reports as vnpy_femas's wrapper decoded them."""

# ruff: noqa: PLC0415
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def main() -> dict[str, Any]:
    benchmarks, work = Path(sys.argv[1]), Path(sys.argv[2])
    address, user, password = sys.argv[3:6]
    sys.path.insert(0, str(benchmarks))
    import _vnpy_env
    from bench_tick_path import wait_until

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, work, "vnpy_femas.gateway.femas_gateway")
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    reports: list[dict[str, Any]] = []
    fills: list[dict[str, Any]] = []
    for name, records in (("onRtnOrder", reports), ("onRtnTrade", fills)):
        original = getattr(module.FemasTdApi, name)

        def observed(
            self: Any, data: dict[str, Any], original: Any = original, records: Any = records
        ) -> None:
            records.append(dict(data))
            original(self, data)

        setattr(module.FemasTdApi, name, observed)

    engine, seen = _vnpy_env.recording_engine("contract", "tick", "order", "trade", "log")
    gateway = module.FemasGateway(engine, "FEMAS")
    gateway.connect(
        {
            "用户名": user,
            "密码": password,
            "经纪商代码": "9999",
            "交易服务器": address,
            "行情服务器": address,
            "产品名称": "",
            "授权编码": "",
        }
    )

    wait_until(lambda: _vnpy_env.logged(seen, "行情服务器登录成功"), 60.0, "the market-data login")
    wait_until(lambda: _vnpy_env.logged(seen, "合约信息查询成功"), 60.0, "the contracts")
    gateway.subscribe(SubscribeRequest("rb2601", Exchange.SHFE))
    wait_until(lambda: any(t.symbol == "rb2601" for t in list(seen["tick"])), 60.0, "a tick")

    def reported(orderid: str, status: str) -> bool:
        return any(r["UserOrderLocalID"] == orderid and r["OrderStatus"] == status for r in list(reports))

    resting = gateway.send_order(
        OrderRequest("rb2601", Exchange.SHFE, Direction.LONG, OrderType.LIMIT, 1, 3000.0, Offset.OPEN)
    )
    resting_id = resting.split(".", 1)[1]
    wait_until(lambda: reported(resting_id, "3"), 60.0, "the resting order's report")  # NoTradeQueueing
    gateway.cancel_order(CancelRequest(resting_id, "rb2601", Exchange.SHFE))
    wait_until(lambda: reported(resting_id, "5"), 60.0, "the cancel's report")  # Canceled
    filled = gateway.send_order(
        OrderRequest("rb2601", Exchange.SHFE, Direction.LONG, OrderType.LIMIT, 2, 3200.0, Offset.OPEN)
    )
    filled_id = filled.split(".", 1)[1]
    wait_until(lambda: reported(filled_id, "0"), 60.0, "the fill's report")  # AllTraded
    mine = lambda: [f for f in list(fills) if f["UserOrderLocalID"] == filled_id]  # noqa: E731
    wait_until(lambda: sum(f["TradeVolume"] for f in mine()) == 2, 60.0, "the trade reports")

    rebar = next(c for c in seen["contract"] if c.symbol == "rb2601")
    tick = next(t for t in seen["tick"] if t.symbol == "rb2601")
    mapped = _vnpy_env.mapped_libraries()
    report = {
        "contract": [rebar.exchange.value, rebar.name, rebar.size, rebar.pricetick],
        "tick": [tick.last_price, tick.bid_price_1, tick.ask_price_1, tick.limit_up, tick.limit_down],
        "resting": [r["OrderStatus"] for r in reports if r["UserOrderLocalID"] == resting_id],
        "filled": [r["OrderStatus"] for r in reports if r["UserOrderLocalID"] == filled_id],
        "engine_orders": sorted({o.status.name for o in seen["order"]}),
        "trades": [[f["TradeVolume"], f["TradePrice"], f["Direction"], f["OffsetFlag"]] for f in mine()],
        "engine_trades": len(seen["trade"]),
        "logs": [log.msg for log in seen["log"]],
        "mapped": mapped,
    }
    return report


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])  # the benchmarks folder
    import _vnpy_env

    _vnpy_env.run_driver(main)
