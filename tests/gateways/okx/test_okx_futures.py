"""OKEXF (OKX v5 perpetual swaps and dated futures) end to end against the local OKX venue."""

from __future__ import annotations

import pytest
from test_okx_spot import final, order

from venues.harness import connect_okx as connect
from vtcore.constant import Direction, Exchange, OrderType, Product, Status
from vtcore.gateways.okx import OkexfGateway
from vtcore.object import SubscribeRequest

NAME = "OKEXF"


@pytest.fixture
def venue(okx_venue):
    return okx_venue


def test_contracts_are_swaps_and_futures_with_contract_value(main_engine, venue):
    recorder, _ = connect(main_engine, venue, OkexfGateway)
    contracts = {c.symbol: c for c in recorder.contracts()}
    assert set(contracts) == {"BTC-USDT-SWAP", "BTC-USDT-260925"}
    swap, future = contracts["BTC-USDT-SWAP"], contracts["BTC-USDT-260925"]
    assert (swap.product, swap.size, swap.pricetick, swap.min_volume) == (Product.SWAP, 0.01, 0.1, 0.01)
    assert (future.product, future.min_volume) == (Product.FUTURES, 1.0)
    topics = recorder.wait(
        lambda: [m["args"] for kind, m in venue.ws_log if kind == "private" and m["op"] == "subscribe"]
    )
    assert {"channel": "positions", "instType": "SWAP"} in topics[0]


def test_orders_set_leverage_once_then_trade_cross_and_move_the_position(main_engine, venue):
    recorder, _ = connect(main_engine, venue, OkexfGateway, leverage=5)
    first = main_engine.send_order(order(Direction.LONG, OrderType.MARKET, 3, symbol="BTC-USDT-SWAP"), NAME)
    final(recorder, first, Status.ALLTRADED)
    position = recorder.wait(
        lambda: (
            (p := [p for p in recorder.positions() if p.symbol == "BTC-USDT-SWAP"])
            and p[-1].volume == 3
            and p[-1]
        )
    )
    assert (position.direction, position.price, position.exchange) == (Direction.NET, 101.0, Exchange.OKX)

    second = main_engine.send_order(order(Direction.SHORT, OrderType.LIMIT, 5, 100.0, "BTC-USDT-SWAP"), NAME)
    final(recorder, second, Status.ALLTRADED)
    recorder.wait(lambda: [p.volume for p in recorder.positions() if p.symbol == "BTC-USDT-SWAP"][-1] == -2)

    placed = [m["args"][0] for m in venue.order_ops if m["op"] == "order"]
    assert [a["tdMode"] for a in placed] == ["cross", "cross"] and placed[0]["instIdCode"] == 20001
    assert "tgtCcy" not in placed[0]
    assert venue.leverage == {"BTC-USDT-SWAP": "5"}
    assert [p for m, p in venue.request_log if p == "/api/v5/account/set-leverage"] == [
        "/api/v5/account/set-leverage"
    ]


def test_swap_ticks(main_engine, venue):
    recorder, _ = connect(main_engine, venue, OkexfGateway)
    main_engine.subscribe(SubscribeRequest("BTC-USDT-SWAP", Exchange.OKX), NAME)
    recorder.wait(
        lambda: (
            venue.run(lambda: [len(s.state.get("args", [])) for s in venue.sessions if s.kind == "public"])
            == [3]
        )
    )
    venue.set_book("BTC-USDT-SWAP", [("100.0", "10"), ("99.9", "4")], [("100.1", "7")])
    tick = recorder.wait(
        lambda: (t := recorder.ticks("BTC-USDT-SWAP.OKX")) and t[-1].bid_price_2 == 99.9 and t[-1]
    )
    assert (tick.bid_price_1, tick.ask_price_1, tick.ask_volume_1) == (100.0, 100.1, 7.0)


def test_bad_leverage_setting_is_refused_before_connecting(main_engine, venue):
    gateway = main_engine.add_gateway(OkexfGateway)
    setting = dict(OkexfGateway.default_setting)
    setting.update({"server": "REAL", "base_url": venue.http_url, "leverage": 500})
    main_engine.connect(setting, NAME)
    assert venue.request_log == []
    assert not gateway.contracts
