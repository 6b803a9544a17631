"""vn.py's EventEngine API on vtcore's C++ event hub, with one dispatch thread.

The engine thread loops: wait on the hub (GIL released, woken by a producer push or by `put`), drain the C++
rings, dispatch their tick runs and messages (`vtcore._fast`), dispatch the events `put` from Python, and fire
the timer. Everything a handler sees arrives on that one thread, in per-producer order.

Differences from vn.py's EventEngine, each fixing one of its faults:
- a handler that raises is logged with its traceback and the engine goes on (vn.py's dispatcher died);
- the timer fires on a fixed schedule (no drift) and `interval` may be a float;
- register/unregister from any thread is safe (handler tables are swapped whole under a lock);
- `stop()` returns once the running handler finishes, even with events queued: events still queued are
  discarded and counted in `discarded_on_stop` (and logged), never dispatched after `stop()` returns;
- ticks from C++ producers reach Python in batches, with no Python call per tick unless someone listens;
- how the engine thread waits is a profile (`latency`, `balanced`, `efficient`: PROFILES), each with a
  stated CPU cost;
- `put()` is bounded for ticks like the C++ rings (beyond `max_queue` queued events a tick is dropped and
  counted), and the queue's growth with other events (never dropped) is logged;
- a process that ends while the engine runs ends cleanly: the engine is stopped at exit, and `sys.exit()` in
  a handler ends the process with its code, as it would on the main thread.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import weakref
from _thread import get_ident
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from time import monotonic
from typing import Any, TypeVar

# Imported here, not first by the engine thread: numpy's first import takes a few hundred ms, during which
# a burst would fill the producers' rings and ticks would be dropped.
import numpy

from vtcore._core import EventHub, Producer, TickRun
from vtcore._fast import Dispatcher, Event
from vtcore.errors import EngineError, SettingsError
from vtcore.log import get_logger

__all__ = [
    "EVENT_ACCOUNT",
    "EVENT_CONTRACT",
    "EVENT_GATEWAY_STATE",
    "EVENT_LOG",
    "EVENT_ORDER",
    "EVENT_POSITION",
    "EVENT_QUOTE",
    "EVENT_TICK",
    "EVENT_TIMER",
    "EVENT_TRADE",
    "PROFILES",
    "Event",
    "EventEngine",
    "HandlerType",
    "MessageHandler",
    "Profile",
    "TickBatchHandler",
]

EVENT_TIMER = "eTimer"
EVENT_TICK = "eTick."
EVENT_TRADE = "eTrade."
EVENT_ORDER = "eOrder."
EVENT_POSITION = "ePosition."
EVENT_ACCOUNT = "eAccount."
EVENT_QUOTE = "eQuote."
EVENT_CONTRACT = "eContract."
EVENT_LOG = "eLog"
EVENT_GATEWAY_STATE = "eGatewayState."

HandlerType = Callable[[Event], None]
TickBatchHandler = Callable[[numpy.ndarray, str], None]
#: on_message(kind, request_id, is_last, payload), called on the engine thread.
MessageHandler = Callable[[int, int, bool, bytes], None]

_T = TypeVar("_T")
logger = get_logger("vtcore.event")


@dataclass(frozen=True)
class Profile:
    """How the engine thread waits for events (the C++ side: `vtcore/wait_profile.hpp`)."""

    poll: bool = False  # never park: the vendor thread never makes a syscall to wake the engine
    yield_after_us: float = 50.0  # polling: yield the CPU once per this long while polling misses
    spin_us: float = 20.0  # spin before parking (adapting up to max_spin_us when that is larger)
    max_spin_us: float = 0.0
    spin_budget: float = 1.0  # share of wall time the spin may take
    tick_batch_us: float = 0.0  # ticks wait this long to be drained together (messages never wait)
    max_drain: int = 4096  # records per drain
    rehearse_us: float = 0.0  # idle: run the tick path short of the handlers this often (0: never)
    answer_spin_us: float = (
        0.0  # after an SDK request (an order, a cancel): spin for its answer up to this long
    )


#: The engine profiles, by name (docs/design.md, "Engine profiles", states what each costs).
PROFILES: dict[str, Profile] = {
    # Busy-polls (a pause instruction between checks): an event is seen within a microsecond and no producer
    # ever makes a syscall for the engine. Costs a core; it yields that core every 50 µs while polling
    # misses, and when it keeps losing its CPU to other threads (more busy threads than cores: it waited on
    # the run queue 1 ms within 10 ms) it spins (20-250 µs, adapting) and parks instead for a spell of
    # 0.1-2 s, then polls again.
    # While idle it runs its loop every 500 µs and rehearses the tick path (Dispatcher.rehearse: no handler is
    # called), so that the next event, a tick or a put(), finds that code in the CPU's caches.
    "latency": Profile(poll=True, yield_after_us=50.0, spin_us=20.0, max_spin_us=250.0, rehearse_us=500.0),
    # Spins briefly (adapting 2-50 µs to the gap between events, at most 5 % of wall time) and parks: the
    # first event after a gap longer than the spin pays a thread wake-up; CPU stays small and bounded. After a
    # request to an SDK (an order, a cancel, a query) it spins for the answer, up to 200 µs per request, so
    # that an order's first report costs no wake-up.
    "balanced": Profile(spin_us=2.0, max_spin_us=50.0, spin_budget=0.05, answer_spin_us=200.0),
    # No spin; ticks wait up to 5 ms to be drained together (orders, trades and put() events do not wait):
    # a few wake-ups a second whatever the tick rate. For recording and GUIs.
    "efficient": Profile(spin_us=0.0, tick_batch_us=5_000.0, max_drain=65_536),
}
# A profile with `rehearse_us` rehearses for this long after the last event it dispatched (a drain that found
# work, or a put() event), not while the feed is silent (an idle engine stays idle).
_REHEARSE_SECONDS = 1.0
# Engines running now, stopped at interpreter exit (before CPython ends daemon threads).
_running: weakref.WeakSet[EventEngine] = weakref.WeakSet()
_EXIT_JOIN_SECONDS = 5.0


# sys.exit() called by a handler: {"code": its argument, "raised": whether the main thread's SystemExit was
# built}.
_exit_request: dict[str, Any] = {}


@atexit.register
def _stop_running_engines() -> None:
    """Stop every running engine at exit, so that no engine thread is left for CPython to end while it waits
    in C++ (it was: "terminate called without an active exception", SIGABRT, issue 19)."""
    for engine in list(_running):
        try:
            engine.stop(timeout=_EXIT_JOIN_SECONDS)
        except Exception:  # at exit: report, never mask the process's own outcome
            logger.exception("stopping the EventEngine at exit failed")
    if _exit_request and not _exit_request["raised"]:
        # CPython before 3.12 ends the process with status 0 when a SystemExit raised through
        # PyThreadState_SetAsyncExc reaches the top level uncaught (it never builds the exception object,
        # so it never reads the code): end with the handler's code here, once what is buffered is written.
        code = _exit_request["code"]
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def _end_process(exc: BaseException) -> None:
    """A handler on the engine thread called sys.exit() (or raised KeyboardInterrupt): end the process as if
    the main thread had, by raising the same in the main thread at its next Python instruction (a main thread
    blocked in a call, e.g. time.sleep, gets it when the call returns)."""
    main = threading.main_thread()
    if not main.is_alive() or main.ident is None:
        return
    if isinstance(exc, KeyboardInterrupt):
        import _thread  # noqa: PLC0415 (only on this path)

        _thread.interrupt_main()
        return
    import ctypes  # noqa: PLC0415 (only on this path)

    code = exc.code if isinstance(exc, SystemExit) else None
    _exit_request.update(code=code, raised=False)

    class EngineExit(SystemExit):
        """SystemExit(code) raised in the main thread on behalf of a handler."""

        def __init__(self) -> None:
            _exit_request["raised"] = True
            super().__init__(code)

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(main.ident), ctypes.py_object(EngineExit))


def _setting(key: str) -> Any:
    from vtcore.setting import get_settings  # noqa: PLC0415 (settings load on first use, not at import)

    return get_settings()[key]


class _QuietPuts:
    """`with engine.quiet_puts:` put() from this thread only queues; the end of the block wakes the engine
    once (a plain notify, never the GIL hand-over) if anything is queued.

    For a gateway's send_order: the SUBMITTING OrderData is queued before the request goes out (same lock,
    so always ahead of the order's reports), but waking the engine for it then, or handing it the GIL, runs
    the engine's dispatch ahead of the request on the sender's time. Woken after the request, the engine
    dispatches SUBMITTING while the exchange works and is still awake (spinning) when the first report
    arrives: that report pays no thread wake-up. One thread at a time is quiet; another thread entering
    meanwhile only ends the first one's quiet early (its puts then notify as usual): nothing is ever left
    queued without a wake-up."""

    __slots__ = ("_engine",)

    def __init__(self, engine: EventEngine) -> None:
        self._engine = engine

    def __enter__(self) -> None:
        self._engine._quiet_ident = get_ident()

    def __exit__(self, *exc: object) -> None:
        self._engine._end_quiet_puts()


class EventEngine:
    """Dispatches events to handlers on one thread: vn.py's API plus C++ producers and tick batches.

    `interval`: seconds between EVENT_TIMER events. `tick_buffer_capacity`: ticks the numpy-visible buffer
    holds (a drained run never exceeds it). `max_drain`: records moved per drain (default: the profile's).

    `profile` ("latency", "balanced" or "efficient"; default: `engine.profile` in vt_setting.json, else
    "balanced") says how the engine thread waits for events, trading how soon it sees one against the CPU
    it burns meanwhile (PROFILES; docs/design.md states each one's cost). `cpu` pins the engine thread to
    that CPU (default: `engine.cpu`, -1 = not pinned); with "latency" give it a core of its own.
    `spin_us` / `max_spin_us` override the profile's spin, with no budget (a fixed spin when `spin_us` is
    given alone); `answer_spin_us` the spin for an SDK request's answer (0: none).

    `max_queue`: once this many events wait in the `put()` queue, a tick put is dropped and counted
    (`dropped_puts`, in `dropped_ticks` too, logged at the timer) as the C++ rings drop theirs; other events
    are never dropped, and a queue that keeps growing with them is logged at each doubling.
    """

    def __init__(
        self,
        interval: float = 1.0,
        *,
        profile: str | None = None,
        cpu: int | None = None,
        tick_buffer_capacity: int = 65536,
        spin_us: float | None = None,
        max_spin_us: float | None = None,
        answer_spin_us: float | None = None,
        max_drain: int | None = None,
        max_queue: int = 65536,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        if max_queue <= 0:
            raise ValueError("max_queue must be positive")
        self._interval = float(interval)
        self._profile_name, spec = self._resolve_profile(profile)
        self._cpu = self._resolve_cpu(cpu)
        self._max_drain = spec.max_drain if max_drain is None else max_drain
        self._rehearse_every = spec.rehearse_us * 1e-6
        spin, max_spin, budget = spec.spin_us, spec.max_spin_us, spec.spin_budget
        if spin_us is not None or max_spin_us is not None:  # the spin asked for, uncapped
            budget = 1.0
            if spin_us is not None:
                spin, max_spin = spin_us, 0.0
            if max_spin_us is not None:
                max_spin = max_spin_us
        self._hub = EventHub(
            tick_buffer_capacity,
            spin,
            max_spin,
            poll=spec.poll,
            yield_after_us=spec.yield_after_us,
            spin_budget=budget,
            tick_batch_us=spec.tick_batch_us,
            answer_spin_us=spec.answer_spin_us if answer_spin_us is None else answer_spin_us,
        )
        buffer = self._hub.tick_buffer
        self._dispatcher = Dispatcher(self._on_handler_error, EVENT_TICK)
        self._dispatcher.set_tick_buffer(buffer.address(), buffer.capacity, buffer.view)
        self._dispatcher.on_unhandled_message = self._on_unhandled_message

        self._queue: deque[Event] = deque()
        self._max_queue = max_queue
        self._queue_warn_at = max_queue  # the next queue length whose reaching is logged (doubles)
        self._queue_lock = threading.Lock()  # only for the over-bound path of put()
        self.dropped_puts = 0
        self._puts_reported = 0
        self.queue_peak = 0
        self._control: deque[tuple[Callable[[], Any], Future[Any]]] = deque()
        self._lock = threading.RLock()
        self._handlers: dict[str, list[HandlerType]] = {}
        self._general: list[HandlerType] = []
        self._batch: list[TickBatchHandler] = []
        self._producers: dict[int, Producer] = {}

        self._active = False
        self._thread: threading.Thread | None = None
        self._engine_ident: int | None = None  # the engine thread's threading.get_ident() while it runs
        self._quiet_ident: int | None = None  # a thread whose put() only queues (`quiet_puts`)
        self.quiet_puts = _QuietPuts(self)
        self._drops_reported: dict[int, int] = {}  # producer id -> ticks_dropped already logged
        self._drops_total_seen = 0  # the hub's ticks_dropped_total when producers' drops were last read
        self.handler_errors = 0
        self.discarded_on_stop = 0

    @staticmethod
    def _resolve_profile(name: str | None) -> tuple[str, Profile]:
        if name is not None:
            if name not in PROFILES:
                raise ValueError(f"unknown engine profile {name!r}; expected one of {', '.join(PROFILES)}")
            return name, PROFILES[name]
        name = _setting("engine.profile")
        if name not in PROFILES:
            from vtcore.setting import GLOBAL_SETTINGS_FILE, get_file_path  # noqa: PLC0415

            raise SettingsError(
                f"unknown engine profile {name!r}; expected one of {', '.join(PROFILES)}",
                file=str(get_file_path(GLOBAL_SETTINGS_FILE)),
                key="engine.profile",
            )
        return name, PROFILES[name]

    @staticmethod
    def _resolve_cpu(cpu: int | None) -> int | None:
        if cpu is None:
            cpu = int(_setting("engine.cpu"))
        if cpu < 0:
            return None
        # Checked against the machine, not this thread's affinity: keeping the other threads off the engine's
        # CPU (isolating it) is the point of pinning.
        if not hasattr(os, "sched_setaffinity") or cpu >= (os.cpu_count() or 1):
            raise ValueError(
                f"cannot pin the engine thread to CPU {cpu}: this machine has CPUs 0-"
                f"{(os.cpu_count() or 1) - 1}"
                if hasattr(os, "sched_setaffinity")
                else "cannot pin the engine thread: no CPU affinity on this platform"
            )
        return cpu

    # -- lifecycle ------------------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._active

    @property
    def profile(self) -> str:
        """The engine profile in use ("latency", "balanced" or "efficient")."""
        return self._profile_name

    @property
    def cpu(self) -> int | None:
        """The CPU the engine thread is pinned to, or None."""
        return self._cpu

    @property
    def thread_id(self) -> int | None:
        """The engine thread's native id while it runs (for CPU accounting), else None."""
        thread = self._thread
        return thread.native_id if thread is not None else None

    def start(self) -> None:
        """Start the dispatch thread. Events put before start are dispatched once it runs.

        An engine may be started again after `stop()`.
        """
        with self._lock:
            if self._active:
                raise EngineError("EventEngine is already running")
            previous = self._thread
        if previous is not None and previous.is_alive():
            # stop() was called from a handler: let that thread finish its loop first (one consumer only).
            if previous is threading.current_thread():
                raise EngineError("cannot restart the EventEngine from its own handler after stop()")
            previous.join()
        with self._lock:
            if self._active:
                raise EngineError("EventEngine is already running")
            self._active = True
            self._thread = threading.Thread(target=self._run, name="vtcore-event", daemon=True)
            self._thread.start()
            _running.add(self)

    def stop(self, timeout: float | None = None) -> None:
        """Stop dispatching: the running handler finishes, events still queued are discarded and counted.

        Called from a handler it only asks the loop to end (the thread cannot join itself).
        """
        with self._lock:
            _running.discard(self)
            if not self._active:
                return
            self._active = False
            thread = self._thread
        self._hub.notify()
        if thread is None or thread is threading.current_thread():
            return
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("EventEngine.stop: the engine thread is still in a handler after %s s", timeout)
            return
        with self._lock:
            self._thread = None
            self._run_control_calls()
            discarded = len(self._queue)
            self._queue.clear()
            discarded += self._discard_hub()
            self.discarded_on_stop += discarded
        if discarded:
            logger.warning("EventEngine stopped with %d queued events discarded", discarded)

    def _discard_hub(self) -> int:
        count = 0
        for _ in range(1_000):  # bounded: producers should be stopped by now
            segments = self._hub.drain(self._max_drain)
            if not segments:
                break
            count += sum(segment.size if isinstance(segment, TickRun) else 1 for segment in segments)
        return count

    # -- handlers -------------------------------------------------------------------------------------------

    def listened(self, type: str) -> bool:
        """Whether an event of `type` put now would reach a handler: one registered for `type`, or a general
        one. Gateways put their per-object events ("eOrder.<vt_orderid>", ...) only then."""
        return type in self._handlers or bool(self._general)

    def register(self, type: str, handler: HandlerType) -> None:
        """Call `handler(event)` for every event whose type equals `type` exactly; duplicates are ignored."""
        with self._lock:
            handlers = self._handlers.setdefault(type, [])
            if handler not in handlers:
                handlers.append(handler)
                self._publish()

    def unregister(self, type: str, handler: HandlerType) -> None:
        with self._lock:
            handlers = self._handlers.get(type)
            if handlers and handler in handlers:
                handlers.remove(handler)
                if not handlers:
                    del self._handlers[type]
                self._publish()

    def register_general(self, handler: HandlerType) -> None:
        """Call `handler(event)` for every event, timer included, after the type's own handlers."""
        with self._lock:
            if handler not in self._general:
                self._general.append(handler)
                self._publish()

    def unregister_general(self, handler: HandlerType) -> None:
        with self._lock:
            if handler in self._general:
                self._general.remove(handler)
                self._publish()

    def register_tick_batch(self, handler: TickBatchHandler) -> None:
        """Call `handler(ticks, gateway_name)` once per drained run of C++ ticks.

        `ticks` is a numpy structured array (dtype `vtcore.records.TICK_DTYPE`) viewing the tick buffer; it is
        valid only during the call: keep `.copy()` if needed.
        """
        with self._lock:
            if handler not in self._batch:
                self._batch.append(handler)
                self._publish()

    def unregister_tick_batch(self, handler: TickBatchHandler) -> None:
        with self._lock:
            if handler in self._batch:
                self._batch.remove(handler)
                self._publish()

    def _publish(self) -> None:
        """Swap new immutable handler tables into the dispatcher (the engine thread reads them lock-free)."""
        dispatcher = self._dispatcher
        table = {type_: tuple(handlers) for type_, handlers in self._handlers.items()}
        dispatcher.tick_symbol_handlers = any(
            type_.startswith(EVENT_TICK) and type_ != EVENT_TICK for type_ in table
        )
        dispatcher.handlers = table
        dispatcher.general = tuple(self._general)
        dispatcher.batch_handlers = tuple(self._batch)

    # -- events ---------------------------------------------------------------------------------------------

    def put(self, event: Event) -> None:
        """Queue `event` for dispatch; any thread. `event` must be a `vtcore.event.Event`.

        When the engine thread is spinning idle and the event is isolated (the previous put was at least 20 µs
        ago), the GIL goes straight to the engine thread, which dispatches at once; the caller gets the GIL
        back after that (as it would have to wait for it anyway). Dense puts are only queued."""
        if not isinstance(event, Event):  # refused here, in the caller's thread, not on the engine thread
            raise TypeError(f"put() takes a vtcore.event.Event, not {type(event).__qualname__}")
        if len(self._queue) >= self._max_queue and self._refuse_over_bound(event):
            return
        self._queue.append(event)
        ident = get_ident()
        if ident in (self._engine_ident, self._quiet_ident):
            # Put by a handler or a gateway callback on the engine thread (an order report's OrderData): the
            # loop dispatches the queue before it waits again, so nobody needs waking. Put inside
            # `quiet_puts` (send_order's SUBMITTING): its end wakes the engine.
            return
        # Hands the GIL straight to the engine thread when it is spinning idle and this event is isolated
        # (saves the engine a thread wake-up, the bulk of put -> handler latency); a plain notify otherwise.
        self._hub.notify_handoff()

    def _end_quiet_puts(self) -> None:
        if self._quiet_ident == get_ident():
            self._quiet_ident = None
        if self._queue:
            self._hub.notify()

    def _refuse_over_bound(self, event: Event) -> bool:
        """The queue holds `max_queue` events: a tick is dropped and counted (True); anything else is kept (an
        order or a trade is never dropped) and the growth is logged at each doubling."""
        with self._queue_lock:
            if event.type.startswith(EVENT_TICK):
                self.dropped_puts += 1
                return True
            size = len(self._queue) + 1
            self.queue_peak = max(self.queue_peak, size)
            if size < self._queue_warn_at:
                return False
            self._queue_warn_at = 2 * size
        logger.warning(
            "EventEngine: %d events wait in the put() queue (ticks beyond %d are dropped; other "
            "events are kept): the handlers are slower than put()",
            size,
            self._max_queue,
        )
        return False

    @property
    def queue_size(self) -> int:
        """Events waiting in the put() queue now."""
        return len(self._queue)

    # -- C++ producers --------------------------------------------------------------------------------------

    def create_producer(
        self, name: str, gateway_name: str, on_message: MessageHandler | None = None, capacity: int = 65536
    ) -> Producer:
        """A ring for one vendor thread. Its ticks become TickData(gateway_name=...) events; its messages go
        to `on_message(kind, request_id, is_last, payload)` on the engine thread."""

        def add() -> Producer:
            producer = self._hub.add_producer(name, capacity)
            self._producers[producer.id] = producer
            entries = dict(self._dispatcher.producers)
            entries[producer.id] = (gateway_name, on_message)
            self._dispatcher.producers = entries
            return producer

        return self._call_on_engine_thread(add)

    def remove_producer(self, producer: Producer) -> None:
        """Remove a producer whose thread has stopped; what it pushed before is dispatched first."""

        def remove() -> None:
            if producer.id not in self._producers:
                return
            segments = self._hub.drain(self._max_drain) if self._active else []
            while segments:
                self._dispatcher.dispatch_segments(segments)
                segments = self._hub.drain(self._max_drain)
            self._hub.remove_producer(producer)
            del self._producers[producer.id]
            entries = dict(self._dispatcher.producers)
            entries.pop(producer.id, None)
            self._dispatcher.producers = entries

        self._call_on_engine_thread(remove)

    def set_tick_name(self, vt_symbol: str, name: str) -> None:
        """TickData built from C++ ticks of `vt_symbol` carry `name` from now on (the OMS calls this for each
        contract). Call it on the engine thread, or before `start()`."""
        self._dispatcher.decoder.set_name(vt_symbol, name)

    def stats(self) -> list[dict[str, int | str]]:
        """Per producer: id, name, ticks_pushed, ticks_dropped, messages_pushed, messages_spilled."""
        return list(self._hub.stats())

    @property
    def dropped_ticks(self) -> int:
        """Ticks dropped because a producer's ring was full or the put() queue held `max_queue` events."""
        return sum(int(entry["ticks_dropped"]) for entry in self._hub.stats()) + self.dropped_puts

    def wait_stats(self) -> dict[str, int]:
        """What the engine thread's waits did: waits, caught_spinning, parks, wakes, yields, starved,
        spin_ns; and rehearsals (idle runs of the tick path, `latency` profile)."""
        return {**self._hub.wait_stats(), "rehearsals": self._dispatcher.rehearsals}

    @property
    def hub(self) -> EventHub:
        return self._hub

    def _call_on_engine_thread(self, function: Callable[[], _T]) -> _T:
        """Run `function` on the engine thread (hub changes never race a drain) and wait for its result; run
        it here when the engine is not running or this is the engine thread."""
        with self._lock:
            thread = self._thread
            if not self._active or thread is None or thread is threading.current_thread():
                return function()
            future: Future[_T] = Future()
            self._control.append((function, future))
        self._hub.notify()
        return future.result()

    def _run_control_calls(self) -> None:
        while self._control:
            function, future = self._control.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function())
            except BaseException as exc:
                future.set_exception(exc)

    # -- the engine thread ----------------------------------------------------------------------------------

    def _run(self) -> None:
        self._engine_ident = get_ident()
        if self._cpu is not None:
            try:
                os.sched_setaffinity(0, {self._cpu})  # 0: this thread only
            except OSError as exc:  # e.g. a cpuset that excludes it: run, unpinned, and say so
                logger.error("cannot pin the engine thread to CPU %d: %s; it runs unpinned", self._cpu, exc)
        try:
            self._loop()
        except (SystemExit, KeyboardInterrupt) as exc:
            # sys.exit() in a handler: the engine stops and the process ends with that code, as it would had
            # the handler run on the main thread (vn.py's engine thread died silently and the process hung).
            with self._lock:
                self._active = False
                _running.discard(self)
            logger.info("a handler raised %r: the engine stops and the process exits", exc)
            _end_process(exc)
        finally:
            self._engine_ident = None

    def _loop(self) -> None:
        hub = self._hub
        queue = self._queue
        control = self._control
        dispatcher = self._dispatcher
        dispatch = dispatcher.dispatch
        dispatch_segments = dispatcher.dispatch_segments
        max_drain = self._max_drain
        interval = self._interval
        rehearse_every = self._rehearse_every
        rehearse = dispatcher.rehearse
        now = monotonic()
        next_timer = now + interval
        live_until, fed = now, False  # rehearse until then: the last event dispatched + _REHEARSE_SECONDS
        while self._active:
            try:
                if not queue and not control:
                    timeout = next_timer - monotonic()
                    if 0 < rehearse_every < timeout and now < live_until:
                        if not hub.wait(rehearse_every) and not queue:
                            rehearse()
                    elif timeout > 0:
                        hub.wait(timeout)
                segments = hub.drain(max_drain)
                if segments:
                    dispatch_segments(segments)
                    fed = True
                # Only the events present now: a handler that puts events cannot starve the rings or timer.
                # A control call (add/remove a producer, e.g. from a gateway's close()) goes first: its caller
                # waits, and must not wait for a backlog that other threads keep growing.
                for _ in range(len(queue)):
                    if not self._active or control:
                        break
                    dispatch(queue.popleft())
                    fed = True
                if control:
                    with self._lock:
                        self._run_control_calls()
                now = monotonic()
                if fed:
                    live_until, fed = now + _REHEARSE_SECONDS, False
                if now >= next_timer:
                    self._report_drops()
                    if not queue:
                        self._queue_warn_at = self._max_queue
                    dispatch(Event(EVENT_TIMER))
                    next_timer += interval
                    if next_timer <= now:  # a handler blocked for more than an interval: skip, no burst
                        next_timer = now + interval
            except Exception:  # handlers' errors are caught in _fast; this is a fault of the loop itself
                logger.exception("EventEngine loop error; the engine goes on")

    def _report_drops(self) -> None:
        """Log, once per timer interval, the ticks each producer dropped (ring full) and put() dropped (queue
        full) since the last report."""
        dropped_puts = self.dropped_puts
        if dropped_puts > self._puts_reported:
            logger.warning(
                "put() dropped %d ticks (%d in all): %d events waited in its queue; the handlers "
                "are slower than put()",
                dropped_puts - self._puts_reported,
                dropped_puts,
                self._max_queue,
            )
            self._puts_reported = dropped_puts
        # Once per timer: the per-producer figures only when some producer dropped since the last look. An
        # idle engine wakes for this timer; on a VM whose idle vCPU halts, building stats() after a park of a
        # second cost ~2 ms of CPU (benchmarks/bench_cold_wake.py), half of such a wake-up.
        total = self._hub.ticks_dropped_total
        if total == self._drops_total_seen:
            return
        self._drops_total_seen = total
        for entry in self._hub.stats():
            producer_id, dropped = int(entry["id"]), int(entry["ticks_dropped"])
            new = dropped - self._drops_reported.get(producer_id, 0)
            if new > 0:
                self._drops_reported[producer_id] = dropped
                producer = self._producers.get(producer_id)
                capacity = producer.capacity if producer is not None else "?"
                logger.warning(
                    "producer %s dropped %d ticks (%d in all): its ring of %s ticks was full; the "
                    "handlers are slower than the feed",
                    entry["name"],
                    new,
                    dropped,
                    capacity,
                )

    def _on_handler_error(self, handler: Any, event: Event) -> None:
        self.handler_errors += 1
        name = getattr(handler, "__qualname__", None) or repr(handler)
        logger.exception("event handler %s raised on event %s; the engine goes on", name, event.type)

    def _on_unhandled_message(self, producer_id: int, kind: int, request_id: int) -> None:
        logger.error(
            "producer %d pushed message kind %d (request %d) but has no on_message: not delivered",
            producer_id,
            kind,
            request_id,
        )
