"""The window under a flood of ticks from the C++ core: 100k ticks/s from a TestProducer thread.

What is asserted does not depend on timing: every tick the engine dispatched reached the bridge, each symbol's
row ends on the engine's latest tick for it, and far fewer ticks were painted than received (coalescing).
How responsive the GUI stayed (the longest gap of a 10 ms timer) is measured and printed, not asserted.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtCore
from test_ui_window import home as _settings_home_fixture

from vtcore import EventEngine, MainEngine, _core
from vtcore.ui import MainWindow

WAIT_MS = 60_000
SYMBOLS = [f"fl{index:02d}" for index in range(20)]
TICKS = 200_000
RATE = 100_000.0

home = _settings_home_fixture  # the fixture giving each test its own settings folder


@pytest.fixture
def engine(home: Path) -> Iterator[tuple[MainEngine, EventEngine]]:
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    yield main_engine, event_engine
    main_engine.close()


@pytest.mark.parametrize("symbol_count", [20, 500])
def test_window_coalesces_a_flood_of_100k_ticks_per_second(
    qtbot: Any, engine: tuple[MainEngine, EventEngine], symbol_count: int
) -> None:
    symbols = [f"fl{index:03d}" for index in range(symbol_count)]
    main_engine, event_engine = engine
    window = MainWindow(main_engine, event_engine, close_engine=False, repaint_ms=50)
    qtbot.addWidget(window)
    window.show()

    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QtCore.QTimer(window)
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()

    producer = event_engine.create_producer("ui-flood", "FLOOD")
    load = _core.TestProducer(producer, symbols, "SHFE")
    started = time.perf_counter()
    load.start(TICKS, RATE)
    qtbot.waitUntil(lambda: not load.running, timeout=WAIT_MS)
    elapsed = time.perf_counter() - started
    assert load.pushed + load.dropped == TICKS
    # Every tick that got into the ring reaches the bridge, then the screen shows each symbol's last one.
    qtbot.waitUntil(lambda: window.bridge.ticks_received == load.pushed, timeout=WAIT_MS)
    monitor = window.tick_monitor
    qtbot.waitUntil(lambda: monitor.model.rowCount() == symbol_count, timeout=WAIT_MS)

    def shows_latest() -> bool:
        for tick in main_engine.get_all_ticks():
            row = monitor.model.find(tick.vt_symbol)
            if row is None or row.volume != tick.volume:
                return False
        return True

    qtbot.waitUntil(shows_latest, timeout=WAIT_MS)
    heartbeat.stop()
    shown = window.bridge.ticks_shown
    assert shown < load.pushed / 4  # painted per symbol per repaint, not per tick
    gaps.sort()
    print(
        f"\n{symbol_count} symbols: {load.pushed} ticks pushed in {elapsed:.2f}s "
        f"({load.pushed / elapsed:,.0f}/s), "
        f"{load.dropped} dropped by the ring; {shown} painted; gaps of a 10 ms GUI timer during the flood: "
        f"median {gaps[len(gaps) // 2] * 1000:.0f} ms, longest {gaps[-1] * 1000:.0f} ms"
    )
    window.close()


def test_engine_never_waits_for_a_frozen_gui(qtbot: Any, engine: tuple[MainEngine, EventEngine]) -> None:
    """With the GUI thread busy elsewhere (Qt's loop not running), the engine still dispatches every tick to
    the window's handler; the window catches up, one row per symbol, when its loop runs again."""
    main_engine, event_engine = engine
    window = MainWindow(main_engine, event_engine, close_engine=False, repaint_ms=50)
    qtbot.addWidget(window)
    window.show()
    producer = event_engine.create_producer("ui-frozen", "FROZEN")
    load = _core.TestProducer(producer, SYMBOLS, "SHFE")
    load.start(50_000, 0.0)  # as fast as it goes
    assert load.join(60.0)
    # The GUI thread only polls a counter here: no Qt event is processed while the engine works.
    deadline = time.monotonic() + 60.0
    while window.bridge.ticks_received < load.pushed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert window.bridge.ticks_received == load.pushed
    assert window.tick_monitor.model.rowCount() == 0  # nothing painted yet: the GUI was not running
    qtbot.waitUntil(lambda: window.tick_monitor.model.rowCount() == len(SYMBOLS), timeout=WAIT_MS)
    assert window.bridge.ticks_shown == len(SYMBOLS)  # one repaint took the latest of each symbol
