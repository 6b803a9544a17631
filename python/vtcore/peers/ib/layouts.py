"""The messages the fake TWS sends, laid out for the server version it negotiated (venues.md §11; IB's
`decoder.py`/`orderdecoder.py` read them in exactly this order).

Each function returns the field list of one message (message id first). Version gates name the
`MIN_SERVER_VER_*` constant of IB's `server_versions.py` they follow. The fake renders server versions
157..178: the text protocol, below the protobuf era (201+) and the error-time field (194).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vtcore.peers.ib.contracts import ContractSpec
from vtcore.peers.ib.wire import UNSET_DOUBLE_TEXT

# MIN_SERVER_VER_* gates between the oldest and newest version this fake renders
MD_SIZE_MULTIPLIER = 110
FRACTIONAL_SIZE_SUPPORT = 163
SIZE_RULES = 164  # contractDetails loses its version field and gains minSize/sizeIncrement
ADVANCED_ORDER_REJECT = 166  # error gains advancedOrderRejectJson
MANUAL_ORDER_TIME = 169  # cancelOrder gains manualOrderCancelTime
PEGBEST_PEGMID_OFFSETS = 170
BOND_ISSUERID = 176  # reqContractDetails gains issuerId
FA_PROFILE_DESUPPORT = 177  # openOrder/placeOrder lose faProfile
PENDING_PRICE_REVISION = 178  # execDetails gains pendingPriceRevision
DURATION = 158
POST_TO_ATS = 160
AUTO_CANCEL_PARENT = 162

MIN_VERSION = 157
MAX_VERSION = 178

U = UNSET_DOUBLE_TEXT
UNSET_INT = ""  # an unset int field that IB decodes with SHOW_UNSET


@dataclass
class OrderView:
    """What openOrder/orderStatus/execDetails need to know about one order."""

    order_id: int
    client_id: int
    perm_id: int
    account: str
    spec: ContractSpec
    exchange: str
    action: str  # BUY / SELL
    quantity: Decimal
    order_type: str  # LMT, MKT, STP, STP LMT
    limit_price: Decimal | None
    aux_price: Decimal | None
    tif: str
    order_ref: str
    outside_rth: bool
    status: str = "PreSubmitted"
    filled: Decimal = Decimal(0)
    average_price: Decimal = Decimal(0)
    last_fill_price: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled


def contract_fields(spec: ContractSpec, exchange: str) -> list[Any]:
    """The 11 contract fields of openOrder/execDetails/position (no primaryExchange)."""
    return [
        spec.con_id,
        spec.symbol,
        spec.sec_type,
        spec.last_trade_date,
        spec.strike,
        spec.right,
        spec.multiplier,
        exchange,
        spec.currency,
        spec.local_symbol,
        spec.trading_class,
    ]


def error(version: int, req_id: int, code: int, text: str, advanced_json: str = "") -> list[Any]:
    fields: list[Any] = [4, 2, req_id, code, text]
    if version >= ADVANCED_ORDER_REJECT:
        fields.append(advanced_json)
    return fields


# fmt: off
# Field tables, one line per group of IB fields as the client reads them (ruff format would put one a line).
def contract_details(version: int, req_id: int, spec: ContractSpec, exchange: str) -> list[Any]:
    fields: list[Any] = [10]
    if version < SIZE_RULES:
        fields.append(8)
    fields += [
        req_id, spec.symbol, spec.sec_type, spec.last_trade_date, spec.strike, spec.right, exchange,
        spec.currency, spec.local_symbol, spec.market_name, spec.trading_class, spec.con_id, spec.min_tick,
    ]
    if MD_SIZE_MULTIPLIER <= version < SIZE_RULES:
        fields.append(1)
    fields += [
        spec.multiplier, spec.order_types, spec.valid_exchanges, 1, 0, spec.long_name, spec.primary_exchange,
        spec.last_trade_date[:6], spec.industry, spec.category, spec.subcategory, spec.time_zone,
        spec.trading_hours, spec.liquid_hours, "", "", 0,  # evRule, evMultiplier, no secIds
        1, "", "", spec.market_rule_ids, spec.last_trade_date, spec.stock_type,
    ]
    if FRACTIONAL_SIZE_SUPPORT <= version < SIZE_RULES:
        fields.append(spec.size_increment)
    if version >= SIZE_RULES:
        fields += [spec.min_size, spec.size_increment, spec.size_increment]
    return fields


def open_order(version: int, order: OrderView) -> list[Any]:
    spec = order.spec
    fields: list[Any] = [5, order.order_id, *contract_fields(spec, order.exchange)]
    fields += [
        order.action, order.quantity, order.order_type,
        order.limit_price if order.limit_price is not None else U,
        order.aux_price if order.aux_price is not None else U,
        order.tif, "", order.account, "", 0, order.order_ref, order.client_id, order.perm_id,
        order.outside_rth, False, 0, "", "",  # hidden, discretionaryAmt, goodAfterTime, sharesAllocation
        "", "", "",  # faGroup, faMethod, faPercentage
    ]
    if version < FA_PROFILE_DESUPPORT:
        fields.append("")
    fields += [
        "", "", "", U, "",  # modelCode, goodTillDate, rule80A, percentOffset, settlingFirm
        0, "", -1,  # shortSaleSlot, designatedLocation, exemptCode
        0, U, U, U, U, U,  # auctionStrategy, startingPrice, stockRefPrice, delta, stockRangeLower/Upper
        UNSET_INT, False, False, False, UNSET_INT, 0,  # displaySize, block, sweep, allOrNone, minQty, ocaType
        False, False, U,  # eTradeOnly, firmQuoteOnly, nbboPriceCap
        0, 0,  # parentId, triggerMethod
        U, 0, "", U,  # volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice
        False, 0, U, U,  # continuousUpdate, referencePriceType, trailStopPrice, trailingPercent
        U, UNSET_INT,  # basisPoints, basisPointsType
        "", 0, 0, 0,  # comboLegsDescrip, comboLegs, orderComboLegs, smartComboRoutingParams
        UNSET_INT, UNSET_INT, U,  # scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
        "",  # hedgeType
        False, "", "", False,  # optOutSmartRouting, clearingAccount, clearingIntent, notHeld
        False,  # no delta-neutral contract
        "",  # algoStrategy
        False, False, order.status,  # solicited, whatIf, orderState.status
        "", "", "", "", "", "", "", "", "",  # margin before/change/after
        U, U, U, "", "",  # commission, min, max, currency, warningText
        False, False,  # randomizeSize, randomizePrice
        0,  # conditions
        "", 0, U, U, 0, 0, 0, 0,  # adjusted order params
        "", "", "",  # softDollarTier name, value, displayName
        0, False, False, False, False,  # cashQty, no auto hedge price, OMS container, discr. up to, mgmt algo
    ]
    if version >= DURATION:
        fields.append(UNSET_INT)
    if version >= POST_TO_ATS:
        fields.append(UNSET_INT)
    if version >= AUTO_CANCEL_PARENT:
        fields.append(False)
    if version >= PEGBEST_PEGMID_OFFSETS:
        fields += [UNSET_INT, UNSET_INT, U, U, U]
    return fields


# fmt: on


def order_status(order: OrderView, why_held: str = "") -> list[Any]:
    return [
        3,
        order.order_id,
        order.status,
        order.filled,
        order.remaining,
        order.average_price,
        order.perm_id,
        0,
        order.last_fill_price,
        order.client_id,
        why_held,
        U,
    ]


def exec_details(  # noqa: PLR0917 - one argument per field the message carries
    version: int,
    req_id: int,
    order: OrderView,
    exec_id: str,
    time_text: str,
    shares: Decimal,
    price: Decimal,
    cum_qty: Decimal,
    average_price: Decimal,
    exchange: str,
) -> list[Any]:
    fields: list[Any] = [11, req_id, order.order_id, *contract_fields(order.spec, order.exchange)]
    fields += [
        exec_id,
        time_text,
        order.account,
        exchange,
        "BOT" if order.action == "BUY" else "SLD",
        shares,
        price,
        order.perm_id,
        order.client_id,
        0,
        cum_qty,
        average_price,
        order.order_ref,
        "",
        "",
        "",
        1,
    ]
    if version >= PENDING_PRICE_REVISION:
        fields.append(False)
    return fields


def commission_report(
    exec_id: str, commission: Decimal, currency: str, realized: Decimal | None
) -> list[Any]:
    return [59, 1, exec_id, commission, currency, realized if realized is not None else U, U, 0]


def portfolio(  # noqa: PLR0917 - one argument per field the message carries
    spec: ContractSpec,
    position: Decimal,
    market_price: Decimal,
    average_cost: Decimal,
    unrealized: Decimal,
    realized: Decimal,
    account: str,
) -> list[Any]:
    market_value = position * market_price * spec.size_multiplier
    # portfolio carries the primary exchange where the other messages carry the order's exchange
    return [
        7,
        8,
        *contract_fields(spec, spec.primary_exchange or spec.exchange),
        position,
        market_price,
        market_value,
        average_cost,
        unrealized,
        realized,
        account,
    ]


def position(account: str, spec: ContractSpec, quantity: Decimal, average_cost: Decimal) -> list[Any]:
    return [61, 3, account, *contract_fields(spec, spec.exchange), quantity, average_cost]


def historical_bar(  # noqa: PLR0917 - one argument per field of a bar
    date: str, o: Decimal, h: Decimal, low: Decimal, c: Decimal, volume: Decimal, wap: Decimal, count: int
) -> list[Any]:
    return [date, o, h, low, c, volume, wap, count]
