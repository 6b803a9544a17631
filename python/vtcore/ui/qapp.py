"""The QApplication the trader window runs in."""

from __future__ import annotations

import signal
import sys

from PySide6 import QtCore, QtGui, QtWidgets

from vtcore.errors import SettingsError
from vtcore.setting import get_settings


def create_qapp(app_name: str = "VN Trader") -> QtWidgets.QApplication:
    """Return the process's QApplication, creating it on first use (font from `font.family` / `font.size`)."""
    existing = QtWidgets.QApplication.instance()
    qapp = existing if isinstance(existing, QtWidgets.QApplication) else QtWidgets.QApplication(sys.argv)
    qapp.setApplicationName(app_name)
    try:
        settings = get_settings()
    except SettingsError:  # a broken vt_setting.json is reported by the engine; the window keeps Qt's font
        settings = {}
    family = settings.get("font.family")
    size = settings.get("font.size")
    font = qapp.font()
    # vn.py's default family (微软雅黑) is a Windows font: elsewhere keep the system's (with CJK fallback).
    if isinstance(family, str) and family and QtGui.QFontDatabase.hasFamily(family):
        font.setFamily(family)
    if isinstance(size, int) and size > 0:
        font.setPointSize(size)
    qapp.setFont(font)
    return qapp


def quit_on_interrupt(qapp: QtWidgets.QApplication) -> QtCore.QTimer:
    """Let Ctrl-C close the window: Python only sees signals while it runs, so wake it up twice a second."""
    signal.signal(signal.SIGINT, lambda _signum, _frame: qapp.closeAllWindows())
    timer = QtCore.QTimer(qapp)
    timer.setInterval(500)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer
