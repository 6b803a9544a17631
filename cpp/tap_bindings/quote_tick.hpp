// A TAP quote (TapAPIQuoteWhole) -> vtcore::TickRecord, on the SDK's quote thread (no Python).
//
// Time: DateTimeStamp "yyyy-MM-dd hh:nn:ss.xxx". TAP's headers give its format, not its zone; Esunny's servers
// stamp quotes in China Standard Time (UTC+8), which is also how vn.py's TAP gateway reads them, so it is
// taken as China time (no night-session rule: the date is the calendar date). There is no trading day in a
// TAP quote (0 = unknown). Prices of 0 mean "no value" in TAP already; the first 5 of its 20 levels are kept.
#pragma once

#include <cstdint>
#include <string_view>

#include "TapQuoteAPIDataType.h"
#include "vtcore/china_time.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/records.hpp"

namespace vtcore::tap {

/// "yyyy-MM-dd hh:nn:ss[.xxx]" in China time -> ns since the epoch (UTC); 0 when malformed.
constexpr std::int64_t tap_time_ns(std::string_view text) noexcept {
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':')
    return 0;
  auto number = [&](std::size_t at, std::size_t digits, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day) || !number(11, 2, hour) ||
      !number(14, 2, minute) || !number(17, 2, second))
    return 0;
  if (text.size() >= 23 && text[19] == '.' && !number(20, 3, millis)) return 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return 0;
  const std::int64_t days = days_from_civil(year * 10000 + month * 100 + day);
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - kChinaOffsetSeconds;
  return seconds * 1'000'000'000 + static_cast<std::int64_t>(millis) * 1'000'000;
}

/// False when the tick cannot be represented (a symbol longer than the record holds).
inline bool convert_quote(const TapAPIQuoteWhole& q, std::string_view symbol, std::uint16_t exchange,
                          std::int64_t local_ns, TickRecord& out) noexcept {
  out = TickRecord{};
  if (!try_copy_padded(out.symbol, symbol)) return false;
  out.exchange = exchange;
  out.localtime = local_ns;
  out.datetime = tap_time_ns(fixed_view(q.DateTimeStamp));
  out.volume = static_cast<double>(q.QTotalQty);
  out.turnover = q.QTotalTurnover;
  out.open_interest = static_cast<double>(q.QPositionQty);
  out.last_price = q.QLastPrice;
  out.last_volume = static_cast<double>(q.QLastQty);
  out.limit_up = q.QLimitUpPrice;
  out.limit_down = q.QLimitDownPrice;
  out.open_price = q.QOpeningPrice;
  out.high_price = q.QHighPrice;
  out.low_price = q.QLowPrice;
  out.pre_close = q.QPreClosingPrice;
  for (std::size_t i = 0; i < kDepth; ++i) {
    out.bid_price[i] = q.QBidPrice[i];
    out.ask_price[i] = q.QAskPrice[i];
    out.bid_volume[i] = depth_volume(static_cast<double>(q.QBidQty[i]), out.flags);
    out.ask_volume[i] = depth_volume(static_cast<double>(q.QAskQty[i]), out.flags);
  }
  return true;
}

}  // namespace vtcore::tap
