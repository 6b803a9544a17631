"""The transport alone (RpcServer + RpcClient in one process, loopback): concurrent callers, short-lived
threads, replies matched by id, server errors that never leak a traceback or a secret."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from test_rpc_harness import WAIT

from vtcore.rpc.client import RpcClient
from vtcore.rpc.protocol import Call, RemoteError
from vtcore.rpc.server import RpcServer

pytestmark = pytest.mark.timeout(120)


class Echo(Call, tag="echo"):
    value: int


class Fail(Call, tag="fail"):
    pass


def dispatch(call: Call) -> int:
    if isinstance(call, Fail):
        raise RuntimeError("password=hunter22 went wrong")
    assert isinstance(call, Echo)
    return call.value * 2


@pytest.fixture()
def client() -> Iterator[RpcClient]:
    server = RpcServer(dispatch, [Echo, Fail], keypair=None)
    server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*")
    rpc = RpcClient(server_public_key=None, keypair=None)
    rpc.start(server.rep_endpoint, server.pub_endpoint)
    yield rpc
    rpc.close()
    server.stop()


def test_concurrent_callers_each_get_their_own_reply(client: RpcClient) -> None:
    results: dict[int, list[int]] = {}

    def work(worker: int) -> None:
        results[worker] = [client.call(Echo, int, WAIT, value=worker * 1000 + i) for i in range(50)]

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert results == {worker: [2 * (worker * 1000 + i) for i in range(50)] for worker in range(8)}


def test_short_lived_threads_do_not_pile_up_sockets(client: RpcClient) -> None:
    for value in range(30):
        thread = threading.Thread(target=lambda v=value: client.call(Echo, int, WAIT, value=v))
        thread.start()
        thread.join(WAIT)
    client.call(Echo, int, WAIT, value=1)
    assert len(client._sockets) <= 2  # this thread's and at most the last ended thread's


def test_server_errors_are_reported_without_secrets(client: RpcClient) -> None:
    with pytest.raises(RemoteError, match="RuntimeError") as error:
        client.call(Fail, int, WAIT)
    assert "hunter22" not in str(error.value)
    assert "Traceback" not in str(error.value)
    assert client.call(Echo, int, WAIT, value=21) == 42  # and the next call works
