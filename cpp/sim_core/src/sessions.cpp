#include "vtcore/sim/sessions.hpp"

#include <array>

namespace vtcore::sim {
namespace {

constexpr int64_t ns_per_minute = 60 * ns_per_s;

struct Period {
  int start, end;  // minutes after midnight, [start, end)
  bool night;      // an evening period (Monday to Friday) or the small hours after one (Tuesday to Saturday)
};

constexpr int hm(int hour, int minute) { return hour * 60 + minute; }

// Periods in time-of-day order (a night that crosses midnight is split in two); `count` of them are used.
struct Hours {
  std::string_view exchange;
  int count;
  std::array<Period, 5> periods;
};

constexpr Period kMorning1{hm(9, 0), hm(10, 15), false}, kMorning2{hm(10, 30), hm(11, 30), false},
    kAfternoon{hm(13, 30), hm(15, 0), false};

constexpr Hours kHours[] = {
    {"SHFE", 5, {{{0, hm(2, 30), true}, kMorning1, kMorning2, kAfternoon, {hm(21, 0), hm(24, 0), true}}}},
    {"INE", 5, {{{0, hm(2, 30), true}, kMorning1, kMorning2, kAfternoon, {hm(21, 0), hm(24, 0), true}}}},
    {"DCE", 4, {{kMorning1, kMorning2, kAfternoon, {hm(21, 0), hm(23, 0), true}}}},
    {"CZCE", 4, {{kMorning1, kMorning2, kAfternoon, {hm(21, 0), hm(23, 0), true}}}},
    {"GFEX", 3, {{kMorning1, kMorning2, kAfternoon}}},
    {"CFFEX", 2, {{{hm(9, 30), hm(11, 30), false}, {hm(13, 0), hm(15, 0), false}}}},
};

const Hours* hours_of(std::string_view exchange) {
  for (const Hours& hours : kHours)
    if (hours.exchange == exchange) return &hours;
  return nullptr;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday.
int weekday(int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }

// Whether `period` trades on `day`: day periods and evenings on Monday-Friday, small hours on Tuesday-Saturday.
bool trades_on(const Period& period, int64_t day) {
  const int w = weekday(day);
  if (period.night && period.start == 0) return w >= 1 && w <= 5;
  return w <= 4;
}

}  // namespace

bool session_open(std::string_view exchange, LocalNs t) {
  const Hours* hours = hours_of(exchange);
  if (hours == nullptr) return true;
  const int64_t day = floor_div(t, ns_per_day);
  const int64_t minute = (t - day * ns_per_day) / ns_per_minute;
  for (int n = 0; n < hours->count; ++n) {
    const Period& period = hours->periods[static_cast<size_t>(n)];
    if (minute >= period.start && minute < period.end && trades_on(period, day)) return true;
  }
  return false;
}

LocalNs next_session_open(std::string_view exchange, LocalNs t) {
  const Hours* hours = hours_of(exchange);
  if (hours == nullptr || session_open(exchange, t)) return t;
  const int64_t today = floor_div(t, ns_per_day);
  for (int64_t day = today; day <= today + 7; ++day) {
    for (int n = 0; n < hours->count; ++n) {
      const Period& period = hours->periods[static_cast<size_t>(n)];
      const LocalNs start = day * ns_per_day + period.start * ns_per_minute;
      if (start >= t && trades_on(period, day)) return start;
    }
  }
  return t;  // not reached: every exchange in the table trades within a week
}

}  // namespace vtcore::sim
