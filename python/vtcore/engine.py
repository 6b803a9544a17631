"""MainEngine, BaseEngine, OmsEngine and LogEngine with vn.py's API.

Differences from vn.py: no `os.chdir` (the settings folder is found per call), `unsubscribe`, `connect` may
load and validate `connect_<gateway>.json`, gateway names are checked (no "." so vt ids split cleanly, no
duplicates), and order/cancel requests are not formatted into log lines on the order path.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from vtcore import vnpy_compat
from vtcore.constant import Exchange
from vtcore.converter import OffsetConverter
from vtcore.errors import GatewayError, GatewayNotFoundError
from vtcore.event import (
    EVENT_ACCOUNT,
    EVENT_CONTRACT,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_QUOTE,
    EVENT_TICK,
    EVENT_TRADE,
    Event,
    EventEngine,
)
from vtcore.gateway import BaseGateway
from vtcore.log import get_logger, setup_logging
from vtcore.object import (
    AccountData,
    BarData,
    CancelRequest,
    ContractData,
    HistoryRequest,
    LogData,
    OrderData,
    OrderRequest,
    PositionData,
    QuoteData,
    QuoteRequest,
    SubscribeRequest,
    TickData,
    TradeData,
    check_request,
)
from vtcore.setting import (
    DefaultSetting,
    SettingsSpec,
    get_folder_path,
    get_settings,
    load_connect_setting,
)

_E = TypeVar("_E", bound="BaseEngine")
_G = TypeVar("_G", bound=BaseGateway)


class BaseEngine:
    """An app's engine: created by `MainEngine.add_engine(cls)` as `cls(main_engine, event_engine)`."""

    def __init__(self, main_engine: MainEngine, event_engine: EventEngine, engine_name: str) -> None:
        self.main_engine = main_engine
        self.event_engine = event_engine
        self.engine_name = engine_name

    def close(self) -> None:
        return None


class MainEngine:
    """Holds gateways, engines and apps, and routes requests to gateways by name."""

    def __init__(self, event_engine: EventEngine | None = None) -> None:
        get_settings()  # a malformed vt_setting.json fails here, with its name and key
        self.event_engine = event_engine if event_engine is not None else EventEngine()
        if not self.event_engine.active:
            self.event_engine.start()
        self.gateways: dict[str, BaseGateway] = {}
        self.engines: dict[str, BaseEngine] = {}
        self.apps: dict[str, Any] = {}
        self.exchanges: list[Exchange] = []
        self.init_engines()

    def init_engines(self) -> None:
        self.log_engine = self.add_engine(LogEngine)
        self.oms_engine = self.add_engine(OmsEngine)

    # -- registration -----------------------------------------------------------------------------------

    def add_gateway(self, gateway_class: type[_G], gateway_name: str = "") -> _G:
        """Create a gateway under `gateway_name` (default: the class's `default_name`) and return it."""
        name = gateway_name or gateway_class.default_name
        if not name:
            raise GatewayError(f"{gateway_class.__name__} has no default_name; pass gateway_name")
        if "." in name:
            raise GatewayError(f"gateway name {name!r} must not contain '.' (it separates vt ids)")
        if name in self.gateways:
            raise GatewayError(f"a gateway named {name!r} already exists")
        gateway = gateway_class(self.event_engine, name)
        self.gateways[name] = gateway
        for exchange in gateway.exchanges:
            if exchange not in self.exchanges:
                self.exchanges.append(exchange)
        return gateway

    def add_engine(self, engine_class: type[_E]) -> _E:
        """Create an engine as `engine_class(main_engine, event_engine)`; a vn.py engine class gets vn.py's
        API over this engine (`vtcore.vnpy_compat`)."""
        if vnpy_compat.is_vnpy_engine(engine_class):
            vnpy_engine: _E = vnpy_compat.host(self).add_engine(engine_class)
            return vnpy_engine
        engine = engine_class(self, self.event_engine)  # type: ignore[call-arg]
        self.engines[engine.engine_name] = engine
        return engine

    def add_app(self, app_class: type[Any]) -> BaseEngine:
        """An app: an object with `app_name` and `engine_class` (vn.py's BaseApp shape). vn.py's own apps
        (vnpy_ctastrategy, ...) run unchanged through `vtcore.vnpy_compat`; returns the app's engine."""
        if vnpy_compat.is_vnpy_app(app_class):
            return vnpy_compat.add_app(self, app_class)
        app = app_class()
        engine_class: type[BaseEngine] = app.engine_class
        engine = self.add_engine(engine_class)
        self.apps[app.app_name] = app  # only once its engine runs: a failed app is not listed as added
        return engine

    # -- lookups ----------------------------------------------------------------------------------------

    def write_log(self, msg: str, source: str = "MainEngine", level: int = logging.INFO) -> None:
        self.event_engine.put(Event(EVENT_LOG, LogData(gateway_name=source, msg=msg, level=level)))

    def get_gateway(self, gateway_name: str) -> BaseGateway | None:
        gateway = self.gateways.get(gateway_name)
        if gateway is None:
            self.write_log(f"gateway not found: {gateway_name}", level=logging.WARNING)
        return gateway

    def get_engine(self, engine_name: str) -> BaseEngine | None:
        engine = self.engines.get(engine_name)
        if engine is None:
            self.write_log(f"engine not found: {engine_name}", level=logging.WARNING)
        return engine

    def get_default_setting(self, gateway_name: str) -> DefaultSetting | None:
        gateway = self.get_gateway(gateway_name)
        return gateway.get_default_setting() if gateway else None

    def get_settings_spec(self, gateway_name: str) -> SettingsSpec | None:
        """The gateway's settings contract (`BaseGateway.settings_spec`), its `default_setting` as returned by
        `get_default_setting()` (which a gateway may override)."""
        gateway = self.gateways.get(gateway_name)
        if gateway is None:
            return None
        spec = gateway.settings_spec()
        fields = gateway.get_default_setting()
        if fields is not spec.fields:
            spec = replace(
                spec,
                fields=fields,
                optional={key: doc for key, doc in spec.optional.items() if key in fields},
                aliases={alias: key for alias, key in spec.aliases.items() if key in fields},
            )
        return spec

    def get_all_gateway_names(self) -> list[str]:
        return list(self.gateways)

    def get_all_apps(self) -> list[Any]:
        return list(self.apps.values())

    def get_all_exchanges(self) -> list[Exchange]:
        return list(self.exchanges)

    # -- routing ----------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any] | None = None, gateway_name: str = "") -> None:
        """Connect a gateway. With `setting=None` the setting is read from `connect_<gateway>.json`; either
        way it is validated against the gateway's `default_setting` (SettingsError names the file or key)."""
        gateway = self.gateways.get(gateway_name)
        if gateway is None:
            raise GatewayNotFoundError(f"no gateway named {gateway_name!r}")
        spec = self.get_settings_spec(gateway_name)
        if setting is None:
            setting = load_connect_setting(gateway_name, spec)
        elif spec is not None and spec.fields:
            setting = spec.validate(setting, file=None)
        self.write_log(f"connecting gateway {gateway_name}")
        gateway.connect(setting)

    def subscribe(self, req: SubscribeRequest, gateway_name: str) -> None:
        check_request(req)  # a bad field is the caller's TypeError/ValueError here, for every gateway
        gateway = self.get_gateway(gateway_name)
        if gateway:
            gateway.subscribe(req)

    def unsubscribe(self, req: SubscribeRequest, gateway_name: str) -> None:
        check_request(req)
        gateway = self.get_gateway(gateway_name)
        if gateway:
            gateway.unsubscribe(req)

    def send_order(self, req: OrderRequest, gateway_name: str) -> str:
        check_request(req)
        gateway = self.get_gateway(gateway_name)
        return gateway.send_order(req) if gateway else ""

    def send_converted_order(
        self, req: OrderRequest, gateway_name: str, lock: bool = False, net: bool = False
    ) -> list[str]:
        """`convert_order_request`, `send_order` for each request, `update_order_request` for each sent one,
        atomically with respect to other conversions for the gateway; returns the vt_orderids.

        Raises `vtcore.converter.OverCloseError` (nothing is sent) when a close exceeds the free volume.
        """
        check_request(req)
        gateway = self.get_gateway(gateway_name)
        if gateway is None:
            return []
        return self.oms_engine.get_converter(gateway_name).send(req, gateway.send_order, lock, net)

    def cancel_order(self, req: CancelRequest, gateway_name: str) -> None:
        check_request(req)
        gateway = self.get_gateway(gateway_name)
        if gateway:
            gateway.cancel_order(req)

    def send_quote(self, req: QuoteRequest, gateway_name: str) -> str:
        check_request(req)
        gateway = self.get_gateway(gateway_name)
        return gateway.send_quote(req) if gateway else ""

    def cancel_quote(self, req: CancelRequest, gateway_name: str) -> None:
        check_request(req)
        gateway = self.get_gateway(gateway_name)
        if gateway:
            gateway.cancel_quote(req)

    def query_history(self, req: HistoryRequest, gateway_name: str) -> list[BarData]:
        check_request(req)
        gateway = self.get_gateway(gateway_name)
        return gateway.query_history(req) if gateway else []

    def close(self) -> None:
        """Stop the event engine, then close every engine, then every gateway (vn.py's order)."""
        self.event_engine.stop()
        for engine in self.engines.values():
            engine.close()
        for gateway in self.gateways.values():
            gateway.close()

    # -- OMS views (vn.py binds these from OmsEngine) ---------------------------------------------------

    def get_tick(self, vt_symbol: str) -> TickData | None:
        return self.oms_engine.ticks.get(vt_symbol)

    def get_order(self, vt_orderid: str) -> OrderData | None:
        return self.oms_engine.orders.get(vt_orderid)

    def get_trade(self, vt_tradeid: str) -> TradeData | None:
        return self.oms_engine.trades.get(vt_tradeid)

    def get_position(self, vt_positionid: str) -> PositionData | None:
        return self.oms_engine.positions.get(vt_positionid)

    def get_account(self, vt_accountid: str) -> AccountData | None:
        return self.oms_engine.accounts.get(vt_accountid)

    def get_contract(self, vt_symbol: str) -> ContractData | None:
        return self.oms_engine.contracts.get(vt_symbol)

    def get_quote(self, vt_quoteid: str) -> QuoteData | None:
        return self.oms_engine.quotes.get(vt_quoteid)

    def get_all_ticks(self) -> list[TickData]:
        return list(self.oms_engine.ticks.values())

    def get_all_orders(self) -> list[OrderData]:
        return list(self.oms_engine.orders.values())

    def get_all_trades(self) -> list[TradeData]:
        return list(self.oms_engine.trades.values())

    def get_all_positions(self) -> list[PositionData]:
        return list(self.oms_engine.positions.values())

    def get_all_accounts(self) -> list[AccountData]:
        return list(self.oms_engine.accounts.values())

    def get_all_contracts(self) -> list[ContractData]:
        return list(self.oms_engine.contracts.values())

    def get_all_quotes(self) -> list[QuoteData]:
        return list(self.oms_engine.quotes.values())

    def get_all_active_orders(self) -> list[OrderData]:
        return list(self.oms_engine.active_orders.values())

    def get_all_active_quotes(self) -> list[QuoteData]:
        return list(self.oms_engine.active_quotes.values())

    # -- offset conversion (vn.py's OffsetConverter, `vtcore.converter`) ---------------------------------

    def get_converter(self, gateway_name: str) -> OffsetConverter | None:
        """The gateway's OffsetConverter, once the gateway has pushed anything it follows."""
        return self.oms_engine.offset_converters.get(gateway_name)

    def convert_order_request(
        self, req: OrderRequest, gateway_name: str, lock: bool = False, net: bool = False
    ) -> list[OrderRequest]:
        """The requests to send instead of `req` (SHFE/INE close today/yesterday, lock and net modes).

        Unlike vn.py, a close beyond the free volume raises `vtcore.converter.OverCloseError` instead of
        returning an empty list. Call `update_order_request` for each request sent, or use
        `send_converted_order`, which does all three steps at once.
        """
        converter = self.get_converter(gateway_name)
        return converter.convert_order_request(req, lock, net) if converter else [req]

    def update_order_request(self, req: OrderRequest, vt_orderid: str, gateway_name: str) -> None:
        """Tell the gateway's converter about a request just sent, so that it freezes the volume at once."""
        converter = self.get_converter(gateway_name)
        if converter is not None:
            converter.update_order_request(req, vt_orderid)


class OmsEngine(BaseEngine):
    """Latest state per id, kept on the engine thread from the gateways' events (references, as in vn.py)."""

    def __init__(self, main_engine: MainEngine, event_engine: EventEngine) -> None:
        super().__init__(main_engine, event_engine, "oms")
        self.ticks: dict[str, TickData] = {}
        self.orders: dict[str, OrderData] = {}
        self.trades: dict[str, TradeData] = {}
        self.positions: dict[str, PositionData] = {}
        self.accounts: dict[str, AccountData] = {}
        self.contracts: dict[str, ContractData] = {}
        self.quotes: dict[str, QuoteData] = {}
        self.active_orders: dict[str, OrderData] = {}
        self.active_quotes: dict[str, QuoteData] = {}
        self.offset_converters: dict[str, OffsetConverter] = {}
        event_engine.register(EVENT_TICK, self.process_tick_event)
        event_engine.register(EVENT_ORDER, self.process_order_event)
        event_engine.register(EVENT_TRADE, self.process_trade_event)
        event_engine.register(EVENT_POSITION, self.process_position_event)
        event_engine.register(EVENT_ACCOUNT, self.process_account_event)
        event_engine.register(EVENT_CONTRACT, self.process_contract_event)
        event_engine.register(EVENT_QUOTE, self.process_quote_event)

    def process_tick_event(self, event: Event) -> None:
        tick: TickData = event.data
        self.ticks[tick.vt_symbol] = tick

    def process_order_event(self, event: Event) -> None:
        order: OrderData = event.data
        vt_orderid = order.vt_orderid
        self.orders[vt_orderid] = order
        if order.is_active():
            self.active_orders[vt_orderid] = order
        else:
            self.active_orders.pop(vt_orderid, None)
        self.get_converter(order.gateway_name).update_order(order)

    def process_trade_event(self, event: Event) -> None:
        trade: TradeData = event.data
        self.trades[trade.vt_tradeid] = trade
        self.get_converter(trade.gateway_name).update_trade(trade)

    def process_position_event(self, event: Event) -> None:
        position: PositionData = event.data
        self.positions[position.vt_positionid] = position
        self.get_converter(position.gateway_name).update_position(position)

    def process_account_event(self, event: Event) -> None:
        account: AccountData = event.data
        self.accounts[account.vt_accountid] = account

    def process_contract_event(self, event: Event) -> None:
        contract: ContractData = event.data
        self.contracts[contract.vt_symbol] = contract
        if contract.name:  # runs on the engine thread, the one that builds TickData from C++ ticks
            self.event_engine.set_tick_name(contract.vt_symbol, contract.name)
        self.get_converter(contract.gateway_name)

    def get_contract(self, vt_symbol: str) -> ContractData | None:
        return self.contracts.get(vt_symbol)

    def get_converter(self, gateway_name: str) -> OffsetConverter:
        """The gateway's OffsetConverter, created on first use (vn.py creates it on the first contract)."""
        converter = self.offset_converters.get(gateway_name)
        if converter is None:
            converter = self.offset_converters.setdefault(gateway_name, OffsetConverter(self.get_contract))
        return converter

    def process_quote_event(self, event: Event) -> None:
        quote: QuoteData = event.data
        vt_quoteid = quote.vt_quoteid
        self.quotes[vt_quoteid] = quote
        if quote.is_active():
            self.active_quotes[vt_quoteid] = quote
        else:
            self.active_quotes.pop(vt_quoteid, None)

    def close(self) -> None:
        for type_, handler in (
            (EVENT_TICK, self.process_tick_event),
            (EVENT_ORDER, self.process_order_event),
            (EVENT_TRADE, self.process_trade_event),
            (EVENT_POSITION, self.process_position_event),
            (EVENT_ACCOUNT, self.process_account_event),
            (EVENT_CONTRACT, self.process_contract_event),
            (EVENT_QUOTE, self.process_quote_event),
        ):
            self.event_engine.unregister(type_, handler)


class LogEngine(BaseEngine):
    """Sends LogData events to standard `logging` (logger "vtcore.gateway" with `gateway_name` in the record).

    With `log.active`, installs vtcore's masked handlers per vt_setting.json: console and/or
    `.vntrader/log/vt_YYYYMMDD.log` at `log.level`.
    """

    def __init__(self, main_engine: MainEngine, event_engine: EventEngine) -> None:
        super().__init__(main_engine, event_engine, "log")
        self.logger = get_logger("vtcore.gateway")
        settings = get_settings()
        if not settings["log.active"]:
            return
        level = int(settings["log.level"])
        log_file = None
        if settings["log.file"]:
            log_file = get_folder_path("log") / f"vt_{datetime.now():%Y%m%d}.log"
        setup_logging(level, console=bool(settings["log.console"]), file=log_file)
        event_engine.register(EVENT_LOG, self.process_log_event)

    def register_log(self, event_type: str) -> None:
        """Log the LogData events of `event_type` too (vn.py's apps put theirs under their own type, e.g.
        "eCtaLog", and register it here)."""
        self.event_engine.register(event_type, self.process_log_event)

    def process_log_event(self, event: Event) -> None:
        log: LogData = event.data
        self.logger.log(log.level, log.msg, extra={"gateway_name": log.gateway_name})

    def close(self) -> None:
        self.event_engine.unregister(EVENT_LOG, self.process_log_event)
