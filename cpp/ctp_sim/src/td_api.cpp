// The simulated CThostFtdcTraderApi: authenticate, login, settlement, queries, order insert / cancel and the
// private flow. Requests not written here come from the generated TraderApiStubs and answer OnRspError.
#include <atomic>
#include <chrono>
#include <cstring>

#include "ThostFtdcTraderApi.h"
#include "api_common.hpp"
#include "td_stubs.hpp"

namespace ctpsim {
namespace {

class TraderApi final : public SimulatedApi<TraderApiStubs, CThostFtdcTraderSpi> {
 public:
  explicit TraderApi(std::string flow_path) : SimulatedApi(FrontKind::td, std::move(flow_path)) {}

  // ---- lifecycle ----
  void GetFrontInfo(CThostFtdcFrontInfoField* info) override {
    if (info) *info = CThostFtdcFrontInfoField{};
  }
  void SubscribePrivateTopic(THOST_TE_RESUME_TYPE type) override { private_resume_ = static_cast<char>(type); }
  void SubscribePublicTopic(THOST_TE_RESUME_TYPE) override {}
  int RegisterUserSystemInfo(CThostFtdcUserSystemInfoField*) override { return 0; }
  int SubmitUserSystemInfo(CThostFtdcUserSystemInfoField*) override { return 0; }
  int RegisterWechatUserSystemInfo(CThostFtdcWechatUserSystemInfoField*) override { return 0; }
  int SubmitWechatUserSystemInfo(CThostFtdcWechatUserSystemInfoField*) override { return 0; }

  void control_ticks(int64_t, double) override {}

  // ---- session ----
  int ReqAuthenticate(CThostFtdcReqAuthenticateField* req, int id) override {
    if (!req) return -1;
    const CThostFtdcReqAuthenticateField copy = *req;
    return request([this, copy, id] {
      const Reject reject = exchange_->authenticate(field_view(copy.BrokerID), field_view(copy.UserID),
                                                    field_view(copy.AppID), field_view(copy.AuthCode));
      authenticated_ = reject.id == 0;
      CThostFtdcRspAuthenticateField rsp{};
      put(rsp.BrokerID, field_view(copy.BrokerID));
      put(rsp.UserID, field_view(copy.UserID));
      put(rsp.UserProductInfo, field_view(copy.UserProductInfo));
      put(rsp.AppID, field_view(copy.AppID));
      rsp.AppType = THOST_FTDC_APP_TYPE_Investor;
      CThostFtdcRspInfoField info = reject.id ? error_info(reject) : ok_info();
      deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspAuthenticate(&rsp, &info, id, true); });
    });
  }

  int ReqUserLogin(CThostFtdcReqUserLoginField* req, int id) override {
    if (!req) return -1;
    const CThostFtdcReqUserLoginField copy = *req;
    return request([this, copy, id] {
      const int session = exchange_->next_session_id();
      LoginResult result = exchange_->login(FrontKind::td, front_id_, session, copy, authenticated_);
      CThostFtdcRspInfoField info = result.reject.id ? error_info(result.reject) : ok_info();
      if (result.reject.id == 0) {
        account_ = result.account;
        session_id_ = session;
        logged_in_ = true;
        put(trading_day_, field_view(result.field.TradingDay));
      }
      deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspUserLogin(&result.field, &info, id, true); });
      if (result.reject.id == 0 && logged_in_) subscribe_private_flow();
    });
  }

  int ReqUserLogout(CThostFtdcUserLogoutField* req, int id) override {
    if (!req) return -1;
    CThostFtdcUserLogoutField copy = *req;
    return request([this, copy, id]() mutable {
      reset_session_state();
      CThostFtdcRspInfoField info = ok_info();
      deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspUserLogout(&copy, &info, id, true); });
    });
  }

  // ---- settlement ----
  int ReqQrySettlementInfo(CThostFtdcQrySettlementInfoField*, int id) override {
    return query_request(id, [this, id] {
      const std::string text = exchange_->settlement_text(account_);
      constexpr size_t chunk = sizeof(CThostFtdcSettlementInfoField::Content) - 1;
      const size_t parts = (text.size() + chunk - 1) / chunk;
      for (size_t n = 0; n < parts; ++n) {
        CThostFtdcSettlementInfoField f{};
        put(f.TradingDay, exchange_->trading_day());
        f.SettlementID = 1;
        put(f.BrokerID, account_field().BrokerID);
        put(f.InvestorID, account_field().AccountID);
        f.SequenceNo = static_cast<int>(n + 1);
        put(f.Content, std::string_view(text).substr(n * chunk, chunk));
        put(f.AccountID, account_field().AccountID);
        put(f.CurrencyID, "CNY");
        CThostFtdcRspInfoField info = ok_info();
        const bool last = n + 1 == parts;
        if (!deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspQrySettlementInfo(&f, &info, id, last); })) return;
      }
    });
  }

  int ReqSettlementInfoConfirm(CThostFtdcSettlementInfoConfirmField*, int id) override {
    return logged_in_request(id, [this, id] {
      CThostFtdcSettlementInfoConfirmField f = exchange_->confirm_settlement(account_);
      CThostFtdcRspInfoField info = ok_info();
      deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspSettlementInfoConfirm(&f, &info, id, true); });
    });
  }

  int ReqQrySettlementInfoConfirm(CThostFtdcQrySettlementInfoConfirmField*, int id) override {
    return query_request(id, [this, id] {
      auto f = exchange_->settlement_confirmation(account_);
      CThostFtdcRspInfoField info = ok_info();
      deliver([&](CThostFtdcTraderSpi* spi) {
        spi->OnRspQrySettlementInfoConfirm(f ? &*f : nullptr, &info, id, true);
      });
    });
  }

  // ---- queries ----
  int ReqQryInstrument(CThostFtdcQryInstrumentField* req, int id) override {
    const CThostFtdcQryInstrumentField copy = req ? *req : CThostFtdcQryInstrumentField{};
    return query_request(id, [this, copy, id] {
      auto items = exchange_->instruments(field_view(copy.InstrumentID), field_view(copy.ExchangeID),
                                          field_view(copy.ProductID));
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryInstrument);
    });
  }

  int ReqQryTradingAccount(CThostFtdcQryTradingAccountField*, int id) override {
    return query_request(id, [this, id] {
      std::vector<CThostFtdcTradingAccountField> items{exchange_->trading_account(account_)};
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryTradingAccount);
    });
  }

  int ReqQryInvestorPosition(CThostFtdcQryInvestorPositionField* req, int id) override {
    const CThostFtdcQryInvestorPositionField copy = req ? *req : CThostFtdcQryInvestorPositionField{};
    return query_request(id, [this, copy, id] {
      auto items = exchange_->positions(account_, field_view(copy.InstrumentID));
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryInvestorPosition);
    });
  }

  int ReqQryOrder(CThostFtdcQryOrderField* req, int id) override {
    const CThostFtdcQryOrderField copy = req ? *req : CThostFtdcQryOrderField{};
    return query_request(id, [this, copy, id] {
      auto items = exchange_->orders(account_, field_view(copy.InstrumentID));
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryOrder);
    });
  }

  int ReqQryTrade(CThostFtdcQryTradeField* req, int id) override {
    const CThostFtdcQryTradeField copy = req ? *req : CThostFtdcQryTradeField{};
    return query_request(id, [this, copy, id] {
      auto items = exchange_->trades(account_, field_view(copy.InstrumentID));
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryTrade);
    });
  }

  int ReqQryInstrumentMarginRate(CThostFtdcQryInstrumentMarginRateField* req, int id) override {
    const CThostFtdcQryInstrumentMarginRateField copy = req ? *req : CThostFtdcQryInstrumentMarginRateField{};
    return query_request(id, [this, copy, id] {
      std::vector<CThostFtdcInstrumentMarginRateField> items;
      if (auto f = exchange_->margin_rate(account_, field_view(copy.InstrumentID))) items.push_back(*f);
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryInstrumentMarginRate);
    });
  }

  int ReqQryInstrumentCommissionRate(CThostFtdcQryInstrumentCommissionRateField* req, int id) override {
    const auto copy = req ? *req : CThostFtdcQryInstrumentCommissionRateField{};
    return query_request(id, [this, copy, id] {
      std::vector<CThostFtdcInstrumentCommissionRateField> items;
      if (auto f = exchange_->commission_rate(account_, field_view(copy.InstrumentID))) items.push_back(*f);
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryInstrumentCommissionRate);
    });
  }

  int ReqQryDepthMarketData(CThostFtdcQryDepthMarketDataField* req, int id) override {
    const auto copy = req ? *req : CThostFtdcQryDepthMarketDataField{};
    return query_request(id, [this, copy, id] {
      auto items = exchange_->depth_snapshots(field_view(copy.InstrumentID));
      respond_list(items, id, &CThostFtdcTraderSpi::OnRspQryDepthMarketData);
    });
  }

  // ---- trading ----
  int ReqOrderInsert(CThostFtdcInputOrderField* req, int id) override {
    if (!req) return -1;
    CThostFtdcInputOrderField copy = *req;
    return request([this, copy, id]() mutable {
      RequestOutcome outcome = logged_in_ ? exchange_->insert_order(account_, front_id_, session_id_, copy, id)
                                          : RequestOutcome{make_reject(err::not_logged_in)};
      if (!outcome.reject) return;  // accepted: OnRtnOrder / OnRtnTrade follow on the private flow
      CThostFtdcRspInfoField info = error_info(*outcome.reject);
      if (!deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspOrderInsert(&copy, &info, id, true); })) return;
      deliver([&](CThostFtdcTraderSpi* spi) { spi->OnErrRtnOrderInsert(&copy, &info); });
    });
  }

  int ReqOrderAction(CThostFtdcInputOrderActionField* req, int id) override {
    if (!req) return -1;
    CThostFtdcInputOrderActionField copy = *req;
    return request([this, copy, id]() mutable {
      RequestOutcome outcome = logged_in_ ? exchange_->cancel_order(account_, front_id_, session_id_, copy)
                                          : RequestOutcome{make_reject(err::not_logged_in)};
      if (!outcome.reject) return;
      CThostFtdcRspInfoField info = error_info(*outcome.reject);
      if (!deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspOrderAction(&copy, &info, id, true); })) return;
      CThostFtdcOrderActionField action{};
      put(action.BrokerID, field_view(copy.BrokerID));
      put(action.InvestorID, field_view(copy.InvestorID));
      action.OrderActionRef = copy.OrderActionRef;
      put(action.OrderRef, field_view(copy.OrderRef));
      action.RequestID = copy.RequestID;
      action.FrontID = copy.FrontID;
      action.SessionID = copy.SessionID;
      put(action.ExchangeID, field_view(copy.ExchangeID));
      put(action.OrderSysID, field_view(copy.OrderSysID));
      action.ActionFlag = copy.ActionFlag;
      put(action.UserID, field_view(copy.UserID));
      put(action.StatusMsg, field_view(info.ErrorMsg));
      put(action.InstrumentID, field_view(copy.InstrumentID));
      deliver([&](CThostFtdcTraderSpi* spi) { spi->OnErrRtnOrderAction(&action, &info); });
    });
  }

 protected:
  void reset_session_state() override {
    logged_in_ = false;
    authenticated_ = false;
    account_ = -1;
    if (flow_subscriber_) exchange_->unsubscribe_flow(flow_subscriber_);
    flow_subscriber_ = 0;
  }

  void configure(const Config& config) override { query_interval_ms_ = config.td_front.query_interval_ms; }

  void on_stopping() override {
    if (flow_subscriber_ && exchange_) exchange_->unsubscribe_flow(flow_subscriber_);
    flow_subscriber_ = 0;
  }

 private:
  CThostFtdcTradingAccountField account_field() { return exchange_->trading_account(account_); }

  // A query (ReqQry*): like a real trader front, one sooner than `query_interval_ms` after the previous one is
  // refused at once with -3 ("more requests per second than allowed") and no callback.
  template <class Work>
  int query_request(int id, Work work) {
    const int64_t interval_ns = static_cast<int64_t>(query_interval_ms_) * 1'000'000;
    if (interval_ns > 0 && this->connected_.load()) {
      const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::steady_clock::now().time_since_epoch()).count();
      int64_t last = last_query_ns_.load();
      do {
        if (last != 0 && now - last < interval_ns) return -3;
      } while (!last_query_ns_.compare_exchange_weak(last, now));
    }
    return logged_in_request(id, std::move(work));
  }

  // A request that needs a logged-in session; before login it answers OnRspError (not logged in).
  template <class Work>
  int logged_in_request(int id, Work work) {
    return request([this, id, work = std::move(work)] {
      if (!logged_in_) {
        CThostFtdcRspInfoField info = error_info(make_reject(err::not_logged_in));
        deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRspError(&info, id, true); });
        return;
      }
      work();
    });
  }

  // N records -> N callbacks, the last flagged; none -> one callback with no record.
  template <class Field>
  void respond_list(std::vector<Field>& items, int id,
                    void (CThostFtdcTraderSpi::*method)(Field*, CThostFtdcRspInfoField*, int, bool)) {
    CThostFtdcRspInfoField info = ok_info();
    if (items.empty()) {
      deliver([&](CThostFtdcTraderSpi* spi) { (spi->*method)(nullptr, &info, id, true); });
      return;
    }
    for (size_t n = 0; n < items.size(); ++n) {
      const bool last = n + 1 == items.size();
      if (!deliver([&](CThostFtdcTraderSpi* spi) { (spi->*method)(&items[n], &info, id, last); })) return;
    }
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
        if (const auto* order = std::get_if<CThostFtdcOrderField>(&entry)) {
          CThostFtdcOrderField copy = *order;
          deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRtnOrder(&copy); });
        } else {
          CThostFtdcTradeField copy = std::get<CThostFtdcTradeField>(entry);
          deliver([&](CThostFtdcTraderSpi* spi) { spi->OnRtnTrade(&copy); });
        }
      });
    };
    flow_subscriber_ = subscriber.id;
    exchange_->subscribe_flow(std::move(subscriber), private_resume_, flow_received_);
  }

  char private_resume_ = THOST_TERT_RESTART;
  int query_interval_ms_ = 0;               // set in Init(), before any request
  std::atomic<int64_t> last_query_ns_{0};  // steady clock of the last query accepted (any calling thread)
  // API thread only:
  bool authenticated_ = false;
  int account_ = -1;
  int session_id_ = 0;
  uint64_t flow_subscriber_ = 0;
  size_t flow_received_ = 0;
};

}  // namespace

CThostFtdcTraderApi* create_trader_api(const char* flow_path) {
  const char* prefix = flow_path ? flow_path : "";
  create_flow_files(prefix, {"DialogRsp.con", "QueryRsp.con", "TradingDay.con", "Private.con", "Public.con"});
  return new TraderApi(prefix);
}

}  // namespace ctpsim
