"""TORA_OPTION on the simulator's TORA stock-option (SP) trader and XMd front-end (cpp/tora_sim), loaded in
this process and steered by its control port: an SSE 300ETF call bought to open (Offset.OPEN), long and
short positions, a buy beyond the account's cash refused by the counter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contract_peer import Peer

from _ashare_sim import PASSWORD, USER, Control, option_sim_config
from vtcore.constant import Direction, Exchange, Offset, OrderType
from vtcore.object import OrderRequest

SYMBOL, PRICE = "10009001", 0.1200


def refused() -> OrderRequest:
    """A buy of 500 calls at 0.25 (1.25 million of premium) on an account of 1 million."""
    return OrderRequest(SYMBOL, Exchange.SSE, Direction.LONG, OrderType.LIMIT, 500, 0.25, Offset.OPEN)


@pytest.fixture(scope="module")
def peer_tora_option(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    pytest.importorskip("vtcore._tora", reason="vtcore was built without the TORA SDK")
    from vtcore.gateways.tora import ToraOptionGateway, sim  # noqa: PLC0415

    config, port_file = option_sim_config(tmp_path_factory.mktemp("tora-option-peer"))
    control = Control(port_file)

    def fill() -> None:  # the market drops through the resting buy (which fills), then goes back
        control().set_price(SYMBOL, PRICE - 0.0100)
        control().set_price(SYMBOL, PRICE)

    yield Peer(
        gateway_class=ToraOptionGateway,
        setting=sim.simulator_setting(config, USER, PASSWORD),
        symbol=SYMBOL,
        exchange=Exchange.SSE,
        volume=1,
        resting_price=PRICE - 0.0050,
        fill=fill,
        rejected_order=refused,
        outage=control.outage,
        secrets=[PASSWORD],
        offset=Offset.OPEN,
    )
    control.close()
