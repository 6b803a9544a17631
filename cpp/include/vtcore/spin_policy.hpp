// How long the idle consumer spins before it parks, chosen from how far apart events arrive.
//
// Spinning only pays when the next event comes before the spin ends: then the consumer sees it
// within a microsecond instead of paying a thread wake-up (tens of µs on a VM). A fixed spin shorter
// than the gap burns CPU for nothing (at 10k events/s a 50 µs spin used half a core and still woke
// from a park every time); one much longer than the gap burns a core when the feed is slow. So the
// window follows a moving average of the gap: twice the gap while that fits under `max` (the spin
// then catches the next event), else only `base` (a short spin that still catches bursts).
//
// A budget can cap the spin on top of that: a token bucket that fills at `budget` of wall time (up to
// `burst`) and that every spin drains by its length. The engine's `balanced` profile uses it, so that its
// spinning costs at most that share of a core whatever the feed does, and a quiet spell saves up enough
// spin for the next burst.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace vtcore {

class SpinPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  /// A fixed window when max <= base; adaptive between them otherwise.
  SpinPolicy(std::chrono::nanoseconds base, std::chrono::nanoseconds max) noexcept
      : base_(std::max(base, std::chrono::nanoseconds::zero())), max_(std::max(max, base_)) {}

  /// The spin window for the next wait.
  [[nodiscard]] std::chrono::nanoseconds window() const noexcept {
    if (max_ <= base_ || average_gap_ns_ < 0) return base_;
    const std::chrono::nanoseconds gap(average_gap_ns_);
    return gap <= max_ / 2 ? std::max(base_, 2 * gap) : gap <= max_ ? max_ : base_;
  }

  /// An event (work or a notification) arrived at `when`.
  void on_arrival(Clock::time_point when) noexcept {
    if (have_last_) {
      const std::int64_t gap = std::chrono::duration_cast<std::chrono::nanoseconds>(when - last_).count();
      // Exponential moving average with weight 1/8: a lone long gap moves it up at once, and eight
      // short gaps in a row bring it most of the way back down.
      average_gap_ns_ = average_gap_ns_ < 0 ? gap : average_gap_ns_ + (gap - average_gap_ns_) / 8;
    }
    last_ = when;
    have_last_ = true;
  }

  /// Caps spinning at `share` of wall time (0..1; 1 = no cap), saving up at most `burst` while idle.
  void set_budget(double share, std::chrono::nanoseconds burst) noexcept {
    share_ = std::clamp(share, 0.0, 1.0);
    burst_ns_ = static_cast<double>(std::max(burst, std::chrono::nanoseconds::zero()).count());
    tokens_ns_ = burst_ns_;
  }

  /// How long the budget lets the consumer spin now (`window()` when there is no cap).
  [[nodiscard]] std::chrono::nanoseconds allowance(Clock::time_point now) noexcept {
    if (share_ >= 1.0) return window();
    if (have_refill_) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - refilled_).count();
      tokens_ns_ = std::min(burst_ns_, tokens_ns_ + share_ * static_cast<double>(std::max<std::int64_t>(elapsed, 0)));
    }
    refilled_ = now;
    have_refill_ = true;
    return std::min(window(), std::chrono::nanoseconds(static_cast<std::int64_t>(std::max(tokens_ns_, 0.0))));
  }

  /// The consumer spun for `spun` (charged to the budget).
  void spent(std::chrono::nanoseconds spun) noexcept {
    if (share_ < 1.0) tokens_ns_ -= static_cast<double>(spun.count());
  }

  [[nodiscard]] std::chrono::nanoseconds base() const noexcept { return base_; }
  [[nodiscard]] std::chrono::nanoseconds max() const noexcept { return max_; }

 private:
  const std::chrono::nanoseconds base_;
  const std::chrono::nanoseconds max_;
  std::int64_t average_gap_ns_ = -1;  // -1 until two arrivals were seen
  Clock::time_point last_{};
  bool have_last_ = false;
  double share_ = 1.0;  // budget: share of wall time, tokens (ns of spin) and their cap
  double burst_ns_ = 0.0;
  double tokens_ns_ = 0.0;
  Clock::time_point refilled_{};
  bool have_refill_ = false;
};

}  // namespace vtcore
