// A Thost-family DepthMarketData (CTP, CTP-Mini, FEMAS: the same field names, other layouts; FEMAS's has no
// ExchangeID) -> vtcore::TickRecord, on the SDK's market-data thread (no Python).
//
// Event time: UpdateTime "HH:MM:SS", UpdateMillisec (an integer: 5 means .005 s), ActionDay and TradingDay
// through vtcore/china_time.hpp (`china_tick_time_ns`: each exchange's fields as it fills them at night, the
// login's trading day only as a fallback). trading_day: `china_tick_trading_day` (TradingDay, except CZCE's at
// night, which is the calendar date).
//
// Prices: CTP marks "no value" with DBL_MAX; every price (limits included), turnover and open interest
// that is not finite or has magnitude >= 1e300 becomes 0.0.
#pragma once

#include <cstdint>

#include "vtcore/china_time.hpp"
#include "vtcore/exchange.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/records.hpp"

namespace vtcore::sdk::thost {

/// CTP's "no value" (DBL_MAX) and anything non-finite -> 0.0.
constexpr double clean_price(double value) noexcept {
  return (value != value || value >= 1e300 || value <= -1e300) ? 0.0 : value;
}

/// False when the tick cannot be represented (symbol longer than the record holds).
template <typename Depth>
bool convert_tick(const Depth& d, std::uint16_t exchange, std::int32_t session_trading_day, std::int64_t local_ns,
                  TickRecord& out) noexcept {
  out = TickRecord{};
  if (!try_copy_padded(out.symbol, fixed_view(d.InstrumentID))) return false;
  if constexpr (requires { d.ExchangeID; }) {  // FEMAS's DepthMarketData has none: the subscription's exchange
    if (exchange == 0) exchange = exchange_code(fixed_view(d.ExchangeID));
  }
  out.exchange = exchange;
  out.localtime = local_ns;
  out.datetime = china_tick_time_ns(fixed_view(d.ActionDay), fixed_view(d.TradingDay), fixed_view(d.UpdateTime),
                                    d.UpdateMillisec, exchange, session_trading_day, local_ns);
  const int hour = (d.UpdateTime[0] - '0') * 10 + (d.UpdateTime[1] - '0');
  out.trading_day =
      china_tick_trading_day(parse_date(fixed_view(d.TradingDay)), hour, out.datetime, exchange, session_trading_day);
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

}  // namespace vtcore::sdk::thost
