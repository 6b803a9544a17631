"""1Token wire -> vtcore, from the examples in 1Token's documents (venues.md §7) and frames recorded off the
local venue (tests/resources/onetoken/frames.jsonl): no sockets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from vtcore.constant import Direction, Exchange, Status
from vtcore.gateways._transport import RateLimitError, RequestRejectedError, SignatureError
from vtcore.gateways._venue import TICK_INDEX, TickState
from vtcore.gateways.onetoken import parse, schemas
from vtcore.gateways.onetoken.market import TICK_URI, ZHUBI_URI, OneTokenMarket

FRAMES = Path(__file__).parents[2] / "resources" / "onetoken" / "frames.jsonl"
CHINA = dt.timezone(dt.timedelta(hours=8))

#: the tick example of 1Token's ws-api.md
DOCUMENTED_TICK = (
    b'{"uri":"single-tick-verbose","data":{"asks":[{"price":9218.5,"volume":1.7371}],"bids":[{"price":9218.4,'
    b'"volume":0.81871728}],"contract":"bitfinex/btc.usd","last":9219.3,"time":"2018-05-03T16:16:41.630400+08:00",'
    b'"exchange_time":"2018-05-03T16:16:41.450400+08:00","amount":16592.4,"volume":0.3}}'
)


def recorded(label: str) -> list[bytes]:
    rows = [json.loads(line) for line in FRAMES.read_text().splitlines()]
    return [row["frame"].encode() for row in rows if row["label"] == label]


class Ticks:
    def __init__(self, *symbols: str) -> None:
        self.states = {s: TickState(s, Exchange.GLOBAL, "ONETOKEN", s) for s in symbols}
        self.pushed: list[tuple[list[Any], dt.datetime | None]] = []

    def emit(self, state: TickState, moment: dt.datetime | None) -> None:
        self.pushed.append((list(state.values), moment))

    def field(self, name: str) -> Any:
        return self.pushed[-1][0][TICK_INDEX[name]]


def test_documented_tick() -> None:
    ticks = Ticks("btc.usd")
    OneTokenMarket(ticks.states, ticks.emit).handle(DOCUMENTED_TICK, TICK_URI)
    assert (ticks.field("bid_price_1"), ticks.field("ask_price_1"), ticks.field("last_price")) == (
        9218.4,
        9218.5,
        9219.3,
    )
    assert ticks.field("bid_price_2") == 0.0
    assert ticks.pushed[0][1] == dt.datetime(2018, 5, 3, 16, 16, 41, 450400, tzinfo=CHINA)


def test_recorded_ticks_and_trades() -> None:
    ticks = Ticks("btc.usdt")
    market = OneTokenMarket(ticks.states, ticks.emit)
    for raw in recorded(TICK_URI)[:1] + recorded(ZHUBI_URI):
        market.handle(raw, parse.MESSAGE.decode(raw).uri or "")
    assert (ticks.field("bid_price_2"), ticks.field("ask_volume_2")) == (99.5, 3.0)
    assert (ticks.field("last_price"), ticks.field("last_volume")) == (100.5, 0.3)
    with pytest.raises(parse.DECODE_ERRORS):
        market.handle(b'{"uri":"single-tick-verbose","data":{"contract":"x"}}', TICK_URI)


@pytest.mark.parametrize("spelling", ["last_dealt_amount", "last_dealed_amount"])
def test_orders_either_spelling(spelling: str) -> None:
    row = {
        "account": "binance/mock",
        "contract": "binance/btc.usdt",
        "bs": "s",
        "client_oid": "binance/btc.usdt-abcdefgh1234",
        "exchange_oid": "binance/btc.usdt-99",
        "status": "part-deal-pending",
        "entrust_price": 100.5,
        "entrust_amount": 1.0,
        "dealt_amount": 0.4,
        spelling: 0.25,
        "last_update": "2018-05-03T16:16:41.630400+08:00",
    }
    order_row = msgspec.json.decode(json.dumps(row), type=schemas.Order)
    order = parse.order(order_row, orderid="1", gateway_name="ONETOKEN", exchange=Exchange.BINANCE)
    assert (order.symbol, order.direction, order.status, order.traded) == (
        "btc.usdt",
        Direction.SHORT,
        Status.PARTTRADED,
        0.4,
    )
    assert parse.last_fill(order_row) == 0.25


def test_recorded_order_push_and_info() -> None:
    (first, *_rest) = recorded("order")
    message = parse.MESSAGE.decode(first)
    orders = parse.ORDERS.decode(message.data)
    assert parse.STATUS_ONETOKEN2VT[orders[0].status] == Status.NOTTRADED
    last = parse.ORDERS.decode(parse.MESSAGE.decode(recorded("order")[-1]).data)[0]
    assert parse.STATUS_ONETOKEN2VT[last.status] == Status.ALLTRADED and parse.last_fill(last) == 0.2
    info = parse.INFO.decode(parse.MESSAGE.decode(recorded("info")[-1]).data)
    accounts, positions = parse.accounts_and_positions(
        info, gateway_name="ONETOKEN", exchange=Exchange.BINANCE
    )
    assert ("BTC", 2.2) in [(a.accountid, a.balance) for a in accounts]
    assert positions == []


def test_signature_and_errors() -> None:
    body = '{"contract": "huobip/btc.usdt", "price": 1, "bs": "b", "amount": 0.6}'
    assert parse.sign(b"secret", "POST", "/huobip/zannb/orders", "1526357597237000", body) == (
        "ea7c4794f10e5cfeab5dbb41b88efd0550c7d0d3d763078b42e0d533ce53858a"
    )
    assert isinstance(parse.parse_error(401, b'{"code":"invalid-api-key","message":"x"}', {}), SignatureError)
    assert isinstance(parse.parse_error(429, b'{"code":"rate-limit-exceeded"}', {}), RateLimitError)
    refused = parse.parse_error(400, b'{"code":"place-order-no-money","message":"not enough usdt"}', {})
    assert type(refused) is RequestRejectedError and refused.code == "place-order-no-money"
    assert parse.parse_error(200, b"{}", {}) is None
