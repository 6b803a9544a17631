"""The local venues of the REST/WebSocket gateways (`vtcore.peers`) as `vtcore run --sim` peers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vtcore.gateways import SimPeer


def local_setting(default_setting: dict[str, Any], venue: Any, **setting: Any) -> dict[str, Any]:
    """A gateway's setting for a started local venue: every key of `default_setting` (the first of each
    choice), then `setting`, and the venue's URL as `base_url`."""
    defaults = {key: value[0] if isinstance(value, list) else value for key, value in default_setting.items()}
    return {**defaults, **setting, "base_url": venue.http_url}


def start_venue_peer(
    gateway: str,
    default_setting: dict[str, Any],
    venue: Any,
    setting: dict[str, Any],
    prepare: Callable[[Any], None],
) -> SimPeer:
    """Start `venue` on loopback, let `prepare` set its books, and offer it as `gateway`'s peer (every key of
    `default_setting`, the first of each choice, under `setting` and the venue's URL)."""
    venue.start()
    prepare(venue)
    return SimPeer(
        gateway,
        local_setting(default_setting, venue, **setting),
        description=f"{gateway} on its local venue at {venue.http_url}",
        stop=venue.stop,
    )
