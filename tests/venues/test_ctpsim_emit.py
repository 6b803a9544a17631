"""The simulator's stub emitter (tools/ctpgen/emit_sim.py): every pure virtual request of the header gets a
stub that reports "not implemented", nothing else is stubbed, and the output compiles for each SDK version."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from ctpgen.emit_sim import EmitError, emit_stubs, stub_requests
from ctpgen.parse import HeaderModel, parse_sdk

from _ctp_sdk import sdk_dir

VERSIONS = ["6.7.11", "6.7.13"]


@pytest.fixture(scope="module", params=VERSIONS)
def model(request: pytest.FixtureRequest) -> tuple[str, HeaderModel]:
    return request.param, parse_sdk(sdk_dir(request.param) / "include")


def test_every_pure_virtual_request_is_stubbed(model: tuple[str, HeaderModel]) -> None:
    version, parsed = model
    api = parsed.classes["CThostFtdcTraderApi"]
    text = emit_stubs(parsed, "CThostFtdcTraderApi", "TraderApiStubs")
    stubbed = re.findall(r"^  int (Req\w+)\(", text, flags=re.M)
    expected = [m.name for m in api.virtuals if m.is_pure and m.name.startswith("Req")]
    assert stubbed == expected
    assert len(stubbed) >= 118 and ("ReqOrderInsert" in stubbed)
    assert 'not_implemented("ReqQryExchange", nRequestID)' in text
    assert "Init" not in stubbed and "RegisterFront(" not in text  # non-requests are left to the simulator
    if version == "6.7.13":  # requests appended in 6.7.13 are stubbed too
        assert len(stubbed) > 118


def test_request_shape_is_checked(model: tuple[str, HeaderModel]) -> None:
    _, parsed = model
    api = parsed.classes["CThostFtdcMdApi"]
    login = api.method("ReqUserLogin")
    methods = tuple(replace(m, params=m.params[:1]) if m is login else m for m in api.methods)
    broken = replace(api, methods=methods)
    with pytest.raises(EmitError, match="ReqUserLogin"):
        stub_requests(broken)


def test_stubs_compile(model: tuple[str, HeaderModel], tmp_path: Path) -> None:
    version, parsed = model
    compiler = shutil.which("g++")
    if compiler is None:
        pytest.skip("no C++ compiler")
    for api, name in (("CThostFtdcMdApi", "MdApiStubs"), ("CThostFtdcTraderApi", "TraderApiStubs")):
        (tmp_path / f"{name}.hpp").write_text(emit_stubs(parsed, api, name), encoding="utf-8")
    source = tmp_path / "check.cpp"
    source.write_text('#include "MdApiStubs.hpp"\n#include "TraderApiStubs.hpp"\n', encoding="utf-8")
    command = [compiler, "-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
               "-isystem", str(sdk_dir(version) / "include"), f"-I{tmp_path}", str(source)]
    subprocess.run(command, check=True, timeout=120)
