// The event hub: per-producer order with ticks and messages interleaved, message spill under a
// stalled consumer (nothing lost, ticks dropped and counted), drain limits, removal, fairness.
#include "vtcore/event_hub.hpp"

#include <atomic>
#include <map>
#include <thread>

#include "hub_helpers.hpp"

namespace {

using vtcore::EventHub;
using vtcore_test::Delivered;
using vtcore_test::RecordingSink;

std::size_t drain_all(EventHub& hub, RecordingSink& sink, std::size_t max_per_drain) {
  std::size_t total = 0;
  for (std::size_t got = 1; got > 0;) {
    sink.ticks_in_drain = 0;
    got = hub.drain(sink, max_per_drain);
    CHECK(got <= max_per_drain);
    CHECK(sink.ticks_in_drain <= hub.tick_buffer()->capacity());
    total += got;
  }
  return total;
}

/// Checks one producer's delivered events: sequence strictly increasing (FIFO kept), every message
/// present; returns the number of ticks delivered.
std::uint64_t check_stream(const std::vector<Delivered>& events, std::uint32_t producer_id,
                           const std::vector<std::uint64_t>& message_seqs) {
  std::uint64_t last = 0;
  std::uint64_t ticks = 0;
  std::size_t next_message = 0;
  std::uint64_t out_of_order = 0;
  for (const Delivered& event : events) {
    if (event.producer_id != producer_id) continue;
    out_of_order += event.seq > last ? 0 : 1;
    last = event.seq;
    if (event.is_message) {
      if (next_message < message_seqs.size() && message_seqs[next_message] == event.seq) ++next_message;
    } else {
      ++ticks;
    }
  }
  CHECK_EQ(out_of_order, 0u);
  CHECK_EQ(next_message, message_seqs.size());  // every message, in order
  return ticks;
}

/// The consumer stalls while the producer pushes far more than the ring holds.
void stalled_consumer_keeps_fifo() {
  EventHub hub(1024);
  auto producer = hub.add_producer("stalled", 8);
  std::vector<std::uint64_t> messages;
  std::uint64_t tick_attempts = 0;
  for (std::uint64_t seq = 1; seq <= 300; ++seq) {
    if (seq % 3 == 0) {
      // Some payloads are inline, some on the heap (larger than a slot).
      vtcore_test::push_message_with_seq(*producer, seq, seq % 2 == 0 ? 1000 : 16);
      messages.push_back(seq);
    } else {
      producer->push_tick(vtcore_test::tick_with_seq(seq));
      ++tick_attempts;
    }
  }
  CHECK_EQ(producer->messages_pushed(), messages.size());
  CHECK(producer->messages_spilled() > 0);
  CHECK(producer->ticks_dropped() > 0);  // the ring filled, then messages were spilling
  CHECK_EQ(producer->ticks_pushed() + producer->ticks_dropped(), tick_attempts);

  RecordingSink sink(*hub.tick_buffer());
  drain_all(hub, sink, 5);
  const std::uint64_t ticks = check_stream(sink.events, producer->id(), messages);
  CHECK_EQ(ticks, producer->ticks_pushed());
  CHECK_EQ(sink.corrupt_messages, 0u);
  CHECK_EQ(sink.wrapped_runs, 0u);

  // Once the overflow is delivered the producer uses its ring again.
  CHECK(producer->push_tick(vtcore_test::tick_with_seq(301)));
  sink.events.clear();
  CHECK_EQ(drain_all(hub, sink, 100), 1u);
  CHECK(sink.events.size() == 1 && sink.events[0].seq == 301);
}

/// Three producer threads against a consumer that drains in small batches and now and then
/// stalls; every producer's stream must arrive in order with every message.
void concurrent_producers() {
  EventHub hub(256);
  constexpr int kProducers = 3;
  const std::uint64_t count = vtcore_test::scaled(200'000);
  std::vector<std::shared_ptr<vtcore::Producer>> producers;
  std::vector<std::vector<std::uint64_t>> messages(kProducers);
  for (int p = 0; p < kProducers; ++p) producers.push_back(hub.add_producer("p" + std::to_string(p), 64));

  std::atomic<int> running{kProducers};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (std::uint64_t seq = 1; seq <= count; ++seq) {
        if (seq % 7 == 0) {
          vtcore_test::push_message_with_seq(*producers[p], seq, seq % 14 == 0 ? 600 : 8);
          messages[p].push_back(seq);
        } else {
          producers[p]->push_tick(vtcore_test::tick_with_seq(seq));
        }
        // Bursts with gaps, so the rings are sometimes full (spill, drops) and sometimes not.
        if (seq % 256 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      running.fetch_sub(1);
    });
  }
  RecordingSink sink(*hub.tick_buffer());
  std::uint64_t drains = 0;
  while (running.load() > 0) {
    if (!hub.wait(std::chrono::milliseconds(100))) continue;
    sink.ticks_in_drain = 0;
    hub.drain(sink, 37);
    CHECK(sink.ticks_in_drain <= hub.tick_buffer()->capacity());
    if (++drains % 512 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a stall
  }
  for (auto& thread : threads) thread.join();
  drain_all(hub, sink, 1000);

  for (int p = 0; p < kProducers; ++p) {
    const std::uint64_t ticks = check_stream(sink.events, producers[p]->id(), messages[p]);
    CHECK_EQ(ticks, producers[p]->ticks_pushed());
    CHECK_EQ(producers[p]->ticks_pushed() + producers[p]->ticks_dropped(), count - count / 7);
    CHECK_EQ(producers[p]->messages_pushed(), count / 7);
  }
  CHECK_EQ(sink.corrupt_messages, 0u);
  CHECK_EQ(sink.wrapped_runs, 0u);
  std::uint64_t spilled = 0;
  std::uint64_t dropped = 0;
  for (const auto& producer : producers) {
    spilled += producer->messages_spilled();
    dropped += producer->ticks_dropped();
  }
  std::printf("concurrent: %llu drains, %llu events, %llu messages spilled, %llu ticks dropped\n",
              static_cast<unsigned long long>(drains), static_cast<unsigned long long>(sink.events.size()),
              static_cast<unsigned long long>(spilled), static_cast<unsigned long long>(dropped));
}

/// A drain never takes more ticks than the tick buffer holds, and no run wraps.
void drain_respects_tick_buffer() {
  EventHub hub(16);
  auto producer = hub.add_producer("burst", 64);
  for (std::uint64_t seq = 1; seq <= 50; ++seq) CHECK(producer->push_tick(vtcore_test::tick_with_seq(seq)));
  RecordingSink sink(*hub.tick_buffer());
  std::uint64_t expected = 1;
  for (int round = 0; round < 10 && expected <= 50; ++round) {
    sink.events.clear();
    sink.ticks_in_drain = 0;
    const std::size_t got = hub.drain(sink, 1000);
    CHECK(got <= 16);
    CHECK_EQ(got, sink.ticks_in_drain);
    for (const Delivered& event : sink.events) CHECK_EQ(event.seq, expected++);
  }
  CHECK_EQ(expected, 51u);
  CHECK_EQ(sink.wrapped_runs, 0u);
}

void message_payload_sizes() {
  EventHub hub(64);
  auto producer = hub.add_producer("sizes", 4);
  const std::uint32_t inline_max = static_cast<std::uint32_t>(vtcore::RingSlot::kInlinePayload);
  const std::uint32_t sizes[] = {8, 9, inline_max, inline_max + 1, 100'000, 8, inline_max, inline_max + 1};
  std::vector<std::uint64_t> seqs;
  std::uint64_t seq = 0;
  for (const std::uint32_t size : sizes) {  // the ring holds 4: the rest spill
    vtcore_test::push_message_with_seq(*producer, ++seq, size);
    seqs.push_back(seq);
  }
  CHECK_EQ(producer->messages_spilled(), 4u);
  RecordingSink sink(*hub.tick_buffer());
  drain_all(hub, sink, 3);
  check_stream(sink.events, producer->id(), seqs);
  CHECK_EQ(sink.corrupt_messages, 0u);
  // A zero-byte payload is a valid message.
  producer->push_message(9, -1, false, nullptr, 0);
  struct : vtcore::DrainSink {
    void on_ticks(std::uint32_t, std::uint64_t, std::size_t) override {}
    void on_message(std::uint32_t, const vtcore::MessageHeader& header, const std::byte*) override {
      ok = header.kind == 9 && header.request_id == -1 && header.size == 0 && header.is_last == 0;
    }
    bool ok = false;
  } empty_sink;
  CHECK_EQ(hub.drain(empty_sink, 10), 1u);
  CHECK(empty_sink.ok);
}

void remove_and_fairness() {
  EventHub hub(1024);
  auto a = hub.add_producer("a", 256);
  auto b = hub.add_producer("b", 256);
  CHECK(a->id() != b->id());
  for (std::uint64_t seq = 1; seq <= 100; ++seq) {
    a->push_tick(vtcore_test::tick_with_seq(seq));
    b->push_tick(vtcore_test::tick_with_seq(seq));
  }
  RecordingSink sink(*hub.tick_buffer());
  CHECK_EQ(hub.drain(sink, 20), 20u);
  std::map<std::uint32_t, int> per_producer;
  for (const Delivered& event : sink.events) ++per_producer[event.producer_id];
  CHECK_EQ(per_producer[a->id()], 10);  // round-robin: an equal share each
  CHECK_EQ(per_producer[b->id()], 10);

  CHECK(hub.remove_producer(*a));
  CHECK(!hub.remove_producer(*a));
  CHECK(!hub.remove_producer(a->id()));
  CHECK_EQ(hub.stats().size(), 1u);
  CHECK(!a->push_tick(vtcore_test::tick_with_seq(999)));  // detached: refused and counted
  CHECK_EQ(a->ticks_dropped(), 1u);
  CHECK_EQ(hub.ticks_dropped_total(), 0u);  // dropped after its removal: counted by a, not by the hub

  EventHub other(16);
  CHECK(!other.remove_producer(*b));  // ids are per hub: another hub's producer is not removed
  CHECK_EQ(hub.stats().size(), 1u);

  sink.events.clear();
  drain_all(hub, sink, 1000);
  for (const Delivered& event : sink.events) CHECK_EQ(event.producer_id, b->id());
  CHECK_EQ(sink.events.size(), 90u);

  // A producer that outlives its hub (held by another module) discards instead of piling up.
  std::shared_ptr<vtcore::Producer> orphan;
  {
    EventHub temporary(16);
    orphan = temporary.add_producer("orphan", 2);
  }
  CHECK(orphan->detached());
  CHECK(!orphan->push_tick(vtcore_test::tick_with_seq(1)));
  for (std::uint64_t seq = 1; seq <= 10; ++seq) vtcore_test::push_message_with_seq(*orphan, seq);
  CHECK_EQ(orphan->messages_spilled(), 0u);
  CHECK_EQ(orphan->messages_pushed(), 0u);
}

}  // namespace

int main() {
  stalled_consumer_keeps_fifo();
  drain_respects_tick_buffer();
  message_payload_sizes();
  remove_and_fairness();
  const auto start = std::chrono::steady_clock::now();
  concurrent_producers();
  std::printf("concurrent producers: %.2f s\n", vtcore_test::seconds_since(start));
  return vtcore_test::finish("test_event_hub");
}
