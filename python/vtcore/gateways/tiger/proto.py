"""Tiger's push-socket messages, declared here field by field from Tiger's published `.proto` documents
(tigeropen `push/pb/*.proto`), and built at import time into protobuf message classes on a private
descriptor pool.

Why not the SDK's generated `_pb2` modules: the gateway must not need tigeropen (it pulls pandas, spawns
threads, and its package import flips a process-wide protobuf switch), and a private pool never clashes with
the SDK's own descriptors when both live in one process (the fidelity tests, the benchmark). Only the fields
the gateway reads or writes are declared: protobuf skips the others on the wire, so a newer server that adds
fields changes nothing. Enum fields are declared as int32, which is their wire form.

Framing (tigeropen `push/network/transport.py`): every message on the socket is a base-128 varint of its
length followed by the serialized message; `Request` goes client -> server, `Response` server -> client.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# SocketCommon.Command
CONNECT, CONNECTED, SEND, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT, MESSAGE, HEARTBEAT, ERROR = range(1, 10)
# SocketCommon.DataType
QUOTE, OPTION, FUTURE, QUOTE_DEPTH, TRADE_TICK = 1, 2, 3, 4, 5
ASSET, POSITION, ORDER_STATUS, ORDER_TRANSACTION = 6, 7, 8, 9
# SocketCommon.QuoteType
BASIC, BBO, ALL = 1, 2, 3
# Response.code on MESSAGE frames that answer a request rather than carry data
SUBSCRIBED_LIST, SUBSCRIBE_RESULT, UNSUBSCRIBE_RESULT = 111, 112, 113

_T = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "string": _T.TYPE_STRING,
    "bool": _T.TYPE_BOOL,
    "int32": _T.TYPE_INT32,
    "uint32": _T.TYPE_UINT32,
    "sint32": _T.TYPE_SINT32,
    "sint64": _T.TYPE_SINT64,
    "uint64": _T.TYPE_UINT64,
    "double": _T.TYPE_DOUBLE,
    "float": _T.TYPE_FLOAT,
}

#: message -> [(field name, number, type, repeated)]; a type not in _SCALARS names another message
MESSAGES: dict[str, list[tuple[str, int, str, bool]]] = {
    "Connect": [
        ("tigerId", 1, "string", False),
        ("sign", 2, "string", False),
        ("sdkVersion", 3, "string", False),
        ("acceptVersion", 4, "string", False),
        ("sendInterval", 5, "uint32", False),
        ("receiveInterval", 6, "uint32", False),
        ("useFullTick", 7, "bool", False),
    ],
    "Subscribe": [
        ("dataType", 1, "int32", False),
        ("symbols", 2, "string", False),
        ("account", 3, "string", False),
        ("market", 4, "string", False),
    ],
    "Request": [
        ("command", 1, "int32", False),
        ("id", 2, "uint32", False),
        ("subscribe", 3, "Subscribe", False),
        ("connect", 4, "Connect", False),
    ],
    "QuoteData": [
        ("symbol", 1, "string", False),
        ("type", 2, "int32", False),
        ("timestamp", 3, "uint64", False),
        ("latestPrice", 6, "double", False),
        ("preClose", 9, "double", False),
        ("volume", 10, "sint64", False),
        ("amount", 11, "double", False),
        ("open", 12, "double", False),
        ("high", 13, "double", False),
        ("low", 14, "double", False),
        ("askPrice", 17, "double", False),
        ("askSize", 18, "sint64", False),
        ("bidPrice", 20, "double", False),
        ("bidSize", 21, "sint64", False),
        ("openInt", 24, "sint64", False),
    ],
    "OrderBook": [
        ("price", 1, "double", True),
        ("volume", 2, "sint64", True),
        ("orderCount", 3, "uint32", True),
    ],
    "QuoteDepthData": [
        ("symbol", 1, "string", False),
        ("timestamp", 2, "uint64", False),
        ("ask", 3, "OrderBook", False),
        ("bid", 4, "OrderBook", False),
    ],
    "PositionData": [
        ("account", 1, "string", False),
        ("symbol", 2, "string", False),
        ("market", 8, "string", False),
        ("currency", 9, "string", False),
        ("secType", 11, "string", False),
        ("position", 12, "sint64", False),
        ("positionScale", 13, "sint32", False),
        ("averageCost", 14, "double", False),
        ("latestPrice", 15, "double", False),
        ("marketValue", 16, "double", False),
        ("unrealizedPnl", 17, "double", False),
        ("timestamp", 19, "uint64", False),
        ("positionQty", 21, "double", False),
        ("salableQty", 22, "double", False),
    ],
    "AssetData": [
        ("account", 1, "string", False),
        ("currency", 2, "string", False),
        ("segType", 3, "string", False),
        ("availableFunds", 4, "double", False),
        ("netLiquidation", 6, "double", False),
        ("cashBalance", 9, "double", False),
        ("initMarginReq", 11, "double", False),
        ("timestamp", 13, "uint64", False),
    ],
    "OrderStatusData": [
        ("id", 1, "sint64", False),
        ("account", 2, "string", False),
        ("symbol", 3, "string", False),
        ("action", 9, "string", False),
        ("market", 10, "string", False),
        ("currency", 11, "string", False),
        ("secType", 13, "string", False),
        ("orderType", 14, "string", False),
        ("totalQuantity", 16, "sint64", False),
        ("totalQuantityScale", 17, "sint32", False),
        ("filledQuantity", 18, "sint64", False),
        ("filledQuantityScale", 19, "sint32", False),
        ("avgFillPrice", 20, "double", False),
        ("limitPrice", 21, "double", False),
        ("stopPrice", 22, "double", False),
        ("status", 24, "string", False),
        ("errorMsg", 33, "string", False),
        ("openTime", 36, "uint64", False),
        ("timestamp", 37, "uint64", False),
        ("userMark", 38, "string", False),
        ("updateTime", 44, "uint64", False),
        ("latestTime", 45, "uint64", False),
    ],
    "OrderTransactionData": [
        ("id", 1, "sint64", False),
        ("orderId", 2, "sint64", False),
        ("account", 3, "string", False),
        ("symbol", 4, "string", False),
        ("action", 7, "string", False),
        ("market", 8, "string", False),
        ("currency", 9, "string", False),
        ("filledPrice", 12, "double", False),
        ("filledQuantity", 13, "sint64", False),
        ("transactTime", 16, "uint64", False),
        ("timestamp", 17, "uint64", False),
    ],
    "PushData": [
        ("dataType", 1, "int32", False),
        ("quoteData", 2, "QuoteData", False),
        ("quoteDepthData", 3, "QuoteDepthData", False),
        ("positionData", 5, "PositionData", False),
        ("assetData", 6, "AssetData", False),
        ("orderStatusData", 7, "OrderStatusData", False),
        ("orderTransactionData", 8, "OrderTransactionData", False),
    ],
    "Response": [
        ("command", 1, "int32", False),
        ("id", 2, "uint32", False),
        ("code", 3, "int32", False),
        ("msg", 4, "string", False),
        ("body", 5, "PushData", False),
    ],
}

_PACKAGE = "vtcore.tiger.push"


def _build_classes() -> dict[str, Any]:
    """One proto3 file with every message of MESSAGES, on a pool of our own."""
    file = descriptor_pb2.FileDescriptorProto(
        name="vtcore/tiger/push.proto", package=_PACKAGE, syntax="proto3"
    )
    for name, fields in MESSAGES.items():
        message = file.message_type.add(name=name)
        for field_name, number, kind, repeated in fields:
            field = message.field.add(name=field_name, number=number, json_name=field_name)
            field.label = _T.LABEL_REPEATED if repeated else _T.LABEL_OPTIONAL
            if kind in _SCALARS:
                field.type = _SCALARS[kind]
            else:
                field.type = _T.TYPE_MESSAGE
                field.type_name = f".{_PACKAGE}.{kind}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)  # type: ignore[no-untyped-call]  # (the stubs leave these two untyped)
    return {
        name: message_factory.GetMessageClass(
            pool.FindMessageTypeByName(f"{_PACKAGE}.{name}")  # type: ignore[no-untyped-call]
        )
        for name in MESSAGES
    }


_CLASSES = _build_classes()
Request: Any = _CLASSES["Request"]
Response: Any = _CLASSES["Response"]
PushData: Any = _CLASSES["PushData"]
QuoteData: Any = _CLASSES["QuoteData"]
QuoteDepthData: Any = _CLASSES["QuoteDepthData"]
OrderStatusData: Any = _CLASSES["OrderStatusData"]
OrderTransactionData: Any = _CLASSES["OrderTransactionData"]
AssetData: Any = _CLASSES["AssetData"]
PositionData: Any = _CLASSES["PositionData"]


def encode_varint(value: int) -> bytes:
    """Base-128 varint, low group first (the frame's length prefix)."""
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(0x80 | bits)
        else:
            out.append(bits)
            return bytes(out)


def frame(message: Any) -> bytes:
    """`message` serialized behind its varint length: one frame as it goes on the socket."""
    body: bytes = message.SerializeToString()
    return encode_varint(len(body)) + body


class FrameReader:
    """Splits a byte stream into frame bodies (length-prefixed by a varint of at most 5 bytes)."""

    MAX_FRAME = 16 * 1024 * 1024

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Append `data`; return the complete frame bodies now available, in order. Raises ValueError for a
        length prefix that cannot be right (the stream is then out of step and must be dropped)."""
        buffer = self._buffer
        buffer += data
        bodies: list[bytes] = []
        position = 0
        size = len(buffer)
        while position < size:
            length = 0
            shift = 0
            cursor = position
            while True:
                if cursor >= size:
                    length = -1
                    break
                byte = buffer[cursor]
                cursor += 1
                length |= (byte & 0x7F) << shift
                if not byte & 0x80:
                    break
                shift += 7
                if shift > 28:
                    raise ValueError("frame length prefix longer than 5 bytes")
            if length > self.MAX_FRAME:
                raise ValueError(f"frame of {length} bytes exceeds the limit")
            if length < 0 or cursor + length > size:
                break
            bodies.append(bytes(buffer[cursor : cursor + length]))
            position = cursor + length
        if position:
            del buffer[:position]
        return bodies
