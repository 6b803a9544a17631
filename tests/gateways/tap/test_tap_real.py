"""Smoke test of the REAL TAP 9.x libraries (libTapQuoteAPI.so V9.3.1.11 and libiTapTradeAPI.so V9.3.9.18 with
Esunny's libescrypto/libesssl, from the vnpy_tap 9.4.12 sdist pinned in sdk/manifest.toml, extracted from the
SDK download cache), on loopback only.

No Esunny server and no authorization code can be had offline, so this proves what can be proven: the trade
library's SSL libraries are loaded first by absolute path and stay local (never RTLD_GLOBAL), each library
passes the version check before any call, the library's own refusal of an authorization code reaches the user
in its words, and against a refused port the quote API reports the disconnect and closes cleanly.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _ctp_engine import ctp_engine, wait_for

pytest.importorskip("vtcore._tap", reason="vtcore was built without the TAP SDK")

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk.sim import FRONT_ENDS
from vtcore.gateways.tap import TapGateway
from vtcore.gateways.tap.library import find_libraries


@pytest.fixture(scope="module")
def real_folder() -> Path:
    try:
        quote, _trade = find_libraries()
    except SdkUnavailableError as exc:
        pytest.skip(f"the real TAP libraries are not available: {exc}")
    return quote.parent


def test_ssl_libraries_first_by_path_and_local_then_the_version(real_folder: Path, tmp_path: Path) -> None:
    """In a child process: what is mapped and what is global is per process."""
    script = textwrap.dedent(f"""
        import ctypes
        from vtcore import _core, _tap
        folder = {str(real_folder)!r}
        print(_tap.quote_library_version(folder + "/libTapQuoteAPI.so"))
        print(_tap.trade_library_version(folder + "/libiTapTradeAPI.so"))
        maps = open("/proc/self/maps").read()
        print(all(folder + "/" + name in maps for name in ("libescrypto.so.1.1", "libesssl.so.1.1")))
        scope = ctypes.CDLL(None)  # the global scope: nothing of Esunny's may be there
        print([name for name in ("SSL_new", "EVP_MD_CTX_new", "CreateITapTradeAPI") if hasattr(scope, name)])
        hub = _core.EventHub()
        try:
            _tap.TradeApi(folder + "/libiTapTradeAPI.so", {str(tmp_path)!r}, hub.add_producer("t").capsule(),
                          "not-an-esunny-code")
        except OSError as exc:
            print(exc)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    quote, trade, mapped, global_names, refusal = result.stdout.strip().splitlines()[-5:]
    assert quote.startswith("Version TapQuoteAPI V9.3.1.11") and trade.startswith(
        "Version iTapTradeAPI V9.3.9.18"
    )
    assert mapped == "True" and global_names == "[]"
    assert refusal == "CreateITapTradeAPI failed with TAP error -14"  # the library checks the code itself


def test_one_set_of_ssl_libraries_per_process(real_folder: Path) -> None:
    """The simulator's stand-ins carry Esunny's sonames (so that vn.py's vnpy_tap finds them on the loader's
    path, as it finds Esunny's): in a process that loaded them, the real trade library's dependents would bind
    to them, so the binding refuses the real set (and the other way round), naming both files."""
    simulator = FRONT_ENDS["tap"].library_dir()
    script = textwrap.dedent(f"""
        from vtcore import _tap
        print(_tap.trade_library_version({str(simulator)!r} + "/libiTapTradeAPI.so"))
        try:
            _tap.trade_library_version({str(real_folder)!r} + "/libiTapTradeAPI.so")
        except OSError as exc:
            print(exc)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    simulated, refusal = result.stdout.strip().splitlines()[-2:]
    assert "_vtcore-tapsim" in simulated
    assert f"libescrypto.so.1.1 from {real_folder}/libescrypto.so.1.1: another libescrypto.so.1.1 " in refusal
    assert f"({simulator}/libescrypto.so.1.1) is already loaded in this process" in refusal


def _refused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused
    return int(port)


CHILD = "VTCORE_TAP_REAL_CHILD"


def run_in_a_fresh_process(request: pytest.FixtureRequest) -> bool:
    """True in the child: the calling test runs again in its own pytest process, because a process that used
    the simulator holds its stand-ins for Esunny's SSL libraries under Esunny's sonames, and the binding
    refuses to load the real ones beside them (their dependents would bind to the stand-ins)."""
    if os.environ.get(CHILD) == "1":
        return True
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid]
    env = {**os.environ, CHILD: "1"}
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, env=env, cwd=root
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout, result.stdout[-2000:]
    return False


def test_real_libraries_refuse_a_bad_code_and_a_dead_port(
    real_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if not run_in_a_fresh_process(request):
        return
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "home"))
    port = _refused_port()
    setting = {
        "auth_code": "not-an-esunny-code",
        "quote_username": "u",
        "quote_password": "secret-pw-1",
        "quote_host": "127.0.0.1",
        "quote_port": port,
        "library_dir": str(real_folder),
    }
    with ctp_engine(None, TapGateway, connect_timeout=0.5) as (main_engine, gateway, recorder):
        trading = {
            **setting,
            "trade_username": "u",
            "trade_password": "secret-pw-1",
            "trade_host": "127.0.0.1",
            "trade_port": port,
        }
        with pytest.raises(SdkUnavailableError, match=r"TAP error -14 \(授权码不合法\)"):
            main_engine.connect(trading, "TAP")
        assert gateway.trade.state == "unavailable" and gateway.trade.api is None
        main_engine.connect(setting, "TAP")  # market data only: the quote library takes any code at creation
        assert gateway.quote.api.library_version.startswith("Version TapQuoteAPI V9.3.1.11")
        wait_for(lambda: {"disconnected", "timeout"} & set(recorder.states("quote")), what="the refused port")
        assert "logged_in" not in recorder.states("quote")
        assert not any("secret-pw-1" in line or "not-an-esunny-code" in line for line in recorder.logs())
    assert gateway.quote.state == "closed" and gateway.quote.api is None
