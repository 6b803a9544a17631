// The front side of one simulated API object, for every SDK front-end: the API thread, the connection state
// machine (connect, scripted and controlled disconnects, reconnect), response delays, callback counting for
// scripted faults, and the flow files. A front-end's API class derives from it (and from its SDK's API class)
// and supplies the SDK's callbacks through the hooks at the bottom.
//
// Threading: every SPI callback of one API object runs on its one API thread (loop_), serially, as the real
// libraries do; requests post work there and return at once. `request()` answers -1 while the front is not
// connected, as CTP does.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vtcore/sim/api_loop.hpp"
#include "vtcore/sim/config.hpp"
#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/simulator.hpp"

namespace vtcore::sim {

// Writes the flow files the real library creates in Create…Api: `<prefix><name>.con` (a prefix, not a folder).
void create_flow_files(const char* prefix, std::initializer_list<const char*> names);

class FrontSession : public ControlTarget {
 public:
  explicit FrontSession(FrontKind kind) : kind_(kind) {}
  FrontSession(const FrontSession&) = delete;
  FrontSession& operator=(const FrontSession&) = delete;

  FrontKind front_kind() const override { return kind_; }
  void control_disconnect(int reconnect_ms) override;
  void control_response_delay(int ms) override { response_delay_ms_ = ms; }
  void control_ticks(int64_t, double) override {}
  Json control_status() const override;

 protected:
  virtual ~FrontSession() = default;

  // RegisterFront(): the address may carry "?config=<path>" (resolve_config_path).
  void register_front(const char* address);
  // Init(): choose the exchange, start the API thread, connect after the configured delay.
  void start_session();
  // Release(): stop the thread (also from inside one of this object's callbacks) and forget the object.
  void stop_session();
  int join_session();

  // Work for a request: runs on the API thread after the response delay, unless the front dropped meanwhile.
  // Returns what a request returns: 0, or -1 when the front is not connected.
  int request(std::function<void()> work);

  // Calls one SPI method through `call` (the front-end checks its SPI pointer), then counts the callback for
  // scripted faults. Returns false when that callback tripped a scripted disconnect: the caller must then stop
  // (the rest belongs to a dead session).
  template <class Call>
  bool deliver(Call&& call) {
    call();
    return count_event();
  }
  bool current(uint64_t epoch) const { return epoch == epoch_.load(); }

  // Hooks for the front-end, on the API thread.
  virtual void deliver_connected() = 0;                 // OnFrontConnected
  virtual void deliver_disconnected(int reason) = 0;    // OnFrontDisconnected(reason)
  virtual void reset_session_state() = 0;               // the front dropped: forget login, subscriptions, flow
  virtual void on_stopping() {}                         // the API thread has ended
  virtual void configure(const Config&) {}              // Init(), before the API thread starts

  const FrontKind kind_;
  ApiLoop loop_;
  std::shared_ptr<Exchange> exchange_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> logged_in_{false};
  std::atomic<uint64_t> epoch_{0};
  std::atomic<int64_t> events_{0};
  std::atomic<int64_t> disconnects_{0};
  std::atomic<int64_t> ticks_sent_{0};
  std::atomic<int> response_delay_ms_{0};
  int front_id_ = 1;
  char trading_day_[9] = "19800100";  // what CTP reports before login

 private:
  struct ScriptedFault {
    FaultConfig config;
    bool fired;
  };

  bool count_event();
  void connect(uint64_t epoch);
  void disconnect(int reconnect_ms);

  std::mutex setup_mutex_;
  std::vector<std::string> fronts_;
  std::vector<ScriptedFault> faults_;  // touched on the API thread only after Init
  int reconnect_delay_ms_ = 1000;
  bool registered_ = false;
};

}  // namespace vtcore::sim
