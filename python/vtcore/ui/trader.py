"""Open the trader window over a new MainEngine, for scripts and for `vtcore trader`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vtcore.engine import MainEngine
from vtcore.event import EventEngine

from .mainwindow import MainWindow
from .qapp import create_qapp, interrupt_closes_windows


def build_trader(
    gateways: Iterable[type[Any]] = (), apps: Iterable[type[Any]] = (), language: str | None = None
) -> tuple[MainEngine, MainWindow]:
    """A started engine with the gateways and apps added, and its (not yet shown) window."""
    create_qapp()
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    for gateway_class in gateways:
        main_engine.add_gateway(gateway_class)
    for app_class in apps:
        main_engine.add_app(app_class)
    return main_engine, MainWindow(main_engine, event_engine, language=language)


def run_trader(
    gateways: Iterable[type[Any]] = (), apps: Iterable[type[Any]] = (), language: str | None = None
) -> int:
    """Show the window maximized and run until it closes (closing it closes the engine)."""
    qapp = create_qapp()
    _main_engine, window = build_trader(gateways, apps, language)
    window.showMaximized()
    with interrupt_closes_windows(qapp):
        return int(qapp.exec())
