"""BaseGateway: vn.py's gateway interface, plus unsubscribe, connection state events and C++ producers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, ClassVar

from vtcore._core import Producer
from vtcore.constant import Exchange
from vtcore.event import (
    EVENT_ACCOUNT,
    EVENT_CONTRACT,
    EVENT_GATEWAY_STATE,
    EVENT_LOG,
    EVENT_ORDER,
    EVENT_POSITION,
    EVENT_QUOTE,
    EVENT_TICK,
    EVENT_TRADE,
    Event,
    EventEngine,
    MessageHandler,
)
from vtcore.object import (
    INFO,
    AccountData,
    BarData,
    CancelRequest,
    ContractData,
    GatewayStateData,
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
)
from vtcore.setting import DefaultSetting, SettingsSpec


class BaseGateway(ABC):
    """A connection to one trading system. Subclasses set `default_name`, `default_setting`, `exchanges`.

    Contract (vn.py's): request methods are thread-safe and do not block; the gateway reconnects by itself;
    `connect` pushes contracts, account, positions, orders and trades; `send_order` creates the OrderData with
    `req.create_order_data`, pushes it SUBMITTING (or REJECTED when sending failed) and returns its
    vt_orderid; an object once pushed is never mutated (push a copy). Orders and trades go out through an
    `vtcore.orders.OrderTracker`, which keeps them exact under replays. `default_setting` keys are English
    field names; each value's type declares the field (str, int, float, bool, or a list of str choices whose
    first is the default). tests/contract/ holds every gateway to this against its local peer.
    """

    default_name: ClassVar[str] = ""
    default_setting: ClassVar[DefaultSetting] = {}
    exchanges: ClassVar[list[Exchange]] = []
    #: The settings contract (`settings_spec()`): the keys of `default_setting` that are vtcore's additions to
    #: the user's page, each with what it does; they may be left out and take their `default_setting` value.
    optional_setting: ClassVar[Mapping[str, str]] = {}
    #: vn.py's spellings this gateway accepts beyond the shared `vtcore.setting.VNPY_KEY_ALIASES` /
    #: `VNPY_VALUE_ALIASES` (vn.py key -> key; key -> {vn.py value -> choice}). Declare, never copy, them.
    setting_aliases: ClassVar[Mapping[str, str]] = {}
    setting_values: ClassVar[Mapping[str, Mapping[str, str]]] = {}

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        self.event_engine = event_engine
        self.gateway_name = gateway_name
        #: `with self.quiet_puts:` around a send_order's SUBMITTING push and its request: the engine is woken
        #: once the request is out (EventEngine.quiet_puts; a no-op on an engine without it)
        quiet = getattr(event_engine, "quiet_puts", None)
        self.quiet_puts: AbstractContextManager[None] = quiet if quiet is not None else nullcontext()
        #: whether a handler would get an event type (EventEngine.listened; None: always put)
        self._listened: Callable[[str], bool] | None = getattr(event_engine, "listened", None)

    # -- pushes (any thread) ------------------------------------------------------------------------------

    def on_event(self, type: str, data: Any = None) -> None:
        self.event_engine.put(Event(type, data))

    def on_object_event(self, type: str, data: Any) -> None:
        """The per-object event of a push ("eOrder.<vt_orderid>", "eTick.<vt_symbol>", ...), put only when a
        handler would get it: most updates have no such listener, and each event is a put and a dispatch."""
        if self._listened is None or self._listened(type):
            self.event_engine.put(Event(type, data))

    def on_tick(self, tick: TickData) -> None:
        self.on_event(EVENT_TICK, tick)
        self.on_object_event(EVENT_TICK + tick.vt_symbol, tick)

    def on_trade(self, trade: TradeData) -> None:
        self.on_event(EVENT_TRADE, trade)
        self.on_object_event(EVENT_TRADE + trade.vt_symbol, trade)

    def on_order(self, order: OrderData) -> None:
        self.on_event(EVENT_ORDER, order)
        self.on_object_event(EVENT_ORDER + order.vt_orderid, order)

    def on_position(self, position: PositionData) -> None:
        self.on_event(EVENT_POSITION, position)
        self.on_object_event(EVENT_POSITION + position.vt_symbol, position)

    def on_account(self, account: AccountData) -> None:
        self.on_event(EVENT_ACCOUNT, account)
        self.on_object_event(EVENT_ACCOUNT + account.vt_accountid, account)

    def on_quote(self, quote: QuoteData) -> None:
        self.on_event(EVENT_QUOTE, quote)
        self.on_object_event(EVENT_QUOTE + quote.vt_symbol, quote)

    def on_log(self, log: LogData) -> None:
        self.on_event(EVENT_LOG, log)

    def on_contract(self, contract: ContractData) -> None:
        self.on_event(EVENT_CONTRACT, contract)

    def on_gateway_state(self, state: GatewayStateData) -> None:
        """Connection state of one front: "eGatewayState." and "eGatewayState.<gateway_name>"."""
        self.on_event(EVENT_GATEWAY_STATE, state)
        self.on_object_event(EVENT_GATEWAY_STATE + state.gateway_name, state)

    def write_log(self, msg: str, level: int = INFO) -> None:
        self.on_log(LogData(gateway_name=self.gateway_name, msg=msg, level=level))

    def create_producer(
        self, name: str, on_message: MessageHandler | None = None, capacity: int = 65536
    ) -> Producer:
        """A C++ ring for one vendor thread, whose ticks arrive as this gateway's TickData."""
        return self.event_engine.create_producer(name, self.gateway_name, on_message, capacity)

    # -- requests ---------------------------------------------------------------------------------------

    @abstractmethod
    def connect(self, setting: dict[str, Any]) -> None:
        """Start connecting with a validated setting dict (keys of `default_setting`)."""

    @abstractmethod
    def close(self) -> None:
        """Disconnect and release the vendor resources."""

    @abstractmethod
    def subscribe(self, req: SubscribeRequest) -> None:
        """Subscribe to market data."""

    def unsubscribe(self, req: SubscribeRequest) -> None:
        """Stop market data for `req` (vn.py had no unsubscribe; gateways that can, override this)."""
        self.write_log(
            f"{type(self).__name__} does not support unsubscribe; {req.vt_symbol} stays subscribed"
        )

    @abstractmethod
    def send_order(self, req: OrderRequest) -> str:
        """Send an order; returns its vt_orderid ("" when it could not be sent)."""

    @abstractmethod
    def cancel_order(self, req: CancelRequest) -> None:
        """Cancel an order."""

    def send_quote(self, req: QuoteRequest) -> str:
        return ""

    def cancel_quote(self, req: CancelRequest) -> None:
        return None

    @abstractmethod
    def query_account(self) -> None:
        """Ask for the account; the answer is pushed with on_account."""

    @abstractmethod
    def query_position(self) -> None:
        """Ask for positions; answers are pushed with on_position."""

    def query_history(self, req: HistoryRequest) -> list[BarData]:
        return []

    def get_default_setting(self) -> DefaultSetting:
        return self.default_setting

    @classmethod
    def settings_spec(cls) -> SettingsSpec:
        """This gateway's settings contract: required fields (the user's page), optional ones with defaults,
        and the vn.py spellings it accepts; `MainEngine.connect` validates every setting through it."""
        return SettingsSpec(
            cls.default_setting,
            cls.optional_setting,
            cls.setting_aliases,
            cls.setting_values,
            owner=cls.default_name or cls.__name__,
        )
