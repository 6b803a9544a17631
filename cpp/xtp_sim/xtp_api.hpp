// What both simulated XTP API classes (quote, trader) share on the core's sessions: the vendor calls every XTP API
// class has (Release, GetApiVersion, GetApiLastError, RegisterSpi, ...), the SPI pointer, Login's connection step,
// and "not implemented" / "not supported" answers for the methods the front-end does not write (`Stubs` is the
// class tools/sdkgen generates from the vendor header).
//
// XTP has no RegisterFront / Init: the first Login() starts the API thread and waits (up to 6 s, as the real
// library waits for a refused connection) for the front, then logs in synchronously. The address may carry the
// simulator's configuration: Login("127.0.0.1?config=/abs/sim.json", port, ...). After a dropped front the client
// must Login() again, as with the real library (which reconnects nothing by itself).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "convert.hpp"
#include "vtcore/sim/front_session.hpp"
#include "vtcore/sim/text.hpp"
#include "xtp_quote_api.h"
#include "xtp_trader_api.h"

#ifndef VTCORE_SIM_FRONT_NAME
#error "the build defines VTCORE_SIM_FRONT_NAME for each front-end library"
#endif

namespace vtcore::sim::xtp {

/// "2.2.32_vtcore-xtpsim 0.1.0": a version check on the header version accepts it, and it says it is a simulator.
inline constexpr const char* kVersion = VTCORE_SDK_API_VERSION "_" VTCORE_SIM_FRONT_NAME " " VTCORE_SIM_VERSION;

template <class Stubs, class Spi, class Session>
class SimulatedApi : public Stubs, public Session {
 public:
  SimulatedApi(FrontKind kind, std::uint8_t client_id) : Session(kind), client_id_(client_id) {
    this->trading_day_[0] = '\0';  // XTP reports "" before login
    Simulator::instance().register_front_end(kVersion);
  }
  virtual ~SimulatedApi() = default;
  SimulatedApi(const SimulatedApi&) = delete;
  SimulatedApi& operator=(const SimulatedApi&) = delete;

  void Release() override { this->release_self(this); }
  const char* GetTradingDay() override { return this->trading_day_; }
  const char* GetApiVersion() override { return kVersion; }
  XTPRI* GetApiLastError() override { return &last_error_; }
  void RegisterSpi(Spi* spi) override { spi_.store(spi); }
  void SetHeartBeatInterval(uint32_t) override {}

 protected:
  /// The connection step of Login(): start the session on first use and wait for the front; false (and the
  /// last error) when it does not come up within 6 s (a bad configuration file: the front never connects).
  bool connect_front(const char* ip, int port) {
    if (ip == nullptr || port < 0) {
      fail(error_info(1, "connect server failed: bad address"));
      return false;
    }
    std::string host = ip, query;
    if (const size_t mark = host.find('?'); mark != std::string::npos) {
      query = host.substr(mark);
      host.resize(mark);
    }
    const std::string address = "tcp://" + host + ":" + std::to_string(port) + query;
    this->register_front(address.c_str());
    this->start_session();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(6);
    while (!this->connected_.load()) {
      if (std::chrono::steady_clock::now() > deadline) {
        fail(error_info(1, "connect server failed.[OS:111]Connection refused"));
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  void fail(const XTPRI& error) { last_error_ = error; }

  /// Calls `fn(spi)` on the registered SPI (if any) and counts the callback; false: a scripted fault fired.
  template <class Fn>
  bool call(Fn&& fn) {
    return this->deliver([&] {
      if (Spi* spi = spi_.load()) fn(spi);
    });
  }

  void deliver_connected() override {}  // XTP has no connected callback: Login() returns instead

  // A request the simulator does not write answers OnError on the API thread.
  int not_implemented(const char* method, int) override {
    const int result = this->request([this, method] {
      XTPRI info = error_info(Error::not_implemented, method);
      call([&](Spi* spi) { spi->OnError(&info); });
    });
    if (result != 0) fail(error_info(Error::not_logged_in));
    return result;
  }
  int not_supported(const char* method) override {
    fail(error_info(Error::not_implemented, method));
    return -1;
  }

  std::atomic<Spi*> spi_{nullptr};
  XTPRI last_error_{};
  const std::uint8_t client_id_;
};

}  // namespace vtcore::sim::xtp
