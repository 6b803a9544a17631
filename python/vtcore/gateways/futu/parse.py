"""Futu's messages -> vtcore objects, as pure functions (no socket, no gateway state), and the code tables.

Securities: Futu names one as a market and a code (`Qot_Common.Security{market, code}`, written `HK.00700`);
vtcore as symbol and exchange (`00700.SEHK`, `AAPL.SMART`, as vn.py's Futu gateway did). Trade messages carry
the bare code plus a `secMarket`. Times are the market's local time ("yyyy-MM-dd HH:mm:ss[.fff]"), with a
UNIX timestamp beside them in newer OpenD versions; both are read in the market's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.object import AccountData, BarData, ContractData, OrderData, PositionData, TradeData
from vtcore.time import CHINA_TZ, UTC


def _zone(name: str, hours: int) -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo  # noqa: PLC0415 - optional tz database

        return ZoneInfo(name)
    except Exception:  # no tz database: the standard offset (US daylight saving then reads an hour off)
        return dt.timezone(dt.timedelta(hours=hours), name)


HK_TZ = _zone("Asia/Hong_Kong", 8)
US_TZ = _zone("America/New_York", -5)


@dataclass(frozen=True)
class Market:
    """One of Futu's security markets: its code prefix, vtcore exchange and the numbers Futu uses for it."""

    prefix: str  # "HK" in "HK.00700"
    exchange: Exchange
    qot_market: int  # Qot_Common.QotMarket
    sec_market: int  # Trd_Common.TrdSecMarket
    tz: dt.tzinfo
    pricetick: float


MARKETS = (
    Market("HK", Exchange.SEHK, 1, 1, HK_TZ, 0.001),
    Market("US", Exchange.SMART, 11, 2, US_TZ, 0.01),
    Market("SH", Exchange.SSE, 21, 31, CHINA_TZ, 0.01),
    Market("SZ", Exchange.SZSE, 22, 32, CHINA_TZ, 0.01),
)
MARKET_BY_EXCHANGE = {market.exchange: market for market in MARKETS}
MARKET_BY_QOT = {market.qot_market: market for market in MARKETS}
MARKET_BY_SEC = {market.sec_market: market for market in MARKETS}
MARKET_BY_PREFIX = {market.prefix: market for market in MARKETS}

#: the setting's trade market -> (Trd_Common.TrdMarket, the security market it trades)
TRADE_MARKETS = {"HK": (1, MARKET_BY_PREFIX["HK"]), "US": (2, MARKET_BY_PREFIX["US"])}
#: the setting's environment -> Trd_Common.TrdEnv
TRADE_ENVS = {"SIMULATE": 0, "REAL": 1}

# Trd_Common.OrderStatus -> vtcore; statuses that are not here (Unknown, FillCancelled) change nothing
STATUS_FUTU2VT: dict[int, Status] = {
    0: Status.SUBMITTING,  # Unsubmitted
    1: Status.SUBMITTING,  # WaitingSubmit
    2: Status.SUBMITTING,  # Submitting
    3: Status.REJECTED,  # SubmitFailed
    4: Status.REJECTED,  # TimeOut
    5: Status.NOTTRADED,  # Submitted
    10: Status.PARTTRADED,  # Filled_Part
    11: Status.ALLTRADED,  # Filled_All
    12: Status.PARTTRADED,  # Cancelling_Part
    13: Status.NOTTRADED,  # Cancelling_All
    14: Status.CANCELLED,  # Cancelled_Part
    15: Status.CANCELLED,  # Cancelled_All
    21: Status.REJECTED,  # Failed
    22: Status.CANCELLED,  # Disabled
    23: Status.CANCELLED,  # Deleted
}
STATUS_NAMES = {3: "submit failed", 4: "timed out", 21: "failed", 22: "disabled", 23: "deleted"}

# Trd_Common.TrdSide
SIDE_VT2FUTU = {Direction.LONG: 1, Direction.SHORT: 2}
DIRECTION_FUTU2VT = {1: Direction.LONG, 2: Direction.SHORT, 3: Direction.SHORT, 4: Direction.LONG}

# Trd_Common.OrderType by trade market: the types each market takes. HK's "special limit" order matches at
# the limit or better and cancels the rest (FAK); "special limit, all or none" is its FOK.
ORDER_TYPES_VT2FUTU: dict[str, dict[OrderType, int]] = {
    "HK": {OrderType.LIMIT: 1, OrderType.MARKET: 2, OrderType.FAK: 8, OrderType.FOK: 9},
    "US": {OrderType.LIMIT: 1, OrderType.MARKET: 2, OrderType.STOP: 10},
}
ORDER_TYPE_FUTU2VT = {
    1: OrderType.LIMIT,
    2: OrderType.MARKET,
    5: OrderType.LIMIT,
    8: OrderType.FAK,
    9: OrderType.FOK,
    10: OrderType.STOP,
}

# Qot_Common.SecurityType -> Product
PRODUCT_FUTU2VT = {
    1: Product.BOND,
    2: Product.WARRANT,
    3: Product.EQUITY,
    4: Product.ETF,
    5: Product.WARRANT,
    6: Product.INDEX,
    8: Product.OPTION,
    10: Product.FUTURES,
}
#: the security types whose static info the gateway loads as contracts (stocks, ETFs, warrants)
CONTRACT_SEC_TYPES = (3, 4, 5)

# Qot_Common.KLType
KLTYPE_VT2FUTU = {Interval.MINUTE: 1, Interval.HOUR: 9, Interval.DAILY: 2, Interval.WEEKLY: 3}
# Qot_Common.SubType
SUB_BASIC, SUB_ORDER_BOOK = 1, 2

#: OpenD's time text ("2026-10-30 10:30:00" or with ".123")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def futu_code(symbol: str, exchange: Exchange) -> str:
    """`HK.00700` for ("00700", SEHK)."""
    return f"{MARKET_BY_EXCHANGE[exchange].prefix}.{symbol}"


def parse_time(text: str, tz: dt.tzinfo, timestamp: float = 0.0) -> dt.datetime | None:
    """An OpenD time in the market's zone (the timestamp when given wins: it is exact); None when empty."""
    if timestamp > 0:
        return dt.datetime.fromtimestamp(timestamp, UTC).astimezone(tz)
    if not text:
        return None
    head, _, fraction = text.partition(".")
    try:
        moment = dt.datetime.strptime(head, TIME_FORMAT)
    except ValueError:
        return None
    if fraction.isdigit():
        moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return moment.replace(tzinfo=tz)


def format_time(moment: dt.datetime, tz: dt.tzinfo) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return moment.strftime(TIME_FORMAT)


def contract_from_static(info: Any, gateway_name: str) -> ContractData | None:
    """A ContractData from a `Qot_Common.SecurityStaticInfo`; None for markets or types vtcore skips."""
    basic = info.basic
    market = MARKET_BY_QOT.get(basic.security.market)
    product = PRODUCT_FUTU2VT.get(basic.secType)
    if market is None or product is None or basic.delisting:
        return None
    return ContractData(
        gateway_name=gateway_name,
        symbol=basic.security.code,
        exchange=market.exchange,
        name=basic.name,
        product=product,
        size=1,
        pricetick=market.pricetick,
        min_volume=max(1, basic.lotSize),
        net_position=True,
        history_data=True,
        stop_supported=market.prefix == "US",
    )


def order_from_pb(order: Any, orderid: str, gateway_name: str) -> tuple[OrderData, str] | None:
    """(OrderData, reason) from a `Trd_Common.Order`; None for a status that says nothing (Unknown). The
    reason is OpenD's `lastErrMsg` for a failed order, else empty."""
    status = STATUS_FUTU2VT.get(order.orderStatus)
    market = MARKET_BY_SEC.get(order.secMarket)
    if status is None or market is None:
        return None
    data = OrderData(
        gateway_name=gateway_name,
        symbol=order.code,
        exchange=market.exchange,
        orderid=orderid,
        type=ORDER_TYPE_FUTU2VT.get(order.orderType, OrderType.LIMIT),
        direction=DIRECTION_FUTU2VT.get(order.trdSide),
        price=order.auxPrice if order.orderType == 10 else order.price,
        volume=order.qty,
        traded=order.fillQty,
        status=status,
        datetime=parse_time(order.createTime, market.tz, order.createTimestamp),
    )
    reason = ""
    if status == Status.REJECTED:
        reason = order.lastErrMsg or f"OpenD: order {STATUS_NAMES.get(order.orderStatus, 'failed')}"
    return data, reason


def trade_from_pb(
    fill: Any, orderid: str, gateway_name: str, market: Market | None = None
) -> TradeData | None:
    """A TradeData from a `Trd_Common.OrderFill` (in `market` when given, else the one it names); None for an
    unknown market."""
    market = market or MARKET_BY_SEC.get(fill.secMarket)
    if market is None:
        return None
    return TradeData(
        gateway_name=gateway_name,
        symbol=fill.code,
        exchange=market.exchange,
        orderid=orderid,
        tradeid=str(fill.fillID),
        direction=DIRECTION_FUTU2VT.get(fill.trdSide),
        price=fill.price,
        volume=fill.qty,
        datetime=parse_time(fill.createTime, market.tz, fill.createTimestamp),
    )


def position_from_pb(position: Any, gateway_name: str) -> PositionData | None:
    market = MARKET_BY_SEC.get(position.secMarket)
    if market is None:
        return None
    return PositionData(
        gateway_name=gateway_name,
        symbol=position.code,
        exchange=market.exchange,
        direction=Direction.SHORT if position.positionSide == 1 else Direction.LONG,
        volume=abs(position.qty),
        frozen=max(0.0, abs(position.qty) - position.canSellQty),
        price=position.costPrice,
        pnl=position.plVal,
    )


def account_from_funds(funds: Any, accountid: str, gateway_name: str) -> AccountData:
    account = AccountData(
        gateway_name=gateway_name, accountid=accountid, balance=funds.totalAssets, frozen=funds.frozenCash
    )
    account.available = funds.power  # buying power: what an order can use
    return account


def bar_from_kline(
    kline: Any, symbol: str, exchange: Exchange, interval: Interval, gateway_name: str
) -> BarData | None:
    if kline.isBlank:
        return None
    moment = parse_time(kline.time, MARKET_BY_EXCHANGE[exchange].tz, kline.timestamp)
    if moment is None:
        return None
    return BarData(
        gateway_name=gateway_name,
        symbol=symbol,
        exchange=exchange,
        datetime=moment,
        interval=interval,
        volume=kline.volume,
        turnover=kline.turnover,
        open_price=kline.openPrice,
        high_price=kline.highPrice,
        low_price=kline.lowPrice,
        close_price=kline.closePrice,
    )
