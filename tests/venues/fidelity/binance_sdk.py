"""python-binance pointed at the local Binance venues: the SDK keeps its URLs as class attributes, so a
subclass of its client and of its socket manager carries the local ones (`point_urls`)."""

from __future__ import annotations

from typing import Any

from binance import AsyncClient, BinanceSocketManager

from venues.fidelity.clients import point_urls, run_client
from vtcore.peers.binance import API_KEY, API_SECRET


def local_sdk(venues: tuple[Any, Any, Any]) -> tuple[type[AsyncClient], type[BinanceSocketManager]]:
    """python-binance's client and socket manager with every URL on the local venues."""
    spot, usdm, coinm = venues
    hosts = {
        "api.binance.com": spot.port,
        "ws-api.binance.com": spot.port,
        "stream.binance.com": spot.port,
        "fapi.binance.com": usdm.port,
        "fstream.binance.com": usdm.port,
        "ws-fapi.binance.com": usdm.port,
        "dapi.binance.com": coinm.port,
        "dstream.binance.com": coinm.port,
        "ws-dapi.binance.com": coinm.port,
    }

    def urls(cls: type) -> dict[str, str]:
        # the SDK fills `{}` with an endpoint number and the top-level domain: the default ones
        return {
            name: point_urls(getattr(cls, name).replace("api{}.", "api.").replace("{}", "com"), hosts)
            for name in dir(cls)
            if name.endswith("_URL") and isinstance(getattr(cls, name), str)
        }

    return (
        type("LocalAsyncClient", (AsyncClient,), urls(AsyncClient)),
        type("LocalSocketManager", (BinanceSocketManager,), urls(BinanceSocketManager)),
    )


def run(venues: Any, scenario: Any) -> Any:
    client_class, manager_class = local_sdk(venues)

    async def with_client(_: Any) -> Any:
        client = await client_class.create(API_KEY, API_SECRET)  # pings the venue first
        try:
            return await scenario(client, manager_class(client))
        finally:
            await client.close_connection()

    return run_client(lambda: None, with_client)
