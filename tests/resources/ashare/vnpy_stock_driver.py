"""Drives one of vn.py's unmodified gateways (vnpy_xtp's XtpGateway, vnpy_tora's ToraStockGateway or
ToraOptionGateway) against the simulator's XTP or TORA front-end and prints what it saw as JSON: contracts, a
tick, a buy filled, one resting and cancelled, the position.

    python vnpy_stock_driver.py <benchmarks dir> <xtp|tora|tora_option> <work dir> <sim config> [credit]

With "credit" (XTP on a credit account's configuration) it makes a short sale instead and reports the SHORT
position vnpy_xtp builds from the front-end's QueryCreditDebtInfo answer.

Run in `_vnpy_env.stock_worker_env(...)` (the simulator's libraries ahead of the package's bundled real
ones)."""

# ruff: noqa: PLC0415
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

WAIT = 60.0


def connect_xtp(module: Any, engine: Any, config: Path, wait: Callable[..., None]) -> Any:
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
    wait(lambda: gateway.md_api.sse_inited and gateway.md_api.szse_inited, WAIT, "contracts")
    return gateway


def connect_tora(module: Any, engine: Any, config: Path, wait: Callable[..., None]) -> Any:
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
    wait(
        lambda: td.investor_id and len(td.shareholder_ids) >= 2 and gateway.md_api.login_status,
        WAIT,
        "the login",
    )
    return gateway


MODULES = {
    "xtp": "vnpy_xtp.gateway.xtp_gateway",
    "tora": "vnpy_tora.gateway.tora_stock_gateway",
    "tora_option": "vnpy_tora.gateway.tora_option_gateway",
}
CONNECT = {"xtp": connect_xtp, "tora": connect_tora, "tora_option": connect_tora}
#: gateway -> (symbol on SSE, buy price that fills, resting buy price, volume, opening offset's name)
SCENARIOS = {
    "xtp": ("600000", 10.60, 10.00, 100, "NONE"),
    "tora": ("600000", 10.60, 10.00, 100, "NONE"),
    "tora_option": ("10009001", 0.1300, 0.1000, 1, "OPEN"),
}


def main() -> dict[str, Any]:
    benchmarks, gateway_name = Path(sys.argv[1]), sys.argv[2]
    work, config = Path(sys.argv[3]), Path(sys.argv[4])
    credit = sys.argv[5:] == ["credit"]
    sys.path.insert(0, str(benchmarks))
    import _vnpy_env
    from bench_tick_path import wait_until

    env = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
    module = _vnpy_env.import_vnpy_ctp_gateway(env, work, MODULES[gateway_name])
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Status  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest  # type: ignore[import-not-found, unused-ignore]

    engine, seen = _vnpy_env.recording_engine("contract", "tick", "order", "trade", "position")
    gateway = CONNECT[gateway_name](module, engine, config, wait_until)
    symbol, fill_price, rest_price, volume, offset_name = SCENARIOS[gateway_name]
    offset = Offset[offset_name]
    wait_until(lambda: any(c.symbol == symbol for c in list(seen["contract"])), WAIT, "contracts")
    gateway.subscribe(SubscribeRequest(symbol, Exchange.SSE))
    wait_until(lambda: seen["tick"], WAIT, "a tick")

    def status_of(vt_orderid: str, status: Any) -> bool:
        return any(o.vt_orderid == vt_orderid and o.status == status for o in list(seen["order"]))

    if credit:
        gateway.query_account()
        wait_until(lambda: gateway.td_api.margin_trading, WAIT, "the credit account")
        sold = gateway.send_order(
            OrderRequest("000001", Exchange.SZSE, Direction.SHORT, OrderType.MARKET, 100, 0, Offset.OPEN)
        )
        wait_until(lambda: status_of(sold, Status.ALLTRADED), WAIT, "the short sale")

        def short() -> list[Any]:
            positions = list(seen["position"])
            return [p for p in positions if p.symbol == "000001" and p.direction == Direction.SHORT]

        gateway.query_position()  # QueryPosition, then QueryCreditDebtInfo (margin accounts)
        wait_until(short, WAIT, "the short position")
        return {"short": [short()[-1].volume, short()[-1].exchange.value]}

    def buy(price: float) -> str:
        request = OrderRequest(symbol, Exchange.SSE, Direction.LONG, OrderType.LIMIT, volume, price, offset)
        return str(gateway.send_order(request))

    filled = buy(fill_price)
    wait_until(lambda: status_of(filled, Status.ALLTRADED), WAIT, "the fill")
    resting = buy(rest_price)
    wait_until(lambda: status_of(resting, Status.NOTTRADED), WAIT, "the resting order")
    gateway.cancel_order(CancelRequest(resting.split(".", 1)[1], symbol, Exchange.SSE))
    wait_until(lambda: status_of(resting, Status.CANCELLED), WAIT, "the cancel")
    gateway.query_position()
    wait_until(lambda: any(p.symbol == symbol for p in list(seen["position"])), WAIT, "a position")
    bank = next(c for c in seen["contract"] if c.symbol == symbol)
    tick = seen["tick"][0]
    position = [p for p in seen["position"] if p.symbol == symbol][-1]
    trade = next(t for t in seen["trade"] if t.vt_orderid == filled)
    return {
        "contract": [bank.name, bank.pricetick, bank.min_volume],
        "tick": [tick.last_price, tick.limit_up, tick.limit_down],
        "trade": [trade.volume, trade.price],
        "position": [position.volume, position.yd_volume, position.frozen],
        "mapped": _vnpy_env.mapped_libraries(),
    }


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])  # the benchmarks folder
    import _vnpy_env

    _vnpy_env.run_driver(main)
