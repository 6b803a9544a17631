// Direct hand-over of a lock that both a notifying thread and the consumer need (in vtcore: the
// Python GIL), so that an isolated event does not cost the consumer a second wake-up.
//
// Without it, a thread that holds the lock and wakes a spinning consumer wins the race to nothing:
// the consumer sees the work at once, asks for the lock, finds it held and goes to sleep on it; the
// notifier releases it a moment later and the consumer pays a full thread wake-up (tens of µs on a
// VM). With it, the consumer waits (spinning, briefly) until the notifier has released the lock and
// takes it free; the notifier waits (spinning, briefly) until the consumer has it, and only then
// asks for it back, so the wake-up cost moves to the notifier, after its event was delivered.
//
// States: kIdle -> kOffered (notifier, still holding the lock) -> kReleased (notifier let go)
// -> kTaken (consumer holds the lock). The notifier always returns the state to kIdle, whether the
// consumer took the lock or its wait timed out; every step is a compare-exchange, so a late
// consumer or notifier only falls back to the ordinary path, never to a wrong state.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "vtcore/spsc_ring.hpp"

namespace vtcore {

class LockHandoff {
 public:
  using Clock = std::chrono::steady_clock;

  /// Notifier, holding the lock, before it publishes work: true when it should hand the lock over,
  /// i.e. the consumer is spinning (so it will see the work within a microsecond) and the previous
  /// offer is at least `min_gap` old (a stream of events is better served by batching than by a
  /// hand-over per event). On true the caller must publish, release the lock, call released(),
  /// then finish().
  bool offer(bool consumer_spinning, std::chrono::nanoseconds min_gap) noexcept {
    const Clock::rep now = Clock::now().time_since_epoch().count();
    const Clock::rep last = last_notify_.exchange(now, std::memory_order_relaxed);
    if (!consumer_spinning || now - last < min_gap.count()) return false;
    std::uint32_t idle = kIdle;
    return state_.compare_exchange_strong(idle, kOffered, std::memory_order_acq_rel);
  }

  /// Notifier, right after releasing the lock.
  void released() noexcept { state_.store(kReleased, std::memory_order_release); }

  /// Notifier, lock released: waits up to `timeout` for the consumer to take it, then closes the
  /// offer. True when the consumer took it.
  bool finish(std::chrono::nanoseconds timeout) noexcept {
    await([this] { return state_.load(std::memory_order_acquire) == kTaken; }, timeout);
    const bool taken = state_.exchange(kIdle, std::memory_order_acq_rel) == kTaken;
    if (taken) handoffs_.fetch_add(1, std::memory_order_relaxed);
    return taken;
  }

  /// Consumer, work seen, lock not held: while an offer is open but the notifier still holds the
  /// lock, wait for it to let go (at most `timeout`), so that acquiring it does not block.
  void before_acquire(std::chrono::nanoseconds timeout) const noexcept {
    await([this] { return state_.load(std::memory_order_acquire) != kOffered; }, timeout);
  }

  /// Consumer, lock acquired: tells a waiting notifier that it may ask for the lock back.
  void after_acquire() noexcept {
    std::uint32_t released = kReleased;
    state_.compare_exchange_strong(released, kTaken, std::memory_order_acq_rel);
  }

  /// Spins until `done()` or `timeout`, yielding the CPU between checks after the first 5 µs (on a busy
  /// machine the other side may be preempted on this very CPU). True when `done()`. Also for a notifier
  /// waiting for the consumer to let go of the lock after a hand-over.
  template <typename Done>
  static bool await(Done&& done, std::chrono::nanoseconds timeout) noexcept {
    if (done()) return true;
    const auto start = Clock::now();
    for (std::uint32_t i = 1;; ++i) {
      if ((i & 15U) == 0) {
        const auto waited = Clock::now() - start;
        if (waited >= timeout) return done();
        if (waited >= std::chrono::microseconds(5)) std::this_thread::yield();
      }
      cpu_relax();
      if (done()) return true;
    }
  }

  /// Completed hand-overs (for tests and stats).
  [[nodiscard]] std::uint64_t handoffs() const noexcept { return handoffs_.load(std::memory_order_relaxed); }

 private:
  enum : std::uint32_t { kIdle = 0, kOffered = 1, kReleased = 2, kTaken = 3 };

  alignas(kCacheLineSize) std::atomic<std::uint32_t> state_{kIdle};
  std::atomic<Clock::rep> last_notify_{0};
  std::atomic<std::uint64_t> handoffs_{0};
};

}  // namespace vtcore
