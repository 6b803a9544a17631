// The simulator core's own records: what the exchange keeps and reports, in no vendor's layout.
//
// A front-end library (one per SDK ABI: cpp/ctp_sim, cpp/mini_sim, ...) turns its SDK's request structs into
// these and these into its SDK's callback structs, so the matching engine, the clock, the accounts and the
// private flow are written once for every SDK. Text is UTF-8 here (a front-end encodes it for its SDK); prices
// with no value are kNoPrice (CTP's own marker, so the Thost front-ends copy it through unchanged).
#pragma once

#include <cfloat>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace vtcore::sim {

inline constexpr double kNoPrice = DBL_MAX;

enum class FrontKind { md, td, any };
enum class Side : char { buy, sell };
enum class Offset : char { open, close, close_today, close_yesterday };
// market: the best five levels, the rest cancelled (the Thost family's any-price order); the others are the A-share
// exchanges' kinds (ashare.hpp): immediate then cancelled, the best five then the rest as a limit at the last fill
// price, the own side's best price, the counterparty's best price (then a limit at it).
enum class PriceType : char { limit, market, best_or_cancel, best5_or_limit, forward_best, reverse_best };
enum class TimeCondition : char { gfd, ioc };
enum class VolumeCondition : char { any, all };  // any volume (AV) / complete volume (CV, fill-or-kill)
enum class PositionSide : char { long_side, short_side };
enum class PositionDate : char { today, history };
enum class OrderStatus : char { unknown, queued, part_traded, all_traded, cancelled };
enum class SubmitStatus : char { submitted, accepted, insert_rejected };
enum class Resume : char { restart, resume, quick };  // where a private flow subscription starts

/// Why the front or the exchange refused something; a front-end maps each to its SDK's error id and text.
enum class Error {
  none,
  invalid_login,
  not_logged_in,
  bad_field,
  instrument_not_found,
  duplicate_order_ref,
  bad_order_action_field,
  order_not_found,
  unsuitable_order_status,
  over_close_position,
  insufficient_money,
  settlement_not_confirmed,
  over_close_today_position,
  over_close_yesterday_position,
  auth_failed,
  not_authenticated,
  not_implemented,
  not_credit_account,  // a margin-trading order on an account without margin trading
};

struct LoginRequest {
  std::string broker_id;
  std::string user_id;
  std::string password;
};

struct LoginResult {
  Error error = Error::none;
  int account = -1;
  std::string trading_day, login_time, broker_id, user_id;
  int front_id = 0;
  int session_id = 0;
  long long max_order_ref = 1;  // the highest order reference the account used today (at least 1)
};

struct Confirmation {
  std::string broker_id, investor_id, date, time;
};

struct OrderRequest {
  std::string instrument, exchange, order_ref, user_id;
  bool codes_valid = true;  // false: the SDK request held a code the simulator does not support (bad_field)
  Side side = Side::buy;
  Offset offset = Offset::open;
  PriceType price_type = PriceType::limit;
  TimeCondition time_condition = TimeCondition::gfd;
  VolumeCondition volume_condition = VolumeCondition::any;
  int volume = 0;
  int min_volume = 1;
  double price = 0.0;
  // > 0: a stop order. It rests untriggered until the last price reaches it (a buy at or above, a sell at or
  // below), then trades as its price type says (a market order: at once, the rest cancelled).
  double stop_price = 0.0;
  bool credit = false;  // a margin-trading business (margin buy, short sell, and their repayments)
  std::string echo;     // front-end private: fields of its SDK's request that the exchange only echoes back
};

struct CancelRequest {
  bool is_delete = true;  // only deletes are supported (bad_order_action_field otherwise)
  std::string order_sys_id, exchange, order_ref;
  int front_id = 0;
  int session_id = 0;
  bool any_session = false;  // by order_ref alone, from any session of the account (XTP's ids are unique)
};

struct Order {
  std::string broker_id, investor_id, user_id, order_ref, instrument, exchange;
  std::string order_sys_id, local_id, participant_id, client_id, trader_id;
  int front_id = 0, session_id = 0, request_id = 0;
  Side side = Side::buy;
  Offset offset = Offset::open;
  PriceType price_type = PriceType::limit;
  TimeCondition time_condition = TimeCondition::gfd;
  VolumeCondition volume_condition = VolumeCondition::any;
  double price = 0.0;
  double stop_price = 0.0;  // OrderRequest::stop_price
  bool triggered = false;   // a stop order whose stop price was reached
  int volume_original = 0, volume_traded = 0, volume_total = 0, min_volume = 1;
  OrderStatus status = OrderStatus::unknown;
  SubmitStatus submit_status = SubmitStatus::submitted;
  std::string status_message;  // UTF-8
  std::string trading_day, insert_date, insert_time, update_time, cancel_time;
  int notify_sequence = 0, broker_order_seq = 0;
  std::string echo;  // the request's echo bytes (OrderRequest::echo)
};

struct Trade {
  std::string broker_id, investor_id, user_id, order_ref, instrument, exchange, trade_id, order_sys_id;
  std::string participant_id, client_id, trader_id, local_id, trading_day, trade_date, trade_time;
  Side side = Side::buy;
  Offset offset = Offset::open;
  double price = 0.0;
  int volume = 0, sequence_no = 0, broker_order_seq = 0;
  std::string echo;  // the order's echo bytes
};

/// One private-flow entry: a snapshot of an order or a trade, shared by every subscriber that receives it.
using FlowEntry = std::variant<std::shared_ptr<const Order>, std::shared_ptr<const Trade>>;

struct AccountRecord {
  std::string broker_id, account_id, trading_day;
  double pre_balance = 0, frozen_margin = 0, frozen_commission = 0, margin = 0, commission = 0;
  double close_profit = 0, position_profit = 0, balance = 0, available = 0, withdraw_quota = 0;
};

struct PositionRecord {
  std::string instrument, exchange, broker_id, investor_id, trading_day;
  PositionSide side = PositionSide::long_side;
  PositionDate date = PositionDate::today;
  double pre_settlement = 0, settlement = 0, margin_ratio = 0;
  int yd_position = 0, position = 0, today_position = 0;
  int long_frozen = 0, short_frozen = 0;  // a long position is frozen by sell-close orders (short_frozen)
  double position_cost = 0, open_cost = 0, margin = 0, position_profit = 0;
  bool day_totals = false;  // the fields below are set (today's record)
  int open_volume = 0, close_volume = 0;
  double open_amount = 0, close_amount = 0, close_profit = 0, commission = 0;
};

/// A market-data snapshot: fixed arrays, no allocation, since a burst writes millions per second.
struct Tick {
  char instrument[32];
  char exchange[9];
  char trading_day[9];
  char action_day[9];
  char update_time[9];
  int update_millisec;
  double last, pre_settlement, pre_close, pre_open_interest, open, high, low, close, settlement;
  long long volume;
  double turnover, open_interest, upper_limit, lower_limit, average;
  double bid[5], ask[5];
  int bid_volume[5], ask_volume[5];
};

}  // namespace vtcore::sim
