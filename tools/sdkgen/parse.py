"""One header parser for every vendor SDK: typedefs, defines, enums, structs and API/SPI classes.

    from sdkgen.dialects import THOST
    from sdkgen.parse import parse_sdk
    model = parse_sdk(Path("build/.../ctp-sdk/6.7.11/include"), THOST)

Each header is read as bytes and decoded as UTF-8 (a BOM is dropped), else GB18030 (the FEMAS, TORA and TAP
headers are GBK); CR LF becomes LF. The vendors' headers are regular, machine-written C++: this is a line and
declaration scanner, not a C++ front end. It understands `typedef <scalar> T[N];` (and typedefs of typedefs),
character and integer `#define`s and `const char NAME = 'x';` constants (TORA), `enum`s, `struct` bodies of
`Type Name;` / `Type Name[N];` fields under `#pragma pack` (fields may be structs, and anonymous `union {` /
`struct {` blocks nest: XTP), `typedef struct A {...} B;` and `typedef struct A B;` aliases, `namespace X {`
blocks (TORA, XTP), and `class` bodies of `virtual` / `static` method declarations. Inside a struct, class or
enum body anything else raises `HeaderError` rather than being guessed at. Comments (`///` or `//`) above a
declaration become its comment; other preprocessor lines are skipped, and the branches of `#ifdef WINDOWS`,
`#if defined(_MSC_VER) ...` and the like are dropped (the bindings are built for Linux x86-64: TORA declares
`typedef __int64 T;` there and `typedef long long int T;` in the `#else`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from sdkgen.dialects import Dialect
from sdkgen.model import (
    SCALARS,
    ApiClass,
    Define,
    Enum,
    Field,
    HeaderError,
    HeaderModel,
    Method,
    Param,
    Struct,
    Typedef,
)

_SCALAR = "|".join(sorted((re.escape(name) for name in SCALARS), key=len, reverse=True))
_COMMENT = re.compile(r"^\s*//+(.*)$")
_TYPEDEF = re.compile(rf"^\s*typedef\s+(?P<base>{_SCALAR}|\w+)\s+(?P<name>\w+)\s*(?:\[(?P<len>[^\]]+)\])?\s*;")
_DEFINE_CHAR = re.compile(r"^\s*#define\s+(\w+)\s+'([^']*)'\s*(?://.*)?$")
_DEFINE_INT = re.compile(r"^\s*#define\s+(\w+)\s+\(?\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))\s*\)?\s*(?://.*)?$")
_PACK_PUSH = re.compile(r"^\s*#pragma\s+pack\s*\(\s*(?:push\s*,\s*)?(\d+)\s*\)")
_PACK_POP = re.compile(r"^\s*#pragma\s+pack\s*\(\s*(?:pop)?\s*\)")
_STRUCT_OPEN = re.compile(r"^\s*(?:typedef\s+)?struct\s+(\w+)\s*(\{)?\s*$")
_FIELD = re.compile(rf"^\s*(?P<type>{_SCALAR}|\w+)\s+(?P<name>\w+)\s*(?:\[(?P<len>[^\]]+)\])?\s*;\s*(?://(?P<c>.*))?$")
_CLASS_OPEN = re.compile(r"^\s*class\s+(?:\w+_EXPORT\s+)?(\w+)\s*(\{)?\s*$")
_ENUM_OPEN = re.compile(r"^\s*(?:typedef\s+)?enum\s+(\w+)\s*(\{)?\s*$")
_ENUM_LINE = re.compile(r"^\s*(?:typedef\s+)?enum\s+(\w+)\s*\{(.*)\}\s*\w*\s*;\s*(?://.*)?$")
_METHOD = re.compile(
    r"^\s*(?P<spec>(?:virtual|static)\s+)(?P<ret>[\w\s\*&]+?)\s*(?P<name>\b\w+)\s*\((?P<params>[^)]*)\)"
    r"\s*(?P<pure>=\s*0)?\s*(?:\{\s*\})?\s*;?\s*(?://.*)?$"
)
_DESTRUCTOR = re.compile(r"^\s*(?:virtual\s+)?~\w+\s*\(\s*\)\s*(?:\{\s*\})?\s*;?\s*$")
_CONST_CHAR = re.compile(r"^\s*const\s+char\s+(\w+)\s*=\s*'([^']*)'\s*;\s*(?://.*)?$")
_CONST_INT = re.compile(r"^\s*const\s+(?:unsigned\s+)?(?:int|short|long)\s+(\w+)\s*=\s*(-?\d+)\s*;\s*(?://.*)?$")
_STRUCT_ALIAS = re.compile(r"^\s*typedef\s+struct\s+(\w+)\s+(\w+)\s*;\s*(?://.*)?$")
_CLOSE_ALIAS = re.compile(r"^\s*\}\s*(\w+)?\s*;")
_NAMESPACE = re.compile(r"^\s*namespace\s+(\w+)\s*(\{)?\s*$")
_NESTED_OPEN = re.compile(r"^\s*(union|struct)\s*(\{)?\s*(?://.*)?$")
_CONDITIONAL = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$")
# A conditional that only a Windows compiler takes (its #else branch is Linux's).
_WINDOWS_ONLY = re.compile(r"\b(?:WINDOWS|_WIN32|WIN32|_WIN64|_MSC_VER)\b")


def read_header(path: Path) -> str:
    """Header text: UTF-8 (a BOM is dropped), else GB18030; line ends normalised to LF."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _comment_text(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines if line.strip() and not set(line.strip()) <= {"/"}).strip()


class _Scanner:
    """Walks one header's lines; `model` collects what every header of the SDK declares."""

    def __init__(self, model: HeaderModel, dialect: Dialect) -> None:
        self.model = model
        self.dialect = dialect
        self.pack_stack: list[int | None] = [None]
        self.section_type: str | None = None
        self.namespaces: list[tuple[str, int]] = []  # (name, brace depth inside it)
        self.depth = 0
        self.anonymous = 0

    @property
    def namespace(self) -> str:
        return "::".join(name for name, _ in self.namespaces)

    def braces(self, line: str) -> None:
        """Follow `{` / `}` outside declarations (inline functions, namespace blocks) to know when a namespace
        closes."""
        code = re.sub(r"'(?:\\.|[^'])'|\"(?:\\.|[^\"])*\"", "", line.split("//", 1)[0])
        for char in code:
            if char == "{":
                self.depth += 1
            elif char == "}":
                self.depth -= 1
                while self.namespaces and self.depth < self.namespaces[-1][1]:
                    self.namespaces.pop()

    def scan(self, text: str) -> None:
        lines = _linux_lines(_strip_block_comments(text).split("\n"))
        comments: list[str] = []
        index = 0
        pending_namespace: str | None = None
        while index < len(lines):
            line = lines[index]
            index += 1
            if pending_namespace is not None and line.strip() == "{":
                self.depth += 1
                self.namespaces.append((pending_namespace, self.depth))
                if self.namespace not in self.model.namespaces:
                    self.model.namespaces.append(self.namespace)
                pending_namespace = None
                continue
            if match := _NAMESPACE.match(line):
                if match.group(2):
                    self.depth += 1
                    self.namespaces.append((match.group(1), self.depth))
                    if self.namespace not in self.model.namespaces:
                        self.model.namespaces.append(self.namespace)
                else:
                    pending_namespace = match.group(1)
                continue
            if match := _COMMENT.match(line):
                comments.append(match.group(1))
                if section := self.dialect.section_type(match.group(1)):
                    self.section_type = section
                continue
            if match := _PACK_PUSH.match(line):
                self.pack_stack.append(int(match.group(1)))
            elif _PACK_POP.match(line):
                if len(self.pack_stack) > 1:
                    self.pack_stack.pop()
            elif match := _TYPEDEF.match(line):
                self.typedef(match)
            elif match := _DEFINE_CHAR.match(line):
                name, value = match.groups()
                self.model.defines[name] = Define(name, value, self.section_type, _comment_text(comments[-1:]))
            elif match := _DEFINE_INT.match(line):
                self.model.constants[match.group(1)] = int(match.group(2), 0)
            elif match := _CONST_CHAR.match(line):
                name, value = match.groups()
                comment = _comment_text(comments[-1:])
                self.model.defines[name] = Define(name, value, self.section_type, comment)
            elif match := _CONST_INT.match(line):
                self.model.constants[match.group(1)] = int(match.group(2))
            elif match := _STRUCT_ALIAS.match(line):
                self.model.aliases[match.group(2)] = self.model.aliases.get(match.group(1), match.group(1))
            elif match := _ENUM_LINE.match(line):
                self.enum(match.group(1), match.group(2).split(","))
            elif (match := _ENUM_OPEN.match(line)) and not line.rstrip().endswith(";"):
                body, index, _ = _collect_body(lines, index, opened=bool(match.group(2)))
                self.enum(match.group(1), body)
            elif (match := _STRUCT_OPEN.match(line)) and not line.rstrip().endswith(";"):
                body, index, closing = _collect_body(lines, index, opened=bool(match.group(2)))
                name = match.group(1)
                self.struct(name, body, _comment_text(comments))
                alias = _CLOSE_ALIAS.match(closing)
                if alias and alias.group(1) and alias.group(1) != name:
                    self.model.aliases[alias.group(1)] = name
            elif (match := _CLASS_OPEN.match(line)) and not line.rstrip().endswith(";"):
                body, index, _ = _collect_body(lines, index, opened=bool(match.group(2)))
                self.model.classes[match.group(1)] = self.api_class(match.group(1), body)
            else:
                self.braces(line)
            comments = []

    def length(self, text: str | None, where: str) -> int | None:
        """An array length: a number, a constant, or `+ - *` of those (`[80 + 1]`, `[XTP_TICKER_LEN]`)."""
        if text is None:
            return None
        tokens = re.findall(r"\s*(\d+|\w+|[-+*()])", text)
        if "".join(tokens).replace(" ", "") != text.replace(" ", ""):
            raise HeaderError(f"{where}: cannot evaluate the array length {text.strip()!r}")
        expression = []
        for token in tokens:
            token = token.strip()
            if re.fullmatch(r"[A-Za-z_]\w*", token):
                if token not in self.model.constants:
                    raise HeaderError(f"{where}: unknown array length {token}")
                token = str(self.model.constants[token])
            expression.append(token)
        value = eval("".join(expression), {"__builtins__": {}}, {})  # digits and + - * ( ) only
        if not isinstance(value, int) or value <= 0:
            raise HeaderError(f"{where}: array length {text.strip()!r} is not a positive integer")
        return value

    def typedef(self, match: re.Match[str]) -> None:
        base, name = match.group("base"), match.group("name")
        length = self.length(match.group("len"), f"typedef {name}")
        comment = ""
        if self.section_type == name and name in self.model.typedefs:
            comment = self.model.typedefs[name].comment
        if base in self.model.typedefs:  # a typedef of a typedef
            inner = self.model.typedefs[base]
            if inner.length is not None and length is not None:
                raise HeaderError(f"typedef {name}: an array of an array typedef")
            self.model.typedefs[name] = Typedef(name, inner.base, length if length is not None else inner.length)
            return
        if base in self.model.enums:
            base = "int"
        if base not in SCALARS:
            raise HeaderError(f"typedef {name}: unknown base type {base}")
        self.model.typedefs[name] = Typedef(name, base, length, comment)

    def enum(self, name: str, body: list[str]) -> None:
        members: list[tuple[str, int]] = []
        next_value = 0
        for raw in body:
            line = raw.split("//", 1)[0].strip().rstrip(",")
            if not line:
                continue
            member, _, value = line.partition("=")
            member, value = member.strip(), value.strip()
            if not re.fullmatch(r"\w+", member):
                raise HeaderError(f"enum {name}: cannot parse {raw.strip()!r}")
            if value:
                if value.lstrip("-").isdigit() or re.fullmatch(r"-?0[xX][0-9a-fA-F]+", value):
                    next_value = int(value, 0)
                elif re.fullmatch(r"'.'", value):
                    next_value = ord(value[1])
                elif value in self.model.constants:
                    next_value = self.model.constants[value]
                else:
                    raise HeaderError(f"enum {name}: cannot evaluate {value!r}")
            members.append((member, next_value))
            self.model.constants[member] = next_value
            next_value += 1
        self.model.enums[name] = Enum(name, tuple(members))

    def struct(self, name: str, body: list[str], comment: str, *, union: bool = False) -> None:
        fields: list[Field] = []
        field_comments: list[str] = []
        index = 0
        while index < len(body):
            raw = body[index]
            index += 1
            if match := _COMMENT.match(raw):
                field_comments.append(match.group(1))
            elif nested := _NESTED_OPEN.match(raw):  # an anonymous (or named) union / struct member
                inner, index, closing = _collect_body(body, index, opened=bool(nested.group(2)))
                self.anonymous += 1
                inner_name = f"{name}::<anonymous {self.anonymous}>"
                self.struct(inner_name, inner, "", union=nested.group(1) == "union")
                member = _CLOSE_ALIAS.match(closing)
                fields.append(Field(member.group(1) or "" if member else "", inner_name, None,
                                    _comment_text(field_comments)))
                field_comments = []
            elif item := _FIELD.match(raw):
                type_name = item.group("type")
                model = self.model
                if not any(type_name in names for names in (
                        model.typedefs, SCALARS, model.enums, model.structs, model.aliases)):
                    raise HeaderError(f"{name}.{item.group('name')}: unknown type {type_name}")
                length = self.length(item.group("len"), f"{name}.{item.group('name')}")
                text = _comment_text([*field_comments, item.group("c") or ""])
                fields.append(Field(item.group("name"), type_name, length, text))
                field_comments = []
            elif raw.strip():
                raise HeaderError(f"struct {name}: cannot parse {raw.strip()!r}")
        pack = self.pack_stack[-1]
        self.model.structs[name] = Struct(name, tuple(fields), comment, pack, union, self.namespace)

    def api_class(self, name: str, body: list[str]) -> ApiClass:
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
        return ApiClass(name, tuple(methods), self.namespace)


def _collect_body(lines: list[str], index: int, *, opened: bool) -> tuple[list[str], int, str]:
    """Lines between `{` and the matching `};` (nested `{ ... };` blocks stay inside), the index after it and
    the closing line (`} XTPRI;` names an alias); `index` points after the declaration line."""
    body: list[str] = []
    if not opened:
        while index < len(lines) and lines[index].strip() != "{":
            if lines[index].strip() and not _COMMENT.match(lines[index]):
                raise HeaderError(f"expected '{{' but found {lines[index].strip()!r}")
            index += 1
        index += 1
    depth = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        code = line.split("//", 1)[0].strip()
        if code.startswith("}") and depth == 0 and (code.endswith(";") or code == "}"):
            return body, index, code
        depth += code.count("{") - code.count("}")
        body.append(line)
    raise HeaderError("unterminated body")


def _strip_block_comments(text: str) -> str:
    """`text` without `/* ... */` comments (their line breaks kept, so line numbers stay); `//` comments and
    string and character literals are left as they are (XTP comments whole struct declarations out)."""
    out: list[str] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if text.startswith("//", index):
            end = text.find("\n", index)
            end = size if end < 0 else end
            out.append(text[index:end])
            index = end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = size if end < 0 else end + 2
            out.append("\n" * text.count("\n", index, end))
            index = end
        elif char in "'\"":
            end = index + 1
            while end < size and text[end] != char and text[end] != "\n":
                end += 2 if text[end] == "\\" else 1
            out.append(text[index : end + 1])
            index = end + 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _linux_lines(lines: list[str]) -> list[str]:
    """`lines` with the branches only a Windows compiler takes blanked out (kept as empty lines)."""
    out: list[str] = []
    # per open conditional: (this branch is Windows-only, the conditional is a Windows test)
    stack: list[tuple[bool, bool]] = []
    for line in lines:
        match = _CONDITIONAL.match(line)
        if match:
            directive, rest = match.groups()
            if directive in ("if", "ifdef", "ifndef"):
                windows = bool(_WINDOWS_ONLY.search(rest))
                stack.append((windows and directive != "ifndef", windows))
            elif directive in ("else", "elif") and stack:
                skipped, windows = stack[-1]
                stack[-1] = (windows and not skipped, windows)
            elif directive == "endif" and stack:
                stack.pop()
            out.append("")
            continue
        out.append("" if any(skipped for skipped, _ in stack) else line)
    return out


def _parse_param(text: str) -> Param:
    text = " ".join(text.split())
    default = None
    if "=" in text:
        text, default = (part.strip() for part in text.split("=", 1))
    is_array = text.endswith("[]")
    text = text.removesuffix("[]").strip()
    match = re.fullmatch(rf"(const\s+)?({_SCALAR}|\w+)\s*(\**)\s*(&?)\s*(\w+)", text)
    if not match:
        raise HeaderError(f"cannot parse parameter {text!r}")
    const, type_name, stars, reference, name = match.groups()
    return Param(type_name, name, len(stars), is_array, bool(const), default, bool(reference))


def parse_text(texts: list[str], dialect: Dialect) -> HeaderModel:
    """Parse header texts in order (data types first) into one model."""
    model = HeaderModel()
    scanner = _Scanner(model, dialect)
    for text in texts:
        scanner.scan(text)
    return model


def parse_sdk(include_dir: Path, dialect: Dialect) -> HeaderModel:
    """Parse the dialect's headers found in include_dir and check that every class it needs is there."""
    texts = []
    for name in dialect.headers:
        path = include_dir / name
        if not path.is_file():
            raise HeaderError(f"{path} is missing (run the SDK fetch step)")
        texts.append(read_header(path))
    model = parse_text(texts, dialect)
    for name in (*dialect.spi_classes, *dialect.api_classes):
        if name not in model.classes:
            raise HeaderError(f"the {dialect.name} headers in {include_dir} declare no class {name}")
    for cls in model.classes.values():
        for method in cls.methods:
            for param in dialect.struct_params(method):
                if model.struct_of(param.type) is None:
                    raise HeaderError(f"{cls.name}::{method.name} uses unknown struct {param.type}")
    return model


def iter_structs(model: HeaderModel) -> Iterator[Struct]:
    yield from model.structs.values()
