// What the simulated TORA API classes (XMd market data, stock trader, stock-option trader) share on the core's
// sessions: TORA's Thost-like front calls (RegisterFront, RegisterNameServer for FENS, RegisterSpi, Init, Join,
// Release), the SPI pointer, and the "not implemented" / "not supported" answers of the methods the front-end does not
// write (`Stubs` is the class tools/sdkgen generates from the vendor header). What the two traders share beyond that
// is in trader_session.hpp.
#pragma once

#include <atomic>
#include <string>
#include <utility>

#include "TORATstpSPTraderApi.h"
#include "convert.hpp"
#include "vtcore/sim/front_session.hpp"
#include "vtcore/sim/text.hpp"

#ifndef VTCORE_SIM_FRONT_NAME
#error "the build defines VTCORE_SIM_FRONT_NAME for each front-end library"
#endif

namespace vtcore::sim::tora {

/// The front-end's name, as RspUserLogin.SystemName reports it.
inline constexpr const char* kSystemName = VTCORE_SIM_FRONT_NAME;

/// GetApiVersion(): the version the real library reports, then the simulator's name ("1.0.9_vtcore-torasim 0.1.0"):
/// a version check on the library's version accepts it, and it says it is a simulator.
#ifdef VTCORE_SDK_LIBRARY_VERSION_MD
inline constexpr const char* kMdVersion =
    VTCORE_SDK_LIBRARY_VERSION_MD "_" VTCORE_SIM_FRONT_NAME " " VTCORE_SIM_VERSION;
inline constexpr const char* kTraderVersion =
    VTCORE_SDK_LIBRARY_VERSION_TRADER "_" VTCORE_SIM_FRONT_NAME " " VTCORE_SIM_VERSION;
inline constexpr const char* kSPTraderVersion =
    VTCORE_SDK_LIBRARY_VERSION_SPTRADER "_" VTCORE_SIM_FRONT_NAME " " VTCORE_SIM_VERSION;
#endif

/// The factories' targets (md_api.cpp, td_api.cpp, sp_api.cpp); the *_factory.cpp files export the vendor names.
TORALEV1API::CTORATstpXMdApi* create_xmd_api();
TORASTOCKAPI::CTORATstpTraderApi* create_trader_api(const char* flow_path);
TORASPAPI::CTORATstpSPTraderApi* create_sp_trader_api(const char* flow_path);

template <class Stubs, class Spi, class RspInfo, class Session>
class SimulatedApi : public Stubs, public Session {
 public:
  explicit SimulatedApi(FrontKind kind) : Session(kind) {}
  virtual ~SimulatedApi() = default;
  SimulatedApi(const SimulatedApi&) = delete;
  SimulatedApi& operator=(const SimulatedApi&) = delete;

  void Release() override { this->release_self(this); }
  int Join() override { return this->join_session(); }
  void RegisterFront(char* address) override { this->register_front(address); }
  void RegisterNameServer(char* address) override { this->register_front(address); }
  void RegisterSpi(Spi* spi) override { spi_.store(spi); }

 protected:
  /// Calls `fn(spi)` on the registered SPI (if any) and counts the callback; false: a scripted fault fired.
  template <class Fn>
  bool call(Fn&& fn) {
    return this->deliver([&] {
      if (Spi* spi = spi_.load()) fn(spi);
    });
  }

  // A request that needs a logged-in session; before login it answers OnRspError (not logged in).
  template <class Work>
  int logged_in_request(int id, Work work) {
    return this->request([this, id, work = std::move(work)] {
      if (!this->logged_in_) {
        RspInfo info = error_info<RspInfo>(Error::not_logged_in);
        call([&](Spi* spi) { spi->OnRspError(&info, id, true); });
        return;
      }
      work();
    });
  }

  // N records -> N callbacks, the last flagged; none -> one callback with no record.
  template <class Field, class Records, class Fill>
  void respond_list(const Records& records, int id, void (Spi::*method)(Field*, RspInfo*, int, bool), Fill fill) {
    RspInfo info = error_info<RspInfo>(Error::none);
    if (records.empty()) {
      call([&](Spi* spi) { (spi->*method)(nullptr, &info, id, true); });
      return;
    }
    for (size_t n = 0; n < records.size(); ++n) {
      Field field{};
      fill(field, records[n]);
      const bool last = n + 1 == records.size();
      if (!call([&](Spi* spi) { (spi->*method)(&field, &info, id, last); })) return;
    }
  }

  // A refused insert or cancel: its OnRsp answer, then its OnErrRtn push (TORA sends both).
  template <class Field>
  void refuse(Field& field, const RspInfo& answer, int id, void (Spi::*rsp)(Field*, RspInfo*, int),
              void (Spi::*err_rtn)(Field*, RspInfo*, int)) {
    RspInfo info = answer;
    if (!call([&](Spi* spi) { (spi->*rsp)(&field, &info, id); })) return;
    call([&](Spi* spi) { (spi->*err_rtn)(&field, &info, id); });
  }

  void deliver_connected() override {
    if (Spi* spi = spi_.load()) spi->OnFrontConnected();
  }
  void deliver_disconnected(int reason) override {
    if (Spi* spi = spi_.load()) spi->OnFrontDisconnected(reason);
  }

  // A request the simulator does not write: OnRspError on the API thread (the XMd SPI has none: logged only).
  int not_implemented(const char* method, int request_id) override {
    return this->request([this, method, request_id] {
      RspInfo info = error_info<RspInfo>(Error::not_implemented, std::string("vtcore-sim: ") + method);
      if constexpr (requires(Spi * spi) { spi->OnRspError(&info, request_id, true); }) {
        call([&](Spi* spi) { spi->OnRspError(&info, request_id, true); });
      }
    });
  }
  std::atomic<Spi*> spi_{nullptr};
};

}  // namespace vtcore::sim::tora
