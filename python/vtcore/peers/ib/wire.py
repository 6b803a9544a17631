"""The TWS socket API's wire format, as the server sees it (venues.md §11, IB's `comm.py`/`reader.py` rules).

After the `API\\0` greeting every message, in both directions, is a 4-byte big-endian length followed by that
many bytes of fields, each ASCII/UTF-8 text terminated by NUL. Numbers travel as text; an empty field means
"unset", and so do IB's sentinels `2147483647` (UNSET_INTEGER) and `1.7976931348623157E308` (UNSET_DOUBLE).
This module owns those rules for the fake TWS only; vtcore's gateway has its own codec (a peer built from the
gateway's parser would prove nothing).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

API_GREETING = b"API\0"
UNSET_INTEGER = 2**31 - 1
UNSET_DOUBLE_TEXT = "1.7976931348623157E308"
MAX_FRAME = 16 * 1024 * 1024  # the official client refuses longer messages (MAX_MSG_LEN)

_HEADER = struct.Struct(">I")
_UNSET_TEXTS = (UNSET_DOUBLE_TEXT.upper(), "1.7976931348623157E+308", str(UNSET_INTEGER))


class WireError(ValueError):
    """A message the fake TWS cannot read: the real TWS would drop such a client."""


def text_of(value: object) -> str:
    """One field's text as TWS writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if not math.isfinite(value) or value >= 1.7976931348623157e308:
            return UNSET_DOUBLE_TEXT
        return repr(value)
    return str(value)


def frame(fields: Iterable[object]) -> bytes:
    payload = b"".join(text_of(field).encode() + b"\0" for field in fields)
    return _HEADER.pack(len(payload)) + payload


def frame_text(text: str) -> bytes:
    """A frame whose payload is `text` without a NUL (the client's version range in the greeting)."""
    payload = text.encode()
    return _HEADER.pack(len(payload)) + payload


def split_fields(payload: bytes) -> list[str]:
    if not payload.endswith(b"\0"):
        raise WireError("a message must end with a NUL-terminated field")
    try:
        return payload[:-1].decode().split("\0")
    except UnicodeDecodeError as exc:
        raise WireError(f"a field is not UTF-8: {exc}") from None


def header_length(header: bytes) -> int:
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise WireError(f"message of {length} bytes is longer than {MAX_FRAME}")
    return int(length)


class Fields:
    """A cursor over one client message's fields (after the message id), read in protocol order."""

    def __init__(self, fields: list[str], start: int = 1) -> None:
        self._fields = fields
        self._next = start

    @property
    def remaining(self) -> int:
        return len(self._fields) - self._next

    def text(self) -> str:
        if self._next >= len(self._fields):
            raise WireError(f"message {self._fields[:1]} ends early (field {self._next})")
        value = self._fields[self._next]
        self._next += 1
        return value

    def integer(self, default: int = 0) -> int:
        value = self.text()
        if value in ("", str(UNSET_INTEGER)):
            return default
        try:
            return int(value)
        except ValueError:
            raise WireError(f"field {self._next - 1} is not an integer: {value!r}") from None

    def boolean(self) -> bool:
        return self.integer() != 0

    def decimal(self) -> Decimal | None:
        """A price or size; None when unset."""
        value = self.text()
        if value == "" or value.upper() in _UNSET_TEXTS:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise WireError(f"field {self._next - 1} is not a number: {value!r}") from None
        if number >= Decimal("1e300"):
            return None
        return number

    def skip(self, count: int = 1) -> None:
        for _ in range(count):
            self.text()
