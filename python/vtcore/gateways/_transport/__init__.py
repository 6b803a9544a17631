"""The shared REST/WebSocket transport of vtcore's venue gateways (aiohttp on one asyncio loop thread)."""

from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways._transport.clock import VenueClock
from vtcore.gateways._transport.errors import (
    ClockSkewRejected,
    ConnectionFailed,
    RateLimited,
    RequestRejected,
    SignatureRejected,
    TransportError,
    VenueError,
    VenueUnavailable,
)
from vtcore.gateways._transport.loop import TransportLoop, shared_loop
from vtcore.gateways._transport.ratelimit import RateLimit, RateLimiter
from vtcore.gateways._transport.rest import RestClient, RestConfig, RestRequest, encode_params, retry_after_seconds
from vtcore.gateways._transport.ws import Heartbeat, WebSocketClient, WebSocketConfig

__all__ = [
    "Backoff",
    "ClockSkewRejected",
    "ConnectionFailed",
    "Heartbeat",
    "RateLimit",
    "RateLimited",
    "RateLimiter",
    "RequestRejected",
    "RestClient",
    "RestConfig",
    "RestRequest",
    "SignatureRejected",
    "TransportError",
    "TransportLoop",
    "VenueClock",
    "VenueError",
    "VenueUnavailable",
    "WebSocketClient",
    "WebSocketConfig",
    "encode_params",
    "retry_after_seconds",
    "shared_loop",
]
