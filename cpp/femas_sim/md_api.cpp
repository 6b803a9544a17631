// The simulated CUstpFtdcMduserApi (FEMAS): login, SubMarketData / UnSubMarketData, and a stream of
// OnRtnDepthMarketData from the core's MdSession. FEMAS's DepthMarketData names no exchange: a client knows it
// from the instrument.
#include <string>
#include <vector>

#include "USTPFtdcMduserApi.h"
#include "md_stubs.hpp"
#include "ustp_api.hpp"

namespace vtcore::sim::femas {
namespace {

class MdApi final : public SimulatedApi<MdApiStubs, CUstpFtdcMduserSpi, MdSession> {
 public:
  explicit MdApi(std::string flow_path) : SimulatedApi(FrontKind::md, std::move(flow_path)) {}

  // ---- requests ----
  int ReqUserLogin(CUstpFtdcReqUserLoginField* req, int request_id) override {
    if (!req) return -1;
    const CUstpFtdcReqUserLoginField copy = *req;
    return request([this, copy, request_id] {
      const LoginRequest login{std::string(field_view(copy.BrokerID)), std::string(field_view(copy.UserID)),
                               std::string(field_view(copy.Password))};
      const LoginResult result = exchange_->login(FrontKind::md, front_id_, exchange_->next_session_id(), login, false);
      CUstpFtdcRspUserLoginField field{};
      if (result.error == Error::none) {
        logged_in_ = true;
        put(trading_day_, result.trading_day);
        fill_login(field, result, kSystemName);
      }
      CUstpFtdcRspInfoField info = error_info(result.error);
      call([&](CUstpFtdcMduserSpi* spi) { spi->OnRspUserLogin(&field, &info, request_id, true); });
    });
  }

  int ReqUserLogout(CUstpFtdcReqUserLogoutField* req, int request_id) override {
    if (!req) return -1;
    const CUstpFtdcReqUserLogoutField copy = *req;
    return request([this, copy, request_id] {
      logged_in_ = false;
      reset_session_state();
      CUstpFtdcRspUserLogoutField field{};
      put(field.BrokerID, field_view(copy.BrokerID));
      put(field.UserID, field_view(copy.UserID));
      CUstpFtdcRspInfoField info = ok_info();
      call([&](CUstpFtdcMduserSpi* spi) { spi->OnRspUserLogout(&field, &info, request_id, true); });
    });
  }

  void SetUseMultiChannel(bool) override {}
  void RegisterMultiChannel(const char*) override {}
  void SubscribeMarketDataTopic(int, USTP_TE_RESUME_TYPE) override {}  // one market-data topic here
  int SubMarketData(char* ids[], int count) override { return subscription(ids, count, true); }
  int UnSubMarketData(char* ids[], int count) override { return subscription(ids, count, false); }
  int GetMarketTopic(char*) override { return not_implemented("GetMarketTopic", 0); }
  int GetMarketData(char*, char*) override { return not_implemented("GetMarketData", 0); }

 protected:
  bool deliver_tick(const Tick& tick) override {
    CUstpFtdcDepthMarketDataField field{};
    fill_tick(field, tick);
    return call([&field](CUstpFtdcMduserSpi* spi) { spi->OnRtnDepthMarketData(&field); });
  }

 private:
  int subscription(char* ids[], int count, bool subscribe) {
    if (!ids || count <= 0) return -1;
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) names.emplace_back(ids[i] ? ids[i] : "");
    return request([this, names = std::move(names), subscribe] {
      for (size_t i = 0; i < names.size(); ++i) {
        CUstpFtdcSpecificInstrumentField field{};
        put(field.InstrumentID, names[i]);
        const bool last = i + 1 == names.size();
        CUstpFtdcRspInfoField info = error_info(logged_in_ ? Error::none : Error::not_logged_in);
        if (logged_in_) update_subscription(names[i], subscribe);
        const bool alive = call([&](CUstpFtdcMduserSpi* spi) {
          if (subscribe)
            spi->OnRspSubMarketData(&field, &info, 0, last);
          else
            spi->OnRspUnSubMarketData(&field, &info, 0, last);
        });
        if (!alive) return;
      }
      kick_stream();
    });
  }
};

}  // namespace

CUstpFtdcMduserApi* create_md_api(const char* flow_path, const char* version) {
  Simulator::instance().register_front_end(version);
  const char* prefix = flow_path ? flow_path : "";
  create_flow_files(prefix, {"DialogRsp.con", "QueryRsp.con", "TradingDay.con"});
  return new MdApi(prefix);
}

}  // namespace vtcore::sim::femas
