"""The house's floors, read from the source: each module imports only its own floor and those below, never
a higher one, not even by name in a string (`importlib.import_module("vtcore.gateways...")` from the engine).

    apps      vtcore.ui, vtcore.cli              the trader window, the `vtcore` command
    gateways  vtcore.gateways                    a package per gateway; _transport, _venue, the registry
    rpc       vtcore.rpc                         the RPC protocol, client, server and service app
    engine    vtcore.event, gateway, converter, engine (and the package's re-exports)
    core      vtcore.errors, log, setting, constant, time, records, object, orders, _core, _fast
    peers     vtcore.peers                       local venues: they import nothing else of vtcore

Within the gateways floor no gateway imports another one (they share `_transport`, `_venue`, `_sdk` and the
registry). The local peers are imported only by the gateways' `sim.py` modules (and by tests): a gateway
never learns its protocol from its peer, nor a peer from its gateway. The compiled modules `_core` and
`_fast` are the engine's own: anything else reads their public names from `vtcore.records`, `vtcore.time`
and `vtcore.object`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "vtcore"
FLOORS = ("peers", "core", "engine", "rpc", "gateways", "apps")
CORE = {"errors", "log", "setting", "constant", "time", "records", "object", "orders", "_core", "_fast"}
ENGINE = {"event", "gateway", "converter", "engine", "vnpy_compat", ""}
#: modules that may import the compiled engine modules directly
PRIVATE_IMPORTERS = {
    "vtcore._core": {"vtcore.records", "vtcore.event", "vtcore.gateway", "vtcore._fast"},
    "vtcore._fast": {"vtcore.object", "vtcore.event"},
}
SHARED_GATEWAY_PARTS = {"_transport", "_venue", "_sdk"}
#: a module path in a string (not "vtcore" alone, which names loggers)
MODULE_NAME = re.compile(r"vtcore(\.[A-Za-z_][A-Za-z0-9_]*)+(:[A-Za-z_][A-Za-z0-9_]*)?")
PYX_IMPORT = re.compile(
    r"^\s*(?:from\s+(vtcore[\w.]*)\s+(?:c?import)|c?import\s+(vtcore[\w.]*))", re.MULTILINE
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def floor(module: str) -> str:
    parts = module.split(".")
    first = parts[1] if len(parts) > 1 else ""
    if first == "peers":
        return "peers"
    if first in CORE:
        return "core"
    if first in ENGINE:
        return "engine"
    if first == "rpc":
        return "rpc"
    if first == "gateways":
        return "gateways"
    if first in ("ui", "cli"):
        return "apps"
    raise AssertionError(f"{module} is on no floor: add it to tests/core/test_import_floors.py")


def sources() -> dict[str, Path]:
    found = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    found.update({module_name(path): path for path in PACKAGE.rglob("*.pyx")})
    return found


def imports(path: Path) -> list[tuple[str, int]]:
    """(vtcore module, line) of every import in a file; `from vtcore import x` imports `vtcore.x`, and
    relative imports are resolved."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".pyx":
        return [
            (match.group(1) or match.group(2), text.count("\n", 0, match.start()) + 1)
            for match in PYX_IMPORT.finditer(text)
        ]
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("vtcore")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            if not base.startswith("vtcore"):
                continue
            if node.module is None or base == "vtcore":  # `from package import module`
                found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((base, node.lineno))
    return found


def named_modules(path: Path) -> list[tuple[str, int]]:
    """(vtcore module, line) named by a whole string constant: a registry entry or an import by string."""
    if path.suffix == ".pyx":
        return []
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and MODULE_NAME.fullmatch(node.value)
        ):
            found.append((node.value.partition(":")[0], node.lineno))
    return found


def known(module: str, modules: dict[str, Path]) -> str:
    """The vtcore module an import or a name refers to (a name may be a module's attribute)."""
    while module and module not in modules:
        module = module.rpartition(".")[0]
    return module


def gateway_package(module: str) -> str:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else ""


def test_every_import_stays_on_its_floor_or_goes_down() -> None:
    modules = sources()
    assert "vtcore.orders" in modules and "vtcore.gateways._venue.gateway" in modules
    back_arrows = []
    for module, path in modules.items():
        here = FLOORS.index(floor(module))
        for target, line in [*imports(path), *named_modules(path)]:
            resolved = known(target, modules)
            if not resolved or (resolved == "vtcore" and target != "vtcore"):
                continue  # a logger name or an attribute path outside the package
            if FLOORS.index(floor(resolved)) > here:
                back_arrows.append(f"{path.relative_to(PACKAGE.parent)}:{line} {module} -> {target}")
    assert back_arrows == []


def test_no_gateway_imports_another_gateway() -> None:
    modules = sources()
    crossings = []
    for module, path in modules.items():
        if floor(module) != "gateways" or not gateway_package(module):
            continue
        own = gateway_package(module)
        for target, line in imports(path):
            other = gateway_package(target) if target.startswith("vtcore.gateways.") else ""
            shared = other in SHARED_GATEWAY_PARTS or own in SHARED_GATEWAY_PARTS
            if other and other != own and not shared:
                crossings.append(f"{path.relative_to(PACKAGE.parent)}:{line} {module} -> {target}")
    assert crossings == []


@pytest.mark.parametrize("private", sorted(PRIVATE_IMPORTERS))
def test_compiled_engine_modules_are_imported_only_by_the_engine(private: str) -> None:
    modules = sources()
    importers = {
        module for module, path in modules.items() for target, _ in imports(path) if target == private
    }
    assert importers <= PRIVATE_IMPORTERS[private]


def test_peers_are_imported_only_by_the_gateways_sim_modules() -> None:
    modules = sources()
    assert "vtcore.peers.base" in modules
    importers = {
        module
        for module, path in modules.items()
        for target, _ in imports(path)
        if target.startswith("vtcore.peers") and floor(module) != "peers"
    }
    assert importers and all(module.endswith(".sim") for module in importers), sorted(importers)
