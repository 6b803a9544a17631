"""OES market data and the report channel end to end through MainEngine on the OES simulator library: L2
snapshots (MDS msgId 20, as the gateway subscribes them) as TickData, cash and holding variation reports as
account and position updates, and a business reject held up by a report-channel outage arriving once after the
channel resumes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from venues.harness import Recorder
from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
from vtcore.engine import MainEngine
from vtcore.object import CancelRequest, OrderRequest, SubscribeRequest
from vtcore.time import CHINA_TZ

pytest.importorskip("vtcore._oes", reason="vtcore was built without the OES declarations")

from vtcore.gateways._sdk.sim import SimControl, write_config
from vtcore.gateways.oes import OesGateway
from vtcore.gateways.oes import _oes_types as oes_types
from vtcore.gateways.oes.sim import simulator_setting, stock_config

# Two recorded snapshots of 600000 (the replay format is the Thost family's DepthMarketData names); the
# book of the second is three levels deep on the ask side, so the L2 snapshot's empty levels are seen too.
REPLAY = [
    {
        "InstrumentID": "600000",
        "ExchangeID": "SSE",
        "TradingDay": "20261204",
        "ActionDay": "20261204",
        "UpdateTime": "10:30:01",
        "UpdateMillisec": 500,
        "LastPrice": 10.05,
        "PreClosePrice": 10.0,
        "OpenPrice": 9.9,
        "HighestPrice": 10.1,
        "LowestPrice": 9.85,
        "Volume": 123400,
        "Turnover": 1240170.0,
        **{f"BidPrice{n}": round(10.05 - 0.01 * n, 2) for n in range(1, 6)},
        **{f"BidVolume{n}": 100 * n for n in range(1, 6)},
        **{f"AskPrice{n}": round(10.05 + 0.01 * n, 2) for n in range(1, 6)},
        **{f"AskVolume{n}": 1000 + n for n in range(1, 6)},
    },
    {
        "InstrumentID": "600000",
        "ExchangeID": "SSE",
        "TradingDay": "20261204",
        "ActionDay": "20261204",
        "UpdateTime": "14:56:59",
        "UpdateMillisec": 0,
        "LastPrice": 10.1,
        "PreClosePrice": 10.0,
        "OpenPrice": 9.9,
        "HighestPrice": 10.12,
        "LowestPrice": 9.85,
        "Volume": 234500,
        "Turnover": 2361000.0,
        **{f"BidPrice{n}": round(10.1 - 0.01 * n, 2) for n in range(1, 6)},
        **{f"BidVolume{n}": 7 * n for n in range(1, 6)},
        **{f"AskPrice{n}": round(10.1 + 0.01 * n, 2) for n in range(1, 4)},
        **{f"AskVolume{n}": 3 * n for n in range(1, 4)},
    },
]


def order(
    symbol: str, direction: Direction, volume: float, price: float, exchange: Exchange = Exchange.SSE
) -> OrderRequest:
    return OrderRequest(symbol, exchange, direction, OrderType.LIMIT, volume, price, Offset.NONE)


def td_front(control: SimControl) -> dict[str, Any]:
    """The trading front's status (not listed while no trading channel is open)."""
    listed = (api for api in control.status()["apis"] if api["front"] == "td")
    return next(listed, {"channels": 0})


class Connected:
    def __init__(
        self, main_engine: MainEngine, recorder: Recorder, control: SimControl, setting: dict[str, Any]
    ) -> None:
        self.main_engine, self.recorder, self.control = main_engine, recorder, control
        self.gateway: Any = main_engine.get_gateway("OES")
        self.setting = setting


def replay_setting(folder: Path) -> dict[str, Any]:
    """A simulator configuration replaying REPLAY (with a control port), as a gateway setting."""
    replay = folder / "replay.jsonl"
    replay.write_text("".join(json.dumps(tick) + "\n" for tick in REPLAY), encoding="utf-8")
    config = stock_config(control_port_file=str(folder / "control.port"))
    config["market_data"] = {"rate": 50, "walk": False, "always_open": True, "replay": str(replay)}
    return simulator_setting(write_config(folder / "sim.json", config))


@pytest.fixture(scope="module")
def oes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connected]:
    folder: Path = tmp_path_factory.mktemp("oes-reports")
    port_file = folder / "control.port"
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    main_engine.add_gateway(OesGateway)
    setting = replay_setting(folder)
    main_engine.connect(dict(setting), "OES")
    recorder.wait(
        lambda: main_engine.get_contract("600000.SSE") and main_engine.get_all_positions(),
        what="contracts and positions",
    )
    control = SimControl.from_port_file(port_file)
    yield Connected(main_engine, recorder, control, setting)
    control.close()
    main_engine.close()


def assert_replayed_ticks(main_engine: MainEngine, recorder: Recorder) -> None:
    """Subscribe 600000 and check the replay's two snapshots arrive as TickData field by field."""
    main_engine.subscribe(SubscribeRequest("600000", Exchange.SSE), "OES")
    first = dt.datetime(2026, 12, 4, 10, 30, 1, 500_000, tzinfo=CHINA_TZ)
    second = dt.datetime(2026, 12, 4, 14, 56, 59, tzinfo=CHINA_TZ)

    def replayed() -> list[Any]:
        return [t for t in recorder.ticks("600000.SSE") if t.datetime in (first, second)]

    ticks = recorder.wait(lambda: replayed() if len(replayed()) == 2 else None, what="the replayed ticks")
    assert [t.datetime for t in ticks] == [first, second]  # China time, as recorded, in order
    assert ticks[0].datetime.utcoffset() == dt.timedelta(hours=8)
    for tick, recorded in zip(ticks, REPLAY, strict=True):
        assert (tick.last_price, tick.volume, tick.turnover) == (
            recorded["LastPrice"],
            recorded["Volume"],
            recorded["Turnover"],
        )
        assert (tick.open_price, tick.high_price, tick.low_price, tick.pre_close) == (
            recorded["OpenPrice"],
            recorded["HighestPrice"],
            recorded["LowestPrice"],
            recorded["PreClosePrice"],
        )
        assert (tick.limit_up, tick.limit_down) == (11.0, 9.0)  # the counter's limits: MDS sends none
        for n in range(1, 6):
            for side, name in (("bid", "Bid"), ("ask", "Ask")):
                price, volume = getattr(tick, f"{side}_price_{n}"), getattr(tick, f"{side}_volume_{n}")
                assert (price, volume) == (
                    recorded.get(f"{name}Price{n}", 0.0),
                    recorded.get(f"{name}Volume{n}", 0),
                ), f"{side} level {n}"


def test_l2_snapshots_arrive_as_ticks_with_their_levels_and_china_time(oes: Connected) -> None:
    assert oes.gateway.md_data_types & oes_types.MDS_SUB_DATA_TYPE_L2_SNAPSHOT  # so the simulator sends L2
    assert_replayed_ticks(oes.main_engine, oes.recorder)


class L1Gateway(OesGateway):
    """An account with L1 market data only: MDS sends L1 snapshots (msgId 10, five levels)."""

    md_data_types = oes_types.MDS_SUB_DATA_TYPE_L1_SNAPSHOT


def test_l1_snapshots_arrive_as_the_same_ticks(oes: Connected) -> None:
    """A second session on the same simulator, its market-data channel asking for L1 only."""
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    main_engine.add_gateway(L1Gateway, "OES")
    try:
        main_engine.connect(dict(oes.setting), "OES")
        recorder.wait(lambda: main_engine.get_contract("600000.SSE"), what="contracts")
        assert_replayed_ticks(main_engine, recorder)
    finally:
        main_engine.close()


def account(oes: Connected) -> Any:
    return oes.recorder.accounts()[-1]


def recorded_queries(oes: Connected) -> list[int]:
    """Every query the gateway asks from now on (the poll timer stopped): kinds, in order."""
    asked: list[int] = []
    original = oes.gateway.query

    def query(kind: int, filter_struct: Any = None) -> None:
        asked.append(kind)
        original(kind, filter_struct)

    oes.gateway.query = query
    oes.gateway.stop_timer()
    return asked


def test_cash_and_holding_variations_follow_freezes_and_fills_without_a_query(oes: Connected) -> None:
    binding = oes.gateway.binding
    asked = recorded_queries(oes)
    frozen = account(oes).frozen
    # a resting buy freezes its cash; its cancel releases it: each a CASH_ASSET_VARIATION report
    resting = oes.main_engine.send_order(order("601318", Direction.LONG, 100, 49.0), "OES")
    oes.recorder.reaches(resting, Status.NOTTRADED)
    oes.recorder.wait(lambda: account(oes).frozen >= frozen + 4900, what="the buy's cash frozen")
    oes.main_engine.cancel_order(CancelRequest(resting.split(".", 1)[1], "601318", Exchange.SSE), "OES")
    oes.recorder.reaches(resting, Status.CANCELLED)
    oes.recorder.wait(lambda: abs(account(oes).frozen - frozen) < 0.01, what="the frozen cash released")
    # a marketable buy fills: the cash is spent and the holding appears (bought today: not sellable, T+1)
    available = account(oes).balance - account(oes).frozen
    filled = oes.main_engine.send_order(order("601318", Direction.LONG, 100, 50.5), "OES")
    oes.recorder.reaches(filled, Status.ALLTRADED)
    trades = oes.recorder.wait(lambda: oes.recorder.trades(filled), what="the fill's trades")
    spent = sum(t.price * t.volume for t in trades)
    oes.recorder.wait(
        lambda: account(oes).balance - account(oes).frozen <= available - spent, what="the fill's cash spent"
    )
    position = oes.recorder.wait(
        lambda: next((p for p in oes.recorder.positions() if p.symbol == "601318" and p.volume), None),
        what="the bought holding",
    )
    assert (position.volume, position.frozen, position.yd_volume) == (100, 100, 0)
    assert binding.QUERY_CASH not in asked and binding.QUERY_HOLDING not in asked


def test_a_reject_held_by_a_report_outage_arrives_once_after_the_channel_resumes(oes: Connected) -> None:
    seen: list[tuple[int, int, int]] = []  # (msgId, rptSeqNum, clSeqNo) of every report the gateway reads
    original = oes.gateway.on_report

    def on_report(msg_id: int, payload: bytes) -> None:
        head = oes_types.OesRptMsgHead.view(payload, 4)
        body = oes_types.OesOrdReject.view(payload, 4 + oes_types.OesRptMsgHead.SIZE)
        is_reject = msg_id == oes_types.OESMSG_RPT_BUSINESS_REJECT
        seen.append((msg_id, head.rptSeqNum, body.clSeqNo if is_reject else 0))
        original(msg_id, payload)

    oes.gateway.on_report = on_report
    control = oes.control
    control.delay(60_000, front="td")  # the report server stalls: nothing reaches the gateway
    try:
        # more cash than the account has: the counter refuses it at once, on the stalled report flow
        refused = order("300750", Direction.LONG, 5000, 200.0, Exchange.SZSE)
        vt_orderid = oes.main_engine.send_order(refused, "OES")
        control.disconnect("td", reconnect_ms=300)
        oes.recorder.wait(
            lambda: any(s.front == "report" and s.state == "disconnected" for s in oes.recorder.states()),
            what="the report channel dropped",
        )
        # back: the channel resumed after the last report the gateway read; the reject is still held back
        oes.recorder.wait(lambda: td_front(control)["channels"] >= 3, what="the trading channels back")
        assert oes.recorder.last_order(vt_orderid).status == Status.SUBMITTING
    finally:
        control.delay(0, front="td")  # the report server catches up
    rejected = oes.recorder.reaches(vt_orderid, Status.REJECTED)
    assert rejected.extra["reason"].startswith("OES error 1206: ")
    clseqno = int(rejected.orderid)
    rejects = [r for r in seen if r[0] == oes_types.OESMSG_RPT_BUSINESS_REJECT and r[2] == clseqno]
    assert len(rejects) == 1  # after the resume, once
    numbers = [r[1] for r in seen]
    assert numbers == sorted(set(numbers))  # nothing repeated, nothing out of order across the reconnect
    assert [o.status for o in oes.recorder.orders(vt_orderid)] == [Status.SUBMITTING, Status.REJECTED]


def test_a_new_session_numbers_its_orders_after_the_refused_ones(oes: Connected) -> None:
    """A refused order is no order of the exchange, yet its clSeqNo is used and its reject is on the report
    flow a new session replays: the counter's last clSeqNo at logon counts it, so the new session's first
    order is not taken for the refused one."""
    refused = oes.main_engine.send_order(order("300750", Direction.LONG, 5000, 200.0, Exchange.SZSE), "OES")
    refused_id = oes.recorder.reaches(refused, Status.REJECTED).orderid
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    main_engine.add_gateway(OesGateway)
    try:
        main_engine.connect(dict(oes.setting), "OES")
        replayed = recorder.reaches(refused, Status.REJECTED)  # the day's reports, the reject among them
        assert replayed.extra["reason"].startswith("OES error 1206: ")
        recorder.wait(lambda: main_engine.get_contract("601318.SSE"), what="contracts")
        vt_orderid = main_engine.send_order(order("601318", Direction.LONG, 100, 48.0), "OES")
        resting = recorder.reaches(vt_orderid, Status.NOTTRADED)
        assert int(resting.orderid) > int(refused_id)
    finally:
        main_engine.close()
