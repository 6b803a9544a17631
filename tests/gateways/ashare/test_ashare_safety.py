"""XtpGateway and ToraGateway on the simulator: input an SDK struct cannot hold is refused with a reason and
never raised out of send_order / cancel_order nor left SUBMITTING; a close that races an order; a TORA trade
report that comes before its order's report is tied to its order."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _ashare_sim import Control, TradeReportFirst, ashare_config, ready_gateway
from _ctp_engine import Recorder, wait_for
from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
from vtcore.event import EVENT_ORDER, EVENT_TRADE, Event
from vtcore.gateways._sdk import ashare
from vtcore.object import CancelRequest, OrderRequest

GATEWAYS = {"XTP": "vtcore._xtp", "TORA": "vtcore._tora"}


@pytest.fixture(scope="module", params=list(GATEWAYS))
def session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    name = request.param
    pytest.importorskip(GATEWAYS[name], reason=f"vtcore was built without the {name} SDK")
    config, port_file = ashare_config(tmp_path_factory.mktemp(name.lower()))
    control = Control(port_file)
    with ready_gateway(name, config) as (main_engine, gateway, recorder):
        yield main_engine, gateway, recorder, control
    control.close()


def rejected(recorder: Recorder, vt_orderid: str) -> Any:
    return wait_for(
        lambda: next(
            (
                o
                for o in recorder.of(EVENT_ORDER)
                if o.vt_orderid == vt_orderid and o.status == Status.REJECTED
            ),
            None,
        ),
        what=f"{vt_orderid} REJECTED",
    )


def buy(volume: float, price: float, order_type: OrderType = OrderType.LIMIT) -> OrderRequest:
    return OrderRequest("600000", Exchange.SSE, Direction.LONG, order_type, volume, price, Offset.NONE)


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        (buy(3_000_000_000, 10.0), "more than an order can carry"),
        (buy(100, math.nan, OrderType.MARKET), "finite"),
        (buy(100, math.inf, OrderType.MARKET), "finite"),
        (buy(1e19, 10.0, OrderType.MARKET), "more than an order can carry"),
    ],
    ids=["limit-3e9-shares", "market-nan-price", "market-inf-price", "market-1e19-shares"],
)
def test_amounts_the_sdk_cannot_hold_are_rejected_before_sending(
    session: Any, order: OrderRequest, reason: str
) -> None:
    main_engine, gateway, recorder, control = session
    before = control.orders()
    vt_orderid = main_engine.send_order(order, gateway.gateway_name)
    assert reason in rejected(recorder, vt_orderid).extra["reason"]
    assert control.orders() == before and not gateway.orders.active_orders()


def test_a_value_the_request_struct_refuses_rejects_the_order(
    session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a check let through a value the SDK's struct cannot hold (the volume bound lifted here), the
    struct's refusal makes the order REJECTED with it; TORA queued SUBMITTING first, which must not stay."""
    main_engine, gateway, recorder, control = session
    monkeypatch.setattr(ashare, "MAX_ORDER_VOLUME", 10**30)
    before = control.orders()
    vt_orderid = main_engine.send_order(buy(10**19, 10.0), gateway.gateway_name)
    assert "out of range" in rejected(recorder, vt_orderid).extra["reason"]
    assert control.orders() == before and not gateway.orders.active_orders()


@pytest.mark.parametrize("orderid", ["1_2_99999999999", "1_2_²", "99999999999999999999999", "²", "1_²_3"])
def test_cancels_of_malformed_ids_are_logged_not_raised(session: Any, orderid: str) -> None:
    main_engine, gateway, recorder, _ = session
    main_engine.cancel_order(CancelRequest(orderid, "600000", Exchange.SSE), gateway.gateway_name)
    wait_for(lambda: any(f"cannot cancel {orderid}:" in log for log in recorder.logs()), what="the log")


def test_trade_before_its_order_report_is_tied_to_its_order(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    config, _ = ashare_config(tmp_path)
    with ready_gateway("TORA", config) as (main_engine, gateway, recorder):
        reversed_reports = TradeReportFirst(gateway)
        reversed_reports.hold()
        vt_orderid = main_engine.send_order(
            OrderRequest("000001", Exchange.SZSE, Direction.LONG, OrderType.LIMIT, 200, 11.0, Offset.NONE),
            gateway.gateway_name,
        )
        trades = wait_for(
            lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid], what="the trade"
        )
        assert reversed_reports.kept_at_trade is True  # kept, not pushed under a made-up order id
        assert len(trades) == 1 and trades[0].volume == 200
        wait_for(
            lambda: any(
                o.status == Status.ALLTRADED for o in recorder.of(EVENT_ORDER) if o.vt_orderid == vt_orderid
            ),
            what="ALLTRADED",
        )
        assert not [t for t in recorder.of(EVENT_TRADE) if "sys-" in t.orderid]  # none left untied


def test_a_trade_that_waits_long_for_its_order_is_said_once_and_still_pushed(tmp_path: Path) -> None:
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    config, _ = ashare_config(tmp_path)
    with ready_gateway("TORA", config) as (main_engine, gateway, recorder):
        gateway.connect_timeout = 0.2  # the fronts are ready: only how long a kept trade may wait uses it now
        reversed_reports = TradeReportFirst(gateway, until_released=True)
        reversed_reports.hold()
        vt_orderid = main_engine.send_order(
            OrderRequest("000001", Exchange.SZSE, Direction.LONG, OrderType.LIMIT, 200, 11.0, Offset.NONE),
            gateway.gateway_name,
        )
        said = wait_for(
            lambda: [line for line in recorder.logs() if "waited" in line and "for the order report" in line],
            what="the warning that a trade waits for its order",
        )
        assert reversed_reports.kept_at_trade is True
        assert not [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid]  # kept, not pushed
        main_engine.event_engine.register("test.release", lambda event: reversed_reports.release())
        main_engine.event_engine.put(Event("test.release"))  # the order reports, on the engine thread
        trades = wait_for(
            lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid], what="the trade"
        )
        assert len(trades) == 1 and trades[0].volume == 200
        warnings = [line for line in recorder.logs() if "for the order report" in line]
        assert len(said) == 1 and len(warnings) == 1  # said once, though the timer ran on while it waited


@pytest.mark.parametrize("name", list(GATEWAYS))
def test_close_between_the_checks_and_the_request_rejects_the_order(name: str, tmp_path: Path) -> None:
    pytest.importorskip(GATEWAYS[name], reason=f"vtcore was built without the {name} SDK")
    config, _ = ashare_config(tmp_path)
    with ready_gateway(name, config) as (main_engine, gateway, recorder):
        checks = gateway.send_problem

        def closing_meanwhile(req: OrderRequest) -> str:
            problem = checks(req)  # the checks pass; then another thread closes the gateway
            closer = threading.Thread(target=gateway.close)
            closer.start()
            closer.join()
            return problem

        gateway.send_problem = closing_meanwhile
        vt_orderid = main_engine.send_order(buy(100, 10.0), gateway.gateway_name)
        assert "closed" in rejected(recorder, vt_orderid).extra["reason"]
        assert not gateway.orders.active_orders()
