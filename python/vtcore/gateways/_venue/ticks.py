"""The latest market data of one symbol: `TickBuilder` (Cython, from `vtcore.object`). Its values live in
C, and each update (`top`, `last`, `levels`, `summary`) returns a new TickData by field copies, with the
venue's time (milliseconds, 0 for none) and the receive time kept as nanoseconds until a reader asks for a
datetime."""

from __future__ import annotations

from vtcore.object import TickBuilder as TickState

__all__ = ["TickState"]
