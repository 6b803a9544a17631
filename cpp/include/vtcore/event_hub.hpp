// Producers (one SPSC ring per vendor thread) and the hub that one consumer thread drains.
//
// Per-producer order is kept, including for messages that spill when the ring is full:
//  - while a producer's overflow list is non-empty ("spilling"), the producer puts nothing into its
//    ring: messages go to the overflow list, ticks are dropped and counted;
//  - the consumer, seeing the producer spilling, first drains the ring completely (everything in it
//    is older than the overflow), then swaps the overflow list out under the lock and delivers it
//    before anything the producer pushes to the ring afterwards.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vtcore/clock.hpp"
#include "vtcore/handoff.hpp"
#include "vtcore/records.hpp"
#include "vtcore/spin_policy.hpp"
#include "vtcore/spsc_ring.hpp"
#include "vtcore/tick_buffer.hpp"
#include "vtcore/wait_profile.hpp"
#include "vtcore/wakeup.hpp"

namespace vtcore {

/// Name of the PyCapsule that carries a heap-allocated `std::shared_ptr<vtcore::Producer>` from
/// `vtcore._core.Producer.capsule()` to other extension modules.
inline constexpr const char* kProducerCapsuleName = "vtcore.Producer";

/// One entry of a producer's ring: a tick, or a message whose payload is stored inline when it is
/// small and in a heap buffer owned by the slot otherwise.
struct RingSlot {
  struct Message {
    MessageHeader header;
    std::byte* heap;  // owned; nullptr when the payload is inline
    std::byte inline_payload[sizeof(TickRecord) - sizeof(MessageHeader) - sizeof(std::byte*)];
    [[nodiscard]] const std::byte* payload() const noexcept { return heap ? heap : inline_payload; }
  };
  static constexpr std::size_t kInlinePayload = sizeof(Message::inline_payload);
  enum Type : std::uint32_t { kTick = 0, kMessage = 1 };

  std::uint32_t type = kTick;
  union {
    TickRecord tick;
    Message message;
  };

  // Left uninitialized on purpose: a slot is only read after the producer filled it, and not
  // touching the storage up front keeps an idle 65536-slot ring from taking 20 MB of RAM.
  RingSlot() noexcept {}  // NOLINT(cppcoreguidelines-pro-type-member-init)
};

static_assert(sizeof(RingSlot::Message) == sizeof(TickRecord));

/// Receives what EventHub::drain takes, in order. Must not throw.
class DrainSink {
 public:
  virtual ~DrainSink() = default;
  /// Records start_seq .. start_seq+count-1 of the hub's TickBuffer came from this producer.
  virtual void on_ticks(std::uint32_t producer_id, std::uint64_t start_seq, std::size_t count) = 0;
  /// `payload` (header.size bytes) is valid only during the call.
  virtual void on_message(std::uint32_t producer_id, const MessageHeader& header, const std::byte* payload) = 0;
};

class EventHub;

/// The push side of one ring. Owned through std::shared_ptr; used by exactly one thread at a time.
class Producer {
 public:
  Producer(std::uint32_t id, std::string name, std::size_t capacity, std::shared_ptr<Wakeup> wakeup);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  [[nodiscard]] std::uint32_t id() const noexcept { return id_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return ring_.capacity(); }

  /// False when the tick was dropped (ring full, messages spilling, or producer removed); counted.
  bool push_tick(const TickRecord& tick) noexcept;

  /// Never drops while the producer is attached: a full ring spills to the overflow list.
  /// (Allocation failure for a large payload terminates, as for any noexcept allocation.)
  void push_message(std::uint32_t kind, std::int32_t request_id, bool is_last, const void* data,
                    std::uint32_t size) noexcept;

  /// Any thread, as a request whose answer this producer will push goes out (WaitProfile::answer_spin).
  void expect_answer() noexcept { wakeup_->answer_expected(); }

  [[nodiscard]] std::uint64_t ticks_pushed() const noexcept { return ticks_pushed_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t ticks_dropped() const noexcept { return ticks_dropped_.load(std::memory_order_relaxed); }
  /// All messages accepted, spilled ones included.
  [[nodiscard]] std::uint64_t messages_pushed() const noexcept {
    return messages_pushed_.load(std::memory_order_relaxed);
  }
  /// Messages that went through the overflow list because the ring was full or already spilling.
  [[nodiscard]] std::uint64_t messages_spilled() const noexcept {
    return messages_spilled_.load(std::memory_order_relaxed);
  }
  /// True after EventHub::remove_producer: pushes are then discarded (ticks counted as dropped).
  [[nodiscard]] bool detached() const noexcept { return detached_.load(std::memory_order_relaxed); }

 private:
  friend class EventHub;

  struct OwnedMessage {
    MessageHeader header;
    std::unique_ptr<std::byte[]> payload;
  };

  static void bump(std::atomic<std::uint64_t>& counter) noexcept {
    // Only the producer thread writes a counter, so a plain load + store is enough.
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void spill(const MessageHeader& header, const void* data) noexcept;

  // Consumer side (called by EventHub under its consumer lock).
  [[nodiscard]] bool has_work() noexcept;
  /// A message waits (in the ring, the overflow list or a swapped-out list); ticks are not urgent.
  [[nodiscard]] bool has_message() noexcept;
  [[nodiscard]] std::size_t backlog();
  std::size_t drain_some(DrainSink& sink, TickBuffer::Writer& ticks, std::size_t max, std::size_t& tick_room);

  const std::uint32_t id_;
  const std::string name_;
  const std::shared_ptr<Wakeup> wakeup_;
  SpscRing<RingSlot> ring_;

  alignas(kCacheLineSize) std::atomic<bool> spilling_{false};  // overflow_ is non-empty
  std::atomic<bool> detached_{false};
  std::atomic<std::uint64_t> ticks_pushed_{0};
  std::atomic<std::uint64_t> ticks_dropped_{0};
  std::atomic<std::uint64_t> messages_pushed_{0};
  std::atomic<std::uint64_t> messages_spilled_{0};

  std::mutex overflow_mutex_;
  std::vector<OwnedMessage> overflow_;  // guarded by overflow_mutex_

  // Consumer-only: a swapped-out overflow list being delivered (older than the ring's content).
  alignas(kCacheLineSize) std::vector<OwnedMessage> pending_;
  std::size_t pending_next_ = 0;
  std::uint64_t messages_taken_ = 0;  // handed to a sink; messages_pushed_ - this = messages waiting
};

/// Counters of one producer, as seen at one moment.
struct ProducerStats {
  std::uint32_t id;
  std::string name;
  std::uint64_t ticks_pushed, ticks_dropped, messages_pushed, messages_spilled;
};

class EventHub {
 public:
  /// How the idle consumer waits: wait_profile.hpp.
  EventHub(std::size_t tick_buffer_capacity, const WaitProfile& profile);
  /// The idle consumer spins for `spin` before parking; with `max_spin` > `spin` the window adapts
  /// between the two to the gap between arrivals (spin_policy.hpp).
  explicit EventHub(std::size_t tick_buffer_capacity = 65536,
                    std::chrono::nanoseconds spin = std::chrono::microseconds(50),
                    std::chrono::nanoseconds max_spin = std::chrono::nanoseconds::zero());
  /// Detaches every producer: one still held elsewhere (e.g. through a capsule) then discards
  /// its pushes instead of filling a ring that nobody drains.
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  [[nodiscard]] const std::shared_ptr<TickBuffer>& tick_buffer() const noexcept { return ticks_; }

  /// Any thread. Ids start at 1 and are never reused.
  std::shared_ptr<Producer> add_producer(std::string name, std::size_t capacity);
  /// Any thread; the producer's thread must have stopped. Records not drained yet are discarded
  /// once the consumer notices; later pushes are discarded. Returns false when no producer has that
  /// id (or, for the second form, when this hub does not own that producer).
  bool remove_producer(std::uint32_t id);
  bool remove_producer(const Producer& producer);

  /// Any thread: wakes the consumer's current or next wait() even when there is no work.
  void notify() noexcept { wakeup_->notify(); }

  /// Consumer: true when there is work; returns early on a push or notify(), as the profile says
  /// (with `tick_batch`, ticks alone end the wait only after that long).
  bool wait(std::chrono::nanoseconds timeout);

  /// Consumer: hands up to `max` records to `sink`, round-robin across producers and in order per
  /// producer; never more ticks than the tick buffer holds, so every run stays valid until the
  /// next drain. Returns the number of records (ticks + messages) taken.
  std::size_t drain(DrainSink& sink, std::size_t max);

  /// Consumer: records waiting in all rings and overflow lists now (more may arrive at any moment).
  [[nodiscard]] std::size_t backlog();

  [[nodiscard]] std::vector<ProducerStats> stats() const;
  /// Ticks dropped so far by every producer, those since removed included (what they had dropped when
  /// removed): never decreases, so a consumer that reports drops calls stats() only when this moved.
  [[nodiscard]] std::uint64_t ticks_dropped_total() const;
  [[nodiscard]] std::uint64_t wakes() const noexcept { return wakeup_->wakes(); }
  [[nodiscard]] const WaitProfile& profile() const noexcept { return profile_; }
  /// What the consumer's waits did so far.
  [[nodiscard]] WaitCounters wait_counters() const noexcept;

  /// Timestamps along the consumer's path, for latency breakdowns (now_ns() clock, 0 until it happened):
  /// when the last wait() found work or a notify(), and when the consumer last resumed after it with every lock it
  /// needs (the binding calls resumed() once it holds the GIL again).
  [[nodiscard]] std::int64_t last_woken_ns() const noexcept { return last_woken_ns_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t last_resumed_ns() const noexcept {
    return last_resumed_ns_.load(std::memory_order_relaxed);
  }
  void resumed() noexcept { last_resumed_ns_.store(now_ns(), std::memory_order_relaxed); }
  [[nodiscard]] bool consumer_parked() const noexcept { return wakeup_->parked(); }
  /// What the parked consumer waits for (Wakeup::kAwake when it is not parked). For tests.
  [[nodiscard]] Wakeup::Interest consumer_interest() const noexcept { return wakeup_->interest(); }
  /// A hint: the consumer is spinning in wait() and will see a push or notify() within microseconds.
  [[nodiscard]] bool consumer_spinning() const noexcept { return wakeup_->spinning(); }

  /// For notifiers that hold a lock the consumer needs as well (the binding's GIL): see handoff.hpp.
  [[nodiscard]] LockHandoff& handoff() noexcept { return handoff_; }

 private:
  template <typename Match>
  bool remove_if(Match&& match);
  void refresh_snapshot();  // consumer, under consumer_mutex_
  [[nodiscard]] bool has_work();
  [[nodiscard]] bool has_urgent();
  /// `short_of_cpu`: a poller between polls because it kept losing its CPU; it spins no longer than the
  /// profile's base spin, however long the adaptive window has grown.
  bool spin_then_park(Wakeup::Clock::time_point start, Wakeup::Clock::time_point deadline, bool short_of_cpu);
  bool park(Wakeup::Clock::time_point deadline);  // consumer, after the spin

  const std::shared_ptr<Wakeup> wakeup_;
  const std::shared_ptr<TickBuffer> ticks_;
  const WaitProfile profile_;
  SpinPolicy spin_;  // consumer-only, under consumer_mutex_
  // Consumer-only: a poller that kept losing its CPU spins and parks until `unpolled_until_`; the spell
  // doubles while that recurs.
  Wakeup::Clock::time_point unpolled_until_{};
  Wakeup::Clock::time_point last_starved_{};
  std::chrono::nanoseconds unpolled_for_{};
  LockHandoff handoff_;
  // Written by the consumer only (bump), read by anyone.
  std::atomic<std::uint64_t> waits_{0}, caught_spinning_{0}, parks_{0}, spin_ns_{0};
  std::atomic<std::int64_t> last_woken_ns_{0}, last_resumed_ns_{0};

  mutable std::mutex producers_mutex_;
  std::vector<std::shared_ptr<Producer>> producers_;  // guarded by producers_mutex_
  std::uint32_t next_id_ = 1;                         // guarded by producers_mutex_
  std::uint64_t dropped_by_removed_ = 0;              // guarded by producers_mutex_
  std::atomic<std::uint64_t> producers_version_{0};

  // Consumer state: wait() and drain() take consumer_mutex_, so two threads calling them at once
  // are serialized instead of corrupting the rings' consumer side.
  std::mutex consumer_mutex_;
  std::vector<std::shared_ptr<Producer>> snapshot_;
  std::uint64_t snapshot_version_ = ~std::uint64_t{0};
  std::size_t cursor_ = 0;
  std::vector<bool> exhausted_;  // per snapshot entry, during one drain
};

}  // namespace vtcore
