"""Tiger Brokers (TIGER): the open API's signed HTTP gateway and protobuf push socket, spoken directly on the
shared transport loop (see gateway.py for why not through the tigeropen SDK). Needs `protobuf` and
`cryptography` (`pip install vtcore[tiger]`)."""

from __future__ import annotations

from vtcore.gateways.tiger.gateway import TigerGateway, TigerOrderRequest

__all__ = ["TigerGateway", "TigerOrderRequest"]
