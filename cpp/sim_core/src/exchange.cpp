#include "vtcore/sim/exchange.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "vtcore/sim/ashare.hpp"
#include "vtcore/sim/sessions.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim {
namespace {

constexpr const char* participant_id = "9999";
constexpr const char* trader_id = "9999sim01";

int front_slot(FrontKind front) { return static_cast<int>(front); }

template <size_t N>
void copy_text(char (&field)[N], std::string_view text) {
  const size_t n = std::min(text.size(), N - 1);
  std::memcpy(field, text.data(), n);
  field[n] = '\0';
}

}  // namespace

Exchange::Exchange(Config config) : config_(std::move(config)), rng_(config_.seed) {
  sim_time_ = config_.clock.simulated ? config_.clock.start : 0;
  last_session_ = 100'000'000 + static_cast<int>(config_.seed % 1000) * 1000;
  for (const InstrumentConfig& spec : config_.instruments) {
    Market m;
    m.spec = spec;
    m.shfe_style = spec.exchange == "SHFE" || spec.exchange == "INE";
    m.close_today_first = spec.exchange == "CFFEX";
    m.security = spec.kind != "futures" && !is_option(spec);
    m.option = is_option(spec);
    m.pre_settlement = spec.pre_settlement > 0 ? spec.pre_settlement : spec.price;
    // configured limits (and the securities' from ashare::limits) to the tick grid's decimal doubles as well
    m.upper = round_to_tick(
        spec.upper_limit > 0 ? spec.upper_limit : m.pre_settlement * (1 + spec.limit_ratio) - spec.price_tick / 2,
        spec.price_tick);
    m.lower = round_to_tick(
        spec.lower_limit > 0 ? spec.lower_limit : m.pre_settlement * (1 - spec.limit_ratio) + spec.price_tick / 2,
        spec.price_tick);
    m.last = std::clamp(round_to_tick(spec.price, spec.price_tick), m.lower, m.upper);
    m.open = m.high = m.low = m.last;
    m.open_interest = static_cast<double>(spec.pre_open_interest);
    market_index_[spec.id] = static_cast<int>(markets_.size());
    markets_.push_back(std::move(m));
    fill_book(markets_.back());
  }
  for (Market& m : markets_) {
    if (!m.option) continue;
    m.underlying = instrument_index(m.spec.underlying);
    option_limits(m);
  }
  for (const AccountConfig& cfg : config_.accounts) {
    Account account;
    account.cfg = cfg;
    for (const PositionConfig& pos : cfg.positions) {
      const int mi = market_index_.at(pos.instrument);
      const Market& m = markets_[static_cast<size_t>(mi)];
      Position& p = account.positions[{mi, pos.side}];
      p.yd_initial += pos.yesterday;
      p.yd += pos.yesterday;
      const double settle = m.pre_settlement;
      p.yd_cost += pos.yesterday * settle * m.spec.multiplier;
      p.yd_open_cost += pos.yesterday * (pos.price > 0 ? pos.price : settle) * m.spec.multiplier;
    }
    accounts_.push_back(std::move(account));
  }
}

LocalNs Exchange::now() const {
  if (!config_.clock.simulated) return local_now();
  std::lock_guard lock(mutex_);
  return sim_time_;
}

std::string Exchange::trading_day() const { return trading_day_at(now(), config_.clock.trading_day); }

int Exchange::next_session_id() {
  std::lock_guard lock(mutex_);
  return ++last_session_;
}

int Exchange::find_account(std::string_view broker, std::string_view user) const {
  // An empty broker (the stock SDKs have none) matches the account of that user at any broker.
  for (size_t i = 0; i < accounts_.size(); ++i)
    if (accounts_[i].cfg.user_id == user && (broker.empty() || accounts_[i].cfg.broker_id == broker))
      return static_cast<int>(i);
  return -1;
}

int Exchange::ensure_account(std::string_view broker, std::string_view user, std::string_view password) {
  int index = find_account(broker, user);
  if (index >= 0 || !config_.accounts.empty()) return index;
  // No accounts configured: anyone may log in; the account is made on first login.
  Account account;
  account.cfg.broker_id = std::string(broker);
  account.cfg.user_id = std::string(user);
  account.cfg.password = std::string(password);
  account.cfg.balance = config_.default_balance;
  accounts_.push_back(std::move(account));
  return static_cast<int>(accounts_.size() - 1);
}

Error Exchange::authenticate(std::string_view broker, std::string_view user, std::string_view app_id,
                             std::string_view auth_code) {
  std::lock_guard lock(mutex_);
  const int index = ensure_account(broker, user, "");
  if (index < 0) return Error::auth_failed;
  const AccountConfig& cfg = accounts_[static_cast<size_t>(index)].cfg;
  if ((!cfg.app_id.empty() && cfg.app_id != app_id) || (!cfg.auth_code.empty() && cfg.auth_code != auth_code))
    return Error::auth_failed;
  return Error::none;
}

void Exchange::add_login_rejects(FrontKind front, int count) {
  std::lock_guard lock(mutex_);
  login_rejects_[front_slot(front)] += count;
}

LoginResult Exchange::login(FrontKind front, int front_id, int session_id, const LoginRequest& request,
                            bool authenticated) {
  LoginResult result;
  const LocalNs t = now();
  std::lock_guard lock(mutex_);
  const std::string_view broker = request.broker_id;
  const std::string_view user = request.user_id;
  const std::string_view password = request.password;
  auto consume_reject = [this](FrontKind kind) {
    if (login_rejects_[front_slot(kind)] > 0) {
      --login_rejects_[front_slot(kind)];
      return true;
    }
    return false;
  };
  if (consume_reject(front) || consume_reject(FrontKind::any)) {
    result.error = Error::invalid_login;
    return result;
  }
  if (front == FrontKind::td && config_.require_authenticate && !authenticated) {
    result.error = Error::not_authenticated;
    return result;
  }
  int index = ensure_account(broker, user, password);
  // The market-data front, like real ones, does not check the investor's password.
  if (front == FrontKind::td) {
    const bool open_door = config_.accounts.empty();  // no accounts configured: any password logs in
    if (index < 0 || (!open_door && accounts_[static_cast<size_t>(index)].cfg.password != password) ||
        accounts_[static_cast<size_t>(index)].cfg.reject_login) {
      result.error = Error::invalid_login;
      return result;
    }
  } else if (index >= 0 && accounts_[static_cast<size_t>(index)].cfg.reject_login) {
    result.error = Error::invalid_login;
    return result;
  }
  result.account = index;
  const Stamp s = make_stamp(t, "SHFE", config_.clock.trading_day);
  result.trading_day = s.trading_day;
  result.login_time = s.time;
  result.broker_id = std::string(broker);
  result.user_id = std::string(user);
  result.front_id = front_id;
  result.session_id = session_id;
  const long long max_ref = index >= 0 ? accounts_[static_cast<size_t>(index)].max_order_ref : 0;
  result.max_order_ref = max_ref > 0 ? max_ref : 1;
  return result;
}

std::string Exchange::settlement_text(int account) {
  std::lock_guard lock(mutex_);
  const Account& a = accounts_.at(static_cast<size_t>(account));
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "vtcore 模拟结算单\r\n投资者: %s  经纪商: %s\r\n期初结存: %.2f\r\n（模拟交易所生成，非真实结算单）\r\n",
                a.cfg.user_id.c_str(), a.cfg.broker_id.c_str(), a.cfg.balance);
  return buf;
}

Confirmation Exchange::confirm_settlement(int account) {
  const LocalNs t = now();
  std::lock_guard lock(mutex_);
  Account& a = accounts_.at(static_cast<size_t>(account));
  const Stamp s = make_stamp(t, "SHFE", config_.clock.trading_day);
  a.confirmation = Confirmation{a.cfg.broker_id, a.cfg.user_id, s.action_day, s.time};
  return *a.confirmation;
}

std::string Exchange::account_user(int account) {
  std::lock_guard lock(mutex_);
  return accounts_.at(static_cast<size_t>(account)).cfg.user_id;
}

std::string Exchange::account_broker(int account) {
  std::lock_guard lock(mutex_);
  return accounts_.at(static_cast<size_t>(account)).cfg.broker_id;
}

bool Exchange::account_credit(int account) {
  std::lock_guard lock(mutex_);
  return accounts_.at(static_cast<size_t>(account)).cfg.credit;
}

std::optional<Confirmation> Exchange::settlement_confirmation(int account) {
  std::lock_guard lock(mutex_);
  return accounts_.at(static_cast<size_t>(account)).confirmation;
}

std::vector<InstrumentRecord> Exchange::instruments(std::string_view instrument, std::string_view exchange,
                                                    std::string_view product) {
  std::lock_guard lock(mutex_);
  std::vector<InstrumentRecord> out;
  for (const Market& m : markets_) {
    if (!instrument.empty() && m.spec.id != instrument) continue;
    if (!exchange.empty() && m.spec.exchange != exchange) continue;
    if (!product.empty() && m.spec.product_id != product) continue;
    out.push_back(InstrumentRecord{m.spec, m.pre_settlement, m.upper, m.lower, m.shfe_style});
  }
  return out;
}

std::optional<InstrumentRecord> Exchange::instrument(std::string_view instrument) {
  std::lock_guard lock(mutex_);
  const int index = instrument_index(instrument);
  if (index < 0) return std::nullopt;
  const Market& m = markets_[static_cast<size_t>(index)];
  return InstrumentRecord{m.spec, m.pre_settlement, m.upper, m.lower, m.shfe_style};
}

bool Exchange::has_instrument(std::string_view instrument) const { return instrument_index(instrument) >= 0; }

int Exchange::instrument_index(std::string_view instrument) const {
  auto it = market_index_.find(instrument);
  return it == market_index_.end() ? -1 : it->second;
}

double Exchange::margin_of(const Market& m, const Position& p, PositionSide side) const {
  if (m.option && side == PositionSide::short_side) return (p.yd + p.td) * margin_per_lot(m, side, 0);
  const double ratio = side == PositionSide::long_side ? m.spec.long_margin_ratio : m.spec.short_margin_ratio;
  return (p.yd_cost + p.td_cost) * ratio;
}

double Exchange::margin_per_lot(const Market& m, PositionSide side, double price) const {
  if (m.option && side == PositionSide::short_side) return option_short_margin(m) * m.spec.multiplier;
  const double ratio = side == PositionSide::long_side ? m.spec.long_margin_ratio : m.spec.short_margin_ratio;
  return price * m.spec.multiplier * ratio;
}

// SSE/SZSE ETF options, per contract unit, from the option's previous settlement and the underlying's previous
// close S: a call max(12% S - out of the money, 7% S) above the settlement; a put the same with 7% of the strike,
// at most the strike.
double Exchange::option_short_margin(const Market& m) const {
  if (m.underlying < 0) return m.pre_settlement * m.spec.short_margin_ratio;
  const double s = markets_[static_cast<size_t>(m.underlying)].pre_settlement, k = m.spec.strike;
  if (m.spec.option_type == 'C') return m.pre_settlement + std::max(0.12 * s - std::max(k - s, 0.0), 0.07 * s);
  return std::min(m.pre_settlement + std::max(0.12 * s - std::max(s - k, 0.0), 0.07 * k), k);
}

// The exchanges' daily limits of an ETF option (unless configured): up by max(0.5% S, 10% of min(2S - K, S)) for
// a call (min(2K - S, S) for a put), down by 10% S, never below one tick.
void Exchange::option_limits(Market& m) const {
  if (m.underlying < 0) return;
  const double s = markets_[static_cast<size_t>(m.underlying)].pre_settlement, k = m.spec.strike;
  const double room = m.spec.option_type == 'C' ? std::min(2 * s - k, s) : std::min(2 * k - s, s);
  const double tick = m.spec.price_tick;
  if (m.spec.upper_limit <= 0) m.upper = round_to_tick(m.pre_settlement + std::max(0.005 * s, 0.1 * room), tick);
  if (m.spec.lower_limit <= 0) m.lower = std::max(tick, round_to_tick(m.pre_settlement - 0.1 * s, tick));
  m.last = std::clamp(round_to_tick(m.spec.price, tick), m.lower, m.upper);
  m.open = m.high = m.low = m.last;
}

double Exchange::position_profit(const Market& m, const Position& p, PositionSide side) const {
  const double value = (p.yd + p.td) * m.last * m.spec.multiplier;
  const double cost = p.yd_cost + p.td_cost;
  return side == PositionSide::long_side ? value - cost : cost - value;
}

AccountRecord Exchange::trading_account(int account) {
  const std::string day = trading_day();
  std::lock_guard lock(mutex_);
  const Account& a = accounts_.at(static_cast<size_t>(account));
  double margin = 0, profit = 0;
  for (const auto& [key, p] : a.positions) {
    const Market& m = markets_[static_cast<size_t>(key.first)];
    margin += margin_of(m, p, key.second);
    profit += position_profit(m, p, key.second);
  }
  AccountRecord f;
  f.broker_id = a.cfg.broker_id;
  f.account_id = a.cfg.user_id;
  f.trading_day = day;
  f.pre_balance = a.cfg.balance;
  f.frozen_margin = a.frozen_margin;
  f.frozen_commission = a.frozen_commission;
  f.margin = margin;
  f.commission = a.commission;
  f.close_profit = a.close_profit;
  f.position_profit = profit;
  f.balance = a.cfg.balance + a.close_profit + profit - a.commission;
  f.available = f.balance - margin - a.frozen_margin - a.frozen_commission;
  f.withdraw_quota = std::max(0.0, f.available);
  return f;
}

std::vector<PositionRecord> Exchange::positions(int account, std::string_view instrument) {
  const std::string day = trading_day();
  std::lock_guard lock(mutex_);
  const Account& a = accounts_.at(static_cast<size_t>(account));
  std::vector<PositionRecord> out;
  for (const auto& [key, p] : a.positions) {
    const Market& m = markets_[static_cast<size_t>(key.first)];
    if (!instrument.empty() && m.spec.id != instrument) continue;
    if (p.yd_initial == 0 && p.yd == 0 && p.td == 0 && p.open_volume == 0 && p.close_volume == 0) continue;
    const PositionSide side = key.second;
    const bool is_long = side == PositionSide::long_side;
    const double ratio = is_long ? m.spec.long_margin_ratio : m.spec.short_margin_ratio;
    const double mult = m.spec.multiplier;
    auto base = [&](PositionDate date) {
      PositionRecord f;
      f.instrument = m.spec.id;
      f.broker_id = a.cfg.broker_id;
      f.investor_id = a.cfg.user_id;
      f.exchange = m.spec.exchange;
      f.side = side;
      f.date = date;
      f.pre_settlement = m.pre_settlement;
      f.settlement = m.last;
      f.trading_day = day;
      f.margin_ratio = ratio;
      return f;
    };
    auto fill = [&](PositionRecord& f, int yd_initial, int yd, int td, int yd_frozen, int td_frozen, double cost,
                    double open_cost, bool with_day_totals) {
      f.yd_position = yd_initial;
      f.position = yd + td;
      f.today_position = td;
      // A long position is frozen by sell-close orders (short_frozen) and a short one by buy-close orders.
      (is_long ? f.short_frozen : f.long_frozen) = yd_frozen + td_frozen;
      f.position_cost = cost;
      f.open_cost = open_cost;
      f.margin = m.option && !is_long ? (yd + td) * margin_per_lot(m, side, 0) : cost * ratio;
      const double value = (yd + td) * m.last * mult;
      f.position_profit = is_long ? value - cost : cost - value;
      f.day_totals = with_day_totals;
      if (with_day_totals) {
        f.open_volume = p.open_volume;
        f.close_volume = p.close_volume;
        f.open_amount = p.open_amount;
        f.close_amount = p.close_amount;
        f.close_profit = p.close_profit;
        f.commission = p.commission;
      }
    };
    if (m.shfe_style) {
      // SHFE and INE: history ('2') and today ('1') are separate records.
      if (p.yd_initial > 0 || p.yd > 0) {
        auto f = base(PositionDate::history);
        fill(f, p.yd_initial, p.yd, 0, p.yd_frozen, 0, p.yd_cost,
             p.yd_open_cost * (p.yd_initial ? double(p.yd) / p.yd_initial : 0), false);
        out.push_back(f);
      }
      if (p.td > 0 || p.open_volume > 0) {
        auto f = base(PositionDate::today);
        fill(f, 0, 0, p.td, 0, p.td_frozen, p.td_cost, p.td_cost, true);
        out.push_back(f);
      }
    } else {
      auto f = base(PositionDate::today);
      const double yd_open = p.yd_open_cost * (p.yd_initial ? double(p.yd) / p.yd_initial : 0);
      fill(f, p.yd_initial, p.yd, p.td, p.yd_frozen, p.td_frozen, p.yd_cost + p.td_cost, yd_open + p.td_cost, true);
      out.push_back(f);
    }
  }
  return out;
}

std::vector<std::shared_ptr<const Order>> Exchange::orders(int account, std::string_view instrument) {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Order>> out;
  for (size_t i : accounts_.at(static_cast<size_t>(account)).orders)
    if (instrument.empty() || orders_[i].record.instrument == instrument)
      out.push_back(std::make_shared<const Order>(orders_[i].record));
  return out;
}

std::vector<std::shared_ptr<const Trade>> Exchange::trades(int account, std::string_view instrument) {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Trade>> out;
  for (size_t i : accounts_.at(static_cast<size_t>(account)).trades)
    if (instrument.empty() || trade_log_[i]->instrument == instrument) out.push_back(trade_log_[i]);
  return out;
}

std::vector<Tick> Exchange::depth_snapshots(std::string_view instrument) {
  const LocalNs t = now();
  std::lock_guard lock(mutex_);
  std::vector<Tick> out;
  for (Market& m : markets_) {
    if (!instrument.empty() && m.spec.id != instrument) continue;
    Tick tick{};
    write_tick(m, t, tick);
    out.push_back(tick);
  }
  return out;
}

// The double nearest the decimal price, as an exchange's feed carries it (945 * 0.01 is 9.450000000000001; 945 / 100
// is 9.45): ticks are decimal fractions, so the count of ticks times the tick's integer numerator over its power of
// ten divides exact integers.
double Exchange::round_to_tick(double price, double tick) const {
  const double ticks = std::round(price / tick);
  double scale = 1;
  while (scale < 1e8 && std::abs(tick * scale - std::round(tick * scale)) > 1e-9 * scale) scale *= 10;
  return ticks * std::round(tick * scale) / scale;
}

bool Exchange::on_tick(double price, double tick) const {
  const double steps = price / tick;
  return std::fabs(steps - std::round(steps)) < 1e-6;
}

void Exchange::fill_book(Market& m) {
  const double tick = m.spec.price_tick;
  const bool bid_at_last = (rng_() & 1) != 0;
  double bid1 = bid_at_last ? m.last : m.last - tick;
  double ask1 = bid1 + tick;
  if (bid1 < m.lower) {
    bid1 = m.lower;
    ask1 = m.lower + tick;
  }
  if (ask1 > m.upper) {
    ask1 = m.upper;
    bid1 = m.upper - tick;
  }
  const uint64_t span = static_cast<uint64_t>(2 * m.spec.level_volume);
  for (int level = 0; level < 5; ++level) {
    const double bid = bid1 - level * tick;
    const double ask = ask1 + level * tick;
    const bool bid_ok = bid >= m.lower - tick / 2;
    const bool ask_ok = ask <= m.upper + tick / 2;
    m.bid[level] = bid_ok ? bid : kNoPrice;
    m.bid_volume[level] = bid_ok ? 1 + static_cast<int>(rng_() % span) : 0;
    m.ask[level] = ask_ok ? ask : kNoPrice;
    m.ask_volume[level] = ask_ok ? 1 + static_cast<int>(rng_() % span) : 0;
  }
}

void Exchange::walk(Market& m) {
  if (config_.market_data.walk) {
    const uint64_t r = rng_() % 4;  // down, flat, flat, up
    const double step = r == 0 ? -1.0 : (r == 3 ? 1.0 : 0.0);
    m.last = std::clamp(m.last + step * m.spec.price_tick, m.lower, m.upper);
  }
  const int traded = 1 + static_cast<int>(rng_() % static_cast<uint64_t>(m.spec.level_volume));
  m.volume += traded;
  m.turnover += traded * m.last * m.spec.multiplier;
  m.open_interest += static_cast<double>(static_cast<int>(rng_() % 3) - 1);
  m.high = std::max(m.high, m.last);
  m.low = std::min(m.low, m.last);
  fill_book(m);
}

void Exchange::write_tick(Market& m, LocalNs t, Tick& tick) {
  const Stamp s = m.stamps.make(t, m.spec.exchange, config_.clock.trading_day);
  // CZCE's market data carries the calendar date in TradingDay during the night session, like ActionDay.
  const int hour = (s.time[0] - '0') * 10 + (s.time[1] - '0');
  const bool czce_night = m.spec.exchange == "CZCE" && (hour >= 18 || hour < 6);
  std::memcpy(tick.trading_day, czce_night ? s.action_day : s.trading_day, sizeof tick.trading_day);
  std::memcpy(tick.action_day, s.action_day, sizeof tick.action_day);
  std::memcpy(tick.update_time, s.time, sizeof tick.update_time);
  tick.update_millisec = s.millisec;
  copy_text(tick.instrument, m.spec.id);
  copy_text(tick.exchange, m.spec.exchange);
  tick.last = m.last;
  tick.pre_settlement = m.pre_settlement;
  tick.pre_close = m.pre_settlement;
  tick.pre_open_interest = static_cast<double>(m.spec.pre_open_interest);
  tick.open = m.open;
  tick.high = m.high;
  tick.low = m.low;
  tick.volume = m.volume;
  tick.turnover = m.turnover;
  tick.open_interest = m.open_interest;
  tick.close = kNoPrice;
  tick.settlement = kNoPrice;
  tick.upper_limit = m.upper;
  tick.lower_limit = m.lower;
  for (int level = 0; level < 5; ++level) {
    tick.bid[level] = m.bid[level];
    tick.ask[level] = m.ask[level];
    tick.bid_volume[level] = m.bid_volume[level];
    tick.ask_volume[level] = m.ask_volume[level];
  }
  // CZCE reports the average as a price; the others as turnover / volume (price times multiplier).
  const double average = m.volume > 0 ? m.turnover / static_cast<double>(m.volume) : 0.0;
  tick.average = m.spec.exchange == "CZCE" ? average / m.spec.multiplier : average;
}

bool Exchange::open_at(const Market& m, LocalNs t) const {
  if (config_.market_data.always_open) return true;
  return m.security || m.option ? ashare::continuous(t) : session_open(m.spec.exchange, t);
}

bool Exchange::next_tick(int index, Tick& tick) {
  std::lock_guard lock(mutex_);
  Market& m = markets_[static_cast<size_t>(index)];
  const LocalNs t = config_.clock.simulated ? sim_time_ + config_.clock.step_ns : local_now();
  if (!open_at(m, t)) return false;
  if (config_.clock.simulated) sim_time_ = t;
  walk(m);
  ++ticks_;
  if (!m.resting.empty()) match_resting(index);
  write_tick(m, t, tick);
  return true;
}

bool Exchange::skip_closed_hours(const std::vector<int>& indexes) {
  std::lock_guard lock(mutex_);
  if (!config_.clock.simulated || indexes.empty()) return false;
  const LocalNs after = sim_time_ + config_.clock.step_ns;
  LocalNs open = INT64_MAX;
  for (int index : indexes) {
    const Market& m = markets_[static_cast<size_t>(index)];
    const LocalNs next =
        m.security || m.option ? ashare::next_continuous(after) : next_session_open(m.spec.exchange, after);
    open = std::min(open, open_at(m, after) ? after : next);
  }
  sim_time_ = std::max(sim_time_, open - config_.clock.step_ns);
  return true;
}

std::string Exchange::security_problem(const Market& m, const OrderRequest& req, int holding, LocalNs t) const {
  if (!config_.market_data.always_open && !ashare::accepts_orders(t)) return "非交易时间";
  const ashare::Board board = ashare::board_of(m.spec.id, m.spec.exchange, m.spec.kind);
  ashare::Kind kind = ashare::Kind::limit;
  switch (req.price_type) {
    case PriceType::limit:
      break;
    case PriceType::market:
      kind = req.volume_condition == VolumeCondition::all ? ashare::Kind::all_or_cancel : ashare::Kind::best5_or_cancel;
      break;
    case PriceType::best_or_cancel:
      kind = ashare::Kind::best_or_cancel;
      break;
    case PriceType::best5_or_limit:
      kind = ashare::Kind::best5_or_limit;
      break;
    case PriceType::forward_best:
      kind = ashare::Kind::forward_best;
      break;
    case PriceType::reverse_best:
      kind = ashare::Kind::reverse_best;
      break;
  }
  if (!ashare::kind_allowed(m.spec.exchange, board, kind)) return "不支持的申报类型";
  const bool sell = req.side == Side::sell && req.offset != Offset::open;
  std::string problem = ashare::volume_problem(board, req.volume, sell, holding);
  if (!problem.empty()) return problem;
  if (req.price_type == PriceType::limit) {
    if (!on_tick(req.price, m.spec.price_tick)) return "申报价格不符合最小变动价位";
    if (req.price > m.upper + 1e-9 || req.price < m.lower - 1e-9) return "申报价格超出涨跌幅限制";
  }
  return "";
}

void Exchange::apply_replayed_tick(const Tick& tick) {
  std::lock_guard lock(mutex_);
  ++ticks_;
  const int index = instrument_index(field_view(tick.instrument));
  if (index < 0) return;
  Market& m = markets_[static_cast<size_t>(index)];
  if (tick.last > 0 && tick.last < kNoPrice) m.last = tick.last;
  for (int level = 0; level < 5; ++level) {
    m.bid[level] = tick.bid_volume[level] > 0 ? tick.bid[level] : kNoPrice;
    m.ask[level] = tick.ask_volume[level] > 0 ? tick.ask[level] : kNoPrice;
    m.bid_volume[level] = tick.bid_volume[level];
    m.ask_volume[level] = tick.ask_volume[level];
  }
  if (!m.resting.empty()) match_resting(index);
}

bool Exchange::set_price(std::string_view instrument, double price) {
  std::lock_guard lock(mutex_);
  const int index = instrument_index(instrument);
  if (index < 0) return false;
  Market& m = markets_[static_cast<size_t>(index)];
  m.last = std::clamp(round_to_tick(price, m.spec.price_tick), m.lower, m.upper);
  m.high = std::max(m.high, m.last);
  m.low = std::min(m.low, m.last);
  fill_book(m);
  if (!m.resting.empty()) match_resting(index);
  return true;
}

uint64_t Exchange::ticks_generated() const {
  std::lock_guard lock(mutex_);
  return ticks_;
}

size_t Exchange::order_count() const {
  std::lock_guard lock(mutex_);
  return orders_.size();
}

// ---- private flow ----

void Exchange::publish(int account, const FlowEntry& entry) {
  accounts_[static_cast<size_t>(account)].flow.push_back(entry);
  for (const FlowSubscriber& s : subscribers_)
    if (s.account == account) s.deliver(entry);
}

void Exchange::publish_order(size_t order_index) {
  OrderState& o = orders_[order_index];
  o.record.notify_sequence = ++notify_sequence_;
  publish(o.account, FlowEntry(std::make_shared<const Order>(o.record)));
}

uint64_t Exchange::new_subscriber_id() {
  std::lock_guard lock(mutex_);
  return ++last_subscriber_id_;
}

uint64_t Exchange::subscribe_flow(FlowSubscriber subscriber, Resume resume, size_t from) {
  std::lock_guard lock(mutex_);
  const auto& flow = accounts_.at(static_cast<size_t>(subscriber.account)).flow;
  size_t start = flow.size();
  if (resume == Resume::restart)
    start = 0;
  else if (resume == Resume::resume)
    start = std::min(from, flow.size());
  for (size_t i = start; i < flow.size(); ++i) subscriber.deliver(flow[i]);
  const uint64_t size = flow.size();
  subscribers_.push_back(std::move(subscriber));
  return size;
}

void Exchange::unsubscribe_flow(uint64_t subscriber_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [&](const FlowSubscriber& s) { return s.id == subscriber_id; });
}

// ---- orders ----

void Exchange::stamp_update(Order& order) const {
  const LocalNs t = config_.clock.simulated ? sim_time_ : local_now();
  const Stamp s = make_stamp(t, order.exchange, config_.clock.trading_day);
  order.update_time = s.time;
}

Error Exchange::insert_order(int account, int front_id, int session_id, const OrderRequest& req, int request_id) {
  std::lock_guard lock(mutex_);
  const LocalNs t = config_.clock.simulated ? sim_time_ : local_now();
  Account& a = accounts_.at(static_cast<size_t>(account));
  if (config_.require_settlement_confirm && !a.confirmation) return Error::settlement_not_confirmed;
  const int mi = instrument_index(req.instrument);
  if (mi < 0) return Error::instrument_not_found;
  Market& m = markets_[static_cast<size_t>(mi)];
  if (!req.exchange.empty() && req.exchange != m.spec.exchange) return Error::instrument_not_found;

  // Order reference: empty = assigned by the front; otherwise it must be new for this session.
  std::string order_ref = req.order_ref;
  const long long numeric_ref = std::atoll(order_ref.c_str());
  if (order_ref.empty()) {
    order_ref = std::to_string(a.max_order_ref + 1);
  } else if (a.by_session_ref.contains({front_id, session_id, order_ref})) {
    return Error::duplicate_order_ref;
  }

  if (req.credit && !a.cfg.credit) return Error::not_credit_account;
  const bool is_market = req.price_type != PriceType::limit;
  const bool buy = req.side == Side::buy;
  const int volume = req.volume;
  if (!req.codes_valid || (req.volume_condition == VolumeCondition::all && req.time_condition != TimeCondition::ioc))
    return Error::bad_field;
  const int max_volume = is_market ? m.spec.max_market_volume : m.spec.max_limit_volume;
  const int min_volume = is_market ? 1 : m.spec.min_limit_volume;
  if (volume < min_volume || volume > max_volume) return Error::bad_field;
  if (!is_market && !(req.price > 0)) return Error::bad_field;

  OrderState order;
  order.account = account;
  order.market = mi;
  const bool closing = req.offset != Offset::open;
  order.closing = closing;
  // A buy closes a short position; a sell closes a long one.
  order.position_side = (buy != closing) ? PositionSide::long_side : PositionSide::short_side;
  const double reference_price = is_market ? (buy ? m.upper : m.lower) : req.price;
  if (closing) {
    const auto held = a.positions.find({mi, order.position_side});
    Position none;
    const Position& p = held == a.positions.end() ? none : held->second;
    const int yd_free = p.yd - p.yd_frozen;
    const int td_free = p.td - p.td_frozen;
    if (req.offset == Offset::close_yesterday || (req.offset == Offset::close && m.shfe_style)) {
      // SHFE/INE: Close means close yesterday. Beyond the whole position it is over_close_position; beyond
      // yesterday's volume (closing today's with a plain Close, the classic mistake) the real front answers 51.
      if (req.offset == Offset::close && volume > yd_free + td_free) return Error::over_close_position;
      if (volume > yd_free) return Error::over_close_yesterday_position;
      order.frozen_yd = volume;
    } else if (req.offset == Offset::close_today && m.shfe_style) {
      if (volume > td_free) return Error::over_close_today_position;
      order.frozen_td = volume;
    } else if (m.security && order.position_side == PositionSide::long_side) {
      // T+1: only what was held at the start of the day can be sold today.
      if (volume > yd_free) return Error::over_close_position;
      order.frozen_yd = volume;
    } else {  // CFFEX: today's volume first, then yesterday's; the other exchanges: yesterday's first
      if (volume > yd_free + td_free) return Error::over_close_position;
      order.today_first = m.close_today_first;
      if (order.today_first) {
        order.frozen_td = std::min(volume, td_free);
        order.frozen_yd = volume - order.frozen_td;
      } else {
        order.frozen_yd = std::min(volume, yd_free);
        order.frozen_td = volume - order.frozen_yd;
      }
    }
    Position& frozen = held->second;  // volume > 0 was checked against it, so it exists
    frozen.yd_frozen += order.frozen_yd;
    frozen.td_frozen += order.frozen_td;
  } else {
    order.frozen_margin_per_lot =
        margin_per_lot(m, buy ? PositionSide::long_side : PositionSide::short_side, reference_price);
    order.frozen_commission_per_lot =
        m.spec.commission_per_lot + reference_price * m.spec.multiplier * m.spec.commission_rate;
    // Available funds, as trading_account() computes them.
    double margin = 0, profit = 0;
    for (const auto& [key, p] : a.positions) {
      const Market& pm = markets_[static_cast<size_t>(key.first)];
      margin += margin_of(pm, p, key.second);
      profit += position_profit(pm, p, key.second);
    }
    const double available =
        a.cfg.balance + a.close_profit + profit - a.commission - margin - a.frozen_margin - a.frozen_commission;
    const double needed = volume * (order.frozen_margin_per_lot + order.frozen_commission_per_lot);
    if (needed > available) return Error::insufficient_money;
    a.frozen_margin += volume * order.frozen_margin_per_lot;
    a.frozen_commission += volume * order.frozen_commission_per_lot;
  }

  // Accepted by the front: the order enters the private flow as "submitted, unknown".
  if (numeric_ref > a.max_order_ref) a.max_order_ref = numeric_ref;
  if (order_ref == std::to_string(a.max_order_ref + 1)) ++a.max_order_ref;
  Order& f = order.record;
  f.broker_id = a.cfg.broker_id;
  f.investor_id = a.cfg.user_id;
  f.order_ref = order_ref;
  f.user_id = req.user_id.empty() ? a.cfg.user_id : req.user_id;
  f.price_type = req.price_type;
  f.side = req.side;
  f.offset = req.offset;
  f.price = req.price;
  f.stop_price = req.stop_price;
  f.volume_original = volume;
  f.time_condition = req.time_condition;
  f.volume_condition = req.volume_condition;
  f.min_volume = req.min_volume;
  f.request_id = request_id;
  f.local_id = padded_number(++last_local_id_, 12);
  f.exchange = m.spec.exchange;
  f.participant_id = participant_id;
  f.client_id = a.cfg.user_id;
  f.trader_id = trader_id;
  f.submit_status = SubmitStatus::submitted;
  const Stamp s = make_stamp(t, m.spec.exchange, config_.clock.trading_day);
  f.trading_day = s.trading_day;
  f.status = OrderStatus::unknown;
  f.volume_traded = 0;
  f.volume_total = volume;
  f.insert_date = s.action_day;
  f.insert_time = s.time;
  f.update_time = s.time;
  f.front_id = front_id;
  f.session_id = session_id;
  f.status_message = "报单已提交";
  f.broker_order_seq = static_cast<int>(orders_.size() + 1);
  f.instrument = m.spec.id;
  f.echo = req.echo;

  const size_t index = orders_.size();
  orders_.push_back(std::move(order));
  a.orders.push_back(index);
  a.by_session_ref[{front_id, session_id, orders_[index].record.order_ref}] = index;
  a.latest_by_ref[orders_[index].record.order_ref] = index;
  publish_order(index);

  // The exchange's checks: price on the tick grid and inside the limits; SHFE/INE take no market orders;
  // securities: sessions, order kinds, trading units (ashare.hpp).
  OrderState& o = orders_[index];
  if (m.security) {
    const auto held = a.positions.find({mi, PositionSide::long_side});
    const std::string problem = security_problem(m, req, held == a.positions.end() ? 0 : held->second.yd, t);
    if (!problem.empty()) {
      o.record.submit_status = SubmitStatus::insert_rejected;
      finish_order(index, OrderStatus::cancelled, m.spec.exchange + ":" + problem);
      return Error::none;
    }
  }
  const char* exchange_reject = nullptr;
  if (m.security) {
    // checked above, in the securities' own words
  } else if (is_market && m.shfe_style) {
    exchange_reject = "不被支持的报单类型";
  } else if (!is_market && !on_tick(req.price, m.spec.price_tick)) {
    exchange_reject = "报单价格不是最小变动价位的整数倍";
  } else if (!is_market && (req.price > m.upper + 1e-9 || req.price < m.lower - 1e-9)) {
    exchange_reject = "报单价格超出涨跌停板";
  } else if (req.stop_price < 0 || (req.stop_price > 0 && !on_tick(req.stop_price, m.spec.price_tick))) {
    exchange_reject = "触发价格不是最小变动价位的整数倍";
  }
  if (exchange_reject) {
    o.record.submit_status = SubmitStatus::insert_rejected;
    finish_order(index, OrderStatus::cancelled,
                 std::string("已撤单报单被拒绝") + m.spec.exchange + ":" + exchange_reject);
    return Error::none;
  }
  // The own side's or the counterparty's best price becomes the order's limit; with no such price it ends.
  if (req.price_type == PriceType::forward_best || req.price_type == PriceType::reverse_best) {
    const bool own = req.price_type == PriceType::forward_best;
    const double best = (buy == own) ? m.bid[0] : m.ask[0];
    if (best == kNoPrice) {
      o.record.submit_status = SubmitStatus::accepted;
      finish_order(index, OrderStatus::cancelled, "已撤单:无最优价");
      return Error::none;
    }
    o.record.price = best;
  }
  o.record.submit_status = SubmitStatus::accepted;
  o.record.order_sys_id = padded_number(++last_order_sys_id_, 12);
  a.by_sys_id[o.record.order_sys_id] = index;
  o.record.status = OrderStatus::queued;
  o.record.status_message = "未成交";
  publish_order(index);
  match(index, true);
  return Error::none;
}

bool Exchange::stop_waits(OrderState& o, const Market& m) {
  if (o.record.stop_price <= 0 || o.record.triggered) return false;
  const bool buy = o.record.side == Side::buy;
  const bool reached = buy ? m.last >= o.record.stop_price - 1e-9 : m.last <= o.record.stop_price + 1e-9;
  if (!reached) return true;
  o.record.triggered = true;
  return false;
}

void Exchange::match(size_t order_index, bool taker) {
  OrderState& o = orders_[order_index];
  Market& m = markets_[static_cast<size_t>(o.market)];
  const bool in_resting = !taker;  // called by match_resting, which keeps the order listed itself
  if (o.record.stop_price > 0 && !o.record.triggered) {
    if (stop_waits(o, m)) {  // untriggered: rests apart from the book (only its trigger is watched)
      if (!in_resting) m.resting.push_back(order_index);
      return;
    }
    taker = true;  // triggered: trades against the book like a new order
  }
  const bool buy = o.record.side == Side::buy;
  const PriceType type = o.record.price_type;
  // Market kinds take any price on the book; the own-side / counterparty best kinds are limits at that price.
  const bool is_market =
      type == PriceType::market || type == PriceType::best_or_cancel || type == PriceType::best5_or_limit;
  double* prices = buy ? m.ask : m.bid;
  int* volumes = buy ? m.ask_volume : m.bid_volume;
  const double limit = o.record.price;
  auto acceptable = [&](double price) {
    if (price == kNoPrice) return false;
    if (is_market) return true;
    return buy ? price <= limit + 1e-9 : price >= limit - 1e-9;
  };
  const bool fok = o.record.volume_condition == VolumeCondition::all;
  const bool ioc = o.record.time_condition == TimeCondition::ioc || (is_market && type != PriceType::best5_or_limit);
  if (fok) {
    int available = 0;
    for (int level = 0; level < 5; ++level)
      if (acceptable(prices[level])) available += volumes[level];
    if (available < o.record.volume_total) {
      finish_order(order_index, OrderStatus::cancelled, "已撤单");
      return;
    }
  }
  for (int level = 0; level < 5 && orders_[order_index].record.volume_total > 0; ++level) {
    if (!acceptable(prices[level]) || volumes[level] <= 0) continue;
    const int traded = std::min(volumes[level], orders_[order_index].record.volume_total);
    volumes[level] -= traded;
    apply_fill(order_index, taker ? prices[level] : limit, traded);
  }
  OrderState& after = orders_[order_index];
  if (after.record.volume_total > 0 && type == PriceType::best5_or_limit && taker) {
    // SSE's best-five-then-limit: the rest becomes a limit order at the last fill price (nothing filled: ended).
    if (after.record.volume_traded == 0) {
      finish_order(order_index, OrderStatus::cancelled, "已撤单");
      return;
    }
    after.record.price = after.last_fill_price;
    after.record.price_type = PriceType::limit;
    m.resting.push_back(order_index);
    return;
  }
  if (after.record.volume_total > 0) {
    if (ioc) {
      finish_order(order_index, OrderStatus::cancelled, "已撤单");
    } else if (taker && !in_resting) {
      m.resting.push_back(order_index);
    }
  }
}

void Exchange::match_resting(int market) {
  Market& m = markets_[static_cast<size_t>(market)];
  std::vector<size_t> resting;
  resting.swap(m.resting);
  auto working = [this](size_t index) {
    const Order& f = orders_[index].record;
    return f.volume_total > 0 && f.status != OrderStatus::cancelled && f.status != OrderStatus::all_traded;
  };
  for (size_t index : resting)
    if (working(index)) match(index, false);
  for (size_t index : resting)
    if (working(index)) m.resting.push_back(index);
}

void Exchange::apply_fill(size_t order_index, double price, int volume) {
  OrderState& o = orders_[order_index];
  Market& m = markets_[static_cast<size_t>(o.market)];
  Account& a = accounts_[static_cast<size_t>(o.account)];
  const double mult = m.spec.multiplier;
  const LocalNs t = config_.clock.simulated ? sim_time_ : local_now();
  const Stamp s = make_stamp(t, m.spec.exchange, config_.clock.trading_day);

  Position& p = a.positions[{o.market, o.position_side}];
  o.last_fill_price = price;
  const double commission = volume * (m.spec.commission_per_lot + price * mult * m.spec.commission_rate);
  a.commission += commission;
  p.commission += commission;
  if (o.closing) {
    const int from_yd = o.today_first ? volume - std::min(volume, o.frozen_td) : std::min(volume, o.frozen_yd);
    const int from_td = volume - from_yd;
    o.frozen_yd -= from_yd;
    o.frozen_td -= from_td;
    p.yd_frozen -= from_yd;
    p.td_frozen -= from_td;
    const double yd_avg = p.yd > 0 ? p.yd_cost / p.yd : 0;
    const double yd_open_avg = p.yd_initial > 0 ? p.yd_open_cost / p.yd_initial : 0;
    const double td_avg = p.td > 0 ? p.td_cost / p.td : 0;
    const double cost = from_yd * yd_avg + from_td * td_avg;
    p.yd -= from_yd;
    p.td -= from_td;
    p.yd_cost -= from_yd * yd_avg;
    p.yd_open_cost -= from_yd * yd_open_avg;  // YdPosition (yd_initial) stays what it was at the start of the day
    p.td_cost -= from_td * td_avg;
    const double value = price * volume * mult;
    const double profit = o.position_side == PositionSide::long_side ? value - cost : cost - value;
    a.close_profit += profit;
    p.close_profit += profit;
    p.close_volume += volume;
    p.close_amount += value;
    m.open_interest -= volume;
  } else {
    a.frozen_margin -= volume * o.frozen_margin_per_lot;
    a.frozen_commission -= volume * o.frozen_commission_per_lot;
    p.td += volume;
    p.td_cost += price * volume * mult;
    p.open_volume += volume;
    p.open_amount += price * volume * mult;
    m.open_interest += volume;
  }

  Order& f = o.record;
  f.volume_traded += volume;
  f.volume_total -= volume;
  const bool done = f.volume_total == 0;
  f.status = done ? OrderStatus::all_traded : OrderStatus::part_traded;
  f.status_message = done ? "全部成交" : "部分成交";
  f.update_time = s.time;
  publish_order(order_index);

  auto trade = std::make_shared<Trade>();
  trade->broker_id = f.broker_id;
  trade->investor_id = f.investor_id;
  trade->order_ref = f.order_ref;
  trade->user_id = f.user_id;
  trade->exchange = f.exchange;
  ++last_trade_id_;
  // Each exchange numbers its own trades (so the first trades on SHFE and on DCE are both 1).
  trade->trade_id = padded_number(++trade_ids_[m.spec.exchange], 12);
  trade->side = f.side;
  trade->order_sys_id = f.order_sys_id;
  trade->participant_id = f.participant_id;
  trade->client_id = f.client_id;
  trade->offset = f.offset;
  trade->price = price;
  trade->volume = volume;
  trade->trade_date = s.action_day;
  trade->trade_time = s.time;
  trade->trader_id = f.trader_id;
  trade->local_id = f.local_id;
  trade->sequence_no = static_cast<int>(last_trade_id_);
  trade->trading_day = s.trading_day;
  trade->broker_order_seq = f.broker_order_seq;
  trade->instrument = f.instrument;
  trade->echo = f.echo;
  a.trades.push_back(trade_log_.size());
  trade_log_.push_back(trade);
  m.volume += volume;
  m.turnover += price * volume * mult;
  m.last = price;
  publish(o.account, FlowEntry(std::shared_ptr<const Trade>(trade)));
  if (done) release_frozen(o);
}

void Exchange::release_frozen(OrderState& o) {
  Account& a = accounts_[static_cast<size_t>(o.account)];
  const int left = o.record.volume_total;
  if (o.closing) {
    Position& p = a.positions[{o.market, o.position_side}];
    p.yd_frozen -= o.frozen_yd;
    p.td_frozen -= o.frozen_td;
    o.frozen_yd = o.frozen_td = 0;
  } else if (left > 0) {
    a.frozen_margin -= left * o.frozen_margin_per_lot;
    a.frozen_commission -= left * o.frozen_commission_per_lot;
    o.frozen_margin_per_lot = o.frozen_commission_per_lot = 0;
  }
}

void Exchange::finish_order(size_t order_index, OrderStatus status, std::string_view status_message) {
  OrderState& o = orders_[order_index];
  release_frozen(o);
  o.record.status = status;
  o.record.status_message = std::string(status_message);
  stamp_update(o.record);
  if (status == OrderStatus::cancelled) o.record.cancel_time = o.record.update_time;
  publish_order(order_index);
}

Error Exchange::cancel_order(int account, const CancelRequest& req) {
  std::lock_guard lock(mutex_);
  if (!req.is_delete) return Error::bad_order_action_field;
  Account& a = accounts_.at(static_cast<size_t>(account));
  std::optional<size_t> found;
  if (!req.order_sys_id.empty()) {
    const auto it = a.by_sys_id.find(req.order_sys_id);
    if (it != a.by_sys_id.end() && (req.exchange.empty() || req.exchange == orders_[it->second].record.exchange))
      found = it->second;
  } else if (!req.order_ref.empty() && req.any_session) {
    const auto it = a.latest_by_ref.find(req.order_ref);
    if (it != a.latest_by_ref.end()) found = it->second;
  } else if (!req.order_ref.empty()) {
    const auto it = a.by_session_ref.find({req.front_id, req.session_id, req.order_ref});
    if (it != a.by_session_ref.end()) found = it->second;
  }
  if (!found) return Error::order_not_found;
  OrderState& o = orders_[*found];
  if (o.record.status == OrderStatus::all_traded || o.record.status == OrderStatus::cancelled)
    return Error::unsuitable_order_status;
  Market& m = markets_[static_cast<size_t>(o.market)];
  std::erase(m.resting, *found);
  finish_order(*found, OrderStatus::cancelled, "已撤单");
  return Error::none;
}

}  // namespace vtcore::sim
