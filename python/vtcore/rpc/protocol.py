"""The RPC wire protocol's envelopes, limits and errors; the data schemas are in `vtcore.rpc.schema`.

Requests travel DEALER (client) -> ROUTER (server) as one frame: a msgpack map whose "m" field names the call
(a msgspec tagged union, so an unknown name fails validation) and whose "id" field the reply echoes. Replies
travel back as one `Reply` frame whose `result` is left raw, so the client decodes it with the type of the
call it made. Publications travel PUB -> SUB as two frames, `[topic, payload]`, so subscribers filter inside
ZeroMQ. Nothing is ever unpickled or evaluated: every frame is decoded by msgspec against a fixed schema.
"""

from __future__ import annotations

import ipaddress
from typing import ClassVar

import msgspec

from vtcore.errors import VtcoreError

#: Largest request frame the server accepts (ZMQ_MAXMSGSIZE on the ROUTER socket): a peer that sends more is
#: disconnected by ZeroMQ before the frame reaches Python.
MAX_REQUEST_BYTES = 1 << 20
#: Largest frame a client accepts from its (authenticated) server: snapshots of every contract can be large.
MAX_CLIENT_FRAME_BYTES = 256 << 20
#: Largest subscription message the PUB socket accepts from a subscriber.
MAX_SUBSCRIPTION_BYTES = 4096

HEARTBEAT_TOPIC = b"_hb"
HEARTBEAT_INTERVAL = 1.0  # seconds between heartbeats, both ways
HEARTBEAT_MISSES = 5  # heartbeats missed before the peer counts as lost
ZAP_DOMAIN = "vtcore.rpc"

#: In the error text of a refused request that is safe to send again unchanged (a keyed send_order whose first
#: copy is still running on the server).
RETRY_LATER = "retry later"

NIL = msgspec.Raw(b"\xc0")  # msgpack nil, the result of calls that return nothing


class RpcError(VtcoreError):
    """Base of the RPC layer's errors."""


class RemoteError(RpcError):
    """The server refused or failed a request; the text is the server's reason (never a traceback)."""


class RpcTimeoutError(RpcError, TimeoutError):
    """No reply within the timeout. `sent` True: the request left, so it may or may not have run on the
    server; False: no server was connected, so it never left and did not run."""

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent


class NotConnectedError(RpcError, ConnectionError):
    """The client is not started or has been closed."""


class InsecureAddressError(RpcError, ValueError):
    """A non-loopback address was given without CURVE security."""


class KeyFileError(RpcError, OSError):
    """A CURVE key file is missing, malformed or readable by other users."""


class Call(msgspec.Struct, tag_field="m", forbid_unknown_fields=True):
    """Base of every request. Subclasses set `tag=<function name>`; `id` is echoed in the reply."""

    id: int
    #: Calls whose order relative to the same client's other calls does not matter (slow reads) set this True;
    #: they run beside the client's ordered lane instead of in it.
    unordered: ClassVar[bool] = False
    #: Calls that only read in-memory state and never block (the get_* family) set this True; the server's
    #: I/O thread answers them itself when the client has nothing else running, saving two thread hand-offs.
    inline: ClassVar[bool] = False


class Ping(Call, tag="ping"):
    """A client's heartbeat; answered with a `ServerInfo` result by the server's I/O thread itself."""


class Bye(Call, tag="bye"):
    """Sent by a client that closes, so the server logs a clean disconnect rather than a lost peer."""


class ServerInfo(msgspec.Struct):
    """Carried by heartbeats and ping replies: `epoch` changes whenever the server (re)starts."""

    epoch: int
    seq: int  # the last sequence number of the ordered (non-tick) event stream
    time_ns: int


class Reply(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    ok: bool
    error: str = ""
    result: msgspec.Raw = NIL


class RequestHeader(msgspec.Struct):
    """What is read of a request that failed validation, to say which call was refused."""

    id: int = 0
    m: str = ""


def is_loopback_address(address: str) -> bool:
    """Whether a ZeroMQ endpoint can only be reached from this host (tcp loopback, ipc, inproc)."""
    if address.startswith(("ipc://", "inproc://")):
        return True
    if not address.startswith("tcp://"):
        return False
    host = address[len("tcp://") :].rpartition(":")[0]
    if ";" in host:  # "tcp://source;destination" names a source interface: look at the destination
        host = host.rpartition(";")[2]
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # "*", an interface name or a host name: not provably local
        return False


def check_address(address: str, secure: bool) -> None:
    """Refuse an endpoint that other hosts could reach unless CURVE protects it."""
    if not address or "://" not in address:
        raise ValueError(f"not a ZeroMQ endpoint (expected e.g. tcp://127.0.0.1:2014): {address!r}")
    if not secure and not is_loopback_address(address):
        raise InsecureAddressError(
            f"refusing {address} without CURVE: a non-loopback address needs CURVE authentication and "
            "encryption (enable it, or use tcp://127.0.0.1)"
        )
