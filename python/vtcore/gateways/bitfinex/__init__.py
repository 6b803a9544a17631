"""BITFINEX: Bitfinex spot trading (REST and WebSocket API v2)."""

from vtcore.gateways.bitfinex.gateway import BitfinexGateway

__all__ = ["BitfinexGateway"]
