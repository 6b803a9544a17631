"""OffsetConverter / PositionHolding logic (vtcore.converter), fed with the objects the OMS would feed it, and
MainEngine's converter API fed through the event engine."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _ctp_engine import wait_for
from vtcore.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vtcore.converter import OffsetConverter, OverCloseError, PositionHolding
from vtcore.engine import MainEngine
from vtcore.event import EVENT_CONTRACT, EVENT_ORDER, EVENT_POSITION, EVENT_TRADE, Event, EventEngine
from vtcore.object import ContractData, OrderData, OrderRequest, PositionData, TradeData

GATEWAY = "CTP"
SYMBOLS = {
    Exchange.SHFE: "rb2601",
    Exchange.INE: "sc2601",
    Exchange.DCE: "m2601",
    Exchange.CZCE: "SR601",
    Exchange.CFFEX: "IF2512",
    Exchange.GFEX: "si2601",
}


def contract(exchange: Exchange, net_position: bool = False) -> ContractData:
    return ContractData(
        gateway_name=GATEWAY,
        symbol=SYMBOLS[exchange],
        exchange=exchange,
        name="",
        product=Product.FUTURES,
        size=10,
        pricetick=1,
        net_position=net_position,
    )


def request(
    exchange: Exchange, direction: Direction, volume: float, offset: Offset = Offset.CLOSE
) -> OrderRequest:
    return OrderRequest(
        symbol=SYMBOLS[exchange],
        exchange=exchange,
        direction=direction,
        type=OrderType.LIMIT,
        volume=volume,
        price=3000,
        offset=offset,
    )


def position(exchange: Exchange, side: Direction, yd: float, td: float) -> PositionData:
    return PositionData(
        gateway_name=GATEWAY,
        symbol=SYMBOLS[exchange],
        exchange=exchange,
        direction=side,
        volume=yd + td,
        yd_volume=yd,
    )


def legs(reqs: list[OrderRequest]) -> list[tuple[Offset, float]]:
    return [(req.offset, req.volume) for req in reqs]


def report(req: OrderRequest, orderid: str, status: Status, traded: float = 0) -> OrderData:
    order = req.create_order_data(orderid, GATEWAY)
    order.status, order.traded = status, traded
    return order


def fill(req: OrderRequest, orderid: str, tradeid: str, volume: float) -> TradeData:
    return TradeData(
        gateway_name=GATEWAY,
        symbol=req.symbol,
        exchange=req.exchange,
        orderid=orderid,
        tradeid=tradeid,
        direction=req.direction,
        offset=req.offset,
        price=req.price,
        volume=volume,
    )


def holding_with(exchange: Exchange, side: Direction, yd: float, td: float) -> PositionHolding:
    holding = PositionHolding.from_contract(contract(exchange))
    holding.update_position(position(exchange, side, yd, td))
    return holding


# -- SHFE/INE default mode ---------------------------------------------------------------------------------


@pytest.mark.parametrize("exchange", [Exchange.SHFE, Exchange.INE])
def test_shfe_close_splits_today_then_yesterday(exchange: Exchange) -> None:
    holding = holding_with(exchange, Direction.LONG, yd=3, td=2)
    assert (holding.long_yd, holding.long_td, holding.long_pos) == (3, 2, 5)
    sell = request(exchange, Direction.SHORT, 4)
    assert legs(holding.convert_order_request(sell)) == [(Offset.CLOSETODAY, 2), (Offset.CLOSEYESTERDAY, 2)]
    assert legs(holding.convert_order_request(request(exchange, Direction.SHORT, 2))) == [
        (Offset.CLOSETODAY, 2)
    ]
    converted = holding.convert_order_request(sell)
    assert all(leg.price == sell.price and leg.direction == sell.direction for leg in converted)
    assert sell.offset == Offset.CLOSE and sell.volume == 4  # the caller's request is left alone
    # Yesterday only: one CLOSEYESTERDAY leg.
    only_yd = holding_with(exchange, Direction.SHORT, yd=3, td=0)
    assert legs(only_yd.convert_order_request(request(exchange, Direction.LONG, 3))) == [
        (Offset.CLOSEYESTERDAY, 3)
    ]
    # Opening orders pass unchanged.
    opening = request(exchange, Direction.LONG, 7, Offset.OPEN)
    assert holding.convert_order_request(opening) == [opening]


def test_shfe_explicit_offsets_are_kept_and_checked() -> None:
    holding = holding_with(Exchange.SHFE, Direction.LONG, yd=3, td=2)
    today = request(Exchange.SHFE, Direction.SHORT, 2, Offset.CLOSETODAY)
    yesterday = request(Exchange.SHFE, Direction.SHORT, 3, Offset.CLOSEYESTERDAY)
    assert holding.convert_order_request(today) == [today]
    assert holding.convert_order_request(yesterday) == [yesterday]
    with pytest.raises(OverCloseError, match=r"today's free volume is 2") as info:
        holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 3, Offset.CLOSETODAY))
    assert (info.value.free, info.value.side) == (2, Direction.LONG)
    with pytest.raises(OverCloseError, match=r"yesterday's free volume is 3"):
        holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 4, Offset.CLOSEYESTERDAY))


def test_over_close_is_an_error_naming_what_is_free() -> None:
    holding = holding_with(Exchange.SHFE, Direction.LONG, yd=3, td=2)
    with pytest.raises(OverCloseError) as info:
        holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 6))
    error = info.value
    assert (error.free, error.today_free, error.yesterday_free) == (5, 2, 3)
    assert "rb2601.SHFE LONG" in str(error) and "nothing was sent" in str(error)
    with pytest.raises(OverCloseError):  # nothing held on the short side
        holding.convert_order_request(request(Exchange.SHFE, Direction.LONG, 1))
    dce = holding_with(Exchange.DCE, Direction.SHORT, yd=2, td=1)
    with pytest.raises(OverCloseError, match=r"the free volume is 3"):
        dce.convert_order_request(request(Exchange.DCE, Direction.LONG, 4))


# -- other exchanges ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("exchange", [Exchange.DCE, Exchange.CZCE, Exchange.CFFEX, Exchange.GFEX])
def test_other_exchanges_close_unchanged(exchange: Exchange) -> None:
    holding = holding_with(exchange, Direction.SHORT, yd=2, td=3)
    cover = request(exchange, Direction.LONG, 5)
    assert holding.convert_order_request(cover) == [cover]


def test_plain_close_trades_follow_each_exchange_rule() -> None:
    cases = [  # (exchange, offset) -> (yd, td) left of yd 3 + td 2 after closing 4
        (Exchange.SHFE, Offset.CLOSETODAY, (3, 0)),  # CLOSETODAY takes today's only
        (Exchange.SHFE, Offset.CLOSEYESTERDAY, (0, 2)),
        (Exchange.DCE, Offset.CLOSE, (0, 1)),  # yesterday's first
        (Exchange.CZCE, Offset.CLOSE, (0, 1)),
        (Exchange.GFEX, Offset.CLOSE, (0, 1)),
        (Exchange.CFFEX, Offset.CLOSE, (1, 0)),  # today's first
    ]
    for exchange, offset, left in cases:
        holding = holding_with(exchange, Direction.LONG, yd=3, td=2)
        sell = request(exchange, Direction.SHORT, 4, offset)
        volume = 2 if offset == Offset.CLOSETODAY else (3 if offset == Offset.CLOSEYESTERDAY else 4)
        holding.update_trade(fill(sell, "1", "t1", volume))
        assert (holding.long_yd, holding.long_td) == left, (exchange, offset)
    opened = holding_with(Exchange.SHFE, Direction.LONG, yd=3, td=0)
    buy = request(Exchange.SHFE, Direction.LONG, 2, Offset.OPEN)
    opened.update_trade(fill(buy, "2", "t2", 2))
    opened.update_trade(fill(buy, "2", "t2", 2))  # the same trade again counts once
    assert (opened.long_yd, opened.long_td) == (3, 2)


# -- frozen volume: requests, reports, fills, cancels --------------------------------------------------------


def test_sent_requests_freeze_until_they_end() -> None:
    holding = holding_with(Exchange.SHFE, Direction.LONG, yd=3, td=2)
    first = holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 4))
    for n, leg in enumerate(first):
        holding.update_order_request(leg, f"{GATEWAY}.{n}")
    assert (holding.long_td_frozen, holding.long_yd_frozen, holding.long_pos_frozen) == (2, 2, 4)
    assert set(holding.active_orders) == {f"{GATEWAY}.0", f"{GATEWAY}.1"}
    with pytest.raises(OverCloseError, match=r"the free volume is 1"):
        holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 2))
    assert legs(holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 1))) == [
        (Offset.CLOSEYESTERDAY, 1)
    ]
    holding.update_order(report(first[0], "0", Status.CANCELLED))
    assert (holding.long_td_frozen, holding.long_yd_frozen) == (0, 2)
    holding.update_order(report(first[1], "1", Status.REJECTED))
    assert holding.long_pos_frozen == 0 and not holding.active_orders


def test_partial_fill_moves_volume_only_when_the_trade_arrives() -> None:
    holding = holding_with(Exchange.SHFE, Direction.LONG, yd=0, td=5)
    sell = request(Exchange.SHFE, Direction.SHORT, 4, Offset.CLOSETODAY)
    holding.update_order_request(sell, f"{GATEWAY}.7")
    free = lambda: holding.long_td - holding.long_td_frozen  # noqa: E731
    assert free() == 1
    # CTP's order: the report with the new traded volume comes before the trade.
    holding.update_order(report(sell, "7", Status.PARTTRADED, traded=3))
    assert (holding.long_td, free()) == (5, 1)
    holding.update_trade(fill(sell, "7", "a", 3))
    assert (holding.long_td, holding.long_td_frozen, free()) == (2, 1, 1)
    # Cancelled with the rest unfilled: the rest is free again.
    holding.update_order(report(sell, "7", Status.CANCELLED, traded=3))
    assert (holding.long_td, holding.long_td_frozen, free()) == (2, 0, 2)
    assert not holding.active_orders


def test_final_report_before_its_last_trade_keeps_the_fill_frozen() -> None:
    holding = holding_with(Exchange.SHFE, Direction.LONG, yd=2, td=0)
    sell = request(Exchange.SHFE, Direction.SHORT, 2, Offset.CLOSEYESTERDAY)
    holding.update_order_request(sell, f"{GATEWAY}.9")
    holding.update_order(report(sell, "9", Status.ALLTRADED, traded=2))
    assert holding.long_yd - holding.long_yd_frozen == 0  # still in flight: not free
    with pytest.raises(OverCloseError):
        holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 1))
    holding.update_trade(fill(sell, "9", "b", 2))
    assert (holding.long_yd, holding.long_yd_frozen) == (0, 0)


def test_an_ended_order_never_comes_back() -> None:
    """The request is recorded after its reports were processed (another thread sent it): ignored."""
    holding = holding_with(Exchange.SHFE, Direction.LONG, yd=0, td=3)
    sell = request(Exchange.SHFE, Direction.SHORT, 3, Offset.CLOSETODAY)
    holding.update_order(report(sell, "5", Status.SUBMITTING))
    holding.update_order(report(sell, "5", Status.REJECTED))
    holding.update_order_request(sell, f"{GATEWAY}.5")
    holding.update_order(report(sell, "5", Status.NOTTRADED))  # a stale replayed report
    assert holding.long_td_frozen == 0 and not holding.active_orders
    # A trade that arrives before any report of its order is counted once the order shows up.
    other = request(Exchange.SHFE, Direction.SHORT, 1, Offset.CLOSETODAY)
    holding.update_trade(fill(other, "6", "c", 1))
    holding.update_order(report(other, "6", Status.ALLTRADED, traded=1))
    assert (holding.long_td, holding.long_td_frozen) == (2, 0)


def test_position_snapshot_replaces_the_volumes() -> None:
    holding = holding_with(Exchange.DCE, Direction.LONG, yd=3, td=2)
    holding.update_position(position(Exchange.DCE, Direction.LONG, yd=1, td=0))
    assert (holding.long_yd, holding.long_td) == (1, 0)
    holding.update_position(position(Exchange.DCE, Direction.NET, yd=9, td=9))  # net: not tracked
    assert (holding.long_pos, holding.short_pos) == (1, 0)


def test_other_exchanges_freeze_by_their_rule() -> None:
    dce = holding_with(Exchange.DCE, Direction.LONG, yd=2, td=2)
    dce.update_order_request(request(Exchange.DCE, Direction.SHORT, 3), f"{GATEWAY}.1")
    assert (dce.long_yd_frozen, dce.long_td_frozen) == (2, 1)  # yesterday's first
    cffex = holding_with(Exchange.CFFEX, Direction.LONG, yd=2, td=2)
    cffex.update_order_request(request(Exchange.CFFEX, Direction.SHORT, 3), f"{GATEWAY}.1")
    assert (cffex.long_yd_frozen, cffex.long_td_frozen) == (1, 2)  # today's first


# -- lock and net modes ---------------------------------------------------------------------------------


def test_lock_mode() -> None:
    def lock(
        exchange: Exchange, yd: float, td: float, volume: float, offset: Offset
    ) -> list[tuple[Offset, float]]:
        holding = holding_with(exchange, Direction.LONG, yd=yd, td=td)
        return legs(
            holding.convert_order_request(request(exchange, Direction.SHORT, volume, offset), lock=True)
        )

    # SHFE: close yesterday's, open the rest, never close today's.
    assert lock(Exchange.SHFE, 3, 2, 5, Offset.CLOSE) == [(Offset.CLOSEYESTERDAY, 3), (Offset.OPEN, 2)]
    assert lock(Exchange.SHFE, 0, 2, 2, Offset.CLOSE) == [(Offset.OPEN, 2)]
    # CFFEX closes today's first: with any today's volume, only open.
    assert lock(Exchange.CFFEX, 3, 2, 5, Offset.CLOSE) == [(Offset.OPEN, 5)]
    assert lock(Exchange.CFFEX, 3, 0, 5, Offset.CLOSE) == [(Offset.CLOSE, 3), (Offset.OPEN, 2)]
    # DCE closes yesterday's first, so a CLOSE within yesterday's free volume never touches today's.
    assert lock(Exchange.DCE, 3, 2, 5, Offset.CLOSE) == [(Offset.CLOSE, 3), (Offset.OPEN, 2)]
    # The request's offset does not matter (vn.py's rule): an open also closes yesterday's opposite first.
    assert lock(Exchange.SHFE, 3, 2, 2, Offset.OPEN) == [(Offset.CLOSEYESTERDAY, 2)]
    # Frozen yesterday's volume is not closed again.
    holding = holding_with(Exchange.SHFE, Direction.LONG, yd=3, td=0)
    holding.update_order_request(request(Exchange.SHFE, Direction.SHORT, 2, Offset.CLOSEYESTERDAY), "CTP.1")
    assert legs(holding.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 3), lock=True)) == [
        (Offset.CLOSEYESTERDAY, 1),
        (Offset.OPEN, 2),
    ]


def test_net_mode() -> None:
    def net(exchange: Exchange, yd: float, td: float, volume: float) -> list[tuple[Offset, float]]:
        holding = holding_with(exchange, Direction.LONG, yd=yd, td=td)
        req = request(exchange, Direction.SHORT, volume, Offset.OPEN)
        return legs(holding.convert_order_request(req, net=True))

    assert net(Exchange.SHFE, 3, 2, 7) == [
        (Offset.CLOSETODAY, 2),
        (Offset.CLOSEYESTERDAY, 3),
        (Offset.OPEN, 2),
    ]
    assert net(Exchange.INE, 3, 2, 4) == [(Offset.CLOSETODAY, 2), (Offset.CLOSEYESTERDAY, 2)]
    assert net(Exchange.SHFE, 0, 0, 2) == [(Offset.OPEN, 2)]
    assert net(Exchange.DCE, 3, 2, 7) == [(Offset.CLOSE, 5), (Offset.OPEN, 2)]
    assert net(Exchange.DCE, 3, 2, 4) == [(Offset.CLOSE, 4)]  # vn.py would also open -1 here: not sent


# -- properties --------------------------------------------------------------------------------------------


@given(
    yd=st.integers(0, 20),
    td=st.integers(0, 20),
    frozen=st.lists(
        st.tuples(
            st.sampled_from([Offset.CLOSE, Offset.CLOSETODAY, Offset.CLOSEYESTERDAY]), st.integers(1, 10)
        ),
        max_size=4,
    ),
    volume=st.integers(1, 50),
    exchange=st.sampled_from([Exchange.SHFE, Exchange.DCE, Exchange.CFFEX]),
    mode=st.sampled_from(["default", "lock", "net"]),
)
def test_conversion_never_sends_more_than_is_free(  # noqa: PLR0917 - one argument per strategy
    yd: int, td: int, frozen: list[tuple[Offset, int]], volume: int, exchange: Exchange, mode: str
) -> None:
    holding = holding_with(exchange, Direction.LONG, yd=yd, td=td)
    for n, (offset, lots) in enumerate(frozen):
        holding.update_order_request(request(exchange, Direction.SHORT, lots, offset), f"{GATEWAY}.{n}")
    td_free = holding.long_td - holding.long_td_frozen
    yd_free = holding.long_yd - holding.long_yd_frozen
    assert 0 <= td_free <= td and 0 <= yd_free <= yd
    req = request(exchange, Direction.SHORT, volume)
    try:
        result = holding.convert_order_request(req, lock=mode == "lock", net=mode == "net")
    except OverCloseError:
        assert mode == "default" and volume > td_free + yd_free
        return
    assert sum(leg.volume for leg in result) == volume and all(leg.volume > 0 for leg in result)
    closing = {offset: sum(leg.volume for leg in result if leg.offset == offset) for offset in Offset}
    assert closing[Offset.CLOSETODAY] <= td_free and closing[Offset.CLOSEYESTERDAY] <= yd_free
    assert (
        closing[Offset.CLOSE] + closing[Offset.CLOSETODAY] + closing[Offset.CLOSEYESTERDAY]
        <= td_free + yd_free
    )
    if exchange == Exchange.SHFE:
        assert closing[Offset.CLOSE] == 0  # a plain CLOSE would be refused beyond yesterday's volume
    if mode == "lock":
        assert closing[Offset.CLOSETODAY] == 0


# -- OffsetConverter and MainEngine ---------------------------------------------------------------------


def test_converter_passes_unknown_and_net_contracts() -> None:
    contracts = {c.vt_symbol: c for c in (contract(Exchange.SHFE), contract(Exchange.DCE, net_position=True))}
    converter = OffsetConverter(contracts.get)
    unknown = OrderRequest(
        symbol="zz9999",
        exchange=Exchange.SHFE,
        direction=Direction.SHORT,
        type=OrderType.LIMIT,
        volume=1,
        offset=Offset.CLOSE,
    )
    assert converter.convert_order_request(unknown) == [unknown]
    net = request(Exchange.DCE, Direction.LONG, 1)
    assert converter.convert_order_request(net) == [net]
    assert converter.get_position_holding("m2601.DCE") is not None
    assert converter.get_position_holding("nope.SHFE") is None
    with pytest.raises(OverCloseError):  # known, nothing held
        converter.convert_order_request(request(Exchange.SHFE, Direction.SHORT, 1))


def test_main_engine_follows_events_and_sends_atomically() -> None:
    event_engine = EventEngine(interval=0.5)
    main_engine = MainEngine(event_engine)
    try:
        assert main_engine.get_converter(GATEWAY) is None
        sell = request(Exchange.SHFE, Direction.SHORT, 4)
        assert main_engine.convert_order_request(sell, GATEWAY) == [sell]  # nothing known yet: unchanged
        for event in (
            Event(EVENT_CONTRACT, contract(Exchange.SHFE)),
            Event(EVENT_POSITION, position(Exchange.SHFE, Direction.LONG, yd=3, td=2)),
        ):
            event_engine.put(event)
        wait_for(
            lambda: (
                (c := main_engine.get_converter(GATEWAY)) is not None
                and (h := c.get_position_holding("rb2601.SHFE")) is not None
                and h.long_pos == 5
            )
        )
        assert legs(main_engine.convert_order_request(sell, GATEWAY)) == [
            (Offset.CLOSETODAY, 2),
            (Offset.CLOSEYESTERDAY, 2),
        ]
        # send_converted_order: every leg goes to the gateway and is frozen at once.
        sent: list[OrderRequest] = []

        class Recording:
            def send_order(self, req: OrderRequest) -> str:
                sent.append(req)
                return f"{GATEWAY}.{len(sent)}"

            def close(self) -> None:
                return None

        main_engine.gateways[GATEWAY] = Recording()  # type: ignore[assignment]
        assert main_engine.send_converted_order(sell, GATEWAY) == [f"{GATEWAY}.1", f"{GATEWAY}.2"]
        assert legs(sent) == [(Offset.CLOSETODAY, 2), (Offset.CLOSEYESTERDAY, 2)]
        with pytest.raises(OverCloseError):
            main_engine.send_converted_order(request(Exchange.SHFE, Direction.SHORT, 2), GATEWAY)
        assert len(sent) == 2  # nothing sent
        # Reports and trades through the engine move the volumes.
        today_leg = sent[0]
        event_engine.put(Event(EVENT_ORDER, report(today_leg, "1", Status.ALLTRADED, traded=2)))
        event_engine.put(Event(EVENT_TRADE, fill(today_leg, "1", "x", 2)))
        event_engine.put(Event(EVENT_ORDER, report(sent[1], "2", Status.CANCELLED)))
        holding = main_engine.get_converter(GATEWAY).get_position_holding("rb2601.SHFE")  # type: ignore[union-attr]
        assert holding is not None
        wait_for(lambda: (holding.long_td, holding.long_pos_frozen) == (0, 0))
        assert legs(main_engine.convert_order_request(sell, GATEWAY, lock=True)) == [
            (Offset.CLOSEYESTERDAY, 3),
            (Offset.OPEN, 1),
        ]
        # Two threads closing at once never get the same lots.
        results: list[list[str] | Exception] = []

        def close_two() -> None:
            try:
                results.append(
                    main_engine.send_converted_order(
                        request(Exchange.SHFE, Direction.SHORT, 2, Offset.CLOSEYESTERDAY), GATEWAY
                    )
                )
            except OverCloseError as exc:
                results.append(exc)

        threads = [threading.Thread(target=close_two) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(type(r).__name__ for r in results) == ["OverCloseError", "list"]
    finally:
        main_engine.close()
