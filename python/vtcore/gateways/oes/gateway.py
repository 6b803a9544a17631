"""OesGateway: China A-shares on Quant360's OES counter (trading) and MDS (market data), through vtcore._oes.

The binding runs two threads of its own, each owning its channels of the synchronous OES API: the trading
session (order, report and query channels: reports and query records go straight into this gateway's ring)
and the market-data session (snapshots become TickRecords in the ring, arriving as TickData with no Python on
the way). Here, on the engine thread, messages become vtcore objects:

* orders and trades from ORDER_INSERT / ORDER_REPORT / TRADE_REPORT through the OrderTracker (the report
  channel resumes after the last report it delivered, so a reconnect neither loses nor repeats one; the
  tracker drops anything stale all the same); a BUSINESS_REJECT becomes REJECTED with the OES error code and
  its meaning from the library (OesApi_GetErrorMsg);
* contracts, limits and lots from the stock information, account from the cash asset, positions from the
  holdings (queried at connect and polled), and between queries from the report channel's CASH_ASSET_VARIATION
  and STOCK_HOLDING_VARIATION reports (the counter pushes them when an order's freeze, its release or a fill
  changes the cash or a holding: no query after a fill);
* channel states as GatewayStateData ("connecting", "connected", "connect failed" with the library's errno and
  text: a refused address fails at once with error 2, a silent server after the logon wait; "login_rejected",
  not retried until connect() is called again, so a wrong password cannot lock the account).

The A-share bookkeeping is the shared `_sdk.stock.StockGateway` (XTP, TORA, OES): orders are checked before
anything is sent (code, lot, tick, limits, T+1, the exchange's market-order kinds) and a refusal is REJECTED
with the reason under a local id "L<n>"; contracts carry their rules; positions with the T+1 sellable volume;
account and positions polled in turn. Order ids are the client sequence numbers (clSeqNo) of client
environment 0, continuing after the highest the counter saw today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import itertools
import os
import re
import struct
from collections.abc import Mapping
from logging import ERROR, INFO, WARNING
from typing import Any, ClassVar, TypedDict

from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
from vtcore.errors import SdkLibraryError, SdkUnavailableError, SettingsError
from vtcore.gateways._sdk import ashare
from vtcore.gateways._sdk.address import front_address
from vtcore.gateways._sdk.stock import StockGateway
from vtcore.gateways.oes import _oes_types as oes
from vtcore.gateways.oes.library import DEFAULT_SETTING, OPTIONAL_SETTING, find_library, load_binding
from vtcore.log import register_secrets, secret_free_repr
from vtcore.object import (
    AccountData,
    CancelRequest,
    GatewayStateData,
    OrderData,
    OrderRequest,
    TradeData,
)
from vtcore.time import CHINA_TZ

UNIT = 10000.0  # OES prices and amounts are integers in 1/10000 yuan

MARKETS = {Exchange.SSE: oes.OES_MKT_SH_ASHARE, Exchange.SZSE: oes.OES_MKT_SZ_ASHARE}
EXCHANGES = {market: exchange for exchange, market in MARKETS.items()}
MDS_EXCHANGES = {Exchange.SSE: oes.MDS_EXCH_SSE, Exchange.SZSE: oes.MDS_EXCH_SZSE}

STATUSES = {
    oes.OES_ORD_STATUS_PENDING: Status.SUBMITTING,
    oes.OES_ORD_STATUS_NEW: Status.NOTTRADED,
    oes.OES_ORD_STATUS_DECLARED: Status.NOTTRADED,
    oes.OES_ORD_STATUS_PARTIALLY_FILLED: Status.PARTTRADED,
    oes.OES_ORD_STATUS_CANCEL_DONE: Status.CANCELLED,
    oes.OES_ORD_STATUS_PARTIALLY_CANCELED: Status.CANCELLED,
    oes.OES_ORD_STATUS_CANCELED: Status.CANCELLED,
    oes.OES_ORD_STATUS_FILLED: Status.ALLTRADED,
}  # 11 and above: the order is invalid (refused by OES, the exchange or the gateway to it): REJECTED

# ashare.MarketKind -> each exchange's OES order type
ORDER_TYPES = {
    (Exchange.SSE, ashare.MarketKind.BEST5_OR_CANCEL): oes.OES_ORD_TYPE_SH_FAK_BEST_5,
    (Exchange.SSE, ashare.MarketKind.BEST5_OR_LIMIT): oes.OES_ORD_TYPE_SH_MTL_BEST_5,
    (Exchange.SSE, ashare.MarketKind.REVERSE_BEST_LIMIT): oes.OES_ORD_TYPE_SH_MTL_BEST,
    (Exchange.SSE, ashare.MarketKind.FORWARD_BEST): oes.OES_ORD_TYPE_SH_MTL_SAMEPARTY_BEST,
    (Exchange.SZSE, ashare.MarketKind.BEST5_OR_CANCEL): oes.OES_ORD_TYPE_SZ_FAK_BEST_5,
    (Exchange.SZSE, ashare.MarketKind.BEST_OR_CANCEL): oes.OES_ORD_TYPE_SZ_FAK,
    (Exchange.SZSE, ashare.MarketKind.ALL_OR_CANCEL): oes.OES_ORD_TYPE_SZ_FOK,
    (Exchange.SZSE, ashare.MarketKind.REVERSE_BEST_LIMIT): oes.OES_ORD_TYPE_SZ_MTL_BEST,
    (Exchange.SZSE, ashare.MarketKind.FORWARD_BEST): oes.OES_ORD_TYPE_SZ_MTL_SAMEPARTY_BEST,
}
ORDER_TYPE_NAMES = {  # what a report's ordType says, for OrderData.type
    oes.OES_ORD_TYPE_SH_LMT: OrderType.LIMIT,
    oes.OES_ORD_TYPE_SZ_LMT_FOK: OrderType.FOK,
    oes.OES_ORD_TYPE_SZ_FOK: OrderType.FOK,
    oes.OES_ORD_TYPE_SH_FAK_BEST_5: OrderType.FAK,
    oes.OES_ORD_TYPE_SZ_FAK: OrderType.FAK,
}

# The errno values the init and logon functions document (the reference's record of the vendor's header
# comments): a channel state names the meaning beside the library's own text. OES business error numbers have
# no published table: those are shown with the library's text only (docs/oes.md, "Error codes").
CHANNEL_ERRORS = {
    errno.EINVAL: "invalid configuration or argument",
    errno.EACCES: "wrong username or password",
    errno.EMLINK: "too many connections",
    errno.ENOENT: "no usable node in the address list",
    errno.ESRCH: "the node is not the leader",
    errno.EFAULT: "another business error",
    errno.ETIMEDOUT: "timed out",
}

CHANNELS = {1: "order", 2: "report", 3: "query", 11: "market"}
STATES = {
    0: "connecting",
    1: "connected",
    2: "connect failed",
    3: "disconnected",
    4: "login_rejected",
    5: "closed",
}
# StateMessage (cpp/oes_bindings/session.hpp): channel, state, errno, reserved, value, text[96]
_STATE = struct.Struct("<iiiiq96s")
_FLAGS = 4  # the kit's flags word before the structs of a report or query message
_QUERY_RESULT = struct.Struct("<i")
# OesStockItemT.priceLimit[3] (per trading session: opening auction, continuous, closing auction) is not a
# generated field: the continuous session's (upperLimitPrice, lowerLimitPrice) at offset 48 + 8
_LIMITS = struct.Struct("<ii")
_CONTINUOUS_LIMITS = 56


def oes_datetime(date: int, time: int) -> dt.datetime | None:
    """YYYYMMDD + HHMMSSsss (China time) as an aware datetime; None when either is not a valid one."""
    try:
        return dt.datetime(
            date // 10000,
            date // 100 % 100,
            date % 100,
            time // 10_000_000,
            time // 100_000 % 100,
            time // 1000 % 100,
            time % 1000 * 1000,
            tzinfo=CHINA_TZ,
        )
    except ValueError:
        return None


class HoldingValues(TypedDict):
    volume: float
    sellable: float
    yd_volume: float
    price: float


def holding_values(holding: Any) -> HoldingValues:
    """An OesStkHoldingItem's volumes and cost as StockGateway's position keywords."""
    return {
        "volume": float(holding.sumHld),
        "sellable": float(holding.sellAvlHld),
        "yd_volume": float(holding.originalHld),
        "price": holding.costPrice / UNIT,
    }


def code_problem(symbol: str, exchange: Exchange) -> str:
    """Why `symbol` is not an OES security code, or "" (OES trades 6-digit codes of SSE and SZSE)."""
    if exchange not in MARKETS:
        return f"{exchange.value} is not an OES market (SSE and SZSE only)"
    if len(symbol) != 6 or not symbol.isascii() or not symbol.isdigit():
        return f"{symbol!r} is not a 6-digit security code of {exchange.value}"
    return ""


#: the address settings: the trading channels' (required) and the market data's (optional: no market data)
TD_SERVERS = ("td_ord_server", "td_rpt_server", "td_qry_server")
MD_SERVERS = ("md_tcp_server", "md_qry_server")
#: the binding's names of what does not fit (session.hpp: "<channel> channel <field>: N bytes; ...") -> key
_FIELD_KEYS = {
    ("order", "address"): "td_ord_server",
    ("report", "address"): "td_rpt_server",
    ("query", "address"): "td_qry_server",
    ("market-data", "address"): "md_tcp_server",
}
_DOES_NOT_FIT = re.compile(
    r"(order|report|query|market-data) channel (address|username|password): (\d+ bytes; at most \d+ fit)"
)


@dataclasses.dataclass(frozen=True)
class OesSetting:
    """The OES page's settings, checked before the library is loaded (a SettingsError names the key, never
    the value): every value a string, username and the three trading addresses given, each address
    tcp://host:port (`vtcore.gateways._sdk.address`)."""

    username: str
    password: str
    hdd_serial: str
    td_ord_server: str
    td_rpt_server: str
    td_qry_server: str
    md_tcp_server: str  # "": no market data
    md_qry_server: str
    customize_ip: str
    customize_mac: str
    library_dir: str

    __repr__ = secret_free_repr  # no password in a log

    @classmethod
    def parse(cls, setting: Mapping[str, Any]) -> OesSetting:
        values: dict[str, str] = {}
        for key in DEFAULT_SETTING:
            value = setting.get(key, DEFAULT_SETTING[key])
            if not isinstance(value, str):
                raise SettingsError(f"OES setting {key!r} must be a string")
            values[key] = value if key == "password" else value.strip()
        if not values["username"]:
            raise SettingsError("OES setting 'username' is empty")
        for key in TD_SERVERS:
            values[key] = front_address("OES", key, values[key])
        for key in MD_SERVERS:
            if values[key]:
                values[key] = front_address("OES", key, values[key])
        return cls(**values)


def binding_refusal(exc: Exception) -> SettingsError:
    """The binding's TypeError / ValueError for the session arguments as a SettingsError naming the setting
    and carrying none of the values (a TypeError's text lists every argument, the password included)."""
    found = _DOES_NOT_FIT.search(str(exc)) if isinstance(exc, ValueError) else None
    if found is None:
        return SettingsError(f"OES settings refused by the binding ({type(exc).__name__}); check their types")
    channel, field, size = found.groups()
    key = _FIELD_KEYS.get((channel, field), field)
    return SettingsError(f"OES setting {key!r} does not fit: {field}: {size} (and no NUL byte)")


class OesGateway(StockGateway):
    """China A-shares through OES (宽睿) with MDS market data; `connect(setting)` takes the page's keys."""

    default_name: ClassVar[str] = "OES"
    title: ClassVar[str] = "OES"
    default_setting: ClassVar[dict[str, Any]] = DEFAULT_SETTING
    optional_setting: ClassVar[dict[str, str]] = OPTIONAL_SETTING
    exchanges: ClassVar[list[Exchange]] = [Exchange.SSE, Exchange.SZSE]
    # MDS data types asked for, as vn.py's gateway asked: L1 and L2 snapshots and index snapshots (what MDS
    # sends depends on the account's entitlement; the simulator sends L2, msgId 20, when L2 is asked for)
    md_data_types: ClassVar[int] = (
        oes.MDS_SUB_DATA_TYPE_L1_SNAPSHOT
        | oes.MDS_SUB_DATA_TYPE_L2_SNAPSHOT
        | oes.MDS_SUB_DATA_TYPE_INDEX_SNAPSHOT
    )

    def __init__(self, event_engine: Any, gateway_name: str = "OES") -> None:
        super().__init__(event_engine, gateway_name)  # StockGateway: orders, book, contracts, positions
        self.binding: Any = None
        self.trading: Any = None
        self.market: Any = None
        self.producers: list[Any] = []
        self._next_seq = 1  # the next clSeqNo (orders and cancels share the sequence)
        self._query_ids = itertools.count(1)
        self._queries: dict[int, tuple[int, list[bytes]]] = {}
        self._query_pending: set[int] = set()  # kinds asked and not answered yet (no duplicates queued)
        self._contracts_loaded = False

    # -- connection ---------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        """Check the settings (SettingsError naming the key, before anything is loaded), load the user's
        liboes_api.so (checked before any call), then start the trading and market-data sessions.
        SdkUnavailableError when there is no library or it is refused (another version, not OES)."""
        with self.connect_errors():
            parsed = OesSetting.parse(setting)
        register_secrets({"password": parsed.password})
        try:
            path = find_library(parsed.library_dir)
            if not path.is_file():
                raise SdkUnavailableError(f"no {path.name} in {path.parent}")
            self.binding = load_binding()
            oes_version, mds_version = self.binding.open_library(str(path))
        except (SdkUnavailableError, SdkLibraryError) as exc:
            self.on_gateway_state(
                GatewayStateData(self.gateway_name, front="library", state="unavailable", message=str(exc))
            )
            self.write_log(f"cannot connect: {exc}", ERROR)
            if isinstance(exc, SdkUnavailableError):
                raise
            raise SdkUnavailableError(str(exc)) from exc
        self.write_log(f"{path}: OesApi {oes_version}, MdsApi {mds_version}")
        self.close_sessions()
        td = self.create_producer(f"{self.gateway_name}.td", self.on_td_message)
        self.producers.append(td)
        try:
            self.trading = self.binding.Trading(
                str(path),
                td.capsule(),
                order_address=parsed.td_ord_server,
                report_address=parsed.td_rpt_server,
                query_address=parsed.td_qry_server,
                username=parsed.username,
                password=parsed.password,
                customize_ip=parsed.customize_ip,
                customize_mac=parsed.customize_mac,
                driver_id=parsed.hdd_serial,
            )
            if parsed.md_tcp_server:
                md = self.create_producer(f"{self.gateway_name}.md", self.on_md_message)
                self.producers.append(md)
                self.market = self.binding.Market(
                    str(path),
                    md.capsule(),
                    address=parsed.md_tcp_server,
                    username=parsed.username,
                    password=parsed.password,
                    data_types=self.md_data_types,
                )
        except (TypeError, ValueError) as exc:  # e.g. a value longer than its field: nothing connected
            error = binding_refusal(exc)
            self.write_log(f"cannot connect: {error}", ERROR)
            self.close_sessions()
            raise error from None  # the binding's text may quote the arguments
        self.trading.start()
        if self.market is not None:
            self.market.start()
        self.opened()  # account and positions polled in turn (SdkGateway.poll)

    def close_sessions(self) -> None:
        for session in (self.trading, self.market):
            if session is not None:
                session.stop()
        self.trading = self.market = None
        for producer in self.producers:
            self.event_engine.remove_producer(producer)
        self.producers = []

    def fronts(self) -> tuple[()]:
        return ()  # the binding's sessions are OES's channels; they report their own states

    def close_fronts(self) -> None:
        self.close_sessions()

    # -- messages (engine thread) -------------------------------------------------------------------------

    def on_td_message(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        binding = self.binding
        if kind == binding.KIND_STATE:
            self.on_state(payload)
        elif binding.KIND_REPORT <= kind < binding.KIND_QUERY_ITEM:
            self.on_report(kind - binding.KIND_REPORT, payload)
        elif binding.KIND_QUERY_ITEM <= kind < binding.KIND_QUERY_END:
            entry = self._queries.get(request_id)
            if entry is not None:
                entry[1].append(payload)
        elif kind == binding.KIND_QUERY_END:
            self.on_query_end(request_id, payload)

    def on_md_message(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        if kind == self.binding.KIND_STATE:
            self.on_state(payload)

    def on_state(self, payload: bytes) -> None:
        channel, state, error, _, value, raw = _STATE.unpack(payload)
        front, word = CHANNELS.get(channel, str(channel)), STATES.get(state, str(state))
        text = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        meaning = f" ({CHANNEL_ERRORS[error]})" if error in CHANNEL_ERRORS else ""
        message = f"error {error}{meaning}: {text}" if error else text
        level = ERROR if state in (2, 4) else WARNING if state == 3 else INFO
        self.on_gateway_state(GatewayStateData(self.gateway_name, front=front, state=word, message=message))
        self.write_log(f"{front} channel: {word}" + (f" ({message})" if message else ""), level)
        if state != 1:
            return
        if channel == 1:
            with self.lock:
                self._next_seq = max(self._next_seq, int(value) + 1)
        elif channel == 2:  # the last channel up: load what the day needs
            self.query(self.binding.QUERY_STOCK)
            self.query(self.binding.QUERY_CASH)
            self.query(self.binding.QUERY_HOLDING)
            self.write_log("connected")

    def on_report(self, msg_id: int, payload: bytes) -> None:
        head = oes.OesRptMsgHead.view(payload, _FLAGS)
        at = _FLAGS + oes.OesRptMsgHead.SIZE
        if msg_id in (oes.OESMSG_RPT_ORDER_INSERT, oes.OESMSG_RPT_ORDER_REPORT):
            self.on_order_report(oes.OesOrdCnfm.view(payload, at))
        elif msg_id == oes.OESMSG_RPT_TRADE_REPORT:
            self.on_trade_report(oes.OesTrdCnfm.view(payload, at))
        elif msg_id == oes.OESMSG_RPT_BUSINESS_REJECT:
            self.on_business_reject(oes.OesOrdReject.view(payload, at), head.ordRejReason)
        elif msg_id == oes.OESMSG_RPT_CASH_ASSET_VARIATION:
            self.on_cash(oes.OesCashAssetItem.view(payload, at))
        elif msg_id == oes.OESMSG_RPT_STOCK_HOLDING_VARIATION:
            self.on_holding(oes.OesStkHoldingItem.view(payload, at))

    def error_text(self, code: int) -> str:
        """An OES error code and its meaning from the library's own table."""
        trading = self.trading
        meaning = trading.error_message(code) if trading is not None else ""
        return f"OES error {code}: {meaning or 'no description'}"

    def order_from(self, report: Any) -> OrderData | None:
        exchange = EXCHANGES.get(report.mktId)
        if exchange is None:
            return None
        status = STATUSES.get(report.ordStatus, Status.REJECTED)
        return OrderData(
            gateway_name=self.gateway_name,
            symbol=report.securityId,
            exchange=exchange,
            orderid=str(report.clSeqNo),
            type=ORDER_TYPE_NAMES.get(report.ordType, OrderType.MARKET),
            direction=Direction.LONG if report.bsType == oes.OES_BS_TYPE_BUY else Direction.SHORT,
            offset=Offset.NONE,
            price=report.ordPrice / UNIT,
            volume=float(report.ordQty),
            traded=float(report.cumQty),
            status=status,
            datetime=oes_datetime(report.ordDate, report.ordCnfmTime or report.ordTime),
        )

    def on_order_report(self, report: Any) -> None:
        status = STATUSES.get(report.ordStatus, Status.REJECTED)
        orderid, volume, price = str(report.clSeqNo), float(report.ordQty), report.ordPrice / UNIT
        if self.orders.is_repeat(orderid, status, float(report.cumQty), volume, price):
            return  # nothing new (a confirmation restating what was pushed): nothing to build
        order = self.order_from(report)
        if order is None:
            return
        reason = (
            self.error_text(report.ordRejReason or report.exchErrCode)
            if order.status == Status.REJECTED
            else ""
        )
        self.order_report(order, reason)

    def on_trade_report(self, report: Any) -> None:
        exchange = EXCHANGES.get(report.mktId)
        if exchange is None:
            return
        trade = TradeData(
            gateway_name=self.gateway_name,
            symbol=report.securityId,
            exchange=exchange,
            orderid=str(report.clSeqNo),
            tradeid=str(report.exchTrdNum),
            direction=Direction.LONG if report.trdSide == oes.OES_BS_TYPE_BUY else Direction.SHORT,
            offset=Offset.NONE,
            price=report.trdPrice / UNIT,
            volume=float(report.trdQty),
            datetime=oes_datetime(report.trdDate, report.trdTime),
        )
        self.trade_report(trade)  # the cash and the holding follow as variation reports

    def on_business_reject(self, reject: Any, code: int) -> None:
        orderid = str(reject.clSeqNo)
        if reject.origClSeqNo:  # a cancel the counter refused: the order stands
            self.write_log(f"cancel of order {reject.origClSeqNo} refused: {self.error_text(code)}", WARNING)
            return
        known = self.orders.get(orderid)
        exchange = EXCHANGES.get(reject.mktId)
        order = None if known is None else dataclasses.replace(known, status=Status.REJECTED)
        if order is None and exchange is not None:  # an order of another session of this account
            order = OrderData(
                gateway_name=self.gateway_name,
                symbol=reject.securityId,
                exchange=exchange,
                orderid=orderid,
                type=ORDER_TYPE_NAMES.get(reject.ordType, OrderType.MARKET),
                direction=Direction.LONG if reject.bsType == oes.OES_BS_TYPE_BUY else Direction.SHORT,
                offset=Offset.NONE,
                price=reject.ordPrice / UNIT,
                volume=float(reject.ordQty),
                status=Status.REJECTED,
                datetime=oes_datetime(reject.ordDate, reject.ordTime),
            )
        if order is not None:
            self.order_report(order, self.error_text(code or reject.ordRejReason))

    # -- queries --------------------------------------------------------------------------------------

    def query(self, kind: int, filter_struct: Any = None) -> None:
        if self.trading is None or kind in self._query_pending:
            return
        query_id = next(self._query_ids)
        self._query_pending.add(kind)
        self._queries[query_id] = (kind, [])
        self.trading.query(query_id, kind, bytes(filter_struct) if filter_struct is not None else b"")

    def on_query_end(self, query_id: int, payload: bytes) -> None:
        kind, items = self._queries.pop(query_id, (0, []))
        self._query_pending.discard(kind)
        (result,) = _QUERY_RESULT.unpack_from(payload, _FLAGS)
        if result < 0:
            self.write_log(f"query {kind} failed: {self.error_text(-result)}", WARNING)
            if kind == self.binding.QUERY_HOLDING:
                self.discard_positions()
            return
        binding = self.binding
        if kind == binding.QUERY_STOCK:
            for item in items:
                self.on_stock(item)
            self._contracts_loaded = True
            self.write_log(f"contracts loaded: {len(items)}")
        elif kind == binding.QUERY_CASH:
            for item in items:
                self.on_cash(oes.OesCashAssetItem.view(item, _FLAGS))
        elif kind == binding.QUERY_HOLDING:
            for item in items:
                holding = oes.OesStkHoldingItem.view(item, _FLAGS)
                exchange = EXCHANGES.get(holding.mktId)
                if exchange is not None:
                    self.position_answer(holding.securityId, exchange, **holding_values(holding))
            self.positions_done()

    def on_cash(self, cash: Any) -> None:
        """A cash asset (a query's record or a variation report) as the account."""
        balance = cash.currentTotalBal / UNIT
        self.on_account(
            AccountData(
                gateway_name=self.gateway_name,
                accountid=cash.cashAcctId,
                balance=balance,
                frozen=balance - cash.currentAvailableBal / UNIT,
            )
        )

    def on_holding(self, holding: Any) -> None:
        """A stock holding variation report: that position, now."""
        exchange = EXCHANGES.get(holding.mktId)
        if exchange is not None:
            position = ashare.stock_position(
                self.gateway_name, holding.securityId, exchange, **holding_values(holding)
            )
            self.position_changed(position)

    def on_stock(self, payload: bytes) -> None:
        item = oes.OesStockItem.view(payload, _FLAGS)
        exchange = EXCHANGES.get(item.mktId)
        if exchange is None:
            return
        symbol = item.securityId
        up, down = (price / UNIT for price in _LIMITS.unpack_from(payload, _FLAGS + _CONTINUOUS_LIMITS))
        self.add_security(
            symbol,
            exchange,
            item.securityName or symbol,
            pricetick=item.priceTick / UNIT,
            lot=item.lmtBuyQtyUnit,
            limit_up=up,
            limit_down=down,
        )
        if up > 0 and self.market is not None:  # MDS sends no limits: the ticks carry these
            self.market.set_limits(MDS_EXCHANGES[exchange], int(symbol), up, down)

    def query_account(self) -> None:
        if self.binding is not None:
            self.query(self.binding.QUERY_CASH)

    def query_position(self) -> None:
        if self.binding is not None:
            self.query(self.binding.QUERY_HOLDING)

    # -- market data ----------------------------------------------------------------------------------

    def market_ready(self) -> bool:
        return (
            self.market is not None
        )  # the binding keeps the subscriptions and resends them after a reconnect

    def send_subscriptions(self, items: list[tuple[str, Exchange]], *, subscribe: bool) -> None:
        securities = [
            (MDS_EXCHANGES[exchange], oes.MDS_MD_PRODUCT_TYPE_STOCK, int(symbol))
            for symbol, exchange in items
            if not code_problem(symbol, exchange)
        ]
        if self.market is not None and securities:
            self.market.subscribe(securities, add=subscribe)

    # -- orders ---------------------------------------------------------------------------------------

    def next_seq(self) -> int:
        with self.lock:
            seq = self._next_seq
            self._next_seq += 1
            return seq

    def send_order(self, req: OrderRequest) -> str:
        problem = code_problem(req.symbol, req.exchange)
        side = kind = None
        if not problem:
            side, kind, problem = self.checked(req)
        if not problem and side not in (ashare.Side.BUY, ashare.Side.SELL):
            problem = f"{side} is not a cash business; OES margin trading is not supported"
        order_type = oes.OES_ORD_TYPE_SH_LMT if kind is None else ORDER_TYPES.get((req.exchange, kind), -1)
        if not problem and order_type < 0:
            problem = f"{kind} has no OES order type on {req.exchange.value}"
        trading = self.trading
        if not problem and trading is None:
            problem = "not connected"
        if problem or side is None or trading is None:
            return self.reject_locally(req, problem)
        with self.lock:
            seq = self.next_seq()
            try:
                request = oes.OesOrdReq(
                    clSeqNo=seq,
                    mktId=MARKETS[req.exchange],
                    ordType=order_type,
                    bsType=oes.OES_BS_TYPE_BUY if side == ashare.Side.BUY else oes.OES_BS_TYPE_SELL,
                    securityId=req.symbol,
                    ordQty=int(req.volume),
                    ordPrice=round(req.price * UNIT) if kind is None else 0,
                )
            except (ValueError, TypeError) as exc:  # a field that does not fit: named, nothing sent
                return self.reject_locally(req, str(exc))
            vt_orderid = self.order_sent(req, str(seq), side)  # SUBMITTING before any report can come
        result = trading.send_order(request.buffer)
        if result != 0:
            failed = req.create_order_data(str(seq), self.gateway_name)
            failed.status = Status.REJECTED
            self.order_report(failed, f"not sent: {os.strerror(-result)} ({-result})")
        return vt_orderid

    def on_timer(self, now: float) -> None:
        if self.trading is not None and self._contracts_loaded:
            self.poll(now, idle=not self._query_pending)

    def cancel_order(self, req: CancelRequest) -> None:
        order = self.orders.get(req.orderid)
        if self.trading is None or not req.orderid.isdigit():
            self.write_log(
                f"cannot cancel {req.orderid}: "
                + ("not connected" if self.trading is None else "not an OES order id"),
                WARNING,
            )
            return
        exchange = order.exchange if order is not None else req.exchange
        try:
            request = oes.OesOrdCancelReq(
                clSeqNo=self.next_seq(),
                mktId=MARKETS.get(exchange, 0),
                securityId=req.symbol,
                origClSeqNo=int(req.orderid),
            )
        except (ValueError, TypeError) as exc:
            self.write_log(f"cannot cancel {req.orderid}: {exc}", WARNING)
            return
        result = self.trading.send_cancel(request.buffer)
        if result != 0:
            self.write_log(f"cancel of {req.orderid} not sent: {os.strerror(-result)}", WARNING)
