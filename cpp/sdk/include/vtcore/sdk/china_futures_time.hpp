// China futures time: CTP-family date and time fields -> ns since the epoch (UTC), with the night-session
// date rule, for every SDK of the family (CTP, CTP-Mini, FEMAS).
//
// Event time. CTP gives UpdateTime "HH:MM:SS", UpdateMillisec (an integer: 5 means .005 s), TradingDay
// and ActionDay, in China Standard Time (UTC+8, no daylight saving). The calendar date is found from
// the data, never from the local clock:
//  - Day session (06:00-17:59): the calendar date is ActionDay (TradingDay when ActionDay is empty).
//  - Night session (18:00-05:59): SHFE, INE, CFFEX, GFEX and CZCE put the calendar date in ActionDay;
//    DCE puts the *trading day* there (the next business day). A night ActionDay is taken as the
//    trading day when it equals the session's trading day (from the market-data login; the gateway can
//    also set it), or, while that is unknown, when the exchange is DCE, or when ActionDay is empty.
//    The calendar date is then derived from that trading day T: the evening (18:00-23:59) belongs to
//    the business day before T (Friday for a Monday T), the small hours (00:00-05:59) to the day after
//    that one (Saturday for a Monday T). Exchange holidays are not known here: a night session before
//    a holiday break does not exist on China's futures exchanges, so the previous weekday is right.
//
// Prices: CTP marks "no value" with DBL_MAX; clean_price() turns that and anything non-finite into 0.0.
#pragma once

#include <cstdint>
#include <string_view>

#include "vtcore/exchange.hpp"

namespace vtcore::sdk {

inline constexpr std::int64_t kChinaOffsetSeconds = 8 * 3600;

/// YYYYMMDD text -> YYYYMMDD int, 0 when malformed.
constexpr std::int32_t parse_date(std::string_view text) noexcept {
  if (text.size() != 8) return 0;
  std::int32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + (c - '0');
  }
  const int month = value / 100 % 100, day = value % 100;
  return (month >= 1 && month <= 12 && day >= 1 && day <= 31) ? value : 0;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int32_t yyyymmdd) noexcept {
  std::int64_t y = yyyymmdd / 10000;
  const unsigned m = static_cast<unsigned>(yyyymmdd / 100 % 100), d = static_cast<unsigned>(yyyymmdd % 100);
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Event time in ns since the epoch (UTC), 0 when the fields are malformed.
constexpr std::int64_t tick_time_ns(std::string_view action_day, std::string_view trading_day,
                                    std::string_view update_time, int millisec, std::uint16_t exchange,
                                    std::int32_t session_trading_day) noexcept {
  if (update_time.size() != 8 || update_time[2] != ':' || update_time[5] != ':') return 0;
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    const char a = update_time[i * 3], b = update_time[i * 3 + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return 0;
    parts[i] = (a - '0') * 10 + (b - '0');
  }
  const int hour = parts[0], minute = parts[1], second = parts[2];
  if (hour > 23 || minute > 59 || second > 60) return 0;
  const std::int32_t action = parse_date(action_day);
  const std::int32_t trading = parse_date(trading_day);
  std::int64_t days = 0;
  const bool night = hour >= 18 || hour < 6;
  if (!night) {
    const std::int32_t date = action ? action : trading;
    if (!date) return 0;
    days = days_from_civil(date);
  } else {
    const bool action_is_trading_day =
        action == 0 || (session_trading_day ? action == session_trading_day
                                            : exchange == exchange_code("DCE"));
    if (!action_is_trading_day) {
      days = days_from_civil(action);
    } else {
      const std::int32_t day = action ? action : (session_trading_day ? session_trading_day : trading);
      if (!day) return 0;
      const std::int64_t t = days_from_civil(day);
      const std::int64_t weekday = ((t % 7) + 7 + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
      const std::int64_t previous_business_day = t - (weekday == 0 ? 3 : weekday == 6 ? 2 : 1);
      days = previous_business_day + (hour < 6 ? 1 : 0);
    }
  }
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - kChinaOffsetSeconds;
  const std::int64_t millis = (millisec >= 0 && millisec <= 999) ? millisec : 0;
  return seconds * 1'000'000'000 + millis * 1'000'000;
}

/// CTP's "no value" (DBL_MAX) and anything non-finite -> 0.0.
constexpr double clean_price(double value) noexcept {
  return (value != value || value >= 1e300 || value <= -1e300) ? 0.0 : value;
}

}  // namespace vtcore::sdk
