"""What the build recorded about each vendor SDK, and loading an SDK's binding module.

cmake/VendorSdk.cmake writes one JSON file per SDK into `vtcore/gateways/_sdk/build_info/<sdk>.json`:
`{"sdk", "title", "found", "api_version", "library_versions", "unavailable_reason"}`. A gateway whose binding
is missing reports that reason (and the fix) instead of an ImportError.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.errors import SdkUnavailableError


def _build_info_dirs() -> list[Path]:
    # The build installs into the package folder, which in an editable install is not this file's own.
    return [Path(folder) / "build_info" for folder in sys.modules[__package__ or ""].__path__]


def build_info(sdk: str) -> dict[str, Any]:
    """The build's record of `sdk` ("ctp", "mini", ...); a record saying why when there is none."""
    paths = [folder / f"{sdk}.json" for folder in _build_info_dirs()]
    path = next((candidate for candidate in paths if candidate.is_file()), paths[0])
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {
            "sdk": sdk,
            "title": sdk.upper(),
            "found": False,
            "api_version": "",
            "library_versions": {},
            "unavailable_reason": f"{path.name} is missing: vtcore was not installed by its build "
            f"(run `pip install .` in the source tree)",
        }
    return info


def known_sdks() -> list[str]:
    """Every SDK the build recorded, found or not."""
    return sorted({path.stem for folder in _build_info_dirs() for path in folder.glob("*.json")})


def load_binding(sdk: str) -> ModuleType:
    """`vtcore._<sdk>`, or SdkUnavailableError with the build's reason and the fix."""
    try:
        return importlib.import_module(f"vtcore._{sdk}")
    except ImportError as exc:
        info = build_info(sdk)
        reason = info.get("unavailable_reason") or f"vtcore._{sdk} cannot be imported ({exc})"
        title = info.get("title", sdk)
        raise SdkUnavailableError(f"{title} is not available in this build: {reason}") from exc


def status(sdk: str) -> str:
    """One line for `vtcore info`: built from which headers, or why not."""
    info = build_info(sdk)
    try:
        binding = load_binding(sdk)
    except SdkUnavailableError as exc:
        return f"not built: {exc}"
    title = info.get("title", sdk)
    if not info.get("declared"):
        return f"built from the {title} {binding.API_VERSION} headers (vtcore._{sdk})"
    # a declared SDK (OES): no vendor headers, and no library anywhere unless the user gives one
    variable = f"VTCORE_{sdk.upper()}_LIB_DIR"
    folder = os.environ.get(variable, "")
    library = (
        f"library from ${variable} ({folder})"
        if folder
        else f"library not supplied (set the gateway setting library_dir or ${variable})"
    )
    return f"built from vtcore's declarations of {title} {binding.API_VERSION} (vtcore._{sdk}); {library}"
