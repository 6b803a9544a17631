"""The settings every venue gateway reads (key, secret, sessions, proxy, server, base URL) and its timing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vtcore.gateways._transport import Backoff
from vtcore.log import secret_free_repr

# vtcore's additions to the venues' settings pages: optional keys (`BaseGateway.optional_setting`), each
# with what it does and its default. The page's own fields stay required.
BASE_URL_SETTING = {"base_url": "another REST host, e.g. a local venue or a mirror (default: the venue's)"}
SERVER_SETTING = {"server": "REAL, or the venue's test network (default REAL)"}


@dataclass
class Timing:
    """Time constants of one gateway; tests shrink them (`Timing.fast()`), users rarely need to."""

    rest_timeout: float = 10.0
    rest_retries: int = 3
    backoff: Backoff = field(default_factory=lambda: Backoff(base=0.5, maximum=30.0))
    ws_idle_timeout: float | None = None  # None: the venue's rule
    ws_ping_interval: float | None = None  # None: the venue's rule
    open_timeout: float = 10.0
    keepalive_interval: float = 30 * 60.0  # listenKey keepalive (Binance futures)
    history_timeout: float = 60.0

    @classmethod
    def fast(cls) -> Timing:
        return cls(
            rest_timeout=5.0,
            backoff=Backoff(base=0.02, maximum=0.2),
            ws_idle_timeout=2.0,
            ws_ping_interval=0.5,
            open_timeout=5.0,
        )


@dataclass
class CommonSettings:
    key: str
    secret: str
    session_number: int
    proxy: str | None
    server: str
    base_url: str

    __repr__ = secret_free_repr  # no password, key or auth code in a log


def parse_common_settings(setting: dict[str, Any]) -> CommonSettings:
    """Read the fields every venue gateway has; raise ValueError naming the bad key."""

    def text(name: str) -> str:
        value = setting.get(name, "")
        if not isinstance(value, str):
            raise ValueError(f"setting {name!r} must be text")
        return value.strip()

    try:
        session_number = int(setting.get("session_number", 3))
    except (TypeError, ValueError):
        raise ValueError("setting 'session_number' must be an integer") from None
    if session_number < 1:
        raise ValueError("setting 'session_number' must be at least 1")
    proxy_host = text("proxy_host")
    raw_port = setting.get("proxy_port", 0)
    try:
        proxy_port = int(raw_port or 0)
    except (TypeError, ValueError):
        raise ValueError("setting 'proxy_port' must be an integer") from None
    if proxy_host and not 0 < proxy_port < 65536:
        raise ValueError("setting 'proxy_port' must be 1-65535 when proxy_host is set")
    base_url = text("base_url").rstrip("/")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ValueError("setting 'base_url' must start with http:// or https://")
    return CommonSettings(
        key=text("key"),
        secret=text("secret"),
        session_number=session_number,
        proxy=f"http://{proxy_host}:{proxy_port}" if proxy_host else None,
        server=text("server") or "REAL",
        base_url=base_url,
    )
