// The simulated TORASPAPI::CTORATstpSPTraderApi (TORA's stock-option trader): login, the queries vn.py's and
// vtcore's option gateways make (securities: the configured ETF options; investor, shareholder accounts, trading
// account with margin, long and short positions, orders, trades), ReqOrderInsert with open/close offsets,
// ReqOrderAction and the private flow, on the core's exchange. Requests not written here come from the generated
// SPTraderApiStubs and answer OnRspError ("not implemented"). The library's exports are in sp_factory.cpp.
#include <string>
#include <vector>

#include "sp_convert.hpp"
#include "td_stubs.hpp"
#include "tora_api.hpp"

namespace vtcore::sim::tora {
namespace {

using RspInfo = sp::CTORATstpSPRspInfoField;
using Spi = sp::CTORATstpSPTraderSpi;

class SPTraderApi final : public SimulatedApi<SPTraderApiStubs, Spi, RspInfo, FrontSession> {
 public:
  SPTraderApi() : SimulatedApi(FrontKind::td) { Simulator::instance().register_front_end(kSPTraderVersion); }

  void Init() override { start_session(); }
  void SubscribePrivateTopic(sp::TORA_TE_RESUME_TYPE type) override { private_resume_ = resume_of(type); }
  void SubscribePublicTopic(sp::TORA_TE_RESUME_TYPE) override {}

  int ReqUserLogin(sp::CTORATstpSPReqUserLoginField* req, int id) override {
    if (!req) return -1;
    const sp::CTORATstpSPReqUserLoginField copy = *req;
    return request([this, copy, id] {
      const int session = exchange_->next_session_id();
      const LoginRequest login{"", std::string(field_view(copy.LogInAccount)), std::string(field_view(copy.Password))};
      const LoginResult result = exchange_->login(FrontKind::td, front_id_, session, login, false);
      sp::CTORATstpSPRspUserLoginField field{};
      if (result.error == Error::none) {
        account_ = result.account;
        session_id_ = session;
        user_ = result.user_id;
        logged_in_ = true;
        exchange_->confirm_settlement(account_);  // TORA has no settlement confirmation
        fill_login(field, copy, result, session, sp::TORA_TSTP_SP_UTYPE_Investor);
      }
      RspInfo info = error_info<RspInfo>(result.error);
      call([&](Spi* spi) { spi->OnRspUserLogin(&field, &info, id); });
      if (result.error == Error::none && logged_in_) {
        subscribe_private_flow(account_, private_resume_, [this](const FlowEntry& entry) { deliver_flow(entry); });
      }
    });
  }

  int ReqUserLogout(sp::CTORATstpSPUserLogoutField* req, int id) override {
    if (!req) return -1;
    sp::CTORATstpSPUserLogoutField copy = *req;
    return request([this, copy, id]() mutable {
      reset_session_state();
      RspInfo info = error_info<RspInfo>(Error::none);
      call([&](Spi* spi) { spi->OnRspUserLogout(&copy, &info, id); });
    });
  }

  // ---- queries ----
  int ReqQrySecurity(sp::CTORATstpSPQrySecurityField* req, int id) override {
    const sp::CTORATstpSPQrySecurityField copy = req ? *req : sp::CTORATstpSPQrySecurityField{};
    return logged_in_request(id, [this, copy, id] {
      auto records = exchange_->instruments(field_view(copy.SecurityID), exchange_name(copy.ExchangeID), "");
      std::erase_if(records, [](const InstrumentRecord& r) { return !is_option(r.spec); });
      const std::string day = exchange_->trading_day();
      respond_list<sp::CTORATstpSPSecurityField>(
          records, id, &Spi::OnRspQrySecurity, [this, &day](auto& f, const InstrumentRecord& r) {
            const auto underlying = exchange_->instrument(r.spec.underlying);
            fill_sp_security(f, r, underlying ? underlying->pre_settlement : 0, day);
          });
    });
  }

  int ReqQryInvestor(sp::CTORATstpSPQryInvestorField*, int id) override {
    return logged_in_request(id, [this, id] {
      sp::CTORATstpSPInvestorField field{};
      put(field.InvestorID, user_);
      put(field.InvestorName, user_);
      field.InvestorType = sp::TORA_TSTP_SP_CT_Person;
      RspInfo info = error_info<RspInfo>(Error::none);
      call([&](Spi* spi) { spi->OnRspQryInvestor(&field, &info, id, true); });
    });
  }

  int ReqQryShareholderAccount(sp::CTORATstpSPQryShareholderAccountField*, int id) override {
    return logged_in_request(id, [this, id] {
      const std::vector<std::string> exchanges{"SSE", "SZSE"};
      respond_list<sp::CTORATstpSPShareholderAccountField>(
          exchanges, id, &Spi::OnRspQryShareholderAccount, [this](auto& f, const std::string& exchange) {
            put(f.InvestorID, user_);
            f.ExchangeID = exchange_id(exchange);
            put(f.ShareholderID, shareholder_of(user_, exchange));
            f.ShareholderIDType = '1';  // normal
            f.MarketID = exchange == "SSE" ? sp::TORA_TSTP_SP_MKD_SHA : sp::TORA_TSTP_SP_MKD_SZA;
          });
    });
  }

  int ReqQryTradingAccount(sp::CTORATstpSPQryTradingAccountField*, int id) override {
    return logged_in_request(id, [this, id] {
      const std::vector<AccountRecord> records{exchange_->trading_account(account_)};
      double short_margin = 0;  // the core's margin also holds the premium of long positions (ratio 1)
      for (const PositionRecord& p : exchange_->positions(account_, "")) {
        if (p.side == PositionSide::short_side) short_margin += p.margin;
      }
      respond_list<sp::CTORATstpSPTradingAccountField>(
          records, id, &Spi::OnRspQryTradingAccount,
          [short_margin](auto& f, const auto& r) { fill_sp_account(f, r, short_margin); });
    });
  }

  int ReqQryPosition(sp::CTORATstpSPQryPositionField* req, int id) override {
    const sp::CTORATstpSPQryPositionField copy = req ? *req : sp::CTORATstpSPQryPositionField{};
    return logged_in_request(id, [this, copy, id] {
      auto records = exchange_->positions(account_, field_view(copy.SecurityID));
      std::erase_if(records, [this](const PositionRecord& p) {
        const auto record = exchange_->instrument(p.instrument);
        return !record || !is_option(record->spec);
      });
      respond_list<sp::CTORATstpSPPositionField>(records, id, &Spi::OnRspQryPosition,
                                                 [this](auto& f, const PositionRecord& p) {
                                                   const auto record = exchange_->instrument(p.instrument);
                                                   fill_sp_position(f, p, p.settlement, record->spec.multiplier);
                                                 });
    });
  }

  int ReqQryOrder(sp::CTORATstpSPQryOrderField* req, int id) override {
    const sp::CTORATstpSPQryOrderField copy = req ? *req : sp::CTORATstpSPQryOrderField{};
    return logged_in_request(id, [this, copy, id] {
      auto records = exchange_->orders(account_, field_view(copy.SecurityID));
      respond_list<sp::CTORATstpSPOrderField>(records, id, &Spi::OnRspQryOrder,
                                              [](auto& f, const auto& r) { fill_sp_order(f, *r); });
    });
  }

  int ReqQryTrade(sp::CTORATstpSPQryTradeField* req, int id) override {
    const sp::CTORATstpSPQryTradeField copy = req ? *req : sp::CTORATstpSPQryTradeField{};
    return logged_in_request(id, [this, copy, id] {
      auto records = exchange_->trades(account_, field_view(copy.SecurityID));
      respond_list<sp::CTORATstpSPTradeField>(records, id, &Spi::OnRspQryTrade,
                                              [](auto& f, const auto& r) { fill_sp_trade(f, *r); });
    });
  }

  // ---- trading ----
  int ReqOrderInsert(sp::CTORATstpSPInputOrderField* req, int id) override {
    if (!req) return -1;
    sp::CTORATstpSPInputOrderField copy = *req;
    return request([this, copy, id]() mutable {
      OrderRequest order;
      std::string why;
      Error error = Error::none;
      const auto record = exchange_->instrument(field_view(copy.SecurityID));
      if (!logged_in_) {
        error = Error::not_logged_in;
      } else if (!record || !is_option(record->spec)) {
        error = Error::instrument_not_found;  // the option trader trades options only
      } else if (!sp_order_request(copy, order, why)) {
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

  int ReqOrderAction(sp::CTORATstpSPInputOrderActionField* req, int id) override {
    if (!req) return -1;
    sp::CTORATstpSPInputOrderActionField copy = *req;
    return request([this, copy, id]() mutable {
      const CancelRequest cancel = cancel_request(copy, copy.OrderActionFlag == sp::TORA_TSTP_SP_OAF_Delete);
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
      sp::CTORATstpSPOrderField field{};
      fill_sp_order(field, **order);
      call([&](Spi* spi) { spi->OnRtnOrder(&field); });
    } else {
      sp::CTORATstpSPTradeField field{};
      fill_sp_trade(field, *std::get<std::shared_ptr<const Trade>>(entry));
      call([&](Spi* spi) { spi->OnRtnTrade(&field); });
    }
  }

  Resume private_resume_ = Resume::restart;
  // API thread only:
  int account_ = -1;
  int session_id_ = 0;
  std::string user_;
};

}  // namespace

sp::CTORATstpSPTraderApi* create_sp_trader_api(const char* flow_path) {
  (void)flow_path;  // the simulator replays the private flow from the core
  return new SPTraderApi();
}

}  // namespace vtcore::sim::tora
