"""OrderTracker: the one rule set for the order and trade updates every gateway pushes, under arbitrary
delivery (updates arrive late, twice, out of order, over REST and over a stream, replayed after a reconnect).
What a user relies on: each order's pushed updates only move forward, the last state delivered is reached,
each trade is pushed once, and a rejection says why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from vtcore.constant import FINAL_STATUSES, Direction, Exchange, Offset, OrderType, Status
from vtcore.object import OrderData, TradeData
from vtcore.orders import STATUS_RANK, OrderTracker


class Sink:
    """What a gateway pushes, recorded."""

    gateway_name = "T"

    def __init__(self) -> None:
        self.orders: list[OrderData] = []
        self.trades: list[TradeData] = []
        self.logs: list[tuple[str, int]] = []

    def on_order(self, order: OrderData) -> None:
        self.orders.append(order)

    def on_trade(self, trade: TradeData) -> None:
        self.trades.append(trade)

    def write_log(self, msg: str, level: int = logging.INFO) -> None:
        self.logs.append((msg, level))


def order(status: Status = Status.SUBMITTING, traded: float = 0.0, orderid: str = "o1") -> OrderData:
    return OrderData(
        gateway_name="T",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        orderid=orderid,
        type=OrderType.LIMIT,
        direction=Direction.LONG,
        price=100.0,
        volume=10.0,
        traded=traded,
        status=status,
    )


def trade(tradeid: str, exchange: Exchange = Exchange.SHFE, symbol: str = "rb2605") -> TradeData:
    return TradeData(
        gateway_name="T",
        symbol=symbol,
        exchange=exchange,
        orderid="o1",
        tradeid=tradeid,
        direction=Direction.LONG,
        volume=1.0,
    )


def test_a_late_nottraded_after_parttraded_is_dropped() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)
    tracker.order(order())
    tracker.order(order(Status.PARTTRADED, 3))
    assert tracker.order(order(Status.NOTTRADED, 0)) is None
    assert [o.status for o in sink.orders] == [Status.SUBMITTING, Status.PARTTRADED]


def test_a_replayed_state_is_pushed_once() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)
    for _ in range(3):
        tracker.order(order(Status.NOTTRADED))
    assert len(sink.orders) == 1


def test_fills_reported_after_the_cancel_are_kept_and_the_order_stays_cancelled() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)
    tracker.order(order(Status.NOTTRADED))
    tracker.order(order(Status.CANCELLED, 0))
    late = tracker.order(order(Status.PARTTRADED, 2))  # the fill happened before the cancel took effect
    assert late is not None and (late.status, late.traded) == (Status.CANCELLED, 2)
    assert tracker.trade(trade("9")) is not None  # the trade itself is pushed whatever the order's status
    assert tracker.order(order(Status.CANCELLED, 2)) is None  # nothing new
    assert tracker.order(order(Status.NOTTRADED, 0)) is None


def test_a_final_report_with_a_stale_fill_count_keeps_the_fills() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)
    tracker.order(order(Status.PARTTRADED, 4))
    pushed = tracker.order(order(Status.CANCELLED, 0))
    assert pushed is not None and (pushed.status, pushed.traded) == (Status.CANCELLED, 4)


def test_a_rejection_always_says_why() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)
    silent = tracker.order(order(Status.REJECTED, orderid="a"))
    assert silent is not None and silent.extra == {"reason": "rejected by T"}
    told = tracker.reject(order(orderid="b"), "insufficient margin")
    assert (
        told is not None
        and told.status == Status.REJECTED
        and told.extra == {"reason": "insufficient margin"}
    )
    assert ("order T.b (rb2605.SHFE) rejected: insufficient margin", logging.WARNING) in sink.logs


def test_update_keeps_the_known_order_and_its_extra() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)
    first = order()
    first.extra = {"venue": "x"}
    tracker.order(first)
    updated = tracker.update("o1", Status.CANCELLED, reason="expired")
    assert updated is not None and updated.extra == {"venue": "x", "reason": "expired"}
    assert first.status == Status.SUBMITTING and first.extra == {"venue": "x"}  # pushed objects never change
    assert tracker.update("unknown", Status.NOTTRADED) is None


def test_an_update_changes_only_what_it_names() -> None:
    """Every field the order was pushed with (reference, offset, type, time, ...) reaches the update."""
    sink = Sink()
    tracker = OrderTracker(sink)
    sent = OrderData("T", "600000", Exchange.SSE, "o1", OrderType.FAK, Direction.SHORT, Offset.CLOSE, 10.5,
                     300, 100, Status.PARTTRADED, dt.datetime(2026, 12, 7, 9, 30), "strategy A")  # fmt: skip
    tracker.order(sent)
    moment = dt.datetime(2026, 12, 7, 9, 31)
    updated = tracker.update("o1", Status.ALLTRADED, traded=300, moment=moment)
    assert updated == dataclasses.replace(sent, status=Status.ALLTRADED, traded=300, datetime=moment)
    assert type(updated) is OrderData and sent.status == Status.PARTTRADED


def test_advance_moves_a_known_working_order_and_declines_what_it_cannot_vouch_for() -> None:
    """The short way of a report (StockGateway.order_moved): a known order with the same volume and price
    moves (the time read only then); a repeat pushes nothing; an unknown order or other figures are declined
    with nothing done, so that the report takes the full way."""
    sink = Sink()
    tracker = OrderTracker(sink)
    sent = OrderData("T", "600000", Exchange.SSE, "o1", OrderType.LIMIT, Direction.LONG, Offset.NONE, 10.5,
                     300, 0, Status.SUBMITTING, dt.datetime(2026, 12, 7, 9, 30), "strategy A")  # fmt: skip
    tracker.order(sent)
    asked: list[int] = []

    def time_of(when: int) -> dt.datetime:
        asked.append(when)
        return dt.datetime(2026, 12, 7, 9, 31)

    def advance(
        orderid: str, status: Status, traded: float, volume: float = 300.0, price: float = 10.5
    ) -> bool:
        return tracker.advance(orderid, status, traded, volume=volume, price=price, when=931, time_of=time_of)

    assert advance("o1", Status.NOTTRADED, 0)
    assert sink.orders[-1] == dataclasses.replace(
        sent, status=Status.NOTTRADED, datetime=dt.datetime(2026, 12, 7, 9, 31)
    )
    assert advance("o1", Status.NOTTRADED, 0) and len(sink.orders) == 2 and asked == [931]  # a repeat
    assert not advance("o2", Status.NOTTRADED, 0)  # not known here
    assert not advance("o1", Status.PARTTRADED, 100, volume=200)  # other figures: the full way decides
    assert not advance("o1", Status.PARTTRADED, 100, price=10.6)
    assert advance("o1", Status.PARTTRADED, 100) and sink.orders[-1].traded == 100
    assert advance("o1", Status.NOTTRADED, 0) and sink.orders[-1].status == Status.PARTTRADED  # never back
    assert len(sink.orders) == 3 and sent.status == Status.SUBMITTING  # pushed objects never change


def test_a_trade_id_made_unique_keeps_the_trade() -> None:
    sink = Sink()
    tracker = OrderTracker(sink, trade_ids="exchange")
    fill = TradeData("T", "rb2601", Exchange.SHFE, "o1", "7", Direction.LONG, Offset.OPEN, 3500.0, 2,
                     dt.datetime(2026, 12, 7, 21, 1))  # fmt: skip
    tracker.trade(fill)
    assert sink.trades == [dataclasses.replace(fill, tradeid="SHFE.7")]


def test_equal_trade_ids_of_two_exchanges_are_two_trades_with_unique_vt_tradeids() -> None:
    sink = Sink()
    tracker = OrderTracker(sink, trade_ids="exchange")
    tracker.trade(trade("1", Exchange.SHFE))
    tracker.trade(trade("1", Exchange.DCE))
    tracker.trade(trade("1", Exchange.SHFE))  # a replay
    assert [t.vt_tradeid for t in sink.trades] == ["T.SHFE.1", "T.DCE.1"]


def test_equal_trade_ids_of_two_symbols_are_two_trades() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)  # ids pushed as the venue gives them
    tracker.trade(trade("7", symbol="BTCUSDT"))
    tracker.trade(trade("7", symbol="ETHUSDT"))
    assert [t.tradeid for t in sink.trades] == ["7", "7"]


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
def test_order_updates_only_move_forward_and_trades_are_pushed_once(fills, cancelled, data):
    sink = Sink()
    tracker = OrderTracker(sink)
    submitted = order()
    tracker.order(submitted)

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
        tracker.update("o1", status, traded=traded)
    for tradeid in trade_deliveries:
        tracker.trade(trade(tradeid))

    for before, after in itertools.pairwise(sink.orders):
        assert before.status not in FINAL_STATUSES  # nothing after a final state (no fill comes after it)
        assert after.traded > before.traded or (
            after.traded == before.traded and STATUS_RANK[after.status] > STATUS_RANK[before.status]
        )
    last = tracker.get("o1")
    assert last is not None and (last.status, last.traded) == truth[-1]  # the last true state is reached
    assert sink.orders[-1] is last
    assert sorted(t.tradeid for t in sink.trades) == sorted(trade_ids)
    assert submitted.status == Status.SUBMITTING  # pushed objects are never mutated


@settings(max_examples=300, deadline=None)
@given(
    pushed=st.lists(
        st.tuples(st.sampled_from(list(Status)), st.sampled_from([0.0, 2.0, 10.0])), min_size=0, max_size=4
    ),
    report=st.tuples(
        st.sampled_from(list(Status)),
        st.sampled_from([0.0, 2.0, 10.0]),
        st.sampled_from([10.0, 20.0]),
        st.sampled_from([100.0, 101.0]),
    ),
)
def test_a_report_called_a_repeat_is_one_the_tracker_drops(pushed, report):
    """Gateways skip building a report's OrderData when `is_repeat` says so: that must never lose an update,
    i.e. every report it calls a repeat is one `order` would have dropped, and it names the plain repeat."""
    sink = Sink()
    tracker = OrderTracker(sink)
    for status, traded in pushed:
        tracker.order(order(status, traded))
    status, traded, volume, price = report
    repeat = tracker.is_repeat("o1", status, traded, volume, price)
    before = len(sink.orders)
    reported = order(status, traded)
    reported.volume, reported.price = volume, price
    if repeat:
        assert tracker.order(reported) is None and len(sink.orders) == before
    last = tracker.get("o1")
    same = last is not None and (last.status, last.traded, last.volume, last.price) == report
    assert repeat == same


def test_an_unknown_order_is_never_a_repeat() -> None:
    tracker = OrderTracker(Sink())
    assert not tracker.is_repeat("o1", Status.SUBMITTING, 0.0, 10.0, 100.0)
    tracker.order(order())
    assert tracker.is_repeat("o1", Status.SUBMITTING, 0.0, 10.0, 100.0)
    assert not tracker.is_repeat("o2", Status.SUBMITTING, 0.0, 10.0, 100.0)


def test_a_report_of_a_rejected_order_that_is_dropped_is_logged_as_a_warning() -> None:
    sink = Sink()
    tracker = OrderTracker(sink)
    tracker.order(order())
    tracker.reject(order(), "outcome unknown (timed out)")
    sink.logs.clear()
    assert tracker.order(order(Status.NOTTRADED)) is None  # final stays final
    assert sink.logs == [
        (
            "order T.o1: NOTTRADED reported after it was rejected (outcome unknown (timed out)); the report "
            "is dropped",
            logging.WARNING,
        )
    ]
    assert tracker.order(order(Status.REJECTED)) is None  # a repeat of the rejection says nothing new
    assert len(sink.logs) == 1
