"""A Hypothesis model test of one producer's ring + overflow protocol against a plain Python model.

Random interleavings of push_tick, push_message and drain(k) on a small ring must give exactly the
records, counters and drops that the rules predict: a tick is dropped when the ring is full or
messages are spilling; a message goes to the ring unless it is full or spilling, else to the
overflow; the consumer empties the ring before it takes over the overflow.
"""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vtcore import _core, records

TICK_DTYPE = records.TICK_DTYPE


@dataclass
class Model:
    capacity: int
    ring: deque[tuple[str, int]] = field(default_factory=deque)
    overflow: list[tuple[str, int]] = field(default_factory=list)
    pending: deque[tuple[str, int]] = field(default_factory=deque)
    ticks_pushed: int = 0
    ticks_dropped: int = 0
    messages_spilled: int = 0

    def push_tick(self, seq: int) -> bool:
        if self.overflow or len(self.ring) == self.capacity:
            self.ticks_dropped += 1
            return False
        self.ring.append(("tick", seq))
        self.ticks_pushed += 1
        return True

    def push_message(self, seq: int) -> None:
        if self.overflow or len(self.ring) == self.capacity:
            self.overflow.append(("message", seq))
            self.messages_spilled += 1
        else:
            self.ring.append(("message", seq))

    def drain(self, budget: int) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        while len(out) < budget:
            if self.pending:
                out.append(self.pending.popleft())
            elif self.ring:
                out.append(self.ring.popleft())
            elif self.overflow:
                self.pending.extend(self.overflow)
                self.overflow.clear()
            else:
                break
        return out


def tick(seq: int) -> bytes:
    row = np.zeros(1, dtype=TICK_DTYPE)
    row["volume"] = seq
    return row.tobytes()


def delivered(hub: _core.EventHub, budget: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for segment in hub.drain(budget):
        if isinstance(segment, _core.TickRun):
            out += [("tick", int(v)) for v in hub.tick_buffer.view(segment.start, segment.size)["volume"]]
        else:
            out.append(("message", struct.unpack("=Q", segment.payload)[0]))
    return out


operations = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.integers(1, 5)),  # a burst of n ticks
        st.tuples(st.just("message"), st.integers(1, 3)),
        st.tuples(st.just("drain"), st.integers(0, 12)),  # drain(budget)
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(capacity_log2=st.integers(0, 3), steps=operations)
def test_producer_matches_model(capacity_log2: int, steps: list[tuple[str, int]]) -> None:
    capacity = 1 << capacity_log2
    hub = _core.EventHub(64)
    producer = hub.add_producer("model", capacity)
    model = Model(capacity)
    seq = 0
    for operation, n in steps:
        if operation == "drain":
            assert delivered(hub, n) == model.drain(n)
            continue
        for _ in range(n):
            seq += 1
            if operation == "tick":
                assert producer.push_tick(tick(seq)) == model.push_tick(seq)
            else:
                producer.push_message(1, 0, True, struct.pack("=Q", seq))
                model.push_message(seq)
    assert (producer.ticks_pushed, producer.ticks_dropped, producer.messages_spilled) == (
        model.ticks_pushed,
        model.ticks_dropped,
        model.messages_spilled,
    )
    assert delivered(hub, 1000) == model.drain(1000)  # and the rest, in order
