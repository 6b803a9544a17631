"""Settings files in the `.vntrader` folder, and the validation of gateway settings.

The folder is found when a function here is called, never at import (vn.py fixes it at import and then
`chdir`s the whole process into it): `$VTCORE_HOME` if set (the folder itself), else `./.vntrader` if it
exists, else `~/.vntrader`. Files are written owner-only (0600) in an owner-only folder (0700), through a
temporary file that is renamed over the old one, so a crash never leaves half a file and a bad setting never
overwrites a good one. Reading a missing file never creates it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vtcore.errors import SettingsError
from vtcore.log import is_secret_key, register_secrets

__all__ = [  # the secret rules live in vtcore.log; they are named here too, where settings code looks
    "is_secret_key",
    "register_secrets",
]

SETTINGS_DIR_NAME = ".vntrader"
GLOBAL_SETTINGS_FILE = "vt_setting.json"

#: A gateway's `default_setting` value: its type declares the field (a list of str = choices, first =
#: default).
SettingValue = str | int | float | bool | list[str]
DefaultSetting = dict[str, SettingValue]

# vn.py's global keys (vnpy/trader/setting.py) plus `language`; `log.level` is a `logging` level number.
DEFAULT_SETTINGS: dict[str, Any] = {
    "language": "zh",
    "font.family": "微软雅黑",
    "font.size": 12,
    "log.active": True,
    "log.level": logging.INFO,
    "log.console": True,
    "log.file": True,
    "email.server": "",
    "email.port": 465,
    "email.username": "",
    "email.password": "",
    "email.sender": "",
    "email.receiver": "",
    "datafeed.name": "",
    "datafeed.username": "",
    "datafeed.password": "",
    "database.timezone": "Asia/Shanghai",
    "database.name": "sqlite",
    "database.database": "database.db",
    "database.host": "",
    "database.port": 0,
    "database.user": "",
    "database.password": "",
    # vtcore's: how the EventEngine thread waits (vtcore.event.PROFILES), the CPU it is pinned to (-1: none).
    "engine.profile": "balanced",
    "engine.cpu": -1,
}
LANGUAGES = ("zh", "en")

#: The global settings: defaults updated from vt_setting.json by `load_settings()` (called by MainEngine and
#: on first use by `get_settings()`).
SETTINGS: dict[str, Any] = dict(DEFAULT_SETTINGS)
_settings_state = {"loaded": False}
_settings_lock = threading.Lock()

def get_settings_dir() -> Path:
    """The `.vntrader` folder in force now (it may not exist yet)."""
    override = os.environ.get("VTCORE_HOME")
    if override:
        return Path(override).expanduser()
    local = Path.cwd() / SETTINGS_DIR_NAME
    if local.is_dir():
        return local
    return Path.home() / SETTINGS_DIR_NAME


def ensure_settings_dir() -> Path:
    """The settings folder, created owner-only (0700) if missing."""
    return _make_private_dir(get_settings_dir())


def _make_private_dir(path: Path) -> Path:
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is filtered by the umask
    return path


def get_file_path(name: str) -> Path:
    """Path of a file in the settings folder (the folder is not created)."""
    return get_settings_dir() / name


def get_folder_path(name: str) -> Path:
    """A sub-folder of the settings folder (e.g. a vendor SDK's flow folder), created 0700 if missing."""
    ensure_settings_dir()
    return _make_private_dir(get_settings_dir() / name)


def load_json(name: str) -> dict[str, Any] | None:
    """The JSON object in settings file `name`, or None if the file does not exist.

    Raises SettingsError when the file is not valid JSON or not an object. Never writes.
    """
    path = get_file_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(f"cannot read settings file: {exc.strerror}", file=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # The message names the position, never the text (it may hold a password).
        raise SettingsError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=str(path)
        ) from None
    if not isinstance(data, dict):
        raise SettingsError("settings file must hold a JSON object", file=str(path))
    return data


def save_json(name: str, data: Mapping[str, Any]) -> Path:
    """Write `data` to settings file `name`: 0600 in a 0700 folder, atomically (temp file, then rename)."""
    folder = ensure_settings_dir()
    path = folder / name
    text = json.dumps(dict(data), indent=4, ensure_ascii=False)
    fd, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return path


def connect_setting_file(gateway_name: str) -> str:
    """vn.py's file name for a gateway's connection settings: `connect_<gateway_name lowercased>.json`."""
    return f"connect_{gateway_name.lower()}.json"


def load_connect_setting(gateway_name: str, default_setting: DefaultSetting | None = None) -> dict[str, Any]:
    """Read and (when `default_setting` is given) validate `connect_<gateway>.json`."""
    name = connect_setting_file(gateway_name)
    data = load_json(name)
    path = str(get_file_path(name))
    if data is None:
        raise SettingsError("settings file not found", file=path)
    if default_setting is None:
        register_secrets(data)
        return data
    return validate_setting(default_setting, data, path)


def save_connect_setting(gateway_name: str, setting: Mapping[str, Any],
                         default_setting: DefaultSetting | None = None) -> Path:
    """Validate (when `default_setting` is given) and write `connect_<gateway>.json`; nothing is written on
    error.
    """
    name = connect_setting_file(gateway_name)
    if default_setting is not None:
        setting = validate_setting(default_setting, setting, str(get_file_path(name)))
    return save_json(name, setting)


def validate_setting(default_setting: DefaultSetting, setting: Mapping[str, Any],
                     file: str | None = None) -> dict[str, Any]:
    """Check `setting` against a gateway's `default_setting` and return a clean copy.

    Every key of `default_setting` must be present with the declared type: `str`, `int` (a bool is not an
    int here), `float` (an int is accepted and converted), `bool` (a real JSON true/false: the string "False"
    is refused rather than read as True, vn.py's fault), or one of the listed choices. Keys that
    `default_setting` does not declare are kept. Errors raise SettingsError naming `file` and the key; values
    are never quoted for secret keys.
    """
    if not isinstance(setting, Mapping):
        raise SettingsError("setting must be a mapping of field name to value", file=file)
    clean = dict(setting)
    for key, declared in default_setting.items():
        if key not in setting:
            raise SettingsError("missing key", file=file, key=key)
        value = setting[key]
        shown = "<hidden>" if is_secret_key(key) else repr(value)
        if isinstance(declared, list):
            if not isinstance(value, str) or value not in declared:
                raise SettingsError(f"{shown} is not one of the choices {declared}", file=file, key=key)
        elif isinstance(declared, bool):
            if not isinstance(value, bool):
                raise SettingsError(f"expected true or false, got {shown}", file=file, key=key)
        elif isinstance(declared, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise SettingsError(f"expected an integer, got {shown}", file=file, key=key)
        elif isinstance(declared, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SettingsError(f"expected a number, got {shown}", file=file, key=key)
            clean[key] = float(value)
        elif isinstance(declared, str):
            if not isinstance(value, str):
                raise SettingsError(f"expected a string, got {shown}", file=file, key=key)
        else:
            raise SettingsError(f"default_setting declares an unsupported type {type(declared).__name__}",
                                key=key)
    register_secrets(clean)
    return clean


def load_settings() -> dict[str, Any]:
    """(Re)load vt_setting.json into SETTINGS over the defaults; bad files raise SettingsError, SETTINGS
    unchanged."""
    data = load_json(GLOBAL_SETTINGS_FILE) or {}
    path = str(get_file_path(GLOBAL_SETTINGS_FILE))
    merged = dict(DEFAULT_SETTINGS)
    for key, raw in data.items():
        default = DEFAULT_SETTINGS.get(key)
        value = raw
        if key == "log.level" and isinstance(raw, str):
            value = logging.getLevelName(raw.upper())
            if not isinstance(value, int):
                raise SettingsError(f"unknown log level {raw!r}", file=path, key=key)
        if default is not None and not _same_kind(default, value):
            shown = "<hidden>" if is_secret_key(key) else repr(value)
            raise SettingsError(f"expected {type(default).__name__}, got {shown}", file=path, key=key)
        merged[key] = value
    if merged["language"] not in LANGUAGES:
        raise SettingsError(f"unknown language {merged['language']!r}, expected one of {LANGUAGES}",
                            file=path, key="language")
    register_secrets(merged)
    with _settings_lock:
        SETTINGS.clear()
        SETTINGS.update(merged)
        _settings_state["loaded"] = True
    return SETTINGS


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, type(default))


def get_settings() -> dict[str, Any]:
    """SETTINGS, loaded from vt_setting.json on first use."""
    if not _settings_state["loaded"]:
        load_settings()
    return SETTINGS


def save_settings(updates: Mapping[str, Any] | None = None) -> Path:
    """Apply `updates` to SETTINGS and write the whole dict to vt_setting.json."""
    settings = get_settings()
    if updates:
        settings.update(updates)
    return save_json(GLOBAL_SETTINGS_FILE, settings)


def display_language() -> str:
    """"zh" or "en": the language of display labels; Chinese when vt_setting.json is unreadable."""
    try:
        language = get_settings().get("language", "zh")
    except SettingsError:
        return "zh"
    return "en" if language == "en" else "zh"
