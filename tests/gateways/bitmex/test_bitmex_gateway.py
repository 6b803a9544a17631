"""BITMEX end to end: MainEngine -> BitmexGateway -> transport -> the local BitMEX venue and back."""

from __future__ import annotations

import dataclasses
import datetime as dt

from venues.harness import Recorder, captured_logs
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.gateways._venue import Timing
from vtcore.gateways.bitmex import BitmexGateway
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.bitmex import API_KEY, API_SECRET, BitmexVenue

NAME = "BITMEX"


def connect(
    main_engine: MainEngine, venue: BitmexVenue, **overrides: object
) -> tuple[Recorder, BitmexGateway]:
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(BitmexGateway)
    gateway.timing = Timing.fast()
    setting = {**BitmexGateway.default_setting, "key": API_KEY, "secret": API_SECRET, "server": "TESTNET"}
    setting.update({"base_url": venue.http_url, **overrides})
    main_engine.connect(setting, gateway.gateway_name)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    return recorder, gateway


def order(direction: Direction, kind: OrderType, volume: float, price: float = 0.0) -> OrderRequest:
    return OrderRequest(
        symbol="XBTUSD", exchange=Exchange.BITMEX, direction=direction, type=kind, volume=volume, price=price
    )


def test_connect_contracts_accounts_and_secrecy(main_engine, bitmex_venue):
    with captured_logs() as logs:
        recorder, gateway = connect(main_engine, bitmex_venue)
        recorder.wait(lambda: "private stream authenticated" in recorder.logs(), what="auth")
    contracts = {c.symbol: c for c in recorder.contracts()}
    assert set(contracts) == {"XBTUSD", "XBTUSDT"}
    assert (contracts["XBTUSD"].product, contracts["XBTUSD"].pricetick, contracts["XBTUSD"].min_volume) == (
        Product.SWAP,
        0.5,
        100,
    )
    accounts = {a.accountid: a for a in recorder.accounts()}
    assert accounts["XBT"].balance == 1.0 and accounts["USDT"].balance == 100_000.0
    auth = [m for kind, m in bitmex_venue.ws_log if m.get("op") == "authKeyExpires"]
    assert len(auth) == 1 and auth[0]["args"][0] == API_KEY
    text = "\n".join(logs.lines + recorder.logs())
    assert API_SECRET not in text and API_SECRET not in repr(gateway)


def test_ticks_merge_quote_depth_and_trades(main_engine, bitmex_venue):
    recorder, _ = connect(main_engine, bitmex_venue)
    main_engine.subscribe(SubscribeRequest("XBTUSD", Exchange.BITMEX), NAME)
    tick = recorder.wait(lambda: (t := recorder.ticks("XBTUSD.BITMEX")) and t[-1].ask_price_2 and t[-1])
    assert (tick.bid_price_1, tick.bid_volume_1, tick.ask_price_1, tick.ask_price_2) == (
        100.0,
        1000,
        100.5,
        101.0,
    )
    bitmex_venue.print_trade("XBTUSD", "100.5", "300")
    tick = recorder.wait(lambda: (t := recorder.ticks("XBTUSD.BITMEX")) and t[-1].last_price and t[-1])
    assert (tick.last_price, tick.last_volume, tick.bid_price_1) == (100.5, 300, 100.0)
    bitmex_venue.set_book("XBTUSD", [("99.0", "10")], [("99.5", "20")])
    recorder.wait(lambda: recorder.ticks("XBTUSD.BITMEX")[-1].bid_price_1 == 99.0, what="new book")


def test_limit_partial_fill_cancel_and_market_fill(main_engine, bitmex_venue):
    recorder, _ = connect(main_engine, bitmex_venue)
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 300, 99.0), NAME)
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    bitmex_venue.print_trade("XBTUSD", "99.0", "100", buyer_maker=True)
    partial = recorder.reaches(vt_orderid, Status.PARTTRADED)  # "PartiallyFilled", which vn.py 2.x missed
    assert partial.traded == 100
    trades = recorder.wait(lambda: recorder.trades(vt_orderid))
    assert (trades[0].price, trades[0].volume, trades[0].direction) == (99.0, 100, Direction.LONG)
    main_engine.cancel_order(CancelRequest(vt_orderid.split(".", 1)[1], "XBTUSD", Exchange.BITMEX), NAME)
    cancelled = recorder.reaches(vt_orderid, Status.CANCELLED)
    assert cancelled.traded == 100 and cancelled.extra["reason"] == "Canceled via API."
    market = main_engine.send_order(order(Direction.SHORT, OrderType.MARKET, 200), NAME)
    recorder.reaches(market, Status.ALLTRADED)
    assert sum(t.volume for t in recorder.wait(lambda: recorder.trades(market))) == 200
    position = recorder.wait(lambda: [p for p in recorder.positions() if p.volume == -100])
    assert position[-1].direction == Direction.NET


def test_post_only_fok_and_refusals_carry_the_venue_reason(main_engine, bitmex_venue):
    recorder, _ = connect(main_engine, bitmex_venue)
    post_only = main_engine.send_order(order(Direction.LONG, OrderType.POST_ONLY, 100, 101.0), NAME)
    assert recorder.reaches(post_only, Status.CANCELLED).extra["reason"] == (
        "Order had execInst of ParticipateDoNotInitiate"
    )
    fak = main_engine.send_order(order(Direction.LONG, OrderType.FAK, 2000, 100.5), NAME)  # 1500 on offer
    partly = recorder.reaches(fak, Status.CANCELLED)
    assert partly.traded == 1500 and partly.extra["reason"] == "Order had timeInForce of ImmediateOrCancel"
    fok = main_engine.send_order(order(Direction.LONG, OrderType.FOK, 5000, 101.0), NAME)
    assert recorder.reaches(fok, Status.CANCELLED).extra["reason"] == "Order had timeInForce of FillOrKill"
    odd = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 150, 99.0), NAME)  # never rounded
    assert recorder.reaches(odd, Status.REJECTED).extra["reason"] == (
        "volume 150 is not a multiple of the lot size 100"
    )
    too_big = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 9_000_000, 100.0), NAME)
    assert "insufficient Available Balance" in recorder.reaches(too_big, Status.REJECTED).extra["reason"]


def test_history_is_stamped_with_the_start_of_each_bar(main_engine, bitmex_venue):
    _, gateway = connect(main_engine, bitmex_venue)
    end = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    start = end - dt.timedelta(minutes=30)
    bars = gateway.query_history(HistoryRequest("XBTUSD", Exchange.BITMEX, start, end, Interval.MINUTE))
    assert len(bars) >= 29
    assert all(b.datetime.second == 0 and start <= b.datetime <= end for b in bars)
    assert [b.datetime for b in bars] == sorted(b.datetime for b in bars)


def test_reconnect_reauthenticates_resubscribes_and_reconciles(main_engine, bitmex_venue):
    recorder, _ = connect(main_engine, bitmex_venue)
    main_engine.subscribe(SubscribeRequest("XBTUSD", Exchange.BITMEX), NAME)
    recorder.wait(lambda: recorder.ticks("XBTUSD.BITMEX"))
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 200, 99.0), NAME)
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    bitmex_venue.faults.refuse_ws = True
    bitmex_venue.drop_connections()
    bitmex_venue.print_trade("XBTUSD", "99.0", "200", buyer_maker=True)  # filled while the streams are down
    bitmex_venue.faults.refuse_ws = False
    filled = recorder.reaches(vt_orderid, Status.ALLTRADED)
    assert filled.traded == 200
    assert sum(t.volume for t in recorder.wait(lambda: recorder.trades(vt_orderid))) == 200
    auths = recorder.wait(
        lambda: len([m for _, m in bitmex_venue.ws_log if m.get("op") == "authKeyExpires"]) >= 2
    )
    assert auths
    bitmex_venue.set_book("XBTUSD", [("98.0", "10")], [("98.5", "20")])
    recorder.wait(lambda: recorder.ticks("XBTUSD.BITMEX")[-1].bid_price_1 == 98.0, what="resubscribed book")


def test_clock_skew_and_malformed_frames(main_engine, bitmex_venue):
    bitmex_venue.faults.clock_offset_ms = 300_000  # the venue's clock runs five minutes ahead
    recorder, gateway = connect(main_engine, bitmex_venue)
    recorder.wait(lambda: "private stream authenticated" in recorder.logs(), what="auth despite the skew")
    main_engine.subscribe(SubscribeRequest("XBTUSD", Exchange.BITMEX), NAME)
    recorder.wait(lambda: recorder.ticks("XBTUSD.BITMEX"))
    bitmex_venue.publish_raw("realtime", '{"table":"quote","action":"insert","data":[{"symbol":"XBTUSD"}]}')
    recorder.wait(lambda: gateway.malformed_messages == 1, what="malformed frame counted")
    bitmex_venue.set_book("XBTUSD", [("97.0", "10")], [("97.5", "20")])
    recorder.wait(lambda: recorder.ticks("XBTUSD.BITMEX")[-1].bid_price_1 == 97.0, what="ticks after it")


def test_wrong_secret_is_named_and_never_logged(main_engine, bitmex_venue):
    with captured_logs() as logs:
        recorder = Recorder(main_engine)
        gateway = main_engine.add_gateway(BitmexGateway)
        gateway.timing = Timing.fast()
        wrong = "WRONG-secret-0123456789"
        setting = {**BitmexGateway.default_setting, "key": API_KEY, "secret": wrong, "server": "REAL"}
        setting["base_url"] = bitmex_venue.http_url
        main_engine.connect(setting, NAME)
        recorder.wait(
            lambda: any("Signature not valid" in line for line in recorder.logs()), what="error log"
        )
    assert wrong not in "\n".join(logs.lines + recorder.logs())


def test_rate_limit_reply_is_waited_out_and_close_leaves_no_stream(main_engine, bitmex_venue):
    recorder, _ = connect(main_engine, bitmex_venue)
    bitmex_venue.faults.http_429 = 1  # the order's first attempt is answered 429 + Retry-After
    bitmex_venue.faults.retry_after = 0
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 100, 99.0), NAME)
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    assert bitmex_venue.faults.http_429 == 0
    assert bitmex_venue.session_count() == 2
    main_engine.close()
    recorder.wait(lambda: bitmex_venue.session_count() == 0, what="both streams closed")


def connect_impatient(main_engine, venue):
    """Connect with a short REST timeout and one retry, so that a held answer is given up on quickly."""
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(BitmexGateway)
    gateway.timing = dataclasses.replace(Timing.fast(), rest_timeout=0.5, rest_retries=1)
    setting = {**BitmexGateway.default_setting, "key": API_KEY, "secret": API_SECRET, "server": "TESTNET"}
    main_engine.connect({**setting, "base_url": venue.http_url}, gateway.gateway_name)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
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


def test_placed_order_whose_answer_and_lookups_fail_is_asked_about_again_and_fills(main_engine, bitmex_venue):
    recorder, gateway = connect_impatient(main_engine, bitmex_venue)
    faults, earlier = bitmex_venue.faults, len(bitmex_venue.request_log)
    faults.stall_rest, faults.stall_seconds, faults.act_before_stall = 1, 2.0, True  # placed; answer held
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 200, 99.0), NAME)
    sent = ("POST", "/api/v1/order")
    recorder.wait(lambda: sent in bitmex_venue.request_log[earlier:], what="the order sent")
    faults.http_5xx = 1000  # and every question about it is answered 503
    unsettled(recorder, vt_orderid)
    assert vt_orderid.split(".", 1)[1] in gateway.unanswered
    faults.http_5xx = 0
    auths = len([m for _, m in bitmex_venue.ws_log if m.get("op") == "authKeyExpires"])
    bitmex_venue.drop_connections()  # the private stream reconnects: the order is asked about again
    recorder.wait(lambda: not gateway.unanswered, what="the order found at the venue")
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    recorder.wait(lambda: len([m for _, m in bitmex_venue.ws_log if m.get("op") == "authKeyExpires"]) > auths)
    bitmex_venue.print_trade("XBTUSD", "99.0", "200", buyer_maker=True)
    assert recorder.reaches(vt_orderid, Status.ALLTRADED).traded == 200
    assert sum(t.volume for t in recorder.wait(lambda: recorder.trades(vt_orderid))) == 200
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]
    assert [p for m, p in bitmex_venue.request_log if m == "POST"].count("/api/v1/order") == 1


def test_order_lost_before_bitmex_took_it_is_rejected_once_it_lists_none(main_engine, bitmex_venue):
    recorder, gateway = connect(main_engine, bitmex_venue)
    bitmex_venue.faults.http_5xx = 1  # the order request is answered 503 and not acted on
    vt_orderid = main_engine.send_order(order(Direction.LONG, OrderType.LIMIT, 200, 99.0), NAME)
    reason = recorder.reaches(vt_orderid, Status.REJECTED).extra["reason"]
    orderid = vt_orderid.split(".", 1)[1]
    words = f"BitMEX lists no order with clOrdID {orderid}"
    assert reason.startswith(f"{words} (the order request got no answer: ")
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.REJECTED]
    assert ("GET", "/api/v1/order") in bitmex_venue.request_log
    assert not gateway.unanswered
