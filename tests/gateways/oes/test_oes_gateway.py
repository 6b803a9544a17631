"""OesGateway end to end through MainEngine against the OES simulator library (cpp/oes_sim), which exports the
OesApi_*/MdsApi_* functions of 0.17.5.8 with the documented layouts on the simulator core's A-share mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from venues.harness import Recorder
from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.errors import SettingsError
from vtcore.event import EVENT_GATEWAY_STATE, EVENT_LOG
from vtcore.object import CancelRequest, OrderRequest, SubscribeRequest

pytest.importorskip("vtcore._oes", reason="vtcore was built without the OES declarations")

from vtcore.gateways._sdk.sim import write_config
from vtcore.gateways.oes import OesGateway
from vtcore.gateways.oes.sim import simulator_setting, stock_config


def order(
    symbol: str,
    exchange: Exchange,
    direction: Direction,
    volume: float,
    price: float,
    *,
    kind: OrderType = OrderType.LIMIT,
) -> OrderRequest:
    return OrderRequest(symbol, exchange, direction, kind, volume, price, Offset.NONE)


@pytest.fixture(scope="module")
def oes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MainEngine, Recorder]]:
    folder = tmp_path_factory.mktemp("oes")
    config = stock_config()
    config["market_data"] = {"rate": 50, "walk": False, "always_open": True}
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    main_engine.add_gateway(OesGateway)
    main_engine.connect(simulator_setting(write_config(folder / "sim.json", config)), "OES")
    recorder.wait(
        lambda: main_engine.get_contract("600000.SSE") and main_engine.get_all_positions(),
        what="contracts and positions",
    )
    yield main_engine, recorder
    main_engine.close()


def rejected_reason(recorder: Recorder, vt_orderid: str) -> str:
    rejected = recorder.reaches(vt_orderid, Status.REJECTED)
    return str(rejected.extra["reason"])


def test_contracts_carry_the_counters_ticks_lots_limits_and_names(oes: tuple[MainEngine, Recorder]) -> None:
    main_engine, _ = oes
    stock = main_engine.get_contract("600000.SSE")
    assert stock.name == "浦发银行"  # OES text is UTF-8
    assert (stock.pricetick, stock.min_volume, stock.size) == (0.01, 100, 1)
    assert main_engine.get_contract("510300.SSE").pricetick == 0.001  # a fund trades in 0.001
    assert main_engine.get_contract("688981.SSE").min_volume == 200  # STAR: at least 200
    account = main_engine.get_all_accounts()[0]
    assert account.accountid == "oes-user" and account.balance > 0


def test_snapshots_arrive_as_ticks_with_the_counters_limits(oes: tuple[MainEngine, Recorder]) -> None:
    main_engine, recorder = oes
    main_engine.subscribe(SubscribeRequest("000001", Exchange.SZSE), "OES")
    tick = recorder.wait(lambda: next(iter(recorder.ticks("000001.SZSE")), None), what="a tick")
    assert tick.last_price == 12.0 and tick.bid_price_1 > 0 and tick.ask_price_1 > tick.bid_price_1
    assert (tick.limit_up, tick.limit_down) == (13.2, 10.8)  # from the stock information: MDS sends none
    assert tick.datetime.tzinfo is not None


def test_limit_buy_rests_then_is_cancelled(oes: tuple[MainEngine, Recorder]) -> None:
    main_engine, recorder = oes
    vt_orderid = main_engine.send_order(order("601318", Exchange.SSE, Direction.LONG, 100, 49.0), "OES")
    resting = recorder.reaches(vt_orderid, Status.NOTTRADED)
    main_engine.cancel_order(CancelRequest(resting.orderid, "601318", Exchange.SSE), "OES")
    recorder.reaches(vt_orderid, Status.CANCELLED)
    assert [o.status for o in recorder.orders(vt_orderid)] == [
        Status.SUBMITTING,
        Status.NOTTRADED,
        Status.CANCELLED,
    ]


def test_yesterdays_shares_sell_and_fill_once(oes: tuple[MainEngine, Recorder]) -> None:
    main_engine, recorder = oes
    vt_orderid = main_engine.send_order(order("000001", Exchange.SZSE, Direction.SHORT, 300, 11.0), "OES")
    recorder.reaches(vt_orderid, Status.ALLTRADED)

    def sold() -> list[Any]:  # the sell may fill at more than one price: its trades can come one by one
        trades = recorder.trades(vt_orderid)
        return trades if sum(t.volume for t in trades) >= 300 else []

    trades = recorder.wait(sold, what="the sell's trades, 300 shares")
    assert sum(t.volume for t in trades) == 300  # each fill once
    assert all(t.vt_tradeid.startswith("OES.SZSE.") for t in trades)
    recorder.wait(
        lambda: any(p.symbol == "000001" and p.volume == 700 for p in recorder.positions()),
        what="the holding after the sell",
    )


def test_t_plus_1_refuses_selling_more_than_yesterdays_holding(oes: tuple[MainEngine, Recorder]) -> None:
    main_engine, recorder = oes
    vt_orderid = main_engine.send_order(order("600000", Exchange.SSE, Direction.SHORT, 5000, 10.0), "OES")
    assert "exceeds the sellable" in rejected_reason(recorder, vt_orderid)


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (order("60000", Exchange.SSE, Direction.LONG, 100, 10.0), "not a 6-digit security code"),
        (order("600000", Exchange.SHFE, Direction.LONG, 100, 10.0), "not an OES market"),
        (order("600000", Exchange.SSE, Direction.LONG, 150, 10.0), "not a multiple of the lot of 100"),
        (order("600000", Exchange.SSE, Direction.LONG, 100, 10.005), "not on the price tick of 0.01"),
        (order("600000", Exchange.SSE, Direction.LONG, 100, 11.5), "above the limit-up price 11"),
        (order("600000", Exchange.SSE, Direction.LONG, 100, 10.0, kind=OrderType.FOK), "FOK does not exist"),
    ],
)
def test_bad_orders_are_rejected_with_a_reason_before_sending(
    oes: tuple[MainEngine, Recorder], request_: OrderRequest, reason: str
) -> None:
    main_engine, recorder = oes
    vt_orderid = main_engine.send_order(request_, "OES")
    assert reason in rejected_reason(recorder, vt_orderid)


def test_an_oes_error_code_is_rejected_with_its_meaning(oes: tuple[MainEngine, Recorder]) -> None:
    main_engine, recorder = oes
    # 5000 x 200: more cash than the account has (vtcore does not check cash; the counter does)
    vt_orderid = main_engine.send_order(order("300750", Exchange.SZSE, Direction.LONG, 5000, 200.0), "OES")
    reason = rejected_reason(recorder, vt_orderid)
    assert reason.startswith("OES error 1206: ") and "可用资金不足" in reason


def test_market_orders_use_each_exchanges_kind(oes: tuple[MainEngine, Recorder]) -> None:
    main_engine, recorder = oes
    sse = main_engine.send_order(
        order("601318", Exchange.SSE, Direction.LONG, 100, 0, kind=OrderType.FAK), "OES"
    )
    szse = main_engine.send_order(
        order("000001", Exchange.SZSE, Direction.LONG, 100, 0, kind=OrderType.FOK), "OES"
    )
    for vt_orderid in (sse, szse):
        done = recorder.wait(
            lambda v=vt_orderid: next(
                (o for o in recorder.orders(v) if o.status in (Status.ALLTRADED, Status.CANCELLED)), None
            ),
            what=f"{vt_orderid} ends",
        )
        # the report's ordType maps back to the kind sent; an immediate order ends filled or cancelled at once
        assert done.type == (OrderType.FAK if vt_orderid == sse else OrderType.FOK)
        assert done.traded == 100 if done.status == Status.ALLTRADED else done.traded < 100


def test_a_value_longer_than_its_field_is_refused_naming_it(tmp_path: Path) -> None:
    main_engine = MainEngine()
    main_engine.add_gateway(OesGateway)
    setting = simulator_setting(write_config(tmp_path / "sim.json", stock_config()))
    setting["username"] = "u" * 40  # the remote config's username is char[32]
    try:
        fits = "'username' does not fit: username: 40 bytes; at most 31 fit"
        with pytest.raises(SettingsError, match=fits):
            main_engine.get_gateway("OES").connect(setting)
    finally:
        main_engine.close()


SECRET = "oes-Secret-4711"
LEFT_OUT = object()


def refused(monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]) -> tuple[str, OesGateway]:
    """OesGateway.connect with the simulator setting changed by `change` (LEFT_OUT: the key removed), the
    library look-up failing the test: the SettingsError's text (the password in no message)."""

    def looked_up(*args: Any) -> Any:
        raise AssertionError("the OES library was looked up before the settings were checked")

    monkeypatch.setattr("vtcore.gateways.oes.gateway.find_library", looked_up)
    setting = {**simulator_setting(), "password": SECRET}
    for key, value in change.items():
        if value is LEFT_OUT:
            del setting[key]
        else:
            setting[key] = value
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(OesGateway)
    try:
        with pytest.raises(SettingsError) as error:
            gateway.connect(setting)
        text = str(error.value)
        assert SECRET not in text and not any(SECRET in log.msg for log in recorder.of(EVENT_LOG))
        assert gateway.binding is None and gateway.trading is None and not gateway.producers  # nothing loaded
        assert not recorder.of(EVENT_GATEWAY_STATE)
        return text, gateway
    finally:
        main_engine.close()


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("td_rpt_server", LEFT_OUT, "is empty"),  # was a KeyError after the library was loaded
        ("td_ord_server", "", "is empty"),
        ("password", None, "must be a string"),  # was sent as "None"
        ("username", 5, "must be a string"),
        ("username", " ", "is empty"),
        ("md_tcp_server", ["tcp://127.0.0.1:1"], "must be a string"),
        ("td_ord_server", "tcp://127.0.0.1", "has no port"),  # was "connect failed, error 22" for ever
        ("td_qry_server", "tcp://127.0.0.1:abc", "not a number"),
        ("md_qry_server", "udp://127.0.0.1:1", "must start with tcp://"),
    ],
)
def test_a_bad_setting_is_refused_before_the_library_is_loaded(
    monkeypatch: pytest.MonkeyPatch, key: str, value: object, why: str
) -> None:
    text, _ = refused(monkeypatch, {key: value})
    assert f"OES setting {key!r}" in text and why in text


def test_a_binding_error_at_connect_carries_no_setting_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """pybind11's TypeError for arguments it cannot take lists every argument, the password included."""
    import vtcore._oes as binding  # noqa: PLC0415

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"__init__(): incompatible constructor arguments. Invoked with: {args!r}, {kwargs!r}")

    monkeypatch.setattr(binding, "Trading", refuse)
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(OesGateway)
    setting = {**simulator_setting(), "password": SECRET}
    try:
        with pytest.raises(SettingsError, match="refused by the binding") as error:
            gateway.connect(setting)
        logs = [log.msg for log in recorder.of(EVENT_LOG)]
        for value in (SECRET, setting["td_ord_server"]):
            assert value not in str(error.value) and not any(value in log for log in logs)
        assert error.value.__cause__ is None and error.value.__suppress_context__
        assert gateway.trading is None and not gateway.producers  # nothing left behind
    finally:
        main_engine.close()


def connect_states(setting: dict[str, Any], front: str, *states: str) -> Any:
    """Connect with `setting` and return the first state of `front` among `states`."""
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    main_engine.add_gateway(OesGateway)
    try:
        main_engine.connect(setting, "OES")
        return recorder.wait(
            lambda: next((s for s in recorder.states() if s.front == front and s.state in states), None),
            what=f"{front} {states}",
        )
    finally:
        main_engine.close()


def test_a_wrong_password_is_refused_and_not_retried(tmp_path: Path) -> None:
    setting = simulator_setting(write_config(tmp_path / "sim.json", stock_config()), password="wrong")
    state = connect_states(setting, "order", "login_rejected", "connected")
    assert state.state == "login_rejected" and state.message.startswith(
        "error 13 (wrong username or password): "
    )


def test_an_md5_password_logs_in(tmp_path: Path) -> None:
    import hashlib  # noqa: PLC0415

    digest = "md5:" + hashlib.md5(b"oes-sim-pass").hexdigest()
    setting = simulator_setting(write_config(tmp_path / "sim.json", stock_config()), password=digest)
    assert connect_states(setting, "report", "connected", "login_rejected").state == "connected"
