"""vtcore's enums and data objects: vn.py's names and values, stable ids, TickData built from C++ records."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vtcore import _core, setting
from vtcore._fast import TICK_RECORD_SIZE, TickDecoder
from vtcore.constant import (
    CHINA_EXCHANGES,
    EXCHANGE_BY_CODE,
    Direction,
    Exchange,
    Interval,
    Offset,
    OrderType,
    Product,
    Status,
    exchange_code,
)
from vtcore.errors import InvalidIdentifierError
from vtcore.object import (
    AccountData,
    CancelRequest,
    ContractData,
    GatewayStateData,
    OrderData,
    OrderRequest,
    PositionData,
    QuoteRequest,
    TickData,
    TradeData,
    check_request,
    extract_vt_symbol,
    split_vt_id,
    split_vt_positionid,
)

VNPY_EXCHANGES = [
    "CFFEX",
    "SHFE",
    "CZCE",
    "DCE",
    "INE",
    "GFEX",
    "SSE",
    "SZSE",
    "BSE",
    "SHHK",
    "SZHK",
    "SGE",
    "WXE",
    "CFETS",
    "XBOND",
    "SMART",
    "NYSE",
    "NASDAQ",
    "ARCA",
    "EDGEA",
    "ISLAND",
    "BATS",
    "IEX",
    "AMEX",
    "TSE",
    "NYMEX",
    "COMEX",
    "GLOBEX",
    "IDEALPRO",
    "CME",
    "ICE",
    "SEHK",
    "HKFE",
    "SGX",
    "CBOT",
    "CBOE",
    "CFE",
    "DME",
    "EUREX",
    "APEX",
    "LME",
    "BMD",
    "TOCOM",
    "EUNX",
    "KRX",
    "OTC",
    "IBKRATS",
    "LOCAL",
    "GLOBAL",
]
SHANGHAI = ZoneInfo("Asia/Shanghai")

# TickRecord's layout (records.hpp): symbol[16], datetime, localtime, trading_day, exchange, flags, 11
# doubles, bid_price[5] and ask_price[5] as doubles, then bid_volume[5] and ask_volume[5] as float32.
RECORD = struct.Struct("<16sqqiHH21d10f")


TICK_VALUE_FIELDS = [
    "volume",
    "turnover",
    "open_interest",
    "last_price",
    "last_volume",
    "limit_up",
    "limit_down",
    "open_price",
    "high_price",
    "low_price",
    "pre_close",
    *(
        f"{side}_{kind}_{level}"
        for side, kind in (("bid", "price"), ("ask", "price"), ("bid", "volume"), ("ask", "volume"))
        for level in range(1, 6)
    ),
]


def make_record(
    symbol: bytes = b"rb2605",
    exchange: Exchange = Exchange.SHFE,
    *,
    dt_ns: int = 0,
    local_ns: int = 0,
    trading_day: int = 20260105,
    base: float = 1.0,
    flags: int = 0,
) -> bytes:
    numbers = [base + i for i in range(31)]
    return RECORD.pack(symbol, dt_ns, local_ns, trading_day, exchange_code(exchange), flags, *numbers)


def test_a_rounded_depth_volume_is_visible_on_the_tick():
    assert TickDecoder().decode(make_record(), "CTP").extra is None
    rounded = TickDecoder().decode(make_record(flags=_core.TICK_VOLUME_ROUNDED), "CTP")
    assert rounded.extra == {"depth_volume_rounded": True}


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    setting.load_settings()
    yield
    setting.SETTINGS.update(setting.DEFAULT_SETTINGS)


def test_enum_values_are_stable_and_labels_apart():
    assert Direction.LONG.value == "LONG"
    assert Direction.LONG == "LONG"
    assert Direction.SHORT.label_zh == "空"
    assert Direction.SHORT.label_en == "Short"
    assert Status.ALLTRADED.value == "ALLTRADED"
    assert Offset.NONE.value == ""
    assert Product.FUTURES.label_zh == "期货"
    assert OrderType.LIMIT.label_en == "Limit"
    assert (OrderType.POST_ONLY.value, OrderType.POST_ONLY.label_zh, OrderType.POST_ONLY.label_en) == (
        "POST_ONLY",
        "只做挂单",
        "Post only",
    )
    assert Interval.MINUTE.value == "1m"
    assert str(Direction.LONG) == "Direction.LONG" == f"{Direction.LONG}"


def test_label_follows_language_setting():
    assert Status.CANCELLED.label == "已撤销"  # default Chinese
    setting.save_settings({"language": "en"})
    setting.load_settings()
    assert Status.CANCELLED.label == "Cancelled"
    assert Status.CANCELLED.value == "CANCELLED"  # the value never follows the language


def test_exchanges_keep_vnpy_members_and_values():
    names = [exchange.name for exchange in Exchange]
    assert names[: len(VNPY_EXCHANGES)] == VNPY_EXCHANGES
    assert len(VNPY_EXCHANGES) == 49
    assert Exchange.EUREX.value == "EUX"
    assert all(Exchange[name].value == name for name in VNPY_EXCHANGES if name != "EUREX")
    assert Exchange.BINANCE.value == "BINANCE" and Exchange.OKX.value == "OKX"
    assert EXCHANGE_BY_CODE[0] is None
    assert all(EXCHANGE_BY_CODE[exchange_code(exchange)] is exchange for exchange in Exchange)
    assert Exchange.SHFE in CHINA_EXCHANGES and Exchange.CME not in CHINA_EXCHANGES


def test_exchange_codes_match_the_cpp_core():
    assert _core.exchange_values() == ["", *(exchange.value for exchange in Exchange)]


def test_tick_keyword_constructor_like_vnpy():
    moment = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)
    tick = TickData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        datetime=moment,
        last_price=3500.0,
        bid_price_1=3499.0,
        ask_volume_5=7,
    )
    assert tick.vt_symbol == "rb2605.SHFE"
    assert tick.datetime == moment
    assert tick.localtime is None
    assert tick.name == "" and tick.volume == 0 and tick.bid_price_1 == 3499.0 and tick.ask_volume_5 == 7
    assert tick.extra is None
    positional = TickData("CTP", "rb2605", Exchange.SHFE, moment)
    assert positional.last_price == 0


def test_tick_vt_symbol_never_stale():
    tick = TickData(gateway_name="CTP", symbol="rb2605", exchange=Exchange.SHFE, datetime=None)
    assert tick.vt_symbol == "rb2605.SHFE"
    tick.symbol = "hc2605"
    assert tick.vt_symbol == "hc2605.SHFE"
    tick.exchange = Exchange.INE
    assert tick.vt_symbol == "hc2605.INE"


def test_tick_copy_pickle_equality_and_repr():
    tick = TickData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        datetime=datetime(2026, 1, 5, tzinfo=timezone.utc),
        last_price=1.5,
    )
    tick.extra = {"k": 1}
    assert copy.copy(tick) == tick
    clone = pickle.loads(pickle.dumps(tick))
    assert clone == tick and clone.extra == {"k": 1}
    clone.last_price = 2.0
    assert clone != tick
    assert "last_price=1.5" in repr(tick) and repr(tick).startswith("TickData(")
    with pytest.raises(TypeError):
        hash(tick)


def test_tick_from_record_all_fields():
    dt_ns = int(datetime(2026, 1, 5, 1, 2, 3, tzinfo=timezone.utc).timestamp()) * 10**9 + 5_000_000  # +5 ms
    local_ns = dt_ns + 1_234_567
    tick = TickDecoder().decode(make_record(dt_ns=dt_ns, local_ns=local_ns), "CTP")
    assert TICK_RECORD_SIZE == RECORD.size == 248
    assert tick.gateway_name == "CTP" and tick.symbol == "rb2605" and tick.exchange is Exchange.SHFE
    assert tick.vt_symbol == "rb2605.SHFE"
    assert tick.trading_day == 20260105
    for index, name in enumerate(TICK_VALUE_FIELDS):
        assert getattr(tick, name) == 1.0 + index, name
    # 5 ms stays 5 ms (vn.py turned 5 ms into 500 ms), in China's timezone for SHFE.
    assert tick.datetime == datetime(2026, 1, 5, 9, 2, 3, 5000, tzinfo=SHANGHAI)
    assert tick.datetime.utcoffset() == timedelta(hours=8)
    assert tick.datetime.microsecond == 5000
    assert tick.localtime == tick.datetime + timedelta(microseconds=1234)
    assert tick.datetime_ns == dt_ns and tick.localtime_ns == local_ns


def test_tick_from_record_utc_for_global_venues_and_unknown_time():
    dt_ns = 1_767_571_200_123_456_789
    tick = TickDecoder().decode(make_record(b"BTCUSDT", Exchange.BINANCE, dt_ns=dt_ns), "BINANCE_SPOT")
    assert tick.datetime.tzinfo is timezone.utc
    assert tick.datetime.timestamp() == pytest.approx(dt_ns / 1e9, abs=1e-6)
    assert tick.datetime.microsecond == 123456
    assert tick.localtime is None  # 0 = unknown
    assert tick.vt_symbol == "BTCUSDT.BINANCE"
    unknown = TickDecoder().decode(make_record(dt_ns=0), "CTP")
    assert unknown.datetime is None


def test_tick_decoder_refuses_wrong_size():
    with pytest.raises(ValueError, match="248"):
        TickDecoder().decode(b"\0" * 100, "CTP")


def test_derived_ids_are_properties():
    order = OrderData(gateway_name="CTP", symbol="rb2605", exchange=Exchange.SHFE, orderid="1_2_3")
    assert order.vt_orderid == "CTP.1_2_3" and order.vt_symbol == "rb2605.SHFE"
    order.gateway_name = "CTP2"
    assert order.vt_orderid == "CTP2.1_2_3"
    trade = TradeData(gateway_name="CTP", symbol="rb2605", exchange=Exchange.SHFE, orderid="7", tradeid="  9")
    assert trade.vt_tradeid == "CTP.  9" and trade.vt_orderid == "CTP.7"
    position = PositionData(
        gateway_name="CTP", symbol="rb2605", exchange=Exchange.SHFE, direction=Direction.LONG
    )
    assert position.vt_positionid == "CTP.rb2605.SHFE.LONG"
    account = AccountData(gateway_name="CTP", accountid="0001", balance=100.0, frozen=30.0)
    assert account.vt_accountid == "CTP.0001" and account.available == 70.0
    account.balance = 200.0
    assert account.available == 170.0
    account.available = 5.0  # a gateway may set it (CTP does)
    assert account.available == 5.0
    assert GatewayStateData(gateway_name="CTP", front="td", state="connected").message == ""


def test_order_lifecycle_helpers():
    req = OrderRequest(
        symbol="rb2605",
        exchange=Exchange.SHFE,
        direction=Direction.SHORT,
        type=OrderType.LIMIT,
        volume=2,
        price=3500,
        offset=Offset.OPEN,
        reference="s1",
    )
    order = req.create_order_data("42", "CTP")
    assert (order.status, order.volume, order.price, order.offset, order.direction, order.reference) == (
        Status.SUBMITTING,
        2,
        3500,
        Offset.OPEN,
        Direction.SHORT,
        "s1",
    )
    assert order.is_active()
    order.status = Status.CANCELLED
    assert not order.is_active()
    assert order.create_cancel_request() == CancelRequest(
        orderid="42", symbol="rb2605", exchange=Exchange.SHFE
    )
    quote = QuoteRequest(
        symbol="IO2601-C-4000", exchange=Exchange.CFFEX, bid_price=1, bid_volume=1, ask_price=2, ask_volume=1
    ).create_quote_data("q1", "CTP")
    assert quote.vt_quoteid == "CTP.q1" and quote.create_cancel_request().orderid == "q1"


def test_order_data_field_order_is_the_positional_one_the_order_paths_use():
    # create_order_data and the gateways' report paths build OrderData positionally (cheaper): a field moved
    # or added in between would silently shift their values
    names = [f.name for f in dataclasses.fields(OrderData) if f.init]
    assert names == ["gateway_name", "symbol", "exchange", "orderid", "type", "direction", "offset", "price",
                     "volume", "traded", "status", "datetime", "reference"]  # fmt: skip
    req = OrderRequest("rb2605", Exchange.SHFE, Direction.LONG, OrderType.FAK, 3, 3500.0, Offset.CLOSE, "r")
    built = req.create_order_data("7", "CTP")
    assert built == OrderData(gateway_name="CTP", symbol="rb2605", exchange=Exchange.SHFE, orderid="7",
                              type=OrderType.FAK, direction=Direction.LONG, offset=Offset.CLOSE, price=3500.0,
                              volume=3, reference="r")  # fmt: skip


def test_identifier_parsing():
    assert extract_vt_symbol("IF2601.CFFEX") == ("IF2601", Exchange.CFFEX)
    assert extract_vt_symbol("BRK.B.SMART") == ("BRK.B", Exchange.SMART)  # split from the right
    assert extract_vt_symbol("FDAX.EUX") == ("FDAX", Exchange.EUREX)
    assert split_vt_id("CTP.1_2.3") == ("CTP", "1_2.3")
    assert split_vt_positionid("CTP.BRK.B.SMART.SHORT") == ("CTP", "BRK.B", Exchange.SMART, Direction.SHORT)
    for bad in ("rb2605", ".SHFE", "rb2605.NOPE", ""):
        with pytest.raises(InvalidIdentifierError):
            extract_vt_symbol(bad)
    for bad in ("CTP", "CTP.", ".1"):
        with pytest.raises(InvalidIdentifierError):
            split_vt_id(bad)
    with pytest.raises(InvalidIdentifierError):
        split_vt_positionid("CTP.rb2605.SHFE.多")


def test_contract_defaults():
    contract = ContractData(
        gateway_name="CTP",
        symbol="rb2605",
        exchange=Exchange.SHFE,
        name="螺纹钢2605",
        product=Product.FUTURES,
        size=10,
        pricetick=1,
    )
    assert contract.min_volume == 1 and contract.net_position is False and contract.option_type is None
    assert contract.vt_symbol == "rb2605.SHFE"


def test_record_layout_matches_the_cpp_core():
    offsets = {name: offset for name, _, offset in _core.TICK_FIELDS}
    assert _core.TICK_RECORD_SIZE == TICK_RECORD_SIZE
    assert offsets["datetime"] == 16 and offsets["exchange"] == 36 and offsets["volume"] == 40
    assert offsets["bid_price_1"] == 40 + 11 * 8 and offsets["bid_volume_1"] == 40 + 31 * 8 - 10 * 8
    assert offsets["ask_volume_5"] == TICK_RECORD_SIZE - 4


def test_tick_decoder_cache_keeps_symbols_and_exchanges_apart():
    decoder = TickDecoder()
    symbols = [f"s{i}".encode() for i in range(3000)]  # more than the cache's slots: collisions happen
    for _ in range(2):
        for raw in symbols:
            for exchange in (Exchange.SHFE, Exchange.DCE):
                tick = decoder.decode(make_record(raw, exchange), "CTP")
                assert tick.symbol == raw.decode() and tick.exchange is exchange
                assert tick.vt_symbol == f"{raw.decode()}.{exchange.value}"
    long_symbol = b"x" * 16  # exactly 16 bytes: no NUL inside the field
    assert decoder.decode(make_record(long_symbol), "CTP").symbol == "x" * 16


@given(
    numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=21, max_size=21),
    volumes=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=10, max_size=10),
    # from 1992-01-01 (China has kept +08:00 without summer time since; 1986-1991 had +09:00 summers, before
    # any of its futures exchanges traded) up to 2100-01-01
    dt_ns=st.integers(min_value=694_224_000 * 10**9, max_value=4_102_444_800 * 10**9),
    code=st.integers(min_value=1, max_value=len(Exchange)),
    symbol=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._", min_size=1, max_size=16),
)
def test_any_record_decodes_exactly(numbers, volumes, dt_ns, code, symbol):
    exchange = EXCHANGE_BY_CODE[code]
    record = RECORD.pack(symbol.encode(), dt_ns, dt_ns, 20260105, code, 0, *numbers, *volumes)
    tick = TickDecoder().decode(record, "GW")
    assert tick.symbol == symbol and tick.exchange is exchange
    values = [getattr(tick, name) for name in TICK_VALUE_FIELDS]
    assert values == numbers + volumes  # float32 volumes widen to the same float exactly
    expected = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=dt_ns // 1000)
    assert tick.datetime == expected and tick.localtime == expected
    assert tick.datetime.utcoffset() == (timedelta(hours=8) if exchange in CHINA_EXCHANGES else timedelta(0))


@dataclass(slots=True)
class _StopOrderRequest(OrderRequest):
    """A gateway's own request class with an extra field (as IB's and ALPACA's VenueOrderRequest)."""

    stop_price: float = 0.0


def test_a_gateways_request_subclass_gets_the_same_field_checks() -> None:
    order = _StopOrderRequest("AAPL", Exchange.SMART, Direction.LONG, OrderType.STOP, 1, 10.0, stop_price=9.5)
    check_request(order)  # the send-time check knows the subclass's fields too
    with pytest.raises(TypeError, match="exchange must be a Exchange member"):
        _StopOrderRequest("AAPL", "SMART", Direction.LONG, OrderType.STOP, 1, 10.0)  # type: ignore[arg-type]
    order.volume = True  # changed after it was built
    with pytest.raises(TypeError, match="volume must be a number"):
        check_request(order)
