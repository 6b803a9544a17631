"""Type stubs for vtcore._core, the pybind11 module over vtcore's C++ core (see docs/design.md)."""

from typing import Any, ClassVar, Final, final

import numpy
import numpy.typing
from _typeshed import structseq

TICK_RECORD_SIZE: int
"""sizeof(vtcore::TickRecord)."""
TICK_FIELDS: list[tuple[str, str, int]]
TICK_SYMBOL_SIZE: int
TICK_VOLUME_ROUNDED: int
"""(name, numpy format, offset) per field; arrays flattened to vn.py names (bid_price_1 .. ask_volume_5)."""

def exchange_values() -> list[str]: ...
def now_ns() -> int: ...
def _record_offsets() -> dict[str, tuple[int, int]]: ...
def _tick_buffers_alive() -> int: ...

@final
class TickRun(structseq[int], tuple[int, int, int]):
    """A run of ticks in the hub's tick buffer (a named tuple)."""

    __match_args__: Final = ("producer_id", "start", "size")

    @property
    def producer_id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def size(self) -> int: ...

@final
class ProducerMessage(structseq[Any], tuple[int, int, int, bool, bytes]):
    """One message of a producer (a named tuple)."""

    __match_args__: Final = ("producer_id", "kind", "request_id", "is_last", "payload")

    @property
    def producer_id(self) -> int: ...
    @property
    def kind(self) -> int: ...
    @property
    def request_id(self) -> int: ...
    @property
    def is_last(self) -> bool: ...
    @property
    def payload(self) -> bytes: ...

class StaleViewError(Exception):
    """The requested tick records were overwritten by newer ones."""

class Producer:
    """The push side of one ring, for one producer thread. Made by EventHub.add_producer."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def ticks_pushed(self) -> int: ...
    @property
    def ticks_dropped(self) -> int: ...
    @property
    def messages_pushed(self) -> int: ...
    @property
    def messages_spilled(self) -> int: ...
    def push_tick(self, record: bytes | memoryview) -> bool:
        """Push one TickRecord's bytes; False (and counted) when dropped."""
    def push_message(self, kind: int, request_id: int, is_last: bool, payload: bytes) -> None:
        """Never dropped while attached: a full ring spills, in order, to an overflow list."""
    def expect_answer(self) -> None:
        """A request whose answer this producer will push went out: a consumer with answer_spin_us spins for
        it."""
    def capsule(self) -> object:
        """A PyCapsule "vtcore.Producer" holding a heap std::shared_ptr<vtcore::Producer>."""

class TickBuffer:
    """A power-of-two ring of TickRecords; record s lives in slot s % capacity until overwritten."""

    def __init__(self, capacity: int) -> None: ...
    @property
    def capacity(self) -> int: ...
    @property
    def written(self) -> int: ...
    def array(self) -> numpy.typing.NDArray[numpy.void]: ...
    def view(self, start: int, count: int) -> numpy.typing.NDArray[numpy.void]:
        """Read-only, zero copy. IndexError if not written yet, ValueError if it wraps or is too long,
        StaleViewError if overwritten. The view keeps the memory alive but not the records' validity."""
    def is_valid(self, start: int, count: int) -> bool: ...
    def read(self, start: int, count: int) -> numpy.typing.NDArray[numpy.void]:
        """A copy (may wrap); StaleViewError if any record was overwritten before or during the copy."""
    def append(self, record: bytes | memoryview) -> int: ...
    def address(self) -> int: ...

class EventHub:
    """Per-producer rings drained by one consumer thread, which parks in wait() when idle."""

    def __init__(
        self,
        tick_buffer_capacity: int = 65536,
        spin_us: float = 50.0,
        max_spin_us: float = 0.0,
        *,
        poll: bool = False,
        yield_after_us: float = 50.0,
        spin_budget: float = 1.0,
        tick_batch_us: float = 0.0,
        answer_spin_us: float = 0.0,
    ) -> None:
        """How the idle consumer waits (vtcore/wait_profile.hpp): with poll, it never parks and yields its CPU
        once polling has missed for yield_after_us; otherwise it spins spin_us before parking (with
        max_spin_us > spin_us the window adapts between the two to the gap between arrivals), spinning at
        most spin_budget of wall time, and after a request that expects an answer (Producer.expect_answer)
        until the answer or answer_spin_us after it; with tick_batch_us > 0 ticks wait that long to be
        drained together."""
    @property
    def tick_buffer(self) -> TickBuffer: ...
    def add_producer(self, name: str, capacity: int = 65536) -> Producer: ...
    def remove_producer(self, producer: Producer) -> None:
        """Its thread must have stopped; records not drained yet are discarded, later pushes too."""
    def notify(self) -> None: ...
    def notify_handoff(self) -> bool:
        """notify() from a thread holding the GIL that just queued an event: hands the GIL straight to a
        spinning consumer when the event is isolated. True when it did."""
    @property
    def handoffs(self) -> int: ...
    @property
    def ticks_dropped_total(self) -> int:
        """Ticks dropped so far by every producer, removed ones included; never decreases."""
    @property
    def consumer_spinning(self) -> bool:
        """A hint: the consumer is spinning in wait() and sees a push or notify() within microseconds."""
    @property
    def wakes(self) -> int:
        """Times a producer or notify() had to wake the parked consumer."""
    @property
    def last_woken_ns(self) -> int:
        """now_ns() when the last wait() found work or a notify() (0 before): for latency breakdowns."""
    @property
    def last_resumed_ns(self) -> int:
        """now_ns() when the consumer last held the GIL again after a wait() (0 before)."""
    def wait_stats(self) -> dict[str, int]:
        """waits, caught_spinning, parks, wakes, yields, starved, spin_ns: what the consumer's waits did."""
    def wait(self, timeout: float) -> bool:
        """GIL released. True when there is work; returns early on a push or notify()."""
    def drain(self, max_records: int = 4096) -> list[TickRun | ProducerMessage]:
        """Up to max_records records, round-robin across producers, in order per producer: a TickRun for
        a run of ticks in tick_buffer (never wraps; all runs of one drain stay valid until the next
        drain), a ProducerMessage for a message."""
    def stats(self) -> list[dict[str, int | str]]: ...

class TestProducer:
    """A C++ thread pushing synthetic ticks: volume = 1-based sequence number, localtime = push time;
    with message_every=k, a kind-1 message after every k-th tick carrying its sequence (8 bytes)."""

    __test__: ClassVar[bool]
    def __init__(
        self, producer: Producer, symbols: list[str], exchange: str = "SHFE", message_every: int = 0
    ) -> None: ...
    def start(self, count: int, rate: float = 0.0) -> None: ...
    def join(self, timeout: float | None = None) -> bool: ...
    def stop(self) -> None: ...
    @property
    def running(self) -> bool: ...
    @property
    def pushed(self) -> int: ...
    @property
    def dropped(self) -> int: ...
