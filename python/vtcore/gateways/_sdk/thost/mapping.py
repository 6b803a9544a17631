"""Thost-family codes (CTP, CTP-Mini: the same codes) <-> vtcore enums, and their dates and times -> aware
datetimes.

Every code the SDK can report maps to something: a code or combination vtcore has no exact member for maps to
the documented nearest member, and the gateway logs it once (nothing is dropped, unlike vn.py).

Order status (OrderStatus, with OrderSubmitStatus deciding rejections):
    '0' AllTraded -> ALLTRADED            '1' PartTradedQueueing -> PARTTRADED
    '3' NoTradeQueueing -> NOTTRADED      '5' Canceled -> CANCELLED
    '2' PartTradedNotQueueing -> CANCELLED (nearest: the rest is no longer working)
    '4' NoTradeNotQueueing -> CANCELLED (nearest)
    'a' Unknown -> SUBMITTING             'b' NotTouched -> NOTTRADED (nearest: a waiting conditional order)
    'c' Touched -> NOTTRADED (nearest)
    any status with OrderSubmitStatus '4' InsertRejected -> REJECTED (a '5' CancelRejected is a failed
    cancel: the order keeps its status); an unknown code -> SUBMITTING (nearest, logged).

Order type (OrderPriceType, TimeCondition, VolumeCondition):
    ('2' LimitPrice, '3' GFD, any) -> LIMIT   ('2', '1' IOC, '3' CV) -> FOK   ('2', '1' IOC, else) -> FAK
    ('1' AnyPrice | '3' BestPrice | 'G' FiveLevelPrice, any, any) -> MARKET
    limit-like price types at other time conditions (GFS, GTD, GTC, GFA) -> LIMIT (nearest)
    other price types (LastPrice*, AskPrice1*, BidPrice1* variants) -> LIMIT (nearest)
Sending: LIMIT ('2','3','1'), MARKET ('1','3','1') as vn.py, FAK ('2','1','1'), FOK ('2','1','3');
STOP, RFQ and ETF cannot be sent (a Thost SDK has no such order).

Offset (CombOffsetFlag / OffsetFlag): '0' OPEN, '1' CLOSE, '3' CLOSETODAY, '4' CLOSEYESTERDAY;
'2' ForceClose, '5' ForceOff, '6' LocalForceClose -> CLOSE (nearest).

Direction: orders and trades '0' Buy -> LONG, '1' Sell -> SHORT; positions (PosiDirection, its own map)
'1' Net -> NET, '2' Long -> LONG, '3' Short -> SHORT.

Dates: the Thost SDKs give China Standard Time (UTC+8). At night (18:00-05:59) some exchanges (DCE) report the
trading day instead of the calendar date; a night date equal to the session's trading day is taken as a
trading day and the calendar date derived from it: `vtcore.time.china_datetime`, the same rule as the C++
tick conversion (cpp/include/vtcore/china_time.hpp).
"""

from __future__ import annotations

from vtcore.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status
from vtcore.gateways._sdk.thost import codes as ct
from vtcore.time import china_datetime, parse_day

__all__ = ["china_datetime", "parse_day"]  # re-exported: the gateway reads every Thost conversion from here

EXCHANGES: dict[str, Exchange] = {
    exchange.value: exchange
    for exchange in (Exchange.CFFEX, Exchange.SHFE, Exchange.CZCE, Exchange.DCE, Exchange.INE, Exchange.GFEX)
}

# -- orders -------------------------------------------------------------------------------------------------

_STATUS: dict[str, tuple[Status, bool]] = {  # code -> (status, exact)
    ct.THOST_FTDC_OST_AllTraded: (Status.ALLTRADED, True),
    ct.THOST_FTDC_OST_PartTradedQueueing: (Status.PARTTRADED, True),
    ct.THOST_FTDC_OST_PartTradedNotQueueing: (Status.CANCELLED, False),
    ct.THOST_FTDC_OST_NoTradeQueueing: (Status.NOTTRADED, True),
    ct.THOST_FTDC_OST_NoTradeNotQueueing: (Status.CANCELLED, False),
    ct.THOST_FTDC_OST_Canceled: (Status.CANCELLED, True),
    ct.THOST_FTDC_OST_Unknown: (Status.SUBMITTING, True),
    ct.THOST_FTDC_OST_NotTouched: (Status.NOTTRADED, False),
    ct.THOST_FTDC_OST_Touched: (Status.NOTTRADED, False),
}


def order_status(status: str, submit_status: str) -> tuple[Status, bool]:
    """(status, exact); exact is False when the nearest member was used."""
    if submit_status == ct.THOST_FTDC_OSS_InsertRejected:
        return Status.REJECTED, True
    return _STATUS.get(status, (Status.SUBMITTING, False))


_MARKET_PRICE_TYPES = {
    ct.THOST_FTDC_OPT_AnyPrice,
    ct.THOST_FTDC_OPT_BestPrice,
    ct.THOST_FTDC_OPT_FiveLevelPrice,
}


def order_type(price_type: str, time_condition: str, volume_condition: str) -> tuple[OrderType, bool]:
    """(type, exact) for a reported order."""
    if price_type in _MARKET_PRICE_TYPES:
        return OrderType.MARKET, price_type == ct.THOST_FTDC_OPT_AnyPrice
    exact = price_type == ct.THOST_FTDC_OPT_LimitPrice
    if time_condition == ct.THOST_FTDC_TC_IOC:
        if volume_condition == ct.THOST_FTDC_VC_CV:
            return OrderType.FOK, exact
        return OrderType.FAK, exact and volume_condition == ct.THOST_FTDC_VC_AV
    return OrderType.LIMIT, exact and time_condition == ct.THOST_FTDC_TC_GFD


ORDER_TYPE_TO_THOST: dict[OrderType, tuple[str, str, str]] = {
    OrderType.LIMIT: (ct.THOST_FTDC_OPT_LimitPrice, ct.THOST_FTDC_TC_GFD, ct.THOST_FTDC_VC_AV),
    OrderType.MARKET: (ct.THOST_FTDC_OPT_AnyPrice, ct.THOST_FTDC_TC_GFD, ct.THOST_FTDC_VC_AV),
    OrderType.FAK: (ct.THOST_FTDC_OPT_LimitPrice, ct.THOST_FTDC_TC_IOC, ct.THOST_FTDC_VC_AV),
    OrderType.FOK: (ct.THOST_FTDC_OPT_LimitPrice, ct.THOST_FTDC_TC_IOC, ct.THOST_FTDC_VC_CV),
}
#: Why an order type a Thost SDK cannot express is refused, where "cannot be sent" would not say enough.
ORDER_TYPE_REFUSAL: dict[OrderType, str] = {
    OrderType.POST_ONLY: "order type POST_ONLY cannot be sent: the Thost SDKs have no post-only orders",
}

DIRECTION_TO_THOST = {Direction.LONG: ct.THOST_FTDC_D_Buy, Direction.SHORT: ct.THOST_FTDC_D_Sell}
DIRECTION_FROM_THOST = {ct.THOST_FTDC_D_Buy: Direction.LONG, ct.THOST_FTDC_D_Sell: Direction.SHORT}
POSITION_DIRECTION_FROM_THOST = {
    ct.THOST_FTDC_PD_Net: Direction.NET,
    ct.THOST_FTDC_PD_Long: Direction.LONG,
    ct.THOST_FTDC_PD_Short: Direction.SHORT,
}

OFFSET_TO_THOST = {
    Offset.OPEN: ct.THOST_FTDC_OF_Open,
    Offset.CLOSE: ct.THOST_FTDC_OF_Close,
    Offset.CLOSETODAY: ct.THOST_FTDC_OF_CloseToday,
    Offset.CLOSEYESTERDAY: ct.THOST_FTDC_OF_CloseYesterday,
}
_OFFSET_FROM_THOST = {code: offset for offset, code in OFFSET_TO_THOST.items()}


def offset(code: str) -> tuple[Offset, bool]:
    """(offset, exact); force-close flavours map to CLOSE."""
    if code in _OFFSET_FROM_THOST:
        return _OFFSET_FROM_THOST[code], True
    return (Offset.CLOSE, False) if code else (Offset.NONE, False)


# -- contracts ----------------------------------------------------------------------------------------------

PRODUCT_FROM_THOST = {
    ct.THOST_FTDC_PC_Futures: Product.FUTURES,
    ct.THOST_FTDC_PC_Options: Product.OPTION,
    ct.THOST_FTDC_PC_SpotOption: Product.OPTION,
    ct.THOST_FTDC_PC_Combination: Product.SPREAD,
    ct.THOST_FTDC_PC_Spot: Product.SPOT,
}
OPTION_TYPE_FROM_THOST = {
    ct.THOST_FTDC_CP_CallOptions: OptionType.CALL,
    ct.THOST_FTDC_CP_PutOptions: OptionType.PUT,
}

# -- dates: the China night-session rule lives in vtcore.time (parse_day, china_datetime) ----------------
