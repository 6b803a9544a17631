"""Typed SDK structs: the base of the classes tools/sdkgen generates for every request and message struct.

A struct object is a view over the SDK's own bytes, so a message costs nothing until a field is read and a
request is packed as it is built:

* a received message is `Order.view(payload, offset)`: no copy; each field is decoded when read (text up to
  its NUL, GB18030 unless plain ASCII), and a view over `bytes` is read-only;
* a request is `InputOrder(BrokerID="9999", LimitPrice=3500.0, ...)`: a zeroed buffer of the struct's size in
  which every assignment is checked and written at once; `bytes(struct)` or `struct.buffer` is what the
  binding sends (it checks the size and every terminator again).

A hot callback that reads several fields compiles a reader once: `read = Order.reader("FrontID", "SessionID",
"OrderRef")` returns them as a tuple from one unpack (each decoded as its property decodes it).

A value that cannot be stored is refused naming the field (`ValueError("InputOrder.InstrumentID is too long
(81 bytes; at most 80 fit)")` style): a string longer than its char[N] (the terminator must fit) or with a NUL
byte, a character field given more than one character, an integer out of its C type's range, a non-finite
float.
`repr()` shows the non-empty fields and masks secret ones (passwords, auth codes).
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable, Hashable
from typing import Any, ClassVar, TypeVar

_StructT = TypeVar("_StructT", bound="SdkStruct")
_NUL = b"\0"


class SdkStruct:
    """One vendor struct (generated subclasses: `C_NAME`, `SIZE`, `FIELDS`, one property per field)."""

    __slots__ = ("_at", "_raw")
    C_NAME: ClassVar[str] = ""
    SIZE: ClassVar[int] = 0
    FIELDS: ClassVar[tuple[str, ...]] = ()
    #: (field, kind, offset, count) per field: kind "s" text of `count` bytes, "c" one char, else a `struct`
    #: format character (count = array length, 1 for a scalar)
    LAYOUT: ClassVar[tuple[tuple[str, str, int, int], ...]] = ()
    SECRET: ClassVar[frozenset[str]] = frozenset()
    #: what the struct's C++ default constructor sets after zeroing (TAP's TapAPINewOrder): a new struct
    #: starts so
    DEFAULTS: ClassVar[dict[str, Any]] = {}
    ENCODING: ClassVar[str] = "gb18030"  # of non-ASCII text (XTP's structs: UTF-8)

    _raw: bytes | bytearray
    _at: int

    def __init__(self, **fields: Any) -> None:
        self._raw = bytearray(self.SIZE)
        self._at = 0
        for name, value in self.DEFAULTS.items():
            setattr(self, name, value)
        for name, value in fields.items():
            if name not in self.FIELDS:
                raise TypeError(f"{type(self).__name__} ({self.C_NAME}) has no field {name!r}")
            setattr(self, name, value)

    @classmethod
    def unchecked(cls: type[_StructT], **fields: Any) -> _StructT:
        """A struct as an SDK might send it, for tests and tools: numbers are stored as given (NaN,
        infinities,
        out-of-range values wrap as C would), text is still GB18030 and must fit its field."""
        self = cls()
        layout = {name: (kind, offset, count) for name, kind, offset, count in cls.LAYOUT}
        for name, value in fields.items():
            if name not in layout:
                raise TypeError(f"{cls.__name__} ({cls.C_NAME}) has no field {name!r}")
            kind, offset, count = layout[name]
            if kind in "sc":
                setattr(self, name, value)
            elif count == 1 and kind in "fd":
                struct.pack_into("<" + kind, self._raw, offset, value)
            elif count == 1:  # an integer, wrapped to its C width (little-endian two's complement)
                size = struct.calcsize(kind)
                self._raw[offset : offset + size] = (int(value) % (1 << (8 * size))).to_bytes(size, "little")  # type: ignore[index]
            else:
                setattr(self, name, value)
        return self

    @classmethod
    def view(cls: type[_StructT], raw: bytes | bytearray, at: int = 0) -> _StructT:
        """The struct at `raw[at:]`, without a copy (read-only over bytes)."""
        if len(raw) - at < cls.SIZE or at < 0:
            raise ValueError(f"{cls.__name__}: {len(raw) - at} bytes at offset {at}, need {cls.SIZE}")
        self = cls.__new__(cls)
        self._raw = raw
        self._at = at
        return self

    @property
    def buffer(self) -> bytes | bytearray | memoryview:
        """The struct's bytes as the binding takes them (no copy when the struct owns its buffer)."""
        if self._at == 0 and len(self._raw) == self.SIZE:
            return self._raw
        return memoryview(self._raw)[self._at : self._at + self.SIZE]

    def __bytes__(self) -> bytes:
        return bytes(self._raw[self._at : self._at + self.SIZE])

    def copy(self: _StructT) -> _StructT:
        """A writable copy (e.g. of a prefilled request template)."""
        clone = type(self).__new__(type(self))
        clone._raw = bytearray(self._raw[self._at : self._at + self.SIZE])
        clone._at = 0
        return clone

    @classmethod
    def reader(cls, *names: str) -> Callable[[SdkStruct], tuple[Any, ...]]:
        """`read(struct_or_view)`: the named scalar or text fields as a tuple, in the order named, from one
        `struct` unpack (text decoded as the properties decode it)."""
        layout = {name: (kind, offset, count) for name, kind, offset, count in cls.LAYOUT}
        for name in names:
            if name not in layout or (layout[name][0] not in "sc" and layout[name][2] != 1):
                raise TypeError(f"{cls.__name__} ({cls.C_NAME}) has no scalar or text field {name!r}")
        ordered = sorted(set(names), key=lambda name: layout[name][1])
        unpack_from = struct.Struct(_format([layout[name] for name in ordered])).unpack_from
        # Per call (a report callback's hot path): one unpack, then only the text and char fields converted
        # in place, then one C-level pick in the order named; no Python call per field.
        texts = [index for index, name in enumerate(ordered) if layout[name][0] == "s"]
        chars = [index for index, name in enumerate(ordered) if layout[name][0] == "c"]
        pick = operator.itemgetter(*[ordered.index(name) for name in names])
        single = len(names) == 1
        encoding = cls.ENCODING

        def read(view: SdkStruct) -> tuple[Any, ...]:
            values = list(unpack_from(view._raw, view._at))
            for index in texts:
                data = values[index]
                end = data.find(0)
                if end >= 0:
                    data = data[:end]
                values[index] = data.decode() if data.isascii() else data.decode(encoding, "replace")
            for index in chars:
                values[index] = _CHARS[values[index]]
            return (pick(values),) if single else pick(values)

        return read

    def as_dict(self) -> dict[str, Any]:
        """Every field by name (secrets included: for code, never for logs)."""
        return {name: getattr(self, name) for name in self.FIELDS}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, SdkStruct)
        return bytes(self) == bytes(other)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        shown = []
        for name in self.FIELDS:
            value = getattr(self, name)
            if value in ("", 0, 0.0) or value == ():
                continue
            shown.append(f"{name}={'***' if name in self.SECRET else repr(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"


class RequestShapes:
    """Prefilled request structs by key (what orders of one kind share: instrument, side, type ...): a send
    copies one and sets only the fields that differ per order (price, volume, reference), instead of
    checking and writing every field of a new struct. At most `limit` shapes are kept (all dropped when
    full: a gateway meets a few hundred kinds at most)."""

    __slots__ = ("_shapes", "limit")

    def __init__(self, limit: int = 1024) -> None:
        self._shapes: dict[Hashable, SdkStruct] = {}
        self.limit = limit

    def copy(self, key: Hashable, make: Callable[[], SdkStruct]) -> Any:
        """A writable copy of the shape for `key`, made by `make()` the first time (its ValueError, naming a
        field that does not fit, reaches the caller and nothing is kept)."""
        shape = self._shapes.get(key)
        if shape is None:
            shape = make()
            if len(self._shapes) >= self.limit:
                self._shapes.clear()
            self._shapes[key] = shape
        return shape.copy()

    def clear(self) -> None:
        self._shapes.clear()


# -- field descriptors (used by the generated classes) -------------------------------------------------------


def _text(raw: bytes | bytearray, at: int, length: int, encoding: str = "gb18030") -> str:
    end = raw.find(_NUL, at, at + length)
    data = raw[at : end if end >= 0 else at + length]
    return data.decode() if data.isascii() else data.decode(encoding, "replace")


def _format(fields: list[tuple[str, int, int]]) -> str:
    """The `struct` format of (kind, offset, count) fields sorted by offset, skipping the bytes between."""
    parts, at = ["<"], 0
    for kind, offset, count in fields:
        if offset > at:
            parts.append(f"{offset - at}x")
        if kind in "sc":
            parts.append(f"{count}s" if kind == "s" else "c")
            at = offset + (count if kind == "s" else 1)
        else:
            parts.append(kind)
            at = offset + struct.calcsize(kind)
    return "".join(parts)


#: a char field's byte as its property returns it ("" for NUL)
_CHARS: dict[bytes, str] = {bytes([code]): chr(code) if code else "" for code in range(256)}


def text_field(label: str, offset: int, length: int, encoding: str = "gb18030") -> property:
    """char[length]: a str (GB18030 on the wire unless the SDK says otherwise: XTP's is UTF-8); at most
    length - 1 bytes are stored."""

    def get(self: SdkStruct) -> str:
        return _text(self._raw, self._at + offset, length, encoding)

    def put(self: SdkStruct, value: str | bytes) -> None:
        if isinstance(value, str):
            data = value.encode() if value.isascii() else value.encode(encoding)
        elif isinstance(value, (bytes, bytearray)):
            data = bytes(value)
        else:
            raise TypeError(f"{label} takes str, not {type(value).__name__}")
        if len(data) >= length:
            # No "Label: n" here: the log's mask blanks whatever follows a secret field's name and a colon
            # (ReqUserLogin.Password: ******), and the byte count is what the user needs.
            raise ValueError(f"{label} is too long ({len(data)} bytes; at most {length - 1} fit)")
        if _NUL in data:
            raise ValueError(f"{label} contains a NUL byte")
        at = self._at + offset
        self._raw[at : at + length] = data + bytes(length - len(data))  # type: ignore[index]

    return property(get, put, doc=f"char[{length}]")


def char_field(label: str, offset: int) -> property:
    """A single char: a one-character str ("" for NUL)."""

    def get(self: SdkStruct) -> str:
        value = self._raw[self._at + offset]
        return chr(value) if value else ""

    def put(self: SdkStruct, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"{label}: expected a one-character str, not {type(value).__name__}")
        if len(value) > 1 or (value and ord(value) > 127):
            raise ValueError(f"{label}: {value!r} is not one ASCII character")
        self._raw[self._at + offset] = ord(value) if value else 0  # type: ignore[index]

    return property(get, put, doc="char")


_SIZES = {"b": 1, "h": 2, "i": 4, "q": 8}
_RANGES = {fmt: (-(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1) for fmt, size in _SIZES.items()}
_RANGES.update({fmt.upper(): (0, (1 << (8 * size)) - 1) for fmt, size in _SIZES.items()})


def number_field(label: str, offset: int, fmt: str) -> property:
    """An integer (struct format b h i q B H I Q or ? for bool) or a float (f d)."""
    codec = struct.Struct("<" + fmt)
    unpack: Callable[[bytes | bytearray, int], tuple[Any, ...]] = codec.unpack_from
    pack_into = codec.pack_into

    def get(self: SdkStruct) -> Any:
        return unpack(self._raw, self._at + offset)[0]

    if fmt in "fd":

        def put(self: SdkStruct, value: float) -> None:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError(f"{label}: expected float, not {type(value).__name__}")
            if not math.isfinite(value):
                raise ValueError(f"{label}: must be finite, not {value!r}")
            pack_into(self._raw, self._at + offset, value)

    else:
        low, high = _RANGES.get(fmt, (0, 1))

        def put(self: SdkStruct, value: float) -> None:
            if not isinstance(value, int) or (isinstance(value, bool) and fmt != "?"):
                raise TypeError(f"{label}: expected int, not {type(value).__name__}")
            if not low <= value <= high:
                raise ValueError(f"{label}: {value} is out of range [{low}, {high}]")
            pack_into(self._raw, self._at + offset, value)

    return property(get, put, doc=fmt)


def array_field(label: str, offset: int, fmt: str, count: int) -> property:
    """A fixed array of numbers, read as a tuple and written from a sequence of exactly `count` items."""
    codec = struct.Struct(f"<{count}{fmt}")

    def get(self: SdkStruct) -> tuple[Any, ...]:
        return codec.unpack_from(self._raw, self._at + offset)

    def put(self: SdkStruct, values: tuple[Any, ...] | list[Any]) -> None:
        if len(values) != count:
            raise ValueError(f"{label}: expected {count} values, not {len(values)}")
        try:
            codec.pack_into(self._raw, self._at + offset, *values)
        except struct.error as exc:
            raise ValueError(f"{label}: {exc}") from None

    return property(get, put, doc=f"{fmt}[{count}]")
