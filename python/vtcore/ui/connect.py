"""The connect dialog, generated from a gateway's `default_setting`.

The type of each default value declares its field: `str` a text box, `int` / `float` a checked number box,
`bool` a checkbox, a list of strings a drop-down (first = default). Fields whose name means a secret are
masked. The dialog is prefilled from `connect_<gateway>.json`, and on Connect it checks every field, saves the
file (owner-only) and calls `MainEngine.connect`. A field that does not parse shows why beside it and nothing
is sent.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6 import QtCore, QtWidgets

from vtcore.engine import MainEngine
from vtcore.errors import SettingsError
from vtcore.log import mask_secrets, register_secrets
from vtcore.setting import (
    SettingsSpec,
    connect_setting_file,
    is_secret_key,
    load_json,
    save_connect_setting,
)

from .style import ERROR_STYLE
from .text import Text


class SettingField:
    """One row of the dialog: its editor, the error label beside it, and how to read a value back."""

    def __init__(
        self,
        name: str,
        default: Any,
        saved: Any,
        text: Text,
        parent: QtWidgets.QWidget,
        *,
        labels: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.default = default
        self.text = text
        self.error = QtWidgets.QLabel(parent)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setObjectName(f"error_{name}")
        self.widget: QtWidgets.QWidget
        if isinstance(default, bool):
            box = QtWidgets.QCheckBox(parent)
            box.setChecked(saved if isinstance(saved, bool) else default)
            self.widget = box
        elif isinstance(default, list):
            # a choice shows its vn.py label in a Chinese window (实盘 for production); its value stays
            shown = labels if labels and text.language == "zh" else {}
            combo = QtWidgets.QComboBox(parent)
            for choice in default:
                combo.addItem(shown.get(str(choice), str(choice)), str(choice))
            if isinstance(saved, str) and saved in default:
                combo.setCurrentIndex(default.index(saved))
            self.widget = combo
        else:
            line = QtWidgets.QLineEdit(parent)
            if saved is not None and not isinstance(saved, (list, dict)):
                line.setText(str(saved))
            else:
                line.setText(str(default))
            if is_secret_key(name):
                line.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
            line.textChanged.connect(self.check)
            self.widget = line
        self.widget.setObjectName(f"field_{name}")

    def value(self) -> tuple[Any, str]:
        """(value, error text); the error text is empty when the field parses."""
        widget = self.widget
        if isinstance(widget, QtWidgets.QCheckBox):
            return widget.isChecked(), ""
        if isinstance(widget, QtWidgets.QComboBox):
            return widget.currentData(), ""
        assert isinstance(widget, QtWidgets.QLineEdit)
        raw = widget.text()
        if isinstance(self.default, int):
            try:
                return int(raw.strip()), ""
            except ValueError:
                return None, self.text("need_int")
        if isinstance(self.default, float):
            try:
                number = float(raw.strip())
            except ValueError:
                return None, self.text("need_float")
            return (number, "") if math.isfinite(number) else (None, self.text("need_float"))
        return raw, ""

    def check(self) -> bool:
        """Show or clear this field's error; True when it parses."""
        _, error = self.value()
        self.error.setText(error)
        self.error.setVisible(bool(error))
        return not error


class ConnectDialog(QtWidgets.QDialog):
    """Settings form for one gateway; Connect saves the settings and connects."""

    def __init__(
        self,
        main_engine: MainEngine,
        gateway_name: str,
        text: Text,
        parent: QtWidgets.QWidget | None = None,
        connected: bool = False,
    ) -> None:
        super().__init__(parent)
        self.main_engine = main_engine
        self.gateway_name = gateway_name
        self.text = text
        self.setWindowTitle(text("connect_title", gateway=gateway_name))
        self.setObjectName(f"connect_{gateway_name}")

        default_setting: dict[str, Any] = dict(main_engine.get_default_setting(gateway_name) or {})
        self.default_setting = default_setting
        self.spec = main_engine.get_settings_spec(gateway_name) or SettingsSpec(default_setting)
        try:
            # vn.py's own file (用户名, 柜台环境 实盘, ...) prefills the English fields too
            saved = self.spec.normalize(load_json(connect_setting_file(gateway_name)) or {}, warn=False)
            self._status_text = ""
        except SettingsError as error:  # a broken file must not stop the user from typing new settings
            saved = {}
            self._status_text = str(error)

        form = QtWidgets.QGridLayout()
        self.fields: dict[str, SettingField] = {}
        for row, (name, default) in enumerate(default_setting.items()):
            field = SettingField(name, default, saved.get(name), text, self, labels=self.spec.labels(name))
            self.fields[name] = field
            form.addWidget(QtWidgets.QLabel(text.field(name), self), row, 0)
            form.addWidget(field.widget, row, 1)
            form.addWidget(field.error, row, 2)
            field.check()

        self.status = QtWidgets.QLabel(self._status_text, self)
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setWordWrap(True)
        # Connecting again while connected closes the running session first (vn.py ignored a second connect
        # silently): the dialog says so before the user clicks.
        self.connected = connected
        notice = text("reconnect_notice", gateway=gateway_name) if connected else ""
        self.notice = QtWidgets.QLabel(notice, self)
        self.notice.setWordWrap(True)
        self.notice.setVisible(connected)
        self.connect_button = QtWidgets.QPushButton(text("reconnect" if connected else "connect"), self)
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_gateway)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.connect_button, alignment=QtCore.Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(480)

    def setting(self) -> dict[str, Any] | None:
        """The typed settings, or None (with every bad field marked) when any field does not parse."""
        values: dict[str, Any] = {}
        valid = True
        for name, field in self.fields.items():
            valid = field.check() and valid
            values[name] = field.value()[0]
        return values if valid else None

    @staticmethod
    def _without_secrets(message: str, setting: dict[str, Any]) -> str:
        """A gateway's error text with any secret value of the setting masked, in case it quoted one: also as
        repr() or JSON show it (a binding's TypeError lists its arguments' reprs, where a backslash or a
        non-ASCII character is escaped) and as any `password=...` pair, as the log masks them."""
        register_secrets(setting)
        return mask_secrets(message)

    def connect_gateway(self) -> bool:
        """Check, save and connect; True when the gateway was asked to connect."""
        setting = self.setting()
        if setting is None:
            return False
        try:
            save_connect_setting(self.gateway_name, setting, self.spec)
        except (OSError, SettingsError) as error:
            self.status.setText(self.text("save_failed", error=self._without_secrets(str(error), setting)))
            return False
        try:
            if self.connected:  # the old session really ends before the new one starts
                gateway = self.main_engine.get_gateway(self.gateway_name)
                if gateway is not None:
                    message = self.text("reconnecting", gateway=self.gateway_name)
                    self.main_engine.write_log(message, "MainWindow")
                    gateway.close()
            self.main_engine.connect(setting, self.gateway_name)
        except Exception as error:  # shown to the user; the engine names the bad key
            self.status.setText(self.text("connect_failed", error=self._without_secrets(str(error), setting)))
            return False
        self.accept()
        return True
