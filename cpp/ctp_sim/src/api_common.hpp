// What the market-data and trader API objects share: the API thread, the front connection state machine
// (connect, scripted and controlled disconnects, reconnect), response delays, callback counting and the flow files.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ThostFtdcUserApiStruct.h"
#include "api_loop.hpp"
#include "exchange.hpp"
#include "simulator.hpp"
#include "text.hpp"

namespace ctpsim {

// Writes the flow files the real library creates in Create…Api: `<prefix><name>.con` (a prefix, not a folder).
void create_flow_files(const char* prefix, std::initializer_list<const char*> names);

// The front side of one API object. `Spi` is CThostFtdcMdSpi or CThostFtdcTraderSpi.
template <class Spi>
class FrontSession : public ControlTarget {
 public:
  explicit FrontSession(FrontKind kind) : kind_(kind) {}

  FrontKind front_kind() const override { return kind_; }

  void control_disconnect(int reconnect_ms) override {
    loop_.post([this, reconnect_ms] { disconnect(reconnect_ms); });
  }
  void control_response_delay(int ms) override { response_delay_ms_ = ms; }
  Json control_status() const override {
    return Json(Json::Object{{"front", Json(kind_ == FrontKind::md ? "md" : "td")},
                             {"connected", Json(connected_.load())},
                             {"logged_in", Json(logged_in_.load())},
                             {"events", Json(static_cast<int64_t>(events_.load()))},
                             {"disconnects", Json(static_cast<int64_t>(disconnects_.load()))},
                             {"ticks", Json(static_cast<int64_t>(ticks_sent_.load()))}});
  }

 protected:
  ~FrontSession() = default;

  void register_front(const char* address) {
    std::lock_guard lock(setup_mutex_);
    if (address) fronts_.emplace_back(address);
  }

  void register_spi(Spi* spi) { spi_.store(spi); }

  // Init(): choose the exchange, start the API thread, connect after the configured delay.
  void start_session() {
    {
      std::lock_guard lock(setup_mutex_);
      if (loop_.started()) return;
      try {
        exchange_ = Simulator::instance().acquire(resolve_config_path(fronts_));
      } catch (const std::exception& e) {
        // Like an unreachable front: the API runs but never connects.
        std::fprintf(stderr, "%s\n", e.what());
        loop_.start();
        return;
      }
      const Config& config = exchange_->config();
      const FrontConfig& front = kind_ == FrontKind::md ? config.md_front : config.td_front;
      front_id_ = front.front_id;
      reconnect_delay_ms_ = front.reconnect_delay_ms;
      response_delay_ms_ = front.response_delay_ms;
      for (const FaultConfig& fault : config.faults)
        if (fault.action == "disconnect" && (fault.front == FrontKind::any || fault.front == kind_))
          faults_.push_back(ScriptedFault{fault, false});
      configure(config);
      Simulator::instance().register_api(this);
      registered_ = true;
      loop_.start();
      const uint64_t epoch = epoch_.load();
      loop_.post_after(std::chrono::milliseconds(front.connect_delay_ms), [this, epoch] { connect(epoch); });
      for (ScriptedFault& fault : faults_)
        if (fault.config.at_ms >= 0)
          loop_.post_after(std::chrono::milliseconds(fault.config.at_ms), [this, &fault] {
            if (fault.fired) return;
            fault.fired = true;
            disconnect(fault.config.reconnect_delay_ms);
          });
    }
  }

  // Release(): stop the thread and forget the object. Never from inside a callback of this object.
  void stop_session() {
    {
      std::lock_guard lock(setup_mutex_);
      if (registered_) Simulator::instance().unregister_api(this);
      registered_ = false;
    }
    loop_.stop();
    on_stopping();  // the API thread has ended
  }

  int join_session() {
    loop_.wait_stopped();
    return 0;
  }

  // Work for a request: runs on the API thread after the response delay, unless the front dropped meanwhile.
  // Returns what Req* returns: 0, or -1 when the front is not connected (as the real library does).
  int request(std::function<void()> work) {
    if (!connected_.load()) return -1;
    const uint64_t epoch = epoch_.load();
    auto task = [this, epoch, work = std::move(work)] {
      if (epoch == epoch_.load()) work();
    };
    const int delay = response_delay_ms_.load();
    if (delay > 0)
      loop_.post_after(std::chrono::milliseconds(delay), std::move(task));
    else
      loop_.post(std::move(task));
    return 0;
  }

  // Calls one SPI method (if an SPI is registered), then counts it for scripted faults. Returns false when
  // that callback tripped a scripted disconnect: the caller must then stop (the rest belongs to a dead session).
  template <class Fn>
  bool deliver(Fn&& fn) {
    if (Spi* spi = spi_.load()) fn(spi);
    const int64_t events = ++events_;
    for (ScriptedFault& fault : faults_)
      if (!fault.fired && fault.config.after_events >= 0 && events >= fault.config.after_events) {
        fault.fired = true;
        disconnect(fault.config.reconnect_delay_ms);
        return false;
      }
    return true;
  }

  static CThostFtdcRspInfoField ok_info() {
    CThostFtdcRspInfoField info{};
    static const std::string text = to_gb18030("CTP:正确");
    put(info.ErrorMsg, text);
    return info;
  }
  static CThostFtdcRspInfoField error_info(const Reject& reject) {
    CThostFtdcRspInfoField info{};
    info.ErrorID = reject.id;
    put(info.ErrorMsg, reject.message);
    return info;
  }

  // Subclass hooks, on the API thread.
  virtual void reset_session_state() = 0;  // the front dropped: forget login, subscriptions, flow
  virtual void on_stopping() {}
  virtual void configure(const Config&) {}  // Init(), before the API thread starts

  bool current(uint64_t epoch) const { return epoch == epoch_.load(); }

  const FrontKind kind_;
  ApiLoop loop_;
  std::shared_ptr<Exchange> exchange_;
  std::atomic<Spi*> spi_{nullptr};
  std::atomic<bool> connected_{false};
  std::atomic<bool> logged_in_{false};
  std::atomic<uint64_t> epoch_{0};
  std::atomic<int64_t> events_{0};
  std::atomic<int64_t> disconnects_{0};
  std::atomic<int64_t> ticks_sent_{0};
  std::atomic<int> response_delay_ms_{0};
  int front_id_ = 1;
  char trading_day_[9] = "19800100";  // what the real library reports before login

 private:
  struct ScriptedFault {
    FaultConfig config;
    bool fired;
  };

  void connect(uint64_t epoch) {
    if (!current(epoch)) return;
    connected_ = true;
    deliver([](Spi* spi) { spi->OnFrontConnected(); });
  }

  void disconnect(int reconnect_ms) {
    if (!connected_.load()) return;
    ++epoch_;
    connected_ = false;
    logged_in_ = false;
    ++disconnects_;
    reset_session_state();
    if (Spi* spi = spi_.load()) spi->OnFrontDisconnected(0x1001);  // 4097: network read failure
    ++events_;
    const int delay = reconnect_ms >= 0 ? reconnect_ms : reconnect_delay_ms_;
    const uint64_t epoch = epoch_.load();
    loop_.post_after(std::chrono::milliseconds(delay), [this, epoch] { connect(epoch); });
  }

  std::mutex setup_mutex_;
  std::vector<std::string> fronts_;
  std::vector<ScriptedFault> faults_;  // touched on the API thread only after Init
  int reconnect_delay_ms_ = 1000;
  bool registered_ = false;
};

// The calls every CTP API class has, on top of the generated request stubs (`Stubs`) and the front session.
template <class Stubs, class Spi>
class SimulatedApi : public Stubs, public FrontSession<Spi> {
 public:
  SimulatedApi(FrontKind kind, std::string flow_path) : FrontSession<Spi>(kind), flow_path_(std::move(flow_path)) {}
  virtual ~SimulatedApi() = default;
  SimulatedApi(const SimulatedApi&) = delete;
  SimulatedApi& operator=(const SimulatedApi&) = delete;

  void Release() override {
    this->stop_session();
    delete this;
  }
  void Init() override { this->start_session(); }
  int Join() override { return this->join_session(); }
  const char* GetTradingDay() override { return this->trading_day_; }
  void RegisterFront(char* address) override { this->register_front(address); }
  void RegisterNameServer(char* address) override { this->register_front(address); }
  void RegisterFensUserInfo(CThostFtdcFensUserInfoField*) override {}
  void RegisterSpi(Spi* spi) override { this->register_spi(spi); }

 protected:
  // Every request the simulator does not implement answers OnRspError on the API thread.
  int not_implemented(const char* method, int request_id) override {
    return this->request([this, method, request_id] {
      const Reject base = make_reject(err::not_implemented);
      CThostFtdcRspInfoField info =
          this->error_info(Reject{base.id, base.message + " (vtcore-ctpsim: " + method + ")"});
      this->deliver([&](Spi* spi) { spi->OnRspError(&info, request_id, true); });
    });
  }

  std::string flow_path_;
};

}  // namespace ctpsim
