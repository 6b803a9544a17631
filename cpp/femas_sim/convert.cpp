#include "convert.hpp"

#include <cfloat>
#include <cstdlib>
#include <cstring>

namespace vtcore::sim::femas {

ErrorText error_text(Error error) {
  switch (error) {
    case Error::none:
      return {0, "正确"};
    case Error::invalid_login:
      return {3, "不合法的登录"};
    case Error::not_logged_in:
      return {6, "还没有登录"};
    case Error::bad_field:
      return {15, "报单字段有误"};
    case Error::instrument_not_found:
      return {16, "找不到合约"};
    case Error::duplicate_order_ref:
      return {22, "报单错误：不允许重复报单"};
    case Error::bad_order_action_field:
      return {23, "错误的报单操作字段"};
    case Error::order_not_found:
      return {25, "撤单找不到相应报单"};
    case Error::unsuitable_order_status:
      return {26, "报单已全成交或已撤销，不能再撤"};
    case Error::not_implemented:
      return {27, "不支持的功能"};
    case Error::over_close_position:
      return {30, "平仓量超过持仓量"};
    case Error::insufficient_money:
      return {31, "资金不足"};
    case Error::settlement_not_confirmed:
      return {42, "结算结果未确认"};
    case Error::over_close_today_position:
      return {50, "平今仓位不足"};
    case Error::over_close_yesterday_position:
      return {51, "平昨仓位不足"};
    case Error::auth_failed:
      return {63, "客户端认证失败"};
    case Error::not_authenticated:
      return {64, "客户端未认证"};
  }
  return {1, "错误"};
}

char status_code(OrderStatus status) {
  switch (status) {
    case OrderStatus::all_traded:
      return USTP_FTDC_OS_AllTraded;
    case OrderStatus::part_traded:
      return USTP_FTDC_OS_PartTradedQueueing;
    case OrderStatus::queued:
      return USTP_FTDC_OS_NoTradeQueueing;
    case OrderStatus::cancelled:
      return USTP_FTDC_OS_Canceled;
    case OrderStatus::unknown:
      return USTP_FTDC_OS_AcceptedNoReply;
  }
  return USTP_FTDC_OS_AcceptedNoReply;
}

OrderRequest order_request(const CUstpFtdcInputOrderField& req) {
  OrderRequest out;
  out.instrument = std::string(field_view(req.InstrumentID));
  out.exchange = std::string(field_view(req.ExchangeID));
  out.order_ref = std::string(field_view(req.UserOrderLocalID));
  out.user_id = std::string(field_view(req.UserID));
  bool valid = !out.order_ref.empty();  // FEMAS names every order by the user's local id
  switch (req.Direction) {
    case USTP_FTDC_D_Buy:
      out.side = Side::buy;
      break;
    case USTP_FTDC_D_Sell:
      out.side = Side::sell;
      break;
    default:
      valid = false;
  }
  switch (req.OffsetFlag) {
    case USTP_FTDC_OF_Open:
      out.offset = Offset::open;
      break;
    case USTP_FTDC_OF_Close:
      out.offset = Offset::close;
      break;
    case USTP_FTDC_OF_CloseToday:
      out.offset = Offset::close_today;
      break;
    case USTP_FTDC_OF_CloseYesterday:
      out.offset = Offset::close_yesterday;
      break;
    default:
      valid = false;
  }
  switch (req.OrderPriceType) {
    case USTP_FTDC_OPT_LimitPrice:
      out.price_type = PriceType::limit;
      break;
    case USTP_FTDC_OPT_AnyPrice:
      out.price_type = PriceType::market;
      break;
    default:
      valid = false;  // best price, five levels and the stop variants are not simulated
  }
  switch (req.TimeCondition) {
    case USTP_FTDC_TC_GFD:
      out.time_condition = TimeCondition::gfd;
      break;
    case USTP_FTDC_TC_IOC:
      out.time_condition = TimeCondition::ioc;
      break;
    default:
      valid = false;
  }
  switch (req.VolumeCondition) {
    case USTP_FTDC_VC_AV:
      out.volume_condition = VolumeCondition::any;
      break;
    case USTP_FTDC_VC_CV:
      out.volume_condition = VolumeCondition::all;
      break;
    default:
      valid = false;
  }
  out.codes_valid = valid;
  out.volume = req.Volume;
  out.min_volume = req.MinVolume;
  out.price = req.LimitPrice;
  out.echo.assign(reinterpret_cast<const char*>(&req), sizeof(req));
  return out;
}

CUstpFtdcInputOrderField echoed_request(const std::string& echo) {
  CUstpFtdcInputOrderField req{};
  if (echo.size() == sizeof(req)) std::memcpy(&req, echo.data(), sizeof(req));
  return req;
}

void fill_order(CUstpFtdcOrderField& f, const Order& o) {
  const CUstpFtdcInputOrderField req = echoed_request(o.echo);
  put(f.BrokerID, o.broker_id);
  put(f.ExchangeID, o.exchange);
  put(f.OrderSysID, o.order_sys_id);
  put(f.InvestorID, o.investor_id);
  put(f.UserID, o.user_id);
  put(f.InstrumentID, o.instrument);
  put(f.UserOrderLocalID, o.order_ref);
  f.OrderPriceType = o.price_type == PriceType::market ? USTP_FTDC_OPT_AnyPrice : USTP_FTDC_OPT_LimitPrice;
  f.Direction = o.side == Side::buy ? USTP_FTDC_D_Buy : USTP_FTDC_D_Sell;
  f.OffsetFlag = req.OffsetFlag;
  f.HedgeFlag = req.HedgeFlag ? req.HedgeFlag : USTP_FTDC_CHF_Speculation;
  f.LimitPrice = o.price;
  f.Volume = o.volume_original;
  f.TimeCondition = o.time_condition == TimeCondition::ioc ? USTP_FTDC_TC_IOC : USTP_FTDC_TC_GFD;
  std::memcpy(f.GTDDate, req.GTDDate, sizeof f.GTDDate);
  f.VolumeCondition = o.volume_condition == VolumeCondition::all ? USTP_FTDC_VC_CV : USTP_FTDC_VC_AV;
  f.MinVolume = o.min_volume;
  f.StopPrice = req.StopPrice;
  f.ForceCloseReason = req.ForceCloseReason;
  f.IsAutoSuspend = req.IsAutoSuspend;
  std::memcpy(f.BusinessUnit, req.BusinessUnit, sizeof f.BusinessUnit);
  std::memcpy(f.UserCustom, req.UserCustom, sizeof f.UserCustom);
  f.BusinessLocalID = req.BusinessLocalID;
  put(f.ActionDay, o.insert_date);
  f.ArbiType = USTP_FTDC_AT_Basic;
  put(f.TradingDay, o.trading_day);
  put(f.ParticipantID, o.participant_id);
  put(f.OrderUserID, o.user_id);
  put(f.ClientID, o.client_id);
  put(f.InsertTime, o.insert_time);
  put(f.OrderLocalID, o.local_id);
  f.OrderSource = USTP_FTDC_OS_Participant;
  f.OrderStatus = status_code(o.status);
  put(f.CancelTime, o.cancel_time);
  f.VolumeTraded = o.volume_traded;
  f.VolumeRemain = o.volume_total;
  f.OrderType = USTP_FTDC_OT_Common;
}

void fill_trade(CUstpFtdcTradeField& f, const Trade& t) {
  const CUstpFtdcInputOrderField req = echoed_request(t.echo);
  put(f.BrokerID, t.broker_id);
  put(f.ExchangeID, t.exchange);
  put(f.TradingDay, t.trading_day);
  put(f.ParticipantID, t.participant_id);
  put(f.InvestorID, t.investor_id);
  put(f.ClientID, t.client_id);
  put(f.UserID, t.user_id);
  put(f.OrderUserID, t.user_id);
  put(f.TradeID, t.trade_id);
  put(f.OrderSysID, t.order_sys_id);
  put(f.UserOrderLocalID, t.order_ref);
  put(f.InstrumentID, t.instrument);
  f.Direction = t.side == Side::buy ? USTP_FTDC_D_Buy : USTP_FTDC_D_Sell;
  f.OffsetFlag = req.OffsetFlag ? req.OffsetFlag : USTP_FTDC_OF_Open;
  f.HedgeFlag = req.HedgeFlag ? req.HedgeFlag : USTP_FTDC_CHF_Speculation;
  f.TradePrice = t.price;
  f.TradeVolume = t.volume;
  put(f.TradeTime, t.trade_time);
  put(f.ClearingPartID, t.participant_id);
  put(f.ActionDay, t.trade_date);
  f.ArbiType = USTP_FTDC_AT_Basic;
}

void fill_tick(CUstpFtdcDepthMarketDataField& f, const Tick& t) {
  std::memcpy(f.TradingDay, t.trading_day, sizeof f.TradingDay);
  std::memcpy(f.ActionDay, t.action_day, sizeof f.ActionDay);
  std::memcpy(f.UpdateTime, t.update_time, sizeof f.UpdateTime);
  f.UpdateMillisec = t.update_millisec;
  put(f.InstrumentID, field_view(t.instrument));
  f.PreSettlementPrice = t.pre_settlement;
  f.PreClosePrice = t.pre_close;
  f.PreOpenInterest = t.pre_open_interest;
  f.PreDelta = 0;
  f.OpenPrice = t.open;
  f.HighestPrice = t.high;
  f.LowestPrice = t.low;
  f.ClosePrice = t.close;
  f.UpperLimitPrice = t.upper_limit;
  f.LowerLimitPrice = t.lower_limit;
  f.SettlementPrice = t.settlement;
  f.CurrDelta = DBL_MAX;
  f.LastPrice = t.last;
  f.Volume = static_cast<int>(t.volume);
  f.Turnover = t.turnover;
  f.OpenInterest = t.open_interest;
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
  f.AvgPrice = t.average;
  f.ArbiType = USTP_FTDC_AT_Basic;
}

void fill_instrument(CUstpFtdcRspInstrumentField& f, const InstrumentRecord& r) {
  const InstrumentConfig& spec = r.spec;
  put(f.ExchangeID, spec.exchange);
  put(f.ProductID, spec.product_id);
  put(f.ProductName, gb(spec.product_id));
  put(f.InstrumentID, spec.id);
  put(f.InstrumentName, gb(spec.name));
  f.DeliveryYear = std::atoi(spec.expire_date.substr(0, 4).c_str());
  f.DeliveryMonth = std::atoi(spec.expire_date.substr(4, 2).c_str());
  f.MaxLimitOrderVolume = spec.max_limit_volume;
  f.MinLimitOrderVolume = spec.min_limit_volume;
  f.MaxMarketOrderVolume = spec.max_market_volume;
  f.MinMarketOrderVolume = 1;
  f.VolumeMultiple = spec.multiplier;
  f.PriceTick = spec.price_tick;
  f.Currency = USTP_FTDC_C_RMB;
  f.LowerLimitPrice = r.lower;
  f.UpperLimitPrice = r.upper;
  f.PreSettlementPrice = r.pre_settlement;
  f.InstrumentStatus = USTP_FTDC_IS_Continous;
  put(f.CreateDate, spec.open_date);
  put(f.OpenDate, spec.open_date);
  put(f.ExpireDate, spec.expire_date);
  put(f.StartDelivDate, spec.expire_date);
  put(f.EndDelivDate, spec.expire_date);
  f.IsTrading = 1;
  f.PositionType = USTP_FTDC_PT_Gross;
  f.OptionsType = USTP_FTDC_OT_NotOptions;  // the simulator lists futures (no ProductClass in FEMAS)
  put(f.CurrencyID, "CNY");
  f.ArbiType = USTP_FTDC_AT_Basic;
}

void fill_account(CUstpFtdcRspInvestorAccountField& f, const AccountRecord& a) {
  put(f.BrokerID, a.broker_id);
  put(f.InvestorID, a.account_id);
  put(f.AccountID, a.account_id);
  f.PreBalance = a.pre_balance;
  f.FrozenMargin = a.frozen_margin;
  f.FrozenFee = a.frozen_commission;
  f.Fee = a.commission;
  f.CloseProfit = a.close_profit;
  f.PositionProfit = a.position_profit;
  f.Available = a.available;
  f.Margin = a.margin;
  f.DynamicRights = a.balance;
}

void fill_login(CUstpFtdcRspUserLoginField& f, const LoginResult& r, std::string_view system_name) {
  put(f.TradingDay, r.trading_day);
  put(f.BrokerID, r.broker_id);
  put(f.UserID, r.user_id);
  put(f.LoginTime, r.login_time);
  put(f.ExchangeTime, r.login_time);
  put(f.MaxOrderLocalID, std::to_string(r.max_order_ref));
  put(f.TradingSystemName, system_name);
  put(f.ActionDay, r.trading_day);
  put(f.FemasVersion, "3.02");
}

void add_position(CUstpFtdcRspInvestorPositionField& f, const PositionRecord& p) {
  put(f.InvestorID, p.investor_id);
  put(f.BrokerID, p.broker_id);
  put(f.ExchangeID, p.exchange);
  put(f.ClientID, p.investor_id);
  put(f.InstrumentID, p.instrument);
  f.Direction = p.side == PositionSide::long_side ? USTP_FTDC_D_Buy : USTP_FTDC_D_Sell;
  f.HedgeFlag = USTP_FTDC_CHF_Speculation;
  // A long position is frozen by sell-close orders (the core's short_frozen), a short one by buy-close orders.
  const int closing = p.side == PositionSide::long_side ? p.short_frozen : p.long_frozen;
  f.Position += p.position;
  f.PositionCost += p.position_cost;
  f.UsedMargin += p.margin;
  f.FrozenClosing += closing;
  f.FrozenPosition += closing;
  f.SpeculationPosition += p.position;
  f.YdPosition += p.position - p.today_position;  // yesterday's volume still held
  if (p.date == PositionDate::history) {
    f.YdPositionCost += p.position_cost;
    f.YdFrozenClosing += closing;
  }
  put(f.Currency, "CNY");
}

}  // namespace vtcore::sim::femas
