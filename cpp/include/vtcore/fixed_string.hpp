// Checked copies of strings into fixed-size char arrays (record fields, vendor structs).
// A string that does not fit is refused, never truncated: a truncated instrument id or account
// would silently address something else.
#pragma once

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vtcore {

/// Copies `src` into `dst` followed by NUL padding. Refuses (returns false, `dst` untouched) when
/// `src` needs more than N - 1 bytes (the terminator must fit: vendor SDKs read these as C strings)
/// or contains a NUL byte (a reader would see only the part before it).
template <std::size_t N>
[[nodiscard]] bool try_copy_fixed(char (&dst)[N], std::string_view src) noexcept {
  static_assert(N > 0);
  if (src.size() >= N || src.find('\0') != std::string_view::npos) return false;
  std::memcpy(dst, src.data(), src.size());
  std::memset(dst + src.size(), 0, N - src.size());
  return true;
}

/// As try_copy_fixed, but throws std::length_error (too long) or std::invalid_argument (NUL byte)
/// naming the field; the value itself is not echoed, since it may be a secret.
template <std::size_t N>
void copy_fixed(char (&dst)[N], std::string_view src, std::string_view field = "string") {
  if (try_copy_fixed(dst, src)) return;
  if (src.size() >= N) {
    throw std::length_error(std::string(field) + " is " + std::to_string(src.size()) +
                            " bytes; at most " + std::to_string(N - 1) + " fit");
  }
  throw std::invalid_argument(std::string(field) + " contains a NUL byte");
}

/// The text stored in a fixed field: up to the first NUL, or all N bytes when there is none.
template <std::size_t N>
[[nodiscard]] std::string_view fixed_view(const char (&src)[N]) noexcept {
  const void* nul = std::memchr(src, '\0', N);
  return {src, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - src) : N};
}

}  // namespace vtcore
