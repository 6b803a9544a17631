"""The trader window's layout: dock places and sizes, window geometry, and each monitor's columns.

Saved when the window closes to `trader_layout.json` in the `.vntrader` folder, through `vtcore.setting`
(0600 in a 0700 folder, written to a temporary file and renamed, like every other settings file), and
restored when the next window opens. vn.py keeps the same Qt state blobs in QSettings; a JSON file in our
settings folder keeps them beside the user's other settings, private, and never half written.

The Qt blobs are stored base64-encoded with the format number and each monitor's column keys: a file that is
not JSON, of another format, or whose blobs Qt refuses raises LayoutError, and the window falls back to its
default layout. A monitor whose columns have changed since the file was saved keeps its default columns.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PySide6 import QtCore, QtWidgets

from vtcore.errors import SettingsError
from vtcore.setting import get_file_path, load_json, save_json

LAYOUT_FILE = "trader_layout.json"
#: Bumped when the docks change so that an older layout no longer fits; also QMainWindow's state version.
LAYOUT_FORMAT = 1


class LayoutError(Exception):
    """A saved layout that cannot be used; the message says why (it never quotes the file's content)."""


class ColumnOwner(Protocol):
    """What a monitor offers for its columns (BaseMonitor)."""

    def header_keys(self) -> list[str]: ...

    def header_state(self) -> QtCore.QByteArray: ...

    def restore_header_state(self, state: QtCore.QByteArray, user_sized: Iterable[int] = ()) -> bool: ...

    @property
    def user_sized(self) -> set[int]: ...


@dataclass
class ColumnLayout:
    columns: list[str]  # the monitor's column keys when saved: the state fits only the same columns
    header: bytes  # QHeaderView.saveState(): widths, order, sort
    user_sized: list[int]  # the columns the user had sized: they keep their widths as rows arrive


@dataclass
class WindowLayout:
    state: bytes  # QMainWindow.saveState(LAYOUT_FORMAT): docks' places, sizes, tabs
    geometry: bytes | None = None  # QMainWindow.saveGeometry(); None: keep the window where it is
    monitors: dict[str, ColumnLayout] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": LAYOUT_FORMAT,
            "qt_version": QtCore.qVersion(),  # for a reader of the file; not checked
            "geometry": _encode(self.geometry) if self.geometry is not None else None,
            "state": _encode(self.state),
            "monitors": {
                name: {
                    "columns": monitor.columns,
                    "header": _encode(monitor.header),
                    "user_sized": sorted(monitor.user_sized),
                }
                for name, monitor in self.monitors.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WindowLayout:
        if data.get("format") != LAYOUT_FORMAT:
            raise LayoutError(f"format {data.get('format')!r} is not {LAYOUT_FORMAT}")
        geometry = data.get("geometry")
        monitors = data.get("monitors", {})
        if not isinstance(monitors, dict):
            raise LayoutError("'monitors' is not an object")
        layout = cls(
            state=_decode(data.get("state"), "state"),
            geometry=None if geometry is None else _decode(geometry, "geometry"),
        )
        for name, entry in monitors.items():
            if not isinstance(entry, dict):
                raise LayoutError(f"monitor {name!r} is not an object")
            columns = entry.get("columns")
            if not isinstance(columns, list) or not all(isinstance(key, str) for key in columns):
                raise LayoutError(f"monitor {name!r}: 'columns' is not a list of strings")
            layout.monitors[name] = ColumnLayout(
                columns=columns,
                header=_decode(entry.get("header"), f"monitors.{name}.header"),
                user_sized=_columns(entry.get("user_sized", []), f"monitors.{name}.user_sized"),
            )
        return layout


def _columns(value: Any, name: str) -> list[int]:
    if not isinstance(value, list) or not all(type(item) is int for item in value):
        raise LayoutError(f"'{name}' is not a list of column numbers")
    return value


def _encode(blob: bytes) -> str:
    return base64.b64encode(blob).decode("ascii")


def _decode(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise LayoutError(f"'{name}' is missing or not a string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise LayoutError(f"'{name}' is not base64") from None


def layout_path() -> Path:
    """Where the layout is saved (in the settings folder in force now)."""
    return get_file_path(LAYOUT_FILE)


def load_layout() -> WindowLayout | None:
    """The saved layout; None when there is none. Raises LayoutError for a file that cannot be used."""
    try:
        data = load_json(LAYOUT_FILE)
    except SettingsError as error:
        raise LayoutError(str(error)) from None
    return None if data is None else WindowLayout.from_json(data)


def save_layout(layout: WindowLayout) -> Path:
    """Write `layout` to the settings folder (0600, atomically)."""
    return save_json(LAYOUT_FILE, layout.to_json())


def capture_layout(
    window: QtWidgets.QMainWindow, monitors: Mapping[str, ColumnOwner], *, geometry: bool = True
) -> WindowLayout:
    """The window's layout now."""
    return WindowLayout(
        state=bytes(window.saveState(LAYOUT_FORMAT).data()),
        geometry=bytes(window.saveGeometry().data()) if geometry else None,
        monitors={
            name: ColumnLayout(
                monitor.header_keys(), bytes(monitor.header_state().data()), sorted(monitor.user_sized)
            )
            for name, monitor in monitors.items()
        },
    )


def apply_layout(
    window: QtWidgets.QMainWindow, monitors: Mapping[str, ColumnOwner], layout: WindowLayout
) -> list[str]:
    """Restore `layout`. Raises LayoutError when Qt refuses the window's state or geometry; returns the names
    of the monitors whose saved columns do not fit (they keep theirs)."""
    if layout.geometry is not None and not window.restoreGeometry(QtCore.QByteArray(layout.geometry)):
        raise LayoutError("Qt refused the window geometry")
    if not window.restoreState(QtCore.QByteArray(layout.state), LAYOUT_FORMAT):
        raise LayoutError("Qt refused the dock layout")
    return restore_columns(monitors, layout)


def restore_columns(monitors: Mapping[str, ColumnOwner], layout: WindowLayout) -> list[str]:
    """Restore the saved columns of `monitors`; returns the names of those whose saved columns do not fit."""
    skipped: list[str] = []
    for name, monitor in monitors.items():
        saved = layout.monitors.get(name)
        if saved is None:  # a monitor the file does not know keeps its columns
            continue
        if saved.columns != monitor.header_keys() or not monitor.restore_header_state(
            QtCore.QByteArray(saved.header), saved.user_sized
        ):
            skipped.append(name)
    return skipped
