"""TORA's codes <-> vtcore's (from TORATstpUserApiDataType.h through the generated `_tora_types`)."""

from __future__ import annotations

import datetime as dt

from vtcore.constant import Exchange, OrderType, Product, Status
from vtcore.gateways._sdk.ashare import Board, MarketKind, Side
from vtcore.gateways.tora import _tora_types as tt
from vtcore.time import china_datetime

EXCHANGE_TO_TORA: dict[Exchange, str] = {
    Exchange.SSE: tt.TORA_TSTP_EXD_SSE,
    Exchange.SZSE: tt.TORA_TSTP_EXD_SZSE,
    Exchange.BSE: tt.TORA_TSTP_EXD_BSE,
}
EXCHANGE_FROM_TORA: dict[str, Exchange] = {code: exchange for exchange, code in EXCHANGE_TO_TORA.items()}

#: the cash and margin-trading businesses as TORA's Direction codes (a credit account's orders carry the four
#: margin directions: 融资买入, 融券卖出, 卖券还款, 买券还券)
SIDE_TO_TORA: dict[Side, str] = {
    Side.BUY: tt.TORA_TSTP_D_Buy,
    Side.SELL: tt.TORA_TSTP_D_Sell,
    Side.MARGIN_BUY: tt.TORA_TSTP_D_CreditBuy,
    Side.SHORT_SELL: tt.TORA_TSTP_D_CreditSell,
    Side.SELL_REPAY: tt.TORA_TSTP_D_SellRepay,
    Side.BUY_RETURN: tt.TORA_TSTP_D_BuyRepay,
}
SIDE_FROM_TORA: dict[str, Side] = {code: side for side, code in SIDE_TO_TORA.items()}

#: a market-order kind -> (OrderPriceType, TimeCondition, VolumeCondition); a limit order is (LimitPrice, GFD,
#: AV)
PRICE_TYPE_TO_TORA: dict[MarketKind | None, tuple[str, str, str]] = {
    None: (tt.TORA_TSTP_OPT_LimitPrice, tt.TORA_TSTP_TC_GFD, tt.TORA_TSTP_VC_AV),
    MarketKind.BEST5_OR_CANCEL: (tt.TORA_TSTP_OPT_FiveLevelPrice, tt.TORA_TSTP_TC_IOC, tt.TORA_TSTP_VC_AV),
    MarketKind.BEST5_OR_LIMIT: (tt.TORA_TSTP_OPT_FiveLevelPrice, tt.TORA_TSTP_TC_GFD, tt.TORA_TSTP_VC_AV),
    MarketKind.BEST_OR_CANCEL: (tt.TORA_TSTP_OPT_AnyPrice, tt.TORA_TSTP_TC_IOC, tt.TORA_TSTP_VC_AV),
    MarketKind.ALL_OR_CANCEL: (tt.TORA_TSTP_OPT_AnyPrice, tt.TORA_TSTP_TC_IOC, tt.TORA_TSTP_VC_CV),
    MarketKind.FORWARD_BEST: (tt.TORA_TSTP_OPT_HomeBestPrice, tt.TORA_TSTP_TC_GFD, tt.TORA_TSTP_VC_AV),
    MarketKind.REVERSE_BEST_LIMIT: (tt.TORA_TSTP_OPT_BestPrice, tt.TORA_TSTP_TC_GFD, tt.TORA_TSTP_VC_AV),
}
#: for reports of orders sent elsewhere (vtcore's own orders keep the type they were sent with)
ORDER_TYPE_FROM_TORA: dict[tuple[str, str, str], OrderType] = {
    PRICE_TYPE_TO_TORA[None]: OrderType.LIMIT,
    PRICE_TYPE_TO_TORA[MarketKind.BEST5_OR_CANCEL]: OrderType.MARKET,
    PRICE_TYPE_TO_TORA[MarketKind.REVERSE_BEST_LIMIT]: OrderType.MARKET,
    PRICE_TYPE_TO_TORA[MarketKind.BEST_OR_CANCEL]: OrderType.FAK,
    PRICE_TYPE_TO_TORA[MarketKind.ALL_OR_CANCEL]: OrderType.FOK,
}

STATUS_FROM_TORA: dict[str, Status] = {
    tt.TORA_TSTP_OST_Cached: Status.SUBMITTING,
    tt.TORA_TSTP_OST_Unknown: Status.SUBMITTING,
    tt.TORA_TSTP_OST_SendTradeEngine: Status.SUBMITTING,
    tt.TORA_TSTP_OST_Accepted: Status.NOTTRADED,
    tt.TORA_TSTP_OST_PartTraded: Status.PARTTRADED,
    tt.TORA_TSTP_OST_AllTraded: Status.ALLTRADED,
    tt.TORA_TSTP_OST_PartTradeCanceled: Status.CANCELLED,
    tt.TORA_TSTP_OST_AllCanceled: Status.CANCELLED,
    tt.TORA_TSTP_OST_Rejected: Status.REJECTED,
}

#: ProductID -> (board when the product says more than the code, product)
PRODUCTS: dict[str, tuple[Board | None, Product]] = {
    tt.TORA_TSTP_PID_SHStock: (None, Product.EQUITY),
    tt.TORA_TSTP_PID_SZStock: (None, Product.EQUITY),
    tt.TORA_TSTP_PID_BJStock: (Board.BSE, Product.EQUITY),
    tt.TORA_TSTP_PID_SHKC: (Board.STAR, Product.EQUITY),
    tt.TORA_TSTP_PID_SHFund: (Board.FUND, Product.FUND),
    tt.TORA_TSTP_PID_SZFund: (Board.FUND, Product.FUND),
    tt.TORA_TSTP_PID_SHBond: (Board.BOND, Product.BOND),
    tt.TORA_TSTP_PID_SZBond: (Board.BOND, Product.BOND),
    tt.TORA_TSTP_PID_BJBond: (Board.BOND, Product.BOND),
}

ACCOUNT_TYPES: dict[str, str] = {
    "user_id": tt.TORA_TSTP_LACT_UserID,
    "account_id": tt.TORA_TSTP_LACT_AccountID,
}


def tora_datetime(day: str, time: str) -> dt.datetime | None:
    """YYYYMMDD + HH:MM:SS (China time) -> an aware datetime; None when malformed or empty."""
    if len(day) != 8 or not day.isdigit() or len(time) < 8:
        return None
    try:
        return china_datetime(day, time[:8], None, 0)
    except ValueError:
        return None
