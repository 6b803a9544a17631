"""Keep third-party clients on loopback.

The clients driven by the fidelity suite were written for the real venues: their default URLs, and some hidden
calls (a time sync, a currencies list, a DNS warm-up), name public hosts. `loopback_only` refuses every name
resolution and every connection that is not to the loopback range while a test runs, and keeps the list of
what was tried, so a client that slips past the URLs a test pointed at the local venue fails that test instead
of reaching the network.

Names under `.localhost` (RFC 6761: always loopback) resolve to 127.0.0.1. The suite points a client's
`stream.binance.com` at `stream.binance.com.localhost:<port>` rather than at a bare address, because some
clients decide things from the host name (ccxt tells Binance spot streams from futures ones by `/stream` in
the URL).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class OutsideNetworkError(ConnectionRefusedError):
    """A client tried to reach a host outside loopback (clients treat it as a refused connection)."""


def is_loopback(host: object) -> bool:
    if host is None:  # getaddrinfo(None, port): the local wildcard, used by servers
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    text = str(host).strip("[]").lower()
    if text in LOOPBACK_NAMES or text.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def loopback_only() -> Iterator[list[str]]:
    """Refuse non-loopback resolution and connections; yields the list of refused attempts."""
    refused: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(host):
            refused.append(f"resolve {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"fidelity suite: {host!r} is not on loopback")
        if isinstance(host, (str, bytes)) and str(host if isinstance(host, str) else host.decode()).endswith(
            ".localhost"
        ):
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
            refused.append(f"connect {address!r}")
            raise OutsideNetworkError(f"fidelity suite: {address!r} is not on loopback")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    try:
        yield refused
    finally:
        socket.getaddrinfo = real_getaddrinfo  # type: ignore[assignment]
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
