// A market-data library for the latency benchmark: it has the vendor's name and ABI
// (libthostmduserapi_se.so, CTP 6.7.11; built with -DVTCORE_STAMP_MINI: libthostmduserapi.so, CTP-Mini 1.7.7)
// and forwards everything to vtcore's simulator (that SDK's front-end's market-data library, opened by the
// absolute path VTCORE_SIM_MD_LIBRARY with RTLD_LOCAL), except that
// each OnRtnDepthMarketData gets its send time written into two fields that both vn.py's gateway and
// vtcore's binding copy unchanged into their tick objects: UpperLimitPrice = whole seconds,
// LowerLimitPrice = nanoseconds (CLOCK_REALTIME, the clock of time.time_ns()), taken just before the
// client's callback is entered. vn.py keeps no receive time of its own, so this is how a tick carries
// "when the simulator called back" to the handler, the same way for both systems. Latency runs only.
#include <dlfcn.h>

#include <cstdio>
#include <ctime>

#include "ThostFtdcMdApi.h"

#ifndef VTCORE_SIM_MD_LIBRARY
#error "the build passes -DVTCORE_SIM_MD_LIBRARY=\"<the simulator's libthostmduserapi_se.so>\""
#endif

namespace {

class StampSpi final : public CThostFtdcMdSpi {
 public:
  CThostFtdcMdSpi* client = nullptr;
  void OnFrontConnected() override { client->OnFrontConnected(); }
  void OnFrontDisconnected(int reason) override { client->OnFrontDisconnected(reason); }
  void OnHeartBeatWarning(int lapse) override { client->OnHeartBeatWarning(lapse); }
  void OnRspUserLogin(CThostFtdcRspUserLoginField* p, CThostFtdcRspInfoField* e, int id, bool last) override {
    client->OnRspUserLogin(p, e, id, last);
  }
  void OnRspUserLogout(CThostFtdcUserLogoutField* p, CThostFtdcRspInfoField* e, int id, bool last) override {
    client->OnRspUserLogout(p, e, id, last);
  }
#ifndef VTCORE_STAMP_MINI
  void OnRspQryMulticastInstrument(CThostFtdcMulticastInstrumentField* p, CThostFtdcRspInfoField* e, int id,
                                   bool last) override {
    client->OnRspQryMulticastInstrument(p, e, id, last);
  }
#endif
  void OnRspError(CThostFtdcRspInfoField* e, int id, bool last) override { client->OnRspError(e, id, last); }
  void OnRspSubMarketData(CThostFtdcSpecificInstrumentField* p, CThostFtdcRspInfoField* e, int id, bool last) override {
    client->OnRspSubMarketData(p, e, id, last);
  }
  void OnRspUnSubMarketData(CThostFtdcSpecificInstrumentField* p, CThostFtdcRspInfoField* e, int id,
                            bool last) override {
    client->OnRspUnSubMarketData(p, e, id, last);
  }
  void OnRspSubForQuoteRsp(CThostFtdcSpecificInstrumentField* p, CThostFtdcRspInfoField* e, int id,
                           bool last) override {
    client->OnRspSubForQuoteRsp(p, e, id, last);
  }
  void OnRspUnSubForQuoteRsp(CThostFtdcSpecificInstrumentField* p, CThostFtdcRspInfoField* e, int id,
                             bool last) override {
    client->OnRspUnSubForQuoteRsp(p, e, id, last);
  }
  void OnRtnDepthMarketData(CThostFtdcDepthMarketDataField* p) override {
    if (p != nullptr) {
      timespec now{};
      clock_gettime(CLOCK_REALTIME, &now);
      p->UpperLimitPrice = static_cast<double>(now.tv_sec);
      p->LowerLimitPrice = static_cast<double>(now.tv_nsec);
    }
    client->OnRtnDepthMarketData(p);
  }
  void OnRtnForQuoteRsp(CThostFtdcForQuoteRspField* p) override { client->OnRtnForQuoteRsp(p); }
#ifdef VTCORE_STAMP_MINI
  void OnRtnMBLMarketData(CThostFtdcMBLMarketDataField* p) override { client->OnRtnMBLMarketData(p); }
#endif
};

class StampMdApi final : public CThostFtdcMdApi {
 public:
  explicit StampMdApi(CThostFtdcMdApi* inner) : inner_(inner) {}
  void Release() override {
    inner_->Release();
    delete this;
  }
#ifdef VTCORE_STAMP_MINI
  void Init(bool continuous) override { inner_->Init(continuous); }
#else
  void Init() override { inner_->Init(); }
  void RegisterNameServer(char* address) override { inner_->RegisterNameServer(address); }
  void RegisterFensUserInfo(CThostFtdcFensUserInfoField* info) override { inner_->RegisterFensUserInfo(info); }
#endif
  int Join() override { return inner_->Join(); }
  const char* GetTradingDay() override { return inner_->GetTradingDay(); }
  void RegisterFront(char* address) override { inner_->RegisterFront(address); }
  void RegisterSpi(CThostFtdcMdSpi* spi) override {
    spi_.client = spi;
    inner_->RegisterSpi(spi == nullptr ? nullptr : &spi_);
  }
  int SubscribeMarketData(char* ids[], int n) override { return inner_->SubscribeMarketData(ids, n); }
  int UnSubscribeMarketData(char* ids[], int n) override { return inner_->UnSubscribeMarketData(ids, n); }
  int SubscribeForQuoteRsp(char* ids[], int n) override { return inner_->SubscribeForQuoteRsp(ids, n); }
  int UnSubscribeForQuoteRsp(char* ids[], int n) override { return inner_->UnSubscribeForQuoteRsp(ids, n); }
  int ReqUserLogin(CThostFtdcReqUserLoginField* req, int id) override { return inner_->ReqUserLogin(req, id); }
  int ReqUserLogout(CThostFtdcUserLogoutField* req, int id) override { return inner_->ReqUserLogout(req, id); }
#ifdef VTCORE_STAMP_MINI
  int ReqUserLoginEncrypt(CThostFtdcReqUserLoginField* req, int id) override {
    return inner_->ReqUserLoginEncrypt(req, id);
  }
#else
  int ReqQryMulticastInstrument(CThostFtdcQryMulticastInstrumentField* req, int id) override {
    return inner_->ReqQryMulticastInstrument(req, id);
  }
#endif

 private:
  CThostFtdcMdApi* inner_;
  StampSpi spi_;
};

}  // namespace

namespace {

template <typename Factory>
Factory simulator_factory(const char* symbol) {
  static void* simulator = ::dlopen(VTCORE_SIM_MD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  auto* factory = simulator ? reinterpret_cast<Factory>(::dlsym(simulator, symbol)) : nullptr;
  if (factory == nullptr)
    std::fprintf(stderr, "stamp: cannot open the simulator %s: %s\n", VTCORE_SIM_MD_LIBRARY, ::dlerror());
  return factory;
}

}  // namespace

#ifdef VTCORE_STAMP_MINI
CThostFtdcMdApi* CThostFtdcMdApi::CreateFtdcMdApi(const char* flow_path, const bool udp, const bool multicast) {
  using Factory = CThostFtdcMdApi* (*)(const char*, bool, bool);
  auto* factory = simulator_factory<Factory>("_ZN15CThostFtdcMdApi15CreateFtdcMdApiEPKcbb");
  CThostFtdcMdApi* inner = factory ? factory(flow_path, udp, multicast) : nullptr;
  return inner == nullptr ? nullptr : new StampMdApi(inner);
}

const char* CThostFtdcMdApi::GetApiVersion() { return "V1.7.5_vtcore-bench-stamp"; }
#else
CThostFtdcMdApi* CThostFtdcMdApi::CreateFtdcMdApi(const char* flow_path, const bool udp, const bool multicast,
                                                  bool production) {
  using Factory = CThostFtdcMdApi* (*)(const char*, bool, bool, bool);
  auto* factory = simulator_factory<Factory>("_ZN15CThostFtdcMdApi15CreateFtdcMdApiEPKcbbb");
  CThostFtdcMdApi* inner = factory ? factory(flow_path, udp, multicast, production) : nullptr;
  return inner == nullptr ? nullptr : new StampMdApi(inner);
}

const char* CThostFtdcMdApi::GetApiVersion() { return "v6.7.11_vtcore-bench-stamp"; }
#endif
