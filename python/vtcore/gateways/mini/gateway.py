"""MiniGateway: China futures through CTP-Mini, the Thost gateway logic on the CTP-Mini SDK.

CTP-Mini is CTP's class and field names on another ABI (vendor-sdks.md §4): the same login, re-login,
resubscribe, lockout guard, order/trade/position and query logic apply (`vtcore.gateways._sdk.thost`), so
MiniGateway is a ThostGateway with the parts where Mini's headers differ:
- the binding `vtcore._mini`, its typed structs `_mini_types` and libraries (`libthostmduserapi.so`,
  `libthosttraderapi.so`, `$VTCORE_MINI_LIB_DIR`);
- no settlement confirmation (Mini has no ReqSettlementInfoConfirm): after login the trade front loads the
  contracts at once;
- no production/test flag in the factories (no "environment" setting);
- position records carry no ExchangeID: the exchange is the contract's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from vtcore.constant import Exchange
from vtcore.gateways._sdk.thost.gateway import TdFront, ThostGateway
from vtcore.gateways.mini import _mini_types
from vtcore.gateways.mini.library import DEFAULT_SETTING, OPTIONAL_SETTING, find_libraries, load_binding


class _MiniTdFront(TdFront):
    def after_login(self) -> None:
        self.load_contracts()  # no settlement to confirm


class MiniGateway(ThostGateway):
    """China futures through CTP-Mini (SHFE, DCE, CZCE, CFFEX, INE, GFEX)."""

    default_name: ClassVar[str] = "MINI"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = OPTIONAL_SETTING
    sdk: ClassVar[str] = "mini"
    title: ClassVar[str] = "CTP-Mini"
    types: ClassVar[Any] = _mini_types
    td_front_class: ClassVar[type[TdFront]] = _MiniTdFront

    def load_binding(self) -> Any:
        return load_binding()

    def find_libraries(self, library_dir: str) -> tuple[Any, Any]:
        return find_libraries(library_dir)

    def _position_exchange(self, data: Any) -> Exchange:
        symbol = data.InstrumentID
        contract = self.contracts.get(symbol)
        if contract is None:  # reported before (or without) its contract: kept, on the LOCAL exchange
            self.nearest(f"a position in {symbol!r}, which is not among the contracts")
            return Exchange.LOCAL
        return contract.exchange


__all__ = ["MiniGateway"]
