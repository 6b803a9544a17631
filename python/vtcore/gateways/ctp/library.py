"""Where vtcore._ctp and the CTP vendor libraries come from, and why they may be missing.

The build records whether the CTP headers could be fetched (cmake/VendorSdk.cmake; `vtcore info` shows it). At
run time the vendor libraries are found (`vtcore.gateways._sdk.library`) in the gateway setting `library_dir`,
in `$VTCORE_CTP_LIB_DIR`, or in the installed openctp-ctp package's `openctp_ctp.libs` folder (a dependency of
vtcore on Linux x86-64). A folder may hold the plain names (libthostmduserapi_se.so, libthosttraderapi_se.so)
or auditwheel's hashed ones.

Known behaviour of the real library (vendor-sdks.md): it prints
`CThostFtdcUserApiImplBase::OnSessionDisconnected[...][ 4097]` to standard output on every disconnect
(vtcore does not redirect fd 1), reports nothing at all for a refused address (the gateway's connect timeout
covers that), and starts two threads per API object in Init().
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec
from vtcore.gateways._sdk.library import find_libraries as find_sdk_libraries

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


def _openctp_dir() -> tuple[Path, str]:
    spec = importlib.util.find_spec("openctp_ctp")  # finds the package without importing its modules
    if spec is None or not spec.submodule_search_locations:
        raise SdkUnavailableError(
            "no CTP libraries: the openctp-ctp package is not installed; install it "
            f"(pip install openctp-ctp==6.7.11.0), or set library_dir or ${LIBRARY_DIR_ENV}"
        )
    folder = Path(next(iter(spec.submodule_search_locations))).parent / "openctp_ctp.libs"
    return folder, "the installed openctp-ctp package"


LIBRARIES = LibrarySpec("CTP", {"md": MD_LIBRARY, "td": TD_LIBRARY}, LIBRARY_DIR_ENV, _openctp_dir)


def build_info() -> dict[str, Any]:
    """What the build recorded about the CTP SDK: found, api_version, unavailable_reason."""
    return build.build_info("ctp")


def status() -> str:
    """One line for `vtcore info` and `vtcore run`."""
    return build.status("ctp")


def load_binding() -> ModuleType:
    """vtcore._ctp, or SdkUnavailableError with the build's reason and the fix."""
    return build.load_binding("ctp")


def find_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(market-data library, trader library) paths, or SdkUnavailableError saying where it looked."""
    found = find_sdk_libraries(LIBRARIES, library_dir)
    return found["md"], found["td"]
