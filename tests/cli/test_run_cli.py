"""`vtcore run` says what went wrong in one line, never a traceback: a bad vt_setting.json or settings file,
`--symbols` that match nothing, an app that cannot be found; trade lines carry direction and offset; the RPC
client's "synced" counts as ready, a refused one stops the run with the server's hint."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from vtcore.cli.run import LiveView, _close, _route_logs_to_view, add_run_parser, run
from vtcore.constant import Exchange
from vtcore.engine import MainEngine
from vtcore.event import EventEngine
from vtcore.gateway import BaseGateway
from vtcore.log import get_logger, register_secret
from vtcore.object import CancelRequest, GatewayStateData, OrderRequest, SubscribeRequest
from vtcore.setting import save_connect_setting


def vtcore_run(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "VTCORE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "vtcore.cli", "run", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=home.parent,
        check=False,
    )


def test_a_bad_vt_setting_json_is_one_clear_line(tmp_path: Path) -> None:
    home = tmp_path / ".vntrader"
    home.mkdir()
    (home / "vt_setting.json").write_text('{"log.level": "LOUD"}', encoding="utf-8")
    result = vtcore_run(home, "--sim", "--duration", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "vt_setting.json" in result.stderr and "log.level" in result.stderr


def test_a_settings_file_that_is_not_utf8_is_one_clear_line(tmp_path: Path) -> None:
    home = tmp_path / ".vntrader"
    home.mkdir()
    (home / "connect_ctp.json").write_bytes('{"用户名": "张三"}'.encode("gbk"))
    result = vtcore_run(home, "--duration", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "connect_ctp.json" in result.stderr and "not UTF-8" in result.stderr


def test_an_unknown_app_is_refused_before_anything_starts(tmp_path: Path) -> None:
    result = vtcore_run(tmp_path / ".vntrader", "--sim", "--app", "NoSuchApp", "--duration", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "NoSuchApp" in result.stderr and "RpcService" in result.stderr


def test_an_app_runs_with_the_gateways(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
    result = vtcore_run(
        tmp_path / ".vntrader", "--sim", "--app", "RpcService", "--no-orders", "--duration", "3"
    )
    assert result.returncode == 0, result.stderr


def test_symbols_that_match_nothing_warn_and_fail(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
    result = vtcore_run(tmp_path / ".vntrader", "--sim", "--symbols", "xx9999", "--duration", "30")
    assert result.returncode == 1
    assert "--symbols xx9999 matched no contract of CTP" in result.stderr
    assert "rb2601" in result.stderr  # what does exist


def test_no_configuration_message_and_trade_lines(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
    result = vtcore_run(tmp_path / ".vntrader", "--duration", "8", "--symbols", "rb2601")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("no gateway configured in ") and "running CTP on its local peer instead" in first
    trades = [line for line in result.stdout.splitlines() if line.startswith("trade ")]
    assert any(" LONG OPEN " in line for line in trades), result.stdout


def test_rpc_synced_counts_as_ready_and_refusal_is_seen() -> None:
    engine = MainEngine(EventEngine())
    try:
        view = LiveView(engine, engine.event_engine)
        view.states[("RPC", "server")] = GatewayStateData("RPC", "server", "synced")
        assert view.all_ready(["RPC"])
        view.states[("RPC", "server")] = GatewayStateData("RPC", "server", "refused", "add the key")
        assert not view.all_ready(["RPC"]) and [s.state for s in view.refused(["RPC"])] == ["refused"]
    finally:
        engine.close()


def test_a_front_in_error_stops_the_run_but_a_disconnected_rpc_client_waits() -> None:
    engine = MainEngine(EventEngine())
    try:
        view = LiveView(engine, engine.event_engine)
        view.states[("RPC", "server")] = GatewayStateData("RPC", "server", "disconnected", "no heartbeat")
        assert view.refused(["RPC"]) == []  # it waits for the server to come back
        view.states[("RPC", "server")] = GatewayStateData("RPC", "server", "error", "bad address")
        assert [s.state for s in view.refused(["RPC"])] == ["error"]  # its connect failed: no retry
    finally:
        engine.close()


def test_vtcore_run_stops_when_a_front_reports_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    save_connect_setting("CTP", {"username": "u1", "password": SECRET})
    monkeypatch.setattr(_LeakyGateway, "mode", "error")
    monkeypatch.setattr("vtcore.cli.run.load_gateway_class", lambda name: _LeakyGateway)
    parser = argparse.ArgumentParser()
    add_run_parser(parser.add_subparsers())
    assert run(parser.parse_args(["run", "--gateway", "CTP", "--duration", "3"])) == 1
    _, err = capsys.readouterr()
    assert "vtcore run: CTP td: error: login raised TypeError; not retrying" in err


def test_in_the_live_view_log_lines_go_to_its_pane_not_the_console() -> None:
    engine = MainEngine(EventEngine())
    view = LiveView(engine, engine.event_engine)
    handler = _route_logs_to_view(view)
    try:
        consoles = [h for h in get_logger("vtcore").handlers if type(h).__name__ == "StreamHandler"]
        assert consoles == []  # nothing writes between the view's redraws
        get_logger("vtcore.setting").warning("unknown setting key 'pasword'")
        engine.write_log("connecting gateway CTP", "MainEngine")
        deadline = time.monotonic() + 10
        while "MainEngine: connecting gateway CTP" not in view.logs and time.monotonic() < deadline:
            time.sleep(0.01)  # the engine thread delivers the EVENT_LOG row
        assert "WARNING vtcore.setting: unknown setting key 'pasword'" in view.logs
        assert "MainEngine: connecting gateway CTP" in view.logs
        assert "\n".join(view.render()).count("pasword") == 1
    finally:
        _close(engine, {}, handler)
    assert handler not in get_logger("vtcore").handlers


# -- secrets: the live view and the run's stderr mask them as the UI's log monitor does ---------------------

SECRET = "hunter2\\SECRET"  # a backslash: its repr() (how a binding's TypeError quotes it) is not itself


def test_the_live_view_masks_secrets_in_log_lines() -> None:
    register_secret(SECRET)
    engine = MainEngine(EventEngine())
    view = LiveView(engine, engine.event_engine)
    handler = _route_logs_to_view(view)
    try:
        engine.write_log(f"td front: login refused (password={SECRET})", "CTP")
        logging.getLogger("vtcore.unfiltered").warning("echo %s", SECRET)  # a logger vtcore never filtered
        deadline = time.monotonic() + 10
        while not any("login refused" in line for line in view.logs) and time.monotonic() < deadline:
            time.sleep(0.01)  # the engine thread delivers the EVENT_LOG row
        shown = "\n".join(view.render())
        assert "login refused" in shown and "echo" in shown
        assert "SECRET" not in shown, shown
    finally:
        _close(engine, {}, handler)


class _LeakyGateway(BaseGateway):
    """Fails to connect the way real ones can: a refusal or an exception that quotes the password."""

    default_name = "CTP"
    default_setting: ClassVar[dict[str, Any]] = {"username": "", "password": ""}
    exchanges: ClassVar[list[Exchange]] = [Exchange.SHFE]
    mode = "raise"

    def connect(self, setting: dict[str, Any]) -> None:
        password = setting["password"]
        if self.mode == "raise":  # as a pybind11 binding words an argument it cannot convert
            raise TypeError(f"login(): incompatible function arguments.\nInvoked with: 'u1', {password!r}")
        if self.mode == "error":  # as XTP's login thread says a login attempt that raised (not retried)
            self.on_gateway_state(
                GatewayStateData(self.gateway_name, "td", "error", "login raised TypeError; not retrying")
            )
            return
        self.on_gateway_state(
            GatewayStateData(self.gateway_name, "td", "login_rejected", f"wrong password {password}")
        )

    def close(self) -> None:
        pass

    def subscribe(self, req: SubscribeRequest) -> None:
        pass

    def send_order(self, req: OrderRequest) -> str:
        return ""

    def cancel_order(self, req: CancelRequest) -> None:
        pass

    def query_account(self) -> None:
        pass

    def query_position(self) -> None:
        pass


@pytest.mark.parametrize("mode", ["raise", "refused"])
def test_vtcore_run_masks_secrets_in_what_it_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    save_connect_setting("CTP", {"username": "u1", "password": SECRET})
    monkeypatch.setattr(_LeakyGateway, "mode", mode)
    monkeypatch.setattr("vtcore.cli.run.load_gateway_class", lambda name: _LeakyGateway)
    parser = argparse.ArgumentParser()
    add_run_parser(parser.add_subparsers())
    assert run(parser.parse_args(["run", "--gateway", "CTP", "--duration", "10"])) == 1
    out, err = capsys.readouterr()
    said = "TypeError" if mode == "raise" else "login_rejected"
    assert said in err  # what went wrong is still said
    assert "SECRET" not in out + err, err
