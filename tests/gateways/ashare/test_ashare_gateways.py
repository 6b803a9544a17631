"""XtpGateway and ToraGateway end to end through MainEngine on the simulator's XTP and TORA front-ends
(cpp/xtp_sim, cpp/tora_sim: each SDK's library names and ABI on the simulator core in A-share mode): contracts
with their trading rules, ticks, the exchanges' checks before anything is sent, orders and fills with T+1
sellable positions, market-order kinds, a fill during a trade-front outage, a wrong library refused."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _ashare_sim import HOLDINGS, PASSWORD, USER, Control, ashare_config, ready_gateway, sim_setting
from _ctp_engine import Recorder, ctp_engine, wait_for
from vtcore.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vtcore.errors import SdkUnavailableError
from vtcore.event import EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE
from vtcore.gateways import load_gateway_class
from vtcore.gateways._sdk.sim import FRONT_ENDS
from vtcore.object import CancelRequest, OrderRequest, SubscribeRequest

#: gateway name -> (the module the build makes, the simulator's library names)
GATEWAYS = {"XTP": ("vtcore._xtp", FRONT_ENDS["xtp"]), "TORA": ("vtcore._tora", FRONT_ENDS["tora"])}


@pytest.fixture(scope="module", params=list(GATEWAYS))
def session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    name = request.param
    pytest.importorskip(GATEWAYS[name][0], reason=f"vtcore was built without the {name} SDK")
    config, port_file = ashare_config(tmp_path_factory.mktemp(name.lower()))
    control = Control(port_file)
    with ready_gateway(name, config) as (main_engine, gateway, recorder):
        yield main_engine, gateway, recorder, control
    control.close()


def order_of(recorder: Recorder, vt_orderid: str) -> list[Any]:
    return [order for order in recorder.of(EVENT_ORDER) if order.vt_orderid == vt_orderid]


def final(recorder: Recorder, vt_orderid: str, status: Status) -> Any:
    return wait_for(
        lambda: next((o for o in order_of(recorder, vt_orderid) if o.status == status), None),
        what=f"{vt_orderid} {status.value}",
    )


def position(recorder: Recorder, symbol: str) -> Any:
    pushed = [p for p in recorder.of(EVENT_POSITION) if p.symbol == symbol]
    return pushed[-1] if pushed else None


def request(
    symbol: str,
    exchange: Exchange,
    direction: Direction,
    volume: float,
    price: float,
    *,
    order_type: OrderType = OrderType.LIMIT,
    offset: Offset = Offset.NONE,
) -> OrderRequest:
    return OrderRequest(symbol, exchange, direction, order_type, volume, price, offset)


def test_contracts_carry_the_exchanges_rules(session: Any) -> None:
    _, gateway, recorder, _ = session
    contracts = {c.vt_symbol: c for c in recorder.of(EVENT_CONTRACT)}
    bank = contracts["600000.SSE"]
    assert (bank.product, bank.pricetick, bank.min_volume, bank.size) == (Product.EQUITY, 0.01, 100, 1)
    assert bank.name == "浦发银行"  # XTP's text is UTF-8, TORA's GB18030
    assert contracts["510300.SSE"].product == Product.FUND and contracts["510300.SSE"].pricetick == 0.001
    assert contracts["688981.SSE"].min_volume == 200  # STAR: at least 200 shares
    assert "000001.SZSE" in contracts
    # XTP trades SSE and SZSE; TORA also BSE
    assert ("830799.BSE" in contracts) == (Exchange.BSE in gateway.exchanges)
    account = wait_for(lambda: recorder.of(EVENT_ACCOUNT), what="account")[-1]
    assert account.accountid == USER and account.balance > 0


def test_positions_show_yesterdays_holdings_as_sellable(session: Any) -> None:
    _, gateway, recorder, _ = session
    gateway.query_position()
    held = wait_for(lambda: position(recorder, "600000"), what="600000 position")
    assert (held.direction, held.volume, held.yd_volume, held.frozen) == (Direction.NET, 500, 500, 0)


def test_ticks_with_limits(session: Any) -> None:
    main_engine, gateway, recorder, _ = session
    main_engine.subscribe(SubscribeRequest("600000", Exchange.SSE), gateway.gateway_name)
    tick = wait_for(lambda: [t for t in recorder.of(EVENT_TICK) if t.symbol == "600000"], what="a tick")[-1]
    assert tick.exchange == Exchange.SSE and tick.last_price == pytest.approx(10.50)
    assert (tick.limit_up, tick.limit_down) == (pytest.approx(11.55), pytest.approx(9.45))
    assert tick.datetime is not None and tick.datetime.tzinfo is not None


def test_unknown_or_malformed_symbols_are_not_subscribed(session: Any) -> None:
    main_engine, gateway, recorder, _ = session
    for symbol, exchange, why in [
        ("999999", Exchange.SSE, "unknown security"),
        ("60 0000", Exchange.SSE, "bad symbol"),
        ("rb2601", Exchange.SHFE, "is not traded through"),
    ]:
        main_engine.subscribe(SubscribeRequest(symbol, exchange), gateway.gateway_name)
        wait_for(
            lambda symbol=symbol, why=why: any(symbol in line and why in line for line in recorder.logs()),
            what=f"{symbol}: {why}",
        )
        assert symbol not in gateway.subscribed


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        (request("600000", Exchange.SSE, Direction.LONG, 150, 10.50), "lot"),
        (request("600000", Exchange.SSE, Direction.LONG, 100, 10.505), "tick"),
        (request("600000", Exchange.SSE, Direction.LONG, 100, 11.60), "limit"),
        (request("600000", Exchange.SSE, Direction.SHORT, 600, 10.50), "sellable"),
        (request("600000", Exchange.SSE, Direction.LONG, 100, 10.50, offset=Offset.OPEN), "margin"),
        (request("600000", Exchange.SSE, Direction.LONG, 100, 10.50, order_type=OrderType.FOK), "FOK"),
        (request("600001", Exchange.SSE, Direction.LONG, 100, 10.50), "unknown"),
        (request("600000", Exchange.SHFE, Direction.LONG, 100, 10.50), "SHFE"),
    ],
    ids=[
        "odd-lot",
        "off-tick",
        "above-limit",
        "beyond-sellable",
        "margin-on-cash",
        "sse-fok",
        "unknown",
        "shfe",
    ],
)
def test_bad_orders_are_rejected_with_a_reason_and_nothing_sent(
    session: Any, order: OrderRequest, reason: str
) -> None:
    main_engine, gateway, recorder, control = session
    before = control.orders()
    vt_orderid = main_engine.send_order(order, gateway.gateway_name)
    rejected = final(recorder, vt_orderid, Status.REJECTED)
    assert reason.lower() in rejected.extra["reason"].lower()
    assert control.orders() == before


class RefusingApi:
    """Stands for a gateway's trade API object and refuses every order the way the SDK does at once: TORA's
    request result -2, XTP's InsertOrder 0 with its last error; everything else goes to the real object."""

    def __init__(self, api: Any) -> None:
        self.api = api

    def __getattr__(self, name: str) -> Any:
        return getattr(self.api, name)

    def request(self, index: int, payload: Any, request_id: int) -> int:
        return -2

    def insert_order(self, payload: Any, session: int) -> int:
        return 0

    def last_error(self) -> tuple[int, str]:
        return 11000010, "too many orders"


def test_an_order_the_sdk_refuses_at_once_is_rejected_with_its_answer(session: Any) -> None:
    main_engine, gateway, recorder, control = session
    before = control.orders()
    api = gateway.td.api
    gateway.td.api = RefusingApi(api)
    try:
        vt_orderid = main_engine.send_order(
            request("600000", Exchange.SSE, Direction.LONG, 100, 10.00), gateway.gateway_name
        )
    finally:
        gateway.td.api = api
    rejected = final(recorder, vt_orderid, Status.REJECTED)
    assert "refused" in rejected.extra["reason"] and (
        "-2" in rejected.extra["reason"] or "11000010" in rejected.extra["reason"]
    )
    assert control.orders() == before


def test_resting_buy_then_cancel(session: Any) -> None:
    main_engine, gateway, recorder, _ = session
    buy = request("600000", Exchange.SSE, Direction.LONG, 100, 10.00)
    buy.reference = "grid 1"
    vt_orderid = main_engine.send_order(buy, gateway.gateway_name)
    final(recorder, vt_orderid, Status.NOTTRADED)
    orderid = vt_orderid.split(".", 1)[1]
    main_engine.cancel_order(CancelRequest(orderid, "600000", Exchange.SSE), gateway.gateway_name)
    final(recorder, vt_orderid, Status.CANCELLED)
    updates = order_of(recorder, vt_orderid)
    statuses = [o.status for o in updates]
    assert statuses.index(Status.NOTTRADED) < statuses.index(Status.CANCELLED)
    # every update, from the SDK's reports too, is the order as sent (vn.py strategies key on reference)
    assert {(o.reference, o.type, o.offset, o.volume, o.price) for o in updates} == {
        ("grid 1", OrderType.LIMIT, Offset.NONE, 100, 10.00)
    }


def test_a_buy_fills_and_is_not_sellable_today(session: Any) -> None:
    main_engine, gateway, recorder, control = session
    vt_orderid = main_engine.send_order(
        request("000001", Exchange.SZSE, Direction.LONG, 200, 11.00), gateway.gateway_name
    )
    final(recorder, vt_orderid, Status.ALLTRADED)
    trade = wait_for(
        lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid], what="the trade"
    )[0]
    assert trade.tradeid.startswith("SZSE.") and trade.volume == 200 and trade.offset == Offset.NONE
    gateway.query_position()
    held = wait_for(
        lambda: (p := position(recorder, "000001")) is not None and p.volume == 500 and p,
        what="000001 position with today's buy",
    )
    assert held.yd_volume == HOLDINGS["000001"] and held.frozen == 200  # bought today: sellable tomorrow
    before = control.orders()
    refused = main_engine.send_order(
        request("000001", Exchange.SZSE, Direction.SHORT, 400, 11.00), gateway.gateway_name
    )
    assert "sellable" in final(recorder, refused, Status.REJECTED).extra["reason"]
    assert control.orders() == before


def test_market_sell_of_yesterdays_shares(session: Any) -> None:
    main_engine, gateway, recorder, _ = session
    # SZSE's market orders: MARKET = best five then cancel; the book has a bid
    vt_orderid = main_engine.send_order(
        request("000001", Exchange.SZSE, Direction.SHORT, 100, 0, order_type=OrderType.MARKET),
        gateway.gateway_name,
    )
    filled = final(recorder, vt_orderid, Status.ALLTRADED)
    assert filled.type == OrderType.MARKET and filled.direction == Direction.SHORT


def test_fill_while_the_trade_front_is_down_arrives_once(session: Any) -> None:
    main_engine, gateway, recorder, control = session
    vt_orderid = main_engine.send_order(
        request("600000", Exchange.SSE, Direction.LONG, 100, 10.40), gateway.gateway_name
    )
    final(recorder, vt_orderid, Status.NOTTRADED)

    def fill() -> None:
        control().set_price("600000", 10.30)
        control().set_price("600000", 10.50)

    control.outage(fill)
    final(recorder, vt_orderid, Status.ALLTRADED)
    wait_for(lambda: "ready" in recorder.states("td")[-1:], what="td ready again")
    trades = [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid]
    assert len(trades) == 1


@pytest.mark.parametrize("name", list(GATEWAYS))
def test_wrong_library_is_refused_before_any_call(name: str, tmp_path: Path) -> None:
    pytest.importorskip(GATEWAYS[name][0], reason=f"vtcore was built without the {name} SDK")
    front_end = GATEWAYS[name][1]
    ctp = FRONT_ENDS["ctp"].library_dir() / "libthosttraderapi_se.so"
    folder = tmp_path / "libs"
    folder.mkdir()
    for library in (front_end.md_name, front_end.td_name):  # CTP's library under this SDK's names
        (folder / library).symlink_to(ctp)
    setting = {**sim_setting(name), "library_dir": str(folder)}
    with ctp_engine(None, load_gateway_class(name)) as (main_engine, gateway, recorder):
        with pytest.raises(SdkUnavailableError, match=name):
            main_engine.connect(setting, name)
        assert gateway.td.api is None
        wait_for(lambda: "unavailable" in recorder.states("td"), what="td unavailable")


@pytest.mark.parametrize("name", list(GATEWAYS))
def test_margin_account_sends_the_margin_businesses(name: str, tmp_path: Path) -> None:
    """A credit account (XTP's asset answer, TORA's account type say so): LONG + OPEN is a margin buy, sent
    as the SDK's margin business (XTP: business type MARGIN and its side; TORA: Direction 融资买入) and
    filled; the order and its trade come back as LONG OPEN. In a process of its own: the simulator takes
    its configuration from the first login of a process."""
    pytest.importorskip(GATEWAYS[name][0], reason=f"vtcore was built without the {name} SDK")
    config, _ = ashare_config(tmp_path, credit=True)
    package = f"vtcore.gateways.{name.lower()}"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = {[str(Path(__file__).resolve().parents[2])]!r}
        from _ctp_engine import ctp_engine, wait_for
        from vtcore.constant import Direction, Exchange, Offset, OrderType
        from vtcore.event import EVENT_ORDER, EVENT_TRADE
        from vtcore.gateways import load_gateway_class
        from {package}.sim import simulator_setting
        from vtcore.object import OrderRequest
        setting = simulator_setting({str(config)!r}, {USER!r}, {PASSWORD!r})
        with ctp_engine(setting, load_gateway_class({name!r})) as (main_engine, gateway, recorder):
            wait_for(lambda: "ready" in recorder.states("td"), what="td ready")
            order = OrderRequest("600000", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100, 10.60,
                                 Offset.OPEN)
            vt_orderid = main_engine.send_order(order, {name!r})
            def done():
                orders = recorder.of(EVENT_ORDER)
                return [o for o in orders if o.vt_orderid == vt_orderid and o.status.name == "ALLTRADED"]
            filled = wait_for(done, what="fill")
            trade = wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid],
                             what="trade")
            sides = [filled[0].offset.name, trade[0].direction.name, trade[0].offset.name]
            print("RESULT", gateway.book.margin, *sides)
    """)
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = [line for line in run.stdout.splitlines() if line.startswith("RESULT")][-1].split()[1:]
    assert result == ["True", "OPEN", "LONG", "OPEN"]


def test_xtp_credit_account_reports_its_debts_and_figures(tmp_path: Path) -> None:
    """A credit account's queries (QueryCreditFundInfo, QueryCreditDebtInfo, as vn.py's gateway makes them):
    after a margin buy and a short sale, the account carries the credit figures (all_debt = what both
    borrowed, the maintenance ratio = asset / debt) and the short sale is a SHORT position of the shares owed;
    returning the shares (LONG + CLOSE) pushes that position as zero. In a process of its own, as above."""
    pytest.importorskip("vtcore._xtp", reason="vtcore was built without the XTP SDK")
    config, _ = ashare_config(tmp_path, credit=True)
    script = textwrap.dedent(f"""
        import sys
        sys.path[:0] = {[str(Path(__file__).resolve().parents[2])]!r}
        from _ctp_engine import ctp_engine, wait_for
        from vtcore.constant import Direction, Exchange, Offset, OrderType
        from vtcore.event import EVENT_ACCOUNT, EVENT_ORDER, EVENT_POSITION, EVENT_TRADE
        from vtcore.gateways.xtp import XtpGateway
        from vtcore.gateways.xtp.sim import simulator_setting
        from vtcore.object import OrderRequest
        setting = simulator_setting({str(config)!r}, {USER!r}, {PASSWORD!r})

        def short_of(recorder):
            positions = recorder.of(EVENT_POSITION)
            return [p for p in positions if p.symbol == "000001" and p.direction.name == "SHORT"]

        with ctp_engine(setting, XtpGateway) as (main_engine, gateway, recorder):
            wait_for(lambda: "ready" in recorder.states("td"), what="td ready")
            def filled(request):
                vt_orderid = main_engine.send_order(request, "XTP")
                wait_for(lambda: [o for o in recorder.of(EVENT_ORDER)
                                  if o.vt_orderid == vt_orderid and o.status.name == "ALLTRADED"],
                         what=f"{{vt_orderid}} filled")
                return wait_for(lambda: [t for t in recorder.of(EVENT_TRADE) if t.vt_orderid == vt_orderid],
                                what="its trade")[0]
            bought = filled(OrderRequest("600000", Exchange.SSE, Direction.LONG, OrderType.LIMIT, 100, 10.60,
                                         Offset.OPEN))
            sold = filled(OrderRequest("000001", Exchange.SZSE, Direction.SHORT, OrderType.MARKET, 100, 0,
                                       Offset.OPEN))
            borrowed = bought.price * bought.volume + sold.price * sold.volume
            def owing():
                return [a for a in recorder.of(EVENT_ACCOUNT)
                        if a.extra and abs(a.extra["credit"]["all_debt"] - borrowed) < 1e-6]
            account = wait_for(owing, what="the credit figures with both debts")[-1]
            credit = account.extra["credit"]
            short = wait_for(lambda: [p for p in short_of(recorder) if p.volume == 100], what="short")
            filled(OrderRequest("000001", Exchange.SZSE, Direction.LONG, OrderType.MARKET, 100, 0,
                                Offset.CLOSE))
            wait_for(lambda: short_of(recorder)[-1].volume == 0, what="the short position repaid")
            ratio = credit["all_asset"] / credit["all_debt"]
            ratio_ok = abs(credit["maintenance_ratio"] - ratio) < 1e-9
            print("RESULT", short[-1].volume, short[-1].exchange.name, ratio_ok, credit["all_asset"] > 0)
    """)
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = [line for line in run.stdout.splitlines() if line.startswith("RESULT")][-1].split()[1:]
    assert result == ["100.0", "SZSE", "True", "True"]


def test_xtp_login_that_raises_is_logged_masked_and_an_error_state(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A password the binding cannot convert (a lone surrogate; MainEngine.connect refuses it, a script
    calling the gateway does not): pybind11's TypeError quotes every argument. It must reach the masked log,
    not Python's thread excepthook (stderr, unmasked), and the fronts must say so rather than stay
    connecting."""
    pytest.importorskip("vtcore._xtp", reason="vtcore was built without the XTP SDK")
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    uncaught: list[Any] = []
    monkeypatch.setattr("threading.excepthook", uncaught.append)
    setting = {**sim_setting("XTP"), "password": "hunter2\\SECRET\udc80"}
    with ctp_engine(None, load_gateway_class("XTP")) as (_main_engine, gateway, recorder):
        gateway.connect(setting)
        for front in ("md", "td"):
            wait_for(lambda front=front: "error" in recorder.states(front), what=f"{front} error")
    assert uncaught == []
    assert "TypeError" in caplog.text  # what went wrong is in the log
    said = caplog.text + capfd.readouterr().err + "\n".join(recorder.logs())
    assert "SECRET" not in said, said
