// The market-data stream of one simulated API object, for every SDK front-end: the subscribed instruments, a
// round-robin over them through the exchange's random walk (or the records of a replay file), a tick budget
// and a pace (ticks per second, or as fast as possible). A front-end owns one per market-data API object,
// calls it on its API thread only, and gives `kick` the SDK's callback as `deliver`.
//
// The stream runs in slices that re-post themselves on the API thread, so requests and control commands
// interleave with a burst; a slice stops when the session it was started for is gone (`alive(epoch)`) or a
// delivery tripped a scripted fault (`deliver` returned false).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "vtcore/sim/api_loop.hpp"
#include "vtcore/sim/config.hpp"
#include "vtcore/sim/exchange.hpp"

namespace vtcore::sim {

class TickStream {
 public:
  using Deliver = std::function<bool(const Tick&)>;   // sends one tick; false: stop (a fault fired)
  using Alive = std::function<bool(uint64_t epoch)>;  // the session `epoch` is still the current one

  explicit TickStream(ApiLoop& loop) : loop_(loop) {}

  /// Init(): the configured budget, rate and replay file (a bad replay file is reported on stderr).
  void configure(const MarketDataConfig& config);
  /// The control socket's `ticks`: a new budget (-1 unlimited) and, when rate >= 0, a new rate.
  void set_budget(int64_t count, double rate);
  /// Adds or removes a subscription. Like a real front, an unknown instrument subscribes and never ticks.
  void update(const Exchange& exchange, const std::string& instrument, bool subscribe);
  /// The front dropped: forget every subscription and stop.
  void reset();
  /// Starts the stream unless it runs, has no budget or nothing to send.
  void kick(std::shared_ptr<Exchange> exchange, uint64_t epoch, Alive alive, Deliver deliver);

 private:
  void slice(uint64_t epoch);
  bool next_tick(Tick& tick);

  ApiLoop& loop_;
  std::shared_ptr<Exchange> exchange_;
  Alive alive_;
  Deliver deliver_;
  std::vector<int> subscribed_;  // round-robin order of instruments that tick
  std::set<std::string> subscribed_set_;
  size_t next_ = 0;
  bool scheduled_ = false;
  int64_t budget_ = -1;
  double rate_ = 0;
  ApiLoop::Clock::time_point pace_start_{};
  int64_t paced_sent_ = 0;
  std::shared_ptr<const std::vector<Tick>> replay_;
  size_t replay_next_ = 0;
  Tick tick_{};
};

}  // namespace vtcore::sim
