"""The shared transport on its own: the loop thread's lifetime, the weighted rate limiter, backoff, REST retry
rules and signing input, and the self-healing WebSocket client against a small local server."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from aiohttp import WSMsgType, web

from vtcore.gateways._transport import (
    Backoff,
    Heartbeat,
    RateLimit,
    RateLimiter,
    RateLimitError,
    RequestRejectedError,
    RestClient,
    RestConfig,
    RestRequest,
    TransportLoop,
    VenueConnectionError,
    VenueUnavailableError,
    WebSocketClient,
    WebSocketConfig,
    encode_params,
)
from vtcore.gateways._venue import format_step, order_reason
from vtcore.log import register_secret
from vtcore.peers.binance import API_SECRET, sign

# ---- the loop thread


def test_loop_starts_with_first_user_and_stops_with_last():
    loop = TransportLoop("test-transport")
    assert not loop.running
    loop.acquire()
    loop.acquire()
    thread_names = [t.name for t in threading.enumerate()]
    assert thread_names.count("test-transport") == 1
    assert loop.submit(asyncio.sleep(0, result=42)).result(5) == 42
    loop.release()
    assert loop.running
    loop.release()
    assert not loop.running
    assert "test-transport" not in [t.name for t in threading.enumerate()]
    with pytest.raises(RuntimeError):
        loop.submit(asyncio.sleep(0))


def test_loop_release_cancels_pending_work():
    loop = TransportLoop("test-transport-2")
    loop.acquire()
    future = loop.submit(asyncio.sleep(3600))
    loop.release()
    assert future.cancelled() or future.done()


# ---- rate limiter and backoff


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_charges_weights_per_bucket():
    clock = FakeClock()
    limiter = RateLimiter({"REQUEST_WEIGHT": RateLimit(100, 60.0), "ORDERS": RateLimit(2, 10.0)}, clock=clock)
    assert limiter.try_acquire({"REQUEST_WEIGHT": 60}) == 0
    assert limiter.try_acquire({"REQUEST_WEIGHT": 40, "ORDERS": 1}) == 0
    wait = limiter.try_acquire({"REQUEST_WEIGHT": 30})
    assert wait == pytest.approx(30 / (100 / 60))  # refills at capacity/interval
    assert limiter.try_acquire({"ORDERS": 1, "OTHER": 5}) == 0  # unknown buckets are free
    assert limiter.try_acquire({"ORDERS": 1}) == pytest.approx(5.0)
    clock.now += 5.0
    assert limiter.try_acquire({"ORDERS": 1}) == 0


def test_rate_limiter_pause_blocks_everything():
    clock = FakeClock()
    limiter = RateLimiter({"w": RateLimit(10, 1.0)}, clock=clock)
    limiter.pause(2.5)
    assert limiter.try_acquire({"w": 1}) == pytest.approx(2.5)
    clock.now += 2.5
    assert limiter.try_acquire({"w": 1}) == 0


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling():
    backoff = Backoff(base=0.1, maximum=1.0, factor=2.0, jitter=0.5)
    for attempt, ceiling in enumerate([0.1, 0.2, 0.4, 0.8, 1.0, 1.0]):
        delays = [backoff.delay(attempt) for _ in range(50)]
        assert all(ceiling * 0.5 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_params_are_percent_encoded_in_order():
    assert (
        encode_params({"symbol": "BTCUSDT", "newClientOrderId": "a:b/c d", "flag": True, "skip": None})
        == "symbol=BTCUSDT&newClientOrderId=a%3Ab%2Fc%20d&flag=true"
    )
    # Binance's documented HMAC vector, computed over the encoded payload
    payload = encode_params(
        {
            "symbol": "LTCBTC",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": 1,
            "price": 0.1,
            "recvWindow": 5000,
            "timestamp": 1499827319559,
        }
    )
    assert sign(API_SECRET, payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


# ---- REST client against a scripted local server


class ScriptedServer:
    """Answers each request with the next scripted (status, body, headers)."""

    def __init__(self, script: list[tuple[int, str, dict[str, str]]]) -> None:
        self.script = script
        self.seen: list[tuple[str, str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.method, request.rel_url.raw_path_qs, await request.text()))
        status, body, headers = self.script.pop(0) if self.script else (200, '{"ok":true}', {})
        return web.Response(status=status, text=body, headers=headers, content_type="application/json")


def error_parser(status: int, raw: bytes, headers) -> Exception | None:
    if status == 429:
        return RateLimitError("slow down", retry_after=float(headers.get("Retry-After", "0")), status=429)
    if status >= 500:
        return VenueUnavailableError("down", status=status)
    if status >= 400:
        return RequestRejectedError(raw.decode(), status=status)
    return None


def run_rest(script, requests, retries=3):
    server = ScriptedServer(script)

    async def main():
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", server.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        signed = []

        def signer(request: RestRequest) -> None:
            signed.append(request.query_string + request.body)
            request.query_string += "&signature=x"

        client = RestClient(
            RestConfig(
                f"http://127.0.0.1:{port}", retries=retries, backoff=Backoff(base=0.001, maximum=0.01)
            ),
            signer=signer,
            error_parser=error_parser,
            limiter=RateLimiter({"w": RateLimit(100, 1)}),
        )
        results = []
        try:
            for request in requests:
                try:
                    results.append(await client.request(request))
                except Exception as error:
                    results.append(error)
        finally:
            await client.close()
            await runner.cleanup()
        return results, signed

    return asyncio.run(main()), server.seen


def test_get_is_retried_after_5xx_and_429():
    ((results, _), seen) = run_rest(
        [(503, "", {}), (429, "{}", {"Retry-After": "0"}), (200, '{"value": 7}', {})],
        [RestRequest("GET", "/thing", params={"a": 1}, costs={"w": 1})],
    )
    assert results == [{"value": 7}]
    assert len(seen) == 3


def test_post_is_not_retried_after_5xx_but_is_after_429():
    ((results, _), seen) = run_rest(
        [(503, "", {}), (429, "{}", {"Retry-After": "0"}), (200, '{"id": 1}', {})],
        [RestRequest("POST", "/order", params={"a": 1}), RestRequest("POST", "/order", params={"a": 2})],
    )
    assert isinstance(results[0], VenueUnavailableError)  # outcome unknown: never resent blindly
    assert results[1] == {"id": 1}
    assert [path for _, path, _ in seen] == ["/order?a=1", "/order?a=2", "/order?a=2"]


def test_rejections_are_typed_and_signing_sees_the_wire_bytes():
    ((results, signed), seen) = run_rest(
        [(400, '{"code":-1121}', {})], [RestRequest("DELETE", "/order", params={"id": "a/b c"}, signed=True)]
    )
    assert isinstance(results[0], RequestRejectedError)
    assert signed == ["id=a%2Fb%20c"]
    assert seen[0][1] == "/order?id=a%2Fb%20c&signature=x"


# ---- WebSocket client against a small local server


class EchoVenue:
    """Acknowledges subscribe messages, remembers them, and can drop every connection."""

    def __init__(self) -> None:
        self.connections: list[web.WebSocketResponse] = []
        self.received: list[str] = []
        self.answer_pings = True

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        self.connections.append(ws)
        async for message in ws:
            if message.type is WSMsgType.PING:
                if self.answer_pings:
                    await ws.pong(message.data)
            elif message.type is WSMsgType.TEXT:
                self.received.append(message.data)
                if message.data == "ping":
                    if self.answer_pings:
                        await ws.send_str("pong")
                elif message.data.startswith("req:"):
                    await ws.send_str("rep:" + message.data[4:])
                else:
                    await ws.send_str("ack:" + message.data)
        return ws


async def start_echo(venue: EchoVenue):
    app = web.Application()
    app.router.add_get("/ws", venue.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


async def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met")
        await asyncio.sleep(0.005)


def test_ws_replays_topics_and_reopens_after_a_drop():
    venue = EchoVenue()
    opened: list[int] = []
    states: list[tuple[bool, str]] = []

    async def main():
        runner, port = await start_echo(venue)
        received: list[bytes] = []

        async def on_open(socket: WebSocketClient) -> None:
            opened.append(socket.connections)

        client = WebSocketClient(
            WebSocketConfig(
                url=f"ws://127.0.0.1:{port}/ws",
                name="test",
                backoff=Backoff(0.01, 0.05),
                heartbeat=Heartbeat(idle_timeout=5.0),
            ),
            on_message=received.append,
            on_open=on_open,
            build_subscribe=lambda topics, sub: [
                "sub:" + ",".join(topics) if sub else "unsub:" + ",".join(topics)
            ],
            on_state=lambda up, reason: states.append((up, reason)),
        )
        client.add_topics(["a"])
        client.start()
        assert await client.wait_ready(5)
        await client.subscribe(["b", "a"])
        await wait_for(lambda: b"ack:sub:b" in received)
        await venue.connections[0].close()
        await wait_for(lambda: client.connections == 2 and venue.received.count("sub:a,b") == 1)
        await client.close()
        await runner.cleanup()
        return received

    asyncio.run(main())
    assert venue.received[:2] == ["sub:a", "sub:b"]
    assert "sub:a,b" in venue.received  # both topics replayed on the new connection
    assert opened == [0, 1] and states[:2] == [(True, "connected"), (False, "disconnected")]


def test_ws_text_heartbeat_detects_a_silent_peer():
    venue = EchoVenue()

    async def main():
        runner, port = await start_echo(venue)
        client = WebSocketClient(
            WebSocketConfig(
                url=f"ws://127.0.0.1:{port}/ws",
                name="okx-like",
                backoff=Backoff(0.01, 0.05),
                heartbeat=Heartbeat(ping_interval=0.05, text_ping="ping", idle_timeout=0.3),
            ),
            on_message=lambda raw: None,
        )
        client.start()
        assert await client.wait_ready(5)
        await wait_for(lambda: venue.received.count("ping") >= 3)  # pings while quiet, pongs keep it alive
        assert client.connections == 1
        venue.answer_pings = False
        await wait_for(lambda: client.connections >= 2)  # no pong within idle_timeout: replaced
        await client.close()
        await runner.cleanup()

    asyncio.run(main())


def test_ws_request_reply_is_routed_by_id():
    venue = EchoVenue()

    async def main():
        runner, port = await start_echo(venue)
        holder: list[WebSocketClient] = []

        def on_message(raw: bytes) -> None:
            text = raw.decode()
            if text.startswith("rep:"):
                holder[0].resolve(text[4:], text)

        client = WebSocketClient(
            WebSocketConfig(url=f"ws://127.0.0.1:{port}/ws", name="rr"), on_message=on_message
        )
        holder.append(client)
        client.start()
        assert await client.wait_ready(5)
        replies = await asyncio.gather(client.request("x1", "req:x1"), client.request("x2", "req:x2"))
        with pytest.raises(VenueUnavailableError, match="no reply to request x3"):
            await client.request("x3", "unanswered", timeout=0.05)
        await client.close()
        await runner.cleanup()
        return replies

    assert asyncio.run(main()) == ["rep:x1", "rep:x2"]


def test_rate_limiter_trusts_the_venue_usage_report():
    clock = FakeClock()
    limiter = RateLimiter({"REQUEST_WEIGHT": RateLimit(6000, 60.0)}, clock=clock)
    limiter.observe("REQUEST_WEIGHT", 5990)  # another process on the same IP used most of the window
    assert limiter.try_acquire({"REQUEST_WEIGHT": 10}) == 0
    assert limiter.try_acquire({"REQUEST_WEIGHT": 10}) == pytest.approx(0.1)
    limiter.observe("REQUEST_WEIGHT", 0)  # a report of more room never adds tokens we did not have
    assert limiter.try_acquire({"REQUEST_WEIGHT": 10}) > 0


def test_format_step_rounds_to_the_venue_quantum():
    assert format_step(0.1 + 0.2, "0.001") == "0.300"
    assert format_step(25000.126, "0.01000000") == "25000.13000000"
    assert format_step(3, "1") == "3"
    assert format_step(0.00001, "") == "0.00001"  # no step known: plain text, no exponent


def test_order_reasons_name_the_venue_code_say_when_the_outcome_is_unknown_and_hide_secrets():
    assert (
        order_reason(RequestRejectedError("Invalid symbol.", status=400, code=-1121))
        == "-1121: Invalid symbol."
    )
    assert order_reason(RequestRejectedError("Order failed.", code="51008")) == "51008: Order failed."
    assert order_reason(RateLimitError("Too Many Requests", retry_after=1.0)) == "Too Many Requests"
    assert order_reason(VenueUnavailableError("Service Unavailable", status=503)) == (
        "outcome unknown (Service Unavailable)"
    )
    assert order_reason(VenueConnectionError("POST /api/v3/order: ServerDisconnectedError")) == (
        "outcome unknown (POST /api/v3/order: ServerDisconnectedError)"
    )
    refused = VenueConnectionError("POST /api/v3/order: cannot connect (Connection refused)")
    refused.not_sent = True  # type: ignore[attr-defined]
    assert order_reason(refused) == "POST /api/v3/order: cannot connect (Connection refused)"
    assert order_reason(ValueError("volume must be positive")) == "volume must be positive"
    register_secret("reason-secret-0123456789")
    echoed = order_reason(RequestRejectedError("bad key reason-secret-0123456789", code=-2015))
    assert echoed == "-2015: bad key ******"
    assert order_reason("apiKey=abcdef0123 refused") == "apiKey=****** refused"
