"""The model every sdkgen emitter works from: what a vendor SDK's headers declare, independent of its dialect.

A header family (Thost, USTP, XTP, TORA, TAP) spells names differently and arranges its files differently; the
dialect (`sdkgen.dialects`) knows that. Once parsed, every family is this model (frozen dataclasses; dicts keep
header order):

`HeaderModel`
  `typedefs: dict[str, Typedef]`  `typedef char TThostFtdcBrokerIDType[11];` -> Typedef(name, base="char",
      length=11, comment); a scalar has length None; `base` is a key of `SCALARS`.
  `constants: dict[str, int]`     integer `#define`s and enum members (array lengths may name them).
  `defines: dict[str, Define]`    character `#define`s: value = the text between the quotes; `type_name` = the
      typedef of the header section it sits in (the dialect says how sections are marked), else None.
  `enums: dict[str, Enum]`        `enum X { A = 0, B }` -> Enum(name, ((A, 0), (B, 1))); 4 bytes in a struct.
  `structs: dict[str, Struct]`    Struct(name, fields, comment, pack, union, namespace); Field(name, type,
      length, comment): `type` names a typedef, a scalar, an enum or another struct (`XTPRI order_err_t;`);
      `length` is set for `Type Name[N];`. An anonymous `union { ... };` or `struct { ... };` inside a struct
      (XTP's side/position_effect overlay) is a Struct of its own named `<outer>::<anonymous N>` and a Field
      with the empty name; its members are the outer struct's members (as in C++).
  `aliases: dict[str, str]`       `typedef struct XTPRspInfoStruct {...} XTPRI;`, `typedef struct A B;`:
      name -> the struct it names (API methods use either spelling).
  `classes: dict[str, ApiClass]`  API and SPI classes: ApiClass(name, methods, namespace); `.virtuals`,
      `.method(name)`. `namespace` is the C++ namespace a declaration sits in ("TORASTOCKAPI", "XTP::API"; ""
      global); `namespaces` lists every one the headers opened (generated C++ imports them).
  `layout(struct) -> Layout(size, alignment, offsets)`: the x86-64 System V layout, `#pragma pack` honoured,
      unions and nested structs included (tests compare it with the compiler's sizeof/offsetof for every
      struct of every header set).
  `flat_fields(struct) -> [FlatField(name, designator, kind, offset, comment)]`: every scalar, array and text
      member at its offset, nested and anonymous members expanded (`designator` is the C++ member path,
      `order_err_t.error_id`; `name` its Python spelling, `order_err_t_error_id`): what crosses to Python.

`Method(name, return_type, params, is_static, is_virtual, is_pure, comment, vtable_index)`: vtable_index counts
the virtual methods in declaration order (None for statics): it is the slot, since the vendors' API classes
have protected non-virtual destructors and the SPI classes none. `Param(type, name, pointer, is_array, is_const,
default)`: `char *ppInstrumentID[]` -> Param("char", "ppInstrumentID", pointer=1, is_array=True).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: C scalar type -> (size in bytes, Python `struct` format character). x86-64 Linux (LP64).
SCALARS: dict[str, tuple[int, str]] = {
    "char": (1, "c"),
    "signed char": (1, "b"),
    "unsigned char": (1, "B"),
    "bool": (1, "?"),
    "short": (2, "h"),
    "unsigned short": (2, "H"),
    "int": (4, "i"),
    "unsigned int": (4, "I"),
    "long": (8, "q"),
    "unsigned long": (8, "Q"),
    "long long": (8, "q"),
    "unsigned long long": (8, "Q"),
    "long long int": (8, "q"),
    "unsigned long long int": (8, "Q"),
    "long int": (8, "q"),
    "unsigned long int": (8, "Q"),
    "float": (4, "f"),
    "double": (8, "d"),
    "int8_t": (1, "b"),
    "uint8_t": (1, "B"),
    "int16_t": (2, "h"),
    "uint16_t": (2, "H"),
    "int32_t": (4, "i"),
    "uint32_t": (4, "I"),
    "int64_t": (8, "q"),
    "uint64_t": (8, "Q"),
}
ENUM_SIZE = 4


class HeaderError(Exception):
    """The headers hold something the parser or an emitter does not understand (never guessed at)."""


@dataclass(frozen=True)
class Typedef:
    name: str
    base: str  # a key of SCALARS
    length: int | None = None  # N for `base name[N]`, None for a scalar
    comment: str = ""

    @property
    def is_string(self) -> bool:
        return self.base == "char" and self.length is not None


@dataclass(frozen=True)
class Define:
    name: str
    value: str
    type_name: str | None
    comment: str = ""


@dataclass(frozen=True)
class Enum:
    name: str
    members: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Field:
    name: str  # "" for an anonymous union or struct member
    type: str  # a typedef, scalar, enum or struct name
    length: int | None = None  # `Type Name[N];`
    comment: str = ""


@dataclass(frozen=True)
class Struct:
    name: str
    fields: tuple[Field, ...]
    comment: str = ""
    pack: int | None = None  # the `#pragma pack` in force, None for natural alignment
    union: bool = False  # every member at offset 0
    namespace: str = ""  # the C++ namespace it is declared in ("" = global)


@dataclass(frozen=True)
class Param:
    type: str  # base type text without const, pointer or array marks: "char", "CThostFtdcOrderField", "int"
    name: str
    pointer: int = 0
    is_array: bool = False
    is_const: bool = False
    default: str | None = None
    is_reference: bool = False

    @property
    def c_text(self) -> str:
        marks = "*" * self.pointer + ("&" if self.is_reference else "")
        text = ("const " if self.is_const else "") + self.type + " " + marks + self.name
        return text + ("[]" if self.is_array else "")


@dataclass(frozen=True)
class Method:
    name: str
    return_type: str
    params: tuple[Param, ...]
    is_static: bool = False
    is_virtual: bool = False
    is_pure: bool = False
    comment: str = ""
    vtable_index: int | None = None

    @property
    def signature(self) -> str:
        return f"{self.return_type} {self.name}({', '.join(p.c_text for p in self.params)})"


@dataclass(frozen=True)
class ApiClass:
    name: str
    methods: tuple[Method, ...]
    namespace: str = ""

    def method(self, name: str) -> Method:
        for method in self.methods:
            if method.name == name:
                return method
        raise KeyError(f"{self.name} has no method {name}")

    @property
    def virtuals(self) -> tuple[Method, ...]:
        return tuple(m for m in self.methods if m.is_virtual)


@dataclass(frozen=True)
class Layout:
    size: int
    alignment: int
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class FieldType:
    """A field's resolved type: its scalar base (or the struct it holds), the array length (from the typedef
    or the field), and its size and alignment."""

    base: str  # a key of SCALARS, or "" for a nested struct
    length: int | None
    struct: str | None = None  # the nested struct's name
    element_size: int = 0  # a nested struct's size
    element_alignment: int = 0  # a nested struct's alignment

    @property
    def is_text(self) -> bool:
        return self.base == "char" and self.length is not None

    @property
    def scalar_size(self) -> int:
        return SCALARS[self.base][0] if self.struct is None else self.element_size

    @property
    def alignment(self) -> int:
        return SCALARS[self.base][0] if self.struct is None else self.element_alignment

    @property
    def size(self) -> int:
        return self.scalar_size * (self.length or 1)


@dataclass(frozen=True)
class FlatField:
    """One scalar, array or text member of a struct as it crosses to Python (nested members expanded)."""

    name: str  # the Python attribute: nested names joined by "_", anonymous members as they are
    designator: str  # the C++ member path for offsetof/member access: "order_err_t.error_id", "side"
    kind: FieldType
    offset: int
    comment: str = ""


@dataclass
class HeaderModel:
    typedefs: dict[str, Typedef] = field(default_factory=dict)
    constants: dict[str, int] = field(default_factory=dict)
    defines: dict[str, Define] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    structs: dict[str, Struct] = field(default_factory=dict)
    classes: dict[str, ApiClass] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    namespaces: list[str] = field(default_factory=list)

    def struct_of(self, name: str) -> Struct | None:
        """The struct a type name (its own or an alias) denotes, else None."""
        return self.structs.get(self.aliases.get(name, name))

    def field_type(self, item: Field) -> FieldType:
        if item.type in self.typedefs:
            typedef = self.typedefs[item.type]
            if typedef.length is not None and item.length is not None:
                raise HeaderError(f"field {item.name}: arrays of array typedefs are not supported")
            return FieldType(typedef.base, typedef.length if typedef.length is not None else item.length)
        if item.type in SCALARS:
            return FieldType(item.type, item.length)
        if item.type in self.enums:
            return FieldType("int", item.length)
        nested = self.struct_of(item.type)
        if nested is not None:
            layout = self.layout(nested)
            return FieldType("", item.length, nested.name, layout.size, layout.alignment)
        raise HeaderError(f"field {item.name} has unknown type {item.type}")

    def layout(self, struct: Struct | str) -> Layout:
        """The C layout on x86-64: natural alignment, capped by the struct's `#pragma pack`; a union's members
        all start at 0."""
        struct = self.structs[struct] if isinstance(struct, str) else struct
        offset = 0
        end = 0
        alignment = 1
        offsets = []
        for item in struct.fields:
            kind = self.field_type(item)
            align = min(kind.alignment, struct.pack) if struct.pack else kind.alignment
            if struct.union:
                offsets.append(0)
                end = max(end, kind.size)
            else:
                offset = (offset + align - 1) // align * align
                offsets.append(offset)
                offset += kind.size
                end = offset
            alignment = max(alignment, align)
        size = (end + alignment - 1) // alignment * alignment
        return Layout(size=size, alignment=alignment, offsets=tuple(offsets))

    def flat_fields(self, struct: Struct | str) -> list[FlatField]:
        """Every scalar, array and text member at its offset (see the module docstring). An array of structs
        is spelled per element (`leg_detail_0_ticker`, `leg_detail[0].ticker`); a name two members would share
        is refused (HeaderError)."""
        struct = self.structs[struct] if isinstance(struct, str) else struct
        out: list[FlatField] = []
        for item, offset in zip(struct.fields, self.layout(struct).offsets, strict=True):
            kind = self.field_type(item)
            if kind.struct is None:
                out.append(FlatField(item.name, item.name, kind, offset, item.comment))
                continue
            inner_fields = self.flat_fields(kind.struct)
            if kind.length is not None and kind.length * len(inner_fields) > 1000:
                raise HeaderError(f"{struct.name}.{item.name}: an array of {kind.length} structs is too "
                                  f"large to spell member by member")
            for index in range(kind.length or 1):
                at = offset + index * kind.element_size
                path = f"{item.name}_{index}" if kind.length is not None else item.name
                member = f"{item.name}[{index}]" if kind.length is not None else item.name
                for inner in inner_fields:
                    if item.name:
                        name, designator = f"{path}_{inner.name}", f"{member}.{inner.designator}"
                    else:
                        name, designator = inner.name, inner.designator
                    out.append(FlatField(name, designator, inner.kind, at + inner.offset, inner.comment))
        names = [flat.name for flat in out]
        if len(set(names)) != len(names):
            twice = sorted({name for name in names if names.count(name) > 1})
            raise HeaderError(f"{struct.name}: members {twice} would share a Python name")
        return out
