"""The TWS socket API's text protocol, client side: framing, field text, message ids, version gates.

After `API\\0` and the client's version range, every message in both directions is a 4-byte big-endian length
and that many bytes of NUL-terminated text fields; the first field is the message id. vtcore asks for server
versions 157..178 (`CLIENT_VERSIONS`): TWS answers with the highest it supports inside the range, so the
session stays in the text protocol (protobuf framing starts at 201) and every layout this package reads or
writes is one of the few that change inside that range (the `*_VERSION` gates, named after IB's
`MIN_SERVER_VER_*`).
"""

from __future__ import annotations

import math
import struct

CLIENT_VERSIONS = (157, 178)
API_GREETING = b"API\0"
MAX_MESSAGE = 16 * 1024 * 1024
UNSET_INTEGER = 2**31 - 1
UNSET_DOUBLE = 1.7976931348623157e308

# Version gates inside CLIENT_VERSIONS
OPTIONAL_CAPABILITIES_VERSION = 72  # startApi carries optional capabilities (always, above 157)
DURATION_VERSION = 158
POST_TO_ATS_VERSION = 160
AUTO_CANCEL_PARENT_VERSION = 162
SIZE_RULES_VERSION = 164  # contractDetails: no version field, minSize/sizeIncrement
ADVANCED_REJECT_VERSION = 166  # error: advancedOrderRejectJson; placeOrder: advancedErrorOverride
MANUAL_ORDER_TIME_VERSION = 169  # placeOrder: manualOrderTime; cancelOrder: manualOrderCancelTime
BOND_ISSUERID_VERSION = 176  # reqContractDetails: issuerId
FA_PROFILE_DESUPPORT_VERSION = 177  # placeOrder loses faProfile


class Out:
    """Client -> TWS message ids."""

    REQ_MKT_DATA = 1
    CANCEL_MKT_DATA = 2
    PLACE_ORDER = 3
    CANCEL_ORDER = 4
    REQ_OPEN_ORDERS = 5
    REQ_ACCOUNT_UPDATES = 6
    REQ_EXECUTIONS = 7
    REQ_IDS = 8
    REQ_CONTRACT_DATA = 9
    REQ_MKT_DEPTH = 10
    CANCEL_MKT_DEPTH = 11
    REQ_HISTORICAL_DATA = 20
    CANCEL_HISTORICAL_DATA = 25
    REQ_CURRENT_TIME = 49
    REQ_POSITIONS = 61
    START_API = 71


class In:
    """TWS -> client message ids."""

    TICK_PRICE = 1
    TICK_SIZE = 2
    ORDER_STATUS = 3
    ERROR = 4
    OPEN_ORDER = 5
    ACCOUNT_VALUE = 6
    PORTFOLIO_VALUE = 7
    ACCOUNT_UPDATE_TIME = 8
    NEXT_VALID_ID = 9
    CONTRACT_DATA = 10
    EXECUTION_DATA = 11
    MARKET_DEPTH = 12
    MARKET_DEPTH_L2 = 13
    MANAGED_ACCOUNTS = 15
    HISTORICAL_DATA = 17
    TICK_GENERIC = 45
    TICK_STRING = 46
    CURRENT_TIME = 49
    CONTRACT_DATA_END = 52
    OPEN_ORDER_END = 53
    ACCOUNT_DOWNLOAD_END = 54
    EXECUTION_DATA_END = 55
    TICK_SNAPSHOT_END = 57
    MARKET_DATA_TYPE = 58
    COMMISSION_REPORT = 59
    POSITION_DATA = 61
    POSITION_END = 62
    TICK_REQ_PARAMS = 81


_HEADER = struct.Struct(">I")


def field_text(value: object) -> str:
    """One field as TWS expects it: unset numbers (None, IB's sentinels) are empty, bools are 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if not math.isfinite(value) or value >= UNSET_DOUBLE:
            return ""
        return repr(value)
    if isinstance(value, int) and value == UNSET_INTEGER:
        return ""
    return str(value)


def encode(fields: list[object]) -> bytes:
    """One framed message."""
    payload = "".join(field_text(value) + "\0" for value in fields).encode()
    return _HEADER.pack(len(payload)) + payload


def greeting(low: int = CLIENT_VERSIONS[0], high: int = CLIENT_VERSIONS[1], options: str = "") -> bytes:
    text = f"v{low}..{high}" + (f" {options}" if options else "")
    payload = text.encode()
    return API_GREETING + _HEADER.pack(len(payload)) + payload


class FrameError(ValueError):
    """The byte stream is not TWS's framing (a length beyond any message, or text that is not UTF-8)."""


class FrameReader:
    """Cuts a byte stream into messages (lists of field strings) however the bytes arrive."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[list[str]]:
        buffer = self._buffer
        buffer += data
        messages: list[list[str]] = []
        start = 0
        end = len(buffer)
        while end - start >= 4:
            (length,) = _HEADER.unpack_from(buffer, start)
            if length > MAX_MESSAGE:
                raise FrameError(f"a message of {length} bytes is longer than any TWS sends")
            stop = start + 4 + length
            if stop > end:
                break
            try:
                text = buffer[start + 4 : stop].decode()
            except UnicodeDecodeError as exc:
                raise FrameError(f"a message is not UTF-8 text: {exc}") from None
            fields = text.split("\0")
            if fields and fields[-1] == "":
                fields.pop()
            messages.append(fields)
            start = stop
        if start:
            del buffer[:start]
        return messages


def to_float(text: str) -> float:
    """A price or size field; unset (empty or IB's sentinels) reads as 0."""
    if not text:
        return 0.0
    value = float(text)
    return 0.0 if value >= UNSET_DOUBLE or value == UNSET_INTEGER else value


def to_int(text: str) -> int:
    if not text:
        return 0
    value = int(text)
    return 0 if value == UNSET_INTEGER else value
