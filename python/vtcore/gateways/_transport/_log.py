"""Loggers for the transport and the venue gateways, masked by vtcore's secret filter."""

from vtcore.log import get_logger

__all__ = ["get_logger"]
