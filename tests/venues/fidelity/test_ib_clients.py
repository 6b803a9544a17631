"""The fake TWS checked by clients vtcore did not write: `ib-async` (its own protocol implementation) and the
official API repackaged as `nautilus-ibapi` (`ibapi`). Each connects, reads contract details, market data and
depth, places and cancels an order, gets an execution with its commission report, positions, account values
and bars, at several server versions (the layouts the fake renders change at 164, 166, 169, 176, 177, 178).

When one of these clients fails against the fake, the fake is wrong until shown otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from vtcore.peers.ib import AAPL, EURUSD, FakeTws

pytestmark = pytest.mark.fidelity

ib_async = pytest.importorskip("ib_async")
ibapi_client = pytest.importorskip("ibapi.client")
ibapi_contract = pytest.importorskip("ibapi.contract")
ibapi_order = pytest.importorskip("ibapi.order")
ibapi_order_cancel = pytest.importorskip("ibapi.order_cancel")
ibapi_wrapper = pytest.importorskip("ibapi.wrapper")

VERSIONS = [163, 170, 178]


@pytest.fixture(params=VERSIONS, ids=lambda v: f"v{v}")
def tws(request: pytest.FixtureRequest) -> Iterator[FakeTws]:
    server = FakeTws(server_version=request.param).start()
    server.set_book(
        AAPL.con_id, [("189.90", "300"), ("189.80", "500")], [("190.10", "200"), ("190.20", "400")]
    )
    yield server
    server.stop()


async def _until(predicate: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def test_ib_async_trades_against_the_fake_tws(tws: FakeTws) -> None:
    errors: list[tuple[int, int, str]] = []

    async def session() -> None:
        ib = ib_async.IB()
        ib.errorEvent += lambda req_id, code, text, contract: errors.append((req_id, code, text))
        await ib.connectAsync("127.0.0.1", tws.port, clientId=5, timeout=10, account="DU1234567")
        try:
            assert ib.client.serverVersion() == tws.server_version
            assert ib.managedAccounts() == ["DU1234567", "DU7654321"]
            assert {code for _, code, _ in errors} >= {2104, 2106, 2158}  # farm status at start-up

            stock = ib_async.Stock("AAPL", "SMART", "USD")
            details = await ib.reqContractDetailsAsync(stock)
            assert len(details) == 1
            assert details[0].contract.conId == AAPL.con_id
            assert details[0].longName == "APPLE INC"
            assert details[0].minTick == 0.01
            assert details[0].contract.primaryExchange == "NASDAQ"
            stock = details[0].contract  # qualified (with its conId)
            [qualified] = await ib.qualifyContractsAsync(ib_async.Contract(conId=EURUSD.con_id))
            assert qualified.secType == "CASH" and qualified.localSymbol == "EUR.USD"
            unknown = await ib.reqContractDetailsAsync(ib_async.Stock("NOPE", "SMART", "USD"))
            assert unknown == [] and any(code == 200 for _, code, _ in errors)

            ticker = ib.reqMktData(stock, "", False, False)
            await _until(
                lambda: ticker.bid == 189.9 and ticker.ask == 190.1 and ticker.askSize == 200, "quotes"
            )
            tws.print_trade(AAPL.con_id, "190.00", "50")
            await _until(
                lambda: ticker.last == 190.0 and ticker.lastSize == 50 and ticker.volume == 50, "last"
            )
            depth = ib.reqMktDepth(stock, numRows=5)
            await _until(lambda: len(depth.domBids) == 2 and len(depth.domAsks) == 2, "depth")
            tws.set_book(AAPL.con_id, [("189.95", "100")], [("190.10", "200"), ("190.20", "400")])
            await _until(
                lambda: ticker.bid == 189.95 and [d.price for d in depth.domBids] == [189.95], "new bid"
            )

            resting = ib.placeOrder(stock, ib_async.LimitOrder("BUY", 100, 185.0, tif="GTC"))
            await _until(lambda: resting.orderStatus.status == "Submitted", "limit order submitted")
            ib.cancelOrder(resting.order)
            await _until(lambda: resting.orderStatus.status == "Cancelled", "limit order cancelled")

            # placing an order again under its id modifies it: here its limit moves through the ask and fills
            modified = ib.placeOrder(stock, ib_async.LimitOrder("SELL", 10, 195.0, tif="GTC"))
            await _until(lambda: modified.orderStatus.status == "Submitted", "sell submitted")
            modified.order.lmtPrice = 189.9
            ib.placeOrder(stock, modified.order)
            await _until(lambda: modified.orderStatus.status == "Filled", "modified order filled")
            assert [f.execution.price for f in modified.fills] == [189.95]  # the best bid (set above)

            taker = ib.placeOrder(stock, ib_async.MarketOrder("BUY", 30))
            await _until(lambda: taker.orderStatus.status == "Filled", "market order filled")
            await _until(lambda: taker.fills and taker.fills[0].commissionReport.commission > 0, "commission")
            fill = taker.fills[0]
            assert (
                fill.execution.side == "BOT" and fill.execution.shares == 30 and fill.execution.price == 190.1
            )
            assert fill.commissionReport.commission == 1.0  # the 1.00 USD minimum

            executions = await ib.reqExecutionsAsync()
            assert [f.execution.execId for f in executions][-1] == fill.execution.execId and len(
                executions
            ) == 2
            await _until(lambda: [p.position for p in ib.positions("DU1234567")] == [20.0], "position")
            await _until(lambda: [p.position for p in ib.portfolio("DU1234567")] == [20.0], "portfolio")
            assert any(v.tag == "NetLiquidation" and v.account == "DU1234567" for v in ib.accountValues())

            bars = await ib.reqHistoricalDataAsync(stock, "", "1 D", "1 hour", "TRADES", True)
            assert 20 <= len(bars) <= 24 and all(b.low <= min(b.open, b.close) for b in bars)
        finally:
            ib.disconnect()

    asyncio.run(session())


class _Recorder(ibapi_client.EClient):  # type: ignore[misc]
    """The official client with a wrapper that records every callback it cares about."""

    def __init__(self) -> None:
        recorder = self

        class Wrapper(ibapi_wrapper.EWrapper):  # type: ignore[misc]  # type: ignore[misc]
            def __getattribute__(self, name: str) -> Any:
                if name in _RECORDED:
                    return lambda *args: recorder.record(name, *args)
                return super().__getattribute__(name)

        super().__init__(Wrapper())
        self.events: list[tuple[Any, ...]] = []
        self.changed = threading.Condition()

    def record(self, name: str, *args: Any) -> None:
        with self.changed:
            self.events.append((name, *args))
            self.changed.notify_all()

    def wait(
        self, predicate: Callable[[tuple[Any, ...]], bool], what: str, timeout: float = 10.0
    ) -> tuple[Any, ...]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out waiting for {what}; got {self.events[-5:]}")
                self.changed.wait(0.05)

    def of(self, name: str) -> list[tuple[Any, ...]]:
        with self.changed:
            return [event for event in self.events if event[0] == name]


@contextlib.contextmanager
def _official_client(port: int, client_id: int) -> Iterator[_Recorder]:
    """The official client connected to the fake TWS at `port`, its reader thread running, past nextValidId;
    disconnected at the end."""
    app = _Recorder()
    app.connect("127.0.0.1", port, client_id)
    reader = threading.Thread(target=app.run, daemon=True)
    reader.start()
    try:
        app.wait(lambda e: e[0] == "nextValidId", "nextValidId")
        yield app
    finally:
        app.disconnect()
        reader.join(5)


_RECORDED = {
    "nextValidId",
    "managedAccounts",
    "error",
    "contractDetails",
    "contractDetailsEnd",
    "tickPrice",
    "tickSize",
    "tickReqParams",
    "openOrder",
    "orderStatus",
    "execDetails",
    "commissionAndFeesReport",
    "updateMktDepth",
    "historicalData",
    "historicalDataEnd",
    "position",
    "positionEnd",
    "updateAccountValue",
    "updatePortfolio",
    "accountDownloadEnd",
    "currentTime",
    "execDetailsEnd",
    "openOrderEnd",
}


def test_official_ibapi_trades_against_the_fake_tws(tws: FakeTws) -> None:
    with _official_client(tws.port, 9) as app:
        assert app.serverVersion() == tws.server_version
        assert app.wait(lambda e: e[0] == "managedAccounts", "accounts")[1] == "DU1234567,DU7654321"

        stock = ibapi_contract.Contract()
        stock.symbol, stock.secType, stock.exchange, stock.currency = "AAPL", "STK", "SMART", "USD"
        app.reqContractDetails(11, stock)
        details = app.wait(lambda e: e[0] == "contractDetails", "contract details")[2]
        app.wait(lambda e: e[0] == "contractDetailsEnd", "contract details end")
        assert (details.contract.conId, details.minTick, details.longName) == (AAPL.con_id, 0.01, "APPLE INC")
        assert details.contract.primaryExchange == "NASDAQ" and details.contract.tradingClass == "NMS"

        app.reqMktData(12, stock, "", False, False, [])
        app.wait(lambda e: e[0] == "tickPrice" and e[1:4] == (12, 1, 189.9), "bid")
        app.wait(lambda e: e[0] == "tickSize" and e[1:3] == (12, 3) and e[3] == Decimal(200), "ask size")
        app.reqMktDepth(13, stock, 5, False, [])
        app.wait(lambda e: e[0] == "updateMktDepth" and e[1:5] == (13, 1, 0, 1) and e[5] == 189.8, "depth")

        resting = ibapi_order.Order()
        resting.action, resting.orderType, resting.totalQuantity = "BUY", "LMT", Decimal(10)
        resting.lmtPrice, resting.tif = 185.0, "GTC"
        app.placeOrder(1, stock, resting)
        opened = app.wait(lambda e: e[0] == "openOrder" and e[1] == 1, "openOrder")
        assert (opened[3].orderType, opened[3].lmtPrice, opened[4].status) == ("LMT", 185.0, "Submitted")
        app.cancelOrder(1, ibapi_order_cancel.OrderCancel())
        app.wait(lambda e: e[0] == "orderStatus" and e[1:3] == (1, "Cancelled"), "cancelled")

        taker = ibapi_order.Order()
        taker.action, taker.orderType, taker.totalQuantity = "SELL", "MKT", Decimal(5)
        app.placeOrder(2, stock, taker)
        execution = app.wait(lambda e: e[0] == "execDetails", "execution")[3]
        assert (execution.side, execution.shares, execution.price) == ("SLD", Decimal(5), 189.9)
        report = app.wait(lambda e: e[0] == "commissionAndFeesReport", "commission")[1]
        assert report.execId == execution.execId and report.commissionAndFees == 1.0
        app.wait(lambda e: e[0] == "orderStatus" and e[1:3] == (2, "Filled"), "filled")

        app.reqPositions()
        app.wait(lambda e: e[0] == "positionEnd", "positions")
        assert [(p[1], p[2].conId, p[3]) for p in app.of("position")] == [
            ("DU1234567", AAPL.con_id, Decimal(-5))
        ]
        app.reqAccountUpdates(True, "DU1234567")
        app.wait(lambda e: e[0] == "accountDownloadEnd", "account download")
        assert any(e[1] == "NetLiquidation" for e in app.of("updateAccountValue"))
        assert [e[2] for e in app.of("updatePortfolio")] == [Decimal(-5)]

        app.reqHistoricalData(14, stock, "", "2 D", "1 day", "TRADES", 1, 1, False, [])
        app.wait(lambda e: e[0] == "historicalDataEnd", "bars")
        assert len(app.of("historicalData")) in (1, 2)
        bad = [e for e in app.of("error") if e[3] not in (2104, 2106, 2158, 202)]
        assert bad == []  # a BadMessage (a layout the official decoder could not read) would show here


def test_fake_tws_refuses_a_second_client_with_the_same_id_and_reports_faults() -> None:
    with FakeTws() as tws:
        errors: list[int] = []

        async def session() -> None:
            first = ib_async.IB()
            first.errorEvent += lambda req_id, code, text, contract: errors.append(code)
            await first.connectAsync("127.0.0.1", tws.port, clientId=1, timeout=10)
            second = ib_async.IB()
            with pytest.raises((ConnectionError, asyncio.TimeoutError, TimeoutError)):
                await second.connectAsync("127.0.0.1", tws.port, clientId=1, timeout=3)
            tws.connectivity_lost()
            tws.connectivity_restored(data_lost=False)
            await _until(lambda: 1100 in errors and 1102 in errors, "1100 and 1102")
            lost = asyncio.Event()
            first.disconnectedEvent += lost.set
            tws.restart(downtime=0.2)
            await asyncio.wait_for(lost.wait(), 10)
            third = ib_async.IB()
            await _until(lambda: tws.faults.refuse_connections is False, "TWS back")
            await third.connectAsync("127.0.0.1", tws.port, clientId=1, timeout=10)
            assert third.isConnected()
            third.disconnect()

        asyncio.run(session())


def test_official_client_past_50_messages_a_second_is_told_and_dropped() -> None:
    """The official client does not pace itself: past 50 messages in a second the fake TWS answers error 100
    and drops it, as TWS does. The fake's clock stands still, so the burst is within one second however slowly
    a loaded machine lets the fake read it."""
    with FakeTws(clock=lambda: 1000.0) as tws, _official_client(tws.port, 4) as app:
        for _ in range(60):
            app.reqCurrentTime()
        error = app.wait(lambda e: e[0] == "error" and e[3] == 100, "error 100")
        assert "Max rate of messages per second has been exceeded" in error[4]
        deadline = time.monotonic() + 10
        while app.isConnected() and time.monotonic() < deadline:  # its reader thread notices the drop
            time.sleep(0.01)
        assert not app.isConnected()
        assert tws.pacing_violations == 1 and len(app.of("currentTime")) == 50


def test_an_order_delay_holds_the_answers_and_keeps_the_sessions_order() -> None:
    """`FakeTws(order_delay=...)`: a real TWS answers a placeOrder after routing it, never within the client's
    own call. The official client's openOrder comes no sooner than the delay, and a cancel sent right behind
    the order is handled after it (the order is cancelled, not unknown)."""
    with FakeTws(order_delay=0.05) as tws, _official_client(tws.port, 6) as app:
        stock = ibapi_contract.Contract()
        stock.conId, stock.exchange = AAPL.con_id, "SMART"
        order = ibapi_order.Order()
        order.action, order.orderType, order.totalQuantity = "BUY", "LMT", Decimal(10)
        order.lmtPrice, order.tif = 185.0, "GTC"
        placed = time.monotonic()
        app.placeOrder(1, stock, order)
        app.cancelOrder(1, ibapi_order_cancel.OrderCancel())
        app.wait(lambda e: e[0] == "openOrder" and e[1] == 1, "openOrder")
        assert time.monotonic() - placed >= 0.05
        app.wait(lambda e: e[0] == "orderStatus" and e[1:3] == (1, "Cancelled"), "cancelled")
        assert [e for e in app.of("error") if e[3] not in (2104, 2106, 2158, 202)] == []
