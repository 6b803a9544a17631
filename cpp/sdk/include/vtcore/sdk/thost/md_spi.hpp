// The market-data SPI of the Thost family (CTP, CTP-Mini): ticks become TickRecords on the SDK's thread and go
// into the producer's ring (counted when refused); the login's trading day is kept for the night-session
// date rule. Every other callback is the generated one: a message for the gateway.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vtcore/clock.hpp"
#include "vtcore/sdk/thost/tick.hpp"

namespace vtcore::sdk::thost {

/// `Generated` is the generated market-data SPI (its hooks are OnRtnDepthMarketData and OnRspUserLogin);
/// `Depth`, `Login` and `Info` are the SDK's DepthMarketData, RspUserLogin and RspInfo structs.
template <class Generated, class Depth, class Login, class Info>
class MdSpi final : public Generated {
 public:
  using Generated::Generated;

  bool hook_OnRtnDepthMarketData(Depth* data) override {
    if (data == nullptr) return false;
    std::uint16_t exchange = 0;
    {
      std::shared_lock guard(exchanges_mutex_);
      const auto found = exchanges_.find(fixed_view(data->InstrumentID));
      if (found != exchanges_.end()) exchange = found->second;
    }
    TickRecord record;
    if (convert_tick(*data, exchange, session_trading_day_.load(std::memory_order_relaxed), now_ns(), record)) {
      this->producer().push_tick(record);
    } else {
      ticks_refused_.fetch_add(1, std::memory_order_relaxed);
    }
    return false;  // no message: the tick is in the ring
  }

  bool hook_OnRspUserLogin(Login* login, Info* info, int, bool) override {
    if (login != nullptr && (info == nullptr || info->ErrorID == 0)) {
      const std::int32_t day = parse_date(fixed_view(login->TradingDay));
      if (day) session_trading_day_.store(day, std::memory_order_relaxed);
    }
    return true;  // and the gateway gets the login as a message
  }

  /// The exchange code of a subscribed symbol (ticks name only the instrument on some exchanges).
  void set_exchange(const std::string& symbol, std::uint16_t exchange) {
    std::unique_lock guard(exchanges_mutex_);
    exchanges_[symbol] = exchange;
  }
  void set_session_trading_day(std::int32_t day) { session_trading_day_.store(day, std::memory_order_relaxed); }
  [[nodiscard]] std::int32_t session_trading_day() const {
    return session_trading_day_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t ticks_refused() const { return ticks_refused_.load(std::memory_order_relaxed); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::shared_mutex exchanges_mutex_;
  std::unordered_map<std::string, std::uint16_t, StringHash, std::equal_to<>> exchanges_;
  std::atomic<std::int32_t> session_trading_day_{0};
  std::atomic<std::uint64_t> ticks_refused_{0};
};

}  // namespace vtcore::sdk::thost
