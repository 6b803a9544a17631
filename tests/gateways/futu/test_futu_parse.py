"""`vtcore.gateways.futu.parse` and the gateway's push handling from OpenD bodies in tests/resources/futu/
(Futu's JSON body format, turned into protobuf with futu-api's own message classes), without a socket."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("futu", reason="the FUTU gateway needs futu-api's messages (pip install '.[futu]')")

from google.protobuf import json_format

from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.event import EventEngine
from vtcore.gateways._venue.ticks import TickState
from vtcore.gateways.futu import FutuGateway, parse
from vtcore.gateways.futu.proto import MODULES, decode_header, encode, messages
from vtcore.object import OrderData, TickData, TradeData

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "futu"


def response(name: str) -> Any:
    proto_id = int(name.split("_", 1)[0])
    message = messages.response(proto_id)
    json_format.ParseDict(json.loads((RESOURCES / f"{name}.json").read_text()), message)
    return message


def body(name: str) -> bytes:
    return bytes(response(name).SerializeToString())


def test_header_round_trip_and_its_sha1() -> None:
    packet = encode(3005, 7, b"body")
    header = decode_header(packet[:44])
    assert (header.proto_id, header.serial, header.body_len, header.fmt) == (3005, 7, 4, 0)
    assert len(packet) == 48 and packet[:2] == b"FT"
    with pytest.raises(ValueError, match="not a FutuOpenD header"):
        decode_header(b"XX" + packet[2:44])


def test_every_proto_the_gateway_uses_has_futus_message() -> None:
    for proto_id in MODULES:
        assert messages.response(proto_id).DESCRIPTOR.full_name.endswith(".Response")


def test_order_push_partly_filled_in_hong_kong_time() -> None:
    parsed = parse.order_from_pb(response("2208_order_filled_part").s2c.order, "101515_7", "FUTU")
    assert parsed is not None
    order, reason = parsed
    assert (order.symbol, order.exchange, order.status, order.traded, order.volume) == (
        "00700",
        Exchange.SEHK,
        Status.PARTTRADED,
        100,
        300,
    )
    assert order.direction == Direction.LONG and order.type == OrderType.LIMIT and reason == ""
    hong_kong = dt.timezone(dt.timedelta(hours=8))
    assert order.datetime == dt.datetime(2026, 9, 9, 10, 15, 1, 250000, tzinfo=hong_kong)


def test_a_failed_order_carries_opends_text() -> None:
    parsed = parse.order_from_pb(response("2208_order_submit_failed").s2c.order, "x", "FUTU")
    assert parsed is not None
    order, reason = parsed
    assert order.status == Status.REJECTED and reason == "Insufficient sellable quantity"
    assert order.exchange == Exchange.SMART and order.type == OrderType.MARKET
    assert order.datetime is not None and order.datetime.utcoffset() == dt.timedelta(hours=-4)  # EDT


def test_fill_push() -> None:
    trade = parse.trade_from_pb(response("2218_fill").s2c.orderFill, "101515_7", "FUTU")
    assert trade is not None
    assert (trade.tradeid, trade.price, trade.volume, trade.direction) == (
        "8894562331254",
        380.2,
        100,
        Direction.LONG,
    )


def test_static_info_skips_delisted_and_foreign_markets() -> None:
    contracts = [
        contract
        for info in response("3202_static_info").s2c.staticInfoList
        if (contract := parse.contract_from_static(info, "FUTU")) is not None
    ]
    assert [(c.symbol, c.product, c.min_volume, c.pricetick) for c in contracts] == [
        ("00700", Product.EQUITY, 100, 0.001),
        ("02800", Product.ETF, 500, 0.001),
    ]


def test_klines_skip_blanks_and_read_the_markets_zone() -> None:
    reply = response("3103_klines").s2c
    bars = [
        bar
        for kline in reply.klList
        if (bar := parse.bar_from_kline(kline, "AAPL", Exchange.SMART, Interval.MINUTE, "FUTU")) is not None
    ]
    assert len(bars) == 2 and reply.nextReqKey == b"\x01\x02\x03\x04"
    assert bars[0].datetime.isoformat() == "2026-09-08T09:31:00-04:00"  # no timestamp: the text, New York
    assert bars[1].datetime.timestamp() == 1788874380.0  # the timestamp wins
    assert (bars[0].open_price, bars[0].close_price, bars[0].volume) == (229.0, 229.4, 151200)


def test_positions_and_funds() -> None:
    position = parse.position_from_pb(response("2102_positions").s2c.positionList[0], "FUTU")
    assert position is not None
    assert (position.volume, position.frozen, position.price, position.pnl) == (300, 100, 350.0, 9300.0)
    account = parse.account_from_funds(response("2101_funds").s2c.funds, "281756480572583411", "FUTU")
    assert (account.balance, account.frozen, account.available) == (1114300.0, 150000.0, 850000.0)


def test_parse_time_forms() -> None:
    tz = parse.HK_TZ
    assert parse.parse_time("2026-09-09 10:15:03", tz) == dt.datetime(2026, 9, 9, 10, 15, 3, tzinfo=tz)
    assert parse.parse_time("2026-09-09 10:15:03.5", tz).microsecond == 500000  # type: ignore[union-attr]
    assert parse.parse_time("", tz) is None and parse.parse_time("not a time", tz) is None


class Pushes:
    """A FutuGateway with nothing connected, whose pushes are collected."""

    def __init__(self, environment: str = "REAL") -> None:
        self.gateway = FutuGateway(EventEngine(), "FUTU")
        self.gateway.trd_env = parse.TRADE_ENVS[environment]
        self.gateway.account_id = 281756480572583411
        self.ticks: list[TickData] = []
        self.orders: list[OrderData] = []
        self.trades: list[TradeData] = []
        self.gateway.on_tick = self.ticks.append  # type: ignore[method-assign]
        self.gateway.on_order = self.orders.append  # type: ignore[method-assign]
        self.gateway.on_trade = self.trades.append  # type: ignore[method-assign]
        self.gateway._schedule_refresh = lambda: None  # type: ignore[method-assign]

    def push(self, name: str, **changes: Any) -> None:
        message = response(name)
        for path, value in changes.items():
            target = message.s2c
            *parents, leaf = path.split(".")
            for parent in parents:
                target = getattr(target, parent)
            setattr(target, leaf, value)
        self.gateway._on_push(int(name.split("_", 1)[0]), message.SerializeToString())


def test_quote_and_book_pushes_fill_one_tick_state() -> None:
    pushes = Pushes()
    pushes.gateway._ticks[(1, "00700")] = TickState("00700", Exchange.SEHK, "FUTU", "")
    pushes.push("3005_basic_quote")
    pushes.push("3013_order_book")
    last = pushes.ticks[-1]
    assert (last.last_price, last.pre_close, last.volume) == (380.2, 377.6, 12503400)
    assert (last.bid_price_1, last.bid_volume_1, last.ask_price_1, last.ask_price_2) == (
        380.2,
        3000,
        380.4,
        380.6,
    )
    assert last.bid_price_3 == 0.0
    assert last.datetime.timestamp() == pytest.approx(1788920103.495)


def test_the_remark_names_vtcores_order_and_an_unknown_body_is_counted() -> None:
    pushes = Pushes()
    pushes.push("2208_order_filled_part")
    assert pushes.orders[-1].orderid == "101515_7"  # from "vtcore:101515_7"
    pushes.push("2208_order_filled_part", **{"order.remark": ""})
    assert pushes.orders[-1].orderid == "101515_7"  # the order id learnt from the first push
    pushes.gateway._on_push(2208, b"\x0a\x03bad")
    assert pushes.gateway.malformed == 1


def test_paper_trading_trades_come_from_growing_fill_quantities() -> None:
    pushes = Pushes("SIMULATE")
    pushes.push("2208_order_filled_part")  # 100 at 380.2
    pushes.push("2208_order_filled_part")  # a replay: nothing new
    pushes.push(
        "2208_order_filled_part",
        **{"order.fillQty": 300.0, "order.fillAvgPrice": 380.0, "order.orderStatus": 11},
    )
    assert [(t.tradeid, t.volume, t.price) for t in pushes.trades] == [
        ("6498753421586436170-100", 100, 380.2),
        ("6498753421586436170-300", 200, pytest.approx(379.9)),
    ]
    assert pushes.orders[-1].status == Status.ALLTRADED


def test_a_real_account_takes_its_trades_from_deal_pushes_only() -> None:
    pushes = Pushes("REAL")
    pushes.push("2208_order_filled_part")
    assert pushes.trades == []
    pushes.push("2218_fill")
    pushes.push("2218_fill")  # a replay (the deal list after a reconnect)
    assert [(t.orderid, t.tradeid) for t in pushes.trades] == [("101515_7", "8894562331254")]
