// What TORA's two traders do alike on the simulator core. The stock trader (td_api.cpp, TORASTOCKAPI) and the
// stock-option trader (sp_api.cpp, TORASPAPI) declare the same requests and callbacks, with structs named apart
// (CTORATstpOrderField, CTORATstpSPOrderField) whose shared fields have the same names. So one template answers
// login and logout, the investor, shareholder, account, security, position, order and trade queries,
// ReqOrderInsert and ReqOrderAction with their refusals, and the private flow; a front-end supplies what differs:
// its codes (TraderCodes) and the hooks at the bottom (which instruments it lists, how it fills them, its account's
// figures, its order check).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "sp_convert.hpp"  // the option trader's overloads of order_request, fill_order, fill_trade
#include "tora_api.hpp"

namespace vtcore::sim::tora {

/// The type a request or callback takes first: the template reads a trader's structs from the vendor's own
/// declarations (`field_of<&Spi::OnRtnOrder>` is its order struct) rather than from a list kept beside them.
template <class Method>
struct FirstArg;
template <class Class, class Result, class Arg, class... Rest>
struct FirstArg<Result (Class::*)(Arg, Rest...)> {
  using type = Arg;
};
template <auto Method>
using field_of = std::remove_pointer_t<typename FirstArg<decltype(Method)>::type>;

/// A trader's RspUserLogin for a successful login.
template <class RspField, class ReqField>
void fill_login(RspField& out, const ReqField& in, const LoginResult& result, int session, char user_type) {
  put(out.LogInAccount, field_view(in.LogInAccount));
  out.LogInAccountType = in.LogInAccountType;
  out.FrontID = result.front_id;
  out.SessionID = session;
  out.MaxOrderRef = static_cast<int>(result.max_order_ref);
  put(out.LoginTime, result.login_time);
  put(out.SystemName, kSystemName);
  put(out.TradingDay, result.trading_day);
  put(out.UserID, result.user_id);
  out.UserType = user_type;
}

/// SubscribePrivateTopic's resume type as the core's (the traders' enums have the same names).
template <class ResumeType>
Resume resume_of(ResumeType type) {
  switch (type) {
    case ResumeType::TORA_TERT_RESTART:
      return Resume::restart;
    case ResumeType::TORA_TERT_RESUME:
      return Resume::resume;
    default:
      return Resume::quick;
  }
}

/// A trader's ReqOrderAction as the core's cancel (the flag's field is named apart: the caller reads `is_delete`);
/// by OrderSysID, or by this session's OrderRef when it has none.
template <class ActionField>
CancelRequest cancel_request(const ActionField& in, bool is_delete) {
  CancelRequest cancel;
  cancel.is_delete = is_delete;
  cancel.order_sys_id = std::string(field_view(in.OrderSysID));
  cancel.exchange = std::string(exchange_name(in.ExchangeID));
  if (cancel.order_sys_id.empty() && in.OrderRef != 0) cancel.order_ref = std::to_string(in.OrderRef);
  cancel.front_id = in.FrontID;
  cancel.session_id = in.SessionID;
  return cancel;
}

/// What a trader spells in its own namespace.
struct TraderCodes {
  const char* version;                        // GetApiVersion()'s, registered with the simulator
  char investor_user;                         // RspUserLogin.UserType
  char person;                                // Investor.InvestorType
  char normal_shareholder;                    // ShareholderAccount.ShareholderIDType
  std::vector<std::string> exchanges;         // one shareholder account on each
  char (*market)(std::string_view exchange);  // ShareholderAccount.MarketID of an exchange
};

template <class Stubs, class Spi, class RspInfo>
class TraderSession : public SimulatedApi<Stubs, Spi, RspInfo, FrontSession> {
  using Base = SimulatedApi<Stubs, Spi, RspInfo, FrontSession>;

 public:
  // The trader's structs, as its requests and callbacks declare them.
  using ReqUserLoginField = field_of<&Stubs::ReqUserLogin>;
  using RspUserLoginField = field_of<&Spi::OnRspUserLogin>;
  using UserLogoutField = field_of<&Stubs::ReqUserLogout>;
  using QrySecurityField = field_of<&Stubs::ReqQrySecurity>;
  using SecurityField = field_of<&Spi::OnRspQrySecurity>;
  using QryInvestorField = field_of<&Stubs::ReqQryInvestor>;
  using InvestorField = field_of<&Spi::OnRspQryInvestor>;
  using QryShareholderAccountField = field_of<&Stubs::ReqQryShareholderAccount>;
  using ShareholderAccountField = field_of<&Spi::OnRspQryShareholderAccount>;
  using QryTradingAccountField = field_of<&Stubs::ReqQryTradingAccount>;
  using TradingAccountField = field_of<&Spi::OnRspQryTradingAccount>;
  using QryPositionField = field_of<&Stubs::ReqQryPosition>;
  using PositionField = field_of<&Spi::OnRspQryPosition>;
  using QryOrderField = field_of<&Stubs::ReqQryOrder>;
  using OrderField = field_of<&Spi::OnRtnOrder>;
  using QryTradeField = field_of<&Stubs::ReqQryTrade>;
  using TradeField = field_of<&Spi::OnRtnTrade>;
  using InputOrderField = field_of<&Stubs::ReqOrderInsert>;
  using InputOrderActionField = field_of<&Stubs::ReqOrderAction>;
  using ResumeType = field_of<&Stubs::SubscribePrivateTopic>;

  explicit TraderSession(TraderCodes codes) : Base(FrontKind::td), codes_(std::move(codes)) {
    Simulator::instance().register_front_end(codes_.version);
  }

  void Init() override { this->start_session(); }
  void SubscribePrivateTopic(ResumeType type) override { private_resume_ = resume_of(type); }
  void SubscribePublicTopic(ResumeType) override {}

  int ReqUserLogin(ReqUserLoginField* req, int id) override {
    if (!req) return -1;
    const ReqUserLoginField copy = *req;
    return this->request([this, copy, id] {
      const int session = exchange_->next_session_id();
      const LoginRequest login{"", std::string(field_view(copy.LogInAccount)), std::string(field_view(copy.Password))};
      const LoginResult result = exchange_->login(FrontKind::td, front_id_, session, login, false);
      RspUserLoginField field{};
      if (result.error == Error::none) {
        account_ = result.account;
        session_id_ = session;
        user_ = result.user_id;
        logged_in_ = true;
        exchange_->confirm_settlement(account_);  // TORA has no settlement confirmation
        on_login(result);
        fill_login(field, copy, result, session, codes_.investor_user);
      }
      RspInfo info = error_info<RspInfo>(result.error);
      this->call([&](Spi* spi) { spi->OnRspUserLogin(&field, &info, id); });
      if (result.error == Error::none && logged_in_) {
        this->subscribe_private_flow(account_, private_resume_,
                                     [this](const FlowEntry& entry) { deliver_flow(entry); });
      }
    });
  }

  int ReqUserLogout(UserLogoutField* req, int id) override {
    if (!req) return -1;
    UserLogoutField copy = *req;
    return this->request([this, copy, id]() mutable {
      reset_session_state();
      RspInfo info = error_info<RspInfo>(Error::none);
      this->call([&](Spi* spi) { spi->OnRspUserLogout(&copy, &info, id); });
    });
  }

  // ---- queries ----
  int ReqQrySecurity(QrySecurityField* req, int id) override {
    const QrySecurityField copy = req ? *req : QrySecurityField{};
    return this->logged_in_request(id, [this, copy, id] {
      auto records = exchange_->instruments(field_view(copy.SecurityID), exchange_name(copy.ExchangeID), "");
      std::erase_if(records, [this](const InstrumentRecord& r) { return !lists(r); });
      const std::string day = exchange_->trading_day();
      this->template respond_list<SecurityField>(
          records, id, &Spi::OnRspQrySecurity,
          [this, &day](SecurityField& f, const InstrumentRecord& r) { describe_security(f, r, day); });
    });
  }

  int ReqQryInvestor(QryInvestorField*, int id) override {
    return this->logged_in_request(id, [this, id] {
      InvestorField field{};
      put(field.InvestorID, user_);
      put(field.InvestorName, user_);
      field.InvestorType = codes_.person;
      RspInfo info = error_info<RspInfo>(Error::none);
      this->call([&](Spi* spi) { spi->OnRspQryInvestor(&field, &info, id, true); });
    });
  }

  int ReqQryShareholderAccount(QryShareholderAccountField*, int id) override {
    return this->logged_in_request(id, [this, id] {
      this->template respond_list<ShareholderAccountField>(
          codes_.exchanges, id, &Spi::OnRspQryShareholderAccount,
          [this](ShareholderAccountField& f, const std::string& exchange) {
            put(f.InvestorID, user_);
            f.ExchangeID = exchange_id(exchange);
            put(f.ShareholderID, shareholder_of(user_, exchange));
            f.ShareholderIDType = codes_.normal_shareholder;
            f.MarketID = codes_.market(exchange);
          });
    });
  }

  int ReqQryTradingAccount(QryTradingAccountField*, int id) override {
    return this->logged_in_request(id, [this, id] {
      const std::vector<AccountRecord> records{exchange_->trading_account(account_)};
      this->template respond_list<TradingAccountField>(
          records, id, &Spi::OnRspQryTradingAccount,
          [this](TradingAccountField& f, const AccountRecord& r) { describe_account(f, r); });
    });
  }

  int ReqQryPosition(QryPositionField* req, int id) override {
    const QryPositionField copy = req ? *req : QryPositionField{};
    return this->logged_in_request(id, [this, copy, id] {
      auto records = exchange_->positions(account_, field_view(copy.SecurityID));
      std::erase_if(records, [this](const PositionRecord& p) {
        const auto record = exchange_->instrument(p.instrument);
        return !record || !lists_position(*record, p);
      });
      this->template respond_list<PositionField>(records, id, &Spi::OnRspQryPosition,
                                                 [this](PositionField& f, const PositionRecord& p) {
                                                   describe_position(f, p, *exchange_->instrument(p.instrument));
                                                 });
    });
  }

  int ReqQryOrder(QryOrderField* req, int id) override {
    return answer_reports(req, id, &Spi::OnRspQryOrder, &Exchange::orders,
                          [](OrderField& f, const Order& r) { fill_order(f, r); });
  }

  int ReqQryTrade(QryTradeField* req, int id) override {
    return answer_reports(req, id, &Spi::OnRspQryTrade, &Exchange::trades,
                          [](TradeField& f, const Trade& r) { fill_trade(f, r); });
  }

  // ---- trading ----
  int ReqOrderInsert(InputOrderField* req, int id) override {
    if (!req) return -1;
    InputOrderField copy = *req;
    return this->request([this, copy, id]() mutable {
      OrderRequest order;
      std::string why;
      Error error = logged_in_ ? check_order(copy, order, why) : Error::not_logged_in;
      if (error == Error::none && field_view(copy.ShareholderID) != shareholder_of(user_, order.exchange)) {
        error = Error::bad_field;
        why = "股东账号与交易所不符";
      }
      if (error == Error::none) {
        order.user_id = user_;
        error = exchange_->insert_order(account_, front_id_, session_id_, order, id);
        if (error == Error::none) return;  // accepted: OnRtnOrder / OnRtnTrade follow on the private flow
      }
      this->refuse(copy, error_info<RspInfo>(error, why), id, &Spi::OnRspOrderInsert, &Spi::OnErrRtnOrderInsert);
    });
  }

  int ReqOrderAction(InputOrderActionField* req, int id) override {
    if (!req) return -1;
    InputOrderActionField copy = *req;
    return this->request([this, copy, id]() mutable {
      const CancelRequest cancel = cancel_request(copy, is_delete(copy));
      const Error error = logged_in_ ? exchange_->cancel_order(account_, cancel) : Error::not_logged_in;
      if (error == Error::none) return;
      this->refuse(copy, error_info<RspInfo>(error), id, &Spi::OnRspOrderAction, &Spi::OnErrRtnOrderAction);
    });
  }

 protected:
  using Base::exchange_;
  using Base::front_id_;
  using Base::logged_in_;

  // ---- what a front-end supplies (API thread) ----
  /// After a successful login, before its answer.
  virtual void on_login(const LoginResult&) {}
  /// The instruments the trader lists in ReqQrySecurity and trades.
  virtual bool lists(const InstrumentRecord& record) const = 0;
  /// The positions it lists in ReqQryPosition: by default those in the instruments it lists.
  virtual bool lists_position(const InstrumentRecord& record, const PositionRecord&) const { return lists(record); }
  virtual void describe_security(SecurityField& out, const InstrumentRecord& record, std::string_view day) = 0;
  virtual void describe_account(TradingAccountField& out, const AccountRecord& account) = 0;
  virtual void describe_position(PositionField& out, const PositionRecord& position,
                                 const InstrumentRecord& record) = 0;
  /// ReqOrderInsert's order for the core, or why not (Error::bad_field with `why` for a code the trader does not
  /// take): by default what convert.hpp / sp_convert.hpp's order_request says.
  virtual Error check_order(const InputOrderField& in, OrderRequest& out, std::string& why) {
    return order_request(in, out, why) ? Error::none : Error::bad_field;
  }
  /// ReqOrderAction asks to delete the order (the flag's field is named apart).
  virtual bool is_delete(const InputOrderActionField& in) const = 0;

  void reset_session_state() override {
    logged_in_ = false;
    account_ = -1;
    this->unsubscribe_private_flow();
  }

  // API thread only:
  int account_ = -1;

 private:
  // ReqQryOrder / ReqQryTrade: the account's orders or trades (`list`) in one security, all when the query names none.
  template <class Query, class Field, class List, class Fill>
  int answer_reports(Query* req, int id, void (Spi::*answer)(Field*, RspInfo*, int, bool), List list, Fill fill) {
    const Query copy = req ? *req : Query{};
    return this->logged_in_request(id, [this, copy, id, answer, list, fill] {
      const auto records = ((*exchange_).*list)(account_, field_view(copy.SecurityID));
      this->respond_list(records, id, answer, [&fill](Field& f, const auto& r) { fill(f, *r); });
    });
  }

  // One private-flow entry as OnRtnOrder / OnRtnTrade (API thread).
  void deliver_flow(const FlowEntry& entry) {
    if (const auto* order = std::get_if<std::shared_ptr<const Order>>(&entry)) {
      OrderField field{};
      fill_order(field, **order);
      this->call([&](Spi* spi) { spi->OnRtnOrder(&field); });
    } else {
      TradeField field{};
      fill_trade(field, *std::get<std::shared_ptr<const Trade>>(entry));
      this->call([&](Spi* spi) { spi->OnRtnTrade(&field); });
    }
  }

  const TraderCodes codes_;
  Resume private_resume_ = Resume::restart;
  // API thread only:
  int session_id_ = 0;
  std::string user_;
};

}  // namespace vtcore::sim::tora
