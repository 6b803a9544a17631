"""Bitfinex wire -> vtcore, from frames recorded off the local venue (tests/resources/bitfinex/frames.jsonl)
and the arrays documented by Bitfinex (venues.md §6): no sockets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from vtcore.constant import Direction, Exchange, Interval, OrderType, Status
from vtcore.gateways._transport import ClockSkewError, RateLimitError, RequestRejectedError, SignatureError
from vtcore.gateways.bitfinex import parse
from vtcore.gateways.bitfinex.market import BitfinexMarket
from vtcore.object import TickBuilder, TickData

FRAMES = Path(__file__).parents[2] / "resources" / "bitfinex" / "frames.jsonl"
EX = Exchange.BITFINEX


def recorded() -> list[tuple[str, bytes]]:
    rows = [json.loads(line) for line in FRAMES.read_text().splitlines()]
    return [(row["label"], row["frame"].encode()) for row in rows]


class Ticks:
    """The gateway's tick builders (one per subscribed symbol) and what it pushes."""

    def __init__(self, *symbols: str) -> None:
        self.states = {s: TickBuilder(s, EX, "BITFINEX", s) for s in symbols}
        self.pushed: list[TickData] = []

    def emit(self, tick: TickData) -> None:
        self.pushed.append(tick)

    def field(self, name: str) -> Any:
        return getattr(self.pushed[-1], name)


def replay(market: BitfinexMarket) -> list[str]:
    """Feed every recorded frame the way the gateway would: events register channels, channel frames go to
    the market. Returns the symbols whose checksum failed."""
    failed = []
    for label, raw in recorded():
        if label == "event:subscribed":
            event = parse.EVENT.decode(raw)
            assert event.chanId is not None and event.channel is not None and event.symbol is not None
            market.subscribed(event.chanId, event.channel, parse.symbol_of(event.symbol))
        elif label == "channel":
            result = market.handle(raw)
            if result:
                failed.append(result)
    return failed


def test_channels_merge_into_ticks_and_checksums_hold() -> None:
    ticks = Ticks("BTCUSD")
    market = BitfinexMarket(ticks.states, ticks.emit)
    assert replay(market) == []  # every checksum the venue sent matches the local book
    assert (ticks.field("bid_price_1"), ticks.field("ask_price_1"), ticks.field("ask_volume_1")) == (
        100,
        100.5,
        1,
    )
    assert ticks.field("bid_price_2") == 0.0  # 99.5 was removed by a COUNT 0 update
    assert ticks.field("last_price") == 99.0 and ticks.field("last_volume") == 0.2
    assert ticks.field("high_price") == 110.0 and ticks.field("open_price") == 99.0 - 1.5


def test_a_wrong_checksum_names_the_symbol() -> None:
    market = BitfinexMarket(Ticks("BTCUSD").states, lambda tick: None)
    market.subscribed(5, "book", "BTCUSD")
    market.handle(b"[5,[[100,1,1],[101,1,-2]]]")
    assert market.handle(b'[5,"cs",12345]') == "BTCUSD"
    assert market.checksum_failures == 1
    good = parse.book_checksum([(100, 1)], [(101, 2)])
    assert market.handle(f'[5,"cs",{good}]'.encode()) is None


def test_heartbeats_unknown_channels_and_malformed_frames() -> None:
    ticks = Ticks("BTCUSD")
    market = BitfinexMarket(ticks.states, ticks.emit)
    market.subscribed(7, "ticker", "BTCUSD")
    assert market.handle(b'[7,"hb"]') is None
    assert market.handle(b"[99,[1,2,3,4,5,6,7,8,9,10]]") is None  # not subscribed here
    assert ticks.pushed == []
    ticks.states["BTCUSD"].last(99.0, 0.5)  # a trade: the ticker carries no last size, which stays
    assert market.handle(b"[7,[100,1.5,null,null,-0.5,-0.005,99.5,1234,101,98]]") is None  # no ask yet
    tick = ticks.pushed[-1]
    assert (tick.bid_price_1, tick.ask_price_1, tick.last_price, tick.open_price) == (100, 0, 99.5, 100)
    assert (tick.last_volume, tick.volume, tick.high_price, tick.low_price) == (0.5, 1234, 101, 98)
    with pytest.raises(parse.DECODE_ERRORS):
        market.handle(b'[7,[1,2,"x"]]')


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("ACTIVE", Status.NOTTRADED),
        ("PARTIALLY FILLED @ 100.0(0.1)", Status.PARTTRADED),
        ("EXECUTED @ 100.0(0.5): was PARTIALLY FILLED @ 100.0(0.1)", Status.ALLTRADED),
        ("CANCELED", Status.CANCELLED),
        ("CANCELED was: PARTIALLY FILLED @ 99.0(0.2)", Status.CANCELLED),
        ("POSTONLY CANCELED", Status.CANCELLED),
        ("IOC CANCELED", Status.CANCELLED),
        ("FILLORKILL CANCELED", Status.CANCELLED),
        ("INSUFFICIENT MARGIN was: PARTIALLY FILLED @ 1(1)", Status.CANCELLED),
        ("RSN_DUST", Status.CANCELLED),
    ],
)
def test_status_texts(text: str, status: Status) -> None:
    assert parse.status_of(text) == status


def test_documented_order_and_recorded_account_frames() -> None:
    documented = (
        b'[34930659963,null,1574955083558,"tETHUSD",1574955083558,1574955083573,0.201104,0.201104,'
        b'"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,120,0,0,0,null,null,null,0,0,null,null,null,'
        b'"BFX",null,null,{}]'
    )
    order = parse.order(
        parse.ORDER.decode(documented), orderid="1574955083558", gateway_name="BITFINEX", exchange=EX
    )
    assert (order.symbol, order.direction, order.volume, order.traded, order.price) == (
        "ETHUSD",
        Direction.LONG,
        0.201104,
        0.0,
        120.0,
    )
    frames = {label: raw for label, raw in recorded() if label.startswith("account:")}
    _, kind, body = parse.ACCOUNT_FRAME.decode(frames["account:oc"])
    assert kind == "oc"
    closed = parse.order(parse.ORDER.decode(body), orderid="1001", gateway_name="BITFINEX", exchange=EX)
    assert (closed.status, closed.traded, closed.type) == (Status.CANCELLED, 0.2, OrderType.LIMIT)
    _, _, body = parse.ACCOUNT_FRAME.decode(frames["account:tu"])
    fill = parse.trade(parse.TRADE.decode(body), orderid="1001", gateway_name="BITFINEX", exchange=EX)
    assert (fill.tradeid, fill.price, fill.volume, fill.direction) == ("5000001", 99.0, 0.2, Direction.LONG)
    _, _, body = parse.ACCOUNT_FRAME.decode(frames["account:ws"])
    wallets = [parse.account(w, gateway_name="BITFINEX") for w in parse.WALLETS.decode(body)]
    assert ("BTC", 10.0, 0.0) in [(w.accountid, w.balance, w.frozen) for w in wallets]
    _, _, body = parse.ACCOUNT_FRAME.decode(frames["account:n"])
    notification = parse.NOTIFICATION.decode(body)
    assert (notification.TYPE, notification.STATUS) == ("on-req", "ERROR")
    assert notification.TEXT.startswith("Invalid order: minimum size for")


def test_candles_and_errors() -> None:
    candle = parse.CANDLES.decode(b"[[1700000000000,10,12,13,9,5.5]]")[0]
    bar = parse.bar(candle, symbol="BTCUSD", interval=Interval.MINUTE, gateway_name="BITFINEX", exchange=EX)
    assert (bar.open_price, bar.close_price, bar.high_price, bar.low_price) == (10, 12, 13, 9)
    assert bar.datetime == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    assert isinstance(parse.parse_error(500, b'["error",10100,"apikey: invalid"]', {}), SignatureError)
    assert isinstance(parse.parse_error(500, b'["error",10114,"nonce: small"]', {}), ClockSkewError)
    assert isinstance(parse.parse_error(429, b'["error",11010,"ratelimit: error"]', {}), RateLimitError)
    refused = parse.parse_error(
        500, b'["error",10001,"Invalid order: minimum size for BTC/USD is 0.00006"]', {}
    )
    assert type(refused) is RequestRejectedError and refused.code == 10001
    assert parse.parse_error(200, b"[1]", {}) is None


def test_signing_vectors() -> None:
    assert parse.sign(b"secret", "/api/v2/auth/r/wallets1700000000000000").startswith("3ceeb5a0d6c39ea0")
    assert parse.sign(b"secret", "AUTH1700000000000000").startswith("972fdb5f9dd2676d")


def test_prices_keep_five_significant_digits() -> None:
    assert parse.significant(30123.456) == 30123.0
    assert parse.significant(0.0123456) == 0.012346
    assert parse.significant(99.0) == 99.0
