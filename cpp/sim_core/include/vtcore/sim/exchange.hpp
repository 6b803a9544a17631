// The simulated exchange and broker front shared by every market-data and trader API object in the process, of
// every SDK front-end: instruments and their books (a random walk), accounts, positions, orders, trades,
// matching and the private flow per account, in the core's own records (records.hpp). All state is guarded by
// one mutex; results that go to a trader session are handed to that session's own API thread through a
// FlowSubscriber.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "vtcore/sim/config.hpp"
#include "vtcore/sim/records.hpp"

namespace vtcore::sim {

// xoshiro256** seeded through splitmix64: the random walk draws a dozen numbers per tick, and std::mt19937_64
// cost a third of the tick time.
class FastRandom {
 public:
  explicit FastRandom(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += 0x9E3779B97F4A7C15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      word = z ^ (z >> 31);
    }
  }
  uint64_t operator()() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

struct FlowSubscriber {
  uint64_t id = 0;
  int account = -1;
  // Called with the exchange lock held: must only post to the subscriber's own API thread.
  std::function<void(const FlowEntry&)> deliver;
};

/// An instrument as queries report it: its configuration plus what the exchange derived.
struct InstrumentRecord {
  InstrumentConfig spec;
  double pre_settlement = 0, upper = 0, lower = 0;
  bool history_positions = false;  // SHFE/INE: today's and yesterday's positions are separate records
};

class Exchange {
 public:
  explicit Exchange(Config config);

  const Config& config() const { return config_; }

  // Clock: China time now (wall clock, or the simulated clock); ticks advance the simulated clock.
  LocalNs now() const;
  std::string trading_day() const;

  // Sessions and login.
  int next_session_id();
  Error authenticate(std::string_view broker, std::string_view user, std::string_view app_id,
                     std::string_view auth_code);
  LoginResult login(FrontKind front, int front_id, int session_id, const LoginRequest& request, bool authenticated);
  void add_login_rejects(FrontKind front, int count);

  // Settlement.
  std::string settlement_text(int account);  // UTF-8
  Confirmation confirm_settlement(int account);
  std::optional<Confirmation> settlement_confirmation(int account);

  // Queries (snapshots).
  std::vector<InstrumentRecord> instruments(std::string_view instrument, std::string_view exchange,
                                            std::string_view product);
  std::optional<InstrumentRecord> instrument(std::string_view instrument);
  bool has_instrument(std::string_view instrument) const;
  AccountRecord trading_account(int account);
  std::vector<PositionRecord> positions(int account, std::string_view instrument);
  std::vector<std::shared_ptr<const Order>> orders(int account, std::string_view instrument);
  std::vector<std::shared_ptr<const Trade>> trades(int account, std::string_view instrument);
  std::vector<Tick> depth_snapshots(std::string_view instrument);
  std::string account_user(int account);
  std::string account_broker(int account);
  bool account_credit(int account);  // the account may trade on margin

  // Trading: Error::none when accepted (the order's reports then travel on the private flow), else the front's
  // refusal (the front-end answers it as its SDK does, e.g. OnRspOrderInsert + OnErrRtnOrderInsert).
  Error insert_order(int account, int front_id, int session_id, const OrderRequest& request, int request_id);
  Error cancel_order(int account, const CancelRequest& request);

  // Private flow: replays per `resume` (restart: the whole day; resume: after `from`; quick: nothing) and then
  // delivers every new entry. Returns the number of entries in the flow at subscription.
  uint64_t subscribe_flow(FlowSubscriber subscriber, Resume resume, size_t from);
  void unsubscribe_flow(uint64_t subscriber_id);
  uint64_t new_subscriber_id();

  // Market data.
  int instrument_index(std::string_view instrument) const;  // -1 when unknown
  // Advances the walk of instrument `index` one step, matches resting orders, and writes the tick; false (and
  // nothing advances) while the instrument's market is closed (its exchange's sessions, sessions.hpp for
  // futures and ashare.hpp for securities, unless `always_open`).
  bool next_tick(int index, Tick& tick);
  // With the simulated clock, when none of `indexes` trades now: moves the clock to the next session of any of
  // them and returns true (the closed hours pass in no time; the wall clock cannot be moved: false).
  bool skip_closed_hours(const std::vector<int>& indexes);
  // A replayed tick: updates the book from it and matches resting orders.
  void apply_replayed_tick(const Tick& tick);
  // Moves an instrument's last price (control socket); resting orders that now cross are filled.
  bool set_price(std::string_view instrument, double price);

  uint64_t ticks_generated() const;
  size_t order_count() const;

 private:
  struct Market {
    InstrumentConfig spec;
    bool shfe_style = false;         // SHFE/INE: today and history positions are separate; Close means yesterday
    bool close_today_first = false;  // CFFEX: a close takes today's volume before yesterday's
    bool security = false;           // an A-share security: T+1, trading units, sessions (ashare.hpp)
    bool option = false;             // an ETF option: T+0 with offsets, A-share sessions, margin on its underlying
    int underlying = -1;             // an option's underlying market
    double pre_settlement = 0, upper = 0, lower = 0;
    double last = 0, open = 0, high = 0, low = 0;
    double bid[5]{}, ask[5]{};
    int bid_volume[5]{}, ask_volume[5]{};
    int64_t volume = 0;
    double turnover = 0;
    double open_interest = 0;
    std::vector<size_t> resting;  // order indexes in time priority
    StampCache stamps;            // tick dates, formatted once per session
  };
  struct Position {
    int yd_initial = 0;  // yesterday's volume at the start of the day (YdPosition)
    int yd = 0;          // yesterday's volume still held
    int td = 0;          // today's volume
    int yd_frozen = 0;   // frozen by pending close orders
    int td_frozen = 0;
    double yd_cost = 0;  // yd * pre-settlement * multiplier
    double td_cost = 0;  // sum of today's open price * volume * multiplier
    double yd_open_cost = 0;
    int open_volume = 0, close_volume = 0;
    double open_amount = 0, close_amount = 0;
    double close_profit = 0, commission = 0;
  };
  struct Account {
    AccountConfig cfg;
    bool authenticated = false;
    double close_profit = 0, commission = 0, frozen_margin = 0, frozen_commission = 0;
    std::optional<Confirmation> confirmation;
    std::map<std::pair<int, PositionSide>, Position> positions;  // (market, side)
    std::vector<FlowEntry> flow;
    std::vector<size_t> orders;
    std::vector<size_t> trades;
    long long max_order_ref = 0;
    // Lookups by the keys a request names (every order is in `orders` too): an insert checks its reference
    // and a cancel finds its order without a scan of the day's orders.
    std::map<std::tuple<int, int, std::string>, size_t> by_session_ref;  // (front, session, OrderRef)
    std::map<std::string, size_t, std::less<>> latest_by_ref;            // OrderRef: the last order with it
    std::map<std::string, size_t, std::less<>> by_sys_id;                // OrderSysID (unique in the run)
  };
  struct OrderState {
    Order record;
    int account = -1;
    int market = -1;
    bool closing = false;
    PositionSide position_side = PositionSide::long_side;
    int frozen_yd = 0, frozen_td = 0;  // close orders: position volume still frozen
    bool today_first = false;          // fills take frozen_td before frozen_yd (CFFEX close)
    double frozen_margin_per_lot = 0;  // open orders: margin + commission still frozen per open lot
    double frozen_commission_per_lot = 0;
    double last_fill_price = 0;  // SSE's best-five-then-limit rests at it
  };

  int find_account(std::string_view broker, std::string_view user) const;
  int ensure_account(std::string_view broker, std::string_view user, std::string_view password);
  double margin_of(const Market& m, const Position& p, PositionSide side) const;
  double position_profit(const Market& m, const Position& p, PositionSide side) const;
  void fill_book(Market& m);
  void walk(Market& m);
  void write_tick(Market& m, LocalNs t, Tick& tick);
  void match_resting(int market);
  // Fills `order` against the book; taker orders trade at the book's prices, resting ones at their own price.
  void match(size_t order_index, bool taker);
  // A stop order that still waits for its stop price (marks it triggered once the last price reaches it).
  bool stop_waits(OrderState& order, const Market& market);
  void apply_fill(size_t order_index, double price, int volume);
  void finish_order(size_t order_index, OrderStatus status, std::string_view status_message);
  void release_frozen(OrderState& order);
  void publish(int account, const FlowEntry& entry);
  void publish_order(size_t order_index);
  void stamp_update(Order& order) const;
  double round_to_tick(double price, double tick) const;
  // A seller's margin per contract unit of an option (the exchanges' opening-margin formula), 0 for the rest.
  double option_short_margin(const Market& m) const;
  double margin_per_lot(const Market& m, PositionSide side, double price) const;
  void option_limits(Market& m) const;
  bool on_tick(double price, double tick) const;
  bool open_at(const Market& m, LocalNs t) const;  // quotes and continuous matching run now
  // Why the exchange refuses an order in a security (UTF-8), or "".
  std::string security_problem(const Market& m, const OrderRequest& req, int holding, LocalNs t) const;

  Config config_;
  mutable std::mutex mutex_;
  FastRandom rng_;
  std::vector<Market> markets_;
  std::map<std::string, int, std::less<>> market_index_;
  std::vector<Account> accounts_;
  std::vector<OrderState> orders_;
  std::vector<std::shared_ptr<const Trade>> trade_log_;
  std::vector<FlowSubscriber> subscribers_;
  uint64_t last_subscriber_id_ = 0;
  int login_rejects_[3] = {0, 0, 0};  // per FrontKind
  int last_session_ = 0;
  long long last_order_sys_id_ = 0;
  long long last_trade_id_ = 0;                              // every trade: SequenceNo
  std::map<std::string, long long, std::less<>> trade_ids_;  // per exchange: TradeID
  long long last_local_id_ = 0;
  int notify_sequence_ = 0;
  LocalNs sim_time_ = 0;
  uint64_t ticks_ = 0;
};

}  // namespace vtcore::sim
