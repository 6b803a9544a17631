#include "vtcore/sim/ashare.hpp"

#include <cmath>

namespace vtcore::sim::ashare {
namespace {

bool starts(std::string_view code, std::string_view prefix) { return code.substr(0, prefix.size()) == prefix; }

constexpr int64_t ns_per_minute = 60 * ns_per_s;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
bool weekday(int64_t day) { return ((day % 7) + 7 + 3) % 7 < 5; }  // 1970-01-01 was a Thursday

struct Period {
  int start, end;  // minutes after midnight, [start, end)
};
constexpr Period kOrders[] = {{9 * 60 + 15, 11 * 60 + 30}, {13 * 60, 15 * 60}};
constexpr Period kContinuous[] = {{9 * 60 + 30, 11 * 60 + 30}, {13 * 60, 15 * 60}};

template <size_t N>
bool inside(const Period (&periods)[N], LocalNs t) {
  const int64_t day = floor_div(t, ns_per_day);
  if (!weekday(day)) return false;
  const int64_t minute = (t - day * ns_per_day) / ns_per_minute;
  for (const Period& period : periods)
    if (minute >= period.start && minute < period.end) return true;
  return false;
}

}  // namespace

bool is_exchange(std::string_view exchange) { return exchange == "SSE" || exchange == "SZSE" || exchange == "BSE"; }

Board board_of(std::string_view code, std::string_view exchange, std::string_view kind) {
  if (kind == "fund") return Board::fund;
  if (kind == "bond") return Board::bond;
  if (exchange == "BSE") return Board::bse;
  if (exchange == "SSE" && (starts(code, "688") || starts(code, "689"))) return Board::star;
  if (exchange == "SZSE" && (starts(code, "300") || starts(code, "301"))) return Board::chinext;
  return Board::main;
}

Units units(Board board) {
  switch (board) {
    case Board::star:
      return {200, 200, 1, 0.20, 0.01};
    case Board::chinext:
      return {100, 100, 100, 0.20, 0.01};
    case Board::bse:
      return {100, 100, 1, 0.30, 0.01};
    case Board::fund:
      return {100, 100, 100, 0.10, 0.001};
    case Board::bond:
      return {10, 10, 10, 0.20, 0.001};
    case Board::main:
      break;
  }
  return {100, 100, 100, 0.10, 0.01};
}

std::string_view board_name(Board board) {
  switch (board) {
    case Board::star:
      return "科创板";
    case Board::chinext:
      return "创业板";
    case Board::bse:
      return "北交所";
    case Board::fund:
      return "基金";
    case Board::bond:
      return "债券";
    case Board::main:
      break;
  }
  return "主板";
}

std::pair<double, double> limits(double pre_close, double ratio, double tick) {
  auto round_half_up = [tick](double price) { return std::floor(price / tick + 0.5 + 1e-9) * tick; };
  return {round_half_up(pre_close * (1 + ratio)), round_half_up(pre_close * (1 - ratio))};
}

std::string volume_problem(Board board, int volume, bool sell, int holding) {
  const Units u = units(board);
  if (volume <= 0) return "申报数量不符合规定";
  if (sell) {
    if (u.step != u.lot) {  // STAR, BSE: at least min_volume, unless the whole remainder
      return volume >= u.min_volume || volume == holding
                 ? ""
                 : "申报数量不符合交易单位规定(余额不足最低申报数量的部分须一次性卖出)";
    }
    const int odd = volume % u.lot;
    return odd == 0 || odd == holding % u.lot ? "" : "申报数量不符合交易单位规定(零股须一次性卖出)";
  }
  if (volume < u.min_volume || (volume - u.min_volume) % u.step != 0) return "申报数量不符合交易单位规定";
  return "";
}

bool kind_allowed(std::string_view exchange, Board board, Kind kind) {
  if (kind == Kind::limit) return true;
  if (exchange == "SSE") {
    if (kind == Kind::best5_or_cancel || kind == Kind::best5_or_limit) return true;
    return board == Board::star && (kind == Kind::forward_best || kind == Kind::reverse_best);
  }
  return kind != Kind::best5_or_limit;  // SZSE, BSE
}

bool accepts_orders(LocalNs t) { return inside(kOrders, t); }
bool continuous(LocalNs t) { return inside(kContinuous, t); }

LocalNs next_continuous(LocalNs t) {
  if (continuous(t)) return t;
  const int64_t today = floor_div(t, ns_per_day);
  for (int64_t day = today; day <= today + 7; ++day) {
    if (!weekday(day)) continue;
    for (const Period& period : kContinuous) {
      const LocalNs start = day * ns_per_day + period.start * ns_per_minute;
      if (start >= t) return start;
    }
  }
  return t;  // not reached: a weekday comes within a week
}

}  // namespace vtcore::sim::ashare
