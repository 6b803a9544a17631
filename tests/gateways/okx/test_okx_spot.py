"""OKEX (OKX v5 spot) end to end: MainEngine -> gateway -> transport -> the local OKX venue and back."""

from __future__ import annotations

import datetime as dt

import pytest

from venues.harness import Recorder, captured_logs, okx_setting
from venues.harness import connect_okx as connect
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.event import EVENT_ACCOUNT
from vtcore.gateways._venue import Timing
from vtcore.gateways.okx import OkexfGateway, OkexGateway
from vtcore.object import HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.okx import API_KEY, API_SECRET, PASSPHRASE, OkxVenue

NAME = "OKEX"


def order(
    direction: Direction, order_type: OrderType, volume: float, price: float = 0.0, symbol: str = "BTC-USDT"
) -> OrderRequest:
    return OrderRequest(
        symbol=symbol, exchange=Exchange.OKX, direction=direction, type=order_type, volume=volume, price=price
    )


def final(recorder: Recorder, vt_orderid: str, status: Status):
    return recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == status and o,
        what=f"{vt_orderid} {status.value}",
    )


@pytest.fixture
def venue(okx_venue):
    return okx_venue


def test_connect_loads_spot_contracts_and_logs_in(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    contracts = {c.symbol: c for c in recorder.contracts()}
    assert set(contracts) == {"BTC-USDT", "ETH-USDT"}
    btc = contracts["BTC-USDT"]
    assert (btc.product, btc.pricetick, btc.min_volume, btc.exchange) == (
        Product.SPOT,
        0.1,
        0.00001,
        Exchange.OKX,
    )
    assert gateway.inst_codes["BTC-USDT"] == 10001
    accounts = {a.accountid: a for a in recorder.accounts()}
    assert accounts["USDT"].balance == 100000
    logins = [m for kind, m in venue.ws_log if kind == "private" and m["op"] == "login"]
    assert len(logins) == 1 and logins[0]["args"][0]["apiKey"] == API_KEY


def test_ticks_merge_ticker_books5_and_trades(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("BTC-USDT", Exchange.OKX), NAME)
    subscribed = lambda: venue.run(  # noqa: E731
        lambda: sorted(
            a["channel"] for s in venue.sessions if s.kind == "public" for a in s.state.get("args", [])
        )
    )
    recorder.wait(lambda: subscribed() == ["books5", "tickers", "trades"])
    venue.print_trade("BTC-USDT", "100.5", "0.25")
    venue.set_book("BTC-USDT", [("100.0", "1.0"), ("99.5", "2.0"), ("99.0", "3.0")], [("101.0", "1.5")])

    tick = recorder.wait(
        lambda: (
            (t := recorder.ticks("BTC-USDT.OKX"))
            and t[-1].bid_price_3 == 99.0
            and t[-1].last_price == 100.5
            and t[-1].high_price == 100.5
            and t[-1]
        )
    )
    assert (tick.bid_price_1, tick.ask_price_1, tick.ask_volume_1, tick.ask_price_2) == (
        100.0,
        101.0,
        1.5,
        0.0,
    )
    # the venue's 24-hour statistics come from its tape: the one print so far
    assert tick.high_price == 100.5 and tick.volume == 0.25


def test_limit_order_lifecycle_through_websocket_operations(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    venue.print_trade("BTC-USDT", "99.0", "0.2")
    final(recorder, vt_orderid, Status.PARTTRADED)
    venue.print_trade("BTC-USDT", "98.0", "1")
    final(recorder, vt_orderid, Status.ALLTRADED)
    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2 and recorder.trades(vt_orderid))
    assert [(t.price, t.volume) for t in trades] == [(99.0, 0.2), (99.0, 0.3)]
    assert [o.status for o in recorder.orders(vt_orderid)] == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.PARTTRADED,
        Status.ALLTRADED,
    ]
    placed = [m for m in venue.order_ops if m["op"] == "order"]
    assert placed[0]["args"][0]["instIdCode"] == 10001 and "instId" not in placed[0]["args"][0]
    assert not [p for m, p in venue.request_log if p == "/api/v5/trade/order" and m == "POST"]


def test_an_order_sent_as_the_account_arrives_waits_for_the_private_stream(main_engine, venue):
    # connect() pushes the account, then loads the open orders, then opens the private stream that orders
    # go out on. An order sent from the account event, with that load held up, waits for the stream; it is
    # neither refused nor told "no API key".
    sent: list[str] = []

    def send_on_the_first_account(event) -> None:
        if not sent:
            venue.faults.stall_seconds, venue.faults.stall_rest = 0.5, 1  # the next REST request waits
            sent.append(main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME))

    main_engine.event_engine.register(EVENT_ACCOUNT, send_on_the_first_account)
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(OkexGateway)
    gateway.timing = Timing.fast()
    main_engine.connect(okx_setting(venue, OkexGateway), NAME)
    recorder.wait(lambda: sent, what="the account")
    assert final(recorder, sent[0], Status.NOTTRADED).traded == 0
    assert [o.status for o in recorder.orders(sent[0])] == [Status.SUBMITTING, Status.NOTTRADED]


def test_cancel(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.SHORT, OrderType.LIMIT, 0.1, 105.0), NAME)
    placed = final(recorder, vt_orderid, Status.NOTTRADED)
    main_engine.cancel_order(placed.create_cancel_request(), NAME)
    final(recorder, vt_orderid, Status.CANCELLED)
    assert [m["op"] for m in venue.order_ops] == ["order", "cancel-order"]


def test_market_buy_is_sized_in_base_currency(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.MARKET, 2.0), NAME)
    final(recorder, vt_orderid, Status.ALLTRADED)
    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2 and recorder.trades(vt_orderid))
    assert sorted((t.price, t.volume) for t in trades) == [(101.0, 1.5), (101.5, 0.5)]


@pytest.mark.parametrize(
    ("order_type", "volume", "traded", "status"),
    [
        (OrderType.FAK, 2.0, 1.5, Status.CANCELLED),
        (OrderType.FOK, 2.0, 0.0, Status.CANCELLED),
        (OrderType.FOK, 1.0, 1.0, Status.ALLTRADED),
    ],
)
def test_fak_and_fok(main_engine, venue, order_type, volume, traded, status):  # noqa: PLR0917
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, order_type, volume, 101.0), NAME)
    last = final(recorder, vt_orderid, status)
    assert last.traded == traded and last.type == order_type


def test_rejection_carries_the_venue_message(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 5000.0, 100.0), NAME)
    refused = final(recorder, vt_orderid, Status.REJECTED)
    assert refused.extra == {"reason": "51008: Order failed. Insufficient USDT balance in account."}
    assert any("Insufficient USDT balance" in msg for msg in recorder.logs())


@pytest.mark.parametrize(
    ("gateway_class", "symbol", "reason"),
    [
        # the spot gateway needs the venue's instIdCode to send an order at all: it refuses it itself
        (OkexGateway, "DOGE-USDT", "unknown symbol DOGE-USDT (no instIdCode among the loaded instruments)"),
        # the swap gateway sets the leverage first, over REST, and the venue refuses the instrument
        (OkexfGateway, "DOGE-USDT-SWAP", "51001: Instrument ID does not exist"),
    ],
)
def test_unknown_instrument_is_refused_with_a_reason(main_engine, venue, gateway_class, symbol, reason):
    recorder, gateway = connect(main_engine, venue, gateway_class)
    vt_orderid = main_engine.send_order(
        order(Direction.LONG, OrderType.LIMIT, 1, 1.0, symbol), gateway.gateway_name
    )
    assert final(recorder, vt_orderid, Status.REJECTED).extra["reason"] == reason
    assert venue.order_ops == []


def test_order_whose_answer_was_lost_is_rejected_only_once_the_venue_says_it_has_none(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    venue.faults.drop_order_reply = 1  # the venue cuts the line instead of answering (and places nothing)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    refused = final(recorder, vt_orderid, Status.REJECTED)
    assert refused.extra["reason"] == (
        "51603: Order does not exist (the order request got no answer: "
        "OKEX.private: connection lost before the reply)"
    )
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.REJECTED]
    logins = [m for kind, m in venue.ws_log if kind == "private" and m["op"] == "login"]
    assert len(logins) == 2  # asked after logging in again
    assert ("GET", "/api/v5/trade/order") in venue.request_log


def test_order_placed_before_the_line_dropped_is_kept_and_fills(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    venue.faults.drop_order_reply = 1
    venue.faults.act_before_drop = True  # the venue places the order, then the answer is lost
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)  # found by the reconcile after the new login
    recorder.wait(lambda: private_ready(venue), what="logged in and resubscribed")
    venue.print_trade("BTC-USDT", "99.0", "1.0")
    final(recorder, vt_orderid, Status.ALLTRADED)
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]
    assert [t.volume for t in recorder.wait(lambda: recorder.trades(vt_orderid))] == [0.5]


def test_order_whose_reply_never_comes_stays_live_and_fills(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    gateway.private_socket.config.request_timeout = 0.5  # how long the gateway waits for an order's reply
    venue.faults.mute = True  # the venue places the order, but neither its reply nor any push goes out
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)  # asked about over REST by its clOrdId: the venue has it
    venue.faults.mute = False
    assert ("GET", "/api/v5/trade/order") in venue.request_log
    recorder.wait(lambda: private_ready(venue), what="the private stream subscribed")
    venue.print_trade("BTC-USDT", "99.0", "1.0")
    final(recorder, vt_orderid, Status.ALLTRADED)
    assert [t.volume for t in recorder.wait(lambda: recorder.trades(vt_orderid))] == [0.5]
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]


def test_query_history_pages_backwards(main_engine, venue):
    connect(main_engine, venue)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(minutes=700)
    bars = main_engine.query_history(
        HistoryRequest("BTC-USDT", Exchange.OKX, start, end, Interval.MINUTE), NAME
    )
    assert len(bars) == 701
    assert bars[0].datetime == start and bars[-1].datetime == end
    assert all(b.high_price > b.low_price for b in bars)


def test_private_reconnect_logs_in_again_and_recovers_missed_fill(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)

    venue.faults.refuse_ws = True
    venue.drop_connections("private")
    recorder.wait(
        lambda: [s.state for s in recorder.states() if s.front == "private"][-1:] == ["disconnected"]
    )
    venue.print_trade("BTC-USDT", "99.0", "0.2")
    venue.faults.refuse_ws = False

    recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 1, what="missed fill recovered")
    recorder.wait(lambda: private_ready(venue), what="logged in and resubscribed")
    venue.print_trade("BTC-USDT", "99.0", "0.3")
    final(recorder, vt_orderid, Status.ALLTRADED)
    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2 and recorder.trades(vt_orderid))
    assert [t.volume for t in trades] == [0.2, 0.3]
    assert [o.status for o in recorder.orders(vt_orderid)] == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.PARTTRADED,
        Status.ALLTRADED,
    ]
    assert len([m for kind, m in venue.ws_log if kind == "private" and m["op"] == "login"]) == 2


def private_ready(venue: OkxVenue) -> list[object]:
    """The venue's logged-in private sessions that have subscribed to their two channels again."""
    return venue.run(
        lambda: [
            s
            for s in venue.sessions
            if s.kind == "private"
            and s.state.get("logged_in")
            and not s.ws.closed
            and len(s.state.get("args", [])) == 2
        ]
    )


def test_silent_venue_is_replaced_and_public_topics_replayed(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("BTC-USDT", Exchange.OKX), NAME)
    recorder.wait(
        lambda: (
            gateway.public_socket.topics
            and venue.run(
                lambda: [len(s.state.get("args", [])) for s in venue.sessions if s.kind == "public"]
            )
            == [3]
        )
    )
    venue.faults.stop_pings = True  # no answer to our text pings
    recorder.wait(lambda: gateway.public_socket.connections >= 2, what="silent line replaced")
    venue.faults.stop_pings = False
    recorder.wait(
        lambda: (
            venue.run(
                lambda: [
                    len(s.state.get("args", []))
                    for s in venue.sessions
                    if s.kind == "public" and not s.ws.closed
                ]
            )
            == [3]
        )
    )
    venue.set_book("BTC-USDT", [("100.3", "1.0")], [("101.0", "1.5")])
    recorder.wait(lambda: any(t.bid_price_1 == 100.3 for t in recorder.ticks()))


def test_malformed_frames_and_unknown_symbols(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("DOGE-USDT", Exchange.OKX), NAME)
    recorder.wait(lambda: any("unknown symbol DOGE-USDT.OKX" in m for m in recorder.logs()))
    venue.publish_raw("public", "{garbage")
    venue.publish_raw("public", '{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":"x"}]}')
    venue.publish_raw("private", '{"arg":{"channel":"orders","instType":"SPOT"},"data":[{"instId":1}]}')
    recorder.wait(lambda: gateway.malformed_messages >= 3)
    main_engine.subscribe(SubscribeRequest("BTC-USDT", Exchange.OKX), NAME)
    recorder.wait(
        lambda: (
            venue.run(lambda: [len(s.state.get("args", [])) for s in venue.sessions if s.kind == "public"])
            == [3]
        )
    )
    venue.set_book("BTC-USDT", [("100.2", "1.0")], [("101.0", "1.5")])
    recorder.wait(lambda: any(t.bid_price_1 == 100.2 for t in recorder.ticks()))
    assert gateway.public_socket.connections == 1 and gateway.private_socket.connections == 1


def asks(venue: OkxVenue) -> int:
    return len([p for m, p in venue.request_log if (m, p) == ("GET", "/api/v5/trade/order")])


def test_an_order_report_with_an_unknown_state_is_warned_of_and_the_order_asked_of_the_venue(
    main_engine, venue
):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    venue.odd_states = 1  # the fill's push says "paused"
    with captured_logs() as logs:
        venue.print_trade("BTC-USDT", "99.0", "0.5")
        final(recorder, vt_orderid, Status.ALLTRADED)  # from the venue's answer, not a guess
        trades = recorder.wait(lambda: recorder.trades(vt_orderid), what="the fill")
    assert [t.volume for t in trades] == [0.5]
    assert gateway.malformed_messages == 1
    assert asks(venue) == 1
    assert any(" WARNING " in line and "unknown state 'paused'" in line for line in logs.lines)
    assert [o.status for o in recorder.orders(vt_orderid)] == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.ALLTRADED,
    ]


def test_an_unknown_state_in_the_venues_answer_too_is_asked_once_and_never_guessed(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    venue.odd_states = venue.odd_queries = 1
    venue.print_trade("BTC-USDT", "99.0", "0.2")
    recorder.wait(lambda: gateway.malformed_messages == 2, what="the push and the answer counted")
    assert [t.volume for t in recorder.trades(vt_orderid)] == [0.2]  # the fill the push carried is kept
    assert asks(venue) == 1
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.NOTTRADED]
    venue.print_trade("BTC-USDT", "99.0", "0.3")  # a readable report moves it on
    final(recorder, vt_orderid, Status.ALLTRADED)
    assert [t.volume for t in recorder.trades(vt_orderid)] == [0.2, 0.3]


def test_an_open_order_row_that_cannot_be_read_is_skipped_and_the_others_load(main_engine, venue, engines):
    recorder, _ = connect(main_engine, venue)
    first = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 99.0), NAME)
    second = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.5, 98.0), NAME)
    final(recorder, first, Status.NOTTRADED)
    final(recorder, second, Status.NOTTRADED)
    venue.blank_sizes = 1  # the first open order's row comes with sz ""
    engines.append(other := MainEngine())
    with captured_logs() as logs:
        again, gateway = connect(other, venue)  # connects, rather than failing on the row
        loaded = again.wait(lambda: again.last_order(second), what="the readable open order loaded")
    assert (loaded.price, loaded.status) == (98.0, Status.NOTTRADED)
    assert again.last_order(first) is None
    assert gateway.malformed_messages == 1
    orderid = first.split(".", 1)[1]
    assert any(" WARNING " in line and f"malformed open order {orderid}" in line for line in logs.lines)


def test_rate_limit_and_secrets(main_engine, venue):
    with captured_logs() as capture:
        recorder, _ = connect(main_engine, venue)
        venue.faults.http_429 = 1
        venue.faults.retry_after = 0
        start = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
        bars = main_engine.query_history(
            HistoryRequest("BTC-USDT", Exchange.OKX, start, start + dt.timedelta(minutes=5), Interval.MINUTE),
            NAME,
        )
    assert len(bars) == 6
    assert any("rate limited" in line for line in capture.lines)
    text = "\n".join(capture.lines + recorder.logs())
    for secret in (API_SECRET, PASSPHRASE, API_KEY):
        assert secret not in text


def test_wrong_passphrase_is_named_and_the_gateway_says_connect_failed(main_engine, venue):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(OkexGateway)
    gateway.timing = Timing.fast()
    setting = dict(OkexGateway.default_setting)
    setting.update(
        {
            "key": API_KEY,
            "secret": API_SECRET,
            "passphrase": "wrong-one",
            "server": "REAL",
            "base_url": venue.http_url,
        }
    )
    main_engine.connect(setting, NAME)
    failed = recorder.wait(lambda: [m for m in recorder.logs() if m.startswith("connect failed")])
    assert "passphrase" in failed[0] and "50105" in failed[0] and "wrong-one" not in failed[0]
    # every stream that had opened is closed, and its state says why: nothing looks connected
    latest = {state.front: state for state in recorder.states()}
    assert latest and all(s.state == "connect failed" and "passphrase" in s.message for s in latest.values())
    # the venue sees each close a moment after the gateway made it (on its own loop): wait, never assume
    recorder.wait(lambda: venue.session_count() == 0, what="the venue to see every stream closed")
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    rejected = final(recorder, vt_orderid, Status.REJECTED)
    assert "passphrase" in rejected.extra["reason"] and "API key missing" not in rejected.extra["reason"]


def test_demo_server_sends_the_simulated_trading_header(main_engine, venue):
    venue.demo = True
    recorder, _ = connect(main_engine, venue, server="DEMO")
    assert {c.symbol for c in recorder.contracts()} == {"BTC-USDT", "ETH-USDT"}


def test_clock_skew_is_resynced_for_rest_and_login(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    venue.faults.clock_offset_ms = 60_000  # the venue's clock jumps a minute ahead
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 0.1, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)  # the private socket is already logged in: no timestamp
    gateway.query_account()
    recorder.wait(lambda: 59_000 < gateway.clock.offset_ms < 61_000, what="clock resynced after 50102")
    venue.drop_connections("private")  # the new login must carry venue time, or 60006
    recorder.wait(lambda: gateway.private_socket.connections == 2, what="logged in again")
    assert [p for _, p in venue.request_log].count("/api/v5/public/time") == 2


def test_post_only_rests_and_fills_as_maker(main_engine, venue, engines):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.POST_ONLY, 0.5, 99.0), NAME)
    placed = final(recorder, vt_orderid, Status.NOTTRADED)
    assert placed.type == OrderType.POST_ONLY
    assert [m["args"][0]["ordType"] for m in venue.order_ops if m["op"] == "order"] == ["post_only"]
    # a second session loads the open order from the venue and reads post_only back as POST_ONLY
    engines.append(second := MainEngine())
    again, _ = connect(second, venue)
    loaded = again.wait(lambda: again.last_order(vt_orderid), what="open order loaded")
    assert loaded.type == OrderType.POST_ONLY
    venue.print_trade("BTC-USDT", "99.0", "1")
    final(recorder, vt_orderid, Status.ALLTRADED)
    trades = recorder.wait(lambda: recorder.trades(vt_orderid))
    assert [(t.price, t.volume) for t in trades] == [(99.0, 0.5)]
    fills = venue.run(lambda: [f for fills in venue.matching.fills.values() for f in fills])
    assert [f.maker for f in fills] == [True]


@pytest.mark.parametrize(
    ("symbol", "gateway_class"), [("BTC-USDT", OkexGateway), ("BTC-USDT-SWAP", OkexfGateway)]
)
def test_post_only_that_would_take_is_cancelled_with_the_venue_reason(
    main_engine, venue, symbol, gateway_class
):
    recorder, gateway = connect(main_engine, venue, gateway_class)
    # the best ask of both books is 101.0: a buy there would take it
    vt_orderid = main_engine.send_order(
        order(Direction.LONG, OrderType.POST_ONLY, 1, 101.0, symbol), gateway.gateway_name
    )
    cancelled = final(recorder, vt_orderid, Status.CANCELLED)
    assert cancelled.traded == 0 and cancelled.type == OrderType.POST_ONLY
    assert cancelled.extra == {
        "reason": "cancelled by the venue: cancelSource 31 (post-only order would have taken liquidity)"
    }
    recorder.wait(
        lambda: any(
            cancelled.orderid in msg and "cancelSource 31" in msg and "post-only" in msg
            for msg in recorder.logs()
        ),
        what="the venue's cancel reason in the log",
    )
    assert recorder.trades(vt_orderid) == []
    assert venue.run(lambda: [f for fills in venue.matching.fills.values() for f in fills]) == []
