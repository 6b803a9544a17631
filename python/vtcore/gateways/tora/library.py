"""Where vtcore._tora and the TORA vendor libraries come from, and the TORA gateway's settings page.

The build records whether the TORA headers could be fetched (cmake/VendorSdk.cmake; `vtcore info` shows it).
At run time the vendor libraries (`libxmdapi.so` for XMd market data, `libtraderapi.so` for stock trading,
`libsptraderapi.so` for TORA_OPTION's stock options, from the vnpy_tora 2026.10.5 sdist pinned in
sdk/manifest.toml) are found in the gateway setting `library_dir`, else in `$VTCORE_TORA_LIB_DIR`. The
simulator's are `vtcore/sim_lib/tora`. Each library's static GetApiVersion() is checked before any other call
(XMd 1.0.9, the stock trader 4.1.6, the stock-option trader 1.3.4).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec
from vtcore.gateways._sdk.library import find_libraries as find_sdk_libraries

LIBRARY_DIR_ENV = "VTCORE_TORA_LIB_DIR"

# The user's page names username, password, td_address, md_address. What TORA's login needs beyond them, as
# vnpy_tora names it (账号类型, 地址类型, 产品标识, 动态密钥), and library_dir are vtcore's optional
# additions.
DEFAULT_SETTING: dict[str, str | int | list[str]] = {
    "username": "",
    "password": "",
    "td_address": "",
    "md_address": "",
    "account_type": ["user_id", "account_id"],
    "address_type": ["front", "fens"],
    "product_info": "",
    "dynamic_key": "",
    "library_dir": "",
}
OPTIONAL_SETTING: dict[str, str] = {
    "account_type": "what username is: the user id (user_id, default) or the fund account (account_id)",
    "address_type": "the addresses are fronts (front, default) or FENS name servers (fens)",
    "product_info": "the product id the broker registered for this software (default empty)",
    "dynamic_key": "a dynamic password when the broker requires one (default empty)",
    "library_dir": f"folder of libxmdapi.so and libtraderapi.so (default: ${LIBRARY_DIR_ENV})",
}
#: vn.py's labels of these fields beyond the shared table (vtcore.setting.VNPY_KEY_ALIASES: 账号, 密码,
#: 交易服务器, 行情服务器), and its choice values
VNPY_LABELS: dict[str, str] = {
    "账号类型": "account_type",
    "地址类型": "address_type",
    "产品标识": "product_info",
    "动态密钥": "dynamic_key",
}
VNPY_VALUES: dict[str, dict[str, str]] = {
    "account_type": {"用户代码": "user_id", "资金账号": "account_id"},
    "address_type": {"前置地址": "front", "FENS地址": "fens"},
}

LIBRARIES = LibrarySpec(
    "TORA",
    {"md": "libxmdapi", "td": "libtraderapi"},
    LIBRARY_DIR_ENV,
    hint="the vnpy_tora 2026.10.5 sdist holds them in vnpy_tora/api/",
)

#: TORA_OPTION (vtcore.gateways.tora.option): the same page and login, the stock-option trader's library
OPTION_DEFAULT_SETTING: dict[str, str | int | list[str]] = dict(DEFAULT_SETTING)
OPTION_OPTIONAL_SETTING: dict[str, str] = OPTIONAL_SETTING | {
    "dynamic_key": "a dynamic password when the broker requires one, sent as the login's one-time password "
    "(default empty)",
    "library_dir": f"folder of libxmdapi.so and libsptraderapi.so (default: ${LIBRARY_DIR_ENV})",
}
OPTION_LIBRARIES = LibrarySpec(
    "TORA",
    {"md": "libxmdapi", "sp": "libsptraderapi"},
    LIBRARY_DIR_ENV,
    hint="the vnpy_tora 2026.10.5 sdist holds them in vnpy_tora/api/",
)


def build_info() -> dict[str, Any]:
    return build.build_info("tora")


def status() -> str:
    return build.status("tora")


def load_binding() -> ModuleType:
    """vtcore._tora, or SdkUnavailableError with the build's reason and the fix."""
    return build.load_binding("tora")


def find_option_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(XMd library, stock-option trader library) paths, or SdkUnavailableError saying where it looked."""
    found = find_sdk_libraries(OPTION_LIBRARIES, library_dir)
    return found["md"], found["sp"]


def find_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(XMd library, stock trader library) paths, or SdkUnavailableError saying where it looked."""
    found = find_sdk_libraries(LIBRARIES, library_dir)
    return found["md"], found["td"]
