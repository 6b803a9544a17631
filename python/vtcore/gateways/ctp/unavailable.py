"""CtpGateway when this build has no CTP support: it exists (so settings pages and `vtcore run` work) and its
connect() says why CTP is missing and how to fix it."""

from __future__ import annotations

from logging import ERROR
from typing import Any, ClassVar

from vtcore.constant import Exchange
from vtcore.errors import SdkUnavailableError
from vtcore.gateway import BaseGateway
from vtcore.gateways.ctp.library import DEFAULT_SETTING, build_info
from vtcore.object import CancelRequest, OrderRequest, SubscribeRequest


class CtpGateway(BaseGateway):
    default_name: ClassVar[str] = "CTP"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    exchanges: ClassVar[list[Exchange]] = [
        Exchange.CFFEX,
        Exchange.SHFE,
        Exchange.CZCE,
        Exchange.DCE,
        Exchange.INE,
        Exchange.GFEX,
    ]

    def _unavailable(self) -> SdkUnavailableError:
        reason = build_info().get("ctp_unavailable_reason") or "the CTP constants were not generated"
        return SdkUnavailableError(f"CTP is not available in this build: {reason}")

    def connect(self, setting: dict[str, Any]) -> None:
        error = self._unavailable()
        self.write_log(f"cannot connect: {error}", ERROR)
        raise error

    def close(self) -> None:
        return None

    def subscribe(self, req: SubscribeRequest) -> None:
        self.write_log(f"cannot subscribe: {self._unavailable()}", ERROR)

    def send_order(self, req: OrderRequest) -> str:
        self.write_log(f"cannot send orders: {self._unavailable()}", ERROR)
        return ""

    def cancel_order(self, req: CancelRequest) -> None:
        self.write_log(f"cannot cancel orders: {self._unavailable()}", ERROR)

    def query_account(self) -> None:
        return None

    def query_position(self) -> None:
        return None
