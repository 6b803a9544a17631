"""MiniGateway: China futures through CTP-Mini, the CTP gateway's logic on the CTP-Mini SDK.

CTP-Mini is CTP's class and field names on another ABI (vendor-sdks.md §4): the same login, re-login,
resubscribe, lockout guard, order/trade/position and query logic apply, so MiniGateway is CtpGateway with the
parts where Mini's headers differ:
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
from vtcore.gateways._sdk.messages import Decoder
from vtcore.gateways.ctp.gateway import CtpGateway, _MdFront, _TdFront
from vtcore.gateways.ctp.messages import Callback
from vtcore.gateways.mini import _mini_types
from vtcore.gateways.mini.library import DEFAULT_SETTING, find_libraries, load_binding

_DECODER = Decoder(_mini_types)


class _MiniTdFront(_TdFront):
    def after_login(self) -> None:
        self.load_contracts()  # no settlement to confirm


class MiniGateway(CtpGateway):
    """China futures through CTP-Mini (SHFE, DCE, CZCE, CFFEX, INE, GFEX)."""

    default_name: ClassVar[str] = "MINI"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    sdk: ClassVar[str] = "mini"
    title: ClassVar[str] = "CTP-Mini"
    types: ClassVar[Any] = _mini_types
    md_front_class: ClassVar[type[_MdFront]] = _MdFront
    td_front_class: ClassVar[type[_TdFront]] = _MiniTdFront

    def __init__(self, event_engine: Any, gateway_name: str = "MINI") -> None:
        super().__init__(event_engine, gateway_name)

    def decode_message(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> Callback:
        message = _DECODER.decode(kind, request_id, is_last, payload)
        data = message.data.as_dict() if message.data is not None else None
        error = message.error.as_dict() if message.error is not None else None
        return Callback(message.name, message.request_id, message.is_last, data, error)

    def load_binding(self) -> Any:
        return load_binding()

    def find_libraries(self, library_dir: str) -> tuple[Any, Any]:
        return find_libraries(library_dir)

    def _position_exchange(self, data: dict[str, Any]) -> Exchange:
        contract = self.contracts.get(data["InstrumentID"])
        if contract is None:  # reported before (or without) its contract: kept, on the LOCAL exchange
            self._nearest(f"a position in {data['InstrumentID']!r}, which is not among the contracts")
            return Exchange.LOCAL
        return contract.exchange


__all__ = ["MiniGateway"]
