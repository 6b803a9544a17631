"""IbGateway end to end through MainEngine against the fake TWS (vtcore.peers.ib): contracts and ConId
resolution, ticks, every order type, executions, account and positions, history, bad input, and the faults TWS
really has (restarts, dropped sockets, 1100/1101/1102, pacing)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from venues.harness import Recorder, wait_until
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways.ib import IbGateway, IbOrderRequest
from vtcore.object import CancelRequest, HistoryRequest, OrderRequest, SubscribeRequest
from vtcore.peers.ib import AAPL, ES, MSFT, FakeTws

AAPL_VT = f"{AAPL.con_id}.SMART"


@pytest.fixture
def tws(engines: list[MainEngine]) -> Iterator[FakeTws]:
    server = FakeTws().start()
    server.set_book(
        AAPL.con_id, [("189.90", "300"), ("189.80", "500")], [("190.10", "200"), ("190.20", "400")]
    )
    server.set_book(ES.con_id, [("5999.75", "10")], [("6000.25", "12")])
    yield server
    for engine in engines:  # the gateway closes against a live TWS, as a user's would
        engine.close()
    server.stop()


@pytest.fixture
def ib(main_engine: MainEngine, tws: FakeTws, monkeypatch: pytest.MonkeyPatch) -> tuple[MainEngine, Recorder]:
    monkeypatch.setattr(IbGateway, "backoff", Backoff(base=0.05, maximum=0.2))
    monkeypatch.setattr(IbGateway, "connect_timeout", 3.0)
    monkeypatch.setattr(IbGateway, "request_timeout", 5.0)
    recorder = connect(main_engine, tws)
    recorder.wait(lambda: any(s.state == "ready" for s in recorder.states()), what="logged in")
    return main_engine, recorder


def connect(main_engine: MainEngine, tws: FakeTws, account: str = "DU1234567") -> Recorder:
    recorder = Recorder(main_engine)
    main_engine.add_gateway(IbGateway)
    main_engine.connect(
        {"tws_host": "127.0.0.1", "tws_port": tws.port, "client_id": 1, "account": account}, "IB"
    )
    return recorder


def order(  # noqa: PLR0917 - reads like an order ticket
    symbol: str,
    exchange: Exchange,
    direction: Direction,
    kind: OrderType,
    volume: float,
    price: float = 0.0,
    **extra: Any,
) -> OrderRequest:
    if extra:
        return IbOrderRequest(
            symbol=symbol,
            exchange=exchange,
            direction=direction,
            type=kind,
            volume=volume,
            price=price,
            **extra,
        )
    return OrderRequest(
        symbol=symbol, exchange=exchange, direction=direction, type=kind, volume=volume, price=price
    )


def reason(order: Any) -> str:
    """Why the gateway rejected or cancelled an order (OrderTracker keeps it in `extra`)."""
    return str((order.extra or {}).get("reason", ""))


def trades_of(recorder: Recorder, vt_orderid: str, count: int) -> list[Any]:
    """The order's trades once `count` have come (a trade may follow its order's final status: it waits a
    moment for its commission report)."""
    found: list[Any] = recorder.wait(
        lambda: len(trades := recorder.trades(vt_orderid)) >= count and trades, what=f"{count} trade(s)"
    )
    return found


def final(recorder: Recorder, vt_orderid: str) -> Any:
    return recorder.wait(
        lambda: (
            (o := recorder.last_order(vt_orderid)) is not None
            and o.status in (Status.ALLTRADED, Status.CANCELLED, Status.REJECTED)
            and o
        ),
        what=f"{vt_orderid} final",
    )


def test_contracts_ticks_account_and_description_resolution(
    ib: tuple[MainEngine, Recorder], tws: FakeTws
) -> None:
    engine, recorder = ib
    engine.subscribe(SubscribeRequest(str(AAPL.con_id), Exchange.SMART), "IB")
    contract = recorder.wait(
        lambda: next((c for c in recorder.contracts() if c.vt_symbol == AAPL_VT), None), what="AAPL contract"
    )
    assert (contract.name, contract.product, contract.pricetick, contract.size) == (
        "APPLE INC",
        Product.EQUITY,
        0.01,
        1.0,
    )
    recorder.wait(
        lambda: any(
            t.bid_price_1 == 189.9 and t.ask_price_1 == 190.1 and t.ask_volume_1 == 200
            for t in recorder.ticks(AAPL_VT)
        ),
        what="quotes",
    )
    tws.print_trade(AAPL.con_id, "190.00", "25")
    tick = recorder.wait(
        lambda: next((t for t in recorder.ticks(AAPL_VT) if t.last_price == 190.0), None), what="last price"
    )
    assert tick.last_volume == 25 and tick.name == "APPLE INC"

    # a description resolves to its ConId through contract details; ticks keep the symbol asked with
    engine.subscribe(SubscribeRequest("MSFT-STK-USD-SMART", Exchange.SMART), "IB")
    recorder.wait(
        lambda: (
            {f"{MSFT.con_id}.SMART", "MSFT-STK-USD-SMART.SMART"}
            <= {c.vt_symbol for c in recorder.contracts()}
        ),
        what="MSFT contracts",
    )
    tws.set_book(MSFT.con_id, [("419.50", "10")], [("420.50", "10")])
    recorder.wait(
        lambda: any(t.bid_price_1 == 419.5 for t in recorder.ticks("MSFT-STK-USD-SMART.SMART")),
        what="MSFT tick under its description",
    )

    # depth on request: five levels kept up to date from IB's insert/update/delete rows
    gateway = engine.get_gateway("IB")
    assert isinstance(gateway, IbGateway)
    gateway.subscribe_depth(SubscribeRequest(str(AAPL.con_id), Exchange.SMART))
    recorder.wait(
        lambda: any(t.bid_price_2 == 189.8 and t.ask_price_2 == 190.2 for t in recorder.ticks(AAPL_VT)),
        what="second level",
    )
    tws.set_book(AAPL.con_id, [("189.90", "300")], [("190.10", "200"), ("190.20", "400"), ("190.30", "9")])
    recorder.wait(
        lambda: any(
            t.bid_price_2 == 0 and t.ask_price_3 == 190.3 and t.ask_volume_3 == 9
            for t in recorder.ticks(AAPL_VT)
        ),
        what="levels deleted and inserted",
    )

    account = recorder.wait(
        lambda: next((a for a in recorder.accounts() if a.accountid == "DU1234567"), None), what="account"
    )
    assert account.balance == 1_000_000

    engine.unsubscribe(SubscribeRequest("MSFT-STK-USD-SMART", Exchange.SMART), "IB")
    wait_until(lambda: tws.market_data_subscriptions() == [AAPL.con_id], what="MSFT market data cancelled")


def test_order_types_cancel_executions_and_positions(ib: tuple[MainEngine, Recorder], tws: FakeTws) -> None:
    engine, recorder = ib
    limit = engine.send_order(
        order(
            str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 100, 185.0, time_in_force="GTC"
        ),
        "IB",
    )
    recorder.wait(lambda: (o := recorder.last_order(limit)) and o.status == Status.NOTTRADED, what="resting")
    assert [o.tif for o in tws.order_list()] == ["GTC"]
    engine.cancel_order(CancelRequest(limit.split(".", 1)[1], str(AAPL.con_id), Exchange.SMART), "IB")
    assert final(recorder, limit).status == Status.CANCELLED

    market = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.MARKET, 30), "IB"
    )
    assert final(recorder, market).status == Status.ALLTRADED
    [trade] = recorder.wait(lambda: recorder.trades(market), what="trade")
    assert (trade.price, trade.volume, trade.direction) == (190.1, 30, Direction.LONG)
    ib_gateway = engine.get_gateway("IB")
    assert isinstance(ib_gateway, IbGateway)
    assert trade.extra == {"commission": 1.0, "commission_currency": "USD", "realized_pnl": 0.0}
    assert ib_gateway.commissions[trade.tradeid].commission == 1.0
    recorder.wait(
        lambda: any(p.vt_symbol == AAPL_VT and p.volume == 30 for p in recorder.positions()), what="position"
    )

    stop = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.SHORT, OrderType.STOP, 10, 189.0), "IB"
    )
    stop_limit = engine.send_order(
        order(
            str(AAPL.con_id),
            Exchange.SMART,
            Direction.SHORT,
            OrderType.STOP_LIMIT,
            10,
            188.0,
            stop_price=189.0,
        ),
        "IB",
    )
    recorder.wait(
        lambda: all(
            (o := recorder.last_order(v)) and o.status == Status.NOTTRADED for v in (stop, stop_limit)
        ),
        what="stops waiting",
    )
    assert sorted(o.order_type for o in tws.order_list() if o.status == "PreSubmitted") == ["STP", "STP LMT"]
    tws.print_trade(AAPL.con_id, "188.90", "5")  # reaches both triggers: they sell into the bids
    assert final(recorder, stop).status == Status.ALLTRADED
    assert final(recorder, stop_limit).status == Status.ALLTRADED
    assert [t.price for t in trades_of(recorder, stop, 1)] == [189.9]

    fak = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.FAK, 5, 180.0), "IB"
    )
    assert final(recorder, fak).status == Status.CANCELLED
    assert tws.order_list()[-1].tif == "IOC"


def test_bad_input_gets_a_clear_rejection(ib: tuple[MainEngine, Recorder], tws: FakeTws) -> None:
    engine, recorder = ib
    unknown = engine.send_order(
        order("999999", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 10.0), "IB"
    )
    rejected = final(recorder, unknown)
    assert rejected.status == Status.REJECTED and "200" in reason(rejected)

    tws.faults.reject_next_orders.append("Insufficient buying power")
    refused = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 185.0), "IB"
    )
    rejected = final(recorder, refused)
    assert rejected.status == Status.REJECTED
    assert "201 Order rejected - reason:Insufficient buying power" in reason(rejected)
    assert [o.status for o in recorder.orders(refused)].count(
        Status.REJECTED
    ) == 1  # Inactive does not repeat it

    off_tick = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 185.001), "IB"
    )
    assert "110" in reason(final(recorder, off_tick))
    bad_tif = engine.send_order(
        order(
            str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 185.0, time_in_force="GTX"
        ),
        "IB",
    )
    assert "time in force" in reason(final(recorder, bad_tif))
    bad_symbol = engine.send_order(
        order("AAPL", Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 185.0), "IB"
    )
    assert "ConId" in reason(final(recorder, bad_symbol))
    no_stop = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.STOP_LIMIT, 1, 185.0), "IB"
    )
    assert "stop_price" in reason(final(recorder, no_stop))
    wrong_exchange = engine.send_order(
        order(str(AAPL.con_id), Exchange.SSE, Direction.LONG, OrderType.LIMIT, 1, 185.0), "IB"
    )
    assert final(recorder, wrong_exchange).status == Status.REJECTED

    engine.subscribe(SubscribeRequest("424242", Exchange.SMART), "IB")
    engine.subscribe(SubscribeRequest("NOPE-STK-USD-SMART", Exchange.SMART), "IB")
    recorder.wait(
        lambda: sum("cannot subscribe" in line for line in recorder.logs()) >= 2, what="subscribe errors"
    )
    assert any("424242.SMART" in line and "200" in line for line in recorder.logs())
    assert any("NOPE-STK-USD-SMART" in line and "200" in line for line in recorder.logs())
    assert len(tws.messages(3)) == 3  # placeOrder messages TWS saw; the others were refused before leaving


def test_an_order_sent_as_the_session_turns_ready_is_placed(main_engine: MainEngine, tws: FakeTws) -> None:
    """A strategy that trades as soon as IB says "ready": its order goes out after the session's open-orders
    request, so TWS's open-order list cannot name it; it must not be taken for one lost in a reconnect and
    REJECTED "not placed" while it rests at TWS (seen under load in test_socket_dropped_mid_order...)."""
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(IbGateway)
    sent: list[str] = []
    announce = gateway.on_gateway_state

    def on_state(state: Any) -> None:
        announce(state)
        if state.state == "ready" and not sent:  # at once, as a user's thread may do
            sent.append(
                gateway.send_order(
                    order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 185.0)
                )
            )

    gateway.on_gateway_state = on_state  # type: ignore[method-assign]
    main_engine.connect(
        {"tws_host": "127.0.0.1", "tws_port": tws.port, "client_id": 1, "account": "DU1234567"}, "IB"
    )
    resting = recorder.wait(
        lambda: sent and (o := recorder.last_order(sent[0])) and o.status != Status.SUBMITTING and o,
        what="the order's answer",
    )
    assert resting.status == Status.NOTTRADED, reason(resting)
    assert [str(o.order_id) for o in tws.order_list()] == [resting.orderid]


def test_tws_restart_reconnects_resubscribes_and_keeps_orders(
    ib: tuple[MainEngine, Recorder], tws: FakeTws
) -> None:
    engine, recorder = ib
    engine.subscribe(SubscribeRequest(str(AAPL.con_id), Exchange.SMART), "IB")
    recorder.wait(lambda: recorder.ticks(AAPL_VT), what="first tick")
    resting = engine.send_order(
        order(
            str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 10, 189.0, time_in_force="GTC"
        ),
        "IB",
    )
    recorder.wait(
        lambda: (o := recorder.last_order(resting)) and o.status == Status.NOTTRADED, what="resting"
    )

    tws.restart(downtime=0.3)
    recorder.wait(lambda: [s.state for s in recorder.states()].count("ready") >= 2, what="logged in again")
    wait_until(lambda: tws.market_data_subscriptions() == [AAPL.con_id], what="subscribed again")
    tws.set_book(AAPL.con_id, [("189.95", "300")], [("190.05", "200")])
    recorder.wait(lambda: any(t.bid_price_1 == 189.95 for t in recorder.ticks(AAPL_VT)), what="ticks again")
    tws.print_trade(AAPL.con_id, "189.00", "10")  # the order rested at IB through the restart and fills now
    assert final(recorder, resting).status == Status.ALLTRADED
    assert len(trades_of(recorder, resting, 1)) == 1
    statuses = [o.status for o in recorder.orders(resting)]
    assert statuses == [Status.SUBMITTING, Status.NOTTRADED, Status.ALLTRADED]


@pytest.mark.parametrize("placed", [True, False], ids=["placed-then-dropped", "dropped-unplaced"])
def test_socket_dropped_mid_order_loses_and_repeats_nothing(
    ib: tuple[MainEngine, Recorder], tws: FakeTws, placed: bool
) -> None:
    engine, recorder = ib
    tws.faults.drop_order_reply = 1
    tws.faults.act_before_drop = placed
    market = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.MARKET, 20), "IB"
    )
    result = final(recorder, market)
    if placed:  # TWS filled it while the answer was lost: the executions after reconnecting tell
        assert result.status == Status.ALLTRADED and result.traded == 20
        assert len(trades_of(recorder, market, 1)) == 1
    else:
        assert result.status == Status.REJECTED and "not placed" in reason(result)
        assert recorder.trades(market) == []
    # the next session is healthy and nothing about the order arrives twice
    later = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.MARKET, 1), "IB"
    )
    assert final(recorder, later).status == Status.ALLTRADED
    trades_of(recorder, later, 1)  # everything TWS said before it has been read by now
    statuses = [o.status for o in recorder.orders(market)]
    assert len(statuses) == len(set(statuses))
    assert len(recorder.trades(market)) == (1 if placed else 0)


def test_connectivity_notices_and_pacing(ib: tuple[MainEngine, Recorder], tws: FakeTws) -> None:
    engine, recorder = ib
    engine.subscribe(SubscribeRequest(str(AAPL.con_id), Exchange.SMART), "IB")
    recorder.wait(lambda: recorder.ticks(AAPL_VT), what="first tick")
    tws.connectivity_lost()
    recorder.wait(lambda: any(s.state == "connectivity_lost" for s in recorder.states()), what="1100")
    tws.connectivity_restored(data_lost=True)  # 1101: TWS forgot the subscription; the gateway makes it again
    wait_until(lambda: tws.market_data_subscriptions() == [AAPL.con_id], what="subscribed again after 1101")
    tws.set_book(AAPL.con_id, [("189.97", "1")], [("190.10", "200")])
    recorder.wait(
        lambda: any(t.bid_price_1 == 189.97 for t in recorder.ticks(AAPL_VT)), what="ticks after 1101"
    )

    gateway = engine.get_gateway("IB")
    assert isinstance(gateway, IbGateway)
    before = len(tws.request_log)
    for _ in range(100):  # a burst well over TWS's 50 messages a second
        gateway.query_position()
    wait_until(
        lambda: len(tws.request_log) - before >= 100,
        timeout=10,
        what=f"burst delivered {len(tws.request_log) - before} {tws.pacing_violations} {tws.client_ids()}",
    )
    assert tws.pacing_violations == 0
    assert tws.client_ids() == [1]  # still the same session


def test_query_history(ib: tuple[MainEngine, Recorder], tws: FakeTws) -> None:
    engine, _ = ib
    end = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    bars = engine.query_history(
        HistoryRequest(str(AAPL.con_id), Exchange.SMART, end - dt.timedelta(hours=6), end, Interval.HOUR),
        "IB",
    )
    assert 5 <= len(bars) <= 6
    assert all(b.interval == Interval.HOUR and b.low_price <= b.open_price <= b.high_price for b in bars)
    assert [b.datetime for b in bars] == sorted(b.datetime for b in bars)
    assert bars[0].datetime >= end - dt.timedelta(hours=6)


def test_partial_fills_descriptions_and_orders_while_disconnected(
    ib: tuple[MainEngine, Recorder], tws: FakeTws
) -> None:
    engine, recorder = ib
    # 300 shares against 200 + 400 on the ask: two executions, PARTTRADED on the way
    sweep = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.MARKET, 300), "IB"
    )
    assert final(recorder, sweep).status == Status.ALLTRADED
    assert [(t.price, t.volume) for t in trades_of(recorder, sweep, 2)] == [(190.1, 200), (190.2, 100)]
    assert [o.traded for o in recorder.orders(sweep)] == [0, 0, 200, 300]
    assert [o.status for o in recorder.orders(sweep)][-2:] == [Status.PARTTRADED, Status.ALLTRADED]

    # an order on a description resolves it first, then trades under the symbol it was sent with
    tws.set_book(MSFT.con_id, [("419.50", "10")], [("420.50", "10")])
    described = engine.send_order(
        order("MSFT-STK-USD-SMART", Exchange.SMART, Direction.SHORT, OrderType.LIMIT, 5, 419.5), "IB"
    )
    assert final(recorder, described).status == Status.ALLTRADED
    [trade] = trades_of(recorder, described, 1)
    assert trade.vt_symbol == "MSFT-STK-USD-SMART.SMART" and trade.price == 419.5
    assert [o.spec.con_id for o in tws.order_list()][-1] == MSFT.con_id

    # TWS is down: an order is refused at once instead of waiting for a session that may never come
    tws.restart(downtime=None)  # down until come_back(), however slow this thread is
    recorder.wait(lambda: recorder.states()[-1].state == "disconnected", what="disconnected")
    while_down = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 185.0), "IB"
    )
    refused = final(recorder, while_down)
    assert refused.status == Status.REJECTED and "not connected" in reason(refused)
    tws.come_back()
    recorder.wait(lambda: [s.state for s in recorder.states()].count("ready") >= 2, what="back")
    # today's executions came again after reconnecting, ahead of this order's answers on the same socket
    after = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.MARKET, 1), "IB"
    )
    recorder.wait(lambda: recorder.trades(after), what="a trade after reconnecting")
    assert len(tws.messages(7)) == 2  # reqExecutions once per session
    assert len(recorder.trades(sweep)) == 2  # not pushed twice


def test_client_id_in_use_is_retried_until_free(
    main_engine: MainEngine, tws: FakeTws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(IbGateway, "backoff", Backoff(base=0.05, maximum=0.1))
    recorder = Recorder(main_engine)
    ib_async = pytest.importorskip("ib_async")
    holder = ib_async.IB()
    loop = asyncio.new_event_loop()
    ready, release = threading.Event(), threading.Event()

    def hold_client_id() -> None:
        asyncio.set_event_loop(loop)
        holder.connect("127.0.0.1", tws.port, clientId=1, timeout=10)
        ready.set()
        release.wait(20)
        holder.disconnect()

    thread = threading.Thread(target=hold_client_id, daemon=True)
    thread.start()
    assert ready.wait(20)
    main_engine.add_gateway(IbGateway)
    main_engine.connect({"tws_host": "127.0.0.1", "tws_port": tws.port, "client_id": 1, "account": ""}, "IB")
    recorder.wait(lambda: any("326" in line for line in recorder.logs()), what="client id in use")
    release.set()
    thread.join(20)
    recorder.wait(lambda: any(s.state == "ready" for s in recorder.states()), what="logged in once free")
    assert any(
        "trading DU1234567" in line for line in recorder.logs()
    )  # several accounts: the first, said so


def test_a_malformed_message_is_reported_and_the_stream_goes_on(
    ib: tuple[MainEngine, Recorder], tws: FakeTws
) -> None:
    engine, recorder = ib
    engine.subscribe(SubscribeRequest(str(AAPL.con_id), Exchange.SMART), "IB")
    recorder.wait(lambda: recorder.ticks(AAPL_VT), what="first tick")
    [req_id] = [int(f[2]) for f in tws.messages(1)]
    tws.inject([1, 6, req_id, 1, "not-a-price", 100, 0])  # a tickPrice whose price is not a number
    tws.inject([3, "x"])  # an orderStatus cut short
    recorder.wait(
        lambda: sum("could not read message" in line for line in recorder.logs()) >= 2, what="logged"
    )
    tws.set_book(AAPL.con_id, [("189.93", "300")], [("190.10", "200")])
    recorder.wait(
        lambda: any(t.bid_price_1 == 189.93 for t in recorder.ticks(AAPL_VT)), what="stream goes on"
    )
    assert [s.state for s in recorder.states()].count("ready") == 1  # no reconnect was needed


def test_an_execution_with_an_impossible_time_is_reported_and_the_session_goes_on(
    ib: tuple[MainEngine, Recorder], tws: FakeTws
) -> None:
    """An execDetails whose epoch time no datetime can hold once ended the session without a word."""
    engine, recorder = ib
    gateway = engine.get_gateway("IB")
    far_future = "99999999999999999999"
    execution = [11, -1, 999, AAPL.con_id, "AAPL", "STK", "", 0.0, "", "", "SMART", "USD", "AAPL", "NMS"]
    execution += [
        "0001f4e8.1",
        far_future,
        "DU1234567",
        "SMART",
        "BOT",
        1,
        190.0,
        1,
        1,
        0,
        1,
        190.0,
        "",
        "",
        "",
    ]
    tws.inject(execution)
    recorder.wait(
        lambda: any(
            "could not read message 11" in line and "out of range" in line for line in recorder.logs()
        ),
        what="the unreadable execution logged",
    )
    assert gateway.malformed_messages == 1
    vt_orderid = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 1, 189.0), "IB"
    )
    recorder.wait(
        lambda: (o := recorder.last_order(vt_orderid)) and o.status == Status.NOTTRADED, what="order rests"
    )
    assert [s.state for s in recorder.states()][-1] == "ready"  # neither closed nor reconnected


def test_a_session_that_dies_of_an_unexpected_error_says_so(
    ib: tuple[MainEngine, Recorder], tws: FakeTws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever escapes the connection's own handling ends the session; the user must read why."""
    engine, recorder = ib

    def broken(fields: list[str]) -> None:
        raise RuntimeError("a fault of the gateway")

    connection = engine.get_gateway("IB")._connection
    monkeypatch.setattr(connection, "_on_message", broken)  # the next message escapes into the session
    tws.set_book(AAPL.con_id, [("189.91", "300")], [("190.10", "200")])
    engine.subscribe(SubscribeRequest(str(AAPL.con_id), Exchange.SMART), "IB")
    recorder.wait(
        lambda: any(
            "session ended on an unexpected error: RuntimeError: a fault of the gateway" in line
            for line in recorder.logs()
        ),
        what="the session's end logged",
    )


def test_held_positions_bring_their_contracts(main_engine: MainEngine, tws: FakeTws) -> None:
    tws.seed_position("DU1234567", AAPL.con_id, "100", "185.00")
    tws.seed_position("DU1234567", ES.con_id, "-2", "300000")
    recorder = connect(main_engine, tws)
    recorder.wait(
        lambda: (
            {(p.vt_symbol, p.volume) for p in recorder.positions()}
            >= {(AAPL_VT, 100.0), (f"{ES.con_id}.CME", -2.0)}
        ),
        what="positions under their contracts' exchanges",
    )
    assert {c.vt_symbol for c in recorder.contracts()} == {AAPL_VT, f"{ES.con_id}.CME"}
    assert {p.vt_symbol for p in recorder.positions()} == {AAPL_VT, f"{ES.con_id}.CME"}  # never NASDAQ too


def test_the_account_setting_picks_one_of_the_managed_accounts(main_engine: MainEngine, tws: FakeTws) -> None:
    """Issue 16: the account to trade when the login manages several (the fake TWS manages DU1234567 and
    DU7654321; the second is chosen): its values, positions and orders, none of the other's."""
    tws.seed_position("DU1234567", AAPL.con_id, "100", "185.00")
    tws.seed_position("DU7654321", AAPL.con_id, "40", "180.00")
    recorder = connect(main_engine, tws, account="DU7654321")
    recorder.wait(lambda: any(s.state == "ready" for s in recorder.states()), what="logged in")
    recorder.wait(lambda: any(a.accountid == "DU7654321" for a in recorder.accounts()), what="account values")
    recorder.wait(
        lambda: any(p.vt_symbol == AAPL_VT and p.volume == 40 for p in recorder.positions()),
        what="its position",
    )
    placed = main_engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.LIMIT, 10, 185.0), "IB"
    )
    recorder.wait(lambda: (o := recorder.last_order(placed)) and o.status == Status.NOTTRADED, what="resting")
    assert [o.account for o in tws.order_list()] == ["DU7654321"]
    assert {a.accountid for a in recorder.accounts()} == {"DU7654321"}
    assert {p.volume for p in recorder.positions() if p.vt_symbol == AAPL_VT} == {40.0}


def test_vtcore_run_sim_on_the_fake_tws(tmp_path: Path) -> None:
    environment = {**os.environ, "VTCORE_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-m", "vtcore.cli", "run", "--sim", "--gateway", "IB", "--duration", "6"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    assert "IB on a fake TWS at 127.0.0.1:" in output
    assert "IB.tws=ready" in output
    assert f"{AAPL.con_id}.SMART" in output  # a latest-tick line
    assert "account IB.DU1234567" in output
    assert f"position {AAPL.con_id}.SMART" in output


def test_a_trade_whose_commission_report_never_comes_is_not_held_back(
    ib: tuple[MainEngine, Recorder], tws: FakeTws
) -> None:
    engine, recorder = ib
    tws.faults.withhold_commission_reports = True
    market = engine.send_order(
        order(str(AAPL.con_id), Exchange.SMART, Direction.LONG, OrderType.MARKET, 5), "IB"
    )
    [trade] = recorder.wait(lambda: recorder.trades(market), what="trade without its commission")
    assert trade.extra is None and trade.volume == 5
    assert final(recorder, market).status == Status.ALLTRADED
