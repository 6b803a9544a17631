"""Micro-benchmarks of the tick path's pieces, each test run once for vtcore and once for its vn.py baseline
(`side`), in one pytest-benchmark group, so the two are measured minutes apart on the same machine:

* ring push + drain (vtcore `_core.Producer` -> `EventHub.drain`) vs a mutex queue (`queue.Queue`, what
  vn.py's EventEngine uses) put + get, 1,000 records;
* record -> TickData (vtcore `_fast.TickDecoder`) vs vn.py's dict -> TickData (vnpy_ctp's own
  `CtpMdApi.onRtnDepthMarketData`, unmodified, its `on_tick` caught);
* batch dispatch (vtcore `_fast.Dispatcher.dispatch_ticks`, 1,000 ticks to one "eTick." handler, TickData
  built from records) vs vn.py's EventEngine (`queue.Queue` put + get + `_process`, TickData already built);
* reading a field across 1,000 ticks: the tick buffer as numpy vs a list of vn.py TickData objects.

vn.py's cases need the baseline environment (`python benchmarks/run.py --setup-only`); they are skipped
without it. Every case also checks its result, so a wrong fast path fails instead of winning.

    pytest benchmarks/micro --benchmark-disable-gc
"""

# ruff: noqa: PLC0415 - vn.py is importable only once its cached folders are on sys.path

from __future__ import annotations

import queue
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _vnpy_env
from vtcore import _core
from vtcore._fast import Dispatcher, TickDecoder

N = 1_000
SIDES = ["vtcore", "baseline"]


def record_dtype() -> np.dtype[Any]:
    names, formats, offsets = zip(*_core.TICK_FIELDS, strict=True)
    return np.dtype(
        {
            "names": list(names),
            "formats": list(formats),
            "offsets": list(offsets),
            "itemsize": _core.TICK_RECORD_SIZE,
        }
    )


def make_records(count: int) -> np.ndarray[Any, Any]:
    records = np.zeros(count, dtype=record_dtype())
    records["symbol"] = b"rb2601"
    records["exchange"] = _core.exchange_values().index("SHFE")
    records["datetime"] = 1_764_140_400_000_000_000 + np.arange(count) * 500_000_000
    records["trading_day"] = 20251126
    records["last_price"] = 3100.0 + np.arange(count) % 7
    records["volume"] = np.arange(count) + 1
    for level in range(1, 6):
        records[f"bid_price_{level}"] = 3100.0 - level
        records[f"ask_price_{level}"] = 3100.0 + level
    return records


def record_payloads(count: int) -> list[bytes]:
    """`count` TickRecords, each as its own bytes object (what a producer pushes)."""
    raw = make_records(count).tobytes()
    size = _core.TICK_RECORD_SIZE
    return [raw[i * size : (i + 1) * size] for i in range(count)]


def filled_tick_buffer(count: int) -> _core.TickBuffer:
    buffer = _core.TickBuffer(4096)
    for payload in record_payloads(count):
        buffer.append(payload)
    return buffer


def ctp_dict(index: int) -> dict[str, Any]:
    """A depth-market-data dict with the 48 keys vnpy_ctp's wrapper builds (values as the simulator sends)."""
    big = sys.float_info.max
    data: dict[str, Any] = {
        "TradingDay": "20251126",
        "reserve1": "",
        "ExchangeID": "SHFE",
        "reserve2": "",
        "LastPrice": 3100.0 + index % 7,
        "PreSettlementPrice": 3100.0,
        "PreClosePrice": 3100.0,
        "PreOpenInterest": 100000.0,
        "OpenPrice": 3100.0,
        "HighestPrice": 3110.0,
        "LowestPrice": 3090.0,
        "Volume": index + 1,
        "Turnover": 1e9,
        "OpenInterest": 1e5,
        "ClosePrice": big,
        "SettlementPrice": big,
        "UpperLimitPrice": 3317.0,
        "LowerLimitPrice": 2883.0,
        "PreDelta": 0.0,
        "CurrDelta": big,
        "UpdateTime": "21:00:01",
        "UpdateMillisec": 500,
        "AveragePrice": 31000.0,
        "ActionDay": "20251125",
        "InstrumentID": "rb2601",
        "ExchangeInstID": "rb2601",
        "BandingUpperPrice": 0.0,
        "BandingLowerPrice": 0.0,
    }
    for level in range(1, 6):
        data[f"BidPrice{level}"] = 3100.0 - level
        data[f"BidVolume{level}"] = 10 + level
        data[f"AskPrice{level}"] = 3100.0 + level
        data[f"AskVolume{level}"] = 10 + level
    return data


@pytest.fixture(scope="module")
def vnpy_env() -> _vnpy_env.BaselineEnv:
    env = _vnpy_env.cached_env()
    if env is None:
        pytest.skip("the vn.py baseline is not cached (python benchmarks/run.py --setup-only)")
    _vnpy_env.add_vnpy_paths(env)
    return env


def use(benchmark: Any, pair: str, side: str, items: int) -> None:
    benchmark.group = pair
    benchmark.extra_info.update(pair=pair, side=side, items=items)


# -- ring vs mutex queue ----------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_ring_vs_mutex_queue(benchmark: Any, side: str) -> None:
    use(benchmark, "ring push+drain vs queue.Queue put+get (per record)", side, N)
    payloads = record_payloads(N)
    if side == "vtcore":
        hub = _core.EventHub(4096, 0.0)
        producer = hub.add_producer("bench", 4096)

        def run() -> int:
            push = producer.push_tick
            for payload in payloads:
                push(payload)
            moved = 0
            while moved < N:
                for segment in hub.drain(4096):
                    moved += segment.size
            return moved
    else:
        mutex_queue: queue.Queue[bytes] = queue.Queue()

        def run() -> int:
            put, get = mutex_queue.put, mutex_queue.get
            for payload in payloads:
                put(payload)
            for _ in range(N):
                get()
            return N

    assert benchmark(run) == N


# -- record -> TickData vs dict -> TickData -----------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_record_vs_dict_to_tickdata(benchmark: Any, side: str, request: pytest.FixtureRequest) -> None:
    use(benchmark, "record -> TickData vs vn.py dict -> TickData (per tick)", side, N)
    if side == "vtcore":
        records = record_payloads(N)
        decode = TickDecoder().decode

        def run() -> float:
            total = 0.0
            for record in records:
                total += decode(record, "CTP").last_price
            return total
    else:
        env = request.getfixturevalue("vnpy_env")
        import tempfile

        gateway_module = _vnpy_env.import_vnpy_ctp_gateway(
            env, Path(tempfile.mkdtemp(prefix="vtcore-micro-"))
        )
        _vnpy_env.add_shfe_contract(gateway_module, "rb2601")
        caught: list[Any] = []

        class CatchingGateway:
            gateway_name = "CTP"

            def on_tick(self, tick: Any) -> None:
                caught.append(tick)

        md_api = gateway_module.CtpMdApi(CatchingGateway())
        dicts = [ctp_dict(i) for i in range(N)]
        on_data = md_api.onRtnDepthMarketData

        def run() -> float:
            caught.clear()
            for data in dicts:
                on_data(data)
            return float(sum(tick.last_price for tick in caught))

    expected = float(sum(3100.0 + i % 7 for i in range(N)))
    assert benchmark(run) == expected


# -- batch dispatch vs queue.Queue EventEngine --------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_batch_dispatch_vs_queue(benchmark: Any, side: str, request: pytest.FixtureRequest) -> None:
    use(
        benchmark,
        "dispatch to one eTick. handler: Dispatcher.dispatch_ticks vs vn.py EventEngine (per tick)",
        side,
        N,
    )
    seen = [0]

    def handler(event: Any) -> None:
        seen[0] += 1

    if side == "vtcore":
        buffer = filled_tick_buffer(N)
        dispatcher = Dispatcher(lambda handler, event: None, "eTick.")
        dispatcher.set_tick_buffer(buffer.address(), buffer.capacity, buffer.view)
        dispatcher.handlers = {"eTick.": (handler,)}

        def run() -> int:
            seen[0] = 0
            dispatcher.dispatch_ticks(0, N, "CTP")
            return seen[0]
    else:
        request.getfixturevalue("vnpy_env")
        from vnpy.event import Event, EventEngine  # type: ignore[import-not-found, unused-ignore]
        from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]
        from vnpy.trader.object import TickData  # type: ignore[import-not-found, unused-ignore]

        engine = EventEngine()  # not started: put, get and _process on this thread (vnpy.md §11.3)
        engine.register("eTick.", handler)
        now = datetime.now(timezone.utc)
        ticks = [
            TickData(
                gateway_name="CTP", symbol="rb2601", exchange=Exchange.SHFE, datetime=now, last_price=3100.0
            )
            for _ in range(N)
        ]

        def run() -> int:
            seen[0] = 0
            put, get, process = engine._queue.put, engine._queue.get, engine._process
            for tick in ticks:
                put(Event("eTick.", tick))
                process(get())
            return seen[0]

    assert benchmark(run) == N


# -- tick buffer reads vs a list of objects -----------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_tick_buffer_vs_object_list(benchmark: Any, side: str, request: pytest.FixtureRequest) -> None:
    use(
        benchmark,
        "mean last_price of 1,000 ticks: tick buffer view vs list of vn.py TickData (per tick)",
        side,
        N,
    )
    expected = float(np.mean(3100.0 + np.arange(N) % 7))
    if side == "vtcore":
        buffer = filled_tick_buffer(N)

        def run() -> float:
            return float(buffer.view(0, N)["last_price"].mean())
    else:
        request.getfixturevalue("vnpy_env")
        from vnpy.trader.constant import Exchange  # type: ignore[import-not-found, unused-ignore]
        from vnpy.trader.object import TickData  # type: ignore[import-not-found, unused-ignore]

        now = datetime.now(timezone.utc)
        ticks = [
            TickData(
                gateway_name="CTP",
                symbol="rb2601",
                exchange=Exchange.SHFE,
                datetime=now,
                last_price=3100.0 + i % 7,
            )
            for i in range(N)
        ]

        def run() -> float:
            return float(sum(tick.last_price for tick in ticks)) / len(ticks)

    assert benchmark(run) == pytest.approx(expected)
