"""The client -> TWS messages vtcore sends, as field lists for the negotiated server version (157..178).

Field order follows IB's `EClient` for these versions (placeOrder's ~90 fields included: TWS reads every one
of them by position, so an order without algo, scale, hedge, combo or condition parts still sends their empty
markers).
"""

from __future__ import annotations

from dataclasses import dataclass

from vtcore.gateways.ib.wire import (
    ADVANCED_REJECT_VERSION,
    AUTO_CANCEL_PARENT_VERSION,
    BOND_ISSUERID_VERSION,
    DURATION_VERSION,
    FA_PROFILE_DESUPPORT_VERSION,
    MANUAL_ORDER_TIME_VERSION,
    POST_TO_ATS_VERSION,
    Out,
)


@dataclass(frozen=True)
class IbContract:
    """The contract fields every request carries (unset ones empty)."""

    con_id: int = 0
    symbol: str = ""
    sec_type: str = ""
    last_trade_date: str = ""
    strike: float | None = None
    right: str = ""
    multiplier: str = ""
    exchange: str = ""
    primary_exchange: str = ""
    currency: str = ""
    local_symbol: str = ""
    trading_class: str = ""

    def fields(self) -> list[object]:
        return [
            self.con_id or "",
            self.symbol,
            self.sec_type,
            self.last_trade_date,
            self.strike,
            self.right,
            self.multiplier,
            self.exchange,
            self.primary_exchange,
            self.currency,
            self.local_symbol,
            self.trading_class,
        ]


@dataclass(frozen=True)
class IbOrder:
    """What vtcore sets on an order; everything else goes as IB's defaults."""

    action: str  # BUY / SELL
    quantity: float
    order_type: str  # LMT, MKT, STP, STP LMT
    limit_price: float | None
    aux_price: float | None  # the stop price of STP / STP LMT
    tif: str  # DAY, GTC, IOC, FOK
    account: str
    order_ref: str = ""
    outside_rth: bool = False


def start_api(client_id: int) -> list[object]:
    return [Out.START_API, 2, client_id, ""]


def req_ids() -> list[object]:
    return [Out.REQ_IDS, 1, 1]


def req_current_time() -> list[object]:
    return [Out.REQ_CURRENT_TIME, 1]


def req_contract_details(version: int, req_id: int, contract: IbContract) -> list[object]:
    fields: list[object] = [Out.REQ_CONTRACT_DATA, 8, req_id, *contract.fields(), False, "", ""]
    if version >= BOND_ISSUERID_VERSION:
        fields.append("")
    return fields


def req_mkt_data(req_id: int, contract: IbContract) -> list[object]:
    return [Out.REQ_MKT_DATA, 11, req_id, *contract.fields(), False, "", False, False, ""]


def cancel_mkt_data(req_id: int) -> list[object]:
    return [Out.CANCEL_MKT_DATA, 2, req_id]


def req_mkt_depth(req_id: int, contract: IbContract, rows: int) -> list[object]:
    return [Out.REQ_MKT_DEPTH, 5, req_id, *contract.fields(), rows, False, ""]


def cancel_mkt_depth(req_id: int) -> list[object]:
    return [Out.CANCEL_MKT_DEPTH, 1, req_id, False]


# fmt: off
# placeOrder's field table: a line per group of IB fields, as TWS reads them (not one field a line)
def place_order(version: int, order_id: int, contract: IbContract, order: IbOrder) -> list[object]:
    fields: list[object] = [
        Out.PLACE_ORDER, order_id, *contract.fields(), "", "",  # secIdType, secId
        order.action, order.quantity, order.order_type, order.limit_price, order.aux_price, order.tif,
        "", order.account, "", 0, order.order_ref,  # ocaGroup, account, openClose, origin, orderRef
        True, 0, False, False, 0, 0, order.outside_rth, False,  # transmit .. hidden
        "", 0.0, "", "", "", "", "",  # sharesAllocation, discretionaryAmt, goodAfter/Till, FA params
    ]
    if version < FA_PROFILE_DESUPPORT_VERSION:
        fields.append("")  # faProfile
    fields += [
        "", 0, "", -1, 0, "", "", False, None, None,  # modelCode .. percentOffset
        False, False, None,  # eTradeOnly, firmQuoteOnly, nbboPriceCap
        0, None, None, None, None, None, False,  # auctionStrategy .. overridePercentageConstraints
        None, None, "", None,  # volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice
        False, None, None, None, None, None, None,  # continuousUpdate .. scalePriceIncrement
        "", "", "", "",  # scaleTable, activeStartTime, activeStopTime, hedgeType
        False, "", "", False, False,  # optOutSmartRouting, clearing account/intent, notHeld, no delta-neutral
        "", "", False, "", False, False, False,  # algo strategy/id, whatIf, misc, solicited, random*
        0,  # conditions
        "", None, None, None, None, None, 0, "",  # adjusted order params, extOperator
        "", "", None,  # softDollarTier name/value, cashQty
        "", "", "", "",  # MiFID II fields
        False, False, False, None,  # dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpTo, priceMgmt
    ]
    if version >= DURATION_VERSION:
        fields.append(None)
    if version >= POST_TO_ATS_VERSION:
        fields.append(None)
    if version >= AUTO_CANCEL_PARENT_VERSION:
        fields.append(False)
    if version >= ADVANCED_REJECT_VERSION:
        fields.append("")  # advancedErrorOverride
    if version >= MANUAL_ORDER_TIME_VERSION:
        fields.append("")  # manualOrderTime
    return fields
# fmt: on


def cancel_order(version: int, order_id: int) -> list[object]:
    fields: list[object] = [Out.CANCEL_ORDER, 1, order_id]
    if version >= MANUAL_ORDER_TIME_VERSION:
        fields.append("")
    return fields


def req_open_orders() -> list[object]:
    return [Out.REQ_OPEN_ORDERS, 1]


def req_account_updates(subscribe: bool, account: str) -> list[object]:
    return [Out.REQ_ACCOUNT_UPDATES, 2, subscribe, account]


def req_positions() -> list[object]:
    return [Out.REQ_POSITIONS, 1]


def req_executions(req_id: int, client_id: int) -> list[object]:
    return [Out.REQ_EXECUTIONS, 3, req_id, client_id, "", "", "", "", "", ""]


def req_historical_data(
    req_id: int, contract: IbContract, *, end: str, duration: str, bar_size: str, what: str
) -> list[object]:
    """Bars up to `end` ("yyyymmdd-hh:mm:ss", UTC), regular hours and outside, dates as epoch seconds."""
    return [
        Out.REQ_HISTORICAL_DATA,
        req_id,
        *contract.fields(),
        False,
        end,
        bar_size,
        duration,
        False,
        what,
        2,
        False,
        "",
    ]
