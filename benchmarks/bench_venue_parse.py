"""Venue message -> TickData rate per venue, vtcore's gateways beside vn.py's own parsers in the same run (or,
for BitMEX and 1Token, which vn.py's registry packages lack, the named third-party parser:
`_cases_bitmex_bitfinex_onetoken.py`), and WebSocket receive rate from a local server, aiohttp (vtcore's
transport) beside websocket-client. Every row goes into the results file (`--json`), which
`benchmarks/report.py` renders into benchmarks/README.md.

Run: python benchmarks/bench_venue_parse.py [--messages N] [--frames N] [--repeat N] [--json FILE]
Needs (besides vtcore and its test extra): `pip install --no-deps vnpy vnpy_binance vnpy_okx vnpy_rest
vnpy_websocket vnpy_huobi==2021.9.24 vnpy_bitfinex==2021.9.17` plus `pip install requests websocket-client
pytz importlib_metadata`. vn.py's gateway modules import `vnpy.trader.utility`, which imports
TA-Lib (a C library used only by its bar ArrayManager, never by the parsers); it is replaced by an empty
module so the unmodified parsers load without it.

The table gives each message type's ratio and the minimum (the target is a minimum: >= 4x on every type),
and prints the load average before and after, since a loaded machine moves both sides' rates.

What is timed, per message, on both sides: the frame as it arrives from the socket (bytes for vtcore, str for
vn.py's clients) -> decoded -> the gateway's TickData built -> `gateway.on_tick(tick)`, whose event-engine
push is replaced by a counter on both sides. Each side consumes the stream format its gateway subscribes to
(vtcore: the combined Binance stream; vn.py spot: the raw one), carrying the same events.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import gzip
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
import types
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import websocket

from vtcore.constant import Exchange, Product
from vtcore.event import EventEngine
from vtcore.gateways._transport import Heartbeat, WebSocketClient, WebSocketConfig, shared_loop
from vtcore.gateways.binance import BinanceLinearGateway, BinanceSpotGateway
from vtcore.gateways.htx import HbdmGateway, HuobiGateway
from vtcore.gateways.okx import OkexGateway
from vtcore.object import ContractData

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cases_bitmex_bitfinex_onetoken as crypto_cases

# vn.py's gateway modules import vnpy.trader.utility, which imports TA-Lib for its bar ArrayManager only
sys.modules.setdefault("talib", types.ModuleType("talib"))
import vnpy.event as vn_event  # noqa: E402
from aiohttp import web  # noqa: E402
from vnpy.trader import constant as vn_constant  # noqa: E402
from vnpy.trader import object as vn_object  # noqa: E402
from vnpy_binance import linear_gateway as vn_linear  # noqa: E402
from vnpy_binance import spot_gateway as vn_spot  # noqa: E402
from vnpy_okx import okx_gateway as vn_okx  # noqa: E402


def _vnpy_exchange_with_huobi() -> None:
    """vnpy_huobi 2021.9.24 was written for vn.py 2.x, whose Exchange enum had HUOBI; vn.py 4.5 (the
    registry's)
    has no such member, so its Exchange gets that one member added before vnpy_huobi is imported. The parsers
    themselves run unmodified (the member only tags each TickData)."""
    if "HUOBI" not in vn_constant.Exchange.__members__:
        members = {member.name: member.value for member in vn_constant.Exchange}
        vn_constant.Exchange = enum.Enum("Exchange", {**members, "HUOBI": "HUOBI"})  # type: ignore[misc]


_vnpy_exchange_with_huobi()
from vnpy_huobi import huobi_spot_gateway as vn_huobi_spot  # noqa: E402
from vnpy_huobi import huobi_usdt_gateway as vn_huobi_usdt  # noqa: E402

from _measure import ResultsFile  # noqa: E402

# ------------------------------------------------------------------------------------------------- messages


def binance_book_ticker(i: int) -> dict:
    return {
        "u": 400900217 + i,
        "s": "BTCUSDT",
        "b": f"{25000 + i % 100}.10000000",
        "B": "31.21000000",
        "a": f"{25000 + i % 100}.20000000",
        "A": "40.66000000",
    }


def binance_futures_depth(i: int) -> dict:
    return {
        "e": "depthUpdate",
        "E": 1_790_000_000_000 + i,
        "T": 1_790_000_000_000 + i,
        "s": "BTCUSDT",
        "U": 390497796 + i,
        "u": 390497878 + i,
        "pu": 390497794 + i,
        "b": [[f"{25000 - n}.{i % 10}0", f"{n + 1}.001"] for n in range(5)],
        "a": [[f"{25001 + n}.{i % 10}0", f"{n + 2}.002"] for n in range(5)],
    }


def okx_books5(i: int) -> dict:
    return {
        "arg": {"channel": "books5", "instId": "BTC-USDT"},
        "data": [
            {
                "asks": [[f"{8476 + n}.9{i % 10}", "415", "0", "13"] for n in range(5)],
                "bids": [[f"{8475 - n}.9{i % 10}", "256", "0", "12"] for n in range(5)],
                "instId": "BTC-USDT",
                "ts": str(1_790_000_000_000 + i),
                "seqId": 123 + i,
            }
        ],
    }


def okx_tickers(i: int) -> dict:
    return {
        "arg": {"channel": "tickers", "instId": "BTC-USDT"},
        "data": [
            {
                "instType": "SPOT",
                "instId": "BTC-USDT",
                "last": f"{9999 + i % 10}.99",
                "lastSz": "0.1",
                "askPx": "9999.99",
                "askSz": "11",
                "bidPx": "8888.88",
                "bidSz": "5",
                "open24h": "9000",
                "high24h": "10000",
                "low24h": "8888.88",
                "volCcy24h": "2222",
                "vol24h": "2222",
                "sodUtc0": "2222",
                "sodUtc8": "2222",
                "ts": str(1_790_000_000_000 + i),
            }
        ],
    }


def htx_book(i: int, channel: str, levels: int, extra: dict | None = None) -> dict:
    """An HTX book push of `levels` levels a side (depth.step0 carries 150, mbp.refresh.5 five, step6
    twenty)."""
    return {
        "ch": channel,
        "ts": 1_790_000_000_000 + i,
        "tick": {
            "bids": [
                [round(25000 - n * 0.1 - (i % 10) * 0.01, 2), round(0.5 + n * 0.013, 4)]
                for n in range(levels)
            ],
            "asks": [
                [round(25000.1 + n * 0.1 + (i % 10) * 0.01, 2), round(0.7 + n * 0.011, 4)]
                for n in range(levels)
            ],
            **(extra or {"version": 100_000 + i, "ts": 1_790_000_000_000 + i}),
        },
    }


def htx_detail(i: int, channel: str) -> dict:
    return {
        "ch": channel,
        "ts": 1_790_000_000_000 + i,
        "tick": {
            "id": 273956868110 + i,
            "low": 51000,
            "high": 52924.14,
            "open": 52189.79,
            "close": 52667.1 + i % 10,
            "vol": 231233214.9,
            "amount": 4423.1,
            "version": 273956868110 + i,
            "count": 150000,
            **({"trade_turnover": 1234567.8} if "-" in channel else {}),  # contracts report turnover too
        },
    }


def gzipped(payload: dict) -> bytes:
    """An HTX market frame as it arrives: gzip-compressed JSON."""
    return gzip.compress(dumps(payload).encode())


#: HTX cases: label -> (vtcore's frame builder, vn.py's frame builder); each side gets the topic its gateway
#: subscribes to (vtcore: the 5- or 20-level book; vn.py 2021: depth.step0, 150 levels) or, where both
#: subscribe the same topic, the same frames
HTX_CASES = {
    "htx spot depth.step0 (both)": (
        lambda i: gzipped(htx_book(i, "market.btcusdt.depth.step0", 150)),
        lambda i: gzipped(htx_book(i, "market.btcusdt.depth.step0", 150)),
    ),
    "htx spot book (own topics)": (
        lambda i: gzipped(htx_book(i, "market.btcusdt.mbp.refresh.5", 5, {"seqNum": 100_000 + i})),
        lambda i: gzipped(htx_book(i, "market.btcusdt.depth.step0", 150)),
    ),
    "htx spot detail": (
        lambda i: gzipped(htx_detail(i, "market.btcusdt.detail")),
        lambda i: gzipped(htx_detail(i, "market.btcusdt.detail")),
    ),
    "hbdm usdt book (own topics)": (
        lambda i: gzipped(htx_book(i, "market.BTC-USDT.depth.step6", 20)),
        lambda i: gzipped(htx_book(i, "market.BTC-USDT.depth.step0", 150)),
    ),
    "hbdm usdt detail": (
        lambda i: gzipped(htx_detail(i, "market.BTC-USDT.detail")),
        lambda i: gzipped(htx_detail(i, "market.BTC-USDT.detail")),
    ),
}


def dumps(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"))


# ------------------------------------------------------------------------------------------------- vtcore


class Counter:
    """Stands in for the event engine on both sides. It reads each tick's `datetime`: vn.py's gateways build
    it for every message, vtcore's keep the venue's time as nanoseconds and build the datetime on first read,
    so reading it here charges vtcore for that work too."""

    def __init__(self) -> None:
        self.count = 0
        self.last = None
        self.moment = None

    def __call__(self, tick: Any) -> None:
        self.count += 1
        self.last = tick
        self.moment = tick.datetime


def vtcore_parsers(n: int) -> dict[str, tuple[Callable[[bytes], None], list[bytes], Counter]]:

    engine = EventEngine()
    cases = {}

    def prepare(gateway, symbol, exchange):
        gateway.contracts[symbol] = ContractData(
            gateway_name=gateway.gateway_name,
            symbol=symbol,
            exchange=exchange,
            name=symbol,
            product=Product.SPOT,
            size=1,
            pricetick=0.01,
        )
        gateway.add_tick_state(symbol, gateway.contracts[symbol])  # what subscribing does
        counter = Counter()
        gateway.on_tick = counter
        return counter

    spot = BinanceSpotGateway(engine, "BINANCE_SPOT")
    counter = prepare(spot, "BTCUSDT", Exchange.BINANCE)
    frames = [
        dumps({"stream": "btcusdt@bookTicker", "data": binance_book_ticker(i)}).encode() for i in range(n)
    ]
    cases["binance spot bookTicker"] = (spot.on_market_message, frames, counter)

    linear = BinanceLinearGateway(engine, "BINANCE_LINEAR")
    counter = prepare(linear, "BTCUSDT", Exchange.BINANCE)
    frames = [
        dumps({"stream": "btcusdt@depth5@100ms", "data": binance_futures_depth(i)}).encode() for i in range(n)
    ]
    cases["binance usdm depth5"] = (linear.on_market_message, frames, counter)

    okx = OkexGateway(engine, "OKEX")
    counter = prepare(okx, "BTC-USDT", Exchange.OKX)
    cases["okx books5"] = (okx.on_public_message, [dumps(okx_books5(i)).encode() for i in range(n)], counter)
    okx2 = OkexGateway(engine, "OKEX2")
    counter2 = prepare(okx2, "BTC-USDT", Exchange.OKX)
    cases["okx tickers"] = (
        okx2.on_public_message,
        [dumps(okx_tickers(i)).encode() for i in range(n)],
        counter2,
    )

    for label, (build, _) in HTX_CASES.items():
        htx = HuobiGateway(engine, "HUOBI") if label.startswith("htx") else HbdmGateway(engine, "HBDM")
        symbol = "btcusdt" if label.startswith("htx") else "BTC-USDT"
        counter = prepare(htx, symbol, Exchange.HTX)
        cases[label] = (
            lambda raw, gateway=htx: gateway.on_market_frame(None, raw),
            [build(i) for i in range(n)],
            counter,
        )
    return cases


# ------------------------------------------------------------------------------------------------- vn.py


def vnpy_parsers(n: int) -> dict[str, tuple[Callable[[str], None], list[str], Counter]]:

    engine = vn_event.EventEngine()
    cases = {}

    def prepare(gateway, tick_owner, symbol: str, name: str, key: str):
        contract = vn_object.ContractData(
            gateway_name=gateway.gateway_name,
            symbol=symbol,
            exchange=vn_constant.Exchange.GLOBAL,
            name=name,
            product=vn_constant.Product.SPOT,
            size=1,
            pricetick=0.01,
        )
        gateway.on_contract(contract)
        tick = vn_object.TickData(
            gateway_name=gateway.gateway_name,
            symbol=symbol,
            exchange=vn_constant.Exchange.GLOBAL,
            name=name,
            datetime=datetime.now(timezone.utc),
        )
        tick.last_price = 1.0  # vn.py's Binance parsers push only once a last price is known
        tick.extra = {}
        tick_owner.ticks[key] = tick
        counter = Counter()
        gateway.on_tick = counter
        return counter

    spot = vn_spot.BinanceSpotGateway(engine, "BINANCE_SPOT")
    md = vn_spot.MdApi(spot)
    counter = prepare(spot, md, "BTCUSDT_SPOT_BINANCE", "BTCUSDT", "BTCUSDT_SPOT_BINANCE")
    frames = [dumps(binance_book_ticker(i)) for i in range(n)]
    cases["binance spot bookTicker"] = (lambda text, md=md: md.on_packet(json.loads(text)), frames, counter)

    linear = vn_linear.BinanceLinearGateway(engine, "BINANCE_LINEAR")
    md2 = vn_linear.MdApi(linear)
    counter = prepare(linear, md2, "BTCUSDT_SWAP_BINANCE", "BTCUSDT", "BTCUSDT_SWAP_BINANCE")
    frames = [dumps({"stream": "btcusdt@depth10", "data": binance_futures_depth(i)}) for i in range(n)]
    cases["binance usdm depth5"] = (lambda text, md=md2: md.on_packet(json.loads(text)), frames, counter)

    for label, builder in (("okx books5", okx_books5), ("okx tickers", okx_tickers)):
        okx = vn_okx.OkxGateway(engine, "OKX")
        public = vn_okx.PublicApi(okx)
        counter = prepare(okx, public, "BTC-USDT_SPOT_OKX", "BTC-USDT", "BTC-USDT")
        cases[label] = (public.on_message, [dumps(builder(i)) for i in range(n)], counter)

    for label, (_, build) in HTX_CASES.items():
        spot_case = label.startswith("htx")
        module = vn_huobi_spot if spot_case else vn_huobi_usdt
        gateway = (
            module.HuobiSpotGateway(engine, "HUOBI")
            if spot_case
            else module.HuobiUsdtGateway(engine, "HUOBI_USDT")
        )
        api = (
            module.HuobiSpotDataWebsocketApi(gateway)
            if spot_case
            else module.HuobiUsdtDataWebsocketApi(gateway)
        )
        symbol = "btcusdt" if spot_case else "BTC-USDT"
        counter = prepare(gateway, api, symbol, symbol, symbol)
        api.ticks[symbol].bid_price_1 = 1.0  # vn.py's HTX parsers push a detail only once a book is known
        cases[label] = (
            lambda raw, api=api: api.on_packet(api.unpack_data(raw)),
            [build(i) for i in range(n)],
            counter,
        )
    return cases


def one_run(handler: Callable, frames: list, counter: Counter) -> float:
    before = counter.count
    started = time.perf_counter()
    for frame in frames:
        handler(frame)
    elapsed = time.perf_counter() - started
    assert counter.count - before == len(frames), "every message must produce one tick"
    return len(frames) / elapsed


def compare(ours: tuple, theirs: tuple, repeat: int) -> tuple[float, float, float]:
    """Median rates and the median of per-pair ratios; runs alternate so load changes hit both sides alike."""
    ours_rates, theirs_rates = [], []
    for _ in range(repeat):
        ours_rates.append(one_run(*ours))
        theirs_rates.append(one_run(*theirs))
    ratios = [a / b for a, b in zip(ours_rates, theirs_rates, strict=True)]
    return statistics.median(ours_rates), statistics.median(theirs_rates), statistics.median(ratios)


# ------------------------------------------------------------------------------------------------- transport


def _serve_frames(frame: str, count: int, ports: multiprocessing.Queue) -> None:
    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        for _ in range(count):
            await ws.send_str(frame)
        await ws.receive()  # wait for the client to close
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/ws", handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ports.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


class FrameServer:
    """Sends `count` copies of one text frame to each client that connects, as fast as it can, from its own
    process (so the server never competes with the client under test for the GIL)."""

    def __init__(self, frame: str, count: int) -> None:
        self.frame, self.count = frame, count
        self.port = 0
        self._process: multiprocessing.Process | None = None

    def start(self) -> FrameServer:
        ports: multiprocessing.Queue = multiprocessing.Queue()
        self._process = multiprocessing.Process(
            target=_serve_frames, args=(self.frame, self.count, ports), daemon=True
        )
        self._process.start()
        self.port = ports.get(timeout=30)
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join(10)


def receive_with_vtcore(url: str, count: int) -> float:

    done = threading.Event()
    stamps: list[float] = []
    received = [0]

    def on_message(raw: bytes) -> None:
        received[0] += 1
        if received[0] == 1:
            stamps.append(time.perf_counter())
        if received[0] == count:
            stamps.append(time.perf_counter())
            done.set()

    async def open_client() -> WebSocketClient:
        client = WebSocketClient(
            WebSocketConfig(url=url, name="bench", heartbeat=Heartbeat(idle_timeout=60)),
            on_message=on_message,
        )
        client.start()
        return client

    shared_loop.acquire()
    try:
        client = shared_loop.submit(open_client()).result(10)
        if not done.wait(120):
            raise RuntimeError("vtcore client did not receive every frame")
        shared_loop.submit(client.close()).result(10)
    finally:
        shared_loop.release()
    return (count - 1) / (stamps[1] - stamps[0])


def receive_with_websocket_client(url: str, count: int) -> float:

    ws = websocket.create_connection(url)
    ws.recv()
    started = time.perf_counter()
    for _ in range(count - 1):
        ws.recv()
    elapsed = time.perf_counter() - started
    ws.close()
    return (count - 1) / elapsed


# ------------------------------------------------------------------------------------------------- main

TARGET_RATIO = 4.0  # vtcore's parse rate over vn.py's, per message type (the minimum counts, not the mean)
#: the baseline of each vn.py row, by the case label's first word (the venue)
VNPY_BASELINES = {
    "binance": "vnpy_binance 2026.8.5",
    "okx": "vnpy_okx 2026.6.10",
    "htx": "vnpy_huobi 2021.9.24",
    "hbdm": "vnpy_huobi 2021.9.24",
}


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # not on this platform
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000, help="messages per venue case")
    parser.add_argument("--frames", type=int, default=100_000, help="frames per transport run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--json", type=Path, default=None, help="write the figures here (benchmarks/report.py)"
    )
    args = parser.parse_args()
    results_file = ResultsFile("bench_venue_parse.py")
    parse_rows: list[dict[str, Any]] = []

    print(
        f"python {sys.version.split()[0]}, {args.messages} messages per case, "
        f"median of {args.repeat} alternating runs; load average before: {load_average()} "
        "(numbers taken on a loaded machine are provisional)"
    )
    ours, theirs = vtcore_parsers(args.messages), vnpy_parsers(args.messages)
    # BitMEX, Bitfinex, 1Token: beside vn.py's own parser where the registry has it, else the most-used
    # third-party parser of the same events (see benchmarks/_cases_bitmex_bitfinex_onetoken.py)
    ours2, theirs2 = crypto_cases.vtcore_cases(args.messages), crypto_cases.baseline_cases(args.messages)
    cases = [(label, ours[label], theirs[label], VNPY_BASELINES[label.split()[0]]) for label in ours]
    for label, ours_case in ours2.items():
        name, handler, frames, counter = theirs2[label]
        cases.append((label, ours_case, (handler, frames, counter), name))
    header = f"{'venue message -> TickData':<30}{'vtcore msg/s':>14}{'baseline msg/s':>16}{'ratio':>8}"
    print(f"{header}  baseline")
    ratios: dict[str, float] = {}
    for label, ours_case, theirs_case, name in cases:
        ours_rate, theirs_rate, ratio = compare(ours_case, theirs_case, args.repeat)
        ratios[label] = ratio
        parse_rows.append(
            {
                "case": label,
                "vtcore": ours_rate,
                "baseline": theirs_rate,
                "baseline_name": name,
                "pair_ratio": ratio,
            }
        )
        print(f"{label:<30}{ours_rate:>14,.0f}{theirs_rate:>16,.0f}{ratio:>7.2f}x  {name}")
    weakest = min(ratios, key=ratios.__getitem__)
    verdict = "met" if ratios[weakest] >= TARGET_RATIO else "NOT met"
    geometric_mean = statistics.geometric_mean(ratios.values())
    print(f"{'geometric mean ratio':<60}{geometric_mean:>7.2f}x")
    print(f"{'minimum ratio (' + weakest + ')':<60}{ratios[weakest]:>7.2f}x")
    print(f"target: at least {TARGET_RATIO:.0f}x the baseline on every message type: {verdict}")
    print(f"load average after: {load_average()}")

    frame = dumps({"stream": "btcusdt@bookTicker", "data": binance_book_ticker(1)})
    print(f"\nWebSocket receive, {args.frames} frames of {len(frame)} bytes from a local aiohttp server:")
    server = FrameServer(frame, args.frames).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/ws"
        pairs = [
            (receive_with_vtcore(url, args.frames), receive_with_websocket_client(url, args.frames))
            for _ in range(args.repeat)
        ]
        ours_rate = statistics.median(a for a, _ in pairs)
        theirs_rate = statistics.median(b for _, b in pairs)
        socket_ratio = statistics.median(a / b for a, b in pairs)
    finally:
        server.stop()
    print(f"{'aiohttp (vtcore transport)':<28}{ours_rate:>14,.0f} frames/s")
    print(f"{'websocket-client':<28}{theirs_rate:>14,.0f} frames/s")
    print(f"{'ratio (median of pairs)':<28}{socket_ratio:>13.2f}x")
    if args.json is not None:
        figures = {
            "parse": parse_rows,
            "geometric_mean": geometric_mean,
            "socket": {
                "frames": args.frames,
                "frame_bytes": len(frame),
                "vtcore": ours_rate,
                "websocket_client": theirs_rate,
                "pair_ratio": socket_ratio,
            },
        }
        results_file.write(args.json, figures)


if __name__ == "__main__":
    main()
