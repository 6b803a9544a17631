"""Clients vtcore did not write drive the local BitMEX venue: ccxt's BitMEX client (REST and streams) and
BitMEX's own WebSocket adapter (`bitmex-ws`, signing with BitMEX's own `util.api_key`). A client that fails
here has found a venue defect.

BitMEX's own REST client on the registry (`bitmex` 0.2.2, 2018) is a bravado wrapper that downloads the
venue's whole swagger document before its first call; ccxt covers the REST flows instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from vtcore.peers.bitmex import API_KEY, API_SECRET, BitmexVenue

pytestmark = pytest.mark.fidelity

DRIVERS = Path(__file__).parent / "drivers"


def test_ccxt_bitmex_rest_and_streams(bitmex_venue: BitmexVenue) -> None:
    done = subprocess.run(
        [sys.executable, str(DRIVERS / "ccxt_bitmex.py"), bitmex_venue.http_url, API_KEY, API_SECRET],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["markets"] == ["BTC/USD:BTC", "BTC/USDT:USDT"]
    assert seen["tick"] == 0.5
    assert seen["ticker"] == [100.0, 100.5]
    assert seen["book"] == [[100.0, 1000.0], [100.5, 1500.0]]
    assert seen["balance_btc"] == 1.0
    assert seen["placed"] == ["open", "ccxt-fidelity-1"]
    assert seen["queried"] == "open"
    assert seen["open_orders"] is True
    assert seen["cancelled"] == "canceled"
    assert seen["cancel_again"] == "OrderNotFound"  # "Unable to cancel order due to existing state: Canceled"
    assert seen["market"] == ["closed", 100.5]
    assert seen["my_trades"] == [[100.5, 200]]
    assert seen["post_only"] == ["canceled", "Canceled: Order had execInst of ParticipateDoNotInitiate"]
    assert seen["candles"] == [3, True]
    assert seen["too_big"] == "InsufficientFunds"
    assert seen["bad_symbol"] == "BadRequest"
    assert seen["wrong_secret"] == "AuthenticationError"
    assert seen["ws_book"] == [[100.0, 1000.0], [100.5, 1300.0]]  # the market buy took 200 of the ask
    assert seen["ws_ticker_symbol"] == "BTC/USD:BTC"
    assert 0.99 < seen["ws_balance_btc"] < 1.0  # the taker fee of the market buy
    assert seen["ws_orders"] == [True] and seen["ws_my_trades"] == [True]
    assert "sell" in seen["ws_trades"]


def wait_for(predicate, timeout: float = 10.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def signed_post(url: str, path: str, body: dict[str, object]) -> requests.Response:
    """A REST call signed by BitMEX's own signing code (the adapter's `util.api_key`)."""
    from util.api_key import generate_signature  # noqa: PLC0415 - bitmex-ws installs a top-level `util`

    data = json.dumps(body, separators=(",", ":"))
    expires = int(time.time()) + 60
    headers = {
        "api-key": API_KEY,
        "api-expires": str(expires),
        "api-signature": generate_signature(API_SECRET, "POST", path, expires, data),
        "Content-Type": "application/json",
    }
    return requests.post(url + path, data=data, headers=headers, timeout=10)


def test_official_bitmex_ws_adapter(bitmex_venue: BitmexVenue) -> None:
    from bitmex_websocket import BitMEXWebsocket  # noqa: PLC0415

    bitmex_venue.print_trade("XBTUSD", "100.5", "100")
    adapter = BitMEXWebsocket(
        endpoint=bitmex_venue.http_url.replace("http", "ws") + "/realtime",
        symbol="XBTUSD",
        api_key=API_KEY,
        api_secret=API_SECRET,
    )
    try:
        # the constructor returns once every partial it waits for (instrument, trade, quote, margin,
        # position, order, orderBookL2) has arrived
        assert adapter.get_instrument()["tickSize"] == 0.5
        ticker = adapter.get_ticker()
        assert ticker["buy"] == 100.0 and ticker["sell"] == 100.0  # rounded to tickLog 0 by the adapter
        assert adapter.funds()["walletBalance"] == 100_000_000
        assert {(row["side"], row["price"]) for row in adapter.market_depth()} == {
            ("Buy", 100.0),
            ("Buy", 99.5),
            ("Sell", 100.5),
            ("Sell", 101.0),
        }
        answer = signed_post(
            bitmex_venue.http_url,
            "/api/v1/order",
            {"symbol": "XBTUSD", "side": "Buy", "orderQty": 100, "price": 99.0, "clOrdID": "official-1"},
        )
        assert answer.status_code == 200, answer.text
        wait_for(lambda: adapter.open_orders("official-"), what="the order in the adapter's table")
        taken = signed_post(
            bitmex_venue.http_url, "/api/v1/order", {"symbol": "XBTUSD", "side": "Buy", "orderQty": 300}
        )
        assert taken.json()["ordStatus"] == "Filled"
        wait_for(lambda: any(p["currentQty"] == 300 for p in adapter.positions()), what="the position")
        wait_for(
            lambda: (
                {(row["side"], row["price"]) for row in adapter.market_depth()}
                == {("Buy", 100.0), ("Buy", 99.5), ("Sell", 100.5), ("Sell", 101.0)}
                and any(r["price"] == 100.5 and r["size"] == 1200 for r in adapter.market_depth())
            ),
            what="the depth update after the market order",
        )
        wait_for(lambda: adapter.recent_trades()[-1]["size"] == 300, what="the public trade")
        refused = signed_post(
            bitmex_venue.http_url, "/api/v1/order", {"symbol": "XBTUSD", "side": "Buy", "orderQty": 150}
        )
        assert refused.status_code == 400
        assert refused.json() == {
            "error": {"message": "Order quantity must be a multiple of lot size: 100", "name": "HTTPError"}
        }
    finally:
        adapter.exit()
