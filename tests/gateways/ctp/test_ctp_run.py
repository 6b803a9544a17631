"""`vtcore run` on the simulator, and what a build without CTP shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vtcore.errors import SdkUnavailableError
from vtcore.event import EventEngine
from vtcore.gateways._sdk import build as sdk_build
from vtcore.gateways._sdk import unavailable as sdk_unavailable
from vtcore.gateways.ctp import library, unavailable


def test_run_sim_shows_live_state(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
    pytest.importorskip("vtcore.gateways.ctp.sim")
    # Without the test session's always-open default: the --always-open switch must make it tick at any hour.
    environment = {key: value for key, value in os.environ.items() if key != "VTCORE_SIM_ALWAYS_OPEN"}
    environment["VTCORE_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "vtcore.cli", "run", "--sim", "--always-open", "--duration", "8"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    assert "CTP on the built-in simulator" in output
    assert "CTP.md=ready" in output and "CTP.td=ready" in output
    assert "account CTP.vtcore" in output
    assert "ticks:" in output and "dropped 0" in output
    assert "rb2601.SHFE" in output  # a latest-tick line


def test_run_without_configuration_uses_the_simulator(tmp_path: Path) -> None:
    from vtcore.cli.run import configured_gateways  # noqa: PLC0415

    assert configured_gateways(tmp_path) == []
    (tmp_path / "connect_ctp.json").write_text("{}", encoding="utf-8")
    assert configured_gateways(tmp_path) == ["CTP"]


def test_a_build_without_ctp_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in gateway and the binding loader report the build's recorded reason and fix."""
    reason = "CTP SDK 6.7.11 unavailable at build time: (the reason); then reinstall vtcore"

    def recorded(sdk: str) -> dict[str, object]:
        return {"sdk": sdk, "title": "CTP", "found": False, "unavailable_reason": reason}

    monkeypatch.setattr(sdk_build, "build_info", recorded)
    monkeypatch.setattr(sdk_unavailable, "build_info", recorded)
    monkeypatch.setitem(sys.modules, "vtcore._ctp", None)  # as if it was not built
    with pytest.raises(SdkUnavailableError, match=r"the reason"):
        library.load_binding()
    assert library.status().startswith("not built: CTP is not available in this build")
    gateway = unavailable.CtpGateway(EventEngine(), "CTP")
    assert set(gateway.default_setting) >= {
        "username",
        "password",
        "brokerid",
        "td_address",
        "md_address",
        "product_info",
        "auth_code",
        "environment",
    }
    with pytest.raises(SdkUnavailableError, match=r"the reason.*reinstall"):
        gateway.connect({})


def test_installed_build_info_is_consistent() -> None:
    info = library.build_info()
    try:
        import vtcore._ctp as binding  # noqa: PLC0415
    except ImportError:
        assert info["found"] is False and info["unavailable_reason"]
    else:
        assert info["found"] is True and info["api_version"] == binding.API_VERSION
