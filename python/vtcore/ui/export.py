"""Save what a monitor shows as a CSV file, off the GUI and engine threads.

The rows are copied on the GUI thread (display text only, already held as Python strings) and written by a
short-lived worker thread, so neither a slow disk nor a large table holds up the window, and the engine
thread never waits for either. The file is UTF-8 with a byte order mark, so Excel reads Chinese text
correctly, and is written to a temporary file that is renamed into place: a failed export never leaves half
a file.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from vtcore.log import mask_secrets

CSV_ENCODING = "utf-8-sig"  # UTF-8 with a BOM: Excel then reads Chinese text as such

#: Asks the user where to save: (parent, dialog title, suggested file name) -> path, "" when cancelled.
PathChooser = Callable[[QtWidgets.QWidget, str, str], str]

# A spreadsheet runs a cell that starts with one of these as a formula ("=HYPERLINK(...)" in a venue's
# message); such a cell is written with a leading quote unless it is a plain number such as "-100".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def ask_csv_path(parent: QtWidgets.QWidget, title: str, suggested: str) -> str:
    """The file dialog: the path the user chose, or "" when cancelled."""
    path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, title, suggested, "CSV (*.csv)")
    return path


def safe_cell(text: str) -> str:
    """`text` with secrets masked and a leading quote when a spreadsheet would run it as a formula."""
    text = mask_secrets(text)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(path: str | os.PathLike[str], headers: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """Write `headers` and `rows` to `path` (UTF-8 with BOM, atomically); return the number of rows."""
    target = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([safe_cell(header) for header in headers])
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return len(rows)


class CsvExport(QtCore.QObject):
    """One export running on a worker thread; `finished(path, rows, error)` arrives on the GUI thread."""

    finished = QtCore.Signal(str, int, str)  # error is "" on success

    def __init__(
        self, path: str, headers: list[str], rows: list[list[str]], parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._headers = headers
        self._rows = rows
        # Not a daemon: a process that exits while a file is being written lets it finish first.
        self._thread = threading.Thread(target=self._run, name="vtcore-csv-export")

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker (for closing and for tests); True when it has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            count = write_csv(self.path, self._headers, self._rows)
            result = (self.path, count, "")
        except OSError as error:
            result = (self.path, 0, mask_secrets(error.strerror or str(error)))
        except Exception as error:  # reported in the window like a disk error, never lost on a thread
            result = (self.path, 0, mask_secrets(f"{type(error).__name__}: {error}"))
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile: nobody is left to tell
            self.finished.emit(*result)
