// What the A-share SDK bindings (XTP, TORA) share when they turn a quote into a vtcore::TickRecord on the SDK's
// thread: stocks trade by day only, so an update time belongs to the date it carries (no night-session rule),
// in China time; prices with no value (TORA's DBL_MAX, NaN) become 0.0; a symbol that does not fit the record
// refuses the tick (counted by the SPI).
#pragma once

#include <cstdint>

#include "vtcore/china_time.hpp"
#include "vtcore/records.hpp"

namespace vtcore::sdk::ashare {

/// Whether YYYYMMDD is a plausible date (the checks vtcore::parse_date makes of the text form).
constexpr bool valid_date(std::int32_t yyyymmdd) noexcept {
  const int month = yyyymmdd / 100 % 100, day = yyyymmdd % 100;
  return yyyymmdd >= 19000101 && yyyymmdd <= 99991231 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/// ns since the Unix epoch (UTC) of YYYYMMDD hh:mm:ss.mmm China time; 0 when the date or time is not valid.
constexpr std::int64_t stock_time_ns(std::int32_t yyyymmdd, int hour, int minute, int second, int millis) noexcept {
  if (!valid_date(yyyymmdd) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
      millis < 0 || millis > 999) {
    return 0;
  }
  const std::int64_t seconds =
      days_from_civil(yyyymmdd) * 86400 + hour * 3600 + minute * 60 + second - kChinaOffsetSeconds;
  return seconds * 1'000'000'000 + static_cast<std::int64_t>(millis) * 1'000'000;
}

/// A price with no value (DBL_MAX-like markers, NaN, infinities) -> 0.0.
constexpr double clean_price(double value) noexcept {
  return (value != value || value >= 1e300 || value <= -1e300) ? 0.0 : value;
}

/// The five best levels of a book given as arrays (XTP) or as named fields gathered by the caller (TORA).
template <typename Price, typename Volume>
void copy_levels(const Price* bid, const Volume* bid_volume, const Price* ask, const Volume* ask_volume,
                 TickRecord& out) noexcept {
  for (std::size_t level = 0; level < kDepth; ++level) {
    out.bid_price[level] = clean_price(static_cast<double>(bid[level]));
    out.ask_price[level] = clean_price(static_cast<double>(ask[level]));
    out.bid_volume[level] = depth_volume(static_cast<double>(bid_volume[level]), out.flags);
    out.ask_volume[level] = depth_volume(static_cast<double>(ask_volume[level]), out.flags);
  }
}

}  // namespace vtcore::sdk::ashare
