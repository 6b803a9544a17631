"""TWS messages -> vtcore's objects: pure functions over a message's fields, tested without a socket.

Layouts are those of server versions 157..178 (`wire.CLIENT_VERSIONS`); where they change inside that range
the function takes the negotiated version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vtcore.constant import Direction, Exchange, Interval, OptionType, Product, Status
from vtcore.errors import InvalidIdentifierError
from vtcore.gateways.ib.requests import IbContract
from vtcore.gateways.ib.wire import ADVANCED_REJECT_VERSION, SIZE_RULES_VERSION, to_float, to_int
from vtcore.object import BarData, ContractData

UTC = dt.timezone.utc

# IB's exchange names that are not vn.py's value of the same exchange
_IB_EXCHANGE_NAMES = {Exchange.EUREX: "EUREX"}
EXCHANGE_VT2IB: dict[Exchange, str] = {
    exchange: _IB_EXCHANGE_NAMES.get(exchange, exchange.value)
    for exchange in (
        Exchange.SMART,
        Exchange.NYSE,
        Exchange.NASDAQ,
        Exchange.ARCA,
        Exchange.EDGEA,
        Exchange.ISLAND,
        Exchange.BATS,
        Exchange.IEX,
        Exchange.AMEX,
        Exchange.TSE,
        Exchange.NYMEX,
        Exchange.COMEX,
        Exchange.GLOBEX,
        Exchange.IDEALPRO,
        Exchange.CME,
        Exchange.ICE,
        Exchange.SEHK,
        Exchange.HKFE,
        Exchange.SGX,
        Exchange.CBOT,
        Exchange.CBOE,
        Exchange.CFE,
        Exchange.DME,
        Exchange.EUREX,
        Exchange.APEX,
        Exchange.LME,
        Exchange.BMD,
        Exchange.TOCOM,
        Exchange.EUNX,
        Exchange.KRX,
        Exchange.OTC,
        Exchange.IBKRATS,
    )
}
EXCHANGE_IB2VT = {name: exchange for exchange, name in EXCHANGE_VT2IB.items()}

PRODUCT_IB2VT = {
    "STK": Product.EQUITY,
    "CASH": Product.FOREX,
    "CMDTY": Product.SPOT,
    "FUT": Product.FUTURES,
    "OPT": Product.OPTION,
    "FOP": Product.OPTION,
    "CONTFUT": Product.FUTURES,
    "IND": Product.INDEX,
    "CFD": Product.CFD,
    "BOND": Product.BOND,
    "FUND": Product.FUND,
    "WAR": Product.WARRANT,
}

# IB order status -> vtcore status (a Submitted order with fills is PARTTRADED: see order_status)
STATUS_IB2VT = {
    "ApiPending": Status.SUBMITTING,
    "PendingSubmit": Status.SUBMITTING,
    "PreSubmitted": Status.NOTTRADED,
    "Submitted": Status.NOTTRADED,
    "PendingCancel": Status.NOTTRADED,
    "ApiCancelled": Status.CANCELLED,
    "Cancelled": Status.CANCELLED,
    "Filled": Status.ALLTRADED,
    "Inactive": Status.REJECTED,
}

BAR_SIZES = {
    Interval.MINUTE: ("1 min", 60),
    Interval.HOUR: ("1 hour", 3600),
    Interval.DAILY: ("1 day", 86400),
    Interval.WEEKLY: ("1 week", 7 * 86400),
}


@dataclass(frozen=True)
class Description:
    """A symbol written as `SYMBOL-SECTYPE-CURRENCY-EXCHANGE[-LASTTRADEDATE]`, to be resolved to a ConId."""

    symbol: str
    sec_type: str
    currency: str
    exchange: str
    last_trade_date: str = ""

    def contract(self) -> IbContract:
        return IbContract(
            symbol=self.symbol,
            sec_type=self.sec_type,
            currency=self.currency,
            exchange=self.exchange,
            last_trade_date=self.last_trade_date,
        )


def parse_symbol(symbol: str) -> int | Description:
    """A vt_symbol's symbol part: a ConId (digits) or a description. Raises InvalidIdentifierError."""
    if symbol.isdigit():
        con_id = int(symbol)
        if con_id <= 0:
            raise InvalidIdentifierError(f"ConId must be positive: {symbol!r}")
        return con_id
    parts = symbol.split("-")
    if len(parts) not in (4, 5) or not all(parts) or any(" " in part for part in parts):
        raise InvalidIdentifierError(
            f"IB symbol {symbol!r} is neither a ConId nor SYMBOL-SECTYPE-CURRENCY-EXCHANGE[-LASTTRADEDATE]"
        )
    return Description(
        parts[0].upper(),
        parts[1].upper(),
        parts[2].upper(),
        parts[3].upper(),
        parts[4] if len(parts) == 5 else "",
    )


@dataclass(frozen=True)
class ContractInfo:
    con_id: int
    symbol: str
    sec_type: str
    exchange: str  # the exchange the details were asked for (SMART for routed stocks)
    primary_exchange: str
    currency: str
    local_symbol: str
    trading_class: str
    last_trade_date: str
    strike: float
    right: str
    multiplier: str
    min_tick: float
    long_name: str
    min_size: float
    size_increment: float
    time_zone: str

    def ib_contract(self) -> IbContract:
        return IbContract(con_id=self.con_id, exchange=self.exchange)


def contract_details(fields: list[str], version: int) -> tuple[int, ContractInfo]:
    """contractDetails (10) -> (reqId, the contract)."""
    at = 1 if version >= SIZE_RULES_VERSION else 2  # below 164 a version field follows the id
    req_id = int(fields[at])
    (
        symbol,
        sec_type,
        last_times,
        strike,
        right,
        exchange,
        currency,
        local_symbol,
        _market_name,
        trading_class,
        con_id,
        min_tick,
    ) = fields[at + 1 : at + 13]
    at += 13
    if version < SIZE_RULES_VERSION:
        at += 1  # mdSizeMultiplier
    multiplier = fields[at]
    long_name = fields[at + 5]
    primary_exchange = fields[at + 6]
    time_zone = fields[at + 11]
    sec_ids = to_int(fields[at + 16])
    at += (
        17 + 2 * sec_ids + 6
    )  # secIds, aggGroup, underSymbol, underSecType, marketRuleIds, realExpiry, stockType
    min_size = size_increment = 1.0
    if version >= SIZE_RULES_VERSION and len(fields) >= at + 2:
        min_size = to_float(fields[at]) or 1.0
        size_increment = to_float(fields[at + 1]) or min_size
    last_trade_date = last_times.replace("-", " ").split(" ")[0]
    info = ContractInfo(
        con_id=int(con_id),
        symbol=symbol,
        sec_type=sec_type,
        exchange=exchange,
        primary_exchange=primary_exchange,
        currency=currency,
        local_symbol=local_symbol,
        trading_class=trading_class,
        last_trade_date=last_trade_date,
        strike=to_float(strike),
        right=right,
        multiplier=multiplier,
        min_tick=to_float(min_tick),
        long_name=long_name,
        min_size=min_size,
        size_increment=size_increment,
        time_zone=time_zone,
    )
    return req_id, info


def vt_exchange(name: str) -> Exchange | None:
    return EXCHANGE_IB2VT.get(name)


def contract_data(info: ContractInfo, gateway_name: str, symbol: str | None = None) -> ContractData | None:
    """The ContractData of `info` under its ConId symbol (or `symbol`); None when vtcore has no Exchange for
    the contract's exchange."""
    exchange = vt_exchange(info.exchange)
    if exchange is None:
        return None
    product = PRODUCT_IB2VT.get(info.sec_type, Product.SPOT)
    contract = ContractData(
        gateway_name=gateway_name,
        symbol=symbol or str(info.con_id),
        exchange=exchange,
        name=info.long_name or info.local_symbol or info.symbol,
        product=product,
        size=float(info.multiplier) if info.multiplier else 1.0,
        pricetick=info.min_tick,
        min_volume=info.size_increment or 1.0,
        stop_supported=True,
        net_position=True,
        history_data=True,
    )
    if product == Product.OPTION:
        contract.option_strike = info.strike
        contract.option_type = OptionType.CALL if info.right in ("C", "CALL") else OptionType.PUT
        contract.option_underlying = info.symbol
        contract.option_portfolio = info.trading_class or info.symbol
        if info.last_trade_date:
            contract.option_expiry = dt.datetime.strptime(info.last_trade_date[:8], "%Y%m%d")
    return contract


@dataclass(frozen=True)
class OrderStatusUpdate:
    order_id: int
    status: str
    filled: float
    remaining: float
    average_price: float
    perm_id: int
    client_id: int
    why_held: str


def order_status(fields: list[str]) -> OrderStatusUpdate:
    """orderStatus (3): no version field at these server versions."""
    return OrderStatusUpdate(
        order_id=int(fields[1]),
        status=fields[2],
        filled=to_float(fields[3]),
        remaining=to_float(fields[4]),
        average_price=to_float(fields[5]),
        perm_id=to_int(fields[6]),
        client_id=to_int(fields[9]),
        why_held=fields[10] if len(fields) > 10 else "",
    )


def vt_status(status: str, filled: float) -> Status | None:
    mapped = STATUS_IB2VT.get(status)
    if mapped == Status.NOTTRADED and filled > 0:
        return Status.PARTTRADED
    return mapped


@dataclass(frozen=True)
class OpenOrder:
    """openOrder (5): its leading fields (the status comes with the orderStatus TWS sends after it)."""

    order_id: int
    con_id: int
    exchange: str
    action: str
    quantity: float
    order_type: str
    limit_price: float
    aux_price: float
    tif: str
    account: str
    order_ref: str
    client_id: int
    perm_id: int


def open_order(fields: list[str]) -> OpenOrder:
    return OpenOrder(
        order_id=int(fields[1]),
        con_id=to_int(fields[2]),
        exchange=fields[9],
        action=fields[13],
        quantity=to_float(fields[14]),
        order_type=fields[15],
        limit_price=to_float(fields[16]),
        aux_price=to_float(fields[17]),
        tif=fields[18],
        account=fields[20],
        order_ref=fields[23],
        client_id=to_int(fields[24]),
        perm_id=to_int(fields[25]),
    )


@dataclass(frozen=True)
class Execution:
    req_id: int
    order_id: int
    con_id: int
    exchange: str  # the contract's exchange (the order's route)
    exec_id: str
    time: dt.datetime
    account: str
    direction: Direction
    shares: float
    price: float
    perm_id: int
    client_id: int
    cum_qty: float


def execution(fields: list[str], default_zone: str = "US/Eastern") -> Execution:
    """execDetails (11): no version field at these server versions."""
    return Execution(
        req_id=int(fields[1]),
        order_id=int(fields[2]),
        con_id=to_int(fields[3]),
        exchange=fields[10],
        exec_id=fields[14],
        time=ib_time(fields[15], default_zone),
        account=fields[16],
        direction=Direction.LONG if fields[18] == "BOT" else Direction.SHORT,
        shares=to_float(fields[19]),
        price=to_float(fields[20]),
        perm_id=to_int(fields[21]),
        client_id=to_int(fields[22]),
        cum_qty=to_float(fields[24]),
    )


@dataclass(frozen=True)
class Commission:
    exec_id: str
    commission: float
    currency: str
    realized_pnl: float


def commission_report(fields: list[str]) -> Commission:
    return Commission(fields[2], to_float(fields[3]), fields[4], to_float(fields[5]))


@dataclass(frozen=True)
class ErrorMessage:
    req_id: int
    code: int
    text: str
    advanced: str


def error(fields: list[str], version: int) -> ErrorMessage:
    advanced = fields[5] if version >= ADVANCED_REJECT_VERSION and len(fields) > 5 else ""
    return ErrorMessage(int(fields[2]), int(fields[3]), fields[4], advanced)


@dataclass(frozen=True)
class Holding:
    account: str
    con_id: int
    exchange: str
    position: float
    average_cost: float
    market_price: float
    unrealized_pnl: float


def portfolio(fields: list[str]) -> Holding:
    """updatePortfolio (7, version 8)."""
    return Holding(
        account=fields[19],
        con_id=int(fields[2]),
        exchange=fields[9],
        position=to_float(fields[13]),
        average_cost=to_float(fields[16]),
        market_price=to_float(fields[14]),
        unrealized_pnl=to_float(fields[17]),
    )


def position(fields: list[str]) -> Holding:
    """position (61, version 3): no market price in it."""
    return Holding(
        account=fields[2],
        con_id=int(fields[3]),
        exchange=fields[10],
        position=to_float(fields[14]),
        average_cost=to_float(fields[15]),
        market_price=0.0,
        unrealized_pnl=0.0,
    )


def historical_bars(
    fields: list[str], symbol: str, exchange: Exchange, interval: Interval, gateway_name: str
) -> tuple[int, list[BarData]]:
    """historicalData (17) with dates as epoch seconds (formatDate 2) or yyyymmdd for daily bars."""
    req_id = int(fields[1])
    count = int(fields[4])
    bars = []
    at = 5
    for _ in range(count):
        date, o, h, low, c, volume = fields[at : at + 6]
        at += 8  # wap, barCount
        moment = (
            dt.datetime.fromtimestamp(int(date), UTC)
            if date.isdigit() and len(date) > 8
            else dt.datetime.strptime(date[:8], "%Y%m%d").replace(tzinfo=UTC)
        )
        bars.append(
            BarData(
                gateway_name=gateway_name,
                symbol=symbol,
                exchange=exchange,
                datetime=moment,
                interval=interval,
                volume=to_float(volume),
                open_price=to_float(o),
                high_price=to_float(h),
                low_price=to_float(low),
                close_price=to_float(c),
            )
        )
    return req_id, bars


def ib_time(text: str, default_zone: str = "US/Eastern") -> dt.datetime:
    """An execution time: `yyyymmdd hh:mm:ss[ zone]`, `yyyymmdd-hh:mm:ss` (UTC) or epoch seconds."""
    text = text.strip()
    if text.isdigit() and len(text) > 8:
        try:
            return dt.datetime.fromtimestamp(int(text), UTC)
        except (OverflowError, OSError) as exc:  # seconds past what a datetime holds
            raise ValueError(f"execution time {text} is out of range") from exc
    if len(text) >= 17 and text[8] == "-":
        return dt.datetime.strptime(text[:17], "%Y%m%d-%H:%M:%S").replace(tzinfo=UTC)
    parts = text.split()
    zone_name = parts[2] if len(parts) >= 3 else default_zone
    try:
        zone: dt.tzinfo = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return dt.datetime.strptime(f"{parts[0]} {parts[1]}", "%Y%m%d %H:%M:%S").replace(tzinfo=zone)
