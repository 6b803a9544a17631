"""tools/sdkgen, the generator every C++ SDK binding and simulator front-end is built from: its one header
parser matches the compiler (sizeof, offsetof, vtable slots) on every header set (the Thost family: CTP
6.7.11, 6.7.13, CTP-Mini 1.7.7; XTP 2.2.32; TORA's stock trader, XMd and SP trader), and its emitters produce
what the bindings, the simulator and the gateways rely on. The XTP and TORA emitters' own checks are in
test_sdkgen_ashare.py."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from sdkgen import emit_binding, emit_python, emit_sim
from sdkgen.__main__ import main as sdkgen_main
from sdkgen.dialects import SDKS, THOST
from sdkgen.model import HeaderError, HeaderModel
from sdkgen.parse import parse_sdk, parse_text, read_header

from _ctp_sdk import sdk_dir

THOST_SETS = [("ctp", "6.7.11"), ("ctp", "6.7.13"), ("mini", "1.7.7")]
# (sdkgen unit, API version); a TORA unit's headers come with the TORA artifact
HEADER_SETS = [
    *THOST_SETS,
    ("xtp", "2.2.32"),
    ("tora", "4.1.6"),
    ("toraxmd", "4.1.6"),
    ("torasp", "4.1.6"),
    ("femas", "3.02"),
    ("tapquote", "9.3"),
    ("taptrade", "9.3"),
]
VENDOR = {"toraxmd": "tora", "torasp": "tora", "tapquote": "tap", "taptrade": "tap"}


def unit_include(unit: str, version: str) -> Path:
    return sdk_dir(version, VENDOR.get(unit, unit)) / "include"


@pytest.fixture(scope="module", params=THOST_SETS, ids=lambda p: f"{p[0]}-{p[1]}")
def header_set(request: pytest.FixtureRequest) -> tuple[str, str, HeaderModel]:
    sdk, version = request.param
    return sdk, version, parse_sdk(sdk_dir(version, sdk) / "include", THOST)


@pytest.fixture(scope="module", params=HEADER_SETS, ids=lambda p: f"{p[0]}-{p[1]}")
def any_header_set(request: pytest.FixtureRequest) -> tuple[str, str, HeaderModel]:
    unit, version = request.param
    return unit, version, parse_sdk(unit_include(unit, version), SDKS[unit].dialect)


def test_known_facts(header_set: tuple[str, str, HeaderModel]) -> None:
    """Sizes and vtable facts vendor-sdks.md established with the compiler, per header set."""
    sdk, version, model = header_set
    trader_spi = model.classes["CThostFtdcTraderSpi"]
    md_api = model.classes["CThostFtdcMdApi"]
    assert [m.name for m in md_api.methods[:3]] == ["CreateFtdcMdApi", "GetApiVersion", "Release"]
    assert md_api.method("Release").vtable_index == 0
    assert md_api.method("SubscribeMarketData").params[0].is_array
    status = model.defines["THOST_FTDC_OST_AllTraded"]
    assert (status.value, status.type_name) == ("0", "TThostFtdcOrderStatusType")
    assert all(d.type_name in model.typedefs for d in model.defines.values())
    if sdk == "mini":
        assert model.layout("CThostFtdcDepthMarketDataField").size == 528
        assert model.layout("CThostFtdcInputOrderField").size == 360
        assert [p.default for p in md_api.method("CreateFtdcMdApi").params] == ['""', "false", "false"]
        assert trader_spi.methods[3].name == "OnRspSubscribeFlowCtrlWarning"
        assert len(trader_spi.virtuals) == 83
        assert "CustomOrderRef" in [f.name for f in model.structs["CThostFtdcOrderField"].fields]
        trader_api = model.classes["CThostFtdcTraderApi"]
        assert "ReqSettlementInfoConfirm" not in [m.name for m in trader_api.methods]
        assert model.layout("CThostFtdcMKInputOrderActionField").size > 0  # char[80 + 1] lengths evaluate
    else:
        assert model.layout("CThostFtdcDepthMarketDataField").size == 584
        assert model.layout("CThostFtdcInputOrderField").size == 408
        assert model.layout("CThostFtdcOrderField").size == 872
        assert len(trader_spi.virtuals) == 164 if version == "6.7.11" else len(trader_spi.virtuals) > 164
        login = "OnRspUserLogin" if version == "6.7.11" else "OnRtnPrivateSeqNo"  # 6.7.13's vtable shift
        assert trader_spi.methods[4].name == login
        assert model.layout("CThostFtdcReqUserLoginField").size == (264 if version == "6.7.11" else 280)


def compiler_agrees(
    model: HeaderModel,
    structs: list[str],
    include: Path,
    headers: list[str],
    *,
    work: Path,
    vtables: bool = False,
) -> None:
    """Compile a program printing sizeof/offsetof of `structs` (every member, nested and anonymous ones
    through their C++ designators; anonymous blocks themselves have no name to print) and the vtable slot of
    every virtual method of every class (a pointer-to-member of a virtual function holds 1 + slot *
    sizeof(void*), Itanium ABI), and compare it with the model."""
    lines = [
        "#include <cstddef>",
        "#include <cstdio>",
        "#include <cstring>",
        *[f'#include "{h}"' for h in headers],
        *[f"using namespace {name};" for name in model.namespaces],
        "int main() {",
    ]
    expected = []
    for name in structs:
        if "<anonymous" in name:
            continue
        layout = model.layout(name)
        lines.append(f'  std::printf("%zu\\n", sizeof({name}));')
        expected.append(str(layout.size))
        for flat in model.flat_fields(name):
            lines.append(f'  std::printf("%zu\\n", offsetof({name}, {flat.designator}));')
            expected.append(str(flat.offset))
    for cls in model.classes.values() if vtables else ():
        for method in cls.virtuals:
            lines.append(
                f"  {{ auto p = &{cls.name}::{method.name}; std::size_t v; __builtin_memcpy(&v, &p, "
                f'sizeof(v)); std::printf("%zu\\n", (v - 1) / sizeof(void*)); }}'
            )
            expected.append(str(method.vtable_index))
    lines.append("  return 0;\n}")
    (work / "layout.cpp").write_text("\n".join(lines), encoding="utf-8")
    binary = work / "layout"
    command = ["g++", "-std=c++17", "-w", "-I", str(include), str(work / "layout.cpp"), "-o", str(binary)]
    subprocess.run(command, check=True, timeout=300)
    printed = subprocess.run([str(binary)], check=True, capture_output=True, text=True, timeout=60).stdout
    assert printed.split() == expected


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")
def test_layouts_and_vtables_match_the_compiler(
    any_header_set: tuple[str, str, HeaderModel], tmp_path: Path
) -> None:
    """sizeof/offsetof of every struct (every member) and the vtable slot of every virtual method, printed by
    g++."""
    unit, version, model = any_header_set
    headers = list(SDKS[unit].dialect.api_headers)
    include = unit_include(unit, version)
    compiler_agrees(model, list(model.structs), include, headers, work=tmp_path, vtables=True)


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")
def test_generic_parser_features_match_the_compiler(tmp_path: Path) -> None:
    """What the other families' headers use (TAP packs its structs to 1, XTP sizes arrays with constants, TORA
    and TAP use typedefs of typedefs and enums as field types), on a small header, against g++."""
    header = """
#define NAME_LEN 16
enum Side { BUY = '1', SELL = '2' };
typedef char TName[NAME_LEN + 1];
typedef TName TAlias;
typedef unsigned int TCount;
typedef long long TVolume;
#pragma pack(push, 1)
///一个打包的结构
struct CThostFtdcPackedField
{
	char Flag;
	TCount Count;
	double Price;
	TAlias Name;
	TVolume Volumes[3];
	Side Direction;
};
#pragma pack(pop)
struct CThostFtdcNaturalField
{
	char Flag;
	double Price;
	short Small;
	char Text[NAME_LEN];
};
"""
    model = parse_text([header], THOST)
    assert model.constants["NAME_LEN"] == 16 and model.enums["Side"].members == (("BUY", 49), ("SELL", 50))
    packed, natural = model.structs["CThostFtdcPackedField"], model.structs["CThostFtdcNaturalField"]
    assert packed.pack == 1 and natural.pack is None and packed.comment == "一个打包的结构"
    (tmp_path / "probe.h").write_text(header, encoding="utf-8")
    compiler_agrees(model, [packed.name, natural.name], tmp_path, ["probe.h"], work=tmp_path)


def test_header_encodings(tmp_path: Path) -> None:
    """utf-8 (with or without BOM) first, then GB18030 (the FEMAS, TORA and TAP headers are GBK)."""
    text = "///TFtdcFooType是一个测试类型\ntypedef char TThostFtdcFooType[5];\n"
    (tmp_path / "bom.h").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "gbk.h").write_bytes(text.encode("gb18030"))
    for name in ("bom.h", "gbk.h"):
        decoded = read_header(tmp_path / name)
        assert decoded == text
        assert parse_text([decoded], THOST).typedefs["TThostFtdcFooType"].length == 5


def test_unknown_constructs_are_errors_not_guesses() -> None:
    with pytest.raises(HeaderError, match="unknown type"):
        parse_text(["struct CThostFtdcXField\n{\n\tTThostFtdcMissingType\tA;\n};\n"], THOST)
    with pytest.raises(HeaderError, match="cannot parse"):
        parse_text(["struct CThostFtdcXField\n{\n\tunsigned long long A : 3;\n};\n"], THOST)
    with pytest.raises(HeaderError, match="cannot parse"):
        parse_text(["class CThostFtdcXSpi\n{\npublic:\n\ttemplate <class T> void f(T);\n};\n"], THOST)
    with pytest.raises(HeaderError, match="unknown array length"):
        parse_text(["typedef char TThostFtdcXType[MISSING];\n"], THOST)


def test_binding_emitters(header_set: tuple[str, str, HeaderModel], tmp_path: Path) -> None:
    """Every callback gets an override that pushes one message, every request an entry in the request table;
    the typed Python classes agree with the layout; a second run rewrites nothing."""
    sdk_id, version, model = header_set
    sdk = SDKS[sdk_id]
    include = sdk_dir(version, sdk_id) / "include"
    argv = [
        "binding",
        "--sdk",
        sdk_id,
        "--include",
        str(include),
        "--api-version",
        version,
        "--out",
        str(tmp_path),
    ]
    assert sdkgen_main(argv) == 0
    spi = (tmp_path / f"{sdk_id}_spi.hpp").read_text(encoding="utf-8")
    for cls in THOST.spi_classes:
        for method in model.classes[cls].virtuals:
            assert f"  void {method.name}(" in spi, method.name
    assert spi.count(" override {") == sum(len(model.classes[c].virtuals) for c in THOST.spi_classes)
    assert "virtual bool hook_OnRtnDepthMarketData(" in spi
    assert f"namespace vtcore::{sdk_id}" in spi
    header = (tmp_path / f"{sdk_id}_requests.hpp").read_text(encoding="utf-8")
    source = (tmp_path / f"{sdk_id}_requests.cpp").read_text(encoding="utf-8")
    for api in THOST.api_classes:
        for request in emit_binding.requests(sdk, model, api):
            assert f'{{"{request.method.name}", "{request.struct or ""}"' in header
            assert f"return api.{request.method.name}(" in source
    assert 'if (!terminated(s.InstrumentID)) return "InstrumentID";' in source
    namespace: dict[str, object] = {}
    code = (tmp_path / f"_{sdk_id}_types.py").read_text(encoding="utf-8")
    exec(compile(code, f"_{sdk_id}_types.py", "exec"), namespace)
    assert namespace["API_VERSION"] == version
    for item in emit_binding.crossing_structs(sdk, model):
        cls = namespace[THOST.short_name(item.name)]
        layout = model.layout(item)
        assert layout.size == cls.SIZE  # type: ignore[attr-defined]
        assert tuple(f.name for f in item.fields) == cls.FIELDS  # type: ignore[attr-defined]
        assert [offset for _, _, offset, _ in cls.LAYOUT] == list(layout.offsets)  # type: ignore[attr-defined]
    callbacks = namespace["CALLBACKS"]
    assert isinstance(callbacks, dict)
    login = callbacks[namespace["TRADER_OnRspUserLogin"]]
    assert login == ("OnRspUserLogin", namespace["RspUserLogin"], True)
    requests = namespace["TRADER_REQUESTS"]
    assert isinstance(requests, dict) and requests["ReqOrderInsert"][1] is namespace["InputOrder"]
    if sdk_id == "mini":
        assert requests["ReqSubscribeFundChange"][1] is None  # a request that sends no struct
    stub = (tmp_path / f"_{sdk_id}_types.pyi").read_text(encoding="utf-8")
    assert re.search(r"class InputOrder\(SdkStruct\):\n    BrokerID: str\n", stub)
    assert "    LimitPrice: float\n" in stub and "def __init__(self, *, BrokerID: str = ..." in stub
    stamps = {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()}
    sdkgen_main(argv)
    assert {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()} == stamps


def test_typed_structs_pack_read_and_refuse(header_set: tuple[str, str, HeaderModel], tmp_path: Path) -> None:
    """A generated request class packs exactly the C layout; a bad field is refused by name; a view reads the
    SDK's bytes lazily; repr masks secrets."""
    sdk_id, version, model = header_set
    namespace: dict[str, object] = {}
    exec(compile(emit_python.emit_python(SDKS[sdk_id], model, version), "types", "exec"), namespace)
    input_order, login = namespace["InputOrder"], namespace["ReqUserLogin"]
    order = input_order(InstrumentID="rb2601", LimitPrice=3500.5, VolumeTotalOriginal=3, Direction="1")  # type: ignore[operator]
    raw = bytes(order)
    layout = model.layout("CThostFtdcInputOrderField")
    names = [f.name for f in model.structs["CThostFtdcInputOrderField"].fields]
    assert len(raw) == layout.size
    assert struct.unpack_from("<d", raw, layout.offsets[names.index("LimitPrice")])[0] == 3500.5
    assert raw[layout.offsets[names.index("Direction")]] == ord("1")
    view = input_order.view(raw)  # type: ignore[attr-defined]
    read = (view.InstrumentID, view.VolumeTotalOriginal, view.Direction, view.OrderRef)
    assert read == ("rb2601", 3, "1", "")
    with pytest.raises(ValueError, match=r"InputOrder.InstrumentID is too long \(81 bytes; at most 80 fit\)"):
        order.InstrumentID = "x" * 81  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=r"read-only|does not support|not writable|bytes"):
        view.LimitPrice = 1.0
    secret = login(UserID="u1", Password="hunter2")  # type: ignore[operator]
    assert "hunter2" not in repr(secret) and "Password=***" in repr(secret)


def test_simulator_stubs(header_set: tuple[str, str, HeaderModel], tmp_path: Path) -> None:
    """Every pure virtual request of each API class gets a "not implemented" stub, nothing else is stubbed, a
    request of another shape is an error, and the output compiles against its headers."""
    sdk_id, version, model = header_set
    sdk = SDKS[sdk_id]
    api = model.classes["CThostFtdcTraderApi"]
    text = emit_sim.emit_stubs(sdk, model, "CThostFtdcTraderApi", "TraderApiStubs")
    stubbed = re.findall(r"^  int (Req\w+)\(", text, flags=re.M)
    assert stubbed == [m.name for m in api.virtuals if m.is_pure and m.name.startswith("Req")]
    assert 'not_implemented("ReqQryExchange", nRequestID)' in text and "RegisterFront(" not in text
    md = model.classes["CThostFtdcMdApi"]
    login = md.method("ReqUserLogin")
    methods = tuple(replace(m, params=m.params[:1]) if m is login else m for m in md.methods)
    broken = replace(md, methods=methods)
    with pytest.raises(emit_sim.EmitError, match="ReqUserLogin"):
        emit_sim.stub_requests(sdk, broken)
    if shutil.which("g++") is None:
        return
    for api_name, name in (("CThostFtdcMdApi", "MdApiStubs"), ("CThostFtdcTraderApi", "TraderApiStubs")):
        stubs = emit_sim.emit_stubs(sdk, model, api_name, name)
        (tmp_path / f"{name}.hpp").write_text(stubs, encoding="utf-8")
    (tmp_path / "check.cpp").write_text(
        '#include "MdApiStubs.hpp"\n#include "TraderApiStubs.hpp"\n', encoding="utf-8"
    )
    command = [
        "g++",
        "-std=c++17",
        "-fsyntax-only",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-isystem",
        str(sdk_dir(version, sdk_id) / "include"),
        f"-I{tmp_path}",
        str(tmp_path / "check.cpp"),
    ]
    subprocess.run(command, check=True, timeout=120)
