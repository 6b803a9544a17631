"""Where vtcore._femas and the FEMAS vendor libraries come from, and why they may be missing.

The build records whether the FEMAS headers could be fetched (cmake/VendorSdk.cmake; `vtcore info` shows it).
**No Linux FEMAS library exists in any registry artifact** (the pinned vnpy_femas 1.0.3 sdist carries only the
Windows DLLs USTPmduserapiAF.dll / USTPtraderapiAF.dll), so the user brings the vendor's Linux libraries:
their folder is the gateway setting `library_dir`, else `$VTCORE_FEMAS_LIB_DIR`; the files are
`libUSTPmduserapiAF.so` and `libUSTPtraderapiAF.so` (the DLLs' names as Linux names them). The binding checks
each library's `GetVersion()` text ("...Femas_AllFutures_3.02...") before any call, so another FEMAS version
or another SDK's library is refused by name. The simulator's FEMAS front-end is `vtcore/sim_lib/femas`."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec
from vtcore.gateways._sdk.library import find_libraries as find_sdk_libraries

LIBRARY_DIR_ENV = "VTCORE_FEMAS_LIB_DIR"
MD_LIBRARY = "libUSTPmduserapiAF"
TD_LIBRARY = "libUSTPtraderapiAF"

# The user's page names these fields (seed-gateways, FEMAS: username, password, brokerid, td_address,
# md_address, product_info = AppID, auth_code). vtcore's addition: library_dir.
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
OPTIONAL_SETTING: dict[str, str] = {
    "library_dir": f"folder of the FEMAS Linux libraries you bring ({MD_LIBRARY}.so, {TD_LIBRARY}.so); "
    f"default: ${LIBRARY_DIR_ENV}",
}

BRING_YOUR_OWN = (
    f"no Linux FEMAS library is published in any registry artifact, so bring the vendor's FEMAS "
    f"(Femas_AllFutures_3.02) Linux libraries {MD_LIBRARY}.so and {TD_LIBRARY}.so and name their folder in "
    f"the gateway setting library_dir or ${LIBRARY_DIR_ENV}"
)

LIBRARIES = LibrarySpec("FEMAS", {"md": MD_LIBRARY, "td": TD_LIBRARY}, LIBRARY_DIR_ENV, hint=BRING_YOUR_OWN)


def build_info() -> dict[str, Any]:
    return build.build_info("femas")


def status() -> str:
    return build.status("femas")


def load_binding() -> ModuleType:
    """vtcore._femas, or SdkUnavailableError with the build's reason and the fix."""
    return build.load_binding("femas")


def find_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(market-data library, trader library) paths, or SdkUnavailableError naming what to supply."""
    if not library_dir and not os.environ.get(LIBRARY_DIR_ENV):
        raise SdkUnavailableError(f"no FEMAS libraries: {BRING_YOUR_OWN}")
    found = find_sdk_libraries(LIBRARIES, library_dir)
    return found["md"], found["td"]


def library_status() -> str:
    """One line for `vtcore info`: bring your own library, and what $VTCORE_FEMAS_LIB_DIR holds if set."""
    folder = os.environ.get(LIBRARY_DIR_ENV)
    if not folder:
        return f"libraries: bring your own ({BRING_YOUR_OWN})"
    try:
        md, td = find_libraries()
        binding = load_binding()
        versions = binding.md_library_version(str(md)), binding.trader_library_version(str(td))
    except (OSError, SdkUnavailableError) as exc:
        return f"libraries: ${LIBRARY_DIR_ENV}={folder}: {exc}"
    return f"libraries: ${LIBRARY_DIR_ENV}={folder}: market data {versions[0]!r}, trader {versions[1]!r}"
