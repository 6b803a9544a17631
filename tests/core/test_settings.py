"""Settings: where the .vntrader folder is, owner-only files, validation that names file and key, no
secrets.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vtcore import setting
from vtcore.errors import SettingsError
from vtcore.log import mask_secrets, register_secret, setup_logging

DEFAULT = {
    "username": "",
    "password": "",
    "brokerid": "",
    "td_address": "",
    "port": 0,
    "timeout": 1.5,
    "auto_reconnect": True,
    "product_info": "",
    "environment": ["REAL", "TEST"],
}
GOOD = {
    "username": "u1",
    "password": "s3cret-pass",
    "brokerid": "9999",
    "td_address": "tcp://127.0.0.1:1",
    "port": 7,
    "timeout": 2,
    "auto_reconnect": False,
    "product_info": "",
    "environment": "TEST",
}


@pytest.fixture
def home(tmp_path, monkeypatch):
    folder = tmp_path / "home" / ".vntrader"
    monkeypatch.setenv("VTCORE_HOME", str(folder))
    yield folder
    setting.SETTINGS.clear()
    setting.SETTINGS.update(setting.DEFAULT_SETTINGS)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_folder_resolution_is_evaluated_per_call(tmp_path, monkeypatch):
    monkeypatch.delenv("VTCORE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert setting.get_settings_dir() == tmp_path / "user" / ".vntrader"
    (work / ".vntrader").mkdir()
    assert setting.get_settings_dir() == work / ".vntrader"  # ./.vntrader wins once it exists
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / "elsewhere"))
    assert setting.get_settings_dir() == tmp_path / "elsewhere"


def test_round_trip_with_owner_only_modes(home):
    path = setting.save_connect_setting("CTP", GOOD, DEFAULT)
    assert path == home / "connect_ctp.json"
    assert mode(home) == 0o700
    assert mode(path) == 0o600
    loaded = setting.load_connect_setting("CTP", DEFAULT)
    assert loaded == {**GOOD, "timeout": 2.0}
    assert isinstance(loaded["timeout"], float)
    # Replacing keeps 0600 and leaves no temporary file behind.
    path.chmod(0o644)
    setting.save_connect_setting("ctp", {**GOOD, "username": "u2"}, DEFAULT)
    assert mode(path) == 0o600
    assert setting.load_connect_setting("CTP")["username"] == "u2"
    assert [p.name for p in home.iterdir()] == ["connect_ctp.json"]


def test_missing_file_is_an_error_and_is_not_created(home):
    assert setting.load_json("connect_ctp.json") is None
    with pytest.raises(SettingsError, match="not found") as info:
        setting.load_connect_setting("CTP", DEFAULT)
    assert "connect_ctp.json" in str(info.value)
    assert not home.exists()


def write(home: Path, name: str, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / name
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_json_names_the_file_and_position_not_the_text(home):
    path = write(home, "connect_ctp.json", '{"password": "s3cret-pass",,}')
    with pytest.raises(SettingsError) as info:
        setting.load_connect_setting("CTP", DEFAULT)
    assert str(path) in str(info.value) and "line 1" in str(info.value)
    assert "s3cret-pass" not in str(info.value)
    write(home, "connect_ctp.json", "[1, 2]")
    with pytest.raises(SettingsError, match="JSON object"):
        setting.load_connect_setting("CTP", DEFAULT)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("username", 5, "expected a string"),
        ("port", "7", "expected an integer"),
        ("port", 7.5, "expected an integer"),
        ("port", True, "expected an integer"),
        ("timeout", "fast", "expected a number"),
        ("timeout", False, "expected a number"),
        ("auto_reconnect", "False", "expected true or false"),
        ("auto_reconnect", 0, "expected true or false"),
        ("environment", "PROD", "not one of the choices"),
        ("environment", ["TEST"], "not one of the choices"),
    ],
)
def test_wrong_type_or_choice_names_file_and_key(home, key, value, expected):
    path = write(home, "connect_ctp.json", json.dumps({**GOOD, key: value}))
    with pytest.raises(SettingsError, match=expected) as info:
        setting.load_connect_setting("CTP", DEFAULT)
    assert info.value.key == key and info.value.file == str(path)
    assert repr(key) in str(info.value) and str(path) in str(info.value)


def test_missing_key(home):
    incomplete = dict(GOOD)
    del incomplete["brokerid"]
    with pytest.raises(SettingsError, match="missing key") as info:
        setting.validate_setting(DEFAULT, incomplete, "connect_ctp.json")
    assert info.value.key == "brokerid"


def test_secret_values_never_quoted_in_errors(home):
    with pytest.raises(SettingsError) as info:
        setting.validate_setting({"password": ["a", "b"]}, {"password": "hunter22"})
    assert "hunter22" not in str(info.value) and "<hidden>" in str(info.value)


def test_nothing_is_overwritten_on_error(home):
    path = setting.save_connect_setting("CTP", GOOD, DEFAULT)
    before = path.read_bytes()
    with pytest.raises(SettingsError):
        setting.save_connect_setting("CTP", {**GOOD, "port": "bad"}, DEFAULT)
    assert path.read_bytes() == before


def test_global_settings_defaults_and_validation(home):
    assert setting.load_settings()["language"] == "zh"
    assert setting.SETTINGS["log.level"] == logging.INFO
    write(home, "vt_setting.json", json.dumps({"language": "en", "log.level": "warning", "custom.key": 1}))
    loaded = setting.load_settings()
    assert loaded["language"] == "en" and loaded["log.level"] == logging.WARNING and loaded["custom.key"] == 1
    assert setting.display_language() == "en"
    for bad, key in (
        ({"language": "fr"}, "language"),
        ({"log.level": "LOUD"}, "log.level"),
        ({"log.active": "yes"}, "log.active"),
        ({"font.size": "12"}, "font.size"),
    ):
        write(home, "vt_setting.json", json.dumps(bad))
        with pytest.raises(SettingsError) as info:
            setting.load_settings()
        assert info.value.key == key
    assert setting.SETTINGS["language"] == "en"  # unchanged by the failed loads


def test_is_secret_key():
    for name in (
        "password",
        "Password",
        "api_secret",
        "secret_key",
        "passphrase",
        "token",
        "key",
        "private_key",
        "auth_code",
        "密码",
    ):
        assert setting.is_secret_key(name), name
    for name in ("username", "brokerid", "td_address", "product_info", "server", "port"):
        assert not setting.is_secret_key(name), name


def test_secrets_are_masked_in_logs_and_tracebacks(home, tmp_path):
    setting.validate_setting(DEFAULT, GOOD)  # registers GOOD's password
    log_file = tmp_path / "logs" / "vt.log"
    logger = setup_logging(logging.DEBUG, console=False, file=log_file)
    try:
        logger.info("login with %s", GOOD["password"])
        logger.info("setting %s", {"password": "other-pass", "api_key": "AKIA123", "user": "u1"})
        logger.info('json {"secret": "zz-top-99"} and passphrase=abc123&x=1')
        try:
            raise RuntimeError(f"refused: {GOOD['password']}")
        except RuntimeError:
            logger.exception("connect failed")
    finally:
        setup_logging(logging.INFO, console=False)
    text = log_file.read_text(encoding="utf-8")
    for secret in ("s3cret-pass", "other-pass", "AKIA123", "zz-top-99", "abc123"):
        assert secret not in text, secret
    assert "u1" in text and "refused" in text and "RuntimeError" in text and "x=1" in text
    assert mode(log_file) == 0o600


def test_mask_helpers():
    register_secret("Tr0ub4dor&3")
    assert mask_secrets("pw Tr0ub4dor&3 ok") == "pw ****** ok"
    assert mask_secrets("password='a b'") == "password='******'"
    assert mask_secrets("token: xyz, next") == "token: ******, next"
    register_secret("ab")  # short: masked where it stands alone, not inside a longer word
    assert mask_secrets("tab") == "tab"
    assert mask_secrets("login with ab failed (ab)") == "login with ****** failed (******)"


def test_folder_created_private_with_permissive_umask(home):
    old = os.umask(0)
    try:
        setting.save_json("x.json", {"a": 1})
        assert mode(home) == 0o700 and mode(home / "x.json") == 0o600
        assert mode(setting.get_folder_path("ctp")) == 0o700
    finally:
        os.umask(old)


# A lone surrogate: json.loads turns the escape "\udc80" into one without complaint, but no vendor library
# can take it, and a binding's TypeError for it lists every argument of the call, the password included.
SURROGATE_PASSWORD = "hunter2SECRET\udc80"


@pytest.mark.parametrize("key", ["password", "username"])
def test_text_that_is_not_unicode_is_refused_naming_the_key_only(home, key):
    with pytest.raises(SettingsError) as info:
        setting.validate_setting(DEFAULT, {**GOOD, key: SURROGATE_PASSWORD})
    assert info.value.key == key
    assert "hunter2SECRET" not in str(info.value) and "s3cret-pass" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no chained value either


def test_text_that_is_not_unicode_is_refused_from_a_vnpy_file(home):
    # A connect file as vn.py writes it (its Chinese labels), the password escaped as JSON does: what
    # `vtcore settings migrate` reads through normalize() alone.
    vnpy = {key: value for key, value in GOOD.items() if key != "password"} | {"密码": SURROGATE_PASSWORD}
    data = json.loads(json.dumps(vnpy))
    with pytest.raises(SettingsError) as info:
        setting.SettingsSpec(DEFAULT).normalize(data, "connect_ctp.json", warn=False)
    assert info.value.key == "password" and "hunter2SECRET" not in str(info.value)


def test_existing_log_file_is_tightened_to_owner_only(tmp_path):
    log_file = tmp_path / "vt.log"
    log_file.write_text("")
    log_file.chmod(0o644)  # left so by an older run or another tool
    try:
        setup_logging(logging.INFO, console=False, file=log_file)
        assert mode(log_file) == 0o600
    finally:
        setup_logging(logging.INFO, console=False)


def test_quoted_values_with_escaped_quotes_are_masked_whole():
    assert mask_secrets('{"password": "ab\\"cdTAIL"}') == '{"password": "******"}'
    assert mask_secrets("login(password='it\\'sTAIL', user='u1')") == "login(password='******', user='u1')"


def test_registered_secret_is_masked_as_repr_and_json_show_it():
    secret = 'pa\\ss"密码1x'  # a backslash, a quote and non-ASCII: every quoting form differs from it
    register_secret(secret)
    forms = {
        "repr": repr(secret),
        "ascii": ascii(secret),
        "json": json.dumps({"p": secret}),
        "json utf-8": json.dumps({"p": secret}, ensure_ascii=False),
    }
    for name, text in forms.items():
        masked = mask_secrets(f"got {text} back")
        assert "ss" not in masked and "1x" not in masked, (name, masked)


#: imports every vtcore module, logs a registered secret on each logger named vtcore.* and prints the names of
#: those whose record reached a root handler unmasked (a fresh interpreter: loggers other tests made, as the
#: CLI test's deliberately unfiltered one, do not count)
_EVERY_LOGGER = """
import importlib, logging, pkgutil, sys
import vtcore
from vtcore.log import register_secret
for module in pkgutil.walk_packages(vtcore.__path__, "vtcore."):
    if module.name.rsplit(".", 1)[-1] != "__main__":
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional part this build or environment lacks (a vendor SDK, Qt)
            pass
secret = "hunter2-in-a-log-line"
register_secret(secret)
seen = []
class Capture(logging.Handler):
    def emit(self, record):
        seen.append(record.getMessage())
logging.getLogger().addHandler(Capture(level=logging.DEBUG))
names = [n for n, lg in logging.Logger.manager.loggerDict.items()
         if n.split(".")[0] == "vtcore" and isinstance(lg, logging.Logger)]
for name in names:
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    before = len(seen)
    logger.warning("login with %s refused", secret)
    if any(secret in message for message in seen[before:]):
        print("LEAK", name)
print("CHECKED", len(names))
"""


def test_every_vtcore_logger_masks_before_any_handler_sees_a_record(tmp_path: Path) -> None:
    """A handler vtcore did not install (the root logger's, an app's) gets records already masked, from every
    logger a vtcore module made: a logger-level filter does not run for records a child logger passes up, so
    each module's logger must carry the filter itself (vtcore.log.get_logger)."""
    env = dict(
        os.environ, HOME=str(tmp_path), VTCORE_HOME=str(tmp_path / ".vntrader"), QT_QPA_PLATFORM="offscreen"
    )
    done = subprocess.run(
        [sys.executable, "-c", _EVERY_LOGGER],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert [line for line in lines if line.startswith("LEAK")] == []
    checked = int(next(line for line in lines if line.startswith("CHECKED")).split()[1])
    assert checked >= 10  # the package's module loggers were made and tried, not none
