// The simulated CUstpFtdcTraderApi (FEMAS): the client certification (ReqDSUserCertification), login, the
// investor query, instrument / account / position / order / trade queries, order insert and cancel by the
// user's UserOrderLocalID, and the order and trade returns on the private flow. Requests not written here come
// from the generated TraderApiStubs and answer OnRspError ("not implemented").
//
// FEMAS has no settlement confirmation (a session counts as confirmed once logged in), and local ids are the
// user's across sessions: an id used once today is refused again (duplicate).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "USTPFtdcTraderApi.h"
#include "td_stubs.hpp"
#include "ustp_api.hpp"

namespace vtcore::sim::femas {
namespace {

Resume resume_of(USTP_TE_RESUME_TYPE type) {
  switch (type) {
    case USTP_TERT_RESTART:
      return Resume::restart;
    case USTP_TERT_RESUME:
      return Resume::resume;
    default:
      return Resume::quick;
  }
}

class TraderApi final : public SimulatedApi<TraderApiStubs, CUstpFtdcTraderSpi> {
 public:
  explicit TraderApi(std::string flow_path) : SimulatedApi(FrontKind::td, std::move(flow_path)) {}

  // ---- lifecycle ----
  void RegisterQryFront(char*) override {}
  void SubscribePrivateTopic(USTP_TE_RESUME_TYPE type) override { private_resume_ = resume_of(type); }
  void SubscribePublicTopic(USTP_TE_RESUME_TYPE) override {}
  void SubscribeUserTopic(USTP_TE_RESUME_TYPE type) override { private_resume_ = resume_of(type); }
  void SubscribeForQuote(USTP_TE_RESUME_TYPE) override {}
  int OpenRequestLog(const char*) override { return 0; }
  int OpenResponseLog(const char*) override { return 0; }
  int RegisterDSProxyUserCert(CUstpFtdcDSProxyCheckUserInfoField*, CUstpFtdcDSProxyUserCertInField*,
                              CUstpFtdcDSProxyUserCertOutField*, int) override {
    return 0;
  }

  // ---- session ----
  int ReqDSUserCertification(CUstpFtdcDSUserInfoField* req, int id) override {
    if (!req) return -1;
    const CUstpFtdcDSUserInfoField copy = *req;
    return request([this, copy, id] {
      // The user is not known yet: the AppID and AuthCode are checked against the account at login.
      app_id_ = std::string(field_view(copy.AppID));
      auth_code_ = std::string(field_view(copy.AuthCode));
      const bool given = !app_id_.empty() && !auth_code_.empty();
      certified_ = given;
      CUstpFtdcDSUserCertRspDataField rsp{};
      put(rsp.AppID, app_id_);
      rsp.AppIDType = '1';
      rsp.TotalNum = 1;
      rsp.CurrentNum = 1;
      CUstpFtdcRspInfoField info = given ? ok_info() : error_info(Error::auth_failed);
      call([&](CUstpFtdcTraderSpi* spi) { spi->OnRspDSUserCertification(&rsp, &info, id, true); });
    });
  }

  int ReqUserLogin(CUstpFtdcReqUserLoginField* req, int id) override {
    if (!req) return -1;
    const CUstpFtdcReqUserLoginField copy = *req;
    return request([this, copy, id] {
      const LoginRequest login{std::string(field_view(copy.BrokerID)), std::string(field_view(copy.UserID)),
                               std::string(field_view(copy.Password))};
      Error certification = Error::none;
      if (certified_) certification = exchange_->authenticate(login.broker_id, login.user_id, app_id_, auth_code_);
      LoginResult result;
      if (certification != Error::none) {
        result.error = certification;
      } else {
        result = exchange_->login(FrontKind::td, front_id_, exchange_->next_session_id(), login, certified_);
      }
      CUstpFtdcRspUserLoginField field{};
      if (result.error == Error::none) {
        account_ = result.account;
        logged_in_ = true;
        put(trading_day_, result.trading_day);
        fill_login(field, result, kSystemName);
        exchange_->confirm_settlement(account_);  // no settlement confirmation in this SDK
      }
      CUstpFtdcRspInfoField info = error_info(result.error);
      call([&](CUstpFtdcTraderSpi* spi) { spi->OnRspUserLogin(&field, &info, id, true); });
      if (result.error == Error::none && logged_in_) subscribe_private_flow();
    });
  }

  int ReqUserLogout(CUstpFtdcReqUserLogoutField* req, int id) override {
    if (!req) return -1;
    const CUstpFtdcReqUserLogoutField copy = *req;
    return request([this, copy, id] {
      reset_session_state();
      CUstpFtdcRspUserLogoutField field{};
      put(field.BrokerID, field_view(copy.BrokerID));
      put(field.UserID, field_view(copy.UserID));
      CUstpFtdcRspInfoField info = ok_info();
      call([&](CUstpFtdcTraderSpi* spi) { spi->OnRspUserLogout(&field, &info, id, true); });
    });
  }

  // ---- queries ----
  int ReqQryUserInvestor(CUstpFtdcQryUserInvestorField*, int id) override {
    return logged_in_request(id, [this, id] {
      CUstpFtdcRspUserInvestorField f{};
      put(f.BrokerID, exchange_->account_broker(account_));
      put(f.UserID, exchange_->account_user(account_));
      put(f.InvestorID, exchange_->account_user(account_));  // one investor per user here
      CUstpFtdcRspInfoField info = ok_info();
      call([&](CUstpFtdcTraderSpi* spi) { spi->OnRspQryUserInvestor(&f, &info, id, true); });
    });
  }

  int ReqQryInstrument(CUstpFtdcQryInstrumentField* req, int id) override {
    const CUstpFtdcQryInstrumentField copy = req ? *req : CUstpFtdcQryInstrumentField{};
    return logged_in_request(id, [this, copy, id] {
      const auto records = exchange_->instruments(field_view(copy.InstrumentID), field_view(copy.ExchangeID),
                                                  field_view(copy.ProductID));
      respond_list<CUstpFtdcRspInstrumentField>(records, id, &CUstpFtdcTraderSpi::OnRspQryInstrument,
                                                [](auto& f, const auto& r) { fill_instrument(f, r); });
    });
  }

  int ReqQryInvestorAccount(CUstpFtdcQryInvestorAccountField*, int id) override {
    return logged_in_request(id, [this, id] {
      const std::vector<AccountRecord> records{exchange_->trading_account(account_)};
      respond_list<CUstpFtdcRspInvestorAccountField>(records, id, &CUstpFtdcTraderSpi::OnRspQryInvestorAccount,
                                                     [](auto& f, const auto& r) { fill_account(f, r); });
    });
  }

  int ReqQryInvestorPosition(CUstpFtdcQryInvestorPositionField* req, int id) override {
    const CUstpFtdcQryInvestorPositionField copy = req ? *req : CUstpFtdcQryInvestorPositionField{};
    return logged_in_request(id, [this, copy, id] {
      std::map<std::pair<std::string, PositionSide>, CUstpFtdcRspInvestorPositionField> merged;
      std::vector<std::pair<std::string, PositionSide>> order;  // the core's order of first appearance
      for (const PositionRecord& p : exchange_->positions(account_, field_view(copy.InstrumentID))) {
        const auto key = std::make_pair(p.instrument, p.side);
        if (merged.find(key) == merged.end()) order.push_back(key);
        add_position(merged[key], p);
      }
      std::vector<CUstpFtdcRspInvestorPositionField> records;
      for (const auto& key : order) records.push_back(merged[key]);
      respond_list<CUstpFtdcRspInvestorPositionField>(records, id, &CUstpFtdcTraderSpi::OnRspQryInvestorPosition,
                                                      [](auto& f, const auto& r) { f = r; });
    });
  }

  int ReqQryOrder(CUstpFtdcQryOrderField* req, int id) override {
    const CUstpFtdcQryOrderField copy = req ? *req : CUstpFtdcQryOrderField{};
    return logged_in_request(id, [this, copy, id] {
      const auto records = exchange_->orders(account_, field_view(copy.InstrumentID));
      respond_list<CUstpFtdcOrderField>(records, id, &CUstpFtdcTraderSpi::OnRspQryOrder,
                                        [](auto& f, const auto& r) { fill_order(f, *r); });
    });
  }

  int ReqQryTrade(CUstpFtdcQryTradeField* req, int id) override {
    const CUstpFtdcQryTradeField copy = req ? *req : CUstpFtdcQryTradeField{};
    return logged_in_request(id, [this, copy, id] {
      const auto records = exchange_->trades(account_, field_view(copy.InstrumentID));
      respond_list<CUstpFtdcTradeField>(records, id, &CUstpFtdcTraderSpi::OnRspQryTrade,
                                        [](auto& f, const auto& r) { fill_trade(f, *r); });
    });
  }

  // ---- trading ----
  int ReqOrderInsert(CUstpFtdcInputOrderField* req, int id) override {
    if (!req) return -1;
    CUstpFtdcInputOrderField copy = *req;
    return request([this, copy, id]() mutable {
      // Local ids are the user's, not the session's: every session of the account shares front 0, session 0.
      const Error error =
          logged_in_ ? exchange_->insert_order(account_, 0, 0, order_request(copy), id) : Error::not_logged_in;
      if (error == Error::none) return;  // accepted: OnRtnOrder / OnRtnTrade follow on the private flow
      CUstpFtdcRspInfoField info = error_info(error);
      if (!call([&](CUstpFtdcTraderSpi* spi) { spi->OnRspOrderInsert(&copy, &info, id, true); })) return;
      call([&](CUstpFtdcTraderSpi* spi) { spi->OnErrRtnOrderInsert(&copy, &info); });
    });
  }

  int ReqOrderAction(CUstpFtdcOrderActionField* req, int id) override {
    if (!req) return -1;
    CUstpFtdcOrderActionField copy = *req;
    return request([this, copy, id]() mutable {
      CancelRequest cancel;
      cancel.is_delete = copy.ActionFlag == USTP_FTDC_AF_Delete;
      // FEMAS names the order by the user's local id; the exchange's OrderSysID only when there is none.
      cancel.order_ref = std::string(field_view(copy.UserOrderLocalID));
      if (cancel.order_ref.empty()) cancel.order_sys_id = std::string(field_view(copy.OrderSysID));
      cancel.exchange = std::string(field_view(copy.ExchangeID));
      const Error error = logged_in_ ? exchange_->cancel_order(account_, cancel) : Error::not_logged_in;
      if (error == Error::none) return;
      CUstpFtdcRspInfoField info = error_info(error);
      if (!call([&](CUstpFtdcTraderSpi* spi) { spi->OnRspOrderAction(&copy, &info, id, true); })) return;
      call([&](CUstpFtdcTraderSpi* spi) { spi->OnErrRtnOrderAction(&copy, &info); });
    });
  }

 protected:
  void reset_session_state() override {
    logged_in_ = false;
    certified_ = false;
    account_ = -1;
    if (flow_subscriber_) exchange_->unsubscribe_flow(flow_subscriber_);
    flow_subscriber_ = 0;
  }

  void on_stopping() override {
    if (flow_subscriber_ && exchange_) exchange_->unsubscribe_flow(flow_subscriber_);
    flow_subscriber_ = 0;
  }

 private:
  template <class Work>
  int logged_in_request(int id, Work work) {
    return request([this, id, work = std::move(work)] {
      if (!logged_in_) {
        CUstpFtdcRspInfoField info = error_info(Error::not_logged_in);
        call([&](CUstpFtdcTraderSpi* spi) { spi->OnRspError(&info, id, true); });
        return;
      }
      work();
    });
  }

  // N records -> N callbacks, the last flagged; none -> one callback with no record.
  template <class Field, class Records, class Fill>
  void respond_list(const Records& records, int id,
                    void (CUstpFtdcTraderSpi::*method)(Field*, CUstpFtdcRspInfoField*, int, bool), Fill fill) {
    CUstpFtdcRspInfoField info = ok_info();
    if (records.empty()) {
      call([&](CUstpFtdcTraderSpi* spi) { (spi->*method)(nullptr, &info, id, true); });
      return;
    }
    for (size_t n = 0; n < records.size(); ++n) {
      Field field{};
      fill(field, records[n]);
      const bool last = n + 1 == records.size();
      if (!call([&](CUstpFtdcTraderSpi* spi) { (spi->*method)(&field, &info, id, last); })) return;
    }
  }

  void deliver_order(const Order& order) {
    if (order.submit_status == SubmitStatus::insert_rejected) {
      // FEMAS orders carry no status message: the exchange's refusal comes as OnErrRtnOrderInsert with it.
      CUstpFtdcInputOrderField input = echoed_request(order.echo);
      CUstpFtdcRspInfoField info = error_info(Error::bad_field, order.status_message);
      call([&](CUstpFtdcTraderSpi* spi) { spi->OnErrRtnOrderInsert(&input, &info); });
      return;
    }
    CUstpFtdcOrderField field{};
    fill_order(field, order);
    call([&](CUstpFtdcTraderSpi* spi) { spi->OnRtnOrder(&field); });
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
          deliver_order(**order);
        } else {
          CUstpFtdcTradeField field{};
          fill_trade(field, *std::get<std::shared_ptr<const Trade>>(entry));
          call([&](CUstpFtdcTraderSpi* spi) { spi->OnRtnTrade(&field); });
        }
      });
    };
    flow_subscriber_ = subscriber.id;
    exchange_->subscribe_flow(std::move(subscriber), private_resume_, flow_received_);
  }

  Resume private_resume_ = Resume::restart;
  // API thread only:
  bool certified_ = false;
  std::string app_id_, auth_code_;
  int account_ = -1;
  uint64_t flow_subscriber_ = 0;
  size_t flow_received_ = 0;
};

}  // namespace

CUstpFtdcTraderApi* create_trader_api(const char* flow_path, const char* version) {
  Simulator::instance().register_front_end(version);
  const char* prefix = flow_path ? flow_path : "";
  create_flow_files(prefix, {"DialogRsp.con", "QueryRsp.con", "TradingDay.con", "Private.con", "Public.con"});
  return new TraderApi(prefix);
}

}  // namespace vtcore::sim::femas
