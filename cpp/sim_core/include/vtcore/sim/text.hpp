// Text the simulator sends: CTP carries Chinese text in GB18030 (GBK); the sources and configuration are UTF-8.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace vtcore::sim {

// UTF-8 -> GB18030 (via iconv); the input unchanged when the converter is unavailable.
std::string to_gb18030(std::string_view utf8);

// Copies into a char[N] field, truncating and always terminating.
template <size_t N>
void put(char (&field)[N], std::string_view text) {
  const size_t n = text.size() < N - 1 ? text.size() : N - 1;
  for (size_t i = 0; i < n; ++i) field[i] = text[i];
  field[n] = '\0';
}

// A char[N] field as a view (stops at the terminator or at N).
template <size_t N>
std::string_view field_view(const char (&field)[N]) {
  size_t n = 0;
  while (n < N && field[n] != '\0') ++n;
  return {field, n};
}

// Right-aligned in `width` characters, as exchanges format OrderSysID / TradeID / OrderLocalID.
std::string padded_number(long long value, int width);

}  // namespace vtcore::sim
