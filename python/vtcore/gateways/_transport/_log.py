"""Loggers for the transport and the venue gateways, masked by vtcore's secret filter."""

from __future__ import annotations

import logging

try:
    from vtcore.log import get_logger as _engine_get_logger
except ImportError:  # the engine's log module is not there (transport used on its own)
    _engine_get_logger = None


def get_logger(name: str) -> logging.Logger:
    if _engine_get_logger is not None:
        return _engine_get_logger(name)
    return logging.getLogger(name)
