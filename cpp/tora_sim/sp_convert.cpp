#include "sp_convert.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "vtcore/sim/text.hpp"

namespace vtcore::sim::tora {
namespace {

char sp_market_id(std::string_view exchange) {
  return exchange == "SSE" ? sp::TORA_TSTP_SP_MKD_SHA : sp::TORA_TSTP_SP_MKD_SZA;
}

char offset_code(Offset offset) {
  return offset == Offset::open ? sp::TORA_TSTP_SP_OF_Open : sp::TORA_TSTP_SP_OF_Close;
}

/// Echo bytes of an SP order: price type, time condition, volume condition, hedge flag, then the shareholder id.
constexpr std::size_t kEchoCodes = 4;

}  // namespace

std::string exchange_option_code(const InstrumentConfig& spec) {
  const std::string month = spec.expire_date.size() == 8 ? spec.expire_date.substr(2, 4) : std::string("0000");
  char strike[16];
  std::snprintf(strike, sizeof(strike), "%05ld", std::lround(spec.strike * 1000));
  return spec.underlying + spec.option_type + month + "M" + strike;
}

void fill_sp_security(sp::CTORATstpSPSecurityField& out, const InstrumentRecord& r, double underlying_close,
                      std::string_view trading_day) {
  const InstrumentConfig& spec = r.spec;
  const bool sse = spec.exchange == "SSE", call = spec.option_type == 'C';
  out.ExchangeID = exchange_id(spec.exchange);
  put(out.SecurityID, spec.id);
  put(out.ExchSecurityID, exchange_option_code(spec));
  put(out.SecurityName, to_gb18030(spec.name));
  put(out.UnderlyingSecurityID, spec.underlying);
  out.UnderlyingMultiple = spec.multiplier;
  out.StrikeMode = 'E';  // European
  out.OptionsType = call ? sp::TORA_TSTP_SP_CP_CallOptions : sp::TORA_TSTP_SP_CP_PutOptions;
  out.MarketID = sp_market_id(spec.exchange);
  out.ProductID = sse ? sp::TORA_TSTP_SP_PID_SHStockOption : sp::TORA_TSTP_SP_PID_SZStockOption;
  out.SecurityType =
      sse ? (call ? sp::TORA_TSTP_SP_STP_SHCallFundStockOption : sp::TORA_TSTP_SP_STP_SHPullFundStockOption)
          : (call ? sp::TORA_TSTP_SP_STP_SZCallFundStockOption : sp::TORA_TSTP_SP_STP_SZPullFundStockOption);
  out.OrderUnit = '1';
  out.BuyTradingUnit = out.SellTradingUnit = 1;
  out.MinLimitOrderBuyVolume = out.MinLimitOrderSellVolume = spec.min_limit_volume;
  out.MaxLimitOrderBuyVolume = out.MaxLimitOrderSellVolume = spec.max_limit_volume;
  out.MinMarketOrderBuyVolume = out.MinMarketOrderSellVolume = spec.min_limit_volume;
  out.MaxMarketOrderBuyVolume = out.MaxMarketOrderSellVolume = spec.max_market_volume;
  out.VolumeMultiple = spec.multiplier;
  out.PriceTick = spec.price_tick;
  out.PositionType = '1';
  out.SecurityStatus = 0;
  out.StrikePrice = spec.strike;
  put(out.FirstDate, spec.open_date);
  put(out.LastDate, spec.expire_date);
  put(out.StrikeDate, spec.expire_date);
  put(out.ExpireDate, spec.expire_date);
  put(out.DelivDate, spec.expire_date);
  out.IsUpDownLimit = 1;
  out.PreSettlementPrice = r.pre_settlement;
  out.PreClosePrice = r.pre_settlement;
  out.UnderlyingPreClosePrice = underlying_close;
  out.PreOpenInterest = spec.pre_open_interest;
  out.UpperLimitPrice = r.upper;
  out.LowerLimitPrice = r.lower;
  (void)trading_day;
}

bool sp_order_request(const sp::CTORATstpSPInputOrderField& in, OrderRequest& out, std::string& why) {
  if (in.Direction != sp::TORA_TSTP_SP_D_Buy && in.Direction != sp::TORA_TSTP_SP_D_Sell) {
    why = std::string("direction '") + in.Direction + "' is not supported";
    return false;
  }
  out.side = in.Direction == sp::TORA_TSTP_SP_D_Buy ? Side::buy : Side::sell;
  switch (in.CombOffsetFlag[0]) {
    case sp::TORA_TSTP_SP_OF_Open:
      out.offset = Offset::open;
      break;
    case sp::TORA_TSTP_SP_OF_Close:
    case sp::TORA_TSTP_SP_OF_CloseToday:
    case sp::TORA_TSTP_SP_OF_CloseYesterday:
      out.offset = Offset::close;  // the option exchanges close yesterday's first, then today's
      break;
    default:
      why = std::string("offset '") + in.CombOffsetFlag[0] + "' is not supported";
      return false;
  }
  if (in.OrderPriceType != sp::TORA_TSTP_SP_OPT_LimitPrice) {
    why = std::string("price type '") + in.OrderPriceType + "' is not supported (limit orders only)";
    return false;
  }
  if (in.TimeCondition != sp::TORA_TSTP_SP_TC_GFD && in.TimeCondition != sp::TORA_TSTP_SP_TC_IOC) {
    why = std::string("time condition '") + in.TimeCondition + "' is not supported";
    return false;
  }
  const bool all = in.VolumeCondition == sp::TORA_TSTP_SP_VC_CV;
  out.price_type = PriceType::limit;
  out.time_condition = in.TimeCondition == sp::TORA_TSTP_SP_TC_IOC ? TimeCondition::ioc : TimeCondition::gfd;
  out.volume_condition = all ? VolumeCondition::all : VolumeCondition::any;
  out.instrument = std::string(field_view(in.SecurityID));
  out.exchange = std::string(exchange_name(in.ExchangeID));
  out.order_ref = std::to_string(in.OrderRef);
  out.volume = in.VolumeTotalOriginal;
  out.price = in.LimitPrice;
  const char codes[kEchoCodes] = {in.OrderPriceType, in.TimeCondition, in.VolumeCondition,
                                  in.CombHedgeFlag[0] ? in.CombHedgeFlag[0] : sp::TORA_TSTP_SP_HF_Speculation};
  out.echo.assign(codes, sizeof(codes));
  out.echo.append(field_view(in.ShareholderID));
  return true;
}

void fill_sp_order(sp::CTORATstpSPOrderField& out, const Order& o) {
  put(out.TradingDay, o.trading_day);
  out.ExchangeID = exchange_id(o.exchange);
  put(out.SecurityID, o.instrument);
  out.FrontID = o.front_id;
  out.SessionID = o.session_id;
  out.OrderRef = std::atoi(o.order_ref.c_str());
  put(out.OrderSysID, o.order_sys_id);
  const size_t start = o.local_id.find_first_not_of(' ');
  put(out.OrderLocalID, start == std::string::npos ? std::string() : o.local_id.substr(start));
  if (o.echo.size() >= kEchoCodes) {
    out.OrderPriceType = o.echo[0];
    out.TimeCondition = o.echo[1];
    out.VolumeCondition = o.echo[2];
    out.CombHedgeFlag[0] = o.echo[3];
    put(out.ShareholderID, std::string_view(o.echo).substr(kEchoCodes));
  }
  out.Direction = o.side == Side::buy ? sp::TORA_TSTP_SP_D_Buy : sp::TORA_TSTP_SP_D_Sell;
  out.CombOffsetFlag[0] = offset_code(o.offset);
  out.Price = o.price;
  out.VolumeTotalOriginal = o.volume_original;
  out.MinVolume = o.min_volume;
  out.RequestID = o.request_id;
  out.MarketID = sp_market_id(o.exchange);
  switch (o.status) {
    case OrderStatus::unknown:
      out.OrderStatus = sp::TORA_TSTP_SP_OST_Handled;
      break;
    case OrderStatus::queued:
      out.OrderStatus = sp::TORA_TSTP_SP_OST_Accepted;
      break;
    case OrderStatus::part_traded:
      out.OrderStatus = sp::TORA_TSTP_SP_OST_PartTraded;
      break;
    case OrderStatus::all_traded:
      out.OrderStatus = sp::TORA_TSTP_SP_OST_AllTraded;
      break;
    case OrderStatus::cancelled:
      out.OrderStatus = o.submit_status == SubmitStatus::insert_rejected ? sp::TORA_TSTP_SP_OST_Failed
                        : o.volume_traded > 0                            ? sp::TORA_TSTP_SP_OST_PartTradedCancelled
                                                                         : sp::TORA_TSTP_SP_OST_Cancelled;
      break;
  }
  out.OrderOperateStatus = o.submit_status == SubmitStatus::insert_rejected ? sp::TORA_TSTP_SP_OOS_InsertRejected
                           : o.status == OrderStatus::cancelled             ? sp::TORA_TSTP_SP_OOS_CancelSubmitted
                                                                            : sp::TORA_TSTP_SP_OOS_Accepted;
  out.VolumeTraded = o.volume_traded;
  put(out.InsertDate, o.insert_date);
  put(out.InsertTime, o.insert_time);
  put(out.AcceptTime, o.insert_time);
  put(out.CancelTime, o.cancel_time);
  put(out.InvestorID, o.investor_id);
  put(out.StatusMsg, to_gb18030(o.status_message));
  put(out.InsertUserID, o.user_id);
  put(out.BusinessUnitID, o.investor_id);
  put(out.AccountID, o.investor_id);
  out.CurrencyID = '1';  // CNY
  out.VolumeCanceled = o.status == OrderStatus::cancelled ? o.volume_total : 0;
}

void fill_sp_trade(sp::CTORATstpSPTradeField& out, const Trade& t) {
  put(out.InvestorID, t.investor_id);
  put(out.SecurityID, t.instrument);
  put(out.InsertUserID, t.user_id);
  out.ExchangeID = exchange_id(t.exchange);
  put(out.TradeID, t.trade_id);
  out.Direction = t.side == Side::buy ? sp::TORA_TSTP_SP_D_Buy : sp::TORA_TSTP_SP_D_Sell;
  put(out.OrderSysID, t.order_sys_id);
  out.MarketID = sp_market_id(t.exchange);
  if (t.echo.size() >= kEchoCodes) {
    out.HedgeFlag = t.echo[3];
    put(out.ShareholderID, std::string_view(t.echo).substr(kEchoCodes));
  }
  out.OffsetFlag = offset_code(t.offset);
  out.Price = t.price;
  out.Volume = t.volume;
  put(out.TradeDate, t.trade_date);
  put(out.TradeTime, t.trade_time);
  const size_t start = t.local_id.find_first_not_of(' ');
  put(out.OrderLocalID, start == std::string::npos ? std::string() : t.local_id.substr(start));
  put(out.TradingDay, t.trading_day);
  put(out.BusinessUnitID, t.investor_id);
  put(out.AccountID, t.investor_id);
  out.CurrencyID = '1';
  out.OrderRef = std::atoi(t.order_ref.c_str());
}

void fill_sp_account(sp::CTORATstpSPTradingAccountField& out, const AccountRecord& a, double short_margin) {
  put(out.AccountID, a.account_id);
  put(out.AccountOwner, a.account_id);
  out.CurrencyID = '1';
  out.AccountType = sp::TORA_TSTP_SP_FAT_Derivatives;
  out.PreDeposit = a.pre_balance;
  out.UsefulMoney = a.available;
  out.FetchLimit = a.withdraw_quota;
  out.FrozenMargin = a.frozen_margin;
  out.FrozenCommission = a.frozen_commission;
  out.CurrMargin = short_margin;
  out.Commission = a.commission;
}

void fill_sp_position(sp::CTORATstpSPPositionField& out, const PositionRecord& p, double last, int multiplier) {
  const bool is_long = p.side == PositionSide::long_side;
  put(out.InvestorID, p.investor_id);
  put(out.BusinessUnitID, p.investor_id);
  out.MarketID = sp_market_id(p.exchange);
  put(out.ShareholderID, shareholder_of(p.investor_id, p.exchange));
  put(out.TradingDay, p.trading_day);
  out.ExchangeID = exchange_id(p.exchange);
  put(out.SecurityID, p.instrument);
  out.PosiDirection = is_long ? sp::TORA_TSTP_SP_PD_Long : sp::TORA_TSTP_SP_PD_Short;
  out.HedgeFlag = sp::TORA_TSTP_SP_HF_Speculation;
  out.HistoryPos = p.position - p.today_position;
  out.TodayPos = p.today_position;
  // pending closes freeze the position: sell-close orders a long one, buy-close orders a short one
  out.HistoryPosFrozen = is_long ? p.short_frozen : p.long_frozen;
  out.TotalPosCost = p.position_cost;
  out.OpenVolume = p.day_totals ? p.open_volume : 0;
  out.CloseVolume = p.day_totals ? p.close_volume : 0;
  out.OpenAmount = p.day_totals ? p.open_amount : 0.0;
  out.CloseAmount = p.day_totals ? p.close_amount : 0.0;
  out.Margin = is_long ? 0.0 : p.margin;  // a buyer paid the premium: no margin
  out.Commission = p.day_totals ? p.commission : 0.0;
  out.PrePosition = p.yd_position;
  out.LastPrice = last;
  out.OpenPosCost = p.open_cost;
  out.TodayCloseProfit = p.day_totals ? p.close_profit : 0.0;
  out.UnderlyingMultiple = multiplier;
}

}  // namespace vtcore::sim::tora
