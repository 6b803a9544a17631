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
from vtcore.constant import Exchange
from vtcore.engine import MainEngine
from vtcore.object import SubscribeRequest
from vtcore.time import CHINA_TZ

pytest.importorskip("vtcore._oes", reason="vtcore was built without the OES declarations")

from vtcore.gateways._sdk.sim import SimControl, write_config
from vtcore.gateways.oes import OesGateway
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


class Connected:
    def __init__(
        self, main_engine: MainEngine, recorder: Recorder, control: SimControl, setting: dict[str, Any]
    ) -> None:
        self.main_engine, self.recorder, self.control = main_engine, recorder, control
        self.gateway: Any = main_engine.get_gateway("OES")
        self.setting = setting


@pytest.fixture(scope="module")
def oes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connected]:
    folder: Path = tmp_path_factory.mktemp("oes-reports")
    replay = folder / "replay.jsonl"
    replay.write_text("".join(json.dumps(tick) + "\n" for tick in REPLAY), encoding="utf-8")
    port_file = folder / "control.port"
    config = stock_config(control_port_file=str(port_file))
    config["market_data"] = {"rate": 50, "walk": False, "always_open": True, "replay": str(replay)}
    main_engine = MainEngine()
    recorder = Recorder(main_engine)
    main_engine.add_gateway(OesGateway)
    setting = simulator_setting(write_config(folder / "sim.json", config))
    main_engine.connect(dict(setting), "OES")
    recorder.wait(
        lambda: main_engine.get_contract("600000.SSE") and main_engine.get_all_positions(),
        what="contracts and positions",
    )
    control = SimControl.from_port_file(port_file)
    yield Connected(main_engine, recorder, control, setting)
    control.close()
    main_engine.close()


def test_l2_snapshots_arrive_as_ticks_with_their_levels_and_china_time(oes: Connected) -> None:
    oes.main_engine.subscribe(SubscribeRequest("600000", Exchange.SSE), "OES")
    first = dt.datetime(2026, 12, 4, 10, 30, 1, 500_000, tzinfo=CHINA_TZ)
    second = dt.datetime(2026, 12, 4, 14, 56, 59, tzinfo=CHINA_TZ)

    def replayed() -> list[Any]:
        return [t for t in oes.recorder.ticks("600000.SSE") if t.datetime in (first, second)]

    ticks = oes.recorder.wait(lambda: replayed() if len(replayed()) == 2 else None, what="the replayed ticks")
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
