"""Smoke tests of the REAL XTP 2.2.32 and TORA libraries (from the vnpy_xtp 2.2.32.2.3 and vnpy_tora 2026.10.5
sdists pinned in sdk/manifest.toml, through the fetch tool's cache), on loopback only.

No broker can be reached, so this proves what can be proven offline: the libraries load by path and pass the
version check before any other call (XTP has no static getter: the created object's GetApiVersion() is read
first and a mismatch releases it; TORA's static getters: XMd 1.0.9, stock trader 4.1.6, stock-option trader
1.3.4), objects are created and released, against a refused address each gateway (TORA_OPTION too) reports it
and closes cleanly, and another SDK's libraries at library_dir are refused before any call.
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
from vtcore.errors import SdkUnavailableError
from vtcore.gateways import load_gateway_class


def libraries(sdk: str) -> Path:
    return sdk_dir({"xtp": "2.2.32", "tora": "4.1.6"}[sdk], sdk) / "lib"


def _refused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused
    return int(port)


def _in_child(script: str) -> list[str]:
    """Run `script` in a child process (a crash fails the test, not the run); its last output lines."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()


def test_real_xtp_objects_report_their_version(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._xtp", reason="vtcore was built without the XTP SDK")
    folder = libraries("xtp")
    lines = _in_child(f"""
        from vtcore import _core, _xtp
        hub = _core.EventHub()
        producer = hub.add_producer("smoke")
        folder, flow = {str(folder)!r}, {str(tmp_path)!r}
        quote = _xtp.QuoteApi(folder + "/libxtpquoteapi.so", flow + "/md", producer.capsule())
        trader = _xtp.TraderApi(folder + "/libxtptraderapi.so", flow + "/td", producer.capsule())
        print(quote.library_version, trader.library_version, _xtp.API_VERSION)
        import threading  # XTP's Release() takes about 6 s per object: both at once
        closing = threading.Thread(target=quote.release)
        closing.start()
        trader.release()
        closing.join()
        print("released", quote.released, trader.released)
    """)
    assert lines[-2].split() == ["2.2.32", "2.2.32", "2.2.32"]
    assert lines[-1] == "released True True"


def test_real_tora_objects_report_their_version(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    folder = libraries("tora")
    lines = _in_child(f"""
        from vtcore import _core, _tora
        hub = _core.EventHub()
        producer = hub.add_producer("smoke")
        folder, flow = {str(folder)!r}, {str(tmp_path)!r}
        md = _tora.MdApi(folder + "/libxmdapi.so", producer.capsule())
        td = _tora.TraderApi(folder + "/libtraderapi.so", flow + "/td", producer.capsule())
        sp = _tora.SPTraderApi(folder + "/libsptraderapi.so", flow + "/sp", producer.capsule())
        print(md.library_version, "|", td.library_version, "|", sp.library_version)
        for api in (md, td, sp):
            api.release()
        print("released", md.released, td.released, sp.released)
    """)
    md_version, td_version, sp_version = (part.strip() for part in lines[-2].split("|"))
    assert (
        md_version.startswith("1.0.9") and td_version.startswith("4.1.6") and sp_version.startswith("1.3.4")
    )
    assert lines[-1] == "released True True True"


def test_real_xtp_on_a_refused_port_retries_and_closes(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._xtp", reason="vtcore was built without the XTP SDK")
    from vtcore.gateways.xtp import XtpGateway  # noqa: PLC0415

    port = _refused_port()
    setting = {
        "username": "000001", "password": "not-a-real-password", "client_id": 1, "md_address": "127.0.0.1",
        "md_port": port, "td_address": "127.0.0.1", "td_port": port, "md_protocol": "TCP", "auth_code": "",
        "log_level": "FATAL", "library_dir": str(libraries("xtp")),
    }  # fmt: skip
    with ctp_engine(setting, XtpGateway) as (_, gateway, recorder):
        assert gateway.td.api.library_version == "2.2.32"
        # Login() blocks until refused (seconds), then the front says so and keeps retrying
        wait_for(lambda: "disconnected" in recorder.states("td"), what="td refused")
        assert "login_rejected" not in recorder.states("td")  # a refused connection is not a refused login
        assert not any("not-a-real-password" in line for line in recorder.logs())
    assert gateway.td.state == "closed" and gateway.md.state == "closed"


@pytest.mark.parametrize(("name", "version"), [("TORA", "4.1.6"), ("TORA_OPTION", "1.3.4")])
def test_real_tora_on_a_refused_port_gives_a_timeout(name: str, version: str, tmp_path: Path) -> None:
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    port = _refused_port()
    setting = {
        "username": "000001", "password": "not-a-real-password", "td_address": f"tcp://127.0.0.1:{port}",
        "md_address": f"tcp://127.0.0.1:{port}", "library_dir": str(libraries("tora")),
    }  # fmt: skip
    with ctp_engine(setting, load_gateway_class(name), connect_timeout=0.5) as (_, gateway, recorder):
        assert gateway.td.api.library_version.startswith(version)
        for front in ("td", "md"):
            wait_for(lambda front=front: "timeout" in recorder.states(front), what=f"{front} timeout")
        assert "logged_in" not in recorder.states("td")
        assert not any("not-a-real-password" in line for line in recorder.logs())
    assert gateway.td.state == "closed" and gateway.md.state == "closed" and gateway.td.api is None


@pytest.mark.parametrize(("name", "other"), [("XTP", "tora"), ("TORA", "xtp")])
def test_the_other_sdks_libraries_are_refused_before_any_call(name: str, other: str, tmp_path: Path) -> None:
    pytest.importorskip(f"vtcore._{name.lower()}", reason=f"vtcore was built without the {name} SDK")
    from vtcore.gateways._sdk.sim import FRONT_ENDS  # noqa: PLC0415

    names = FRONT_ENDS[name.lower()]
    theirs = sorted(libraries(other).glob("*.so"))
    folder = tmp_path / "libs"
    folder.mkdir()
    for library, source in zip((names.md_name, names.td_name), theirs, strict=False):
        (folder / library).symlink_to(source)  # the other SDK's real libraries under this SDK's names
    module = __import__(f"vtcore.gateways.{name.lower()}.sim", fromlist=["simulator_setting"])
    setting = {**module.simulator_setting(), "library_dir": str(folder)}
    with ctp_engine(None, load_gateway_class(name)) as (main_engine, gateway, recorder):
        with pytest.raises(SdkUnavailableError, match=name):
            main_engine.connect(setting, name)
        assert gateway.td.api is None
        wait_for(lambda: "unavailable" in recorder.states("td"), what="td unavailable")
