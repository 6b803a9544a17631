"""The local venues of the REST/WebSocket gateways as `vtcore run --sim` peers.

The venues are test code (`tests/venues/` of a source checkout: aiohttp servers speaking each venue's
protocol); they are not installed with the package, so a peer can be started from a checkout only.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import vtcore
from vtcore.errors import SdkUnavailableError
from vtcore.gateways import SimPeer


def venue_module(name: str) -> ModuleType:
    """`venues.<name>` from the checkout vtcore runs from; SdkUnavailableError when there is none."""
    tests = Path(vtcore.__file__).resolve().parents[2] / "tests"
    if not (tests / "venues" / f"{name}.py").is_file():
        raise SdkUnavailableError(
            f"the local {name} venue lives in a source checkout's tests/venues/; run vtcore from a checkout"
        )
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    return importlib.import_module(f"venues.{name}")


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
    defaults = {key: value[0] if isinstance(value, list) else value for key, value in default_setting.items()}
    return SimPeer(
        gateway,
        {**defaults, **setting, "base_url": venue.http_url},
        description=f"{gateway} on its local venue at {venue.http_url}",
        stop=venue.stop,
    )
