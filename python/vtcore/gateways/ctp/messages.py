"""Decode the messages that vtcore._ctp's SPI pushes (format in tools/ctpgen/emit_binding.py).

A message is (kind, request_id, is_last, payload); kind names the callback, payload is a uint32 presence
flags word followed by the callback's struct(s) as the SDK delivered them. Text fields are GB18030 bytes
and are decoded here, in Python, with no dependence on the system locale.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from typing import Any

from vtcore.gateways.ctp import _ctp_types as types

_FLAGS = struct.Struct("<I")
_DATA_PRESENT = 1
_RSP_INFO_PRESENT = 2

Fields = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Callback:
    """One SPI callback: `name` is the SDK's (e.g. "OnRspUserLogin")."""

    name: str
    request_id: int  # nRequestID, or the int argument (nReason for OnFrontDisconnected)
    is_last: bool
    data: Fields | None  # the data struct's fields (None when the SDK passed a null pointer)
    error: Fields | None  # RspInfo's fields when the SDK passed one with ErrorID != 0

    @property
    def error_text(self) -> str:
        if not self.error:
            return ""
        return f"code {self.error['ErrorID']}: {self.error['ErrorMsg']}"


def text(raw: bytes) -> str:
    """A char[N] field: up to the first NUL, GB18030 (undecodable bytes shown as U+FFFD, never an error)."""
    end = raw.find(b"\0")
    return (raw if end < 0 else raw[:end]).decode("gb18030", "replace")


@cache
def _decoder(short_name: str) -> tuple[int, struct.Struct, tuple[tuple[str, str], ...]]:
    size, fmt, fields = types.STRUCTS[short_name]
    layout = struct.Struct(fmt)
    assert layout.size == size, short_name
    return size, layout, tuple((name, kind) for name, kind, _ in fields)


def decode_struct(short_name: str, raw: bytes | memoryview, offset: int = 0) -> Fields:
    _, layout, fields = _decoder(short_name)
    values = layout.unpack_from(raw, offset)
    result: Fields = {}
    for (name, kind), value in zip(fields, values, strict=True):
        if kind == "s":
            result[name] = text(value)
        elif kind == "c":
            result[name] = "" if value == b"\0" else value.decode("latin-1")
        else:
            result[name] = value
    return result


def encode_struct(short_name: str, fields: Fields) -> bytes:
    """The SDK's bytes for a struct (unnamed fields zero); text is encoded as GB18030. For tests and tools."""
    _, layout, _ = _decoder(short_name)
    described = types.STRUCTS[short_name][2]
    unknown = fields.keys() - {name for name, _, _ in described}
    if unknown:
        raise KeyError(f"{short_name} has no field(s) {sorted(unknown)}")
    values: list[Any] = []
    for name, kind, length in described:
        value = fields.get(name)
        if kind in "sc":
            raw = value.encode("gb18030") if isinstance(value, str) else bytes(value or b"")
            if (len(raw) >= length and kind == "s") or (len(raw) > 1 and kind == "c"):
                raise ValueError(f"{short_name}.{name}: {len(raw)} bytes do not fit")
            values.append(raw if kind == "s" else (raw or b"\0"))
        else:
            values.append(value or 0)
    return layout.pack(*values)


def struct_size(short_name: str) -> int:
    return _decoder(short_name)[0]


def decode(kind: int, request_id: int, is_last: bool, payload: bytes) -> Callback:
    """Decode one message; raises KeyError for an unknown kind and ValueError for a short payload."""
    name, data_struct, has_rsp_info = types.CALLBACKS[kind]
    if not payload:
        return Callback(name, request_id, is_last, None, None)
    (flags,) = _FLAGS.unpack_from(payload, 0)
    offset = _FLAGS.size
    expected = (
        offset
        + (struct_size(data_struct) if data_struct else 0)
        + (struct_size("RspInfo") if has_rsp_info else 0)
    )
    if len(payload) != expected:
        raise ValueError(f"{name}: payload of {len(payload)} bytes, expected {expected}")
    data = None
    if data_struct:
        if flags & _DATA_PRESENT:
            data = decode_struct(data_struct, payload, offset)
        offset += struct_size(data_struct)
    error = None
    if has_rsp_info and flags & _RSP_INFO_PRESENT:
        info = decode_struct("RspInfo", payload, offset)
        if info["ErrorID"] != 0:
            error = info
    return Callback(name, request_id, is_last, data, error)
