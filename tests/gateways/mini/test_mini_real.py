"""Smoke test of the REAL CTP-Mini 1.7.7 libraries (from the vnpy_mini 1.7.7.0 sdist pinned in
sdk/manifest.toml, through the fetch tool's cache), on loopback only.

No CTP-Mini server can be reached, so this proves what can be proven offline: both libraries load by path and
pass the version check (the market-data library reports 1.7.5, the trader 1.7.7), flow folders are made, an
API object that was never Init()ed is freed without calling Mini's Release() (which crashes there), and
against a refused port the gateway reports a timeout and closes cleanly.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _ctp_engine import ctp_engine, wait_for
from _ctp_sdk import sdk_dir

pytest.importorskip("vtcore._mini", reason="vtcore was built without the CTP-Mini SDK")

from vtcore.gateways.mini import MiniGateway


def mini_libraries() -> Path:
    return sdk_dir("1.7.7", "mini") / "lib"


def test_real_libraries_load_and_release_without_init(tmp_path: Path) -> None:
    """In a child process, so that a crash would fail this test rather than end the test run."""
    script = textwrap.dedent(f"""
        from vtcore import _core, _mini
        hub = _core.EventHub()
        producer = hub.add_producer("smoke")
        folder = {str(mini_libraries())!r}
        flow = {str(tmp_path / "flow")!r}
        md = _mini.MdApi(folder + "/libthostmduserapi.so", flow + "/md", producer.capsule())
        td = _mini.TraderApi(folder + "/libthosttraderapi.so", flow + "/td", producer.capsule())
        print(md.library_version, "|", td.library_version)
        md.release()  # never Init()ed: Mini's Release() would crash; the binding leaves the object alone
        td.release()
        print("released", md.released, td.released)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    versions, released = result.stdout.strip().splitlines()[-2:]
    md_version, td_version = (part.strip() for part in versions.split("|"))
    assert md_version.startswith("V1.7.5") and td_version.startswith("V1.7.7")
    assert released == "released True True"
    flow = tmp_path / "flow"
    assert flow.stat().st_mode & 0o777 == 0o700 and (flow / "md").stat().st_mode & 0o777 == 0o700


def _refused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused
    return int(port)


def test_real_libraries_on_a_refused_port_give_a_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    port = _refused_port()
    setting = {
        "username": "000001",
        "password": "not-a-real-password",
        "brokerid": "9999",
        "td_address": f"127.0.0.1:{port}",
        "md_address": f"tcp://127.0.0.1:{port}",
        "product_info": "",
        "auth_code": "",
        "library_dir": str(mini_libraries()),
    }
    with ctp_engine(setting, MiniGateway, connect_timeout=0.5) as (_, gateway, recorder):
        assert gateway.md.api.library_version.startswith("V1.7.5")
        for front in ("td", "md"):
            wait_for(lambda front=front: "timeout" in recorder.states(front), what=f"{front} timeout")
        assert "logged_in" not in recorder.states("td")
        assert not any("not-a-real-password" in line for line in recorder.logs())
    assert gateway.td.state == "closed" and gateway.md.state == "closed" and gateway.td.api is None
