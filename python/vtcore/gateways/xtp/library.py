"""Where vtcore._xtp and the XTP vendor libraries come from, and the XTP gateway's settings page.

The build records whether the XTP headers could be fetched (cmake/VendorSdk.cmake; `vtcore info` shows it). At
run time the vendor libraries (`libxtpquoteapi.so`, `libxtptraderapi.so`, from the vnpy_xtp 2.2.32.2.3 sdist
pinned in sdk/manifest.toml) are found in the gateway setting `library_dir`, else in `$VTCORE_XTP_LIB_DIR`. No
package installs them (`pip download --no-deps --no-binary vnpy_xtp vnpy_xtp==2.2.32.2.3` holds them under
`vnpy_xtp/api/`). The simulator's are `vtcore/sim_lib/xtp`.

Known behaviour of the real libraries (vendor-sdks.md): no static version getter (the version is read from the
created object before any other call, and must be 2.2.32); `Login()` is synchronous and blocks until connected
or refused (about 6 s on some refusals); the libraries export libsodium's symbols (loaded RTLD_LOCAL, never
global).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec
from vtcore.gateways._sdk.library import find_libraries as find_sdk_libraries

LIBRARY_DIR_ENV = "VTCORE_XTP_LIB_DIR"

# The user's page names these fields (seed-gateways, XTP: 账号, 密码, 客户号, 行情地址, 行情端口, 交易地址,
# 交易端口, 行情协议, 授权码), in English as the other gateways spell them. vtcore's additions (optional):
# log_level (vn.py's 日志级别, default FATAL: the SDK's own log files stay small) and library_dir (default "":
# $VTCORE_XTP_LIB_DIR).
DEFAULT_SETTING: dict[str, str | int | list[str]] = {
    "username": "",
    "password": "",
    "client_id": 1,
    "md_address": "",
    "md_port": 0,
    "td_address": "",
    "td_port": 0,
    "md_protocol": ["TCP", "UDP"],
    "auth_code": "",
    "log_level": ["FATAL", "ERROR", "WARNING", "INFO", "DEBUG", "TRACE"],
    "library_dir": "",
}
OPTIONAL_SETTING: dict[str, str] = {
    "log_level": "the XTP SDK's own log level (default FATAL)",
    "library_dir": f"folder of libxtpquoteapi.so and libxtptraderapi.so (default: ${LIBRARY_DIR_ENV})",
}
#: vn.py's labels of these fields (its XtpGateway's default_setting keys) beyond the shared table
#: (vtcore.setting.VNPY_KEY_ALIASES: 账号, 密码, 客户号, 授权码)
VNPY_LABELS: dict[str, str] = {
    "行情地址": "md_address",
    "行情端口": "md_port",
    "交易地址": "td_address",
    "交易端口": "td_port",
    "行情协议": "md_protocol",
    "日志级别": "log_level",
}

LIBRARIES = LibrarySpec(
    "XTP",
    {"md": "libxtpquoteapi", "td": "libxtptraderapi"},
    LIBRARY_DIR_ENV,
    hint="the vnpy_xtp 2.2.32.2.3 sdist holds them in vnpy_xtp/api/",
)


def build_info() -> dict[str, Any]:
    return build.build_info("xtp")


def status() -> str:
    return build.status("xtp")


def load_binding() -> ModuleType:
    """vtcore._xtp, or SdkUnavailableError with the build's reason and the fix."""
    return build.load_binding("xtp")


def find_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(quote library, trader library) paths, or SdkUnavailableError saying where it looked."""
    found = find_sdk_libraries(LIBRARIES, library_dir)
    return found["md"], found["td"]
