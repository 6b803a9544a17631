"""`vtcore run --sim --gateway HUOBI|HBDM`: the peers `start_sim_peer` gives serve the gateways a moving
market."""

from __future__ import annotations

import pytest

from venues.harness import connect_gateway
from vtcore.constant import Exchange
from vtcore.gateways import load_gateway_class, start_sim_peer
from vtcore.object import SubscribeRequest


@pytest.mark.parametrize(("name", "symbol"), [("HUOBI", "btcusdt"), ("HBDM", "BTC-USDT")])
def test_sim_peer_serves_a_moving_market(main_engine, name, symbol):
    peer = start_sim_peer(name)
    try:
        assert peer.gateway == name and peer.setting["base_url"].startswith("http://127.0.0.1:")
        recorder, _ = connect_gateway(main_engine, load_gateway_class(name), peer.setting)
        main_engine.subscribe(SubscribeRequest(symbol, Exchange.HTX), name)
        ticks = recorder.wait(
            lambda: len({t.bid_price_1 for t in recorder.ticks(f"{symbol}.HTX")}) >= 2 and recorder.ticks(),
            what="the book moving",
        )
        assert all(t.ask_price_1 > t.bid_price_1 > 0 for t in ticks if t.ask_price_1)
        main_engine.close()
    finally:
        peer.stop()
