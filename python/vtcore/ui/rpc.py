"""Functions -> RPC服务: start and stop the RPC service app (`vtcore.rpc`) from the window.

The addresses and the CURVE switch are the service's own settings (rpc_service_setting.json, saved by the
service once it is bound). The service refuses a non-loopback address without CURVE; the refusal is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from vtcore.engine import MainEngine
from vtcore.event import EventEngine
from vtcore.rpc import APP_NAME, RpcEngine, RpcError, RpcServiceStatus

from .style import ERROR_STYLE
from .text import Text


class RpcManager(QtWidgets.QWidget):
    """The RPC service's panel: addresses, CURVE, Start / Stop, and its status."""

    def __init__(self, main_engine: MainEngine, event_engine: EventEngine, text: Text | None = None) -> None:
        super().__init__()
        self.text = text or Text()
        self.setWindowTitle(self.text("app_RpcService"))
        engine = main_engine.get_engine(APP_NAME)
        if not isinstance(engine, RpcEngine):
            raise RuntimeError(self.text("rpc_missing"))
        self.engine = engine
        self._shown: RpcServiceStatus | None = None
        # The service may also be started or stopped by code: read its status twice a second while shown.
        self._poll = QtCore.QTimer(self)
        self._poll.setInterval(500)
        self._poll.timeout.connect(lambda: self.show_status(self.engine.status))

        self.rep_edit = QtWidgets.QLineEdit(engine.rep_address, self)
        self.pub_edit = QtWidgets.QLineEdit(engine.pub_address, self)
        self.curve_box = QtWidgets.QCheckBox(self.text("rpc_curve"), self)
        self.curve_box.setChecked(engine.curve)
        self.start_button = QtWidgets.QPushButton(self.text("rpc_start"), self)
        self.start_button.clicked.connect(self.start)
        self.stop_button = QtWidgets.QPushButton(self.text("rpc_stop"), self)
        self.stop_button.clicked.connect(self.stop)
        self.status_label = QtWidgets.QLabel(self)
        self.status_label.setWordWrap(True)
        self.key_edit = QtWidgets.QLineEdit(self)
        self.key_edit.setReadOnly(True)

        form = QtWidgets.QFormLayout()
        form.addRow(self.text("rpc_rep"), self.rep_edit)
        form.addRow(self.text("rpc_pub"), self.pub_edit)
        form.addRow("", self.curve_box)
        form.addRow(self.text("rpc_key"), self.key_edit)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        self.setMinimumWidth(560)
        self.show_status(engine.status)

    def start(self) -> bool:
        """Start the service with the addresses shown; a refusal is shown, never raised."""
        try:
            self.engine.start(
                self.rep_edit.text().strip(), self.pub_edit.text().strip(), curve=self.curve_box.isChecked()
            )
        except (RpcError, ValueError, OSError) as error:
            self._shown = None
            self.status_label.setStyleSheet(ERROR_STYLE)
            self.status_label.setText(str(error))
            return False
        self.show_status(self.engine.status)
        return True

    def stop(self) -> None:
        self.engine.stop()
        self.show_status(self.engine.status)

    def show_status(self, status: RpcServiceStatus) -> None:
        if status == self._shown:
            return
        self._shown = status
        running = status.running
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for editor in (self.rep_edit, self.pub_edit, self.curve_box):
            editor.setEnabled(not running)
        self.key_edit.setText(status.server_public_key if status.secure else "")
        self.status_label.setStyleSheet("")
        if running:
            running_text = self.text("rpc_running", rep=status.rep_address, pub=status.pub_address)
            self.status_label.setText(running_text)
        else:
            self.status_label.setText(self.text("rpc_stopped"))

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self._poll.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:  # noqa: N802
        """Hiding the panel leaves the service as it is (running or not); it stops with the engine."""
        self._poll.stop()
        super().hideEvent(event)
