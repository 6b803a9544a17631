// Helpers shared by the event-hub and wake-up tests: records that carry a sequence number, and a
// sink that flattens what a drain delivers into (producer, kind, sequence) events.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "vtcore/event_hub.hpp"

namespace vtcore_test {

inline vtcore::TickRecord tick_with_seq(std::uint64_t seq) {
  vtcore::TickRecord tick{};
  tick.volume = static_cast<double>(seq);
  tick.last_price = static_cast<double>(seq) * 0.5;
  return tick;
}

/// A message whose payload starts with the 8-byte sequence number, padded to `size` bytes with a
/// pattern derived from it.
inline void push_message_with_seq(vtcore::Producer& producer, std::uint64_t seq, std::uint32_t size = 8) {
  std::vector<unsigned char> payload(size < 8 ? 8 : size);
  std::memcpy(payload.data(), &seq, 8);
  for (std::size_t i = 8; i < payload.size(); ++i) payload[i] = static_cast<unsigned char>(seq + i);
  producer.push_message(7, static_cast<std::int32_t>(seq), true, payload.data(),
                        static_cast<std::uint32_t>(payload.size()));
}

struct Delivered {
  std::uint32_t producer_id;
  bool is_message;
  std::uint64_t seq;
};

/// Records every delivered item; checks tick runs against the tick buffer and message payloads
/// against their pattern as they arrive.
class RecordingSink final : public vtcore::DrainSink {
 public:
  explicit RecordingSink(const vtcore::TickBuffer& ticks) : ticks_(ticks) {}

  void on_ticks(std::uint32_t producer_id, std::uint64_t start_seq, std::size_t count) override {
    const std::size_t slot = ticks_.slot(start_seq);
    if (slot + count > ticks_.capacity()) ++wrapped_runs;
    const vtcore::TickRecord* run = ticks_.view(start_seq, count);
    for (std::size_t i = 0; i < count; ++i) {
      events.push_back({producer_id, false, static_cast<std::uint64_t>(run[i].volume)});
    }
    ticks_in_drain += count;
  }

  void on_message(std::uint32_t producer_id, const vtcore::MessageHeader& header, const std::byte* payload) override {
    std::uint64_t seq = 0;
    if (header.size >= 8) std::memcpy(&seq, payload, 8);
    bool intact = header.kind == 7 && header.request_id == static_cast<std::int32_t>(seq) && header.is_last == 1;
    for (std::size_t i = 8; i < header.size; ++i) {
      intact = intact && static_cast<unsigned char>(payload[i]) == static_cast<unsigned char>(seq + i);
    }
    if (!intact) ++corrupt_messages;
    events.push_back({producer_id, true, seq});
  }

  std::vector<Delivered> events;
  std::size_t ticks_in_drain = 0;
  std::size_t wrapped_runs = 0;
  std::size_t corrupt_messages = 0;

 private:
  const vtcore::TickBuffer& ticks_;
};

}  // namespace vtcore_test
