// The Thost family's structs (CTP, CTP-Mini) <-> the simulator core's records. Compiled into each front-end
// against its own headers: the field names are shared, the layouts are not, and a field only one of them has is
// set through `if constexpr (requires ...)`. Text goes out as GB18030, the family's encoding.
#pragma once

#include <cfloat>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "ThostFtdcUserApiStruct.h"
#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/records.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::thost {

// ---- errors -------------------------------------------------------------------------------------------

/// CTP's error id and text for a refusal of the core (the numbers and words the real front uses).
struct ErrorText {
  int id;
  const char* text;  // UTF-8
};
ErrorText error_text(Error error);

/// UTF-8 -> GB18030, cached: the same few status words go out with every order report.
std::string gb(std::string_view utf8);

template <class Info>
Info ok_info() {
  Info info{};
  put(info.ErrorMsg, gb("CTP:正确"));
  return info;
}

template <class Info>
Info error_info(Error error, std::string_view detail = {}) {
  const ErrorText text = error_text(error);
  Info info{};
  info.ErrorID = text.id;
  std::string message = gb(text.text);
  if (!detail.empty()) message += " (" + std::string(detail) + ")";
  put(info.ErrorMsg, message);
  return info;
}

// ---- codes ---------------------------------------------------------------------------------------------

inline char side_code(Side side) { return side == Side::buy ? '0' : '1'; }
inline char offset_code(Offset offset) {
  switch (offset) {
    case Offset::open:
      return '0';
    case Offset::close:
      return '1';
    case Offset::close_today:
      return '3';
    case Offset::close_yesterday:
      return '4';
  }
  return '0';
}
inline char status_code(OrderStatus status) {
  switch (status) {
    case OrderStatus::all_traded:
      return '0';
    case OrderStatus::part_traded:
      return '1';
    case OrderStatus::queued:
      return '3';
    case OrderStatus::cancelled:
      return '5';
    case OrderStatus::unknown:
      return 'a';
  }
  return 'a';
}
inline char submit_code(SubmitStatus status) {
  switch (status) {
    case SubmitStatus::submitted:
      return '0';
    case SubmitStatus::accepted:
      return '3';
    case SubmitStatus::insert_rejected:
      return '4';
  }
  return '0';
}
inline char position_code(PositionSide side) { return side == PositionSide::long_side ? '2' : '3'; }

/// The codes the simulator supports (THOST_FTDC_*: D_Buy/Sell, OF_Open/Close/CloseToday/CloseYesterday,
/// OPT_LimitPrice/AnyPrice, TC_IOC/GFD, VC_AV/CV); anything else makes the request bad_field.
template <class Input>
OrderRequest order_request(const Input& req) {
  OrderRequest out;
  out.instrument = std::string(field_view(req.InstrumentID));
  out.exchange = std::string(field_view(req.ExchangeID));
  out.order_ref = std::string(field_view(req.OrderRef));
  out.user_id = std::string(field_view(req.UserID));
  bool valid = true;
  switch (req.Direction) {
    case '0':
      out.side = Side::buy;
      break;
    case '1':
      out.side = Side::sell;
      break;
    default:
      valid = false;
  }
  switch (req.CombOffsetFlag[0]) {
    case '0':
      out.offset = Offset::open;
      break;
    case '1':
      out.offset = Offset::close;
      break;
    case '3':
      out.offset = Offset::close_today;
      break;
    case '4':
      out.offset = Offset::close_yesterday;
      break;
    default:
      valid = false;
  }
  switch (req.OrderPriceType) {
    case '2':
      out.price_type = PriceType::limit;
      break;
    case '1':
      out.price_type = PriceType::market;
      break;
    default:
      valid = false;
  }
  switch (req.TimeCondition) {
    case '3':
      out.time_condition = TimeCondition::gfd;
      break;
    case '1':
      out.time_condition = TimeCondition::ioc;
      break;
    default:
      valid = false;
  }
  switch (req.VolumeCondition) {
    case '1':
      out.volume_condition = VolumeCondition::any;
      break;
    case '3':
      out.volume_condition = VolumeCondition::all;
      break;
    default:
      valid = false;
  }
  out.codes_valid = valid;
  out.volume = req.VolumeTotalOriginal;
  out.min_volume = req.MinVolume;
  out.price = req.LimitPrice;
  out.echo.assign(reinterpret_cast<const char*>(&req), sizeof(req));  // the whole request, echoed by fill_order
  return out;
}

/// The request an order was inserted with, when it came through this ABI (else zeros: nothing to echo).
template <class Input>
Input echoed_request(const std::string& echo) {
  Input req{};
  if (echo.size() == sizeof(Input)) std::memcpy(&req, echo.data(), sizeof(Input));
  return req;
}

// ---- records -> structs ---------------------------------------------------------------------------------

template <class Input, class Field>
void fill_order(Field& f, const Order& o) {
  const Input req = echoed_request<Input>(o.echo);
  put(f.BrokerID, o.broker_id);
  put(f.InvestorID, o.investor_id);
  put(f.OrderRef, o.order_ref);
  put(f.UserID, o.user_id);
  f.OrderPriceType = o.price_type == PriceType::market ? '1' : '2';
  f.Direction = side_code(o.side);
  f.CombOffsetFlag[0] = offset_code(o.offset);
  std::memcpy(f.CombHedgeFlag, req.CombHedgeFlag, sizeof f.CombHedgeFlag);
  f.LimitPrice = o.price;
  f.VolumeTotalOriginal = o.volume_original;
  f.TimeCondition = o.time_condition == TimeCondition::ioc ? '1' : '3';
  std::memcpy(f.GTDDate, req.GTDDate, sizeof f.GTDDate);
  f.VolumeCondition = o.volume_condition == VolumeCondition::all ? '3' : '1';
  f.MinVolume = o.min_volume;
  f.ContingentCondition = req.ContingentCondition;
  f.StopPrice = req.StopPrice;
  f.ForceCloseReason = req.ForceCloseReason;
  f.IsAutoSuspend = req.IsAutoSuspend;
  std::memcpy(f.BusinessUnit, req.BusinessUnit, sizeof f.BusinessUnit);
  f.RequestID = o.request_id;
  put(f.OrderLocalID, o.local_id);
  put(f.ExchangeID, o.exchange);
  put(f.ParticipantID, o.participant_id);
  put(f.ClientID, o.client_id);
  put(f.TraderID, o.trader_id);
  f.InstallID = 1;
  f.OrderSubmitStatus = submit_code(o.submit_status);
  put(f.TradingDay, o.trading_day);
  f.SettlementID = 1;
  put(f.OrderSysID, o.order_sys_id);
  f.OrderSource = THOST_FTDC_OSRC_Participant;
  f.OrderStatus = status_code(o.status);
  f.OrderType = THOST_FTDC_ORDT_Normal;
  f.VolumeTraded = o.volume_traded;
  f.VolumeTotal = o.volume_total;
  put(f.InsertDate, o.insert_date);
  put(f.InsertTime, o.insert_time);
  put(f.UpdateTime, o.update_time);
  put(f.CancelTime, o.cancel_time);
  f.FrontID = o.front_id;
  f.SessionID = o.session_id;
  put(f.StatusMsg, gb(o.status_message));
  f.BrokerOrderSeq = o.broker_order_seq;
  f.NotifySequence = o.notify_sequence;
  put(f.InstrumentID, o.instrument);
  put(f.ExchangeInstID, o.instrument);
  put(f.AccountID, o.investor_id);
  put(f.CurrencyID, "CNY");
  std::memcpy(f.IPAddress, req.IPAddress, sizeof f.IPAddress);
  std::memcpy(f.MacAddress, req.MacAddress, sizeof f.MacAddress);
  std::memcpy(f.InvestUnitID, req.InvestUnitID, sizeof f.InvestUnitID);
  if constexpr (requires {
                  f.OrderMemo;
                  req.OrderMemo;
                })
    std::memcpy(f.OrderMemo, req.OrderMemo, sizeof f.OrderMemo);
  if constexpr (requires {
                  f.SessionReqSeq;
                  req.SessionReqSeq;
                })
    f.SessionReqSeq = req.SessionReqSeq;
  if constexpr (requires {
                  f.CustomOrderRef;
                  req.CustomOrderRef;
                }) {
    std::memcpy(&f.CustomOrderRef, &req.CustomOrderRef, sizeof f.CustomOrderRef);  // CTP-Mini only
  }
}

template <class Input, class Field>
void fill_trade(Field& f, const Trade& t) {
  const Input req = echoed_request<Input>(t.echo);
  put(f.BrokerID, t.broker_id);
  put(f.InvestorID, t.investor_id);
  put(f.OrderRef, t.order_ref);
  put(f.UserID, t.user_id);
  put(f.ExchangeID, t.exchange);
  put(f.TradeID, t.trade_id);
  f.Direction = side_code(t.side);
  put(f.OrderSysID, t.order_sys_id);
  put(f.ParticipantID, t.participant_id);
  put(f.ClientID, t.client_id);
  f.TradingRole = THOST_FTDC_ER_Broker;
  f.OffsetFlag = offset_code(t.offset);
  f.HedgeFlag = req.CombHedgeFlag[0] ? req.CombHedgeFlag[0] : THOST_FTDC_HF_Speculation;
  f.Price = t.price;
  f.Volume = t.volume;
  put(f.TradeDate, t.trade_date);
  put(f.TradeTime, t.trade_time);
  f.TradeType = THOST_FTDC_TRDT_Common;
  f.PriceSource = THOST_FTDC_PSRC_LastPrice;
  put(f.TraderID, t.trader_id);
  put(f.OrderLocalID, t.local_id);
  put(f.ClearingPartID, t.participant_id);
  f.SequenceNo = t.sequence_no;
  put(f.TradingDay, t.trading_day);
  f.SettlementID = 1;
  f.BrokerOrderSeq = t.broker_order_seq;
  f.TradeSource = THOST_FTDC_TSRC_NORMAL;
  put(f.InstrumentID, t.instrument);
  put(f.ExchangeInstID, t.instrument);
}

template <class Field>
void fill_tick(Field& f, const Tick& t) {
  std::memcpy(f.TradingDay, t.trading_day, sizeof f.TradingDay);
  std::memcpy(f.ActionDay, t.action_day, sizeof f.ActionDay);
  std::memcpy(f.UpdateTime, t.update_time, sizeof f.UpdateTime);
  f.UpdateMillisec = t.update_millisec;
  put(f.InstrumentID, field_view(t.instrument));
  put(f.ExchangeInstID, field_view(t.instrument));
  put(f.ExchangeID, field_view(t.exchange));
  f.LastPrice = t.last;
  f.PreSettlementPrice = t.pre_settlement;
  f.PreClosePrice = t.pre_close;
  f.PreOpenInterest = t.pre_open_interest;
  f.OpenPrice = t.open;
  f.HighestPrice = t.high;
  f.LowestPrice = t.low;
  f.Volume = static_cast<int>(t.volume);
  f.Turnover = t.turnover;
  f.OpenInterest = t.open_interest;
  f.ClosePrice = t.close;
  f.SettlementPrice = t.settlement;
  f.UpperLimitPrice = t.upper_limit;
  f.LowerLimitPrice = t.lower_limit;
  f.PreDelta = 0;
  f.CurrDelta = DBL_MAX;
  double* bid_prices[5] = {&f.BidPrice1, &f.BidPrice2, &f.BidPrice3, &f.BidPrice4, &f.BidPrice5};
  double* ask_prices[5] = {&f.AskPrice1, &f.AskPrice2, &f.AskPrice3, &f.AskPrice4, &f.AskPrice5};
  int* bid_volumes[5] = {&f.BidVolume1, &f.BidVolume2, &f.BidVolume3, &f.BidVolume4, &f.BidVolume5};
  int* ask_volumes[5] = {&f.AskVolume1, &f.AskVolume2, &f.AskVolume3, &f.AskVolume4, &f.AskVolume5};
  for (int level = 0; level < 5; ++level) {
    *bid_prices[level] = t.bid[level];
    *ask_prices[level] = t.ask[level];
    *bid_volumes[level] = t.bid_volume[level];
    *ask_volumes[level] = t.ask_volume[level];
  }
  f.AveragePrice = t.average;
  if constexpr (requires { f.BandingUpperPrice; }) f.BandingUpperPrice = 0;
  if constexpr (requires { f.BandingLowerPrice; }) f.BandingLowerPrice = 0;
}

template <class Field>
void fill_instrument(Field& f, const InstrumentRecord& r) {
  const InstrumentConfig& spec = r.spec;
  put(f.InstrumentID, spec.id);
  put(f.ExchangeID, spec.exchange);
  put(f.InstrumentName, gb(spec.name));
  put(f.ExchangeInstID, spec.id);
  put(f.ProductID, spec.product_id);
  f.ProductClass = spec.product_class;
  f.DeliveryYear = std::atoi(spec.expire_date.substr(0, 4).c_str());
  f.DeliveryMonth = std::atoi(spec.expire_date.substr(4, 2).c_str());
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
  f.PositionDateType = r.history_positions ? THOST_FTDC_PDT_UseHistory : THOST_FTDC_PDT_NoUseHistory;
  f.LongMarginRatio = spec.long_margin_ratio;
  f.ShortMarginRatio = spec.short_margin_ratio;
  f.MaxMarginSideAlgorithm = THOST_FTDC_MMSA_NO;
  f.StrikePrice = DBL_MAX;
  f.OptionsType = '\0';
  f.UnderlyingMultiple = DBL_MAX;
  f.CombinationType = THOST_FTDC_COMBT_Future;
}

template <class Field>
void fill_account(Field& f, const AccountRecord& a) {
  put(f.BrokerID, a.broker_id);
  put(f.AccountID, a.account_id);
  f.PreBalance = a.pre_balance;
  f.PreMargin = 0;
  f.FrozenMargin = a.frozen_margin;
  f.FrozenCommission = a.frozen_commission;
  f.CurrMargin = a.margin;
  f.ExchangeMargin = a.margin;
  f.Commission = a.commission;
  f.CloseProfit = a.close_profit;
  f.PositionProfit = a.position_profit;
  f.Balance = a.balance;
  f.Available = a.available;
  f.WithdrawQuota = a.withdraw_quota;
  put(f.TradingDay, a.trading_day);
  f.SettlementID = 1;
  put(f.CurrencyID, "CNY");
  if constexpr (requires { f.BizType; }) f.BizType = '1';  // THOST_FTDC_BZTP_Future (CTP only: no macro in CTP-Mini)
}

template <class Field>
void fill_position(Field& f, const PositionRecord& p) {
  put(f.InstrumentID, p.instrument);
  put(f.BrokerID, p.broker_id);
  put(f.InvestorID, p.investor_id);
  if constexpr (requires { f.ExchangeID; }) put(f.ExchangeID, p.exchange);
  f.PosiDirection = position_code(p.side);
  f.HedgeFlag = THOST_FTDC_HF_Speculation;
  f.PositionDate = p.date == PositionDate::today ? '1' : '2';
  f.PreSettlementPrice = p.pre_settlement;
  f.SettlementPrice = p.settlement;
  put(f.TradingDay, p.trading_day);
  f.SettlementID = 1;
  f.MarginRateByMoney = p.margin_ratio;
  f.YdPosition = p.yd_position;
  f.Position = p.position;
  f.TodayPosition = p.today_position;
  f.LongFrozen = p.long_frozen;
  f.ShortFrozen = p.short_frozen;
  f.PositionCost = p.position_cost;
  f.OpenCost = p.open_cost;
  f.UseMargin = p.margin;
  f.ExchangeMargin = p.margin;
  f.PositionProfit = p.position_profit;
  if (p.day_totals) {
    f.OpenVolume = p.open_volume;
    f.CloseVolume = p.close_volume;
    f.OpenAmount = p.open_amount;
    f.CloseAmount = p.close_amount;
    f.CloseProfit = p.close_profit;
    f.CloseProfitByDate = p.close_profit;
    f.CloseProfitByTrade = p.close_profit;
    f.Commission = p.commission;
  }
}

template <class Field>
void fill_login(Field& f, const LoginResult& r, std::string_view system_name) {
  put(f.TradingDay, r.trading_day);
  put(f.LoginTime, r.login_time);
  put(f.BrokerID, r.broker_id);
  put(f.UserID, r.user_id);
  put(f.SystemName, system_name);
  f.FrontID = r.front_id;
  f.SessionID = r.session_id;
  put(f.MaxOrderRef, std::to_string(r.max_order_ref));
  for (auto* time_field : {&f.SHFETime, &f.DCETime, &f.CZCETime, &f.FFEXTime, &f.INETime})
    put(*time_field, r.login_time);
  if constexpr (requires { f.GFEXTime; }) put(f.GFEXTime, r.login_time);
  if constexpr (requires { f.SysVersion; }) put(f.SysVersion, system_name);
}

/// RspAuthenticate.AppType, which CTP has and CTP-Mini has not.
template <class Field>
void set_investor_app_type(Field& f) {
  if constexpr (requires { f.AppType; }) f.AppType = '1';  // THOST_FTDC_APP_TYPE_Investor
}

template <class Field>
void fill_confirmation(Field& f, const Confirmation& c) {
  put(f.BrokerID, c.broker_id);
  put(f.InvestorID, c.investor_id);
  put(f.ConfirmDate, c.date);
  put(f.ConfirmTime, c.time);
  if constexpr (requires { f.SettlementID; }) f.SettlementID = 1;
  if constexpr (requires { f.AccountID; }) put(f.AccountID, c.investor_id);
  if constexpr (requires { f.CurrencyID; }) put(f.CurrencyID, "CNY");
}

}  // namespace vtcore::sim::thost
