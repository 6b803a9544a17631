"""XtpGateway: China A-shares (SSE, SZSE) through 中泰 XTP, vn.py's XTP gateway with its faults fixed.

XTP is not Thost-shaped: there is no RegisterFront / Init; `Login()` connects synchronously and blocks
(seconds on a refused address) and the trader's returns a session id that every later call names; orders get
their id at once from `InsertOrder()`. So each front logs in on a thread of its own (never the engine thread:
vn.py logged in again from inside the SDK's disconnect callback and blocked it), retrying a lost connection
with a growing delay, and never retrying a refused login (a wrong password must not lock the account).

Fronts (states pushed as GatewayStateData, as every SDK gateway's):
    md: connecting -> logged_in -> contracts_loaded (both exchanges' static information) -> ready
        (subscriptions restored);
    td: connecting -> logged_in -> ready (after the first asset answer, which says whether the account trades
        on margin). "login_rejected", "disconnected", "timeout", "unavailable", "closed".
After a disconnect the front logs in again by itself; the trader's orders and trades of the day are replayed
on every login (SubscribePublicTopic RESTART) and the OrderTracker drops what was already pushed.

Orders: the exchanges' rules are checked first (`gateways/_sdk/ashare.py`: trading units, ticks, limits, T+1
sellable volume, the order types each exchange defines, Offset.NONE for cash accounts); a refused order is
REJECTED with the reason and nothing is sent. A credit (margin) account sends every order as the margin
business (vn.py's spelling: LONG/SHORT with OPEN for a margin buy / short sale, CLOSE to repay, NONE for
collateral). A credit account's polls add its credit queries, as vn.py's gateway makes them:
QueryCreditFundInfo with the account (its figures in `AccountData.extra["credit"]`: maintenance_ratio,
all_asset, all_debt, line_of_credit, guaranty) and QueryCreditDebtInfo before the positions (a short sale's
shares still owed are a SHORT position; a cash debt is in the figures).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from dataclasses import dataclass
from logging import ERROR, WARNING
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, Offset, OrderType, Status
from vtcore.errors import SettingsError
from vtcore.event import EventEngine
from vtcore.gateways._sdk.ashare import SIDE_ORDER, MarketKind, Side
from vtcore.gateways._sdk.front import CLOSED_REASON, Front, QueryPump
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways._sdk.stock import StockGateway
from vtcore.gateways._sdk.structs import SdkStruct
from vtcore.gateways.xtp import _xtp_types as xt
from vtcore.gateways.xtp import mapping
from vtcore.gateways.xtp.library import (
    DEFAULT_SETTING,
    OPTIONAL_SETTING,
    VNPY_LABELS,
    find_libraries,
    load_binding,
)
from vtcore.log import get_logger, register_secrets, secret_free_repr
from vtcore.object import (
    AccountData,
    CancelRequest,
    OrderData,
    OrderRequest,
    TradeData,
)

_logger = get_logger("vtcore.gateway")

#: XTP's error id for a connection that could not be made (anything else from Login is a refusal)
CONNECT_FAILED = 1


@dataclass(frozen=True)
class XtpSetting:
    username: str
    password: str
    client_id: int
    md_address: str
    md_port: int
    td_address: str
    td_port: int
    md_protocol: int
    auth_code: str
    log_level: int
    library_dir: str

    __repr__ = secret_free_repr  # no password, key or auth code in a log

    @classmethod
    def parse(cls, setting: dict[str, Any]) -> XtpSetting:
        def text(key: str) -> str:
            value = setting.get(
                key, DEFAULT_SETTING[key] if not isinstance(DEFAULT_SETTING[key], list) else ""
            )
            if not isinstance(value, str):
                raise SettingsError(f"XTP setting {key!r} must be a string")
            return value if key == "password" else value.strip()

        def number(key: str, low: int, high: int) -> int:
            value = setting.get(key, DEFAULT_SETTING[key])
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise SettingsError(f"XTP setting {key!r} must be a whole number from {low} to {high}")
            return value

        def choice(key: str, table: dict[str, int]) -> int:
            # a missing or empty choice is its first entry; any other value must be one of them (a list is
            # the page's declaration of the choices, not a choice: refused, as validate_setting and TORA do)
            value = setting.get(key) or next(iter(table))
            if not isinstance(value, str):
                raise SettingsError(f"XTP setting {key!r} must be one of {', '.join(table)} (a string)")
            if value not in table:
                raise SettingsError(f"XTP setting {key!r} must be one of {', '.join(table)}, not {value!r}")
            return table[value]

        for key in ("username", "md_address", "td_address"):
            if not text(key):
                raise SettingsError(f"XTP setting {key!r} is empty")
        return cls(
            text("username"),
            text("password"),
            number("client_id", 1, 99),
            text("md_address"),
            number("md_port", 1, 65535),
            text("td_address"),
            number("td_port", 1, 65535),
            choice("md_protocol", mapping.PROTOCOLS),
            text("auth_code"),
            choice("log_level", mapping.LOG_LEVELS),
            text("library_dir"),
        )


#: the fields of a query that sends no struct (QueryAsset): equal to itself, so the pump drops a repeat
_NO_FIELDS = SdkStruct()


class XtpFront(Front):
    """An XTP API object: its login thread (Login blocks), reconnects and callback dispatch."""

    sdk = "xtp"
    login_retry_max = 30.0  # seconds between login attempts at most (the delay doubles from 1 s)

    def __init__(self, gateway: XtpGateway, requests: dict[str, tuple[int, Any]]) -> None:
        super().__init__(gateway, gateway.decoder, requests)
        self.gateway: XtpGateway = gateway
        self.setting: XtpSetting | None = None
        self.address: tuple[str, int] = ("", 0)
        self._closing = threading.Event()
        self._login_thread: threading.Thread | None = None

    def open(self, setting: XtpSetting, api_class: Any, library: Any, address: tuple[str, int]) -> None:
        """Create the API object (once) and log in on the front's thread."""
        self.begin_login(address, self.create_with(setting, api_class, library))

    def create_with(self, setting: XtpSetting, api_class: Any, library: Any) -> bool:
        """Create the API object (the library loaded and checked; no login yet); False when it exists."""
        self.setting = setting
        if self.api is not None:
            return False

        def create(flow: str, capsule: object) -> Any:
            return api_class(str(library), flow, capsule, setting.client_id, setting.log_level)

        self.create(create)
        self.prepare()
        return True

    def begin_login(self, address: tuple[str, int], created: bool) -> None:
        """Log in to `address` on the front's thread (retried while the connection fails)."""
        self.address, self.rejected = address, ""
        self._closing.clear()
        self.start_login()

    def prepare(self) -> None:
        """Calls between creating the API object and the first login."""

    def start_login(self) -> None:
        if self.logged_in or self.rejected or self._closing.is_set():
            return
        if self._login_thread is not None and self._login_thread.is_alive():
            return
        self.set_state("connecting", f"{self.address[0]}:{self.address[1]}")
        self._login_thread = threading.Thread(
            target=self._login_loop, name=f"{self.gateway.gateway_name}.{self.name}.login", daemon=True
        )
        self._login_thread.start()

    def _login_loop(self) -> None:
        delay = 1.0
        while not self._closing.is_set() and (api := self.api) is not None:
            try:
                ok = self.login(api)
            except RuntimeError:  # the API object was released meanwhile (close() during a blocked Login)
                return
            except Exception as exc:
                # Anything else (a binding's TypeError repeats every argument, the password included) would
                # end this thread through Python's excepthook: unmasked on stderr, the front left
                # "connecting" for ever.
                self.login_raised(exc)
                return
            if ok or self.rejected:
                return
            self._closing.wait(delay)
            delay = min(delay * 2, self.login_retry_max)

    def login(self, api: Any) -> bool:
        """One login attempt with `api` (this front's thread); True when logged in."""
        raise NotImplementedError

    def login_raised(self, exc: Exception) -> None:
        """A login attempt raised: the traceback goes to the masked log, the front to state "error" (not
        retried: the same setting would raise again) until connect() is called again."""
        if self._closing.is_set():
            return
        name = type(exc).__name__
        _logger.error(
            "%s front: login raised %s",
            self.name,
            name,
            exc_info=exc,
            extra={"gateway_name": self.gateway.gateway_name},
        )
        self.rejected = f"login raised {name}"
        self.set_state("error", f"{self.rejected} (see the log); not retrying: call connect() again", ERROR)

    def login_failed(self, api: Any, what: str) -> None:
        code, text = api.last_error()
        if self._closing.is_set():
            return
        if code == CONNECT_FAILED or "connect" in text.lower():
            self.set_state("disconnected", f"{what}: {text}; retrying", WARNING)
        else:
            self.reject("login", f"code {code}: {text}")

    def on_error(self, message: Message) -> None:
        self.gateway.write_log(f"{self.name} front: {message.error_text}", ERROR)

    def close(self, state: str = "closed", message: str = "") -> None:
        self._closing.set()
        super().close(state, message)
        thread, self._login_thread = self._login_thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)


class QuoteFront(XtpFront):
    name = "md"

    def __init__(self, gateway: XtpGateway) -> None:
        super().__init__(gateway, {})
        self.loading: list[Exchange] = []  # static-information queries not yet answered, in request order

    def login(self, api: Any) -> bool:
        assert self.setting is not None
        setting = self.setting
        result = api.login(
            self.address[0], self.address[1], setting.username, setting.password, setting.md_protocol
        )
        if result != 0:
            self.login_failed(api, "quote login failed")
            return False
        self.logged_in = True
        self.set_state("logged_in", f"trading day {api.trading_day()}")
        if not self.gateway.contracts:
            # Answered in this order on the API thread, each answer's last callback flagged; the answers pop
            # `loading` on the engine thread meanwhile, so the queries go from a copy.
            exchanges = list(mapping.EXCHANGE_TO_XTP)
            self.loading = list(exchanges)
            for exchange in exchanges:
                if api.query_all_tickers(mapping.EXCHANGE_TO_XTP[exchange]) != 0:
                    code, text = api.last_error()
                    what = f"{exchange.value} ticker query failed: code {code}: {text}"
                    self.gateway.write_log(f"md front: {what}; its securities are missing", ERROR)
                    self.loading.remove(exchange)
        else:
            self.resubscribe()
        return True

    def resubscribe(self) -> None:
        if self.gateway.subscribed:
            self.send_subscribe(list(self.gateway.subscribed.items()))
        self.set_state("ready", f"{len(self.gateway.subscribed)} subscription(s)")

    def send_subscribe(self, items: list[tuple[str, Exchange]], subscribe: bool = True) -> None:
        tickers = [(symbol, mapping.EXCHANGE_TO_XTP[exchange]) for symbol, exchange in items]
        call = self.api.subscribe if subscribe else self.api.unsubscribe
        if call(tickers) != 0:
            code, text = self.api.last_error()
            what = "subscribe" if subscribe else "unsubscribe"
            self.gateway.write_log(f"md front: {what} failed: code {code}: {text}", ERROR)

    # -- callbacks (engine thread) ---------------------------------------------------------------------------

    def on_disconnected(self, message: Message) -> None:
        self.logged_in = False
        self.set_state("disconnected", f"reason {message.request_id}; logging in again", WARNING)
        self.start_login()

    def on_sub_market_data(self, message: Message) -> None:
        if message.error is not None:
            data = message.data
            symbol = data.ticker if data is not None else "?"  # type: ignore[attr-defined]
            self.gateway.write_log(f"md front: subscribing {symbol} failed: {message.error_text}", ERROR)

    on_un_sub_market_data = on_sub_market_data

    def on_query_all_tickers(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(f"md front: ticker query failed: {message.error_text}", ERROR)
        if message.data is not None:
            self.gateway.add_ticker(message.data)
        if message.is_last and self.loading:
            self.loading.pop(0)
            if not self.loading:
                self.set_state("contracts_loaded", f"{len(self.gateway.contracts)} securities")
                self.resubscribe()


class TraderFront(XtpFront):
    name = "td"

    def __init__(self, gateway: XtpGateway) -> None:
        super().__init__(gateway, xt.TRADER_REQUESTS)
        self.session = 0
        self.queries = QueryPump(self, gateway.lock)
        self.account_known = False

    def prepare(self) -> None:
        assert self.setting is not None
        self.api.set_software_key(self.setting.auth_code)
        # Replay the day's orders and trades on every login; the OrderTracker drops what it has pushed.
        self.api.subscribe_public_topic(xt.XTP_TERT_RESTART)

    def login(self, api: Any) -> bool:
        assert self.setting is not None
        setting = self.setting
        session = api.login(
            self.address[0], self.address[1], setting.username, setting.password, xt.XTP_PROTOCOL_TCP
        )
        if not session:
            self.login_failed(api, "trade login failed")
            return False
        with self.gateway.lock:
            self.session = int(session)
            self.logged_in = True
        self.set_state("logged_in", f"session {session}, trading day {api.trading_day()}")
        self.account_known = False
        self.enqueue("QueryAsset")
        self.enqueue("QueryPosition")
        return True

    def request(self, name: str, fields: Any = None) -> int:
        """A query of this session (XTP's queries name it); -1 when not logged in."""
        if self.api is None or not self.logged_in:
            return -1
        if name == "QueryPosition":  # takes a ticker, not a struct
            return int(self.api.query_position("", self.session, self.next_request_id()))
        index, struct_class = self.requests[name]
        payload = b"" if struct_class is None or fields is None or not fields.SIZE else fields.buffer
        return int(self.api.request(index, payload, self.next_request_id(), self.session))

    def enqueue(self, name: str) -> None:
        self.queries.enqueue(name, _NO_FIELDS)

    # -- callbacks (engine thread) ---------------------------------------------------------------------------

    def on_disconnected(self, message: Message) -> None:
        with self.gateway.lock:
            self.logged_in = False
        self.set_state("disconnected", f"reason {message.request_id}; logging in again", WARNING)
        self.start_login()

    def on_order_event(self, message: Message) -> None:
        if message.data is not None:
            reason = message.error.error_msg if message.error is not None else ""  # type: ignore[attr-defined]
            self.gateway.order_event(message.data, reason)

    def on_trade_event(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.trade_event(message.data)

    def on_cancel_order_error(self, message: Message) -> None:
        data = message.data
        orderid = data.order_xtp_id if data is not None else "?"  # type: ignore[attr-defined]
        self.gateway.write_log(f"cancel of order {orderid} refused: {message.error_text}", ERROR)

    def on_query_asset(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(f"td front: asset query failed: {message.error_text}", ERROR)
        if message.data is not None:
            self.gateway.update_account(message.data)
        if not self.account_known:
            self.account_known = True
            self.set_state("ready", "margin account" if self.gateway.book.margin else "cash account")

    def on_query_position(self, message: Message) -> None:
        self.gateway.position_message(message, "td front: position query", self.gateway.add_position)

    def on_query_credit_fund_info(self, message: Message) -> None:
        if not self.gateway.log_error(message, "td front: credit fund query") and message.data is not None:
            self.gateway.update_credit(message.data)

    def on_query_credit_debt_info(self, message: Message) -> None:
        if self.gateway.log_error(message, "td front: credit debt query"):
            self.gateway.debts_building = {}  # the last complete answer stays
            return
        if message.data is not None:
            self.gateway.add_debt(message.data)
        if message.is_last:
            self.gateway.debts_done()


#: the fields of an order report (XTPOrderInfo) that `order_event` reads
_read_order_info = xt.OrderInfo.reader(
    "order_xtp_id",
    "market",
    "order_status",
    "side",
    "business_type",
    "price_type",
    "ticker",
    "price",
    "quantity",
    "qty_traded",
    "insert_time",
)


class XtpGateway(StockGateway):
    """China A-shares through XTP (SSE, SZSE); margin trading on credit accounts."""

    default_name: ClassVar[str] = "XTP"
    title: ClassVar[str] = "XTP"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = dict(OPTIONAL_SETTING)
    setting_aliases: ClassVar[dict[str, str]] = dict(VNPY_LABELS)
    exchanges: ClassVar[list[Exchange]] = [Exchange.SSE, Exchange.SZSE]

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name or self.default_name)
        self.decoder = Decoder(xt)
        self.md = QuoteFront(self)
        self.td = TraderFront(self)
        self.setting: XtpSetting | None = None
        # A credit account: its figures (XTPCrdFundInfo, in every AccountData's extra["credit"]) and its
        # securities debts (short sales), pushed as SHORT positions with the position answers, as vn.py does:
        # (symbol, exchange) -> (shares owed, of them owed since an earlier day)
        self.credit: dict[str, float] = {}
        self._account: AccountData | None = None
        self.short_debts: dict[tuple[str, Exchange], tuple[float, float]] = {}
        self.debts_building: dict[tuple[str, Exchange], tuple[float, float]] = {}

    # -- connection -----------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any]) -> None:
        with self.connect_errors():
            binding = load_binding()
            parsed = XtpSetting.parse(setting)
            md_library, td_library = find_libraries(parsed.library_dir)
        register_secrets({"password": parsed.password, "auth_code": parsed.auth_code})
        self.setting = parsed
        self.opened()
        self.write_log(f"connecting {parsed!r} with {td_library.name} and {md_library.name}")
        td, md = self.td, self.md
        self.start_fronts(
            (
                td,
                lambda: td.create_with(parsed, binding.TraderApi, td_library),
                lambda created: td.begin_login((parsed.td_address, parsed.td_port), created),
            ),
            (
                md,
                lambda: md.create_with(parsed, binding.QuoteApi, md_library),
                lambda created: md.begin_login((parsed.md_address, parsed.md_port), created),
            ),
        )

    def fronts(self) -> tuple[XtpFront, ...]:
        return self.md, self.td

    def close_fronts(self) -> None:
        # The real libraries' Release() takes about 6 s per API object: both at once.
        md_closing = threading.Thread(target=self.md.close, name=f"{self.gateway_name}.md.close")
        md_closing.start()
        self.td.close()
        md_closing.join()

    def on_timer(self, now: float) -> None:
        self.td.queries.pump(now)
        self.poll(now, self.td.queries.idle)

    # -- market data ----------------------------------------------------------------------------------------

    def market_ready(self) -> bool:
        return self.md.state == "ready"

    def send_subscriptions(self, items: list[tuple[str, Exchange]], *, subscribe: bool) -> None:
        self.md.send_subscribe(items, subscribe)

    def add_ticker(self, data: Any) -> None:
        """A security of the static information (XTPQSI); options and unknown types are not traded here."""
        exchange = mapping.EXCHANGE_FROM_XTP.get(data.exchange_id)
        kind = mapping.TICKER_TYPES.get(data.ticker_type)
        if exchange is None or kind is None:
            return
        board, product = kind
        self.add_security(
            data.ticker,
            exchange,
            data.ticker_name,
            board=board,
            product=product,
            pricetick=data.price_tick,
            lot=data.buy_qty_unit,
            limit_up=data.upper_limit_price,
            limit_down=data.lower_limit_price,
        )

    # -- orders ---------------------------------------------------------------------------------------------

    def send_problem(self, req: OrderRequest) -> str:
        return "" if self.td.logged_in else "not logged in to the trade front"

    def place(self, req: OrderRequest, side: Side, kind: MarketKind | None, orderid: str) -> tuple[str, str]:
        margin = self.book.margin

        def shape() -> SdkStruct:
            return xt.OrderInsertInfo(
                ticker=req.symbol,
                market=mapping.MARKET_TO_XTP[req.exchange],
                price_type=mapping.PRICE_TYPE_TO_XTP[kind],
                side=mapping.SIDE_TO_XTP[side],
                position_effect=xt.XTP_POSITION_EFFECT_INIT,
                business_type=xt.XTP_BUSINESS_TYPE_MARGIN if margin else xt.XTP_BUSINESS_TYPE_CASH,
            )

        # a prepared struct per kind of order: a send sets only price and quantity
        order = self._order_shapes.copy((req.symbol, req.exchange, kind, side, margin), shape)
        order.price = float(req.price)
        order.quantity = int(req.volume)
        api = self.td.api  # None once close() released it (also after the checks passed)
        try:
            xtp_id = 0 if api is None else api.insert_order(order.buffer, self.td.session)
        except RuntimeError:  # released by close() while this order was on its way
            api = None
        if api is None:
            return "", f"{CLOSED_REASON}: the order was not sent"
        if not xtp_id:
            code, text = api.last_error()
            return "", f"InsertOrder refused: code {code}: {text}"
        return str(xtp_id), ""

    def cancel_order(self, req: CancelRequest) -> None:
        orderid = req.orderid
        # isdecimal, not isdigit: "²" is a digit that int() refuses; XTP's ids are unsigned 64-bit
        if not (orderid.isascii() and orderid.isdecimal() and 0 < int(orderid) < 2**64):
            self.write_log(f"cannot cancel {orderid}: not an XTP order id (it was never sent)", ERROR)
            return
        api = self.td.api
        if self.closed or api is None:
            self.write_log(f"cannot cancel {orderid}: {CLOSED_REASON}", ERROR)
            return
        if not self.td.logged_in:
            self.write_log(f"cannot cancel {orderid}: not logged in to the trade front", ERROR)
            return
        try:
            cancelled = api.cancel_order(int(orderid), self.td.session)
        except RuntimeError:  # released by close() meanwhile
            self.write_log(f"cannot cancel {orderid}: {CLOSED_REASON}", ERROR)
            return
        if not cancelled:
            code, text = api.last_error()
            self.write_log(f"cancel of {orderid} failed: code {code}: {text}", ERROR)

    def order_event(self, data: Any, reason: str) -> None:
        """An OnOrderEvent report (XTPOrderInfo): its fields from one unpack, OrderData built positionally (an
        order sent here keeps its type, offset and reference: `order_reported`)."""
        xtp_id, market, code, side_code, business, price_type, ticker, price, quantity, traded, inserted = (
            _read_order_info(data)
        )
        status = self.known(mapping.STATUS_FROM_XTP, code, "order status", Status.SUBMITTING)
        if not reason and self.order_moved(
            str(xtp_id), status, traded, volume=quantity, price=price, when=inserted
        ):
            return  # e.g. the INIT and the queued report of an order sent here
        side = mapping.SIDE_FROM_XTP.get(side_code, Side.BUY if side_code == 1 else Side.SELL)
        direction, offset = SIDE_ORDER[side]
        if business != xt.XTP_BUSINESS_TYPE_MARGIN:
            offset = Offset.NONE
        order = OrderData(  # positional (OrderData's field order): a third of the keyword call's cost
            self.gateway_name,
            ticker,
            self.known(mapping.MARKET_FROM_XTP, market, "market", Exchange.LOCAL),
            str(xtp_id),
            mapping.ORDER_TYPE_FROM_XTP.get(price_type, OrderType.LIMIT),
            direction,
            offset,
            price,
            quantity,
            traded,
            status,
            mapping.xtp_datetime(inserted),
            "",
        )
        self.order_reported(order, reason, "XTP")

    def report_time(self, when: Any) -> dt.datetime | None:
        return mapping.xtp_datetime(when)

    def trade_event(self, data: Any) -> None:
        """An OnTradeEvent report (XTPTradeReport)."""
        exchange = mapping.MARKET_FROM_XTP.get(data.market, Exchange.LOCAL)
        side = mapping.SIDE_FROM_XTP.get(data.side, Side.BUY if data.side == 1 else Side.SELL)
        direction, offset = SIDE_ORDER[side]
        if data.business_type != xt.XTP_BUSINESS_TYPE_MARGIN:
            offset = Offset.NONE
        self.trade_report(
            TradeData(
                gateway_name=self.gateway_name,
                symbol=data.ticker,
                exchange=exchange,
                orderid=str(data.order_xtp_id),
                tradeid=data.exec_id,
                direction=direction,
                offset=offset,
                price=data.price,
                volume=data.quantity,
                datetime=mapping.xtp_datetime(data.trade_time),
            )
        )

    # -- account and positions -------------------------------------------------------------------------------

    def update_account(self, data: Any) -> None:
        self.book.margin = data.account_type == xt.XTP_ACCOUNT_CREDIT
        assert self.setting is not None
        account = AccountData(
            gateway_name=self.gateway_name,
            accountid=self.setting.username,
            balance=data.total_asset,
            frozen=data.withholding_amount,
        )
        account.available = data.buying_power
        self._account = account
        self._push_account()

    def _push_account(self) -> None:
        account = self._account
        if account is None:
            return
        if self.credit:
            account = dataclasses.replace(account)  # extra is not a field: a new object gets its own
            account.extra = {"credit": dict(self.credit)}
        self.on_account(account)

    def update_credit(self, data: Any) -> None:
        """XTPCrdFundInfo: the credit account's figures go with its account (extra["credit"])."""
        self.credit = {
            "maintenance_ratio": data.maintenance_ratio,
            "all_asset": data.all_asset,
            "all_debt": data.all_debt,
            "line_of_credit": data.line_of_credit,
            "guaranty": data.guaranty,
        }
        self._push_account()

    def add_debt(self, data: Any) -> None:
        """One XTPCrdDebtInfo: a securities debt (a short sale) not repaid counts as a SHORT position; one of
        an earlier day (XTP gives those no order id) counts as yesterday's."""
        exchange = mapping.MARKET_FROM_XTP.get(data.market)
        if data.debt_type != mapping.DEBT_SECURITIES or exchange is None or data.remain_qty <= 0:
            return  # a cash debt is in the credit figures; an empty record answers "no debt"
        key = (data.ticker, exchange)
        volume, old = self.debts_building.get(key, (0.0, 0.0))
        owed = float(data.remain_qty)
        self.debts_building[key] = (volume + owed, old + (owed if not data.order_xtp_id else 0.0))

    def debts_done(self) -> None:
        self.short_debts, self.debts_building = self.debts_building, {}

    def positions_done(self) -> None:
        for (symbol, exchange), (volume, old) in self.short_debts.items():
            self.position_answer(
                symbol, exchange, volume=volume, sellable=volume, yd_volume=old, direction=Direction.SHORT
            )
        super().positions_done()

    def add_position(self, data: Any) -> None:
        exchange = mapping.MARKET_FROM_XTP.get(data.market)
        if exchange is None or not data.ticker:  # XTP answers "no position" with an empty record
            return
        short = data.position_direction == xt.XTP_POSITION_DIRECTION_SHORT
        self.position_answer(
            data.ticker,
            exchange,
            volume=data.total_qty,
            sellable=data.sellable_qty,
            yd_volume=data.yesterday_position,
            price=data.avg_price,
            pnl=data.unrealized_pnl,
            direction=Direction.SHORT if short else Direction.NET,
        )

    def query_account(self) -> None:
        self.td.enqueue("QueryAsset")
        if self.book.margin:
            self.td.enqueue("QueryCreditFundInfo")

    def query_position(self) -> None:
        if self.book.margin:  # answered first: the position answer then carries the short sales
            self.td.enqueue("QueryCreditDebtInfo")
        self.td.enqueue("QueryPosition")


__all__ = ["XtpGateway", "XtpSetting"]
