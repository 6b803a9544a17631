// The simulated TORALEV1API::CTORATstpXMdApi: login, (un)subscriptions per exchange and a stream of OnRtnMarketData
// (the core's MdSession), on the core's exchange; options' quotes (the SP trader's: SubscribeSPMarketData ->
// OnRtnSPMarketData, the same struct). TORA's many other subscriptions (level-2 variants, IOPV, ...) answer "not
// supported" (-1). The library's exports are in md_factory.cpp.
#include <string>
#include <vector>

#include "md_stubs.hpp"
#include "tora_api.hpp"

namespace vtcore::sim::tora {
namespace {

class XMdApi final : public SimulatedApi<XMdApiStubs, md::CTORATstpXMdSpi, md::CTORATstpRspInfoField, MdSession> {
 public:
  XMdApi() : SimulatedApi(FrontKind::md) { Simulator::instance().register_front_end(kMdVersion); }

  void Init(const char*) override { start_session(); }
  void RegisterFensUserInfo(md::CTORATstpFensUserInfoField*) override {}
  void RegisterMulticast(char*, char*, char*) override {}
  void RegisterDeriveServer(char*) override {}
  void RegisterDeriveMulticast(char*, char*, char*) override {}

  int ReqUserLogin(md::CTORATstpReqUserLoginField* req, int request_id) override {
    if (!req) return -1;
    const md::CTORATstpReqUserLoginField copy = *req;
    return request([this, copy, request_id] {
      const LoginRequest login{"", std::string(field_view(copy.LogInAccount)), std::string(field_view(copy.Password))};
      // Level-1 XMd quotes need no account: a login without one (vnpy_tora sends an empty request) is anonymous.
      LoginResult result;
      if (login.user_id.empty()) {
        result.trading_day = exchange_->trading_day();
        result.front_id = front_id_;
        result.session_id = exchange_->next_session_id();
      } else {
        result = exchange_->login(FrontKind::md, front_id_, exchange_->next_session_id(), login, false);
      }
      md::CTORATstpRspUserLoginField field{};
      if (result.error == Error::none) {
        logged_in_ = true;
        put(field.LogInAccount, field_view(copy.LogInAccount));
        field.LogInAccountType = copy.LogInAccountType;
        field.FrontID = result.front_id;
        field.SessionID = result.session_id;
        put(field.TradingDay, result.trading_day);
        put(field.LoginTime, result.login_time);
        put(field.SystemName, kSystemName);
      }
      md::CTORATstpRspInfoField info = error_info<md::CTORATstpRspInfoField>(result.error);
      call([&](md::CTORATstpXMdSpi* spi) { spi->OnRspUserLogin(&field, &info, request_id); });
    });
  }

  int ReqUserLogout(md::CTORATstpUserLogoutField* req, int request_id) override {
    if (!req) return -1;
    md::CTORATstpUserLogoutField copy = *req;
    return request([this, copy, request_id]() mutable {
      logged_in_ = false;
      reset_session_state();
      md::CTORATstpRspInfoField info = error_info<md::CTORATstpRspInfoField>(Error::none);
      call([&](md::CTORATstpXMdSpi* spi) { spi->OnRspUserLogout(&copy, &info, request_id); });
    });
  }

  int SubscribeMarketData(char** ids, int count, md::TTORATstpExchangeIDType exchange) override {
    return subscription(ids, count, exchange, true);
  }
  int UnSubscribeMarketData(char** ids, int count, md::TTORATstpExchangeIDType exchange) override {
    return subscription(ids, count, exchange, false);
  }
  int SubscribeSPMarketData(char** ids, int count, md::TTORATstpExchangeIDType exchange) override {
    return subscription(ids, count, exchange, true, true);
  }
  int UnSubscribeSPMarketData(char** ids, int count, md::TTORATstpExchangeIDType exchange) override {
    return subscription(ids, count, exchange, false, true);
  }

 protected:
  int not_supported(const char*) override { return -1; }

  bool deliver_tick(const Tick& tick) override {
    md::CTORATstpMarketDataField field{};
    const auto record = exchange_->instrument(field_view(tick.instrument));
    fill_market_data(field, tick, record ? std::string_view(record->spec.name) : std::string_view());
    if (record && is_option(record->spec)) {
      return call([&field](md::CTORATstpXMdSpi* spi) { spi->OnRtnSPMarketData(&field); });
    }
    return call([&field](md::CTORATstpXMdSpi* spi) { spi->OnRtnMarketData(&field); });
  }

 private:
  // Stocks through (Un)SubscribeMarketData, options through the SP calls: the other kind is not found.
  int subscription(char** ids, int count, char exchange_code, bool subscribe, bool options = false) {
    const std::string_view exchange = exchange_name(exchange_code);
    if (!ids || count <= 0 || exchange.empty()) return -1;
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) names.emplace_back(ids[i] ? ids[i] : "");
    return request([this, names = std::move(names), exchange_code, exchange, subscribe, options] {
      for (const std::string& name : names) {
        md::CTORATstpSpecificSecurityField field{};
        field.ExchangeID = exchange_code;
        put(field.SecurityID, name);
        const auto record = exchange_->instrument(name);
        const bool listed = record && record->spec.exchange == exchange && is_option(record->spec) == options;
        const Error error = !logged_in_ ? Error::not_logged_in : !listed ? Error::instrument_not_found : Error::none;
        md::CTORATstpRspInfoField info = error_info<md::CTORATstpRspInfoField>(error);
        if (error == Error::none) update_subscription(name, subscribe);
        const bool alive = call([&](md::CTORATstpXMdSpi* spi) {
          if (options && subscribe)
            spi->OnRspSubSPMarketData(&field, &info);
          else if (options)
            spi->OnRspUnSubSPMarketData(&field, &info);
          else if (subscribe)
            spi->OnRspSubMarketData(&field, &info);
          else
            spi->OnRspUnSubMarketData(&field, &info);
        });
        if (!alive) return;
      }
      kick_stream();
    });
  }
};

}  // namespace

md::CTORATstpXMdApi* create_xmd_api() { return new XMdApi(); }

}  // namespace vtcore::sim::tora
