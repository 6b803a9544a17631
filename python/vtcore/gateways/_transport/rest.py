"""The REST client every gateway uses: one pooled aiohttp session per gateway on the shared loop.

A request is prepared into the exact bytes that go on the wire (`RestRequest.query_string`, `body`) before the
venue's signer sees it, so what is signed is what is sent. Failures become the typed errors of `errors.py`
through the venue's `error_parser`; 429s pause the venue's rate limiter for `Retry-After` and are retried,
5xx and timeouts are retried with backoff only when the request is idempotent (a repeated order is worse than
a failed one), and a clock-skew rejection runs the gateway's resync hook once and retries.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import msgspec
from yarl import URL

from vtcore.gateways._transport.backoff import Backoff
from vtcore.gateways._transport.errors import (
    ClockSkewError,
    RateLimitError,
    TransportError,
    VenueConnectionError,
    VenueError,
    VenueUnavailableError,
)
from vtcore.gateways._transport.ratelimit import RateLimiter
from vtcore.log import get_logger

T = TypeVar("T")

_logger = get_logger("vtcore.transport.rest")


@dataclass
class RestRequest:
    """One request. `params` go to the query string, `data` to the body (`json_body` picks JSON or form)."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    signed: bool = False
    costs: Mapping[str, float] = field(default_factory=dict)
    idempotent: bool | None = None  # None: GET/DELETE... by method
    json_body: bool = False
    # kept out of repr: they carry API keys and signatures once signed
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    # filled by prepare() and the signer: the exact wire form
    query_string: str = field(default="", repr=False)
    body: str = field(default="", repr=False)

    @property
    def is_idempotent(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method in ("GET", "HEAD", "OPTIONS")

    def prepare(self) -> None:
        """Encode `params` and `data` (percent-encoding, the venue's signing input)."""
        self.query_string = encode_params(self.params) if self.params else ""
        if self.data is None:
            self.body = ""
        elif self.json_body:
            self.body = msgspec.json.encode(self.data).decode()
        else:
            self.body = encode_params(self.data)

    @property
    def path_with_query(self) -> str:
        return f"{self.path}?{self.query_string}" if self.query_string else self.path


def encode_params(params: Mapping[str, Any]) -> str:
    """`k=v&...` in the given order, percent-encoded (space as %20, nothing but unreserved left bare)."""
    return urllib.parse.urlencode(
        [(key, _text(value)) for key, value in params.items() if value is not None],
        quote_via=urllib.parse.quote,
        safe="",
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


Signer = Callable[[RestRequest], None]
ErrorParser = Callable[[int, bytes, Mapping[str, str]], "VenueError | None"]


@dataclass
class RestConfig:
    base_url: str
    timeout: float = 10.0
    session_number: int = 3
    proxy: str | None = None
    retries: int = 3
    backoff: Backoff = field(default_factory=Backoff)
    default_headers: dict[str, str] = field(default_factory=dict)


class RestClient:
    """Async REST calls for one gateway; create and use it on the transport loop."""

    def __init__(
        self,
        config: RestConfig,
        *,
        signer: Signer | None,
        error_parser: ErrorParser,
        limiter: RateLimiter | None = None,
        on_clock_skew: Callable[[], Awaitable[None]] | None = None,
        on_headers: Callable[[Mapping[str, str]], None] | None = None,
    ) -> None:
        self.config = config
        self._on_headers = on_headers
        self._signer = signer
        self._error_parser = error_parser
        self.limiter = limiter
        self._on_clock_skew = on_clock_skew
        self._session: aiohttp.ClientSession | None = None
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=max(1, self.config.session_number))
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.config.timeout),
                headers=self.config.default_headers,
            )
        return self._session

    def _decoder(self, type_: Any) -> msgspec.json.Decoder[Any]:
        decoder = self._decoders.get(type_)
        if decoder is None:
            decoder = self._decoders[type_] = msgspec.json.Decoder(type_)
        return decoder

    async def request(self, request: RestRequest, type_: type[T] | Any = Any) -> T:
        """Send `request` (with retries per the rules above) and decode the answer into `type_`."""
        raw = await self.request_raw(request)
        try:
            result: T = self._decoder(type_).decode(raw)
        except msgspec.ValidationError as error:
            raise TransportError(
                f"{request.method} {request.path}: unexpected answer shape: {error}"
            ) from error
        except msgspec.DecodeError as error:
            raise TransportError(f"{request.method} {request.path}: answer is not JSON") from error
        return result

    async def request_raw(self, request: RestRequest) -> bytes:
        session = self._get_session()
        attempt = 0
        resynced = False
        while True:
            if self.limiter is not None and request.costs:
                await self.limiter.acquire(request.costs)
            request.prepare()
            request.headers = dict(request.headers)
            if request.signed:
                if self._signer is None:
                    raise TransportError("signed request without a signer (no API key configured)")
                self._signer(request)
            try:
                return await self._send(session, request)
            except RateLimitError as error:
                if self.limiter is not None:
                    self.limiter.pause(error.retry_after)
                if attempt >= self.config.retries:
                    raise
                _logger.warning(
                    "%s %s: rate limited, retrying after %.3f s",
                    request.method,
                    request.path,
                    error.retry_after,
                )
                if self.limiter is None:
                    await asyncio.sleep(error.retry_after)
            except ClockSkewError:
                if resynced or self._on_clock_skew is None:
                    raise
                resynced = True
                _logger.warning(
                    "%s %s: timestamp rejected, resyncing the clock", request.method, request.path
                )
                await self._on_clock_skew()
                continue
            except (VenueUnavailableError, VenueConnectionError) as error:
                retryable = request.is_idempotent or getattr(error, "not_sent", False)
                if not retryable or attempt >= self.config.retries:
                    raise
                delay = self.config.backoff.delay(attempt)
                _logger.warning("%s %s: %s; retrying in %.3f s", request.method, request.path, error, delay)
                await asyncio.sleep(delay)
            attempt += 1

    async def _send(self, session: aiohttp.ClientSession, request: RestRequest) -> bytes:
        url = URL(self.config.base_url.rstrip("/") + request.path_with_query, encoded=True)
        headers = request.headers
        if request.body and "Content-Type" not in headers:
            headers["Content-Type"] = (
                "application/json" if request.json_body else "application/x-www-form-urlencoded"
            )
        try:
            async with session.request(
                request.method, url, data=request.body or None, headers=headers, proxy=self.config.proxy
            ) as response:
                raw = await response.read()
                status = response.status
                response_headers = {key: value for key, value in response.headers.items()}
        except aiohttp.ClientConnectorError as error:
            failed = VenueConnectionError(
                f"{request.method} {request.path}: cannot connect ({error.strerror})"
            )
            failed.not_sent = True  # type: ignore[attr-defined]
            raise failed from error
        except asyncio.TimeoutError as error:
            raise VenueUnavailableError(f"{request.method} {request.path}: timed out", status=0) from error
        except aiohttp.ClientError as error:
            raise VenueConnectionError(f"{request.method} {request.path}: {type(error).__name__}") from error
        if self._on_headers is not None:
            self._on_headers(response_headers)
        venue_error = self._error_parser(status, raw, response_headers)
        if venue_error is not None:
            raise venue_error
        if status >= 400:
            raise VenueError(
                f"{request.method} {request.path}: HTTP {status}", status=status, headers=response_headers
            )
        return raw


def retry_after_seconds(headers: Mapping[str, str], default: float = 1.0) -> float:
    """The `Retry-After` header in seconds (venues send delta-seconds), or `default`."""
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is None:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        return default
