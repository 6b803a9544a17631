"""ALPACA: US equities through Alpaca's Trading API v2 and Market Data v2 (REST + WebSocket)."""

from vtcore.gateways.alpaca.gateway import AlpacaGateway, AlpacaOrderRequest

__all__ = ["AlpacaGateway", "AlpacaOrderRequest"]
