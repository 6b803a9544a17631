"""Interactive Brokers through TWS / IB Gateway's socket API (see `gateway.py` for why vtcore speaks it itself)."""

from vtcore.gateways.ib.gateway import IbGateway, IbOrderRequest

__all__ = ["IbGateway", "IbOrderRequest"]
