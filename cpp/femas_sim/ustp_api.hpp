// What both simulated FEMAS API classes (market data, trader) share on top of the core's FrontSession: the
// vendor calls both USTP API classes have, the SPI pointer, and "not implemented" answers (OnRspError) for
// requests the front-end does not write (`Stubs` is the class tools/sdkgen generates from the vendor header).
#pragma once

#include <atomic>
#include <string>
#include <utility>

#include "USTPFtdcMduserApi.h"
#include "USTPFtdcTraderApi.h"
#include "convert.hpp"
#include "vtcore/sim/front_session.hpp"

#ifndef VTCORE_SIM_FRONT_NAME
#error "the build defines VTCORE_SIM_FRONT_NAME (e.g. \"vtcore-femassim\") for each front-end library"
#endif

namespace vtcore::sim::femas {

/// The front-end's name, as RspUserLogin.TradingSystemName reports it.
inline constexpr const char* kSystemName = VTCORE_SIM_FRONT_NAME;

/// The factories' targets (md_api.cpp, td_api.cpp); `version` is the libraries' GetVersion() text.
CUstpFtdcMduserApi* create_md_api(const char* flow_path, const char* version);
CUstpFtdcTraderApi* create_trader_api(const char* flow_path, const char* version);

// `Session` is the core's FrontSession, or MdSession for the market-data API (its tick stream).
template <class Stubs, class Spi, class Session = FrontSession>
class SimulatedApi : public Stubs, public Session {
 public:
  SimulatedApi(FrontKind kind, std::string flow_path) : Session(kind), flow_path_(std::move(flow_path)) {}
  virtual ~SimulatedApi() = default;
  SimulatedApi(const SimulatedApi&) = delete;
  SimulatedApi& operator=(const SimulatedApi&) = delete;

  void Release() override {
    this->stop_session();
    if (this->loop_.in_loop_thread()) {  // from inside a callback: deleted once it returns
      this->loop_.finish_in_loop_thread([this] { delete this; });
      return;
    }
    delete this;
  }
  void Init() override { this->start_session(); }
  int Join() override { return this->join_session(); }
  const char* GetTradingDay() override { return this->trading_day_; }
  void RegisterFront(char* address) override { this->register_front(address); }
  void RegisterNameServer(char* address) override { this->register_front(address); }
  void RegisterSpi(Spi* spi) override { spi_.store(spi); }
  int RegisterCertificateFile(const char*, const char*, const char*, const char*) override { return 0; }
  void SetHeartbeatTimeout(unsigned int) override {}

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

  int not_implemented(const char* method, int request_id) override {
    return this->request([this, method, request_id] {
      CUstpFtdcRspInfoField info = error_info(Error::not_implemented, std::string("vtcore-sim: ") + method);
      call([&](Spi* spi) { spi->OnRspError(&info, request_id, true); });
    });
  }

  std::atomic<Spi*> spi_{nullptr};
  std::string flow_path_;
};

}  // namespace vtcore::sim::femas
