"""Help -> Query Contracts: empty until Query is clicked, then every known contract, with a filter box."""

from __future__ import annotations

from typing import ClassVar

from PySide6 import QtWidgets

from vtcore.engine import MainEngine

from .monitor import BaseMonitor, Column
from .text import Text


class ContractTable(BaseMonitor):
    export_name: ClassVar[str] = "contracts"
    key = "vt_symbol"
    filter_column = ""  # the filter box matches any column (symbol, name, exchange, ...)
    columns: ClassVar[list[Column]] = [
        Column.attr("col_vt_symbol", "vt_symbol"),
        Column.attr("col_symbol", "symbol"),
        Column.attr("col_exchange", "exchange"),
        Column.attr("col_name", "name"),
        Column.attr("col_product", "product"),
        Column.attr("col_size", "size"),
        Column.attr("col_pricetick", "pricetick"),
        Column.attr("col_min_volume", "min_volume"),
        Column.attr("col_gateway", "gateway_name"),
    ]


class ContractQueryDialog(QtWidgets.QDialog):
    def __init__(self, main_engine: MainEngine, text: Text, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.main_engine = main_engine
        self.setWindowTitle(text("query_contracts"))
        self.setObjectName("contract_query")
        self.table = ContractTable(text, self)
        self.table.filter_edit.hide()
        self.filter_edit = QtWidgets.QLineEdit(self)
        self.filter_edit.setPlaceholderText(text("contract_filter"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.table.proxy.setFilterFixedString)
        self.query_button = QtWidgets.QPushButton(text("query"), self)
        self.query_button.clicked.connect(self.query)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.filter_edit)
        top.addWidget(self.query_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.resize(1000, 600)

    def query(self) -> None:
        """Show every contract the engine knows now, sorted by vt_symbol."""
        contracts = sorted(self.main_engine.get_all_contracts(), key=lambda contract: contract.vt_symbol)
        self.table.update_rows(contracts)

    def shown_rows(self) -> int:
        return self.table.proxy.rowCount()
