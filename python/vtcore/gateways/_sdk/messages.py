"""A binding's messages as typed views (the format is tools/sdkgen/emit_binding.py's).

A message is (kind, request_id, is_last, payload): kind names the callback (the generated `CALLBACKS` table of
the SDK's `_<sdk>_types` module), the payload is a uint32 presence-flags word followed by the callback's data
struct and error struct as the SDK delivered them. Nothing is decoded here: `Message.data` and `Message.error`
are views whose fields decode when read (text as GB18030, never through the system locale).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from types import ModuleType
from typing import NamedTuple

from vtcore.gateways._sdk.structs import SdkStruct

_FLAGS = struct.Struct("<I")
_DATA_PRESENT = 1
_ERROR_PRESENT = 2


class Message(NamedTuple):
    """One SPI callback: `name` is the SDK's (e.g. "OnRspUserLogin"). A tuple: built per message, so cheap."""

    name: str
    request_id: int  # nRequestID, or the callback's int argument (nReason for OnFrontDisconnected)
    is_last: bool
    data: SdkStruct | None  # a view of the data struct (None when the SDK passed a null pointer)
    error: SdkStruct | None  # a view of the error struct when the SDK passed one with a non-zero error id
    error_fields: tuple[str, str] = ("ErrorID", "ErrorMsg")  # the error struct's id and text (XTP: error_id)
    #: the SDK's words per error code, for an error struct without a text field (TAP's int error codes)
    texts: Mapping[int, str] | None = None

    @property
    def error_text(self) -> str:
        if self.error is None:
            return ""
        code_field, text_field = self.error_fields
        code = getattr(self.error, code_field)
        if text_field in self.error.FIELDS:
            return f"code {code}: {getattr(self.error, text_field)}"
        return f"code {code}: {(self.texts or {}).get(code, 'no text for this code')}"


#: builds a Message from one tuple at C level (the class's own __new__ is a Python function)
_message = tuple.__new__


class Decoder:
    """Decodes the messages of one SDK, from its generated `_<sdk>_types` module."""

    def __init__(self, types: ModuleType) -> None:
        self.callbacks: dict[int, tuple[str, type[SdkStruct] | None, bool]] = types.CALLBACKS
        self.error_struct: type[SdkStruct] = types.ERROR_STRUCT
        self.error_fields: tuple[str, str] = getattr(types, "ERROR_FIELDS", ("ErrorID", "ErrorMsg"))
        self.error_texts: Mapping[int, str] | None = getattr(types, "ERROR_TEXTS", None)
        # the error struct's code straight from the payload: a view is made only for a real error
        layout = {name: (kind, offset) for name, kind, offset, _count in self.error_struct.LAYOUT}
        code_kind, code_offset = layout[self.error_fields[0]]
        self._error_code = struct.Struct("<" + code_kind).unpack_from
        self._error_code_offset = code_offset

    def decode(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> Message:
        """Raises KeyError for an unknown kind and ValueError for a payload of the wrong size."""
        name, data_struct, has_error = self.callbacks[kind]
        if not payload:
            empty = (name, request_id, is_last, None, None, self.error_fields, self.error_texts)
            return _message(Message, empty)
        (flags,) = _FLAGS.unpack_from(payload, 0)
        offset = _FLAGS.size
        data_size = data_struct.SIZE if data_struct else 0
        expected = offset + data_size + (self.error_struct.SIZE if has_error else 0)
        if len(payload) != expected:
            raise ValueError(f"{name}: payload of {len(payload)} bytes, expected {expected}")
        data = None
        if data_struct is not None:
            if flags & _DATA_PRESENT:
                data = data_struct.view(payload, offset)
            offset += data_struct.SIZE
        error = None
        if has_error and flags & _ERROR_PRESENT:
            (code,) = self._error_code(payload, offset + self._error_code_offset)
            if code != 0:
                error = self.error_struct.view(payload, offset)
        fields = (name, request_id, is_last, data, error, self.error_fields, self.error_texts)
        return _message(Message, fields)
