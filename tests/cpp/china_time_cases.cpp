// Reads cases "<date|-> <HH:MM:SS> <session trading day YYYYMMDD|0>" from stdin, one per line, and prints
// vtcore::china_time_ns of each (0: malformed) for tests/core/test_cpp_core.py, which holds the C++ rule to
// the Python one (vtcore.time.china_datetime) on the same table. The exchange is never DCE here: Python's
// rule has no exchange, it always knows the session's trading day or takes the date as the calendar's.
#include <iostream>
#include <string>

#include "vtcore/china_time.hpp"

int main() {
  std::string date, time, session;
  while (std::cin >> date >> time >> session) {
    if (date == "-") date.clear();
    const std::int32_t session_day = vtcore::parse_date(session);
    const std::string trading_day = session_day ? session : "";
    std::cout << vtcore::china_time_ns(date, trading_day, time, 0, vtcore::exchange_code("SHFE"), session_day) << "\n";
  }
  return 0;
}
