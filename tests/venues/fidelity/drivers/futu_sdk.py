"""Drives the fake OpenD with the unmodified futu-api SDK (its quote and trade contexts, its handlers), in a
process of its own (`import futu` installs a SIGINT handler, starts its network thread and logs under HOME).

Usage: `python futu_sdk.py PORT PASSWORD`. The test and this driver talk over the pipes: a line `@@ ASK what`
on stdout asks the test to act on the fake (fill the resting order, restart OpenD), the test answers `ok` on
stdin; the last stdout line is `@@ RESULT {json}` with what the SDK saw. The SDK's own console log goes to
stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from typing import Any

import futu
from futu import (
    RET_OK,
    KLType,
    ModifyOrderOp,
    OpenQuoteContext,
    OpenSecTradeContext,
    OrderBookHandlerBase,
    OrderType,
    StockQuoteHandlerBase,
    SubType,
    TradeDealHandlerBase,
    TradeOrderHandlerBase,
    TrdEnv,
    TrdMarket,
    TrdSide,
)

CODE = "HK.00700"
WAIT = 20.0


class Seen:
    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.quotes: list[dict[str, Any]] = []
        self.books: list[dict[str, Any]] = []
        self.orders: list[dict[str, Any]] = []
        self.deals: list[dict[str, Any]] = []

    def add(self, kind: str, rows: list[dict[str, Any]]) -> None:
        with self.lock:
            getattr(self, kind).extend(rows)
            self.lock.notify_all()

    def wait(self, what: str, predicate: Any) -> Any:
        deadline = time.monotonic() + WAIT
        with self.lock:
            while True:
                found = predicate()
                if found:
                    return found
                if time.monotonic() > deadline:
                    raise SystemExit(f"the SDK saw no {what}")
                self.lock.wait(0.05)


SEEN = Seen()


def rows(data: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in data.to_dict("records")] if hasattr(data, "to_dict") else [data]


def recording(base: type, kind: str, each_row: bool = True) -> Any:
    """An instance of the SDK's handler `base` that records what its own `on_recv_rsp` made of each push
    (DataFrame rows, or the order book's dict as it is)."""

    class Recording(base):  # type: ignore[misc, valid-type]
        def on_recv_rsp(self, rsp_pb: Any) -> Any:
            ret, data = super().on_recv_rsp(rsp_pb)
            if ret == RET_OK:
                SEEN.add(kind, rows(data) if each_row else [data])
            return ret, data

    return Recording()


def ask(what: str) -> None:
    print(f"@@ ASK {what}", flush=True)
    if sys.stdin.readline().strip() != "ok":
        raise SystemExit(f"the test did not do {what}")


def ok(result: tuple[int, Any], what: str) -> Any:
    ret, data = result
    if ret != RET_OK:
        raise SystemExit(f"{what} failed: {data}")
    return data


def status_of(order_id: str, status: str) -> Any:
    return lambda: [o for o in SEEN.orders if str(o["order_id"]) == order_id and o["order_status"] == status]


def main() -> None:
    port, password = int(sys.argv[1]), sys.argv[2]
    for handler in logging.getLogger("FTConsoleLog").handlers:  # the SDK logs to stdout: keep it for us
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stderr)
    result: dict[str, Any] = {}
    quote = OpenQuoteContext(host="127.0.0.1", port=port)
    trade = OpenSecTradeContext(filter_trdmarket=TrdMarket.HK, host="127.0.0.1", port=port)
    for context in (quote, trade):
        context.reconnect_interval = 0.2  # the SDK waits 6 s by default before reconnecting
    try:
        quote.set_handler(recording(StockQuoteHandlerBase, "quotes"))
        quote.set_handler(recording(OrderBookHandlerBase, "books", each_row=False))
        ok(quote.subscribe([CODE], [SubType.QUOTE, SubType.ORDER_BOOK]), "subscribe")
        first = SEEN.wait("quote push", lambda: SEEN.quotes)[0]
        book = SEEN.wait("order book push", lambda: SEEN.books)[0]
        result["quote"] = [first["code"], first["last_price"], first["volume"]]
        result["book"] = [list(book["Bid"][0][:2]), list(book["Ask"][0][:2])]
        info = ok(quote.get_stock_basicinfo(futu.Market.HK, futu.SecurityType.STOCK), "static info")
        result["static"] = sorted(zip(info["code"], info["lot_size"], strict=True))
        ret, state = quote.get_global_state()
        result["global_state"] = [ret, state.get("trd_logined") if ret == RET_OK else state]
        pages, key = [], None
        while True:
            ret, bars, key = quote.request_history_kline(
                CODE,
                start="2026-10-26",
                end="2026-10-26",
                ktype=KLType.K_1M,
                max_count=1000,
                page_req_key=key,
            )
            if ret != RET_OK:
                raise SystemExit(f"history: {bars}")
            pages.append(len(bars))
            if key is None:
                break
        result["kline_pages"] = pages

        trade.set_handler(recording(TradeOrderHandlerBase, "orders"))
        trade.set_handler(recording(TradeDealHandlerBase, "deals"))
        accounts = ok(trade.get_acc_list(), "accounts")
        result["accounts"] = sorted(
            zip(accounts["acc_id"].tolist(), accounts["trd_env"].tolist(), strict=True)
        )
        locked = trade.place_order(379.0, 100, CODE, TrdSide.BUY, OrderType.NORMAL, trd_env=TrdEnv.REAL)
        result["locked"] = locked[1] if locked[0] != RET_OK else "placed"
        ok(trade.unlock_trade(password), "unlock")
        placed = ok(
            trade.place_order(
                379.0, 100, CODE, TrdSide.BUY, OrderType.NORMAL, trd_env=TrdEnv.REAL, remark="sdk-rest"
            ),
            "place",
        )
        resting = str(placed["order_id"][0])
        SEEN.wait("submitted push", status_of(resting, "SUBMITTED"))
        ask("fill")
        SEEN.wait("filled push", status_of(resting, "FILLED_ALL"))
        deal = SEEN.wait("deal push", lambda: [d for d in SEEN.deals if str(d["order_id"]) == resting])[0]
        result["deal"] = [deal["code"], deal["qty"], deal["price"], deal["trd_side"]]
        result["remark"] = [o["remark"] for o in SEEN.orders if str(o["order_id"]) == resting][-1]

        placed = ok(
            trade.place_order(370.0, 100, CODE, TrdSide.BUY, OrderType.NORMAL, trd_env=TrdEnv.REAL), "place"
        )
        cancelled = str(placed["order_id"][0])
        SEEN.wait("submitted push", status_of(cancelled, "SUBMITTED"))
        ok(trade.modify_order(ModifyOrderOp.CANCEL, cancelled, 0, 0, trd_env=TrdEnv.REAL), "cancel")
        SEEN.wait("cancelled push", status_of(cancelled, "CANCELLED_ALL"))
        refused = trade.place_order(379.0, 50, CODE, TrdSide.BUY, OrderType.NORMAL, trd_env=TrdEnv.REAL)
        result["refused"] = refused[1] if refused[0] != RET_OK else "placed"

        funds = ok(trade.accinfo_query(trd_env=TrdEnv.REAL), "funds")
        result["funds"] = [float(funds["cash"][0]), float(funds["total_assets"][0])]
        positions = ok(trade.position_list_query(trd_env=TrdEnv.REAL), "positions")
        result["positions"] = sorted(zip(positions["code"], positions["qty"], strict=True))
        deals = ok(trade.deal_list_query(trd_env=TrdEnv.REAL), "deals")
        result["deal_list"] = [str(order_id) for order_id in deals["order_id"]]
        orders = ok(trade.order_list_query(trd_env=TrdEnv.REAL), "orders")
        result["order_list"] = sorted(zip(map(str, orders["order_id"]), orders["order_status"], strict=True))

        # OpenD restarts: both contexts come back; the quote context subscribes again and the trade context
        # unlocks again by itself, so pushes flow as before
        count = len(SEEN.quotes)
        ask("restart")
        ask("trade")
        moved = SEEN.wait(
            "quote push after the restart",
            lambda: [q for q in SEEN.quotes[count:] if q["last_price"] == 380.6],
        )
        result["after_restart"] = moved[0]["last_price"]
        placed = trade.place_order(370.0, 100, CODE, TrdSide.BUY, OrderType.NORMAL, trd_env=TrdEnv.REAL)
        result["placed_after_restart"] = placed[0] == RET_OK
    finally:
        quote.close()
        trade.close()
    print("@@ RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
