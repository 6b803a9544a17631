"""The trading panel: pick a contract, see its latest tick, send an order or cancel every working order.

Input is checked before anything is sent: an unknown contract, a price off the contract's tick, a volume that
is not a positive multiple of its minimum volume or a missing gateway is refused with a message beside the
buttons.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from vtcore.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vtcore.engine import MainEngine
from vtcore.object import OrderRequest, SubscribeRequest

from .monitor import format_number
from .style import ERROR_STYLE, LONG_COLOR, OK_STYLE, SHORT_COLOR
from .text import Text

DEPTH = 5
MANUAL_REFERENCE = "ManualTrading"


def _is_multiple(value: float, step: float) -> bool:
    if step <= 0:
        return True
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-6


class EnumCombo(QtWidgets.QComboBox):
    """A drop-down of enum members (kept here: Qt turns a str-enum item datum into a plain str)."""

    def __init__(self, members: list[Any], labels: list[str], parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.members = members
        self.addItems(labels)

    def current(self) -> Any:
        return self.members[self.currentIndex()]

    def select(self, member: Any) -> bool:
        if member not in self.members:
            return False
        self.setCurrentIndex(self.members.index(member))
        return True

    def select_value(self, value: str) -> bool:
        """Choose the member whose value is `value` (e.g. "SHFE"); False when there is none."""
        return any(member.value == value and self.select(member) for member in self.members)


class TradingWidget(QtWidgets.QWidget):
    def __init__(self, main_engine: MainEngine, text: Text, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.main_engine = main_engine
        self.text = text
        self.vt_symbol = ""
        self._known: set[str] = set()

        self.completion_model = QtGui.QStandardItemModel(self)
        completer = QtWidgets.QCompleter(self.completion_model, self)
        completer.setCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(QtCore.Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._on_completed)
        self.symbol_edit = QtWidgets.QLineEdit(self)
        self.symbol_edit.setCompleter(completer)
        self.symbol_edit.editingFinished.connect(self.select_symbol)

        self.exchange_combo = self._combo(list(Exchange))
        self.exchange_combo.activated.connect(lambda _index: self.select_symbol())
        self.name_label = QtWidgets.QLabel(self)
        self.direction_combo = self._combo([Direction.LONG, Direction.SHORT])
        self.offset_combo = self._combo(
            [Offset.OPEN, Offset.CLOSE, Offset.CLOSETODAY, Offset.CLOSEYESTERDAY, Offset.NONE]
        )
        self.type_combo = self._combo(list(OrderType))
        self.price_edit = QtWidgets.QLineEdit(self)
        self.volume_edit = QtWidgets.QLineEdit(self)
        self.gateway_combo = QtWidgets.QComboBox(self)
        self.refresh_gateways()

        self.send_button = QtWidgets.QPushButton(text("send_order"), self)
        self.send_button.clicked.connect(self.send_order)
        self.cancel_all_button = QtWidgets.QPushButton(text("cancel_all"), self)
        self.cancel_all_button.clicked.connect(self.cancel_all)
        self.message = QtWidgets.QLabel(self)
        self.last_sent = ""  # the vt_orderid this panel sent last: its rejection is shown here
        self.message.setWordWrap(True)

        form = QtWidgets.QFormLayout()
        form.addRow(text("col_symbol"), self.symbol_edit)
        form.addRow(text("col_exchange"), self.exchange_combo)
        form.addRow(text("col_name"), self.name_label)
        form.addRow(text("col_direction"), self.direction_combo)
        form.addRow(text("col_offset"), self.offset_combo)
        form.addRow(text("order_type"), self.type_combo)
        form.addRow(text("col_price"), self.price_edit)
        form.addRow(text("col_order_volume"), self.volume_edit)
        form.addRow(text("col_gateway"), self.gateway_combo)

        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.cancel_all_button)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addLayout(self._depth_layout())
        layout.addStretch(1)

    def _combo(self, members: list[Any]) -> EnumCombo:
        # Exchanges by code ("SHFE"), as in a vt_symbol; other enums by their label.
        labels = [
            member.value if isinstance(member, Exchange) else self.text.enum(member) for member in members
        ]
        return EnumCombo(members, labels, self)

    def _depth_layout(self) -> QtWidgets.QGridLayout:
        grid = QtWidgets.QGridLayout()
        self.ask_labels: list[tuple[QtWidgets.QLabel, QtWidgets.QLabel]] = []
        self.bid_labels: list[tuple[QtWidgets.QLabel, QtWidgets.QLabel]] = []
        row = 0
        for level in range(DEPTH, 0, -1):
            self.ask_labels.insert(0, self._depth_row(grid, row, f"{self.text('ask')}{level}", SHORT_COLOR))
            row += 1
        self.last_label = QtWidgets.QLabel(self)
        self.last_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        grid.addWidget(QtWidgets.QLabel(self.text("col_last"), self), row, 0)
        grid.addWidget(self.last_label, row, 1)
        row += 1
        for level in range(1, DEPTH + 1):
            self.bid_labels.append(self._depth_row(grid, row, f"{self.text('bid')}{level}", LONG_COLOR))
            row += 1
        return grid

    def _depth_row(
        self, grid: QtWidgets.QGridLayout, row: int, caption: str, color: QtGui.QColor
    ) -> tuple[QtWidgets.QLabel, QtWidgets.QLabel]:
        price = QtWidgets.QLabel(self)
        volume = QtWidgets.QLabel(self)
        for label in (price, volume):
            label.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
            label.setStyleSheet(f"color: {color.name()};")
        grid.addWidget(QtWidgets.QLabel(caption, self), row, 0)
        grid.addWidget(price, row, 1)
        grid.addWidget(volume, row, 2)
        return price, volume

    # --- data from the window (GUI thread) ---

    def refresh_gateways(self) -> None:
        current = self.gateway_combo.currentText()
        self.gateway_combo.clear()
        self.gateway_combo.addItems(list(self.main_engine.get_all_gateway_names()))
        if current:
            self.gateway_combo.setCurrentText(current)

    def add_contract(self, contract: Any) -> None:
        """Offer a contract for completion (each vt_symbol once)."""
        if contract.vt_symbol not in self._known:
            self._known.add(contract.vt_symbol)
            self.completion_model.appendRow(QtGui.QStandardItem(contract.vt_symbol))

    def update_ticks(self, ticks: list[Any]) -> None:
        for tick in ticks:
            if tick.vt_symbol == self.vt_symbol:
                self.show_tick(tick)

    def show_tick(self, tick: Any) -> None:
        self.last_label.setText(format_number(tick.last_price))
        for side, labels in (("bid", self.bid_labels), ("ask", self.ask_labels)):
            for level, (price_label, volume_label) in enumerate(labels, start=1):
                price = getattr(tick, f"{side}_price_{level}", 0.0)
                # An empty level is 0.0 in vn.py's TickData: show it blank, not as a price of 0.
                volume = getattr(tick, f"{side}_volume_{level}", 0.0)
                price_label.setText(format_number(price) if price else "")
                volume_label.setText(format_number(volume) if price else "")

    def set_symbol(self, symbol: str, exchange: Exchange) -> None:
        """Choose a contract, e.g. from a double-clicked tick or position row."""
        self.symbol_edit.setText(symbol)
        self.exchange_combo.select(exchange)
        self.select_symbol()

    # --- user actions ---

    def _on_completed(self, vt_symbol: str) -> None:
        symbol, _, exchange_value = vt_symbol.rpartition(".")
        self.symbol_edit.setText(symbol)
        self.exchange_combo.select_value(exchange_value)
        self.select_symbol()

    def _split_symbol(self) -> None:
        """Accept "rb2605.SHFE" typed in the symbol box: move the exchange into its drop-down."""
        text = self.symbol_edit.text().strip()
        symbol, dot, exchange_value = text.rpartition(".")
        if dot and symbol and self.exchange_combo.select_value(exchange_value):
            self.symbol_edit.setText(symbol)
            return
        if text and self.main_engine.get_contract(f"{text}.{self.exchange_combo.currentText()}") is None:
            # A bare symbol: take the exchange of the one known contract with that symbol.
            matches = [vt for vt in self._known if vt.rpartition(".")[0] == text]
            if len(matches) == 1:
                self.exchange_combo.select_value(matches[0].rpartition(".")[2])

    def select_symbol(self) -> None:
        """Look the contract up, subscribe to it and show its latest tick."""
        self._split_symbol()
        symbol = self.symbol_edit.text().strip()
        exchange: Exchange = self.exchange_combo.current()
        vt_symbol = f"{symbol}.{exchange.value}"
        if vt_symbol == self.vt_symbol:
            return  # already chosen and subscribed
        contract = self.main_engine.get_contract(vt_symbol) if symbol else None
        # Remembered only once its contract is known, so the same symbol is looked up again after a connect.
        self.vt_symbol = vt_symbol if contract else ""
        self.name_label.setText(contract.name if contract else "")
        self.last_label.clear()
        for price, volume in (*self.bid_labels, *self.ask_labels):
            price.clear()
            volume.clear()
        if contract is None:
            return
        self.gateway_combo.setCurrentText(contract.gateway_name)
        self.main_engine.subscribe(SubscribeRequest(symbol=symbol, exchange=exchange), contract.gateway_name)
        tick = self.main_engine.get_tick(vt_symbol)
        if tick is not None:
            self.show_tick(tick)
            if not self.price_edit.text():
                self.price_edit.setText(format_number(tick.last_price))

    def _refuse(self, message: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(message)

    def order_request(self) -> tuple[OrderRequest | None, str]:
        """The order the panel describes, or None and why it cannot be sent."""
        self._split_symbol()
        symbol = self.symbol_edit.text().strip()
        if not symbol:
            return None, self.text("err_symbol")
        exchange: Exchange = self.exchange_combo.current()
        vt_symbol = f"{symbol}.{exchange.value}"
        contract = self.main_engine.get_contract(vt_symbol)
        if contract is None:
            return None, self.text("err_contract", vt_symbol=vt_symbol)
        if not self.gateway_combo.currentText():
            return None, self.text("err_gateway")
        order_type: OrderType = self.type_combo.current()
        price_text = self.price_edit.text().strip()
        try:
            price = float(price_text) if price_text or order_type != OrderType.MARKET else 0.0
        except ValueError:
            return None, self.text("err_price")
        if not math.isfinite(price):
            return None, self.text("err_price")
        if order_type != OrderType.MARKET:
            if price <= 0 and contract.product != Product.SPREAD:
                return None, self.text("err_price")
            if not _is_multiple(price, contract.pricetick):
                return None, self.text("err_price_tick", tick=format_number(contract.pricetick))
        try:
            volume = float(self.volume_edit.text().strip())
        except ValueError:
            return None, self.text("err_volume")
        if not math.isfinite(volume) or volume <= 0:
            return None, self.text("err_volume")
        min_volume = contract.min_volume or 0
        if not _is_multiple(volume, min_volume):
            return None, self.text("err_min_volume", min=format_number(min_volume))
        request = OrderRequest(
            symbol=symbol,
            exchange=exchange,
            direction=self.direction_combo.current(),
            type=order_type,
            volume=volume,
            price=price,
            offset=self.offset_combo.current(),
            reference=MANUAL_REFERENCE,
        )
        return request, ""

    def send_order(self) -> str:
        """Send the order if the input is valid; returns its vt_orderid ("" when refused)."""
        request, error = self.order_request()
        if request is None:
            self._refuse(error)
            return ""
        vt_orderid: str = self.main_engine.send_order(request, self.gateway_combo.currentText())
        if not vt_orderid:
            self._refuse(self.text("err_send"))
            return ""
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(self.text("sent", vt_orderid=vt_orderid))
        self.last_sent = vt_orderid
        return vt_orderid

    def order_update(self, order: Any) -> None:
        """The panel's last order: a rejection replaces "sent" with its reason (in red), where one looks."""
        if order.vt_orderid != self.last_sent or order.status != Status.REJECTED:
            return
        reason = (order.extra or {}).get("reason") or self.text("no_reason")
        self._refuse(self.text("rejected", vt_orderid=order.vt_orderid, reason=reason))

    def cancel_all(self) -> int:
        orders = list(self.main_engine.get_all_active_orders())
        for order in orders:
            self.main_engine.cancel_order(order.create_cancel_request(), order.gateway_name)
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(self.text("cancelled_all", count=len(orders)))
        return len(orders)
