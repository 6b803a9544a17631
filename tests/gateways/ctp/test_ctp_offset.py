"""SHFE/INE close-today handling end to end: MainEngine + CtpGateway (real client code, `vtcore._ctp`) against
the CTP simulator libraries, with the offset converter following the OMS and the simulator enforcing the
exchanges' close rules with CTP's error ids and texts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import Recorder, ctp_engine, wait_for

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
ctpsim = pytest.importorskip("vtcore.gateways.ctp.sim")

from vtcore.cli.run import LiveView, _DemoOrders  # noqa: E402
from vtcore.constant import Direction, Exchange, Offset, OrderType, Status  # noqa: E402
from vtcore.converter import OverCloseError, PositionHolding  # noqa: E402
from vtcore.engine import MainEngine  # noqa: E402
from vtcore.event import EVENT_ORDER, EVENT_TRADE  # noqa: E402
from vtcore.gateways.ctp import CtpGateway  # noqa: E402
from vtcore.gateways.ctp.sim import simulator_setting  # noqa: E402
from vtcore.object import CancelRequest, OrderData, OrderRequest, SubscribeRequest, TickData  # noqa: E402

Sim = tuple[MainEngine, CtpGateway, Recorder, Any]
POSITIONS = [  # yesterday's positions the simulator starts with
    {"instrument": "rb2601", "direction": "long", "yesterday": 3},  # SHFE
    {"instrument": "sc2601", "direction": "short", "yesterday": 2},  # INE
    {"instrument": "m2601", "direction": "short", "yesterday": 2},  # DCE
]


@contextmanager
def start_sim(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    market_data: dict[str, Any],
    positions: list[dict[str, Any]],
) -> Iterator[Sim]:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    port_file = tmp_path / "control.port"
    config = ctpsim.write_config(
        tmp_path / "sim.json",
        {
            "accounts": [{"user_id": "tester", "password": "sim-pass-7", "positions": positions}],
            "clock": {"trading_day": "20261130"},
            "market_data": market_data,
            "control": {"enabled": True, "port_file": str(port_file)},
        },
    )
    with ctp_engine(simulator_setting(config, "tester", "sim-pass-7")) as (main_engine, gateway, recorder):
        wait_for(
            lambda: gateway.td.state == "ready" and gateway.md.state == "ready", what="both fronts ready"
        )
        with ctpsim.SimControl.from_port_file(port_file) as control:
            yield main_engine, gateway, recorder, control


@pytest.fixture()
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sim]:
    """Prices hold still (a marketable order fills, one at the far limit rests); books refill every tick."""
    with start_sim(tmp_path, monkeypatch, {"rate": 50, "walk": False}, POSITIONS) as started:
        yield started


def holding(main_engine: MainEngine, vt_symbol: str) -> PositionHolding:
    converter = wait_for(lambda: main_engine.get_converter("CTP"), what="the CTP converter")
    return wait_for(lambda: converter.get_position_holding(vt_symbol), what=f"a holding for {vt_symbol}")


def tick_of(main_engine: MainEngine, symbol: str, exchange: Exchange) -> TickData:
    main_engine.subscribe(SubscribeRequest(symbol=symbol, exchange=exchange), "CTP")
    return wait_for(lambda: main_engine.get_tick(f"{symbol}.{exchange.value}"), what=f"a {symbol} tick")


def order_req(
    tick: TickData, direction: Direction, volume: float, offset: Offset, price: float = 0
) -> OrderRequest:
    """Marketable by default: at the limit on the far side of the book."""
    price = price or (tick.limit_up if direction == Direction.LONG else tick.limit_down)
    return OrderRequest(
        symbol=tick.symbol,
        exchange=tick.exchange,
        direction=direction,
        type=OrderType.LIMIT,
        volume=volume,
        price=price,
        offset=offset,
    )


def final(recorder: Recorder, vt_orderid: str) -> OrderData:
    def ended() -> OrderData | None:
        orders = [o for o in recorder.of(EVENT_ORDER) if o.vt_orderid == vt_orderid]
        return orders[-1] if orders and not orders[-1].is_active() else None

    return wait_for(ended, what=f"{vt_orderid} to end")


def traded(recorder: Recorder, vt_orderid: str) -> float:
    return sum(t.volume for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid)


def position_is(main_engine: MainEngine, vt_positionid: str, volume: float, yd_volume: float) -> None:
    wait_for(
        lambda: (
            (p := main_engine.get_position(vt_positionid)) is not None
            and (p.volume, p.yd_volume) == (volume, yd_volume)
        ),
        what=f"{vt_positionid} at {volume:g} ({yd_volume:g} yesterday)",
    )


def open_today(
    main_engine: MainEngine, recorder: Recorder, tick: TickData, direction: Direction, volume: float
) -> None:
    vt_orderid = main_engine.send_order(order_req(tick, direction, volume, Offset.OPEN), "CTP")
    assert final(recorder, vt_orderid).status == Status.ALLTRADED
    wait_for(lambda: traded(recorder, vt_orderid) == volume, what="the opening trades")


def with_today(
    sim: Sim, symbol: str, exchange: Exchange, side: Direction, *, yd: float, td: float
) -> tuple[PositionHolding, TickData]:
    """Wait for yesterday's `yd` lots from the position query, open `td` lots today on `side`, and wait for
    the converter to see both; returns the holding and a tick."""
    main_engine, _, recorder, _ = sim
    held = holding(main_engine, f"{symbol}.{exchange.value}")
    volumes = held.sides[side]
    wait_for(lambda: volumes.yd == yd, what=f"yesterday's {yd:g} lots from the position query")
    tick = tick_of(main_engine, symbol, exchange)
    open_today(main_engine, recorder, tick, side, td)
    wait_for(lambda: (volumes.yd, volumes.td) == (yd, td), what=f"today's {td:g} lots from the trades")
    return held, tick


def test_shfe_close_is_split_and_the_simulator_accepts_both_legs(sim: Sim) -> None:
    main_engine, _, recorder, _ = sim
    rb, tick = with_today(sim, "rb2601", Exchange.SHFE, Direction.LONG, yd=3, td=2)

    sell = order_req(tick, Direction.SHORT, 4, Offset.CLOSE)
    vt_orderids = main_engine.send_converted_order(sell, "CTP")
    assert len(vt_orderids) == 2
    legs = [final(recorder, vt_orderid) for vt_orderid in vt_orderids]
    assert [(o.offset, o.volume, o.status) for o in legs] == [
        (Offset.CLOSETODAY, 2, Status.ALLTRADED),
        (Offset.CLOSEYESTERDAY, 2, Status.ALLTRADED),
    ]
    trades = [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid in vt_orderids]
    assert {t.offset for t in trades} == {Offset.CLOSETODAY, Offset.CLOSEYESTERDAY}
    wait_for(lambda: (rb.long_td, rb.long_yd, rb.long_pos_frozen) == (0, 1, 0), what="converter: 1 lot left")
    position_is(main_engine, "CTP.rb2601.SHFE.LONG", 1, 1)  # the simulator agrees
    # What is left is yesterday's lot; more than that is refused before anything is sent.
    with pytest.raises(OverCloseError, match=r"the free volume is 1"):
        main_engine.send_converted_order(order_req(tick, Direction.SHORT, 2, Offset.CLOSE), "CTP")
    assert not [
        o for o in recorder.of(EVENT_ORDER) if o.vt_orderid not in vt_orderids and o.offset != Offset.OPEN
    ]


def test_plain_close_of_todays_shfe_position_is_refused_with_ctp_error_51(sim: Sim) -> None:
    main_engine, _, recorder, control = sim
    for symbol, exchange in (("au2602", Exchange.SHFE), ("sc2601", Exchange.INE)):  # no long held
        _, tick = with_today(sim, symbol, exchange, Direction.LONG, yd=0, td=1)
        # Without the converter a plain CLOSE means "close yesterday" there, and there is none.
        before = control.status()["orders"]
        plain = order_req(tick, Direction.SHORT, 1, Offset.CLOSE)
        refused = final(recorder, main_engine.send_order(plain, "CTP"))
        assert refused.status == Status.REJECTED
        assert refused.extra is not None and refused.extra["reason"] == "code 51: CTP:平昨仓位不足"
        wait_for(
            lambda v=refused.vt_orderid: any(
                v in line and "平昨仓位不足" in line for line in recorder.logs()
            ),
            what="the refusal in the log",
        )
        # A CLOSETODAY beyond today's volume: error 50.
        too_much = order_req(tick, Direction.SHORT, 2, Offset.CLOSETODAY)
        refused = final(recorder, main_engine.send_order(too_much, "CTP"))
        assert refused.extra is not None and refused.extra["reason"] == "code 50: CTP:平今仓位不足"
        assert control.status()["orders"] == before  # refused by the front: never exchange orders
        # The same close through the converter is a CLOSETODAY, and it fills.
        (closed,) = main_engine.send_converted_order(plain, "CTP")
        order = final(recorder, closed)
        assert (order.offset, order.status) == (Offset.CLOSETODAY, Status.ALLTRADED)
    # With yesterday's 3 lots and today's 1, a plain CLOSE of 4 is refused (51), and beyond the whole
    # position it is error 30.
    _, rb = with_today(sim, "rb2601", Exchange.SHFE, Direction.LONG, yd=3, td=1)
    for volume, reason in ((4, "code 51: CTP:平昨仓位不足"), (5, "code 30: CTP:平仓量超过持仓量")):
        refused = final(
            recorder, main_engine.send_order(order_req(rb, Direction.SHORT, volume, Offset.CLOSE), "CTP")
        )
        assert refused.extra is not None and refused.extra["reason"] == reason


def test_dce_close_goes_unchanged_and_closes_yesterday_first(sim: Sim) -> None:
    main_engine, _, recorder, _ = sim
    m, tick = with_today(sim, "m2601", Exchange.DCE, Direction.SHORT, yd=2, td=1)
    cover = order_req(tick, Direction.LONG, 2, Offset.CLOSE)
    assert main_engine.convert_order_request(cover, "CTP") == [cover]  # no split outside SHFE/INE
    (vt_orderid,) = main_engine.send_converted_order(cover, "CTP")
    order = final(recorder, vt_orderid)
    assert (order.offset, order.volume, order.status) == (Offset.CLOSE, 2, Status.ALLTRADED)
    wait_for(lambda: (m.short_yd, m.short_td) == (0, 1), what="converter: yesterday's closed first")
    position_is(main_engine, "CTP.m2601.DCE.SHORT", 1, 0)  # and so does the simulator
    with pytest.raises(OverCloseError):
        main_engine.send_converted_order(order_req(tick, Direction.LONG, 2, Offset.CLOSE), "CTP")


def test_lock_and_net_modes_against_the_simulator(sim: Sim) -> None:
    main_engine, _, recorder, _ = sim
    rb, tick = with_today(sim, "rb2601", Exchange.SHFE, Direction.LONG, yd=3, td=1)

    def sent(vt_orderids: list[str]) -> list[tuple[Offset, Direction | None, float, Status]]:
        orders = [final(recorder, vt_orderid) for vt_orderid in vt_orderids]
        return [(o.offset, o.direction, o.volume, o.status) for o in orders]

    # Lock: sell 4 closes yesterday's 3 and opens 1 short instead of closing today's lot.
    locked = main_engine.send_converted_order(
        order_req(tick, Direction.SHORT, 4, Offset.CLOSE), "CTP", lock=True
    )
    assert sent(locked) == [
        (Offset.CLOSEYESTERDAY, Direction.SHORT, 3, Status.ALLTRADED),
        (Offset.OPEN, Direction.SHORT, 1, Status.ALLTRADED),
    ]
    wait_for(lambda: (rb.long_yd, rb.long_td, rb.short_td) == (0, 1, 1), what="locked: 1 long, 1 short today")
    position_is(main_engine, "CTP.rb2601.SHFE.SHORT", 1, 0)
    # Net: buy 3 closes the short lot (today's) and opens 2 long.
    netted = main_engine.send_converted_order(
        order_req(tick, Direction.LONG, 3, Offset.OPEN), "CTP", net=True
    )
    assert sent(netted) == [
        (Offset.CLOSETODAY, Direction.LONG, 1, Status.ALLTRADED),
        (Offset.OPEN, Direction.LONG, 2, Status.ALLTRADED),
    ]
    wait_for(lambda: (rb.long_td, rb.short_pos) == (3, 0), what="netted: 3 long today, no short")
    position_is(main_engine, "CTP.rb2601.SHFE.LONG", 3, 0)


def test_frozen_volume_follows_resting_orders_partial_fills_and_cancels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ticks only on demand, so the book is static: 500 lots cannot all fill (5 levels of at most 40)."""
    with start_sim(
        tmp_path,
        monkeypatch,
        {"rate": 0, "count": 0, "walk": False},
        [{"instrument": "rb2601", "direction": "long", "yesterday": 600}],
    ) as (main_engine, _, recorder, control):
        rb = holding(main_engine, "rb2601.SHFE")
        wait_for(lambda: rb.long_yd == 600, what="yesterday's 600 lots")
        main_engine.subscribe(SubscribeRequest(symbol="rb2601", exchange=Exchange.SHFE), "CTP")
        control.ticks(1, rate=0)
        tick = wait_for(lambda: main_engine.get_tick("rb2601.SHFE"), what="one rb tick")

        # A resting close (sell at the upper limit) freezes yesterday's volume; a cancel frees it.
        resting = main_engine.send_converted_order(
            order_req(tick, Direction.SHORT, 100, Offset.CLOSE, price=tick.limit_up), "CTP"
        )
        assert rb.long_yd_frozen == 100  # at once, before any report
        wait_for(
            lambda: any(
                o.vt_orderid == resting[0] and o.status == Status.NOTTRADED for o in recorder.of(EVENT_ORDER)
            ),
            what="the close resting",
        )
        with pytest.raises(OverCloseError, match=r"the free volume is 500"):
            main_engine.convert_order_request(order_req(tick, Direction.SHORT, 501, Offset.CLOSE), "CTP")
        main_engine.cancel_order(
            CancelRequest(orderid=resting[0].split(".", 1)[1], symbol="rb2601", exchange=Exchange.SHFE), "CTP"
        )
        assert final(recorder, resting[0]).status == Status.CANCELLED
        wait_for(lambda: rb.long_yd_frozen == 0, what="the cancel to free the volume")

        # A marketable close of 500 takes the whole book and rests the rest: partial fill, then cancel.
        (big,) = main_engine.send_converted_order(order_req(tick, Direction.SHORT, 500, Offset.CLOSE), "CTP")
        part = wait_for(
            lambda: next(
                (
                    o
                    for o in recorder.of(EVENT_ORDER)
                    if o.vt_orderid == big and o.status == Status.PARTTRADED
                ),
                None,
            ),
            what="a partial fill",
        )
        assert 0 < part.traded < 500

        def consistent() -> bool:
            """Fills reported, their trades received, the converter's volumes at one settled moment: what the
            trades closed is gone from yesterday's volume and the unfilled rest is still frozen."""
            reports = [o for o in recorder.of(EVENT_ORDER) if o.vt_orderid == big]
            filled = traded(recorder, big)
            return (
                reports[-1].traded == filled > 0
                and rb.long_yd == 600 - filled
                and rb.long_yd_frozen == 500 - filled
            )

        wait_for(consistent, what="converter state to follow the partial fill")
        main_engine.cancel_order(
            CancelRequest(orderid=big.split(".", 1)[1], symbol="rb2601", exchange=Exchange.SHFE), "CTP"
        )
        cancelled = final(recorder, big)
        assert cancelled.status == Status.CANCELLED
        wait_for(lambda: traded(recorder, big) == cancelled.traded, what="every trade of the big close")
        wait_for(lambda: (rb.long_yd, rb.long_yd_frozen) == (600 - cancelled.traded, 0), what="rest freed")
        position_is(main_engine, "CTP.rb2601.SHFE.LONG", 600 - cancelled.traded, 600 - cancelled.traded)
        wait_for(lambda: rb.long_yd == 600 - cancelled.traded, what="the position query agrees")


def test_run_demo_closes_through_the_converter(sim: Sim) -> None:
    """`vtcore run --sim`'s demo: a buy, then once it filled a sell that the converter makes CLOSETODAY."""
    main_engine, _, recorder, _ = sim
    view = LiveView(main_engine, main_engine.event_engine)
    tick_of(main_engine, "rb2601", Exchange.SHFE)
    demo = _DemoOrders(main_engine, view)
    wait_for(lambda: (demo.step(), demo.done)[1], what="the demo to send its close")
    closes = wait_for(
        lambda: [o for o in recorder.of(EVENT_ORDER) if o.symbol == "rb2601" and o.offset != Offset.OPEN],
        what="the close's first report",
    )
    assert {(o.vt_orderid, o.offset, o.direction) for o in closes} == {
        (closes[0].vt_orderid, Offset.CLOSETODAY, Direction.SHORT)
    }
    assert final(recorder, closes[0].vt_orderid).status != Status.REJECTED
