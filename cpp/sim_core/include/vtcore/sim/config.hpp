// The simulator's configuration: accounts, instruments, market data, clock, fronts, scripted faults and the
// control socket. Loaded from JSON (see cpp/sim_core/README.md); every field has a default, so an empty object or
// no file at all gives a usable exchange.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vtcore/sim/clock.hpp"
#include "vtcore/sim/records.hpp"

namespace vtcore::sim {

struct PositionConfig {
  std::string instrument;
  PositionSide side = PositionSide::long_side;
  int yesterday = 0;   // yesterday's volume at the start of the day
  double price = 0.0;  // open/settlement price of that volume; 0 = the instrument's pre-settlement price
};

struct AccountConfig {
  std::string broker_id = "9999";
  std::string user_id;
  std::string password;
  std::string app_id;     // empty = any AppID authenticates
  std::string auth_code;  // empty = any AuthCode authenticates
  double balance = 10'000'000.0;
  bool reject_login = false;
  bool credit = false;  // the account may trade on margin (A-share margin trading)
  std::vector<PositionConfig> positions;
};

struct InstrumentConfig {
  std::string id;
  std::string exchange;
  // "futures" (default), or an A-share security on SSE/SZSE/BSE: "stock", "fund", "bond" (ashare.hpp: trading
  // units, limits from the previous close, T+1, sessions). For securities the multiplier is 1, margin ratios are 1
  // (cash), `pre_settlement` is the previous close and the defaults below follow the board.
  std::string kind = "futures";
  int lot = 0;                   // securities: the trading unit (0 = the board's: 100, STAR 200, bonds 10)
  double commission_rate = 0.0;  // commission as a ratio of the traded amount (securities default 0.00025)
  std::string name;              // UTF-8 here; sent as GB18030
  std::string product_id;
  char product_class = '1';  // the Thost family's ProductClass code ('1' futures); front-ends map it
  int multiplier = 10;
  double price_tick = 1.0;
  double price = 0.0;           // starting last price
  double pre_settlement = 0.0;  // 0 = price
  double limit_ratio = 0.07;    // limits = pre_settlement * (1 +- ratio), rounded to the tick
  double upper_limit = 0.0;     // explicit limits override the ratio
  double lower_limit = 0.0;
  double long_margin_ratio = 0.1;
  double short_margin_ratio = 0.1;
  double commission_per_lot = 2.0;
  int max_limit_volume = 500;
  int min_limit_volume = 1;
  int max_market_volume = 100;
  int level_volume = 20;  // mean volume per book level in the random walk
  int64_t pre_open_interest = 100'000;
  std::string open_date = "20250101";
  std::string expire_date = "20261231";
  // "option": an SSE/SZSE ETF option (the TORA SP trader's): the underlying security (configured too), the strike,
  // 'C' call or 'P' put. Defaults: multiplier 10000, tick 0.0001, the exchanges' limits from the underlying's
  // previous close; a buyer pays the premium (long margin ratio 1), a seller's margin is the exchanges' formula.
  std::string underlying;
  double strike = 0.0;
  char option_type = 'C';
};

inline bool is_option(const InstrumentConfig& i) { return i.kind == "option"; }

struct MarketDataConfig {
  double rate = 20.0;  // ticks per second per market-data session; 0 = as fast as possible
  int64_t count = -1;  // ticks per session before the stream stops; -1 = unlimited
  std::string replay;  // JSON-lines file of DepthMarketData fields to replay instead of the random walk
  bool walk = true;    // false: prices stay where they are (only times and volumes advance)
  // true: quote and trade at any hour (demos, benchmarks); false: futures tick only inside their exchange's
  // sessions (sessions.hpp), A-share securities quote and trade only inside theirs (ashare.hpp).
  // Default: $VTCORE_SIM_ALWAYS_OPEN (or $VTCORE_CTPSIM_ALWAYS_OPEN) == "1".
  bool always_open = false;
};

struct ClockConfig {
  bool simulated = false;  // false: wall clock; true: starts at `start`, advances step per tick
  LocalNs start = 0;
  int64_t step_ns = 500 * ns_per_ms;
  std::string trading_day;  // YYYYMMDD override; "" = computed from the clock
};

struct FrontConfig {
  int front_id = 1;
  int connect_delay_ms = 0;
  int reconnect_delay_ms = 1000;
  int response_delay_ms = 0;
  int query_interval_ms = 1000;  // trader front: a ReqQry* sooner than this after the last returns -3; 0 = off
};

struct FaultConfig {
  FrontKind front = FrontKind::any;
  std::string action;           // "disconnect" | "reject_login"
  int64_t after_events = -1;    // disconnect after this many callbacks on an API object (per object)
  int64_t at_ms = -1;           // disconnect this long after Init
  int count = 1;                // reject_login: how many login attempts to reject
  int reconnect_delay_ms = -1;  // overrides the front's delay for this fault
};

struct ControlConfig {
  bool enabled = false;
  int port = 0;           // 0 = any free port on 127.0.0.1
  std::string port_file;  // the bound port is written here (atomically) when set
};

struct Config {
  std::string source;  // the file it came from, or "" for built-in defaults
  uint64_t seed = 1;
  std::vector<AccountConfig> accounts;  // empty: any user id / password logs in with the default balance
  double default_balance = 10'000'000.0;
  std::vector<InstrumentConfig> instruments;
  MarketDataConfig market_data;
  ClockConfig clock;
  FrontConfig md_front;
  FrontConfig td_front;
  std::vector<FaultConfig> faults;
  ControlConfig control;
  bool require_authenticate = false;
  bool require_settlement_confirm = true;
};

Config default_config();
// Reads and validates a JSON file; throws std::runtime_error naming the file and the bad key.
Config load_config(const std::string& path);
Config config_from_json_text(const std::string& text, const std::string& source);

}  // namespace vtcore::sim
