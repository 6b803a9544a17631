"""What every C++ SDK gateway's connect shares (`vtcore.gateways._sdk.gateway.SdkGateway.start_fronts`): each
front's library is loaded and checked before any front starts, so a refused market-data library leaves no
trade front logged in behind the SdkUnavailableError."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from _ctp_engine import ctp_engine, wait_for
from vtcore.errors import SdkUnavailableError, SettingsError
from vtcore.event import EVENT_GATEWAY_STATE
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


#: gateway -> (its binding, its simulator module, its address settings; the first one is the trade front's)
ADDRESS_SETTINGS = {
    "CTP": ("vtcore._ctp", "ctp", ("td_address", "md_address")),
    "MINI": ("vtcore._mini", "mini", ("td_address", "md_address")),
    "FEMAS": ("vtcore._femas", "femas", ("td_address", "md_address")),
    "TORA": ("vtcore._tora", "tora", ("td_address", "md_address")),
    "OES": ("vtcore._oes", "oes", ("td_ord_server", "td_rpt_server", "td_qry_server", "md_tcp_server")),
}
SECRET = "pw-Secret-4711"


def refuse_loading(monkeypatch: pytest.MonkeyPatch, name: str, gateway: Any) -> None:
    """Make any look-up of the gateway's vendor libraries fail the test: a refused setting loads nothing."""

    def looked_up(*args: Any) -> Any:
        raise AssertionError("a vendor library was looked up before the settings were checked")

    if name == "FEMAS":
        monkeypatch.setattr("vtcore.gateways.femas.gateway.find_libraries", looked_up)
    elif name == "OES":
        monkeypatch.setattr("vtcore.gateways.oes.gateway.find_library", looked_up)
    else:
        monkeypatch.setattr(gateway, "find_libraries", looked_up)


def refused_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, change: dict[str, Any], *, through_engine: bool = False
) -> str:
    """Connect gateway `name` with its simulator setting changed by `change` (a value None: the key left
    out); assert a SettingsError, nothing loaded or started and the password in no message; its text."""
    binding, sdk, _ = ADDRESS_SETTINGS[name]
    pytest.importorskip(binding, reason=f"vtcore was built without the {name} SDK")
    module = importlib.import_module(f"vtcore.gateways.{sdk}.sim")
    setting = {**module.simulator_setting(), "password": SECRET}
    for key, value in change.items():
        if value is None:
            del setting[key]
        else:
            setting[key] = value
    with ctp_engine(None, load_gateway_class(name)) as (main_engine, gateway, recorder):
        refuse_loading(monkeypatch, name, gateway)
        with pytest.raises(SettingsError) as refused:
            if through_engine:
                main_engine.connect(setting, name)
            else:
                gateway.connect(setting)
        text = str(refused.value)
        assert SECRET not in text and not any(SECRET in log for log in recorder.logs())
        assert not recorder.of(EVENT_GATEWAY_STATE)  # no front made, started or said to connect
    return text


BAD_ADDRESSES = [
    "tcp://127.0.0.1",
    "tcp://127.0.0.1:99999",
    "tcp://127.0.0.1:abc",
    "http://127.0.0.1:1",  # was sent as tcp://http://127.0.0.1:1
    "tcp://192.0.2.1:0",  # port 0 is the in-process simulator's, on 127.0.0.1 only
    "tcp://192.0.2.1:1?config=x",
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
@pytest.mark.parametrize("name", list(ADDRESS_SETTINGS))
def test_a_malformed_front_address_is_refused_before_anything_is_loaded(
    monkeypatch: pytest.MonkeyPatch, name: str, address: str
) -> None:
    """Else the SDK says nothing and the user sees a timeout (Thost, FEMAS, TORA) or a connect retried for
    ever (OES): one check, `_sdk.address.front_address`, for every gateway taking scheme://host:port."""
    key = ADDRESS_SETTINGS[name][2][0]
    text = refused_setting(monkeypatch, name, {key: address}, through_engine=True)
    assert f"setting {key!r}" in text


@pytest.mark.parametrize("name", list(ADDRESS_SETTINGS))
def test_every_address_setting_is_checked(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for key in ADDRESS_SETTINGS[name][2]:
        assert repr(key) in refused_setting(monkeypatch, name, {key: "tcp://127.0.0.1:abc"})


@pytest.mark.parametrize("key", ["md_protocol", "log_level"])
def test_a_choice_given_as_the_pages_list_is_a_settings_error(key: str) -> None:
    """The page declares a choice as the list of its values; given as the value (a settings file copied from
    the page), XTP refuses it naming the key, as `validate_setting`, CTP ("environment") and TORA
    ("address_type") do (it raised TypeError: unhashable type: 'list')."""
    name = "XTP"
    pytest.importorskip("vtcore._xtp", reason="vtcore was built without the XTP SDK")
    module = importlib.import_module(f"vtcore.gateways.{name.lower()}.sim")
    gateway_class = load_gateway_class(name)
    choices = list(gateway_class.default_setting[key])
    setting = {**module.simulator_setting(), "password": SECRET, key: choices}
    with ctp_engine(None, gateway_class) as (_, gateway, recorder):
        with pytest.raises(SettingsError, match=repr(key)) as refused:
            gateway.connect(setting)
        assert SECRET not in str(refused.value) and not any(SECRET in log for log in recorder.logs())
        assert not recorder.of(EVENT_GATEWAY_STATE)
