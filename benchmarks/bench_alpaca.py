"""Alpaca: stream message -> vtcore object rate, vtcore's AlpacaGateway beside `alpaca-py` 0.44.0 (Alpaca's
own SDK) handling the same frames, in the same run. Alpaca has no vn.py package on the registry (vn.py's
ALPACA gateway lived in vn.py 2.0.x and spoke the retired v1 data API), so the SDK is the baseline.

Run: python benchmarks/bench_alpaca.py [--messages N] [--per-frame N] [--repeat N]
Needs vtcore's test extra (it brings alpaca-py and its msgpack).

What is timed, per side, on frames as Alpaca sends them:
- market data, MessagePack (the codec both sides ask for): vtcore: `on_market_message(frame)` -> one
  TickData per quote/trade through `on_tick`; alpaca-py: the body of `DataStream._consume` per frame
  (`msgpack.unpackb`, `_is_market_data`, `await _dispatch(msg)` -> `_cast` -> its Quote/Trade model -> the
  user's async handler). The socket read is not timed on either side. The stream alternates quotes and trades
  of one symbol.
- market data, JSON: vtcore only (alpaca-py always asks for MessagePack).
- trade_updates (JSON, as paper sends it in binary frames): vtcore: `on_trading_message(frame)` -> the
  order through the OrderTracker (`on_order`) and the fill as TradeData (`on_trade`); alpaca-py: the body
  of `TradingStream._consume` (`json.loads`, `await _dispatch`) -> its TradeUpdate model -> the handler.
Event-engine pushes are replaced by counters; HOME and VTCORE_HOME point at a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

_home = tempfile.mkdtemp(prefix="bench-alpaca-")
os.environ["HOME"] = os.environ["VTCORE_HOME"] = _home

import msgpack  # type: ignore[import-untyped]  # noqa: E402  (alpaca-py's own codec, to write the frames as Alpaca does)

from vtcore.event import EventEngine  # noqa: E402
from vtcore.gateways.alpaca import AlpacaGateway  # noqa: E402
from vtcore.object import TickBuilder  # noqa: E402

Frames = list[bytes]


def market_messages(count: int) -> list[dict[str, Any]]:
    messages = []
    base = 1_767_000_000
    for i in range(count):
        stamp = msgpack.Timestamp(base + i // 1000, (i % 1000) * 1_000_000 + 123)
        step = (i // 2) % 50
        if i % 2 == 0:
            messages.append(
                {"T": "q", "S": "AAPL", "bx": "V", "bp": 187.6 + step / 100, "bs": 100 + step, "ax": "V",
                 "ap": 187.7 + step / 100, "as": 200 + step, "c": ["R"], "z": "C", "t": stamp}
            )  # fmt: skip
        else:
            messages.append(
                {"T": "t", "S": "AAPL", "i": 52983525029461 + i, "x": "V", "p": 187.65 + step / 100,
                 "s": 10 + step, "c": ["@"], "z": "C", "t": stamp}
            )  # fmt: skip
    return messages


def batches(messages: list[dict[str, Any]], per_frame: int) -> list[list[dict[str, Any]]]:
    return [messages[i : i + per_frame] for i in range(0, len(messages), per_frame)]


def msgpack_frames(messages: list[dict[str, Any]], per_frame: int) -> Frames:
    return [msgpack.packb(batch) for batch in batches(messages, per_frame)]


def json_frames(messages: list[dict[str, Any]], per_frame: int) -> Frames:
    def text(message: dict[str, Any]) -> dict[str, Any]:
        moment = message["t"].to_datetime()
        return {**message, "t": moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"}

    return [json.dumps([text(m) for m in batch]).encode() for batch in batches(messages, per_frame)]


def trade_update_frames(count: int) -> Frames:
    order_id = str(uuid.uuid4())
    frames = []
    for i in range(count):
        order = {
            "id": order_id,
            "client_order_id": "261206000000000001",
            "created_at": "2026-12-06T15:00:00.1Z",
            "updated_at": "2026-12-06T15:00:01.1Z",
            "submitted_at": "2026-12-06T15:00:00.1Z",
            "filled_at": None,
            "expired_at": None,
            "canceled_at": None,
            "failed_at": None,
            "replaced_at": None,
            "replaced_by": None,
            "replaces": None,
            "asset_id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
            "symbol": "AAPL",
            "asset_class": "us_equity",
            "notional": None,
            "qty": "1000000000",
            "filled_qty": str(i + 1),
            "filled_avg_price": "187.65",
            "order_class": "",
            "order_type": "limit",
            "type": "limit",
            "side": "buy",
            "time_in_force": "gtc",
            "limit_price": "187.65",
            "stop_price": None,
            "status": "partially_filled",
            "extended_hours": False,
            "legs": None,
            "trail_percent": None,
            "trail_price": None,
            "hwm": None,
        }
        data = {
            "event": "partial_fill",
            "execution_id": str(uuid.UUID(int=i + 1)),
            "price": "187.65",
            "qty": "1",
            "position_qty": str(i + 1),
            "timestamp": "2026-12-06T15:00:01.1Z",
            "order": order,
        }
        frames.append(json.dumps({"stream": "trade_updates", "data": data}).encode())
    return frames


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, item: Any) -> None:
        self.count += 1


# ------------------------------------------------------------------------------------------------- sides


def vtcore_market(codec: str) -> tuple[Callable[[Frames], None], Counter]:
    gateway = AlpacaGateway(EventEngine(), "ALPACA")
    gateway.market_codec = codec  # type: ignore[misc]
    gateway.builders["AAPL"] = TickBuilder("AAPL", gateway.exchange, "ALPACA", "Apple Inc. Common Stock")
    counter = Counter()
    gateway.on_tick = counter  # type: ignore[method-assign, assignment]
    on_message = gateway.on_market_message

    def run(frames: Frames) -> None:
        for frame in frames:
            on_message(frame)

    return run, counter


def vtcore_trades() -> tuple[Callable[[Frames], None], Counter]:
    gateway = AlpacaGateway(EventEngine(), "ALPACA")
    counter = Counter()
    gateway.on_trade = counter  # type: ignore[method-assign, assignment]
    gateway.on_order = lambda order: None  # type: ignore[method-assign]
    # the account fetch after fills is a REST request, not message handling: left out on this side
    gateway.refresh_account_soon = lambda: None  # type: ignore[method-assign]
    on_message = gateway.on_trading_message

    def run(frames: Frames) -> None:
        gateway.orders.clear()
        gateway.filled.clear()
        for frame in frames:
            on_message(frame)

    return run, counter


def sdk_market() -> tuple[Callable[[Frames], None], Counter] | str:
    try:
        from alpaca.data.live import StockDataStream  # noqa: PLC0415
        from alpaca.data.live.websocket import _is_market_data  # noqa: PLC0415
    except ImportError as exc:
        return f"alpaca-py is not importable ({exc})"
    stream = StockDataStream("key", "secret", url_override="ws://127.0.0.1:9/v2/iex")
    counter = Counter()

    async def handler(item: Any) -> None:
        counter.count += 1

    stream.subscribe_quotes(handler, "AAPL")
    stream.subscribe_trades(handler, "AAPL")
    dispatch, unpack = stream._dispatch, msgpack.unpackb

    async def consume(frames: Frames) -> None:
        # DataStream._consume's work per received frame, without the socket read
        for frame in frames:
            for msg in unpack(frame):
                _is_market_data(msg)
                await dispatch(msg)

    loop = asyncio.new_event_loop()
    return (lambda frames: loop.run_until_complete(consume(frames))), counter


def sdk_trades() -> tuple[Callable[[Frames], None], Counter] | str:
    try:
        from alpaca.trading.stream import TradingStream  # noqa: PLC0415
    except ImportError as exc:
        return f"alpaca-py is not importable ({exc})"
    stream = TradingStream("key", "secret", paper=True, url_override="ws://127.0.0.1:9/stream")
    counter = Counter()

    async def handler(update: Any) -> None:
        counter.count += 1

    stream.subscribe_trade_updates(handler)
    dispatch = stream._dispatch

    async def consume(frames: Frames) -> None:
        # TradingStream._consume's work per received frame, without the socket read
        for frame in frames:
            await dispatch(json.loads(frame))

    loop = asyncio.new_event_loop()
    return (lambda frames: loop.run_until_complete(consume(frames))), counter


# ------------------------------------------------------------------------------------------------- main


def measure(run: Callable[[Frames], None], frames: Frames) -> float:
    started = time.perf_counter()
    run(frames)
    return time.perf_counter() - started


def compare(title: str, sides: dict[str, Any], frames: Frames, messages: int, repeat: int) -> None:
    ready = {}
    for label, made in sides.items():
        if isinstance(made, str):
            print(f"{label}: skipped: {made}")
        else:
            ready[label] = made
    for run, _ in ready.values():  # warm up (imports, first allocations)
        run(frames[:50])
    times: dict[str, list[float]] = {label: [] for label in ready}
    for _ in range(repeat):
        for label, (run, counter) in ready.items():
            counter.count = 0
            times[label].append(measure(run, frames))
            if counter.count != messages:
                raise RuntimeError(f"{label} handled {counter.count} of {messages} messages")
    ours = statistics.median(next(iter(times.values())))
    print(f"{title:<34}{'msg/s':>12}{'us/msg':>9}{'vtcore is':>11}")
    for label, values in times.items():
        elapsed = statistics.median(values)
        rate, cost = messages / elapsed, elapsed / messages * 1e6
        print(f"  {label:<32}{rate:>12,.0f}{cost:>9.2f}{elapsed / ours:>10.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--per-frame", type=int, default=1, help="messages per WebSocket frame")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    messages = market_messages(args.messages)
    print(
        f"python {sys.version.split()[0]}, {args.messages} messages, {args.per_frame} per frame; median of "
        f"{args.repeat} alternating runs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    packed = msgpack_frames(messages, args.per_frame)
    compare(
        "market data, MessagePack -> tick",
        {"vtcore AlpacaGateway": vtcore_market("msgpack"), "alpaca-py StockDataStream": sdk_market()},
        packed,
        args.messages,
        args.repeat,
    )
    compare(
        "market data, JSON -> tick",
        {"vtcore AlpacaGateway": vtcore_market("json")},
        json_frames(messages, args.per_frame),
        args.messages,
        args.repeat,
    )
    updates = max(1000, args.messages // 10)
    compare(
        "trade_updates fill -> trade",
        {"vtcore AlpacaGateway": vtcore_trades(), "alpaca-py TradingStream": sdk_trades()},
        trade_update_frames(updates),
        updates,
        args.repeat,
    )


if __name__ == "__main__":
    main()
