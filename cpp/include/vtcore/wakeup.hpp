// Lets the one consumer thread sleep while idle and wake within microseconds of new work.
//
// Protocol (a Dekker-style handshake, so no wake-up is lost):
//   producer: publish work (release)      ; seq_cst fence ; read `parked_`   -> wake only if set
//   consumer: set `parked_` (announce)    ; seq_cst fence ; re-check for work -> park only if none
// With a seq_cst fence on both sides, at least one side sees the other's store: either the consumer
// finds the work in its re-check, or the producer sees the announcement and bumps the futex word.
// The consumer reads that word before announcing, so a bump between its re-check and its park
// makes the futex wait return at once. A producer pays one fence and one load while the consumer
// is awake, and a syscall only when it really sleeps.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "vtcore/spsc_ring.hpp"

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace vtcore {

class Wakeup {
 public:
  using Clock = std::chrono::steady_clock;

  /// Producer side, after publishing work: wakes the consumer only when it announced parking.
  void wake_if_parked() noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (parked_.load(std::memory_order_relaxed) != 0) wake();
  }

  /// Any thread: makes the current or next `wait` return even without work (e.g. to stop).
  void notify() noexcept {
    notified_.store(true, std::memory_order_relaxed);
    wake_if_parked();
  }

  /// Consumer side: returns as soon as `has_work()` is true, `notify` was called, or `timeout`
  /// passed. Spins for up to `spin` first (waking from a spin costs nothing), then parks.
  /// Returns has_work() as last seen.
  template <typename HasWork>
  bool wait(std::chrono::nanoseconds timeout, std::chrono::nanoseconds spin, HasWork&& has_work) {
    const auto zero = std::chrono::nanoseconds::zero();
    const auto start = Clock::now();
    const auto deadline = start + std::max(timeout, zero);
    const auto spin_until = start + std::clamp(spin, zero, std::max(timeout, zero));
    bool work = has_work();
    spinning_.store(true, std::memory_order_relaxed);
    for (std::uint32_t i = 0; !work && !notified_.load(std::memory_order_relaxed); ++i) {
      // The clock is read every 64 rounds (and at once, so a zero spin does not spin).
      if ((i & 63U) == 0 && Clock::now() >= spin_until) break;
      cpu_relax();
      work = has_work();
    }
    spinning_.store(false, std::memory_order_relaxed);
    while (!work && !notified_.load(std::memory_order_relaxed)) {
      const auto now = Clock::now();
      if (now >= deadline) break;
      const std::uint32_t epoch = epoch_.load(std::memory_order_acquire);
      parked_.store(1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      work = has_work();
      if (!work && !notified_.load(std::memory_order_relaxed)) park(epoch, deadline - now);
      parked_.store(0, std::memory_order_relaxed);
      work = work || has_work();
    }
    notified_.store(false, std::memory_order_relaxed);
    return work;
  }

  /// Whether the consumer is in the spinning part of wait() (a hint: it may stop any moment).
  [[nodiscard]] bool spinning() const noexcept { return spinning_.load(std::memory_order_relaxed); }

  /// Whether the consumer has announced parking (it may be about to sleep or asleep). For tests.
  [[nodiscard]] bool parked() const noexcept { return parked_.load(std::memory_order_relaxed) != 0; }

  /// Number of times a producer or notify had to wake a parked consumer (for tests and stats).
  [[nodiscard]] std::uint64_t wakes() const noexcept { return wakes_.load(std::memory_order_relaxed); }

 private:
  void wake() noexcept {
    wakes_.fetch_add(1, std::memory_order_relaxed);
    epoch_.fetch_add(1, std::memory_order_release);
#if defined(__linux__)
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAKE_PRIVATE, 1, nullptr,
              nullptr, 0);
#else
    { std::lock_guard<std::mutex> lock(mutex_); }  // orders the bump before a waiter's predicate check
    cv_.notify_one();
#endif
  }

  void park(std::uint32_t epoch, Clock::duration remaining) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(remaining).count();
#if defined(__linux__)
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    // Returns at once (EAGAIN) when the word moved on since `epoch` was read; EINTR and spurious
    // returns are fine, the caller re-checks.
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAIT_PRIVATE, epoch, &ts,
              nullptr, 0);
#else
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, std::chrono::nanoseconds(ns),
                 [&] { return epoch_.load(std::memory_order_acquire) != epoch; });
#endif
  }

  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

  alignas(kCacheLineSize) std::atomic<std::uint32_t> parked_{0};  // read by every producer
  std::atomic<bool> notified_{false};
  std::atomic<bool> spinning_{false};
  alignas(kCacheLineSize) std::atomic<std::uint32_t> epoch_{0};  // the futex word
  std::atomic<std::uint64_t> wakes_{0};
#if !defined(__linux__)
  std::mutex mutex_;
  std::condition_variable cv_;
#endif
};

}  // namespace vtcore
