"""The gateway contract: what every gateway does against its local peer, whatever it connects to.

Each test runs once per registered peer (tests/contract/conftest.py says how a gateway joins). Order and trade
checks hold a gateway to the OrderTracker's rules as the engine sees them: an order's status never goes back,
its fills never shrink, no update and no trade arrives twice, a rejection says why. The last two tests end
the session: close leaves no thread behind, and no secret of the setting reached any log line.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time

from contract_peer import WAIT, Session

from vtcore.constant import FINAL_STATUSES, Direction, Status
from vtcore.object import CancelRequest, OrderData, SubscribeRequest
from vtcore.orders import STATUS_RANK


def orders_of(session: Session, vt_orderid: str) -> list[OrderData]:
    return session.recorder.orders(vt_orderid)


def wait_status(session: Session, vt_orderid: str, *statuses: Status) -> OrderData:
    def reached() -> OrderData | None:
        last = session.recorder.last_order(vt_orderid)
        return last if last is not None and last.status in statuses else None

    found: OrderData = session.recorder.wait(reached, timeout=WAIT, what=f"{vt_orderid} {statuses}")
    return found


def assert_moves_forward_once(session: Session, vt_orderid: str) -> None:
    """The order's pushed updates only move forward, none twice; its trades arrive once each and add up."""
    updates = orders_of(session, vt_orderid)
    assert updates, f"no update of {vt_orderid}"
    for before, after in itertools.pairwise(updates):
        assert after.traded >= before.traded, f"{vt_orderid}: traded went back: {before} -> {after}"
        assert before.status not in FINAL_STATUSES or after.traded > before.traded, (
            f"{vt_orderid}: an update after the final {before.status.value} added no fill"
        )
        moved = STATUS_RANK[after.status] > STATUS_RANK[before.status] or after.traded > before.traded
        assert moved, f"{vt_orderid}: {before.status.value} -> {after.status.value} moved nothing"
    trades = session.recorder.trades(vt_orderid)
    assert len({trade.vt_tradeid for trade in trades}) == len(trades), f"{vt_orderid}: a trade came twice"
    assert abs(sum(trade.volume for trade in trades) - updates[-1].traded) < 1e-9


def test_connect_gives_contracts_with_price_and_size_steps(session: Session) -> None:
    contract = session.main_engine.get_contract(session.peer.vt_symbol)
    assert contract is not None and contract.gateway_name == session.peer.gateway_name
    assert contract.pricetick > 0 and contract.min_volume > 0 and contract.size > 0
    assert session.main_engine.get_all_accounts()


def test_subscribe_gives_ticks(session: Session) -> None:
    peer = session.peer
    session.main_engine.subscribe(SubscribeRequest(peer.symbol, peer.exchange), peer.gateway_name)
    # the subscription reaches the peer asynchronously: ask the peer for market data until a tick comes
    deadline = time.monotonic() + WAIT
    while not session.recorder.ticks(peer.vt_symbol):
        assert time.monotonic() < deadline, "no tick"
        peer.tick()
        time.sleep(0.1)
    tick = session.recorder.ticks(peer.vt_symbol)[-1]
    assert tick.gateway_name == peer.gateway_name and tick.datetime is not None
    assert tick.last_price > 0 or tick.bid_price_1 > 0


def test_limit_order_rests_then_fills_and_never_goes_back(session: Session) -> None:
    peer = session.peer
    vt_orderid = session.send(peer.buy(peer.resting_price))
    wait_status(session, vt_orderid, Status.NOTTRADED)
    assert orders_of(session, vt_orderid)[0].status == Status.SUBMITTING  # reported as sent, first
    peer.fill()
    done = wait_status(session, vt_orderid, Status.ALLTRADED)
    assert done.traded == peer.volume
    session.recorder.wait(
        lambda: sum(t.volume for t in session.recorder.trades(vt_orderid)) == peer.volume,
        timeout=WAIT,
        what="the fills' trades",
    )
    assert_moves_forward_once(session, vt_orderid)


def test_cancel_ends_a_resting_order(session: Session) -> None:
    peer = session.peer
    vt_orderid = session.send(peer.buy(peer.resting_price))
    resting = wait_status(session, vt_orderid, Status.NOTTRADED)
    session.main_engine.cancel_order(
        CancelRequest(resting.orderid, peer.symbol, peer.exchange), peer.gateway_name
    )
    wait_status(session, vt_orderid, Status.CANCELLED)
    assert_moves_forward_once(session, vt_orderid)


def test_a_refused_order_is_rejected_with_the_peers_reason(session: Session) -> None:
    vt_orderid = session.send(session.peer.rejected_order())
    rejected = wait_status(session, vt_orderid, Status.REJECTED)
    assert rejected.extra and rejected.extra.get("reason"), "a rejection must say why"
    assert_moves_forward_once(session, vt_orderid)


def test_an_order_without_a_buy_or_sell_direction_is_rejected_and_never_sent(session: Session) -> None:
    """NET names a position, not an order's side; a request carrying it (or no direction) must be refused
    with a reason, not left SUBMITTING nor sent as a guess (a sell)."""
    peer = session.peer
    refused = []
    for direction in (Direction.NET, None):
        request = dataclasses.replace(peer.buy(peer.resting_price), direction=direction)
        vt_orderid = session.send(request)
        rejected = wait_status(session, vt_orderid, Status.REJECTED)
        assert rejected.extra and rejected.extra.get("reason"), "a rejection must say why"
        refused.append(vt_orderid)
    # a buy sent after them rests and is cancelled: anything the refused ones had sent would be heard by now
    vt_orderid = session.send(peer.buy(peer.resting_price))
    resting = wait_status(session, vt_orderid, Status.NOTTRADED)
    session.main_engine.cancel_order(
        CancelRequest(resting.orderid, peer.symbol, peer.exchange), peer.gateway_name
    )
    wait_status(session, vt_orderid, Status.CANCELLED)
    for vt_orderid in refused:
        assert [o.status for o in orders_of(session, vt_orderid)][-1] == Status.REJECTED
        assert session.recorder.trades(vt_orderid) == []
        assert_moves_forward_once(session, vt_orderid)


def test_account_and_positions_follow_a_fill(session: Session) -> None:
    peer = session.peer
    accounts = session.main_engine.get_all_accounts()
    assert any(account.gateway_name == peer.gateway_name and account.balance > 0 for account in accounts)
    if peer.positions:
        session.recorder.wait(
            lambda: any(
                p.vt_symbol == peer.vt_symbol and p.volume for p in session.main_engine.get_all_positions()
            ),
            timeout=WAIT,
            what="the filled buy's position",
        )


def test_reconnect_loses_nothing_and_repeats_nothing(session: Session) -> None:
    """A fill while the private connection is down arrives once the gateway is back, and only once."""
    peer = session.peer
    vt_orderid = session.send(peer.buy(peer.resting_price))
    wait_status(session, vt_orderid, Status.NOTTRADED)
    trades_before = len(session.recorder.trades())
    peer.outage(peer.fill)
    wait_status(session, vt_orderid, Status.ALLTRADED)
    session.recorder.wait(
        lambda: sum(t.volume for t in session.recorder.trades(vt_orderid)) == peer.volume,
        timeout=WAIT,
        what="the fill made during the outage",
    )
    # outage() returned after the gateway caught up: a replay or reconciliation had its chance to repeat
    assert_moves_forward_once(session, vt_orderid)
    all_trades = session.recorder.trades()
    assert len({t.vt_tradeid for t in all_trades}) == len(all_trades) >= trades_before + 1


def test_close_leaves_no_thread_behind(session: Session) -> None:
    session.main_engine.close()
    session.closed = True

    def extra_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t not in session.threads_before and t.is_alive()]

    deadline = time.monotonic() + WAIT
    while extra_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert extra_threads() == []


def test_no_secret_reaches_any_log_line(session: Session) -> None:
    lines = session.logs.lines + [log for log in session.recorder.logs()]
    assert lines, "nothing was logged at all"
    for secret in session.peer.secrets:
        assert len(secret) >= 4
        leaked = [line for line in lines if secret in line]
        assert leaked == [], f"a secret of the setting reached the log: {leaked[:3]}"
