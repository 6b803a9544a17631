"""FEMAS (USTP) codes <-> vtcore enums, from the FEMAS headers (USTPFtdcUserApiDataType.h), not CTP's.

FEMAS is CTP-shaped but names its own codes, and some differ in meaning from CTP's:

Order status (OrderStatus; FEMAS has no OrderSubmitStatus: a refusal arrives as OnRspOrderInsert /
OnErrRtnOrderInsert with the reason):
    '0' AllTraded -> ALLTRADED              '1' PartTradedQueueing -> PARTTRADED
    '3' NoTradeQueueing -> NOTTRADED        '5' Canceled -> CANCELLED
    '6' AcceptedNoReply -> SUBMITTING (accepted by the front, no answer from the exchange yet; CTP has no '6')
    '2' PartTradedNotQueueing, '4' NoTradeNotQueueing -> CANCELLED (nearest: the rest no longer works)
    an unknown code -> SUBMITTING (nearest, logged).

Order type (OrderPriceType, TimeCondition, VolumeCondition):
    ('2' LimitPrice, '3' GFD, any) -> LIMIT    ('2', '1' IOC, '3' CV) -> FOK    ('2', '1' IOC, else) -> FAK
    ('1' AnyPrice | '3' BestPrice | '4' FiveLevelPrice, ...) -> MARKET (FEMAS's '4' is CTP's 'G')
    ('5' StopLosPrice | '6' StopProfitPrice, ...) -> STOP (nearest: a stop-loss or take-profit order)
    ('7' LimitStopLosPrice | '8' LimitStopProfitPrice, ...) -> STOP (nearest, a stop with a limit price)
    limit orders at other time conditions (GFS, GTD, GTC, GFA) -> LIMIT (nearest).
Sending: LIMIT, MARKET ('1' AnyPrice, GFD as vn.py), FAK, FOK. STOP is refused before sending: FEMAS's stop
variants need a trigger price vn.py's OrderRequest does not carry.

Offset (OffsetFlag, one char): '0' OPEN, '1' CLOSE, '3' CLOSETODAY, '4' CLOSEYESTERDAY, '2' ForceClose ->
CLOSE (nearest). vn.py's FEMAS gateway sends CLOSETODAY as '4' and CLOSEYESTERDAY as '3': the headers say '3'
is CloseToday (平今) and '4' CloseYesterday (平昨), which is what is sent here.

Direction: '0' Buy -> LONG, '1' Sell -> SHORT, for orders, trades and positions alike (FEMAS reports a
position's side as a Direction, not CTP's PosiDirection '2'/'3').

Products (FEMAS's instrument has no ProductClass): OptionsType '1'/'2' -> OPTION; ArbiType other than '0'
(Basic) or a second leg -> SPREAD; else FUTURES.

Dates: FEMAS reports China Standard Time like CTP; orders and trades carry ActionDay (the calendar date) and
a time, so the date rule of `vtcore.time.china_datetime` applies.
"""

from __future__ import annotations

from vtcore.constant import Direction, Exchange, Offset, OptionType, OrderType, Product, Status

# The codes, as USTPFtdcUserApiDataType.h defines them (tests/sdk/test_femas_codes.py holds each one to the
# generated _femas_types module).
D_BUY = "0"
D_SELL = "1"
OF_OPEN, OF_CLOSE, OF_FORCE_CLOSE, OF_CLOSE_TODAY, OF_CLOSE_YESTERDAY = "0", "1", "2", "3", "4"
OPT_ANY, OPT_LIMIT, OPT_BEST, OPT_FIVE_LEVEL = "1", "2", "3", "4"
OPT_STOP_LOSS, OPT_STOP_PROFIT, OPT_LIMIT_STOP_LOSS, OPT_LIMIT_STOP_PROFIT = "5", "6", "7", "8"
TC_IOC, TC_GFD = "1", "3"
VC_AV, VC_CV = "1", "3"
OS_ALL_TRADED, OS_PART_QUEUEING, OS_PART_NOT_QUEUEING = "0", "1", "2"
OS_NO_TRADE_QUEUEING, OS_NO_TRADE_NOT_QUEUEING, OS_CANCELED, OS_ACCEPTED_NO_REPLY = "3", "4", "5", "6"
CHF_SPECULATION = "1"
FCR_NOT_FORCE_CLOSE = "0"
AF_DELETE = "0"
OT_CALL, OT_PUT = "1", "2"
AT_BASIC = "0"
TERT_RESTART, TERT_QUICK = 0, 2

EXCHANGES: dict[str, Exchange] = {
    exchange.value: exchange
    for exchange in (Exchange.CFFEX, Exchange.SHFE, Exchange.CZCE, Exchange.DCE, Exchange.INE, Exchange.GFEX)
}

_STATUS: dict[str, tuple[Status, bool]] = {  # code -> (status, exact)
    OS_ALL_TRADED: (Status.ALLTRADED, True),
    OS_PART_QUEUEING: (Status.PARTTRADED, True),
    OS_PART_NOT_QUEUEING: (Status.CANCELLED, False),
    OS_NO_TRADE_QUEUEING: (Status.NOTTRADED, True),
    OS_NO_TRADE_NOT_QUEUEING: (Status.CANCELLED, False),
    OS_CANCELED: (Status.CANCELLED, True),
    OS_ACCEPTED_NO_REPLY: (Status.SUBMITTING, True),
}


def order_status(code: str) -> tuple[Status, bool]:
    """(status, exact); exact is False when the nearest member was used."""
    return _STATUS.get(code, (Status.SUBMITTING, False))


_MARKET = {OPT_ANY: True, OPT_BEST: False, OPT_FIVE_LEVEL: False}
_STOPS = {OPT_STOP_LOSS, OPT_STOP_PROFIT, OPT_LIMIT_STOP_LOSS, OPT_LIMIT_STOP_PROFIT}


def order_type(price_type: str, time_condition: str, volume_condition: str) -> tuple[OrderType, bool]:
    """(type, exact) of a reported order."""
    if price_type in _MARKET:
        return OrderType.MARKET, _MARKET[price_type]
    if price_type in _STOPS:
        return OrderType.STOP, False
    exact = price_type == OPT_LIMIT
    if time_condition == TC_IOC:
        if volume_condition == VC_CV:
            return OrderType.FOK, exact
        return OrderType.FAK, exact and volume_condition == VC_AV
    return OrderType.LIMIT, exact and time_condition == TC_GFD


ORDER_TYPE_TO_FEMAS: dict[OrderType, tuple[str, str, str]] = {
    OrderType.LIMIT: (OPT_LIMIT, TC_GFD, VC_AV),
    OrderType.MARKET: (OPT_ANY, TC_GFD, VC_AV),
    OrderType.FAK: (OPT_LIMIT, TC_IOC, VC_AV),
    OrderType.FOK: (OPT_LIMIT, TC_IOC, VC_CV),
}
ORDER_TYPE_REFUSAL: dict[OrderType, str] = {
    OrderType.STOP: "order type STOP cannot be sent: FEMAS's stop orders need a trigger price (StopPrice) "
    "that an OrderRequest does not carry",
    OrderType.POST_ONLY: "order type POST_ONLY cannot be sent: FEMAS has no post-only orders",
}

DIRECTION_TO_FEMAS = {Direction.LONG: D_BUY, Direction.SHORT: D_SELL}
DIRECTION_FROM_FEMAS = {D_BUY: Direction.LONG, D_SELL: Direction.SHORT}

OFFSET_TO_FEMAS = {
    Offset.OPEN: OF_OPEN,
    Offset.CLOSE: OF_CLOSE,
    Offset.CLOSETODAY: OF_CLOSE_TODAY,
    Offset.CLOSEYESTERDAY: OF_CLOSE_YESTERDAY,
}
_OFFSET_FROM_FEMAS = {code: offset for offset, code in OFFSET_TO_FEMAS.items()}


def offset(code: str) -> tuple[Offset, bool]:
    """(offset, exact); a forced close maps to CLOSE."""
    if code in _OFFSET_FROM_FEMAS:
        return _OFFSET_FROM_FEMAS[code], True
    return (Offset.CLOSE, False) if code else (Offset.NONE, False)


OPTION_TYPE_FROM_FEMAS = {OT_CALL: OptionType.CALL, OT_PUT: OptionType.PUT}


def product(options_type: str, arbi_type: str, second_leg: str) -> Product:
    if options_type in OPTION_TYPE_FROM_FEMAS:
        return Product.OPTION
    if (arbi_type and arbi_type != AT_BASIC) or second_leg:
        return Product.SPREAD
    return Product.FUTURES
