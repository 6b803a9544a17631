"""Futu (HK and US stocks) through a local FutuOpenD: `FutuGateway` (see `gateway.py` for why vtcore speaks
OpenD's protocol itself, with the message definitions futu-api ships)."""

from vtcore.gateways.futu.gateway import FutuGateway

__all__ = ["FutuGateway"]
