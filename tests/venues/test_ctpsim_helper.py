"""vtcore.gateways.ctp.sim's own behaviour: clear errors when the simulator is missing or unreachable,
private config files, front addresses."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from vtcore.errors import SdkUnavailableError
from vtcore.gateways.ctp import sim as ctpsim
from vtcore.gateways.ctp.sim import SimControl, SimulatorError


def test_missing_libraries_say_what_and_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ctpsim.DIR_ENV, str(tmp_path))
    (tmp_path / "ctp").mkdir()
    (tmp_path / "ctp" / ctpsim.MD_LIBRARY_NAME).write_bytes(b"")
    with pytest.raises(SdkUnavailableError) as info:
        ctpsim.td_library()
    text = str(info.value)
    assert "libthosttraderapi_se.so, ../libvtcore_simcore.so missing" in text
    assert str(tmp_path / "ctp") in text and ctpsim.DIR_ENV in text


def test_write_config_is_private_json(tmp_path: Path) -> None:
    path = ctpsim.write_config(tmp_path / "sim.json", {"accounts": [{"user_id": "u", "password": "秘密"}]})
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["accounts"][0]["password"] == "秘密"


def test_front_address(tmp_path: Path) -> None:
    assert ctpsim.front_address() == "tcp://127.0.0.1:0"
    assert ctpsim.front_address(tmp_path / "a.json") == f"tcp://127.0.0.1:0?config={tmp_path / 'a.json'}"
    with pytest.raises(ValueError, match="must not contain"):
        ctpsim.front_address(tmp_path / "a?b.json")


def test_control_errors(tmp_path: Path) -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(SimulatorError, match="cannot reach"):
        SimControl(port, timeout=2)
    with pytest.raises(SimulatorError, match="no control port"):
        SimControl.from_port_file(tmp_path / "never-written", timeout=0.2)
