// Text the simulator sends: CTP carries Chinese text in GB18030 (GBK); the sources and configuration are UTF-8.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "vtcore/fixed_string.hpp"

namespace vtcore::sim {

// UTF-8 -> GB18030 (via iconv); the input unchanged when the converter is unavailable.
std::string to_gb18030(std::string_view utf8);

// to_gb18030, cached: order reports repeat a handful of status words and names, so each is converted once
// (a bounded cache, safe from any thread).
std::string gb18030_cached(std::string_view utf8);

// Says on stderr that a value did not fit its field (which put() then sends empty).
void report_unfit(std::string_view text, size_t field_size);

// Copies into a char[N] field with vtcore's fixed-string policy (vtcore/fixed_string.hpp): a value that does
// not fit is refused, never cut (a cut instrument id or name would address or show something else). The
// field is then sent empty and the simulator says so on stderr.
template <size_t N>
void put(char (&field)[N], std::string_view text) {
  if (!vtcore::try_copy_fixed(field, text)) {
    field[0] = '\0';
    report_unfit(text, N);
  }
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
// The other way: such an id without its leading spaces, as the SDKs that send ids unpadded report it (XTP, TORA, TAP).
std::string unpadded(std::string_view text);

}  // namespace vtcore::sim
