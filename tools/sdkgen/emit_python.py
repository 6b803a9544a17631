"""Emit an SDK's Python module: typed classes for every struct that crosses, constants and message tables.

`_<id>_types.py` (installed as `vtcore/gateways/<id>/_<id>_types.py`) and its `.pyi`:

- one `SdkStruct` subclass per crossing struct, named by the dialect (`CThostFtdcInputOrderField` ->
  `InputOrder`), with a property per field (`vtcore.gateways._sdk.structs`: lazy reads, checked writes); the
  `.pyi` gives each field its Python type and each class a keyword-only `__init__`, so mypy checks field names;
- the character constants (`THOST_FTDC_OST_AllTraded: Final = "0"`), integer `#define`s (`XTP_SIDE_BUY: Final
  = 1`) and enum members; a nested struct's members appear flattened (`order_err_t_error_id`), an anonymous
  union's as they are (`side`), as `HeaderModel.flat_fields` spells them;
- `CALLBACKS`: message kind -> (callback name, data class or None, has the error struct);
  `<ROLE>_<Callback>` kind constants (`TRADER_OnRtnOrder`);
- `<ROLE>_REQUESTS`: request name -> (index, struct class or None), the `index` `api.request()` takes;
- `ERROR_STRUCT` (the dialect's error struct class), `ERROR_FIELDS` (its id and message fields) and
  `API_VERSION`.
"""

from __future__ import annotations

import keyword
import re

from sdkgen.dialects import Sdk
from sdkgen.emit_binding import callbacks, crossing_structs, requests
from sdkgen.model import SCALARS, FlatField, HeaderError, HeaderModel, Struct

SECRET_FIELD = re.compile(r"password|passwd|authcode|secret", re.IGNORECASE)
RESERVED = {"view", "buffer", "copy", "as_dict", "unchecked", "C_NAME", "SIZE", "FIELDS", "LAYOUT", "SECRET", "ENCODING"}


def _python_type(sdk: Sdk, struct: Struct, flat: FlatField) -> tuple[str, str]:
    """(property factory call, Python type) of a struct's member."""
    kind = flat.kind
    offset = flat.offset
    label = f"{_class_name(sdk, struct)}.{flat.name}"
    fmt = SCALARS[kind.base][1]
    if kind.is_text:
        encoding = "" if sdk.dialect.text_encoding == "gb18030" else f', "{sdk.dialect.text_encoding}"'
        return f'text_field("{label}", {offset}, {kind.length}{encoding})', "str"
    if kind.length is not None:
        py = "float" if fmt in "fd" else "int"
        return f'array_field("{label}", {offset}, "{fmt}", {kind.length})', f"tuple[{py}, ...]"
    if kind.base == "char":
        return f'char_field("{label}", {offset})', "str"
    if fmt == "?":
        return f'number_field("{label}", {offset}, "?")', "bool"
    return f'number_field("{label}", {offset}, "{fmt}")', "float" if fmt in "fd" else "int"


def _layout_entry(flat: FlatField) -> tuple[str, str, int, int]:
    """(field, kind, offset, count): kind "s" text (count = bytes), "c" char, else a struct format character
    (count = array length, 1 for a scalar)."""
    kind = flat.kind
    if kind.is_text:
        return flat.name, "s", flat.offset, kind.length or 0
    if kind.base == "char" and kind.length is None:
        return flat.name, "c", flat.offset, 1
    return flat.name, SCALARS[kind.base][1], flat.offset, kind.length or 1


def _class_name(sdk: Sdk, struct: Struct) -> str:
    name = sdk.dialect.short_name(struct.name)
    if not name.isidentifier() or keyword.iskeyword(name):
        raise HeaderError(f"struct {struct.name} has no usable Python name ({name!r})")
    return name


def _docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''")


def emit_python(sdk: Sdk, model: HeaderModel, version: str, *, stub: bool = False) -> str:
    dialect = sdk.dialect
    structs = crossing_structs(sdk, model)
    names = {struct.name: _class_name(sdk, struct) for struct in structs}
    if len(set(names.values())) != len(names):
        raise HeaderError(f"two crossing structs of {sdk.id} would share a Python class name")
    out = [
        f'"""{sdk.title} {version}: typed structs, constants and message tables (tools/sdkgen, build time).',
        "",
        'Generated from the vendor headers; do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Final",
        "",
        "from vtcore.gateways._sdk.structs import SdkStruct"
        + ("" if stub else ", array_field, char_field, number_field, text_field"),
        "",
        f'API_VERSION: Final = "{version}"',
        "",
        "# Character constants (the text between the quotes in the header).",
    ]
    for define in model.defines.values():
        comment = f"  # {define.comment}" if define.comment and not stub else ""
        out.append(f"{define.name}: Final = {define.value!r}{comment}")
    enum_members = {name for enum in model.enums.values() for name, _ in enum.members}
    integers = [(name, value) for name, value in model.constants.items() if name not in enum_members]
    if integers:
        out.append("# Integer constants (#define, const int).")
        out += [f"{name}: Final = {value}" for name, value in integers if name.isidentifier()]
    for enum in model.enums.values():
        out.append(f"# enum {enum.name}")
        out += [f"{name}: Final = {value}" for name, value in enum.members]
    for struct in structs:
        class_name = names[struct.name]
        size = model.layout(struct).size
        flats = model.flat_fields(struct)
        fields = [flat.name for flat in flats]
        for name in fields:
            if name in RESERVED or not name.isidentifier() or keyword.iskeyword(name):
                raise HeaderError(f"{struct.name}.{name} cannot be a Python attribute")
        secret = sorted(name for name in fields if SECRET_FIELD.search(name))
        out += ["", "", f"class {class_name}(SdkStruct):"]
        if stub:
            typed = [(flat.name, _python_type(sdk, struct, flat)[1]) for flat in flats]
            out += [f"    {name}: {py}" for name, py in typed]
            arguments = ", ".join(f"{name}: {py} = ..." for name, py in typed)
            out.append(f"    def __init__(self, *, {arguments}) -> None: ..." if typed else "    pass")
            continue
        comment = f": {_docstring(struct.comment)}" if struct.comment else ""
        out += [
            f'    """{struct.name} ({size} bytes){comment}"""',
            "",
            "    __slots__ = ()",
            f'    C_NAME = "{struct.name}"',
            f"    SIZE = {size}",
            f"    FIELDS = {tuple(fields)!r}",
            f"    LAYOUT = {tuple(_layout_entry(flat) for flat in flats)!r}",
            f"    SECRET = frozenset({secret!r})",
        ]
        if dialect.text_encoding != "gb18030":
            out.append(f'    ENCODING = "{dialect.text_encoding}"')
        for flat in flats:
            out.append(f"    {flat.name} = {_python_type(sdk, struct, flat)[0]}")
    out += ["", ""]
    error = model.struct_of(dialect.rsp_info) if dialect.rsp_info else None
    out.append(f"ERROR_STRUCT: Final = {names[error.name] if error else None}")
    out.append(f"ERROR_FIELDS: Final = {dialect.error_fields!r}")
    out += ["", "# kind -> (callback name, data struct class or None, has the error struct)",
            "CALLBACKS: Final[dict[int, tuple[str, type[SdkStruct] | None, bool]]] = {"]
    kinds = []
    for spi_name in dialect.spi_classes:
        prefix = dialect.role(spi_name).upper()
        for callback in callbacks(sdk, model, spi_name):
            data_struct = model.struct_of(callback.data) if callback.data else None
            data = names[data_struct.name] if data_struct else "None"
            out.append(f'    {callback.kind}: ("{callback.method.name}", {data}, {callback.has_error}),')
            kinds.append(f"{prefix}_{callback.method.name}: Final = {callback.kind}")
    out += ["}", "", *kinds]
    for api_name in dialect.api_classes:
        prefix = dialect.role(api_name).upper()
        out += ["", f"# {api_name}: request name -> (index for api.request(), struct class or None)",
                f"{prefix}_REQUESTS: Final[dict[str, tuple[int, type[SdkStruct] | None]]] = {{"]
        for request in requests(sdk, model, api_name):
            request_struct = model.struct_of(request.struct) if request.struct else None
            struct_class = names[request_struct.name] if request_struct else "None"
            out.append(f'    "{request.method.name}": ({request.index}, {struct_class}),')
        out.append("}")
    return "\n".join(out) + "\n"
