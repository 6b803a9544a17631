"""Hand-over of engine events to the GUI thread.

Engine handlers run on the engine thread and must never touch a widget or wait for the GUI. They only
store: ticks go into a latest-value map (one entry per vt_symbol, so 100k ticks/s cost one dict store each
and the GUI sees at most one tick per symbol per repaint); every other event (orders, trades, positions,
accounts, contracts, logs) is appended to a deque, which keeps them all and in order. A QTimer on the GUI
thread takes both at each repaint and hands them to the widgets.

The only lock guards the swap of the tick map: the engine holds it for one dict store, the GUI for one
reference swap, so neither side ever waits for more than that.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from vtcore.event import EVENT_TICK, EventEngine
from vtcore.log import get_logger

Handler = Callable[[Any], None]
logger = get_logger("vtcore.ui")  # masked, as every vtcore logger is


class EventBridge(QtCore.QObject):
    """Collects engine events off the GUI thread and delivers them on it, coalescing ticks per symbol."""

    def __init__(
        self, event_engine: EventEngine, repaint_ms: int = 100, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._event_engine = event_engine
        self._tick_lock = threading.Lock()
        self._latest_ticks: dict[str, Any] = {}
        self._messages: deque[tuple[str, Any]] = deque()
        self._tick_handlers: list[Callable[[list[Any]], None]] = []
        self._handlers: dict[str, list[Handler]] = {}
        self.ticks_received = 0
        self.ticks_shown = 0
        self.handler_errors = 0

        self.repaint_ms = repaint_ms
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(repaint_ms)
        self._timer.timeout.connect(self.deliver)
        self._timer.start()

    # --- engine thread -------------------------------------------------------------------------------------

    def _on_tick(self, event: Any) -> None:
        tick = event.data
        with self._tick_lock:
            self._latest_ticks[tick.vt_symbol] = tick
            self.ticks_received += 1

    def _on_message(self, event: Any) -> None:
        self._messages.append((event.type, event.data))

    # --- GUI thread ----------------------------------------------------------------------------------------

    def subscribe_ticks(self, handler: Callable[[list[Any]], None]) -> None:
        """`handler(ticks)` receives the latest tick of every symbol that ticked since the last repaint."""
        if not self._tick_handlers:
            self._event_engine.register(EVENT_TICK, self._on_tick)
        self._tick_handlers.append(handler)

    def subscribe(self, event_type: str, handler: Handler) -> None:
        """`handler(data)` receives every event of `event_type` (exact type), in order, on the GUI thread."""
        if event_type not in self._handlers:
            self._event_engine.register(event_type, self._on_message)
        self._handlers.setdefault(event_type, []).append(handler)

    def deliver(self) -> None:
        """Hand everything collected since the last call to the widgets (the repaint timer calls this).

        When a delivery takes long (hundreds of symbols ticking), the next one waits three times as long, so
        the widgets get at most a quarter of the GUI thread and input stays prompt; tables then refresh less
        often, never with stale rows left behind.
        """
        started = time.perf_counter()
        try:
            self._deliver()
        finally:
            spent_ms = (time.perf_counter() - started) * 1000.0
            self._timer.setInterval(max(self.repaint_ms, min(int(spent_ms * 3), 2000)))

    def _deliver(self) -> None:
        with self._tick_lock:
            ticks, self._latest_ticks = self._latest_ticks, {}
        # Bounded per call, so a flood of messages cannot freeze the window; the rest waits for the next one.
        for _ in range(min(len(self._messages), 20000)):
            event_type, data = self._messages.popleft()
            for handler in self._handlers.get(event_type, ()):
                self._call(handler, data)
        if ticks:
            self.ticks_shown += len(ticks)
            latest = list(ticks.values())
            for tick_handler in self._tick_handlers:
                self._call(tick_handler, latest)

    def _call(self, handler: Callable[[Any], None], data: Any) -> None:
        # One widget's fault must not keep the event from the others, nor stop the repaints.
        try:
            handler(data)
        except Exception:
            self.handler_errors += 1
            logger.exception("trader window handler %s failed", getattr(handler, "__qualname__", handler))

    def close(self) -> None:
        """Stop the repaint timer and leave the engine's handler lists."""
        self._timer.stop()
        if self._tick_handlers:
            self._event_engine.unregister(EVENT_TICK, self._on_tick)
        for event_type in self._handlers:
            self._event_engine.unregister(event_type, self._on_message)
        self._tick_handlers.clear()
        self._handlers.clear()
