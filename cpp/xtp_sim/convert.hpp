// The XTP front-end's conversions between the simulator core's records and XTP's structs, and XTP's errors.
//
// XTP's text is UTF-8 (as the core's), its times are int64 YYYYMMDDHHMMSSmmm (China time), its exchanges are
// XTP_EXCHANGE_SH / _SZ in quotes and XTP_MKT_SH_A / _SZ_A in trading. An order's XTP fields that the exchange
// only echoes (client id, price type, side, position effect, business type) travel in the core order's `echo`.
// Error ids are the simulator's (XTP's real ones are not published); texts follow XTP's "[XTP:<id>]<text>" form.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/records.hpp"
#include "xtp_api_struct.h"

namespace vtcore::sim::xtp {

/// An XTPRI for `error` (id 0 and an empty text for Error::none); `detail` follows the text when given.
XTPRI error_info(Error error, std::string_view detail = {});
/// An XTPRI with a given id and text (an exchange's refusal carries its own words).
XTPRI error_info(int id, std::string_view text);

/// YYYYMMDD + HH:MM:SS + milliseconds -> YYYYMMDDHHMMSSmmm (0 when either is missing).
std::int64_t xtp_time(std::string_view date, std::string_view time, int millis = 0);

XTP_EXCHANGE_TYPE exchange_type(std::string_view exchange);  // "SSE" -> XTP_EXCHANGE_SH
XTP_MARKET_TYPE market_type(std::string_view exchange);      // "SSE" -> XTP_MKT_SH_A
std::string_view exchange_name(int exchange_type);           // XTP_EXCHANGE_SH -> "SSE", else ""
std::string_view market_name(int market_type);               // XTP_MKT_SH_A -> "SSE", else ""

void fill_market_data(XTPMD& out, const Tick& tick);
void fill_static_info(XTPQSI& out, const InstrumentRecord& record);
void fill_full_info(XTPQFI& out, const InstrumentRecord& record);

/// The core's order for an XTPOrderInsertInfo; false (and `why`) when a code is not one XTP defines for stocks.
bool order_request(const XTPOrderInsertInfo& in, std::uint64_t xtp_id, OrderRequest& out, std::string& why);
/// An order report and, for a refused one, the reason as its error.
void fill_order(XTPOrderInfo& out, XTPRI& error, const Order& order);
/// An order XTP never accepted (refused before the exchange): REJECTED, the request's fields echoed.
void fill_refused(XTPOrderInfo& out, const XTPOrderInsertInfo& in, std::uint64_t xtp_id);
void fill_trade(XTPTradeReport& out, const Trade& trade);
void fill_asset(XTPQueryAssetRsp& out, const AccountRecord& account, bool credit);
/// `sellable` is the volume the T+1 rule lets go today.
void fill_position(XTPQueryStkPositionRsp& out, const PositionRecord& position, std::string_view name);

/// One debt of a credit account: a margin buy owes its amount (cash debt), a short sale its shares (securities
/// debt, valued at the sale's price: the simulator marks no debt to market).
struct Debt {
  std::int32_t type = 0;  // 0 cash, 1 securities (XTPCrdDebtInfo.debt_type)
  std::uint64_t order_xtp_id = 0;
  std::string instrument, exchange, order_date;
  double remain_amount = 0.0;   // what is still owed (amount)
  std::int64_t remain_qty = 0;  // shares still owed (securities debt)
};
/// The debts the day's trades leave, oldest first: each margin buy and short sale makes one; a sell-to-repay pays
/// cash debts back oldest first with its amount, a buy-to-return gives back shares of its security oldest first.
std::vector<Debt> debts_of(const std::vector<std::shared_ptr<const Trade>>& trades);
void fill_debt(XTPCrdDebtInfo& out, const Debt& debt);
/// The credit account's figures: total asset, total debt, their ratio (0 without debt), the margin available.
void fill_credit_fund(XTPCrdFundInfo& out, const AccountRecord& account, const std::vector<Debt>& debts);

}  // namespace vtcore::sim::xtp
