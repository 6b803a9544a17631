// The key of a TAP contract (exchange, commodity type and number, contract, strike, call/put, and the second
// leg's): what a quote names and a subscription registers, built without allocating (a quote's hot path).
#pragma once

#include <cstddef>
#include <string_view>

#include "vtcore/fixed_string.hpp"

namespace vtcore::tap {

class ContractKey {
 public:
  /// `Contract` is either API's TapAPIContract (the same field names in both header sets).
  template <typename Contract>
  explicit ContractKey(const Contract& c) noexcept {
    add(fixed_view(c.Commodity.ExchangeNo));
    add(std::string_view(&c.Commodity.CommodityType, 1));
    add(fixed_view(c.Commodity.CommodityNo));
    add(fixed_view(c.ContractNo1));
    add(fixed_view(c.StrikePrice1));
    add(std::string_view(&c.CallOrPutFlag1, 1));
    add(fixed_view(c.ContractNo2));
    add(fixed_view(c.StrikePrice2));
    add(std::string_view(&c.CallOrPutFlag2, 1));
  }
  [[nodiscard]] std::string_view view() const noexcept { return {text_, size_}; }

 private:
  void add(std::string_view part) noexcept {
    for (char c : part) {
      if (c == '\0') break;
      if (size_ < sizeof(text_)) text_[size_++] = c;
    }
    if (size_ < sizeof(text_)) text_[size_++] = '|';
  }
  char text_[128];
  std::size_t size_ = 0;
};

}  // namespace vtcore::tap
