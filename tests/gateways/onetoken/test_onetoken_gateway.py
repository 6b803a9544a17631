"""ONETOKEN end to end: MainEngine -> OnetokenGateway -> transport -> the local 1Token venue and back (the
public 1Token service no longer exists; this venue speaks its documented protocol)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from venues.harness import Recorder, captured_logs
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.errors import SettingsError
from vtcore.gateways._venue import Timing
from vtcore.gateways.onetoken import OnetokenGateway
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.onetoken import ACCOUNT, OT_KEY, OT_SECRET, OneTokenVenue

NAME = "ONETOKEN"


def connect(
    main_engine: MainEngine, venue: OneTokenVenue, timing: Timing | None = None, **overrides: object
) -> tuple[Recorder, OnetokenGateway]:
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(OnetokenGateway)
    gateway.timing = timing or Timing.fast()
    setting = {**OnetokenGateway.default_setting, "key": OT_KEY, "secret": OT_SECRET, "exchange": "BINANCE"}
    setting.update({"account": ACCOUNT, "base_url": venue.http_url, **overrides})
    main_engine.connect(setting, gateway.gateway_name)
    recorder.wait(lambda: "connected" in recorder.logs(), what="connected log")
    return recorder, gateway


def order(
    direction: Direction, volume: float, price: float, kind: OrderType = OrderType.LIMIT
) -> OrderRequest:
    return OrderRequest(
        symbol="btc.usdt",
        exchange=Exchange.BINANCE,
        direction=direction,
        type=kind,
        volume=volume,
        price=price,
    )


def test_connect_says_the_service_is_gone_and_loads_the_account(main_engine, onetoken_venue):
    with captured_logs() as logs:
        recorder, _ = connect(main_engine, onetoken_venue)
        recorder.wait(lambda: "trade socket authenticated" in recorder.logs(), what="trade socket")
    assert any("no longer exists" in line for line in recorder.logs())
    contracts = {c.symbol: c for c in recorder.contracts()}
    assert set(contracts) == {"btc.usdt", "eth.usdt"}
    assert (
        contracts["btc.usdt"].exchange,
        contracts["btc.usdt"].product,
        contracts["btc.usdt"].pricetick,
    ) == (
        Exchange.BINANCE,
        Product.SPOT,
        0.01,
    )
    accounts = {a.accountid: a for a in recorder.accounts()}
    assert accounts["BTC"].balance == 2.0 and accounts["USDT"].balance == 100_000
    assert OT_SECRET not in "\n".join(logs.lines + recorder.logs())


def test_ticks_and_trades_from_the_tick_socket(main_engine, onetoken_venue):
    recorder, _ = connect(main_engine, onetoken_venue)
    main_engine.subscribe(SubscribeRequest("btc.usdt", Exchange.BINANCE), NAME)
    tick = recorder.wait(lambda: (t := recorder.ticks("btc.usdt.BINANCE")) and t[-1])
    assert (tick.bid_price_1, tick.bid_price_2, tick.ask_price_1, tick.ask_volume_2) == (
        100.0,
        99.5,
        100.5,
        3.0,
    )
    onetoken_venue.print_trade("binance/btc.usdt", "100.5", "0.3")
    tick = recorder.wait(
        lambda: (t := recorder.ticks("btc.usdt.BINANCE")) and t[-1].last_volume == 0.3 and t[-1]
    )
    assert tick.last_price == 100.5


def test_orders_fills_cancel_and_refusals(main_engine, onetoken_venue):
    recorder, _ = connect(main_engine, onetoken_venue)
    recorder.wait(lambda: "trade socket authenticated" in recorder.logs(), what="trade socket")
    resting = main_engine.send_order(order(Direction.LONG, 0.5, 99.0), NAME)
    recorder.reaches(resting, Status.NOTTRADED)
    onetoken_venue.print_trade("binance/btc.usdt", "99.0", "0.2", buyer_maker=True)
    assert recorder.reaches(resting, Status.PARTTRADED).traded == 0.2
    fills = recorder.wait(lambda: recorder.trades(resting))
    assert (fills[0].price, fills[0].volume, fills[0].direction) == (99.0, 0.2, Direction.LONG)
    main_engine.cancel_order(CancelRequest(resting.split(".", 1)[1], "btc.usdt", Exchange.BINANCE), NAME)
    assert recorder.reaches(resting, Status.CANCELLED).traded == 0.2
    taker = main_engine.send_order(order(Direction.SHORT, 0.3, 99.5), NAME)
    recorder.reaches(taker, Status.ALLTRADED)
    assert sum(t.volume for t in recorder.wait(lambda: recorder.trades(taker))) == 0.3
    market = main_engine.send_order(order(Direction.LONG, 0.1, 0.0, OrderType.MARKET), NAME)
    assert "not supported" in recorder.reaches(market, Status.REJECTED).extra["reason"]
    broke = main_engine.send_order(order(Direction.LONG, 10_000, 99.0), NAME)
    assert "place-order-no-money" in recorder.reaches(broke, Status.REJECTED).extra["reason"]


def test_order_whose_answer_times_out_is_found_by_its_client_oid(main_engine, onetoken_venue):
    impatient = dataclasses.replace(Timing.fast(), rest_timeout=0.5)  # gives up on an answer sooner
    recorder, _ = connect(main_engine, onetoken_venue, impatient)
    recorder.wait(lambda: "trade socket authenticated" in recorder.logs(), what="trade socket")
    faults, earlier = onetoken_venue.faults, len(onetoken_venue.request_log)
    faults.stall_rest, faults.stall_seconds, faults.act_before_stall = 1, 2.0, True
    resting = main_engine.send_order(order(Direction.LONG, 0.5, 99.0), NAME)
    recorder.reaches(resting, Status.NOTTRADED)  # the venue placed it; the answer was late
    asked = ("GET", f"/api/v1/trade/binance/{ACCOUNT}/orders")
    recorder.wait(
        lambda: asked in onetoken_venue.request_log[earlier:], what="the order asked about by its client_oid"
    )
    onetoken_venue.print_trade("binance/btc.usdt", "99.0", "0.5", buyer_maker=True)
    assert recorder.reaches(resting, Status.ALLTRADED).traded == 0.5
    assert sum(t.volume for t in recorder.wait(lambda: recorder.trades(resting))) == 0.5
    assert Status.REJECTED not in [o.status for o in recorder.orders(resting)]


def test_order_lost_to_a_5xx_is_rejected_once_1token_says_it_has_none(main_engine, onetoken_venue):
    recorder, _ = connect(main_engine, onetoken_venue)
    onetoken_venue.faults.http_5xx = 1  # the order request is answered 503 and not acted on
    lost = main_engine.send_order(order(Direction.LONG, 0.5, 99.0), NAME)
    reason = recorder.reaches(lost, Status.REJECTED).extra["reason"]
    assert reason.startswith("client_oid-not-found: ")
    assert "(the order request got no answer: " in reason
    assert [o.status for o in recorder.orders(lost)] == [Status.SUBMITTING, Status.REJECTED]


def test_history_is_not_offered_and_says_why(main_engine, onetoken_venue):
    recorder, gateway = connect(main_engine, onetoken_venue)
    end = dt.datetime.now(dt.timezone.utc)
    bars = gateway.query_history(
        HistoryRequest("btc.usdt", Exchange.BINANCE, end - dt.timedelta(hours=1), end, Interval.MINUTE)
    )
    assert bars == []
    recorder.wait(lambda: any("no kline query" in line for line in recorder.logs()), what="why, in the log")


def test_reconnect_signs_the_upgrade_again_and_reconciles(main_engine, onetoken_venue):
    recorder, _ = connect(main_engine, onetoken_venue)
    recorder.wait(lambda: "trade socket authenticated" in recorder.logs(), what="trade socket")
    resting = main_engine.send_order(order(Direction.LONG, 0.5, 99.0), NAME)
    recorder.reaches(resting, Status.NOTTRADED)
    onetoken_venue.faults.refuse_ws = True
    onetoken_venue.drop_connections()
    onetoken_venue.print_trade("binance/btc.usdt", "99.0", "0.5", buyer_maker=True)
    onetoken_venue.faults.refuse_ws = False
    assert recorder.reaches(resting, Status.ALLTRADED).traded == 0.5
    assert sum(t.volume for t in recorder.wait(lambda: recorder.trades(resting))) == 0.5
    recorder.wait(
        lambda: recorder.logs().count("trade socket authenticated") >= 2, what="second authentication"
    )


def test_a_wrong_secret_is_named_and_never_logged(main_engine, onetoken_venue):
    with captured_logs() as logs:
        recorder = Recorder(main_engine)
        gateway = main_engine.add_gateway(OnetokenGateway)
        gateway.timing = Timing.fast()
        setting = {**OnetokenGateway.default_setting, "key": OT_KEY, "secret": "WRONG-secret-000000"}
        setting.update({"exchange": "BINANCE", "account": ACCOUNT, "base_url": onetoken_venue.http_url})
        main_engine.connect(setting, gateway.gateway_name)
        recorder.wait(
            lambda: any("invalid-api-key" in line for line in recorder.logs()), what="refusal logged"
        )
    assert "WRONG-secret-000000" not in "\n".join(logs.lines + recorder.logs())


def test_settings_name_the_bad_field(main_engine, onetoken_venue):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(OnetokenGateway)
    setting = {**OnetokenGateway.default_setting, "key": OT_KEY, "secret": OT_SECRET, "exchange": "KRAKEN"}
    setting.update({"account": ACCOUNT, "base_url": onetoken_venue.http_url})
    with pytest.raises(SettingsError, match="'exchange'"):
        main_engine.connect(setting, gateway.gateway_name)
    main_engine.connect({**setting, "exchange": "OKEX", "account": ""}, gateway.gateway_name)
    recorder.wait(lambda: any("setting 'account'" in line for line in recorder.logs()), what="account error")


def test_rate_limit_reply_is_waited_out_and_close_leaves_no_stream(main_engine, onetoken_venue):
    recorder, gateway = connect(main_engine, onetoken_venue)
    recorder.wait(lambda: "trade socket authenticated" in recorder.logs(), what="trade socket")
    accounts = len(recorder.accounts())
    onetoken_venue.faults.http_429 = 1  # {"code": "rate-limit-exceeded"} once
    gateway.query_account()
    recorder.wait(lambda: len(recorder.accounts()) > accounts, what="account after the 429")
    main_engine.close()
    recorder.wait(lambda: onetoken_venue.session_count() == 0, what="both sockets closed")
