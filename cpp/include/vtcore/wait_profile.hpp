// How the one consumer thread waits for work: the trade between how soon it sees an event and how much
// CPU it burns meanwhile. EventEngine's profiles (latency, balanced, efficient: python/vtcore/event.py and
// docs/design.md) are presets of these knobs.
//
// Three ways to wait, cheapest reaction first:
//  - poll: never park. The consumer sees a push within a fraction of a microsecond and no producer ever
//    makes a syscall for it; it costs a core, so it yields that core now and then while polling keeps
//    missing. A poller that loses its CPU (2 ms within 100 ms: more busy threads than cores) would see
//    events only when the scheduler gives it a time slice, milliseconds apart: it then spins and parks
//    instead, for a while (a parked thread that is woken is scheduled ahead of busy ones), and tries
//    polling again;
//  - spin, then park: a spin catches what arrives within the window for free; after it the consumer
//    sleeps and the next producer pays a futex wake-up (tens of µs on a VM until the consumer runs);
//  - batch ticks: a consumer that has seen ticks sleeps up to `tick_batch` before draining them, so
//    a stream of ticks costs a few wake-ups a second; messages (orders, trades) still wake it at once.
#pragma once

#include <chrono>
#include <cstdint>

namespace vtcore {

struct WaitProfile {
  /// Never park: poll until work, notify() or the timeout (while the thread keeps its CPU; see above).
  bool poll = false;
  /// Polling yields the CPU once it has missed for this long, and again each time as long.
  std::chrono::nanoseconds yield_after = std::chrono::microseconds(50);

  /// Not polling (or a poller short of CPU): spin this long before parking, or, with `max_spin` > `spin`,
  /// a window that adapts
  /// between the two to the gap between arrivals (spin_policy.hpp)...
  std::chrono::nanoseconds spin = std::chrono::microseconds(50);
  std::chrono::nanoseconds max_spin = std::chrono::nanoseconds::zero();
  /// ...taking at most this share of wall time (a token bucket; 1 = no cap), so what spinning costs is
  /// bounded whatever the feed does.
  double spin_budget = 1.0;

  /// After a request that expects an answer went out (Producer::expect_answer: an order or a cancel sent to
  /// an SDK), the idle consumer spins until its answer or until this long after the request, whichever comes
  /// first, before parking: the answer then costs no thread wake-up. At most this much spin per request; it
  /// is charged to the spin budget but not capped by it.
  std::chrono::nanoseconds answer_spin = std::chrono::nanoseconds::zero();

  /// > 0: ticks seen by the consumer wait up to this long to be drained together; ticks pushed meanwhile
  /// wake nobody. Messages and notify() still end the wait at once.
  std::chrono::nanoseconds tick_batch = std::chrono::nanoseconds::zero();
};

/// What the consumer's waits did, as seen at one moment (EventHub::wait_counters), for stats and benchmarks.
struct WaitCounters {
  std::uint64_t waits = 0;            // calls to EventHub::wait
  std::uint64_t caught_spinning = 0;  // waits whose work arrived while spinning or polling
  std::uint64_t parks = 0;            // waits that went to sleep
  std::uint64_t yields = 0;           // CPU yields while spinning or polling
  std::uint64_t starved = 0;          // polls given up because the thread kept losing its CPU
  std::uint64_t spin_ns = 0;          // time spent spinning or polling
};

}  // namespace vtcore
