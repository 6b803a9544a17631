// The simulated ITapTrade::ITapTradeAPI (libiTapTradeAPI.so): Login (OnConnect, OnRspLogin, OnAPIReady), the
// account, fund, exchange, commodity, contract, order, fill and position-summary queries, InsertOrder (limit,
// market and stop-market: TAP's order types '2', '1', '3'), CancelOrder, and the order and fill returns of the
// account's private flow, on the core's exchange.
//
// Orders: the ClientOrderNo InsertOrder returns is the core's order reference (unique for the account); OrderNo
// is the exchange's order id; the client's RefString/RefInt/RefDouble are echoed. A refusal comes back as
// OnRtnOrder with OrderState FAIL ('B') and the TAP error code in the notice and in OrderInfo.ErrorCode, with
// its text in ErrorText. Positions: PositionEffect 'C' (cover) and 'T' (cover today) close, anything else
// opens; the position summary reports each side of an instrument (MatchSide) as the core keeps it.
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "iTapTradeAPI.h"
#include "tap_session.hpp"
#include "tap_text.hpp"
#include "td_stubs.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::tap {

ITapTradeAPI* create_trade_api(const char* version);
void free_trade_api(ITapTradeAPI* api);
const char* error_text(int code);

namespace {

struct TapError {
  int code;
  const char* text;  // UTF-8, the header's words
};

TapError tap_error(Error error) {
  switch (error) {
    case Error::none:
      return {0, "成功"};
    case Error::invalid_login:
      return {10008, "登录密码不正确"};
    case Error::not_logged_in:
      return {kApiNotReady, "API还没有准备好"};
    case Error::instrument_not_found:
      return {60011, "下单无效的合约"};
    case Error::bad_field:
    case Error::duplicate_order_ref:
    case Error::bad_order_action_field:
      return {60015, "不合法的委托类型"};
    case Error::order_not_found:
      return {60061, "撤单无此系统号"};
    case Error::unsuitable_order_status:
      return {60062, "此状态不允许撤单"};
    case Error::insufficient_money:
      return {60051, "下单资金不足"};
    case Error::over_close_position:
    case Error::over_close_today_position:
    case Error::over_close_yesterday_position:
      return {60035, "平仓数量超过已有持仓量"};
    case Error::not_implemented:
      return {kNotSupported, "目前不支持的指令"};
    case Error::auth_failed:
    case Error::not_authenticated:
      return {10004, "登录用户未授权"};
    case Error::settlement_not_confirmed:
      return {10007, "登录状态禁止登录"};
  }
  return {kNotSupported, "目前不支持的指令"};
}

char order_state(const Order& o) {
  if (o.submit_status == SubmitStatus::insert_rejected) return TAPI_ORDER_STATE_FAIL;
  if (o.stop_price > 0 && !o.triggered && o.status == OrderStatus::queued) return TAPI_ORDER_STATE_TRIGGERING;
  switch (o.status) {
    case OrderStatus::unknown:
      return TAPI_ORDER_STATE_SUBMIT;
    case OrderStatus::queued:
      return TAPI_ORDER_STATE_QUEUED;
    case OrderStatus::part_traded:
      return TAPI_ORDER_STATE_PARTFINISHED;
    case OrderStatus::all_traded:
      return TAPI_ORDER_STATE_FINISHED;
    case OrderStatus::cancelled:
      return o.volume_traded > 0 ? TAPI_ORDER_STATE_LEFTDELETED : TAPI_ORDER_STATE_CANCELED;
  }
  return TAPI_ORDER_STATE_SUBMIT;
}

TapAPINewOrder echoed(const std::string& echo) {
  TapAPINewOrder req;
  if (echo.size() == sizeof(req)) std::memcpy(static_cast<void*>(&req), echo.data(), sizeof(req));
  return req;
}

class TradeApi final : public TapSession<TradeApiStubs, ITapTradeAPINotify, TapAPITradeLoginAuth> {
 public:
  TradeApi() : TapSession(FrontKind::td) {}

  TAPIINT32 SetAPINotify(ITapTradeAPINotify* notify) override { return set_notify(notify); }
  TAPIINT32 SetHostAddress(const TAPICHAR* host, TAPIUINT16 port, bool) override { return set_host(host, port); }
  TAPIINT32 Login(const TapAPITradeLoginAuth* auth) override { return begin_login(auth); }
  TAPIINT32 Disconnect() override {
    loop_.post([this] { reset_session_state(); });
    return 0;
  }

  // ---- queries ----
  TAPIINT32 QryAccount(TAPIUINT32* session, const TapAPIAccQryReq*) override {
    return session_request(session, [this](unsigned id) {
      TapAPIAccountInfo info{};
      put(info.AccountNo, exchange_->account_user(account_));
      info.AccountType = TAPI_ACCOUNT_TYPE_PERSON;
      info.AccountState = TAPI_ACCOUNT_STATE_NORMAL;
      put(info.AccountShortName, exchange_->account_user(account_));
      call([&](ITapTradeAPINotify* n) { n->OnRspQryAccount(id, 0, APIYNFLAG_YES, &info); });
    });
  }

  TAPIINT32 QryFund(TAPIUINT32* session, const TapAPIFundReq*) override {
    return session_request(session, [this](unsigned id) {
      TapAPIFundData info = fund();
      call([&](ITapTradeAPINotify* n) { n->OnRspQryFund(id, 0, APIYNFLAG_YES, &info); });
    });
  }

  TAPIINT32 QryExchange(TAPIUINT32* session) override {
    return session_request(session, [this](unsigned id) {
      std::set<std::string> names;
      for (const InstrumentRecord& r : exchange_->instruments("", "", "")) names.insert(r.spec.exchange);
      respond(id, names, &ITapTradeAPINotify::OnRspQryExchange, [](TapAPIExchangeInfo& f, const std::string& name) {
        put(f.ExchangeNo, name);
        put(f.ExchangeName, name);
      });
    });
  }

  TAPIINT32 QryCommodity(TAPIUINT32* session) override {
    return session_request(session, [this](unsigned id) {
      std::map<std::string, InstrumentConfig> commodities;
      for (const InstrumentRecord& r : exchange_->instruments("", "", ""))
        commodities.emplace(r.spec.exchange + "|" + r.spec.product_id, r.spec);
      std::vector<InstrumentConfig> list;
      for (const auto& [key, spec] : commodities) list.push_back(spec);
      respond(id, list, &ITapTradeAPINotify::OnRspQryCommodity, [](TapAPICommodityInfo& f, const InstrumentConfig& s) {
        put(f.ExchangeNo, s.exchange);
        f.CommodityType = TAPI_COMMODITY_TYPE_FUTURES;
        put(f.CommodityNo, s.product_id);
        put(f.CommodityName, gb18030_cached(s.product_id));
        put(f.CommodityEngName, s.product_id);
        put(f.TradeCurrency, currency_of(s.exchange));
        f.ContractSize = s.multiplier;
        f.CommodityTickSize = s.price_tick;
        f.CommodityDenominator = 1;
        f.CommodityTimeZone = 8;  // the simulator's clock is China time
        f.IsAddOne = APIYNFLAG_NO;
      });
    });
  }

  TAPIINT32 QryContract(TAPIUINT32* session, const TapAPICommodity* filter) override {
    const TapAPICommodity copy = filter ? *filter : TapAPICommodity{};
    return session_request(session, [this, copy](unsigned id) {
      std::vector<InstrumentConfig> list;
      for (const InstrumentRecord& r :
           exchange_->instruments("", field_view(copy.ExchangeNo), field_view(copy.CommodityNo)))
        list.push_back(r.spec);
      respond(id, list, &ITapTradeAPINotify::OnRspQryContract,
              [](TapAPITradeContractInfo& f, const InstrumentConfig& s) {
                put(f.ExchangeNo, s.exchange);
                f.CommodityType = TAPI_COMMODITY_TYPE_FUTURES;
                put(f.CommodityNo, s.product_id);
                put(f.ContractNo1, contract_no(s));
                f.CallOrPutFlag1 = TAPI_CALLPUT_FLAG_NONE;
                f.CallOrPutFlag2 = TAPI_CALLPUT_FLAG_NONE;
                f.ContractType = TAPI_CONTRACT_TYPE_TRADEQUOTE;
                put(f.ContractName, gb18030_cached(s.name));
                put(f.ContractExpDate, tap_date(s.expire_date));
                put(f.LastTradeDate, tap_date(s.expire_date));
                put(f.FirstNoticeDate, tap_date(s.expire_date));
                f.ContractSize = s.multiplier;
              });
    });
  }

  TAPIINT32 QryOrder(TAPIUINT32* session, const TapAPIOrderQryReq*) override {
    return session_request(session, [this](unsigned id) {
      const auto orders = exchange_->orders(account_, "");
      respond(id, orders, &ITapTradeAPINotify::OnRspQryOrder,
              [this](TapAPIOrderInfo& f, const auto& o) { fill_order(f, *o); });
    });
  }

  TAPIINT32 QryFill(TAPIUINT32* session, const TapAPIFillQryReq*) override {
    return session_request(session, [this](unsigned id) {
      const auto trades = exchange_->trades(account_, "");
      respond(id, trades, &ITapTradeAPINotify::OnRspQryFill,
              [this](TapAPIFillInfo& f, const auto& t) { fill_fill(f, *t); });
    });
  }

  TAPIINT32 QryPositionSummary(TAPIUINT32* session, const TapAPIPositionQryReq*) override {
    return session_request(session, [this](unsigned id) {
      std::map<std::pair<std::string, PositionSide>, TapAPIPositionSummary> merged;
      for (const PositionRecord& p : exchange_->positions(account_, "")) {
        TapAPIPositionSummary& f = merged[{p.instrument, p.side}];
        const auto spec = exchange_->instrument(p.instrument);
        if (!spec) continue;
        put(f.AccountNo, p.investor_id);
        put(f.ExchangeNo, spec->spec.exchange);
        f.CommodityType = TAPI_COMMODITY_TYPE_FUTURES;
        put(f.CommodityNo, spec->spec.product_id);
        put(f.ContractNo, contract_no(spec->spec));
        f.CallOrPutFlag = TAPI_CALLPUT_FLAG_NONE;
        f.MatchSide = p.side == PositionSide::long_side ? TAPI_SIDE_BUY : TAPI_SIDE_SELL;
        const double cost = f.PositionPrice * f.PositionQty * spec->spec.multiplier + p.position_cost;
        f.PositionQty += static_cast<TAPIUINT32>(p.position);
        f.HisPositionQty += static_cast<TAPIUINT32>(p.position - p.today_position);
        f.PositionPrice = f.PositionQty ? cost / (f.PositionQty * spec->spec.multiplier) : 0.0;
        f.CalculatePrice = p.settlement;
        f.PositionProfit += p.position_profit;
      }
      std::vector<TapAPIPositionSummary> list;
      for (const auto& [key, summary] : merged)
        if (summary.PositionQty > 0) list.push_back(summary);
      respond(id, list, &ITapTradeAPINotify::OnRspQryPositionSummary,
              [](TapAPIPositionSummary& f, const TapAPIPositionSummary& s) { f = s; });
    });
  }

  // ---- trading ----
  TAPIINT32 InsertOrder(TAPIUINT32* session, TAPISTR_50* client_order_no, const TapAPINewOrder* order) override {
    if (order == nullptr || client_order_no == nullptr) return kInputValueError;
    const TapAPINewOrder copy = *order;
    const std::string number = std::to_string(++last_client_order_);
    put(*client_order_no, number);
    return session_request(session, [this, copy, number](unsigned id) {
      OrderRequest req;
      const auto spec = find(copy);
      req.instrument =
          spec ? spec->id : std::string(field_view(copy.CommodityNo)) + std::string(field_view(copy.ContractNo));
      req.exchange = std::string(field_view(copy.ExchangeNo));
      req.order_ref = number;
      req.user_id = std::string(field_view(copy.AccountNo));
      bool valid = true;
      switch (copy.OrderSide) {
        case TAPI_SIDE_BUY:
          req.side = Side::buy;
          break;
        case TAPI_SIDE_SELL:
          req.side = Side::sell;
          break;
        default:
          valid = false;
      }
      req.offset = copy.PositionEffect == TAPI_PositionEffect_COVER         ? Offset::close
                   : copy.PositionEffect == TAPI_PositionEffect_COVER_TODAY ? Offset::close_today
                                                                            : Offset::open;
      switch (copy.OrderType) {
        case TAPI_ORDER_TYPE_LIMIT:
          req.price_type = PriceType::limit;
          break;
        case TAPI_ORDER_TYPE_MARKET:
          req.price_type = PriceType::market;
          break;
        case TAPI_ORDER_TYPE_STOP_MARKET:
          req.price_type = PriceType::market;
          req.stop_price = copy.StopPrice;
          valid = valid && copy.StopPrice > 0;
          break;
        default:
          valid = false;  // stop-limit, iceberg, ghost and the others are not simulated
      }
      switch (copy.TimeInForce) {
        case TAPI_ORDER_TIMEINFORCE_GFD:
        case TAPI_ORDER_TIMEINFORCE_GTC:
          req.time_condition = TimeCondition::gfd;
          break;  // no day roll here
        case TAPI_ORDER_TIMEINFORCE_FAK:
          req.time_condition = TimeCondition::ioc;
          break;
        case TAPI_ORDER_TIMEINFORCE_FOK:
          req.time_condition = TimeCondition::ioc;
          req.volume_condition = VolumeCondition::all;
          break;
        default:
          valid = false;
      }
      req.codes_valid = valid && spec.has_value();
      req.volume = static_cast<int>(copy.OrderQty);
      req.min_volume = 1;
      req.price = copy.OrderPrice;
      req.echo.assign(reinterpret_cast<const char*>(&copy), sizeof(copy));
      Error error = Error::none;
      if (!spec)
        error = Error::instrument_not_found;
      else if (copy.OrderQty == 0)
        error = Error::bad_field;
      else
        error = exchange_->insert_order(account_, 0, 0, req, static_cast<int>(id));
      if (error == Error::none) return;  // accepted: OnRtnOrder / OnRtnFill follow on the private flow
      Order refused;
      refused.order_ref = number;
      refused.instrument = req.instrument;
      refused.exchange = req.exchange;
      refused.side = req.side;
      refused.price = req.price;
      refused.stop_price = req.stop_price;
      refused.volume_original = req.volume;
      refused.submit_status = SubmitStatus::insert_rejected;
      refused.status = OrderStatus::cancelled;
      refused.echo = req.echo;
      deliver_order(refused, id, tap_error(error));
    });
  }

  TAPIINT32 CancelOrder(TAPIUINT32* session, const TapAPIOrderCancelReq* order) override {
    if (order == nullptr) return kInputValueError;
    const TapAPIOrderCancelReq copy = *order;
    return session_request(session, [this, copy](unsigned id) {
      const std::string number(field_view(copy.OrderNo));
      CancelRequest cancel;
      cancel.order_sys_id = padded_number(std::atoll(number.c_str()), 12);
      const Error error = number.empty() ? Error::order_not_found : exchange_->cancel_order(account_, cancel);
      const TapError result = tap_error(error);
      TapAPIOrderActionRsp rsp{};
      rsp.ActionType = APIORDER_DELETE;
      call([&](ITapTradeAPINotify* n) { n->OnRspOrderAction(id, result.code, &rsp); });
    });
  }

 protected:
  int not_implemented(const char*, int) override { return kNotSupported; }
  int not_supported(const char* method) override { return TapSession::not_supported(method); }

  void reset_session_state() override {
    logged_in_ = false;
    account_ = -1;
    if (flow_subscriber_) exchange_->unsubscribe_flow(flow_subscriber_);
    flow_subscriber_ = 0;
  }

  void on_stopping() override {
    if (flow_subscriber_ && exchange_) exchange_->unsubscribe_flow(flow_subscriber_);
    flow_subscriber_ = 0;
  }

  void run_login() override {
    if (!call([this](ITapTradeAPINotify* n) { n->OnConnect(host_.c_str()); })) return;
    const TapAPITradeLoginAuth auth = login_auth();
    const LoginRequest request{"", std::string(field_view(auth.UserNo)), std::string(field_view(auth.Password))};
    const LoginResult result = exchange_->login(FrontKind::td, front_id_, exchange_->next_session_id(), request, true);
    TapAPITradeLoginRspInfo info{};
    if (result.error == Error::none) {
      account_ = result.account;
      put(info.UserNo, result.user_id);
      info.UserType = TAPI_USERTYPE_CLIENT;
      put(info.UserName, result.user_id);
      put(info.TradeDate, tap_date(result.trading_day));
      put(info.StartTime, tap_datetime(result.trading_day, result.login_time));
      put(trading_day_, result.trading_day);
      exchange_->confirm_settlement(account_);  // TAP has no settlement confirmation
    }
    const int code = tap_error(result.error).code;
    if (!call([&](ITapTradeAPINotify* n) { n->OnRspLogin(code, code == 0 ? &info : nullptr); })) return;
    if (code != 0) return;
    logged_in_ = true;
    subscribe_private_flow();
    call([](ITapTradeAPINotify* n) { n->OnAPIReady(0); });
  }

 private:
  // N records -> N callbacks, the last flagged 'Y'; none -> one callback with no record.
  template <class Field, class Records, class Fill>
  void respond(unsigned id, const Records& records,
               void (ITapTradeAPINotify::*method)(TAPIUINT32, TAPIINT32, TAPIYNFLAG, const Field*), Fill fill) {
    if (records.empty()) {
      call([&](ITapTradeAPINotify* n) { (n->*method)(id, 0, APIYNFLAG_YES, nullptr); });
      return;
    }
    size_t n = 0;
    for (const auto& record : records) {
      Field field{};
      fill(field, record);
      const TAPIYNFLAG last = ++n == records.size() ? APIYNFLAG_YES : APIYNFLAG_NO;
      if (!call([&](ITapTradeAPINotify* notify) { (notify->*method)(id, 0, last, &field); })) return;
    }
  }

  std::optional<InstrumentConfig> find(const TapAPINewOrder& o) {
    for (const InstrumentRecord& r : exchange_->instruments("", field_view(o.ExchangeNo), field_view(o.CommodityNo)))
      if (contract_no(r.spec) == field_view(o.ContractNo)) return r.spec;
    return std::nullopt;
  }

  TapAPIFundData fund() {
    const AccountRecord a = exchange_->trading_account(account_);
    TapAPIFundData f{};
    put(f.AccountNo, a.account_id);
    put(f.CurrencyGroupNo, "USD");
    put(f.CurrencyNo, "USD");
    f.TradeRate = 1.0;
    f.PreBalance = a.pre_balance;
    f.PreEquity = a.pre_balance;
    f.FrozenFee = a.frozen_commission;
    f.FrozenDeposit = a.frozen_margin;
    f.AccountFee = a.commission;
    f.CloseProfit = a.close_profit;
    f.PositionProfit = a.position_profit;
    f.AccountIntialMargin = a.margin;
    f.AccountMaintenanceMargin = a.margin;
    f.Balance = a.balance;
    f.Equity = a.balance;
    f.Available = a.available;
    f.CanDraw = a.withdraw_quota;
    f.MarketEquity = a.balance;
    return f;
  }

  void fill_order(TapAPIOrderInfo& f, const Order& o, const TapError* error = nullptr) {
    const TapAPINewOrder req = echoed(o.echo);
    put(f.AccountNo, exchange_->account_user(account_));
    std::memcpy(f.ExchangeNo, req.ExchangeNo, sizeof f.ExchangeNo);
    f.CommodityType = req.CommodityType;
    std::memcpy(f.CommodityNo, req.CommodityNo, sizeof f.CommodityNo);
    std::memcpy(f.ContractNo, req.ContractNo, sizeof f.ContractNo);
    std::memcpy(f.StrikePrice, req.StrikePrice, sizeof f.StrikePrice);
    f.CallOrPutFlag = req.CallOrPutFlag;
    f.OrderType = req.OrderType;
    f.OrderSource = req.OrderSource;
    f.TimeInForce = req.TimeInForce;
    f.IsRiskOrder = req.IsRiskOrder;
    f.OrderSide = req.OrderSide;
    f.PositionEffect = req.PositionEffect;
    f.HedgeFlag = req.HedgeFlag;
    f.OrderPrice = o.price;
    f.StopPrice = o.stop_price;
    f.OrderQty = static_cast<TAPIUINT32>(o.volume_original);
    f.OrderMinQty = req.OrderMinQty;
    f.RefInt = req.RefInt;
    f.RefDouble = req.RefDouble;
    std::memcpy(f.RefString, req.RefString, sizeof f.RefString);
    f.ServerFlag = 'A';
    put(f.OrderNo, unpadded(o.order_sys_id));
    put(f.ClientOrderNo, o.order_ref);
    f.TacticsType = req.TacticsType;
    f.TriggerCondition = req.TriggerCondition;
    f.TriggerPriceType = req.TriggerPriceType;
    f.AddOneIsValid = req.AddOneIsValid;
    put(f.OrderLocalNo, unpadded(o.local_id));
    put(f.OrderSystemNo, unpadded(o.order_sys_id));
    put(f.OrderExchangeSystemNo, unpadded(o.order_sys_id));
    put(f.OrderInsertUserNo, o.user_id);
    if (!o.insert_date.empty()) put(f.OrderInsertTime, tap_datetime(o.insert_date, o.insert_time));
    if (!o.insert_date.empty()) put(f.OrderUpdateTime, tap_datetime(o.insert_date, o.update_time));
    f.OrderState = order_state(o);
    f.OrderMatchQty = static_cast<TAPIUINT32>(o.volume_traded);
    f.IsBackInput = APIYNFLAG_NO;
    f.IsDeleted = APIYNFLAG_NO;
    f.IsAddOne = APIYNFLAG_NO;
    if (error != nullptr) {
      f.ErrorCode = static_cast<TAPIUINT32>(error->code);
      put(f.ErrorText, gb18030_cached(error->text));
    } else if (o.submit_status == SubmitStatus::insert_rejected) {
      f.ErrorCode = 60015;  // the exchange refused it (the core's reason in ErrorText)
      put(f.ErrorText, gb18030_cached(o.status_message.substr(0, 45)));
    }
  }

  void fill_fill(TapAPIFillInfo& f, const Trade& t) {
    const TapAPINewOrder req = echoed(t.echo);
    put(f.AccountNo, exchange_->account_user(account_));
    std::memcpy(f.ExchangeNo, req.ExchangeNo, sizeof f.ExchangeNo);
    f.CommodityType = req.CommodityType;
    std::memcpy(f.CommodityNo, req.CommodityNo, sizeof f.CommodityNo);
    std::memcpy(f.ContractNo, req.ContractNo, sizeof f.ContractNo);
    f.CallOrPutFlag = req.CallOrPutFlag ? req.CallOrPutFlag : TAPI_CALLPUT_FLAG_NONE;
    f.MatchSource = TAPI_MATCH_SOURCE_PROGRAM;
    f.MatchSide = t.side == Side::buy ? TAPI_SIDE_BUY : TAPI_SIDE_SELL;
    f.PositionEffect = req.PositionEffect;
    f.ServerFlag = 'A';
    put(f.OrderNo, unpadded(t.order_sys_id));
    put(f.OrderSystemNo, unpadded(t.order_sys_id));
    put(f.MatchNo, unpadded(t.trade_id));
    put(f.ExchangeMatchNo, unpadded(t.trade_id));
    put(f.MatchDateTime, tap_datetime(t.trade_date, t.trade_time));
    put(f.UpperMatchDateTime, tap_datetime(t.trade_date, t.trade_time));
    f.MatchPrice = t.price;
    f.MatchQty = static_cast<TAPIUINT32>(t.volume);
    f.IsDeleted = APIYNFLAG_NO;
    f.IsAddOne = APIYNFLAG_NO;
    put(f.FeeCurrency, "USD");
  }

  void deliver_order(const Order& order, unsigned session, const TapError& error) {
    TapAPIOrderInfo info{};
    fill_order(info, order, error.code != 0 ? &error : nullptr);
    TapAPIOrderInfoNotice notice{};
    notice.SessionID = session;
    notice.ErrorCode = info.ErrorCode;
    notice.OrderInfo = &info;
    call([&](ITapTradeAPINotify* n) { n->OnRtnOrder(&notice); });
  }

  void subscribe_private_flow() {
    FlowSubscriber subscriber;
    subscriber.id = exchange_->new_subscriber_id();
    subscriber.account = account_;
    const uint64_t epoch = epoch_.load();
    subscriber.deliver = [this, epoch](const FlowEntry& entry) {
      loop_.post([this, epoch, entry] {
        if (!current(epoch)) return;
        ++flow_received_;
        if (const auto* order = std::get_if<std::shared_ptr<const Order>>(&entry)) {
          deliver_order(**order, static_cast<unsigned>((*order)->request_id), tap_error(Error::none));
        } else {
          TapAPIFillInfo fill{};
          fill_fill(fill, *std::get<std::shared_ptr<const Trade>>(entry));
          call([&](ITapTradeAPINotify* n) { n->OnRtnFill(&fill); });
        }
      });
    };
    flow_subscriber_ = subscriber.id;
    exchange_->subscribe_flow(std::move(subscriber), Resume::restart, flow_received_);
  }

  std::atomic<long long> last_client_order_{0};
  // API thread only:
  int account_ = -1;
  uint64_t flow_subscriber_ = 0;
  size_t flow_received_ = 0;
};

}  // namespace

ITapTradeAPI* create_trade_api(const char* version) {
  Simulator::instance().register_front_end(version);
  return new TradeApi();
}

void free_trade_api(ITapTradeAPI* api) {
  if (api != nullptr) static_cast<TradeApi*>(api)->free_api();
}

const char* error_text(int code) {
  // GetITapErrorDescribe: the header's words for the codes the simulator answers with (GB18030, as TAP's)
  static const std::map<int, std::string>* texts = [] {
    auto* table = new std::map<int, std::string>();
    for (Error e : {Error::invalid_login, Error::not_logged_in, Error::instrument_not_found, Error::bad_field,
                    Error::order_not_found, Error::unsuitable_order_status, Error::insufficient_money,
                    Error::over_close_position, Error::not_implemented, Error::auth_failed})
      (*table)[tap_error(e).code] = to_gb18030(tap_error(e).text);
    (*table)[0] = to_gb18030("成功");
    return table;
  }();
  const auto found = texts->find(code);
  return found != texts->end() ? found->second.c_str() : "";
}

}  // namespace vtcore::sim::tap
