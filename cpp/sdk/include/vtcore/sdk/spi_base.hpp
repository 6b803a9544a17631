// What every generated SPI class builds on: the producer its callbacks push into, and the check that they
// all come from one thread.
//
// A vendor calls one API object's SPI from one of its threads (CTP: one of the two Init() starts), and the
// producer's ring is single-producer, so a second calling thread would be a data race. Debug builds assert
// the contract on every callback; release builds trust it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#ifndef NDEBUG
#include <atomic>
#include <cassert>
#include <thread>
#endif

#include "vtcore/event_hub.hpp"

namespace vtcore::sdk {

class SpiBase {
 public:
  explicit SpiBase(std::shared_ptr<Producer> producer) : producer_(std::move(producer)) {}
  SpiBase(const SpiBase&) = delete;
  SpiBase& operator=(const SpiBase&) = delete;

  /// The callback's producer; in debug builds, asserts that callbacks keep to one thread.
  Producer& producer() noexcept {
#ifndef NDEBUG
    const std::thread::id me = std::this_thread::get_id();
    std::thread::id expected{};
    if (!callback_thread_.compare_exchange_strong(expected, me)) assert(expected == me && "callbacks from two threads");
#endif
    return *producer_;
  }

 protected:
  ~SpiBase() = default;

 private:
  std::shared_ptr<Producer> producer_;
#ifndef NDEBUG
  std::atomic<std::thread::id> callback_thread_{};
#endif
};

/// An SDK that reports a callback's error as an int argument (TAP's errorCode) pushes it as this "error
/// struct", so that every message has one shape (Python: the generated `ErrorCode` class).
struct ErrorCode {
  std::int32_t ErrorID;
};

/// One callback as one message: payload = uint32 flags (bit i: the i-th struct pointer was non-null), then
/// each struct's bytes (zeros for a null pointer). Runs on the SDK's callback thread: no allocation for
/// payloads that fit the ring, no Python. Messages are never dropped (the ring spills, see event_hub.hpp).
template <typename... Structs>
void push_structs(Producer& producer, std::uint32_t kind, int request_id, bool is_last,
                  const Structs*... structs) noexcept {
  constexpr std::size_t kSize = sizeof(std::uint32_t) + (sizeof(Structs) + ...);
  alignas(8) std::byte buffer[kSize];
  std::uint32_t flags = 0;
  std::size_t offset = sizeof(flags);
  unsigned bit = 0;
  auto put = [&](const void* data, std::size_t size) {
    if (data != nullptr) {
      std::memcpy(buffer + offset, data, size);
      flags |= 1u << bit;
    } else {
      std::memset(buffer + offset, 0, size);
    }
    offset += size;
    ++bit;
  };
  (put(structs, sizeof(Structs)), ...);
  std::memcpy(buffer, &flags, sizeof(flags));
  producer.push_message(kind, request_id, is_last, buffer, static_cast<std::uint32_t>(kSize));
}

}  // namespace vtcore::sdk
