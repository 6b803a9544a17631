#include "vtcore/sim/clock.hpp"

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace vtcore::sim {
namespace {

// Days since 1970-01-01 <-> civil date (proleptic Gregorian), H. Hinnant's algorithms.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int& year, unsigned& month, unsigned& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (month <= 2));
}

// 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday.
int weekday(int64_t days) { return static_cast<int>(((days % 7) + 7 + 3) % 7); }

int64_t next_weekday_after(int64_t days) {
  int64_t d = days + 1;
  while (weekday(d) >= 5) ++d;
  return d;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t trading_day_number(LocalNs t) {
  const int64_t day = floor_div(t, ns_per_day);
  const int64_t hour = (t - day * ns_per_day) / (3600 * ns_per_s);
  if (hour >= 18) return next_weekday_after(day);    // evening: night session of the next trading day
  if (hour < 6) return next_weekday_after(day - 1);  // after midnight: still the previous evening's session
  return weekday(day) >= 5 ? next_weekday_after(day) : day;
}

bool in_night_session(LocalNs t) {
  const int64_t day = floor_div(t, ns_per_day);
  const int64_t hour = (t - day * ns_per_day) / (3600 * ns_per_s);
  return hour >= 18 || hour < 6;
}

void copy_date(char (&out)[9], const std::string& text) { std::snprintf(out, sizeof out, "%s", text.c_str()); }

}  // namespace

LocalNs local_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() + 8 * 3600 * ns_per_s;
}

LocalNs parse_local_time(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  std::string copy(text);
  int n = std::sscanf(copy.c_str(), "%4d-%2d-%2d %2d:%2d:%2d.%3d", &y, &mo, &d, &h, &mi, &s, &ms);
  if (n < 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || ms < 0)
    throw std::invalid_argument("time must look like \"2026-11-27 21:00:00\" or \"2026-11-27 21:00:00.500\", got \"" +
                                copy + "\"");
  const int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * ns_per_day + ((h * 60 + mi) * 60 + s) * ns_per_s + ms * ns_per_ms;
}

std::string format_date(int64_t days) {
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", y, m, d);
  return buf;
}

int64_t parse_yyyymmdd(std::string_view text) {
  if (text.size() != 8) throw std::invalid_argument("a date must be YYYYMMDD");
  for (char c : text)
    if (c < '0' || c > '9') throw std::invalid_argument("a date must be YYYYMMDD");
  const int y = std::stoi(std::string(text.substr(0, 4)));
  const int m = std::stoi(std::string(text.substr(4, 2)));
  const int d = std::stoi(std::string(text.substr(6, 2)));
  if (m < 1 || m > 12 || d < 1 || d > 31) throw std::invalid_argument("a date must be YYYYMMDD");
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string trading_day_at(LocalNs t, std::string_view trading_day_override) {
  if (!trading_day_override.empty()) return std::string(trading_day_override);
  return format_date(trading_day_number(t));
}

namespace {

void write_time(Stamp& stamp, int64_t in_day) {
  const int64_t secs = in_day / ns_per_s;
  const auto two_digits = [](char* out, int64_t value) {
    out[0] = static_cast<char>('0' + value / 10);
    out[1] = static_cast<char>('0' + value % 10);
  };
  two_digits(stamp.time, secs / 3600 % 24);
  stamp.time[2] = ':';
  two_digits(stamp.time + 3, secs / 60 % 60);
  stamp.time[5] = ':';
  two_digits(stamp.time + 6, secs % 60);
  stamp.time[8] = '\0';
  stamp.millisec = static_cast<int>(in_day % ns_per_s / ns_per_ms);
}

void write_dates(Stamp& stamp, LocalNs t, std::string_view exchange, std::string_view trading_day_override) {
  const std::string trading_day = trading_day_at(t, trading_day_override);
  copy_date(stamp.trading_day, trading_day);
  const bool trading_day_in_action_day = exchange == "DCE" && in_night_session(t);
  copy_date(stamp.action_day, trading_day_in_action_day ? trading_day : format_date(floor_div(t, ns_per_day)));
}

}  // namespace

Stamp make_stamp(LocalNs t, std::string_view exchange, std::string_view trading_day_override) {
  Stamp stamp{};
  const int64_t day = floor_div(t, ns_per_day);
  write_time(stamp, t - day * ns_per_day);
  write_dates(stamp, t, exchange, trading_day_override);
  return stamp;
}

Stamp StampCache::make(LocalNs t, std::string_view exchange, std::string_view trading_day_override) {
  Stamp stamp{};
  const int64_t day = floor_div(t, ns_per_day);
  const int64_t in_day = t - day * ns_per_day;
  write_time(stamp, in_day);
  const int64_t hour = in_day / (3600 * ns_per_s);
  const int64_t key = day * 4 + (hour < 6 ? 0 : hour < 18 ? 1 : 2);
  if (key != key_) {
    write_dates(stamp, t, exchange, trading_day_override);
    std::memcpy(trading_day_, stamp.trading_day, sizeof trading_day_);
    std::memcpy(action_day_, stamp.action_day, sizeof action_day_);
    key_ = key;
  } else {
    std::memcpy(stamp.trading_day, trading_day_, sizeof trading_day_);
    std::memcpy(stamp.action_day, action_day_, sizeof action_day_);
  }
  return stamp;
}

}  // namespace vtcore::sim
