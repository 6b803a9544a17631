#include "exchange.hpp"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ThostFtdcUserApiDataType.h"
#include "sessions.hpp"
#include "text.hpp"

namespace ctpsim {
namespace {

constexpr const char* participant_id = "9999";
constexpr const char* trader_id = "9999sim01";

const char* reject_text(int id) {
  switch (id) {
    case err::invalid_login: return "CTP:不合法的登录";
    case err::not_logged_in: return "CTP:还没有登录";
    case err::bad_field: return "CTP:报单字段有误";
    case err::instrument_not_found: return "CTP:找不到合约";
    case err::duplicate_order_ref: return "CTP:报单错误：不允许重复报单";
    case err::bad_order_action_field: return "CTP:错误的报单操作字段";
    case err::order_not_found: return "CTP:撤单找不到相应报单";
    case err::unsuitable_order_status: return "CTP:报单已全成交或已撤销，不能再撤";
    case err::not_implemented: return "CTP:不支持的功能";
    case err::over_close_position: return "CTP:平仓量超过持仓量";
    case err::insufficient_money: return "CTP:资金不足";
    case err::settlement_not_confirmed: return "CTP:结算结果未确认";
    case err::over_close_today_position: return "CTP:平今仓位不足";
    case err::over_close_yesterday_position: return "CTP:平昨仓位不足";
    case err::auth_failed: return "CTP:客户端认证失败";
    case err::not_authenticated: return "CTP:客户端未认证";
    default: return "CTP:错误";
  }
}

int front_slot(FrontKind front) { return static_cast<int>(front); }

void stamp_now(const Stamp& s, char (&date)[9], char (&time)[9]) {
  std::memcpy(date, s.action_day, sizeof date);
  std::memcpy(time, s.time, sizeof time);
}

}  // namespace

Reject make_reject(int id) { return Reject{id, to_gb18030(reject_text(id))}; }

Exchange::Exchange(Config config) : config_(std::move(config)), rng_(config_.seed) {
  sim_time_ = config_.clock.simulated ? config_.clock.start : 0;
  last_session_ = 100'000'000 + static_cast<int>(config_.seed % 1000) * 1000;
  for (const InstrumentConfig& spec : config_.instruments) {
    Market m;
    m.spec = spec;
    m.exchange_name = spec.exchange;
    m.shfe_style = spec.exchange == "SHFE" || spec.exchange == "INE";
    m.close_today_first = spec.exchange == "CFFEX";
    m.pre_settlement = spec.pre_settlement > 0 ? spec.pre_settlement : spec.price;
    m.upper = spec.upper_limit > 0 ? spec.upper_limit
                                   : round_to_tick(m.pre_settlement * (1 + spec.limit_ratio) - spec.price_tick / 2,
                                                   spec.price_tick);
    m.lower = spec.lower_limit > 0 ? spec.lower_limit
                                   : round_to_tick(m.pre_settlement * (1 - spec.limit_ratio) + spec.price_tick / 2,
                                                   spec.price_tick);
    m.last = std::clamp(round_to_tick(spec.price, spec.price_tick), m.lower, m.upper);
    m.open = m.high = m.low = m.last;
    m.open_interest = static_cast<double>(spec.pre_open_interest);
    CThostFtdcInstrumentField& f = m.field;
    put(f.InstrumentID, spec.id);
    put(f.ExchangeID, spec.exchange);
    put(f.InstrumentName, to_gb18030(spec.name));
    put(f.ExchangeInstID, spec.id);
    put(f.ProductID, spec.product_id);
    f.ProductClass = spec.product_class;
    const std::string& expire = spec.expire_date;
    f.DeliveryYear = std::atoi(expire.substr(0, 4).c_str());
    f.DeliveryMonth = std::atoi(expire.substr(4, 2).c_str());
    f.MaxMarketOrderVolume = spec.max_market_volume;
    f.MinMarketOrderVolume = 1;
    f.MaxLimitOrderVolume = spec.max_limit_volume;
    f.MinLimitOrderVolume = spec.min_limit_volume;
    f.VolumeMultiple = spec.multiplier;
    f.PriceTick = spec.price_tick;
    put(f.CreateDate, spec.open_date);
    put(f.OpenDate, spec.open_date);
    put(f.ExpireDate, spec.expire_date);
    put(f.StartDelivDate, spec.expire_date);
    put(f.EndDelivDate, spec.expire_date);
    f.InstLifePhase = THOST_FTDC_IP_Started;
    f.IsTrading = 1;
    f.PositionType = THOST_FTDC_PT_Gross;
    f.PositionDateType = m.shfe_style ? THOST_FTDC_PDT_UseHistory : THOST_FTDC_PDT_NoUseHistory;
    f.LongMarginRatio = spec.long_margin_ratio;
    f.ShortMarginRatio = spec.short_margin_ratio;
    f.MaxMarginSideAlgorithm = THOST_FTDC_MMSA_NO;
    f.StrikePrice = DBL_MAX;
    f.OptionsType = '\0';
    f.UnderlyingMultiple = DBL_MAX;
    f.CombinationType = THOST_FTDC_COMBT_Future;
    market_index_[spec.id] = static_cast<int>(markets_.size());
    markets_.push_back(std::move(m));
    fill_book(markets_.back());
  }
  for (const AccountConfig& cfg : config_.accounts) {
    Account account;
    account.cfg = cfg;
    for (const PositionConfig& pos : cfg.positions) {
      const int mi = market_index_.at(pos.instrument);
      const Market& m = markets_[static_cast<size_t>(mi)];
      Position& p = account.positions[{mi, pos.direction}];
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
  for (size_t i = 0; i < accounts_.size(); ++i)
    if (accounts_[i].cfg.user_id == user && accounts_[i].cfg.broker_id == broker) return static_cast<int>(i);
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

Reject Exchange::authenticate(std::string_view broker, std::string_view user, std::string_view app_id,
                              std::string_view auth_code) {
  std::lock_guard lock(mutex_);
  const int index = ensure_account(broker, user, "");
  if (index < 0) return make_reject(err::auth_failed);
  const AccountConfig& cfg = accounts_[static_cast<size_t>(index)].cfg;
  if ((!cfg.app_id.empty() && cfg.app_id != app_id) || (!cfg.auth_code.empty() && cfg.auth_code != auth_code))
    return make_reject(err::auth_failed);
  return {};
}

void Exchange::add_login_rejects(FrontKind front, int count) {
  std::lock_guard lock(mutex_);
  login_rejects_[front_slot(front)] += count;
}

LoginResult Exchange::login(FrontKind front, int front_id, int session_id, const CThostFtdcReqUserLoginField& req,
                            bool authenticated) {
  LoginResult result;
  const LocalNs t = now();
  std::lock_guard lock(mutex_);
  const std::string_view broker = field_view(req.BrokerID);
  const std::string_view user = field_view(req.UserID);
  const std::string_view password = field_view(req.Password);
  auto consume_reject = [this](FrontKind kind) {
    if (login_rejects_[front_slot(kind)] > 0) {
      --login_rejects_[front_slot(kind)];
      return true;
    }
    return false;
  };
  if (consume_reject(front) || consume_reject(FrontKind::any)) {
    result.reject = make_reject(err::invalid_login);
    return result;
  }
  if (front == FrontKind::td && config_.require_authenticate && !authenticated) {
    result.reject = make_reject(err::not_authenticated);
    return result;
  }
  int index = ensure_account(broker, user, password);
  // The market-data front, like real ones, does not check the investor's password.
  if (front == FrontKind::td) {
    const bool open_door = config_.accounts.empty();  // no accounts configured: any password logs in
    if (index < 0 || (!open_door && accounts_[static_cast<size_t>(index)].cfg.password != password) ||
        accounts_[static_cast<size_t>(index)].cfg.reject_login) {
      result.reject = make_reject(err::invalid_login);
      return result;
    }
  } else if (index >= 0 && accounts_[static_cast<size_t>(index)].cfg.reject_login) {
    result.reject = make_reject(err::invalid_login);
    return result;
  }
  result.account = index;
  const Stamp s = make_stamp(t, "SHFE", config_.clock.trading_day);
  CThostFtdcRspUserLoginField& f = result.field;
  put(f.TradingDay, s.trading_day);
  put(f.LoginTime, s.time);
  put(f.BrokerID, broker);
  put(f.UserID, user);
  put(f.SystemName, "vtcore-ctpsim");
  f.FrontID = front_id;
  f.SessionID = session_id;
  const long long max_ref = index >= 0 ? accounts_[static_cast<size_t>(index)].max_order_ref : 0;
  put(f.MaxOrderRef, std::to_string(max_ref > 0 ? max_ref : 1));
  for (auto* time_field : {&f.SHFETime, &f.DCETime, &f.CZCETime, &f.FFEXTime, &f.INETime, &f.GFEXTime})
    put(*time_field, s.time);
  put(f.SysVersion, "vtcore-ctpsim");
  return result;
}

std::string Exchange::settlement_text(int account) {
  std::lock_guard lock(mutex_);
  const Account& a = accounts_.at(static_cast<size_t>(account));
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "vtcore 模拟结算单\r\n投资者: %s  经纪商: %s\r\n期初结存: %.2f\r\n（模拟交易所生成，非真实结算单）\r\n",
                a.cfg.user_id.c_str(), a.cfg.broker_id.c_str(), a.cfg.balance);
  return to_gb18030(buf);
}

CThostFtdcSettlementInfoConfirmField Exchange::confirm_settlement(int account) {
  const LocalNs t = now();
  std::lock_guard lock(mutex_);
  Account& a = accounts_.at(static_cast<size_t>(account));
  CThostFtdcSettlementInfoConfirmField f{};
  put(f.BrokerID, a.cfg.broker_id);
  put(f.InvestorID, a.cfg.user_id);
  const Stamp s = make_stamp(t, "SHFE", config_.clock.trading_day);
  put(f.ConfirmDate, s.action_day);
  put(f.ConfirmTime, s.time);
  f.SettlementID = 1;
  put(f.AccountID, a.cfg.user_id);
  put(f.CurrencyID, "CNY");
  a.confirmation = f;
  return f;
}

std::optional<CThostFtdcSettlementInfoConfirmField> Exchange::settlement_confirmation(int account) {
  std::lock_guard lock(mutex_);
  return accounts_.at(static_cast<size_t>(account)).confirmation;
}

std::vector<CThostFtdcInstrumentField> Exchange::instruments(std::string_view instrument,
                                                             std::string_view exchange,
                                                             std::string_view product) {
  std::lock_guard lock(mutex_);
  std::vector<CThostFtdcInstrumentField> out;
  for (const Market& m : markets_) {
    if (!instrument.empty() && m.spec.id != instrument) continue;
    if (!exchange.empty() && m.spec.exchange != exchange) continue;
    if (!product.empty() && m.spec.product_id != product) continue;
    out.push_back(m.field);
  }
  return out;
}

bool Exchange::has_instrument(std::string_view instrument) const { return instrument_index(instrument) >= 0; }

int Exchange::instrument_index(std::string_view instrument) const {
  auto it = market_index_.find(instrument);
  return it == market_index_.end() ? -1 : it->second;
}

double Exchange::margin_of(const Market& m, const Position& p, char direction) const {
  const double ratio = direction == THOST_FTDC_PD_Long ? m.spec.long_margin_ratio : m.spec.short_margin_ratio;
  return (p.yd_cost + p.td_cost) * ratio;
}

double Exchange::position_profit(const Market& m, const Position& p, char direction) const {
  const double value = (p.yd + p.td) * m.last * m.spec.multiplier;
  const double cost = p.yd_cost + p.td_cost;
  return direction == THOST_FTDC_PD_Long ? value - cost : cost - value;
}

CThostFtdcTradingAccountField Exchange::trading_account(int account) {
  const std::string day = trading_day();
  std::lock_guard lock(mutex_);
  const Account& a = accounts_.at(static_cast<size_t>(account));
  double margin = 0, profit = 0;
  for (const auto& [key, p] : a.positions) {
    const Market& m = markets_[static_cast<size_t>(key.first)];
    margin += margin_of(m, p, key.second);
    profit += position_profit(m, p, key.second);
  }
  CThostFtdcTradingAccountField f{};
  put(f.BrokerID, a.cfg.broker_id);
  put(f.AccountID, a.cfg.user_id);
  f.PreBalance = a.cfg.balance;
  f.PreMargin = 0;
  f.FrozenMargin = a.frozen_margin;
  f.FrozenCommission = a.frozen_commission;
  f.CurrMargin = margin;
  f.ExchangeMargin = margin;
  f.Commission = a.commission;
  f.CloseProfit = a.close_profit;
  f.PositionProfit = profit;
  f.Balance = a.cfg.balance + a.close_profit + profit - a.commission;
  f.Available = f.Balance - margin - a.frozen_margin - a.frozen_commission;
  f.WithdrawQuota = std::max(0.0, f.Available);
  put(f.TradingDay, day);
  f.SettlementID = 1;
  put(f.CurrencyID, "CNY");
  f.BizType = THOST_FTDC_BZTP_Future;
  return f;
}

std::vector<CThostFtdcInvestorPositionField> Exchange::positions(int account, std::string_view instrument) {
  const std::string day = trading_day();
  std::lock_guard lock(mutex_);
  const Account& a = accounts_.at(static_cast<size_t>(account));
  std::vector<CThostFtdcInvestorPositionField> out;
  for (const auto& [key, p] : a.positions) {
    const Market& m = markets_[static_cast<size_t>(key.first)];
    if (!instrument.empty() && m.spec.id != instrument) continue;
    if (p.yd_initial == 0 && p.yd == 0 && p.td == 0 && p.open_volume == 0 && p.close_volume == 0) continue;
    const char direction = key.second;
    const double ratio = direction == THOST_FTDC_PD_Long ? m.spec.long_margin_ratio : m.spec.short_margin_ratio;
    const double mult = m.spec.multiplier;
    auto base = [&](char date) {
      CThostFtdcInvestorPositionField f{};
      put(f.InstrumentID, m.spec.id);
      put(f.BrokerID, a.cfg.broker_id);
      put(f.InvestorID, a.cfg.user_id);
      put(f.ExchangeID, m.spec.exchange);
      f.PosiDirection = direction;
      f.HedgeFlag = THOST_FTDC_HF_Speculation;
      f.PositionDate = date;
      f.PreSettlementPrice = m.pre_settlement;
      f.SettlementPrice = m.last;
      put(f.TradingDay, day);
      f.SettlementID = 1;
      f.MarginRateByMoney = ratio;
      return f;
    };
    auto fill = [&](CThostFtdcInvestorPositionField& f, int yd_initial, int yd, int td, int yd_frozen, int td_frozen,
                    double cost, double open_cost, bool with_day_totals) {
      f.YdPosition = yd_initial;
      f.Position = yd + td;
      f.TodayPosition = td;
      // A long position is frozen by sell-close orders (ShortFrozen) and a short one by buy-close orders.
      (direction == THOST_FTDC_PD_Long ? f.ShortFrozen : f.LongFrozen) = yd_frozen + td_frozen;
      f.PositionCost = cost;
      f.OpenCost = open_cost;
      f.UseMargin = cost * ratio;
      f.ExchangeMargin = f.UseMargin;
      const double value = (yd + td) * m.last * mult;
      f.PositionProfit = direction == THOST_FTDC_PD_Long ? value - cost : cost - value;
      if (with_day_totals) {
        f.OpenVolume = p.open_volume;
        f.CloseVolume = p.close_volume;
        f.OpenAmount = p.open_amount;
        f.CloseAmount = p.close_amount;
        f.CloseProfit = p.close_profit;
        f.CloseProfitByDate = p.close_profit;
        f.CloseProfitByTrade = p.close_profit;
        f.Commission = p.commission;
      }
    };
    if (m.shfe_style) {
      // SHFE and INE: history ('2') and today ('1') are separate records.
      if (p.yd_initial > 0 || p.yd > 0) {
        auto f = base(THOST_FTDC_PSD_History);
        fill(f, p.yd_initial, p.yd, 0, p.yd_frozen, 0, p.yd_cost, p.yd_open_cost * (p.yd_initial ? double(p.yd) / p.yd_initial : 0),
             false);
        out.push_back(f);
      }
      if (p.td > 0 || p.open_volume > 0) {
        auto f = base(THOST_FTDC_PSD_Today);
        fill(f, 0, 0, p.td, 0, p.td_frozen, p.td_cost, p.td_cost, true);
        out.push_back(f);
      }
    } else {
      auto f = base(THOST_FTDC_PSD_Today);
      const double yd_open = p.yd_open_cost * (p.yd_initial ? double(p.yd) / p.yd_initial : 0);
      fill(f, p.yd_initial, p.yd, p.td, p.yd_frozen, p.td_frozen, p.yd_cost + p.td_cost, yd_open + p.td_cost, true);
      out.push_back(f);
    }
  }
  return out;
}

std::vector<CThostFtdcOrderField> Exchange::orders(int account, std::string_view instrument) {
  std::lock_guard lock(mutex_);
  std::vector<CThostFtdcOrderField> out;
  for (size_t i : accounts_.at(static_cast<size_t>(account)).orders)
    if (instrument.empty() || field_view(orders_[i].field.InstrumentID) == instrument) out.push_back(orders_[i].field);
  return out;
}

std::vector<CThostFtdcTradeField> Exchange::trades(int account, std::string_view instrument) {
  std::lock_guard lock(mutex_);
  std::vector<CThostFtdcTradeField> out;
  for (size_t i : accounts_.at(static_cast<size_t>(account)).trades)
    if (instrument.empty() || field_view(trade_log_[i].InstrumentID) == instrument) out.push_back(trade_log_[i]);
  return out;
}

std::optional<CThostFtdcInstrumentMarginRateField> Exchange::margin_rate(int account, std::string_view instrument) {
  std::lock_guard lock(mutex_);
  const int mi = instrument_index(instrument);
  if (mi < 0) return std::nullopt;
  const Market& m = markets_[static_cast<size_t>(mi)];
  const Account& a = accounts_.at(static_cast<size_t>(account));
  CThostFtdcInstrumentMarginRateField f{};
  put(f.InstrumentID, m.spec.id);
  f.InvestorRange = THOST_FTDC_IR_Single;
  put(f.BrokerID, a.cfg.broker_id);
  put(f.InvestorID, a.cfg.user_id);
  f.HedgeFlag = THOST_FTDC_HF_Speculation;
  f.LongMarginRatioByMoney = m.spec.long_margin_ratio;
  f.ShortMarginRatioByMoney = m.spec.short_margin_ratio;
  put(f.ExchangeID, m.spec.exchange);
  return f;
}

std::optional<CThostFtdcInstrumentCommissionRateField> Exchange::commission_rate(int account,
                                                                                 std::string_view instrument) {
  std::lock_guard lock(mutex_);
  const int mi = instrument_index(instrument);
  if (mi < 0) return std::nullopt;
  const Market& m = markets_[static_cast<size_t>(mi)];
  const Account& a = accounts_.at(static_cast<size_t>(account));
  CThostFtdcInstrumentCommissionRateField f{};
  put(f.InstrumentID, m.spec.id);
  f.InvestorRange = THOST_FTDC_IR_Single;
  put(f.BrokerID, a.cfg.broker_id);
  put(f.InvestorID, a.cfg.user_id);
  f.OpenRatioByVolume = m.spec.commission_per_lot;
  f.CloseRatioByVolume = m.spec.commission_per_lot;
  f.CloseTodayRatioByVolume = m.spec.commission_per_lot;
  put(f.ExchangeID, m.spec.exchange);
  return f;
}

std::vector<CThostFtdcDepthMarketDataField> Exchange::depth_snapshots(std::string_view instrument) {
  const LocalNs t = now();
  std::lock_guard lock(mutex_);
  std::vector<CThostFtdcDepthMarketDataField> out;
  for (Market& m : markets_) {
    if (!instrument.empty() && m.spec.id != instrument) continue;
    CThostFtdcDepthMarketDataField tick{};
    write_tick(m, t, tick);
    out.push_back(tick);
  }
  return out;
}

double Exchange::round_to_tick(double price, double tick) const { return std::round(price / tick) * tick; }

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
    m.bid[level] = bid_ok ? bid : DBL_MAX;  // CTP sends DBL_MAX for a price with no value
    m.bid_volume[level] = bid_ok ? 1 + static_cast<int>(rng_() % span) : 0;
    m.ask[level] = ask_ok ? ask : DBL_MAX;
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

void Exchange::write_tick(Market& m, LocalNs t, CThostFtdcDepthMarketDataField& tick) {
  const Stamp s = m.stamps.make(t, m.exchange_name, config_.clock.trading_day);
  // CZCE's market data carries the calendar date in TradingDay during the night session, like ActionDay.
  const int hour = (s.time[0] - '0') * 10 + (s.time[1] - '0');
  const bool czce_night = m.exchange_name == "CZCE" && (hour >= 18 || hour < 6);
  std::memcpy(tick.TradingDay, czce_night ? s.action_day : s.trading_day, sizeof tick.TradingDay);
  std::memcpy(tick.ActionDay, s.action_day, sizeof tick.ActionDay);
  std::memcpy(tick.UpdateTime, s.time, sizeof tick.UpdateTime);
  tick.UpdateMillisec = s.millisec;
  put(tick.InstrumentID, m.spec.id);
  put(tick.ExchangeInstID, m.spec.id);
  put(tick.ExchangeID, m.spec.exchange);
  tick.LastPrice = m.last;
  tick.PreSettlementPrice = m.pre_settlement;
  tick.PreClosePrice = m.pre_settlement;
  tick.PreOpenInterest = static_cast<double>(m.spec.pre_open_interest);
  tick.OpenPrice = m.open;
  tick.HighestPrice = m.high;
  tick.LowestPrice = m.low;
  tick.Volume = static_cast<int>(m.volume);
  tick.Turnover = m.turnover;
  tick.OpenInterest = m.open_interest;
  tick.ClosePrice = DBL_MAX;
  tick.SettlementPrice = DBL_MAX;
  tick.UpperLimitPrice = m.upper;
  tick.LowerLimitPrice = m.lower;
  tick.PreDelta = 0;
  tick.CurrDelta = DBL_MAX;
  double* bid_prices[5] = {&tick.BidPrice1, &tick.BidPrice2, &tick.BidPrice3, &tick.BidPrice4, &tick.BidPrice5};
  double* ask_prices[5] = {&tick.AskPrice1, &tick.AskPrice2, &tick.AskPrice3, &tick.AskPrice4, &tick.AskPrice5};
  int* bid_volumes[5] = {&tick.BidVolume1, &tick.BidVolume2, &tick.BidVolume3, &tick.BidVolume4, &tick.BidVolume5};
  int* ask_volumes[5] = {&tick.AskVolume1, &tick.AskVolume2, &tick.AskVolume3, &tick.AskVolume4, &tick.AskVolume5};
  for (int level = 0; level < 5; ++level) {
    *bid_prices[level] = m.bid[level];
    *ask_prices[level] = m.ask[level];
    *bid_volumes[level] = m.bid_volume[level];
    *ask_volumes[level] = m.ask_volume[level];
  }
  // CZCE reports the average as a price; the others as turnover / volume (price times multiplier).
  const double average = m.volume > 0 ? m.turnover / static_cast<double>(m.volume) : 0.0;
  tick.AveragePrice = m.exchange_name == "CZCE" ? average / m.spec.multiplier : average;
  tick.BandingUpperPrice = 0;
  tick.BandingLowerPrice = 0;
}

bool Exchange::next_tick(int index, CThostFtdcDepthMarketDataField& tick) {
  std::lock_guard lock(mutex_);
  Market& m = markets_[static_cast<size_t>(index)];
  const LocalNs t = config_.clock.simulated ? sim_time_ + config_.clock.step_ns : local_now();
  if (!config_.market_data.always_open && !session_open(m.exchange_name, t)) return false;
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
  for (int index : indexes)
    open = std::min(open, next_session_open(markets_[static_cast<size_t>(index)].exchange_name, after));
  sim_time_ = std::max(sim_time_, open - config_.clock.step_ns);
  return true;
}

void Exchange::apply_replayed_tick(CThostFtdcDepthMarketDataField& tick) {
  std::lock_guard lock(mutex_);
  ++ticks_;
  const int index = instrument_index(field_view(tick.InstrumentID));
  if (index < 0) return;
  Market& m = markets_[static_cast<size_t>(index)];
  if (tick.LastPrice > 0 && tick.LastPrice < DBL_MAX) m.last = tick.LastPrice;
  const double bids[5] = {tick.BidPrice1, tick.BidPrice2, tick.BidPrice3, tick.BidPrice4, tick.BidPrice5};
  const double asks[5] = {tick.AskPrice1, tick.AskPrice2, tick.AskPrice3, tick.AskPrice4, tick.AskPrice5};
  const int bid_volumes[5] = {tick.BidVolume1, tick.BidVolume2, tick.BidVolume3, tick.BidVolume4, tick.BidVolume5};
  const int ask_volumes[5] = {tick.AskVolume1, tick.AskVolume2, tick.AskVolume3, tick.AskVolume4, tick.AskVolume5};
  for (int level = 0; level < 5; ++level) {
    m.bid[level] = bid_volumes[level] > 0 ? bids[level] : DBL_MAX;
    m.ask[level] = ask_volumes[level] > 0 ? asks[level] : DBL_MAX;
    m.bid_volume[level] = bid_volumes[level];
    m.ask_volume[level] = ask_volumes[level];
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
  Order& o = orders_[order_index];
  o.field.NotifySequence = ++notify_sequence_;
  publish(o.account, FlowEntry(o.field));
}

uint64_t Exchange::subscribe_flow(FlowSubscriber subscriber, char resume_type, size_t from) {
  std::lock_guard lock(mutex_);
  const auto& flow = accounts_.at(static_cast<size_t>(subscriber.account)).flow;
  size_t start = flow.size();
  if (resume_type == THOST_TERT_RESTART) start = 0;
  else if (resume_type == THOST_TERT_RESUME) start = std::min(from, flow.size());
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

void Exchange::stamp_update(CThostFtdcOrderField& field) const {
  const LocalNs t = config_.clock.simulated ? sim_time_ : local_now();
  const Stamp s = make_stamp(t, field_view(field.ExchangeID), config_.clock.trading_day);
  put(field.UpdateTime, s.time);
}

RequestOutcome Exchange::insert_order(int account, int front_id, int session_id, const CThostFtdcInputOrderField& req,
                                      int request_id) {
  std::lock_guard lock(mutex_);
  const LocalNs t = config_.clock.simulated ? sim_time_ : local_now();
  Account& a = accounts_.at(static_cast<size_t>(account));
  auto reject = [](int id) { return RequestOutcome{make_reject(id)}; };
  if (config_.require_settlement_confirm && !a.confirmation) return reject(err::settlement_not_confirmed);
  const int mi = instrument_index(field_view(req.InstrumentID));
  if (mi < 0) return reject(err::instrument_not_found);
  Market& m = markets_[static_cast<size_t>(mi)];
  const std::string_view exchange_id = field_view(req.ExchangeID);
  if (!exchange_id.empty() && exchange_id != m.spec.exchange) return reject(err::instrument_not_found);

  // Order reference: empty = assigned by the front; otherwise it must be new for this session.
  std::string order_ref(field_view(req.OrderRef));
  const long long numeric_ref = std::atoll(order_ref.c_str());
  if (order_ref.empty()) {
    order_ref = std::to_string(a.max_order_ref + 1);
  } else {
    for (size_t i : a.orders) {
      const auto& f = orders_[i].field;
      if (f.FrontID == front_id && f.SessionID == session_id && field_view(f.OrderRef) == order_ref)
        return reject(err::duplicate_order_ref);
    }
  }

  const char direction = req.Direction;
  const char offset = req.CombOffsetFlag[0];
  const char price_type = req.OrderPriceType;
  const char time_cond = req.TimeCondition;
  const char volume_cond = req.VolumeCondition;
  const int volume = req.VolumeTotalOriginal;
  const bool is_market = price_type == THOST_FTDC_OPT_AnyPrice;
  if ((direction != THOST_FTDC_D_Buy && direction != THOST_FTDC_D_Sell) ||
      (offset != THOST_FTDC_OF_Open && offset != THOST_FTDC_OF_Close && offset != THOST_FTDC_OF_CloseToday &&
       offset != THOST_FTDC_OF_CloseYesterday) ||
      (price_type != THOST_FTDC_OPT_LimitPrice && !is_market) ||
      (time_cond != THOST_FTDC_TC_IOC && time_cond != THOST_FTDC_TC_GFD) ||
      (volume_cond != THOST_FTDC_VC_AV && volume_cond != THOST_FTDC_VC_CV) ||
      (volume_cond == THOST_FTDC_VC_CV && time_cond != THOST_FTDC_TC_IOC))
    return reject(err::bad_field);
  const int max_volume = is_market ? m.spec.max_market_volume : m.spec.max_limit_volume;
  const int min_volume = is_market ? 1 : m.spec.min_limit_volume;
  if (volume < min_volume || volume > max_volume) return reject(err::bad_field);
  if (!is_market && !(req.LimitPrice > 0) ) return reject(err::bad_field);

  Order order;
  order.account = account;
  order.market = mi;
  const bool closing = offset != THOST_FTDC_OF_Open;
  order.closing = closing;
  // A buy closes a short position; a sell closes a long one.
  order.posi_direction = closing ? (direction == THOST_FTDC_D_Buy ? THOST_FTDC_PD_Short : THOST_FTDC_PD_Long)
                                 : (direction == THOST_FTDC_D_Buy ? THOST_FTDC_PD_Long : THOST_FTDC_PD_Short);
  const double reference_price = is_market ? (direction == THOST_FTDC_D_Buy ? m.upper : m.lower) : req.LimitPrice;
  if (closing) {
    const auto held = a.positions.find({mi, order.posi_direction});
    Position none;
    const Position& p = held == a.positions.end() ? none : held->second;
    const int yd_free = p.yd - p.yd_frozen;
    const int td_free = p.td - p.td_frozen;
    if (offset == THOST_FTDC_OF_CloseYesterday || (offset == THOST_FTDC_OF_Close && m.shfe_style)) {
      // SHFE/INE: Close means close yesterday. Beyond the whole position it is 30; beyond yesterday's
      // volume (closing today's with a plain Close, the classic mistake) the real front answers 51.
      if (offset == THOST_FTDC_OF_Close && volume > yd_free + td_free) return reject(err::over_close_position);
      if (volume > yd_free) return reject(err::over_close_yesterday_position);
      order.frozen_yd = volume;
    } else if (offset == THOST_FTDC_OF_CloseToday && m.shfe_style) {
      if (volume > td_free) return reject(err::over_close_today_position);
      order.frozen_td = volume;
    } else {  // CFFEX: today's volume first, then yesterday's; the other exchanges: yesterday's first
      if (volume > yd_free + td_free) return reject(err::over_close_position);
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
    const double ratio = direction == THOST_FTDC_D_Buy ? m.spec.long_margin_ratio : m.spec.short_margin_ratio;
    order.frozen_margin_per_lot = reference_price * m.spec.multiplier * ratio;
    order.frozen_commission_per_lot = m.spec.commission_per_lot;
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
    if (needed > available) return reject(err::insufficient_money);
    a.frozen_margin += volume * order.frozen_margin_per_lot;
    a.frozen_commission += volume * order.frozen_commission_per_lot;
  }

  // Accepted by the front: the order enters the private flow as "submitted, unknown".
  if (numeric_ref > a.max_order_ref) a.max_order_ref = numeric_ref;
  if (order_ref == std::to_string(a.max_order_ref + 1)) ++a.max_order_ref;
  CThostFtdcOrderField& f = order.field;
  put(f.BrokerID, a.cfg.broker_id);
  put(f.InvestorID, a.cfg.user_id);
  put(f.OrderRef, order_ref);
  put(f.UserID, field_view(req.UserID).empty() ? std::string_view(a.cfg.user_id) : field_view(req.UserID));
  f.OrderPriceType = price_type;
  f.Direction = direction;
  std::memcpy(f.CombOffsetFlag, req.CombOffsetFlag, sizeof f.CombOffsetFlag);
  std::memcpy(f.CombHedgeFlag, req.CombHedgeFlag, sizeof f.CombHedgeFlag);
  f.LimitPrice = req.LimitPrice;
  f.VolumeTotalOriginal = volume;
  f.TimeCondition = time_cond;
  std::memcpy(f.GTDDate, req.GTDDate, sizeof f.GTDDate);
  f.VolumeCondition = volume_cond;
  f.MinVolume = req.MinVolume;
  f.ContingentCondition = req.ContingentCondition;
  f.StopPrice = req.StopPrice;
  f.ForceCloseReason = req.ForceCloseReason;
  f.IsAutoSuspend = req.IsAutoSuspend;
  std::memcpy(f.BusinessUnit, req.BusinessUnit, sizeof f.BusinessUnit);
  f.RequestID = request_id;
  put(f.OrderLocalID, padded_number(++last_local_id_, 12));
  put(f.ExchangeID, m.spec.exchange);
  put(f.ParticipantID, participant_id);
  put(f.ClientID, a.cfg.user_id);
  put(f.TraderID, trader_id);
  f.InstallID = 1;
  f.OrderSubmitStatus = THOST_FTDC_OSS_InsertSubmitted;
  const Stamp s = make_stamp(t, m.spec.exchange, config_.clock.trading_day);
  put(f.TradingDay, s.trading_day);
  f.SettlementID = 1;
  f.OrderSource = THOST_FTDC_OSRC_Participant;
  f.OrderStatus = THOST_FTDC_OST_Unknown;
  f.OrderType = THOST_FTDC_ORDT_Normal;
  f.VolumeTraded = 0;
  f.VolumeTotal = volume;
  stamp_now(s, f.InsertDate, f.InsertTime);
  put(f.UpdateTime, s.time);
  f.FrontID = front_id;
  f.SessionID = session_id;
  put(f.StatusMsg, to_gb18030("报单已提交"));
  f.BrokerOrderSeq = static_cast<int>(orders_.size() + 1);
  put(f.InstrumentID, m.spec.id);
  put(f.ExchangeInstID, m.spec.id);
  put(f.AccountID, a.cfg.user_id);
  put(f.CurrencyID, "CNY");
  std::memcpy(f.IPAddress, req.IPAddress, sizeof f.IPAddress);
  std::memcpy(f.MacAddress, req.MacAddress, sizeof f.MacAddress);
  std::memcpy(f.InvestUnitID, req.InvestUnitID, sizeof f.InvestUnitID);
  std::memcpy(f.OrderMemo, req.OrderMemo, sizeof f.OrderMemo);
  f.SessionReqSeq = req.SessionReqSeq;

  const size_t index = orders_.size();
  orders_.push_back(order);
  a.orders.push_back(index);
  publish_order(index);

  // The exchange's checks: price on the tick grid and inside the limits; SHFE/INE take no market orders.
  Order& o = orders_[index];
  const char* exchange_reject = nullptr;
  if (is_market && m.shfe_style) exchange_reject = "不被支持的报单类型";
  else if (!is_market && !on_tick(req.LimitPrice, m.spec.price_tick)) exchange_reject = "报单价格不是最小变动价位的整数倍";
  else if (!is_market && (req.LimitPrice > m.upper + 1e-9 || req.LimitPrice < m.lower - 1e-9))
    exchange_reject = "报单价格超出涨跌停板";
  if (exchange_reject) {
    o.field.OrderSubmitStatus = THOST_FTDC_OSS_InsertRejected;
    finish_order(index, THOST_FTDC_OST_Canceled,
                 std::string("已撤单报单被拒绝") + m.spec.exchange + ":" + exchange_reject);
    return {};
  }
  o.field.OrderSubmitStatus = THOST_FTDC_OSS_Accepted;
  put(o.field.OrderSysID, padded_number(++last_order_sys_id_, 12));
  o.field.OrderStatus = THOST_FTDC_OST_NoTradeQueueing;
  put(o.field.StatusMsg, to_gb18030("未成交"));
  publish_order(index);
  match(index, true);
  return {};
}

void Exchange::match(size_t order_index, bool taker) {
  Order& o = orders_[order_index];
  Market& m = markets_[static_cast<size_t>(o.market)];
  const bool buy = o.field.Direction == THOST_FTDC_D_Buy;
  const bool is_market = o.field.OrderPriceType == THOST_FTDC_OPT_AnyPrice;
  double* prices = buy ? m.ask : m.bid;
  int* volumes = buy ? m.ask_volume : m.bid_volume;
  auto acceptable = [&](double price) {
    if (price == DBL_MAX) return false;
    if (is_market) return true;
    return buy ? price <= o.field.LimitPrice + 1e-9 : price >= o.field.LimitPrice - 1e-9;
  };
  const bool fok = o.field.VolumeCondition == THOST_FTDC_VC_CV;
  const bool ioc = o.field.TimeCondition == THOST_FTDC_TC_IOC || is_market;
  if (fok) {
    int available = 0;
    for (int level = 0; level < 5; ++level)
      if (acceptable(prices[level])) available += volumes[level];
    if (available < o.field.VolumeTotal) {
      finish_order(order_index, THOST_FTDC_OST_Canceled, "已撤单");
      return;
    }
  }
  for (int level = 0; level < 5 && o.field.VolumeTotal > 0; ++level) {
    if (!acceptable(prices[level]) || volumes[level] <= 0) continue;
    const int traded = std::min(volumes[level], o.field.VolumeTotal);
    volumes[level] -= traded;
    apply_fill(order_index, taker ? prices[level] : o.field.LimitPrice, traded);
  }
  Order& after = orders_[order_index];
  if (after.field.VolumeTotal > 0) {
    if (ioc) {
      finish_order(order_index, THOST_FTDC_OST_Canceled, "已撤单");
    } else if (taker) {
      m.resting.push_back(order_index);
    }
  }
}

void Exchange::match_resting(int market) {
  Market& m = markets_[static_cast<size_t>(market)];
  std::vector<size_t> resting;
  resting.swap(m.resting);
  for (size_t index : resting) {
    if (orders_[index].field.VolumeTotal > 0 && orders_[index].field.OrderStatus != THOST_FTDC_OST_Canceled)
      match(index, false);
  }
  for (size_t index : resting) {
    const auto& f = orders_[index].field;
    if (f.VolumeTotal > 0 && f.OrderStatus != THOST_FTDC_OST_Canceled && f.OrderStatus != THOST_FTDC_OST_AllTraded)
      m.resting.push_back(index);
  }
}

void Exchange::apply_fill(size_t order_index, double price, int volume) {
  Order& o = orders_[order_index];
  Market& m = markets_[static_cast<size_t>(o.market)];
  Account& a = accounts_[static_cast<size_t>(o.account)];
  const double mult = m.spec.multiplier;
  const LocalNs t = config_.clock.simulated ? sim_time_ : local_now();
  const Stamp s = make_stamp(t, m.spec.exchange, config_.clock.trading_day);

  Position& p = a.positions[{o.market, o.posi_direction}];
  const double commission = volume * m.spec.commission_per_lot;
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
    p.yd_open_cost -= from_yd * yd_open_avg;
    p.yd_initial -= 0;  // YdPosition stays what it was at the start of the day
    p.td_cost -= from_td * td_avg;
    const double value = price * volume * mult;
    const double profit = o.posi_direction == THOST_FTDC_PD_Long ? value - cost : cost - value;
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

  CThostFtdcOrderField& f = o.field;
  f.VolumeTraded += volume;
  f.VolumeTotal -= volume;
  const bool done = f.VolumeTotal == 0;
  f.OrderStatus = done ? THOST_FTDC_OST_AllTraded : THOST_FTDC_OST_PartTradedQueueing;
  put(f.StatusMsg, to_gb18030(done ? "全部成交" : "部分成交"));
  put(f.UpdateTime, s.time);
  publish_order(order_index);

  CThostFtdcTradeField trade{};
  put(trade.BrokerID, f.BrokerID);
  put(trade.InvestorID, f.InvestorID);
  put(trade.OrderRef, f.OrderRef);
  put(trade.UserID, f.UserID);
  put(trade.ExchangeID, f.ExchangeID);
  ++last_trade_id_;
  // Each exchange numbers its own trades (so the first trades on SHFE and on DCE are both 1).
  put(trade.TradeID, padded_number(++trade_ids_[m.exchange_name], 12));
  trade.Direction = f.Direction;
  put(trade.OrderSysID, f.OrderSysID);
  put(trade.ParticipantID, f.ParticipantID);
  put(trade.ClientID, f.ClientID);
  trade.TradingRole = THOST_FTDC_ER_Broker;
  trade.OffsetFlag = f.CombOffsetFlag[0];
  trade.HedgeFlag = f.CombHedgeFlag[0] ? f.CombHedgeFlag[0] : THOST_FTDC_HF_Speculation;
  trade.Price = price;
  trade.Volume = volume;
  stamp_now(s, trade.TradeDate, trade.TradeTime);
  trade.TradeType = THOST_FTDC_TRDT_Common;
  trade.PriceSource = THOST_FTDC_PSRC_LastPrice;
  put(trade.TraderID, f.TraderID);
  put(trade.OrderLocalID, f.OrderLocalID);
  put(trade.ClearingPartID, f.ParticipantID);
  trade.SequenceNo = static_cast<int>(last_trade_id_);
  put(trade.TradingDay, s.trading_day);
  trade.SettlementID = 1;
  trade.BrokerOrderSeq = f.BrokerOrderSeq;
  trade.TradeSource = THOST_FTDC_TSRC_NORMAL;
  put(trade.InstrumentID, f.InstrumentID);
  put(trade.ExchangeInstID, f.ExchangeInstID);
  a.trades.push_back(trade_log_.size());
  trade_log_.push_back(trade);
  m.volume += volume;
  m.turnover += price * volume * mult;
  m.last = price;
  publish(o.account, FlowEntry(trade));
  if (done) release_frozen(o);
}

void Exchange::release_frozen(Order& o) {
  Account& a = accounts_[static_cast<size_t>(o.account)];
  const int left = o.field.VolumeTotal;
  if (o.closing) {
    Position& p = a.positions[{o.market, o.posi_direction}];
    p.yd_frozen -= o.frozen_yd;
    p.td_frozen -= o.frozen_td;
    o.frozen_yd = o.frozen_td = 0;
  } else if (left > 0) {
    a.frozen_margin -= left * o.frozen_margin_per_lot;
    a.frozen_commission -= left * o.frozen_commission_per_lot;
    o.frozen_margin_per_lot = o.frozen_commission_per_lot = 0;
  }
}

void Exchange::finish_order(size_t order_index, char status, std::string_view status_msg_utf8) {
  Order& o = orders_[order_index];
  release_frozen(o);
  o.field.OrderStatus = status;
  put(o.field.StatusMsg, to_gb18030(status_msg_utf8));
  stamp_update(o.field);
  if (status == THOST_FTDC_OST_Canceled) put(o.field.CancelTime, field_view(o.field.UpdateTime));
  publish_order(order_index);
}

RequestOutcome Exchange::cancel_order(int account, int front_id, int session_id,
                                      const CThostFtdcInputOrderActionField& req) {
  std::lock_guard lock(mutex_);
  (void)front_id;
  (void)session_id;
  if (req.ActionFlag != THOST_FTDC_AF_Delete) return RequestOutcome{make_reject(err::bad_order_action_field)};
  Account& a = accounts_.at(static_cast<size_t>(account));
  const std::string_view sys_id = field_view(req.OrderSysID);
  const std::string_view ref = field_view(req.OrderRef);
  std::optional<size_t> found;
  for (size_t i : a.orders) {
    const auto& f = orders_[i].field;
    const bool by_sys = !sys_id.empty() && field_view(f.OrderSysID) == sys_id &&
                        (field_view(req.ExchangeID).empty() || field_view(req.ExchangeID) == field_view(f.ExchangeID));
    const bool by_ref = sys_id.empty() && !ref.empty() && f.FrontID == req.FrontID && f.SessionID == req.SessionID &&
                        field_view(f.OrderRef) == ref;
    if (by_sys || by_ref) found = i;
  }
  if (!found) return RequestOutcome{make_reject(err::order_not_found)};
  Order& o = orders_[*found];
  const char status = o.field.OrderStatus;
  if (status == THOST_FTDC_OST_AllTraded || status == THOST_FTDC_OST_Canceled)
    return RequestOutcome{make_reject(err::unsuitable_order_status)};
  Market& m = markets_[static_cast<size_t>(o.market)];
  std::erase(m.resting, *found);
  finish_order(*found, THOST_FTDC_OST_Canceled, "已撤单");
  return {};
}

}  // namespace ctpsim
