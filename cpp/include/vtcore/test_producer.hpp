// A C++ thread that pushes synthetic ticks into a Producer: the load generator for tests and
// benchmarks, standing in for a vendor SDK's callback thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vtcore/event_hub.hpp"
#include "vtcore/records.hpp"

namespace vtcore {

/// Message kind of the marker pushed every `message_every` ticks; its payload is the 8-byte
/// (native-endian uint64) sequence number of the tick pushed just before it.
inline constexpr std::uint32_t kTestMessageKind = 1;

class TestProducer {
 public:
  /// Throws std::invalid_argument for no symbols or an unknown exchange, std::length_error for a
  /// symbol that does not fit TickRecord::symbol (16 bytes).
  TestProducer(std::shared_ptr<Producer> producer, const std::vector<std::string>& symbols,
               const std::string& exchange = "SHFE", std::uint64_t message_every = 0);
  ~TestProducer();
  TestProducer(const TestProducer&) = delete;
  TestProducer& operator=(const TestProducer&) = delete;

  /// Starts pushing `count` ticks: `rate` ticks per second on a deadline schedule, or as fast as
  /// possible when rate <= 0. Throws std::logic_error while a run is in progress. Each tick's
  /// `volume` is its 1-based sequence number in the run, `localtime` and `datetime` its push time.
  void start(std::uint64_t count, double rate = 0.0);
  /// Waits for the run to end (forever when timeout is empty); true when it ended.
  bool join(std::optional<std::chrono::nanoseconds> timeout = std::nullopt);
  /// Asks the run to end early and waits for it.
  void stop();

  [[nodiscard]] bool running() const noexcept { return running_.load(std::memory_order_acquire); }
  [[nodiscard]] std::uint64_t pushed() const noexcept { return pushed_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
  void run(std::uint64_t count, double rate);

  const std::shared_ptr<Producer> producer_;
  std::vector<TickRecord> templates_;  // one per symbol, with symbol/exchange filled in
  const std::uint64_t message_every_;

  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint64_t> pushed_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::mutex join_mutex_;  // guards thread_
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
};

}  // namespace vtcore
