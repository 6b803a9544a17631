"""Where vtcore._oes and the OES library come from, and the OES gateway's settings contract.

OES is "bring your own library": no registry holds Quant360's SDK, so vtcore builds its binding from its own
declarations of the 0.17.5.8 layouts (sdk/oes/) and the user points it at the `liboes_api.so` that Quant360 or
their broker gave them (the `linux64/dll/liboes_api.so` of an `oes_libs-0.17.5.8-release` archive): the
gateway setting `library_dir`, or `$VTCORE_OES_LIB_DIR`. There is no fallback. The library is opened by path
(RTLD_LOCAL) and its OesApi/MdsApi versions are checked before any other call: another version is refused with
both versions named (docs/oes.md).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec, find_libraries

LIBRARY_DIR_ENV = "VTCORE_OES_LIB_DIR"
LIBRARY = "liboes_api"

# The user's page names these fields (seed-gateways.md, as vn.py's OES gateway had them); customize_ip,
# customize_mac and library_dir are vtcore's optional additions.
DEFAULT_SETTING: dict[str, Any] = {
    "username": "",
    "password": "",
    "hdd_serial": "",
    "td_ord_server": "",
    "td_rpt_server": "",
    "td_qry_server": "",
    "md_tcp_server": "",
    "md_qry_server": "",
    "customize_ip": "",
    "customize_mac": "",
    "library_dir": "",
}
OPTIONAL_SETTING = {
    "customize_ip": "the client IP reported at logon (OesApi_SetCustomizedIpAndMac; default: the "
    "library's own)",
    "customize_mac": "the client MAC reported at logon (default: the library's own)",
    "library_dir": f"the folder holding liboes_api.so 0.17.5.8 (default: ${LIBRARY_DIR_ENV})",
}

LIBRARIES = LibrarySpec(
    "OES",
    {"oes": LIBRARY},
    LIBRARY_DIR_ENV,
    hint="OES is not on any registry: ask Quant360 or your broker for the oes_libs-0.17.5.8-release archive "
    "and "
    "point library_dir at its linux64/dll folder",
)


def find_library(library_dir: str = "") -> Path:
    """The liboes_api.so to load, or SdkUnavailableError saying where it looked."""
    return find_libraries(LIBRARIES, library_dir)["oes"]


def load_binding() -> ModuleType:
    """vtcore._oes, or SdkUnavailableError with the build's reason and the fix."""
    return build.load_binding("oes")
