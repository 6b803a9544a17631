"""Typed transport and venue errors, by class of failure.

Venue error codes stay inside these objects (`code`, `status`); callers branch on the class:
- `RequestRejectedError` (4xx): the venue refused the request; retrying the same request will not help.
- `SignatureError`, `ClockSkewError`: subclasses a gateway can repair (fix keys / resync the clock).
- `RateLimitError` (429/418): retry after `retry_after` seconds.
- `VenueUnavailableError` (5xx, timeouts): the outcome is unknown; only idempotent requests are retried.
- `VenueConnectionError`: no answer at all (refused, reset, DNS).
"""

from __future__ import annotations

from collections.abc import Mapping

from vtcore.errors import VtcoreError


class TransportError(VtcoreError):
    """Base of every error the REST/WebSocket transport raises."""


class VenueConnectionError(TransportError):
    """The venue could not be reached or the connection broke before an answer."""


class VenueError(TransportError):
    """The venue answered with an error. `status` is the HTTP status (0 on WebSocket), `code` the venue's
    code."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str | int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{message} (status {status}, code {code})" if code is not None else message)
        self.venue_message = message
        self.status = status
        self.code = code
        self.headers = dict(headers or {})


class RequestRejectedError(VenueError):
    """4xx: the request was refused and had no effect."""


class SignatureError(RequestRejectedError):
    """The signature or key was refused."""


class ClockSkewError(RequestRejectedError):
    """The request's timestamp was outside the venue's window: resync the clock and retry."""


class RateLimitError(VenueError):
    """429 (or 418 ban): retry after `retry_after` seconds."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float,
        status: int = 429,
        code: str | int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, headers=headers)
        self.retry_after = retry_after


class VenueUnavailableError(VenueError):
    """5xx or a timeout: the venue may or may not have acted on the request."""
