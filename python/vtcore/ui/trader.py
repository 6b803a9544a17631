"""Open the trader window over a new MainEngine, for scripts and for `vtcore trader`."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

from vtcore.engine import MainEngine
from vtcore.event import EventEngine
from vtcore.log import mask_secrets

from .mainwindow import MainWindow
from .qapp import create_qapp, interrupt_closes_windows


def build_trader(
    gateways: Iterable[type[Any]] = (),
    apps: Iterable[type[Any]] = (),
    language: str | None = None,
    *,
    auto_subscribe: bool = False,
    app_errors: list[str] | None = None,
) -> tuple[MainEngine, MainWindow]:
    """A started engine with the gateways and apps added, and its (not yet shown) window.

    An app whose engine cannot be created is left out and its error appended to `app_errors` (raised when
    that list is not given)."""
    create_qapp()
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    for gateway_class in gateways:
        main_engine.add_gateway(gateway_class)
    for app_class in apps:
        try:
            main_engine.add_app(app_class)
        except Exception as error:
            if app_errors is None:
                raise
            app_errors.append(f"{getattr(app_class, '__name__', app_class)}: {type(error).__name__}: {error}")
    window = MainWindow(main_engine, event_engine, language=language, auto_subscribe=auto_subscribe)
    return main_engine, window


def run_trader(
    gateways: Iterable[type[Any]] = (),
    apps: Iterable[type[Any]] = (),
    language: str | None = None,
    *,
    connect: Mapping[str, Mapping[str, Any] | None] | None = None,
    auto_subscribe: bool = False,
    app_errors: Iterable[str] = (),
) -> int:
    """Show the window (maximized, unless the last window's layout was restored) and run until it closes
    (closing it closes the engine and saves the layout).

    `connect` maps gateway names to the setting to connect them with once the window shows (None: their
    connect_<gateway>.json); a failure is logged in the window and printed, and the window stays open.
    """
    qapp = create_qapp()
    errors = list(app_errors)  # apps that could not be found (the command line) or created (here)
    main_engine, window = build_trader(
        gateways, apps, language, auto_subscribe=auto_subscribe, app_errors=errors
    )
    if window.layout_restored:
        window.show()  # the restored geometry says where, and whether maximized
    else:
        window.showMaximized()
    for error in errors:
        print(f"vtcore trader: {error}", file=sys.stderr)
        window.report_app_failure(window.text("app_load_failed", app=error.partition(":")[0], error=error))
    for gateway_name, setting in (connect or {}).items():
        try:
            main_engine.connect(dict(setting) if setting is not None else None, gateway_name)
        except Exception as error:  # the window stays useful: the user can fix the settings and retry
            # Masked before it goes anywhere: stderr has no mask of its own, and a binding's TypeError repeats
            # every argument of the call, a password among them.
            message = mask_secrets(f"cannot connect {gateway_name}: {error}")
            main_engine.write_log(message, "MainWindow")
            print(f"vtcore trader: {message}", file=sys.stderr)
    with interrupt_closes_windows(qapp):
        return int(qapp.exec())
