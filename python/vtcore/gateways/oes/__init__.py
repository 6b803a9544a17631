"""The OES gateway (宽睿: China A-shares, trading on OES, market data on MDS):
`from vtcore.gateways.oes import OesGateway`.

OES brings no registry package: the user supplies Quant360's `liboes_api.so` 0.17.5.8 (`library_dir` or
`$VTCORE_OES_LIB_DIR`; docs/oes.md). Without the OES declarations in the build, OesGateway is a stand-in whose
connect() says why.
"""

try:
    from vtcore.gateways.oes.gateway import OesGateway
except ModuleNotFoundError as error:  # _oes_types is generated only when the build generated the declarations
    if error.name != "vtcore.gateways.oes._oes_types":
        raise
    from vtcore.gateways.oes.unavailable import OesGateway  # type: ignore[assignment]

__all__ = ["OesGateway", "sim_setting"]


def sim_setting() -> dict[str, object]:
    """The setting that connects OesGateway to the OES simulator installed with vtcore (no account, no
    network, a few SSE and SZSE stocks): `main_engine.connect(sim_setting(), "OES")`."""
    from vtcore.gateways.oes.sim import simulator_setting  # noqa: PLC0415 (the simulator only when asked)

    return simulator_setting()
