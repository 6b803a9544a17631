"""vtcore's vendor simulators: find each SDK front-end's libraries, write a configuration, steer it from
tests.

The simulator is a core library (``libvtcore_simcore.so``: the exchange, clock, faults, replay, control
socket) and one front-end per SDK ABI, a pair of libraries with the vendor's file names and ABI built from the
fetched headers: ``vtcore/sim_lib/ctp/libthostmduserapi_se.so`` + ``libthosttraderapi_se.so`` for CTP,
``vtcore/sim_lib/mini/libthostmduserapi.so`` + ``libthosttraderapi.so`` for CTP-Mini,
``vtcore/sim_lib/xtp/libxtpquoteapi.so`` + ``libxtptraderapi.so`` for XTP,
``vtcore/sim_lib/tora/libxmdapi.so`` + ``libtraderapi.so`` for TORA (the A-share front-ends list the
exchange's SSE/SZSE/BSE securities, the futures ones its futures). Any client loads them
like the real ones: vtcore's bindings by path (`SimFrontEnd.md_library()`, ...), a third-party wrapper
(vnpy_ctp, vnpy_mini) through ``LD_LIBRARY_PATH=<front_end.library_dir()>``. One core per process: every
front-end in the process trades on the same exchange.

Which configuration the simulator uses (``cpp/sim_core/README.md`` lists every key):

* a front address carrying ``?config=<path>`` (:func:`front_address` builds one), else
* the file named by ``$VTCORE_SIM_CONFIG`` (or its older name ``$VTCORE_CTPSIM_CONFIG``), else
* the built-in defaults: any user id and password log in, nine instruments on SHFE, INE, DCE, CZCE, CFFEX and
  GFEX, 20 ticks per second.

Market data ticks only inside each exchange's trading hours (China time), as on a real front, unless the
configuration says ``"market_data": {"always_open": true}`` or ``$VTCORE_SIM_ALWAYS_OPEN`` is ``1``.

With a ``"control"`` section the simulator listens on a loopback port for JSON lines; :class:`SimControl`
speaks that protocol so a test can disconnect a front, start a tick burst or move a price when it chooses.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vtcore
from vtcore.errors import SdkUnavailableError, VtcoreError

CONFIG_ENV = "VTCORE_SIM_CONFIG"
#: "1": market data around the clock instead of only in each exchange's trading hours (demos, benchmarks,
#: tests that must pass at any hour), unless the configuration's `market_data.always_open` says otherwise
ALWAYS_OPEN_ENV = "VTCORE_SIM_ALWAYS_OPEN"
DIR_ENV = "VTCORE_SIM_DIR"  # overrides the sim_lib folder (a development build's <build>/sim_lib)
CORE_LIBRARY_NAME = "libvtcore_simcore.so"
# installed into the package folder (in an editable install that is not where this source file is)
_INSTALL_DIRS = [Path(folder) / "sim_lib" for folder in vtcore.__path__]


def hours_note() -> str:
    """What a peer's description adds about the trading hours: nothing when the simulator is always open."""
    if os.environ.get(ALWAYS_OPEN_ENV) == "1":
        return ""
    return " (it ticks only in the exchanges' trading hours, China time; --always-open: around the clock)"


class SimulatorError(VtcoreError):
    """The simulator refused a control command or could not be reached."""


def sim_root() -> Path:
    """The folder of the simulator core (each front-end is a subfolder)."""
    override = os.environ.get(DIR_ENV)
    if override:
        return Path(override)
    return next((folder for folder in _INSTALL_DIRS if folder.is_dir()), _INSTALL_DIRS[0])


@dataclass(frozen=True)
class SimFrontEnd:
    """The simulator front-end of one SDK: its two vendor-named libraries in `sim_root()/<sdk>/`."""

    sdk: str
    title: str
    md_name: str
    td_name: str

    def library_dir(self) -> Path:
        """The front-end's folder; SdkUnavailableError when its libraries or the core were not built."""
        root = sim_root()
        folder = root / self.sdk
        missing = [name for name in (self.md_name, self.td_name) if not (folder / name).is_file()]
        if not (root / CORE_LIBRARY_NAME).is_file():
            missing.append(f"../{CORE_LIBRARY_NAME}")
        if missing:
            how = (
                f"${DIR_ENV} points there"
                if os.environ.get(DIR_ENV)
                else (f"this vtcore was built without the {self.title} headers")
            )
            raise SdkUnavailableError(
                f"the {self.title} simulator is not available: {', '.join(missing)} missing in {folder} "
                f"({how}; reinstall with the {self.title} SDK fetch enabled, "
                f"VTCORE_WITH_{self.sdk.upper()}=ON)"
            )
        return folder

    def md_library(self) -> Path:
        return self.library_dir() / self.md_name

    def td_library(self) -> Path:
        return self.library_dir() / self.td_name

    def setting(
        self,
        config: str | os.PathLike[str] | None = None,
        username: str = "vtcore",
        password: str = "simulator",
    ) -> dict[str, str]:
        """A Thost-family gateway setting (the user's page's keys) for this front-end: its built-in
        configuration, or the configuration file `config`."""
        address = front_address(config)
        return {
            "username": username,
            "password": password,
            "brokerid": "9999",
            "td_address": address,
            "md_address": address,
            "product_info": "",
            "auth_code": "",
            "library_dir": str(self.library_dir()),
        }

    def build_info(self) -> dict[str, str]:
        """What the build recorded: ``api_version``, ``simulator_version`` and ``include_dir`` (the
        headers)."""
        path = self.library_dir() / "build_info.json"
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SdkUnavailableError(f"cannot read {path}: {exc}") from exc
        return {str(key): str(value) for key, value in info.items()}


FRONT_ENDS: dict[str, SimFrontEnd] = {
    "ctp": SimFrontEnd("ctp", "CTP", "libthostmduserapi_se.so", "libthosttraderapi_se.so"),
    "mini": SimFrontEnd("mini", "CTP-Mini", "libthostmduserapi.so", "libthosttraderapi.so"),
    "femas": SimFrontEnd("femas", "FEMAS", "libUSTPmduserapiAF.so", "libUSTPtraderapiAF.so"),
    # beside these two: the stand-ins libescrypto.so.1.1 and libesssl.so.1.1 (loaded first, by path)
    "tap": SimFrontEnd("tap", "TAP", "libTapQuoteAPI.so", "libiTapTradeAPI.so"),
    "xtp": SimFrontEnd("xtp", "XTP", "libxtpquoteapi.so", "libxtptraderapi.so"),
    "tora": SimFrontEnd("tora", "TORA", "libxmdapi.so", "libtraderapi.so"),
    "oes": SimFrontEnd("oes", "OES", "liboes_api.so", "liboes_api.so"),  # one library for both sides
}


def open_around_the_clock() -> None:
    """For a sim peer (`vtcore run --sim`): the simulator quotes and trades at any hour (A-share securities
    and futures alike), unless $VTCORE_SIM_ALWAYS_OPEN says otherwise ("0": only in the exchanges'
    sessions)."""
    os.environ.setdefault("VTCORE_SIM_ALWAYS_OPEN", "1")


def config_query(config: str | os.PathLike[str] | None = None) -> str:
    """``?config=<absolute path>`` naming a configuration file for an address (or "" for the defaults); XTP's
    Login takes it on the ip (``"127.0.0.1?config=/abs/sim.json"``), the others on the front address."""
    if config is None:
        return ""
    path = Path(config).resolve()
    if any(c in str(path) for c in "?&"):
        raise ValueError(f"a simulator configuration path must not contain '?' or '&': {path}")
    return f"?config={path}"


def front_address(config: str | os.PathLike[str] | None = None) -> str:
    """A front address for ``RegisterFront``: the defaults, or the given configuration file."""
    return f"tcp://127.0.0.1:0{config_query(config)}"


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
