"""The FEMAS gateway (飞马, China futures): `from vtcore.gateways.femas import FemasGateway`.

FEMAS runs on the vendor's Linux library, which you bring (no registry artifact holds one): set the gateway
setting `library_dir` or `$VTCORE_FEMAS_LIB_DIR`. Without FEMAS support in the build (no SDK headers at build
time), FemasGateway is a stand-in whose connect() raises SdkUnavailableError with the build's reason and the
fix.
"""

try:
    from vtcore.gateways.femas.gateway import FemasGateway
except ModuleNotFoundError as error:  # _femas_types is generated only when the SDK headers were there
    if error.name != "vtcore.gateways.femas._femas_types":
        raise
    from vtcore.constant import Exchange
    from vtcore.gateways._sdk.unavailable import stand_in
    from vtcore.gateways.femas.library import DEFAULT_SETTING, OPTIONAL_SETTING

    FemasGateway = stand_in(  # type: ignore[assignment, misc]
        "FemasGateway",
        "femas",
        "FEMAS",
        DEFAULT_SETTING,
        [Exchange.CFFEX, Exchange.SHFE, Exchange.CZCE, Exchange.DCE, Exchange.INE, Exchange.GFEX],
        optional_setting=OPTIONAL_SETTING,
    )

__all__ = ["FemasGateway"]
