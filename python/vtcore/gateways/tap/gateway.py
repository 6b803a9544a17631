"""TapGateway: foreign futures through TAP (易盛 Esunny 9.x), on the SDK kit's typed messages.

TAP differs from the CTP-shaped SDKs in how it is driven (femas/ and _sdk/thost/ are those): the libraries are
C entry points with an authorization code (`auth_code`); a front connects in Login(struct) after
SetHostAddress(host, port); the SDK assigns each request's id (the "session") and answers with an error code,
not an error struct; the last answer is flagged 'Y'. Its mapping is its own (tap/mapping.py).

Fronts, their states pushed as GatewayStateData and logged on every change:
    quote: disconnected -> connecting -> logged_in -> ready (API ready; contracts queried, subscriptions
           restored)
    trade: disconnected -> connecting -> logged_in -> ready (API ready; the account known; the day's orders
           and fills queried)
    plus "timeout" (no answer), "login_rejected" (not retried until connect() is called again, so a wrong
    password cannot lock the account), "unavailable" and "closed". The trade API reconnects by itself (the
    binding sets ReConnectCount/ReConnectSeconds); the quote front logs in again 5 s after a disconnect.
A setting without `trade_host` connects market data only. Contracts come from the quote API (QryCommodity,
then QryContract): symbol = commodity + contract number (see tap/mapping.py), size and tick from the
commodity.

Time zone: TAP's headers give the format of its times, not their zone, and its commodities carry a
CommodityTimeZone; Esunny's servers stamp quotes, orders and fills in China Standard Time (UTC+8), which is
also how vn.py's TAP gateway reads them, so every TAP time is read as China time (ticks in the C++ conversion,
orders and fills in tap/mapping.py).

Orders: the order id is vtcore's own ("<connect stamp>_<n>"), sent in RefString and echoed in every report, so
a report is matched before the API's OrderNo is known; OrderNo + ServerFlag (from the reports) name the order
in a cancel, which waits for them when it comes earlier. A TAP error code (InsertOrder's result, or an order
report's ErrorCode) makes the order REJECTED with the library's own text for it (GetITapErrorDescribe, else
the header's words). Trades are pushed once per (exchange, symbol, direction, MatchNo), tradeid "EXCHANGE.id".
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from logging import ERROR, WARNING
from pathlib import Path
from typing import Any, ClassVar

from vtcore.constant import Direction, Exchange, Offset, OrderType, Product, Status
from vtcore.errors import SdkLibraryError, SettingsError
from vtcore.event import EventEngine
from vtcore.gateways._sdk.front import CLOSED, CLOSED_REASON, Front, QueryPump
from vtcore.gateways._sdk.gateway import SdkGateway, check_setting_fits
from vtcore.gateways._sdk.messages import Decoder, Message
from vtcore.gateways.tap import _tapquote_types as qt
from vtcore.gateways.tap import _taptrade_types as tt
from vtcore.gateways.tap import mapping
from vtcore.gateways.tap.library import (
    DEFAULT_SETTING,
    OPTIONAL_SETTING,
    SETTING_ALIASES,
    find_libraries,
    load_binding,
)
from vtcore.log import secret_free_repr
from vtcore.object import (
    CancelRequest,
    ContractData,
    OrderData,
    OrderRequest,
    SubscribeRequest,
    TradeData,
)

RELOGIN_DELAY = 5.0  # seconds after a quote disconnect before logging in again
#: the settings sent in TAP's login structs: (struct, field, setting key)
SETTING_FIELDS = (
    (qt.QuoteLoginAuth, "UserNo", "quote_username"),
    (qt.QuoteLoginAuth, "Password", "quote_password"),
    (tt.TradeLoginAuth, "UserNo", "trade_username"),
    (tt.TradeLoginAuth, "Password", "trade_password"),
)


@dataclass(frozen=True)
class TapSetting:
    auth_code: str
    quote_username: str
    quote_password: str
    quote_host: str
    quote_port: int
    trade_username: str
    trade_password: str
    trade_host: str
    trade_port: int
    library_dir: str

    __repr__ = secret_free_repr  # no password, key or auth code in a log

    @classmethod
    def parse(cls, setting: dict[str, Any]) -> TapSetting:
        values: dict[str, Any] = {}
        for key, default in DEFAULT_SETTING.items():
            value = setting.get(key, default)
            if isinstance(default, int):
                if isinstance(value, str) and value.strip().isdigit():
                    value = int(value)
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 65535:
                    raise SettingsError(f"TAP setting {key!r} must be a port number (0-65535), not {value!r}")
            elif not isinstance(value, str):
                raise SettingsError(f"TAP setting {key!r} must be a string")
            else:
                value = value if "password" in key or key == "auth_code" else value.strip()
            values[key] = value
        for key in ("auth_code", "quote_username", "quote_host"):
            if not values[key]:
                raise SettingsError(f"TAP setting {key!r} is empty")
        if not values["quote_port"]:
            raise SettingsError("TAP setting 'quote_port' is 0")
        if values["trade_host"] and (not values["trade_username"] or not values["trade_port"]):
            raise SettingsError("TAP settings 'trade_username' and 'trade_port' are needed with 'trade_host'")
        return cls(**values)

    def check_fields(self) -> None:
        """Refuse a value that does not fit TAP's login structs before anything is sent (a TAP password holds
        20 bytes): a SettingsError names the setting and the field."""
        check_setting_fits("TAP", self, SETTING_FIELDS)
        if len(self.auth_code.encode()) > 512:
            raise SettingsError("TAP setting 'auth_code' does not fit: at most 512 bytes (AuthCode)")


class _TapFront(Front):
    """A TAP front: SetHostAddress + Login, requests whose id the SDK assigns, errors as codes."""

    sdk = "tap"

    def __init__(self, gateway: TapGateway, types: Any, requests: dict[str, Any]) -> None:
        super().__init__(gateway, Decoder(types), requests)
        self.gateway: TapGateway = gateway
        self.host = ""
        self.port = 0
        self.auth: Any = None  # the login struct

    def begin_connect(self, address: str, register: str = "") -> None:
        result = self.api.set_host_address(self.host, self.port)
        if result != 0:
            self.set_state("unavailable", f"SetHostAddress refused: {self.gateway.error_text(result)}", ERROR)
            return
        self.set_state("connecting", address)
        self.login()

    def login(self) -> None:
        if self.rejected:
            self.gateway.write_log(f"{self.name} front: not logging in again: {self.rejected}", WARNING)
            return
        result = self.api.login(self.auth.buffer)
        if result != 0:
            self.gateway.write_log(
                f"{self.name} front: login failed: {self.gateway.error_text(result)}", ERROR
            )

    def send(self, api: Any, index: int, payload: Any) -> int:
        """TAP assigns the request's id itself (the session id); answers are matched by what they carry."""
        result, _session = api.request(index, payload)
        return int(result)

    def on_rsp_login(self, message: Message) -> None:
        if message.error is not None:
            self.reject("login", self.gateway.message_error(message))
            return
        self.set_state("logged_in")

    def on_disconnect(self, message: Message) -> None:
        self.logged_in = False
        self.set_state("disconnected", f"reason {self.gateway.error_text(message.request_id)}", WARNING)


class QuoteFront(_TapFront):
    name = "quote"

    def __init__(self, gateway: TapGateway) -> None:
        super().__init__(gateway, qt, qt.QUOTE_REQUESTS)
        self.subscribed: dict[str, Exchange] = {}
        self.commodities: dict[tuple[str, str, str], Any] = {}  # (exchange, type, commodity) -> info
        self.contracts_loaded = False
        self.disconnected_at = 0.0
        self.queries = QueryPump(self, gateway.lock, interval=0.0)

    def on_api_ready(self, message: Message) -> None:
        self.logged_in = True
        self.disconnected_at = 0.0
        if self.contracts_loaded:
            self.restore()
        else:
            self.queries.enqueue("QryCommodity", {})

    def on_disconnect(self, message: Message) -> None:
        super().on_disconnect(message)
        self.disconnected_at = time.monotonic()

    def relogin(self, now: float) -> None:
        """The quote API does not log in again by itself: 5 s after a disconnect, it is asked to."""
        if self.disconnected_at and now - self.disconnected_at >= RELOGIN_DELAY and self.api is not None:
            self.disconnected_at = now
            self.login()

    def restore(self) -> None:
        self.set_state("ready", f"{len(self.subscribed)} subscription(s)")
        for symbol, exchange in list(self.subscribed.items()):
            self.gateway.send_subscribe(symbol, exchange)

    def on_rsp_qry_commodity(self, message: Message) -> None:
        data: Any = message.data
        if not self.gateway.log_error(message, "quote front: commodity query") and data is not None:
            key = (data.Commodity_ExchangeNo, data.Commodity_CommodityType, data.Commodity_CommodityNo)
            self.commodities[key] = data
        if message.is_last:
            self.queries.enqueue("QryContract", {})

    def on_rsp_qry_contract(self, message: Message) -> None:
        if not self.gateway.log_error(message, "quote front: contract query") and message.data is not None:
            self.gateway.add_contract(message.data, self.commodities)
        if message.is_last:
            self.contracts_loaded = True
            self.set_state("contracts_loaded", f"{len(self.gateway.contracts)} contracts")
            self.restore()

    def on_rsp_subscribe_quote(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(
                f"quote front: a subscription failed: {self.gateway.message_error(message)}", ERROR
            )


class TradeFront(_TapFront):
    name = "trade"

    def __init__(self, gateway: TapGateway) -> None:
        super().__init__(gateway, tt, tt.TRADE_REQUESTS)
        self.account = ""
        self.queries = QueryPump(self, gateway.lock, interval=0.0)

    def on_api_ready(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(
                f"trade front: API not ready: {self.gateway.message_error(message)}", ERROR
            )
            return
        self.logged_in = True
        self.queries.enqueue("QryAccount", {})

    def on_rsp_qry_account(self, message: Message) -> None:
        data: Any = message.data
        if self.gateway.log_error(message, "trade front: account query") or data is None:
            return
        self.account = data.AccountNo
        self.set_state("ready", f"account {self.account}")
        # the day's orders and fills: what happened before this session (the tracker drops repeats)
        for name in ("QryOrder", "QryFill", "QryFund", "QryPositionSummary"):
            self.queries.enqueue(
                name, {"AccountNo": self.account} if "Fund" in name or "Position" in name else {}
            )

    def on_rtn_order(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.update_order(message.data, message)

    on_rsp_qry_order = on_rtn_order

    def on_rsp_order_action(self, message: Message) -> None:
        if message.error is not None:
            self.gateway.write_log(f"cancel refused: {self.gateway.message_error(message)}", ERROR)
        elif message.data is not None:
            self.gateway.update_order(message.data, message)

    def on_rtn_fill(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.update_trade(message.data)

    def on_rsp_qry_fill(self, message: Message) -> None:
        if not self.gateway.log_error(message, "trade front: fill query") and message.data is not None:
            self.gateway.update_trade(message.data)

    def on_rsp_qry_fund(self, message: Message) -> None:
        if not self.gateway.log_error(message, "trade front: fund query") and message.data is not None:
            self.gateway.update_account(message.data)

    def on_rtn_fund(self, message: Message) -> None:
        if message.data is not None:
            self.gateway.update_account(message.data)

    def on_rsp_qry_position_summary(self, message: Message) -> None:
        self.gateway.position_message(message, "trade front: position query", self.gateway.add_position)

    def on_rtn_position_summary(self, message: Message) -> None:
        self.queries.enqueue("QryPositionSummary", {"AccountNo": self.account})  # the whole picture again


@dataclass
class _TapContract:
    """What TAP needs to name a contract in a request."""

    exchange_no: str
    commodity_type: str
    commodity_no: str
    contract_no: str
    strike: str
    call_put: str
    second: str


class TapGateway(SdkGateway):
    """Foreign futures and options through TAP (CME, NYMEX, COMEX, CBOT, ICE, LME, HKFE, SGX, ...)."""

    default_name: ClassVar[str] = "TAP"
    default_setting: ClassVar[dict[str, Any]] = dict(DEFAULT_SETTING)
    optional_setting: ClassVar[dict[str, str]] = dict(OPTIONAL_SETTING)
    #: the user's page's labels (vn.py 2.0's TAP dialog): 行情地址 is the quote host here, not md_address
    setting_aliases: ClassVar[dict[str, str]] = SETTING_ALIASES
    exchanges: ClassVar[list[Exchange]] = sorted(set(mapping.EXCHANGES.values()), key=lambda e: e.value)
    exchange_codes: ClassVar[dict[str, Exchange]] = mapping.EXCHANGES
    title: ClassVar[str] = "TAP"

    def __init__(self, event_engine: EventEngine, gateway_name: str = "") -> None:
        super().__init__(event_engine, gateway_name)
        self.quote = QuoteFront(self)
        self.trade = TradeFront(self)
        self.setting: TapSetting | None = None
        self.tap_contracts: dict[str, _TapContract] = {}
        self._order_prefix = time.strftime("%y%m%d%H%M%S")
        self._order_numbers = itertools.count(1)
        self._order_names: dict[str, tuple[str, str]] = {}  # order id -> (OrderNo, ServerFlag)
        self._orderids: dict[str, str] = {}  # OrderNo -> order id
        self._pending_cancels: dict[str, CancelRequest] = {}

    def fronts(self) -> tuple[_TapFront, ...]:
        return self.quote, self.trade

    def connect(self, setting: dict[str, Any]) -> None:
        with self.connect_errors():
            binding = load_binding()
            parsed = TapSetting.parse(setting)
            parsed.check_fields()
            quote_library, trade_library = find_libraries(parsed.library_dir)
        self.setting = parsed
        self.opened()
        self.write_log(f"connecting {parsed!r} with {quote_library.name} and {trade_library.name}")
        plans: list[tuple[Front, Callable[[], bool], Callable[[bool], None]]] = []
        if parsed.trade_host:
            trade = self.trade
            trade.host, trade.port = parsed.trade_host, parsed.trade_port
            trade.auth = tt.TradeLoginAuth(
                UserNo=parsed.trade_username, Password=parsed.trade_password, ISModifyPassword=mapping.NO
            )
            trade_address = f"{parsed.trade_host}:{parsed.trade_port}"
            plans.append(
                (
                    trade,
                    lambda: trade.create(
                        lambda flow, capsule: self._create(binding.TradeApi, trade_library, flow, capsule)
                    ),
                    lambda created: trade.begin(trade_address, created),
                )
            )
        quote = self.quote
        quote.host, quote.port = parsed.quote_host, parsed.quote_port
        quote.auth = qt.QuoteLoginAuth(
            UserNo=parsed.quote_username,
            Password=parsed.quote_password,
            ISModifyPassword=mapping.NO,
            ISDDA=mapping.NO,
        )
        quote_address = f"{parsed.quote_host}:{parsed.quote_port}"
        plans.append(
            (
                quote,
                lambda: quote.create(
                    lambda flow, capsule: self._create(binding.QuoteApi, quote_library, flow, capsule)
                ),
                lambda created: quote.begin(quote_address, created),
            )
        )
        self.start_fronts(*plans)

    def _create(self, api_class: Any, library: Path, flow: str, capsule: object) -> Any:
        """An API object; when the library's factory refuses (an authorization code it does not accept:
        -14), the refusal says so in the headers' words."""
        assert self.setting is not None
        try:
            return api_class(str(library), flow, capsule, self.setting.auth_code)
        except SdkLibraryError as exc:
            found = re.search(r"TAP error (-?\d+)", str(exc))
            if found is None:
                raise
            code = int(found.group(1))
            text = tt.ERROR_TEXTS.get(code) or qt.ERROR_TEXTS.get(code) or "no text for this code"
            raise SdkLibraryError(f"{exc} ({text})") from exc

    def on_timer(self, now: float) -> None:
        self.quote.queries.pump(now)
        self.quote.relogin(now)
        self.trade.queries.pump(now)
        self.poll(now, self.trade.queries.idle)

    # -- errors ---------------------------------------------------------------------------------------------

    def error_text(self, code: int) -> str:
        """'code N: <text>' in the API's own words: the trade library's GetITapErrorDescribe when it has one,
        else the headers' (the quote API has no describe function)."""
        text = ""
        api = self.trade.api
        if api is not None and code:
            text = bytes(api.error_describe(code)).decode("gb18030", "replace").strip()
        if not text:
            text = tt.ERROR_TEXTS.get(code) or qt.ERROR_TEXTS.get(code) or "no text for this code"
        return f"code {code}: {text}"

    def message_error(self, message: Message) -> str:
        code = int(message.error.ErrorID) if message.error is not None else 0  # type: ignore[attr-defined]
        return self.error_text(code)

    def log_error(self, message: Message, what: str) -> bool:
        if message.error is None:
            return False
        self.write_log(f"{what} failed: {self.message_error(message)}", ERROR)
        return True

    # -- contracts and market data --------------------------------------------------------------------------

    def add_contract(self, data: Any, commodities: dict[tuple[str, str, str], Any]) -> None:
        exchange_no = data.Contract_Commodity_ExchangeNo
        exchange = mapping.EXCHANGES.get(exchange_no)
        if exchange is None:
            self.nearest(f"contracts on exchange {exchange_no!r}, which vtcore does not map (skipped)")
            return
        commodity_type = data.Contract_Commodity_CommodityType
        commodity_no = data.Contract_Commodity_CommodityNo
        second = data.Contract_ContractNo2
        symbol = mapping.symbol(
            commodity_no,
            data.Contract_ContractNo1,
            data.Contract_StrikePrice1,
            data.Contract_CallOrPutFlag1,
            second,
        )
        if symbol in self.tap_contracts:
            known = self.tap_contracts[symbol]
            if known.exchange_no != exchange_no:
                self.write_log(
                    f"{symbol} is listed on {known.exchange_no} and {exchange_no}; keeping "
                    f"{known.exchange_no}'s",
                    WARNING,
                )
            return
        commodity = commodities.get((exchange_no, commodity_type, commodity_no))
        product = Product.FUTURES
        if commodity_type == mapping.COMMODITY_OPTION:
            product = Product.OPTION
        elif commodity_type in mapping.COMMODITY_SPREADS or second:
            product = Product.SPREAD
        contract = ContractData(
            gateway_name=self.gateway_name,
            symbol=symbol,
            exchange=exchange,
            name=data.ContractName or symbol,
            product=product,
            size=commodity.ContractSize if commodity is not None else 1,
            pricetick=commodity.CommodityTickSize if commodity is not None else 0.0,
            min_volume=1,
        )
        if product == Product.OPTION:
            contract.option_strike = float(data.Contract_StrikePrice1 or 0)
            contract.option_type = mapping.OPTION_TYPE_FROM_TAP.get(data.Contract_CallOrPutFlag1)
            contract.option_underlying = commodity_no + data.Contract_ContractNo1
            contract.option_portfolio = commodity_no
            contract.option_index = data.Contract_StrikePrice1
            contract.option_expiry = mapping.tap_date(data.ContractExpDate)
        self.tap_contracts[symbol] = _TapContract(
            exchange_no,
            commodity_type,
            commodity_no,
            data.Contract_ContractNo1,
            data.Contract_StrikePrice1,
            data.Contract_CallOrPutFlag1,
            second,
        )
        self.contracts[symbol] = contract
        self.on_contract(contract)

    def _contract_struct(self, tap: _TapContract) -> Any:
        return qt.Contract(
            Commodity_ExchangeNo=tap.exchange_no,
            Commodity_CommodityType=tap.commodity_type,
            Commodity_CommodityNo=tap.commodity_no,
            ContractNo1=tap.contract_no,
            StrikePrice1=tap.strike,
            CallOrPutFlag1=tap.call_put or mapping.NO_CALL_PUT,
            ContractNo2=tap.second,
            CallOrPutFlag2=mapping.NO_CALL_PUT,
        )

    def subscribe(self, req: SubscribeRequest) -> None:
        problem = self.symbol_problem(req.symbol, req.exchange, self.quote.contracts_loaded, ticks=True)
        if problem:
            self.write_log(f"cannot subscribe {req.vt_symbol}: {problem}", ERROR)
            return
        self.quote.subscribed[req.symbol] = req.exchange
        if self.quote.state == "ready":
            self.send_subscribe(req.symbol, req.exchange)

    def send_subscribe(self, symbol: str, exchange: Exchange) -> None:
        tap = self.tap_contracts.get(symbol)
        if tap is None:
            self.write_log(f"cannot subscribe {symbol}.{exchange.value}: not among TAP's contracts", ERROR)
            return
        try:
            contract = self._contract_struct(tap)
            self.quote.api.register_contract(contract.buffer, symbol, exchange.value)
        except ValueError as exc:
            self.write_log(f"cannot subscribe {symbol}.{exchange.value}: {exc}", ERROR)
            return
        result = self.quote.request("SubscribeQuote", contract)
        if result != 0:
            self.write_log(f"subscribe {symbol}.{exchange.value} failed: {self.error_text(result)}", ERROR)

    def unsubscribe(self, req: SubscribeRequest) -> None:
        if self.quote.subscribed.pop(req.symbol, None) is None:
            self.write_log(f"{req.vt_symbol} was not subscribed", WARNING)
            return
        tap = self.tap_contracts.get(req.symbol)
        if tap is not None and self.quote.state == "ready":
            result = self.quote.request("UnSubscribeQuote", self._contract_struct(tap))
            if result != 0:
                self.write_log(f"unsubscribe {req.vt_symbol} failed: {self.error_text(result)}", ERROR)

    # -- orders ---------------------------------------------------------------------------------------------

    def _order_problem(self, req: OrderRequest) -> str:
        if self.closed:
            return CLOSED_REASON
        if not self.trade.account:
            return "not logged in to the trade front" + ("" if self.trade.host else " (no trade_host set)")
        problem = self.symbol_problem(req.symbol, req.exchange, self.quote.contracts_loaded)
        if problem:
            return problem
        if req.symbol not in self.tap_contracts:
            return f"{req.symbol} is not among TAP's contracts"
        if req.type not in mapping.ORDER_TYPE_TO_TAP:
            return mapping.ORDER_TYPE_REFUSAL.get(
                req.type, f"order type {req.type.value} cannot be sent to TAP"
            )
        if req.direction not in mapping.DIRECTION_TO_TAP:
            return f"direction {req.direction} cannot be sent to TAP"
        if req.offset not in mapping.OFFSET_TO_TAP:
            return f"offset {req.offset.value} cannot be sent to TAP (use NONE, OPEN, CLOSE or CLOSETODAY)"
        return self.amount_problem(req, price_needed=req.type != OrderType.MARKET)

    def send_order(self, req: OrderRequest) -> str:
        with self.lock:  # reports (engine thread, same lock) come after SUBMITTING
            orderid = f"{self._order_prefix}_{next(self._order_numbers)}"
            order = req.create_order_data(orderid, self.gateway_name)
            problem = self._order_problem(req)
            if problem:
                self.reject(order, problem)
                return order.vt_orderid
            tap = self.tap_contracts[req.symbol]
            order_type, time_in_force = mapping.ORDER_TYPE_TO_TAP[req.type]
            try:
                fields = tt.NewOrder(
                    AccountNo=self.trade.account,
                    ExchangeNo=tap.exchange_no,
                    CommodityType=tap.commodity_type,
                    CommodityNo=tap.commodity_no,
                    ContractNo=tap.contract_no,
                    StrikePrice=tap.strike,
                    CallOrPutFlag=tap.call_put or mapping.NO_CALL_PUT,
                    OrderType=order_type,
                    TimeInForce=time_in_force,
                    OrderSide=mapping.DIRECTION_TO_TAP[req.direction],
                    PositionEffect=mapping.OFFSET_TO_TAP[req.offset],
                    OrderPrice=float(req.price) if req.type != OrderType.STOP else 0.0,
                    StopPrice=float(req.price) if req.type == OrderType.STOP else 0.0,
                    OrderQty=int(req.volume),
                    RefString=orderid,
                )
            except ValueError as exc:  # a value that does not fit TAP's struct: refused, named
                self.reject(order, str(exc))
                return order.vt_orderid
            self.orders.order(order)
            api = self.trade.api  # None once close() released it (also after the checks passed)
            try:
                result = CLOSED if api is None else int(api.insert_order(fields.buffer)[0])
            except RuntimeError:  # released by close() while this order was on its way
                result = CLOSED
            if result == CLOSED:
                self.reject(order, f"{CLOSED_REASON}: the order was not sent")
            elif result != 0:
                self.reject(order, f"InsertOrder: {self.error_text(result)}")
        return order.vt_orderid

    def cancel_order(self, req: CancelRequest) -> None:
        if self.closed:
            self.write_log(f"cannot cancel {req.orderid}: {CLOSED_REASON}", ERROR)
            return
        with self.lock:
            names = self._order_names.get(req.orderid)
            if names is None:
                if self.orders.get(req.orderid) is None:
                    self.write_log(f"cannot cancel {req.orderid}: no such order", ERROR)
                else:  # sent, not reported yet: cancelled when its OrderNo arrives
                    self._pending_cancels[req.orderid] = req
                return
            result = self.trade.request("CancelOrder", {"OrderNo": names[0], "ServerFlag": names[1]})
        if result == CLOSED:  # close() released the API object meanwhile
            self.write_log(f"cannot cancel {req.orderid}: {CLOSED_REASON}", ERROR)
        elif result != 0:
            self.write_log(f"cancel of {req.orderid} failed: {self.error_text(result)}", ERROR)

    def update_order(self, data: Any, message: Message) -> None:
        with self.lock:
            order_no = data.OrderNo
            orderid = data.RefString or self._orderids.get(order_no) or data.ClientOrderNo or order_no
            if not orderid:
                return
            if order_no:
                self._orderids[order_no] = orderid
                self._order_names[orderid] = (order_no, data.ServerFlag)
            mapped = mapping.order_status(data.OrderState)
            error = int(data.ErrorCode) or (int(message.error.ErrorID) if message.error is not None else 0)  # type: ignore[attr-defined]
            if mapped is None and not error:
                return  # cancelling / amending: the next report says how it ended
            status, exact = mapped if mapped is not None else (Status.REJECTED, True)
            if error and status != Status.REJECTED and not data.OrderMatchQty:
                status = Status.REJECTED  # refused: the report carries the error code
            if not exact:
                self.nearest(f"order state {data.OrderState!r}")
            order_type, exact = mapping.order_type(data.OrderType, data.TimeInForce)
            if not exact:
                self.nearest(f"order type {data.OrderType!r}/{data.TimeInForce!r}")
            previous = self.orders.get(orderid)
            order = OrderData(
                gateway_name=self.gateway_name,
                symbol=mapping.symbol(
                    data.CommodityNo, data.ContractNo, data.StrikePrice, data.CallOrPutFlag, data.ContractNo2
                ),
                exchange=self.exchange_of(data.ExchangeNo),
                orderid=orderid,
                type=order_type,
                direction=mapping.DIRECTION_FROM_TAP.get(data.OrderSide),
                offset=mapping.OFFSET_FROM_TAP.get(data.PositionEffect, Offset.NONE),
                price=data.StopPrice if order_type == OrderType.STOP else data.OrderPrice,
                volume=data.OrderQty,
                traded=data.OrderMatchQty,
                status=status,
                reference=previous.reference if previous else "",
                datetime=mapping.tap_datetime(data.OrderInsertTime),
            )
            if status == Status.REJECTED:
                reason = self.error_text(error) if error else "refused"
                if data.ErrorText and data.ErrorText not in reason:
                    reason += f" ({data.ErrorText})"
                self.reject(order, reason)
            else:
                self.orders.order(order)
            pending = self._pending_cancels.pop(orderid, None)
            if pending is not None and order_no:
                self.cancel_order(pending)
            if self.early_trades:
                with self.lock:
                    early = self.early_trades.release(order_no)
                for fill in early:
                    self.update_trade(fill)

    def update_trade(self, data: Any) -> None:
        with self.lock:
            orderid = self._orderids.get(data.OrderNo)
            if orderid is None:  # the fill came before its order: kept until the order arrives
                self.early_trades.keep(data.OrderNo, data)
                return
        self.orders.trade(
            TradeData(
                gateway_name=self.gateway_name,
                symbol=mapping.symbol(
                    data.CommodityNo, data.ContractNo, data.StrikePrice, data.CallOrPutFlag
                ),
                exchange=self.exchange_of(data.ExchangeNo),
                orderid=orderid,
                tradeid=data.MatchNo,
                direction=mapping.DIRECTION_FROM_TAP.get(data.MatchSide),
                offset=mapping.OFFSET_FROM_TAP.get(data.PositionEffect, Offset.NONE),
                price=data.MatchPrice,
                volume=data.MatchQty,
                datetime=mapping.tap_datetime(data.MatchDateTime),
            )
        )

    # -- account and positions ------------------------------------------------------------------------------

    def update_account(self, data: Any) -> None:
        accountid = f"{data.AccountNo}.{data.CurrencyNo}" if data.CurrencyNo else data.AccountNo
        self.push_account(accountid, data.Balance, data.Balance - data.Available, available=data.Available)

    def add_position(self, data: Any) -> None:
        if data.CommodityNo:
            direction = mapping.DIRECTION_FROM_TAP.get(data.MatchSide, Direction.NET)
            symbol = mapping.symbol(data.CommodityNo, data.ContractNo, data.StrikePrice, data.CallOrPutFlag)
            position = self.positions.position(symbol, self.exchange_of(data.ExchangeNo), direction)
            cost = position.price * position.volume + data.PositionPrice * data.PositionQty
            position.volume += data.PositionQty
            position.yd_volume += data.HisPositionQty
            position.pnl += data.PositionProfit
            position.price = cost / position.volume if position.volume else 0.0

    def query_account(self) -> None:
        if self.trade.account:
            self.trade.queries.enqueue("QryFund", {"AccountNo": self.trade.account})

    def query_position(self) -> None:
        if self.trade.account:
            self.trade.queries.enqueue("QryPositionSummary", {"AccountNo": self.trade.account})


__all__ = ["TapGateway", "TapSetting"]
