"""Tiger's wire forms -> vtcore: push frames written by Tiger's own generated classes (tigeropen 3.8.0,
saved in tests/resources/tiger/push_frames.jsonl) decoded by the gateway's own descriptors, answers as
Tiger's docs show them, the signature string and key formats, framing across chunk boundaries."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vtcore.constant import Direction, Exchange, OrderType, Status
from vtcore.event import EventEngine
from vtcore.gateways._transport import RequestRejectedError, SignatureError
from vtcore.gateways._venue.ticks import TickState
from vtcore.gateways.tiger import TigerGateway, parse, proto
from vtcore.gateways.tiger.gateway import _quantity, _split_address
from vtcore.gateways.tiger.push import PushConfig, _heartbeats
from vtcore.log import mask_secrets

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "tiger"
FRAMES = {
    row["what"]: bytes.fromhex(row["hex"])
    for row in map(json.loads, (RESOURCES / "push_frames.jsonl").read_text().splitlines())
}
ANSWERS = json.loads((RESOURCES / "answers.json").read_text())


def body(name: str) -> bytes:
    (only,) = proto.FrameReader().feed(FRAMES[name])
    return only


def decoded(name: str) -> Any:
    return proto.Response.FromString(body(name))


def test_frames_split_anywhere_come_out_whole_and_in_order() -> None:
    stream = b"".join(FRAMES.values())
    for size in (1, 2, 3, 7, 64, len(stream)):
        reader = proto.FrameReader()
        bodies = [b for i in range(0, len(stream), size) for b in reader.feed(stream[i : i + size])]
        assert [proto.encode_varint(len(b)) + b for b in bodies] == list(FRAMES.values())


def test_a_length_prefix_that_cannot_be_right_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 5 bytes"):
        proto.FrameReader().feed(b"\xff" * 6)
    with pytest.raises(ValueError, match="exceeds the limit"):
        proto.FrameReader().feed(proto.encode_varint(proto.FrameReader.MAX_FRAME + 1))


def test_requests_decode_with_tigers_classes() -> None:
    pytest.importorskip("tigeropen")
    from tigeropen.push.pb import Request_pb2  # noqa: PLC0415 - the SDK is optional for the gateway

    request = proto.Request(command=proto.SUBSCRIBE, id=9)
    request.subscribe.dataType = proto.QUOTE
    request.subscribe.symbols = "AAPL,00700"
    theirs = Request_pb2.Request.FromString(proto.frame(request)[1:])
    assert (theirs.command, theirs.id, theirs.subscribe.dataType, theirs.subscribe.symbols) == (
        4,
        9,
        1,
        "AAPL,00700",
    )


def quote_gateway(*symbols: str) -> tuple[TigerGateway, list[Any]]:
    gateway = TigerGateway(EventEngine(), "TIGER")
    ticks: list[Any] = []
    gateway.on_tick = ticks.append  # type: ignore[method-assign]
    for symbol in symbols:
        gateway.ticks[symbol] = TickState(symbol, Exchange.SMART, "TIGER", symbol)
    return gateway, ticks


def test_bbo_basic_and_all_quotes() -> None:
    gateway, ticks = quote_gateway("AAPL", "00700", "CLmain")
    for name in ("bbo", "basic", "all"):
        gateway.on_push(body(name))
    bbo, basic, full = ticks
    assert (bbo.bid_price_1, bbo.bid_volume_1, bbo.ask_price_1, bbo.ask_volume_1) == (189.9, 300, 190.1, 200)
    assert bbo.last_price == 0 and bbo.datetime == dt.datetime(
        2026, 1, 1, 0, 0, 0, 123000, tzinfo=dt.timezone.utc
    )
    assert (basic.last_price, basic.volume, basic.turnover, basic.pre_close) == (
        381.4,
        1234500,
        470000000.5,
        379.0,
    )
    assert (basic.open_price, basic.high_price, basic.low_price, basic.bid_price_1) == (
        380.0,
        382.0,
        378.6,
        0,
    )
    assert (full.last_price, full.bid_price_1, full.ask_volume_1, full.open_interest) == (
        70.5,
        70.49,
        3,
        250000,
    )
    assert gateway.malformed_messages == 0


def test_order_status_and_fill_pushes() -> None:
    partial = parse.order_from_push(decoded("order_partial").body.orderStatusData)
    assert (partial.venue_id, partial.mark, partial.volume, partial.traded) == (
        40132638459956224,
        "261201093000000001",
        1.5,
        0.5,
    )
    assert partial.status == Status.PARTTRADED  # "Submitted" with fills
    rejected = parse.order_from_push(decoded("order_rejected").body.orderStatusData)
    assert (rejected.status, rejected.reason) == (
        Status.REJECTED,
        "Order rejected: short selling not allowed",
    )
    fill = parse.fill_from_push(decoded("transaction").body.orderTransactionData)
    assert (fill.tradeid, fill.venue_order_id, fill.price, fill.volume, fill.time_ms) == (
        "29340918234",
        40132638459956224,
        185.0,
        5.0,
        1767225600999,
    )


def test_asset_position_and_control_frames() -> None:
    asset = decoded("asset").body.assetData
    assert (asset.account, asset.netLiquidation, asset.availableFunds) == ("U1234567", 120000.25, 98000.5)
    position = decoded("position").body.positionData
    assert (position.symbol, position.market, position.positionQty, position.averageCost) == (
        "00700",
        "HK",
        200,
        375.5,
    )
    connected = decoded("connected")
    assert connected.command == proto.CONNECTED and _heartbeats(connected.msg, 5000) == (10000, 10000)
    assert _heartbeats("not json", 5000) == (5000, 5000)
    result = decoded("subscribe_result")
    assert (result.command, result.code) == (proto.MESSAGE, proto.SUBSCRIBE_RESULT)


def test_answers() -> None:
    (item,) = parse.items(ANSWERS["orders"]["data"])
    report = parse.order_from_item(item)
    assert (report.status, report.traded, report.price, report.order_type) == (
        Status.ALLTRADED,
        1.5,
        186.0,
        "STP_LMT",
    )
    assert parse.ORDER_TYPE_TIGER2VT[report.order_type] == OrderType.STOP_LIMIT
    data = parse.answer_data(json.dumps(ANSWERS["transactions"]).encode())  # `data` sent as a JSON string
    (fill,) = [parse.fill_from_item(entry, 0) for entry in parse.items(data)]
    assert (fill.venue_order_id, fill.volume, fill.price) == (40132638459956224, 1.5, 185.0)
    assert parse.answer_data(json.dumps(ANSWERS["place_order"]).encode())["id"] == 40132638459956230
    assert parse.parse_error(200, json.dumps(ANSWERS["place_order"]).encode(), {}) is None
    refused = parse.parse_error(200, json.dumps(ANSWERS["refused"]).encode(), {})
    assert isinstance(refused, RequestRejectedError) and (refused.code, refused.venue_message) == (
        1200,
        "Order rejected: insufficient buying power for this order",
    )
    assert isinstance(parse.parse_error(200, json.dumps(ANSWERS["bad_sign"]).encode(), {}), SignatureError)


def test_status_table_and_directions() -> None:
    assert parse.tiger_status("Initial", 0) == Status.NOTTRADED
    assert parse.tiger_status("Submitted", 3) == Status.PARTTRADED
    assert parse.tiger_status("PendingCancel", 0) == Status.NOTTRADED
    assert parse.tiger_status("Cancelled", 3) == Status.CANCELLED
    assert parse.tiger_status("Invalid", 0) == Status.REJECTED
    assert parse.tiger_status("Something new", 0) is None
    assert parse.DIRECTION_TIGER2VT == {"BUY": Direction.LONG, "SELL": Direction.SHORT}
    assert (
        parse.exchange_of("CN", "600519") == Exchange.SSE
        and parse.exchange_of("CN", "000001") == Exchange.SZSE
    )
    assert parse.exchange_of("HK", "00700") == Exchange.SEHK and parse.exchange_of("SG", "D05") is None


def test_sign_content_is_tigers_string() -> None:
    params = {
        "tiger_id": "1",
        "method": "orders",
        "biz_content": '{"a":1}',
        "timestamp": "2026-01-01 00:00:00",
    }
    params["version"] = 2.0  # type: ignore[assignment]  # non-text values go in as JSON
    assert parse.sign_content(params) == (
        'biz_content={"a":1}&method=orders&tiger_id=1&timestamp=2026-01-01 00:00:00&version=2.0'
    )


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.mark.parametrize(
    ("encoding", "form"),
    [
        (serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL),  # PKCS#1, base64
        (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8),
        (serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL),
        (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8),
    ],
)
def test_private_key_forms_sign_the_same(
    key: rsa.RSAPrivateKey, encoding: serialization.Encoding, form: serialization.PrivateFormat
) -> None:
    raw = key.private_bytes(encoding, form, serialization.NoEncryption())
    text = base64.b64encode(raw).decode() if encoding == serialization.Encoding.DER else raw.decode()
    signature = parse.rsa_sign(parse.load_private_key(text), "tiger")
    key.public_key().verify(base64.b64decode(signature), b"tiger", padding.PKCS1v15(), hashes.SHA1())


def test_bad_keys_are_refused_without_quoting_them() -> None:
    for text in ("not base64 at all!", base64.b64encode(b"no key inside").decode(), ""):
        with pytest.raises(ValueError, match="private_key") as caught:
            parse.load_private_key(text)
        assert not text or text not in str(caught.value)


def test_the_push_login_signature_is_kept_out_of_reprs_and_logs(key: rsa.RSAPrivateKey) -> None:
    sign = parse.rsa_sign(key, "20150001")
    assert parse.rsa_sign(key, "20150001") == sign  # deterministic: it logs in again as it is, a password
    config = PushConfig(host="h", port=1, tiger_id="20150001", sign=sign)
    assert "20150001" in repr(config) and sign not in repr(config)
    assert sign not in mask_secrets(f"push CONNECT with {config.sign}")


def test_quantities_and_addresses() -> None:
    assert _quantity(10) == (10, 0) and _quantity(1.5) == (15, 1) and _quantity(0.125) == (125, 3)
    assert parse.scaled(15, 1) == 1.5
    assert _split_address("ssl://openapi.tigerfintech.com:9883") == ("ssl", "openapi.tigerfintech.com", 9883)
    for bad in ("openapi.tigerfintech.com:9883", "http://x:1", "tcp://x:port"):
        with pytest.raises(ValueError, match="push_address"):
            _split_address(bad)
