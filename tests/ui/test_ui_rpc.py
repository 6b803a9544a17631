"""Functions -> RPC服务: the RPC service started from the window serves a second engine whose own window
connects through System -> 连接RPC, all in this process over loopback."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets
from test_ui_window import CONTRACTS, WAIT_MS, DemoGateway, connect_demo, rows, save_screenshot
from test_ui_window import home as _settings_home_fixture

from vtcore import EventEngine, MainEngine
from vtcore.gateways.rpc import RpcGateway
from vtcore.rpc import RpcServiceApp
from vtcore.ui import MainWindow
from vtcore.ui.rpc import RpcManager

home = _settings_home_fixture  # the fixture giving each test its own settings folder


@pytest.fixture
def server(qtbot: Any, home: Any) -> Iterator[tuple[MainWindow, DemoGateway]]:
    """A trader window over an engine with the in-test gateway and the RPC service app."""
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    gateway = main_engine.add_gateway(DemoGateway)
    main_engine.add_app(RpcServiceApp)
    window = MainWindow(main_engine, event_engine, close_engine=False, repaint_ms=20)
    qtbot.addWidget(window)
    window.show()
    yield window, gateway
    window.close()
    main_engine.close()


def open_rpc_manager(window: MainWindow) -> RpcManager:
    assert [action.text() for action in window.functions_menu.actions()] == ["RPC服务"]
    window.app_actions["RpcService"].trigger()
    manager = window.app_widgets["RpcService"]
    assert isinstance(manager, RpcManager)
    assert manager.isVisible()
    return manager


def test_rpc_service_started_from_the_menu_serves_another_window(
    qtbot: Any, server: tuple[MainWindow, DemoGateway], request: pytest.FixtureRequest
) -> None:
    window, gateway = server
    connect_demo(qtbot, window, gateway)
    manager = open_rpc_manager(window)
    qtbot.addWidget(manager)
    assert manager.curve_box.isChecked()  # CURVE is on unless turned off
    manager.rep_edit.setText("tcp://127.0.0.1:*")  # any free port; the status shows the one bound
    manager.pub_edit.setText("tcp://127.0.0.1:*")
    manager.curve_box.setChecked(False)  # loopback needs no CURVE
    qtbot.mouseClick(manager.start_button, QtCore.Qt.MouseButton.LeftButton)
    status = manager.engine.status
    assert status.running
    assert status.rep_address.startswith("tcp://127.0.0.1:") and not status.rep_address.endswith("*")
    assert manager.status_label.text() == f"运行中：请求 {status.rep_address}，推送 {status.pub_address}"
    assert not manager.start_button.isEnabled() and manager.stop_button.isEnabled()
    save_screenshot(qtbot, manager, "ui_rpc_service", request)

    client_events = EventEngine()
    client_engine = MainEngine(client_events)
    client_engine.add_gateway(RpcGateway)
    client = MainWindow(client_engine, client_events, close_engine=False, repaint_ms=20)
    qtbot.addWidget(client)
    try:
        dialog = client.open_connect_dialog("RPC")
        for name, value in (("req_address", status.rep_address), ("sub_address", status.pub_address)):
            line = dialog.fields[name].widget
            assert isinstance(line, QtWidgets.QLineEdit)
            line.setText(value)
        curve = dialog.fields["curve"].widget
        assert isinstance(curve, QtWidgets.QCheckBox)
        curve.setChecked(False)
        qtbot.mouseClick(dialog.connect_button, QtCore.Qt.MouseButton.LeftButton)
        # The server's contracts, account and positions reach the client's window through the service.
        qtbot.waitUntil(lambda: len(client_engine.get_all_contracts()) == len(CONTRACTS), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: len(rows(client.account_monitor)) == 1, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: len(rows(client.position_monitor)) == 2, timeout=WAIT_MS)
        # The account id keeps the server gateway's name (two server gateways may both have an "alice").
        assert rows(client.account_monitor)[0]["账号"] == "DEMO.alice"
    finally:
        client.close()
        client_engine.close()

    qtbot.mouseClick(manager.stop_button, QtCore.Qt.MouseButton.LeftButton)
    assert not manager.engine.status.running
    assert manager.status_label.text() == "已停止"


def test_rpc_service_refuses_an_open_address_without_curve(
    qtbot: Any, server: tuple[MainWindow, DemoGateway]
) -> None:
    window, _ = server
    manager = open_rpc_manager(window)
    qtbot.addWidget(manager)
    manager.rep_edit.setText("tcp://0.0.0.0:*")
    manager.curve_box.setChecked(False)
    qtbot.mouseClick(manager.start_button, QtCore.Qt.MouseButton.LeftButton)
    assert not manager.engine.status.running
    assert "without CURVE" in manager.status_label.text()
    assert manager.start_button.isEnabled()
