"""The XTP gateway (China A-shares): `from vtcore.gateways.xtp import XtpGateway`.

Without XTP support in the build (no SDK headers at build time), XtpGateway is a stand-in whose connect()
raises SdkUnavailableError with the build's reason and the fix.
"""

try:
    from vtcore.gateways.xtp.gateway import XtpGateway
except ModuleNotFoundError as error:  # the typed structs are generated only when the SDK headers were there
    if error.name != "vtcore.gateways.xtp._xtp_types":
        raise
    from vtcore.constant import Exchange
    from vtcore.gateways._sdk.unavailable import stand_in
    from vtcore.gateways.xtp.library import DEFAULT_SETTING

    XtpGateway = stand_in(  # type: ignore[assignment, misc]
        "XtpGateway", "xtp", "XTP", DEFAULT_SETTING, [Exchange.SSE, Exchange.SZSE]
    )

__all__ = ["XtpGateway"]
