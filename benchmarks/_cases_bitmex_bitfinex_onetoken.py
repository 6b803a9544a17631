"""Parse-rate cases of `bench_venue_parse.py` for BitMEX, Bitfinex and 1Token: venue frame -> TickData (or the
baseline's own result) per message, vtcore beside a third-party parser of the same events.

Baselines (each runs unmodified; what is around it is said here):
- Bitfinex: vn.py's own gateway, vnpy_bitfinex 2021.9.17 (`BitfinexWebsocketApi.on_packet` after the
  `json.loads` its client does). It was written for vn.py 2.x, whose Exchange enum had BITFINEX; vn.py 4.5's
  has not, so the label is added to the enum before the module is imported. vtcore's side is the gateway's
  own socket handler (`BitfinexGateway.on_public_message`, channels registered by the venue's `subscribed`
  events), and both sides' counters read each tick's `datetime` (vtcore builds it on first read).
- BitMEX: there is no vn.py BitMEX package on the registry (vn.py 2.x, which had one, is not there either), so
  ccxt's parser stands in: `bitmex-api` (ccxt's BitMEX), `json.loads` then ccxt.pro's `handle_message`. Depth
  and trades are the same frames on both sides (`orderBookL2` level updates on the same partial); for the top
  of book each reads what its client subscribes to: vtcore `quote`, ccxt the `instrument` ticker.
- 1Token: no vn.py package and no ccxt client; 1Token's own SDK (`onetoken` 0.2.210201.1) parses the same
  frames: `json.loads` then `Tick.from_dict` / `Zhubi.from_dict`, as its quote client does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import json
import sys
import types
from collections.abc import Callable
from typing import Any

from _stream import Counter
from vtcore.constant import Exchange, Product
from vtcore.event import EventEngine
from vtcore.gateways._venue import TICK_INDEX, TickState, leading_string
from vtcore.gateways.bitfinex import BitfinexGateway
from vtcore.gateways.bitmex import parse as bitmex_parse
from vtcore.gateways.bitmex.market import BitmexMarket
from vtcore.gateways.onetoken import parse as onetoken_parse
from vtcore.gateways.onetoken.market import OneTokenMarket
from vtcore.object import ContractData, TickData

UTC = dt.timezone.utc
_DATETIME, _LOCALTIME = TICK_INDEX["datetime"], TICK_INDEX["localtime"]
START_MS = 1_790_000_000_000


def dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


def iso(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# ------------------------------------------------------------------------------------------------- frames


def bitmex_l2_partial() -> str:
    """The `orderBookL2` partial both sides start from: ten levels a side around 98490."""
    rows = []
    for k in range(20):
        bid = k % 2 == 1
        price = 98490.0 - (k // 2) * 0.5 if bid else 98490.5 + (k // 2) * 0.5
        rows.append(
            {"symbol": "XBTUSD", "id": 8799015100 + k, "side": "Buy" if bid else "Sell", "size": 1000}
        )
        rows[-1]["price"] = price
    return dumps({"table": "orderBookL2", "action": "partial", "filter": {"symbol": "XBTUSD"}, "data": rows})


def bitmex_l2_update(i: int) -> str:
    row = {"symbol": "XBTUSD", "id": 8799015100 + i % 20, "side": "Buy" if i % 2 else "Sell"}
    row["size"] = 1000 + i
    row["timestamp"] = iso(START_MS + i)
    return dumps({"table": "orderBookL2", "action": "update", "data": [row]})


def bitmex_quote(i: int) -> str:
    row = {
        "timestamp": iso(START_MS + i),
        "symbol": "XBTUSD",
        "bidSize": 103000 + i % 100,
        "bidPrice": 98490.0,
        "askPrice": 98490.5,
        "askSize": 50000,
    }
    return dumps({"table": "quote", "action": "insert", "data": [row]})


def bitmex_instrument(i: int) -> str:
    row = {"symbol": "XBTUSD", "bidPrice": 98490.0, "askPrice": 98490.5 + (i % 3) * 0.5}
    row["timestamp"] = iso(START_MS + i)
    return dumps({"table": "instrument", "action": "update", "data": [row]})


def bitmex_trade(i: int) -> str:
    row = {
        "timestamp": iso(START_MS + i),
        "symbol": "XBTUSD",
        "side": "Sell" if i % 2 else "Buy",
        "size": 100 + i % 50,
        "price": 98570.5,
        "tickDirection": "ZeroPlusTick",
        "trdMatchID": f"00000000-0000-0000-0000-{i:012d}",
        "grossValue": 101450,
        "homeNotional": 0.0010145,
        "foreignNotional": 100.0,
        "trdType": "Regular",
    }
    return dumps({"table": "trade", "action": "insert", "data": [row]})


BITFINEX_TICKER_CHANNEL, BITFINEX_BOOK_CHANNEL = 224555, 224556


def bitfinex_ticker(i: int) -> str:
    fields = [30000 + i % 10, 10.5, 30001 + i % 10, 12.25, 150.0, 0.005, 30000.5, 1234.5, 31000.0, 29000.0]
    return dumps([BITFINEX_TICKER_CHANNEL, fields])


def bitfinex_book_snapshot() -> str:
    levels = [[30000 - n, 1, 1.5 + n] for n in range(25)] + [[30001 + n, 1, -1.5 - n] for n in range(25)]
    return dumps([BITFINEX_BOOK_CHANNEL, levels])


def bitfinex_book_update(i: int) -> str:
    side = 1 if i % 2 else -1
    price = 30000 - i % 20 if side > 0 else 30001 + i % 20
    return dumps([BITFINEX_BOOK_CHANNEL, [price, 1 + i % 3, side * (1.0 + (i % 7) / 10)]])


def onetoken_tick(i: int) -> str:
    moment = dt.datetime.fromtimestamp((START_MS + i) / 1000, dt.timezone(dt.timedelta(hours=8)))
    data = {
        "asks": [{"price": 9218.5 + n, "volume": 1.7371 + n} for n in range(10)],
        "bids": [{"price": 9218.4 - n, "volume": 0.81871728 + n} for n in range(10)],
        "contract": "binance/btc.usdt",
        "last": 9219.3 + i % 10,
        "time": moment.isoformat(timespec="microseconds"),
        "exchange_time": moment.isoformat(timespec="microseconds"),
        "amount": 16592.4,
        "volume": 0.3,
    }
    return dumps({"uri": "single-tick-verbose", "data": data})


def onetoken_zhubi(i: int) -> str:
    moment = dt.datetime.fromtimestamp((START_MS + i) / 1000, dt.timezone(dt.timedelta(hours=8)))
    row = {
        "amount": 0.21 + i % 5,
        "bs": "s" if i % 2 else "b",
        "contract": "binance/btc.usdt",
        "exchange_time": moment.isoformat(timespec="microseconds"),
        "price": 9231.8,
        "time": moment.isoformat(timespec="microseconds"),
    }
    return dumps({"uri": "single-zhubi-verbose", "data": [row]})


BITFINEX_CASES = (("bitfinex ticker", bitfinex_ticker), ("bitfinex book update", bitfinex_book_update))
#: the `subscribed` events the venue answers with, which register the channels on both sides
BITFINEX_SUBSCRIBED = [
    {"event": "subscribed", "channel": channel, "chanId": chan_id, "symbol": "tBTCUSD", "pair": "BTCUSD"}
    for chan_id, channel in ((BITFINEX_TICKER_CHANNEL, "ticker"), (BITFINEX_BOOK_CHANNEL, "book"))
]


class TickCounter(Counter):
    """A counter that reads each tick's `datetime`, as an application would (vtcore's C tick builders make
    it on first read, vn.py's gateways for every message: reading it charges vtcore for that work too)."""

    moment: Any = None

    def __call__(self, item: Any) -> None:
        self.count += 1
        self.last = item
        self.moment = item.datetime


# ------------------------------------------------------------------------------------------------- vtcore


def emitter(counter: Counter) -> Callable[[TickState, dt.datetime | None], None]:
    """What the gateways do with a merged tick state (TransportGateway.emit_tick), into a counter."""

    def emit(state: TickState, moment: dt.datetime | None) -> None:
        values = state.values
        now = dt.datetime.now(UTC)
        values[_DATETIME] = moment or now
        values[_LOCALTIME] = now
        counter(TickData(*values))

    return emit


def vtcore_cases(n: int) -> dict[str, tuple[Callable[[bytes], None], list[bytes], Counter]]:
    cases: dict[str, tuple[Callable[[bytes], None], list[bytes], Counter]] = {}

    def states(symbol: str, exchange: Exchange, gateway: str) -> dict[str, TickState]:
        return {symbol: TickState(symbol, exchange, gateway, symbol)}

    for label, builder in (
        ("bitmex depth", bitmex_l2_update),
        ("bitmex top of book", bitmex_quote),
        ("bitmex trade", bitmex_trade),
    ):
        counter = Counter()
        market = BitmexMarket(states("XBTUSD", Exchange.BITMEX, "BITMEX"), emitter(counter))

        def on_message(raw: bytes, market: BitmexMarket = market) -> None:
            # the gateway's dispatch: the table name from the frame's first key picks the decoder
            table = leading_string(raw, bitmex_parse.TABLE_PREFIX)
            if table is not None:
                market.handle(raw, table)

        on_message(bitmex_l2_partial().encode())  # the book the level updates apply to
        counter.count = 0
        cases[label] = (on_message, [builder(i).encode() for i in range(n)], counter)

    for label, builder in BITFINEX_CASES:
        counter = TickCounter()
        gateway = BitfinexGateway(EventEngine(), "BITFINEX")
        contract = ContractData(
            gateway_name="BITFINEX",
            symbol="BTCUSD",
            exchange=Exchange.BITFINEX,
            name="BTCUSD",
            product=Product.SPOT,
            size=1,
            pricetick=0.1,
        )
        gateway.contracts["BTCUSD"] = contract
        gateway.add_tick_state("BTCUSD", contract)  # what subscribing does
        gateway.on_tick = gateway.market.on_tick = counter  # type: ignore[method-assign]
        for event in BITFINEX_SUBSCRIBED:
            gateway.on_public_message(dumps(event).encode())
        gateway.on_public_message(bitfinex_book_snapshot().encode())
        counter.count = 0
        cases[label] = (gateway.on_public_message, [builder(i).encode() for i in range(n)], counter)

    for label, builder in (("1token tick", onetoken_tick), ("1token trade", onetoken_zhubi)):
        counter = Counter()
        onetoken = OneTokenMarket(states("btc.usdt", Exchange.BINANCE, "ONETOKEN"), emitter(counter))

        def on_tick_socket(raw: bytes, market: OneTokenMarket = onetoken) -> None:
            uri = leading_string(raw, onetoken_parse.URI_PREFIX)
            if uri is not None:
                market.handle(raw, uri)

        cases[label] = (on_tick_socket, [builder(i).encode() for i in range(n)], counter)
    return cases


# ------------------------------------------------------------------------------------------------- baselines


def vnpy_bitfinex_module() -> types.ModuleType:
    """vnpy_bitfinex's gateway module on vn.py 4.5, with the BITFINEX label its class body names."""
    sys.modules.setdefault("talib", types.ModuleType("talib"))
    from vnpy.trader.constant import Exchange as VnExchange  # noqa: PLC0415

    if "BITFINEX" not in VnExchange.__members__:
        member = object.__new__(VnExchange)
        member._name_, member._value_ = "BITFINEX", "BITFINEX"
        type.__setattr__(VnExchange, "BITFINEX", member)
        VnExchange._member_map_["BITFINEX"] = member
        VnExchange._value2member_map_["BITFINEX"] = member
        VnExchange._member_names_.append("BITFINEX")  # type: ignore[attr-defined]
        assert isinstance(VnExchange.BITFINEX, enum.Enum)
    from vnpy_bitfinex import bitfinex_gateway  # noqa: PLC0415

    return bitfinex_gateway


def baseline_cases(n: int) -> dict[str, tuple[str, Callable[[str], None], list[str], Counter]]:
    """label -> (baseline name, handler, frames, counter)."""
    cases: dict[str, tuple[str, Callable[[str], None], list[str], Counter]] = {}

    # ---- BitMEX: ccxt's parser
    from bitmex import BitmexWs  # noqa: PLC0415 - ccxt.pro's BitMEX class

    loop = asyncio.new_event_loop()

    instrument = {
        "symbol": "XBTUSD",
        "rootSymbol": "XBT",
        "state": "Open",
        "typ": "FFWCSX",
        "underlying": "XBT",
        "quoteCurrency": "USD",
        "settlCurrency": "XBt",
        "positionCurrency": "USD",
        "isInverse": True,
        "isQuanto": False,
        "multiplier": -100000000,
        "tickSize": 0.5,
        "lotSize": 100,
        "maxOrderQty": 10000000,
        "initMargin": 0.01,
    }
    for label, builder, partial in (
        ("bitmex depth", bitmex_l2_update, "orderBookL2"),
        ("bitmex top of book", bitmex_instrument, None),
        ("bitmex trade", bitmex_trade, None),
    ):
        exchange = BitmexWs({"enableRateLimit": False})
        exchange.asyncio_loop = loop  # a client object needs a loop; nothing here runs on it
        exchange.set_markets(exchange.parse_markets([instrument]))
        client = exchange.client("ws://127.0.0.1:9/realtime")
        if partial:
            exchange.handle_message(client, json.loads(bitmex_l2_partial()))
        counter = Counter()

        def handle(
            text: str, exchange: Any = exchange, client: Any = client, count: Counter = counter
        ) -> None:
            count(exchange.handle_message(client, json.loads(text)))

        cases[label] = ("ccxt (bitmex-api)", handle, [builder(i) for i in range(n)], counter)

    # ---- Bitfinex: vn.py's own gateway
    module = vnpy_bitfinex_module()
    import vnpy.event as vn_event  # noqa: PLC0415

    for label, builder in BITFINEX_CASES:
        gateway = module.BitfinexGateway(vn_event.EventEngine(), "BITFINEX")
        api = module.BitfinexWebsocketApi(gateway)
        for event in BITFINEX_SUBSCRIBED:
            api.on_packet(dict(event))
        api.on_packet(json.loads(bitfinex_book_snapshot()))
        counter = TickCounter()
        gateway.on_tick = counter
        cases[label] = (
            "vnpy_bitfinex 2021.9.17",
            lambda text, api=api: api.on_packet(json.loads(text)),
            [builder(i) for i in range(n)],
            counter,
        )

    # ---- 1Token: its own SDK
    from onetoken.model import Tick, Zhubi  # noqa: PLC0415

    counter = Counter()
    cases["1token tick"] = (
        "onetoken SDK 0.2.210201.1",
        lambda text, counter=counter: counter(Tick.from_dict(json.loads(text)["data"])),
        [onetoken_tick(i) for i in range(n)],
        counter,
    )
    counter = Counter()
    cases["1token trade"] = (
        "onetoken SDK 0.2.210201.1",
        lambda text, counter=counter: counter([Zhubi.from_dict(row) for row in json.loads(text)["data"]]),
        [onetoken_zhubi(i) for i in range(n)],
        counter,
    )
    return cases
