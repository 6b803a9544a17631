"""Dockable tables of live data: ticks, orders, trades, positions, accounts and the log.

Each monitor is a model keyed by the data's id (a new object with a known id replaces its row, so a table
holds the latest state) or append-only (the log). The view sorts on raw values and filters rows by symbol.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Any, ClassVar

from PySide6 import QtCore, QtGui, QtWidgets

from vtcore.constant import Direction
from vtcore.log import mask_secrets

from .export import CsvExport, PathChooser, ask_csv_path
from .style import ERROR_COLOR, LONG_COLOR, SHORT_COLOR, WARNING_COLOR
from .text import Text

SORT_ROLE = int(QtCore.Qt.ItemDataRole.UserRole) + 1
RIGHT_ALIGNED = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
WARNING_LEVEL, ERROR_LEVEL = 30, 40  # logging's levels, as LogData.level carries them
TOOLTIP_LENGTH = 40  # cells with longer text show all of it in a tooltip


def format_number(value: float | int | None) -> str:
    """Up to 10 significant digits with trailing zeros dropped: 3850.0 -> "3850", 0.1 + 0.2 -> "0.3"."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value:.10g}"


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%H:%M:%S.%f")[:-3]


@dataclass(frozen=True)
class Column:
    """One column: its header's text key and how to read its raw value from a data object."""

    header: str
    read: Callable[[Any], Any]

    @staticmethod
    def attr(header: str, name: str) -> Column:
        return Column(header, lambda data: getattr(data, name, None))


def _attr(header: str, name: str) -> Column:
    return Column.attr(header, name)


class MonitorModel(QtGui.QStandardItemModel):
    """Rows of data objects; `key` names the id attribute (None: append-only, at most `max_rows` kept).

    Cells are stored in Qt (QStandardItem) as display text plus a sort value, so painting and sorting never
    call into Python: under a tick flood the engine thread holds the GIL most of the time, and a model whose
    data() is Python would make every repaint wait for it cell by cell. Only cells whose text changed are set.
    """

    def __init__(
        self,
        columns: list[Column],
        text: Text,
        key: str | None,
        *,
        keep: Callable[[Any], bool] | None = None,
        max_rows: int | None = None,
        newest_first: bool = False,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(0, len(columns), parent)
        self.newest_first = newest_first  # append-only tables: new rows on top (vn.py's log monitor)
        self.columns = columns
        self.text = text
        self.key = key
        self.keep = keep
        self.max_rows = max_rows
        self.rows: list[Any] = []
        self._shown: list[list[str]] = []  # the display text of each cell, to set only what changed
        self._cells: list[list[QtGui.QStandardItem]] = []  # the model's items (owned by the model)
        self._row_of: dict[str, int] = {}
        self.setHorizontalHeaderLabels([text(column.header) for column in columns])

    # --- cells ---

    @staticmethod
    def _sort_value(value: Any, shown: str) -> Any:
        if isinstance(value, Enum):
            sort_value: Any = shown
        elif isinstance(value, datetime):
            sort_value = value.timestamp()
        elif isinstance(value, (int, float, str)):
            sort_value = value
        else:
            sort_value = shown
        return sort_value

    def _fill(self, cell: QtGui.QStandardItem, value: Any, item: Any, shown: str) -> None:
        cell.setData(self._sort_value(value, shown), SORT_ROLE)
        cell.setData(shown, QtCore.Qt.ItemDataRole.DisplayRole)
        if len(shown) > TOOLTIP_LENGTH:  # a long text cut by its column: the whole of it on hover
            cell.setData(shown, QtCore.Qt.ItemDataRole.ToolTipRole)
        brush = self._color(value, item)
        if brush is not None:
            cell.setForeground(brush)

    def _new_row(self, item: Any) -> tuple[list[QtGui.QStandardItem], list[str]]:
        cells: list[QtGui.QStandardItem] = []
        texts: list[str] = []
        for column in self.columns:
            value = column.read(item)
            cell = QtGui.QStandardItem()
            cell.setEditable(False)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.setTextAlignment(RIGHT_ALIGNED)
            shown = self.display(value)
            self._fill(cell, value, item, shown)
            texts.append(shown)
            cells.append(cell)
        return cells, texts

    def _refresh(self, row: int, item: Any) -> None:
        texts = self._shown[row]
        cells = self._cells[row]
        for index, column in enumerate(self.columns):
            value = column.read(item)
            shown = self.display(value)
            if shown != texts[index]:
                self._fill(cells[index], value, item, shown)
                texts[index] = shown

    @staticmethod
    def _color(value: Any, item: Any) -> QtGui.QBrush | None:
        if isinstance(value, Direction):
            return QtGui.QBrush(LONG_COLOR if value == Direction.LONG else SHORT_COLOR)
        level = getattr(item, "level", None)  # a log line: warnings and errors stand out
        if isinstance(level, int) and level >= WARNING_LEVEL:
            return QtGui.QBrush(ERROR_COLOR if level >= ERROR_LEVEL else WARNING_COLOR)
        return None

    def display(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, Enum):
            return self.text.enum(value)
        if isinstance(value, (int, float)):
            return format_number(value)
        if isinstance(value, datetime):
            return format_time(value)
        return str(value)

    # --- updates (GUI thread) ---

    def update_rows(self, items: Iterable[Any]) -> None:
        """Insert or replace rows by key (append when append-only); drop rows that `keep` rejects."""
        if self.key is None:
            self._append(list(items))
            return
        updates: dict[str, Any] = {}  # known keys: the latest object of each
        removals: list[str] = []
        pending: dict[str, Any] = {}  # new keys, in arrival order, appended after the updates
        for item in items:
            item_key = getattr(item, self.key)
            if self.keep is not None and not self.keep(item):
                pending.pop(item_key, None)
                updates.pop(item_key, None)
                if item_key in self._row_of:
                    removals.append(item_key)
            elif item_key in self._row_of:
                updates[item_key] = item
            else:
                pending[item_key] = item
        for item_key in removals:
            if item_key in self._row_of:
                self._remove(item_key)
        if updates:
            # One dataChanged for the batch: per cell, the proxy would re-sort and the view repaint each time.
            rows: list[int] = []
            self.blockSignals(True)
            try:
                for item_key, item in updates.items():
                    row = self._row_of[item_key]
                    self.rows[row] = item
                    self._refresh(row, item)
                    rows.append(row)
            finally:
                self.blockSignals(False)
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(self.columns) - 1))
        self._append(list(pending.values()))

    def _append(self, new_rows: list[Any]) -> None:
        if self.newest_first:
            self._prepend(new_rows)
            return
        for item in new_rows:
            cells, texts = self._new_row(item)
            if self.key is not None:
                self._row_of[getattr(item, self.key)] = len(self.rows)
            self.rows.append(item)
            self._shown.append(texts)
            self._cells.append(cells)
            self.appendRow(cells)
        if self.max_rows is not None and len(self.rows) > self.max_rows:
            # Only append-only tables (the log) are capped, so there is no key index to shift.
            excess = len(self.rows) - self.max_rows
            del self.rows[:excess]
            del self._shown[:excess]
            del self._cells[:excess]
            self.removeRows(0, excess)

    def _prepend(self, new_rows: list[Any]) -> None:
        """Append-only, newest on top: the batch goes in at row 0 (its last item first); the cap drops the
        oldest rows at the bottom."""
        for item in new_rows:
            cells, texts = self._new_row(item)
            self.rows.insert(0, item)
            self._shown.insert(0, texts)
            self._cells.insert(0, cells)
            self.insertRow(0, cells)
        if self.max_rows is not None and len(self.rows) > self.max_rows:
            keep = self.max_rows
            excess = len(self.rows) - keep
            del self.rows[keep:]
            del self._shown[keep:]
            del self._cells[keep:]
            self.removeRows(keep, excess)

    def _remove(self, item_key: str) -> None:
        row = self._row_of.pop(item_key)
        del self.rows[row]
        del self._shown[row]
        del self._cells[row]
        for later_key, later_row in self._row_of.items():
            if later_row > row:
                self._row_of[later_key] = later_row - 1
        self.removeRow(row)

    def row_data(self, row: int) -> Any:
        """The data object shown in (source) row `row`."""
        return self.rows[row]

    def row_texts(self, row: int) -> list[str]:
        """The display text of each cell of (source) row `row`, in column order."""
        return self._shown[row]

    def find(self, item_key: str) -> Any | None:
        row = self._row_of.get(item_key)
        return None if row is None else self.rows[row]


class BaseMonitor(QtWidgets.QWidget):
    """A filter box over a sortable table of one model.

    Columns can be dragged to new widths and places. They fit their contents as rows arrive, except those the
    user has sized (kept in `user_sized` and in the saved layout); "fit columns" in the context menu fits them
    all again. "Save data" in the context menu writes the shown rows to a CSV file.
    """

    columns: ClassVar[list[Column]] = []
    key: ClassVar[str | None] = None
    max_rows: ClassVar[int | None] = None
    newest_first: ClassVar[bool] = False
    filter_column = "col_symbol"
    export_name: ClassVar[str] = "data"  # the suggested CSV file name starts with it

    item_activated = QtCore.Signal(object)  # the data object of a double-clicked row
    export_finished = QtCore.Signal(str, int, str)  # path, rows written, error ("" on success)

    def __init__(
        self, text: Text, parent: QtWidgets.QWidget | None = None, columns: list[Column] | None = None
    ) -> None:
        super().__init__(parent)
        self.text = text
        self.table_columns = columns if columns is not None else self.columns
        self.model = MonitorModel(
            self.table_columns,
            text,
            self.key,
            keep=self.keep_row,
            max_rows=self.max_rows,
            newest_first=self.newest_first,
            parent=self,
        )
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        headers = [column.header for column in self.table_columns]
        # -1: match any column.
        self.proxy.setFilterKeyColumn(
            headers.index(self.filter_column) if self.filter_column in headers else -1
        )

        self.filter_edit = QtWidgets.QLineEdit(self)
        self.filter_edit.setPlaceholderText(text("filter_symbol"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)

        self.view = QtWidgets.QTableView(self)
        self.view.setModel(self.proxy)
        header = self.view.horizontalHeader()
        # Arrival order until a header is clicked.
        header.setSortIndicator(-1, QtCore.Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        header.setSectionsMovable(True)
        # Columns fit their contents when rows are added, not on every update: ResizeToContents would measure
        # every row at each tick. The user can still drag them.
        header.setStretchLastSection(True)
        self.user_sized: set[int] = set()  # columns (model order) the user sized: they keep their width
        self._sizing = 0  # > 0 while this class sizes columns itself (not the user)
        header.sectionResized.connect(self._on_section_resized)
        self._resize_timer = QtCore.QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.timeout.connect(self.fit_columns)
        self.model.rowsInserted.connect(lambda *_: self._resize_timer.start(0))
        self.view.doubleClicked.connect(self._on_double_click)

        self.choose_path: PathChooser = ask_csv_path  # a seam: tests answer the file dialog through it
        self.exports: list[CsvExport] = []  # running exports (kept alive until they report)
        self.fit_action = QtGui.QAction(text("fit_columns"), self)
        self.fit_action.triggered.connect(lambda _checked=False: self.fit_columns(resume=True))
        self.save_action = QtGui.QAction(text("save_data"), self)
        self.save_action.triggered.connect(lambda _checked=False: self.save_csv())
        self.context_menu = QtWidgets.QMenu(self)
        self.context_menu.addAction(self.fit_action)
        self.context_menu.addAction(self.save_action)
        self.view.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_menu.popup(self.view.viewport().mapToGlobal(pos))
        )

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)
        self.fit_columns()  # to the headers, until rows arrive

    # --- column widths and order ---

    def fit_columns(self, *, resume: bool = False) -> None:
        """Fit the columns the user has not sized to their contents (`resume`: all of them, and forget which
        ones the user sized)."""
        if resume:
            self.user_sized.clear()
        header = self.view.horizontalHeader()
        last = header.logicalIndex(header.count() - 1)  # stretches to the table's edge
        self._sizing += 1
        try:
            for column in range(len(self.table_columns)):
                if column != last and column not in self.user_sized:
                    self.view.resizeColumnToContents(column)
        finally:
            self._sizing -= 1

    def _on_section_resized(self, logical: int, _old: int, _new: int) -> None:
        header = self.view.horizontalHeader()
        # The last section follows the table's width; any other resize not made here is the user's.
        if not self._sizing and logical != header.logicalIndex(header.count() - 1):
            self.user_sized.add(logical)

    def resize_pending(self) -> bool:
        """Whether the columns are still to be fitted to rows just added (at the next event loop turn)."""
        return self._resize_timer.isActive()

    def header_keys(self) -> list[str]:
        """The text keys of the columns, in model order (a saved column state fits only the same list)."""
        return [column.header for column in self.table_columns]

    def header_state(self) -> QtCore.QByteArray:
        """Column widths, order and sort, as Qt saves them."""
        return self.view.horizontalHeader().saveState()

    def restore_header_state(self, state: QtCore.QByteArray, user_sized: Iterable[int] = ()) -> bool:
        """Restore a `header_state()`, keeping the widths of the `user_sized` columns as rows arrive (the
        others fit their contents); False if Qt refuses the state."""
        self._sizing += 1
        try:
            restored = self.view.horizontalHeader().restoreState(state)
        finally:
            self._sizing -= 1
        if restored:
            self.user_sized = {column for column in user_sized if 0 <= column < len(self.table_columns)}
            if self.model.rowCount():
                self.fit_columns()
        return bool(restored)

    # --- rows ---

    def keep_row(self, data: Any) -> bool:
        """Whether a row stays in the table (active orders drop finished ones)."""
        return True

    def update_rows(self, items: Iterable[Any]) -> None:
        self.model.update_rows(items)

    def update_row(self, item: Any) -> None:
        self.model.update_rows((item,))

    def source_row(self, view_row: int) -> int:
        return self.proxy.mapToSource(self.proxy.index(view_row, 0)).row()

    def _on_double_click(self, index: QtCore.QModelIndex) -> None:
        row = self.proxy.mapToSource(index).row()
        if 0 <= row < self.model.rowCount():
            self.item_activated.emit(self.model.row_data(row))

    # --- CSV export ---

    def displayed_table(self) -> tuple[list[str], list[list[str]]]:
        """What the table shows: the headers and the text of each row, in the view's column and row order
        (filtered out rows and hidden columns left out)."""
        header = self.view.horizontalHeader()
        order = [header.logicalIndex(visual) for visual in range(header.count())]
        order = [logical for logical in order if not header.isSectionHidden(logical)]
        titles = [self.text(self.table_columns[logical].header) for logical in order]
        model, proxy = self.model, self.proxy
        rows: list[list[str]] = []
        for view_row in range(proxy.rowCount()):
            texts = model.row_texts(proxy.mapToSource(proxy.index(view_row, 0)).row())
            rows.append([texts[logical] for logical in order])
        return titles, rows

    def suggested_file_name(self) -> str:
        return f"{self.export_name}_{datetime.now().strftime('%Y%m%d_%H%M%S')}.csv"

    def save_csv(self, path: str | None = None) -> CsvExport | None:
        """Write the shown rows to `path` (None: ask with the file dialog) on a worker thread.

        Returns the running export (None when cancelled); `export_finished` reports how it went.
        """
        if path is None:
            path = self.choose_path(self, self.text("save_data"), self.suggested_file_name())
        if not path:
            return None
        headers, rows = self.displayed_table()
        export = CsvExport(path, headers, rows, self)
        self.exports.append(export)
        export.finished.connect(partial(self._on_export_finished, export))
        export.start()
        return export

    def _on_export_finished(self, export: CsvExport, path: str, count: int, error: str) -> None:
        if export in self.exports:
            self.exports.remove(export)
        export.deleteLater()
        self.export_finished.emit(path, count, error)


_SYMBOL = _attr("col_symbol", "symbol")
_EXCHANGE = _attr("col_exchange", "exchange")
_GATEWAY = _attr("col_gateway", "gateway_name")


class TickMonitor(BaseMonitor):
    export_name: ClassVar[str] = "tick"
    key = "vt_symbol"
    columns: ClassVar[list[Column]] = [
        _SYMBOL,
        _EXCHANGE,
        _attr("col_name", "name"),
        _attr("col_last", "last_price"),
        _attr("col_volume", "volume"),
        _attr("col_open", "open_price"),
        _attr("col_high", "high_price"),
        _attr("col_low", "low_price"),
        _attr("col_bid_price", "bid_price_1"),
        _attr("col_bid_volume", "bid_volume_1"),
        _attr("col_ask_price", "ask_price_1"),
        _attr("col_ask_volume", "ask_volume_1"),
        _attr("col_time", "datetime"),
        _GATEWAY,
    ]

    def __init__(self, text: Text, parent: QtWidgets.QWidget | None = None) -> None:
        # A tick without a name (CTP's carry none) shows its contract's; the window fills contract_names.
        names: dict[str, str] = {}
        name = Column("col_name", lambda tick: tick.name or names.get(tick.vt_symbol, ""))
        columns = [name if column.header == "col_name" else column for column in self.columns]
        super().__init__(text, parent, columns)
        self.contract_names = names

    def add_contract(self, contract: Any) -> None:
        self.contract_names[contract.vt_symbol] = contract.name


_ORDER_COLUMNS = [
    _attr("col_orderid", "orderid"),
    _attr("col_reference", "reference"),
    _SYMBOL,
    _EXCHANGE,
    _attr("col_type", "type"),
    _attr("col_direction", "direction"),
    _attr("col_offset", "offset"),
    _attr("col_price", "price"),
    _attr("col_order_volume", "volume"),
    _attr("col_traded", "traded"),
    _attr("col_status", "status"),
    _attr("col_time", "datetime"),
    _GATEWAY,
]


class OrderMonitor(BaseMonitor):
    export_name: ClassVar[str] = "order"
    key = "vt_orderid"
    columns: ClassVar[list[Column]] = _ORDER_COLUMNS


class ActiveOrderMonitor(BaseMonitor):
    """Orders still working; a double-click cancels one (the window connects `item_activated`)."""

    export_name: ClassVar[str] = "active_order"
    key = "vt_orderid"
    columns: ClassVar[list[Column]] = _ORDER_COLUMNS

    def __init__(self, text: Text, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.view.setToolTip(text("cancel_hint"))

    def keep_row(self, data: Any) -> bool:
        return bool(data.is_active())


class TradeMonitor(BaseMonitor):
    export_name: ClassVar[str] = "trade"
    key = "vt_tradeid"  # a fill seen twice (a snapshot and its event) is shown once
    columns: ClassVar[list[Column]] = [
        _attr("col_tradeid", "tradeid"),
        _attr("col_orderid", "orderid"),
        _SYMBOL,
        _EXCHANGE,
        _attr("col_direction", "direction"),
        _attr("col_offset", "offset"),
        _attr("col_price", "price"),
        _attr("col_trade_volume", "volume"),
        _attr("col_time", "datetime"),
        _GATEWAY,
    ]


class PositionMonitor(BaseMonitor):
    export_name: ClassVar[str] = "position"
    key = "vt_positionid"
    columns: ClassVar[list[Column]] = [
        _SYMBOL,
        _EXCHANGE,
        _attr("col_direction", "direction"),
        _attr("col_position", "volume"),
        _attr("col_yd_volume", "yd_volume"),
        _attr("col_frozen", "frozen"),
        _attr("col_avg_price", "price"),
        _attr("col_pnl", "pnl"),
        _GATEWAY,
    ]


class AccountMonitor(BaseMonitor):
    export_name: ClassVar[str] = "account"
    key = "vt_accountid"
    filter_column = "col_accountid"
    columns: ClassVar[list[Column]] = [
        _attr("col_accountid", "accountid"),
        _attr("col_balance", "balance"),
        _attr("col_frozen", "frozen"),
        _attr("col_available", "available"),
        _GATEWAY,
    ]


class LogMonitor(BaseMonitor):
    export_name: ClassVar[str] = "log"
    key = None
    max_rows = 10000
    newest_first = True  # as vn.py's: the latest line is where the eye lands; full text on hover
    filter_column = "col_message"
    columns: ClassVar[list[Column]] = [
        _attr("col_time", "time"),
        _GATEWAY,
        # Last, so a long message has the width that is left; a secret logged by mistake is masked.
        Column("col_message", lambda log: mask_secrets(str(log.msg))),
    ]
