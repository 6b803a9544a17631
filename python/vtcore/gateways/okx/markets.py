"""The two OKX gateways: OKEX (spot, cash trading) and OKEXF (perpetual swaps and dated futures, cross margin,
with the leverage setting applied per instrument before its first order)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from vtcore.gateways._venue.settings import BASE_URL_SETTING, SERVER_SETTING
from vtcore.gateways.okx import parse, schemas
from vtcore.gateways.okx.gateway import OkxGatewayBase
from vtcore.object import OrderData, OrderRequest

COMMON_SETTING: dict[str, Any] = {
    "key": "",
    "secret": "",
    "passphrase": "",
    "session_number": 3,
    "proxy_host": "",
    "proxy_port": 0,
    "server": ["REAL", "DEMO"],
    "base_url": "",
}


class OkexGateway(OkxGatewayBase):
    default_name: ClassVar[str] = "OKEX"
    default_setting: ClassVar[dict[str, Any]] = dict(COMMON_SETTING)
    optional_setting: ClassVar[Mapping[str, str]] = {**SERVER_SETTING, **BASE_URL_SETTING}
    inst_types: ClassVar[tuple[str, ...]] = ("SPOT",)
    trade_mode: ClassVar[str] = "cash"

    def order_args(self, order: OrderData, req: OrderRequest) -> dict[str, Any]:
        args = super().order_args(order, req)
        if args["ordType"] == "market":
            args["tgtCcy"] = "base_ccy"  # a spot market order's size is otherwise in the quote currency
        return args


class OkexfGateway(OkxGatewayBase):
    default_name: ClassVar[str] = "OKEXF"
    default_setting: ClassVar[dict[str, Any]] = {**COMMON_SETTING, "leverage": 10}
    optional_setting: ClassVar[Mapping[str, str]] = {**SERVER_SETTING, **BASE_URL_SETTING}
    inst_types: ClassVar[tuple[str, ...]] = ("SWAP", "FUTURES")
    trade_mode: ClassVar[str] = "cross"

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.leverage = 10
        self._leverage_set: set[str] = set()

    def apply_setting(self, setting: dict[str, Any]) -> None:
        super().apply_setting(setting)
        try:
            leverage = int(setting.get("leverage", 10))
        except (TypeError, ValueError):
            raise ValueError("setting 'leverage' must be an integer") from None
        if not 1 <= leverage <= 125:
            raise ValueError("setting 'leverage' must be 1-125")
        self.leverage = leverage

    def private_topics(self) -> list[str]:
        return [*super().private_topics(), *(f"positions:instType={kind}" for kind in self.inst_types)]

    async def prepare_order(self, req: OrderRequest) -> None:
        if req.symbol in self._leverage_set:
            return
        await self.call(
            "POST",
            "/api/v5/account/set-leverage",
            {"instId": req.symbol, "lever": str(self.leverage), "mgnMode": self.trade_mode},
            signed=True,
        )
        self._leverage_set.add(req.symbol)
        self.write_log(f"leverage {self.leverage} set for {req.symbol}", logging.DEBUG)

    async def fetch_positions(self) -> None:
        rows: list[schemas.Position] = await self.call(
            "GET", "/api/v5/account/positions", signed=True, row_type=schemas.Position
        )
        for row in rows:
            self.on_position(parse.position(row, gateway_name=self.gateway_name, exchange=self.exchange))
