// FEMAS's (USTP) structs <-> the simulator core's records, compiled against the fetched FEMAS headers. Text
// goes out as GB18030 (the headers are GBK).
//
// FEMAS is CTP-shaped but not CTP: an order is named by the user's own UserOrderLocalID (unique per user, not
// per session; RspUserLogin.MaxOrderLocalID is the highest used today), there is no FrontID/SessionID, no
// OrderSubmitStatus and no status message in an order (a refusal by the exchange arrives as
// OnErrRtnOrderInsert with the reason), a position is one record per instrument and direction (Position,
// YdPosition, FrozenClosing), and the account is RspInvestorAccount. The FEMAS headers publish no error
// table: the simulator answers with CTP's numbering and words (without CTP's prefix).
#pragma once

#include <string>
#include <string_view>

#include "USTPFtdcUserApiStruct.h"
#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/records.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::femas {

struct ErrorText {
  int id;
  const char* text;  // UTF-8
};
ErrorText error_text(Error error);

inline std::string gb(std::string_view utf8) { return gb18030_cached(utf8); }

inline CUstpFtdcRspInfoField ok_info() {
  CUstpFtdcRspInfoField info{};
  put(info.ErrorMsg, gb("正确"));
  return info;
}

inline CUstpFtdcRspInfoField error_info(Error error, std::string_view detail = {}) {
  const ErrorText text = error_text(error);
  CUstpFtdcRspInfoField info{};
  info.ErrorID = text.id;
  std::string message = gb(text.text);
  if (!detail.empty()) message += " (" + gb(detail) + ")";
  put(info.ErrorMsg, message);
  return info;
}

/// The order status FEMAS reports for a core status (the first report of an accepted order is '6', accepted
/// and waiting for the exchange).
char status_code(OrderStatus status);

/// The codes the simulator supports (USTP_FTDC_*: D_Buy/Sell, OF_Open/Close/CloseToday/CloseYesterday,
/// OPT_LimitPrice/AnyPrice, TC_IOC/GFD, VC_AV/CV); anything else makes the request bad_field. The whole
/// request is kept to echo fields the exchange does not model.
OrderRequest order_request(const CUstpFtdcInputOrderField& req);
CUstpFtdcInputOrderField echoed_request(const std::string& echo);

void fill_order(CUstpFtdcOrderField& f, const Order& o);
void fill_trade(CUstpFtdcTradeField& f, const Trade& t);
void fill_tick(CUstpFtdcDepthMarketDataField& f, const Tick& t);
void fill_instrument(CUstpFtdcRspInstrumentField& f, const InstrumentRecord& r);
void fill_account(CUstpFtdcRspInvestorAccountField& f, const AccountRecord& a);
void fill_login(CUstpFtdcRspUserLoginField& f, const LoginResult& r, std::string_view system_name);
/// Adds one core position record (SHFE/INE report today's and yesterday's apart) into FEMAS's record of that
/// instrument and direction: Position = all held, YdPosition = yesterday's volume still held.
void add_position(CUstpFtdcRspInvestorPositionField& f, const PositionRecord& p);

}  // namespace vtcore::sim::femas
