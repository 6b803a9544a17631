"""vn.py's enums with stable, locale-free values.

vn.py translates enum *values* with gettext, so `Direction.LONG.value` is "多" or "Long" depending on the
process locale, and ids built from it change with the locale. Here the value never changes
(`Direction.LONG.value == "LONG"`); display text lives apart in `label_zh`, `label_en` and `label`
(which follows the `language` entry of vt_setting.json, Chinese by default).
Exchange, Currency and Interval keep vn.py's values exactly.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from vtcore.setting import display_language


class LabeledEnum(str, Enum):
    """A str enum whose members carry a Chinese and an English display label."""

    _value_: str
    _label_zh: str
    _label_en: str

    def __new__(cls, value: str, label_zh: str = "", label_en: str = "") -> Any:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label_zh = label_zh or value
        member._label_en = label_en or value
        return member

    @property
    def label_zh(self) -> str:
        return self._label_zh

    @property
    def label_en(self) -> str:
        return self._label_en

    @property
    def label(self) -> str:
        """The display label in the configured language (`SETTINGS["language"]`: "zh" or "en")."""
        return self._label_en if display_language() == "en" else self._label_zh

    # The same text on every Python version (3.11 and 3.12 differ for str mixins): "Direction.LONG".
    def __str__(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)


class Direction(LabeledEnum):
    LONG = ("LONG", "多", "Long")
    SHORT = ("SHORT", "空", "Short")
    NET = ("NET", "净", "Net")


class Offset(LabeledEnum):
    NONE = ("", "", "")
    OPEN = ("OPEN", "开", "Open")
    CLOSE = ("CLOSE", "平", "Close")
    CLOSETODAY = ("CLOSETODAY", "平今", "Close Today")
    CLOSEYESTERDAY = ("CLOSEYESTERDAY", "平昨", "Close Yesterday")


class Status(LabeledEnum):
    SUBMITTING = ("SUBMITTING", "提交中", "Submitting")
    NOTTRADED = ("NOTTRADED", "未成交", "Not Traded")
    PARTTRADED = ("PARTTRADED", "部分成交", "Part Traded")
    ALLTRADED = ("ALLTRADED", "全部成交", "All Traded")
    CANCELLED = ("CANCELLED", "已撤销", "Cancelled")
    REJECTED = ("REJECTED", "拒单", "Rejected")


#: an order in one of these may still trade; one in FINAL_STATUSES never changes again (`vtcore.orders`)
ACTIVE_STATUSES = frozenset({Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED})
FINAL_STATUSES = frozenset({Status.ALLTRADED, Status.CANCELLED, Status.REJECTED})


class Product(LabeledEnum):
    EQUITY = ("EQUITY", "股票", "Stock")
    FUTURES = ("FUTURES", "期货", "Futures")
    OPTION = ("OPTION", "期权", "Option")
    INDEX = ("INDEX", "指数", "Index")
    FOREX = ("FOREX", "外汇", "Forex")
    SPOT = ("SPOT", "现货", "Spot")
    ETF = ("ETF", "ETF", "ETF")
    BOND = ("BOND", "债券", "Bond")
    WARRANT = ("WARRANT", "权证", "Warrant")
    SPREAD = ("SPREAD", "价差", "Spread")
    FUND = ("FUND", "基金", "Fund")
    CFD = ("CFD", "CFD", "CFD")
    SWAP = ("SWAP", "互换", "Swap")


class OrderType(LabeledEnum):
    LIMIT = ("LIMIT", "限价", "Limit")
    MARKET = ("MARKET", "市价", "Market")
    STOP = ("STOP", "STOP", "STOP")
    FAK = ("FAK", "FAK", "FAK")
    FOK = ("FOK", "FOK", "FOK")
    RFQ = ("RFQ", "询价", "RFQ")
    ETF = ("ETF", "ETF", "ETF")
    # Not in vn.py: a limit order the venue refuses (or cancels) rather than let it take liquidity.
    POST_ONLY = ("POST_ONLY", "只做挂单", "Post only")
    # Not in vn.py: a stop order that turns into a limit order when triggered (IB's STP LMT, Alpaca's
    # stop_limit).
    STOP_LIMIT = ("STOP_LIMIT", "止损限价", "Stop limit")


class OptionType(LabeledEnum):
    CALL = ("CALL", "看涨期权", "Call")
    PUT = ("PUT", "看跌期权", "Put")


class Exchange(LabeledEnum):
    """vn.py's 49 exchanges (same values) followed by the crypto venues.

    The member order is the code order of `cpp/include/vtcore/exchange.hpp` (code = position + 1; 0 =
    unknown), so records that carry a code map back by index. Append only.
    """

    # China
    CFFEX = ("CFFEX", "中金所", "CFFEX")
    SHFE = ("SHFE", "上期所", "SHFE")
    CZCE = ("CZCE", "郑商所", "CZCE")
    DCE = ("DCE", "大商所", "DCE")
    INE = ("INE", "上期能源", "INE")
    GFEX = ("GFEX", "广期所", "GFEX")
    SSE = ("SSE", "上交所", "SSE")
    SZSE = ("SZSE", "深交所", "SZSE")
    BSE = ("BSE", "北交所", "BSE")
    SHHK = ("SHHK", "沪股通", "SHHK")
    SZHK = ("SZHK", "深股通", "SZHK")
    SGE = ("SGE", "上金所", "SGE")
    WXE = ("WXE", "无锡交", "WXE")
    CFETS = ("CFETS", "外汇交易中心", "CFETS")
    XBOND = ("XBOND", "XBOND", "XBOND")
    # Global
    SMART = ("SMART",)
    NYSE = ("NYSE",)
    NASDAQ = ("NASDAQ",)
    ARCA = ("ARCA",)
    EDGEA = ("EDGEA",)
    ISLAND = ("ISLAND",)
    BATS = ("BATS",)
    IEX = ("IEX",)
    AMEX = ("AMEX",)
    TSE = ("TSE",)
    NYMEX = ("NYMEX",)
    COMEX = ("COMEX",)
    GLOBEX = ("GLOBEX",)
    IDEALPRO = ("IDEALPRO",)
    CME = ("CME",)
    ICE = ("ICE",)
    SEHK = ("SEHK",)
    HKFE = ("HKFE",)
    SGX = ("SGX",)
    CBOT = ("CBOT",)
    CBOE = ("CBOE",)
    CFE = ("CFE",)
    DME = ("DME",)
    EUREX = ("EUX",)
    APEX = ("APEX",)
    LME = ("LME",)
    BMD = ("BMD",)
    TOCOM = ("TOCOM",)
    EUNX = ("EUNX",)
    KRX = ("KRX",)
    OTC = ("OTC",)
    IBKRATS = ("IBKRATS",)
    # Special
    LOCAL = ("LOCAL", "本地生成", "Local")
    GLOBAL = ("GLOBAL", "全球", "Global")
    # Crypto venues
    BINANCE = ("BINANCE",)
    OKX = ("OKX",)
    HTX = ("HTX",)
    BITMEX = ("BITMEX",)
    BITFINEX = ("BITFINEX",)
    BYBIT = ("BYBIT",)
    COINBASE = ("COINBASE",)
    DERIBIT = ("DERIBIT",)
    GATEIO = ("GATEIO",)
    BITSTAMP = ("BITSTAMP",)


CHINA_EXCHANGES = frozenset(
    {
        Exchange.CFFEX,
        Exchange.SHFE,
        Exchange.CZCE,
        Exchange.DCE,
        Exchange.INE,
        Exchange.GFEX,
        Exchange.SSE,
        Exchange.SZSE,
        Exchange.BSE,
        Exchange.SHHK,
        Exchange.SZHK,
        Exchange.SGE,
        Exchange.WXE,
        Exchange.CFETS,
        Exchange.XBOND,
    }
)

#: Exchange by record code (index 0 = unknown = None), the order of exchange.hpp.
EXCHANGE_BY_CODE: tuple[Exchange | None, ...] = (None, *Exchange)
_CODE_BY_EXCHANGE = {exchange: code for code, exchange in enumerate(EXCHANGE_BY_CODE) if exchange}


def exchange_code(exchange: Exchange) -> int:
    """The record code of `exchange` (exchange.hpp), never 0 for a member."""
    return _CODE_BY_EXCHANGE[exchange]


class Currency(LabeledEnum):
    USD = ("USD",)
    HKD = ("HKD",)
    CNY = ("CNY",)
    CAD = ("CAD",)


class Interval(LabeledEnum):
    MINUTE = ("1m", "1分钟", "1 minute")
    HOUR = ("1h", "1小时", "1 hour")
    DAILY = ("d", "日线", "Daily")
    WEEKLY = ("w", "周线", "Weekly")
    TICK = ("tick", "Tick", "Tick")
