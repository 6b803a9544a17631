"""vtcore's exception hierarchy: catch `VtcoreError` to handle anything vtcore raises on purpose."""

from __future__ import annotations


class VtcoreError(Exception):
    """Base of every error vtcore raises on purpose."""


class SettingsError(VtcoreError, ValueError):
    """A settings file or dict is malformed: invalid JSON, a missing key, a wrong type, an unknown choice.

    `file` and `key` name where the problem is (either may be None when it does not apply).
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        where = []
        if file is not None:
            where.append(f"file {file}")
        if key is not None:
            where.append(f"key {key!r}")
        text = f"{message} ({', '.join(where)})" if where else message
        super().__init__(text)
        self.file = file
        self.key = key


class GatewayError(VtcoreError):
    """A gateway cannot do what was asked (not found, not connected, request refused locally)."""


class GatewayNotFoundError(GatewayError, LookupError):
    """No gateway is registered under the given name."""


class SdkUnavailableError(GatewayError, ImportError):
    """A vendor SDK binding (e.g. `vtcore._ctp`) was not built or cannot load its libraries."""


class SdkLibraryError(GatewayError, OSError):
    """A vendor library cannot be loaded, or is not the library of that SDK and kind (raised by the bindings
    before any call into it; the message names the file)."""


class SdkVersionError(SdkLibraryError):
    """A vendor library reports another version than the headers its binding was built from; the message names
    the file, the version found and the one expected."""


class InvalidIdentifierError(VtcoreError, ValueError):
    """A composed identifier (vt_symbol, vt_orderid, ...) cannot be parsed."""


class EngineError(VtcoreError, RuntimeError):
    """The event engine was used wrongly (e.g. started twice)."""
