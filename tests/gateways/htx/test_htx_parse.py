"""HTX wire -> vtcore, from the venue's documented frames (tests/resources/htx), no sockets."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
from vtcore.gateways._transport import ClockSkewError, RateLimitError, RequestRejectedError, SignatureError
from vtcore.gateways.htx import parse
from vtcore.object import TickBuilder

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "htx"


def frame(name: str) -> bytes:
    return (RESOURCES / name).read_bytes().strip()


def test_frames_are_inflated_when_gzipped_and_kept_when_text() -> None:
    raw = frame("ws_mbp_refresh5.json")
    assert parse.inflate(gzip.compress(raw)) == raw
    assert parse.inflate(raw) == raw
    with pytest.raises(parse.DECODE_ERRORS):
        parse.inflate(b"\x1f\x8b not gzip at all")


def test_market_pushes() -> None:
    book = parse.BOOK.decode(frame("ws_mbp_refresh5.json"))
    assert (book.ch, book.ts) == ("market.btcusdt.mbp.refresh.5", 1573199608679)
    # the gateway's book path: the raw sides straight into the symbol's TickBuilder (five levels read)
    builder = TickBuilder("btcusdt", Exchange.HTX, "HUOBI", "btcusdt")
    tick = builder.json_levels(book.tick.bids, book.tick.asks, book.ts)
    top = (tick.bid_price_1, tick.bid_volume_1, tick.ask_price_5, tick.ask_volume_5)
    assert top == (618.37, 71.594, 620.6, 3.0)
    assert tick.datetime == dt.datetime(2019, 11, 8, 7, 53, 28, 679000, tzinfo=dt.timezone.utc)
    depth = parse.BOOK.decode(frame("ws_contract_depth.json"))
    tick = builder.json_levels(depth.tick.bids, depth.tick.asks, depth.ts)
    levels = [(getattr(tick, f"bid_price_{n}"), getattr(tick, f"bid_volume_{n}")) for n in range(1, 6)]
    assert levels == [(43440.1, 2.0), (43439.5, 5.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0)]  # fewer than five
    assert (tick.ask_price_3, tick.ask_volume_3) == (43450.92, 9.0)
    assert builder.json_levels(b"[]", b"[]").bid_price_1 == 0.0
    for side in (b'"oops"', b"[[1]]", b'[["x",1]]', b"[[1,2"):
        with pytest.raises(ValueError):
            builder.json_levels(side, b"[]")
    trades = parse.TRADES.decode(frame("ws_trade_detail.json")).tick.data
    assert [(t.price, t.amount, t.direction) for t in trades] == [(52648.62, 0.006754, "buy")]
    detail = parse.DETAIL.decode(frame("ws_detail.json")).tick
    assert (detail.open, detail.high, detail.low, detail.amount) == (52189.79, 52924.14, 51000.0, 4423.1)


def test_spot_order_pushes() -> None:
    created = parse.ORDER_PUSH.decode(frame("ws_orders_creation.json")).data
    assert parse.spot_update(created) == (Status.NOTTRADED, None)
    assert created.clientOrderId == "261206190512000001"
    assert parse.spot_kind(created.type) == (Direction.LONG, OrderType.LIMIT)
    filled = parse.ORDER_PUSH.decode(frame("ws_orders_trade.json")).data
    assert parse.spot_update(filled) == (Status.ALLTRADED, 0.0385)
    assert parse.spot_kind(filled.type) == (Direction.SHORT, OrderType.MARKET)


def test_clearing_push_is_a_trade_with_its_fee_currency() -> None:
    fill = parse.CLEARING_PUSH.decode(frame("ws_trade_clearing.json")).data
    trade = parse.spot_trade(fill, fill.clientOrderId, gateway_name="HUOBI")
    assert (trade.vt_orderid, trade.tradeid, trade.direction, trade.price, trade.volume) == (
        "HUOBI.a001",
        "919219323232",
        Direction.LONG,
        9999.99,
        0.96,
    )
    assert trade.exchange == Exchange.HTX and fill.feeCurrency == "btc"


def test_account_update_may_carry_only_some_fields() -> None:
    update = parse.ACCOUNT_PUSH.decode(frame("ws_accounts_update.json")).data
    assert (update.currency, update.balance, update.available) == ("btc", "23.111", "2028.699426619837209087")
    partial = parse.ACCOUNT_PUSH.decode(
        b'{"action":"push","ch":"accounts.update#1","data":{"currency":"usdt"}}'
    )
    assert (partial.data.balance, partial.data.available) == (None, None)


def test_coin_margined_order_notification_carries_its_fills() -> None:
    row = parse.CONTRACT_ORDER.decode(frame("ws_contract_orders_notify.json"))
    order = parse.contract_order(row, gateway_name="HBDM")
    assert (order.orderid, order.status, order.offset, order.direction, order.traded) == (
        "966002354015051776",  # no client order id: the venue's id
        Status.ALLTRADED,
        Offset.CLOSE,
        Direction.SHORT,
        1.0,
    )
    trades = parse.contract_trades(row, order.orderid, gateway_name="HBDM")
    assert [(t.tradeid, t.price, t.volume, t.offset) for t in trades] == [
        ("86678766507", 110.72, 1.0, Offset.CLOSE)
    ]


def test_v5_notifications() -> None:
    order = parse.linear_order(
        parse.LINEAR_ORDER_NOTIFY.decode(frame("ws_v5_orders_notify.json")).data, gateway_name="HBDM"
    )
    assert (order.symbol, order.status, order.price, order.volume, order.type, order.offset) == (
        "BTC-USDT",
        Status.NOTTRADED,
        40000.0,
        1.0,
        OrderType.LIMIT,
        Offset.OPEN,
    )
    row = parse.LINEAR_TRADE_NOTIFY.decode(frame("ws_v5_trade_notify.json")).data[0]
    trade = parse.linear_trade(row, row.client_order_id, gateway_name="HBDM")
    assert (trade.tradeid, trade.price, trade.volume, trade.direction) == (
        "155233460",
        61629.0,
        1.0,
        Direction.LONG,
    )


def test_errors_are_typed() -> None:
    signature = parse.parse_spot_error(200, frame("http_error_signature.json"), {})
    assert isinstance(signature, SignatureError) and signature.code == "api-signature-not-valid"
    margin = parse.parse_futures_error(200, frame("http_error_insufficient.json"), {})
    assert isinstance(margin, RequestRejectedError) and margin.code == 1047
    expired = parse.classify(
        "api-signature-not-valid", "Signature not valid: Timestamp expired [时间戳过期]", 200
    )
    assert isinstance(expired, ClockSkewError)
    limited = parse.parse_spot_error(
        429, b'{"status":"error","err-code":"rate-too-many-requests","err-msg":"exceeded rate limit"}', {}
    )
    assert isinstance(limited, RateLimitError)
    assert parse.parse_futures_error(200, b'{"code":200,"message":"Success","data":{}}', {}) is None
    v5 = parse.parse_futures_error(200, b'{"code":1061,"message":"This order doesnt exist."}', {})
    assert isinstance(v5, RequestRejectedError) and v5.code == 1061
    assert parse.parse_spot_error(200, b'{"status":"ok","data":1}', {}) is None


def test_signature_v2_matches_htx_example() -> None:
    params = {
        "AccessKeyId": "e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx",
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": "2017-05-11T15:19:30",
        "order-id": "1234567890",
    }
    signed = parse.signature(
        b"b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx", "GET", "api.huobi.pro", "/v1/order/orders", params
    )
    assert signed == "Nmd8AU8uAe0mkFpxNbiava0aeZzBEtYjCdie1ZYZjoM="
    query = parse.signed_query(
        "k", b"s", "GET", "api.huobi.pro", "/v1/x", {"symbol": "btcusdt"}, 1494516570000
    )
    assert query.startswith(
        "AccessKeyId=k&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2017-05-11T15%3A29%3A30"
    )
    assert "&symbol=btcusdt&Signature=" in query
