"""MiniGateway end to end through MainEngine against the CTP-Mini simulator front-end (libthostmduserapi.so
and libthosttraderapi.so with CTP-Mini's ABI, loaded by path like the real ones): the login sequence without
settlement confirmation, contracts, positions (Mini's records carry no ExchangeID), ticks and their
timestamps,
orders through fill, partial fill, cancel and both kinds of rejection, reconnects, and bad input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import Recorder, ctp_engine, wait_for
from _sdk_sim import check_positions, final, futures_config, order_events, send, sim_fixture, wait_ready

pytest.importorskip("vtcore._mini", reason="vtcore was built without the CTP-Mini SDK")

from vtcore.constant import Direction, Exchange, Offset, Status
from vtcore.engine import MainEngine
from vtcore.errors import SdkUnavailableError, SettingsError
from vtcore.event import EVENT_TICK, EVENT_TRADE
from vtcore.gateways._sdk.sim import FRONT_ENDS, SimControl
from vtcore.gateways.mini import MiniGateway
from vtcore.object import CancelRequest, SubscribeRequest

CST = timezone(timedelta(hours=8))
NAME = "MINI"
TD_READY = ["connecting", "connected", "logged_in", "contracts_loaded", "ready"]  # no settlement to confirm
FRONT_END = FRONT_ENDS["mini"]


def make_config(folder: Path, **sections: Any) -> tuple[Path, Path]:
    """(config file, control port file): one account with yesterday's positions and little money, so that a
    big order is refused by the front (CTP's error 31)."""
    return futures_config(folder, {"balance": 2_000_000}, **sections)


def setting_for(config: Path, password: str = "sim-pass-7") -> dict[str, str]:
    return FRONT_END.setting(config, "tester", password)


sim = sim_fixture(MiniGateway, make_config, setting_for)


def test_login_contracts_positions_account(sim: tuple[MainEngine, Any, Recorder, Any]) -> None:
    main_engine, gateway, recorder, control = sim
    wait_for(
        lambda: "ready" in recorder.states("md") and "ready" in recorder.states("td"), what="the ready events"
    )
    assert recorder.states("td")[: len(TD_READY)] == TD_READY
    assert "settlement_confirmed" not in recorder.states("td")
    assert recorder.states("md")[:4] == ["connecting", "connected", "logged_in", "ready"]
    assert "vtcore-minisim" in control.ping()  # this is the Mini front-end, not CTP's
    assert gateway.td.api.library_version.startswith("V1.7.7_")
    assert gateway.md.api.library_version.startswith("V1.7.5_")  # Mini's market-data library reports 1.7.5
    contracts = {c.vt_symbol: c for c in main_engine.get_all_contracts()}
    expected = {"rb2601.SHFE", "m2601.DCE", "SR601.CZCE", "IF2512.CFFEX", "sc2601.INE", "si2601.GFEX"}
    assert expected <= set(contracts)
    assert contracts["rb2601.SHFE"].name == "螺纹钢2601" and contracts["rb2601.SHFE"].gateway_name == NAME
    # Mini's position records have no ExchangeID: the exchange is the contract's.
    check_positions(main_engine, NAME)


def test_ticks_and_their_timestamps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Recorded night-session ticks (Friday night of trading day Monday 2026-11-30) as each exchange stamps
    them, replayed through the Mini front-end: calendar dates and milliseconds come out right."""
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    lines = [
        {
            "InstrumentID": "rb2601",
            "ExchangeID": "SHFE",
            "TradingDay": "20261130",
            "ActionDay": "20261127",
            "UpdateTime": "21:00:01",
            "UpdateMillisec": 5,
            "LastPrice": 3100.0,
            "BidPrice1": 3099.0,
            "BidVolume1": 4,
            "AskPrice1": 3101.0,
            "AskVolume1": 6,
            "Volume": 12,
        },
        # DCE puts the trading day in ActionDay at night.
        {
            "InstrumentID": "m2601",
            "ExchangeID": "DCE",
            "TradingDay": "20261130",
            "ActionDay": "20261130",
            "UpdateTime": "22:59:59",
            "UpdateMillisec": 999,
            "LastPrice": 2900.0,
        },
        # After midnight: Saturday morning.
        {
            "InstrumentID": "rb2601",
            "ExchangeID": "SHFE",
            "TradingDay": "20261130",
            "ActionDay": "20261128",
            "UpdateTime": "00:30:00",
            "UpdateMillisec": 500,
            "LastPrice": 3102.0,
        },
    ]
    replay = tmp_path / "ticks.jsonl"
    replay.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    config, port_file = make_config(tmp_path, market_data={"rate": 0, "count": 0, "replay": str(replay)})
    with ctp_engine(setting_for(config), MiniGateway) as (main_engine, gateway, recorder):
        wait_ready(gateway)
        for symbol, exchange in (("rb2601", Exchange.SHFE), ("m2601", Exchange.DCE)):
            main_engine.subscribe(SubscribeRequest(symbol=symbol, exchange=exchange), NAME)
        with SimControl.from_port_file(port_file) as control:
            control.ticks(len(lines), rate=0)  # queued on the API thread after the subscriptions
        wait_for(lambda: len(recorder.of(EVENT_TICK)) == len(lines), what="every replayed tick")
        times = {(t.symbol, t.last_price): t.datetime for t in recorder.of(EVENT_TICK)}
    assert times[("rb2601", 3100.0)] == datetime(2026, 11, 27, 21, 0, 1, 5000, tzinfo=CST)
    assert times[("m2601", 2900.0)] == datetime(2026, 11, 27, 22, 59, 59, 999000, tzinfo=CST)
    assert times[("rb2601", 3102.0)] == datetime(2026, 11, 28, 0, 30, 0, 500000, tzinfo=CST)
    first = next(t for t in recorder.of(EVENT_TICK) if t.last_price == 3100.0)
    assert (first.gateway_name, first.exchange, first.bid_price_1, first.ask_volume_1) == (
        NAME,
        Exchange.SHFE,
        3099.0,
        6,
    )


def test_orders_fill_partial_cancel_and_both_rejections(sim: tuple[MainEngine, Any, Recorder, Any]) -> None:
    main_engine, gateway, recorder, _ = sim
    main_engine.subscribe(SubscribeRequest(symbol="rb2601", exchange=Exchange.SHFE), NAME)
    tick = wait_for(lambda: main_engine.get_tick("rb2601.SHFE"), what="an rb tick")

    filled = send(main_engine, "rb2601", Exchange.SHFE, Direction.LONG, 1, tick.limit_up)
    done = wait_for(lambda: final(recorder, filled), what="fill")
    assert done.status == Status.ALLTRADED and done.traded == 1
    assert order_events(recorder, filled)[0].status == Status.SUBMITTING
    trades = wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == filled], what="trade")
    assert sum(t.volume for t in trades) == 1 and trades[0].offset == Offset.OPEN
    assert done.datetime is not None and trades[0].datetime is not None
    wait_for(
        lambda: (
            (p := main_engine.get_position("MINI.rb2601.SHFE.LONG")) and (p.volume, p.yd_volume) == (4, 3)
        ),
        what="rb 4 lots, 3 from yesterday",
    )

    # A partial fill on an instrument nobody subscribes (its book does not move), then a cancel.
    big = send(main_engine, "MA601", Exchange.CZCE, Direction.LONG, 500, 2500)
    wait_for(
        lambda: any(o.status == Status.PARTTRADED for o in order_events(recorder, big)), what="partial fill"
    )
    cancel = CancelRequest(orderid=big.split(".", 1)[1], symbol="MA601", exchange=Exchange.CZCE)
    main_engine.cancel_order(cancel, NAME)
    cancelled = wait_for(lambda: final(recorder, big), what="cancel")
    assert cancelled.status == Status.CANCELLED and 0 < cancelled.traded < 500  # the book held < 500

    # Refused by the front (funds): REJECTED with the SDK's error id and message.
    broke = send(main_engine, "au2602", Exchange.SHFE, Direction.LONG, 400, 600)
    refused = wait_for(lambda: final(recorder, broke), what="front refusal")
    assert refused.status == Status.REJECTED and refused.extra["reason"] == "code 31: CTP:资金不足"
    # Refused by the exchange (outside the price limits): REJECTED with the exchange's words.
    off = send(main_engine, "rb2601", Exchange.SHFE, Direction.LONG, 1, tick.limit_up + 500)
    rejected = wait_for(lambda: final(recorder, off), what="exchange refusal")
    assert rejected.status == Status.REJECTED and "涨跌停板" in rejected.extra["reason"]
    assert gateway.td.state == "ready"


def test_disconnect_relogin_resubscribe_without_duplicates(
    sim: tuple[MainEngine, Any, Recorder, Any],
) -> None:
    main_engine, gateway, recorder, control = sim
    main_engine.subscribe(SubscribeRequest(symbol="i2601", exchange=Exchange.DCE), NAME)
    tick = wait_for(lambda: main_engine.get_tick("i2601.DCE"), what="an i tick")
    filled = send(main_engine, "i2601", Exchange.DCE, Direction.LONG, 1, tick.limit_up)
    wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == filled], what="trade")
    orders_before = len(order_events(recorder, filled))
    logins = recorder.states("td").count("logged_in"), recorder.states("md").count("logged_in")
    assert control.disconnect("any", reconnect_ms=50) == 2
    wait_for(lambda: recorder.states("td").count("logged_in") > logins[0], what="td re-login")
    wait_for(lambda: recorder.states("md").count("logged_in") > logins[1], what="md re-login")
    wait_ready(gateway)
    seen = len([t for t in recorder.of(EVENT_TICK) if t.symbol == "i2601"])
    wait_for(
        lambda: len([t for t in recorder.of(EVENT_TICK) if t.symbol == "i2601"]) >= seen + 10,
        what="ticks after the resubscription",
    )
    marker = send(main_engine, "i2601", Exchange.DCE, Direction.SHORT, 1, tick.limit_down, Offset.CLOSE)
    wait_for(lambda: final(recorder, marker), what="marker order")
    assert len(order_events(recorder, filled)) == orders_before  # the replayed flow is not pushed again
    assert len([t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == filled]) == 1


def test_bad_settings_and_libraries_are_refused_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from _ctp_sdk import sdk_dir  # noqa: PLC0415

    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    config, _ = make_config(tmp_path)
    with ctp_engine(None, MiniGateway) as (main_engine, gateway, _recorder):
        # A string too long for its char[N]: refused naming the setting and the struct field; nothing sent.
        with pytest.raises(
            SettingsError,
            match=r"'password' does not fit: ReqUserLogin.Password is too long \(60 bytes; "
            r"at most 40 fit",
        ) as raised:
            main_engine.connect(setting_for(config, password="p" * 60), NAME)
        assert "p" * 20 not in str(raised.value)
        assert gateway.td.api is None and gateway.md.api is None
        # CTP's libraries given to CTP-Mini: refused by version before any call into them.
        setting = setting_for(config)
        (tmp_path / "ctp").mkdir()  # CTP's files under Mini's names
        for name in ("libthostmduserapi", "libthosttraderapi"):
            (tmp_path / "ctp" / f"{name}.so").symlink_to(sdk_dir("6.7.13") / "lib" / f"{name}_se.so")
        setting["library_dir"] = str(tmp_path / "ctp")
        expected = (
            r"libthosttraderapi\.so reports API version 'v6\.7\.13_.*', but this binding was built "
            r"from the CTP-Mini 1\.7\.7 headers"
        )
        with pytest.raises(SdkUnavailableError, match=expected):
            main_engine.connect(setting, NAME)
        assert gateway.td.state == "unavailable" and gateway.td.api is None
        assert not list((tmp_path / "home").rglob("*.con"))  # no factory ran: nothing was created
