"""Tiger push quotes: socket bytes -> tick rate, vtcore's TigerGateway beside Tiger's own SDK
(tigeropen 3.8.0) on the same bytes in the same run. vn.py's Tiger gateway (vnpy 2.0.x's
`vnpy.gateway.tiger`) is not on the package registry as a package of its own, so tigeropen's push client is
the baseline.

Run: python benchmarks/bench_tiger.py [--messages N] [--repeat N] [--chunk BYTES]
Needs vtcore's test extra (tigeropen, protobuf, cryptography).

What is timed, per side: a stream of varint-framed `Response` MESSAGE frames (3 BBO quotes to 1 BASIC quote,
written with tigeropen's own generated classes) cut into socket-sized chunks ->
- vtcore: `proto.FrameReader` -> `TigerGateway.on_push` (decode on the gateway's own descriptors, merge into
  the symbol's state) -> a new TickData per frame through `on_tick` (replaced by a counter: no event engine);
- tigeropen: its transport's own read loop (`BaseTransport.__read`: the byte-at-a-time varint framing and
  `Response.ParseFromString`) -> `process_frame` -> `ProtobufPushClient.on_message` -> the user's
  `quote_bbo_changed` / `quote_changed` callback with the protobuf object (counted). The transport gets no
  callback executor, so callbacks run inline: the SDK's default thread-pool hop is left out, in its favour.
Both sides see every frame; the counts are checked equal before a rate is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

_home = tempfile.mkdtemp(prefix="bench-tiger-")
os.environ["HOME"] = os.environ["VTCORE_HOME"] = _home

from tigeropen.push.network import exception as sdk_exception  # noqa: E402
from tigeropen.push.network.transport import BaseTransport  # noqa: E402
from tigeropen.push.pb import Response_pb2  # noqa: E402
from tigeropen.push.pb.SocketCommon_pb2 import SocketCommon  # noqa: E402
from tigeropen.push.protobuf_push_client import ProtobufPushClient  # noqa: E402

from _stream import chunks as chunks_of  # noqa: E402
from vtcore.constant import Exchange  # noqa: E402
from vtcore.event import EventEngine  # noqa: E402
from vtcore.gateways._venue.ticks import TickState  # noqa: E402
from vtcore.gateways.tiger import TigerGateway, proto  # noqa: E402
from vtcore.peers.tiger import pb_frame  # noqa: E402

SYMBOL = "AAPL"


def stream(messages: int) -> bytes:
    parts = []
    for i in range(messages):
        response = Response_pb2.Response(command=SocketCommon.Command.MESSAGE)
        response.body.dataType = SocketCommon.DataType.Quote
        quote = response.body.quoteData
        quote.symbol = SYMBOL
        quote.timestamp = 1_767_225_600_000 + i
        step = (i // 4) % 50
        if i % 4 == 3:
            quote.type = SocketCommon.QuoteType.BASIC
            quote.latestPrice = 190.0 + step / 100
            quote.latestPriceTimestamp = quote.timestamp
            quote.latestTime = "01-01 09:30:00 EST"
            quote.preClose = 189.5
            quote.volume = 1000 + i
            quote.amount = 190.0 * (1000 + i)
        else:
            quote.type = SocketCommon.QuoteType.BBO
            quote.bidPrice, quote.bidSize = 189.99 + step / 100, 100 + i % 7
            quote.askPrice, quote.askSize = 190.01 + step / 100, 200 + i % 5
        parts.append(pb_frame(response))
    return b"".join(parts)


def vtcore_side(chunks: list[bytes]) -> int:
    gateway = TigerGateway(EventEngine(), "TIGER")
    gateway.ticks[SYMBOL] = TickState(SYMBOL, Exchange.SMART, "TIGER", "Apple Inc.")
    count = 0

    def on_tick(tick: Any) -> None:
        nonlocal count
        count += 1

    gateway.on_tick = on_tick  # type: ignore[method-assign]
    reader = proto.FrameReader()
    on_push = gateway.on_push
    for chunk in chunks:
        for body in reader.feed(chunk):
            on_push(body)
    return count


class _Replay(BaseTransport):  # type: ignore[misc]
    """tigeropen's transport reading from a list of chunks instead of a socket."""

    def __init__(self, chunks: list[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self.running = True

    def receive(self) -> bytes:
        return next(self._chunks, b"")


def tigeropen_side(chunks: list[bytes]) -> int:
    client = ProtobufPushClient("127.0.0.1", 0, use_ssl=False)
    count = 0

    def callback(frame: Any) -> None:
        nonlocal count
        count += 1

    client.quote_bbo_changed = callback
    client.quote_changed = callback
    transport = _Replay(chunks)
    transport.set_listener("push", client)
    read = transport._BaseTransport__read  # the SDK's own framing loop
    process = transport.process_frame
    try:
        while True:
            for frame in read():
                process(frame)
    except sdk_exception.ConnectionClosedException:
        pass
    client.callback_executor.shutdown()
    return count


def best_rate(run: Callable[[list[bytes]], int], chunks: list[bytes], messages: int, repeat: int) -> float:
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        count = run(chunks)
        elapsed = time.perf_counter() - start
        if count != messages:
            raise SystemExit(f"{run.__name__}: {count} ticks for {messages} frames")
        rates.append(messages / elapsed)
    return max(rates) if repeat < 3 else statistics.median(sorted(rates)[-3:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=4096)
    args = parser.parse_args()
    data = stream(args.messages)
    chunks = chunks_of(data, args.chunk)
    print(f"{args.messages} quote frames ({len(data)} bytes, {len(chunks)} chunks of {args.chunk})")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    vtcore_rate = best_rate(vtcore_side, chunks, args.messages, args.repeat)
    sdk_rate = best_rate(tigeropen_side, chunks, args.messages, args.repeat)
    print(f"vtcore TigerGateway  push -> TickData        {vtcore_rate:>12,.0f} frames/s")
    print(f"tigeropen 3.8.0      push -> quote callback  {sdk_rate:>12,.0f} frames/s")
    print(f"ratio vtcore / tigeropen: {vtcore_rate / sdk_rate:.2f}x")


if __name__ == "__main__":
    main()
