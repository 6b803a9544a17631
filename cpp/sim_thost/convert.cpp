#include "convert.hpp"

namespace vtcore::sim::thost {

ErrorText error_text(Error error) {
  switch (error) {
    case Error::none:
      return {0, "CTP:正确"};
    case Error::invalid_login:
      return {3, "CTP:不合法的登录"};
    case Error::not_logged_in:
      return {6, "CTP:还没有登录"};
    case Error::bad_field:
      return {15, "CTP:报单字段有误"};
    case Error::instrument_not_found:
      return {16, "CTP:找不到合约"};
    case Error::duplicate_order_ref:
      return {22, "CTP:报单错误：不允许重复报单"};
    case Error::bad_order_action_field:
      return {23, "CTP:错误的报单操作字段"};
    case Error::order_not_found:
      return {25, "CTP:撤单找不到相应报单"};
    case Error::unsuitable_order_status:
      return {26, "CTP:报单已全成交或已撤销，不能再撤"};
    case Error::not_implemented:
      return {27, "CTP:不支持的功能"};
    case Error::over_close_position:
      return {30, "CTP:平仓量超过持仓量"};
    case Error::insufficient_money:
      return {31, "CTP:资金不足"};
    case Error::settlement_not_confirmed:
      return {42, "CTP:结算结果未确认"};
    case Error::over_close_today_position:
      return {50, "CTP:平今仓位不足"};
    case Error::over_close_yesterday_position:
      return {51, "CTP:平昨仓位不足"};
    case Error::auth_failed:
      return {63, "CTP:客户端认证失败"};
    case Error::not_authenticated:
      return {64, "CTP:客户端未认证"};
    case Error::not_credit_account:
      return {15, "CTP:报单字段有误"};  // no margin trading on a Thost front
  }
  return {1, "CTP:错误"};
}

std::string gb(std::string_view utf8) { return gb18030_cached(utf8); }

}  // namespace vtcore::sim::thost
