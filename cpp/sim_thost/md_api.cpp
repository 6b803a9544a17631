// The simulated CThostFtdcMdApi of the Thost family: login, (un)subscribe, and a stream of OnRtnDepthMarketData
// (the core's MdSession: random walk or replay, paced at a rate or as fast as possible, for a number of ticks).
#include <string>
#include <vector>

#include "ThostFtdcMdApi.h"
#include "md_stubs.hpp"
#include "thost_api.hpp"

namespace vtcore::sim::thost {
namespace {

class MdApi final : public SimulatedApi<MdApiStubs, CThostFtdcMdSpi, MdSession> {
 public:
  explicit MdApi(std::string flow_path) : SimulatedApi(FrontKind::md, std::move(flow_path)) {}

  // ---- requests ----
  int ReqUserLogin(CThostFtdcReqUserLoginField* req, int request_id) override {
    if (!req) return -1;
    CThostFtdcReqUserLoginField copy = *req;
    return request([this, copy, request_id] {
      const int session = exchange_->next_session_id();
      const LoginRequest login{std::string(field_view(copy.BrokerID)), std::string(field_view(copy.UserID)),
                               std::string(field_view(copy.Password))};
      const LoginResult result = exchange_->login(FrontKind::md, front_id_, session, login, false);
      CThostFtdcRspUserLoginField field{};
      if (result.error == Error::none) {
        logged_in_ = true;
        put(trading_day_, result.trading_day);
        fill_login(field, result, kSystemName);
      }
      CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(result.error);
      call([&](CThostFtdcMdSpi* spi) { spi->OnRspUserLogin(&field, &info, request_id, true); });
    });
  }

  int ReqUserLogout(CThostFtdcUserLogoutField* req, int request_id) override {
    if (!req) return -1;
    CThostFtdcUserLogoutField copy = *req;
    return request([this, copy, request_id]() mutable {
      logged_in_ = false;
      reset_session_state();
      CThostFtdcRspInfoField info = ok_info<CThostFtdcRspInfoField>();
      call([&](CThostFtdcMdSpi* spi) { spi->OnRspUserLogout(&copy, &info, request_id, true); });
    });
  }

#ifdef VTCORE_SIM_THOST_CTP
  int ReqQryMulticastInstrument(CThostFtdcQryMulticastInstrumentField*, int request_id) override {
    return request([this, request_id] {
      call([&](CThostFtdcMdSpi* spi) { spi->OnRspQryMulticastInstrument(nullptr, nullptr, request_id, true); });
    });
  }
#endif

  int SubscribeMarketData(char* ids[], int count) override { return subscription(ids, count, Topic::market, true); }
  int UnSubscribeMarketData(char* ids[], int count) override { return subscription(ids, count, Topic::market, false); }
  int SubscribeForQuoteRsp(char* ids[], int count) override { return subscription(ids, count, Topic::quote, true); }
  int UnSubscribeForQuoteRsp(char* ids[], int count) override { return subscription(ids, count, Topic::quote, false); }

 protected:
  bool deliver_tick(const Tick& tick) override {
    CThostFtdcDepthMarketDataField field{};
    fill_tick(field, tick);
    return call([&field](CThostFtdcMdSpi* spi) { spi->OnRtnDepthMarketData(&field); });
  }

 private:
  enum class Topic { market, quote };

  int subscription(char* ids[], int count, Topic topic, bool subscribe) {
    if (!ids || count <= 0) return -1;
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) names.emplace_back(ids[i] ? ids[i] : "");
    return request([this, names = std::move(names), topic, subscribe] {
      for (size_t i = 0; i < names.size(); ++i) {
        const std::string& name = names[i];
        CThostFtdcSpecificInstrumentField field{};
        put(field.InstrumentID, name);
        const bool last = i + 1 == names.size();
        CThostFtdcRspInfoField info =
            error_info<CThostFtdcRspInfoField>(logged_in_ ? Error::none : Error::not_logged_in);
        if (logged_in_ && topic == Topic::market) update_subscription(name, subscribe);
        const bool alive = call([&](CThostFtdcMdSpi* spi) {
          if (topic == Topic::market && subscribe)
            spi->OnRspSubMarketData(&field, &info, 0, last);
          else if (topic == Topic::market)
            spi->OnRspUnSubMarketData(&field, &info, 0, last);
          else if (subscribe)
            spi->OnRspSubForQuoteRsp(&field, &info, 0, last);
          else
            spi->OnRspUnSubForQuoteRsp(&field, &info, 0, last);
        });
        if (!alive) return;
      }
      kick_stream();
    });
  }
};

}  // namespace

CThostFtdcMdApi* create_md_api(const char* flow_path, const char* version) {
  Simulator::instance().register_front_end(version);
  const char* prefix = flow_path ? flow_path : "";
  create_flow_files(prefix, {"DialogRsp.con", "QueryRsp.con", "TradingDay.con"});
  return new MdApi(prefix);
}

}  // namespace vtcore::sim::thost
