"""`vtcore trader` and the script entry point `run_trader`: the window opens, runs Qt's loop, and returns when
it is closed (closing it closes the engine)."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets

from test_ui_window import DemoApp, DemoGateway
from test_ui_window import home as _settings_home_fixture
from vtcore import cli
from vtcore.ui import MainWindow, run_trader

home = _settings_home_fixture  # the fixture giving each test its own settings folder


def close_windows_once_shown(opened: list[MainWindow]) -> None:
    """Queue a check that closes the trader window as soon as Qt's loop runs, recording what was shown."""

    def close() -> None:
        for widget in QtWidgets.QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                opened.append(widget)
                widget.close()

    QtCore.QTimer.singleShot(0, close)


def test_trader_help_lists_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["trader", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--gateway", "--language", "--sim"):
        assert option in out


def test_trader_opens_the_window_and_returns_when_it_closes(
    qtbot: Any, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[MainWindow] = []
    close_windows_once_shown(opened)
    assert cli.main(["trader", "--gateway", "NOPE", "--language", "en"]) == 0
    assert len(opened) == 1
    window = opened[0]
    assert window.system_menu.title() == "System"
    assert window.connect_actions == {}  # the unknown gateway was left out, and said so
    assert "gateway NOPE left out" in capsys.readouterr().err
    assert not window.main_engine.event_engine.active  # closing the window closed the engine


def test_trader_sim_says_when_the_simulator_is_missing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["trader", "--sim"]) == 2
    assert "simulator" in capsys.readouterr().err


def test_run_trader_for_scripts_adds_gateways_and_apps(qtbot: Any, home: Path) -> None:

    opened: list[MainWindow] = []
    close_windows_once_shown(opened)
    assert run_trader([DemoGateway], [DemoApp]) == 0
    window = opened[0]
    assert list(window.connect_actions) == ["DEMO"]
    assert list(window.app_actions) == ["DemoApp"]
    assert window.system_menu.title() == "系统"
