#include "vtcore/test_producer.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <stdexcept>

#include "vtcore/clock.hpp"
#include "vtcore/exchange.hpp"
#include "vtcore/fixed_string.hpp"

namespace vtcore {
namespace {

std::int32_t utc_yyyymmdd(std::int64_t ns) noexcept {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  return (parts.tm_year + 1900) * 10000 + (parts.tm_mon + 1) * 100 + parts.tm_mday;
}

}  // namespace

TestProducer::TestProducer(std::shared_ptr<Producer> producer, const std::vector<std::string>& symbols,
                           const std::string& exchange, std::uint64_t message_every)
    : producer_(std::move(producer)), message_every_(message_every) {
  if (!producer_) throw std::invalid_argument("TestProducer needs a producer");
  if (symbols.empty()) throw std::invalid_argument("TestProducer needs at least one symbol");
  const std::uint16_t code = exchange_code(exchange);
  if (code == 0) throw std::invalid_argument("unknown exchange: " + exchange);
  for (const auto& symbol : symbols) {
    TickRecord record{};
    copy_padded(record.symbol, symbol, "symbol");
    record.exchange = code;
    templates_.push_back(record);
  }
}

TestProducer::~TestProducer() { stop(); }

void TestProducer::start(std::uint64_t count, double rate) {
  const std::lock_guard<std::mutex> lock(join_mutex_);
  if (running()) throw std::logic_error("TestProducer is already running");
  if (thread_.joinable()) thread_.join();
  if (!std::isfinite(rate) || rate < 0.0 || (rate > 0.0 && rate < 1e-3)) {
    throw std::invalid_argument("rate must be 0 (as fast as possible) or from 0.001 ticks/s up");
  }
  stop_requested_.store(false);
  pushed_.store(0);
  dropped_.store(0);
  running_.store(true, std::memory_order_release);
  thread_ = std::thread([this, count, rate] { run(count, rate); });
}

bool TestProducer::join(std::optional<std::chrono::nanoseconds> timeout) {
  {
    std::unique_lock<std::mutex> lock(done_mutex_);
    const auto finished = [this] { return !running(); };
    if (timeout) {
      if (!done_cv_.wait_for(lock, *timeout, finished)) return false;
    } else {
      done_cv_.wait(lock, finished);
    }
  }
  const std::lock_guard<std::mutex> lock(join_mutex_);  // two joiners must not both join
  if (thread_.joinable()) thread_.join();
  return true;
}

void TestProducer::stop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  join();
}

void TestProducer::run(std::uint64_t count, double rate) {
  // A cheap generator (xorshift64: a few ns per tick), so the producer's own cost stays far below the
  // engine's when it pushes as fast as it can: price moves -1, 0 or +1 tick per step.
  std::uint64_t random = 0x9E3779B97F4A7C15ULL;
  std::vector<double> prices(templates_.size(), 0.0);
  for (std::size_t i = 0; i < prices.size(); ++i) prices[i] = 1000.0 + 100.0 * static_cast<double>(i);
  const double tick_size = 0.5;

  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  const std::chrono::duration<double> period(rate > 0.0 ? 1.0 / rate : 0.0);
  std::uint64_t pushed = 0;
  std::uint64_t dropped = 0;
  std::int64_t day_start = 0, day_end = 0;  // the UTC day of the last trading_day computed
  std::int32_t trading_day = 0;
#if defined(__linux__)
  // Paced runs sleep most of each gap: with the default 50 us timer slack a sleep overshoots by up to
  // 50 us, so this thread asks for precise sleeps and spins only the last stretch (a vendor SDK's
  // thread waits in recv(), it does not spin; spinning here would steal a core from the engine).
  if (rate > 0.0) ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
#endif

  for (std::uint64_t seq = 1; seq <= count; ++seq) {
    if (stop_requested_.load(std::memory_order_relaxed)) break;
    if (rate > 0.0) {
      // Deadline schedule: tick `seq` is due at begin + (seq-1) * period, so a late tick does not
      // push the later ones back. Sleep for long gaps, spin for the last stretch.
      const auto due = begin + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(seq - 1));
      for (auto now = Clock::now(); now < due; now = Clock::now()) {
        if (stop_requested_.load(std::memory_order_relaxed)) break;
        if (due - now > std::chrono::microseconds(40)) {
          // In slices, so stop() is answered quickly even at a very low rate.
          const Clock::duration slice = std::chrono::milliseconds(10);
          std::this_thread::sleep_for(std::min(slice, due - now - std::chrono::microseconds(20)));
        }
      }
      if (stop_requested_.load(std::memory_order_relaxed)) break;
    }

    const std::size_t index = static_cast<std::size_t>((seq - 1) % templates_.size());
    random ^= random << 13;
    random ^= random >> 7;
    random ^= random << 17;
    double& price = prices[index];
    price = std::max(tick_size, price + tick_size * (static_cast<double>(random % 3) - 1.0));

    TickRecord tick = templates_[index];
    const std::int64_t now = now_ns();
    if (now < day_start || now >= day_end) {
      trading_day = utc_yyyymmdd(now);
      day_start = now - now % 86'400'000'000'000;
      day_end = day_start + 86'400'000'000'000;
    }
    tick.datetime = now;
    tick.localtime = now;
    tick.trading_day = trading_day;
    tick.volume = static_cast<double>(seq);
    tick.turnover = price * static_cast<double>(seq);
    tick.open_interest = 1000.0;
    tick.last_price = price;
    tick.last_volume = 1.0;
    tick.limit_up = 2000.0 * (1.0 + static_cast<double>(index));
    tick.limit_down = tick_size;
    tick.open_price = 1000.0 + 100.0 * static_cast<double>(index);
    tick.high_price = price;
    tick.low_price = price;
    tick.pre_close = tick.open_price;
    for (std::size_t level = 0; level < kDepth; ++level) {
      const double offset = tick_size * static_cast<double>(level + 1);
      tick.bid_price[level] = price - offset;
      tick.ask_price[level] = price + offset;
      tick.bid_volume[level] = static_cast<float>(10 * (level + 1));
      tick.ask_volume[level] = static_cast<float>(10 * (level + 1) + 1);
    }

    if (producer_->push_tick(tick)) {
      pushed_.store(++pushed, std::memory_order_relaxed);
    } else {
      dropped_.store(++dropped, std::memory_order_relaxed);
    }
    if (message_every_ > 0 && seq % message_every_ == 0) {
      producer_->push_message(kTestMessageKind, 0, true, &seq, sizeof(seq));
    }
  }

  {
    const std::lock_guard<std::mutex> lock(done_mutex_);
    running_.store(false, std::memory_order_release);
  }
  done_cv_.notify_all();
}

}  // namespace vtcore
