"""The trader window's layout is saved on close and restored by the next window, as in vn.py's VN Trader.

Dock places and sizes, the window's size and each monitor's column order and widths go to
`.vntrader/trader_layout.json` (0600). A file that cannot be used (not JSON, another format, blobs Qt refuses)
never stops the window: it opens with the default layout and says so in the log. Help -> 还原窗口 puts the
default layout back. Offscreen; every wait is on a condition.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

import base64
import json
import logging
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets
from test_ui_trader_cli import close_when
from test_ui_window import WAIT_MS, DemoGateway, connect_demo, rows, save_screenshot
from test_ui_window import engine as _engine_fixture
from test_ui_window import home as _settings_home_fixture

from vtcore import EventEngine, MainEngine
from vtcore.ui import MainWindow, run_trader
from vtcore.ui.layout import LAYOUT_FILE, LAYOUT_FORMAT

home = _settings_home_fixture  # each test gets its own settings folder
engine = _engine_fixture

LEFT = QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
HORIZONTAL = QtCore.Qt.Orientation.Horizontal
DEFAULT_AREAS = {
    "trading": LEFT,
    "tick": RIGHT,
    "active": RIGHT,
    "order": RIGHT,
    "trade": RIGHT,
    "log": BOTTOM,
    "account": BOTTOM,
    "position": BOTTOM,
}
Engine = tuple[MainEngine, EventEngine, DemoGateway]
WindowFactory = Callable[[], MainWindow]


@pytest.fixture
def open_window(qtbot: Any, engine: Engine) -> Iterator[WindowFactory]:
    """Opens (shows) a new window over the same engine, as a restart of the trader window would."""
    main_engine, event_engine, _ = engine
    opened: list[MainWindow] = []

    def factory() -> MainWindow:
        window = MainWindow(main_engine, event_engine, close_engine=False, repaint_ms=20)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window, timeout=WAIT_MS)
        opened.append(window)
        return window

    yield factory
    for window in opened:
        window.close()


def areas(window: MainWindow) -> dict[str, QtCore.Qt.DockWidgetArea]:
    return {name: window.dockWidgetArea(dock) for name, dock in window.docks.items()}


def tick_header(window: MainWindow) -> Any:
    return window.tick_monitor.view.horizontalHeader()


def tabbed_with_active(window: MainWindow) -> list[str]:
    names = {dock: name for name, dock in window.docks.items()}
    return [names[dock] for dock in window.tabifiedDockWidgets(window.docks["active"])]


def log_lines(window: MainWindow) -> list[str]:
    return [row["信息"] for row in rows(window.log_monitor)]


def test_layout_round_trip_across_two_windows(
    qtbot: Any, open_window: WindowFactory, engine: Engine, home: Path, request: pytest.FixtureRequest
) -> None:
    first = open_window()
    assert not first.layout_restored  # nothing saved yet
    assert areas(first) == DEFAULT_AREAS

    # The user's changes: a smaller window, the accounts dock moved to the right, the log dock widened, and in
    # the tick monitor the first column moved to fourth place and another column widened by hand.
    first.resize(700, 600)  # the docks' minimum height keeps it taller; the test compares what Qt settled on
    first.addDockWidget(RIGHT, first.docks["account"])
    # Settled: the window has its new width and the accounts dock sits in the right column.
    qtbot.waitUntil(lambda: first.width() == 700, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: first.docks["account"].width() == first.docks["tick"].width(), timeout=WAIT_MS)
    log_width = first.docks["log"].width()
    first.resizeDocks([first.docks["log"]], [log_width + 40], HORIZONTAL)  # as far as the neighbour allows
    qtbot.waitUntil(lambda: first.docks["log"].width() > log_width, timeout=WAIT_MS)
    saved_log_width = first.docks["log"].width()
    header = tick_header(first)
    header.moveSection(0, 3)
    header.resizeSection(1, 222)
    saved_size = first.size()
    assert first.tick_monitor.user_sized == {1}  # a column sized by hand keeps its width from now on
    first.close()

    saved = home / LAYOUT_FILE
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert json.loads(saved.read_text(encoding="utf-8"))["format"] == LAYOUT_FORMAT

    second = open_window()
    assert second.layout_restored
    assert areas(second) == {**DEFAULT_AREAS, "account": RIGHT}
    assert second.size() == saved_size
    qtbot.waitUntil(lambda: second.docks["log"].width() == saved_log_width, timeout=WAIT_MS)
    restored = tick_header(second)
    assert restored.logicalIndex(3) == 0  # the symbol column is fourth
    assert restored.visualIndex(0) == 3
    assert restored.sectionSize(1) == 222
    assert [row for row in rows(second.tick_monitor)] == []

    # Rows arriving later do not undo the user's widths; the other monitors still fit their contents.
    connect_demo(qtbot, second, engine[2])
    qtbot.waitUntil(lambda: len(rows(second.tick_monitor)) == 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not second.tick_monitor.resize_pending(), timeout=WAIT_MS)
    assert restored.sectionSize(1) == 222
    shown_headers, _ = second.tick_monitor.displayed_table()  # in the order the view shows them
    assert shown_headers[:4] == ["交易所", "名称", "最新价", "代码"]
    assert second.tick_monitor.user_sized == {1}
    # The other columns still fit their contents: the contract names are shown whole.
    names = second.tick_monitor.header_keys().index("col_name")
    assert restored.sectionSize(names) >= second.tick_monitor.view.sizeHintForColumn(names)
    save_screenshot(qtbot, second, "ui_layout_restored", request)


def test_sorting_and_filtering_do_not_count_as_sizing_columns(
    qtbot: Any, open_window: WindowFactory, engine: Engine
) -> None:
    window = open_window()
    connect_demo(qtbot, window, engine[2])
    monitor = window.tick_monitor
    qtbot.waitUntil(lambda: len(rows(monitor)) == 3, timeout=WAIT_MS)
    monitor.view.sortByColumn(3, QtCore.Qt.SortOrder.DescendingOrder)
    qtbot.keyClicks(monitor.filter_edit, "rb")
    window.resize(1300, 850)
    qtbot.waitUntil(lambda: window.width() == 1300, timeout=WAIT_MS)
    assert monitor.user_sized == set()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2, 3]", "JSON object"),
        (json.dumps({"format": 99, "state": "AAAA"}), "format 99"),
        (json.dumps({"format": LAYOUT_FORMAT, "state": "not base64!"}), "not base64"),
        # Well-formed, but the blobs are not Qt's: a foreign or damaged layout.
        (
            json.dumps({"format": LAYOUT_FORMAT, "state": base64.b64encode(b"\x00\xffjunk" * 9).decode()}),
            "dock layout",
        ),
        (
            json.dumps(
                {"format": LAYOUT_FORMAT, "geometry": base64.b64encode(b"nope").decode(), "state": "AA=="}
            ),
            "geometry",
        ),
    ],
)
def test_an_unusable_layout_file_falls_back_to_the_default_and_is_logged(
    qtbot: Any,
    open_window: WindowFactory,
    home: Path,
    caplog: pytest.LogCaptureFixture,
    *,
    content: str,
    reason: str,
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / LAYOUT_FILE).write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="vtcore.ui"):
        window = open_window()
    assert not window.layout_restored
    assert areas(window) == DEFAULT_AREAS
    assert tabbed_with_active(window) == ["order", "trade"]
    assert tick_header(window).logicalIndex(0) == 0
    assert window.tick_monitor.user_sized == set()
    expected = "窗口布局"
    qtbot.waitUntil(
        lambda: any(expected in line and reason in line for line in log_lines(window)), timeout=WAIT_MS
    )
    messages = [record.getMessage() for record in caplog.records]
    assert any(LAYOUT_FILE in message and reason in message for message in messages)

    # Closing saves a good layout over the bad one; the next window restores it.
    window.close()
    assert open_window().layout_restored


def test_a_real_layout_from_a_window_with_other_docks_falls_back(
    qtbot: Any, open_window: WindowFactory, home: Path
) -> None:
    """A QMainWindow state saved under another version number (a foreign program or an older vtcore)."""
    other = QtWidgets.QMainWindow()
    qtbot.addWidget(other)
    dock = QtWidgets.QDockWidget("x", other)
    dock.setObjectName("dock_log")
    other.addDockWidget(LEFT, dock)
    state = base64.b64encode(bytes(other.saveState(LAYOUT_FORMAT + 41).data())).decode()
    home.mkdir(parents=True, exist_ok=True)
    (home / LAYOUT_FILE).write_text(json.dumps({"format": LAYOUT_FORMAT, "state": state}), encoding="utf-8")
    window = open_window()
    assert not window.layout_restored
    assert areas(window) == DEFAULT_AREAS
    qtbot.waitUntil(lambda: any("dock layout" in line for line in log_lines(window)), timeout=WAIT_MS)


def test_saved_columns_of_another_version_are_skipped_and_the_rest_restored(
    qtbot: Any, open_window: WindowFactory, home: Path
) -> None:
    first = open_window()
    first.addDockWidget(LEFT, first.docks["position"])
    tick_header(first).moveSection(0, 2)
    first.order_monitor.view.horizontalHeader().moveSection(0, 1)
    first.close()
    saved = json.loads((home / LAYOUT_FILE).read_text(encoding="utf-8"))
    saved["monitors"]["tick"]["columns"].append("col_added_later")  # as if saved by a version with more
    (home / LAYOUT_FILE).write_text(json.dumps(saved), encoding="utf-8")

    second = open_window()
    assert second.layout_restored
    assert areas(second)["position"] == LEFT
    assert tick_header(second).logicalIndex(0) == 0  # its default order
    assert second.order_monitor.view.horizontalHeader().logicalIndex(0) == 1  # restored
    qtbot.waitUntil(
        lambda: any("tick" in line and "列设置" in line for line in log_lines(second)), timeout=WAIT_MS
    )


def test_a_window_never_shown_does_not_overwrite_the_saved_layout(
    qtbot: Any, open_window: WindowFactory, engine: Engine, home: Path
) -> None:
    first = open_window()
    first.addDockWidget(LEFT, first.docks["trade"])
    first.close()
    saved = (home / LAYOUT_FILE).read_bytes()
    main_engine, event_engine, _ = engine
    hidden = MainWindow(main_engine, event_engine, close_engine=False)  # e.g. a script that built one
    qtbot.addWidget(hidden)
    hidden.close()
    assert (home / LAYOUT_FILE).read_bytes() == saved
    assert areas(open_window())["trade"] == LEFT


def test_restore_default_layout_action(qtbot: Any, open_window: WindowFactory, home: Path) -> None:
    window = open_window()
    assert window.restore_layout_action in window.help_menu.actions()
    assert window.restore_layout_action.text() == "还原窗口"
    default_size = window.size()
    window.addDockWidget(LEFT, window.docks["tick"])
    window.docks["log"].setFloating(True)
    window.resize(900, 700)
    header = tick_header(window)
    header.moveSection(2, 0)
    header.resizeSection(5, 300)
    qtbot.waitUntil(lambda: window.width() == 900, timeout=WAIT_MS)
    assert areas(window)["tick"] == LEFT
    assert 5 in window.tick_monitor.user_sized

    window.restore_layout_action.trigger()
    assert areas(window) == DEFAULT_AREAS
    assert not window.docks["log"].isFloating()
    assert tabbed_with_active(window) == ["order", "trade"]
    assert [header.logicalIndex(visual) for visual in range(header.count())] == list(range(header.count()))
    assert header.sectionSize(5) != 300
    assert window.tick_monitor.user_sized == set()
    qtbot.waitUntil(lambda: window.size() == default_size, timeout=WAIT_MS)

    # And it is the default that the next window gets.
    window.close()
    assert areas(open_window()) == DEFAULT_AREAS


def test_english_window_labels_the_action(engine: Engine, qtbot: Any, home: Path) -> None:
    main_engine, event_engine, _ = engine
    window = MainWindow(main_engine, event_engine, language="en", close_engine=False)
    qtbot.addWidget(window)
    assert window.restore_layout_action.text() == "Restore Default Layout"
    assert [action.text() for action in window.tick_monitor.context_menu.actions()] == [
        "Fit Columns",
        "Save Data",
    ]


def test_run_trader_opens_maximized_first_then_as_the_last_window_was(
    qtbot: Any, open_window: WindowFactory, home: Path
) -> None:
    seen: list[MainWindow] = []
    close_when(lambda window: window.isMaximized(), seen)
    assert run_trader([DemoGateway]) == 0
    assert not seen[0].layout_restored and seen[0].isMaximized()
    close_when(lambda window: window.isMaximized(), seen)
    assert run_trader([DemoGateway]) == 0
    assert seen[1].layout_restored and seen[1].isMaximized()  # it was closed maximized

    window = open_window()
    window.showNormal()
    window.resize(700, 600)
    qtbot.waitUntil(lambda: not window.isMaximized() and window.width() == 700, timeout=WAIT_MS)
    window.close()
    close_when(lambda window: window.layout_restored, seen)
    assert run_trader([DemoGateway]) == 0
    assert not seen[2].isMaximized()
    assert seen[2].width() == 700


def test_contract_query_columns_are_kept_too(qtbot: Any, open_window: WindowFactory) -> None:
    first = open_window()
    first.query_contracts_action.trigger()
    assert first.contract_dialog is not None
    first.contract_dialog.table.view.horizontalHeader().moveSection(3, 0)  # the name first
    first.close()

    second = open_window()  # not opened this time: its saved columns are kept for the next window
    second.close()

    third = open_window()
    third.query_contracts_action.trigger()
    assert third.contract_dialog is not None
    header = third.contract_dialog.table.view.horizontalHeader()
    assert header.logicalIndex(0) == 3
    third.restore_layout_action.trigger()
    assert header.logicalIndex(0) == 0
