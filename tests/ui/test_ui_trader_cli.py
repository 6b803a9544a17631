"""`vtcore trader` and the script entry point `run_trader`: the window opens, runs Qt's loop, and returns when
it is closed (closing it closes the engine)."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets
from test_ui_window import DemoApp, DemoGateway
from test_ui_window import home as _settings_home_fixture

from vtcore import cli
from vtcore.errors import VtcoreError
from vtcore.gateways import DEFAULT_SIM_GATEWAY, load_gateway_class, start_sim_peer
from vtcore.ui import MainWindow, run_trader

home = _settings_home_fixture  # the fixture giving each test its own settings folder


def close_when(
    condition: Callable[[MainWindow], bool], shown: list[MainWindow], limit_s: float = 20.0
) -> None:
    """Once Qt's loop runs, close the trader window as soon as `condition(window)` holds, recording it in
    `shown`; after `limit_s` it is closed anyway (and the test's own assertions then fail)."""
    timer = QtCore.QTimer(QtWidgets.QApplication.instance())
    started = time.monotonic()

    def check() -> None:
        windows = [w for w in QtWidgets.QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        for window in (w for w in windows if w.isVisible()):
            if condition(window) or time.monotonic() - started > limit_s:
                shown.append(window)
                timer.stop()
                timer.deleteLater()
                window.close()

    timer.timeout.connect(check)
    timer.start(20)


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
    close_when(lambda _window: True, opened)
    assert cli.main(["trader", "--gateway", "NOPE", "--language", "en"]) == 0
    assert len(opened) == 1
    window = opened[0]
    assert window.system_menu.title() == "System"
    assert window.connect_actions == {}  # the unknown gateway was left out, and said so
    assert "gateway NOPE left out" in capsys.readouterr().err
    assert not window.main_engine.event_engine.active  # closing the window closed the engine


def simulator_built() -> bool:
    """Whether this build has the CTP gateway and its simulator (`vtcore trader --sim` needs both)."""
    try:
        load_gateway_class(start_sim_peer(DEFAULT_SIM_GATEWAY).gateway)
    except VtcoreError:
        return False
    return True


@pytest.mark.skipif(simulator_built(), reason="the CTP simulator is built: see the simulator-backed test")
def test_trader_sim_says_when_the_simulator_is_missing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["trader", "--sim"]) == 2
    assert "simulator is not available" in capsys.readouterr().err


@pytest.mark.skipif(not simulator_built(), reason="this build has no CTP gateway or simulator")
def test_trader_sim_shows_the_simulated_exchange(qtbot: Any, home: Path) -> None:
    """`vtcore trader --sim`: CTP on the simulator libraries; contracts, account, ticks reach the window."""
    shown: list[MainWindow] = []

    def live(window: MainWindow) -> bool:
        return (
            window.gateway_ready("CTP")
            and window.account_monitor.model.rowCount() >= 1
            and window.tick_monitor.model.rowCount() >= 1
            and window.trading_widget.completion_model.rowCount() >= 1
        )

    close_when(live, shown, limit_s=60.0)
    assert cli.main(["trader", "--sim"]) == 0
    window = shown[0]
    assert live(window), window.gateway_state_label.text()
    assert window.connect_actions.keys() == {"CTP"}


def test_run_trader_for_scripts_adds_gateways_and_apps(qtbot: Any, home: Path) -> None:

    opened: list[MainWindow] = []
    close_when(lambda _window: True, opened)
    assert run_trader([DemoGateway], [DemoApp]) == 0
    window = opened[0]
    assert list(window.connect_actions) == ["DEMO"]
    assert list(window.app_actions) == ["DemoApp"]
    assert window.system_menu.title() == "系统"


def test_run_trader_connects_what_it_is_given(
    qtbot: Any, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[MainWindow] = []
    setting = {
        "username": "carol",
        "password": "pw",
        "port": 1,
        "fee_rate": 0.0,
        "auto_reconnect": True,
        "server": "REAL",
    }
    close_when(lambda window: window.account_monitor.model.rowCount() == 1, seen)
    assert run_trader([DemoGateway], connect={"DEMO": setting}) == 0
    window = seen[-1]
    assert window.account_monitor.model.row_data(0).accountid == "carol"

    seen.clear()

    def refused(window: MainWindow) -> bool:
        return any("cannot connect DEMO" in log.msg for log in window.log_monitor.model.rows)

    close_when(refused, seen)
    assert run_trader([DemoGateway], connect={"DEMO": {**setting, "port": "one"}}) == 0
    assert "cannot connect DEMO" in capsys.readouterr().err
    assert seen[-1].account_monitor.model.rowCount() == 0


class _LeakyGateway(DemoGateway):
    def connect(self, setting: dict[str, Any]) -> None:  # as a binding words an argument it cannot convert
        raise TypeError(f"login(): incompatible function arguments. Invoked with: {setting['password']!r}")


def test_run_trader_masks_the_password_in_a_connect_failure(
    qtbot: Any, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "hunter2\\SECRET"  # its repr() is not itself: a backslash doubles
    setting = {
        "username": "carol",
        "password": secret,
        "port": 1,
        "fee_rate": 0.0,
        "auto_reconnect": True,
        "server": "REAL",
    }
    seen: list[MainWindow] = []

    def refused(window: MainWindow) -> bool:
        return any("cannot connect DEMO" in log.msg for log in window.log_monitor.model.rows)

    close_when(refused, seen)
    assert run_trader([_LeakyGateway], connect={"DEMO": setting}) == 0
    err = capsys.readouterr().err
    assert "cannot connect DEMO" in err and "incompatible" in err  # the failure is still said
    assert "SECRET" not in err, err
    assert not any("SECRET" in log.msg for log in seen[-1].log_monitor.model.rows)
