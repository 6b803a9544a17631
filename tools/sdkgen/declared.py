"""Declarations vtcore writes itself, for an SDK that ships no usable headers (OES): a spec of the
documented layouts in; the C++ declarations with a static_assert on every size and offset, the typed Python
classes and the simulator's export list out.

The spec (`sdk/<id>/<version>.spec`) is a line-based transcription of the vendor's documented layout tables,
so a reviewer can hold it beside them:

    sdk oes OES 0.17.5.8                       id, title, API version
    text utf-8                                 the encoding of char[N] text (default gb18030)
    alias BOOL int32                           a typedef (scalar, record or alias)
    struct OesOrdReqT 72 [align 8] [python OesOrdReq]
      0 int32 clSeqNo                          offset, type, name ([N] for an array)
      8 char invAcctId[16]                     char[N] is text in Python
      64 STimespec32T __ordReqOrigSendTime     a record declared above
    union OesRptMsgBodyT 736                   every member at offset 0; the size is the union's
      0 OesOrdCnfmT ordCnfm
    struct MdsMktDataSnapshotT 856
      72 MdsMktDataSnapshotBodyT (anonymous)   a union's members, reachable directly (C11 anonymous member)
    enum eOesMsgTypeT                          constants (int32)
      OESMSG_RPT_ORDER_REPORT 20
    callback int32 F_ON_MSG_T(SMsgHeadT *pMsgHead, void *pMsgItem)
    function BOOL OesApi_Logout(OesApiSessionInfoT *pSessionInfo, BOOL isDestory)

Scalars: int8 uint8 int16 uint16 int32 uint32 int64 uint64 char (x86-64 LP64), `ptr` (a pointer). A struct
may list only the fields vtcore relies on: the generator checks each offset against natural alignment (a field
the compiler would place elsewhere is an error, never a guess), fills the bytes between fields and after the
last one with explicit padding, and emits `static_assert`s that the compiler agrees: `sizeof` and `alignof`
of every record, `offsetof` of every field. Types must be declared before use; a name declared twice is an
error.

Outputs (`python -m sdkgen declared --spec <file> --out <dir>`):
- `<id>_declared.h`: namespace `vtcore::<id>::abi`: the records, aliases, constants, callback types, the
  functions as `extern "C"` declarations (a simulator defines them; a binding only takes `decltype`), and
  `Functions` + `resolve(handle, functions)`: every function looked up by name with `dlsym`;
- `_<id>_types.py` / `.pyi`: one `vtcore.gateways._sdk.structs.SdkStruct` class per record marked `python`
  (fields whose names start with `__` and fields of record type stay C++-only), the constants, `FUNCTIONS`
  and `API_VERSION`;
- `<id>_exports.map`: a linker version script exporting exactly the spec's functions (for a simulator).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path

#: spec scalar -> (C++ type, size, Python struct format; "" for text/char handled apart)
SCALARS: dict[str, tuple[str, int, str]] = {
    "int8": ("std::int8_t", 1, "b"),
    "uint8": ("std::uint8_t", 1, "B"),
    "int16": ("std::int16_t", 2, "h"),
    "uint16": ("std::uint16_t", 2, "H"),
    "int32": ("std::int32_t", 4, "i"),
    "uint32": ("std::uint32_t", 4, "I"),
    "int64": ("std::int64_t", 8, "q"),
    "uint64": ("std::uint64_t", 8, "Q"),
    "char": ("char", 1, "c"),
    "ptr": ("void*", 8, ""),
}
#: names an SdkStruct subclass cannot use as field names
_RESERVED = {"view", "buffer", "copy", "as_dict", "unchecked", "C_NAME", "SIZE", "FIELDS", "LAYOUT", "SECRET"}
_SECRET = re.compile(r"password|passwd|secret", re.IGNORECASE)
_IDENT = re.compile(r"[A-Za-z_]\w*\Z")
_PROTOTYPE = re.compile(r"(?P<ret>[\w\s*]+?)\s*\b(?P<name>\w+)\s*\((?P<params>.*)\)\s*;?\Z")


class SpecError(Exception):
    """The spec is inconsistent (a layout the compiler would not produce, an unknown type, ...)."""


@dataclass(frozen=True)
class SpecField:
    offset: int
    type: str
    name: str | None  # None: the members of a union record, declared anonymously
    count: int | None = None
    line: int = 0


@dataclass
class Record:
    kind: str  # "struct" | "union"
    name: str
    size: int
    align: int | None  # explicit alignment, or None for the natural one
    python: str | None  # the Python class name, when the record crosses to Python
    line: int
    fields: list[SpecField] = field(default_factory=list)


@dataclass(frozen=True)
class Prototype:
    kind: str  # "function" | "callback"
    return_type: str
    name: str
    params: str
    line: int


@dataclass(frozen=True)
class Placed:
    """A field where the compiler puts it: the spec's field, or generated padding (named `_vtcore_*`)."""

    offset: int
    type: str
    name: str | None
    count: int | None
    size: int


@dataclass
class Spec:
    id: str = ""
    title: str = ""
    version: str = ""
    text_encoding: str = "gb18030"  # of char[N] fields ("text utf-8": OES documents its text as UTF-8)
    records: dict[str, Record] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    enums: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    prototypes: dict[str, Prototype] = field(default_factory=dict)
    order: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) in declaration order
    layouts: dict[str, tuple[int, int, list[Placed]]] = field(default_factory=dict)  # size, align, fields

    # -- types ----------------------------------------------------------------------------------------------

    def resolve(self, type_name: str) -> str:
        """An alias's target, followed to a scalar or record name."""
        seen = set()
        while type_name in self.aliases:
            if type_name in seen:
                raise SpecError(f"alias loop at {type_name}")
            seen.add(type_name)
            type_name = self.aliases[type_name]
        return type_name

    def size_align(self, type_name: str) -> tuple[int, int]:
        base = self.resolve(type_name)
        if base in SCALARS:
            size = SCALARS[base][1]
            return size, size
        if base in self.layouts:
            size, align, _ = self.layouts[base]
            return size, align
        raise SpecError(f"unknown type {type_name}")

    @property
    def functions(self) -> list[Prototype]:
        return [p for p in self.prototypes.values() if p.kind == "function"]

    @property
    def constants(self) -> list[tuple[str, int]]:
        return [member for members in self.enums.values() for member in members]


# -- parsing ------------------------------------------------------------------------------------------------


def _declare(spec: Spec, kind: str, name: str, line: int) -> None:
    if not _IDENT.match(name):
        raise SpecError(f"line {line}: {name!r} is not a C identifier")
    known = set(spec.records) | set(spec.aliases) | set(spec.enums) | set(spec.prototypes) | set(SCALARS)
    known |= {member for members in spec.enums.values() for member, _ in members}
    if name in known:
        raise SpecError(f"line {line}: {name} is declared twice")
    spec.order.append((kind, name))


def _field(text: str, line: int) -> SpecField:
    parts = text.split()
    if len(parts) != 3 or not parts[0].isdigit():
        raise SpecError(f"line {line}: a field is '<offset> <type> <name>[<count>]', not {text!r}")
    offset, type_name, name = int(parts[0]), parts[1], parts[2]
    if name == "(anonymous)":
        return SpecField(offset, type_name, None, None, line)
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", name)
    if not match or not _IDENT.match(match.group(1)):
        raise SpecError(f"line {line}: bad field name {name!r}")
    count = int(match.group(2)) if match.group(2) else None
    if count is not None and count <= 0:
        raise SpecError(f"line {line}: {name}: an array needs a positive length")
    return SpecField(offset, type_name, match.group(1), count, line)


def parse_spec(text: str) -> Spec:
    """The spec's declarations, laid out and checked (SpecError names the line)."""
    spec = Spec()
    current: Record | None = None
    enum: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line[0].isspace():
            if current is not None:
                current.fields.append(_field(line.strip(), number))
            elif enum is not None:
                parts = line.split()
                if len(parts) != 2 or not re.fullmatch(r"-?\d+|0x[0-9A-Fa-f]+", parts[1]):
                    raise SpecError(
                        f"line {number}: an enum member is '<name> <value>', not {line.strip()!r}"
                    )
                _declare(spec, "constant", parts[0], number)
                spec.order.pop()  # constants are emitted with their enum
                spec.enums[enum].append((parts[0], int(parts[1], 0)))
            else:
                raise SpecError(f"line {number}: an indented line outside a struct, union or enum")
            continue
        if current is not None:
            _lay_out(spec, current)
        current, enum = None, None
        keyword_, _, rest = line.partition(" ")
        words = rest.split()
        if keyword_ == "sdk":
            if len(words) != 3:
                raise SpecError(f"line {number}: 'sdk <id> <title> <version>'")
            spec.id, spec.title, spec.version = words
        elif keyword_ == "text":
            if len(words) != 1:
                raise SpecError(f"line {number}: 'text <encoding>'")
            spec.text_encoding = words[0]
        elif keyword_ in ("struct", "union"):
            if len(words) < 2 or not words[1].isdigit():
                raise SpecError(f"line {number}: '{keyword_} <name> <size> [align N] [python Class]'")
            options = dict(zip(words[2::2], words[3::2], strict=False))
            if len(words) % 2 or set(options) - {"align", "python"}:
                raise SpecError(f"line {number}: unknown options {words[2:]}")
            align = int(options["align"]) if "align" in options else None
            python = options.get("python")
            if python is not None and (not python.isidentifier() or keyword.iskeyword(python)):
                raise SpecError(f"line {number}: {python!r} cannot name a Python class")
            _declare(spec, "record", words[0], number)
            current = Record(keyword_, words[0], int(words[1]), align, python, number)
            spec.records[current.name] = current
        elif keyword_ == "alias":
            if len(words) != 2:
                raise SpecError(f"line {number}: 'alias <new name> <existing type>'")
            _declare(spec, "alias", words[0], number)
            spec.size_align(words[1])  # must exist already
            spec.aliases[words[0]] = words[1]
        elif keyword_ == "enum":
            if len(words) != 1:
                raise SpecError(f"line {number}: 'enum <name>'")
            _declare(spec, "enum", words[0], number)
            spec.enums[words[0]] = []
            enum = words[0]
        elif keyword_ in ("function", "callback"):
            match = _PROTOTYPE.fullmatch(rest.strip())
            if not match:
                raise SpecError(f"line {number}: not a C prototype: {rest!r}")
            prototype = Prototype(
                keyword_, " ".join(match["ret"].split()), match["name"], match["params"].strip(), number
            )
            _check_prototype(spec, prototype)
            _declare(spec, keyword_, prototype.name, number)
            spec.prototypes[prototype.name] = prototype
        else:
            raise SpecError(f"line {number}: unknown declaration {keyword_!r}")
    if current is not None:
        _lay_out(spec, current)
    if not (spec.id and spec.version):
        raise SpecError("the spec has no 'sdk <id> <title> <version>' line")
    return spec


def _type_words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w+", text) if word not in ("const", "void", "unsigned")]


def _check_prototype(spec: Spec, prototype: Prototype) -> None:
    words = _type_words(prototype.return_type)
    for param in filter(None, (p.strip() for p in prototype.params.split(","))):
        if param == "void":
            continue
        names = _type_words(param)
        if len(names) < 2 and not param.startswith("void"):
            raise SpecError(
                f"line {prototype.line}: {prototype.name}: parameter {param!r} needs a type and a name"
            )
        words += names[:-1]
    for word in words:
        if (
            word not in SCALARS
            and word not in spec.records
            and word not in spec.aliases
            and (word not in spec.prototypes or spec.prototypes[word].kind != "callback")
        ):
            raise SpecError(f"line {prototype.line}: {prototype.name}: unknown type {word}")


def _align_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align


def _lay_out(spec: Spec, record: Record) -> None:
    """Place every field where the compiler will, with explicit padding for the bytes the spec leaves out."""
    placed: list[Placed] = []
    cursor, align, gaps = 0, 1, 0
    names: set[str] = set()
    for item in record.fields:
        where = f"line {item.line}: {record.name}.{item.name or '(anonymous)'}"
        if item.name is not None:
            if item.name in names:
                raise SpecError(f"{where}: declared twice")
            names.add(item.name)
        try:
            size, field_align = spec.size_align(item.type)
        except SpecError as exc:
            raise SpecError(f"{where}: {exc}") from None
        if item.name is None:
            base = spec.resolve(item.type)
            if base not in spec.records or spec.records[base].kind != "union":
                raise SpecError(f"{where}: only a union can be an anonymous member")
            for member in spec.records[base].fields:
                if member.name in names:
                    raise SpecError(f"{where}: member {member.name} is declared twice")
                names.add(member.name or "")
        total = size * (item.count or 1)
        align = max(align, field_align)
        if record.kind == "union":
            if item.offset != 0:
                raise SpecError(f"{where}: a union member is at offset 0, not {item.offset}")
            placed.append(Placed(0, item.type, item.name, item.count, total))
            cursor = max(cursor, total)
            continue
        if item.offset % field_align:
            raise SpecError(f"{where}: offset {item.offset} is not a multiple of its alignment {field_align}")
        natural = _align_up(cursor, field_align)
        if item.offset < natural:
            raise SpecError(f"{where}: offset {item.offset}, but the bytes before it end at {cursor}")
        if item.offset > cursor:
            gaps += 1
            placed.append(
                Placed(cursor, "uint8", f"_vtcore_gap{gaps}", item.offset - cursor, item.offset - cursor)
            )
        placed.append(Placed(item.offset, item.type, item.name, item.count, total))
        cursor = item.offset + total
    if record.align is not None:
        if record.align < align or record.align & (record.align - 1):
            raise SpecError(
                f"line {record.line}: {record.name}: align {record.align} is below its natural {align} "
                f"or not a power of two"
            )
        align = record.align
    if record.size < cursor or record.size % align:
        raise SpecError(
            f"line {record.line}: {record.name}: size {record.size}, but its fields need {cursor} bytes "
            f"aligned to {align}"
        )
    if record.kind == "union" and record.size > _align_up(cursor, align):
        placed.append(Placed(0, "uint8", "_vtcore_size", record.size, record.size))
    elif record.kind == "struct" and record.size > _align_up(cursor, align):
        placed.append(Placed(cursor, "uint8", "_vtcore_tail", record.size - cursor, record.size - cursor))
    spec.layouts[record.name] = (record.size, align, placed)


def read_spec(path: Path) -> Spec:
    return parse_spec(path.read_text(encoding="utf-8"))


# -- C++ ----------------------------------------------------------------------------------------------------


def _member(spec: Spec, item: Placed) -> str:
    if item.name is None:  # an anonymous union: its members inline
        union = spec.records[spec.resolve(item.type)]
        members = " ".join(_member(spec, p) for p in spec.layouts[union.name][2])
        return f"union {{ {members} }};"
    type_text = "void*" if item.type == "ptr" else item.type  # scalars by their aliases (int32, ...)
    return f"{type_text} {item.name}{f'[{item.count}]' if item.count else ''};"


def _asserts(spec: Spec, record: Record) -> list[str]:
    size, align, _ = spec.layouts[record.name]
    where = f"{spec.id} spec line {record.line}"
    out = [
        f'static_assert(sizeof({record.name}) == {size}, "{record.name} is {size} bytes ({where})");',
        f'static_assert(alignof({record.name}) == {align}, "{record.name} aligns to {align} ({where})");',
    ]
    for item in record.fields:
        names = [item.name] if item.name else [m.name for m in spec.records[spec.resolve(item.type)].fields]
        for name in names:
            out.append(
                f"static_assert(offsetof({record.name}, {name}) == {item.offset}, "
                f'"{record.name}.{name} at {item.offset} (spec line {item.line})");'
            )
    return out


def emit_header(spec: Spec, source: str = "") -> str:
    namespace = f"vtcore::{spec.id}::abi"
    out = [
        f"// {spec.title} {spec.version}: vtcore's own declarations of the structs and functions it uses,",
        f"// from the documented layouts ({source or 'the spec'}). Generated by tools/sdkgen/declared.py;",
        "// do not edit. Every size, alignment and offset is asserted, so a declaration the compiler lays",
        "// out differently from the documented layout fails the build.",
        "#pragma once",
        "",
        "#include <dlfcn.h>",
        "",
        "#include <cstddef>",
        "#include <cstdint>",
        "",
        f"namespace {namespace} {{",
        "",
        *(f"using {name} = {cpp};" for name, (cpp, _, _) in SCALARS.items() if name not in ("char", "ptr")),
    ]
    for kind, name in spec.order:
        if kind == "record":
            record = spec.records[name]
            _, align, placed = spec.layouts[name]
            keyword_ = record.kind
            alignas = f"alignas({align}) " if record.align else ""
            out += ["", f"{keyword_} {alignas}{name} {{"]
            out += [f"  {_member(spec, item)}" for item in placed]
            out += ["};", *_asserts(spec, record)]
        elif kind == "alias":
            out += [f"using {name} = {spec.aliases[name]};"]
        elif kind == "enum":
            out += ["", f"// {name}"]
            out += [f"inline constexpr int32 {member} = {value};" for member, value in spec.enums[name]]
        elif kind == "callback":
            p = spec.prototypes[name]
            out += ["", f'extern "C" typedef {p.return_type} (*{name})({p.params});']
        elif kind == "function":
            p = spec.prototypes[name]
            out += [f'extern "C" {p.return_type} {name}({p.params});']
    functions = spec.functions
    out += [
        "",
        *(f"using {f.name}_fn = decltype(&{f.name});" for f in functions),
        "",
        "/// Every function of the spec, looked up by name in a library opened with dlopen.",
        "struct Functions {",
        *(f"  {f.name}_fn {f.name} = nullptr;" for f in functions),
        "};",
        "",
        "/// Fills `out` from `handle`; the name of the first function the library lacks, or nullptr.",
        "inline const char* resolve(void* handle, Functions& out) noexcept {",
    ]
    for f in functions:
        out += [
            f'  out.{f.name} = reinterpret_cast<{f.name}_fn>(::dlsym(handle, "{f.name}"));',
            f'  if (out.{f.name} == nullptr) return "{f.name}";',
        ]
    out += ["  return nullptr;", "}", "", f"}}  // namespace {namespace}", ""]
    return "\n".join(out)


def emit_exports(spec: Spec) -> str:
    names = "\n".join(f"    {f.name};" for f in spec.functions)
    return (
        f"/* The {spec.title} {spec.version} functions a simulator library exports, and nothing else "
        f"(generated by tools/sdkgen/declared.py). */\n{{\n  global:\n{names}\n  local: *;\n}};\n"
    )


# -- Python -------------------------------------------------------------------------------------------------


def _python_fields(spec: Spec, record: Record) -> list[tuple[str, str, str, int, int]]:
    """(name, kind, fmt, offset, count) of each field Python sees: scalars, arrays of them, text."""
    fields = []
    for item in record.fields:
        members = [item] if item.name else spec.records[spec.resolve(item.type)].fields
        for member in members:
            name = member.name or ""
            base = spec.resolve(member.type)
            if name.startswith("__") or base not in SCALARS or base == "ptr":
                continue
            if name in _RESERVED or keyword.iskeyword(name):
                raise SpecError(f"line {member.line}: {record.name}.{name} cannot be a Python attribute")
            offset = item.offset + (member.offset if item.name is None else 0)
            fmt = SCALARS[base][2]
            kind = ("s" if member.count else "c") if base == "char" else ("a" if member.count else "n")
            fields.append((name, kind, fmt, offset, member.count or 1))
    return fields


def emit_python(spec: Spec, *, stub: bool = False) -> str:
    out = [
        f'"""{spec.title} {spec.version}: typed structs, constants and the function list (build time).',
        "",
        "Generated by tools/sdkgen/declared.py from vtcore's spec of the documented layouts",
        f'(sdk/{spec.id}/); do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Final",
        "",
        "from vtcore.gateways._sdk.structs import SdkStruct"
        + ("" if stub else ", array_field, char_field, number_field, text_field"),
        "",
        f'API_VERSION: Final = "{spec.version}"',
        f"FUNCTIONS: Final = {tuple(f.name for f in spec.functions)!r}",
    ]
    for name, members in spec.enums.items():
        out += ["", f"# {name}", *(f"{member}: Final = {value}" for member, value in members)]
    for record in spec.records.values():
        if record.python is None:
            continue
        fields = _python_fields(spec, record)
        out += ["", "", f"class {record.python}(SdkStruct):"]
        if stub:
            typed = [
                (n, "str" if k in "sc" else "tuple[int, ...]" if k == "a" else "int") for n, k, *_ in fields
            ]
            out += [f"    {n}: {t}" for n, t in typed]
            arguments = ", ".join(f"{n}: {t} = ..." for n, t in typed)
            out.append(f"    def __init__(self, *, {arguments}) -> None: ...")
            continue
        layout = tuple(
            (n, "s" if k == "s" else "c" if k == "c" else fmt, off, count) for n, k, fmt, off, count in fields
        )
        names = tuple(n for n, *_ in fields)
        secret = sorted(n for n in names if _SECRET.search(n))
        out += [
            f'    """{record.name} ({record.size} bytes)"""',
            "",
            "    __slots__ = ()",
            f'    C_NAME = "{record.name}"',
            f"    SIZE = {record.size}",
            f"    FIELDS = {names!r}",
            f"    LAYOUT = {layout!r}",
            f"    SECRET = frozenset({secret!r})",
        ]
        if spec.text_encoding != "gb18030":  # SdkStruct.reader() decodes with it, as the fields do
            out.append(f'    ENCODING = "{spec.text_encoding}"')
        for n, k, fmt, off, count in fields:
            label = f"{record.python}.{n}"
            if k == "s":
                encoding = "" if spec.text_encoding == "gb18030" else f', "{spec.text_encoding}"'
                out.append(f'    {n} = text_field("{label}", {off}, {count}{encoding})')
            elif k == "c":
                out.append(f'    {n} = char_field("{label}", {off})')
            elif k == "a":
                out.append(f'    {n} = array_field("{label}", {off}, "{fmt}", {count})')
            else:
                out.append(f'    {n} = number_field("{label}", {off}, "{fmt}")')
    return "\n".join(out) + "\n"


def outputs(spec: Spec, source: str = "") -> dict[str, str]:
    """File name -> text of everything the spec generates."""
    return {
        f"{spec.id}_declared.h": emit_header(spec, source),
        f"{spec.id}_exports.map": emit_exports(spec),
        f"_{spec.id}_types.py": emit_python(spec),
        f"_{spec.id}_types.pyi": emit_python(spec, stub=True),
    }
