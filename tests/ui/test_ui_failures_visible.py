"""Failures show where the user looks (offscreen Qt): a rejected order's reason in the trading panel, the log
monitor newest on top with the full text on hover and errors coloured, a reconnect that says what it does and
really ends the old session, exchanges by code everywhere, Chinese labels for vtcore's extra fields and
vn.py's 实盘/测试, an app that fails to load as an ERROR row and a message box."""

# The window's fixtures come from test_ui_window (imported by name, so tests name them as parameters).
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest

pytest.importorskip("PySide6")

from PySide6 import QtCore, QtWidgets
from test_ui_window import DemoGateway, engine, home, rows, window  # noqa: F401  (fixtures)

from vtcore.cli.apps import AppLoadError, resolve_app
from vtcore.constant import Exchange, Status
from vtcore.engine import MainEngine
from vtcore.event import EventEngine
from vtcore.gateways import GATEWAYS, load_gateway_class
from vtcore.object import OrderData
from vtcore.ui.connect import ConnectDialog
from vtcore.ui.mainwindow import MainWindow
from vtcore.ui.style import ERROR_COLOR, ERROR_STYLE
from vtcore.ui.text import Text
from vtcore.ui.trader import build_trader

DEMO_SETTING = {
    "username": "u",
    "password": "p",
    "port": 7000,
    "fee_rate": 0.0,
    "auto_reconnect": True,
    "server": "REAL",
}


def test_a_rejected_orders_reason_replaces_sent_in_the_trading_panel(qtbot: Any, window: MainWindow) -> None:
    window.main_engine.connect(dict(DEMO_SETTING), "DEMO")
    panel = window.trading_widget
    qtbot.waitUntil(lambda: window.main_engine.get_contract("rb2605.SHFE") is not None)
    panel.set_symbol("rb2605", Exchange.SHFE)
    panel.price_edit.setText("3850")
    panel.volume_edit.setText("1")
    vt_orderid = panel.send_order()
    assert vt_orderid and "已委托" in panel.message.text()
    gateway: DemoGateway = window.main_engine.gateways["DEMO"]  # type: ignore[assignment]
    rejected: OrderData = dataclasses.replace(gateway.orders[vt_orderid], status=Status.REJECTED)
    rejected.extra = {"reason": "CTP:资金不足"}
    gateway.on_order(rejected)
    qtbot.waitUntil(lambda: "资金不足" in panel.message.text())
    assert panel.message.text().startswith("拒单") and panel.message.styleSheet() == ERROR_STYLE


def test_log_monitor_newest_on_top_full_text_on_hover_errors_coloured(qtbot: Any, window: MainWindow) -> None:
    # (no run of one letter: another test's registered secret might be one, and the monitor masks secrets)
    long_message = "a long line that the column cuts: " + " ".join(f"part{i}" for i in range(30))
    window.main_engine.write_log("first line", "TEST")
    window.main_engine.write_log(long_message, "TEST", level=logging.ERROR)
    monitor = window.log_monitor
    qtbot.waitUntil(lambda: any(row["信息"] == long_message for row in rows(monitor)))
    shown = [row["信息"] for row in rows(monitor) if row["接口"] == "TEST"]
    assert shown[:2] == [long_message, "first line"]  # newest on top
    proxy = monitor.proxy
    message_column = [
        str(proxy.headerData(c, QtCore.Qt.Orientation.Horizontal)) for c in range(proxy.columnCount())
    ].index("信息")
    top = proxy.index(0, message_column)
    assert proxy.data(top, QtCore.Qt.ItemDataRole.ToolTipRole) == long_message
    brush = proxy.data(top, QtCore.Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color() == ERROR_COLOR


def test_reconnect_from_the_dialog_says_so_and_ends_the_old_session(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.main_engine.connect(dict(DEMO_SETTING), "DEMO")
    qtbot.waitUntil(lambda: window.gateway_connected("DEMO"))
    gateway: DemoGateway = window.main_engine.gateways["DEMO"]  # type: ignore[assignment]
    calls: list[str] = []
    monkeypatch.setattr(gateway, "close", lambda: calls.append("close"))
    original = gateway.connect
    monkeypatch.setattr(gateway, "connect", lambda s: (calls.append("connect"), original(s)))
    dialog = window.open_connect_dialog("DEMO")
    assert dialog.connected and dialog.notice.isVisible()
    assert "已连接" in dialog.notice.text() and "关闭当前会话" in dialog.notice.text()
    assert dialog.connect_button.text() == "断开并重新连接"
    dialog.fields["username"].widget.setText("u2")  # type: ignore[attr-defined]
    dialog.fields["password"].widget.setText("p2")  # type: ignore[attr-defined]
    assert dialog.connect_gateway()
    assert calls == ["close", "connect"]  # the old session ends before the new one starts


def test_exchange_is_shown_by_code_in_tables_and_the_panel(qtbot: Any, window: MainWindow) -> None:
    window.main_engine.connect(dict(DEMO_SETTING), "DEMO")
    qtbot.waitUntil(lambda: len(rows(window.position_monitor)) == 2)
    assert {row["交易所"] for row in rows(window.position_monitor)} == {"SHFE", "DCE"}
    qtbot.waitUntil(lambda: len(rows(window.tick_monitor)) >= 2)
    assert {row["交易所"] for row in rows(window.tick_monitor)} >= {"SHFE", "DCE"}
    window.trading_widget.set_symbol("i2609", Exchange.DCE)
    assert window.trading_widget.exchange_combo.currentText() == "DCE"


def test_every_optional_field_of_every_gateway_has_a_chinese_label() -> None:
    text = Text("zh")
    missing = []
    for name in GATEWAYS:
        try:
            spec = load_gateway_class(name).settings_spec()
        except ImportError:
            continue
        missing += [f"{name}.{key}" for key in spec.fields if text.field(key) == key]
    assert missing == [], "add their Chinese labels to vtcore/ui/text.py _FIELD_ZH"


def test_ctp_environment_shows_shipan_ceshi_in_chinese_and_sends_production_test(
    qtbot: Any, home: Any
) -> None:
    main_engine = MainEngine(EventEngine())
    try:
        main_engine.add_gateway(load_gateway_class("CTP"))
        dialog = ConnectDialog(main_engine, "CTP", Text("zh"))
        qtbot.addWidget(dialog)
        combo = dialog.fields["environment"].widget
        assert isinstance(combo, QtWidgets.QComboBox)
        assert [combo.itemText(i) for i in range(combo.count())] == ["实盘", "测试"]
        combo.setCurrentIndex(1)
        assert dialog.fields["environment"].value() == ("test", "")
        assert any(
            label.text() == "动态库目录 (library_dir)" for label in dialog.findChildren(QtWidgets.QLabel)
        )
        english = ConnectDialog(main_engine, "CTP", Text("en"))
        qtbot.addWidget(english)
        combo_en = english.fields["environment"].widget
        assert isinstance(combo_en, QtWidgets.QComboBox)
        assert [combo_en.itemText(i) for i in range(combo_en.count())] == ["production", "test"]
    finally:
        main_engine.close()


class BrokenApp:
    app_name = "Broken"
    app_module = "no_such_module_for_vtcore_tests"
    display_name = "Broken app"
    widget_name = "BrokenWidget"

    class engine_class:  # noqa: N801 - an app's engine class, as vn.py names the attribute
        def __init__(self, main_engine: Any, event_engine: Any) -> None:
            self.engine_name = "Broken"

        def close(self) -> None:
            return None


def test_an_app_that_fails_to_load_is_an_error_row_and_a_message_box(qtbot: Any, window: MainWindow) -> None:
    window.main_engine.add_app(BrokenApp)
    assert window.open_app(BrokenApp()) is None
    assert window.error_boxes and "Broken" in window.error_boxes[-1].text()
    qtbot.waitUntil(lambda: any("Broken" in row["信息"] for row in rows(window.log_monitor)))
    top = window.log_monitor.proxy.index(0, 0)
    brush = window.log_monitor.proxy.data(top, QtCore.Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color() == ERROR_COLOR


class BrokenEngineApp(BrokenApp):
    app_name = "BrokenEngine"

    class engine_class:  # noqa: N801
        def __init__(self, main_engine: Any, event_engine: Any) -> None:
            raise RuntimeError("the engine cannot start")


def test_trader_apps_are_listed_in_the_functions_menu_and_failures_reported(qtbot: Any, home: Any) -> None:
    assert resolve_app("RpcService").__name__ == "RpcServiceApp"
    assert resolve_app("rpcservice").__name__ == "RpcServiceApp"
    with pytest.raises(AppLoadError, match="known apps: RpcService, CtaStrategy"):
        resolve_app("NoSuchApp")
    errors: list[str] = []
    main_engine, window = build_trader(
        [DemoGateway], [resolve_app("RpcService"), BrokenEngineApp], app_errors=errors
    )
    qtbot.addWidget(window)
    try:
        assert "RpcService" in window.app_actions  # the 功能 menu lists it
        assert "BrokenEngine" not in window.app_actions
        assert errors and "the engine cannot start" in errors[0]
        box = window.report_app_failure(errors[0])
        assert box.isVisible() and "the engine cannot start" in box.text()
    finally:
        window.close_engine = True
        window.close()
        main_engine.close()


def test_the_connect_dialog_masks_the_password_however_an_error_quotes_it(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "hunter2\\SECRET"  # a backslash: repr() (how a binding's TypeError quotes it) doubles it
    gateway = window.main_engine.gateways["DEMO"]

    def refuse(setting: dict[str, Any]) -> None:
        raise TypeError(
            f"login(): incompatible function arguments. Invoked with: 'u', {setting['password']!r}"
        )

    monkeypatch.setattr(gateway, "connect", refuse)
    dialog = window.open_connect_dialog("DEMO")
    dialog.fields["password"].widget.setText(secret)  # type: ignore[attr-defined]
    assert not dialog.connect_gateway()
    shown = dialog.status.text()
    assert "TypeError" in shown or "incompatible" in shown  # the failure is still said
    assert "SECRET" not in shown, shown
