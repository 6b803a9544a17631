"""CtpGateway when this build has no CTP support: the shared stand-in (vtcore.gateways._sdk.unavailable)."""

from __future__ import annotations

from vtcore.constant import Exchange
from vtcore.gateways._sdk.unavailable import stand_in
from vtcore.gateways.ctp.library import DEFAULT_SETTING, OPTIONAL_SETTING

CtpGateway = stand_in(
    "CtpGateway",
    "ctp",
    "CTP",
    DEFAULT_SETTING,
    [Exchange.CFFEX, Exchange.SHFE, Exchange.CZCE, Exchange.DCE, Exchange.INE, Exchange.GFEX],
    optional_setting=OPTIONAL_SETTING,
)
