"""What vn.py's OrderRequest cannot say and the broker APIs take, shared by the gateways that take it (IB,
ALPACA): a stop-limit order's trigger and a time in force."""

from __future__ import annotations

from dataclasses import dataclass

from vtcore.object import OrderRequest


@dataclass(slots=True)
class VenueOrderRequest(OrderRequest):
    """An OrderRequest with `stop_price` (a STOP_LIMIT order's trigger; a STOP order's trigger is its `price`,
    as in vn.py) and `time_in_force` (the venue's own code, in any case: DAY, GTC, IOC, FOK, ...). A plain
    OrderRequest trades DAY, FAK as IOC and FOK as FOK on every gateway that reads these."""

    stop_price: float = 0.0
    time_in_force: str = "DAY"
