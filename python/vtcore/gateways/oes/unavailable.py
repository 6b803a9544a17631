"""OesGateway when this build has no OES declarations: the shared stand-in
(vtcore.gateways._sdk.unavailable)."""

from __future__ import annotations

from vtcore.constant import Exchange
from vtcore.gateways._sdk.unavailable import stand_in
from vtcore.gateways.oes.library import DEFAULT_SETTING, OPTIONAL_SETTING

OesGateway = stand_in(
    "OesGateway",
    "oes",
    "OES",
    DEFAULT_SETTING,
    [Exchange.SSE, Exchange.SZSE],
    optional_setting=OPTIONAL_SETTING,
)
