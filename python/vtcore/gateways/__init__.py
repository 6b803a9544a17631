"""Gateways by name, imported only when asked for (a gateway's SDK or extras load with it, not before).

`GATEWAYS` maps a gateway's default name to "module:Class". Each gateway package adds its line here.

`SIM_PEERS` maps a gateway's name to "module:function" for gateways that bring a local peer a user can run
against with no account or network (`vtcore run --sim --gateway NAME`, `vtcore trader --sim`): the function,
conventionally `start_peer()` in the gateway package's `sim` module, starts the peer and returns a `SimPeer`
(the setting to connect with, and how to stop the peer). Each gateway package with a peer adds its line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vtcore.errors import GatewayNotFoundError, SdkUnavailableError
from vtcore.gateway import BaseGateway

GATEWAYS: dict[str, str] = {
    "CTP": "vtcore.gateways.ctp:CtpGateway",
    "MINI": "vtcore.gateways.mini:MiniGateway",
    "XTP": "vtcore.gateways.xtp:XtpGateway",
    "TORA": "vtcore.gateways.tora:ToraGateway",
    "TORA_OPTION": "vtcore.gateways.tora:ToraOptionGateway",
    "BINANCE": "vtcore.gateways.binance:BinanceGateway",
    "BINANCE_SPOT": "vtcore.gateways.binance:BinanceSpotGateway",
    "BINANCE_LINEAR": "vtcore.gateways.binance:BinanceLinearGateway",
    "BINANCE_INVERSE": "vtcore.gateways.binance:BinanceInverseGateway",
    "OKEX": "vtcore.gateways.okx:OkexGateway",
    "OKEXF": "vtcore.gateways.okx:OkexfGateway",
    "HUOBI": "vtcore.gateways.htx:HuobiGateway",
    "HBDM": "vtcore.gateways.htx:HbdmGateway",
    "BITMEX": "vtcore.gateways.bitmex:BitmexGateway",
    "BITFINEX": "vtcore.gateways.bitfinex:BitfinexGateway",
    "ONETOKEN": "vtcore.gateways.onetoken:OnetokenGateway",
    "ALPACA": "vtcore.gateways.alpaca:AlpacaGateway",
    "RPC": "vtcore.gateways.rpc:RpcGateway",
    "IB": "vtcore.gateways.ib:IbGateway",
    "TIGER": "vtcore.gateways.tiger:TigerGateway",
    "FUTU": "vtcore.gateways.futu:FutuGateway",
    "FEMAS": "vtcore.gateways.femas:FemasGateway",
    "TAP": "vtcore.gateways.tap:TapGateway",
    "OES": "vtcore.gateways.oes:OesGateway",
}

#: what a user must know about a gateway before connecting it (shown by `vtcore info`)
GATEWAY_NOTES: dict[str, str] = {
    "ONETOKEN": "the public 1Token service no longer exists; the gateway speaks its documented protocol "
    "and is tested against a local venue only",
    "FEMAS": "bring your own library: no Linux FEMAS library exists in any registry artifact; set the "
    "setting library_dir or $VTCORE_FEMAS_LIB_DIR to the folder of libUSTPmduserapiAF.so and "
    "libUSTPtraderapiAF.so",
}


#: the gateway a bare `--sim` means
DEFAULT_SIM_GATEWAY = "CTP"
SIM_PEERS: dict[str, str] = {
    "CTP": "vtcore.gateways.ctp.sim:start_peer",
    "MINI": "vtcore.gateways.mini.sim:start_peer",
    "XTP": "vtcore.gateways.xtp.sim:start_peer",
    "TORA": "vtcore.gateways.tora.sim:start_peer",
    "TORA_OPTION": "vtcore.gateways.tora.sim:start_option_peer",
    "HUOBI": "vtcore.gateways.htx.sim:start_huobi_peer",
    "HBDM": "vtcore.gateways.htx.sim:start_hbdm_peer",
    "BITMEX": "vtcore.gateways.bitmex.sim:start_peer",
    "BITFINEX": "vtcore.gateways.bitfinex.sim:start_peer",
    "ONETOKEN": "vtcore.gateways.onetoken.sim:start_peer",
    "IB": "vtcore.gateways.ib.sim:start_peer",
    "TIGER": "vtcore.gateways.tiger.sim:start_peer",
    "ALPACA": "vtcore.gateways.alpaca.sim:start_peer",
    "FUTU": "vtcore.gateways.futu.sim:start_peer",
    "FEMAS": "vtcore.gateways.femas.sim:start_peer",
    "TAP": "vtcore.gateways.tap.sim:start_peer",
    "OES": "vtcore.gateways.oes.sim:start_peer",
}


@dataclass
class SimPeer:
    """A running local peer: connect the gateway named `gateway` with `setting`; `stop()` when done."""

    gateway: str
    setting: dict[str, Any]
    description: str = ""
    stop: Callable[[], None] = field(default=lambda: None, repr=False)


def start_sim_peer(name: str) -> SimPeer:
    """Start the local peer of the gateway registered as `name` (case-insensitive).

    Raises GatewayNotFoundError when the gateway brings no peer, SdkUnavailableError when this build lacks
    what the peer needs (the CTP simulator libraries, say)."""
    key = name if name in SIM_PEERS else name.upper()
    path = SIM_PEERS.get(key)
    if path is None:
        raise GatewayNotFoundError(
            f"gateway {name!r} has no local peer; gateways with one: {', '.join(SIM_PEERS)}"
        )
    start: Callable[[], SimPeer] = _load(path, key)
    return start()


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
    gateway_class = _load(path, name)
    if not (isinstance(gateway_class, type) and issubclass(gateway_class, BaseGateway)):
        raise GatewayNotFoundError(f"{path} is not a BaseGateway subclass")
    return gateway_class


def _load(path: str, name: str) -> Any:
    """The object a registry entry "module:attribute" names, with the registry's errors."""
    module_name, _, attribute = path.partition(":")
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
        return getattr(module, attribute)
    except AttributeError:
        raise GatewayNotFoundError(f"{module_name} has no {attribute} (registered for {name!r})") from None
