"""Binance gateways: BINANCE_SPOT (alias BINANCE), BINANCE_LINEAR (USDⓈ-M), BINANCE_INVERSE (COIN-M)."""

from vtcore.gateways.binance.futures import BinanceInverseGateway, BinanceLinearGateway
from vtcore.gateways.binance.spot import BinanceGateway, BinanceSpotGateway

__all__ = ["BinanceGateway", "BinanceInverseGateway", "BinanceLinearGateway", "BinanceSpotGateway"]
