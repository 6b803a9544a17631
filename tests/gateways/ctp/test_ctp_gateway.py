"""CtpGateway end to end through MainEngine against the CTP simulator libraries (loaded by path like the real
ones): login sequence, contracts, market data, orders, positions, account, reconnects and bad input."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import Recorder, ctp_engine, wait_for
from _sdk_sim import check_positions, final, futures_config, order_events, send, sim_fixture, wait_ready

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
ctpsim = pytest.importorskip("vtcore.gateways.ctp.sim")

from vtcore.constant import Direction, Exchange, Offset, OrderType, Status  # noqa: E402
from vtcore.engine import MainEngine  # noqa: E402
from vtcore.errors import SdkUnavailableError  # noqa: E402
from vtcore.event import EVENT_TICK, EVENT_TRADE  # noqa: E402
from vtcore.gateways.ctp import CtpGateway  # noqa: E402
from vtcore.gateways.ctp.sim import simulator_setting  # noqa: E402
from vtcore.object import CancelRequest, SubscribeRequest  # noqa: E402

CST = timezone(timedelta(hours=8))
TD_READY = ["connecting", "connected", "logged_in", "settlement_confirmed", "contracts_loaded", "ready"]


def make_config(folder: Path, **sections: Any) -> tuple[Path, Path]:
    """(config file, control port file) for a simulator with one account and yesterday's positions."""
    return futures_config(folder, **sections)


def setting_for(config: Path, password: str = "sim-pass-7") -> dict[str, str]:
    return simulator_setting(config, "tester", password)


def first_tick(main_engine: MainEngine, symbol: str, exchange: Exchange) -> Any:
    main_engine.subscribe(SubscribeRequest(symbol=symbol, exchange=exchange), "CTP")
    return wait_for(lambda: main_engine.get_tick(f"{symbol}.{exchange.value}"), what=f"a {symbol} tick")


sim = sim_fixture(CtpGateway, make_config, setting_for)


def test_login_sequence_contracts_positions_account(
    sim: tuple[MainEngine, CtpGateway, Recorder, Any],
) -> None:
    main_engine, gateway, recorder, _ = sim
    assert recorder.states("td")[: len(TD_READY)] == TD_READY
    assert recorder.states("md")[:4] == ["connecting", "connected", "logged_in", "ready"]
    assert gateway.td.trading_day is not None and gateway.td.trading_day.isoformat() == "2026-11-30"
    contracts = {c.vt_symbol: c for c in main_engine.get_all_contracts()}
    assert {"rb2601.SHFE", "m2601.DCE", "SR601.CZCE", "IF2512.CFFEX", "sc2601.INE", "si2601.GFEX"} <= set(
        contracts
    )
    assert contracts["rb2601.SHFE"].size == 10 and contracts["rb2601.SHFE"].name == "螺纹钢2601"
    assert gateway.contracts["rb2601"] is not None  # per gateway instance
    # Positions and account are polled on the timer.
    check_positions(main_engine, "CTP")


def test_ticks_subscribe_unsubscribe(sim: tuple[MainEngine, CtpGateway, Recorder, Any]) -> None:
    main_engine, _, recorder, _ = sim

    def ticks(symbol: str) -> list[Any]:
        return [t for t in recorder.of(EVENT_TICK) if t.symbol == symbol]

    main_engine.subscribe(SubscribeRequest(symbol="rb2601", exchange=Exchange.SHFE), "CTP")
    wait_for(lambda: len(ticks("rb2601")) >= 10, what="rb ticks")
    tick = ticks("rb2601")[-1]
    assert tick.exchange == Exchange.SHFE and tick.gateway_name == "CTP"
    assert abs(tick.datetime - datetime.now(CST)) < timedelta(minutes=5)  # the simulator's wall clock, in CST
    assert (
        tick.datetime.microsecond % 1000 == 0 and tick.bid_price_1 > 0 and tick.limit_up > tick.limit_down > 0
    )
    main_engine.unsubscribe(SubscribeRequest(symbol="rb2601", exchange=Exchange.SHFE), "CTP")
    main_engine.subscribe(SubscribeRequest(symbol="au2602", exchange=Exchange.SHFE), "CTP")
    wait_for(lambda: len(ticks("au2602")) >= 20, what="au ticks")
    events = [event.data for event in recorder.events if event.type == EVENT_TICK]
    first_au = next(index for index, t in enumerate(events) if t.symbol == "au2602")
    assert not [t for t in events[first_au:] if t.symbol == "rb2601"]  # the market-data thread's order


def test_order_fill_partial_fill_cancel_reject_positions(
    sim: tuple[MainEngine, CtpGateway, Recorder, Any],
) -> None:
    main_engine, gateway, recorder, _control = sim
    tick = first_tick(main_engine, "rb2601", Exchange.SHFE)

    # A marketable buy fills at once: SUBMITTING first, then the reports, then the trade.
    vt_orderid = send(main_engine, "rb2601", Exchange.SHFE, Direction.LONG, 1, tick.limit_up)
    done = wait_for(lambda: final(recorder, vt_orderid), what="fill")
    assert done.status == Status.ALLTRADED and done.traded == 1
    statuses = [o.status for o in order_events(recorder, vt_orderid)]
    assert statuses[0] == Status.SUBMITTING and statuses[-1] == Status.ALLTRADED
    ctp_id = vt_orderid.split(".", 1)[1]
    front, session, _ref = (int(part) for part in ctp_id.split("_"))
    assert (front, session) == (gateway.td.front_id, gateway.td.session_id)
    trades = wait_for(
        lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid], what="trade"
    )
    assert sum(t.volume for t in trades) == 1 and trades[0].direction == Direction.LONG

    # Today/yesterday on SHFE: 3 from yesterday + 1 today; closing yesterday's leaves 2 + 1.
    wait_for(
        lambda: (p := main_engine.get_position("CTP.rb2601.SHFE.LONG")) and (p.volume, p.yd_volume) == (4, 3),
        what="rb 4 lots, 3 yesterday",
    )
    closing = send(
        main_engine, "rb2601", Exchange.SHFE, Direction.SHORT, 1, tick.limit_down, Offset.CLOSEYESTERDAY
    )
    assert wait_for(lambda: final(recorder, closing)).status == Status.ALLTRADED
    wait_for(
        lambda: (p := main_engine.get_position("CTP.rb2601.SHFE.LONG")) and (p.volume, p.yd_volume) == (3, 2),
        what="rb 3 lots, 2 yesterday",
    )

    # A partial fill on an instrument nobody subscribes (its book does not move): 500 lots, five levels.
    big = send(main_engine, "MA601", Exchange.CZCE, Direction.LONG, 500, 2500)
    part = wait_for(
        lambda: next((o for o in order_events(recorder, big) if o.status == Status.PARTTRADED), None),
        what="partial fill",
    )
    assert 0 < part.traded < 500
    main_engine.cancel_order(
        CancelRequest(orderid=big.split(".", 1)[1], symbol="MA601", exchange=Exchange.CZCE), "CTP"
    )
    cancelled = wait_for(lambda: final(recorder, big), what="cancel")
    assert cancelled.status == Status.CANCELLED and 0 < cancelled.traded < 500  # the book held < 500 lots
    wait_for(
        lambda: sum(t.volume for t in recorder.of(EVENT_TRADE) if t.vt_orderid == big) == cancelled.traded,
        what="every partial fill's trade",
    )

    # The exchange rejects closing what is not held; the broker's reason is logged.
    refused = send(main_engine, "IF2512", Exchange.CFFEX, Direction.SHORT, 1, 4500, Offset.CLOSE)
    assert wait_for(lambda: final(recorder, refused)).status == Status.REJECTED
    assert any(refused in line and "rejected" in line for line in recorder.logs())

    # DCE positions: closing the whole short zeroes it (the closed position is pushed with volume 0).
    send(main_engine, "m2601", Exchange.DCE, Direction.LONG, 2, 3000, Offset.CLOSE)
    wait_for(
        lambda: (p := main_engine.get_position("CTP.m2601.DCE.SHORT")) is not None and p.volume == 0,
        what="m short zeroed",
    )


def test_bad_input_never_reaches_the_exchange(sim: tuple[MainEngine, CtpGateway, Recorder, Any]) -> None:
    main_engine, _, recorder, control = sim
    before = control.status()["orders"]
    bad = [
        ("rb2601", Exchange.SHFE, 0, 3500.0, Offset.OPEN, OrderType.LIMIT, "volume"),
        ("rb2601", Exchange.SHFE, -1, 3500.0, Offset.OPEN, OrderType.LIMIT, "volume"),
        ("rb2601", Exchange.SHFE, 1.5, 3500.0, Offset.OPEN, OrderType.LIMIT, "whole number"),
        ("rb2601", Exchange.SHFE, math.nan, 3500.0, Offset.OPEN, OrderType.LIMIT, "volume"),
        ("rb2601", Exchange.SHFE, 1, math.nan, Offset.OPEN, OrderType.LIMIT, "price"),
        ("rb2601", Exchange.SHFE, 1, math.inf, Offset.OPEN, OrderType.LIMIT, "price"),
        ("rb2601", Exchange.BINANCE, 1, 3500.0, Offset.OPEN, OrderType.LIMIT, "not traded through CTP"),
        ("rb2699", Exchange.SHFE, 1, 3500.0, Offset.OPEN, OrderType.LIMIT, "unknown symbol"),
        ("rb2601", Exchange.DCE, 1, 3500.0, Offset.OPEN, OrderType.LIMIT, "listed on SHFE"),
        ("x" * 100, Exchange.SHFE, 1, 3500.0, Offset.OPEN, OrderType.LIMIT, "unknown symbol"),
        ("rb2601", Exchange.SHFE, 1, 3500.0, Offset.NONE, OrderType.LIMIT, "offset"),
        ("rb2601", Exchange.SHFE, 1, 3500.0, Offset.OPEN, OrderType.STOP, "order type"),
        ("rb2601", Exchange.SHFE, 1, 3500.0, Offset.OPEN, OrderType.POST_ONLY, "no post-only"),
    ]
    for symbol, exchange, volume, price, offset, order_type, reason in bad:
        vt_orderid = send(main_engine, symbol, exchange, Direction.LONG, volume, price, offset, order_type)
        assert vt_orderid, reason
        rejected = wait_for(lambda vt=vt_orderid: final(recorder, vt))
        assert rejected.status == Status.REJECTED and reason in rejected.extra["reason"]
        wait_for(
            lambda vt=vt_orderid, reason=reason: any(
                vt in line and reason in line for line in recorder.logs()
            ),
            what=f"log naming {reason!r}",
        )
    main_engine.subscribe(SubscribeRequest(symbol="x" * 100, exchange=Exchange.SHFE), "CTP")
    main_engine.subscribe(SubscribeRequest(symbol="rb2601", exchange=Exchange.LOCAL), "CTP")
    main_engine.cancel_order(
        CancelRequest(orderid="not-an-id", symbol="rb2601", exchange=Exchange.SHFE), "CTP"
    )
    wait_for(lambda: any("cannot cancel not-an-id" in line for line in recorder.logs()), what="cancel log")
    wait_for(lambda: sum("cannot subscribe" in line for line in recorder.logs()) == 2, what="subscribe logs")
    assert any("x" * 100 in line and "more than 16 bytes" in line for line in recorder.logs())
    assert control.status()["orders"] == before


def test_disconnect_relogin_resubscribe_without_duplicates(
    sim: tuple[MainEngine, CtpGateway, Recorder, Any],
) -> None:
    main_engine, gateway, recorder, control = sim
    tick = first_tick(main_engine, "i2601", Exchange.DCE)
    filled = send(main_engine, "i2601", Exchange.DCE, Direction.LONG, 1, tick.limit_up)
    wait_for(lambda: final(recorder, filled), what="fill")
    wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == filled], what="trade")
    orders_before = len(order_events(recorder, filled))
    logins = recorder.states("td").count("logged_in"), recorder.states("md").count("logged_in")

    assert control.disconnect("any", reconnect_ms=50) == 2
    wait_for(lambda: recorder.states("td").count("logged_in") > logins[0], what="td re-login")
    wait_for(lambda: recorder.states("md").count("logged_in") > logins[1], what="md re-login")
    assert "disconnected" in recorder.states("td") and "disconnected" in recorder.states("md")
    wait_ready(gateway)
    seen = len([t for t in recorder.of(EVENT_TICK) if t.symbol == "i2601"])
    wait_for(
        lambda: len([t for t in recorder.of(EVENT_TICK) if t.symbol == "i2601"]) >= seen + 10,
        what="ticks after the resubscription",
    )
    # The replayed private flow is not pushed again: a later order round-trip proves the replay was handled.
    marker = send(main_engine, "i2601", Exchange.DCE, Direction.SHORT, 1, tick.limit_down, Offset.CLOSE)
    wait_for(lambda: final(recorder, marker), what="marker order")
    assert len(order_events(recorder, filled)) == orders_before
    assert len([t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == filled]) == 1


def test_million_tick_burst_while_orders_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    # Prices do not walk (only times and volumes move), so the marketable orders fill and the others rest.
    config, port_file = make_config(tmp_path, market_data={"rate": 0, "count": 0, "walk": False})
    with ctp_engine(setting_for(config)) as (main_engine, gateway, recorder):
        wait_ready(gateway)
        with ctpsim.SimControl.from_port_file(port_file) as control:
            for symbol, exchange in (
                ("rb2601", Exchange.SHFE),
                ("au2602", Exchange.SHFE),
                ("m2601", Exchange.DCE),
            ):
                main_engine.subscribe(SubscribeRequest(symbol=symbol, exchange=exchange), "CTP")
            control.ticks(3, rate=0)
            tick = wait_for(lambda: main_engine.get_tick("rb2601.SHFE"), what="a first rb tick")
            burst = 1_000_000
            control.ticks(burst, rate=0)
            orders = []
            for n in range(200):  # half marketable (fill), half at the lower limit (rest)
                price = tick.limit_up if n % 2 == 0 else tick.limit_down
                orders.append(send(main_engine, "rb2601", Exchange.SHFE, Direction.LONG, 1, price))
            md_stats = lambda: next(s for s in main_engine.event_engine.stats() if s["name"] == "CTP.md")  # noqa: E731
            wait_for(
                lambda: md_stats()["ticks_pushed"] + md_stats()["ticks_dropped"] >= burst + 3,
                timeout=300,
                what="the burst",
            )
            for vt_orderid in orders:
                wait_for(
                    lambda vt=vt_orderid: any(
                        o.status != Status.SUBMITTING for o in order_events(recorder, vt)
                    ),
                    what=f"a report for {vt_orderid}",
                )
            filled = [
                vt for vt in orders if (_o := order_events(recorder, vt)[-1]).status == Status.ALLTRADED
            ]
            resting = [vt for vt in orders if order_events(recorder, vt)[-1].status == Status.NOTTRADED]
            assert len(filled) + len(resting) == len(orders)
            assert filled == orders[::2]  # every marketable one
            wait_for(
                lambda: {t.vt_orderid for t in recorder.of(EVENT_TRADE)} >= set(filled), what="every trade"
            )
            # What was not dropped reaches the handlers: the engine may still be working through its backlog.
            wait_for(
                lambda: len(recorder.of(EVENT_TICK)) == md_stats()["ticks_pushed"],
                timeout=300,
                what="every tick that was not dropped",
            )
            stats = md_stats()
            assert len(recorder.of(EVENT_TICK)) == stats["ticks_pushed"]
            assert main_engine.event_engine.dropped_ticks == stats["ticks_dropped"]  # and drops are counted


def test_login_rejected_is_not_retried_until_connect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    config, port_file = make_config(tmp_path)
    with ctp_engine(setting_for(config, password="pw-Leak-Check-42")) as (main_engine, gateway, recorder):
        wait_for(lambda: "login_rejected" in recorder.states("td"), what="td login rejected")
        # (market-data fronts, the simulator's too, commonly accept any password)
        assert not any("pw-Leak-Check-42" in line for line in recorder.logs())
        with ctpsim.SimControl.from_port_file(port_file) as control:
            control.disconnect("any", reconnect_ms=50)
            wait_for(
                lambda: any("td front: not logging in again" in line for line in recorder.logs()),
                what="no login retry after the reconnect",
            )
        assert "logged_in" not in recorder.states("td")
        main_engine.connect(setting_for(config), "CTP")  # fixed setting: connect() again retries
        wait_ready(gateway)


def test_wrong_version_library_is_refused_by_the_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from _ctp_sdk import sdk_dir  # noqa: PLC0415

    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    setting = setting_for(make_config(tmp_path)[0])
    setting["library_dir"] = str(sdk_dir("6.7.13") / "lib")
    with ctp_engine() as (main_engine, gateway, _recorder):
        with pytest.raises(SdkUnavailableError, match=r"6\.7\.13"):
            main_engine.connect(setting, "CTP")
        assert gateway.td.state == "unavailable" and gateway.td.api is None


def test_replayed_night_session_ticks_get_calendar_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ticks as exchanges send them on Friday night of trading day Monday 2026-11-30, end to end."""
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    no_value = 1.7976931348623157e308  # CTP's DBL_MAX
    lines = [
        # SHFE: ActionDay is the calendar date.
        {
            "InstrumentID": "rb2601",
            "ExchangeID": "SHFE",
            "TradingDay": "20261130",
            "ActionDay": "20261127",
            "UpdateTime": "21:00:01",
            "UpdateMillisec": 5,
            "LastPrice": 3100.0,
            "UpperLimitPrice": no_value,
        },
        # DCE: ActionDay is the trading day at night.
        {
            "InstrumentID": "m2601",
            "ExchangeID": "DCE",
            "TradingDay": "20261130",
            "ActionDay": "20261130",
            "UpdateTime": "22:59:59",
            "UpdateMillisec": 999,
            "LastPrice": 2900.0,
            "LowerLimitPrice": no_value,
        },
        {
            "InstrumentID": "m2601",
            "ExchangeID": "DCE",
            "TradingDay": "20261130",
            "ActionDay": "20261130",
            "UpdateTime": "00:10:00",
            "UpdateMillisec": 50,
            "LastPrice": 2901.0,
        },
        # CZCE: calendar date in both fields at night.
        {
            "InstrumentID": "SR601",
            "ExchangeID": "CZCE",
            "TradingDay": "20261127",
            "ActionDay": "20261127",
            "UpdateTime": "23:00:00",
            "UpdateMillisec": 0,
            "LastPrice": 5600.0,
        },
    ]
    replay = tmp_path / "night.jsonl"
    replay.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    config, port_file = make_config(tmp_path, market_data={"rate": 0, "count": 0, "replay": str(replay)})
    with ctp_engine(setting_for(config)) as (main_engine, gateway, recorder):
        wait_ready(gateway)
        for symbol, exchange in (
            ("rb2601", Exchange.SHFE),
            ("m2601", Exchange.DCE),
            ("SR601", Exchange.CZCE),
        ):
            main_engine.subscribe(SubscribeRequest(symbol=symbol, exchange=exchange), "CTP")
        with ctpsim.SimControl.from_port_file(port_file) as control:
            control.ticks(len(lines), rate=0)  # queued on the API thread after the subscriptions
        wait_for(lambda: len(recorder.of(EVENT_TICK)) == len(lines), what="every replayed tick")
        ticks = recorder.of(EVENT_TICK)
    expected = {
        ("rb2601", 3100.0): datetime(2026, 11, 27, 21, 0, 1, 5000, tzinfo=CST),
        ("m2601", 2900.0): datetime(2026, 11, 27, 22, 59, 59, 999000, tzinfo=CST),
        ("m2601", 2901.0): datetime(2026, 11, 28, 0, 10, 0, 50000, tzinfo=CST),
        ("SR601", 5600.0): datetime(2026, 11, 27, 23, 0, 0, tzinfo=CST),
    }
    assert {(t.symbol, t.last_price): t.datetime for t in ticks} == expected
    assert {t.exchange for t in ticks} == {Exchange.SHFE, Exchange.DCE, Exchange.CZCE}
    for tick in ticks:
        assert tick.limit_up < 1e300 and tick.limit_down < 1e300  # DBL_MAX -> 0
