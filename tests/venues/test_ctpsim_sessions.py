"""The simulator keeps an exchange's habits (issue 19, item 15): market data only inside each exchange's
trading hours unless `always_open` (no CFFEX or GFEX at night, nothing between Saturday's small hours and
Monday's open), and a trader front that refuses a second query within a second with -3, as real fronts do.
(CZCE's calendar dates at night: tests/venues/test_ctpsim_md.py.)"""

from __future__ import annotations

import time
from typing import Any

from _ctpsim_probe import Probe, probe_factory  # noqa: F401  (fixture)

EXCHANGES = {"rb2601": "SHFE", "m2601": "DCE", "SR601": "CZCE", "IF2512": "CFFEX", "si2601": "GFEX"}


def minute(tick: dict[str, Any]) -> int:
    hours, minutes, _ = tick["UpdateTime"].split(":")
    return int(hours) * 60 + int(minutes)


def calendar_day(tick: dict[str, Any]) -> str:
    """The tick's calendar date: ActionDay, except DCE's at night, which is the trading day (here: Monday for
    a Friday evening, as DCE closes at 23:00)."""
    if tick["ExchangeID"] == "DCE" and minute(tick) >= 18 * 60:
        return "20261127"
    return str(tick["ActionDay"])


def friday_night_to_monday(probe_factory: Any, always_open: bool, count: int) -> list[dict[str, Any]]:  # noqa: F811
    """Ticks from Friday 2026-11-27 22:50 on a simulated clock advancing a minute per tick."""
    probe: Probe = probe_factory(
        {
            "clock": {"start": "2026-11-27 22:50:00", "step_ms": 60_000},
            "market_data": {"rate": 0, "count": count, "always_open": always_open},
        }
    )
    probe.md_login()
    probe.send("md_sub " + " ".join(EXCHANGES))
    return probe.wait("OnRtnDepthMarketData", count)


def test_ticks_only_inside_each_exchanges_sessions(probe_factory: Any) -> None:  # noqa: F811
    ticks = friday_night_to_monday(probe_factory, always_open=False, count=300)
    by_day: dict[str, list[tuple[str, int]]] = {}
    for tick in ticks:
        by_day.setdefault(calendar_day(tick), []).append((tick["ExchangeID"], minute(tick)))
    friday, saturday = by_day.get("20261127", []), by_day.get("20261128", [])
    monday = by_day.get("20261130", [])
    night = [tick for tick in ticks if minute(tick) >= 21 * 60 or minute(tick) < 6 * 60]
    # Friday night: every night exchange until 23:00, then SHFE alone (its gold trades until 02:30).
    assert {exchange for exchange, _ in friday} == {"SHFE", "DCE", "CZCE"}
    assert all(at < 23 * 60 for exchange, at in friday if exchange in ("DCE", "CZCE"))
    assert not [tick for tick in night if tick["ExchangeID"] in ("CFFEX", "GFEX")]
    assert {exchange for exchange, _ in saturday} == {"SHFE"}
    assert max(at for _, at in saturday) == 2 * 60 + 29
    # Nothing from Saturday 02:30 to Monday's open: no Sunday, no Monday small hours.
    assert "20261129" not in by_day
    assert min(at for _, at in monday) == 9 * 60
    assert min(at for exchange, at in monday if exchange == "CFFEX") == 9 * 60 + 30
    assert {exchange for exchange, _ in monday} == set(EXCHANGES.values())


def test_always_open_ticks_around_the_clock(probe_factory: Any) -> None:  # noqa: F811
    ticks = friday_night_to_monday(probe_factory, always_open=True, count=50)
    assert {tick["ExchangeID"] for tick in ticks} == set(EXCHANGES.values())
    assert all(tick["ActionDay"] in ("20261127", "20261130") for tick in ticks)  # DCE: the trading day
    assert minute(ticks[-1]) == 22 * 60 + 50 + 50  # one minute per tick, none skipped


def test_a_second_query_within_a_second_is_refused(probe_factory: Any) -> None:  # noqa: F811
    probe: Probe = probe_factory({"td_front": {"query_interval_ms": 1000}})
    probe.td_login()
    probe.send("td_qry account", "td_qry account")
    first, second = probe.wait("ret", 2, cmd="td_qry_account")
    assert (first["value"], second["value"]) == (0, -3)  # CTP: more requests per second than allowed
    probe.wait("td.OnRspQryTradingAccount")
    # The rule itself is about time: wait out the second (the probe stamps events on the same steady clock).
    probe.wait_until(lambda: time.monotonic() >= first["t"] + 1.0, what="a second after the first query")
    probe.send("td_qry account")
    assert probe.wait("ret", 3, cmd="td_qry_account")[2]["value"] == 0
