"""Drives one of vn.py's unmodified gateways (vnpy_xtp's XtpGateway, vnpy_tora's ToraStockGateway or
ToraOptionGateway) against the simulator's XTP or TORA front-end and prints what it saw as JSON: contracts, a
tick, a buy filled, one resting and cancelled, the position.

    python vnpy_stock_driver.py <xtp|tora|tora_option> <benchmarks dir> <work dir> <sim config>

Run in `_vnpy_env.stock_worker_env(...)` (the simulator's libraries ahead of the package's bundled real
ones)."""

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


def connect_xtp(module: Any, engine: Any, config: Path) -> Any:
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
    return gateway


def connect_tora(module: Any, engine: Any, config: Path) -> Any:
    gateway = (module.ToraOptionGateway if hasattr(module, "ToraOptionGateway") else module.ToraStockGateway)(
        engine, "TORA"
    )
    address = f"tcp://127.0.0.1:0?config={config}"
    gateway.connect(
        {
            "账号": "stock01",
            "密码": "sim-pass-8",
            "行情服务器": address,
            "交易服务器": address,
            "产品标识": "",
            "动态密钥": "",
            "账号类型": module.ACCOUNT_USERID,
            "地址类型": module.ADDRESS_FRONT,
        }
    )
    # vnpy_tora queries securities, the investor and the shareholder accounts after its login
    td = gateway.td_api
    wait(lambda: td.investor_id and len(td.shareholder_ids) >= 2 and gateway.md_api.login_status, "the login")
    return gateway


MODULES = {
    "xtp": "vnpy_xtp.gateway.xtp_gateway",
    "tora": "vnpy_tora.gateway.tora_stock_gateway",
    "tora_option": "vnpy_tora.gateway.tora_option_gateway",
}
CONNECT = {"xtp": connect_xtp, "tora": connect_tora, "tora_option": connect_tora}
#: sdk -> (symbol, SSE, buy price that fills, resting buy price, volume, opening offset's name)
SCENARIOS = {
    "xtp": ("600000", 10.60, 10.00, 100, "NONE"),
    "tora": ("600000", 10.60, 10.00, 100, "NONE"),
    "tora_option": ("10009001", 0.1300, 0.1000, 1, "OPEN"),
}


def main() -> None:
    sdk = sys.argv[1]
    benchmarks, work, config = (Path(arg) for arg in sys.argv[2:5])
    sys.path.insert(0, str(benchmarks))
    import _vnpy_env

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, work, MODULES[sdk])
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
    gateway = CONNECT[sdk](module, engine, config)
    symbol, fill_price, rest_price, volume, offset_name = SCENARIOS[sdk]
    offset = Offset[offset_name]
    wait(lambda: any(c.symbol == symbol for c in list(seen["contract"])), "contracts")
    gateway.subscribe(SubscribeRequest(symbol, Exchange.SSE))
    wait(lambda: seen["tick"], "a tick")

    def status_of(vt_orderid: str, status: Any) -> bool:
        return any(o.vt_orderid == vt_orderid and o.status == status for o in list(seen["order"]))

    def buy(price: float) -> str:
        request = OrderRequest(symbol, Exchange.SSE, Direction.LONG, OrderType.LIMIT, volume, price, offset)
        return str(gateway.send_order(request))

    filled = buy(fill_price)
    wait(lambda: status_of(filled, Status.ALLTRADED), "the fill")
    resting = buy(rest_price)
    wait(lambda: status_of(resting, Status.NOTTRADED), "the resting order")
    gateway.cancel_order(CancelRequest(resting.split(".", 1)[1], symbol, Exchange.SSE))
    wait(lambda: status_of(resting, Status.CANCELLED), "the cancel")
    gateway.query_position()
    wait(lambda: any(p.symbol == symbol for p in list(seen["position"])), "a position")
    bank = next(c for c in seen["contract"] if c.symbol == symbol)
    tick = seen["tick"][0]
    position = [p for p in seen["position"] if p.symbol == symbol][-1]
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
    os._exit(0)  # the SDK threads would keep the process alive


if __name__ == "__main__":
    main()
