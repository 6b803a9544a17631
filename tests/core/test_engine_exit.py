"""A process ends cleanly, with the exit code Python gives it, however it ends while an EventEngine runs.

Each case is a short script run in its own interpreter (issue 19, item 1: the one-liners that died with
"terminate called without an active exception", rc 134): a normal end, an uncaught exception, Ctrl-C,
`sys.exit` in the main thread and in a handler, and an exit while CTP ticks flow from the simulator.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ENGINE = "import sys, time\nfrom vtcore.event import Event, EventEngine\ne = EventEngine(interval=0.001)\n"
ABORT = "terminate called"


def run_script(script: str, home: Path, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VTCORE_HOME": str(home / ".vntrader"), "HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=home,
        check=False,
    )


@pytest.mark.parametrize(
    ("script", "code"),
    [
        pytest.param(ENGINE + "e.start(); time.sleep(0.3)", 0, id="normal-end"),
        pytest.param(ENGINE + "e.start(); time.sleep(0.1); raise RuntimeError('boom')", 1, id="exception"),
        pytest.param(ENGINE + "e.start(); time.sleep(0.1); sys.exit(4)", 4, id="sys-exit-in-main"),
        pytest.param(
            ENGINE
            + textwrap.dedent("""
                e.register("quit", lambda event: sys.exit(3))
                e.start()
                e.put(Event("quit"))
                while True:
                    time.sleep(0.01)
            """),
            3,
            id="sys-exit-in-a-handler",
        ),
    ],
)
def test_exit_is_clean_with_the_right_code(script: str, code: int, tmp_path: Path) -> None:
    for _ in range(2):  # the abort came 4 times out of 4: two runs are enough to see it
        done = run_script(script, tmp_path)
        assert ABORT not in done.stderr, done.stderr
        assert done.returncode == code, done.stderr


def test_ctrl_c_ends_with_keyboard_interrupt(tmp_path: Path) -> None:
    script = ENGINE + "e.start()\nprint('ready', flush=True)\ntime.sleep(60)\n"
    env = {**os.environ, "VTCORE_HOME": str(tmp_path / ".vntrader"), "HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert ABORT not in err, err
    assert "KeyboardInterrupt" in err
    assert process.returncode == -signal.SIGINT  # what Python does for an uncaught Ctrl-C


def test_exit_without_close_while_ctp_ticks_flow(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
    ctpsim = pytest.importorskip("vtcore.gateways.ctp.sim")
    try:
        library_dir = ctpsim.library_dir()
    except Exception as exc:  # not built: SdkUnavailableError
        pytest.skip(f"the CTP simulator is not built: {exc}")
    config = ctpsim.write_config(tmp_path / "sim.json", {"market_data": {"rate": 20_000}})
    script = textwrap.dedent(f"""
        import time
        from vtcore.constant import Exchange
        from vtcore.engine import MainEngine
        from vtcore.event import EVENT_TICK, EventEngine
        from vtcore.gateways.ctp import CtpGateway
        from vtcore.object import SubscribeRequest

        ticks = []
        event_engine = EventEngine(interval=0.01)
        event_engine.register(EVENT_TICK, ticks.append)
        main_engine = MainEngine(event_engine)
        main_engine.add_gateway(CtpGateway, "CTP")
        address = {str(ctpsim.front_address(config))!r}
        setting = {{"username": "exit", "password": "exit", "brokerid": "9999", "td_address": address,
                    "md_address": address, "product_info": "", "auth_code": "", "environment": "test",
                    "library_dir": {str(library_dir)!r}}}
        main_engine.connect(setting, "CTP")
        main_engine.subscribe(SubscribeRequest(symbol="rb2601", exchange=Exchange.SHFE), "CTP")
        deadline = time.monotonic() + 30
        while len(ticks) < 200 and time.monotonic() < deadline:
            time.sleep(0.01)
        print(len(ticks) >= 200, flush=True)
    """)
    for _ in range(2):
        started = time.monotonic()
        done = run_script(script, tmp_path)
        assert ABORT not in done.stderr, done.stderr
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "True", (done.stdout, done.stderr[-2000:])  # ticks were flowing
        assert time.monotonic() - started < 60
