"""TAP (Esunny 9.x) codes <-> vtcore enums, from the TAP headers (iTapTradeAPIDataType.h, TapAPICommDef.h).

Exchanges (ExchangeNo as Esunny spells it -> vtcore): CME, NYMEX, COMEX, CBOT, LME, SGX, APEX, TOCOM, KRX,
INE as themselves; HKEX -> HKFE (Hong Kong's futures exchange); ICUS (ICE US) and ICEU (ICE Europe) -> ICE;
EUREX -> EUREX; the China exchanges Esunny also routes (SHFE, DCE, CZCE, CFFEX, GFEX) as themselves. Sending
needs the ExchangeNo a contract came with (ICE is two of them), so the gateway keeps it per contract.

Symbols: CommodityNo + ContractNo1 ("CL" + "2601" -> "CL2601"); an option adds its call/put flag and strike
("ES2603C5000"); a spread adds "/" and its second contract ("CL2601/2602").

Order status (OrderState) -> vtcore:
    '0' submitted, '1' accepted, 'G' applied -> SUBMITTING
    '2' triggering, '3' exchange triggering (a stop waiting), '4' queued -> NOTTRADED
    '5' partly filled -> PARTTRADED     '6' filled -> ALLTRADED
    '9' cancelled, 'A' rest cancelled, 'C' deleted, 'E' deleted on expiry -> CANCELLED
    'B' failed -> REJECTED (with the API's text for its ErrorCode)
    'D' suspended, 'F' effective -> NOTTRADED (nearest: the order exists and does not trade yet)
    '7' cancelling, '8' amending -> no update (a state between two reports; the next one says how it ended)
Order types (OrderType, TimeInForce): ('2' limit, '0' GFD | '1' GTC | '2' GTD) -> LIMIT,
('2', '3' FAK) -> FAK, ('2', '4' FOK) -> FOK, ('1' market) -> MARKET, ('3' stop market) -> STOP,
('4' stop limit) -> STOP_LIMIT, other types (iceberg, ghost, options exercise, ...) -> LIMIT (nearest).
Sending: LIMIT, MARKET, FAK, FOK and STOP
(a stop-market order whose StopPrice is the request's price); STOP_LIMIT needs two prices an OrderRequest does
not carry, so it is refused before sending.
Sides: 'B' -> LONG, 'S' -> SHORT ('N' none -> NET). PositionEffect: OPEN 'O', CLOSE 'C', CLOSETODAY 'T', NONE
'N' (foreign futures are usually netted: the broker decides).
Times: TAP's texts ("yyyy-MM-dd hh:nn:ss[.xxx]") are China Standard Time (see vtcore.gateways.tap).
"""

from __future__ import annotations

import datetime as dt

from vtcore.constant import Direction, Exchange, Offset, OptionType, OrderType, Status
from vtcore.time import CHINA_TZ

EXCHANGES: dict[str, Exchange] = {
    "CME": Exchange.CME,
    "NYMEX": Exchange.NYMEX,
    "COMEX": Exchange.COMEX,
    "CBOT": Exchange.CBOT,
    "LME": Exchange.LME,
    "SGX": Exchange.SGX,
    "APEX": Exchange.APEX,
    "TOCOM": Exchange.TOCOM,
    "KRX": Exchange.KRX,
    "HKEX": Exchange.HKFE,
    "ICUS": Exchange.ICE,
    "ICEU": Exchange.ICE,
    "EUREX": Exchange.EUREX,
    "INE": Exchange.INE,
    "SHFE": Exchange.SHFE,
    "DCE": Exchange.DCE,
    "CZCE": Exchange.CZCE,
    "CFFEX": Exchange.CFFEX,
    "GFEX": Exchange.GFEX,
}

COMMODITY_FUTURES, COMMODITY_OPTION = "F", "O"
COMMODITY_SPREADS = {"S", "M"}  # month spread, commodity spread
CALL, PUT, NO_CALL_PUT = "C", "P", "N"
YES, NO = "Y", "N"

SIDE_BUY, SIDE_SELL, SIDE_NONE = "B", "S", "N"
DIRECTION_TO_TAP = {Direction.LONG: SIDE_BUY, Direction.SHORT: SIDE_SELL}
DIRECTION_FROM_TAP = {SIDE_BUY: Direction.LONG, SIDE_SELL: Direction.SHORT, SIDE_NONE: Direction.NET}

OFFSET_TO_TAP = {Offset.NONE: "N", Offset.OPEN: "O", Offset.CLOSE: "C", Offset.CLOSETODAY: "T"}
OFFSET_FROM_TAP = {code: offset for offset, code in OFFSET_TO_TAP.items()}

TYPE_MARKET, TYPE_LIMIT, TYPE_STOP_MARKET, TYPE_STOP_LIMIT = "1", "2", "3", "4"
TIF_GFD, TIF_GTC, TIF_GTD, TIF_FAK, TIF_FOK = "0", "1", "2", "3", "4"
#: vtcore type -> (OrderType, TimeInForce)
ORDER_TYPE_TO_TAP: dict[OrderType, tuple[str, str]] = {
    OrderType.LIMIT: (TYPE_LIMIT, TIF_GFD),
    OrderType.MARKET: (TYPE_MARKET, TIF_GFD),
    OrderType.FAK: (TYPE_LIMIT, TIF_FAK),
    OrderType.FOK: (TYPE_LIMIT, TIF_FOK),
    OrderType.STOP: (TYPE_STOP_MARKET, TIF_GFD),
}
ORDER_TYPE_REFUSAL: dict[OrderType, str] = {
    OrderType.STOP_LIMIT: "order type STOP_LIMIT cannot be sent: TAP's stop-limit order needs a stop price "
    "and a limit price, and an OrderRequest carries one price",
    OrderType.POST_ONLY: "order type POST_ONLY cannot be sent: TAP has no post-only orders",
}


def order_type(code: str, time_in_force: str) -> tuple[OrderType, bool]:
    """(type, exact) of a reported order."""
    if code == TYPE_MARKET:
        return OrderType.MARKET, True
    if code == TYPE_STOP_MARKET:
        return OrderType.STOP, True
    if code == TYPE_STOP_LIMIT:
        return OrderType.STOP_LIMIT, True
    if code == TYPE_LIMIT:
        if time_in_force == TIF_FAK:
            return OrderType.FAK, True
        if time_in_force == TIF_FOK:
            return OrderType.FOK, True
        return OrderType.LIMIT, time_in_force in (TIF_GFD, TIF_GTC, TIF_GTD)
    return OrderType.LIMIT, False


#: state -> (status, exact); None: a passing state that pushes nothing
_STATUS: dict[str, tuple[Status, bool] | None] = {
    "0": (Status.SUBMITTING, True),
    "1": (Status.SUBMITTING, True),
    "G": (Status.SUBMITTING, False),
    "2": (Status.NOTTRADED, True),
    "3": (Status.NOTTRADED, True),
    "4": (Status.NOTTRADED, True),
    "5": (Status.PARTTRADED, True),
    "6": (Status.ALLTRADED, True),
    "7": None,
    "8": None,
    "9": (Status.CANCELLED, True),
    "A": (Status.CANCELLED, True),
    "B": (Status.REJECTED, True),
    "C": (Status.CANCELLED, True),
    "D": (Status.NOTTRADED, False),
    "E": (Status.CANCELLED, True),
    "F": (Status.NOTTRADED, False),
}
STATE_FAILED = "B"


def order_status(state: str) -> tuple[Status, bool] | None:
    """(status, exact) of an order state; None for a passing state (cancelling, amending)."""
    return _STATUS.get(state, (Status.SUBMITTING, False))


OPTION_TYPE_FROM_TAP = {CALL: OptionType.CALL, PUT: OptionType.PUT}


def symbol(commodity: str, contract: str, strike: str = "", call_put: str = "", second: str = "") -> str:
    """vtcore's symbol of a TAP contract (see the module docstring)."""
    text = commodity + contract
    if call_put in OPTION_TYPE_FROM_TAP:
        text += call_put + strike
    if second:
        text += "/" + second
    return text


def tap_datetime(text: str) -> dt.datetime | None:
    """An aware China datetime from "yyyy-MM-dd hh:nn:ss[.xxx]"; None when empty or malformed."""
    try:
        value = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return value.replace(tzinfo=CHINA_TZ)


def tap_date(text: str) -> dt.datetime | None:
    """An aware China datetime (midnight) from "yyyy-MM-dd"; None when empty or malformed."""
    return tap_datetime(f"{text} 00:00:00") if text else None
