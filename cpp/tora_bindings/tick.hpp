// TORA XMd market data (CTORATstpMarketDataField) -> vtcore::TickRecord, on the market-data API's thread.
//
// TradingDay is the date of a stock's quote (no night session); UpdateTime "HH:MM:SS" and UpdateMillisec in China
// time; ExchangeID '1' SSE, '2' SZSE, '4' BSE; prices with no value are DBL_MAX (TORA's FLOAT_NULL_VAL).
#pragma once

#include <atomic>
#include <cstdint>

#include "toraxmd_spi.hpp"
#include "vtcore/clock.hpp"
#include "vtcore/exchange.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/records.hpp"
#include "vtcore/sdk/ashare/tick.hpp"

namespace vtcore::tora {

using MarketData = TORALEV1API::CTORATstpMarketDataField;

/// The vtcore exchange code of a TORA exchange id (0 when unknown).
constexpr std::uint16_t exchange_of(char exchange_id) noexcept {
  switch (exchange_id) {
    case TORALEV1API::TORA_TSTP_EXD_SSE:
      return exchange_code("SSE");
    case TORALEV1API::TORA_TSTP_EXD_SZSE:
      return exchange_code("SZSE");
    case TORALEV1API::TORA_TSTP_EXD_BSE:
      return exchange_code("BSE");
    default:
      return 0;
  }
}

/// "HH:MM:SS" -> seconds since midnight, -1 when malformed.
inline int clock_seconds(const char (&time)[9]) noexcept {
  if (time[2] != ':' || time[5] != ':') return -1;
  int parts[3];
  for (int i = 0; i < 3; ++i) {
    const char a = time[i * 3], b = time[i * 3 + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    parts[i] = (a - '0') * 10 + (b - '0');
  }
  return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

/// False when the tick cannot be represented (its security id does not fit the record).
inline bool convert_tick(const MarketData& d, std::int64_t local_ns, TickRecord& out) noexcept {
  out = TickRecord{};
  if (!try_copy_padded(out.symbol, fixed_view(d.SecurityID))) return false;
  out.exchange = exchange_of(d.ExchangeID);
  out.localtime = local_ns;
  const std::int32_t day = parse_date(fixed_view(d.TradingDay));
  const int seconds = clock_seconds(d.UpdateTime);
  if (day && seconds >= 0) {
    out.datetime = sdk::ashare::stock_time_ns(day, seconds / 3600, seconds / 60 % 60, seconds % 60, d.UpdateMillisec);
  }
  out.trading_day = day;
  using sdk::ashare::clean_price;
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
  const double bids[kDepth] = {d.BidPrice1, d.BidPrice2, d.BidPrice3, d.BidPrice4, d.BidPrice5};
  const double asks[kDepth] = {d.AskPrice1, d.AskPrice2, d.AskPrice3, d.AskPrice4, d.AskPrice5};
  const long long bid_volumes[kDepth] = {d.BidVolume1, d.BidVolume2, d.BidVolume3, d.BidVolume4, d.BidVolume5};
  const long long ask_volumes[kDepth] = {d.AskVolume1, d.AskVolume2, d.AskVolume3, d.AskVolume4, d.AskVolume5};
  sdk::ashare::copy_levels(bids, bid_volumes, asks, ask_volumes, out);
  return true;
}

/// The XMd SPI: ticks (stocks' and options') become TickRecords in the producer's ring (counted when refused); every
/// other callback is the generated one.
class MdSpi final : public toraxmd::GeneratedXMdSpi {
 public:
  using GeneratedXMdSpi::GeneratedXMdSpi;

  bool hook_OnRtnMarketData(MarketData* data) override { return push(data); }
  // an option's quote (SubscribeSPMarketData): the same struct
  bool hook_OnRtnSPMarketData(MarketData* data) override { return push(data); }

  [[nodiscard]] std::uint64_t ticks_refused() const { return ticks_refused_.load(std::memory_order_relaxed); }

 private:
  bool push(MarketData* data) {
    if (data == nullptr) return false;
    TickRecord record;
    if (convert_tick(*data, now_ns(), record)) {
      producer().push_tick(record);
    } else {
      ticks_refused_.fetch_add(1, std::memory_order_relaxed);
    }
    return false;
  }

  std::atomic<std::uint64_t> ticks_refused_{0};
};

}  // namespace vtcore::tora
