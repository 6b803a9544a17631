"""What every C++ SDK gateway's connect shares (`vtcore.gateways._sdk.gateway.SdkGateway.start_fronts`): each
front's library is loaded and checked before any front starts, so a refused market-data library leaves no
trade front logged in behind the SdkUnavailableError."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest

from _ctp_engine import ctp_engine, wait_for
from vtcore.errors import SdkUnavailableError, SettingsError
from vtcore.gateways import load_gateway_class
from vtcore.gateways._sdk.sim import FRONT_ENDS

#: gateway -> (binding module, simulator folder, its trade-side libraries, the market-data library's name,
#: the trade front's attribute)
GATEWAYS = {
    "TORA": ("vtcore._tora", "tora", ["libtraderapi.so"], "libxmdapi.so", "td"),
    "TORA_OPTION": ("vtcore._tora", "tora", ["libsptraderapi.so"], "libxmdapi.so", "td"),
    "XTP": ("vtcore._xtp", "xtp", ["libxtptraderapi.so"], "libxtpquoteapi.so", "td"),
    "FEMAS": ("vtcore._femas", "femas", ["libUSTPtraderapiAF.so"], "libUSTPmduserapiAF.so", "td"),
    "TAP": (
        "vtcore._tap",
        "tap",
        ["libiTapTradeAPI.so", "libescrypto.so.1.1", "libesssl.so.1.1"],
        "libTapQuoteAPI.so",
        "trade",
    ),
}


@pytest.mark.parametrize("name", list(GATEWAYS))
def test_a_refused_market_data_library_leaves_no_trade_front_running(name: str, tmp_path: Path) -> None:
    binding, sdk, trade_libraries, md_library, trade_front = GATEWAYS[name]
    pytest.importorskip(binding, reason=f"vtcore was built without the {name} SDK")
    simulators = FRONT_ENDS[sdk].library_dir()
    folder = tmp_path / "libs" / sdk
    folder.mkdir(parents=True)
    for library in trade_libraries:  # the simulator's own trade side: it would log in
        # a link: TAP's crypto stand-ins may be loaded once per process, and the other TAP tests load them
        (folder / library).symlink_to(simulators / library)
    shutil.copy(simulators.parent / "libvtcore_simcore.so", folder.parent)
    # another SDK's library under the market-data library's name: refused when it is loaded
    shutil.copy(FRONT_ENDS["ctp"].library_dir() / "libthosttraderapi_se.so", folder / md_library)
    module = importlib.import_module(f"vtcore.gateways.{sdk}.sim")
    setting = {**module.simulator_setting(), "library_dir": str(folder)}
    with ctp_engine(None, load_gateway_class(name)) as (main_engine, gateway, recorder):
        with pytest.raises(SdkUnavailableError):
            main_engine.connect(setting, name)
        front = getattr(gateway, trade_front)
        wait_for(lambda: "unavailable" in recorder.states(trade_front), what=f"{trade_front} unavailable")
        assert front.api is None and not front.logged_in
        assert "connecting" not in recorder.states(trade_front)  # never started


@pytest.mark.parametrize("name", ["TORA", "TORA_OPTION"])
@pytest.mark.parametrize(
    ("key", "value"),
    [("product_info", "P" * 20), ("password", "secret-" + "P" * 93), ("username", "U" * 30)],
)
def test_a_setting_too_long_for_the_login_struct_is_refused_at_connect(
    name: str, key: str, value: str
) -> None:
    """Else the login fails on the engine thread at every reconnect (a ValueError from the struct)."""
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    from vtcore.gateways.tora import sim  # noqa: PLC0415

    setting = {**sim.simulator_setting(), key: value}
    with ctp_engine(None, load_gateway_class(name)) as (main_engine, gateway, recorder):
        with pytest.raises(SettingsError, match=key) as refused:
            main_engine.connect(setting, name)
        assert value not in str(refused.value) and not any(value in log for log in recorder.logs())
        assert gateway.td.api is None and gateway.md.api is None  # nothing started
