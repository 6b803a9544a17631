"""HTX (formerly Huobi): HUOBI (spot) and HBDM (coin-margined futures and swaps, USDT-margined swaps)."""

from vtcore.gateways.htx.markets import HbdmGateway, HuobiGateway

__all__ = ["HbdmGateway", "HuobiGateway"]
