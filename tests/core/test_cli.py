"""The `vtcore` command: version, info, and the subcommand registry other parts extend."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import vtcore
from vtcore import cli
from vtcore.errors import GatewayNotFoundError
from vtcore.gateways import GATEWAYS, SIM_PEERS, load_gateway_class, start_sim_peer


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"vtcore {vtcore.__version__}"


def test_info_reports_bindings_and_settings_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "vt"))
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"vtcore {vtcore.__version__}" in out
    assert f"settings folder: {tmp_path / 'vt'}" in out
    assert "vtcore._fast: ok" in out
    assert "build: version=" in out and "build_type=" in out and "VTCORE_WITH_CTP=" in out
    for module, title in (("vtcore._ctp", "CTP"), ("vtcore._mini", "CTP-Mini")):
        line = next(line for line in out.splitlines() if line.startswith(f"{title} SDK:"))
        try:
            importlib.import_module(module)
        except ImportError:
            assert "not built: " in line and "available in this build: " in line  # and says why
        else:
            assert f"built from the {title} " in line and module in line


def test_console_script_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "vtcore.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and "vtcore" in result.stdout


def test_subcommand_registry_reports_a_broken_registration(monkeypatch, capsys):
    monkeypatch.setitem(cli.SUBCOMMANDS, "broken", "vtcore.no_such_module:add_parser")
    assert cli.main(["broken"]) == 2
    assert "unavailable" in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 0
    assert "info" in capsys.readouterr().out


def test_gateway_registry_errors():
    assert {"CTP", "BINANCE_SPOT", "OKEX", "OKEXF", "RPC"} <= set(GATEWAYS)
    with pytest.raises(GatewayNotFoundError, match="unknown gateway"):
        load_gateway_class("NOPE")


def test_gateway_registry_loads_lazily(monkeypatch):
    monkeypatch.setitem(GATEWAYS, "MISSING", "vtcore.gateways.not_there:Gateway")
    with pytest.raises(GatewayNotFoundError, match="not installed"):
        load_gateway_class("missing")
    monkeypatch.setitem(GATEWAYS, "NOT_A_GATEWAY", "vtcore.object:TickData")
    with pytest.raises(GatewayNotFoundError, match="not a BaseGateway"):
        load_gateway_class("NOT_A_GATEWAY")


def test_sim_peer_registry_names_the_gateways_with_a_peer(monkeypatch, capsys):
    assert "CTP" in SIM_PEERS
    with pytest.raises(GatewayNotFoundError, match="has no local peer"):
        start_sim_peer("OKEX")
    monkeypatch.setitem(SIM_PEERS, "DEMO", "vtcore.gateways.not_there:start_peer")
    with pytest.raises(GatewayNotFoundError, match="not installed"):
        start_sim_peer("demo")
    assert cli.main(["info"]) == 0
    assert "local peers (vtcore run --sim --gateway NAME): CTP" in capsys.readouterr().out


def test_run_refuses_unknown_gateways_and_gateways_without_a_peer(capsys):
    assert cli.main(["run", "--gateway", "NOPE", "--duration", "0.1"]) == 2
    assert "unknown gateway NOPE" in capsys.readouterr().err
    assert cli.main(["run", "--sim", "--gateway", "okex", "--duration", "0.1"]) == 1
    assert "has no local peer" in capsys.readouterr().err
