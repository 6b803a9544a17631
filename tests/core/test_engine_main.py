"""MainEngine and OmsEngine end to end, with an in-test gateway fed by C++ producers (ticks from a
TestProducer, order/trade reports pushed as messages from a "vendor" thread)."""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest

from vtcore import _core, setting
from vtcore.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.errors import GatewayError, GatewayNotFoundError, SettingsError
from vtcore.event import EVENT_GATEWAY_STATE, Event, EventEngine
from vtcore.gateway import BaseGateway
from vtcore.object import (
    AccountData,
    CancelRequest,
    ContractData,
    GatewayStateData,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    TradeData,
)
from vtcore.setting import DefaultSetting

TIMEOUT = 30.0
PASSWORD = "pa55-w0rd-xyz"
KIND_ORDER, KIND_TRADE, KIND_ACCOUNT, KIND_POSITION, KIND_CONTRACT = range(1, 6)


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


class SimGateway(BaseGateway):
    """A gateway whose 'vendor' is a C++ TestProducer (market data) and a Python thread that owns the trading
    producer and pushes JSON reports into it, as a vendor callback thread would push structs."""

    default_name = "SIM"
    default_setting: ClassVar[DefaultSetting] = {
        "username": "",
        "password": "",
        "td_address": "",
        "count": 0,
        "mode": ["fast", "slow"],
    }
    exchanges: ClassVar[list[Exchange]] = [Exchange.SHFE, Exchange.DCE]

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.setting_seen: dict[str, Any] | None = None
        self.closed = False
        self.subscribed: list[str] = []
        self.order_count = 0
        self.work: queue.Queue[tuple[int, dict[str, Any]] | None] = queue.Queue()

    def connect(self, setting: dict[str, Any]) -> None:
        self.setting_seen = setting
        self.write_log(f"connecting with {setting}")  # a careless gateway: the mask must still hide secrets
        self.md = self.create_producer("sim-md")
        self.td = self.create_producer("sim-td", on_message=self.on_message)
        self.vendor = threading.Thread(target=self.vendor_loop, daemon=True)
        self.vendor.start()
        self.on_gateway_state(GatewayStateData(gateway_name=self.gateway_name, front="td", state="connected"))
        self.report(KIND_CONTRACT, {"symbol": "rb2605", "exchange": "SHFE"})
        self.report(KIND_ACCOUNT, {"accountid": "A1", "balance": 1000.0, "frozen": 100.0})

    def vendor_loop(self) -> None:
        while (item := self.work.get()) is not None:
            kind, body = item
            self.td.push_message(kind, 0, True, json.dumps(body).encode())

    def report(self, kind: int, body: dict[str, Any]) -> None:
        self.work.put((kind, body))

    def on_message(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        body = json.loads(payload)
        exchange = Exchange(body.pop("exchange", "SHFE"))
        for key, enum in (("direction", Direction), ("offset", Offset), ("status", Status)):
            if key in body:
                body[key] = enum(body[key])
        name = self.gateway_name
        if kind == KIND_ORDER:
            self.on_order(OrderData(gateway_name=name, exchange=exchange, **body))
        elif kind == KIND_TRADE:
            self.on_trade(TradeData(gateway_name=name, exchange=exchange, **body))
        elif kind == KIND_ACCOUNT:
            self.on_account(AccountData(gateway_name=name, **body))
        elif kind == KIND_POSITION:
            self.on_position(PositionData(gateway_name=name, exchange=exchange, **body))
        elif kind == KIND_CONTRACT:
            self.on_contract(
                ContractData(
                    gateway_name=name,
                    exchange=exchange,
                    name="rebar",
                    product=Product.FUTURES,
                    size=10,
                    pricetick=1,
                    **body,
                )
            )

    def run_market(self, count: int) -> _core.TestProducer:
        test_producer = _core.TestProducer(self.md, ["rb2605", "i2605"], "SHFE")
        test_producer.start(count)
        assert test_producer.join(TIMEOUT)
        return test_producer

    def close(self) -> None:
        self.closed = True
        self.work.put(None)

    def subscribe(self, req: SubscribeRequest) -> None:
        self.subscribed.append(req.vt_symbol)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        self.subscribed.remove(req.vt_symbol)

    def send_order(self, req: OrderRequest) -> str:
        self.order_count += 1
        order = req.create_order_data(str(self.order_count), self.gateway_name)
        self.on_order(order)
        base = {
            "symbol": req.symbol,
            "orderid": order.orderid,
            "direction": req.direction.value,
            "offset": req.offset.value,
            "price": req.price,
            "volume": req.volume,
        }
        self.report(KIND_ORDER, {**base, "status": "NOTTRADED"})
        if req.price >= 3500:  # marketable in this simulation: fill it
            trade = {
                "symbol": req.symbol,
                "orderid": order.orderid,
                "tradeid": f"T{order.orderid}",
                "price": req.price,
                "volume": req.volume,
            }
            self.report(KIND_TRADE, trade)
            self.report(KIND_ORDER, {**base, "status": "ALLTRADED", "traded": req.volume})
            self.report(KIND_POSITION, {"symbol": req.symbol, "direction": "LONG", "volume": req.volume})
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        self.report(KIND_ORDER, {"symbol": req.symbol, "orderid": req.orderid, "status": "CANCELLED"})

    def query_account(self) -> None:
        return None

    def query_position(self) -> None:
        return None


@pytest.fixture
def main_engine(tmp_path, monkeypatch) -> Iterator[MainEngine]:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    setting.load_settings()
    engine = MainEngine(EventEngine(interval=0.05))
    yield engine
    engine.close()


SETTING = {
    "username": "trader",
    "password": PASSWORD,
    "td_address": "tcp://127.0.0.1:1",
    "count": 3,
    "mode": "slow",
}


def test_full_flow_through_the_oms(main_engine, caplog):
    cwd = os.getcwd()
    gateway = main_engine.add_gateway(SimGateway)
    assert main_engine.get_all_gateway_names() == ["SIM"]
    assert main_engine.get_all_exchanges() == [Exchange.SHFE, Exchange.DCE]
    states: list[GatewayStateData] = []
    main_engine.event_engine.register(EVENT_GATEWAY_STATE, lambda event: states.append(event.data))

    with pytest.raises(SettingsError, match="not found"):
        main_engine.connect(None, "SIM")
    setting.save_connect_setting("SIM", SETTING, SimGateway.default_setting)
    with caplog.at_level(logging.INFO, logger="vtcore"):
        main_engine.connect(None, "SIM")  # reads connect_sim.json
        assert gateway.setting_seen == SETTING
        assert wait_until(lambda: "connecting with" in caplog.text)
    assert PASSWORD not in caplog.text
    assert wait_until(lambda: states and states[0].state == "connected")
    assert os.getcwd() == cwd  # no chdir, unlike vn.py

    main_engine.subscribe(SubscribeRequest(symbol="rb2605", exchange=Exchange.SHFE), "SIM")
    assert gateway.subscribed == ["rb2605.SHFE"]
    main_engine.unsubscribe(SubscribeRequest(symbol="rb2605", exchange=Exchange.SHFE), "SIM")
    assert gateway.subscribed == []

    gateway.run_market(1000)
    assert wait_until(
        lambda: (tick := main_engine.get_tick("i2605.SHFE")) is not None and tick.volume == 1000
    )
    assert main_engine.get_tick("rb2605.SHFE").volume == 999
    assert len(main_engine.get_all_ticks()) == 2

    assert wait_until(lambda: main_engine.get_contract("rb2605.SHFE") is not None)
    assert wait_until(lambda: main_engine.get_account("SIM.A1") is not None)
    assert main_engine.get_account("SIM.A1").available == 900.0

    filled = main_engine.send_order(
        OrderRequest(
            symbol="rb2605",
            exchange=Exchange.SHFE,
            direction=Direction.LONG,
            type=OrderType.LIMIT,
            volume=2,
            price=3600,
            offset=Offset.OPEN,
        ),
        "SIM",
    )
    resting = main_engine.send_order(
        OrderRequest(
            symbol="rb2605",
            exchange=Exchange.SHFE,
            direction=Direction.LONG,
            type=OrderType.LIMIT,
            volume=1,
            price=3000,
            offset=Offset.OPEN,
        ),
        "SIM",
    )
    assert (filled, resting) == ("SIM.1", "SIM.2")
    assert wait_until(
        lambda: (order := main_engine.get_order(filled)) is not None and order.status is Status.ALLTRADED
    )
    assert wait_until(
        lambda: (order := main_engine.get_order(resting)) is not None and order.status is Status.NOTTRADED
    )
    assert [order.vt_orderid for order in main_engine.get_all_active_orders()] == [resting]
    trade = main_engine.get_trade("SIM.T1")
    assert trade is not None and trade.volume == 2 and trade.vt_orderid == filled
    assert wait_until(lambda: main_engine.get_position("SIM.rb2605.SHFE.LONG") is not None)

    order = main_engine.get_order(resting)
    main_engine.cancel_order(order.create_cancel_request(), "SIM")
    assert wait_until(lambda: main_engine.get_order(resting).status is Status.CANCELLED)
    assert main_engine.get_all_active_orders() == []
    assert len(main_engine.get_all_orders()) == 2 and len(main_engine.get_all_trades()) == 1

    main_engine.close()
    assert gateway.closed and not main_engine.event_engine.active


def test_connect_validates_settings(main_engine):
    main_engine.add_gateway(SimGateway)
    with pytest.raises(SettingsError, match="not one of the choices") as info:
        main_engine.connect({**SETTING, "mode": "turbo"}, "SIM")
    assert info.value.key == "mode"
    path = setting.get_file_path("connect_sim.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**SETTING, "count": "3"}))
    with pytest.raises(SettingsError, match="expected an integer") as info:
        main_engine.connect(None, "SIM")
    assert info.value.file == str(path) and PASSWORD not in str(info.value)
    with pytest.raises(GatewayNotFoundError):
        main_engine.connect(SETTING, "NOPE")


def test_gateway_names(main_engine):
    main_engine.add_gateway(SimGateway)
    second = main_engine.add_gateway(SimGateway, "SIM2")
    assert second.gateway_name == "SIM2"
    with pytest.raises(GatewayError, match="already exists"):
        main_engine.add_gateway(SimGateway)
    with pytest.raises(GatewayError, match="must not contain"):
        main_engine.add_gateway(SimGateway, "SIM.X")
    assert main_engine.get_gateway("NOPE") is None
    assert (
        main_engine.send_order(
            OrderRequest(
                symbol="rb2605",
                exchange=Exchange.SHFE,
                direction=Direction.LONG,
                type=OrderType.LIMIT,
                volume=1,
            ),
            "NOPE",
        )
        == ""
    )
    assert main_engine.get_default_setting("SIM") == SimGateway.default_setting
    assert main_engine.get_engine("oms") is main_engine.oms_engine


def test_log_events_reach_logging(main_engine, caplog):
    with caplog.at_level(logging.INFO, logger="vtcore"):
        main_engine.write_log("hello from the test", source="TEST")
        assert wait_until(lambda: "hello from the test" in caplog.text)
    record = next(r for r in caplog.records if "hello from the test" in r.getMessage())
    assert record.gateway_name == "TEST" and record.name == "vtcore.gateway"


def test_events_put_by_gateway_helpers(main_engine):
    gateway = main_engine.add_gateway(SimGateway)
    seen: list[str] = []
    main_engine.event_engine.register_general(lambda event: seen.append(event.type))
    gateway.on_order(OrderData(gateway_name="SIM", symbol="rb2605", exchange=Exchange.SHFE, orderid="9"))
    gateway.on_event("eCustom", 1)
    main_engine.event_engine.put(Event("eDone"))
    assert wait_until(lambda: "eDone" in seen)
    assert seen[:3] == ["eOrder.", "eOrder.SIM.9", "eCustom"]


def test_ticks_from_cpp_carry_the_contract_name(main_engine):
    """TickData.name comes from the contract (vn.py's gateways fill it from their contract table): for ticks
    built after the contract arrived, also for a symbol whose ticks were flowing before."""
    event_engine = main_engine.event_engine
    names: list[tuple[str, str]] = []
    event_engine.register("eTick.", lambda event: names.append((event.data.vt_symbol, event.data.name)))
    producer = event_engine.create_producer("names", "SIM", capacity=64)
    before = _core.TestProducer(producer, ["ag2606"], "SHFE")
    before.start(1)
    assert before.join(TIMEOUT) and wait_until(lambda: len(names) == 1)
    assert names == [("ag2606.SHFE", "")]  # no contract yet
    for symbol, name in (("rb2605", "螺纹钢2605"), ("ag2606", "白银2606")):
        main_engine.event_engine.put(
            Event(
                "eContract.",
                ContractData(
                    gateway_name="SIM",
                    symbol=symbol,
                    exchange=Exchange.SHFE,
                    name=name,
                    product=Product.FUTURES,
                    size=10,
                    pricetick=1,
                ),
            )
        )
    assert wait_until(lambda: len(main_engine.get_all_contracts()) == 2)
    after = _core.TestProducer(producer, ["rb2605", "ag2606", "i2605"], "SHFE")
    after.start(3)
    assert after.join(TIMEOUT) and wait_until(lambda: len(names) == 4)
    assert names[1:] == [("rb2605.SHFE", "螺纹钢2605"), ("ag2606.SHFE", "白银2606"), ("i2605.SHFE", "")]
