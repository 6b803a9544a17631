"""The venue's clock as seen from here: signed requests carry venue time, not local time.

`offset_ms` is venue time minus local time, estimated from one round trip (the venue's stamp is taken to be
mid-way). Gateways resync on connect and again whenever the venue rejects a timestamp.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable


class VenueClock:
    def __init__(self) -> None:
        self.offset_ms = 0
        self.synced = False

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self.offset_ms

    async def sync(self, fetch_server_ms: Callable[[], Awaitable[int]]) -> int:
        """Ask the venue for its time and update the offset; returns the new offset in ms."""
        sent = time.time_ns() // 1_000_000
        server_ms = await fetch_server_ms()
        received = time.time_ns() // 1_000_000
        self.offset_ms = server_ms - (sent + received) // 2
        self.synced = True
        return self.offset_ms
