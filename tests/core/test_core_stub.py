"""The stubs of the compiled modules (python/vtcore/_core.pyi, _fast.pyi, one per vendor SDK: _ctp.pyi, ...)
match them (mypy's stubtest, with the allowlist .ci/run uses too)."""

from __future__ import annotations

import ast
import importlib.machinery
import subprocess
import sys
from pathlib import Path

import pytest

import vtcore
from vtcore import _core

ALLOWLIST = Path(__file__).resolve().parents[2] / ".ci" / "stubtest-allowlist.txt"


def compiled_modules() -> list[str]:
    """Every compiled module the build made (.ci/run's list): _core, _fast and one per vendor SDK it had."""
    package = Path(vtcore.__file__).parent
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    names = {path.name.split(".")[0] for suffix in suffixes for path in package.glob(f"_*{suffix}")}
    return [f"vtcore.{name}" for name in sorted(names)]


def test_stubs_match_the_compiled_modules(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            *compiled_modules(),
            "--allowlist",
            str(ALLOWLIST),
            "--ignore-unused-allowlist",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


STUB = Path(__file__).resolve().parents[2] / "python" / "vtcore" / "_core.pyi"


def _split_parameters(text: str) -> list[str]:
    """Splits "a: X = 1, b: dict[str, int]" at top-level commas."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _runtime_parameters(function: object) -> list[tuple[str, object]]:
    """(name, default or ...) per parameter, from the signature line pybind11 puts in __doc__."""
    doc = (getattr(function, "__doc__", None) or "").strip().splitlines()[0]
    inside = doc[doc.index("(") + 1 : doc.rindex(") ->")]
    parameters: list[tuple[str, object]] = []
    for part in _split_parameters(inside):
        name = part.split(":")[0].split("=")[0].strip()
        if name == "self":
            continue
        default = ast.literal_eval(part.rsplit("=", 1)[1].strip()) if "=" in part else ...
        parameters.append((name, default))
    return parameters


def _stub_parameters(node: ast.FunctionDef) -> list[tuple[str, object]]:
    args = [arg.arg for arg in node.args.args if arg.arg != "self"]
    defaults: list[object] = [ast.literal_eval(value) for value in node.args.defaults]
    padded = [...] * (len(args) - len(defaults)) + defaults
    parameters = list(zip(args, padded, strict=True))
    if node.args.kwonlyargs:  # pybind11 writes the keyword-only marker as a parameter named "*"
        parameters.append(("*", ...))
        for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
            parameters.append((arg.arg, ... if default is None else ast.literal_eval(default)))
    return parameters


def _stub_functions() -> dict[str, ast.FunctionDef]:
    """Every function and method of the stub (properties aside), by dotted path."""
    tree = ast.parse(STUB.read_text())
    found: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                is_property = isinstance(item, ast.FunctionDef) and any(
                    isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list
                )
                if isinstance(item, ast.FunctionDef) and not is_property:
                    found[f"{node.name}.{item.name}"] = item
    return found


STUB_FUNCTIONS = _stub_functions()


@pytest.mark.parametrize("path", sorted(STUB_FUNCTIONS))
def test_stub_parameters_match(path: str) -> None:
    # stubtest cannot see pybind11 signatures; their names and defaults are checked here instead.
    runtime: object = _core
    for part in path.split("."):
        runtime = getattr(runtime, part)
    assert _runtime_parameters(runtime) == _stub_parameters(STUB_FUNCTIONS[path])
