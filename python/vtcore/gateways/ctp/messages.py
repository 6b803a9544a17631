"""The CTP binding's messages as the CTP gateway reads them today: `Callback` with the fields as dicts.

The typed views (`vtcore.gateways._sdk.messages`, the generated `_ctp_types` classes) are decoded here into
dicts of every field, which is what the gateway's handlers were written against; `encode_struct` builds a
struct's SDK bytes for tests and tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vtcore.gateways._sdk.messages import Decoder
from vtcore.gateways._sdk.structs import SdkStruct
from vtcore.gateways.ctp import _ctp_types as types

Fields = dict[str, Any]
_DECODER = Decoder(types)
_STRUCTS: dict[str, type[SdkStruct]] = {
    cls.__name__: cls for cls in vars(types).values() if isinstance(cls, type) and issubclass(cls, SdkStruct)
}


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


def encode_struct(short_name: str, fields: Fields) -> bytes:
    """The SDK's bytes for a struct (unnamed fields zero); text is encoded as GB18030. For tests and tools."""
    struct_class = _STRUCTS[short_name]
    unknown = fields.keys() - set(struct_class.FIELDS)
    if unknown:
        raise KeyError(f"{short_name} has no field(s) {sorted(unknown)}")
    return bytes(struct_class.unchecked(**fields))


def struct_size(short_name: str) -> int:
    return _STRUCTS[short_name].SIZE


def decode(kind: int, request_id: int, is_last: bool, payload: bytes) -> Callback:
    """Decode one message; raises KeyError for an unknown kind and ValueError for a short payload."""
    message = _DECODER.decode(kind, request_id, is_last, payload)
    data = message.data.as_dict() if message.data is not None else None
    error = message.error.as_dict() if message.error is not None else None
    return Callback(message.name, message.request_id, message.is_last, data, error)
