"""What the socket-protocol benchmarks (bench_ib, bench_futu, bench_tiger, the crypto cases) share: a byte
stream cut as a socket would hand it over, and a counter standing in for the event engine."""

from __future__ import annotations

from typing import Any


def chunks(data: bytes, size: int) -> list[bytes]:
    """`data` in reads of `size` bytes (the last one shorter), as `recv` would return them."""
    return [data[i : i + size] for i in range(0, len(data), size)]


class Counter:
    """Counts what a side pushes and keeps the last one (to show it, and so that it is built)."""

    def __init__(self) -> None:
        self.count = 0
        self.last: Any = None

    def __call__(self, item: Any) -> None:
        self.count += 1
        self.last = item
