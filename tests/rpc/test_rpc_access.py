"""RPC access control and hostile input, in one process on loopback (issue 19, items 5 and 6): a client whose
key leaves the allow-list loses its live session within seconds while the others carry on; refused handshakes
and malformed requests cannot flood the log; log lines are masked on the wire and again by the client."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import zmq
from test_rpc_harness import free_port, wait_until

from vtcore.engine import MainEngine
from vtcore.rpc import RpcServiceApp, keys, schema
from vtcore.rpc.client import RpcClient
from vtcore.rpc.protocol import Call, NotConnectedError, Reply, RpcTimeoutError
from vtcore.rpc.server import LOG_BURST, RpcServer
from vtcore.setting import register_secrets

pytestmark = pytest.mark.timeout(120)
HEARTBEAT = 0.1


class Echo(Call, tag="echo"):
    value: int


class Lines:
    """The server's log lines (its `log` function), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.lines: list[tuple[int, str]] = []

    def __call__(self, level: int, message: str) -> None:
        with self._lock:
            self.lines.append((level, message))

    def matching(self, text: str) -> list[str]:
        with self._lock:
            return [line for _, line in self.lines if text in line]


@pytest.fixture()
def curve_server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A CURVE RpcServer whose allow-list is the `authorized_clients` folder, as the RpcService runs it."""
    folder = tmp_path / "rpc"
    server_keys = keys.load_or_create_keypair("server", folder)
    lines = Lines()
    server = RpcServer(
        lambda call: call.value * 2,
        [Echo],
        keypair=server_keys,
        authorized=lambda: keys.load_authorized_keys(folder),
        log=lines,
        heartbeat_interval=HEARTBEAT,
        log_window=1.0,
    )
    server.start(f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}")
    clients: list[RpcClient] = []

    def client(name: str, authorize: bool = True) -> tuple[RpcClient, list[Any]]:
        pair = keys.load_or_create_keypair(name, tmp_path / name)
        if authorize:
            keys.authorize_client(pair.public, name, folder)
        heartbeats: list[Any] = []
        rpc = RpcClient(
            server_public_key=server_keys.public,
            keypair=pair,
            on_heartbeat=heartbeats.append,
            heartbeat_interval=HEARTBEAT,
        )
        rpc.start(server.rep_endpoint, server.pub_endpoint)
        clients.append(rpc)
        return rpc, heartbeats

    yield {"server": server, "lines": lines, "client": client, "folder": folder, "context": zmq.Context()}
    for rpc in clients:
        rpc.close()
    server.stop()


def test_removing_a_key_from_the_allow_list_ends_its_live_session(curve_server: dict[str, Any]) -> None:
    server, lines = curve_server["server"], curve_server["lines"]
    honest, honest_beats = curve_server["client"]("honest")
    leaving, leaving_beats = curve_server["client"]("leaving")
    for rpc, beats in ((honest, honest_beats), (leaving, leaving_beats)):
        assert rpc.call(Echo, int, 10.0, value=21) == 42
        wait_until(lambda beats=beats: beats, what="heartbeats on the subscription")

    (curve_server["folder"] / "authorized_clients" / "leaving.key").unlink()
    ended = wait_until(
        lambda: lines.matching("removed from the allow-list"),
        timeout=10.0,
        what="the server ending the removed client's session",
    )
    assert "leaving" in ended[0]
    heard_before = len(leaving_beats)
    # The allowed client reconnects by itself and keeps both its request path and its subscription (a call
    # in flight while the sockets were bound again is lost: it times out, like any request to a server that
    # restarts)...
    wait_until(lambda: _answered(honest), what="the allowed client's calls after the rebind")
    seen = len(honest_beats)
    wait_until(lambda: len(honest_beats) >= seen + 10, what="the allowed client's heartbeats, rebound")
    # ...while the removed one is refused at its new handshake: no reply, no event since its session ended.
    with pytest.raises((RpcTimeoutError, NotConnectedError)):  # unanswered, or already known to be lost
        leaving.call(Echo, int, 1.0, value=1)
    assert len(leaving_beats) == heard_before
    assert server.revocations == 1


def _answered(rpc: RpcClient) -> bool:
    try:
        return rpc.call(Echo, int, 0.5, value=2) == 4
    except (RpcTimeoutError, NotConnectedError):
        return False


def test_refused_handshakes_are_throttled_and_counted(curve_server: dict[str, Any]) -> None:
    """Forty strangers, each with a new key: at most LOG_BURST lines, then one line with the count."""
    server, lines, context = curve_server["server"], curve_server["lines"], curve_server["context"]
    sockets = []
    for _ in range(40):
        public, secret = zmq.curve_keypair()
        dealer = context.socket(zmq.DEALER)
        dealer.linger = 0
        dealer.curve_serverkey, dealer.curve_publickey, dealer.curve_secretkey = (
            server._keypair.public,
            public,
            secret,
        )
        dealer.connect(server.rep_endpoint)
        sockets.append(dealer)
    wait_until(lambda: server.rejected >= 40, what="forty refused handshakes")
    summary = wait_until(
        lambda: lines.matching("more line(s) like 'zap: key not in the allow-list'"),
        what="the count of refused handshakes not logged",
    )
    assert len(lines.matching("not in the allow-list")) - len(summary) <= LOG_BURST
    logged = len(lines.matching("RPC refused client key"))
    suppressed = sum(int(line.split("more line")[0].rsplit(" ", 2)[-2]) for line in summary)
    assert logged + suppressed >= 40
    for dealer in sockets:
        dealer.close()
    context.destroy(linger=0)


def test_deeply_nested_msgpack_gets_an_error_reply_and_a_throttled_line(
    curve_server: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    server, lines, context = curve_server["server"], curve_server["lines"], curve_server["context"]
    pair = keys.load_or_create_keypair("nester", curve_server["folder"] / "nester")
    keys.authorize_client(pair.public, "nester", curve_server["folder"])
    dealer = context.socket(zmq.DEALER)
    dealer.linger = 0
    dealer.curve_serverkey, dealer.curve_publickey, dealer.curve_secretkey = (
        server._keypair.public,
        pair.public,
        pair.secret,
    )
    dealer.connect(server.rep_endpoint)
    # {"id": 1, "m": "echo", "z": [[[[...]]]]}: an unknown field nested far deeper than any decoder recurses.
    nested = b"\x83\xa2id\x01\xa1m\xa4echo\xa1z" + b"\x91" * 200_000 + b"\xc0"
    with caplog.at_level(logging.ERROR, logger="vtcore.rpc.server"):
        for _ in range(20):
            dealer.send(nested)
            assert dealer.poll(10_000), "no reply to a deeply nested request"
            reply = msgspec.msgpack.decode(dealer.recv(), type=Reply)
            assert reply.ok is False and "nested too deeply" in reply.error
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"
    assert 1 <= len(lines.matching("nested too deeply")) <= LOG_BURST
    dealer.send(msgspec.msgpack.encode({"m": "echo", "id": 2, "value": 5}))  # the connection still serves
    assert dealer.poll(10_000)
    assert msgspec.msgpack.decode(dealer.recv(), type=Reply).ok
    dealer.close()
    context.destroy(linger=0)


def test_log_lines_are_masked_on_the_wire_and_by_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server gateway that logs its password (even a 3-character one) must not put it on the PUB socket;
    a client masks what it receives as well (a `token=...` the server let through)."""
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    register_secrets({"password": "q7z", "secret": "wire-secret-8271"})  # as MainEngine.connect does
    main_engine = MainEngine()
    payloads: list[bytes] = []
    client = RpcClient(
        server_public_key=None,
        keypair=None,
        on_publication=lambda topic, payload: payloads.append(payload) or True,
    )
    try:
        rpc: Any = main_engine.add_app(RpcServiceApp)
        rpc.start(f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}", curve=False)
        client.start(rpc.server.rep_endpoint, rpc.server.pub_endpoint)
        wait_until(
            lambda: main_engine.write_log("probe") or any(b"probe" in p for p in payloads),
            what="the subscription",
        )
        main_engine.write_log("login with q7z failed; secret wire-secret-8271 refused", source="CTP")
        line = wait_until(lambda: [p for p in payloads if b"login with" in p], what="the log line")[0]
        assert b"q7z" not in line and b"wire-secret-8271" not in line
        assert b"login with ****** failed" in line
    finally:
        client.close()
        main_engine.close()
    received = schema.LOG.to_object(schema.LogMsg("SIM", "connect failed: token=abc123xyz"), "RPC")
    assert received.msg == "connect failed: token=******" and received.gateway_name == "RPC"
