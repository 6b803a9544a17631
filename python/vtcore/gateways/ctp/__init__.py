"""The CTP gateway (China futures): `from vtcore.gateways.ctp import CtpGateway`.

Without CTP support in the build (no SDK headers at build time), CtpGateway is a stand-in whose connect()
raises SdkUnavailableError with the build's reason and the fix.
"""

try:
    from vtcore.gateways.ctp.gateway import CtpGateway
except ModuleNotFoundError as error:  # _ctp_types is generated only when the SDK headers were there
    if error.name != "vtcore.gateways.ctp._ctp_types":
        raise
    from vtcore.gateways.ctp.unavailable import CtpGateway  # type: ignore[assignment]

__all__ = ["CtpGateway", "sim_setting"]


def sim_setting() -> dict[str, object]:
    """The setting that connects CtpGateway to the CTP simulator installed with vtcore (no account, no
    network): `main_engine.connect(sim_setting(), "CTP")`. SdkUnavailableError when the build has none.

    The simulator then streams at any hour (`$VTCORE_CTPSIM_ALWAYS_OPEN`, unless already set): a tour run at
    night must not wait for a trading session."""
    import os  # noqa: PLC0415

    from vtcore.gateways.ctp.sim import simulator_setting  # noqa: PLC0415 (the simulator only when asked)

    os.environ.setdefault("VTCORE_CTPSIM_ALWAYS_OPEN", "1")
    return simulator_setting()
