// XTP's depth market data (XTPMD) -> vtcore::TickRecord, on the quote API's thread (no Python).
//
// data_time is YYYYMMDDHHMMSSmmm in China time; exchange_id 1 is SSE, 2 SZSE; bid/ask carry ten levels, of which
// the record keeps five. The extra order-queue arrays of OnDepthMarketData are not part of a tick.
#pragma once

#include <atomic>
#include <cstdint>

#include "vtcore/clock.hpp"
#include "vtcore/exchange.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/records.hpp"
#include "vtcore/sdk/ashare/tick.hpp"
#include "xtp_spi.hpp"

namespace vtcore::xtp {

/// The vtcore exchange code of an XTP_EXCHANGE_TYPE (0 when unknown).
constexpr std::uint16_t exchange_of(int exchange_id) noexcept {
  return exchange_id == XTP_EXCHANGE_SH   ? exchange_code("SSE")
         : exchange_id == XTP_EXCHANGE_SZ ? exchange_code("SZSE")
                                          : 0;
}

/// False when the tick cannot be represented (its ticker does not fit the record).
inline bool convert_tick(const XTPMD& d, std::int64_t local_ns, TickRecord& out) noexcept {
  out = TickRecord{};
  if (!try_copy_padded(out.symbol, fixed_view(d.ticker))) return false;
  out.exchange = exchange_of(d.exchange_id);
  out.localtime = local_ns;
  const std::int64_t t = d.data_time;
  const auto date = static_cast<std::int32_t>(t / 1'000'000'000);
  out.datetime =
      sdk::ashare::stock_time_ns(date, static_cast<int>(t / 10'000'000 % 100), static_cast<int>(t / 100'000 % 100),
                                 static_cast<int>(t / 1000 % 100), static_cast<int>(t % 1000));
  out.trading_day = out.datetime ? date : 0;
  using sdk::ashare::clean_price;
  out.volume = static_cast<double>(d.qty);
  out.turnover = clean_price(d.turnover);
  out.open_interest = static_cast<double>(d.total_long_positon);
  out.last_price = clean_price(d.last_price);
  out.limit_up = clean_price(d.upper_limit_price);
  out.limit_down = clean_price(d.lower_limit_price);
  out.open_price = clean_price(d.open_price);
  out.high_price = clean_price(d.high_price);
  out.low_price = clean_price(d.low_price);
  out.pre_close = clean_price(d.pre_close_price);
  sdk::ashare::copy_levels(d.bid, d.bid_qty, d.ask, d.ask_qty, out);
  return true;
}

/// The quote SPI: ticks become TickRecords in the producer's ring (counted when refused); every other callback
/// is the generated one (a message for the gateway).
class QuoteSpi final : public GeneratedQuoteSpi {
 public:
  using GeneratedQuoteSpi::GeneratedQuoteSpi;

  bool hook_OnDepthMarketData(XTPMD* data, int64_t[], int32_t, int32_t, int64_t[], int32_t, int32_t) override {
    if (data == nullptr) return false;
    TickRecord record;
    if (convert_tick(*data, now_ns(), record)) {
      producer().push_tick(record);
    } else {
      ticks_refused_.fetch_add(1, std::memory_order_relaxed);
    }
    return false;  // no message: the tick is in the ring
  }

  [[nodiscard]] std::uint64_t ticks_refused() const { return ticks_refused_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> ticks_refused_{0};
};

}  // namespace vtcore::xtp
