"""OKX v5 gateways: OKEX (spot) and OKEXF (perpetual swaps and futures)."""

from vtcore.gateways.okx.markets import OkexfGateway, OkexGateway

__all__ = ["OkexGateway", "OkexfGateway"]
