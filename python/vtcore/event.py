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
- ticks from C++ producers reach Python in batches, with no Python call per tick unless someone listens.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from time import monotonic
from typing import Any, TypeVar

# Imported here, not first by the engine thread: numpy's first import takes a few hundred ms, during which
# a burst would fill the producers' rings and ticks would be dropped.
import numpy

from vtcore._core import EventHub, Producer, TickRun
from vtcore._fast import Dispatcher, Event
from vtcore.errors import EngineError
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
    "Event",
    "EventEngine",
    "HandlerType",
    "MessageHandler",
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


class EventEngine:
    """Dispatches events to handlers on one thread: vn.py's API plus C++ producers and tick batches.

    `interval`: seconds between EVENT_TIMER events. `tick_buffer_capacity`: ticks the numpy-visible buffer
    holds (a drained run never exceeds it). `max_drain`: records moved per drain.

    How long the idle engine spins before it parks (spinning, it sees an event within a microsecond; parked,
    waking costs a thread wake-up of tens of µs): by default it adapts to the feed, spinning through the gap
    between events while that gap is at most `max_spin_us` (250 µs: feeds of about 4,000 events/s and more,
    at the price of a busy core) and only `spin_us` (20 µs) otherwise. Pass `spin_us` alone for a fixed spin.
    """

    def __init__(
        self,
        interval: float = 1.0,
        *,
        tick_buffer_capacity: int = 65536,
        spin_us: float | None = None,
        max_spin_us: float | None = None,
        max_drain: int = 4096,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self._interval = float(interval)
        self._max_drain = max_drain
        if spin_us is None:
            spin_us, max_spin_us = 20.0, (250.0 if max_spin_us is None else max_spin_us)
        self._hub = EventHub(tick_buffer_capacity, spin_us, max_spin_us or 0.0)
        buffer = self._hub.tick_buffer
        self._dispatcher = Dispatcher(self._on_handler_error, EVENT_TICK)
        self._dispatcher.set_tick_buffer(buffer.address(), buffer.capacity, buffer.view)
        self._dispatcher.on_unhandled_message = self._on_unhandled_message

        self._queue: deque[Event] = deque()
        self._control: deque[tuple[Callable[[], Any], Future[Any]]] = deque()
        self._lock = threading.RLock()
        self._handlers: dict[str, list[HandlerType]] = {}
        self._general: list[HandlerType] = []
        self._batch: list[TickBatchHandler] = []
        self._producers: dict[int, Producer] = {}

        self._active = False
        self._thread: threading.Thread | None = None
        self._drops_reported: dict[int, int] = {}  # producer id -> ticks_dropped already logged
        self.handler_errors = 0
        self.discarded_on_stop = 0

    # -- lifecycle ------------------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._active

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

    def stop(self, timeout: float | None = None) -> None:
        """Stop dispatching: the running handler finishes, events still queued are discarded and counted.

        Called from a handler it only asks the loop to end (the thread cannot join itself).
        """
        with self._lock:
            if not self._active:
                return
            self._active = False
            thread = self._thread
        self._hub.notify()
        if thread is None or thread is threading.current_thread():
            return
        thread.join(timeout)
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
        self._queue.append(event)
        # Hands the GIL straight to the engine thread when it is spinning idle and this event is isolated
        # (saves the engine a thread wake-up, the bulk of put -> handler latency); a plain notify otherwise.
        self._hub.notify_handoff()

    # -- C++ producers --------------------------------------------------------------------------------------

    def create_producer(self, name: str, gateway_name: str, on_message: MessageHandler | None = None,
                        capacity: int = 65536) -> Producer:
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
        """Ticks dropped by all producers because their ring was full."""
        return sum(int(entry["ticks_dropped"]) for entry in self._hub.stats())

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
        hub = self._hub
        queue = self._queue
        control = self._control
        dispatcher = self._dispatcher
        dispatch = dispatcher.dispatch
        dispatch_segments = dispatcher.dispatch_segments
        max_drain = self._max_drain
        interval = self._interval
        next_timer = monotonic() + interval
        while self._active:
            try:
                if not queue and not control:
                    timeout = next_timer - monotonic()
                    if timeout > 0:
                        hub.wait(timeout)
                segments = hub.drain(max_drain)
                if segments:
                    dispatch_segments(segments)
                # Only the events present now: a handler that puts events cannot starve the rings or timer.
                for _ in range(len(queue)):
                    if not self._active:
                        break
                    dispatch(queue.popleft())
                if control:
                    with self._lock:
                        self._run_control_calls()
                now = monotonic()
                if now >= next_timer:
                    self._report_drops()
                    dispatch(Event(EVENT_TIMER))
                    next_timer += interval
                    if next_timer <= now:  # a handler blocked for more than an interval: skip, no burst
                        next_timer = now + interval
            except Exception:  # handlers' errors are caught in _fast; this is a fault of the loop itself
                logger.exception("EventEngine loop error; the engine goes on")

    def _report_drops(self) -> None:
        """Log, once per timer interval, the ticks each producer dropped (ring full) since the last report."""
        for entry in self._hub.stats():
            producer_id, dropped = int(entry["id"]), int(entry["ticks_dropped"])
            new = dropped - self._drops_reported.get(producer_id, 0)
            if new > 0:
                self._drops_reported[producer_id] = dropped
                producer = self._producers.get(producer_id)
                capacity = producer.capacity if producer is not None else "?"
                logger.warning("producer %s dropped %d ticks (%d in all): its ring of %s ticks was full; the "
                               "handlers are slower than the feed", entry["name"], new, dropped, capacity)

    def _on_handler_error(self, handler: Any, event: Event) -> None:
        self.handler_errors += 1
        name = getattr(handler, "__qualname__", None) or repr(handler)
        logger.exception("event handler %s raised on event %s; the engine goes on", name, event.type)

    def _on_unhandled_message(self, producer_id: int, kind: int, request_id: int) -> None:
        logger.error("producer %d pushed message kind %d (request %d) but has no on_message: not delivered",
                     producer_id, kind, request_id)
