"""The window over the real CTP gateway and the CTP simulator libraries: connect through the dialog generated
from CtpGateway's default_setting, then trade from the panel. Runs when the build has both."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets
from test_ui_trader_cli import simulator_built
from test_ui_window import choose, rows, save_screenshot, send
from test_ui_window import home as _settings_home_fixture

from vtcore import EventEngine, MainEngine, Status
from vtcore.gateways import DEFAULT_SIM_GATEWAY, load_gateway_class, start_sim_peer
from vtcore.ui import MainWindow

home = _settings_home_fixture  # the fixture giving each test its own settings folder
pytestmark = pytest.mark.skipif(not simulator_built(), reason="this build has no CTP gateway or simulator")
WAIT_MS = 60_000


@pytest.fixture
def sim_window(qtbot: Any, home: Any) -> Iterator[MainWindow]:
    peer = start_sim_peer(DEFAULT_SIM_GATEWAY)
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    main_engine.add_gateway(load_gateway_class(peer.gateway))
    window = MainWindow(main_engine, event_engine, close_engine=False, repaint_ms=20, auto_subscribe=True)
    qtbot.addWidget(window)
    window.show()
    # System -> 连接CTP, every field filled with the simulator's setting.
    dialog = window.open_connect_dialog(peer.gateway)
    for name, value in peer.setting.items():
        widget = dialog.fields[name].widget
        if isinstance(widget, QtWidgets.QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QtWidgets.QComboBox):
            widget.setCurrentText(str(value))
        else:
            assert isinstance(widget, QtWidgets.QLineEdit)
            widget.setText(str(value))
    password = dialog.fields["password"].widget
    assert isinstance(password, QtWidgets.QLineEdit)
    assert password.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    qtbot.mouseClick(dialog.connect_button, QtCore.Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), dialog.status.text()
    yield window
    window.close()
    main_engine.close()


def test_trade_on_the_ctp_simulator_from_the_window(
    qtbot: Any, sim_window: MainWindow, request: pytest.FixtureRequest
) -> None:
    window = sim_window
    main_engine = window.main_engine
    qtbot.waitUntil(lambda: window.gateway_ready("CTP"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(rows(window.account_monitor)) >= 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(rows(window.tick_monitor)) >= 1, timeout=WAIT_MS)
    tick = main_engine.get_all_ticks()[0]
    contract = main_engine.get_contract(tick.vt_symbol)
    assert contract is not None
    choose(qtbot, window, tick.vt_symbol)
    panel = window.trading_widget
    assert panel.name_label.text() == contract.name

    # A buy well below the bid rests: it shows as active, and a double-click cancels it.
    resting = tick.bid_price_1 - 5 * contract.pricetick
    send(qtbot, window, f"{resting:.10g}", f"{contract.min_volume:g}")
    qtbot.waitUntil(lambda: len(rows(window.active_monitor)) == 1, timeout=WAIT_MS)
    view = window.active_monitor.view
    cell = view.visualRect(window.active_monitor.proxy.index(0, 0)).center()
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=cell)
    qtbot.waitUntil(lambda: len(rows(window.active_monitor)) == 0, timeout=WAIT_MS)
    assert [order.status for order in main_engine.get_all_orders()] == [Status.CANCELLED]

    # A buy at the ask fills: the trade shows, then the position.
    latest = main_engine.get_tick(tick.vt_symbol)
    assert latest is not None
    send(qtbot, window, f"{latest.ask_price_1 + contract.pricetick:.10g}", f"{contract.min_volume:g}")
    qtbot.waitUntil(lambda: len(rows(window.trade_monitor)) == 1, timeout=WAIT_MS)

    def holds_position() -> bool:
        return any(p.vt_symbol == tick.vt_symbol and p.volume > 0 for p in window.position_monitor.model.rows)

    qtbot.waitUntil(holds_position, timeout=WAIT_MS)
    window.resize(1600, 900)
    window.docks["trade"].raise_()
    save_screenshot(qtbot, window, "ui_ctp_sim", request)
