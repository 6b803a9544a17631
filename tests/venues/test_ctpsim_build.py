"""The simulator libraries as a loader sees them: vendor file names, only the vendor's exported symbols,
RUNPATH $ORIGIN/.. to the shared simulator core (which exports only vtcore::sim), no link to any vendor
library,
and the version string."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from _ctpsim_probe import Probe, probe_factory, simulator_dir  # noqa: F401  (fixture)
from vtcore.gateways.ctp import sim as ctpsim

MD_SYMBOLS = {"_ZN15CThostFtdcMdApi15CreateFtdcMdApiEPKcbbb", "_ZN15CThostFtdcMdApi13GetApiVersionEv"}
TD_SYMBOLS = {
    "_ZN19CThostFtdcTraderApi19CreateFtdcTraderApiEPKcb",
    "_ZN19CThostFtdcTraderApi13GetApiVersionEv",
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (binutils) is not installed")
    return path


def defined_dynamic_symbols(library: Path) -> set[str]:
    out = subprocess.run(
        [_tool("nm"), "-D", "--defined-only", str(library)], check=True, capture_output=True, text=True
    ).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def dynamic_section(library: Path) -> str:
    command = [_tool("readelf"), "-d", str(library)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (ctpsim.MD_LIBRARY_NAME, MD_SYMBOLS),
        (ctpsim.TD_LIBRARY_NAME, TD_SYMBOLS),
    ],
)
def test_exports_only_the_entry_points(name: str, expected: set[str]) -> None:
    assert defined_dynamic_symbols(simulator_dir() / name) == expected


def test_the_core_exports_only_its_own_namespace() -> None:
    """The core is shared by every SDK front-end: it exports vtcore::sim (and its classes' vtables and
    typeinfo), never a vendor name."""
    core = simulator_dir().parent / ctpsim.CORE_LIBRARY_NAME
    out = subprocess.run(
        [_tool("nm"), "-DC", "--defined-only", str(core)], check=True, capture_output=True, text=True
    ).stdout
    symbols = [line.split(" ", 2)[2] for line in out.splitlines() if line.strip()]
    assert symbols and not [name for name in symbols if "vtcore::sim::" not in name]
    assert not [name for name in symbols if "Thost" in name]


@pytest.mark.parametrize("name", [ctpsim.MD_LIBRARY_NAME, ctpsim.TD_LIBRARY_NAME])
def test_vendor_named_libraries_find_their_core_by_origin(name: str) -> None:
    section = dynamic_section(simulator_dir() / name)
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", section)
    assert ctpsim.CORE_LIBRARY_NAME in needed
    assert not [lib for lib in needed if "thost" in lib], "must not link a vendor library"
    runpath = re.findall(r"\(RUNPATH\).*\[(.+)\]", section)
    assert runpath and runpath[0].split(":")[0] == "$ORIGIN/.."
    assert "(RPATH)" not in section


def test_version_flow_files_and_release(probe_factory, tmp_path: Path) -> None:  # noqa: F811
    probe: Probe = probe_factory()
    probe.send("version")
    version = probe.wait("version")[0]
    api_version = ctpsim.build_info()["api_version"]
    for key in ("md", "td"):
        assert version[key].startswith(f"v{api_version}_")
        assert "vtcore-ctpsim" in version[key]
    # A missing folder is an error the real library crashes on; the simulator reports it and carries on.
    probe.send(f"md_create {tmp_path}/missing/x_")
    probe.wait_stderr("can not open CFlow file")
    # Create... writes the flow files under the prefix (a prefix, not a folder) before Init.
    probe.send(f"md_create {tmp_path}/p_", f"td_create {tmp_path}/q_")
    assert probe.wait("md_created", 2)[1]["trading_day"] == "19800100"  # before login, as the real library
    probe.wait("td_created")
    for name in ("DialogRsp.con", "QueryRsp.con", "TradingDay.con"):
        assert (tmp_path / f"p_{name}").stat().st_size == 6
    for name in ("DialogRsp.con", "QueryRsp.con", "TradingDay.con", "Private.con", "Public.con"):
        assert (tmp_path / f"q_{name}").stat().st_size == 6


def test_threads_start_in_init_and_end_in_release(probe_factory, tmp_path: Path) -> None:  # noqa: F811
    probe: Probe = probe_factory()

    def threads(label: str) -> int:
        probe.send(f"threads {label}")
        return int(probe.wait("threads", label=label)[0]["count"])

    assert threads("start") == 1
    probe.send(f"md_create {tmp_path}/m_", f"td_create {tmp_path}/t_")
    probe.wait("td_created")
    assert threads("created") == 1  # Create... starts no thread
    probe.send("md_front tcp://127.0.0.1:0", "md_init", "td_front tcp://127.0.0.1:0", "td_init")
    probe.wait("md.OnFrontConnected")
    probe.wait("td.OnFrontConnected")
    assert threads("initialised") == 3  # one API thread per object
    probe.send("md_release", "td_release")
    probe.wait("td_released")
    assert threads("released") == 1  # Release() joined them


def test_release_from_inside_a_callback(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory({"market_data": {"rate": 0, "count": -1}})
    probe.md_login()
    probe.send("md_print 0", "md_sub rb2601", "md_wait_ticks 1000 60")
    probe.wait("md_waited")
    probe.send("md_release_in_callback")
    assert probe.wait("md_released_in_callback")[0]["after_release"] == "rb2601"

    # The object is deleted by its own thread once the callback has returned: wait (bounded) for it to end.
    for attempt in range(2000):
        probe.send(f"threads gone{attempt}")
        if probe.wait("threads", label=f"gone{attempt}")[0]["count"] == 1:
            break
        time.sleep(0.01)
    else:
        pytest.fail("the API thread did not end after Release() from a callback")
    probe.send("md_stats")
    ticks = probe.wait("md_stats")[0]["ticks"]
    probe.send("md_stats")
    assert probe.wait("md_stats", 2)[1]["ticks"] == ticks  # no callback after Release()
