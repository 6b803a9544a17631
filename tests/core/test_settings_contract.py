"""The settings contract of every registered gateway: the user's page's fields are required, vtcore's
additions optional with defaults, vn.py's own keys and value spellings accepted through one shared mechanism
(`vtcore.setting.SettingsSpec`); bad files give a SettingsError that names file and key.

A gateway that joins the registry adds its row to PAGE (the user's page's fields, seed-gateways.md, as the
page spells them: an English key, or the Chinese label where the page gives no English name) and, when vn.py
has its own settings for it, to VNPY_KEYS (vnpy.md §9).
"""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path
from typing import Any

import pytest

from vtcore.cli.main import main
from vtcore.engine import MainEngine
from vtcore.errors import SettingsError
from vtcore.event import EventEngine
from vtcore.gateways import GATEWAYS, load_gateway_class
from vtcore.setting import SettingsSpec, load_connect_setting, load_json, read_settings

THOST = ["username", "password", "brokerid", "td_address", "md_address", "product_info", "auth_code"]
VENUE = ["key", "secret", "session_number", "proxy_host", "proxy_port"]
PAGE: dict[str, list[str]] = {
    "CTP": THOST,
    "MINI": THOST,
    "FEMAS": THOST,
    "XTP": ["账号", "密码", "客户号", "行情地址", "行情端口", "交易地址", "交易端口", "行情协议", "授权码"],
    "OES": [
        "username",
        "password",
        "hdd_serial",
        "td_ord_server",
        "td_rpt_server",
        "td_qry_server",
        "md_tcp_server",
        "md_qry_server",
    ],
    "TORA": ["username", "password", "td_address", "md_address"],
    "TORA_OPTION": ["username", "password", "td_address", "md_address"],  # TORA's page, the option trader
    "IB": ["TWS地址", "TWS端口", "客户号"],
    "TAP": ["授权码", "行情账号", "行情密码", "行情地址", "行情端口"],
    "FUTU": ["地址", "密码", "端口", "市场", "环境"],
    "TIGER": ["tiger_id", "account", "standard_account", "private_key"],
    "ALPACA": ["key", "secret", "会话数", "服务器"],
    "BITMEX": ["ID", "Secret", "会话数", "服务器", "代理地址", "代理端口"],
    "OKEX": ["API Key", "Secret Key", "会话数", "passphrase", "代理地址", "代理端口"],
    "OKEXF": ["API Key", "Secret Key", "会话数", "passphrase", "Leverage", "代理地址", "代理端口"],
    "HUOBI": ["API Key", "Secret Key", "会话数", "代理地址", "代理端口"],
    "HBDM": ["API Key", "Secret Key", "会话数", "代理地址", "代理端口"],
    "BITFINEX": ["ID", "Secret", "会话数", "代理地址", "代理端口"],
    "ONETOKEN": ["OT Key", "OT Secret", "会话数", "交易所", "账号", "代理地址", "代理端口"],
    "BINANCE": VENUE,
    "RPC": ["主动请求地址", "推送订阅地址"],  # the page: "use the defaults"; vn.py's two fields
}
#: vn.py's own default_setting keys (vnpy.md §9) that must reach a field; the rest are named in VNPY_UNUSED
VNPY_KEYS: dict[str, list[str]] = {
    "CTP": ["用户名", "密码", "经纪商代码", "交易服务器", "行情服务器", "产品名称", "授权编码", "柜台环境"],
    "MINI": ["用户名", "密码", "经纪商代码", "交易服务器", "行情服务器", "产品名称", "授权编码"],
    "FEMAS": ["用户名", "密码", "经纪商代码", "交易服务器", "行情服务器", "产品名称", "授权编码"],
    "BITMEX": ["ID", "Secret", "会话数", "服务器", "代理地址", "代理端口"],
    "BITFINEX": ["key", "secret", "session", "proxy_host", "proxy_port", "margin"],
    "OKEX": ["API Key", "Secret Key", "Passphrase", "会话数", "代理地址", "代理端口"],
    "OKEXF": ["API Key", "Secret Key", "Passphrase", "会话数", "代理地址", "代理端口", "Leverage"],
    "HUOBI": ["API Key", "Secret Key", "会话数", "代理地址", "代理端口"],
    "HBDM": ["API Key", "Secret Key", "会话数", "代理地址", "代理端口"],
    "ONETOKEN": ["OT Key", "OT Secret", "交易所", "账户", "会话数", "代理地址", "代理端口"],
    "BINANCE": ["API Key", "API Secret", "Server", "Proxy Host", "Proxy Port", "Kline Stream"],
    "RPC": ["主动请求地址", "推送订阅地址"],
    "IB": ["TWS地址", "TWS端口", "客户号", "交易账户"],
    "TIGER": ["tiger_id", "account", "服务器", "private_key"],
}
#: vn.py settings vtcore does not have, on purpose (warned as unknown when met)
VNPY_UNUSED = {"Kline Stream", "session", "margin"}


def page_row(name: str) -> str:
    return "BINANCE" if name.startswith("BINANCE") else name


def spec_of(name: str) -> SettingsSpec:
    try:
        return load_gateway_class(name).settings_spec()
    except ImportError as exc:  # SdkUnavailableError: a build without that SDK still has its stand-in
        pytest.skip(f"{name}: {exc}")


@pytest.mark.parametrize("name", list(GATEWAYS))
def test_the_pages_fields_are_the_required_ones(name: str) -> None:
    assert page_row(name) in PAGE, f"add {name}'s page fields (seed-gateways.md) to PAGE"
    spec = spec_of(name)
    aliases = spec.key_aliases()
    resolved = [
        field if field in spec.fields else aliases.get(field, f"<{field}: no key>")
        for field in PAGE[page_row(name)]
    ]
    assert sorted(resolved) == sorted(spec.required)
    for key in spec.optional:  # every addition says what it does
        assert spec.optional[key].strip(), key


@pytest.mark.parametrize("name", list(GATEWAYS))
def test_vnpys_own_keys_reach_a_field(name: str) -> None:
    keys = VNPY_KEYS.get(page_row(name))
    if keys is None:
        pytest.skip(f"vn.py has no settings of its own for {name}")
    spec = spec_of(name)
    aliases = spec.key_aliases()
    unmapped = [key for key in keys if key not in spec.fields and key not in aliases]
    assert set(unmapped) <= VNPY_UNUSED


@pytest.mark.parametrize("name", list(GATEWAYS))
def test_a_setting_with_only_the_pages_fields_is_valid(name: str) -> None:
    spec = spec_of(name)
    given = {key: spec.default(key) for key in spec.required}
    clean = spec.validate(given)
    assert set(clean) == set(spec.fields)
    for key in spec.optional:
        assert clean[key] == spec.default(key)


def ctp_spec() -> SettingsSpec:
    return spec_of("CTP")


SEVEN = {
    "username": "000001",
    "password": "pw-123456",
    "brokerid": "9999",
    "td_address": "tcp://127.0.0.1:1",
    "md_address": "tcp://127.0.0.1:2",
    "product_info": "",
    "auth_code": "",
}


def test_ctp_with_the_seven_page_fields_gets_production_and_no_library_dir() -> None:
    clean = ctp_spec().validate(SEVEN)
    assert clean["environment"] == "production"
    assert clean["library_dir"] == ""


def test_vnpy_4_connect_ctp_json_is_read_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path))
    vnpy_file = {
        "用户名": "000001",
        "密码": "pw-123456",
        "经纪商代码": "9999",
        "交易服务器": "180.168.146.187:10201",
        "行情服务器": "180.168.146.187:10211",
        "产品名称": "simnow_client_test",
        "授权编码": "0000000000000000",
        "柜台环境": "测试",
    }
    (tmp_path / "connect_ctp.json").write_text(json.dumps(vnpy_file, ensure_ascii=False), encoding="utf-8")
    clean = load_connect_setting("CTP", ctp_spec())
    assert clean["username"] == "000001"
    assert clean["td_address"] == "180.168.146.187:10201"
    assert clean["product_info"] == "simnow_client_test"
    assert clean["environment"] == "test"
    assert "用户名" not in clean


def test_value_spellings_of_vnpy_are_accepted_under_english_keys_too() -> None:
    assert ctp_spec().validate({**SEVEN, "environment": "实盘"})["environment"] == "production"
    with pytest.raises(SettingsError, match="environment"):
        ctp_spec().validate({**SEVEN, "environment": "模拟"})


def test_a_key_given_twice_with_different_values_is_refused() -> None:
    with pytest.raises(SettingsError, match="given twice"):
        ctp_spec().validate({**SEVEN, "用户名": "000002"})


def test_unknown_key_is_warned_once_naming_the_closest(caplog: pytest.LogCaptureFixture) -> None:
    setting = {key: value for key, value in SEVEN.items() if key != "password"} | {"pasword": "pw-123456"}
    with (
        caplog.at_level(logging.WARNING, logger="vtcore.setting"),
        pytest.raises(SettingsError, match="'pasword' is not a known key, did you mean 'password'"),
    ):
        ctp_spec().validate(setting, file="connect_ctp.json")
    ctp_spec().validate({**SEVEN, "pasword": "x"}, file="connect_ctp.json")
    warnings = [record.getMessage() for record in caplog.records if "pasword" in record.getMessage()]
    assert len(warnings) == 1
    assert "did you mean 'password'" in warnings[0]
    assert "pw-123456" not in caplog.text


def test_vnpy_numbers_stored_as_text_are_read_as_numbers() -> None:
    spec = spec_of("BITMEX")
    clean = spec.validate(
        {"ID": "k", "Secret": "s", "会话数": 3, "服务器": "TESTNET", "代理地址": "", "代理端口": ""}
    )
    assert clean["proxy_port"] == 0
    assert clean["server"] == "TESTNET"
    assert spec.validate({**clean, "代理端口": "1080"} | {"proxy_port": 1080})["proxy_port"] == 1080


@pytest.mark.parametrize(
    ("change", "message"),
    [({"username": 1}, "expected a string"), ({"environment": True}, "not one of the choices")],
)
def test_a_wrong_type_is_a_settings_error_naming_the_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        ctp_spec().validate({**SEVEN, **change}, file="connect_ctp.json")
    assert caught.value.key == next(iter(change))
    assert "connect_ctp.json" in str(caught.value)


def test_a_file_that_is_not_utf8_is_a_settings_error(tmp_path: Path) -> None:
    (tmp_path / "connect_ctp.json").write_bytes('{"用户名": "张三"}'.encode("gbk"))
    with pytest.raises(SettingsError, match="not UTF-8") as caught:
        load_json("connect_ctp.json", tmp_path)
    assert caught.value.file == str(tmp_path / "connect_ctp.json")


def test_a_bad_vt_setting_json_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "vt_setting.json").write_text('{"log.level": "LOUD"}', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"log\.level"):
        read_settings(tmp_path)


def test_main_engine_connect_validates_through_the_spec(tmp_path: Path) -> None:
    gateway_class = load_gateway_class("RPC")
    engine = MainEngine(EventEngine())
    try:
        engine.add_gateway(gateway_class)
        with pytest.raises(SettingsError, match=r"missing key.*req_address"):
            engine.connect({"推送订阅地址": "tcp://127.0.0.1:4102"}, "RPC")
    finally:
        engine.close()


# -- vtcore settings migrate / check ---------------------------------------------------------------------


def vnpy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / ".vntrader"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    files = {
        "connect_ctp.json": {
            "用户名": "000001",
            "密码": "pw-123456",
            "经纪商代码": "9999",
            "交易服务器": "tcp://127.0.0.1:1",
            "行情服务器": "tcp://127.0.0.1:2",
            "产品名称": "",
            "授权编码": "",
            "柜台环境": "实盘",
        },
        "connect_bitmex.json": {
            "ID": "key-1",
            "Secret": "secret-123456",
            "会话数": 3,
            "服务器": "REAL",
            "代理地址": "",
            "代理端口": "",
            "margin": "False",
        },
        "connect_xyz.json": {"a": 1},
        "vt_setting.json": {"font.family": "微软雅黑", "log.level": 50},
        "cta_strategy_setting.json": {},
    }
    for name, data in files.items():
        path = folder / name
        path.write_text(json.dumps(data, ensure_ascii=False, indent=4), encoding="utf-8")
        path.chmod(0o644)
    return folder


def test_migrate_rewrites_a_vnpy_folder_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = vnpy_folder(tmp_path)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert main(["settings", "migrate", str(folder), "--dry-run"]) == 0
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before  # a dry run changes nothing
    assert main(["settings", "migrate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "用户名 -> username" in out
    assert "environment 实盘 -> production" in out
    assert "dropped (unknown to the gateway): margin" in out
    assert "connect_xyz.json: left as is" in out
    assert "pw-123456" not in out and "secret-123456" not in out
    ctp = json.loads((folder / "connect_ctp.json").read_text(encoding="utf-8"))
    assert ctp == {**SEVEN, "environment": "production"}
    bitmex = json.loads((folder / "connect_bitmex.json").read_text(encoding="utf-8"))
    assert bitmex["proxy_port"] == 0 and "margin" not in bitmex
    assert (folder / "connect_ctp.json.vnpy").read_bytes() == before["connect_ctp.json"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert main(["settings", "check", str(folder)]) == 0
    assert "connect_ctp.json (CTP): ok" in capsys.readouterr().out


def test_check_names_a_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = vnpy_folder(tmp_path)
    broken = {**json.loads((folder / "connect_ctp.json").read_text(encoding="utf-8")), "用户名": 1}
    (folder / "connect_ctp.json").write_text(json.dumps(broken), encoding="utf-8")
    assert main(["settings", "check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "connect_ctp.json (CTP): expected a string" in out and "key 'username'" in out
    assert "not owner-only" in out
