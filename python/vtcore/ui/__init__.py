"""vtcore's trader window (VN Trader) on PySide6; needs the optional extra `vtcore[gui]`.

As in vn.py::

    from vtcore import EventEngine, MainEngine
    from vtcore.gateways.ctp import CtpGateway
    from vtcore.ui import MainWindow, create_qapp

    qapp = create_qapp()
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    main_engine.add_gateway(CtpGateway)
    main_window = MainWindow(main_engine, event_engine)
    main_window.showMaximized()
    qapp.exec()

or in one call: `run_trader([CtpGateway])`. The engine never imports this package, and importing the package
itself loads no Qt: `vtcore.cli.trader` (the `vtcore trader` subcommand) is read by every `vtcore` command.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .mainwindow import MainWindow
    from .qapp import create_qapp
    from .trader import build_trader, run_trader

_LAZY = {
    "MainWindow": ".mainwindow",
    "create_qapp": ".qapp",
    "build_trader": ".trader",
    "run_trader": ".trader",
}

__all__ = ["MainWindow", "build_trader", "create_qapp", "run_trader"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
