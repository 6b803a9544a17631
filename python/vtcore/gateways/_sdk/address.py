"""The one check of a front address setting ("scheme://host:port") for every SDK gateway that takes one (the
Thost family, FEMAS, TORA, OES).

An SDK takes any text in RegisterFront (or its init) and says nothing about a malformed one: the user sees
only a connect timeout, or a "connect failed" retried for ever. `front_address` refuses it first, with a
SettingsError naming the setting (never quoting the value: a password pasted into the wrong field stays out of
the log):

* ``scheme://host:port``, the scheme one the SDK documents (`schemes`), the port 1-65535, the host a name, an
  IPv4 address or a bracketed IPv6 one;
* an address without a scheme gets ``tcp://`` in front (`default_scheme`), as vn.py's gateways did, so
  ``180.168.146.187:10130`` keeps working;
* a proxy address (`proxies`: ``socks4://...``, ``socks5://...``, which CTP takes since 6.5.1) is passed on as
  written: its syntax is the SDK's own;
* port 0 with an optional ``?...`` query is the in-process simulator's address
  (`vtcore.gateways._sdk.sim.front_address`: ``tcp://127.0.0.1:0?config=<file>``), accepted on 127.0.0.1
  only; no other address carries a query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vtcore.errors import SettingsError

#: the host of the simulator's own addresses (port 0: the simulator in this process, no socket)
SIMULATOR_HOST = "127.0.0.1"
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
_PROXY_SCHEMES = ("socks", "socks4", "socks4a", "socks5", "socks5h")


def front_address(
    title: str,
    key: str,
    text: str,
    schemes: Sequence[str] = ("tcp",),
    *,
    default_scheme: str = "tcp",
    proxies: bool = False,
) -> str:
    """Setting `key`'s address as the SDK takes it ("tcp://" added when it has no scheme), or a SettingsError
    naming the key (`title`: the gateway's, for the message) when it cannot be one."""
    text = text.strip()
    shape = f"{'/'.join(schemes)}://host:port"
    if not text:
        raise SettingsError(f"{title} setting {key!r} is empty (expected {shape})")
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    scheme, rest = text.split("://", 1)
    if proxies and scheme in _PROXY_SCHEMES:
        if not rest.strip():
            raise SettingsError(f"{title} setting {key!r} names a proxy but no address")
        return text
    if scheme not in schemes:
        taken = ", ".join(f"{name}://" for name in (*schemes, *(("socks5",) if proxies else ())))
        raise SettingsError(f"{title} setting {key!r} must start with {taken} (expected {shape})")
    hostport, mark, _ = rest.partition("?")
    host, colon, port_text = hostport.rpartition(":")
    if not colon:
        raise SettingsError(f"{title} setting {key!r} has no port (expected {shape})")
    if not _HOST.fullmatch(host):
        raise SettingsError(f"{title} setting {key!r} has no valid host name (expected {shape})")
    if not (port_text.isascii() and port_text.isdigit()):
        raise SettingsError(f"{title} setting {key!r} has a port that is not a number (expected {shape})")
    port = int(port_text)
    simulator = port == 0 and host == SIMULATOR_HOST
    if not simulator and not 1 <= port <= 65535:
        raise SettingsError(f"{title} setting {key!r} has a port out of range: it must be 1-65535")
    if mark and not simulator:
        raise SettingsError(f"{title} setting {key!r} has '?' after the port (expected {shape})")
    return text


__all__ = ["SIMULATOR_HOST", "front_address"]
