"""BITMEX: BitMEX's perpetual and dated contracts (REST + realtime WebSocket)."""

from vtcore.gateways.bitmex.gateway import BitmexGateway

__all__ = ["BitmexGateway"]
