#include "vtcore/fixed_string.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "check.hpp"
#include "vtcore/records.hpp"

int main() {
  using vtcore::copy_fixed;
  using vtcore::fixed_view;
  using vtcore::try_copy_fixed;

  char field[8];
  std::memset(field, 'x', sizeof(field));
  CHECK(try_copy_fixed(field, "rb2501"));
  CHECK(fixed_view(field) == "rb2501");
  CHECK(field[6] == '\0' && field[7] == '\0');  // NUL padded to the end

  // N - 1 bytes fit (the terminator must), N do not; a refused copy leaves the field untouched.
  CHECK(try_copy_fixed(field, "1234567"));
  CHECK(fixed_view(field) == "1234567");
  CHECK(!try_copy_fixed(field, "12345678"));
  CHECK(fixed_view(field) == "1234567");
  CHECK(!try_copy_fixed(field, std::string_view("ab\0cd", 5)));  // would read back as "ab"
  CHECK(fixed_view(field) == "1234567");
  CHECK(try_copy_fixed(field, ""));
  CHECK(fixed_view(field).empty());

  CHECK_THROWS(copy_fixed(field, "12345678", "InstrumentID"), std::length_error);
  CHECK_THROWS(copy_fixed(field, std::string_view("a\0", 2)), std::invalid_argument);
  try {
    copy_fixed(field, "secret-password", "Password");
  } catch (const std::length_error& error) {
    const std::string message = error.what();
    CHECK(message.find("Password") != std::string::npos);
    CHECK(message.find("secret") == std::string::npos);  // the value never appears in the error
  }

  // A field whose content fills all N bytes (written by a vendor, not by us) reads back whole.
  char full[4] = {'a', 'b', 'c', 'd'};
  CHECK(fixed_view(full) == "abcd");

  // Record fields (read with fixed_view only) may use all N bytes; N + 1 are refused.
  char padded[4];
  CHECK(vtcore::try_copy_padded(padded, "abcd"));
  CHECK(fixed_view(padded) == "abcd");
  CHECK(vtcore::try_copy_padded(padded, "ab"));
  CHECK(fixed_view(padded) == "ab" && padded[2] == '\0' && padded[3] == '\0');
  CHECK(!vtcore::try_copy_padded(padded, "abcde"));
  CHECK(fixed_view(padded) == "ab");
  CHECK_THROWS(vtcore::copy_padded(padded, "abcde", "symbol"), std::length_error);
  CHECK_THROWS(vtcore::copy_padded(padded, std::string_view("a\0", 2)), std::invalid_argument);

  // Depth volumes narrow to float32; a value that does not survive is flagged, never silently changed.
  std::uint16_t flags = 0;
  CHECK(vtcore::depth_volume(16'777'216.0, flags) == 16'777'216.0f && flags == 0);
  CHECK(vtcore::depth_volume(120'000'000.0, flags) == 120'000'000.0f && flags == 0);  // a multiple of 8
  CHECK(vtcore::depth_volume(0.5, flags) == 0.5f && flags == 0);
  CHECK(vtcore::depth_volume(16'777'217.0, flags) == 16'777'216.0f);
  CHECK(flags == vtcore::kTickVolumeRounded);
  flags = 0;
  (void)vtcore::depth_volume(0.1, flags);  // not a binary fraction: float32 differs from float64
  CHECK(flags == vtcore::kTickVolumeRounded);
  return vtcore_test::finish("test_fixed_string");
}
