// Lets the one consumer thread sleep while idle and wake within microseconds of new work.
//
// Protocol (a Dekker-style handshake, so no wake-up is lost):
//   producer: publish work (release)      ; seq_cst fence ; read `parked_`   -> wake only if it asks
//   consumer: set `parked_` (announce)    ; seq_cst fence ; re-check for work -> park only if none
// With a seq_cst fence on both sides, at least one side sees the other's store: either the consumer
// finds the work in its re-check, or the producer sees the announcement and bumps the futex word.
// The consumer reads that word before announcing, so a bump between its re-check and its park
// makes the futex wait return at once. A producer pays one fence and one load while the consumer
// is awake, and a syscall only when it really sleeps.
//
// The consumer announces what it parks for: anything (every push wakes it) or urgent work only
// (messages and notify(): ticks then wait for its timeout, and their producer makes no syscall). A
// consumer that polls never announces at all, so its producers never make a syscall; it yields its CPU
// now and then, and says when it keeps losing the CPU (then it is better parked: a sleeper that wakes
// is scheduled ahead of busy threads, a spinner queues behind them for a time slice).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "vtcore/spsc_ring.hpp"

#if defined(__linux__)
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace vtcore {

class Wakeup {
 public:
  using Clock = std::chrono::steady_clock;

  /// What a parked consumer wants to be woken for.
  enum Interest : std::uint32_t { kAwake = 0, kAnything = 1, kUrgent = 2 };

  /// Producer side, after publishing a tick: wakes the consumer only when it parked for anything.
  void after_tick() noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (parked_.load(std::memory_order_relaxed) == kAnything) wake(kAnything);
  }

  /// Producer side, after publishing a message: wakes the consumer when it parked.
  void after_message() noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::uint32_t interest = parked_.load(std::memory_order_relaxed);
    if (interest != kAwake) wake(interest);
  }

  /// Any thread: makes the current or next wait return even without work (e.g. to stop).
  void notify() noexcept {
    notified_.store(true, std::memory_order_relaxed);
    after_message();
  }

  /// Any thread, as a request that will be answered through this consumer goes out (an order to an SDK):
  /// the consumer may spin for the answer instead of parking (WaitProfile::answer_spin).
  void answer_expected() noexcept {
    answer_expected_at_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  }
  /// When the last request that expects an answer went out (Clock's epoch when none did).
  [[nodiscard]] Clock::time_point answer_expected_at() const noexcept {
    return Clock::time_point(Clock::duration(answer_expected_at_.load(std::memory_order_relaxed)));
  }

  [[nodiscard]] bool notified() const noexcept { return notified_.load(std::memory_order_relaxed); }
  /// Consumer, at the end of a wait: the notification has been seen.
  void clear_notification() noexcept { notified_.store(false, std::memory_order_relaxed); }

  /// Consumer: spins until `has_work()`, a notification or `until`; true when there is work. Waking from
  /// a spin costs nothing. Checks at least once, so a zero spin returns at once.
  ///
  /// A consumer confined to one CPU yields it at once and then every `kSpinYieldEvery` while its checks
  /// miss: the work it waits for may come from a thread confined to the same CPU (the SDK's callback thread,
  /// the whole process pinned to one core), which would otherwise wait out the whole spin, e.g. the 200 µs
  /// answer spin after an order. With that core to itself the yield returns at once. A consumer that may
  /// run on several CPUs does not yield: the kernel runs such a thread elsewhere, and a yield would hand
  /// its CPU to whatever else shares it (a Python thread holding the GIL) for a time slice.
  template <typename HasWork>
  bool spin_until(Clock::time_point until, HasWork&& has_work) {
    constexpr auto kSpinYieldEvery = std::chrono::microseconds(5);
    bool work = has_work();
    spinning_.store(true, std::memory_order_relaxed);
    Clock::time_point next_yield = Clock::time_point::max();
    for (std::uint32_t i = 0; !work && !notified(); ++i) {
      // The clock is read every 64 rounds (and at once, so a zero spin does not spin).
      if ((i & 63U) == 0) {
        const auto now = Clock::now();
        if (now >= until) break;
        if (i == 0 && confined_to_one_cpu(now)) next_yield = now;  // at once: the answerer may be waiting
        if (now >= next_yield) {
          std::this_thread::yield();
          yields_.fetch_add(1, std::memory_order_relaxed);
          next_yield = Clock::now() + kSpinYieldEvery;
        }
      }
      cpu_relax();
      work = has_work();
    }
    spinning_.store(false, std::memory_order_relaxed);
    return work;
  }

  /// How a poll ended.
  enum class Poll { kWork, kIdle, kStarved };

  /// Consumer, never parking: checks for work until `deadline` (or a notification), pausing between checks,
  /// and once the checks have missed for `yield_after`, yielding the CPU once per `yield_after`: a thread
  /// that needs this core (the vendor's, the strategy's) then runs at once instead of waiting out a time
  /// slice. Returns kStarved as soon as the thread has waited for a CPU while it could run (the kernel's
  /// run-queue delay) for 1 ms within 10 ms: more busy threads than cores, so the caller can stop fighting
  /// for a core it cannot have. Time the thread spent blocked (on the GIL, between two waits) or that the
  /// host took from the whole virtual CPU is not starvation: parking gives it to no one. Where the kernel
  /// does not report the run-queue delay, lost wall time stands in for it (gaps between checks, wall time
  /// against the thread's CPU time), which counts those too.
  template <typename HasWork>
  Poll poll_until(Clock::time_point deadline, std::chrono::nanoseconds yield_after, HasWork&& has_work) {
    // A gap between two clock reads longer than this means the thread was descheduled (a round of 64
    // checks takes a few µs on a CPU of its own).
    constexpr auto kDescheduled = std::chrono::microseconds(30);
    constexpr auto kBetweenPolls = std::chrono::microseconds(200);
    constexpr auto kWindow = std::chrono::milliseconds(100);
    constexpr auto kStarvedAfter = std::chrono::milliseconds(2);
    // The run-queue delay (without it: thread CPU time against wall time) is judged over a shorter window,
    // with a threshold of its own (a tenth of it), so that a poller sharing its core returns to parking
    // within milliseconds.
    constexpr auto kCpuWindow = std::chrono::milliseconds(10);
    constexpr auto kCpuStarvedAfter = std::chrono::milliseconds(1);
    bool work = has_work();
    spinning_.store(true, std::memory_order_relaxed);
    const auto start = Clock::now();
    auto last = start;
    if (start - window_start_ > 2 * kWindow) start_window(start);  // the first poll, or the first after a spell
    if (start - cpu_window_start_ > 2 * kCpuWindow) start_cpu_window(start, cpu_reading());
    const bool by_run_delay = window_.run_delay >= Clock::duration::zero();  // read when the window started
    // Without the run-queue delay: between a poll that timed out idle and this one the engine only rehearses
    // its tick path (a few µs, tens when cold), so a much longer gap counts as lost CPU as well.
    if (!by_run_delay && idle_since_ != Clock::time_point{} && start - idle_since_ > kBetweenPolls) {
      lost_ += start - idle_since_;
    }
    idle_since_ = Clock::time_point{};
    auto next_yield = start + yield_after;
    bool starved = false;
    for (std::uint32_t i = 1; !work && !notified(); ++i) {
      if ((i & 63U) == 0) {
        auto now = Clock::now();
        if (now >= deadline) break;
        if (now - window_start_ >= kWindow) start_window(now);
        if (now - cpu_window_start_ >= kCpuWindow) {
          // The whole window, polls and the work between them alike: a poller that shares its core with a
          // thread that puts events is preempted while it handles them, not while it polls, and then holds
          // the GIL or the core for a time slice.
          // One reading of the measure in use ends this window and starts the next.
          const CpuReading reading = cpu_reading();
          bool short_of_cpu = false;
          if (by_run_delay) {
            short_of_cpu = reading.run_delay - window_.run_delay >= kCpuStarvedAfter;
          } else if (window_.cpu != Clock::duration::zero()) {  // no thread clock either: not judged here
            short_of_cpu = (now - cpu_window_start_) - (reading.cpu - window_.cpu) >= kCpuStarvedAfter;
          }
          start_cpu_window(now, reading);
          if (short_of_cpu) {
            starved = true;
            break;
          }
        }
        if (!by_run_delay && now - last > kDescheduled) lost_ += now - last;
        if (lost_ >= kStarvedAfter) {
          starved = true;
          lost_ = Clock::duration::zero();
          break;
        }
        last = now;
        if (now >= next_yield) {
          std::this_thread::yield();  // a yield that gave the CPU away is run-queue delay (or a gap)
          yields_.fetch_add(1, std::memory_order_relaxed);
          next_yield = now + yield_after;
        }
      }
      cpu_relax();
      work = has_work();
    }
    spinning_.store(false, std::memory_order_relaxed);
    if (work) return Poll::kWork;
    if (!starved && !notified()) idle_since_ = Clock::now();
    if (starved) starved_.fetch_add(1, std::memory_order_relaxed);
    return starved ? Poll::kStarved : Poll::kIdle;
  }

  /// Consumer: sleeps until `has_work()`, a notification or `deadline`, woken by producers according to
  /// `interest` (kAnything or kUrgent; `has_work` must test what `interest` names). True when there is work.
  template <typename HasWork>
  bool park_until(Clock::time_point deadline, Interest interest, HasWork&& has_work) {
    bool work = has_work();
    while (!work && !notified()) {
      const auto now = Clock::now();
      if (now >= deadline) break;
      const std::uint32_t epoch = epoch_.load(std::memory_order_acquire);
      parked_.store(interest, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      work = has_work();
      if (!work && !notified()) park(epoch, deadline - now);
      parked_.store(kAwake, std::memory_order_relaxed);
      work = work || has_work();
    }
    return work;
  }

  /// Whether the consumer is spinning or polling (a hint: it may stop any moment).
  [[nodiscard]] bool spinning() const noexcept { return spinning_.load(std::memory_order_relaxed); }

  /// Whether the consumer has announced parking (it may be about to sleep or asleep), and what for. For tests.
  [[nodiscard]] bool parked() const noexcept { return interest() != kAwake; }
  [[nodiscard]] Interest interest() const noexcept {
    return static_cast<Interest>(parked_.load(std::memory_order_relaxed));
  }

  /// Whether the consumer's thread may run on one CPU only (its affinity; re-read at most every 100 ms).
  bool confined_to_one_cpu(Clock::time_point now) noexcept {
#if defined(__linux__)
    if (affinity_read_at_ == Clock::time_point{} || now - affinity_read_at_ >= std::chrono::milliseconds(100)) {
      cpu_set_t set;
      CPU_ZERO(&set);
      confined_ = ::sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1;
      affinity_read_at_ = now;
    }
    return confined_;
#else
    (void)now;
    return false;
#endif
  }

  /// This thread's CPU time so far (CLOCK_THREAD_CPUTIME_ID); zero where the platform has no such clock.
  [[nodiscard]] static Clock::duration thread_cpu() noexcept {
#if defined(__linux__)
    timespec ts{};
    if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return {};
    return std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(ts.tv_sec) +
                                                       std::chrono::nanoseconds(ts.tv_nsec));
#else
    return {};
#endif
  }

  /// How long the calling thread has been runnable but waiting for a CPU so far (the run-queue delay of
  /// /proc/thread-self/schedstat), or a negative duration where the kernel does not report it. Each thread
  /// reads its own file, kept open for the thread's lifetime.
  [[nodiscard]] static Clock::duration run_delay() noexcept {
#if defined(__linux__)
    struct Schedstat {
      int fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
      Schedstat() = default;
      Schedstat(const Schedstat&) = delete;
      Schedstat& operator=(const Schedstat&) = delete;
      ~Schedstat() {
        if (fd >= 0) ::close(fd);
      }
    };
    static thread_local Schedstat file;
    if (file.fd < 0) return Clock::duration(-1);
    char text[128];
    const ssize_t size = ::pread(file.fd, text, sizeof(text) - 1, 0);
    if (size <= 0) return Clock::duration(-1);
    text[size] = '\0';
    // "<time on a CPU, ns> <time waiting on a run queue, ns> <time slices>"
    char* end = nullptr;
    std::strtoull(text, &end, 10);
    const char* second = end;
    const unsigned long long waited = std::strtoull(second, &end, 10);
    if (end == second) return Clock::duration(-1);
    return std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(waited));
#else
    return Clock::duration(-1);
#endif
  }

  /// Number of times a producer or notify had to wake a parked consumer (for tests and stats).
  [[nodiscard]] std::uint64_t wakes() const noexcept { return wakes_.load(std::memory_order_relaxed); }
  /// CPU yields while polling, and polls that ended because the thread kept losing its CPU.
  [[nodiscard]] std::uint64_t yields() const noexcept { return yields_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t starved() const noexcept { return starved_.load(std::memory_order_relaxed); }

 private:
  /// Only the producer that takes the announcement back wakes the consumer: the others, pushing while
  /// it is still waking up (tens of µs for a burst to pile up behind), make no syscall.
  void wake(std::uint32_t interest) noexcept {
    if (!parked_.compare_exchange_strong(interest, kAwake, std::memory_order_relaxed)) return;
    wakes_.fetch_add(1, std::memory_order_relaxed);
    epoch_.fetch_add(1, std::memory_order_release);
#if defined(__linux__)
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
#else
    { std::lock_guard<std::mutex> lock(mutex_); }  // orders the bump before a waiter's predicate check
    cv_.notify_one();
#endif
  }

  void start_window(Clock::time_point now) noexcept {
    window_start_ = now;
    lost_ = Clock::duration::zero();
  }

  /// What poll_until judges a CPU window by: the thread's run-queue delay, or where the kernel does not
  /// report it (negative) its CPU time, the stand-in (only the one in use is read).
  struct CpuReading {
    Clock::duration run_delay{};
    Clock::duration cpu{};
  };

  static CpuReading cpu_reading() noexcept {
    const auto delay = run_delay();
    return {delay, delay >= Clock::duration::zero() ? Clock::duration::zero() : thread_cpu()};
  }

  void start_cpu_window(Clock::time_point now, CpuReading reading) noexcept {
    cpu_window_start_ = now;
    window_ = reading;
  }

  void park(std::uint32_t epoch, Clock::duration remaining) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(remaining).count();
#if defined(__linux__)
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    // Returns at once (EAGAIN) when the word moved on since `epoch` was read; EINTR and spurious
    // returns are fine, the caller re-checks.
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAIT_PRIVATE, epoch, &ts, nullptr, 0);
#else
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, std::chrono::nanoseconds(ns), [&] { return epoch_.load(std::memory_order_acquire) != epoch; });
#endif
  }

  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

  alignas(kCacheLineSize) std::atomic<std::uint32_t> parked_{kAwake};  // read by every producer
  std::atomic<bool> notified_{false};
  std::atomic<bool> spinning_{false};
  std::atomic<Clock::rep> answer_expected_at_{0};                // written by requesting threads, read by the consumer
  alignas(kCacheLineSize) std::atomic<std::uint32_t> epoch_{0};  // the futex word
  std::atomic<std::uint64_t> wakes_{0};
  // Consumer-only (the counters are read by anyone): the window in which poll_until measures lost CPU.
  alignas(kCacheLineSize) Clock::time_point window_start_{};
  Clock::time_point cpu_window_start_{};
  CpuReading window_{};  // this thread's reading at cpu_window_start_
  Clock::duration lost_{};
  Clock::time_point idle_since_{};        // when the last poll ended idle (timed out), else zero
  Clock::time_point affinity_read_at_{};  // confined_to_one_cpu's last look at the thread's affinity
  bool confined_ = false;
  std::atomic<std::uint64_t> yields_{0};
  std::atomic<std::uint64_t> starved_{0};
#if !defined(__linux__)
  std::mutex mutex_;
  std::condition_variable cv_;
#endif
};

}  // namespace vtcore
