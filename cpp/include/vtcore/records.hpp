// Fixed-layout records that cross from vendor callback threads to the Python engine thread.
// They are trivially copyable PODs: a producer fills one on its own stack and copies it into a ring;
// Python reads them as numpy structured arrays whose layout tests check against sizeof/offsetof.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace vtcore {

// Up to 16 bytes, NUL-padded (no terminator when all 16 are used); longer symbols are refused by
// producers with a clear error. China's instrument ids (futures, options, spreads, stocks) fit.
inline constexpr std::size_t kSymbolSize = 16;
inline constexpr std::size_t kDepth = 5;

/// TickRecord::flags bits.
enum TickFlags : std::uint16_t {
  /// A depth volume did not fit float32 exactly (integers above 2^24 that are not multiples of a
  /// power of two, or fractional sizes): the stored value is the nearest float32, not the vendor's.
  kTickVolumeRounded = 1u << 0,
};

/// One market-data snapshot, the fields of vn.py's TickData, in 248 bytes so that a buffered tick
/// costs at most 256 bytes with its slot header. Prices with no value are 0.0 (vendors' DBL_MAX
/// markers are mapped to 0.0 by the producer), as vn.py users expect.
///
/// Layout decision: prices, cumulative volume, turnover and open interest are float64; the ten
/// depth volumes are float32, which holds every integer up to 16,777,216 exactly (China's futures and
/// options levels, stock levels up to 16.7M shares; multiples of 100 shares up to 67M) and sets
/// kTickVolumeRounded otherwise, so a rounded value is never silent.
struct TickRecord {
  char symbol[kSymbolSize];
  std::int64_t datetime;     // exchange event time, ns since the Unix epoch (UTC); 0 = unknown
  std::int64_t localtime;    // local receive time, ns since the Unix epoch (UTC)
  std::int32_t trading_day;  // YYYYMMDD, 0 = unknown
  std::uint16_t exchange;    // index into kExchangeValues (exchange.hpp)
  std::uint16_t flags;       // TickFlags
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
  float bid_volume[kDepth];
  float ask_volume[kDepth];
};

static_assert(std::is_trivially_copyable_v<TickRecord>);
static_assert(std::is_standard_layout_v<TickRecord>);
static_assert(sizeof(TickRecord) == 248, "TickRecord's layout is part of the numpy dtype contract");

/// `volume` as a depth-volume float32; sets kTickVolumeRounded in `flags` when it is not exact.
[[nodiscard]] inline float depth_volume(double volume, std::uint16_t& flags) noexcept {
  const float narrow = static_cast<float>(volume);
  if (static_cast<double>(narrow) != volume) flags |= kTickVolumeRounded;
  return narrow;
}

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
