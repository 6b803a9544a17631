"""The RPC gateway: a remote vtcore MainEngine (served by `vtcore.rpc.RpcEngine`) as one local gateway."""

from vtcore.gateways.rpc.gateway import RpcGateway

__all__ = ["RpcGateway"]
