"""The order/trade book-keeping every REST/WebSocket gateway shares, under arbitrary delivery: venue updates
arrive late, twice, out of order, over REST and over the stream. What a user relies on: each order's pushed
updates only move forward, the final state is reached once it has been delivered, and each trade is pushed
once.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vtcore.constant import Direction, Exchange, OrderType, Status
from vtcore.event import EventEngine
from vtcore.gateways._transport.gateway import FINAL_STATUSES
from vtcore.gateways.binance import BinanceSpotGateway
from vtcore.object import OrderData, TradeData

RANK = {
    Status.SUBMITTING: 0,
    Status.NOTTRADED: 1,
    Status.PARTTRADED: 2,
    Status.ALLTRADED: 3,
    Status.CANCELLED: 3,
    Status.REJECTED: 3,
}


@pytest.fixture(scope="module")
def gateway():
    gateway = BinanceSpotGateway(EventEngine(), "BOOK")
    yield gateway


def history(fills: list[int], cancelled: bool) -> list[tuple[Status, float]]:
    """The true sequence of an order of 10 lots: accepted, then fills, then filled or cancelled."""
    states = [(Status.NOTTRADED, 0.0)]
    traded = 0
    for fill in fills:
        if traded + fill > 10:
            break
        traded += fill
        states.append((Status.ALLTRADED if traded == 10 else Status.PARTTRADED, float(traded)))
    if traded < 10 and cancelled:
        states.append((Status.CANCELLED, float(traded)))
    return states


@settings(max_examples=300, deadline=None)
@given(
    fills=st.lists(st.integers(min_value=1, max_value=4), max_size=6),
    cancelled=st.booleans(),
    data=st.data(),
)
def test_order_updates_only_move_forward_and_trades_are_pushed_once(gateway, fills, cancelled, data):
    pushed_orders: list[OrderData] = []
    pushed_trades: list[TradeData] = []
    gateway.on_order = pushed_orders.append
    gateway.on_trade = pushed_trades.append
    gateway.orders.clear()
    gateway.trade_ids.clear()
    submitted = OrderData(
        gateway_name="BOOK",
        symbol="BTCUSDT",
        exchange=Exchange.BINANCE,
        orderid="o1",
        type=OrderType.LIMIT,
        direction=Direction.LONG,
        price=100.0,
        volume=10.0,
    )
    gateway.orders["o1"] = submitted

    truth = history(fills, cancelled)
    # every true state delivered at least once, some twice, in an arbitrary order (stream and REST race)
    deliveries = truth + data.draw(st.lists(st.sampled_from(truth), max_size=len(truth)))
    deliveries = data.draw(st.permutations(deliveries))
    trade_ids = [f"t{index}" for index in range(1, len(truth)) if truth[index][1] > truth[index - 1][1]]
    trade_deliveries = data.draw(
        st.permutations(
            trade_ids + data.draw(st.lists(st.sampled_from(trade_ids), max_size=3)) if trade_ids else []
        )
    )

    for status, traded in deliveries:
        gateway.update_order("o1", status=status, traded=traded)
    for tradeid in trade_deliveries:
        gateway.add_trade(
            TradeData(
                gateway_name="BOOK",
                symbol="BTCUSDT",
                exchange=Exchange.BINANCE,
                orderid="o1",
                tradeid=tradeid,
                volume=1.0,
            )
        )

    for before, after in itertools.pairwise(pushed_orders):
        assert before.status not in FINAL_STATUSES  # nothing after a final state
        assert after.traded > before.traded or (
            after.traded == before.traded and RANK[after.status] > RANK[before.status]
        )
    last = gateway.orders["o1"]
    assert (last.status, last.traded) == truth[-1]  # every state was delivered: the last true one wins
    assert pushed_orders[-1] is last
    assert sorted(trade.tradeid for trade in pushed_trades) == sorted(trade_ids)
    assert submitted.status == Status.SUBMITTING  # pushed objects are never mutated
