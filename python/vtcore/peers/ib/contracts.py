"""The instruments the fake TWS knows, with the attributes its contract details report.

ConIds of the stocks and the currency pair are IB's real ones (they are public and stable); the future's is
made up. A test may add its own with `FakeTws(contracts=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

US_HOURS = "20261207:0930-20261207:1600;20261208:0930-20261208:1600"
FX_HOURS = "20261206:1715-20261207:1700;20261207:1715-20261208:1700"


@dataclass(frozen=True)
class ContractSpec:
    con_id: int
    symbol: str
    sec_type: str  # STK, FUT, CASH, OPT, IND ...
    currency: str
    exchange: str  # where orders route by default (SMART for US stocks)
    primary_exchange: str = ""
    local_symbol: str = ""
    trading_class: str = ""
    multiplier: str = ""
    last_trade_date: str = ""
    strike: float = 0.0
    right: str = ""
    min_tick: Decimal = Decimal("0.01")
    long_name: str = ""
    valid_exchanges: str = ""
    order_types: str = "LMT,MKT,STP,STP LMT,TRAIL"
    market_name: str = ""
    industry: str = ""
    category: str = ""
    subcategory: str = ""
    stock_type: str = ""
    time_zone: str = "US/Eastern"
    trading_hours: str = US_HOURS
    liquid_hours: str = US_HOURS
    market_rule_ids: str = "26"
    min_size: Decimal = Decimal(1)
    size_increment: Decimal = Decimal(1)
    #: commission per unit of quantity and the minimum per execution, in `currency`
    commission_per_unit: Decimal = Decimal("0.005")
    min_commission: Decimal = Decimal("1.00")
    #: where the synthetic history starts
    reference_price: Decimal = Decimal(100)

    @property
    def exchanges(self) -> set[str]:
        return {self.exchange, self.primary_exchange, *filter(None, self.valid_exchanges.split(","))}

    @property
    def size_multiplier(self) -> Decimal:
        return Decimal(self.multiplier) if self.multiplier else Decimal(1)


def nasdaq_stock(
    con_id: int, symbol: str, long_name: str, category: str, reference_price: Decimal
) -> ContractSpec:
    """A common stock listed on NASDAQ and routed SMART, as IB's contract details describe one."""
    return ContractSpec(
        con_id=con_id,
        symbol=symbol,
        sec_type="STK",
        currency="USD",
        exchange="SMART",
        primary_exchange="NASDAQ",
        local_symbol=symbol,
        trading_class="NMS",
        long_name=long_name,
        valid_exchanges="SMART,AMEX,NYSE,CBOE,ISLAND,NASDAQ,ARCA,BATS,IEX",
        market_name="NMS",
        industry="Technology",
        category=category,
        subcategory=category,
        stock_type="COMMON",
        reference_price=reference_price,
    )


AAPL = nasdaq_stock(265598, "AAPL", "APPLE INC", "Computers", Decimal(190))
MSFT = nasdaq_stock(272093, "MSFT", "MICROSOFT CORP", "Software", Decimal(420))
EURUSD = ContractSpec(
    con_id=12087792,
    symbol="EUR",
    sec_type="CASH",
    currency="USD",
    exchange="IDEALPRO",
    local_symbol="EUR.USD",
    trading_class="EUR.USD",
    min_tick=Decimal("0.00005"),
    long_name="European Monetary Union Euro",
    valid_exchanges="IDEALPRO",
    order_types="LMT,MKT,STP,STP LMT",
    market_name="EUR.USD",
    time_zone="US/Eastern",
    trading_hours=FX_HOURS,
    liquid_hours=FX_HOURS,
    market_rule_ids="239",
    min_size=Decimal(1),
    size_increment=Decimal(1),
    commission_per_unit=Decimal("0.00002"),
    min_commission=Decimal("2.00"),
    reference_price=Decimal("1.08"),
)
ES = ContractSpec(
    con_id=649180695,
    symbol="ES",
    sec_type="FUT",
    currency="USD",
    exchange="CME",
    local_symbol="ESZ6",
    trading_class="ES",
    multiplier="50",
    last_trade_date="20261218",
    min_tick=Decimal("0.25"),
    long_name="E-mini S&P 500",
    valid_exchanges="CME,QBALGO",
    order_types="LMT,MKT,STP,STP LMT",
    market_name="ES",
    time_zone="US/Central",
    market_rule_ids="67",
    commission_per_unit=Decimal("0.85"),
    min_commission=Decimal("0.85"),
    reference_price=Decimal(6000),
)

DEFAULT_CONTRACTS: tuple[ContractSpec, ...] = (AAPL, MSFT, EURUSD, ES)
