"""IB market data: TWS message -> tick rate, vtcore's IbGateway beside vn.py's own IB gateway (`vnpy_ib`
10.45.1.0 on the official `ibapi`, here `nautilus-ibapi` 10.46.1) and beside `ib-async` 2.1.0 (the client
library vtcore did not choose), in the same run on the same bytes.

Run: python benchmarks/bench_ib.py [--messages N] [--repeat N] [--chunk BYTES]
Needs (besides vtcore's test extra, which brings ib-async and nautilus-ibapi):
`pip install --no-deps vnpy==4.5.0 vnpy_ib==10.45.1.0 tzlocal` (or the vn.py bench cache's `site-vnpy`, used
when vnpy is not importable). TA-Lib, imported by `vnpy.trader.utility` for its bar ArrayManager only, is
replaced by an empty module. HOME and VTCORE_HOME point at a temporary folder (vnpy creates `~/.vntrader` on
import).

What is timed, per side: the server-version-178 byte stream cut into socket-sized chunks -> each side's own
framing -> its decoder -> its tick object (vtcore: TickData through `on_tick`; vn.py: `IbApi.tickPrice/
tickSize` -> TickData copy -> `gateway.on_tick`; ib-async: `Client._onSocketHasData` -> `Decoder` ->
`Wrapper` -> its Ticker, updated in place rather than a new object per message). Event-engine pushes are
replaced by counters. The stream is 4 messages per market update (bid, ask and last as tickPrice with their
sizes, volume as tickSize), written by the fake TWS's encoder (vtcore.peers.ib).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _vnpy_env  # noqa: E402  (where the vn.py baseline lives; read before HOME moves)
from _stream import Counter, chunks  # noqa: E402

BASELINE = _vnpy_env.BaselineEnv(_vnpy_env.cache_root())
_home = tempfile.mkdtemp(prefix="bench-ib-")
os.environ["HOME"] = os.environ["VTCORE_HOME"] = _home

from vtcore.constant import Exchange  # noqa: E402
from vtcore.event import EventEngine  # noqa: E402
from vtcore.gateways.ib import IbGateway  # noqa: E402
from vtcore.gateways.ib.gateway import _TickState  # noqa: E402
from vtcore.gateways.ib.wire import FrameReader  # noqa: E402
from vtcore.peers.ib.wire import frame  # noqa: E402

REQ_ID = 2_000_000_001
VERSION = 178


def stream(messages: int) -> bytes:
    parts = []
    for i in range(messages):
        step = i // 4
        kind = i % 4
        bid = f"{189 + (step % 50) / 100:.2f}"
        ask = f"{189.01 + (step % 50) / 100:.2f}"
        if kind == 0:
            parts.append(frame([1, 6, REQ_ID, 1, bid, 100 + step % 7, 0]))
        elif kind == 1:
            parts.append(frame([1, 6, REQ_ID, 2, ask, 200 + step % 5, 0]))
        elif kind == 2:
            parts.append(frame([1, 6, REQ_ID, 4, bid, 1 + step % 3, 0]))
        else:
            parts.append(frame([2, 6, REQ_ID, 8, 10_000 + step]))
    return b"".join(parts)


# ------------------------------------------------------------------------------------------------- sides


def vtcore_side() -> tuple[Callable[[list[bytes]], None], Counter]:
    gateway = IbGateway(EventEngine(), "IB")
    gateway.version = VERSION
    gateway._ticks[REQ_ID] = _TickState("265598", Exchange.SMART, "IB", "APPLE INC")
    counter = Counter()
    gateway.on_tick = counter  # type: ignore[method-assign]
    on_message = gateway._on_message

    def run(data: list[bytes]) -> None:
        reader = FrameReader()
        for chunk in data:
            for fields in reader.feed(chunk):
                on_message(fields)

    return run, counter


def vnpy_side() -> tuple[Callable[[list[bytes]], None], Counter] | str:
    sys.modules.setdefault("talib", types.ModuleType("talib"))
    try:
        import vnpy  # noqa: F401, PLC0415
    except ImportError:
        if BASELINE.has_vnpy():
            sys.path.append(str(BASELINE.site_vnpy))
    try:
        from ibapi import comm  # noqa: PLC0415
        from ibapi.decoder import Decoder  # noqa: PLC0415
        from vnpy.event import EventEngine as VnEventEngine  # noqa: PLC0415
        from vnpy.trader.constant import Exchange as VnExchange  # noqa: PLC0415
        from vnpy.trader.object import TickData as VnTickData  # noqa: PLC0415
        from vnpy_ib.ib_gateway import IbGateway as VnIbGateway  # noqa: PLC0415
    except ImportError as exc:
        return f"vn.py's IB gateway is not importable here ({exc}); see the module docstring"
    from datetime import datetime  # noqa: PLC0415

    gateway = VnIbGateway(VnEventEngine(), "IB")
    api = gateway.api
    api.ticks[REQ_ID] = VnTickData(
        symbol="265598",
        exchange=VnExchange.SMART,
        datetime=datetime.now(),
        name="APPLE INC",
        gateway_name="IB",
    )
    counter = Counter()
    gateway.on_tick = counter
    decoder = Decoder(api, VERSION)
    read_msg, read_fields = comm.read_msg, comm.read_fields

    def run(data: list[bytes]) -> None:
        # EClient's reader thread (comm.read_msg) and message loop (msgId, read_fields, interpret), in line
        buffer = b""
        for chunk in data:
            buffer += chunk
            while True:
                _size, text, buffer = read_msg(buffer)
                if not text:
                    break
                at = text.index(b"\0")
                decoder.interpret(read_fields(text[at + 1 :]), int(text[:at]))

    return run, counter


def ib_async_side() -> tuple[Callable[[list[bytes]], None], Counter] | str:
    try:
        import ib_async  # noqa: PLC0415
    except ImportError as exc:
        return f"ib-async is not importable ({exc})"
    ib = ib_async.IB()
    client = ib.client
    client._serverVersion = VERSION
    client.decoder.serverVersion = VERSION
    client._apiReady = True
    client.connState = client.CONNECTED
    ticker = ib.wrapper.startTicker(REQ_ID, ib_async.Contract(conId=265598, exchange="SMART"), "mktData")
    counter = Counter()
    ib.wrapper.priceSizeTick = _counting(ib.wrapper.priceSizeTick, counter)
    ib.wrapper.tickSize = _counting(ib.wrapper.tickSize, counter)
    on_data = client._onSocketHasData

    def run(data: list[bytes]) -> None:
        client._data = b""
        for chunk in data:
            on_data(chunk)
        counter.last = ticker

    return run, counter


def _counting(method: Callable[..., Any], counter: Counter) -> Callable[..., Any]:
    def counted(*args: Any) -> Any:
        counter.count += 1
        return method(*args)

    return counted


# ------------------------------------------------------------------------------------------------- main


def measure(run: Callable[[list[bytes]], None], data: list[bytes]) -> float:
    started = time.perf_counter()
    run(data)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=4096, help="bytes per socket read")
    args = parser.parse_args()

    data = chunks(stream(args.messages), args.chunk)
    sides: dict[str, tuple[Callable[[list[bytes]], None], Counter]] = {"vtcore IbGateway": vtcore_side()}
    for label, make in (("vn.py vnpy_ib", vnpy_side), ("ib-async", ib_async_side)):
        made = make()
        if isinstance(made, str):
            print(f"{label}: skipped: {made}")
        else:
            sides[label] = made
    print(
        f"python {sys.version.split()[0]}, {args.messages} messages (server version {VERSION}) in "
        f"{len(data)} reads of {args.chunk} bytes; median of {args.repeat} alternating runs; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for run, _ in sides.values():  # warm up (imports, first allocations)
        run(chunks(stream(400), args.chunk))
    times: dict[str, list[float]] = {label: [] for label in sides}
    for _ in range(args.repeat):
        for label, (run, counter) in sides.items():
            counter.count = 0
            times[label].append(measure(run, data))
            if counter.count < args.messages * 3 // 4:
                raise RuntimeError(f"{label} handled only {counter.count} of {args.messages} messages")
    ours = statistics.median(times["vtcore IbGateway"])
    print(f"{'TWS message -> tick':<22}{'msg/s':>14}{'us/msg':>10}{'vtcore is':>12}")
    for label, values in times.items():
        elapsed = statistics.median(values)
        print(
            f"{label:<22}{args.messages / elapsed:>14,.0f}{elapsed / args.messages * 1e6:>10.2f}"
            f"{elapsed / ours:>11.2f}x"
        )


if __name__ == "__main__":
    main()
