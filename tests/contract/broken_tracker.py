"""A pytest plugin that breaks the OrderTracker's first rule on purpose: a report is pushed whatever its
status, so an order's status may go back (only an exact repeat is still dropped). test_broken_rule.py runs
the contract suite with it (`-p broken_tracker`) to show that the suite notices."""

from __future__ import annotations

from typing import Any

from vtcore import orders


def _status_may_go_back(previous: Any, new: Any) -> Any:
    same = (new.status, new.traded, new.volume, new.price) == (
        previous.status,
        previous.traded,
        previous.volume,
        previous.price,
    )
    return None if same else new


def pytest_configure(config: Any) -> None:
    orders._forward = _status_may_go_back  # type: ignore[assignment]
