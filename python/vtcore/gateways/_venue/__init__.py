"""The venue-gateway base: what every REST/WebSocket gateway does alike, on the `_transport` plumbing.

A venue package has one shape: `schemas.py` (wire Structs with the venue's names), `parse.py` (pure functions
wire -> vtcore objects, tested from recorded frames without sockets) and `gateway.py` (a `VenueGateway`
subclass implementing its abstract hooks). See docs/adding-a-gateway.md.
"""

from vtcore.gateways._venue.gateway import VenueGateway, order_reason
from vtcore.gateways._venue.orders import VenueOrderRequest
from vtcore.gateways._venue.settings import CommonSettings, Timing, parse_common_settings
from vtcore.gateways._venue.ticks import TICK_INDEX, TickState
from vtcore.gateways._venue.wire import format_lots, format_number, format_step, http_to_ws, leading_string

__all__ = [
    "TICK_INDEX",
    "CommonSettings",
    "TickState",
    "Timing",
    "VenueGateway",
    "VenueOrderRequest",
    "format_lots",
    "format_number",
    "format_step",
    "http_to_ws",
    "leading_string",
    "order_reason",
    "parse_common_settings",
]
