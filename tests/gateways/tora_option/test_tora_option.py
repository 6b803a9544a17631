"""ToraOptionGateway (TORA_OPTION) end to end through MainEngine on the simulator's TORA stock-option (SP)
trader and XMd front-end (cpp/tora_sim: libsptraderapi.so and libxmdapi.so on the simulator core): SSE and
SZSE ETF options with vn.py's option fields, options' ticks with the exchanges' limits, buy to open / sell to
close / sell to open with margin, long and short positions, cancels, and the refusals a user must see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from _ashare_sim import OPTION_HOLDINGS, PASSWORD, USER, Control, option_sim_config
from _ctp_engine import Recorder, ctp_engine, wait_for
from vtcore.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status
from vtcore.event import EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE
from vtcore.object import CancelRequest, OrderRequest, SubscribeRequest

CALL, SZ_CALL = "10009001", "90005001"  # 300ETF call 3.9 (SSE), 创业板ETF call 2.1 (SZSE)
MULTIPLIER = 10_000


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    from vtcore.gateways.tora import ToraOptionGateway, sim  # noqa: PLC0415

    config, port_file = option_sim_config(tmp_path_factory.mktemp("tora-option"))
    control = Control(port_file)
    setting = sim.simulator_setting(config, USER, PASSWORD)
    with ctp_engine(setting, ToraOptionGateway) as (main_engine, gateway, recorder):
        for front in ("md", "td"):
            wait_for(lambda front=front: "ready" in recorder.states(front), what=f"{front} ready")
        yield main_engine, gateway, recorder, control
    control.close()


def orders_of(recorder: Recorder, vt_orderid: str) -> list[Any]:
    return [order for order in recorder.of(EVENT_ORDER) if order.vt_orderid == vt_orderid]


def final(recorder: Recorder, vt_orderid: str, status: Status) -> Any:
    return wait_for(
        lambda: next((o for o in orders_of(recorder, vt_orderid) if o.status == status), None),
        what=f"{vt_orderid} {status.value}",
    )


def position(recorder: Recorder, symbol: str, direction: Direction, volume: float) -> Any:
    """Wait for the position of `symbol` on `direction` with `volume` (polled by the gateway)."""
    return wait_for(
        lambda: next(
            (
                p
                for p in reversed(recorder.of(EVENT_POSITION))
                if p.symbol == symbol and p.direction == direction and p.volume == volume
            ),
            None,
        ),
        what=f"{symbol} {direction.value} {volume}",
    )


def option_order(
    direction: Direction, offset: Offset, price: float, volume: float = 1, symbol: str = CALL
) -> OrderRequest:
    exchange = Exchange.SSE if symbol.startswith("1") else Exchange.SZSE
    return OrderRequest(symbol, exchange, direction, OrderType.LIMIT, volume, price, offset)


def test_options_carry_vnpy_option_fields(session: Any) -> None:
    _, _, recorder, _ = session
    contracts = {c.vt_symbol: c for c in recorder.of(EVENT_CONTRACT)}
    assert set(contracts) == {
        "10009001.SSE",
        "10009002.SSE",
        "10009003.SSE",
        "90005001.SZSE",
        "90005002.SZSE",
    }  # options only: the SP trader lists no ETF
    call = contracts["10009001.SSE"]
    assert (call.product, call.size, call.pricetick, call.min_volume) == (
        Product.OPTION,
        MULTIPLIER,
        0.0001,
        1,
    )
    assert call.name == "300ETF购12月3900"  # GB18030 on the wire
    assert (call.option_type, call.option_strike) == (OptionType.CALL, 3.9)
    assert (call.option_portfolio, call.option_underlying) == ("510300_O", "510300-20261223")
    assert call.option_index == "3.900-M03900"
    assert call.option_expiry is not None and call.option_expiry.date().isoformat() == "2026-12-23"
    assert contracts["90005002.SZSE"].option_type == OptionType.PUT
    assert not call.net_position  # long and short positions


def test_option_ticks_with_the_exchanges_limits(session: Any) -> None:
    main_engine, gateway, recorder, _ = session
    main_engine.subscribe(SubscribeRequest(CALL, Exchange.SSE), gateway.gateway_name)
    tick = wait_for(lambda: [t for t in recorder.of(EVENT_TICK) if t.symbol == CALL], what="an option tick")[
        -1
    ]
    assert tick.exchange == Exchange.SSE and tick.last_price == pytest.approx(0.12)
    # an at-the-money call on 3.9: up by 10 % of the underlying's close, down to one tick
    assert (tick.limit_up, tick.limit_down) == (pytest.approx(0.51), pytest.approx(0.0001))


def test_yesterdays_long_and_short_positions_and_margin(session: Any) -> None:
    _, gateway, recorder, _ = session
    gateway.query_position()
    long = position(recorder, CALL, Direction.LONG, OPTION_HOLDINGS[(CALL, "long")])
    short = position(recorder, SZ_CALL, Direction.SHORT, OPTION_HOLDINGS[(SZ_CALL, "short")])
    assert long.yd_volume == 5 and short.yd_volume == 2
    assert long.price == pytest.approx(0.12) and short.price == pytest.approx(0.08)
    gateway.query_account()
    # the seller's margin on 创业板ETF 2.1 (at the money): 0.08 + 12 % of 2.1 per unit
    margin = 2 * (0.08 + 0.12 * 2.1) * MULTIPLIER
    account = wait_for(
        lambda: [a for a in recorder.of(EVENT_ACCOUNT) if a.frozen == pytest.approx(margin)],
        what="the account with the short position's margin",
    )[-1]
    assert account.accountid == USER and account.available > 0


def test_buy_open_rests_fills_and_sell_close(session: Any) -> None:
    main_engine, gateway, recorder, control = session
    resting = main_engine.send_order(option_order(Direction.LONG, Offset.OPEN, 0.1100), gateway.gateway_name)
    final(recorder, resting, Status.NOTTRADED)
    control().set_price(CALL, 0.1050)  # the market falls through the resting buy
    control().set_price(CALL, 0.1200)
    filled = final(recorder, resting, Status.ALLTRADED)
    assert filled.offset == Offset.OPEN and filled.direction == Direction.LONG
    trade = wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == resting], what="trade")[
        0
    ]
    assert trade.tradeid.startswith("SSE.") and trade.offset == Offset.OPEN and trade.volume == 1
    gateway.query_position()
    held = position(recorder, CALL, Direction.LONG, 6)
    assert held.yd_volume == 5
    closing = main_engine.send_order(
        option_order(Direction.SHORT, Offset.CLOSE, 0.1100, 2), gateway.gateway_name
    )
    final(recorder, closing, Status.ALLTRADED)
    gateway.query_position()
    position(recorder, CALL, Direction.LONG, 4)


def test_sell_open_holds_margin_and_cancel(session: Any) -> None:
    main_engine, gateway, recorder, _ = session
    put = "10009002"  # 300ETF put 3.9 at 0.10
    sold = main_engine.send_order(
        option_order(Direction.SHORT, Offset.OPEN, 0.0950, symbol=put), gateway.gateway_name
    )
    final(recorder, sold, Status.ALLTRADED)
    gateway.query_position()
    short = position(recorder, put, Direction.SHORT, 1)
    assert 0.0950 <= short.price <= 0.1000  # filled at the book's bid
    resting = main_engine.send_order(
        option_order(Direction.SHORT, Offset.OPEN, 0.2000, symbol=put), gateway.gateway_name
    )
    final(recorder, resting, Status.NOTTRADED)
    main_engine.cancel_order(CancelRequest(resting.split(".", 1)[1], put, Exchange.SSE), gateway.gateway_name)
    final(recorder, resting, Status.CANCELLED)
    statuses = [o.status for o in orders_of(recorder, resting)]
    assert statuses.index(Status.NOTTRADED) < statuses.index(Status.CANCELLED)


@pytest.mark.parametrize(
    ("order", "reason", "sent"),
    [
        (option_order(Direction.LONG, Offset.NONE, 0.12), "offset", False),
        (
            OrderRequest(CALL, Exchange.SSE, Direction.LONG, OrderType.MARKET, 1, 0.0, Offset.OPEN),
            "order type",
            False,
        ),
        (option_order(Direction.LONG, Offset.OPEN, 0.12, symbol="10009999"), "unknown", False),
        (option_order(Direction.LONG, Offset.OPEN, 0.12, 1.5), "whole number", False),
        (option_order(Direction.SHORT, Offset.CLOSE, 0.12, 50), "可用持仓不足", False),
        (option_order(Direction.LONG, Offset.OPEN, 0.60), "涨跌停", True),
        # 1.25 million of premium on an account of 1 million
        (option_order(Direction.LONG, Offset.OPEN, 0.25, 500, symbol=SZ_CALL), "可用资金不足", False),
    ],
    ids=["no-offset", "market", "unknown", "fraction", "over-close", "above-limit", "no-money"],
)
def test_refused_orders_are_rejected_with_a_reason(
    session: Any, order: OrderRequest, reason: str, sent: bool
) -> None:
    main_engine, gateway, recorder, control = session
    before = control.orders()
    vt_orderid = main_engine.send_order(order, gateway.gateway_name)
    rejected = final(recorder, vt_orderid, Status.REJECTED)
    assert reason.lower() in rejected.extra["reason"].lower()
    assert control.orders() == before + (1 if sent else 0)  # the exchange's refusals are its orders


def test_trade_before_its_order_report_is_tied_to_its_order(tmp_path: Any) -> None:
    """TORA's trade and order reports may come in either order: a trade first is kept until its order's
    report names the order (by the exchange's order id), then pushed under that order, never under a made-up
    id."""
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    from _ashare_sim import TradeReportFirst  # noqa: PLC0415
    from vtcore.gateways.tora import ToraOptionGateway, sim  # noqa: PLC0415

    config, _ = option_sim_config(tmp_path)
    setting = sim.simulator_setting(config, USER, PASSWORD)
    with ctp_engine(setting, ToraOptionGateway) as (main_engine, gateway, recorder):
        for front in ("md", "td"):
            wait_for(lambda front=front: "ready" in recorder.states(front), what=f"{front} ready")
        reversed_reports = TradeReportFirst(gateway)
        reversed_reports.hold()
        put = "10009002"  # 300ETF put 3.9, bid 0.0950 or better: a sell at 0.0950 fills at once
        sold = main_engine.send_order(
            option_order(Direction.SHORT, Offset.OPEN, 0.0950, symbol=put), gateway.gateway_name
        )
        trades = wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == sold], what="trade")
        assert reversed_reports.kept_at_trade is True
        assert len(trades) == 1 and trades[0].offset == Offset.OPEN
        final(recorder, sold, Status.ALLTRADED)
        assert not [t for t in recorder.of(EVENT_TRADE) if "sys-" in t.orderid]  # none left untied
