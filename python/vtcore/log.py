"""Logging for vtcore: standard `logging`, with secrets masked before any text leaves the process.

Two masks are applied to every message, argument and traceback that passes a vtcore logger or a handler set up
by `setup_logging`:
- the values of secret fields (`is_secret_key`) of every settings dict vtcore has loaded or validated,
  registered through `register_secrets` (or a single value through `register_secret`);
- `key=value` / `"key": "value"` patterns whose key holds one of `SECRET_WORDS` (password, secret, key, ...).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MASK = "******"
#: Registered values shorter than this are masked only where they stand alone (not inside a longer word or
#: number): masking "p9z" inside "p9zz" or "ab" inside "tab" would blank common text, while a password
#: quoted on its own ("login with p9z failed") must never show.
MIN_SECRET_LENGTH = 4


class _SecretRegistry:
    def __init__(self) -> None:
        self.values: set[str] = set()
        self.pattern: re.Pattern[str] | None = None
        self.lock = threading.Lock()


_registry = _SecretRegistry()

#: A setting field, dict key or `key=value` name holding any of these words holds a secret: the one list
#: for settings files (`is_secret_key`), the log filter and reprs. In free text "key" counts only at the end
#: of a name ("key", "api_key", "listenKey"), not inside one ("KeyError: ...", "key_file").
SECRET_WORDS = ("password", "passwd", "pwd", "secret", "passphrase", "token", "key", "auth_code", "密码")
_NAME = "|".join(
    [r"[\w.]*(?:" + "|".join(word for word in SECRET_WORDS if word != "key") + r")[\w.]*", r"[\w.]*key\b"]
)
_KEY_VALUE = re.compile(
    r"""(?P<key>['"]?(?:""" + _NAME + r""")['"]?\s*[:=]\s*)"""
    # A quoted value runs to its closing quote, backslash escapes included: JSON's "ab\"cd" and repr's
    # 'it\'s' must not end at the escaped quote and show the rest.
    r"""(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,;&})\]]+)""",
    re.IGNORECASE,
)


def is_secret_key(name: str) -> bool:
    """Whether a setting field holds a secret that must be masked (passwords, API secrets and keys,
    tokens)."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def secret_free_repr(settings: Any) -> str:
    """`Name(field=value, ...)` of a settings dataclass, leaving out every field that holds a secret
    (`is_secret_key`): the `__repr__` of the gateways' settings classes, so that a log line, a traceback or
    a debugger shows what was connected to and never a password or a key."""
    shown = ", ".join(
        f"{field.name}={getattr(settings, field.name)!r}"
        for field in dataclasses.fields(settings)
        if field.repr and not is_secret_key(field.name)
    )
    return f"{type(settings).__name__}({shown})"


def register_secrets(setting: Mapping[str, Any]) -> None:
    """Mask from now on the values of a setting's secret fields (`is_secret_key`), wherever they appear."""
    for key, value in setting.items():
        if is_secret_key(str(key)) and isinstance(value, str) and value:
            register_secret(value)


def register_secret(value: str) -> None:
    """Mask `value` wherever it appears in vtcore's logs from now on (a value shorter than MIN_SECRET_LENGTH
    wherever it stands alone)."""
    if not value:
        return
    # Also the value as text that quotes it shows it: repr() (a binding's TypeError lists its arguments so,
    # a traceback's locals), ascii() and json.dumps (a request body), each without the quotes. They differ
    # from the value once it holds a backslash, a quote, non-ASCII or unprintable characters.
    forms = {
        value,
        repr(value)[1:-1],
        ascii(value)[1:-1],
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }
    if forms <= _registry.values:
        return
    with _registry.lock:
        _registry.values.update(forms)
        ordered = sorted(_registry.values, key=len, reverse=True)  # longest first: one may contain another
        _registry.pattern = re.compile("|".join(_secret_pattern(secret) for secret in ordered))


def _secret_pattern(secret: str) -> str:
    if len(secret) >= MIN_SECRET_LENGTH:
        return re.escape(secret)
    return rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])"  # not preceded or followed by a letter or digit


def mask_secrets(text: str) -> str:
    """`text` with registered secret values and secret key=value pairs masked."""
    # Key=value first: a registered value that also occurs in a key name ("secret") must not hide the key
    # and so keep its value from being recognised.
    text = _KEY_VALUE.sub(_mask_value, text)
    pattern = _registry.pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return text


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group('key')}{quote}{MASK}{quote}"


class SecretFilter(logging.Filter):
    """Masks a record's message, arguments and traceback in place (the record is shared by all handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_vtcore_masked", False):
            return True
        message = record.getMessage()
        record.msg = mask_secrets(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        record._vtcore_masked = True
        return True


class SecretFormatter(logging.Formatter):
    """A formatter whose whole output is masked (covers text that reached the record after the filter)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


_FILTER = SecretFilter()
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(gateway_name)s] %(message)s"


class _GatewayNameDefault(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "gateway_name"):
            record.gateway_name = "-"
        return True


def get_logger(name: str) -> logging.Logger:
    """A logger whose records are masked before any handler (even one vtcore did not install) sees them."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def setup_logging(
    level: int = logging.INFO, console: bool = True, file: Path | None = None
) -> logging.Logger:
    """Attach masked handlers to the "vtcore" logger: stderr when `console`, and `file` (created 0600) if
    given.

    Calling it again replaces the handlers it installed before.
    """
    logger = get_logger("vtcore")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        if getattr(handler, "_vtcore_handler", False):
            logger.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = []
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    if file is not None:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        file.touch(mode=0o600, exist_ok=True)
        # touch's mode applies only to a file it creates: a log left 0644 by an older run (or another tool)
        # would go on showing what it records to every local user.
        file.chmod(0o600)
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(SecretFormatter(LOG_FORMAT))
        handler.addFilter(_GatewayNameDefault())
        handler.addFilter(_FILTER)
        handler._vtcore_handler = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return logger
