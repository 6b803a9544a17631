// A bounded lock-free ring for exactly one producer thread and one consumer thread.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>

namespace vtcore {

inline constexpr std::size_t kCacheLineSize = 64;

/// One round of a spin-wait: tells the CPU (and a hyperthread sibling) that this core is waiting.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

/// Capacity is a power of two so a slot index is `position & mask`; positions are 64-bit counters
/// that never wrap in practice, so "full" is `tail - head == capacity` with no wasted slot.
/// T must be default constructible; slots are constructed once and then assigned in place.
template <typename T>
class SpscRing {
 public:
  explicit SpscRing(std::size_t min_capacity)
      : capacity_(round_capacity(min_capacity)), mask_(capacity_ - 1), slots_(std::make_unique<T[]>(capacity_)) {}

  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  // ---- producer side -------------------------------------------------------------------------

  /// Calls `fill(T&)` on the next free slot and publishes it; false (nothing called) when full.
  template <typename Fill>
  [[nodiscard]] bool try_push_with(Fill&& fill) noexcept(noexcept(fill(std::declval<T&>()))) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ == capacity_) {
      // Only now pay for reading the consumer's cache line.
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ == capacity_) return false;
    }
    fill(slots_[tail & mask_]);
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  [[nodiscard]] bool try_push(const T& value) noexcept(noexcept(std::declval<T&>() = value)) {
    return try_push_with([&](T& slot) { slot = value; });
  }

  // ---- consumer side -------------------------------------------------------------------------

  /// Number of slots ready to read. The producer's index is re-read only when the cached copy
  /// shows fewer than `want`, so a consumer taking one slot at a time rarely touches its line.
  /// A result of 0 is always fresh.
  [[nodiscard]] std::size_t readable(std::size_t want = static_cast<std::size_t>(-1)) noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (tail_cache_ - head < want) tail_cache_ = tail_.load(std::memory_order_acquire);
    return tail_cache_ - head;
  }

  /// Slot `i` of the readable ones (0 = oldest); valid for i < readable().
  [[nodiscard]] T& peek(std::size_t i) noexcept { return slots_[(head_.load(std::memory_order_relaxed) + i) & mask_]; }

  /// How many of the next `n` readable slots lie before the end of the storage array.
  [[nodiscard]] std::size_t contiguous(std::size_t n) const noexcept {
    const std::size_t first = head_.load(std::memory_order_relaxed) & mask_;
    return n < capacity_ - first ? n : capacity_ - first;
  }

  /// Releases the `n` oldest readable slots to the producer.
  void consume(std::size_t n) noexcept {
    head_.store(head_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }

  /// Hands up to `max` readable slots, oldest first, to `sink(T&)`, then releases them together.
  template <typename Sink>
  std::size_t pop_batch(std::size_t max, Sink&& sink) {
    std::size_t n = readable();
    if (n > max) n = max;
    const std::size_t head = head_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) sink(slots_[(head + i) & mask_]);
    head_.store(head + n, std::memory_order_release);
    return n;
  }

  /// Any thread: a snapshot that may be stale by the time it is used.
  [[nodiscard]] bool empty_approx() const noexcept {
    return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_acquire);
  }

  static std::size_t round_capacity(std::size_t min_capacity) {
    if (min_capacity == 0) throw std::invalid_argument("ring capacity must be positive");
    if (min_capacity > (std::size_t{1} << 40)) throw std::length_error("ring capacity too large");
    return std::bit_ceil(min_capacity);
  }

 private:
  const std::size_t capacity_;
  const std::size_t mask_;
  const std::unique_ptr<T[]> slots_;

  // Each index on its own cache line, and each side's cached copy of the other's index on yet
  // another, so the only cross-core traffic is the index a side really has to re-read.
  alignas(kCacheLineSize) std::atomic<std::size_t> head_{0};  // written by the consumer
  alignas(kCacheLineSize) std::size_t tail_cache_ = 0;        // consumer's copy of tail_
  alignas(kCacheLineSize) std::atomic<std::size_t> tail_{0};  // written by the producer
  alignas(kCacheLineSize) std::size_t head_cache_ = 0;        // producer's copy of head_
  char pad_[kCacheLineSize - sizeof(std::size_t)]{};          // keep neighbours off that line
};

}  // namespace vtcore
