// The TORA stock-option (SP) trader's conversions between the simulator core's records and TORASPAPI's structs.
//
// The SP trader trades SSE/SZSE ETF options (the core's "option" instruments) with open/close offsets and long
// and short positions; exchanges, shareholder accounts and text (GB18030) are as the stock trader's (convert.hpp).
#pragma once

#include <string>
#include <string_view>

#include "TORATstpSPTraderApi.h"
#include "convert.hpp"

namespace vtcore::sim::tora {

namespace sp = TORASPAPI;

/// The exchange's code of an option, as ExchSecurityID carries it: underlying, C/P, expiry month (YYMM), M and
/// the strike in tenths of a fen ("510300C2612M04000").
std::string exchange_option_code(const InstrumentConfig& spec);
char sp_market_id(std::string_view exchange);  // "SSE" -> TORA_TSTP_SP_MKD_SHA, else SZSE's

void fill_sp_security(sp::CTORATstpSPSecurityField& out, const InstrumentRecord& record, double underlying_close,
                      std::string_view trading_day);
/// The core's order for an input order; false (and `why`) for codes the simulator does not take. The order and
/// trade conversions overload the stock trader's (convert.hpp): trader_session.hpp calls them for either trader.
bool order_request(const sp::CTORATstpSPInputOrderField& in, OrderRequest& out, std::string& why);
void fill_order(sp::CTORATstpSPOrderField& out, const Order& order);
void fill_trade(sp::CTORATstpSPTradeField& out, const Trade& trade);
/// `short_margin`: what the sellers' positions hold (CurrMargin); a buyer's premium is paid, not margin.
void fill_sp_account(sp::CTORATstpSPTradingAccountField& out, const AccountRecord& account, double short_margin);
void fill_sp_position(sp::CTORATstpSPPositionField& out, const PositionRecord& position, double last, int multiplier);

}  // namespace vtcore::sim::tora
