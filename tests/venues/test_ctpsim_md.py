"""Market data from the simulator through the C++ probe: login, subscribe, ticks with CTP's dates and
times (night sessions included), the one-callback-thread contract, a 1e6-tick burst, replay, unsubscribe,
release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from _ctpsim_probe import Probe, probe_factory  # noqa: F401  (fixture)

SIM_CLOCK = {"start": "2026-11-30 09:00:00", "step_ms": 250}


def tick_key(tick: dict[str, Any]) -> tuple[str, str, int]:
    return tick["ActionDay"], tick["UpdateTime"], tick["UpdateMillisec"]


def test_login_subscribe_and_ticks(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory({"clock": SIM_CLOCK, "market_data": {"rate": 0, "count": 30}})
    login = probe.md_login()
    assert login["ErrorID"] == 0
    assert login["TradingDay"] == "20261130"
    probe.send("md_sub rb2601 m2601 nosuch")
    subs = probe.wait("md.OnRspSubMarketData", 3)
    assert [s["InstrumentID"] for s in subs] == ["rb2601", "m2601", "nosuch"]
    assert [s["last"] for s in subs] == [False, False, True]
    assert all(s["ErrorID"] == 0 for s in subs)  # like the real front, an unknown instrument is "subscribed"
    ticks = probe.wait("OnRtnDepthMarketData", 30)
    assert {t["InstrumentID"] for t in ticks} == {"rb2601", "m2601"}
    # Simulated clock: 250 ms per tick, strictly advancing, right fields per exchange.
    keys = [tick_key(t) for t in ticks]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert ticks[0]["UpdateTime"] == "09:00:00" and ticks[0]["UpdateMillisec"] == 250
    assert ticks[3]["UpdateTime"] == "09:00:01" and ticks[3]["UpdateMillisec"] == 0
    for tick in ticks:
        assert tick["TradingDay"] == tick["ActionDay"] == "20261130"
        assert tick["ExchangeID"] == {"rb2601": "SHFE", "m2601": "DCE"}[tick["InstrumentID"]]
        assert tick["LowerLimitPrice"] <= tick["BidPrice1"] < tick["AskPrice1"] <= tick["UpperLimitPrice"]
        assert tick["AskPrice5"] > tick["AskPrice1"] and tick["BidPrice5"] < tick["BidPrice1"]
        assert tick["BidVolume1"] > 0 and tick["AskVolume5"] > 0
        assert tick["ClosePrice"] is None  # DBL_MAX: no value during the session
    volumes = [t["Volume"] for t in ticks if t["InstrumentID"] == "rb2601"]
    assert volumes == sorted(volumes) and volumes[-1] > volumes[0]
    # The stream stops at the configured count; a logout answer comes after anything still queued.
    probe.send("md_logout")
    probe.wait("md.OnRspUserLogout")
    probe.send("md_stats")
    stats = probe.wait("md_stats")[0]
    assert stats["ticks"] == 30
    assert stats["threads"] == 1 and not stats["on_main"] and not stats["overlapped"]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Friday night session crossing midnight into Saturday: the trading day is Monday.
        (
            "2026-11-27 23:59:59",
            {
                "SHFE": [("20261130", "20261127"), ("20261130", "20261128")],
                "INE": [("20261130", "20261127"), ("20261130", "20261128")],
                "DCE": [("20261130", "20261130"), ("20261130", "20261130")],
                # CZCE's fronts send the calendar date in both fields at night (these ticks are past
                # midnight).
                "CZCE": [("20261128", "20261128"), ("20261128", "20261128")],
            },
        ),
        # Monday day session: both fields are the calendar day everywhere.
        (
            "2026-11-30 10:59:59",
            {ex: [("20261130", "20261130")] * 2 for ex in ("SHFE", "INE", "DCE", "CZCE")},
        ),
    ],
)
def test_trading_day_and_action_day_per_exchange(
    probe_factory,  # noqa: F811
    start: str,
    expected: dict[str, list[tuple[str, str]]],
) -> None:
    probe: Probe = probe_factory(
        {"clock": {"start": start, "step_ms": 250}, "market_data": {"rate": 0, "count": 8}}
    )
    probe.md_login()
    probe.send("md_sub rb2601 sc2601 m2601 SR601")
    ticks = probe.wait("OnRtnDepthMarketData", 8)
    exchanges = {"rb2601": "SHFE", "sc2601": "INE", "m2601": "DCE", "SR601": "CZCE"}
    seen: dict[str, list[tuple[str, str]]] = {}
    for tick in ticks:
        seen.setdefault(exchanges[tick["InstrumentID"]], []).append((tick["TradingDay"], tick["ActionDay"]))
    assert seen == expected
    # 250 ms steps from hh:mm:59.000: three ticks in that second, then the next minute.
    assert [t["UpdateTime"] for t in ticks][2:4] == [start[-8:], _next_minute(start)]


def _next_minute(start: str) -> str:
    hour, minute = int(start[-8:-6]), int(start[-5:-3])
    minute += 1
    hour, minute = (hour + minute // 60) % 24, minute % 60
    return f"{hour:02d}:{minute:02d}:00"


def test_million_tick_burst(probe_factory) -> None:  # noqa: F811
    count = 1_000_000
    probe: Probe = probe_factory({"market_data": {"rate": 0, "count": count}})
    probe.md_login()
    probe.send("md_print 0", "md_sub IF2512")
    probe.wait("md.OnRspSubMarketData")
    probe.send(f"md_wait_ticks {count} 120")
    waited = probe.wait("md_waited", timeout=150)[0]
    assert waited["ticks"] == count
    probe.send("md_logout")
    probe.wait("md.OnRspUserLogout")
    probe.send("md_stats")
    stats = probe.wait("md_stats")[0]
    assert stats["ticks"] == count  # exactly the budget, no more
    assert stats["threads"] == 1 and not stats["on_main"]


def test_paced_stream_keeps_its_rate(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory({"market_data": {"rate": 50, "count": 10}})
    probe.md_login()
    probe.send("md_sub rb2601")
    ticks = probe.wait("OnRtnDepthMarketData", 10)
    subscribed = probe.wait("cmd", cmd="md_sub")[0]  # stamped before the call
    # The 10th tick at 50/s is due 9 intervals of 20 ms after the stream starts (a lower bound only).
    assert ticks[-1]["t"] - subscribed["t"] >= 9 / 50


def test_unsubscribe_stops_an_instrument(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory({"market_data": {"rate": 200, "count": -1}})
    probe.md_login()
    probe.send("md_sub rb2601", "md_unsub rb2601")
    probe.wait("md.OnRspUnSubMarketData")
    probe.send("md_sub m2601")
    probe.wait("OnRtnDepthMarketData", InstrumentID="m2601")
    probe.send("md_logout")
    probe.wait("md.OnRspUserLogout")
    rb = probe.matching("OnRtnDepthMarketData", InstrumentID="rb2601")
    first_m2601 = probe.matching("OnRtnDepthMarketData", InstrumentID="m2601")[0]
    assert all(t["_at"] <= first_m2601["_at"] for t in rb)


def test_replay_file(probe_factory, tmp_path: Path) -> None:  # noqa: F811
    replay = tmp_path / "ticks.jsonl"
    rows = [
        {
            "InstrumentID": "m2601",
            "ExchangeID": "DCE",
            "TradingDay": "20261130",
            "ActionDay": "20261130",
            "UpdateTime": "21:00:00",
            "UpdateMillisec": 500,
            "LastPrice": 2950.0,
            "Volume": 10,
            "BidPrice1": 2949.0,
            "BidVolume1": 3,
            "AskPrice1": 2950.0,
            "AskVolume1": 4,
        },
        {"InstrumentID": "rb2601", "ExchangeID": "SHFE", "UpdateTime": "21:00:00", "LastPrice": 3000.0},
        {
            "InstrumentID": "m2601",
            "ExchangeID": "DCE",
            "TradingDay": "20261130",
            "ActionDay": "20261130",
            "UpdateTime": "21:00:01",
            "UpdateMillisec": 0,
            "LastPrice": 2951.0,
            "Volume": 12,
        },
    ]
    replay.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    probe: Probe = probe_factory({"market_data": {"rate": 0, "replay": str(replay)}})
    probe.md_login()
    probe.send("md_sub m2601")
    ticks = probe.wait("OnRtnDepthMarketData", 2)
    assert [(t["UpdateTime"], t["UpdateMillisec"], t["LastPrice"]) for t in ticks] == [
        ("21:00:00", 500, 2950.0),
        ("21:00:01", 0, 2951.0),
    ]
    assert ticks[0]["AskPrice5"] is None and ticks[1]["BidPrice1"] is None  # absent prices are DBL_MAX
    probe.send("md_logout")
    probe.wait("md.OnRspUserLogout")
    assert len(probe.matching("OnRtnDepthMarketData")) == 2  # rb2601 was not subscribed


def test_release_while_streaming_after_unregistering_the_spi(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory({"market_data": {"rate": 0, "count": -1}})
    probe.md_login()
    probe.send("md_print 0", "md_sub rb2601", "md_wait_ticks 10000 60")
    assert probe.wait("md_waited")[0]["ticks"] >= 10000
    probe.send("md_release_unregistered")
    probe.wait("md_released")
    probe.send("md_stats")
    before = probe.wait("md_stats")[0]["ticks"]
    probe.send("echo after", "md_stats")
    probe.wait("md_stats", 2)
    assert probe.matching("md_stats")[1]["ticks"] == before  # nothing after Release returned


def test_requests_before_the_front_connects_fail(probe_factory) -> None:  # noqa: F811
    probe: Probe = probe_factory({"md_front": {"connect_delay_ms": 60000}})
    probe.send("md_create md_", "md_front tcp://127.0.0.1:0", "md_init", "md_login 9999 u p")
    assert probe.wait("ret", cmd="md_login")[0]["value"] == -1
