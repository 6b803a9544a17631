#include "convert.hpp"

#include <cstring>

#include "TORATstpSPTraderApi.h"
#include "trader_fields.hpp"
#include "vtcore/sim/ashare.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::tora {
namespace {

struct Text {
  int id;
  const char* text;
};

Text text_of(Error error) {
  switch (error) {
    case Error::none:
      return {0, "正确"};
    case Error::invalid_login:
      return {3, "登录账户或密码错误"};
    case Error::not_logged_in:
      return {6, "尚未登录"};
    case Error::bad_field:
      return {15, "报单字段有误"};
    case Error::instrument_not_found:
      return {16, "找不到证券"};
    case Error::duplicate_order_ref:
      return {22, "报单引用重复"};
    case Error::bad_order_action_field:
      return {23, "撤单字段有误"};
    case Error::order_not_found:
      return {25, "撤单找不到相应报单"};
    case Error::unsuitable_order_status:
      return {26, "报单已全部成交或已撤销，不能再撤"};
    case Error::not_implemented:
      return {27, "不支持的功能"};
    case Error::over_close_position:
    case Error::over_close_today_position:
    case Error::over_close_yesterday_position:
      return {30, "可用持仓不足"};
    case Error::insufficient_money:
      return {31, "可用资金不足"};
    case Error::settlement_not_confirmed:
      return {42, "账户尚未就绪"};
    case Error::auth_failed:
    case Error::not_authenticated:
      return {63, "终端认证失败"};
    case Error::not_credit_account:
      return {65, "非信用账户不能进行融资融券交易"};
  }
  return {1, "错误"};
}

}  // namespace

template <class RspInfo>
RspInfo error_info(Error error, std::string_view detail) {
  RspInfo info{};
  const Text text = text_of(error);
  info.ErrorID = text.id;
  std::string message = text.text;
  if (!detail.empty()) message += std::string("(") + std::string(detail) + ")";
  put(info.ErrorMsg, to_gb18030(message).substr(0, sizeof(info.ErrorMsg) - 1));
  return info;
}

template md::CTORATstpRspInfoField error_info<md::CTORATstpRspInfoField>(Error, std::string_view);
template td::CTORATstpRspInfoField error_info<td::CTORATstpRspInfoField>(Error, std::string_view);
template TORASPAPI::CTORATstpSPRspInfoField error_info<TORASPAPI::CTORATstpSPRspInfoField>(Error, std::string_view);

char exchange_id(std::string_view exchange) {
  if (exchange == "SSE") return td::TORA_TSTP_EXD_SSE;
  if (exchange == "SZSE") return td::TORA_TSTP_EXD_SZSE;
  if (exchange == "BSE") return td::TORA_TSTP_EXD_BSE;
  return '\0';
}

std::string_view exchange_name(char id) {
  switch (id) {
    case td::TORA_TSTP_EXD_SSE:
      return "SSE";
    case td::TORA_TSTP_EXD_SZSE:
      return "SZSE";
    case td::TORA_TSTP_EXD_BSE:
      return "BSE";
    default:
      return "";
  }
}

std::string shareholder_of(std::string_view user, std::string_view exchange) {
  const char* prefix = exchange == "SSE" ? "A" : exchange == "SZSE" ? "0" : "8";
  return std::string(prefix) + std::string(user.substr(0, 9));
}

char market_id(std::string_view exchange) {
  return exchange == "SSE"    ? td::TORA_TSTP_MKD_SHA
         : exchange == "SZSE" ? td::TORA_TSTP_MKD_SZA
                              : td::TORA_TSTP_MKD_BJMain;
}

namespace {

double price(double value) { return value == kNoPrice ? 0.0 : value; }

}  // namespace

void fill_market_data(md::CTORATstpMarketDataField& out, const Tick& t, std::string_view name) {
  put(out.TradingDay, field_view(t.action_day));
  put(out.SecurityID, field_view(t.instrument));
  out.ExchangeID = exchange_id(field_view(t.exchange));
  put(out.SecurityName, to_gb18030(name));
  out.PreClosePrice = price(t.pre_settlement);
  out.OpenPrice = t.open;
  out.Volume = t.volume;
  out.Turnover = t.turnover;
  out.TradingCount = t.volume / 100;
  out.LastPrice = t.last;
  out.HighestPrice = t.high;
  out.LowestPrice = t.low;
  out.UpperLimitPrice = t.upper_limit;
  out.LowerLimitPrice = t.lower_limit;
  out.BidPrice1 = price(t.bid[0]);
  out.BidPrice2 = price(t.bid[1]);
  out.BidPrice3 = price(t.bid[2]);
  out.BidPrice4 = price(t.bid[3]);
  out.BidPrice5 = price(t.bid[4]);
  out.AskPrice1 = price(t.ask[0]);
  out.AskPrice2 = price(t.ask[1]);
  out.AskPrice3 = price(t.ask[2]);
  out.AskPrice4 = price(t.ask[3]);
  out.AskPrice5 = price(t.ask[4]);
  out.BidVolume1 = t.bid_volume[0];
  out.BidVolume2 = t.bid_volume[1];
  out.BidVolume3 = t.bid_volume[2];
  out.BidVolume4 = t.bid_volume[3];
  out.BidVolume5 = t.bid_volume[4];
  out.AskVolume1 = t.ask_volume[0];
  out.AskVolume2 = t.ask_volume[1];
  out.AskVolume3 = t.ask_volume[2];
  out.AskVolume4 = t.ask_volume[3];
  out.AskVolume5 = t.ask_volume[4];
  put(out.UpdateTime, field_view(t.update_time));
  out.UpdateMillisec = t.update_millisec;
  out.ClosePrice = price(t.close);
  out.SettlementPrice = 0;
  out.MDSecurityStat = '2';  // continuous trading
}

void fill_security(td::CTORATstpSecurityField& out, const InstrumentRecord& r, std::string_view trading_day) {
  const InstrumentConfig& spec = r.spec;
  const ashare::Board board = ashare::board_of(spec.id, spec.exchange, spec.kind);
  const ashare::Units units = ashare::units(board);
  put(out.TradingDay, trading_day);
  out.ExchangeID = exchange_id(spec.exchange);
  put(out.SecurityID, spec.id);
  put(out.SecurityName, to_gb18030(spec.name));
  put(out.ShortSecurityName, to_gb18030(spec.name));
  out.MarketID = market_id(spec.exchange);
  const bool sse = spec.exchange == "SSE", szse = spec.exchange == "SZSE";
  if (spec.kind == "fund")
    out.ProductID = sse ? td::TORA_TSTP_PID_SHFund : td::TORA_TSTP_PID_SZFund;
  else if (spec.kind == "bond")
    out.ProductID = sse ? td::TORA_TSTP_PID_SHBond : szse ? td::TORA_TSTP_PID_SZBond : td::TORA_TSTP_PID_BJBond;
  else if (board == ashare::Board::star)
    out.ProductID = td::TORA_TSTP_PID_SHKC;
  else
    out.ProductID = sse ? td::TORA_TSTP_PID_SHStock : szse ? td::TORA_TSTP_PID_SZStock : td::TORA_TSTP_PID_BJStock;
  out.SecurityType = spec.kind == "fund"
                         ? (sse ? td::TORA_TSTP_STP_SHSingleMarketStockETF : td::TORA_TSTP_STP_SZSingleMarketStockETF)
                         : (sse ? td::TORA_TSTP_STP_SHAShares : td::TORA_TSTP_STP_SZMainAShares);
  out.OrderUnit = '1';
  out.LimitBuyTradingUnit = units.step;
  out.MinLimitOrderBuyVolume = units.min_volume;
  out.MaxLimitOrderBuyVolume = spec.max_limit_volume;
  out.LimitSellTradingUnit = 1;
  out.MinLimitOrderSellVolume = 1;
  out.MaxLimitOrderSellVolume = spec.max_limit_volume;
  out.MarketBuyTradingUnit = units.step;
  out.MinMarketOrderBuyVolume = units.min_volume;
  out.MaxMarketOrderBuyVolume = spec.max_market_volume;
  out.MarketSellTradingUnit = 1;
  out.MinMarketOrderSellVolume = 1;
  out.MaxMarketOrderSellVolume = spec.max_market_volume;
  out.VolumeMultiple = 1;
  out.PriceTick = spec.price_tick;
  put(out.OpenDate, spec.open_date);
  out.ParValue = 1.0;
  out.bPriceLimit = 1;
  out.PreClosePrice = r.pre_settlement;
  out.UpperLimitPrice = r.upper;
  out.LowerLimitPrice = r.lower;
}

namespace {

// TORA's Direction codes of the cash and margin-trading businesses and the core's side / offset / credit for each
// (融资买入, 融券卖出, 卖券还款, 买券还券 need a credit account).
struct DirectionCode {
  char code;
  Side side;
  Offset offset;
  bool credit;
};
constexpr DirectionCode kDirections[] = {
    {td::TORA_TSTP_D_Buy, Side::buy, Offset::open, false},
    {td::TORA_TSTP_D_Sell, Side::sell, Offset::close, false},
    {td::TORA_TSTP_D_CreditBuy, Side::buy, Offset::open, true},
    {td::TORA_TSTP_D_CreditSell, Side::sell, Offset::open, true},
    {td::TORA_TSTP_D_SellRepay, Side::sell, Offset::close, true},
    {td::TORA_TSTP_D_BuyRepay, Side::buy, Offset::close, true},
};

}  // namespace

bool order_request(const td::CTORATstpInputOrderField& in, OrderRequest& out, std::string& why) {
  const DirectionCode* direction = nullptr;
  for (const DirectionCode& known : kDirections) {
    if (known.code == in.Direction) direction = &known;
  }
  if (direction == nullptr) {
    why = std::string("direction '") + in.Direction + "' is not supported";
    return false;
  }
  out.side = direction->side;
  out.offset = direction->offset;
  out.credit = direction->credit;
  const bool ioc = in.TimeCondition == td::TORA_TSTP_TC_IOC;
  const bool all = in.VolumeCondition == td::TORA_TSTP_VC_CV;
  if (in.TimeCondition != td::TORA_TSTP_TC_IOC && in.TimeCondition != td::TORA_TSTP_TC_GFD) {
    why = std::string("time condition '") + in.TimeCondition + "' is not supported";
    return false;
  }
  switch (in.OrderPriceType) {
    case td::TORA_TSTP_OPT_LimitPrice:
      out.price_type = PriceType::limit;
      break;
    case td::TORA_TSTP_OPT_FiveLevelPrice:
      out.price_type = ioc ? PriceType::market : PriceType::best5_or_limit;
      break;
    case td::TORA_TSTP_OPT_AnyPrice:
      out.price_type = all ? PriceType::market : PriceType::best_or_cancel;
      break;
    case td::TORA_TSTP_OPT_BestPrice:
      out.price_type = PriceType::reverse_best;
      break;
    case td::TORA_TSTP_OPT_HomeBestPrice:
      out.price_type = PriceType::forward_best;
      break;
    default:
      why = std::string("price type '") + in.OrderPriceType + "' is not supported";
      return false;
  }
  out.time_condition = ioc ? TimeCondition::ioc : TimeCondition::gfd;
  out.volume_condition = all ? VolumeCondition::all : VolumeCondition::any;
  take_order_fields(in, in.Direction, out);
  return true;
}

void fill_order(td::CTORATstpOrderField& out, const Order& o) {
  fill_order_fields(
      out, o,
      {td::TORA_TSTP_OST_Cached, td::TORA_TSTP_OST_Accepted, td::TORA_TSTP_OST_PartTraded, td::TORA_TSTP_OST_AllTraded,
       td::TORA_TSTP_OST_Rejected, td::TORA_TSTP_OST_PartTradeCanceled, td::TORA_TSTP_OST_AllCanceled});
  out.Direction = o.echo.size() >= kEchoCodes ? o.echo[3]
                  : o.side == Side::buy       ? td::TORA_TSTP_D_Buy
                                              : td::TORA_TSTP_D_Sell;
  out.LimitPrice = o.price;
  out.LotType = td::TORA_TSTP_LT_RoundLot;
  out.OrderSubmitStatus = o.status == OrderStatus::cancelled && o.submit_status != SubmitStatus::insert_rejected
                              ? td::TORA_TSTP_OSS_CancelSubmitted
                              : td::TORA_TSTP_OSS_InsertSubmitted;
  put(out.InsertUser, o.user_id);
  out.Turnover = o.price * o.volume_traded;
  out.OrderType = td::TORA_TSTP_ORDT_Normal;
}

void fill_trade(td::CTORATstpTradeField& out, const Trade& t) {
  fill_trade_fields(out, t);
  out.Direction = t.echo.size() >= kEchoCodes ? t.echo[3]
                  : t.side == Side::buy       ? td::TORA_TSTP_D_Buy
                                              : td::TORA_TSTP_D_Sell;
}

void fill_account(td::CTORATstpTradingAccountField& out, const AccountRecord& a, bool credit) {
  fill_account_fields(out, a);
  put(out.InvestorID, a.account_id);
  const double market_value = a.margin + a.position_profit;  // securities are held in full (margin ratio 1)
  out.Deposit = 0;
  out.FrozenCash = a.frozen_margin;
  out.AccountType = credit ? td::TORA_TSTP_FAT_Credit : td::TORA_TSTP_FAT_Normal;
  out.VirtualAssets = a.balance - market_value;
}

void fill_position(td::CTORATstpPositionField& out, const PositionRecord& p, std::string_view name) {
  fill_position_fields(out, p, market_id(p.exchange));
  put(out.SecurityName, to_gb18030(name));
  out.HistoryPosFrozen = p.short_frozen;
  out.TodayBSPos = p.today_position;
  out.TodayBSPosFrozen = 0;
  out.AvailablePosition =
      std::max(0, p.position - p.today_position - p.short_frozen);  // T+1: yesterday's shares less pending sells
  out.CurrentPosition = p.position;
  out.HistoryPosPrice = p.yd_position > 0 ? p.pre_settlement : 0.0;
  out.CloseProfit = p.day_totals ? p.close_profit : 0.0;
  out.TodayCommission = p.day_totals ? p.commission : 0.0;
  out.TodayTotalOpenVolume = p.day_totals ? p.open_volume : 0;
  out.TodayTotalCloseVolume = p.day_totals ? p.close_volume : 0;
  out.TodayTotalBuyAmount = p.day_totals ? p.open_amount : 0.0;
  out.TodayTotalSellAmount = p.day_totals ? p.close_amount : 0.0;
}

}  // namespace vtcore::sim::tora
