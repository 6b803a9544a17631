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
//
// Market data carries both dates and its exchange, so ticks do without the login's trading day
// (`china_tick_time_ns`): a session that logged in before the trading-day switch and stays connected keeps an
// old one, which dated SHFE night ticks a day early and DCE ones a day late. At night SHFE, INE, CZCE (and
// CFFEX, GFEX, which trade no night session today) put the calendar date in ActionDay, DCE the trading day
// (from which the calendar date is derived as above); CZCE's TradingDay is the calendar date too. The login's
// day is only a fallback for ticks whose fields do not say; for an exchange this rule does not know, the two
// readings of ActionDay are checked against the local clock, which a live tick is never far from.
// tests/gateways/ctp/test_ctp_night_dates.py holds it to a table (SHFE/INE/DCE/CZCE/GFEX/CFFEX, Friday
// night, the small hours, the first night after a holiday; stale, current and no login day).
#pragma once

#include <climits>
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

/// "HH:MM:SS" -> its parts; false when malformed.
constexpr bool parse_clock(std::string_view time, int& hour, int& minute, int& second) noexcept {
  if (time.size() != 8 || time[2] != ':' || time[5] != ':') return false;
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    const char a = time[i * 3], b = time[i * 3 + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return false;
    parts[i] = (a - '0') * 10 + (b - '0');
  }
  hour = parts[0], minute = parts[1], second = parts[2];
  return hour <= 23 && minute <= 59 && second <= 60;
}

/// ns since the epoch (UTC) of a China time on calendar day `days` (since the epoch).
constexpr std::int64_t china_ns(std::int64_t days, int hour, int minute, int second, int millisec) noexcept {
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - kChinaOffsetSeconds;
  const std::int64_t millis = (millisec >= 0 && millisec <= 999) ? millisec : 0;
  return seconds * 1'000'000'000 + millis * 1'000'000;
}

/// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
constexpr std::int64_t weekday(std::int64_t days) noexcept { return ((days % 7) + 7 + 3) % 7; }

/// The calendar day (days since the epoch) of a night-session time whose trading day is `trading_day`.
constexpr std::int64_t night_calendar_day(std::int32_t trading_day, int hour) noexcept {
  const std::int64_t t = days_from_civil(trading_day);
  const std::int64_t w = weekday(t);
  return t - (w == 0 ? 3 : w == 6 ? 2 : 1) + (hour < 6 ? 1 : 0);
}

/// Event time in ns since the epoch (UTC) from the reported date, trading day and "HH:MM:SS"; 0 when the
/// fields are malformed. `session_trading_day` is YYYYMMDD or 0 when not known yet.
constexpr std::int64_t china_time_ns(std::string_view date, std::string_view trading_day, std::string_view time,
                                     int millisec, std::uint16_t exchange, std::int32_t session_trading_day) noexcept {
  int hour = 0, minute = 0, second = 0;
  if (!parse_clock(time, hour, minute, second)) return 0;
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
      days = night_calendar_day(day, hour);
    }
  }
  return china_ns(days, hour, minute, second, millisec);
}

// -- market data -----------------------------------------------------------------------------------------

/// The trading day (days since the epoch) of a night-session time on calendar day `day`: the weekday after
/// the evening's date.
constexpr std::int64_t night_trading_day(std::int64_t day, int hour) noexcept {
  std::int64_t t = (hour < 6 ? day - 1 : day) + 1;
  while (weekday(t) >= 5) ++t;
  return t;
}

/// Days since the epoch -> YYYYMMDD (Howard Hinnant's algorithm).
constexpr std::int32_t civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  return static_cast<std::int32_t>(y * 10000 + m * 100 + d);
}

// Exchange codes resolved at compile time (the tick rule runs per tick).
inline constexpr std::uint16_t kDceCode = exchange_code("DCE"), kCzceCode = exchange_code("CZCE");

/// How an exchange fills ActionDay in market data during the night session.
enum class NightActionDay { kCalendar, kTradingDay, kUnknown };

constexpr NightActionDay night_action_day(std::uint16_t exchange) noexcept {
  constexpr std::uint16_t kCalendarDay[] = {exchange_code("SHFE"), exchange_code("INE"), kCzceCode,
                                            exchange_code("CFFEX"), exchange_code("GFEX")};
  if (exchange == kDceCode) return NightActionDay::kTradingDay;
  for (const std::uint16_t code : kCalendarDay) {
    if (exchange == code) return NightActionDay::kCalendar;
  }
  return NightActionDay::kUnknown;
}

/// A tick's calendar day (days since the epoch) from ActionDay and TradingDay (YYYYMMDD, 0 = empty), or
/// INT64_MIN when the fields do not give one.
constexpr std::int64_t china_tick_day(std::int32_t action, std::int32_t trading, int hour, std::uint16_t exchange,
                                      std::int32_t session_trading_day, std::int64_t local_ns) noexcept {
  constexpr std::int64_t kNone = INT64_MIN;
  if (hour >= 6 && hour < 18) {
    const std::int32_t date = action ? action : trading;
    return date ? days_from_civil(date) : kNone;
  }
  const NightActionDay rule = night_action_day(exchange);
  if (action) {
    if (rule == NightActionDay::kCalendar) return days_from_civil(action);
    if (rule == NightActionDay::kTradingDay) return night_calendar_day(action, hour);
    // An unknown exchange: the reading of ActionDay nearer to the local clock; with no clock, the login day.
    const std::int64_t as_calendar = days_from_civil(action), as_trading = night_calendar_day(action, hour);
    const std::int64_t local_day = local_ns > 0 ? (local_ns / 1'000'000'000 + kChinaOffsetSeconds) / 86400 : 0;
    if (local_day) {
      const std::int64_t a = as_calendar - local_day, b = as_trading - local_day;
      return (a < 0 ? -a : a) <= (b < 0 ? -b : b) ? as_calendar : as_trading;
    }
    return action == session_trading_day ? as_trading : as_calendar;
  }
  // No ActionDay: TradingDay is the trading day, except on CZCE, where it is the calendar date at night.
  if (trading && exchange == kCzceCode) return days_from_civil(trading);
  const std::int32_t day = (trading && rule != NightActionDay::kUnknown) ? trading
                           : session_trading_day                         ? session_trading_day
                                                                         : trading;
  return day ? night_calendar_day(day, hour) : kNone;
}

/// A tick's event time in ns since the epoch (UTC) from ActionDay, TradingDay and "HH:MM:SS"; 0 when the
/// fields are malformed. `session_trading_day` (YYYYMMDD, 0 = unknown) and `local_ns` are fallbacks only.
constexpr std::int64_t china_tick_time_ns(std::string_view action_day, std::string_view trading_day,
                                          std::string_view time, int millisec, std::uint16_t exchange,
                                          std::int32_t session_trading_day, std::int64_t local_ns) noexcept {
  int hour = 0, minute = 0, second = 0;
  if (!parse_clock(time, hour, minute, second)) return 0;
  const std::int64_t days =
      china_tick_day(parse_date(action_day), parse_date(trading_day), hour, exchange, session_trading_day, local_ns);
  if (days == INT64_MIN) return 0;
  return china_ns(days, hour, minute, second, millisec);
}

/// A tick's trading day (YYYYMMDD): TradingDay, except at night on CZCE (its calendar date there) or when it
/// is empty: then the weekday after the evening of the tick's event time `datetime_ns` (0 = unknown), or the
/// session's.
constexpr std::int32_t china_tick_trading_day(std::int32_t reported, int hour, std::int64_t datetime_ns,
                                              std::uint16_t exchange, std::int32_t session_trading_day) noexcept {
  const bool night = hour >= 18 || hour < 6;
  if (night && datetime_ns != 0 && night_action_day(exchange) != NightActionDay::kUnknown &&
      (exchange == kCzceCode || !reported)) {
    const std::int64_t local = datetime_ns / 1'000'000'000 + kChinaOffsetSeconds;
    const std::int64_t day = (local >= 0 ? local : local - 86399) / 86400;
    return civil_from_days(night_trading_day(day, hour));
  }
  return reported ? reported : session_trading_day;
}

}  // namespace vtcore
