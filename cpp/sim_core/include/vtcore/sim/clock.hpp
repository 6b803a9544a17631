// Exchange time for the simulator: a clock in China Standard Time (UTC+8, no daylight saving) and the rules that
// turn it into CTP's TradingDay / ActionDay / UpdateTime per exchange, night sessions included.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

namespace vtcore::sim {

// Local China time as nanoseconds since 1970-01-01 00:00 *local* (i.e. UTC + 8 h); plain arithmetic, no tz.
using LocalNs = int64_t;

constexpr int64_t ns_per_ms = 1'000'000;
constexpr int64_t ns_per_s = 1'000'000'000;
constexpr int64_t ns_per_day = 86'400 * ns_per_s;

LocalNs local_now();                                // wall clock in China time
LocalNs parse_local_time(std::string_view text);    // "YYYY-MM-DD HH:MM:SS[.mmm]"; throws std::invalid_argument
std::string format_date(int64_t days_since_epoch);  // YYYYMMDD
int64_t parse_yyyymmdd(std::string_view text);      // days since epoch; throws std::invalid_argument

// The fields CTP stamps on a tick or an order at local time `t` on `exchange`.
struct Stamp {
  char trading_day[9];
  char action_day[9];
  char time[9];  // HH:MM:SS
  int millisec;
};

// Night session (18:00-06:00): TradingDay is the next weekday after the session's evening. ActionDay is the
// calendar date, except on DCE, which puts the trading day in ActionDay during the night session. (CZCE's
// market data carries the calendar date in TradingDay too at night: Exchange::write_tick.)
// Holidays are not modelled (only weekends). `trading_day_override` (YYYYMMDD or "") replaces the computed day.
Stamp make_stamp(LocalNs t, std::string_view exchange, std::string_view trading_day_override);

// make_stamp with the two dates remembered between calls: they change only when the calendar day or the
// session (night or day) changes, so a tick stream formats them once per session instead of once per tick.
class StampCache {
 public:
  Stamp make(LocalNs t, std::string_view exchange, std::string_view trading_day_override);

 private:
  int64_t key_ = INT64_MIN;  // day * 4 + session part
  char trading_day_[9] = {};
  char action_day_[9] = {};
};

// The trading day at time t (what login reports).
std::string trading_day_at(LocalNs t, std::string_view trading_day_override);

}  // namespace vtcore::sim
