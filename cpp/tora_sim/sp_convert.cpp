#include "sp_convert.hpp"

#include <cmath>
#include <cstdio>

#include "trader_fields.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::tora {
namespace {

char offset_code(Offset offset) {
  return offset == Offset::open ? sp::TORA_TSTP_SP_OF_Open : sp::TORA_TSTP_SP_OF_Close;
}

}  // namespace

char sp_market_id(std::string_view exchange) {
  return exchange == "SSE" ? sp::TORA_TSTP_SP_MKD_SHA : sp::TORA_TSTP_SP_MKD_SZA;
}

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

bool order_request(const sp::CTORATstpSPInputOrderField& in, OrderRequest& out, std::string& why) {
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
  take_order_fields(in, in.CombHedgeFlag[0] ? in.CombHedgeFlag[0] : sp::TORA_TSTP_SP_HF_Speculation, out);
  return true;
}

void fill_order(sp::CTORATstpSPOrderField& out, const Order& o) {
  fill_order_fields(out, o,
                    {sp::TORA_TSTP_SP_OST_Handled, sp::TORA_TSTP_SP_OST_Accepted, sp::TORA_TSTP_SP_OST_PartTraded,
                     sp::TORA_TSTP_SP_OST_AllTraded, sp::TORA_TSTP_SP_OST_Failed,
                     sp::TORA_TSTP_SP_OST_PartTradedCancelled, sp::TORA_TSTP_SP_OST_Cancelled});
  if (o.echo.size() >= kEchoCodes) out.CombHedgeFlag[0] = o.echo[3];
  out.Direction = o.side == Side::buy ? sp::TORA_TSTP_SP_D_Buy : sp::TORA_TSTP_SP_D_Sell;
  out.CombOffsetFlag[0] = offset_code(o.offset);
  out.Price = o.price;
  out.MinVolume = o.min_volume;
  out.MarketID = sp_market_id(o.exchange);
  out.OrderOperateStatus = o.submit_status == SubmitStatus::insert_rejected ? sp::TORA_TSTP_SP_OOS_InsertRejected
                           : o.status == OrderStatus::cancelled             ? sp::TORA_TSTP_SP_OOS_CancelSubmitted
                                                                            : sp::TORA_TSTP_SP_OOS_Accepted;
  put(out.InsertUserID, o.user_id);
}

void fill_trade(sp::CTORATstpSPTradeField& out, const Trade& t) {
  fill_trade_fields(out, t);
  if (t.echo.size() >= kEchoCodes) out.HedgeFlag = t.echo[3];
  put(out.InsertUserID, t.user_id);
  out.Direction = t.side == Side::buy ? sp::TORA_TSTP_SP_D_Buy : sp::TORA_TSTP_SP_D_Sell;
  out.MarketID = sp_market_id(t.exchange);
  out.OffsetFlag = offset_code(t.offset);
}

void fill_sp_account(sp::CTORATstpSPTradingAccountField& out, const AccountRecord& a, double short_margin) {
  fill_account_fields(out, a);
  put(out.AccountOwner, a.account_id);
  out.AccountType = sp::TORA_TSTP_SP_FAT_Derivatives;
  out.FrozenMargin = a.frozen_margin;
  out.CurrMargin = short_margin;
}

void fill_sp_position(sp::CTORATstpSPPositionField& out, const PositionRecord& p, double last, int multiplier) {
  const bool is_long = p.side == PositionSide::long_side;
  fill_position_fields(out, p, sp_market_id(p.exchange));
  out.PosiDirection = is_long ? sp::TORA_TSTP_SP_PD_Long : sp::TORA_TSTP_SP_PD_Short;
  out.HedgeFlag = sp::TORA_TSTP_SP_HF_Speculation;
  out.TodayPos = p.today_position;
  // pending closes freeze the position: sell-close orders a long one, buy-close orders a short one
  out.HistoryPosFrozen = is_long ? p.short_frozen : p.long_frozen;
  out.OpenVolume = p.day_totals ? p.open_volume : 0;
  out.CloseVolume = p.day_totals ? p.close_volume : 0;
  out.OpenAmount = p.day_totals ? p.open_amount : 0.0;
  out.CloseAmount = p.day_totals ? p.close_amount : 0.0;
  out.Margin = is_long ? 0.0 : p.margin;  // a buyer paid the premium: no margin
  out.Commission = p.day_totals ? p.commission : 0.0;
  out.LastPrice = last;
  out.TodayCloseProfit = p.day_totals ? p.close_profit : 0.0;
  out.UnderlyingMultiple = multiplier;
}

}  // namespace vtcore::sim::tora
