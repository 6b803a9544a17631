"""The IB gateway's codec without a socket: framing however the bytes arrive, the layouts that change with the
server version (read against the fake TWS's independent renderer), symbols, and status mapping."""

from __future__ import annotations

import struct
from decimal import Decimal

import pytest

from vtcore.constant import Status
from vtcore.errors import InvalidIdentifierError
from vtcore.gateways.ib import parse, requests
from vtcore.gateways.ib.client import Pacer
from vtcore.gateways.ib.wire import FrameError, FrameReader, encode
from vtcore.peers.ib import AAPL, ES
from vtcore.peers.ib import layouts as peer
from vtcore.peers.ib.wire import frame


def test_frames_are_cut_whatever_the_chunking() -> None:
    stream = frame([1, 6, 7, 1, "189.9", "100", 0]) + frame([4, 2, -1, 2104, "farm OK", ""])
    whole = FrameReader().feed(stream)
    assert whole == [["1", "6", "7", "1", "189.9", "100", "0"], ["4", "2", "-1", "2104", "farm OK", ""]]
    reader = FrameReader()
    pieces = [message for byte in stream for message in reader.feed(bytes([byte]))]
    assert pieces == whole
    with pytest.raises(FrameError):
        FrameReader().feed(struct.pack(">I", 64 * 1024 * 1024) + b"x")


def test_unset_numbers_travel_as_empty_fields() -> None:
    assert encode([3, None, 1.7976931348623157e308, 2**31 - 1, True, 1.5]) == frame([3, "", "", "", 1, "1.5"])


@pytest.mark.parametrize("version", [163, 170, 178])
def test_contract_details_layout_follows_the_server_version(version: int) -> None:
    fields = [str(f) for f in peer.contract_details(version, 5, ES, "CME")]
    req_id, info = parse.contract_details([*fields], version)
    assert req_id == 5
    assert (info.con_id, info.symbol, info.sec_type, info.exchange, info.multiplier) == (
        ES.con_id,
        "ES",
        "FUT",
        "CME",
        "50",
    )
    assert (info.min_tick, info.long_name, info.last_trade_date, info.time_zone) == (
        0.25,
        "E-mini S&P 500",
        "20261218",
        "US/Central",
    )
    contract = parse.contract_data(info, "IB")
    assert contract is not None and contract.vt_symbol == f"{ES.con_id}.CME" and contract.size == 50


def test_error_layout_and_order_messages() -> None:
    old = parse.error([str(f) for f in peer.error(163, 12, 201, "Order rejected - reason:x")], 163)
    new = parse.error([str(f) for f in peer.error(178, 12, 201, "Order rejected - reason:x", '{"a":1}')], 178)
    assert (old.code, old.text, old.advanced) == (201, "Order rejected - reason:x", "")
    assert (new.req_id, new.advanced) == (12, '{"a":1}')
    view = peer.OrderView(
        order_id=9,
        client_id=1,
        perm_id=77,
        account="DU1",
        spec=AAPL,
        exchange="SMART",
        action="SELL",
        quantity=Decimal(3),
        order_type="STP LMT",
        limit_price=Decimal("188"),
        aux_price=Decimal("189"),
        tif="GTC",
        order_ref="r",
        outside_rth=False,
        status="PreSubmitted",
    )
    opened = parse.open_order([str(f) for f in peer.open_order(178, view)])
    assert (opened.order_id, opened.con_id, opened.order_type, opened.limit_price, opened.aux_price) == (
        9,
        AAPL.con_id,
        "STP LMT",
        188.0,
        189.0,
    )
    assert (opened.tif, opened.account, opened.client_id, opened.perm_id) == ("GTC", "DU1", 1, 77)
    status = parse.order_status([str(f) for f in peer.order_status(view)])
    assert (status.status, status.remaining, status.perm_id) == ("PreSubmitted", 3.0, 77)


def test_symbols_and_statuses() -> None:
    assert parse.parse_symbol("265598") == 265598
    described = parse.parse_symbol("es-fut-usd-cme-202612")
    assert isinstance(described, parse.Description)
    assert described.contract().fields()[:4] == ["", "ES", "FUT", "202612"]
    for bad in ("AAPL", "0", "A-B-C", "AAPL-STK-USD-", "A B-STK-USD-SMART"):
        with pytest.raises(InvalidIdentifierError):
            parse.parse_symbol(bad)
    assert parse.vt_status("Submitted", 0) == Status.NOTTRADED
    assert parse.vt_status("Submitted", 5) == Status.PARTTRADED
    assert parse.vt_status("Inactive", 0) == Status.REJECTED
    assert parse.vt_status("Whatever", 0) is None


def test_place_order_layout_changes_with_the_version() -> None:
    contract = requests.IbContract(con_id=AAPL.con_id, exchange="SMART")
    order = requests.IbOrder("BUY", 10, "LMT", 185.0, None, "DAY", "DU1")
    at_176 = requests.place_order(176, 1, contract, order)
    at_178 = requests.place_order(178, 1, contract, order)
    assert len(at_176) == len(at_178) + 1  # faProfile goes at 177
    # id, order id, 12 contract fields (conId 2, exchange 9), secIdType, secId, then the order itself
    assert at_178[:3] == [3, 1, AAPL.con_id] and at_178[9] == "SMART"
    assert at_178[16:22] == ["BUY", 10, "LMT", 185.0, None, "DAY"]
    assert at_176[-2:] == at_178[-2:] == ["", ""]  # advancedErrorOverride (166), manualOrderTime (169)


def test_pacer_keeps_any_second_under_tws_limit() -> None:
    """However requests arrive (a burst, a trickle, a pause then a burst), no one-second window holds more
    than 48 sends (TWS drops a client past 50)."""
    pacer = Pacer()
    now, sent = 0.0, []
    for wanted in [0.0] * 300 + [5.0] + [0.001] * 200 + [3.0] + [0.0] * 100:
        now += wanted
        while (wait := pacer.delay(now)) > 0:
            now += wait
        sent.append(now)
    worst = max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent)
    assert worst <= 48
    assert 300 / (sent[299] - sent[0]) > 38  # and a long burst still goes at about 40 a second
