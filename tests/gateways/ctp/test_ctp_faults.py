"""CtpGateway under faults (issue 19, items 2, 3, 7, 8, 9, 11, 12, 13, 14), against the CTP simulator
libraries loaded by path like the real ones: close() while other threads keep sending, orders racing
close(), refused logins and re-logins, a refused market-data library, settings over the SDK's field sizes,
odd argument types, ambiguous library folders, trade ids of two exchanges and the flow folder's
permissions."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import ctp_engine, wait_for

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")
ctpsim = pytest.importorskip("vtcore.gateways.ctp.sim")

from vtcore.constant import Direction, Exchange, Offset, OrderType, Status  # noqa: E402
from vtcore.errors import SdkUnavailableError, SettingsError  # noqa: E402
from vtcore.event import EVENT_ORDER, Event  # noqa: E402
from vtcore.gateways.ctp import CtpGateway  # noqa: E402
from vtcore.gateways.ctp.library import find_libraries  # noqa: E402
from vtcore.gateways.ctp.sim import simulator_setting  # noqa: E402
from vtcore.log import mask_secrets  # noqa: E402
from vtcore.object import CancelRequest, OrderRequest, SubscribeRequest  # noqa: E402

PASSWORD = "faults-pw-5521"


def sim_config(folder: Path, **sections: Any) -> tuple[Path, Path]:
    """(config file, control port file): one account, no ticks unless asked."""
    port_file = folder / "control.port"
    config: dict[str, Any] = {
        "accounts": [{"user_id": "tester", "password": PASSWORD}],
        "market_data": {"rate": 50, "count": 0},
        "control": {"enabled": True, "port_file": str(port_file)},
    }
    config.update(sections)
    return ctpsim.write_config(folder / "sim.json", config), port_file


def resting_order() -> OrderRequest:
    """A buy far below the market: accepted and left resting (rb2601's lower limit is 2883)."""
    return OrderRequest(
        symbol="rb2601",
        exchange=Exchange.SHFE,
        direction=Direction.LONG,
        type=OrderType.LIMIT,
        volume=1,
        price=2900.0,
        offset=Offset.OPEN,
    )


def wait_ready(gateway: CtpGateway) -> None:
    wait_for(lambda: gateway.td.state == "ready" and gateway.md.state == "ready", what="both fronts ready")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("VTCORE_HOME", str(folder))
    return folder


# -- items 2 and 3: close() while other threads send ---------------------------------------------------------


def test_close_returns_while_others_send_and_no_order_stays_submitting(home: Path, tmp_path: Path) -> None:
    """Three threads send orders faster than a slow handler lets the engine go; close() must return in
    bounded time anyway (it never returned: it waited for a backlog the senders kept growing). Orders that
    race close() become REJECTED with the reason instead of raising RuntimeError to the sender, and after a
    new connect() no order is left SUBMITTING (those queued but never sent are found missing from the
    exchange's order list)."""
    config, _ = sim_config(tmp_path)
    setting = simulator_setting(config, "tester", PASSWORD)
    with ctp_engine(setting) as (main_engine, gateway, recorder):
        wait_ready(gateway)
        slow = threading.Event()
        slow.set()

        def slow_handler(event: Event) -> None:
            if slow.is_set():
                time.sleep(0.002)  # the engine handles at most 500 order events per second

        main_engine.event_engine.register(EVENT_ORDER, slow_handler)
        sent: list[str] = []
        errors: list[BaseException] = []
        closed = threading.Event()  # set once close() returned: each sender then sends 50 more and stops

        def sender() -> None:
            more = 50
            while more:
                try:
                    sent.append(main_engine.send_order(resting_order(), "CTP"))
                except BaseException as exc:
                    errors.append(exc)
                if closed.is_set():
                    more -= 1
                time.sleep(0.001)  # about 3,000 orders per second from the three: six times the engine's pace

        senders = [threading.Thread(target=sender, daemon=True) for _ in range(3)]
        for thread in senders:
            thread.start()
        try:

            def backlog() -> int:  # orders sent whose SUBMITTING event the engine has not dispatched yet
                return len(sent) - sum(o.status == Status.SUBMITTING for o in recorder.of(EVENT_ORDER))

            wait_for(lambda: backlog() > 1500, what="a backlog of order events")  # 3 s of the engine's work
            pending = backlog()
            closing = threading.Thread(target=gateway.close, daemon=True)
            began = time.monotonic()
            closing.start()
            closing.join(timeout=20)
            assert not closing.is_alive(), "close() did not return while other threads kept sending"
            took = time.monotonic() - began
            count_at_close = len(sent)
        finally:
            closed.set()
            for thread in senders:
                thread.join(timeout=30)
        slow.clear()
        assert not errors, f"send_order raised: {errors[:3]!r}"
        # close() did not wait for the backlog (half the time the engine needs for what was queued already).
        assert took < pending * 0.002 / 2, (took, pending)
        wait_for(lambda: gateway.td.state == "closed", what="the td front closed")

        def rejected_for_closing() -> set[str]:
            return {
                o.vt_orderid
                for o in recorder.of(EVENT_ORDER)
                if o.status == Status.REJECTED and "the gateway is closed" in o.extra["reason"]
            }

        after = set(sent[count_at_close:])  # sent after close() returned: each one refused at once
        wait_for(lambda: after <= rejected_for_closing(), what="every order sent after close() rejected")

        main_engine.connect(setting, "CTP")  # a new session: the exchange's order list settles the rest
        wait_ready(gateway)

        def still_submitting() -> list[str]:
            last = {}
            for order in recorder.of(EVENT_ORDER):
                last[order.vt_orderid] = order.status
            return [vt for vt in set(sent) if last.get(vt, Status.SUBMITTING) == Status.SUBMITTING]

        wait_for(lambda: not still_submitting(), timeout=120, what="every order resolved after the re-login")


# -- item 13: trade ids are unique per exchange -------------------------------------------------------------


def test_the_first_trades_on_two_exchanges_are_two_trades(home: Path, tmp_path: Path) -> None:
    """SHFE and DCE number their trades apart, so both first trades are TradeID 1 (the simulator numbers per
    exchange, as they do): vn.py's CTP.1 kept one of them in get_all_trades()."""
    config, _ = sim_config(tmp_path, market_data={"rate": 200})
    with ctp_engine(simulator_setting(config, "tester", PASSWORD)) as (main_engine, gateway, _):
        wait_ready(gateway)
        for symbol, exchange in (("rb2601", Exchange.SHFE), ("m2601", Exchange.DCE)):
            main_engine.subscribe(SubscribeRequest(symbol, exchange), "CTP")
            tick = wait_for(lambda s=symbol, e=exchange: main_engine.get_tick(f"{s}.{e.value}"), what=symbol)
            main_engine.send_order(
                OrderRequest(
                    symbol=symbol,
                    exchange=exchange,
                    direction=Direction.LONG,
                    type=OrderType.LIMIT,
                    volume=1,
                    price=tick.limit_up,
                    offset=Offset.OPEN,
                ),
                "CTP",
            )
        trades = wait_for(
            lambda: len(main_engine.get_all_trades()) == 2 and main_engine.get_all_trades(),
            what="both trades kept",
        )
    assert sorted(trade.vt_tradeid for trade in trades) == ["CTP.DCE.1", "CTP.SHFE.1"]


# -- item 12: refused logins stay visible; a refused md re-login is retried ----------------------------------


def test_a_refused_login_stays_the_fronts_state_across_reconnects(home: Path, tmp_path: Path) -> None:
    config, port_file = sim_config(tmp_path)
    setting = simulator_setting(config, "tester", "a-wrong-password")
    with ctp_engine(setting) as (main_engine, gateway, recorder):
        wait_for(lambda: gateway.td.state == "login_rejected", what="td login rejected")
        with ctpsim.SimControl.from_port_file(port_file) as control:

            def refusals() -> int:
                return sum("td front: not logging in again" in line for line in recorder.logs())

            before = refusals()
            control.disconnect("td", reconnect_ms=50)
            wait_for(lambda: refusals() > before, what="the reconnect, with no login retry")
        assert gateway.td.state == "login_rejected"
        assert recorder.states("td")[-1] == "login_rejected"  # "connected" never hid it
        main_engine.connect(simulator_setting(config, "tester", PASSWORD), "CTP")  # connect() retries
        wait_ready(gateway)


def test_a_refused_automatic_md_relogin_is_retried(home: Path, tmp_path: Path) -> None:
    config, port_file = sim_config(tmp_path, market_data={"rate": 200})
    with ctp_engine(simulator_setting(config, "tester", PASSWORD), md_relogin_delay=0.2) as (
        main_engine,
        gateway,
        recorder,
    ):
        wait_ready(gateway)
        main_engine.subscribe(SubscribeRequest("rb2601", Exchange.SHFE), "CTP")
        wait_for(lambda: main_engine.get_tick("rb2601.SHFE"), what="a first tick")
        with ctpsim.SimControl.from_port_file(port_file) as control:
            control.reject_login("md", 1)
            control.disconnect("md", reconnect_ms=50)
        wait_for(lambda: "login_rejected" in recorder.states("md"), what="the refused md re-login")
        wait_for(lambda: recorder.states("md")[-1] == "ready", what="md ready again after the retry")
        ticks = len(recorder.of("eTick."))
        wait_for(lambda: len(recorder.of("eTick.")) > ticks + 5, what="market data after the retry")


# -- item 11: both libraries are checked before either front starts ------------------------------------------


def test_a_refused_md_library_starts_no_front(home: Path, tmp_path: Path) -> None:
    from _ctp_sdk import sdk_dir  # noqa: PLC0415

    folder = tmp_path / "libs" / "ctp"  # the simulator's front-end finds its core in the parent folder
    folder.mkdir(parents=True)
    simulator = ctpsim.library_dir()
    shutil.copy(simulator / ctpsim.TD_LIBRARY_NAME, folder)
    shutil.copy(simulator.parent / ctpsim.CORE_LIBRARY_NAME, folder.parent)
    shutil.copy(sdk_dir("6.7.13") / "lib" / "libthostmduserapi_se.so", folder)  # another version: refused
    config, _ = sim_config(tmp_path)
    setting = simulator_setting(config, "tester", PASSWORD)
    setting["library_dir"] = str(folder)
    with ctp_engine() as (main_engine, gateway, recorder):
        with pytest.raises(SdkUnavailableError, match=r"md front: .*6\.7\.13"):
            main_engine.connect(setting, "CTP")
        assert gateway.td.api is None and gateway.md.api is None
        assert gateway.td.state == "unavailable" and "not started" in gateway.td.state_message
        assert "connecting" not in recorder.states("td")


# -- item 14: an ambiguous library folder --------------------------------------------------------------------


def test_two_hashed_libraries_are_called_ambiguous(tmp_path: Path) -> None:
    for name in (
        "libthostmduserapi_se-1a2b3c4d.so",
        "libthostmduserapi_se-5e6f7a8b.so",
        "libthosttraderapi_se-1a2b3c4d.so",
    ):
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(SdkUnavailableError, match="ambiguous") as error:
        find_libraries(str(tmp_path))
    assert "libthostmduserapi_se-1a2b3c4d.so, libthostmduserapi_se-5e6f7a8b.so" in str(error.value)
    (tmp_path / "libthostmduserapi_se-5e6f7a8b.so").unlink()
    md, td = find_libraries(str(tmp_path))
    assert (md.name, td.name) == ("libthostmduserapi_se-1a2b3c4d.so", "libthosttraderapi_se-1a2b3c4d.so")


# -- item 8: settings checked against the SDK's field sizes at connect ---------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("password", "p" * 41, "41 bytes; at most 40 fit"),
        ("password", "pass\x00word", "contains a NUL byte"),
        ("password", "密" * 21, "42 bytes; at most 40 fit"),  # GB18030: two bytes each
        ("auth_code", "A" * 17, "17 bytes; at most 16 fit"),
        ("username", "u" * 16, "16 bytes; at most 15 fit"),
        ("brokerid", "9" * 11, "11 bytes; at most 10 fit"),
        ("product_info", "x" * 33, "33 bytes; at most 32 fit"),
    ],
)
def test_settings_that_do_not_fit_the_sdk_are_refused_at_connect(
    home: Path, tmp_path: Path, key: str, value: str, problem: str
) -> None:
    config, _ = sim_config(tmp_path)
    setting = simulator_setting(config, "tester", PASSWORD)
    setting[key] = value
    with ctp_engine() as (main_engine, gateway, recorder):
        with pytest.raises(SettingsError, match=f"CTP setting '{key}' does not fit: .*{problem}") as error:
            main_engine.connect(setting, "CTP")
        assert value not in str(error.value)
        # As the log and the UI show it: the mask of a secret field's value leaves the byte count readable.
        assert problem in mask_secrets(str(error.value))
        assert gateway.td.api is None and "connecting" not in recorder.states("td")


# -- item 9: odd argument types get one answer ---------------------------------------------------------------


def test_odd_argument_types_raise_at_the_boundary(home: Path, tmp_path: Path) -> None:
    def order(**changes: Any) -> OrderRequest:
        fields: dict[str, Any] = {
            "symbol": "rb2601",
            "exchange": Exchange.SHFE,
            "direction": Direction.LONG,
            "type": OrderType.LIMIT,
            "volume": 1,
            "price": 3000.0,
            "offset": Offset.OPEN,
        }
        fields.update(changes)
        return OrderRequest(**fields)

    odd = [
        (lambda: order(exchange="SHFE"), TypeError, r"exchange must be a Exchange member, not str; use"),
        (lambda: order(volume=True), TypeError, "volume must be a number, not bool"),
        (lambda: order(price="3000"), TypeError, "price must be a number, not str"),
        (lambda: order(direction="LONG"), TypeError, "direction must be a Direction member"),
        (lambda: order(symbol="rb\ud8002601"), ValueError, "symbol is not valid text"),
        (lambda: SubscribeRequest("rb\ud8002601", Exchange.SHFE), ValueError, "symbol is not valid text"),
        (lambda: SubscribeRequest("rb2601", "SHFE"), TypeError, "exchange must be a Exchange member"),
        (
            lambda: CancelRequest(orderid=None, symbol="rb2601", exchange=Exchange.SHFE),
            TypeError,
            "orderid must be a str, not NoneType",
        ),
    ]
    for build, error, message in odd:
        with pytest.raises(error, match=message):
            build()
    config, _ = sim_config(tmp_path)
    with ctp_engine(simulator_setting(config, "tester", PASSWORD)) as (main_engine, gateway, recorder):
        wait_ready(gateway)
        # A field changed after the request was built is caught when it is sent, the same way everywhere.
        changed = order()
        changed.volume = True  # type: ignore[assignment]
        subscription = SubscribeRequest("rb2601", Exchange.SHFE)
        subscription.exchange = "SHFE"  # type: ignore[assignment]
        cancel = CancelRequest(orderid="1_2_3", symbol="rb2601", exchange=Exchange.SHFE)
        cancel.orderid = None  # type: ignore[assignment]
        for call in (
            lambda: main_engine.send_order(changed, "CTP"),
            lambda: gateway.send_order(changed),
            lambda: main_engine.subscribe(subscription, "CTP"),
            lambda: gateway.subscribe(subscription),
            lambda: main_engine.cancel_order(cancel, "CTP"),
            lambda: gateway.cancel_order(cancel),
        ):
            with pytest.raises(TypeError):
                call()
        assert not recorder.of(EVENT_ORDER)  # nothing was half-sent


# -- item 7: the flow folder is owner-only -------------------------------------------------------------------


def test_flow_folders_are_owner_only(home: Path, tmp_path: Path) -> None:
    home.mkdir(mode=0o755)
    home.chmod(0o755)  # an existing, open .vntrader
    config, _ = sim_config(tmp_path)
    with ctp_engine(simulator_setting(config, "tester", PASSWORD)) as (_main_engine, gateway, _recorder):
        wait_ready(gateway)
    for folder in (
        home,
        home / "ctp_flow",
        home / "ctp_flow" / "CTP",
        home / "ctp_flow" / "CTP" / "td",
        home / "ctp_flow" / "CTP" / "md",
    ):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    files = [path for path in (home / "ctp_flow").rglob("*") if path.is_file()]
    assert files and all(path.stat().st_mode & 0o777 == 0o600 for path in files)
