#include "vtcore/fixed_string.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "check.hpp"

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
  return vtcore_test::finish("test_fixed_string");
}
