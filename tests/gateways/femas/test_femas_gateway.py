"""FemasGateway end to end through MainEngine against the FEMAS simulator front-end (libUSTPmduserapiAF.so and
libUSTPtraderapiAF.so with FEMAS's classes and ABI, loaded by path like the user's own libraries would be):
certification before login, the investor query, contracts, per-direction positions, ticks, orders named by
UserOrderLocalID through fill, partial fill, cancel and both kinds of refusal, and bad input refused before
any call. The reconnect and the private-flow replay are the contract suite's
(tests/contract/peers/femas.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import Recorder, ctp_engine, wait_for
from _sdk_sim import check_positions, final, futures_config, order_events, send, sim_fixture
from venues.harness import run_sim

pytest.importorskip("vtcore._femas", reason="vtcore was built without the FEMAS SDK headers")

from vtcore.constant import Direction, Exchange, Offset, Status
from vtcore.engine import MainEngine
from vtcore.errors import SdkUnavailableError, SettingsError
from vtcore.event import EVENT_TICK, EVENT_TRADE
from vtcore.gateways._sdk.sim import FRONT_ENDS, SimControl, sim_root
from vtcore.gateways.femas import FemasGateway
from vtcore.object import CancelRequest, SubscribeRequest

NAME = "FEMAS"
FRONT_END = FRONT_ENDS["femas"]
APP_ID, AUTH_CODE = "vtcore_app", "auth-9f3k2"


def make_config(folder: Path) -> tuple[Path, Path]:
    """(config file, control port file): one certified account with yesterday's positions and little money,
    so that a big order is refused by the front."""
    return futures_config(folder, {"app_id": APP_ID, "auth_code": AUTH_CODE, "balance": 2_000_000})


def setting_for(config: Path, **changes: str) -> dict[str, str]:
    setting = FRONT_END.setting(config, "tester", "sim-pass-7")
    setting.update(product_info=APP_ID, auth_code=AUTH_CODE)
    setting.update(changes)
    return setting


sim = sim_fixture(FemasGateway, make_config, setting_for)


def test_certification_login_investor_contracts_positions(sim: tuple[MainEngine, Any, Recorder, Any]) -> None:
    main_engine, gateway, recorder, control = sim
    states = recorder.states("td")
    expected = [
        "connecting",
        "connected",
        "authenticated",
        "logged_in",
        "investor",
        "contracts_loaded",
        "ready",
    ]
    assert states[: len(expected)] == expected
    assert "settlement_confirmed" not in states  # FEMAS has no settlement confirmation
    assert "vtcore-femassim" in control.ping()  # this is the FEMAS front-end
    assert gateway.td.api.library_version.startswith("Femas_AllFutures_3.02")
    contracts = {c.vt_symbol: c for c in main_engine.get_all_contracts()}
    assert {"rb2601.SHFE", "m2601.DCE", "SR601.CZCE", "IF2512.CFFEX", "sc2601.INE", "si2601.GFEX"} <= set(
        contracts
    )
    assert contracts["rb2601.SHFE"].name == "螺纹钢2601" and contracts["rb2601.SHFE"].size == 10
    check_positions(main_engine, NAME)
    assert not any(AUTH_CODE in line or "sim-pass-7" in line for line in recorder.logs())


def test_orders_by_local_id_fill_partial_cancel_and_both_refusals(
    sim: tuple[MainEngine, Any, Recorder, Any],
) -> None:
    main_engine, gateway, recorder, _ = sim
    main_engine.subscribe(SubscribeRequest(symbol="rb2601", exchange=Exchange.SHFE), NAME)
    tick = wait_for(lambda: main_engine.get_tick("rb2601.SHFE"), what="an rb tick")
    assert tick.exchange == Exchange.SHFE and tick.gateway_name == NAME

    filled = send(main_engine, "rb2601", Exchange.SHFE, Direction.LONG, 1, tick.limit_up)
    done = wait_for(lambda: final(recorder, filled), what="fill")
    assert done.status == Status.ALLTRADED and done.traded == 1
    assert order_events(recorder, filled)[0].status == Status.SUBMITTING
    trades = wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == filled], what="trade")
    assert sum(t.volume for t in trades) == 1 and trades[0].offset == Offset.OPEN
    assert trades[0].tradeid.startswith("SHFE.")  # FEMAS numbers trades per exchange
    wait_for(
        lambda: (
            (p := main_engine.get_position("FEMAS.rb2601.SHFE.LONG")) and (p.volume, p.yd_volume) == (4, 3)
        ),
        what="rb 4 lots, 3 from yesterday",
    )

    # A partial fill on an instrument nobody subscribes (its book does not move), then a cancel.
    big = send(main_engine, "MA601", Exchange.CZCE, Direction.LONG, 500, 2500)
    assert int(big.split(".", 1)[1]) > int(filled.split(".", 1)[1])  # local ids increase
    wait_for(lambda: any(o.status == Status.PARTTRADED for o in order_events(recorder, big)), what="partial")
    main_engine.cancel_order(CancelRequest(big.split(".", 1)[1], "MA601", Exchange.CZCE), NAME)
    cancelled = wait_for(lambda: final(recorder, big), what="cancel")
    assert cancelled.status == Status.CANCELLED and 0 < cancelled.traded < 500

    # Refused by the front (funds) and by the exchange (outside the price limits): REJECTED with the reason.
    broke = send(main_engine, "au2602", Exchange.SHFE, Direction.LONG, 400, 600)
    refused = wait_for(lambda: final(recorder, broke), what="front refusal")
    assert refused.status == Status.REJECTED and "资金" in refused.extra["reason"]
    off = send(main_engine, "rb2601", Exchange.SHFE, Direction.LONG, 1, tick.limit_up + 500)
    rejected = wait_for(lambda: final(recorder, off), what="exchange refusal")
    assert rejected.status == Status.REJECTED and "涨跌停板" in rejected.extra["reason"]
    assert gateway.td.state == "ready"
    assert len([t for t in recorder.of(EVENT_TICK) if t.symbol == "MA601"]) == 0


def test_wrong_auth_code_is_refused_and_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FEMAS's certification names no user (DSUserInfo has AppID and AuthCode only): the simulator takes it
    and refuses the login that follows, as a front that checks the pair against the user does."""
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    config, port_file = make_config(tmp_path)
    with ctp_engine(setting_for(config, auth_code="wrong-code"), FemasGateway) as (_, gateway, recorder):
        wait_for(lambda: gateway.td.state == "login_rejected", what="login refused")
        assert "客户端认证失败" in gateway.td.rejected
        with SimControl.from_port_file(port_file) as control:
            control.disconnect("td", reconnect_ms=50)  # the SDK reconnects: no second login is tried
            wait_for(
                lambda: any("td front: not logging in again" in line for line in recorder.logs()),
                what="the reconnect",
            )
        # the refusal stays the front's state across the reconnect, until connect() is called again
        assert gateway.td.state == "login_rejected"
        assert recorder.states("td").count("login_rejected") == 1 and "logged_in" not in recorder.states("td")
        assert not any("wrong-code" in line for line in recorder.logs())


def test_bad_settings_and_libraries_are_refused_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VTCORE_FEMAS_LIB_DIR", raising=False)
    config, _ = make_config(tmp_path)
    with ctp_engine(None, FemasGateway) as (main_engine, gateway, _recorder):
        # FEMAS's AuthCode holds 16 bytes: a longer code is refused naming the setting; nothing is sent.
        with pytest.raises(SettingsError, match=r"'auth_code' does not fit: DSUserInfo\.AuthCode") as raised:
            main_engine.connect(setting_for(config, auth_code="c" * 40), NAME)
        assert "c" * 20 not in str(raised.value)
        assert gateway.td.api is None and gateway.md.api is None
        # No library given: the user must bring FEMAS's Linux libraries, and is told how.
        with pytest.raises(SdkUnavailableError, match="bring the vendor's FEMAS"):
            main_engine.connect(setting_for(config, library_dir=""), NAME)
        # Another SDK's libraries (the CTP-Mini front-end's) under FEMAS's names: refused before any call into
        # them (they have no FEMAS version getter).
        folder = tmp_path / "not-femas"
        folder.mkdir()
        mini = FRONT_ENDS["mini"]
        (tmp_path / "libvtcore_simcore.so").symlink_to(
            sim_root() / "libvtcore_simcore.so"
        )  # their $ORIGIN/..
        (folder / "libUSTPmduserapiAF.so").symlink_to(mini.library_dir() / mini.md_name)
        (folder / "libUSTPtraderapiAF.so").symlink_to(mini.library_dir() / mini.td_name)
        with pytest.raises(
            SdkUnavailableError,
            match=r"libUSTPtraderapiAF\.so is not a FEMAS trader library \(it lacks \w*GetVersion",
        ):
            main_engine.connect(setting_for(config, library_dir=str(folder)), NAME)
        assert gateway.td.api is None and gateway.md.api is None


def test_vtcore_run_sim_gateway_femas(tmp_path: Path) -> None:
    output = run_sim("FEMAS", tmp_path, duration=5)
    assert "FEMAS on the built-in simulator" in output
    assert "FEMAS.md=ready" in output and "FEMAS.td=ready" in output and "dropped 0" in output
    assert "LONG OPEN 1 @" in output and "ALLTRADED" in output  # the demo order went through and filled
    assert "trade FEMAS.SHFE." in output  # trade ids carry the exchange
