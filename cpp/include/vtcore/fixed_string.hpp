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

namespace detail {

/// Copies `src` (at most `max_size` bytes, no NUL inside) into `dst` followed by NUL padding, or
/// returns false and leaves `dst` untouched.
template <std::size_t N>
[[nodiscard]] bool copy_checked(char (&dst)[N], std::string_view src, std::size_t max_size) noexcept {
  if (src.size() > max_size || src.find('\0') != std::string_view::npos) return false;
  std::memcpy(dst, src.data(), src.size());
  std::memset(dst + src.size(), 0, N - src.size());
  return true;
}

/// As copy_checked; throws std::length_error or std::invalid_argument naming the field. The value
/// itself is not echoed, since it may be a secret.
template <std::size_t N>
void copy_or_throw(char (&dst)[N], std::string_view src, std::string_view field, std::size_t max_size) {
  if (copy_checked(dst, src, max_size)) return;
  if (src.size() > max_size) {
    throw std::length_error(std::string(field) + " is " + std::to_string(src.size()) + " bytes; at most " +
                            std::to_string(max_size) + " fit");
  }
  throw std::invalid_argument(std::string(field) + " contains a NUL byte");
}

}  // namespace detail

/// For vendor structs, which SDKs read as C strings: at most N - 1 bytes (the terminator must fit),
/// no NUL byte inside (a reader would see only the part before it). False, `dst` untouched, otherwise.
template <std::size_t N>
[[nodiscard]] bool try_copy_fixed(char (&dst)[N], std::string_view src) noexcept {
  static_assert(N > 0);
  return detail::copy_checked(dst, src, N - 1);
}

/// As try_copy_fixed, but throws std::length_error (too long) or std::invalid_argument (NUL byte).
template <std::size_t N>
void copy_fixed(char (&dst)[N], std::string_view src, std::string_view field = "string") {
  detail::copy_or_throw(dst, src, field, N - 1);
}

/// For vtcore's own record fields, read with fixed_view (never as C strings): all N bytes may be
/// used (no terminator when the text fills the field).
template <std::size_t N>
[[nodiscard]] bool try_copy_padded(char (&dst)[N], std::string_view src) noexcept {
  return detail::copy_checked(dst, src, N);
}

/// As try_copy_padded; throws like copy_fixed.
template <std::size_t N>
void copy_padded(char (&dst)[N], std::string_view src, std::string_view field = "string") {
  detail::copy_or_throw(dst, src, field, N);
}

/// The text stored in a fixed field: up to the first NUL, or all N bytes when there is none.
template <std::size_t N>
[[nodiscard]] std::string_view fixed_view(const char (&src)[N]) noexcept {
  const void* nul = std::memchr(src, '\0', N);
  return {src, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - src) : N};
}

}  // namespace vtcore
