"""ONETOKEN: trading through 1Token's documented protocol. The public 1Token service no longer exists."""

from vtcore.gateways.onetoken.gateway import SERVICE_CLOSED, OnetokenGateway

__all__ = ["SERVICE_CLOSED", "OnetokenGateway"]
