// China's exchange clock: dates and times as CTP-family SDKs report them -> ns since the epoch (UTC).
//
// All times are China Standard Time (UTC+8, no daylight saving). The calendar date of an event is found
// from the data, never from the local clock:
//  - Day session (06:00-17:59): the calendar date is the reported date (the trading day when it is empty).
//  - Night session (18:00-05:59): SHFE, INE, CFFEX, GFEX and CZCE report the calendar date; DCE reports the
//    *trading day* (the next business day). A night date is taken as the trading day when it equals the
//    session's trading day (from the login; the gateway can also set it), or, while that is unknown, when
//    the exchange is DCE, or when the date is empty. The calendar date is then derived from that trading
//    day T: the evening (18:00-23:59) belongs to the business day before T (Friday for a Monday T), the
//    small hours (00:00-05:59) to the day after that one (Saturday for a Monday T). Exchange holidays are
//    not known here: a night session before a holiday break does not exist on China's futures exchanges,
//    so the previous weekday is right.
// Python applies the same rule to orders and trades (`vtcore.time.china_datetime`);
// tests/core/test_china_time.py and tests/cpp/test_china_time.cpp hold both to one table of cases
// (tests/resources/china_time_cases.json).
#pragma once

#include <cstdint>
#include <string_view>

#include "vtcore/exchange.hpp"

namespace vtcore {

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

/// Event time in ns since the epoch (UTC) from the reported date, trading day and "HH:MM:SS"; 0 when the
/// fields are malformed. `session_trading_day` is YYYYMMDD or 0 when not known yet.
constexpr std::int64_t china_time_ns(std::string_view date, std::string_view trading_day, std::string_view time,
                                     int millisec, std::uint16_t exchange, std::int32_t session_trading_day) noexcept {
  if (time.size() != 8 || time[2] != ':' || time[5] != ':') return 0;
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    const char a = time[i * 3], b = time[i * 3 + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return 0;
    parts[i] = (a - '0') * 10 + (b - '0');
  }
  const int hour = parts[0], minute = parts[1], second = parts[2];
  if (hour > 23 || minute > 59 || second > 60) return 0;
  const std::int32_t reported = parse_date(date);
  const std::int32_t trading = parse_date(trading_day);
  std::int64_t days = 0;
  const bool night = hour >= 18 || hour < 6;
  if (!night) {
    const std::int32_t day = reported ? reported : trading;
    if (!day) return 0;
    days = days_from_civil(day);
  } else {
    const bool reported_is_trading_day =
        reported == 0 || (session_trading_day ? reported == session_trading_day : exchange == exchange_code("DCE"));
    if (!reported_is_trading_day) {
      days = days_from_civil(reported);
    } else {
      const std::int32_t day = reported ? reported : (session_trading_day ? session_trading_day : trading);
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

}  // namespace vtcore
