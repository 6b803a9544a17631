"""Futu market data: OpenD push -> tick rate, vtcore's FutuGateway beside futu-api's own handler path (the
SDK vtcore did not choose as its client: `futu-api` 10.11.7108), in the same run on the same bytes.

vn.py's Futu gateway (vnpy 2.0's `vnpy.gateway.futu`, later `vnpy_futu`) is not on the package registry, so
futu-api's handlers stand in as the baseline: they are what vn.py's gateway subclassed
(`StockQuoteHandlerBase`, `OrderBookHandlerBase`), before its own per-row DataFrame-to-TickData copy.

Run: python benchmarks/bench_futu.py [--messages N] [--repeat N] [--chunk BYTES]
Needs futu-api (vtcore's `test` or `futu` extra). HOME points at a temporary folder (futu-api writes its log
folder there on import).

What is timed, per side: a byte stream of OpenD pushes (basic quote 3005 and 10-level order book 3013,
alternating, HK.00700) cut into socket-sized chunks -> each side's framing (44-byte header, SHA1 of the body)
-> protobuf parse -> its market-data object. vtcore: `OpenDConnection._dispatch` -> `FutuGateway._on_push` ->
TickData through `on_tick`. futu-api: `utils.parse_rsp` (what its `OpenContextBase._handle_recv` calls) ->
`StockQuoteHandlerBase.on_recv_rsp` (a pandas DataFrame per push) / `OrderBookHandlerBase.on_recv_rsp` (a dict
of levels per push). Both run in line on one thread: the socket, vtcore's loop, futu-api's network thread and
callback queue are left out of both. Event-engine pushes are replaced by counters.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

_home = tempfile.mkdtemp(prefix="bench-futu-")
os.environ["HOME"] = os.environ["VTCORE_HOME"] = _home

from _stream import Counter, chunks  # noqa: E402
from vtcore.constant import Exchange  # noqa: E402
from vtcore.event import EventEngine  # noqa: E402
from vtcore.gateways._transport.backoff import Backoff  # noqa: E402
from vtcore.gateways._venue.ticks import TickState  # noqa: E402
from vtcore.gateways.futu import FutuGateway  # noqa: E402
from vtcore.gateways.futu.client import OpenDConnection  # noqa: E402
from vtcore.gateways.futu.proto import HEADER_SIZE, decode_header  # noqa: E402
from vtcore.peers.futu.wire import load, pack  # noqa: E402

QOT_HK = 1
CODE = "00700"


def stream(messages: int) -> bytes:
    """`messages` pushes, basic quote and order book alternating, as OpenD frames them."""
    basic, book = load("Qot_UpdateBasicQot"), load("Qot_UpdateOrderBook")
    parts = []
    for i in range(messages):
        step = i // 2
        price = 380.0 + (step % 50) * 0.2
        stamp = 1_793_000_000.0 + step * 0.01
        if i % 2 == 0:
            response = basic.Response()
            response.retType = 0
            quote = response.s2c.basicQotList.add()
            quote.security.market, quote.security.code = QOT_HK, CODE
            quote.name, quote.isSuspended, quote.listTime = "TENCENT", False, "2004-06-16"
            quote.priceSpread = 0.2
            quote.updateTime = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp)) + ".120"
            quote.updateTimestamp = stamp
            quote.highPrice, quote.openPrice, quote.lowPrice = price + 2, 380.0, price - 2
            quote.curPrice, quote.lastClosePrice = price, 378.0
            quote.volume, quote.turnover = 1_000_000 + step, price * (1_000_000 + step)
            quote.turnoverRate, quote.amplitude = 0.1, 1.2
            parts.append(pack(3005, 0, response.SerializeToString()))
        else:
            response = book.Response()
            response.retType = 0
            s2c = response.s2c
            s2c.security.market, s2c.security.code = QOT_HK, CODE
            s2c.name = "TENCENT"
            for level in range(10):
                bid, ask = s2c.orderBookBidList.add(), s2c.orderBookAskList.add()
                bid.price, bid.volume, bid.orederCount = price - 0.2 * (level + 1), 100 * (level + 1), 3
                ask.price, ask.volume, ask.orederCount = price + 0.2 * (level + 1), 100 * (level + 2), 4
            text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp)) + ".120"
            s2c.svrRecvTimeBid = s2c.svrRecvTimeAsk = text
            s2c.svrRecvTimeBidTimestamp = s2c.svrRecvTimeAskTimestamp = stamp
            parts.append(pack(3013, 0, response.SerializeToString()))
    return b"".join(parts)


def vtcore_side() -> tuple[Callable[[list[bytes]], None], Counter]:
    gateway = FutuGateway(EventEngine(), "FUTU")
    gateway._ticks[(QOT_HK, CODE)] = TickState(CODE, Exchange.SEHK, "FUTU", "")
    counter = Counter()
    gateway.on_tick = counter  # type: ignore[method-assign]
    connection = OpenDConnection(
        "127.0.0.1",
        1,
        "bench",
        1011,
        gateway._on_push,
        lambda s2c: None,
        lambda reason: None,
        gateway._malformed,
        Backoff(),
    )
    dispatch = connection._dispatch

    def run(data: list[bytes]) -> None:
        buffer = bytearray()
        for chunk in data:  # what `OpenDConnection._read` does with its reader, in line
            buffer += chunk
            at = 0
            while len(buffer) - at >= HEADER_SIZE:
                header = decode_header(bytes(buffer[at : at + HEADER_SIZE]))
                end = at + HEADER_SIZE + header.body_len
                if end > len(buffer):
                    break
                dispatch(header, bytes(buffer[at + HEADER_SIZE : end]))
                at = end
            del buffer[:at]

    return run, counter


def futu_side() -> tuple[Callable[[list[bytes]], None], Counter] | str:
    try:
        from futu import OrderBookHandlerBase, StockQuoteHandlerBase  # noqa: PLC0415
        from futu.common.utils import ParseRspErr, parse_rsp  # noqa: PLC0415
    except ImportError as exc:
        return f"futu-api is not importable here ({exc})"
    import logging  # noqa: PLC0415

    logging.getLogger("FTLog").setLevel(logging.ERROR)
    handlers = {3005: StockQuoteHandlerBase(), 3013: OrderBookHandlerBase()}
    counter = Counter()

    def run(data: list[bytes]) -> None:
        buffer = bytearray()
        for chunk in data:  # OpenContextBase.on_recv -> _handle_recv -> handler_ctx.recv_func, in line
            buffer.extend(chunk)
            while True:
                result = parse_rsp(buffer, 0, False)
                if result.err == ParseRspErr.NOT_ENOUGH_DATA:
                    break
                del buffer[: result.total_len]
                _ret, content = handlers[result.head_dict["proto_id"]].on_recv_rsp(result.rsp_pb)
                counter(content)

    return run, counter


def measure(
    run: Callable[[list[bytes]], None], counter: Counter, data: list[bytes], repeat: int
) -> list[float]:
    rates = []
    for _ in range(repeat):
        counter.count = 0
        started = time.perf_counter()
        run(data)
        elapsed = time.perf_counter() - started
        rates.append(counter.count / elapsed)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=6_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=4096, help="socket read size in bytes")
    args = parser.parse_args()
    data = chunks(stream(args.messages), args.chunk)
    print(
        f"{args.messages} OpenD pushes (basic quote + 10-level order book), {args.chunk}-byte reads, "
        f"best and median of {args.repeat}; load average {os.getloadavg()[0]:.2f}"
    )
    run, counter = vtcore_side()
    run(data[:4])  # warm up
    ours = measure(run, counter, data, args.repeat)
    assert counter.count == args.messages, counter.count
    tick = counter.last
    print(
        f"  vtcore FutuGateway -> TickData:        best {max(ours):>10,.0f}/s  "
        f"median {statistics.median(ours):>10,.0f}/s   "
        f"(last {tick.last_price} {tick.bid_price_1}/{tick.ask_price_1})"
    )
    baseline = futu_side()
    if isinstance(baseline, str):
        print(f"  futu-api handlers: skipped: {baseline}")
        return
    run, counter = baseline
    run(data[:4])
    theirs = measure(run, counter, data, max(1, args.repeat))
    assert counter.count == args.messages, counter.count
    print(
        f"  futu-api handlers -> DataFrame/dict:   best {max(theirs):>10,.0f}/s  "
        f"median {statistics.median(theirs):>10,.0f}/s"
    )
    print(f"  ratio (best): {max(ours) / max(theirs):.1f}x; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
