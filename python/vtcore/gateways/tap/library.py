"""Where vtcore._tap and the TAP (Esunny 9.x) vendor libraries come from, and why they may be missing.

The build records whether the TAP headers could be fetched (cmake/VendorSdk.cmake; `vtcore info` shows it).
The libraries (`libTapQuoteAPI.so`, `libiTapTradeAPI.so`, and the trade library's `libesssl.so.1.1` and
`libescrypto.so.1.1`, from the vnpy_tap 9.4.12 sdist pinned in sdk/manifest.toml) are found in the gateway
setting `library_dir`, else `$VTCORE_TAP_LIB_DIR`, else they are extracted from the SDK download cache the
build used. The binding loads libescrypto, then libesssl, by absolute path before the trade library (it has
no RUNPATH for them), never RTLD_GLOBAL, and checks each library's reported version before any call: the quote
library must report V9.3.1.11 and the trade library V9.3.9.18 (the versions of the pinned headers' build).
The trade library also needs the system's libuuid.so.1. The simulator's TAP front-end is `vtcore/sim_lib/tap`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec, cached_libraries
from vtcore.gateways._sdk.library import find_libraries as find_sdk_libraries

LIBRARY_DIR_ENV = "VTCORE_TAP_LIB_DIR"
QUOTE_LIBRARY = "libTapQuoteAPI"
TRADE_LIBRARY = "libiTapTradeAPI"

# The user's page names auth code, quote username, quote password, quote host (行情地址) and quote port
# (行情端口); vn.py 2.0.9's TAP gateway named them auth_code, quote_username, quote_password, quote_host,
# quote_port. The trade side a TAP account needs follows in the same style (vtcore's additions, optional:
# an empty trade_host connects market data only), and library_dir.
DEFAULT_SETTING: dict[str, str | int | list[str]] = {
    "auth_code": "",
    "quote_username": "",
    "quote_password": "",
    "quote_host": "",
    "quote_port": 0,
    "trade_username": "",
    "trade_password": "",
    "trade_host": "",
    "trade_port": 0,
    "library_dir": "",
}
OPTIONAL_SETTING: dict[str, str] = {
    "trade_username": "the trading account's user (default: empty, then market data only)",
    "trade_password": "the trading account's password (default: empty)",
    "trade_host": "the trade front's address (default: empty, then market data only)",
    "trade_port": "the trade front's port (default: 0)",
    "library_dir": f"folder of the TAP libraries (default: ${LIBRARY_DIR_ENV}, else the SDK download cache)",
}

SETTING_ALIASES: dict[str, str] = {
    "行情账号": "quote_username",
    "行情密码": "quote_password",
    "行情地址": "quote_host",
    "行情端口": "quote_port",
    "交易账号": "trade_username",
    "交易密码": "trade_password",
    "交易地址": "trade_host",
    "交易端口": "trade_port",
}

LIBRARIES = LibrarySpec(
    "TAP",
    {"quote": QUOTE_LIBRARY, "trade": TRADE_LIBRARY},
    LIBRARY_DIR_ENV,
    lambda: cached_libraries("tap"),
    hint="the vnpy_tap 9.4.12 sdist holds them in vnpy_tap/api/",
)


def build_info() -> dict[str, Any]:
    return build.build_info("tap")


def status() -> str:
    return build.status("tap")


def load_binding() -> ModuleType:
    """vtcore._tap, or SdkUnavailableError with the build's reason and the fix."""
    return build.load_binding("tap")


def find_libraries(library_dir: str = "") -> tuple[Path, Path]:
    """(quote library, trade library) paths, or SdkUnavailableError saying where it looked."""
    found = find_sdk_libraries(LIBRARIES, library_dir)
    return found["quote"], found["trade"]


def library_status() -> str:
    """One line for `vtcore info`: the versions the TAP libraries report, or why they cannot be read."""
    try:
        quote, trade = find_libraries()
        binding = load_binding()
        versions = binding.quote_library_version(str(quote)), binding.trade_library_version(str(trade))
    except (OSError, SdkUnavailableError) as exc:
        return f"libraries: {exc}"
    return f"libraries in {quote.parent}: quote {versions[0]!r}, trade {versions[1]!r}"
