// The TORA front-end's conversions between the simulator core's records and TORA's structs (XMd market data in
// TORALEV1API, the stock trader in TORASTOCKAPI), and TORA's errors.
//
// TORA's text is GB18030 (the core's UTF-8 is converted); dates are YYYYMMDD and times HH:MM:SS; exchanges are
// '1' SSE, '2' SZSE, '4' BSE; order references are ints per front and session, as in the Thost family. Error ids
// are the simulator's (TORA's real ones are not published); texts are Chinese, as TORA's.
#pragma once

#include <string>
#include <string_view>

#include "TORATstpTraderApi.h"
#include "TORATstpXMdApi.h"
#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/records.hpp"

namespace vtcore::sim::tora {

namespace md = TORALEV1API;
namespace td = TORASTOCKAPI;

/// A response's error for `error` (ErrorID 0 for Error::none).
template <class RspInfo>
RspInfo error_info(Error error, std::string_view detail = {});

char exchange_id(std::string_view exchange);       // "SSE" -> '1'; '\0' for others
std::string_view exchange_name(char exchange_id);  // '1' -> "SSE"; "" for others
char market_id(std::string_view exchange);         // "SSE" -> TORA_TSTP_MKD_SHA (SZA, BJMain)
/// The shareholder account of a user on an exchange (A... on SSE, 0... on SZSE, 8... on BSE).
std::string shareholder_of(std::string_view user, std::string_view exchange);

void fill_market_data(md::CTORATstpMarketDataField& out, const Tick& tick, std::string_view name);
void fill_security(td::CTORATstpSecurityField& out, const InstrumentRecord& record, std::string_view trading_day);

/// The core's order for an input order; false (and `why`) for codes TORA's stock trader does not define.
bool order_request(const td::CTORATstpInputOrderField& in, OrderRequest& out, std::string& why);
void fill_order(td::CTORATstpOrderField& out, const Order& order);
void fill_trade(td::CTORATstpTradeField& out, const Trade& trade);
void fill_account(td::CTORATstpTradingAccountField& out, const AccountRecord& account, bool credit);
void fill_position(td::CTORATstpPositionField& out, const PositionRecord& position, std::string_view name);

}  // namespace vtcore::sim::tora
