// The simulated TORASTOCKAPI::CTORATstpTraderApi: login (by user id or fund account), the queries vn.py's and
// vtcore's gateways make (securities, investor, shareholder accounts, trading account, positions, orders, trades),
// ReqOrderInsert / ReqOrderAction and the private flow (OnRtnOrder, OnRtnTrade), on the core's exchange. Requests not
// written here come from the generated TraderApiStubs and answer OnRspError ("not implemented"). The library's
// exports are in td_factory.cpp.
#include <string>
#include <vector>

#include "td_stubs.hpp"
#include "tora_api.hpp"

namespace vtcore::sim::tora {
namespace {

using RspInfo = td::CTORATstpRspInfoField;
using Spi = td::CTORATstpTraderSpi;

class TraderApi final : public SimulatedApi<TraderApiStubs, Spi, RspInfo, FrontSession> {
 public:
  TraderApi() : SimulatedApi(FrontKind::td) { Simulator::instance().register_front_end(kTraderVersion); }

  void Init() override { start_session(); }
  void RegisterFensUserInfo(td::CTORATstpFensUserInfoField*) override {}
  void SubscribePrivateTopic(td::TORA_TE_RESUME_TYPE type) override { private_resume_ = resume_of(type); }
  void SubscribePublicTopic(td::TORA_TE_RESUME_TYPE) override {}

  int ReqUserLogin(td::CTORATstpReqUserLoginField* req, int id) override {
    if (!req) return -1;
    const td::CTORATstpReqUserLoginField copy = *req;
    return request([this, copy, id] {
      const int session = exchange_->next_session_id();
      const LoginRequest login{"", std::string(field_view(copy.LogInAccount)), std::string(field_view(copy.Password))};
      const LoginResult result = exchange_->login(FrontKind::td, front_id_, session, login, false);
      td::CTORATstpRspUserLoginField field{};
      if (result.error == Error::none) {
        account_ = result.account;
        session_id_ = session;
        user_ = result.user_id;
        credit_ = exchange_->account_credit(account_);
        logged_in_ = true;
        exchange_->confirm_settlement(account_);  // TORA has no settlement confirmation
        put(trading_day_, result.trading_day);
        fill_login(field, copy, result, session, td::TORA_TSTP_UTYPE_Investor);
      }
      RspInfo info = error_info<RspInfo>(result.error);
      call([&](Spi* spi) { spi->OnRspUserLogin(&field, &info, id); });
      if (result.error == Error::none && logged_in_) {
        subscribe_private_flow(account_, private_resume_, [this](const FlowEntry& entry) { deliver_flow(entry); });
      }
    });
  }

  int ReqUserLogout(td::CTORATstpUserLogoutField* req, int id) override {
    if (!req) return -1;
    td::CTORATstpUserLogoutField copy = *req;
    return request([this, copy, id]() mutable {
      reset_session_state();
      RspInfo info = error_info<RspInfo>(Error::none);
      call([&](Spi* spi) { spi->OnRspUserLogout(&copy, &info, id); });
    });
  }

  // ---- queries ----
  int ReqQrySecurity(td::CTORATstpQrySecurityField* req, int id) override {
    const td::CTORATstpQrySecurityField copy = req ? *req : td::CTORATstpQrySecurityField{};
    return logged_in_request(id, [this, copy, id] {
      const std::string_view exchange = exchange_name(copy.ExchangeID);
      auto records = exchange_->instruments(field_view(copy.SecurityID), exchange, "");
      std::erase_if(records, [](const InstrumentRecord& r) { return r.spec.kind == "futures" || is_option(r.spec); });
      const std::string day = exchange_->trading_day();
      respond_list<td::CTORATstpSecurityField>(
          records, id, &Spi::OnRspQrySecurity,
          [&day](auto& f, const InstrumentRecord& r) { fill_security(f, r, day); });
    });
  }

  int ReqQryInvestor(td::CTORATstpQryInvestorField*, int id) override {
    return logged_in_request(id, [this, id] {
      td::CTORATstpInvestorField field{};
      put(field.InvestorID, user_);
      put(field.InvestorName, user_);
      field.InvestorType = td::TORA_TSTP_CT_Person;
      RspInfo info = error_info<RspInfo>(Error::none);
      call([&](Spi* spi) { spi->OnRspQryInvestor(&field, &info, id, true); });
    });
  }

  int ReqQryShareholderAccount(td::CTORATstpQryShareholderAccountField*, int id) override {
    return logged_in_request(id, [this, id] {
      const std::vector<std::string> exchanges{"SSE", "SZSE", "BSE"};
      respond_list<td::CTORATstpShareholderAccountField>(exchanges, id, &Spi::OnRspQryShareholderAccount,
                                                         [this](auto& f, const std::string& exchange) {
                                                           put(f.InvestorID, user_);
                                                           f.ExchangeID = exchange_id(exchange);
                                                           put(f.ShareholderID, shareholder_of(user_, exchange));
                                                           f.ShareholderIDType = td::TORA_TSTP_SIDT_Normal;
                                                           f.MarketID = exchange == "SSE"    ? td::TORA_TSTP_MKD_SHA
                                                                        : exchange == "SZSE" ? td::TORA_TSTP_MKD_SZA
                                                                                             : td::TORA_TSTP_MKD_BJMain;
                                                         });
    });
  }

  int ReqQryTradingAccount(td::CTORATstpQryTradingAccountField*, int id) override {
    return logged_in_request(id, [this, id] {
      const std::vector<AccountRecord> records{exchange_->trading_account(account_)};
      respond_list<td::CTORATstpTradingAccountField>(records, id, &Spi::OnRspQryTradingAccount,
                                                     [this](auto& f, const auto& r) { fill_account(f, r, credit_); });
    });
  }

  int ReqQryPosition(td::CTORATstpQryPositionField* req, int id) override {
    const td::CTORATstpQryPositionField copy = req ? *req : td::CTORATstpQryPositionField{};
    return logged_in_request(id, [this, copy, id] {
      auto records = exchange_->positions(account_, field_view(copy.SecurityID));
      std::erase_if(records, [this](const PositionRecord& p) {
        const auto record = exchange_->instrument(p.instrument);
        return !record || record->spec.kind == "futures" || is_option(record->spec) ||
               p.side != PositionSide::long_side;
      });
      respond_list<td::CTORATstpPositionField>(records, id, &Spi::OnRspQryPosition,
                                               [this](auto& f, const PositionRecord& p) {
                                                 const auto record = exchange_->instrument(p.instrument);
                                                 fill_position(f, p, record ? record->spec.name : std::string());
                                               });
    });
  }

  int ReqQryOrder(td::CTORATstpQryOrderField* req, int id) override {
    const td::CTORATstpQryOrderField copy = req ? *req : td::CTORATstpQryOrderField{};
    return logged_in_request(id, [this, copy, id] {
      auto records = exchange_->orders(account_, field_view(copy.SecurityID));
      respond_list<td::CTORATstpOrderField>(records, id, &Spi::OnRspQryOrder,
                                            [](auto& f, const auto& r) { fill_order(f, *r); });
    });
  }

  int ReqQryTrade(td::CTORATstpQryTradeField* req, int id) override {
    const td::CTORATstpQryTradeField copy = req ? *req : td::CTORATstpQryTradeField{};
    return logged_in_request(id, [this, copy, id] {
      auto records = exchange_->trades(account_, field_view(copy.SecurityID));
      respond_list<td::CTORATstpTradeField>(records, id, &Spi::OnRspQryTrade,
                                            [](auto& f, const auto& r) { fill_trade(f, *r); });
    });
  }

  // ---- trading ----
  int ReqOrderInsert(td::CTORATstpInputOrderField* req, int id) override {
    if (!req) return -1;
    td::CTORATstpInputOrderField copy = *req;
    return request([this, copy, id]() mutable {
      OrderRequest order;
      std::string why;
      Error error = Error::none;
      if (!logged_in_) {
        error = Error::not_logged_in;
      } else if (!order_request(copy, order, why)) {
        error = Error::bad_field;
      } else if (field_view(copy.ShareholderID) != shareholder_of(user_, order.exchange)) {
        error = Error::bad_field;
        why = "股东账号与交易所不符";
      } else {
        order.user_id = user_;
        error = exchange_->insert_order(account_, front_id_, session_id_, order, id);
      }
      if (error == Error::none) return;  // accepted: OnRtnOrder / OnRtnTrade follow on the private flow
      refuse(copy, error_info<RspInfo>(error, why), id, &Spi::OnRspOrderInsert, &Spi::OnErrRtnOrderInsert);
    });
  }

  int ReqOrderAction(td::CTORATstpInputOrderActionField* req, int id) override {
    if (!req) return -1;
    td::CTORATstpInputOrderActionField copy = *req;
    return request([this, copy, id]() mutable {
      const CancelRequest cancel = cancel_request(copy, copy.ActionFlag == td::TORA_TSTP_AF_Delete);
      const Error error = logged_in_ ? exchange_->cancel_order(account_, cancel) : Error::not_logged_in;
      if (error == Error::none) return;
      refuse(copy, error_info<RspInfo>(error), id, &Spi::OnRspOrderAction, &Spi::OnErrRtnOrderAction);
    });
  }

 protected:
  void reset_session_state() override {
    logged_in_ = false;
    account_ = -1;
    unsubscribe_private_flow();
  }

 private:
  // One private-flow entry as OnRtnOrder / OnRtnTrade (API thread).
  void deliver_flow(const FlowEntry& entry) {
    if (const auto* order = std::get_if<std::shared_ptr<const Order>>(&entry)) {
      td::CTORATstpOrderField field{};
      fill_order(field, **order);
      call([&](Spi* spi) { spi->OnRtnOrder(&field); });
    } else {
      td::CTORATstpTradeField field{};
      fill_trade(field, *std::get<std::shared_ptr<const Trade>>(entry));
      call([&](Spi* spi) { spi->OnRtnTrade(&field); });
    }
  }

  Resume private_resume_ = Resume::restart;
  // API thread only:
  int account_ = -1;
  int session_id_ = 0;
  std::string user_;
  bool credit_ = false;
};

}  // namespace

td::CTORATstpTraderApi* create_trader_api(const char* flow_path) {
  (void)flow_path;  // TORA keeps its flow files in the folder; the simulator replays from the core instead
  return new TraderApi();
}

}  // namespace vtcore::sim::tora
