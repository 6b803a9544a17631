"""A Thost binding's messages as the Thost gateway reads them today: `Callback` with the fields as dicts.

`Messages(types)` decodes through the typed views (`vtcore.gateways._sdk.messages`, the generated
`_<sdk>_types` classes) into dicts of every field, which is what the gateway's handlers were written against;
`encode_struct` builds a struct's SDK bytes for tests and tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from vtcore.gateways._sdk.messages import Decoder
from vtcore.gateways._sdk.structs import SdkStruct

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


class Messages:
    """One SDK's messages and structs, from its generated `_<sdk>_types` module."""

    def __init__(self, types: ModuleType) -> None:
        self._decoder = Decoder(types)
        self._structs: dict[str, type[SdkStruct]] = {
            cls.__name__: cls
            for cls in vars(types).values()
            if isinstance(cls, type) and issubclass(cls, SdkStruct)
        }

    def decode(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> Callback:
        """Decode one message; raises KeyError for an unknown kind and ValueError for a short payload."""
        message = self._decoder.decode(kind, request_id, is_last, payload)
        data = message.data.as_dict() if message.data is not None else None
        error = message.error.as_dict() if message.error is not None else None
        return Callback(message.name, message.request_id, message.is_last, data, error)

    def encode_struct(self, short_name: str, fields: Fields) -> bytes:
        """The SDK's bytes for a struct (unnamed fields zero), text as GB18030. For tests and tools."""
        struct_class = self._structs[short_name]
        unknown = fields.keys() - set(struct_class.FIELDS)
        if unknown:
            raise KeyError(f"{short_name} has no field(s) {sorted(unknown)}")
        return bytes(struct_class.unchecked(**fields))

    def struct_size(self, short_name: str) -> int:
        return self._structs[short_name].SIZE
