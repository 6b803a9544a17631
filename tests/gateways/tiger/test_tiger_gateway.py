"""TigerGateway end to end through MainEngine against the fake Tiger open API (vtcore.peers.tiger): signed
HTTP calls verified with the test's key pair, the protobuf push socket, orders of every type, cancel, refusals
with Tiger's own text, a push server outage, malformed push bodies, settings that cannot work."""

from __future__ import annotations

import base64
import datetime as dt
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from venues.harness import Recorder, captured_logs, connect_gateway, wait_until
from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.event import EventEngine
from vtcore.gateways.tiger import TigerGateway, TigerOrderRequest
from vtcore.gateways.tiger.sim import TIGER_ID, gateway_setting
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.setting import get_settings_dir, load_connect_setting, save_connect_setting

tiger = pytest.importorskip("vtcore.peers.tiger", reason="the fake Tiger API speaks through tigeropen")

ACCOUNT = "U1234567"


@pytest.fixture(scope="module")
def keys() -> tuple[str, bytes]:
    return tiger.new_key_pair()


@pytest.fixture
def venue(keys: tuple[str, bytes]) -> Iterator[Any]:
    server = tiger.FakeTiger(TIGER_ID, keys[1], accounts=(ACCOUNT,))
    server.push_heartbeat_ms = 2000
    server.start()
    server.seed_position(ACCOUNT, "AAPL", "100", "185.00")
    server.set_book("AAPL", [("189.90", "300")], [("190.10", "200")])
    yield server
    server.stop()


def setting(venue: Any, private_key: str) -> dict[str, Any]:
    return gateway_setting(venue, private_key, account=ACCOUNT)


@pytest.fixture
def connected(venue: Any, keys: tuple[str, bytes]) -> Iterator[tuple[MainEngine, Recorder, Any]]:
    main_engine = MainEngine(EventEngine())
    recorder, gateway = connect_gateway(main_engine, TigerGateway, setting(venue, keys[0]))
    recorder.wait(lambda: venue.push_count() == 1 and gateway.push.connected, what="push socket up")
    yield main_engine, recorder, gateway
    main_engine.close()


def order(
    kind: OrderType,
    price: float,
    volume: float = 10,
    direction: Direction = Direction.LONG,
    symbol: str = "AAPL",
) -> OrderRequest:
    return OrderRequest(symbol, Exchange.SMART, direction, kind, volume, price)


def subscribed(main_engine: MainEngine, venue: Any, symbol: str = "AAPL") -> None:
    main_engine.subscribe(SubscribeRequest(symbol, Exchange.SMART), "TIGER")
    wait_until(lambda: venue.quote_subscribers(symbol) == 1, what="quote subscription")


def test_connect_loads_contracts_account_and_positions(connected: Any) -> None:
    _, recorder, _ = connected
    contracts = {contract.vt_symbol: contract for contract in recorder.contracts()}
    assert set(contracts) == {"AAPL.SMART", "TSLA.SMART", "00700.SEHK"}  # ".DJI" is an index
    assert contracts["AAPL.SMART"].name == "Apple Inc." and contracts["AAPL.SMART"].pricetick == 0.01
    account = recorder.wait(recorder.accounts, what="account")[-1]
    assert account.accountid == ACCOUNT and account.balance == pytest.approx(1_000_000 + 100 * 185)
    position = recorder.wait(recorder.positions, what="position")[-1]
    assert (position.vt_symbol, position.direction, position.volume, position.price) == (
        "AAPL.SMART",
        Direction.NET,
        100,
        185.0,
    )


def test_every_call_is_signed_and_verified(connected: Any, venue: Any) -> None:
    methods = [call["method"] for call in venue.requests]
    assert {"all_symbol_names", "assets", "positions", "active_orders"} <= set(methods)
    assert all(call["biz"].get("account") in (None, ACCOUNT) for call in venue.requests)


def test_bbo_and_basic_quotes_become_ticks(connected: Any, venue: Any) -> None:
    main_engine, recorder, _ = connected
    subscribed(main_engine, venue)
    venue.set_book("AAPL", [("189.95", "310")], [("190.05", "120")])
    tick = recorder.wait(
        lambda: [t for t in recorder.ticks("AAPL.SMART") if t.bid_price_1 == 189.95], what="BBO tick"
    )[-1]
    assert (tick.bid_volume_1, tick.ask_price_1, tick.ask_volume_1) == (310, 190.05, 120)
    assert tick.datetime is not None and tick.datetime.tzinfo is not None
    venue.print_trade("AAPL", "190.00", "7")
    tick = recorder.wait(
        lambda: [t for t in recorder.ticks("AAPL.SMART") if t.last_price == 190.0], what="last"
    )[-1]
    assert tick.volume == 7 and tick.bid_price_1 == 189.95  # BASIC keeps what BBO said


def test_limit_order_rests_fills_once_and_moves_position(connected: Any, venue: Any) -> None:
    main_engine, recorder, _ = connected
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 185.0), "TIGER")
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    venue.print_trade("AAPL", "185.00", "4")
    recorder.reaches(vt_orderid, Status.PARTTRADED)
    venue.print_trade("AAPL", "185.00", "10")
    done = recorder.reaches(vt_orderid, Status.ALLTRADED)
    assert done.traded == 10
    trades = recorder.wait(lambda: len(recorder.trades(vt_orderid)) == 2 and recorder.trades(vt_orderid))
    assert sorted(t.volume for t in trades) == [4, 6] and {t.price for t in trades} == {185.0}
    statuses = [o.status for o in recorder.orders(vt_orderid)]
    assert statuses == sorted(
        statuses, key=[Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED, Status.ALLTRADED].index
    )
    recorder.wait(lambda: any(p.volume == 110 for p in recorder.positions()), what="position 110")


def test_market_stop_and_stop_limit_orders(connected: Any, venue: Any) -> None:
    main_engine, recorder, _ = connected
    market = main_engine.send_order(order(OrderType.MARKET, 0, 5), "TIGER")
    assert recorder.reaches(market, Status.ALLTRADED).traded == 5
    assert recorder.wait(lambda: recorder.trades(market))[0].price == 190.10
    stop = main_engine.send_order(order(OrderType.STOP, 191.0, 3), "TIGER")
    request = TigerOrderRequest(
        "AAPL", Exchange.SMART, Direction.LONG, OrderType.STOP_LIMIT, 2, 192.0, stop_price=191.0
    )
    stop_limit = main_engine.send_order(request, "TIGER")
    recorder.reaches(stop, Status.NOTTRADED)
    recorder.reaches(stop_limit, Status.NOTTRADED)
    placed = {
        call["biz"]["order_type"]: call["biz"] for call in venue.requests if call["method"] == "place_order"
    }
    assert placed["STP"]["aux_price"] == 191.0 and "limit_price" not in placed["STP"]
    assert (placed["STP_LMT"]["limit_price"], placed["STP_LMT"]["aux_price"]) == (192.0, 191.0)
    venue.print_trade("AAPL", "191.00", "1")  # triggers both; they take the ask at 190.10
    assert recorder.reaches(stop, Status.ALLTRADED).traded == 3
    assert recorder.reaches(stop_limit, Status.ALLTRADED).traded == 2


def test_stop_limit_without_stop_price_is_refused_locally(connected: Any) -> None:
    main_engine, recorder, _ = connected
    vt_orderid = main_engine.send_order(order(OrderType.STOP_LIMIT, 192.0), "TIGER")
    rejected = recorder.reaches(vt_orderid, Status.REJECTED)
    assert "stop_price" in rejected.extra["reason"]


def test_cancel(connected: Any, venue: Any) -> None:
    main_engine, recorder, _ = connected
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 180.0), "TIGER")
    placed = recorder.reaches(vt_orderid, Status.NOTTRADED)
    main_engine.cancel_order(CancelRequest(placed.orderid, "AAPL", Exchange.SMART), "TIGER")
    recorder.reaches(vt_orderid, Status.CANCELLED)
    assert [call["biz"]["id"] for call in venue.requests if call["method"] == "cancel_order"] == [
        venue.run(lambda: next(iter(venue.matching.orders)))
    ]


def test_an_order_answered_with_an_id_that_is_not_a_number_is_kept_and_cancellable(
    connected: Any, venue: Any
) -> None:
    main_engine, recorder, gateway = connected
    venue.text_ids = 1  # the order is placed, and its answer names it "T<id>"
    with captured_logs() as logs:
        vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 180.0), "TIGER")
        placed = recorder.reaches(vt_orderid, Status.NOTTRADED)
        recorder.wait(lambda: gateway.malformed_messages == 1, what="the answer counted as malformed")
    assert any(" WARNING " in line and "is not a number" in line for line in logs.lines)
    # its Tiger id was learnt from the status push: the cancel goes out under it
    main_engine.cancel_order(CancelRequest(placed.orderid, "AAPL", Exchange.SMART), "TIGER")
    recorder.reaches(vt_orderid, Status.CANCELLED)
    assert Status.REJECTED not in [o.status for o in recorder.orders(vt_orderid)]
    assert [call["biz"]["id"] for call in venue.requests if call["method"] == "cancel_order"] == [
        venue.run(lambda: next(iter(venue.matching.orders)))
    ]


def test_refusals_carry_tigers_own_text(connected: Any, venue: Any) -> None:
    main_engine, recorder, _ = connected
    venue.faults.reject_orders = 1
    refused = main_engine.send_order(order(OrderType.LIMIT, 185.0), "TIGER")
    reason = recorder.reaches(refused, Status.REJECTED).extra["reason"]
    assert reason == "1200: Order rejected: insufficient buying power for this order"
    unknown = main_engine.send_order(order(OrderType.LIMIT, 1.0, symbol="NOPE"), "TIGER")
    assert (
        recorder.reaches(unknown, Status.REJECTED).extra["reason"] == "1200: orders: contract NOPE not found"
    )


def test_push_outage_loses_and_duplicates_nothing(connected: Any, venue: Any) -> None:
    main_engine, recorder, gateway = connected
    subscribed(main_engine, venue)
    vt_orderid = main_engine.send_order(order(OrderType.LIMIT, 185.0), "TIGER")
    recorder.reaches(vt_orderid, Status.NOTTRADED)
    connections = gateway.push.connections
    venue.refuse_push = True
    venue.drop_push()
    recorder.wait(lambda: not gateway.push.connected, what="push down")
    venue.print_trade("AAPL", "185.00", "10")  # filled while the gateway hears nothing
    venue.refuse_push = False
    recorder.wait(lambda: gateway.push.connections > connections, what="push back")
    recorder.reaches(vt_orderid, Status.ALLTRADED)
    trades = recorder.wait(lambda: recorder.trades(vt_orderid))
    wait_until(lambda: venue.quote_subscribers("AAPL") == 1, what="quotes replayed")
    venue.set_book("AAPL", [("189.80", "1")], [("190.20", "1")])  # the replayed subscription delivers
    recorder.wait(lambda: any(t.bid_price_1 == 189.80 for t in recorder.ticks("AAPL.SMART")), what="tick")
    venue.print_trade("AAPL", "185.00", "10")  # nothing left to fill; a second reconcile finds nothing new
    assert len(trades) == 1 and len(recorder.trades(vt_orderid)) == 1 and trades[0].volume == 10


def test_malformed_push_body_is_counted_and_the_connection_kept(connected: Any, venue: Any) -> None:
    main_engine, recorder, gateway = connected
    subscribed(main_engine, venue)
    connections = gateway.push.connections
    with captured_logs() as logs:
        venue.push_raw(bytes([3]) + b"\x0a\xff\xff")  # a frame whose body is no protobuf message
        wait_until(lambda: any("malformed push frame dropped" in line for line in logs.lines), what="logged")
    assert gateway.malformed_messages == 1
    venue.set_book("AAPL", [("189.70", "5")], [("190.30", "5")])
    recorder.wait(lambda: any(t.bid_price_1 == 189.70 for t in recorder.ticks("AAPL.SMART")), what="tick")
    assert gateway.push.connections == connections and venue.push_count() == 1


def test_history_pages(connected: Any, venue: Any) -> None:
    main_engine, _, _ = connected
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(minutes=2500)
    bars = main_engine.query_history(
        HistoryRequest("AAPL", Exchange.SMART, start, end, Interval.MINUTE), "TIGER"
    )
    assert len(bars) == 2501 and bars[0].datetime == start and bars[-1].datetime == end  # three pages
    assert bars[0].close_price == 101.0 and bars[0].interval == Interval.MINUTE
    assert sum(1 for call in venue.requests if call["method"] == "kline") == 3


@pytest.mark.parametrize("pkcs8", [False, True])
def test_key_formats_and_secrecy(venue: Any, keys: tuple[str, bytes], pkcs8: bool) -> None:
    private_key = keys[0]
    if pkcs8:  # the same key as a PKCS#8 PEM file's text
        key = serialization.load_der_private_key(base64.b64decode(private_key), None)
        private_key = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    main_engine = MainEngine(EventEngine())
    with captured_logs() as logs:
        recorder, _ = connect_gateway(main_engine, TigerGateway, setting(venue, private_key))
        recorder.wait(lambda: venue.push_count() == 1, what="push login")
        main_engine.close()
    body = "".join(private_key.split()[3:-3] if pkcs8 else [private_key])
    assert all(body[:40] not in line for line in logs.lines)


def test_the_private_key_is_stored_only_in_the_owner_only_settings_file(
    venue: Any, keys: tuple[str, bytes], private_home: Path
) -> None:
    """Issue 17: the private key is never written anywhere but the 0600 settings file. The gateway is
    connected from `connect_tiger.json`, trades and closes; then every file under HOME and the settings folder
    (logs included) is searched for the key."""
    spec = TigerGateway.settings_spec()
    saved = save_connect_setting("TIGER", setting(venue, keys[0]), spec)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    main_engine = MainEngine(EventEngine())
    recorder, gateway = connect_gateway(main_engine, TigerGateway, load_connect_setting("TIGER", spec))
    recorder.wait(lambda: venue.push_count() == 1 and gateway.push.connected, what="push socket up")
    recorder.reaches(main_engine.send_order(order(OrderType.LIMIT, 185.0), "TIGER"), Status.NOTTRADED)
    main_engine.close()
    body = keys[0][200:260].encode()  # from the middle: every RSA key of one size starts alike
    roots = {private_home, get_settings_dir()}
    holding = sorted(
        path for root in roots for path in root.rglob("*") if path.is_file() and body in path.read_bytes()
    )
    assert holding == [saved]


def test_settings_that_cannot_work(venue: Any, keys: tuple[str, bytes]) -> None:
    main_engine = MainEngine(EventEngine())
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(TigerGateway)
    with captured_logs() as logs:
        main_engine.connect(setting(venue, "not a key at all"), "TIGER")
        recorder.wait(lambda: any("cannot connect" in m for m in recorder.logs()), what="refused setting")
    assert "private_key" in recorder.logs()[-1] and all("not a key at all" not in line for line in logs.lines)
    other_key, _ = tiger.new_key_pair()  # a valid key Tiger does not know
    gateway.timing.rest_retries = 0
    main_engine.connect(setting(venue, other_key), "TIGER")
    recorder.wait(lambda: any("sign check error" in m for m in recorder.logs()), what="signature refused")
    main_engine.close()
