// Exchange codes carried in fixed-layout records. Append-only: a code never changes meaning,
// because records cross process boundaries (tick files, RPC) and Python maps codes back by index.
#pragma once

#include <cstdint>
#include <string_view>

namespace vtcore {

// The string is the exchange's value in Python's `vtcore.Exchange` (equal to the member name,
// except EUREX whose value is "EUX", as in vn.py). Index 0 means "unknown".
inline constexpr std::string_view kExchangeValues[] = {
    "",
    // China
    "CFFEX",
    "SHFE",
    "CZCE",
    "DCE",
    "INE",
    "GFEX",
    "SSE",
    "SZSE",
    "BSE",
    "SHHK",
    "SZHK",
    "SGE",
    "WXE",
    "CFETS",
    "XBOND",
    // Global
    "SMART",
    "NYSE",
    "NASDAQ",
    "ARCA",
    "EDGEA",
    "ISLAND",
    "BATS",
    "IEX",
    "AMEX",
    "TSE",
    "NYMEX",
    "COMEX",
    "GLOBEX",
    "IDEALPRO",
    "CME",
    "ICE",
    "SEHK",
    "HKFE",
    "SGX",
    "CBOT",
    "CBOE",
    "CFE",
    "DME",
    "EUX",
    "APEX",
    "LME",
    "BMD",
    "TOCOM",
    "EUNX",
    "KRX",
    "OTC",
    "IBKRATS",
    // Special
    "LOCAL",
    "GLOBAL",
    // Crypto venues
    "BINANCE",
    "OKX",
    "HTX",
    "BITMEX",
    "BITFINEX",
    "BYBIT",
    "COINBASE",
    "DERIBIT",
    "GATEIO",
    "BITSTAMP",
};

inline constexpr std::uint16_t kExchangeCount =
    static_cast<std::uint16_t>(sizeof(kExchangeValues) / sizeof(kExchangeValues[0]));

/// Code of an exchange value, or 0 when the value is not known.
constexpr std::uint16_t exchange_code(std::string_view value) noexcept {
  for (std::uint16_t i = 1; i < kExchangeCount; ++i) {
    if (kExchangeValues[i] == value) return i;
  }
  return 0;
}

}  // namespace vtcore
