"""Exponential backoff with jitter, shared by REST retries and WebSocket reconnects."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt `n` (0-based): `min(maximum, base * factor**n)`, scaled by a random factor in
    `[1 - jitter, 1]` so many clients that lost the venue at once do not come back at once."""

    base: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.5

    def delay(self, attempt: int) -> float:
        raw = min(self.maximum, self.base * self.factor ** max(0, attempt))
        return raw * (1.0 - self.jitter * random.random())
