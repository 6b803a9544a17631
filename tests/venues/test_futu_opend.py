"""The fake OpenD's own rules, seen from a bare socket speaking Futu's wire (vtcore.peers.futu.wire): the SHA1
check, InitConnect first, unknown proto ids, a request missing required fields, a repeated packet id, an
OpenD-side keep-alive timeout, and Futu's paper-trading rules."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("futu", reason="the fake OpenD needs futu-api's messages (pip install '.[futu]')")

from vtcore.peers.futu import PAPER_HK_ACCOUNT, TEXT, USER_ID, FakeOpenD
from vtcore.peers.futu.wire import HEADER_SIZE, load, pack, unpack_header


@pytest.fixture
def opend() -> Iterator[FakeOpenD]:
    server = FakeOpenD(keep_alive_interval=1).start()
    yield server
    server.stop()


class Client:
    """One connection to the fake, request by request."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.serial = 0

    def send(self, proto_id: int, body: bytes, sha1: bytes | None = None) -> int:
        self.serial += 1
        self.sock.sendall(pack(proto_id, self.serial, body, sha1=sha1))
        return self.serial

    def receive(self) -> tuple[int, int, Any]:
        """(proto id, serial, parsed Response) of the next packet."""
        proto_id, _fmt, serial, length, _sha1 = unpack_header(self._exactly(HEADER_SIZE))
        response = load(NAMES[proto_id]).Response()
        response.ParseFromString(self._exactly(length))
        return proto_id, serial, response

    def request(self, proto_id: int, fill: Any) -> Any:
        request = load(NAMES[proto_id]).Request()
        fill(request.c2s)
        serial = self.send(proto_id, request.SerializeToString())
        while True:  # pushes may come in between
            got, got_serial, response = self.receive()
            if (got, got_serial) == (proto_id, serial):
                return response

    def init(self) -> Any:
        def fill(c2s: Any) -> None:
            c2s.clientVer, c2s.clientID, c2s.packetEncAlgo = 1011, "test", -1

        return self.request(1001, fill)

    def _exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data


NAMES = {
    1001: "InitConnect",
    1004: "KeepAlive",
    2001: "Trd_GetAccList",
    2202: "Trd_PlaceOrder",
    2211: "Trd_GetOrderFillList",
    3001: "Qot_Sub",
}


def test_init_connect_gives_the_session(opend: FakeOpenD) -> None:
    s2c = Client(opend.port).init().s2c
    assert s2c.loginUserID == USER_ID and s2c.keepAliveInterval == 1 and len(s2c.connAESKey) == 16


def test_a_body_failing_its_sha1_is_refused_with_the_connection_kept(opend: FakeOpenD) -> None:
    client = Client(opend.port)
    client.init()
    keep_alive = load("KeepAlive").Request()
    keep_alive.c2s.time = 1
    client.send(1004, keep_alive.SerializeToString(), sha1=bytes(20))
    _proto, _serial, response = client.receive()
    assert (response.retType, response.retMsg) == (-1, TEXT["sha1"]) and opend.bad_packets == 1
    assert client.request(1004, lambda c2s: setattr(c2s, "time", 2)).retType == 0


def test_requests_before_init_connect_and_unknown_ids_are_refused(opend: FakeOpenD) -> None:
    client = Client(opend.port)
    assert client.request(2001, lambda c2s: setattr(c2s, "userID", USER_ID)).retMsg == "InitConnect first"
    client.init()
    client.send(9999, b"")
    client.send(2001, b"")  # c2s (and its userID) is required
    _proto, _serial, response = client.receive()  # 9999 has no message to answer in: dropped
    assert response.retType == -1 and "missing c2s" in response.retMsg


def place(client: Client, packet_serial: int, env: int = 0, acc_id: int = PAPER_HK_ACCOUNT) -> Any:
    def fill(c2s: Any) -> None:
        c2s.packetID.connID, c2s.packetID.serialNo = 1, packet_serial
        c2s.header.trdEnv, c2s.header.accID, c2s.header.trdMarket = env, acc_id, 1
        c2s.trdSide, c2s.orderType, c2s.code, c2s.qty, c2s.price, c2s.secMarket = 1, 1, "00700", 100, 300.0, 1

    return client.request(2202, fill)


def test_a_repeated_packet_id_is_not_placed_twice(opend: FakeOpenD) -> None:
    client = Client(opend.port)
    client.init()
    assert place(client, 77).retType == 0
    again = place(client, 77)
    assert (again.retType, again.retMsg) == (-1, TEXT["packet"])
    assert len(opend.orders_of(PAPER_HK_ACCOUNT)) == 1


def test_paper_trading_has_no_deals(opend: FakeOpenD) -> None:
    client = Client(opend.port)
    client.init()

    def fill(c2s: Any) -> None:
        c2s.header.trdEnv, c2s.header.accID, c2s.header.trdMarket = 0, PAPER_HK_ACCOUNT, 1

    assert client.request(2211, fill).retMsg == TEXT["paper_deals"]


def test_a_silent_client_is_closed_after_three_keep_alive_intervals(opend: FakeOpenD) -> None:
    client = Client(opend.port)
    client.init()
    client.sock.settimeout(10)
    with pytest.raises(ConnectionError):
        client.receive()  # nothing is sent: OpenD closes the connection
    assert opend.keep_alive_closed == 1
