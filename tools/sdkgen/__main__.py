"""sdkgen: the code generator for every vendor SDK binding and simulator front-end (build time only).

    python -m sdkgen binding --sdk ctp --include <sdk>/include --api-version 6.7.11 --out <build>/generated
    python -m sdkgen sim-stubs --sdk mini --include <sdk>/include --api CThostFtdcTraderApi \
        --class-name TraderApiStubs --output <build>/td_stubs.hpp
    python -m sdkgen declared --spec sdk/oes/0.17.5.8.spec --out <build>/sdk/oes/0.17.5.8/include

`binding` writes `<id>_spi.hpp`, `<id>_requests.hpp`, `<id>_requests.cpp`, `<id>_layout.cpp` (emit_binding)
and `_<id>_types.py` + `.pyi` (emit_python); `sim-stubs` the simulator's request stubs (emit_sim); `declared`
vtcore's own declarations of an SDK without usable headers, from its layout spec (declared.py). A file is
rewritten only when its text changes, so a rebuild recompiles nothing that did not change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: make `sdkgen` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sdkgen import declared, emit_binding, emit_python, emit_sim
from sdkgen.dialects import SDKS
from sdkgen.parse import parse_sdk


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def binding_outputs(sdk_id: str, include: Path, version: str) -> dict[str, str]:
    sdk = SDKS[sdk_id]
    model = parse_sdk(include, sdk.dialect)
    return {
        f"{sdk.id}_spi.hpp": emit_binding.emit_spi(sdk, model, version),
        f"{sdk.id}_requests.hpp": emit_binding.emit_requests_header(sdk, model, version),
        f"{sdk.id}_requests.cpp": emit_binding.emit_requests(sdk, model, version),
        f"{sdk.id}_layout.cpp": emit_binding.emit_layout(sdk, model, version),
        f"{sdk.types_module}.py": emit_python.emit_python(sdk, model, version),
        f"{sdk.types_module}.pyi": emit_python.emit_python(sdk, model, version, stub=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sdkgen", description="vtcore's vendor SDK code generator")
    commands = parser.add_subparsers(dest="command", required=True)
    binding = commands.add_parser("binding", help="the binding's C++ and the typed Python module")
    binding.add_argument("--out", type=Path, required=True)
    stubs = commands.add_parser("sim-stubs", help="the simulator front-end's request stubs")
    stubs.add_argument("--api", required=True)
    stubs.add_argument("--class-name", required=True)
    stubs.add_argument("--output", type=Path, required=True)
    spec = commands.add_parser("declared", help="declarations, typed module and exports from a layout spec")
    spec.add_argument("--spec", type=Path, required=True)
    spec.add_argument("--out", type=Path, required=True)
    for command in (binding, stubs):
        command.add_argument("--sdk", required=True, choices=sorted(SDKS))
        command.add_argument("--include", type=Path, required=True)
        command.add_argument("--api-version", default="")
    args = parser.parse_args(argv)
    if args.command == "declared":
        source = f"sdk/{args.spec.parent.name}/{args.spec.name}"  # as the header names it
        for name, text in declared.outputs(declared.read_spec(args.spec), source).items():
            write_if_changed(args.out / name, text)
    elif args.command == "binding":
        for name, text in binding_outputs(args.sdk, args.include, args.api_version).items():
            write_if_changed(args.out / name, text)
    else:
        sdk = SDKS[args.sdk]
        model = parse_sdk(args.include, sdk.dialect)
        write_if_changed(args.output, emit_sim.emit_stubs(sdk, model, args.api, args.class_name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
