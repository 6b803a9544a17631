"""The CTP-Mini gateway (China futures): `from vtcore.gateways.mini import MiniGateway`.

Without CTP-Mini support in the build (no SDK headers at build time), MiniGateway is a stand-in whose
connect() raises SdkUnavailableError with the build's reason and the fix.
"""

try:
    from vtcore.gateways.mini.gateway import MiniGateway
except ModuleNotFoundError as error:  # the typed structs are generated only when the SDK headers were there
    if error.name != "vtcore.gateways.mini._mini_types":
        raise
    from vtcore.constant import Exchange
    from vtcore.gateways._sdk.unavailable import stand_in
    from vtcore.gateways.mini.library import DEFAULT_SETTING, OPTIONAL_SETTING

    MiniGateway = stand_in(  # type: ignore[assignment, misc]
        "MiniGateway",
        "mini",
        "MINI",
        DEFAULT_SETTING,
        [Exchange.CFFEX, Exchange.SHFE, Exchange.CZCE, Exchange.DCE, Exchange.INE, Exchange.GFEX],
        optional_setting=OPTIONAL_SETTING,
    )

__all__ = ["MiniGateway"]
