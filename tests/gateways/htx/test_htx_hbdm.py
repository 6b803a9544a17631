"""HBDM (HTX futures: coin-margined delivery futures and swaps, USDT-margined swaps on v5) end to end against
the
local HBDM venue."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from venues.harness import Recorder, captured_logs, connect_htx
from vtcore.constant import Direction, Exchange, Interval, Offset, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.gateways._venue import Timing
from vtcore.gateways.htx import HbdmGateway
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.htx import API_KEY, API_SECRET
from vtcore.peers.htx_futures import HbdmVenue

NAME = "HBDM"


def order(  # noqa: PLR0917 - an OrderRequest's own fields, in its order
    symbol: str,
    direction: Direction,
    kind: OrderType,
    volume: float,
    price: float = 0.0,
    offset: Offset = Offset.OPEN,
) -> OrderRequest:
    return OrderRequest(
        symbol=symbol,
        exchange=Exchange.HTX,
        direction=direction,
        type=kind,
        volume=volume,
        price=price,
        offset=offset,
    )


def final(recorder: Recorder, vt_orderid: str, status: Status):
    return recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == status and o,
        what=f"{vt_orderid} {status.value}",
    )


@pytest.fixture
def venue(hbdm_venue: HbdmVenue) -> HbdmVenue:
    return hbdm_venue


def connect(main_engine: MainEngine, venue: HbdmVenue, **overrides: object):
    recorder, gateway = connect_htx(main_engine, venue, HbdmGateway, **overrides)
    recorder.wait(lambda: venue.session_count() == 6, what="three market and three notification streams")
    recorder.wait(
        lambda: sum(1 for s in venue.run(lambda: list(venue.sessions)) if s.state.get("authed")) == 3,
        what="three authenticated notification streams",
    )
    return recorder, gateway


def test_connect_loads_three_families_and_their_accounts(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    contracts = {c.symbol: c for c in recorder.contracts()}
    assert {s: (c.product, c.size, c.pricetick) for s, c in contracts.items()} == {
        "BTC260925": (Product.FUTURES, 100, 0.01),
        "BTC-USD": (Product.SWAP, 100, 0.1),
        "BTC-USDT": (Product.SWAP, 0.001, 0.1),
    }
    accounts = {a.accountid: a.balance for a in recorder.accounts()}
    assert accounts == {"BTC_FUTURE": 10, "BTC_SWAP": 10, "USDT": 100000}


def test_swap_ticks(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest("BTC-USD", Exchange.HTX), NAME)
    tick = recorder.wait(lambda: [t for t in recorder.ticks("BTC-USD.HTX") if t.ask_price_2], what="book")[-1]
    assert (tick.bid_price_1, tick.bid_price_2, tick.ask_price_1, tick.ask_volume_2) == (
        100.0,
        99.9,
        100.1,
        90.0,
    )
    recorder.wait(
        lambda: (
            sum(len(s.topics) for s in venue.run(lambda: list(venue.sessions)) if s.kind == "market-swap")
            == 3
        ),
        what="the three market subscriptions",
    )
    venue.print_trade("BTC-USD", "100.05", "3")
    tick = recorder.wait(
        lambda: [t for t in recorder.ticks() if t.last_price == 100.05 and t.high_price], what="trade"
    )[-1]
    assert tick.last_volume == 3


def test_coin_margined_open_and_close(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    opened = main_engine.send_order(order("BTC-USD", Direction.LONG, OrderType.LIMIT, 3, 100.1), NAME)
    assert final(recorder, opened, Status.ALLTRADED).traded == 3
    trades = recorder.wait(lambda: recorder.trades(opened), what="open fill")
    assert [(t.price, t.volume, t.offset) for t in trades] == [(100.1, 3.0, Offset.OPEN)]
    recorder.wait(
        lambda: any(
            p.symbol == "BTC-USD" and p.direction == Direction.LONG and p.volume == 3
            for p in recorder.positions()
        ),
        what="long position",
    )
    closed = main_engine.send_order(
        order("BTC-USD", Direction.SHORT, OrderType.LIMIT, 1, 100.0, Offset.CLOSE), NAME
    )
    final(recorder, closed, Status.ALLTRADED)
    recorder.wait(
        lambda: any(
            p.symbol == "BTC-USD" and p.direction == Direction.LONG and p.volume == 2
            for p in recorder.positions()
        ),
        what="reduced position",
    )
    too_much = main_engine.send_order(
        order("BTC-USD", Direction.SHORT, OrderType.LIMIT, 5, 100.0, Offset.CLOSE), NAME
    )
    assert (
        final(recorder, too_much, Status.REJECTED).extra["reason"]
        == "1048: Insufficient close amount available."
    )
    no_offset = main_engine.send_order(
        order("BTC-USD", Direction.LONG, OrderType.LIMIT, 1, 99.0, Offset.NONE), NAME
    )
    assert "offset" in final(recorder, no_offset, Status.REJECTED).extra["reason"]


def test_delivery_future_rests_and_cancels(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(order("BTC260925", Direction.LONG, OrderType.LIMIT, 2, 99.5), NAME)
    resting = final(recorder, vt_orderid, Status.NOTTRADED)
    main_engine.cancel_order(CancelRequest(resting.orderid, "BTC260925", Exchange.HTX), NAME)
    final(recorder, vt_orderid, Status.CANCELLED)
    clients = venue.run(lambda: [o.client_id for o in venue.matching.orders.values()])
    assert clients == [resting.orderid]


def test_linear_v5_orders_fills_and_net_position(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    resting = main_engine.send_order(order("BTC-USDT", Direction.LONG, OrderType.LIMIT, 2, 99.5), NAME)
    final(recorder, resting, Status.NOTTRADED)
    main_engine.cancel_order(CancelRequest(resting.split(".", 1)[1], "BTC-USDT", Exchange.HTX), NAME)
    final(recorder, resting, Status.CANCELLED)
    market = main_engine.send_order(order("BTC-USDT", Direction.LONG, OrderType.MARKET, 4), NAME)
    assert final(recorder, market, Status.ALLTRADED).traded == 4
    fills = recorder.wait(lambda: recorder.trades(market), what="v5 trade")
    assert [(t.price, t.volume) for t in fills] == [(100.1, 4.0)]
    recorder.wait(
        lambda: any(
            p.symbol == "BTC-USDT" and p.direction == Direction.NET and p.volume == 4
            for p in recorder.positions()
        ),
        what="net position",
    )
    reduce = main_engine.send_order(
        order("BTC-USDT", Direction.SHORT, OrderType.FAK, 1, 100.0, Offset.CLOSE), NAME
    )
    final(recorder, reduce, Status.ALLTRADED)
    sent = venue.run(
        lambda: [(o.extra.get("type"), o.extra.get("reduce_only")) for o in venue.matching.orders.values()]
    )
    assert sent[-1] == ("limit", True)


@pytest.mark.parametrize(
    ("symbol", "words"), [("BTC-USD", "unknown status 99"), ("BTC-USDT", "unknown state 'paused'")]
)
def test_an_unknown_order_state_is_counted_asked_of_the_venue_and_never_guessed(
    main_engine, venue, symbol, words
):
    recorder, gateway = connect(main_engine, venue)
    reconciled(recorder, venue)
    vt_orderid = main_engine.send_order(order(symbol, Direction.LONG, OrderType.LIMIT, 3, 99.5), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    earlier = len(venue.request_log)
    venue.odd_states = venue.odd_queries = 1  # the fill's notification and the venue's answer are unreadable
    with captured_logs() as logs:
        venue.print_trade(symbol, "99.5", "1")
        recorder.wait(lambda: gateway.malformed_messages == 2, what="the notification and the answer counted")
        recorder.wait(lambda: recorder.trades(vt_orderid), what="the fill")
    assert any(" WARNING " in line and words in line for line in logs.lines)
    query = ("GET", "/v5/trade/order") if symbol == "BTC-USDT" else ("POST", "/swap-api/v1/swap_order_info")
    assert venue.request_log[earlier:].count(query) == 1  # asked once, not in a loop
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.NOTTRADED]
    venue.print_trade(symbol, "99.5", "2")  # a readable notification moves it on
    assert final(recorder, vt_orderid, Status.ALLTRADED).traded == 3
    recorder.wait(lambda: sum(t.volume for t in recorder.trades(vt_orderid)) == 3, what="both fills")


def test_contract_history_uses_from_and_to(main_engine, venue):
    connect(main_engine, venue)
    end = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    start = end - dt.timedelta(minutes=4)
    bars = main_engine.query_history(
        HistoryRequest("BTC-USDT", Exchange.HTX, start, end, Interval.MINUTE), NAME
    )
    assert [b.datetime for b in bars] == [start + dt.timedelta(minutes=i) for i in range(5)]
    paths = [path for method, path in venue.request_log if "kline" in path]
    assert paths == ["/linear-swap-ex/market/history/kline"]


def test_reconnect_reauthenticates_every_family_and_reconciles(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    swap = main_engine.send_order(order("BTC-USD", Direction.SHORT, OrderType.LIMIT, 2, 101.0), NAME)
    linear = main_engine.send_order(order("BTC-USDT", Direction.SHORT, OrderType.LIMIT, 2, 101.0), NAME)
    final(recorder, swap, Status.NOTTRADED)
    final(recorder, linear, Status.NOTTRADED)
    venue.faults.refuse_ws = True
    venue.drop_connections()
    venue.print_trade("BTC-USD", "101.0", "2")  # both fill while the notification streams are down
    venue.print_trade("BTC-USDT", "101.0", "2")
    venue.faults.refuse_ws = False
    assert final(recorder, swap, Status.ALLTRADED).traded == 2
    assert final(recorder, linear, Status.ALLTRADED).traded == 2
    # the fills missed while the streams were down are fetched, once each
    swap_fills = recorder.wait(lambda: recorder.trades(swap), what="the swap's missed fill")
    linear_fills = recorder.wait(lambda: recorder.trades(linear), what="the USDT-M missed fill")
    assert [(t.price, t.volume) for t in swap_fills + linear_fills] == [(101.0, 2.0), (101.0, 2.0)]
    auths = [kind for kind, m in venue.ws_log if kind.startswith("notify") and m.get("op") == "auth"]
    assert all(auths.count(f"notify-{name}") >= 2 for name in ("future", "swap", "linear"))  # each again


def test_leverage_setting_is_checked_and_sent(main_engine, venue):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(HbdmGateway)
    main_engine.connect({**HbdmGateway.default_setting, "leverage": 500}, gateway.gateway_name)
    refused = recorder.wait(
        lambda: [line for line in recorder.logs() if "cannot connect" in line], what="refusal"
    )
    assert "leverage" in refused[0]
    main_engine.close()


def test_coin_margined_orders_carry_the_configured_leverage(main_engine, venue):
    recorder, _ = connect(main_engine, venue, leverage=20)
    vt_orderid = main_engine.send_order(order("BTC-USD", Direction.LONG, OrderType.LIMIT, 1, 99.0), NAME)
    final(recorder, vt_orderid, Status.NOTTRADED)
    assert venue.run(lambda: [o.extra["lever_rate"] for o in venue.matching.orders.values()]) == [20]


def test_a_position_changed_during_an_outage_is_fetched_after_it(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    resting = main_engine.send_order(order("BTC-USDT", Direction.LONG, OrderType.LIMIT, 3, 99.0), NAME)
    final(recorder, resting, Status.NOTTRADED)
    venue.faults.refuse_ws = True
    venue.drop_connections("notify-linear")
    venue.print_trade("BTC-USDT", "99.0", "3")
    venue.faults.refuse_ws = False
    recorder.wait(
        lambda: any(p.symbol == "BTC-USDT" and p.volume == 3 for p in main_engine.get_all_positions()),
        what="the position made during the outage",
    )


def test_coin_margined_order_types(main_engine, venue):
    recorder, _ = connect(main_engine, venue, leverage=20)  # margin for the larger orders below
    market = main_engine.send_order(order("BTC-USD", Direction.LONG, OrderType.MARKET, 2), NAME)
    assert final(recorder, market, Status.ALLTRADED).traded == 2
    fak = main_engine.send_order(order("BTC-USD", Direction.LONG, OrderType.FAK, 45, 100.1), NAME)
    assert final(recorder, fak, Status.CANCELLED).traded == 38  # what was left at 100.1
    fok = main_engine.send_order(order("BTC-USD", Direction.LONG, OrderType.FOK, 95, 100.2), NAME)
    assert final(recorder, fok, Status.CANCELLED).traded == 0  # 90 at 100.2
    post_only = main_engine.send_order(order("BTC-USD", Direction.LONG, OrderType.POST_ONLY, 1, 100.2), NAME)
    final(recorder, post_only, Status.CANCELLED)  # it would have taken
    sent = venue.run(lambda: [o.extra["order_price_type"] for o in venue.matching.orders.values()])
    assert sent == ["optimal_20", "ioc", "fok", "post_only"]


def test_clock_skew_is_followed_and_a_later_jump_resynced(main_engine, venue):
    # HBDM signs with Signature v2 as HUOBI does: a request 5 minutes off the venue's clock is refused
    venue.faults.clock_offset_ms = 10 * 60_000  # the venue 10 minutes ahead from the start
    recorder, gateway = connect(main_engine, venue)
    future = main_engine.send_order(order("BTC260925", Direction.LONG, OrderType.LIMIT, 2, 99.5), NAME)
    final(recorder, future, Status.NOTTRADED)
    assert abs(gateway.clock.offset_ms - 10 * 60_000) < 5_000
    venue.faults.clock_offset_ms = -10 * 60_000  # then its clock jumps 20 minutes back
    linear = main_engine.send_order(order("BTC-USDT", Direction.LONG, OrderType.LIMIT, 2, 99.5), NAME)
    final(recorder, linear, Status.NOTTRADED)
    assert abs(gateway.clock.offset_ms + 10 * 60_000) < 5_000
    # connect, then the resync (each request refused at the same moment, an account poll say, may resync too)
    assert venue.request_log.count(("GET", "/api/v1/timestamp")) >= 2
    assert venue.request_log.count(("POST", "/v5/trade/order")) == 2  # refused for its time, then retried
    placed = venue.run(lambda: sorted(o.client_id for o in venue.matching.orders.values()))
    assert placed == sorted(o.split(".", 1)[1] for o in (future, linear))  # each placed once


def reconciled(recorder, venue):
    """Wait for the reconciliations run as the second and third notification streams open (each fetches
    the positions once more): a REST fault set later hits the test's own requests, not theirs."""
    recorder.wait(lambda: venue.session_count() == 6, what="three market and three notification streams")
    recorder.wait(
        lambda: venue.request_log.count(("GET", "/v5/trade/position/opens")) >= 3,
        what="the reconciliations of the notification streams' openings",
    )


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


def test_placed_order_whose_answer_and_lookups_fail_is_asked_about_again_and_cancels(main_engine, venue):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(HbdmGateway)
    gateway.timing = dataclasses.replace(Timing.fast(), rest_timeout=0.5, rest_retries=1)
    setting = {**HbdmGateway.default_setting, "key": API_KEY, "secret": API_SECRET}
    setting["base_url"] = venue.http_url
    main_engine.connect(setting, NAME)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    reconciled(recorder, venue)
    faults, earlier = venue.faults, len(venue.request_log)
    faults.stall_rest, faults.stall_seconds, faults.act_before_stall = 1, 2.0, True  # placed; answer held
    vt_orderid = main_engine.send_order(order("BTC-USDT", Direction.LONG, OrderType.LIMIT, 2, 99.5), NAME)
    recorder.wait(lambda: ("POST", "/v5/trade/order") in venue.request_log[earlier:], what="the order sent")
    faults.http_5xx = 1000  # and every question about it is answered 503
    unsettled(recorder, vt_orderid)
    orderid = vt_orderid.split(".", 1)[1]
    assert orderid in gateway.unanswered
    faults.http_5xx = 0
    venue.drop_connections("notify-linear")  # the stream reconnects: the order is asked about again
    recorder.wait(lambda: not gateway.unanswered, what="the order found at the venue")
    final(recorder, vt_orderid, Status.NOTTRADED)
    asked = [r for r in venue.request_log[earlier:] if r == ("GET", "/v5/trade/order")]
    assert asked  # asked by its client order id
    main_engine.cancel_order(CancelRequest(orderid, "BTC-USDT", Exchange.HTX), NAME)
    final(recorder, vt_orderid, Status.CANCELLED)
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]
    assert venue.run(lambda: [o.client_id for o in venue.matching.orders.values()]) == [orderid]


@pytest.mark.parametrize(
    ("symbol", "words"),
    [("BTC-USD", "1017: Order doesnt exist."), ("BTC-USDT", "1061: This order doesnt exist.")],
)
def test_order_lost_to_a_5xx_is_rejected_once_hbdm_says_it_has_none(main_engine, venue, symbol, words):
    recorder, gateway = connect(main_engine, venue)
    reconciled(recorder, venue)
    venue.faults.http_5xx = 1  # the order request is answered 503 and not acted on
    vt_orderid = main_engine.send_order(order(symbol, Direction.LONG, OrderType.LIMIT, 2, 99.5), NAME)
    reason = final(recorder, vt_orderid, Status.REJECTED).extra["reason"]
    assert reason.startswith(f"{words} (the order request got no answer: "), reason
    assert [o.status for o in recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.REJECTED]
    assert venue.run(lambda: list(venue.matching.orders.values())) == []
    assert not gateway.unanswered
