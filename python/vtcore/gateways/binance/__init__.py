"""Binance gateways: BINANCE_SPOT (alias BINANCE), BINANCE_LINEAR (USDⓈ-M), BINANCE_INVERSE (COIN-M).

`schemas.py` (wire Structs), `parse.py` (wire -> vtcore), `gateway.py` (the Binance base on the venue base),
`markets.py` (one class per market).
"""

from vtcore.gateways.binance.markets import (
    BinanceGateway,
    BinanceInverseGateway,
    BinanceLinearGateway,
    BinanceSpotGateway,
)

__all__ = ["BinanceGateway", "BinanceInverseGateway", "BinanceLinearGateway", "BinanceSpotGateway"]
