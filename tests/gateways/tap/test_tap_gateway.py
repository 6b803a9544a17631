"""TapGateway end to end through MainEngine against the TAP simulator front-end (libTapQuoteAPI.so and
libiTapTradeAPI.so with TAP's C entry points and class layouts, beside stand-ins for Esunny's libescrypto and
libesssl, loaded by path like the real ones): login and API-ready on both fronts, contracts from commodities,
foreign exchanges, the account in its currency, positions, ticks, orders (fill, cancel, stop, both kinds of
refusal, what TAP cannot take refused locally) and bad input refused before any call. The reconnect and the
replayed day are the contract suite's (tests/contract/peers/tap.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import Recorder, ctp_engine, wait_for
from _sdk_sim import final, order_events, send, sim_fixture
from venues.harness import run_sim

pytest.importorskip("vtcore._tap", reason="vtcore was built without the TAP SDK")

from vtcore.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.errors import SdkUnavailableError, SettingsError
from vtcore.event import EVENT_TRADE
from vtcore.gateways._sdk.sim import FRONT_ENDS, sim_root
from vtcore.gateways.tap import TapGateway
from vtcore.gateways.tap.sim import simulator_setting, write_sim_config
from vtcore.object import CancelRequest, SubscribeRequest

NAME = "TAP"


def make_config(folder: Path) -> tuple[Path, Path]:
    """(config file, control port file): one account holding 2 CL from yesterday, with little money so that a
    big order is refused by the front."""
    port_file = folder / "control.port"
    config = write_sim_config(
        folder / "sim.json",
        accounts=[
            {
                "user_id": "tester",
                "password": "sim-pass-7",
                "balance": 500_000,
                "positions": [{"instrument": "CL2601", "direction": "long", "yesterday": 2}],
            }
        ],
        clock={"trading_day": "20261130"},
        market_data={"rate": 50},
        control={"enabled": True, "port_file": str(port_file)},
    )
    return config, port_file


sim = sim_fixture(TapGateway, make_config, lambda config: simulator_setting(config, "tester", "sim-pass-7"))


def test_login_contracts_account_positions_ticks(sim: tuple[MainEngine, Any, Recorder, Any]) -> None:
    main_engine, gateway, recorder, control = sim
    assert recorder.states("trade")[:3] == ["connecting", "logged_in", "ready"]
    assert recorder.states("quote")[:4] == ["connecting", "logged_in", "contracts_loaded", "ready"]
    assert "vtcore-tapsim" in control.ping()
    assert gateway.trade.api.library_version.startswith("Version iTapTradeAPI V9.3.9.18")
    contracts = {c.vt_symbol: c for c in main_engine.get_all_contracts()}
    assert {"CL2601.NYMEX", "GC2602.COMEX", "ES2603.CME", "B2602.ICE", "HSI2512.HKFE", "FEF2601.SGX"} <= set(
        contracts
    )
    gold = contracts["GC2602.COMEX"]
    assert (gold.size, gold.pricetick, gold.product, gold.name) == (100, 0.1, Product.FUTURES, "黄金2602")
    account = wait_for(lambda: main_engine.get_account("TAP.tester.USD"), what="account")
    assert account.balance == 500_000
    cl = wait_for(lambda: main_engine.get_position("TAP.CL2601.NYMEX.LONG"), what="CL position")
    assert (cl.volume, cl.yd_volume) == (2, 2)
    main_engine.subscribe(SubscribeRequest("GC2602", Exchange.COMEX), NAME)
    tick = wait_for(lambda: main_engine.get_tick("GC2602.COMEX"), what="a gold tick")
    assert tick.gateway_name == NAME and tick.name == "黄金2602"
    assert 0 < tick.bid_price_1 < tick.ask_price_1 and tick.datetime is not None
    assert not any("sim-pass-7" in line for line in recorder.logs())


def test_orders_fill_cancel_stop_and_refusals(sim: tuple[MainEngine, Any, Recorder, Any]) -> None:
    main_engine, gateway, recorder, control = sim
    main_engine.subscribe(SubscribeRequest("ES2603", Exchange.CME), NAME)
    tick = wait_for(lambda: main_engine.get_tick("ES2603.CME"), what="an ES tick")

    filled = send(main_engine, "ES2603", Exchange.CME, Direction.LONG, 1, tick.limit_up)
    done = wait_for(lambda: final(recorder, filled), what="fill")
    assert done.status == Status.ALLTRADED and done.traded == 1
    assert order_events(recorder, filled)[0].status == Status.SUBMITTING
    trade = wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == filled], what="trade")[0]
    assert trade.tradeid.startswith("CME.") and trade.volume == 1 and trade.offset == Offset.OPEN

    resting = send(main_engine, "ES2603", Exchange.CME, Direction.LONG, 1, tick.limit_down)
    wait_for(
        lambda: any(o.status == Status.NOTTRADED for o in order_events(recorder, resting)), what="resting"
    )
    main_engine.cancel_order(CancelRequest(resting.split(".", 1)[1], "ES2603", Exchange.CME), NAME)
    assert wait_for(lambda: final(recorder, resting), what="cancel").status == Status.CANCELLED

    # A stop (market) order rests untriggered until the price reaches its stop, then fills.
    stop_price = 5500.0
    stop = send(main_engine, "ES2603", Exchange.CME, Direction.LONG, 1, stop_price, order_type=OrderType.STOP)
    wait_for(
        lambda: order_events(recorder, stop) and order_events(recorder, stop)[-1].status == Status.NOTTRADED,
        what="stop accepted",
    )
    control.set_price("ES2603", stop_price)
    assert wait_for(lambda: final(recorder, stop), what="stop fill").status == Status.ALLTRADED

    # Refused by the front (funds) and by the exchange (outside the limits): REJECTED with TAP's words.
    broke = send(main_engine, "GC2602", Exchange.COMEX, Direction.LONG, 500, 2350)
    refused = wait_for(lambda: final(recorder, broke), what="front refusal")
    assert refused.status == Status.REJECTED and refused.extra["reason"].startswith("code ")
    off = send(main_engine, "ES2603", Exchange.CME, Direction.LONG, 1, tick.limit_up + 500)
    rejected = wait_for(lambda: final(recorder, off), what="exchange refusal")
    assert rejected.status == Status.REJECTED and rejected.extra["reason"]

    # What TAP cannot take is refused locally, with the reason.
    local = send(
        main_engine, "ES2603", Exchange.CME, Direction.LONG, 1, 5400, order_type=OrderType.STOP_LIMIT
    )
    assert "STOP_LIMIT" in wait_for(lambda: final(recorder, local), what="refusal").extra["reason"]
    unknown = send(main_engine, "XX2601", Exchange.CME, Direction.LONG, 1, 1)
    assert "unknown symbol" in wait_for(lambda: final(recorder, unknown), what="refusal").extra["reason"]
    assert gateway.trade.state == "ready"


def test_bad_settings_and_libraries_are_refused_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    config, _ = make_config(tmp_path)
    setting = simulator_setting(config, "tester", "sim-pass-7")
    with ctp_engine(None, TapGateway) as (main_engine, gateway, _recorder):
        # TAP's Password holds 20 bytes: a longer one is refused naming the setting; nothing is sent.
        with pytest.raises(SettingsError, match=r"'trade_password' does not fit") as raised:
            main_engine.connect({**setting, "trade_password": "p" * 40}, NAME)
        assert "p" * 21 not in str(raised.value)
        with pytest.raises(SettingsError, match=r"expected an integer.*'quote_port'"):
            main_engine.connect({**setting, "quote_port": "seventy"}, NAME)
        assert gateway.quote.api is None and gateway.trade.api is None
        # FEMAS's simulator libraries under TAP's names: refused before any call (no TAP version getter).
        folder = tmp_path / "not-tap"
        folder.mkdir()
        femas = FRONT_ENDS["femas"]
        (tmp_path / "libvtcore_simcore.so").symlink_to(
            sim_root() / "libvtcore_simcore.so"
        )  # their $ORIGIN/..
        (folder / "libTapQuoteAPI.so").symlink_to(femas.library_dir() / femas.md_name)
        (folder / "libiTapTradeAPI.so").symlink_to(femas.library_dir() / femas.td_name)
        with pytest.raises(SdkUnavailableError, match=r"libescrypto\.so\.1\.1: cannot open"):
            main_engine.connect(
                {**setting, "library_dir": str(folder)}, NAME
            )  # the trade library's SSL first
        for ssl in ("libescrypto.so.1.1", "libesssl.so.1.1"):
            (folder / ssl).symlink_to(FRONT_ENDS["tap"].library_dir() / ssl)
        with pytest.raises(
            SdkUnavailableError,
            match=r"libiTapTradeAPI\.so is not a TAP trade library \(it lacks GetITapTradeAPIVersion\)",
        ):
            main_engine.connect({**setting, "library_dir": str(folder)}, NAME)
        assert gateway.quote.api is None and gateway.trade.api is None


def test_the_default_sim_config_folder_is_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The settings folder holds passwords: a folder vtcore makes there is 0700 whatever the umask.
    home = tmp_path / ".vntrader"
    monkeypatch.setenv("VTCORE_HOME", str(home))
    old = os.umask(0o022)
    try:
        path = write_sim_config()
    finally:
        os.umask(old)
    assert path.parent == home / "tap_sim"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_market_data_only_without_trade_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    config, _ = make_config(tmp_path)
    setting = {**simulator_setting(config, "tester", "sim-pass-7"), "trade_host": "", "trade_port": 0}
    with ctp_engine(setting, TapGateway) as (main_engine, gateway, recorder):
        wait_for(lambda: gateway.quote.state == "ready", what="quote ready")
        assert gateway.trade.api is None
        vt_orderid = send(main_engine, "CL2601", Exchange.NYMEX, Direction.LONG, 1, 68.5)
        reason = wait_for(lambda: final(recorder, vt_orderid), what="local refusal").extra["reason"]
        assert "no trade_host set" in reason


def test_orders_after_close_are_refused_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """close() released the trade API object: an order is REJECTED with the shared reason (it raised
    AttributeError and stayed SUBMITTING), also one whose checks passed just before the close."""
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    config, _ = make_config(tmp_path)
    with ctp_engine(simulator_setting(config, "tester", "sim-pass-7"), TapGateway) as (
        main_engine,
        gateway,
        recorder,
    ):
        wait_for(lambda: gateway.trade.state == "ready" and gateway.quote.state == "ready", what="ready")
        checks = gateway._order_problem

        def closing_meanwhile(req: Any) -> str:
            problem = checks(req)  # the checks pass; then the gateway is closed
            gateway.close()
            return problem

        gateway._order_problem = closing_meanwhile
        raced = send(main_engine, "CL2601", Exchange.NYMEX, Direction.LONG, 1, 60.0)
        gateway._order_problem = checks
        after = send(main_engine, "CL2601", Exchange.NYMEX, Direction.LONG, 1, 60.0)
        for vt_orderid in (raced, after):
            order = wait_for(lambda vt_orderid=vt_orderid: final(recorder, vt_orderid), what="the refusal")
            assert order.status == Status.REJECTED and "the gateway is closed" in order.extra["reason"]
        assert not gateway.orders.active_orders()


def test_vtcore_run_sim_gateway_tap(tmp_path: Path) -> None:
    output = run_sim("TAP", tmp_path, duration=5)
    assert "TAP on the built-in simulator" in output
    assert "TAP.quote=ready" in output and "TAP.trade=ready" in output and "dropped 0" in output
    assert "LONG OPEN 1 @" in output and "ALLTRADED" in output
    assert "trade TAP.NYMEX." in output  # trade ids carry the exchange
