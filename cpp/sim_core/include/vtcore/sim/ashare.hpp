// The A-share rules the simulated exchange applies to securities (instrument `kind` stock, fund or bond) on SSE,
// SZSE and BSE, written from the exchanges' trading rules (never from a gateway): boards by code, trading units,
// price limits, the market-order kinds each exchange accepts, and the trading sessions. Futures instruments are
// untouched by all of this.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "vtcore/sim/clock.hpp"

namespace vtcore::sim::ashare {

enum class Board { main, star, chinext, bse, fund, bond };

/// Order kinds beyond a plain limit order (the core's PriceType names the same kinds).
enum class Kind { limit, best5_or_cancel, best_or_cancel, all_or_cancel, best5_or_limit, forward_best, reverse_best };

/// The trading unit of a board: buys are `min_volume` plus multiples of `step` (`lot` = one hand).
struct Units {
  int lot;
  int min_volume;
  int step;
  double limit_ratio;  // the daily price limit as a ratio of the previous close
  double price_tick;
};

bool is_exchange(std::string_view exchange);  // SSE, SZSE, BSE
Board board_of(std::string_view code, std::string_view exchange, std::string_view kind);
Units units(Board board);
std::string_view board_name(Board board);

/// Limit-up and limit-down: the previous close times 1 +- ratio, rounded half up to the tick (the exchanges'
/// rule; futures round toward the previous settlement instead).
std::pair<double, double> limits(double pre_close, double ratio, double tick);

/// Why the exchange refuses `volume` (UTF-8, the exchange's words), or "". A sell may carry an odd lot only
/// when it sells the whole remaining odd part of `holding`.
std::string volume_problem(Board board, int volume, bool sell, int holding);

/// Whether `exchange` accepts `kind` for `board` (SSE: best five then cancel or then limit, and on STAR also the
/// own-side and counterparty best; SZSE and BSE: every kind).
bool kind_allowed(std::string_view exchange, Board board, Kind kind);

/// Sessions in China time, weekdays (holidays are not modelled): orders are accepted 09:15-11:30 and
/// 13:00-15:00; quotes and continuous matching run 09:30-11:30 and 13:00-15:00.
bool accepts_orders(LocalNs t);
bool continuous(LocalNs t);
/// The first moment at or after `t` inside continuous trading.
LocalNs next_continuous(LocalNs t);

}  // namespace vtcore::sim::ashare
