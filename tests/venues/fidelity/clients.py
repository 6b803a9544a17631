"""Third-party clients pointed at a local venue: nothing here talks to the venue itself, it only builds the
client the way a user would and rewrites the public URLs the client ships with to loopback.

`point_urls` rewrites every URL in a client's URL table (ccxt's `urls["api"]`): a URL whose host the test
maps to a local venue's port goes to `<host>.localhost:<port>` (loopback, see `netguard`), path kept; every
other URL goes to a dead loopback port, so a call the test did not plan for fails at once (and the network
guard would refuse it anyway).
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import ccxt.pro

from vtcore.peers.base import VenueServer

T = TypeVar("T")

#: a loopback port nothing listens on (the discard port): connections to it are refused at once
DEAD_END = "127.0.0.1:9"
CLIENT_TIMEOUT = 30.0  # seconds for one client scenario; a scenario normally takes well under a second


def local(host: str, venue: VenueServer) -> str:
    """`host` of a real venue as the loopback name and port of the local venue that stands in for it."""
    return f"{host}.localhost:{venue.port}"


def point_urls(urls: Any, hosts: Mapping[str, int]) -> Any:
    """A copy of a (nested) URL table with every URL on a host of `hosts` moved to `<host>.localhost:<port>`
    (`hosts[host]` is the port of the local venue), TLS schemes turned into their plain forms, and every
    other URL sent to `DEAD_END`. A host `{hostname}` (a ccxt placeholder) is kept as a placeholder."""
    if isinstance(urls, dict):
        return {key: point_urls(value, hosts) for key, value in urls.items()}
    if isinstance(urls, list):
        return [point_urls(value, hosts) for value in urls]
    if not isinstance(urls, str) or "://" not in urls:
        return urls
    parts = urllib.parse.urlsplit(urls)
    scheme = {"https": "http", "wss": "ws"}.get(parts.scheme, parts.scheme)
    host = parts.netloc.rsplit("@", 1)[-1]
    bare = host.split(":", 1)[0] if not host.startswith("{") else host
    port = hosts.get(host) or hosts.get(bare)
    target = f"{bare}.localhost:{port}" if port else DEAD_END
    return urllib.parse.urlunsplit((scheme, target, parts.path, parts.query, parts.fragment))


def ccxt_exchange(exchange_id: str, hosts: Mapping[str, int], config: Mapping[str, Any]) -> Any:
    """An async ccxt exchange (ccxt.pro: REST and WebSocket) on the local venues named by `hosts`."""
    exchange = getattr(ccxt.pro, exchange_id)({"enableRateLimit": False, "timeout": 10_000, **config})
    exchange.urls["api"] = point_urls(exchange.urls["api"], hosts)
    for name in ("test", "demo"):  # sandbox tables must not lead outside either
        if name in exchange.urls:
            exchange.urls[name] = point_urls(exchange.urls[name], hosts)
    return exchange


def run_client(
    factory: Callable[[], Any],
    scenario: Callable[[Any], Awaitable[T]],
    timeout: float = CLIENT_TIMEOUT,
) -> T:
    """Run one async scenario against a fresh client from `factory`, closing the client afterwards."""

    async def main() -> T:
        client = factory()
        try:
            return await asyncio.wait_for(scenario(client), timeout)
        finally:
            close = getattr(client, "close", None) or getattr(client, "close_connection", None)
            if close is not None:
                result = close()
                if asyncio.iscoroutine(result):
                    await result

    return asyncio.run(main())


async def until(
    source: Callable[[], Awaitable[T]], predicate: Callable[[T], bool], what: str, timeout: float = 15.0
) -> T:
    """Await `source()` again and again (a ccxt `watch_*` call, a queue read) until its value satisfies
    `predicate`; fail after `timeout` seconds naming `what`."""

    async def loop() -> T:
        while True:
            value = await source()
            if predicate(value):
                return value

    try:
        return await asyncio.wait_for(loop(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
