"""The SDK fetch tool (tools/vtcore_sdk.py): pins enforced, cache works offline, only listed members land.

Negative cases use small archives built here and served to the real pip client from a local folder
(`--no-index --find-links`); one positive case fetches the real pinned openctp-ctp wheel.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "vtcore_sdk.py"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vtcore_sdk", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["vtcore_sdk"] = module
    spec.loader.exec_module(module)
    return module


sdk = _load_tool()


def _fake_wheel(folder: Path, name: str = "fakesdk", version: str = "1.0") -> Path:
    """A minimal valid wheel holding a header, a library and a file that must never be extracted."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    dist_info = f"{name}-{version}.dist-info"
    files = {
        "fakesdk/include/Api.h": b"#define FAKE_API 1\n",
        "fakesdk.libs/libfake-1a2b3c4d.so": b"\x7fELF fake library",
        "fakesdk/unlisted.txt": b"must not be extracted",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    with zipfile.ZipFile(path, "w") as bundle:
        for member, data in files.items():
            bundle.writestr(member, data)
        bundle.writestr(f"{dist_info}/RECORD", "".join(f"{m},,\n" for m in [*files, f"{dist_info}/RECORD"]))
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _artifact(wheel: Path, sha256: str, **changes: object) -> object:
    table: dict[str, object] = {
        "sdk": "fake",
        "api_version": "1.0",
        "requirement": "fakesdk==1.0",
        "kind": "wheel",
        "file": wheel.name,
        "sha256": sha256,
        "headers": ["fakesdk/include/Api.h"],
        "libraries": ["fakesdk.libs/libfake-1a2b3c4d.so as libfake.so"],
    }
    table.update(changes)
    return sdk.Artifact.from_table(table)


@pytest.fixture()
def index(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    folder.mkdir()
    _fake_wheel(folder)
    return folder


def _local_pip(index: Path) -> list[str]:
    return ["--no-index", "--find-links", str(index)]


def test_download_verifies_and_caches_by_sha256(tmp_path: Path, index: Path) -> None:
    wheel = index / "fakesdk-1.0-py3-none-any.whl"
    artifact = _artifact(wheel, _sha256(wheel))
    cached = sdk.fetch(artifact, cache=tmp_path / "cache", pip_args=_local_pip(index))
    assert cached == tmp_path / "cache" / _sha256(wheel) / wheel.name
    assert cached.read_bytes() == wheel.read_bytes()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [_sha256(wheel)]  # no scratch left behind


def test_hash_mismatch_is_refused_and_not_cached(tmp_path: Path, index: Path) -> None:
    wheel = index / "fakesdk-1.0-py3-none-any.whl"
    artifact = _artifact(wheel, "0" * 64)
    with pytest.raises(sdk.SdkError, match="refused"):
        sdk.fetch(artifact, cache=tmp_path / "cache", pip_args=_local_pip(index))
    assert not (tmp_path / "cache" / ("0" * 64)).exists()


def test_cache_hit_needs_no_network_or_pip(tmp_path: Path, index: Path) -> None:
    wheel = index / "fakesdk-1.0-py3-none-any.whl"
    digest = _sha256(wheel)
    cache = tmp_path / "cache"
    (cache / digest).mkdir(parents=True)
    (cache / digest / wheel.name).write_bytes(wheel.read_bytes())  # "bring your own SDK"
    wheel.unlink()  # nothing left to download from
    cached = sdk.fetch(_artifact(index / wheel.name, digest), cache=cache, offline=True)
    assert _sha256(cached) == digest


def test_offline_miss_and_corrupt_cache_entry_explain_the_fix(tmp_path: Path, index: Path) -> None:
    wheel = index / "fakesdk-1.0-py3-none-any.whl"
    digest = _sha256(wheel)
    cache = tmp_path / "cache"
    (cache / digest).mkdir(parents=True)
    (cache / digest / wheel.name).write_bytes(b"tampered")
    with pytest.raises(sdk.SdkError, match=r"downloads are off.*place that file at"):
        sdk.fetch(_artifact(wheel, digest), cache=cache, offline=True)
    assert not (cache / digest / wheel.name).exists()  # the corrupt entry is gone, never used


def test_download_failure_names_the_requirement(tmp_path: Path, index: Path) -> None:
    wheel = index / "fakesdk-1.0-py3-none-any.whl"
    artifact = _artifact(wheel, _sha256(wheel), requirement="fakesdk==9.9")
    with pytest.raises(sdk.SdkError, match=r"pip download fakesdk==9\.9"):
        sdk.fetch(artifact, cache=tmp_path / "cache", pip_args=_local_pip(index))


def test_only_listed_members_are_extracted_and_renamed(tmp_path: Path, index: Path) -> None:
    wheel = index / "fakesdk-1.0-py3-none-any.whl"
    dest = tmp_path / "out"
    written = sdk.extract(_artifact(wheel, _sha256(wheel)), wheel, dest)
    assert written == {
        "include": [str(dest / "include" / "Api.h")],
        "lib": [str(dest / "lib" / "libfake.so")],
    }
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == [
        "include/Api.h",
        "lib/libfake.so",
    ]
    assert (dest / "lib" / "libfake.so").stat().st_mode & 0o111


def test_missing_member_and_tar_archives(tmp_path: Path) -> None:
    archive = tmp_path / "fakesdk-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        data = b"typedef char TFake[9];\n"
        info = tarfile.TarInfo("fakesdk-1.0/include/Types.h")
        info.size = len(data)
        bundle.addfile(info, io.BytesIO(data))
    good = _artifact(
        archive, _sha256(archive), kind="sdist", headers=["fakesdk-1.0/include/Types.h"], libraries=[]
    )
    sdk.extract(good, archive, tmp_path / "out")
    assert (tmp_path / "out" / "include" / "Types.h").read_bytes() == data
    bad = _artifact(
        archive, _sha256(archive), kind="sdist", headers=["fakesdk-1.0/include/Missing.h"], libraries=[]
    )
    with pytest.raises(sdk.SdkError, match="lacks the listed member"):
        sdk.extract(bad, archive, tmp_path / "out2")


def test_manifest_is_valid_and_the_fallback_parser_agrees() -> None:
    artifacts = sdk.load_manifest()
    versions = {(a.sdk, a.api_version) for a in artifacts}
    assert {("ctp", "6.7.11"), ("ctp", "6.7.13")} <= versions
    headers = {m.name for a in sdk.select(artifacts, "ctp", "6.7.11") for m in a.headers}
    assert headers == {
        "ThostFtdcMdApi.h",
        "ThostFtdcTraderApi.h",
        "ThostFtdcUserApiDataType.h",
        "ThostFtdcUserApiStruct.h",
    }
    text = sdk.DEFAULT_MANIFEST.read_text(encoding="utf-8")
    tomllib = pytest.importorskip("tomllib")
    assert sdk._parse_toml_subset(text) == tomllib.loads(text)
    with pytest.raises(sdk.SdkError, match=r"listed: 6\.7\.11, 6\.7\.13"):
        sdk.select(artifacts, "ctp", "6.7.12")


def test_cli_reports_a_reason_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(TOOL),
            "fetch",
            "--api-version",
            "6.7.11",
            "--dest",
            str(tmp_path / "d"),
            "--cache",
            str(tmp_path / "empty"),
            "--offline",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("REASON: ")
    assert "downloads are off" in result.stderr


def test_pip_default_index_is_found_from_an_interpreter_without_pip(tmp_path: Path) -> None:
    """`pip install .` runs the fetch in an isolated build environment that has no pip: pip's own default
    index (the registry pip would use when none is configured) is still asked of the pip client on PATH,
    so an SDK that only the default index has is found (seen: FEMAS missing from the build where the
    configured extra indexes are local mirrors without it)."""
    pip_module = pytest.importorskip("pip._internal.models.index")
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    tools = tmp_path / "bin"
    tools.mkdir()
    pip_script = tools / "pip3"
    pip_script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n"
    )
    pip_script.chmod(0o755)
    code = (
        f"import sys; sys.path.insert(0, {str(TOOL.parent)!r}); import vtcore_sdk; "
        "print(vtcore_sdk._default_index())"
    )
    environment = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(bare / "bin" / "python"), "-c", code], capture_output=True, text=True,
                            env=environment, check=True, timeout=120)  # fmt: skip
    assert result.stdout.strip() == pip_module.PyPI.simple_url


def test_real_pinned_openctp_wheel(tmp_path: Path) -> None:
    """The real artifact: downloaded through pip (or found in the cache), verified, libraries extracted."""
    (wheel,) = [a for a in sdk.load_manifest() if a.requirement == "openctp-ctp==6.7.11.0"]
    archive = sdk.fetch(wheel)
    assert _sha256(archive) == wheel.sha256
    written = sdk.extract(wheel, archive, tmp_path)
    names = sorted(Path(p).name for p in written["lib"])
    assert names == ["libthostmduserapi_se.so", "libthosttraderapi_se.so"]
    for path in written["lib"]:
        blob = Path(path).read_bytes()
        assert blob[:4] == b"\x7fELF"
        assert b"v6.7.11" in blob  # the version string GetApiVersion() returns


@pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")
@pytest.mark.parametrize("available", [True, False])
def test_cmake_step_records_found_or_why_not(tmp_path: Path, available: bool) -> None:
    """cmake/VendorSdk.cmake alone: with the SDK in the cache it defines the headers target and the library
    versions the manifest names; without it (offline, empty cache) configuration still succeeds and the
    build-info file says why and how to fix it."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\nproject(probe LANGUAGES NONE)\n"
        f'set(Python_EXECUTABLE "{sys.executable}")\ninclude("{ROOT / "cmake" / "VendorSdk.cmake"}")\n'
        "vtcore_vendor_sdk(MINI VERSION 1.7.7 TITLE CTP-Mini HEADERS ThostFtdcMdApi.h)\n"
        'message(STATUS "probe: found=${VTCORE_MINI_FOUND} version=${VTCORE_MINI_API_VERSION}")\n'
        "if(TARGET vtcore_mini_headers)\n"
        "  get_target_property(definitions vtcore_mini_headers INTERFACE_COMPILE_DEFINITIONS)\n"
        '  message(STATUS "probe: ${definitions}")\n'
        "endif()\n",
        encoding="utf-8",
    )
    environment = dict(os.environ, VTCORE_SDK_OFFLINE="1")
    if not available:
        environment["VTCORE_SDK_CACHE"] = str(tmp_path / "empty-cache")
    else:
        sdk.fetch_sdk("mini", "1.7.7", tmp_path / "warm")  # make sure the cache holds it
    result = subprocess.run(
        ["cmake", "-S", str(project), "-B", str(tmp_path / "build")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    info = json.loads((tmp_path / "build" / "sdk_build_info" / "mini.json").read_text(encoding="utf-8"))
    assert info["found"] is available and info["api_version"] == "1.7.7" and info["title"] == "CTP-Mini"
    if available:
        assert "probe: found=ON version=1.7.7" in result.stdout
        assert 'VTCORE_SDK_LIBRARY_VERSION_MD="1.7.5"' in result.stdout  # Mini's md library reports 1.7.5
        assert info["library_versions"] == {"md": "1.7.5", "trader": "1.7.7"}
        assert (tmp_path / "build" / "sdk" / "mini" / "1.7.7" / "include" / "ThostFtdcMdApi.h").is_file()
    else:
        assert "downloads are off" in info["unavailable_reason"]
        assert "place that file at" in info["unavailable_reason"]
