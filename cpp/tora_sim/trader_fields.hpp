// The fields TORA's stock trader (convert.cpp) and stock-option trader (sp_convert.cpp) share, by name and meaning,
// in an input order and in their order, trade, position and account reports: each conversion fills them here, then
// what is its own (its namespace's codes, the option trader's offsets and hedge flags, margins, ...).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>

#include "convert.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::tora {

/// CurrencyID of CNY: '1' in both traders' codes (TORA_TSTP_CID_CNY, TORA_TSTP_SP_CID_CNY).
inline constexpr char kCny = '1';

/// What an order carries that the exchange only echoes back (the core's Order::echo and Trade::echo): its price
/// type, time condition and volume condition as sent, one code of the trader's own (the stock trader's Direction,
/// the option trader's hedge flag), then the shareholder account.
inline constexpr std::size_t kEchoCodes = 4;

/// An input order's fields the core's order takes alike from both traders, its echo with `own` as the fourth code.
template <class InputOrder>
void take_order_fields(const InputOrder& in, char own, OrderRequest& out) {
  out.instrument = std::string(field_view(in.SecurityID));
  out.exchange = std::string(exchange_name(in.ExchangeID));
  out.order_ref = std::to_string(in.OrderRef);
  out.volume = in.VolumeTotalOriginal;
  out.price = in.LimitPrice;
  const char codes[kEchoCodes] = {in.OrderPriceType, in.TimeCondition, in.VolumeCondition, own};
  out.echo.assign(codes, sizeof(codes));
  out.echo.append(field_view(in.ShareholderID));
}

/// A trader's OrderStatus codes, one for each state of the core's order.
struct OrderStatusCodes {
  char unknown, queued, part_traded, all_traded;
  char rejected, part_cancelled, cancelled;  // the core's cancelled: refused at insert, after fills, untouched
};

inline char order_status(const Order& o, const OrderStatusCodes& codes) {
  switch (o.status) {
    case OrderStatus::unknown:
      return codes.unknown;
    case OrderStatus::queued:
      return codes.queued;
    case OrderStatus::part_traded:
      return codes.part_traded;
    case OrderStatus::all_traded:
      return codes.all_traded;
    case OrderStatus::cancelled:
      if (o.submit_status == SubmitStatus::insert_rejected) return codes.rejected;
      return o.volume_traded > 0 ? codes.part_cancelled : codes.cancelled;
  }
  return codes.unknown;
}

/// What an order report and a trade report (`record`: the core's Order or Trade) say alike: whose, where, which order.
template <class Field, class Record>
void fill_report_fields(Field& out, const Record& record) {
  put(out.TradingDay, record.trading_day);
  out.ExchangeID = exchange_id(record.exchange);
  put(out.SecurityID, record.instrument);
  put(out.InvestorID, record.investor_id);
  put(out.BusinessUnitID, record.investor_id);
  put(out.AccountID, record.investor_id);
  out.CurrencyID = kCny;
  out.OrderRef = std::atoi(record.order_ref.c_str());
  put(out.OrderSysID, record.order_sys_id);
  put(out.OrderLocalID, unpadded(record.local_id));
  if (record.echo.size() >= kEchoCodes) put(out.ShareholderID, std::string_view(record.echo).substr(kEchoCodes));
}

template <class OrderField>
void fill_order_fields(OrderField& out, const Order& o, const OrderStatusCodes& codes) {
  fill_report_fields(out, o);
  out.FrontID = o.front_id;
  out.SessionID = o.session_id;
  out.RequestID = o.request_id;
  if (o.echo.size() >= kEchoCodes) {
    out.OrderPriceType = o.echo[0];
    out.TimeCondition = o.echo[1];
    out.VolumeCondition = o.echo[2];
  }
  out.VolumeTotalOriginal = o.volume_original;
  out.VolumeTraded = o.volume_traded;
  out.VolumeCanceled = o.status == OrderStatus::cancelled ? o.volume_total : 0;
  out.OrderStatus = order_status(o, codes);
  put(out.StatusMsg, to_gb18030(o.status_message));
  put(out.InsertDate, o.insert_date);
  put(out.InsertTime, o.insert_time);
  put(out.AcceptTime, o.insert_time);
  put(out.CancelTime, o.cancel_time);
}

template <class TradeField>
void fill_trade_fields(TradeField& out, const Trade& t) {
  fill_report_fields(out, t);
  put(out.TradeID, t.trade_id);
  out.Price = t.price;
  out.Volume = t.volume;
  put(out.TradeDate, t.trade_date);
  put(out.TradeTime, t.trade_time);
}

/// `market`: the position's MarketID in the trader's codes.
template <class PositionField>
void fill_position_fields(PositionField& out, const PositionRecord& p, char market) {
  put(out.TradingDay, p.trading_day);
  out.ExchangeID = exchange_id(p.exchange);
  out.MarketID = market;
  put(out.SecurityID, p.instrument);
  put(out.InvestorID, p.investor_id);
  put(out.BusinessUnitID, p.investor_id);
  put(out.ShareholderID, shareholder_of(p.investor_id, p.exchange));
  out.HistoryPos = p.position - p.today_position;
  out.PrePosition = p.yd_position;
  out.TotalPosCost = p.position_cost;
  out.OpenPosCost = p.open_cost;
}

template <class AccountField>
void fill_account_fields(AccountField& out, const AccountRecord& a) {
  out.PreDeposit = a.pre_balance;
  out.UsefulMoney = a.available;
  out.FetchLimit = a.withdraw_quota;
  out.FrozenCommission = a.frozen_commission;
  out.Commission = a.commission;
  put(out.AccountID, a.account_id);
  out.CurrencyID = kCny;
}

}  // namespace vtcore::sim::tora
