#include "vtcore/sim/tick_stream.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <utility>

#include "vtcore/sim/replay.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim {

void TickStream::configure(const MarketDataConfig& config) {
  budget_ = config.count;
  rate_ = config.rate;
  if (!config.replay.empty()) {
    try {
      replay_ = load_replay(config.replay);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
    }
  }
}

void TickStream::set_budget(int64_t count, double rate) {
  budget_ = count;
  if (rate >= 0) rate_ = rate;
  pace_start_ = ApiLoop::Clock::now();
  paced_sent_ = 0;
}

void TickStream::update(const Exchange& exchange, const std::string& instrument, bool subscribe) {
  if (subscribe) {
    if (subscribed_set_.insert(instrument).second) {
      const int index = exchange.instrument_index(instrument);
      if (index >= 0) subscribed_.push_back(index);
    }
  } else if (subscribed_set_.erase(instrument)) {
    std::erase(subscribed_, exchange.instrument_index(instrument));
    if (next_ >= subscribed_.size()) next_ = 0;
  }
}

void TickStream::reset() {
  subscribed_.clear();
  subscribed_set_.clear();
  scheduled_ = false;
}

void TickStream::kick(std::shared_ptr<Exchange> exchange, uint64_t epoch, Alive alive, Deliver deliver) {
  if (scheduled_ || budget_ == 0) return;
  if (replay_ ? subscribed_set_.empty() : subscribed_.empty()) return;
  exchange_ = std::move(exchange);
  alive_ = std::move(alive);
  deliver_ = std::move(deliver);
  scheduled_ = true;
  pace_start_ = ApiLoop::Clock::now();
  paced_sent_ = 0;
  loop_.post([this, epoch] { slice(epoch); });
}

void TickStream::slice(uint64_t epoch) {
  if (!alive_(epoch) || !scheduled_) return;
  constexpr int64_t kSlice = 4096;
  int64_t due = kSlice;
  if (rate_ > 0) {
    const double elapsed = std::chrono::duration<double>(ApiLoop::Clock::now() - pace_start_).count();
    due = std::min<int64_t>(kSlice, static_cast<int64_t>(elapsed * rate_) + 1 - paced_sent_);
  }
  for (int64_t n = 0; n < due && budget_ != 0; ++n) {
    if (!next_tick(tick_)) {
      scheduled_ = false;
      return;
    }
    if (budget_ > 0) --budget_;
    ++paced_sent_;
    if (!deliver_(tick_)) return;
    if (!alive_(epoch) || !scheduled_) return;
  }
  if (budget_ == 0) {
    scheduled_ = false;
    return;
  }
  if (rate_ > 0) {
    const auto next_due = std::chrono::duration<double>(static_cast<double>(paced_sent_) / rate_);
    const auto wait =
        pace_start_ + std::chrono::duration_cast<ApiLoop::Clock::duration>(next_due) - ApiLoop::Clock::now();
    loop_.post_after(std::max(wait, ApiLoop::Clock::duration::zero()), [this, epoch] { slice(epoch); });
  } else {
    loop_.post([this, epoch] { slice(epoch); });
  }
}

bool TickStream::next_tick(Tick& tick) {
  if (replay_) {
    while (replay_next_ < replay_->size()) {
      tick = (*replay_)[replay_next_++];
      if (subscribed_set_.count(std::string(field_view(tick.instrument)))) {
        exchange_->apply_replayed_tick(tick);
        return true;
      }
    }
    return false;  // the file is exhausted
  }
  if (subscribed_.empty()) return false;
  if (next_ >= subscribed_.size()) next_ = 0;
  exchange_->next_tick(subscribed_[next_++], tick);
  return true;
}

}  // namespace vtcore::sim
