"""vn.py 4.x apps run unchanged on vtcore's MainEngine and EventEngine (`vtcore.vnpy_compat`).

vnpy 4.5.0 and the apps (vnpy_ctastrategy, vnpy_datamanager, vnpy_datarecorder, vnpy_riskmanager) come from
the registry, pinned in benchmarks/_vnpy_env.py (VNPY_APPS), installed with --no-deps into the shared cache
(`$VTCORE_BENCH_CACHE/.../site-vnpy-apps`, made once: about a minute, vnpy_riskmanager's Cython template
included); what they import at run time (ta-lib's wheel, loguru, tzlocal, peewee) is in the test extra. No
PySide6 from vn.py, no TA-Lib build.

The CTA test runs a CtaTemplate strategy on vtcore's CtpGateway against the CTP simulator (its clock steps
5 s per tick, so minute bars close every twelve ticks): bars built from ticks by vn.py's BarGenerator, an
order sent and filled, a resting order cancelled by cancel_all, a stop order triggered by a price move and
filled, and a close beyond the position answered with vn.py's empty list.
"""

# vn.py is importable only once the module fixture has put its cached folders on sys.path
# ruff: noqa: PLC0415

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")

from _ctp_engine import wait_for
from vtcore import constant
from vtcore.engine import MainEngine
from vtcore.event import EventEngine
from vtcore.gateways.ctp import CtpGateway
from vtcore.gateways.ctp import sim as ctpsim
from vtcore.object import AccountData, OrderRequest, PositionData, TickData

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import _vnpy_env

SYMBOL = "rb2601"
VT_SYMBOL = "rb2601.SHFE"


@pytest.fixture(scope="module")
def vnpy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """vn.py's modules, imported from the cached apps folder with their `.vntrader` in a module tmp home."""
    env = _vnpy_env.ensure_vnpy_apps(log=lambda line: None)
    _vnpy_env.add_vnpy_app_paths(env)
    home = tmp_path_factory.mktemp("vnpy-home")
    saved = os.environ.get("HOME"), Path.cwd()
    os.environ["HOME"] = str(home)
    os.chdir(home)  # vn.py fixes its .vntrader at import: ./.vntrader if present, else ~/.vntrader
    try:
        import vnpy.trader.constant
        import vnpy.trader.object
        import vnpy_ctastrategy

        yield {"constant": vnpy.trader.constant, "object": vnpy.trader.object, "cta": vnpy_ctastrategy}
    finally:
        os.chdir(saved[1])
        if saved[0] is not None:
            os.environ["HOME"] = saved[0]


def test_objects_cross_the_boundary_by_enum_member_name(vnpy: Any) -> None:
    from vtcore.vnpy_compat import Converter

    vn_constant, vn_object = vnpy["constant"], vnpy["object"]
    convert = Converter()
    tick = TickData(
        "CTP", SYMBOL, constant.Exchange.SHFE, ctpsim_now(), last_price=3100.0, bid_price_1=3099.0
    )
    out = convert.out(tick)
    assert type(out) is vn_object.TickData
    assert out.exchange is vn_constant.Exchange.SHFE and out.vt_symbol == VT_SYMBOL
    assert (out.last_price, out.bid_price_1) == (3100.0, 3099.0)
    position = convert.out(PositionData("CTP", SYMBOL, constant.Exchange.SHFE, constant.Direction.LONG, 2.0))
    assert position.direction is vn_constant.Direction.LONG
    assert position.vt_positionid == f"CTP.{VT_SYMBOL}.{vn_constant.Direction.LONG.value}"
    assert convert.vt_positionid_back(position.vt_positionid) == f"CTP.{VT_SYMBOL}.LONG"
    account = AccountData("CTP", "a1", balance=100.0, frozen=10.0, available_override=80.0)
    assert convert.out(account).available == 80.0  # the gateway's figure, not vn.py's balance - frozen
    request = vn_object.OrderRequest(
        symbol=SYMBOL,
        exchange=vn_constant.Exchange.SHFE,
        direction=vn_constant.Direction.SHORT,
        type=vn_constant.OrderType.LIMIT,
        volume=1,
        price=3000,
        offset=vn_constant.Offset.CLOSETODAY,
    )
    back = convert.back(request)
    assert type(back) is OrderRequest
    assert (back.direction, back.offset, back.type) == (
        constant.Direction.SHORT,
        constant.Offset.CLOSETODAY,
        constant.OrderType.LIMIT,
    )
    # an exchange vn.py 4.x no longer has goes out as GLOBAL and comes back as itself
    xbt = convert.out(TickData("BITMEX", "XBTUSD", constant.Exchange.BITMEX, ctpsim_now()))
    assert xbt.exchange is vn_constant.Exchange.GLOBAL
    again = convert.back(vn_object.SubscribeRequest(symbol="XBTUSD", exchange=vn_constant.Exchange.GLOBAL))
    assert again.exchange is constant.Exchange.BITMEX
    assert convert.vt_symbol_back("XBTUSD.GLOBAL") == "XBTUSD.BITMEX"


def ctpsim_now() -> Any:
    from datetime import datetime

    from vtcore.time import CHINA_TZ

    return datetime.now(CHINA_TZ)


@contextmanager
def simulator_engine(folder: Path, **sections: Any) -> Iterator[tuple[MainEngine, ctpsim.SimControl]]:
    port_file = folder / "control.port"
    config = ctpsim.write_config(
        folder / "sim.json",
        {
            "accounts": [{"user_id": "tester", "password": "sim-pass-7"}],
            "market_data": {"rate": 100},
            "control": {"enabled": True, "port_file": str(port_file)},
            **sections,
        },
    )
    main_engine = MainEngine(EventEngine())
    main_engine.add_gateway(CtpGateway)
    main_engine.connect(ctpsim.simulator_setting(config, "tester", "sim-pass-7"), "CTP")
    gateway = main_engine.gateways["CTP"]
    try:
        wait_for(
            lambda: gateway.td.state == "ready" and gateway.md.state == "ready", what="both fronts ready"
        )
        with ctpsim.SimControl.from_port_file(port_file) as control:
            yield main_engine, control
    finally:
        main_engine.close()


@pytest.fixture
def sim_engine(tmp_path: Path, vnpy: Any) -> Iterator[tuple[MainEngine, ctpsim.SimControl]]:
    """The simulator with a clock that steps 5 s per tick: a minute bar closes every twelve ticks."""
    with simulator_engine(tmp_path, clock={"start": "2026-11-27 09:05:00", "step_ms": 5000}) as engine:
        yield engine


def probe_strategy_class(cta: Any) -> type:
    class ProbeStrategy(cta.CtaTemplate):  # type: ignore[misc, name-defined]
        """Records what vn.py's CtaEngine delivers; bars from ticks with vn.py's BarGenerator."""

        author = "vtcore tests"

        def __init__(
            self, cta_engine: Any, strategy_name: str, vt_symbol: str, setting: dict[str, Any]
        ) -> None:
            super().__init__(cta_engine, strategy_name, vt_symbol, setting)
            self.bg = cta.BarGenerator(self.on_bar)
            self.ticks: list[Any] = []
            self.bars: list[Any] = []
            self.orders: list[Any] = []
            self.trades: list[Any] = []
            self.stop_orders: list[Any] = []
            self.lock = threading.Lock()

        def on_init(self) -> None:
            self.write_log("probe initialised")

        def on_tick(self, tick: Any) -> None:
            with self.lock:
                self.ticks.append(tick)
            self.bg.update_tick(tick)

        def on_bar(self, bar: Any) -> None:
            with self.lock:
                self.bars.append(bar)

        def on_order(self, order: Any) -> None:
            with self.lock:
                self.orders.append(order)

        def on_trade(self, trade: Any) -> None:
            with self.lock:
                self.trades.append(trade)

        def on_stop_order(self, stop_order: Any) -> None:
            with self.lock:
                self.stop_orders.append(stop_order)

        def last_tick(self) -> Any:
            with self.lock:
                return self.ticks[-1] if self.ticks else None

        def statuses(self, vt_orderid: str) -> list[Any]:
            with self.lock:
                return [order.status for order in self.orders if order.vt_orderid == vt_orderid]

    return ProbeStrategy


def test_a_cta_strategy_trades_on_the_ctp_simulator(
    vnpy: Any, sim_engine: Any, caplog: pytest.LogCaptureFixture
) -> None:
    main_engine, control = sim_engine
    cta, vn_constant = vnpy["cta"], vnpy["constant"]
    Status, Direction = vn_constant.Status, vn_constant.Direction  # noqa: N806

    engine = main_engine.add_app(cta.CtaStrategyApp)  # vtcore's MainEngine, vn.py's app, unchanged
    assert type(engine).__name__ == "CtaEngine"
    engine.init_engine()
    engine.classes["ProbeStrategy"] = probe_strategy_class(cta)
    engine.add_strategy("ProbeStrategy", "probe", VT_SYMBOL, {})
    engine.init_strategy("probe").result(timeout=30)
    engine.start_strategy("probe")
    strategy = engine.strategies["probe"]
    assert strategy.inited and strategy.trading

    # ticks arrive as vn.py's TickData; minute bars are built from them
    wait_for(lambda: len(strategy.bars) >= 2, what="two minute bars built from ticks")
    tick = strategy.last_tick()
    assert type(tick).__module__ == "vnpy.trader.object" and tick.exchange is vn_constant.Exchange.SHFE
    bar = strategy.bars[-1]
    assert bar.interval is vn_constant.Interval.MINUTE and bar.vt_symbol == VT_SYMBOL
    assert bar.low_price <= bar.close_price <= bar.high_price

    # a marketable buy fills
    [bought] = strategy.buy(tick.ask_price_1 + 10, 1)
    wait_for(lambda: Status.ALLTRADED in strategy.statuses(bought), what="the buy filled")
    wait_for(lambda: strategy.pos == 1, what="the strategy's position to follow the trade")
    assert strategy.trades[-1].direction is Direction.LONG and strategy.trades[-1].vt_orderid == bought

    # a resting buy is cancelled by cancel_all
    [resting] = strategy.buy(tick.bid_price_1 - 50, 1)
    wait_for(lambda: Status.NOTTRADED in strategy.statuses(resting), what="the resting order queued")
    strategy.cancel_all()
    wait_for(lambda: Status.CANCELLED in strategy.statuses(resting), what="the resting order cancelled")

    # a stop sell below the market triggers when the price falls, and closes the position
    last = strategy.last_tick().last_price
    [stop_id] = strategy.sell(last - 30, 1, stop=True)
    assert stop_id.startswith("STOP.")
    wait_for(
        lambda: any(so.stop_orderid == stop_id for so in strategy.stop_orders), what="the stop order shown"
    )
    control.set_price(SYMBOL, last - 60)
    wait_for(
        lambda: any(
            so.stop_orderid == stop_id and so.status.name == "TRIGGERED" for so in strategy.stop_orders
        ),
        what="the stop order triggered",
    )
    wait_for(lambda: strategy.pos == 0, what="the triggered stop order filled")
    assert strategy.trades[-1].direction is Direction.SHORT
    assert strategy.trades[-1].offset is vn_constant.Offset.CLOSETODAY  # SHFE: vtcore's converter split it

    # closing what is not held: vtcore refuses (OverCloseError), vn.py's apps see the empty list
    assert strategy.sell(strategy.last_tick().bid_price_1, 5) == []

    # the strategy's log lines reach vtcore's log (register_log of EVENT_CTA_LOG)
    wait_for(lambda: "probe initialised" in caplog.text, what="the strategy's log line")
    engine.stop_strategy("probe")


def test_risk_manager_datarecorder_and_datamanager_load_and_work(vnpy: Any, sim_engine: Any) -> None:
    main_engine, _ = sim_engine
    import vnpy_datamanager
    import vnpy_datarecorder
    import vnpy_riskmanager

    risk = main_engine.add_app(vnpy_riskmanager.RiskManagerApp)
    recorder = main_engine.add_app(vnpy_datarecorder.DataRecorderApp)
    manager = main_engine.add_app(vnpy_datamanager.DataManagerApp)
    assert {"RiskManager", "DataRecorder", "DataManager"} <= set(main_engine.apps)
    assert risk.rules, "the risk manager loaded its rules"

    # every vn.py order now passes the risk manager's patched send_order
    host = main_engine._vnpy_host
    assert host.vnpy_main_engine.send_order == risk.send_order
    vn_constant, vn_object = vnpy["constant"], vnpy["object"]
    tick = wait_for(lambda: main_engine.get_tick(VT_SYMBOL) or subscribe(main_engine), what="a tick")
    request = vn_object.OrderRequest(
        symbol=SYMBOL,
        exchange=vn_constant.Exchange.SHFE,
        direction=vn_constant.Direction.LONG,
        type=vn_constant.OrderType.LIMIT,
        volume=1,
        price=tick.ask_price_1,
        offset=vn_constant.Offset.OPEN,
    )
    vt_orderid = host.vnpy_main_engine.send_order(request, "CTP")
    assert vt_orderid.startswith("CTP.")
    wait_for(lambda: main_engine.get_order(vt_orderid) is not None, what="the order through the risk manager")

    # the recorder stores ticks it gets as vn.py objects; the manager reads them back from the same database
    # the recorder's own knobs: flush each second, not each tenth; keep ticks of the simulated clock, which
    # it would drop as more than a minute away from the wall clock
    recorder.timer_interval = 1
    recorder.filter_delta = timedelta(days=3650)
    recorder.add_tick_recording(VT_SYMBOL)
    wait_for(lambda: recorder_saved(manager), what="recorded ticks in vn.py's database", timeout=60)
    recorder.close()


def subscribe(main_engine: MainEngine) -> None:
    from vtcore.object import SubscribeRequest

    main_engine.subscribe(SubscribeRequest(SYMBOL, constant.Exchange.SHFE), "CTP")


def recorder_saved(manager: Any) -> bool:
    return any(row.symbol == SYMBOL for row in manager.database.get_tick_overview())


def test_notifications_without_an_email_server_are_logged(
    vnpy: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from vtcore.vnpy_compat import host

    main_engine = MainEngine(EventEngine())
    try:
        vn_main = host(main_engine).vnpy_main_engine
        with caplog.at_level(logging.INFO, logger="vtcore.vnpy_compat"):
            vn_main.send_notification("the strategy stopped", "probe")
            vn_main.send_email("subject line", "body text")
        assert (
            "email not sent (no email.server in vt_setting.json): probe: the strategy stopped" in caplog.text
        )
        assert "subject line: body text" in caplog.text
    finally:
        main_engine.close()
