"""The trader window, offscreen, over a real MainEngine and a small in-test gateway.

The gateway is a real BaseGateway subclass: its `default_setting` has a field of every type, `connect`
pushes contracts, an account, positions and ticks through the engine, and it accepts and cancels orders.
Every wait is on a condition (qtbot.waitUntil), never on time.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

import dataclasses
import datetime as dt
import json
import logging
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6 import QtCore, QtWidgets

from vtcore import (
    AccountData,
    BaseEngine,
    BaseGateway,
    CancelRequest,
    ContractData,
    Direction,
    EventEngine,
    Exchange,
    GatewayStateData,
    MainEngine,
    OrderData,
    OrderRequest,
    OrderType,
    PositionData,
    Product,
    Status,
    SubscribeRequest,
    TickData,
)
from vtcore import setting as vt_setting
from vtcore.event import EVENT_ORDER
from vtcore.ui import MainWindow
from vtcore.ui.connect import ConnectDialog
from vtcore.ui.monitor import BaseMonitor, TickMonitor
from vtcore.ui.text import Text

WAIT_MS = 20_000  # generous: the tests wait on conditions, never on time
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

CONTRACTS = [
    ("rb2605", Exchange.SHFE, "螺纹钢2605", 10, 1.0),
    ("ag2606", Exchange.SHFE, "白银2606", 15, 1.0),
    ("i2609", Exchange.DCE, "铁矿石2609", 100, 0.5),
]


class DemoGateway(BaseGateway):
    """An in-process exchange: enough of a gateway to drive every part of the window."""

    default_name = "DEMO"
    default_setting: ClassVar[dict[str, Any]] = {
        "username": "",
        "password": "",
        "port": 7000,
        "fee_rate": 0.0,
        "auto_reconnect": False,
        "server": ["REAL", "TEST"],
    }
    exchanges: ClassVar[list[Exchange]] = [Exchange.SHFE, Exchange.DCE]

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.connected_setting: dict[str, Any] | None = None
        self.orders: dict[str, OrderData] = {}
        self.subscribed: list[str] = []
        self._lock = threading.Lock()
        self._next_orderid = 0
        self._volume: dict[str, float] = {}

    def connect(self, setting: dict[str, Any]) -> None:
        self.connected_setting = dict(setting)
        for front in ("td", "md"):
            state = GatewayStateData(gateway_name=self.gateway_name, front=front, state="ready")
            self.on_gateway_state(state)
        for symbol, exchange, name, size, pricetick in CONTRACTS:
            self.on_contract(
                ContractData(
                    gateway_name=self.gateway_name,
                    symbol=symbol,
                    exchange=exchange,
                    name=name,
                    product=Product.FUTURES,
                    size=size,
                    pricetick=pricetick,
                )
            )
        self.query_account()
        self.query_position()
        for symbol, exchange, *_ in CONTRACTS:
            self.publish_tick(symbol, exchange, 3850.0 if symbol == "rb2605" else 800.5)
        self.write_log(f"connected as {setting['username']}")
        if not setting["auto_reconnect"]:
            self.write_log("auto_reconnect is off: a dropped connection stays down", level=logging.WARNING)

    def close(self) -> None:
        return None

    def subscribe(self, req: SubscribeRequest) -> None:
        self.subscribed.append(req.vt_symbol)

    def send_order(self, req: OrderRequest) -> str:
        with self._lock:
            self._next_orderid += 1
            orderid = str(self._next_orderid)
        order = req.create_order_data(orderid, self.gateway_name)
        order.status = Status.NOTTRADED
        order.datetime = dt.datetime.now(SHANGHAI)
        self.orders[order.vt_orderid] = order
        self.on_order(order)
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        order = self.orders[f"{self.gateway_name}.{req.orderid}"]
        cancelled = dataclasses.replace(order, status=Status.CANCELLED)  # pushed objects are never mutated
        self.orders[cancelled.vt_orderid] = cancelled
        self.on_order(cancelled)

    def query_account(self) -> None:
        user = (self.connected_setting or {}).get("username", "")
        self.on_account(
            AccountData(gateway_name=self.gateway_name, accountid=user, balance=1_000_000.0, frozen=2500.0)
        )

    def query_position(self) -> None:
        self.on_position(
            PositionData(
                gateway_name=self.gateway_name,
                symbol="rb2605",
                exchange=Exchange.SHFE,
                direction=Direction.LONG,
                volume=3,
                yd_volume=1,
                price=3841.0,
                pnl=270.0,
            )
        )
        self.on_position(
            PositionData(
                gateway_name=self.gateway_name,
                symbol="i2609",
                exchange=Exchange.DCE,
                direction=Direction.SHORT,
                volume=2,
                price=801.5,
                pnl=-100.0,
            )
        )

    def publish_tick(self, symbol: str, exchange: Exchange, last_price: float) -> TickData:
        with self._lock:
            volume = self._volume[symbol] = self._volume.get(symbol, 0.0) + 1
        tick = TickData(  # no name, as CTP's ticks
            gateway_name=self.gateway_name,
            symbol=symbol,
            exchange=exchange,
            datetime=dt.datetime.now(SHANGHAI),
            volume=volume,
            last_price=last_price,
            open_price=last_price - 10,
            high_price=last_price + 5,
            low_price=last_price - 12,
            bid_price_1=last_price - 1,
            bid_volume_1=12,
            ask_price_1=last_price + 1,
            ask_volume_1=7,
        )
        self.on_tick(tick)
        return tick


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private settings folder (VTCORE_HOME), with vt_setting.json's defaults loaded."""
    folder = tmp_path / ".vntrader"
    monkeypatch.setenv("VTCORE_HOME", str(folder))
    vt_setting.load_settings()
    yield folder
    monkeypatch.delenv("VTCORE_HOME")
    vt_setting.load_settings()


@pytest.fixture
def engine(home: Path) -> Iterator[tuple[MainEngine, EventEngine, DemoGateway]]:
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    gateway = main_engine.add_gateway(DemoGateway)
    yield main_engine, event_engine, gateway
    main_engine.close()


@pytest.fixture
def window(qtbot: Any, engine: tuple[MainEngine, EventEngine, DemoGateway]) -> Iterator[MainWindow]:
    main_engine, event_engine, _ = engine
    main_window = MainWindow(main_engine, event_engine, close_engine=False, repaint_ms=20)
    qtbot.addWidget(main_window)
    main_window.show()
    yield main_window
    main_window.close()


def rows(monitor: BaseMonitor) -> list[dict[str, str]]:
    """What the user sees in a monitor: one dict of header -> cell text per visible row, in view order."""
    proxy = monitor.proxy
    headers = [str(proxy.headerData(c, QtCore.Qt.Orientation.Horizontal)) for c in range(proxy.columnCount())]
    return [
        {headers[c]: str(proxy.data(proxy.index(r, c))) for c in range(proxy.columnCount())}
        for r in range(proxy.rowCount())
    ]


def fill(qtbot: Any, dialog: ConnectDialog, name: str, text: str) -> None:
    line = dialog.fields[name].widget
    assert isinstance(line, QtWidgets.QLineEdit)
    line.clear()
    qtbot.keyClicks(line, text)


@pytest.fixture
def connected(
    qtbot: Any, window: MainWindow, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> MainWindow:
    """The window after System -> Connect DEMO."""
    connect_demo(qtbot, window, engine[2])
    return window


def connect_demo(qtbot: Any, window: MainWindow, gateway: DemoGateway) -> ConnectDialog:
    """System -> Connect DEMO, fill every field, click Connect, and wait for the account to appear."""
    window.connect_actions["DEMO"].trigger()
    dialog = window.connect_dialogs["DEMO"]
    fill(qtbot, dialog, "username", "alice")
    fill(qtbot, dialog, "password", "s3cret-pw")
    fill(qtbot, dialog, "port", "7001")
    fill(qtbot, dialog, "fee_rate", "0.25")
    checkbox = dialog.fields["auto_reconnect"].widget
    assert isinstance(checkbox, QtWidgets.QCheckBox)
    checkbox.setChecked(True)
    combo = dialog.fields["server"].widget
    assert isinstance(combo, QtWidgets.QComboBox)
    combo.setCurrentText("TEST")
    qtbot.mouseClick(dialog.connect_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(rows(window.account_monitor)) == 1, timeout=WAIT_MS)
    return dialog


def test_connect_dialog_is_built_from_default_setting(qtbot: Any, window: MainWindow) -> None:
    assert [action.text() for action in window.system_menu.actions() if action.text()] == ["连接DEMO", "退出"]
    window.connect_actions["DEMO"].trigger()
    dialog = window.connect_dialogs["DEMO"]
    assert dialog.isVisible()
    widgets = {name: field.widget for name, field in dialog.fields.items()}
    assert list(widgets) == list(DemoGateway.default_setting)
    assert isinstance(widgets["username"], QtWidgets.QLineEdit)
    assert widgets["username"].echoMode() == QtWidgets.QLineEdit.EchoMode.Normal
    assert isinstance(widgets["password"], QtWidgets.QLineEdit)
    assert widgets["password"].echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    assert isinstance(widgets["port"], QtWidgets.QLineEdit)
    assert widgets["port"].text() == "7000"
    assert isinstance(widgets["fee_rate"], QtWidgets.QLineEdit)
    assert isinstance(widgets["auto_reconnect"], QtWidgets.QCheckBox)
    assert not widgets["auto_reconnect"].isChecked()
    assert isinstance(widgets["server"], QtWidgets.QComboBox)
    assert [widgets["server"].itemText(i) for i in range(widgets["server"].count())] == ["REAL", "TEST"]
    assert widgets["server"].currentText() == "REAL"


def test_connect_shows_contracts_account_positions_and_saves_settings(
    qtbot: Any, window: MainWindow, engine: tuple[MainEngine, EventEngine, DemoGateway], home: Path
) -> None:
    _, _, gateway = engine
    dialog = connect_demo(qtbot, window, gateway)

    assert not dialog.isVisible()
    assert gateway.connected_setting == {
        "username": "alice",
        "password": "s3cret-pw",
        "port": 7001,
        "fee_rate": 0.25,
        "auto_reconnect": True,
        "server": "TEST",
    }
    saved_file = home / "connect_demo.json"
    assert stat.S_IMODE(saved_file.stat().st_mode) == 0o600
    assert json.loads(saved_file.read_text(encoding="utf-8")) == gateway.connected_setting

    qtbot.waitUntil(lambda: len(rows(window.position_monitor)) == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(rows(window.tick_monitor)) == 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.trading_widget.completion_model.rowCount() == 3, timeout=WAIT_MS)
    # The ticks carry no name: the monitor shows their contracts'.
    names = sorted(name for _, _, name, *_ in CONTRACTS)
    assert sorted(row["名称"] for row in rows(window.tick_monitor)) == names
    account = rows(window.account_monitor)[0]
    assert account["账号"] == "alice"
    assert account["余额"] == "1000000"
    assert account["可用"] == "997500"
    positions = {(row["代码"], row["方向"]): row["数量"] for row in rows(window.position_monitor)}
    assert positions == {("rb2605", "多"): "3", ("i2609", "空"): "2"}
    qtbot.waitUntil(
        lambda: any("connected as alice" in row["信息"] for row in rows(window.log_monitor)), timeout=WAIT_MS
    )
    assert all("s3cret-pw" not in str(row) for row in rows(window.log_monitor))
    assert window.gateway_state_label.text() == "DEMO td: ready  DEMO md: ready"

    # Reopened, the dialog is prefilled from connect_demo.json, the password still masked.
    window.connect_actions["DEMO"].trigger()
    again = window.connect_dialogs["DEMO"]
    assert again is not dialog
    password = again.fields["password"].widget
    assert isinstance(password, QtWidgets.QLineEdit)
    assert password.text() == "s3cret-pw"
    assert password.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    assert password.displayText() != "s3cret-pw"
    port = again.fields["port"].widget
    assert isinstance(port, QtWidgets.QLineEdit)
    assert port.text() == "7001"
    checkbox = again.fields["auto_reconnect"].widget
    assert isinstance(checkbox, QtWidgets.QCheckBox)
    assert checkbox.isChecked()
    combo = again.fields["server"].widget
    assert isinstance(combo, QtWidgets.QComboBox)
    assert combo.currentText() == "TEST"


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [("port", "70o1", "请输入整数"), ("fee_rate", "0.2.5", "请输入数字"), ("fee_rate", "nan", "请输入数字")],
)
def test_connect_dialog_refuses_bad_numbers(
    qtbot: Any,
    window: MainWindow,
    engine: tuple[MainEngine, EventEngine, DemoGateway],
    home: Path,
    *,
    field: str,
    bad: str,
    message: str,
) -> None:
    _, _, gateway = engine
    window.connect_actions["DEMO"].trigger()
    dialog = window.connect_dialogs["DEMO"]
    fill(qtbot, dialog, "username", "alice")
    fill(qtbot, dialog, field, bad)
    error = dialog.fields[field].error
    assert error.isVisible()
    assert error.text() == message
    qtbot.mouseClick(dialog.connect_button, QtCore.Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert gateway.connected_setting is None
    assert not (home / "connect_demo.json").exists()
    # Corrected, the error goes away and Connect goes through.
    fill(qtbot, dialog, field, "7")
    assert not error.isVisible()
    qtbot.mouseClick(dialog.connect_button, QtCore.Qt.MouseButton.LeftButton)
    assert gateway.connected_setting is not None
    assert gateway.connected_setting[field] == 7


def test_query_contracts_is_empty_until_query_then_filters(
    qtbot: Any, window: MainWindow, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    main_engine, _, gateway = engine
    connect_demo(qtbot, window, gateway)
    qtbot.waitUntil(lambda: len(main_engine.get_all_contracts()) == 3, timeout=WAIT_MS)
    window.query_contracts_action.trigger()
    dialog = window.contract_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.shown_rows() == 0
    qtbot.mouseClick(dialog.query_button, QtCore.Qt.MouseButton.LeftButton)
    shown = sorted(row["本地代码"] for row in rows(dialog.table))
    assert shown == ["ag2606.SHFE", "i2609.DCE", "rb2605.SHFE"]
    qtbot.keyClicks(dialog.filter_edit, "rb")
    assert [row["本地代码"] for row in rows(dialog.table)] == ["rb2605.SHFE"]
    dialog.filter_edit.clear()
    dialog.filter_edit.setText("铁矿")  # as an input method commits it (QTest can only type Latin-1 keys)
    assert [row["名称"] for row in rows(dialog.table)] == ["铁矿石2609"]
    dialog.filter_edit.clear()
    qtbot.keyClicks(dialog.filter_edit, "shfe")
    assert len(rows(dialog.table)) == 2


def choose(qtbot: Any, window: MainWindow, symbol: str) -> None:
    panel = window.trading_widget
    panel.symbol_edit.clear()
    qtbot.keyClicks(panel.symbol_edit, symbol)
    qtbot.keyClick(panel.symbol_edit, QtCore.Qt.Key.Key_Return)


def send(qtbot: Any, window: MainWindow, price: str, volume: str) -> None:
    panel = window.trading_widget
    panel.price_edit.clear()
    qtbot.keyClicks(panel.price_edit, price)
    panel.volume_edit.clear()
    qtbot.keyClicks(panel.volume_edit, volume)
    qtbot.mouseClick(panel.send_button, QtCore.Qt.MouseButton.LeftButton)


def connect_with_two_orders(
    qtbot: Any,
    window: MainWindow,
    engine: tuple[MainEngine, EventEngine, DemoGateway],
    symbol: str,
    *orders: tuple[str, str],
) -> None:
    """Connect, choose `symbol` once its tick is in, send (price, volume) orders and wait until all show."""
    main_engine, _, gateway = engine
    connect_demo(qtbot, window, gateway)
    qtbot.waitUntil(lambda: len(main_engine.get_all_ticks()) == len(CONTRACTS), timeout=WAIT_MS)
    choose(qtbot, window, symbol)
    for price, volume in orders:
        send(qtbot, window, price, volume)
    qtbot.waitUntil(lambda: len(main_engine.get_all_active_orders()) == len(orders), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(rows(window.active_monitor)) == len(orders), timeout=WAIT_MS)


def test_send_order_from_panel_then_cancel_by_double_click(
    qtbot: Any, window: MainWindow, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    main_engine, _, gateway = engine
    connect_demo(qtbot, window, gateway)
    qtbot.waitUntil(lambda: main_engine.get_tick("rb2605.SHFE") is not None, timeout=WAIT_MS)
    panel = window.trading_widget
    choose(qtbot, window, "rb2605")
    assert panel.exchange_combo.currentText() == "SHFE"  # found from the one known contract
    assert panel.name_label.text() == "螺纹钢2605"
    assert gateway.subscribed == ["rb2605.SHFE"]
    assert panel.last_label.text() == "3850"
    assert panel.bid_labels[0][0].text() == "3849"
    post_only = panel.type_combo.members.index(OrderType.POST_ONLY)  # offered, under its label
    assert panel.type_combo.itemText(post_only) == "只做挂单"
    panel.direction_combo.select(Direction.SHORT)
    send(qtbot, window, "3861", "2")

    assert list(gateway.orders) == ["DEMO.1"]
    qtbot.waitUntil(lambda: len(rows(window.active_monitor)) == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(rows(window.order_monitor)) == 1, timeout=WAIT_MS)
    order = rows(window.order_monitor)[0]
    assert (order["代码"], order["方向"], order["开平"], order["价格"], order["总数量"], order["状态"]) == (
        "rb2605",
        "空",
        "开",
        "3861",
        "2",
        "未成交",
    )
    assert "DEMO.1" in panel.message.text()

    view = window.active_monitor.view
    cell = view.visualRect(window.active_monitor.proxy.index(0, 0)).center()
    # A real double-click: press and release, then the double-click event (Qt's views need the first press).
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=cell)
    qtbot.waitUntil(lambda: len(rows(window.active_monitor)) == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: rows(window.order_monitor)[0]["状态"] == "已撤销", timeout=WAIT_MS)
    assert gateway.orders["DEMO.1"].status == Status.CANCELLED


def test_cancel_all_cancels_every_working_order(
    qtbot: Any, window: MainWindow, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    _, _, gateway = engine
    connect_with_two_orders(qtbot, window, engine, "i2609.DCE", ("800.5", "1"), ("799", "3"))
    qtbot.mouseClick(window.trading_widget.cancel_all_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(rows(window.active_monitor)) == 0, timeout=WAIT_MS)
    assert {order.status for order in gateway.orders.values()} == {Status.CANCELLED}


@pytest.mark.parametrize(
    ("symbol", "price", "volume", "message"),
    [
        ("", "3850", "1", "请输入代码"),
        ("zz9999", "3850", "1", "未知合约 zz9999."),
        ("rb2605", "abc", "1", "价格无效"),
        ("rb2605", "-3850", "1", "价格无效"),
        ("rb2605", "3850.3", "1", "价格须为最小变动价位 1 的整数倍"),
        ("rb2605", "3850", "0", "数量无效"),
        ("rb2605", "3850", "two", "数量无效"),
        ("rb2605", "3850", "1.5", "数量须为最小委托量 1 的整数倍"),
        ("i2609.DCE", "800.2", "1", "价格须为最小变动价位 0.5 的整数倍"),
    ],
)
def test_trading_panel_refuses_bad_input(
    qtbot: Any,
    window: MainWindow,
    engine: tuple[MainEngine, EventEngine, DemoGateway],
    *,
    symbol: str,
    price: str,
    volume: str,
    message: str,
) -> None:
    main_engine, _, gateway = engine
    connect_demo(qtbot, window, gateway)
    qtbot.waitUntil(lambda: len(main_engine.get_all_contracts()) == 3, timeout=WAIT_MS)
    choose(qtbot, window, symbol)
    send(qtbot, window, price, volume)
    assert window.trading_widget.message.text().startswith(message)
    assert gateway.orders == {}


def test_monitors_sort_and_filter_by_symbol(qtbot: Any, connected: MainWindow) -> None:
    window = connected
    monitor = window.tick_monitor
    qtbot.waitUntil(lambda: len(rows(monitor)) == 3, timeout=WAIT_MS)
    symbol_column = 0
    monitor.view.sortByColumn(symbol_column, QtCore.Qt.SortOrder.AscendingOrder)
    assert [row["代码"] for row in rows(monitor)] == ["ag2606", "i2609", "rb2605"]
    last_column = [column.header for column in monitor.table_columns].index("col_last")
    monitor.view.sortByColumn(last_column, QtCore.Qt.SortOrder.DescendingOrder)
    assert rows(monitor)[0]["代码"] == "rb2605"  # 3850 sorts above 800.5 as a number
    qtbot.keyClicks(monitor.filter_edit, "AG")
    assert [row["代码"] for row in rows(monitor)] == ["ag2606"]
    positions = window.position_monitor
    qtbot.keyClicks(positions.filter_edit, "i26")
    assert [row["代码"] for row in rows(positions)] == ["i2609"]


def test_ticks_are_coalesced_to_the_latest_per_symbol(
    qtbot: Any, window: MainWindow, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    main_engine, _, gateway = engine
    count = 5000
    for _ in range(count):  # from the GUI thread, so no repaint can run until all are put
        gateway.publish_tick("rb2605", Exchange.SHFE, 3850.0)
    qtbot.waitUntil(lambda: window.bridge.ticks_received == count, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: [row["成交量"] for row in rows(window.tick_monitor)] == [str(count)], timeout=WAIT_MS
    )
    assert window.bridge.ticks_shown < count  # ticks were coalesced, not shown one by one
    assert main_engine.get_tick("rb2605.SHFE") is not None


class DemoAppEngine(BaseEngine):
    def __init__(self, main_engine: MainEngine, event_engine: EventEngine) -> None:
        super().__init__(main_engine, event_engine, "demo_app")


class DemoAppWidget(QtWidgets.QWidget):
    def __init__(self, main_engine: MainEngine, event_engine: EventEngine) -> None:
        super().__init__()
        self.main_engine = main_engine
        self.setWindowTitle("Demo app")


class DemoApp:
    app_name = "DemoApp"
    display_name = "演示功能"
    engine_class = DemoAppEngine
    widget_class = DemoAppWidget


def test_functions_menu_lists_added_apps_and_opens_them(
    qtbot: Any, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    main_engine, event_engine, _ = engine
    main_engine.add_app(DemoApp)
    window = MainWindow(main_engine, event_engine, close_engine=False)
    qtbot.addWidget(window)
    assert [action.text() for action in window.functions_menu.actions()] == ["演示功能"]
    window.app_actions["DemoApp"].trigger()
    widget = window.app_widgets["DemoApp"]
    qtbot.addWidget(widget)
    assert isinstance(widget, DemoAppWidget)
    assert widget.isVisible()
    assert widget.main_engine is main_engine


def test_labels_are_chinese_by_default_and_english_by_setting(
    qtbot: Any,
    engine: tuple[MainEngine, EventEngine, DemoGateway],
    home: Path,
    request: pytest.FixtureRequest,
) -> None:
    main_engine, event_engine, _ = engine
    chinese = MainWindow(main_engine, event_engine, close_engine=False)
    qtbot.addWidget(chinese)
    assert [menu.title() for menu in (chinese.system_menu, chinese.functions_menu, chinese.help_menu)] == [
        "系统",
        "功能",
        "帮助",
    ]
    assert chinese.query_contracts_action.text() == "查询合约"

    vt_setting.save_settings({"language": "en"})
    vt_setting.load_settings()
    english = MainWindow(main_engine, event_engine, close_engine=False)
    qtbot.addWidget(english)
    assert [menu.title() for menu in (english.system_menu, english.functions_menu, english.help_menu)] == [
        "System",
        "Functions",
        "Help",
    ]
    assert english.connect_actions["DEMO"].text() == "Connect DEMO"
    assert english.query_contracts_action.text() == "Query Contracts"
    assert english.tick_monitor.model.headerData(0, QtCore.Qt.Orientation.Horizontal) == "Symbol"
    english.resize(1600, 900)
    connect_demo(qtbot, english, engine[2])
    qtbot.waitUntil(lambda: len(rows(english.position_monitor)) == 2, timeout=WAIT_MS)
    assert {row["Direction"] for row in rows(english.position_monitor)} == {"Long", "Short"}
    save_screenshot(qtbot, english, "ui_main_window_en", request)


def save_screenshot(qtbot: Any, widget: QtWidgets.QWidget, name: str, request: pytest.FixtureRequest) -> Path:
    """Save `widget` as test-output/<name>.png (or under $VTCORE_TEST_OUTPUT), once its tables' columns are
    fitted, and print where."""
    tables = widget.findChildren(BaseMonitor)
    qtbot.waitUntil(lambda: not any(table.resize_pending() for table in tables), timeout=WAIT_MS)
    output = Path(os.environ.get("VTCORE_TEST_OUTPUT", request.config.rootpath / "test-output"))
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"{name}.png"
    image = widget.grab().toImage()
    assert image.save(str(path))
    assert path.stat().st_size > 2_000
    print(f"\nscreenshot: {path} ({image.width()}x{image.height()})")
    return path


def test_screenshot_of_the_window_with_live_data(
    qtbot: Any,
    window: MainWindow,
    engine: tuple[MainEngine, EventEngine, DemoGateway],
    request: pytest.FixtureRequest,
) -> None:
    """Save PNGs of the window with live data, the connect dialog and the contract query for a reviewer."""
    connect_with_two_orders(qtbot, window, engine, "rb2605", ("3851", "2"), ("3849", "1"))
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: len(rows(window.tick_monitor)) == 3, timeout=WAIT_MS)
    window.update_status()
    window.connect_actions["DEMO"].trigger()
    dialog = window.connect_dialogs["DEMO"]
    window.query_contracts_action.trigger()
    contracts = window.contract_dialog
    assert contracts is not None
    qtbot.mouseClick(contracts.query_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.keyClicks(contracts.filter_edit, "SHFE")

    shots = {"ui_main_window": window, "ui_connect_dialog": dialog, "ui_contracts": contracts}
    for name, widget in shots.items():
        save_screenshot(qtbot, widget, name, request)
    assert window.grab().size() == QtCore.QSize(1600, 900)


def test_symbol_box_completes_from_known_contracts(qtbot: Any, connected: MainWindow) -> None:
    window = connected
    panel = window.trading_widget
    qtbot.waitUntil(lambda: panel.completion_model.rowCount() == len(CONTRACTS), timeout=WAIT_MS)
    completer = panel.symbol_edit.completer()
    completer.setCompletionPrefix("2609")  # matches anywhere in the vt_symbol
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "i2609.DCE"
    completer.activated.emit("i2609.DCE")  # what choosing it from the pop-up does
    assert panel.symbol_edit.text() == "i2609"
    assert panel.exchange_combo.currentText() == "DCE"
    assert panel.name_label.text() == "铁矿石2609"
    assert window.main_engine.gateways["DEMO"].subscribed == ["i2609.DCE"]


def test_double_clicked_tick_row_fills_the_trading_panel(qtbot: Any, connected: MainWindow) -> None:
    window = connected
    monitor = window.tick_monitor
    qtbot.waitUntil(lambda: len(rows(monitor)) == len(CONTRACTS), timeout=WAIT_MS)
    qtbot.keyClicks(monitor.filter_edit, "ag")
    view = monitor.view
    cell = view.visualRect(monitor.proxy.index(0, 0)).center()
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=cell)
    panel = window.trading_widget
    assert (panel.symbol_edit.text(), panel.exchange_combo.currentText()) == ("ag2606", "SHFE")
    assert panel.last_label.text() == "800.5"


def test_a_failing_widget_handler_does_not_stop_the_others(
    qtbot: Any, connected: MainWindow, caplog: pytest.LogCaptureFixture
) -> None:
    window = connected
    calls: list[str] = []

    def broken(order: OrderData) -> None:
        calls.append(order.vt_orderid)
        raise RuntimeError("a broken widget")

    window.bridge.subscribe(EVENT_ORDER, broken)
    choose(qtbot, window, "rb2605")
    send(qtbot, window, "3850", "1")
    send(qtbot, window, "3851", "1")
    qtbot.waitUntil(lambda: len(rows(window.order_monitor)) == 2, timeout=WAIT_MS)
    assert calls == ["DEMO.1", "DEMO.2"]
    assert window.bridge.handler_errors == 2
    assert "a broken widget" in caplog.text


class FailingGateway(DemoGateway):
    default_name = "FAILING"

    def connect(self, setting: dict[str, Any]) -> None:
        raise ConnectionError(f"login refused for password {setting['password']}")


def test_connect_error_is_shown_with_secrets_masked(
    qtbot: Any, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    main_engine, event_engine, _ = engine
    main_engine.add_gateway(FailingGateway)
    window = MainWindow(main_engine, event_engine, close_engine=False)
    qtbot.addWidget(window)
    dialog = window.open_connect_dialog("FAILING")
    fill(qtbot, dialog, "password", "hunter2")
    qtbot.mouseClick(dialog.connect_button, QtCore.Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.status.text() == "连接失败：login refused for password ******"


def test_connect_dialog_survives_a_bad_settings_file(qtbot: Any, window: MainWindow, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    saved = {"username": "bob", "port": "abc", "server": "BOGUS", "auto_reconnect": "yes"}
    (home / "connect_demo.json").write_text(json.dumps(saved), encoding="utf-8")
    dialog = window.open_connect_dialog("DEMO")
    username, port = dialog.fields["username"].widget, dialog.fields["port"].widget
    assert isinstance(username, QtWidgets.QLineEdit) and isinstance(port, QtWidgets.QLineEdit)
    assert username.text() == "bob"
    assert port.text() == "abc"
    assert dialog.fields["port"].error.text() == "请输入整数"  # shown at once, before Connect
    server, checkbox = dialog.fields["server"].widget, dialog.fields["auto_reconnect"].widget
    assert isinstance(server, QtWidgets.QComboBox) and isinstance(checkbox, QtWidgets.QCheckBox)
    assert server.currentText() == "REAL"  # an unknown choice falls back to the default
    assert not checkbox.isChecked()  # "yes" is not a bool: the default stays

    assert window.open_connect_dialog("DEMO") is dialog  # the menu raises the open dialog, no second one
    dialog.reject()
    (home / "connect_demo.json").write_text("{not json", encoding="utf-8")
    broken = window.open_connect_dialog("DEMO")
    assert broken is not dialog
    assert "invalid JSON" in broken.status.text()
    assert "connect_demo.json" in broken.status.text()
    assert isinstance(broken.fields["port"].widget, QtWidgets.QLineEdit)
    assert broken.fields["port"].widget.text() == "7000"


def test_symbol_typed_before_connect_is_found_after_it(
    qtbot: Any, window: MainWindow, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    main_engine, _, gateway = engine
    choose(qtbot, window, "rb2605.SHFE")
    panel = window.trading_widget
    assert panel.name_label.text() == ""  # nothing known yet
    connect_demo(qtbot, window, gateway)
    qtbot.waitUntil(lambda: main_engine.get_contract("rb2605.SHFE") is not None, timeout=WAIT_MS)
    choose(qtbot, window, "rb2605")
    assert panel.name_label.text() == "螺纹钢2605"
    assert gateway.subscribed == ["rb2605.SHFE"]


def test_auto_subscribe_subscribes_every_contract_once_the_gateway_is_ready(
    qtbot: Any, engine: tuple[MainEngine, EventEngine, DemoGateway]
) -> None:
    main_engine, event_engine, gateway = engine
    window = MainWindow(main_engine, event_engine, close_engine=False, repaint_ms=20, auto_subscribe=True)
    qtbot.addWidget(window)
    connect_demo(qtbot, window, gateway)
    everything = sorted(f"{symbol}.{exchange.value}" for symbol, exchange, *_ in CONTRACTS)
    qtbot.waitUntil(lambda: sorted(gateway.subscribed) == everything, timeout=WAIT_MS)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_qt_binding_keeps_none_alive(qtbot: Any) -> None:
    """PySide6 6.12.0 drops a reference to None on every void call under Python 3.11: a window updating its
    tables and labels then dies with "deallocating None" within minutes. pyproject excludes it; this catches
    any other build with the fault."""
    monitor = TickMonitor(Text("zh"))
    qtbot.addWidget(monitor)
    label = QtWidgets.QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for sequence in range(500):
        label.setText(str(sequence))
        tick = TickData(
            gateway_name="X",
            symbol="rb2605",
            exchange=Exchange.SHFE,
            datetime=dt.datetime.now(SHANGHAI),
            volume=sequence,
            last_price=3850.0 + sequence,
        )
        monitor.update_rows([tick])
    assert abs(sys.getrefcount(None) - before) < 100
