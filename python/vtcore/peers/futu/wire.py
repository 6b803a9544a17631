"""The fake OpenD's side of Futu's wire, written from Futu's protocol description (venues.md §10), not from
the gateway: the 44-byte header with the body's SHA1, and Futu's own protobuf messages.

The message classes are the ones futu-api ships generated (`futu/common/pb/<Proto>_pb2.py`); they are
imported here by their bare names, as futu-api's own modules import each other, without importing the SDK
(so the peer needs futu-api installed, never a copy of its files).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

# b"FT", proto id u32, format u8, version u8, serial u32, body length u32, SHA1 20 bytes, reserved 8 bytes
HEADER = struct.Struct("<1s1sIBBII20s8s")
HEADER_SIZE = HEADER.size


class PacketError(ValueError):
    """A header that is not Futu's: the byte stream cannot be followed any further."""


@dataclass(frozen=True)
class Packet:
    proto_id: int
    serial: int
    fmt: int
    body: bytes
    sha1_ok: bool


def pack(proto_id: int, serial: int, body: bytes, *, sha1: bytes | None = None) -> bytes:
    """A packet; `sha1` overrides the digest (a fault: a body that fails its check)."""
    digest = hashlib.sha1(body).digest() if sha1 is None else sha1
    return HEADER.pack(b"F", b"T", proto_id, 0, 0, serial, len(body), digest, bytes(8)) + body


def unpack_header(raw: bytes) -> tuple[int, int, int, int, bytes]:
    """(proto id, format, serial, body length, sha1) of a header."""
    first, second, proto_id, fmt, _version, serial, length, sha1, _reserved = HEADER.unpack(raw)
    if first + second != b"FT":
        raise PacketError(f"bad header magic {first + second!r}")
    return proto_id, fmt, serial, length, sha1


def pb_directory() -> Path:
    spec = importlib.util.find_spec("futu")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        directory = Path(location) / "common" / "pb"
        if directory.is_dir():
            return directory
    raise ImportError('the fake OpenD needs futu-api\'s message definitions: pip install "vtcore[futu]"')


def load(name: str) -> ModuleType:
    """Futu's generated module `<name>_pb2`."""
    directory = str(pb_directory())
    if directory not in sys.path:
        sys.path.append(directory)
    return importlib.import_module(f"{name}_pb2")
