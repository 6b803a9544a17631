// How the simulator's instruments read as TAP contracts, and TAP's date/time texts (no vendor header here: both
// the quote and the trade front-end use it).
//
// An instrument of the simulator's configuration is a TAP contract: its `product_id` is the CommodityNo, the
// rest of its id the ContractNo ("CL2601", product "CL" -> commodity CL, contract 2601), its `exchange` the
// ExchangeNo as Esunny spells it (NYMEX, COMEX, CME, CBOT, ICUS, ICEU, LME, HKEX, SGX, ...). Times are China
// Standard Time, as the core's clock keeps them.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "vtcore/sim/exchange.hpp"

namespace vtcore::sim::tap {

/// The contract number of an instrument: its id after the product ("CL2601" -> "2601"), else the whole id.
inline std::string contract_no(const InstrumentConfig& spec) {
  const std::string_view id = spec.id;
  if (!spec.product_id.empty() && id.size() > spec.product_id.size() &&
      id.substr(0, spec.product_id.size()) == spec.product_id)
    return std::string(id.substr(spec.product_id.size()));
  return std::string(id);
}

/// The trading currency TAP reports for an exchange's commodities.
inline const char* currency_of(std::string_view exchange) {
  if (exchange == "HKEX") return "HKD";
  if (exchange == "SGX") return "USD";
  if (exchange == "ICEU") return "USD";
  if (exchange == "TOCOM" || exchange == "OSE") return "JPY";
  if (exchange == "KRX") return "KRW";
  if (exchange == "SHFE" || exchange == "INE" || exchange == "DCE" || exchange == "CZCE" || exchange == "CFFEX")
    return "CNY";
  return "USD";
}

/// "YYYYMMDD" -> "YYYY-MM-DD" (empty stays empty).
inline std::string tap_date(std::string_view yyyymmdd) {
  if (yyyymmdd.size() != 8) return std::string(yyyymmdd);
  return std::string(yyyymmdd.substr(0, 4)) + "-" + std::string(yyyymmdd.substr(4, 2)) + "-" +
         std::string(yyyymmdd.substr(6, 2));
}

/// "YYYY-MM-DD HH:MM:SS" from a date "YYYYMMDD" and a time "HH:MM:SS".
inline std::string tap_datetime(std::string_view yyyymmdd, std::string_view time) {
  return tap_date(yyyymmdd) + " " + std::string(time);
}

/// "YYYY-MM-DD HH:MM:SS.mmm" of a tick (its calendar date, time and milliseconds).
inline std::string tap_stamp(const Tick& t) {
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03d", t.update_millisec % 1000);
  return tap_datetime(t.action_day, t.update_time) + millis;
}

/// 0 for the core's "no value" (TAP reports 0 where there is none).
inline double tap_price(double price) { return price == kNoPrice ? 0.0 : price; }

}  // namespace vtcore::sim::tap
