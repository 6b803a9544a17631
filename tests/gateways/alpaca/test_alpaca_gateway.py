"""ALPACA end to end: MainEngine -> AlpacaGateway -> transport -> the local Alpaca venue and back."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from venues.harness import Recorder, captured_logs, wait_until
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.gateways._venue import Timing
from vtcore.gateways._venue.local import local_setting
from vtcore.gateways.alpaca import AlpacaGateway, AlpacaOrderRequest
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.alpaca import API_KEY, API_SECRET, AlpacaVenue

NAME = "ALPACA"
AAPL = "AAPL.SMART"


def setting(venue: AlpacaVenue, **overrides: Any) -> dict[str, Any]:
    given = {"key": API_KEY, "secret": API_SECRET, "server": "PAPER", **overrides}
    return local_setting(AlpacaGateway.default_setting, venue, **given)


def make_venue(*, paper: bool = True) -> AlpacaVenue:
    venue = AlpacaVenue(paper=paper).start()
    venue.set_book("AAPL", [("187.60", "300"), ("187.50", "500")], [("187.70", "400"), ("187.80", "600")])
    return venue


@pytest.fixture
def venue(engines: list[MainEngine]) -> Iterator[AlpacaVenue]:
    venue = make_venue()
    yield venue
    for engine in engines:
        engine.close()
    venue.stop()


def connect(
    main_engine: MainEngine, venue: AlpacaVenue, codec: str = "msgpack", **overrides: Any
) -> tuple[Recorder, AlpacaGateway]:
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(AlpacaGateway)
    gateway.timing = Timing.fast()
    gateway.market_codec = codec  # type: ignore[misc]
    main_engine.connect(setting(venue, **overrides), NAME)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    return recorder, gateway


def order(
    kind: OrderType, volume: float, price: float = 0.0, direction: Direction = Direction.LONG, **extra: Any
) -> OrderRequest:
    if extra:
        return AlpacaOrderRequest("AAPL", Exchange.SMART, direction, kind, volume, price, **extra)
    return OrderRequest("AAPL", Exchange.SMART, direction, kind, volume, price)


def reason(recorder: Recorder, vt_orderid: str) -> str:
    rejected = recorder.reaches(vt_orderid, Status.REJECTED)
    return str(rejected.extra["reason"])


def test_connect_contracts_account_positions_and_secrecy(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    venue.set_position("MSFT", "20", "400.5")
    with captured_logs() as logs:
        recorder, gateway = connect(main_engine, venue)
        recorder.wait(recorder.positions, what="positions")
    contracts = {c.symbol: c for c in recorder.contracts()}
    assert set(contracts) == {"AAPL", "MSFT", "SPY", "BRK.B", "GME", "FAKEPACA"}  # active and tradable only
    aapl = contracts["AAPL"]
    assert (aapl.exchange, aapl.product, aapl.pricetick, aapl.size, aapl.stop_supported) == (
        Exchange.SMART,
        Product.EQUITY,
        0.01,
        1.0,
        True,
    )
    assert aapl.min_volume < 1 and contracts["BRK.B"].min_volume == 1  # fractionable or not
    account = recorder.accounts()[-1]
    assert (account.accountid, account.balance) == ("PA3LOCAL7ALP", 100_000 + 20 * 400.5)
    position = recorder.positions()[-1]
    assert (position.symbol, position.direction, position.volume, position.price) == (
        "MSFT",
        Direction.NET,
        20,
        400.5,
    )
    text = "\n".join(logs.lines + recorder.logs())
    assert API_SECRET not in text and API_KEY not in text and API_SECRET not in repr(gateway)


@pytest.mark.parametrize("codec", ["msgpack", "json"])
def test_quotes_trades_and_daily_bars_make_ticks(
    main_engine: MainEngine, venue: AlpacaVenue, codec: str
) -> None:
    recorder, _ = connect(main_engine, venue, codec)
    main_engine.subscribe(SubscribeRequest("AAPL", Exchange.SMART), NAME)
    wait_until(
        lambda: venue.run(venue.subscription_count) >= 3 + 1,
        what="quotes, trades, dailyBars and trade_updates",
    )
    subscribe = next(m for kind, m in venue.ws_log if kind == "data" and m.get("action") == "subscribe")
    assert (subscribe["quotes"], subscribe["trades"], subscribe["dailyBars"]) == (
        ["AAPL"],
        ["AAPL"],
        ["AAPL"],
    )
    venue.set_book("AAPL", [("187.61", "200")], [("187.69", "100")])
    tick = recorder.wait(lambda: (t := recorder.ticks(AAPL)) and t[-1].bid_price_1 == 187.61 and t[-1])
    assert (tick.bid_volume_1, tick.ask_price_1, tick.ask_volume_1, tick.name) == (
        200,
        187.69,
        100,
        "Apple Inc. Common Stock",
    )
    assert abs((dt.datetime.now(dt.timezone.utc) - tick.datetime).total_seconds()) < 60
    venue.print_trade("AAPL", "187.65", "50")
    venue.print_trade("AAPL", "187.75", "30")
    tick = recorder.wait(lambda: (t := recorder.ticks(AAPL)) and t[-1].last_price == 187.75 and t[-1])
    assert (tick.last_volume, tick.bid_price_1) == (30, 187.61)
    venue.publish_bars("AAPL")
    tick = recorder.wait(lambda: (t := recorder.ticks(AAPL)) and t[-1].volume and t[-1])
    assert (tick.open_price, tick.high_price, tick.low_price, tick.volume) == (187.65, 187.75, 187.65, 80)
    assert tick.turnover == pytest.approx(187.65 * 50 + 187.75 * 30)


def test_malformed_market_frame_is_counted_and_the_stream_goes_on(
    main_engine: MainEngine, venue: AlpacaVenue
) -> None:
    recorder, gateway = connect(main_engine, venue, "json")
    main_engine.subscribe(SubscribeRequest("AAPL", Exchange.SMART), NAME)
    wait_until(lambda: venue.run(venue.subscription_count) >= 4, what="subscribed")
    venue.publish_raw("data", '[{"T":"q","S":"AAPL","bp":"not a number"}]')
    wait_until(lambda: gateway.malformed_messages == 1, what="the bad frame counted")
    venue.set_book("AAPL", [("187.62", "200")], [("187.69", "100")])
    recorder.wait(lambda: (t := recorder.ticks(AAPL)) and t[-1].bid_price_1 == 187.62, what="next quote")


@pytest.mark.parametrize("paper", [True, False], ids=["paper-binary-frames", "live-text-frames"])
def test_limit_rests_fills_and_cancel(main_engine: MainEngine, paper: bool) -> None:
    venue = make_venue(paper=paper)
    try:
        recorder, _ = connect(main_engine, venue, server="PAPER" if paper else "REAL")
        vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 10, 187.0), NAME)
        recorder.reaches(vt_orderid, Status.NOTTRADED)
        placed = next(o for o in venue.orders.values())
        assert (placed.client_order_id, placed.type, placed.time_in_force) == (
            vt_orderid.split(".", 1)[1],
            "limit",
            "day",
        )
        venue.print_trade("AAPL", "187.00", "4")
        assert recorder.reaches(vt_orderid, Status.PARTTRADED).traded == 4
        venue.print_trade("AAPL", "187.00", "6")
        assert recorder.reaches(vt_orderid, Status.ALLTRADED).traded == 10
        trades = recorder.wait(lambda: len(t := recorder.trades(vt_orderid)) == 2 and t)
        assert [(t.price, t.volume, t.direction) for t in trades] == [
            (187.0, 4, Direction.LONG),
            (187.0, 6, Direction.LONG),
        ]
        recorder.wait(
            lambda: any(p.volume == 10 for p in recorder.positions()), what="position after the fill"
        )
        other = main_engine.send_order(order(OrderType.LIMIT, 1, 150.0), NAME)
        recorder.reaches(other, Status.NOTTRADED)
        main_engine.cancel_order(CancelRequest(other.split(".", 1)[1], "AAPL", Exchange.SMART), NAME)
        recorder.reaches(other, Status.CANCELLED)
    finally:
        main_engine.close()
        venue.stop()


def test_market_stop_stop_limit_trailing_fak_fok(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    recorder, _ = connect(main_engine, venue)
    market = main_engine.send_order(order(OrderType.MARKET, 5), NAME)
    assert recorder.reaches(market, Status.ALLTRADED).traded == 5
    assert recorder.wait(lambda: recorder.trades(market))[0].price == 187.7
    stop = main_engine.send_order(order(OrderType.STOP, 2, 186.0, Direction.SHORT), NAME)
    stop_limit = main_engine.send_order(
        order(OrderType.STOP_LIMIT, 1, 185.5, Direction.SHORT, stop_price=186.0, time_in_force="gtc"), NAME
    )
    trailing = main_engine.send_order(order(OrderType.STOP, 1, 0.0, Direction.SHORT, trail_price=1.0), NAME)
    for vt_orderid in (stop, stop_limit, trailing):
        recorder.reaches(vt_orderid, Status.NOTTRADED)
    rows = {o.client_order_id: o for o in venue.orders.values()}
    assert rows[stop.split(".")[1]].type == "stop" and rows[stop.split(".")[1]].stop_price == 186
    assert (rows[stop_limit.split(".")[1]].type, rows[stop_limit.split(".")[1]].time_in_force) == (
        "stop_limit",
        "gtc",
    )
    assert rows[trailing.split(".")[1]].type == "trailing_stop"
    venue.print_trade("AAPL", "190.00", "1")  # the trailing stop follows the high to 189
    venue.print_trade("AAPL", "188.90", "1")  # triggers the trailing stop only
    assert recorder.reaches(trailing, Status.ALLTRADED).traded == 1
    assert recorder.last_order(stop).status == Status.NOTTRADED
    venue.print_trade("AAPL", "185.90", "1")  # triggers the stop and the stop-limit (at 185.5 or better)
    assert recorder.reaches(stop, Status.ALLTRADED).traded == 2
    assert recorder.reaches(stop_limit, Status.ALLTRADED).traded == 1
    venue.set_book("AAPL", [("187.60", "300")], [("187.70", "3")])
    fak = main_engine.send_order(order(OrderType.FAK, 5, 187.7), NAME)
    done = recorder.reaches(fak, Status.CANCELLED)
    assert done.traded == 3
    fok = main_engine.send_order(order(OrderType.FOK, 5, 187.8), NAME)
    assert recorder.reaches(fok, Status.CANCELLED).traded == 0
    tifs = [
        o.time_in_force
        for o in venue.orders.values()
        if o.client_order_id in (fak.split(".")[1], fok.split(".")[1])
    ]
    assert tifs == ["ioc", "fok"]


def test_replace_swaps_the_order(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    recorder, gateway = connect(main_engine, venue)
    first = main_engine.send_order(order(OrderType.LIMIT, 10, 180.0), NAME)
    recorder.reaches(first, Status.NOTTRADED)
    second = gateway.replace_order(first.split(".")[1], price=181.0, volume=12)
    replaced = recorder.reaches(first, Status.CANCELLED)
    assert replaced.extra["reason"] == f"replaced by order {second.split('.')[1]}"
    new = recorder.reaches(second, Status.NOTTRADED)
    assert (new.price, new.volume) == (181.0, 12)
    assert [(o.status, float(o.limit_price or 0), float(o.qty)) for o in venue.orders.values()] == [
        ("replaced", 180.0, 10.0),
        ("new", 181.0, 12.0),
    ]
    assert gateway.replace_order(first.split(".")[1], price=182.0) == ""  # no longer open


def test_rejections_carry_the_venues_reason(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    recorder, _ = connect(main_engine, venue)
    too_big = main_engine.send_order(order(OrderType.LIMIT, 10_000, 187.0), NAME)
    assert reason(recorder, too_big) == "40310000: insufficient buying power"
    fraction = main_engine.send_order(
        OrderRequest("BRK.B", Exchange.SMART, Direction.LONG, OrderType.MARKET, 0.5), NAME
    )
    assert reason(recorder, fraction) == "40010001: requested asset is not fractionable: BRK.B"
    short = main_engine.send_order(
        OrderRequest("GME", Exchange.SMART, Direction.SHORT, OrderType.MARKET, 5), NAME
    )
    assert (
        reason(recorder, short)
        == "40310000: insufficient qty available for order (requested: 5, available: 0)"
    )
    unknown = main_engine.send_order(
        OrderRequest("NOPE", Exchange.SMART, Direction.LONG, OrderType.MARKET, 1), NAME
    )
    assert reason(recorder, unknown) == "unknown symbol NOPE"
    elsewhere = main_engine.send_order(
        OrderRequest("AAPL", Exchange.NASDAQ, Direction.LONG, OrderType.MARKET, 1), NAME
    )
    assert reason(recorder, elsewhere) == "AAPL.NASDAQ: ALPACA trades AAPL on SMART"
    bad_tif = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0, time_in_force="forever"), NAME)
    assert "time in force 'forever'" in reason(recorder, bad_tif)
    main_engine.subscribe(SubscribeRequest("NOPE", Exchange.SMART), NAME)
    recorder.wait(
        lambda: "subscribe: unknown symbol NOPE.SMART" in recorder.logs(), what="unknown symbol log"
    )
    assert all(o.asset.symbol != "NOPE" for o in venue.orders.values())


def test_sessions_closed_extended_and_regular(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    venue.set_session("extended")
    recorder, gateway = connect(main_engine, venue)
    plain = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0), NAME)
    assert reason(recorder, plain).startswith("outside the regular session (next open ")
    market = main_engine.send_order(order(OrderType.MARKET, 1, extended_hours=True), NAME)
    assert reason(recorder, market) == "extended-hours orders must be DAY limit orders"
    extended = main_engine.send_order(order(OrderType.LIMIT, 2, 187.0, extended_hours=True), NAME)
    recorder.reaches(extended, Status.NOTTRADED)
    venue.print_trade("AAPL", "187.00", "2")
    recorder.reaches(extended, Status.ALLTRADED)
    auction = main_engine.send_order(order(OrderType.LIMIT, 1, 150.0, time_in_force="opg"), NAME)
    recorder.reaches(auction, Status.NOTTRADED)  # accepted, waiting for the opening auction
    venue.set_session("closed")
    gateway.market_clock = None  # a new day: the gateway fetches the clock again before its next order
    gateway.calendar = []
    closed = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0, extended_hours=True), NAME)
    assert reason(recorder, closed).startswith("the market is closed (next open ")


def test_rate_limited_request_is_retried(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    recorder, _ = connect(main_engine, venue)
    venue.faults.http_429 = 1
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0), NAME)
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    posts = [path for method, path in venue.request_log if method == "POST"]
    assert posts == ["/v2/orders", "/v2/orders"] and len(venue.orders) == 1


def test_lost_order_answer_is_asked_about(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    recorder, _ = connect(main_engine, venue)
    venue.faults.drop_order_reply = 1
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0), NAME)
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    wait_until(lambda: ("GET", "/v2/orders:by_client_order_id") in venue.request_log, what="the question")
    venue.print_trade("AAPL", "187.00", "1")
    recorder.reaches(vt_orderid, Status.ALLTRADED)
    assert len(venue.orders) == 1
    assert not [o for o in recorder.orders(vt_orderid) if o.status == Status.REJECTED]


def test_fills_during_a_stream_outage_arrive_once(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 10, 187.0), NAME)
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    venue.print_trade("AAPL", "187.00", "3")  # heard on the stream
    recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 1, what="first fill")
    auths = sum(1 for kind, m in venue.ws_log if kind == "trading" and m.get("action") == "authenticate")
    venue.faults.refuse_ws = True
    venue.drop_connections("trading")
    wait_until(lambda: venue.session_count("trading") == 0, what="the stream down")
    venue.print_trade("AAPL", "187.00", "4")  # missed: the stream is down
    venue.print_trade("AAPL", "187.00", "3")
    venue.faults.refuse_ws = False
    done = recorder.reaches(vt_orderid, Status.ALLTRADED)
    assert done.traded == 10
    recorder.wait(lambda: "reconciled 1 active orders as the private stream opened" in recorder.logs())
    trades = recorder.wait(lambda: len(t := recorder.trades(vt_orderid)) == 3 and t)
    assert sorted(t.volume for t in trades) == [3, 3, 4]
    assert len({t.tradeid for t in trades}) == 3
    # the stream authenticated again (at least once: a slow machine may reconnect more)
    assert (
        sum(1 for kind, m in venue.ws_log if kind == "trading" and m.get("action") == "authenticate") > auths
    )
    # anything replayed later changes nothing
    gateway.submit(gateway.reconcile_order(recorder.last_order(vt_orderid)), "reconcile again")
    gateway.submit(gateway.load_open_orders(), "reload")
    recorder.wait(lambda: gateway.filled[vt_orderid.split(".")[1]] == 10)
    assert len(recorder.trades(vt_orderid)) == 3


def test_query_history_pages_through_the_bars(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    start = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.timezone.utc)
    closes = [f"{100 + (n % 50) * 0.25:.2f}" for n in range(10_050)]
    venue.add_bars("AAPL", start, closes)
    connect(main_engine, venue)
    bars = main_engine.query_history(
        HistoryRequest("AAPL", Exchange.SMART, start, start + dt.timedelta(days=8), Interval.MINUTE), NAME
    )
    assert len(bars) == 10_050 and [b.close_price for b in bars[:3]] == [100.0, 100.25, 100.5]
    assert bars[0].datetime == start and bars[-1].datetime == start + dt.timedelta(minutes=10_049)
    assert sum(1 for _, path in venue.request_log if path == "/v2/stocks/bars") == 2
    hours = main_engine.query_history(
        HistoryRequest("AAPL", Exchange.SMART, start, start + dt.timedelta(hours=2), Interval.HOUR), NAME
    )
    # hour bars start on the hour: 14:00 holds the 30 minutes from 14:30
    assert [(b.datetime.hour, b.volume) for b in hours] == [(14, 3000), (15, 6000), (16, 3000)]
    assert (hours[0].open_price, hours[0].high_price, hours[0].close_price) == (100.0, 107.25, 107.25)


def test_refused_keys_say_so_without_quoting_them(main_engine: MainEngine, venue: AlpacaVenue) -> None:
    wrong = "WrongSecretThatMustNotBeLogged0000000000"
    recorder = Recorder(main_engine)
    main_engine.add_gateway(AlpacaGateway).timing = Timing.fast()
    with captured_logs() as logs:
        main_engine.connect(setting(venue, secret=wrong), NAME)
        line = recorder.wait(
            lambda: next((line for line in recorder.logs() if "connect failed" in line), None), what="failure"
        )
    assert "40110000" in line and "request is not authorized" in line
    assert not any(wrong in text or API_KEY in text for text in logs.lines + recorder.logs())
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0), NAME)
    assert recorder.reaches(vt_orderid, Status.REJECTED).extra["reason"]
    assert not venue.orders


def unsettled(recorder: Recorder, vt_orderid: str) -> None:
    """Wait until the gateway gave up asking about an order for now (or, wrongly, rejected it)."""
    recorder.wait(
        lambda: (
            any("still unknown" in m for m in recorder.logs())
            or Status.REJECTED in [o.status for o in recorder.orders(vt_orderid)]
        ),
        what="the venue asked about the order until it could not say",
    )
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]


def test_placed_order_whose_answer_and_lookups_fail_is_asked_about_again_and_fills(
    main_engine: MainEngine, venue: AlpacaVenue
) -> None:
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(AlpacaGateway)
    gateway.timing = dataclasses.replace(Timing.fast(), rest_timeout=0.5, rest_retries=1)
    main_engine.connect(setting(venue), NAME)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    faults, earlier = venue.faults, len(venue.request_log)
    faults.stall_rest, faults.stall_seconds, faults.act_before_stall = 1, 2.0, True  # placed; answer held
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0), NAME)
    wait_until(lambda: ("POST", "/v2/orders") in venue.request_log[earlier:], what="the order sent")
    faults.http_5xx = 1000  # and every question about it is answered 503
    unsettled(recorder, vt_orderid)
    assert vt_orderid.split(".", 1)[1] in gateway.unanswered
    faults.http_5xx = 0
    venue.drop_connections("trading")  # the trade_updates stream reconnects: the order is asked about again
    recorder.wait(lambda: not gateway.unanswered, what="the order found at the venue")
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    recorder.wait(lambda: venue.session_count("trading") == 1, what="the stream back")
    venue.print_trade("AAPL", "187.00", "1")
    recorder.reaches(vt_orderid, Status.ALLTRADED)
    assert len(venue.orders) == 1
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]


def test_order_lost_before_alpaca_took_it_is_rejected_with_its_words(
    main_engine: MainEngine, venue: AlpacaVenue
) -> None:
    recorder, gateway = connect(main_engine, venue)
    venue.faults.http_5xx = 1  # the order request is answered 503 and not acted on
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 1, 187.0), NAME)
    assert reason(recorder, vt_orderid).startswith(
        "40410000: order not found (the order request got no answer: "
    )
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.REJECTED]
    assert ("GET", "/v2/orders:by_client_order_id") in venue.request_log
    assert not venue.orders and not gateway.unanswered
