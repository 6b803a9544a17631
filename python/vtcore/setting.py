"""Settings files in the `.vntrader` folder, and the validation of gateway settings.

The folder is found when a function here is called, never at import (vn.py fixes it at import and then
`chdir`s the whole process into it): `$VTCORE_HOME` if set (the folder itself), else `./.vntrader` if it
exists, else `~/.vntrader`. Files are written owner-only (0600) in an owner-only folder (0700), through a
temporary file that is renamed over the old one, so a crash never leaves half a file and a bad setting never
overwrites a good one. Reading a missing file never creates it. An existing folder that others can enter is
tightened to 0700 when vtcore next writes there.

Reading checks before it reads: a settings file must be a regular file (a FIFO, a device such as /dev/zero or
a folder is refused at once, never waited on) of at most MAX_SETTINGS_BYTES. A file that holds secrets and
that other users can read (0644, as vn.py wrote them, or a symlink to such a file) is read but warned about,
once per file and mode, with the `chmod 600` that fixes it: refusing it would not make the secret private
again, and would stop every user migrating from vn.py until they find the fix.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vtcore.errors import SettingsError
from vtcore.log import get_logger, is_secret_key, register_secrets

__all__ = [  # the secret rules live in vtcore.log; they are named here too, where settings code looks
    "VNPY_KEY_ALIASES",
    "VNPY_VALUE_ALIASES",
    "SettingsSpec",
    "is_secret_key",
    "register_secrets",
]

logger = get_logger("vtcore.setting")

SETTINGS_DIR_NAME = ".vntrader"
GLOBAL_SETTINGS_FILE = "vt_setting.json"
#: Largest settings file read (real ones are a few kB); a bigger one is refused before it is read.
MAX_SETTINGS_BYTES = 1 << 20
_warned_modes: set[tuple[str, int]] = set()

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

#: vn.py's labels for the fields many gateways share (its `default_setting` keys, 2.0 and 4.x). One table for
#: every gateway: an entry applies to a gateway only when the key it names is one of that gateway's own keys
#: (代理端口 means proxy_port wherever there is a proxy_port). A gateway whose vn.py label means something
#: else there declares its own `setting_aliases`, which win.
VNPY_KEY_ALIASES: dict[str, str] = {
    # China futures / securities counters (CTP, MINI, FEMAS, TORA, XTP, OES)
    "用户名": "username",
    "账号": "username",
    "密码": "password",
    "经纪商代码": "brokerid",
    "经纪商编号": "brokerid",
    "交易服务器": "td_address",
    "行情服务器": "md_address",
    "产品名称": "product_info",
    "授权编码": "auth_code",
    "授权码": "auth_code",
    "柜台环境": "environment",
    # venues (2.0's BITMEX, OKEX, HUOBI, ... and 4.x's BINANCE, OKX)
    "API Key": "key",
    "KEY ID": "key",
    "ID": "key",
    "OT Key": "key",
    "Key秘钥": "key",
    "Secret Key": "secret",
    "API Secret": "secret",
    "Secret": "secret",
    "OT Secret": "secret",
    "Passphrase": "passphrase",
    "会话数": "session_number",
    "服务器": "server",
    "Server": "server",
    "代理地址": "proxy_host",
    "Proxy Host": "proxy_host",
    "代理端口": "proxy_port",
    "Proxy Port": "proxy_port",
    "Leverage": "leverage",
    "杠杆": "leverage",
    "交易所": "exchange",
    "账户": "account",
    "交易账户": "account",
    # IB (TWS), XTP
    "TWS地址": "tws_host",
    "TWS端口": "tws_port",
    "客户号": "client_id",
    # RPC
    "主动请求地址": "req_address",
    "推送订阅地址": "sub_address",
}

#: vn.py's spellings of choice values, per (English) key: 柜台环境 实盘/测试 is environment production/test.
#: Like the key table, it applies where the gateway has that key and that value among its choices.
VNPY_VALUE_ALIASES: dict[str, dict[str, str]] = {
    "environment": {"实盘": "production", "测试": "test"},
}

_warned_unknown: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True)
class SettingsSpec:
    """What one gateway's settings are, in one place: built by `BaseGateway.settings_spec()` from what the
    gateway declares, used by `MainEngine.connect`, the connect dialog, `vtcore settings migrate`.

    - `fields`: the gateway's `default_setting` (key -> default; the value's type declares the field, a list
      of str is a choice whose first entry is the default);
    - `optional`: the keys that are vtcore's additions to the user's page, each with what it does; a missing
      optional key takes its default, a missing required key is an error;
    - `aliases` / `values`: vn.py's spellings this gateway accepts beyond `VNPY_KEY_ALIASES` /
      `VNPY_VALUE_ALIASES` (foreign key -> key; key -> {foreign value -> value}).
    """

    fields: Mapping[str, SettingValue]
    optional: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    owner: str = ""

    def __post_init__(self) -> None:
        for key in self.optional:
            if key not in self.fields:
                raise ValueError(f"{self.owner or 'settings'}: optional {key!r} is not in default_setting")
        for foreign, key in self.aliases.items():
            if key not in self.fields:
                raise ValueError(f"{self.owner or 'settings'}: alias {foreign!r} names unknown key {key!r}")

    @property
    def required(self) -> list[str]:
        """The keys a setting must hold: the user's page's fields."""
        return [key for key in self.fields if key not in self.optional]

    def default(self, key: str) -> Any:
        """The value a missing optional key takes (a choice's first entry)."""
        declared = self.fields[key]
        return declared[0] if isinstance(declared, list) else declared

    def key_aliases(self) -> dict[str, str]:
        """Every foreign key this gateway accepts -> its own key."""
        found = {alias: key for alias, key in VNPY_KEY_ALIASES.items() if key in self.fields}
        found.update(self.aliases)
        return found

    def value_aliases(self, key: str) -> dict[str, str]:
        """Foreign spellings of `key`'s choices -> the choice (only those the gateway offers)."""
        declared = self.fields.get(key)
        choices = declared if isinstance(declared, list) else []
        shared = VNPY_VALUE_ALIASES.get(key, {})
        found = {foreign: value for foreign, value in shared.items() if value in choices}
        found.update(self.values.get(key, {}))
        return found

    def labels(self, key: str) -> dict[str, str]:
        """A choice's foreign spellings by choice (实盘 for production), for display."""
        return {value: foreign for foreign, value in self.value_aliases(key).items()}

    def closest(self, key: str) -> str | None:
        """The known key (or vn.py label) nearest to a misspelt one, as its own key."""
        aliases = self.key_aliases()
        known = [*self.fields, *aliases]
        match = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if not match:
            lowered = {name.lower(): name for name in known}
            match = [lowered[key.lower()]] if key.lower() in lowered else []
        return aliases.get(match[0], match[0]) if match else None

    def normalize(
        self, setting: Mapping[str, Any], file: str | None = None, warn: bool = True
    ) -> dict[str, Any]:
        """`setting` with vn.py's keys and value spellings turned into this gateway's; no type checks.

        A key that is neither known nor an alias is kept (a gateway may read keys it does not show) and
        warned about once per process, naming the closest known key. A key given twice (under its name and
        an alias, with different values) is an error.
        """
        if not isinstance(setting, Mapping):
            raise SettingsError("setting must be a mapping of field name to value", file=file)
        aliases = self.key_aliases()
        clean: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for raw_key, given in setting.items():
            raw = str(raw_key)
            key = raw if raw in self.fields else aliases.get(raw, raw)
            _refuse_unencodable(key, given, file)
            value = self._foreign_value(key, given) if key != raw else given
            spellings = self.value_aliases(key)
            if isinstance(value, str) and value in spellings:
                value = spellings[value]
            if key in clean and clean[key] != value:
                raise SettingsError(f"given twice, as {origin[key]!r} and {raw!r}", file=file, key=key)
            clean[key] = value
            origin[key] = raw
            if key not in self.fields and warn:
                self._warn_unknown(raw, file)
        return clean

    def _foreign_value(self, key: str, value: Any) -> Any:
        """vn.py's dialog stored some numbers as text ("" or "1080" for 代理端口): read them as numbers."""
        declared = self.fields[key]
        if isinstance(value, str) and not isinstance(declared, bool | list | str):
            text = value.strip()
            if not text:
                return self.default(key)
            with contextlib.suppress(ValueError):
                return int(text) if isinstance(declared, int) else float(text)
        if isinstance(declared, bool) and value in ("True", "False"):  # vn.py's ["False", "True"] choices
            return value == "True"
        return value

    def _warn_unknown(self, key: str, file: str | None) -> None:
        where = file or self.owner or "setting"
        with _warned_lock:
            if (where, key) in _warned_unknown:
                return
            _warned_unknown.add((where, key))
        hint = self.closest(key)
        suggestion = f"; did you mean {hint!r}?" if hint else f"; known keys: {', '.join(self.fields)}"
        logger.warning(
            "unknown setting key %r in %s (ignored by %s)%s",
            key,
            where,
            self.owner or "the gateway",
            suggestion,
        )

    def validate(self, setting: Mapping[str, Any], file: str | None = None) -> dict[str, Any]:
        """A clean copy of `setting`: vn.py's spellings accepted, every required key present with its declared
        type, missing optional keys at their defaults. SettingsError names the file and key (and, for a
        missing key, the misspelt one it may be)."""
        clean = self.normalize(setting, file)
        unknown = [key for key in clean if key not in self.fields]
        for key in self.fields:
            if key in clean:
                continue
            if key in self.optional:
                clean[key] = self.default(key)
                continue
            hints = [other for other in unknown if self.closest(other) == key]
            hint = f"; {hints[0]!r} is not a known key, did you mean {key!r}?" if hints else ""
            raise SettingsError(f"missing key{hint}", file=file, key=key)
        return validate_setting(self.fields, clean, file)


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
    """`path` as an owner-only folder: created 0700, or tightened to 0700 when it exists (older vtcore and
    vn.py left 0755 folders), if this user owns it."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is filtered by the umask
        return path
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o700)
        logger.info("tightened %s to 0700 (it was %o): it may hold secrets", path, info.st_mode & 0o777)
    return path


def get_file_path(name: str) -> Path:
    """Path of a file in the settings folder (the folder is not created)."""
    return get_settings_dir() / name


def get_folder_path(name: str) -> Path:
    """A sub-folder of the settings folder (e.g. a vendor SDK's flow folder, "ctp_flow/CTP/td"): every
    level created 0700 if missing, or tightened to 0700."""
    folder = ensure_settings_dir()
    for part in Path(name).parts:
        if part in ("..", "/"):
            raise ValueError(f"settings sub-folder {name!r} must stay inside the settings folder")
        folder = _make_private_dir(folder / part)
    return folder


def load_json(name: str, folder: Path | None = None) -> dict[str, Any] | None:
    """The JSON object in settings file `name` (of `folder`, default the one in force), or None if the file
    does not exist.

    Raises SettingsError when the file is not UTF-8, not valid JSON or not an object. Never writes.
    """
    path = (folder if folder is not None else get_settings_dir()) / name
    try:
        raw, mode = _read_settings_file(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(f"cannot read settings file: {exc.strerror}", file=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # vn.py and vtcore write UTF-8; a GBK file saved by an editor is not
        raise SettingsError(
            f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); save it as UTF-8",
            file=str(path),
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # The message names the position, never the text (it may hold a password).
        raise SettingsError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=str(path)
        ) from None
    if not isinstance(data, dict):
        raise SettingsError("settings file must hold a JSON object", file=str(path))
    if mode & 0o077 and _holds_secrets(data):
        _warn_readable(path, mode)
    return data


def _read_settings_file(path: Path) -> tuple[bytes, int]:
    """(contents, permission bits of the file read). Refuses, before reading, what is not a regular file (a
    FIFO would block, /dev/zero never ends) and what is larger than MAX_SETTINGS_BYTES (SettingsError)."""
    # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SettingsError(
                f"not a regular file ({_file_kind(info.st_mode)}); settings files are plain JSON files",
                file=str(path),
            )
        if info.st_size > MAX_SETTINGS_BYTES:
            raise SettingsError(
                f"file is {info.st_size} bytes; settings files are at most {MAX_SETTINGS_BYTES} bytes",
                file=str(path),
            )
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_SETTINGS_BYTES:  # it may grow while read: never read more than the limit
            chunk = os.read(fd, MAX_SETTINGS_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_SETTINGS_BYTES:
            raise SettingsError(
                f"file is over {MAX_SETTINGS_BYTES} bytes; settings files are at most "
                f"{MAX_SETTINGS_BYTES} bytes",
                file=str(path),
            )
        return b"".join(chunks), stat.S_IMODE(info.st_mode)
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a plain file"


def _holds_secrets(data: Mapping[str, Any]) -> bool:
    return any(is_secret_key(str(key)) and isinstance(value, str) and value for key, value in data.items())


def _warn_readable(path: Path, mode: int) -> None:
    if (str(path), mode) in _warned_modes:
        return
    _warned_modes.add((str(path), mode))
    target = path.resolve()
    shown = f"{path} (a link to {target})" if target != path.absolute() else str(path)
    logger.warning(
        "settings file %s holds secrets and other users can read it (mode %o): run `chmod 600 %s`",
        shown,
        mode,
        target,
    )


def save_json(name: str, data: Mapping[str, Any], folder: Path | None = None) -> Path:
    """Write `data` to settings file `name` (of `folder`, default the one in force): 0600 in a 0700 folder,
    atomically (temp file, then rename)."""
    folder = _make_private_dir(folder) if folder is not None else ensure_settings_dir()
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


def load_connect_setting(
    gateway_name: str, default_setting: DefaultSetting | SettingsSpec | None = None
) -> dict[str, Any]:
    """Read and (when the gateway's `SettingsSpec` or `default_setting` is given) validate
    `connect_<gateway>.json`."""
    name = connect_setting_file(gateway_name)
    data = load_json(name)
    path = str(get_file_path(name))
    if data is None:
        raise SettingsError("settings file not found", file=path)
    if default_setting is None:
        register_secrets(data)
        return data
    return _spec(default_setting).validate(data, path)


def save_connect_setting(
    gateway_name: str,
    setting: Mapping[str, Any],
    default_setting: DefaultSetting | SettingsSpec | None = None,
) -> Path:
    """Validate (when the spec or `default_setting` is given) and write `connect_<gateway>.json`; nothing is
    written on error.
    """
    name = connect_setting_file(gateway_name)
    if default_setting is not None:
        setting = _spec(default_setting).validate(setting, str(get_file_path(name)))
    return save_json(name, setting)


def _spec(declared: DefaultSetting | SettingsSpec) -> SettingsSpec:
    return declared if isinstance(declared, SettingsSpec) else SettingsSpec(declared)


def validate_setting(
    default_setting: Mapping[str, SettingValue], setting: Mapping[str, Any], file: str | None = None
) -> dict[str, Any]:
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
    for key, value in clean.items():
        _refuse_unencodable(str(key), value, file)
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
            raise SettingsError(
                f"default_setting declares an unsupported type {type(declared).__name__}", key=key
            )
    register_secrets(clean)
    return clean


def _refuse_unencodable(key: str, value: Any, file: str | None) -> None:
    """Refuse text that does not encode as UTF-8 (a lone surrogate, which json.loads accepts from a "\\udc80"
    escape): no vendor library can take it, and the bindings' TypeError for it repeats every argument of the
    call, the password included. The error names the key only, never the value or where in it the fault is."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise SettingsError(
                "text holds a character that is not valid Unicode (a lone surrogate such as a JSON \\udc80"
                " escape); retype the value",
                file=file,
                key=key,
            ) from None  # the UnicodeEncodeError holds the whole value
    elif isinstance(value, Mapping):
        for item in value.values():
            _refuse_unencodable(key, item, file)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_unencodable(key, item, file)


def load_settings() -> dict[str, Any]:
    """(Re)load vt_setting.json into SETTINGS over the defaults; bad files raise SettingsError, SETTINGS
    unchanged."""
    merged = read_settings()
    with _settings_lock:
        SETTINGS.clear()
        SETTINGS.update(merged)
        _settings_state["loaded"] = True
    return SETTINGS


def read_settings(folder: Path | None = None) -> dict[str, Any]:
    """vt_setting.json of `folder` (default: the one in force) over the defaults, checked; SETTINGS is not
    touched. SettingsError names the file and key."""
    data = load_json(GLOBAL_SETTINGS_FILE, folder) or {}
    path = str((folder if folder is not None else get_settings_dir()) / GLOBAL_SETTINGS_FILE)
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
        raise SettingsError(
            f"unknown language {merged['language']!r}, expected one of {LANGUAGES}", file=path, key="language"
        )
    register_secrets(merged)
    return merged


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
    """ "zh" or "en": the language of display labels; Chinese when vt_setting.json is unreadable."""
    try:
        language = get_settings().get("language", "zh")
    except SettingsError:
        return "zh"
    return "en" if language == "en" else "zh"
