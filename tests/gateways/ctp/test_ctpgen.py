"""The CTP header generator (tools/ctpgen): the parsed model matches the compiler; the emitters' output."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ctpgen.parse import (
    HeaderError,
    HeaderModel,
    parse_api,
    parse_data_types,
    parse_sdk,
    parse_structs,
    read_header,
)

from _ctp_sdk import sdk_dir

VERSIONS = ["6.7.11", "6.7.13"]


@pytest.fixture(scope="module", params=VERSIONS)
def model(request: pytest.FixtureRequest) -> tuple[str, HeaderModel]:
    version = request.param
    return version, parse_sdk(sdk_dir(version) / "include")


def test_counts_and_known_facts(model: tuple[str, HeaderModel]) -> None:
    version, parsed = model
    trader_spi = parsed.classes["CThostFtdcTraderSpi"]
    trader_api = parsed.classes["CThostFtdcTraderApi"]
    md_spi, md_api = parsed.classes["CThostFtdcMdSpi"], parsed.classes["CThostFtdcMdApi"]
    assert len(md_spi.methods) == 13
    assert [m.name for m in md_api.methods[:3]] == ["CreateFtdcMdApi", "GetApiVersion", "Release"]
    assert md_api.method("Release").vtable_index == 0
    assert md_api.method("SubscribeMarketData").params[0].is_array
    create = md_api.method("CreateFtdcMdApi")
    assert create.is_static and [p.default for p in create.params] == ['""', "false", "false", "true"]
    assert parsed.layout("CThostFtdcDepthMarketDataField").size == 584
    assert parsed.layout("CThostFtdcOrderField").size == 872
    assert parsed.layout("CThostFtdcRspInfoField").size == 88
    status = parsed.defines["THOST_FTDC_OST_AllTraded"]
    assert (status.value, status.type_name) == ("0", "TThostFtdcOrderStatusType")
    assert parsed.typedefs["TThostFtdcInstrumentIDType"].length == 81
    if version == "6.7.11":
        assert len(trader_spi.methods) == 164
        assert sum(m.kind == "request" for m in trader_api.methods) == 118
        assert trader_spi.methods[4].name == "OnRspUserLogin"
        assert parsed.layout("CThostFtdcReqUserLoginField").size == 264
    else:
        assert trader_spi.methods[4].name == "OnRtnPrivateSeqNo"  # the 6.7.13 vtable shift
        assert trader_api.method("SubscribePrivateTopic").params[-1].default == "1"
        assert parsed.layout("CThostFtdcReqUserLoginField").size == 280
        assert parsed.defines["THOST_FTDC_VTC_BankBankToFuture"].value == "102001"
    assert all(d.type_name in parsed.typedefs for d in parsed.defines.values())


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")
def test_layout_matches_the_compiler(model: tuple[str, HeaderModel], tmp_path: Path) -> None:
    """sizeof/offsetof of every struct and the vtable order of every class, printed by the compiler."""
    version, parsed = model
    lines = [
        "#include <cstddef>",
        "#include <cstdio>",
        '#include "ThostFtdcTraderApi.h"',
        '#include "ThostFtdcMdApi.h"',
        "int main() {",
    ]
    expected = []
    for struct in parsed.structs.values():
        layout = parsed.layout(struct)
        lines.append(f'  std::printf("%zu\\n", sizeof({struct.name}));')
        expected.append(str(layout.size))
        for item, offset in zip(struct.fields, layout.offsets, strict=True):
            lines.append(f'  std::printf("%zu\\n", offsetof({struct.name}, {item.name}));')
            expected.append(str(offset))
    # Vtable order: a pointer-to-member of a virtual function holds 1 + slot * sizeof(void*) (Itanium ABI).
    for cls in parsed.classes.values():
        for method in cls.virtuals:
            lines.append(
                f"  {{ auto p = &{cls.name}::{method.name}; std::size_t v; "
                f"static_assert(sizeof(p) >= sizeof(v)); __builtin_memcpy(&v, &p, sizeof(v)); "
                f'std::printf("%zu\\n", (v - 1) / sizeof(void*)); }}'
            )
            expected.append(str(method.vtable_index))
    lines.append("  return 0;\n}")
    source = tmp_path / "layout.cpp"
    source.write_text("\n".join(lines), encoding="utf-8")
    binary = tmp_path / "layout"
    subprocess.run(
        ["g++", "-std=c++17", "-w", "-I", str(sdk_dir(version) / "include"), str(source), "-o", str(binary)],
        check=True,
        timeout=300,
    )
    printed = subprocess.run([str(binary)], check=True, capture_output=True, text=True, timeout=60).stdout
    assert printed.split() == expected


def test_encodings_bom_and_gb18030(tmp_path: Path) -> None:
    text = "///TFtdcFooType是一个测试类型\ntypedef char TThostFtdcFooType[5];\n"
    (tmp_path / "bom.h").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "gbk.h").write_bytes(text.encode("gb18030"))
    for name in ("bom.h", "gbk.h"):
        parsed = HeaderModel()
        parse_data_types(read_header(tmp_path / name), parsed)
        assert parsed.typedefs["TThostFtdcFooType"].length == 5
        assert parsed.typedefs["TThostFtdcFooType"].comment == "测试类型"


def test_unknown_constructs_are_errors_not_guesses() -> None:
    parsed = HeaderModel()
    parse_data_types("typedef int TThostFtdcIntType;\n", parsed)
    with pytest.raises(HeaderError, match="unknown type"):
        parse_structs("struct CThostFtdcXField\n{\n\tTThostFtdcMissingType\tA;\n};\n", parsed)
    with pytest.raises(HeaderError, match="cannot parse"):
        parse_structs("struct CThostFtdcXField\n{\n\tunsigned long long A : 3;\n};\n", parsed)
    with pytest.raises(HeaderError, match="cannot parse"):
        parse_api("class CThostFtdcXSpi\n{\npublic:\n\ttemplate <class T> void f(T);\n};\n", parsed)


def test_binding_emitters(model: tuple[str, HeaderModel], tmp_path: Path) -> None:
    """Every callback gets an override that pushes one message, every request an entry point; the Python
    tables agree with the C layout; a second run rewrites nothing."""
    import struct  # noqa: PLC0415

    from ctpgen import emit_binding  # noqa: PLC0415

    version, parsed = model
    assert (
        emit_binding.main(
            ["--include", str(sdk_dir(version) / "include"), "--api-version", version, "--out", str(tmp_path)]
        )
        == 0
    )
    spi = (tmp_path / "ctp_spi.hpp").read_text(encoding="utf-8")
    for cls in ("CThostFtdcMdSpi", "CThostFtdcTraderSpi"):
        for method in parsed.classes[cls].virtuals:
            assert f"  void {method.name}(" in spi, method.name
    assert spi.count(" override {") == sum(len(parsed.classes[c].virtuals) for c in emit_binding.API_CODES)
    assert "virtual bool hook_OnRtnDepthMarketData(" in spi
    requests = (tmp_path / "ctp_requests.cpp").read_text(encoding="utf-8")
    for method in emit_binding.requests(parsed):
        assert f'if (name == "{method.name}")' in requests
    namespace: dict[str, object] = {}
    exec(
        compile((tmp_path / "_ctp_types.py").read_text(encoding="utf-8"), "_ctp_types.py", "exec"), namespace
    )
    assert namespace["API_VERSION"] == version
    tables = namespace["STRUCTS"]
    assert isinstance(tables, dict)
    for struct_model in emit_binding.decoded_structs(parsed):
        size, fmt, fields = tables[struct_model.short_name]
        assert struct.calcsize(fmt) == size == parsed.layout(struct_model).size
        assert [name for name, _, _ in fields] == [item.name for item in struct_model.fields]
    callbacks = namespace["CALLBACKS"]
    assert isinstance(callbacks, dict)
    login = callbacks[namespace["TD_OnRspUserLogin"]]
    assert login == ("OnRspUserLogin", "RspUserLogin", True)
    assert namespace["THOST_FTDC_OST_AllTraded"] == "0"
    stamps = {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()}
    emit_binding.main(
        ["--include", str(sdk_dir(version) / "include"), "--api-version", version, "--out", str(tmp_path)]
    )
    assert {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()} == stamps
