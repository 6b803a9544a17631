"""Test helper: the C++ probe (tests/resources/ctpsim/probe.cpp) driven from Python.

The probe is built once per test session with g++ against the fetched CTP headers. It links to nothing vendor:
it dlopen()s the simulator libraries by path. Each `Probe` is one process with one simulator (one exchange);
commands go to its stdin, and every callback comes back as a JSON line that `wait` matches.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import _ctp_sdk  # the pinned SDK through the fetch tool's cache (headers for the probe)
from vtcore.errors import SdkUnavailableError
from vtcore.gateways.ctp import sim as ctpsim

RESOURCES = Path(__file__).resolve().parent / "resources" / "ctpsim"
Event = dict[str, Any]


def simulator_dir() -> Path:
    try:
        return ctpsim.library_dir()
    except SdkUnavailableError as exc:
        pytest.skip(str(exc))


@functools.cache
def include_dir() -> Path:
    """The CTP headers the simulator was built from (recorded by the build), else a fetch-cache copy."""
    recorded = Path(ctpsim.build_info()["include_dir"])
    if (recorded / "ThostFtdcTraderApi.h").is_file():
        return recorded
    return _ctp_sdk.sdk_dir(ctpsim.build_info()["api_version"]) / "include"


@functools.cache
def probe_executable() -> Path:
    compiler = shutil.which("g++") or shutil.which("c++")
    if compiler is None:
        pytest.skip("no C++ compiler to build the CTP probe")
    out = Path(tempfile.mkdtemp(prefix="vtcore-ctpsim-probe-")) / "probe"
    subprocess.run(
        [
            compiler,
            "-O1",
            "-std=c++17",
            f"-I{include_dir()}",
            str(RESOURCES / "probe.cpp"),
            "-o",
            str(out),
            "-ldl",
            "-pthread",
        ],
        check=True,
        timeout=300,
    )
    return out


def _decode(value: Any) -> Any:
    # The probe escapes every byte >= 0x80 as \u00XX: re-encode as latin-1 and read the GB18030 text.
    if isinstance(value, str) and any(ord(c) > 0x7F for c in value):
        return value.encode("latin-1").decode("gb18030")
    return value


class Probe:
    """One probe process: `send` commands, `wait` for events (bounded by a generous timeout)."""

    def __init__(
        self, workdir: Path, config: dict[str, Any] | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.workdir = workdir
        environment = dict(os.environ)
        environment.pop(ctpsim.CONFIG_ENV, None)
        # The probe's commands query back to back: the one-query-per-second rule of a real trader front (which
        # the simulator keeps by default) is off unless a test sets it.
        config = dict(config or {})
        config["td_front"] = {"query_interval_ms": 0, **config.get("td_front", {})}
        environment[ctpsim.CONFIG_ENV] = str(ctpsim.write_config(workdir / "ctpsim.json", config))
        environment.update(env or {})
        folder = simulator_dir()
        command = [
            str(probe_executable()),
            str(folder / ctpsim.MD_LIBRARY_NAME),
            str(folder / ctpsim.TD_LIBRARY_NAME),
        ]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=environment,
        )
        self.events: list[Event] = []
        self.stderr: list[str] = []
        self._condition = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            event = {key: _decode(value) for key, value in json.loads(raw).items()}
            event["_at"] = time.monotonic()
            with self._condition:
                self.events.append(event)
                self._condition.notify_all()

    def _read_stderr(self) -> None:
        assert self._process.stderr is not None
        for raw in self._process.stderr:
            with self._condition:
                self.stderr.append(raw.decode(errors="replace"))
                self._condition.notify_all()

    def send(self, *commands: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write("".join(f"{c}\n" for c in commands).encode())
        self._process.stdin.flush()

    def matching(self, ev: str, **fields: Any) -> list[Event]:
        with self._condition:
            return [e for e in self.events if e["ev"] == ev and all(e.get(k) == v for k, v in fields.items())]

    def wait(self, ev: str, count: int = 1, timeout: float = 20.0, **fields: Any) -> list[Event]:
        """The first `count` events named `ev` whose fields equal `fields`; fails after `timeout` seconds."""
        return self.wait_until(
            lambda: len(found := self.matching(ev, **fields)) >= count and found[:count],
            f"{count} x {ev} {fields}",
            timeout,
        )

    def wait_stderr(self, text: str, timeout: float = 20.0) -> str:
        def found() -> str | None:
            return next((line for line in self.stderr if text in line), None)

        return self.wait_until(found, f"stderr line containing {text!r}", timeout)

    def wait_until(self, check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                result = check()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                finished = self._process.poll() is not None and not any(r.is_alive() for r in self._readers)
                if remaining <= 0 or finished:
                    recent = [e["ev"] for e in self.events[-15:]]
                    pytest.fail(
                        f"timed out waiting for {what}; exit={self._process.poll()} recent={recent} "
                        f"stderr={self.stderr[-5:]}"
                    )
                self._condition.wait(min(remaining, 0.5))

    # -- common sequences ---------------------------------------------------------------------------

    def md_login(self, front: str = "tcp://127.0.0.1:0", user: str = "u1", password: str = "p1") -> Event:
        self.send(f"md_create {self.workdir}/md_", f"md_front {front}", "md_init")
        self.wait("md.OnFrontConnected")
        self.send(f"md_login 9999 {user} {password}")
        return self.wait("md.OnRspUserLogin")[0]

    def td_login(
        self, front: str = "tcp://127.0.0.1:0", user: str = "u1", password: str = "p1", confirm: bool = True
    ) -> Event:
        self.send(f"td_create {self.workdir}/td_", f"td_front {front}", "td_resume 0", "td_init")
        self.wait("td.OnFrontConnected")
        self.send(f"td_login 9999 {user} {password}")
        login = self.wait("td.OnRspUserLogin")[0]
        if confirm and login["ErrorID"] == 0:
            self.send("td_confirm")
            self.wait("td.OnRspSettlementInfoConfirm")
        return login

    def close(self) -> int:
        if self._process.poll() is None:
            try:
                self.send("quit")
                self._process.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait(timeout=10)
        for reader in self._readers:
            reader.join(timeout=10)
        return self._process.returncode


@pytest.fixture
def probe_factory(tmp_path: Path) -> Any:
    """`probe_factory(config=None)` -> a started Probe in tmp_path; closed (and checked) after the test."""
    probes: list[Probe] = []

    def make(config: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Probe:
        probe = Probe(tmp_path, config, env)
        probes.append(probe)
        return probe

    yield make
    for probe in probes:
        assert probe.close() == 0, probe.stderr[-5:]
