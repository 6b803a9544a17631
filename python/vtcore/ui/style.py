"""Colours and style sheets shared by the window's widgets."""

from __future__ import annotations

from PySide6 import QtGui

LONG_COLOR = QtGui.QColor("#d62728")  # red: long / up, the Chinese market's convention
SHORT_COLOR = QtGui.QColor("#2ca02c")  # green: short / down
ERROR_COLOR = QtGui.QColor("#d62728")
WARNING_COLOR = QtGui.QColor("#e67e00")
ERROR_STYLE = f"color: {ERROR_COLOR.name()};"
OK_STYLE = f"color: {SHORT_COLOR.name()};"
