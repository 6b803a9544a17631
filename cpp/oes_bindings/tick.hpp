// An MDS snapshot -> vtcore::TickRecord, on the market-data thread (no Python).
//
// MDS sends integers: prices in 1/10000 yuan (index values too), volumes in shares, turnover in 1/10000 yuan,
// tradeDate YYYYMMDD and updateTime HHMMSSsss in China time. Stocks trade by day only, so a time belongs to the
// date it carries. L1 snapshots (msgId 10) carry 5 levels, L2 (20) carry 10 (the record keeps 5); index
// snapshots (11) have no book. MDS sends no price limits: the gateway sets them per security from OES's stock
// information (`Limits`), 0.0 until then.
#pragma once

#include <cstdint>

#include "oes_declared.h"
#include "vtcore/china_time.hpp"
#include "vtcore/exchange.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/records.hpp"

namespace vtcore::oes {

inline constexpr double kPriceUnit = 10000.0;

/// ns since the epoch (UTC) of YYYYMMDD + HHMMSSsss China time; 0 when either is not a valid date or time.
constexpr std::int64_t mds_time_ns(std::int32_t date, std::int32_t time) noexcept {
  const int month = date / 100 % 100, day = date % 100;
  const int hour = time / 10'000'000, minute = time / 100'000 % 100, second = time / 1000 % 100;
  const int millis = time % 1000;
  if (date < 19000101 || date > 99991231 || month < 1 || month > 12 || day < 1 || day > 31 || time < 0 || hour > 23 ||
      minute > 59 || second > 60) {
    return 0;
  }
  const std::int64_t seconds = days_from_civil(date) * 86400 + hour * 3600 + minute * 60 + second - kChinaOffsetSeconds;
  return seconds * 1'000'000'000 + static_cast<std::int64_t>(millis) * 1'000'000;
}

/// The exchange code of an MDS exchId (1 SSE, 2 SZSE); 0 for anything else.
constexpr std::uint16_t exchange_of(std::uint8_t exch_id) noexcept {
  if (exch_id == abi::MDS_EXCH_SSE) return exchange_code("SSE");
  if (exch_id == abi::MDS_EXCH_SZSE) return exchange_code("SZSE");
  return 0;
}

struct Limits {
  double up = 0.0, down = 0.0;
};

template <typename Body>
void copy_prices(const Body& body, TickRecord& out) noexcept {
  out.volume = static_cast<double>(body.TotalVolumeTraded);
  out.turnover = static_cast<double>(body.TotalValueTraded) / kPriceUnit;
  out.last_price = body.TradePx / kPriceUnit;
  out.open_price = body.OpenPx / kPriceUnit;
  out.high_price = body.HighPx / kPriceUnit;
  out.low_price = body.LowPx / kPriceUnit;
  out.pre_close = body.PrevClosePx / kPriceUnit;
  for (std::size_t level = 0; level < kDepth; ++level) {
    out.bid_price[level] = body.BidLevels[level].Price / kPriceUnit;
    out.ask_price[level] = body.OfferLevels[level].Price / kPriceUnit;
    out.bid_volume[level] = depth_volume(static_cast<double>(body.BidLevels[level].OrderQty), out.flags);
    out.ask_volume[level] = depth_volume(static_cast<double>(body.OfferLevels[level].OrderQty), out.flags);
  }
}

/// False when the message is not a snapshot the record can hold (another msgId, a symbol too long, an unknown
/// exchange). `limits` are the security's (0.0 = unknown).
inline bool convert_snapshot(std::uint8_t msg_id, const abi::MdsMktDataSnapshotT& snapshot, Limits limits,
                             std::int64_t local_ns, TickRecord& out) noexcept {
  out = TickRecord{};
  const abi::MdsMktDataSnapshotHeadT& head = snapshot.head;
  out.exchange = exchange_of(head.exchId);
  if (out.exchange == 0) return false;
  out.localtime = local_ns;
  out.datetime = mds_time_ns(head.tradeDate, head.updateTime);
  out.trading_day = head.tradeDate;
  out.limit_up = limits.up;
  out.limit_down = limits.down;
  switch (msg_id) {
    case abi::MDS_MSGTYPE_MARKET_DATA_SNAPSHOT_FULL_REFRESH:
    case abi::MDS_MSGTYPE_OPTION_SNAPSHOT_FULL_REFRESH:
      if (!try_copy_padded(out.symbol, fixed_view(snapshot.stock.SecurityID))) return false;
      copy_prices(snapshot.stock, out);
      return true;
    case abi::MDS_MSGTYPE_L2_MARKET_DATA_SNAPSHOT:
      if (!try_copy_padded(out.symbol, fixed_view(snapshot.l2Stock.SecurityID))) return false;
      copy_prices(snapshot.l2Stock, out);
      return true;
    case abi::MDS_MSGTYPE_INDEX_SNAPSHOT_FULL_REFRESH: {
      const abi::MdsIndexSnapshotBodyT& index = snapshot.index;
      if (!try_copy_padded(out.symbol, fixed_view(index.SecurityID))) return false;
      out.volume = static_cast<double>(index.TotalVolumeTraded);
      out.turnover = static_cast<double>(index.TotalValueTraded) / kPriceUnit;
      out.last_price = static_cast<double>(index.LastIdx) / kPriceUnit;
      out.open_price = static_cast<double>(index.OpenIdx) / kPriceUnit;
      out.high_price = static_cast<double>(index.HighIdx) / kPriceUnit;
      out.low_price = static_cast<double>(index.LowIdx) / kPriceUnit;
      out.pre_close = static_cast<double>(index.PrevCloseIdx) / kPriceUnit;
      return true;
    }
    default:
      return false;
  }
}

}  // namespace vtcore::oes
