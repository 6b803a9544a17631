"""Smoke test of the REAL CTP 6.7.11 libraries (openctp-ctp) through MainEngine, on loopback only.

No CTP server can be reached, so this proves what can be proven offline: the library loads by path, passes
the version check, Init() runs against a loopback port that accepts and closes (the library reports
OnFrontDisconnected 0x1001), the disconnect reaches the engine as GatewayStateData, a refused port is reported
as a timeout (the library itself says nothing), and release is clean.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from _ctp_engine import ctp_engine, wait_for

pytest.importorskip("vtcore._ctp", reason="vtcore was built without the CTP SDK")

from vtcore.event import EVENT_GATEWAY_STATE
from vtcore.gateways.ctp.library import find_libraries


@pytest.fixture()
def closing_port() -> Iterator[int]:
    """A loopback port that accepts every connection and closes it at once."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    server.close()


def _setting(port: int) -> dict[str, str]:
    return {
        "username": "000001",
        "password": "not-a-real-password",
        "brokerid": "9999",
        "td_address": f"127.0.0.1:{port}",
        "md_address": f"tcp://127.0.0.1:{port}",
        "product_info": "",
        "auth_code": "",
        "environment": "test",
        "library_dir": "",
    }


def test_real_library_reports_disconnect_through_the_engine(closing_port: int) -> None:
    md_library, _td_library = find_libraries()
    assert "openctp_ctp.libs" in str(md_library)  # the installed package's real libraries, by default
    with ctp_engine(_setting(closing_port)) as (_, gateway, recorder):
        assert gateway.td.api.library_version.startswith("v6.7.11_")
        for front in ("td", "md"):
            wait_for(lambda front=front: "disconnected" in recorder.states(front), what=f"{front} disconnect")
        state = next(s for s in recorder.of(EVENT_GATEWAY_STATE) if s.state == "disconnected")
        assert "0x1001" in state.message and state.gateway_name == "CTP"
        assert not any("not-a-real-password" in line for line in recorder.logs())
    assert gateway.td.state == "closed" and gateway.md.state == "closed"
    assert gateway.td.api is None


def _refused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused, and CTP says nothing
    return int(port)


def test_real_library_silent_on_refused_port_gives_a_timeout() -> None:
    with ctp_engine(_setting(_refused_port()), connect_timeout=0.5) as (_, _gateway, recorder):
        for front in ("td", "md"):
            wait_for(lambda front=front: "timeout" in recorder.states(front), what=f"{front} timeout")
            # The log line is a separate event, queued after the state's: wait for it, never assume it came.
            expected = f"no answer from {front} front"
            wait_for(
                lambda expected=expected: any(expected in line for line in recorder.logs()),
                what=f"the {front} timeout's log line",
            )


def test_a_request_the_real_library_refuses_gives_a_rejected_order() -> None:
    """ReqOrderInsert returning non-zero (the real library answers -1 while it has no connection) must push a
    REJECTED order with the reason, not just a log line as vn.py did. A refused port, not one that accepts and
    closes: during such a short-lived connection the library may accept the request (return 0)."""
    from vtcore.constant import Direction, Exchange, Offset, OrderType, Status  # noqa: PLC0415
    from vtcore.event import EVENT_ORDER  # noqa: PLC0415
    from vtcore.object import OrderRequest  # noqa: PLC0415

    with ctp_engine(_setting(_refused_port()), connect_timeout=0.5) as (main_engine, gateway, recorder):
        gateway.td.logged_in = True  # pretend a session, so that the request reaches the library
        request = OrderRequest(
            symbol="rb2601",
            exchange=Exchange.SHFE,
            direction=Direction.LONG,
            type=OrderType.LIMIT,
            volume=1,
            price=3500.0,
            offset=Offset.OPEN,
        )
        vt_orderid = main_engine.send_order(request, "CTP")
        last = wait_for(
            lambda: [
                o
                for o in recorder.of(EVENT_ORDER)
                if o.vt_orderid == vt_orderid and o.status == Status.REJECTED
            ],
            what="the rejected order",
        )[-1]
        assert "ReqOrderInsert returned -1" in last.extra["reason"]
