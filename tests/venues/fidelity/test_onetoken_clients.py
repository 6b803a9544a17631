"""1Token's own Python SDK (`onetoken` 0.2.210201.1, the last release before the service closed) drives the
local 1Token venue: time and contracts, the account info, place / query / cancel, a fill, the trade stream's
order pushes and the gzip tick stream. A failure here is a venue defect. ccxt never had a 1Token client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from vtcore.peers.onetoken import ACCOUNT, OT_KEY, OT_SECRET, OneTokenVenue

pytestmark = pytest.mark.fidelity

CONTRACT = "binance/btc.usdt"


@pytest.fixture
def sdk(onetoken_venue: OneTokenVenue) -> Iterator[Any]:
    """The SDK with its hosts pointed at the local venue (it keeps them in class attributes)."""
    import onetoken  # noqa: PLC0415

    names = ("HOST_REST", "TRADE_HOST", "TRADE_HOST_WS", "TICK_HOST_WS", "TICK_V3_HOST_WS", "CANDLE_HOST_WS")
    saved = {name: getattr(onetoken.Config, name) for name in names}
    onetoken.Config.change_host(target=f"127.0.0.1:{onetoken_venue.port}/", nossl=True)
    onetoken.log_level("WARNING")
    yield onetoken
    for name, value in saved.items():
        setattr(onetoken.Config, name, value)


def run_sdk(coroutine: Any) -> Any:
    """Run `coroutine` on a loop of its own. The SDK's quote heartbeat task sleeps in a `finally:` and so
    survives cancellation; `asyncio.run` would wait for it for ever, so leftover tasks get one second."""
    loop = asyncio.new_event_loop()
    try:
        result = loop.run_until_complete(coroutine)
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.wait(leftovers, timeout=1.0))
        return result
    finally:
        loop.close()


def test_onetoken_sdk(onetoken_venue: OneTokenVenue, sdk: Any) -> None:
    onetoken_venue.print_trade(CONTRACT, "100.5", "0.1")

    async def run() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        contracts, error = await sdk.autil.http_go(
            sdk.autil.get_aiohttp_session().get, f"{sdk.Config.HOST_REST}/basic/contracts?exchange=binance"
        )
        seen["contracts"] = error if error else [sdk.model.Contract.from_dict(c).name for c in contracts]
        stamp, error = await sdk.autil.http_go(
            sdk.autil.get_aiohttp_session().get, f"{sdk.Config.HOST_REST}/basic/time"
        )
        seen["server_time"] = error if error else stamp["server_time"]
        tick, error = await sdk.quote.get_last_tick(CONTRACT)
        seen["last_tick"] = error if error else (tick.bid1, tick.ask1, tick.price)

        account = sdk.Account(f"binance/{ACCOUNT}", api_key=OT_KEY, api_secret=OT_SECRET)
        pushed: list[tuple[str, float]] = []

        async def on_order(order: dict[str, Any]) -> None:
            pushed.append((order["status"], order["dealt_amount"]))

        try:
            info, error = await account.get_info()
            seen["btc"] = info.get_total_amount("btc") if info else error
            placed, error = await account.place_order(CONTRACT, 99.0, "b", 0.1)
            seen["placed"] = sorted(placed) if placed else error
            found, error = await account.get_order_use_exchange_oid(placed["exchange_oid"])
            seen["queried"] = found[0]["status"] if found else error
            pending, error = await account.get_pending_list(CONTRACT)
            seen["pending"] = [o["exchange_oid"] for o in pending] == [placed["exchange_oid"]]
            cancelled, error = await account.cancel_use_exchange_oid(placed["exchange_oid"])
            seen["cancelled"] = cancelled == [
                {"exchange_oid": placed["exchange_oid"], "client_oid": placed["client_oid"]}
            ]
            found, error = await account.get_order_use_exchange_oid(placed["exchange_oid"])
            seen["after_cancel"] = found[0]["status"]
            _, error = await account.cancel_use_exchange_oid(placed["exchange_oid"])
            seen["cancel_again"] = error.message if error else "accepted"

            await account.subscribe_orders(handler=on_order)
            for _ in range(100):
                if account.ws_state == "ready":
                    break
                await asyncio.sleep(0.05)
            seen["ws_state"] = account.ws_state
            await asyncio.sleep(0.2)  # sub-order is sent once the connection is ready
            taken, error = await account.place_order(
                CONTRACT, 101.0, "b", 0.2, client_oid="binance/btc.usdt-fidelity0001"
            )
            seen["taken"] = taken["client_oid"] if taken else error
            for _ in range(100):
                if ("dealt", 0.2) in pushed:
                    break
                await asyncio.sleep(0.05)
            seen["pushed"] = pushed
            fills, error = await account.get_dealt_trans(CONTRACT)
            seen["fills"] = [(f["dealt_amount"], f["dealt_price"], f["client_oid"]) for f in fills]
            _, error = await account.place_order(
                CONTRACT, 99.0, "b", 0.1, client_oid="binance/btc.usdt-fidelity0001"
            )
            seen["duplicate"] = error.message if error else "accepted"
            _, error = await account.place_order(CONTRACT, 99.0, "b", 10_000, client_oid=None)
            seen["too_big"] = error.message if error else "accepted"
        finally:
            account.close()

        wrong = sdk.Account(f"binance/{ACCOUNT}", api_key=OT_KEY, api_secret=OT_SECRET + "x")
        _, error = await wrong.get_info()
        seen["wrong_secret"] = error.message if error else "accepted"
        wrong.close()

        ticks: list[tuple[float, float, float]] = []
        zhubi: list[tuple[float, str]] = []
        quotes = await sdk.quote.get_client()
        trades = await sdk.quote.get_zhubi_client()
        try:
            await quotes.subscribe_tick(CONTRACT, lambda t: ticks.append((t.bid1, t.ask1, t.price)))
            await trades.subscribe_zhubi(
                CONTRACT, lambda batch: zhubi.extend((z.amount, z.bs) for z in batch)
            )
            await asyncio.sleep(0.3)
            onetoken_venue.print_trade(CONTRACT, "100.0", "0.3", buyer_maker=True)
            for _ in range(100):
                if zhubi and len(ticks) >= 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            for client in (quotes, trades):
                await client.close()
                client.data_queue.clear()  # lets its queue readers (which swallow cancellation) finish
            await sdk.autil.get_aiohttp_session().close()  # the SDK's module-wide session, bound to this loop
            sdk.autil._aiohttp_sess = None
        seen["ticks"], seen["zhubi"] = ticks, zhubi
        return seen

    seen = run_sdk(run())
    assert seen["contracts"] == ["btc.usdt", "eth.usdt"]
    assert isinstance(seen["server_time"], float)
    assert seen["last_tick"] == (100.0, 100.5, 100.5)
    assert seen["btc"] == 2.0
    assert seen["placed"] == ["client_oid", "exchange_oid"]
    assert seen["queried"] == "pending"
    assert seen["pending"] is True
    assert seen["cancelled"] is True
    assert seen["after_cancel"] == "withdrawn"
    assert "cancel-order-not-exist" in seen["cancel_again"]
    assert seen["ws_state"] == "ready"
    assert seen["taken"] == "binance/btc.usdt-fidelity0001"
    assert ("dealt", 0.2) in seen["pushed"]
    assert seen["fills"] == [(0.2, 100.5, "binance/btc.usdt-fidelity0001")]
    assert "client_oid-already-existed" in seen["duplicate"]
    assert "place-order-no-money" in seen["too_big"]
    assert "invalid-api-key" in seen["wrong_secret"]
    assert seen["ticks"][0] == (100.0, 100.5, 100.5)  # the snapshot after subscribing, then the update
    assert seen["ticks"][-1][2] == 100.0
    assert seen["zhubi"] == [(0.3, "s")]
