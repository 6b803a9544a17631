"""vn.py 4.x apps on vtcore: `main_engine.add_app(CtaStrategyApp)` with vtcore's MainEngine and EventEngine.

A vn.py app's engine is written against vn.py's MainEngine and EventEngine and vn.py's objects (enum values in
Chinese, ids computed once). `VnpyHost` gives it both, as adapters over vtcore's engines:

- events: an app registers its handlers on `VnpyEventEngine`; vtcore's engine thread dispatches, and each
  event's vtcore object is converted once to vn.py's class (enums by member name, so vtcore's locale-free
  values and vn.py's Chinese ones meet) for all of that type's vn.py handlers. What an app `put`s (its own
  event types and objects) goes into vtcore's queue as it is; vn.py objects under vtcore's own event types
  (eTick., eOrder., ...) are converted to vtcore's first, so vtcore's OMS and window see vtcore objects.
- requests: `subscribe`, `send_order`, `cancel_order`, `query_history`, `convert_order_request`, ... convert
  vn.py's requests back to vtcore's and route them through vtcore's MainEngine; answers come back as vn.py
  objects. A close beyond the free position, which vtcore refuses with OverCloseError, is vn.py's empty
  list in `convert_order_request`.
- engines: `get_engine("log").register_log(type)` (vtcore's LogEngine has it), `send_email` /
  `send_notification` (SMTP with vn.py's `email.*` keys of vt_setting.json, on one sender thread; logged
  when no server is set). A vn.py app that patches `main_engine.send_order` (vnpy_riskmanager) patches the
  adapter every vn.py app shares, as on vn.py.

Exchanges vn.py 4.x no longer has (BITMEX, OKX, ... which 4.x files under GLOBAL) reach vn.py apps as
`Exchange.GLOBAL` and go back to their own exchange by symbol. vn.py is imported only when a vn.py app or
engine is added; vtcore itself never needs it.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import queue
import smtplib
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from email.message import EmailMessage
from enum import Enum
from types import ModuleType
from typing import TYPE_CHECKING, Any

from vtcore import constant
from vtcore import object as vt_object
from vtcore.converter import OverCloseError
from vtcore.event import Event
from vtcore.log import get_logger
from vtcore.setting import get_settings

if TYPE_CHECKING:
    from vtcore.engine import BaseEngine, MainEngine

__all__ = ["VnpyHost", "host", "is_vnpy_app", "is_vnpy_engine"]

logger = get_logger("vtcore.vnpy_compat")

#: enum classes converted by member name (vtcore.constant and vnpy.trader.constant share the names)
ENUMS = (
    "Direction",
    "Offset",
    "Status",
    "Product",
    "OrderType",
    "OptionType",
    "Exchange",
    "Currency",
    "Interval",
)
#: object classes converted field by field (vtcore.object and vnpy.trader.object share the names)
OBJECTS = (
    "TickData",
    "BarData",
    "OrderData",
    "TradeData",
    "PositionData",
    "AccountData",
    "LogData",
    "ContractData",
    "QuoteData",
)
REQUESTS = ("SubscribeRequest", "OrderRequest", "CancelRequest", "HistoryRequest", "QuoteRequest")
#: vtcore's event types whose data vtcore's OMS and window read as vtcore objects
VTCORE_EVENT_PREFIXES = (
    "eTick.",
    "eTrade.",
    "eOrder.",
    "ePosition.",
    "eAccount.",
    "eQuote.",
    "eContract.",
    "eLog",
)


def _defined_in_vnpy(cls: type, module: str) -> bool:
    return any(base.__module__ == module for base in getattr(cls, "__mro__", ()))


def is_vnpy_app(app_class: Any) -> bool:
    """Whether `app_class` is a vn.py app (a subclass of vnpy.trader.app.BaseApp), without importing vn.py."""
    return isinstance(app_class, type) and _defined_in_vnpy(app_class, "vnpy.trader.app")


def is_vnpy_engine(engine_class: Any) -> bool:
    """Whether `engine_class` is a vn.py engine (a subclass of vnpy.trader.engine.BaseEngine)."""
    return isinstance(engine_class, type) and _defined_in_vnpy(engine_class, "vnpy.trader.engine")


def _vnpy_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(f"vn.py's apps need vn.py itself: {exc} (pip install vnpy)") from exc


class Converter:
    """vtcore objects <-> vn.py objects, by field name and enum member name. Built once per host."""

    def __init__(self) -> None:
        vn_constant = _vnpy_module("vnpy.trader.constant")
        vn_object = _vnpy_module("vnpy.trader.object")
        self.vn_object = vn_object
        self.enum_out: dict[Enum, Enum] = {}
        self.enum_back: dict[Enum, Enum] = {}
        self.vn_enum_types: dict[str, type[Enum]] = {}
        for name in ENUMS:
            ours, theirs = getattr(constant, name), getattr(vn_constant, name)
            self.vn_enum_types[name] = theirs
            for member in ours:
                if member.name in theirs.__members__:
                    self.enum_out[member] = theirs[member.name]
                    self.enum_back[theirs[member.name]] = member
        self.global_exchange = vn_constant.Exchange.GLOBAL
        # vtcore exchanges vn.py 4.x lacks: out as GLOBAL, back by symbol
        for member in constant.Exchange:
            self.enum_out.setdefault(member, self.global_exchange)
        self.global_symbols: dict[str, constant.Exchange] = {}
        self._out: dict[type, Callable[[Any], Any]] = {}
        self._back: dict[type, Callable[[Any], Any]] = {}
        for name in OBJECTS:
            self._out[getattr(vt_object, name)] = self._make_out(getattr(vn_object, name))
            self._back[getattr(vn_object, name)] = self._make_back(
                getattr(vn_object, name), getattr(vt_object, name)
            )
        for name in REQUESTS:
            self._out[getattr(vt_object, name)] = self._make_out(getattr(vn_object, name))
            self._back[getattr(vn_object, name)] = self._make_back(
                getattr(vn_object, name), getattr(vt_object, name)
            )
        self.vn_event = _vnpy_module("vnpy.event").Event

    def _enum_fields(self, cls: type) -> list[tuple[str, str]]:
        """(field, enum name) of a vn.py dataclass's enum-typed fields, from its annotations."""
        found = []
        for item in dataclasses.fields(cls):
            text = str(item.type)  # "Exchange", "<enum 'Exchange'>" or "...Direction | None"
            for enum_name in ENUMS:
                if enum_name in text.replace("constant.", ""):
                    found.append((item.name, enum_name))
                    break
        return found

    def _make_out(self, vn_cls: type) -> Callable[[Any], Any]:
        """A function vtcore object -> vn.py object, compiled for the class (as dataclasses and namedtuple
        build their methods): one dict display of the fields read by name, enums mapped through a table,
        set as the new object's `__dict__`, then vn.py's `__post_init__` for its ids. A tick costs about 3 µs
        this way, against 7 µs for a generic field loop."""
        names = [item.name for item in dataclasses.fields(vn_cls) if item.init]
        enums = {name for name, _ in self._enum_fields(vn_cls)}
        cells = [
            f"{name!r}: enum_out[obj.{name}]" if name in enums else f"{name!r}: obj.{name}" for name in names
        ]
        if "extra" in {item.name for item in dataclasses.fields(vn_cls)}:  # data objects; requests have none
            cells.append("'extra': obj.extra")
        # what vtcore computes differently from vn.py's __post_init__: the gateway's own available figure,
        # the time a log line was written
        after = {"AccountData": ["result.available = obj.available"], "LogData": ["result.time = obj.time"]}
        lines = [
            "def convert(obj):",
            "    result = new(cls)",
            f"    result.__dict__ = {{{', '.join(cells)}}}",
            *(["    post_init(result)"] if hasattr(vn_cls, "__post_init__") else []),
            *(f"    {line}" for line in after.get(vn_cls.__name__, [])),
        ]
        if "exchange" in names:  # an exchange vn.py lacks went out as GLOBAL: remember it for the way back
            lines += [
                "    if result.exchange is global_exchange and obj.exchange is not vt_global:",
                "        global_symbols[obj.symbol] = obj.exchange",
            ]
        lines.append("    return result")
        table: dict[Any, Any] = {**self.enum_out, None: None}
        namespace: dict[str, Any] = {
            "new": object.__new__,
            "cls": vn_cls,
            "enum_out": table,
            "post_init": getattr(vn_cls, "__post_init__", None),
            "global_exchange": self.global_exchange,
            "vt_global": constant.Exchange.GLOBAL,
            "global_symbols": self.global_symbols,
        }
        exec("\n".join(lines), namespace)  # the source is built above from dataclass field names only
        convert: Callable[[Any], Any] = namespace["convert"]
        return convert

    def _make_back(self, vn_cls: type, vt_cls: type) -> Callable[[Any], Any]:
        """A function vn.py object -> vtcore object (requests and the few objects apps create)."""
        ours = (
            [item.name for item in dataclasses.fields(vt_cls) if item.init]
            if dataclasses.is_dataclass(vt_cls)
            else list(vt_object.TICK_DATA_FIELDS)
        )  # TickData is a Cython class
        theirs = {item.name for item in dataclasses.fields(vn_cls)}
        names = [name for name in ours if name in theirs]
        enum_back = self.enum_back
        global_exchange = self.global_exchange
        global_symbols = self.global_symbols

        def convert(obj: Any) -> Any:
            values = {}
            for name in names:
                value = getattr(obj, name)
                if isinstance(value, Enum):
                    if value is global_exchange:
                        value = global_symbols.get(obj.symbol, enum_back[value])
                    else:
                        value = enum_back[value]
                values[name] = value
            result = vt_cls(**values)
            extra = getattr(obj, "extra", None)
            if extra is not None:
                result.extra = extra
            return result

        return convert

    def out(self, obj: Any) -> Any:
        """vn.py's form of a vtcore object (anything else as it is)."""
        convert = self._out.get(type(obj))
        return convert(obj) if convert is not None else obj

    def back(self, obj: Any) -> Any:
        """vtcore's form of a vn.py object (anything else as it is)."""
        convert = self._back.get(type(obj))
        return convert(obj) if convert is not None else obj

    def out_list(self, items: Iterable[Any]) -> list[Any]:
        return [self.out(item) for item in items]

    def vt_symbol_back(self, vt_symbol: str) -> str:
        symbol, dot, exchange = vt_symbol.rpartition(".")
        if dot and exchange == "GLOBAL" and symbol in self.global_symbols:
            return f"{symbol}.{self.global_symbols[symbol].value}"
        return vt_symbol

    def vt_positionid_back(self, vt_positionid: str) -> str:
        """vn.py's position id ends in its Direction's (Chinese) value; vtcore's in the member's value."""
        head, _, direction = vt_positionid.rpartition(".")
        vn_direction = self.vn_enum_types["Direction"]
        for member in vn_direction:
            if member.value == direction:
                return f"{head}.{self.enum_back[member].value}"
        return vt_positionid


class VnpyEventEngine:
    """vn.py's EventEngine API over vtcore's: one vtcore handler per event type, which converts the event's
    object once and calls that type's vn.py handlers in registration order (a handler that raises is logged
    and the others still run, as vtcore does for its own handlers)."""

    def __init__(self, event_engine: Any, converter: Converter) -> None:
        self.engine = event_engine
        self.converter = converter
        self._handlers: dict[str, tuple[Callable[[Any], None], ...]] = {}
        self._general: tuple[Callable[[Any], None], ...] = ()
        self._lock = threading.Lock()
        self._last: tuple[Any, Any] = (None, None)  # (vtcore object, its vn.py form): ticks come as 2 events

    # vn.py's EventEngine is started by MainEngine; vtcore's is started by vtcore's MainEngine
    def start(self) -> None:
        if not self.engine.active:
            self.engine.start()

    def stop(self) -> None:
        return None  # vtcore's MainEngine.close() stops its engine once every app engine is closed

    @property
    def _active(self) -> bool:
        return bool(self.engine.active)

    def register(self, type: str, handler: Callable[[Any], None]) -> None:
        with self._lock:
            handlers = self._handlers.get(type, ())
            if handler in handlers:
                return
            self._handlers[type] = (*handlers, handler)
            if not handlers:
                self.engine.register(type, self._dispatch)

    def unregister(self, type: str, handler: Callable[[Any], None]) -> None:
        with self._lock:
            handlers = self._handlers.get(type, ())
            if handler not in handlers:
                return
            remaining = tuple(item for item in handlers if item != handler)
            if remaining:
                self._handlers[type] = remaining
            else:
                del self._handlers[type]
                self.engine.unregister(type, self._dispatch)

    def register_general(self, handler: Callable[[Any], None]) -> None:
        with self._lock:
            if handler in self._general:
                return
            self._general = (*self._general, handler)
            if len(self._general) == 1:
                self.engine.register_general(self._dispatch_general)

    def unregister_general(self, handler: Callable[[Any], None]) -> None:
        with self._lock:
            if handler not in self._general:
                return
            self._general = tuple(item for item in self._general if item != handler)
            if not self._general:
                self.engine.unregister_general(self._dispatch_general)

    def put(self, event: Any) -> None:
        """Queue a vn.py Event on vtcore's engine; objects under vtcore's own event types become vtcore's."""
        data = event.data
        if event.type.startswith(VTCORE_EVENT_PREFIXES):
            data = self.converter.back(data)
        self.engine.put(Event(event.type, data))

    def _convert(self, event: Any) -> Any:
        data = event.data
        last = self._last
        if data is last[0]:
            converted = last[1]
        else:
            converted = self.converter.out(data)
            self._last = (data, converted)
        return self.converter.vn_event(event.type, converted)

    def _dispatch(self, event: Any) -> None:
        handlers = self._handlers.get(event.type, ())
        if not handlers:
            return
        vn_event = self._convert(event)
        for handler in handlers:
            try:
                handler(vn_event)
            except Exception:
                logger.exception(
                    "vn.py handler %s raised on event %s; the others still run",
                    getattr(handler, "__qualname__", handler),
                    event.type,
                )

    def _dispatch_general(self, event: Any) -> None:
        vn_event = self._convert(event)
        for handler in self._general:
            try:
                handler(vn_event)
            except Exception:
                logger.exception(
                    "vn.py general handler %s raised on event %s",
                    getattr(handler, "__qualname__", handler),
                    event.type,
                )


class _Mailer:
    """vn.py's EmailEngine: one sender thread fed by a queue, SMTP_SSL with vt_setting.json's email.* keys."""

    def __init__(self) -> None:
        self.queue: queue.Queue[EmailMessage] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.sent = 0

    def send(self, subject: str, content: str, receiver: str | None) -> None:
        settings = get_settings()
        if not settings.get("email.server"):
            logger.info("email not sent (no email.server in vt_setting.json): %s: %s", subject, content)
            return
        message = EmailMessage()
        message["From"] = settings["email.sender"]
        message["To"] = receiver or settings["email.receiver"]
        message["Subject"] = subject
        message.set_content(content)
        self.queue.put(message)
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="vtcore-vnpy-email", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            message = self.queue.get()
            settings = get_settings()
            try:
                with smtplib.SMTP_SSL(
                    settings["email.server"], int(settings["email.port"]), timeout=30
                ) as smtp:
                    smtp.login(settings["email.username"], settings["email.password"])
                    smtp.send_message(message)
                self.sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                logger.error("email not sent: %s", exc)


class VnpyMainEngine:
    """vn.py's MainEngine API over vtcore's MainEngine, handed to every vn.py app engine of one host."""

    def __init__(self, host: VnpyHost) -> None:
        self._host = host
        self._main = host.main_engine
        self._convert = host.converter
        self.event_engine = host.event_engine
        self.engines: dict[str, Any] = {}
        self.apps: dict[str, Any] = {}

    # -- apps and engines ------------------------------------------------------------------------------

    def add_engine(self, engine_class: type[Any]) -> Any:
        engine = engine_class(self, self.event_engine)
        self.engines[engine.engine_name] = engine
        self._main.engines[engine.engine_name] = engine  # vtcore's close() and window reach it
        return engine

    def add_app(self, app_class: type[Any]) -> Any:
        app = app_class()
        engine = self.add_engine(app.engine_class)
        self.apps[app.app_name] = app  # only once its engine runs, as vtcore's add_app
        self._main.apps[app.app_name] = app
        return engine

    def get_engine(self, engine_name: str) -> Any:
        engine = self.engines.get(engine_name) or self._main.engines.get(engine_name)
        if engine is None:
            self.write_log(f"engine not found: {engine_name}")
        return engine

    def get_all_apps(self) -> list[Any]:
        return list(self._main.apps.values())

    # -- logs and notifications ------------------------------------------------------------------------

    def write_log(self, msg: str, source: str = "MainEngine", level: int = logging.INFO) -> None:
        self._main.write_log(msg, source=source, level=level)

    def send_email(self, subject: str, content: str, receiver: str | None = None) -> None:
        self._host.mailer.send(subject, content, receiver)

    def send_notification(self, content: str, subject: str | None = None) -> None:
        self.send_email(subject or datetime.now().strftime("%Y-%m-%d %H:%M:%S"), content)

    # -- gateways ----------------------------------------------------------------------------------------

    def connect(self, setting: dict[str, Any], gateway_name: str) -> None:
        self._main.connect(setting, gateway_name)

    def get_gateway(self, gateway_name: str) -> Any:
        return self._main.get_gateway(gateway_name)

    def get_default_setting(self, gateway_name: str) -> Any:
        return self._main.get_default_setting(gateway_name)

    def get_all_gateway_names(self) -> list[str]:
        return self._main.get_all_gateway_names()

    def get_all_exchanges(self) -> list[Any]:
        return self._convert_enums(self._main.get_all_exchanges())

    def _convert_enums(self, members: Iterable[Enum]) -> list[Any]:
        return list(dict.fromkeys(self._convert.enum_out[member] for member in members))

    def subscribe(self, req: Any, gateway_name: str) -> None:
        self._main.subscribe(self._convert.back(req), gateway_name)

    def send_order(self, req: Any, gateway_name: str) -> str:
        return self._main.send_order(self._convert.back(req), gateway_name)

    def cancel_order(self, req: Any, gateway_name: str) -> None:
        self._main.cancel_order(self._convert.back(req), gateway_name)

    def send_quote(self, req: Any, gateway_name: str) -> str:
        return self._main.send_quote(self._convert.back(req), gateway_name)

    def cancel_quote(self, req: Any, gateway_name: str) -> None:
        self._main.cancel_quote(self._convert.back(req), gateway_name)

    def query_history(self, req: Any, gateway_name: str) -> list[Any]:
        return self._convert.out_list(self._main.query_history(self._convert.back(req), gateway_name))

    def convert_order_request(
        self, req: Any, gateway_name: str, lock: bool = False, net: bool = False
    ) -> list[Any]:
        """vtcore's conversion; a close beyond the free volume (vtcore's OverCloseError) is vn.py's []."""
        try:
            converted = self._main.convert_order_request(self._convert.back(req), gateway_name, lock, net)
        except OverCloseError as exc:
            self.write_log(f"order not sent: {exc}", source="OffsetConverter", level=logging.WARNING)
            return []
        return self._convert.out_list(converted)

    def update_order_request(self, req: Any, vt_orderid: str, gateway_name: str) -> None:
        self._main.update_order_request(self._convert.back(req), vt_orderid, gateway_name)

    def get_converter(self, gateway_name: str) -> Any:
        return self._main.get_converter(gateway_name)

    # -- OMS views -------------------------------------------------------------------------------------

    def get_tick(self, vt_symbol: str) -> Any:
        return self._out(self._main.get_tick(self._convert.vt_symbol_back(vt_symbol)))

    def get_order(self, vt_orderid: str) -> Any:
        return self._out(self._main.get_order(vt_orderid))

    def get_trade(self, vt_tradeid: str) -> Any:
        return self._out(self._main.get_trade(vt_tradeid))

    def get_position(self, vt_positionid: str) -> Any:
        return self._out(self._main.get_position(self._convert.vt_positionid_back(vt_positionid)))

    def get_account(self, vt_accountid: str) -> Any:
        return self._out(self._main.get_account(vt_accountid))

    def get_contract(self, vt_symbol: str) -> Any:
        return self._out(self._main.get_contract(self._convert.vt_symbol_back(vt_symbol)))

    def get_quote(self, vt_quoteid: str) -> Any:
        return self._out(self._main.get_quote(vt_quoteid))

    def _out(self, obj: Any) -> Any:
        return None if obj is None else self._convert.out(obj)

    def get_all_ticks(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_ticks())

    def get_all_orders(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_orders())

    def get_all_trades(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_trades())

    def get_all_positions(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_positions())

    def get_all_accounts(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_accounts())

    def get_all_contracts(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_contracts())

    def get_all_quotes(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_quotes())

    def get_all_active_orders(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_active_orders())

    def get_all_active_quotes(self) -> list[Any]:
        return self._convert.out_list(self._main.get_all_active_quotes())

    def close(self) -> None:
        self._main.close()


class VnpyHost:
    """What one vtcore MainEngine shows vn.py apps: `event_engine` (vn.py's API) and `main_engine` (vn.py's
    API), both over vtcore's. `host(main_engine)` gives the main engine's one host."""

    def __init__(self, main_engine: MainEngine) -> None:
        self.main_engine = main_engine
        self.converter = Converter()
        self.event_engine = VnpyEventEngine(main_engine.event_engine, self.converter)
        self.mailer = _Mailer()
        self.vnpy_main_engine = VnpyMainEngine(self)

    def add_app(self, app_class: type[Any]) -> Any:
        """Add a vn.py app (its engine sees the adapters); returns the app's engine."""
        return self.vnpy_main_engine.add_app(app_class)

    def add_engine(self, engine_class: type[Any]) -> Any:
        return self.vnpy_main_engine.add_engine(engine_class)


_hosts_lock = threading.Lock()


def host(main_engine: MainEngine) -> VnpyHost:
    """The vn.py host of `main_engine`, made on first use (it imports vn.py)."""
    with _hosts_lock:
        existing = getattr(main_engine, "_vnpy_host", None)
        if existing is None:
            existing = VnpyHost(main_engine)
            main_engine._vnpy_host = existing  # type: ignore[attr-defined]
        return existing


def add_app(main_engine: MainEngine, app_class: type[Any]) -> BaseEngine:
    """`main_engine.add_app(app_class)` for a vn.py app (MainEngine.add_app calls this for one)."""
    engine: BaseEngine = host(main_engine).add_app(app_class)
    return engine
