"""BINANCE_SPOT under faults: dropped and refused connections, silent peers, expired user streams, 429s, 5xx,
clock skew, malformed frames and unknown symbols. Every wait is on a condition, never on a fixed time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from test_binance_spot import NAME, order

from venues.harness import Recorder, binance_setting, captured_logs
from venues.harness import connect_binance_spot as connect
from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.gateways._venue import Timing
from vtcore.gateways.binance import BinanceSpotGateway
from vtcore.object import HistoryRequest, SubscribeRequest
from vtcore.peers.binance import API_KEY, API_SECRET


def user_states(recorder):
    return [s.state for s in recorder.states() if s.front == "user"]


def test_fill_while_user_stream_is_down_is_recovered_once(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED)
    venue.print_trade("BTCUSDT", "99.00", "0.1")  # seen live
    recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 1)

    venue.faults.refuse_ws = True
    venue.drop_connections("api")
    recorder.wait(lambda: user_states(recorder)[-1:] == ["disconnected"], what="user stream down")
    venue.print_trade("BTCUSDT", "99.00", "0.2")  # happens while the gateway cannot hear it
    venue.faults.refuse_ws = False

    recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2, what="missed fill recovered")
    recorder.wait(lambda: venue.run(lambda: len(venue.user_subscriptions)) == 1)
    venue.print_trade("BTCUSDT", "99.00", "1.0")  # live again
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.ALLTRADED)

    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 3 and recorder.trades(vt_orderid))
    assert [t.volume for t in trades] == [0.1, 0.2, 0.2]
    assert len({t.tradeid for t in trades}) == 3
    traded = [o.traded for o in recorder.orders(vt_orderid)]
    assert traded == sorted(traded) and traded[-1] == 0.5
    statuses = [o.status for o in recorder.orders(vt_orderid)]
    assert statuses == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.PARTTRADED,
        Status.PARTTRADED,
        Status.ALLTRADED,
    ]
    assert gateway.user_socket.connections == 2


def test_a_fill_report_that_cannot_be_read_is_warned_of_and_recovered_from_the_venue(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED)
    venue.faults.garble_fills = 1
    with captured_logs() as logs:
        venue.print_trade("BTCUSDT", "99.00", "0.5")
        recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.ALLTRADED)
        trades = recorder.wait(lambda: recorder.trades(vt_orderid), what="the fill, read from the venue")
    assert [t.volume for t in trades] == [0.5]
    assert gateway.malformed_messages == 1
    assert any(
        " WARNING " in line and "malformed executionReport event dropped" in line for line in logs.lines
    )


def test_market_stream_reconnects_and_resubscribes(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("BTCUSDT", Exchange.BINANCE), NAME)
    market_topics = lambda: venue.run(  # noqa: E731
        lambda: sorted(t for s in venue.sessions if s.kind == "market" and not s.ws.closed for t in s.topics)
    )
    recorder.wait(lambda: len(market_topics()) == 3)

    venue.drop_connections("market")
    recorder.wait(
        lambda: gateway.market_sockets[0].connections == 2 and len(market_topics()) == 3,
        what="resubscribed after reconnect",
    )
    venue.set_book("BTCUSDT", [("100.25", "4.0")], [("101.00", "1.5")])
    recorder.wait(lambda: any(t.bid_price_1 == 100.25 for t in recorder.ticks("BTCUSDT.BINANCE")))
    assert market_topics() == ["btcusdt@bookTicker", "btcusdt@depth5@100ms", "btcusdt@trade"]


def test_silent_venue_is_detected_and_replaced(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    venue.faults.stop_pings = True  # no pings from the venue, no pongs to ours, no data
    recorder.wait(lambda: gateway.market_sockets[0].connections >= 2, what="silent line dropped")
    venue.faults.stop_pings = False
    main_engine.subscribe(SubscribeRequest("BTCUSDT", Exchange.BINANCE), NAME)
    recorder.wait(
        lambda: (
            venue.run(lambda: [s.topics for s in venue.sessions if s.kind == "market" and not s.ws.closed])
            == [{"btcusdt@bookTicker", "btcusdt@depth5@100ms", "btcusdt@trade"}]
        ),
        what="subscribed",
    )
    venue.set_book("BTCUSDT", [("100.50", "1.0")], [("101.00", "1.5")])
    recorder.wait(lambda: any(t.bid_price_1 == 100.5 for t in recorder.ticks()))


def test_gateway_answers_venue_pings(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    sessions = lambda: venue.run(lambda: [s for s in venue.sessions if s.kind == "market"])  # noqa: E731
    first = recorder.wait(lambda: sessions() and sessions()[0])
    recorder.wait(lambda: first.pongs >= 8, what="pongs for the venue's pings")
    assert sessions() == [first]  # still the same connection: the venue never dropped us


def test_expired_user_stream_is_resubscribed(main_engine, venue):
    recorder, _gateway = connect(main_engine, venue)
    first_ids = venue.run(lambda: set(venue.user_subscriptions))
    assert venue.expire_user_stream() == 1
    recorder.wait(
        lambda: venue.run(lambda: set(venue.user_subscriptions)) - first_ids,
        what="a new user-data subscription",
    )
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED)
    venue.print_trade("BTCUSDT", "99.00", "0.5")
    recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 1, what="fill over the new subscription")
    sent = [
        m for kind, m in venue.ws_log if kind == "api" and m["method"] == "userDataStream.subscribe.signature"
    ]
    assert len(sent) == 2 and all(m["params"]["apiKey"] == API_KEY for m in sent)


def test_rate_limit_reply_is_honoured_and_retried(main_engine, venue):
    connect(main_engine, venue)
    venue.faults.http_429 = 1
    venue.faults.retry_after = 1
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with captured_logs() as capture:
        began = time.monotonic()
        bars = main_engine.query_history(
            HistoryRequest(
                "BTCUSDT", Exchange.BINANCE, start, start + dt.timedelta(minutes=9), Interval.MINUTE
            ),
            NAME,
        )
        elapsed = time.monotonic() - began
    assert len(bars) == 10
    assert elapsed >= 0.9  # waited out Retry-After before asking again
    assert any("rate limited" in line for line in capture.lines)
    assert [p for _, p in venue.request_log].count("/api/v3/klines") == 2


def test_order_retried_after_429_is_placed_once(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    venue.faults.http_429 = 1
    venue.faults.retry_after = 0
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED)
    assert venue.run(lambda: len([o for o in venue.matching.orders.values() if o.active])) == 1


def test_order_refused_by_the_rate_limit_says_so(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    venue.faults.http_429 = gateway.timing.rest_retries + 1  # every attempt is refused
    venue.faults.retry_after = 0
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    refused = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.REJECTED and o
    )
    assert refused.extra["reason"].startswith("-1003: Too many requests; current limit of IP(127.0.0.1)")
    assert venue.run(lambda: len(venue.matching.orders)) == 0


def test_order_with_unknown_outcome_is_looked_up_not_resent(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    venue.faults.http_5xx = 1  # the order request gets a 503: the venue did not act on it
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    refused = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.REJECTED and o
    )
    assert refused.extra == {
        "reason": "-2013: Order does not exist. (the order request got no answer: Service Unavailable)"
    }
    assert any("outcome unknown" in msg for msg in recorder.logs())
    assert venue.run(lambda: len(venue.matching.orders)) == 0
    assert [p for m, p in venue.request_log if m == "POST"] == ["/api/v3/order"]


def test_clock_skew_is_resynced(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    venue.faults.clock_offset_ms = (
        30_000  # the venue's clock jumps ahead: our timestamps fall outside recvWindow
    )
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED)
    assert 29_000 < gateway.clock.offset_ms < 31_000
    assert [p for _, p in venue.request_log].count("/api/v3/time") == 2


def test_malformed_frames_and_unknown_symbols_keep_the_connection(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("NOPEUSDT", Exchange.BINANCE), NAME)
    recorder.wait(lambda: any("unknown symbol NOPEUSDT.BINANCE" in m for m in recorder.logs()))
    main_engine.subscribe(SubscribeRequest("BTCUSDT", Exchange.BINANCE), NAME)
    recorder.wait(
        lambda: venue.run(lambda: sum(len(s.topics) for s in venue.sessions if s.kind == "market")) == 3
    )

    venue.publish_raw("market", "{this is not json")
    venue.publish_raw("market", '{"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":1}}')
    venue.publish_raw("api", '{"subscriptionId":1,"event":{"e":"executionReport","s":5}')
    recorder.wait(lambda: gateway.malformed_messages >= 3, what="malformed frames counted")
    venue.set_book("BTCUSDT", [("100.75", "1.0")], [("101.00", "1.5")])
    recorder.wait(lambda: any(t.bid_price_1 == 100.75 for t in recorder.ticks()))
    assert gateway.market_sockets[0].connections == 1 and gateway.user_socket.connections == 1
    assert not any("nopeusdt" in str(m) for _, m in venue.ws_log)


def test_bad_secret_gets_the_venue_signature_error(main_engine, venue):
    recorder = Recorder(main_engine)
    main_engine.add_gateway(BinanceSpotGateway).timing = Timing.fast()
    with captured_logs() as capture:
        main_engine.connect(
            {
                "key": API_KEY,
                "secret": "x" * 64,
                "session_number": 3,
                "proxy_host": "",
                "proxy_port": 0,
                "server": "REAL",
                "base_url": venue.http_url,
            },
            NAME,
        )
        recorder.wait(lambda: any("Signature for this request is not valid." in m for m in recorder.logs()))
    assert venue.run(lambda: len(venue.user_subscriptions)) == 0
    assert all(API_SECRET not in line and "x" * 64 not in line for line in capture.lines)


@pytest.fixture
def venue(binance_spot_venue):
    return binance_spot_venue


def test_used_weight_header_throttles_the_gateway(main_engine, venue):
    venue.weight_window = 1e9  # one window for the whole test
    venue.used_weight = 0
    _, gateway = connect(main_engine, venue)
    venue.used_weight = 5900  # the IP's other users spent most of the minute's 6000
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    main_engine.query_history(
        HistoryRequest("BTCUSDT", Exchange.BINANCE, start, start + dt.timedelta(minutes=5), Interval.MINUTE),
        NAME,
    )
    bucket = gateway.rest.limiter._buckets["REQUEST_WEIGHT"]  # as of the last answer, before any refill
    assert bucket.tokens <= 6000 - 5902  # the gateway now believes the venue (5900 + this request's 2)


def connect_impatient(main_engine, venue):
    """Connect with a short REST timeout and one retry, so that a held answer is given up on quickly."""
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(BinanceSpotGateway)
    gateway.timing = dataclasses.replace(Timing.fast(), rest_timeout=0.5, rest_retries=1)
    main_engine.connect(binance_setting(venue), NAME)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    recorder.wait(lambda: venue.run(lambda: len(venue.user_subscriptions)) == 1, what="user stream")
    return recorder, gateway


def unsettled(recorder, vt_orderid):
    """Wait until the gateway gave up asking about an order for now (or, wrongly, rejected it)."""
    recorder.wait(
        lambda: (
            any("still unknown" in m for m in recorder.logs())
            or Status.REJECTED in [o.status for o in recorder.orders(vt_orderid)]
        ),
        what="the venue asked about the order until it could not say",
    )
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]


def test_placed_order_whose_answer_and_lookups_fail_is_asked_about_again_and_fills(main_engine, venue):
    recorder, gateway = connect_impatient(main_engine, venue)
    faults, earlier = venue.faults, len(venue.request_log)
    faults.stall_rest, faults.stall_seconds, faults.act_before_stall = 1, 2.0, True  # placed; answer held
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    recorder.wait(lambda: ("POST", "/api/v3/order") in venue.request_log[earlier:], what="the order sent")
    faults.http_5xx = 1000  # and every question about it is answered 503
    unsettled(recorder, vt_orderid)
    assert vt_orderid.split(".", 1)[1] in gateway.unanswered
    faults.http_5xx = 0
    venue.drop_connections("api")  # the user stream reconnects: the order is asked about again
    recorder.wait(lambda: not gateway.unanswered, what="the order found at the venue")
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED)
    recorder.wait(lambda: venue.run(lambda: len(venue.user_subscriptions)) == 1, what="user stream back")
    venue.print_trade("BTCUSDT", "99.00", "0.1")
    recorder.wait(lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.ALLTRADED)
    assert [t.volume for t in recorder.wait(lambda: recorder.trades(vt_orderid))] == [0.1]
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]
    assert [p for m, p in venue.request_log if m == "POST"] == ["/api/v3/order"]


def test_order_lost_before_binance_took_it_is_rejected_with_its_words_once_it_can_say(main_engine, venue):
    recorder, gateway = connect_impatient(main_engine, venue)
    venue.faults.http_5xx = 1000  # the order request and every question about it are answered 503
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    unsettled(recorder, vt_orderid)
    assert recorder.last_order(vt_orderid).status == Status.SUBMITTING
    venue.faults.http_5xx = 0
    venue.drop_connections("api")  # the user stream reconnects: the order is asked about again
    refused = recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.REJECTED and o
    )
    assert refused.extra == {
        "reason": "-2013: Order does not exist. (the order request got no answer: Service Unavailable)"
    }
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.REJECTED]
    assert not gateway.unanswered and venue.run(lambda: len(venue.matching.orders)) == 0
