"""tools/sdkgen/declared.py: vtcore's own declarations of an SDK without usable headers (OES), from a spec
of the documented layouts. The generator refuses any layout the compiler would not produce, the emitted header
asserts every size and offset (and the compiler holds it to them), and the Python classes read the same
offsets."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sdkgen.__main__ import main as sdkgen_main
from sdkgen.declared import SpecError, emit_exports, emit_header, emit_python, outputs, parse_spec, read_spec

ROOT = Path(__file__).resolve().parents[2]
OES_SPEC = ROOT / "sdk" / "oes" / "0.17.5.8.spec"
needs_compiler = pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")


def test_oes_spec_gives_the_documented_sizes_and_offsets() -> None:
    """The sizes and offsets the OES reference measured for 0.17.5.8 (the ones the gateway and the simulator
    rely on), as the spec lays them out."""
    spec = read_spec(OES_SPEC)
    sizes = {name: layout[0] for name, layout in spec.layouts.items()}
    assert (spec.id, spec.title, spec.version) == ("oes", "OES", "0.17.5.8")
    assert {
        name: sizes[name]
        for name in (
            "SMsgHeadT",
            "SGeneralClientRemoteCfgT",
            "SGeneralClientChannelT",
            "OesApiClientEnvT",
            "OesOrdReqT",
            "OesOrdCancelReqT",
            "OesOrdRejectT",
            "OesOrdCnfmT",
            "OesTrdCnfmT",
            "OesCashAssetItemT",
            "OesStkHoldingItemT",
            "OesStockItemT",
            "OesRptMsgT",
            "OesRspMsgBodyT",
            "MdsMktDataRequestReqBufT",
            "MdsMktDataSnapshotT",
            "MdsL2TradeT",
            "MdsMktRspMsgBodyT",
        )
    } == {
        "SMsgHeadT": 8,
        "SGeneralClientRemoteCfgT": 2144,
        "SGeneralClientChannelT": 768,
        "OesApiClientEnvT": 2304,
        "OesOrdReqT": 72,
        "OesOrdCancelReqT": 72,
        "OesOrdRejectT": 96,
        "OesOrdCnfmT": 336,
        "OesTrdCnfmT": 248,
        "OesCashAssetItemT": 736,
        "OesStkHoldingItemT": 696,
        "OesStockItemT": 384,
        "OesRptMsgT": 752,
        "OesRspMsgBodyT": 752,
        "MdsMktDataRequestReqBufT": 32024,
        "MdsMktDataSnapshotT": 856,
        "MdsL2TradeT": 120,
        "MdsMktRspMsgBodyT": 4824,
    }
    offsets = {
        (record.name, item.name): item.offset for record in spec.records.values() for item in record.fields
    }
    assert offsets[("SGeneralClientChannelT", "protocolType")] == 16
    assert offsets[("SGeneralClientChannelT", "lastInMsgSeq")] == 144
    assert offsets[("SGeneralClientChannelT", "lastOutMsgSeq")] == 344
    assert offsets[("OesRptMsgHeadT", "ordRejReason")] == 12
    assert offsets[("OesOrdCnfmT", "ordRejReason")] == 184
    assert spec.aliases["OesApiSessionInfoT"] == "SGeneralClientChannelT"
    assert dict(spec.enums["eOesMsgTypeT"])["OESMSG_RPT_TRADE_REPORT"] == 21
    assert spec.functions[0].name == "OesApi_GetApiVersion"  # checked before any other call


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("struct A 8\n  1 int32 x\n", r"offset 1 is not a multiple of its alignment 4"),
        ("struct A 8\n  0 int32 x\n  2 int16 y\n", r"offset 2, but the bytes before it end at 4"),
        ("struct A 4\n  0 int32 x\n  4 int32 y\n", r"size 4, but its fields need 8 bytes"),
        ("struct A 6\n  0 int32 x\n", r"size 6, but its fields need 4 bytes aligned to 4"),
        ("struct A 8\n  0 Missing x\n", r"A\.x: unknown type Missing"),
        ("struct A 8\n  0 int32 x\n  4 int32 x\n", r"A\.x: declared twice"),
        ("union U 8\n  4 int32 x\n", r"a union member is at offset 0, not 4"),
        (
            "struct B 4\n  0 int32 y\nstruct A 4\n  0 B (anonymous)\n",
            r"only a union can be an anonymous member",
        ),
        ("struct A 4\n  0 int32 x\nstruct A 4\n  0 int32 x\n", r"A is declared twice"),
        ("function int32 F(Unknown *p)\n", r"F: unknown type Unknown"),
        ("enum E\n  X one\n", r"an enum member is '<name> <value>'"),
        ("struct A 8 align 2\n  0 int32 x\n", r"align 2 is below its natural 4"),
    ],
)
def test_inconsistent_specs_are_refused_with_the_line(body: str, error: str) -> None:
    with pytest.raises(SpecError, match=error):
        parse_spec("sdk demo DEMO 1.0\n" + body)


def test_left_out_bytes_become_explicit_padding() -> None:
    """A spec lists only the fields vtcore relies on; the generator fills the rest so offsets stay exact."""
    spec = parse_spec("sdk demo DEMO 1.0\nstruct A 32 align 8\n  4 int32 x\n  16 int64 y\n")
    placed = [(p.offset, p.name, p.size) for p in spec.layouts["A"][2]]
    assert placed == [
        (0, "_vtcore_gap1", 4),
        (4, "x", 4),
        (8, "_vtcore_gap2", 8),
        (16, "y", 8),
        (24, "_vtcore_tail", 8),
    ]


def _compile(header: str, work: Path, name: str = "probe") -> subprocess.CompletedProcess[str]:
    (work / f"{name}.h").write_text(header, encoding="utf-8")
    (work / f"{name}.cpp").write_text(f'#include "{name}.h"\nint main() {{ return 0; }}\n', encoding="utf-8")
    command = ["g++", "-std=c++20", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", str(work / f"{name}.cpp")]
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)


@needs_compiler
def test_the_compiler_holds_the_declarations_to_the_spec(tmp_path: Path) -> None:
    """The OES header compiles with every static_assert; change one documented number in the emitted header
    and the build fails on that assert, so the asserts do check the declarations."""
    spec = read_spec(OES_SPEC)
    header = emit_header(spec, "sdk/oes/0.17.5.8.spec")
    assert header.count("static_assert(") > 600
    compiled = _compile(header, tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    broken = header.replace(
        "offsetof(SGeneralClientChannelT, lastOutMsgSeq) == 344",
        "offsetof(SGeneralClientChannelT, lastOutMsgSeq) == 352",
    )
    assert broken != header
    failed = _compile(broken, tmp_path, "broken")
    assert failed.returncode != 0 and "SGeneralClientChannelT.lastOutMsgSeq at 344" in failed.stderr


def test_python_classes_read_the_spec_offsets() -> None:
    spec = read_spec(OES_SPEC)
    namespace: dict[str, object] = {}
    exec(compile(emit_python(spec), "_oes_types.py", "exec"), namespace)
    cnfm_class = namespace["OesOrdCnfm"]
    layout = {name: (kind, offset, count) for name, kind, offset, count in cnfm_class.LAYOUT}  # type: ignore[attr-defined]
    assert layout["ordStatus"] == ("B", 100, 1) and layout["securityId"] == ("s", 24, 16)
    assert layout["ordRejReason"] == ("i", 184, 1)
    assert not any(name.startswith("__") for name in layout)  # internal fields stay in C++
    raw = bytearray(336)
    raw[24:30] = b"600000"
    raw[100] = 8
    view = cnfm_class.view(bytes(raw))  # type: ignore[attr-defined]
    assert (view.securityId, view.ordStatus) == ("600000", 8)
    request_class = namespace["OesOrdReq"]
    with pytest.raises(ValueError, match=r"OesOrdReq\.securityId is too long \(16 bytes; at most 15 fit\)"):
        request_class(securityId="6" * 16)  # type: ignore[operator]
    assert namespace["OESMSG_RPT_ORDER_REPORT"] == 20
    assert namespace["FUNCTIONS"] == tuple(f.name for f in spec.functions)


def test_exports_and_the_command_line(tmp_path: Path) -> None:
    spec = read_spec(OES_SPEC)
    exported = re.findall(r"^\s+(\w+);$", emit_exports(spec), re.MULTILINE)
    assert exported == [f.name for f in spec.functions] and "local: *;" in emit_exports(spec)
    assert sdkgen_main(["declared", "--spec", str(OES_SPEC), "--out", str(tmp_path)]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(outputs(spec))


def test_text_is_read_in_the_specs_encoding() -> None:
    """OES documents its text fields as UTF-8 (`text utf-8` in the spec); a spec without the line keeps the
    Thost family's GB18030."""
    spec = read_spec(OES_SPEC)
    assert spec.text_encoding == "utf-8"
    namespace: dict[str, object] = {}
    exec(compile(emit_python(spec), "_oes_types.py", "exec"), namespace)
    raw = bytearray(384)
    name = "浦发银行".encode()
    raw[216 : 216 + len(name)] = name
    assert namespace["OesStockItem"].view(bytes(raw)).securityName == "浦发银行"  # type: ignore[attr-defined]
    read = namespace["OesStockItem"].reader("securityName")  # type: ignore[attr-defined]
    assert read(namespace["OesStockItem"].view(bytes(raw))) == ("浦发银行",)  # type: ignore[attr-defined]
    plain = parse_spec("sdk x X 1\nstruct A 8 python A\n  0 char name[8]\n")
    assert plain.text_encoding == "gb18030"
    assert 'name = text_field("A.name", 0, 8)' in emit_python(plain)
