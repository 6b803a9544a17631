"""BINANCE_SPOT end to end: MainEngine -> gateway -> transport -> the local Binance spot venue and back."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from venues.harness import Recorder, captured_logs, wait_until
from venues.harness import connect_binance_spot as connect
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.gateways._venue import Timing
from vtcore.gateways.binance import BinanceGateway, BinanceSpotGateway
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.binance import API_KEY, API_SECRET, BinanceSpotVenue

NAME = "BINANCE_SPOT"


def order(direction: Direction, order_type: OrderType, volume: float, price: float = 0.0) -> OrderRequest:
    return OrderRequest(
        symbol="BTCUSDT",
        exchange=Exchange.BINANCE,
        direction=direction,
        type=order_type,
        volume=volume,
        price=price,
    )


def test_connect_loads_contracts_account_and_user_stream(main_engine, venue):
    recorder, _gateway = connect(main_engine, venue)

    contracts = {c.symbol: c for c in recorder.contracts()}
    assert set(contracts) == {"BTCUSDT", "ETHUSDT"}
    btc = contracts["BTCUSDT"]
    assert (btc.exchange, btc.product, btc.pricetick, btc.min_volume) == (
        Exchange.BINANCE,
        Product.SPOT,
        0.01,
        0.00001,
    )
    assert btc.vt_symbol == "BTCUSDT.BINANCE"
    accounts = {a.accountid: a for a in recorder.accounts()}
    assert accounts["USDT"].balance == 100000 and accounts["BTC"].balance == 1
    recorder.wait(
        lambda: venue.run(lambda: len(venue.user_subscriptions)) == 1, what="user-data subscription"
    )
    # the spot user stream goes through the WS API, never through the removed listenKey endpoints
    assert not any("userDataStream" in path for _, path in venue.request_log)
    assert BinanceGateway is BinanceSpotGateway


def test_ticks_merge_book_ticker_depth_and_trades(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("BTCUSDT", Exchange.BINANCE), NAME)
    recorder.wait(
        lambda: venue.run(lambda: sum(len(s.topics) for s in venue.sessions if s.kind == "market")) == 3,
        what="three streams subscribed",
    )

    venue.set_book(
        "BTCUSDT",
        [("100.00", "1.0"), ("99.50", "2.0"), ("99.00", "3.0")],
        [("101.00", "1.5"), ("101.50", "3.0")],
    )
    venue.print_trade("BTCUSDT", "100.50", "0.25")

    def merged():
        ticks = recorder.ticks("BTCUSDT.BINANCE")
        return ticks and ticks[-1].last_price == 100.5 and ticks[-1].bid_price_3 == 99.0 and ticks[-1]

    tick = recorder.wait(merged, what="a tick with depth and last trade")
    assert (tick.bid_price_1, tick.bid_volume_1, tick.ask_price_1, tick.ask_volume_1) == (
        100.0,
        1.0,
        101.0,
        1.5,
    )
    assert (tick.ask_price_2, tick.ask_volume_2, tick.ask_price_3) == (101.5, 3.0, 0.0)
    assert tick.last_volume == 0.25
    assert tick.gateway_name == NAME and tick.exchange == Exchange.BINANCE


def test_limit_order_rests_fills_partly_then_fully(main_engine, venue):
    recorder, _ = connect(main_engine, venue)

    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED, what="order accepted"
    )
    venue.print_trade("BTCUSDT", "99.00", "0.2")
    recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.PARTTRADED, what="partial fill"
    )
    venue.print_trade("BTCUSDT", "98.90", "1.0")
    recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.ALLTRADED, what="full fill"
    )

    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2 and recorder.trades(vt_orderid))
    assert [(t.price, t.volume, t.direction) for t in trades] == [
        (99.0, 0.2, Direction.LONG),
        (99.0, 0.3, Direction.LONG),
    ]
    statuses = [o.status for o in recorder.orders(vt_orderid)]
    assert statuses == [Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED, Status.ALLTRADED]
    assert recorder.orders(vt_orderid)[-1].traded == 0.5
    assert main_engine.get_order(vt_orderid).status == Status.ALLTRADED


def test_limit_order_cancel(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.SHORT, OrderType.LIMIT, 0.1, 105.0), NAME)
    placed = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED and o
    )

    main_engine.cancel_order(placed.create_cancel_request(), NAME)

    recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.CANCELLED, what="cancelled"
    )
    assert [o.status for o in recorder.orders(vt_orderid)] == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.CANCELLED,
    ]
    assert recorder.trades(vt_orderid) == []


def test_market_order_takes_the_book(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.MARKET, 2.0), NAME)
    recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.ALLTRADED, what="filled"
    )
    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2 and recorder.trades(vt_orderid))
    assert sorted((t.price, t.volume) for t in trades) == [(101.0, 1.5), (101.5, 0.5)]


@pytest.mark.parametrize(
    ("order_type", "volume", "expected_traded", "expected_trades"),
    [
        (OrderType.FAK, 2.0, 1.5, 1),  # takes what crosses (1.5 at 101), the rest is cancelled
        (OrderType.FOK, 2.0, 0.0, 0),  # all or nothing: not enough at or below 101
        (OrderType.FOK, 1.0, 1.0, 1),
    ],
)
def test_fak_and_fok(main_engine, venue, order_type, volume, expected_traded, expected_trades):  # noqa: PLR0917
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, order_type, volume, 101.0), NAME)
    final = Status.ALLTRADED if expected_traded == volume else Status.CANCELLED
    last = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == final and o,
        what=f"{order_type.value} final state",
    )
    assert last.traded == expected_traded
    recorder.wait(lambda: len(recorder.trades(vt_orderid)) == expected_trades)
    assert last.type == order_type


def rejected(recorder: Recorder, vt_orderid: str, status: Status = Status.REJECTED):
    return recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == status and o,
        what=f"{vt_orderid} {status.value}",
    )


def test_rejected_order_keeps_venue_reason(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 5000.0, 100.0), NAME)
    refused = rejected(recorder, vt_orderid)
    assert refused.extra == {"reason": "-2010: Account has insufficient balance for requested action."}
    assert any("insufficient balance" in msg for msg in recorder.logs())
    # the OMS keeps the reason with the order it stores
    assert main_engine.get_order(vt_orderid).extra["reason"] == refused.extra["reason"]


def test_unknown_symbol_is_refused_by_the_venue_with_its_reason(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    request = order(Direction.LONG, OrderType.LIMIT, 1.0, 10.0)
    request.symbol = "DOGEUSDT"
    vt_orderid = main_engine.send_order(request, NAME)
    assert rejected(recorder, vt_orderid).extra["reason"] == "-1121: Invalid symbol."
    assert any(vt_orderid.split(".")[-1] in msg and "Invalid symbol." in msg for msg in recorder.logs())


def test_locally_refused_order_says_why(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.0, 100.0), NAME)
    assert rejected(recorder, vt_orderid).extra["reason"] == "volume must be positive"
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.RFQ, 1.0, 100.0), NAME)
    assert "not supported" in rejected(recorder, vt_orderid).extra["reason"]
    assert [p for m, p in venue.request_log if m == "POST"] == []


def test_an_order_that_is_neither_buy_nor_sell_is_refused_before_it_leaves(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    for direction, named in ((Direction.NET, "NET"), (None, "None")):
        request = order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0)
        request.direction = direction
        vt_orderid = main_engine.send_order(request, NAME)
        reason = rejected(recorder, vt_orderid).extra["reason"]
        assert reason == f"direction {named} cannot be traded on {NAME}: an order is LONG or SHORT"
    assert [p for m, p in venue.request_log if m == "POST"] == []


def test_an_order_the_gateway_fails_on_ends_with_an_unknown_outcome(main_engine, venue, monkeypatch):
    """A fault of the gateway while it sends (here: the venue's answer cannot be applied) may come after
    the venue took the order; the order must end saying its outcome is unknown, not stay SUBMITTING."""
    recorder, gateway = connect(main_engine, venue)

    def unreadable(reply):
        raise KeyError(reply.status)

    monkeypatch.setattr(gateway, "apply_rest_order", unreadable)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    reason = rejected(recorder, vt_orderid).extra["reason"]
    assert reason.startswith("outcome unknown (the gateway failed: KeyError"), reason
    assert venue_orders(venue) == [(vt_orderid.split(".")[-1], "LIMIT", True)]  # it did reach the venue


def test_query_history_returns_bars(main_engine, venue):
    connect(main_engine, venue)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(minutes=2500)
    bars = main_engine.query_history(
        HistoryRequest("BTCUSDT", Exchange.BINANCE, start, end, Interval.MINUTE), NAME
    )
    assert len(bars) == 2501  # three pages of at most 1000
    assert bars[0].datetime == start and bars[-1].datetime == end
    assert all(b2.datetime - b1.datetime == dt.timedelta(minutes=1) for b1, b2 in itertools.pairwise(bars))
    assert bars[0].interval == Interval.MINUTE and bars[0].high_price > bars[0].low_price


def test_cancel_of_filled_order_is_refused_cleanly(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.MARKET, 0.1), NAME)
    done = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.ALLTRADED and o
    )
    main_engine.cancel_order(CancelRequest(done.orderid, "BTCUSDT", Exchange.BINANCE), NAME)
    recorder.wait(lambda: any("already" in msg for msg in recorder.logs()))
    assert recorder.last_order(vt_orderid).status == Status.ALLTRADED


def test_secrets_never_reach_logs(main_engine, venue):
    with captured_logs() as capture:
        recorder, _ = connect(main_engine, venue)
        main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 5000.0, 100.0), NAME)
        recorder.wait(lambda: any("insufficient" in msg for msg in recorder.logs()))
        venue.drop_connections()
        recorder.wait(lambda: venue.run(lambda: len(venue.user_subscriptions)) >= 1)
    text = "\n".join(capture.lines + recorder.logs())
    assert capture.lines
    assert API_SECRET not in text and API_KEY not in text
    wait_until(lambda: True)


@pytest.fixture
def venue(binance_spot_venue):
    return binance_spot_venue


def test_unsubscribe_stops_the_streams(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    request = SubscribeRequest("BTCUSDT", Exchange.BINANCE)
    main_engine.subscribe(request, NAME)
    topics = lambda: venue.run(  # noqa: E731
        lambda: sum(len(s.topics) for s in venue.sessions if s.kind == "market")
    )
    recorder.wait(lambda: topics() == 3)
    main_engine.get_gateway(NAME).unsubscribe(request)
    recorder.wait(lambda: topics() == 0, what="unsubscribed")
    assert [m["method"] for kind, m in venue.ws_log if kind == "market"] == ["SUBSCRIBE", "UNSUBSCRIBE"]


def test_float_noise_is_rounded_to_the_venue_steps(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1 + 0.2, 99.000000001), NAME)
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED)
    placed = venue.run(lambda: next(iter(venue.matching.orders.values())))
    assert (str(placed.quantity), str(placed.price)) == ("0.30000", "99.00")


def venue_orders(venue: BinanceSpotVenue) -> list[tuple[str, str, bool]]:
    """(client id, venue order type, active) of every order the venue recorded."""
    return venue.run(
        lambda: [(o.client_id, str(o.extra["type"]), o.active) for o in venue.matching.orders.values()]
    )


def test_post_only_rests_as_limit_maker_and_fills_as_maker(main_engine, venue, engines):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.POST_ONLY, 0.5, 99.0), NAME)
    placed = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED and o,
        what="post-only order resting",
    )
    assert placed.type == OrderType.POST_ONLY
    assert venue_orders(venue) == [(placed.orderid, "LIMIT_MAKER", True)]
    # a second session loads the open order from the venue and reads LIMIT_MAKER back as POST_ONLY
    engines.append(second := MainEngine())
    again, _ = connect(second, venue)
    loaded = again.wait(lambda: again.last_order(vt_orderid), what="open order loaded")
    assert loaded.type == OrderType.POST_ONLY

    venue.print_trade("BTCUSDT", "99.00", "1.0")
    recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.ALLTRADED, what="filled"
    )
    trades = recorder.wait(lambda: recorder.trades(vt_orderid))
    assert [(t.price, t.volume) for t in trades] == [(99.0, 0.5)]
    fills = venue.run(lambda: [f for fills in venue.matching.fills.values() for f in fills])
    assert [f.maker for f in fills] == [True]


def test_post_only_that_would_take_is_rejected_with_the_venue_reason(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.POST_ONLY, 0.5, 101.0), NAME)
    refused = rejected(recorder, vt_orderid)
    assert refused.extra["reason"] == "-2010: Order would immediately match and take."
    assert any(
        vt_orderid.split(".")[-1] in msg and "Order would immediately match and take." in msg
        for msg in recorder.logs()
    )
    assert recorder.trades(vt_orderid) == []
    assert venue_orders(venue) == []  # refused outright: nothing rests, nothing traded the ask
    assert venue.run(lambda: venue.matching.book("BTCUSDT"))[1][0][1] == 1.5


@pytest.mark.parametrize(
    ("direction", "stop", "short_of_it", "trigger", "book", "fill_price"),
    [
        # a sell stop waits for the last price to fall to it, then sells at market
        (Direction.SHORT, 99.0, "99.50", "99.00", ([("98.90", "1.0")], [("99.10", "1.0")]), 98.9),
        # a buy stop waits for the last price to rise to it, then buys at market
        (Direction.LONG, 102.0, "101.50", "102.00", ([("101.90", "1.0")], [("102.10", "1.0")]), 102.1),
    ],
)
def test_stop_order_rests_triggers_on_the_last_price_and_fills(  # noqa: PLR0917
    main_engine, venue, engines, direction, stop, short_of_it, trigger, book, fill_price
):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(direction, OrderType.STOP, 0.5, stop), NAME)
    resting = rejected(recorder, vt_orderid, Status.NOTTRADED)
    assert (resting.type, resting.price) == (OrderType.STOP, stop)
    placed = venue.run(lambda: next(iter(venue.matching.orders.values())))
    assert (placed.extra["type"], placed.stop_price, placed.working) == (
        "STOP_LOSS",
        Decimal(str(stop)),
        False,
    )
    # a second session reads the open STOP_LOSS back as a vn.py stop order at its trigger price
    engines.append(second := MainEngine())
    again, _ = connect(second, venue)
    loaded = again.wait(lambda: again.last_order(vt_orderid), what="open stop order loaded")
    assert (loaded.type, loaded.price, loaded.status) == (OrderType.STOP, stop, Status.NOTTRADED)
    # its user stream opened after that load, so it asked about the order once more (an update between the
    # two would have been lost)
    again.wait(lambda: any("reconciled 1 active orders" in msg for msg in again.logs()), what="reconciled")
    asked_before = len(venue.request_log)

    venue.print_trade("BTCUSDT", short_of_it, "0.1")  # the price moves towards the stop, not to it
    assert venue.run(lambda: not placed.working and placed.status == "NEW")
    venue.set_book("BTCUSDT", *book)
    venue.print_trade("BTCUSDT", trigger, "0.1")

    filled = rejected(recorder, vt_orderid, Status.ALLTRADED)
    assert (filled.traded, filled.type, filled.price) == (0.5, OrderType.STOP, stop)
    trades = recorder.wait(lambda: recorder.trades(vt_orderid))
    assert [(t.price, t.volume, t.direction) for t in trades] == [(fill_price, 0.5, direction)]
    # the fill came over the user-data stream: neither gateway asked about orders over REST after the trigger
    assert [p for m, p in venue.request_log[asked_before:] if m != "GET" or p.endswith("/order")] == []
    reports = venue.run(lambda: [f.maker for fills in venue.matching.fills.values() for f in fills])
    assert reports == [False]  # the triggered market order took the book


def test_stop_the_last_price_already_reached_is_refused(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    venue.print_trade("BTCUSDT", "100.00", "0.1")
    vt_orderid = main_engine.send_order(order(Direction.SHORT, OrderType.STOP, 0.5, 100.5), NAME)
    assert rejected(recorder, vt_orderid).extra["reason"] == "-2010: Stop price would trigger immediately."
    assert venue_orders(venue) == []


def test_a_failed_connect_is_the_gateway_state_and_nothing_looks_connected(main_engine, venue):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(BinanceSpotGateway)
    gateway.timing = Timing.fast()
    setting = dict(BinanceSpotGateway.default_setting)
    setting.update({"key": API_KEY, "secret": "not-the-secret", "server": "REAL", "base_url": venue.http_url})
    main_engine.connect(setting, NAME)
    failed = recorder.wait(lambda: [m for m in recorder.logs() if m.startswith("connect failed")])
    assert "-1022" in failed[0]  # the venue's refusal of the signature, in its words
    # the market stream had opened before the account was asked for: it is closed and says why
    latest = {state.front: state for state in recorder.states()}
    assert "market" in latest
    assert all(s.state == "connect failed" and "-1022" in s.message for s in latest.values())
    # the venue sees the stream's close a moment after the gateway reports it
    assert recorder.wait(lambda: venue.session_count() == 0, what="the venue without a session")
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 90.0), NAME)
    rejected = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.REJECTED and o
    )
    assert "-1022" in rejected.extra["reason"]
