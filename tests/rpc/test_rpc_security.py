"""Hostile input against a real RpcService process: every bad request is refused and logged, nothing is ever
unpickled, and the server keeps serving the honest client. Also: CURVE keys, allow-list, loopback-only
rule."""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import zmq
import zmq.auth
import zmq.utils.monitor
from test_rpc_harness import WAIT, Proc, free_port, server_main, wait_until

from vtcore.engine import MainEngine
from vtcore.log import get_logger
from vtcore.rpc import EVENT_RPC_SERVICE, RpcServiceApp, RpcServiceStatus, keys, schema
from vtcore.rpc.client import RpcClient
from vtcore.rpc.protocol import (
    MAX_REQUEST_BYTES,
    InsecureAddressError,
    KeyFileError,
    Reply,
    RpcTimeoutError,
    check_address,
    is_loopback_address,
)
from vtcore.rpc.server import RpcServer

pytestmark = pytest.mark.timeout(300)


class Exploit:
    """Unpickling this creates a directory: proof that a payload ran if the directory exists."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.marker),))


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A CURVE server process with the SIM gateway, plus an authorized honest client in this process."""
    home = tmp_path / ".vntrader"
    server = Proc(
        server_main, home, f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}", True, ""
    )
    folder = home / "rpc"
    honest_keys = keys.load_or_create_keypair("honest", folder)
    keys.authorize_client(honest_keys.public, "honest", folder)
    attacker_keys = keys.load_or_create_keypair("attacker", folder)
    keys.authorize_client(attacker_keys.public, "attacker", folder)  # authenticated, but hostile
    honest = RpcClient(server_public_key=server.ready["key"].encode(), keypair=honest_keys)
    honest.start(server.ready["rep"], server.ready["pub"])
    context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    yield {
        "server": server,
        "honest": honest,
        "folder": folder,
        "attacker_keys": attacker_keys,
        "context": context,
        "tmp": tmp_path,
    }
    honest.close()
    context.destroy(linger=0)
    server.stop()


def honest_still_served(served: dict[str, Any]) -> None:
    contracts = served["honest"].call(schema.GetAllContracts, list[schema.ContractMsg], WAIT)
    assert sorted(contract.symbol for contract in contracts) == ["cu2605", "rb2605"]


def attacker_socket(served: dict[str, Any], secure: bool = True, server_key: bytes | None = None) -> Any:
    dealer = served["context"].socket(zmq.DEALER)
    dealer.linger = 0
    if secure:
        dealer.curve_serverkey = server_key or served["server"].ready["key"].encode()
        dealer.curve_publickey = served["attacker_keys"].public
        dealer.curve_secretkey = served["attacker_keys"].secret
    dealer.connect(served["server"].ready["rep"])
    return dealer


def exchange(dealer: Any, *frames: bytes) -> Reply:
    dealer.send_multipart(list(frames))
    assert dealer.poll(WAIT * 1000), "no reply"
    return msgspec.msgpack.decode(dealer.recv(), type=Reply)


def test_hostile_requests_are_rejected_logged_and_never_executed(served: dict[str, Any]) -> None:
    server, dealer = served["server"], attacker_socket(served)
    marker = served["tmp"] / "pwned"
    encode = msgspec.msgpack.encode

    unknown = exchange(dealer, encode({"m": "eval", "id": 7, "code": "__import__('os').system('true')"}))
    assert (unknown.id, unknown.ok) == (7, False)
    assert "unknown function 'eval'" in unknown.error

    bad_args = exchange(
        dealer, encode({"m": "send_order", "id": 8, "req": ["rb2605", "NOWHERE"], "gateway_name": "SIM"})
    )
    assert (bad_args.id, bad_args.ok) == (8, False)
    assert "bad arguments for 'send_order'" in bad_args.error

    extra_field = exchange(dealer, encode({"m": "get_all_orders", "id": 9, "callback": "os.system"}))
    assert (extra_field.id, extra_field.ok) == (9, False)

    garbage = exchange(dealer, b"\xc1\xff\x00 not msgpack")
    assert (garbage.id, garbage.ok) == (0, False)
    assert "malformed request" in garbage.error

    payload = pickle.dumps(Exploit(marker), protocol=pickle.HIGHEST_PROTOCOL)
    assert b"mkdir" in payload  # a real pickle whose loading would run os.mkdir
    pickled = exchange(dealer, payload)
    assert pickled.ok is False
    assert "malformed request" in pickled.error
    old_pickle = exchange(dealer, pickle.dumps(["send_order", (), {}], protocol=0))  # vn.py's request shape
    assert old_pickle.ok is False

    two_frames = exchange(dealer, b"a", b"b")
    assert two_frames.ok is False
    assert "expected one request frame" in two_frames.error

    assert not marker.exists(), "the pickle payload was executed"
    honest_still_served(served)
    # A flood of the same bad request is refused every time but cannot flood the log.
    for _ in range(50):
        assert exchange(dealer, b"\xc1 flood").ok is False

    # Log lines travel through the server's event engine: wait for them rather than race it.
    def rejections() -> list[str]:
        return [line for line in server.call("logs") if "rejected" in line]

    rejected = wait_until(lambda: len(rejections()) >= 7 and rejections(), what="7 rejections logged")
    assert any("unknown function 'eval'" in line for line in rejected)
    assert server.call("rejected") >= 57
    assert sum("malformed request" in line for line in rejections()) <= 5
    dealer.close()


def test_oversized_frame_drops_that_connection_only(served: dict[str, Any]) -> None:
    dealer = attacker_socket(served)
    monitor = dealer.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED)
    # A small valid request first, so the connection is up and authenticated.
    assert exchange(dealer, msgspec.msgpack.encode({"m": "get_all_gateway_names", "id": 1})).ok
    dealer.send(b"\x00" * (MAX_REQUEST_BYTES + 1))

    def disconnected() -> bool:
        while monitor.poll(10):
            event = zmq.utils.monitor.recv_monitor_message(monitor)
            if event["event"] == zmq.EVENT_DISCONNECTED:
                return True
        return False

    wait_until(disconnected, what="the server to drop the connection that sent an oversized frame")
    honest_still_served(served)
    wait_until(
        lambda: any("connection closed" in line for line in served["server"].call("logs")),
        what="the dropped connection in the server log",
    )
    monitor.close()
    dealer.close()


def test_unknown_or_missing_client_keys_are_refused(served: dict[str, Any]) -> None:
    server = served["server"]
    stranger = keys.load_or_create_keypair("stranger", served["tmp"] / "elsewhere")  # never authorized
    states: list[str] = []
    client = RpcClient(
        server_public_key=server.ready["key"].encode(),
        keypair=stranger,
        on_state=lambda state, info: states.append(state),
    )
    client.start(server.ready["rep"], server.ready["pub"])
    with pytest.raises(RpcTimeoutError, match="server not connected"):
        client.call(schema.GetAllContracts, list[schema.ContractMsg], 2.0)
    assert client.publications == 0 and client.server_info is None  # no event reached it either
    wait_until(lambda: states, what="the client to see the refusal")
    assert states == ["refused"] and client.refused  # once, however often ZeroMQ retries the handshake
    client.close()

    plain = served["context"].socket(zmq.DEALER)  # no CURVE at all
    plain.linger = 0
    plain.connect(server.ready["rep"])
    plain.send(msgspec.msgpack.encode({"m": "get_all_orders", "id": 3}))
    assert plain.poll(2000) == 0
    plain.close()

    logs = wait_until(
        lambda: [line for line in server.call("logs") if "refused" in line], what="refusal logs"
    )
    assert any(f"{stranger.public[:8].decode()}" in line and "allow-list" in line for line in logs), logs
    honest_still_served(served)


def test_a_refused_rpc_gateway_says_refused_and_how_to_fix_it(served: dict[str, Any]) -> None:
    """The client side of a refusal: the RPC gateway's state is "refused" with the key to add, not a silent
    "connecting" forever."""
    from vtcore.event import EVENT_GATEWAY_STATE, EventEngine  # noqa: PLC0415
    from vtcore.gateways.rpc import RpcGateway  # noqa: PLC0415

    server = served["server"]
    elsewhere = served["tmp"] / "elsewhere"
    stranger = keys.load_or_create_keypair("stranger", elsewhere)  # never authorized
    engine = MainEngine(EventEngine())
    states: list[Any] = []
    engine.event_engine.register(EVENT_GATEWAY_STATE, lambda event: states.append(event.data))
    try:
        engine.add_gateway(RpcGateway)
        engine.connect(
            {
                "req_address": server.ready["rep"],
                "sub_address": server.ready["pub"],
                "server_public_key": server.ready["key"],
                "client_key_file": str(elsewhere / "stranger.key_secret"),
            },
            "RPC",
        )
        refused = wait_until(
            lambda: [state for state in states if state.state == "refused"], what="the refused state"
        )
        assert "allow-list" in refused[0].message and stranger.public.decode() in refused[0].message
    finally:
        engine.close()


def test_a_server_with_the_wrong_key_is_never_trusted(served: dict[str, Any]) -> None:
    rogue_key = keys.load_or_create_keypair("rogue", served["tmp"] / "rogue").public
    client = RpcClient(server_public_key=rogue_key, keypair=served["attacker_keys"])
    client.start(served["server"].ready["rep"], served["server"].ready["pub"])
    with pytest.raises(RpcTimeoutError):
        client.call(schema.GetAllContracts, list[schema.ContractMsg], 2.0)
    assert client.publications == 0 and client.server_info is None
    client.close()


def test_allow_list_changes_take_effect_without_restart(served: dict[str, Any]) -> None:
    server = served["server"]
    late = keys.load_or_create_keypair("late", served["tmp"] / "late")
    keys.authorize_client(late.public, "late", served["folder"])
    client = RpcClient(server_public_key=server.ready["key"].encode(), keypair=late)
    client.start(server.ready["rep"], server.ready["pub"])
    assert client.call(schema.GetAllGatewayNames, list[str], WAIT) == ["SIM"]
    client.close()


# -- in-process: addresses and key files -------------------------------------------------------------------


def test_non_loopback_addresses_need_curve() -> None:
    local = ("tcp://127.0.0.1:2014", "tcp://localhost:1", "tcp://[::1]:5", "ipc:///tmp/x", "inproc://a")
    for address in local:
        assert is_loopback_address(address)
        check_address(address, secure=False)
    for address in (
        "tcp://0.0.0.0:2014",
        "tcp://*:2014",
        "tcp://eth0:1",
        "tcp://192.0.2.1:1",
        "tcp://127.0.0.1;192.0.2.1:1",
    ):
        assert not is_loopback_address(address)
        with pytest.raises(InsecureAddressError, match="without CURVE"):
            check_address(address, secure=False)
        check_address(address, secure=True)
    server = RpcServer(lambda call: None, [], keypair=None)
    with pytest.raises(InsecureAddressError, match=r"refusing tcp://0\.0\.0\.0"):
        server.start(f"tcp://0.0.0.0:{free_port()}", f"tcp://127.0.0.1:{free_port()}")
    assert not server.active


def test_service_refuses_all_interfaces_without_curve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VTCORE_HOME", str(tmp_path / ".vntrader"))
    main_engine = MainEngine()
    statuses: list[RpcServiceStatus] = []
    main_engine.event_engine.register(EVENT_RPC_SERVICE, lambda event: statuses.append(event.data))
    try:
        rpc: Any = main_engine.add_app(RpcServiceApp)
        with pytest.raises(InsecureAddressError):
            rpc.start(f"tcp://0.0.0.0:{free_port()}", f"tcp://127.0.0.1:{free_port()}", curve=False)
        assert not rpc.status.running
        assert not (tmp_path / ".vntrader" / "rpc_service_setting.json").exists()
        # Loopback without CURVE is allowed; the addresses persist owner-only.
        rpc.start(f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}", curve=False)
        assert rpc.status.running and not rpc.status.secure
        setting = tmp_path / ".vntrader" / "rpc_service_setting.json"
        assert setting.stat().st_mode & 0o777 == 0o600
        rpc.stop()
        assert not rpc.status.running
        wait_until(
            lambda: [status.running for status in statuses][-2:] == [True, False],
            what="the start and stop status events",
        )
        assert statuses[-2].rep_address == rpc.rep_address
    finally:
        main_engine.close()


def test_key_files_are_owner_only_and_secrets_stay_hidden(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "rpc"
    pair = keys.load_or_create_keypair("server", folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("server.key", "server.key_secret"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    assert pair.secret.decode() not in repr(pair)
    assert pair.secret.decode() not in (folder / "server.key").read_text()
    assert keys.load_or_create_keypair("server", folder) == pair  # created once, then loaded
    zmq_public, zmq_secret = zmq.auth.load_certificate(folder / "server.key_secret")  # ZeroMQ's format
    assert (zmq_public, zmq_secret) == (pair.public, pair.secret)

    with caplog.at_level(logging.INFO):
        get_logger("vtcore.rpc.test").info("key is %s", pair.secret.decode())  # e.g. in an exception text
    assert pair.secret.decode() not in caplog.records[-1].getMessage()

    (folder / "server.key_secret").chmod(0o644)
    with pytest.raises(KeyFileError, match="readable by other users"):
        keys.load_keypair(folder / "server.key_secret")
    with pytest.raises(ValueError, match="40 characters"):
        keys.authorize_client("short", "x", folder)
    with pytest.raises(ValueError, match="client name"):
        keys.authorize_client(pair.public, "../escape", folder)


def test_client_drops_bad_publications_and_stays_aligned(tmp_path: Path) -> None:
    """A publisher that sends a one-frame message, three frames and a pickle: the client survives all of them,
    executes nothing and still receives the well-formed messages that follow."""
    marker = tmp_path / "pwned"
    received: list[bytes] = []

    def on_publication(topic: bytes, payload: bytes) -> bool:
        try:
            msgspec.msgpack.decode(payload, type=schema.PublicationMsg)
        except msgspec.MsgspecError:
            return False
        received.append(topic)
        return True

    context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    pub = context.socket(zmq.PUB)
    pub.linger = 0
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    client = RpcClient(server_public_key=None, keypair=None, on_publication=on_publication)
    client.start(f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{port}")
    good = msgspec.msgpack.encode(schema.Publication(1, 1, "eLog", schema.LogMsg("SIM", "hello")))
    try:
        wait_until(lambda: pub.send_multipart([b"eLog", good]) or received, what="the subscription")
        received.clear()
        pub.send(b"lonely")  # one frame
        pub.send_multipart([b"eLog", good, b"extra"])  # three frames
        pub.send_multipart([b"eLog", pickle.dumps(Exploit(marker))])
        for _ in range(3):
            pub.send_multipart([b"eOrder.", good])
        wait_until(lambda: received.count(b"eOrder.") >= 2, what="well-formed messages after the bad ones")
        assert not marker.exists()
    finally:
        client.close()
        context.destroy(linger=0)
