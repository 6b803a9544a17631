"""Drives the unmodified vnpy_tap gateway against the simulator's TAP front-end and prints what it saw as
JSON.

    python vnpy_tap_driver.py <benchmarks dir> <work dir> <sim config> <user> <password> <auth code>

Run with LD_LIBRARY_PATH=<the simulator's TAP folder>: vnpy_tap's extensions then find the simulator's
libTapQuoteAPI.so and libiTapTradeAPI.so ahead of the package's own (their RUNPATH is $ORIGIN), and the trade
library finds libesssl.so.1.1 and libescrypto.so.1.1 by name on that path, as a vnpy_tap user's real ones are
found (LD_LIBRARY_PATH or ld.so.conf: Esunny's trade library has no usable RPATH for them)."""

# ruff: noqa: PLC0415
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def main() -> dict[str, Any]:
    benchmarks, work, config = (Path(arg) for arg in sys.argv[1:4])
    user, password, auth_code = sys.argv[4:7]
    sys.path.insert(0, str(benchmarks))
    import _vnpy_env
    from bench_tick_path import wait_until

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, work, "vnpy_tap.gateway.tap_gateway")
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Status  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    engine, seen = _vnpy_env.recording_engine(
        "contract", "tick", "order", "trade", "position", "account", "log"
    )
    gateway = module.TapGateway(engine, "TAP")
    address = f"127.0.0.1?config={config}"
    gateway.connect(
        {
            "行情账号": user,
            "行情密码": password,
            "行情服务器": address,
            "行情端口": 7171,
            "行情授权码": auth_code,
            "交易账号": user,
            "交易密码": password,
            "交易服务器": address,
            "交易端口": 7171,
            "交易授权码": auth_code,
            "子账号": "",
            "区域代码": "CN",
        }
    )

    # the trade side's start-up chain: commodities, contracts, account, funds, positions, orders, fills
    wait_until(lambda: _vnpy_env.logged(seen, "查询成交信息成功"), 60.0, "the start-up queries")
    wait_until(lambda: _vnpy_env.logged(seen, "行情服务器登录成功"), 60.0, "the quote login")
    gateway.subscribe(SubscribeRequest("CL2601", Exchange.NYMEX))
    wait_until(lambda: any(t.symbol == "CL2601" for t in list(seen["tick"])), 60.0, "a tick")

    def status_of(vt_orderid: str, status: Any) -> bool:
        return any(o.vt_orderid == vt_orderid and o.status == status for o in list(seen["order"]))

    resting = gateway.send_order(
        OrderRequest("CL2601", Exchange.NYMEX, Direction.LONG, OrderType.LIMIT, 1, 66.0, Offset.NONE)
    )
    wait_until(lambda: status_of(resting, Status.NOTTRADED), 60.0, "the resting order")
    gateway.cancel_order(CancelRequest(resting.split(".", 1)[1], "CL2601", Exchange.NYMEX))
    wait_until(lambda: status_of(resting, Status.CANCELLED), 60.0, "the cancel")
    filled = gateway.send_order(
        OrderRequest("CL2601", Exchange.NYMEX, Direction.LONG, OrderType.LIMIT, 2, 70.0, Offset.NONE)
    )
    wait_until(lambda: status_of(filled, Status.ALLTRADED), 60.0, "the fill")
    wait_until(
        lambda: sum(t.volume for t in list(seen["trade"]) if t.vt_orderid == filled) == 2, 60.0, "the trades"
    )

    crude = next(c for c in seen["contract"] if c.symbol == "CL2601")
    tick = next(t for t in seen["tick"] if t.symbol == "CL2601")
    trades = [t for t in seen["trade"] if t.vt_orderid == filled]
    mapped = _vnpy_env.mapped_libraries()
    report = {
        "contract": [crude.exchange.value, crude.name, crude.size, crude.pricetick, crude.net_position],
        "exchanges": sorted({c.exchange.value for c in seen["contract"]}),
        "tick": [tick.last_price, tick.bid_price_1, tick.ask_price_1, tick.datetime.isoformat()],
        "resting": [o.status.name for o in seen["order"] if o.vt_orderid == resting],
        "filled": [o.status.name for o in seen["order"] if o.vt_orderid == filled],
        "trades": [[t.volume, t.price, t.tradeid, t.direction.name] for t in trades],
        "accounts": [[a.accountid, a.balance] for a in seen["account"]],
        "positions": [[p.symbol, p.exchange.value, p.direction.name, p.volume] for p in seen["position"]],
        "logs": [log.msg for log in seen["log"]],
        "mapped": mapped,
    }
    return report


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])  # the benchmarks folder
    import _vnpy_env

    _vnpy_env.run_driver(main)
