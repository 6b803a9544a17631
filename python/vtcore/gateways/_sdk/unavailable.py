"""The stand-in gateway of an SDK this build has no binding for: it exists (so settings pages, `vtcore run`
and
the registry work) and its connect() says why the SDK is missing and how to fix it."""

from __future__ import annotations

from logging import ERROR
from typing import Any, ClassVar

from vtcore.constant import Exchange
from vtcore.errors import SdkUnavailableError
from vtcore.gateway import BaseGateway
from vtcore.gateways._sdk.build import build_info
from vtcore.object import CancelRequest, OrderRequest, SubscribeRequest


class UnavailableGateway(BaseGateway):
    """Subclass with `sdk`, `default_name`, `default_setting` and `exchanges` of the real gateway."""

    sdk: ClassVar[str] = ""
    default_name: ClassVar[str] = ""
    default_setting: ClassVar[dict[str, Any]] = {}
    exchanges: ClassVar[list[Exchange]] = []

    def _unavailable(self) -> SdkUnavailableError:
        info = build_info(self.sdk)
        title = info.get("title", self.sdk)
        reason = info.get("unavailable_reason") or f"the {title} types were not generated"
        return SdkUnavailableError(f"{title} is not available in this build: {reason}")

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


def stand_in(
    name: str,
    sdk: str,
    default_name: str,
    default_setting: dict[str, Any],
    exchanges: list[Exchange],
    *,
    optional_setting: dict[str, str] | None = None,
    setting_aliases: dict[str, str] | None = None,
) -> type[BaseGateway]:
    """A stand-in class named `name` for the gateway of `sdk` (with the real one's settings contract)."""
    namespace = {
        "sdk": sdk,
        "default_name": default_name,
        "default_setting": dict(default_setting),
        "optional_setting": dict(optional_setting or {}),
        "setting_aliases": dict(setting_aliases or {}),
        "exchanges": list(exchanges),
        "__doc__": f"{default_name} without its SDK in this build: connect() says why and how to fix it.",
        "__module__": __name__,
    }
    return type(name, (UnavailableGateway,), namespace)
