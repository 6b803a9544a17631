"""Parse the four CTP headers into a plain model that every emitter (the binding's and the simulator's) uses.

Usage::

    from ctpgen.parse import parse_sdk
    model = parse_sdk(Path("build/.../ctp-sdk/6.7.11/include"))
    model.structs["CThostFtdcOrderField"].fields[0]   # Field(name='BrokerID', type='TThostFtdcBrokerIDType')
    model.classes["CThostFtdcTraderSpi"].methods      # callbacks in vtable order
    model.classes["CThostFtdcTraderApi"].methods      # statics and virtuals in declaration order

The headers are read as bytes and decoded as UTF-8 (with or without a BOM), else GB18030; CR LF becomes LF.
Only what the CTP family's headers use is understood (they are regular, machine-written C++): this is a
line and declaration parser, not a C++ front end, and it raises `HeaderError` on anything it does not
recognise inside a struct or class body rather than guessing.

The model (frozen dataclasses; dicts keep header order):

`HeaderModel`
  `typedefs: dict[str, Typedef]`
      `typedef char TThostFtdcBrokerIDType[11];` -> Typedef(name, base="char", length=11, comment);
      scalars have length None; base is one of char, short, int, double.
  `defines: dict[str, Define]`
      `#define THOST_FTDC_OST_AllTraded '0'` -> Define(name, value="0",
      type_name="TThostFtdcOrderStatusType", comment="全部成交"). value is the text between the quotes
      (one char, except 6.7.13's multi-char literals such as '102001'); type_name is the data type of the
      header section the define sits in (the defines come before their typedef in the header).
  `enums: dict[str, Enum]`
      `enum THOST_TE_RESUME_TYPE {...}` -> Enum(name, members=((name, int value), ...)).
  `structs: dict[str, Struct]`
      Struct(name, fields, comment), Field(name, type, comment); type is a typedef name
      (`model.field_type(field)` resolves it). `Struct.short_name`: CThostFtdcOrderField -> "Order".
  `classes: dict[str, ApiClass]`
      CThostFtdcMdSpi, CThostFtdcMdApi, CThostFtdcTraderSpi, CThostFtdcTraderApi ->
      ApiClass(name, methods); `.virtuals`, `.method(name)`.
  `layout(struct) -> Layout(size, alignment, offsets)`: the x86-64 C layout (tests compare it with
      the compiler's sizeof/offsetof for every struct).

`Method(name, return_type, params, is_static, is_virtual, is_pure, comment, vtable_index)`
  return_type is C text ("void", "int", "const char *", "CThostFtdcMdApi *"); vtable_index counts the
  virtual methods in declaration order (None for statics): it is the slot, since the Api classes'
  destructors are protected and non-virtual. `.kind` is "callback" (On*), "request" (Req*) or "call";
  `.struct_params` are the CThostFtdc*Field pointer parameters; `.signature` is the C declaration.
`Param(type, name, pointer, is_array, is_const, default)`
  `char *ppInstrumentID[]` -> Param("char", "ppInstrumentID", pointer=1, is_array=True);
  `bool bIsProductionMode=true` -> Param("bool", "bIsProductionMode", default="true").
  `.is_struct`, `.c_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HEADER_FILES = (
    "ThostFtdcUserApiDataType.h",
    "ThostFtdcUserApiStruct.h",
    "ThostFtdcMdApi.h",
    "ThostFtdcTraderApi.h",
)

SCALAR_SIZES = {"char": 1, "short": 2, "int": 4, "double": 8}


class HeaderError(Exception):
    """The header holds something this parser does not understand."""


@dataclass(frozen=True)
class Typedef:
    name: str
    base: str  # char, short, int or double
    length: int | None  # N for char[N], None for a scalar
    comment: str = ""

    @property
    def is_string(self) -> bool:
        return self.base == "char" and self.length is not None

    @property
    def size(self) -> int:
        return SCALAR_SIZES[self.base] * (self.length or 1)

    @property
    def alignment(self) -> int:
        return SCALAR_SIZES[self.base]


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
    name: str
    type: str
    comment: str = ""


@dataclass(frozen=True)
class Struct:
    name: str
    fields: tuple[Field, ...]
    comment: str = ""

    @property
    def short_name(self) -> str:
        """`CThostFtdcOrderField` -> `Order`."""
        return _short_struct_name(self.name)


@dataclass(frozen=True)
class Param:
    type: str  # base type text without const, pointer or array marks: "char", "CThostFtdcOrderField", "int"
    name: str
    pointer: int = 0
    is_array: bool = False
    is_const: bool = False
    default: str | None = None

    @property
    def is_struct(self) -> bool:
        return self.type.startswith("CThostFtdc") and self.type.endswith("Field") and self.pointer == 1

    @property
    def c_text(self) -> str:
        text = ("const " if self.is_const else "") + self.type + " " + "*" * self.pointer + self.name
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
    def kind(self) -> str:
        if self.name.startswith("On"):
            return "callback"
        if self.name.startswith("Req"):
            return "request"
        return "call"

    @property
    def struct_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.is_struct)

    @property
    def signature(self) -> str:
        return f"{self.return_type} {self.name}({', '.join(p.c_text for p in self.params)})"


@dataclass(frozen=True)
class ApiClass:
    name: str
    methods: tuple[Method, ...]

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


@dataclass
class HeaderModel:
    typedefs: dict[str, Typedef] = field(default_factory=dict)
    defines: dict[str, Define] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    structs: dict[str, Struct] = field(default_factory=dict)
    classes: dict[str, ApiClass] = field(default_factory=dict)

    def field_type(self, item: Field) -> Typedef:
        try:
            return self.typedefs[item.type]
        except KeyError:
            raise HeaderError(f"field {item.name} has unknown type {item.type}") from None

    def layout(self, struct: Struct | str) -> Layout:
        """The C layout on x86-64 (natural alignment, no packing pragmas in these headers)."""
        struct = self.structs[struct] if isinstance(struct, str) else struct
        offset = 0
        alignment = 1
        offsets = []
        for item in struct.fields:
            kind = self.field_type(item)
            offset = (offset + kind.alignment - 1) // kind.alignment * kind.alignment
            offsets.append(offset)
            offset += kind.size
            alignment = max(alignment, kind.alignment)
        size = (offset + alignment - 1) // alignment * alignment
        return Layout(size=size, alignment=alignment, offsets=tuple(offsets))


# -- reading --------------------------------------------------------------------------------

def read_header(path: Path) -> str:
    """Header text: UTF-8 (a BOM is dropped), else GB18030; line ends normalised to LF."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _short_struct_name(name: str) -> str:
    match = re.fullmatch(r"CThostFtdc(\w+)Field", name)
    return match.group(1) if match else name


_COMMENT = re.compile(r"^\s*///(.*)$")
_TYPEDEF = re.compile(r"^\s*typedef\s+(char|short|int|double)\s+(\w+)\s*(?:\[\s*(\d+)\s*\])?\s*;")
_DEFINE_CHAR = re.compile(r"^\s*#define\s+(\w+)\s+'([^']*)'\s*$")
_STRUCT_OPEN = re.compile(r"^\s*struct\s+(\w+)\s*(\{)?\s*$")
_FIELD = re.compile(r"^\s*(\w+)\s+(\w+)\s*;\s*(?://.*)?$")
_CLASS_OPEN = re.compile(r"^\s*class\s+(?:\w+_EXPORT\s+)?(\w+)\s*(\{)?\s*$")
_ENUM_OPEN = re.compile(r"^\s*enum\s+(\w+)\s*(\{)?\s*$")
_METHOD = re.compile(
    r"^\s*(?P<spec>(?:virtual|static)\s+)(?P<ret>[\w\s\*]+?)\s*(?P<name>\b\w+)\s*\((?P<params>[^)]*)\)"
    r"\s*(?P<pure>=\s*0)?\s*(?:\{\s*\})?\s*;?\s*(?://.*)?$"
)
_DESTRUCTOR = re.compile(r"^\s*(?:virtual\s+)?~\w+\s*\(\s*\)\s*(?:\{\s*\})?\s*;?\s*$")


def _comment_text(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines if line.strip() and not set(line.strip()) <= {"/"}).strip()


def parse_data_types(text: str, model: HeaderModel) -> None:
    comments: list[str] = []
    current_type: str | None = None
    section_comment = ""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if match := _COMMENT.match(line):
            comments.append(match.group(1))
            # Each section opens with "///TFtdcXxxType是一个…类型"; its defines come before its typedef.
            if section := re.match(r"\s*TFtdc([A-Za-z0-9_]+)Type", match.group(1)):
                current_type = f"TThostFtdc{section.group(1)}Type"
                section_comment = match.group(1).split("是一个", 1)[-1].strip()
            continue
        if match := _TYPEDEF.match(line):
            base, name, length = match.groups()
            model.typedefs[name] = Typedef(name, base, int(length) if length else None, section_comment)
        elif match := _DEFINE_CHAR.match(line):
            name, value = match.groups()
            model.defines[name] = Define(name, value, current_type, _comment_text(comments[-1:]))
        elif match := _ENUM_OPEN.match(line):
            body, index = _collect_body(lines, index, opened=bool(match.group(2)))
            model.enums[match.group(1)] = _parse_enum(match.group(1), body)
        comments = []


def _collect_body(lines: list[str], index: int, *, opened: bool) -> tuple[list[str], int]:
    """Lines between `{` and the matching `};`; `index` points after the declaration line."""
    body: list[str] = []
    if not opened:
        while index < len(lines) and lines[index].strip() != "{":
            if lines[index].strip():
                raise HeaderError(f"expected '{{' but found {lines[index].strip()!r}")
            index += 1
        index += 1
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip().startswith("};") or line.strip() == "}":
            return body, index
        body.append(line)
    raise HeaderError("unterminated body")


def _parse_enum(name: str, body: list[str]) -> Enum:
    members: list[tuple[str, int]] = []
    next_value = 0
    for raw in body:
        line = raw.split("//", 1)[0].strip().rstrip(",")
        if not line:
            continue
        member, _, value = line.partition("=")
        if value.strip():
            next_value = int(value.strip(), 0)
        members.append((member.strip(), next_value))
        next_value += 1
    return Enum(name, tuple(members))


def _blocks(text: str, opener: re.Pattern[str]) -> Iterator[tuple[str, list[str], str]]:
    """(name, body lines, preceding comment) of every `struct`/`class` block that `opener` matches."""
    comments: list[str] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if match := _COMMENT.match(line):
            comments.append(match.group(1))
            continue
        if (match := opener.match(line)) and not line.rstrip().endswith(";"):
            body, index = _collect_body(lines, index, opened=bool(match.group(2)))
            yield match.group(1), body, _comment_text(comments)
        comments = []


def parse_structs(text: str, model: HeaderModel) -> None:
    for name, body, comment in _blocks(text, _STRUCT_OPEN):
        fields: list[Field] = []
        field_comments: list[str] = []
        for raw in body:
            if match := _COMMENT.match(raw):
                field_comments.append(match.group(1))
            elif item := _FIELD.match(raw):
                if item.group(1) not in model.typedefs:
                    raise HeaderError(f"{name}.{item.group(2)}: unknown type {item.group(1)}")
                fields.append(Field(item.group(2), item.group(1), _comment_text(field_comments)))
                field_comments = []
            elif raw.strip():
                raise HeaderError(f"struct {name}: cannot parse {raw.strip()!r}")
        model.structs[name] = Struct(name, tuple(fields), comment)


def _parse_param(text: str) -> Param:
    text = " ".join(text.split())
    default = None
    if "=" in text:
        text, default = (part.strip() for part in text.split("=", 1))
    is_array = text.endswith("[]")
    text = text.removesuffix("[]").strip()
    match = re.fullmatch(r"(const\s+)?(\w+)\s*(\**)\s*(\w+)", text)
    if not match:
        raise HeaderError(f"cannot parse parameter {text!r}")
    const, type_name, stars, name = match.groups()
    return Param(type_name, name, len(stars), is_array, bool(const), default)


def parse_api(text: str, model: HeaderModel) -> None:
    for name, body, _ in _blocks(text, _CLASS_OPEN):
        model.classes[name] = _parse_class(name, body)


def _parse_class(name: str, body: list[str]) -> ApiClass:
    methods: list[Method] = []
    comments: list[str] = []
    vtable_index = 0
    for raw in body:
        if comment := _COMMENT.match(raw):
            comments.append(comment.group(1))
            continue
        stripped = raw.strip()
        if not stripped or stripped in {"public:", "protected:", "private:"} or _DESTRUCTOR.match(raw):
            comments = [] if stripped else comments
            continue
        match = _METHOD.match(raw)
        if not match:
            raise HeaderError(f"class {name}: cannot parse {stripped!r}")
        is_virtual = match.group("spec").strip() == "virtual"
        params_text = match.group("params").strip()
        params = () if params_text in {"", "void"} else tuple(_parse_param(p) for p in params_text.split(","))
        methods.append(Method(
            name=match.group("name"), return_type=" ".join(match.group("ret").split()).replace(" *", " *"),
            params=params, is_static=not is_virtual, is_virtual=is_virtual, is_pure=bool(match.group("pure")),
            comment=_comment_text(comments), vtable_index=vtable_index if is_virtual else None,
        ))
        vtable_index += is_virtual
        comments = []
    return ApiClass(name, tuple(methods))


def parse_sdk(include_dir: Path) -> HeaderModel:
    """Parse the four headers found in include_dir."""
    model = HeaderModel()
    texts = {}
    for name in HEADER_FILES:
        path = include_dir / name
        if not path.is_file():
            raise HeaderError(f"{path} is missing (run the SDK fetch step)")
        texts[name] = read_header(path)
    parse_data_types(texts["ThostFtdcUserApiDataType.h"], model)
    parse_structs(texts["ThostFtdcUserApiStruct.h"], model)
    parse_api(texts["ThostFtdcMdApi.h"], model)
    parse_api(texts["ThostFtdcTraderApi.h"], model)
    for cls in model.classes.values():
        for method in cls.methods:
            for param in method.struct_params:
                if param.type not in model.structs:
                    raise HeaderError(f"{cls.name}::{method.name} uses unknown struct {param.type}")
    return model
