#include "vtcore/event_hub.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace vtcore {

Producer::Producer(std::uint32_t id, std::string name, std::size_t capacity, std::shared_ptr<Wakeup> wakeup)
    : id_(id), name_(std::move(name)), wakeup_(std::move(wakeup)), ring_(capacity) {}

Producer::~Producer() {
  // No thread uses the producer any more: free the heap payloads of messages never drained.
  for (std::size_t n = ring_.readable(); n > 0; --n) {
    RingSlot& slot = ring_.peek(0);
    if (slot.type == RingSlot::kMessage) delete[] slot.message.heap;
    ring_.consume(1);
  }
}

bool Producer::push_tick(const TickRecord& tick) noexcept {
  // While messages spill, a tick pushed into the ring would overtake them: drop it instead.
  if (spilling_.load(std::memory_order_acquire) || detached_.load(std::memory_order_relaxed) ||
      !ring_.try_push_with([&](RingSlot& slot) noexcept {
        slot.type = RingSlot::kTick;
        slot.tick = tick;
      })) {
    bump(ticks_dropped_);
    return false;
  }
  bump(ticks_pushed_);
  wakeup_->after_tick();
  return true;
}

void Producer::push_message(std::uint32_t kind, std::int32_t request_id, bool is_last, const void* data,
                            std::uint32_t size) noexcept {
  if (detached_.load(std::memory_order_relaxed)) return;
  const MessageHeader header{kind, request_id, size, static_cast<std::uint8_t>(is_last ? 1 : 0), {}};
  bump(messages_pushed_);
  const bool pushed = !spilling_.load(std::memory_order_acquire) && ring_.try_push_with([&](RingSlot& slot) noexcept {
    slot.type = RingSlot::kMessage;
    slot.message.header = header;
    if (size <= RingSlot::kInlinePayload) {
      slot.message.heap = nullptr;
      if (size > 0) std::memcpy(slot.message.inline_payload, data, size);
    } else {
      slot.message.heap = new std::byte[size];
      std::memcpy(slot.message.heap, data, size);
    }
  });
  if (!pushed) spill(header, data);
  wakeup_->after_message();
}

void Producer::spill(const MessageHeader& header, const void* data) noexcept {
  OwnedMessage message{header, std::make_unique<std::byte[]>(header.size)};
  if (header.size > 0) std::memcpy(message.payload.get(), data, header.size);
  {
    const std::lock_guard<std::mutex> lock(overflow_mutex_);
    overflow_.push_back(std::move(message));
    spilling_.store(true, std::memory_order_release);
  }
  bump(messages_spilled_);
}

bool Producer::has_work() noexcept {
  return pending_next_ < pending_.size() || ring_.readable() > 0 || spilling_.load(std::memory_order_acquire);
}

bool Producer::has_message() noexcept {
  // messages_pushed_ counts a message before it is published and before the producer's fence
  // (Wakeup::after_message), so a consumer that announced parking either sees the count or is woken.
  return messages_pushed_.load(std::memory_order_acquire) != messages_taken_;
}

std::size_t Producer::backlog() {
  std::size_t count = (pending_.size() - pending_next_) + ring_.readable();
  if (spilling_.load(std::memory_order_acquire)) {
    const std::lock_guard<std::mutex> lock(overflow_mutex_);
    count += overflow_.size();
  }
  return count;
}

std::size_t Producer::drain_some(DrainSink& sink, TickBuffer::Writer& ticks, std::size_t max, std::size_t& tick_room) {
  std::size_t done = 0;
  while (done < max) {
    // 1. A swapped-out overflow list: older than whatever the ring received after the swap.
    if (pending_next_ < pending_.size()) {
      const OwnedMessage& message = pending_[pending_next_++];
      sink.on_message(id_, message.header, message.payload.get());
      ++messages_taken_;
      ++done;
      continue;
    }
    if (!pending_.empty()) {
      pending_.clear();
      pending_next_ = 0;
    }

    // 2. The ring. `spilling_` is read before the ring is found empty: the producer stops using the
    // ring once it sets the flag, so an empty ring after seeing the flag means the overflow list
    // holds the oldest records left.
    const bool spilling = spilling_.load(std::memory_order_acquire);
    const std::size_t readable = ring_.readable();
    if (readable == 0) {
      if (!spilling) break;
      const std::lock_guard<std::mutex> lock(overflow_mutex_);
      pending_.swap(overflow_);
      spilling_.store(false, std::memory_order_release);
      continue;
    }

    RingSlot& first = ring_.peek(0);
    if (first.type == RingSlot::kMessage) {
      sink.on_message(id_, first.message.header, first.message.payload());
      delete[] first.message.heap;
      first.message.heap = nullptr;
      ring_.consume(1);
      ++messages_taken_;
      ++done;
      continue;
    }

    // A run of ticks, copied into the tick buffer as one block that does not wrap. In chunks, so that
    // each slot is read from memory once: the type check brings its first line in, the copy reuses it.
    const std::size_t limit = std::min({readable, max - done, tick_room, ticks.contiguous_space()});
    if (limit == 0) break;  // the tick buffer is full for this drain
    constexpr std::size_t kChunk = 64;
    std::size_t run = 0;
    std::uint64_t start = 0;
    while (run < limit) {
      const std::size_t chunk_max = std::min(kChunk, limit - run);
      std::size_t chunk = 0;
      while (chunk < chunk_max && ring_.peek(run + chunk).type == RingSlot::kTick) ++chunk;
      if (chunk == 0) break;  // a message follows the run
      TickRecord* out = ticks.begin(chunk);
      for (std::size_t i = 0; i < chunk; ++i) out[i] = ring_.peek(run + i).tick;
      const std::uint64_t first = ticks.commit(chunk);
      if (run == 0) start = first;
      run += chunk;
      if (chunk < chunk_max) break;
    }
    ring_.consume(run);
    tick_room -= run;
    done += run;
    sink.on_ticks(id_, start, run);
  }
  return done;
}

namespace {

// Consumer-only counters read by other threads: a plain load + store is enough.
void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

WaitProfile spin_profile(std::chrono::nanoseconds spin, std::chrono::nanoseconds max_spin) {
  WaitProfile profile;
  profile.spin = spin;
  profile.max_spin = max_spin;
  return profile;
}

std::chrono::nanoseconds to_ns(Wakeup::Clock::duration d) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d);
}

// A spin budget may save up this much spin while idle, for the next burst.
constexpr std::chrono::microseconds kSpinBurst{1000};

}  // namespace

EventHub::EventHub(std::size_t tick_buffer_capacity, const WaitProfile& profile)
    : wakeup_(std::make_shared<Wakeup>()),
      ticks_(std::make_shared<TickBuffer>(tick_buffer_capacity)),
      profile_(profile),
      spin_(profile.spin, profile.max_spin) {
  spin_.set_budget(profile.spin_budget, kSpinBurst);
}

EventHub::EventHub(std::size_t tick_buffer_capacity, std::chrono::nanoseconds spin, std::chrono::nanoseconds max_spin)
    : EventHub(tick_buffer_capacity, spin_profile(spin, max_spin)) {}

EventHub::~EventHub() {
  const std::lock_guard<std::mutex> lock(producers_mutex_);
  for (const auto& producer : producers_) producer->detached_.store(true, std::memory_order_relaxed);
}

std::shared_ptr<Producer> EventHub::add_producer(std::string name, std::size_t capacity) {
  const std::lock_guard<std::mutex> lock(producers_mutex_);
  auto producer = std::make_shared<Producer>(next_id_, std::move(name), capacity, wakeup_);
  ++next_id_;
  producers_.push_back(producer);
  producers_version_.fetch_add(1, std::memory_order_release);
  return producer;
}

template <typename Match>
bool EventHub::remove_if(Match&& match) {
  const std::lock_guard<std::mutex> lock(producers_mutex_);
  const auto it =
      std::find_if(producers_.begin(), producers_.end(), [&match](const auto& producer) { return match(*producer); });
  if (it == producers_.end()) return false;
  (*it)->detached_.store(true, std::memory_order_relaxed);
  dropped_by_removed_ += (*it)->ticks_dropped();
  producers_.erase(it);
  producers_version_.fetch_add(1, std::memory_order_release);
  return true;
}

bool EventHub::remove_producer(std::uint32_t id) {
  return remove_if([id](const Producer& producer) { return producer.id() == id; });
}

bool EventHub::remove_producer(const Producer& producer) {
  return remove_if([&producer](const Producer& candidate) { return &candidate == &producer; });
}

void EventHub::refresh_snapshot() {
  const std::uint64_t version = producers_version_.load(std::memory_order_acquire);
  if (version == snapshot_version_) return;
  const std::lock_guard<std::mutex> lock(producers_mutex_);
  snapshot_ = producers_;
  snapshot_version_ = producers_version_.load(std::memory_order_relaxed);
}

bool EventHub::has_work() {
  refresh_snapshot();
  return std::any_of(snapshot_.begin(), snapshot_.end(), [](const auto& producer) { return producer->has_work(); });
}

bool EventHub::has_urgent() {
  refresh_snapshot();
  return std::any_of(snapshot_.begin(), snapshot_.end(), [](const auto& producer) { return producer->has_message(); });
}

bool EventHub::wait(std::chrono::nanoseconds timeout) {
  const std::lock_guard<std::mutex> lock(consumer_mutex_);
  const auto start = Wakeup::Clock::now();
  const auto deadline = start + std::max(timeout, std::chrono::nanoseconds::zero());
  add(waits_);
  bool work = false;
  bool waited = false;
  if (profile_.poll && start >= unpolled_until_) {
    const Wakeup::Poll outcome = wakeup_->poll_until(deadline, profile_.yield_after, [this] { return has_work(); });
    const auto now = Wakeup::Clock::now();
    add(spin_ns_, static_cast<std::uint64_t>(to_ns(now - start).count()));
    work = outcome == Wakeup::Poll::kWork;
    if (work) add(caught_spinning_);
    waited = outcome != Wakeup::Poll::kStarved;
    if (!waited) {
      // Short of CPU: spin and park for a spell, doubling (up to 2 s) while starving recurs within a spell
      // of the last one's end.
      constexpr std::chrono::nanoseconds kFirstSpell = std::chrono::milliseconds(100);
      constexpr std::chrono::nanoseconds kLongestSpell = std::chrono::seconds(2);
      const bool recurs = now - last_starved_ < 2 * unpolled_for_;
      unpolled_for_ = recurs ? std::min(2 * unpolled_for_, kLongestSpell) : kFirstSpell;
      last_starved_ = now;
      unpolled_until_ = now + unpolled_for_;
    }
  }
  // A poller gets here only while it is short of CPU (a spell after starving).
  if (!waited) work = spin_then_park(Wakeup::Clock::now(), deadline, profile_.poll);
  const bool notified = wakeup_->notified();
  wakeup_->clear_notification();
  if (work || notified) last_woken_ns_.store(now_ns(), std::memory_order_relaxed);
  const auto now = Wakeup::Clock::now();
  if (work || now < deadline) spin_.on_arrival(now);  // woken by work or a notify, not by the timeout
  return work;
}

bool EventHub::spin_then_park(Wakeup::Clock::time_point start, Wakeup::Clock::time_point deadline, bool short_of_cpu) {
  auto spin = spin_.allowance(start);
  // Short of CPU, a long spin is the fight for a core the spell is meant to stop: with arrivals ~100 µs
  // apart the adaptive window (up to max_spin) caught every one of them, so the spell never parked.
  if (short_of_cpu) spin = std::min(spin, profile_.spin);
  if (profile_.answer_spin > std::chrono::nanoseconds::zero()) {  // an answer due soon: spin for it
    const auto answer_until = wakeup_->answer_expected_at() + profile_.answer_spin;
    if (answer_until > start) spin = std::max(spin, to_ns(answer_until - start));
  }
  spin = std::min(spin, to_ns(deadline - start));
  bool work = wakeup_->spin_until(start + spin, [this] { return has_work(); });
  const auto spun = to_ns(Wakeup::Clock::now() - start);
  spin_.spent(spun);
  add(spin_ns_, static_cast<std::uint64_t>(spun.count()));
  if (work) {
    add(caught_spinning_);
  } else if (!wakeup_->notified()) {
    add(parks_);
    work = park(deadline);
  }
  return work;
}

bool EventHub::park(Wakeup::Clock::time_point deadline) {
  if (profile_.tick_batch <= std::chrono::nanoseconds::zero()) {
    return wakeup_->park_until(deadline, Wakeup::kAnything, [this] { return has_work(); });
  }
  // Batching ticks: asleep for anything while there is nothing; once ticks wait, asleep for messages and
  // notify() only, for up to `tick_batch`, so that the ticks pushed meanwhile join the same drain.
  for (;;) {
    if (wakeup_->notified() || has_urgent()) return has_work();
    if (has_work()) {
      const auto until = std::min(Wakeup::Clock::now() + profile_.tick_batch, deadline);
      wakeup_->park_until(until, Wakeup::kUrgent, [this] { return has_urgent(); });
      return true;
    }
    if (!wakeup_->park_until(deadline, Wakeup::kAnything, [this] { return has_work(); })) return false;
  }
}

WaitCounters EventHub::wait_counters() const noexcept {
  WaitCounters counters;
  counters.waits = waits_.load(std::memory_order_relaxed);
  counters.caught_spinning = caught_spinning_.load(std::memory_order_relaxed);
  counters.parks = parks_.load(std::memory_order_relaxed);
  counters.yields = wakeup_->yields();
  counters.starved = wakeup_->starved();
  counters.spin_ns = spin_ns_.load(std::memory_order_relaxed);
  return counters;
}

std::size_t EventHub::drain(DrainSink& sink, std::size_t max) {
  const std::lock_guard<std::mutex> lock(consumer_mutex_);
  refresh_snapshot();
  const std::size_t count = snapshot_.size();
  if (count == 0 || max == 0) return 0;
  TickBuffer::Writer writer(*ticks_);
  std::size_t tick_room = ticks_->capacity();
  std::size_t done = 0;
  // Passes over the producers, each taking a fair share of what is left of the budget, until the
  // budget is spent or a pass finds nothing; the starting producer rotates between drains. A producer
  // that gave less than its share is out of records for this drain, so later passes divide the rest
  // among the others only (else a busy producer beside an idle one came out in halving runs).
  exhausted_.assign(count, false);
  std::size_t active = count;
  for (bool progress = true; progress && done < max && active > 0;) {
    progress = false;
    const std::size_t share = std::max<std::size_t>(1, (max - done) / active);
    for (std::size_t k = 0; k < count && done < max; ++k) {
      const std::size_t index = (cursor_ + k) % count;
      if (exhausted_[index]) continue;
      const std::size_t want = std::min(share, max - done);
      const std::size_t got = snapshot_[index]->drain_some(sink, writer, want, tick_room);
      done += got;
      progress = progress || got > 0;
      if (got < want) {
        exhausted_[index] = true;
        --active;
      }
    }
  }
  cursor_ = (cursor_ + 1) % count;
  return done;
}

std::size_t EventHub::backlog() {
  const std::lock_guard<std::mutex> lock(consumer_mutex_);
  refresh_snapshot();
  std::size_t count = 0;
  for (const auto& producer : snapshot_) count += producer->backlog();
  return count;
}

std::vector<ProducerStats> EventHub::stats() const {
  const std::lock_guard<std::mutex> lock(producers_mutex_);
  std::vector<ProducerStats> out;
  out.reserve(producers_.size());
  for (const auto& p : producers_) {
    out.push_back(
        {p->id(), p->name(), p->ticks_pushed(), p->ticks_dropped(), p->messages_pushed(), p->messages_spilled()});
  }
  return out;
}

std::uint64_t EventHub::ticks_dropped_total() const {
  const std::lock_guard<std::mutex> lock(producers_mutex_);
  std::uint64_t total = dropped_by_removed_;
  for (const auto& p : producers_) total += p->ticks_dropped();
  return total;
}

}  // namespace vtcore
