// Fixed-layout records that cross from vendor callback threads to the Python engine thread.
// They are trivially copyable PODs: a producer fills one on its own stack and copies it into a ring;
// Python reads them as numpy structured arrays whose layout tests check against sizeof/offsetof.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace vtcore {

inline constexpr std::size_t kSymbolSize = 32;  // NUL-padded; longer symbols are refused by producers
inline constexpr std::size_t kDepth = 5;

/// One market-data snapshot, the fields of vn.py's TickData. Prices with no value are 0.0
/// (vendors' DBL_MAX markers are mapped to 0.0 by the producer), as vn.py users expect.
struct TickRecord {
  char symbol[kSymbolSize];
  std::int64_t datetime;     // exchange event time, ns since the Unix epoch (UTC); 0 = unknown
  std::int64_t localtime;    // local receive time, ns since the Unix epoch (UTC)
  std::int32_t trading_day;  // YYYYMMDD, 0 = unknown
  std::uint16_t exchange;    // index into kExchangeValues (exchange.hpp)
  std::uint16_t flags;       // reserved, 0
  double volume;             // cumulative
  double turnover;           // cumulative
  double open_interest;
  double last_price;
  double last_volume;
  double limit_up;
  double limit_down;
  double open_price;
  double high_price;
  double low_price;
  double pre_close;
  double bid_price[kDepth];
  double ask_price[kDepth];
  double bid_volume[kDepth];
  double ask_volume[kDepth];
};

static_assert(std::is_trivially_copyable_v<TickRecord>);
static_assert(std::is_standard_layout_v<TickRecord>);
static_assert(sizeof(TickRecord) == 304, "TickRecord's layout is part of the numpy dtype contract");

/// Header of a non-tick message (order, trade, position, account, contract, log, request response).
/// `kind` and the payload's layout belong to the producer (e.g. a CTP callback id and the vendor
/// struct it carried); the core only moves the bytes, in order, and never drops them.
struct MessageHeader {
  std::uint32_t kind;
  std::int32_t request_id;
  std::uint32_t size;    // payload bytes that follow
  std::uint8_t is_last;  // the vendor's bIsLast for multi-part responses, else 1
  std::uint8_t reserved[3];
};

static_assert(std::is_trivially_copyable_v<MessageHeader>);
static_assert(sizeof(MessageHeader) == 16);

}  // namespace vtcore
