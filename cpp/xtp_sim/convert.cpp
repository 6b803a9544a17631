#include "convert.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "vtcore/sim/ashare.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::xtp {
namespace {

struct Text {
  int id;
  const char* text;
};

Text text_of(Error error) {
  switch (error) {
    case Error::none:
      return {0, ""};
    case Error::invalid_login:
      return {11000004, "Login failed: invalid user or password."};
    case Error::not_logged_in:
      return {10210302, "Session failed: no connection."};
    case Error::bad_field:
      return {11000301, "Invalid order parameters."};
    case Error::instrument_not_found:
      return {11000350, "Ticker not found."};
    case Error::duplicate_order_ref:
      return {11000360, "Duplicate order."};
    case Error::bad_order_action_field:
      return {11000370, "Invalid cancel parameters."};
    case Error::order_not_found:
      return {11000380, "Order to cancel not found."};
    case Error::unsuitable_order_status:
      return {11000381, "Order already finished, it cannot be cancelled."};
    case Error::over_close_position:
    case Error::over_close_today_position:
    case Error::over_close_yesterday_position:
      return {11000410, "Insufficient sellable position."};
    case Error::insufficient_money:
      return {11000400, "Insufficient funds."};
    case Error::settlement_not_confirmed:
      return {11000390, "Account not ready for trading."};
    case Error::auth_failed:
    case Error::not_authenticated:
      return {11000005, "Software key not accepted."};
    case Error::not_implemented:
      return {11000099, "Not supported by the simulator."};
    case Error::not_credit_account:
      return {11000420, "Margin trading is not enabled for this account."};
  }
  return {11000000, "Error."};
}

// XTP's side codes of the cash and margin businesses and the core's side / offset / credit for each.
struct SideCode {
  std::uint8_t side;
  Side core_side;
  Offset offset;
  bool credit;
};
constexpr SideCode kSides[] = {
    {XTP_SIDE_BUY, Side::buy, Offset::open, false},           {XTP_SIDE_SELL, Side::sell, Offset::close, false},
    {XTP_SIDE_MARGIN_TRADE, Side::buy, Offset::open, true},   {XTP_SIDE_SHORT_SELL, Side::sell, Offset::open, true},
    {XTP_SIDE_REPAY_MARGIN, Side::sell, Offset::close, true}, {XTP_SIDE_REPAY_STOCK, Side::buy, Offset::close, true},
};

// What an order carries besides the core's fields, kept in Order::echo and read back for its reports.
struct Echo {
  std::uint32_t client_id;
  XTP_PRICE_TYPE price_type;
  std::uint8_t side;
  std::uint8_t position_effect;
  XTP_BUSINESS_TYPE business_type;
};

Echo echo_of(const std::string& bytes) {
  Echo echo{};
  if (bytes.size() == sizeof(echo)) std::memcpy(&echo, bytes.data(), sizeof(echo));
  return echo;
}

double price(double value) { return value == kNoPrice ? 0.0 : value; }

std::uint64_t number(std::string_view digits) {
  std::uint64_t value = 0;
  for (char c : digits)
    if (c >= '0' && c <= '9') value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

}  // namespace

XTPRI error_info(int id, std::string_view text) {
  XTPRI info{};
  info.error_id = id;
  if (id != 0) {
    const std::string message = "[XTP:" + std::to_string(id) + "]" + std::string(text);
    put(info.error_msg, std::string_view(message).substr(0, sizeof(info.error_msg) - 1));
  }
  return info;
}

XTPRI error_info(Error error, std::string_view detail) {
  const Text text = text_of(error);
  std::string message = text.text;
  if (!detail.empty()) message += std::string(" (") + std::string(detail) + ")";
  return error_info(text.id, message);
}

std::int64_t xtp_time(std::string_view date, std::string_view time, int millis) {
  if (date.size() != 8 || time.size() != 8) return 0;
  const std::int64_t day = static_cast<std::int64_t>(number(date));
  const std::int64_t clock = static_cast<std::int64_t>(number(time));  // HHMMSS (the colons are skipped)
  return (day * 1'000'000 + clock) * 1000 + millis;
}

XTP_EXCHANGE_TYPE exchange_type(std::string_view exchange) {
  return exchange == "SSE" ? XTP_EXCHANGE_SH : exchange == "SZSE" ? XTP_EXCHANGE_SZ : XTP_EXCHANGE_UNKNOWN;
}

XTP_MARKET_TYPE market_type(std::string_view exchange) {
  return exchange == "SSE" ? XTP_MKT_SH_A : exchange == "SZSE" ? XTP_MKT_SZ_A : XTP_MKT_UNKNOWN;
}

std::string_view exchange_name(int exchange_type) {
  return exchange_type == XTP_EXCHANGE_SH ? "SSE" : exchange_type == XTP_EXCHANGE_SZ ? "SZSE" : "";
}

std::string_view market_name(int market_type) {
  return market_type == XTP_MKT_SH_A ? "SSE" : market_type == XTP_MKT_SZ_A ? "SZSE" : "";
}

void fill_market_data(XTPMD& out, const Tick& t) {
  out.exchange_id = exchange_type(field_view(t.exchange));
  put(out.ticker, field_view(t.instrument));
  out.last_price = t.last;
  out.pre_close_price = price(t.pre_settlement);
  out.open_price = t.open;
  out.high_price = t.high;
  out.low_price = t.low;
  out.close_price = price(t.close);
  out.upper_limit_price = t.upper_limit;
  out.lower_limit_price = t.lower_limit;
  out.data_time = xtp_time(field_view(t.action_day), field_view(t.update_time), t.update_millisec);
  out.qty = t.volume;
  out.turnover = t.turnover;
  out.avg_price = t.volume > 0 ? t.turnover / static_cast<double>(t.volume) : 0.0;
  for (int level = 0; level < 5; ++level) {
    out.bid[level] = price(t.bid[level]);
    out.ask[level] = price(t.ask[level]);
    out.bid_qty[level] = t.bid_volume[level];
    out.ask_qty[level] = t.ask_volume[level];
  }
  out.trades_count = t.volume / 100;
  put(out.ticker_status, "T111");
  out.data_type = XTP_MARKETDATA_ACTUAL;
  out.data_type_v2 = XTP_MARKETDATA_V2_ACTUAL;
}

namespace {

XTP_TICKER_TYPE ticker_type(const InstrumentConfig& spec) {
  if (spec.kind == "fund") return XTP_TICKER_TYPE_FUND;
  if (spec.kind == "bond") return XTP_TICKER_TYPE_BOND;
  return ashare::board_of(spec.id, spec.exchange, spec.kind) == ashare::Board::star ? XTP_TICKER_TYPE_TECH_STOCK
                                                                                    : XTP_TICKER_TYPE_STOCK;
}

}  // namespace

void fill_static_info(XTPQSI& out, const InstrumentRecord& r) {
  out.exchange_id = exchange_type(r.spec.exchange);
  put(out.ticker, r.spec.id);
  put(out.ticker_name, r.spec.name);
  out.ticker_type = ticker_type(r.spec);
  out.pre_close_price = r.pre_settlement;
  out.upper_limit_price = r.upper;
  out.lower_limit_price = r.lower;
  out.price_tick = r.spec.price_tick;
  out.buy_qty_unit = r.spec.lot;
  out.sell_qty_unit = 1;  // a sell may carry the odd remainder of a position
}

void fill_full_info(XTPQFI& out, const InstrumentRecord& r) {
  out.exchange_id = exchange_type(r.spec.exchange);
  put(out.ticker, r.spec.id);
  put(out.ticker_name, r.spec.name);
  out.security_type = r.spec.kind == "fund" ? XTP_SECURITY_ETF_SINGLE_MARKET_STOCK : XTP_SECURITY_MAIN_BOARD;
  out.is_have_price_limit = true;
  out.upper_limit_price = r.upper;
  out.lower_limit_price = r.lower;
  out.pre_close_price = r.pre_settlement;
  out.price_tick = r.spec.price_tick;
  const ashare::Units units = ashare::units(ashare::board_of(r.spec.id, r.spec.exchange, r.spec.kind));
  out.bid_qty_upper_limit = out.ask_qty_upper_limit = r.spec.max_limit_volume;
  out.bid_qty_lower_limit = units.min_volume;
  out.bid_qty_unit = units.step;
  out.ask_qty_lower_limit = 1;
  out.ask_qty_unit = 1;
  out.market_bid_qty_upper_limit = out.market_ask_qty_upper_limit = r.spec.max_market_volume;
  out.market_bid_qty_lower_limit = units.min_volume;
  out.market_bid_qty_unit = units.step;
  out.market_ask_qty_lower_limit = out.market_ask_qty_unit = 1;
  out.security_status = XTP_SECURITY_STATUS_OTHERS;
}

bool order_request(const XTPOrderInsertInfo& in, std::uint64_t xtp_id, OrderRequest& out, std::string& why) {
  const SideCode* side = nullptr;
  for (const SideCode& code : kSides)
    if (code.side == in.side) side = &code;
  if (side == nullptr) {
    why = "side " + std::to_string(in.side) + " is not a stock business";
    return false;
  }
  const bool margin = in.business_type == XTP_BUSINESS_TYPE_MARGIN;
  if (!margin && in.business_type != XTP_BUSINESS_TYPE_CASH) {
    why = "business type " + std::to_string(in.business_type) + " is not supported";
    return false;
  }
  if (side->credit && !margin) {
    why = "side " + std::to_string(in.side) + " needs business type MARGIN";
    return false;
  }
  switch (in.price_type) {
    case XTP_PRICE_LIMIT:
      out.price_type = PriceType::limit;
      break;
    case XTP_PRICE_BEST_OR_CANCEL:
      out.price_type = PriceType::best_or_cancel;
      break;
    case XTP_PRICE_BEST5_OR_LIMIT:
      out.price_type = PriceType::best5_or_limit;
      break;
    case XTP_PRICE_BEST5_OR_CANCEL:
      out.price_type = PriceType::market;
      break;
    case XTP_PRICE_ALL_OR_CANCEL:
      out.price_type = PriceType::market;
      out.volume_condition = VolumeCondition::all;
      out.time_condition = TimeCondition::ioc;
      break;
    case XTP_PRICE_FORWARD_BEST:
      out.price_type = PriceType::forward_best;
      break;
    case XTP_PRICE_REVERSE_BEST_LIMIT:
      out.price_type = PriceType::reverse_best;
      break;
    default:
      why = "price type " + std::to_string(in.price_type) + " is not supported";
      return false;
  }
  if (in.quantity <= 0 || in.quantity > 100'000'000) {
    why = "quantity " + std::to_string(in.quantity) + " is out of range";
    return false;
  }
  const std::string_view exchange = market_name(in.market);
  if (exchange.empty()) {
    why = "market " + std::to_string(in.market) + " is unknown";
    return false;
  }
  out.instrument = std::string(field_view(in.ticker));
  out.exchange = std::string(exchange);
  out.order_ref = std::to_string(xtp_id);
  out.side = side->core_side;
  out.offset = side->offset;
  out.credit = side->credit;
  out.volume = static_cast<int>(in.quantity);
  out.price = in.price;
  const Echo echo{in.order_client_id, in.price_type, in.side, in.position_effect, in.business_type};
  out.echo.assign(reinterpret_cast<const char*>(&echo), sizeof(echo));
  return true;
}

void fill_order(XTPOrderInfo& out, XTPRI& error, const Order& o) {
  const Echo echo = echo_of(o.echo);
  out.order_xtp_id = number(o.order_ref);
  out.order_client_id = echo.client_id;
  put(out.ticker, o.instrument);
  out.market = market_type(o.exchange);
  out.price = o.price;
  out.quantity = o.volume_original;
  out.price_type = echo.price_type;
  out.side = echo.side;
  out.position_effect = echo.position_effect;
  out.business_type = echo.business_type;
  out.qty_traded = o.volume_traded;
  out.qty_left = o.volume_total;
  out.insert_time = xtp_time(o.insert_date, o.insert_time);
  out.update_time = xtp_time(o.insert_date, o.update_time);
  out.cancel_time = o.cancel_time.empty() ? 0 : xtp_time(o.insert_date, o.cancel_time);
  out.trade_amount = o.price * o.volume_traded;
  put(out.order_local_id, unpadded(o.local_id));
  out.order_type = XTP_ORDT_Normal;
  error = error_info(0, "");
  const bool refused = o.submit_status == SubmitStatus::insert_rejected;
  switch (o.status) {
    case OrderStatus::unknown:
      out.order_status = XTP_ORDER_STATUS_INIT;
      out.order_submit_status = XTP_ORDER_SUBMIT_STATUS_INSERT_SUBMITTED;
      break;
    case OrderStatus::queued:
      out.order_status = XTP_ORDER_STATUS_NOTRADEQUEUEING;
      out.order_submit_status = XTP_ORDER_SUBMIT_STATUS_INSERT_ACCEPTED;
      break;
    case OrderStatus::part_traded:
      out.order_status = XTP_ORDER_STATUS_PARTTRADEDQUEUEING;
      out.order_submit_status = XTP_ORDER_SUBMIT_STATUS_INSERT_ACCEPTED;
      break;
    case OrderStatus::all_traded:
      out.order_status = XTP_ORDER_STATUS_ALLTRADED;
      out.order_submit_status = XTP_ORDER_SUBMIT_STATUS_INSERT_ACCEPTED;
      break;
    case OrderStatus::cancelled:
      if (refused) {
        out.order_status = XTP_ORDER_STATUS_REJECTED;
        out.order_submit_status = XTP_ORDER_SUBMIT_STATUS_INSERT_REJECTED;
        error = error_info(11010000, o.status_message);  // the exchange's own words
      } else {
        out.order_status = o.volume_traded > 0 ? XTP_ORDER_STATUS_PARTTRADEDNOTQUEUEING : XTP_ORDER_STATUS_CANCELED;
        out.order_submit_status = XTP_ORDER_SUBMIT_STATUS_CANCEL_ACCEPTED;
      }
      break;
  }
}

void fill_refused(XTPOrderInfo& out, const XTPOrderInsertInfo& in, std::uint64_t xtp_id) {
  out.order_xtp_id = xtp_id;
  out.order_client_id = in.order_client_id;
  std::memcpy(out.ticker, in.ticker, sizeof(out.ticker));
  out.market = in.market;
  out.price = in.price;
  out.quantity = in.quantity;
  out.price_type = in.price_type;
  out.u32 = in.u32;
  out.business_type = in.business_type;
  out.qty_left = in.quantity;
  out.order_status = XTP_ORDER_STATUS_REJECTED;
  out.order_submit_status = XTP_ORDER_SUBMIT_STATUS_INSERT_REJECTED;
  out.order_type = XTP_ORDT_Normal;
}

void fill_trade(XTPTradeReport& out, const Trade& t) {
  const Echo echo = echo_of(t.echo);
  out.order_xtp_id = number(t.order_ref);
  out.order_client_id = echo.client_id;
  put(out.ticker, t.instrument);
  out.market = market_type(t.exchange);
  out.local_order_id = number(t.local_id);
  put(out.exec_id, unpadded(t.trade_id));
  out.price = t.price;
  out.quantity = t.volume;
  out.trade_time = xtp_time(t.trade_date, t.trade_time);
  out.trade_amount = t.price * t.volume;
  out.report_index = static_cast<std::uint64_t>(t.sequence_no);
  put(out.order_exch_id, unpadded(t.order_sys_id));
  out.trade_type = XTP_TRDT_COMMON;
  out.side = echo.side;
  out.position_effect = echo.position_effect;
  out.business_type = echo.business_type;
  put(out.branch_pbu, "000000");
}

void fill_asset(XTPQueryAssetRsp& out, const AccountRecord& a, bool credit) {
  const double market_value = a.margin + a.position_profit;  // securities are held in full (margin ratio 1)
  out.total_asset = a.balance;
  out.buying_power = a.available;
  out.security_asset = market_value;
  out.withholding_amount = a.frozen_margin + a.frozen_commission;
  out.account_type = credit ? XTP_ACCOUNT_CREDIT : XTP_ACCOUNT_NORMAL;
  out.orig_banlance = a.pre_balance;
  out.banlance = a.balance - market_value;
  out.captial_asset = a.balance - market_value;
}

std::vector<Debt> debts_of(const std::vector<std::shared_ptr<const Trade>>& trades) {
  std::vector<Debt> debts;
  for (const auto& trade : trades) {
    const Trade& t = *trade;
    const std::uint8_t side = echo_of(t.echo).side;
    const double amount = t.price * t.volume;
    if (side == XTP_SIDE_MARGIN_TRADE || side == XTP_SIDE_SHORT_SELL) {
      const bool cash = side == XTP_SIDE_MARGIN_TRADE;
      const std::uint64_t order_id = number(t.order_ref);
      auto same = std::find_if(debts.begin(), debts.end(), [&](const Debt& d) { return d.order_xtp_id == order_id; });
      if (same == debts.end()) {  // one debt per order, its fills added up
        Debt debt;
        debt.type = cash ? 0 : 1;
        debt.order_xtp_id = order_id;
        debt.instrument = t.instrument;
        debt.exchange = t.exchange;
        debt.order_date = t.trade_date;
        same = debts.insert(debts.end(), std::move(debt));
      }
      same->remain_amount += amount;
      if (!cash) same->remain_qty += t.volume;
    } else if (side == XTP_SIDE_REPAY_MARGIN) {
      double paid = amount;
      for (Debt& debt : debts) {
        if (debt.type != 0 || paid <= 0) continue;
        const double part = std::min(paid, debt.remain_amount);
        debt.remain_amount -= part;
        paid -= part;
      }
    } else if (side == XTP_SIDE_REPAY_STOCK) {
      std::int64_t returned = t.volume;
      for (Debt& debt : debts) {
        if (debt.type != 1 || debt.instrument != t.instrument || returned <= 0) continue;
        const std::int64_t part = std::min(returned, debt.remain_qty);
        debt.remain_amount -=
            debt.remain_qty > 0 ? debt.remain_amount * static_cast<double>(part) / static_cast<double>(debt.remain_qty)
                                : 0.0;
        debt.remain_qty -= part;
        returned -= part;
      }
    }
  }
  return debts;
}

void fill_debt(XTPCrdDebtInfo& out, const Debt& d) {
  out.debt_type = d.type;
  put(out.debt_id, std::to_string(d.order_xtp_id));
  out.order_xtp_id = d.order_xtp_id;
  const bool repaid = d.type == 0 ? d.remain_amount < 0.005 : d.remain_qty == 0;
  out.debt_status = repaid ? 1 : 0;
  out.market = market_type(d.exchange);
  put(out.ticker, d.instrument);
  out.order_date = number(d.order_date);
  out.remain_amt = d.remain_amount;
  out.remain_qty = d.remain_qty;
  out.remain_principal = d.remain_amount;  // the simulator charges no interest
}

void fill_credit_fund(XTPCrdFundInfo& out, const AccountRecord& a, const std::vector<Debt>& debts) {
  double debt = 0.0;
  for (const Debt& d : debts) debt += d.remain_amount;
  out.all_asset = a.balance;
  out.all_debt = debt;
  out.maintenance_ratio = debt > 0 ? a.balance / debt : 0.0;
  out.line_of_credit = 0.0;  // the core grants margin orders without a credit line
  out.guaranty = a.available;
}

void fill_position(XTPQueryStkPositionRsp& out, const PositionRecord& p, std::string_view name) {
  put(out.ticker, p.instrument);
  put(out.ticker_name, name);
  out.market = market_type(p.exchange);
  out.total_qty = p.position;
  const bool is_long = p.side == PositionSide::long_side;
  const int held_since_yesterday = p.position - p.today_position;
  out.sellable_qty = is_long ? std::max(0, held_since_yesterday - p.short_frozen) : 0;
  out.avg_price = p.position > 0 ? p.open_cost / p.position : 0.0;
  out.unrealized_pnl = p.position_profit;
  out.yesterday_position = p.yd_position;
  out.position_direction = is_long ? XTP_POSITION_DIRECTION_NET : XTP_POSITION_DIRECTION_SHORT;
  out.buy_cost = p.position_cost;
}

}  // namespace vtcore::sim::xtp
