"""The Tiger gateway's local peer for `vtcore run --sim --gateway TIGER`: the fake Tiger open API
(`vtcore.peers.tiger`: the signed HTTP gateway and the protobuf push server on 127.0.0.1, checked by Tiger's
own SDK), a fresh RSA key pair for the session, an account that holds 100 AAPL, and a market that moves."""

from __future__ import annotations

import random
import threading
from decimal import Decimal
from typing import Any

from vtcore.errors import SdkUnavailableError
from vtcore.gateways import SimPeer

ACCOUNT = "U1234567"
TIGER_ID = "20150001"
REFERENCE = {"AAPL": Decimal("190.00"), "TSLA": Decimal("250.00")}


def gateway_setting(
    venue: Any, private_key: str, *, account: str = ACCOUNT, markets: str = "US,HK"
) -> dict[str, Any]:
    """TigerGateway's setting for a running fake Tiger API (`vtcore.peers.tiger.FakeTiger`) whose tiger id is
    TIGER_ID and whose developer key is `private_key`."""
    return {
        "tiger_id": TIGER_ID,
        "account": account,
        "standard_account": "",
        "private_key": private_key,
        "server": "REAL",
        "gateway_url": venue.gateway_url,
        "push_address": venue.push_address,
        "markets": markets,
    }


def start_peer() -> SimPeer:
    """Start the fake Tiger open API on free loopback ports with a moving market; the setting connects
    TigerGateway to it."""
    try:
        from vtcore.peers import tiger  # noqa: PLC0415 - a missing SDK is reported, not raised at import
    except ImportError as error:  # the peer speaks through tigeropen's own protobuf modules
        raise SdkUnavailableError(
            f"the Tiger peer needs tigeropen (pip install vtcore[tiger]): {error}"
        ) from None
    private_key, public_key = tiger.new_key_pair()
    venue = tiger.FakeTiger(TIGER_ID, public_key, accounts=(ACCOUNT,)).start()
    venue.seed_position(ACCOUNT, "AAPL", "100", "185.00")
    stopped = threading.Event()

    def move() -> None:
        rng = random.Random(11)
        mids = dict(REFERENCE)
        tick = Decimal("0.01")
        while not stopped.wait(0.25):
            for symbol, last_mid in list(mids.items()):
                mid = max(tick * 10, last_mid + tick * rng.randint(-2, 2))
                mids[symbol] = mid
                venue.set_book(symbol, [(str(mid - tick), "300")], [(str(mid + tick), "200")])
                if rng.random() < 0.5:
                    venue.print_trade(symbol, str(mid + tick * rng.randint(-3, 3)), str(rng.randint(1, 9)))

    mover = threading.Thread(target=move, name="tiger-sim-market", daemon=True)
    mover.start()

    def stop() -> None:
        stopped.set()
        mover.join(5)
        venue.stop()

    setting = gateway_setting(venue, private_key, markets="US")
    return SimPeer(
        "TIGER", setting, description=f"TIGER on a fake Tiger open API at {venue.gateway_url}", stop=stop
    )
