"""HUOBI (HTX spot) end to end: MainEngine -> gateway -> transport -> the local HTX venue and back."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from venues.harness import Recorder, captured_logs, connect_htx
from venues.proxy import LocalProxy
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.gateways._venue import Timing
from vtcore.gateways.htx import HuobiGateway
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.htx import API_KEY, API_SECRET, HtxSpotVenue

NAME = "HUOBI"


def order(direction: Direction, kind: OrderType, volume: float, price: float = 0.0) -> OrderRequest:
    return OrderRequest(
        symbol="btcusdt", exchange=Exchange.HTX, direction=direction, type=kind, volume=volume, price=price
    )


def final(recorder: Recorder, vt_orderid: str, status: Status):
    return recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == status and o,
        what=f"{vt_orderid} {status.value}",
    )


@pytest.fixture
def venue(htx_spot_venue: HtxSpotVenue) -> HtxSpotVenue:
    return htx_spot_venue


def connect(main_engine: MainEngine, venue: HtxSpotVenue, **overrides: object):
    return connect_htx(main_engine, venue, HuobiGateway, **overrides)


def test_connect_loads_contracts_account_and_authenticates(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    contracts = {c.symbol: c for c in recorder.contracts()}
    assert set(contracts) == {"btcusdt", "ethusdt"}
    btc = contracts["btcusdt"]
    assert (btc.name, btc.product, btc.pricetick, btc.min_volume, btc.exchange) == (
        "BTC/USDT",
        Product.SPOT,
        0.01,
        0.000001,
        Exchange.HTX,
    )
    accounts = {a.accountid: a for a in recorder.accounts()}
    assert (accounts["usdt"].balance, accounts["btc"].balance) == (100000, 1)
    recorder.wait(lambda: venue.session_count("private") == 1, what="the private stream")
    auths = [m for kind, m in venue.ws_log if kind == "private" and m.get("ch") == "auth"]
    assert len(auths) == 1 and auths[0]["params"]["signatureVersion"] == "2.1"
    recorder.wait(
        lambda: (
            {m["ch"] for k, m in venue.ws_log if k == "private" and m.get("action") == "sub"}
            == {"orders#*", "trade.clearing#*#0", "accounts.update#1"}
        ),
        what="the private subscriptions",
    )
    assert gateway.account_id == 10000001


def test_ticks_merge_book_trades_and_detail(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("btcusdt", Exchange.HTX), NAME)
    tick = recorder.wait(lambda: [t for t in recorder.ticks("btcusdt.HTX") if t.ask_price_2], what="book")[-1]
    assert (tick.bid_price_1, tick.bid_volume_1, tick.ask_price_1, tick.ask_price_2) == (
        100.0,
        1.0,
        101.0,
        101.5,
    )
    recorder.wait(lambda: market_topics(venue) == 3, what="the three market subscriptions")
    venue.print_trade("btcusdt", "100.5", "0.25")
    tick = recorder.wait(
        lambda: [t for t in recorder.ticks() if t.last_price == 100.5 and t.high_price], what="trade"
    )[-1]
    assert (tick.last_volume, tick.high_price, tick.low_price, tick.bid_price_1) == (
        0.25,
        11000.0,
        8000.0,
        100.0,
    )
    topics = {t for s in venue.run(lambda: list(venue.sessions)) for t in s.topics if s.kind == "market"}
    assert topics == {"market.btcusdt.mbp.refresh.5", "market.btcusdt.trade.detail", "market.btcusdt.detail"}


def market_topics(venue: HtxSpotVenue) -> int:
    """How many market topics the venue holds (a push before a subscription arrives is lost, as on HTX)."""
    return sum(len(s.topics) for s in venue.run(lambda: list(venue.sessions)) if s.kind == "market")


def test_limit_order_rests_and_cancels(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    resting = final(recorder, vt_orderid, Status.NOTTRADED)
    assert (resting.price, resting.volume) == (99.0, 0.1)
    main_engine.cancel_order(CancelRequest(resting.orderid, "btcusdt", Exchange.HTX), NAME)
    final(recorder, vt_orderid, Status.CANCELLED)
    placed = venue.run(lambda: [o.client_id for o in venue.matching.orders.values()])
    assert placed == [resting.orderid]  # the local order id is HTX's client-order-id


def connect_impatient(main_engine: MainEngine, venue: HtxSpotVenue) -> Recorder:
    """Connected with a short REST timeout: an answer the venue holds back is given up on within the test."""
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(HuobiGateway)
    gateway.timing = dataclasses.replace(Timing.fast(), rest_timeout=0.5)
    setting = {
        **HuobiGateway.default_setting,
        "key": API_KEY,
        "secret": API_SECRET,
        "base_url": venue.http_url,
    }
    main_engine.connect(setting, NAME)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    return recorder


def test_order_whose_answer_times_out_is_found_by_its_client_order_id(main_engine, venue):
    recorder = connect_impatient(main_engine, venue)
    earlier = len(venue.request_log)
    venue.faults.stall_rest, venue.faults.stall_seconds, venue.faults.act_before_stall = 1, 2.0, True
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    resting = final(recorder, vt_orderid, Status.NOTTRADED)  # the venue placed it; the answer was late
    asked = ("GET", "/v1/order/orders/getClientOrder")
    recorder.wait(lambda: asked in venue.request_log[earlier:], what="the order asked about by its client id")
    main_engine.cancel_order(CancelRequest(resting.orderid, "btcusdt", Exchange.HTX), NAME)
    final(recorder, vt_orderid, Status.CANCELLED)
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]


def test_cancel_whose_answer_times_out_is_not_called_refused(main_engine, venue):
    recorder = connect_impatient(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    resting = final(recorder, vt_orderid, Status.NOTTRADED)
    venue.faults.stall_rest, venue.faults.stall_seconds, venue.faults.act_before_stall = 1, 2.0, True
    main_engine.cancel_order(CancelRequest(resting.orderid, "btcusdt", Exchange.HTX), NAME)
    final(recorder, vt_orderid, Status.CANCELLED)  # the venue cancelled it; only its answer was late
    said = recorder.wait(
        lambda: [line for line in recorder.logs() if f"cancel {resting.orderid}" in line],
        what="the cancel's log",
    )
    assert "no answer" in said[0] and "refused" not in said[0]


def test_order_lost_to_a_5xx_is_rejected_once_htx_says_it_has_none(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    venue.faults.http_5xx = 1  # the order request is answered 503 and not acted on
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    reason = final(recorder, vt_orderid, Status.REJECTED).extra["reason"]
    assert reason.startswith("base-record-invalid: record invalid (the order request got no answer:")
    assert ("GET", "/v1/order/orders/getClientOrder") in venue.request_log
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.REJECTED]
    assert venue.run(lambda: list(venue.matching.orders.values())) == []


def test_an_unanswered_order_that_fills_by_a_push_is_no_longer_unanswered(main_engine, venue):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(HuobiGateway)
    gateway.timing = dataclasses.replace(Timing.fast(), rest_timeout=0.5, rest_retries=1)
    setting = {**HuobiGateway.default_setting, "key": API_KEY, "secret": API_SECRET}
    main_engine.connect({**setting, "base_url": venue.http_url}, NAME)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    recorder.wait(lambda: venue.session_count("private"), what="private stream")
    faults, earlier = venue.faults, len(venue.request_log)
    faults.stall_rest, faults.stall_seconds, faults.act_before_stall = 1, 2.0, True  # placed; answer held
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    placed = ("POST", "/v1/order/orders/place")
    recorder.wait(lambda: placed in venue.request_log[earlier:], what="the order sent")
    faults.http_5xx = 1000  # and every question about it is answered 503
    recorder.wait(lambda: any("still unknown" in m for m in recorder.logs()), what="asks given up")
    assert list(gateway.unanswered) == [vt_orderid.split(".", 1)[1]]
    venue.print_trade("btcusdt", "99", "0.1")  # it fills: the push says so
    final(recorder, vt_orderid, Status.ALLTRADED)
    recorder.wait(lambda: not gateway.unanswered, what="the filled order no longer unanswered")


def test_taker_fill_pushes_trade_and_balances(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    recorder.wait(lambda: venue.session_count("private"), what="private stream")
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 101.0), NAME)
    filled = final(recorder, vt_orderid, Status.ALLTRADED)
    assert filled.traded == 0.5
    trades = recorder.wait(lambda: recorder.trades(vt_orderid), what="trade")
    assert [(t.price, t.volume, t.direction) for t in trades] == [(101.0, 0.5, Direction.LONG)]
    # the venue keeps 0.2 % of what was bought
    recorder.wait(
        lambda: any(a.accountid == "btc" and a.balance == pytest.approx(1.499) for a in recorder.accounts()),
        what="btc balance",
    )


def test_an_order_update_with_an_unknown_status_is_warned_of_and_the_order_asked_of_the_venue(
    main_engine, venue
):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    venue.odd_states = 1  # the fill's orders# push says "paused"
    with captured_logs() as logs:
        venue.print_trade("btcusdt", "99", "0.1")
        final(recorder, vt_orderid, Status.ALLTRADED)  # from the venue's answer
        trades = recorder.wait(lambda: recorder.trades(vt_orderid), what="the fill")
    assert [t.volume for t in trades] == [0.1]
    assert gateway.malformed_messages == 1
    assert any(" WARNING " in line and "unknown orderStatus 'paused'" in line for line in logs.lines)
    asked = [p for m, p in venue.request_log if p == "/v1/order/orders/getClientOrder"]
    assert len(asked) == 1


def test_an_unknown_state_in_the_venues_answer_is_counted_and_never_guessed(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    venue.odd_states = venue.odd_queries = 1  # the fill's push and the venue's answer both say "paused"
    with captured_logs() as logs:
        venue.print_trade("btcusdt", "99", "0.2")
        recorder.wait(lambda: gateway.malformed_messages == 2, what="the push and the answer counted")
        trades = recorder.wait(lambda: recorder.trades(vt_orderid), what="the fill")
    assert [t.volume for t in trades] == [0.2]
    assert any(" WARNING " in line and "unknown state 'paused'" in line for line in logs.lines)
    asked = [p for m, p in venue.request_log if p == "/v1/order/orders/getClientOrder"]
    assert len(asked) == 1  # asked once, not in a loop
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.NOTTRADED]
    venue.print_trade("btcusdt", "99", "0.3")  # a readable push moves it on
    final(recorder, vt_orderid, Status.ALLTRADED)


def test_order_types(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    recorder.wait(lambda: venue.session_count("private"), what="private stream")
    post_only = main_engine.send_order(order(Direction.LONG, OrderType.POST_ONLY, 0.1, 101.0), NAME)
    final(recorder, post_only, Status.CANCELLED)  # it would have taken: HTX cancels a limit-maker
    fak = main_engine.send_order(order(Direction.LONG, OrderType.FAK, 2.0, 101.0), NAME)
    partial = final(recorder, fak, Status.CANCELLED)
    assert partial.traded == 1.5  # all there was at 101.00
    fok = main_engine.send_order(order(Direction.SHORT, OrderType.FOK, 2.0, 100.0), NAME)  # 1.0 bid at 100
    assert final(recorder, fok, Status.CANCELLED).traded == 0
    venue_types = venue.run(lambda: [o.extra["type"] for o in venue.matching.orders.values()])
    assert venue_types == ["buy-limit-maker", "buy-ioc", "sell-limit-fok"]


def test_market_buy_spends_volume_times_best_ask(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("btcusdt", Exchange.HTX), NAME)
    recorder.wait(lambda: recorder.ticks("btcusdt.HTX"), what="a tick")
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.MARKET, 0.2), NAME)
    final(recorder, vt_orderid, Status.ALLTRADED)
    amount = venue.run(lambda: [o.extra["amount"] for o in venue.matching.orders.values()])
    assert amount == [Decimal("20.2")]  # 0.2 x 101.00, in USDT


def test_rejection_carries_the_venue_code(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.01, 99.0), NAME)
    rejected = final(recorder, vt_orderid, Status.REJECTED)
    assert rejected.extra["reason"] == "order-value-min-error: Order total cannot be lower than: 5 USDT"


def test_an_order_naming_another_exchange_is_refused_before_sending(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    wrong = OrderRequest("btcusdt", Exchange.BINANCE, Direction.LONG, OrderType.LIMIT, 0.1, 99.0)
    rejected = final(recorder, main_engine.send_order(wrong, NAME), Status.REJECTED)
    assert rejected.extra["reason"] == "btcusdt.BINANCE: HUOBI trades btcusdt on HTX"
    assert ("POST", "/v1/order/orders/place") not in venue.request_log


def test_history_returns_bars_in_range(main_engine, venue):
    _, _ = connect(main_engine, venue)
    end = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    start = end - dt.timedelta(minutes=9)
    bars = main_engine.query_history(
        HistoryRequest("btcusdt", Exchange.HTX, start, end, Interval.MINUTE), NAME
    )
    assert [b.datetime for b in bars] == [start + dt.timedelta(minutes=i) for i in range(10)]
    assert bars[0].close_price == bars[0].open_price + 1


def test_reconnect_reauthenticates_resubscribes_and_reconciles(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("btcusdt", Exchange.HTX), NAME)
    recorder.wait(lambda: venue.session_count("private") and recorder.ticks(), what="streams")
    vt_orderid = main_engine.send_order(order(Direction.SHORT, OrderType.LIMIT, 0.3, 102.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    venue.faults.refuse_ws = True
    venue.drop_connections()
    venue.print_trade("btcusdt", "102.0", "0.3")  # fills while the private stream is down
    venue.faults.refuse_ws = False
    filled = final(recorder, vt_orderid, Status.ALLTRADED)
    assert filled.traded == 0.3
    assert [t.volume for t in recorder.wait(lambda: recorder.trades(vt_orderid), what="fill")] == [0.3]
    auths = recorder.wait(
        lambda: [m for k, m in venue.ws_log if k == "private" and m.get("ch") == "auth"][1:], what="re-auth"
    )
    assert auths
    before = len(recorder.ticks())
    venue.set_book("btcusdt", [("100.10", "1.0")], [("101.00", "1.5")])
    recorder.wait(
        lambda: any(t.bid_price_1 == 100.1 for t in recorder.ticks()[before:]), what="resubscribed ticks"
    )


def test_silent_venue_is_noticed_and_replaced(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    first = gateway.market_socket.connections
    venue.faults.stop_pings = True
    venue.faults.mute = True
    recorder.wait(
        lambda: gateway.market_socket.connections > first or gateway.market_socket.connected is False,
        what="idle drop",
    )
    venue.faults.stop_pings = False
    venue.faults.mute = False
    recorder.wait(lambda: gateway.market_socket.connections > first, timeout=20, what="reconnect")


def test_malformed_frames_are_counted_and_secrets_stay_out(main_engine, venue):
    with captured_logs() as logs:
        recorder, gateway = connect(main_engine, venue)
        main_engine.subscribe(SubscribeRequest("btcusdt", Exchange.HTX), NAME)
        recorder.wait(recorder.ticks, what="tick")
        venue.publish_raw("market", '{"ch":"market.btcusdt.mbp.refresh.5","ts":1,"tick":{"bids":"oops"}}')
        recorder.wait(lambda: gateway.malformed_messages >= 1, what="counted")
        venue.set_book("btcusdt", [("100.20", "1.0")], [("101.00", "1.5")])
        recorder.wait(lambda: any(t.bid_price_1 == 100.2 for t in recorder.ticks()), what="still streaming")
        main_engine.close()
    text = "\n".join(logs.lines)
    assert API_SECRET not in text and "malformed" in text


def test_clock_skew_is_followed(main_engine, venue):
    venue.faults.clock_offset_ms = 10 * 60_000  # 10 minutes ahead: past HTX's 5-minute window
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    assert abs(gateway.clock.offset_ms - 10 * 60_000) < 5_000


def test_a_clock_jump_after_connect_is_resynced_and_the_order_retried(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    venue.faults.clock_offset_ms = -10 * 60_000  # the venue's clock now runs 10 minutes behind
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    assert abs(gateway.clock.offset_ms + 10 * 60_000) < 5_000
    assert venue.request_log.count(("GET", "/v1/common/timestamp")) == 2  # connect, then the resync


def test_rate_limited_request_is_retried(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    venue.faults.http_429 = 1
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    assert venue.request_log.count(("POST", "/v1/order/orders/place")) == 2


def test_rest_and_streams_go_through_the_configured_proxy(main_engine, venue):
    proxy = LocalProxy().start()
    try:
        recorder, _ = connect(main_engine, venue, proxy_host="127.0.0.1", proxy_port=proxy.port)
        recorder.wait(lambda: venue.session_count() == 2, what="both streams")
        base = f"127.0.0.1:{venue.port}"
        assert f"GET http://{base}/v1/common/timestamp" in proxy.tunnels
        assert f"GET ws://{base}/ws" in proxy.tunnels and f"GET ws://{base}/ws/v2" in proxy.tunnels
    finally:
        main_engine.close()
        proxy.stop()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("proxy_port", 70000, "proxy_port"),
        ("server", "TESTNET", "server"),
        ("session_number", 0, "session_number"),
    ],
)
def test_bad_settings_are_refused_by_name(main_engine, venue, field, value, message):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(HuobiGateway)
    setting = {**HuobiGateway.default_setting, field: value}
    if field == "proxy_port":
        setting["proxy_host"] = "127.0.0.1"
    main_engine.connect(setting, gateway.gateway_name)
    refused = recorder.wait(
        lambda: [line for line in recorder.logs() if "cannot connect" in line], what="refusal"
    )
    assert message in refused[0]
    assert venue.request_log == []
