"""RPC between vtcore processes: ZeroMQ (ROUTER/DEALER + PUB/SUB), msgspec schemas, CURVE, loopback by
default.

`RpcEngine` / `RpcServiceApp` (app "RpcService") serves a MainEngine; `vtcore.gateways.rpc.RpcGateway` is the
client side. `RpcServer` / `RpcClient` are the transport underneath.
"""

from vtcore.rpc.client import RpcClient
from vtcore.rpc.protocol import (
    InsecureAddressError,
    KeyFileError,
    NotConnectedError,
    RemoteError,
    RpcError,
    RpcTimeoutError,
)
from vtcore.rpc.server import RpcServer
from vtcore.rpc.service import APP_NAME, EVENT_RPC_SERVICE, RpcEngine, RpcServiceApp, RpcServiceStatus

__all__ = [
    "APP_NAME",
    "EVENT_RPC_SERVICE",
    "InsecureAddressError",
    "KeyFileError",
    "NotConnectedError",
    "RemoteError",
    "RpcClient",
    "RpcEngine",
    "RpcError",
    "RpcServer",
    "RpcServiceApp",
    "RpcServiceStatus",
    "RpcTimeoutError",
]
