"""CtpGateway: China futures through CTP, vn.py's CTP gateway with its faults fixed.

The logic (fronts, login, re-login, resubscribe, lockout guard, orders, trades, positions, queries) is the
Thost family's, shared with CTP-Mini: `vtcore.gateways._sdk.thost.gateway`. CTP gives its binding
`vtcore._ctp`, its typed structs `_ctp_types`, its libraries (ctp/library.py) and its settings page, which has
an "environment" (the factories' production/test flag); after login it confirms the settlement.
"""

from __future__ import annotations

from typing import Any, ClassVar

from vtcore.gateways._sdk.thost.gateway import ThostGateway
from vtcore.gateways.ctp import _ctp_types
from vtcore.gateways.ctp.library import DEFAULT_SETTING, OPTIONAL_SETTING, find_libraries, load_binding


class CtpGateway(ThostGateway):
    """China futures through CTP (SHFE, DCE, CZCE, CFFEX, INE, GFEX)."""

    default_name: ClassVar[str] = "CTP"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = OPTIONAL_SETTING
    sdk: ClassVar[str] = "ctp"
    title: ClassVar[str] = "CTP"
    types: ClassVar[Any] = _ctp_types

    def load_binding(self) -> Any:
        return load_binding()

    def find_libraries(self, library_dir: str) -> tuple[Any, Any]:
        return find_libraries(library_dir)


__all__ = ["CtpGateway"]
