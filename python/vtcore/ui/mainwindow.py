"""The trader window: menus, the trading panel and the dockable monitors around it."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from vtcore import vnpy_compat
from vtcore.engine import MainEngine
from vtcore.errors import SettingsError
from vtcore.event import (
    EVENT_ACCOUNT,
    EVENT_CONTRACT,
    EVENT_GATEWAY_STATE,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_TRADE,
    EventEngine,
)
from vtcore.log import get_logger
from vtcore.object import SubscribeRequest
from vtcore.setting import display_language

from .bridge import EventBridge
from .connect import ConnectDialog
from .contracts import ContractQueryDialog
from .layout import (
    LayoutError,
    WindowLayout,
    apply_layout,
    capture_layout,
    layout_path,
    load_layout,
    restore_columns,
    save_layout,
)
from .monitor import (
    AccountMonitor,
    ActiveOrderMonitor,
    BaseMonitor,
    LogMonitor,
    OrderMonitor,
    PositionMonitor,
    TickMonitor,
    TradeMonitor,
)
from .text import Text
from .trading import TradingWidget

#: front states of a gateway that is not running a session
#: ("disconnected" is not one: the SDK or client is reconnecting that session by itself)
IDLE_STATES = frozenset(
    {"closed", "unavailable", "error", "timeout", "refused", "login_rejected", "auth_rejected"}
)

# Widgets this package provides for apps that ship none (widget_name -> "module:class").
APP_WIDGETS = {"RpcManager": "vtcore.ui.rpc:RpcManager"}
DEFAULT_SIZE = (1500, 900)
CONTRACTS = "contracts"  # the contract query's table, in the saved layout
logger = get_logger("vtcore.ui")  # masked, as every vtcore logger is


class MainWindow(QtWidgets.QMainWindow):
    """VN Trader's main window over a MainEngine: `MainWindow(main_engine, event_engine)`."""

    def __init__(
        self,
        main_engine: MainEngine,
        event_engine: EventEngine,
        *,
        language: str | None = None,
        close_engine: bool = True,
        repaint_ms: int = 100,
        auto_subscribe: bool = False,
    ) -> None:
        super().__init__()
        self.main_engine = main_engine
        self.event_engine = event_engine
        self.close_engine = close_engine
        self.text = Text(language or display_language())
        self.setWindowTitle(self.text("window_title"))
        self.connect_dialogs: dict[str, ConnectDialog] = {}
        self.contract_dialog: ContractQueryDialog | None = None
        self.app_widgets: dict[str, QtWidgets.QWidget] = {}
        self.error_boxes: list[QtWidgets.QMessageBox] = []  # open message boxes of failed apps
        self._closed = False
        self._was_shown = False  # a window never shown has no layout of the user's to save
        # Subscribe to every contract of a gateway once all its fronts report "ready" (for the simulator).
        self.auto_subscribe = auto_subscribe
        self._subscribed: set[str] = set()

        self.bridge = EventBridge(event_engine, repaint_ms, self)
        self._init_widgets()
        self._init_menus()
        self._fill_from_engine()
        self._init_status()
        self.resize(*DEFAULT_SIZE)
        # The layout as built, for "restore default layout" and for a saved one that cannot be used.
        self.default_layout = capture_layout(self, self.monitors(), geometry=False)
        self.saved_layout: WindowLayout | None = None  # the one restored (its contract columns wait for the
        self.layout_restored = self.restore_saved_layout()  # contract query to open)

    # --- construction ---

    def _dock(
        self, widget: QtWidgets.QWidget, title_key: str, area: QtCore.Qt.DockWidgetArea
    ) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(self.text(title_key), self)
        dock.setObjectName(title_key)
        dock.setWidget(widget)
        dock.setFeatures(
            QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _init_widgets(self) -> None:
        text = self.text
        self.trading_widget = TradingWidget(self.main_engine, text, self)
        self.trading_widget.setMaximumWidth(360)
        self.tick_monitor = TickMonitor(text, self)
        self.active_monitor = ActiveOrderMonitor(text, self)
        self.order_monitor = OrderMonitor(text, self)
        self.trade_monitor = TradeMonitor(text, self)
        self.position_monitor = PositionMonitor(text, self)
        self.account_monitor = AccountMonitor(text, self)
        self.log_monitor = LogMonitor(text, self)

        left = QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
        right = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
        bottom = QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
        self.docks = {
            "trading": self._dock(self.trading_widget, "dock_trading", left),
            "tick": self._dock(self.tick_monitor, "dock_tick", right),
            "active": self._dock(self.active_monitor, "dock_active", right),
            "order": self._dock(self.order_monitor, "dock_order", right),
            "trade": self._dock(self.trade_monitor, "dock_trade", right),
            "log": self._dock(self.log_monitor, "dock_log", bottom),
            "account": self._dock(self.account_monitor, "dock_account", bottom),
            "position": self._dock(self.position_monitor, "dock_position", bottom),
        }
        self.tabifyDockWidget(self.docks["active"], self.docks["order"])
        self.tabifyDockWidget(self.docks["order"], self.docks["trade"])
        self.docks["active"].raise_()

        bridge = self.bridge
        bridge.subscribe_ticks(self.tick_monitor.update_rows)
        bridge.subscribe_ticks(self.trading_widget.update_ticks)
        bridge.subscribe(EVENT_ORDER, self.order_monitor.update_row)
        bridge.subscribe(EVENT_ORDER, self.active_monitor.update_row)
        bridge.subscribe(EVENT_ORDER, self.trading_widget.order_update)
        bridge.subscribe(EVENT_TRADE, self.trade_monitor.update_row)
        bridge.subscribe(EVENT_POSITION, self.position_monitor.update_row)
        bridge.subscribe(EVENT_ACCOUNT, self.account_monitor.update_row)
        bridge.subscribe(EVENT_LOG, self.log_monitor.update_row)
        bridge.subscribe(EVENT_CONTRACT, self.trading_widget.add_contract)
        bridge.subscribe(EVENT_CONTRACT, self.tick_monitor.add_contract)
        bridge.subscribe(EVENT_GATEWAY_STATE, self._on_gateway_state)
        bridge.subscribe(EVENT_CONTRACT, self._on_contract)

        for monitor in self.monitors().values():
            monitor.export_finished.connect(self._on_export_finished)
        self.active_monitor.item_activated.connect(self.cancel_order)
        self.tick_monitor.item_activated.connect(self._choose_symbol)
        self.position_monitor.item_activated.connect(self._choose_symbol)

    def _action(self, menu: QtWidgets.QMenu, label: str, slot: Callable[[], object]) -> QtGui.QAction:
        action = QtGui.QAction(label, self)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _init_menus(self) -> None:
        text = self.text
        bar = self.menuBar()
        self.system_menu = bar.addMenu(text("menu_system"))
        self.connect_actions: dict[str, QtGui.QAction] = {}
        for gateway_name in self.main_engine.get_all_gateway_names():
            self.connect_actions[gateway_name] = self._action(
                self.system_menu,
                text("connect_gateway", gateway=gateway_name),
                partial(self.open_connect_dialog, gateway_name),
            )
        self.system_menu.addSeparator()
        self._action(self.system_menu, text("exit"), self.close)

        self.functions_menu = bar.addMenu(text("menu_functions"))
        self.app_actions: dict[str, QtGui.QAction] = {}
        apps = list(self.main_engine.get_all_apps())
        for app in apps:
            label = text.get(f"app_{app.app_name}", str(getattr(app, "display_name", "") or app.app_name))
            self.app_actions[app.app_name] = self._action(
                self.functions_menu, label, partial(self.open_app, app)
            )
        if not apps:
            self.functions_menu.addAction(text("no_apps")).setEnabled(False)

        self.help_menu = bar.addMenu(text("menu_help"))
        self.query_contracts_action = self._action(
            self.help_menu, text("query_contracts"), self.open_contract_dialog
        )
        self.restore_layout_action = self._action(
            self.help_menu, text("restore_layout"), self.restore_default_layout
        )
        self._action(self.help_menu, text("about"), self.show_about)

    def _fill_from_engine(self) -> None:
        """Show what the engine already holds when the window opens after a connection."""
        main_engine = self.main_engine
        self.tick_monitor.update_rows(main_engine.get_all_ticks())
        orders = list(main_engine.get_all_orders())
        self.order_monitor.update_rows(orders)
        self.active_monitor.update_rows(orders)
        self.trade_monitor.update_rows(main_engine.get_all_trades())
        self.position_monitor.update_rows(main_engine.get_all_positions())
        self.account_monitor.update_rows(main_engine.get_all_accounts())
        for contract in main_engine.get_all_contracts():
            self.trading_widget.add_contract(contract)
            self.tick_monitor.add_contract(contract)

    def _init_status(self) -> None:
        self.gateway_states: dict[tuple[str, str], str] = {}
        self.gateway_state_label = QtWidgets.QLabel(self)
        self.statusBar().addWidget(self.gateway_state_label)
        self.status_label = QtWidgets.QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        self._status_timer = QtCore.QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self.update_status)
        self._status_timer.start()
        self.update_status()

    def update_status(self) -> None:
        dropped = getattr(self.event_engine, "dropped_ticks", 0)
        self.status_label.setText(
            f"ticks {self.bridge.ticks_received}  shown {self.bridge.ticks_shown}  dropped {dropped}"
        )

    def _on_gateway_state(self, state: Any) -> None:
        """Show each gateway front's last state, e.g. "CTP td: logged_in", in the status bar."""
        self.gateway_states[(state.gateway_name, state.front)] = state.state
        shown = [f"{gateway} {front}: {value}" for (gateway, front), value in self.gateway_states.items()]
        self.gateway_state_label.setText("  ".join(shown))
        if self.auto_subscribe and self.gateway_ready(state.gateway_name):
            for contract in self.main_engine.get_all_contracts():
                if contract.gateway_name == state.gateway_name:
                    self._subscribe(contract)

    def gateway_connected(self, gateway_name: str) -> bool:
        """Whether some front of the gateway is connecting or connected (a connect would start a second
        session): any last state other than a closed or failed one."""
        states = [value for (gateway, _), value in self.gateway_states.items() if gateway == gateway_name]
        return any(value not in IDLE_STATES for value in states)

    def gateway_ready(self, gateway_name: str) -> bool:
        """Whether every front the gateway reported on is "ready"."""
        states = [value for (gateway, _), value in self.gateway_states.items() if gateway == gateway_name]
        return bool(states) and all(value == "ready" for value in states)

    def _on_contract(self, contract: Any) -> None:
        if self.auto_subscribe and self.gateway_ready(contract.gateway_name):
            self._subscribe(contract)

    def _subscribe(self, contract: Any) -> None:
        if contract.vt_symbol not in self._subscribed:
            self._subscribed.add(contract.vt_symbol)
            request = SubscribeRequest(symbol=contract.symbol, exchange=contract.exchange)
            self.main_engine.subscribe(request, contract.gateway_name)

    # --- actions ---

    def open_connect_dialog(self, gateway_name: str) -> ConnectDialog:
        """Open (non-blocking) the connect dialog of one gateway and return it (the open one, if any)."""
        dialog = self.connect_dialogs.get(gateway_name)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            return dialog
        dialog = ConnectDialog(
            self.main_engine, gateway_name, self.text, self, connected=self.gateway_connected(gateway_name)
        )
        self.connect_dialogs[gateway_name] = dialog
        dialog.open()
        return dialog

    def open_contract_dialog(self) -> ContractQueryDialog:
        if self.contract_dialog is None:
            self.contract_dialog = ContractQueryDialog(self.main_engine, self.text, self)
            table = self.contract_dialog.table
            table.export_finished.connect(self._on_export_finished)
            defaults = capture_layout(self, {CONTRACTS: table}, geometry=False).monitors
            self.default_layout.monitors.update(defaults)
            if self.saved_layout is not None:
                for name in restore_columns({CONTRACTS: table}, self.saved_layout):
                    self._log(self.text("layout_columns_skipped", monitor=name), logging.WARNING)
        self.contract_dialog.show()
        self.contract_dialog.raise_()
        return self.contract_dialog

    def open_app(self, app: Any) -> QtWidgets.QWidget | None:
        """Show an app's widget: its `widget_class`, a widget of this package named by `widget_name` (the RPC
        service's RpcManager), or vn.py's `<app_module>.ui.<widget_name>`."""
        widget = self.app_widgets.get(app.app_name)
        if widget is None:
            try:
                widget_class = getattr(app, "widget_class", None)
                widget_name = getattr(app, "widget_name", "")
                if widget_class is None and widget_name in APP_WIDGETS:
                    module_name, _, class_name = APP_WIDGETS[widget_name].partition(":")
                    widget_class = partial(
                        getattr(importlib.import_module(module_name), class_name), text=self.text
                    )
                if widget_class is None:
                    module = importlib.import_module(f"{app.app_module}.ui")
                    widget_class = getattr(module, widget_name)
                if vnpy_compat.is_vnpy_app(type(app)):  # vn.py's widget wants vn.py's engines: the adapters
                    host = vnpy_compat.host(self.main_engine)
                    widget = widget_class(host.vnpy_main_engine, host.event_engine)
                else:
                    widget = widget_class(self.main_engine, self.event_engine)
            except Exception as error:  # an app that cannot open must not take the window down
                self.report_app_failure(self.text("app_failed", app=app.app_name, error=error))
                return None
            self.app_widgets[app.app_name] = widget
        widget.show()
        widget.raise_()
        return widget

    def report_app_failure(self, message: str) -> QtWidgets.QMessageBox:
        """An app that cannot load or open: an ERROR row in the log monitor and a message box (not modal to
        the event loop: the window goes on updating behind it)."""
        self._log(message, logging.ERROR)
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Critical,
            self.text("app_failed_title"),
            message,
            QtWidgets.QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error_boxes.append(box)
        box.finished.connect(partial(self._forget_box, box))
        box.open()
        return box

    def _forget_box(self, box: QtWidgets.QMessageBox, _result: int = 0) -> None:
        if box in self.error_boxes:
            self.error_boxes.remove(box)

    def show_about(self) -> None:
        QtWidgets.QMessageBox.about(self, self.text("about"), self.text("about_text"))

    def cancel_order(self, order: Any) -> None:
        if order.is_active():
            self.main_engine.cancel_order(order.create_cancel_request(), order.gateway_name)

    def _choose_symbol(self, data: Any) -> None:
        self.trading_widget.set_symbol(data.symbol, data.exchange)

    def monitors(self) -> dict[str, BaseMonitor]:
        return {
            "tick": self.tick_monitor,
            "active": self.active_monitor,
            "order": self.order_monitor,
            "trade": self.trade_monitor,
            "position": self.position_monitor,
            "account": self.account_monitor,
            "log": self.log_monitor,
        }

    # --- layout and export ---

    def restore_saved_layout(self) -> bool:
        """Restore the layout saved by the last window; True if one was restored. A file that cannot be used
        leaves (or puts back) the default layout and says so in the log."""
        try:
            saved = load_layout()
            if saved is None:
                return False
            skipped = apply_layout(self, self.monitors(), saved)
            self.saved_layout = saved
        except Exception as error:  # LayoutError, or anything else a damaged file causes: the window opens
            self._apply_default_layout()
            reason = error if isinstance(error, LayoutError) else f"{type(error).__name__}: {error}"
            self._log(self.text("layout_fallback", file=layout_path(), reason=reason), logging.WARNING)
            return False
        for name in skipped:
            self._log(self.text("layout_columns_skipped", monitor=name), logging.WARNING)
        return True

    def restore_default_layout(self) -> None:
        """Help -> Restore Default Layout: docks, window size and columns as a new window has them."""
        self._apply_default_layout()
        if not self.windowState() & (
            QtCore.Qt.WindowState.WindowMaximized | QtCore.Qt.WindowState.WindowFullScreen
        ):
            self.resize(*DEFAULT_SIZE)

    def layout_monitors(self) -> dict[str, BaseMonitor]:
        """The tables whose columns the layout keeps: the monitors, and the contract query's once opened."""
        monitors = self.monitors()
        if self.contract_dialog is not None:
            monitors[CONTRACTS] = self.contract_dialog.table
        return monitors

    def _apply_default_layout(self) -> None:
        apply_layout(self, self.layout_monitors(), self.default_layout)  # columns fit their contents again

    def current_layout(self) -> WindowLayout:
        layout = capture_layout(self, self.layout_monitors())
        if self.saved_layout is not None and CONTRACTS in self.saved_layout.monitors:
            # Not opened this time: its columns stay as saved.
            layout.monitors.setdefault(CONTRACTS, self.saved_layout.monitors[CONTRACTS])
        return layout

    def save_layout(self) -> None:
        """Save the layout for the next window (on close); a failure is logged, never raised."""
        if not self._was_shown:
            return
        try:
            save_layout(self.current_layout())
        except (OSError, SettingsError) as error:
            self._log(self.text("layout_save_failed", error=error), logging.WARNING)

    def _on_export_finished(self, path: str, rows: int, error: str) -> None:
        if error:
            message = self.text("export_failed", path=path, error=error)
        else:
            message = self.text("export_done", rows=rows, path=path)
        self.statusBar().showMessage(message, 10_000)
        self._log(message, logging.WARNING if error else logging.INFO)

    def _log(self, message: str, level: int) -> None:
        """To the log monitor (through the engine) and to Python's logging."""
        logger.log(level, message)
        self.main_engine.write_log(message, "MainWindow", level=level)

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802
        self._was_shown = True
        super().showEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        event.accept()
        if self._closed:
            return
        self.save_layout()
        self._closed = True
        self._status_timer.stop()
        self.bridge.close()
        for widget in self.app_widgets.values():
            widget.close()
        if self.close_engine:
            self.main_engine.close()
