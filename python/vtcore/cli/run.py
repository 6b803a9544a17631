"""`vtcore run`: connect any configured gateway (or one on its local peer) and watch it live.

    vtcore run                       # gateways with a connect_<name>.json; none -> --sim
    vtcore run --gateway BINANCE_SPOT  # only that one (repeatable), from its connect_<name>.json
    vtcore run --sim                 # CTP on the simulator libraries installed with vtcore
    vtcore run --sim --gateway NAME  # NAME on its local peer (`vtcore.gateways.SIM_PEERS`)
    vtcore run --sim --duration 10
    vtcore run --sim --until-filled  # stop once the demo buy has filled (a smoke check)
    vtcore run --sim --always-open   # the simulator ticks around the clock, not only in trading hours
    vtcore run --app CtaStrategy     # also load an app (vtcore's RpcService or a vn.py app; repeatable)

The view (redrawn every second on a terminal, one status line per second otherwise) shows each front's
state, ticks per second and drops, the latest ticks, the account, positions, orders and trades, until Ctrl-C
or --duration. With --sim it also sends one buy at the touch and, once it has filled, one sell that closes it
through the offset converter (CLOSETODAY on SHFE/INE), so that the order and trade paths show (on a
net-position market, A-shares or crypto, only the buy: an A-share bought today sells tomorrow at earliest).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from vtcore.cli.apps import resolve_app
from vtcore.constant import Direction, Offset, OrderType, Status
from vtcore.converter import OverCloseError
from vtcore.engine import MainEngine
from vtcore.errors import VtcoreError
from vtcore.event import EVENT_GATEWAY_STATE, EVENT_LOG, EVENT_TICK, Event, EventEngine
from vtcore.gateways import DEFAULT_SIM_GATEWAY, GATEWAYS, SimPeer, load_gateway_class, start_sim_peer
from vtcore.log import get_logger, mask_secrets
from vtcore.object import GatewayStateData, OrderRequest, SubscribeRequest, TickData
from vtcore.setting import get_settings, get_settings_dir

LOG_LINES = 8  # log rows the live view keeps


def add_run_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="connect gateways (or one on its local peer) and watch them live"
    )
    parser.add_argument(
        "--sim",
        action="store_true",
        help=f"run on local peers ({DEFAULT_SIM_GATEWAY}'s simulator by default)",
    )
    parser.add_argument(
        "--gateway",
        action="append",
        metavar="NAME",
        help="this gateway only (repeatable); with --sim, on its local peer",
    )
    parser.add_argument(
        "--duration", type=float, default=0.0, help="stop after this many seconds (0: Ctrl-C)"
    )
    parser.add_argument("--symbols", default="", help="comma-separated symbols to subscribe (default: all)")
    parser.add_argument("--no-orders", action="store_true", help="with --sim, send no demo orders")
    parser.add_argument(
        "--until-filled",
        action="store_true",
        help="with --sim, stop once the demo buy has filled and its close is sent (--duration still caps it)",
    )
    parser.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="NAME",
        help="load an app (repeatable): RpcService, a vn.py app (CtaStrategy, ...), a module or module:Class",
    )
    add_always_open_argument(parser)
    parser.set_defaults(func=run)


def add_always_open_argument(parser: Any) -> None:
    parser.add_argument(
        "--always-open",
        action="store_true",
        help="with --sim, the simulated exchange ticks around the clock (default: only in its trading hours)",
    )


def use_always_open(args: argparse.Namespace) -> None:
    """Before a simulator starts in this process: make it tick around the clock when asked."""
    if getattr(args, "always_open", False):
        from vtcore.gateways._sdk.sim import ALWAYS_OPEN_ENV  # noqa: PLC0415 - read when a simulator starts

        os.environ[ALWAYS_OPEN_ENV] = "1"


#: front states after which a gateway can be used: SDK fronts say "ready", venue streams "connected", the RPC
#: client "synced" (its snapshot applied)
READY_STATES = ("ready", "connected", "synced")
#: front states a front does not leave by waiting, which stop the run: a peer refused it (a login, an RPC
#: key), or "error", a connect or login attempt that raised and is not retried (XTP's login thread; the RPC
#: client whose connect() failed before it started; it says "disconnected" while it waits for a lost server)
FAILED_STATES = ("refused", "login_rejected", "auth_rejected", "error")


class _ViewLogHandler(logging.Handler):
    """vtcore's log records into the live view's log pane (a console handler's lines would be wiped by the
    view's redraw)."""

    def __init__(self, view: LiveView) -> None:
        super().__init__(logging.INFO)
        self.view = view

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "vtcore.gateway":
            return  # EVENT_LOG rows: the view has them from the engine already
        self.view.add_log(f"{record.levelname} {record.name}: {record.getMessage()}")


def configured_gateways(folder: Path) -> list[str]:
    """Known gateway names that have a connect_<name>.json in the settings folder."""
    return [name for name in GATEWAYS if (folder / f"connect_{name.lower()}.json").is_file()]


class LiveView:
    """Collects what the engine pushes and renders it."""

    def __init__(self, main_engine: MainEngine, event_engine: EventEngine) -> None:
        self.main_engine = main_engine
        self.event_engine = event_engine
        self.states: dict[tuple[str, str], GatewayStateData] = {}
        self.latest: dict[str, TickData] = {}
        self.logs: list[str] = []
        self.ticks = 0
        self._lock = threading.Lock()
        self._last_count = 0
        self._last_time = time.monotonic()
        event_engine.register(EVENT_GATEWAY_STATE, self._on_state)
        event_engine.register(EVENT_TICK, self._on_tick)
        event_engine.register(EVENT_LOG, self._on_log)

    def _on_state(self, event: Event) -> None:
        state: GatewayStateData = event.data
        with self._lock:
            self.states[(state.gateway_name, state.front)] = state

    def _on_tick(self, event: Event) -> None:
        tick: TickData = event.data
        with self._lock:
            self.ticks += 1
            self.latest[tick.vt_symbol] = tick

    def _on_log(self, event: Event) -> None:
        log = event.data
        level = logging.getLevelName(log.level) if log.level != logging.INFO else ""
        self.add_log(f"{level + ' ' if level else ''}{log.gateway_name}: {log.msg}")

    def add_log(self, line: str) -> None:
        # Masked here, where every line of the pane passes: a gateway's LogData and a record of a logger that
        # vtcore's filter never saw quote what they like (a refusal echoing the password), as the UI's log
        # monitor masks them.
        line = mask_secrets(line)
        with self._lock:
            self.logs = [*self.logs[-(LOG_LINES - 1) :], line]

    def all_ready(self, gateways: list[str]) -> bool:
        with self._lock:
            fronts = [state for key, state in self.states.items() if key[0] in gateways]
        return bool(fronts) and all(state.state in READY_STATES for state in fronts)

    def refused(self, gateways: list[str]) -> list[GatewayStateData]:
        """Fronts in a FAILED_STATES state (refused by their peer, or an attempt that raised and is not
        retried): they will not become ready by waiting."""
        with self._lock:
            return [
                state
                for key, state in self.states.items()
                if key[0] in gateways and state.state in FAILED_STATES
            ]

    def render(self) -> list[str]:
        now = time.monotonic()
        with self._lock:
            rate = (self.ticks - self._last_count) / max(now - self._last_time, 1e-9)
            self._last_count, self._last_time = self.ticks, now
            states = sorted(self.states.values(), key=lambda s: (s.gateway_name, s.front))
            latest = sorted(self.latest.values(), key=lambda t: t.vt_symbol)
            logs = list(self.logs)
        engine = self.main_engine
        lines = [
            "fronts: " + "  ".join(f"{s.gateway_name}.{s.front}={s.state}" for s in states),
            f"ticks: {self.ticks} total, {rate:,.0f}/s, dropped {self.event_engine.dropped_ticks}",
        ]
        lines += [
            f"  {t.vt_symbol:<16} {t.last_price:>12g}  bid {t.bid_price_1:g} x {t.bid_volume_1:g}  "
            f"ask {t.ask_price_1:g} x {t.ask_volume_1:g}  {t.datetime:%H:%M:%S.%f}"[:110]
            for t in latest[:10]
        ]
        lines += [
            f"account {a.vt_accountid}: balance {a.balance:,.2f} available {a.available:,.2f}"
            for a in engine.get_all_accounts()
        ]
        lines += [
            f"position {p.vt_symbol} {p.direction.value}: {p.volume:g} (yd {p.yd_volume:g}) "
            f"@ {p.price:g} pnl {p.pnl:,.2f}"
            for p in engine.get_all_positions()
            if p.volume
        ]
        lines += [
            f"order {o.vt_orderid} {o.vt_symbol} {o.direction.value if o.direction else ''} "
            f"{o.offset.value} {o.volume:g} @ {o.price:g}: {o.status.value} ({o.traded:g} traded)"
            for o in engine.get_all_orders()[-5:]
        ]
        lines += [
            f"trade {t.vt_tradeid} {t.vt_symbol} {t.direction.value if t.direction else ''} {t.offset.value} "
            f"{t.volume:g} @ {t.price:g}"
            for t in engine.get_all_trades()[-5:]
        ]
        lines += [f"log {line}" for line in logs]
        return lines


class _DemoOrders:
    """With --sim: one buy at the ask on the first ticking symbol, then, once its fill is known, one sell at
    the bid that closes it through the offset converter (CLOSETODAY on SHFE/INE, CLOSE elsewhere). On a
    net-position market (A-shares, crypto) the demo ends with the filled buy."""

    def __init__(self, main_engine: MainEngine, view: LiveView) -> None:
        self.main_engine = main_engine
        self.view = view
        self.opened: TickData | None = None
        self.bought = ""  # the buy's vt_orderid
        self.volume = 1.0
        self.done = False

    def step(self) -> None:
        if self.done:
            return
        if self.opened is None:
            with self.view._lock:
                ticks = list(self.view.latest.values())
            if ticks:
                self.opened = ticks[0]
                contract = self.main_engine.get_contract(self.opened.vt_symbol)
                self.volume = contract.min_volume if contract else 1.0  # one lot (HK stocks: 100 shares)
                # a net-position market has no offsets (A-shares refuse OPEN on a cash account: margin
                # trading)
                offset = Offset.NONE if contract is not None and contract.net_position else Offset.OPEN
                self.bought = self._send(self.opened, Direction.LONG, self.opened.ask_price_1, offset)
            return
        tick = self.opened
        bought = self.main_engine.get_order(self.bought)
        if bought is None or bought.status != Status.ALLTRADED:
            return  # the buy has not filled (yet); a position held before does not count
        contract = self.main_engine.get_contract(tick.vt_symbol)
        if contract is not None and contract.net_position:
            # No offsets to convert, and an A-share bought today cannot be sold before tomorrow (T+1): the
            # demo ends with the filled buy.
            self.done = True
            return
        converter = self.main_engine.get_converter(tick.gateway_name)
        holding = converter.get_position_holding(tick.vt_symbol) if converter else None
        if holding is None or holding.long_td < self.volume:
            return
        self.done = True
        with self.view._lock:
            latest = self.view.latest.get(tick.vt_symbol, tick)
        try:
            self.main_engine.send_converted_order(
                self._request(latest, Direction.SHORT, latest.bid_price_1, Offset.CLOSE, self.volume),
                tick.gateway_name,
            )
        except OverCloseError as exc:
            self.main_engine.write_log(f"demo close not sent: {exc}")

    @staticmethod
    def _request(
        tick: TickData, direction: Direction, price: float, offset: Offset, volume: float = 1.0
    ) -> OrderRequest:
        return OrderRequest(
            symbol=tick.symbol,
            exchange=tick.exchange,
            direction=direction,
            type=OrderType.LIMIT,
            volume=volume,
            price=price,
            offset=offset,
        )

    def _send(self, tick: TickData, direction: Direction, price: float, offset: Offset) -> str:
        request = self._request(tick, direction, price, offset, self.volume)
        return self.main_engine.send_order(request, tick.gateway_name)


def run(args: argparse.Namespace) -> int:
    settings_dir = get_settings_dir()
    chosen = [name.upper() for name in args.gateway or []]
    unknown = [name for name in chosen if name not in GATEWAYS]
    if unknown:
        print(
            f"vtcore run: unknown gateway {', '.join(unknown)}; known: {', '.join(GATEWAYS)}", file=sys.stderr
        )
        return 2
    try:
        get_settings()  # a bad vt_setting.json: its name and key, before anything starts
        apps = [resolve_app(name) for name in args.app]
    except VtcoreError as exc:
        print(f"vtcore run: {mask_secrets(str(exc))}", file=sys.stderr)
        return 2
    gateways = [] if args.sim else chosen or configured_gateways(settings_dir)
    sim = not gateways
    if sim:
        gateways = chosen or [DEFAULT_SIM_GATEWAY]
        if not args.sim:
            print(
                f"no gateway configured in {settings_dir} (no connect_<gateway>.json there): running "
                f"{', '.join(gateways)} on its local peer instead"
            )
    peers: dict[str, SimPeer] = {}
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    view = LiveView(main_engine, event_engine)
    interactive = sys.stdout.isatty()
    handler = _route_logs_to_view(view) if interactive else None
    try:
        if sim:
            use_always_open(args)
            for name in gateways:
                peers[name] = start_sim_peer(name)
                print(f"{peers[name].description or name + ' on its local peer'}")
        for name in gateways:
            main_engine.add_gateway(load_gateway_class(name), name)
            main_engine.connect(peers[name].setting if sim else None, name)
        for app_class in apps:
            main_engine.add_app(app_class)
        subscribed = False
        demo = _DemoOrders(main_engine, view) if sim and not args.no_orders else None
        wanted = {s.strip() for s in args.symbols.split(",") if s.strip()}
        started = time.monotonic()
        finished = False  # --until-filled: the demo is done
        while not finished and (not args.duration or time.monotonic() - started < args.duration):
            time.sleep(1.0)
            refused = view.refused(gateways)
            if refused:
                for state in refused:
                    print(
                        f"vtcore run: {state.gateway_name} {state.front}: {state.state}: "
                        f"{mask_secrets(state.message)}",
                        file=sys.stderr,
                    )
                _close(main_engine, peers, handler)
                return 1
            if not subscribed and view.all_ready(gateways) and _have_contracts(main_engine, gateways):
                subscribed = True
                matched = _subscribe(main_engine, wanted)
                if wanted and not matched:
                    known = sorted({c.symbol for c in main_engine.get_all_contracts()})
                    print(
                        f"vtcore run: --symbols {','.join(sorted(wanted))} matched no contract of "
                        f"{', '.join(gateways)}; some that exist: {', '.join(known[:10])}",
                        file=sys.stderr,
                    )
                    _close(main_engine, peers, handler)
                    return 1
            elif subscribed and demo is not None:
                demo.step()
                finished = args.until_filled and demo.done
            lines = view.render()
            if interactive:
                sys.stdout.write("\x1b[H\x1b[2J" + "\n".join(lines) + "\n")
            else:
                sys.stdout.write(" | ".join(lines[:2]) + "\n")
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    except VtcoreError as exc:
        print(f"vtcore run: {mask_secrets(str(exc))}", file=sys.stderr)
        _close(main_engine, peers, handler)
        return 1
    except Exception as exc:  # an app or gateway that fails to start: said in one line, then closed
        # A binding's TypeError repeats every argument of the call, a password among them.
        print(f"vtcore run: {type(exc).__name__}: {mask_secrets(str(exc))}", file=sys.stderr)
        _close(main_engine, peers, handler)
        return 1
    ready = view.all_ready(gateways)
    _close(main_engine, peers, handler)
    if not interactive:
        print("\n".join(view.render()))
    return 0 if ready else 1


def _route_logs_to_view(view: LiveView) -> logging.Handler:
    """In the live view, log lines go to its log pane: vtcore's console handlers are taken off."""
    root = get_logger("vtcore")
    for existing in list(root.handlers):
        if isinstance(existing, logging.StreamHandler) and not isinstance(existing, logging.FileHandler):
            root.removeHandler(existing)
    handler = _ViewLogHandler(view)
    root.addHandler(handler)
    return handler


def _have_contracts(main_engine: MainEngine, gateways: list[str]) -> bool:
    names = {contract.gateway_name for contract in main_engine.get_all_contracts()}
    return all(name in names for name in gateways)


def _subscribe(main_engine: MainEngine, wanted: set[str]) -> int:
    """Subscribe every contract (or those whose symbol or vt_symbol is in `wanted`); how many."""
    count = 0
    for contract in main_engine.get_all_contracts():
        if not wanted or contract.symbol in wanted or contract.vt_symbol in wanted:
            main_engine.subscribe(
                SubscribeRequest(symbol=contract.symbol, exchange=contract.exchange), contract.gateway_name
            )
            count += 1
    return count


def _close(
    main_engine: MainEngine, peers: dict[str, SimPeer], handler: logging.Handler | None = None
) -> None:
    """Close the gateways before their peers, so that they leave a live peer as a user's would."""
    main_engine.close()
    for peer in peers.values():
        peer.stop()
    if handler is not None:
        get_logger("vtcore").removeHandler(handler)
