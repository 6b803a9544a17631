// CThostFtdcDepthMarketDataField -> vtcore::TickRecord, on the SDK's market-data thread (no Python).
//
// Event time. CTP gives UpdateTime "HH:MM:SS", UpdateMillisec (an integer: 5 means .005 s), TradingDay
// and ActionDay, in China Standard Time (UTC+8, no daylight saving). The calendar date comes from the tick's
// own fields, read the way each exchange fills them, never from the session's login:
//  - Day session (06:00-17:59): the calendar date is ActionDay (TradingDay when ActionDay is empty).
//  - Night session (18:00-05:59): SHFE, INE, CZCE (and CFFEX, GFEX, which trade no night session today) put
//    the calendar date in ActionDay; DCE puts the *trading day* T there. From T the calendar date is derived:
//    the evening (18:00-23:59) belongs to the business day before T (Friday for a Monday T), the small hours
//    (00:00-05:59) to the day after that one (Saturday for a Monday T). Exchange holidays need no calendar:
//    the exchanges hold no night session before a day that follows a holiday, so the weekday before T is
//    always the evening's date.
//  - A session that logged in before the trading day switched and stays connected keeps an old login day, so
//    the login day is only a fallback, for ticks whose fields do not say (ActionDay empty, or an exchange this
//    rule does not know). For an unknown exchange the two readings of ActionDay (calendar date, or trading
//    day) are checked against the local clock (China time), which a live tick is never far from.
// trading_day: TradingDay, except at night on CZCE (which reports the calendar date there; the trading day
// is then the weekday after the evening's date) and when TradingDay is empty (the session's, or derived).
//
// Prices: CTP marks "no value" with DBL_MAX; every price (limits included), turnover and open interest
// that is not finite or has magnitude >= 1e300 becomes 0.0.
#pragma once

#include <climits>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "ThostFtdcUserApiStruct.h"
#include "vtcore/exchange.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/records.hpp"

namespace vtcore::ctp {

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

/// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
constexpr std::int64_t weekday(std::int64_t days) noexcept { return ((days % 7) + 7 + 3) % 7; }

/// The calendar day (days since the epoch) of a night-session time whose trading day is `trading_day`.
constexpr std::int64_t night_calendar_day(std::int32_t trading_day, int hour) noexcept {
  const std::int64_t t = days_from_civil(trading_day);
  const std::int64_t w = weekday(t);
  const std::int64_t evening = t - (w == 0 ? 3 : w == 6 ? 2 : 1);
  return evening + (hour < 6 ? 1 : 0);
}

/// The trading day (days since the epoch) of a night-session time on calendar day `day`: the weekday after
/// the evening's date.
constexpr std::int64_t night_trading_day(std::int64_t day, int hour) noexcept {
  std::int64_t t = (hour < 6 ? day - 1 : day) + 1;
  while (weekday(t) >= 5) ++t;
  return t;
}

/// Days since the epoch -> YYYYMMDD.
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

// Exchange codes, resolved at compile time (the conversion runs per tick).
inline constexpr std::uint16_t kShfe = exchange_code("SHFE"), kIne = exchange_code("INE"),
                               kDce = exchange_code("DCE"), kCzce = exchange_code("CZCE"),
                               kCffex = exchange_code("CFFEX"), kGfex = exchange_code("GFEX");

/// How an exchange fills ActionDay during the night session.
enum class NightActionDay { kCalendar, kTradingDay, kUnknown };

constexpr NightActionDay night_action_day(std::uint16_t exchange) noexcept {
  if (exchange == kDce) return NightActionDay::kTradingDay;
  if (exchange == kShfe || exchange == kIne || exchange == kCzce || exchange == kCffex || exchange == kGfex) {
    return NightActionDay::kCalendar;
  }
  return NightActionDay::kUnknown;
}

/// The tick's calendar day (days since the epoch), or INT64_MIN when the fields do not give one.
constexpr std::int64_t tick_calendar_day(std::int32_t action, std::int32_t trading, int hour, std::uint16_t exchange,
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
    // Unknown exchange: take the reading of ActionDay nearer to the local clock (a live tick is within
    // minutes of it); with no usable clock, the login day decides, as a last resort.
    const std::int64_t as_calendar = days_from_civil(action), as_trading = night_calendar_day(action, hour);
    const std::int64_t local_day = local_ns > 0 ? (local_ns / 1'000'000'000 + kChinaOffsetSeconds) / 86400 : 0;
    if (local_day) {
      const std::int64_t a = as_calendar - local_day, b = as_trading - local_day;
      return (a < 0 ? -a : a) <= (b < 0 ? -b : b) ? as_calendar : as_trading;
    }
    return action == session_trading_day ? as_trading : as_calendar;
  }
  // No ActionDay: TradingDay is the trading day except on CZCE, where it is the calendar date at night.
  if (trading && exchange == kCzce) return days_from_civil(trading);
  const std::int32_t day = (trading && rule != NightActionDay::kUnknown) ? trading
                           : session_trading_day                      ? session_trading_day
                                                                      : trading;
  return day ? night_calendar_day(day, hour) : kNone;
}

/// Event time in ns since the epoch (UTC), 0 when the fields are malformed.
constexpr std::int64_t tick_time_ns(std::string_view action_day, std::string_view trading_day,
                                    std::string_view update_time, int millisec, std::uint16_t exchange,
                                    std::int32_t session_trading_day, std::int64_t local_ns = 0) noexcept {
  if (update_time.size() != 8 || update_time[2] != ':' || update_time[5] != ':') return 0;
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    const char a = update_time[i * 3], b = update_time[i * 3 + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return 0;
    parts[i] = (a - '0') * 10 + (b - '0');
  }
  const int hour = parts[0], minute = parts[1], second = parts[2];
  if (hour > 23 || minute > 59 || second > 60) return 0;
  const std::int64_t days = tick_calendar_day(parse_date(action_day), parse_date(trading_day), hour, exchange,
                                              session_trading_day, local_ns);
  if (days == INT64_MIN) return 0;
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - kChinaOffsetSeconds;
  const std::int64_t millis = (millisec >= 0 && millisec <= 999) ? millisec : 0;
  return seconds * 1'000'000'000 + millis * 1'000'000;
}

/// The trading day (YYYYMMDD) of a tick at event time `datetime_ns` (0 = unknown).
constexpr std::int32_t tick_trading_day(std::int32_t reported, int hour, std::int64_t datetime_ns,
                                        std::uint16_t exchange, std::int32_t session_trading_day) noexcept {
  const bool night = hour >= 18 || hour < 6;
  if (night && datetime_ns != 0 && (exchange == kCzce || !reported)) {
    const std::int64_t local = datetime_ns / 1'000'000'000 + kChinaOffsetSeconds;
    const std::int64_t day = (local >= 0 ? local : local - 86399) / 86400;
    if (night_action_day(exchange) != NightActionDay::kUnknown) {
      return civil_from_days(night_trading_day(day, hour));
    }
  }
  return reported ? reported : session_trading_day;
}

/// CTP's "no value" (DBL_MAX) and anything non-finite -> 0.0.
constexpr double clean_price(double value) noexcept {
  return (value != value || value >= 1e300 || value <= -1e300) ? 0.0 : value;
}

/// False when the tick cannot be represented (symbol longer than the record holds).
inline bool convert_tick(const CThostFtdcDepthMarketDataField& d, std::uint16_t exchange,
                         std::int32_t session_trading_day, std::int64_t local_ns, TickRecord& out) noexcept {
  out = TickRecord{};
  if (!try_copy_padded(out.symbol, fixed_view(d.InstrumentID))) return false;
  if (exchange == 0) exchange = exchange_code(fixed_view(d.ExchangeID));
  out.exchange = exchange;
  out.localtime = local_ns;
  out.datetime = tick_time_ns(fixed_view(d.ActionDay), fixed_view(d.TradingDay), fixed_view(d.UpdateTime),
                              d.UpdateMillisec, exchange, session_trading_day, local_ns);
  const int hour = (d.UpdateTime[0] - '0') * 10 + (d.UpdateTime[1] - '0');
  out.trading_day =
      tick_trading_day(parse_date(fixed_view(d.TradingDay)), hour, out.datetime, exchange, session_trading_day);
  out.volume = static_cast<double>(d.Volume);
  out.turnover = clean_price(d.Turnover);
  out.open_interest = clean_price(d.OpenInterest);
  out.last_price = clean_price(d.LastPrice);
  out.limit_up = clean_price(d.UpperLimitPrice);
  out.limit_down = clean_price(d.LowerLimitPrice);
  out.open_price = clean_price(d.OpenPrice);
  out.high_price = clean_price(d.HighestPrice);
  out.low_price = clean_price(d.LowestPrice);
  out.pre_close = clean_price(d.PreClosePrice);
  const double bids[5] = {d.BidPrice1, d.BidPrice2, d.BidPrice3, d.BidPrice4, d.BidPrice5};
  const double asks[5] = {d.AskPrice1, d.AskPrice2, d.AskPrice3, d.AskPrice4, d.AskPrice5};
  const int bid_volumes[5] = {d.BidVolume1, d.BidVolume2, d.BidVolume3, d.BidVolume4, d.BidVolume5};
  const int ask_volumes[5] = {d.AskVolume1, d.AskVolume2, d.AskVolume3, d.AskVolume4, d.AskVolume5};
  for (int i = 0; i < 5; ++i) {
    out.bid_price[i] = clean_price(bids[i]);
    out.ask_price[i] = clean_price(asks[i]);
    out.bid_volume[i] = depth_volume(bid_volumes[i], out.flags);
    out.ask_volume[i] = depth_volume(ask_volumes[i], out.flags);
  }
  return true;
}

}  // namespace vtcore::ctp
