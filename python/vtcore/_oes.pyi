"""vtcore._oes: OES trading and MDS market data on a liboes_api.so loaded by path (see vtcore.gateways.oes).

Built from vtcore's own declarations of OES 0.17.5.8 (sdk/oes/), not from vendor headers. Both sessions run a
thread of their own and push into a producer ring: KIND_STATE messages (channel, state, errno, value, text),
KIND_REPORT + msgId (the flags word, OesRptMsgHeadT, the body), KIND_QUERY_ITEM + kind and KIND_QUERY_END; the
market session's snapshots arrive as ticks.
"""

from collections.abc import Sequence

from vtcore.errors import SdkLibraryError, SdkVersionError

API_VERSION: str  # "0.17.5.8"
LibraryError = SdkLibraryError
VersionMismatchError = SdkVersionError

STATE_SIZE: int
KIND_STATE: int
KIND_REPORT: int
KIND_QUERY_ITEM: int
KIND_QUERY_END: int
QUERY_CASH: int
QUERY_HOLDING: int
QUERY_ORDER: int
QUERY_TRADE: int
QUERY_STOCK: int

def version_matches(reported: str, expected: str = ...) -> bool: ...
def open_library(path: str) -> tuple[str, str]:
    """Load and check a liboes_api.so: (OesApi version, MdsApi version); SdkLibraryError or
    SdkVersionError when it is refused."""

class Trading:
    """The order, report and query channels of one OES account, on their own thread."""

    def __init__(
        self,
        library: str,
        producer_capsule: object,
        *,
        order_address: str,
        report_address: str,
        query_address: str,
        username: str,
        password: str,
        customize_ip: str = "",
        customize_mac: str = "",
        driver_id: str = "",
        heartbeat: int = 30,
        connect_timeout_ms: int = 5000,
        report_types: int = 0,
        last_report: int = 0,
    ) -> None: ...
    def start(self) -> None: ...
    def stop(self, timeout_ms: int = 2000) -> None: ...
    def reconnect(self) -> None: ...
    def send_order(self, payload: bytes | bytearray | memoryview) -> int: ...
    def send_cancel(self, payload: bytes | bytearray | memoryview) -> int: ...
    def query(self, query_id: int, kind: int, filter: bytes = b"") -> None: ...
    def error_message(self, code: int) -> str: ...
    @property
    def connected(self) -> bool: ...
    @property
    def last_report(self) -> int: ...

class Market:
    """The MDS TCP channel: snapshots become TickRecords in the producer's ring, on its own thread."""

    def __init__(
        self,
        library: str,
        producer_capsule: object,
        *,
        address: str,
        username: str,
        password: str,
        heartbeat: int = 30,
        connect_timeout_ms: int = 5000,
        data_types: int = ...,
    ) -> None: ...
    def start(self) -> None: ...
    def stop(self, timeout_ms: int = 2000) -> None: ...
    def reconnect(self) -> None: ...
    def subscribe(self, securities: Sequence[tuple[int, int, int]], add: bool = True) -> None: ...
    def set_limits(self, exchange: int, code: int, limit_up: float, limit_down: float) -> None: ...
    @property
    def connected(self) -> bool: ...
    @property
    def snapshots(self) -> int: ...
    @property
    def unconverted(self) -> int: ...
