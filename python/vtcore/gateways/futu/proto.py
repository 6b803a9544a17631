"""FutuOpenD's wire: the 44-byte header, the proto ids the gateway uses, and Futu's own message classes.

A packet is a header and a body. The header, little-endian: `b"FT"`, proto id (u32), body format (u8: 0
protobuf, 1 JSON), proto version (u8, 0), serial number (u32), body length (u32), SHA1 of the (unencrypted)
body (20 bytes), 8 reserved bytes. Pushes use the same header with their own proto id.

The bodies are protobuf messages whose definitions are Futu's: the `futu-api` package ships them generated
(`futu/common/pb/*_pb2.py`, one module per proto id, imported by their bare names as futu-api itself does).
The gateway loads those modules from the installed package without importing the SDK itself (which starts
threads, writes log files under HOME and builds pandas DataFrames); `pip install "vtcore[futu]"` installs it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from vtcore.errors import SdkUnavailableError

__all__ = [
    "HEADER",
    "HEADER_SIZE",
    "FrameError",
    "Header",
    "ProtoId",
    "decode_header",
    "encode",
    "messages",
    "require",
]

HEADER = struct.Struct("<2sIBBII20s8s")
HEADER_SIZE = HEADER.size  # 44
MAGIC = b"FT"
PROTOBUF = 0
#: the largest body the gateway accepts (OpenD's biggest replies, full static-info lists, stay far below)
MAX_BODY = 64 * 1024 * 1024


class ProtoId:
    """The proto ids the gateway uses (futu-api's `constant.ProtoId` names)."""

    InitConnect = 1001
    GetGlobalState = 1002
    KeepAlive = 1004
    Trd_GetAccList = 2001
    Trd_UnlockTrade = 2005
    Trd_SubAccPush = 2008
    Trd_GetFunds = 2101
    Trd_GetPositionList = 2102
    Trd_GetOrderList = 2201
    Trd_PlaceOrder = 2202
    Trd_ModifyOrder = 2205
    Trd_UpdateOrder = 2208
    Trd_GetOrderFillList = 2211
    Trd_UpdateOrderFill = 2218
    Qot_Sub = 3001
    Qot_UpdateBasicQot = 3005
    Qot_UpdateOrderBook = 3013
    Qot_RequestHistoryKL = 3103
    Qot_GetStaticInfo = 3202


#: proto id -> the `_pb2` module holding its Request/Response (named as the proto)
MODULES: dict[int, str] = {
    value: name
    for name, value in vars(ProtoId).items()
    if not name.startswith("_") and isinstance(value, int)
}
#: the ids OpenD pushes (never replies to a request)
PUSHES = frozenset(
    {
        ProtoId.Trd_UpdateOrder,
        ProtoId.Trd_UpdateOrderFill,
        ProtoId.Qot_UpdateBasicQot,
        ProtoId.Qot_UpdateOrderBook,
    }
)


class FrameError(ValueError):
    """A header that is not Futu's (the stream cannot be followed any further)."""


class Header(NamedTuple):
    """A packet's header (a named tuple: one is built per packet)."""

    proto_id: int
    fmt: int
    serial: int
    body_len: int
    sha1: bytes


def encode(proto_id: int, serial: int, body: bytes) -> bytes:
    """One packet: header (with the body's SHA1) and body."""
    return (
        HEADER.pack(MAGIC, proto_id, PROTOBUF, 0, serial, len(body), hashlib.sha1(body).digest(), b"\0" * 8)
        + body
    )


def decode_header(data: bytes) -> Header:
    magic, proto_id, fmt, _version, serial, body_len, sha1, _reserved = HEADER.unpack(data)
    if magic != MAGIC:
        raise FrameError(f"not a FutuOpenD header (starts with {magic!r})")
    if body_len > MAX_BODY:
        raise FrameError(f"body length {body_len} is beyond any OpenD packet")
    return Header(proto_id, fmt, serial, body_len, sha1)


def body_intact(header: Header, body: bytes) -> bool:
    return hashlib.sha1(body).digest() == header.sha1


def _pb_directory() -> Path:
    spec = importlib.util.find_spec("futu")  # finds the package without running its __init__
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        directory = Path(location) / "common" / "pb"
        if (directory / "InitConnect_pb2.py").is_file():
            return directory
    raise SdkUnavailableError(
        'the FUTU gateway needs Futu\'s message definitions from futu-api: pip install "vtcore[futu]"'
    )


class _Messages:
    """Futu's generated modules by bare name (`messages.Trd_PlaceOrder`), imported on first use."""

    def __getattr__(self, name: str) -> Any:
        directory = str(_pb_directory())
        if directory not in sys.path:
            sys.path.append(directory)  # the generated modules import each other by bare name
        try:
            module: ModuleType = importlib.import_module(f"{name}_pb2")
        except ImportError as exc:
            raise SdkUnavailableError(f"futu-api has no {name}_pb2 ({exc})") from exc
        setattr(self, name, module)
        return module

    def response(self, proto_id: int) -> Any:
        """A new, empty Response message of `proto_id`."""
        return getattr(self, MODULES[proto_id]).Response()

    def request(self, proto_id: int) -> Any:
        return getattr(self, MODULES[proto_id]).Request()


messages = _Messages()


def require() -> None:
    """Raise SdkUnavailableError (saying how to install it) when futu-api's messages cannot be found."""
    _pb_directory()
