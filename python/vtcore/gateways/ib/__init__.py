"""Interactive Brokers through TWS / IB Gateway's socket API (`gateway.py` says why vtcore speaks it)."""

from vtcore.gateways.ib.gateway import IbGateway, IbOrderRequest

__all__ = ["IbGateway", "IbOrderRequest"]
