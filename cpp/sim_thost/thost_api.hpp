// What both simulated Thost-family API classes (market data, trader) share on top of the core's FrontSession:
// the vendor calls every CTP-family API class has, the SPI pointer, and "not implemented" answers for requests
// the front-end does not write (`Stubs` is the class tools/sdkgen generates from the vendor header).
//
// Compiled into each front-end against its SDK's headers. VTCORE_SIM_THOST_CTP is defined for CTP (which has
// RegisterNameServer / RegisterFensUserInfo and settlement confirmation), not for CTP-Mini.
#pragma once

#include <atomic>
#include <string>
#include <utility>

#include "ThostFtdcMdApi.h"
#include "ThostFtdcTraderApi.h"
#include "convert.hpp"
#include "vtcore/sim/front_session.hpp"

#ifndef VTCORE_SIM_FRONT_NAME
#error "the build defines VTCORE_SIM_FRONT_NAME (e.g. \"vtcore-ctpsim\") for each front-end library"
#endif

namespace vtcore::sim::thost {

/// The front-end's name, as RspUserLogin.SystemName reports it.
inline constexpr const char* kSystemName = VTCORE_SIM_FRONT_NAME;

/// The factories' targets, in md_api.cpp and td_api.cpp; `version` is the library's GetApiVersion() text
/// (e.g. "v6.7.11_vtcore-ctpsim 0.1.0": a version check on the header version accepts it, and it says it is a
/// simulator), which the control socket's `ping` lists.
CThostFtdcMdApi* create_md_api(const char* flow_path, const char* version);
CThostFtdcTraderApi* create_trader_api(const char* flow_path, const char* version);

// `Session` is the core's FrontSession, or MdSession for the market-data API (its tick stream).
template <class Stubs, class Spi, class Session = FrontSession>
class SimulatedApi : public Stubs, public Session {
 public:
  SimulatedApi(FrontKind kind, std::string flow_path) : Session(kind), flow_path_(std::move(flow_path)) {}
  virtual ~SimulatedApi() = default;
  SimulatedApi(const SimulatedApi&) = delete;
  SimulatedApi& operator=(const SimulatedApi&) = delete;

  void Release() override { this->release_self(this); }
#ifdef VTCORE_SIM_THOST_CTP
  void Init() override { this->start_session(); }
#else
  void Init(bool /*continuous: no resumable session here*/) override { this->start_session(); }
#endif
  int Join() override { return this->join_session(); }
  const char* GetTradingDay() override { return this->trading_day_; }
  void RegisterFront(char* address) override { this->register_front(address); }
#ifdef VTCORE_SIM_THOST_CTP
  void RegisterNameServer(char* address) override { this->register_front(address); }
  void RegisterFensUserInfo(CThostFtdcFensUserInfoField*) override {}
#endif
  void RegisterSpi(Spi* spi) override { spi_.store(spi); }

 protected:
  /// Calls `fn(spi)` on the registered SPI (if any) and counts the callback; false: a scripted fault fired.
  template <class Fn>
  bool call(Fn&& fn) {
    return this->deliver([&] {
      if (Spi* spi = spi_.load()) fn(spi);
    });
  }

  void deliver_connected() override {
    if (Spi* spi = spi_.load()) spi->OnFrontConnected();
  }
  void deliver_disconnected(int reason) override {
    if (Spi* spi = spi_.load()) spi->OnFrontDisconnected(reason);
  }

  // Every request the simulator does not implement answers OnRspError on the API thread.
  int not_implemented(const char* method, int request_id) override {
    return this->request([this, method, request_id] {
      CThostFtdcRspInfoField info =
          error_info<CThostFtdcRspInfoField>(Error::not_implemented, std::string("vtcore-sim: ") + method);
      call([&](Spi* spi) { spi->OnRspError(&info, request_id, true); });
    });
  }

  std::atomic<Spi*> spi_{nullptr};
  std::string flow_path_;
};

}  // namespace vtcore::sim::thost
