"""The QApplication the trader window runs in."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def interrupt_closes_windows(qapp: QtWidgets.QApplication) -> Iterator[None]:
    """While inside, Ctrl-C closes the windows. Python only sees a signal when it runs, so a timer wakes it up
    twice a second while Qt's loop waits. The previous SIGINT handler is restored on the way out."""
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: qapp.closeAllWindows())
    timer = QtCore.QTimer(qapp)
    timer.setInterval(500)
    timer.timeout.connect(lambda: None)
    timer.start()
    try:
        yield
    finally:
        timer.stop()
        timer.deleteLater()
        signal.signal(signal.SIGINT, previous)
