"""Gateways by name, imported only when asked for (a gateway's SDK or extras load with it, not before).

`GATEWAYS` maps a gateway's default name to "module:Class". Each gateway package adds its line here.
"""

from __future__ import annotations

import importlib

from vtcore.errors import GatewayNotFoundError, SdkUnavailableError
from vtcore.gateway import BaseGateway

GATEWAYS: dict[str, str] = {
    "CTP": "vtcore.gateways.ctp:CtpGateway",
    "MINI": "vtcore.gateways.mini:MiniGateway",
    "BINANCE": "vtcore.gateways.binance:BinanceGateway",
    "BINANCE_SPOT": "vtcore.gateways.binance:BinanceSpotGateway",
    "BINANCE_LINEAR": "vtcore.gateways.binance:BinanceLinearGateway",
    "BINANCE_INVERSE": "vtcore.gateways.binance:BinanceInverseGateway",
    "OKEX": "vtcore.gateways.okx:OkexGateway",
    "OKEXF": "vtcore.gateways.okx:OkexfGateway",
    "RPC": "vtcore.gateways.rpc:RpcGateway",
}


def gateway_names() -> list[str]:
    """Names of the known gateways (whether or not they can be imported here)."""
    return list(GATEWAYS)


def load_gateway_class(name: str) -> type[BaseGateway]:
    """The gateway class registered as `name` (case-insensitive).

    Raises GatewayNotFoundError for an unknown name, or for a known one whose module is not installed, and
    SdkUnavailableError when the module imports but its vendor SDK does not.
    """
    path = GATEWAYS.get(name) or GATEWAYS.get(name.upper())
    if path is None:
        raise GatewayNotFoundError(f"unknown gateway {name!r}; known: {', '.join(GATEWAYS)}")
    module_name, _, class_name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except SdkUnavailableError:
        raise
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise GatewayNotFoundError(
                f"gateway {name!r} is registered as {path} but {module_name} is not installed"
            ) from exc
        raise SdkUnavailableError(f"gateway {name!r} needs {exc.name!r}, which cannot be imported") from exc
    try:
        gateway_class = getattr(module, class_name)
    except AttributeError:
        raise GatewayNotFoundError(
            f"{module_name} has no class {class_name} (registered for {name!r})"
        ) from None
    if not (isinstance(gateway_class, type) and issubclass(gateway_class, BaseGateway)):
        raise GatewayNotFoundError(f"{path} is not a BaseGateway subclass")
    return gateway_class
