// Wall-clock time as int64 nanoseconds since the Unix epoch (UTC): the unit of every record time field.
#pragma once

#include <cstdint>
#include <ctime>

namespace vtcore {

/// CLOCK_REALTIME in ns, the same clock as Python's time.time_ns(), so C++ push times and Python
/// receive times can be subtracted directly.
inline std::int64_t now_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace vtcore
