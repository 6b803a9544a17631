"""Where vtcore._mini and the CTP-Mini vendor libraries come from, and why they may be missing.

The build records whether the CTP-Mini headers could be fetched (cmake/VendorSdk.cmake; `vtcore info` shows
it). At run time the vendor libraries (`libthostmduserapi.so`, `libthosttraderapi.so`, from the vnpy_mini
1.7.7.0 sdist pinned in sdk/manifest.toml) are found in the gateway setting `library_dir`, else in
`$VTCORE_MINI_LIB_DIR`. No package installs them, so one of the two must name their folder (`pip download
--no-deps --no-binary vnpy_mini vnpy_mini==1.7.7.0` holds them under `vnpy_mini/api/`). The simulator's are
`vtcore/sim_lib/mini`.

Known behaviour of the real libraries (vendor-sdks.md): the market-data library reports version 1.7.5 and the
trader library 1.7.7 (the binding expects exactly those); Mini prints `thread [MarketDataApiCallback] [tid]`
to standard output; `Release()` on an API object that was never `Init()`ed crashes, so the binding leaves such
an object alone.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec
from vtcore.gateways._sdk.library import find_libraries as find_sdk_libraries

LIBRARY_DIR_ENV = "VTCORE_MINI_LIB_DIR"

# The user's page names these fields (seed-gateways, MINI: username, password, brokerid, td_address,
# md_address, product_info = AppID, auth_code). vtcore's addition: library_dir (optional; default "":
# $VTCORE_MINI_LIB_DIR). CTP-Mini's factories take no production flag, so there is no "environment".
DEFAULT_SETTING: dict[str, str | list[str]] = {
    "username": "",
    "password": "",
    "brokerid": "",
    "td_address": "",
    "md_address": "",
    "product_info": "",
    "auth_code": "",
    "library_dir": "",
}
#: vtcore's addition to the page's seven fields: optional (BaseGateway.optional_setting)
OPTIONAL_SETTING = {
    "library_dir": "the folder of the CTP-Mini libraries (default: $VTCORE_MINI_LIB_DIR; one of the two is "
    "needed, no package installs them)",
}
MD_LIBRARY = "libthostmduserapi"
TD_LIBRARY = "libthosttraderapi"

LIBRARIES = LibrarySpec(
    "CTP-Mini",
    {"md": MD_LIBRARY, "td": TD_LIBRARY},
    LIBRARY_DIR_ENV,
    hint="the vnpy_mini 1.7.7.0 sdist holds them in vnpy_mini/api/",
)


def build_info() -> dict[str, Any]:
    """What the build recorded about the CTP-Mini SDK: found, api_version, unavailable_reason."""
    return build.build_info("mini")


def status() -> str:
    return build.status("mini")


def load_binding() -> ModuleType:
    """vtcore._mini, or SdkUnavailableError with the build's reason and the fix."""
    return build.load_binding("mini")


def find_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(market-data library, trader library) paths, or SdkUnavailableError saying where it looked."""
    found = find_sdk_libraries(LIBRARIES, library_dir)
    return found["md"], found["td"]
