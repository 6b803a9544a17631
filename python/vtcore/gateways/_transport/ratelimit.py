"""A per-venue rate limiter that knows request weights.

Each venue declares its limits as named buckets (Binance: `REQUEST_WEIGHT` 6000/min and `ORDERS` 50/10 s; OKX:
per-endpoint counts). A request names its costs per bucket; `acquire` waits until every bucket it touches has
room. Buckets refill continuously (token bucket), so a burst up to the capacity passes at once and the rate
over any interval stays within the limit. A 429's `Retry-After` pauses the whole limiter until it has passed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimit:
    """`capacity` units per `interval` seconds."""

    capacity: float
    interval: float


@dataclass
class _Bucket:
    limit: RateLimit
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        rate = self.limit.capacity / self.limit.interval
        self.tokens = min(self.limit.capacity, self.tokens + (now - self.stamp) * rate)
        self.stamp = now

    def wait_for(self, cost: float) -> float:
        if self.tokens >= cost:
            return 0.0
        rate = self.limit.capacity / self.limit.interval
        return (min(cost, self.limit.capacity) - self.tokens) / rate


@dataclass
class RateLimiter:
    """Buckets by name; costs not named in `limits` are free."""

    limits: Mapping[str, RateLimit]
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(init=False)
    _paused_until: float = field(init=False, default=0.0)
    _lock: asyncio.Lock | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        now = self.clock()
        self._buckets = {name: _Bucket(limit, limit.capacity, now) for name, limit in self.limits.items()}

    def pause(self, seconds: float) -> None:
        """Let nothing through for `seconds` (a venue's Retry-After)."""
        self._paused_until = max(self._paused_until, self.clock() + max(0.0, seconds))

    def observe(self, name: str, used: float) -> None:
        """The venue says `used` units of bucket `name` are spent in its current window (Binance's
        `X-MBX-USED-WEIGHT-1M`): never assume more room than it reports, e.g. when another process shares the
        IP."""
        bucket = self._buckets.get(name)
        if bucket is None:
            return
        bucket.refill(self.clock())
        bucket.tokens = min(bucket.tokens, max(0.0, bucket.limit.capacity - used))

    def try_acquire(self, costs: Mapping[str, float]) -> float:
        """Take the costs if they fit now and return 0, else return how long to wait (taking nothing)."""
        now = self.clock()
        wait = max(0.0, self._paused_until - now)
        for name, cost in costs.items():
            bucket = self._buckets.get(name)
            if bucket is not None:
                bucket.refill(now)
                wait = max(wait, bucket.wait_for(cost))
        if wait > 0.0:
            return wait
        for name, cost in costs.items():
            bucket = self._buckets.get(name)
            if bucket is not None:
                bucket.tokens -= min(cost, bucket.limit.capacity)
        return 0.0

    async def acquire(self, costs: Mapping[str, float]) -> None:
        """Wait until every bucket in `costs` has room, then take it. Waiters are served in order."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while True:
                wait = self.try_acquire(costs)
                if wait <= 0.0:
                    return
                await asyncio.sleep(wait)
