"""The TORA gateways (华鑫奇点): `from vtcore.gateways.tora import ToraGateway` (China A-shares) and
`ToraOptionGateway` (TORA_OPTION: SSE and SZSE ETF options through the stock-option trader).

Without TORA support in the build (no SDK headers at build time), each is a stand-in whose connect() raises
SdkUnavailableError with the build's reason and the fix.
"""

try:
    from vtcore.gateways.tora.gateway import ToraGateway
    from vtcore.gateways.tora.option import ToraOptionGateway
except ModuleNotFoundError as error:  # the typed structs are generated only when the SDK headers were there
    if error.name not in (
        "vtcore.gateways.tora._tora_types",
        "vtcore.gateways.tora._toraxmd_types",
        "vtcore.gateways.tora._torasp_types",
    ):
        raise
    from vtcore.constant import Exchange
    from vtcore.gateways._sdk.unavailable import stand_in
    from vtcore.gateways.tora.library import (
        DEFAULT_SETTING,
        OPTION_DEFAULT_SETTING,
        OPTION_OPTIONAL_SETTING,
        OPTIONAL_SETTING,
    )

    ToraGateway = stand_in(  # type: ignore[assignment, misc]
        "ToraGateway",
        "tora",
        "TORA",
        DEFAULT_SETTING,
        [Exchange.SSE, Exchange.SZSE, Exchange.BSE],
        optional_setting=OPTIONAL_SETTING,
    )
    ToraOptionGateway = stand_in(  # type: ignore[assignment, misc]
        "ToraOptionGateway",
        "tora",
        "TORA_OPTION",
        OPTION_DEFAULT_SETTING,
        [Exchange.SSE, Exchange.SZSE],
        optional_setting=OPTION_OPTIONAL_SETTING,
    )

__all__ = ["ToraGateway", "ToraOptionGateway"]
