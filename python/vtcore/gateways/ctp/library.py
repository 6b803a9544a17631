"""Where vtcore._ctp and the CTP vendor libraries come from, and why they may be missing.

The build records whether the CTP headers could be fetched (`_build_info.json`, written by
cmake/CtpSdk.cmake). At run time the vendor libraries are found, in this order, in the gateway setting
`library_dir`, in `$VTCORE_CTP_LIB_DIR`, or in the installed openctp-ctp package's `openctp_ctp.libs`
folder (a dependency of vtcore on Linux x86-64). A folder may hold the plain names
(libthostmduserapi_se.so, libthosttraderapi_se.so) or auditwheel's hashed ones.

Known behaviour of the real library (vendor-sdks.md): it prints
`CThostFtdcUserApiImplBase::OnSessionDisconnected[...][ 4097]` to standard output on every disconnect
(vtcore does not redirect fd 1), reports nothing at all for a refused address (the gateway's connect timeout
covers that), and starts two threads per API object in Init().
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.errors import SdkUnavailableError

LIBRARY_DIR_ENV = "VTCORE_CTP_LIB_DIR"

# The user's page names these fields (seed-gateways: username, password, brokerid, td_address, md_address,
# product_info = AppID, auth_code); environment maps to bIsProductionMode; library_dir is optional.
DEFAULT_SETTING: dict[str, str | list[str]] = {
    "username": "",
    "password": "",
    "brokerid": "",
    "td_address": "",
    "md_address": "",
    "product_info": "",
    "auth_code": "",
    "environment": ["production", "test"],
    "library_dir": "",
}
#: vtcore's additions to the page's seven fields: optional (BaseGateway.optional_setting)
OPTIONAL_SETTING = {
    "environment": "production or test: the counter environment, CTP's bIsProductionMode (vn.py's 柜台环境 "
    "实盘/测试; default production)",
    "library_dir": "the folder of the CTP libraries (default: $VTCORE_CTP_LIB_DIR, else the installed "
    "openctp-ctp package's)",
}
MD_LIBRARY = "libthostmduserapi_se"
TD_LIBRARY = "libthosttraderapi_se"


def build_info() -> dict[str, Any]:
    """What the build recorded about the CTP SDK: ctp_found, ctp_api_version, ctp_unavailable_reason."""
    # the build installs it into the package folder, which in an editable install is not this file's own
    folders = [Path(folder) for folder in sys.modules[__package__ or ""].__path__]
    paths = [folder / "_build_info.json" for folder in folders]
    path = next((candidate for candidate in paths if candidate.is_file()), paths[0])
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {
            "ctp_found": False,
            "ctp_api_version": "",
            "ctp_unavailable_reason": f"{path.name} is missing: vtcore was not installed by its build "
            f"(run `pip install .` in the source tree)",
        }
    return info


def status() -> str:
    """One line for `vtcore info` and `vtcore run`."""
    try:
        binding = load_binding()
    except SdkUnavailableError as exc:
        return f"unavailable: {exc}"
    return f"built from the CTP {binding.API_VERSION} headers"


def load_binding() -> ModuleType:
    """vtcore._ctp, or SdkUnavailableError with the build's reason and the fix."""
    try:
        return importlib.import_module("vtcore._ctp")
    except ImportError as exc:
        info = build_info()
        reason = info.get("ctp_unavailable_reason") or f"vtcore._ctp cannot be imported ({exc})"
        raise SdkUnavailableError(f"CTP is not available in this build: {reason}") from exc


def _openctp_dir() -> Path | None:
    spec = importlib.util.find_spec("openctp_ctp")  # finds the package without importing its modules
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).parent / "openctp_ctp.libs"


def _find(folder: Path, stem: str) -> Path | None:
    exact = folder / f"{stem}.so"
    if exact.is_file():
        return exact
    hashed = sorted(folder.glob(f"{stem}-*.so"))
    return hashed[0] if len(hashed) == 1 else None


def find_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(market-data library, trader library) paths, or SdkUnavailableError saying where it looked."""
    if library_dir:
        folder, source = Path(library_dir).expanduser(), "the gateway setting library_dir"
    elif os.environ.get(LIBRARY_DIR_ENV):
        folder, source = Path(os.environ[LIBRARY_DIR_ENV]).expanduser(), f"${LIBRARY_DIR_ENV}"
    else:
        found = _openctp_dir()
        if found is None:
            raise SdkUnavailableError(
                "no CTP libraries: the openctp-ctp package is not installed; install it "
                f"(pip install openctp-ctp==6.7.11.0), or set library_dir or ${LIBRARY_DIR_ENV}"
            )
        folder, source = found, "the installed openctp-ctp package"
    md, td = _find(folder, MD_LIBRARY), _find(folder, TD_LIBRARY)
    if md is None or td is None:
        missing = MD_LIBRARY if md is None else TD_LIBRARY
        raise SdkUnavailableError(f"no {missing}*.so in {folder} (from {source})")
    return md, td
