"""The OES library the user supplies: refused before any call when it is missing, of another version or not
OES at all; and the channel behaviour the reference measured for the real library (a refused address fails at
once with error 2, a server that accepts and never answers times out), reproduced by the simulator library."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vtcore.engine import MainEngine
from vtcore.errors import SdkUnavailableError

pytest.importorskip("vtcore._oes", reason="vtcore was built without the OES declarations")

from test_oes_gateway import connect_states

from vtcore.gateways._sdk.sim import FRONT_ENDS, write_config
from vtcore.gateways.oes import OesGateway
from vtcore.gateways.oes.sim import simulator_setting, stock_config

# A library that says it is OES 0.16.1.1 (its structs differ from 0.17.5.8's): any call beyond the version
# getters leaves a mark, so the test sees that none was made.
OLD_LIBRARY = r"""
#include <stdio.h>
#include <stdlib.h>
static void mark(void) { FILE* f = fopen(getenv("OES_TEST_MARK"), "w"); if (f) fclose(f); }
const char* OesApi_GetApiVersion(void) { return "0.16.1.1"; }
const char* MdsApi_GetApiVersion(void) { return "0.16.1.1"; }
int OesApi_InitOrdChannel2(void* a, void* b, void* c) { mark(); return 0; }
int MdsApi_InitTcpChannel2(void* a, void* b, void* c) { mark(); return 0; }
int OesApi_SetThreadUsername(const char* u) { mark(); return 0; }
"""


def gateway_setting(tmp_path: Path, library_dir: Path) -> dict[str, object]:
    setting = simulator_setting(write_config(tmp_path / "sim.json", stock_config()))
    setting["library_dir"] = str(library_dir)
    return setting


def connect_error(setting: dict[str, object]) -> str:
    main_engine = MainEngine()
    main_engine.add_gateway(OesGateway)
    try:
        with pytest.raises(SdkUnavailableError) as raised:
            main_engine.get_gateway("OES").connect(setting)
        return str(raised.value)
    finally:
        main_engine.close()


def test_a_missing_library_is_named_with_where_it_was_looked_for(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    error = connect_error(gateway_setting(tmp_path, empty))
    assert "liboes_api" in error and str(empty) in error and "library_dir" in error


def test_another_version_is_refused_naming_both_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the stand-in library")
    folder = tmp_path / "old"
    folder.mkdir()
    (tmp_path / "old.c").write_text(OLD_LIBRARY)
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-o", str(folder / "liboes_api.so"), str(tmp_path / "old.c")],
        check=True,
    )
    mark = tmp_path / "called"
    monkeypatch.setenv("OES_TEST_MARK", str(mark))
    error = connect_error(gateway_setting(tmp_path, folder))
    assert "0.16.1.1" in error and "0.17.5.8" in error
    assert not mark.exists(), "a function beyond the version getters was called"


def test_a_library_that_is_not_oes_is_refused(tmp_path: Path) -> None:
    try:
        other = FRONT_ENDS["ctp"].td_library()  # a real shared library of another SDK (the CTP simulator's)
    except SdkUnavailableError:
        pytest.skip("the CTP simulator was not built")
    folder = tmp_path / "other"
    folder.mkdir()
    shutil.copy(other, folder / "liboes_api.so")
    error = connect_error(gateway_setting(tmp_path, folder))
    assert "OES" in error and "liboes_api.so" in error


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_address_fails_at_once_with_error_2(tmp_path: Path) -> None:
    setting = simulator_setting(write_config(tmp_path / "sim.json", stock_config()))
    setting["td_ord_server"] = f"tcp://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    state = connect_states(setting, "order", "connect failed", "connected")
    assert state.state == "connect failed" and state.message.startswith(
        "error 2 (no usable node in the address list): "
    )
    assert time.monotonic() - started < 5


def test_a_silent_server_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCORE_OESSIM_LOGON_WAIT_MS", "300")  # the real library waits ~15 s
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        setting = simulator_setting(write_config(tmp_path / "sim.json", stock_config()))
        setting["td_ord_server"] = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        state = connect_states(setting, "order", "connect failed", "connected")
    assert state.state == "connect failed" and state.message.startswith("error 110 (timed out): ")


def test_vtcore_info_says_built_and_library_not_supplied(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "VTCORE_HOME": str(tmp_path / ".vntrader"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "vtcore.cli", "info"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("OES SDK:"))
    assert "built from vtcore's declarations of OES 0.17.5.8" in line and "library not supplied" in line


def exported(library: Path) -> set[str]:
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("needs nm (binutils)")
    listing = subprocess.run(
        [nm, "-D", "--defined-only", str(library)], capture_output=True, text=True, check=True
    )
    return {line.split()[-1] for line in listing.stdout.splitlines() if line.strip()}


def test_the_simulator_exports_the_spec_functions_and_nothing_of_vtcore_exports_cjson() -> None:
    """The real library exports its own cJSON_* functions and is opened RTLD_LOCAL: nothing vtcore loads may
    define cJSON_* (it would interpose or be interposed); the simulator exports exactly the spec's
    functions."""
    import vtcore  # noqa: PLC0415
    from vtcore.gateways.oes import _oes_types  # noqa: PLC0415

    simulator = FRONT_ENDS["oes"].td_library()
    assert exported(simulator) == set(_oes_types.FUNCTIONS)
    for library in Path(vtcore.__file__).parent.rglob("*.so"):
        assert not [name for name in exported(library) if name.startswith("cJSON_")], library
