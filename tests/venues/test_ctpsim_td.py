"""Trading against the simulator through the C++ probe: authenticate, login, settlement, queries, and the
order flows a CTP client relies on (fills, partial fills, cancels, FAK/FOK/market, every kind of reject)
with CTP-shaped OnRtnOrder / OnRtnTrade, positions with today/yesterday per exchange, funds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _ctpsim_probe import Probe, probe_factory  # noqa: F401  (fixture)
from vtcore.gateways.ctp.sim import SimControl

Event = dict[str, Any]


def orders_of(probe: Probe, ref: str) -> list[Event]:
    return probe.matching("td.OnRtnOrder", OrderRef=ref)


def final_order(probe: Probe, ref: str, status: str) -> Event:
    return probe.wait("td.OnRtnOrder", OrderRef=ref, OrderStatus=status)[0]


def test_authenticate_login_settlement_and_instruments(probe_factory) -> None:  # noqa: F811
    config = {
        "require_authenticate": True,
        "accounts": [
            {"user_id": "u1", "password": "p1", "app_id": "app", "auth_code": "code", "balance": 1_000_000}
        ],
    }
    probe: Probe = probe_factory(config)
    probe.send("td_create td_", "td_front tcp://127.0.0.1:0", "td_init")
    probe.wait("td.OnFrontConnected")
    probe.send("td_login 9999 u1 p1")
    assert probe.wait("td.OnRspUserLogin")[0]["ErrorID"] == 64  # not authenticated yet
    probe.send("td_auth 9999 u1 app wrong")
    assert probe.wait("td.OnRspAuthenticate")[0]["ErrorID"] == 63
    probe.send("td_auth 9999 u1 app code")
    auth = probe.wait("td.OnRspAuthenticate", 2)[1]
    assert auth["ErrorID"] == 0 and auth["AppID"] == "app"
    probe.send("td_login 9999 u1 wrong")
    rejected = probe.wait("td.OnRspUserLogin", 2)[1]
    assert rejected["ErrorID"] == 3 and rejected["ErrorMsg"] == "CTP:不合法的登录"
    probe.send("td_login 9999 u1 p1")
    login = probe.wait("td.OnRspUserLogin", 3)[2]
    assert login["ErrorID"] == 0 and login["FrontID"] == 1 and login["SessionID"] != 0
    assert login["MaxOrderRef"].isdigit() and len(login["TradingDay"]) == 8
    probe.send("trading_day")
    assert probe.wait("trading_day")[0]["td"] == login["TradingDay"]  # GetTradingDay() after login
    probe.send("td_qry settlement")
    assert "u1" in probe.wait("td.OnRspQrySettlementInfo", last=True)[0]["Content"]
    probe.send("td_confirm")
    assert probe.wait("td.OnRspSettlementInfoConfirm")[0]["ErrorID"] == 0
    probe.send("td_qry instrument")
    probe.wait("td.OnRspQryInstrument", last=True)
    instruments = probe.matching("td.OnRspQryInstrument")
    assert [i["last"] for i in instruments] == [False] * (len(instruments) - 1) + [True]
    # a query's answer carries no RspInfo (issue 19 item 15: not ErrorID 0 "CTP:正确" on every record)
    assert all(i.get("no_rsp_info") for i in instruments)
    by_id = {i["InstrumentID"]: i for i in instruments}
    assert {i["ExchangeID"] for i in instruments} == {"SHFE", "INE", "DCE", "CZCE", "CFFEX", "GFEX"}
    assert by_id["rb2601"]["InstrumentName"] == "螺纹钢2601"
    assert (by_id["IF2512"]["VolumeMultiple"], by_id["IF2512"]["PriceTick"]) == (300, 0.2)
    assert all(i["ProductClass"] == "1" for i in instruments)
    probe.send("td_qry account")
    account = probe.wait("td.OnRspQryTradingAccount")[0]
    assert account["AccountID"] == "u1" and account["PreBalance"] == account["Available"] == 1_000_000


def test_fill_partial_fill_cancel_and_order_fields(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory()
    login = probe.td_login()
    probe.send("td_order 1 rb2601 SHFE 0 0 3110 1 limit")
    filled = final_order(probe, "1", "0")
    states = [(o["OrderStatus"], o["OrderSubmitStatus"]) for o in orders_of(probe, "1")]
    assert states == [("a", "0"), ("3", "3"), ("0", "3")]  # submitted, queued, all traded
    trade = probe.wait("td.OnRtnTrade", OrderRef="1")[0]
    assert filled["FrontID"] == login["FrontID"] and filled["SessionID"] == login["SessionID"]
    assert filled["OrderSysID"].strip() and trade["OrderSysID"] == filled["OrderSysID"]
    assert filled["StatusMsg"] == "全部成交" and filled["RequestID"] > 0
    assert (trade["Volume"], trade["Direction"], trade["OffsetFlag"]) == (1, "0", "0")
    assert trade["Price"] <= 3110 and trade["TradingDay"] == filled["TradingDay"]
    # More than the book holds: fills level by level, the rest queues; then cancel by front/session/ref.
    probe.send("td_order 2 rb2601 SHFE 0 0 3110 500 limit")
    partial = final_order(probe, "2", "1")
    trades = probe.wait("td.OnRtnTrade", OrderRef="2")
    probe.send(f"td_cancel {login['FrontID']} {login['SessionID']} 2 rb2601 SHFE")
    cancelled = final_order(probe, "2", "5")
    traded = sum(t["Volume"] for t in probe.matching("td.OnRtnTrade", OrderRef="2"))
    assert 0 < traded < 500 and trades
    assert cancelled["VolumeTraded"] == traded and cancelled["StatusMsg"] == "已撤单"
    assert partial["StatusMsg"] == "部分成交"
    # A resting order cancelled by OrderSysID; a second cancel is refused.
    probe.send("td_order 3 rb2601 SHFE 0 0 3000 1 limit")
    resting = final_order(probe, "3", "3")
    sys_id = resting["OrderSysID"].replace(" ", "_")
    probe.send(f"td_cancel sys SHFE {sys_id}")
    final_order(probe, "3", "5")
    probe.send(f"td_cancel sys SHFE {sys_id}")
    assert probe.wait("td.OnRspOrderAction")[0]["ErrorID"] == 26
    assert probe.wait("td.OnErrRtnOrderAction")[0]["ErrorID"] == 26
    probe.send(f"td_cancel {login['FrontID']} {login['SessionID']} 999 rb2601 SHFE")
    assert probe.wait("td.OnRspOrderAction", 2)[1]["ErrorID"] == 25
    probe.send("td_qry order", "td_qry trade")
    assert len(probe.wait("td.OnRspQryOrder", last=True)) == 1
    assert len(probe.matching("td.OnRspQryOrder")) == 3
    probe.wait("td.OnRspQryTrade", last=True)
    assert len(probe.matching("td.OnRspQryTrade")) == 1 + len(probe.matching("td.OnRtnTrade", OrderRef="2"))
    probe.send("td_stats")
    stats = probe.wait("td_stats")[0]
    assert stats["threads"] == 1 and not stats["on_main"] and not stats["overlapped"]


def test_fak_fok_and_market_orders(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory()
    probe.td_login()
    probe.send("td_order 1 m2601 DCE 0 0 2950 500 fok")  # the book cannot fill 500: nothing trades
    fok = final_order(probe, "1", "5")
    assert fok["VolumeTraded"] == 0 and (fok["TimeCondition"], fok["VolumeCondition"]) == ("1", "3")
    probe.send("td_order 2 m2601 DCE 0 0 2950 500 fak")  # what the book has trades, the rest is cancelled
    fak = final_order(probe, "2", "5")
    assert 0 < fak["VolumeTraded"] < 500
    probe.send("td_order 3 i2601 DCE 0 0 0 1 market")
    market = final_order(probe, "3", "0")
    assert market["OrderPriceType"] == "1" and market["VolumeTraded"] == 1
    probe.send("td_order 4 rb2601 SHFE 0 0 0 1 market")  # SHFE takes no market orders
    rejected = final_order(probe, "4", "5")
    assert rejected["OrderSubmitStatus"] == "4" and "SHFE" in rejected["StatusMsg"]
    assert not probe.matching("td.OnRtnTrade", OrderRef="1")
    assert not probe.matching("td.OnRtnTrade", OrderRef="4")


def test_rejects(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory({"accounts": [{"user_id": "u1", "password": "p1", "balance": 10_000}]})
    probe.td_login(confirm=False)
    probe.send("td_order 1 rb2601 SHFE 0 0 3110 1 limit")
    assert probe.wait("td.OnRspOrderInsert")[0]["ErrorID"] == 42  # settlement not confirmed
    probe.send("td_confirm")
    probe.wait("td.OnRspSettlementInfoConfirm")
    cases = [  # (ref, order, ErrorID of OnRspOrderInsert)
        ("2", "rb2601 SHFE 0 0 3110 0 limit", 15),  # volume 0
        ("3", "rb2601 SHFE 0 0 3110 501 limit", 15),  # above MaxLimitOrderVolume
        ("4", "nosuch SHFE 0 0 3110 1 limit", 16),  # unknown instrument
        ("5", "rb2601 SHFE 0 0 3110 5 limit", 31),  # 5 lots need 15,500 margin; the balance is 10,000
        ("6", "rb2601 SHFE 1 1 3000 1 limit", 30),  # closing what is not held
        ("7", "rb2601 SHFE 1 3 3000 1 limit", 50),  # SHFE close today
        ("8", "m2601 DCE 1 4 2800 1 limit", 51),  # close yesterday
    ]
    for ref, order, _ in cases:
        probe.send(f"td_order {ref} {order}")
    for ref, _, error in cases:
        rsp = probe.wait("td.OnRspOrderInsert", OrderRef=ref)[0]
        assert rsp["ErrorID"] == error, (ref, rsp)
        assert probe.wait("td.OnErrRtnOrderInsert", OrderRef=ref)[0]["ErrorID"] == error
        assert not orders_of(probe, ref)
    assert probe.matching("td.OnRspOrderInsert", OrderRef="5")[0]["ErrorMsg"] == "CTP:资金不足"
    # Exchange-side rejects arrive as OnRtnOrder: Canceled + InsertRejected with the reason in StatusMsg.
    probe.send("td_order 9 rb2601 SHFE 0 0 3100.5 1 limit", "td_order 10 rb2601 SHFE 0 0 9000 1 limit")
    off_tick = final_order(probe, "9", "5")
    beyond = final_order(probe, "10", "5")
    assert off_tick["OrderSubmitStatus"] == beyond["OrderSubmitStatus"] == "4"
    assert "最小变动价位" in off_tick["StatusMsg"] and "涨跌停" in beyond["StatusMsg"]
    # One lot fits the funds; the same reference again is a duplicate.
    probe.send("td_order 11 rb2601 SHFE 0 0 3110 1 limit", "td_order 11 rb2601 SHFE 0 0 3110 1 limit")
    final_order(probe, "11", "0")
    assert probe.wait("td.OnRspOrderInsert", OrderRef="11")[0]["ErrorID"] == 22
    probe.send("td_qry position")  # refused closes leave no position records behind
    probe.wait("td.OnRspQryInvestorPosition", last=True)
    assert [p["InstrumentID"] for p in probe.matching("td.OnRspQryInvestorPosition")] == ["rb2601"]
    probe.send("td_qry unimplemented")
    error = probe.wait("td.OnRspError")[0]
    assert error["ErrorID"] == 27 and "ReqQryExchange" in error["ErrorMsg"]


def test_positions_today_and_yesterday(probe_factory) -> None:  # noqa: F811
    config = {
        "accounts": [
            {
                "user_id": "u1",
                "password": "p1",
                "positions": [
                    {"instrument": "rb2601", "direction": "long", "yesterday": 3, "price": 3050},
                    {"instrument": "m2601", "direction": "short", "yesterday": 2},
                ],
            }
        ]
    }
    probe: Probe = probe_factory(config)
    probe.td_login()

    def positions() -> dict[tuple[str, str, str], Event]:
        """One position query: its records by (instrument, PosiDirection, PositionDate)."""
        seen = len(probe.matching("td.OnRspQryInvestorPosition"))
        answers = len(probe.matching("td.OnRspQryInvestorPosition", last=True))
        probe.send("td_qry position")
        probe.wait("td.OnRspQryInvestorPosition", answers + 1, last=True)
        records = probe.matching("td.OnRspQryInvestorPosition")[seen:]
        return {(r["InstrumentID"], r["PosiDirection"], r["PositionDate"]): r for r in records}

    start = positions()
    assert set(start) == {("rb2601", "2", "2"), ("m2601", "3", "1")}  # SHFE: history record; DCE: one record
    assert (start["rb2601", "2", "2"]["YdPosition"], start["rb2601", "2", "2"]["Position"]) == (3, 3)
    assert start["m2601", "3", "1"]["YdPosition"] == 2 and start["m2601", "3", "1"]["TodayPosition"] == 0
    probe.send("td_order 1 rb2601 SHFE 0 0 3110 2 limit", "td_order 2 m2601 DCE 1 0 2800 1 limit")
    final_order(probe, "1", "0")
    final_order(probe, "2", "0")
    after_open = positions()
    today = after_open["rb2601", "2", "1"]  # SHFE: today's volume is a separate record
    assert (today["YdPosition"], today["Position"], today["TodayPosition"]) == (0, 2, 2)
    assert after_open["rb2601", "2", "2"]["Position"] == 3
    dce = after_open["m2601", "3", "1"]
    assert (dce["YdPosition"], dce["Position"], dce["TodayPosition"]) == (2, 3, 1)
    # SHFE close-today beyond today's volume is refused; a pending close freezes yesterday's volume.
    probe.send("td_order 3 rb2601 SHFE 1 3 3000 3 limit")
    assert probe.wait("td.OnRspOrderInsert", OrderRef="3")[0]["ErrorID"] == 50
    probe.send("td_order 4 rb2601 SHFE 1 1 3300 1 limit")
    final_order(probe, "4", "3")
    assert positions()["rb2601", "2", "2"]["ShortFrozen"] == 1
    # DCE close: yesterday's volume first, then today's.
    probe.send("td_order 5 m2601 DCE 0 1 3000 3 limit")
    final_order(probe, "5", "0")
    closed = positions()["m2601", "3", "1"]
    assert (closed["Position"], closed["TodayPosition"]) == (0, 0)
    probe.send("td_qry account")
    account = probe.wait("td.OnRspQryTradingAccount")[0]
    assert account["Commission"] > 0 and account["CurrMargin"] > 0
    assert account["CloseProfit"] != 0  # the short m2601 closed at the book's price, not at its cost


def test_close_rules_per_exchange(probe_factory) -> None:  # noqa: F811
    """SHFE: a plain Close beyond yesterday's volume is error 51 (what clients closing today's lots with Close
    get from real fronts), beyond the whole position 30. CFFEX closes today's volume first."""
    config = {
        "accounts": [
            {
                "user_id": "u1",
                "password": "p1",
                "positions": [
                    {"instrument": "rb2601", "direction": "long", "yesterday": 2},
                    {"instrument": "IF2512", "direction": "long", "yesterday": 2},
                ],
            }
        ]
    }
    probe: Probe = probe_factory(config)
    probe.td_login()
    probe.send("td_order 1 rb2601 SHFE 0 0 3110 1 limit", "td_order 2 IF2512 CFFEX 0 0 4510 1 limit")
    final_order(probe, "1", "0")
    final_order(probe, "2", "0")
    probe.send("td_order 3 rb2601 SHFE 1 1 3000 3 limit", "td_order 4 rb2601 SHFE 1 1 3000 4 limit")
    refusal = probe.wait("td.OnRspOrderInsert", OrderRef="3")[0]
    assert (refusal["ErrorID"], refusal["ErrorMsg"]) == (51, "CTP:平昨仓位不足")
    assert probe.wait("td.OnRspOrderInsert", OrderRef="4")[0]["ErrorID"] == 30
    probe.send("td_order 5 rb2601 SHFE 1 1 3000 2 limit")  # within yesterday's volume: accepted
    final_order(probe, "5", "0")
    probe.send("td_order 6 IF2512 CFFEX 1 1 4490 2 limit")
    final_order(probe, "6", "0")
    probe.send("td_qry position")
    probe.wait("td.OnRspQryInvestorPosition", last=True)
    answers = probe.matching("td.OnRspQryInvestorPosition")
    records = {(r["InstrumentID"], r["PositionDate"]): r for r in answers}
    cffex = records["IF2512", "1"]
    assert (cffex["Position"], cffex["TodayPosition"], cffex["YdPosition"]) == (1, 0, 2)  # today's went first
    assert ("rb2601", "2") not in records or records["rb2601", "2"]["Position"] == 0
    assert records["rb2601", "1"]["Position"] == 1  # today's lot is left


def test_private_flow_is_replayed_after_reconnect(probe_factory, tmp_path: Path) -> None:  # noqa: F811
    port_file = tmp_path / "port"
    probe: Probe = probe_factory({"control": {"port_file": str(port_file)}})
    probe.td_login()
    probe.send("td_order 1 rb2601 SHFE 0 0 3110 1 limit")
    final_order(probe, "1", "0")
    with SimControl.from_port_file(port_file) as control:
        assert control.disconnect("td", reconnect_ms=50) == 1
    assert probe.wait("td.OnFrontDisconnected")[0]["reason"] == 4097
    probe.wait("td.OnFrontConnected", 2)
    probe.send("td_login 9999 u1 p1")
    probe.wait("td.OnRspUserLogin", 2)
    # SubscribePrivateTopic(RESTART): the day's order reports and trades come again after login.
    probe.wait("td.OnRtnOrder", 6, OrderRef="1")
    probe.wait("td.OnRtnTrade", 2, OrderRef="1")
