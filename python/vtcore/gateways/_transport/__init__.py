"""The shared REST/WebSocket transport of vtcore's venue gateways (aiohttp on one asyncio loop thread)."""

from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways._transport.clock import VenueClock
from vtcore.gateways._transport.errors import (
    ClockSkewError,
    RateLimitError,
    RequestRejectedError,
    SignatureError,
    TransportError,
    VenueConnectionError,
    VenueError,
    VenueUnavailableError,
)
from vtcore.gateways._transport.loop import TransportLoop, shared_loop
from vtcore.gateways._transport.ratelimit import RateLimit, RateLimiter
from vtcore.gateways._transport.rest import (
    RestClient,
    RestConfig,
    RestRequest,
    encode_params,
    retry_after_seconds,
)
from vtcore.gateways._transport.ws import Heartbeat, WebSocketClient, WebSocketConfig

__all__ = [
    "Backoff",
    "ClockSkewError",
    "Heartbeat",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "RequestRejectedError",
    "RestClient",
    "RestConfig",
    "RestRequest",
    "SignatureError",
    "TransportError",
    "TransportLoop",
    "VenueClock",
    "VenueConnectionError",
    "VenueError",
    "VenueUnavailableError",
    "WebSocketClient",
    "WebSocketConfig",
    "encode_params",
    "retry_after_seconds",
    "shared_loop",
]
