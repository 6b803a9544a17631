"""XTP's codes <-> vtcore's (from xtp_api_data_type.h through the generated `_xtp_types`)."""

from __future__ import annotations

import datetime as dt

from vtcore.constant import Exchange, OrderType, Product, Status
from vtcore.gateways._sdk.ashare import Board, MarketKind, Side
from vtcore.gateways.xtp import _xtp_types as xt
from vtcore.time import CHINA_TZ

#: quotes name exchanges (XTP_EXCHANGE_TYPE), trading names markets (XTP_MARKET_TYPE)
EXCHANGE_TO_XTP: dict[Exchange, int] = {Exchange.SSE: xt.XTP_EXCHANGE_SH, Exchange.SZSE: xt.XTP_EXCHANGE_SZ}
EXCHANGE_FROM_XTP: dict[int, Exchange] = {code: exchange for exchange, code in EXCHANGE_TO_XTP.items()}
MARKET_TO_XTP: dict[Exchange, int] = {Exchange.SSE: xt.XTP_MKT_SH_A, Exchange.SZSE: xt.XTP_MKT_SZ_A}
MARKET_FROM_XTP: dict[int, Exchange] = {code: exchange for exchange, code in MARKET_TO_XTP.items()}

#: a market-order kind -> XTP_PRICE_TYPE (a limit order is XTP_PRICE_LIMIT)
PRICE_TYPE_TO_XTP: dict[MarketKind | None, int] = {
    None: xt.XTP_PRICE_LIMIT,
    MarketKind.BEST5_OR_CANCEL: xt.XTP_PRICE_BEST5_OR_CANCEL,
    MarketKind.BEST5_OR_LIMIT: xt.XTP_PRICE_BEST5_OR_LIMIT,
    MarketKind.BEST_OR_CANCEL: xt.XTP_PRICE_BEST_OR_CANCEL,
    MarketKind.ALL_OR_CANCEL: xt.XTP_PRICE_ALL_OR_CANCEL,
    MarketKind.FORWARD_BEST: xt.XTP_PRICE_FORWARD_BEST,
    MarketKind.REVERSE_BEST_LIMIT: xt.XTP_PRICE_REVERSE_BEST_LIMIT,
}
#: for reports of orders sent elsewhere (vtcore's own orders keep the type they were sent with)
ORDER_TYPE_FROM_XTP: dict[int, OrderType] = {
    xt.XTP_PRICE_LIMIT: OrderType.LIMIT,
    xt.XTP_PRICE_BEST5_OR_CANCEL: OrderType.MARKET,
    xt.XTP_PRICE_REVERSE_BEST_LIMIT: OrderType.MARKET,
    xt.XTP_PRICE_BEST_OR_CANCEL: OrderType.FAK,
    xt.XTP_PRICE_ALL_OR_CANCEL: OrderType.FOK,
}

#: a side -> XTP's side code (cash: BUY / SELL; margin accounts: the four margin businesses)
SIDE_TO_XTP: dict[Side, int] = {
    Side.BUY: xt.XTP_SIDE_BUY,
    Side.SELL: xt.XTP_SIDE_SELL,
    Side.MARGIN_BUY: xt.XTP_SIDE_MARGIN_TRADE,
    Side.SHORT_SELL: xt.XTP_SIDE_SHORT_SELL,
    Side.SELL_REPAY: xt.XTP_SIDE_REPAY_MARGIN,
    Side.BUY_RETURN: xt.XTP_SIDE_REPAY_STOCK,
}
SIDE_FROM_XTP: dict[int, Side] = {code: side for side, code in SIDE_TO_XTP.items()}

STATUS_FROM_XTP: dict[int, Status] = {
    xt.XTP_ORDER_STATUS_INIT: Status.SUBMITTING,
    xt.XTP_ORDER_STATUS_ALLTRADED: Status.ALLTRADED,
    xt.XTP_ORDER_STATUS_PARTTRADEDQUEUEING: Status.PARTTRADED,
    xt.XTP_ORDER_STATUS_PARTTRADEDNOTQUEUEING: Status.CANCELLED,  # partly traded, the rest cancelled
    xt.XTP_ORDER_STATUS_NOTRADEQUEUEING: Status.NOTTRADED,
    xt.XTP_ORDER_STATUS_CANCELED: Status.CANCELLED,
    xt.XTP_ORDER_STATUS_REJECTED: Status.REJECTED,
}

#: XTP_TICKER_TYPE -> (board when the type says more than the code, product); options and unknown types are
#: not A-share securities this gateway trades
TICKER_TYPES: dict[int, tuple[Board | None, Product]] = {
    xt.XTP_TICKER_TYPE_STOCK: (None, Product.EQUITY),
    xt.XTP_TICKER_TYPE_TECH_STOCK: (Board.STAR, Product.EQUITY),
    xt.XTP_TICKER_TYPE_INDEX: (Board.INDEX, Product.INDEX),
    xt.XTP_TICKER_TYPE_FUND: (Board.FUND, Product.FUND),
    xt.XTP_TICKER_TYPE_BOND: (Board.BOND, Product.BOND),
}

#: XTPCrdDebtInfo.debt_type (the header names the codes in a comment, not an enum): a margin buy's cash debt,
#: a short sale's securities debt
DEBT_CASH = 0
DEBT_SECURITIES = 1

PROTOCOLS: dict[str, int] = {"TCP": xt.XTP_PROTOCOL_TCP, "UDP": xt.XTP_PROTOCOL_UDP}
LOG_LEVELS: dict[str, int] = {
    "FATAL": xt.XTP_LOG_LEVEL_FATAL,
    "ERROR": xt.XTP_LOG_LEVEL_ERROR,
    "WARNING": xt.XTP_LOG_LEVEL_WARNING,
    "INFO": xt.XTP_LOG_LEVEL_INFO,
    "DEBUG": xt.XTP_LOG_LEVEL_DEBUG,
    "TRACE": xt.XTP_LOG_LEVEL_TRACE,
}


def xtp_datetime(value: int) -> dt.datetime | None:
    """YYYYMMDDHHMMSSmmm (China time) -> an aware datetime; None when malformed or 0.

    Read with integer arithmetic, not through text: every order and trade report carries one."""
    if not 10**16 <= value < 10**17:
        return None
    day, clock = divmod(value, 1_000_000_000)
    year, month_day = divmod(day, 10_000)
    month, mday = divmod(month_day, 100)
    hms, millisecond = divmod(clock, 1_000)
    hour, minute_second = divmod(hms, 10_000)
    minute, second = divmod(minute_second, 100)
    try:
        return dt.datetime(year, month, mday, hour, minute, second, millisecond * 1_000, tzinfo=CHINA_TZ)
    except ValueError:  # a month 13, a second 61, ...
        return None
