"""FutuGateway end to end through MainEngine against the fake OpenD (vtcore.peers.futu): session start,
quotes, orders, fills, funds and positions, klines, and OpenD's faults (restart, a hung connection, a reply
lost with the connection, malformed bodies)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from venues.harness import Recorder, captured_logs
from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.event import EVENT_ACCOUNT
from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways.futu import FutuGateway
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.futu import PAPER_HK_ACCOUNT, REAL_ACCOUNT, TEXT, TRADE_PASSWORD, FakeOpenD

pytest.importorskip("futu", reason="the FUTU gateway needs futu-api's messages (pip install '.[futu]')")

TENCENT = "HK.00700"


@pytest.fixture
def opend() -> Iterator[FakeOpenD]:
    server = FakeOpenD(keep_alive_interval=1).start()
    server.set_book(TENCENT, [("380.0", "1000"), ("379.8", "500")], [("380.2", "800"), ("380.4", "900")])
    server.set_quote(TENCENT, "380.0")
    server.seed_position(REAL_ACCOUNT, TENCENT, "200", "350.0")
    yield server
    server.stop()


def setting(opend: FakeOpenD, **changes: Any) -> dict[str, Any]:
    base = {
        "host": "127.0.0.1",
        "port": opend.port,
        "password": TRADE_PASSWORD,
        "market": "HK",
        "environment": "REAL",
    }
    base.update(changes)
    return base


class Session:
    def __init__(self, opend: FakeOpenD, **changes: Any) -> None:
        self.opend = opend
        self.main_engine = MainEngine()
        self.recorder = Recorder(self.main_engine)
        self.gateway: FutuGateway = self.main_engine.add_gateway(FutuGateway)
        self.gateway.backoff = Backoff(base=0.05, maximum=0.2)
        self.gateway.connect_timeout = 2.0
        self.gateway.request_timeout = 3.0
        self.gateway.refresh_delay = 0.01
        self.main_engine.connect(setting(opend, **changes), "FUTU")
        self.recorder.wait(lambda: self.gateway.ready, what="the session start")

    def buy(self, price: float, volume: float = 100, order_type: OrderType = OrderType.LIMIT) -> str:
        request = OrderRequest("00700", Exchange.SEHK, Direction.LONG, order_type, volume, price)
        return self.main_engine.send_order(request, "FUTU")

    def reaches(self, vt_orderid: str, status: Status) -> Any:
        return self.recorder.reaches(vt_orderid, status)

    def close(self) -> None:
        self.main_engine.close()


@pytest.fixture
def session(opend: FakeOpenD) -> Iterator[Session]:
    running = Session(opend)
    yield running
    running.close()


def test_session_start_unlocks_loads_contracts_account_and_positions(session: Session) -> None:
    opend = session.opend
    assert opend.unlocked  # REAL: unlock_trade with the password's MD5
    assert opend.requests[:5] == [1001, 2001, 2005, 2008, 3202]  # InitConnect, accounts, unlock, pushes, info
    contract = session.main_engine.get_contract("00700.SEHK")
    assert contract is not None and contract.min_volume == 100 and contract.name == "TENCENT"
    assert session.main_engine.get_contract("02800.SEHK") is not None  # ETFs too
    session.recorder.wait(session.main_engine.get_all_accounts, what="the account")
    account = session.main_engine.get_all_accounts()[0]
    assert account.accountid == str(REAL_ACCOUNT) and account.balance > 1_000_000
    position = session.recorder.wait(
        lambda: session.main_engine.get_position("FUTU.00700.SEHK.LONG"), what="the seeded position"
    )
    assert position.volume == 200 and position.price == 350.0


def test_an_order_sent_as_the_account_arrives_is_placed(opend: FakeOpenD) -> None:
    # A strategy may send once the account is in: the session start pushes it only when orders are taken.
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    sent: list[str] = []

    def send_on_the_first_account(event: Any) -> None:
        if not sent:
            request = OrderRequest("00700", Exchange.SEHK, Direction.LONG, OrderType.LIMIT, 100, 379.0)
            sent.append(main_engine.send_order(request, "FUTU"))

    main_engine.event_engine.register(EVENT_ACCOUNT, send_on_the_first_account)
    try:
        main_engine.add_gateway(FutuGateway)
        main_engine.connect(setting(opend), "FUTU")
        recorder.wait(lambda: sent, what="the account")
        rested = recorder.reaches(sent[0], Status.NOTTRADED)
        assert rested.traded == 0
    finally:
        main_engine.close()


def test_quotes_and_order_book_become_ticks(session: Session) -> None:
    session.main_engine.subscribe(SubscribeRequest("00700", Exchange.SEHK), "FUTU")
    session.recorder.wait(lambda: session.recorder.ticks("00700.SEHK"), what="the first push")
    session.opend.set_book(TENCENT, [("381.0", "300")], [("381.2", "400")])
    session.opend.print_trade(TENCENT, "381.2", "200")
    tick = session.recorder.wait(
        lambda: next(
            (t for t in reversed(session.recorder.ticks("00700.SEHK")) if t.last_price == 381.2), None
        ),
        what="a tick with the trade",
    )
    assert (tick.bid_price_1, tick.bid_volume_1, tick.ask_price_1) == (381.0, 300, 381.2)
    assert tick.volume == 200 and tick.datetime.utcoffset() == dt.timedelta(hours=8)


def test_limit_order_rests_fills_once_and_moves_funds(session: Session) -> None:
    vt_orderid = session.buy(379.0)
    session.reaches(vt_orderid, Status.NOTTRADED)
    session.opend.print_trade(TENCENT, "379.0", "100")
    done = session.reaches(vt_orderid, Status.ALLTRADED)
    assert done.traded == 100
    trades = session.recorder.wait(lambda: session.recorder.trades(vt_orderid), what="the deal")
    assert len(trades) == 1 and trades[0].price == 379.0 and trades[0].volume == 100
    session.recorder.wait(
        lambda: any(p.volume == 300 for p in session.main_engine.get_all_positions()), what="300 held"
    )


def test_cancel_is_modify_order_with_the_cancel_op(session: Session) -> None:
    vt_orderid = session.buy(370.0)
    order = session.reaches(vt_orderid, Status.NOTTRADED)
    session.main_engine.cancel_order(CancelRequest(order.orderid, "00700", Exchange.SEHK), "FUTU")
    session.reaches(vt_orderid, Status.CANCELLED)
    assert 2205 in session.opend.requests


def test_a_refused_order_carries_opends_own_text(session: Session) -> None:
    vt_orderid = session.buy(379.0, volume=50)  # not a whole lot of 100
    rejected = session.reaches(vt_orderid, Status.REJECTED)
    assert rejected.extra["reason"] == TEXT["lot"].format(lot=100)


def test_order_types_the_market_does_not_take_are_refused_before_sending(session: Session) -> None:
    vt_orderid = session.buy(379.0, order_type=OrderType.STOP)  # STOP is a US order type
    rejected = session.reaches(vt_orderid, Status.REJECTED)
    assert "HK market takes" in rejected.extra["reason"]
    assert 2202 not in session.opend.requests


def test_wrong_password_keeps_trading_locked_with_opends_reason(opend: FakeOpenD) -> None:
    running = Session(opend, password="999999")
    try:
        assert not opend.unlocked
        vt_orderid = running.buy(379.0)
        rejected = running.reaches(vt_orderid, Status.REJECTED)
        assert TEXT["password"] in rejected.extra["reason"]
    finally:
        running.close()


def test_paper_trading_needs_no_unlock_and_derives_trades_from_fill_quantities(opend: FakeOpenD) -> None:
    running = Session(opend, environment="SIMULATE", password="")
    try:
        assert 2005 not in opend.requests and not opend.unlocked
        account = running.recorder.wait(running.main_engine.get_all_accounts, what="account")[0]
        assert account.accountid == str(PAPER_HK_ACCOUNT)
        vt_orderid = running.buy(379.0, volume=300)
        running.reaches(vt_orderid, Status.NOTTRADED)
        opend.print_trade(TENCENT, "379.0", "100")
        running.reaches(vt_orderid, Status.PARTTRADED)
        opend.print_trade(TENCENT, "378.0", "200")
        running.reaches(vt_orderid, Status.ALLTRADED)
        trades = running.recorder.wait(
            lambda: len(running.recorder.trades(vt_orderid)) == 2 and running.recorder.trades(vt_orderid),
            what="two trades",
        )
        assert [(t.volume, t.price) for t in trades] == [(100, 379.0), (200, 379.0)]
        # OpenD refuses what paper trading does not take, in its own words
        fak = running.buy(379.0, order_type=OrderType.FAK)
        assert running.reaches(fak, Status.REJECTED).extra["reason"] == TEXT["paper_type"]
    finally:
        running.close()


def test_opend_restart_loses_no_fill_and_repeats_none(session: Session) -> None:
    session.main_engine.subscribe(SubscribeRequest("00700", Exchange.SEHK), "FUTU")
    vt_orderid = session.buy(379.0)
    session.reaches(vt_orderid, Status.NOTTRADED)
    session.opend.restart(downtime=None)
    session.opend.print_trade(TENCENT, "379.0", "100")  # fills while the gateway is away
    session.opend.come_back()
    session.reaches(vt_orderid, Status.ALLTRADED)
    session.recorder.wait(lambda: session.gateway.ready and session.opend.unlocked, what="unlocked again")
    assert len(session.recorder.trades(vt_orderid)) == 1
    # subscriptions come back with the session
    session.recorder.wait(lambda: session.opend.subscription_count() == 1, what="subscribed again")
    assert [o.status for o in session.recorder.orders(vt_orderid)].count(Status.ALLTRADED) == 1


def test_a_hung_opend_is_left_after_missed_keep_alives(session: Session) -> None:
    vt_orderid = session.buy(379.0)
    session.reaches(vt_orderid, Status.NOTTRADED)
    session.opend.stall_connections()
    session.opend.print_trade(TENCENT, "379.0", "100")  # the stalled connection does not hear it
    session.reaches(vt_orderid, Status.ALLTRADED)  # a new connection's reconciliation does
    assert any("missed keep-alives" in line for line in session.recorder.logs())
    session.recorder.wait(lambda: session.recorder.trades(vt_orderid), what="the deal, from the deal list")
    session.recorder.wait(lambda: session.gateway.ready, what="the session start")
    assert len(session.recorder.trades(vt_orderid)) == 1


@pytest.mark.parametrize("carried_out", [True, False])
def test_an_order_whose_reply_was_lost_is_settled_by_the_next_session(
    session: Session, carried_out: bool
) -> None:
    session.opend.cut_on[2202] = carried_out
    vt_orderid = session.buy(379.0)
    if carried_out:
        order = session.reaches(vt_orderid, Status.NOTTRADED)  # found in today's orders by its remark
        assert order.orderid == vt_orderid.split(".", 1)[1]
    else:
        rejected = session.reaches(vt_orderid, Status.REJECTED)
        assert "was not placed" in rejected.extra["reason"]


def test_malformed_bodies_are_counted_and_the_connection_kept(session: Session) -> None:
    session.main_engine.subscribe(SubscribeRequest("00700", Exchange.SEHK), "FUTU")
    session.recorder.wait(lambda: session.recorder.ticks("00700.SEHK"), what="the first push")
    connections = list(session.opend.run(lambda: list(session.opend.sessions)))
    session.opend.push_raw(3005, b"\xff\xff\xff not protobuf")
    session.opend.push_raw(3005, b"", bad_sha1=True)
    session.recorder.wait(lambda: session.gateway.malformed == 2, what="two malformed packets counted")
    session.opend.print_trade(TENCENT, "380.4", "100")
    session.recorder.wait(
        lambda: any(t.last_price == 380.4 for t in session.recorder.ticks("00700.SEHK")),
        what="a tick after them",
    )
    assert session.opend.run(lambda: list(session.opend.sessions)) == connections
    assert sum("malformed packet" in line for line in session.recorder.logs()) == 2


def test_history_pages_through_next_req_key(session: Session) -> None:
    start = dt.datetime(2026, 10, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    request = HistoryRequest(
        "00700", Exchange.SEHK, start, start + dt.timedelta(minutes=2499), Interval.MINUTE
    )
    bars = session.main_engine.query_history(request, "FUTU")
    assert len(bars) == 2500  # three pages of at most 1000
    assert bars[0].datetime == start and bars[-1].datetime == start + dt.timedelta(minutes=2499)
    assert all(b.datetime - a.datetime == dt.timedelta(minutes=1) for a, b in itertools.pairwise(bars))
    assert session.opend.requests.count(3103) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"port": "11111"}, "port"),
        ({"market": "CN"}, "HK or US"),
        ({"environment": "PAPER"}, "REAL or SIMULATE"),
    ],
)
def test_bad_settings_are_refused_by_name(change: dict[str, Any], message: str) -> None:
    main_engine = MainEngine()
    try:
        gateway = main_engine.add_gateway(FutuGateway)
        with pytest.raises(ValueError, match=message):
            gateway.connect(
                {
                    "host": "127.0.0.1",
                    "port": 11111,
                    "password": "",
                    "market": "HK",
                    "environment": "REAL",
                    **change,
                }
            )
    finally:
        main_engine.close()


def test_unreachable_opend_is_reported_and_retried() -> None:
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(FutuGateway)
    gateway.backoff = Backoff(base=0.05, maximum=0.1)
    try:
        main_engine.connect(
            {"host": "127.0.0.1", "port": 1, "password": "", "market": "HK", "environment": "SIMULATE"},
            "FUTU",
        )
        recorder.wait(lambda: sum(s.state == "disconnected" for s in recorder.states()) >= 2, what="retries")
        assert "cannot reach FutuOpenD" in recorder.states()[-1].message
    finally:
        main_engine.close()


def test_bytes_that_are_no_packet_end_the_session_and_a_new_one_starts(session: Session) -> None:
    sessions_before = session.gateway._connection.sessions  # type: ignore[union-attr]
    session.opend.write_raw(b"HTTP/1.1 400 Bad Request\r\n\r\n" + bytes(40))
    session.recorder.wait(
        lambda: session.gateway.ready and session.gateway._connection.sessions > sessions_before,  # type: ignore[union-attr]
        what="a new session",
    )
    assert session.gateway.malformed == 1
    assert any("stream lost step" in state.message for state in session.recorder.states())


def test_unsubscribe_stops_the_pushes_at_opend(session: Session) -> None:
    request = SubscribeRequest("00700", Exchange.SEHK)
    session.main_engine.subscribe(request, "FUTU")
    session.recorder.wait(lambda: session.opend.subscription_count() == 1, what="subscribed")
    session.gateway.unsubscribe(request)
    session.recorder.wait(lambda: session.opend.subscription_count() == 0, what="unsubscribed")


def test_dropped_connection_comes_back_subscribed_and_unlocked(session: Session) -> None:
    session.main_engine.subscribe(SubscribeRequest("00700", Exchange.SEHK), "FUTU")
    session.recorder.wait(lambda: session.opend.subscription_count() == 1, what="subscribed")
    assert session.opend.drop_connections() == 1
    session.recorder.wait(
        lambda: session.gateway.ready and session.opend.subscription_count() == 1, what="back and subscribed"
    )
    vt_orderid = session.buy(379.0)
    session.reaches(vt_orderid, Status.NOTTRADED)


def test_a_push_a_handler_cannot_apply_is_counted_and_the_session_goes_on(session: Session) -> None:
    session.main_engine.subscribe(SubscribeRequest("00700", Exchange.SEHK), "FUTU")
    session.recorder.wait(lambda: session.recorder.ticks("00700.SEHK"), what="the first push")
    connections = list(session.opend.run(lambda: list(session.opend.sessions)))
    session.opend.odd_timestamps = 1  # the next quote push's timestamp overflows any datetime
    session.opend.print_trade(TENCENT, "380.6", "100")
    session.recorder.wait(lambda: session.gateway.malformed == 1, what="the bad push counted")
    session.opend.print_trade(TENCENT, "380.8", "100")
    session.recorder.wait(
        lambda: any(t.last_price == 380.8 for t in session.recorder.ticks("00700.SEHK")),
        what="a tick after it, on the same session",
    )
    assert session.opend.run(lambda: list(session.opend.sessions)) == connections
    assert any("malformed packet" in line and "3005" in line for line in session.recorder.logs())


def test_a_deal_naming_an_unknown_market_is_booked_on_its_orders_market_with_a_warning(
    session: Session,
) -> None:
    vt_orderid = session.buy(379.0)
    session.reaches(vt_orderid, Status.NOTTRADED)
    session.opend.odd_fill_markets = 1
    with captured_logs() as logs:
        session.opend.print_trade(TENCENT, "379.0", "100")
        session.reaches(vt_orderid, Status.ALLTRADED)
        trades = session.recorder.wait(lambda: session.recorder.trades(vt_orderid), what="the deal")
    assert [(t.exchange, t.price, t.volume) for t in trades] == [(Exchange.SEHK, 379.0, 100)]
    assert any(" WARNING " in line and "security market 99" in line for line in logs.lines)
