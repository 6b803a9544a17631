"""vtcore's CTP simulator: find its libraries, write its configuration, steer it from tests, and offer it as
the CTP gateway's local peer (`start_peer`, for `vtcore run --sim` and `vtcore trader --sim`).

The simulator is a pair of libraries with the vendor's file names (``libthostmduserapi_se.so``,
``libthosttraderapi_se.so``) and ABI, built from the fetched CTP headers and installed with the package in
``vtcore/ctpsim_lib/`` next to their shared core (``libvtcore_ctpsim.so``). Any CTP client loads them like the
real ones: vtcore's ``_ctp`` binding by path (:func:`md_library`, :func:`td_library`), a third-party wrapper
such as vnpy_ctp through ``LD_LIBRARY_PATH=<library_dir()>``.

Which configuration the simulator uses (see ``cpp/ctp_sim/README.md`` for every key):

* a front address carrying ``?config=<path>`` (:func:`front_address` builds one), else
* the file named by ``$VTCORE_CTPSIM_CONFIG``, else
* the built-in defaults: any user id and password log in, nine instruments on SHFE, INE, DCE, CZCE, CFFEX and
  GFEX, 20 ticks per second.

With a ``"control"`` section the simulator listens on a loopback port for JSON lines; :class:`SimControl`
speaks that protocol so a test can disconnect a front, start a tick burst or move a price when it chooses.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import vtcore
from vtcore.errors import SdkUnavailableError, VtcoreError
from vtcore.gateways import SimPeer

__all__ = [
    "CONFIG_ENV",
    "DIR_ENV",
    "MD_LIBRARY_NAME",
    "TD_LIBRARY_NAME",
    "SimControl",
    "SimulatorError",
    "build_info",
    "front_address",
    "library_dir",
    "md_library",
    "simulator_setting",
    "start_peer",
    "td_library",
    "write_config",
]

CONFIG_ENV = "VTCORE_CTPSIM_CONFIG"
DIR_ENV = "VTCORE_CTPSIM_DIR"  # overrides where the libraries are looked up (a development build)
MD_LIBRARY_NAME = "libthostmduserapi_se.so"
TD_LIBRARY_NAME = "libthosttraderapi_se.so"
CORE_LIBRARY_NAME = "libvtcore_ctpsim.so"
# installed into the package folder (in an editable install that is not where this source file is)
_INSTALL_DIRS = [Path(folder) / "ctpsim_lib" for folder in vtcore.__path__]


class SimulatorError(VtcoreError):
    """The simulator refused a control command or could not be reached."""


def library_dir() -> Path:
    """The folder holding the simulator's three libraries; raises SdkUnavailableError if it was not built."""
    override = os.environ.get(DIR_ENV)
    folder = Path(override) if override else next((f for f in _INSTALL_DIRS if f.is_dir()), _INSTALL_DIRS[0])
    names = (MD_LIBRARY_NAME, TD_LIBRARY_NAME, CORE_LIBRARY_NAME)
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        how = f"${DIR_ENV} points there" if override else "this vtcore was built without the CTP headers"
        raise SdkUnavailableError(
            f"the CTP simulator is not available: {', '.join(missing)} missing in {folder} ({how}; "
            "reinstall with the CTP SDK fetch enabled, VTCORE_WITH_CTP=ON)"
        )
    return folder


def md_library() -> Path:
    """Path of the simulator's market-data library (``libthostmduserapi_se.so``)."""
    return library_dir() / MD_LIBRARY_NAME


def td_library() -> Path:
    """Path of the simulator's trader library (``libthosttraderapi_se.so``)."""
    return library_dir() / TD_LIBRARY_NAME


def build_info() -> dict[str, str]:
    """What the build recorded: ``api_version`` (e.g. "6.7.11"), ``simulator_version`` and ``include_dir``."""
    path = library_dir() / "build_info.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SdkUnavailableError(f"cannot read {path}: {exc}") from exc
    return {str(key): str(value) for key, value in info.items()}


def front_address(config: str | os.PathLike[str] | None = None) -> str:
    """A front address for ``RegisterFront``: the defaults, or the given configuration file."""
    if config is None:
        return "tcp://127.0.0.1:0"
    path = Path(config).resolve()
    if any(c in str(path) for c in "?&"):
        raise ValueError(f"a simulator configuration path must not contain '?' or '&': {path}")
    return f"tcp://127.0.0.1:0?config={path}"


def simulator_setting(
    config: str | os.PathLike[str] | None = None, username: str = "vtcore", password: str = "simulator"
) -> dict[str, Any]:
    """A CtpGateway setting for the simulator libraries installed with vtcore: its built-in configuration, or
    the configuration file `config`. Raises SdkUnavailableError when the simulator was not built."""
    address = front_address(config)
    return {
        "username": username,
        "password": password,
        "brokerid": "9999",
        "td_address": address,
        "md_address": address,
        "product_info": "",
        "auth_code": "",
        "environment": "test",
        "library_dir": str(library_dir()),
    }


def start_peer() -> SimPeer:
    """The CTP gateway's local peer: the simulator libraries, which the gateway loads in-process (nothing
    to start or stop)."""
    return SimPeer("CTP", simulator_setting(), description="CTP on the built-in simulator")


def write_config(path: str | os.PathLike[str], config: Mapping[str, Any]) -> Path:
    """Write a simulator configuration as JSON, readable by its owner only (it may hold passwords)."""
    target = Path(path)
    text = json.dumps(config, ensure_ascii=False, indent=2)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.chmod(target, 0o600)
    return target


class SimControl:
    """A client of the simulator's control socket (loopback, JSON lines). Use as a context manager."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self._timeout = timeout
        try:
            self._socket = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        except OSError as exc:
            raise SimulatorError(f"cannot reach the simulator's control port {port}: {exc}") from exc
        self._buffer = b""

    @classmethod
    def from_port_file(cls, path: str | os.PathLike[str], timeout: float = 10.0) -> SimControl:
        """Connect to the port the simulator wrote to ``control.port_file`` (waits for the file to appear)."""
        deadline = time.monotonic() + timeout
        target = Path(path)
        while True:
            try:
                return cls(int(target.read_text(encoding="ascii").strip()), timeout)
            except (FileNotFoundError, ValueError):
                if time.monotonic() > deadline:
                    raise SimulatorError(f"no control port in {target} after {timeout} s") from None
                time.sleep(0.01)

    def command(self, cmd: str, **arguments: Any) -> dict[str, Any]:
        """Send one command and return its answer; raises SimulatorError when the simulator refuses it."""
        self._socket.sendall(json.dumps({"cmd": cmd, **arguments}).encode() + b"\n")
        while b"\n" not in self._buffer:
            chunk = self._socket.recv(65536)
            if not chunk:
                raise SimulatorError("the simulator closed the control connection")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        answer: dict[str, Any] = json.loads(line)
        if not answer.get("ok"):
            raise SimulatorError(f"simulator refused {cmd!r}: {answer.get('error', answer)}")
        return answer

    def ping(self) -> str:
        return str(self.command("ping")["version"])

    def status(self) -> dict[str, Any]:
        """Live API objects (front, connected, logged_in, events, disconnects, ticks) and exchange totals."""
        return self.command("status")

    def disconnect(self, front: str = "any", reconnect_ms: int | None = None) -> int:
        """Drop the front of every live API object of that kind ("md", "td", "any"); returns how many."""
        arguments: dict[str, Any] = {"front": front}
        if reconnect_ms is not None:
            arguments["reconnect_ms"] = reconnect_ms
        return int(self.command("disconnect", **arguments)["count"])

    def ticks(self, count: int, rate: float | None = None) -> int:
        """Give every market-data session a budget of `count` ticks (-1: unlimited) at `rate` per second."""
        arguments: dict[str, Any] = {"count": count}
        if rate is not None:
            arguments["rate"] = rate
        return int(self.command("ticks", **arguments)["count"])

    def reject_login(self, front: str = "any", count: int = 1) -> None:
        self.command("reject_login", front=front, count=count)

    def delay(self, ms: int, front: str = "any") -> None:
        """Delay every later response of that front kind by `ms` milliseconds."""
        self.command("delay", front=front, ms=ms)

    def set_price(self, instrument: str, price: float) -> None:
        """Move an instrument's last price; resting orders that now cross are filled."""
        self.command("set_price", instrument=instrument, price=price)

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> SimControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
