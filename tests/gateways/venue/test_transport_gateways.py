"""The transport as the gateways use it: one loop thread for all of them, clean close, proxy support and
malformed settings."""

from __future__ import annotations

import threading

import pytest

from venues.harness import Recorder, connect_okx, wait_until
from venues.harness import connect_binance_spot as connect_binance
from venues.proxy import LocalProxy
from vtcore.constant import Exchange
from vtcore.gateways import load_gateway_class
from vtcore.gateways._transport import RestRequest, shared_loop
from vtcore.gateways._venue import Timing
from vtcore.gateways.binance import BinanceInverseGateway, BinanceLinearGateway, BinanceSpotGateway
from vtcore.object import SubscribeRequest
from vtcore.peers.binance import API_KEY, API_SECRET


def transport_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "vtcore-transport")


def assert_binance_ticks_flow(main_engine, recorder, venue, bid: float) -> None:
    """Subscribe BTCUSDT, wait until the venue has the streams, move the book and see the tick arrive."""
    main_engine.subscribe(SubscribeRequest("BTCUSDT", Exchange.BINANCE), "BINANCE_SPOT")
    recorder.wait(
        lambda: venue.run(lambda: sum(len(s.topics) for s in venue.sessions if s.kind == "market")) == 3
    )
    venue.set_book("BTCUSDT", [(f"{bid:.2f}", "1.0")], [("101.00", "1.5")])
    recorder.wait(lambda: any(t.bid_price_1 == bid for t in recorder.ticks()))


def test_all_gateways_share_one_loop_thread_until_the_last_closes(main_engine, binance_spot_venue, okx_venue):
    recorder, binance = connect_binance(main_engine, binance_spot_venue)
    _, okx = connect_okx(main_engine, okx_venue)
    assert transport_threads() == 1 and shared_loop.users == 2

    binance.close()
    assert binance_spot_venue.session_count() == 0  # its sockets are closed, not abandoned
    assert transport_threads() == 1
    main_engine.subscribe(SubscribeRequest("BTC-USDT", Exchange.OKX), "OKEX")
    okx_venue.set_book("BTC-USDT", [("100.4", "1")], [("101.0", "1")])
    recorder.wait(
        lambda: (
            okx_venue.run(
                lambda: [len(s.state.get("args", [])) for s in okx_venue.sessions if s.kind == "public"]
            )
            == [3]
        )
    )
    okx_venue.set_book("BTC-USDT", [("100.4", "1")], [("101.0", "1")])
    recorder.wait(lambda: any(t.bid_price_1 == 100.4 for t in recorder.ticks("BTC-USDT.OKX")))

    okx.close()
    assert transport_threads() == 0 and shared_loop.users == 0
    assert okx_venue.session_count() == 0


def test_close_releases_the_futures_listen_key(main_engine, binance_futures_venue):
    venue = binance_futures_venue
    gateway_class = BinanceInverseGateway if venue.coin_margined else BinanceLinearGateway
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(gateway_class)
    gateway.timing = Timing.fast()
    setting = dict(gateway_class.default_setting)
    setting.update({"key": API_KEY, "secret": API_SECRET, "server": "REAL", "base_url": venue.http_url})
    main_engine.connect(setting, gateway.gateway_name)
    recorder.wait(lambda: "connected" in recorder.logs())
    key = gateway.listen_key
    assert venue.listen_keys[key]
    main_engine.close()
    assert venue.listen_keys[key] is False
    assert venue.session_count() == 0


def test_rest_and_streams_go_through_the_configured_proxy(main_engine, binance_spot_venue):
    proxy = LocalProxy().start()
    try:
        recorder, _ = connect_binance(
            main_engine, binance_spot_venue, proxy_host="127.0.0.1", proxy_port=proxy.port
        )
        assert_binance_ticks_flow(main_engine, recorder, binance_spot_venue, 100.6)
        base = f"127.0.0.1:{binance_spot_venue.port}"
        # one line per proxied connection: the pooled REST connection and both streams
        assert f"GET http://{base}/api/v3/time" in proxy.tunnels
        assert f"GET ws://{base}/stream" in proxy.tunnels and f"GET ws://{base}/ws-api/v3" in proxy.tunnels
    finally:
        main_engine.close()
        proxy.stop()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("proxy_port", 70000, "proxy_port"),
        ("server", "MOON", "server"),
        ("base_url", "ftp://x", "base_url"),
    ],
)
def test_malformed_settings_are_refused_without_connecting(
    main_engine, binance_spot_venue, field, value, message
):
    recorder = Recorder(main_engine)
    gateway = main_engine.add_gateway(BinanceSpotGateway)
    setting = dict(BinanceSpotGateway.default_setting)
    setting.update(
        {
            "key": API_KEY,
            "secret": API_SECRET,
            "server": "REAL",
            "base_url": binance_spot_venue.http_url,
            "proxy_host": "127.0.0.1" if field == "proxy_port" else "",
            field: value,
        }
    )
    if field == "server":
        gateway.connect(setting)  # MainEngine would refuse the choice itself; the gateway checks too
    else:
        main_engine.connect(setting, "BINANCE_SPOT")
    recorder.wait(lambda: any("cannot connect" in m and message in m for m in recorder.logs()))
    assert binance_spot_venue.request_log == []
    assert shared_loop.users == 0
    wait_until(lambda: transport_threads() == 0)


def test_engine_registry_finds_the_gateways():
    assert load_gateway_class("BINANCE_SPOT") is BinanceSpotGateway
    assert load_gateway_class("BINANCE_LINEAR") is BinanceLinearGateway
    assert load_gateway_class("OKEX").default_name == "OKEX"
    assert load_gateway_class("OKEXF").default_name == "OKEXF"


def test_gateway_reconnects_after_close(main_engine, binance_spot_venue):
    recorder, gateway = connect_binance(main_engine, binance_spot_venue)
    gateway.close()
    assert transport_threads() == 0
    main_engine.connect(
        {
            **dict(BinanceSpotGateway.default_setting),
            "key": API_KEY,
            "secret": API_SECRET,
            "server": "REAL",
            "base_url": binance_spot_venue.http_url,
        },
        "BINANCE_SPOT",
    )
    recorder.wait(lambda: recorder.logs().count("connected") == 2, what="connected again")
    assert_binance_ticks_flow(main_engine, recorder, binance_spot_venue, 100.7)


def test_signed_request_repr_shows_no_credentials():
    request = RestRequest("GET", "/api/v3/account", headers={"X-MBX-APIKEY": API_KEY})
    request.query_string = "timestamp=1&signature=abcdef"
    assert API_KEY not in repr(request) and "signature" not in repr(request)
