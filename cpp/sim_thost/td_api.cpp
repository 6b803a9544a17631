// The simulated CThostFtdcTraderApi of the Thost family: authenticate, login, settlement (CTP), queries, order
// insert / cancel and the private flow, on the core's exchange. Requests not written here come from the
// generated TraderApiStubs and answer OnRspError ("not implemented").
//
// CTP-Mini has no settlement confirmation: its sessions count as confirmed once logged in.
#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

#include "ThostFtdcTraderApi.h"
#include "td_stubs.hpp"
#include "thost_api.hpp"
#include "vtcore/sim/ashare.hpp"

namespace vtcore::sim::thost {
namespace {

Resume resume_of(THOST_TE_RESUME_TYPE type) {
  switch (type) {
    case THOST_TERT_RESTART:
      return Resume::restart;
    case THOST_TERT_RESUME:
      return Resume::resume;
    default:
      return Resume::quick;
  }
}

class TraderApi final : public SimulatedApi<TraderApiStubs, CThostFtdcTraderSpi> {
 public:
  explicit TraderApi(std::string flow_path) : SimulatedApi(FrontKind::td, std::move(flow_path)) {}

  // ---- lifecycle ----
  void SubscribePrivateTopic(THOST_TE_RESUME_TYPE type) override { private_resume_ = resume_of(type); }
  void SubscribePublicTopic(THOST_TE_RESUME_TYPE) override {}
#ifdef VTCORE_SIM_THOST_CTP
  void GetFrontInfo(CThostFtdcFrontInfoField* info) override {
    if (info) *info = CThostFtdcFrontInfoField{};
  }
  int RegisterUserSystemInfo(CThostFtdcUserSystemInfoField*) override { return 0; }
  int SubmitUserSystemInfo(CThostFtdcUserSystemInfoField*) override { return 0; }
  int RegisterWechatUserSystemInfo(CThostFtdcWechatUserSystemInfoField*) override { return 0; }
  int SubmitWechatUserSystemInfo(CThostFtdcWechatUserSystemInfoField*) override { return 0; }
#else
  int SubscribeFlowCtrlWarning(char*[], int) override { return 0; }
  int UnSubscribeFlowCtrlWarning(char*[], int) override { return 0; }
#endif

  // ---- session ----
  int ReqAuthenticate(CThostFtdcReqAuthenticateField* req, int id) override {
    if (!req) return -1;
    const CThostFtdcReqAuthenticateField copy = *req;
    return request([this, copy, id] {
      const Error error = exchange_->authenticate(field_view(copy.BrokerID), field_view(copy.UserID),
                                                  field_view(copy.AppID), field_view(copy.AuthCode));
      authenticated_ = error == Error::none;
      CThostFtdcRspAuthenticateField rsp{};
      put(rsp.BrokerID, field_view(copy.BrokerID));
      put(rsp.UserID, field_view(copy.UserID));
      put(rsp.UserProductInfo, field_view(copy.UserProductInfo));
      put(rsp.AppID, field_view(copy.AppID));
      set_investor_app_type(rsp);
      CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(error);
      call([&](CThostFtdcTraderSpi* spi) { spi->OnRspAuthenticate(&rsp, &info, id, true); });
    });
  }

  int ReqUserLogin(CThostFtdcReqUserLoginField* req, int id) override {
    if (!req) return -1;
    const CThostFtdcReqUserLoginField copy = *req;
    return request([this, copy, id] {
      const int session = exchange_->next_session_id();
      const LoginRequest login{std::string(field_view(copy.BrokerID)), std::string(field_view(copy.UserID)),
                               std::string(field_view(copy.Password))};
      const LoginResult result = exchange_->login(FrontKind::td, front_id_, session, login, authenticated_);
      CThostFtdcRspUserLoginField field{};
      if (result.error == Error::none) {
        account_ = result.account;
        session_id_ = session;
        logged_in_ = true;
        put(trading_day_, result.trading_day);
        fill_login(field, result, kSystemName);
#ifndef VTCORE_SIM_THOST_CTP
        exchange_->confirm_settlement(account_);  // no settlement confirmation in this SDK
#endif
      }
      CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(result.error);
      call([&](CThostFtdcTraderSpi* spi) { spi->OnRspUserLogin(&field, &info, id, true); });
      if (result.error == Error::none && logged_in_) {
        subscribe_private_flow(account_, private_resume_, [this](const FlowEntry& entry) { deliver_flow(entry); });
      }
    });
  }

  int ReqUserLogout(CThostFtdcUserLogoutField* req, int id) override {
    if (!req) return -1;
    CThostFtdcUserLogoutField copy = *req;
    return request([this, copy, id]() mutable {
      reset_session_state();
      CThostFtdcRspInfoField info = ok_info<CThostFtdcRspInfoField>();
      call([&](CThostFtdcTraderSpi* spi) { spi->OnRspUserLogout(&copy, &info, id, true); });
    });
  }

#ifdef VTCORE_SIM_THOST_CTP
  // ---- settlement ----
  int ReqQrySettlementInfo(CThostFtdcQrySettlementInfoField*, int id) override {
    return query_request(id, [this, id] {
      const std::string text = to_gb18030(exchange_->settlement_text(account_));
      constexpr size_t chunk = sizeof(CThostFtdcSettlementInfoField::Content) - 1;
      const size_t parts = (text.size() + chunk - 1) / chunk;
      const std::string broker = exchange_->account_broker(account_), user = exchange_->account_user(account_);
      for (size_t n = 0; n < parts; ++n) {
        CThostFtdcSettlementInfoField f{};
        put(f.TradingDay, exchange_->trading_day());
        f.SettlementID = 1;
        put(f.BrokerID, broker);
        put(f.InvestorID, user);
        f.SequenceNo = static_cast<int>(n + 1);
        put(f.Content, std::string_view(text).substr(n * chunk, chunk));
        put(f.AccountID, user);
        put(f.CurrencyID, "CNY");
        CThostFtdcRspInfoField info = ok_info<CThostFtdcRspInfoField>();
        const bool last = n + 1 == parts;
        if (!call([&](CThostFtdcTraderSpi* spi) { spi->OnRspQrySettlementInfo(&f, &info, id, last); })) return;
      }
    });
  }

  int ReqSettlementInfoConfirm(CThostFtdcSettlementInfoConfirmField*, int id) override {
    return logged_in_request(id, [this, id] {
      CThostFtdcSettlementInfoConfirmField f{};
      fill_confirmation(f, exchange_->confirm_settlement(account_));
      CThostFtdcRspInfoField info = ok_info<CThostFtdcRspInfoField>();
      call([&](CThostFtdcTraderSpi* spi) { spi->OnRspSettlementInfoConfirm(&f, &info, id, true); });
    });
  }

  int ReqQrySettlementInfoConfirm(CThostFtdcQrySettlementInfoConfirmField*, int id) override {
    return query_request(id, [this, id] {
      const auto confirmation = exchange_->settlement_confirmation(account_);
      CThostFtdcSettlementInfoConfirmField f{};
      if (confirmation) fill_confirmation(f, *confirmation);
      CThostFtdcRspInfoField info = ok_info<CThostFtdcRspInfoField>();
      call([&](CThostFtdcTraderSpi* spi) {
        spi->OnRspQrySettlementInfoConfirm(confirmation ? &f : nullptr, &info, id, true);
      });
    });
  }
#endif

  // ---- queries ----
  int ReqQryInstrument(CThostFtdcQryInstrumentField* req, int id) override {
    const CThostFtdcQryInstrumentField copy = req ? *req : CThostFtdcQryInstrumentField{};
    return query_request(id, [this, copy, id] {
      auto records = exchange_->instruments(field_view(copy.InstrumentID), field_view(copy.ExchangeID),
                                            field_view(copy.ProductID));
      // A futures front lists futures: the exchange's A-share securities are the stock front-ends'.
      std::erase_if(records, [](const InstrumentRecord& r) { return r.spec.kind != "futures"; });
      respond_list<CThostFtdcInstrumentField>(records, id, &CThostFtdcTraderSpi::OnRspQryInstrument,
                                              [](auto& f, const auto& r) { fill_instrument(f, r); });
    });
  }

  int ReqQryTradingAccount(CThostFtdcQryTradingAccountField*, int id) override {
    return query_request(id, [this, id] {
      const std::vector<AccountRecord> records{exchange_->trading_account(account_)};
      respond_list<CThostFtdcTradingAccountField>(records, id, &CThostFtdcTraderSpi::OnRspQryTradingAccount,
                                                  [](auto& f, const auto& r) { fill_account(f, r); });
    });
  }

  int ReqQryInvestorPosition(CThostFtdcQryInvestorPositionField* req, int id) override {
    const CThostFtdcQryInvestorPositionField copy = req ? *req : CThostFtdcQryInvestorPositionField{};
    return query_request(id, [this, copy, id] {
      const auto records = exchange_->positions(account_, field_view(copy.InstrumentID));
      respond_list<CThostFtdcInvestorPositionField>(records, id, &CThostFtdcTraderSpi::OnRspQryInvestorPosition,
                                                    [](auto& f, const auto& r) { fill_position(f, r); });
    });
  }

  int ReqQryOrder(CThostFtdcQryOrderField* req, int id) override {
    const CThostFtdcQryOrderField copy = req ? *req : CThostFtdcQryOrderField{};
    return query_request(id, [this, copy, id] {
      const auto records = exchange_->orders(account_, field_view(copy.InstrumentID));
      respond_list<CThostFtdcOrderField>(records, id, &CThostFtdcTraderSpi::OnRspQryOrder,
                                         [](auto& f, const auto& r) { fill_order<CThostFtdcInputOrderField>(f, *r); });
    });
  }

  int ReqQryTrade(CThostFtdcQryTradeField* req, int id) override {
    const CThostFtdcQryTradeField copy = req ? *req : CThostFtdcQryTradeField{};
    return query_request(id, [this, copy, id] {
      const auto records = exchange_->trades(account_, field_view(copy.InstrumentID));
      respond_list<CThostFtdcTradeField>(records, id, &CThostFtdcTraderSpi::OnRspQryTrade,
                                         [](auto& f, const auto& r) { fill_trade<CThostFtdcInputOrderField>(f, *r); });
    });
  }

  int ReqQryInstrumentMarginRate(CThostFtdcQryInstrumentMarginRateField* req, int id) override {
    const auto copy = req ? *req : CThostFtdcQryInstrumentMarginRateField{};
    return query_request(id, [this, copy, id] {
      std::vector<InstrumentRecord> records;
      if (auto r = exchange_->instrument(field_view(copy.InstrumentID))) records.push_back(*r);
      const std::string broker = exchange_->account_broker(account_), user = exchange_->account_user(account_);
      respond_list<CThostFtdcInstrumentMarginRateField>(records, id, &CThostFtdcTraderSpi::OnRspQryInstrumentMarginRate,
                                                        [&](auto& f, const InstrumentRecord& r) {
                                                          put(f.InstrumentID, r.spec.id);
                                                          f.InvestorRange = THOST_FTDC_IR_Single;
                                                          put(f.BrokerID, broker);
                                                          put(f.InvestorID, user);
                                                          f.HedgeFlag = THOST_FTDC_HF_Speculation;
                                                          f.LongMarginRatioByMoney = r.spec.long_margin_ratio;
                                                          f.ShortMarginRatioByMoney = r.spec.short_margin_ratio;
                                                          if constexpr (requires { f.ExchangeID; })
                                                            put(f.ExchangeID, r.spec.exchange);
                                                        });
    });
  }

  int ReqQryInstrumentCommissionRate(CThostFtdcQryInstrumentCommissionRateField* req, int id) override {
    const auto copy = req ? *req : CThostFtdcQryInstrumentCommissionRateField{};
    return query_request(id, [this, copy, id] {
      std::vector<InstrumentRecord> records;
      if (auto r = exchange_->instrument(field_view(copy.InstrumentID))) records.push_back(*r);
      const std::string broker = exchange_->account_broker(account_), user = exchange_->account_user(account_);
      respond_list<CThostFtdcInstrumentCommissionRateField>(
          records, id, &CThostFtdcTraderSpi::OnRspQryInstrumentCommissionRate, [&](auto& f, const InstrumentRecord& r) {
            put(f.InstrumentID, r.spec.id);
            f.InvestorRange = THOST_FTDC_IR_Single;
            put(f.BrokerID, broker);
            put(f.InvestorID, user);
            f.OpenRatioByVolume = r.spec.commission_per_lot;
            f.CloseRatioByVolume = r.spec.commission_per_lot;
            f.CloseTodayRatioByVolume = r.spec.commission_per_lot;
            if constexpr (requires { f.ExchangeID; }) put(f.ExchangeID, r.spec.exchange);
          });
    });
  }

  int ReqQryDepthMarketData(CThostFtdcQryDepthMarketDataField* req, int id) override {
    const auto copy = req ? *req : CThostFtdcQryDepthMarketDataField{};
    return query_request(id, [this, copy, id] {
      auto ticks = exchange_->depth_snapshots(field_view(copy.InstrumentID));
      std::erase_if(ticks, [](const Tick& t) { return ashare::is_exchange(field_view(t.exchange)); });
      respond_list<CThostFtdcDepthMarketDataField>(ticks, id, &CThostFtdcTraderSpi::OnRspQryDepthMarketData,
                                                   [](auto& f, const Tick& t) { fill_tick(f, t); });
    });
  }

  // ---- trading ----
  int ReqOrderInsert(CThostFtdcInputOrderField* req, int id) override {
    if (!req) return -1;
    CThostFtdcInputOrderField copy = *req;
    return request([this, copy, id]() mutable {
      const Error error = logged_in_
                              ? exchange_->insert_order(account_, front_id_, session_id_, order_request(copy), id)
                              : Error::not_logged_in;
      if (error == Error::none) return;  // accepted: OnRtnOrder / OnRtnTrade follow on the private flow
      CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(error);
      if (!call([&](CThostFtdcTraderSpi* spi) { spi->OnRspOrderInsert(&copy, &info, id, true); })) return;
      call([&](CThostFtdcTraderSpi* spi) { spi->OnErrRtnOrderInsert(&copy, &info); });
    });
  }

  int ReqOrderAction(CThostFtdcInputOrderActionField* req, int id) override {
    if (!req) return -1;
    CThostFtdcInputOrderActionField copy = *req;
    return request([this, copy, id]() mutable {
      CancelRequest cancel;
      cancel.is_delete = copy.ActionFlag == THOST_FTDC_AF_Delete;
      cancel.order_sys_id = std::string(field_view(copy.OrderSysID));
      cancel.exchange = std::string(field_view(copy.ExchangeID));
      cancel.order_ref = std::string(field_view(copy.OrderRef));
      cancel.front_id = copy.FrontID;
      cancel.session_id = copy.SessionID;
      const Error error = logged_in_ ? exchange_->cancel_order(account_, cancel) : Error::not_logged_in;
      if (error == Error::none) return;
      CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(error);
      if (!call([&](CThostFtdcTraderSpi* spi) { spi->OnRspOrderAction(&copy, &info, id, true); })) return;
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
      call([&](CThostFtdcTraderSpi* spi) { spi->OnErrRtnOrderAction(&action, &info); });
    });
  }

 protected:
  void reset_session_state() override {
    logged_in_ = false;
    authenticated_ = false;
    account_ = -1;
    unsubscribe_private_flow();
  }

  void configure(const Config& config) override { query_interval_ms_ = config.td_front.query_interval_ms; }

 private:
  // A query (ReqQry*): like a real trader front, one sooner than `query_interval_ms` after the previous one is
  // refused at once with -3 ("more requests per second than allowed") and no callback.
  template <class Work>
  int query_request(int id, Work work) {
    const int64_t interval_ns = static_cast<int64_t>(query_interval_ms_) * 1'000'000;
    if (interval_ns > 0 && this->connected_.load()) {
      const int64_t now =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
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
        CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(Error::not_logged_in);
        call([&](CThostFtdcTraderSpi* spi) { spi->OnRspError(&info, id, true); });
        return;
      }
      work();
    });
  }

  // N records -> N callbacks, the last flagged; none -> one callback with no record. A query answer carries no
  // RspInfo (null, as real fronts send it): only a refusal has one, never an ErrorID 0 "CTP:正确".
  template <class Field, class Records, class Fill>
  void respond_list(const Records& records, int id,
                    void (CThostFtdcTraderSpi::*method)(Field*, CThostFtdcRspInfoField*, int, bool), Fill fill) {
    if (records.empty()) {
      call([&](CThostFtdcTraderSpi* spi) { (spi->*method)(nullptr, nullptr, id, true); });
      return;
    }
    for (size_t n = 0; n < records.size(); ++n) {
      Field field{};
      fill(field, records[n]);
      const bool last = n + 1 == records.size();
      if (!call([&](CThostFtdcTraderSpi* spi) { (spi->*method)(&field, nullptr, id, last); })) return;
    }
  }

  // One private-flow entry as OnRtnOrder / OnRtnTrade (API thread).
  void deliver_flow(const FlowEntry& entry) {
    if (const auto* order = std::get_if<std::shared_ptr<const Order>>(&entry)) {
      CThostFtdcOrderField field{};
      fill_order<CThostFtdcInputOrderField>(field, **order);
      call([&](CThostFtdcTraderSpi* spi) { spi->OnRtnOrder(&field); });
    } else {
      CThostFtdcTradeField field{};
      fill_trade<CThostFtdcInputOrderField>(field, *std::get<std::shared_ptr<const Trade>>(entry));
      call([&](CThostFtdcTraderSpi* spi) { spi->OnRtnTrade(&field); });
    }
  }

  Resume private_resume_ = Resume::restart;
  int query_interval_ms_ = 0;              // set in Init(), before any request
  std::atomic<int64_t> last_query_ns_{0};  // steady clock of the last query accepted (any calling thread)
  // API thread only:
  bool authenticated_ = false;
  int account_ = -1;
  int session_id_ = 0;
};

}  // namespace

CThostFtdcTraderApi* create_trader_api(const char* flow_path, const char* version) {
  Simulator::instance().register_front_end(version);
  const char* prefix = flow_path ? flow_path : "";
  create_flow_files(prefix, {"DialogRsp.con", "QueryRsp.con", "TradingDay.con", "Private.con", "Public.con"});
  return new TraderApi(prefix);
}

}  // namespace vtcore::sim::thost
