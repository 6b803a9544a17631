"""The fake Tiger open API (vtcore.peers.tiger) checked by Tiger's own SDK, tigeropen, unmodified: its
TradeClient and QuoteClient sign their calls with the test's key (the peer verifies), verify the peer's signed
answers with the peer's server key, and read contracts, assets, positions, orders, fills and bars; its
PushClient logs in with a signed tiger id, subscribes, and receives quotes, order status, fills, assets and
positions as they happen. Dynamic domains are off and every URL is the peer's: a guard fails the test if
anything tries to resolve or reach a host that is not loopback.

When tigeropen fails against the fake, the fake is wrong until shown otherwise.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from venues.harness import wait_until

pytestmark = pytest.mark.fidelity

tiger = pytest.importorskip("vtcore.peers.tiger")
pytest.importorskip("tigeropen")

from tigeropen.common.consts import BarPeriod  # noqa: E402
from tigeropen.common.util.contract_utils import stock_contract  # noqa: E402
from tigeropen.common.util.order_utils import limit_order, market_order, stop_limit_order  # noqa: E402
from tigeropen.push.network.exception import ConnectFailedException  # noqa: E402
from tigeropen.push.push_client import PushClient  # noqa: E402
from tigeropen.quote.quote_client import QuoteClient  # noqa: E402
from tigeropen.tiger_open_config import TigerOpenClientConfig  # noqa: E402
from tigeropen.trade.trade_client import TradeClient  # noqa: E402

TIGER_ID = "20150009"
ACCOUNT = "U7654321"
LOOPBACK = ("127.", "::1", "localhost")


@pytest.fixture
def outside_attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Hosts the SDK tried to resolve or connect to that are not loopback (e.g. Tiger's domain service)."""
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not str(host).startswith(LOOPBACK):
            attempts.append(str(host))
            raise socket.gaierror(f"the test refuses to resolve {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and not str(address[0]).startswith(LOOPBACK):
            attempts.append(str(address[0]))
            raise OSError(f"the test refuses to connect to {address[0]}")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempts


@pytest.fixture
def venue() -> Iterator[Any]:
    private_key, public_key = tiger.new_key_pair()
    server = tiger.FakeTiger(TIGER_ID, public_key, accounts=(ACCOUNT,))
    server.push_heartbeat_ms = 2000
    server.start()
    server.private_key = private_key  # for the test's clients
    server.seed_position(ACCOUNT, "AAPL", "100", "185.00")
    server.set_book("AAPL", [("189.90", "300")], [("190.10", "200")])
    yield server
    server.stop()


def client_config(venue: Any, tmp_path: Any) -> Any:
    config = TigerOpenClientConfig(enable_dynamic_domain=False, props_path=str(tmp_path))
    config.tiger_id = TIGER_ID
    config.account = ACCOUNT
    config.private_key = venue.private_key
    config.tiger_public_key = venue.server_public_key  # the SDK verifies every answer's signature
    config.server_url = config.quote_server_url = venue.gateway_url
    config.socket_host_port = ("tcp", "127.0.0.1", venue.push_port)
    config.retry_max_tries = 0
    config.timeout = 10
    return config


def test_trade_and_quote_clients(venue: Any, tmp_path: Any, outside_attempts: list[str]) -> None:
    config = client_config(venue, tmp_path)
    trade = TradeClient(config, logger=logging.getLogger("tiger-sdk-test"))
    quote = QuoteClient(config, logger=logging.getLogger("tiger-sdk-test"))  # grabs quote permission

    profiles = trade.get_managed_accounts()
    assert [profile.account for profile in profiles] == [ACCOUNT]
    contracts = trade.get_contracts(["AAPL", "00700"])
    assert [(c.symbol, c.currency, c.market) for c in contracts] == [
        ("AAPL", "USD", "US"),
        ("00700", "HKD", "HK"),
    ]
    assert trade.get_contract("AAPL").tick_sizes[0]["tick_size"] == 0.01
    assets = trade.get_assets()
    assert assets[0].account == ACCOUNT and assets[0].summary.net_liquidation == pytest.approx(1_018_500)
    positions = trade.get_positions()
    assert [(p.contract.symbol, p.quantity, p.average_cost) for p in positions] == [("AAPL", 100, 185.0)]

    aapl = stock_contract("AAPL", "USD")
    resting = limit_order(ACCOUNT, aapl, "BUY", 10, 185.0)
    order_id = trade.place_order(resting)
    assert order_id == resting.id and resting.order_id
    open_orders = trade.get_open_orders()
    assert [(o.id, o.status.name, o.quantity, o.limit_price) for o in open_orders] == [
        (order_id, "HELD", 10, 185.0)
    ]
    taking = market_order(ACCOUNT, aapl, "BUY", 5)
    trade.place_order(taking)
    filled = trade.get_order(id=taking.id)
    assert (filled.status.name, filled.filled, filled.avg_fill_price) == ("FILLED", 5, 190.10)
    transactions = trade.get_transactions(order_id=taking.id)
    assert [(t.filled_quantity, t.filled_price, t.action) for t in transactions] == [(5, 190.10, "BUY")]
    assert trade.cancel_order(id=order_id) == order_id
    assert trade.get_order(id=order_id).status.name == "CANCELLED"
    stop = stop_limit_order(ACCOUNT, aapl, "BUY", 2, 192.0, 191.0)
    trade.place_order(stop)
    assert trade.get_order(id=stop.id).status.name == "NEW"  # waiting for its trigger
    with pytest.raises(Exception, match="contract NOPE not found"):
        trade.place_order(limit_order(ACCOUNT, stock_contract("NOPE", "USD"), "BUY", 1, 1.0))

    names = quote.get_symbol_names(market="US")
    assert ("AAPL", "Apple Inc.") in names
    bars = quote.get_bars(
        ["AAPL"],
        period=BarPeriod.ONE_MINUTE,
        begin_time=1_767_225_600_000,
        end_time=1_767_225_600_000 + 9 * 60_000,
        limit=5,
    )
    assert list(bars["time"]) == [1_767_225_600_000 + i * 60_000 for i in range(5)]
    assert bars["next_page_token"].iloc[0] == "5"
    assert outside_attempts == []


def test_push_client(venue: Any, tmp_path: Any, outside_attempts: list[str]) -> None:
    config = client_config(venue, tmp_path)
    trade = TradeClient(config, logger=logging.getLogger("tiger-sdk-test"))
    push = PushClient("127.0.0.1", venue.push_port, use_ssl=False, client_config=config)
    received: dict[str, list[Any]] = {}
    lock = threading.Lock()

    def record(kind: str) -> Callable[..., None]:
        def callback(*args: Any) -> None:
            with lock:
                received.setdefault(kind, []).append(args[-1] if args else None)

        return callback

    def got(kind: str) -> list[Any]:
        with lock:
            return list(received.get(kind, []))

    for kind in (
        "connect_callback",
        "quote_changed",
        "quote_bbo_changed",
        "order_changed",
        "transaction_changed",
        "asset_changed",
        "position_changed",
        "subscribe_callback",
        "error_callback",
    ):
        setattr(push, kind, record(kind))
    push.connect(TIGER_ID, venue.private_key)
    try:
        wait_until(lambda: got("connect_callback"), what="CONNECTED")
        push.subscribe_quote(["AAPL"])
        push.subscribe_order(account=ACCOUNT)
        push.subscribe_transaction(account=ACCOUNT)
        push.subscribe_asset(account=ACCOUNT)
        push.subscribe_position(account=ACCOUNT)
        wait_until(lambda: len(got("subscribe_callback")) == 5, what="five subscription answers")
        venue.set_book("AAPL", [("189.95", "310")], [("190.05", "120")])
        bbo = wait_until(lambda: got("quote_bbo_changed"), what="BBO")[-1]
        assert (bbo.symbol, bbo.bidPrice, bbo.bidSize, bbo.askPrice, bbo.askSize) == (
            "AAPL",
            189.95,
            310,
            190.05,
            120,
        )
        venue.print_trade("AAPL", "190.00", "7")
        basic = wait_until(lambda: got("quote_changed"), what="BASIC quote")[-1]
        assert (basic.symbol, basic.latestPrice, basic.volume) == ("AAPL", 190.0, 7)

        order = limit_order(ACCOUNT, stock_contract("AAPL", "USD"), "BUY", 10, 190.05)  # takes the ask
        trade.place_order(order)
        statuses = wait_until(
            lambda: [o for o in got("order_changed") if o.status == "FILLED"], what="FILLED push"
        )
        assert statuses[-1].id == order.id and statuses[-1].filledQuantity == 10
        fill = wait_until(lambda: got("transaction_changed"), what="transaction push")[-1]
        assert (fill.orderId, fill.filledPrice, fill.filledQuantity, fill.action) == (
            order.id,
            190.05,
            10,
            "BUY",
        )
        position = wait_until(lambda: got("position_changed"), what="position push")[-1]
        assert (position.symbol, position.position) == ("AAPL", 110)
        asset = wait_until(lambda: got("asset_changed"), what="asset push")[-1]
        assert asset.account == ACCOUNT and asset.cashBalance == pytest.approx(1_000_000 - 1900.5)
        wait_until(
            lambda: venue.run(lambda: sum(s.heartbeats_received for s in venue.push_sessions)),
            what="a heartbeat from the SDK",
        )
        assert got("error_callback") == []
    finally:
        push.disconnect_callback = lambda: None  # else the SDK reconnects when its own disconnect completes
        push.disconnect()
    assert outside_attempts == []


def test_push_login_with_a_foreign_key_is_refused(venue: Any, tmp_path: Any) -> None:
    other_key, _ = tiger.new_key_pair()
    config = client_config(venue, tmp_path)
    push = PushClient("127.0.0.1", venue.push_port, use_ssl=False, client_config=config)
    errors: list[Any] = []
    push.error_callback = errors.append
    push.disconnect_callback = lambda: None  # no reconnect loop after the refusal
    # the SDK raises or not depending on whether the ERROR frame beats its connect wait
    with contextlib.suppress(ConnectFailedException):
        push.connect(TIGER_ID, other_key)
    try:
        wait_until(lambda: errors, what="the ERROR frame")
        assert (errors[0].code, errors[0].msg) == (4000, "sign check error")
        wait_until(lambda: venue.push_count() == 0, what="the refused connection closed")
    finally:
        push.disconnect()
