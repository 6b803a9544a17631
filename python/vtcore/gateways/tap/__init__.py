"""The TAP gateway (易盛 Esunny 9.x, foreign futures): `from vtcore.gateways.tap import TapGateway`.

Without TAP support in the build (no SDK headers at build time), TapGateway is a stand-in whose connect()
raises SdkUnavailableError with the build's reason and the fix.
"""

try:
    from vtcore.gateways.tap.gateway import TapGateway
except ModuleNotFoundError as error:  # the typed structs are generated only when the SDK headers were there
    if error.name not in ("vtcore.gateways.tap._tapquote_types", "vtcore.gateways.tap._taptrade_types"):
        raise
    from vtcore.gateways._sdk.unavailable import stand_in
    from vtcore.gateways.tap.library import DEFAULT_SETTING, OPTIONAL_SETTING, SETTING_ALIASES
    from vtcore.gateways.tap.mapping import EXCHANGES

    TapGateway = stand_in(  # type: ignore[assignment, misc]
        "TapGateway",
        "tap",
        "TAP",
        DEFAULT_SETTING,
        sorted(set(EXCHANGES.values()), key=lambda e: e.value),
        optional_setting=OPTIONAL_SETTING,
        setting_aliases=SETTING_ALIASES,
    )

__all__ = ["TapGateway"]
