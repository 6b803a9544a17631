"""BINANCE_LINEAR (USDⓈ-M) and BINANCE_INVERSE (COIN-M) end to end against the local futures venues; every
test runs once per market."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from venues.harness import Recorder, captured_logs
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.gateways._transport import shared_loop
from vtcore.gateways._venue import Timing
from vtcore.gateways.binance import BinanceInverseGateway, BinanceLinearGateway
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.binance import API_KEY, API_SECRET
from vtcore.peers.binance_futures import BinanceFuturesVenue


@pytest.fixture
def venue(binance_futures_venue):
    return binance_futures_venue


def start_connect(main_engine: MainEngine, venue: BinanceFuturesVenue):
    """Add the venue's gateway and call connect(), without waiting for it."""
    gateway_class = BinanceInverseGateway if venue.coin_margined else BinanceLinearGateway
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(gateway_class)
    gateway.timing = Timing.fast()
    setting = dict(gateway_class.default_setting)
    setting.update({"key": API_KEY, "secret": API_SECRET, "server": "REAL", "base_url": venue.http_url})
    main_engine.connect(setting, gateway.gateway_name)
    return recorder, gateway


def connect(main_engine: MainEngine, venue: BinanceFuturesVenue):
    recorder, gateway = start_connect(main_engine, venue)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected")
    return recorder, gateway


def perpetual(venue: BinanceFuturesVenue) -> str:
    return "BTCUSD_PERP" if venue.coin_margined else "BTCUSDT_SWAP"


def order(venue, direction, order_type, volume, price=0.0) -> OrderRequest:
    return OrderRequest(
        symbol=perpetual(venue),
        exchange=Exchange.BINANCE,
        direction=direction,
        type=order_type,
        volume=volume,
        price=price,
    )


def status_is(recorder, vt_orderid, status):
    return recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == status and o,
        what=f"{vt_orderid} {status.value}",
    )


def test_contracts_name_perpetuals_apart_from_spot(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    contracts = {c.symbol: c for c in recorder.contracts()}
    if venue.coin_margined:
        assert set(contracts) == {"BTCUSD_PERP", "BTCUSD_260925"}
        assert contracts["BTCUSD_PERP"].size == 100
    else:
        assert set(contracts) == {"BTCUSDT_SWAP", "BTCUSDT_260925"}
        assert contracts["BTCUSDT_SWAP"].name == "BTCUSDT" and contracts["BTCUSDT_SWAP"].size == 1
    assert contracts[perpetual(venue)].product == Product.SWAP
    assert contracts[perpetual(venue)].stop_supported
    assert [p for p in recorder.positions() if p.symbol == perpetual(venue)][-1].volume == 0


def test_ticks_from_the_routed_market_sockets(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    main_engine.subscribe(SubscribeRequest(perpetual(venue), Exchange.BINANCE), gateway.gateway_name)
    expected = 2 if not venue.coin_margined else 1
    recorder.wait(
        lambda: (
            len(gateway.market_sockets) == expected
            and venue.run(lambda: sum(len(s.topics) for s in venue.sessions if s.kind == "market")) == 3
        )
    )
    symbol = "BTCUSD_PERP" if venue.coin_margined else "BTCUSDT"
    venue.print_trade(symbol, "100.05", "2")
    venue.set_book(symbol, [("100.0", "5"), ("99.9", "7"), ("99.8", "1")], [("100.1", "4")])
    tick = recorder.wait(
        lambda: (
            (t := recorder.ticks(f"{perpetual(venue)}.BINANCE"))
            and t[-1].bid_price_3 == 99.8
            and t[-1].last_price == 100.05
            and t[-1]
        )
    )
    assert (tick.ask_price_1, tick.ask_volume_1, tick.last_volume) == (100.1, 4.0, 2.0)
    if not venue.coin_margined:  # trades only on /market, book only on /public
        routes = venue.run(
            lambda: {s.state["route"]: sorted(s.topics) for s in venue.sessions if s.kind == "market"}
        )
        assert routes == {
            "public": ["btcusdt@bookTicker", "btcusdt@depth5@100ms"],
            "market": ["btcusdt@aggTrade"],
        }


def test_limit_order_fills_and_moves_the_position(main_engine, venue):
    recorder, _ = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(
        order(venue, Direction.LONG, OrderType.LIMIT, 3, 99.5),
        "BINANCE_INVERSE" if venue.coin_margined else "BINANCE_LINEAR",
    )
    status_is(recorder, vt_orderid, Status.NOTTRADED)
    symbol = "BTCUSD_PERP" if venue.coin_margined else "BTCUSDT"
    venue.print_trade(symbol, "99.5", "1")
    status_is(recorder, vt_orderid, Status.PARTTRADED)
    venue.print_trade(symbol, "99.4", "5")
    status_is(recorder, vt_orderid, Status.ALLTRADED)
    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2 and recorder.trades(vt_orderid))
    assert [(t.price, t.volume) for t in trades] == [(99.5, 1.0), (99.5, 2.0)]
    recorder.wait(lambda: [p.volume for p in recorder.positions() if p.symbol == perpetual(venue)][-1] == 3)
    position = [p for p in recorder.positions() if p.symbol == perpetual(venue)][-1]
    assert (position.direction, position.price) == (Direction.NET, 99.5)


def test_fak_fok_market_and_cancel(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    name = gateway.gateway_name
    fak = main_engine.send_order(order(venue, Direction.LONG, OrderType.FAK, 6, 100.1), name)
    assert status_is(recorder, fak, Status.CANCELLED).traded == 4
    fok = main_engine.send_order(order(venue, Direction.SHORT, OrderType.FOK, 20, 99.9), name)
    assert status_is(recorder, fok, Status.CANCELLED).traded == 0
    market = main_engine.send_order(order(venue, Direction.SHORT, OrderType.MARKET, 6), name)
    assert status_is(recorder, market, Status.ALLTRADED).traded == 6
    resting = main_engine.send_order(order(venue, Direction.LONG, OrderType.LIMIT, 1, 90.0), name)
    placed = status_is(recorder, resting, Status.NOTTRADED)
    main_engine.cancel_order(placed.create_cancel_request(), name)
    status_is(recorder, resting, Status.CANCELLED)


def test_stop_order_goes_to_the_algo_endpoint(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(
        order(venue, Direction.SHORT, OrderType.STOP, 1, 95.0), gateway.gateway_name
    )
    placed = status_is(recorder, vt_orderid, Status.NOTTRADED)
    prefix = "/dapi" if venue.coin_margined else "/fapi"
    assert ("POST", f"{prefix}/v1/algoOrder") in venue.request_log
    assert ("POST", f"{prefix}/v1/order") not in venue.request_log
    main_engine.cancel_order(placed.create_cancel_request(), gateway.gateway_name)
    status_is(recorder, vt_orderid, Status.CANCELLED)


def test_lapsed_listen_key_is_renewed_and_updates_continue(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    first_key = gateway.listen_key
    with captured_logs() as capture:
        venue.faults.refuse_ws = True  # the first reconnect fails: its error quotes the URL with the key
        assert venue.expire_listen_key() == 1
        recorder.wait(lambda: any("connection failed" in line for line in capture.lines))
        venue.faults.refuse_ws = False
        recorder.wait(lambda: gateway.user_socket.connections == 2, what="user stream reopened")
    leaked = [line for line in capture.lines if first_key in line or gateway.listen_key in line]
    assert capture.lines and not leaked
    assert gateway.listen_key and venue.listen_keys[gateway.listen_key]
    assert gateway.listen_key != first_key
    vt_orderid = main_engine.send_order(
        order(venue, Direction.LONG, OrderType.MARKET, 1), gateway.gateway_name
    )
    status_is(recorder, vt_orderid, Status.ALLTRADED)
    recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 1)


def test_fill_during_user_stream_outage_is_recovered_once(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(
        order(venue, Direction.LONG, OrderType.LIMIT, 2, 99.5), gateway.gateway_name
    )
    status_is(recorder, vt_orderid, Status.NOTTRADED)
    venue.faults.refuse_ws = True
    venue.drop_connections("user")
    recorder.wait(lambda: [s.state for s in recorder.states() if s.front == "user"][-1:] == ["disconnected"])
    venue.print_trade("BTCUSD_PERP" if venue.coin_margined else "BTCUSDT", "99.5", "2")
    venue.faults.refuse_ws = False
    status_is(recorder, vt_orderid, Status.ALLTRADED)
    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 1 and recorder.trades(vt_orderid))
    assert trades[0].volume == 2
    assert [o.status for o in recorder.orders(vt_orderid)] == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.ALLTRADED,
    ]


def test_a_fill_report_that_cannot_be_read_is_warned_of_and_recovered_from_the_venue(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(
        order(venue, Direction.LONG, OrderType.LIMIT, 2, 99.5), gateway.gateway_name
    )
    status_is(recorder, vt_orderid, Status.NOTTRADED)
    venue.faults.garble_fills = 1
    with captured_logs() as logs:
        venue.print_trade("BTCUSD_PERP" if venue.coin_margined else "BTCUSDT", "99.5", "2")
        status_is(recorder, vt_orderid, Status.ALLTRADED)
        trades = recorder.wait(lambda: recorder.trades(vt_orderid), what="the fill, read from the venue")
    assert [t.volume for t in trades] == [2]
    assert gateway.malformed_messages == 1
    assert any(
        " WARNING " in line and "malformed ORDER_TRADE_UPDATE event dropped" in line for line in logs.lines
    )


def test_query_history_pages_of_1500(main_engine, venue):
    _, gateway = connect(main_engine, venue)
    start = dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)
    request = HistoryRequest(
        perpetual(venue), Exchange.BINANCE, start, start + dt.timedelta(minutes=1999), Interval.MINUTE
    )
    bars = main_engine.query_history(request, gateway.gateway_name)
    assert len(bars) == 2000 and bars[0].datetime == start and bars[0].symbol == perpetual(venue)
    prefix = "/dapi" if venue.coin_margined else "/fapi"
    assert [p for _, p in venue.request_log].count(f"{prefix}/v1/klines") == 2


def test_listen_key_is_kept_alive_and_renewed_when_the_keepalive_is_refused(main_engine, venue):
    gateway_class = BinanceInverseGateway if venue.coin_margined else BinanceLinearGateway
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(gateway_class)
    gateway.timing = Timing.fast()
    gateway.timing.keepalive_interval = 0.05
    setting = dict(gateway_class.default_setting)
    setting.update({"key": API_KEY, "secret": API_SECRET, "server": "REAL", "base_url": venue.http_url})
    main_engine.connect(setting, gateway.gateway_name)
    recorder.wait(lambda: "connected" in recorder.logs())
    path = f"{'/dapi' if venue.coin_margined else '/fapi'}/v1/listenKey"
    recorder.wait(lambda: venue.request_log.count(("PUT", path)) >= 2, what="keepalives")
    first_key = gateway.listen_key
    venue.run(lambda: venue.listen_keys.__setitem__(first_key, False))  # lapses silently: no event
    recorder.wait(
        lambda: gateway.user_socket.connections >= 2 and gateway.listen_key != first_key,
        what="renewed after the refused keepalive",
    )
    assert venue.listen_keys[gateway.listen_key]


def test_post_only_is_sent_as_gtx_and_rests(main_engine, venue, engines):
    recorder, gateway = connect(main_engine, venue)
    name = gateway.gateway_name
    vt_orderid = main_engine.send_order(order(venue, Direction.SHORT, OrderType.POST_ONLY, 1, 100.2), name)
    placed = status_is(recorder, vt_orderid, Status.NOTTRADED)
    assert placed.type == OrderType.POST_ONLY
    # a second session loads the open order from the venue and reads LIMIT + GTX back as POST_ONLY
    engines.append(second := MainEngine())
    again, _ = connect(second, venue)
    loaded = again.wait(lambda: again.last_order(vt_orderid), what="open order loaded")
    assert loaded.type == OrderType.POST_ONLY
    assert venue.run(
        lambda: [
            (o.client_id, o.extra["type"], o.extra["timeInForce"]) for o in venue.matching.orders.values()
        ]
    ) == [(placed.orderid, "LIMIT", "GTX")]
    venue.print_trade("BTCUSD_PERP" if venue.coin_margined else "BTCUSDT", "100.2", "3")
    assert status_is(recorder, vt_orderid, Status.ALLTRADED).traded == 1
    fills = venue.run(lambda: [f for fills in venue.matching.fills.values() for f in fills])
    assert [f.maker for f in fills] == [True]


def test_post_only_that_would_take_is_rejected_with_the_venue_reason(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(
        order(venue, Direction.LONG, OrderType.POST_ONLY, 1, 100.1), gateway.gateway_name
    )
    refused = status_is(recorder, vt_orderid, Status.REJECTED)
    assert refused.extra["reason"].startswith("-5022: Due to the order could not be executed as maker")
    assert any(
        vt_orderid.split(".")[-1] in msg and "could not be executed as maker" in msg
        for msg in recorder.logs()
    )
    assert recorder.trades(vt_orderid) == []
    assert venue.run(lambda: list(venue.matching.orders.values())) == []


def venue_symbol(venue: BinanceFuturesVenue) -> str:
    return "BTCUSD_PERP" if venue.coin_margined else "BTCUSDT"


def test_refusals_by_the_venue_reach_the_order_with_code_and_message(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    name = gateway.gateway_name
    # margin: 1000 contracts at 250 need more than the wallet holds at the venue's leverage of 20
    too_big = main_engine.send_order(order(venue, Direction.SHORT, OrderType.LIMIT, 1000, 250.0), name)
    assert status_is(recorder, too_big, Status.REJECTED).extra == {"reason": "-2019: Margin is insufficient."}
    unknown = order(venue, Direction.LONG, OrderType.LIMIT, 1, 99.0)
    unknown.symbol = "ETHUSD_PERP" if venue.coin_margined else "ETHUSDT_SWAP"
    bad_symbol = main_engine.send_order(unknown, name)
    assert status_is(recorder, bad_symbol, Status.REJECTED).extra["reason"] == "-1121: Invalid symbol."
    venue.print_trade(venue_symbol(venue), "100.0", "1")
    # a buy stop below the last price would trigger at once: the algo service refuses it
    at_once = main_engine.send_order(order(venue, Direction.LONG, OrderType.STOP, 1, 99.0), name)
    reason = status_is(recorder, at_once, Status.REJECTED).extra["reason"]
    assert reason == "-2021: Order would immediately trigger."
    assert venue.run(lambda: list(venue.matching.orders.values()) + list(venue.algo_orders.values())) == []
    for vt_orderid, text in ((too_big, "Margin is insufficient."), (at_once, "immediately trigger")):
        assert any(vt_orderid.split(".")[-1] in msg and text in msg for msg in recorder.logs())


@pytest.mark.parametrize(
    ("direction", "stop", "short_of_it", "trigger", "book", "fill_price", "position"),
    [
        (Direction.SHORT, 99.5, "99.8", "99.5", ([("99.4", "5")], [("99.6", "5")]), 99.4, -2),
        (Direction.LONG, 100.5, "100.2", "100.6", ([("100.5", "5")], [("100.7", "5")]), 100.7, 2),
    ],
)
def test_stop_order_triggers_on_the_last_price_and_fills(  # noqa: PLR0917
    main_engine, venue, direction, stop, short_of_it, trigger, book, fill_price, position
):
    recorder, gateway = connect(main_engine, venue)
    symbol = venue_symbol(venue)
    vt_orderid = main_engine.send_order(
        order(venue, direction, OrderType.STOP, 2, stop), gateway.gateway_name
    )
    resting = status_is(recorder, vt_orderid, Status.NOTTRADED)
    assert (resting.type, resting.price) == (OrderType.STOP, stop)
    algo = venue.run(lambda: dict(next(iter(venue.algo_orders.values()))))
    assert (algo["orderType"], algo["workingType"]) == ("STOP_MARKET", "CONTRACT_PRICE")
    assert float(algo["triggerPrice"]) == stop

    venue.print_trade(symbol, short_of_it, "1")  # towards the trigger, not to it
    assert venue.run(lambda: [row["algoStatus"] for row in venue.algo_orders.values()]) == ["NEW"]
    assert venue.run(lambda: len(venue.matching.orders)) == 0
    venue.set_book(symbol, *book)
    venue.print_trade(symbol, trigger, "1")

    filled = status_is(recorder, vt_orderid, Status.ALLTRADED)
    assert (filled.traded, filled.type, filled.price) == (2, OrderType.STOP, stop)
    trades = recorder.wait(lambda: recorder.trades(vt_orderid))
    assert [(t.price, t.volume, t.direction) for t in trades] == [(fill_price, 2, direction)]
    recorder.wait(
        lambda: [p.volume for p in recorder.positions() if p.symbol == perpetual(venue)][-1:] == [position],
        what="the position the stop opened",
    )
    placed = venue.run(lambda: next(iter(venue.matching.orders.values())))
    assert (placed.client_id, placed.kind, placed.extra["origType"]) == (
        filled.orderid,
        "MARKET",
        "STOP_MARKET",
    )
    final = venue.run(lambda: dict(next(iter(venue.algo_orders.values()))))
    assert (final["algoStatus"], final["actualOrderId"]) == ("FINISHED", str(placed.order_id))
    # the fill came over the user-data stream: nothing but the algo order itself went over REST
    assert [p for m, p in venue.request_log if m == "POST" and "listenKey" not in p] == [
        f"{'/dapi' if venue.coin_margined else '/fapi'}/v1/algoOrder"
    ]


def test_stop_whose_margin_check_fails_on_trigger_is_rejected_over_the_user_stream(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    vt_orderid = main_engine.send_order(
        order(venue, Direction.SHORT, OrderType.STOP, 5, 99.5), gateway.gateway_name
    )
    status_is(recorder, vt_orderid, Status.NOTTRADED)
    venue.run(lambda: venue.wallet.update({asset: Decimal("0.001") for asset in venue.wallet}))
    venue.print_trade(venue_symbol(venue), "99.5", "1")
    refused = status_is(recorder, vt_orderid, Status.REJECTED)
    assert refused.extra == {"reason": "Margin is insufficient."}
    assert venue.run(lambda: [row["algoStatus"] for row in venue.algo_orders.values()]) == ["REJECTED"]
    assert venue.run(lambda: len(venue.matching.orders)) == 0
    assert recorder.trades(vt_orderid) == []


def test_mark_price_stop_placed_elsewhere_triggers_on_the_mark_price_only(main_engine, venue):
    """A MARK_PRICE stop (placed outside vtcore, say on the web) ignores the last price; once the mark price
    reaches it the gateway learns of it from its user stream alone, as a stop order at its trigger price."""
    recorder, gateway = connect(main_engine, venue)
    symbol = venue_symbol(venue)
    params = {
        "algoType": "CONDITIONAL",
        "symbol": symbol,
        "side": "SELL",
        "type": "STOP_MARKET",
        "quantity": "1",
        "triggerPrice": "99.5",
        "workingType": "MARK_PRICE",
        "clientAlgoId": "web-stop-1",
    }
    shared_loop.submit(
        gateway.call("POST", f"{gateway.rest_prefix}/algoOrder", params, signed=True, orders=1)
    ).result(10)
    venue.set_book(symbol, [("99.0", "5")], [("99.2", "5")])
    venue.print_trade(symbol, "99.1", "1")  # the last price passes the trigger: not what this stop watches
    assert venue.run(lambda: [row["algoStatus"] for row in venue.algo_orders.values()]) == ["NEW"]
    venue.set_mark_price(symbol, "99.5")

    vt_orderid = f"{gateway.gateway_name}.web-stop-1"
    filled = status_is(recorder, vt_orderid, Status.ALLTRADED)
    assert (filled.type, filled.price, filled.direction, filled.traded) == (
        OrderType.STOP,
        99.5,
        Direction.SHORT,
        1,
    )
    assert [(t.price, t.volume) for t in recorder.wait(lambda: recorder.trades(vt_orderid))] == [(99.0, 1)]
    assert venue.run(lambda: [row["algoStatus"] for row in venue.algo_orders.values()]) == ["FINISHED"]


def test_stop_triggered_and_filled_during_user_stream_outage_is_recovered_once(main_engine, venue):
    recorder, gateway = connect(main_engine, venue)
    symbol = venue_symbol(venue)
    stop = main_engine.send_order(
        order(venue, Direction.SHORT, OrderType.STOP, 2, 99.5), gateway.gateway_name
    )
    waiting = main_engine.send_order(
        order(venue, Direction.SHORT, OrderType.STOP, 1, 90.0), gateway.gateway_name
    )
    status_is(recorder, stop, Status.NOTTRADED)
    status_is(recorder, waiting, Status.NOTTRADED)
    venue.faults.refuse_ws = True
    venue.drop_connections("user")
    recorder.wait(lambda: [s.state for s in recorder.states() if s.front == "user"][-1:] == ["disconnected"])
    venue.set_book(symbol, [("99.4", "5")], [("99.6", "5")])
    venue.print_trade(symbol, "99.5", "1")  # triggers the first stop while the gateway cannot hear it
    venue.faults.refuse_ws = False

    filled = status_is(recorder, stop, Status.ALLTRADED)
    assert (filled.type, filled.traded) == (OrderType.STOP, 2)
    trades = recorder.wait(lambda: recorder.trades(stop))
    assert [(t.price, t.volume) for t in trades] == [(99.4, 2)]
    assert [o.status for o in recorder.orders(stop)] == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.ALLTRADED,
    ]
    # the stop still waiting was asked about at the algo service, not at /order (where it does not exist)
    recorder.wait(lambda: any("reconciled 2 active orders" in msg for msg in recorder.logs()))
    assert recorder.last_order(waiting).status == Status.NOTTRADED
    assert not any("does not exist" in msg for msg in recorder.logs())
    prefix = "/dapi" if venue.coin_margined else "/fapi"
    assert venue.request_log.count(("GET", f"{prefix}/v1/algoOrder")) == 2


def test_a_frozen_market_socket_is_replaced_within_a_minute(main_engine, venue):
    # production settings: the client pings every stream and wants the pong within half a period, so a line
    # that went silent is noticed long before the venue's own 3-minute ping rule would notice it (9 minutes)
    gateway_class = BinanceInverseGateway if venue.coin_margined else BinanceLinearGateway
    heartbeat = main_engine.add_gateway(gateway_class).stream_heartbeat()
    assert heartbeat.ping_interval is not None and heartbeat.ping_interval * 1.5 <= 60
    assert heartbeat.idle_timeout == 540  # the venue's rule stays as the last resort

    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(gateway_class, "FROZEN")
    gateway.timing = Timing(ws_idle_timeout=None, ws_ping_interval=None, backoff=Timing.fast().backoff)
    gateway.client_ping_interval = 0.3  # the same rule, scaled down
    setting = dict(gateway_class.default_setting)
    setting.update({"key": API_KEY, "secret": API_SECRET, "server": "REAL", "base_url": venue.http_url})
    main_engine.connect(setting, "FROZEN")
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected")
    main_engine.subscribe(SubscribeRequest(perpetual(venue), Exchange.BINANCE), "FROZEN")
    recorder.wait(lambda: venue.session_count("market") == (1 if venue.coin_margined else 2))
    opened = venue.run(lambda: len(venue.ws_log))
    venue.faults.mute = venue.faults.stop_pings = True  # the line stays open and says nothing at all
    recorder.wait(
        lambda: any(s.state == "disconnected" and s.front != "user" for s in recorder.states()),
        what="the frozen market socket dropped",
    )
    venue.faults.mute = venue.faults.stop_pings = False
    # the replacement subscribes again
    recorder.wait(lambda: venue.run(lambda: len(venue.ws_log)) > opened, what="the streams resubscribed")


def test_an_order_sent_before_the_user_stream_first_opens_still_hears_its_fill(main_engine, venue):
    # REST answers while the user stream cannot connect yet: contracts and the account come in, and a strategy
    # may send at once. The order fills at the venue before the stream is up; the venue's push is lost, so
    # the gateway must ask when the stream first opens (as it does after a reconnect).
    venue.faults.refuse_ws = True
    recorder, gateway = start_connect(main_engine, venue)
    vt_symbol = f"{perpetual(venue)}.BINANCE"
    recorder.wait(lambda: main_engine.get_contract(vt_symbol) and main_engine.get_all_accounts(), what="REST")
    buy = order(venue, Direction.LONG, OrderType.LIMIT, 2, 99.5)
    vt_orderid = main_engine.send_order(buy, gateway.gateway_name)

    def statuses_at_the_venue() -> list[str]:
        return venue.run(lambda: [o.status for o in venue.matching.orders.values()])

    recorder.wait(lambda: statuses_at_the_venue() == ["NEW"], what="the order resting at the venue")
    venue.print_trade(venue_symbol(venue), "99.5", "2")
    recorder.wait(lambda: statuses_at_the_venue() == ["FILLED"], what="the fill at the venue")
    assert recorder.last_order(vt_orderid).status != Status.ALLTRADED  # nobody told the gateway yet
    venue.faults.refuse_ws = False

    filled = status_is(recorder, vt_orderid, Status.ALLTRADED)
    assert filled.traded == 2
    assert sum(t.volume for t in recorder.wait(lambda: recorder.trades(vt_orderid))) == 2


def test_placed_order_whose_answer_and_lookups_fail_is_asked_about_again_and_cancels(main_engine, venue):
    gateway_class = BinanceInverseGateway if venue.coin_margined else BinanceLinearGateway
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(gateway_class)
    gateway.timing = dataclasses.replace(Timing.fast(), rest_timeout=0.5, rest_retries=1)
    setting = dict(gateway_class.default_setting)
    setting.update({"key": API_KEY, "secret": API_SECRET, "server": "REAL", "base_url": venue.http_url})
    main_engine.connect(setting, gateway.gateway_name)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected")
    faults, earlier = venue.faults, len(venue.request_log)
    faults.stall_rest, faults.stall_seconds, faults.act_before_stall = 1, 2.0, True  # placed; answer held
    vt_orderid = main_engine.send_order(
        order(venue, Direction.LONG, OrderType.LIMIT, 2, 99.5), gateway.gateway_name
    )
    path = f"{gateway.rest_prefix}/order"
    recorder.wait(lambda: ("POST", path) in venue.request_log[earlier:], what="the order sent")
    faults.http_5xx = 1000  # and every question about it is answered 503
    recorder.wait(
        lambda: (
            any("still unknown" in m for m in recorder.logs())
            or Status.REJECTED in [o.status for o in recorder.orders(vt_orderid)]
        ),
        what="the venue asked about the order until it could not say",
    )
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]
    orderid = vt_orderid.split(".", 1)[1]
    assert orderid in gateway.unanswered
    faults.http_5xx = 0
    venue.drop_connections("user")  # the user stream reconnects: the order is asked about again
    recorder.wait(lambda: not gateway.unanswered, what="the order found at the venue")
    status_is(recorder, vt_orderid, Status.NOTTRADED)
    main_engine.cancel_order(CancelRequest(orderid, perpetual(venue), Exchange.BINANCE), gateway.gateway_name)
    status_is(recorder, vt_orderid, Status.CANCELLED)
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]
    assert [p for m, p in venue.request_log if m == "POST"].count(path) == 1
